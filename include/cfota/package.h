/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/package.h: the package header (docs/package-format.md).
 *
 * A package is: a header of 108 to 172 bytes, the coded payload (one
 * independently coded stream per segment of the target), and an optional
 * signature block (cfota/signature.h). The header carries everything a
 * device must check before it touches flash: which base image the package
 * applies to (size and SHA-256), what it produces (size and SHA-256), the
 * versions, the product it is for and its security counter (anti-rollback),
 * and a CRC-32 of the payload, all protected by a CRC-32 of the header
 * itself; the signature, when there is one, covers header and payload.
 *
 * RAM: struct cfota_header is 176 bytes; parsing uses no other memory.
 */
#ifndef CFOTA_PACKAGE_H
#define CFOTA_PACKAGE_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_HEADER_FIXED 104u /* bytes before the version strings */
#define CFOTA_HEADER_MAX (CFOTA_HEADER_FIXED + 2 * CFOTA_VERSION_MAX + 4u)
#define CFOTA_MAGIC "CFPK"
#define CFOTA_FORMAT_VERSION 2u /* 2: product id, security counter */
#define CFOTA_VERSION_MAX 32u /* bytes of a version string, NUL not counted */
#define CFOTA_SIG_BLOCK_SIZE 73u /* the signature block (docs/package-format.md) */

/* Header flags. Unknown bits make a decoder refuse the package. */
#define CFOTA_FLAG_IN_PLACE 0x01u  /* made for in-place apply (scratch used) */
#define CFOTA_FLAG_NO_BASE 0x02u   /* full image: the base is not read */
#define CFOTA_FLAG_ORDERED 0x04u   /* each segment names its index */
#define CFOTA_FLAG_SIGNED 0x08u    /* a signature block follows payload
                                      (CFOTA_SIG_BLOCK_SIZE bytes) */
#define CFOTA_FLAG_STASH 0x10u     /* the payload opens with a stash plan */
#define CFOTA_FLAG_CARRY 0x20u     /* models carry over between segments
                                      (a resumed decoder gets them from
                                      the carry slots with STASH, else by
                                      a replay) */
#define CFOTA_FLAG_ARCH 0x40u      /* an arch block follows the stash plan:
                                      base copies read operands predicted */
#define CFOTA_FLAGS_KNOWN 0x7Fu

/* Decoded header. Version strings are NUL-terminated here; on the wire
 * they are stored with a length byte and no terminator. */
struct cfota_header {
    uint8_t format_version;
    uint8_t flags;
    uint16_t header_size;        /* bytes of the header on the wire */
    uint32_t segment_size;       /* target bytes per segment: 4 KiB..64 KiB,
                                    a multiple of 4 KiB */
    uint32_t scratch_size;       /* in-place: scratch bytes the device needs */
    uint32_t base_size;
    uint32_t target_size;
    uint32_t payload_size;       /* coded bytes right after the header */
    uint32_t sig_size;           /* bytes of the signature block, 0 if none */
    uint8_t base_sha256[32];     /* zero for CFOTA_FLAG_NO_BASE */
    uint8_t target_sha256[32];
    uint32_t payload_crc32;      /* CRC-32 of the payload bytes */
    uint32_t product_id;         /* the product the package is for; a
                                    device refuses another (0: unnamed) */
    uint32_t security_counter;   /* a device refuses a package whose
                                    counter is below the one it runs */
    char base_version[CFOTA_VERSION_MAX + 1];
    char target_version[CFOTA_VERSION_MAX + 1];
};

/* Number of segments of the target image: ceil(target_size/segment_size). */
uint32_t cfota_header_segments(const struct cfota_header *h);

/* Bytes of the header that starts at buf, from its first 10 bytes (len >=
 * 10), without checking it: lets a streaming reader know how much to
 * collect before calling cfota_header_parse. Returns 0 if the magic is
 * wrong or a version length is over 32. */
uint32_t cfota_header_size_peek(const uint8_t *buf, size_t len);

/* Parse and check the header at buf (len bytes available, at least the
 * header's size). Returns CFOTA_OK; CFOTA_E_CORRUPT (bad magic, CRC, or
 * inconsistent sizes); CFOTA_E_VERSION (unknown format version or flags);
 * CFOTA_E_TRUNCATED (len shorter than the header); CFOTA_E_INVAL (NULL).
 * Never reads past buf[len-1]. */
