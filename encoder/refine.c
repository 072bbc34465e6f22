/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/refine.c: improving a parse by what the coder says it costs.
 *
 * The parser scores bytes (an equal byte +2, a different one -1) and needs
 * a match of several bytes before it leaves literals; the coder pays in
 * bits that depend on its adaptive models. So a parse leaves bits on the
 * table: inside a literal run, two or three bytes that repeat at the last
 * target distance or along the last base alignment cost a flag and a
 * length as a copy, against 7 or 8 bits each as literals; and the boundary
 * between two ops is where the byte scores said, not where the bits say.
 *
 * This pass walks each segment once, keeping the coder's state (models,
 * history, cursors) for the ops it has settled. At each op it tries a few
 * rewrites and codes every one of them from that same state, through the
 * next LOOKAHEAD bytes past what the rewrite touches, keeping the cheapest:
 *   - inside a literal run, a copy from a source that costs one or two
 *     flags to name (the last target distance; the base alignment of the
 *     last base copy; the base cursor where that copy stopped), as long as
 *     it matches exactly;
 *   - the boundary with the next op moved by up to SHIFT bytes either way:
 *     each byte in reach is costed once as the one op and once as the
 *     other, which points at the likely best place; only that one is
 *     tried in full;
 *   - a short next op (up to FOLD_MAX bytes) folded into this one, and the
 *     op after it too when it continues this one (a copy along the same
 *     alignment, or literals).
 * A rewrite of an op's end brings it a new neighbour or a new context, so
 * the end is tried again, up to REPEAT times.
 * The trials are cheap because the coder can take a trial back (it logs
 * the models it changes) and because a header and its op's bytes use
 * disjoint models: the bytes that every rewrite shares are coded once,
 * before the header is known.
 *
 * The choice is greedy and looks only a few bytes ahead, so the result is
 * not always smaller overall; encoder/encoder.c codes both lists and keeps the
 * smaller package.
 */
#include "refine.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cfota/model.h"
#include "match.h"

#define REP_MIN 2    /* shortest copy tried inside a literal run */
#define SHIFT 32     /* a boundary moves by up to this many bytes */
#define FOLD_MAX 256 /* longest op folded into the one before it */
#define REPEAT 8     /* most rewrites of one op's end in a row */
#define LOOKAHEAD 8  /* bytes coded past the last one a rewrite touches */

struct refine {
    const uint8_t *old, *new_;
    uint32_t old_len, new_len;
    const struct refine_params *rp;
    struct coder_sim sim;
    struct cfota_op *w; /* the segment's ops, being rewritten; len 0 = gone */
    size_t n, cap;
    uint32_t seg_end;
    struct cfota_oplist *out; /* the ops settled so far */
};

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static int is_copy(const struct cfota_op *op)
{
    return op->kind != CFOTA_OP_LIT;
}

/* May len bytes at target pos be copied from src (kind OLD or NEW)? */
static int copy_ok(const struct refine *r, unsigned kind, int64_t pos, int64_t src, uint32_t len)
{
    if (src < 0)
        return 0;
    if (kind == CFOTA_OP_OLD) {
        if (src + len > (int64_t)r->old_len)
            return 0;
    } else if (src == pos || (src > pos && !r->rp->ordered) || src + len > (int64_t)r->new_len) {
        return 0;
    }
    return !r->rp->valid_run ||
           r->rp->valid_run(r->rp->valid_ctx, kind, (uint32_t)pos, (uint32_t)src, len) >= len;
}

/* Do a and b copy along the same alignment (so that one op could do both)? */
static int same_alignment(const struct cfota_op *a, const struct cfota_op *b)
{
    return a->kind == b->kind &&
           (a->kind == CFOTA_OP_LIT || (int64_t)a->src - a->pos == (int64_t)b->src - b->pos);
}

