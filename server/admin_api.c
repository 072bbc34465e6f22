/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_api.c: images, releases, devices for operators
 * (docs/server-api.md §4).
 *
 * Admin changes are durable transactions (store.h): once the operator
 * sees 201, the image or release survives a power cut. An image's bytes
 * are stored as an object before the transaction that records them, so a
 * kill between the two leaves only an orphan file.
 */
#include "admin_api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "builder.h"
#include "hash.h"
#include "json.h"
#include "objects.h"
#include "params.h"
#include "store.h"

#include "cfota/package.h"

#define TEXT_SNIFF 4096 /* bytes looked at to tell text from an image */

static enum MHD_Result store_failed(struct http_req *r)
{
    enum MHD_Result sent = http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                                           "the store failed: %s", store_error(r->srv->store));
    store_rollback(r->srv->store);
    return sent;
}

static const char *const no_params[] = {NULL};

/* ---- images ---- */

static int is_text_byte(uint8_t c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n'; }

const char *admin_image_refusal(const uint8_t *data, size_t n)
{
    size_t i, sniff = n < TEXT_SNIFF ? n : TEXT_SNIFF;
    if (n == 0)
        return "the image is empty";
    if (n >= 4 && !memcmp(data, CFOTA_MAGIC, 4))
        return "this is a cfota package, not a firmware image";
    if (n >= 4 && !memcmp(data, "\x7f" "ELF", 4))
        return "this is an ELF file; upload the raw binary (objcopy -O binary)";
    for (i = 0; i < sniff; i++)
        if (!is_text_byte(data[i]))
            return NULL;
    return "this is text (an Intel HEX or S-record file, or a web page?); upload the raw binary";
}

static void image_json(struct bytes *b, const struct image *im)
{
    json_printf(b, "{\"version\":");
    json_string(b, im->version);
    json_printf(b, ",\"size\":%" PRId64 ",\"sha256\":\"%s\"}", im->size, im->sha);
}

enum MHD_Result admin_image_put(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct image im, old;
    struct bytes out = {0};
    const char *refusal;
    enum MHD_Result sent;
    uint8_t digest[32];
    char sha[65];
    int rc, status;

    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    if (!param_version(r->arg))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "a version is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                               "letter or digit");
    refusal = admin_image_refusal(r->body.p, r->body.n);
    if (refusal)
        return http_send_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "not_an_image", "%s", refusal);
    host_sha256(r->body.p, r->body.n, digest);
    host_hex(digest, 32, sha);

    store_begin(st, 0);
    rc = store_image_get(st, r->arg, &old);
    if (rc == STORE_ERROR)
        return store_failed(r);
    store_commit(st);
    if (rc == STORE_NOT_FOUND && objects_put(r->srv->data_dir, r->body.p, r->body.n, sha) != 0)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "storing the image: %s", strerror(errno));

    store_begin(st, 1);
    rc = store_image_get(st, r->arg, &old); /* again: another upload may have won */
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_OK) {
        store_commit(st);
        if (strcmp(old.sha, sha) != 0)
            return http_send_error(r, MHD_HTTP_CONFLICT, "version_exists",
                                   "version %s exists with other bytes; versions are immutable",
                                   r->arg);
        im = old;
        status = MHD_HTTP_OK;
    } else {
        memset(&im, 0, sizeof im);
        snprintf(im.version, sizeof im.version, "%.32s", r->arg);
        memcpy(im.sha, sha, sizeof im.sha);
        im.size = (int64_t)r->body.n;
        im.created = (int64_t)time(NULL);
        if (store_image_add(st, &im) != STORE_OK)
            return store_failed(r);
        if (store_commit(st) != STORE_OK)
            return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                                   "the store failed to commit");
        builder_kick(r->srv->builder);
        status = MHD_HTTP_CREATED;
    }
    image_json(&out, &im);
    json_printf(&out, "\n");
    sent = http_send_json(r, (unsigned)status, &out);
    bytes_free(&out);
    return sent;
}

struct list {
    struct bytes *b;
    int n;
    struct store *st;
};

static void list_sep(struct list *l)
{
    json_printf(l->b, l->n++ ? ",\n" : "\n");
}

static void image_item(void *ctx, const struct image *im)
{
    struct list *l = ctx;
    list_sep(l);
    image_json(l->b, im);
}

/* Answer {"<name>":[...]} from a store iteration done by each(). */
static enum MHD_Result send_list(struct http_req *r, const char *name,
                                 int (*each)(struct list *l, void *arg), void *arg)
{
    struct store *st = r->srv->store;
    struct bytes b = {0};
    struct list l = {&b, 0, st};
    enum MHD_Result sent;
    json_printf(&b, "{\"%s\":[", name);
    store_begin(st, 0);
    if (each(&l, arg) != STORE_OK) {
        bytes_free(&b);
        return store_failed(r);
    }
    store_commit(st);
    json_printf(&b, "\n]}\n");
    sent = http_send_json(r, MHD_HTTP_OK, &b);
    bytes_free(&b);
    return sent;
}

