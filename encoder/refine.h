/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/refine.h: improving a parse by what the coder says it costs.
 *
 * The parser (encoder/parse.c) chooses operations by byte scores; the coder
 * (encoder/coder.c) then pays in bits. This pass walks an op list once with
 * the coder's own models and, at each op, tries a few local rewrites
 * (a short copy at a source the coder can name in a few bits, cut out of a
 * literal run; a boundary between two ops moved a few bytes; a short op
 * folded into its neighbours), keeping whichever codes the next stretch of
 * the target in the fewest bits.
 */
#ifndef CFOTA_ENCODER_REFINE_H
#define CFOTA_ENCODER_REFINE_H

#include <stddef.h>
#include <stdint.h>

#include "coder.h"

struct refine_params {
    const struct coder_params *cp; /* segment size (and order, unused) */
    /* Optional (in place): how many of the len bytes from target p on may
     * be copied from the source bytes from s on; as parse_params.valid_run.
     * NULL: any source the format allows. */
    uint32_t (*valid_run)(void *ctx, unsigned kind, uint32_t p, uint32_t s, uint32_t len);
    void *valid_ctx;
    int ordered;                   /* negative distances allowed (in place) */
};

/* Rewrite ops (covering [0, new_len) contiguously, in target order) in
 * place. The result covers the same bytes and uses only sources that
 * rp allows. It is usually, not always, cheaper: the caller codes both
 * and keeps the smaller. */
void refine_ops(struct cfota_oplist *ops, const uint8_t *old, size_t old_len, const uint8_t *new_,
                size_t new_len, const struct refine_params *rp);

#endif
