/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/dec_rig.h: drive the streaming decoder (cfota/decoder.h) from
 * memory, as a device would from flash, with callbacks that police the
 * decoder's side of the contract.
 *
 * The callbacks never trust the decoder: a read of the base outside the
 * base, a read-back of target bytes not yet written, a write outside the
 * target, a write that is not sequential within its segment or crosses
 * the segment's end, or a write of more than CFOTA_DEC_OUTBUF bytes is
 * refused (the callback returns -1) and counted in `violations`, which
 * the tests assert is zero (see allow_unwritten for the one exception).
 * The callbacks call no cmocka function, so they also run in a thread
 * (test_decoder_bounds.c).
 *
 * The rig also remembers which segments were written in which order, so
 * that an interruption can be simulated faithfully: everything written
 * after the last checkpoint is overwritten with garbage, as a power cut
 * during flash programming would leave it, before decoding resumes.
 *
 * Header-only (static inline) so each test program that needs it stays a
 * single source file, as tests/CMakeLists.txt builds them.
 */
#ifndef CFOTA_TEST_DEC_RIG_H
#define CFOTA_TEST_DEC_RIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfota/decoder.h"
#include "cfota/package.h"
#include "cfota/status.h"

struct dec_rig {
    const uint8_t *old;
    uint32_t old_len;
    uint8_t *out;      /* the target image being built */
    uint8_t *written;  /* per byte of out: 1 once written */
    uint32_t target_len, seg;
    uint32_t *order;   /* segment indices in the order they were started */
    uint32_t started;  /* entries of order */
    uint32_t next_off; /* where the next write of this segment must go */
    unsigned long writes, bytes_written, violations;
    /* Reads of target bytes not written yet, inside the target. decoder.h
     * promises none; but in a package with CFOTA_FLAG_ORDERED the decoder
     * does not track which segments exist, so a damaged one may ask for
     * them (lib/decoder.c, op_offset). Tests of damaged ordered packages
     * set allow_unwritten to count these instead of refusing them. */
    unsigned long unwritten_reads;
    int allow_unwritten;
    int fail_write_at; /* > 0: that write (1-based) fails, to test IO */
    /* The carried models at the last checkpoint passed (CARRY packages),
     * saved as a device saves them with the checkpoint; rig_resume puts
     * them back. */
    uint8_t carry[CFOTA_CARRY_SIZE];
    /* The package, for read_pkg (the arch block of CFOTA_FLAG_ARCH). */
    const uint8_t *pkg;
    size_t pkg_len;
    unsigned long pkg_reads;
};

static inline int rig_read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct dec_rig *r = ctx;
    if (!r->old || (uint64_t)off + len > r->old_len || len == 0) {
        r->violations++;
        return -1;
    }
    memcpy(buf, r->old + off, len);
    return 0;
}

static inline int rig_read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct dec_rig *r = ctx;
    r->pkg_reads++;
    if (!r->pkg || (uint64_t)off + len > r->pkg_len || len == 0) {
        r->violations++;
        return -1;
    }
    memcpy(buf, r->pkg + off, len);
    return 0;
}

static inline int rig_read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct dec_rig *r = ctx;
    uint32_t i;
    if ((uint64_t)off + len > r->target_len || len == 0) {
        r->violations++;
        return -1;
    }
    for (i = 0; i < len; i++)
        if (!r->written[off + i]) {
            if (r->allow_unwritten) {
                r->unwritten_reads++;
                break;
            }
            r->violations++;
            return -1;
        }
    memcpy(buf, r->out + off, len);
    return 0;
}

static inline int rig_write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct dec_rig *r = ctx;
    uint32_t at;
    r->writes++;
    if (r->fail_write_at > 0 && r->writes == (unsigned long)r->fail_write_at)
        return -1;
    if (len == 0 || len > CFOTA_DEC_OUTBUF || (uint64_t)off + len > r->target_len) {
        r->violations++;
        return -1;
    }
    at = off % r->seg;
    if (at == 0) {
        r->order[r->started++ % (r->target_len / r->seg + 1)] = off / r->seg; /* a segment starts */
    } else if (off != r->next_off) {
        r->violations++;
        return -1;
    }
    if (at + len > r->seg) {
        r->violations++;
        return -1;
    }
    memcpy(r->out + off, buf, len);
    memset(r->written + off, 1, len);
    r->next_off = off + len;
    r->bytes_written += len;
    return 0;
}

/* Set up for the package pkg (pkg_len bytes) with header h; old is the
 * base image. */
