/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/device_api.h: the three requests a device makes
 * (docs/server-api.md §3): check, download, report.
 */
#ifndef CFOTA_SERVER_DEVICE_API_H
#define CFOTA_SERVER_DEVICE_API_H

#include "http.h"

/* GET /d/v1/check?imei&tok&ver[&want] */
enum MHD_Result device_check(struct http_req *r);
/* GET|HEAD /d/v1/pkg/<id>?imei&tok, with Range, If-Range, If-None-Match */
enum MHD_Result device_download(struct http_req *r);
/* GET /d/v1/report?imei&tok&from&to&ver&result[&reason] */
enum MHD_Result device_report(struct http_req *r);

#endif
