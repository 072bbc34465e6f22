/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_ota.c: update over the air, the note's section 4.
 *
 *   AT+IPR=115200    so the module reports its URCs, the reboot's included
 *   AT+CGACT?        the download needs an active PDP context
 *   AT+CGMR          the version before
 *   AT+CFOTA=1       OK, then the module downloads from its FOTA server
 *   ...URCs...       followed by ctl_follow (controller/ctl_follow.c)
 *   AT+CGMR, AT+CFOTA=4
 *
 * The optional version is sent quoted (AT+CFOTA=1,"<version>"); the manual
 * does not say whether it is quoted, and AT string parameters usually are.
 */
#include <string.h>

#include "ctl_internal.h"

int cfota_ctl_ota(struct cfota_ctl *ctl, const char *version, struct cfota_ctl_report *rep)
{
    int r;
    if (!ctl || !rep)
        return CFOTA_CTL_E_INVAL;
    ctl_begin(ctl, rep);
    if (version && (!version[0] || strlen(version) >= CFOTA_CTL_VERSION_MAX || strchr(version, '"')))
        return ctl_end(ctl, CFOTA_CTL_E_INVAL, CFOTA_CTL_STEP_NONE);
    if ((r = ctl_probe(ctl)) != 0)
        return r;
    cfota_at_urc_clear(&ctl->at);
    if ((r = ctl_baud(ctl)) != 0)
        return r;

    if (ctl_step(ctl, CFOTA_CTL_STEP_PDP, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_PDP);
    if ((r = ctl_run(ctl, "AT+CGACT?", "+CGACT:", ctl_radio_ms(ctl), CFOTA_CTL_STEP_PDP)) != 0)
        return r;
    if (!ctl_active_context(ctl, NULL))
        return ctl_end(ctl, CFOTA_CTL_E_NO_PDP, CFOTA_CTL_STEP_PDP);

    if ((r = ctl_version(ctl, rep->before, CFOTA_CTL_STEP_VERSION)) != 0)
        return r;

    if (ctl_step(ctl, CFOTA_CTL_STEP_TRIGGER, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_TRIGGER);
    if ((r = ctl_forget(ctl)) != 0)
        return ctl_end(ctl, r, CFOTA_CTL_STEP_TRIGGER);
    ctl_cmd_begin(ctl, "AT+CFOTA=1");
    if (version) {
        ctl_cmd_add(ctl, ",");
        ctl_cmd_quoted(ctl, version);
    }
    if ((r = ctl_run(ctl, NULL, NULL, ctl_cmd_ms(ctl), CFOTA_CTL_STEP_TRIGGER)) != 0)
        return r;
    return ctl_follow(ctl, 1, 0, version);
}
