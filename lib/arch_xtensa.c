/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/arch_xtensa.c: the Xtensa recogniser (lib/operand.h) for the LX106
 * (ESP8266) and LX6/LX7 (ESP32, -S2, -S3): CALL0/4/8/12, L32R and 32-bit
 * pointers (literal pools, tables).
 *
 * Xtensa is the hard case: instructions are 2 or 3 bytes with no
 * alignment, and literal pools sit between functions, so a byte pattern
 * that looks like a CALL may be the middle of another instruction or a
 * constant, and the prediction must be a pure function of a few bytes
 * around it (it cannot disassemble from a function start). The rule
 * (docs/package-format.md, "Xtensa rule", is the contract):
 *
 *  - A pointer is a word at a 4-aligned offset whose value is an address
 *    the table can move (cfota_op_move). Pointers are decided first.
 *  - An instruction candidate (CALLn: op0 5; L32R: op0 1) counts if it is
 *    in step: an instruction's length is told by its first byte (op0 8..13:
 *    2 bytes, else 3), and decoding from a wrong byte falls back into step
 *    within a few instructions; so of the decodes started at each of the 6
 *    bytes before it, at least 4 must land exactly on it. It must also run
 *    from code (address 0x40000000..0x4FFFFFFF), a CALL must go to code,
 *    and no pointer word may overlap it (a literal pool is data, the
 *    commonest false instruction).
 * Two counted instructions never overlap: a decode that lands on a 3-byte
 * candidate p jumps to p + 3, so if 4 of p's 6 starts land on p, at most 2
 * of those of p + 1 or p + 2 can land there. So the rewrites are disjoint:
 * a first pass decides every operand on the raw bytes (two bit masks over
 * buf), a second rewrites them, each reading only its own bytes.
 *
 * J (op0 6, n 0) is not predicted: on the two ESP8266 pairs of the corpus
 * it made both packages larger (by 40 and 80 bytes): jumps stay inside a
 * function, which moves as one piece, so a jump that changed is one the
 * table cannot know about.
 */
#include <stdint.h>

#include "operand.h"

/* Look-behind of the step test: of the decodes started at each of the
 * XT_SYNC_FROM bytes before a candidate, XT_SYNC_MIN must land on it. The
 * rules read p - 6 .. p + 5 around an operand at p, within the
 * CFOTA_ARCH_PAD bytes the caller gives on each side. */
#define XT_SYNC_FROM 6
#define XT_SYNC_MIN 4

/* The address space of the ESP chips: code (IRAM, flash-mapped IROM) lies in
 * 0x40000000..0x4FFFFFFF; a pointer's value is an address of the chips'
 * memory, DROM to RTC. */
#define XT_CODE_LO 0x40000000u
#define XT_CODE_HI 0x50000000u
#define XT_ADDR_LO 0x3F000000u
#define XT_ADDR_HI 0x50002000u

/* Fields of the 24-bit instructions (little-endian, op0 in bits 3..0). */
#define XT_OP0(w) ((w) & 0xFu)
#define XT_OP_L32R 0x1u
#define XT_OP_CALLN 0x5u
#define XT_OFF18_MIN (-(1l << 17))
#define XT_OFF18_MAX ((1l << 17) - 1)
#define XT_L32R_MIN (-(1l << 18)) /* the literal lies 4..256 KiB below */

/* One call: its arguments, and the decisions of the first pass (bit x:
 * buf position x), made on the raw bytes before anything is rewritten. */
struct xt_scan {
    const struct cfota_disp_src *src;
    uint8_t *buf;
    uint32_t off, len, lo, hi;
    uint64_t ptr, insn; /* a pointer / a counted instruction starts here */
};

/* Byte of buf at position x, or -1 outside buf (absent). */
static int byte_at(const struct xt_scan *s, int64_t x)
{
    if (x < 0 || x >= (int64_t)s->len)
        return -1;
    return s->buf[x];
}

/* The little-endian word of n bytes at x, or -1 if it leaves buf. */
static int64_t word_at(const struct xt_scan *s, int64_t x, unsigned n)
{
    int64_t w = 0;
    unsigned i;
    for (i = 0; i < n; i++) {
        int b = byte_at(s, x + i);
        if (b < 0)
            return -1;
        w |= (int64_t)b << (8 * i);
    }
    return w;
}

