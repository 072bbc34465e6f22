/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/hist.h: the running history the symbol contexts are made from
 * (struct cfota_hist), updated the same way by encoder and decoder
 * (internal to cfota; not installed).
 */
#ifndef CFOTA_HIST_H
#define CFOTA_HIST_H

#include <string.h>

#include "cfota/model.h"

/* After a byte of a copy with difference d and value v (so source v - d). */
static inline void cfota_hist_copy(struct cfota_hist *h, unsigned d, unsigned v)
{
    h->dring8 = (h->dring8 << 8) | (h->dring >> 24);
    h->dring = (h->dring << 8) | d;
    h->sring8 = (h->sring8 << 8) | (h->sring >> 24);
    h->sring = (h->sring << 8) | ((v - d) & 0xFFu);
    h->nz = (uint8_t)((h->nz << 1) | (d != 0));
    h->prev = (uint8_t)v;
    if (d)
        h->cls[((v - d) & 0xFFu) >> 4] = (uint8_t)d;
}

/* After a literal byte v. */
static inline void cfota_hist_literal(struct cfota_hist *h, unsigned v)
{
    h->prev = (uint8_t)v;
}

#endif
