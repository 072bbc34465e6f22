/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/dashboard.c: serves the dashboard's files (see dashboard.h).
 *
 * Every answer carries a Content-Security-Policy that allows scripts,
 * styles and requests only from this server and no framing: the page
 * keeps the admin token in the tab's sessionStorage, so a script injected
 * from elsewhere, or a page framing this one, is what would reach it.
 * Device data shown by the page (a report's reason, a version) is put in
 * as text nodes, never as HTML.
 */
#include "dashboard.h"

#include <string.h>

#include "dashboard_assets.h"

static const char *const no_params[] = {NULL};

static const char policy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
    " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strcmp(dot, ".html"))
        return "text/html; charset=utf-8";
    if (dot && !strcmp(dot, ".js"))
        return "text/javascript; charset=utf-8";
    if (dot && !strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    return "application/octet-stream";
}

static const struct dashboard_asset *find_asset(const char *url)
{
    const struct dashboard_asset *a;
    if (!strcmp(url, "/"))
        url = "/index.html";
    for (a = dashboard_assets; a->path; a++)
        if (!strcmp(a->path, url))
            return a;
    return NULL;
}

enum MHD_Result dashboard_file(struct http_req *r)
{
    const struct dashboard_asset *a;
    struct MHD_Response *resp;
    enum MHD_Result sent;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    a = find_asset(r->url);
    if (!a)
        return http_send_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such path: %.200s",
                               r->url);
    resp = MHD_create_response_from_buffer(a->size, (void *)a->bytes, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Security-Policy", policy);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return http_send(r, MHD_HTTP_OK, resp, content_type(a->path));
}
