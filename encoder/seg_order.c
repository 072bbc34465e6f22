/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/seg_order.c: the pieces in which base copies fall into
 * segments (seg_order.h).
 */
#include "seg_order.h"

void inplace_old_pieces(const struct cfota_oplist *ops, uint32_t seg,
                        void (*f)(void *ctx, uint32_t k, uint64_t s, uint32_t len), void *ctx)
{
    size_t q;
    for (q = 0; q < ops->n; q++) {
        const struct cfota_op *op = &ops->v[q];
        uint32_t p = op->pos, end = op->pos + op->len;
        if (op->kind != CFOTA_OP_OLD)
            continue;
        while (p < end) {
            /* A piece ends at the target segment's end and at the end of
             * the base segment it reads, whichever comes first. */
            uint32_t k = p / seg, seg_end = (k + 1) * seg, run = (end < seg_end ? end : seg_end) - p;
            uint64_t s = (uint64_t)op->src + (p - op->pos), edge = (s / seg + 1) * seg;
            if (edge - s < run)
                run = (uint32_t)(edge - s);
            f(ctx, k, s, run);
            p += run;
        }
    }
}
