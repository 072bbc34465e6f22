/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_update_powercut.c: the update engine held to MCUboot's
 * standard. For each image pair, in place and A/B, the update is run once
 * to count its flash operations, then again with power cut after every
 * single one of them (or a sample, for big images in the normal suite;
 * CFOTA_POWERCUT_FULL=1 makes every run exhaustive). After each cut the
 * "device reboots": power returns, the engine reads its journal and either
 * continues the update or, if none is recorded yet, the update is started
 * again; either way the image must end up exactly the target, and if the
 * journal recorded nothing the image must still be the base, untouched.
 * Double cuts (a second cut during recovery) are tried at random points.
 * Packages that are corrupt or for another base must be refused before
 * any flash operation at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfota/crc32.h"
#include "cfota/update.h"
#include "encoder.h"
#include "flashsim.h"
#include "fwgen.h"
#include "fota_layout.h"
#include "hash.h"
#include "powercut.h"
#include "support.h"

#define ERASE 4096u
#define BUF 512u

struct rig {
    const uint8_t *old, *new_, *pkg;
    size_t old_len, new_len, pkg_len;
    int ab;
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    uint8_t buf[BUF];
    uint64_t begin_ops;  /* flash operations of cfota_update_begin */
    unsigned recoveries; /* since the last reset */
    unsigned mid_resumes; /* recoveries that resumed past a first segment */
};

static void rig_reset(struct rig *r)
{
    uint8_t *d;
    flashsim_power_on(r->sim);
    d = flashsim_data(r->sim);
    memset(d, 0xFF, r->l.total);
    assert_int_equal(flashsim_write_raw(r->sim, r->l.image_off, r->old, (uint32_t)r->old_len), 0);
    assert_int_equal(flashsim_write_raw(r->sim, r->l.package_off, r->pkg, (uint32_t)r->pkg_len), 0);
}

static void rig_open(struct rig *r, const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                     const uint8_t *pkg, size_t pkg_len, int ab, uint32_t scratch)
{
    size_t region = old_len > new_len ? old_len : new_len;
    struct cfota_header h;
    /* scratch 0: what the package asks for. */
    if (!scratch && cfota_header_parse(&h, pkg, pkg_len) == CFOTA_OK)
        scratch = h.scratch_size ? h.scratch_size : 16384u;
    memset(r, 0, sizeof *r);
    r->old = old;
    r->new_ = new_;
    r->pkg = pkg;
    r->old_len = old_len;
    r->new_len = new_len;
    r->pkg_len = pkg_len;
    r->ab = ab;
    fota_layout_make(&r->l, ERASE, (uint32_t)region, ab, scratch, fota_package_stash(pkg, pkg_len), (uint32_t)pkg_len);
    r->sim = flashsim_open(NULL, r->l.total, ERASE, 16);
    assert_non_null(r->sim);
    assert_int_equal(fota_layout_cfg(&r->l, flashsim_flash(r->sim), (uint32_t)old_len, r->buf, BUF, &r->cfg), 0);
    rig_reset(r);
}

static int image_is(struct rig *r, const uint8_t *img, size_t len)
{
    const uint8_t *base = r->ab ? flashsim_data(r->sim) + r->l.slot_off : flashsim_data(r->sim) + r->l.image_off;
    if (img == r->old)
        base = flashsim_data(r->sim) + r->l.image_off;
    return memcmp(base, img, len) == 0;
}

/* Boot after a cut: continue a recorded update, or start it anew. Returns
 * the run's result; *restarted says the journal had nothing. */
