/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_auth.h: the role an admin token gives (docs/server-api.md
 * §4). The server's own token (DATA/admin-token or --admin-token-file) is
 * an admin; further tokens, made with POST /admin/v1/tokens, are "read"
 * (every GET) or "admin" (everything), and only their SHA-256 is stored.
 */
#ifndef CFOTA_SERVER_ADMIN_AUTH_H
#define CFOTA_SERVER_ADMIN_AUTH_H

#include "http.h"

/* The role of token, ROLE_NONE if it is no admin token. */
enum http_role admin_auth_role(struct cfota_server *s, const char *token);

/* The role named "read" or "admin"; ROLE_NONE for any other name. */
enum http_role admin_auth_parse_role(const char *name);

#endif
