/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/server_harness.h: running a cfota server inside a test program and
 * talking to it over loopback with libcurl (tests/test_server_*.c).
 *
 * Static inline so that each test program takes what it uses without
 * unused-function warnings; not a test program itself (no test_ prefix).
 * Every helper fails the test on a transport error, so a test body only
 * states the statuses and bodies it expects.
 */
#ifndef CFOTA_TEST_SERVER_HARNESS_H
#define CFOTA_TEST_SERVER_HARNESS_H

#define _GNU_SOURCE
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "admin_client.h"
#include "bytes.h"
#include "server.h"
#include "support.h"

#define TEST_ADMIN_TOKEN "test-admin-token-0123456789abcdef"
/* The firmware the server tests upload: two releases of the example. */
#define TEST_OLD M4APP_V1
#define TEST_NEW M4APP_V2
#define TEST_PRODUCT "m4app"

struct harness {
    char dir[256];
    char base[64]; /* http://127.0.0.1:<port> */
    struct cfota_server *srv;
};

/* An HTTP answer. */
struct answer {
    long status;
    struct bytes body;    /* NUL-terminated, not counted */
    struct bytes headers; /* raw header lines, NUL-terminated */
};

static inline int harness_rm_one(const char *path, const struct stat *sb, int flag,
                                 struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static inline void harness_rm_tree(const char *dir)
{
    nftw(dir, harness_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A server on dir; limits (may be NULL) gives the connection limits and
 * timeouts and the signing options, the rest of the configuration is the
 * harness's. */
static inline void harness_start_limited(struct harness *h, const char *dir,
                                         const struct cfota_server_config *limits)
{
    struct cfota_server_config cfg;
    char err[512];
    memset(&cfg, 0, sizeof cfg);
    if (limits)
        cfg = *limits;
    cfg.data_dir = dir;
    cfg.admin_token = TEST_ADMIN_TOKEN;
    cfg.threads = 2;
    h->srv = cfota_server_start(&cfg, err, sizeof err);
    if (!h->srv)
        fail_msg("server did not start: %s", err);
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%u", cfota_server_port(h->srv));
}

static inline void harness_start_in(struct harness *h, const char *dir)
{
    harness_start_limited(h, dir, NULL);
}

static inline void harness_make_dir(struct harness *h)
{
    snprintf(h->dir, sizeof h->dir, "/tmp/cfota-server-test-XXXXXX");
    if (!mkdtemp(h->dir))
        fail_msg("mkdtemp failed");
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* A server on a fresh data directory and a free port. */
static inline void harness_start(struct harness *h)
{
    harness_make_dir(h);
    harness_start_in(h, h->dir);
}

static inline void harness_stop(struct harness *h)
{
    cfota_server_stop(h->srv);
    h->srv = NULL;
    harness_rm_tree(h->dir);
}

static inline size_t harness_collect(char *data, size_t size, size_t n, void *ctx)
{
    bytes_put(ctx, data, size * n);
    return size * n;
}

/* method path (with query) and optional headers (NULL-ended list);
 * answer into *a (free with answer_free). */
static inline void http_call(const struct harness *h, const char *method, const char *path,
                             const char *const *headers, struct answer *a)
{
    CURL *c = curl_easy_init();
    struct curl_slist *list = NULL;
    char url[2048];
    CURLcode rc;
    memset(a, 0, sizeof *a);
    snprintf(url, sizeof url, "%s%s", h->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a->headers);
    for (; headers && *headers; headers++)
        list = curl_slist_append(list, *headers);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    bytes_byte(&a->body, 0);
    a->body.n--;
    bytes_byte(&a->headers, 0);
    a->headers.n--;
}

static inline void answer_free(struct answer *a)
{
    bytes_free(&a->body);
    bytes_free(&a->headers);
}

static inline const char *answer_text(const struct answer *a)
{
    return a->body.p ? (const char *)a->body.p : "";
}

/* Value of "key=value" line in a device answer into out; 1 if found. */
static inline int kv_get(const char *text, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    const char *p = text;
    while (p && *p) {
        if (!strncmp(p, key, k) && p[k] == '=') {
            size_t n = strcspn(p + k + 1, "\n");
            snprintf(out, cap, "%.*s", (int)n, p + k + 1);
            return 1;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

/* Value of a response header (case-insensitive name) into out; 1 if found. */
static inline int header_get(const struct answer *a, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    const char *p = a->headers.p ? (const char *)a->headers.p : "";
    while (*p) {
        if (!strncasecmp(p, name, k) && p[k] == ':') {
            const char *v = p + k + 1;
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)strcspn(v, "\r\n"), v);
            return 1;
        }
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    return 0;
}

static inline const char *answer_text_of(const struct admin_reply *a)
{
    return a->body.p ? (const char *)a->body.p : "";
}

/* Admin call through the production client; returns the status. */
static inline long admin(const struct harness *h, const char *method, const char *path,
                         const struct bytes *body, struct admin_reply *reply)
{
    if (admin_call(h->base, TEST_ADMIN_TOKEN, method, path, body ? body->p : NULL,
                   body ? body->n : 0, reply) != 0)
        fail_msg("admin %s %s: %s", method, path, reply->error);
    return reply->status;
}

/* Admin call whose answer is not needed; returns the status. */
static inline long admin_status(const struct harness *h, const char *method, const char *path,
                                const struct bytes *body)
{
    struct admin_reply r;
    long status = admin(h, method, path, body, &r);
    admin_reply_free(&r);
    return status;
}

/* Upload an example firmware image (TEST_OLD, TEST_NEW) as version. */
static inline void upload_image(const struct harness *h, const char *file, const char *version)
{
    struct bytes img = {0};
    char path[128];
    image_load(file, &img);
    snprintf(path, sizeof path, "/admin/v1/images/%s?product=" TEST_PRODUCT, version);
    assert_int_equal(admin_status(h, "PUT", path, &img), 201);
    bytes_free(&img);
}

/* Enrol imei in product (its group unchanged); returns the status. */
static inline long enrol_in(const struct harness *h, const char *imei, const char *product)
{
    char path[128];
    snprintf(path, sizeof path, "/admin/v1/devices?imei=%s&product=%s", imei, product);
    return admin_status(h, "POST", path, NULL);
}

/* Device request path with the device's credentials (generation 0). The
 * device is enrolled in TEST_PRODUCT first, if that product exists and
 * the device has no other, since a device without a product is refused. */
static inline void device_path(const struct harness *h, char *out, size_t cap, const char *what,
                               const char *imei, const char *extra)
{
    char tok[33], get[64];
    struct admin_reply a;
    snprintf(get, sizeof get, "/admin/v1/devices/%s", imei);
    if (admin(h, "GET", get, NULL, &a) != 200 || strstr(answer_text_of(&a), "\"product\":\"\""))
        enrol_in(h, imei, TEST_PRODUCT);
    admin_reply_free(&a);
    if (cfota_server_device_token(h->srv, imei, tok) != 0)
        fail_msg("bad test IMEI %s", imei);
    snprintf(out, cap, "/d/v1/%s?imei=%s&tok=%s%s%s", what, imei, tok, extra ? "&" : "",
             extra ? extra : "");
}

/* Integer value of "key":N in JSON text (first occurrence after from). */
static inline long json_int(const char *text, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(text, pat);
    if (!p)
        fail_msg("no %s in %s", key, text);
    return strtol(p + strlen(pat), NULL, 10);
}

#endif
