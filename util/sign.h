/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/sign.h: the host side of package signatures (cfota/signature.h):
 * release keys on disk, signing a package, checking one as a device would.
 *
 * Keys are ECDSA P-256 in PEM: KEY is the private key (SEC1 "EC PRIVATE
 * KEY", written with mode 0600), KEY.pub the public key
 * ("PUBLIC KEY", SubjectPublicKeyInfo), the forms `openssl ec` reads and
 * writes. A device stores only the public key's 65-byte point.
 *
 * Every function returns 0 (CFOTA_OK) or a negative cfota status and puts
 * a sentence in why (whylen bytes) on failure. Host-only: Mbed TLS, files.
 */
#ifndef CFOTA_UTIL_SIGN_H
#define CFOTA_UTIL_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "cfota/signature.h"

/* Make a new key pair: path (private) and path.pub (public). Refuses to
 * overwrite an existing file (CFOTA_E_STATE). */
int host_keygen(const char *path, char *why, size_t whylen);

/* The public point of the key in path, a public key or a private one. */
int host_pubkey_load(const char *path, uint8_t point[CFOTA_PUBKEY_SIZE], char *why, size_t whylen);

/* Sign the package in pkg (its whole bytes) with the private key in path:
 * set SIGNED and the signature size in the header (replacing a signature
 * already there), append the signature block. On failure pkg is left as
 * it was. */
int host_package_sign(struct bytes *pkg, const char *keypath, char *why, size_t whylen);

/* Check pkg (len bytes) as a device with policy p would before it writes
 * anything: the header, the sizes against len, cfota_verify_release (the
 * signature with p->verifier, product, counter) and the payload CRC. */
int host_package_check(const uint8_t *pkg, size_t len, const struct cfota_policy *p, char *why, size_t whylen);

/* A verifier for the public key in path (a public or private key file),
 * for host_package_check and the tools that act as a device. key must
 * outlive v. */
struct cfota_mbedtls_key;
int host_verifier_load(const char *path, struct cfota_mbedtls_key *key, struct cfota_verifier *v, char *why,
                       size_t whylen);

#endif
