/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/device_api.c: check, download and report (docs/server-api.md §3).
 *
 * Each handler validates its parameters (params.h), authenticates the
 * device by recomputing its token, then does all its store work in one
 * short transaction. Device events are not durable against power loss
 * (store.h): losing the last few "checked" marks costs nothing, and a lost
 * report is sent again by the next AT+CFOTA=4.
 *
 * The check is the hot path (every device polls it): it writes to the
 * store only when something changed, and refreshes last_seen at most once
 * a minute per device, so a fleet polling an unchanged server is served
 * from reads.
 */
#include "device_api.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "objects.h"
#include "offer.h"
#include "params.h"
#include "release_state.h"
#include "rollout.h"
#include "store.h"

#define LAST_SEEN_GRANULARITY 60 /* seconds */

/* The token a request carries: tok= in the query, or the Authorization
 * header ("Bearer <token>") for clients that would rather not put it in a
 * URL. NULL if neither; *twice set if both. */
static const char *request_token(struct http_req *r, int *twice)
{
    const char *q = http_param(r, "tok");
    const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h && strncmp(h, "Bearer ", 7) != 0)
        h = NULL;
    *twice = q && h;
    return q ? q : h ? h + 7 : NULL;
}

/* Check imei and the token's form before anything is read. 1, or 0
 * after answering. */
static int credential_form(struct http_req *r, const char *imei, const char **tok,
                           enum MHD_Result *sent)
{
    int twice;
    *tok = request_token(r, &twice);
    if (!param_imei(imei)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "imei must be 15 decimal digits");
        return 0;
    }
    if (twice) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "give the token once: tok= or Authorization, not both");
        return 0;
    }
    if (!*tok) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "parameter 'tok' is missing (or 'Authorization: Bearer <token>')");
        return 0;
    }
    if (!param_token(*tok)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "tok must be 32 lower-case hex digits");
        return 0;
    }
    return 1;
}

/* 1 if tok is the current token of dev (known: read from the store; not
 * known: generation 0), else answered 403. */
static int authenticate(struct http_req *r, const struct device *dev, int known, const char *tok,
                        enum MHD_Result *sent)
{
    char expected[33];
    if (known && dev->revoked) {
        *sent = http_send_error(r, MHD_HTTP_FORBIDDEN, "bad_credential",
                                "this device's token was revoked");
        return 0;
    }
    credentials_device_token(r->srv->secret, dev->imei, known ? dev->token_gen : 0, expected);
    if (!credentials_equal(expected, tok)) {
        *sent = http_send_error(r, MHD_HTTP_FORBIDDEN, "bad_credential",
                                "the token does not match this IMEI");
        return 0;
    }
    return 1;
}

static enum MHD_Result store_failed(struct http_req *r)
{
    return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                           "the store failed: %s", store_error(r->srv->store));
}

static void new_device(struct device *d, const char *imei)
{
    memset(d, 0, sizeof *d);
    snprintf(d->imei, sizeof d->imei, "%s", imei);
}

/* Read the device of imei in the open transaction and authenticate it.
 * 1 with *dev (and *known), else answered and rolled back. */
static int load_device(struct http_req *r, const char *imei, const char *tok, struct device *dev,
                       int *known, enum MHD_Result *sent)
{
    struct store *st = r->srv->store;
    int rc = store_device_get(st, imei, dev);
    if (rc == STORE_ERROR) {
        *sent = store_failed(r);
        store_rollback(st);
        return 0;
    }
    *known = rc == STORE_OK;
    if (!*known)
        new_device(dev, imei);
    if (!authenticate(r, dev, *known, tok, sent)) {
        store_rollback(st);
        return 0;
    }
    return 1;
}

static enum MHD_Result send_no_product(struct http_req *r, const char *imei)
{
    return http_send_error(r, MHD_HTTP_CONFLICT, "no_product",
                           "device %s has no product: enrol it with one "
                           "(cfota admin enrol %s --product P)", imei, imei);
}

/* ---- check ---- */

/* Record that the device was offered pkg by rel (unless it already was). */
static int record_offer(struct store *st, const struct release *rel, const char *imei,
                        const char *ver, const struct package *pkg, int64_t now)
{
    struct assignment a;
    int rc = store_assign_get(st, rel->id, imei, &a);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_OK && !strcmp(a.package, pkg->sha) &&
        (!strcmp(a.state, "checked") || !strcmp(a.state, "downloading")))
        return STORE_OK;
    if (rc == STORE_NOT_FOUND) {
        memset(&a, 0, sizeof a);
        a.release_id = rel->id;
        snprintf(a.imei, sizeof a.imei, "%s", imei);
    }
    snprintf(a.from, sizeof a.from, "%s", ver);
    snprintf(a.package, sizeof a.package, "%s", pkg->sha);
    snprintf(a.state, sizeof a.state, "checked");
    a.reason[0] = 0;
    a.updated = now;
    a.wave = rel->wave;
    return store_assign_put(st, &a);
}

