/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/sock_request.c: the core asking its host for sockets
 * (modem_sock.h): open, send and close, the rule that the emulator
 * reaches 127.0.0.0/8 only, and the receive buffer both families read
 * from on request. The host's answers come back through the entry point
 * (entry.c), which routes them to the slot's owner (cmd_socket.c for
 * slots 0-4, cmd_tcpip.c for 5-10).
 *
 * Any address outside loopback is refused here, before the host is
 * asked; the command then gives the module's connect-failure answer and
 * --trace says why.
 */
#include "at_command.h"
#include "parts.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"

int modem_ip_is_dotted(const char *ip)
{
    unsigned a, b, c, d;
    char end;
    return sscanf(ip, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &end) == 4 && a < 256 && b < 256 && c < 256 &&
           d < 256 && ip[0] >= '0' && ip[0] <= '9';
}

int modem_ip_is_loopback(const char *ip)
{
    return modem_ip_is_dotted(ip) && strncmp(ip, "127.", 4) == 0;
}

uint64_t modem_nb_time_ms(size_t len)
{
    return MODEM_NB_LATENCY_MS + (uint64_t)len * 8u * 1000u / MODEM_NB_RATE_BPS;
}

int modem_sock_open(struct modem *m, int slot)
{
    struct modem_sock *s = &m->sock[slot];
    if (!m->cfg.sock.open) {
        at_log(m, "socket %d: no network in this host", slot);
        return -1;
    }
    if (!modem_ip_is_loopback(s->ip)) {
        at_log(m, "socket %d: refused %s:%u: the emulator connects to 127.0.0.1 only", slot, s->ip, s->port);
        return -1;
    }
    at_log(m, "socket %d: %s to %s:%u", slot, s->udp ? "UDP" : "TCP", s->ip, s->port);
    return m->cfg.sock.open(m->cfg.sock.ctx, slot, s->udp, s->ip, s->port, s->local_port);
}

int modem_sock_send(struct modem *m, int slot, const void *data, size_t len)
{
    if (!m->cfg.sock.send || m->cfg.sock.send(m->cfg.sock.ctx, slot, data, len) != 0) {
        at_log(m, "socket %d: send of %u bytes failed", slot, (unsigned)len);
        return -1;
    }
    return 0;
}

void modem_sock_close(struct modem *m, int slot)
{
    if (m->cfg.sock.close && m->sock[slot].state != SOCK_FREE)
        m->cfg.sock.close(m->cfg.sock.ctx, slot);
}

void modem_sock_clear(struct modem *m)
{
    int i;
    for (i = 0; i < MODEM_SOCK_SLOTS; i++) {
        modem_sock_close(m, i);
        m->sock[i].state = SOCK_FREE;
        m->sock[i].rx_len = 0;
    }
}

void modem_hex_upper(const uint8_t *data, size_t len, char *out)
{
    size_t i;
    host_hex(data, len, out);
    for (i = 0; i < 2 * len; i++)
        if (out[i] >= 'a' && out[i] <= 'f')
            out[i] = (char)(out[i] - 'a' + 'A');
}

void modem_sock_keep(struct modem *m, int slot, const uint8_t *data, size_t len)
{
    struct modem_sock *s = &m->sock[slot];
    size_t room = MODEM_SOCK_RX_MAX - s->rx_len;
    if (len > room) {
        at_log(m, "socket %d: receive buffer full, %u bytes dropped", slot, (unsigned)(len - room));
        len = room;
    }
    memcpy(s->rx + s->rx_len, data, len);
    s->rx_len += len;
}

size_t modem_sock_take(struct modem *m, int slot, uint8_t *out, size_t cap)
{
    struct modem_sock *s = &m->sock[slot];
    size_t n = s->rx_len < cap ? s->rx_len : cap;
    memcpy(out, s->rx, n);
    memmove(s->rx, s->rx + n, s->rx_len - n);
    s->rx_len -= n;
    return n;
}
