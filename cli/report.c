/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/report.c: messages and file I/O of the cfota commands
 * (cli/report.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int report_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cfota: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int report_load(const char *cmd, const char *path, struct bytes *b)
{
    if (bytes_read_file(b, path) != 0)
        return report_fail(cmd, "%s: %s", path, strerror(errno));
    return 0;
}

/* bytes_write_file() writes a temporary file next to path and renames it.
 * An interrupt (Ctrl-C, a CI timeout's SIGTERM) between the two would leave
 * the temporary behind, so those signals wait until the rename is done:
 * the user gets the whole file or none, and no litter. */
int report_save(const char *cmd, const char *path, const void *data, size_t n)
{
    sigset_t block, saved;
    int rc, e;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &saved);
    rc = bytes_write_file(path, data, n);
    e = errno;
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0)
        return report_fail(cmd, "%s: %s", path, strerror(e));
    return 0;
}

const char *report_count(uint64_t v, char out[REPORT_COUNT_MAX])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    int i, o = 0;
    for (i = 0; i < n; i++) {
        /* A comma before every group of three digits counted from the end. */
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    return out;
}

int report_read_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(out, (int)cap, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}