static const char *const check_params[] = {"imei", "tok", "ver", "want", NULL};
static const char *const check_required[] = {"imei", "ver", NULL};

enum MHD_Result device_check(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *ver, *want, *tok;
    struct device dev, before;
    struct offer o;
    enum MHD_Result sent;
    int64_t now = server_now(r->srv);
    int known;
    char text[512];

    if (!http_params_check(r, check_params, check_required, &sent))
        return sent;
    imei = http_param(r, "imei");
    ver = http_param(r, "ver");
    want = http_param(r, "want");
    if (!credential_form(r, imei, &tok, &sent))
        return sent;
    if (!param_version(ver) || (want && !param_version(want)))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "a version is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                               "letter or digit");

    store_begin(st, 0);
    if (!load_device(r, imei, tok, &dev, &known, &sent))
        return sent;
    before = dev;
    snprintf(dev.version, sizeof dev.version, "%s", ver);
    memset(&o, 0, sizeof o);
    if (dev.product[0] && offer_decide(st, &dev, ver, want, now, &o, NULL) != STORE_OK)
        goto fail;
    if (o.kind == OFFER_PACKAGE) {
        if (record_offer(st, &o.rel, imei, ver, &o.pkg, now) != STORE_OK)
            goto fail;
        dev.release_id = o.rel.id;
    }
    /* A device without a product is still recorded, so that the operator
     * sees it in the list and can enrol it. */
    if (!known || strcmp(before.version, dev.version) != 0 ||
        before.release_id != dev.release_id || now - dev.last_seen >= LAST_SEEN_GRANULARITY) {
        dev.last_seen = now;
        if (store_device_put(st, &dev) != STORE_OK)
            goto fail;
    }
    if (store_commit(st) != STORE_OK)
        return store_failed(r);
    if (!dev.product[0])
        return send_no_product(r, imei);

    metrics_add(&r->srv->metrics.checks, 1);
    if (o.kind == OFFER_PACKAGE) {
        metrics_add(&r->srv->metrics.offers, 1);
        /* The url carries the token only if the device sent it in the
         * query: one that used the header keeps using it. */
        snprintf(text, sizeof text,
                 "status=update\npackage=%s\nsize=%" PRId64 "\nmd5=%s\nsha256=%s\nfrom=%s\nto=%s\n"
                 "url=/d/v1/pkg/%s?imei=%s%s%s\n",
                 o.pkg.sha, o.pkg.size, o.pkg.md5, o.pkg.sha,
                 !strcmp(o.pkg.kind, "full") ? "*" : ver, o.rel.target, o.pkg.sha, imei,
                 http_param(r, "tok") ? "&tok=" : "", http_param(r, "tok") ? tok : "");
    } else if (o.kind == OFFER_WAIT)
        snprintf(text, sizeof text, "status=none\nretry=%d\n", o.retry);
    else
        snprintf(text, sizeof text, "status=none\n");
    return http_send_text(r, MHD_HTTP_OK, text);
fail:
    sent = store_failed(r);
    store_rollback(st);
    return sent;
}

/* ---- download ---- */

enum range_kind { RANGE_NONE, RANGE_OK, RANGE_BAD, RANGE_UNSATISFIABLE };

/* A position of a Range header: its value, saturated at UINT64_MAX, and
 * its digits without leading zeros (to compare two positions exactly).
 * RFC 9110 puts no bound on the digits, and a position past 2^64 is as
 * far past the end of any package as UINT64_MAX. */
struct position {
    uint64_t value;
    const char *digits;
    size_t n;
};

/* Read 1*DIGIT at *p. 0 if there is no digit. */
static int parse_position(const char **p, struct position *pos)
{
    const char *start = *p;
    pos->value = 0;
    while (**p == '0' && (*p)[1] >= '0' && (*p)[1] <= '9')
        (*p)++;
    pos->digits = *p;
    while (**p >= '0' && **p <= '9') {
        unsigned d = (unsigned)(**p - '0');
        pos->value = pos->value > (UINT64_MAX - d) / 10 ? UINT64_MAX : pos->value * 10 + d;
        (*p)++;
    }
    pos->n = (size_t)(*p - pos->digits);
    return *p > start;
}

