/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/verify.h: the checks a device makes before and after it applies a
 * package: the payload's CRC-32 (is the package intact?), the base image's
 * size and SHA-256 (is it for the image I run?), and at the end the target
 * image's SHA-256. Each reads through a callback in small pieces, so they
 * work on images in flash.
 *
 * RAM: about 200 bytes of stack (a SHA-256 context and a 64-byte buffer).
 */
#ifndef CFOTA_VERIFY_H
#define CFOTA_VERIFY_H

#include <stdint.h>

#include "cfota/package.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read len bytes at off into buf; 0 on success, negative on failure. */
typedef int (*cfota_read_fn)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);

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
