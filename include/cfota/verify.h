/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/verify.h: the checks a device makes before and after it applies a
 * package: is it authentic and meant for this device (signature, product,
 * security counter: cfota_verify_release), is it intact (the payload's
 * CRC-32), is it for the image I run (the base image's size and SHA-256),
 * and at the end the target image's SHA-256. Each reads through a callback
 * in small pieces, so they work on images in flash.
 *
 * RAM: about 250 bytes of stack (a SHA-256 context, a 73-byte signature
 * block and a 64-byte buffer), plus the verifier callback's.
 */
#ifndef CFOTA_VERIFY_H
#define CFOTA_VERIFY_H

#include <stdint.h>

#include "cfota/package.h"
#include "cfota/signature.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read len bytes at off into buf; 0 on success, negative on failure. */
typedef int (*cfota_read_fn)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);

/* Check that the package, whose header h was read from its first bytes,
 * may be applied on a device with policy p, reading the package from its
 * offset 0 through read (header_size + payload_size + sig_size bytes must
 * be readable). In order: with a verifier, the package is signed
 * (CFOTA_E_UNSIGNED), by the device's key (CFOTA_E_KEY), and its signature
 * verifies over the SHA-256 of header and payload (CFOTA_E_SIGNATURE;
 * CFOTA_E_CORRUPT for an unknown signature algorithm); then, always, the
 * product (CFOTA_E_PRODUCT) and the security counter, not below the
 * policy's (CFOTA_E_ROLLBACK). Returns CFOTA_OK, one of those, or
 * CFOTA_E_IO. Reads only. */
int cfota_verify_release(const struct cfota_header *h, const struct cfota_policy *p, cfota_read_fn read,
                         void *ctx);

/* The SHA-256 that a signature covers: package bytes 0 .. header_size +
 * payload_size - 1. Returns CFOTA_OK or CFOTA_E_IO. */
int cfota_signed_digest(const struct cfota_header *h, cfota_read_fn read, void *ctx, uint8_t digest[32]);

/* Check the payload CRC-32. read reads the package from its offset 0.
 * Returns CFOTA_OK, CFOTA_E_CORRUPT, or CFOTA_E_IO. */
int cfota_verify_payload(const struct cfota_header *h, cfota_read_fn read, void *ctx);

/* Check that the image readable through read, of image_size bytes, is the
 * package's base. Returns CFOTA_OK (also for a NO_BASE package),
 * CFOTA_E_WRONG_BASE, or CFOTA_E_IO. */
int cfota_verify_base(const struct cfota_header *h, uint32_t image_size, cfota_read_fn read, void *ctx);

/* Check that the target_size bytes readable through read hash to the
 * package's target SHA-256. Returns CFOTA_OK, CFOTA_E_HASH, or CFOTA_E_IO. */
int cfota_verify_target(const struct cfota_header *h, cfota_read_fn read, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
