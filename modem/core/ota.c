/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/ota.c: AT+CFOTA=1..4 against a cfota server (ota.h has the
 * overview; docs/server-api.md the protocol; docs/modem.md the URCs).
 *
 * The run is driven by the HTTP events of the FOTA slot: the answer of a
 * check becomes an offer (package id, size, MD5, versions, URL); the
 * download stores the package at the start of the update partition,
 * erasing each block as it reaches it, and persists the offset at every
 * block it completes, so that a pause, a reset or a power cut loses at
 * most one block of work. Resuming asks for "Range: bytes=<offset>-" with
 * "If-Range: <ETag>"; a 200 instead of a 206 means the server will send
 * the whole package, and the download starts over at offset 0.
 *
 * Rewriting bytes already written is harmless on NOR flash when the data
 * is the same (the cell keeps the AND of both), and the package id is
 * its SHA-256, so a resume from a persisted offset older than the flash
 * (a power cut after the write, before the save) stores the same bytes
 * again. A package is accepted only when its MD5 and SHA-256 match the
 * check and it passes AT+CFOTA=5's acceptance (fota_accept.c): until then
 * nothing outside the update partition is touched.
 */
#include "at_command.h"
#include "ota.h"
#include "parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfota/status.h"
#include "fota.h"
#include "hash.h"

#define URL_MAX (OTA_URL_MAX + OTA_PATH_MAX + 256)

static void say(struct modem *m, const char *what)
{
    at_urc(m, "+CFOTA: %s", what);
}

static void save(struct modem *m)
{
    modem_settings_changed(m);
}

int ota_busy(const struct modem *m)
{
    return m->ota.step != OTA_IDLE;
}

void ota_clear(struct modem *m)
{
    memset(&m->ota, 0, sizeof m->ota);
}

void ota_forget_package(struct modem *m)
{
    struct modem_ota_saved *s = &m->settings.ota;
    if (s->state == OTA_PARTIAL || s->state == OTA_DOWNLOADED) {
        memset(s, 0, sizeof *s);
        save(m);
    }
}

/* ---- URLs ---- */

/* Append "&key=value" (or "?key=value" first), value percent-encoded
 * outside the unreserved characters ('+' must be %2B in a query). */
static void add_param(char *url, size_t cap, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(url);
    n += (size_t)snprintf(url + n, n < cap ? cap - n : 0, "%c%s=", strchr(url, '?') ? '&' : '?', key);
    for (; *value && n + 4 < cap; value++) {
        unsigned char c = (unsigned char)*value;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            url[n++] = (char)c;
        } else {
            url[n++] = '%';
            url[n++] = hex[c >> 4];
            url[n++] = hex[c & 15];
        }
    }
    if (n < cap)
        url[n] = 0;
}

/* The server's base URL (without a trailing '/') followed by path. */
static void base_and_path(const struct modem *m, char *url, size_t cap, const char *path)
{
    size_t n = strlen(m->settings.fota_url);
    while (n > 0 && m->settings.fota_url[n - 1] == '/')
        n--;
    snprintf(url, cap, "%.*s%s", (int)n, m->settings.fota_url, path);
}

/* A device API path with the device's credentials. */
static void server_url(const struct modem *m, char *url, size_t cap, const char *path)
{
    base_and_path(m, url, cap, path);
    add_param(url, cap, "imei", m->cfg.imei);
    if (m->settings.fota_token[0])
        add_param(url, cap, "tok", m->settings.fota_token);
}

static int get(struct modem *m, const char *url, uint32_t range_from, const char *if_range)
{
    struct modem_http_request req;
    memset(&req, 0, sizeof req);
    req.slot = MODEM_HTTP_OTA_SLOT;
    req.kind = MODEM_HTTP_GET;
    req.url = url;
    req.range_from = range_from;
    req.if_range = if_range;
    m->ota.status = 0;
    m->ota.body_len = 0;
    return modem_http_start(m, &req);
}

