/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/parts.h: what the entry point (entry.c) calls in the layers
 * below it, and nothing else calls. Calls run downward only: entry.c
 * drives the engine, the boot sequence, the network and the HTTP slot
 * owners; they answer through return values and the requests of
 * at_command.h (power lost, reset wanted), never by calling back up.
 */
#ifndef CFOTA_MODEM_PARTS_H
#define CFOTA_MODEM_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "modem.h"

/* ---- the AT engine (at_engine.c) ---- */

/* Take bytes from the host into the input ring and serve them. */
void at_engine_input(struct modem *m, const uint8_t *p, size_t len);
/* Serve held input while the module listens. */
void at_engine_pump(struct modem *m);
/* A delayed result or a data-mode timeout that is due: 1 if one ran. */
int at_engine_timers(struct modem *m);
/* When the engine next needs a tick, or MODEM_NEVER. */
uint64_t at_engine_next_event(const struct modem *m);
/* Forget everything in flight; the module is deaf (reset, power lost). */
void at_engine_clear(struct modem *m);
/* The module starts listening (the end of boot). */
void at_engine_ready(struct modem *m);

/* ---- power-on and reset (boot.c) ---- */

/* Start the boot sequence at m->now: engine cleared, network off, the
 * record read from flash. */
void modem_boot_begin(struct modem *m);
/* The boot step due at m->boot_at (see boot.c). */
void modem_boot_tick(struct modem *m);
/* The power went: no more boot steps. */
void modem_boot_stop(struct modem *m);

/* ---- the network (network.c) ---- */

void modem_net_tick(struct modem *m);
uint64_t modem_net_next_event(const struct modem *m);
/* The power went: no attach completes. */
void modem_net_power_off(struct modem *m);

/* ---- the owners of the HTTP slots ---- */

/* The AT+CHTTP clients, slots 0-4 (cmd_http.c). */
void chttp_on_head(struct modem *m, int slot, int status, const char *headers, size_t len);
int chttp_on_body(struct modem *m, int slot, const uint8_t *data, size_t len);
void chttp_on_done(struct modem *m, int slot, int result);

/* ---- the owners of the socket slots ---- */

/* The native sockets, slots 0-4 (cmd_socket.c), and the TCP/IP family's
 * connections 0-5, slots 5-10 (cmd_tcpip.c). */
void cso_on_connected(struct modem *m, int id, int err);
void cso_on_received(struct modem *m, int id, const uint8_t *data, size_t len);
void cso_on_closed(struct modem *m, int id, int err);
void cip_on_connected(struct modem *m, int n, int err);
void cip_on_received(struct modem *m, int n, const uint8_t *data, size_t len);
void cip_on_closed(struct modem *m, int n, int err);
/* Reset: the families' NO_SAVE settings and state back to boot values. */
void cso_reset(struct modem *m);
void cip_reset(struct modem *m);
/* Reset: close every socket (sock_request.c). */
void modem_sock_clear(struct modem *m);

/* The FOTA client, slot MODEM_HTTP_OTA_SLOT (ota.c). */
void ota_on_head(struct modem *m, int status, const char *headers, size_t len);
int ota_on_body(struct modem *m, const uint8_t *data, size_t len);
void ota_on_done(struct modem *m, int result);

#endif
