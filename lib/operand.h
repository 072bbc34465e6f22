/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/operand.h: operand prediction, shared by the encoder and the decoder
 * (internal to cfota; not installed). docs/package-format.md, "The arch
 * block", is the contract.
 *
 * A package with CFOTA_FLAG_ARCH tells how code and data moved from base
 * to target: a displacement table (base offset b ends up at target offset
 * b + disp) and the address maps (regions) of both images. The decoder
 * reads each base copy through a layer that rewrites every operand it
 * recognises (relative branch or call, absolute pointer into the image)
 * into what it would be if its target moved as the table says; the copy
 * then codes target byte = predicted byte + difference, and the difference
 * is zero wherever the prediction holds.
 *
 * Prediction of a copy's bytes is a pure function of the base bytes of
 * that copy's source range, the table and the regions, so the encoder
 * (which computes the same bytes with the same functions) and the decoder
 * cannot drift. Recognisers (lib/arch_*.c, one per architecture) see a
 * buffer of at most CFOTA_ARCH_SPAN base bytes and ask the table through
 * struct cfota_disp_src.
 *
 * RAM: nothing static; the functions use a few dozen bytes of stack.
 */
#ifndef CFOTA_OPERAND_H
#define CFOTA_OPERAND_H

#include <stdint.h>

#include "cfota/decoder.h"
#include "cfota/package.h"

/* Architectures (the arch block's id byte). */
enum cfota_arch_id {
    CFOTA_ARCH_NONE = 0,
    CFOTA_ARCH_THUMB2 = 1,
    CFOTA_ARCH_A64 = 2,
    CFOTA_ARCH_XTENSA = 3,
    CFOTA_ARCH_IDS = 4
};

/* One piece of an image's address map: file bytes [off, off + len) sit at
 * addresses [vaddr, vaddr + len). */
struct cfota_region {
    uint32_t vaddr, off, len;
};
#define CFOTA_ARCH_REGIONS 4u /* regions per image, at most */

/* Context a recogniser sees around the bytes it must predict, and the
 * most bytes one call takes. A call rewrites every operand that overlaps
 * [lo, hi) and lies, with the context its rule reads, inside the buffer;
 * callers give CFOTA_ARCH_PAD bytes of context on each side except at the
 * edges of a copy's source, where both sides stop alike. */
#define CFOTA_ARCH_PAD 8u
#define CFOTA_ARCH_SPAN 64u

/* A table run's flags: which operands sited in it are predicted. */
#define CFOTA_PRED_REL 1u /* relative: branches, calls, PC-relative loads */
#define CFOTA_PRED_ABS 2u /* absolute 32-bit pointers */

/* What a recogniser may ask. disp: the displacement at base offset
 * base_off: returns 0 with *disp and *predict (the run's CFOTA_PRED_*
 * flags), 1 when the table has no run there (predict "unchanged"), or a
 * negative cfota status (an I/O error of the table's reader), which the
 * recogniser returns as is. region: region i (0, 1, ...) of the base
 * (target 0) or of the target (target 1) into *r: returns 0, 1 when there
 * is no region i, or a negative cfota status. */
struct cfota_disp_src {
    int (*disp)(void *ctx, uint32_t base_off, int32_t *disp, unsigned *predict);
    int (*region)(void *ctx, unsigned target, unsigned i, struct cfota_region *r);
    /* Raw base bytes, for cfota_predict_fill (recognisers never read). */
    int (*read)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);
    void *ctx;
};

/* The recogniser of one architecture: rewrite in place the operands of
 * buf, which holds base bytes [off, off + len) (len <= CFOTA_ARCH_SPAN),
 * that overlap buf[lo, hi) (0 <= lo <= hi <= len), each only if the run of
 * its own offset has the flag of its kind. Recognition reads only bytes of
 * buf, and the same bytes give the same result: an operand whose bytes or
 * context reach past buf is left as it is. Returns 0, or a negative cfota
 * status from src. */
typedef int (*cfota_arch_fn)(uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi,
                             const struct cfota_disp_src *src);

int cfota_arch_thumb_predict(uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi,
                             const struct cfota_disp_src *src);
int cfota_arch_xtensa_predict(uint8_t *buf, uint32_t off, uint32_t len, uint32_t lo, uint32_t hi,
                              const struct cfota_disp_src *src);

/* The recogniser of arch (an enum cfota_arch_id), or NULL for none or one
 * this build does not know. */
cfota_arch_fn cfota_arch_recogniser(unsigned arch);

/* ---- helpers for recognisers (lib/operand.c) ---- */

/* The operand of kind (CFOTA_PRED_REL or CFOTA_PRED_ABS) sited at base
 * offset at: returns 1 when its run predicts that kind, with *old_va its
 * address in the base and *new_va the address it moves to in the target;
 * 0 when it stays as it is (no run, flag off, outside every region); or a
 * negative cfota status. */
