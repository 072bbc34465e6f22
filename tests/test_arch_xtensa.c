/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_arch_xtensa.c: the Xtensa recogniser (lib/arch_xtensa.c) and
 * the ESP image regions (encoder/esp_image.c), against hand-computed
 * encodings; no cross compiler needed.
 *
 * The recogniser tests build a small image of one code region at
 * 0x40150000 (file 0..0x1000) and one data region at 0x3FFE8000 (file
 * 0x1000..0x1200), filled with NOP.N (3D F0: a 2-byte instruction, so
 * every even offset is in step), place instructions and words at chosen
 * offsets, and predict it through cfota_predict_fill (the one path both
 * the encoder and the decoder read copies through) with a fake table of
 * runs. The whole predicted image is compared with the expected one, so a
 * rewrite of anything not meant to change fails as much as a wrong
 * operand. Every expected encoding below is worked out in its comment.
 *
 * Generated firmware (fwgen's ESP8266 cases, Xtensa code relinked after
 * code moved) and, in the corpus tier, the two ESP8266 pairs: packages
 * with prediction smaller than without, applying to the exact target.
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
#include "arch.h"
#include "cfota/status.h"
#include "encoder.h"
#include "esp_image.h"
#include "fwgen.h"
#include "operand.h"
#include "support.h"

#define IMG 0x1200u
#define CODE_VA 0x40150000u
#define DATA_VA 0x3FFE8000u

struct fake_run {
    uint32_t start, end;
    int32_t disp;
    unsigned flags;
};

#define BOTH (CFOTA_PRED_REL | CFOTA_PRED_ABS)

/* The table: code moves by 0, then +0x10, then +0x30; data by +0x40. Two
 * small runs inside the +0x10 part switch one kind of operand off. */
static const struct fake_run runs[] = {
    {0x000, 0x400, 0x00, BOTH},           {0x400, 0xA00, 0x10, BOTH},
    {0xA00, 0xA80, 0x10, CFOTA_PRED_ABS}, {0xA80, 0xB00, 0x10, CFOTA_PRED_REL},
    {0xB00, 0xC00, 0x10, BOTH},           {0xC00, 0x1000, 0x30, BOTH},
    {0x1000, IMG, 0x40, BOTH},
};

static const struct cfota_region base_regions[] = {{CODE_VA, 0, 0x1000}, {DATA_VA, 0x1000, 0x200}};
/* The target: code grew by 0x40 (its last run moved by 0x30, it ends
 * 0x30 later); the data segment starts 0x30 later in the file, so a data
 * byte that moved by 0x40 sits 0x10 higher in the address space. */
static const struct cfota_region target_regions[] = {{CODE_VA, 0, 0x1040}, {DATA_VA, 0x1030, 0x200}};

static int fake_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    size_t i;
    (void)ctx;
    for (i = 0; i < sizeof runs / sizeof runs[0]; i++)
        if (b >= runs[i].start && b < runs[i].end) {
            *disp = runs[i].disp;
            *predict = runs[i].flags;
            return 0;
        }
    return 1;
}

static int fake_region(void *ctx, unsigned target, unsigned i, struct cfota_region *r)
{
    (void)ctx;
    if (i >= 2)
        return 1;
    *r = target ? target_regions[i] : base_regions[i];
    return 0;
}

/* The raw base: ctx is the image (the fake table and regions ignore it). */
static int read_img(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    memcpy(buf, (const uint8_t *)ctx + off, len);
    return 0;
}

/* Predict img[lo, hi) as one copy, n bytes per fill, with table disp. */
static void predict_with(int (*disp)(void *, uint32_t, int32_t *, unsigned *), const uint8_t *img, uint32_t lo,
                         uint32_t hi, uint32_t n, uint8_t *out)
{
    struct cfota_disp_src src;
    uint8_t win[CFOTA_ARCH_SPAN];
    uint32_t s;
    src.disp = disp;
    src.region = fake_region;
    src.read = read_img;
    src.ctx = (void *)img;
    for (s = lo; s < hi; s += n) {
        uint32_t k = hi - s < n ? hi - s : n;
        assert_int_equal(cfota_predict_fill(cfota_arch_xtensa_predict, &src, lo, hi, s, k, win), CFOTA_OK);
        memcpy(out + (s - lo), win, k);
    }
}

