/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_push.c: `cfota push --port DEV PKG`, the note's section 5: write
 * a package into the module through the hardware interface (AT+CFLE,
 * AT+CFLW in chunks of 512 bytes), then AT+CFOTA=5 with its length and
 * MD5, follow the module through its reset, read the new version, and
 * report the result (AT+CFOTA=4). The flow is the controller library's
 * (cfota_ctl_upload in controller/include/cfota_ctl/fota_ctl.h), as an MCU would run it.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "ctl_link.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota push --port DEV PKG [--expect-version V] [--baud N] [--json] [-q] [--trace]\n"
               "\n"
               "Write the package PKG into the module's update partition over the\n"
               "serial port DEV (AT+CFLE, AT+CFLW), start the update (AT+CFOTA=5 with\n"
               "the package's length and MD5), follow the module through its reset,\n"
               "check AT+CGMR, and report the result to the FOTA server (AT+CFOTA=4).\n"
               "\n"
               "options:\n"
               "  --port DEV            serial port (/dev/ttyUSB0, or cfota modem --link)\n"
               "  --baud N              line rate, also sent as AT+IPR=N (default 115200)\n"
               "  --expect-version V    fail unless AT+CGMR shows V afterwards\n"
               "  --stage-only          only write the package (AT+CFLE, AT+CFLW); no update\n"
               "  --json                print the outcome as one JSON object on stdout\n"
               "  -q, --quiet           no progress\n"
               "  --trace               print the AT dialogue on stderr\n"
               "exit status: 0 updated, 1 failed, 2 usage, 3 no port or no module,\n"
               "4 the module refused the package or the update failed\n");
}

static int read_mem(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct bytes *b = ctx;
    if ((uint64_t)off + len > b->n)
        return -1;
    memcpy(buf, b->p + off, len);
    return 0;
}

int cmd_push(int argc, char **argv)
{
    const char *port = NULL, *baud = NULL, *expect = NULL, *ops[1];
    int n_ops, json = 0, quiet = 0, trace = 0, stage = 0, rc;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL},        {"baud", 0, &baud, NULL}, {"expect-version", 0, &expect, NULL},
        {"json", 0, NULL, &json},        {"quiet", 'q', NULL, &quiet}, {"trace", 0, NULL, &trace},
        {"stage-only", 0, NULL, &stage},
        {NULL, 0, NULL, NULL},
    };
    struct bytes pkg = {0};
    struct ctl_link l;
    struct cfota_ctl_report rep;
    struct cfota_ctl_source src;
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, usage)) >= 0)
        return rc;
    if (n_ops != 1)
        return args_usage_error("push", usage, "give one package file");
    if ((rc = report_load("push", ops[0], &pkg)) != 0)
        return rc;
    if ((rc = ctl_link_open(&l, "push", port, baud, json, quiet, trace)) != 0) {
        bytes_free(&pkg);
        return rc;
    }
    l.cfg.stage_only = (uint8_t)stage;
    memset(&rep, 0, sizeof rep);
    src.ctx = &pkg;
    src.read = read_mem;
    src.len = (uint32_t)pkg.n;
    rc = cfota_ctl_upload(&l.ctl, &src, NULL, expect, &rep);
    rc = ctl_link_finish(&l, rc, &rep);
    ctl_link_close(&l);
    bytes_free(&pkg);
    return rc;
}
