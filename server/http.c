/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/http.c: libmicrohttpd daemon, routing, limits (see http.h).
 *
 * The daemon runs a pool of threads, each with its own epoll loop, so
 * check requests (small, answered from the store in one transaction) are
 * spread over the cores, and package downloads are sent with sendfile from
 * the object file without passing through user space.
 *
 * A request flows: on_request's first call finds the route and refuses a
 * bad admin token or a body over the route's limit before reading it (such
 * refusals close the connection); a body arrives in the following calls;
 * the handler runs at the last call. on_completed frees the request.
 */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "admin_api.h"
#include "signing.h"
#include "admin_auth.h"
#include "dashboard.h"
#include "device_api.h"
#include "json.h"
#include "log.h"
#include "ops_api.h"

struct route {
    const char *method;
    const char *pattern; /* '*' matches one path segment */
    http_handler run;
    enum http_role role; /* admin token role needed */
    size_t max_body;     /* 0: no body allowed */
};

static const struct route routes[] = {
    {"GET", "/d/v1/check", device_check, ROLE_NONE, 0},
    {"GET", "/d/v1/pkg/*", device_download, ROLE_NONE, 0},
    {"HEAD", "/d/v1/pkg/*", device_download, ROLE_NONE, 0},
    {"GET", "/d/v1/report", device_report, ROLE_NONE, 0},
    {"GET", "/healthz", ops_healthz, ROLE_NONE, 0},
    {"GET", "/metrics", ops_metrics, ROLE_READ, 0},
    {"PUT", "/admin/v1/images/*", admin_image_put, ROLE_ADMIN, HTTP_IMAGE_MAX},
    {"DELETE", "/admin/v1/images/*", admin_image_delete, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/images", admin_images, ROLE_READ, 0},
    {"POST", "/admin/v1/packages", admin_package_upload, ROLE_ADMIN, HTTP_IMAGE_MAX},
    {"GET", "/admin/v1/packages", admin_packages, ROLE_READ, 0},
    {"DELETE", "/admin/v1/packages/*", admin_package_delete, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/packages/*", admin_package_get, ROLE_READ, 0},
    {"PUT", "/admin/v1/packages/*/signature", admin_package_signature, ROLE_ADMIN,
     HTTP_IMAGE_MAX + 4096},
    {"GET", "/admin/v1/products", admin_products, ROLE_READ, 0},
    {"POST", "/admin/v1/releases", admin_release_create, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/releases", admin_releases, ROLE_READ, 0},
    {"GET", "/admin/v1/releases/*", admin_release_get, ROLE_READ, 0},
    {"DELETE", "/admin/v1/releases/*", admin_release_delete, ROLE_ADMIN, 0},
    {"POST", "/admin/v1/releases/*/pause", admin_release_pause, ROLE_ADMIN, 0},
    {"POST", "/admin/v1/releases/*/resume", admin_release_resume, ROLE_ADMIN, 0},
    {"POST", "/admin/v1/releases/*/advance", admin_release_advance, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/releases/*/devices", admin_release_devices, ROLE_READ, 0},
    {"POST", "/admin/v1/devices", admin_device_enrol, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/devices", admin_devices, ROLE_READ, 0},
    {"GET", "/admin/v1/devices/*", admin_device_get, ROLE_READ, 0},
    {"GET", "/admin/v1/devices/*/plan", admin_device_plan, ROLE_READ, 0},
    {"POST", "/admin/v1/devices/*/revoke", admin_device_revoke, ROLE_ADMIN, 0},
    {"POST", "/admin/v1/devices/*/rotate", admin_device_rotate, ROLE_ADMIN, 0},
    {"POST", "/admin/v1/tokens", admin_token_create, ROLE_ADMIN, 0},
    {"GET", "/admin/v1/tokens", admin_tokens, ROLE_ADMIN, 0},
    {"DELETE", "/admin/v1/tokens/*", admin_token_delete, ROLE_ADMIN, 0},
    /* Last: the dashboard's files (dashboard.h) hold no data, so need no
     * token; the admin routes above hold it all. */
    {"GET", "/", dashboard_file, ROLE_NONE, 0},
    {"GET", "/*", dashboard_file, ROLE_NONE, 0},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])
_Static_assert(N_ROUTES < METRICS_NO_ROUTE, "metrics.h counts at most METRICS_ROUTES_MAX - 1 routes");

const char *http_route_label(unsigned i)
{
    static char labels[N_ROUTES][64];
    static int made;
    unsigned k;
    if (i >= N_ROUTES)
        return NULL;
    /* Made once, from the table itself, the first time /metrics asks;
     * concurrent first callers write the same bytes. */
    if (!__atomic_load_n(&made, __ATOMIC_ACQUIRE)) {
        for (k = 0; k < N_ROUTES; k++)
            snprintf(labels[k], sizeof labels[k], "%s %s", routes[k].method, routes[k].pattern);
        __atomic_store_n(&made, 1, __ATOMIC_RELEASE);
    }
    return labels[i];
}

struct http_server {
    struct MHD_Daemon *daemon;
    struct cfota_server *srv;
    unsigned header_timeout; /* seconds: until a request header is complete */
    unsigned idle_timeout;   /* seconds without progress, once it is */
};

/* Match url against pattern; the segment under '*' goes to arg. */
static int path_matches(const char *pattern, const char *url, char *arg, size_t cap)
{
    while (*pattern && *url) {
        if (*pattern == '*') {
            size_t n = strcspn(url, "/");
            if (n == 0 || n >= cap)
                return 0;
            memcpy(arg, url, n);
            arg[n] = 0;
            url += n;
            pattern++;
        } else if (*pattern++ != *url++) {
            return 0;
        }
    }
    return *pattern == 0 && *url == 0;
}

/* The route for method and url; if the path exists with other methods,
 * *path_known is set and their names go into allow. */
static const struct route *find_route(const char *method, const char *url, char *arg,
                                      size_t cap, int *path_known, char *allow, size_t allow_cap)
{
    size_t i;
    *path_known = 0;
    allow[0] = 0;
    for (i = 0; i < N_ROUTES; i++) {
        if (!path_matches(routes[i].pattern, url, arg, cap))
            continue;
        if (!strcmp(routes[i].method, method))
            return &routes[i];
        *path_known = 1;
        if (allow[0])
            strncat(allow, ", ", allow_cap - strlen(allow) - 1);
        strncat(allow, routes[i].method, allow_cap - strlen(allow) - 1);
    }
    return NULL;
}

/* ---- answers ---- */

/* The request in the metrics, once, by route and status (0: it ended
 * without an answer). */
static void count(struct http_req *r)
{
    if (r->counted)
        return;
    r->counted = 1;
    metrics_request(&r->srv->metrics, r->route ? (unsigned)(r->route - routes) : METRICS_NO_ROUTE,
                    r->status);
}

enum MHD_Result http_send(struct http_req *r, unsigned status, struct MHD_Response *resp,
                          const char *type)
{
    enum MHD_Result rc;
    if (!resp)
        return MHD_NO;
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    r->status = status;
    /* Counted before a byte of it leaves: a client that has its answer
     * and then reads /metrics finds this request there. */
    count(r);
    rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result http_send_text(struct http_req *r, unsigned status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    return http_send(r, status, resp, "text/plain");
}

enum MHD_Result http_send_json(struct http_req *r, unsigned status, const struct bytes *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(json->n, json->p, MHD_RESPMEM_MUST_COPY);
    return http_send(r, status, resp, "application/json");
}

static struct MHD_Response *error_response(const char *code, const char *message)
{
    struct bytes b = {0};
    struct MHD_Response *resp;
    json_printf(&b, "{\"error\":");
    json_string(&b, code);
    json_printf(&b, ",\"message\":");
    json_string(&b, message);
    json_printf(&b, "}\n");
    resp = MHD_create_response_from_buffer(b.n, b.p, MHD_RESPMEM_MUST_COPY);
    bytes_free(&b);
    return resp;
}

enum MHD_Result http_send_error(struct http_req *r, unsigned status, const char *code,
                                const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (status >= 500) {
        char v[600];
        log_event(r->srv, "error", "method=%s path=%.200s message=%s", r->method, r->url,
                  log_value(message, v, sizeof v));
    }
    return http_send(r, status, error_response(code, message), "application/json");
}

/* ---- parameters ---- */

struct param_scan {
    const char *const *allowed;
    int counts[16];
    char problem[160];
};

static enum MHD_Result scan_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct param_scan *ps = cls;
    int i;
    (void)kind;
    if (ps->problem[0])
        return MHD_YES;
    for (i = 0; ps->allowed[i] && i < 16; i++) {
        if (strcmp(ps->allowed[i], key) != 0)
            continue;
        if (!value) {
            snprintf(ps->problem, sizeof ps->problem, "parameter '%.40s' has no value", key);
        } else if (++ps->counts[i] > 1) {
            snprintf(ps->problem, sizeof ps->problem, "parameter '%.40s' is given twice", key);
        }
        return MHD_YES;
    }
    snprintf(ps->problem, sizeof ps->problem, "unknown parameter '%.40s'", key);
    return MHD_YES;
}

int http_params_check(struct http_req *r, const char *const *allowed,
                      const char *const *required, enum MHD_Result *sent)
{
    struct param_scan ps;
    int i;
    memset(&ps, 0, sizeof ps);
    ps.allowed = allowed;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, scan_param, &ps);
    for (i = 0; !ps.problem[0] && required && required[i]; i++)
        if (!http_param(r, required[i]))
            snprintf(ps.problem, sizeof ps.problem, "parameter '%s' is missing", required[i]);
    if (!ps.problem[0])
        return 1;
    *sent = http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_parameter", "%s", ps.problem);
    return 0;
}

const char *http_param(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* ---- the request cycle ---- */

/* 0 if the admin token is right for the route, else the answer has been
 * queued. */
static int refuse_admin(struct http_req *r, enum MHD_Result *sent)
{
    const char *auth = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    enum http_role role;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) {
        struct MHD_Response *resp = error_response(
            "missing_token", "admin requests need 'Authorization: Bearer <admin token>'");
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        *sent = http_send(r, MHD_HTTP_UNAUTHORIZED, resp, "application/json");
        return 1;
    }
    role = admin_auth_role(r->srv, auth + 7);
    if (role == ROLE_NONE) {
        *sent = http_send_error(r, MHD_HTTP_FORBIDDEN, "bad_token", "the admin token is wrong");
        return 1;
    }
    if (role < r->route->role) {
        *sent = http_send_error(r, MHD_HTTP_FORBIDDEN, "read_only",
                                "this token may only read; %s %s needs an admin token",
                                r->method, r->route->pattern);
        return 1;
    }
    return 0;
}

/* Refuse a body the route cannot take, judging from the headers. */
static int refuse_body(struct http_req *r, enum MHD_Result *sent)
{
    const char *len = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    unsigned long long n = len ? strtoull(len, NULL, 10) : 0;
    if (r->route->max_body == 0 && (n > 0 || te)) {
        *sent = http_send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                                "%s %s takes no request body", r->method, r->route->pattern);
        return 1;
    }
    if (n > r->route->max_body) {
        *sent = http_send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                                "the body is %llu bytes; at most %zu are accepted", n,
                                r->route->max_body);
        return 1;
    }
    return 0;
}

