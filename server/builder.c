/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/builder.c: background package builds (see builder.h).
 *
 * Each build is a few stages, each a function: encode (read the two images
 * of one product from objects, run cfota_encode for an in-place package
 * with the module's spare flash: 64 KiB scratch, a stash of at most
 * 256 KiB; no lock held: encoding takes from milliseconds to seconds),
 * prefer_full (below), signing_on_build (signing.h: sign, or hold for an
 * offline signature), publish (store the final bytes as an object), and
 * only then record the result, durably, in the store.
 * A delta that is not smaller than the target's full package is recorded
 * as "full", pointing at the full package: a device gains nothing from a
 * delta that is not smaller, and the full package does not depend on the
 * base being exactly what the device has.
 *
 * Kicks are counted: builder_wait_idle waits until a scan that started
 * after the latest kick found no work, so a test or a caller never sees
 * "idle" between a release and its first build.
 */
#include "builder.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "encoder.h"
#include "hash.h"
#include "log.h"
#include "objects.h"
#include "signing.h"
#include "store.h"

#include "cfota/status.h"

struct builder {
    struct cfota_server *srv;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;
    unsigned long kicks;   /* kicks so far */
    unsigned long settled; /* kicks seen by a scan that found no work */
    int stop;
};

/* Write the result of a build; 0, or -1 if the store failed (then the
 * builder waits for the next kick rather than retry in a loop). */
static int record(struct cfota_server *srv, const struct package *p)
{
    store_begin(srv->store, 1);
    if (store_package_put(srv->store, p) != STORE_OK) {
        char v[300];
        log_event(srv, "error", "what=record_package product=%s from=%s to=%s store=%s",
                  p->product, p->from[0] ? p->from : "*", p->to,
                  log_value(store_error(srv->store), v, sizeof v));
        store_rollback(srv->store);
        return -1;
    }
    return store_commit(srv->store) == STORE_OK ? 0 : -1;
}

/* The log line of a finished build. */
static void log_build(struct cfota_server *srv, const struct package *p, int64_t ms)
{
    char v[300];
    int ok = strcmp(p->state, "failed") != 0; /* ready, or tosign (signing.h) */
    metrics_add(ok ? &srv->metrics.builds_ready : &srv->metrics.builds_failed, 1);
    log_event(srv, "build", "product=%s from=%s to=%s result=%s kind=%s size=%lld ms=%lld%s%s",
              p->product, p->from[0] ? p->from : "*", p->to, p->state, p->kind,
              (long long)p->size, (long long)ms, ok ? "" : " error=",
              ok ? "" : log_value(p->error, v, sizeof v));
}

static int fail(struct cfota_server *srv, struct package *p, const char *fmt, const char *what)
{
    snprintf(p->state, sizeof p->state, "failed");
    snprintf(p->error, sizeof p->error, fmt, what);
    return record(srv, p);
}

/* Load the image of version into *out. 0, or -1 (the reason in why). */
static int load_image(struct cfota_server *srv, const char *product, const char *version,
                      struct bytes *out, const char **why)
{
    struct image im;
    int rc;
    store_begin(srv->store, 0);
    rc = store_image_get(srv->store, product, version, &im);
    store_commit(srv->store);
    if (rc != STORE_OK) {
        *why = "image missing from the store";
        return -1;
    }
    if (objects_read(srv->data_dir, im.sha, out) != 0) {
        *why = strerror(errno);
        return -1;
    }
    return 0;
}

/* Stage 1: the package bytes of p (product, from, to set) into *pkg.
 * 0, or -1 with the reason in why (a static or formatted sentence). */
static int encode(struct cfota_server *srv, const struct package *p, struct bytes *pkg,
                  char *why, size_t cap)
{
    struct bytes base = {0}, target = {0};
    struct cfota_encode_opts opts;
    const char *missing = NULL;
    int rc = -1;
    if (load_image(srv, p->product, p->to, &target, &missing) != 0 ||
        (p->from[0] && load_image(srv, p->product, p->from, &base, &missing) != 0)) {
        snprintf(why, cap, "%s", missing);
        goto out;
    }
    memset(&opts, 0, sizeof opts);
    opts.base_version = p->from[0] ? p->from : NULL;
    opts.target_version = p->to;
    opts.no_base = p->from[0] == 0;
    /* Modules rewrite their firmware in place (the SIM7020 has room for the
     * package, not for a second image); an in-place package also applies
     * to an A/B device, so it is the one kind the server makes. */
    opts.in_place = 1;
    opts.best = 1; /* built once, offline, downloaded by a whole fleet */
    rc = cfota_encode(base.p, base.n, target.p, target.n, &opts, pkg);
    if (rc < 0)
        snprintf(why, cap, "encoder: %s", cfota_status_name(rc));
    rc = rc < 0 ? -1 : 0;
out:
    bytes_free(&base);
    bytes_free(&target);
    return rc;
}

/* A delta not smaller than the target's full package is recorded as that
 * package. 1 if p now names the full package, 0 if not. */
