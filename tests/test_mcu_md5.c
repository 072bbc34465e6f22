/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_md5.c: the controller's MD5 (cfota/md5.h) gives the RFC
 * 1321 test vectors and agrees with Mbed TLS (util/hash.h) on every length
 * around the block and padding boundaries, however the input is split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/md5.h"
#include "hash.h"

static void hex_of(const void *data, size_t len, char out[33])
{
    struct cfota_md5 m;
    uint8_t d[16];
    cfota_md5_init(&m);
    cfota_md5_update(&m, data, len);
    cfota_md5_final(&m, d);
    cfota_md5_hex(d, out);
}

static void test_rfc1321_vectors(void **state)
{
    static const char *const in[] = {
        "", "a", "abc", "message digest", "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890"};
    static const char *const out[] = {
        "d41d8cd98f00b204e9800998ecf8427e", "0cc175b9c0f1b6a831c399e269772661",
        "900150983cd24fb0d6963f7d28e17f72", "f96b697d7cb7938d525a2f31aaf161d0",
        "c3fcd3d76192e4007dfb496cca67e13b", "d174ab98d277d9f5a5611c2c9f419d9f",
        "57edf4a22be3c955ac49da2e2107b67a"};
    char hex[33];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        hex_of(in[i], strlen(in[i]), hex);
        assert_string_equal(hex, out[i]);
    }
}

static void test_agrees_with_mbedtls(void **state)
{
    uint8_t *buf = malloc(70000);
    uint8_t ref[16], got[16];
    size_t len, i;
    unsigned seed = 12345;
    (void)state;
    for (i = 0; i < 70000; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
    for (len = 0; len < 70000; len = len < 200 ? len + 1 : len * 3 + 7) {
        struct cfota_md5 m;
        size_t off = 0, step = 1 + len % 97;
        host_md5(buf, len, ref);
        cfota_md5_init(&m);
        while (off < len) {  /* uneven pieces, as CFLW chunks would be */
            size_t n = len - off < step ? len - off : step;
            cfota_md5_update(&m, buf + off, n);
            off += n;
            step = step * 2 + 1;
        }
        cfota_md5_update(&m, NULL, 0);
        cfota_md5_final(&m, got);
        assert_memory_equal(got, ref, 16);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1321_vectors),
        cmocka_unit_test(test_agrees_with_mbedtls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