struct header_count {
    const char *name;
    unsigned n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct header_count *c = cls;
    (void)kind, (void)value;
    if (!strcasecmp(key, c->name))
        c->n++;
    return MHD_YES;
}

static unsigned header_count(struct http_req *r, const char *name)
{
    struct header_count c = {name, 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &c);
    return c.n;
}

/* Answer 400 with code and message, and close the connection. */
static enum MHD_Result send_bad_request_and_close(struct http_req *r, const char *code,
                                                  const char *message)
{
    struct MHD_Response *resp = error_response(code, message);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    return http_send(r, MHD_HTTP_BAD_REQUEST, resp, "application/json");
}

/* RFC 9112 §3.2: an HTTP/1.1 request without Host is refused. (Checked
 * here rather than with libmicrohttpd's MHD_OPTION_STRICT_FOR_CLIENT,
 * whose 0.9.75 answer to it sends its status line and headers twice.) */
static int refuse_no_host(struct http_req *r, const char *version, enum MHD_Result *sent)
{
    if (strcmp(version, MHD_HTTP_VERSION_1_1) != 0 || http_header(r, MHD_HTTP_HEADER_HOST))
        return 0;
    *sent = send_bad_request_and_close(r, "bad_request", "an HTTP/1.1 request needs Host");
    return 1;
}

