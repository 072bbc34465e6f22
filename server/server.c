/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/server.c: start and stop a server (see server.h).
 *
 * Start order matters for kill-safety: the store is opened (SQLite replays
 * its WAL), leftovers of interrupted writes are removed (DATA/tmp, then
 * object files no row names), and only then do the builder and the HTTP
 * threads start, so nothing can be half-written while cleaning up.
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder.h"
#include "signing.h"
#include "context.h"
#include "http.h"
#include "objects.h"
#include "params.h"
#include "release_state.h"
#include "store.h"
#include <time.h>

static int64_t system_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static int keep_object(void *ctx, const char *sha)
{
    struct store *st = ctx;
    int known;
    store_begin(st, 0);
    known = store_object_known(st, sha);
    store_commit(st);
    return known != 0; /* on a store error, keep the file */
}

struct cfota_server *cfota_server_start(const struct cfota_server_config *cfg, char *err,
                                        size_t errlen)
{
    struct cfota_server *s;
    unsigned threads;
    if (!cfg->data_dir || !cfg->data_dir[0]) {
        snprintf(err, errlen, "no data directory given");
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (strlen(cfg->data_dir) >= sizeof s->data_dir - 100) {
        snprintf(err, errlen, "data directory path too long");
        free(s);
        return NULL;
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s", cfg->data_dir);
    s->clock = cfg->clock ? cfg->clock : system_clock;
    s->clock_ctx = cfg->clock_ctx;
    log_open(&s->log, cfg->log ? cfg->log : stderr);
    s->access_log = !cfg->no_access_log;
    if (objects_init(s->data_dir, err, errlen) != 0 ||
        credentials_secret(s->data_dir, s->secret, err, errlen) != 0 ||
        credentials_admin_token(s->data_dir, cfg->admin_token, s->admin_token, err, errlen) != 0 ||
        store_open(&s->store, s->data_dir, err, errlen) != STORE_OK) {
        log_close(&s->log);
        free(s);
        return NULL;
    }
    objects_gc(s->data_dir, keep_object, s->store);
    s->signing = calloc(1, sizeof *s->signing);
    if (!s->signing || signing_init(s->signing, cfg->sign_key, cfg->release_key, err, errlen) != 0) {
        if (!s->signing)
            snprintf(err, errlen, "out of memory");
        cfota_server_stop(s);
        return NULL;
    }
    s->builder = builder_start(s);
    if (!s->builder) {
        snprintf(err, errlen, "cannot start the builder thread");
        cfota_server_stop(s);
        return NULL;
    }
    s->waves = wave_clock_start(s);
    if (!s->waves) {
        snprintf(err, errlen, "cannot start the wave clock thread");
        cfota_server_stop(s);
        return NULL;
    }
    threads = cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 && n < 64 ? (unsigned)n : 2;
    }
    s->http = http_start(s, cfg, threads, err, errlen);
    if (!s->http) {
        cfota_server_stop(s);
        return NULL;
    }
    return s;
}

unsigned cfota_server_port(const struct cfota_server *s) { return http_port(s->http); }

const char *cfota_server_admin_token(const struct cfota_server *s) { return s->admin_token; }

int cfota_server_device_token(const struct cfota_server *s, const char *imei, char out[33])
{
    if (!imei || !param_imei(imei))
        return -1;
    credentials_device_token(s->secret, imei, 0, out);
    return 0;
}

int cfota_server_tick(struct cfota_server *s)
{
    int rc = release_state_sweep(s) == STORE_OK ? 0 : -1;
    log_flush(&s->log);
    return rc;
}

void cfota_server_wait_builds(struct cfota_server *s) { builder_wait_idle(s->builder); }

void cfota_server_stop(struct cfota_server *s)
{
    if (!s)
        return;
    http_stop(s->http);
    wave_clock_stop(s->waves);
    builder_stop(s->builder);
    store_close(s->store);
    free(s->signing);
    log_close(&s->log);
    free(s);
}
