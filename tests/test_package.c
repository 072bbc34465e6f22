/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_package.c: the package header (cfota/package.h).
 *
 * The header is what a device trusts before it touches flash, so every
 * way it can be wrong must be refused: a header written and parsed back
 * gives the same fields; every single-bit flip is refused (the CRC-32
 * catches all of them) or, never in practice, parses to the very same
 * header; every truncation is CFOTA_E_TRUNCATED; an unknown format version
 * or flag with a valid CRC is CFOTA_E_VERSION; fields that contradict
 * each other or a version string that is not printable ASCII is
 * CFOTA_E_CORRUPT. The writer refuses what it could not encode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota/crc32.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "support.h"

/* Wire offsets the tests poke at (docs/package-format.md). */
#define OFF_FORMAT 4
#define OFF_FLAGS 5
#define OFF_SEGMENT 6
#define OFF_BASE_VLEN 7
#define OFF_TARGET_VLEN 8
#define OFF_RESERVED 9
#define OFF_VERSIONS 104

/* ---- helpers ---- */

static void header_equal(const struct cfota_header *a, const struct cfota_header *b)
{
    assert_int_equal(a->format_version, b->format_version);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->header_size, b->header_size);
    assert_int_equal(a->segment_size, b->segment_size);
    assert_int_equal(a->scratch_size, b->scratch_size);
    assert_int_equal(a->base_size, b->base_size);
    assert_int_equal(a->target_size, b->target_size);
    assert_int_equal(a->payload_size, b->payload_size);
    assert_int_equal(a->sig_size, b->sig_size);
    assert_memory_equal(a->base_sha256, b->base_sha256, 32);
    assert_memory_equal(a->target_sha256, b->target_sha256, 32);
    assert_int_equal(a->payload_crc32, b->payload_crc32);
    assert_int_equal(a->product_id, b->product_id);
    assert_int_equal(a->security_counter, b->security_counter);
    assert_string_equal(a->base_version, b->base_version);
    assert_string_equal(a->target_version, b->target_version);
}

static void random_version(char *v, unsigned len, uint64_t *seed)
{
    unsigned i;
    for (i = 0; i < len; i++)
        v[i] = (char)(0x20 + test_rand(seed) % 95); /* printable ASCII */
    v[len] = 0;
}

/* A random header whose fields are consistent with each other. */
static void random_header(struct cfota_header *h, uint64_t *seed)
{
    unsigned i;
    memset(h, 0, sizeof *h);
    h->format_version = CFOTA_FORMAT_VERSION;
    h->flags = (uint8_t)(test_rand(seed) & CFOTA_FLAGS_KNOWN);
    /* Carried models live in the stash in place (A/B replays them). */
    if ((h->flags & CFOTA_FLAG_CARRY) && (h->flags & CFOTA_FLAG_IN_PLACE))
        h->flags |= CFOTA_FLAG_STASH;
    if (h->flags & CFOTA_FLAG_ARCH) /* operands are predicted from a base */
        h->flags = (uint8_t)(h->flags & ~CFOTA_FLAG_NO_BASE);
    if (h->flags & CFOTA_FLAG_STASH) /* a stash is for in-place packages with a base */
        h->flags = (uint8_t)((h->flags | CFOTA_FLAG_IN_PLACE) & ~CFOTA_FLAG_NO_BASE);
    h->segment_size = 4096u * (1 + test_rand(seed) % 16);
    h->scratch_size = h->flags & CFOTA_FLAG_IN_PLACE ? 4096u * (1 + test_rand(seed) % 64) : 0;
    h->base_size = h->flags & CFOTA_FLAG_NO_BASE ? 0 : test_rand(seed) % 0x01000001u;
    h->target_size = test_rand(seed) % 0x01000001u;
    h->payload_size = test_rand(seed);
    if ((h->flags & CFOTA_FLAG_STASH) && h->payload_size < CFOTA_PLAN_HEAD)
        h->payload_size = CFOTA_PLAN_HEAD;
    h->sig_size = h->flags & CFOTA_FLAG_SIGNED ? CFOTA_SIG_BLOCK_SIZE : 0;
    h->product_id = test_rand(seed);
    h->security_counter = test_rand(seed);
    for (i = 0; i < 32; i++) {
        h->base_sha256[i] = h->flags & CFOTA_FLAG_NO_BASE ? 0 : (uint8_t)test_rand(seed);
        h->target_sha256[i] = (uint8_t)test_rand(seed);
    }
    h->payload_crc32 = test_rand(seed);
    random_version(h->base_version, test_rand(seed) % (CFOTA_VERSION_MAX + 1), seed);
    random_version(h->target_version, test_rand(seed) % (CFOTA_VERSION_MAX + 1), seed);
}

