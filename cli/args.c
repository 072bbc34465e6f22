/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/args.c: option parsing for the cfota subcommands (cli/args.h).
 *
 * Deliberately not getopt_long: getopt permutes argv behind our back, keeps
 * global state between calls (awkward for a tool whose commands could be
 * called twice from tests) and its messages do not say which command
 * complained. This parser is a loop over argv with one table lookup.
 */
#include "args.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"

static const struct cli_option *find_long(const struct cli_option *opts, const char *name,
                                          size_t len)
{
    for (; opts->name; opts++)
        if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
            return opts;
    return NULL;
}

static const struct cli_option *find_short(const struct cli_option *opts, char c)
{
    for (; opts->name; opts++)
        if (opts->short_name && opts->short_name == c)
            return opts;
    return NULL;
}

/* The last complaint, for --json (args_run). */
static char complaint[512];

static void complain(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(complaint, sizeof complaint, fmt, ap);
    va_end(ap);
    fprintf(stderr, "cfota: %s: %s\n", cmd, complaint);
}

/* Was --json, an option of this command, among the arguments? A usage
 * error may come before it is parsed, and a script asking for JSON still
 * gets an object. */
static int wants_json(int argc, char **argv, const struct cli_option *opts)
{
    int i;
    if (!find_long(opts, "json", 4))
        return 0;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--json"))
            return 1;
    return 0;
}

/* "--name", "--name=value" or "--name value" at argv[*i]. */
static enum args_result parse_long(int argc, char **argv, int *i,
                                   const struct cli_option *opts)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct cli_option *o = find_long(opts, arg, len);
    if (!o) {
        complain(argv[0], "unknown option '--%.*s'", (int)len, arg);
        return ARGS_BAD;
    }
    if (o->flag) {
        if (eq) {
            complain(argv[0], "option '--%s' takes no value", o->name);
            return ARGS_BAD;
        }
        *o->flag = 1;
        return ARGS_OK;
    }
    if (eq) {
        *o->value = eq + 1;
        return ARGS_OK;
    }
    if (*i + 1 >= argc) {
        complain(argv[0], "option '--%s' needs a value", o->name);
        return ARGS_BAD;
    }
    *o->value = argv[++*i];
    return ARGS_OK;
}

/* "-o value" or "-ovalue" at argv[*i]; switches may not be bundled, since
 * no command has two one-letter switches. */
static enum args_result parse_short(int argc, char **argv, int *i,
                                    const struct cli_option *opts)
{
    const char *arg = argv[*i];
    const struct cli_option *o = find_short(opts, arg[1]);
    if (!o) {
        complain(argv[0], "unknown option '-%c'", arg[1]);
        return ARGS_BAD;
    }
    if (o->flag) {
        if (arg[2]) {
            complain(argv[0], "unknown option '%s'", arg);
            return ARGS_BAD;
        }
        *o->flag = 1;
        return ARGS_OK;
    }
    if (arg[2]) {
        *o->value = arg + 2;
        return ARGS_OK;
    }
    if (*i + 1 >= argc) {
        complain(argv[0], "option '-%c' needs a value", arg[1]);
        return ARGS_BAD;
    }
    *o->value = argv[++*i];
    return ARGS_OK;
}

enum args_result args_parse(int argc, char **argv, const struct cli_option *opts,
                            const char **operands, int max_operands, int *n_operands)
{
    int i, only_operands = 0;
    *n_operands = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        enum args_result r;
        if (!only_operands && (!strcmp(arg, "-h") || !strcmp(arg, "--help")))
            return ARGS_HELP;
        if (!only_operands && !strcmp(arg, "--")) {
            only_operands = 1;
            continue;
        }
        if (only_operands || arg[0] != '-' || arg[1] == 0) { /* "-" is an operand */
            if (*n_operands >= max_operands) {
                complain(argv[0], "unexpected argument '%s'", arg);
                return ARGS_BAD;
            }
            operands[(*n_operands)++] = arg;
            continue;
        }
        r = arg[1] == '-' ? parse_long(argc, argv, &i, opts) : parse_short(argc, argv, &i, opts);
        if (r != ARGS_OK)
            return r;
    }
    return ARGS_OK;
}

int args_size(const char *text, uint32_t *out)
{
    uint64_t v = 0, unit = 1;
    const char *p = text;
    if (!text || *p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    if (!strcmp(p, "K") || !strcmp(p, "KiB") || !strcmp(p, "k"))
        unit = 1024;
    else if (!strcmp(p, "M") || !strcmp(p, "MiB"))
        unit = 1024 * 1024;
    else if (*p)
        return -1;
    if (v * unit > UINT32_MAX)
        return -1;
    *out = (uint32_t)(v * unit);
    return 0;
}

int args_u32(const char *text, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10, digits = 0;
    const char *p = text;
    if (!text)
        return -1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (; *p; p++, digits++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return -1;
        v = v * base + d;
        if (v > UINT32_MAX)
            return -1;
    }
    if (digits == 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int args_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_vfail(cmd, EXIT_USAGE, fmt, ap);
    va_end(ap);
    usage(stderr);
    return EXIT_USAGE;
}

int args_run(int argc, char **argv, const struct cli_option *opts, const char **operands, int max_operands,
             int *n_operands, void (*usage)(FILE *))
{
    switch (args_parse(argc, argv, opts, operands, max_operands, n_operands)) {
    case ARGS_HELP:
        usage(stdout);
        return 0;
    case ARGS_BAD:
        usage(stderr);
        if (wants_json(argc, argv, opts)) {
            report_json_failures(1);
            report_json_failure(EXIT_USAGE, complaint);
        }
        return EXIT_USAGE;
    case ARGS_OK:
        break;
    }
    return -1;
}
