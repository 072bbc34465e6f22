/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/arch_thumb.c: the Thumb-2 recogniser (lib/operand.h).
 *
 * Operands predicted: the 32-bit branches BL (T1), B.W (T4) and B<c>.W
 * (T3), and 32-bit words that hold an address of the image (literal
 * pools, vector tables, tables of code pointers; a Thumb code pointer has
 * bit 0 set and is moved like the byte it points at).
 *
 * A Thumb stream cannot be parsed from an arbitrary point (a halfword may
 * be the second half of a 32-bit instruction), so recognition is
 * context-free with a bounded look-behind (docs/package-format.md, "Thumb-2
 * rule"): at an even file offset a, a branch pattern R(a) counts unless
 * R(a - 2) holds too. Two counted branches never overlap: if a counts,
 * R(a) holds, so a + 2 does not count. Pointers are 4-byte aligned words
 * (by file offset) that no counted branch overlaps. Every decision is made
 * on the raw bytes before any rewrite, so the rewrites cannot change it.
 */
#include "operand.h"

#include <string.h>

#define HW_SLOTS (CFOTA_ARCH_SPAN / 2u)

static unsigned hw(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

enum { NOT_BRANCH, BRANCH_T4, BRANCH_T3 }; /* T4: BL and B.W; T3: B<c>.W */

/* Which branch, if any, the halfwords h1, h2 encode. */
static int branch_kind(unsigned h1, unsigned h2)
{
    if ((h1 & 0xF800u) != 0xF000u || !(h2 & 0x8000u))
        return NOT_BRANCH;
    if ((h2 & 0xD000u) == 0xD000u || (h2 & 0xD000u) == 0x9000u)
        return BRANCH_T4;
    /* B<c>.W: cond 1110 and 1111 encode other instructions. */
    if ((h2 & 0xD000u) == 0x8000u && ((h1 >> 6) & 0xFu) < 0xEu)
        return BRANCH_T3;
    return NOT_BRANCH;
}

/* The byte offset from the instruction's address (PC - 4 included). */
static int64_t branch_rel(int kind, unsigned h1, unsigned h2)
{
    uint32_t s = (h1 >> 10) & 1u, j1 = (h2 >> 13) & 1u, j2 = (h2 >> 11) & 1u, imm;
    int64_t v;
    if (kind == BRANCH_T4) {
        uint32_t i1 = !(j1 ^ s), i2 = !(j2 ^ s);
        imm = s << 24 | i1 << 23 | i2 << 22 | (h1 & 0x3FFu) << 12 | (h2 & 0x7FFu) << 1;
        v = (int64_t)imm - (s ? (int64_t)1 << 25 : 0);
    } else {
        imm = s << 20 | j2 << 19 | j1 << 18 | (h1 & 0x3Fu) << 12 | (h2 & 0x7FFu) << 1;
        v = (int64_t)imm - (s ? (int64_t)1 << 21 : 0);
    }
    return v + 4;
}

/* Encode offset rel (from the instruction's address) into h1, h2 of the
 * branch kind; 0 when it does not fit (the branch is left as it is). */
static int branch_set(int kind, int64_t rel, unsigned *h1, unsigned *h2)
{
    int64_t v = rel - 4;
    uint32_t u, s;
    if (v & 1)
        return 0;
    if (kind == BRANCH_T4) {
        if (v < -((int64_t)1 << 24) || v >= ((int64_t)1 << 24))
            return 0;
        u = (uint32_t)v;
        s = (u >> 24) & 1u;
        *h1 = (*h1 & 0xF800u) | s << 10 | ((u >> 12) & 0x3FFu);
        /* J1 = NOT(I1) XOR S, J2 = NOT(I2) XOR S. */
        *h2 = (*h2 & 0xD000u) | ((~((u >> 23) & 1u) ^ s) & 1u) << 13 | ((~((u >> 22) & 1u) ^ s) & 1u) << 11 |
              ((u >> 1) & 0x7FFu);
        return 1;
    }
    if (v < -((int64_t)1 << 20) || v >= ((int64_t)1 << 20))
        return 0;
    u = (uint32_t)v;
    s = (u >> 20) & 1u;
    *h1 = (*h1 & 0xFBC0u) | s << 10 | ((u >> 12) & 0x3Fu);
    *h2 = (*h2 & 0xD000u) | ((u >> 18) & 1u) << 13 | ((u >> 19) & 1u) << 11 | ((u >> 1) & 0x7FFu);
    return 1;
}

static int rewrite_branch(uint8_t *p, uint32_t at, const struct cfota_disp_src *src)
{
    unsigned h1 = hw(p), h2 = hw(p + 2);
    int kind = branch_kind(h1, h2);
    int64_t nrel;
    int rc = cfota_rel_predict(src, at, branch_rel(kind, h1, h2), &nrel);
    if (rc != 1)
        return rc;
    if (!branch_set(kind, nrel, &h1, &h2))
        return 0;
    p[0] = (uint8_t)h1;
    p[1] = (uint8_t)(h1 >> 8);
    p[2] = (uint8_t)h2;
    p[3] = (uint8_t)(h2 >> 8);
    return 1;
}

/* Which slots (even offsets first + 2k) and which words (offsets wfirst +
 * 4j) to rewrite: decided on the raw bytes, before any rewrite. */
static void decide(const uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi, uint32_t *branches,
                   uint32_t *words)
{
    uint32_t first = off & 1u, wfirst = (4u - (off & 3u)) & 3u, k, nslots, pat = 0, cnt;
    nslots = len >= first + 4 ? (len - first - 4) / 2 + 1 : 0;
    for (k = 0; k < nslots; k++) {
        const uint8_t *p = buf + first + 2 * k;
        if (branch_kind(hw(p), hw(p + 2)) != NOT_BRANCH)
            pat |= 1u << k;
    }
    /* Counted: the pattern at k and not at k - 1 (slot 0 has no look-behind
     * in buf: it counts only at the edge of a copy, alike on both sides). */
    cnt = pat & ~(pat << 1);
    *branches = 0;
    for (k = 0; k < nslots; k++) {
        uint32_t a = first + 2 * k;
        if ((cnt >> k & 1u) && a + 4 > lo && a < hi)
            *branches |= 1u << k;
    }
    *words = 0;
    for (k = wfirst; k + 4 <= len; k += 4) {
        /* The slot at k (off + k is even, so k and first have one parity):
         * counted branches at k - 2, k, k + 2 overlap the word. */
        uint32_t slot = (k - first) / 2;
        if (k + 4 <= lo || k >= hi)
            continue;
        if ((slot > 0 && (cnt >> (slot - 1) & 1u)) || (cnt >> slot & 1u) || (cnt >> (slot + 1) & 1u))
            continue;
        *words |= 1u << ((k - wfirst) / 4);
    }
}

int cfota_arch_thumb_predict(uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi,
                             const struct cfota_disp_src *src)
{
    uint32_t branches, words, k, skip;
    int rc;
    if (len > CFOTA_ARCH_SPAN || lo >= hi)
        return 0;
    decide(buf, off, len, lo, hi, &branches, &words);
    /* Then the rewrites, with few values live across the calls: the
     * decoder's stack is part of its RAM bound. Pointers first, then
     * branches (they never overlap). */
    skip = (4u - (off & 3u)) & 3u;
    for (k = 0; words; k++, words >>= 1)
        if ((words & 1u) && (rc = cfota_ptr_predict(buf + skip + 4 * k, off + skip + 4 * k, src)) < 0)
            return rc;
    skip = off & 1u;
    for (k = 0; branches; k++, branches >>= 1)
        if ((branches & 1u) && (rc = rewrite_branch(buf + skip + 2 * k, off + skip + 2 * k, src)) < 0)
            return rc;
    return 0;
}