/* A request whose body length can be read two ways (Content-Length given
 * twice, or beside Transfer-Encoding) may be read one way by a proxy in
 * front and the other way here: the rest of its body would then pass for
 * a second request (request smuggling). Refused, and the connection is
 * closed, since where the next request starts is not known. */
static int refuse_ambiguous_length(struct http_req *r, enum MHD_Result *sent)
{
    unsigned lengths = header_count(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (lengths <= 1 && !(lengths == 1 && http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING)))
        return 0;
    *sent = send_bad_request_and_close(r, "bad_request",
                                       lengths > 1 ? "Content-Length is given more than once"
                                                   : "Content-Length and Transfer-Encoding "
                                                     "together");
    return 1;
}

static enum MHD_Result first_call(struct http_req *r, const char *version)
{
    char allow[64];
    int path_known;
    enum MHD_Result sent;
    if (refuse_no_host(r, version, &sent) || refuse_ambiguous_length(r, &sent))
        return sent;
    r->route = find_route(r->method, r->url, r->arg, sizeof r->arg, &path_known, allow,
                          sizeof allow);
    if (!r->route) {
        struct MHD_Response *resp;
        if (!path_known)
            return http_send_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such path: %.200s",
                                   r->url);
        resp = error_response("method_not_allowed", "this path does not take that method");
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
        return http_send(r, MHD_HTTP_METHOD_NOT_ALLOWED, resp, "application/json");
    }
    if (r->route->role != ROLE_NONE && refuse_admin(r, &sent))
        return sent;
    if (refuse_body(r, &sent))
        return sent;
    /* Answer at the next call, even without a body: a response queued in
     * the first call makes libmicrohttpd close the connection, and
     * keep-alive is what makes polling cheap. */
    return MHD_YES;
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct http_server *h = cls;
    struct http_req *r = *req_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->conn = conn;
        r->srv = h->srv;
        r->method = method;
        r->url = url;
        r->started_ns = monotonic_ns();
        *req_cls = r;
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, h->idle_timeout);
        return first_call(r, version);
    }
    if (*upload_data_size > 0) {
        if (!r->body_too_large && r->body.n + *upload_data_size <= r->route->max_body)
            bytes_put(&r->body, upload_data, *upload_data_size);
        else
            r->body_too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->body_too_large)
        return http_send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                               "the body is over %zu bytes", r->route->max_body);
    return r->route->run(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *h = cls;
    struct http_req *r = *req_cls;
    /* A kept-alive connection now waits for its next request header. */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, h->header_timeout);
    if (!r)
        return;
    count(r);
    /* The path without its query: a device token never reaches the log. */
    if (r->srv->access_log)
        log_event(r->srv, "access", "method=%s route=%s path=%.120s status=%u us=%llu%s",
                  r->method, r->route ? r->route->pattern : "none", r->url, r->status,
                  (unsigned long long)((monotonic_ns() - r->started_ns) / 1000),
                  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    bytes_free(&r->body);
    free(r);
    *req_cls = NULL;
}

