/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hash.h: SHA-256 and MD5 for host code, through Mbed TLS, whole
 * buffers or streamed through a read callback; digests as hex text.
 */
#ifndef CFOTA_UTIL_HASH_H
#define CFOTA_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

void host_sha256(const void *data, size_t len, uint8_t out[32]);
void host_md5(const void *data, size_t len, uint8_t out[16]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void host_hex(const uint8_t *in, size_t n, char *out);

/* The n bytes written as exactly 2n hex digits (either case) at hex, which
 * must end there (a NUL at hex[2n]), into out. Returns 0, or -1 (out then
 * undefined) for a non-hex digit or a string of another length. */
int host_unhex(const char *hex, uint8_t *out, size_t n);

/* Reads len bytes at off into buf; 0 or a nonzero error. */
typedef int (*host_read_fn)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);

/* MD5 and SHA-256 of the first len bytes a read callback gives, read in
 * small chunks (nothing the size of len is allocated). md5 or sha256 may
 * be NULL when not wanted. Returns 0, or the callback's first error. */
int host_digest_read(host_read_fn read, void *ctx, uint32_t len, uint8_t md5[16], uint8_t sha256[32]);

#endif