static void predict(const uint8_t *img, uint32_t lo, uint32_t hi, uint32_t n, uint8_t *out)
{
    predict_with(fake_disp, img, lo, hi, n, out);
}

static void put(uint8_t *img, uint32_t at, const char *hex)
{
    unsigned v;
    while (sscanf(hex, "%2x", &v) == 1) {
        img[at++] = (uint8_t)v;
        hex += 2;
        while (*hex == ' ')
            hex++;
    }
}

static void nops(uint8_t *img)
{
    uint32_t i;
    for (i = 0; i < 0x1000; i += 2) {
        img[i] = 0x3D; /* NOP.N */
        img[i + 1] = 0xF0;
    }
    memset(img + 0x1000, 0x55, IMG - 0x1000); /* data */
}

/* A base image and its expected prediction. */
struct pair {
    uint8_t base[IMG], want[IMG];
};

static void make_pair(struct pair *p)
{
    nops(p->base);
    /* CALL0 at 0x100 (moves 0) to 0x800 (moves +0x10). Offset field:
     * (0x800 - (0x100 & ~3) - 4) / 4 = 0x1BF, word 0x1BF << 6 | 5 =
     * 0x6FC5; after: (0x810 - 0x100 - 4) / 4 = 0x1C3, word 0x70C5. */
    put(p->base, 0x100, "C5 6F 00");
    /* CALL8 (n = 2: low bits 0x25) at 0x202, pc not 4-aligned: (0x800 -
     * 0x200 - 4) / 4 = 0x17F, word 0x5FE5; after (0x810 - 0x204) / 4 =
     * 0x183, word 0x60E5. */
    put(p->base, 0x202, "E5 5F 00");
    /* CALL0 at 0x500 (moves +0x10) back to 0x100 (moves 0): (0x100 -
     * 0x504) / 4 = -0x101 = 0x3FEFF (18 bits), word 0xFFBFC5; after
     * (0x100 - 0x514) / 4 = -0x105, word 0xFFBEC5. */
    put(p->base, 0x500, "C5 BF FF");
    /* L32R a2 (0x21) at 0x600 (+0x10), literal at 0x200 (0): 0x200 -
     * 0x600 = -0x400 = 0xFFFC0000 | 0xFF00 << 2, imm16 0xFF00; after
     * 0x200 - 0x610 = -0x410, imm16 (0x40000 - 0x410) / 4 = 0xFEFC. */
    put(p->base, 0x600, "21 00 FF");
    /* L32R at 0x640, literal at 0x500: both move +0x10, imm16 0xFFB0
     * ((0x40000 - 0x140) / 4) stays. */
    put(p->base, 0x640, "21 B0 FF");
    /* L32R at 0x6A2, unaligned: base (0x6A2 + 3) & ~3 = 0x6A4, 0x200 -
     * 0x6A4 = -0x4A4, imm16 0xFED7; after (0x6B5 & ~3) = 0x6B4, -0x4B4,
     * imm16 0xFED3. */
    put(p->base, 0x6A2, "21 D7 FE");
    /* Pointers at 0x700 (+0x10): to code 0x40150900 (+0x10); to data
     * 0x3FFE8040 (file 0x1040, +0x40 = 0x1080, target data 0x1030 ->
     * 0x3FFE8050); to code 0x40150D00 (+0x30). */
    put(p->base, 0x700, "00 09 15 40 40 80 FE 3F 00 0D 15 40");
    /* Pointer priority: 0x40150A3D at 0x800 (-> 0x40150A4D); its bytes 2..
     * 3 and the next byte (15 40 00) decode as a CALL4 in step to
     * 0x40150C04 (+0x30 against the call's +0x10): it must stay. */
    put(p->base, 0x800, "3D 0A 15 40 00");
    /* Not in step: F0 C5 3F at 0x900 is one 3-byte instruction; the C5 at
     * 0x901 would be a CALL0 to 0xD00. Control in step at 0x910, same
     * field: target 0x910 + 4 + 0xFF * 4 = 0xD10 (+0x30), pc +0x10: after
     * (0xD40 - 0x920 - 4) / 4 = 0x107, word 0x41C5. */
    put(p->base, 0x900, "F0 C5 3F 00");
    put(p->base, 0x910, "C5 3F 00");
    /* Run 0xA00.. predicts pointers only: the CALL0 at 0xA10 stays, the
     * pointer at 0xA20 (0x40150D00, +0x30) moves. */
    put(p->base, 0xA10, "C5 3B 00");
    put(p->base, 0xA20, "00 0D 15 40");
    /* Run 0xA80.. predicts relative operands only: the pointer at 0xA90
     * stays; the CALL0 at 0xAA0 to 0xD00: (0xD00 - 0xAA4) / 4 = 0x97,
     * word 0x25C5; after (0xD30 - 0xAB4) / 4 = 0x9F, word 0x27C5. */
    put(p->base, 0xA90, "00 0D 15 40");
    put(p->base, 0xAA0, "C5 25 00");
    /* Data words are no instructions (data address): a CALL pattern in the
     * data segment stays. The pointer in data moves. */
    put(p->base, 0x1100, "C5 6F 00 00 00 09 15 40");

    memcpy(p->want, p->base, IMG);
    put(p->want, 0x100, "C5 70 00");
    put(p->want, 0x202, "E5 60 00");
    put(p->want, 0x500, "C5 BE FF");
    put(p->want, 0x600, "21 FC FE");
    put(p->want, 0x6A2, "21 D3 FE");
    put(p->want, 0x700, "10 09 15 40 50 80 FE 3F 30 0D 15 40");
    put(p->want, 0x800, "4D 0A 15 40 00");
    put(p->want, 0x910, "C5 41 00");
    put(p->want, 0xA20, "30 0D 15 40");
    put(p->want, 0xAA0, "C5 27 00");
    put(p->want, 0x1100, "C5 6F 00 00 10 09 15 40");
}

