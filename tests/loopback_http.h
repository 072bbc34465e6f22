/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/loopback_http.h: two tiny HTTP peers on 127.0.0.1 for the
 * emulator's network tests (test_modem_http.c, test_modem_ota.c), each a
 * thread serving one connection at a time.
 *
 * canned: answers every request with the same status, header lines and
 * body, byte for byte as the test wrote them (so the header text the
 * module reports can be compared exactly), optionally closing the
 * connection after some body bytes.
 *
 * relay: passes connections through to another port (the cfota server)
 * and writes down what crossed it: each request's first line, Range and
 * If-Range headers, the answer's status and body bytes. It can cut the
 * link once after N body bytes, which is how a test loses the radio in
 * the middle of a download, or flip one body byte of the answers to
 * chosen requests (a package that arrives corrupt). What it records is "the server side" of a
 * test: the requests as the server received them.
 *
 * Static inline, not a test program (no test_ prefix).
 */
#ifndef CFOTA_TEST_LOOPBACK_HTTP_H
#define CFOTA_TEST_LOOPBACK_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define LB_NO_CUT ((size_t)-1)
#define LB_MAX_REQUESTS 32

struct lb_request {
    char line[512];      /* "GET /path?query HTTP/1.1" */
    char range[64];      /* Range header value, "" if none */
    char if_range[128];  /* If-Range header value, "" if none */
    int status;          /* of the answer */
    size_t body;         /* body bytes that crossed */
};

struct lb_peer {
    int listen_fd;
    unsigned port;
    pthread_t thread;
    volatile int stop;
    pthread_mutex_t lock;
    /* canned */
    const char *status_line; /* "HTTP/1.1 200 OK" */
    const char *head;        /* header lines, each ending CRLF */
    const uint8_t *body;
    size_t body_len;
    /* relay */
    unsigned target_port;
    /* both */
    size_t cut_after;        /* body bytes before the link is cut, once */
    size_t corrupt_at;       /* relay: body offset whose byte is flipped */
    const char *corrupt_match; /* ... in answers to requests holding this */
    const char *cut_match;   /* relay: cut only answers to requests holding
                                this (NULL: any) */
    struct lb_request req[LB_MAX_REQUESTS];
    int nreq;
};

static inline int lb_listen(struct lb_peer *p)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    int one = 1;
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->listen_fd < 0)
        return -1;
    setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->listen_fd, 8) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &n) != 0)
        return -1;
    p->port = ntohs(a.sin_port);
    return 0;
}

/* Accept with a short timeout so that stop is noticed. */
static inline int lb_accept(struct lb_peer *p)
{
    struct pollfd pfd = {p->listen_fd, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0)
        return -1;
    return accept(p->listen_fd, NULL, NULL);
}

static inline void lb_write_all(int fd, const void *data, size_t len)
{
    const char *s = data;
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Read a request head (up to the empty line) into buf; its length, or 0
 * if the peer closed first (a connect-only client). */
static inline size_t lb_read_head(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd pfd = {fd, POLLIN, 0};
        ssize_t k;
        if (poll(&pfd, 1, 5000) <= 0)
            return 0;
        k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0)
            return 0;
        n += (size_t)k;
        buf[n] = 0;
        if (strstr(buf, "\r\n\r\n"))
            return n;
    }
    return 0;
}

static inline void lb_header_value(const char *head, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    const char *p = strstr(head, "\r\n");
    out[0] = 0;
    while (p && p[2]) {
        p += 2;
        if (!strncasecmp(p, name, k) && p[k] == ':') {
            const char *v = p + k + 1;
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)strcspn(v, "\r\n"), v);
            return;
        }
        p = strstr(p, "\r\n");
    }
}

/* Write down a request; its index, or -1 when the log is full. */
static inline int lb_record(struct lb_peer *p, const char *head)
{
    int i;
    pthread_mutex_lock(&p->lock);
    i = p->nreq < LB_MAX_REQUESTS ? p->nreq++ : -1;
    if (i >= 0) {
        struct lb_request *r = &p->req[i];
        memset(r, 0, sizeof *r);
        snprintf(r->line, sizeof r->line, "%.*s", (int)strcspn(head, "\r\n"), head);
        lb_header_value(head, "Range", r->range, sizeof r->range);
        lb_header_value(head, "If-Range", r->if_range, sizeof r->if_range);
    }
    pthread_mutex_unlock(&p->lock);
    return i;
}

/* Take the cut, if one is armed and n body bytes reach it: how many of
 * the n may still pass. */
static inline size_t lb_take_cut(struct lb_peer *p, size_t sent, size_t n, int *cut)
{
    size_t allow = n;
    pthread_mutex_lock(&p->lock);
    *cut = 0;
    if (p->cut_after != LB_NO_CUT && sent + n >= p->cut_after) {
        allow = p->cut_after > sent ? p->cut_after - sent : 0;
        p->cut_after = LB_NO_CUT; /* once */
        *cut = 1;
    }
    pthread_mutex_unlock(&p->lock);
    return allow;
}

/* ---- canned ---- */

