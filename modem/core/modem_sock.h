/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/modem_sock.h: how the module core has TCP and UDP sockets
 * without doing I/O, the same way it has HTTP (modem_http.h).
 *
 * The core never opens a socket: it asks its host through struct
 * modem_sock_ops, and the host reports what happens with the
 * modem_sock_* event functions below (the entry point, entry.c), each
 * with the time. The host is modem/posix/sock_client.c (POSIX sockets
 * inside the runner's poll loop, next to the HTTP client), or a test
 * that plays the network itself.
 *
 * A socket lives in a slot. Slots 0-4 are the native sockets of AT+CSOC
 * (cmd_socket.c), slots 5-10 the connections 0-5 of the TCP/IP
 * application family, AT+CIPSTART (cmd_tcpip.c): two pools, as on the
 * module, so the host needs no idea of who asked.
 *
 * Events for a slot: for TCP exactly one modem_sock_connected() (0, or
 * the +CSOERR code of the failure), then any number of
 * modem_sock_received(), then at most one modem_sock_closed(). UDP
 * sockets are connected when open() returns 0 and get no connected event.
 * A slot the core closed gets no more events.
 */
#ifndef CFOTA_MODEM_SOCK_H
#define CFOTA_MODEM_SOCK_H


#include <stddef.h>
#include <stdint.h>

struct modem;

#define MODEM_CSO_SOCKETS 5    /* AT+CSOC ids 0-4 [M105 p.166] */
#define MODEM_CIP_CONNS 6      /* AT+CIPSTART ids 0-5 [M105 p.180] */
#define MODEM_SOCK_CIP_BASE MODEM_CSO_SOCKETS
#define MODEM_SOCK_SLOTS (MODEM_CSO_SOCKETS + MODEM_CIP_CONNS)
#define MODEM_SOCK_RX_MAX 4096u /* bytes a slot buffers unread (CSORXGET,
                                   CIPRXGET mode 1); more is dropped */

/* +CSOERR codes [M105 6.2.16], also the outcome of a connect. */
#define MODEM_SOCK_E_ROUTE 1     /* host unreachable (not loopback, no route) */
#define MODEM_SOCK_E_ABORT 2     /* connection aborted */
#define MODEM_SOCK_E_RESET 3     /* connection reset (refused) */
#define MODEM_SOCK_E_CLOSED 4    /* the remote side closed ("disconnected") */

struct modem_sock_ops {
    void *ctx;
    /* Open slot as a TCP (udp 0) or UDP (udp 1) socket to ip:port, ip a
     * dotted IPv4 address; bind local_port first when not 0. TCP: the
     * outcome comes as modem_sock_connected(). Returns 0, or -1 when it
     * cannot even start (the core reports a connect failure). */
    int (*open)(void *ctx, int slot, int udp, const char *ip, unsigned port, unsigned local_port);
    /* Send len bytes on a connected slot: 0 (taken), or -1. */
    int (*send)(void *ctx, int slot, const void *data, size_t len);
    /* Close the slot; no more events for it. */
    void (*close)(void *ctx, int slot);
};

/* ---- events, host to core (entry.c) ---- */

/* A TCP connect finished: 0, or a MODEM_SOCK_E_* code. */
void modem_sock_connected(struct modem *m, int slot, int err, uint64_t now);
/* Bytes arrived (one TCP read or one UDP datagram). */
void modem_sock_received(struct modem *m, int slot, const void *data, size_t len, uint64_t now);
/* The remote side closed (MODEM_SOCK_E_CLOSED) or reset the connection. */
void modem_sock_closed(struct modem *m, int slot, int err, uint64_t now);

/* ---- inside the core ---- */

enum modem_sock_state {
    SOCK_FREE,        /* not allocated */
    SOCK_CREATED,     /* AT+CSOC done, or closed by the peer: not connected */
    SOCK_CONNECTING,  /* TCP handshake running */
    SOCK_CONNECTED,
    SOCK_CLOSING      /* AT+CIPCLOSE asked, waiting for the answer */
};

struct modem_sock {
    enum modem_sock_state state;
    int udp;
    char ip[16];              /* the peer, dotted */
    unsigned port;
    unsigned local_port;      /* AT+CSOB / AT+CLPORT, 0: any */
    uint8_t rx[MODEM_SOCK_RX_MAX]; /* received, not yet read (mode 1) */
    size_t rx_len;
};

/* The TCP/IP application family's state (cmd_tcpip.c), NO_SAVE. */
enum modem_cip_state {
    CIP_INITIAL, CIP_START, CIP_CONFIG, CIP_GPRSACT, CIP_STATUS, CIP_PROCESSING,
    CIP_CONNECT_OK, CIP_CLOSING, CIP_CLOSED, CIP_PDP_DEACT
};

struct modem_cip {
    enum modem_cip_state state;
    int mux, qsend, head, srip, hexs, rxget;
    char apn[65], user[33], pwd[33]; /* the network APN may be 64 */
    unsigned lport[MODEM_CIP_CONNS][2]; /* AT+CLPORT: TCP, UDP */
};

/* NB-IoT pacing under --speed real [INF]: the time a transfer of len
 * bytes takes at 25 kbit/s plus 1 s of latency. */
#define MODEM_NB_RATE_BPS 25000u
#define MODEM_NB_LATENCY_MS 1000u
uint64_t modem_nb_time_ms(size_t len);

#endif