/* libmicrohttpd's own percent-decoding, except that a value holding %00
 * is left encoded: decoded, its NUL would end the C string early, so
 * "4.0%00junk" would pass for "4.0". Left encoded, its '%' is outside
 * every alphabet (params.h) and the request is refused as malformed. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    if (strstr(s, "%00"))
        return strlen(s);
    return MHD_http_unescape(s);
}

static unsigned or_default(unsigned v, unsigned dflt) { return v ? v : dflt; }

struct http_server *http_start(struct cfota_server *srv, const struct cfota_server_config *cfg,
                               unsigned threads, char *err, size_t errlen)
{
    struct http_server *h = calloc(1, sizeof *h);
    const char *addr = cfg->listen_addr ? cfg->listen_addr : "127.0.0.1";
    struct sockaddr_in sa;
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->srv = srv;
    h->header_timeout = or_default(cfg->header_timeout_s, CFOTA_SERVER_HEADER_TIMEOUT_S);
    h->idle_timeout = or_default(cfg->idle_timeout_s, CFOTA_SERVER_IDLE_TIMEOUT_S);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || cfg->port > 65535) {
        snprintf(err, errlen, "cannot listen on '%s' port %u: not an IPv4 address and port",
                 addr, cfg->port);
        free(h);
        return NULL;
    }
    /* The daemon-wide timeout is the header deadline: libmicrohttpd
     * closes a connection that has been silent for that long, and
     * on_request lengthens it once a request header is complete, so a
     * slow download that keeps moving is never cut. The per-address
     * limit keeps one client from taking every connection; what it
     * leaves over is for everyone else. */
    h->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TURBO, (uint16_t)cfg->port, NULL, NULL,
        on_request, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(threads > 0 ? threads : 1),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_CONNECTION_TIMEOUT, h->header_timeout,
        MHD_OPTION_CONNECTION_LIMIT,
        or_default(cfg->max_connections, CFOTA_SERVER_MAX_CONNECTIONS),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        or_default(cfg->max_per_address, CFOTA_SERVER_MAX_PER_ADDRESS),
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
        MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "cannot listen on %s port %u (taken, or not allowed)", addr,
                 cfg->port);
        free(h);
        return NULL;
    }
    return h;
}

unsigned http_port(const struct http_server *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void http_stop(struct http_server *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
