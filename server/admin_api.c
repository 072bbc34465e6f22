/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_api.c: images, packages and products for operators
 * (docs/server-api.md §4.1, §4.2).
 *
 * Admin changes are durable transactions (store.h): once the operator
 * sees 201, the image or package survives a power cut. Uploaded bytes are
 * stored as an object before the transaction that records them, so a
 * kill between the two leaves only an orphan file; a delete commits first
 * and removes the file after, for the same reason.
 */
#include "admin_api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_common.h"
#include "builder.h"
#include "hash.h"
#include "json.h"
#include "objects.h"
#include "params.h"
#include "store.h"

#include "cfota/package.h"

#define TEXT_SNIFF 4096 /* bytes looked at to tell text from an image */

#define store_failed admin_store_failed

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
    json_printf(b, "{\"product\":");
    json_string(b, im->product);
    json_printf(b, ",\"version\":");
    json_string(b, im->version);
    json_printf(b, ",\"size\":%" PRId64 ",\"sha256\":\"%s\"}", im->size, im->sha);
}

static const char *const image_params[] = {"product", NULL};

static enum MHD_Result bad_version(struct http_req *r, const char *what)
{
    return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                           "%s is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a letter or "
                           "digit", what);
}

enum MHD_Result admin_image_put(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct image im, old;
    struct bytes out = {0};
    const char *refusal, *product;
    enum MHD_Result sent;
    uint8_t digest[32];
    char sha[65];
    int rc, status;

    if (!http_params_check(r, image_params, NULL, &sent) ||
        !admin_product_param(r, 1, &product, &sent))
        return sent;
    if (!param_version(r->arg))
        return bad_version(r, "a version");
    refusal = admin_image_refusal(r->body.p, r->body.n);
    if (refusal)
        return http_send_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "not_an_image", "%s", refusal);
    host_sha256(r->body.p, r->body.n, digest);
    host_hex(digest, 32, sha);

    store_begin(st, 0);
    rc = store_image_get(st, product, r->arg, &old);
    if (rc == STORE_ERROR)
        return store_failed(r);
    store_commit(st);
    if (rc == STORE_NOT_FOUND && objects_put(r->srv->data_dir, r->body.p, r->body.n, sha) != 0)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "storing the image: %s", strerror(errno));

    store_begin(st, 1);
    rc = store_image_get(st, product, r->arg, &old); /* again: another upload may have won */
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_OK) {
        store_commit(st);
        if (strcmp(old.sha, sha) != 0)
            return http_send_error(r, MHD_HTTP_CONFLICT, "version_exists",
                                   "version %s of product %s exists with other bytes; versions "
                                   "are immutable", r->arg, product);
        im = old;
        status = MHD_HTTP_OK;
    } else {
        memset(&im, 0, sizeof im);
        snprintf(im.product, sizeof im.product, "%s", product);
        snprintf(im.version, sizeof im.version, "%.32s", r->arg);
        memcpy(im.sha, sha, sizeof im.sha);
        im.size = (int64_t)r->body.n;
        im.created = server_now(r->srv);
        if (store_image_add(st, &im) != STORE_OK)
            return store_failed(r);
        if (store_commit(st) != STORE_OK)
            return admin_commit_failed(r);
        builder_kick(r->srv->builder);
        status = MHD_HTTP_CREATED;
    }
    image_json(&out, &im);
    json_printf(&out, "\n");
    return admin_send_json(r, (unsigned)status, &out);
}

/* Collects package ids (65 bytes each) seen by a walk. */
struct sha_list {
    const char *version; /* rows from or to it, built; or NULL */
    const char *sha;     /* rows with this id; or NULL */
    struct bytes shas;
    struct bytes targets; /* their targets, 33 bytes each */
};

static void collect_package(void *ctx, const struct package *p)
{
    struct sha_list *l = ctx;
    if (l->version && (strcmp(p->origin, "built") != 0 ||
                       (strcmp(p->from, l->version) != 0 && strcmp(p->to, l->version) != 0)))
        return;
    if (l->sha && strcmp(p->sha, l->sha) != 0)
        return;
    bytes_put(&l->shas, p->sha, 65);
    bytes_put(&l->targets, p->to, 33);
}

/* The packages of product matching l, all pages. */
static int collect_packages(struct store *st, const char *product, struct sha_list *l)
{
    struct page pg;
    char after[64] = "";
    do {
        memset(&pg, 0, sizeof pg);
        pg.after = after;
        pg.limit = ADMIN_PAGE_MAX;
        if (store_packages_page(st, product, &pg, collect_package, l) != STORE_OK)
            return STORE_ERROR;
        snprintf(after, sizeof after, "%s", pg.next);
    } while (after[0]);
    return STORE_OK;
}

struct target_use {
    const char *target;
    struct release rel;
    int found;
};

static int targets(void *ctx, const struct release *r)
{
    struct target_use *u = ctx;
    if (strcmp(r->target, u->target) != 0)
        return 0;
    u->rel = *r;
    u->found = 1;
    return 1;
}

