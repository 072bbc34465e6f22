/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/modem_http.h: how the module core does HTTP without doing I/O.
 *
 * The core (modem.h) never opens a socket: it asks its host to start a
 * transfer through struct modem_http_ops, and the host reports what
 * happens with the three modem_http_* event functions below, each with
 * the time. The host is modem/http_client.c (libcurl's multi interface
 * inside the runner's poll loop, or a test's loop); a test can also play
 * the network itself and cut a transfer at any byte.
 *
 * A transfer lives in a slot: slots 0-4 are the AT+CHTTPCREATE clients
 * (cmd_http.c), slot 5 is the module's own FOTA client (ota.c), so the
 * host needs no idea of who asked. One transfer per slot at a time.
 *
 * Events for a slot come in this order: at most one modem_http_head()
 * (the status and the response header lines), any number of
 * modem_http_body(), then exactly one modem_http_done(). A transfer the
 * core cancelled gets no more events. The core may start or cancel
 * transfers from inside an event; the host must cope (queue them).
 */
#ifndef CFOTA_MODEM_HTTP_H
#define CFOTA_MODEM_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct modem;

#define MODEM_HTTP_CLIENTS 5   /* AT+CHTTPCREATE ids 0-4 [M102 7.2] */
#define MODEM_HTTP_OTA_SLOT 5  /* the FOTA client of AT+CFOTA=1/2/4 */
#define MODEM_HTTP_SLOTS 6
#define MODEM_HTTP_HOST_MAX 255u
#define MODEM_HTTP_HEADER_MAX 2048u /* header text carried by +CHTTPNMIH */
#define MODEM_HTTP_CHUNK 500u  /* body bytes per +CHTTPNMIC [INF] */

/* The outcome of a transfer, as the manual's +CHTTPERR codes [M102 7.2]. */
#define MODEM_HTTP_DONE 0          /* the response arrived complete */
#define MODEM_HTTP_E_DISCONNECTED (-1) /* no connection / link lost */
#define MODEM_HTTP_E_CLOSED (-2)   /* closed by the remote side mid-way */
#define MODEM_HTTP_E_UNKNOWN (-3)
#define MODEM_HTTP_E_PROTOCOL (-4) /* not an HTTP answer */
#define MODEM_HTTP_E_DNS (-5)      /* host not found (or not loopback) */
#define MODEM_HTTP_E_URL (-6)      /* URL cannot be parsed */

enum modem_http_kind {
    MODEM_HTTP_CONNECT, /* open a TCP connection to url's host, no request */
    MODEM_HTTP_GET,
    MODEM_HTTP_SEND     /* AT+CHTTPSEND: method, headers and body below */
};

struct modem_http_request {
    int slot;
    enum modem_http_kind kind;
    const char *url;       /* "http://host[:port]/path?query" */
    const char *user;      /* basic authentication, or NULL */
    const char *password;
    uint32_t range_from;   /* > 0: send "Range: bytes=<range_from>-" */
    const char *if_range;  /* with range_from: the If-Range value, or NULL */
    /* MODEM_HTTP_SEND only: */
    const char *method;    /* "GET", "POST", "PUT", "DELETE" */
    const char *headers;   /* header lines, each ending in CRLF ("" none),
                              sent as given, after Host */
    const char *content_type; /* POST/PUT: the Content-Type, or NULL */
    const uint8_t *body;   /* POST/PUT: body_len bytes (Content-Length) */
    size_t body_len;
};

struct modem_http_ops {
    void *ctx;
    /* Start req (copy what you need). 0, or -1 when it cannot even start
     * (the core then treats it as MODEM_HTTP_E_DISCONNECTED). */
    int (*start)(void *ctx, const struct modem_http_request *req);
    /* Forget the transfer of slot; no more events for it. */
    void (*cancel)(void *ctx, int slot);
};

/* ---- events, host to core ---- */

/* The response status and its header lines, status line excluded, each
 * line ending in CRLF, the empty line excluded (len bytes, may be
 * truncated to MODEM_HTTP_HEADER_MAX by the host). */
void modem_http_head(struct modem *m, int slot, int status, const char *headers, size_t len,
                     uint64_t now);

/* Body bytes. Returns 0, or -1 when the core wants the transfer stopped
 * (it has then cancelled the slot itself). */
int modem_http_body(struct modem *m, int slot, const void *data, size_t len, uint64_t now);

/* The end: MODEM_HTTP_DONE or a MODEM_HTTP_E_* code. */
void modem_http_done(struct modem *m, int slot, int result, uint64_t now);

/* Whether a URL's host is loopback (127.0.0.0/8, ::1, localhost): the
 * only hosts the emulator talks to. */
int modem_http_host_is_loopback(const char *url);

/* ---- inside the core ---- */

/* One AT+CHTTPCREATE client (cmd_http.c). */
struct modem_httpc {
    int created, connected;
    int busy;                     /* CON or TOFS in flight */
    char host[MODEM_HTTP_HOST_MAX + 1];
    char user[65], password[65];
    int status;                   /* of the running TOFS */
    uint32_t content_len, got;    /* Content-Length, bytes stored */
    int has_content_len;
    int failed;                   /* a TOFS that stopped storing */
    /* AT+CHTTPSEND (cmd_httpsend.c) */
    int sending;                  /* a request in flight */
    int close_after;              /* the answer said "Connection: close" */
    long total;                   /* +CHTTPNMIC <total_length>, -1 unknown */
    size_t chunk_len;             /* body bytes held for the next URC */
    uint8_t chunk[MODEM_HTTP_CHUNK];
};

#endif
