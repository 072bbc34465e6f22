/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_devices.c: devices and admin tokens for operators
 * (docs/server-api.md §4.4, §4.5): enrol, list and search, read one,
 * dry-run its next check, revoke and rotate its token; make, list and
 * delete admin tokens.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin_api.h"
#include "admin_auth.h"
#include "admin_common.h"
#include "hash.h"
#include "json.h"
#include "offer.h"
#include "params.h"
#include "store.h"

static void device_json(struct store *st, struct bytes *b, const struct device *d)
{
    struct assignment a;
    const char *state = "idle";
    if (d->release_id && store_assign_get(st, d->release_id, d->imei, &a) == STORE_OK)
        state = a.state;
    json_printf(b, "{\"imei\":\"%s\",\"product\":", d->imei);
    json_string(b, d->product);
    json_printf(b, ",\"group\":");
    json_string(b, d->group);
    json_printf(b, ",\"version\":");
    json_string(b, d->version);
    json_printf(b, ",\"state\":\"%s\",\"release\":%" PRId64 ",\"last_seen\":%" PRId64
                ",\"last_report\":", state, d->release_id, d->last_seen);
    json_string(b, d->last_report);
    json_printf(b, ",\"report_time\":%" PRId64 ",\"revoked\":%s,\"token_generation\":%d}",
                d->report_time, d->revoked ? "true" : "false", d->token_gen);
}

/* Answer with the device and its current token. */
static enum MHD_Result send_token(struct http_req *r, const struct device *dev)
{
    struct bytes b = {0};
    char token[33];
    credentials_device_token(r->srv->secret, dev->imei, dev->token_gen, token);
    json_printf(&b, "{\"imei\":\"%s\",\"product\":", dev->imei);
    json_string(&b, dev->product);
    json_printf(&b, ",\"group\":");
    json_string(&b, dev->group);
    json_printf(&b, ",\"token\":\"%s\"}\n", token);
    return admin_send_json(r, MHD_HTTP_OK, &b);
}

static const char *const enrol_params[] = {"imei", "product", "group", NULL};
static const char *const enrol_required[] = {"imei", NULL};

enum MHD_Result admin_device_enrol(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *group, *product;
    struct device dev;
    enum MHD_Result sent;
    int rc;

    if (!http_params_check(r, enrol_params, enrol_required, &sent) ||
        !admin_product_param(r, 0, &product, &sent))
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
    /* A misspelt product would leave a device that nothing is ever
     * offered to: only products with an image or a package are taken. */
    if (product && (rc = admin_product_known(st, product)) != 1) {
        if (rc < 0)
            return admin_store_failed(r);
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_product",
                               "product %s has no image or package yet; upload one first",
                               product);
    }
    rc = store_device_get(st, imei, &dev);
    if (rc == STORE_ERROR)
        return admin_store_failed(r);
    if (rc == STORE_NOT_FOUND) {
        memset(&dev, 0, sizeof dev);
        snprintf(dev.imei, sizeof dev.imei, "%s", imei);
    }
    if (dev.revoked) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_CONFLICT, "revoked",
                               "device %s is revoked; rotate its token to give it a new one", imei);
    }
    if (group)
        snprintf(dev.group, sizeof dev.group, "%s", group);
    if (product)
        snprintf(dev.product, sizeof dev.product, "%s", product);
    if (store_device_put(st, &dev) != STORE_OK)
        return admin_store_failed(r);
    if (store_commit(st) != STORE_OK)
        return admin_commit_failed(r);
    return send_token(r, &dev);
}

static void device_item(void *ctx, const struct device *d)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    device_json(l->st, l->b, d);
}

static int each_device(struct admin_list *l)
{
    return store_devices_page(l->st, l->arg, l->pg, device_item, l);
}

static const char *const devices_params[] = {"product", "group", "imei", "limit", "after", NULL};

