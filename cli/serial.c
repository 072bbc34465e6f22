/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/serial.c: a POSIX serial port for the AT channel (serial.h).
 *
 * Raw mode matters: the module's answers and the package bytes of AT+CFLW
 * are binary-clean only if the line discipline translates nothing (no
 * CR/LF mapping, no XON/XOFF, no echo). Reads wait with poll() so the AT
 * channel's timeouts hold on a silent line.
 */
#define _DEFAULT_SOURCE
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct {
    unsigned rate;
    speed_t code;
} rates[] = {
    {110, B110},       {300, B300},       {1200, B1200},     {2400, B2400},     {4800, B4800},
    {9600, B9600},     {19200, B19200},   {38400, B38400},   {57600, B57600},   {115200, B115200},
    {230400, B230400}, {460800, B460800}, {921600, B921600}, {3000000, B3000000},
};

static int speed_of(unsigned baud, speed_t *out)
{
    size_t i;
    for (i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (rates[i].rate == baud) {
            *out = rates[i].code;
            return 0;
        }
    errno = EINVAL;
    return -1;
}

int serial_set_baud(struct serial *s, unsigned baud)
{
    struct termios t;
    speed_t sp;
    if (speed_of(baud, &sp) != 0 || tcgetattr(s->fd, &t) != 0)
        return -1;
    cfsetispeed(&t, sp);
    cfsetospeed(&t, sp);
    if (tcsetattr(s->fd, TCSANOW, &t) != 0)
        return -1;
    s->baud = baud;
    return 0;
}

int serial_open(struct serial *s, const char *path, unsigned baud)
{
    struct termios t;
    s->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->fd < 0)
        return -1;
    if (tcgetattr(s->fd, &t) != 0)
        goto fail;
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(unsigned)(CRTSCTS | CSTOPB | PARENB);
    t.c_iflag &= ~(unsigned)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(s->fd, TCSANOW, &t) != 0 || serial_set_baud(s, baud) != 0)
        goto fail;
    tcflush(s->fd, TCIOFLUSH);
    return 0;
fail:
    {
        int e = errno;
        close(s->fd);
        s->fd = -1;
        errno = e;
    }
    return -1;
}

void serial_close(struct serial *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

int serial_write(void *ctx, const void *buf, size_t len)
{
    struct serial *s = ctx;
    const unsigned char *p = buf;
    while (len) {
        ssize_t n = write(s->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pf = {s->fd, POLLOUT, 0};
                poll(&pf, 1, 1000);
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int serial_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct serial *s = ctx;
    struct pollfd pf = {s->fd, POLLIN, 0};
    int r;
    ssize_t n;
    do
        r = poll(&pf, 1, timeout_ms > 0x7FFFFFFFu ? -1 : (int)timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r == 0)
        return 0;
    if (pf.revents & (POLLERR | POLLNVAL))
        return -1;
    if (!(pf.revents & POLLIN)) {
        /* POLLHUP alone: the other end is gone for now (a pseudo-terminal
         * whose emulator restarts). poll() would return at once again;
         * wait a little so the caller's timeout loop does not spin. */
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
        return 0;
    }
    n = read(s->fd, buf, cap);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    return (int)n;
}

uint32_t serial_now_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}
