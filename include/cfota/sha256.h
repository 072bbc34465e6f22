/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/sha256.h: SHA-256 (FIPS 180-4) for the device side.
 *
 * The device library may use nothing but a libc subset, so it carries its
 * own small SHA-256; host code uses Mbed TLS, and tests check the two agree.
 *
 * RAM: struct cfota_sha256 is 108 bytes; cfota_sha256_update uses about
 * 300 bytes of stack (the message schedule).
 */
#ifndef CFOTA_SHA256_H
#define CFOTA_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cfota_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
};

/* Start a new hash. */
void cfota_sha256_init(struct cfota_sha256 *s);
/* Hash len more bytes (len may be 0; data may be NULL then). */
void cfota_sha256_update(struct cfota_sha256 *s, const void *data, size_t len);
/* Finish and write the 32-byte digest; s must be re-initialised to reuse. */
void cfota_sha256_final(struct cfota_sha256 *s, uint8_t out[32]);

#ifdef __cplusplus
}
#endif
#endif