enum MHD_Result admin_devices(struct http_req *r)
{
    struct device_filter f;
    struct page pg;
    const char *prefix;
    enum MHD_Result sent;
    size_t i;
    memset(&f, 0, sizeof f);
    if (!http_params_check(r, devices_params, NULL, &sent) ||
        !admin_product_param(r, 0, &f.product, &sent) || !admin_page_params(r, &pg, &sent))
        return sent;
    f.group = http_param(r, "group");
    prefix = http_param(r, "imei");
    if (f.group && !param_group(f.group))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "group is 1 to 32 of A-Z a-z 0-9 . _ + -");
    for (i = 0; prefix && prefix[i]; i++)
        if (prefix[i] < '0' || prefix[i] > '9' || i >= 15)
            return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                   "imei (a search) is 1 to 15 decimal digits, the start of "
                                   "the IMEIs wanted");
    f.imei_prefix = prefix;
    if (pg.after && !param_imei(pg.after))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "after must be the 'next' of a previous page (an IMEI)");
    return admin_send_page(r, "devices", &pg, each_device, &f);
}

/* Load the device r->arg names in a transaction begun here (that the
 * caller ends). 1, or 0 after answering (no transaction left open). */
static int load_device(struct http_req *r, int durable, struct device *dev,
                       enum MHD_Result *sent)
{
    int rc;
    if (!param_imei(r->arg)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "imei must be 15 decimal digits");
        return 0;
    }
    store_begin(r->srv->store, durable);
    rc = store_device_get(r->srv->store, r->arg, dev);
    if (rc == STORE_ERROR) {
        *sent = admin_store_failed(r);
        return 0;
    }
    if (rc == STORE_NOT_FOUND) {
        store_rollback(r->srv->store);
        *sent = http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_device",
                                "no device has the IMEI %s", r->arg);
        return 0;
    }
    return 1;
}

static const char *const no_params[] = {NULL};

/* Answer the device (in the transaction load_device began, ended here). */
static enum MHD_Result send_device(struct http_req *r, const struct device *dev)
{
    struct bytes b = {0};
    device_json(r->srv->store, &b, dev);
    json_printf(&b, "\n");
    if (store_commit(r->srv->store) != STORE_OK) {
        bytes_free(&b);
        return admin_commit_failed(r);
    }
    return admin_send_json(r, MHD_HTTP_OK, &b);
}

enum MHD_Result admin_device_get(struct http_req *r)
{
    struct device dev;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_device(r, 0, &dev, &sent))
        return sent;
    return send_device(r, &dev);
}

static const char *const plan_params[] = {"ver", "want", NULL};

static const char *const answer_names[] = {
    [OFFER_NONE] = "none", [OFFER_WAIT] = "wait", [OFFER_PACKAGE] = "update"};

enum MHD_Result admin_device_plan(struct http_req *r)
{
    struct device dev;
    struct offer o;
    struct bytes b = {0}, why = {0};
    const char *ver = http_param(r, "ver"), *want = http_param(r, "want");
    enum MHD_Result sent;
    if (!http_params_check(r, plan_params, NULL, &sent))
        return sent;
    if ((ver && !param_version(ver)) || (want && !param_version(want)))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "ver and want are versions");
    if (!load_device(r, 0, &dev, &sent))
        return sent;
    if (!ver)
        ver = dev.version;
    if (!ver[0]) {
        store_rollback(r->srv->store);
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "device %s has never checked: give the version it runs (ver=)",
                               dev.imei);
    }
    memset(&o, 0, sizeof o);
    bytes_byte(&why, '[');
    if (!dev.product[0]) {
        json_string(&why, "the device has no product: its checks are refused (no_product)");
    } else if (offer_decide(r->srv->store, &dev, ver, want, server_now(r->srv), &o, &why) !=
               STORE_OK) {
        bytes_free(&why);
        return admin_store_failed(r);
    }
    store_commit(r->srv->store);
    bytes_byte(&why, ']');
    json_printf(&b, "{\"imei\":\"%s\",\"product\":", dev.imei);
    json_string(&b, dev.product);
    json_printf(&b, ",\"version\":");
    json_string(&b, ver);
    json_printf(&b, ",\"answer\":\"%s\",\"release\":",
                dev.product[0] ? answer_names[o.kind] : "no_product");
    if (o.has_release)
        json_printf(&b, "%" PRId64, o.rel.id);
    else
        json_printf(&b, "null");
    json_printf(&b, ",\"package\":");
    if (o.kind == OFFER_PACKAGE)
        json_printf(&b, "{\"id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"kind\":\"%s\","
                    "\"origin\":\"%s\",\"size\":%" PRId64 ",\"md5\":\"%s\"}",
                    o.pkg.sha, !strcmp(o.pkg.kind, "full") ? "*" : ver, o.rel.target,
                    o.pkg.kind, o.pkg.origin, o.pkg.size, o.pkg.md5);
    else
        json_printf(&b, "null");
    json_printf(&b, ",\"retry\":%d,\"why\":", o.kind == OFFER_WAIT ? o.retry : 0);
    bytes_put(&b, why.p, why.n);
    json_printf(&b, "}\n");
    bytes_free(&why);
    return admin_send_json(r, MHD_HTTP_OK, &b);
}

