/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/metrics.c: counting and the Prometheus text format (see
 * metrics.h). Counters only grow; a scraper computes rates.
 */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>

#include "json.h"

static const unsigned statuses[METRICS_STATUSES - 1] = {
    200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 409, 413, 416, 422, 429, 500, 503,
};

void metrics_add(uint64_t *counter, uint64_t n)
{
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

void metrics_request(struct metrics *m, unsigned route, unsigned status)
{
    unsigned i;
    if (route >= METRICS_ROUTES_MAX)
        route = METRICS_NO_ROUTE;
    for (i = 0; i < METRICS_STATUSES - 1 && statuses[i] != status; i++)
        ;
    metrics_add(&m->requests[route][i], 1);
}

static uint64_t get(const uint64_t *counter) { return __atomic_load_n(counter, __ATOMIC_RELAXED); }

static void counter(struct bytes *out, const char *name, const char *help, const char *labels,
                    uint64_t v)
{
    json_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s%s %" PRIu64 "\n", name, help, name,
                name, labels, v);
}

void metrics_render(const struct metrics *m, const char *(*route_label)(unsigned i),
                    int64_t queue, struct bytes *out)
{
    unsigned r, s;
    json_printf(out, "# HELP cfota_requests_total HTTP requests by route and status.\n"
                     "# TYPE cfota_requests_total counter\n");
    for (r = 0; r < METRICS_ROUTES_MAX; r++) {
        const char *label = r == METRICS_NO_ROUTE ? "none" : route_label(r);
        if (!label)
            continue;
        for (s = 0; s < METRICS_STATUSES; s++) {
            uint64_t v = get(&m->requests[r][s]);
            if (v == 0)
                continue;
            json_printf(out, "cfota_requests_total{route=\"%s\",status=\"", label);
            if (s < METRICS_STATUSES - 1)
                json_printf(out, "%u", statuses[s]);
            else
                json_printf(out, "other");
            json_printf(out, "\"} %" PRIu64 "\n", v);
        }
    }
    counter(out, "cfota_checks_total", "Device checks answered 200.", "", get(&m->checks));
    counter(out, "cfota_offers_total", "Checks that offered a package.", "", get(&m->offers));
    counter(out, "cfota_downloads_total", "Package downloads that sent bytes.", "",
            get(&m->downloads));
    counter(out, "cfota_bytes_served_total", "Package bytes sent to devices.", "",
            get(&m->bytes_served));
    json_printf(out, "# HELP cfota_reports_total Device reports by result.\n"
                     "# TYPE cfota_reports_total counter\n"
                     "cfota_reports_total{result=\"ok\"} %" PRIu64 "\n"
                     "cfota_reports_total{result=\"fail\"} %" PRIu64 "\n",
                get(&m->reports_ok), get(&m->reports_fail));
    json_printf(out, "# HELP cfota_builds_total Package builds by result.\n"
                     "# TYPE cfota_builds_total counter\n"
                     "cfota_builds_total{result=\"ready\"} %" PRIu64 "\n"
                     "cfota_builds_total{result=\"failed\"} %" PRIu64 "\n",
                get(&m->builds_ready), get(&m->builds_failed));
    counter(out, "cfota_wave_advances_total", "Releases moved to their next wave.", "",
            get(&m->wave_advances));
    counter(out, "cfota_auto_pauses_total", "Releases paused by their failure rate.", "",
            get(&m->auto_pauses));
    json_printf(out, "# HELP cfota_build_queue Packages waiting to be built.\n"
                     "# TYPE cfota_build_queue gauge\ncfota_build_queue %" PRId64 "\n",
                queue);
}
