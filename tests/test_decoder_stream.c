/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_decoder_stream.c: the decoder's streaming and resume promise
 * (cfota/decoder.h), driven directly with memory callbacks (dec_rig.h).
 *
 * A device loses power whenever it likes. These tests cut decoding at
 * every checkpoint and at random points in the middle of segments; each
 * time the decoder is thrown away, every target byte written after the
 * last checkpoint is overwritten with garbage (a torn flash write), and a
 * fresh decoder resumes from the saved record, fed from record.in_pos.
 * The final image must be exactly the target, and the records seen after
 * a resume must be the very records of an uninterrupted run. The spacing
 * of checkpoints is checked too: one per segment, the bytes produced at
 * each a whole number of segments. Records that cannot belong to the
 * package are refused, and callback failures are reported and sticky.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfota/decoder.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "dec_rig.h"
#include "encoder.h"
#include "support.h"

/* A package and the images it joins. */
struct case_ {
    const char *name;
    struct bytes old, new_, pkg;
    struct cfota_header h;
};

static void case_free(struct case_ *c)
{
    bytes_free(&c->old);
    bytes_free(&c->new_);
    bytes_free(&c->pkg);
}

static void case_encode(struct case_ *c, uint32_t segment_size, int in_place)
{
    struct cfota_encode_opts o;
    memset(&o, 0, sizeof o);
    o.segment_size = segment_size;
    o.in_place = in_place;
    if (in_place)
        o.scratch_size = segment_size ? segment_size : 16384;
    c->pkg.n = 0;
    assert_int_equal(cfota_encode(c->old.p, c->old.n, c->new_.p, c->new_.n, &o, &c->pkg), 0);
    assert_int_equal(cfota_header_parse(&c->h, c->pkg.p, c->pkg.n), CFOTA_OK);
}

static void case_corpus(struct case_ *c, const char *pair, uint32_t segment_size, int in_place)
{
    memset(c, 0, sizeof *c);
    c->name = pair;
    corpus_load(pair, "old.bin", &c->old);
    corpus_load(pair, "new.bin", &c->new_);
    case_encode(c, segment_size, in_place);
}

/* Two releases of the example firmware (support.h). */
static void case_image(struct case_ *c, const char *old, const char *new_, uint32_t segment_size, int in_place)
{
    memset(c, 0, sizeof *c);
    c->name = new_;
    image_load(old, &c->old);
    image_load(new_, &c->new_);
    case_encode(c, segment_size, in_place);
}

/* A synthetic pair: new is old with edits, n bytes each. */
static void case_synth(struct case_ *c, size_t n, uint32_t segment_size, uint64_t seed)
{
    size_t i;
    memset(c, 0, sizeof *c);
    c->name = "synthetic";
    for (i = 0; i < n; i++) {
        uint8_t v = (uint8_t)(i % 97 < 40 ? test_rand(&seed) : i / 64);
        bytes_byte(&c->old, v);
    }
    bytes_put(&c->new_, c->old.p, n);
    for (i = 0; i < n / 50; i++)
        c->new_.p[test_rand(&seed) % n] = (uint8_t)test_rand(&seed);
    memmove(c->new_.p + n / 3 + 100, c->new_.p + n / 3, n - n / 3 - 100);
    case_encode(c, segment_size, 0);
}

static size_t payload_end(const struct case_ *c)
{
    return (size_t)c->h.header_size + c->h.payload_size;
}

static void expect_target(const struct case_ *c, const struct dec_rig *r)
{
    assert_int_equal(r->violations, 0);
    assert_int_equal(r->target_len, c->new_.n);
    if (c->new_.n)
        assert_memory_equal(r->out, c->new_.p, c->new_.n);
}

/* An uninterrupted decode; fills cps/produced (room for every segment)
 * and returns the number of checkpoints. */
