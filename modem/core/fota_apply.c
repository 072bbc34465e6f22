/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/fota_apply.c: the update itself, behind one function,
 * fota_apply(): the device library's power-fail-safe engine
 * (include/cfota/update.h, docs/update-engine.md) applying the package in
 * the update partition to the firmware region in place, through the
 * scratch and stash areas of fota_engine_cfg (the 16 KB scratch area at
 * the head of the FOTA partition, or for packages made with larger
 * segments a scratch taken from the update partition after the package;
 * the rest of the update partition as the stash), journalled in two blocks
 * at the FOTA partition's tail.
 *
 * fota_apply() is called at every boot while an accepted update is pending
 * (boot.c), and the engine's journal says where things stand: begun at
 * acceptance (fota_accept.c) and not yet run, half done (it continues
 * from the last completed step: the note's "the module will continue
 * upgrading the firmware after reboot once terminated accidentally"), or
 * done (a cut hit after the last step; nothing is written again). So
 * killing the emulator at any moment, or --power-cut-after N, and starting
 * it again finishes the update with the exact target image.
 */
#include "fota.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/update.h"

static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return rc;
}

int fota_apply(struct modem *m, struct fota_result *out, char *why, size_t whylen)
{
    struct cfota_update_cfg cfg;
    struct cfota_update_info info;
    struct cfota_header h;
    int rc;

    rc = fota_read_header(m, m->rec.pkg_len, &h);
    if (rc == CFOTA_E_IO)
        return rc;
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "package header: %s", cfota_status_name(rc));
    out->image_size = h.target_size;
    out->security_counter = h.security_counter;
    snprintf(out->version, sizeof out->version, "%s", h.target_version);
    fota_engine_cfg(m, m->rec.pkg_len, &h, &cfg);

    rc = cfota_update_status(&m->engine, &cfg, &info);
    if (rc != CFOTA_OK)
        return rc == CFOTA_E_IO ? rc : say(why, whylen, rc, "update journal: %s", cfota_status_name(rc));
    /* A journal entry for another package (an earlier update) is stale. */
    if (info.state != CFOTA_UPDATE_IDLE && info.payload_crc32 != h.payload_crc32)
        info.state = CFOTA_UPDATE_IDLE;
    switch (info.state) {
    case CFOTA_UPDATE_DONE:
        return CFOTA_OK;
    case CFOTA_UPDATE_FAILED:
        return say(why, whylen, info.result, "the update failed: %s", cfota_status_name(info.result));
    case CFOTA_UPDATE_IDLE:
        /* Accepted, but the journal does not say so (a state directory of
         * an emulator that began updates only at boot): begin now. */
        rc = cfota_update_begin(&m->engine, &cfg);
        if (rc == CFOTA_E_IO)
            return rc;
        if (rc != CFOTA_OK)
            return say(why, whylen, rc, "package refused: %s", cfota_status_name(rc));
        break;
    case CFOTA_UPDATE_PENDING:
        break;
    }
    rc = cfota_update_run(&m->engine, &cfg);
    if (rc == CFOTA_DONE)
        return CFOTA_OK;
    if (rc == CFOTA_E_IO)
        return rc;
    return say(why, whylen, rc, "update engine: %s", cfota_status_name(rc));
}
