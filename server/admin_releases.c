/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_releases.c: releases for operators (docs/server-api.md
 * §4.3): create one with its waves and cap, list, read, pause, resume,
 * advance a wave by hand, delete.
 *
 * Every state change goes through release_state_write, so it is logged
 * like the ones the server makes itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin_api.h"
#include "admin_common.h"
#include "builder.h"
#include "json.h"
#include "params.h"
#include "release_state.h"
#include "rollout.h"
#include "store.h"

#define DEFAULT_WAVE_REPORTS 5
#define DEFAULT_SOAK 3600 /* seconds */

static int release_json(struct store *st, struct bytes *b, const struct release *rel)
{
    struct release_counts c;
    if (store_release_counts(st, rel, &c) != STORE_OK)
        return STORE_ERROR;
    json_printf(b, "{\"id\":%" PRId64 ",\"product\":", rel->id);
    json_string(b, rel->product);
    json_printf(b, ",\"target\":");
    json_string(b, rel->target);
    json_printf(b, ",\"group\":");
    json_string(b, rel->group);
    json_printf(b, ",\"share\":%d,\"max_fail\":%d,\"min_reports\":%d,\"state\":\"%s\",\"reason\":",
                rel->share, rel->max_fail, rel->min_reports, rel->state);
    json_string(b, rel->reason);
    json_printf(b, ",\"created\":%" PRId64 ",\"waves\":[%s],\"wave\":%d,\"wave_reports\":%d,"
                "\"soak\":%" PRId64 ",\"wave_started\":%" PRId64 ",\"max_downloads\":%d",
                rel->created, rel->waves, rel->waves[0] ? rel->wave + 1 : 1, rel->wave_reports,
                rel->soak, rel->wave_started, rel->max_downloads);
    json_printf(b, ",\"counts\":{\"offered\":%" PRId64 ",\"checked\":%" PRId64
                ",\"downloading\":%" PRId64 ",\"succeeded\":%" PRId64 ",\"failed\":%" PRId64
                ",\"wave_succeeded\":%" PRId64 "}}",
                c.checked + c.downloading + c.succeeded + c.failed, c.checked, c.downloading,
                c.succeeded, c.failed, c.wave_succeeded);
    return STORE_OK;
}

/* Answer one release (after a change, or a GET). Called in a transaction
 * that it ends. */
static enum MHD_Result send_release(struct http_req *r, unsigned status, const struct release *rel)
{
    struct store *st = r->srv->store;
    struct bytes b = {0};
    if (release_json(st, &b, rel) != STORE_OK) {
        bytes_free(&b);
        return admin_store_failed(r);
    }
    if (store_commit(st) != STORE_OK) {
        bytes_free(&b);
        return admin_commit_failed(r);
    }
    json_printf(&b, "\n");
    return admin_send_json(r, status, &b);
}

/* Optional whole-number parameter name in [lo, hi] into *out (kept if
 * absent). 1, or 0 after answering 400. */
static int number_param(struct http_req *r, const char *name, int64_t lo, int64_t hi,
                        int64_t *out, enum MHD_Result *sent)
{
    const char *v = http_param(r, name);
    if (!v)
        return 1;
    if (!param_int(v, lo, hi, out)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "%s must be a whole number from %lld to %lld", name,
                                (long long)lo, (long long)hi);
        return 0;
    }
    return 1;
}

/* 1 if product has an image of target or a package towards it. */
struct target_seen {
    const char *target;
    int seen;
};

static void saw_package(void *ctx, const struct package *p)
{
    struct target_seen *t = ctx;
    if (!strcmp(p->to, t->target) && !strcmp(p->state, "ready"))
        t->seen = 1;
}

static int target_reachable(struct store *st, const char *product, const char *target)
{
    struct image im;
    struct target_seen t = {target, 0};
    struct page pg;
    char after[64] = "";
    int rc = store_image_get(st, product, target, &im);
    if (rc != STORE_NOT_FOUND)
        return rc == STORE_OK ? 1 : -1;
    do {
        memset(&pg, 0, sizeof pg);
        pg.after = after;
        pg.limit = ADMIN_PAGE_MAX;
        if (store_packages_page(st, product, &pg, saw_package, &t) != STORE_OK)
            return -1;
        snprintf(after, sizeof after, "%s", pg.next);
    } while (after[0] && !t.seen);
    return t.seen;
}

static const char *const release_params[] = {
    "product", "target", "group", "share", "max_fail", "min_reports", "waves",
    "wave_reports", "soak", "max_downloads", NULL};
static const char *const release_required[] = {"target", NULL};

