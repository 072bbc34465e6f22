/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/parse.c: choosing the operations that describe the target.
 *
 * The walk follows the idea of bsdiff: move through the target looking for
 * long exact matches; as long as the current "alignment" (a fixed offset
 * into the base, or a fixed distance back into the target) explains the
 * bytes about as well as the best match found, keep it, because a copy with
 * a few differing bytes is cheap to code; switch to a new alignment only
 * when it wins by a margin. At each switch the stretch between the two
 * exact matches is shared out: the old alignment extends forward and the
 * new one backward as far as they score well (an equal byte scores
 * w_match, a different byte loses w_miss), and what neither wants becomes
 * literal bytes.
 */
#include "parse.h"

#include "cfota/model.h"

void parse_defaults(struct parse_params *p)
{
    p->margin = 4;
    p->min_old = 5;
    p->min_new = 5;
    p->w_match = 2;
    p->w_miss = 1;
    p->progress = 0;
    p->progress_ctx = 0;
    p->valid_run = 0;
    p->valid_ctx = 0;
}

/* An alignment: where the source of target byte p lies. */
struct align {
    unsigned kind;   /* CFOTA_OP_OLD or CFOTA_OP_NEW; LIT = none */
    int64_t shift;   /* source = p + shift */
};

struct ctx {
    const uint8_t *old, *new_;
    size_t old_len, new_len;
    const struct parse_params *pp;
};

/* Source index of target byte p under a, or -1 if there is none. */
static int64_t source_of(const struct ctx *c, struct align a, uint32_t p)
{
    int64_t s = (int64_t)p + a.shift;
    if (a.kind == CFOTA_OP_OLD ? s < 0 || s >= (int64_t)c->old_len : a.kind != CFOTA_OP_NEW || s < 0 || s >= (int64_t)p)
        return -1;
    if (c->pp->valid_run && !c->pp->valid_run(c->pp->valid_ctx, a.kind, p, (uint32_t)s, 1))
        return -1;
    return s;
}

/* 1 if byte p equals its source under a, 0 if not, -1 if no source. */
static int eq_at(const struct ctx *c, struct align a, uint32_t p)
{
    int64_t s = source_of(c, a, p);
    if (s < 0)
        return -1;
    return (a.kind == CFOTA_OP_OLD ? c->old[s] : c->new_[s]) == c->new_[p];
}

/* Best forward extension of a from start, at most max bytes. */
static uint32_t extend_forward(const struct ctx *c, struct align a, uint32_t start, uint32_t max,
                               const struct parse_params *pp)
{
    long score = 0, best = 0;
    uint32_t i, best_len = 0;
    for (i = 0; i < max; i++) {
        int e = eq_at(c, a, start + i);
        if (e < 0)
            break;
        score += e ? pp->w_match : -pp->w_miss;
        if (score > best) {
            best = score;
            best_len = i + 1;
        }
    }
    return best_len;
}

/* Best backward extension of a ending just before end, at most max. */
static uint32_t extend_backward(const struct ctx *c, struct align a, uint32_t end, uint32_t max,
                                const struct parse_params *pp)
{
    long score = 0, best = 0;
    uint32_t i, best_len = 0;
    for (i = 1; i <= max; i++) {
        int e = eq_at(c, a, end - i);
        if (e < 0)
            break;
        score += e ? pp->w_match : -pp->w_miss;
        if (score > best) {
            best = score;
            best_len = i;
        }
    }
    return best_len;
}

static struct match best_match(struct matcher *mt, uint32_t pos, const struct parse_params *pp)
{
    struct match o = match_old(mt, pos);
    struct match n = match_new(mt, pos, pp->min_new);
    if (pp->valid_run) {
        /* In place: only the part a device can still read counts. */
        if (o.len)
            o.len = pp->valid_run(pp->valid_ctx, CFOTA_OP_OLD, pos, o.src, o.len);
        if (n.len)
            n.len = pp->valid_run(pp->valid_ctx, CFOTA_OP_NEW, pos, n.src, n.len);
        if (n.len < pp->min_new)
            n.len = 0;
    }
    if (o.len < pp->min_old)
        o.len = 0;
    return n.len > o.len ? n : o;
}

static void emit(struct cfota_oplist *ops, struct align a, uint32_t pos, uint32_t len)
{
    if (!len)
        return;
    if (a.kind == CFOTA_OP_LIT)
        oplist_push(ops, CFOTA_OP_LIT, pos, len, 0);
    else
        oplist_push(ops, a.kind, pos, len, (uint32_t)((int64_t)pos + a.shift));
}

void parse_ops(struct matcher *mt, const uint8_t *old, size_t old_len, const uint8_t *new_,
               size_t new_len, const struct parse_params *pp, struct cfota_oplist *ops)
{
    struct ctx c = {old, new_, old_len, new_len, pp};
    struct align cur = {old_len ? CFOTA_OP_OLD : CFOTA_OP_LIT, 0};
    uint32_t n = (uint32_t)new_len, scan = 0, len = 0, lastscan = 0, next_report = 0;
    struct match m = {0, 0, 0};

    while (scan < n) {
        uint32_t oldscore = 0, scsc;
        for (scsc = scan += len; scan < n; scan++) {
            m = best_match(mt, scan, pp);
            len = m.len;
            for (; scsc < scan + len; scsc++)
                if (eq_at(&c, cur, scsc) == 1)
                    oldscore++;
            if ((len == oldscore && len != 0) || len > oldscore + pp->margin)
                break;
            if (eq_at(&c, cur, scan) == 1)
                oldscore--;
        }
        if (pp->progress && scan >= next_report) {
            pp->progress(pp->progress_ctx, scan, n);
            next_report = scan + 65536;
        }
        if (len != oldscore || scan >= n) {
            struct align next = {m.kind, (int64_t)m.src - (int64_t)scan};
            uint32_t gap = (scan < n ? scan : n) - lastscan;
            uint32_t lenf = extend_forward(&c, cur, lastscan, gap, pp);
            uint32_t lenb = scan < n ? extend_backward(&c, next, scan, gap, pp) : 0;
            if (lenf + lenb > gap) {
                /* Both want the same bytes: split where the old alignment's
                 * gain over the new one is largest. */
                uint32_t overlap = lenf + lenb - gap, i, split = 0;
                long s = 0, best = 0;
                for (i = 0; i < overlap; i++) {
                    uint32_t p = lastscan + lenf - overlap + i;
                    s += (eq_at(&c, cur, p) == 1) - (eq_at(&c, next, p) == 1);
                    if (s > best) {
                        best = s;
                        split = i + 1;
                    }
                }
                lenf += split - overlap;
                lenb -= split;
            }
            emit(ops, cur, lastscan, lenf);
            emit(ops, (struct align){CFOTA_OP_LIT, 0}, lastscan + lenf, gap - lenf - lenb);
            lastscan = scan - lenb;
            if (scan < n)
                cur = next;
        }
    }
    if (pp->progress)
        pp->progress(pp->progress_ctx, n, n);
}
