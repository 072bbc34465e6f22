/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/http.h: the HTTP front end (libmicrohttpd) and what handlers use.
 *
 * http.c owns the daemon and the routing table: it matches method and path,
 * checks the admin token of admin routes before any body is read, enforces
 * body limits, collects an upload body, and then calls one handler with a
 * struct http_req. A handler reads parameters through http_params_check
 * and http_param, and answers with exactly one http_send_* call, whose
 * result it returns.
 */
#ifndef CFOTA_SERVER_HTTP_H
#define CFOTA_SERVER_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "bytes.h"
#include "context.h"

#define HTTP_IMAGE_MAX (16u * 1024 * 1024) /* the encoder's limit */

struct route;

/* Who may call a route: anyone (the device API authenticates devices
 * itself), or an admin token of at least this role. */
enum http_role { ROLE_NONE = 0, ROLE_READ = 1, ROLE_ADMIN = 2 };

struct http_req {
    struct MHD_Connection *conn;
    struct cfota_server *srv;
    const char *method;
    const char *url;
    const struct route *route;
    char arg[80];       /* the path segment a route's '*' matched */
    struct bytes body;  /* upload body, if the route takes one */
    int body_too_large;
    unsigned status;    /* of the answer queued, for the log and metrics */
    int counted;        /* in the metrics already (counted when queued) */
    uint64_t started_ns;
};

typedef enum MHD_Result (*http_handler)(struct http_req *r);

/* Start listening on cfg's address and port with cfg's connection limits
 * and timeouts (0: the defaults of server.h); threads: size of the
 * thread pool. Returns NULL with a sentence in err. */
struct http_server *http_start(struct cfota_server *srv, const struct cfota_server_config *cfg,
                               unsigned threads, char *err, size_t errlen);
unsigned http_port(const struct http_server *h);
void http_stop(struct http_server *h);

/* "GET /d/v1/check": the label of route i of the routing table, NULL past
 * the last (metrics.h). */
const char *http_route_label(unsigned i);

/* Check the query string: only names in allowed (NULL-ended), none twice,
 * every name in required present, each with a value. Returns 1, or 0 after
 * answering 400 bad_parameter (its result in *sent). */
int http_params_check(struct http_req *r, const char *const *allowed,
                      const char *const *required, enum MHD_Result *sent);
/* Value of a query parameter, or NULL. */
const char *http_param(struct http_req *r, const char *name);
/* Value of a request header, or NULL. */
const char *http_header(struct http_req *r, const char *name);

/* Answer text/plain (text is copied). */
enum MHD_Result http_send_text(struct http_req *r, unsigned status, const char *text);
/* Answer application/json with the bytes of json (copied; json is kept). */
enum MHD_Result http_send_json(struct http_req *r, unsigned status, const struct bytes *json);
/* Answer {"error":code,"message":...} with a formatted message. */
enum MHD_Result http_send_error(struct http_req *r, unsigned status, const char *code,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Queue a response built by the handler, after adding Content-Type if
 * type is not NULL; destroys it. */
enum MHD_Result http_send(struct http_req *r, unsigned status, struct MHD_Response *resp,
                          const char *type);

#endif
