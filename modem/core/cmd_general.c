/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_general.c: the identity and interface commands: AT, ATE,
 * ATI, ATV, ATQ, ATZ, AT&F, AT&W, AT&V, AT+CGMI/GMI, AT+CGMM/GMM,
 * AT+CGMR/GMR, AT+CGSN/GSN, AT+CIMI, AT+CCID, AT+CBC, AT+CMEE, AT+IPR.
 *
 * These are what client libraries send at start-up; their answers follow
 * the manual's formats, with values from the configuration (model, IMEI,
 * IMSI, ICCID) or from flash (AT+CGMR: the version of the image that is
 * running, which changes after an update). docs/modem.md lists each one
 * with its exact bytes.
 */
#include "at_command.h"

#include <stdio.h>
#include <string.h>

static int sim_error(const struct modem *m)
{
    if (m->cfg.sim == MODEM_SIM_ABSENT)
        return CME_SIM_NOT_INSERTED;
    if (!modem_sim_ready(m)) {
        if (m->net.fun == 0)
            return CME_NOT_ALLOWED; /* SIM powered down by AT+CFUN=0 */
        return m->cfg.sim == MODEM_SIM_PUK ? CME_SIM_PUK_REQUIRED : CME_SIM_PIN_REQUIRED;
    }
    return 0;
}

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

/* ATE, ATE0, ATE1: echo of command characters. */
static int echo_off(struct modem *m, const struct at_args *a)
{
    m->echo = 0;
    return AT_OK;
}

static int echo_set(struct modem *m, const struct at_args *a)
{
    long v;
    if (at_arg_int(a, 0, 0, 1, &v) != 0)
        return AT_ERROR; /* a basic command's bad number is a syntax error */
    m->echo = (int)v;
    return AT_OK;
}

/* ATV0/ATV1: numeric or verbose result codes; ATQ0/ATQ1: result codes
 * sent or not [M105 2.2.21, 2.2.7]. */
static int verbose_set(struct modem *m, const struct at_args *a)
{
    long v = 0;
    if (a->n == 1 && at_arg_int(a, 0, 0, 1, &v) != 0)
        return AT_ERROR;
    m->verbose = (int)v;
    return AT_OK;
}

static int quiet_set(struct modem *m, const struct at_args *a)
{
    long v = 0;
    if (a->n == 1 && at_arg_int(a, 0, 0, 1, &v) != 0)
        return AT_ERROR;
    m->quiet = (int)v;
    return AT_OK;
}

/* ---- S-parameters [M105 2.2.8-2.2.20] ---- */

/* The registers the manual lists, with their factory value and the
 * highest value taken; S3 and S4 take only their default (the manual
 * supports no other) [INF]. */
static const struct {
    uint8_t reg, value, max;
} sregs[] = {{0, 0, 255}, {1, 0, 0}, {2, 43, 255}, {3, 13, 13}, {4, 10, 10}, {5, 8, 127},
             {6, 2, 255}, {7, 60, 255}, {8, 2, 255}, {10, 15, 254}, {12, 50, 255}, {25, 5, 255}};
#define SREGS (sizeof sregs / sizeof sregs[0])

void modem_sreg_default(struct modem *m)
{
    size_t i;
    for (i = 0; i < SREGS; i++)
        m->sreg[sregs[i].reg] = sregs[i].value;
}

static int sreg_index(struct modem *m, const struct at_args *a)
{
    long reg;
    size_t i;
    if (at_arg_int(a, 0, 0, 25, &reg) == 0)
        for (i = 0; i < SREGS; i++)
            if (sregs[i].reg == reg)
                return (int)i;
    at_log(m, "ATS%.*s: no such S-parameter", (int)a->v[0].len, a->v[0].p);
    return -1;
}

static int sreg_read(struct modem *m, const struct at_args *a)
{
    int i = sreg_index(m, a);
    if (i < 0)
        return AT_ERROR;
    at_info(m, "%u", m->sreg[sregs[i].reg]); /* "ATS3?" -> "13" */
    return AT_OK;
}

static int sreg_write(struct modem *m, const struct at_args *a)
{
    int i = sreg_index(m, a);
    long v;
    if (i < 0)
        return AT_ERROR;
    if (at_arg_int(a, 1, sregs[i].reg == 3 ? 13 : sregs[i].reg == 4 ? 10 : 0, sregs[i].max, &v) != 0) {
        at_log(m, "ATS%u: 0-%u%s", sregs[i].reg, sregs[i].max,
               sregs[i].reg == 3 || sregs[i].reg == 4 ? " (only the default is supported)" : "");
        return AT_ERROR;
    }
    m->sreg[sregs[i].reg] = (uint8_t)v;
    return AT_OK;
}

/* ATX, AT&C, AT&D, ATL, ATM: result-code, DCD, DTR and speaker options the
 * emulated line has nothing to do with: accepted in their ranges. */
