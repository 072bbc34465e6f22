/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_tcpip.c: the SIM800-compatible TCP/IP application family,
 * AT+CIP... [M105 ch.7; TCPAN ch.4; spec sim7020-clients.md section 6].
 *
 * The family keeps its own state machine (AT+CIPSTATUS):
 *
 *   IP INITIAL --CSTT--> IP START --CIICR--> IP GPRSACT --CIFSR--> IP STATUS
 *   IP STATUS --CIPSTART--> TCP/UDP CONNECTING --> CONNECT OK (single)
 *                           IP PROCESSING while any connection exists (multi)
 *   CONNECT OK --CIPCLOSE--> TCP/UDP CLOSED; any --CIPSHUT--> IP INITIAL
 *   a lost PDP context shows as PDP DEACT
 *
 * Connections 0-5 are slots 5-10 of sock.h. Single mode (AT+CIPMUX=0) has
 * only connection 0, and its results carry no number ("CONNECT OK");
 * multi mode prefixes "<n>," without a space. From IP INITIAL in single
 * mode AT+CIPSTART brings the bearer up itself, as the manual's 160 s
 * allow. Received data is pushed (+IPD, +RECEIVE, RECV FROM) or, with
 * AT+CIPRXGET=1, kept and read on request.
 */
#include "at_command.h"
#include "parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CIPSEND_MAX 1460u
#define CIPRXGET_RAW_MAX 1460u
#define CIPRXGET_HEX_MAX 730u
#define SEND_IDLE_MS 60000u

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

static struct modem_sock *conn(struct modem *m, int n)
{
    return &m->sock[MODEM_SOCK_CIP_BASE + n];
}

void cip_reset(struct modem *m)
{
    memset(&m->cip, 0, sizeof m->cip);
}

static int any_connection(struct modem *m)
{
    int n;
    for (n = 0; n < MODEM_CIP_CONNS; n++)
        if (conn(m, n)->state == SOCK_CONNECTING || conn(m, n)->state == SOCK_CONNECTED)
            return 1;
    return 0;
}

/* The "<n>," of multi mode, or nothing. */
static const char *prefix(struct modem *m, int n, char buf[8])
{
    if (m->cip.mux)
        snprintf(buf, 8, "%d,", n);
    else
        buf[0] = 0;
    return buf;
}

/* ---- the state, as AT+CIPSTATUS names it ---- */

static const char *state_name(struct modem *m)
{
    static const char *const names[] = {"IP INITIAL", "IP START", "IP CONFIG", "IP GPRSACT", "IP STATUS"};
    struct modem_sock *c = conn(m, 0);
    const char *proto = c->udp ? "UDP" : "TCP";
    static char text[24];

    if (m->cip.state >= CIP_GPRSACT && !m->net.pdp_active)
        return "PDP DEACT";
    if (m->cip.mux)
        return m->cip.state >= CIP_STATUS && any_connection(m) ? "IP PROCESSING"
               : m->cip.state >= CIP_STATUS                   ? "IP STATUS"
                                                              : names[m->cip.state];
    switch (m->cip.state) {
    case CIP_PROCESSING: snprintf(text, sizeof text, "%s CONNECTING", proto); return text;
    case CIP_CONNECT_OK: return "CONNECT OK";
    case CIP_CLOSING: snprintf(text, sizeof text, "%s CLOSING", proto); return text;
    case CIP_CLOSED: snprintf(text, sizeof text, "%s CLOSED", proto); return text;
    default: return names[m->cip.state <= CIP_STATUS ? m->cip.state : CIP_STATUS];
    }
}

static const char *client_state(const struct modem_sock *c, int used)
{
    if (!used)
        return "INITIAL";
    switch (c->state) {
    case SOCK_CONNECTING: return "CONNECTING";
    case SOCK_CONNECTED: return "CONNECTED";
    case SOCK_CLOSING: return "CLOSING";
    default: return "CLOSED";
    }
}