static int prefer_full(struct cfota_server *srv, struct package *p, const struct bytes *pkg)
{
    struct package full;
    int rc;
    if (!p->from[0])
        return 0;
    store_begin(srv->store, 0);
    rc = store_package_get(srv->store, p->product, "", p->to, &full);
    store_commit(srv->store);
    if (rc != STORE_OK || strcmp(full.state, "ready") != 0 || (uint64_t)full.size > pkg->n)
        return 0;
    snprintf(p->kind, sizeof p->kind, "full");
    memcpy(p->sha, full.sha, sizeof p->sha);
    memcpy(p->md5, full.md5, sizeof p->md5);
    p->size = full.size;
    return 1;
}

/* Last stage: store the final bytes of the package as an object and fill
 * in its id, MD5 and size. 0, or -1 (errno set). A step that changes the
 * bytes (signing, say) goes before this one. */
static int publish(struct cfota_server *srv, struct package *p, const struct bytes *pkg)
{
    uint8_t md5[16];
    if (objects_put(srv->data_dir, pkg->p, pkg->n, p->sha) != 0)
        return -1;
    host_md5(pkg->p, pkg->n, md5);
    host_hex(md5, 16, p->md5);
    p->size = (int64_t)pkg->n;
    return 0;
}

/* Build and record the package from -> to of product: encode, then
 * either point at the full package or publish. 0, or -1 if the result
 * could not be recorded. */
static int build(struct cfota_server *srv, const char *product, const char *from, const char *to)
{
    struct bytes pkg = {0};
    struct package p;
    char why[128], sign_err[600];
    struct timespec t0, t1;
    int recorded;

    memset(&p, 0, sizeof p);
    snprintf(p.product, sizeof p.product, "%s", product);
    snprintf(p.origin, sizeof p.origin, "built");
    snprintf(p.from, sizeof p.from, "%s", from);
    snprintf(p.to, sizeof p.to, "%s", to);
    snprintf(p.kind, sizeof p.kind, "%s", from[0] ? "delta" : "full");
    p.created = server_now(srv);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (encode(srv, &p, &pkg, why, sizeof why) != 0) {
        recorded = fail(srv, &p, "%s", why);
    } else if (prefer_full(srv, &p, &pkg)) {
        snprintf(p.state, sizeof p.state, "ready");
        recorded = record(srv, &p);
    } else if (signing_on_build(srv->signing, &pkg, &p, sign_err, sizeof sign_err) != 0) {
        recorded = fail(srv, &p, "%.120s", sign_err); /* else signing set the state */
    } else if (publish(srv, &p, &pkg) != 0) {
        recorded = fail(srv, &p, "storing the package: %s", strerror(errno));
    } else {
        recorded = record(srv, &p);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_build(srv, &p, (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
    bytes_free(&pkg);
    return recorded;
}

static void *run(void *arg)
{
    struct builder *b = arg;
    char product[33], from[33], to[33];
    for (;;) {
        unsigned long seen;
        int rc;
        pthread_mutex_lock(&b->lock);
        while (!b->stop && b->settled == b->kicks)
            pthread_cond_wait(&b->wake, &b->lock);
        if (b->stop) {
            pthread_mutex_unlock(&b->lock);
            return NULL;
        }
        seen = b->kicks;
        pthread_mutex_unlock(&b->lock);

        store_begin(b->srv->store, 0);
        rc = store_next_build(b->srv->store, product, from, to);
        store_commit(b->srv->store);
        if (rc == STORE_OK && build(b->srv, product, from, to) == 0)
            continue; /* look again: more may be missing */
        if (rc == STORE_ERROR) {
            char v[300];
            log_event(b->srv, "error", "what=builder store=%s",
                      log_value(store_error(b->srv->store), v, sizeof v));
        }
        pthread_mutex_lock(&b->lock);
        b->settled = seen;
        pthread_cond_broadcast(&b->idle);
        pthread_mutex_unlock(&b->lock);
    }
}

struct builder *builder_start(struct cfota_server *srv)
{
    struct builder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->srv = srv;
    b->kicks = 1; /* look for work left by a previous run */
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->wake, NULL);
    pthread_cond_init(&b->idle, NULL);
    if (pthread_create(&b->thread, NULL, run, b) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

void builder_kick(struct builder *b)
{
    pthread_mutex_lock(&b->lock);
    b->kicks++;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->lock);
}

void builder_wait_idle(struct builder *b)
{
    unsigned long want;
    pthread_mutex_lock(&b->lock);
    want = b->kicks;
    while (b->settled < want && !b->stop)
        pthread_cond_wait(&b->idle, &b->lock);
    pthread_mutex_unlock(&b->lock);
}

void builder_stop(struct builder *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->stop = 1;
    pthread_cond_broadcast(&b->wake);
    pthread_cond_broadcast(&b->idle);
    pthread_mutex_unlock(&b->lock);
    pthread_join(b->thread, NULL);
    pthread_cond_destroy(&b->wake);
    pthread_cond_destroy(&b->idle);
    pthread_mutex_destroy(&b->lock);
    free(b);
}