static unsigned reference_run(const struct case_ *c, struct cfota_checkpoint *cps, uint32_t *produced)
{
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    size_t pos = c->h.header_size;
    unsigned n = 0;
    assert_non_null(d);
    rig_open(&r, &c->h, c->old.p, c->old.n, c->pkg.p, c->pkg.n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(d, &c->h, &io), CFOTA_OK);
    assert_int_equal(rig_feed(d, c->pkg.p, &pos, payload_end(c), 0, cps, produced, &n), CFOTA_DONE);
    assert_int_equal(pos, payload_end(c));
    /* In payload order the last segment decoded need not be the last of
     * the image: cfota_dec_produced() is then the end of that segment. */
    if (!(c->h.flags & CFOTA_FLAG_ORDERED))
        assert_int_equal(cfota_dec_produced(d), c->h.target_size);
    expect_target(c, &r);
    rig_close(&r);
    free(d);
    return n;
}

/* Replace *d by a fresh decoder resumed at cp; the old one is scribbled
 * over first so that nothing of it can survive. Returns where to feed
 * the package from. */
static size_t restart(struct cfota_dec **d, const struct case_ *c, struct dec_rig *r,
                      const struct cfota_checkpoint *cp)
{
    size_t feed = 0;
    memset(*d, 0xA5, sizeof **d);
    free(*d);
    *d = malloc(sizeof **d);
    assert_non_null(*d);
    memset(*d, 0x5A, sizeof **d);
    assert_int_equal(rig_resume(*d, r, &c->h, cp, &feed), CFOTA_OK);
    return feed;
}

/* ---- stop at every checkpoint ---- */

/* rig_feed continues after checkpoints; for cutting at each one, a
 * variant that returns at the first checkpoint is needed. */
static int feed_to_checkpoint(struct cfota_dec *d, const uint8_t *pkg, size_t *pos, size_t end, size_t chunk)
{
    for (;;) {
        size_t n = end - *pos, used = 0;
        int rc;
        if (chunk && n > chunk)
            n = chunk;
        rc = cfota_dec_sink(d, pkg + *pos, n, &used);
        *pos += used;
        if (rc == CFOTA_MORE && *pos < end)
            continue;
        return rc;
    }
}

static void cut_at_every_checkpoint(struct case_ *c)
{
    uint32_t nseg = cfota_header_segments(&c->h);
    struct cfota_checkpoint *ref = calloc(nseg + 1, sizeof *ref), cp;
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    static const size_t chunks[] = {0, 1, 7, 64, 1000, 113};
    size_t pos = c->h.header_size;
    unsigned nref, seen = 0;
    int rc;
    assert_non_null(ref);
    assert_non_null(d);
    nref = reference_run(c, ref, NULL);
    assert_int_equal(nref, nseg ? nseg - 1 : 0);

    rig_open(&r, &c->h, c->old.p, c->old.n, c->pkg.p, c->pkg.n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(d, &c->h, &io), CFOTA_OK);
    for (;;) {
        rc = feed_to_checkpoint(d, c->pkg.p, &pos, payload_end(c), chunks[seen % 6]);
        if (rc != CFOTA_CHECKPOINT)
            break;
        rig_save_carry(d);
        cfota_dec_checkpoint(d, &cp);
        assert_true(seen < nref);
        assert_memory_equal(&cp, &ref[seen], sizeof cp);
        assert_int_equal(cp.segment, seen + 1);
        assert_true(cp.in_pos <= pos); /* buffered bytes are fed again */
        seen++;
        /* Power cut: torn writes after the checkpoint, decoder lost. */
        rig_cut(&r, &cp, 1000 + seen);
        pos = restart(&d, c, &r, &cp);
    }
    assert_int_equal(rc, CFOTA_DONE);
    assert_int_equal(seen, nref);
    assert_int_equal(pos, payload_end(c));
    expect_target(c, &r);
    rig_close(&r);
    free(d);
    free(ref);
}

static void test_cut_at_every_checkpoint(void **state)
{
    struct case_ c;
    (void)state;
    case_image(&c, M4APP_V1, M4APP_V2, 4096, 0); /* 3 segments */
    cut_at_every_checkpoint(&c);
    case_free(&c);
    /* In place: segments in the package's own order. */
    case_image(&c, M4APP_V2, M4APP_V3, 4096, 1);
    assert_true(c.h.flags & CFOTA_FLAG_ORDERED);
    cut_at_every_checkpoint(&c);
    case_free(&c);
    case_synth(&c, 100000, 4096, 21);
    cut_at_every_checkpoint(&c);
    case_free(&c);
}

