/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_push.c: `cfota push --port DEV PKG`, the note's section 5: write
 * a package into the module through the hardware interface (AT+CFLE,
 * AT+CFLW in chunks of 512 bytes), then AT+CFOTA=5 with its length and
 * MD5, follow the module through its reset, read the new version, and
 * report the result (AT+CFOTA=4). The flow is the controller library's
 * (cfota_ctl_upload in controller/include/cfota_ctl/fota_ctl.h), as an MCU would run it.
 * With --key KEY.pub the package is first checked here as the module will
 * check it (signed with that key, intact), so a package the module would
 * refuse never crosses the slow serial line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "ctl_link.h"
#include "pkg_check.h"
#include "report.h"
#include "sign.h"

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota_mbedtls.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota push --port DEV PKG [--key KEY.pub] [--expect-version V] [--raw] [--stage-only]\n"
               "                  [--baud N] [--json] [-q] [--trace]\n"
               "\n"
               "Write the package PKG into the module's update partition over the\n"
               "serial port DEV (AT+CFLE, AT+CFLW), start the update (AT+CFOTA=5 with\n"
               "the package's length and MD5), follow the module through its reset,\n"
               "check AT+CGMR, and report the result to the FOTA server (AT+CFOTA=4).\n"
               "PKG is checked first (a whole cfota package, made with --in-place);\n"
               "nothing is sent if it is not.\n"
               "\n"
               "options:\n"
               "  --port DEV            serial port (/dev/ttyUSB0, or cfota modem --link)\n"
               "  --baud N              line rate, also sent as AT+IPR=N (default 115200)\n"
               "  --expect-version V    fail unless AT+CGMR shows V afterwards\n"
               "  --key KEY.pub         check the package's signature first; send\n"
               "                        nothing if it is not signed with KEY.pub\n"
               "  --stage-only          only write the package (AT+CFLE, AT+CFLW); no update\n"
               "  --raw                 send PKG as it is, unchecked (e.g. the module\n"
               "                        vendor's own delta file)\n"
               "  --json                print the outcome as one JSON object on stdout\n"
               "  -q, --quiet           no progress\n"
               "  --trace               print the AT dialogue on stderr\n"
               "exit status: 0 updated, 1 failed, 2 usage, 3 no port or no module,\n"
               "4 the module refused the package or the update failed\n");
}

/* --key: the module's own check, made before anything is sent. */
static int check_signature(const char *key, const struct bytes *pkg)
{
    struct cfota_mbedtls_key k;
    struct cfota_verifier v;
    struct cfota_policy p;
    struct cfota_header h;
    char why[512];
    memset(&p, 0, sizeof p);
    if (host_verifier_load(key, &k, &v, why, sizeof why) != CFOTA_OK)
        return report_fail("push", "%s", why);
    p.verifier = &v;
    if (cfota_header_parse(&h, pkg->p, pkg->n) == CFOTA_OK)
        p.product_id = h.product_id; /* the module's product is its own business */
    if (host_package_check(pkg->p, pkg->n, &p, why, sizeof why) != CFOTA_OK)
        return report_fail("push", "package refused before sending: %s", why);
    return 0;
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
    const char *port = NULL, *baud = NULL, *expect = NULL, *key = NULL, *ops[1];
    int n_ops, json = 0, quiet = 0, trace = 0, stage = 0, raw = 0, rc;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL},        {"baud", 0, &baud, NULL}, {"expect-version", 0, &expect, NULL},
        {"json", 0, NULL, &json},        {"quiet", 'q', NULL, &quiet}, {"trace", 0, NULL, &trace},
        {"stage-only", 0, NULL, &stage}, {"key", 0, &key, NULL}, {"raw", 0, NULL, &raw},
        {NULL, 0, NULL, NULL},
    };
    struct bytes pkg = {0};
    struct ctl_link l;
    struct cfota_ctl_report rep;
    struct cfota_ctl_source src;
    struct cfota_header h;
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, usage)) >= 0)
        return rc;
    report_json_failures(json);
    if (n_ops != 1)
        return args_usage_error("push", usage, "give one package file");
    if ((rc = report_load("push", ops[0], &pkg)) != 0)
        return rc;
    /* The module would refuse these only after the whole upload: first
     * whether it is the release key's, then whether it is a whole package
     * made for in-place apply. */
    if (key && (rc = check_signature(key, &pkg)) != 0) {
        bytes_free(&pkg);
        return rc;
    }
    if (!raw && (rc = pkg_check("push", ops[0], &pkg, PKG_NEED_WHOLE | PKG_NEED_IN_PLACE, &h)) != 0) {
        bytes_free(&pkg);
        return rc;
    }
    if (pkg.n == 0 || pkg.n > UINT32_MAX) {
        bytes_free(&pkg);
        return report_fail("push", "%s: %s", ops[0], pkg.n ? "too big for a module" : "empty file");
    }
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
