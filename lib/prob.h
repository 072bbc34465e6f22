/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/prob.h: the adaptive binary probability shared by encoder and
 * decoder (internal to cfota; not installed).
 *
 * A probability is a uint16_t p = P(bit == 0) * 65536. After each coded bit
 * it moves 1/2^shift of the way towards what was seen, like LZMA's models
 * but with 16 bits of precision instead of 11. The update keeps p inside
 * [15, 65423], so the range coder never sees a probability of 0 or 1. The
 * bit said most often, "this byte of a copy equals its source", is a mixed
 * bit (below), which can say "almost surely" at a cost of 0.0003 bits a
 * byte.
 */
#ifndef CFOTA_PROB_H
#define CFOTA_PROB_H

#include <stdint.h>
#include <string.h>

#include "cfota/model.h"

#define CFOTA_PROB_HALF 32768u
#define CFOTA_RATE 4 /* adaptation shift */
#define CFOTA_RC_TOP (1u << 24)
/* The range coder's stream may end short of the bytes the decoder reads
 * by up to this many zero bytes (the end of the encoder's flush); the
 * decoder reads them as 0. */
#define CFOTA_RC_TAIL 4u

/* The low CFOTA_PROB_COUNT_MASK bits of a probability count its first
 * updates (0..7); the rest is the probability. A fresh model moves fast
 * and slows down as it learns: shift 2 for its first two updates, 3 for
 * the next four, then CFOTA_RATE. Most of the 256-entry trees see a node
 * only a few times per segment, and a slow start there costs more than
 * the 3 bits of precision given up (measured against shifts 2, 3, then 4
 * on 2 count bits: -0.3% on the corpus, -0.3% on fwgen's cases). */
#define CFOTA_PROB_COUNT_MASK 7u

static inline void cfota_prob_update(uint16_t *p, unsigned bit)
{
    unsigned n = *p & CFOTA_PROB_COUNT_MASK, v = *p & ~CFOTA_PROB_COUNT_MASK;
    unsigned shift = n < 2u ? 2u : n < 6u ? 3u : CFOTA_RATE;
    if (n != CFOTA_PROB_COUNT_MASK)
        n++;
    if (bit)
        v -= v >> shift;
    else
        v += (65536u - v) >> shift;
    *p = (uint16_t)((v & ~CFOTA_PROB_COUNT_MASK) | n);
}

/* Mixed bits. Some decisions are predicted by several contexts at once:
 * each context selects a weight w_i from its own table, and
 * P(bit == 0) = squash(bias + sum of w_i), in units of 1/65536. After the
 * bit, every weight used moves towards what was seen by the same error,
 * err / 2^CFOTA_MIX_RATE (rounded towards zero), err = 65536 - P for a 0
 * bit and -P for a 1 bit: one logistic regression over the contexts. Unlike
 * one table indexed by all the contexts together, each table learns from
 * every bit its context sees, so a segment teaches three small tables what
 * it could not teach one large one (measured on the zero bit, with operand
 * prediction: -5.5% of the corpus total, -2.8% on fwgen's cases, for 64
 * bytes more than the 256-context table it replaced). The
 * squash is a table of 27 points and linear interpolation: no floating
 * point, the same result on every machine. */
#define CFOTA_MIX_RATE 4
#define CFOTA_MIX_LIMIT 32767 /* weights stay within +-CFOTA_MIX_LIMIT */
#define CFOTA_MIX_STEP 2048   /* squash table spacing, in weight units */
#define CFOTA_MIX_POINTS 27

/* 65536 / (1 + 2^(-x / 4096)), the probability of a 0 bit for the summed
 * weights x, within [12, 65524] like a model's. Weights are in units of
 * 1/4096 of a doubling of the odds: fine enough that the step err / 16
 * still moves them when the bit is almost sure, so a long run of equal
 * bytes costs what it costs with a model (0.0003 bits a byte), not ten
 * times that. */
static inline unsigned cfota_squash(int32_t x)
{
    /* 65536 - squash(k * CFOTA_MIX_STEP), k = 0 .. 26, rounded */
    static const uint16_t tail[CFOTA_MIX_POINTS] = {
        32768, 27146, 21845, 17118, 13107, 9845, 7282, 5322, 3855, 2774, 1986, 1417, 1008, 716,
        508,   360,   255,   181,   128,   90,   64,   45,   32,   23,   16,   11,   8};
    uint32_t a = x < 0 ? (uint32_t)-x : (uint32_t)x, c;
    if (a >= (CFOTA_MIX_POINTS - 1) * CFOTA_MIX_STEP) {
        c = tail[CFOTA_MIX_POINTS - 1];
    } else {
        uint32_t k = a / CFOTA_MIX_STEP, r = a % CFOTA_MIX_STEP;
        c = tail[k] - (tail[k] - tail[k + 1]) * r / CFOTA_MIX_STEP;
    }
    if (c < 12u)
        c = 12u; /* the coder never sees a probability of 0 or 1 */
    return x < 0 ? c : 65536u - c;
}

/* Move weight *w after a bit coded at probability p (of a 0). */
static inline void cfota_mix_update(int16_t *w, unsigned p, unsigned bit)
{
    int32_t step = bit ? -(int32_t)(p >> CFOTA_MIX_RATE) : (int32_t)((65536u - p) >> CFOTA_MIX_RATE);
    int32_t v = *w + step;
    if (v > CFOTA_MIX_LIMIT)
        v = CFOTA_MIX_LIMIT;
    if (v < -CFOTA_MIX_LIMIT)
        v = -CFOTA_MIX_LIMIT;
    *w = (int16_t)v;
}

/* Reset all models to their initial values (start of every segment):
 * probabilities to one half, weights to 0. */
static inline void cfota_models_reset(struct cfota_models *m)
{
    uint16_t *p = (uint16_t *)m;
    unsigned i;
    for (i = 0; i < CFOTA_MODEL_PROBS; i++)
        p[i] = CFOTA_PROB_HALF;
    memset(m->zero_hist, 0, sizeof m->zero_hist);
    memset(m->zero_prev, 0, sizeof m->zero_prev);
    memset(m->zero_src, 0, sizeof m->zero_src);
}

#endif