static void expect_image(const uint8_t *got, const uint8_t *want, uint32_t lo, uint32_t hi)
{
    uint32_t i;
    for (i = lo; i < hi; i++)
        if (got[i - lo] != want[i]) {
            print_error("offset 0x%X: got %02X, want %02X\n", (unsigned)i, got[i - lo], want[i]);
            fail();
        }
}

/* Every rewrite of make_pair, through 48-byte fills (the decoder's). */
static void test_rewrites(void **state)
{
    static struct pair p;
    uint8_t out[IMG];
    (void)state;
    make_pair(&p);
    predict(p.base, 0, IMG, CFOTA_ARCH_SPAN - 2 * CFOTA_ARCH_PAD, out);
    expect_image(out, p.want, 0, IMG);
}

/* The bytes do not depend on how the copy is cut into fills: every fill
 * size from 1 to the largest gives the same image. */
static void test_fill_size_free(void **state)
{
    static struct pair p;
    uint8_t out[IMG];
    uint32_t n;
    (void)state;
    make_pair(&p);
    for (n = 1; n <= CFOTA_ARCH_SPAN - 2 * CFOTA_ARCH_PAD; n++) {
        predict(p.base, 0, IMG, n, out);
        expect_image(out, p.want, 0, IMG);
    }
}

/* A copy that cuts an operand leaves it as it is; the rest of the copy is
 * predicted as in the whole image. */
static void test_copy_edges(void **state)
{
    static struct pair p;
    uint8_t out[IMG];
    (void)state;
    make_pair(&p);
    /* Cut the CALL0 at 0x100 after its first byte: [0x101, 0x700). */
    predict(p.base, 0x101, 0x700, 40, out);
    assert_memory_equal(out, p.base + 0x101, 2); /* 6F 00 as they were */
    expect_image(out + (0x202 - 0x101), p.want, 0x202, 0x700);
    /* Cut before the CALL8's last byte: [0x0, 0x204). */
    predict(p.base, 0, 0x204, 48, out);
    expect_image(out, p.want, 0, 0x202);
    assert_memory_equal(out + 0x202, p.base + 0x202, 2);
}

/* A table that cannot say (no run) and an operand whose new field does not
 * fit leave the bytes alone. */
static int no_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    (void)ctx;
    (void)b;
    (void)disp;
    (void)predict;
    return 1;
}

static void test_unchanged_without_table(void **state)
{
    static struct pair p;
    uint8_t out[IMG];
    (void)state;
    make_pair(&p);
    predict_with(no_disp, p.base, 0, IMG, 48, out);
    assert_memory_equal(out, p.base, IMG);
}

