/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/http_client.c: libcurl behind modem/core/modem_http.h (http_client.h).
 *
 * One transfer object per request, in a list. The core may start or
 * cancel transfers from inside an event, and events are delivered from
 * inside curl_multi_perform() (header and body) where libcurl forbids
 * adding or removing handles; so start only queues a new transfer and
 * cancel only marks one, and http_client_run() adds, removes and frees
 * them once libcurl has returned. A cancelled transfer delivers nothing
 * more: its body callback returns 0, which makes libcurl stop it.
 *
 * Header lines are collected until the empty line ends them, and
 * delivered as the core wants them: status line dropped, every line
 * ending in CRLF. An interim 1xx answer starts the collection over.
 */
#define _POSIX_C_SOURCE 200809L

#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <curl/curl.h>

#define STALL_SECONDS 30L

struct xfer {
    struct http_client *owner;
    struct xfer *next;
    CURL *easy;
    struct curl_slist *headers_out;
    int slot;
    int added;       /* in the multi handle */
    int cancelled;   /* deliver nothing more; remove */
    int head_sent;   /* modem_http_head() done */
    char head[MODEM_HTTP_HEADER_MAX + 1];
    size_t head_len;
    char errbuf[CURL_ERROR_SIZE];
};

struct http_client {
    struct modem *m;
    CURLM *multi;
    struct xfer *list;
    uint64_t now;
};

/* ---- delivering events ---- */

static void deliver_head(struct xfer *x)
{
    long status = 0;
    if (x->head_sent || x->cancelled)
        return;
    x->head_sent = 1;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    modem_http_head(x->owner->m, x->slot, (int)status, x->head, x->head_len, x->owner->now);
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    size_t len = size * n, text = len;

    if (x->cancelled)
        return 0;
    while (text > 0 && (data[text - 1] == '\n' || data[text - 1] == '\r'))
        text--;
    if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
        x->head_len = 0; /* a status line: a new answer begins */
        return len;
    }
    if (text == 0) {
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200)
            deliver_head(x);
        return len;
    }
    if (x->head_len + text + 2 <= MODEM_HTTP_HEADER_MAX) {
        memcpy(x->head + x->head_len, data, text);
        memcpy(x->head + x->head_len + text, "\r\n", 2);
        x->head_len += text + 2;
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct xfer *x = ctx;
    size_t len = size * n;

    if (x->cancelled)
        return 0;
    deliver_head(x);
    if (x->cancelled)
        return 0;
    if (len > 0 && modem_http_body(x->owner->m, x->slot, data, len, x->owner->now) != 0) {
        x->cancelled = 1;
        return 0;
    }
    return len;
}

/* The manual's +CHTTPERR codes for what libcurl says. */
static int result_code(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK: return MODEM_HTTP_DONE;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT: return MODEM_HTTP_E_DISCONNECTED;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: return MODEM_HTTP_E_CLOSED;
    case CURLE_COULDNT_RESOLVE_HOST: return MODEM_HTTP_E_DNS;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return MODEM_HTTP_E_URL;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2: return MODEM_HTTP_E_PROTOCOL;
    default: return MODEM_HTTP_E_UNKNOWN;
    }
}

/* ---- loopback only ---- */

static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)ctx, (void)purpose;
    if (a->family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a->addr;
        if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
            return CURL_SOCKET_BAD;
    } else if (a->family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->addr;
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return CURL_SOCKET_BAD;
    } else {
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* ---- the ops ---- */

static void xfer_free(struct xfer *x)
{
    if (x->added)
        curl_multi_remove_handle(x->owner->multi, x->easy);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers_out);
    free(x);
}

static void cancel_slot(struct http_client *c, int slot)
{
    struct xfer *x;
    for (x = c->list; x; x = x->next)
        if (x->slot == slot)
            x->cancelled = 1;
}

static void op_cancel(void *ctx, int slot)
{
    cancel_slot(ctx, slot);
}

/* AT+CHTTPSEND's method, header lines and body, sent as the module
 * composes them: libcurl's own Content-Type and Expect are suppressed
 * unless the request gives them. */
static void set_request(struct xfer *x, const struct modem_http_request *req)
{
    const char *p = req->headers ? req->headers : "";
    char line[1100];
    int has_body = !strcmp(req->method, "POST") || !strcmp(req->method, "PUT");

    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (n > 0 && n < sizeof line) {
            memcpy(line, p, n);
            line[n] = 0;
            x->headers_out = curl_slist_append(x->headers_out, line);
        }
        p += n;
        while (*p == '\r' || *p == '\n')
            p++;
    }
    if (has_body) {
        if (req->content_type) {
            snprintf(line, sizeof line, "Content-Type: %s", req->content_type);
            x->headers_out = curl_slist_append(x->headers_out, line);
        } else {
            x->headers_out = curl_slist_append(x->headers_out, "Content-Type:");
        }
        x->headers_out = curl_slist_append(x->headers_out, "Expect:");
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
        curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, req->body_len ? (const char *)req->body : "");
    }
    if (strcmp(req->method, "GET") != 0)
        curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, req->method);
    if (x->headers_out)
        curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers_out);
}

