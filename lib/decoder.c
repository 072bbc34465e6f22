/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/decoder.c: the streaming package decoder (cfota/decoder.h).
 *
 * Shape. The payload is one range-coded stream; the target is cut into
 * segments and the models restart at each one (docs/package-format.md).
 * The decoder is a small state machine (rc init, segment start, op header,
 * op offset, op bytes) in the heatshrink manner, so it can stop between
 * any two steps when input runs out and continue on the next sink call.
 *
 * Why a step never runs dry. A range decoder cannot stop in the middle of
 * a symbol without saving a lot of state. Instead every step consumes at
 * most STEP_MAX_IN bytes (each binary decision reads at most two bytes and
 * a step is at most 56 decisions), and a step starts only when that many
 * bytes are buffered or the rest of the payload is. Reading past the end of
 * the payload gives the zero bytes the encoder left off (CFOTA_RC_TAIL at
 * most); more means the package is truncated (or corrupt), an error.
 *
 * Everything the stream says is checked before it is acted on: op lengths
 * against the segment, copy sources against the base image and the bytes
 * already produced, segment indices against the segment count. A corrupt
 * package therefore yields an error or wrong bytes (caught by the target
 * SHA-256 the caller checks), never an access outside a buffer.
 */
#include "cfota/decoder.h"

#include <string.h>

#include "hist.h"
#include "operand.h"
#include "prob.h"

#define STEP_MAX_IN 112u
typedef char inbuf_holds_a_step[STEP_MAX_IN <= CFOTA_DEC_INBUF ? 1 : -1];

enum {
    ST_PLAN, ST_SKIP, ST_RC_INIT, ST_SEG_START, ST_OP, ST_OFFSET, ST_LIT, ST_COPY, ST_DONE, ST_ERROR
};

/* ---- range decoder over the input buffer ---- */

static unsigned next_byte(struct cfota_dec *d)
{
    if (d->in_head == d->in_len) {
        /* Past the payload (a step starts only with its bytes buffered,
         * or all the payload's rest): the stream's last zero bytes are
         * left off and read as 0; beyond those, the package is truncated
         * or corrupt. */
        if (d->tail_zeros++ >= CFOTA_RC_TAIL)
            d->error = 1;
        return 0;
    }
    d->in_pos++;
    return d->inbuf[d->in_head++];
}

static void rc_normalize(struct cfota_dec *d)
{
    while (d->range < CFOTA_RC_TOP) {
        d->range <<= 8;
        d->code = (d->code << 8) | next_byte(d);
    }
}

/* A bit at probability p (of a 0, in units of 1/65536). */
static unsigned rc_bit_at(struct cfota_dec *d, unsigned p)
{
    uint32_t bound = (d->range >> 16) * p;
    unsigned bit;
    if (d->code < bound) {
        d->range = bound;
        bit = 0;
    } else {
        d->range -= bound;
        d->code -= bound;
        bit = 1;
    }
    rc_normalize(d);
    return bit;
}

static unsigned rc_bit(struct cfota_dec *d, uint16_t *p)
{
    unsigned bit = rc_bit_at(d, *p);
    cfota_prob_update(p, bit);
    return bit;
}

static uint32_t rc_direct(struct cfota_dec *d, unsigned n)
{
    uint32_t v = 0;
    while (n--) {
        d->range >>= 1;
        if (d->code >= d->range) {
            d->code -= d->range;
            v = (v << 1) | 1u;
        } else {
            v <<= 1;
        }
        rc_normalize(d);
    }
    return v;
}

#define CODER struct cfota_dec
#define BIT(c, p, b) ((void)(b), rc_bit((c), (p)))
#define DIRECT(c, n, v) ((void)(v), rc_direct((c), (n)))
#define BITP(c, p, b) ((void)(b), rc_bit_at((c), (p)))
#define TOUCH(c, w) ((void)(w)) /* the decoder never takes a change back */
#define SYM(name) dec_##name
#include "symbols.inc"

/* ---- output and copy sources ---- */

