/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/update.c: the power-fail-safe update engine (cfota/update.h).
 *
 * The engine is a loop over the segments of the package, in payload order.
 * For each segment, in place:
 *   1. decode it into scratch (blocks erased just before first use);
 *   2. journal DECODED (with the decoder checkpoint after the segment);
 *   3. erase and program the segment's image blocks from scratch;
 *   4. journal COMMITTED.
 * A/B: decode straight into the slot, then journal COMMITTED.
 * After the last segment the target's SHA-256 is checked and DONE written.
 *
 * Why each cut is safe (the full argument is in docs/update-engine.md):
 * a cut before DECODED repeats step 1 from the saved checkpoint; the image
 * blocks the segment reads are untouched, since the encoder never lets a
 * segment read a block committed before it. A cut after DECODED repeats
 * step 3, which reads only scratch, and scratch is not touched again until
 * the segment is COMMITTED. The journal itself survives any cut (journal.c).
 */
#include "cfota/update.h"

#include <string.h>

#include "cfota/verify.h"
#include "journal.h"
#include "operand.h"

#define FEED 64u /* package bytes read per decoder call */

static int in_place(const struct cfota_update *u)
{
    return u->cfg->slot.flash == NULL;
}

static uint32_t segments(const struct cfota_update *u)
{
    const struct cfota_update_pkg *p = &u->pkg;
    return (uint32_t)(((uint64_t)p->target_size + p->segment_size - 1) / p->segment_size);
}

/* The area the target is built in (and the finished target read from). */
static const struct cfota_area *target_area(const struct cfota_update *u)
{
    return in_place(u) ? &u->cfg->image : &u->cfg->slot;
}

/* Where the segment being decoded is staged. In place: scratch, used as a
 * ring, the segment starting at scratch_off and wrapping at the end, so
 * that over many segments every scratch block is erased equally often.
 * A/B: the slot itself, at the segment's own offset. These two functions
 * map "byte rel of the segment" and split at the wrap (a block boundary). */
static int stage_io(struct cfota_update *u, uint32_t rel, uint8_t *rbuf, const uint8_t *wbuf, uint32_t n)
{
    while (n) {
        const struct cfota_area *a = in_place(u) ? &u->cfg->scratch : &u->cfg->slot;
        uint32_t at, len = n;
        int rc;
        if (in_place(u)) {
            at = (u->scratch_off + rel) % a->size;
            if (a->size - at < len)
                len = a->size - at;
        } else {
            at = u->seg_start + rel;
        }
        rc = rbuf ? cfota_area_read(a, at, rbuf, len) : cfota_area_prog(a, at, wbuf, len);
        if (rc != CFOTA_OK)
            return rc;
        if (rbuf)
            rbuf += len;
        else
            wbuf += len;
        rel += len;
        n -= len;
    }
    return CFOTA_OK;
}

/* Erase the staging block that holds byte rel of the segment. */
static int stage_erase(struct cfota_update *u, uint32_t rel)
{
    if (in_place(u))
        return cfota_area_erase(&u->cfg->scratch, (u->scratch_off + rel) % u->cfg->scratch.size);
    return cfota_area_erase(&u->cfg->slot, u->seg_start + rel);
}

/* ---- reading the package and the images through the flash layer ---- */

static int read_area(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    return cfota_area_read((const struct cfota_area *)ctx, off, buf, len);
}

/* The package itself (cfota_io's read_pkg: the arch block). */
static int read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct cfota_update *u = ctx;
    return cfota_area_read(&u->cfg->package, off, buf, len);
}

/* Entry i of the stash plan, read from the package. */
static int plan_entry(const struct cfota_update *u, uint32_t i, struct cfota_stash_entry *e)
{
    uint8_t b[CFOTA_PLAN_ENTRY];
    int rc = cfota_area_read(&u->cfg->package, u->plan_off + i * CFOTA_PLAN_ENTRY, b, sizeof b);
    if (rc == CFOTA_OK)
        cfota_stash_entry_get(e, b);
    return rc;
}

/* Into e: the entry that holds base byte off, or else the first one above
 * it (e->len 0 if none). Entries are sorted by base and disjoint. */
