/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/ctl_link.h: what `cfota push`, `update`, `bearer` and `at` share:
 * opening the serial port, the controller (controller/include/cfota_ctl/fota_ctl.h) on
 * it, progress output, and the report printed at the end.
 */
#ifndef CFOTA_CLI_CTL_LINK_H
#define CFOTA_CLI_CTL_LINK_H

#include "cfota_ctl/fota_ctl.h"
#include "progress.h"
#include "serial.h"

/* Exit statuses of the module commands (docs/cli.md). */
#define EXIT_LINK 3    /* the port cannot be opened, or no module answers */
#define EXIT_REFUSED 4 /* the module refused the package or the update failed */

struct ctl_link {
    struct serial port;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    const char *cmd;     /* the subcommand, for messages */
    int json, quiet, trace;
    int last_step, timed_step;
    struct progress_bar bar; /* the byte-counted step on a terminal */
    const struct cfota_ctl_bearer_info *bearer; /* bearer: add to --json */
    double upload_start, upload_end; /* first AT+CFLE to the last CFLW's OK */
};

/* The options every module command takes: --port DEV (required), --baud
 * N (default 115200), --json, --quiet, --trace. Fill them from the
 * parsed values; returns 0 or an exit status after printing why (with
 * --json, also as an object on stdout: report.h). */
int ctl_link_open(struct ctl_link *l, const char *cmd, const char *port, const char *baud, int json, int quiet,
                  int trace);
void ctl_link_close(struct ctl_link *l);

/* Print a flow's outcome (human lines on stderr, or one JSON object on
 * stdout: docs/cli.md lists its keys; with l->bearer set, the bearer's
 * too) and return the exit status for it. */
int ctl_link_finish(struct ctl_link *l, int result, const struct cfota_ctl_report *rep);

#endif
