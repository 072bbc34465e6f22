/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/match.c: the base suffix array and the target hash chains.
 *
 * The base search is the classic one of bsdiff's design: binary search of
 * the sorted suffixes for the target suffix; the longest common prefix is
 * at one of the two suffixes the search ends between.
 *
 * The target index is an LZ77-style hash chain over 4-byte prefixes, built
 * incrementally as the parser moves forward, so that only positions before
 * the one asked about are ever found.
 */
#include "match.h"

#include <divsufsort.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cfota/model.h"

#define HASH_BITS 16
#define CHAIN_DEPTH 48
/* The chains link only the last WINDOW positions (a ring): the encoder's
 * memory then stays under bsdiff's on large images, at a loss of a few
 * bytes only, since copies from further back in the target are rare. */
#define WINDOW_BITS 16
#define WINDOW ((uint32_t)1 << WINDOW_BITS)

struct matcher {
    const uint8_t *old, *new_;
    size_t old_len, new_len;
    int32_t *sa;
    int32_t *head;  /* 2^HASH_BITS most recent positions, -1 if none */
    int32_t *prev;  /* ring of WINDOW: previous position with the same hash */
    uint32_t inserted;
};

uint32_t match_common(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn, i = 0;
    while (i + 8 <= n) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            break;
        i += 8;
    }
    while (i < n && a[i] == b[i])
        i++;
    return (uint32_t)i;
}

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

struct matcher *matcher_new(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len)
{
    struct matcher *m = xmalloc(sizeof *m);
    memset(m, 0, sizeof *m);
    m->old = old;
    m->new_ = new_;
    m->old_len = old_len;
    m->new_len = new_len;
    if (old_len) {
        m->sa = xmalloc(old_len * sizeof *m->sa);
        if (divsufsort(old, m->sa, (saidx_t)old_len) != 0) {
            matcher_free(m);
            return NULL;
        }
    }
    m->head = xmalloc(((size_t)1 << HASH_BITS) * sizeof *m->head);
    memset(m->head, 0xFF, ((size_t)1 << HASH_BITS) * sizeof *m->head);
    m->prev = xmalloc(WINDOW * sizeof *m->prev);
    return m;
}

void matcher_free(struct matcher *m)
{
    if (!m)
        return;
    free(m->sa);
    free(m->head);
    free(m->prev);
    free(m);
}

struct match match_old(struct matcher *m, uint32_t pos)
{
    struct match r = {0, 0, CFOTA_OP_OLD};
    const uint8_t *t = m->new_ + pos;
    size_t tn = m->new_len - pos, lo = 0, hi;
    uint32_t a, b;
    if (!m->old_len || !tn)
        return r;
    hi = m->old_len - 1;
    while (hi - lo >= 2) {
        size_t mid = lo + (hi - lo) / 2;
        size_t s = (size_t)m->sa[mid], n = m->old_len - s < tn ? m->old_len - s : tn;
        if (memcmp(m->old + s, t, n) < 0)
            lo = mid;
        else
            hi = mid;
    }
    a = match_common(m->old + m->sa[lo], m->old_len - (size_t)m->sa[lo], t, tn);
    b = match_common(m->old + m->sa[hi], m->old_len - (size_t)m->sa[hi], t, tn);
    if (a >= b) {
        r.len = a;
        r.src = (uint32_t)m->sa[lo];
    } else {
        r.len = b;
        r.src = (uint32_t)m->sa[hi];
    }
    return r;
}

static void insert_upto(struct matcher *m, uint32_t pos)
{
    while (m->inserted < pos && m->inserted + 4 <= m->new_len) {
        uint32_t h = hash4(m->new_ + m->inserted);
        m->prev[m->inserted & (WINDOW - 1)] = m->head[h];
        m->head[h] = (int32_t)m->inserted;
        m->inserted++;
    }
    if (m->inserted < pos)
        m->inserted = pos;
}

struct match match_new(struct matcher *m, uint32_t pos, uint32_t min_len)
{
    struct match r = {0, 0, CFOTA_OP_NEW};
    int32_t cand;
    int depth = CHAIN_DEPTH;
    insert_upto(m, pos);
    if (pos + 4 > m->new_len || min_len < 4)
        return r;
    cand = m->head[hash4(m->new_ + pos)];
    while (cand >= 0 && pos - (uint32_t)cand <= WINDOW && depth-- > 0) {
        uint32_t len = match_common(m->new_ + cand, m->new_len - (size_t)cand, m->new_ + pos, m->new_len - pos);
        if (len > r.len) {
            r.len = len;
            r.src = (uint32_t)cand;
        }
        cand = m->prev[(uint32_t)cand & (WINDOW - 1)];
    }
    if (r.len < min_len)
        r.len = 0;
    return r;
}