/* One connection as the C: lines and +CIPSTATUS=<n> print it. */
static void conn_fields(struct modem *m, int n, char *out, size_t cap)
{
    struct modem_sock *c = conn(m, n);
    int used = c->state != SOCK_FREE;
    if (used)
        snprintf(out, cap, "%d,0,\"%s\",\"%s\",\"%u\",\"%s\"", n, c->udp ? "UDP" : "TCP", c->ip, c->port,
                 client_state(c, 1));
    else
        snprintf(out, cap, "%d,,\"\",\"\",\"\",\"INITIAL\"", n);
}

static int cipstatus_exec(struct modem *m, const struct at_args *a)
{
    char f[96];
    int n;
    /* OK first, then the state [M105 7.2.12]: held like URCs, they
     * follow the final result. */
    at_urc(m, "STATE: %s", state_name(m));
    if (m->cip.mux) {
        for (n = 0; n < MODEM_CIP_CONNS; n++) {
            conn_fields(m, n, f, sizeof f);
            at_urc(m, "C: %s", f);
        }
    }
    return AT_OK;
}

static int cipstatus_write(struct modem *m, const struct at_args *a)
{
    char f[96];
    long n;
    if (!m->cip.mux || a->n != 1 || at_arg_int(a, 0, 0, MODEM_CIP_CONNS - 1, &n) != 0) {
        at_log(m, "CIPSTATUS=<n> is for multi mode, n 0-5");
        return AT_ERROR;
    }
    conn_fields(m, (int)n, f, sizeof f);
    at_info(m, "+CIPSTATUS: %s", f);
    return AT_OK;
}

/* ---- the bearer: CIPMUX, CSTT, CIICR, CIFSR, CIPSHUT ---- */

static int cipmux_write(struct modem *m, const struct at_args *a)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0)
        return AT_ERROR;
    if (v != m->cip.mux && (m->cip.state != CIP_INITIAL || any_connection(m))) {
        at_log(m, "CIPMUX: change it in IP INITIAL only (AT+CIPSHUT first)");
        return AT_ERROR;
    }
    m->cip.mux = (int)v;
    return AT_OK;
}

static int cipmux_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPMUX: %d", m->cip.mux);
    return AT_OK;
}

static int cipmux_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPMUX: (0,1)");
    return AT_OK;
}

static int cstt_set(struct modem *m, const char *apn, const char *user, const char *pwd)
{
    if (m->cip.state != CIP_INITIAL) {
        at_log(m, "CSTT: only in IP INITIAL (now %s)", state_name(m));
        return AT_ERROR;
    }
    snprintf(m->cip.apn, sizeof m->cip.apn, "%s", apn);
    snprintf(m->cip.user, sizeof m->cip.user, "%s", user);
    snprintf(m->cip.pwd, sizeof m->cip.pwd, "%s", pwd);
    m->cip.state = CIP_START;
    return AT_OK;
}

static int cstt_exec(struct modem *m, const struct at_args *a)
{
    return cstt_set(m, m->net.apn, "", "");
}

static int cstt_write(struct modem *m, const struct at_args *a)
{
    char apn[33] = "", user[33] = "", pwd[33] = "";
    if (a->n > 3 || at_arg_str(a, 0, apn, sizeof apn) != 0 || (a->n > 1 && at_arg_str(a, 1, user, sizeof user) != 0) ||
        (a->n > 2 && at_arg_str(a, 2, pwd, sizeof pwd) != 0)) {
        at_log(m, "CSTT: <apn>,<user>,<pwd>, each at most 32 bytes");
        return AT_ERROR;
    }
    return cstt_set(m, apn, user, pwd);
}

static int cstt_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSTT: \"%s\",\"%s\",\"%s\"", m->cip.apn, m->cip.user, m->cip.pwd);
    return AT_OK;
}

static int cstt_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSTT: \"APN\",\"USER\",\"PWD\"");
    return AT_OK;
}

static int ciicr(struct modem *m, const struct at_args *a)
{
    if (m->cip.state != CIP_START) {
        at_log(m, "CIICR: only in IP START, after AT+CSTT (now %s)", state_name(m));
        return AT_ERROR;
    }
    if (!m->net.pdp_active) {
        at_log(m, "CIICR: not attached (+CGATT: 0)");
        return AT_ERROR;
    }
    m->cip.state = CIP_GPRSACT;
    at_defer(m, 1000);
    return AT_OK;
}

