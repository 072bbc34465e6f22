/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/http_client.h: the network of the emulated module, on libcurl's
 * multi interface: the host side of modem/core/modem_http.h.
 *
 * It implements struct modem_http_ops for one module and reports each
 * transfer's events back to it. Nothing blocks: the runner (or a test)
 * adds the client's sockets to its own poll() with http_client_fds(),
 * then calls http_client_run(), which moves the transfers on and calls
 * modem_http_head/body/done with the time it is given. The core's clock
 * stays the caller's, so a test can use its fake clock while real bytes
 * flow over loopback.
 *
 * Only loopback addresses are ever connected to (checked on the URL by
 * the core, and again on the resolved address here). Each request opens
 * its own connection, as the module does; a link that moves no byte for
 * 30 s is treated as lost.
 */
#ifndef CFOTA_MODEM_HTTP_CLIENT_H
#define CFOTA_MODEM_HTTP_CLIENT_H

#include <poll.h>
#include <stdint.h>

#include "modem.h"

struct http_client;

/* A client for module m (m need not be initialised yet). NULL if libcurl
 * cannot be set up. */
struct http_client *http_client_new(struct modem *m);
void http_client_free(struct http_client *c);

/* The ops to put in the module's configuration (cfg.http). */
struct modem_http_ops http_client_ops(struct http_client *c);

/* Add the sockets libcurl waits on to fds (at most cap entries); returns
 * how many were added. *timeout_ms (-1: none) is lowered to when libcurl
 * next needs to run. */
int http_client_fds(struct http_client *c, struct pollfd *fds, int cap, int *timeout_ms);

/* Move every transfer on and deliver their events at time now. */
void http_client_run(struct http_client *c, uint64_t now);

/* Wait up to timeout_ms for the network, then http_client_run(): the
 * whole loop of a test that has nothing else to wait for. */
void http_client_step(struct http_client *c, int timeout_ms, uint64_t now);

/* Transfers in progress. */
int http_client_active(const struct http_client *c);

#endif
