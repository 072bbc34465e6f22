/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_bearer.c: `cfota bearer --port DEV [--apn APN]`, the note's
 * section 3: check the SIM, signal, registration, PDP context, operator
 * and address; with --apn, set the APN if it is not the one in use
 * (AT+CFUN=0, AT*MCGDEFCONT, AT+CFUN=1) and wait for registration.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "ctl_link.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota bearer --port DEV [--apn APN] [--baud N] [--json] [-q] [--trace]\n"
               "\n"
               "Check the module's bearer (AT+CPIN?, AT+CSQ, AT+CGREG?, AT+CGACT?,\n"
               "AT+COPS?, AT+CGCONTRDP) and print it; with --apn, configure that APN\n"
               "first if needed (AT+CFUN=0, AT*MCGDEFCONT=\"IP\",\"APN\", AT+CFUN=1).\n"
               "--json prints one object on stdout, with the bearer's operator, signal,\n"
               "registration, context, APN and address.\n"
               "exit status: 0 attached, 1 not (reason printed), 2 usage, 3 no port or module\n");
}

int cmd_bearer(int argc, char **argv)
{
    const char *port = NULL, *baud = NULL, *apn = NULL, *ops[1];
    int n_ops, json = 0, quiet = 0, trace = 0, rc;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL}, {"baud", 0, &baud, NULL},   {"apn", 0, &apn, NULL}, {"json", 0, NULL, &json},
        {"quiet", 'q', NULL, &quiet}, {"trace", 0, NULL, &trace}, {NULL, 0, NULL, NULL},
    };
    struct ctl_link l;
    struct cfota_ctl_report rep;
    struct cfota_ctl_bearer_info info;
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, usage)) >= 0)
        return rc;
    report_json_failures(json);
    if (n_ops != 0)
        return args_usage_error("bearer", usage, "no operands expected");
    if ((rc = ctl_link_open(&l, "bearer", port, baud, json, 1, trace)) != 0)
        return rc;
    memset(&rep, 0, sizeof rep);
    memset(&info, 0, sizeof info);
    l.bearer = &info;
    rc = cfota_ctl_bearer(&l.ctl, apn, &info, &rep);
    if (rc == CFOTA_CTL_OK && !json)
        printf("operator: %s (AcT %u)\nsignal: rssi %u, ber %u\nregistration: %u\ncontext: %u, APN %s, "
               "address and mask %s%s\n",
               info.oper, info.act, info.rssi, info.ber, info.reg_stat, info.cid, info.apn, info.addr,
               info.apn_set ? "\nAPN changed" : "");
    l.quiet = quiet;
    rc = ctl_link_finish(&l, rc, &rep);
    ctl_link_close(&l);
    return rc;
}