static int cifsr(struct modem *m, const struct at_args *a)
{
    if (m->cip.state < CIP_GPRSACT || !m->net.pdp_active) {
        at_log(m, "CIFSR: no address before AT+CIICR (now %s)", state_name(m));
        return AT_ERROR;
    }
    if (m->cip.state == CIP_GPRSACT)
        m->cip.state = CIP_STATUS;
    at_info(m, "%s", modem_net_ip(m));
    return AT_NONE; /* the bare address, no OK [TCPAN 4.2] */
}

static void close_conn(struct modem *m, int n)
{
    modem_sock_close(m, MODEM_SOCK_CIP_BASE + n);
    conn(m, n)->state = SOCK_FREE;
    conn(m, n)->rx_len = 0;
}

static int cipshut(struct modem *m, const struct at_args *a)
{
    int n;
    for (n = 0; n < MODEM_CIP_CONNS; n++)
        close_conn(m, n);
    m->cip.state = CIP_INITIAL;
    return at_result(m, "SHUT OK");
}

/* ---- AT+CLPORT ---- */

static int clport_write(struct modem *m, const struct at_args *a)
{
    long n = 0, port;
    int i = m->cip.mux ? 1 : 0, udp;
    if (a->n != i + 2 || (m->cip.mux && at_arg_int(a, 0, 0, MODEM_CIP_CONNS - 1, &n) != 0) ||
        at_arg_int(a, i + 1, 0, 65535, &port) != 0 || (!at_arg_is(a, i, "TCP") && !at_arg_is(a, i, "UDP"))) {
        at_log(m, "CLPORT: %s\"TCP\"|\"UDP\",<port 0-65535>", m->cip.mux ? "<n>," : "");
        return AT_ERROR;
    }
    udp = at_arg_is(a, i, "UDP");
    m->cip.lport[n][udp] = (unsigned)port;
    return AT_OK;
}

static int clport_read(struct modem *m, const struct at_args *a)
{
    int n;
    if (!m->cip.mux) {
        at_info(m, "+CLPORT: %u,%u", m->cip.lport[0][0], m->cip.lport[0][1]);
        return AT_OK;
    }
    for (n = 0; n < MODEM_CIP_CONNS; n++)
        at_info(m, "+CLPORT: %d,%u,%u", n, m->cip.lport[n][0], m->cip.lport[n][1]);
    return AT_OK;
}

static int clport_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CLPORT: %s(\"TCP\",\"UDP\"),(0-65535)", m->cip.mux ? "(0-5)," : "");
    return AT_OK;
}

/* ---- AT+CIPSTART ---- */

static void connect_failed(struct modem *m, int n)
{
    char p[8];
    struct modem_sock *c = conn(m, n);
    modem_sock_close(m, MODEM_SOCK_CIP_BASE + n);
    c->state = SOCK_CREATED; /* shown as CLOSED */
    if (m->cip.mux) {
        at_urc(m, "%sCONNECT FAIL", prefix(m, n, p));
    } else {
        m->cip.state = CIP_CLOSED;
        at_urc(m, "STATE: %s", state_name(m));
        at_urc(m, "CONNECT FAIL");
    }
}

static void connect_ok(struct modem *m, int n)
{
    char p[8];
    conn(m, n)->state = SOCK_CONNECTED;
    if (!m->cip.mux)
        m->cip.state = CIP_CONNECT_OK;
    at_urc(m, "%sCONNECT OK", prefix(m, n, p));
}

