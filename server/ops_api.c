/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/ops_api.c: health and metrics (see ops_api.h).
 *
 * /healthz answers 200 only if the database answers a query, so a load
 * balancer takes a server with a broken store out of service; it needs no
 * token because it says nothing about the fleet.
 */
#include "ops_api.h"

#include <stdio.h>

#include "json.h"
#include "metrics.h"
#include "store.h"

static const char *const no_params[] = {NULL};

enum MHD_Result ops_healthz(struct http_req *r)
{
    struct bytes b = {0};
    enum MHD_Result sent;
    int ok;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    store_begin(r->srv->store, 0);
    ok = store_ping(r->srv->store) == STORE_OK;
    store_commit(r->srv->store);
    json_printf(&b, "{\"status\":\"%s\",\"version\":\"%s\",\"store\":\"%s\",\"schema\":%d}\n",
                ok ? "ok" : "failing", CFOTA_SERVER_VERSION, ok ? "ok" : "error", STORE_SCHEMA);
    sent = http_send_json(r, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, &b);
    bytes_free(&b);
    return sent;
}

enum MHD_Result ops_metrics(struct http_req *r)
{
    struct bytes b = {0};
    struct MHD_Response *resp;
    enum MHD_Result sent;
    int64_t queue = -1;
    if (!http_params_check(r, no_params, NULL, &sent))
        return sent;
    store_begin(r->srv->store, 0);
    if (store_build_queue(r->srv->store, &queue) != STORE_OK)
        queue = -1;
    store_commit(r->srv->store);
    metrics_render(&r->srv->metrics, http_route_label, queue, &b);
    resp = MHD_create_response_from_buffer(b.n, b.p, MHD_RESPMEM_MUST_COPY);
    bytes_free(&b);
    return http_send(r, MHD_HTTP_OK, resp, "text/plain; version=0.0.4");
}
