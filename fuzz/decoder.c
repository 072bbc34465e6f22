/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/decoder.c: the streaming decoder (lib/decoder.c) on any payload,
 * fed in random chunks and interrupted and resumed at random points.
 *
 * Input: a header the harness fills in (flags, segment size, base and
 * target sizes: the decoder is given a parsed header, so the fuzzer reaches
 * the payload without forging CRCs), the base image, then the payload.
 *   [flags u8][segment 4 KiB units u8][base size u16][target size u16 x4]
 *   [chunking seed u32][interruption plan u32][base bytes][payload bytes]
 *
 * Three decodes of each input: the reference, fed all at once with the
 * map of decoded segments (cfota_dec_track) as a device keeps it; for an
 * ORDERED package the same without the map; and one fed in random chunks
 * and interrupted (at a checkpoint or in the middle of the next segment)
 * and resumed from the last checkpoint as after a reset. The interrupted
 * one uses the map as lib/update.c does: from the start, and again after
 * a resume at the first segment, but not after a resume further on
 * (a checkpoint does not say which segments came first).
 *
 * Properties:
 *  - the callbacks are called as decoder.h promises: reads of the base
 *    inside it (none for a full image), reads of the target inside it and
 *    only of bytes already written (for an ORDERED package: while the
 *    decoder has the map); writes of 1..32 bytes inside the target,
 *    sequential within a segment;
 *  - the map only refuses: a decode with it that does not end in
 *    CFOTA_E_CORRUPT ends like the one without, with the same bytes;
 *  - the interrupted decode ends with the same status and the very same
 *    target bytes as the reference, or, once it went on without the map,
 *    as the decode without it.
 * Seeds: packages the encoder makes for the material pairs.
 */
#include "cfota/decoder.h"
#include "coder.h"
#include "material.h"

#define TARGET_MAX 65536u

struct run {
    const struct cfota_header *h;
    const uint8_t *base;
    const uint8_t *payload; /* the package from h->header_size on */
    uint8_t target[TARGET_MAX], written[TARGET_MAX];
    uint32_t next_write; /* where a non-ORDERED write must start */
    int tracked;         /* the decoder has the map of decoded segments */
    uint8_t map[CFOTA_DEC_SEGMAP / 8];
};

static int read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    FUZZ_CHECK(!(r->h->flags & CFOTA_FLAG_NO_BASE), "base read for a full image");
    FUZZ_CHECK(len > 0 && off <= r->h->base_size && len <= r->h->base_size - off,
               "base read %u+%u of %u", off, len, r->h->base_size);
    memcpy(buf, r->base + off, len);
    return 0;
}

static int read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    uint32_t i;
    FUZZ_CHECK(len > 0 && off <= r->h->target_size && len <= r->h->target_size - off,
               "target read %u+%u of %u", off, len, r->h->target_size);
    if (!(r->h->flags & CFOTA_FLAG_ORDERED) || r->tracked)
        for (i = 0; i < len; i++)
            FUZZ_CHECK(r->written[off + i], "read of unwritten target byte %u", off + i);
    memcpy(buf, r->target + off, len);
    return 0;
}

static int write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    FUZZ_CHECK(len >= 1 && len <= CFOTA_DEC_OUTBUF, "write of %u bytes", len);
    FUZZ_CHECK(off <= r->h->target_size && len <= r->h->target_size - off,
               "target write %u+%u of %u", off, len, r->h->target_size);
    FUZZ_CHECK(off == r->next_write || off % r->h->segment_size == 0,
               "write at %u, expected %u or a segment start", off, r->next_write);
    memcpy(r->target + off, buf, len);
    memset(r->written + off, 1, len);
    r->next_write = off + len;
    return 0;
}

/* The package (read_pkg): the header is not in memory, only the payload,
 * and the decoder reads inside the payload only. */
static int read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    FUZZ_CHECK(r->h->flags & CFOTA_FLAG_ARCH, "package read without an arch block");
    FUZZ_CHECK(len > 0 && off >= r->h->header_size && off - r->h->header_size <= r->h->payload_size &&
                   len <= r->h->payload_size - (off - r->h->header_size),
               "package read %u+%u outside the payload", off, len);
    memcpy(buf, r->payload + (off - r->h->header_size), len);
    return 0;
}

