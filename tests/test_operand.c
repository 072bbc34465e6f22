/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_operand.c: operand prediction (lib/operand.h, lib/arch_thumb.c,
 * encoder/arch.c). The Thumb-2 recogniser's rewrites are checked against
 * encodings built here by hand from the ARM ARM's field layouts (not with
 * the library's own encoder); the table lookup at the edges of its runs;
 * packages made with operand prediction on the example firmware, A/B and
 * in place; damaged arch blocks refused before any write.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apply.h"
#include "arch.h"
#include "cfota/crc32.h"
#include "cfota/package.h"
#include "dec_rig.h"
#include "encoder.h"
#include "support.h"

/* ---- hand-made Thumb-2 encodings (ARM ARM, A7.7.18 BL, A7.7.12 B) ---- */

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* BL (T1) or B.W (T4) with imm32 = target - (address + 4). */
static void enc_t4(uint8_t *p, int32_t imm32, int link)
{
    uint32_t u = (uint32_t)imm32;
    unsigned s = (u >> 24) & 1, i1 = (u >> 23) & 1, i2 = (u >> 22) & 1;
    unsigned j1 = (!i1) ^ s, j2 = (!i2) ^ s;
    put16(p, 0xF000u | s << 10 | ((u >> 12) & 0x3FFu));
    put16(p + 2, (link ? 0xD000u : 0x9000u) | j1 << 13 | j2 << 11 | ((u >> 1) & 0x7FFu));
}

/* B<c>.W (T3): imm32 = S:J2:J1:imm6:imm11:0. */
static void enc_t3(uint8_t *p, unsigned cond, int32_t imm32)
{
    uint32_t u = (uint32_t)imm32;
    unsigned s = (u >> 20) & 1, j2 = (u >> 19) & 1, j1 = (u >> 18) & 1;
    put16(p, 0xF000u | s << 10 | cond << 6 | ((u >> 12) & 0x3Fu));
    put16(p + 2, 0x8000u | j1 << 13 | j2 << 11 | ((u >> 1) & 0x7FFu));
}

/* ---- a fake table: base [0, split) stays, [split, ...) moves by disp2 ---- */

struct fake {
    uint32_t split;
    int32_t disp2;
    struct cfota_region r;
};

static int fake_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    const struct fake *f = ctx;
    *disp = b < f->split ? 0 : f->disp2;
    *predict = CFOTA_PRED_REL | CFOTA_PRED_ABS;
    return 0;
}

static int fake_region(void *ctx, unsigned target, unsigned i, struct cfota_region *r)
{
    const struct fake *f = ctx;
    (void)target;
    if (i > 0)
        return 1;
    *r = f->r;
    return 0;
}

static struct cfota_disp_src fake_src(struct fake *f)
{
    struct cfota_disp_src s;
    s.disp = fake_disp;
    s.region = fake_region;
    s.read = NULL;
    s.ctx = f;
    return s;
}

/* The recogniser over buf as one copy, in windows as both sides read it. */
static void predict_all(uint8_t *buf, uint32_t off, uint32_t len, struct fake *f)
{
    struct cfota_disp_src s = fake_src(f);
    assert_int_equal(cfota_arch_thumb_predict(buf, off, len, 0, len, &s), 0);
}

static void test_thumb_branches(void **state)
{
    struct fake f = {0x1000, 0x40, {0x08000000u, 0, 0x4000}};
    uint8_t buf[48], want[48];
    (void)state;
    /* At 0x100: BL to 0x2000 (moves by 0x40), B.W to 0x3000 (moves), and
     * BNE.W to 0x0200 (does not move); the sites do not move. */
    memset(buf, 0, sizeof buf); /* movs r0, r0: not a branch */
    enc_t4(buf + 4, 0x2000 - (0x104 + 4), 1);
    enc_t4(buf + 12, 0x3000 - (0x10C + 4), 0);
    enc_t3(buf + 20, 1, 0x0200 - (0x114 + 4));
    memcpy(want, buf, sizeof buf);
    enc_t4(want + 4, 0x2040 - (0x104 + 4), 1);
    enc_t4(want + 12, 0x3040 - (0x10C + 4), 0);
    predict_all(buf, 0x100, 32, &f);
    assert_memory_equal(buf, want, 32);

    /* A site that moves and a target that stays: the offset shrinks. */
    memset(buf, 0, sizeof buf);
    enc_t3(buf + 8, 0, 0x0F00 - (0x1808 + 4)); /* BEQ.W back */
    memcpy(want, buf, sizeof buf);
    enc_t3(want + 8, 0, 0x0F00 - (0x1848 + 4));
    predict_all(buf, 0x1800, 32, &f);
    assert_memory_equal(buf, want, 32);
}

