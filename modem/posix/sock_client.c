/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/sock_client.c: POSIX sockets behind modem/sock.h (sock_client.h).
 *
 * One non-blocking socket per slot. The core may open, send or close
 * from inside an event, so no op ever calls back into the core: a
 * connect that finished, bytes that arrived and a close by the peer are
 * noticed in sock_client_run() and put on the slot's queue with the time
 * they are due (now, or later under --speed real); the due ones are then
 * delivered, each taken off the queue before the core sees it, so a core
 * that closes the slot meanwhile only stops the rest.
 */
#define _POSIX_C_SOURCE 200809L

#include "sock_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_MAX 1460u

enum event_kind { EV_DATA, EV_CLOSED, EV_CONNECTED };

struct event {
    struct event *next;
    enum event_kind kind;
    uint64_t due;
    int err;
    size_t len;
    uint8_t data[];
};

struct slot {
    int fd;             /* -1: closed */
    int connecting;     /* TCP handshake not yet reported */
    int peer_gone;      /* EOF or error seen: read no more */
    struct event *head, *tail;
    uint64_t last_due;  /* deliveries keep their order when paced */
};

struct sock_client {
    struct modem *m;
    int pace;
    struct slot s[MODEM_SOCK_SLOTS];
};

static void drop_events(struct slot *s)
{
    while (s->head) {
        struct event *e = s->head;
        s->head = e->next;
        free(e);
    }
    s->tail = NULL;
}

static void close_slot(struct slot *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->connecting = 0;
    s->peer_gone = 0;
    s->last_due = 0;
    drop_events(s);
}

/* Queue an event due at now, or after the NB-IoT time of len bytes. */
static void queue(struct sock_client *c, struct slot *s, enum event_kind kind, int err, const void *data,
                  size_t len, uint64_t now)
{
    struct event *e = malloc(sizeof *e + len);
    uint64_t due = c->pace ? now + modem_nb_time_ms(len) : now;
    if (!e)
        return;
    if (due < s->last_due)
        due = s->last_due;
    s->last_due = due;
    e->next = NULL;
    e->kind = kind;
    e->due = due;
    e->err = err;
    e->len = len;
    if (len)
        memcpy(e->data, data, len);
    if (s->tail)
        s->tail->next = e;
    else
        s->head = e;
    s->tail = e;
}

/* ---- the ops ---- */

static int op_open(void *ctx, int slot, int udp, const char *ip, unsigned port, unsigned local_port)
{
    struct sock_client *c = ctx;
    struct slot *s = &c->s[slot];
    struct sockaddr_in a;
    int one = 1;

    close_slot(s);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1 || (ntohl(a.sin_addr.s_addr) >> 24) != 127)
        return -1; /* loopback only, whatever the core decided */
    s->fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (s->fd < 0)
        return -1;
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
    if (local_port) {
        struct sockaddr_in l;
        memset(&l, 0, sizeof l);
        l.sin_family = AF_INET;
        l.sin_port = htons((uint16_t)local_port);
        l.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s->fd, (struct sockaddr *)&l, sizeof l) != 0) {
            close_slot(s);
            return -1;
        }
    }
    a.sin_port = htons((uint16_t)port);
    if (connect(s->fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        if (udp) {
            close_slot(s);
            return -1;
        }
        /* reported from the loop, like any other outcome */
    }
    s->connecting = !udp;
    return 0;
}

static int op_send(void *ctx, int slot, const void *data, size_t len)
{
    struct sock_client *c = ctx;
    struct slot *s = &c->s[slot];
    const uint8_t *p = data;

    while (len > 0 && s->fd >= 0) {
        ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd w = {s->fd, POLLOUT, 0};
            if (poll(&w, 1, 1000) <= 0)
                return -1; /* the peer reads nothing */
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return -1;
        }
    }
    return len == 0 ? 0 : -1;
}

static void op_close(void *ctx, int slot)
{
    struct sock_client *c = ctx;
    close_slot(&c->s[slot]);
}

