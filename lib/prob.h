/*
 * lib/prob.h: the adaptive binary probability shared by encoder and
 * decoder (internal to cfota; not installed).
 *
 * A probability is a uint16_t p = P(bit == 0) * 65536. After each coded bit
 * it moves 1/2^shift of the way towards what was seen, like LZMA's models
 * but with 16 bits of precision instead of 11: the coder can then say
 * "almost surely zero" for the long runs of equal bytes in a copy at a cost
 * of 0.0003 bits a byte rather than 0.03. The update keeps p inside
 * [15, 65521], so the range coder never sees a probability of 0 or 1.
 */
#ifndef CFOTA_PROB_H
#define CFOTA_PROB_H

#include <stdint.h>
#include <string.h>

#include "cfota/model.h"

#define CFOTA_PROB_HALF 32768u
#define CFOTA_RATE 4 /* adaptation shift */
#define CFOTA_RC_TOP (1u << 24)

static inline void cfota_prob_update(uint16_t *p, unsigned bit)
{
    if (bit)
        *p = (uint16_t)(*p - (*p >> CFOTA_RATE));
    else
        *p = (uint16_t)(*p + ((65536u - *p) >> CFOTA_RATE));
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