static int cipstart_write(struct modem *m, const struct at_args *a)
{
    char host[256], ip[16], p[8];
    long n = 0, port;
    int i = m->cip.mux ? 1 : 0, udp;
    struct modem_sock *c;

    if (a->n != i + 3 || (m->cip.mux && at_arg_int(a, 0, 0, MODEM_CIP_CONNS - 1, &n) != 0) ||
        (!at_arg_is(a, i, "TCP") && !at_arg_is(a, i, "UDP")) || at_arg_str(a, i + 1, host, sizeof host) != 0 ||
        !host[0]) {
        at_log(m, "CIPSTART: %s\"TCP\"|\"UDP\",<address>,<port>", m->cip.mux ? "<n>," : "");
        return CME_BAD_PARAM;
    }
    /* the port, quoted or not */
    {
        char text[8];
        char *end;
        if (at_arg_str(a, i + 2, text, sizeof text) != 0 || !text[0] ||
            (port = strtol(text, &end, 10), *end) || port < 1 || port > 65535) {
            at_log(m, "CIPSTART: port 1-65535");
            return CME_BAD_PARAM;
        }
    }
    udp = at_arg_is(a, i, "UDP");
    c = conn(m, (int)n);
    if (c->state == SOCK_CONNECTING || c->state == SOCK_CONNECTED) {
        at_urc(m, "%sALREADY CONNECT", prefix(m, (int)n, p));
        return AT_OK;
    }
    if (!m->net.pdp_active) {
        at_log(m, "CIPSTART: not attached");
        return AT_ERROR;
    }
    if (m->cip.mux ? m->cip.state < CIP_GPRSACT
                   : (m->cip.state != CIP_INITIAL && m->cip.state < CIP_GPRSACT)) {
        at_log(m, "CIPSTART: not in this state (%s): AT+CSTT, AT+CIICR, AT+CIFSR first", state_name(m));
        return AT_ERROR;
    }
    if (m->cip.state == CIP_INITIAL)
        snprintf(m->cip.apn, sizeof m->cip.apn, "%s", m->net.apn); /* implicit bring-up */
    if (m->cip.state < CIP_STATUS)
        m->cip.state = CIP_STATUS;
    memset(c, 0, sizeof *c);
    c->state = SOCK_CONNECTING;
    c->udp = udp;
    c->port = (unsigned)port;
    c->local_port = m->cip.lport[n][udp];
    if (!m->cip.mux)
        m->cip.state = CIP_PROCESSING;
    if (modem_dns_lookup(m, host, ip) != 0) {
        at_log(m, "CIPSTART: %s does not resolve", host);
        snprintf(c->ip, sizeof c->ip, "0.0.0.0");
        connect_failed(m, (int)n);
        return AT_OK;
    }
    snprintf(c->ip, sizeof c->ip, "%s", ip);
    at_defer(m, udp ? 0 : MODEM_NB_LATENCY_MS);
    if (modem_sock_open(m, MODEM_SOCK_CIP_BASE + (int)n) != 0)
        connect_failed(m, (int)n);
    else if (udp)
        connect_ok(m, (int)n);
    return AT_OK;
}

void cip_on_connected(struct modem *m, int n, int err)
{
    if (conn(m, n)->state != SOCK_CONNECTING)
        return;
    if (err)
        connect_failed(m, n);
    else
        connect_ok(m, n);
}

static int cipstart_test(struct modem *m, const struct at_args *a)
{
    const char *n = m->cip.mux ? "(0-5)," : "";
    at_info(m, "+CIPSTART: %s(\"TCP\",\"UDP\"),(\"(0-255).(0-255).(0-255).(0-255)\"),(1-65535)", n);
    at_info(m, "+CIPSTART: %s(\"TCP\",\"UDP\"),(\"DOMAIN NAME\"),(1-65535)", n);
    return AT_OK;
}

/* ---- sending: AT+CIPSEND, AT+CIPQSEND ---- */

static int send_done(struct modem *m)
{
    int n = m->data.slot;
    char p[8];
    if (m->data.cancelled)
        return AT_OK; /* ESC: nothing sent */
    if (m->data.got == 0) {
        at_log(m, "CIPSEND: no data before Ctrl-Z");
        return AT_ERROR;
    }
    if (conn(m, n)->state != SOCK_CONNECTED ||
        modem_sock_send(m, MODEM_SOCK_CIP_BASE + n, m->data.buf, m->data.got) != 0)
        return at_result(m, "%sSEND FAIL", prefix(m, n, p));
    at_defer(m, m->cip.qsend ? 0 : modem_nb_time_ms(m->data.got));
    if (m->cip.qsend)
        return m->cip.mux ? at_result(m, "DATA ACCEPT: %d,%u", n, (unsigned)m->data.got)
                          : at_result(m, "DATA ACCEPT: %u", (unsigned)m->data.got);
    return at_result(m, "%sSEND OK", prefix(m, n, p));
}

