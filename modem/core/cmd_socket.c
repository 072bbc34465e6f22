/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_socket.c: the module's native sockets, AT+CSO... [M105 ch.6;
 * TCPAN ch.3; spec sim7020-clients.md section 5]:
 *
 *   AT+CSOC=1,1,1           -> +CSOC: <id>, OK       (1 IPv4, 1 TCP / 2 UDP)
 *   AT+CSOB=<id>,<port>     -> OK                    (local port)
 *   AT+CSOCON=<id>,<port>,"<ip>" -> OK once connected, or ERROR, +CSOERR
 *   AT+CSOSEND=<id>,<hexlen>,<hex> | <id>,0,"text"  -> OK [, SEND: <id>,<n>]
 *   AT+CSODSEND=<id>,<len>  -> "> ", <len> bytes, DATA ACCEPT: <len>
 *   AT+CSORXGET, AT+CSOSTATUS, AT+CSOCL, AT+CSOSENDFLAG, AT+CSORCVFLAG
 *   +CSONMI: <id>,<len>,<data>   received data (hex: len in digits)
 *   +CSOERR: <id>,<code>         a failure or the peer's close (4)
 *
 * Slots 0-4 of sock.h. The PDN is up from the attach, so no bearer
 * command comes first; a socket needs the network registered. Limits:
 * 5 sockets, 512 bytes per AT+CSOSEND, 768 per AT+CSODSEND, 512 bytes per
 * +CSONMI (a larger read is split).
 */
#include "at_command.h"
#include "parts.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"

#define CSOSEND_MAX 512u
#define CSODSEND_MAX 768u
#define CSONMI_MAX 512u
#define CSORXGET_RAW_MAX 1460u
#define CSORXGET_HEX_MAX 730u
#define DSEND_IDLE_MS 60000u /* [INF] no timeout is documented */

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

/* Argument i as a socket id that is allocated; NULL otherwise. */
static struct modem_sock *sock_arg(struct modem *m, const struct at_args *a, int i, int *id)
{
    long v;
    if (at_arg_int(a, i, 0, MODEM_CSO_SOCKETS - 1, &v) != 0 || m->sock[v].state == SOCK_FREE) {
        at_log(m, "no socket %.*s (AT+CSOC first)", i < a->n ? (int)a->v[i].len : 0, i < a->n ? a->v[i].p : "");
        return NULL;
    }
    *id = (int)v;
    return &m->sock[v];
}

void cso_reset(struct modem *m)
{
    m->csorxget = 0;
}

/* ---- AT+CSOC ---- */

static int csoc_write(struct modem *m, const struct at_args *a)
{
    long domain, type, proto, cid;
    int id;

    if (a->n < 3 || a->n > 4 || at_arg_int(a, 0, 1, 2, &domain) != 0 || at_arg_int(a, 1, 1, 3, &type) != 0 ||
        at_arg_int(a, 2, 1, 2, &proto) != 0 || (a->n == 4 && at_arg_int(a, 3, 1, 10, &cid) != 0)) {
        at_log(m, "CSOC: <domain> 1-2, <type> 1-3, <protocol> 1-2");
        return AT_ERROR;
    }
    if (domain != 1 || type == 3 || proto != 1) {
        at_log(m, "CSOC: only IPv4 TCP or UDP over IP is emulated");
        return AT_ERROR;
    }
    if (!m->net.pdp_active) {
        at_log(m, "CSOC: not attached (no PDP context)");
        return AT_ERROR;
    }
    for (id = 0; id < MODEM_CSO_SOCKETS; id++)
        if (m->sock[id].state == SOCK_FREE)
            break;
    if (id == MODEM_CSO_SOCKETS) {
        at_log(m, "CSOC: all %d sockets in use", MODEM_CSO_SOCKETS);
        return AT_ERROR;
    }
    memset(&m->sock[id], 0, sizeof m->sock[id]);
    m->sock[id].state = SOCK_CREATED;
    m->sock[id].udp = type == 2;
    at_info(m, "+CSOC: %d", id);
    return AT_OK;
}

static int csoc_read(struct modem *m, const struct at_args *a)
{
    int id;
    for (id = 0; id < MODEM_CSO_SOCKETS; id++)
        if (m->sock[id].state != SOCK_FREE)
            at_info(m, "+CSOC: %d,1,%d,1", id, m->sock[id].udp ? 2 : 1);
    return AT_OK;
}

