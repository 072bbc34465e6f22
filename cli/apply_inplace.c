/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/apply_inplace.c: `cfota apply --in-place IMAGE PKG`, the update engine
 * of a device, run on the host against a simulated NOR flash.
 *
 * The simulated device lives in a state directory (--state DIR, by default
 * IMAGE.cfota-state beside the image): flash.bin holds the image region,
 * the scratch area, the journal and the stored package, laid out by
 * sim/fota_layout.c. The first run loads IMAGE and PKG into that flash and
 * starts the update; with --power-cut-after N the simulated power fails
 * after N flash operations and the command exits with status 75. Running
 * the same command again (without the option, or with another N) is the
 * next boot: the engine reads its journal and carries on. When the update
 * is done IMAGE is replaced, atomically, by the target image (its size
 * included) and the state directory is removed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply_inplace.h"
#include "commands.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "pkg_check.h"
#include "progress.h"
#include "report.h"

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/update.h"

#define ERASE 4096u
#define PROG 16u
#define BUF 4096u

struct device {
    char dir[4096], flash_path[4200];
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    uint8_t buf[BUF];
};

static int open_device(struct device *d, const struct bytes *image, const struct bytes *pkg,
                       const struct cfota_header *h, int fresh)
{
    uint32_t region = image->n > h->target_size ? (uint32_t)image->n : h->target_size;
    fota_layout_make(&d->l, ERASE, region, 0, h->scratch_size ? h->scratch_size : 16384u,
                     fota_package_stash(pkg->p, pkg->n), (uint32_t)pkg->n);
    if (fresh)
        unlink(d->flash_path);
    d->sim = flashsim_open(d->flash_path, d->l.total, ERASE, PROG);
    if (!d->sim)
        return report_fail("apply", "%s: cannot open the simulated flash: %s", d->flash_path, strerror(errno));
    if (fresh && (flashsim_write_raw(d->sim, d->l.image_off, image->p, (uint32_t)image->n) != 0 ||
                  flashsim_write_raw(d->sim, d->l.package_off, pkg->p, (uint32_t)pkg->n) != 0))
        return report_fail("apply", "%s: cannot load the simulated flash", d->flash_path);
    if (memcmp(flashsim_data(d->sim) + d->l.package_off, pkg->p, pkg->n) != 0)
        return report_fail("apply", "%s holds an update with another package; remove it or use another --state",
                           d->dir);
    if (fota_layout_cfg(&d->l, flashsim_flash(d->sim), (uint32_t)image->n, d->buf, BUF, &d->cfg) != CFOTA_OK)
        return report_fail("apply", "invalid flash layout");
    return 0;
}

static void engine_progress(void *ctx, uint32_t done, uint32_t total)
{
    progress_update(ctx, done, total);
}

static void remove_state(struct device *d)
{
    char wear[4300];
    snprintf(wear, sizeof wear, "%s.wear", d->flash_path);
    unlink(d->flash_path);
    unlink(wear);
    rmdir(d->dir);
}

static int finish(struct device *d, const char *image_path, const struct cfota_header *h, int quiet)
{
    const struct flashsim_stats *st = flashsim_stats(d->sim);
    int rc = report_save("apply", image_path, flashsim_data(d->sim) + d->l.image_off, h->target_size);
    if (rc != 0)
        return rc;
    if (!quiet)
        fprintf(stderr, "cfota: %s: updated in place to %s (%u bytes); this run: %llu erases, %llu bytes programmed\n",
                image_path, h->target_version[0] ? h->target_version : "the target", h->target_size,
                (unsigned long long)st->erases, (unsigned long long)st->bytes_programmed);
    flashsim_close(d->sim);
    d->sim = NULL;
    remove_state(d);
    return 0;
}

