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

#include "objects.h"
#include "params.h"
#include "rollout.h"
#include "store.h"

#define LAST_SEEN_GRANULARITY 60 /* seconds */
#define RETRY_WHILE_BUILDING 60  /* seconds, the check's retry= */

/* Validate imei and tok (present: checked by http_params_check) and
 * authenticate. 1 if the device is who it says, else answered. */
static int authenticate(struct http_req *r, const char *imei, const char *tok,
                        enum MHD_Result *sent)
{
    char expected[33];
    if (!param_imei(imei)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "imei must be 15 decimal digits");
        return 0;
    }
    if (!param_token(tok)) {
        *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                                "tok must be 32 lower-case hex digits");
        return 0;
    }
    credentials_device_token(r->srv->secret, imei, expected);
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

/* ---- check ---- */

struct choice {
    const struct device *dev;
    const char *want;
    struct release rel;
    int found;
};

static int first_selecting(void *ctx, const struct release *r)
{
    struct choice *c = ctx;
    if (!rollout_selects(r, c->dev, c->want))
        return 0;
    c->rel = *r;
    c->found = 1;
    return 1;
}

/* What the check answers. */
enum offer_kind { OFFER_NONE, OFFER_WAIT, OFFER_PACKAGE };

/* The package for a device on version ver towards r's target. */
static int find_package(struct store *st, const char *ver, const char *target,
                        struct package *out, enum offer_kind *kind)
{
    struct image base;
    int rc = store_package_get(st, ver, target, out);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_OK && !strcmp(out->state, "ready")) {
        *kind = OFFER_PACKAGE;
        return STORE_OK;
    }
    if (rc == STORE_NOT_FOUND) {
        /* A known base whose delta is not built yet: wait for it rather
         * than send the much larger full image over a slow link. */
        rc = store_image_get(st, ver, &base);
        if (rc == STORE_ERROR)
            return rc;
        if (rc == STORE_OK) {
            *kind = OFFER_WAIT;
            return STORE_OK;
        }
    }
    rc = store_package_get(st, "", target, out);
    if (rc == STORE_ERROR)
        return rc;
    if (rc == STORE_NOT_FOUND)
        *kind = OFFER_WAIT;
    else
        *kind = !strcmp(out->state, "ready") ? OFFER_PACKAGE : OFFER_NONE;
    return STORE_OK;
}

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
    return store_assign_put(st, &a);
}

static const char *const check_params[] = {"imei", "tok", "ver", "want", NULL};
static const char *const check_required[] = {"imei", "tok", "ver", NULL};

enum MHD_Result device_check(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *ver, *want;
    struct device dev, before;
    struct choice c;
    struct package pkg;
    enum offer_kind kind = OFFER_NONE;
    enum MHD_Result sent;
    int64_t now = (int64_t)time(NULL);
    int rc, known;
    char text[512];

    if (!http_params_check(r, check_params, check_required, &sent))
        return sent;
    imei = http_param(r, "imei");
    ver = http_param(r, "ver");
    want = http_param(r, "want");
    if (!authenticate(r, imei, http_param(r, "tok"), &sent))
        return sent;
    if (!param_version(ver) || (want && !param_version(want)))
        return http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                               "a version is 1 to 32 of A-Z a-z 0-9 . _ + -, starting with a "
                               "letter or digit");

    store_begin(st, 0);
    rc = store_device_get(st, imei, &dev);
    if (rc == STORE_ERROR)
        goto fail;
    known = rc == STORE_OK;
    if (!known)
        new_device(&dev, imei);
    before = dev;
    snprintf(dev.version, sizeof dev.version, "%s", ver);

    memset(&c, 0, sizeof c);
    c.dev = &dev;
    c.want = want;
    if (store_releases_each(st, first_selecting, &c) != STORE_OK)
        goto fail;
    if (c.found && !strcmp(c.rel.state, "active") && strcmp(c.rel.target, ver) != 0) {
        if (find_package(st, ver, c.rel.target, &pkg, &kind) != STORE_OK)
            goto fail;
    }
    if (kind == OFFER_PACKAGE) {
        if (record_offer(st, &c.rel, imei, ver, &pkg, now) != STORE_OK)
            goto fail;
        dev.release_id = c.rel.id;
    }
    if (!known || strcmp(before.version, dev.version) != 0 ||
        before.release_id != dev.release_id || now - dev.last_seen >= LAST_SEEN_GRANULARITY) {
        dev.last_seen = now;
        if (store_device_put(st, &dev) != STORE_OK)
            goto fail;
    }
    if (store_commit(st) != STORE_OK)
        return store_failed(r);

    if (kind == OFFER_PACKAGE)
        snprintf(text, sizeof text,
                 "status=update\npackage=%s\nsize=%" PRId64 "\nmd5=%s\nsha256=%s\nfrom=%s\nto=%s\n"
                 "url=/d/v1/pkg/%s?imei=%s&tok=%s\n",
                 pkg.sha, pkg.size, pkg.md5, pkg.sha, !strcmp(pkg.kind, "full") ? "*" : ver,
                 c.rel.target, pkg.sha, imei, http_param(r, "tok"));
    else if (kind == OFFER_WAIT)
        snprintf(text, sizeof text, "status=none\nretry=%d\n", RETRY_WHILE_BUILDING);
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