/* ---- ends of a run ---- */

static void finish(struct modem *m, const char *urc)
{
    m->ota.step = OTA_IDLE;
    if (urc)
        say(m, urc);
}

static void no_package(struct modem *m, const char *why)
{
    at_log(m, "CFOTA: no update package: %s", why);
    finish(m, "No update package");
}

/* Link lost: keep what is stored, remember how much. */
static void pause_download(struct modem *m)
{
    struct modem_ota_saved *s = &m->settings.ota;
    s->state = OTA_PARTIAL;
    s->offset = m->ota.got;
    save(m);
    at_log(m, "CFOTA: download paused at %u of %u bytes", (unsigned)m->ota.got, (unsigned)m->ota.size);
    finish(m, "Download pause");
}

/* The package cannot be had: start over next time, report it with =4. */
static void fail_download(struct modem *m, const char *reason)
{
    struct modem_ota_saved *s = &m->settings.ota;
    memset(s, 0, sizeof *s);
    s->state = OTA_FAILED;
    snprintf(s->from, sizeof s->from, "%s", m->ota.from);
    snprintf(s->to, sizeof s->to, "%s", m->ota.to);
    snprintf(s->reason, sizeof s->reason, "%s", reason);
    save(m);
    at_log(m, "CFOTA: download failed: %s", reason);
    finish(m, "Download fail");
}

/* AT+CFOTA=5's acceptance (fota_accept.c) of the package the offer
 * named: what makes the next boot run the update, or with FOTA_CHECK_ONLY
 * whether it would. Returns CFOTA_OK, CFOTA_E_IO (power lost: the module
 * is silent) or another status (why in the trace). */
static int accept_update(struct modem *m, uint32_t size, const char *md5_hex, enum fota_accept_mode mode)
{
    uint8_t md5[16];
    if (host_unhex(md5_hex, md5, 16) != 0)
        return CFOTA_E_INVAL;
    return fota_accept(m, size, md5, mode, NULL);
}

/* The update is accepted: say so and remember it for AT+CFOTA=4. */
static void updating(struct modem *m, const char *from, const char *to)
{
    struct modem_ota_saved *s = &m->settings.ota;
    char f[OTA_VERSION_MAX + 1], t[OTA_VERSION_MAX + 1];
    snprintf(f, sizeof f, "%s", from);
    snprintf(t, sizeof t, "%s", to);
    memset(s, 0, sizeof *s);
    s->state = OTA_UPDATING;
    strcpy(s->from, f);
    strcpy(s->to, t);
    save(m);
    say(m, "Start to update,please wait for reset"); /* AN 4.1: no space */
}

void ota_note_local_update(struct modem *m, const char *to)
{
    struct modem_ota_saved *s = &m->settings.ota;
    memset(s, 0, sizeof *s);
    s->state = OTA_UPDATING;
    snprintf(s->from, sizeof s->from, "%s", m->rec.version);
    snprintf(s->to, sizeof s->to, "%s", to);
    save(m);
}

/* ---- the download is complete ---- */

static int read_area(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    return cfota_area_read(ctx, off, buf, len);
}

/* The MD5 and SHA-256 of what was stored, streamed from flash, against
 * the offer's. */
static int digests_match(struct modem *m, const char **reason)
{
    uint8_t md5[16], sha[32];
    char hex[65];

    *reason = "read";
    if (host_digest_read(read_area, (void *)&m->map.update, m->ota.size, md5, sha) != 0)
        return 0;
    host_hex(md5, 16, hex);
    if (strcmp(hex, m->ota.md5) != 0) {
        *reason = "md5";
        return 0;
    }
    host_hex(sha, 32, hex);
    if (strcmp(hex, m->ota.package) != 0) {
        *reason = "sha256";
        return 0;
    }
    return 1;
}