static int each_image(struct list *l, void *arg)
{
    (void)arg;
    return store_images_each(l->st, image_item, l);
}

enum MHD_Result admin_images(struct http_req *r)
{
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    return send_list(r, "images", each_image, NULL);
}

/* ---- packages ---- */

static void package_item(void *ctx, const struct package *p)
{
    struct list *l = ctx;
    list_sep(l);
    json_printf(l->b, "{\"from\":");
    json_string(l->b, p->from[0] ? p->from : "*");
    json_printf(l->b, ",\"to\":");
    json_string(l->b, p->to);
    json_printf(l->b, ",\"state\":\"%s\",\"kind\":\"%s\"", p->state, p->kind);
    /* "tosign": built, waiting for its offline signature (signing.h). */
    if (!strcmp(p->state, "ready") || !strcmp(p->state, "tosign"))
        json_printf(l->b, ",\"id\":\"%s\",\"size\":%" PRId64 ",\"md5\":\"%s\"", p->sha, p->size,
                    p->md5);
    else {
        json_printf(l->b, ",\"error\":");
        json_string(l->b, p->error);
    }
    json_printf(l->b, "}");
}

static int each_package(struct list *l, void *arg)
{
    (void)arg;
    return store_packages_each(l->st, package_item, l);
}

enum MHD_Result admin_packages(struct http_req *r)
{
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    return send_list(r, "packages", each_package, NULL);
}

/* ---- releases ---- */

static int release_json(struct store *st, struct bytes *b, const struct release *rel)
{
    struct release_counts c;
    if (store_release_counts(st, rel->id, &c) != STORE_OK)
        return STORE_ERROR;
    json_printf(b, "{\"id\":%" PRId64 ",\"target\":", rel->id);
    json_string(b, rel->target);
    json_printf(b, ",\"group\":");
    json_string(b, rel->group);
    json_printf(b, ",\"share\":%d,\"max_fail\":%d,\"min_reports\":%d,\"state\":\"%s\",\"reason\":",
                rel->share, rel->max_fail, rel->min_reports, rel->state);
    json_string(b, rel->reason);
    json_printf(b, ",\"created\":%" PRId64 ",\"counts\":{\"offered\":%" PRId64
                ",\"checked\":%" PRId64 ",\"downloading\":%" PRId64 ",\"succeeded\":%" PRId64
                ",\"failed\":%" PRId64 "}}",
                rel->created, c.checked + c.downloading + c.succeeded + c.failed, c.checked,
                c.downloading, c.succeeded, c.failed);
    return STORE_OK;
}

/* Answer one release (after a change, or a GET). Called in a transaction
 * that it ends. */
static enum MHD_Result send_release(struct http_req *r, unsigned status, const struct release *rel)
{
    struct store *st = r->srv->store;
    struct bytes b = {0};
    enum MHD_Result sent;
    if (release_json(st, &b, rel) != STORE_OK) {
        bytes_free(&b);
        return store_failed(r);
    }
    if (store_commit(st) != STORE_OK) {
        bytes_free(&b);
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "the store failed to commit");
    }
    json_printf(&b, "\n");
    sent = http_send_json(r, status, &b);
    bytes_free(&b);
    return sent;
}

/* Optional percent parameter name into *out (kept if absent). 1, or 0
 * after answering 400. */
static int percent_param(struct http_req *r, const char *name, int *out, enum MHD_Result *sent)
{
    const char *v = http_param(r, name);
    int64_t n;
    if (!v)
        return 1;
    if (!param_int(v, 0, 100, &n)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "%s must be a whole number from 0 to 100", name);
        return 0;
    }
    *out = (int)n;
    return 1;
}

static const char *const release_params[] = {"target", "group", "share", "max_fail",
                                             "min_reports", NULL};
static const char *const release_required[] = {"target", NULL};

enum MHD_Result admin_release_create(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct release rel;
    struct image im;
    const char *target, *group, *min_reports;
    enum MHD_Result sent;
    int64_t n;
    int rc;

    if (!http_params_check(r, release_params, release_required, &sent))
        return sent;
    memset(&rel, 0, sizeof rel);
    rel.share = 100;
    rel.max_fail = 20;
    rel.min_reports = 5;
    target = http_param(r, "target");
    group = http_param(r, "group");
    min_reports = http_param(r, "min_reports");
    if (!param_version(target))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "target must be a version");
    if (group && !param_group(group))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "group is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                               "letter or digit");
    if (!percent_param(r, "share", &rel.share, &sent) ||
        !percent_param(r, "max_fail", &rel.max_fail, &sent))
        return sent;
    if (min_reports) {
        if (!param_int(min_reports, 1, 1000000, &n))
            return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                   "min_reports must be a whole number from 1 to 1000000");
        rel.min_reports = (int)n;
    }
    snprintf(rel.target, sizeof rel.target, "%s", target);
    snprintf(rel.group, sizeof rel.group, "%s", group ? group : "");
    snprintf(rel.state, sizeof rel.state, "active");
    rel.created = (int64_t)time(NULL);

    store_begin(st, 1);
    rc = store_image_get(st, target, &im);
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_NOT_FOUND) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_version",
                               "no image of version %s was uploaded", target);
    }
    if (store_release_add(st, &rel) != STORE_OK)
        return store_failed(r);
    sent = send_release(r, MHD_HTTP_CREATED, &rel);
    builder_kick(r->srv->builder);
    return sent;
}

