/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/rollout.h: which devices a release reaches, and when it stops.
 *
 * Pure functions over store records (no I/O, no locking), so the rules of
 * docs/server-api.md §3.1 and §4.3 can be read and tested in one place:
 * the share a device falls in, whether a release selects a device, and
 * whether a release's failures call for an automatic pause.
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

/* 1 if release r selects device d: group empty or equal, and d in the
 * share. want (NULL or a version): only a release with that target. */
int rollout_selects(const struct release *r, const struct device *d, const char *want);

/* 1 if r, active, must be paused given its counts: at least min_reports
 * devices reported and more than max_fail percent of them failed. The
 * reason ("failure rate 3/5 over 20%") is written into reason. */
int rollout_should_pause(const struct release *r, const struct release_counts *c,
                         char *reason, size_t cap);

#endif
