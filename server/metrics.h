/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/metrics.h: the counters behind GET /metrics (docs/server-api.md
 * §6.2), kept with relaxed atomic additions so that counting costs a
 * request no lock.
 *
 * Requests are counted by route (the index of http.c's routing table, or
 * METRICS_NO_ROUTE) and by status code, folded into the few codes the
 * server answers (anything else counts as "other").
 */
#ifndef CFOTA_SERVER_METRICS_H
#define CFOTA_SERVER_METRICS_H

#include <stdint.h>

#include "bytes.h"

#define METRICS_ROUTES_MAX 40
#define METRICS_NO_ROUTE (METRICS_ROUTES_MAX - 1)
#define METRICS_STATUSES 18

struct metrics {
    uint64_t requests[METRICS_ROUTES_MAX][METRICS_STATUSES];
    uint64_t checks, offers, downloads, bytes_served;
    uint64_t reports_ok, reports_fail;
    uint64_t builds_ready, builds_failed;
    uint64_t wave_advances, auto_pauses;
};

/* Add n to a counter. */
void metrics_add(uint64_t *counter, uint64_t n);
/* Count one request of route (index or METRICS_NO_ROUTE) answered status. */
void metrics_request(struct metrics *m, unsigned route, unsigned status);

/* Append the Prometheus text exposition (format 0.0.4) of m to out.
 * route_label(i) names route i ("GET /d/v1/check"), NULL past the last;
 * queue is the builder's queue length, -1 if unknown. */
void metrics_render(const struct metrics *m, const char *(*route_label)(unsigned i),
                    int64_t queue, struct bytes *out);

#endif
