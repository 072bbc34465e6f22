/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/cmd_fota.c: AT+CFOTA=<mode>[,...] (spec section 2.1).
 *
 * Mode 5, the note's local update, is the complete path: the package the
 * host wrote with AT+CFLW (or AT+CHTTPTOFS) is checked (fota_check.c)
 * before anything is touched, then the pending update is recorded in
 * flash, the module answers "+CFOTA: Start to update, please wait for
 * reset" and OK, and resets; boot.c runs the update and reports it.
 * Modes 1 to 4 talk to a cfota server instead of SIMCom's (ota.c, and
 * AT+CFOTASRV in cmd_ota_ext.c): 1 checks, downloads and updates, 2
 * only downloads, 3 updates what 2 downloaded ("+CME ERROR: 3" when
 * there is nothing), 4 reports the last result. Without a server they
 * answer OK then "+CFOTA: No update package", the note's URC for "No
 * update package or connecting FOTA server fail".
 */
#include "at.h"

#include "cfota/package.h"
#include "cfota/status.h"
#include "fota.h"

static int parse_md5(const struct at_args *a, int i, uint8_t md5[16])
{
    char text[33];
    int k;
    if (at_arg_str(a, i, text, sizeof text) != 0 || a->v[i].len != 32)
        return -1;
    for (k = 0; k < 32; k++) {
        char c = text[k];
        int v = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return -1;
        if (k % 2 == 0)
            md5[k / 2] = (uint8_t)(v << 4);
        else
            md5[k / 2] |= (uint8_t)v;
    }
    return 0;
}

/* So that AT+CFOTA=4 after the reset can report this update too: the
 * target version is the package's (its header was checked just before).
 * Without a FOTA server set there is no one to report to, and AT+CFOTA=4
 * answers OK as in the note's section 5. */
static void note_for_report(struct modem *m, uint32_t len)
{
    uint8_t head[CFOTA_HEADER_MAX];
    struct cfota_header h;
    uint32_t n = len < sizeof head ? len : (uint32_t)sizeof head;
    if (m->settings.fota_url[0] && cfota_area_read(&m->map.update, 0, head, n) == CFOTA_OK && cfota_header_parse(&h, head, n) == CFOTA_OK)
        ota_note_local_update(m, h.target_version);
}

static int local_update(struct modem *m, const struct at_args *a)
{
    long len;
    uint8_t md5[16];
    char why[160];
    int rc;

    if (a->n != 3 || at_arg_int(a, 1, 1, MODEM_UPDATE_SIZE, &len) != 0 || parse_md5(a, 2, md5) != 0)
        return CME_BAD_PARAM;
    if (!m->rec_ok)
        return CME_FAILED;
    rc = fota_check(&m->map, m->rec.image_size, (uint32_t)len, md5, why, sizeof why);
    if (rc == CFOTA_E_IO) {
        at_power_lost(m);
        return CME_FAILED;
    }
    if (rc != CFOTA_OK) {
        at_log(m, "CFOTA=5 refused: %s", why);
        return CME_FAILED;
    }
    note_for_report(m, (uint32_t)len);
    m->rec.pending = 1;
    m->rec.pkg_len = (uint32_t)len;
    for (rc = 0; rc < 16; rc++)
        m->rec.pkg_md5[rc] = md5[rc];
    if (modem_record_store(&m->map, &m->rec) != CFOTA_OK) {
        at_power_lost(m);
        return CME_FAILED;
    }
    at_info(m, "+CFOTA: Start to update, please wait for reset");
    at_defer(m, 1000);
    m->after = modem_reset;
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

const struct at_command at_fota_commands[] = {
    /* name    exec  test  read  write: the manual gives only the write form */
    {"+CFOTA", NULL, NULL, NULL, cfota_write},
    {NULL, NULL, NULL, NULL, NULL},
};
