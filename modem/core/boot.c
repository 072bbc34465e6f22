/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/boot.c: power-on and reset of the module.
 *
 * A reset (power-on, AT+CFUN=1,1, the end of AT+CFOTA=5; entry.c decides
 * when) makes the module
 * deaf, forgets everything not saved, reads its record from flash and,
 * after the boot time, runs one of two sequences. After an update (note
 * sections 4 and 5), the FOTA AN's:
 *
 *   *MATREADY: 1
 *   +CFUN: 1
 *   +CFOTA: Update successfully | +CFOTA: Update fail
 *   +CPIN: READY
 *
 * and at any other boot (power-on, AT+CFUN=1,1, AT+CRESET) the manual's
 * [M105 3.2.20], which clients wait for ("SMS Ready"):
 *
 *   RDY
 *   +CFUN: 1
 *   +CPIN: READY
 *   SMS Ready
 *
 * (cfg.boot_fota_an gives the first set at every boot.)
 * The URCs are sent only when AT+IPR is not 0: an auto-bauding module
 * does not know the host's rate yet [M102 1.3]; that is why the note sets
 * AT+IPR=115200 before every step that reboots. The update runs between
 * "+CFUN: 1" and its result whatever AT+IPR says. If the flash dies
 * during the update (a power cut), the module goes silent and the record
 * still says "pending", so the next power-on runs it again. Any other
 * error ends the update with "+CFOTA: Update fail" and the module answers
 * AT as usual (a damaged or refused package; a flash that keeps failing,
 * which the engine gives up on after CFOTA_UPDATE_TRIES runs without
 * progress).
 */
#include "at_command.h"
#include "parts.h"

#include <string.h>

#include "cfota/status.h"
#include "fota.h"

static const char *boot_cpin(const struct modem *m)
{
    switch (m->cfg.sim) {
    case MODEM_SIM_READY: return "+CPIN: READY";
    case MODEM_SIM_PIN: return "+CPIN: SIM PIN";
    case MODEM_SIM_PUK: return "+CPIN: SIM PUK";
    default: return "+CPIN: NOT INSERTED";
    }
}

void modem_boot_begin(struct modem *m)
{
    at_engine_clear(m);
    modem_sreg_default(m); /* the S-parameters are not saved (ATZ and AT&F set them too) */
    memset(&m->net, 0, sizeof m->net);
    m->net.attach_at = MODEM_NEVER;
    m->cpsms_mode = 0;
    strcpy(m->cpsms_tau, "01000011");
    strcpy(m->cpsms_act, "01000011");
    m->clts = 0;
    m->rec_ok = modem_record_load(&m->map, &m->rec) == CFOTA_OK;
    m->update_result = 0;
    m->boot_an = m->cfg.boot_fota_an || (m->rec_ok && m->rec.pending);
    m->boot_step = BOOT_START;
    m->boot_at = m->now + at_real_ms(m, 3000);
}

void modem_boot_stop(struct modem *m)
{
    m->boot_step = BOOT_NONE;
}

static int run_update(struct modem *m)
{
    struct fota_result res;
    char why[200] = "";
    int rc = fota_apply(m, &res, why, sizeof why);

    if (rc == CFOTA_E_IO)
        return rc;
    if (rc == CFOTA_OK) {
        at_log(m, "update done: %s, %u bytes", res.version, (unsigned)res.image_size);
        m->rec.image_size = res.image_size;
        m->rec.security_counter = res.security_counter;
        strcpy(m->rec.version, res.version);
    } else {
        at_log(m, "update failed: %s", why);
    }
    m->rec.pending = 0;
    if (modem_record_store(&m->map, &m->rec) != CFOTA_OK)
        return CFOTA_E_IO;
    return rc;
}

/* One step of the sequence, due at m->boot_at; the next step is timed
 * from this one's due time, not from when the host got round to ticking. */
void modem_boot_tick(struct modem *m)
{
    int urcs = m->settings.ipr != 0;
    int rc;

    switch (m->boot_step) {
    case BOOT_START:
        if (urcs) {
            at_emit_line(m, m->boot_an ? "*MATREADY: 1" : "RDY");
            at_emit_line(m, "+CFUN: 1");
        }
        if (m->rec_ok && m->rec.pending) {
            m->boot_step = BOOT_UPDATE;
            /* The note: "the upgrade session takes around 10min". */
            m->boot_at += at_real_ms(m, 60000 + m->rec.pkg_len);
        } else {
            m->boot_step = BOOT_SIM;
            m->boot_at += at_real_ms(m, 1000);
        }
        break;
    case BOOT_UPDATE:
        rc = run_update(m);
        if (rc == CFOTA_E_IO) {
            /* Power gone (a cut): silent, as a module without power is.
             * Power still there: a flash error; run again. The engine
             * counts runs that make no progress and ends the update
             * (CFOTA_E_GAVE_UP, "Update fail") after a few, so neither
             * path loops forever. */
            if (!modem_flash_alive(&m->map)) {
                at_power_lost(m);
                return;
            }
            at_log(m, "update: flash error, running the update again");
            m->boot_at += at_real_ms(m, 1000);
            return;
        }
        m->update_result = rc == CFOTA_OK ? 1 : 2;
        if (urcs)
            at_emit_line(m, rc == CFOTA_OK ? "+CFOTA: Update successfully" : "+CFOTA: Update fail");
        m->boot_step = BOOT_SIM;
        break;
    case BOOT_SIM:
        m->boot_step = BOOT_NONE;
        if (urcs) {
            at_emit_line(m, boot_cpin(m));
            if (!m->boot_an && m->cfg.sim != MODEM_SIM_ABSENT)
                at_emit_line(m, "SMS Ready");
        }
        at_engine_ready(m);
        modem_net_power_on(m);
        break;
    default:
        m->boot_step = BOOT_NONE;
        break;
    }
}
