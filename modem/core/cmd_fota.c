/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_fota.c: AT+CFOTA=<mode>[,...] (spec section 2.1).
 *
 * Mode 5, the note's local update, is the complete path: the package the
 * host wrote with AT+CFLW (or AT+CHTTPTOFS) is accepted (fota_accept.c:
 * checked before anything is touched, then recorded as pending in flash),
 * the module answers "+CFOTA: Start to update, please wait for
 * reset" and OK, and resets; boot.c runs the update and reports it.
 * Modes 1 to 4 talk to a cfota server instead of SIMCom's (ota.c, and
 * AT+CFOTASRV in cmd_ota_ext.c): 1 checks, downloads and updates, 2
 * only downloads, 3 updates what 2 downloaded ("+CME ERROR: 3" when
 * there is nothing), 4 reports the last result. Without a server they
 * answer OK then "+CFOTA: No update package", the note's URC for "No
 * update package or connecting FOTA server fail".
 */
#include "at_command.h"
#include "ota.h"

#include "cfota/status.h"
#include "fota.h"
#include "hash.h"

/* Argument i as the 16 bytes of an MD5 in 32 hex digits, either case. */
static int parse_md5(const struct at_args *a, int i, uint8_t md5[16])
{
    char text[33];
    if (at_arg_str(a, i, text, sizeof text) != 0 || a->v[i].len != 32)
        return -1;
    return host_unhex(text, md5, 16);
}

static int local_update(struct modem *m, const struct at_args *a)
{
    char to[MODEM_VERSION_MAX + 1];
    uint8_t md5[16];
    long len;

    if (a->n != 3 || at_arg_int(a, 1, 1, MODEM_UPDATE_SIZE, &len) != 0 || parse_md5(a, 2, md5) != 0)
        return CME_BAD_PARAM;
    if (fota_accept(m, (uint32_t)len, md5, FOTA_ACCEPT, to) != CFOTA_OK)
        return CME_FAILED;
    /* So that AT+CFOTA=4 after the reset can report this update too.
     * Without a FOTA server set there is no one to report to, and
     * AT+CFOTA=4 answers OK as in the note's section 5. */
    if (m->settings.fota_url[0])
        ota_note_local_update(m, to);
    at_info(m, "+CFOTA: Start to update, please wait for reset");
    at_defer(m, 1000);
    at_request_reset(m);
    return AT_OK;
}

static int cfota_write(struct modem *m, const struct at_args *a)
{
    long mode;
    if (a->n < 1 || at_arg_int(a, 0, 1, 5, &mode) != 0)
        return CME_BAD_PARAM;
    switch (mode) {
    case 1:
    case 2: {
        /* <version>: the manual does not say whether it is quoted, so
         * both are taken [INF]. */
        char want[MODEM_VERSION_MAX + 1] = "";
        if (a->n > 2 || (a->n == 2 && (at_arg_str(a, 1, want, sizeof want) != 0 || !want[0])))
            return CME_BAD_PARAM;
        return ota_start(m, (int)mode, want);
    }
    case 3:
        return a->n == 1 ? ota_update_downloaded(m) : CME_BAD_PARAM;
    case 4:
        return a->n == 1 ? ota_report(m) : CME_BAD_PARAM;
    default:
        return local_update(m, a);
    }
}

/* AT+CFOTA?: the SIM7020 manual gives no read form; clients send it to
 * see whether an update runs, so it answers with the SIM7000's status
 * numbers [INF]: 1 a download or update runs, 6 the update at the last
 * boot succeeded, 7 it failed, 0 none of these. */
static int cfota_read(struct modem *m, const struct at_args *a)
{
    int status = ota_busy(m) ? 1 : m->update_result == 1 ? 6 : m->update_result == 2 ? 7 : 0;
    at_info(m, "+CFOTA: %d", status);
    return AT_OK;
}

static int cfota_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CFOTA: (1-5)");
    return AT_OK;
}

const struct at_command at_fota_commands[] = {
    /* name    exec  test        read        write */
    {"+CFOTA", NULL, cfota_test, cfota_read, cfota_write},
    {NULL, NULL, NULL, NULL, NULL},
};