static int plan_find(const struct cfota_update *u, uint32_t off, struct cfota_stash_entry *e)
{
    uint32_t lo = 0, hi = u->plan_count;
    int rc;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((rc = plan_entry(u, mid, e)) != CFOTA_OK)
            return rc;
        if (off >= e->base + e->len)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == u->plan_count)
        e->len = 0;
    else if ((rc = plan_entry(u, lo, e)) != CFOTA_OK)
        return rc;
    return CFOTA_OK;
}

/* Base bytes: in the image, unless a stash entry saved them before a
 * commit of an earlier ordinal overwrote them (in place only). */
static int read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct cfota_update *u = ctx;
    while (len) {
        struct cfota_stash_entry e;
        uint32_t n = len;
        int rc;
        e.len = 0;
        if (u->plan_count && (rc = plan_find(u, off, &e)) != CFOTA_OK)
            return rc;
        if (e.len && off >= e.base) {
            if (e.base + e.len - off < n)
                n = e.base + e.len - off;
            rc = e.step < u->ordinal ? cfota_area_read(&u->cfg->stash, e.at + (off - e.base), buf, n)
                                     : cfota_area_read(&u->cfg->image, off, buf, n);
        } else {
            if (e.len && e.base - off < n)
                n = e.base - off;
            rc = cfota_area_read(&u->cfg->image, off, buf, n);
        }
        if (rc != CFOTA_OK)
            return rc;
        off += n;
        buf += n;
        len -= n;
    }
    return CFOTA_OK;
}

/* Target bytes already produced: the current segment's are in staging (the
 * buffer, then scratch or slot); other segments' are in the target area. */
static int read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct cfota_update *u = ctx;
    while (len) {
        uint32_t n = len, rel;
        int rc;
        if (off < u->seg_start || off >= u->seg_start + u->seg_len) {
            uint32_t stop = off < u->seg_start ? u->seg_start : UINT32_MAX;
            if (stop - off < n)
                n = stop - off;
            rc = cfota_area_read(target_area(u), off, buf, n);
        } else {
            rel = off - u->seg_start;
            if (rel >= u->staged_at) {
                /* Not produced yet: the package asks for the impossible
                 * (the decoder refuses such copies first; this is the
                 * engine's own guard). A package defect, not an I/O error. */
                if (rel - u->staged_at + n > u->staged)
                    return CFOTA_E_CORRUPT;
                memcpy(buf, u->cfg->buf + (rel - u->staged_at), n);
                rc = CFOTA_OK;
            } else {
                if (u->staged_at - rel < n)
                    n = u->staged_at - rel;
                rc = stage_io(u, rel, buf, NULL, n);
            }
        }
        if (rc != CFOTA_OK)
            return rc;
        off += n;
        buf += n;
        len -= n;
    }
    return CFOTA_OK;
}

/* Program the staging buffer at its place; erase each block just before
 * the first program into it. pad: fill to a whole program unit first. */
static int flush_stage(struct cfota_update *u, int pad)
{
    const struct cfota_area *a = in_place(u) ? &u->cfg->scratch : &u->cfg->slot;
    uint32_t unit = a->flash->prog_size, bs = a->flash->erase_size, n = u->staged, rel;
    int rc;
    if (pad && n % unit) {
        memset(u->cfg->buf + n, 0xFF, unit - n % unit);
        n += unit - n % unit;
    }
    if (n == 0)
        return CFOTA_OK;
    /* Segment starts are block-aligned in scratch and slot alike, so the
     * blocks first entered are those whose start lies in the write. */
    for (rel = (u->staged_at + bs - 1) / bs * bs; rel < u->staged_at + n; rel += bs)
        if ((rc = stage_erase(u, rel)) != CFOTA_OK)
            return rc;
    if ((rc = stage_io(u, u->staged_at, NULL, u->cfg->buf, n)) != CFOTA_OK)
        return rc;
    u->staged_at += u->staged;
    u->staged = 0;
    return CFOTA_OK;
}

static int write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct cfota_update *u = ctx;
    if (u->staged_at + u->staged == 0) {
        /* The first write of a segment tells us which one it is (in an
         * ordered package only the decoder knows). */
        u->seg_index = u->dec.seg_index;
        u->seg_start = u->dec.seg_start;
        u->seg_len = u->dec.seg_end - u->dec.seg_start;
    }
    if (off != u->seg_start + u->staged_at + u->staged)
        return CFOTA_E_INVAL; /* writes within a segment are sequential */
    while (len) {
        uint32_t room = u->cfg->buf_size - u->staged, n = len < room ? len : room;
        int rc;
        memcpy(u->cfg->buf + u->staged, buf, n);
        u->staged += n;
        buf += n;
        len -= n;
        if (u->staged == u->cfg->buf_size && (rc = flush_stage(u, 0)) != CFOTA_OK)
            return rc;
    }
    return CFOTA_OK;
}

