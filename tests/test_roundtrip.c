/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_roundtrip.c: what the encoder makes, the device decoder
 * turns back into exactly the new image.
 *
 * Every case goes through cfota_encode and then cfota_apply_mem, which
 * applies the package the way a device does (header, payload CRC, base
 * SHA-256, streaming decode, target SHA-256), and the result is compared
 * byte for byte with the new image. The header is checked too: sizes,
 * hashes, flags and version strings must describe the images. Cases: the
 * edges (empty old, empty new, both, identical, unrelated, one byte,
 * sizes on segment boundaries), a 4 MiB image with blocks inserted and
 * deleted and bytes changed here and there, full-image and in-place
 * packages, releases of the example firmware (and, in the corpus tier, the
 * fast corpus pairs) in both directions, and the same package fed in
 * chunks of 1, 7, 64 and 1000 bytes.
 *
 * Package sizes depend on the models, which are still being tuned, so no
 * exact size is asserted; only bounds that any delta coder worth the name
 * meets (an identical image costs a few bytes per segment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apply.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "encoder.h"
#include "hash.h"
#include "support.h"

static const char *const fast_pairs[] = {
    "k64f-blinky-old-new",
    "rpi3-shell-1-2",
    "sam3x-synthesizer-1-2",
    "microbit-v2-micropython-2.1.1-2.1.2",
};
#define NPAIRS (sizeof fast_pairs / sizeof fast_pairs[0])

/* ---- helpers ---- */

/* Bytes that look a little like firmware: runs of random words, repeated
 * short patterns and erased (0xFF) stretches, so matching has work. */
static uint8_t *synth_image(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    size_t i = 0;
    assert_non_null(p);
    while (i < n) {
        size_t run = 16 + test_rand(&seed) % 512, k;
        unsigned kind = test_rand(&seed) % 4;
        if (run > n - i)
            run = n - i;
        for (k = 0; k < run; k++) {
            if (kind == 0)
                p[i + k] = 0xFF;
            else if (kind == 1)
                p[i + k] = (uint8_t)(0x40 + k % 8);
            else
                p[i + k] = (uint8_t)test_rand(&seed);
        }
        i += run;
    }
    return p;
}

static uint8_t *random_bytes(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    size_t i;
    assert_non_null(p);
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)test_rand(&seed);
    return p;
}

/* Encode, parse the header and check that it describes the images. */
static void encode_checked(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                           const struct cfota_encode_opts *opts, struct bytes *pkg, struct cfota_header *h)
{
    uint8_t sha[32];
    struct cfota_encode_opts none;
    memset(&none, 0, sizeof none);
    if (!opts)
        opts = &none;
    pkg->n = 0;
    assert_int_equal(cfota_encode(old, old_len, new_, new_len, opts, pkg), 0);
    assert_int_equal(cfota_header_parse(h, pkg->p, pkg->n), CFOTA_OK);
    assert_int_equal((uint64_t)h->header_size + h->payload_size + h->sig_size, pkg->n);
    assert_int_equal(h->target_size, new_len);
    host_sha256(new_, new_len, sha);
    assert_memory_equal(h->target_sha256, sha, 32);
    if (opts->no_base) {
        assert_true(h->flags & CFOTA_FLAG_NO_BASE);
        assert_int_equal(h->base_size, 0);
    } else {
        assert_false(h->flags & CFOTA_FLAG_NO_BASE);
        assert_int_equal(h->base_size, old_len);
        host_sha256(old, old_len, sha);
        assert_memory_equal(h->base_sha256, sha, 32);
    }
    if (opts->in_place) {
        assert_true(h->flags & CFOTA_FLAG_IN_PLACE);
        assert_true(h->scratch_size >= h->segment_size);
    } else {
        assert_false(h->flags & CFOTA_FLAG_IN_PLACE);
    }
    assert_string_equal(h->base_version, opts->base_version ? opts->base_version : "");
    assert_string_equal(h->target_version, opts->target_version ? opts->target_version : "");
}

/* Apply pkg to old through the device path and compare with new_. */
static void apply_checked(const uint8_t *old, size_t old_len, const struct bytes *pkg, const uint8_t *new_,
                          size_t new_len, size_t chunk)
{
    struct bytes out = {0};
    char err[256] = "";
    int rc = cfota_apply_mem(old, old_len, pkg->p, pkg->n, &out, chunk, err, sizeof err);
    if (rc != CFOTA_OK)
        fail_msg("apply failed (%d, chunk %zu): %s", rc, chunk, err);
    assert_int_equal(out.n, new_len);
    if (new_len)
        assert_memory_equal(out.p, new_, new_len);
    bytes_free(&out);
}

