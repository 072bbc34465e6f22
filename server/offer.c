/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/offer.c: the offer decision (see offer.h).
 *
 * Precedence: releases are read in the store's precedence order (group
 * releases, newest first, then global ones, newest first) and the first
 * that selects the device decides, even when it then offers nothing (a
 * paused release holds its devices where they are rather than let an
 * older one take them). So a wide global release never takes a pilot
 * device away from its pilot's release.
 *
 * Packages: the package of the device's own (version, target) pair if
 * one is ready (a delta the builder made, or one uploaded); else, if the
 * server has an image of the device's version and of the target, wait for
 * the builder rather than send the much larger full image over a slow
 * link; else the target's full-image package.
 */
#include "offer.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "rollout.h"

static void note(struct bytes *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct bytes *why, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    if (!why)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (why->n > 0 && why->p[why->n - 1] != '[')
        bytes_byte(why, ',');
    json_string(why, text);
}

struct choice {
    const struct device *dev;
    const char *want;
    struct bytes *why;
    struct release rel;
    int found;
};

static void describe(const struct release *r, char *out, size_t cap)
{
    snprintf(out, cap, "release %" PRId64 " (target %s, %s%s, %d%%, %s)", r->id, r->target,
             r->group[0] ? "group " : "every group", r->group, r->share, r->state);
}

static int first_selecting(void *ctx, const struct release *r)
{
    struct choice *c = ctx;
    char name[160];
    enum rollout_match m = rollout_match(r, c->dev, c->want);
    if (c->why)
        describe(r, name, sizeof name);
    switch (m) {
    case ROLLOUT_SELECTS:
        note(c->why, "%s selects the device%s", name,
             r->group[0] ? " (a group release takes precedence over global ones)" : "");
        c->rel = *r;
        c->found = 1;
        return 1;
    case ROLLOUT_OTHER_TARGET:
        note(c->why, "%s: not the version asked for (%s)", name, c->want);
        break;
    case ROLLOUT_OTHER_GROUP:
        note(c->why, "%s: the device is in %s%s", name,
             c->dev->group[0] ? "group " : "no group", c->dev->group);
        break;
    case ROLLOUT_OUT_OF_SHARE:
        note(c->why, "%s: the device's bucket %d is not below the share", name,
             rollout_bucket(r->id, c->dev->imei));
        break;
    case ROLLOUT_OTHER_PRODUCT:
        break; /* never listed: the store gives only the device's product */
    }
    return 0;
}

/* 1 if product has an image of version, 0 if not, -1 on a store error. */
static int has_image(struct store *st, const char *product, const char *version)
{
    struct image im;
    int rc = store_image_get(st, product, version, &im);
    return rc == STORE_ERROR ? -1 : rc == STORE_OK;
}

/* The package of dev's product from ver to target into out->pkg. Asks
 * the store only what the answer needs: a device on a version the server
 * has no image of (the common case of a full-image offer) costs two reads. */
static int find_package(struct store *st, const char *product, const char *ver,
                        const char *target, struct offer *out, struct bytes *why)
{
    int rc = store_package_get(st, product, ver, target, &out->pkg);
    int known;
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_OK && !strcmp(out->pkg.state, "ready")) {
        out->kind = OFFER_PACKAGE;
        note(why, "package %s from %s: %s, %s", out->pkg.sha, ver, out->pkg.origin,
             out->pkg.kind);
        return STORE_OK;
    }
    if (rc == STORE_NOT_FOUND && (known = has_image(st, product, ver)) != 0) {
        if (known < 0 || (known = has_image(st, product, target)) < 0)
            return STORE_ERROR;
        if (known) {
            out->kind = OFFER_WAIT;
            out->retry = OFFER_RETRY_BUILDING;
            note(why, "the delta from %s to %s is being built", ver, target);
            return STORE_OK;
        }
    }
    rc = store_package_get(st, product, "", target, &out->pkg);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_OK && !strcmp(out->pkg.state, "ready")) {
        out->kind = OFFER_PACKAGE;
        note(why, "package %s: the full image of %s (no delta from %s)", out->pkg.sha, target,
             ver);
        return STORE_OK;
    }
    known = rc == STORE_NOT_FOUND ? has_image(st, product, target) : 0;
    if (known < 0)
        return STORE_ERROR;
    if (known) {
        out->kind = OFFER_WAIT;
        out->retry = OFFER_RETRY_BUILDING;
        note(why, "the full-image package of %s is being built", target);
    } else {
        out->kind = OFFER_NONE;
        note(why, "no package of product %s leads from %s to %s%s", product, ver, target,
             rc == STORE_OK ? " (its build failed)" : "");
    }
    return STORE_OK;
}

/* Hold back a device the release's cap has no room for. */
static int apply_cap(struct store *st, const struct device *dev, int64_t now, struct offer *out,
                     struct bytes *why)
{
    struct assignment a;
    int64_t in_flight;
    int rc;
    if (out->rel.max_downloads <= 0)
        return STORE_OK;
    rc = store_assign_get(st, out->rel.id, dev->imei, &a);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_OK && !strcmp(a.package, out->pkg.sha) &&
        (!strcmp(a.state, "checked") || !strcmp(a.state, "downloading")))
        return STORE_OK; /* it holds a slot already */
    if (store_release_in_flight(st, out->rel.id, now - OFFER_SLOT_TTL, &in_flight) != STORE_OK)
        return STORE_ERROR;
    if (in_flight < out->rel.max_downloads)
        return STORE_OK;
    out->kind = OFFER_WAIT;
    out->retry = OFFER_RETRY_CAP;
    note(why, "%" PRId64 " devices are downloading, the release's cap (max_downloads %d)",
         in_flight, out->rel.max_downloads);
    return STORE_OK;
}

int offer_decide(struct store *st, const struct device *dev, const char *ver, const char *want,
                 int64_t now, struct offer *out, struct bytes *why)
{
    struct choice c;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    c.dev = dev;
    c.want = want;
    c.why = why;
    if (store_releases_of(st, dev->product, first_selecting, &c) != STORE_OK)
        return STORE_ERROR;
    if (!c.found) {
        note(why, "no release of product %s selects the device", dev->product);
        return STORE_OK;
    }
    out->has_release = 1;
    out->rel = c.rel;
    if (strcmp(c.rel.state, "active") != 0) {
        note(why, "release %" PRId64 " is %s (%s): its devices stay where they are", c.rel.id,
             c.rel.state, c.rel.reason);
        return STORE_OK;
    }
    if (!strcmp(c.rel.target, ver)) {
        note(why, "the device runs %s, the release's target, already", ver);
        return STORE_OK;
    }
    if (find_package(st, dev->product, ver, c.rel.target, out, why) != STORE_OK)
        return STORE_ERROR;
    if (out->kind == OFFER_PACKAGE)
        return apply_cap(st, dev, now, out, why);
    return STORE_OK;
}