static inline void rig_open(struct dec_rig *r, const struct cfota_header *h, const uint8_t *old, size_t old_len,
                            const uint8_t *pkg, size_t pkg_len)
{
    memset(r, 0, sizeof *r);
    r->old = old;
    r->old_len = (uint32_t)old_len;
    r->pkg = pkg;
    r->pkg_len = pkg_len;
    r->target_len = h->target_size;
    r->seg = h->segment_size;
    r->out = malloc(r->target_len + 1u);
    r->written = calloc(r->target_len + 1u, 1);
    r->order = calloc(r->target_len / r->seg + 1u, sizeof *r->order);
    if (r->out)
        memset(r->out, 0xEE, r->target_len + 1u);
}

static inline void rig_close(struct dec_rig *r)
{
    free(r->out);
    free(r->written);
    free(r->order);
    memset(r, 0, sizeof *r);
}

static inline struct cfota_io rig_io(struct dec_rig *r)
{
    struct cfota_io io;
    io.ctx = r;
    io.read_old = rig_read_old;
    io.read_new = rig_read_new;
    io.write_new = rig_write_new;
    io.read_pkg = rig_read_pkg;
    return io;
}

/* A power cut: the segments that cp says are complete (the first
 * cp->segment ones started) survive; every other byte of the target is
 * overwritten with pseudo-random garbage and forgotten. */
static inline void rig_cut(struct dec_rig *r, const struct cfota_checkpoint *cp, uint32_t seed)
{
    uint32_t nseg = (r->target_len + r->seg - 1) / r->seg, s, i;
    uint8_t *keep = calloc(nseg + 1u, 1);
    for (i = 0; i < cp->segment && i < r->started; i++)
        keep[r->order[i]] = 1;
    for (s = 0; s < nseg; s++) {
        uint32_t lo = s * r->seg, hi = lo + r->seg < r->target_len ? lo + r->seg : r->target_len;
        if (keep[s])
            continue;
        for (i = lo; i < hi; i++) {
            seed = seed * 1103515245u + 12345u;
            r->out[i] = (uint8_t)(seed >> 16);
            r->written[i] = 0;
        }
    }
    r->started = cp->segment < r->started ? cp->segment : r->started;
    free(keep);
}

/* At a checkpoint: keep the carried models in the rig (the decoder's io
 * context, rig_io). */
static inline void rig_save_carry(struct cfota_dec *d)
{
    struct dec_rig *r = d->io.ctx;
    memcpy(r->carry, cfota_dec_carry(d), CFOTA_CARRY_SIZE);
}

/* cfota_dec_resume at cp, then the carried models of the last checkpoint
 * saved back (a package with carry slots), as a device does after a
 * reset. *feed: where to feed the package from (cp's offset, or the
 * payload's start for a package the decoder replays). */
static inline int rig_resume(struct cfota_dec *d, struct dec_rig *r, const struct cfota_header *h,
                             const struct cfota_checkpoint *cp, size_t *feed)
{
    struct cfota_io io = rig_io(r);
    struct cfota_checkpoint at;
    int rc = cfota_dec_resume(d, h, &io, cp);
    if (rc == CFOTA_OK && cfota_carry_slots(h->flags) && cp->segment > 0)
        memcpy(cfota_dec_carry(d), r->carry, CFOTA_CARRY_SIZE);
    cfota_dec_checkpoint(d, &at);
    *feed = at.in_pos;
    return rc;
}

/* Feed pkg[*pos..end) to the decoder in pieces of chunk bytes (0: all
 * that is left), calling sink again after each checkpoint. Returns the
 * first result that is neither CFOTA_MORE nor CFOTA_CHECKPOINT, or
 * CFOTA_MORE once the bytes up to end are all taken. Each checkpoint
 * record is stored in cps (if not NULL) and counted in *ncp, with the
 * bytes produced at that moment in produced (if not NULL). */
static inline int rig_feed(struct cfota_dec *d, const uint8_t *pkg, size_t *pos, size_t end, size_t chunk,
                           struct cfota_checkpoint *cps, uint32_t *produced, unsigned *ncp)
{
    for (;;) {
        size_t n = end - *pos, used = 0;
        int rc;
        if (chunk && n > chunk)
            n = chunk;
        rc = cfota_dec_sink(d, pkg + *pos, n, &used);
        if (used > n)
            return CFOTA_E_STATE; /* the decoder took bytes it was not given */
        *pos += used;
        if (rc == CFOTA_CHECKPOINT) {
            rig_save_carry(d);
            if (cps)
                cfota_dec_checkpoint(d, &cps[*ncp]);
            if (produced)
                produced[*ncp] = cfota_dec_produced(d);
            (*ncp)++;
            continue;
        }
        if (rc == CFOTA_MORE) {
            if (used != n)
                return CFOTA_E_STATE; /* MORE must take everything */
            if (*pos == end)
                return CFOTA_MORE;
            continue;
        }
        return rc;
    }
}

#endif