static int reboot_and_finish(struct rig *r, int *restarted)
{
    struct cfota_update_info info;
    int rc = cfota_update_status(&r->u, &r->cfg, &info);
    if (rc != CFOTA_OK)
        return rc;
    *restarted = info.state == CFOTA_UPDATE_IDLE;
    if (info.state == CFOTA_UPDATE_PENDING && info.segments_done > 0 && info.segments_done < info.segments)
        r->mid_resumes++;
    if (info.state == CFOTA_UPDATE_DONE)
        return CFOTA_DONE;
    if (info.state == CFOTA_UPDATE_IDLE) {
        /* Nothing recorded: the base must be intact. */
        assert_true(image_is(r, r->old, r->old_len));
        rc = cfota_update_begin(&r->u, &r->cfg);
        if (rc != CFOTA_OK)
            return rc;
    }
    return cfota_update_run(&r->u, &r->cfg);
}

static int run_full(struct rig *r)
{
    uint64_t before = flashsim_stats(r->sim)->ops;
    int rc = cfota_update_begin(&r->u, &r->cfg);
    if (flashsim_powered(r->sim))
        r->begin_ops = flashsim_stats(r->sim)->ops - before;
    if (rc != CFOTA_OK)
        return rc;
    return cfota_update_run(&r->u, &r->cfg);
}

/* ---- the scenario for tests/powercut.h ---- */

static void pc_reset(void *ctx)
{
    struct rig *r = ctx;
    rig_reset(r);
    r->recoveries = 0;
}

static struct flashsim *pc_sim(void *ctx)
{
    return ((struct rig *)ctx)->sim;
}

static void pc_run(void *ctx)
{
    struct rig *r = ctx;
    int rc = run_full(r);
    if (flashsim_powered(r->sim))
        assert_int_equal(rc, CFOTA_DONE);
}

/* The first boot after a cut starts the update anew exactly when the cut
 * hit one of begin's own operations (the BEGIN record not yet whole). */
static void pc_recover(void *ctx, uint64_t cut)
{
    struct rig *r = ctx;
    int restarted, rc = reboot_and_finish(r, &restarted);
    /* A cut during begin's last operation, the BEGIN program, may leave
     * the record whole (a torn program can complete): either outcome. */
    if (r->recoveries++ == 0 && cut + 1 != r->begin_ops)
        assert_int_equal(restarted, cut < r->begin_ops);
    if (flashsim_powered(r->sim))
        assert_int_equal(rc, CFOTA_DONE);
}

static const uint8_t *pc_region(void *ctx)
{
    struct rig *r = ctx;
    return flashsim_data(r->sim) + (r->ab ? r->l.slot_off : r->l.image_off);
}

static struct powercut_case scenario(struct rig *r)
{
    struct powercut_case c = {r, pc_reset, pc_sim, pc_run, pc_recover, pc_region, r->new_, r->new_len};
    return c;
}

static void check_target(struct rig *r)
{
    struct powercut_case c = scenario(r);
    powercut_check(&c, "a whole run", 0);
}

static void sweep(struct rig *r, uint64_t step, unsigned doubles, uint64_t seed)
{
    struct powercut_case c = scenario(r);
    struct powercut_result res = powercut_sweep(&c, step, doubles, seed);
    assert_true(r->begin_ops > 0 && r->begin_ops < res.ops);
    print_message("    %s: %llu flash operations, %llu cut points tried\n", r->ab ? "A/B" : "in place",
                  (unsigned long long)res.ops, (unsigned long long)(res.cuts + res.doubles));
}

static int full_sweeps(void)
{
    const char *e = getenv("CFOTA_POWERCUT_FULL");
    return e && *e && *e != '0';
}

/* In place with the module's spare flash (the default), or a small MCU's
 * (16 KiB scratch, 32 KiB stash: more segments, a tighter stash). */
enum profile { MODULE, MCU };

/* Sweep in place (with the profile) and A/B (unless ab_too is 0), with
 * doubles double cuts each. Returns the stash entries of the in-place
 * package. */