static void insert_op(struct refine *r, size_t at, struct cfota_op op)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->w = xrealloc(r->w, r->cap * sizeof *r->w);
    }
    memmove(&r->w[at + 1], &r->w[at], (r->n - at) * sizeof *r->w);
    r->w[at] = op;
    r->n++;
}

static struct cfota_op make_op(unsigned kind, uint32_t pos, uint32_t len, uint32_t src)
{
    struct cfota_op op;
    op.kind = (uint8_t)kind;
    op.pos = pos;
    op.len = len;
    op.src = src;
    return op;
}

/* Bits to code seq[0..k) and then the ops from w[from] on, from the
 * coder's state (where the bytes of seq[0] before done are coded already
 * but not its header), up to target offset limit. The state is left as it
 * was. */
static double trial(struct refine *r, const struct cfota_op *seq, size_t k, size_t from, uint32_t done,
                    uint32_t limit)
{
    double bits = 0;
    size_t i;
    coder_sim_trial(&r->sim);
    for (i = 0;; i++) {
        const struct cfota_op *op;
        if (i < k)
            op = &seq[i];
        else if (from + (i - k) < r->n)
            op = &r->w[from + (i - k)];
        else
            break;
        if (op->len == 0)
            continue;
        if (op->pos >= limit)
            break;
        bits += coder_sim_head(&r->sim, op);
        bits += coder_sim_bytes(&r->sim, r->old, r->new_, op, i == 0 ? done : op->pos,
                                min32(op->pos + op->len, limit));
    }
    coder_sim_undo(&r->sim);
    return bits;
}

/* The copies at target q, within a literal run ending at end, whose source
 * the coder names in a flag or two: c[0] at the last target distance, c[1]
 * along the last base copy's alignment, c[2] from the base cursor where
 * that copy stopped. len 0: none (or q is before skip[a]). */
static int cheap_copies(const struct refine *r, uint32_t q, uint32_t end, const uint32_t *skip,
                        struct cfota_op *c)
{
    const struct coder_state *s = &r->sim.s;
    int64_t src[3];
    unsigned a, found = 0;
    src[0] = s->new_rep ? (int64_t)q - s->new_rep : -1;
    src[1] = (int64_t)s->old_cursor + ((int64_t)q - (int64_t)s->last_old_end);
    src[2] = q != s->last_old_end ? (int64_t)s->old_cursor : -1;
    for (a = 0; a < 3; a++) {
        unsigned kind = a == 0 ? CFOTA_OP_NEW : CFOTA_OP_OLD;
        const uint8_t *base = a == 0 ? r->new_ : r->old;
        uint32_t base_len = a == 0 ? r->new_len : r->old_len, m;
        c[a].len = 0;
        if (q < skip[a] || src[a] < 0 || src[a] >= (int64_t)base_len)
            continue;
        m = match_common(base + src[a], base_len - (size_t)src[a], r->new_ + q, end - q);
        if (m < REP_MIN || !copy_ok(r, kind, q, src[a], m))
            continue;
        c[a] = make_op(kind, q, m, (uint32_t)src[a]);
        found = 1;
    }
    return (int)found;
}

/* Inside the literal run w[j], whose bytes before *done are coded: look for
 * a cheap copy that pays. If one does, the literals before it are settled,
 * w[j] becomes the copy and the rest of the run follows it; returns 1.
 * Returns 0 when the run has no (more) such copy. */