static void test_cut_at_every_checkpoint_corpus(void **state)
{
    struct case_ c;
    (void)state;
    case_corpus(&c, "k64f-blinky-old-new", 4096, 0); /* 13 segments */
    cut_at_every_checkpoint(&c);
    case_free(&c);
    case_corpus(&c, "sam3x-synthesizer-1-2", 0, 0); /* 64 KiB segments */
    cut_at_every_checkpoint(&c);
    case_free(&c);
    case_corpus(&c, "rpi3-shell-1-2", 4096, 0);
    cut_at_every_checkpoint(&c);
    case_free(&c);
    case_corpus(&c, "sam3x-synthesizer-1-2", 16384, 1);
    assert_true(c.h.flags & CFOTA_FLAG_ORDERED);
    cut_at_every_checkpoint(&c);
    case_free(&c);
}

/* ---- random stops ---- */

static void random_stops(struct case_ *c, unsigned runs, uint64_t seed)
{
    size_t end = payload_end(c);
    unsigned run, mid_segment_cuts = 0;
    for (run = 0; run < runs; run++) {
        struct cfota_dec *d = malloc(sizeof *d);
        struct dec_rig r;
        struct cfota_io io;
        struct cfota_checkpoint cp;
        size_t pos = c->h.header_size;
        unsigned cuts = 0;
        int rc;
        assert_non_null(d);
        rig_open(&r, &c->h, c->old.p, c->old.n, c->pkg.p, c->pkg.n);
        io = rig_io(&r);
        assert_int_equal(cfota_dec_init(d, &c->h, &io), CFOTA_OK);
        for (;;) {
            size_t chunk = 1 + test_rand(&seed) % 300, stop = end;
            unsigned ncp = 0;
            if (cuts < 6)
                stop = pos + 1 + test_rand(&seed) % (end - pos);
            rc = rig_feed(d, c->pkg.p, &pos, stop, chunk, NULL, NULL, &ncp);
            if (rc != CFOTA_MORE)
                break;
            /* Power lost here, wherever that is. */
            cfota_dec_checkpoint(d, &cp);
            if (cfota_dec_produced(d) > cp.segment * c->h.segment_size || pos > cp.in_pos)
                mid_segment_cuts++;
            rig_cut(&r, &cp, (uint32_t)test_rand(&seed));
            pos = restart(&d, c, &r, &cp);
            cuts++;
        }
        assert_int_equal(rc, CFOTA_DONE);
        expect_target(c, &r);
        rig_close(&r);
        free(d);
    }
    assert_true(mid_segment_cuts > 0);
}

static void test_random_stops(void **state)
{
    struct case_ c;
    (void)state;
    case_image(&c, M4APP_V1, M4APP_V2, 4096, 0);
    random_stops(&c, 40, 1);
    case_free(&c);
    case_image(&c, M4APP_V2, M4APP_V3, 4096, 1);
    random_stops(&c, 20, 3);
    case_free(&c);
    case_synth(&c, 60000, 4096, 4);
    random_stops(&c, 40, 5);
    case_free(&c);
}

static void test_random_stops_corpus(void **state)
{
    struct case_ c;
    (void)state;
    case_corpus(&c, "k64f-blinky-old-new", 4096, 0);
    random_stops(&c, 40, 1);
    case_free(&c);
    case_corpus(&c, "microbit-v2-micropython-2.1.1-2.1.2", 0, 0);
    random_stops(&c, 20, 2);
    case_free(&c);
    case_corpus(&c, "sam3x-synthesizer-1-2", 8192, 1);
    random_stops(&c, 20, 3);
    case_free(&c);
}

/* ---- checkpoint spacing ---- */