static uint32_t profile_sweep(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                              enum profile prof, int ab_too, uint64_t step_in_place, uint64_t step_ab,
                              unsigned doubles)
{
    int ab;
    uint32_t entries = 0;
    for (ab = 0; ab < 1 + !!ab_too; ab++) {
        struct cfota_encode_opts o;
        struct cfota_encode_info info;
        struct bytes pkg = {0, 0, 0};
        struct rig r;
        memset(&o, 0, sizeof o);
        o.in_place = !ab;
        o.info = &info;
        if (prof == MCU) {
            o.scratch_size = CFOTA_SCRATCH_MCU;
            o.stash_size = CFOTA_STASH_MCU;
        }
        assert_int_equal(cfota_encode(old, old_len, new_, new_len, &o, &pkg), 0);
        if (!ab) {
            entries = info.stash_entries;
            assert_true(info.stash_size <= (prof == MCU ? CFOTA_STASH_MCU : CFOTA_STASH_MODULE));
        }
        rig_open(&r, old, old_len, new_, new_len, pkg.p, pkg.n, ab, 0);
        sweep(&r, full_sweeps() ? 1 : (ab ? step_ab : step_in_place), doubles, 0x1234 + ab);
        flashsim_close(r.sim);
        bytes_free(&pkg);
    }
    return entries;
}

static void pair_sweep(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                       uint64_t step_in_place, uint64_t step_ab)
{
    profile_sweep(old, old_len, new_, new_len, MODULE, 1, step_in_place, step_ab, 20);
}

/* A synthetic pair: the target has an insertion near the front (content
 * moves up), a deletion further on (moves down) and scattered changes. */
static void make_synthetic(struct bytes *old, struct bytes *new_, size_t n, uint64_t seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(i % 251 < 60 ? test_rand(&seed) : (i * 7) >> 3);
        bytes_byte(old, b);
    }
    bytes_put(new_, old->p, n / 5);
    for (i = 0; i < 3000; i++)
        bytes_byte(new_, (uint8_t)test_rand(&seed));
    bytes_put(new_, old->p + n / 5, n / 2 - n / 5);
    bytes_put(new_, old->p + n / 2 + 5000, n - n / 2 - 5000);
    for (i = 0; i < new_->n; i += 997)
        new_->p[i] ^= 0x5A;
}

static void test_synthetic_every_cut(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0};
    (void)state;
    make_synthetic(&old, &new_, 70000, 7);
    pair_sweep(old.p, old.n, new_.p, new_.n, 1, 1);
    pair_sweep(new_.p, new_.n, old.p, old.n, 1, 1);
    bytes_free(&old);
    bytes_free(&new_);
}

static void corpus_sweep(const char *pair, uint64_t step, unsigned doubles)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0};
    corpus_load(pair, "old.bin", &old);
    corpus_load(pair, "new.bin", &new_);
    print_message("  %s, old to new\n", pair);
    profile_sweep(old.p, old.n, new_.p, new_.n, MODULE, 1, step, step, doubles);
    print_message("  %s, new to old\n", pair);
    profile_sweep(new_.p, new_.n, old.p, old.n, MODULE, 1, step, step, doubles);
    bytes_free(&old);
    bytes_free(&new_);
}

/* The example firmware, release to release: every cut. */
static void test_example_every_cut(void **state)
{
    static const char *const releases[] = {M4APP_V1, M4APP_V2, M4APP_V3};
    unsigned i;
    (void)state;
    for (i = 0; i + 1 < 3; i++) {
        struct bytes old = {0, 0, 0}, new_ = {0, 0, 0};
        image_load(releases[i], &old);
        image_load(releases[i + 1], &new_);
        print_message("  %s to %s and back\n", releases[i], releases[i + 1]);
        pair_sweep(old.p, old.n, new_.p, new_.n, 1, 1);
        pair_sweep(new_.p, new_.n, old.p, old.n, 1, 1);
        bytes_free(&old);
        bytes_free(&new_);
    }
}

static void test_k64f_every_cut(void **state)
{
    (void)state;
    corpus_sweep("k64f-blinky-old-new", 1, 20);
}

static void test_pyboard_sampled(void **state)
{
    (void)state;
    corpus_sweep("pyboard-v1.10-1f5d945af", 37, 20);
}

