/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/release_state.c: applying the rollout rules (see
 * release_state.h).
 *
 * A pause is looked at before an advance: a wave never widens a release
 * that its failures should stop. One evaluation makes at most one step,
 * so a wave that earned its successes still soaks for its own time before
 * the one after it.
 */
#include "release_state.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "log.h"
#include "rollout.h"

int release_state_write(struct cfota_server *s, const struct release *rel, const char *change,
                        const char *why)
{
    char v[300];
    if (store_release_update(s->store, rel) != STORE_OK)
        return STORE_ERROR;
    log_event(s, "release", "id=%" PRId64 " product=%s target=%s change=%s state=%s share=%d "
              "wave=%d reason=%s", rel->id, rel->product, rel->target, change, rel->state,
              rel->share, rel->wave + 1, log_value(why, v, sizeof v));
    return STORE_OK;
}

int release_state_evaluate(struct cfota_server *s, struct release *rel)
{
    struct release_counts c;
    char why[160];
    if (store_release_counts(s->store, rel, &c) != STORE_OK)
        return STORE_ERROR;
    if (rollout_should_pause(rel, &c, why, sizeof why)) {
        snprintf(rel->state, sizeof rel->state, "paused");
        snprintf(rel->reason, sizeof rel->reason, "%.127s", why);
        metrics_add(&s->metrics.auto_pauses, 1);
        return release_state_write(s, rel, "paused", why);
    }
    if (rollout_should_advance(rel, &c, server_now(s), why, sizeof why) &&
        rollout_advance(rel, server_now(s))) {
        metrics_add(&s->metrics.wave_advances, 1);
        return release_state_write(s, rel, "advanced", why);
    }
    return STORE_OK;
}

static int evaluate_one(void *ctx, const struct release *r)
{
    struct cfota_server *s = ctx;
    struct release rel = *r;
    return release_state_evaluate(s, &rel) != STORE_OK;
}

int release_state_sweep(struct cfota_server *s)
{
    /* Durable: a wave taken is an admin-grade change. */
    store_begin(s->store, 1);
    if (store_releases_waving(s->store, evaluate_one, s) != STORE_OK) {
        log_event(s, "error", "what=wave_clock store=%s", "failed");
        store_rollback(s->store);
        return STORE_ERROR;
    }
    return store_commit(s->store);
}

struct wave_clock {
    struct cfota_server *srv;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

static void *tick(void *arg)
{
    struct wave_clock *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += WAVE_CLOCK_PERIOD;
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->lock);
        release_state_sweep(w->srv);
        log_flush(&w->srv->log);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct wave_clock *wave_clock_start(struct cfota_server *s)
{
    struct wave_clock *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->srv = s;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, tick, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void wave_clock_stop(struct wave_clock *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
