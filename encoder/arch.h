/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/arch.h: the encoder's side of operand prediction (lib/operand.h):
 * which architecture an image is, the displacement table made from a
 * first parse, and the predicted base the rest of the encoder works on.
 *
 * The table and the predicted bytes go through the very functions the
 * decoder uses (lib/operand.c, lib/arch_*.c), reading the arch block this
 * file serializes, so the two sides cannot disagree.
 */
#ifndef CFOTA_ENCODER_ARCH_H
#define CFOTA_ENCODER_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "coder.h"
#include "operand.h"

#define ARCH_AUTO 0xFFu /* detect from the images (arch_detect) */

struct arch_model {
    unsigned id; /* enum cfota_arch_id */
    struct cfota_region reg[2][CFOTA_ARCH_REGIONS]; /* [0] base, [1] target */
    unsigned nreg[2];
    uint32_t base_size, target_size;
    struct bytes block;  /* the arch block, as it goes into the payload */
    struct cfota_arch a; /* block parsed: offsets are from its first byte */
    struct cfota_run run;
    unsigned mask;       /* run flags honoured (CFOTA_PRED_*), for trials */
    const uint8_t *raw;  /* the raw base being predicted */
};

/* The architecture of image img, and its address map into r
 * (CFOTA_ARCH_REGIONS entries, the unused ones with len 0):
 * CFOTA_ARCH_XTENSA for an ESP image with sane segments (its segments and
 * flash-mapped part, encoder/esp_image.h); CFOTA_ARCH_THUMB2 for an image
 * that opens with a Cortex-M vector table (initial stack pointer in RAM,
 * reset and fault vectors Thumb addresses inside the image at a plausible
 * load address; one region at its load address); CFOTA_ARCH_NONE when
 * nothing is recognised. */
unsigned arch_detect(const uint8_t *img, size_t len, struct cfota_region r[CFOTA_ARCH_REGIONS]);

/* Name of an id for messages and the --arch option ("thumb2", ...). */
const char *arch_name(unsigned id);

/* Build the model for architecture id with the images' regions (arrays of
 * CFOTA_ARCH_REGIONS, the used ones first, then len 0), from
 * ops, a parse of new_ against the raw base old: runs of equal
 * displacement from the base copies, short runs merged away, each run's
 * flags kept only where the prediction matches more target bytes than
 * the raw base does. */
void arch_model_build(struct arch_model *m, unsigned id, const struct cfota_region *base_r,
                      const struct cfota_region *target_r, const struct cfota_oplist *ops, const uint8_t *old,
                      size_t old_len, const uint8_t *new_, size_t new_len);

/* out[0..old_len): the base predicted as if one copy read it all (what the
 * matcher and the parser work on). */
void arch_predict_base(struct arch_model *m, const uint8_t *old, size_t old_len, uint8_t *out);

/* out[0..len): the bytes a device reads for a base copy with source
 * [src, src + len), exactly. */
void arch_predict_copy(struct arch_model *m, const uint8_t *old, uint32_t src, uint32_t len, uint8_t *out);

void arch_model_free(struct arch_model *m);

#endif