/* Encode with opts (NULL: defaults), apply whole, compare. Returns the
 * package size. */
static size_t roundtrip(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                        const struct cfota_encode_opts *opts)
{
    struct bytes pkg = {0};
    struct cfota_header h;
    size_t n;
    encode_checked(old, old_len, new_, new_len, opts, &pkg, &h);
    apply_checked(old, old_len, &pkg, new_, new_len, 0);
    n = pkg.n;
    bytes_free(&pkg);
    return n;
}

/* ---- edge cases ---- */

static void test_empty_images(void **state)
{
    uint8_t *img = synth_image(10000, 1);
    size_t n;
    (void)state;
    roundtrip(NULL, 0, img, 10000, NULL);        /* empty old */
    n = roundtrip(img, 10000, NULL, 0, NULL);    /* empty new */
    assert_true(n <= CFOTA_HEADER_MAX + 16);     /* nothing to code */
    n = roundtrip(NULL, 0, NULL, 0, NULL);       /* both empty */
    assert_true(n <= CFOTA_HEADER_MAX + 16);
    roundtrip(img, 0, img, 1, NULL);
    roundtrip(img, 1, img, 0, NULL);
    free(img);
}

static void test_one_byte_images(void **state)
{
    static const uint8_t a[1] = {0x42}, b[1] = {0xBD}, z[1] = {0};
    (void)state;
    roundtrip(a, 1, a, 1, NULL);
    roundtrip(a, 1, b, 1, NULL);
    roundtrip(b, 1, z, 1, NULL);
    roundtrip(z, 1, b, 1, NULL);
}

static void test_identical_images(void **state)
{
    struct bytes old = {0};
    uint8_t *big = synth_image(1u << 20, 2);
    size_t n;
    (void)state;
    image_load(M4APP_V1, &old);
    n = roundtrip(old.p, old.n, old.p, old.n, NULL);
    /* One segment of 8 KB that is a single copy. */
    assert_true(n < CFOTA_HEADER_MAX + 64);
    n = roundtrip(big, 1u << 20, big, 1u << 20, NULL);
    assert_true(n < CFOTA_HEADER_MAX + 16 * 64); /* 16 segments */
    bytes_free(&old);
    free(big);
}

static void test_unrelated_images(void **state)
{
    uint8_t *a = random_bytes(70000, 3), *b = random_bytes(50000, 4);
    uint8_t *c = synth_image(30000, 5);
    (void)state;
    roundtrip(a, 70000, b, 50000, NULL);
    roundtrip(b, 50000, a, 70000, NULL);
    roundtrip(c, 30000, a, 70000, NULL);
    roundtrip(a, 70000, c, 30000, NULL);
    free(a);
    free(b);
    free(c);
}

/* Target sizes around the 4 KiB segment edges and at the 64 KiB default. */
static void test_segment_boundaries(void **state)
{
    static const size_t sizes[] = {4095, 4096, 4097, 8191, 8192, 65535, 65536, 65537};
    uint8_t *old = synth_image(70000, 6), *new_ = malloc(70000);
    struct cfota_encode_opts o;
    unsigned i;
    (void)state;
    assert_non_null(new_);
    memcpy(new_, old + 100, 69900);
    memset(new_ + 69900, 0x11, 100);
    for (i = 0; i < 1000; i++)
        new_[(i * 7919u) % 70000] ^= 0x5A;
    memset(&o, 0, sizeof o);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        o.segment_size = 4096;
        roundtrip(old, 70000, new_, sizes[i], &o);
        o.segment_size = 0;
        roundtrip(old, 70000, new_, sizes[i], &o);
    }
    free(old);
    free(new_);
}

/* A 4 MiB image against its next version: blocks deleted, blocks of new
 * code inserted, a thousand scattered byte changes (as when addresses
 * move). */
static void test_4mib_with_edits(void **state)
{
    const size_t n = 4u << 20;
    uint8_t *old = synth_image(n, 7), *new_ = malloc(n + 65536);
    uint64_t seed = 8;
    size_t in = 0, out = 0, added = 0, pkg;
    unsigned i;
    (void)state;
    assert_non_null(new_);
    while (in < n) {
        size_t keep = 20000 + test_rand(&seed) % 200000, k;
        unsigned what = test_rand(&seed) % 3;
        if (keep > n - in)
            keep = n - in;
        memcpy(new_ + out, old + in, keep);
        in += keep;
        out += keep;
        if (what == 0 && in < n) {
            in += 1 + test_rand(&seed) % 3000; /* delete */
            if (in > n)
                in = n;
        } else if (what == 1 && added + 3000 <= 65536) {
            size_t add = 1 + test_rand(&seed) % 3000; /* insert */
            added += add; /* bounded by the room past n in new_ */
            for (k = 0; k < add; k++)
                new_[out++] = (uint8_t)test_rand(&seed);
        }
    }
    for (i = 0; i < 1000; i++)
        new_[test_rand(&seed) % out] ^= (uint8_t)(1 + test_rand(&seed) % 255);
    pkg = roundtrip(old, n, new_, out, NULL);
    print_message("4 MiB image: %zu -> %zu bytes, package %zu bytes\n", n, out, pkg);
    /* Most of the image is copied: far below the image's size. */
    assert_true(pkg < out / 4);
    free(old);
    free(new_);
}

