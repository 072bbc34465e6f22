/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota_ctl/md5.h: MD5 (RFC 1321) for the controller library.
 *
 * AT+CFOTA=5 wants the MD5 of the package, and the controller computes it
 * while it streams the package to the module (controller/ctl_upload.c), so a MCU
 * never needs the whole package in RAM. The controller side may not depend
 * on Mbed TLS, hence this small implementation; tests/test_mcu_md5.c checks
 * it against Mbed TLS (util/hash.h). MD5 is used here only because the
 * module's command asks for it, as a transfer check, not for security.
 *
 * RAM: struct cfota_md5 is CFOTA_MD5_RAM (88) bytes on every target;
 * cfota_md5_update uses about 100 bytes of stack.
 */
#ifndef CFOTA_MD5_H
#define CFOTA_MD5_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_MD5_RAM 88u /* sizeof(struct cfota_md5), exactly */

struct cfota_md5 {
    uint32_t h[4];
    uint32_t bytes_lo, bytes_hi;  /* message length in bytes, 64 bits */
    uint8_t block[64];
};

/* Start a new hash. */
void cfota_md5_init(struct cfota_md5 *m);
/* Hash len more bytes (data may be NULL when len is 0). */
void cfota_md5_update(struct cfota_md5 *m, const void *data, size_t len);
/* Finish and write the 16-byte digest; re-initialise m to reuse it. */
void cfota_md5_final(struct cfota_md5 *m, uint8_t out[16]);
/* The digest as 32 lower-case hex digits and a NUL, as AT+CFOTA=5 takes it. */
void cfota_md5_hex(const uint8_t digest[16], char out[33]);

#ifdef __cplusplus
}
#endif
#endif
