/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/link.h: the wire between the emulated module and its host: a
 * pseudo-terminal (what a serial program opens), stdin/stdout, or a TCP
 * port on 127.0.0.1. Each is a thin layer: it moves bytes and nothing
 * else; the module is in modem.h and the loop in runner.c.
 */
#ifndef CFOTA_MODEM_LINK_H
#define CFOTA_MODEM_LINK_H

#include <poll.h>
#include <stddef.h>
#include <stdio.h>

enum modem_link_kind { MODEM_LINK_PTY, MODEM_LINK_STDIO, MODEM_LINK_TCP };

struct modem_link {
    enum modem_link_kind kind;
    int in_fd, out_fd;   /* -1 while no TCP client is connected */
    int listen_fd;       /* TCP */
    int slave_fd;        /* pty: held open so the master never hangs up */
    char path[256];      /* pty: slave path */
    char symlink[1024];  /* pty: --link, removed at close */
};

/* Open a pseudo-terminal in raw mode; print its slave path as one line on
 * info; make symlink_path (if not NULL) point to it. A symlink_path that
 * exists is only replaced if link_path_is_ours() says so; otherwise it is
 * left as it is and the call fails. 0 or -1 (message on stderr). */
int link_open_pty(struct modem_link *l, const char *symlink_path, FILE *info);
/* May --link replace path? Yes if nothing is there, or a symlink into
 * /dev/pts/ (one an earlier emulator made and could not remove, killed or
 * cut); no for anything else, whose bytes would be lost. */
int link_path_is_ours(const char *path);
/* Use stdin and stdout. */
int link_open_stdio(struct modem_link *l);
/* Listen on 127.0.0.1:port (0: any free port) and print
 * "tcp: 127.0.0.1:<port>" on info. One client at a time; a new one
 * replaces the old. 0 or -1. */
int link_open_tcp(struct modem_link *l, int port, FILE *info);

/* Fill up to 2 pollfds; returns how many. */
int link_poll_fds(const struct modem_link *l, struct pollfd *fds);
/* After poll: accept a client, read what arrived into buf (cap bytes).
 * Returns bytes read (0: nothing), or -1 when the link is over (end of
 * stdin). */
long link_read(struct modem_link *l, const struct pollfd *fds, int nfds, void *buf, size_t cap);
/* Send bytes; waits up to a second for a slow reader, then drops them,
 * as a UART nobody listens to would. */
void link_write(struct modem_link *l, const void *data, size_t len);
void link_close(struct modem_link *l);

#endif
