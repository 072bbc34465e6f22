/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/inplace.c: ordering segments and resolving conflicts for in-place
 * apply (docs/update-engine.md, "What the encoder guarantees").
 *
 * In place, the device decodes one segment into scratch and then overwrites
 * that segment's blocks of the image. So when segment k is decoded, the
 * base bytes under every segment applied before it are gone, and the target
 * bytes of those segments are there instead. A copy is safe if it reads
 * base bytes of segments not yet applied (or of k itself, or beyond the
 * target's last segment), or target bytes of segments already applied (or
 * earlier in k).
 *
 * The order matters: when code grows, segment k reads base bytes from a
 * little below itself, and applying segments from the top down loses
 * nothing; when code shrinks it is the other way round. We build the
 * "segment k reads n bytes under segment j" matrix and pick, greedily, the
 * segment whose overwriting now would hurt the remaining ones least.
 *
 * A copy that still conflicts is not simply given up: the base bytes it
 * wanted have usually moved into the target, often into a segment already
 * applied. First choice: where the parse itself copied those base bytes to
 * (the inverse of the OLD copies), if that target stretch is available.
 * Second: a match against the available target bytes (a hash index of the
 * whole target, filtered by the order), extended approximately as in the
 * parser. Only what finds neither becomes literal bytes.
 */
#include "inplace.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cfota/model.h"

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

#define HBITS 18
#define CHAIN 32
#define MIN_RESOURCE 8

/* A hash index of every 4-byte string of the target, to find where the
 * bytes of a conflicting copy are available in the target itself. */
struct tindex {
    const uint8_t *t;
    uint32_t n;
    int32_t *head, *prev;
    uint32_t *inv;  /* base offset -> target offset it was copied to, or ~0 */
    uint32_t old_n;
};

static uint32_t h4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HBITS);
}

static void tindex_build(struct tindex *x, const uint8_t *t, uint32_t n)
{
    uint32_t i;
    x->t = t;
    x->n = n;
    x->head = xmalloc(sizeof *x->head << HBITS);
    x->prev = xmalloc((n ? n : 1) * sizeof *x->prev);
    memset(x->head, 0xFF, sizeof *x->head << HBITS);
    for (i = 0; i + 4 <= n; i++) {
        uint32_t h = h4(t + i);
        x->prev[i] = x->head[h];
        x->head[h] = (int32_t)i;
    }
}

static void tindex_invert(struct tindex *x, const struct cfota_oplist *ops, uint32_t old_n)
{
    size_t q;
    x->old_n = old_n;
    x->inv = xmalloc((old_n ? old_n : 1) * sizeof *x->inv);
    memset(x->inv, 0xFF, (old_n ? old_n : 1) * sizeof *x->inv);
    for (q = 0; q < ops->n; q++) {
        const struct cfota_op *op = &ops->v[q];
        uint32_t i;
        if (op->kind != CFOTA_OP_OLD)
            continue;
        for (i = 0; i < op->len; i++)
            if (x->inv[op->src + i] == UINT32_MAX)
                x->inv[op->src + i] = op->pos + i;
    }
}

static void tindex_free(struct tindex *x)
{
    free(x->head);
    free(x->prev);
    free(x->inv);
}

/* May segment k, at target position p, read target byte t? */
static int available(uint64_t t, uint32_t p, uint32_t k, const uint32_t *rank, uint32_t seg)
{
    return t / seg == k ? t < p : rank[t / seg] < rank[k];
}

/* The stretch of the target, available to segment k at p, that the base
 * bytes from s were copied to; its length within [p, end), 0 if none. */
static uint32_t moved(const struct tindex *x, uint64_t s, uint32_t p, uint32_t end, uint32_t k,
                      const uint32_t *rank, uint32_t seg, uint32_t *src_out)
{
    uint32_t t, i = 0;
    if (s >= x->old_n || (t = x->inv[s]) == UINT32_MAX)
        return 0;
    while (p + i < end && s + i < x->old_n && x->inv[s + i] == t + i && available((uint64_t)t + i, p + i, k, rank, seg))
        i++;
    *src_out = t;
    return i;
}

/* The "segment k reads n bytes under segment j" matrix being built. */
struct reads {
    uint64_t *w;
    uint32_t n, seg;
};

static void add_reads(void *ctx, uint32_t k, uint64_t s, uint32_t len)
{
    struct reads *r = ctx;
    uint64_t j = s / r->seg;
    if (j < r->n && j != k)
        r->w[(size_t)k * r->n + j] += len;
}