static int csoc_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSOC: (1-2),(1-3),(1-2)");
    return AT_OK;
}

/* ---- AT+CSOB, AT+CSOCON ---- */

static int csob_write(struct modem *m, const struct at_args *a)
{
    struct modem_sock *s;
    long port;
    int id;
    char ip[16];

    if (a->n < 2 || a->n > 3 || !(s = sock_arg(m, a, 0, &id)) || at_arg_int(a, 1, 1, 65535, &port) != 0 ||
        (a->n == 3 && (at_arg_str(a, 2, ip, sizeof ip) != 0 || !modem_ip_is_dotted(ip))))
        return AT_ERROR;
    if (s->state != SOCK_CREATED) {
        at_log(m, "CSOB: socket %d is already connected", id);
        return AT_ERROR;
    }
    s->local_port = (unsigned)port;
    return AT_OK;
}

static int csocon_write(struct modem *m, const struct at_args *a)
{
    struct modem_sock *s;
    long port;
    int id;
    char ip[64];

    if (a->n != 3 || !(s = sock_arg(m, a, 0, &id)) || at_arg_int(a, 1, 1, 65535, &port) != 0 ||
        at_arg_str(a, 2, ip, sizeof ip) != 0)
        return AT_ERROR;
    if (!modem_ip_is_dotted(ip)) {
        at_log(m, "CSOCON: \"%s\" is not an IPv4 address (resolve it with AT+CDNSGIP)", ip);
        return AT_ERROR;
    }
    if (s->state != SOCK_CREATED) {
        at_log(m, "CSOCON: socket %d is already connected", id);
        return AT_ERROR;
    }
    memcpy(s->ip, ip, strlen(ip) + 1); /* dotted: at most 15 bytes */
    s->port = (unsigned)port;
    at_defer(m, s->udp ? 0 : MODEM_NB_LATENCY_MS);
    if (modem_sock_open(m, id) != 0) {
        at_urc(m, "+CSOERR: %d,%d", id, MODEM_SOCK_E_ROUTE);
        return AT_ERROR;
    }
    if (s->udp) {
        s->state = SOCK_CONNECTED;
        return AT_OK;
    }
    s->state = SOCK_CONNECTING;
    return AT_PENDING; /* the result comes with the handshake (cso_on_connected) */
}

void cso_on_connected(struct modem *m, int id, int err)
{
    struct modem_sock *s = &m->sock[id];
    if (s->state != SOCK_CONNECTING)
        return;
    if (err) {
        modem_sock_close(m, id);
        s->state = SOCK_CREATED;
        at_urc(m, "+CSOERR: %d,%d", id, err);
        at_final(m, AT_ERROR);
        return;
    }
    s->state = SOCK_CONNECTED;
    at_final(m, AT_OK);
}

static int csocon_read(struct modem *m, const struct at_args *a)
{
    int id;
    for (id = 0; id < MODEM_CSO_SOCKETS; id++)
        if (m->sock[id].state == SOCK_CONNECTED)
            at_info(m, "+CSOCON: %d,%d", id, m->sock[id].udp ? 2 : 1);
    return AT_OK;
}

/* ---- sending ---- */

/* Send on a connected socket; SEND: follows for TCP with CSOSENDFLAG=1. */
static int send_bytes(struct modem *m, int id, const uint8_t *data, size_t len)
{
    struct modem_sock *s = &m->sock[id];
    if (s->state != SOCK_CONNECTED) {
        at_log(m, "socket %d is not connected", id);
        return AT_ERROR;
    }
    if (modem_sock_send(m, id, data, len) != 0)
        return AT_ERROR;
    at_defer(m, modem_nb_time_ms(len));
    if (m->settings.csosendflag && !s->udp)
        at_urc(m, "SEND: %d,%u", id, (unsigned)len);
    return AT_OK;
}

