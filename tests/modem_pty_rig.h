/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/modem_pty_rig.h: the emulator as a process on a real
 * pseudo-terminal, talked to byte for byte, for test_modem_pty.c,
 * test_modem_clients.c and test_mcu_self.c.
 *
 * pty_start() forks a child that runs modem_run() (the whole `cfota
 * modem` minus option parsing) on a new pty, reads the slave's path from
 * it and opens it like a serial program would. pty_spawn() does the same
 * with the program itself (`cfota modem ARGS`, executed), for a test
 * whose process has threads: after fork() in a threaded process the
 * child may only make async-signal-safe calls until it executes a
 * program (POSIX), since a lock another thread held at the fork stays
 * held in the child forever. glibc's malloc happens to survive that;
 * AddressSanitizer's allocator does not: a module forked beside the
 * threads of an in-process server hung at its next malloc (the
 * test_mcu_self time-outs under ./run sanitize). So pty_start() refuses
 * to fork a threaded process, and such tests use pty_spawn().
 * Killing the child with SIGKILL (pty_kill) and starting another on the
 * same state directory is a power cycle. The children come from
 * test_fork() (support.h), so a teardown's test_kill_children() kills
 * and reaps whatever a failed test left running. Static inline, not a
 * test program (no test_ prefix).
 */
#ifndef CFOTA_TEST_MODEM_PTY_RIG_H
#define CFOTA_TEST_MODEM_PTY_RIG_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runner.h"
#include "support.h"

#define PTY_WAIT_MS 20000 /* only to end a hung test; never a pass condition */

struct emu {
    pid_t pid;
    int fd; /* our end: the pty slave */
};

/* The parent's half of a start: the slave's path from the child's info
 * pipe (read end p), opened raw. */
static inline void pty_open_slave(struct emu *e, int p)
{
    char path[256];
    FILE *f;
    struct termios t;
    f = fdopen(p, "r");
    assert_non_null(f);
    if (!fgets(path, sizeof path, f))
        fail_msg("the module (pid %d) printed no pseudo-terminal", (int)e->pid);
    fclose(f);
    path[strcspn(path, "\n")] = 0;
    e->fd = open(path, O_RDWR | O_NOCTTY);
    assert_true(e->fd >= 0);
    assert_int_equal(tcgetattr(e->fd, &t), 0);
    cfmakeraw(&t);
    assert_int_equal(tcsetattr(e->fd, TCSANOW, &t), 0);
}

/* Start a module with the options set up by the caller (cfg, state_dir,
 * power cut, firmware); the link and info pipe are filled in here. Only
 * in a process of one thread (see the top). */
static inline void pty_start(struct emu *e, const struct modem_run_options *base)
{
    int p[2];
    test_fork_single_threaded("pty_start (use pty_spawn)");
    assert_int_equal(pipe(p), 0);
    e->pid = test_fork(); /* killed with this program, however it ends */
    if (e->pid == 0) {
        struct modem_run_options o = *base;
        close(p[0]);
        o.link = MODEM_LINK_PTY;
        o.info = fdopen(p[1], "w");
        _exit(modem_run(&o));
    }
    close(p[1]);
    pty_open_slave(e, p[0]);
}

#define PTY_ARGS_MAX 16

/* Start `bin modem args...` (args NULL-terminated, at most PTY_ARGS_MAX;
 * bin is the cfota program) on a new pty. Between the fork and the exec
 * the child makes only async-signal-safe calls, so any process may call
 * this. */
static inline void pty_spawn(struct emu *e, const char *bin, const char *const *args)
{
    const char *argv[PTY_ARGS_MAX + 3];
    size_t n = 0;
    int p[2];
    assert_non_null(bin);
    argv[n++] = bin;
    argv[n++] = "modem";
    while (*args) {
        assert_true(n < PTY_ARGS_MAX + 2);
        argv[n++] = *args++;
    }
    argv[n] = NULL;
    assert_int_equal(pipe(p), 0);
    e->pid = test_fork();
    if (e->pid == 0) {
        /* the path goes to stdout, which is the pipe now */
        if (dup2(p[1], STDOUT_FILENO) < 0)
            _exit(126);
        close(p[0]);
        close(p[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    pty_open_slave(e, p[0]);
}

/* Power cut: SIGKILL, as pulling the plug. */
static inline void pty_kill(struct emu *e)
{
    int st;
    kill(e->pid, SIGKILL);
    waitpid(e->pid, &st, 0);
    test_reaped(e->pid);
    close(e->fd);
}

/* Wait for the child to end by itself; its exit status. */
static inline int pty_wait(struct emu *e)
{
    int st;
    assert_int_equal(waitpid(e->pid, &st, 0), e->pid);
    test_reaped(e->pid);
    close(e->fd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void pty_put(struct emu *e, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(e->fd, p, len);
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

/* Read exactly n bytes (binary safe) and compare them with want. */
static inline void pty_expect_bytes(struct emu *e, const void *want, size_t n)
{
    size_t got = 0;
    char buf[16384];
    assert_true(n < sizeof buf);
    while (got < n) {
        struct pollfd pfd = {e->fd, POLLIN, 0};
        ssize_t k;
        if (poll(&pfd, 1, PTY_WAIT_MS) <= 0) {
            buf[got] = 0;
            fail_msg("waited for \"%.*s\", got only \"%s\"", (int)n, (const char *)want, buf);
        }
        k = read(e->fd, buf + got, n - got);
        if (k <= 0 && errno != EAGAIN && errno != EINTR) {
            buf[got] = 0;
            fail_msg("link closed; waited for \"%.*s\", got \"%s\"", (int)n, (const char *)want, buf);
        }
        if (k > 0)
            got += (size_t)k;
    }
    buf[got] = 0;
    if (memcmp(buf, want, n) != 0)
        fail_msg("got \"%s\", wanted \"%.*s\"", buf, (int)n, (const char *)want);
}

static inline void pty_expect(struct emu *e, const char *want)
{
    pty_expect_bytes(e, want, strlen(want));
}

static inline void pty_chat(struct emu *e, const char *cmd, const char *want)
{
    pty_put(e, cmd, strlen(cmd));
    pty_expect(e, want);
}

/* Read until text appears (or the child ends); what was read, in buf. */
static inline size_t pty_read_until(struct emu *e, const char *text, char *buf, size_t cap)
{
    size_t got = 0;
    buf[0] = 0;
    while (!strstr(buf, text)) {
        struct pollfd pfd = {e->fd, POLLIN, 0};
        ssize_t k;
        if (got + 1 >= cap || poll(&pfd, 1, PTY_WAIT_MS) <= 0)
            fail_msg("waited for \"%s\", got \"%s\"", text, buf);
        k = read(e->fd, buf + got, cap - 1 - got);
        if (k <= 0)
            break; /* the child died: hang-up */
        got += (size_t)k;
        buf[got] = 0;
    }
    return got;
}

#endif