/* ---- journal helpers ---- */

/* Journal a record: DECODED or COMMITTED of segment ordinal `what`, DONE
 * (what 0) or FAILED (what: the error). Each carries the checkpoint after
 * the last segment decoded, which only DECODED and COMMITTED are read
 * back for (the others keep it for a post-mortem). */
static int record(struct cfota_update *u, struct journal *j, uint8_t type, uint32_t what)
{
    struct journal_rec r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.index = (uint16_t)u->seg_index;
    if (type == J_FAILED)
        r.body.failed.error = what;
    else
        r.body.segment.ordinal = what;
    r.body.segment.in_pos = u->cp.in_pos;
    r.body.segment.range = u->cp.range;
    r.body.segment.code = u->cp.code;
    return journal_append(j, &r, u->cfg->buf, u->cfg->buf_size);
}

/* End the update with error: journal FAILED and return error, or, if that
 * record cannot be written, CFOTA_E_IO: the update stays pending and the
 * boot flow runs it again (it fails the same way, or gives up), rather
 * than taking a half-written image for a recorded failure. */
static int fail(struct cfota_update *u, struct journal *j, int error)
{
    return record(u, j, J_FAILED, (uint32_t)error) == CFOTA_OK ? error : CFOTA_E_IO;
}

/* Count this run: re-append the last record with its run count one higher
 * (journal.h, J_RUNS_SHIFT). After CFOTA_UPDATE_TRIES runs that journalled
 * no progress, the next one gives up instead of looping over an update
 * that cannot go on (a flash that fails the same way every time). */
static int count_run(struct cfota_update *u, struct journal *j)
{
    struct journal_rec r = j->last;
    uint32_t runs = (uint32_t)r.flags >> J_RUNS_SHIFT;
    if (runs >= CFOTA_UPDATE_TRIES)
        return fail(u, j, CFOTA_E_GAVE_UP);
    r.flags = (uint8_t)((r.flags & ~(J_RUNS_MAX << J_RUNS_SHIFT) & ~J_FLAG_COPY) | (runs + 1) << J_RUNS_SHIFT);
    return journal_append(j, &r, u->cfg->buf, u->cfg->buf_size);
}

/* Scratch position of segment ordinal k: the ring moves on by one segment
 * per segment, and on by the whole update's segments per update, so wear
 * spreads over all scratch blocks. */
static uint32_t scratch_offset(const struct cfota_update *u, uint32_t k)
{
    if (!in_place(u))
        return 0;
    return (uint32_t)(((uint64_t)u->wear_base + k) * u->pkg.segment_size % u->cfg->scratch.size);
}

/* ---- configuration and package checks ---- */

static int check_cfg(const struct cfota_update_cfg *c)
{
    const struct cfota_area *areas[5];
    unsigned i, n = 0;
    if (!c || !c->image.flash || !c->package.flash || !c->journal.flash || !c->buf)
        return CFOTA_E_INVAL;
    areas[n++] = &c->image;
    areas[n++] = &c->package;
    areas[n++] = &c->journal;
    areas[n++] = c->slot.flash ? &c->slot : &c->scratch;
    if (c->stash.flash) {
        /* Stash entries start on 4 KiB units and own them whole. */
        if (CFOTA_STASH_UNIT % c->stash.flash->erase_size || CFOTA_STASH_UNIT % c->stash.flash->prog_size)
            return CFOTA_E_INVAL;
        areas[n++] = &c->stash;
    }
    for (i = 0; i < n; i++) {
        if (!areas[i]->flash || c->buf_size < areas[i]->flash->prog_size ||
            c->buf_size % areas[i]->flash->prog_size)
            return CFOTA_E_INVAL;
    }
    if (c->buf_size < JOURNAL_RECORD || c->image_size > c->image.size)
        return CFOTA_E_INVAL;
    return CFOTA_OK;
}

/* Parse the stored package's header into h (on the caller's stack) and
 * keep the fields the engine needs in u->pkg. */