/* An error of the table's reader comes back as it is. */
static int io_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    (void)ctx;
    (void)b;
    (void)disp;
    (void)predict;
    return CFOTA_E_IO;
}

static void test_reader_error(void **state)
{
    static struct pair p;
    uint8_t buf[CFOTA_ARCH_SPAN];
    const struct cfota_disp_src bad = {io_disp, fake_region, read_img, NULL};
    (void)state;
    make_pair(&p);
    memcpy(buf, p.base + 0xF8, sizeof buf); /* the CALL0 at 0x100 */
    assert_int_equal(cfota_arch_xtensa_predict(buf, 0xF8, sizeof buf, 8, 56, &bad), CFOTA_E_IO);
}

/* ---- ESP image headers ---- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Append a segment header and len bytes of fill at *pos. */
static void segment(uint8_t *img, size_t *pos, uint32_t addr, uint32_t len, uint8_t fill)
{
    put32(img + *pos, addr);
    put32(img + *pos + 4, len);
    memset(img + *pos + 8, fill, len);
    *pos += 8 + len;
}

/* An ESP8266 combined image: 0xE9 with IRAM, DRAM, DRAM, then the IROM
 * from 0x1000 with ADDI a1 function starts that the IRAM's literal words
 * point to at flash offset 0 (0x40201000 + 0x20 * k). */
static size_t esp8266_image(uint8_t *img)
{
    size_t pos = 8, k;
    memset(img, 0xFF, 0x2000);
    img[0] = 0xE9;
    img[1] = 3;
    put32(img + 4, 0x40100004);
    segment(img, &pos, 0x40100000, 0x100, 0x3D);
    segment(img, &pos, 0x3FFE8000, 0x40, 0);
    segment(img, &pos, 0x3FFE8040, 0x20, 0);
    for (k = 0; k < 8; k++) {
        put32(img + 16 + 4 * k, 0x40201000 + 0x20 * (uint32_t)k);
        img[0x1000 + 0x20 * k] = 0x12; /* ADDI a1, a1, -16 */
        img[0x1000 + 0x20 * k + 1] = 0xC1;
        img[0x1000 + 0x20 * k + 2] = 0xF0;
    }
    return 0x2000;
}

static void expect_region(const struct cfota_region *r, uint32_t vaddr, uint32_t off, uint32_t len)
{
    assert_int_equal(r->vaddr, vaddr);
    assert_int_equal(r->off, off);
    assert_int_equal(r->len, len);
}

static void test_esp8266_regions(void **state)
{
    static uint8_t img[0x2000];
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    size_t len = esp8266_image(img);
    (void)state;
    /* Segments end at 8 + 0x108 + 0x48 + 0x28 = 0x180, the checksum line
     * at 0x180..0x18F; the IROM part is the rest of the file from 0x190,
     * at 0x40200000 + 0x190 (flashed at 0: the pointers land on the
     * function starts then). The two DRAM segments do not continue each
     * other (8 bytes apart in the file, 0 in the address space). */
    assert_int_equal(esp_image_regions(img, len, r), 4);
    expect_region(&r[0], 0x40200190, 0x190, 0x2000 - 0x190);
    expect_region(&r[1], 0x40100000, 0x10, 0x100);
    expect_region(&r[2], 0x3FFE8000, 0x118, 0x40);
    expect_region(&r[3], 0x3FFE8040, 0x160, 0x20);
    assert_int_equal(arch_detect(img, len, r), CFOTA_ARCH_XTENSA);
}

/* The "new" image: one flash segment, then the 0xE9 RAM image. Flashed at
 * 0x1000 (user1), so its flash data at file 0x10 is at 0x40201010: the
 * pointers say so. */