static struct cfota_header sample_header(void)
{
    struct cfota_header h;
    uint64_t seed = 7;
    random_header(&h, &seed);
    h.flags = 0;
    h.scratch_size = 0;
    h.sig_size = 0;
    h.base_size = 311296;
    h.target_size = 311296;
    h.segment_size = 65536;
    strcpy(h.base_version, "1752B04SIM7020C");
    strcpy(h.target_version, "1752B05SIM7020C");
    return h;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* After editing bytes of a written header, make its CRC valid again, so
 * that the parser's other checks are what is tested. */
static void reseal(uint8_t *buf, size_t size)
{
    uint32_t c = cfota_crc32(0, buf, size - 4);
    buf[size - 4] = (uint8_t)c;
    buf[size - 3] = (uint8_t)(c >> 8);
    buf[size - 2] = (uint8_t)(c >> 16);
    buf[size - 1] = (uint8_t)(c >> 24);
}

/* ---- round trip ---- */

static void test_round_trip_random_headers(void **state)
{
    uint8_t buf[CFOTA_HEADER_MAX];
    uint64_t seed = 0xC0FFEEull;
    unsigned i;
    (void)state;
    for (i = 0; i < 2000; i++) {
        struct cfota_header h, back;
        int n;
        random_header(&h, &seed);
        n = cfota_header_write(&h, buf);
        assert_int_equal(n, CFOTA_HEADER_FIXED + strlen(h.base_version) + strlen(h.target_version) + 4);
        assert_true(n <= (int)CFOTA_HEADER_MAX);
        assert_memory_equal(buf, CFOTA_MAGIC, 4);
        assert_int_equal(cfota_header_size_peek(buf, 10), (uint32_t)n);
        assert_int_equal(get32(buf + n - 4), cfota_crc32(0, buf, (size_t)n - 4));
        memset(&back, 0xAB, sizeof back);
        assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_OK);
        h.header_size = (uint16_t)n; /* the writer computes it */
        header_equal(&back, &h);
        assert_int_equal(cfota_header_segments(&back),
                         (uint32_t)(((uint64_t)h.target_size + h.segment_size - 1) / h.segment_size));
        /* Bytes after the header (payload) do not disturb parsing. */
        assert_int_equal(cfota_header_parse(&back, buf, sizeof buf), CFOTA_OK);
        header_equal(&back, &h);
    }
}

static void test_versions_up_to_32_bytes(void **state)
{
    struct cfota_header h = sample_header(), back;
    uint8_t buf[CFOTA_HEADER_MAX];
    unsigned len;
    (void)state;
    for (len = 0; len <= CFOTA_VERSION_MAX; len++) {
        int n;
        memset(h.base_version, 'A', len);
        h.base_version[len] = 0;
        memset(h.target_version, '~', CFOTA_VERSION_MAX - len);
        h.target_version[CFOTA_VERSION_MAX - len] = 0;
        n = cfota_header_write(&h, buf);
        assert_int_equal(n, CFOTA_HEADER_FIXED + CFOTA_VERSION_MAX + 4);
        assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_OK);
        assert_string_equal(back.base_version, h.base_version);
        assert_string_equal(back.target_version, h.target_version);
    }
    /* Both at their maximum: the largest header. */
    memset(h.base_version, ' ', 32);
    h.base_version[32] = 0;
    memset(h.target_version, 'z', 32);
    h.target_version[32] = 0;
    assert_int_equal(cfota_header_write(&h, buf), (int)CFOTA_HEADER_MAX);
    assert_int_equal(cfota_header_parse(&back, buf, CFOTA_HEADER_MAX), CFOTA_OK);
    assert_string_equal(back.base_version, h.base_version);
    assert_string_equal(back.target_version, h.target_version);
}