static void test_thumb_pointers_and_overlap(void **state)
{
    struct fake f = {0x1000, 0x40, {0x08000000u, 0, 0x4000}};
    uint8_t buf[32], want[32];
    (void)state;
    memset(buf, 0, sizeof buf);
    /* A Thumb function pointer (bit 0) and a data pointer, into moved
     * code; a word outside the image stays. */
    put16(buf + 0, 0x2001), put16(buf + 2, 0x0800); /* 0x08002001 */
    put16(buf + 4, 0x0800), put16(buf + 6, 0x0800); /* 0x08000800: stays */
    put16(buf + 8, 0x3000), put16(buf + 10, 0x0800); /* 0x08003000 */
    put16(buf + 12, 0x0000), put16(buf + 14, 0x2000); /* RAM */
    memcpy(want, buf, sizeof buf);
    put16(want + 0, 0x2041);
    put16(want + 8, 0x3040);
    predict_all(buf, 0x200, 16, &f);
    assert_memory_equal(buf, want, 16);

    /* Two patterns overlapping (a BL whose second halfword begins another
     * one): only the first counts, and no later decision changes. */
    memset(buf, 0, sizeof buf);
    enc_t4(buf + 4, 0x2000 - (0x304 + 4), 1);
    put16(buf + 8, 0xD800); /* with buf[6..7] as a first halfword? */
    memcpy(want, buf, sizeof buf);
    enc_t4(want + 4, 0x2040 - (0x304 + 4), 1);
    if ((buf[7] & 0xF8) == 0xF0) /* the second halfword is no first one here */
        fail();
    predict_all(buf, 0x300, 16, &f);
    assert_memory_equal(buf, want, 16);
}

/* A branch cut by the edge of the buffer is left alone, and a window
 * gives the same bytes as the whole buffer. */
static void test_thumb_windows_agree(void **state)
{
    struct fake f = {0x1000, 0x40, {0x08000000u, 0, 0x4000}};
    uint8_t whole[64], part[64];
    uint32_t i, s;
    (void)state;
    for (i = 0; i < 64; i += 4)
        enc_t4(whole + i, 0x2000 - (int32_t)(0x400 + i + 4), (i / 4) & 1);
    memcpy(part, whole, 64);
    predict_all(whole, 0x400, 64, &f);
    for (s = 8; s + 16 <= 56; s += 2) {
        uint8_t w[64];
        memcpy(w, part + s - 8, 32);
        {
            struct cfota_disp_src src = fake_src(&f);
            assert_int_equal(cfota_arch_thumb_predict(w, 0x400 + s - 8, 32, 8, 24, &src), 0);
        }
        assert_memory_equal(w + 8, whole + s, 16);
    }
    /* Cut at the end: the last BL's second half is missing. */
    memcpy(whole, part, 64);
    predict_all(whole, 0x400, 62, &f);
    assert_memory_equal(whole + 60, part + 60, 2);
}

/* ---- the table, serialized as in a package ---- */

struct blk {
    uint8_t b[256];
    size_t n;
};

static int blk_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct blk *k = ctx;
    if (off > k->n || len > k->n - off)
        return -1;
    memcpy(buf, k->b + off, len);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* id 1, one region each of 0x10000 bytes, records (100, +4), (200, -8),
 * (300, 0). */
static void make_block(struct blk *k)
{
    static const uint32_t start[3] = {100, 200, 300};
    static const int32_t disp[3] = {4, -8, 0};
    unsigned i;
    memset(k, 0, sizeof *k);
    k->b[0] = CFOTA_ARCH_THUMB2, k->b[1] = 1, k->b[2] = 1;
    put32(k->b + 4, 3);
    put32(k->b + 8, 0x08000000u), put32(k->b + 12, 0), put32(k->b + 16, 0x10000);
    put32(k->b + 20, 0x08000000u), put32(k->b + 24, 0), put32(k->b + 28, 0x10000);
    for (i = 0; i < 3; i++)
        cfota_record_write(k->b + 32 + 6 * i, start[i], disp[i], i == 1 ? CFOTA_PRED_ABS : CFOTA_PRED_REL);
    k->n = 32 + 18;
}