/* Fill rel from the query. 1, or 0 after answering 400. */
static int release_from_query(struct http_req *r, struct release *rel, enum MHD_Result *sent)
{
    const char *product, *target = http_param(r, "target"), *group = http_param(r, "group");
    const char *waves = http_param(r, "waves");
    int64_t share = 100, max_fail = 20, min_reports = 5, wave_reports = DEFAULT_WAVE_REPORTS;
    int64_t soak = DEFAULT_SOAK, max_downloads = 0;
    int shares[STORE_WAVES_MAX];
    if (!admin_product_param(r, 1, &product, sent))
        return 0;
    if (!param_version(target)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "target must be a version");
        return 0;
    }
    if (group && !param_group(group)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "group is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                                "letter or digit");
        return 0;
    }
    if (!number_param(r, "share", 0, 100, &share, sent) ||
        !number_param(r, "max_fail", 0, 100, &max_fail, sent) ||
        !number_param(r, "min_reports", 1, 1000000, &min_reports, sent) ||
        !number_param(r, "wave_reports", 0, 1000000, &wave_reports, sent) ||
        !number_param(r, "soak", 0, 100000000, &soak, sent) ||
        !number_param(r, "max_downloads", 0, 1000000, &max_downloads, sent))
        return 0;
    if (waves && (http_param(r, "share") || !rollout_waves_parse(waves, shares))) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                http_param(r, "share")
                                    ? "give share or waves, not both (the first wave is the share)"
                                    : "waves is 1 to 8 percents from 1 to 100, rising, "
                                      "comma-separated (1,10,50,100)");
        return 0;
    }
    memset(rel, 0, sizeof *rel);
    snprintf(rel->product, sizeof rel->product, "%s", product);
    snprintf(rel->target, sizeof rel->target, "%s", target);
    snprintf(rel->group, sizeof rel->group, "%s", group ? group : "");
    snprintf(rel->waves, sizeof rel->waves, "%s", waves ? waves : "");
    rel->share = waves ? shares[0] : (int)share;
    rel->max_fail = (int)max_fail;
    rel->min_reports = (int)min_reports;
    rel->wave_reports = (int)wave_reports;
    rel->soak = soak;
    rel->max_downloads = (int)max_downloads;
    snprintf(rel->state, sizeof rel->state, "active");
    rel->created = rel->wave_started = server_now(r->srv);
    return 1;
}

enum MHD_Result admin_release_create(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct release rel;
    enum MHD_Result sent;
    int rc;

    if (!http_params_check(r, release_params, release_required, &sent) ||
        !release_from_query(r, &rel, &sent))
        return sent;
    store_begin(st, 1);
    rc = target_reachable(st, rel.product, rel.target);
    if (rc < 0)
        return admin_store_failed(r);
    if (rc == 0) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_version",
                               "product %s has no image of version %s and no package to it",
                               rel.product, rel.target);
    }
    if (store_release_add(st, &rel) != STORE_OK ||
        release_state_write(r->srv, &rel, "created", "") != STORE_OK)
        return admin_store_failed(r);
    sent = send_release(r, MHD_HTTP_CREATED, &rel);
    builder_kick(r->srv->builder);
    return sent;
}

static int release_item(void *ctx, const struct release *rel)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    return release_json(l->st, l->b, rel) != STORE_OK;
}

static int each_release(struct admin_list *l)
{
    return store_releases_page(l->st, l->arg, l->pg, release_item, l);
}

enum MHD_Result admin_releases(struct http_req *r)
{
    return admin_product_list(r, "releases", each_release);
}

/* Parse r->arg as a release id and load it, in a transaction begun here
 * (durable if asked) that the caller ends on success. 1, or 0 after
 * answering (no transaction left open). */
static int load_release(struct http_req *r, int durable, struct release *rel,
                        enum MHD_Result *sent)
{
    int64_t id;
    int rc;
    if (!param_int(r->arg, 1, INT64_MAX / 16, &id)) {
        *sent = http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_release",
                                "a release id is a positive whole number");
        return 0;
    }
    store_begin(r->srv->store, durable);
    rc = store_release_get(r->srv->store, id, rel);
    if (rc == STORE_ERROR) {
        *sent = admin_store_failed(r);
        return 0;
    }
    if (rc == STORE_NOT_FOUND) {
        store_rollback(r->srv->store);
        *sent = http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_release",
                                "no release has the id %s", r->arg);
        return 0;
    }
    return 1;
}

static const char *const no_params[] = {NULL};

enum MHD_Result admin_release_get(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_release(r, 0, &rel, &sent))
        return sent;
    return send_release(r, MHD_HTTP_OK, &rel);
}

