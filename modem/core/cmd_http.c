/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_http.c: the HTTP family as the note's section 6 uses it to
 * bring a package into the module (spec section 3, [M102 7.2]):
 *
 *   AT+CHTTPCREATE="http://host:port"  -> +CHTTPCREATE: <id>, OK
 *   AT+CHTTPCON=<id>                    -> OK once the TCP connection is up
 *   AT+CHTTPTOFS=<id>,"/path"           -> OK, then the download:
 *        +CHTTPNMIH: <id>,<code>,<header_length>,<header>
 *        +CHTTPTOFSOK: <id>,<content_len>,<len>   or  +CHTTPERR: <id>,<code>
 *   AT+CHTTPDISCON=<id>, AT+CHTTPDESTROY=<id>
 *
 * The order rules of the manual: CREATE before CON or DESTROY, CON before
 * TOFS or DISCON; anything out of order is ERROR, the only failure the
 * chapter names. AT+CHTTPTOFS stores the body at the start of the FOTA
 * update partition, erasing each block as the download reaches it, so
 * that AT+CFOTA=5 can follow at once (the note runs no CFLE in between).
 * The download runs in the background: commands keep working while it
 * runs, and its URCs come when the host reports the transfer's events.
 *
 * Choices where the manual is silent [INF], in docs/modem.md: <header> is
 * the response's header lines, status line excluded, each ending in CRLF
 * (that is how the note's 287 adds up), at most 2048 bytes; an answer
 * other than 2xx is reported by +CHTTPNMIH and not stored
 * (+CHTTPTOFSOK: <id>,<content_len>,0); a body larger than the update
 * partition stops with +CHTTPERR: <id>,-3.
 */
#include "at_command.h"
#include "ota.h"
#include "parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 1024u

static struct modem_httpc *client_arg(struct modem *m, const struct at_args *a, int *id)
{
    long v;
    if (at_arg_int(a, 0, 0, MODEM_HTTP_CLIENTS - 1, &v) != 0)
        return NULL;
    *id = (int)v;
    return &m->httpc[v];
}

static int valid_host(const char *h)
{
    return !strncmp(h, "http://", 7) || !strncmp(h, "https://", 8) || !strncmp(h, "HTTP://", 7) ||
           !strncmp(h, "HTTPS://", 8);
}

/* ---- AT+CHTTPCREATE ---- */

static int create_write(struct modem *m, const struct at_args *a)
{
    char host[MODEM_HTTP_HOST_MAX + 1], user[65] = "", pwd[65] = "";
    int id;

    if ((a->n != 1 && a->n != 3) || at_arg_str(a, 0, host, sizeof host) != 0 || !valid_host(host))
        return AT_ERROR;
    if (a->n == 3 && (at_arg_str(a, 1, user, sizeof user) != 0 || at_arg_str(a, 2, pwd, sizeof pwd) != 0))
        return AT_ERROR;
    for (id = 0; id < MODEM_HTTP_CLIENTS; id++)
        if (!m->httpc[id].created)
            break;
    if (id == MODEM_HTTP_CLIENTS) {
        at_log(m, "CHTTPCREATE: all %d clients in use", MODEM_HTTP_CLIENTS);
        return AT_ERROR;
    }
    memset(&m->httpc[id], 0, sizeof m->httpc[id]);
    m->httpc[id].created = 1;
    strcpy(m->httpc[id].host, host);
    strcpy(m->httpc[id].user, user);
    strcpy(m->httpc[id].password, pwd);
    at_info(m, "+CHTTPCREATE: %d", id);
    return AT_OK;
}

static int create_read(struct modem *m, const struct at_args *a)
{
    int id;
    for (id = 0; id < MODEM_HTTP_CLIENTS; id++) {
        const struct modem_httpc *c = &m->httpc[id];
        at_info(m, "+CHTTPCREATE: %d,%d,%s", id, c->created, c->created ? c->host : "(null)");
    }
    return AT_OK;
}

/* ---- AT+CHTTPCON ---- */

static int con_write(struct modem *m, const struct at_args *a)
{
    struct modem_http_request req;
    struct modem_httpc *c;
    int id;

    if (a->n != 1 || !(c = client_arg(m, a, &id)) || !c->created || c->busy || c->sending)
        return AT_ERROR;
    if (c->connected)
        return AT_OK;
    if (!m->net.pdp_active) {
        at_log(m, "CHTTPCON: no PDP context");
        return AT_ERROR;
    }
    memset(&req, 0, sizeof req);
    req.slot = id;
    req.kind = MODEM_HTTP_CONNECT;
    req.url = c->host;
    if (modem_http_start(m, &req) != 0)
        return AT_ERROR;
    c->busy = 1;
    return AT_PENDING; /* the result comes with the connection (chttp_on_done) */
}

static int con_read(struct modem *m, const struct at_args *a)
{
    int id;
    for (id = 0; id < MODEM_HTTP_CLIENTS; id++) {
        const struct modem_httpc *c = &m->httpc[id];
        at_info(m, "+CHTTPCON: %d,%d,%s", id, c->connected, c->created ? c->host : "(null)");
    }
    return AT_OK;
}

static int con_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPCON: (0-%d)", MODEM_HTTP_CLIENTS - 1);
    return AT_OK;
}