static int split_literal(struct refine *r, size_t j, uint32_t *done)
{
    const struct cfota_op o = r->w[j];
    uint32_t end = o.pos + o.len, q, skip[3] = {0, 0, 0};
    for (q = *done; q + REP_MIN <= end; q++) {
        struct cfota_op c[3], seq[3];
        uint32_t limit, longest = 0;
        double bits, best_bits;
        int a, best = -1;
        if (!cheap_copies(r, q, end, skip, c))
            continue;
        coder_sim_bytes(&r->sim, r->old, r->new_, &o, *done, q);
        *done = q;
        for (a = 0; a < 3; a++)
            longest = c[a].len > longest ? c[a].len : longest;
        limit = min32(q + longest + LOOKAHEAD, r->seg_end);
        best_bits = trial(r, &o, 1, j + 1, q, limit);
        for (a = 0; a < 3; a++) {
            size_t k = 0;
            uint32_t cend = q + c[a].len;
            if (!c[a].len)
                continue;
            if (q > o.pos)
                seq[k++] = make_op(CFOTA_OP_LIT, o.pos, q - o.pos, 0);
            seq[k++] = c[a];
            if (cend < end)
                seq[k++] = make_op(CFOTA_OP_LIT, cend, end - cend, 0);
            bits = trial(r, seq, k, j + 1, q, limit);
            if (bits < best_bits) {
                best_bits = bits;
                best = a;
            }
        }
        if (best < 0) {
            /* Shorter copies along the same source will not pay either. */
            for (a = 0; a < 3; a++)
                if (c[a].len)
                    skip[a] = q + c[a].len;
            continue;
        }
        if (q > o.pos) {
            struct cfota_op lit = make_op(CFOTA_OP_LIT, o.pos, q - o.pos, 0);
            coder_sim_head(&r->sim, &lit);
            oplist_push(r->out, lit.kind, lit.pos, lit.len, 0);
        }
        r->w[j] = c[best];
        if (q + c[best].len < end)
            insert_op(r, j + 1, make_op(CFOTA_OP_LIT, q + c[best].len, end - q - c[best].len, 0));
        return 1;
    }
    return 0;
}

/* Index of the first op from i on that has bytes, r->n if none. */
static size_t next_live(const struct refine *r, size_t i)
{
    while (i < r->n && r->w[i].len == 0)
        i++;
    return i;
}

/* w[j] (bytes before *done coded) followed by w[k]: the rewrite of the two
 * (and of w[k2] when it continues w[j]) into seq, of which k ops replace
 * w[j..last]. One candidate: w[j] ends at new_end (up to w[k]'s end, which
 * folds w[k] into w[j]; merge: w[k2] too). Returns the number of ops in
 * seq, 0 if the candidate is not allowed. */
static size_t candidate(const struct refine *r, size_t j, size_t k, size_t k2, int64_t new_end, int merge,
                        uint32_t done, struct cfota_op *seq, size_t *from)
{
    const struct cfota_op *o = &r->w[j], *n1 = &r->w[k];
    uint32_t end = o->pos + o->len, n1_end = n1->pos + n1->len;
    if (new_end <= o->pos || new_end < done || new_end > n1_end || (merge && new_end != n1_end))
        return 0;
    seq[0] = *o;
    seq[0].len = (uint32_t)new_end - o->pos;
    if (merge) {
        seq[0].len = r->w[k2].pos + r->w[k2].len - o->pos;
        *from = k2 + 1;
    } else {
        *from = k + 1;
    }
    if (is_copy(o) && seq[0].len > o->len && !copy_ok(r, o->kind, o->pos, o->src, seq[0].len))
        return 0;
    if (new_end == n1_end) {
        /* w[k] is gone: literals must not follow literals. */
        if (!merge && o->kind == CFOTA_OP_LIT && k2 < r->n && r->w[k2].kind == CFOTA_OP_LIT)
            return 0;
        return 1;
    }
    seq[1] = *n1;
    seq[1].pos = (uint32_t)new_end;
    seq[1].len = n1_end - (uint32_t)new_end;
    if (is_copy(n1)) {
        seq[1].src = (uint32_t)((int64_t)n1->src + (new_end - (int64_t)end));
        if (new_end < end && !copy_ok(r, n1->kind, seq[1].pos, seq[1].src, seq[1].len))
            return 0;
    }
    return 2;
}

