/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_update.c: `cfota update --port DEV --ota | --http URL`: the
 * note's section 4 (the module fetches the package from its FOTA server
 * itself: AT+CFOTA=1) and section 6 (the module downloads a package over
 * HTTP into its update partition, then AT+CFOTA=5). Both follow the module
 * through its reset, check AT+CGMR and report with AT+CFOTA=4, through the
 * controller library (controller/include/cfota_ctl/fota_ctl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "ctl_link.h"
#include "hash.h"
#include "pkg_check.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota update --port DEV --ota [--version V]\n"
               "       cfota update --port DEV --http URL (--package PKG | --len N --md5 HEX)\n"
               "\n"
               "--ota: the module checks its FOTA server, downloads and applies the\n"
               "package (AT+CFOTA=1[,\"V\"]). --http: the module downloads URL into its\n"
               "update partition (AT+CHTTPCREATE/CON/TOFS) and applies it (AT+CFOTA=5);\n"
               "the package's length and MD5 come from the local copy PKG, or are given.\n"
               "Either way the module resets, AT+CGMR is checked and AT+CFOTA=4 reports\n"
               "the result to the FOTA server.\n"
               "\n"
               "options:\n"
               "  --port DEV            serial port (/dev/ttyUSB0, or cfota modem --link)\n"
               "  --baud N              line rate, also sent as AT+IPR=N (default 115200)\n"
               "  --version V           --ota: ask for version V (default: the newest)\n"
               "  --expect-version V    fail unless AT+CGMR shows V afterwards\n"
               "  --json, -q, --trace   as for cfota push\n"
               "exit status: 0 updated, 1 failed, 2 usage, 3 no port or no module,\n"
               "4 the module refused the package or the update failed\n");
}

int cmd_update(int argc, char **argv)
{
    const char *port = NULL, *baud = NULL, *version = NULL, *expect = NULL, *url = NULL, *pkg_path = NULL;
    const char *len_s = NULL, *md5_s = NULL, *ops[1];
    int n_ops, ota = 0, json = 0, quiet = 0, trace = 0, rc;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL},           {"baud", 0, &baud, NULL},        {"ota", 0, NULL, &ota},
        {"http", 0, &url, NULL},            {"version", 0, &version, NULL},  {"expect-version", 0, &expect, NULL},
        {"package", 0, &pkg_path, NULL},    {"len", 0, &len_s, NULL},        {"md5", 0, &md5_s, NULL},
        {"json", 0, NULL, &json},           {"quiet", 'q', NULL, &quiet},    {"trace", 0, NULL, &trace},
        {NULL, 0, NULL, NULL},
    };
    struct ctl_link l;
    struct cfota_ctl_report rep;
    char md5_hex[33];
    unsigned long len = 0;
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, usage)) >= 0)
        return rc;
    report_json_failures(json);
    if (n_ops != 0 || ota == (url != NULL))
        return args_usage_error("update", usage, "give exactly one of --ota and --http URL");
    if (url) {
        if (pkg_path) {
            struct bytes pkg = {0};
            struct cfota_header h;
            uint8_t md5[16];
            if ((rc = report_load("update", pkg_path, &pkg)) != 0)
                return rc;
            if ((rc = pkg_check("update", pkg_path, &pkg, PKG_NEED_WHOLE | PKG_NEED_IN_PLACE, &h)) != 0) {
                bytes_free(&pkg);
                return rc;
            }
            host_md5(pkg.p, pkg.n, md5);
            host_hex(md5, 16, md5_hex);
            len = (unsigned long)pkg.n;
            bytes_free(&pkg);
        } else if (len_s && md5_s && strlen(md5_s) == 32) {
            char *end;
            len = strtoul(len_s, &end, 10);
            if (*end || !len)
                return args_usage_error("update", usage, "--len wants the package's size in bytes");
            memcpy(md5_hex, md5_s, 33);
        } else {
            return args_usage_error("update", usage, "--http needs --package PKG, or --len N and --md5 HEX");
        }
    }
    if ((rc = ctl_link_open(&l, "update", port, baud, json, quiet, trace)) != 0)
        return rc;
    memset(&rep, 0, sizeof rep);
    if (ota)
        rc = cfota_ctl_ota(&l.ctl, version, &rep);
    else
        rc = cfota_ctl_http(&l.ctl, url, (uint32_t)len, md5_hex, expect, &rep);
    rc = ctl_link_finish(&l, rc, &rep);
    ctl_link_close(&l);
    return rc;
}