/* A callback's result as the decoder's: a refusal said with a cfota status
 * stays what it is (a package defect is not an I/O error). */
static int io_result(int rc)
{
    if (rc == 0)
        return CFOTA_OK;
    return rc < 0 && rc >= CFOTA_E_LAST ? rc : CFOTA_E_IO;
}

static int flush_out(struct cfota_dec *d)
{
    if (d->out_len) {
        /* A replayed segment is in the target already: it is decoded
         * again only for the models it leaves (cfota_dec_resume). */
        int rc = d->cp.segment < d->replay_to ? CFOTA_OK
                                                : io_result(d->io.write_new(d->io.ctx, d->out_base, d->outbuf, d->out_len));
        if (rc != CFOTA_OK)
            return rc;
        d->out_base += d->out_len;
        d->out_len = 0;
    }
    return CFOTA_OK;
}

static int put_byte(struct cfota_dec *d, unsigned v)
{
    d->outbuf[d->out_len++] = (uint8_t)v;
    d->out_pos++;
    if (d->out_len == CFOTA_DEC_OUTBUF)
        return flush_out(d);
    return CFOTA_OK;
}

/* ---- operand prediction (CFOTA_FLAG_ARCH): the table, through read_pkg ---- */

static int arch_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    struct cfota_dec *d = ctx;
    if (b - d->run.start >= d->run.end - d->run.start) {
        int rc = cfota_table_find(&d->arch, d->io.read_pkg, d->io.ctx, d->base_size, b, &d->run);
        if (rc != 0) {
            d->run.start = d->run.end = 0;
            return rc;
        }
    }
    *disp = d->run.disp;
    *predict = d->run.flags;
    return 0;
}

static int arch_region(void *ctx, unsigned target, unsigned i, struct cfota_region *r)
{
    struct cfota_dec *d = ctx;
    return cfota_arch_region(&d->arch, d->io.read_pkg, d->io.ctx, target, i, r);
}

static int arch_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct cfota_dec *d = ctx;
    return d->io.read_old(d->io.ctx, off, buf, len);
}

typedef char srcbuf_holds_a_window[CFOTA_DEC_SRCBUF > 2u * CFOTA_ARCH_PAD &&
                                   CFOTA_DEC_SRCBUF <= CFOTA_ARCH_SPAN ? 1 : -1];

/* Fill the cache with predicted base bytes from s (at most to the copy's
 * end, and CFOTA_ARCH_PAD bytes short of the cache on each side). The
 * copy's end is old_cursor, set when the copy began. */
static int fill_predicted(struct cfota_dec *d, uint32_t s, uint32_t *n)
{
    struct cfota_disp_src src;
    uint32_t room = CFOTA_DEC_SRCBUF - 2u * CFOTA_ARCH_PAD;
    src.disp = arch_disp;
    src.region = arch_region;
    src.read = arch_read;
    src.ctx = d;
    *n = d->old_cursor - s < room ? d->old_cursor - s : room;
    return cfota_predict_fill(cfota_arch_recogniser(d->arch.id), &src, d->copy_lo, d->old_cursor, s, *n, d->srcbuf);
}

/* The next source byte of the current copy, through a small cache. A
 * source inside the output buffer (a copy from just behind the cursor) is
 * read from there, since it is not in flash yet. */
static int src_byte(struct cfota_dec *d, unsigned *v)
{
    uint32_t s = d->src++;
    if (d->src_is_new && s >= d->out_base && s < d->out_pos) {
        *v = d->outbuf[s - d->out_base];
        return CFOTA_OK;
    }
    if (s - d->src_base >= d->src_len) {
        /* Fill the cache, but not with bytes still in the output buffer. */
        uint32_t limit = !d->src_is_new ? d->base_size : s < d->out_base ? d->out_base : d->target_size;
        uint32_t n = limit - s < CFOTA_DEC_SRCBUF ? limit - s : CFOTA_DEC_SRCBUF;
        int rc;
        if (d->src_is_new)
            rc = d->io.read_new(d->io.ctx, s, d->srcbuf, n);
        else if (d->flags & CFOTA_FLAG_ARCH)
            rc = fill_predicted(d, s, &n);
        else
            rc = d->io.read_old(d->io.ctx, s, d->srcbuf, n);
        if (rc != 0)
            return io_result(rc);
        d->src_base = s;
        d->src_len = (uint16_t)n;
    }
    *v = d->srcbuf[s - d->src_base];
    return CFOTA_OK;
}

