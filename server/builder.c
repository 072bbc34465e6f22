/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/builder.c: background package builds (see builder.h).
 *
 * Each build reads the two images from objects, runs cfota_encode (in-place
 * packages with the module's spare flash: 64 KiB scratch, a stash of at
 * most 256 KiB) with no lock held (encoding takes from milliseconds to seconds), stores the
 * package as an object and only then records it, durably, in the store.
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
        fprintf(stderr, "cfota server: recording package %s->%s: %s\n", p->from, p->to,
                store_error(srv->store));
        store_rollback(srv->store);
        return -1;
    }
    return store_commit(srv->store) == STORE_OK ? 0 : -1;
}

static int fail(struct cfota_server *srv, struct package *p, const char *fmt, const char *what)
{
    snprintf(p->state, sizeof p->state, "failed");
    snprintf(p->error, sizeof p->error, fmt, what);
    fprintf(stderr, "cfota server: package %s->%s: %s\n", p->from[0] ? p->from : "*", p->to,
            p->error);
    return record(srv, p);
}

/* Load the image of version into *out. 0, or -1 (the reason in why). */
static int load_image(struct cfota_server *srv, const char *version, struct bytes *out,
                      const char **why)
{
    struct image im;
    int rc;
    store_begin(srv->store, 0);
    rc = store_image_get(srv->store, version, &im);
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

/* Build and record the package from -> to; 0, or -1 if it could not be
 * recorded. */
static int build(struct cfota_server *srv, const char *from, const char *to)
{
    struct bytes base = {0}, target = {0}, pkg = {0};
    struct cfota_encode_opts opts;
    struct package p, full;
    uint8_t md5[16];
    const char *why = NULL;
    char sign_err[600];
    int rc, recorded;

    memset(&p, 0, sizeof p);
    snprintf(p.from, sizeof p.from, "%s", from);
    snprintf(p.to, sizeof p.to, "%s", to);
    snprintf(p.kind, sizeof p.kind, "%s", from[0] ? "delta" : "full");
    p.created = (int64_t)time(NULL);
    if (load_image(srv, to, &target, &why) != 0 || (from[0] && load_image(srv, from, &base, &why))) {
        recorded = fail(srv, &p, "%s", why);
        goto out;
    }
    memset(&opts, 0, sizeof opts);
    opts.base_version = from[0] ? from : NULL;
    opts.target_version = to;
    opts.no_base = from[0] == 0;
    /* Modules rewrite their firmware in place (the SIM7020 has room for the
     * package, not for a second image); an in-place package also applies
     * to an A/B device, so it is the one kind the server makes. */
    opts.in_place = 1;
    opts.best = 1; /* built once, offline, downloaded by a whole fleet */
    rc = cfota_encode(base.p, base.n, target.p, target.n, &opts, &pkg);
    if (rc < 0) {
        recorded = fail(srv, &p, "encoder: %s", cfota_status_name(rc));
        goto out;
    }
    if (from[0]) {
        store_begin(srv->store, 0);
        rc = store_package_get(srv->store, "", to, &full);
        store_commit(srv->store);
        if (rc == STORE_OK && !strcmp(full.state, "ready") && (uint64_t)full.size <= pkg.n) {
            snprintf(p.state, sizeof p.state, "ready");
            snprintf(p.kind, sizeof p.kind, "full");
            memcpy(p.sha, full.sha, sizeof p.sha);
            memcpy(p.md5, full.md5, sizeof p.md5);
            p.size = full.size;
            recorded = record(srv, &p);
            goto out;
        }
    }
    if (signing_on_build(srv->signing, &pkg, &p, sign_err, sizeof sign_err) != 0) {
        recorded = fail(srv, &p, "%s", sign_err);
        goto out;
    }
    if (objects_put(srv->data_dir, pkg.p, pkg.n, p.sha) != 0) {
        recorded = fail(srv, &p, "storing the package: %s", strerror(errno));
        goto out;
    }
    host_md5(pkg.p, pkg.n, md5);
    host_hex(md5, 16, p.md5);
    p.size = (int64_t)pkg.n;
    recorded = record(srv, &p);
out:
    bytes_free(&base);
    bytes_free(&target);
    bytes_free(&pkg);
    return recorded;
}

static void *run(void *arg)
{
    struct builder *b = arg;
    char from[33], to[33];
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
        rc = store_next_build(b->srv->store, from, to);
        store_commit(b->srv->store);
        if (rc == STORE_OK && build(b->srv, from, to) == 0)
            continue; /* look again: more may be missing */
        if (rc == STORE_ERROR)
            fprintf(stderr, "cfota server: builder: %s\n", store_error(b->srv->store));
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