static void check_spacing(struct case_ *c)
{
    uint32_t nseg = cfota_header_segments(&c->h), seg = c->h.segment_size;
    struct cfota_checkpoint *cps = calloc(nseg + 1, sizeof *cps);
    uint32_t *produced = calloc(nseg + 1, sizeof *produced);
    unsigned n, k;
    assert_non_null(cps);
    assert_non_null(produced);
    n = reference_run(c, cps, produced);
    print_message("%s: %u bytes in %u-byte segments: %u segments, %u checkpoints\n", c->name, c->h.target_size, seg,
                  nseg, n);
    /* One checkpoint at the end of every segment but the last, whose end
     * is DONE. */
    assert_int_equal(nseg, (c->h.target_size + seg - 1) / seg);
    assert_int_equal(n, nseg - 1);
    for (k = 0; k < n; k++) {
        assert_int_equal(cps[k].segment, k + 1);
        assert_true(cps[k].in_pos > (k ? cps[k - 1].in_pos : c->h.header_size));
        assert_true(cps[k].in_pos <= payload_end(c));
        if (c->h.flags & CFOTA_FLAG_ORDERED) {
            /* The end of whichever segment was decoded. */
            assert_true(produced[k] % seg == 0 || produced[k] == c->h.target_size);
        } else {
            assert_int_equal(produced[k], (k + 1) * seg);
        }
    }
    free(cps);
    free(produced);
}

static void test_checkpoint_spacing(void **state)
{
    struct case_ c;
    (void)state;
    case_synth(&c, 50000, 4096, 31); /* 13 segments, the last partial */
    check_spacing(&c);
    case_free(&c);
    case_synth(&c, 65536, 4096, 32); /* exactly 16 */
    check_spacing(&c);
    case_free(&c);
    case_image(&c, M4APP_V1, M4APP_V2, 0, 0);
    assert_int_equal(c.h.segment_size, 65536); /* the default: one segment */
    check_spacing(&c);
    case_free(&c);
    case_image(&c, M4APP_V1, M4APP_V2, 4096, 1);
    assert_int_equal(c.h.segment_size, 4096);
    check_spacing(&c);
    case_free(&c);
}

static void test_checkpoint_spacing_corpus(void **state)
{
    struct case_ c;
    (void)state;
    case_corpus(&c, "microbit-v2-micropython-2.1.1-2.1.2", 0, 0);
    assert_int_equal(c.h.segment_size, 65536); /* the default */
    check_spacing(&c);
    case_free(&c);
    case_corpus(&c, "k64f-blinky-old-new", 4096, 1);
    assert_int_equal(c.h.segment_size, 4096);
    check_spacing(&c);
    case_free(&c);
}

/* ---- replay ---- */

/* An A/B package with carried models (CARRY, no stash) resumed at a
 * checkpoint: the decoder starts over from the payload's start, writes
 * nothing before the checkpoint, passes no checkpoint before it, and from
 * there on gives the very records and bytes of an uninterrupted run. */
static void test_replay_writes_only_after_checkpoint(void **state)
{
    struct case_ c;
    struct cfota_checkpoint cps[32], seen[32];
    struct cfota_dec *d = malloc(sizeof *d);
    unsigned n, k;
    (void)state;
    assert_non_null(d);
    case_synth(&c, 100000, 4096, 51);
    assert_true(c.h.flags & CFOTA_FLAG_CARRY);
    assert_false(c.h.flags & CFOTA_FLAG_STASH);
    n = reference_run(&c, cps, NULL);
    assert_int_equal(n, cfota_header_segments(&c.h) - 1);
    for (k = 1; k <= n; k++) {
        struct dec_rig r;
        struct cfota_io io;
        size_t pos = c.h.header_size;
        unsigned ns = 0;
        rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
        io = rig_io(&r);
        assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_OK);
        assert_int_equal(rig_feed(d, c.pkg.p, &pos, payload_end(&c), 0, NULL, NULL, &ns), CFOTA_DONE);
        /* Cut after segment k: the later ones are garbage. */
        rig_cut(&r, &cps[k - 1], 77 + k);
        r.bytes_written = 0;
        pos = restart(&d, &c, &r, &cps[k - 1]);
        assert_int_equal(pos, c.h.header_size); /* from the start */
        ns = 0;
        assert_int_equal(rig_feed(d, c.pkg.p, &pos, payload_end(&c), 13, seen, NULL, &ns), CFOTA_DONE);
        assert_int_equal(ns, n - k);
        if (ns)
            assert_memory_equal(seen, &cps[k], ns * sizeof *seen);
        assert_int_equal(r.bytes_written, c.h.target_size - k * c.h.segment_size);
        expect_target(&c, &r);
        rig_close(&r);
    }
    free(d);
    case_free(&c);
}