enum MHD_Result admin_release_delete(struct http_req *r)
{
    struct release rel;
    struct bytes b = {0};
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_release(r, 1, &rel, &sent))
        return sent;
    if (!strcmp(rel.state, "active")) {
        store_rollback(r->srv->store);
        return http_send_error(r, MHD_HTTP_CONFLICT, "in_use",
                               "release %" PRId64 " is active: its devices may be downloading; "
                               "pause it first", rel.id);
    }
    snprintf(rel.state, sizeof rel.state, "deleted");
    if (release_state_write(r->srv, &rel, "deleted", "operator") != STORE_OK ||
        store_release_delete(r->srv->store, rel.id) != STORE_OK)
        return admin_store_failed(r);
    if (store_commit(r->srv->store) != STORE_OK)
        return admin_commit_failed(r);
    json_printf(&b, "{\"deleted\":%" PRId64 "}\n", rel.id);
    return admin_send_json(r, MHD_HTTP_OK, &b);
}

enum MHD_Result admin_release_pause(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_release(r, 1, &rel, &sent))
        return sent;
    snprintf(rel.state, sizeof rel.state, "paused");
    snprintf(rel.reason, sizeof rel.reason, "operator");
    if (release_state_write(r->srv, &rel, "paused", "operator") != STORE_OK)
        return admin_store_failed(r);
    return send_release(r, MHD_HTTP_OK, &rel);
}

static const char *const resume_params[] = {"share", NULL};

enum MHD_Result admin_release_resume(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    int64_t share = -1;
    if (!http_params_check(r, resume_params, NULL, &sent) ||
        !number_param(r, "share", 0, 100, &share, &sent) || !load_release(r, 1, &rel, &sent))
        return sent;
    snprintf(rel.state, sizeof rel.state, "active");
    rel.reason[0] = 0;
    if (share >= 0)
        rel.share = (int)share;
    if (release_state_write(r->srv, &rel, "resumed", "operator") != STORE_OK)
        return admin_store_failed(r);
    return send_release(r, MHD_HTTP_OK, &rel);
}

enum MHD_Result admin_release_advance(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_release(r, 1, &rel, &sent))
        return sent;
    if (!rollout_advance(&rel, server_now(r->srv))) {
        store_rollback(r->srv->store);
        return http_send_error(r, MHD_HTTP_CONFLICT, "last_wave",
                               "release %" PRId64 " has no wave after its current one", rel.id);
    }
    if (release_state_write(r->srv, &rel, "advanced", "operator") != STORE_OK)
        return admin_store_failed(r);
    return send_release(r, MHD_HTTP_OK, &rel);
}

/* ---- a release's devices (the dashboard's failures and chart) ---- */

struct release_devices {
    int64_t id;
    const char *state;
};

static void assignment_item(void *ctx, const struct assignment *a, const char *last_report)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    json_printf(l->b, "{\"imei\":\"%s\",\"state\":\"%s\",\"from\":", a->imei, a->state);
    json_string(l->b, a->from);
    json_printf(l->b, ",\"wave\":%d,\"updated\":%" PRId64 ",\"failures\":%d,\"reason\":", a->wave,
                a->updated, a->failures);
    json_string(l->b, a->reason);
    json_printf(l->b, ",\"last_report\":");
    json_string(l->b, last_report);
    json_printf(l->b, "}");
}

static int each_assignment(struct admin_list *l)
{
    const struct release_devices *q = l->arg;
    return store_assigns_page(l->st, q->id, q->state, l->pg, assignment_item, l);
}

static const char *const release_devices_params[] = {"state", "limit", "after", NULL};
static const char *const assignment_states[] = {"checked", "downloading", "succeeded", "failed",
                                                NULL};

static int known_state(const char *s)
{
    int i;
    for (i = 0; assignment_states[i]; i++)
        if (!strcmp(s, assignment_states[i]))
            return 1;
    return 0;
}

enum MHD_Result admin_release_devices(struct http_req *r)
{
    struct release_devices q;
    struct release rel;
    struct page pg;
    enum MHD_Result sent;
    if (!http_params_check(r, release_devices_params, NULL, &sent) ||
        !admin_page_params(r, &pg, &sent))
        return sent;
    q.state = http_param(r, "state");
    if (q.state && !known_state(q.state))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "state is checked, downloading, succeeded or failed");
    if (!load_release(r, 0, &rel, &sent))
        return sent;
    store_commit(r->srv->store);
    q.id = rel.id;
    return admin_send_page(r, "devices", &pg, each_assignment, &q);
}
