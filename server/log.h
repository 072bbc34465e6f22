/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/log.h: the server's log lines (docs/server.md "Logs").
 *
 * One line per event, in logfmt: "ts=<UTC ISO 8601> event=<name> k=v ...",
 * values with spaces or quotes quoted. Events: access (one per request,
 * never with a query string, so no device token is ever written), build,
 * release (every state change of a rollout), error.
 *
 * Lines are gathered in a buffer and written whole, in batches: an access
 * line costs a request a copy, not a write to the log file. Any other
 * event writes the batch at once; access lines wait at most until the
 * wave clock's next tick (release_state.h) or the server's stop.
 */
#ifndef CFOTA_SERVER_LOG_H
#define CFOTA_SERVER_LOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#define LOG_BUFFER 65536

struct cfota_server;

/* Where the lines go, and the batch not yet written. */
struct log_sink {
    FILE *f;
    pthread_mutex_t lock;
    size_t n;
    char buf[LOG_BUFFER];
};

void log_open(struct log_sink *sink, FILE *f);
/* Write the batch (and the stream's own buffer). */
void log_flush(struct log_sink *sink);
void log_close(struct log_sink *sink); /* flushes */

/* Write "ts=... event=<event> " then fmt's text and a newline. */
void log_event(struct cfota_server *s, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* v as a logfmt value into out (cap bytes): as is if it has no space,
 * quote or '=', else quoted with '"' and '\' escaped. */
const char *log_value(const char *v, char *out, size_t cap);

#endif