static int csosend_write(struct modem *m, const struct at_args *a)
{
    uint8_t data[CSOSEND_MAX];
    char hex[2 * CSOSEND_MAX + 1];
    struct modem_sock *s;
    long len;
    int id;

    if (a->n != 3 || at_arg_int(a, 1, 0, 2 * CSOSEND_MAX, &len) != 0) {
        at_log(m, "CSOSEND: <id>,<hex digits, at most %u>,<data>", 2 * CSOSEND_MAX);
        return AT_ERROR;
    }
    if (!(s = sock_arg(m, a, 0, &id)))
        return AT_ERROR;
    if (len == 0) {
        /* a text string sent as it is */
        if (a->v[2].len == 0 || a->v[2].len > CSOSEND_MAX) {
            at_log(m, "CSOSEND: text of 1-%u bytes", CSOSEND_MAX);
            return AT_ERROR;
        }
        return send_bytes(m, id, (const uint8_t *)a->v[2].p, a->v[2].len);
    }
    if ((size_t)len != a->v[2].len || len % 2 != 0 || at_arg_str(a, 2, hex, sizeof hex) != 0 ||
        host_unhex(hex, data, (size_t)len / 2) != 0) {
        at_log(m, "CSOSEND: <data_len> %ld must be the number of hex digits given (%u), even", len,
               (unsigned)a->v[2].len);
        return AT_ERROR;
    }
    return send_bytes(m, id, data, (size_t)len / 2);
}

static int dsend_done(struct modem *m)
{
    int id = m->data.slot, rc;
    if (m->data.cancelled)
        return AT_OK; /* ESC: nothing sent */
    if (m->data.got == 0) {
        at_log(m, "CSODSEND: no data before Ctrl-Z");
        return AT_ERROR;
    }
    rc = send_bytes(m, id, m->data.buf, m->data.got);
    return rc == AT_OK ? at_result(m, "DATA ACCEPT: %u", (unsigned)m->data.got) : rc;
}

static int csodsend_write(struct modem *m, const struct at_args *a)
{
    struct modem_sock *s;
    long len = 0;
    int id;

    if (a->n < 1 || a->n > 2 || !(s = sock_arg(m, a, 0, &id)) ||
        (a->n == 2 && at_arg_int(a, 1, 1, CSODSEND_MAX, &len) != 0)) {
        at_log(m, "CSODSEND: <id>[,<length 1-%u>]", CSODSEND_MAX);
        return AT_ERROR;
    }
    if (s->state != SOCK_CONNECTED) {
        at_log(m, "CSODSEND: socket %d is not connected", id);
        return AT_ERROR;
    }
    m->data.slot = id;
    if (a->n == 2)
        at_enter_data(m, (uint32_t)len, DSEND_IDLE_MS, dsend_done);
    else
        at_enter_data_until_ctrlz(m, CSODSEND_MAX, DSEND_IDLE_MS, dsend_done);
    return AT_PENDING;
}

/* ---- receiving ---- */

/* +CSONMI in the form AT+CSORCVFLAG chose, at most CSONMI_MAX bytes. */
static void nmi(struct modem *m, int id, const uint8_t *data, size_t len)
{
    char head[32];
    if (m->settings.csorcvflag) {
        snprintf(head, sizeof head, "+CSONMI: %d,%u,", id, (unsigned)len);
        at_urc_data(m, head, data, len, 1);
    } else {
        char hex[2 * CSONMI_MAX + 1];
        modem_hex_upper(data, len, hex);
        at_urc(m, "+CSONMI: %d,%u,%s", id, (unsigned)(2 * len), hex);
    }
}

void cso_on_received(struct modem *m, int id, const uint8_t *data, size_t len)
{
    struct modem_sock *s = &m->sock[id];
    if (s->state != SOCK_CONNECTED)
        return;
    if (m->csorxget == 1) {
        int was_empty = s->rx_len == 0;
        modem_sock_keep(m, id, data, len);
        if (was_empty)
            at_urc(m, "+CSORXGET: 1,%d", id);
        return;
    }
    while (len > 0) {
        size_t n = len < CSONMI_MAX ? len : CSONMI_MAX;
        nmi(m, id, data, n);
        data += n;
        len -= n;
    }
}

void cso_on_closed(struct modem *m, int id, int err)
{
    struct modem_sock *s = &m->sock[id];
    if (s->state == SOCK_CONNECTING) {
        cso_on_connected(m, id, err);
        return;
    }
    modem_sock_close(m, id);
    s->state = SOCK_CREATED; /* allocated until AT+CSOCL */
    at_urc(m, "+CSOERR: %d,%d", id, err);
}

