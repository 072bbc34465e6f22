/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_decoder_corrupt.c: damaged packages never hurt the device.
 *
 * A package crosses a radio link and sits in flash; bits flip, downloads
 * stop short, people send the wrong file. The promise (issue 3, item 7):
 * any such package is refused with a clear error or yields an image the
 * target SHA-256 rejects, and the decoder never reads or writes outside
 * its images or its own state. This file holds the library to it:
 *
 *   (a) every single bit of a small package's payload is flipped in turn
 *       and the decoder is driven directly (so the payload CRC, which
 *       would catch the flip first, does not hide the decoder's own
 *       behaviour): the result is an error, or an image whose SHA-256
 *       differs (cfota_verify_target says CFOTA_E_HASH), or, rarely, the
 *       correct image; the callbacks (dec_rig.h) refuse and count any
 *       access outside the base or the target;
 *   (b) the payload is cut short, or the header (re-sealed) claims a
 *       shorter or longer payload: the decoder never reports DONE with a
 *       wrong image, and a prefix of a good payload never reports DONE;
 *   (c) through cfota_apply_mem, the whole device path: every single-bit
 *       flip anywhere in the package and every truncation is refused with
 *       an error, never a silent wrong image;
 *   (d) a package applied to another base is refused with
 *       CFOTA_E_WRONG_BASE before a single byte is written.
 *
 * CI runs this under AddressSanitizer and UBSan as well; the package is
 * kept to a few kilobytes so that the exhaustive flips stay well under a
 * minute there.
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
#include "cfota/crc32.h"
#include "cfota/decoder.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/verify.h"
#include "dec_rig.h"
#include "encoder.h"
#include "support.h"

/* A synthetic pair whose package is a few KB: an image of firmware-like
 * bytes (24 KiB unless said otherwise) and its next version with
 * scattered edits, a block moved and a block of new bytes. */
#define IMAGE 24576u

struct fixture {
    uint8_t *old, *new_; /* exactly-sized allocations: ASan sees overruns */
    size_t old_len, new_len;
    struct bytes pkg;
    struct cfota_header h;
};

static void make_images(struct fixture *f, uint64_t seed, size_t size)
{
    size_t i;
    f->old_len = size;
    f->new_len = size + 1000;
    f->old = malloc(f->old_len);
    f->new_ = malloc(f->new_len);
    assert_non_null(f->old);
    assert_non_null(f->new_);
    for (i = 0; i < f->old_len; i++)
        f->old[i] = (uint8_t)(i % 64 < 24 ? test_rand(&seed) : (i % 64 < 40 ? 0xFF : i >> 6));
    memcpy(f->new_, f->old, 8000);
    for (i = 8000; i < 9000; i++)
        f->new_[i] = (uint8_t)test_rand(&seed);           /* new code */
    memcpy(f->new_ + 9000, f->old + 12000, f->old_len - 12000); /* moved */
    memcpy(f->new_ + 9000 + f->old_len - 12000, f->old + 8000, f->new_len - (9000 + f->old_len - 12000));
    for (i = 0; i < size / 120; i++)
        f->new_[test_rand(&seed) % f->new_len] ^= (uint8_t)(1 + test_rand(&seed) % 255);
}

static void fixture_encode(struct fixture *f, uint32_t segment_size, int in_place, int no_base)
{
    struct cfota_encode_opts o;
    memset(&o, 0, sizeof o);
    o.segment_size = segment_size;
    o.in_place = in_place;
    o.no_base = no_base;
    o.base_version = "1.0";
    o.target_version = "1.1";
    if (in_place)
        o.scratch_size = segment_size;
    f->pkg.n = 0;
    assert_int_equal(cfota_encode(f->old, f->old_len, f->new_, f->new_len, &o, &f->pkg), 0);
    assert_int_equal(cfota_header_parse(&f->h, f->pkg.p, f->pkg.n), CFOTA_OK);
}

static void fixture_free(struct fixture *f)
{
    free(f->old);
    free(f->new_);
    bytes_free(&f->pkg);
}

/* cfota_verify_target reads the image through this. */
static int read_rig_out(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct dec_rig *r = ctx;
    if ((uint64_t)off + len > r->target_len)
        return -1;
    memcpy(buf, r->out + off, len);
    return 0;
}

/* What a damaged payload led to. */
struct tally {
    unsigned errors, hash_caught, correct;
    unsigned long unwritten_reads; /* ordered packages only, see dec_rig.h */
    unsigned by_code[16];
};