/* Length of the instruction whose first byte is b0: the narrow (density)
 * formats have op0 8..13. */
static unsigned insn_len(int b0)
{
    unsigned op0 = (unsigned)b0 & 0xFu;
    return op0 >= 8 && op0 <= 13 ? 2 : 3;
}

/* In step: of the decodes started at each of the XT_SYNC_FROM bytes
 * before p, at least XT_SYNC_MIN land exactly on p. Decoding falls into
 * step quickly, so at a real instruction most starts agree; inside an
 * instruction or in data few do. Bytes before the window's start count as
 * absent (only at the image start can the window begin closer). */
static int in_step(const struct xt_scan *s, int64_t p)
{
    int64_t from;
    unsigned land = 0;
    for (from = p - XT_SYNC_FROM; from < p; from++) {
        int64_t x = from;
        if (x < 0)
            continue;
        while (x < p) {
            int b = byte_at(s, x);
            if (b < 0)
                break;
            x += insn_len(b);
        }
        land += x == p;
    }
    return land >= XT_SYNC_MIN;
}

static int is_code(uint32_t v)
{
    return v >= XT_CODE_LO && v < XT_CODE_HI;
}

static int32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    return (int32_t)((v ^ m) - m);
}

/* What an operand decodes to, and how to write a new one. */
enum xt_kind { XT_NONE, XT_CALL, XT_L32R };

static enum xt_kind insn_kind(uint32_t w)
{
    if (XT_OP0(w) == XT_OP_CALLN)
        return XT_CALL;
    if (XT_OP0(w) == XT_OP_L32R)
        return XT_L32R;
    return XT_NONE;
}

/* The address an instruction word at address pc refers to. */
static uint32_t insn_target(enum xt_kind k, uint32_t w, uint32_t pc)
{
    switch (k) {
    case XT_CALL:
        return (pc & ~3u) + ((uint32_t)sext(w >> 6, 18) << 2) + 4u;
    default: /* XT_L32R: the literal, 4..256 KiB below the aligned pc */
        return ((pc + 3u) & ~3u) + (0xFFFC0000u | (w >> 8) << 2);
    }
}

/* Re-encode w at address pc to refer to tv. Returns 0 and sets *out, or 1
 * if the target cannot be encoded there (then the word stays). */
static int insn_retarget(enum xt_kind k, uint32_t w, uint32_t pc, uint32_t tv, uint32_t *out)
{
    int64_t delta;
    switch (k) {
    case XT_CALL:
        delta = (int64_t)tv - (int64_t)((pc & ~3u) + 4u);
        if (delta & 3 || delta / 4 < XT_OFF18_MIN || delta / 4 > XT_OFF18_MAX)
            return 1;
        *out = (w & 0x3Fu) | ((uint32_t)(delta / 4) & 0x3FFFFu) << 6;
        return 0;
    default:
        delta = (int64_t)tv - (int64_t)((pc + 3u) & ~3u);
        if (delta & 3 || delta < XT_L32R_MIN || delta >= 0)
            return 1;
        *out = (w & 0xFFu) | ((uint32_t)(delta / 4) & 0xFFFFu) << 8;
        return 0;
    }
}

/* A pointer: a word at a 4-aligned offset, whose value is an address
 * of the chips' memory that the table can move (cfota_op_move: inside a
 * base region, at an offset the table covers), into *moved_to. Decided
 * whatever the run's flags, so that an instruction's fate never depends
 * on whether a pointer is rewritten. */
static int is_pointer(const struct xt_scan *s, int64_t x, uint32_t *moved_to)
{
    int64_t w;
    if (x < 0 || (s->off + (uint32_t)x) & 3u || (w = word_at(s, x, 4)) < 0)
        return 0;
    if ((uint32_t)w < XT_ADDR_LO || (uint32_t)w >= XT_ADDR_HI)
        return 0;
    return cfota_op_move(s->src, (uint32_t)w, moved_to);
}

