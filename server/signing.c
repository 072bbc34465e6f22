/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/signing.c: the server's side of package signatures (signing.h).
 *
 * A signature uploaded for an unsigned package is accepted only if the
 * signed package is that package and nothing else: with its signature
 * removed (SIGNED flag and signature size cleared, header check
 * recomputed) it must be byte for byte the package the server built, and
 * the signature must verify with the release key (the device library's
 * own check, cfota_verify_release). Then the signed package is stored as a
 * new object and every row that named the unsigned one names it instead,
 * state "ready": from then on it is served like any other.
 */
#include "signing.h"

#include <stdio.h>
#include <string.h>

#include "cfota/package.h"
#include "cfota/status.h"
#include "hash.h"
#include "json.h"
#include "objects.h"
#include "sign.h"
#include "store.h"

int signing_init(struct signing *s, const char *sign_key, const char *release_key, char *err, size_t errlen)
{
    char why[512];
    uint8_t point[CFOTA_PUBKEY_SIZE];
    memset(s, 0, sizeof *s);
    if (sign_key && release_key) {
        snprintf(err, errlen, "--sign-key and --release-key exclude each other");
        return -1;
    }
    if (sign_key) {
        /* Load it now, so that a wrong key stops the start, not a build. */
        if (host_pubkey_load(sign_key, point, why, sizeof why) != CFOTA_OK) {
            snprintf(err, errlen, "--sign-key: %s", why);
            return -1;
        }
        snprintf(s->sign_key, sizeof s->sign_key, "%s", sign_key);
    }
    if (release_key) {
        if (host_verifier_load(release_key, &s->key, &s->trust, why, sizeof why) != CFOTA_OK) {
            snprintf(err, errlen, "--release-key: %s", why);
            return -1;
        }
        s->offline = 1;
    }
    return 0;
}

int signing_on_build(const struct signing *s, struct bytes *pkg, struct package *p, char *err, size_t errlen)
{
    char why[512];
    if (s->sign_key[0] && host_package_sign(pkg, s->sign_key, why, sizeof why) != CFOTA_OK) {
        snprintf(err, errlen, "signing: %s", why);
        return -1;
    }
    snprintf(p->state, sizeof p->state, "%s", s->offline ? "tosign" : "ready");
    return 0;
}

/* ---- the operator's two requests ---- */

struct find {
    const char *sha;
    struct package rows[16]; /* the pairs served by one package */
    unsigned n;
};

static void find_rows(void *ctx, const struct package *p)
{
    struct find *f = ctx;
    if (!strcmp(p->sha, f->sha) && f->n < sizeof f->rows / sizeof f->rows[0])
        f->rows[f->n++] = *p;
}

/* A package id is a SHA-256 in lower-case hex: nothing else names a file. */
static int id_ok(const char *id)
{
    size_t i;
    for (i = 0; id[i]; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return i == 64;
}

/* The rows naming package r->arg (f->n 0: none, or not an id). */
static int lookup(struct http_req *r, struct find *f)
{
    int rc;
    memset(f, 0, sizeof *f);
    if (!id_ok(r->arg))
        return STORE_OK;
    f->sha = r->arg;
    store_begin(r->srv->store, 0);
    rc = store_packages_with_id(r->srv->store, f->sha, find_rows, f);
    store_commit(r->srv->store);
    return rc;
}

enum MHD_Result admin_package_get(struct http_req *r)
{
    struct find f;
    struct bytes pkg = {0};
    struct MHD_Response *resp;
    if (lookup(r, &f) != STORE_OK)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "the store failed");
    if (f.n == 0 || objects_read(r->srv->data_dir, r->arg, &pkg) != 0)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no package %s", r->arg);
    resp = MHD_create_response_from_buffer(pkg.n, pkg.p, MHD_RESPMEM_MUST_FREE);
    return http_send(r, MHD_HTTP_OK, resp, "application/octet-stream");
}

/* The signed package without its signature: what it was before signing. */
static int strip_signature(const struct bytes *signed_pkg, struct bytes *out)
{
    struct cfota_header h;
    uint8_t head[CFOTA_HEADER_MAX];
    int n;
    if (cfota_header_parse(&h, signed_pkg->p, signed_pkg->n) != CFOTA_OK || !(h.flags & CFOTA_FLAG_SIGNED))
        return -1;
    h.flags &= (uint8_t)~CFOTA_FLAG_SIGNED;
    h.sig_size = 0;
    if ((n = cfota_header_write(&h, head)) < 0 || (uint64_t)h.header_size + h.payload_size > signed_pkg->n)
        return -1;
    bytes_put(out, head, (size_t)n);
    bytes_put(out, signed_pkg->p + h.header_size, h.payload_size);
    return 0;
}

enum MHD_Result admin_package_signature(struct http_req *r)
{
    const struct signing *s = r->srv->signing;
    struct cfota_policy policy;
    struct cfota_header h;
    struct bytes built = {0}, stripped = {0};
    struct find f;
    char why[512], sha[65], md5_hex[33];
    uint8_t md5[16];
    unsigned i;
    int same;
    if (!s->offline)
        return http_send_error(r, MHD_HTTP_CONFLICT, "not_offline",
                               "this server signs its own packages or none: no --release-key");
    if (lookup(r, &f) != STORE_OK)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "the store failed");
    if (f.n == 0 || objects_read(r->srv->data_dir, r->arg, &built) != 0)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no package %s", r->arg);
    same = strip_signature(&r->body, &stripped) == 0 && stripped.n == built.n &&
           memcmp(stripped.p, built.p, built.n) == 0;
    bytes_free(&stripped);
    bytes_free(&built);
    if (!same)
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "not_this_package",
                               "the body is not package %s with a signature", r->arg);
    memset(&policy, 0, sizeof policy);
    policy.verifier = &s->trust;
    if (cfota_header_parse(&h, r->body.p, r->body.n) == CFOTA_OK)
        policy.product_id = h.product_id;
    if (host_package_check(r->body.p, r->body.n, &policy, why, sizeof why) != CFOTA_OK)
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_signature", "%s", why);
    if (objects_put(r->srv->data_dir, r->body.p, r->body.n, sha) != 0)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "cannot store the package");
    host_md5(r->body.p, r->body.n, md5);
    host_hex(md5, 16, md5_hex);
    store_begin(r->srv->store, 1);
    for (i = 0; i < f.n; i++) {
        struct package p = f.rows[i];
        memcpy(p.sha, sha, sizeof p.sha);
        memcpy(p.md5, md5_hex, sizeof p.md5);
        p.size = (int64_t)r->body.n;
        snprintf(p.state, sizeof p.state, "ready");
        if (store_package_put(r->srv->store, &p) != STORE_OK) {
            store_rollback(r->srv->store);
            return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "the store failed");
        }
    }
    if (store_commit(r->srv->store) != STORE_OK)
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "the store failed to commit");
    {
        struct bytes out = {0};
        enum MHD_Result sent;
        json_printf(&out, "{\"id\": \"%s\", \"state\": \"ready\", \"size\": %zu}\n", sha, r->body.n);
        sent = http_send_json(r, MHD_HTTP_OK, &out);
        bytes_free(&out);
        return sent;
    }
}
