/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/stash.c: the stash plan (encoder/stash.h).
 *
 * In place, the commit of a segment destroys the base bytes under it. A
 * copy of a segment applied later that wanted them would, without a stash,
 * have to find the bytes elsewhere or spend literals on them; when whole
 * regions move past each other (code shifting forward while data shifts
 * back, two blocks swapped) no segment order avoids that, and the cost
 * grows with how far things moved. With a stash the device saves exactly
 * those bytes to spare flash just before the commit, and the copy reads
 * them from there: the package stays what the unconstrained parse said,
 * and the price is paid in spare flash, bounded by the budget.
 *
 * Layout. A need is (base range, the step that destroys it, the last step
 * that reads it). Needs under one segment are merged when close (a stash
 * unit costs flash, an entry costs 16 package bytes), then placed, in step
 * order, first fit into runs of free stash units; a unit is free again
 * once every segment reading it has been committed. Each entry starts on a
 * unit of its own, so the device erases and programs an entry's units
 * without touching any other entry (the engine's power-cut argument relies
 * on it).
 */
#include "stash.h"

#include <stdlib.h>
#include <string.h>

#include "seg_order.h"

/* Needs closer than this under one segment become one entry. */
#define MERGE_GAP 2048u
/* An entry must save at least this many conflicting bytes to pay for its
 * 16 bytes in the package. */
#define MIN_CONFLICT 24u

struct need {
    uint32_t base, len, step, last;
};

struct needs {
    struct need *v;
    size_t n, cap;
};

static void need_push(struct needs *l, uint32_t base, uint32_t len, uint32_t step, uint32_t last)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n].base = base;
    l->v[l->n].len = len;
    l->v[l->n].step = step;
    l->v[l->n].last = last;
    l->n++;
}

