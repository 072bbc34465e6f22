/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/journal.h: the update journal, a log of small records in two erase
 * blocks (internal to the update engine; docs/update-engine.md, "Journal").
 *
 * Records are appended, never rewritten. A record is valid when its magic
 * and CRC-32 check out, so a record torn by a power cut reads as invalid and
 * is skipped; the state is the last valid record of the active block. When
 * a block fills up, the other block is erased and receives a copy of the
 * BEGIN record and of the latest record; only once both are written does
 * the new block count, so a cut during the switch leaves the old block in
 * charge.
 */
#ifndef CFOTA_JOURNAL_H
#define CFOTA_JOURNAL_H

#include <stdint.h>

#include "cfota/flash.h"

#define JOURNAL_RECORD 32u
#define JOURNAL_MAGIC 0x314A4643u /* "CFJ1" */

enum journal_type {
    J_BEGIN = 1,     /* an update starts: body.begin */
    J_DECODED = 2,   /* a segment is in scratch: body.segment, index */
    J_COMMITTED = 3, /* a segment is in the image: body.segment, index */
    J_DONE = 4,      /* the target is in place and verified: body.segment
                        (ordinal 0), not read back */
    J_FAILED = 5,    /* the update ended with an error: body.failed */
    J_STASHED = 6    /* a segment's stash entries are saved (in place):
                        body.segment, index */
};

#define J_FLAG_COPY 0x01u     /* a BEGIN copied by a block switch */
#define J_FLAG_IN_PLACE 0x02u /* BEGIN: in-place update */
/* Bits 4..7 of flags: runs started from this record's state without
 * journalling progress since (the engine's retry bound). A run re-appends
 * the last record with the count one higher; any progress record has 0. */
#define J_RUNS_SHIFT 4u
#define J_RUNS_MAX 15u

/* BEGIN: what the update is, written once by cfota_update_begin. */
struct journal_begin {
    uint32_t payload_crc32; /* identifies the package in the package area */
    uint32_t package_bytes; /* header and payload */
    uint32_t target_size;
    uint32_t wear_base;     /* scratch ring position of segment ordinal 0 */
};

/* DECODED, STASHED and COMMITTED: segment `ordinal` (in payload order; its
 * target segment is the record's index, which is also the checkpoint's
 * prev_index) and the decoder checkpoint after it. */
struct journal_segment {
    uint32_t ordinal;
    uint32_t in_pos;  /* cfota_checkpoint.in_pos */
    uint32_t range;   /* cfota_checkpoint.range */
    uint32_t code;    /* cfota_checkpoint.code */
};

/* FAILED: why, and where (the checkpoint fields as in a segment record;
 * DONE carries them too). Kept for a post-mortem, never read back. */
struct journal_failed {
    uint32_t error;   /* a negative enum cfota_status, as uint32_t */
    uint32_t in_pos, range, code;
};

/* The 16 body bytes of a record (offsets 12..27), one view per kind.
 * word[] is the order on flash; every view is four uint32_t (checked in
 * journal.c), so word[i] and the i-th named field are the same bytes. */
union journal_body {
    struct journal_begin begin;
    struct journal_segment segment;
    struct journal_failed failed;
    uint32_t word[4];
};

struct journal_rec {
    uint32_t seq;
    uint8_t type, flags;
    uint16_t index;
    union journal_body body;
};

struct journal {
    const struct cfota_area *area;
    uint32_t slot;      /* bytes per record slot */
    uint32_t slots;     /* slots per block */
    uint32_t block;     /* active block: 0 or 1 */
    uint32_t next;      /* next free slot in the active block */
    uint32_t seq;       /* seq of the last record */
    struct journal_rec begin, last;
    int valid;          /* an update is recorded */
};

/* Find the active block and its last record. Returns CFOTA_OK (j->valid
 * says whether an update is recorded), CFOTA_E_INVAL or CFOTA_E_IO. */
int journal_load(struct journal *j, const struct cfota_area *area);

/* Erase both blocks and write BEGIN r into block 0. */
int journal_start(struct journal *j, const struct journal_rec *r, uint8_t *buf, uint32_t buf_size);

/* Append r (its seq is assigned), switching blocks when full. */
int journal_append(struct journal *j, struct journal_rec *r, uint8_t *buf, uint32_t buf_size);

/* Erase both blocks. */
int journal_erase(struct journal *j);

#endif
