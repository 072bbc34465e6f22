/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/parse.h: choosing the operations that describe the target.
 */
#ifndef CFOTA_ENCODER_PARSE_H
#define CFOTA_ENCODER_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "coder.h"
#include "match.h"

struct parse_params {
    uint32_t margin;     /* a new alignment must beat the current one by this */
    uint32_t min_old;    /* shortest exact match in the base to switch to */
    uint32_t min_new;    /* shortest exact match in the target itself */
    int w_match, w_miss; /* extension score of an equal / a different byte */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Optional (in place): how many of the len bytes from target p on may be
     * copied from the source bytes from s on (kind CFOTA_OP_OLD or NEW).
     * NULL: all of them. */
    uint32_t (*valid_run)(void *ctx, unsigned kind, uint32_t p, uint32_t s, uint32_t len);
    void *valid_ctx;
};

void parse_defaults(struct parse_params *p);

/* Describe new_ as operations over old and itself. ops receives a list
 * that covers [0, new_len) contiguously in order. */
void parse_ops(struct matcher *mt, const uint8_t *old, size_t old_len, const uint8_t *new_,
               size_t new_len, const struct parse_params *p, struct cfota_oplist *ops);

#endif
