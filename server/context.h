/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/context.h: what every part of a running server shares.
 *
 * One struct cfota_server per server; http.c hands it to each request
 * handler. It is filled by server.c before the first request and then only
 * read, except through the store (its own mutex), the builder (its own),
 * the metrics (atomic counters) and the log (one locked stream).
 *
 * Time: every rule that depends on the time (a wave's soak, the device
 * events' timestamps) asks server_now, never time(), so that a test can
 * run a rollout through days without sleeping (cfota_server_config.clock).
 */
#ifndef CFOTA_SERVER_CONTEXT_H
#define CFOTA_SERVER_CONTEXT_H

#include <stdint.h>
#include <stdio.h>

#include "credentials.h"
#include "log.h"
#include "metrics.h"
#include "server.h"

struct store;
struct builder;
struct http_server;
struct signing;
struct wave_clock;

struct cfota_server {
    char data_dir[4096];
    struct store *store;
    struct builder *builder;
    struct http_server *http;
    struct wave_clock *waves;
    uint8_t secret[32];
    char admin_token[ADMIN_TOKEN_MAX + 1];
    struct signing *signing; /* signing.h: who signs packages, if anyone */
    int64_t (*clock)(void *ctx);
    void *clock_ctx;
    struct log_sink log;
    int access_log; /* 1: a line per request */
    struct metrics metrics;
};

/* Seconds since the Unix epoch, from the configured clock. Inline here, not
 * in server.c: every layer below the server's start and stop (handlers,
 * builder, log, rollout sweep) asks the time, and none may call up into
 * the file that starts them. */
static inline int64_t server_now(const struct cfota_server *s) { return s->clock(s->clock_ctx); }

#endif
