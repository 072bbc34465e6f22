/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/coder.c: range-codes a list of operations into the payload.
 *
 * The coder mirrors lib/decoder.c step by step: same segment walk, same
 * cursor and distance bookkeeping, same symbol functions (lib/symbols.inc,
 * included here with encoding macros). It can also run in "counting" mode,
 * where instead of emitting bytes it adds up the ideal cost of each bit,
 * which the parser uses to compare two ways of saying the same thing.
 *
 * The range encoder is LZMA's carry-propagating design (low, cache and a
 * run of pending 0xFF bytes) with 16-bit probabilities; the very first byte
 * it would emit is always zero, so it is dropped, and the decoder starts by
 * reading four bytes.
 */
#include "coder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cfota/decoder.h"
#include "cfota/model.h"
#include "hist.h"
#include "prob.h"

struct enc {
    uint64_t low;
    uint32_t range;
    uint8_t cache;
    uint64_t pending; /* bytes waiting: the cache and 0xFF bytes after it */
    int started;      /* the first (always zero) byte has been dropped */
    struct bytes *out;
    size_t first;     /* out->n when coding began */
    double bits;      /* counting mode: ideal cost so far */
    struct coder_sim *undo; /* counting mode: log each model change here */
};

static double cost_table[4096];

static void cost_init(void)
{
    static int done;
    int i;
    if (done)
        return;
    for (i = 0; i < 4096; i++)
        cost_table[i] = -log2((i + 0.5) / 4096.0);
    done = 1;
}

/* A trial remembers every model it changes, so that it can be undone. */
static void log_change(struct coder_sim *sim, uint16_t *p)
{
    if (sim->nlog == sim->cap) {
        sim->cap = sim->cap ? sim->cap * 2 : 4096;
        sim->log = xrealloc(sim->log, sim->cap * sizeof *sim->log);
    }
    sim->log[sim->nlog].p = p;
    sim->log[sim->nlog].v = *p;
    sim->nlog++;
}

static void emit(struct enc *e, uint8_t v)
{
    if (e->started)
        bytes_byte(e->out, v);
    e->started = 1;
}

static void shift_low(struct enc *e)
{
    if ((uint32_t)e->low < 0xFF000000u || (e->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(e->low >> 32);
        uint8_t v = e->cache;
        do {
            emit(e, (uint8_t)(v + carry));
            v = 0xFF;
        } while (--e->pending != 0);
        e->cache = (uint8_t)(e->low >> 24);
    }
    e->pending++;
    e->low = (e->low & 0x00FFFFFFu) << 8;
}

static void normalize(struct enc *e)
{
    while (e->range < CFOTA_RC_TOP) {
        e->range <<= 8;
        shift_low(e);
    }
}

/* Code bit at probability p (of a 0, in units of 1/65536), or count it. */
static unsigned enc_bit_at(struct enc *e, unsigned p, unsigned bit)
{
    if (!e->out) {
        unsigned q = bit ? 65536u - p : p;
        e->bits += cost_table[q >> 4];
    } else {
        uint32_t bound = (e->range >> 16) * p;
        if (!bit) {
            e->range = bound;
        } else {
            e->low += bound;
            e->range -= bound;
        }
        normalize(e);
    }
    return bit;
}

/* A model is about to change: a trial logs it. */
static void enc_touch(struct enc *e, uint16_t *p)
{
    if (!e->out && e->undo)
        log_change(e->undo, p);
}

static unsigned enc_bit(struct enc *e, uint16_t *p, unsigned bit)
{
    enc_bit_at(e, *p, bit);
    enc_touch(e, p);
    cfota_prob_update(p, bit);
    return bit;
}

static uint32_t enc_direct(struct enc *e, unsigned n, uint32_t v)
{
    unsigned i;
    if (!e->out) {
        e->bits += n;
        return v;
    }
    for (i = n; i-- > 0;) {
        e->range >>= 1;
        if ((v >> i) & 1u)
            e->low += e->range;
        normalize(e);
    }
    return v;
}

/* Any value in [low, low + range) ends the stream right. The one with the
 * most zero low bytes is taken (a multiple of 2^32 if there is one, else
 * of 2^24, always there since range >= 2^24), so that the flush ends in
 * zero bytes, and up to CFOTA_RC_TAIL of those the decoder reads as 0
 * past the payload's end: they are left off, 3 or 4 bytes a package. */
static void enc_flush(struct enc *e)
{
    unsigned k, cut = 0;
    if (!e->out)
        return;
    for (k = 4; k >= 3; k--) {
        uint64_t unit = (uint64_t)1 << (8 * k), x = (e->low + unit - 1) & ~(unit - 1);
        if (x < e->low + e->range) {
            e->low = x;
            break;
        }
    }
    for (k = 0; k < 5; k++)
        shift_low(e);
    while (cut < CFOTA_RC_TAIL && e->out->n > e->first && e->out->p[e->out->n - 1] == 0) {
        e->out->n--;
        cut++;
    }
}

#define CODER struct enc
#define BIT(c, p, b) enc_bit((c), (p), (b))
#define DIRECT(c, n, v) enc_direct((c), (n), (v))
#define BITP(c, p, b) enc_bit_at((c), (p), (b))
#define TOUCH(c, w) enc_touch((c), (uint16_t *)(w)) /* int16_t weights: same size */
#define SYM(name) enc_##name
#include "symbols.inc"

void oplist_push(struct cfota_oplist *l, unsigned kind, uint32_t pos, uint32_t len, uint32_t src)
{
    if (len == 0)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].kind = (uint8_t)kind;
    l->v[l->n].pos = pos;
    l->v[l->n].len = len;
    l->v[l->n].src = src;
    l->n++;
}

