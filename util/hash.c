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
