/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/ops_api.h: what monitoring asks (docs/server-api.md §6):
 * GET /healthz (no token) and GET /metrics (a read token).
 */
#ifndef CFOTA_SERVER_OPS_API_H
#define CFOTA_SERVER_OPS_API_H

#include "http.h"

enum MHD_Result ops_healthz(struct http_req *r);
enum MHD_Result ops_metrics(struct http_req *r);

#endif
