/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/progress.c: the progress bar of cli/progress.h.
 *
 * A line looks like
 *     cfota: diff [############........]  61%  1.2 MiB / 2.0 MiB  ETA 0:04
 * (with a rate before the ETA, "11.2 kB/s", for transfers) and fits in 80
 * columns; each redraw pads over what is left of a longer previous line. The time left is the time so far scaled by the
 * bytes left over the bytes done: crude, but the encoder's cost per byte
 * is close to even over an image, and the estimate only shows once a
 * second of work has made it meaningful.
 */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_CELLS 20
#define REDRAW_SECONDS 0.1

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double (*now)(void) = monotonic;

void progress_set_clock(double (*seconds)(void))
{
    now = seconds ? seconds : monotonic;
}

/* "1.2 MiB", "340 KiB" or "512 B": short enough for the bar line. */
static void human(uint64_t v, char *out, size_t cap)
{
    if (v >= 1024u * 1024u)
        snprintf(out, cap, "%.1f MiB", (double)v / (1024.0 * 1024.0));
    else if (v >= 1024u)
        snprintf(out, cap, "%llu KiB", (unsigned long long)(v / 1024u));
    else
        snprintf(out, cap, "%llu B", (unsigned long long)v);
}

static void eta(double elapsed, uint64_t done, uint64_t total, char *out, size_t cap)
{
    double left;
    unsigned long s;
    if (done == 0 || elapsed < 1.0) {
        snprintf(out, cap, "ETA --:--");
        return;
    }
    left = elapsed * (double)(total - done) / (double)done;
    /* Clamp: an absurd first estimate must not overflow the line. */
    s = left < 5999.0 ? (unsigned long)(left + 0.5) : 5999;
    snprintf(out, cap, "ETA %lu:%02lu", s / 60, s % 60);
}

/* Bytes per second so far, "11.2 kB/s" (a line's kilobytes, as baud
 * rates are decimal), or nothing before there is a meaningful figure. */
static void rate(const struct progress_bar *p, double elapsed, uint64_t done, char *out, size_t cap)
{
    out[0] = 0;
    if (p->rate && done > 0 && elapsed > 0.2)
        snprintf(out, cap, "  %.1f kB/s", (double)done / elapsed / 1000.0);
}

static void draw(struct progress_bar *p, uint64_t done, uint64_t total, double t)
{
    char bar[BAR_CELLS + 1], d[32], tot[32], e[32], r[32], line[160];
    unsigned cells = total ? (unsigned)(done * BAR_CELLS / total) : BAR_CELLS;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    int n;
    memset(bar, '#', cells);
    memset(bar + cells, '.', BAR_CELLS - cells);
    bar[BAR_CELLS] = 0;
    human(done, d, sizeof d);
    human(total, tot, sizeof tot);
    eta(t - p->start, done, total, e, sizeof e);
    rate(p, t - p->start, done, r, sizeof r);
    n = snprintf(line, sizeof line, "cfota: %s [%s] %3u%%  %s / %s%s  %s", p->label, bar, pct, d,
                 tot, r, e);
    if (n < 0)
        return;
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    /* Pad over the remains of a longer previous line. */
    fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
    fflush(stderr);
    if (n > p->width)
        p->width = n;
    p->last_draw = t;
}

void progress_begin(struct progress_bar *p, const char *label, uint64_t total, int enable)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->shown = enable && isatty(STDERR_FILENO);
    p->start = now();
    if (p->shown)
        draw(p, 0, total, p->start);
}

void progress_update(void *ctx, uint64_t done, uint64_t total)
{
    struct progress_bar *p = ctx;
    double t;
    if (!p->shown)
        return;
    if (done > total)
        done = total;
    t = now();
    if (t - p->last_draw < REDRAW_SECONDS)
        return;
    draw(p, done, total, t);
}

void progress_end(struct progress_bar *p)
{
    if (p->shown && p->width > 0) {
        fprintf(stderr, "\r%*s\r", p->width, "");
        fflush(stderr);
    }
    p->shown = 0;
    p->width = 0;
}
