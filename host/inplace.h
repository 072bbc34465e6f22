/*
 * host/inplace.h: making a package safe to apply in place.
 */
#ifndef CFOTA_HOST_INPLACE_H
#define CFOTA_HOST_INPLACE_H

#include <stddef.h>
#include <stdint.h>

#include "coder.h"

struct inplace_stats {
    uint64_t conflict_bytes; /* copy bytes that had to become literals */
};

/* Choose the order in which the segments (seg bytes each) will be applied
 * and rewrite ops so that no segment reads a byte that an earlier segment
 * has overwritten: such copies are sourced again from target bytes already
 * in place, or become literals. order receives ceil(new_len/seg) segment
 * indices. */
void inplace_plan(struct cfota_oplist *ops, const uint8_t *new_, size_t old_len, size_t new_len, uint32_t seg,
                  uint32_t *order, struct inplace_stats *st);

#endif
