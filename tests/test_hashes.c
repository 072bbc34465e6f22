/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_hashes.c: the device library's own SHA-256 and CRC-32.
 *
 * The device decides from these two functions whether a package is intact
 * and whether the image it built is the one promised, so they are held to
 * published vectors (FIPS 180-4 examples, the CRC-32 check value) and,
 * for SHA-256, to Mbed TLS (util/hash.c) on thousands of random inputs fed
 * in every kind of chunking: whole, byte by byte, across the 55/56/64-byte
 * padding boundaries, and in random pieces. The CRC-32 is compared with an
 * independent table-driven implementation written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfota/crc32.h"
#include "cfota/sha256.h"
#include "hash.h"
#include "support.h"

/* ---- helpers ---- */

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned v;
        char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
        v = (unsigned)strtoul(pair, NULL, 16);
        out[i] = (uint8_t)v;
    }
}

/* SHA-256 of data with the device library, fed in pieces of the given
 * sizes (cycled); sizes NULL means one update with everything. */
static void lib_sha256(const uint8_t *data, size_t len, const size_t *sizes, size_t nsizes, uint8_t out[32])
{
    struct cfota_sha256 s;
    size_t off = 0, k = 0;
    cfota_sha256_init(&s);
    if (!sizes) {
        cfota_sha256_update(&s, data, len);
    } else {
        while (off < len) {
            size_t n = sizes[k++ % nsizes];
            if (n > len - off)
                n = len - off;
            cfota_sha256_update(&s, data + off, n);
            off += n;
        }
    }
    cfota_sha256_final(&s, out);
}

static void check_vector(const char *msg, size_t len, const char *hex)
{
    uint8_t want[32], got[32];
    static const size_t ones[] = {1};
    hex_to_bytes(hex, want, 32);
    lib_sha256((const uint8_t *)msg, len, NULL, 0, got);
    assert_memory_equal(got, want, 32);
    lib_sha256((const uint8_t *)msg, len, ones, 1, got);
    assert_memory_equal(got, want, 32);
    host_sha256(msg, len, got);
    assert_memory_equal(got, want, 32);
}

/* ---- SHA-256 ---- */

static void test_sha256_fips_vectors(void **state)
{
    static const char v56[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char v112[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    (void)state;
    check_vector("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 56 bytes: the length no longer fits in the first block's padding. */
    assert_int_equal(strlen(v56), 56);
    check_vector(v56, 56, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_int_equal(strlen(v112), 112);
    check_vector(v112, 112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a(void **state)
{
    uint8_t *a = malloc(1000000), want[32], got[32];
    static const size_t pieces[] = {1, 63, 64, 65, 4096, 55};
    (void)state;
    assert_non_null(a);
    memset(a, 'a', 1000000);
    hex_to_bytes("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", want, 32);
    lib_sha256(a, 1000000, NULL, 0, got);
    assert_memory_equal(got, want, 32);
    lib_sha256(a, 1000000, pieces, 6, got);
    assert_memory_equal(got, want, 32);
    free(a);
}

/* Every length from 0 to 200 covers the padding cases (55, 56, 63, 64,
 * 119, 120, 128 bytes...); each is fed whole, bytewise, and in pieces
 * that straddle block edges. */
static void test_sha256_block_boundaries(void **state)
{
    uint8_t data[200], want[32], got[32];
    static const size_t a[] = {55, 1, 8}, b[] = {64}, c[] = {63, 2}, d[] = {1};
    uint64_t seed = 11;
    size_t len, i;
    (void)state;
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)test_rand(&seed);
    for (len = 0; len <= sizeof data; len++) {
        host_sha256(data, len, want);
        lib_sha256(data, len, NULL, 0, got);
        assert_memory_equal(got, want, 32);
        lib_sha256(data, len, a, 3, got);
        assert_memory_equal(got, want, 32);
        lib_sha256(data, len, b, 1, got);
        assert_memory_equal(got, want, 32);
        lib_sha256(data, len, c, 2, got);
        assert_memory_equal(got, want, 32);
        lib_sha256(data, len, d, 1, got);
        assert_memory_equal(got, want, 32);
    }
}

static void test_sha256_random_against_mbedtls(void **state)
{
    enum { MAXLEN = 5000, ROUNDS = 400 };
    uint8_t *data = malloc(MAXLEN), want[32], got[32];
    uint64_t seed = 0x5EED5EEDull;
    unsigned r;
    (void)state;
    assert_non_null(data);
    for (r = 0; r < ROUNDS; r++) {
        size_t len = test_rand(&seed) % (MAXLEN + 1), i, sizes[5];
        for (i = 0; i < len; i++)
            data[i] = (uint8_t)test_rand(&seed);
        for (i = 0; i < 5; i++)
            sizes[i] = 1 + test_rand(&seed) % 300;
        host_sha256(data, len, want);
        lib_sha256(data, len, NULL, 0, got);
        assert_memory_equal(got, want, 32);
        lib_sha256(data, len, sizes, 5, got);
        assert_memory_equal(got, want, 32);
    }
    free(data);
}

/* Zero-length updates anywhere (NULL data allowed) change nothing. */
static void test_sha256_empty_updates(void **state)
{
    struct cfota_sha256 s;
    uint8_t want[32], got[32];
    (void)state;
    host_sha256("abc", 3, want);
    cfota_sha256_init(&s);
    cfota_sha256_update(&s, NULL, 0);
    cfota_sha256_update(&s, "a", 1);
    cfota_sha256_update(&s, NULL, 0);
    cfota_sha256_update(&s, "bc", 2);
    cfota_sha256_update(&s, "xyz", 0);
    cfota_sha256_final(&s, got);
    assert_memory_equal(got, want, 32);
}

/* ---- CRC-32 ---- */

/* An independent reference: the usual 256-entry table. */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    if (!table[1]) {
        unsigned k, b;
        for (k = 0; k < 256; k++) {
            uint32_t v = k;
            for (b = 0; b < 8; b++)
                v = v & 1u ? 0xEDB88320u ^ (v >> 1) : v >> 1;
            table[k] = v;
        }
    }
    for (i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void test_crc32_check_value(void **state)
{
    (void)state;
    assert_int_equal(cfota_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(cfota_crc32(0, "", 0), 0);
    /* Continuing over split input gives the same value. */
    assert_int_equal(cfota_crc32(cfota_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    assert_int_equal(cfota_crc32(cfota_crc32(0, "123456789", 9), "", 0), 0xCBF43926u);
    /* The famous sentence, as zlib computes it. */
    assert_int_equal(cfota_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void test_crc32_random_against_table(void **state)
{
    uint8_t data[3000];
    uint64_t seed = 99;
    unsigned r;
    (void)state;
    for (r = 0; r < 200; r++) {
        size_t len = test_rand(&seed) % (sizeof data + 1), i, cut;
        for (i = 0; i < len; i++)
            data[i] = (uint8_t)test_rand(&seed);
        cut = len ? test_rand(&seed) % len : 0;
        assert_int_equal(cfota_crc32(0, data, len), ref_crc32(data, len));
        assert_int_equal(cfota_crc32(cfota_crc32(0, data, cut), data + cut, len - cut), ref_crc32(data, len));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_fips_vectors),
        cmocka_unit_test(test_sha256_million_a),
        cmocka_unit_test(test_sha256_block_boundaries),
        cmocka_unit_test(test_sha256_random_against_mbedtls),
        cmocka_unit_test(test_sha256_empty_updates),
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_crc32_random_against_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