static int op_start(void *ctx, const struct modem_http_request *req)
{
    struct http_client *c = ctx;
    struct xfer *x = calloc(1, sizeof *x);
    char range[32], if_range[128];

    if (!x || !(x->easy = curl_easy_init())) {
        free(x);
        return -1;
    }
    cancel_slot(c, req->slot); /* one transfer per slot */
    x->owner = c;
    x->slot = req->slot;
    curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    if (req->user) {
        curl_easy_setopt(x->easy, CURLOPT_USERNAME, req->user);
        curl_easy_setopt(x->easy, CURLOPT_PASSWORD, req->password ? req->password : "");
    }
    /* An AT+CHTTPCREATE client without a certificate does TLS without
     * authenticating the server (spec sim7020-clients.md 7.1). */
    curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST, 0L);
    if (req->kind == MODEM_HTTP_SEND)
        set_request(x, req);
    if (req->kind == MODEM_HTTP_CONNECT) {
        curl_easy_setopt(x->easy, CURLOPT_CONNECT_ONLY, 1L);
    } else {
        curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
        curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
        if (req->range_from > 0) {
            snprintf(range, sizeof range, "%u-", (unsigned)req->range_from);
            curl_easy_setopt(x->easy, CURLOPT_RANGE, range);
            if (req->if_range) {
                snprintf(if_range, sizeof if_range, "If-Range: %s", req->if_range);
                x->headers_out = curl_slist_append(NULL, if_range);
                curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers_out);
            }
        }
    }
    x->next = c->list;
    c->list = x;
    return 0;
}

struct modem_http_ops http_client_ops(struct http_client *c)
{
    struct modem_http_ops ops;
    ops.ctx = c;
    ops.start = op_start;
    ops.cancel = op_cancel;
    return ops;
}

/* ---- the loop ---- */

struct http_client *http_client_new(struct modem *m)
{
    struct http_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c->m = m;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return NULL;
    }
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    while (c->list) {
        struct xfer *x = c->list;
        c->list = x->next;
        xfer_free(x);
    }
    curl_multi_cleanup(c->multi);
    free(c);
}

int http_client_fds(struct http_client *c, struct pollfd *fds, int cap, int *timeout_ms)
{
    fd_set r, w, e;
    int maxfd = -1, fd, n = 0;
    long t = -1;

    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    if (curl_multi_fdset(c->multi, &r, &w, &e, &maxfd) != CURLM_OK)
        maxfd = -1;
    for (fd = 0; fd <= maxfd && n < cap; fd++) {
        short ev = (short)((FD_ISSET(fd, &r) ? POLLIN : 0) | (FD_ISSET(fd, &w) ? POLLOUT : 0));
        if (!ev)
            continue;
        fds[n].fd = fd;
        fds[n].events = ev;
        fds[n].revents = 0;
        n++;
    }
    curl_multi_timeout(c->multi, &t);
    if (http_client_active(c) && (t < 0 || t > 100))
        t = 100; /* libcurl may not expose a socket during name lookup */
    if (t >= 0 && (*timeout_ms < 0 || t < *timeout_ms))
        *timeout_ms = (int)t;
    return n;
}

/* Add queued transfers, drop cancelled ones; 1 if any was added. */
static int settle(struct http_client *c)
{
    struct xfer **p = &c->list;
    int added = 0;
    while (*p) {
        struct xfer *x = *p;
        if (x->cancelled) {
            *p = x->next;
            xfer_free(x);
            continue;
        }
        if (!x->added) {
            if (curl_multi_add_handle(c->multi, x->easy) == CURLM_OK) {
                x->added = 1;
                added = 1;
            } else {
                x->cancelled = 1; /* reported below as a failed start */
                modem_http_done(c->m, x->slot, MODEM_HTTP_E_UNKNOWN, c->now);
                continue;
            }
        }
        p = &x->next;
    }
    return added;
}

static void finish_done(struct http_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        struct xfer *x = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        if (!x || x->cancelled)
            continue;
        x->cancelled = 1; /* done: removed at the next settle */
        if (msg->data.result == CURLE_OK && x->head_len > 0)
            deliver_head(x);
        modem_http_done(c->m, x->slot, result_code(msg->data.result), c->now);
    }
}

void http_client_run(struct http_client *c, uint64_t now)
{
    int running, rounds = 0;
    c->now = now;
    do {
        settle(c);
        curl_multi_perform(c->multi, &running);
        finish_done(c);
    } while (settle(c) && ++rounds < 8);
}

void http_client_step(struct http_client *c, int timeout_ms, uint64_t now)
{
    struct pollfd fds[16];
    int n = http_client_fds(c, fds, 16, &timeout_ms);
    if (n > 0 || timeout_ms > 0)
        poll(fds, (nfds_t)n, timeout_ms);
    http_client_run(c, now);
}

int http_client_active(const struct http_client *c)
{
    const struct xfer *x;
    int n = 0;
    for (x = c->list; x; x = x->next)
        if (!x->cancelled)
            n++;
    return n;
}
