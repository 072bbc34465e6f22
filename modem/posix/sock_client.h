/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/sock_client.h: the sockets of the emulated module on POSIX: the
 * host side of modem/sock.h, beside the HTTP client (http_client.h).
 *
 * It implements struct modem_sock_ops for one module with non-blocking
 * sockets and reports each slot's events back to it. Nothing blocks: the
 * runner (or a test) adds the client's sockets to its own poll() with
 * sock_client_fds(), then calls sock_client_run(), which finishes
 * connects, reads what arrived and delivers it with the time it is given.
 *
 * Only 127.0.0.0/8 is ever connected to (checked by the core, and again
 * here). Under --speed real (sock_client_pace) received bytes are handed
 * to the core only after the NB-IoT time they would take (sock.h,
 * modem_nb_time_ms), so a host sees the link's rate and latency.
 */
#ifndef CFOTA_MODEM_SOCK_CLIENT_H
#define CFOTA_MODEM_SOCK_CLIENT_H

#include <poll.h>
#include <stdint.h>

#include "modem.h"

struct sock_client;

/* A client for module m (m need not be initialised yet); NULL when out of
 * memory. */
struct sock_client *sock_client_new(struct modem *m);
void sock_client_free(struct sock_client *c);

/* The ops to put in the module's configuration (cfg.sock). */
struct modem_sock_ops sock_client_ops(struct sock_client *c);

/* Pace received data at NB-IoT rates (1) or deliver it at once (0). */
void sock_client_pace(struct sock_client *c, int on);

/* Add the sockets to wait on to fds (at most cap entries); returns how
 * many. *timeout_ms (-1: none) is lowered to the next paced delivery. */
int sock_client_fds(struct sock_client *c, struct pollfd *fds, int cap, int *timeout_ms, uint64_t now);

/* Finish connects, read, and deliver events at time now. */
void sock_client_run(struct sock_client *c, uint64_t now);

#endif
