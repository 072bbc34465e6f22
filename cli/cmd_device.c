/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_device.c: `cfota device`: an emulated application MCU, the
 * example Cortex-M4 board (sim/mcu_board.h) with its flash in a state
 * directory, running the controller library's self-update flow
 * (cfota_ctl/self_update.h) against a module on a serial port.
 *
 * One run of the program is the MCU's power-on: it boots, looks for an
 * update and goes on booting after each CFOTA_SELF_REBOOT until the flow
 * has nothing more to do. With --power-cut-after N the flash loses power
 * at its (N+1)th program or erase of this run, and the program exits 75
 * with the flash as the cut left it; running it again with the same state
 * directory is the next boot, which continues the download or the update.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "bytes.h"
#include "cfota/status.h"
#include "cfota_ctl/self_update.h"
#include "cfota_mbedtls.h"
#include "commands.h"
#include "ctl_link.h"
#include "mcu_board.h"
#include "report.h"
#include "sign.h"

#define EXIT_POWER_CUT 75 /* as cfota modem's */
#define BOOTS_MAX 8       /* reboots of one power-on: an update needs two */

static void usage(FILE *f)
{
    fprintf(f, "usage: cfota device --port TTY --firmware IMG --version V --server URL --state DIR\n"
               "                    --imei IMEI --token TOKEN [--product ID] [--key KEY.pub]\n"
               "                    [--range BYTES] [--power-cut-after N] [--trace]\n"
               "\n"
               "Run an emulated application MCU (the example Cortex-M4 board) whose firmware\n"
               "updates itself through the module on TTY from the FOTA server at URL: check for\n"
               "IMEI's update, download it by Range into the board's package area, apply it in\n"
               "place, reboot into it, report. IMG (version V) is flashed on the first run; the\n"
               "board's flash lives in DIR, so a second run is the next boot and continues\n"
               "where the first stopped. --product: the product id packages must carry;\n"
               "--key: the release public key (packages must be signed by it).\n"
               "exit status: 0 updated and reported, or nothing to do; 1 failed (run again:\n"
               "the next boot continues); 2 usage; 3 no module; 4 package refused;\n"
               "75 power cut\n");
}

struct device {
    struct ctl_link link;
    struct mcu_board board;
    struct cfota_self_config cfg;
    struct cfota_self self;
    struct cfota_mbedtls_key key;
    struct cfota_verifier verifier;
    char version[MCU_VERSION_MAX];
};

static int open_board(struct device *d, const char *state, const char *firmware, const char *version)
{
    char path[4096], err[256];
    struct bytes img = {0};
    int rc;
    if (mkdir(state, 0777) != 0 && errno != EEXIST)
        return report_fail("device", "%s: %s", state, strerror(errno)), 1;
    snprintf(path, sizeof path, "%s/flash.bin", state);
    if (bytes_read_file(&img, firmware) != 0)
        return report_fail("device", "%s: %s", firmware, strerror(errno)), 1;
    rc = mcu_board_open(&d->board, path, img.p, img.n, err, sizeof err);
    if (rc == 0 && mcu_board_image(&d->board, d->version) != 0)
        rc = -1, snprintf(err, sizeof err, "the board's image holds no application");
    /* A board that still runs IMG is held to --version (after an update
     * it runs another image, whose header says its own). */
    if (rc == 0 && strcmp(d->version, version) != 0 &&
        memcmp(flashsim_data(d->board.sim) + MCU_IMAGE, img.p, img.n) == 0)
        rc = -1, snprintf(err, sizeof err, "%s says version %s, not %s", firmware, d->version, version);
    bytes_free(&img);
    if (rc != 0) {
        mcu_board_close(&d->board);
        return report_fail("device", "%s", err), 1;
    }
    return 0;
}

static const char *why(int r)
{
    return r <= CFOTA_SELF_ENGINE + 0 && r > CFOTA_SELF_ENGINE - 64 ? cfota_status_name(r - CFOTA_SELF_ENGINE)
                                                                    : cfota_ctl_error_name(r);
}

