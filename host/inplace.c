/*
 * host/inplace.c: ordering segments and resolving conflicts for in-place
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
 * segment whose overwriting now would hurt the remaining ones least. What
 * still conflicts becomes literal bytes.
 */
#include "inplace.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cfota/model.h"

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* Add the base bytes [s, s+len) read by segment k to w. */
static void add_reads(uint64_t *w, uint32_t n, uint32_t seg, uint32_t k, uint64_t s, uint64_t len)
{
    while (len) {
        uint64_t j = s / seg;
        uint64_t take = (j + 1) * seg - s;
        if (take > len)
            take = len;
        if (j < n && j != k)
            w[(size_t)k * n + j] += take;
        s += take;
        len -= take;
    }
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

/* Is the target byte at t available while segment k is decoded? */
static int new_ok(const uint32_t *rank, uint32_t seg, uint32_t k, uint64_t t)
{
    uint64_t j = t / seg;
    return j == k || rank[j] < rank[k];
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

/* Rewrite one piece of an op lying inside segment k. Sources are checked
 * per segment-sized run, since validity only changes at segment edges. */
static void rewrite_piece(struct cfota_oplist *out, const struct cfota_op *op, uint32_t a, uint32_t b,
                          uint32_t k, const uint32_t *rank, uint32_t n, uint32_t seg, struct inplace_stats *st)
{
    uint32_t p = a;
    if (op->kind == CFOTA_OP_LIT) {
        push_merged(out, CFOTA_OP_LIT, a, b - a, 0);
        return;
    }
    while (p < b) {
        uint64_t s = (uint64_t)op->src + (p - op->pos);
        uint32_t run = (uint32_t)min32(b - p, (uint32_t)(((s / seg) + 1) * seg - s));
        int ok = op->kind == CFOTA_OP_OLD ? old_ok(rank, n, seg, k, s) : new_ok(rank, seg, k, s);
        if (ok) {
            push_merged(out, op->kind, p, run, (uint32_t)s);
        } else {
            push_merged(out, CFOTA_OP_LIT, p, run, 0);
            st->conflict_bytes += run;
        }
        p += run;
    }
}

void inplace_plan(struct cfota_oplist *ops, size_t old_len, size_t new_len, uint32_t seg,
                  uint32_t *order, struct inplace_stats *st)
{
    uint32_t n = (uint32_t)((new_len + seg - 1) / seg), i;
    uint64_t *w = calloc(n ? (size_t)n * n : 1, sizeof *w);
    uint32_t *rank = calloc(n ? n : 1, sizeof *rank);
    struct cfota_oplist out = {0, 0, 0};
    size_t q;
    (void)old_len;
    if (!w || !rank)
        abort();
    memset(st, 0, sizeof *st);
    for (q = 0; q < ops->n; q++) {
        const struct cfota_op *op = &ops->v[q];
        uint32_t p = op->pos, end = op->pos + op->len;
        if (op->kind != CFOTA_OP_OLD)
            continue;
        while (p < end) {
            uint32_t k = p / seg, e = min32(end, (k + 1) * seg);
            add_reads(w, n, seg, k, (uint64_t)op->src + (p - op->pos), e - p);
            p = e;
        }
    }
    choose_order(w, n, order);
    for (i = 0; i < n; i++)
        rank[order[i]] = i;
    for (q = 0; q < ops->n; q++) {
        const struct cfota_op *op = &ops->v[q];
        uint32_t p = op->pos, end = op->pos + op->len;
        while (p < end) {
            uint32_t k = p / seg, e = min32(end, (k + 1) * seg);
            rewrite_piece(&out, op, p, e, k, rank, n, seg, st);
            p = e;
        }
    }
    oplist_free(ops);
    *ops = out;
    free(w);
    free(rank);
}