static int option_in(const struct at_args *a, long max)
{
    long v;
    return a->n == 0 || at_arg_int(a, 0, 0, max, &v) == 0 ? AT_OK : AT_ERROR;
}

static int opt_x(struct modem *m, const struct at_args *a) { return option_in(a, 4); }
static int opt_c(struct modem *m, const struct at_args *a) { return option_in(a, 1); }
static int opt_d(struct modem *m, const struct at_args *a) { return option_in(a, 2); }
static int opt_l(struct modem *m, const struct at_args *a) { return option_in(a, 3); }

/* AT+IFC: flow control (none, XON/XOFF, RTS/CTS); kept and shown, the
 * pseudo-terminal has no flow control to change [INF]. */
static int ifc_write(struct modem *m, const struct at_args *a)
{
    long dce, dte = 0;
    if (a->n < 1 || a->n > 2 || at_arg_int(a, 0, 0, 2, &dce) != 0 || (a->n == 2 && at_arg_int(a, 1, 0, 2, &dte) != 0))
        return CME_BAD_PARAM;
    m->ifc[0] = (int)dce;
    m->ifc[1] = (int)(a->n == 2 ? dte : dce);
    return AT_OK;
}

static int ifc_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+IFC: %d,%d", m->ifc[0], m->ifc[1]);
    return AT_OK;
}

static int ifc_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+IFC: (0-2),(0-2)");
    return AT_OK;
}

/* ATZ, AT&F: back to the power-on interface settings (AT&W saves
 * nothing of its own here, so the user profile is the factory one). */
static int profile_reset(struct modem *m, const struct at_args *a)
{
    m->echo = m->cfg.echo;
    m->cmee = 0;
    m->verbose = 1;
    m->quiet = 0;
    m->net.creg_n = m->net.cgreg_n = 0;
    m->ifc[0] = m->ifc[1] = 0;
    modem_sreg_default(m);
    return AT_OK;
}

/* AT&V: the active profile, the manual's list with the current values
 * [M105 2.2.28]. */
static int profile_show(struct modem *m, const struct at_args *a)
{
    size_t i;

    at_info(m, "ACTIVE PROFILE");
    at_info(m, "E: %d", m->echo);
    at_info(m, "L: 0");
    at_info(m, "M: 0");
    at_info(m, "Q: %d", m->quiet);
    at_info(m, "V: %d", m->verbose);
    at_info(m, "X: 4");
    for (i = 0; i < SREGS; i++)
        at_info(m, "S%u: %u", sregs[i].reg, m->sreg[sregs[i].reg]);
    at_info(m, "+CR: 0");
    at_info(m, "+CMEE: %d", m->cmee);
    at_info(m, "+IFC: %d,%d", m->ifc[0], m->ifc[1]);
    at_info(m, "+ICF: 3,3");
    at_info(m, "+CSCS: \"IRA\"");
    at_info(m, "+IPR: %u", (unsigned)m->settings.ipr);
    at_info(m, "&C: 1");
    at_info(m, "&D: 2");
    at_info(m, "+CGEREP: 0");
    at_info(m, "+CEER: 0");
    at_info(m, "+CGPIAF: %d,%d,%d,%d", m->net.cgpiaf[0], m->net.cgpiaf[1], m->net.cgpiaf[2], m->net.cgpiaf[3]);
    at_info(m, "+CPSMSTATUS: 1");
    at_info(m, "+CMGF: 0");
    at_info(m, "+CSDH: 0");
    at_info(m, "+CSMINS: 0");
    at_info(m, "+CMUX: 0,0,0,31,10,3,30,10,2");
    return AT_OK;
}

static int profile_reset_n(struct modem *m, const struct at_args *a)
{
    long v;
    if (at_arg_int(a, 0, 0, 0, &v) != 0)
        return AT_ERROR;
    return profile_reset(m, a);
}

/* AT&W0, AT&V0: only profile 0 exists. */
static int profile_reset_n_ok(struct modem *m, const struct at_args *a)
{
    long v;
    return at_arg_int(a, 0, 0, 0, &v) == 0 ? AT_OK : AT_ERROR;
}

static int profile_show_n(struct modem *m, const struct at_args *a)
{
    return profile_reset_n_ok(m, a) == AT_OK ? profile_show(m, a) : AT_ERROR;
}

static int ati(struct modem *m, const struct at_args *a)
{
    at_info(m, "%s R1752", m->cfg.model);
    return AT_OK;
}

static int cgmi(struct modem *m, const struct at_args *a)
{
    at_info(m, "SIMCOM_Ltd");
    return AT_OK;
}

static int cgmm(struct modem *m, const struct at_args *a)
{
    at_info(m, "%s", m->cfg.model);
    return AT_OK;
}

static int cgmr(struct modem *m, const struct at_args *a)
{
    if (!m->rec_ok)
        return CME_UNKNOWN;
    at_info(m, "%s", m->rec.version);
    return AT_OK;
}