static int read_header(struct cfota_update *u, struct cfota_header *h)
{
    uint8_t head[CFOTA_HEADER_MAX];
    uint32_t n = u->cfg->package.size < CFOTA_HEADER_MAX ? u->cfg->package.size : CFOTA_HEADER_MAX;
    int rc = cfota_area_read(&u->cfg->package, 0, head, n);
    if (rc != CFOTA_OK)
        return rc;
    rc = cfota_header_parse(h, head, n);
    if (rc == CFOTA_E_TRUNCATED)
        rc = CFOTA_E_CORRUPT;
    if (rc != CFOTA_OK)
        return rc;
    u->pkg.header_size = h->header_size;
    u->pkg.payload_size = h->payload_size;
    u->pkg.sig_size = h->sig_size;
    u->pkg.target_size = h->target_size;
    u->pkg.segment_size = h->segment_size;
    u->pkg.payload_crc32 = h->payload_crc32;
    u->pkg.flags = h->flags;
    return CFOTA_OK;
}

/* Read the stash plan's head (in place, CFOTA_FLAG_STASH) into p and
 * u->plan_*; an empty plan otherwise. */
static int read_plan(struct cfota_update *u, const struct cfota_header *h, struct cfota_plan_head *p)
{
    uint8_t b[CFOTA_PLAN_HEAD];
    uint32_t need;
    int rc;
    p->count = p->stash_size = 0;
    u->plan_count = 0;
    u->plan_off = h->header_size + CFOTA_PLAN_HEAD;
    if (!(h->flags & CFOTA_FLAG_STASH))
        return CFOTA_OK;
    if ((rc = cfota_area_read(&u->cfg->package, h->header_size, b, sizeof b)) != CFOTA_OK ||
        (rc = cfota_plan_head_parse(p, b, h)) != CFOTA_OK)
        return rc;
    /* The stash the package needs must fit the device's spare area. A/B
     * keeps the base: of the stash it needs only the carry slots. */
    need = in_place(u) ? p->stash_size : cfota_plan_reserved(h);
    if (need && (!u->cfg->stash.flash || u->cfg->stash.size < need))
        return CFOTA_E_NOSPC;
    u->plan_count = in_place(u) ? p->count : 0;
    return CFOTA_OK;
}

/* ---- carried models (CFOTA_FLAG_CARRY with CFOTA_FLAG_STASH) ----
 *
 * The models after segment ordinal k are kept in carry slot k mod 2 (the
 * stash's first two units), written before the journal says segment k is
 * decoded. Decoding k+1 (again, after a cut) reads slot k mod 2, which
 * nothing writes before segment k+1 is journalled: the slot written
 * meanwhile is the other one. (A CARRY package without a stash is A/B
 * only: the decoder rebuilds its models by a replay, writing nothing.) */

typedef char carry_fits_a_unit[CFOTA_CARRY_SIZE <= CFOTA_STASH_UNIT ? 1 : -1];

static int carry_save(struct cfota_update *u, uint32_t k)
{
    const struct cfota_area *st = &u->cfg->stash;
    uint32_t slot = k % CFOTA_CARRY_SLOTS * CFOTA_STASH_UNIT, unit = st->flash->prog_size, b;
    uint32_t whole = CFOTA_CARRY_SIZE / unit * unit, tail = CFOTA_CARRY_SIZE - whole;
    const uint8_t *state = cfota_dec_carry(&u->dec);
    int rc;
    for (b = 0; b < CFOTA_STASH_UNIT; b += st->flash->erase_size)
        if ((rc = cfota_area_erase(st, slot + b)) != CFOTA_OK)
            return rc;
    if ((rc = cfota_area_prog(st, slot, state, whole)) != CFOTA_OK || !tail)
        return rc;
    memcpy(u->cfg->buf, state + whole, tail);
    memset(u->cfg->buf + tail, 0xFF, unit - tail);
    return cfota_area_prog(st, slot + whole, u->cfg->buf, unit);
}

static int carry_load(struct cfota_update *u, uint32_t k)
{
    return cfota_area_read(&u->cfg->stash, k % CFOTA_CARRY_SLOTS * CFOTA_STASH_UNIT, cfota_dec_carry(&u->dec),
                           CFOTA_CARRY_SIZE);
}

