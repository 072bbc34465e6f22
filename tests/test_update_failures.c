/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_update_failures.c: errors that are not power cuts end an
 * update; they never make it run forever. The regression tests of the
 * fuzzing pass's findings F1-F3, with the packages crafted here:
 *
 *   F1  a target of 0 bytes with a payload: the decoder must not say DONE
 *       while the payload is not consumed.
 *   F2  a well-formed in-place package whose first segment copies from
 *       target bytes ahead of the cursor: it passed every check, then the
 *       engine failed with an I/O error that the module took for a power
 *       loss, at every boot (a brick). Now the decoder refuses the copy
 *       (CFOTA_E_CORRUPT), the engine journals FAILED, and the update is
 *       over. The same for a copy from a later segment not decoded yet.
 *   F3  a power cut on the FAILED record: its write was ignored and the
 *       journal stayed PENDING silently; now the run says CFOTA_E_IO (run
 *       again) and the next run journals FAILED.
 * And the retry bound: a flash that fails before any progress at every run
 * makes the engine give up after CFOTA_UPDATE_TRIES runs; a callback's
 * refusal and a flash I/O error reach the caller as different statuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfota/decoder.h"
#include "cfota/update.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "hash.h"
#include "support.h"

#define SEG 4096u
#define ERASE 4096u
#define BUF 512u

static void make_base(struct bytes *b, uint32_t n)
{
    uint64_t seed = 19;
    uint32_t i;
    memset(b, 0, sizeof *b);
    for (i = 0; i < n; i++)
        bytes_byte(b, (uint8_t)test_rand(&seed));
}

/* ---- the decoder alone, over memory ---- */

struct mem_io {
    const struct bytes *base;
    uint8_t *target;
    uint32_t target_size;
    int read_new_result; /* 0: serve the bytes; else return this */
};

static int mem_read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct mem_io *m = ctx;
    memcpy(buf, m->base->p + off, len);
    return 0;
}

static int mem_read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct mem_io *m = ctx;
    if (m->read_new_result)
        return m->read_new_result;
    memcpy(buf, m->target + off, len);
    return 0;
}

static int mem_write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct mem_io *m = ctx;
    memcpy(m->target + off, buf, len);
    return 0;
}

/* Decode pkg in one go; track: give the decoder its segment map. */
static int decode(const struct bytes *pkg, struct mem_io *m, int track)
{
    static struct cfota_dec d;
    static uint8_t map[CFOTA_DEC_SEGMAP / 8];
    struct cfota_header h;
    struct cfota_io io = {m, mem_read_old, mem_read_new, mem_write_new, NULL};
    size_t used = 0, at;
    int rc;
    assert_int_equal(cfota_header_parse(&h, pkg->p, pkg->n), CFOTA_OK);
    m->target_size = h.target_size;
    assert_int_equal(cfota_dec_init(&d, &h, &io), CFOTA_OK);
    if (track)
        cfota_dec_track(&d, map);
    at = h.header_size;
    do {
        rc = cfota_dec_sink(&d, pkg->p + at, h.header_size + h.payload_size - at, &used);
        at += used;
    } while (rc == CFOTA_CHECKPOINT || (rc == CFOTA_MORE && used));
    return rc;
}

static void test_f1_empty_target_with_payload(void **state)
{
    static uint8_t pkg[CFOTA_HEADER_MAX + 1000];
    struct cfota_header h, back;
    struct cfota_dec d;
    struct bytes base = {0};
    struct mem_io m = {&base, NULL, 0, 0};
    struct cfota_io io = {&m, mem_read_old, mem_read_new, mem_write_new, NULL};
    size_t used = 0;
    int n;
    (void)state;
    memset(&h, 0, sizeof h);
    h.format_version = CFOTA_FORMAT_VERSION;
    h.segment_size = SEG;
    h.base_size = 100;
    h.payload_size = 1000;
    n = cfota_header_write(&h, pkg);
    memset(pkg + n, 0x5A, 1000);
    assert_int_equal(cfota_header_parse(&back, pkg, (size_t)n + 1000), CFOTA_OK);
    assert_int_equal(cfota_dec_init(&d, &back, &io), CFOTA_E_CORRUPT);
    assert_int_equal(cfota_dec_sink(&d, pkg + n, 1000, &used), CFOTA_E_CORRUPT);
    /* With an empty payload, an empty target is done at once. */
    h.payload_size = 0;
    n = cfota_header_write(&h, pkg);
    assert_int_equal(cfota_header_parse(&back, pkg, (size_t)n), CFOTA_OK);
    assert_int_equal(cfota_dec_init(&d, &back, &io), CFOTA_OK);
    assert_int_equal(cfota_dec_sink(&d, NULL, 0, &used), CFOTA_DONE);
}

