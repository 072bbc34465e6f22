/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_follow.c: the common tail of every update: from the trigger
 * (AT+CFOTA=1's OK, or AT+CFOTA=5's OK) through the module's reset to the
 * result, the version check and the report to the server.
 *
 * The module tells its progress only through URCs, and only if AT+IPR is
 * not 0 (note, section 4): for OTA "Start to download new package",
 * "Download completed" or a failure (No update package, Download pause,
 * Download fail); then for every path "Start to update, please wait for
 * reset", the reset (*MATREADY: 1 or RDY, +CFUN: 1), "Update successfully"
 * or "Update fail", and +CPIN: READY, after which the module listens again.
 *
 * The rules (docs/controller.md has them as a table):
 * - a failure URC before the update started ends the flow with its code;
 * - a reset before "Start to update" is unexpected (CFOTA_CTL_E_RESET)
 *   unless a result URC follows it;
 * - the time limit runs again from each milestone: download_ms while the
 *   module downloads, update_ms from "Start to update" and from the reset,
 *   boot_ms from the result to +CPIN;
 * - the result URC decides; without one (lost, or the module reports no
 *   URC) the version decides: a changed AT+CGMR is success, an unchanged
 *   one CFOTA_CTL_E_NO_RESULT;
 * - "Update successfully" with the old or an unexpected version is
 *   CFOTA_CTL_E_VERSION;
 * - AT+CFOTA=4 is sent whenever the module came back, success or not; its
 *   own failure only clears report.reported.
 */
#include <string.h>

#include "ctl_internal.h"

/* How often a long wait reports progress (and checks for cancel). */
#define TICK_MS 1000u

static const struct {
    const char *text;
    uint8_t event;
} events[] = {
    {"Start to download", CFOTA_EV_DOWNLOAD_START},
    {"Download completed", CFOTA_EV_DOWNLOAD_DONE},
    {"Start to update", CFOTA_EV_UPDATE_START},
    {"Update successfully", CFOTA_EV_UPDATE_OK},
    {"Update fail", CFOTA_EV_UPDATE_FAIL},
    {"No update package", CFOTA_EV_NO_PACKAGE},
    {"Download pause", CFOTA_EV_DOWNLOAD_PAUSE},
    {"Download fail", CFOTA_EV_DOWNLOAD_FAIL},
};

int cfota_ctl_fota_event(const char *text)
{
    size_t i;
    if (!text)
        return CFOTA_EV_NONE;
    if (ctl_after(text, "+CFOTA:"))
        text += 7;
    while (*text == ' ')
        text++;
    for (i = 0; i < sizeof events / sizeof events[0]; i++)
        if (ctl_after(text, events[i].text))
            return events[i].event;
    return CFOTA_EV_OTHER;
}

/* Where the wait stands. */
struct follow {
    int step;          /* DOWNLOAD, UPDATE or REBOOT */
    uint32_t start, limit;
    uint8_t started;   /* "Start to update" seen (or implied) */
    uint8_t unexpected;/* a reset came before the update started */
    uint8_t listening; /* +CPIN after the reset: the module listens */
};

static void milestone(struct cfota_ctl *ctl, struct follow *f, int step, uint32_t limit)
{
    f->step = step;
    f->start = ctl_now(ctl);
    f->limit = limit;
    (void)ctl_step(ctl, step, 0, limit);  /* no cancel once the update runs */
}

static int failure_of(int event)
{
    switch (event) {
    case CFOTA_EV_NO_PACKAGE: return CFOTA_CTL_E_NO_PACKAGE;
    case CFOTA_EV_DOWNLOAD_PAUSE: return CFOTA_CTL_E_DOWNLOAD_PAUSE;
    case CFOTA_EV_DOWNLOAD_FAIL: return CFOTA_CTL_E_DOWNLOAD_FAIL;
    default: return 0;
    }
}

/* One URC. Returns a flow result to stop with, or 0 to go on. */
static int on_urc(struct cfota_ctl *ctl, struct follow *f, const struct cfota_at_urc *u)
{
    struct cfota_ctl_report *rep = ctl->rep;
    if (u->flags & CFOTA_URC_F_RESET) {
        if (!rep->rebooted) {
            rep->rebooted = 1;
            if (!f->started)
                f->unexpected = 1;
            f->started = 1;
            milestone(ctl, f, CFOTA_CTL_STEP_UPDATE, ctl_update_ms(ctl));
        }
        return 0;
    }
    if (u->kind == CFOTA_URC_CPIN) {
        if (rep->rebooted)
            f->listening = 1;
        return 0;
    }
    if (u->kind != CFOTA_URC_CFOTA)
        return 0;
    switch (cfota_ctl_fota_event(u->text)) {
    case CFOTA_EV_DOWNLOAD_START:
    case CFOTA_EV_DOWNLOAD_DONE:
        if (!f->started)
            (void)ctl_step(ctl, CFOTA_CTL_STEP_DOWNLOAD, ctl_now(ctl) - f->start, f->limit);
        return 0;
    case CFOTA_EV_UPDATE_START:
        if (!f->started) {
            f->started = 1;
            milestone(ctl, f, CFOTA_CTL_STEP_UPDATE, ctl_update_ms(ctl));
        }
        return 0;
    case CFOTA_EV_UPDATE_OK:
    case CFOTA_EV_UPDATE_FAIL:
        rep->result_urc = cfota_ctl_fota_event(u->text) == CFOTA_EV_UPDATE_OK ? 1 : 2;
        milestone(ctl, f, CFOTA_CTL_STEP_REBOOT, ctl_boot_ms(ctl));
        return 0;
    default:
        if (!f->started && failure_of(cfota_ctl_fota_event(u->text)))
            return ctl_end(ctl, failure_of(cfota_ctl_fota_event(u->text)), CFOTA_CTL_STEP_DOWNLOAD);
        return 0;
    }
}