static void test_table_edges(void **state)
{
    static const struct {
        uint32_t b;
        int rc;
        uint32_t start, end;
        int32_t disp;
    } cases[] = {
        {0, 1, 0, 0, 0},         {99, 1, 0, 0, 0},        {100, 0, 100, 200, 4}, {199, 0, 100, 200, 4},
        {200, 0, 200, 300, -8},  {299, 0, 200, 300, -8},  {300, 0, 300, 0x10000, 0},
        {0xFFFF, 0, 300, 0x10000, 0},
    };
    struct blk k;
    struct cfota_arch a;
    struct cfota_run r;
    unsigned i;
    (void)state;
    make_block(&k);
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_OK);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.size, k.n);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = cfota_table_find(&a, blk_read, &k, 0x10000, cases[i].b, &r);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(r.start, cases[i].start);
            assert_int_equal(r.end, cases[i].end);
            assert_int_equal(r.disp, cases[i].disp);
            assert_int_equal(r.flags, cases[i].b >= 200 && cases[i].b < 300 ? CFOTA_PRED_ABS : CFOTA_PRED_REL);
        }
    }
}

static void test_block_refused(void **state)
{
    struct blk k;
    struct cfota_arch a;
    (void)state;
    make_block(&k);
    k.b[0] = 9; /* unknown architecture */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
    make_block(&k);
    k.b[1] = 5; /* too many regions */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
    make_block(&k);
    put32(k.b + 4, 4); /* a record past the end */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
    make_block(&k);
    put32(k.b + 16, 0x10001); /* a region past its image */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
    make_block(&k);
    cfota_record_write(k.b + 38, 50, 0, 0); /* starts not increasing */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
    make_block(&k);
    cfota_record_write(k.b + 44, 0x10000, 0, 0); /* a start past the base */
    assert_int_equal(cfota_arch_parse(&a, blk_read, &k, 0, (uint32_t)k.n, 0x10000, 0x10000), CFOTA_E_CORRUPT);
}

/* ---- packages on the example firmware ---- */

static void make_pkg(const struct bytes *old, const struct bytes *new_, int in_place, int arch, struct bytes *pkg)
{
    struct cfota_encode_opts o;
    memset(&o, 0, sizeof o);
    o.in_place = in_place;
    o.arch = arch;
    pkg->n = 0;
    assert_int_equal(cfota_encode(old->p, old->n, new_->p, new_->n, &o, pkg), 0);
}

static void test_m4app_packages(void **state)
{
    static const char *const img[3] = {M4APP_V1, M4APP_V2, M4APP_V3};
    struct bytes v[3] = {{0}, {0}, {0}}, pkg = {0}, plain = {0}, out = {0};
    unsigned i, ip;
    char err[200];
    (void)state;
    for (i = 0; i < 3; i++)
        image_load(img[i], &v[i]);
    for (i = 0; i + 1 < 3; i++)
        for (ip = 0; ip < 2; ip++) {
            struct cfota_header h;
            make_pkg(&v[i], &v[i + 1], (int)ip, CFOTA_ARCH_THUMB2, &pkg);
            make_pkg(&v[i], &v[i + 1], (int)ip, CFOTA_ENC_ARCH_NONE, &plain);
            assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
            assert_true(h.flags & CFOTA_FLAG_ARCH);
            print_message("m4app %u -> %u%s: %zu bytes, %zu without prediction\n", i + 1, i + 2,
                          ip ? " in place" : "", pkg.n, plain.n);
            assert_int_equal(cfota_apply_mem(v[i].p, v[i].n, pkg.p, pkg.n, &out, 0, err, sizeof err), CFOTA_OK);
            assert_int_equal(out.n, v[i + 1].n);
            assert_memory_equal(out.p, v[i + 1].p, out.n);
            assert_int_equal(cfota_apply_mem(v[i].p, v[i].n, pkg.p, pkg.n, &out, 7, err, sizeof err), CFOTA_OK);
            assert_memory_equal(out.p, v[i + 1].p, out.n);
        }
    for (i = 0; i < 3; i++)
        bytes_free(&v[i]);
    bytes_free(&pkg);
    bytes_free(&plain);
    bytes_free(&out);
}

