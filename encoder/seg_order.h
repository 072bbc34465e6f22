/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/seg_order.h: the order in which an in-place device applies the
 * segments, and the pieces in which an op list's base copies fall into
 * segments. Both the in-place planner (inplace.c) and the stash planner
 * (stash.c) reason in these terms; they live below both, so that neither
 * planner has to call up into the other.
 */
#ifndef CFOTA_ENCODER_SEG_ORDER_H
#define CFOTA_ENCODER_SEG_ORDER_H

#include <stdint.h>

#include "coder.h"

struct stash_plan;

/* The order in which a device will apply the segments, and its inverse. */
struct inplace_plan {
    uint32_t seg, n;     /* segment size and count */
    uint32_t *order;     /* n segment indices, in application order */
    uint32_t *rank;      /* rank[index] = position in order */
    /* Base ranges the device saves before they are overwritten (NULL:
     * none); a copy may read them until their last reader. */
    const struct stash_plan *stash;
};

/* Call f(ctx, k, s, len) for every piece of a base copy of ops that lies
 * in one target segment k and reads base bytes [s, s+len) under one
 * segment (seg bytes each): the unit in which in-place conflicts arise. */
void inplace_old_pieces(const struct cfota_oplist *ops, uint32_t seg,
                        void (*f)(void *ctx, uint32_t k, uint64_t s, uint32_t len), void *ctx);

#endif