/* Where the end of w[j] (bytes before done coded) most likely codes best
 * against w[k], within SHIFT bytes: each byte's bits as the one op and as
 * the other, plus the two headers. Returns the move d (0: stay). */
static int likely_shift(struct refine *r, size_t j, size_t k, uint32_t done)
{
    const struct cfota_op *o = &r->w[j], *n1 = &r->w[k];
    uint32_t end = o->pos + o->len, lo, hi, p;
    double as_o[2 * SHIFT], as_n[2 * SHIFT], run, best_est = 0;
    int d, dmin = 0, dmax = 0, best = 0;
    struct cfota_op a, b;
    while (dmin > -SHIFT && end + dmin - 1 > o->pos && end + dmin - 1 >= done &&
           (!is_copy(n1) || copy_ok(r, n1->kind, end + dmin - 1, (int64_t)n1->src + dmin - 1, n1->len - dmin + 1)))
        dmin--;
    while (dmax < SHIFT && dmax + 1 < (int)n1->len &&
           (!is_copy(o) || copy_ok(r, o->kind, o->pos, o->src, o->len + dmax + 1)))
        dmax++;
    if (dmin == dmax)
        return 0;
    lo = end + dmin;
    hi = end + dmax;
    coder_sim_trial(&r->sim);
    for (p = done; p < hi; p++) {
        double c = coder_sim_bytes(&r->sim, r->old, r->new_, o, p, p + 1);
        if (p >= lo)
            as_o[p - lo] = c;
    }
    coder_sim_undo(&r->sim);
    coder_sim_trial(&r->sim);
    coder_sim_bytes(&r->sim, r->old, r->new_, o, done, lo);
    for (p = lo; p < hi; p++)
        as_n[p - lo] = coder_sim_bytes(&r->sim, r->old, r->new_, n1, p, p + 1);
    coder_sim_undo(&r->sim);
    /* run: bits of [lo, end + d) as o and [end + d, hi) as n1. */
    for (run = 0, p = lo; p < hi; p++)
        run += as_n[p - lo];
    for (d = dmin; d <= dmax; d++) {
        double est;
        a = *o;
        a.len = (uint32_t)((int64_t)o->len + d);
        b = *n1;
        b.pos = end + d;
        b.len = (uint32_t)((int64_t)n1->len - d);
        b.src = (uint32_t)((int64_t)n1->src + d);
        coder_sim_trial(&r->sim);
        est = run + coder_sim_head(&r->sim, &a) + coder_sim_head(&r->sim, &b);
        coder_sim_undo(&r->sim);
        if (d == dmin || est < best_est) {
            best_est = est;
            best = d;
        }
        if (end + d < hi)
            run += as_o[end + d - lo] - as_n[end + d - lo];
    }
    return best;
}

/* Rewrite the end of w[j] (bytes before *done coded) if that codes
 * better: move it (to where likely_shift says), or fold w[k] into it.
 * Returns 1 if it did. */