static int position_less(const struct position *a, const struct position *b)
{
    if (a->n != b->n)
        return a->n < b->n;
    return memcmp(a->digits, b->digits, a->n) < 0;
}

/* tchar of RFC 9110 §5.6.2: what a range unit is made of. */
static int is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Parse a Range header (RFC 9110 §14.2: range-unit "=" range-set, the
 * field's surrounding spaces already trimmed by libmicrohttpd) against a
 * package of size bytes into [*first, *last]. Nothing may follow the one
 * range: "bytes=0-5 junk" is malformed, not "bytes=0-5". */
static enum range_kind parse_range(const char *h, uint64_t size, uint64_t *first,
                                   uint64_t *last)
{
    const char *p = h;
    struct position a, b;
    while (is_tchar(*p))
        p++;
    if (p == h || *p != '=')
        return RANGE_BAD;
    if (p - h != 5 || strncasecmp(h, "bytes", 5) != 0)
        return RANGE_NONE; /* another unit: ignored, as RFC 9110 says */
    p++;
    if (strchr(p, ','))
        return RANGE_BAD; /* several ranges, or a malformed list */
    if (*p == '-') { /* suffix-range: the last N bytes */
        p++;
        if (!parse_position(&p, &b) || *p)
            return RANGE_BAD;
        if (b.value == 0)
            return RANGE_UNSATISFIABLE;
        *first = b.value >= size ? 0 : size - b.value;
        *last = size - 1;
        return RANGE_OK;
    }
    if (!parse_position(&p, &a) || *p++ != '-')
        return RANGE_BAD;
    if (*p) {
        if (!parse_position(&p, &b) || *p || position_less(&b, &a))
            return RANGE_BAD;
    } else {
        b.value = UINT64_MAX;
    }
    if (a.value >= size)
        return RANGE_UNSATISFIABLE;
    *first = a.value;
    *last = b.value < size - 1 ? b.value : size - 1;
    return RANGE_OK;
}

/* Move the device to "downloading" in the release that offered it sha;
 * while it downloads, refresh its time now and then, which keeps its slot
 * under the release's cap (offer.h). */
static int mark_downloading(struct store *st, const struct device *dev, const char *sha,
                            int64_t now)
{
    struct assignment a;
    int rc;
    if (dev->release_id == 0)
        return STORE_OK;
    rc = store_assign_get(st, dev->release_id, dev->imei, &a);
    if (rc != STORE_OK)
        return rc == STORE_ERROR ? rc : STORE_OK;
    if (strcmp(a.package, sha) != 0)
        return STORE_OK;
    if (!strcmp(a.state, "checked"))
        snprintf(a.state, sizeof a.state, "downloading");
    else if (strcmp(a.state, "downloading") != 0 || now - a.updated < LAST_SEEN_GRANULARITY)
        return STORE_OK;
    a.updated = now;
    return store_assign_put(st, &a);
}

static const char *const download_params[] = {"imei", "tok", NULL};
static const char *const download_required[] = {"imei", NULL};

/* How a download is answered, decided from the request headers alone. */
struct download_plan {
    unsigned status; /* 200, 206, 304, 400 (bad range) or 416 */
    uint64_t first, last;
};

static void plan_download(struct http_req *r, const char *etag, uint64_t size,
                          struct download_plan *p)
{
    const char *range = http_header(r, MHD_HTTP_HEADER_RANGE);
    const char *if_range = http_header(r, MHD_HTTP_HEADER_IF_RANGE);
    const char *if_none = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    p->status = MHD_HTTP_OK;
    p->first = 0;
    p->last = size - 1;
    if (if_none && (!strcmp(if_none, etag) || !strcmp(if_none, "*"))) {
        p->status = MHD_HTTP_NOT_MODIFIED;
        return;
    }
    /* An If-Range naming another version of the resource means: the
     * client's partial copy is stale, send it all. */
    if (!range || (if_range && strcmp(if_range, etag) != 0))
        return;
    switch (parse_range(range, size, &p->first, &p->last)) {
    case RANGE_NONE:
        p->first = 0;
        p->last = size - 1;
        break;
    case RANGE_OK:
        p->status = MHD_HTTP_PARTIAL_CONTENT;
        break;
    case RANGE_BAD:
        p->status = MHD_HTTP_BAD_REQUEST;
        break;
    case RANGE_UNSATISFIABLE:
        p->status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
        break;
    }
}

static enum MHD_Result send_unsatisfiable(struct http_req *r, uint64_t size)
{
    char body[160], range_text[64];
    struct MHD_Response *resp;
    int n = snprintf(body, sizeof body,
                     "{\"error\":\"range_not_satisfiable\",\"message\":\"the package has %" PRIu64
                     " bytes\"}\n",
                     size);
    snprintf(range_text, sizeof range_text, "bytes */%" PRIu64, size);
    resp = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range_text);
    return http_send(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp, "application/json");
}

