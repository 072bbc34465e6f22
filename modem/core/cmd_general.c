/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/cmd_general.c: the identity and interface commands: AT, ATE,
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

/* ATZ, AT&F: back to the power-on interface settings (AT&W saves
 * nothing of its own here, so the user profile is the factory one). */
static int profile_reset(struct modem *m, const struct at_args *a)
{
    m->echo = m->cfg.echo;
    m->cmee = 0;
    m->verbose = 1;
    m->quiet = 0;
    m->net.creg_n = m->net.cgreg_n = 0;
    return AT_OK;
}

/* AT&V: the active profile, the manual's list with the current values
 * [M105 2.2.28]. */
static int profile_show(struct modem *m, const struct at_args *a)
{
    at_info(m, "ACTIVE PROFILE");
    at_info(m, "E: %d", m->echo);
    at_info(m, "L: 0");
    at_info(m, "M: 0");
    at_info(m, "Q: %d", m->quiet);
    at_info(m, "V: %d", m->verbose);
    at_info(m, "X: 4");
    at_info(m, "S0: 0");
    at_info(m, "S1: 0");
    at_info(m, "S2: 43");
    at_info(m, "S3: 13");
    at_info(m, "S4: 10");
    at_info(m, "S5: 8");
    at_info(m, "S6: 2");
    at_info(m, "S7: 60");
    at_info(m, "S8: 2");
    at_info(m, "S10: 15");
    at_info(m, "S12: 50");
    at_info(m, "S25: 5");
    at_info(m, "+CR: 0");
    at_info(m, "+CMEE: %d", m->cmee);
    at_info(m, "+IFC: 0,0");
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