static int cipsend_start(struct modem *m, int n, long len)
{
    if (conn(m, n)->state != SOCK_CONNECTED) {
        at_log(m, "CIPSEND: connection %d is not connected", n);
        return AT_ERROR;
    }
    m->data.slot = n;
    if (len > 0)
        at_enter_data(m, (uint32_t)len, SEND_IDLE_MS, send_done);
    else
        at_enter_data_until_ctrlz(m, CIPSEND_MAX, SEND_IDLE_MS, send_done);
    return AT_PENDING;
}

static int cipsend_exec(struct modem *m, const struct at_args *a)
{
    if (m->cip.mux) {
        at_log(m, "CIPSEND: multi mode needs AT+CIPSEND=<n>");
        return AT_ERROR;
    }
    return cipsend_start(m, 0, 0);
}

static int cipsend_write(struct modem *m, const struct at_args *a)
{
    long n = 0, len = 0;
    int i = m->cip.mux ? 1 : 0;
    if (a->n < i || a->n > i + 1 || (m->cip.mux && at_arg_int(a, 0, 0, MODEM_CIP_CONNS - 1, &n) != 0) ||
        (a->n == i + 1 && at_arg_int(a, i, 1, CIPSEND_MAX, &len) != 0)) {
        at_log(m, "CIPSEND: %s<length 1-%u>", m->cip.mux ? "<n>," : "", CIPSEND_MAX);
        return AT_ERROR;
    }
    return cipsend_start(m, (int)n, len);
}

static int cipsend_read(struct modem *m, const struct at_args *a)
{
    int n;
    if (!m->cip.mux) {
        at_info(m, "+CIPSEND: %u", conn(m, 0)->state == SOCK_CONNECTED ? CIPSEND_MAX : 0);
        return AT_OK;
    }
    for (n = 0; n < MODEM_CIP_CONNS; n++)
        at_info(m, "+CIPSEND: %d,%u", n, conn(m, n)->state == SOCK_CONNECTED ? CIPSEND_MAX : 0);
    return AT_OK;
}

static int cipsend_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPSEND: %s(1-%u)", m->cip.mux ? "(0-5)," : "", CIPSEND_MAX);
    return AT_OK;
}

/* ---- the 0/1 (or 0-2) settings: CIPQSEND, CIPHEAD, CIPSRIP, CIPHEXS ---- */

static int set_mode(struct modem *m, const struct at_args *a, int *field, long max)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, max, &v) != 0)
        return AT_ERROR;
    *field = (int)v;
    return AT_OK;
}

static int qsend_write(struct modem *m, const struct at_args *a) { return set_mode(m, a, &m->cip.qsend, 1); }
static int head_write(struct modem *m, const struct at_args *a) { return set_mode(m, a, &m->cip.head, 1); }
static int srip_write(struct modem *m, const struct at_args *a) { return set_mode(m, a, &m->cip.srip, 1); }
static int hexs_write(struct modem *m, const struct at_args *a) { return set_mode(m, a, &m->cip.hexs, 2); }

static int qsend_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPQSEND: %d", m->cip.qsend);
    return AT_OK;
}

static int head_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPHEAD: %d", m->cip.head);
    return AT_OK;
}

static int srip_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPSRIP: %d", m->cip.srip);
    return AT_OK;
}

static int hexs_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPHEXS: %d", m->cip.hexs);
    return AT_OK;
}

static int qsend_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPQSEND: (0,1)");
    return AT_OK;
}

static int head_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPHEAD: (0-NO HEADER,1-ADD HEADER)");
    return AT_OK;
}

static int srip_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPSRIP: (0,1)");
    return AT_OK;
}

static int hexs_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPHEXS: (0-2)");
    return AT_OK;
}

/* ---- receiving ---- */

