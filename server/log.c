/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/log.c: logfmt lines (see log.h). A line is formatted in a local
 * buffer and copied whole into the batch under the sink's lock, so lines
 * of concurrent threads never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "context.h"

const char *log_value(const char *v, char *out, size_t cap)
{
    size_t i = 0;
    if (!v[0] || strpbrk(v, " \"=\\\n")) {
        out[i++] = '"';
        for (; *v && i + 3 < cap; v++) {
            if (*v == '"' || *v == '\\')
                out[i++] = '\\';
            out[i++] = *v == '\n' ? ' ' : *v;
        }
        out[i++] = '"';
        out[i] = 0;
        return out;
    }
    snprintf(out, cap, "%s", v);
    return out;
}

void log_open(struct log_sink *sink, FILE *f)
{
    sink->f = f;
    sink->n = 0;
    pthread_mutex_init(&sink->lock, NULL);
}

/* Write the batch; the lock is held. */
static void write_batch(struct log_sink *sink)
{
    if (sink->n > 0)
        fwrite(sink->buf, 1, sink->n, sink->f);
    sink->n = 0;
    fflush(sink->f);
}

void log_flush(struct log_sink *sink)
{
    pthread_mutex_lock(&sink->lock);
    write_batch(sink);
    pthread_mutex_unlock(&sink->lock);
}

void log_close(struct log_sink *sink)
{
    log_flush(sink);
    pthread_mutex_destroy(&sink->lock);
}

/* "ts=<UTC ISO 8601>" for t into out. The text of the last second is
 * kept per thread: most lines of a busy server share their second. */
static int format_time(int64_t t, char *out, size_t cap)
{
    static __thread int64_t last_t = -1;
    static __thread char last[40];
    static __thread int last_n;
    if (t != last_t) {
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        last_n = (int)strftime(last, sizeof last, "ts=%Y-%m-%dT%H:%M:%SZ", &tm);
        last_t = t;
    }
    snprintf(out, cap, "%s", last);
    return last_n;
}

void log_event(struct cfota_server *s, const char *event, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n = format_time(server_now(s), line, sizeof line);
    n += snprintf(line + n, sizeof line - (size_t)n, " event=%s ", event);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    pthread_mutex_lock(&s->log.lock);
    if (s->log.n + (size_t)n > sizeof s->log.buf)
        write_batch(&s->log);
    memcpy(s->log.buf + s->log.n, line, (size_t)n);
    s->log.n += (size_t)n;
    if (strcmp(event, "access") != 0)
        write_batch(&s->log);
    pthread_mutex_unlock(&s->log.lock);
}