/* ---- which segments exist yet ---- */

static uint32_t segments(const struct cfota_dec *d)
{
    return (uint32_t)(((uint64_t)d->target_size + d->segment_size - 1) / d->segment_size);
}

/* 1: segment i was decoded, 0: it was not, -1: unknown (no map, or
 * beyond it). */
static int seg_written(const struct cfota_dec *d, uint32_t i)
{
    if (!d->written || i >= CFOTA_DEC_SEGMAP)
        return -1;
    return d->written[i / 8] >> (i % 8) & 1;
}

/* May a NEW copy read target bytes [src, src + len)? Only bytes produced
 * before: behind the cursor in the current segment (a positive distance;
 * an overlapping copy reads each byte after it is made), or in a segment
 * decoded earlier. A package in increasing order meets this by the
 * distance's sign alone; an ORDERED one is checked against the map, so a
 * damaged or crafted package fails in the segment where it goes wrong. */
static int new_source_ok(const struct cfota_dec *d, uint32_t src, uint32_t len, int32_t dist)
{
    uint32_t s, last = (src + len - 1) / d->segment_size;
    if (!(d->flags & CFOTA_FLAG_ORDERED))
        return dist > 0;
    for (s = src / d->segment_size; s <= last; s++) {
        if (s == d->seg_index) {
            if (dist < 0)
                return 0; /* ahead of the cursor: not written yet */
        } else if (seg_written(d, s) == 0) {
            return 0;
        }
    }
    return 1;
}

/* ---- steps ---- */

static int seg_start(struct cfota_dec *d)
{
    uint32_t idx = d->cp.segment;
    if (d->flags & CFOTA_FLAG_ORDERED)
        idx = dec_seg_index(d, d->cp.segment == 0, d->cp.prev_index, segments(d), 0);
    if (idx >= segments(d) || seg_written(d, idx) == 1)
        return CFOTA_E_CORRUPT; /* out of range, or a segment twice */
    d->seg_index = idx;
    d->seg_start = idx * d->segment_size;
    d->seg_end = d->target_size - d->seg_start < d->segment_size ? d->target_size : d->seg_start + d->segment_size;
    d->out_pos = d->out_base = d->seg_start;
    d->out_len = 0;
    d->src_len = 0; /* the cache may hold bytes of another source */
    d->old_cursor = d->last_old_end = d->seg_start;
    d->new_rep = 0;
    d->prev_kind = 3;
    /* CARRY: the models go on learning across segments; a resumed decoder
     * got them back from its caller (cfota_dec_carry) or replays. */
    if (!(d->flags & CFOTA_FLAG_CARRY) || d->cp.segment == 0) {
        memset(&d->carry.hist, 0, sizeof d->carry.hist);
        cfota_models_reset(&d->carry.m);
    }
    d->state = ST_OP;
    return CFOTA_OK;
}

static int seg_end(struct cfota_dec *d)
{
    int rc = flush_out(d);
    if (rc != CFOTA_OK)
        return rc;
    if (d->written && d->seg_index < CFOTA_DEC_SEGMAP)
        d->written[d->seg_index / 8] |= (uint8_t)(1u << (d->seg_index % 8));
    d->cp.segment++;
    d->cp.prev_index = d->seg_index;
    d->cp.in_pos = d->in_pos;
    d->cp.range = d->range;
    d->cp.code = d->code;
    if (d->cp.segment == segments(d)) {
        d->state = ST_DONE;
        /* The coder consumes a fixed number of bytes: a valid payload ends
         * exactly here. Anything else is not a package we made. */
        return d->in_pos == d->payload_end && d->in_head == d->in_len ? CFOTA_DONE : CFOTA_E_CORRUPT;
    }
    d->state = ST_SEG_START;
    /* The checkpoints of a replay, the one resumed at included, are the
     * caller's already. */
    return d->cp.segment <= d->replay_to ? CFOTA_OK : CFOTA_CHECKPOINT;
}