/* Every entry of the plan, each against the header and the one before. */
static int check_plan(struct cfota_update *u, const struct cfota_header *h, const struct cfota_plan_head *p)
{
    struct cfota_stash_entry e, prev;
    uint8_t b[CFOTA_PLAN_ENTRY];
    uint32_t i;
    int rc;
    for (i = 0; i < p->count; i++) {
        if ((rc = cfota_area_read(&u->cfg->package, u->plan_off + i * CFOTA_PLAN_ENTRY, b, sizeof b)) != CFOTA_OK ||
            (rc = cfota_stash_entry_parse(&e, b, h, p, i ? &prev : NULL)) != CFOTA_OK)
            return rc;
        prev = e;
    }
    return CFOTA_OK;
}

static int load_header(struct cfota_update *u)
{
    struct cfota_header h;
    struct cfota_plan_head p;
    int rc = read_header(u, &h);
    return rc != CFOTA_OK ? rc : read_plan(u, &h, &p);
}

/* Everything that can be known before touching flash. */
static int check_package(struct cfota_update *u)
{
    const struct cfota_update_pkg *h = &u->pkg;
    const struct cfota_area *t = target_area(u);
    if ((uint64_t)h->header_size + h->payload_size + h->sig_size > u->cfg->package.size)
        return CFOTA_E_CORRUPT;
    if (h->target_size > t->size)
        return CFOTA_E_NOSPC;
    if (h->segment_size % t->flash->erase_size)
        return CFOTA_E_INVAL;
    if (in_place(u)) {
        if (!(h->flags & CFOTA_FLAG_IN_PLACE) || !u->cfg->scratch.flash ||
            u->cfg->scratch.size < h->segment_size || h->segment_size % u->cfg->scratch.flash->erase_size)
            return CFOTA_E_INVAL;
    }
    return CFOTA_OK;
}

static int setup(struct cfota_update *u, const struct cfota_update_cfg *cfg)
{
    int rc = check_cfg(cfg);
    if (rc != CFOTA_OK)
        return rc;
    memset(u, 0, sizeof *u);
    u->cfg = cfg;
    return CFOTA_OK;
}

/* ---- public API ---- */

int cfota_update_status(struct cfota_update *u, const struct cfota_update_cfg *cfg,
                        struct cfota_update_info *info)
{
    struct journal j;
    int rc = setup(u, cfg);
    if (rc != CFOTA_OK || !info)
        return rc != CFOTA_OK ? rc : CFOTA_E_INVAL;
    memset(info, 0, sizeof *info);
    if ((rc = journal_load(&j, &u->cfg->journal)) != CFOTA_OK)
        return rc;
    if (!j.valid)
        return CFOTA_OK;
    info->payload_crc32 = j.begin.body.begin.payload_crc32;
    switch (j.last.type) {
    case J_DONE:
        info->state = CFOTA_UPDATE_DONE;
        return CFOTA_OK;
    case J_FAILED:
        info->state = CFOTA_UPDATE_FAILED;
        info->result = (int)(int32_t)j.last.body.failed.error;
        return CFOTA_OK;
    default:
        break;
    }
    info->state = CFOTA_UPDATE_PENDING;
    if (load_header(u) != CFOTA_OK || u->pkg.payload_crc32 != j.begin.body.begin.payload_crc32) {
        info->state = CFOTA_UPDATE_FAILED;
        info->result = CFOTA_E_CORRUPT;
        return CFOTA_OK;
    }
    info->segments = segments(u);
    if (j.last.type == J_DECODED || j.last.type == J_STASHED || j.last.type == J_COMMITTED)
        info->segments_done = j.last.body.segment.ordinal + (j.last.type == J_COMMITTED);
    return CFOTA_OK;
}

/* The checks of begin, and if they pass and write is set, the BEGIN
 * record. One function for both so that the header (checks) and the
 * journal (write) share the stack: they are never needed at once. */
