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

/* --json: the failure that ends the command, as an object on stdout. */
static int json_failures;

void report_json_failures(int on)
{
    json_failures = on;
}

void report_json_failure(int status, const char *message)
{
    if (!json_failures)
        return;
    json_failures = 0; /* one object per command */
    printf("{\"result_name\":\"failed\",\"exit\":%d,\"error\":", status);
    report_json_string(stdout, message);
    printf("}\n");
    fflush(stdout);
}

int report_vfail(const char *cmd, int status, const char *fmt, va_list ap)
{
    char message[1024];
    vsnprintf(message, sizeof message, fmt, ap);
    fprintf(stderr, "cfota: %s: %s\n", cmd, message);
    report_json_failure(status, message);
    return status;
}

int report_fail_status(const char *cmd, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_vfail(cmd, status, fmt, ap);
    va_end(ap);
    return status;
}

int report_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_vfail(cmd, 1, fmt, ap);
    va_end(ap);
    return 1;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* Overlong 3- and 4-byte forms, surrogates, and beyond U+10FFFF. */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* A JSON string. File names are bytes, not text: a byte that is not part
 * of valid UTF-8 becomes U+FFFD so that the output stays valid JSON. */
void report_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        size_t n = utf8_len(s);
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '\t')
            fputs("\\t", f);
        else if (*s < 0x20 || *s == 0x7F)
            fprintf(f, "\\u%04x", *s);
        else if (n == 0)
            fputs("\\ufffd", f);
        else {
            fwrite(s, 1, n, f);
            s += n;
            continue;
        }
        s++;
    }
    fputc('"', f);
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
    if (rc != 0 && e == EEXIST)
        return report_fail(cmd, "%s: exists and is not a regular file; not replaced", path);
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
