/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/signature.h: the package's signature block and the device's way of
 * checking it, without the library knowing any cryptography.
 *
 * A signed package (CFOTA_FLAG_SIGNED) ends with a 73-byte block: an
 * algorithm byte (ECDSA over NIST P-256 with SHA-256), the signer's key id
 * (the first 8 bytes of the SHA-256 of its public key as an uncompressed
 * point) and the signature r || s, 32 bytes each, big-endian. What is
 * signed is the SHA-256 of every byte before the block: the header (which
 * binds base and target SHA-256, sizes, versions, product and security
 * counter) and the payload. docs/package-format.md is the exact format.
 *
 * The device library computes that digest itself (lib/sha256.c) and hands
 * it to an integrator callback, struct cfota_verifier, which checks the
 * signature with whatever the device has: a software library (the
 * reference port on Mbed TLS, port/mbedtls/), a crypto accelerator or a
 * secure element. The library stays free of dependencies.
 *
 * RAM: struct cfota_sig_block is 73 bytes, struct cfota_verifier 24 bytes
 * on a 32-bit target; parsing and writing use no other memory.
 */
#ifndef CFOTA_SIGNATURE_H
#define CFOTA_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "cfota/package.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_SIG_ECDSA_P256_SHA256 1u /* the one algorithm of format 2 */
#define CFOTA_KEY_ID_SIZE 8u
#define CFOTA_SIG_SIZE 64u              /* r || s */
#define CFOTA_PUBKEY_SIZE 65u           /* 0x04 || X || Y */

struct cfota_sig_block {
    uint8_t alg;                        /* CFOTA_SIG_ECDSA_P256_SHA256 */
    uint8_t key_id[CFOTA_KEY_ID_SIZE];  /* who signed */
    uint8_t sig[CFOTA_SIG_SIZE];        /* r || s, big-endian */
};

/* Read the CFOTA_SIG_BLOCK_SIZE bytes at buf. Returns CFOTA_OK or
 * CFOTA_E_CORRUPT (unknown algorithm). */
int cfota_sig_block_parse(struct cfota_sig_block *b, const uint8_t buf[CFOTA_SIG_BLOCK_SIZE]);

/* Write b as CFOTA_SIG_BLOCK_SIZE bytes into out. */
void cfota_sig_block_write(const struct cfota_sig_block *b, uint8_t out[CFOTA_SIG_BLOCK_SIZE]);

/* The key id of a public key given as an uncompressed point (65 bytes). */
void cfota_key_id(const uint8_t pubkey[CFOTA_PUBKEY_SIZE], uint8_t id[CFOTA_KEY_ID_SIZE]);

/* The device's trusted key, filled in by the integrator. */
struct cfota_verifier {
    void *ctx;                          /* passed back to verify */
    uint8_t key_id[CFOTA_KEY_ID_SIZE];  /* cfota_key_id() of the key */
    /* Return 0 if sig is a valid ECDSA P-256 signature of the SHA-256
     * digest with the device's key, anything else if not. */
    int (*verify)(void *ctx, const uint8_t digest[32], const uint8_t sig[CFOTA_SIG_SIZE]);
};

/* What a device accepts besides an intact package for its base. */
struct cfota_policy {
    const struct cfota_verifier *verifier; /* NULL: no key provisioned, so
                                              signatures are not checked */
    uint32_t product_id;        /* packages for another product are refused */
    uint32_t security_counter;  /* the running image's: lower is refused */
};

#ifdef __cplusplus
}
#endif
#endif