static int check_and_begin(struct cfota_update *u, const struct cfota_update_cfg *cfg, int write)
{
    int rc = setup(u, cfg);
    if (rc != CFOTA_OK)
        return rc;
    {
        struct cfota_header h;
        struct cfota_plan_head plan;
        if ((rc = read_header(u, &h)) != CFOTA_OK || (rc = check_package(u)) != CFOTA_OK)
            return rc;
        /* Authentic and meant for this device, before anything else is
         * read at length: an unsigned or forged package is refused here. */
        if ((rc = cfota_verify_release(&h, &u->cfg->policy, read_area, (void *)&u->cfg->package)) != CFOTA_OK)
            return rc;
        if ((rc = cfota_verify_payload(&h, read_area, (void *)&u->cfg->package)) != CFOTA_OK)
            return rc;
        /* The stash the package needs must fit the device's spare area. */
        if ((rc = read_plan(u, &h, &plan)) != CFOTA_OK || (rc = check_plan(u, &h, &plan)) != CFOTA_OK)
            return rc;
        /* The arch block whole, as the decoder will read it. */
        if (h.flags & CFOTA_FLAG_ARCH) {
            struct cfota_arch a;
            if ((rc = cfota_arch_locate(&a, &h, read_pkg, u)) != CFOTA_OK)
                return rc;
        }
        if (!(h.flags & CFOTA_FLAG_NO_BASE) && u->cfg->image_size != h.base_size)
            return CFOTA_E_WRONG_BASE;
        rc = cfota_verify_base(&h, u->cfg->image_size, read_area, (void *)&u->cfg->image);
    }
    if (rc != CFOTA_OK || !write)
        return rc;
    {
        /* All checks passed: only now is flash written. Carry the scratch
         * rotation over from the previous update so wear keeps moving. */
        struct journal j;
        struct journal_rec r;
        uint32_t wear = 0;
        if ((rc = journal_load(&j, &u->cfg->journal)) != CFOTA_OK)
            return rc;
        if (j.valid)
            wear = j.begin.body.begin.wear_base + (j.last.type == J_DONE ? segments(u) : 0) + 1;
        memset(&r, 0, sizeof r);
        r.flags = in_place(u) ? J_FLAG_IN_PLACE : 0;
        r.body.begin.payload_crc32 = u->pkg.payload_crc32;
        r.body.begin.package_bytes = u->pkg.header_size + u->pkg.payload_size;
        r.body.begin.target_size = u->pkg.target_size;
        r.body.begin.wear_base = wear;
        return journal_start(&j, &r, u->cfg->buf, u->cfg->buf_size);
    }
}

int cfota_update_check(struct cfota_update *u, const struct cfota_update_cfg *cfg)
{
    return check_and_begin(u, cfg, 0);
}

int cfota_update_begin(struct cfota_update *u, const struct cfota_update_cfg *cfg)
{
    return check_and_begin(u, cfg, 1);
}

/* Set the decoder up at checkpoint u->cp; the header lives on the stack
 * only for this call. */
static int start_decoder(struct cfota_update *u, const struct cfota_io *io)
{
    struct cfota_header h;
    int rc = read_header(u, &h);
    if (rc != CFOTA_OK)
        return rc;
    rc = cfota_dec_resume(&u->dec, &h, io, &u->cp);
    return rc == CFOTA_E_INVAL ? CFOTA_E_CORRUPT : rc;
}

/* Decode segment ordinal k into staging. The first segment of a run
 * starts the decoder at checkpoint u->cp; the next ones continue with the
 * same decoder, which keeps the map of segments decoded when the run
 * started from the first one (a checkpoint does not carry it). */
static int decode_segment(struct cfota_update *u, uint32_t k)
{
    uint8_t chunk[FEED];
    uint32_t pos, end = u->pkg.header_size + u->pkg.payload_size;
    int rc;
    u->staged = u->staged_at = 0;
    u->seg_start = u->seg_len = 0;
    u->scratch_off = scratch_offset(u, k);
    u->ordinal = k;
    if (!u->dec_live) {
        struct cfota_io io;
        io.ctx = u;
        io.read_old = read_old;
        io.read_new = read_new;
        io.write_new = write_new;
        io.read_pkg = read_pkg;
        if ((rc = start_decoder(u, &io)) != CFOTA_OK)
            return rc;
        if (u->cp.segment == 0)
            cfota_dec_track(&u->dec, u->segmap);
        /* A decoder started past the first segment gets the carried
         * models back from where the segment before left them, or (A/B,
         * no carry slots) rebuilds them by a replay from the payload's
         * start: the checkpoint says where to feed from. */
        if (cfota_carry_slots(u->pkg.flags) && k > 0 && (rc = carry_load(u, k - 1)) != CFOTA_OK)
            return rc;
        cfota_dec_checkpoint(&u->dec, &u->cp);
        u->feed_pos = u->cp.in_pos;
        u->dec_live = 1;
    }
    pos = u->feed_pos;
    for (;;) {
        uint32_t n = end - pos < FEED ? end - pos : FEED;
        size_t used = 0;
        if (n && (rc = cfota_area_read(&u->cfg->package, pos, chunk, n)) != CFOTA_OK)
            return rc;
        rc = cfota_dec_sink(&u->dec, chunk, n, &used);
        pos += (uint32_t)used;
        if (rc == CFOTA_CHECKPOINT || rc == CFOTA_DONE)
            break;
        if (rc != CFOTA_MORE)
            return rc;
        if (n == 0)
            return CFOTA_E_TRUNCATED;
    }
    u->feed_pos = pos;
    if ((rc = flush_stage(u, 1)) != CFOTA_OK)
        return rc;
    cfota_dec_checkpoint(&u->dec, &u->cp);
    if (cfota_carry_slots(u->pkg.flags) && k + 1 < segments(u))
        return carry_save(u, k);
    return CFOTA_OK;
}