static int shift_boundary(struct refine *r, size_t j, uint32_t *done)
{
    struct cfota_op *o = &r->w[j], seq[2], best_seq[2];
    size_t k = next_live(r, j + 1), k2, from, best_from = 0, nseq, best_n = 0;
    uint32_t end = o->pos + o->len, limit, n1_len;
    double bits, base, best_gain = 0;
    int d, merge;
    if (k >= r->n)
        return 0;
    k2 = next_live(r, k + 1);
    n1_len = r->w[k].len;
    if (end > SHIFT && end - SHIFT > *done) {
        coder_sim_bytes(&r->sim, r->old, r->new_, o, *done, end - SHIFT);
        *done = end - SHIFT;
    }
    /* A move and a fold are each compared with the ops as they are through
     * the same stretch of the target. */
    d = likely_shift(r, j, k, *done);
    if (d != 0 && (nseq = candidate(r, j, k, k2, (int64_t)end + d, 0, *done, seq, &from)) != 0) {
        limit = min32(end + SHIFT + LOOKAHEAD, r->seg_end);
        base = trial(r, o, 1, j + 1, *done, limit);
        bits = trial(r, seq, nseq, from, *done, limit);
        if (bits < base) {
            best_gain = base - bits;
            best_n = nseq;
            best_from = from;
            memcpy(best_seq, seq, nseq * sizeof *seq);
        }
    }
    if (n1_len <= FOLD_MAX) {
        limit = min32(end + n1_len + LOOKAHEAD, r->seg_end);
        base = trial(r, o, 1, j + 1, *done, limit);
        for (merge = 0; merge <= (k2 < r->n && same_alignment(o, &r->w[k2])); merge++) {
            nseq = candidate(r, j, k, k2, (int64_t)end + n1_len, merge, *done, seq, &from);
            if (!nseq)
                continue;
            bits = trial(r, seq, nseq, from, *done, limit);
            if (base - bits > best_gain) {
                best_gain = base - bits;
                best_n = nseq;
                best_from = from;
                memcpy(best_seq, seq, nseq * sizeof *seq);
            }
        }
    }
    if (!best_n)
        return 0;
    /* Write the winner back: w[j], then w[k] or nothing up to best_from. */
    r->w[j] = best_seq[0];
    for (from = j + 1; from < best_from; from++)
        r->w[from].len = 0;
    if (best_n == 2)
        r->w[k] = best_seq[1];
    return 1;
}

/* Settle w[j], whose bytes before done are coded. */
static void settle(struct refine *r, size_t j, uint32_t done)
{
    const struct cfota_op *o = &r->w[j];
    coder_sim_head(&r->sim, o);
    coder_sim_bytes(&r->sim, r->old, r->new_, o, done, o->pos + o->len);
    oplist_push(r->out, o->kind, o->pos, o->len, o->src);
}

static void refine_segment(struct refine *r, uint32_t start)
{
    size_t j;
    coder_state_reset(&r->sim.s, start, r->seg_end);
    for (j = next_live(r, 0); j < r->n; j = next_live(r, j + 1)) {
        uint32_t done = r->w[j].pos;
        int rewrites = 0;
        while (r->w[j].kind == CFOTA_OP_LIT && split_literal(r, j, &done))
            done = r->w[j].pos;
        /* A fold brings a new neighbour, a move a new context: try again. */
        while (rewrites++ < REPEAT && shift_boundary(r, j, &done))
            ;
        settle(r, j, done);
    }
}

void refine_ops(struct cfota_oplist *ops, const uint8_t *old, size_t old_len, const uint8_t *new_,
                size_t new_len, const struct refine_params *rp)
{
    struct refine r;
    struct cfota_oplist out = {0, 0, 0};
    uint32_t seg = rp->cp->segment_size, start;
    size_t i = 0;
    memset(&r, 0, sizeof r);
    r.old = old;
    r.new_ = new_;
    r.old_len = (uint32_t)old_len;
    r.new_len = (uint32_t)new_len;
    r.rp = rp;
    r.out = &out;
    for (start = 0; start < new_len; start += seg) {
        r.seg_end = (uint32_t)(new_len - start < seg ? new_len : start + seg);
        r.n = 0;
        /* The segment's pieces of the ops: the coder cuts them there too. */
        while (i < ops->n && ops->v[i].pos < r.seg_end) {
            const struct cfota_op *op = &ops->v[i];
            uint32_t a = op->pos > start ? op->pos : start, b = min32(op->pos + op->len, r.seg_end);
            insert_op(&r, r.n, make_op(op->kind, a, b - a, op->kind == CFOTA_OP_LIT ? 0 : op->src + (a - op->pos)));
            if (op->pos + op->len > r.seg_end)
                break;
            i++;
        }
        refine_segment(&r, start);
    }
    free(r.w);
    coder_sim_free(&r.sim);
    oplist_free(ops);
    *ops = out;
}