int cfota_header_parse(struct cfota_header *h, const uint8_t *buf, size_t len);

/* Serialize h into out (room for CFOTA_HEADER_MAX bytes), computing its
 * header_size and CRC; returns the size written, or CFOTA_E_INVAL for a
 * version string over 32 bytes or not printable ASCII, or a segment size
 * that is not a multiple of 4 KiB up to 64 KiB. */
int cfota_header_write(const struct cfota_header *h, uint8_t *out);

/* The stash plan (docs/package-format.md, "The stash plan"): in an
 * in-place package with CFOTA_FLAG_STASH, the payload opens with a plan
 * head and count entries, before the coded stream. Entry i says: just
 * before the segment of ordinal `step` is committed, save the base bytes
 * [base, base+len) to the device's stash area at offset `at`; from then on
 * copies read those base bytes from there. */
#define CFOTA_STASH_UNIT 4096u  /* stash offsets and the stash size are
                                   multiples of this */
#define CFOTA_PLAN_HEAD 8u      /* count, stash size */
#define CFOTA_PLAN_ENTRY 16u    /* step, base, len, at */

/* With CFOTA_FLAG_CARRY and CFOTA_FLAG_STASH the stash's first units are
 * the two carry slots (docs/update-engine.md): entries start after them. */
#define CFOTA_CARRY_SLOTS 2u

/* 1 if a package with header flags `flags` keeps its carried models in
 * carry slots (CFOTA_FLAG_CARRY with CFOTA_FLAG_STASH), 0 if it has none
 * to keep (no CARRY) or rebuilds them by a replay (CARRY without STASH:
 * an A/B package, cfota_dec_resume). */
int cfota_carry_slots(uint8_t flags);

/* Stash bytes before the first entry: CFOTA_CARRY_SLOTS units with carry
 * slots (cfota_carry_slots), else 0. */
uint32_t cfota_plan_reserved(const struct cfota_header *h);

struct cfota_plan_head {
    uint32_t count;      /* entries */
    uint32_t stash_size; /* bytes of stash area the device needs */
};

struct cfota_stash_entry {
    uint32_t step; /* ordinal of the segment whose commit destroys the bytes */
    uint32_t base; /* first base byte saved */
    uint32_t len;  /* bytes saved, >= 1 */
    uint32_t at;   /* offset in the stash area, a multiple of the unit */
};

/* Bytes of the plan of a package with header h: 0 without
 * CFOTA_FLAG_STASH, else CFOTA_PLAN_HEAD + count * CFOTA_PLAN_ENTRY. */
uint32_t cfota_plan_bytes(const struct cfota_header *h, const struct cfota_plan_head *p);

/* Parse the plan head (8 bytes at buf) of the package with header h and
 * check it against the header: count entries fit the payload, the stash
 * size is whole units. Returns CFOTA_OK or CFOTA_E_CORRUPT. */
int cfota_plan_head_parse(struct cfota_plan_head *p, const uint8_t *buf, const struct cfota_header *h);

/* Parse entry (16 bytes at buf) and check it alone against the header and
 * the plan head: step below the segment count, base range inside the base,
 * stash range inside the stash size, at a whole unit. prev (NULL for the
 * first entry) is the entry before it: base ranges must increase and not
 * overlap. Returns CFOTA_OK or CFOTA_E_CORRUPT. */
int cfota_stash_entry_parse(struct cfota_stash_entry *e, const uint8_t *buf, const struct cfota_header *h,
                            const struct cfota_plan_head *p, const struct cfota_stash_entry *prev);

/* Decode entry (16 bytes at buf) without any check (an entry already
 * checked by cfota_stash_entry_parse, read again). */
void cfota_stash_entry_get(struct cfota_stash_entry *e, const uint8_t *buf);

/* Serialize the plan head and one entry (CFOTA_PLAN_HEAD and
 * CFOTA_PLAN_ENTRY bytes). */
void cfota_plan_head_write(const struct cfota_plan_head *p, uint8_t *out);
void cfota_stash_entry_write(const struct cfota_stash_entry *e, uint8_t *out);

#ifdef __cplusplus
}
#endif
#endif