static void test_f2_forward_copy_refused_by_decoder(void **state)
{
    struct bytes base, pkg;
    struct mem_io m;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    test_craft_forward_copy(&base, 200, &pkg);
    memset(&m, 0, sizeof m);
    m.base = &base;
    m.target = calloc(1, base.n);
    /* Even without the map: the copy reads the current segment ahead. */
    assert_int_equal(decode(&pkg, &m, 0), CFOTA_E_CORRUPT);
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_E_CORRUPT);
    free(m.target);
    bytes_free(&pkg);
    bytes_free(&base);
}

/* Segment 0 copying from segment 2, which comes later in the package:
 * only the map of decoded segments can tell. */
static void test_copy_from_later_segment_refused(void **state)
{
    struct bytes base, pkg;
    struct mem_io m;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    test_craft_forward_copy(&base, 2 * SEG + 16, &pkg);
    memset(&m, 0, sizeof m);
    m.base = &base;
    m.target = calloc(1, base.n);
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_E_CORRUPT);
    /* Without the map the decoder cannot know; it reads whatever is there
     * (the coding then goes astray, since the source bytes are contexts of
     * the differences), and only the stream's own checks or the target
     * SHA-256 catch the result. */
    {
        int rc = decode(&pkg, &m, 0);
        assert_true(rc == CFOTA_E_CORRUPT || rc == CFOTA_E_TRUNCATED ||
                    (rc == CFOTA_DONE && memcmp(m.target, base.p, base.n) != 0));
    }
    free(m.target);
    bytes_free(&pkg);
    bytes_free(&base);
}

/* A callback that refuses with a status is not an I/O error. */
static void test_refusal_and_io_error_distinct(void **state)
{
    struct bytes base, pkg;
    struct mem_io m;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    /* A package whose first segment copies from behind the cursor: it
     * calls read_new. */
    test_craft_forward_copy(&base, 10, &pkg);
    memset(&m, 0, sizeof m);
    m.base = &base;
    m.target = calloc(1, base.n);
    m.read_new_result = CFOTA_E_CORRUPT;
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_E_CORRUPT);
    m.read_new_result = CFOTA_E_IO;
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_E_IO);
    m.read_new_result = -1000; /* not a cfota status: a failure */
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_E_IO);
    m.read_new_result = 0;
    assert_int_equal(decode(&pkg, &m, 1), CFOTA_DONE);
    assert_memory_equal(m.target, base.p, base.n);
    free(m.target);
    bytes_free(&pkg);
    bytes_free(&base);
}

/* ---- the engine on the flash simulator ---- */

struct dev {
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    uint8_t buf[BUF];
};

static void dev_open(struct dev *d, const struct bytes *base, const struct bytes *pkg)
{
    memset(d, 0, sizeof *d);
    fota_layout_make(&d->l, ERASE, (uint32_t)base->n, 0, 16384, 0, (uint32_t)pkg->n);
    d->sim = flashsim_open(NULL, d->l.total, ERASE, 16);
    assert_non_null(d->sim);
    assert_int_equal(fota_layout_cfg(&d->l, flashsim_flash(d->sim), (uint32_t)base->n, d->buf, BUF, &d->cfg), 0);
    assert_int_equal(flashsim_write_raw(d->sim, d->l.image_off, base->p, (uint32_t)base->n), 0);
    assert_int_equal(flashsim_write_raw(d->sim, d->l.package_off, pkg->p, (uint32_t)pkg->n), 0);
}

static enum cfota_update_state dev_state(struct dev *d, int *result)
{
    struct cfota_update_info info;
    assert_int_equal(cfota_update_status(&d->u, &d->cfg, &info), CFOTA_OK);
    if (result)
        *result = info.result;
    return info.state;
}