static void run_open(struct run *r, const struct cfota_header *h, const uint8_t *base, const uint8_t *payload,
                     struct cfota_io *io)
{
    r->h = h;
    r->base = base;
    r->payload = payload;
    memset(r->target, 0xFF, h->target_size);
    memset(r->written, 0, h->target_size);
    r->next_write = 0;
    r->tracked = 0;
    io->ctx = r;
    io->read_old = read_old;
    io->read_new = read_new;
    io->write_new = write_new;
    io->read_pkg = read_pkg;
}

/* Give the decoder r's map of decoded segments, as a device does for a
 * decode from the package's start. */
static void track(struct cfota_dec *d, struct run *r)
{
    cfota_dec_track(d, r->map);
    r->tracked = 1;
}

/* Decode payload (package offsets from h->header_size) fed at once into
 * r, with the map or without; the final status. */
static int decode_whole(struct run *r, const struct cfota_header *h, const uint8_t *base,
                        const uint8_t *payload, size_t payload_len, int with_map)
{
    struct cfota_dec d;
    struct cfota_io io;
    size_t at = 0, used;
    int rc;
    run_open(r, h, base, payload, &io);
    FUZZ_CHECK(cfota_dec_init(&d, h, &io) == CFOTA_OK, "init of a header it took before");
    if (with_map)
        track(&d, r);
    for (;;) {
        rc = cfota_dec_sink(&d, payload + at, payload_len - at, &used);
        at += used;
        if (rc != CFOTA_CHECKPOINT)
            return rc;
    }
}

static struct run ref, plain, cut;
static uint8_t snapshot[TARGET_MAX], snapshot_written[TARGET_MAX];

/* The same decode in random chunks, interrupted and resumed as plan says.
 * *unmapped: it went on without the map after a resume. */