/* Wait for URCs until the module listens again or the limit runs out. */
static int wait_urcs(struct cfota_ctl *ctl, struct follow *f)
{
    struct cfota_at_urc u;
    for (;;) {
        uint32_t elapsed = ctl_now(ctl) - f->start;
        int r;
        if (f->listening)
            return 0;
        if (elapsed >= f->limit)
            return f->step == CFOTA_CTL_STEP_REBOOT || ctl->rep->rebooted
                       ? 0 : ctl_end(ctl, CFOTA_CTL_E_TIMEOUT, f->step);
        r = cfota_at_wait_urc(&ctl->at, &u, f->limit - elapsed < TICK_MS ? f->limit - elapsed : TICK_MS);
        if (r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, CFOTA_CTL_E_IO, f->step);
        if (r == CFOTA_CTL_OK) {
            r = on_urc(ctl, f, &u);
            if (r)
                return r;
            continue;
        }
        /* A quiet second: tell the caller; only a download may be cancelled. */
        if (ctl_step(ctl, f->step, ctl_now(ctl) - f->start, f->limit) && !f->started)
            return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, f->step);
    }
}

static int verdict(const struct cfota_ctl_report *rep, const char *expect_version)
{
    int changed = rep->before[0] && !ctl_same(rep->before, rep->after);
    int expected = !expect_version || ctl_same(rep->after, expect_version);
    if (rep->result_urc == 2)
        return CFOTA_CTL_E_UPDATE_FAIL;
    if (rep->result_urc == 1)
        return expected && (changed || !rep->before[0]) ? CFOTA_CTL_OK : CFOTA_CTL_E_VERSION;
    if (changed)
        return expected ? CFOTA_CTL_OK : CFOTA_CTL_E_VERSION;
    return CFOTA_CTL_E_NO_RESULT;
}

int ctl_follow(struct cfota_ctl *ctl, int downloading, int reset_ok, const char *expect_version)
{
    struct cfota_ctl_report *rep = ctl->rep;
    struct follow f;
    int r;

    memset(&f, 0, sizeof f);
    f.started = (uint8_t)!downloading;
    if (downloading)
        milestone(ctl, &f, CFOTA_CTL_STEP_DOWNLOAD, ctl_download_ms(ctl));
    else
        milestone(ctl, &f, CFOTA_CTL_STEP_UPDATE, ctl_update_ms(ctl));
    r = wait_urcs(ctl, &f);
    if (r)
        return r;
    if (f.unexpected && !reset_ok && !rep->result_urc)
        return ctl_end(ctl, CFOTA_CTL_E_RESET, CFOTA_CTL_STEP_DOWNLOAD);

    r = ctl_wait_ready(ctl, ctl_boot_ms(ctl));
    if (r)
        return r;
    /* Input sent while the module was deaf is lost; drop stale URCs. */
    cfota_at_urc_clear(&ctl->at);
    r = ctl_version(ctl, rep->after, CFOTA_CTL_STEP_VERIFY);
    if (r)
        return r;
    (void)ctl_step(ctl, CFOTA_CTL_STEP_REPORT, 0, 0);
    rep->reported = (uint8_t)(cfota_ctl_report_result(ctl) == CFOTA_CTL_OK);
    return ctl_end(ctl, verdict(rep, expect_version), CFOTA_CTL_STEP_REPORT);
}

int cfota_ctl_wait_update(struct cfota_ctl *ctl, const char *expect_version,
                          struct cfota_ctl_report *rep)
{
    char before[CFOTA_CTL_VERSION_MAX];
    if (!ctl || !rep)
        return CFOTA_CTL_E_INVAL;
    memcpy(before, rep->before, sizeof before);
    before[sizeof before - 1] = '\0';
    ctl_begin(ctl, rep);
    memcpy(rep->before, before, sizeof before);
    return ctl_follow(ctl, 1, 1, expect_version);
}
