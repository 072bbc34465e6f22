/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/report.h: what the cfota commands tell the user, said one way.
 *
 * Failures read "cfota: <command>: <file>: <reason>" (docs/cli.md), with
 * strerror() for I/O, so a firmware engineer reading a CI log sees which
 * file and why. The file helpers here wrap util/bytes.h and report their
 * own failures; outputs are always written atomically (temporary file and
 * rename), so a failed or interrupted command never leaves half a file
 * under the name the user asked for.
 */
#ifndef CFOTA_CLI_REPORT_H
#define CFOTA_CLI_REPORT_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "bytes.h"

/* Print "cfota: <cmd>: <message>" on stderr; returns 1 (the exit status of
 * a failed operation) for the caller to return. */
int report_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* report_fail with another exit status (3, 4: the module commands). */
int report_fail_status(const char *cmd, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with a va_list (args.c's usage errors); returns status. */
int report_vfail(const char *cmd, int status, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* --json: from now on, the first failure reported (report_fail*, or a
 * usage error of args.h) is also printed on stdout as one JSON object,
 * {"result_name":"failed","exit":<status>,"error":"<message>"}, so a
 * script always gets an object. A command that prints its own object
 * turns this off first (report_json_failures(0)). */
void report_json_failures(int on);
/* Print that object now, if --json asked for it (args.c's usage errors). */
void report_json_failure(int status, const char *message);

/* A JSON string on f: quotes, backslashes and control characters escaped;
 * a byte that is not part of valid UTF-8 (file names are bytes) becomes
 * U+FFFD, so the output stays valid JSON. */
void report_json_string(FILE *f, const char *str);

/* Read the whole file at path into *b. Returns 0, or reports
 * "cfota: <cmd>: <path>: <strerror>" and returns 1. */
int report_load(const char *cmd, const char *path, struct bytes *b);

/* Write n bytes to path atomically. Returns 0, or reports the failure and
 * returns 1; the file at path is then as it was before. */
int report_save(const char *cmd, const char *path, const void *data, size_t n);

/* Decimal digits of v grouped by thousands ("12,345") into out. */
#define REPORT_COUNT_MAX 28
const char *report_count(uint64_t v, char out[REPORT_COUNT_MAX]);

/* Read the first line of the file at path into out (cap bytes), without
 * its line ending: for token files. Returns 0, or -1 if the file cannot be
 * read or is empty. */
int report_read_line(const char *path, char *out, size_t cap);

#endif