/* Save the stash entries of ordinal k: the base bytes under the segment
 * about to be committed that later segments read. Each entry owns its
 * stash units (they start on a unit and no other live entry shares
 * them), so erasing its blocks destroys nothing another segment needs. */
static int stash_segment(struct cfota_update *u, uint32_t k)
{
    const struct cfota_area *st = &u->cfg->stash;
    uint32_t i, unit = st->flash ? st->flash->prog_size : 1, bs = st->flash ? st->flash->erase_size : 1;
    int rc;
    for (i = 0; i < u->plan_count; i++) {
        struct cfota_stash_entry e;
        uint32_t off;
        if ((rc = plan_entry(u, i, &e)) != CFOTA_OK)
            return rc;
        if (e.step != k)
            continue;
        /* Only bytes this commit destroys, and they are intact now. */
        if (e.base < u->seg_start || e.base + e.len > u->seg_start + u->pkg.segment_size)
            return CFOTA_E_CORRUPT;
        for (off = 0; off < e.len; off += u->cfg->buf_size) {
            uint32_t n = e.len - off < u->cfg->buf_size ? e.len - off : u->cfg->buf_size, b, padded = n;
            if ((rc = cfota_area_read(&u->cfg->image, e.base + off, u->cfg->buf, n)) != CFOTA_OK)
                return rc;
            if (n % unit) {
                memset(u->cfg->buf + n, 0xFF, unit - n % unit);
                padded += unit - n % unit;
            }
            for (b = (e.at + off + bs - 1) / bs * bs; b < e.at + off + padded; b += bs)
                if ((rc = cfota_area_erase(st, b)) != CFOTA_OK)
                    return rc;
            if ((rc = cfota_area_prog(st, e.at + off, u->cfg->buf, padded)) != CFOTA_OK)
                return rc;
        }
    }
    return CFOTA_OK;
}

/* Copy the decoded segment from scratch over its image blocks. */
static int commit_segment(struct cfota_update *u)
{
    const struct cfota_area *img = &u->cfg->image;
    uint32_t bs = img->flash->erase_size, unit = img->flash->prog_size;
    uint32_t len = (u->seg_len + unit - 1) / unit * unit, off;
    int rc;
    for (off = 0; off < len; off += u->cfg->buf_size) {
        uint32_t n = len - off < u->cfg->buf_size ? len - off : u->cfg->buf_size;
        if ((u->seg_start + off) % bs == 0 || off == 0) {
            uint32_t b = (u->seg_start + off) / bs * bs;
            if ((rc = cfota_area_erase(img, b)) != CFOTA_OK)
                return rc;
        }
        /* A chunk may cross into the next block: erase it before. */
        if ((u->seg_start + off) / bs != (u->seg_start + off + n - 1) / bs &&
            (rc = cfota_area_erase(img, (u->seg_start + off + n - 1) / bs * bs)) != CFOTA_OK)
            return rc;
        if ((rc = stage_io(u, off, u->cfg->buf, NULL, n)) != CFOTA_OK ||
            (rc = cfota_area_prog(img, u->seg_start + off, u->cfg->buf, n)) != CFOTA_OK)
            return rc;
    }
    return CFOTA_OK;
}