static int release_item(void *ctx, const struct release *rel)
{
    struct list *l = ctx;
    list_sep(l);
    return release_json(l->st, l->b, rel) != STORE_OK;
}

static int each_release(struct list *l, void *arg)
{
    (void)arg;
    return store_releases_each(l->st, release_item, l);
}

enum MHD_Result admin_releases(struct http_req *r)
{
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    return send_list(r, "releases", each_release, NULL);
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
        *sent = store_failed(r);
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

enum MHD_Result admin_release_get(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    if (!load_release(r, 0, &rel, &sent))
        return sent;
    return send_release(r, MHD_HTTP_OK, &rel);
}

enum MHD_Result admin_release_pause(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    if (!load_release(r, 1, &rel, &sent))
        return sent;
    snprintf(rel.state, sizeof rel.state, "paused");
    snprintf(rel.reason, sizeof rel.reason, "operator");
    if (store_release_update(r->srv->store, &rel) != STORE_OK)
        return store_failed(r);
    return send_release(r, MHD_HTTP_OK, &rel);
}

static const char *const resume_params[] = {"share", NULL};

enum MHD_Result admin_release_resume(struct http_req *r)
{
    struct release rel;
    enum MHD_Result sent;
    int share = -1;
    if (!http_params_check(r, resume_params, NULL, &sent))
        return sent;
    if (!percent_param(r, "share", &share, &sent))
        return sent;
    if (!load_release(r, 1, &rel, &sent))
        return sent;
    snprintf(rel.state, sizeof rel.state, "active");
    rel.reason[0] = 0;
    if (share >= 0)
        rel.share = share;
    if (store_release_update(r->srv->store, &rel) != STORE_OK)
        return store_failed(r);
    return send_release(r, MHD_HTTP_OK, &rel);
}

/* ---- devices ---- */

static const char *const enrol_params[] = {"imei", "group", NULL};
static const char *const enrol_required[] = {"imei", NULL};

enum MHD_Result admin_device_enrol(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *group;
    struct device dev;
    struct bytes b = {0};
    enum MHD_Result sent;
    char token[33];
    int rc;

    if (!http_params_check(r, enrol_params, enrol_required, &sent))
        return sent;
    imei = http_param(r, "imei");
    group = http_param(r, "group");
    if (!param_imei(imei))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "imei must be 15 decimal digits");
    if (group && !param_group(group))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "group is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                               "letter or digit");
    store_begin(st, 1);
    rc = store_device_get(st, imei, &dev);
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_NOT_FOUND) {
        memset(&dev, 0, sizeof dev);
        snprintf(dev.imei, sizeof dev.imei, "%s", imei);
    }
    if (group)
        snprintf(dev.group, sizeof dev.group, "%s", group);
    if (store_device_put(st, &dev) != STORE_OK)
        return store_failed(r);
    if (store_commit(st) != STORE_OK)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "the store failed to commit");
    credentials_device_token(r->srv->secret, imei, token);
    json_printf(&b, "{\"imei\":\"%s\",\"group\":", imei);
    json_string(&b, dev.group);
    json_printf(&b, ",\"token\":\"%s\"}\n", token);
    sent = http_send_json(r, MHD_HTTP_OK, &b);
    bytes_free(&b);
    return sent;
}

static void device_item(void *ctx, const struct device *d)
{
    struct list *l = ctx;
    struct assignment a;
    const char *state = "idle";
    if (d->release_id && store_assign_get(l->st, d->release_id, d->imei, &a) == STORE_OK)
        state = a.state;
    list_sep(l);
    json_printf(l->b, "{\"imei\":\"%s\",\"group\":", d->imei);
    json_string(l->b, d->group);
    json_printf(l->b, ",\"version\":");
    json_string(l->b, d->version);
    json_printf(l->b, ",\"state\":\"%s\",\"release\":%" PRId64 ",\"last_seen\":%" PRId64
                ",\"last_report\":", state, d->release_id, d->last_seen);
    json_string(l->b, d->last_report);
    json_printf(l->b, ",\"report_time\":%" PRId64 "}", d->report_time);
}

static int each_device(struct list *l, void *arg)
{
    return store_devices_each(l->st, arg, device_item, l);
}

static const char *const devices_params[] = {"group", NULL};

enum MHD_Result admin_devices(struct http_req *r)
{
    const char *group;
    enum MHD_Result sent;
    if (!http_params_check(r, devices_params, NULL, &sent))
        return sent;
    group = http_param(r, "group");
    if (group && !param_group(group))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "group is 1 to 32 of A-Z a-z 0-9 . _ + -");
    return send_list(r, "devices", each_device, (void *)group);
}