/* ---- records and edges ---- */

static void test_resume_refuses_foreign_records(void **state)
{
    struct case_ c;
    struct cfota_checkpoint cps[16], bad, first;
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    unsigned n;
    (void)state;
    assert_non_null(d);
    case_synth(&c, 30000, 4096, 41);
    n = reference_run(&c, cps, NULL);
    assert_true(n >= 2);
    rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
    io = rig_io(&r);

    /* Right after init, the record is the start of the payload. */
    assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_OK);
    cfota_dec_checkpoint(d, &first);
    assert_int_equal(first.segment, 0);
    assert_int_equal(first.in_pos, c.h.header_size);
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &first), CFOTA_OK);
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &cps[1]), CFOTA_OK);

    assert_int_equal(cfota_dec_resume(d, &c.h, &io, NULL), CFOTA_E_INVAL);
    bad = first;
    bad.in_pos++;
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &bad), CFOTA_E_INVAL);
    bad = cps[1];
    bad.segment = cfota_header_segments(&c.h) + 1;
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &bad), CFOTA_E_INVAL);
    bad = cps[1];
    bad.in_pos = (uint32_t)payload_end(&c) + 1;
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &bad), CFOTA_E_INVAL);
    bad = cps[1];
    bad.in_pos = c.h.header_size;
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &bad), CFOTA_E_INVAL);
    bad = cps[1];
    bad.range = 0; /* a range decoder is never in this state */
    assert_int_equal(cfota_dec_resume(d, &c.h, &io, &bad), CFOTA_E_INVAL);

    /* Missing callbacks or arguments. */
    io.read_old = NULL;
    assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_E_INVAL);
    io = rig_io(&r);
    io.write_new = NULL;
    assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_E_INVAL);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(NULL, &c.h, &io), CFOTA_E_INVAL);
    assert_int_equal(cfota_dec_init(d, NULL, &io), CFOTA_E_INVAL);
    assert_int_equal(cfota_dec_init(d, &c.h, NULL), CFOTA_E_INVAL);
    rig_close(&r);
    free(d);
    case_free(&c);
}

/* After DONE the decoder takes nothing more; bytes after the payload (a
 * signature block) are never consumed. */
static void test_done_is_final_and_payload_bounded(void **state)
{
    struct case_ c;
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    struct cfota_checkpoint last;
    size_t used, total = 0;
    uint8_t junk[300];
    unsigned i;
    int rc;
    (void)state;
    assert_non_null(d);
    memset(junk, 0x77, sizeof junk);
    case_synth(&c, 20000, 4096, 51);
    bytes_put(&c.pkg, junk, sizeof junk); /* trailing bytes */
    rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_OK);
    do {
        rc = cfota_dec_sink(d, c.pkg.p + c.h.header_size + total, c.pkg.n - c.h.header_size - total, &used);
        total += used;
    } while (rc == CFOTA_CHECKPOINT);
    assert_int_equal(rc, CFOTA_DONE);
    assert_int_equal(total, c.h.payload_size);
    expect_target(&c, &r);
    for (i = 0; i < 3; i++) {
        used = 99;
        assert_int_equal(cfota_dec_sink(d, junk, sizeof junk, &used), CFOTA_DONE);
        assert_int_equal(used, 0);
    }
    /* The record at DONE resumes straight to DONE. */
    cfota_dec_checkpoint(d, &last);
    assert_int_equal(last.segment, cfota_header_segments(&c.h));
    assert_int_equal(last.in_pos, payload_end(&c));
    {
        unsigned long w = r.writes;
        assert_int_equal(cfota_dec_resume(d, &c.h, &io, &last), CFOTA_OK);
        assert_int_equal(cfota_dec_sink(d, NULL, 0, &used), CFOTA_DONE);
        assert_int_equal(r.writes, w);
    }
    assert_int_equal(cfota_dec_sink(NULL, junk, 1, &used), CFOTA_E_INVAL);
    assert_int_equal(cfota_dec_sink(d, NULL, 1, &used), CFOTA_E_INVAL);
    assert_int_equal(cfota_dec_sink(d, junk, 1, NULL), CFOTA_E_INVAL);
    rig_close(&r);
    free(d);
    case_free(&c);
}

