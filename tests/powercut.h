/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/powercut.h: a power cut as a test dimension, not a test (littlefs's
 * emulated block device, MCUboot's simulator). Any scenario that writes a
 * simulated NOR flash (sim/flashsim.h) and must end with a target image in
 * it is described by four callbacks; powercut_sweep() runs it once whole
 * to count its flash operations, then again with the power cut during
 * every operation (or every step-th), each time powering back on and
 * letting the scenario recover, and then with double cuts (a second cut
 * during the recovery) at random points. After every run the target
 * region must hold exactly the target (by SHA-256) and the simulator must
 * have seen zero NOR violations (a program asked to turn a 0 bit into 1).
 *
 * The scenario's own invariants (the journal says what it should, the
 * base is untouched until the update is recorded, the module answers...)
 * are asserted inside its callbacks, which get the cut point.
 * Static inline, not a test program (no test_ prefix).
 */
#ifndef CFOTA_TEST_POWERCUT_H
#define CFOTA_TEST_POWERCUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flashsim.h"
#include "hash.h"
#include "support.h"

struct powercut_case {
    void *ctx;
    /* The flash as the scenario starts, powered on, no cut armed. May make
     * a new simulator: sim() is asked again after every reset. */
    void (*reset)(void *ctx);
    struct flashsim *(*sim)(void *ctx);
    /* The scenario from the start. The power may go in the middle; the
     * helper sees that on the simulator. */
    void (*run)(void *ctx);
    /* Power is back after a cut that hit operation cut of run (counted
     * from reset): boot and finish. May itself be cut (double cuts); the
     * helper then powers on and calls it again. */
    void (*recover)(void *ctx, uint64_t cut);
    /* Where the target must be in the end (at least want_len bytes). */
    const uint8_t *(*region)(void *ctx);
    const uint8_t *want;
    size_t want_len;
};

/* What a sweep did, for the test's own assertions. */
struct powercut_result {
    uint64_t ops;     /* flash operations of the whole uncut scenario */
    uint64_t cuts;    /* single cuts tried */
    uint64_t doubles; /* double cuts tried */
};

static inline void powercut_check(const struct powercut_case *c, const char *when, uint64_t cut)
{
    uint8_t want[32], got[32];
    struct flashsim *sim = c->sim(c->ctx);
    host_sha256(c->want, c->want_len, want);
    host_sha256(c->region(c->ctx), c->want_len, got);
    if (memcmp(want, got, 32) != 0)
        fail_msg("%s at operation %llu: the region is not the target", when, (unsigned long long)cut);
    if (flashsim_stats(sim)->violations != 0)
        fail_msg("%s at operation %llu: %llu NOR violations", when, (unsigned long long)cut,
                 (unsigned long long)flashsim_stats(sim)->violations);
}

/* Recover until the scenario is through (a cut armed before may fire). */
static inline void powercut_recover(const struct powercut_case *c, uint64_t cut)
{
    struct flashsim *sim = c->sim(c->ctx);
    c->recover(c->ctx, cut);
    if (!flashsim_powered(sim)) {
        flashsim_power_on(sim); /* disarms */
        c->recover(c->ctx, cut);
        if (!flashsim_powered(sim))
            fail_msg("recovery cut with no cut armed");
    }
}

/* Sweep single cuts over every step-th operation of the scenario, then
 * `doubles` double cuts from seed. */
static inline struct powercut_result powercut_sweep(const struct powercut_case *c, uint64_t step, unsigned doubles,
                                                    uint64_t seed)
{
    struct powercut_result res = {0, 0, 0};
    struct flashsim *sim;
    uint64_t cut, before;
    unsigned i;

    c->reset(c->ctx);
    sim = c->sim(c->ctx);
    before = flashsim_stats(sim)->ops;
    c->run(c->ctx);
    if (!flashsim_powered(sim))
        fail_msg("the uncut scenario lost power");
    res.ops = flashsim_stats(sim)->ops - before;
    powercut_check(c, "uncut", 0);
    for (cut = 0; cut < res.ops; cut += step ? step : 1) {
        c->reset(c->ctx);
        sim = c->sim(c->ctx);
        flashsim_set_power_cut(sim, cut, seed + cut);
        c->run(c->ctx);
        if (flashsim_powered(sim))
            fail_msg("a cut at operation %llu of %llu did not fire", (unsigned long long)cut,
                     (unsigned long long)res.ops);
        flashsim_power_on(sim); /* disarms */
        powercut_recover(c, cut);
        powercut_check(c, "cut", cut);
        res.cuts++;
    }
    for (i = 0; i < doubles && res.ops > 0; i++) {
        uint64_t c1 = test_rand(&seed) % res.ops, c2 = test_rand(&seed) % (res.ops / 2 + 1);
        c->reset(c->ctx);
        sim = c->sim(c->ctx);
        flashsim_set_power_cut(sim, c1, seed);
        c->run(c->ctx);
        if (flashsim_powered(sim))
            fail_msg("a cut at operation %llu did not fire", (unsigned long long)c1);
        flashsim_power_on(sim);
        flashsim_set_power_cut(sim, c2, seed + 1);
        powercut_recover(c, c1);
        powercut_check(c, "double cut", c1);
        res.doubles++;
    }
    return res;
}

#endif
