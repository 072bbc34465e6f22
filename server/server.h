/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/server.h: run a cfota FOTA server inside a process.
 *
 * `cfota server` and the tests start the server through this header. The
 * server is made of: an HTTP front end (http.c) routing to the device API
 * (device_api.c, which asks offer.c what a device gets), the admin API
 * (admin_api.c: images, packages, products; admin_releases.c;
 * admin_devices.c: devices and tokens; admin_auth.c: token roles) and the
 * operations API (ops_api.c: /healthz, /metrics from metrics.c); a store
 * (store.c: SQLite in WAL mode; objects.c: image and package files named
 * by their SHA-256); a background builder (builder.c) that makes packages
 * with the host encoder; the rollout rules (rollout.c) and their
 * application (release_state.c, with the wave clock); log lines (log.c).
 * docs/server-api.md is the protocol, docs/server.md the operator's guide.
 *
 * Memory: a few hundred KiB plus libmicrohttpd's per-connection buffers
 * (32 KiB each) and, while an upload or a build runs, the images involved.
 */
#ifndef CFOTA_SERVER_H
#define CFOTA_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfota/version.h"

/* The server's version, as /healthz gives it: the project's one version. */
#define CFOTA_SERVER_VERSION CFOTA_VERSION

struct cfota_server_config {
    const char *data_dir;    /* required: database, objects, secrets */
    const char *listen_addr; /* IPv4 address to bind; NULL: 127.0.0.1 */
    unsigned port;           /* 0: any free port (see cfota_server_port) */
    const char *admin_token; /* NULL: read DATA/admin-token, made at first start */
    unsigned threads;        /* HTTP threads; 0: one per CPU */
    /* Limits against hostile clients (docs/server.md, "Limits"); 0 takes
     * the default of each. */
    unsigned max_connections;  /* open connections in all */
    unsigned max_per_address;  /* open connections from one IP address */
    unsigned header_timeout_s; /* to send a complete request header */
    unsigned idle_timeout_s;   /* without progress once a request is under way */
    const char *sign_key;    /* private key: sign every built package */
    const char *release_key; /* public key: serve only packages signed
                                offline with it (docs/server.md) */
    /* Seconds since the epoch; NULL: the system clock. Tests give their
     * own to run wave soak times without sleeping. */
    int64_t (*clock)(void *ctx);
    void *clock_ctx;
    FILE *log;               /* log lines (docs/server.md); NULL: stderr */
    int no_access_log;       /* 1: no line per request (builds, rollouts still) */
};

#define CFOTA_SERVER_MAX_CONNECTIONS 4000
#define CFOTA_SERVER_MAX_PER_ADDRESS 64
#define CFOTA_SERVER_HEADER_TIMEOUT_S 10
#define CFOTA_SERVER_IDLE_TIMEOUT_S 300

struct cfota_server;

/* Open the store under cfg->data_dir (creating it), start the builder and
 * the HTTP threads. Returns the server, or NULL with a sentence in err
 * (errlen bytes): data directory not usable, database error, port taken. */
struct cfota_server *cfota_server_start(const struct cfota_server_config *cfg, char *err,
                                        size_t errlen);

/* The TCP port the server listens on (the one chosen when cfg->port was 0). */
unsigned cfota_server_port(const struct cfota_server *s);

/* The admin token requests must carry (NUL-terminated, owned by s). */
const char *cfota_server_admin_token(const struct cfota_server *s);

/* The first device token of imei (docs/server-api.md §2, generation 0)
 * into out (33 bytes). Returns 0, or -1 if imei is not 15 digits. */
int cfota_server_device_token(const struct cfota_server *s, const char *imei, char out[33]);

/* Evaluate every release with waves now, as the wave clock does every
 * few seconds (for tests that move their clock), and write the log lines
 * gathered so far. Returns 0, or -1 if the store failed. */
int cfota_server_tick(struct cfota_server *s);

/* Block until the builder has made every package that the store's images
 * and releases call for at the time of the call (each ready or failed). */
void cfota_server_wait_builds(struct cfota_server *s);

/* Stop accepting requests, finish the ones in flight, stop the builder
 * (a build in progress is finished first) and
 * close the store. NULL is allowed. */
void cfota_server_stop(struct cfota_server *s);

#endif
