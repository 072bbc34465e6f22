/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/rollout.h: which devices a release reaches, and how it moves on.
 *
 * Pure functions over store records (no I/O, no locking, no clock: the
 * time is an argument), so the rules of docs/server-api.md §3.1 and §4.3
 * can be read and tested in one place: the share a device falls in,
 * whether a release selects a device, whether its failures call for an
 * automatic pause, and whether its current wave has earned the next.
 */
#ifndef CFOTA_SERVER_ROLLOUT_H
#define CFOTA_SERVER_ROLLOUT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The device's bucket in release_id, 0..99: SHA-256("<id>:<imei>"), first
 * 4 bytes big-endian, mod 100. A device is in a share of P percent when
 * its bucket is below P. */
int rollout_bucket(int64_t release_id, const char *imei);

/* Why a release does or does not select a device. */
enum rollout_match {
    ROLLOUT_SELECTS = 0,
    ROLLOUT_OTHER_PRODUCT, /* release of another product */
    ROLLOUT_OTHER_TARGET,  /* want names another version */
    ROLLOUT_OTHER_GROUP,   /* a group release, device not in the group */
    ROLLOUT_OUT_OF_SHARE,  /* bucket not below the share */
};

/* Whether release r selects device d: same product, group empty or equal,
 * d in the share. want (NULL or a version): only a release with that
 * target. */
enum rollout_match rollout_match(const struct release *r, const struct device *d,
                                 const char *want);
/* 1 if rollout_match says ROLLOUT_SELECTS. */
int rollout_selects(const struct release *r, const struct device *d, const char *want);

/* Parse a wave list "1,10,50,100" (1 to STORE_WAVES_MAX percents, each
 * 1..100, strictly rising) into shares. Returns the count, or 0 if the
 * text is not such a list. */
int rollout_waves_parse(const char *text, int shares[STORE_WAVES_MAX]);

/* 1 if r, active, must be paused given its counts: at least min_reports
 * devices reported and more than max_fail percent of them failed. The
 * reason ("failure rate 3/5 over 20%") is written into reason. */
int rollout_should_pause(const struct release *r, const struct release_counts *c,
                         char *reason, size_t cap);

/* 1 if r, active and not at its last wave, may move to the next at time
 * now: at least wave_reports devices offered in this wave reported
 * success, soak seconds have passed since the wave started, and the
 * failure rate is at most max_fail. The reason goes into reason. */
int rollout_should_advance(const struct release *r, const struct release_counts *c,
                           int64_t now, char *reason, size_t cap);

/* Move r to its next wave at time now (share, wave, wave_started). 1, or
 * 0 if r is at its last wave. */
int rollout_advance(struct release *r, int64_t now);

#endif