/* ---- package kinds and options ---- */

static void test_full_image_packages(void **state)
{
    struct bytes old = {0}, new_ = {0}, pkg = {0}, out = {0};
    struct cfota_encode_opts o;
    struct cfota_header h;
    uint8_t *junk = random_bytes(1000, 9);
    char err[256];
    (void)state;
    image_load(M4APP_V1, &old);
    image_load(M4APP_V2, &new_);
    memset(&o, 0, sizeof o);
    o.no_base = 1;
    encode_checked(old.p, old.n, new_.p, new_.n, &o, &pkg, &h);
    apply_checked(old.p, old.n, &pkg, new_.p, new_.n, 0);
    /* The base is not read: any image, or none, will do. */
    apply_checked(junk, 1000, &pkg, new_.p, new_.n, 0);
    apply_checked(NULL, 0, &pkg, new_.p, new_.n, 333);
    /* Made without an old image at all. */
    encode_checked(NULL, 0, new_.p, new_.n, &o, &pkg, &h);
    apply_checked(junk, 1000, &pkg, new_.p, new_.n, 0);
    /* A full image of an empty target. */
    encode_checked(NULL, 0, NULL, 0, &o, &pkg, &h);
    assert_int_equal(cfota_apply_mem(junk, 10, pkg.p, pkg.n, &out, 0, err, sizeof err), CFOTA_OK);
    assert_int_equal(out.n, 0);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
    bytes_free(&out);
    free(junk);
}

static void test_in_place_packages(void **state)
{
    struct bytes old = {0}, new_ = {0};
    struct cfota_encode_opts o;
    uint8_t *a = synth_image(200000, 10), *b = malloc(200000);
    (void)state;
    assert_non_null(b);
    /* New code shifted down and up: in place, copies would read bytes
     * that earlier segments already overwrote. */
    memcpy(b, a + 5000, 100000);
    memcpy(b + 100000, a + 90000, 100000);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    roundtrip(a, 200000, b, 200000, &o);
    roundtrip(b, 200000, a, 200000, &o);
    o.scratch_size = 8192;
    roundtrip(a, 200000, b, 150000, &o);
    image_load(M4APP_V2, &old);
    image_load(M4APP_V3, &new_);
    o.scratch_size = 0;
    roundtrip(old.p, old.n, new_.p, new_.n, &o);
    o.no_base = 1;
    roundtrip(old.p, old.n, new_.p, new_.n, &o);
    bytes_free(&old);
    bytes_free(&new_);
    free(a);
    free(b);
}