/* Header rewritten after a change of the payload: its CRC and the
 * header check made right, so that only the arch block is wrong. */
static void reseal(struct bytes *pkg)
{
    struct cfota_header h;
    uint8_t head[CFOTA_HEADER_MAX];
    assert_int_equal(cfota_header_parse(&h, pkg->p, pkg->n), CFOTA_OK);
    h.payload_crc32 = cfota_crc32(0, pkg->p + h.header_size, h.payload_size);
    assert_int_equal(cfota_header_write(&h, head), (int)h.header_size);
    memcpy(pkg->p, head, h.header_size);
}

static void test_damaged_block_no_write(void **state)
{
    struct bytes v1 = {0}, v2 = {0}, pkg = {0}, bad = {0};
    struct cfota_header h;
    uint32_t blk;
    unsigned k;
    (void)state;
    image_load(M4APP_V1, &v1);
    image_load(M4APP_V2, &v2);
    make_pkg(&v1, &v2, 0, CFOTA_ARCH_THUMB2, &pkg);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    blk = h.header_size; /* A/B: no stash plan, the block comes first */
    for (k = 0; k < 5; k++) {
        struct cfota_dec d;
        struct dec_rig r;
        struct cfota_io io;
        bad.n = 0;
        bytes_put(&bad, pkg.p, pkg.n);
        switch (k) {
        case 0: bad.p[blk] = 7; break;                        /* unknown id */
        case 1: bad.p[blk + 1] = 0; break;                    /* no base region */
        case 2: put32(bad.p + blk + 4, 0x00FFFFFFu); break;   /* count past the payload */
        case 3: put32(bad.p + blk + 16, 0x7FFFFFFFu); break;  /* region past the base */
        default: bad.p[blk + 3] = 1; break;                   /* reserved byte */
        }
        reseal(&bad);
        assert_int_equal(cfota_header_parse(&h, bad.p, bad.n), CFOTA_OK);
        rig_open(&r, &h, v1.p, v1.n, bad.p, bad.n);
        io = rig_io(&r);
        assert_int_equal(cfota_dec_init(&d, &h, &io), CFOTA_E_CORRUPT);
        assert_int_equal(r.writes, 0);
        rig_close(&r);
    }
    /* And a package that needs read_pkg refuses to start without it. */
    {
        struct cfota_dec d;
        struct dec_rig r;
        struct cfota_io io;
        assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
        rig_open(&r, &h, v1.p, v1.n, pkg.p, pkg.n);
        io = rig_io(&r);
        io.read_pkg = NULL;
        assert_int_equal(cfota_dec_init(&d, &h, &io), CFOTA_E_INVAL);
        assert_int_equal(r.writes, 0);
        rig_close(&r);
    }
    bytes_free(&v1);
    bytes_free(&v2);
    bytes_free(&pkg);
    bytes_free(&bad);
}

/* Detection: the example firmware opens with a Cortex-M vector table. */
static void test_detect(void **state)
{
    struct bytes v1 = {0};
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    static const uint8_t noise[256] = {1, 2, 3};
    (void)state;
    image_load(M4APP_V1, &v1);
    assert_int_equal(arch_detect(v1.p, v1.n, r), CFOTA_ARCH_THUMB2);
    assert_int_equal(r[0].off, 0);
    assert_int_equal(r[0].len, v1.n);
    assert_int_equal(r[1].len, 0);
    assert_int_equal(arch_detect(noise, sizeof noise, r), CFOTA_ARCH_NONE);
    bytes_free(&v1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thumb_branches),
        cmocka_unit_test(test_thumb_pointers_and_overlap),
        cmocka_unit_test(test_thumb_windows_agree),
        cmocka_unit_test(test_table_edges),
        cmocka_unit_test(test_block_refused),
        cmocka_unit_test(test_m4app_packages),
        cmocka_unit_test(test_damaged_block_no_write),
        cmocka_unit_test(test_detect),
    };
    return test_tiers(argc, argv, tests, sizeof tests / sizeof tests[0], NULL, 0);
}