/* ---- AT+CHTTPTOFS ---- */

static int tofs_write(struct modem *m, const struct at_args *a)
{
    struct modem_http_request req;
    struct modem_httpc *c;
    char path[PATH_MAX_LEN + 1], url[MODEM_HTTP_HOST_MAX + PATH_MAX_LEN + 1];
    size_t hn;
    int id, i;

    if (a->n != 2 || !(c = client_arg(m, a, &id)) || !c->connected || c->busy)
        return AT_ERROR;
    if (at_arg_str(a, 1, path, sizeof path) != 0 || path[0] != '/') /* "should begin with /" */
        return AT_ERROR;
    for (i = 0; i < MODEM_HTTP_CLIENTS; i++) {
        if (m->httpc[i].busy) {
            at_log(m, "CHTTPTOFS: client %d is already downloading into the update partition", i);
            return AT_ERROR;
        }
    }
    if (ota_busy(m)) {
        at_log(m, "CHTTPTOFS: AT+CFOTA is downloading into the update partition");
        return AT_ERROR;
    }
    hn = strlen(c->host);
    while (hn > 0 && c->host[hn - 1] == '/')
        hn--;
    snprintf(url, sizeof url, "%.*s%s", (int)hn, c->host, path);
    memset(&req, 0, sizeof req);
    req.slot = id;
    req.kind = MODEM_HTTP_GET;
    req.url = url;
    req.user = c->user[0] ? c->user : NULL;
    req.password = c->user[0] ? c->password : NULL;
    if (modem_http_start(m, &req) != 0)
        return AT_ERROR;
    ota_forget_package(m);
    c->busy = 1;
    c->status = 0;
    c->got = 0;
    c->content_len = 0;
    c->has_content_len = 0;
    c->failed = 0;
    return AT_OK;
}

static int tofs_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPTOFS: (0-%d),\"path\"", MODEM_HTTP_CLIENTS - 1); /* M105's form */
    return AT_OK;
}

/* ---- AT+CHTTPDISCON, AT+CHTTPDESTROY ---- */

static int discon_write(struct modem *m, const struct at_args *a)
{
    struct modem_httpc *c;
    int id;
    if (a->n != 1 || !(c = client_arg(m, a, &id)))
        return AT_ERROR;
    if (!c->connected)
        return AT_OK; /* [INF] clients disconnect every id 0-4 at start-up */
    if (c->busy || c->sending)
        modem_http_cancel(m, id);
    c->busy = 0;
    c->sending = 0;
    c->connected = 0;
    return AT_OK;
}

static int discon_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPDISCON: (0-%d)", MODEM_HTTP_CLIENTS - 1);
    return AT_OK;
}

