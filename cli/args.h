/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/args.h: the option conventions shared by every cfota subcommand.
 *
 * A command describes its options as a table of struct cli_option and
 * hands argv to args_parse(), which fills in the values and collects the
 * positional arguments. The conventions are the GNU ones engineers expect:
 * options and operands in any order, "--name value" or "--name=value",
 * "-o value" or "-ovalue", "--" ends the options, "-h"/"--help" asks for
 * help. Sizes ("64K", "16KiB", "4096") are parsed by args_size().
 *
 * Usage errors are reported as "cfota: <command>: <what>" followed by the
 * command's usage, on stderr, and give exit status 2 (docs/cli.md).
 */
#ifndef CFOTA_CLI_ARGS_H
#define CFOTA_CLI_ARGS_H

#include <stdint.h>
#include <stdio.h>

/* One option of a command. Exactly one of value and flag is set. */
struct cli_option {
    const char *name;   /* long name without "--", e.g. "segment-size" */
    char short_name;    /* e.g. 'o', or 0 for none */
    const char **value; /* option takes a value: stored here (last wins) */
    int *flag;          /* option is a switch: set to 1 */
};

enum args_result {
    ARGS_OK = 0,
    ARGS_HELP = 1, /* -h or --help was given: print usage to stdout, exit 0 */
    ARGS_BAD = -1  /* a message was printed: print usage to stderr, exit 2 */
};

/* Parse argv[1..argc-1] (argv[0] is the command's name) against opts, a
 * table ended by an entry with a NULL name. Operands are stored in
 * operands[0..max_operands-1] and counted in *n_operands. On ARGS_BAD a
 * one-line reason has been printed on stderr. */
enum args_result args_parse(int argc, char **argv, const struct cli_option *opts,
                            const char **operands, int max_operands, int *n_operands);

/* args_parse, then the usual handling: on -h/--help print usage to stdout
 * and return 0; on a bad option print usage to stderr and return
 * EXIT_USAGE; otherwise return -1, meaning "go on". So a command starts
 * with: if ((rc = args_run(...)) >= 0) return rc; */
int args_run(int argc, char **argv, const struct cli_option *opts, const char **operands, int max_operands,
             int *n_operands, void (*usage)(FILE *));

/* Parse a byte count: decimal digits, optionally followed by K or KiB
 * (times 1024) or M or MiB (times 1048576); "K" and "KiB" mean the same,
 * since flash sizes are powers of two. Returns 0 and *out, or -1 for
 * anything else (empty, junk, over 4 GiB - 1). */
int args_size(const char *text, uint32_t *out);

/* Parse a 32-bit number: decimal, or hexadecimal after 0x. Returns 0 and
 * *out, or -1 for anything else (empty, junk, over 2^32 - 1). */
int args_u32(const char *text, uint32_t *out);

/* Report a usage error: prints "cfota: <cmd>: <message>" and then the
 * command's usage on stderr; returns EXIT_USAGE for the caller to return. */
int args_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
