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
 * Properties:
 *  - the callbacks are called as decoder.h promises: reads of the base
 *    inside it (none for a full image), reads of the target inside it and,
 *    unless ORDERED, only of bytes already written; writes of 1..32 bytes
 *    inside the target, sequential within a segment;
 *  - a decode fed in random chunks, and interrupted (at a checkpoint or
 *    in the middle of the next segment) and resumed from the last
 *    checkpoint as after a reset, ends with the same status and the very
 *    same target bytes as one fed all at once without interruption.
 * Seeds: packages the encoder makes for the material pairs.
 */
#include "cfota/decoder.h"
#include "material.h"

#define TARGET_MAX 65536u

struct run {
    const struct cfota_header *h;
    const uint8_t *base;
    const uint8_t *payload; /* the package from h->header_size on */
    uint8_t target[TARGET_MAX], written[TARGET_MAX];
    uint32_t next_write; /* where a non-ORDERED write must start */
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
    if (!(r->h->flags & CFOTA_FLAG_ORDERED))
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
    io->ctx = r;
    io->read_old = read_old;
    io->read_new = read_new;
    io->write_new = write_new;
    io->read_pkg = read_pkg;
}

/* Feed payload (package offsets from h->header_size) at once; the
 * final status. */
static int decode_whole(struct cfota_dec *d, const struct cfota_header *h, const uint8_t *payload,
                        size_t payload_len)
{
    size_t at = 0, used;
    int rc;
    for (;;) {
        rc = cfota_dec_sink(d, payload + at, payload_len - at, &used);
        at += used;
        if (rc != CFOTA_CHECKPOINT)
            return rc;
    }
    (void)h;
}

static struct run ref, cut;
static uint8_t snapshot[TARGET_MAX], snapshot_written[TARGET_MAX];

/* The same decode in random chunks, interrupted and resumed as plan says. */
static int decode_cut(const struct cfota_header *h, const uint8_t *base, const uint8_t *payload,
                      size_t payload_len, uint32_t chunk_seed, uint32_t plan)
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
    size_t base_len, payload_len;
    uint32_t chunk_seed, plan;
    int rc_ref, rc_cut;

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
    rc_ref = decode_whole(&d, &h, payload, payload_len);
    rc_cut = decode_cut(&h, base, payload, payload_len, chunk_seed, plan);
    FUZZ_CHECK(rc_ref == rc_cut, "whole decode %d, cut and resumed %d", rc_ref, rc_cut);
    if (getenv("CFOTA_FUZZ_VERBOSE"))
        fprintf(stderr, "decoder: flags %#x target %u: status %d\n", h.flags, h.target_size,
                rc_ref);
    FUZZ_CHECK(memcmp(ref.target, cut.target, h.target_size) == 0,
               "cut and resumed, the target differs");
    return 0;
}

/* The harness's input for a package made by the encoder. */
static void emit_package(void *ctx, const char *name, const struct fuzz_buf *old,
                         const struct bytes *pkg, unsigned mode)
{
    static const uint32_t plans[] = {0x55555555u, 0x0u, 0xe4e4e4e4u};
    struct emit_to *to = ctx;
    struct cfota_header h;
    struct fuzz_buf b = {0};
    if (cfota_header_parse(&h, pkg->p, pkg->n) != CFOTA_OK || h.target_size > TARGET_MAX)
        return;
    fuzz_put_u8(&b, h.flags);
    fuzz_put_u8(&b, (uint8_t)(h.segment_size / 4096u - 1));
    fuzz_put_u16(&b, (uint16_t)h.base_size);
    fuzz_put_u16(&b, (uint16_t)h.target_size);
    fuzz_put_u32(&b, 12345);
    fuzz_put_u32(&b, plans[mode % 3]);
    if (!(h.flags & CFOTA_FLAG_NO_BASE))
        fuzz_put(&b, old->p, h.base_size);
    fuzz_put(&b, pkg->p + h.header_size, h.payload_size);
    to->emit(to->ctx, name, b.p, b.n);
    fuzz_buf_free(&b);
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    struct emit_to to = {emit, ctx};
    material_packages(emit_package, &to);
}