/* The newest release of product towards target, if any (u->found). */
static int release_towards(struct store *st, const char *product, const char *target,
                           struct target_use *u)
{
    memset(u, 0, sizeof *u);
    u->target = target;
    return store_releases_of(st, product, targets, u);
}

static enum MHD_Result refuse_in_use(struct http_req *r, const char *what,
                                     const struct target_use *u)
{
    return http_send_error(r, MHD_HTTP_CONFLICT, "in_use",
                           "%s: release %" PRId64 " (%s) targets %s; delete the release first",
                           what, u->rel.id, u->rel.state, u->rel.target);
}

enum MHD_Result admin_image_delete(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct image im;
    struct target_use u;
    struct sha_list l;
    struct bytes out = {0};
    const char *product;
    enum MHD_Result sent;
    size_t i;
    int rc;

    if (!http_params_check(r, image_params, NULL, &sent) ||
        !admin_product_param(r, 1, &product, &sent))
        return sent;
    if (!param_version(r->arg))
        return bad_version(r, "a version");
    memset(&l, 0, sizeof l);
    l.version = r->arg;
    store_begin(st, 1);
    rc = store_image_get(st, product, r->arg, &im);
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_NOT_FOUND) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_version",
                               "product %s has no image of version %s", product, r->arg);
    }
    if (release_towards(st, product, r->arg, &u) != STORE_OK)
        return store_failed(r);
    if (u.found) {
        store_rollback(st);
        return refuse_in_use(r, "the image is a release's target", &u);
    }
    /* The deltas built from it go too: a new image uploaded later under
     * the same version must not find deltas made from other bytes. */
    if (collect_packages(st, product, &l) != STORE_OK ||
        store_packages_delete_version(st, product, r->arg) != STORE_OK ||
        store_image_delete(st, product, r->arg) != STORE_OK) {
        bytes_free(&l.shas);
        bytes_free(&l.targets);
        return store_failed(r);
    }
    if (store_commit(st) != STORE_OK) {
        bytes_free(&l.shas);
        bytes_free(&l.targets);
        return admin_commit_failed(r);
    }
    admin_drop_object(r->srv, im.sha);
    for (i = 0; i + 65 <= l.shas.n; i += 65)
        if (l.shas.p[i])
            admin_drop_object(r->srv, (const char *)l.shas.p + i);
    json_printf(&out, "{\"deleted\":");
    image_json(&out, &im);
    json_printf(&out, ",\"packages_deleted\":%zu}\n", l.shas.n / 65);
    bytes_free(&l.shas);
    bytes_free(&l.targets);
    return admin_send_json(r, MHD_HTTP_OK, &out);
}

static void image_item(void *ctx, const struct image *im)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    image_json(l->b, im);
}

static int each_image(struct admin_list *l)
{
    return store_images_page(l->st, l->arg, l->pg, image_item, l);
}

enum MHD_Result admin_images(struct http_req *r)
{
    return admin_product_list(r, "images", each_image);
}

/* ---- packages ---- */

static void package_json(struct bytes *b, const struct package *p)
{
    json_printf(b, "{\"product\":");
    json_string(b, p->product);
    json_printf(b, ",\"from\":");
    json_string(b, p->from[0] ? p->from : "*");
    json_printf(b, ",\"to\":");
    json_string(b, p->to);
    json_printf(b, ",\"state\":\"%s\",\"kind\":\"%s\",\"origin\":\"%s\"", p->state, p->kind,
                p->origin);
    /* "tosign": built, waiting for its offline signature (signing.h). */
    if (!strcmp(p->state, "ready") || !strcmp(p->state, "tosign"))
        json_printf(b, ",\"id\":\"%s\",\"size\":%" PRId64 ",\"md5\":\"%s\"", p->sha, p->size,
                    p->md5);
    else {
        json_printf(b, ",\"error\":");
        json_string(b, p->error);
    }
    json_printf(b, "}");
}

static const char *const upload_params[] = {"product", "from", "to", NULL};
static const char *const upload_required[] = {"from", "to", NULL};