/* Send the planned answer; takes ownership of fd. */
static enum MHD_Result send_package(struct http_req *r, const char *etag, int fd, uint64_t size,
                                    const struct download_plan *p)
{
    char range_text[96];
    struct MHD_Response *resp;
    if (p->status != MHD_HTTP_OK && p->status != MHD_HTTP_PARTIAL_CONTENT)
        close(fd);
    switch (p->status) {
    case MHD_HTTP_NOT_MODIFIED:
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        return http_send(r, MHD_HTTP_NOT_MODIFIED, resp, NULL);
    case MHD_HTTP_BAD_REQUEST:
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_range",
                               "Range must be one range: bytes=A-B, bytes=A- or bytes=-N");
    case MHD_HTTP_RANGE_NOT_SATISFIABLE:
        return send_unsatisfiable(r, size);
    }
    resp = MHD_create_response_from_fd_at_offset64(p->last - p->first + 1, fd, p->first);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "private, max-age=31536000, immutable");
    if (p->status == MHD_HTTP_PARTIAL_CONTENT) {
        snprintf(range_text, sizeof range_text, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                 p->first, p->last, size);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range_text);
    }
    return http_send(r, p->status, resp, "application/octet-stream");
}

enum MHD_Result device_download(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *tok;
    struct device dev;
    struct package pkg;
    struct download_plan plan;
    enum MHD_Result sent;
    char path[4200], etag[80];
    struct stat sb;
    int rc, fd, known;

    if (!http_params_check(r, download_params, download_required, &sent))
        return sent;
    imei = http_param(r, "imei");
    if (!credential_form(r, imei, &tok, &sent))
        return sent;
    /* The id is only ever compared, never used as a path, but anything
     * that is not an id is answered at once. */
    if (!param_sha256(r->arg))
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "a package id is 64 lower-case hex digits");
    store_begin(st, 0);
    if (!load_device(r, imei, tok, &dev, &known, &sent))
        return sent;
    if (!dev.product[0]) {
        store_rollback(st);
        return send_no_product(r, imei);
    }
    /* Only a package of the device's own product: an id of another
     * product's package is unknown to it. */
    rc = store_package_by_id(st, dev.product, r->arg, &pkg);
    if (rc == STORE_ERROR) {
        sent = store_failed(r);
        store_rollback(st);
        return sent;
    }
    store_commit(st);
    if (rc == STORE_NOT_FOUND)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "no package of product %s has the id %s", dev.product, r->arg);
    objects_path(r->srv->data_dir, pkg.sha, path, sizeof path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != (uint64_t)pkg.size ||
        sb.st_size == 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                               "package file %s missing or damaged: %s", pkg.sha,
                               fd < 0 ? strerror(e) : "wrong size");
    }
    snprintf(etag, sizeof etag, "\"%s\"", pkg.sha);
    plan_download(r, etag, (uint64_t)sb.st_size, &plan);
    /* Only a download that actually sends bytes moves the device on. */
    if (!strcmp(r->method, "GET") &&
        (plan.status == MHD_HTTP_OK || plan.status == MHD_HTTP_PARTIAL_CONTENT)) {
        store_begin(st, 0);
        if (mark_downloading(st, &dev, pkg.sha, server_now(r->srv)) != STORE_OK) {
            close(fd);
            sent = store_failed(r);
            store_rollback(st);
            return sent;
        }
        if (store_commit(st) != STORE_OK) {
            close(fd);
            return store_failed(r);
        }
        metrics_add(&r->srv->metrics.downloads, 1);
        metrics_add(&r->srv->metrics.bytes_served, plan.last - plan.first + 1);
    }
    return send_package(r, etag, fd, (uint64_t)sb.st_size, &plan);
}

/* ---- report ---- */

static const char *const report_params[] = {"imei", "tok", "from", "to", "ver",
                                            "result", "reason", NULL};
static const char *const report_required[] = {"imei", "from", "to", "ver", "result", NULL};

struct attribution {
    const struct device *dev;
    const char *to;
    struct release rel;
    int found;
};

static int first_with_target(void *ctx, const struct release *r)
{
    struct attribution *at = ctx;
    if (strcmp(r->target, at->to) != 0 || (r->group[0] && strcmp(r->group, at->dev->group)))
        return 0;
    at->rel = *r;
    at->found = 1;
    return 1;
}