/* Decode pkg (its header already parsed into h) directly, payload CRC
 * unchecked, and classify the outcome. Fails the test on any bound
 * violation or on DONE with an image the target hash would accept but
 * that is not the target. */
static void decode_damaged(const struct fixture *f, const struct cfota_header *h, const uint8_t *pkg, size_t pkg_len,
                           size_t chunk, struct tally *t)
{
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    size_t pos = h->header_size, end = (size_t)h->header_size + h->payload_size;
    unsigned ncp = 0;
    int rc;
    assert_non_null(d);
    if (end > pkg_len)
        end = pkg_len;
    rig_open(&r, h, f->old, f->old_len, pkg, pkg_len);
    assert_non_null(r.out);
    r.allow_unwritten = (h->flags & CFOTA_FLAG_ORDERED) != 0;
    io = rig_io(&r);
    rc = cfota_dec_init(d, h, &io);
    assert_int_equal(rc, CFOTA_OK);
    rc = rig_feed(d, pkg, &pos, end, chunk, NULL, NULL, &ncp);
    assert_int_equal(r.violations, 0);
    t->unwritten_reads += r.unwritten_reads;
    assert_true(pos <= end);
    if (rc == CFOTA_DONE) {
        int same = h->target_size == f->new_len && memcmp(r.out, f->new_, f->new_len) == 0;
        int v = cfota_verify_target(h, read_rig_out, &r);
        if (same) {
            assert_int_equal(v, CFOTA_OK);
            t->correct++;
        } else {
            assert_int_equal(v, CFOTA_E_HASH);
            t->hash_caught++;
        }
    } else {
        /* Input ran out (MORE) only if the payload was cut short. */
        assert_true(rc < 0 || (rc == CFOTA_MORE && end < (size_t)h->header_size + h->payload_size));
        if (rc < 0) {
            size_t used = 7;
            assert_true(rc == CFOTA_E_CORRUPT || rc == CFOTA_E_TRUNCATED);
            /* Errors are sticky. */
            assert_int_equal(cfota_dec_sink(d, pkg + h->header_size, 1, &used), rc);
            t->by_code[-rc & 15]++;
        }
        t->errors++;
    }
    rig_close(&r);
    free(d);
}

/* ---- (a) every bit of the payload ---- */