static void complete(struct modem *m)
{
    struct modem_ota_saved *s = &m->settings.ota;
    const char *reason;
    int rc;

    if (!digests_match(m, &reason)) {
        fail_download(m, reason);
        return;
    }
    if (m->ota.mode == 2) {
        /* The same checks as the update will make, so that =2 says
         * "Download fail" now rather than =3 failing later. */
        rc = accept_update(m, m->ota.size, m->ota.md5, FOTA_CHECK_ONLY);
        if (rc == CFOTA_E_IO)
            return;
        if (rc != CFOTA_OK) {
            fail_download(m, "package");
            return;
        }
        s->state = OTA_DOWNLOADED;
        s->offset = m->ota.size;
        save(m);
        finish(m, "Download completed");
        return;
    }
    rc = accept_update(m, m->ota.size, m->ota.md5, FOTA_ACCEPT);
    if (rc == CFOTA_E_IO)
        return;
    if (rc != CFOTA_OK) {
        fail_download(m, "package");
        return;
    }
    finish(m, "Download completed");
    updating(m, m->ota.from, m->ota.to);
    at_request_reset(m); /* after the running command's result, if one runs */
}

/* ---- the check ---- */

/* Value of key in the check answer, into out; 0 or -1. */
static int answer_value(const struct modem *m, const char *key, char *out, size_t cap)
{
    const char *p = m->ota.body, *end = p + m->ota.body_len;
    size_t k = strlen(key);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > k && !memcmp(p, key, k) && p[k] == '=') {
            if (n - k - 1 >= cap)
                return -1;
            memcpy(out, p + k + 1, n - k - 1);
            out[n - k - 1] = 0;
            return 0;
        }
        p += n + 1;
    }
    return -1;
}

static int all_hex(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == 0;
}

/* Parse the offer; 0, or -1 when the answer is not one. */
static int read_offer(struct modem *m)
{
    struct modem_ota *o = &m->ota;
    char size[16];
    char *end;
    unsigned long v;

    if (answer_value(m, "package", o->package, sizeof o->package) || !all_hex(o->package, 64) ||
        answer_value(m, "md5", o->md5, sizeof o->md5) || !all_hex(o->md5, 32) ||
        answer_value(m, "size", size, sizeof size) || answer_value(m, "to", o->to, sizeof o->to) ||
        !o->to[0] || answer_value(m, "url", o->path, sizeof o->path) || o->path[0] != '/')
        return -1;
    v = strtoul(size, &end, 10);
    if (*end || size[0] < '0' || size[0] > '9' || v == 0 || v > 0xFFFFFFFFul)
        return -1;
    o->size = (uint32_t)v;
    snprintf(o->from, sizeof o->from, "%s", m->rec.version);
    return 0;
}

static void start_download(struct modem *m)
{
    struct modem_ota *o = &m->ota;
    struct modem_ota_saved *s = &m->settings.ota;
    char url[URL_MAX], etag[70];
    int same = !strcmp(s->package, o->package) && s->size == o->size;

    say(m, "Start to download new package");
    if (o->size > m->map.update.size) {
        fail_download(m, "size");
        return;
    }
    if (same && s->state == OTA_DOWNLOADED) {
        /* =2 fetched it already: nothing to transfer. */
        o->got = o->size;
        complete(m);
        return;
    }
    o->start = same && s->state == OTA_PARTIAL && s->offset < o->size ? s->offset : 0;
    o->got = o->start;
    o->accepted = 0;
    memset(s, 0, sizeof *s);
    s->state = OTA_PARTIAL;
    strcpy(s->package, o->package);
    strcpy(s->md5, o->md5);
    s->size = o->size;
    s->offset = o->start;
    strcpy(s->from, o->from);
    strcpy(s->to, o->to);
    save(m);

    /* The offer's URL is a path on the same server, credentials included. */
    base_and_path(m, url, sizeof url, o->path);
    snprintf(etag, sizeof etag, "\"%s\"", o->package);
    o->step = OTA_DOWNLOAD;
    if (o->start > 0)
        at_log(m, "CFOTA: resuming at %u of %u bytes", (unsigned)o->start, (unsigned)o->size);
    if (get(m, url, o->start, o->start > 0 ? etag : NULL) != 0)
        pause_download(m);
}

