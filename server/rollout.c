/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/rollout.c: share, group, failure-rate and wave rules (see
 * rollout.h).
 *
 * The share is a hash bucket rather than a counter of devices served so
 * far: it needs no state, a device keeps its answer from one check to the
 * next, raising the share only adds devices, and hashing the release id in
 * makes a device that is first in one rollout not always first in the next.
 * Waves are raises of the share made by the server itself, so a device
 * reached by one wave is in every later one.
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

enum rollout_match rollout_match(const struct release *r, const struct device *d,
                                 const char *want)
{
    if (strcmp(r->product, d->product) != 0)
        return ROLLOUT_OTHER_PRODUCT;
    if (want && strcmp(want, r->target) != 0)
        return ROLLOUT_OTHER_TARGET;
    if (r->group[0] && strcmp(r->group, d->group) != 0)
        return ROLLOUT_OTHER_GROUP;
    /* 100% needs no hash: the common case of a check stays cheap. */
    if (r->share < 100 && rollout_bucket(r->id, d->imei) >= r->share)
        return ROLLOUT_OUT_OF_SHARE;
    return ROLLOUT_SELECTS;
}

int rollout_selects(const struct release *r, const struct device *d, const char *want)
{
    return rollout_match(r, d, want) == ROLLOUT_SELECTS;
}

int rollout_waves_parse(const char *text, int shares[STORE_WAVES_MAX])
{
    int n = 0, v = 0, digits = 0, last = 0;
    const char *p = text;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            if (++digits > 3)
                return 0;
            continue;
        }
        if ((*p != ',' && *p != 0) || digits == 0 || v < 1 || v > 100 || v <= last ||
            n == STORE_WAVES_MAX)
            return 0;
        shares[n++] = last = v;
        v = digits = 0;
        if (*p == 0)
            return n;
    }
}

/* More than max_fail percent of the reports failures, in integers. */
static int over_threshold(const struct release *r, const struct release_counts *c)
{
    return c->ever_failed * 100 > (int64_t)r->max_fail * c->reported;
}

int rollout_should_pause(const struct release *r, const struct release_counts *c,
                         char *reason, size_t cap)
{
    if (strcmp(r->state, "active") != 0 || c->reported < r->min_reports || c->reported == 0)
        return 0;
    if (!over_threshold(r, c))
        return 0;
    snprintf(reason, cap, "failure rate %lld/%lld over %d%%", (long long)c->ever_failed,
             (long long)c->reported, r->max_fail);
    return 1;
}

int rollout_should_advance(const struct release *r, const struct release_counts *c,
                           int64_t now, char *reason, size_t cap)
{
    int shares[STORE_WAVES_MAX];
    int n = rollout_waves_parse(r->waves, shares);
    if (strcmp(r->state, "active") != 0 || r->wave + 1 >= n)
        return 0;
    if (c->wave_succeeded < r->wave_reports || now - r->wave_started < r->soak ||
        over_threshold(r, c))
        return 0;
    snprintf(reason, cap, "wave %d (%d%%) after %lld confirmed reports, %llds of soak, "
             "failures %lld/%lld", r->wave + 2, shares[r->wave + 1],
             (long long)c->wave_succeeded, (long long)(now - r->wave_started),
             (long long)c->ever_failed, (long long)c->reported);
    return 1;
}

int rollout_advance(struct release *r, int64_t now)
{
    int shares[STORE_WAVES_MAX];
    int n = rollout_waves_parse(r->waves, shares);
    if (r->wave + 1 >= n)
        return 0;
    r->wave++;
    r->share = shares[r->wave];
    r->wave_started = now;
    return 1;
}
