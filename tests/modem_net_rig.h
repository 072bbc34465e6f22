/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/modem_net_rig.h: one emulated module core (modem/core/modem.h) on a
 * simulated flash, with its real network (modem/posix/http_client.c) and a
 * fake clock, for test_modem_http.c and test_modem_ota.c.
 *
 * The clock moves only when the test says so; the network moves real
 * bytes over loopback while net_wait() waits for the text the test
 * expects. The AUTO_SAVE settings are kept as the runner would keep
 * them in its state directory, so net_reboot() is a power cycle.
 * Static inline, not a test program (no test_ prefix).
 */
#ifndef CFOTA_TEST_MODEM_NET_RIG_H
#define CFOTA_TEST_MODEM_NET_RIG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "flashsim.h"
#include "http_client.h"
#include "modem.h"

#define NET_WAIT_MS 20000 /* only to end a hung test; never a pass condition */

struct net_rig {
    struct flashsim *sim;
    struct modem_flash_map map;
    struct modem m;
    struct modem_config cfg;
    struct modem_settings saved;
    int saves;
    struct http_client *http;
    struct bytes out;
    uint64_t now;
    char text[65536];
};

static inline void net_rig_write(void *ctx, const void *p, size_t n)
{
    struct net_rig *r = ctx;
    bytes_put(&r->out, p, n);
}

static inline void net_rig_save(void *ctx, const struct modem_settings *s)
{
    struct net_rig *r = ctx;
    r->saved = *s;
    r->saves++;
}

/* Power on (again) with the flash and the saved settings as they are. */
static inline void net_boot(struct net_rig *r)
{
    assert_int_equal(modem_init(&r->m, &r->cfg, &r->saved, &r->map, r->now), 0);
    modem_tick(&r->m, r->now);
}

/* A module whose firmware is image (len bytes) of version. */
static inline struct net_rig *net_rig_open(const void *image, size_t len, const char *version)
{
    struct net_rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
    assert_non_null(r->sim);
    assert_int_equal(modem_flash_map_init(&r->map, flashsim_flash(r->sim)), 0);
    assert_int_equal(modem_factory_program(&r->map, image, (uint32_t)len, version), 0);
    r->http = http_client_new(&r->m);
    assert_non_null(r->http);
    modem_config_default(&r->cfg);
    r->cfg.echo = 0;
    r->cfg.io.ctx = r;
    r->cfg.io.write = net_rig_write;
    r->cfg.io.save = net_rig_save;
    r->cfg.http = http_client_ops(r->http);
    modem_settings_default(&r->saved);
    r->saved.ipr = 115200; /* boot URCs on, as the note sets before updates */
    r->now = 1000;
    net_boot(r);
    r->out.n = 0;
    return r;
}

static inline void net_rig_close(struct net_rig *r)
{
    http_client_free(r->http);
    flashsim_close(r->sim);
    bytes_free(&r->out);
    free(r);
}

/* What the module sent since the last call, as text. */
static inline const char *net_taken(struct net_rig *r)
{
    size_t n = r->out.n < sizeof r->text - 1 ? r->out.n : sizeof r->text - 1;
    if (n)
        memcpy(r->text, r->out.p, n);
    r->text[n] = 0;
    r->out.n = 0;
    return r->text;
}

/* Send a line; what came back at once (the network is not run). */
static inline const char *net_at(struct net_rig *r, const char *s)
{
    modem_input(&r->m, s, strlen(s), r->now);
    return net_taken(r);
}

static inline uint64_t net_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Run the network (and 1 ms of fake time per round) until the output
 * holds want; returns everything sent since the last net_taken(). */
static inline const char *net_wait(struct net_rig *r, const char *want)
{
    uint64_t end = net_wall_ms() + NET_WAIT_MS;
    for (;;) {
        bytes_byte(&r->out, 0);
        r->out.n--;
        if (strstr((const char *)r->out.p, want))
            return net_taken(r);
        if (net_wall_ms() > end)
            fail_msg("waited for \"%s\", got \"%s\"", want, net_taken(r));
        r->now += 1;
        http_client_step(r->http, 20, r->now);
        modem_tick(&r->m, r->now);
    }
}

/* Run the network until no transfer is left. */
static inline void net_settle(struct net_rig *r)
{
    uint64_t end = net_wall_ms() + NET_WAIT_MS;
    while (http_client_active(r->http)) {
        if (net_wall_ms() > end)
            fail_msg("transfers did not end");
        r->now += 1;
        http_client_step(r->http, 20, r->now);
        modem_tick(&r->m, r->now);
    }
}

#endif