/* Move the device to "downloading" in the release that offered it sha. */
static int mark_downloading(struct store *st, const char *imei, const char *sha, int64_t now)
{
    struct device dev;
    struct assignment a;
    int rc = store_device_get(st, imei, &dev);
    if (rc != STORE_OK || dev.release_id == 0)
        return rc == STORE_ERROR ? rc : STORE_OK;
    rc = store_assign_get(st, dev.release_id, imei, &a);
    if (rc != STORE_OK)
        return rc == STORE_ERROR ? rc : STORE_OK;
    if (strcmp(a.state, "checked") != 0 || strcmp(a.package, sha) != 0)
        return STORE_OK;
    snprintf(a.state, sizeof a.state, "downloading");
    a.updated = now;
    return store_assign_put(st, &a);
}

static const char *const download_params[] = {"imei", "tok", NULL};

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
    const char *imei;
    struct package pkg;
    struct download_plan plan;
    enum MHD_Result sent;
    char path[4200], etag[80];
    struct stat sb;
    int rc, fd;

    if (!http_params_check(r, download_params, download_params, &sent))
        return sent;
    imei = http_param(r, "imei");
    if (!authenticate(r, imei, http_param(r, "tok"), &sent))
        return sent;
    /* The id is only ever compared, never used as a path, but anything
     * that is not an id is answered at once. */
    if (!param_sha256(r->arg))
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "a package id is 64 lower-case hex digits");
    store_begin(st, 0);
    rc = store_package_by_id(st, r->arg, &pkg);
    if (rc == STORE_ERROR) {
        sent = store_failed(r);
        store_rollback(st);
        return sent;
    }
    store_commit(st);
    if (rc == STORE_NOT_FOUND)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "unknown_package",
                               "no package has the id %s", r->arg);
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
        if (mark_downloading(st, imei, pkg.sha, (int64_t)time(NULL)) != STORE_OK) {
            close(fd);
            sent = store_failed(r);
            store_rollback(st);
            return sent;
        }
        if (store_commit(st) != STORE_OK) {
            close(fd);
            return store_failed(r);
        }
    }
    return send_package(r, etag, fd, (uint64_t)sb.st_size, &plan);
}

/* ---- report ---- */

static const char *const report_params[] = {"imei", "tok", "from", "to", "ver",
                                            "result", "reason", NULL};
static const char *const report_required[] = {"imei", "tok", "from", "to", "ver", "result", NULL};

/* Apply the report to the device's assignment in its latest release. */
static int count_report(struct store *st, const struct device *dev, int ok, const char *ver,
                        const char *reason, int64_t now)
{
    struct release rel;
    struct assignment a;
    struct release_counts counts;
    char why[96], pause_reason[128];
    int success, rc;
    if (dev->release_id == 0)
        return STORE_OK;
    rc = store_release_get(st, dev->release_id, &rel);
    if (rc != STORE_OK)
        return rc == STORE_ERROR ? rc : STORE_OK;
    rc = store_assign_get(st, rel.id, dev->imei, &a);
    if (rc != STORE_OK)
        return rc == STORE_ERROR ? rc : STORE_OK;
    /* Success is judged from what the device runs after its reboot, not
     * from what it says. */
    success = ok && !strcmp(ver, rel.target);
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
    if (success)
        return STORE_OK;
    if (store_release_counts(st, rel.id, &counts) != STORE_OK)
        return STORE_ERROR;
    if (rollout_should_pause(&rel, &counts, pause_reason, sizeof pause_reason)) {
        snprintf(rel.state, sizeof rel.state, "paused");
        snprintf(rel.reason, sizeof rel.reason, "%s", pause_reason);
        fprintf(stderr, "cfota server: release %lld paused: %s\n", (long long)rel.id,
                pause_reason);
        return store_release_update(st, &rel);
    }
    return STORE_OK;
}

enum MHD_Result device_report(struct http_req *r)
{
    struct store *st = r->srv->store;
    const char *imei, *from, *to, *ver, *result, *reason;
    struct device dev;
    enum MHD_Result sent;
    int64_t now = (int64_t)time(NULL);
    int rc, ok;

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
    if (!authenticate(r, imei, http_param(r, "tok"), &sent))
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
    rc = store_device_get(st, imei, &dev);
    if (rc == STORE_ERROR)
        goto fail;
    if (rc == STORE_NOT_FOUND)
        new_device(&dev, imei);
    snprintf(dev.version, sizeof dev.version, "%s", ver);
    dev.last_seen = now;
    snprintf(dev.last_report, sizeof dev.last_report, "%s %s->%s on %s%s%s", result, from, to,
             ver, reason[0] ? ": " : "", reason);
    dev.report_time = now;
    if (store_device_put(st, &dev) != STORE_OK || count_report(st, &dev, ok, ver, reason, now))
        goto fail;
    if (store_commit(st) != STORE_OK)
        return store_failed(r);
    return http_send_text(r, MHD_HTTP_OK, "status=recorded\n");
fail:
    sent = store_failed(r);
    store_rollback(st);
    return sent;
}
