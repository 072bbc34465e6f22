/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/rollout.c: share, group and failure-rate rules (see rollout.h).
 *
 * The share is a hash bucket rather than a counter of devices served so
 * far: it needs no state, a device keeps its answer from one check to the
 * next, raising the share only adds devices, and hashing the release id in
 * makes a device that is first in one rollout not always first in the next.
 */
#include "rollout.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"

int rollout_bucket(int64_t release_id, const char *imei)
{
    char text[64];
    uint8_t h[32];
    uint32_t v;
    int n = snprintf(text, sizeof text, "%lld:%s", (long long)release_id, imei);
    host_sha256(text, (size_t)n, h);
    v = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    return (int)(v % 100u);
}

int rollout_selects(const struct release *r, const struct device *d, const char *want)
{
    if (want && strcmp(want, r->target) != 0)
        return 0;
    if (r->group[0] && strcmp(r->group, d->group) != 0)
        return 0;
    return rollout_bucket(r->id, d->imei) < r->share;
}

int rollout_should_pause(const struct release *r, const struct release_counts *c,
                         char *reason, size_t cap)
{
    if (strcmp(r->state, "active") != 0 || c->reported < r->min_reports || c->reported == 0)
        return 0;
    /* failed/reported > max_fail/100, in integers. */
    if (c->ever_failed * 100 <= (int64_t)r->max_fail * c->reported)
        return 0;
    snprintf(reason, cap, "failure rate %lld/%lld over %d%%", (long long)c->ever_failed,
             (long long)c->reported, r->max_fail);
    return 1;
}