static int decode_cut(const struct cfota_header *h, const uint8_t *base, const uint8_t *payload,
                      size_t payload_len, uint32_t chunk_seed, uint32_t plan, int *unmapped)
{
    static const int chunks_before_cut[4] = {-1, 0, 1, 3}; /* -1: no cut */
    struct cfota_dec d;
    struct cfota_io io;
    struct cfota_checkpoint cp;
    size_t at = 0, used;
    unsigned resumes = 0, checkpoints = 0;
    int rc, cut_in = -1;
    run_open(&cut, h, base, payload, &io);
    FUZZ_CHECK(cfota_dec_init(&d, h, &io) == CFOTA_OK, "second init");
    track(&d, &cut);
    *unmapped = 0;
    /* What a device keeps with each checkpoint: for a package with carry
     * slots the carried models too (cfota_dec_carry), put back after the
     * resume. */
    static struct cfota_carry carry;
    cfota_dec_checkpoint(&d, &cp);
    memcpy(&carry, cfota_dec_carry(&d), CFOTA_CARRY_SIZE);
    memcpy(snapshot, cut.target, h->target_size);
    memcpy(snapshot_written, cut.written, h->target_size);
    for (;;) {
        size_t n = 1 + fuzz_rand(&chunk_seed) % 300;
        if (n > payload_len - at)
            n = payload_len - at;
        rc = cfota_dec_sink(&d, payload + at, n, &used);
        at += used;
        if (cut_in > 0)
            cut_in--;
        if (rc == CFOTA_CHECKPOINT) {
            /* Two bits of plan per checkpoint: go on, or cut now, or
             * after one or three more chunks (inside the next segment). */
            cfota_dec_checkpoint(&d, &cp);
            memcpy(&carry, cfota_dec_carry(&d), CFOTA_CARRY_SIZE);
            memcpy(snapshot, cut.target, h->target_size);
            memcpy(snapshot_written, cut.written, h->target_size);
            cut_in = resumes < 16 ? chunks_before_cut[(plan >> (2 * (checkpoints % 16))) & 3] : -1;
            checkpoints++;
        }
        if (cut_in == 0 && (rc == CFOTA_CHECKPOINT || rc == CFOTA_MORE)) {
            /* A reset: the target is as it was at the checkpoint (the
             * interrupted segment's writes are lost), decoding restarts
             * from the record. */
            memcpy(cut.target, snapshot, h->target_size);
            memcpy(cut.written, snapshot_written, h->target_size);
            cut.next_write = cp.segment ? cp.segment * h->segment_size : 0;
            FUZZ_CHECK(cfota_dec_resume(&d, h, &io, &cp) == CFOTA_OK,
                       "resume from its own checkpoint (segment %u, in %u)", cp.segment,
                       cp.in_pos);
            if (cfota_carry_slots(h->flags) && cp.segment > 0)
                memcpy(cfota_dec_carry(&d), &carry, CFOTA_CARRY_SIZE);
            /* The map again for a decode from the start; none after a
             * resume further on (the segments before are not known). */
            if (cp.segment == 0) {
                track(&d, &cut);
            } else {
                cut.tracked = 0;
                *unmapped = 1;
            }
            /* Fed from the record, or from the start for a replay. */
            cfota_dec_checkpoint(&d, &cp);
            FUZZ_CHECK(cp.in_pos >= h->header_size && cp.in_pos - h->header_size <= payload_len,
                       "checkpoint offset %u", cp.in_pos);
            at = cp.in_pos - h->header_size;
            resumes++;
            cut_in = -1;
            continue;
        }
        if (rc == CFOTA_CHECKPOINT || (rc == CFOTA_MORE && at < payload_len))
            continue;
        return rc;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct cfota_header h;
    struct cfota_dec d;
    struct cfota_io io;
    const uint8_t *base, *payload;
    const struct run *without = &ref; /* the decode without the map */
    size_t base_len, payload_len;
    uint32_t chunk_seed, plan;
    int rc_ref, rc_plain, rc_cut, unmapped;

    memset(&h, 0, sizeof h);
    h.format_version = CFOTA_FORMAT_VERSION;
    h.flags = take_u8(&in) & CFOTA_FLAGS_KNOWN & ~CFOTA_FLAG_SIGNED;
    h.segment_size = 4096u * (1 + take_u8(&in) % 16);
    h.base_size = take_u16(&in);
    h.target_size = take_u16(&in) % (TARGET_MAX + 1);
    chunk_seed = take_u32(&in);
    plan = take_u32(&in);
    if (h.flags & CFOTA_FLAG_NO_BASE)
        h.base_size = 0;
    base = take_bytes(&in, h.base_size, &base_len);
    if (base_len < h.base_size)
        return 0;
    payload = take_bytes(&in, in.n, &payload_len);
    h.header_size = CFOTA_HEADER_FIXED;
    h.payload_size = (uint32_t)payload_len;

    run_open(&ref, &h, base, payload, &io);
    if (cfota_dec_init(&d, &h, &io) != CFOTA_OK)
        return 0;
    rc_ref = rc_plain = decode_whole(&ref, &h, base, payload, payload_len, 1);
    /* The map matters only where segments come out of order. */
    if (h.flags & CFOTA_FLAG_ORDERED) {
        rc_plain = decode_whole(&plain, &h, base, payload, payload_len, 0);
        without = &plain;
        FUZZ_CHECK(rc_ref == CFOTA_E_CORRUPT || rc_plain == rc_ref,
                   "with the map %d, without %d", rc_ref, rc_plain);
        FUZZ_CHECK(rc_ref == CFOTA_E_CORRUPT ||
                       memcmp(ref.target, plain.target, h.target_size) == 0,
                   "with the map and without, the target differs");
    }
    rc_cut = decode_cut(&h, base, payload, payload_len, chunk_seed, plan, &unmapped);
    if (getenv("CFOTA_FUZZ_VERBOSE"))
        fprintf(stderr, "decoder: flags %#x target %u: status %d (without the map %d, cut %d%s)\n",
                h.flags, h.target_size, rc_ref, rc_plain, rc_cut, unmapped ? ", unmapped" : "");
    if (rc_cut == rc_ref && memcmp(ref.target, cut.target, h.target_size) == 0)
        return 0;
    FUZZ_CHECK(unmapped, "whole decode %d, cut and resumed %d, or the target differs", rc_ref,
               rc_cut);
    FUZZ_CHECK(rc_cut == rc_plain, "without the map %d, cut and resumed without it %d", rc_plain,
               rc_cut);
    FUZZ_CHECK(memcmp(without->target, cut.target, h.target_size) == 0,
               "cut and resumed without the map, the target differs");
    return 0;
}

/* The harness's input for a payload of header h on base, with an
 * interruption plan. */
static void emit_input(struct emit_to *to, const char *name, const uint8_t *base,
                       const struct cfota_header *h, const uint8_t *payload, uint32_t plan)
{
    struct fuzz_buf b = {0};
    fuzz_put_u8(&b, h->flags);
    fuzz_put_u8(&b, (uint8_t)(h->segment_size / 4096u - 1));
    fuzz_put_u16(&b, (uint16_t)h->base_size);
    fuzz_put_u16(&b, (uint16_t)h->target_size);
    fuzz_put_u32(&b, 12345);
    fuzz_put_u32(&b, plan);
    if (!(h->flags & CFOTA_FLAG_NO_BASE))
        fuzz_put(&b, base, h->base_size);
    fuzz_put(&b, payload, h->payload_size);
    to->emit(to->ctx, name, b.p, b.n);
    fuzz_buf_free(&b);
}

static void emit_package(void *ctx, const char *name, const struct fuzz_buf *old,
                         const struct bytes *pkg, unsigned mode)
{
    static const uint32_t plans[] = {0x55555555u, 0x0u, 0xe4e4e4e4u};
    struct emit_to *to = ctx;
    struct cfota_header h;
    char cut_name[48];
    if (cfota_header_parse(&h, pkg->p, pkg->n) != CFOTA_OK || h.target_size > TARGET_MAX)
        return;
    emit_input(to, name, old->p, &h, pkg->p + h.header_size, plans[mode % 3]);
    /* An ORDERED package interrupted too: resumed at a checkpoint and in
     * the middle of a segment, so its decode goes on without the map. */
    if (h.flags & CFOTA_FLAG_ORDERED) {
        snprintf(cut_name, sizeof cut_name, "%s-cut", name);
        emit_input(to, cut_name, old->p, &h, pkg->p + h.header_size, 0xe4e4e4e4u);
    }
}

#define CRAFT_SEG 4096u
#define CRAFT_SEGS 3u

/* An ORDERED payload the encoder would never make, so that the seeds
 * reach what the map decides: segments in the order 1, 0, 2 (each a copy
 * of itself from the base), but segment 0 has 10 bytes at 100 copied from
 * target offset from. From segment 1 (decoded first) the copy is valid;
 * from segment 2 (not decoded yet) the map refuses it, and a decode
 * without the map reads bytes not written. */
static void emit_crafted(struct emit_to *to, const char *name, uint32_t from, uint32_t plan)
{
    static const uint32_t order[CRAFT_SEGS] = {1, 0, 2};
    struct fuzz_buf base = {0};
    struct cfota_oplist ops = {0};
    struct coder_params cp;
    struct bytes payload = {0};
    struct cfota_header h;
    uint32_t i;
    material_image(7, CRAFT_SEGS * CRAFT_SEG, &base);
    oplist_push(&ops, CFOTA_OP_LIT, 0, 100, 0);
    oplist_push(&ops, CFOTA_OP_NEW, 100, 10, from);
    oplist_push(&ops, CFOTA_OP_LIT, 110, CRAFT_SEG - 110, 0);
    for (i = 1; i < CRAFT_SEGS; i++)
        oplist_push(&ops, CFOTA_OP_OLD, i * CRAFT_SEG, CRAFT_SEG, i * CRAFT_SEG);
    memset(&cp, 0, sizeof cp);
    cp.segment_size = CRAFT_SEG;
    cp.ordered = 1;
    cp.order = order;
    if (coder_encode(&ops, base.p, base.n, base.p, base.n, &cp, &payload) == 0) {
        memset(&h, 0, sizeof h);
        h.flags = CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
        h.segment_size = CRAFT_SEG;
        h.base_size = h.target_size = (uint32_t)base.n;
        h.payload_size = (uint32_t)payload.n;
        emit_input(to, name, base.p, &h, payload.p, plan);
    }
    bytes_free(&payload);
    oplist_free(&ops);
    fuzz_buf_free(&base);
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    struct emit_to to = {emit, ctx};
    material_packages(emit_package, &to);
    emit_crafted(&to, "ordered-back-copy", CRAFT_SEG + 16, 0xe4e4e4e4u);
    emit_crafted(&to, "ordered-copy-ahead", 2 * CRAFT_SEG + 16, 0x0u);
    /* Cut at every checkpoint: the copy the map refused is met again by
     * a decoder resumed after segment 1, without the map. */
    emit_crafted(&to, "ordered-copy-ahead-cut", 2 * CRAFT_SEG + 16, 0x55555555u);
}
