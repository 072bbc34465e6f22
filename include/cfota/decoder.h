/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/decoder.h: the streaming package decoder for microcontrollers.
 *
 * The decoder turns the payload of a package (docs/package-format.md) into
 * the target image. It is a heatshrink-style push decoder: the caller hands
 * it package bytes in chunks of any size with cfota_dec_sink(), and it
 * writes target bytes through a callback as soon as it has them. Base-image
 * bytes, and target bytes already produced (copies inside the target), are
 * read back through callbacks, so the decoder needs no window in RAM: on a
 * device both live in flash.
 *
 * Resumability. The target is cut into segments (segment_size bytes of
 * output each, 64 KiB or less). At the end of every segment the decoder
 * stops with CFOTA_CHECKPOINT and cfota_dec_checkpoint() gives a 20-byte
 * record. A caller that saves the record can, after a reset, call
 * cfota_dec_resume() with it and feed the package again from
 * record.in_pos (or, for a package that replays, from the payload's
 * start: cfota_dec_resume); decoding then produces exactly the bytes it
 * would have produced without the interruption, from the start of the
 * next segment.
 *
 * Memory: everything lives in struct cfota_dec, which the caller allocates
 * (statically, on a stack, anywhere). sizeof(struct cfota_dec) is at most
 * CFOTA_DEC_RAM_MAX bytes (checked by tests/test_decoder_bounds.c), the
 * decoder never calls malloc and never recurses; its deepest call chain
 * uses at most CFOTA_DEC_STACK_MAX bytes of stack on x86-64 and
 * Cortex-M4 (measured with -fstack-usage, bench/mcu_size.sh). It uses no
 * libc function but memcpy and memset.
 */
#ifndef CFOTA_DECODER_H
#define CFOTA_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "cfota/model.h"
#include "cfota/package.h"
#include "cfota/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits the tests hold the implementation to. */
#define CFOTA_DEC_RAM_MAX 4096u   /* bytes of struct cfota_dec, at most */
#define CFOTA_DEC_STACK_MAX 744u  /* bytes of stack of cfota_dec_sink (the
                                     operand prediction path is the deepest) */

#define CFOTA_DEC_INBUF 112u   /* package bytes buffered (at least the
                                  112 bytes a step may take) */
#define CFOTA_DEC_OUTBUF 8u    /* target bytes buffered before a write */
#define CFOTA_DEC_SRCBUF 32u   /* cached bytes of the copy source (with
                                  prediction: 16 of them, 8 of context each
                                  side) */
#define CFOTA_DEC_SEGMAP 1024u /* segments cfota_dec_track's map holds (4
                                  MiB of target at 4 KiB segments); an
                                  ORDERED package with more is checked
                                  only within each segment beyond them */

/* I/O callbacks. Each returns 0 on success or a negative value on failure:
 * CFOTA_E_IO when the flash failed; another negative cfota status when
 * the callback refuses the access (CFOTA_E_CORRUPT: the package asks for
 * something impossible; CFOTA_E_INVAL), which the decoder returns as is,
 * so that a caller tells a package defect from an I/O error. Any other
 * negative value counts as CFOTA_E_IO. offsets are from the start of the
 * image in question. */
struct cfota_io {
    void *ctx;
    /* Read len bytes of the base image at off. Not called for packages
     * with CFOTA_FLAG_NO_BASE. */
    int (*read_old)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);
    /* Read back len bytes of the target image at off, always inside the
     * target size, and only bytes that an earlier write_new call has
     * written (in a replay, cfota_dec_resume, one before the
     * interruption): the decoder refuses (CFOTA_E_CORRUPT) a copy from bytes of
     * the current segment not produced yet, and, in an ORDERED package, a
     * copy from a segment not decoded yet, when the caller gave it a map
     * of the segments decoded (cfota_dec_track). Without the map (or
     * after cfota_dec_resume, since a checkpoint does not say which
     * segments came first) only the current segment's rule holds and the
     * target SHA-256 catches the rest. */
    int (*read_new)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);
    /* Write len (1..CFOTA_DEC_OUTBUF) bytes of the target image at off.
     * Within a segment the writes are sequential; a segment's first write
     * starts at its first byte. */
    int (*write_new)(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len);
    /* Optional (NULL when the caller does not have it): read len bytes of
     * the package itself at package offset off (from the package's first
     * header byte), always inside the payload. Only packages with
     * CFOTA_FLAG_ARCH need it: the decoder reads their displacement table
     * and address maps back from the package (a device keeps the package
     * in flash) rather than holding them in RAM; such a package without
     * read_pkg is refused by cfota_dec_init with CFOTA_E_INVAL. */
    int (*read_pkg)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);
};