static int cgsn(struct modem *m, const struct at_args *a)
{
    at_info(m, "%s", m->cfg.imei);
    return AT_OK;
}

static int cimi(struct modem *m, const struct at_args *a)
{
    int e = sim_error(m);
    if (e)
        return e;
    at_info(m, "%s", m->cfg.imsi);
    return AT_OK;
}

static int ccid(struct modem *m, const struct at_args *a)
{
    if (m->cfg.sim == MODEM_SIM_ABSENT)
        return CME_SIM_NOT_INSERTED;
    at_info(m, "%s", m->cfg.iccid);
    return AT_OK;
}

static int cbc(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CBC: 0,0,3300");
    return AT_OK;
}

/* AT+CMEE: how errors are reported: 0 ERROR, 1 numeric, 2 verbose. */
static int cmee_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 2, &v) != 0)
        return CME_BAD_PARAM;
    m->cmee = (int)v;
    return AT_OK;
}

static int cmee_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CMEE: %d", m->cmee);
    return AT_OK;
}

static int cmee_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CMEE: (0-2)");
    return AT_OK;
}

/* AT+IPR: the UART rate, AUTO_SAVE; 0 is auto-bauding, under which the
 * module sends no URCs at start-up [M102 p.44, 1.3]. The emulator's line
 * has no rate, so only that second effect is modelled. */
static const long ipr_rates[] = {0, 110, 300, 1200, 2400, 4800, 9600, 19200, 38400,
                                 57600, 115200, 230400, 460800, 921600, 3000000};
#define IPR_RATES (sizeof ipr_rates / sizeof ipr_rates[0])

static int ipr_write(struct modem *m, const struct at_args *a)
{
    long v;
    size_t i;
    if (a->n != 1 || at_arg_int(a, 0, 0, 3000000, &v) != 0)
        return CME_BAD_PARAM;
    for (i = 0; i < IPR_RATES; i++)
        if (ipr_rates[i] == v)
            break;
    if (i == IPR_RATES)
        return CME_BAD_PARAM;
    if (m->settings.ipr != (uint32_t)v) {
        m->settings.ipr = (uint32_t)v;
        modem_settings_changed(m);
    }
    return AT_OK;
}

static int ipr_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+IPR: %u", (unsigned)m->settings.ipr);
    return AT_OK;
}

static int ipr_test(struct modem *m, const struct at_args *a)
{
    char list[160];
    size_t i, n = 0;
    for (i = 0; i < IPR_RATES; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%ld", i ? "," : "", ipr_rates[i]);
    at_info(m, "+IPR: (%s)", list);
    return AT_OK;
}

const struct at_command at_general_commands[] = {
    /* name     exec           test     read       write */
    {"E",       echo_off,      NULL,    NULL,      echo_set},
    {"I",       ati,           NULL,    NULL,      NULL},
    {"Z",       profile_reset, NULL,    NULL,      profile_reset_n},
    {"&F",      profile_reset, NULL,    NULL,      profile_reset_n},
    {"&W",      ok,            NULL,    NULL,      profile_reset_n_ok},
    {"&V",      profile_show,  NULL,    NULL,      profile_show_n},
    {"V",       verbose_set,   NULL,    NULL,      verbose_set},
    {"S",       NULL,          NULL,    sreg_read, sreg_write},
    {"X",       opt_x,         NULL,    NULL,      opt_x},
    {"L",       opt_l,         NULL,    NULL,      opt_l},
    {"M",       opt_l,         NULL,    NULL,      opt_l},
    {"&C",      opt_c,         NULL,    NULL,      opt_c},
    {"&D",      opt_d,         NULL,    NULL,      opt_d},
    {"+IFC",    NULL,          ifc_test, ifc_read, ifc_write},
    {"Q",       quiet_set,     NULL,    NULL,      quiet_set},
    {"+CGMI",   cgmi,          ok,      NULL,      NULL},
    {"+CGMM",   cgmm,          ok,      NULL,      NULL},
    {"+CGMR",   cgmr,          ok,      NULL,      NULL},
    {"+CGSN",   cgsn,          ok,      NULL,      NULL},
    {"+GSN",    cgsn,          ok,      NULL,      NULL},
    {"+GMM",    cgmm,          ok,      NULL,      NULL},
    {"+GMI",    cgmi,          ok,      NULL,      NULL},
    {"+GMR",    cgmr,          ok,      NULL,      NULL},
    {"+CIMI",   cimi,          ok,      NULL,      NULL},
    {"+CCID",   ccid,          ok,      NULL,      NULL},
    {"+CBC",    cbc,           NULL,    NULL,      NULL},
    {"+CMEE",   NULL,          cmee_test, cmee_read, cmee_write},
    {"+IPR",    NULL,          ipr_test, ipr_read, ipr_write},
    {NULL, NULL, NULL, NULL, NULL},
};