/* An empty target is done before any byte. */
static void test_empty_target(void **state)
{
    struct case_ c;
    struct cfota_dec d;
    struct dec_rig r;
    struct cfota_io io;
    size_t used = 5;
    (void)state;
    memset(&c, 0, sizeof c);
    bytes_put(&c.old, "abc", 3);
    case_encode(&c, 0, 0);
    assert_int_equal(c.h.target_size, 0);
    rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(&d, &c.h, &io), CFOTA_OK);
    assert_int_equal(cfota_dec_sink(&d, c.pkg.p + c.h.header_size, c.h.payload_size, &used), CFOTA_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(r.writes, 0);
    assert_int_equal(cfota_dec_produced(&d), 0);
    rig_close(&r);
    case_free(&c);
}

/* A failing callback ends decoding with CFOTA_E_IO, and it stays so. */
static void test_io_errors_are_sticky(void **state)
{
    struct case_ c;
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    size_t pos;
    unsigned ncp = 0, at;
    int rc;
    (void)state;
    assert_non_null(d);
    case_synth(&c, 20000, 4096, 61);
    for (at = 1; at < 400; at += 37) {
        rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
        r.fail_write_at = (int)at;
        io = rig_io(&r);
        pos = c.h.header_size;
        assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_OK);
        rc = rig_feed(d, c.pkg.p, &pos, payload_end(&c), 500, NULL, NULL, &ncp);
        if (r.writes < at) { /* fewer writes than that in all */
            assert_int_equal(rc, CFOTA_DONE);
            rig_close(&r);
            break;
        }
        assert_int_equal(rc, CFOTA_E_IO);
        pos = 0;
        assert_int_equal(cfota_dec_sink(d, c.pkg.p, 10, &pos), CFOTA_E_IO);
        assert_int_equal(r.violations, 0);
        rig_close(&r);
    }
    assert_true(at > 1);
    /* A base that cannot be read. */
    rig_open(&r, &c.h, c.old.p, c.old.n, c.pkg.p, c.pkg.n);
    r.old = NULL;
    io = rig_io(&r);
    pos = c.h.header_size;
    assert_int_equal(cfota_dec_init(d, &c.h, &io), CFOTA_OK);
    assert_int_equal(rig_feed(d, c.pkg.p, &pos, payload_end(&c), 0, NULL, NULL, &ncp), CFOTA_E_IO);
    rig_close(&r);
    free(d);
    case_free(&c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_at_every_checkpoint),
        cmocka_unit_test(test_random_stops),
        cmocka_unit_test(test_checkpoint_spacing),
        cmocka_unit_test(test_replay_writes_only_after_checkpoint),
        cmocka_unit_test(test_resume_refuses_foreign_records),
        cmocka_unit_test(test_done_is_final_and_payload_bounded),
        cmocka_unit_test(test_empty_target),
        cmocka_unit_test(test_io_errors_are_sticky),
    };
    const struct CMUnitTest corpus_tests[] = {
        cmocka_unit_test(test_cut_at_every_checkpoint_corpus),
        cmocka_unit_test(test_random_stops_corpus),
        cmocka_unit_test(test_checkpoint_spacing_corpus),
    };
    return TEST_TIERS(argc, argv, tests, corpus_tests);
}
