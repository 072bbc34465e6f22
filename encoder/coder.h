/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/coder.h: turns a list of operations into the coded payload.
 *
 * The parser (encoder/parse.c) decides *what* to say: literal runs and copies
 * from the base or from the target itself. This file decides *how*: it
 * splits operations at segment boundaries, derives the offsets the way the
 * decoder will see them, and range-codes every symbol with the very same
 * models and contexts as lib/decoder.c (both include lib/symbols.inc).
 */
#ifndef CFOTA_ENCODER_CODER_H
#define CFOTA_ENCODER_CODER_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "cfota/decoder.h"
#include "cfota/model.h"

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

struct arch_model;

struct coder_params {
    uint32_t segment_size;   /* 4096..65536, multiple of 4096 */
    int ordered;             /* code each segment's index (in-place) */
    const uint32_t *order;   /* segment processing order if ordered */
    int carry;               /* models carry over between segments
                                (CFOTA_FLAG_CARRY) */
    /* Operand prediction (CFOTA_FLAG_ARCH), or NULL: the ops' old is then
     * the predicted base, and coder_encode codes each base copy against
     * the bytes a device reads for it, predicted from raw (the base). */
    struct arch_model *arch;
    const uint8_t *raw;
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

/* What the decoder knows within a segment, mirrored: the models, the
 * history of differences, the previous op kind and the copy cursors. */
struct coder_state {
    struct cfota_models m;
    struct cfota_hist hist;
    unsigned prev_kind;
    uint32_t old_cursor, last_old_end;
    int32_t new_rep;
    uint32_t seg_end; /* the current segment's end */
};

/* The state at the start of the segment [seg_start, seg_end). */
void coder_state_reset(struct coder_state *s, uint32_t seg_start, uint32_t seg_end);

/* A counting coder over one segment that can try a few ops and take them
 * back: encoder/refine.c compares local rewrites of an op list with it. */
struct coder_sim {
    struct coder_state s;
    /* While a trial runs, every model changed, with its value before. */
    int trial;
    struct { uint16_t *p; uint16_t v; } *log;
    size_t nlog, cap;
    struct cfota_hist saved_hist;
    unsigned saved_prev_kind;
    uint32_t saved_old_cursor, saved_last_old_end;
    int32_t saved_new_rep;
};

/* Code op's header (kind, length, source) into sim; returns its bits. */
double coder_sim_head(struct coder_sim *sim, const struct cfota_op *op);

/* Code the bytes [from, to) of op (target offsets within op) into sim;
 * returns their bits. A header and its op's bytes use disjoint models, so
 * bytes may be coded before their header. */
double coder_sim_bytes(struct coder_sim *sim, const uint8_t *old, const uint8_t *new_, const struct cfota_op *op,
                       uint32_t from, uint32_t to);

/* Start a trial: what is coded from now on can be taken back. */
void coder_sim_trial(struct coder_sim *sim);
/* Take back everything coded since coder_sim_trial. */
void coder_sim_undo(struct coder_sim *sim);
void coder_sim_free(struct coder_sim *sim);

#endif