static void test_esp8266_new_image(void **state)
{
    static uint8_t img[0x2000];
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    size_t pos = 8, e9, k;
    (void)state;
    memset(img, 0, sizeof img);
    img[0] = 0xEA;
    img[1] = 4;
    segment(img, &pos, 0, 0x1000, 0x3D);
    for (k = 0; k < 8; k++) {
        img[0x10 + 0x40 * k] = 0x12;
        img[0x10 + 0x40 * k + 1] = 0xC1;
    }
    e9 = pos;
    img[e9] = 0xE9;
    img[e9 + 1] = 2;
    pos = e9 + 8;
    segment(img, &pos, 0x40100000, 0x80, 0);
    for (k = 0; k < 8; k++)
        put32(img + e9 + 16 + 4 * k, 0x40201010 + 0x40 * (uint32_t)k);
    segment(img, &pos, 0x3FFE8000, 0x40, 0);
    assert_int_equal(esp_image_regions(img, pos, r), 3);
    expect_region(&r[0], 0x40201010, 0x10, 0x1000);
    expect_region(&r[1], 0x40100000, e9 + 16, 0x80);
    expect_region(&r[2], 0x3FFE8000, e9 + 16 + 0x88, 0x40);
    /* Cut anywhere before its end, it is no image (and nothing is read past
     * the cut: each try gets a buffer of exactly its length). */
    for (k = 0; k < pos; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, img, k);
        assert_int_equal(esp_image_regions(cut, k, r), 0);
        free(cut);
    }
}

/* ESP32: the 16-byte extended header, chip id 0; more segments than
 * regions: two that continue each other (the same gap, the next header,
 * in the file and the address space) become one, and the 4 largest are
 * kept. A RISC-V chip (C3, id 5) is refused. */
static void test_esp32_regions(void **state)
{
    static uint8_t img[0x3000];
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    size_t pos = 24;
    (void)state;
    memset(img, 0, sizeof img);
    img[0] = 0xE9;
    img[1] = 6;
    img[8] = 0xEE;                             /* wp pin */
    segment(img, &pos, 0x3F400020, 0x400, 1); /* DROM: data 0x20 */
    segment(img, &pos, 0x3FFB0000, 0x100, 2); /* DRAM: data 0x428 */
    segment(img, &pos, 0x40080000, 0x800, 3); /* IRAM: data 0x530 */
    segment(img, &pos, 0x400D0020, 0x600, 4); /* IROM: data 0xD38..0x1338 */
    segment(img, &pos, 0x400D0628, 0x40, 5);  /* data 0x1340: 8 on from both */
    segment(img, &pos, 0x50000000, 0x20, 6);  /* RTC: the smallest, dropped */
    assert_int_equal(esp_image_regions(img, pos, r), 4);
    expect_region(&r[0], 0x40080000, 0x530, 0x800);
    expect_region(&r[1], 0x400D0020, 0xD38, 0x648);
    expect_region(&r[2], 0x3F400020, 0x20, 0x400);
    expect_region(&r[3], 0x3FFB0000, 0x428, 0x100);
    img[12] = 5;
    assert_int_equal(esp_image_regions(img, pos, r), 0);
}

/* Bad headers: every truncation of a valid image, and every single-byte
 * corruption of its headers, gives 0 or regions inside the file (and,
 * under the sanitizers, reads nothing outside it: each try gets a buffer
 * of exactly its length). */
static void test_bad_headers(void **state)
{
    static uint8_t img[0x2000];
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    size_t len = esp8266_image(img), n, i;
    unsigned bit;
    (void)state;
    for (n = 0; n < 0x200; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        unsigned k, got;
        memcpy(cut, img, n);
        got = esp_image_regions(cut, n, r);
        for (k = 0; k < got; k++)
            assert_true(r[k].off + (uint64_t)r[k].len <= n);
        if (n < 0x180)
            assert_int_equal(got, 0); /* the segments do not fit */
        free(cut);
    }
    for (i = 0; i < 0x30; i++)
        for (bit = 0; bit < 8; bit++) {
            unsigned k, got;
            img[i] ^= (uint8_t)(1u << bit);
            got = esp_image_regions(img, len, r);
            for (k = 0; k < got; k++)
                assert_true(r[k].off + (uint64_t)r[k].len <= len);
            img[i] ^= (uint8_t)(1u << bit);
        }
    /* A segment length past the end, an odd length, a foreign address. */
    put32(img + 12, 0x10000);
    assert_int_equal(esp_image_regions(img, len, r), 0);
    put32(img + 12, 0xFE);
    assert_int_equal(esp_image_regions(img, len, r), 0);
    esp8266_image(img);
    put32(img + 8, 0x20000000);
    assert_int_equal(esp_image_regions(img, len, r), 0);
    assert_int_equal(arch_detect(img, len, r), CFOTA_ARCH_NONE);
}