static void test_esp8266_sampled(void **state)
{
    (void)state;
    corpus_sweep("esp8266-micropython-1.9.4-1.10", 97, 20);
}

/* Generated hard cases (fwgen/): regions moved far, blocks swapped, an
 * insertion near the start, a shrink. With a small MCU's spare flash the
 * stash is used and tight; every cut of every flash operation, stash
 * writes included, must end in the exact target. The default suite
 * samples the cuts of four cases; ./run powercut takes every case and
 * every cut, with both profiles. */
static void test_generated_cases(void **state)
{
    static const char *const sampled[] = {"cm-swap", "esp32-insert", "cm-move", "esp32-shrink"};
    size_t i, n = full_sweeps() ? fwgen_cases() : sizeof sampled / sizeof sampled[0];
    uint32_t stashed = 0;
    (void)state;
    for (i = 0; i < n; i++) {
        struct bytes old = {0, 0, 0}, new_ = {0, 0, 0};
        int c = full_sweeps() ? (int)i : fwgen_case_find(sampled[i]);
        assert_true(c >= 0);
        assert_int_equal(fwgen_make((size_t)c, 96, 5, &old, &new_), 0);
        print_message("  gen:%s (%zu -> %zu bytes)\n", fwgen_case_name((size_t)c), old.n, new_.n);
        stashed += profile_sweep(old.p, old.n, new_.p, new_.n, MCU, 0, 13, 13, 20);
        if (full_sweeps()) {
            profile_sweep(old.p, old.n, new_.p, new_.n, MODULE, 1, 1, 1, 20);
            profile_sweep(new_.p, new_.n, old.p, old.n, MCU, 0, 1, 1, 20);
        }
        bytes_free(&old);
        bytes_free(&new_);
    }
    assert_true(stashed > 0); /* the stash was exercised */
}

/* A package whose stash does not fit the device's spare area is refused
 * before any write: no stash area, or one block too small. */
static void test_stash_must_fit(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct cfota_encode_info info;
    struct rig r;
    uint32_t need;
    (void)state;
    assert_int_equal(fwgen_make((size_t)fwgen_case_find("cm-swap"), 96, 5, &old, &new_), 0);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    o.info = &info;
    o.scratch_size = CFOTA_SCRATCH_MCU;
    o.stash_size = CFOTA_STASH_MCU;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    need = fota_package_stash(pkg.p, pkg.n);
    assert_true(need > 0);
    assert_int_equal(need, info.stash_size);
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 0, 0);
    memset(&r.cfg.stash, 0, sizeof r.cfg.stash);
    assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_NOSPC);
    assert_int_equal(flashsim_stats(r.sim)->ops, 0);
    assert_int_equal(cfota_area_init(&r.cfg.stash, flashsim_flash(r.sim), r.l.stash_off, need - ERASE), CFOTA_OK);
    assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_NOSPC);
    assert_int_equal(flashsim_stats(r.sim)->ops, 0);
    assert_true(image_is(&r, old.p, old.n));
    /* Exactly enough is enough. */
    assert_int_equal(cfota_area_init(&r.cfg.stash, flashsim_flash(r.sim), r.l.stash_off, need), CFOTA_OK);
    assert_int_equal(run_full(&r), CFOTA_DONE);
    check_target(&r);
    flashsim_close(r.sim);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* A plan that breaks its rules, in a package whose CRCs are right (a bug
 * or a forgery, not a transmission error): refused before any write. */
