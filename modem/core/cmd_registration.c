/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_registration.c: the registration, address and status commands
 * client libraries send at start-up besides the note's (spec
 * sim7020-clients.md sections 2-4): AT+CREG, AT+CGPADDR, AT+CENG,
 * AT+CBATCHK, AT+CGPIAF, AT+CRESET, AT+IPCONFIG, and AT+CGDCONT, the
 * 3GPP way generic libraries name their APN.
 *
 * Every answer reads the one simulated network of network.c, so AT+CREG?,
 * AT+CGREG?, AT+CEREG? and AT+CGATT? always agree, and an address is only
 * shown while the default PDP context is active.
 */
#include "at_command.h"

#include <stdio.h>

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

/* ---- AT+CREG [M105 3.2.13] ---- */

static int creg_read(struct modem *m, const struct at_args *a)
{
    int stat = modem_net_stat(m);
    if (m->net.creg_n == 2 && stat == 1)
        at_info(m, "+CREG: 2,1,\"%s\",\"%s\",9", MODEM_NET_TAC, MODEM_NET_CELL_ID);
    else
        at_info(m, "+CREG: %d,%d", m->net.creg_n, stat);
    return AT_OK;
}

static int creg_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 2, &v) != 0) {
        at_log(m, "CREG: <n> is 0, 1 or 2");
        return CME_BAD_PARAM;
    }
    m->net.creg_n = (int)v;
    return AT_OK;
}

static int creg_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CREG: (0-2)");
    return AT_OK;
}

/* ---- AT+CGPADDR [M105 3.2.38]: only cid 1, the default context ---- */

static void cgpaddr_line(struct modem *m)
{
    if (m->net.pdp_active)
        at_info(m, "+CGPADDR: 1,\"%s\"", modem_net_ip(m));
    else
        at_info(m, "+CGPADDR: 1");
}

static int cgpaddr_write(struct modem *m, const struct at_args *a)
{
    long cid;
    int i;
    if (!at_arg_present(a, 0) && a->n == 1) {
        cgpaddr_line(m); /* "AT+CGPADDR=": every defined context */
        return AT_OK;
    }
    for (i = 0; i < a->n; i++) {
        if (at_arg_int(a, i, 1, 10, &cid) != 0 || cid != 1) {
            at_log(m, "CGPADDR: only context 1 is defined");
            return AT_ERROR;
        }
    }
    for (i = 0; i < a->n; i++)
        cgpaddr_line(m);
    return AT_OK;
}

static int cgpaddr_exec(struct modem *m, const struct at_args *a)
{
    /* A real module needs the "=" ([ADV]: "+CGPADDR does not work"). */
    at_log(m, "CGPADDR: give the context, AT+CGPADDR=1");
    return AT_ERROR;
}

static int cgpaddr_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGPADDR: (1)");
    return AT_OK;
}

/* ---- AT+IPCONFIG [clients spec 4.2]: every address, IPv4 then the
 * loopback (no IPv6 here) ---- */

static int ipconfig(struct modem *m, const struct at_args *a)
{
    if (m->net.pdp_active)
        at_info(m, "+IPCONFIG: %s", modem_net_ip(m));
    at_info(m, "+IPCONFIG: 127.0.0.1");
    return AT_OK;
}

/* ---- AT+CGDCONT (3GPP 27.007 10.1.1) [INF]: the SIM7020's default
 * bearer comes from AT*MCGDEFCONT, so a context defined here is shown but
 * does not change the attach; only cid 1 is taken ---- */

static int cgdcont_write(struct modem *m, const struct at_args *a)
{
    long cid;
    char type[8] = "IP", apn[MODEM_TEXT_MAX + 1] = "";
    if (a->n < 1 || at_arg_int(a, 0, 1, 10, &cid) != 0 || (a->n > 1 && at_arg_str(a, 1, type, sizeof type) != 0) ||
        (a->n > 2 && at_arg_str(a, 2, apn, sizeof apn) != 0)) {
        at_log(m, "CGDCONT: <cid>[,<PDP type>[,<APN>...]]");
        return CME_BAD_PARAM;
    }
    if (cid != 1) {
        at_log(m, "CGDCONT: only context 1 exists");
        return CME_NOT_ALLOWED;
    }
    if (a->n > 2)
        snprintf(m->net.cgdcont_apn, sizeof m->net.cgdcont_apn, "%s", apn);
    return AT_OK;
}