void oplist_free(struct cfota_oplist *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The header of an op: kind, length, and where its source is. Touches
 * only the kind, length and offset models and the cursors, never what the
 * bytes use: so a header may be coded after some of its op's bytes with
 * the same cost (encoder/refine.c relies on it). */
static void code_head(struct enc *e, struct coder_state *s, unsigned kind, uint32_t pos, uint32_t len,
                      uint32_t src)
{
    unsigned prev = s->prev_kind;
    enc_kind(e, &s->m, prev, kind);
    enc_length(e, &s->m, prev, kind, s->seg_end - pos, len);
    if (kind == CFOTA_OP_OLD) {
        int32_t adv = (int32_t)(pos - s->last_old_end);
        enc_old_delta(e, &s->m, prev, adv, (int32_t)(src - s->old_cursor));
        s->old_cursor = src + len;
        s->last_old_end = pos + len;
    } else if (kind == CFOTA_OP_NEW) {
        enc_distance(e, &s->m, prev, s->new_rep, (int32_t)(pos - src));
        s->new_rep = (int32_t)(pos - src);
    }
    s->prev_kind = kind;
}

/* n bytes of an op from target pos on (source src on, for a copy). */
static void code_bytes(struct enc *e, struct coder_state *s, const uint8_t *srcp, const uint8_t *new_,
                       unsigned kind, uint32_t pos, uint32_t n)
{
    uint32_t i;
    if (kind == CFOTA_OP_LIT) {
        for (i = 0; i < n; i++) {
            enc_literal(e, &s->m, &s->hist, pos + i, new_[pos + i]);
            cfota_hist_literal(&s->hist, new_[pos + i]);
        }
        return;
    }
    for (i = 0; i < n; i++) {
        uint8_t sb = srcp[i];
        unsigned d = (uint8_t)(new_[pos + i] - sb);
        enc_diff(e, &s->m, &s->hist, pos + i, sb, d);
        cfota_hist_copy(&s->hist, d, new_[pos + i]);
    }
}

static void code_op(struct enc *e, struct coder_state *s, const uint8_t *srcp, const uint8_t *new_,
                    unsigned kind, uint32_t pos, uint32_t len, uint32_t src)
{
    code_head(e, s, kind, pos, len, src);
    code_bytes(e, s, srcp, new_, kind, pos, len);
}

/* The first source byte of an op's bytes from src on. */
static const uint8_t *source(const uint8_t *old, const uint8_t *new_, unsigned kind, uint32_t src)
{
    return kind == CFOTA_OP_LIT ? NULL : kind == CFOTA_OP_OLD ? old + src : new_ + src;
}

void coder_state_reset(struct coder_state *s, uint32_t seg_start, uint32_t seg_end)
{
    memset(s, 0, sizeof *s);
    cfota_models_reset(&s->m);
    s->prev_kind = 3;
    s->old_cursor = s->last_old_end = seg_start;
    s->seg_end = seg_end;
}

/* A counting coder that logs model changes into sim while a trial runs. */
static struct enc counting(struct coder_sim *sim)
{
    struct enc e;
    memset(&e, 0, sizeof e);
    e.range = 0xFFFFFFFFu;
    e.undo = sim->trial ? sim : NULL;
    cost_init();
    return e;
}

double coder_sim_head(struct coder_sim *sim, const struct cfota_op *op)
{
    struct enc e = counting(sim);
    code_head(&e, &sim->s, op->kind, op->pos, op->len, op->src);
    return e.bits;
}

double coder_sim_bytes(struct coder_sim *sim, const uint8_t *old, const uint8_t *new_, const struct cfota_op *op,
                       uint32_t from, uint32_t to)
{
    struct enc e = counting(sim);
    if (to > from)
        code_bytes(&e, &sim->s, source(old, new_, op->kind, op->src + (from - op->pos)), new_, op->kind, from,
                   to - from);
    return e.bits;
}

void coder_sim_trial(struct coder_sim *sim)
{
    sim->saved_hist = sim->s.hist;
    sim->saved_prev_kind = sim->s.prev_kind;
    sim->saved_old_cursor = sim->s.old_cursor;
    sim->saved_last_old_end = sim->s.last_old_end;
    sim->saved_new_rep = sim->s.new_rep;
    sim->nlog = 0;
    sim->trial = 1;
}

void coder_sim_undo(struct coder_sim *sim)
{
    while (sim->nlog > 0) {
        sim->nlog--;
        *sim->log[sim->nlog].p = sim->log[sim->nlog].v;
    }
    sim->s.hist = sim->saved_hist;
    sim->s.prev_kind = sim->saved_prev_kind;
    sim->s.old_cursor = sim->saved_old_cursor;
    sim->s.last_old_end = sim->saved_last_old_end;
    sim->s.new_rep = sim->saved_new_rep;
    sim->trial = 0;
}

void coder_sim_free(struct coder_sim *sim)
{
    free(sim->log);
    sim->log = NULL;
    sim->nlog = sim->cap = 0;
}

/* Index of the first op that ends after pos (ops are sorted and contiguous). */
static size_t first_op_at(const struct cfota_oplist *ops, uint32_t pos)
{
    size_t lo = 0, hi = ops->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ops->v[mid].pos + ops->v[mid].len <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int run(struct enc *e, const struct cfota_oplist *ops, const uint8_t *old, size_t old_len,
               const uint8_t *new_, size_t new_len, const struct coder_params *p)
{
    uint32_t nseg = (uint32_t)((new_len + p->segment_size - 1) / p->segment_size), k;
    struct coder_state *s = xmalloc(sizeof *s);
    uint8_t *pred = p->arch ? xmalloc(p->segment_size) : NULL;
    (void)old_len;
    cost_init();
    for (k = 0; k < nseg; k++) {
        uint32_t idx = p->ordered ? p->order[k] : k;
        uint32_t start = idx * p->segment_size;
        uint32_t end = new_len - start < p->segment_size ? (uint32_t)new_len : start + p->segment_size;
        size_t j = first_op_at(ops, start);
        if (p->carry && k > 0) {
            /* The models and history go on; only the cursors restart. */
            s->prev_kind = 3;
            s->old_cursor = s->last_old_end = start;
            s->new_rep = 0;
            s->seg_end = end;
        } else {
            coder_state_reset(s, start, end);
        }
        if (p->ordered)
            enc_seg_index(e, k == 0, k ? p->order[k - 1] : 0, nseg, idx);
        for (; j < ops->n && ops->v[j].pos < end; j++) {
            const struct cfota_op *op = &ops->v[j];
            uint32_t a = op->pos > start ? op->pos : start;
            uint32_t b = op->pos + op->len < end ? op->pos + op->len : end;
            uint32_t src = op->kind == CFOTA_OP_LIT ? 0 : op->src + (a - op->pos);
            const uint8_t *sp = source(old, new_, op->kind, src);
            if (pred && op->kind == CFOTA_OP_OLD) {
                /* What the device reads for this copy (a piece of an op
                 * is a copy of its own in the stream). */
                arch_predict_copy(p->arch, p->raw, src, b - a, pred);
                sp = pred;
            }
            code_op(e, s, sp, new_, op->kind, a, b - a, src);
        }
    }
    free(pred);
    free(s);
    return 0;
}

int coder_encode(const struct cfota_oplist *ops, const uint8_t *old, size_t old_len,
                 const uint8_t *new_, size_t new_len, const struct coder_params *p, struct bytes *out)
{
    struct enc e;
    memset(&e, 0, sizeof e);
    e.range = 0xFFFFFFFFu;
    e.pending = 1;
    e.out = out;
    e.first = out->n;
    if (new_len == 0)
        return 0;
    if (run(&e, ops, old, old_len, new_, new_len, p) != 0)
        return -1;
    enc_flush(&e);
    return 0;
}

double coder_cost_bits(const struct cfota_oplist *ops, const uint8_t *old, size_t old_len,
                       const uint8_t *new_, size_t new_len, const struct coder_params *p)
{
    struct enc e;
    memset(&e, 0, sizeof e);
    e.range = 0xFFFFFFFFu;
    if (new_len == 0)
        return 0;
    run(&e, ops, old, old_len, new_, new_len, p);
    return e.bits;
}