static int destroy_write(struct modem *m, const struct at_args *a)
{
    struct modem_httpc *c;
    int id;
    if (a->n != 1 || !(c = client_arg(m, a, &id)) || !c->created)
        return AT_ERROR;
    if (c->busy || c->sending)
        modem_http_cancel(m, id);
    memset(c, 0, sizeof *c);
    return AT_OK;
}

static int destroy_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPDESTROY: (0-%d)", MODEM_HTTP_CLIENTS - 1);
    return AT_OK;
}

/* ---- the transfer's events ---- */

static int is_2xx(int status)
{
    return status >= 200 && status < 300;
}

/* Content-Length among the header lines, if there is one. */
static int find_content_length(const char *h, size_t len, uint32_t *out)
{
    const char *end, *v = http_header_value(h, len, "content-length:", &end);
    return v && http_parse_u32(v, end, out, NULL) == 0;
}

void chttp_on_head(struct modem *m, int slot, int status, const char *headers, size_t len)
{
    struct modem_httpc *c = &m->httpc[slot];
    if (c->sending) {
        httpsend_on_head(m, slot, status, headers, len);
        return;
    }
    if (!c->busy || !c->connected)
        return; /* AT+CHTTPCON sends no request */
    c->status = status;
    c->has_content_len = find_content_length(headers, len, &c->content_len);
    at_urc(m, "+CHTTPNMIH: %d,%d,%u,%.*s", slot, status, (unsigned)len, (int)len, headers);
}

static void stop_with_error(struct modem *m, int slot, int code)
{
    struct modem_httpc *c = &m->httpc[slot];
    c->busy = 0;
    c->connected = 0; /* "the client is disconnected automatically" */
    at_urc(m, "+CHTTPERR: %d,%d", slot, code);
}

int chttp_on_body(struct modem *m, int slot, const uint8_t *data, size_t len)
{
    struct modem_httpc *c = &m->httpc[slot];
    int rc;

    if (c->sending) {
        httpsend_on_body(m, slot, data, len);
        return 0;
    }
    if (!c->busy || c->failed)
        return -1;
    if (!is_2xx(c->status))
        return 0; /* an error page is not stored */
    rc = modem_update_store(m, c->got, data, len);
    if (rc < 0)
        return -1; /* power lost: the module is silent now */
    if (rc > 0) {
        at_log(m, "CHTTPTOFS: the body does not fit the update partition");
        modem_http_cancel(m, slot);
        c->failed = 1;
        stop_with_error(m, slot, MODEM_HTTP_E_UNKNOWN);
        return -1;
    }
    c->got += (uint32_t)len;
    return 0;
}

void chttp_on_done(struct modem *m, int slot, int result)
{
    struct modem_httpc *c = &m->httpc[slot];

    if (c->sending) {
        httpsend_on_done(m, slot, result);
        return;
    }
    if (!c->busy)
        return;
    if (!c->connected) {
        /* the end of AT+CHTTPCON */
        c->busy = 0;
        c->connected = result == MODEM_HTTP_DONE;
        if (!c->connected)
            at_log(m, "CHTTPCON: cannot connect to %s (%d)", c->host, result);
        at_final(m, c->connected ? AT_OK : AT_ERROR);
        return;
    }
    if (result != MODEM_HTTP_DONE) {
        stop_with_error(m, slot, result);
        return;
    }
    c->busy = 0;
    if (!c->has_content_len)
        c->content_len = c->got;
    at_urc(m, "+CHTTPTOFSOK: %d,%u,%u", slot, (unsigned)c->content_len,
           (unsigned)(is_2xx(c->status) ? c->got : 0));
}

const struct at_command at_http_commands[] = {
    /* name            exec  test          read         write */
    {"+CHTTPCREATE", NULL, NULL, create_read, create_write},
    {"+CHTTPCON", NULL, con_test, con_read, con_write},
    {"+CHTTPTOFS", NULL, tofs_test, NULL, tofs_write},
    {"+CHTTPDISCON", NULL, discon_test, NULL, discon_write},
    {"+CHTTPDESTROY", NULL, destroy_test, NULL, destroy_write},
    {NULL, NULL, NULL, NULL, NULL},
};