int apply_in_place(const char *image_path, const char *pkg_path, const char *state_dir, const char *cut_after,
                   int quiet)
{
    struct device *d = calloc(1, sizeof *d);
    struct bytes image = {0}, pkg = {0};
    struct cfota_header h;
    struct cfota_update_info info;
    struct progress_bar prog;
    unsigned long long cut = 0;
    int rc, fresh;
    if (!d)
        return report_fail("apply", "out of memory");
    if (cut_after) {
        char *end;
        errno = 0;
        cut = strtoull(cut_after, &end, 10);
        if (errno || *end || end == cut_after) {
            free(d);
            return report_fail("apply", "--power-cut-after wants a number of flash operations, not '%s'", cut_after);
        }
    }
    rc = report_load("apply", image_path, &image);
    if (rc == 0)
        rc = report_load("apply", pkg_path, &pkg);
    if (rc == 0)
        rc = pkg_check("apply", pkg_path, &pkg, PKG_NEED_IN_PLACE, &h);
    if (rc != 0)
        goto out;
    snprintf(d->dir, sizeof d->dir, "%s", state_dir ? state_dir : "");
    if (!state_dir)
        snprintf(d->dir, sizeof d->dir, "%s.cfota-state", image_path);
    snprintf(d->flash_path, sizeof d->flash_path, "%s/flash.bin", d->dir);
    if (mkdir(d->dir, 0777) != 0 && errno != EEXIST) {
        rc = report_fail("apply", "%s: %s", d->dir, strerror(errno));
        goto out;
    }
    /* A device we have not started yet, or one whose journal recorded
     * nothing before the cut: (re)load it from IMAGE and PKG. */
    fresh = access(d->flash_path, F_OK) != 0;
    if ((rc = open_device(d, &image, &pkg, &h, fresh)) != 0)
        goto out;
    if (!fresh && cfota_update_status(&d->u, &d->cfg, &info) == CFOTA_OK && info.state == CFOTA_UPDATE_IDLE) {
        flashsim_close(d->sim);
        fresh = 1;
        if ((rc = open_device(d, &image, &pkg, &h, 1)) != 0)
            goto out;
    }
    if (cut_after)
        flashsim_set_power_cut(d->sim, cut, cut);
    if ((rc = cfota_update_status(&d->u, &d->cfg, &info)) != CFOTA_OK) {
        rc = report_fail("apply", "cannot read the update journal: %s", cfota_status_name(rc));
        goto out;
    }
    if (info.state == CFOTA_UPDATE_IDLE) {
        rc = cfota_update_begin(&d->u, &d->cfg);
        if (rc == CFOTA_E_IO && !flashsim_powered(d->sim))
            goto power_cut;
        if (rc != CFOTA_OK) {
            rc = report_fail("apply", "%s refused: %s", pkg_path, cfota_status_name(rc));
            remove_state(d);
            goto out;
        }
    } else if (info.state == CFOTA_UPDATE_FAILED) {
        rc = report_fail("apply", "the update recorded in %s failed: %s", d->dir, cfota_status_name(info.result));
        goto out;
    } else if (!quiet && info.state == CFOTA_UPDATE_PENDING) {
        fprintf(stderr, "cfota: %s: resuming the update (%u of %u segments done)\n", image_path, info.segments_done,
                info.segments);
    }
    if (info.state != CFOTA_UPDATE_DONE) {
        progress_begin(&prog, "updating", h.target_size, !quiet && h.target_size > PROGRESS_MIN_BYTES);
        d->cfg.progress = engine_progress;
        d->cfg.progress_ctx = &prog;
        rc = cfota_update_run(&d->u, &d->cfg);
        progress_end(&prog);
        if (rc == CFOTA_E_IO && !flashsim_powered(d->sim))
            goto power_cut;
        if (rc != CFOTA_DONE) {
            rc = report_fail("apply", "in-place update failed: %s", cfota_status_name(rc));
            goto out;
        }
    }
    rc = finish(d, image_path, &h, quiet);
    goto out;
power_cut:
    if (!quiet)
        fprintf(stderr, "cfota: %s: power cut after %llu flash operations; run the command again to resume\n",
                image_path, cut);
    rc = EXIT_POWER_CUT;
out:
    if (d->sim)
        flashsim_close(d->sim);
    free(d);
    bytes_free(&image);
    bytes_free(&pkg);
    return rc;
}