static void choose_order(const uint64_t *w, uint32_t n, uint32_t *order)
{
    uint64_t *need = calloc(n ? n : 1, sizeof *need);
    uint8_t *done = calloc(n ? n : 1, 1);
    uint32_t i, j, k;
    if (!need || !done)
        abort();
    for (k = 0; k < n; k++)
        for (j = 0; j < n; j++)
            need[j] += w[(size_t)k * n + j];
    for (i = 0; i < n; i++) {
        uint32_t best = n;
        for (j = 0; j < n; j++)
            if (!done[j] && (best == n || need[j] < need[best]))
                best = j;
        order[i] = best;
        done[best] = 1;
        /* best no longer needs anything: drop its reads from the others. */
        for (j = 0; j < n; j++)
            need[j] -= w[(size_t)best * n + j];
    }
    free(need);
    free(done);
}

/* Is the base byte at s still intact while segment k is decoded? */
static int old_ok(const uint32_t *rank, uint32_t n, uint32_t seg, uint32_t k, uint64_t s)
{
    uint64_t j = s / seg;
    return j >= n || j == k || rank[j] > rank[k];
}

/* How many of the len base bytes from s segment k may read, from the
 * start (*ok = 1), or may not (*ok = 0): in the image while intact, or in
 * the stash from their save until their last reader. Always >= 1. */
static uint32_t old_span(const struct inplace_plan *pl, uint32_t k, uint64_t s, uint32_t len, int *ok)
{
    uint64_t edge = (s / pl->seg + 1) * pl->seg, stop;
    const struct stash_grant *g;
    if (old_ok(pl->rank, pl->n, pl->seg, k, s)) {
        *ok = 1;
        stop = edge;
    } else if ((g = stash_find(pl->stash, s)) != NULL && pl->rank[k] <= g->last) {
        *ok = 1;
        stop = (uint64_t)g->base + g->len;
    } else {
        *ok = 0;
        stop = stash_next(pl->stash, s);
    }
    if (stop > edge)
        stop = edge;
    return (uint32_t)(stop - s < len ? stop - s : len);
}

/* Is the target byte at t available while segment k is decoded? */
static int new_ok(const uint32_t *rank, uint32_t seg, uint32_t k, uint64_t t)
{
    uint64_t j = t / seg;
    return j == k || rank[j] < rank[k];
}

/* Longest run of target bytes from src that segment k may read, starting
 * with an exact match of at least MIN_RESOURCE at p and extended
 * approximately (equal byte +2, different -1, keep the best prefix), all
 * within [p, end). Returns its length, 0 if none; *src_out its start. */
static uint32_t resource(const struct tindex *x, uint32_t p, uint32_t end, uint32_t k, const uint32_t *rank,
                         uint32_t seg, uint32_t *src_out)
{
    uint32_t best = 0, best_src = 0;
    int32_t c;
    int depth = CHAIN;
    if (p + 4 > x->n)
        return 0;
    for (c = x->head[h4(x->t + p)]; c >= 0 && depth-- > 0; c = x->prev[c]) {
        uint32_t s = (uint32_t)c, len = 0, i, best_len = 0;
        long score = 0, top = 0;
        if (s == p)
            continue;
        for (i = 0; p + i < end && s + i < x->n; i++) {
            uint64_t src = (uint64_t)s + i;
            if (!available(src, p + i, k, rank, seg))
                break;
            if (x->t[src] == x->t[p + i]) {
                if (len == i)
                    len++;
                score += 2;
            } else {
                score -= 1;
            }
            if (score > top) {
                top = score;
                best_len = i + 1;
            }
        }
        if (len >= MIN_RESOURCE && best_len > best) {
            best = best_len;
            best_src = s;
        }
    }
    *src_out = best_src;
    return best;
}

static void push_merged(struct cfota_oplist *out, unsigned kind, uint32_t pos, uint32_t len, uint32_t src)
{
    struct cfota_op *last = out->n ? &out->v[out->n - 1] : NULL;
    if (kind == CFOTA_OP_LIT && last && last->kind == CFOTA_OP_LIT && last->pos + last->len == pos) {
        last->len += len;
        return;
    }
    oplist_push(out, kind, pos, len, src);
}

/* Cover the conflicting target bytes [p, end) of segment k, whose copy
 * wanted the base bytes from s (UINT64_MAX: it was a target copy): copies
 * from available target bytes where found, literals elsewhere. */