static void check_done(struct modem *m, int result)
{
    char status[16];

    if (result != MODEM_HTTP_DONE) {
        no_package(m, "cannot reach the FOTA server");
        return;
    }
    if (m->ota.status != 200) {
        at_log(m, "CFOTA: check answered %d: %.*s", m->ota.status, (int)m->ota.body_len, m->ota.body);
        no_package(m, "the check was refused");
        return;
    }
    if (answer_value(m, "status", status, sizeof status) != 0) {
        no_package(m, "not a check answer");
        return;
    }
    if (strcmp(status, "update") != 0) {
        no_package(m, "the server has none for this version");
        return;
    }
    if (read_offer(m) != 0) {
        no_package(m, "the offer is not understood");
        return;
    }
    start_download(m);
}

int ota_start(struct modem *m, int mode, const char *want)
{
    char url[URL_MAX];
    int i;

    if (ota_busy(m))
        return CME_NOT_ALLOWED;
    for (i = 0; i < MODEM_HTTP_CLIENTS; i++)
        if (m->httpc[i].busy)
            return CME_NOT_ALLOWED; /* CHTTPTOFS owns the update partition */
    ota_clear(m);
    m->ota.mode = mode;
    if (!m->settings.fota_url[0]) {
        no_package(m, "no FOTA server set (AT+CFOTASRV or --fota-server)");
        return AT_OK;
    }
    if (!m->net.pdp_active || !m->rec_ok) {
        no_package(m, "no PDP context");
        return AT_OK;
    }
    server_url(m, url, sizeof url, "/d/v1/check");
    add_param(url, sizeof url, "ver", m->rec.version);
    if (want && want[0])
        add_param(url, sizeof url, "want", want);
    m->ota.step = OTA_CHECK;
    if (get(m, url, 0, NULL) != 0)
        no_package(m, "cannot start the check");
    return AT_OK;
}

/* ---- mode 3 ---- */

int ota_update_downloaded(struct modem *m)
{
    struct modem_ota_saved *s = &m->settings.ota;
    char from[OTA_VERSION_MAX + 1], to[OTA_VERSION_MAX + 1];

    if (ota_busy(m) || s->state != OTA_DOWNLOADED)
        return CME_NOT_ALLOWED;
    if (accept_update(m, s->size, s->md5, FOTA_ACCEPT) != CFOTA_OK)
        return CME_FAILED;
    strcpy(from, m->rec.version);
    strcpy(to, s->to);
    updating(m, from, to);
    at_request_reset(m);
    return AT_OK;
}

/* ---- mode 4 ---- */

int ota_report(struct modem *m)
{
    struct modem_ota_saved *s = &m->settings.ota;
    char url[URL_MAX];
    int ok;

    if (ota_busy(m))
        return CME_NOT_ALLOWED;
    if (s->state != OTA_UPDATING && s->state != OTA_FAILED)
        return AT_OK; /* nothing to report */
    if (!m->settings.fota_url[0]) {
        at_log(m, "CFOTA=4: no FOTA server set (AT+CFOTASRV)");
        return CME_FAILED;
    }
    if (!m->net.pdp_active) {
        at_log(m, "CFOTA=4: the network is not up yet (no PDP context): wait for +CGREG: 1");
        return CME_FAILED;
    }
    ok = s->state == OTA_UPDATING && !strcmp(m->rec.version, s->to);
    server_url(m, url, sizeof url, "/d/v1/report");
    add_param(url, sizeof url, "from", s->from);
    add_param(url, sizeof url, "to", s->to);
    add_param(url, sizeof url, "ver", m->rec.version);
    add_param(url, sizeof url, "result", ok ? "ok" : "fail");
    if (!ok)
        add_param(url, sizeof url, "reason", s->state == OTA_FAILED ? s->reason : "update");
    ota_clear(m);
    m->ota.step = OTA_REPORT;
    if (get(m, url, 0, NULL) != 0) {
        m->ota.step = OTA_IDLE;
        return CME_FAILED;
    }
    return AT_PENDING; /* the final result waits for the server */
}

