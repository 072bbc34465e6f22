/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/model.h: the adaptive probability models of the package coder,
 * and the history their contexts are made from.
 *
 * This is the memory layout the decoder keeps between calls; it is public
 * only so that a caller can allocate struct cfota_dec (decoder.h) without
 * malloc. Nothing here is an API to call. docs/package-format.md gives the
 * meaning of every table and how its contexts are formed.
 *
 * Every entry is 16 bits: a probability that the next binary decision is
 * 0, in units of 1/65536, except the zero_* weights, which are logistic
 * weights (lib/prob.h, "Mixed bits"). All models are reset to their
 * initial values at the start of the payload and, unless the package
 * carries them over (CFOTA_FLAG_CARRY), at the start of each segment,
 * which makes a segment decodable on its own (and so resumable) without
 * saving any model state; carried models are saved by the caller or
 * rebuilt by a replay (cfota_dec_resume).
 *
 * RAM: sizeof(struct cfota_models) == 2 * CFOTA_MODEL_PROBS bytes.
 */
#ifndef CFOTA_MODEL_H
#define CFOTA_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Operation kinds of the coded stream. */
enum cfota_op_kind {
    CFOTA_OP_LIT = 0,  /* literal bytes */
    CFOTA_OP_OLD = 1,  /* approximate copy from the base image */
    CFOTA_OP_NEW = 2   /* approximate copy from the target produced so far */
};

#define CFOTA_KIND_CTX 4      /* previous kind, or 3 at a segment start */
#define CFOTA_LEN_EXP 16      /* lengths are 1..65536 (2^16: exponent 16) */
#define CFOTA_OFF_EXP 24      /* offsets and distances are 1..2^25-1 */
#define CFOTA_GAMMA_MANT 3    /* top mantissa bits modelled: tree of 2 bits,
                                 by exponent 1 .. maxexp */
#define CFOTA_ZERO_HIST 32    /* zero-bit weights by lane and the last three
                                 nonzero flags */
#define CFOTA_ZERO_SHIFT 1    /* zero-bit weights by byte: its top 7 bits */
#define CFOTA_ZERO_BYTE (256 >> CFOTA_ZERO_SHIFT)
#define CFOTA_DIFF_CTX 2      /* contexts of the difference byte tree */
#define CFOTA_LIT_CTX 1       /* contexts of the literal byte tree */

/* exp[k]: is the exponent above k (k < maxexp); mant[e - 1]: the two
 * bits below the leading one for exponent e >= 1 (only mant[0][0] for
 * e = 1). */
struct cfota_gamma_model {
    uint16_t exp[CFOTA_OFF_EXP];
    uint16_t mant[CFOTA_OFF_EXP][CFOTA_GAMMA_MANT];
};

struct cfota_len_model {
    uint16_t exp[CFOTA_LEN_EXP];
    uint16_t mant[CFOTA_LEN_EXP][CFOTA_GAMMA_MANT];
};

struct cfota_models {
    uint16_t is_copy[CFOTA_KIND_CTX];
    uint16_t is_old[CFOTA_KIND_CTX];
    uint16_t old_rep[2][CFOTA_KIND_CTX]; /* offset unchanged / advanced */
    uint16_t old_sign;
    uint16_t new_rep[CFOTA_KIND_CTX];
    uint16_t new_sign;
    uint16_t whole;                      /* a segment's first op covers it */
    struct cfota_len_model len[3];       /* by op kind */
    struct cfota_gamma_model off[2];     /* 0: base offset delta, 1: distance */
    /* Is the difference byte zero? Three weights summed, one from each
     * table (lib/symbols.inc). */
    int16_t zero_hist[CFOTA_ZERO_HIST]; /* by lane and recent differences */
    int16_t zero_prev[CFOTA_ZERO_BYTE];  /* by the previous target byte */
    int16_t zero_src[CFOTA_ZERO_BYTE];   /* by the source byte */
    uint16_t same[6];                    /* equals the last word's change? */
    uint16_t same8[3];                   /* ... 8 back? */
    uint16_t by_src[6];                  /* ... last on this source class? */
    uint16_t diff[CFOTA_DIFF_CTX][256];  /* difference byte, bitwise tree */
    uint16_t lit[CFOTA_LIT_CTX][256];    /* literal byte, bitwise tree */
};

#define CFOTA_MODEL_PROBS (sizeof(struct cfota_models) / 2)

#define CFOTA_SRC_CLASSES 16 /* classes of source bytes (their top 4 bits:
                                16 rather than 32 classes cost 0.2% of the
                                corpus and pay for the Xtensa recogniser's
                                stack inside the 4 KiB bound) */

/* The running history the symbol contexts are made from, per op and per
 * segment (updated by lib/hist.h the same way on both sides). */
struct cfota_hist {
    uint32_t dring; /* the last four difference bytes, newest lowest */
    uint32_t dring8; /* the four before them */
    uint32_t sring, sring8; /* the source bytes of those eight, alike */
    uint8_t nz;     /* bit i: difference i+1 bytes back was nonzero */
    uint8_t prev;   /* the previous target byte */
    /* cls[s >> 4]: the last nonzero difference added to a source byte
     * of that class, 0 if none yet in this segment */
    uint8_t cls[CFOTA_SRC_CLASSES];
};

#ifdef __cplusplus
}
#endif
#endif
