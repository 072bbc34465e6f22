/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/entry.c: the module's one entry point (modem.h, modem_http.h).
 *
 * Everything the host does to the module comes in here: power-on
 * (modem_init), bytes (modem_input), time (modem_tick), a reset
 * (modem_reset) and the events of its HTTP transfers and sockets. This file is the
 * only one that decides what happens next: it lets time pass for the AT
 * engine, the boot sequence and the network, routes each HTTP event to
 * the owner of its slot, and after every step acts on what the layers
 * below asked for (at_command.h): the power went (stop the boot, the
 * network and the transfers), or a reset is wanted (once the running
 * command's result is out). Nothing below calls back up here, so a
 * reader follows every path downward from this file.
 */
#include "modem.h"

#include <string.h>

#include "at_command.h"
#include "cfota/status.h"
#include "parts.h"
#include "ota.h"

/* Transfers and sockets in flight die with the module; the clients are
 * forgotten, the socket families start over. */
static void drop_transfers(struct modem *m)
{
    int i;
    for (i = 0; i < MODEM_HTTP_SLOTS; i++) {
        if ((i < MODEM_HTTP_CLIENTS && (m->httpc[i].busy || m->httpc[i].sending)) ||
            (i == MODEM_HTTP_OTA_SLOT && ota_busy(m)))
            modem_http_cancel(m, i);
    }
    memset(m->httpc, 0, sizeof m->httpc);
    ota_clear(m);
    modem_sock_clear(m);
    cso_reset(m);
    cip_reset(m);
}

void modem_reset(struct modem *m)
{
    at_log(m, "reset");
    m->reset_wanted = 0;
    drop_transfers(m);
    modem_boot_begin(m);
}

/* The requests of the layers below; 1 if one was acted on. */
static int act_on_requests(struct modem *m)
{
    if (m->power_lost) {
        /* The engine went silent already (at_power_lost); the rest stops. */
        m->power_lost = 0;
        m->reset_wanted = 0;
        drop_transfers(m);
        modem_boot_stop(m);
        modem_net_power_off(m);
        return 1;
    }
    if (m->reset_wanted && m->mode == MODEM_COMMAND && !m->executing) {
        modem_reset(m);
        return 1;
    }
    return 0;
}

int modem_init(struct modem *m, const struct modem_config *cfg, const struct modem_settings *settings,
               const struct modem_flash_map *map, uint64_t now)
{
    if (!m || !cfg || !map || !cfg->io.write || !cfg->model || !cfg->cflw_prompt)
        return CFOTA_E_INVAL;
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (settings)
        m->settings = *settings;
    else
        modem_settings_default(&m->settings);
    m->map = *map;
    m->now = now;
    modem_boot_begin(m);
    return CFOTA_OK;
}

void modem_tick(struct modem *m, uint64_t now)
{
    int progressed;

    if (now > m->now)
        m->now = now;
    do {
        progressed = at_engine_timers(m);
        progressed |= act_on_requests(m);
        if (m->boot_step != BOOT_NONE && m->now >= m->boot_at) {
            modem_boot_tick(m);
            progressed = 1;
            act_on_requests(m);
        }
        if (modem_net_next_event(m) <= m->now) {
            modem_net_tick(m);
            progressed = 1;
        }
        at_engine_pump(m);
        progressed |= act_on_requests(m);
    } while (progressed);
}

void modem_input(struct modem *m, const void *data, size_t len, uint64_t now)
{
    m->counts.received += len;
    modem_tick(m, now);
    at_engine_input(m, data, len);
    act_on_requests(m);
    modem_tick(m, now);
}

struct modem_line_counts modem_line_counts(const struct modem *m)
{
    return m->counts;
}

uint64_t modem_next_event(const struct modem *m)
{
    uint64_t t = modem_net_next_event(m), e = at_engine_next_event(m);
    if (e < t)
        t = e;
    if (m->boot_step != BOOT_NONE && m->boot_at < t)
        t = m->boot_at;
    return t;
}

/* ---- HTTP events: each goes to the owner of its slot ---- */

/* Every event starts and ends with modem_tick(): an event may finish a
 * pending command (AT+CFOTA=4) or ask for a reset, and the input the host
 * sent meanwhile must then be served, exactly as after modem_input(). */

static int listening_slot(const struct modem *m, int slot)
{
    return slot >= 0 && slot < MODEM_HTTP_SLOTS && m->mode != MODEM_OFF;
}

void modem_http_head(struct modem *m, int slot, int status, const char *headers, size_t len, uint64_t now)
{
    modem_tick(m, now);
    if (!listening_slot(m, slot))
        return;
    if (len > MODEM_HTTP_HEADER_MAX)
        len = MODEM_HTTP_HEADER_MAX;
    if (slot == MODEM_HTTP_OTA_SLOT)
        ota_on_head(m, status, headers, len);
    else
        chttp_on_head(m, slot, status, headers, len);
    modem_tick(m, now);
}

int modem_http_body(struct modem *m, int slot, const void *data, size_t len, uint64_t now)
{
    int rc;
    modem_tick(m, now);
    if (!listening_slot(m, slot))
        return -1;
    if (slot == MODEM_HTTP_OTA_SLOT)
        rc = ota_on_body(m, data, len);
    else
        rc = chttp_on_body(m, slot, data, len);
    modem_tick(m, now);
    return rc;
}

void modem_http_done(struct modem *m, int slot, int result, uint64_t now)
{
    modem_tick(m, now);
    if (!listening_slot(m, slot))
        return;
    if (slot == MODEM_HTTP_OTA_SLOT)
        ota_on_done(m, result);
    else
        chttp_on_done(m, slot, result);
    modem_tick(m, now);
}

/* ---- socket events: slots 0-4 to the native family, 5-10 to TCP/IP ---- */

static int listening_socket(const struct modem *m, int slot)
{
    return slot >= 0 && slot < MODEM_SOCK_SLOTS && m->mode != MODEM_OFF && m->sock[slot].state != SOCK_FREE;
}

void modem_sock_connected(struct modem *m, int slot, int err, uint64_t now)
{
    modem_tick(m, now);
    if (!listening_socket(m, slot))
        return;
    if (err)
        at_log(m, "socket %d: connect to %s:%u failed (%d)", slot, m->sock[slot].ip, m->sock[slot].port, err);
    if (slot < MODEM_SOCK_CIP_BASE)
        cso_on_connected(m, slot, err);
    else
        cip_on_connected(m, slot - MODEM_SOCK_CIP_BASE, err);
    modem_tick(m, now);
}

void modem_sock_received(struct modem *m, int slot, const void *data, size_t len, uint64_t now)
{
    modem_tick(m, now);
    if (!listening_socket(m, slot) || len == 0)
        return;
    if (slot < MODEM_SOCK_CIP_BASE)
        cso_on_received(m, slot, data, len);
    else
        cip_on_received(m, slot - MODEM_SOCK_CIP_BASE, data, len);
    modem_tick(m, now);
}

void modem_sock_closed(struct modem *m, int slot, int err, uint64_t now)
{
    modem_tick(m, now);
    if (!listening_socket(m, slot))
        return;
    at_log(m, "socket %d: closed by the peer (%d)", slot, err);
    if (slot < MODEM_SOCK_CIP_BASE)
        cso_on_closed(m, slot, err);
    else
        cip_on_closed(m, slot - MODEM_SOCK_CIP_BASE, err);
    modem_tick(m, now);
}
