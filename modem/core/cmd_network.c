/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_network.c: the SIM, radio and bearer commands of the note's
 * section 3: AT+CPIN, AT+CSQ, AT+CGREG, AT+CEREG, AT+CGACT, AT+CGATT,
 * AT+COPS, AT+CGCONTRDP, AT+CFUN, AT*MCGDEFCONT, AT+CPSMS, AT+CLTS.
 *
 * The answers come from the simulated network (network.c). The orderings
 * the note shows are kept: AT+CFUN=0 answers "+CPIN: NOT READY" before its
 * OK, AT+CFUN=1 sends "+CPIN: READY" after its OK; AT+CFUN=1,1 resets the
 * module after its OK.
 */
#include "at_command.h"

#include <string.h>

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

/* ---- AT+CPIN ---- */

static const char *sim_state(const struct modem *m)
{
    if (m->net.fun == 0)
        return "NOT READY";
    if (m->cfg.sim == MODEM_SIM_PUK)
        return "SIM PUK";
    if (m->cfg.sim == MODEM_SIM_PIN && !m->net.pin_ok)
        return "SIM PIN";
    return "READY";
}

static int cpin_read(struct modem *m, const struct at_args *a)
{
    if (m->cfg.sim == MODEM_SIM_ABSENT)
        return CME_SIM_NOT_INSERTED;
    at_info(m, "+CPIN: %s", sim_state(m));
    return AT_OK;
}

static void cpin_ready_urc(struct modem *m)
{
    at_urc(m, "+CPIN: %s", sim_state(m));
}

static int cpin_write(struct modem *m, const struct at_args *a)
{
    char pin[16];
    if (a->n != 1 || !at_arg_present(a, 0) || at_arg_str(a, 0, pin, sizeof pin) != 0)
        return CME_BAD_PARAM;
    if (m->cfg.sim == MODEM_SIM_ABSENT)
        return CME_SIM_NOT_INSERTED;
    if (m->cfg.sim != MODEM_SIM_PIN || m->net.pin_ok || m->net.fun == 0)
        return CME_NOT_ALLOWED;
    if (strcmp(pin, m->cfg.pin) != 0)
        return CME_INCORRECT_PASSWORD;
    modem_net_pin_entered(m);
    at_then(m, cpin_ready_urc);
    return AT_OK;
}

/* ---- AT+CSQ ---- */

static int csq(struct modem *m, const struct at_args *a)
{
    if (m->net.fun == 1)
        at_info(m, "+CSQ: %d,%d", m->cfg.rssi, m->cfg.ber);
    else
        at_info(m, "+CSQ: 99,99");
    return AT_OK;
}

static int csq_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSQ: (0-31,99),(0-7,99)");
    return AT_OK;
}

/* ---- AT+CGREG, AT+CEREG ---- */

static int cgreg_read(struct modem *m, const struct at_args *a)
{
    int stat = modem_net_stat(m);
    if (m->net.cgreg_n == 2 && stat == 1)
        at_info(m, "+CGREG: 2,1,\"%s\",\"%s\",9,\"00\"", MODEM_NET_TAC, MODEM_NET_CELL_ID);
    else
        at_info(m, "+CGREG: %d,%d", m->net.cgreg_n, stat);
    return AT_OK;
}

static int cgreg_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 2, &v) != 0)
        return CME_BAD_PARAM;
    m->net.cgreg_n = (int)v;
    return AT_OK;
}

static int cgreg_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGREG: (0-2)");
    return AT_OK;
}

static int cereg_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CEREG: %d,%d", m->net.cereg_n, modem_net_stat(m));
    return AT_OK;
}

static int cereg_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0)
        return CME_BAD_PARAM;
    m->net.cereg_n = (int)v;
    return AT_OK;
}

static int cereg_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CEREG: (0-1)");
    return AT_OK;
}

/* ---- AT+CGACT, AT+CGATT ---- */

static int cgact_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGACT: 1,%d", m->net.pdp_active);
    return AT_OK;
}

static int cgact_write(struct modem *m, const struct at_args *a)
{
    long state, cid = 1;
    if (a->n > 2 || at_arg_int(a, 0, 0, 1, &state) != 0)
        return CME_BAD_PARAM;
    if (a->n == 2 && at_arg_int(a, 1, 1, 10, &cid) != 0)
        return CME_BAD_PARAM;
    if (cid != 1)
        return CME_NOT_ALLOWED; /* only the default context exists */
    if (state == 1 && !m->net.registered)
        return CME_NO_NETWORK;
    m->net.pdp_active = (int)state;
    at_defer(m, 1000);
    return AT_OK;
}