int cfota_op_site(const struct cfota_disp_src *src, uint32_t at, unsigned kind, uint32_t *old_va,
                  uint32_t *new_va);

/* Where the thing at base address va moves: 1 with *new_va, 0 when va is
 * in no base region or its offset in no run or its new offset in no target
 * region, or a negative cfota status. */
int cfota_op_move(const struct cfota_disp_src *src, uint32_t va, uint32_t *new_va);

/* The generic absolute pointer rule: the little-endian 32-bit word w[0..3]
 * at base offset at (the caller checks its alignment) is a pointer if its
 * value is an address of a base region; it becomes the address its target
 * moves to, when the run of at predicts CFOTA_PRED_ABS. Returns 1 when it
 * was a pointer and was rewritten, 0 when left alone, or a negative cfota
 * status. */
int cfota_ptr_predict(uint8_t *w, uint32_t at, const struct cfota_disp_src *src);

/* The new relative operand of an instruction at base offset at whose
 * reference is at's address + rel (bytes): 1 with *new_rel, the same
 * reference after both moved, 0 to leave it, or a negative status. */
int cfota_rel_predict(const struct cfota_disp_src *src, uint32_t at, int64_t rel, int64_t *new_rel);

/* ---- the arch block and its displacement table ---- */

/* The arch block's fixed head, then regions and records. */
#define CFOTA_ARCH_HEAD 8u   /* id, base regions, target regions, 0, count */
#define CFOTA_ARCH_REGION 12u /* vaddr, off, len */
#define CFOTA_ARCH_RECORD 6u /* start (24 bits), disp << 2 | flags (24) */
#define CFOTA_DISP_MIN (-(1L << 21))
#define CFOTA_DISP_MAX ((1L << 21) - 1)

/* Reads len bytes of the package at package offset off: cfota_io's
 * read_pkg. */
typedef int (*cfota_pkg_reader)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);

/* struct cfota_arch (a parsed arch block) and struct cfota_run (one run
 * of the table) are in cfota/decoder.h: the decoder's state holds them. */

/* Read and check the arch block at package offset off through rd (end:
 * the package offset it must end by, i.e. the payload's end). Checks: a
 * known id (1..3), 1..4 regions per image each inside its image (len >= 1,
 * off + len <= image size, vaddr + len <= 2^32), the records inside the
 * payload, their starts strictly increasing and below base_size.
 * Returns CFOTA_OK, CFOTA_E_CORRUPT, or the reader's error. */
int cfota_arch_parse(struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, uint32_t off, uint32_t end,
                     uint32_t base_size, uint32_t target_size);

/* The run that holds base offset b into *run (run->end: the next record's
 * start, or base_size for the last): returns 0, 1 when b is before the
 * first record's start (no run), or the reader's error. */
int cfota_table_find(const struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, uint32_t base_size,
                     uint32_t b, struct cfota_run *run);

/* Find and check the arch block of the package with header h (flag
 * CFOTA_FLAG_ARCH): it follows the stash plan, if any, at the payload's
 * start. Reads through rd (package offsets). Returns as cfota_arch_parse
 * (CFOTA_E_CORRUPT also for a plan head that does not fit). */
int cfota_arch_locate(struct cfota_arch *a, const struct cfota_header *h, cfota_pkg_reader rd, void *ctx);

/* Region i of a parsed block (target 0: base, 1: target): 0, 1 when there
 * is none, or the reader's error. */
int cfota_arch_region(const struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, unsigned target, unsigned i,
                      struct cfota_region *r);

/* Serialize one record (CFOTA_ARCH_RECORD bytes); disp must be within
 * CFOTA_DISP_MIN..CFOTA_DISP_MAX and start below 2^24. */
void cfota_record_write(uint8_t *out, uint32_t start, int32_t disp, unsigned flags);

/* Predict base bytes [s, s + n) of a copy whose source is [lo, hi) (lo <=
 * s, s + n <= hi, 1 <= n <= CFOTA_ARCH_SPAN - 2 * CFOTA_ARCH_PAD) with the
 * recogniser fn: src->read gives the raw base bytes; win is the caller's
 * buffer of CFOTA_ARCH_SPAN bytes (fewer will do when n is smaller: n + 2
 * CFOTA_ARCH_PAD); the n predicted bytes end up at win[0..n). Both sides
 * fill through this function, so the bytes a copy reads are the same
 * whatever the window. Returns 0 or a negative cfota status (from read or
 * the table). */
int cfota_predict_fill(cfota_arch_fn fn, const struct cfota_disp_src *src, uint32_t lo, uint32_t hi, uint32_t s,
                       uint32_t n, uint8_t *win);

#endif
