/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/stash.h: choosing what the device saves to its stash area before
 * an in-place commit destroys it (docs/package-format.md, "The stash plan").
 */
#ifndef CFOTA_ENCODER_STASH_H
#define CFOTA_ENCODER_STASH_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "cfota/package.h"
#include "coder.h"

struct inplace_plan;

/* One stashed base range: saved at ordinal step, read by segments of
 * ordinals up to last, kept at stash offset at. */
struct stash_grant {
    uint32_t base, len, step, last, at;
};

struct stash_plan {
    struct stash_grant *v; /* sorted by base, disjoint */
    size_t n;
    uint32_t size;         /* stash bytes needed: whole units */
    uint64_t saved;        /* bytes the device copies to the stash */
};

/* From ops (a parse of the pair) and the order in pl: every base range
 * that a copy of a later segment reads and an earlier commit destroys,
 * merged and laid out in stash units after the first reserved bytes (the
 * carry slots), within budget bytes in all at any time. Ranges that do
 * not fit are left out (their copies are then re-sourced or become
 * literals, as without a stash). */
void stash_plan_make(struct stash_plan *sp, const struct cfota_oplist *ops, const struct inplace_plan *pl,
                     uint32_t budget, uint32_t reserved);
void stash_plan_free(struct stash_plan *sp);

/* The grant that holds base byte s, or NULL. */
const struct stash_grant *stash_find(const struct stash_plan *sp, uint64_t s);

/* The base of the first grant above s, or UINT64_MAX. */
uint64_t stash_next(const struct stash_plan *sp, uint64_t s);

/* Append the plan's bytes (head and entries) to out. */
void stash_plan_write(const struct stash_plan *sp, struct bytes *out);

#endif
