/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hash.h: SHA-256 and MD5 for host code, through Mbed TLS.
 */
#ifndef CFOTA_UTIL_HASH_H
#define CFOTA_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

void host_sha256(const void *data, size_t len, uint8_t out[32]);
void host_md5(const void *data, size_t len, uint8_t out[16]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void host_hex(const uint8_t *in, size_t n, char *out);

#endif
