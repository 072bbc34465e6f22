/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_httpsend.c: one HTTP request on a connected AT+CHTTPCREATE
 * client, and its answer as URCs [M105 8.2.6, 8.2.13-15; HTTPAN 3-4;
 * spec sim7020-clients.md 7.2-7.3]:
 *
 *   AT+CHTTPSEND=<id>,<method>,<path>[,<header hex>[,<type>,<body hex>]]
 *     -> OK when the request is on its way, then
 *   +CHTTPNMIH: <id>,<status>,<header_length>,<header lines>
 *   +CHTTPNMIC: <id>,<more>,<total_length>,<n>,<n bytes as lower hex>  ...
 *   +CHTTPERR: <id>,-2        when the server closes after the answer
 *
 * <method> 0 GET, 1 POST, 2 PUT, 3 DELETE. The custom header is hex of
 * header lines (an issue-17 client sends "Range: bytes=a-b" here); lines
 * ending in LF alone are sent with CRLF. A body is cut into +CHTTPNMIC
 * chunks of 500 bytes: <more> is 1 on all but the last, and the last is
 * sent when the transfer ends, so an empty body still gives one chunk
 * "<id>,0,<total>,0,". AT+CHTTPPARA=0 (the default) refuses a second
 * request while one is in flight.
 */
#include "at_command.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"

#define PATH_MAX_LEN 1024u
#define FIELD_MAX 1024u /* decoded header or body: the line holds 2048 */

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};

/* A hex field, quoted or not, decoded into out (cap bytes); its length
 * or -1. */
static long hex_field(const struct at_args *a, int i, uint8_t *out, size_t cap)
{
    char hex[2 * FIELD_MAX + 1];
    size_t n = a->v[i].len;
    if (n % 2 != 0 || n / 2 > cap || at_arg_str(a, i, hex, sizeof hex) != 0 || host_unhex(hex, out, n / 2) != 0)
        return -1;
    return (long)(n / 2);
}

/* The decoded custom header as CRLF-ended lines; -1 for a NUL. */
static int header_lines(const uint8_t *raw, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (raw[i] == 0 || o + 3 > cap)
            return -1;
        if (raw[i] == '\r')
            continue;
        if (raw[i] == '\n')
            out[o++] = '\r';
        out[o++] = (char)raw[i];
    }
    if (o > 0 && out[o - 1] != '\n') {
        out[o++] = '\r';
        out[o++] = '\n';
    }
    out[o] = 0;
    return 0;
}

static int send_write(struct modem *m, const struct at_args *a)
{
    struct modem_http_request req;
    struct modem_httpc *c;
    char path[PATH_MAX_LEN + 1], url[MODEM_HTTP_HOST_MAX + PATH_MAX_LEN + 2];
    char headers[2 * FIELD_MAX + 3] = "", type[128] = "";
    uint8_t raw[FIELD_MAX], body[FIELD_MAX];
    long id, method, n, body_len = 0;
    size_t hn;

    if ((a->n != 3 && a->n != 4 && a->n != 6) || at_arg_int(a, 0, 0, MODEM_HTTP_CLIENTS - 1, &id) != 0 ||
        at_arg_int(a, 1, 0, 3, &method) != 0 || at_arg_str(a, 2, path, sizeof path) != 0 || !path[0]) {
        at_log(m, "CHTTPSEND: <id 0-4>,<method 0-3>,<path>[,<header hex>[,<type>,<body hex>]]");
        return AT_ERROR;
    }
    c = &m->httpc[id];
    if (!c->connected) {
        at_log(m, "CHTTPSEND: client %ld is not connected (AT+CHTTPCON first)", id);
        return AT_ERROR;
    }
    if ((c->sending && !m->settings.chttppara) || c->busy) {
        at_log(m, "CHTTPSEND: client %ld still has a request in flight", id);
        return AT_ERROR;
    }
    if (a->n >= 4 && ((n = hex_field(a, 3, raw, sizeof raw)) < 0 || header_lines(raw, (size_t)n, headers, sizeof headers) != 0)) {
        at_log(m, "CHTTPSEND: the header must be hex of text lines");
        return AT_ERROR;
    }
    if (a->n == 6) {
        if (at_arg_str(a, 4, type, sizeof type) != 0 || (body_len = hex_field(a, 5, body, sizeof body)) < 0) {
            at_log(m, "CHTTPSEND: bad content type, or the body is not hex");
            return AT_ERROR;
        }
        if ((method == 0 || method == 3) && (type[0] || body_len > 0)) {
            at_log(m, "CHTTPSEND: a %s has no content type or body", methods[method]);
            return AT_ERROR;
        }
    }
    hn = strlen(c->host);
    while (hn > 0 && c->host[hn - 1] == '/')
        hn--;
    snprintf(url, sizeof url, "%.*s%s%s", (int)hn, c->host, path[0] == '/' ? "" : "/", path);
    memset(&req, 0, sizeof req);
    req.slot = (int)id;
    req.kind = MODEM_HTTP_SEND;
    req.url = url;
    req.user = c->user[0] ? c->user : NULL;
    req.password = c->user[0] ? c->password : NULL;
    req.method = methods[method];
    req.headers = headers;
    req.content_type = type[0] ? type : NULL;
    req.body = body;
    req.body_len = (size_t)body_len;
    if (modem_http_start(m, &req) != 0)
        return AT_ERROR;
    c->sending = 1;
    c->status = 0;
    c->close_after = 0;
    c->total = -1;
    c->chunk_len = 0;
    at_defer(m, modem_nb_time_ms(strlen(url) + strlen(headers) + (size_t)body_len));
    return AT_OK;
}