static int cgact_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGACT: (0,1)");
    return AT_OK;
}

static int cgatt_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGATT: %d", m->net.registered);
    return AT_OK;
}

static int cgatt_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0)
        return CME_BAD_PARAM;
    if (v == 1 && m->net.fun != 1)
        return CME_NOT_ALLOWED;
    modem_net_attach(m, (int)v);
    return AT_OK;
}

static int cgatt_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CGATT: (0,1)");
    return AT_OK;
}

/* ---- AT+COPS ---- */

static int cops_read(struct modem *m, const struct at_args *a)
{
    if (m->net.registered)
        at_info(m, "+COPS: 0,0,\"%s\",9", m->cfg.operator_name);
    else
        at_info(m, "+COPS: 0");
    return AT_OK;
}

static int cops_write(struct modem *m, const struct at_args *a)
{
    long mode, format;
    if (a->n < 1 || a->n > 4 || at_arg_int(a, 0, 0, 4, &mode) != 0)
        return CME_BAD_PARAM;
    if (a->n >= 2 && at_arg_present(a, 1) && at_arg_int(a, 1, 0, 2, &format) != 0)
        return CME_BAD_PARAM;
    if (mode == 0 || mode == 3)
        return AT_OK; /* automatic selection: what the module does anyway */
    return CME_NOT_SUPPORTED;
}

static int cops_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+COPS: (2,\"%s\",\"%s\",\"46001\",9),,(0-4),(0-2)", m->cfg.operator_name,
            m->cfg.operator_name);
    return AT_OK;
}

/* ---- AT+CGCONTRDP ---- */

static void contrdp_line(struct modem *m)
{
    at_info(m, "+CGCONTRDP: 1,5,\"%s\",\"%s.%s\"", m->net.apn, modem_net_ip(m), m->cfg.netmask);
}

static int cgcontrdp(struct modem *m, const struct at_args *a)
{
    if (m->net.pdp_active)
        contrdp_line(m);
    return AT_OK;
}

static int cgcontrdp_write(struct modem *m, const struct at_args *a)
{
    long cid;
    if (a->n != 1 || at_arg_int(a, 0, 1, 10, &cid) != 0)
        return CME_BAD_PARAM;
    if (cid == 1 && m->net.pdp_active)
        contrdp_line(m);
    return AT_OK;
}

static int cgcontrdp_test(struct modem *m, const struct at_args *a)
{
    if (m->net.pdp_active)
        at_info(m, "+CGCONTRDP: (1)");
    return AT_OK;
}

/* ---- AT+CFUN ---- */

static int cfun_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CFUN: %d", m->net.fun);
    return AT_OK;
}

static int cfun_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CFUN: (0,1,4,7),(0-2)");
    return AT_OK;
}

static int cfun_write(struct modem *m, const struct at_args *a)
{
    long fun, rst = 0;
    int old = m->net.fun, sim = m->cfg.sim != MODEM_SIM_ABSENT;

    if (a->n < 1 || a->n > 2 || at_arg_int(a, 0, 0, 7, &fun) != 0)
        return CME_BAD_PARAM;
    if (fun != 0 && fun != 1 && fun != 4 && fun != 7)
        return CME_BAD_PARAM;
    if (a->n == 2 && at_arg_int(a, 1, 0, 2, &rst) != 0)
        return CME_BAD_PARAM;
    if (rst != 0) {
        at_request_reset(m);
        return AT_OK;
    }
    if (fun == 0 && old != 0 && sim)
        at_info(m, "+CPIN: NOT READY");
    modem_net_set_fun(m, (int)fun);
    if (fun == 1 && old == 0 && sim)
        at_then(m, cpin_ready_urc);
    at_defer(m, fun == 0 ? 1500 : 500);
    return AT_OK;
}

/* ---- AT*MCGDEFCONT ---- */

static const char *const pdp_types[] = {"IP", "IPV6", "IPV4V6", "Non-IP"};

static int mcgdefcont_write(struct modem *m, const struct at_args *a)
{
    struct modem_settings s = m->settings;
    size_t i;

    if (a->n < 1 || a->n > 4)
        return CME_BAD_PARAM;
    for (i = 0; i < 4; i++)
        if (at_arg_is(a, 0, pdp_types[i]))
            break;
    if (i == 4 || !a->v[0].quoted)
        return CME_BAD_PARAM;
    strcpy(s.pdp_type, pdp_types[i]);
    s.apn[0] = s.user[0] = s.pwd[0] = 0;
    if ((a->n > 1 && at_arg_str(a, 1, s.apn, sizeof s.apn) != 0) ||
        (a->n > 2 && at_arg_str(a, 2, s.user, sizeof s.user) != 0) ||
        (a->n > 3 && at_arg_str(a, 3, s.pwd, sizeof s.pwd) != 0))
        return CME_BAD_PARAM;
    s.apn_set = 1;
    m->settings = s;
    modem_settings_changed(m);
    return AT_OK;
}

