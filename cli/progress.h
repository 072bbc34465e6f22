/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/progress.h: a progress bar on stderr for long host operations.
 *
 * Encoding a multi-megabyte image takes seconds; a bar with a percentage,
 * the bytes done and an estimated time left tells the user it is working.
 * The bar is only drawn when stderr is a terminal, and by the encoder only
 * when the job is big enough to be worth it (over PROGRESS_MIN_BYTES), so
 * logs and pipes get no carriage-return noise. It is redrawn in place with '\r' at most ten
 * times a second and erased by progress_end(), leaving the line clean for
 * whatever is printed next.
 */
#ifndef CFOTA_CLI_PROGRESS_H
#define CFOTA_CLI_PROGRESS_H

#include <stdint.h>

#define PROGRESS_MIN_BYTES (256u * 1024u)

struct progress_bar {
    const char *label;  /* shown before the bar, e.g. "diff" */
    int shown;          /* drawing enabled (terminal, big job) */
    int width;          /* characters of the last line drawn, to erase it */
    double start;       /* monotonic seconds at progress_begin */
    double last_draw;   /* monotonic seconds of the last redraw */
    int rate;           /* also show bytes per second (set after begin) */
};

/* Start a bar for a job of total bytes; draws the 0% bar if enabled and
 * stderr is a terminal. enable = 0 (e.g. --quiet, a small job) never
 * draws. */
void progress_begin(struct progress_bar *p, const char *label, uint64_t total, int enable);

/* Report done of total bytes; signature of the encoder's progress
 * callback, with ctx a struct progress_bar. Cheap when nothing is drawn. */
void progress_update(void *ctx, uint64_t done, uint64_t total);

/* Erase the bar, if one was drawn. */
void progress_end(struct progress_bar *p);

/* Tests: take the time (seconds) from this function instead of the
 * monotonic clock; NULL restores it. */
void progress_set_clock(double (*seconds)(void));

#endif