static void push(struct modem *m, int n, const uint8_t *data, size_t len)
{
    struct modem_sock *c = conn(m, n);
    char head[64], hex[2 * MODEM_SOCK_RX_MAX + 1];
    const void *out = data;
    size_t out_len = len;
    int hexs = m->cip.hexs == 2;

    if (hexs) {
        modem_hex_upper(data, len, hex);
        out = hex;
        out_len = 2 * len;
    }
    if (m->cip.mux) {
        if (m->cip.srip)
            snprintf(head, sizeof head, "+RECEIVE,%d,%u,%s:%u\r\n", n, (unsigned)len, c->ip, c->port);
        else
            snprintf(head, sizeof head, "+RECEIVE,%d,%u:\r\n", n, (unsigned)len);
        at_urc_data(m, head, out, out_len, 0);
        return;
    }
    if (m->cip.srip)
        at_urc(m, "RECV FROM: %s:%u", c->ip, c->port);
    if (m->cip.head)
        snprintf(head, sizeof head, "+IPD,%u:", (unsigned)len);
    else
        head[0] = 0;
    at_urc_data(m, head, out, out_len, hexs && m->cip.head);
}

void cip_on_received(struct modem *m, int n, const uint8_t *data, size_t len)
{
    struct modem_sock *c = conn(m, n);
    if (c->state != SOCK_CONNECTED)
        return;
    if (m->cip.rxget) {
        int was_empty = c->rx_len == 0;
        char where[32] = "";
        modem_sock_keep(m, MODEM_SOCK_CIP_BASE + n, data, len);
        if (!was_empty)
            return;
        if (m->cip.srip)
            snprintf(where, sizeof where, ",%s:%u", c->ip, c->port);
        if (m->cip.mux)
            at_urc(m, "+CIPRXGET: 1,%d%s", n, where);
        else
            at_urc(m, "+CIPRXGET: 1%s", where);
        return;
    }
    while (len > 0) {
        size_t k = len < CIPRXGET_RAW_MAX ? len : CIPRXGET_RAW_MAX;
        push(m, n, data, k);
        data += k;
        len -= k;
    }
}

void cip_on_closed(struct modem *m, int n, int err)
{
    char p[8];
    struct modem_sock *c = conn(m, n);
    if (c->state == SOCK_CONNECTING) {
        connect_failed(m, n);
        return;
    }
    modem_sock_close(m, MODEM_SOCK_CIP_BASE + n);
    c->state = SOCK_CREATED;
    if (!m->cip.mux)
        m->cip.state = CIP_CLOSED;
    at_urc(m, "%sCLOSED", prefix(m, n, p));
}

static int ciprxget_write(struct modem *m, const struct at_args *a)
{
    uint8_t buf[CIPRXGET_RAW_MAX];
    char hex[2 * CIPRXGET_HEX_MAX + 1], id[8] = "", where[32] = "";
    long mode, n = 0, req = 0;
    int i = m->cip.mux ? 2 : 1;
    size_t got;
    struct modem_sock *c;

    if (a->n < 1 || at_arg_int(a, 0, 0, 4, &mode) != 0)
        return CME_BAD_PARAM;
    if (mode <= 1) {
        if (a->n != 1)
            return CME_BAD_PARAM;
        m->cip.rxget = (int)mode;
        return AT_OK;
    }
    if (m->cip.mux && at_arg_int(a, 1, 0, MODEM_CIP_CONNS - 1, &n) != 0)
        return CME_BAD_PARAM;
    if (m->cip.mux)
        snprintf(id, sizeof id, "%ld,", n);
    c = conn(m, (int)n);
    if (!m->cip.rxget || c->state == SOCK_FREE) {
        at_log(m, "CIPRXGET: no connection %ld reading in mode 1", n);
        return CME_NOT_ALLOWED;
    }
    if (mode == 4) {
        if (a->n != i)
            return CME_BAD_PARAM;
        at_info(m, "+CIPRXGET: 4,%s%u", id, (unsigned)c->rx_len);
        return AT_OK;
    }
    if (a->n != i + 1 || at_arg_int(a, i, 1, mode == 2 ? CIPRXGET_RAW_MAX : CIPRXGET_HEX_MAX, &req) != 0) {
        at_log(m, "CIPRXGET: <reqlength> 1-%u", mode == 2 ? CIPRXGET_RAW_MAX : CIPRXGET_HEX_MAX);
        return CME_BAD_PARAM;
    }
    got = modem_sock_take(m, MODEM_SOCK_CIP_BASE + (int)n, buf, (size_t)req);
    if (m->cip.srip)
        snprintf(where, sizeof where, ",%s:%u", c->ip, c->port);
    /* <returned>,<still buffered> [INF, spec 6.5] */
    at_info(m, "+CIPRXGET: %ld,%s%u,%u%s", mode, id, (unsigned)got, (unsigned)c->rx_len, where);
    if (mode == 2) {
        at_info_bytes(m, buf, got);
    } else {
        modem_hex_upper(buf, got, hex);
        at_info_bytes(m, hex, 2 * got);
    }
    at_info_bytes(m, "\r\n", 2);
    return AT_OK;
}