/* Boot until the flow is done; the exit status. */
static int run(struct device *d)
{
    struct cfota_self_report rep;
    int boots, r = 0;
    for (boots = 1; boots <= BOOTS_MAX; boots++) {
        /* The boot stage finishes a pending update before the image's
         * header can be trusted (a cut in the apply leaves it torn). */
        int app = mcu_board_image(&d->board, d->version) == 0;
        if (!app)
            d->version[0] = '\0';
        d->cfg.update = d->board.cfg;
        printf("boot %d: running %s\n", boots, app ? d->version : "(an update in progress)");
        fflush(stdout);
        r = cfota_self_run(&d->self, &d->cfg, &rep);
        if (!flashsim_powered(d->board.sim)) {
            printf("power cut\n");
            return EXIT_POWER_CUT;
        }
        if (!app && r != CFOTA_SELF_REBOOT)
            return report_fail("device", "no application in the image area and no update pending: bricked"), 1;
        if (rep.size)
            printf("package %s -> %s: %u bytes, %u received from offset %u in %u requests\n", rep.from, rep.to,
                   (unsigned)rep.size, (unsigned)rep.received, (unsigned)rep.resumed_at, (unsigned)rep.requests);
        switch (r) {
        case CFOTA_SELF_REBOOT:
            printf("update applied: rebooting\n");
            continue;
        case CFOTA_SELF_REPORTED:
            printf("reported: %s -> %s, running %s\n", rep.from, rep.to, d->version);
            return 0;
        case CFOTA_SELF_NO_UPDATE:
            printf("no update for %s\n", d->version);
            return 0;
        case CFOTA_CTL_E_NO_MODULE:
            return report_fail("device", "no module answers"), EXIT_LINK;
        default:
            report_fail("device", "%s (http %d)", why(r), (int)rep.http);
            return r <= CFOTA_SELF_ENGINE + CFOTA_E_CORRUPT && r != CFOTA_SELF_ENGINE + CFOTA_E_IO ? EXIT_REFUSED
                                                                                                 : 1;
        }
    }
    return report_fail("device", "still rebooting after %d boots", BOOTS_MAX), 1;
}

int cmd_device(int argc, char **argv)
{
    const char *port = NULL, *firmware = NULL, *version = NULL, *server = NULL, *state = NULL;
    const char *imei = NULL, *token = NULL, *product = NULL, *key = NULL, *range = NULL, *cut = NULL;
    const char *ops[1];
    int n_ops, trace = 0, rc;
    const struct cli_option opts[] = {
        {"port", 0, &port, NULL},       {"firmware", 0, &firmware, NULL}, {"version", 0, &version, NULL},
        {"server", 0, &server, NULL},   {"state", 0, &state, NULL},       {"imei", 0, &imei, NULL},
        {"token", 0, &token, NULL},     {"product", 0, &product, NULL},   {"key", 0, &key, NULL},
        {"range", 0, &range, NULL},     {"power-cut-after", 0, &cut, NULL}, {"trace", 0, NULL, &trace},
        {NULL, 0, NULL, NULL},
    };
    struct device *d;
    uint32_t v;
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, usage)) >= 0)
        return rc;
    if (n_ops)
        return args_usage_error("device", usage, "no operands expected");
    if (!firmware || !version || !server || !state || !imei || !token)
        return args_usage_error("device", usage, "give --firmware, --version, --server, --state, --imei and --token");
    d = calloc(1, sizeof *d);
    if (!d)
        return report_fail("device", "out of memory"), 1;
    if (product && args_u32(product, &v) != 0) {
        free(d);
        return args_usage_error("device", usage, "--product wants a number (the packages' product id)");
    }
    d->cfg.update.policy.product_id = product ? v : 0;
    if (range && (args_size(range, &d->cfg.range_size) != 0 || d->cfg.range_size % MCU_PAGE)) {
        free(d);
        return args_usage_error("device", usage, "--range wants a multiple of 4 KiB");
    }
    if ((rc = open_board(d, state, firmware, version)) != 0) {
        free(d);
        return rc;
    }
    d->board.cfg.policy.product_id = d->cfg.update.policy.product_id;
    if (key) {
        char w[256];
        if (host_verifier_load(key, &d->key, &d->verifier, w, sizeof w) != 0) {
            mcu_board_close(&d->board);
            free(d);
            return report_fail("device", "%s: %s", key, w), 1;
        }
        d->board.cfg.policy.verifier = &d->verifier;
    }
    if (cut) {
        uint32_t n;
        if (args_u32(cut, &n) != 0) {
            mcu_board_close(&d->board);
            free(d);
            return args_usage_error("device", usage, "--power-cut-after wants a number of flash operations");
        }
        flashsim_set_power_cut(d->board.sim, n, 1);
    }
    if ((rc = ctl_link_open(&d->link, "device", port, NULL, 0, 1, trace)) != 0) {
        mcu_board_close(&d->board);
        free(d);
        return rc;
    }
    d->cfg.ctl = &d->link.cfg;
    d->link.cfg.progress = NULL; /* the flow prints its own lines */
    d->cfg.record = d->board.record;
    d->cfg.server = server;
    d->cfg.imei = imei;
    d->cfg.token = token;
    d->cfg.version = d->version;
    rc = run(d);
    ctl_link_close(&d->link);
    mcu_board_close(&d->board);
    free(d);
    return rc;
}