enum MHD_Result admin_package_upload(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct package p, old;
    struct bytes out = {0};
    const char *product, *from, *to;
    enum MHD_Result sent;
    uint8_t digest[16];
    int rc, status = MHD_HTTP_CREATED;

    if (!http_params_check(r, upload_params, upload_required, &sent) ||
        !admin_product_param(r, 1, &product, &sent))
        return sent;
    from = http_param(r, "from");
    to = http_param(r, "to");
    if (!param_version(from) || !param_version(to))
        return bad_version(r, "from and to are versions: each");
    if (!strcmp(from, to))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "from and to are the same version");
    if (r->body.n == 0)
        return http_send_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "not_a_package",
                               "the package is empty");
    memset(&p, 0, sizeof p);
    snprintf(p.product, sizeof p.product, "%s", product);
    snprintf(p.from, sizeof p.from, "%s", from);
    snprintf(p.to, sizeof p.to, "%s", to);
    snprintf(p.state, sizeof p.state, "ready");
    snprintf(p.kind, sizeof p.kind, "delta");
    snprintf(p.origin, sizeof p.origin, "uploaded");
    p.size = (int64_t)r->body.n;
    p.created = server_now(r->srv);
    /* The bytes are opaque (a module vendor's delta format): the server
     * only names them and gives the MD5 and size AT+CFOTA=5 checks. */
    host_md5(r->body.p, r->body.n, digest);
    host_hex(digest, 16, p.md5);
    if (objects_put(r->srv->data_dir, r->body.p, r->body.n, p.sha) != 0)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "storing the package: %s", strerror(errno));
    store_begin(st, 1);
    rc = store_package_get(st, product, from, to, &old);
    if (rc == STORE_ERROR)
        return store_failed(r);
    if (rc == STORE_OK && !strcmp(old.origin, "uploaded")) {
        store_commit(st);
        if (strcmp(old.sha, p.sha) != 0)
            return http_send_error(r, MHD_HTTP_CONFLICT, "package_exists",
                                   "product %s has another uploaded package from %s to %s; "
                                   "delete it first", product, from, to);
        p = old;
        status = MHD_HTTP_OK;
    } else {
        /* An uploaded package replaces a built one: the operator's
         * explicit choice for this pair. */
        if (store_package_put(st, &p) != STORE_OK)
            return store_failed(r);
        if (store_commit(st) != STORE_OK)
            return admin_commit_failed(r);
    }
    package_json(&out, &p);
    json_printf(&out, "\n");
    return admin_send_json(r, (unsigned)status, &out);
}

static void package_item(void *ctx, const struct package *p)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    package_json(l->b, p);
}

static int each_package(struct admin_list *l)
{
    return store_packages_page(l->st, l->arg, l->pg, package_item, l);
}

enum MHD_Result admin_packages(struct http_req *r)
{
    return admin_product_list(r, "packages", each_package);
}

enum MHD_Result admin_package_delete(struct http_req *r)
{
    struct store *st = r->srv->store;
    struct sha_list l;
    struct target_use u;
    struct bytes out = {0};
    const char *product;
    enum MHD_Result sent;
    size_t i;

    if (!http_params_check(r, image_params, NULL, &sent) ||
        !admin_product_param(r, 1, &product, &sent))
        return sent;
    if (!param_sha256(r->arg))
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "a package id is 64 lower-case hex digits");
    memset(&l, 0, sizeof l);
    l.sha = r->arg;
    store_begin(st, 1);
    if (collect_packages(st, product, &l) != STORE_OK)
        goto fail;
    if (l.shas.n == 0) {
        store_rollback(st);
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "product %s has no package with the id %s", product, r->arg);
    }
    for (i = 0; i + 33 <= l.targets.n; i += 33) {
        if (release_towards(st, product, (const char *)l.targets.p + i, &u) != STORE_OK)
            goto fail;
        if (u.found) {
            store_rollback(st);
            bytes_free(&l.shas);
            bytes_free(&l.targets);
            return refuse_in_use(r, "a release offers this package", &u);
        }
    }
    if (store_package_delete(st, product, r->arg) != STORE_OK)
        goto fail;
    if (store_commit(st) != STORE_OK) {
        bytes_free(&l.shas);
        bytes_free(&l.targets);
        return admin_commit_failed(r);
    }
    admin_drop_object(r->srv, r->arg);
    json_printf(&out, "{\"deleted\":\"%s\",\"rows\":%zu}\n", r->arg, l.shas.n / 65);
    bytes_free(&l.shas);
    bytes_free(&l.targets);
    return admin_send_json(r, MHD_HTTP_OK, &out);
fail:
    bytes_free(&l.shas);
    bytes_free(&l.targets);
    return store_failed(r);
}

/* ---- products ---- */

static void product_item(void *ctx, const char *name)
{
    struct admin_list *l = ctx;
    admin_list_sep(l);
    json_string(l->b, name);
}

static int each_product(struct admin_list *l)
{
    return store_products_each(l->st, product_item, l);
}

enum MHD_Result admin_products(struct http_req *r)
{
    return admin_short_list(r, "products", each_product);
}

static void count_image(void *ctx, const struct image *im)
{
    (void)im;
    ++*(int *)ctx;
}

static void count_package(void *ctx, const struct package *p)
{
    (void)p;
    ++*(int *)ctx;
}

int admin_product_known(struct store *st, const char *product)
{
    struct page pg;
    int n = 0;
    memset(&pg, 0, sizeof pg);
    pg.limit = 1;
    if (store_images_page(st, product, &pg, count_image, &n) != STORE_OK)
        return -1;
    memset(&pg, 0, sizeof pg);
    pg.limit = 1;
    if (n == 0 && store_packages_page(st, product, &pg, count_package, &n) != STORE_OK)
        return -1;
    return n > 0;
}
