/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/release_state.h: a release moving between its states.
 *
 * rollout.h says whether a release should pause or take its next wave;
 * this is where that is applied to the store, counted in the metrics and
 * logged (one "event=release" line per change, whoever made it: a
 * report, the wave clock, an operator). A wave's soak can end with no
 * device event at all, so a clock thread looks at every release with
 * waves now and then (WAVE_CLOCK_PERIOD); tests call
 * cfota_server_tick instead, with their own clock.
 */
#ifndef CFOTA_SERVER_RELEASE_STATE_H
#define CFOTA_SERVER_RELEASE_STATE_H

#include "store.h"

#define WAVE_CLOCK_PERIOD 10 /* seconds of real time between looks */

struct cfota_server;
struct wave_clock;

/* Apply the rules to rel (its counts may have changed) in the caller's
 * transaction: pause it, or move it to its next wave. STORE_OK or
 * STORE_ERROR. */
int release_state_evaluate(struct cfota_server *s, struct release *rel);

/* Write rel (changed by the caller) in the caller's transaction and log
 * the change (change: "paused", "resumed", "advanced", "created", ...). */
int release_state_write(struct cfota_server *s, const struct release *rel, const char *change,
                        const char *why);

/* Evaluate every active release with waves, in one transaction. */
int release_state_sweep(struct cfota_server *s);

/* The clock thread; NULL if it cannot start. */
struct wave_clock *wave_clock_start(struct cfota_server *s);
void wave_clock_stop(struct wave_clock *w);

#endif