static void test_bad_plan_refused(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct cfota_header h;
    struct rig r;
    unsigned variant;
    (void)state;
    assert_int_equal(fwgen_make((size_t)fwgen_case_find("cm-swap"), 96, 5, &old, &new_), 0);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    o.scratch_size = CFOTA_SCRATCH_MCU;
    o.stash_size = CFOTA_STASH_MCU;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    assert_true(pkg.p[h.header_size] >= 2); /* at least two entries */
    for (variant = 0; variant < 4; variant++) {
        struct bytes bad = {0, 0, 0};
        uint8_t *e0, *e1, head[CFOTA_HEADER_MAX];
        int n;
        bytes_put(&bad, pkg.p, pkg.n);
        e0 = bad.p + h.header_size + CFOTA_PLAN_HEAD;
        e1 = e0 + CFOTA_PLAN_ENTRY;
        if (variant == 0)
            e0[12] = 1; /* at off a unit */
        else if (variant == 1)
            memcpy(e1 + 4, e0 + 4, 4); /* overlapping bases */
        else if (variant == 2)
            e0[0] = 0xFF, e0[1] = 0xFF; /* step past the segments */
        else
            memset(e0 + 12, 0, 4); /* over the carry slots */
        h.payload_crc32 = cfota_crc32(0, bad.p + h.header_size, h.payload_size);
        n = cfota_header_write(&h, head);
        assert_int_equal(n, h.header_size);
        memcpy(bad.p, head, (size_t)n);
        rig_open(&r, old.p, old.n, new_.p, new_.n, bad.p, bad.n, 0, 0);
        assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_CORRUPT);
        assert_int_equal(flashsim_stats(r.sim)->ops, 0);
        flashsim_close(r.sim);
        bytes_free(&bad);
    }
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* An in-place package on an A/B device (the server builds in-place
 * packages for every device): its carried models need the 8 KiB of carry
 * slots, refused before any write without them, and safe at every cut
 * with them. */
static void test_in_place_package_on_ab_device(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct cfota_header h;
    struct rig r;
    (void)state;
    assert_int_equal(fwgen_make((size_t)fwgen_case_find("esp32-move"), 64, 9, &old, &new_), 0);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    o.scratch_size = CFOTA_SCRATCH_MCU;
    o.stash_size = CFOTA_STASH_MCU;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    assert_true(h.flags & CFOTA_FLAG_CARRY);
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 1, 0);
    memset(&r.cfg.stash, 0, sizeof r.cfg.stash);
    assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_NOSPC);
    assert_int_equal(flashsim_stats(r.sim)->ops, 0);
    assert_int_equal(cfota_area_init(&r.cfg.stash, flashsim_flash(r.sim), r.l.stash_off, 2 * CFOTA_STASH_UNIT),
                     CFOTA_OK);
    sweep(&r, full_sweeps() ? 1 : 7, 10, 0x77);
    flashsim_close(r.sim);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* An A/B package whose models carry over between segments and are saved
 * nowhere (CFOTA_FLAG_CARRY without a stash) resumes by a replay: after a
 * cut in segment k the decoder decodes segments 0..k-1 again from the
 * intact base and the slot, writing nothing, and goes on from there.
 * Small segments give many resume points; every cut, and no stash area
 * at all, since the replay needs none. */
static void test_ab_carry_replay_every_cut(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct cfota_header h;
    struct rig r;
    (void)state;
    make_synthetic(&old, &new_, 70000, 11);
    memset(&o, 0, sizeof o);
    o.segment_size = 4096;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    assert_true(h.flags & CFOTA_FLAG_CARRY);
    assert_false(h.flags & (CFOTA_FLAG_STASH | CFOTA_FLAG_IN_PLACE));
    assert_true(cfota_header_segments(&h) >= 17);
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 1, 0);
    memset(&r.cfg.stash, 0, sizeof r.cfg.stash);
    sweep(&r, 1, 20, 0x99);
    assert_true(r.mid_resumes > cfota_header_segments(&h)); /* replays happened */
    flashsim_close(r.sim);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* Every other corpus pair, both ways: a few cuts each in the corpus tier,
 * every cut under ./run powercut. */
