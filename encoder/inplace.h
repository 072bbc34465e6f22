/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/inplace.h: making a package safe to apply in place.
 */
#ifndef CFOTA_ENCODER_INPLACE_H
#define CFOTA_ENCODER_INPLACE_H

#include <stddef.h>
#include <stdint.h>

#include "coder.h"
#include "seg_order.h"
#include "stash.h"

struct inplace_stats {
    uint64_t conflict_bytes; /* copy bytes that had to become literals */
};

/* Choose the order from a first parse (ops): greedily, the segment whose
 * overwriting hurts the remaining ones least goes next. */
void inplace_plan_init(struct inplace_plan *pl, const struct cfota_oplist *ops, size_t new_len, uint32_t seg);
void inplace_plan_free(struct inplace_plan *pl);

/* For the parser (struct parse_params.valid_run, ctx = the plan): how
 * many of len bytes from target p on may be copied from the source bytes
 * from s on, under the plan. */
uint32_t inplace_valid_run(void *plan, unsigned kind, uint32_t p, uint32_t s, uint32_t len);

/* Rewrite ops so that no copy reads what the device will have overwritten:
 * such copies are sourced again from target bytes already in place, or
 * become literals. */
void inplace_resolve(struct cfota_oplist *ops, const struct inplace_plan *pl, const uint8_t *new_, size_t old_len,
                     size_t new_len, struct inplace_stats *st);

#endif