/* The release a report towards version to counts for: the one that last
 * offered the device a package, if that was to this version; else the
 * release of the device's product and group for this target that takes
 * precedence (the device was updated another way: over its serial line,
 * or by an HTTP download it was told of elsewhere). */
static int attribute(struct store *st, const struct device *dev, const char *to,
                     struct attribution *at)
{
    int rc;
    memset(at, 0, sizeof *at);
    at->dev = dev;
    at->to = to;
    if (dev->release_id != 0) {
        rc = store_release_get(st, dev->release_id, &at->rel);
        if (rc == STORE_ERROR)
            return rc;
        if (rc == STORE_OK && !strcmp(at->rel.target, to)) {
            at->found = 1;
            return STORE_OK;
        }
    }
    return store_releases_of(st, dev->product, first_with_target, at);
}

/* Apply the report to the device's assignment in the release it is
 * attributed to, and let that release's rules act. */
static int count_report(struct cfota_server *srv, struct device *dev, int ok, const char *from,
                        const char *to, const char *ver, const char *reason, int64_t now)
{
    struct store *st = srv->store;
    struct attribution at;
    struct assignment a;
    char why[96];
    int success, rc;
    if (attribute(st, dev, to, &at) != STORE_OK)
        return STORE_ERROR;
    if (!at.found)
        return STORE_OK;
    rc = store_assign_get(st, at.rel.id, dev->imei, &a);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_NOT_FOUND) {
        memset(&a, 0, sizeof a);
        a.release_id = at.rel.id;
        snprintf(a.imei, sizeof a.imei, "%s", dev->imei);
        snprintf(a.from, sizeof a.from, "%s", from);
        a.wave = at.rel.wave;
    }
    dev->release_id = at.rel.id;
    /* Success is judged from what the device runs after its reboot, not
     * from what it says. */
    success = ok && !strcmp(ver, at.rel.target);
    if (success)
        why[0] = 0;
    else if (ok)
        snprintf(why, sizeof why, "claimed ok but runs %s", ver);
    else
        snprintf(why, sizeof why, "%s", reason[0] ? reason : "fail");
    if (!strcmp(a.state, success ? "succeeded" : "failed") && !strcmp(a.reason, why))
        return STORE_OK; /* the same report again */
    snprintf(a.state, sizeof a.state, "%s", success ? "succeeded" : "failed");
    snprintf(a.reason, sizeof a.reason, "%s", why);
    if (!success)
        a.failures++;
    a.updated = now;
    if (store_assign_put(st, &a) != STORE_OK)
        return STORE_ERROR;
    return release_state_evaluate(srv, &at.rel);
}

enum MHD_Result device_report(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *from, *to, *ver, *result, *reason, *tok;
    struct device dev;
    enum MHD_Result sent;
    int64_t now = server_now(r->srv);
    int ok, known;

    if (!http_params_check(r, report_params, report_required, &sent))
        return sent;
    imei = http_param(r, "imei");
    from = http_param(r, "from");
    to = http_param(r, "to");
    ver = http_param(r, "ver");
    result = http_param(r, "result");
    reason = http_param(r, "reason");
    if (!reason)
        reason = "";
    if (!credential_form(r, imei, &tok, &sent))
        return sent;
    if (!param_version(from) || !param_version(to) || !param_version(ver))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "from, to and ver must be versions (1 to 32 of A-Z a-z 0-9 . _ "
                               "+ -, starting with a letter or digit)");
    if (strcmp(result, "ok") != 0 && strcmp(result, "fail") != 0)
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "result must be 'ok' or 'fail'");
    if (!param_reason(reason))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "reason is at most 64 of A-Z a-z 0-9 . _ + - :");
    ok = !strcmp(result, "ok");

    store_begin(st, 0);
    if (!load_device(r, imei, tok, &dev, &known, &sent))
        return sent;
    snprintf(dev.version, sizeof dev.version, "%s", ver);
    dev.last_seen = now;
    snprintf(dev.last_report, sizeof dev.last_report, "%s %s->%s on %s%s%s", result, from, to,
             ver, reason[0] ? ": " : "", reason);
    dev.report_time = now;
    if ((dev.product[0] && count_report(r->srv, &dev, ok, from, to, ver, reason, now)) ||
        store_device_put(st, &dev) != STORE_OK)
        goto fail;
    if (store_commit(st) != STORE_OK)
        return store_failed(r);
    metrics_add(ok ? &r->srv->metrics.reports_ok : &r->srv->metrics.reports_fail, 1);
    return http_send_text(r, MHD_HTTP_OK, "status=recorded\n");
fail:
    sent = store_failed(r);
    store_rollback(st);
    return sent;
}
