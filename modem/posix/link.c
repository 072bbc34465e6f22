/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/link.c: the three wires of link.h.
 *
 * The pseudo-terminal is opened with posix_openpt; its slave is put in raw
 * mode (no CR/LF translation, no echo: the module does its own echo) and
 * kept open by us too, so that a serial program can come and go without
 * the master side seeing a hang-up. The TCP listener is bound to the
 * loopback address only.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PTY_DIR "/dev/pts/"

int link_path_is_ours(const char *path)
{
    struct stat st;
    char target[256];
    ssize_t n;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISLNK(st.st_mode))
        return 0;
    n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = 0;
    return strncmp(target, PTY_DIR, strlen(PTY_DIR)) == 0;
}

static void init(struct modem_link *l, enum modem_link_kind kind)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->in_fd = l->out_fd = l->listen_fd = l->slave_fd = -1;
}

int link_open_pty(struct modem_link *l, const char *symlink_path, FILE *info)
{
    struct termios t;
    const char *name;
    int fd;

    init(l, MODEM_LINK_PTY);
    fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || !(name = ptsname(fd))) {
        fprintf(stderr, "cfota: modem: cannot open a pseudo-terminal: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(l->path, sizeof l->path, "%s", name);
    l->slave_fd = open(l->path, O_RDWR | O_NOCTTY);
    if (l->slave_fd < 0 || tcgetattr(l->slave_fd, &t) != 0) {
        fprintf(stderr, "cfota: modem: %s: %s\n", l->path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&t);
    tcsetattr(l->slave_fd, TCSANOW, &t);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    l->in_fd = l->out_fd = fd;
    if (symlink_path) {
        if (!link_path_is_ours(symlink_path)) {
            fprintf(stderr, "cfota: modem: --link %s: exists and is not a pseudo-terminal link; not replaced\n",
                    symlink_path);
            link_close(l);
            return -1;
        }
        unlink(symlink_path);
        if (symlink(l->path, symlink_path) != 0) {
            fprintf(stderr, "cfota: modem: --link %s: %s\n", symlink_path, strerror(errno));
            link_close(l);
            return -1;
        }
        snprintf(l->symlink, sizeof l->symlink, "%s", symlink_path);
    }
    fprintf(info, "%s\n", l->path);
    fflush(info);
    return 0;
}

int link_open_stdio(struct modem_link *l)
{
    init(l, MODEM_LINK_STDIO);
    l->in_fd = 0;
    l->out_fd = 1;
    return 0;
}

int link_open_tcp(struct modem_link *l, int port, FILE *info)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1;

    init(l, MODEM_LINK_TCP);
    l->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (l->listen_fd < 0)
        goto fail;
    setsockopt(l->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(l->listen_fd, 1) != 0 ||
        getsockname(l->listen_fd, (struct sockaddr *)&a, &alen) != 0)
        goto fail;
    fprintf(info, "tcp: 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
    fflush(info);
    return 0;
fail:
    fprintf(stderr, "cfota: modem: --tcp %d: %s\n", port, strerror(errno));
    if (l->listen_fd >= 0)
        close(l->listen_fd);
    l->listen_fd = -1;
    return -1;
}

int link_poll_fds(const struct modem_link *l, struct pollfd *fds)
{
    int n = 0;
    if (l->in_fd >= 0) {
        fds[n].fd = l->in_fd;
        fds[n].events = POLLIN;
        fds[n++].revents = 0;
    }
    if (l->listen_fd >= 0) {
        fds[n].fd = l->listen_fd;
        fds[n].events = POLLIN;
        fds[n++].revents = 0;
    }
    return n;
}

static void drop_client(struct modem_link *l)
{
    if (l->in_fd >= 0)
        close(l->in_fd);
    l->in_fd = l->out_fd = -1;
}

long link_read(struct modem_link *l, const struct pollfd *fds, int nfds, void *buf, size_t cap)
{
    int i;
    long got = 0;

    for (i = 0; i < nfds; i++) {
        if (!fds[i].revents)
            continue;
        if (fds[i].fd == l->listen_fd) {
            int c = accept(l->listen_fd, NULL, NULL);
            if (c >= 0) {
                drop_client(l); /* the new client takes the line */
                l->in_fd = l->out_fd = c;
            }
        } else if (fds[i].fd == l->in_fd) {
            ssize_t n = read(l->in_fd, buf, cap);
            if (n > 0) {
                got = n;
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                if (l->kind == MODEM_LINK_STDIO)
                    return -1;
                if (l->kind == MODEM_LINK_TCP)
                    drop_client(l);
            }
        }
    }
    return got;
}

void link_write(struct modem_link *l, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0 && l->out_fd >= 0) {
        ssize_t n = write(l->out_fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd w = {l->out_fd, POLLOUT, 0};
            if (poll(&w, 1, 1000) <= 0)
                return; /* nobody reads: the bytes are lost */
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (l->kind == MODEM_LINK_TCP)
                drop_client(l);
            return;
        }
    }
}

void link_close(struct modem_link *l)
{
    if (l->symlink[0]) {
        /* Only our own link: if someone put something else there since,
         * it is theirs. */
        char target[sizeof l->path];
        ssize_t n = readlink(l->symlink, target, sizeof target - 1);
        if (n > 0 && (size_t)n < sizeof target - 1) {
            target[n] = 0;
            if (!strcmp(target, l->path))
                unlink(l->symlink);
        }
    }
    if (l->kind != MODEM_LINK_STDIO && l->in_fd >= 0)
        close(l->in_fd);
    if (l->slave_fd >= 0)
        close(l->slave_fd);
    if (l->listen_fd >= 0)
        close(l->listen_fd);
    init(l, l->kind);
}
