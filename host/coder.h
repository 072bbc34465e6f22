/*
 * host/coder.h: turns a list of operations into the coded payload.
 *
 * The parser (host/parse.c) decides *what* to say: literal runs and copies
 * from the base or from the target itself. This file decides *how*: it
 * splits operations at segment boundaries, derives the offsets the way the
 * decoder will see them, and range-codes every symbol with the very same
 * models and contexts as lib/decoder.c (both include lib/symbols.inc).
 */
#ifndef CFOTA_HOST_CODER_H
#define CFOTA_HOST_CODER_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct cfota_op {
    uint8_t kind;    /* enum cfota_op_kind */
    uint32_t pos;    /* where in the target the op starts */
    uint32_t len;
    uint32_t src;    /* OLD: base offset; NEW: target offset (< pos) */
};

struct cfota_oplist {
    struct cfota_op *v;
    size_t n, cap;
};

void oplist_push(struct cfota_oplist *l, unsigned kind, uint32_t pos, uint32_t len, uint32_t src);
void oplist_free(struct cfota_oplist *l);

struct coder_params {
    uint32_t segment_size;   /* 4096..65536, multiple of 4096 */
    int ordered;             /* code each segment's index (in-place) */
    const uint32_t *order;   /* segment processing order if ordered */
};

/* Code ops (covering the target [0, new_len) contiguously, in target
 * order) into out. Returns 0, or -1 if the ops are inconsistent. */
int coder_encode(const struct cfota_oplist *ops, const uint8_t *old, size_t old_len,
                 const uint8_t *new_, size_t new_len, const struct coder_params *p,
                 struct bytes *out);

/* Estimated cost in bits of coding ops (same as coder_encode but only
 * counting); used by the parser to compare alternatives. */
double coder_cost_bits(const struct cfota_oplist *ops, const uint8_t *old, size_t old_len,
                       const uint8_t *new_, size_t new_len, const struct coder_params *p);

#endif