static int verify_target(struct cfota_update *u)
{
    struct cfota_header h;
    int rc = read_header(u, &h);
    if (rc != CFOTA_OK)
        return rc;
    return cfota_verify_target(&h, read_area, (void *)target_area(u));
}

static int finish(struct cfota_update *u, struct journal *j)
{
    int rc = verify_target(u);
    if (rc == CFOTA_E_IO)
        return rc;
    if (rc != CFOTA_OK)
        return fail(u, j, rc);
    if ((rc = record(u, j, J_DONE, 0)) != CFOTA_OK)
        return rc;
    return CFOTA_DONE;
}

int cfota_update_run(struct cfota_update *u, const struct cfota_update_cfg *cfg)
{
    struct journal j;
    uint32_t nseg, k;
    int rc = setup(u, cfg), decoded, stashed;
    if (rc != CFOTA_OK)
        return rc;
    if ((rc = journal_load(&j, &u->cfg->journal)) != CFOTA_OK)
        return rc;
    if (!j.valid || j.last.type == J_DONE || j.last.type == J_FAILED)
        return CFOTA_E_STATE;
    if ((rc = load_header(u)) != CFOTA_OK || u->pkg.payload_crc32 != j.begin.body.begin.payload_crc32 ||
        (rc = check_package(u)) != CFOTA_OK || ((j.begin.flags & J_FLAG_IN_PLACE) != 0) != in_place(u)) {
        if (rc == CFOTA_E_IO)
            return rc;
        return fail(u, &j, rc != CFOTA_OK ? rc : CFOTA_E_CORRUPT);
    }
    if ((rc = count_run(u, &j)) != CFOTA_OK)
        return rc;
    u->wear_base = j.begin.body.begin.wear_base;
    nseg = segments(u);
    /* Where the journal says we are. */
    k = 0;
    decoded = stashed = 0;
    u->cp.segment = 0;
    u->cp.in_pos = u->pkg.header_size;
    if (j.last.type == J_DECODED || j.last.type == J_STASHED || j.last.type == J_COMMITTED) {
        const struct journal_segment *s = &j.last.body.segment;
        k = s->ordinal + (j.last.type == J_COMMITTED);
        decoded = j.last.type != J_COMMITTED;
        stashed = j.last.type == J_STASHED;
        u->cp.segment = s->ordinal + 1;
        u->cp.in_pos = s->in_pos;
        u->cp.range = s->range;
        u->cp.code = s->code;
        u->cp.prev_index = j.last.index;
        u->seg_index = j.last.index;
        u->seg_start = (uint32_t)j.last.index * u->pkg.segment_size;
        u->seg_len = u->pkg.target_size - u->seg_start < u->pkg.segment_size
                         ? u->pkg.target_size - u->seg_start : u->pkg.segment_size;
        u->scratch_off = scratch_offset(u, s->ordinal);
        if (decoded && u->seg_start >= u->pkg.target_size)
            return fail(u, &j, CFOTA_E_CORRUPT);
    }
    for (; k < nseg; k++) {
        if (!decoded) {
            rc = decode_segment(u, k);
            if (rc == CFOTA_E_IO)
                return rc;
            if (rc != CFOTA_OK)
                return fail(u, &j, rc);
            if (!in_place(u)) {
                if ((rc = record(u, &j, J_COMMITTED, k)) != CFOTA_OK)
                    return rc;
                goto next;
            }
            if ((rc = record(u, &j, J_DECODED, k)) != CFOTA_OK)
                return rc;
        }
        if (u->plan_count && !stashed) {
            rc = stash_segment(u, k);
            if (rc == CFOTA_E_CORRUPT) {
                record(u, &j, J_FAILED, (uint32_t)rc);
                return rc;
            }
            if (rc != CFOTA_OK || (rc = record(u, &j, J_STASHED, k)) != CFOTA_OK)
                return rc;
        }
        if ((rc = commit_segment(u)) != CFOTA_OK || (rc = record(u, &j, J_COMMITTED, k)) != CFOTA_OK)
            return rc;
    next:
        decoded = stashed = 0;
        if (u->cfg->progress)
            u->cfg->progress(u->cfg->progress_ctx, k + 1 == nseg ? u->pkg.target_size : (k + 1) * u->pkg.segment_size,
                            u->pkg.target_size);
    }
    return finish(u, &j);
}