static void test_writer_refuses_bad_versions(void **state)
{
    static const char *bad[] = {"\x01", "tab\there", "del\x7f", "caf\xc3\xa9", "new\nline"};
    struct cfota_header h = sample_header();
    uint8_t buf[CFOTA_HEADER_MAX + 16];
    unsigned i;
    (void)state;
    /* 33 bytes, one too many, in either field. A well-formed struct holds
     * at most 32 and the NUL, so the 33rd byte is put where the NUL would
     * be, inside a union with room for a terminator after it. */
    for (i = 0; i < 2; i++) {
        union {
            struct cfota_header h;
            char raw[sizeof(struct cfota_header) + 8];
        } w;
        size_t off = i == 0 ? offsetof(struct cfota_header, base_version)
                            : offsetof(struct cfota_header, target_version);
        memset(&w, 0, sizeof w);
        w.h = sample_header();
        memset(w.raw + off, 'x', CFOTA_VERSION_MAX + 1);
        if (i == 0)
            w.h.target_version[0] = 0;
        else
            w.raw[off + CFOTA_VERSION_MAX + 1] = 0;
        assert_int_equal(strlen(w.raw + off), CFOTA_VERSION_MAX + 1);
        assert_int_equal(cfota_header_write(&w.h, buf), CFOTA_E_INVAL);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = sample_header();
        strcpy(h.base_version, bad[i]);
        assert_int_equal(cfota_header_write(&h, buf), CFOTA_E_INVAL);
        h = sample_header();
        strcpy(h.target_version, bad[i]);
        assert_int_equal(cfota_header_write(&h, buf), CFOTA_E_INVAL);
    }
}

static void test_writer_refuses_bad_sizes(void **state)
{
    static const uint32_t bad_seg[] = {0, 1, 4095, 4097, 6144, 65536 + 4096, 1u << 20};
    struct cfota_header h = sample_header();
    uint8_t buf[CFOTA_HEADER_MAX];
    unsigned i;
    (void)state;
    for (i = 0; i < sizeof bad_seg / sizeof bad_seg[0]; i++) {
        h.segment_size = bad_seg[i];
        assert_int_equal(cfota_header_write(&h, buf), CFOTA_E_INVAL);
    }
    h = sample_header();
    h.flags = CFOTA_FLAG_IN_PLACE;
    h.scratch_size = 5000; /* not whole 4 KiB blocks */
    assert_int_equal(cfota_header_write(&h, buf), CFOTA_E_INVAL);
    h.scratch_size = 4096u * 0x10000u; /* does not fit the 16-bit field */
    assert_int_equal(cfota_header_write(&h, buf), CFOTA_E_INVAL);
    h.scratch_size = 4096u * 0xFFFFu;
    assert_true(cfota_header_write(&h, buf) > 0);
}

/* ---- damage ---- */

/* Every single-bit flip of a header is refused, or (a CRC collision, not
 * expected ever) parses to the identical header. */
static void test_every_bit_flip_refused(void **state)
{
    uint64_t seed = 0xF11Bull;
    unsigned round;
    (void)state;
    for (round = 0; round < 4; round++) {
        struct cfota_header h, back;
        uint8_t buf[CFOTA_HEADER_MAX + 64];
        size_t bit, n;
        random_header(&h, &seed);
        if (round == 0)
            h = sample_header();
        memset(buf, 0x5A, sizeof buf);
        n = (size_t)cfota_header_write(&h, buf);
        h.header_size = (uint16_t)n;
        for (bit = 0; bit < n * 8; bit++) {
            int rc;
            buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            rc = cfota_header_parse(&back, buf, sizeof buf);
            if (rc == CFOTA_OK)
                header_equal(&back, &h);
            else
                assert_true(rc == CFOTA_E_CORRUPT || rc == CFOTA_E_TRUNCATED);
            /* The same with exactly the header's bytes available. */
            rc = cfota_header_parse(&back, buf, n);
            if (rc == CFOTA_OK)
                header_equal(&back, &h);
            else
                assert_true(rc == CFOTA_E_CORRUPT || rc == CFOTA_E_TRUNCATED);
            buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);
    }
}

static void test_truncations_refused(void **state)
{
    struct cfota_header h = sample_header(), back;
    uint8_t buf[CFOTA_HEADER_MAX];
    size_t n, len;
    (void)state;
    n = (size_t)cfota_header_write(&h, buf);
    for (len = 0; len < n; len++)
        assert_int_equal(cfota_header_parse(&back, buf, len), CFOTA_E_TRUNCATED);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);
    assert_int_equal(cfota_header_size_peek(buf, 9), 0);
    assert_int_equal(cfota_header_size_peek(buf, 10), (uint32_t)n);
}

