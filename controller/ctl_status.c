/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_status.c: where does the module stand, for a controller that
 * restarted in the middle of an update (its own power cut, a watchdog).
 *
 * The module keeps no state a host can query about FOTA: no AT+CFOTA?
 * form exists on the SIM7020. What the controller can learn is (1) the
 * URCs still on their way (the module may be in the middle of a download
 * or just back from its reset), (2) whether it answers AT at all (it is
 * deaf while it boots or applies the update), and (3) its version,
 * compared with the versions the controller kept before it started. The
 * decision table in docs/controller.md turns these into a state and the
 * next action; decide() below is that table, row by row.
 */
#include <string.h>

#include "ctl_internal.h"

static void listen(struct cfota_ctl *ctl, uint32_t ms, struct cfota_ctl_status *st)
{
    uint32_t start = ctl_now(ctl);
    for (;;) {
        struct cfota_at_urc u;
        uint32_t elapsed = ctl_now(ctl) - start;
        if (elapsed >= ms || cfota_at_wait_urc(&ctl->at, &u, ms - elapsed) != CFOTA_CTL_OK)
            return;
        if (u.flags & CFOTA_URC_F_RESET)
            st->seen_boot = 1;
        else if (u.kind == CFOTA_URC_CFOTA)
            st->seen_fota = (uint8_t)cfota_ctl_fota_event(u.text);
    }
}

static void set(struct cfota_ctl_status *st, int state, int action)
{
    st->state = (uint8_t)state;
    st->action = (uint8_t)action;
}

static void decide(struct cfota_ctl_status *st, const char *old_v, const char *new_v)
{
    int ev = st->seen_fota;
    if (new_v && ctl_same(st->version, new_v))
        set(st, CFOTA_CTL_STATE_UPDATED, CFOTA_CTL_DO_REPORT);
    else if (old_v && !ctl_same(st->version, old_v))
        set(st, CFOTA_CTL_STATE_UNKNOWN, CFOTA_CTL_DO_STOP);
    else if (ev == CFOTA_EV_UPDATE_OK)
        set(st, new_v ? CFOTA_CTL_STATE_UNKNOWN : CFOTA_CTL_STATE_UPDATED,
            new_v ? CFOTA_CTL_DO_STOP : CFOTA_CTL_DO_REPORT);
    else if (ev == CFOTA_EV_UPDATE_FAIL)
        set(st, CFOTA_CTL_STATE_FAILED, CFOTA_CTL_DO_REPORT);
    else if (ev == CFOTA_EV_NO_PACKAGE || ev == CFOTA_EV_DOWNLOAD_FAIL)
        set(st, CFOTA_CTL_STATE_FAILED, CFOTA_CTL_DO_START);
    else if (ev == CFOTA_EV_DOWNLOAD_PAUSE)
        set(st, CFOTA_CTL_STATE_PAUSED, CFOTA_CTL_DO_START);
    else if (ev == CFOTA_EV_DOWNLOAD_START || ev == CFOTA_EV_DOWNLOAD_DONE)
        set(st, CFOTA_CTL_STATE_DOWNLOADING, CFOTA_CTL_DO_WAIT);
    else if (ev == CFOTA_EV_UPDATE_START)
        set(st, CFOTA_CTL_STATE_UPDATING, CFOTA_CTL_DO_WAIT);
    else if (old_v)
        set(st, CFOTA_CTL_STATE_OLD, CFOTA_CTL_DO_START);
    else
        set(st, CFOTA_CTL_STATE_IDLE, CFOTA_CTL_DO_NOTHING);
}

int cfota_ctl_status(struct cfota_ctl *ctl, const char *old_version, const char *new_version,
                     uint32_t listen_ms, struct cfota_ctl_status *st)
{
    struct cfota_ctl_report rep;
    const char *ipr;
    uint32_t v;
    int r;
    if (!ctl || !st)
        return CFOTA_CTL_E_INVAL;
    memset(st, 0, sizeof *st);
    ctl_begin(ctl, &rep);
    listen(ctl, listen_ms, st);
    r = ctl_probe(ctl);
    if (r == CFOTA_CTL_E_IO)
        return r;
    if (r == 0)
        r = ctl_version(ctl, st->version, CFOTA_CTL_STEP_VERSION);
    if (r == CFOTA_CTL_E_IO)
        return r;
    if (r) {
        st->version[0] = '\0';
        set(st, CFOTA_CTL_STATE_SILENT, CFOTA_CTL_DO_WAIT);
        ctl->rep = NULL;
        return CFOTA_CTL_OK;
    }
    if (cfota_at_cmd(&ctl->at, "AT+IPR?", "+IPR:", ctl_cmd_ms(ctl)) == CFOTA_CTL_OK &&
        (ipr = cfota_at_find(&ctl->at, "+IPR:")) != NULL && cfota_at_field_uint(ipr, 0, &v) == 0) {
        st->ipr = v;
        st->ipr_known = 1;
    }
    decide(st, old_version, new_version);
    ctl->rep = NULL;  /* rep lives on this stack frame */
    return CFOTA_CTL_OK;
}