static int cgdcont_read(struct modem *m, const struct at_args *a)
{
    const char *apn = m->net.cgdcont_apn[0] ? m->net.cgdcont_apn : m->net.apn;
    if (m->net.pdp_active)
        at_info(m, "+CGDCONT: 1,\"%s\",\"%s\",\"%s\",0,0,0,0", m->settings.pdp_type, apn, modem_net_ip(m));
    else
        at_info(m, "+CGDCONT: 1,\"%s\",\"%s\",,0,0,0,0", m->settings.pdp_type, apn);
    return AT_OK;
}

static int cgdcont_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGDCONT: (1-10),(\"IP\",\"IPV6\",\"IPV4V6\",\"Non-IP\"),,,(0-2),(0-4),(0-1),(0-1)");
    return AT_OK;
}

/* ---- AT+CGPIAF [M105 3.2.43]: NO_SAVE; the context is IPv4, so the
 * format is kept and shown but changes no output [INF] ---- */

static int cgpiaf_write(struct modem *m, const struct at_args *a)
{
    int v[4], i;
    long x;
    if (a->n > 4)
        return CME_BAD_PARAM;
    for (i = 0; i < 4; i++) {
        v[i] = m->net.cgpiaf[i];
        if (i < a->n && at_arg_present(a, i)) {
            if (at_arg_int(a, i, 0, 1, &x) != 0) {
                at_log(m, "CGPIAF: each value is 0 or 1");
                return CME_BAD_PARAM;
            }
            v[i] = (int)x;
        }
    }
    for (i = 0; i < 4; i++)
        m->net.cgpiaf[i] = v[i];
    return AT_OK;
}

static int cgpiaf_read(struct modem *m, const struct at_args *a)
{
    const int *v = m->net.cgpiaf;
    at_info(m, "+CGPIAF: %d,%d,%d,%d", v[0], v[1], v[2], v[3]);
    return AT_OK;
}

static int cgpiaf_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGPIAF: (0,1),(0,1),(0,1),(0,1)");
    return AT_OK;
}

/* ---- AT+CENG [M105 5.2.6] ---- */

static int ceng_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0) {
        at_log(m, "CENG: <mode> is 0 or 1");
        return CME_BAD_PARAM;
    }
    m->net.ceng_mode = (int)v;
    return AT_OK;
}

/* Mode 0: the serving cell with all 13 fields, as in RRC-IDLE, and one
 * neighbour [INF]; mode 1's data-transfer figures exist only in
 * RRC-CONNECTED, which the simulated network never holds: OK alone. */
static int ceng_read(struct modem *m, const struct at_args *a)
{
    int rsrp = m->cfg.rssi == 99 ? -140 : -113 + 2 * m->cfg.rssi - 14;
    if (m->net.ceng_mode != 0 || !m->net.registered)
        return AT_OK;
    at_info(m, "+CENG: 6300,3,273,\"%s\",%d,-11,%d,9,20,\"%s\",0,230,%d", MODEM_NET_CELL_ID, rsrp,
            rsrp + 11, MODEM_NET_TAC, rsrp);
    at_info(m, "+CENG: 6300,3,180,%d", rsrp - 8);
    return AT_OK;
}

static int ceng_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CENG: (0,1)");
    return AT_OK;
}

/* ---- AT+CBATCHK [M105 5.2.23]: AUTO_SAVE; the simulated VBAT is
 * always nominal, so no voltage URC is ever due ---- */

static int cbatchk_write(struct modem *m, const struct at_args *a)
{
    return modem_settings_set_flag(m, a, &m->settings.cbatchk);
}

static int cbatchk_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CBATCHK: %d", m->settings.cbatchk);
    return AT_OK;
}

static int cbatchk_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CBATCHK: (0,1)");
    return AT_OK;
}

/* ---- AT+CRESET [M105 5.2.17]: "the system will reboot immediately":
 * no result code, then the boot URCs ---- */

static int creset(struct modem *m, const struct at_args *a)
{
    at_request_reset(m);
    return AT_NONE;
}

const struct at_command at_registration_commands[] = {
    /* name       exec          test           read          write */
    {"+CREG",     NULL,         creg_test,     creg_read,    creg_write},
    {"+CGPADDR",  cgpaddr_exec, cgpaddr_test,  NULL,         cgpaddr_write},
    {"+CGPIAF",   NULL,         cgpiaf_test,   cgpiaf_read,  cgpiaf_write},
    {"+CENG",     NULL,         ceng_test,     ceng_read,    ceng_write},
    {"+CBATCHK",  NULL,         cbatchk_test,  cbatchk_read, cbatchk_write},
    {"+CRESET",   creset,       ok,            NULL,         NULL},
    {"+IPCONFIG", ipconfig,     ok,            NULL,         NULL},
    {"+CGDCONT",  NULL,         cgdcont_test,  cgdcont_read, cgdcont_write},
    {NULL, NULL, NULL, NULL, NULL},
};