static void test_unknown_version_or_flags(void **state)
{
    struct cfota_header h = sample_header(), back;
    uint8_t buf[CFOTA_HEADER_MAX];
    size_t n;
    unsigned v, bit;
    (void)state;
    n = (size_t)cfota_header_write(&h, buf);
    for (v = 0; v < 256; v++) {
        if (v == CFOTA_FORMAT_VERSION)
            continue;
        buf[OFF_FORMAT] = (uint8_t)v;
        reseal(buf, n);
        assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_VERSION);
    }
    buf[OFF_FORMAT] = CFOTA_FORMAT_VERSION;
    for (bit = 0; bit < 8; bit++) {
        buf[OFF_FLAGS] = (uint8_t)(1u << bit);
        reseal(buf, n);
        if ((1u << bit) & CFOTA_FLAGS_KNOWN)
            assert_int_not_equal(cfota_header_parse(&back, buf, n), CFOTA_E_VERSION);
        else
            assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_VERSION);
    }
    buf[OFF_FLAGS] = 0;
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);
}

/* Headers with a valid CRC whose content is still impossible. */
/* A stash plan only in an in-place package with a base; the plan head and
 * each entry checked against the header and each other. */
static void test_stash_plan_checks(void **state)
{
    struct cfota_header h = sample_header(), back;
    struct cfota_plan_head p = {2, 8192}, pb;
    struct cfota_stash_entry e = {1, 100, 4000, 4096}, prev = {0, 0, 100, 0}, eb;
    uint8_t buf[CFOTA_HEADER_MAX], b[CFOTA_PLAN_ENTRY];
    int n;
    (void)state;
    h.flags = CFOTA_FLAG_STASH;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_E_CORRUPT); /* not in place */
    h.flags = CFOTA_FLAG_STASH | CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_NO_BASE;
    h.base_size = 0;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_E_CORRUPT); /* no base */
    h = sample_header();
    h.flags = CFOTA_FLAG_STASH | CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
    h.scratch_size = 65536;
    h.payload_size = 7;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_E_CORRUPT); /* no room for a plan */
    h.payload_size = 1000;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_OK);

    assert_int_equal(cfota_carry_slots(h.flags), 0);
    assert_int_equal(cfota_plan_reserved(&h), 0);

    /* Carried models: in the carry slots of a stash, or, A/B, rebuilt by
     * a replay; in place without a stash, neither can be. */
    h.flags = CFOTA_FLAG_CARRY | CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_E_CORRUPT);
    h.flags = CFOTA_FLAG_CARRY;
    h.scratch_size = 0;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_OK);
    assert_int_equal(cfota_carry_slots(back.flags), 0);
    assert_int_equal(cfota_plan_reserved(&back), 0);
    h.flags = CFOTA_FLAG_CARRY | CFOTA_FLAG_STASH | CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
    h.scratch_size = 65536;
    n = cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, (size_t)n), CFOTA_OK);
    assert_int_equal(cfota_carry_slots(back.flags), 1);
    assert_int_equal(cfota_plan_reserved(&back), CFOTA_CARRY_SLOTS * CFOTA_STASH_UNIT);
    h.flags = CFOTA_FLAG_STASH | CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;

    cfota_plan_head_write(&p, b);
    assert_int_equal(cfota_plan_head_parse(&pb, b, &h), CFOTA_OK);
    assert_int_equal(pb.count, 2);
    assert_int_equal(pb.stash_size, 8192);
    p.count = 63; /* 8 + 63 * 16 > 1000 */
    cfota_plan_head_write(&p, b);
    assert_int_equal(cfota_plan_head_parse(&pb, b, &h), CFOTA_E_CORRUPT);
    p.count = 2;
    p.stash_size = 5000; /* not whole units */
    cfota_plan_head_write(&p, b);
    assert_int_equal(cfota_plan_head_parse(&pb, b, &h), CFOTA_E_CORRUPT);
    p.stash_size = 8192;

    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, &prev), CFOTA_OK);
    assert_int_equal(eb.step, 1);
    assert_int_equal(eb.base, 100);
    assert_int_equal(eb.len, 4000);
    assert_int_equal(eb.at, 4096);
    prev.len = 101; /* overlaps */
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, &prev), CFOTA_E_CORRUPT);
    e.at = 4000; /* not on a unit */
    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, NULL), CFOTA_E_CORRUPT);
    e.at = 4096;
    e.len = 4097; /* past the stash */
    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, NULL), CFOTA_E_CORRUPT);
    e.len = 10;
    e.step = cfota_header_segments(&h); /* no such segment */
    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, NULL), CFOTA_E_CORRUPT);
    e.step = 0;
    e.base = h.base_size - 5; /* past the base */
    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, NULL), CFOTA_E_CORRUPT);
    e.len = 0;
    e.base = 0;
    cfota_stash_entry_write(&e, b);
    assert_int_equal(cfota_stash_entry_parse(&eb, b, &h, &p, NULL), CFOTA_E_CORRUPT);
}