/* A package's arch block (CFOTA_FLAG_ARCH, docs/package-format.md): where
 * its parts are in the package, as lib/operand.c parsed it. */
struct cfota_arch {
    uint8_t id, nbase, ntarget; /* architecture, regions of each image */
    uint32_t regions_off;       /* package offset of the first region */
    uint32_t table_off;         /* package offset of the first record */
    uint32_t count;             /* records of the displacement table */
    uint32_t size;              /* bytes of the whole block */
};

/* One run of the displacement table: base offsets [start, end) end up
 * disp bytes further in the target; flags say which operands sited in
 * it are predicted. */
struct cfota_run {
    uint32_t start, end;
    int32_t disp;
    uint8_t flags;
};

/* The record a caller persists to resume after an interruption. */
struct cfota_checkpoint {
    uint32_t segment; /* segments fully written, in payload order */
    uint32_t in_pos;  /* package offset to feed from when resuming */
    uint32_t range;   /* range decoder state at that point */
    uint32_t code;
    uint32_t prev_index; /* index of the last segment written (ORDERED
                            packages code the next one relative to it) */
};

/* What a CARRY package keeps from one segment to the next in payload
 * order (docs/package-format.md): the models and the history. A caller
 * that resumes such a package saves these CFOTA_CARRY_SIZE bytes with
 * each checkpoint (cfota_dec_carry) and puts them back after
 * cfota_dec_resume. */
struct cfota_carry {
    struct cfota_hist hist;
    struct cfota_models m;
};

#define CFOTA_CARRY_SIZE ((uint32_t)sizeof(struct cfota_carry))

struct cfota_dec {
    struct cfota_io io;
    uint8_t *written;     /* NULL, or cfota_dec_track's map: bit i set
                             when segment i has been decoded */
    /* From the header. */
    uint32_t base_size, target_size, segment_size;
    uint32_t payload_end; /* package offset just past the payload */
    /* Progress. */
    struct cfota_checkpoint cp; /* the last checkpoint passed */
    uint32_t in_pos;           /* package offset of inbuf[in_head] */
    uint32_t seg_index, seg_start, seg_end, out_pos;
    /* Current op. */
    uint32_t op_left; /* bytes of the current op; before the first segment:
                         stash plan bytes still to pass over */
    uint32_t src, old_cursor, last_old_end;
    int32_t new_rep;
    uint8_t state, kind, prev_kind, error;
    uint32_t range, code; /* range decoder */
    /* Buffers. */
    uint16_t in_head, in_len, out_len, src_len;
    uint32_t out_base, src_base;
    uint8_t src_is_new;
    uint8_t flags;              /* the header's */
    uint8_t tail_zeros;         /* bytes read past the payload (as 0) */
    uint8_t inbuf[CFOTA_DEC_INBUF];
    uint8_t outbuf[CFOTA_DEC_OUTBUF];
    uint8_t srcbuf[CFOTA_DEC_SRCBUF];
    uint16_t replay_to; /* after cfota_dec_resume by a replay: segments
                           decoded again without writing (0: none) */
    /* Operand prediction (CFOTA_FLAG_ARCH): the arch block, the last run
     * looked up, and the start of the current base copy's source (it ends
     * at old_cursor), which the prediction window never reads past. */
    struct cfota_arch arch;
    struct cfota_run run;
    uint32_t copy_lo;
    struct cfota_carry carry;
};