struct modem_sock_ops sock_client_ops(struct sock_client *c)
{
    struct modem_sock_ops ops;
    ops.ctx = c;
    ops.open = op_open;
    ops.send = op_send;
    ops.close = op_close;
    return ops;
}

/* ---- the loop ---- */

struct sock_client *sock_client_new(struct modem *m)
{
    struct sock_client *c = calloc(1, sizeof *c);
    int i;
    if (!c)
        return NULL;
    c->m = m;
    for (i = 0; i < MODEM_SOCK_SLOTS; i++)
        c->s[i].fd = -1;
    return c;
}

void sock_client_free(struct sock_client *c)
{
    int i;
    if (!c)
        return;
    for (i = 0; i < MODEM_SOCK_SLOTS; i++)
        close_slot(&c->s[i]);
    free(c);
}

void sock_client_pace(struct sock_client *c, int on)
{
    c->pace = on;
}

int sock_client_fds(struct sock_client *c, struct pollfd *fds, int cap, int *timeout_ms, uint64_t now)
{
    int i, n = 0;
    for (i = 0; i < MODEM_SOCK_SLOTS; i++) {
        struct slot *s = &c->s[i];
        if (s->head) {
            int t = s->head->due <= now ? 0 : (int)(s->head->due - now);
            if (*timeout_ms < 0 || t < *timeout_ms)
                *timeout_ms = t;
        }
        if (s->fd < 0 || s->peer_gone || n == cap)
            continue;
        fds[n].fd = s->fd;
        fds[n].events = s->connecting ? POLLOUT : POLLIN;
        fds[n].revents = 0;
        n++;
    }
    return n;
}

/* The +CSOERR code of a socket error. */
static int error_code(int err)
{
    switch (err) {
    case ECONNREFUSED:
    case ECONNRESET: return MODEM_SOCK_E_RESET;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ETIMEDOUT: return MODEM_SOCK_E_ROUTE;
    default: return MODEM_SOCK_E_ABORT;
    }
}

/* Notice what happened on a slot's socket and queue it. */
static void poll_slot(struct sock_client *c, struct slot *s, uint64_t now)
{
    struct pollfd p = {s->fd, (short)(s->connecting ? POLLOUT : POLLIN), 0};
    uint8_t buf[READ_MAX];

    if (s->fd < 0 || s->peer_gone || poll(&p, 1, 0) <= 0)
        return;
    if (s->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        s->connecting = 0;
        queue(c, s, EV_CONNECTED, err ? error_code(err) : 0, NULL, 0, now);
        if (err)
            s->peer_gone = 1;
        return;
    }
    for (;;) {
        ssize_t n = recv(s->fd, buf, sizeof buf, 0);
        if (n > 0) {
            queue(c, s, EV_DATA, 0, buf, (size_t)n, now);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0 && errno == ECONNREFUSED) {
            int type = 0;
            socklen_t len = sizeof type;
            getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &type, &len);
            if (type == SOCK_DGRAM)
                continue; /* nobody at the UDP port yet: datagrams are lost */
        }
        s->peer_gone = 1;
        queue(c, s, EV_CLOSED, n == 0 ? MODEM_SOCK_E_CLOSED : error_code(errno), NULL, 0, now);
        return;
    }
}

static void deliver(struct sock_client *c, int slot, uint64_t now)
{
    struct slot *s = &c->s[slot];
    while (s->head && s->head->due <= now) {
        struct event *e = s->head;
        s->head = e->next;
        if (!s->head)
            s->tail = NULL;
        if (e->kind == EV_CONNECTED)
            modem_sock_connected(c->m, slot, e->err, now);
        else if (e->kind == EV_DATA)
            modem_sock_received(c->m, slot, e->data, e->len, now);
        else
            modem_sock_closed(c->m, slot, e->err, now);
        free(e);
    }
}

void sock_client_run(struct sock_client *c, uint64_t now)
{
    int i;
    for (i = 0; i < MODEM_SOCK_SLOTS; i++) {
        poll_slot(c, &c->s[i], now);
        deliver(c, i, now);
    }
}