static void flip_every_payload_bit(struct fixture *f, const char *what)
{
    struct tally t;
    uint8_t *pkg = malloc(f->pkg.n);
    size_t bit, first = (size_t)f->h.header_size * 8, last = ((size_t)f->h.header_size + f->h.payload_size) * 8;
    assert_non_null(pkg);
    memset(&t, 0, sizeof t);
    memcpy(pkg, f->pkg.p, f->pkg.n);
    /* The undamaged package decodes right through the same path. */
    decode_damaged(f, &f->h, pkg, f->pkg.n, 0, &t);
    assert_int_equal(t.correct, 1);
    memset(&t, 0, sizeof t);
    for (bit = first; bit < last; bit++) {
        pkg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        decode_damaged(f, &f->h, pkg, f->pkg.n, bit % 3 ? 0 : 1 + bit % 200, &t);
        pkg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    print_message("%s: %u-byte payload, %zu flips: %u errors (%u corrupt, %u truncated), %u caught by the target "
                  "hash, %u harmless\n",
                  what, f->h.payload_size, last - first, t.errors, t.by_code[-CFOTA_E_CORRUPT],
                  t.by_code[-CFOTA_E_TRUNCATED], t.hash_caught, t.correct);
    if (t.unwritten_reads)
        print_message("  (%lu reads of target bytes not yet written, inside the target)\n", t.unwritten_reads);
    assert_int_equal(t.errors + t.hash_caught + t.correct, last - first);
    free(pkg);
}

static void test_every_payload_bit_flip(void **state)
{
    struct fixture f;
    (void)state;
    memset(&f, 0, sizeof f);
    make_images(&f, 1, IMAGE);
    fixture_encode(&f, 4096, 0, 0);
    assert_true(f.h.payload_size > 500 && f.h.payload_size < 8000);
    flip_every_payload_bit(&f, "delta, 4 KiB segments");
    fixture_free(&f);
}

static void test_every_payload_bit_flip_in_place(void **state)
{
    struct fixture f;
    (void)state;
    memset(&f, 0, sizeof f);
    make_images(&f, 2, 16384); /* in place costs more bytes: smaller */
    fixture_encode(&f, 8192, 1, 0);
    assert_true(f.h.flags & CFOTA_FLAG_ORDERED); /* segment indices coded */
    flip_every_payload_bit(&f, "in place, ordered");
    fixture_free(&f);
}

/* A full-image package: no base to read, so a damaged one must not try
 * (rig_read_old counts a violation if the base pointer is used). */
static void test_every_payload_bit_flip_no_base(void **state)
{
    struct fixture f;
    uint8_t *keep;
    (void)state;
    memset(&f, 0, sizeof f);
    make_images(&f, 3, IMAGE);
    f.new_len = 3000; /* full images are bigger: keep the flips few */
    fixture_encode(&f, 4096, 0, 1);
    keep = f.old;
    f.old = NULL; /* any read of the base is now a violation */
    f.old_len = 0;
    flip_every_payload_bit(&f, "full image");
    f.old = keep;
    fixture_free(&f);
}

/* ---- (b) truncation ---- */

/* Re-seal a header after changing its payload size. */
static void set_payload_size(uint8_t *pkg, const struct cfota_header *h, uint32_t size)
{
    uint32_t c;
    pkg[20] = (uint8_t)size;
    pkg[21] = (uint8_t)(size >> 8);
    pkg[22] = (uint8_t)(size >> 16);
    pkg[23] = (uint8_t)(size >> 24);
    c = cfota_crc32(0, pkg, h->header_size - 4u);
    pkg[h->header_size - 4] = (uint8_t)c;
    pkg[h->header_size - 3] = (uint8_t)(c >> 8);
    pkg[h->header_size - 2] = (uint8_t)(c >> 16);
    pkg[h->header_size - 1] = (uint8_t)(c >> 24);
}

static void test_truncated_payloads(void **state)
{
    struct fixture f;
    struct tally t;
    uint64_t seed = 77;
    unsigned i;
    (void)state;
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    make_images(&f, 4, IMAGE);
    fixture_encode(&f, 4096, 0, 0);

    /* Every prefix of the payload, the header honest: the decoder waits
     * for more (or sees damage), never DONE. */
    for (i = 0; i < f.h.payload_size; i++) {
        size_t len = (size_t)f.h.header_size + i;
        struct tally before = t;
        decode_damaged(&f, &f.h, f.pkg.p, len, i % 2 ? 0 : 1 + i % 61, &t);
        assert_int_equal(t.correct, before.correct);
        assert_int_equal(t.hash_caught, before.hash_caught);
    }
    /* The header re-sealed to claim a shorter payload: the payload "ends"
     * early, at random points. Never a right image. Rarely the stream's
     * end still falls where the decoder stops (it reads up to 4 bytes
     * past the end as zeros, and a long copy of unchanged bytes costs a
     * fraction of a bit a byte, so the rest of the target may "decode"
     * from a few bytes): then the bytes are wrong and the target hash,
     * which every caller checks, catches them. (A device never gets this
     * far: the payload CRC-32 refuses such a package first.) */
    for (i = 0; i < 600; i++) {
        uint8_t *pkg = malloc(f.pkg.n);
        struct cfota_header h;
        uint32_t claim = test_rand(&seed) % f.h.payload_size;
        assert_non_null(pkg);
        memcpy(pkg, f.pkg.p, f.pkg.n);
        set_payload_size(pkg, &f.h, claim);
        assert_int_equal(cfota_header_parse(&h, pkg, f.pkg.n), CFOTA_OK);
        decode_damaged(&f, &h, pkg, (size_t)h.header_size + claim, i % 2 ? 0 : 1 + i % 97, &t);
        free(pkg);
    }
    print_message("short claims: %u reached DONE with wrong bytes, caught by the target hash\n",
                  t.hash_caught);
    assert_int_equal(t.correct, 0);
    /* Or a longer one, padded with zeros or random bytes. Up to 4 bytes
     * more are bytes the decoder reads anyway, as zeros, past the end
     * (docs/package-format.md, "The range decoder"): with them it may
     * still decode right, since any value in the coder's last interval
     * does; with more it never does; and never wrongly. */
    for (i = 0; i < 64; i++) {
        size_t extra = 1 + test_rand(&seed) % (i < 8 ? 4 : 200), k;
        uint8_t *pkg = malloc(f.pkg.n + extra);
        struct cfota_header h;
        struct tally before = t;
        assert_non_null(pkg);
        memcpy(pkg, f.pkg.p, f.pkg.n);
        for (k = 0; k < extra; k++)
            pkg[f.pkg.n + k] = (uint8_t)(i % 2 ? test_rand(&seed) : 0);
        set_payload_size(pkg, &f.h, f.h.payload_size + (uint32_t)extra);
        assert_int_equal(cfota_header_parse(&h, pkg, f.pkg.n + extra), CFOTA_OK);
        decode_damaged(&f, &h, pkg, f.pkg.n + extra, 0, &t);
        if (extra > 4)
            assert_int_equal(t.correct, before.correct);
        free(pkg);
    }
    print_message("truncated/extended: %u errors, %u caught by hash, %u correct (at most 4 bytes more)\n", t.errors,
                  t.hash_caught, t.correct);
    fixture_free(&f);
}

/* ---- (c) the whole device path ---- */

static void test_apply_refuses_every_bit_flip(void **state)
{
    struct fixture f;
    struct bytes out = {0};
    char err[256];
    uint8_t *pkg;
    size_t bit, len;
    unsigned header = 0, payload = 0;
    (void)state;
    memset(&f, 0, sizeof f);
    make_images(&f, 5, IMAGE);
    fixture_encode(&f, 4096, 0, 0);
    pkg = malloc(f.pkg.n);
    assert_non_null(pkg);
    memcpy(pkg, f.pkg.p, f.pkg.n);
    assert_int_equal(cfota_apply_mem(f.old, f.old_len, pkg, f.pkg.n, &out, 0, err, sizeof err), CFOTA_OK);
    assert_int_equal(out.n, f.new_len);
    for (bit = 0; bit < f.pkg.n * 8; bit++) {
        int rc;
        pkg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        err[0] = 0;
        rc = cfota_apply_mem(f.old, f.old_len, pkg, f.pkg.n, &out, 0, err, sizeof err);
        pkg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (rc >= 0)
            fail_msg("flip of bit %zu accepted", bit);
        assert_int_equal(out.n, 0);
        assert_true(err[0] != 0); /* a sentence saying what was wrong */
        if (bit < (size_t)f.h.header_size * 8) {
            assert_true(rc == CFOTA_E_CORRUPT || rc == CFOTA_E_TRUNCATED || rc == CFOTA_E_VERSION);
            header++;
        } else {
            assert_int_equal(rc, CFOTA_E_CORRUPT); /* payload CRC */
            payload++;
        }
    }
    print_message("apply: %u header and %u payload bit flips, all refused\n", header, payload);
    /* Every truncation, and bytes added at the end. */
    for (len = 0; len < f.pkg.n; len++) {
        assert_int_equal(cfota_apply_mem(f.old, f.old_len, pkg, len, &out, 0, err, sizeof err), CFOTA_E_TRUNCATED);
        assert_int_equal(out.n, 0);
    }
    bytes_put(&f.pkg, "\0", 1);
    assert_int_equal(cfota_apply_mem(f.old, f.old_len, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err),
                     CFOTA_E_CORRUPT);
    assert_int_equal(out.n, 0);
    bytes_free(&out);
    free(pkg);
    fixture_free(&f);
}

/* ---- (d) wrong base ---- */

/* The device's order of work with lib/ alone: header, payload CRC, base,
 * and only then the decoder. Returns the first failure; rig counts what
 * was written. */
static int read_mem(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct bytes *b = ctx;
    if ((uint64_t)off + len > b->n)
        return -1;
    memcpy(buf, b->p + off, len);
    return 0;
}

static int device_apply(const uint8_t *old, size_t old_len, const struct bytes *pkg, struct dec_rig *r)
{
    struct cfota_header h;
    struct cfota_dec d;
    struct cfota_io io;
    size_t pos;
    unsigned ncp = 0;
    int rc = cfota_header_parse(&h, pkg->p, pkg->n);
    if (rc != CFOTA_OK)
        return rc;
    rc = cfota_verify_payload(&h, read_mem, (void *)pkg);
    if (rc != CFOTA_OK)
        return rc;
    rig_open(r, &h, old, old_len, pkg->p, pkg->n);
    rc = cfota_verify_base(&h, (uint32_t)old_len, rig_read_old, r);
    if (rc != CFOTA_OK)
        return rc;
    io = rig_io(r);
    rc = cfota_dec_init(&d, &h, &io);
    if (rc != CFOTA_OK)
        return rc;
    pos = h.header_size;
    rc = rig_feed(&d, pkg->p, &pos, (size_t)h.header_size + h.payload_size, 0, NULL, NULL, &ncp);
    if (rc != CFOTA_DONE)
        return rc;
    return cfota_verify_target(&h, read_rig_out, r);
}

static void test_wrong_base_refused_before_any_write(void **state)
{
    struct fixture f;
    struct bytes out = {0}, other = {0};
    struct dec_rig r;
    char err[256];
    uint8_t *bad;
    size_t i;
    (void)state;
    memset(&f, 0, sizeof f);
    make_images(&f, 6, IMAGE);
    fixture_encode(&f, 4096, 0, 0);
    bad = malloc(f.old_len + 1);
    assert_non_null(bad);
    image_load(M4APP_V1, &other); /* real firmware, unrelated to the synthetic base */

    /* The right base, for reference: it does write. */
    assert_int_equal(device_apply(f.old, f.old_len, &f.pkg, &r), CFOTA_OK);
    assert_true(r.writes > 0);
    assert_int_equal(r.violations, 0);
    rig_close(&r);

    /* One byte changed, anywhere: first, middle, last. */
    for (i = 0; i < 3; i++) {
        size_t at = i == 0 ? 0 : i == 1 ? f.old_len / 2 : f.old_len - 1;
        memcpy(bad, f.old, f.old_len);
        bad[at] ^= 0x01;
        assert_int_equal(device_apply(bad, f.old_len, &f.pkg, &r), CFOTA_E_WRONG_BASE);
        assert_int_equal(r.writes, 0);
        assert_int_equal(r.violations, 0);
        rig_close(&r);
        assert_int_equal(cfota_apply_mem(bad, f.old_len, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err),
                         CFOTA_E_WRONG_BASE);
        assert_int_equal(out.n, 0);
    }
    /* A byte less, nothing, another firmware. */
    memcpy(bad, f.old, f.old_len);
    bad[f.old_len] = 0;
    assert_int_equal(device_apply(bad, f.old_len - 1, &f.pkg, &r), CFOTA_E_WRONG_BASE);
    assert_int_equal(r.writes, 0);
    rig_close(&r);
    assert_int_equal(device_apply(NULL, 0, &f.pkg, &r), CFOTA_E_WRONG_BASE);
    assert_int_equal(r.writes, 0);
    assert_int_equal(r.violations, 0);
    rig_close(&r);
    assert_int_equal(device_apply(other.p, other.n, &f.pkg, &r), CFOTA_E_WRONG_BASE);
    assert_int_equal(r.writes, 0);
    rig_close(&r);
    assert_int_equal(cfota_apply_mem(bad, f.old_len + 1, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err),
                     CFOTA_E_WRONG_BASE);
    assert_int_equal(cfota_apply_mem(NULL, 0, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err), CFOTA_E_WRONG_BASE);
    assert_int_equal(cfota_apply_mem(other.p, other.n, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err),
                     CFOTA_E_WRONG_BASE);
    assert_int_equal(out.n, 0);

    /* A region longer than the base whose first base_size bytes are the
     * base: cfota_verify_base accepts it (a device passes the size of
     * its image region, lib/verify.c hashes only base_size bytes) and the
     * decoder reads only those bytes; cfota_apply_mem, which knows the
     * exact image, wants the exact size. */
    assert_int_equal(device_apply(bad, f.old_len + 1, &f.pkg, &r), CFOTA_OK);
    assert_int_equal(r.violations, 0);
    rig_close(&r);
    bad[0] ^= 1;
    assert_int_equal(device_apply(bad, f.old_len + 1, &f.pkg, &r), CFOTA_E_WRONG_BASE);
    assert_int_equal(r.writes, 0);
    rig_close(&r);
    bad[0] ^= 1;

    /* A full-image package has no base to be wrong about. */
    fixture_encode(&f, 4096, 0, 1);
    assert_int_equal(device_apply(other.p, other.n, &f.pkg, &r), CFOTA_OK);
    assert_true(r.writes > 0);
    rig_close(&r);
    assert_int_equal(cfota_apply_mem(other.p, other.n, f.pkg.p, f.pkg.n, &out, 0, err, sizeof err), CFOTA_OK);
    assert_int_equal(out.n, f.new_len);
    assert_memory_equal(out.p, f.new_, f.new_len);

    bytes_free(&out);
    bytes_free(&other);
    free(bad);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_payload_bit_flip),
        cmocka_unit_test(test_every_payload_bit_flip_in_place),
        cmocka_unit_test(test_every_payload_bit_flip_no_base),
        cmocka_unit_test(test_truncated_payloads),
        cmocka_unit_test(test_apply_refuses_every_bit_flip),
        cmocka_unit_test(test_wrong_base_refused_before_any_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