/* Start decoding the package whose parsed header is h (cfota_header_parse).
 * Feed the package from offset h->header_size (the payload's start). Returns CFOTA_OK,
 * CFOTA_E_INVAL (a NULL argument or missing callback), CFOTA_E_VERSION, or
 * CFOTA_E_CORRUPT for an empty target with a payload that is not empty
 * (every later cfota_dec_sink then returns CFOTA_E_CORRUPT too).
 * The caller must already have checked the base image (cfota_verify_base
 * in cfota/verify.h) if it wants a wrong base refused before any write. */
int cfota_dec_init(struct cfota_dec *d, const struct cfota_header *h, const struct cfota_io *io);

/* Like cfota_dec_init, but continue after the checkpoint cp (a record that
 * cfota_dec_checkpoint returned for the same package). Feed the package
 * from the in_pos that cfota_dec_checkpoint gives right after this call:
 * cp->in_pos, except for a CFOTA_FLAG_CARRY package without
 * CFOTA_FLAG_STASH (an A/B package whose models carry over and are saved
 * nowhere), which the decoder replays: it decodes the segments before cp
 * again from the payload's start (its in_pos then), calling read_old and
 * read_new as the first time (the base must be intact, and the target
 * bytes written before cp still in place) but never write_new, and
 * returns no CFOTA_CHECKPOINT for them; it writes again from the segment
 * after cp on. A replay costs the decoding of cp->segment segments and no
 * RAM. Returns CFOTA_OK or CFOTA_E_INVAL for a record that cannot belong
 * to this package. */
int cfota_dec_resume(struct cfota_dec *d, const struct cfota_header *h,
                     const struct cfota_io *io, const struct cfota_checkpoint *cp);

/* Check, for an ORDERED package decoded from its start, that no copy reads
 * a segment before it is decoded: map (CFOTA_DEC_SEGMAP / 8 bytes, the
 * caller's, so that the decoder's own RAM stays within CFOTA_DEC_RAM_MAX)
 * records the segments decoded. Call after cfota_dec_init and before the
 * first cfota_dec_sink; map must stay valid while decoding. Clears map. */
void cfota_dec_track(struct cfota_dec *d, uint8_t map[CFOTA_DEC_SEGMAP / 8]);

/* Push up to len package bytes. *consumed receives how many were taken
 * (always all of them when the result is CFOTA_MORE). Returns:
 *   CFOTA_MORE        feed more bytes;
 *   CFOTA_CHECKPOINT  a segment is complete and written; save the record
 *                     (cfota_dec_checkpoint) if you want to resume, then
 *                     call again with the bytes not consumed;
 *   CFOTA_DONE        the whole target is written;
 *   CFOTA_E_CORRUPT   the payload describes something impossible (a copy
 *                     outside the base, a length past the segment, ...);
 *   CFOTA_E_TRUNCATED the payload ended before the target;
 *   CFOTA_E_IO        a callback failed.
 * After an error every later call returns the same error. */
int cfota_dec_sink(struct cfota_dec *d, const uint8_t *buf, size_t len, size_t *consumed);

/* Copy the last checkpoint passed into *cp. Before the first one it is the
 * start of the payload. */
void cfota_dec_checkpoint(const struct cfota_dec *d, struct cfota_checkpoint *cp);

/* The model state of a CARRY package (CFOTA_CARRY_SIZE bytes, inside d):
 * right after CFOTA_CHECKPOINT (or cfota_dec_checkpoint), the state the
 * next segment starts from, to save with the checkpoint; right after
 * cfota_dec_resume at a checkpoint past the first segment, where to put
 * the saved bytes back before feeding. Only packages with carry slots
 * (cfota_carry_slots, cfota/package.h) need this: without
 * CFOTA_FLAG_CARRY the models reset at every segment, and a CARRY
 * package without CFOTA_FLAG_STASH is replayed by cfota_dec_resume
 * (bytes put back then are harmless: the replay resets them). */
void *cfota_dec_carry(struct cfota_dec *d);

/* Bytes of the target image written so far, for progress reports: exact
 * for packages that are not ORDERED; for ORDERED ones, segments done times
 * the segment size plus the current segment's bytes, at most the target
 * size (the short last segment may be done early). */
uint32_t cfota_dec_produced(const struct cfota_dec *d);

#ifdef __cplusplus
}
#endif
#endif
