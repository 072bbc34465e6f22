/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hash.c: SHA-256 and MD5 for host code, through Mbed TLS 2.28 (the
 * well-kept library of the field; the device library has its own SHA-256
 * because it may depend on nothing).
 */
#include "hash.h"

#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>

void host_sha256(const void *data, size_t len, uint8_t out[32])
{
    if (mbedtls_sha256_ret(data, len, out, 0) != 0)
        abort(); /* cannot fail for in-memory input */
}

void host_md5(const void *data, size_t len, uint8_t out[16])
{
    if (mbedtls_md5_ret(data, len, out) != 0)
        abort();
}

void host_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int host_unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[2 * n] == 0 ? 0 : -1;
}

int host_digest_read(host_read_fn read, void *ctx, uint32_t len, uint8_t md5[16], uint8_t sha256[32])
{
    mbedtls_md5_context m;
    mbedtls_sha256_context s;
    uint8_t chunk[4096];
    uint32_t off;
    int rc = 0;

    mbedtls_md5_init(&m);
    mbedtls_sha256_init(&s);
    if (mbedtls_md5_starts_ret(&m) != 0 || mbedtls_sha256_starts_ret(&s, 0) != 0)
        abort();
    for (off = 0; off < len && rc == 0; off += sizeof chunk) {
        uint32_t n = len - off < sizeof chunk ? len - off : (uint32_t)sizeof chunk;
        rc = read(ctx, off, chunk, n);
        if (rc == 0 && ((md5 && mbedtls_md5_update_ret(&m, chunk, n) != 0) ||
                        (sha256 && mbedtls_sha256_update_ret(&s, chunk, n) != 0)))
            abort(); /* cannot fail for in-memory input */
    }
    if (rc == 0 && ((md5 && mbedtls_md5_finish_ret(&m, md5) != 0) ||
                    (sha256 && mbedtls_sha256_finish_ret(&s, sha256) != 0)))
        abort();
    mbedtls_md5_free(&m);
    mbedtls_sha256_free(&s);
    return rc;
}