static int ciprxget_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPRXGET: %d", m->cip.rxget);
    return AT_OK;
}

static int ciprxget_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CIPRXGET: (0-4),%s(1-1460)", m->cip.mux ? "(0-5)," : "");
    return AT_OK;
}

/* ---- AT+CIPCLOSE ---- */

static int cipclose_do(struct modem *m, int n)
{
    char p[8];
    struct modem_sock *c = conn(m, n);
    if (c->state != SOCK_CONNECTING && c->state != SOCK_CONNECTED) {
        at_log(m, "CIPCLOSE: connection %d is not open", n);
        return AT_ERROR;
    }
    modem_sock_close(m, MODEM_SOCK_CIP_BASE + n);
    c->state = SOCK_CREATED;
    c->rx_len = 0;
    if (!m->cip.mux)
        m->cip.state = CIP_CLOSED;
    return at_result(m, "%sCLOSE OK", prefix(m, n, p));
}

static int cipclose_exec(struct modem *m, const struct at_args *a)
{
    if (m->cip.mux) {
        at_log(m, "CIPCLOSE: multi mode needs AT+CIPCLOSE=<n>");
        return AT_ERROR;
    }
    return cipclose_do(m, 0);
}

static int cipclose_write(struct modem *m, const struct at_args *a)
{
    long n = 0, quick;
    if (m->cip.mux ? (a->n < 1 || a->n > 2 || at_arg_int(a, 0, 0, MODEM_CIP_CONNS - 1, &n) != 0 ||
                      (a->n == 2 && at_arg_int(a, 1, 0, 1, &quick) != 0))
                   : (a->n != 1 || at_arg_int(a, 0, 0, 1, &quick) != 0)) {
        at_log(m, "CIPCLOSE: %s", m->cip.mux ? "<n>[,<0|1>]" : "[<0|1>]");
        return AT_ERROR;
    }
    return cipclose_do(m, (int)n);
}

const struct at_command at_tcpip_commands[] = {
    /* name         exec            test           read           write */
    {"+CIPMUX",     NULL,           cipmux_test,   cipmux_read,   cipmux_write},
    {"+CSTT",       cstt_exec,      cstt_test,     cstt_read,     cstt_write},
    {"+CIICR",      ciicr,          ok,            NULL,          NULL},
    {"+CIFSR",      cifsr,          ok,            NULL,          NULL},
    {"+CIPSHUT",    cipshut,        ok,            NULL,          NULL},
    {"+CLPORT",     NULL,           clport_test,   clport_read,   clport_write},
    {"+CIPSTART",   NULL,           cipstart_test, NULL,          cipstart_write},
    {"+CIPSEND",    cipsend_exec,   cipsend_test,  cipsend_read,  cipsend_write},
    {"+CIPQSEND",   NULL,           qsend_test,    qsend_read,    qsend_write},
    {"+CIPHEAD",    NULL,           head_test,     head_read,     head_write},
    {"+CIPSRIP",    NULL,           srip_test,     srip_read,     srip_write},
    {"+CIPHEXS",    NULL,           hexs_test,     hexs_read,     hexs_write},
    {"+CIPRXGET",   NULL,           ciprxget_test, ciprxget_read, ciprxget_write},
    {"+CIPCLOSE",   cipclose_exec,  ok,            NULL,          cipclose_write},
    {"+CIPSTATUS",  cipstatus_exec, ok,            NULL,          cipstatus_write},
    {NULL, NULL, NULL, NULL, NULL},
};
