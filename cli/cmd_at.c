/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_at.c: `cfota at --port DEV 'AT+CGMR' ...`: send commands one
 * after the other, each after the previous one's final result, and print
 * the module's answer lines and any URCs that came meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "ctl_link.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota at --port DEV [--timeout MS] [--baud N] [--trace] CMD...\n"
               "\n"
               "Send each AT command CMD (e.g. 'AT+CGMR') and print the answer lines,\n"
               "the final result, and the URCs that arrive meanwhile (prefixed '[urc]').\n"
               "exit status: 0 every command answered OK, 1 one did not, 2 usage,\n"
               "3 no port, or no answer at all (the commands after it are not sent)\n");
}

static void print_urcs(struct cfota_at *at)
{
    struct cfota_at_urc u;
    while (cfota_at_urc_pop(at, &u))
        printf("[urc] %s\n", u.text);
}

int cmd_at(int argc, char **argv)
{
    const char *port = NULL, *baud = NULL, *timeout_s = NULL, *ops[64];
    int n_ops, trace = 0, rc, i, failed = 0, silent = 0;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL}, {"baud", 0, &baud, NULL}, {"timeout", 0, &timeout_s, NULL},
        {"trace", 0, NULL, &trace}, {NULL, 0, NULL, NULL},
    };
    struct ctl_link l;
    struct cfota_at *at;
    unsigned long timeout = 10000;
    if ((rc = args_run(argc, argv, opts, ops, 64, &n_ops, usage)) >= 0)
        return rc;
    if (n_ops < 1)
        return args_usage_error("at", usage, "give at least one command");
    if (timeout_s) {
        char *end;
        timeout = strtoul(timeout_s, &end, 10);
        if (*end || !timeout)
            return args_usage_error("at", usage, "--timeout wants milliseconds");
    }
    if ((rc = ctl_link_open(&l, "at", port, baud, 0, 1, trace)) != 0)
        return rc;
    at = cfota_ctl_at(&l.ctl);
    cfota_at_drain(at);
    print_urcs(at);
    for (i = 0; i < n_ops; i++) {
        unsigned k;
        rc = cfota_at_cmd(at, ops[i], NULL, (uint32_t)timeout);
        for (k = 0; k < cfota_at_nlines(at); k++)
            printf("%s\n", cfota_at_line(at, k));
        if (rc == CFOTA_CTL_OK)
            printf("OK\n");
        else if (rc == CFOTA_CTL_E_CME)
            printf("+CME ERROR: %d\n", (int)cfota_at_cme(at));
        else
            printf("%s\n", rc == CFOTA_CTL_E_ERROR ? "ERROR" : cfota_ctl_error_name(rc));
        print_urcs(at);
        failed |= rc != CFOTA_CTL_OK;
        /* Not even a line back: nobody is there, as for the flows'
         * probe (docs/cli.md, status 3). */
        if (rc == CFOTA_CTL_E_IO || (rc == CFOTA_CTL_E_TIMEOUT && cfota_at_nlines(at) == 0)) {
            silent = 1;
            report_fail_status("at", EXIT_LINK, "%s: no answer to %s", port, ops[i]);
            break;
        }
    }
    ctl_link_close(&l);
    return silent ? EXIT_LINK : failed ? 1 : 0;
}