static void test_corpus_every_cut(void **state)
{
    static const char *const pairs[] = {
        "esp8266-at-1.7.0-1.7.1", "microbit-v1-micropython-1.1.0-1.1.1", "microbit-v2-micropython-2.1.0-2.1.1",
        "microbit-v2-micropython-2.1.1-2.1.2", "microbit-v2-micropython-beta-2024-05", "rpi3-shell-1-2",
        "sam3x-synthesizer-1-2",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        corpus_sweep(pairs[i], 401, 2);
}

/* Corrupt and wrong-base packages: refused with no flash operation. */
static void test_refused_before_any_write(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct rig r;
    size_t i;
    uint64_t seed = 99;
    (void)state;
    make_synthetic(&old, &new_, 40000, 3);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    for (i = 0; i < 200; i++) {
        struct bytes bad = {0, 0, 0};
        size_t at = test_rand(&seed) % pkg.n;
        uint64_t ops;
        int rc;
        bytes_put(&bad, pkg.p, pkg.n);
        bad.p[at] ^= (uint8_t)(1u << (test_rand(&seed) % 8));
        rig_open(&r, old.p, old.n, new_.p, new_.n, bad.p, bad.n, 0, 65536);
        ops = flashsim_stats(r.sim)->ops;
        rc = cfota_update_begin(&r.u, &r.cfg);
        assert_true(rc < 0);
        assert_int_equal(flashsim_stats(r.sim)->ops, ops);
        assert_true(image_is(&r, old.p, old.n));
        flashsim_close(r.sim);
        bytes_free(&bad);
    }
    /* Wrong base: the package is fine, the running image is not its base. */
    old.p[12345] ^= 1;
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 0, 0);
    assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_WRONG_BASE);
    assert_int_equal(flashsim_stats(r.sim)->ops, 0);
    /* And nothing to run. */
    assert_int_equal(cfota_update_run(&r.u, &r.cfg), CFOTA_E_STATE);
    flashsim_close(r.sim);
    /* An A/B package cannot be applied in place. */
    old.p[12345] ^= 1;
    bytes_free(&pkg);
    o.in_place = 0;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 0, 16384);
    assert_int_equal(cfota_update_begin(&r.u, &r.cfg), CFOTA_E_INVAL);
    assert_int_equal(flashsim_stats(r.sim)->ops, 0);
    flashsim_close(r.sim);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* Scratch wear: with scratch larger than a segment, successive segments
 * use different blocks; erase counts stay within one of each other. */
static void test_scratch_wear_spread(void **state)
{
    struct bytes old = {0, 0, 0}, new_ = {0, 0, 0}, pkg = {0, 0, 0};
    struct cfota_encode_opts o;
    struct rig r;
    uint32_t b, lo = UINT32_MAX, hi = 0;
    (void)state;
    make_synthetic(&old, &new_, 200000, 11);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    o.scratch_size = 16384;
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    rig_open(&r, old.p, old.n, new_.p, new_.n, pkg.p, pkg.n, 0, 32768);
    assert_int_equal(run_full(&r), CFOTA_DONE);
    check_target(&r);
    for (b = r.l.scratch_off / ERASE; b < (r.l.scratch_off + r.l.scratch_size) / ERASE; b++) {
        uint32_t c = flashsim_erase_count(r.sim, b);
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    print_message("    scratch erase counts between %u and %u\n", lo, hi);
    assert_true(lo > 0);
    assert_true(hi - lo <= 1);
    flashsim_close(r.sim);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_before_any_write),
        cmocka_unit_test(test_scratch_wear_spread),
        cmocka_unit_test(test_synthetic_every_cut),
        cmocka_unit_test(test_example_every_cut),
        cmocka_unit_test(test_generated_cases),
        cmocka_unit_test(test_stash_must_fit),
        cmocka_unit_test(test_in_place_package_on_ab_device),
        cmocka_unit_test(test_ab_carry_replay_every_cut),
        cmocka_unit_test(test_bad_plan_refused),
    };
    const struct CMUnitTest corpus_tests[] = {
        cmocka_unit_test(test_k64f_every_cut),
        cmocka_unit_test(test_pyboard_sampled),
        cmocka_unit_test(test_esp8266_sampled),
        cmocka_unit_test(test_corpus_every_cut),
    };
    return TEST_TIERS(argc, argv, tests, corpus_tests);
}