static void test_f2_engine_fails_once(void **state)
{
    struct bytes base, pkg;
    struct dev d;
    int result;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    test_craft_forward_copy(&base, 200, &pkg);
    dev_open(&d, &base, &pkg);
    /* Structurally every header check passes (no key on this device). */
    assert_int_equal(cfota_update_begin(&d.u, &d.cfg), CFOTA_OK);
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_CORRUPT);
    assert_int_equal(dev_state(&d, &result), CFOTA_UPDATE_FAILED);
    assert_int_equal(result, CFOTA_E_CORRUPT);
    /* Nothing is pending any more: the next boot does not run it. */
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_STATE);
    /* It failed in its first segment, before the image was touched. */
    assert_memory_equal(flashsim_data(d.sim) + d.l.image_off, base.p, base.n);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&base);
}

static void test_f3_cut_on_failed_record(void **state)
{
    struct bytes base, pkg;
    struct dev d;
    uint64_t ops;
    int result;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    test_craft_forward_copy(&base, 200, &pkg);
    dev_open(&d, &base, &pkg);
    assert_int_equal(cfota_update_begin(&d.u, &d.cfg), CFOTA_OK);
    /* Count the run's operations; the last one is the FAILED record. */
    ops = flashsim_stats(d.sim)->ops;
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_CORRUPT);
    ops = flashsim_stats(d.sim)->ops - ops;
    flashsim_close(d.sim);

    dev_open(&d, &base, &pkg);
    assert_int_equal(cfota_update_begin(&d.u, &d.cfg), CFOTA_OK);
    flashsim_set_power_cut(d.sim, ops - 1, 3);
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_IO);
    flashsim_power_on(d.sim);
    assert_int_equal(dev_state(&d, NULL), CFOTA_UPDATE_PENDING);
    /* The boot flow runs it again: it fails the same way, and says so. */
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_CORRUPT);
    assert_int_equal(dev_state(&d, &result), CFOTA_UPDATE_FAILED);
    assert_int_equal(result, CFOTA_E_CORRUPT);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&base);
}

/* Flash that fails right after each run has counted itself: after
 * CFOTA_UPDATE_TRIES such runs the engine gives up, with a FAILED record,
 * instead of being run at every boot forever. */
static void test_bounded_runs_without_progress(void **state)
{
    struct bytes base, pkg;
    struct dev d;
    unsigned runs = 0;
    int rc, result;
    (void)state;
    make_base(&base, 3 * SEG + 500);
    test_craft_forward_copy(&base, 10, &pkg); /* a valid package */
    dev_open(&d, &base, &pkg);
    assert_int_equal(cfota_update_begin(&d.u, &d.cfg), CFOTA_OK);
    for (;;) {
        flashsim_set_power_cut(d.sim, 1, runs); /* the run's record lands, then a failure */
        rc = cfota_update_run(&d.u, &d.cfg);
        flashsim_power_on(d.sim);
        runs++;
        if (rc != CFOTA_E_IO)
            break;
        assert_true(runs <= CFOTA_UPDATE_TRIES);
    }
    assert_int_equal(rc, CFOTA_E_GAVE_UP);
    assert_int_equal(runs, CFOTA_UPDATE_TRIES + 1);
    assert_int_equal(dev_state(&d, &result), CFOTA_UPDATE_FAILED);
    assert_int_equal(result, CFOTA_E_GAVE_UP);
    assert_int_equal(cfota_update_run(&d.u, &d.cfg), CFOTA_E_STATE);
    flashsim_close(d.sim);

    /* Runs that make progress reset the count: cut every run after enough
     * operations for one step (a segment decoded or committed, about ten
     * operations here), and the update still completes, however many
     * runs it takes. */
    dev_open(&d, &base, &pkg);
    assert_int_equal(cfota_update_begin(&d.u, &d.cfg), CFOTA_OK);
    for (runs = 0;; runs++) {
        flashsim_set_power_cut(d.sim, 16, runs);
        rc = cfota_update_run(&d.u, &d.cfg);
        flashsim_power_on(d.sim);
        if (rc != CFOTA_E_IO)
            break;
        assert_true(runs < 1000);
    }
    assert_int_equal(rc, CFOTA_DONE);
    assert_memory_equal(flashsim_data(d.sim) + d.l.image_off, base.p, base.n);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f1_empty_target_with_payload),
        cmocka_unit_test(test_f2_forward_copy_refused_by_decoder),
        cmocka_unit_test(test_copy_from_later_segment_refused),
        cmocka_unit_test(test_refusal_and_io_error_distinct),
        cmocka_unit_test(test_f2_engine_fails_once),
        cmocka_unit_test(test_f3_cut_on_failed_record),
        cmocka_unit_test(test_bounded_runs_without_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