static void report_done(struct modem *m, int result)
{
    int ok = result == MODEM_HTTP_DONE && m->ota.status == 200;
    m->ota.step = OTA_IDLE;
    if (ok) {
        memset(&m->settings.ota, 0, sizeof m->settings.ota);
        save(m);
    } else {
        at_log(m, "CFOTA: report not recorded (%d, HTTP %d)", result, m->ota.status);
    }
    at_final(m, ok ? AT_OK : CME_FAILED);
}

/* ---- events of the FOTA slot ---- */

/* "Content-Range: bytes <first>-..." names where the answer starts. */
static int range_start(const char *h, size_t len, uint32_t *first)
{
    const char *end, *after, *v = http_header_value(h, len, "content-range: bytes ", &end);
    if (!v || http_parse_u32(v, end, first, &after) != 0 || after == end || *after != '-')
        return -1;
    return 0;
}

void ota_on_head(struct modem *m, int status, const char *headers, size_t len)
{
    struct modem_ota *o = &m->ota;
    uint32_t first;
    char reason[24];

    o->status = status;
    if (o->step != OTA_DOWNLOAD)
        return;
    if (status == 200) {
        if (o->start > 0)
            at_log(m, "CFOTA: the server sends the whole package: starting over");
        o->got = 0;
        o->accepted = 1;
    } else if (status == 206 && range_start(headers, len, &first) == 0 && first == o->start) {
        o->accepted = 1;
    } else {
        modem_http_cancel(m, MODEM_HTTP_OTA_SLOT);
        snprintf(reason, sizeof reason, status == 206 ? "range" : "http:%d", status);
        fail_download(m, reason);
    }
}

int ota_on_body(struct modem *m, const uint8_t *data, size_t len)
{
    struct modem_ota *o = &m->ota;
    uint32_t before;
    int rc;

    if (o->step == OTA_CHECK || o->step == OTA_REPORT) {
        size_t room = OTA_BODY_MAX - o->body_len;
        size_t n = len < room ? len : room;
        memcpy(o->body + o->body_len, data, n);
        o->body_len += n;
        o->body[o->body_len] = 0;
        return 0;
    }
    if (o->step != OTA_DOWNLOAD || !o->accepted)
        return -1;
    if (len > o->size - o->got) {
        modem_http_cancel(m, MODEM_HTTP_OTA_SLOT);
        fail_download(m, "size");
        return -1;
    }
    rc = modem_update_store(m, o->got, data, len);
    if (rc != 0) {
        if (rc > 0) {
            modem_http_cancel(m, MODEM_HTTP_OTA_SLOT);
            fail_download(m, "size");
        }
        return -1;
    }
    before = o->got;
    o->got += (uint32_t)len;
    if (o->got / MODEM_BLOCK != before / MODEM_BLOCK) {
        m->settings.ota.offset = o->got;
        save(m);
    }
    return 0;
}

void ota_on_done(struct modem *m, int result)
{
    struct modem_ota *o = &m->ota;
    switch (o->step) {
    case OTA_CHECK:
        check_done(m, result);
        break;
    case OTA_REPORT:
        report_done(m, result);
        break;
    case OTA_DOWNLOAD:
        if (result != MODEM_HTTP_DONE || !o->accepted)
            pause_download(m);
        else if (o->got != o->size)
            fail_download(m, "size");
        else
            complete(m);
        break;
    default:
        break;
    }
}