static int op_header(struct cfota_dec *d)
{
    unsigned kind;
    uint32_t len;
    if (d->out_pos == d->seg_end)
        return seg_end(d);
    kind = dec_kind(d, &d->carry.m, d->prev_kind, 0);
    len = dec_length(d, &d->carry.m, d->prev_kind, kind, d->seg_end - d->out_pos, 0);
    if (len == 0 || len > d->seg_end - d->out_pos)
        return CFOTA_E_CORRUPT;
    d->kind = (uint8_t)kind;
    d->op_left = len;
    d->state = kind == CFOTA_OP_LIT ? ST_LIT : ST_OFFSET;
    return CFOTA_OK;
}

static int op_offset(struct cfota_dec *d)
{
    unsigned prev = d->prev_kind;
    if (d->kind == CFOTA_OP_OLD) {
        int32_t adv = (int32_t)(d->out_pos - d->last_old_end);
        int32_t delta = dec_old_delta(d, &d->carry.m, prev, adv, 0);
        int64_t src = (int64_t)d->old_cursor + delta;
        if ((d->flags & CFOTA_FLAG_NO_BASE) || src < 0 || (uint64_t)src + d->op_left > d->base_size)
            return CFOTA_E_CORRUPT;
        d->src = (uint32_t)src;
        d->src_is_new = 0;
        d->copy_lo = d->src;
        d->old_cursor = d->src + d->op_left;
        d->last_old_end = d->out_pos + d->op_left;
    } else {
        int32_t dist = dec_distance(d, &d->carry.m, prev, d->new_rep, 0);
        int64_t src = (int64_t)d->out_pos - dist;
        /* Back: into what this segment or an earlier one wrote. Forward
         * (ordered packages only): into a segment applied earlier. */
        if (dist == 0 || src < 0 || (uint64_t)src + d->op_left > d->target_size ||
            !new_source_ok(d, (uint32_t)src, d->op_left, dist))
            return CFOTA_E_CORRUPT;
        d->new_rep = dist;
        d->src = (uint32_t)src;
        d->src_is_new = 1;
    }
    d->src_len = 0;
    d->prev_kind = d->kind;
    d->state = ST_COPY;
    return CFOTA_OK;
}

static int lit_byte(struct cfota_dec *d)
{
    unsigned v = dec_literal(d, &d->carry.m, &d->carry.hist, d->out_pos, 0);
    cfota_hist_literal(&d->carry.hist, v);
    if (--d->op_left == 0) {
        d->prev_kind = CFOTA_OP_LIT;
        d->state = ST_OP;
    }
    return put_byte(d, v);
}

static int copy_byte(struct cfota_dec *d)
{
    unsigned s, diff;
    int rc = src_byte(d, &s);
    if (rc != CFOTA_OK)
        return rc;
    diff = dec_diff(d, &d->carry.m, &d->carry.hist, d->out_pos, s, 0);
    cfota_hist_copy(&d->carry.hist, diff, (s + diff) & 0xFFu);
    if (--d->op_left == 0)
        d->state = ST_OP;
    return put_byte(d, (s + diff) & 0xFFu);
}

/* The stash plan's head: how many entry bytes to pass over. */
static int plan_head(struct cfota_dec *d)
{
    uint32_t count = 0;
    unsigned i;
    for (i = 0; i < 4; i++)
        count |= (uint32_t)next_byte(d) << (8 * i);
    for (i = 0; i < 4; i++)
        next_byte(d); /* stash size */
    if (count > (d->payload_end - d->in_pos) / CFOTA_PLAN_ENTRY)
        return CFOTA_E_CORRUPT;
    d->op_left = count * CFOTA_PLAN_ENTRY + d->arch.size;
    d->state = d->op_left ? ST_SKIP : ST_RC_INIT;
    return CFOTA_OK;
}

