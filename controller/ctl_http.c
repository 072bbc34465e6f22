/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_http.c: update through HTTP, the note's section 6: the module
 * itself downloads the package into its FOTA update partition, then the
 * controller asks it to update as in section 5.
 *
 *   AT+CHTTPCREATE="http://host:port"    +CHTTPCREATE: <id>, OK
 *   AT+CHTTPCON=<id>                     OK
 *   AT+CHTTPTOFS=<id>,"<path>"           OK, +CHTTPNMIH: <id>,<status>,...
 *                                        (+CHTTPTOFS: progress), then
 *                                        +CHTTPTOFSOK: <id>,<content_len>,<len>
 *                                        or +CHTTPERR: <id>,<code>
 *   AT+CHTTPDISCON=<id>, AT+CHTTPDESTROY=<id>   always, once created
 *   AT+IPR, AT+CGMR, AT+CFOTA=5,<len>,<md5>, ...    as section 5
 *
 * The package's length and MD5 come from the caller (the FOTA server's
 * check answer says them); the module can not be asked for the MD5 of what
 * it downloaded, and AT+CFOTA=5 checks it. The header lines that follow
 * +CHTTPNMIH carry no prefix; the channel drops them as stray lines.
 */
#include <string.h>

#include "ctl_internal.h"

/* Split url into the part AT+CHTTPCREATE takes (scheme://host[:port]) and
 * the path. Returns the length of the first part, 0 if the URL is bad. */
static size_t split_url(const char *url)
{
    const char *host = ctl_after(url, "http://"), *p;
    if (!host)
        host = ctl_after(url, "https://");
    if (!host)
        return 0;
    for (p = host; *p && *p != '/'; p++) {
    }
    if (*p != '/' || p == host || p[1] == '\0')
        return 0;
    return (size_t)(p - url);
}

/* One HTTP URC of our client. Returns 1 when the download is over
 * (result in *res), 0 to keep waiting. */
static int on_http_urc(struct cfota_ctl *ctl, const struct cfota_at_urc *u, uint32_t id,
                       uint32_t len, int *res)
{
    const char *s = ctl_http_urc(u, id);
    uint32_t a, b;
    int32_t code;
    if (u->flags & CFOTA_URC_F_RESET) {
        *res = CFOTA_CTL_E_RESET;
        return 1;
    }
    if (!s)
        return 0;
    switch (u->kind) {
    case CFOTA_URC_HTTP_HEADER:
        if (cfota_at_field_uint(s, 1, &a) == 0) {
            ctl->rep->http = (int32_t)a;
            if (a != 200 && a != 206) {
                *res = CFOTA_CTL_E_HTTP;
                return 1;
            }
        }
        return 0;
    case CFOTA_URC_HTTP_PROGRESS:
        if (cfota_at_field_uint(s, 2, &a) == 0 && cfota_at_field_uint(s, 3, &b) == 0) {
            ctl->rep->bytes = b;
            if (ctl_step(ctl, CFOTA_CTL_STEP_HTTP_GET, b, a)) {
                *res = CFOTA_CTL_E_CANCELLED;
                return 1;
            }
        }
        return 0;
    case CFOTA_URC_HTTP_DONE:
        if (cfota_at_field_uint(s, 1, &a) != 0 || cfota_at_field_uint(s, 2, &b) != 0)
            return 0;
        ctl->rep->bytes = b;
        *res = a == len && b == len ? CFOTA_CTL_OK : CFOTA_CTL_E_LENGTH;
        return 1;
    case CFOTA_URC_HTTP_ERROR:
        ctl->rep->http = cfota_at_field_int(s, 1, &code) == 0 ? code : -3;
        *res = CFOTA_CTL_E_HTTP;
        return 1;
    default:
        return 0;
    }
}

/* AT+CHTTPTOFS and its URCs, up to http_ms. */
static int download(struct cfota_ctl *ctl, const char *path, uint32_t id, uint32_t len)
{
    uint32_t start, limit = ctl_http_ms(ctl);
    int r, res;
    if (ctl_step(ctl, CFOTA_CTL_STEP_HTTP_GET, 0, len))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_HTTP_GET);
    ctl_cmd_begin(ctl, "AT+CHTTPTOFS=");
    ctl_cmd_uint(ctl, id);
    ctl_cmd_add(ctl, ",");
    ctl_cmd_quoted(ctl, path);
    if ((r = ctl_run(ctl, NULL, NULL, ctl_radio_ms(ctl), CFOTA_CTL_STEP_HTTP_GET)) != 0)
        return r;
    start = ctl_now(ctl);
    for (;;) {
        struct cfota_at_urc u;
        uint32_t elapsed = ctl_now(ctl) - start;
        if (elapsed >= limit)
            return ctl_end(ctl, CFOTA_CTL_E_TIMEOUT, CFOTA_CTL_STEP_HTTP_GET);
        r = cfota_at_wait_urc(&ctl->at, &u, limit - elapsed < 1000u ? limit - elapsed : 1000u);
        if (r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, CFOTA_CTL_E_IO, CFOTA_CTL_STEP_HTTP_GET);
        if (r == CFOTA_CTL_OK) {
            if (on_http_urc(ctl, &u, id, len, &res))
                return ctl_end(ctl, res, CFOTA_CTL_STEP_HTTP_GET);
        } else if (ctl_step(ctl, CFOTA_CTL_STEP_HTTP_GET, ctl->rep->bytes, len)) {
            return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_HTTP_GET);
        }
    }
}

/* Disconnect and destroy the client whatever happened. */
static void close_client(struct cfota_ctl *ctl, uint32_t id)
{
    (void)ctl_step(ctl, CFOTA_CTL_STEP_HTTP_CLOSE, 0, 0);
    ctl_http_close(ctl, id);
}

int cfota_ctl_http(struct cfota_ctl *ctl, const char *url, uint32_t len, const char *md5_hex,
                   const char *expect_version, struct cfota_ctl_report *rep)
{
    size_t host_len;
    uint32_t id;
    int r;
    if (!ctl || !rep)
        return CFOTA_CTL_E_INVAL;
    ctl_begin(ctl, rep);
    host_len = url ? split_url(url) : 0;
    if (!host_len || len == 0 || !ctl_is_md5(md5_hex))
        return ctl_end(ctl, CFOTA_CTL_E_INVAL, CFOTA_CTL_STEP_NONE);
    if (len > CFOTA_CTL_PACKAGE_MAX)
        return ctl_end(ctl, CFOTA_CTL_E_TOO_BIG, CFOTA_CTL_STEP_NONE);
    if ((r = ctl_probe(ctl)) != 0)
        return r;
    cfota_at_urc_clear(&ctl->at);

    if (ctl_step(ctl, CFOTA_CTL_STEP_HTTP_OPEN, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_HTTP_OPEN);
    if ((r = ctl_http_open(ctl, url, host_len, &id)) != 0)
        return r;
    r = download(ctl, url + host_len, id, len);
    if (r) {
        int step = rep->step;  /* the failing step, not the cleanup's */
        close_client(ctl, id);
        return ctl_end(ctl, r, step);
    }
    close_client(ctl, id);

    if ((r = ctl_baud(ctl)) != 0)
        return r;
    if ((r = ctl_version(ctl, rep->before, CFOTA_CTL_STEP_VERSION)) != 0)
        return r;
    if ((r = ctl_trigger_local(ctl, len, md5_hex)) != 0)
        return r;
    return ctl_follow(ctl, 0, 0, expect_version);
}
