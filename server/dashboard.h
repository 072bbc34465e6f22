/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/dashboard.h: the operator's dashboard (docs/server.md,
 * "Dashboard"): GET / and the files beside it, with no token.
 *
 * The files hold no fleet data: the page's script asks the admin API for
 * everything, with the admin token in the Authorization header, so every
 * request it makes passes http.c's token and role checks like any other
 * admin client's. No cookie is ever read, which is the CSRF defence:
 * another site's page can make a browser send cookies, never this header.
 */
#ifndef CFOTA_SERVER_DASHBOARD_H
#define CFOTA_SERVER_DASHBOARD_H

#include "http.h"

/* GET / (the page) and GET /<file> for the dashboard's other files;
 * 404 not_found for a name it does not have. */
enum MHD_Result dashboard_file(struct http_req *r);

#endif