static int send_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPSEND: (0-%d),(0-3),\"path\",\"http header\",\"http content type\",\"http content\"",
            MODEM_HTTP_CLIENTS - 1);
    return AT_OK;
}

/* ---- AT+CHTTPPARA: pipelining allowed (1) or not (0), AUTO_SAVE ---- */

static int para_write(struct modem *m, const struct at_args *a)
{
    return modem_settings_set_flag(m, a, &m->settings.chttppara);
}

static int para_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPPARA: %d", m->settings.chttppara);
    return AT_OK;
}

static int para_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CHTTPPARA: (0-1)");
    return AT_OK;
}

/* ---- the answer ---- */

static int header_says_close(const char *h, size_t len)
{
    const char *end, *v = http_header_value(h, len, "connection:", &end);
    static const char word[] = "close";
    size_t i;
    if (!v || (size_t)(end - v) < sizeof word - 1)
        return 0;
    for (i = 0; i < sizeof word - 1; i++)
        if ((v[i] | 0x20) != word[i])
            return 0;
    return 1;
}

void httpsend_on_head(struct modem *m, int slot, int status, const char *headers, size_t len)
{
    struct modem_httpc *c = &m->httpc[slot];
    const char *end, *v = http_header_value(headers, len, "content-length:", &end);
    uint32_t total;

    c->status = status;
    c->total = v && http_parse_u32(v, end, &total, NULL) == 0 ? (long)total : -1;
    c->close_after = header_says_close(headers, len);
    at_urc(m, "+CHTTPNMIH: %d,%d,%u,%.*s", slot, status, (unsigned)len, (int)len, headers);
}

static void emit_chunk(struct modem *m, int slot, int more)
{
    struct modem_httpc *c = &m->httpc[slot];
    char hex[2 * MODEM_HTTP_CHUNK + 1];
    host_hex(c->chunk, c->chunk_len, hex);
    at_urc(m, "+CHTTPNMIC: %d,%d,%ld,%u,%s", slot, more, c->total, (unsigned)c->chunk_len, hex);
    c->chunk_len = 0;
}

/* A full chunk is only sent when more bytes come, so that the last one
 * always carries <more> = 0. */
void httpsend_on_body(struct modem *m, int slot, const uint8_t *data, size_t len)
{
    struct modem_httpc *c = &m->httpc[slot];
    while (len > 0) {
        size_t n;
        if (c->chunk_len == MODEM_HTTP_CHUNK)
            emit_chunk(m, slot, 1);
        n = MODEM_HTTP_CHUNK - c->chunk_len;
        if (n > len)
            n = len;
        memcpy(c->chunk + c->chunk_len, data, n);
        c->chunk_len += n;
        data += n;
        len -= n;
    }
}

void httpsend_on_done(struct modem *m, int slot, int result)
{
    struct modem_httpc *c = &m->httpc[slot];
    c->sending = 0;
    if (result != MODEM_HTTP_DONE) {
        at_log(m, "CHTTPSEND: client %d: the request failed (%d)", slot, result);
        c->connected = 0; /* "disconnected automatically" */
        at_urc(m, "+CHTTPERR: %d,%d", slot, result);
        return;
    }
    emit_chunk(m, slot, 0);
    if (c->close_after) {
        /* the server closes after its answer, as real modules report */
        c->connected = 0;
        at_urc(m, "+CHTTPERR: %d,%d", slot, MODEM_HTTP_E_CLOSED);
    }
}

const struct at_command at_httpsend_commands[] = {
    /* name          exec  test       read       write */
    {"+CHTTPSEND",   NULL, send_test, NULL,      send_write},
    {"+CHTTPPARA",   NULL, para_test, para_read, para_write},
    {NULL, NULL, NULL, NULL, NULL},
};