static inline void *lb_canned_main(void *arg)
{
    struct lb_peer *p = arg;
    char head[8192];
    while (!p->stop) {
        int fd = lb_accept(p), i, cut;
        size_t allow;
        if (fd < 0)
            continue;
        if (lb_read_head(fd, head, sizeof head) == 0) {
            close(fd);
            continue;
        }
        i = lb_record(p, head);
        lb_write_all(fd, p->status_line, strlen(p->status_line));
        lb_write_all(fd, "\r\n", 2);
        lb_write_all(fd, p->head, strlen(p->head));
        lb_write_all(fd, "\r\n", 2);
        allow = lb_take_cut(p, 0, p->body_len, &cut);
        lb_write_all(fd, p->body, allow);
        if (i >= 0) {
            pthread_mutex_lock(&p->lock);
            p->req[i].status = atoi(p->status_line + 9);
            p->req[i].body = allow;
            pthread_mutex_unlock(&p->lock);
        }
        close(fd);
    }
    return NULL;
}

/* Start a canned server; 0 or -1. The strings and body must outlive it. */
static inline int lb_canned_start(struct lb_peer *p, const char *status_line, const char *head,
                                  const uint8_t *body, size_t body_len)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->status_line = status_line;
    p->head = head;
    p->body = body;
    p->body_len = body_len;
    p->cut_after = LB_NO_CUT;
    if (lb_listen(p) != 0)
        return -1;
    return pthread_create(&p->thread, NULL, lb_canned_main, p) == 0 ? 0 : -1;
}

/* ---- relay ---- */

static inline int lb_connect(unsigned port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One connection: the request through, the answer back, counted. */
static inline void lb_relay_one(struct lb_peer *p, int cfd)
{
    char head[16384], buf[8192];
    size_t hn = lb_read_head(cfd, head, sizeof head), got_head = 0, body = 0;
    char answer_head[4096];
    int sfd, i, corrupt, cuttable;

    if (hn == 0)
        return;
    corrupt = p->corrupt_at != LB_NO_CUT &&
              (!p->corrupt_match || strstr(head, p->corrupt_match) != NULL);
    cuttable = !p->cut_match || strstr(head, p->cut_match) != NULL;
    sfd = lb_connect(p->target_port);
    if (sfd < 0)
        return;
    i = lb_record(p, head);
    lb_write_all(sfd, head, hn);
    answer_head[0] = 0;
    for (;;) {
        struct pollfd pfd[2] = {{sfd, POLLIN, 0}, {cfd, POLLIN, 0}};
        ssize_t k;
        if (poll(pfd, 2, 5000) <= 0)
            break;
        if (pfd[1].revents) {
            k = recv(cfd, buf, sizeof buf, 0);
            if (k <= 0)
                break;
            lb_write_all(sfd, buf, (size_t)k);
        }
        if (pfd[0].revents) {
            size_t start = 0, allow;
            int cut = 0;
            k = recv(sfd, buf, sizeof buf, 0);
            if (k <= 0)
                break;
            if (!got_head) {
                /* the answer's head is short: it arrives whole in practice,
                 * and it is only used for the status */
                const char *end;
                size_t n = strlen(answer_head), take = (size_t)k < sizeof answer_head - 1 - n
                                                          ? (size_t)k : sizeof answer_head - 1 - n;
                memcpy(answer_head + n, buf, take);
                answer_head[n + take] = 0;
                end = strstr(answer_head, "\r\n\r\n");
                if (end) {
                    got_head = 1;
                    start = (size_t)(end + 4 - answer_head) - n;
                    if (i >= 0) {
                        pthread_mutex_lock(&p->lock);
                        p->req[i].status = atoi(answer_head + 9);
                        pthread_mutex_unlock(&p->lock);
                    }
                } else {
                    start = (size_t)k;
                }
            }
            allow = cuttable ? lb_take_cut(p, body, (size_t)k - start, &cut) : (size_t)k - start;
            if (corrupt && p->corrupt_at >= body && p->corrupt_at < body + allow)
                buf[start + (p->corrupt_at - body)] ^= 0x5a;
            /* Count before forwarding: once the client has the bytes, a
             * test may look at the count at any moment. */
            body += allow;
            if (i >= 0) {
                pthread_mutex_lock(&p->lock);
                p->req[i].body = body;
                pthread_mutex_unlock(&p->lock);
            }
            lb_write_all(cfd, buf, start + allow);
            if (cut)
                break;
        }
    }
    close(sfd);
}

static inline void *lb_relay_main(void *arg)
{
    struct lb_peer *p = arg;
    while (!p->stop) {
        int fd = lb_accept(p);
        if (fd < 0)
            continue;
        lb_relay_one(p, fd);
        close(fd);
    }
    return NULL;
}

static inline int lb_relay_start(struct lb_peer *p, unsigned target_port)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->target_port = target_port;
    p->cut_after = LB_NO_CUT;
    p->corrupt_at = LB_NO_CUT;
    if (lb_listen(p) != 0)
        return -1;
    return pthread_create(&p->thread, NULL, lb_relay_main, p) == 0 ? 0 : -1;
}

/* Arm a cut after n body bytes of the next answers (once). */
static inline void lb_cut_after(struct lb_peer *p, size_t n)
{
    pthread_mutex_lock(&p->lock);
    p->cut_after = n;
    pthread_mutex_unlock(&p->lock);
}

/* A copy of request i (under the lock). */
static inline struct lb_request lb_get(struct lb_peer *p, int i)
{
    struct lb_request r;
    pthread_mutex_lock(&p->lock);
    r = p->req[i];
    pthread_mutex_unlock(&p->lock);
    return r;
}

static inline int lb_count(struct lb_peer *p)
{
    int n;
    pthread_mutex_lock(&p->lock);
    n = p->nreq;
    pthread_mutex_unlock(&p->lock);
    return n;
}

static inline void lb_stop(struct lb_peer *p)
{
    p->stop = 1;
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    pthread_mutex_destroy(&p->lock);
}

#endif