/* Pass over buffered plan entries (the stash plan is the update engine's
 * business, not the decoder's) and the arch block (read back through
 * read_pkg when needed, not kept). */
static int plan_skip(struct cfota_dec *d, uint32_t avail)
{
    uint32_t n = avail < d->op_left ? avail : d->op_left;
    d->in_head = (uint16_t)(d->in_head + n);
    d->in_pos += n;
    d->op_left -= n;
    if (d->op_left == 0)
        d->state = ST_RC_INIT;
    return CFOTA_OK;
}

/* Run steps while input allows. */
static int run(struct cfota_dec *d)
{
    for (;;) {
        int rc;
        uint32_t avail = d->in_len - d->in_head;
        if (d->state == ST_DONE)
            return CFOTA_DONE;
        if (d->state == ST_SKIP && avail == 0)
            return d->in_pos < d->payload_end ? CFOTA_MORE : CFOTA_E_TRUNCATED;
        if (d->state != ST_SKIP && avail < STEP_MAX_IN && d->in_pos + avail < d->payload_end)
            return CFOTA_MORE;
        switch (d->state) {
        case ST_PLAN: rc = plan_head(d); break;
        case ST_SKIP: rc = plan_skip(d, avail); break;
        case ST_RC_INIT:
            d->range = 0xFFFFFFFFu;
            d->code = 0;
            for (rc = 0; rc < 4; rc++)
                d->code = (d->code << 8) | next_byte(d);
            d->state = ST_SEG_START;
            rc = CFOTA_OK;
            break;
        case ST_SEG_START: rc = seg_start(d); break;
        case ST_OP: rc = op_header(d); break;
        case ST_OFFSET: rc = op_offset(d); break;
        case ST_LIT: rc = lit_byte(d); break;
        case ST_COPY: rc = copy_byte(d); break;
        default: rc = CFOTA_E_STATE; break;
        }
        if (d->error && rc >= 0)
            rc = CFOTA_E_TRUNCATED;
        if (rc != CFOTA_OK)
            return rc;
    }
}

static int setup(struct cfota_dec *d, const struct cfota_header *h, const struct cfota_io *io)
{
    if (!d || !h || !io || !io->write_new || !io->read_new)
        return CFOTA_E_INVAL;
    if (!(h->flags & CFOTA_FLAG_NO_BASE) && !io->read_old)
        return CFOTA_E_INVAL;
    if ((h->flags & CFOTA_FLAG_ARCH) && !io->read_pkg)
        return CFOTA_E_INVAL;
    if (h->format_version != CFOTA_FORMAT_VERSION || (h->flags & ~CFOTA_FLAGS_KNOWN))
        return CFOTA_E_VERSION;
    if (h->segment_size == 0 || h->segment_size % 4096u || h->segment_size > 65536u)
        return CFOTA_E_INVAL;
    memset(d, 0, sizeof *d);
    d->io = *io;
    d->flags = h->flags;
    d->base_size = h->base_size;
    d->target_size = h->target_size;
    d->segment_size = h->segment_size;
    d->payload_end = h->header_size + h->payload_size;
    d->in_pos = h->header_size;
    d->cp.in_pos = h->header_size;
    d->state = !segments(d) ? ST_DONE : (h->flags & CFOTA_FLAG_STASH) ? ST_PLAN : ST_RC_INIT;
    if (segments(d) == 0 && h->payload_size != 0) {
        /* No segment to decode, so nothing would consume the payload: a
         * valid package has none (docs/package-format.md, "Payload"). */
        d->state = ST_ERROR;
        d->error = (uint8_t)(int8_t)CFOTA_E_CORRUPT;
        return CFOTA_E_CORRUPT;
    }
    if (h->flags & CFOTA_FLAG_ARCH) {
        /* Checked whole here, before anything is written. */
        int rc = cfota_arch_locate(&d->arch, h, io->read_pkg, io->ctx);
        if (rc != CFOTA_OK) {
            d->state = ST_ERROR;
            d->error = (uint8_t)(int8_t)rc;
            return rc;
        }
        if (d->state == ST_RC_INIT) {
            d->op_left = d->arch.size;
            d->state = ST_SKIP;
        }
    }
    return CFOTA_OK;
}