/* ---- generated firmware (fwgen's ESP8266 cases: Xtensa code) ---- */

/* A package with prediction and one without; the first must apply to the
 * exact target. Returns the two sizes. */
static void both_ways(const struct bytes *o, const struct bytes *n, size_t *plain_n, size_t *pred_n)
{
    struct bytes plain = {0, 0, 0}, pred = {0, 0, 0}, out = {0, 0, 0};
    struct cfota_encode_opts opts;
    char err[200];
    memset(&opts, 0, sizeof opts);
    opts.arch = CFOTA_ENC_ARCH_NONE;
    assert_int_equal(cfota_encode(o->p, o->n, n->p, n->n, &opts, &plain), 0);
    opts.arch = CFOTA_ENC_ARCH_AUTO;
    assert_int_equal(cfota_encode(o->p, o->n, n->p, n->n, &opts, &pred), 0);
    assert_int_equal(cfota_apply_mem(o->p, o->n, pred.p, pred.n, &out, 0, err, sizeof err), CFOTA_OK);
    assert_int_equal(out.n, n->n);
    assert_memory_equal(out.p, n->p, n->n);
    *plain_n = plain.n;
    *pred_n = pred.n;
    bytes_free(&plain);
    bytes_free(&pred);
    bytes_free(&out);
}

/* Code that moves (a relink after code was deleted, moved, swapped): the
 * calls, literal loads and pointers that crossed a move are predicted, and
 * the package is at most 3/4 of the one without prediction (measured:
 * 0.38 to 0.46 at 64 KiB, seed 7). */
static void test_generated_esp8266(void **state)
{
    static const char *const cases[] = {"esp8266-delete", "esp8266-move", "esp8266-swap", "esp8266-shrink"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bytes o = {0, 0, 0}, n = {0, 0, 0};
        struct cfota_region r[CFOTA_ARCH_REGIONS];
        size_t plain, pred;
        assert_int_equal(fwgen_make((size_t)fwgen_case_find(cases[i]), 64, 7, &o, &n), 0);
        assert_int_equal(arch_detect(o.p, o.n, r), CFOTA_ARCH_XTENSA);
        assert_int_equal(esp_image_regions(o.p, o.n, r), 3); /* IROM, DRAM, IRAM */
        both_ways(&o, &n, &plain, &pred);
        print_message("%s: %zu bytes without prediction, %zu with\n", cases[i], plain, pred);
        assert_true(pred * 4 <= plain * 3);
        bytes_free(&o);
        bytes_free(&n);
    }
}

/* ---- corpus tier ---- */

static void corpus_pair(const char *pair, unsigned nregions)
{
    struct bytes o = {0, 0, 0}, n = {0, 0, 0};
    struct cfota_region r[CFOTA_ARCH_REGIONS];
    size_t plain, pred;
    corpus_load(pair, "old.bin", &o);
    corpus_load(pair, "new.bin", &n);
    assert_int_equal(esp_image_regions(o.p, o.n, r), nregions);
    assert_int_equal(arch_detect(n.p, n.n, r), CFOTA_ARCH_XTENSA);
    both_ways(&o, &n, &plain, &pred);
    print_message("%s: %zu bytes without prediction, %zu with\n", pair, plain, pred);
    assert_true(pred < plain);
    bytes_free(&o);
    bytes_free(&n);
}

static void corpus_micropython(void **state)
{
    (void)state;
    corpus_pair("esp8266-micropython-1.9.4-1.10", 4);
}

static void corpus_at(void **state)
{
    (void)state;
    corpus_pair("esp8266-at-1.7.0-1.7.1", 4);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrites),        cmocka_unit_test(test_fill_size_free),
        cmocka_unit_test(test_copy_edges),      cmocka_unit_test(test_unchanged_without_table),
        cmocka_unit_test(test_reader_error),    cmocka_unit_test(test_esp8266_regions),
        cmocka_unit_test(test_esp8266_new_image), cmocka_unit_test(test_esp32_regions),
        cmocka_unit_test(test_bad_headers),     cmocka_unit_test(test_generated_esp8266),
    };
    static const struct CMUnitTest corpus_tests[] = {
        cmocka_unit_test(corpus_micropython),
        cmocka_unit_test(corpus_at),
    };
    return TEST_TIERS(argc, argv, tests, corpus_tests);
}
