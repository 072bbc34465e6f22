/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/context.h: what every part of a running server shares.
 *
 * One struct cfota_server per server; http.c hands it to each request
 * handler. It is filled by server.c before the first request and then only
 * read, except through the store (its own mutex) and the builder (its own).
 */
#ifndef CFOTA_SERVER_CONTEXT_H
#define CFOTA_SERVER_CONTEXT_H

#include <stdint.h>

#include "credentials.h"
#include "server.h"

struct store;
struct builder;
struct http_server;
struct signing;

struct cfota_server {
    char data_dir[4096];
    struct store *store;
    struct builder *builder;
    struct http_server *http;
    uint8_t secret[32];
    char admin_token[ADMIN_TOKEN_MAX + 1];
    struct signing *signing; /* signing.h: who signs packages, if anyone */
};

#endif