enum MHD_Result admin_device_revoke(struct http_req *r)
{
    struct device dev;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_device(r, 1, &dev, &sent))
        return sent;
    dev.revoked = 1;
    if (store_device_put(r->srv->store, &dev) != STORE_OK)
        return admin_store_failed(r);
    return send_device(r, &dev);
}

enum MHD_Result admin_device_rotate(struct http_req *r)
{
    struct device dev;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent) || !load_device(r, 1, &dev, &sent))
        return sent;
    dev.token_gen++;
    dev.revoked = 0;
    if (store_device_put(r->srv->store, &dev) != STORE_OK)
        return admin_store_failed(r);
    if (store_commit(r->srv->store) != STORE_OK)
        return admin_commit_failed(r);
    return send_token(r, &dev);
}

/* ---- admin tokens ---- */

static const char *const token_params[] = {"name", "role", NULL};

enum MHD_Result admin_token_create(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct admin_token t;
    struct bytes b = {0};
    const char *name = http_param(r, "name"), *role = http_param(r, "role");
    enum MHD_Result sent;
    uint8_t digest[32];
    char token[65];
    if (!http_params_check(r, token_params, token_params, &sent))
        return sent;
    if (!param_group(name))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "name is 1 to 32 of A-Z a-z 0-9 . _ + -");
    if (admin_auth_parse_role(role) == ROLE_NONE)
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "role is 'read' or 'admin'");
    if (credentials_new_token(token) != 0)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "no random numbers");
    memset(&t, 0, sizeof t);
    host_sha256(token, strlen(token), digest);
    host_hex(digest, 32, t.sha);
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.role, sizeof t.role, "%s", role);
    t.created = server_now(r->srv);
    store_begin(st, 1);
    if (store_token_add(st, &t) != STORE_OK) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_CONFLICT, "token_exists",
                               "a token named %s exists; delete it first", name);
    }
    if (store_commit(st) != STORE_OK)
        return admin_commit_failed(r);
    json_printf(&b, "{\"name\":\"%s\",\"role\":\"%s\",\"token\":\"%s\"}\n", name, role, token);
    return admin_send_json(r, MHD_HTTP_CREATED, &b);
}

static void token_item(void *ctx, const struct admin_token *t)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    json_printf(l->b, "{\"name\":\"%s\",\"role\":\"%s\",\"created\":%" PRId64 "}", t->name,
                t->role, t->created);
}

static int each_token(struct admin_list *l)
{
    return store_tokens_each(l->st, token_item, l);
}

enum MHD_Result admin_tokens(struct http_req *r)
{
    return admin_short_list(r, "tokens", each_token);
}

enum MHD_Result admin_token_delete(struct http_req *r)
{
    struct bytes b = {0};
    enum MHD_Result sent;
    int rc;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    if (!param_group(r->arg))
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_token", "no such token name");
    store_begin(r->srv->store, 1);
    rc = store_token_delete(r->srv->store, r->arg);
    if (rc == STORE_ERROR)
        return admin_store_failed(r);
    if (store_commit(r->srv->store) != STORE_OK)
        return admin_commit_failed(r);
    if (rc == STORE_NOT_FOUND)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_token",
                               "no token is named %s", r->arg);
    json_printf(&b, "{\"deleted\":\"%s\"}\n", r->arg);
    return admin_send_json(r, MHD_HTTP_OK, &b);
}