static int bit(uint64_t mask, int64_t x)
{
    return x >= 0 && x < 64 && (mask >> x & 1u);
}

/* First pass: which positions hold a pointer, and which a counted
 * instruction (an instruction candidate in step that no pointer word
 * overlaps). Pointers are looked for where an instruction of [first,
 * hi) could overlap one. */
static int decide(struct xt_scan *s, int64_t first)
{
    int64_t x;
    uint32_t moved_to;
    int rc;
    s->ptr = s->insn = 0;
    for (x = first - 3 > 0 ? first - 3 : 0; x < (int64_t)s->hi + 3 && x < (int64_t)s->len; x++) {
        if ((rc = is_pointer(s, x, &moved_to)) < 0)
            return rc;
        s->ptr |= (uint64_t)rc << x;
    }
    for (x = first > 0 ? first : 0; x < (int64_t)s->hi; x++) {
        int64_t w = word_at(s, x, 3), y;
        int free_of_ptr = 1;
        if (w < 0 || insn_kind((uint32_t)w) == XT_NONE || !in_step(s, x))
            continue;
        for (y = x - 3; y < x + 3; y++)
            free_of_ptr &= !bit(s->ptr, y);
        s->insn |= (uint64_t)free_of_ptr << x;
    }
    return 0;
}

/* Write the low n bytes of v at buf position x, inside [lo, hi) only. */
static void put(const struct xt_scan *s, int64_t x, uint32_t v, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++, v >>= 8)
        if (x + i >= s->lo && x + i < s->hi)
            s->buf[x + i] = (uint8_t)v;
}

/* Second pass, a counted instruction at x: its bytes are still raw (no
 * other rewrite overlaps it). va: its address and where it moves, then
 * where its reference moves. */
static int predict_insn(const struct xt_scan *s, int64_t x)
{
    uint32_t w = (uint32_t)word_at(s, x, 3), va[3], tv, nw;
    enum xt_kind k = insn_kind(w);
    int rc;
    if ((rc = cfota_op_site(s->src, s->off + (uint32_t)x, CFOTA_PRED_REL, &va[0], &va[1])) != 1)
        return rc;
    tv = insn_target(k, w, va[0]);
    /* Instructions run from code, and calls go to code. */
    if (!is_code(va[0]) || (k == XT_CALL && !is_code(tv)))
        return 0;
    if ((rc = cfota_op_move(s->src, tv, &va[2])) != 1)
        return rc;
    if (insn_retarget(k, w, va[1], va[2], &nw) == 0)
        put(s, x, nw, 3);
    return 0;
}

/* Second pass, a pointer at x. Not cfota_ptr_predict: its stack frame on
 * top of this one would pass the decoder's stack bound. */
static int predict_pointer(const struct xt_scan *s, int64_t x)
{
    uint32_t v[2]; /* the new value, then the site's addresses (unused) */
    int rc = is_pointer(s, x, &v[0]);
    if (rc != 1)
        return rc;
    if ((rc = cfota_op_site(s->src, s->off + (uint32_t)x, CFOTA_PRED_ABS, &v[1], &v[1])) != 1)
        return rc;
    put(s, x, v[0], 4);
    return 0;
}

int cfota_arch_xtensa_predict(uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi,
                              const struct cfota_disp_src *src)
{
    struct xt_scan s;
    int64_t x, first = (int64_t)lo - 3;
    int rc;
    if (len > CFOTA_ARCH_SPAN || hi > len || lo >= hi)
        return 0;
    s.src = src;
    s.buf = buf;
    s.off = off;
    s.len = len;
    s.lo = lo;
    s.hi = hi;
    if ((rc = decide(&s, first)) < 0)
        return rc;
    /* The rewrites are disjoint (no two counted instructions overlap, and
     * none overlaps a pointer), so their order does not matter. */
    for (x = first > 0 ? first : 0; x < (int64_t)hi; x++) {
        if (bit(s.ptr, x) && (rc = predict_pointer(&s, x)) < 0)
            return rc;
        if (bit(s.insn, x) && (rc = predict_insn(&s, x)) < 0)
            return rc;
    }
    return 0;
}