static void test_inconsistent_fields_refused(void **state)
{
    struct cfota_header h, back;
    uint8_t buf[CFOTA_HEADER_MAX];
    size_t n;
    (void)state;

    h = sample_header();
    n = (size_t)cfota_header_write(&h, buf);
    buf[OFF_RESERVED] = 1;
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);

    n = (size_t)cfota_header_write(&h, buf);
    buf[OFF_SEGMENT] = 0;
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    buf[OFF_SEGMENT] = 17; /* 68 KiB: over the 64 KiB checkpoint spacing */
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    buf[OFF_SEGMENT] = 16;
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);

    /* A non-printable byte in a version string. */
    n = (size_t)cfota_header_write(&h, buf);
    buf[OFF_VERSIONS + 3] = 0x07;
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    n = (size_t)cfota_header_write(&h, buf);
    buf[n - 5] = 0x80; /* last byte of the target version */
    reseal(buf, n);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);

    /* A version length over 32. */
    n = (size_t)cfota_header_write(&h, buf);
    buf[OFF_BASE_VLEN] = 33;
    assert_int_equal(cfota_header_size_peek(buf, n), 0);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    buf[OFF_BASE_VLEN] = (uint8_t)strlen(h.base_version);
    buf[OFF_TARGET_VLEN] = 200;
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);

    /* Fields that belong to a flag that is not set. */
    h = sample_header();
    h.sig_size = CFOTA_SIG_BLOCK_SIZE;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h.flags = CFOTA_FLAG_SIGNED;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);
    /* The signature block has one size: no other is accepted. */
    h.sig_size = CFOTA_SIG_BLOCK_SIZE + 1;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h.sig_size = 0;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);

    h = sample_header();
    h.scratch_size = 16384;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h.flags = CFOTA_FLAG_IN_PLACE;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);

    h = sample_header();
    h.flags = CFOTA_FLAG_NO_BASE; /* with a base size */
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h.base_size = 0;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);

    /* Images beyond 16 MiB. */
    h = sample_header();
    h.target_size = 0x01000001u;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h = sample_header();
    h.base_size = 0xFFFFFFFFu;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
    h.base_size = 0x01000000u;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_OK);

    /* Bad magic. */
    h = sample_header();
    n = (size_t)cfota_header_write(&h, buf);
    buf[0] = 'X';
    reseal(buf, n);
    assert_int_equal(cfota_header_size_peek(buf, n), 0);
    assert_int_equal(cfota_header_parse(&back, buf, n), CFOTA_E_CORRUPT);
}

static void test_null_arguments(void **state)
{
    struct cfota_header h = sample_header(), back;
    uint8_t buf[CFOTA_HEADER_MAX];
    size_t n;
    (void)state;
    n = (size_t)cfota_header_write(&h, buf);
    assert_int_equal(cfota_header_parse(NULL, buf, n), CFOTA_E_INVAL);
    assert_int_equal(cfota_header_parse(&back, NULL, n), CFOTA_E_INVAL);
    assert_int_equal(cfota_header_size_peek(NULL, 100), 0);
}

static void test_segments_count(void **state)
{
    struct cfota_header h = sample_header();
    (void)state;
    h.segment_size = 4096;
    h.target_size = 0;
    assert_int_equal(cfota_header_segments(&h), 0);
    h.target_size = 1;
    assert_int_equal(cfota_header_segments(&h), 1);
    h.target_size = 4096;
    assert_int_equal(cfota_header_segments(&h), 1);
    h.target_size = 4097;
    assert_int_equal(cfota_header_segments(&h), 2);
    h.segment_size = 65536;
    h.target_size = 0x01000000u;
    assert_int_equal(cfota_header_segments(&h), 256);
    h.segment_size = 0;
    assert_int_equal(cfota_header_segments(&h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_random_headers),
        cmocka_unit_test(test_versions_up_to_32_bytes),
        cmocka_unit_test(test_writer_refuses_bad_versions),
        cmocka_unit_test(test_writer_refuses_bad_sizes),
        cmocka_unit_test(test_every_bit_flip_refused),
        cmocka_unit_test(test_truncations_refused),
        cmocka_unit_test(test_unknown_version_or_flags),
        cmocka_unit_test(test_inconsistent_fields_refused),
        cmocka_unit_test(test_stash_plan_checks),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_segments_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