int cfota_dec_init(struct cfota_dec *d, const struct cfota_header *h, const struct cfota_io *io)
{
    return setup(d, h, io);
}

int cfota_dec_resume(struct cfota_dec *d, const struct cfota_header *h,
                     const struct cfota_io *io, const struct cfota_checkpoint *cp)
{
    int rc = setup(d, h, io);
    if (rc != CFOTA_OK || !cp)
        return rc != CFOTA_OK ? rc : CFOTA_E_INVAL;
    if (cp->segment == 0)
        return cp->in_pos == h->header_size ? CFOTA_OK : CFOTA_E_INVAL;
    if (cp->segment > segments(d) || cp->in_pos < h->header_size + 4u || cp->in_pos > d->payload_end ||
        cp->range < CFOTA_RC_TOP || cp->prev_index >= segments(d))
        return CFOTA_E_INVAL;
    if ((h->flags & CFOTA_FLAG_CARRY) && !cfota_carry_slots(h->flags) && cp->segment < segments(d)) {
        /* The models at cp were saved nowhere: decode from the start again,
         * writing nothing before cp (the base and the target bytes before
         * cp are intact on a device that does not apply in place). */
        d->replay_to = (uint16_t)cp->segment;
        return CFOTA_OK;
    }
    d->cp = *cp;
    d->in_pos = cp->in_pos;
    d->range = cp->range;
    d->code = cp->code;
    d->state = cp->segment == segments(d) ? ST_DONE : ST_SEG_START;
    return CFOTA_OK;
}

void cfota_dec_track(struct cfota_dec *d, uint8_t map[CFOTA_DEC_SEGMAP / 8])
{
    memset(map, 0, CFOTA_DEC_SEGMAP / 8);
    d->written = map;
}

int cfota_dec_sink(struct cfota_dec *d, const uint8_t *buf, size_t len, size_t *consumed)
{
    size_t used = 0;
    int rc;
    if (!d || (!buf && len) || !consumed)
        return CFOTA_E_INVAL;
    if (d->state == ST_ERROR)
        return (int8_t)d->error;
    for (;;) {
        /* Take what fits, but never bytes past the payload (a signature
         * block may follow it). */
        uint32_t want = d->payload_end - (d->in_pos + (d->in_len - d->in_head));
        size_t room;
        if (d->in_head) {
            memmove(d->inbuf, d->inbuf + d->in_head, d->in_len - d->in_head);
            d->in_len = (uint16_t)(d->in_len - d->in_head);
            d->in_head = 0;
        }
        room = CFOTA_DEC_INBUF - d->in_len;
        if (room > len - used)
            room = len - used;
        if (room > want)
            room = want;
        if (room) /* buf may be NULL when len is 0 */
            memcpy(d->inbuf + d->in_len, buf + used, room);
        d->in_len = (uint16_t)(d->in_len + room);
        used += room;
        rc = run(d);
        if (rc == CFOTA_MORE && used < len && want > room)
            continue;
        break;
    }
    *consumed = used;
    if (rc < 0) {
        d->state = ST_ERROR;
        d->error = (uint8_t)(int8_t)rc;
    }
    return rc;
}

void cfota_dec_checkpoint(const struct cfota_dec *d, struct cfota_checkpoint *cp)
{
    *cp = d->cp;
}

void *cfota_dec_carry(struct cfota_dec *d)
{
    return &d->carry;
}

uint32_t cfota_dec_produced(const struct cfota_dec *d)
{
    uint64_t n;
    if (!(d->flags & CFOTA_FLAG_ORDERED))
        return d->out_base;
    n = (uint64_t)d->cp.segment * d->segment_size;
    if (d->state != ST_SEG_START && d->state != ST_DONE && d->state != ST_RC_INIT)
        n += d->out_base - d->seg_start;
    return n < d->target_size ? (uint32_t)n : d->target_size;
}