/* Corpus tier: in place on a bigger real pair. */
static void test_in_place_corpus(void **state)
{
    struct bytes old = {0}, new_ = {0};
    struct cfota_encode_opts o;
    (void)state;
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    corpus_load("sam3x-synthesizer-1-2", "old.bin", &old);
    corpus_load("sam3x-synthesizer-1-2", "new.bin", &new_);
    roundtrip(old.p, old.n, new_.p, new_.n, &o);
    o.no_base = 1;
    roundtrip(old.p, old.n, new_.p, new_.n, &o);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_versions_in_header(void **state)
{
    struct cfota_encode_opts o;
    uint8_t *a = synth_image(5000, 11), *b = synth_image(5000, 12);
    struct bytes pkg = {0};
    static const char v32[] = "0123456789abcdefghijklmnopqrstuv";
    static const char v33[] = "0123456789abcdefghijklmnopqrstuvw";
    (void)state;
    memset(&o, 0, sizeof o);
    o.base_version = "1752B04SIM7020C";
    o.target_version = "1752B05SIM7020C";
    roundtrip(a, 5000, b, 5000, &o); /* encode_checked compares the strings */
    o.base_version = v32;
    o.target_version = "";
    roundtrip(a, 5000, b, 5000, &o);
    o.base_version = NULL;
    o.target_version = v32;
    roundtrip(a, 5000, b, 5000, &o);
    o.target_version = " ~!";
    roundtrip(a, 5000, b, 5000, &o);
    /* Refused: too long, not printable. Nothing is appended then. */
    o.target_version = v33;
    assert_int_equal(cfota_encode(a, 5000, b, 5000, &o, &pkg), CFOTA_E_INVAL);
    o.target_version = NULL;
    o.base_version = v33;
    assert_int_equal(cfota_encode(a, 5000, b, 5000, &o, &pkg), CFOTA_E_INVAL);
    o.base_version = "bad\nversion";
    assert_int_equal(cfota_encode(a, 5000, b, 5000, &o, &pkg), CFOTA_E_INVAL);
    o.base_version = "\x7f";
    assert_int_equal(cfota_encode(a, 5000, b, 5000, &o, &pkg), CFOTA_E_INVAL);
    assert_int_equal(pkg.n, 0);
    bytes_free(&pkg);
    free(a);
    free(b);
}

static void test_bad_segment_sizes_refused(void **state)
{
    static const uint32_t bad[] = {1, 4095, 6000, 65536 + 4096, 1u << 20};
    struct cfota_encode_opts o;
    uint8_t *a = synth_image(5000, 13);
    struct bytes pkg = {0};
    unsigned i;
    (void)state;
    memset(&o, 0, sizeof o);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.segment_size = bad[i];
        assert_int_equal(cfota_encode(a, 5000, a, 5000, &o, &pkg), CFOTA_E_INVAL);
    }
    assert_int_equal(pkg.n, 0);
    o.segment_size = 65536;
    roundtrip(a, 5000, a, 4000, &o);
    bytes_free(&pkg);
    free(a);
}

/* ---- related firmware ---- */

/* old -> new and back; a delta of related firmware is much smaller than
 * the image. */
static void both_ways(const char *name, const struct bytes *old, const struct bytes *new_)
{
    size_t fwd = roundtrip(old->p, old->n, new_->p, new_->n, NULL);
    size_t back = roundtrip(new_->p, new_->n, old->p, old->n, NULL);
    print_message("%-40s %8zu -> %8zu: package %7zu, reverse %7zu\n", name, old->n, new_->n, fwd, back);
    assert_true(fwd < new_->n / 2);
    assert_true(back < old->n / 2);
}

/* The package's bytes arrive in chunks of any size: same image. */
static void chunked(const struct bytes *old, const struct bytes *new_)
{
    static const size_t chunks[] = {1, 7, 64, 1000, 0};
    struct bytes pkg = {0};
    struct cfota_header h;
    unsigned c;
    encode_checked(old->p, old->n, new_->p, new_->n, NULL, &pkg, &h);
    for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
        apply_checked(old->p, old->n, &pkg, new_->p, new_->n, chunks[c]);
    bytes_free(&pkg);
}

/* The example firmware's releases 1 -> 2 and 2 -> 3. */
static void test_example_releases(void **state)
{
    static const char *const releases[] = {M4APP_V1, M4APP_V2, M4APP_V3};
    unsigned i;
    (void)state;
    for (i = 0; i + 1 < 3; i++) {
        struct bytes old = {0}, new_ = {0};
        image_load(releases[i], &old);
        image_load(releases[i + 1], &new_);
        both_ways(releases[i + 1], &old, &new_);
        chunked(&old, &new_);
        bytes_free(&old);
        bytes_free(&new_);
    }
}

static void test_corpus_pairs(void **state)
{
    unsigned i;
    (void)state;
    for (i = 0; i < NPAIRS; i++) {
        struct bytes old = {0}, new_ = {0};
        corpus_load(fast_pairs[i], "old.bin", &old);
        corpus_load(fast_pairs[i], "new.bin", &new_);
        both_ways(fast_pairs[i], &old, &new_);
        chunked(&old, &new_);
        bytes_free(&old);
        bytes_free(&new_);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_images),
        cmocka_unit_test(test_one_byte_images),
        cmocka_unit_test(test_identical_images),
        cmocka_unit_test(test_unrelated_images),
        cmocka_unit_test(test_segment_boundaries),
        cmocka_unit_test(test_4mib_with_edits),
        cmocka_unit_test(test_full_image_packages),
        cmocka_unit_test(test_in_place_packages),
        cmocka_unit_test(test_versions_in_header),
        cmocka_unit_test(test_bad_segment_sizes_refused),
        cmocka_unit_test(test_example_releases),
    };
    const struct CMUnitTest corpus_tests[] = {
        cmocka_unit_test(test_in_place_corpus),
        cmocka_unit_test(test_corpus_pairs),
    };
    return TEST_TIERS(argc, argv, tests, corpus_tests);
}
