/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/prob.h: the adaptive binary probability shared by encoder and
 * decoder (internal to cfota; not installed).
 *
 * A probability is a uint16_t p = P(bit == 0) * 65536. After each coded bit
 * it moves 1/2^shift of the way towards what was seen, like LZMA's models
 * but with 16 bits of precision instead of 11: the coder can then say
 * "almost surely zero" for the long runs of equal bytes in a copy at a cost
 * of 0.0003 bits a byte rather than 0.03. The update keeps p inside
 * [12, 65523], so the range coder never sees a probability of 0 or 1.
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
 * updates (0..3); the rest is the probability. A fresh model moves fast
 * (shift 2, then 3) and settles at CFOTA_RATE after three updates: most
 * of the 256-entry trees see a node only a few times per segment, and a
 * slow start there costs more than the 2 bits of precision given up. */
#define CFOTA_PROB_COUNT_MASK 3u

static inline void cfota_prob_update(uint16_t *p, unsigned bit)
{
    unsigned n = *p & CFOTA_PROB_COUNT_MASK, v = *p & ~CFOTA_PROB_COUNT_MASK;
    unsigned shift = CFOTA_RATE;
    if (n != CFOTA_PROB_COUNT_MASK) { /* still warming up */
        shift = n + 2;
        n++;
    }
    if (bit)
        v -= v >> shift;
    else
        v += (65536u - v) >> shift;
    *p = (uint16_t)((v & ~CFOTA_PROB_COUNT_MASK) | n);
}

/* Reset all models to their initial values (start of every segment). */
static inline void cfota_models_reset(struct cfota_models *m)
{
    uint16_t *p = (uint16_t *)m;
    unsigned i;
    for (i = 0; i < CFOTA_MODEL_PROBS; i++)
        p[i] = CFOTA_PROB_HALF;
    /* Most bytes of a copy equal their source: start there. */
    for (i = 0; i < CFOTA_ZERO_CTX; i++)
        m->zero[i] = 4096u;
}

#endif