static int csorxget_write(struct modem *m, const struct at_args *a)
{
    uint8_t buf[CSORXGET_RAW_MAX];
    char hex[2 * CSORXGET_HEX_MAX + 1];
    long mode, req = 0;
    int id;
    size_t n;

    if (a->n < 1 || at_arg_int(a, 0, 0, 4, &mode) != 0)
        return CME_BAD_PARAM;
    if (mode <= 1) {
        m->csorxget = (int)mode; /* one setting for all sockets [INF] */
        return AT_OK;
    }
    if (!sock_arg(m, a, 1, &id))
        return CME_BAD_PARAM;
    if (mode == 4) {
        at_info(m, "+CSORXGET: 4,%d,%u", id, (unsigned)m->sock[id].rx_len);
        return AT_OK;
    }
    if (a->n != 3 || at_arg_int(a, 2, 1, mode == 2 ? CSORXGET_RAW_MAX : CSORXGET_HEX_MAX, &req) != 0) {
        at_log(m, "CSORXGET: <reqlength> 1-%u", mode == 2 ? CSORXGET_RAW_MAX : CSORXGET_HEX_MAX);
        return CME_BAD_PARAM;
    }
    n = modem_sock_take(m, id, buf, (size_t)req);
    at_info(m, "+CSORXGET: %ld,%d,%ld,%u", mode, id, req, (unsigned)n);
    if (mode == 2) {
        at_info_bytes(m, buf, n);
    } else {
        modem_hex_upper(buf, n, hex);
        at_info_bytes(m, hex, 2 * n);
    }
    at_info_bytes(m, "\r\n", 2);
    return AT_OK;
}

static int csorxget_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSORXGET: %d", m->csorxget);
    return AT_OK;
}

static int csorxget_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSORXGET: (0-4),(0-4),(1-1460)");
    return AT_OK;
}

/* ---- AT+CSOSTATUS, AT+CSOCL ---- */

static int csostatus_write(struct modem *m, const struct at_args *a)
{
    long id;
    int status;
    if (a->n != 1 || at_arg_int(a, 0, 0, MODEM_CSO_SOCKETS - 1, &id) != 0)
        return AT_ERROR;
    status = m->sock[id].state == SOCK_FREE ? 0 : m->sock[id].state == SOCK_CONNECTED ? 2 : 1;
    at_info(m, "+CSOSTATUS: %ld,%d", id, status);
    return AT_OK;
}

static int csostatus_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSOSTATUS: (0-%d)", MODEM_CSO_SOCKETS - 1);
    return AT_OK;
}

static int csocl_write(struct modem *m, const struct at_args *a)
{
    struct modem_sock *s;
    int id;
    if (a->n != 1 || !(s = sock_arg(m, a, 0, &id)))
        return AT_ERROR;
    modem_sock_close(m, id);
    s->state = SOCK_FREE;
    s->rx_len = 0;
    return AT_OK;
}

/* ---- AT+CSOSENDFLAG, AT+CSORCVFLAG: AUTO_SAVE switches ---- */

static int sendflag_write(struct modem *m, const struct at_args *a)
{
    return modem_settings_set_flag(m, a, &m->settings.csosendflag);
}

static int sendflag_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSOSENDFLAG: %d", m->settings.csosendflag);
    return AT_OK;
}

static int sendflag_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSOSENDFLAG: (0,1)");
    return AT_OK;
}

static int rcvflag_write(struct modem *m, const struct at_args *a)
{
    return modem_settings_set_flag(m, a, &m->settings.csorcvflag);
}

static int rcvflag_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSORCVFLAG: %d", m->settings.csorcvflag);
    return AT_OK;
}

static int rcvflag_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CSORCVFLAG: (0,1)");
    return AT_OK;
}

const struct at_command at_socket_commands[] = {
    /* name            exec  test            read           write */
    {"+CSOC",          NULL, csoc_test,      csoc_read,     csoc_write},
    {"+CSOB",          NULL, ok,             ok,            csob_write},
    {"+CSOCON",        NULL, ok,             csocon_read,   csocon_write},
    {"+CSOSEND",       NULL, ok,             NULL,          csosend_write},
    {"+CSODSEND",      NULL, ok,             NULL,          csodsend_write},
    {"+CSORXGET",      NULL, csorxget_test,  csorxget_read, csorxget_write},
    {"+CSOSTATUS",     NULL, csostatus_test, NULL,          csostatus_write},
    {"+CSOCL",         NULL, ok,             NULL,          csocl_write},
    {"+CSOSENDFLAG",   NULL, sendflag_test,  sendflag_read, sendflag_write},
    {"+CSORCVFLAG",    NULL, rcvflag_test,   rcvflag_read,  rcvflag_write},
    {NULL, NULL, NULL, NULL, NULL},
};
