/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/network.c: the simulated SIM and NB-IoT network.
 *
 * Enough of a network for the bearer commands of the note's section 3:
 * the radio is switched by AT+CFUN, the SIM answers when it is inserted,
 * its PIN (if any) given and the module not at AT+CFUN=0, and a
 * registration completes attach_delay_ms after the radio comes on (never,
 * with MODEM_NEVER, to test a host that must give up). Registration
 * activates the default PDP context (cid 1, bearer 5, as in the note) with
 * the APN of AT*MCGDEFCONT if one was saved, else the network's, and the
 * next address of the configured list, so that the note's section 3.2
 * (a second attach gets 10.250.0.253) can be replayed exactly.
 */
#include "at_command.h"
#include "parts.h"

int modem_sim_ready(const struct modem *m)
{
    if (m->net.fun == 0)
        return 0;
    switch (m->cfg.sim) {
    case MODEM_SIM_READY: return 1;
    case MODEM_SIM_PIN: return m->net.pin_ok;
    default: return 0;
    }
}

static void start_attach(struct modem *m)
{
    m->net.detached = 0;
    if (m->net.fun == 1 && modem_sim_ready(m) && !m->net.registered &&
        m->cfg.attach_delay_ms != MODEM_NEVER)
        m->net.attach_at = m->now + m->cfg.attach_delay_ms;
    else
        m->net.attach_at = MODEM_NEVER;
}

static void report_stat(struct modem *m)
{
    int stat = modem_net_stat(m);
    if (m->net.creg_n == 2 && stat == 1)
        at_urc(m, "+CREG: 1,\"%s\",\"%s\",9", MODEM_NET_TAC, MODEM_NET_CELL_ID);
    else if (m->net.creg_n >= 1)
        at_urc(m, "+CREG: %d", stat);
    if (m->net.cgreg_n >= 1)
        at_urc(m, "+CGREG: %d", stat);
    if (m->net.cereg_n >= 1)
        at_urc(m, "+CEREG: %d", stat);
}

static void detach(struct modem *m)
{
    int was = m->net.registered;
    m->net.registered = 0;
    m->net.pdp_active = 0;
    m->net.attach_at = MODEM_NEVER;
    if (was)
        report_stat(m);
}

void modem_net_power_on(struct modem *m)
{
    m->net.fun = 1;
    m->net.pin_ok = 0;
    m->net.registered = 0;
    m->net.attaches = 0;
    m->net.creg_n = 0;
    m->net.cgreg_n = 0;
    m->net.cereg_n = 0;
    m->net.pdp_active = 0;
    m->net.apn[0] = 0;
    start_attach(m);
}

void modem_net_set_fun(struct modem *m, int fun)
{
    int old = m->net.fun;
    m->net.fun = fun;
    if (fun == 0)
        m->net.pin_ok = 0; /* the SIM is powered down: PIN again */
    if (fun != 1)
        detach(m);
    else if (old != 1)
        start_attach(m);
}

void modem_net_pin_entered(struct modem *m)
{
    m->net.pin_ok = 1;
    start_attach(m);
}

void modem_net_attach(struct modem *m, int attach)
{
    if (attach) {
        start_attach(m);
    } else {
        m->net.detached = 1;
        detach(m);
    }
}

void modem_net_tick(struct modem *m)
{
    const char *apn;
    size_t i;

    if (m->net.attach_at > m->now)
        return;
    m->net.attach_at = MODEM_NEVER;
    m->net.registered = 1;
    m->net.pdp_active = 1;
    m->net.attaches++;
    apn = m->settings.apn_set ? m->settings.apn : m->cfg.network_apn;
    for (i = 0; apn[i] && i < MODEM_TEXT_MAX; i++)
        m->net.apn[i] = apn[i];
    m->net.apn[i] = 0;
    report_stat(m);
}

void modem_net_power_off(struct modem *m)
{
    m->net.attach_at = MODEM_NEVER;
}

uint64_t modem_net_next_event(const struct modem *m)
{
    return m->mode == MODEM_OFF ? MODEM_NEVER : m->net.attach_at;
}

int modem_net_stat(const struct modem *m)
{
    if (m->net.fun != 1 || !modem_sim_ready(m))
        return 0;
    if (m->net.registered)
        return 1;
    return m->net.detached ? 0 : 2;
}

const char *modem_net_ip(const struct modem *m)
{
    unsigned n = 0, k;
    while (n < MODEM_IPS_MAX && m->cfg.ips[n])
        n++;
    if (n == 0)
        return "10.250.0.213";
    k = m->net.attaches == 0 ? 0 : m->net.attaches - 1;
    return m->cfg.ips[k < n ? k : n - 1];
}