static int mcgdefcont_read(struct modem *m, const struct at_args *a)
{
    const struct modem_settings *s = &m->settings;
    if (s->apn_set)
        at_info(m, "*MCGDEFCONT: \"%s\",\"%s\",\"%s\",\"%s\"", s->pdp_type, s->apn, s->user, s->pwd);
    else
        at_info(m, "*MCGDEFCONT: \"IP\",\"\",\"\",\"\"");
    return AT_OK;
}

static int mcgdefcont_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "*MCGDEFCONT: (\"IP\",\"IPV6\",\"IPV4V6\",\"Non-IP\")");
    return AT_OK;
}

/* ---- AT+CPSMS, AT+CLTS ---- */

static int is_timer(const struct at_args *a, int i, char out[9])
{
    size_t k;
    if (at_arg_str(a, i, out, 9) != 0 || strlen(out) != 8)
        return 0;
    for (k = 0; k < 8; k++)
        if (out[k] != '0' && out[k] != '1')
            return 0;
    return 1;
}

static int cpsms_write(struct modem *m, const struct at_args *a)
{
    long mode;
    char tau[9], act[9];

    if (a->n < 1 || a->n > 5 || at_arg_int(a, 0, 0, 2, &mode) != 0)
        return CME_BAD_PARAM;
    if ((at_arg_present(a, 1) && !is_timer(a, 1, tau)) || (at_arg_present(a, 2) && !is_timer(a, 2, tau)))
        return CME_BAD_PARAM; /* GPRS timers: accepted, not used on NB-IoT */
    strcpy(tau, m->cpsms_tau);
    strcpy(act, m->cpsms_act);
    if ((at_arg_present(a, 3) && !is_timer(a, 3, tau)) || (at_arg_present(a, 4) && !is_timer(a, 4, act)))
        return CME_BAD_PARAM;
    if (mode == 2) {
        /* disable PSM and go back to the default timers */
        m->cpsms_mode = 0;
        strcpy(m->cpsms_tau, "01000011");
        strcpy(m->cpsms_act, "01000011");
        return AT_OK;
    }
    m->cpsms_mode = (int)mode;
    strcpy(m->cpsms_tau, tau);
    strcpy(m->cpsms_act, act);
    return AT_OK;
}

static int cpsms_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CPSMS: %d,,,\"%s\",\"%s\"", m->cpsms_mode, m->cpsms_tau, m->cpsms_act);
    return AT_OK;
}

static int cpsms_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CPSMS: (0-2),,,(\"00000000\"-\"11111111\"),(\"00000000\"-\"11111111\")");
    return AT_OK;
}

static int clts_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0)
        return CME_BAD_PARAM;
    m->clts = (int)v;
    return AT_OK;
}

static int clts_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CLTS: %d", m->clts);
    return AT_OK;
}

static int clts_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CLTS: (0,1)");
    return AT_OK;
}

const struct at_command at_network_commands[] = {
    /* name         exec       test            read             write */
    {"+CPIN",       NULL,      ok,             cpin_read,       cpin_write},
    {"+CSQ",        csq,       csq_test,       NULL,            NULL},
    {"+CGREG",      NULL,      cgreg_test,     cgreg_read,      cgreg_write},
    {"+CEREG",      NULL,      cereg_test,     cereg_read,      cereg_write},
    {"+CGACT",      NULL,      cgact_test,     cgact_read,      cgact_write},
    {"+CGATT",      NULL,      cgatt_test,     cgatt_read,      cgatt_write},
    {"+COPS",       NULL,      cops_test,      cops_read,       cops_write},
    {"+CGCONTRDP",  cgcontrdp, cgcontrdp_test, NULL,            cgcontrdp_write},
    {"+CFUN",       NULL,      cfun_test,      cfun_read,       cfun_write},
    {"*MCGDEFCONT", NULL,      mcgdefcont_test, mcgdefcont_read, mcgdefcont_write},
    {"+CPSMS",      NULL,      cpsms_test,     cpsms_read,      cpsms_write},
    {"+CLTS",       NULL,      clts_test,      clts_read,       clts_write},
    {NULL, NULL, NULL, NULL, NULL},
};