static void cover_conflict(struct cfota_oplist *out, const struct tindex *x, uint64_t s, uint32_t p, uint32_t end,
                           uint32_t k, const uint32_t *rank, uint32_t seg, struct inplace_stats *st)
{
    while (p < end) {
        uint32_t src = 0, len = 0;
        if (s != UINT64_MAX)
            len = moved(x, s, p, end, k, rank, seg, &src);
        if (len < MIN_RESOURCE)
            len = resource(x, p, end, k, rank, seg, &src);
        if (len) {
            push_merged(out, CFOTA_OP_NEW, p, len, src);
        } else {
            len = 1;
            push_merged(out, CFOTA_OP_LIT, p, 1, 0);
            st->conflict_bytes++;
        }
        p += len;
        if (s != UINT64_MAX)
            s += len;
    }
}

/* Rewrite one piece of an op lying inside segment k. Sources are checked
 * per run over which validity cannot change (segment edges, stash
 * entries). */
static void rewrite_piece(struct cfota_oplist *out, const struct cfota_op *op, uint32_t a, uint32_t b,
                          uint32_t k, const struct inplace_plan *pl, const struct tindex *x,
                          struct inplace_stats *st)
{
    const uint32_t *rank = pl->rank;
    uint32_t seg = pl->seg;
    uint32_t p = a;
    if (op->kind == CFOTA_OP_LIT) {
        push_merged(out, CFOTA_OP_LIT, a, b - a, 0);
        return;
    }
    while (p < b) {
        uint64_t s = (uint64_t)op->src + (p - op->pos);
        uint32_t run = (uint32_t)min32(b - p, (uint32_t)(((s / seg) + 1) * seg - s));
        int ok;
        if (op->kind == CFOTA_OP_OLD)
            run = old_span(pl, k, s, run, &ok);
        else
            ok = new_ok(rank, seg, k, s);
        if (ok)
            push_merged(out, op->kind, p, run, (uint32_t)s);
        else
            cover_conflict(out, x, op->kind == CFOTA_OP_OLD ? s : UINT64_MAX, p, p + run, k, rank, seg, st);
        p += run;
    }
}

void inplace_plan_init(struct inplace_plan *pl, const struct cfota_oplist *ops, size_t new_len, uint32_t seg)
{
    uint32_t n = (uint32_t)((new_len + seg - 1) / seg), i;
    uint64_t *w = calloc(n ? (size_t)n * n : 1, sizeof *w);
    struct reads r;
    if (!w)
        abort();
    pl->seg = seg;
    pl->n = n;
    pl->stash = NULL;
    pl->order = xmalloc((n ? n : 1) * sizeof *pl->order);
    pl->rank = xmalloc((n ? n : 1) * sizeof *pl->rank);
    r.w = w;
    r.n = n;
    r.seg = seg;
    inplace_old_pieces(ops, seg, add_reads, &r);
    choose_order(w, n, pl->order);
    for (i = 0; i < n; i++)
        pl->rank[pl->order[i]] = i;
    free(w);
}

void inplace_plan_free(struct inplace_plan *pl)
{
    free(pl->order);
    free(pl->rank);
    memset(pl, 0, sizeof *pl);
}

uint32_t inplace_valid_run(void *plan, unsigned kind, uint32_t p, uint32_t s, uint32_t len)
{
    const struct inplace_plan *pl = plan;
    uint32_t done = 0;
    /* Validity is constant while neither p nor s crosses a segment edge. */
    while (done < len) {
        uint32_t pp = p + done;
        uint64_t ss = (uint64_t)s + done;
        uint32_t k = pp / pl->seg;
        uint32_t run = min32(len - done, (k + 1) * pl->seg - pp);
        int ok;
        run = (uint32_t)(run < ((ss / pl->seg) + 1) * pl->seg - ss ? run : ((ss / pl->seg) + 1) * pl->seg - ss);
        if (kind == CFOTA_OP_OLD)
            run = old_span(pl, k, ss, run, &ok);
        else
            ok = available(ss, pp, k, pl->rank, pl->seg);
        if (!ok)
            break;
        done += run;
    }
    return done;
}

void inplace_resolve(struct cfota_oplist *ops, const struct inplace_plan *pl, const uint8_t *new_, size_t old_len,
                     size_t new_len, struct inplace_stats *st)
{
    struct tindex x;
    struct cfota_oplist out = {0, 0, 0};
    size_t q;
    memset(st, 0, sizeof *st);
    tindex_build(&x, new_, (uint32_t)new_len);
    tindex_invert(&x, ops, (uint32_t)old_len);
    for (q = 0; q < ops->n; q++) {
        const struct cfota_op *op = &ops->v[q];
        uint32_t p = op->pos, end = op->pos + op->len;
        while (p < end) {
            uint32_t k = p / pl->seg, e = min32(end, (k + 1) * pl->seg);
            rewrite_piece(&out, op, p, e, k, pl, &x, st);
            p = e;
        }
    }
    tindex_free(&x);
    oplist_free(ops);
    *ops = out;
}