static int by_base(const void *a, const void *b)
{
    const struct need *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static int by_step(const void *a, const void *b)
{
    const struct stash_grant *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    return x->base < y->base ? -1 : x->base > y->base;
}

static int grant_by_base(const void *a, const void *b)
{
    const struct stash_grant *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

struct collecting {
    struct needs *l;
    const struct inplace_plan *pl;
};

/* A base copy piece: a need if its bytes lie under a segment committed
 * before the one reading them. */
static void collect_piece(void *ctx, uint32_t k, uint64_t s, uint32_t len)
{
    const struct collecting *c = ctx;
    uint64_t j = s / c->pl->seg;
    if (j < c->pl->n && j != k && c->pl->rank[j] < c->pl->rank[k])
        need_push(c->l, (uint32_t)s, len, c->pl->rank[j], c->pl->rank[k]);
}

/* The base bytes copies read under segments committed before them. */
static void collect(struct needs *l, const struct cfota_oplist *ops, const struct inplace_plan *pl)
{
    struct collecting c;
    c.l = l;
    c.pl = pl;
    inplace_old_pieces(ops, pl->seg, collect_piece, &c);
}

/* Merge the needs (sorted by base) of one segment into candidate grants;
 * returns their count. */
static size_t merge(struct needs *l, const struct inplace_plan *pl, struct stash_grant *out)
{
    size_t i = 0, m = 0;
    while (i < l->n) {
        struct stash_grant g;
        uint64_t conflict = l->v[i].len;
        uint32_t seg = l->v[i].base / pl->seg;
        g.base = l->v[i].base;
        g.len = l->v[i].len;
        g.step = l->v[i].step;
        g.last = l->v[i].last;
        g.at = 0;
        for (i++; i < l->n && l->v[i].base / pl->seg == seg && l->v[i].base <= g.base + g.len + MERGE_GAP; i++) {
            uint32_t end = l->v[i].base + l->v[i].len;
            if (end > g.base + g.len)
                g.len = end - g.base;
            if (l->v[i].last > g.last)
                g.last = l->v[i].last;
            conflict += l->v[i].len;
        }
        if (conflict >= MIN_CONFLICT)
            out[m++] = g;
    }
    return m;
}

/* Place grants (sorted by step) first fit into stash units from unit
 * first on; busy[u] is the last step that reads unit u (-1: never used).
 * Drops what does not fit; returns the count kept. */
static size_t place(struct stash_grant *g, size_t n, uint32_t first, uint32_t units, uint32_t *size,
                    uint64_t *saved)
{
    int64_t *busy = malloc((units ? units : 1) * sizeof *busy);
    size_t i, kept = 0;
    uint32_t top = first, u;
    if (!busy)
        abort();
    for (u = 0; u < units; u++)
        busy[u] = -1;
    for (i = 0; i < n; i++) {
        uint32_t need = (g[i].len + CFOTA_STASH_UNIT - 1) / CFOTA_STASH_UNIT, run = 0, at = 0;
        for (u = first; u < units && run < need; u++) {
            /* A unit read until step L may be rewritten at a later step. */
            if (busy[u] < (int64_t)g[i].step) {
                if (run++ == 0)
                    at = u;
            } else {
                run = 0;
            }
        }
        if (run < need)
            continue;
        for (u = at; u < at + need; u++)
            busy[u] = g[i].last;
        if (at + need > top)
            top = at + need;
        g[i].at = at * CFOTA_STASH_UNIT;
        *saved += g[i].len;
        g[kept++] = g[i];
    }
    free(busy);
    *size = top * CFOTA_STASH_UNIT;
    return kept;
}

void stash_plan_make(struct stash_plan *sp, const struct cfota_oplist *ops, const struct inplace_plan *pl,
                     uint32_t budget, uint32_t reserved)
{
    struct needs l = {0, 0, 0};
    memset(sp, 0, sizeof *sp);
    sp->size = reserved;
    if (budget < reserved + CFOTA_STASH_UNIT)
        return;
    collect(&l, ops, pl);
    if (l.n) {
        qsort(l.v, l.n, sizeof *l.v, by_base);
        sp->v = malloc(l.n * sizeof *sp->v);
        if (!sp->v)
            abort();
        sp->n = merge(&l, pl, sp->v);
        qsort(sp->v, sp->n, sizeof *sp->v, by_step);
        sp->n = place(sp->v, sp->n, reserved / CFOTA_STASH_UNIT, budget / CFOTA_STASH_UNIT, &sp->size, &sp->saved);
        qsort(sp->v, sp->n, sizeof *sp->v, grant_by_base);
    }
    free(l.v);
}

void stash_plan_free(struct stash_plan *sp)
{
    free(sp->v);
    memset(sp, 0, sizeof *sp);
}

const struct stash_grant *stash_find(const struct stash_plan *sp, uint64_t s)
{
    size_t lo = 0, hi = sp ? sp->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s < sp->v[mid].base)
            hi = mid;
        else if (s >= (uint64_t)sp->v[mid].base + sp->v[mid].len)
            lo = mid + 1;
        else
            return &sp->v[mid];
    }
    return NULL;
}

uint64_t stash_next(const struct stash_plan *sp, uint64_t s)
{
    size_t lo = 0, hi = sp ? sp->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp->v[mid].base <= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return sp && lo < sp->n ? sp->v[lo].base : UINT64_MAX;
}

void stash_plan_write(const struct stash_plan *sp, struct bytes *out)
{
    uint8_t b[CFOTA_PLAN_HEAD > CFOTA_PLAN_ENTRY ? CFOTA_PLAN_HEAD : CFOTA_PLAN_ENTRY];
    struct cfota_plan_head h;
    size_t i;
    h.count = (uint32_t)sp->n;
    h.stash_size = sp->size;
    cfota_plan_head_write(&h, b);
    bytes_put(out, b, CFOTA_PLAN_HEAD);
    for (i = 0; i < sp->n; i++) {
        struct cfota_stash_entry e;
        e.step = sp->v[i].step;
        e.base = sp->v[i].base;
        e.len = sp->v[i].len;
        e.at = sp->v[i].at;
        cfota_stash_entry_write(&e, b);
        bytes_put(out, b, CFOTA_PLAN_ENTRY);
    }
}
