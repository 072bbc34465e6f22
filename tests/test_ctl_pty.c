/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_ctl_pty.c: the module commands of the cfota tool (push,
 * update, bearer, at) against real emulated modules on pseudo-terminals.
 *
 * Each test runs the built programs as a user would: a `cfota-modem`
 * process on a fresh state directory with --link <dir>/tty, sometimes a
 * `cfota server` with its store, and the `cfota` tool (path in CFOTA_BIN;
 * cfota-modem sits next to it). Every outcome is checked three ways: the
 * tool's exit status (0 ok, 1 failed, 3 no module, 4 refused), what it
 * printed, and what the module runs afterwards (`cfota at AT+CGMR`).
 *
 * Covered: the hardware-interface path (a good package, one for another
 * base, bytes that are no package, the module killed in the middle of the
 * upload and then power-cycled), no module behind the port, the bearer
 * check with and without an APN change, the over-the-air path with and
 * without a release on the server, and the HTTP path.
 *
 * Child processes are killed (SIGKILL) and reaped in the teardown, which
 * cmocka runs after a failed assertion too, so no test leaves a process
 * that would keep ctest waiting. Waits are bounded only to end a hung
 * test; no time is ever a pass condition.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "bytes.h"
#include "hash.h"
#include "support.h"

extern char **environ;

/* The example firmware: release 1 as V1, release 2 as V2. */
#define IMAGE_V1 M4APP_V1
#define IMAGE_V2 M4APP_V2
#define IMEI "867723030000001"
#define MAX_ARGS 32
#define TOOL_LIMIT_MS 60000 /* only to end a hung tool; never a pass condition */
#define START_LIMIT_MS 10000

/* The scratch directory and the processes of one test. */
struct fixture {
    char dir[256];
    pid_t modem, server, tool; /* 0: not running */
    int pty_master;            /* -1: none */
    char url[128];             /* the server's, "http://127.0.0.1:PORT" */
    unsigned port;
};

/* What one run of the tool did. */
struct run {
    int status; /* exit status; -1 if killed by a signal */
    struct bytes out, err;
};

/* ---- small helpers ---- */

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const char *bin(void)
{
    const char *b = getenv("CFOTA_BIN");
    if (!b || !*b)
        fail_msg("CFOTA_BIN is not set: run this test through ctest");
    return b;
}

/* A program next to the cfota binary, e.g. "cfota-modem". */
static const char *sibling(const char *name)
{
    static char path[512];
    const char *b = bin(), *slash = strrchr(b, '/');
    snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - b + 1) : 0, b, name);
    return path;
}

/* A path inside the fixture's directory; up to eight live at once. */
static const char *at(const struct fixture *fx, const char *name)
{
    static char paths[8][512];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", fx->dir, name);
    return p;
}

static void terminate(struct bytes *b)
{
    bytes_byte(b, 0);
    b->n--;
}

/* The file's text, NUL-terminated ("" if it cannot be read). */
static void slurp(const char *path, struct bytes *b)
{
    memset(b, 0, sizeof *b);
    if (bytes_read_file(b, path) != 0)
        memset(b, 0, sizeof *b);
    terminate(b);
}

static int file_contains(const char *path, const char *needle)
{
    struct bytes b;
    int found;
    slurp(path, &b);
    found = strstr((const char *)b.p, needle) != NULL;
    bytes_free(&b);
    return found;
}

static void assert_contains(const struct bytes *b, const char *needle)
{
    if (!strstr((const char *)b->p, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, (const char *)b->p);
}

/* Start path with args (argv[0] included, NULL-terminated); stdin is
 * /dev/null, stdout and stderr go to the files given. */
static pid_t spawn_to(const char *const *argv, const char *out_path, const char *err_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    test_track_child(pid); /* killed at exit if a failure skips the teardown */
    return pid;
}

static int exit_status(int ws)
{
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Kill and reap *pid if it runs. */
static void stop(pid_t *pid)
{
    int ws;
    if (*pid <= 0)
        return;
    kill(*pid, SIGKILL);
    while (waitpid(*pid, &ws, 0) < 0 && errno == EINTR)
        ;
    test_reaped(*pid);
    *pid = 0;
}

/* Wait for *pid to end by itself within limit_ms; its exit status. A
 * process still running then is killed and the test fails. */
static int wait_bounded(pid_t *pid, unsigned limit_ms, const char *what)
{
    unsigned waited;
    int ws;
    for (waited = 0; waited < limit_ms; waited += 10) {
        pid_t r = waitpid(*pid, &ws, WNOHANG);
        if (r == *pid) {
            test_reaped(*pid);
            *pid = 0;
            return exit_status(ws);
        }
        assert_true(r == 0 || errno == EINTR);
        sleep_ms(10);
    }
    stop(pid);
    fail_msg("%s did not end within %u ms", what, limit_ms);
    return -1;
}

/* ---- the cfota tool ---- */

static pid_t tool_start(struct fixture *fx, const char *const *args)
{
    const char *argv[MAX_ARGS + 2];
    int i;
    argv[0] = bin();
    for (i = 0; args[i]; i++) {
        assert_true(i < MAX_ARGS);
        argv[i + 1] = args[i];
    }
    argv[i + 1] = NULL;
    fx->tool = spawn_to(argv, at(fx, ".stdout"), at(fx, ".stderr"));
    return fx->tool;
}

static void tool_finish(struct fixture *fx, struct run *r, const char *what)
{
    r->status = wait_bounded(&fx->tool, TOOL_LIMIT_MS, what);
    slurp(at(fx, ".stdout"), &r->out);
    slurp(at(fx, ".stderr"), &r->err);
}

static void run(struct fixture *fx, struct run *r, const char *const *args)
{
    tool_start(fx, args);
    tool_finish(fx, r, args[0]);
}

static void run_free(struct run *r)
{
    bytes_free(&r->out);
    bytes_free(&r->err);
}

/* Run and expect an exit status; the result is freed. */
static void expect_status(struct fixture *fx, int status, const char *const *args)
{
    struct run r;
    run(fx, &r, args);
    if (r.status != status)
        fail_msg("cfota %s ...: exit %d, expected %d; stdout: %s; stderr: %s", args[0], r.status, status,
                 (const char *)r.out.p, (const char *)r.err.p);
    run_free(&r);
}

/* The module on the link answers AT+CGMR with version. */
static void assert_version(struct fixture *fx, const char *version)
{
    struct run r;
    char want[64];
    run(fx, &r, (const char *[]){"at", "--port", at(fx, "tty"), "AT+CGMR", NULL});
    snprintf(want, sizeof want, "%s\nOK\n", version);
    if (r.status != 0 || strcmp((const char *)r.out.p, want) != 0)
        fail_msg("AT+CGMR: exit %d, \"%s\", expected \"%s\"", r.status, (const char *)r.out.p, want);
    run_free(&r);
}

/* A package V1 -> V2 of the example firmware, for in-place apply, at
 * name in the fixture; swapped: V2 -> V1 (another base). */
static void make_package(struct fixture *fx, const char *name, int swapped)
{
    const char *from = swapped ? IMAGE_V2 : IMAGE_V1, *to = swapped ? IMAGE_V1 : IMAGE_V2;
    char from_path[512];
    snprintf(from_path, sizeof from_path, "%s", image_path(from));
    expect_status(fx, 0,
                  (const char *[]){"diff", "--in-place", from_path, image_path(to), "-o", at(fx, name),
                                   "--from-version", swapped ? "V2" : "V1", "--to-version", swapped ? "V1" : "V2",
                                   "-q", NULL});
}

/* ---- the module ---- */

/* A module sends its boot URCs (RDY, +CFUN: 1, ...) as it powers on; a
 * command that meets them is told the module reset. Like a controller at
 * power-on, wait until a plain AT is answered before the test's commands. */
static void modem_wait_ready(struct fixture *fx)
{
    struct run r;
    unsigned tries;
    int status = -1;
    for (tries = 0; tries < 15 && status != 0; tries++) {
        run(fx, &r, (const char *[]){"at", "--port", at(fx, "tty"), "--timeout", "1000", "AT", NULL});
        status = r.status;
        run_free(&r);
    }
    if (status != 0)
        fail_msg("the module did not answer AT after its start");
}

/* Start cfota-modem on state directory <dir>/state, on the example
 * firmware's release 1 as V1, linked at <dir>/tty, with extra options (NULL-ended),
 * and wait until its pty is there. */
static void modem_start(struct fixture *fx, const char *const *extra)
{
    const char *argv[MAX_ARGS + 2] = {sibling("cfota-modem"), "--state",   at(fx, "state"), "--firmware",
                                      image_path(IMAGE_V1), "--version", "V1",           "--link",
                                      at(fx, "tty")};
    int n = 9, i, ws;
    unsigned waited;
    char link[512];
    struct stat st;
    for (i = 0; extra && extra[i]; i++) {
        assert_true(n < MAX_ARGS);
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    snprintf(link, sizeof link, "%s", at(fx, "tty"));
    /* A killed module leaves its link behind; the next one replaces it. */
    fx->modem = spawn_to(argv, at(fx, "modem.out"), at(fx, "modem.err"));
    for (waited = 0; waited < START_LIMIT_MS; waited += 10) {
        if (file_contains(at(fx, "modem.out"), "/dev/") && stat(link, &st) == 0) {
            modem_wait_ready(fx);
            return;
        }
        if (waitpid(fx->modem, &ws, WNOHANG) == fx->modem) {
            test_reaped(fx->modem);
            fx->modem = 0;
            fail_msg("cfota-modem exited (%d) at start", exit_status(ws));
        }
        sleep_ms(10);
    }
    fail_msg("cfota-modem did not make its link");
}

/* ---- the FOTA server ---- */

static void server_start(struct fixture *fx)
{
    const char *argv[] = {bin(), "server", "--data", at(fx, "srv"), "--port", "0", "--threads", "2", NULL};
    unsigned waited;
    struct bytes log;
    const char *u;
    fx->server = spawn_to(argv, at(fx, "server.out"), at(fx, "server.err"));
    for (waited = 0; waited < START_LIMIT_MS; waited += 10) {
        slurp(at(fx, "server.out"), &log);
        u = strstr((const char *)log.p, "http://127.0.0.1:");
        if (u) {
            fx->port = (unsigned)strtoul(u + strlen("http://127.0.0.1:"), NULL, 10);
            snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%u", fx->port);
            bytes_free(&log);
            assert_true(fx->port > 0);
            return;
        }
        bytes_free(&log);
        sleep_ms(10);
    }
    fail_msg("cfota server did not say where it listens");
}

/* cfota admin CMD ... against the fixture's server; exit 0 expected; the
 * answer in r (caller frees). */
static void admin(struct fixture *fx, struct run *r, const char *const *args)
{
    const char *argv[MAX_ARGS];
    int i, n = 0;
    argv[n++] = "admin";
    argv[n++] = "--server";
    argv[n++] = fx->url;
    argv[n++] = "--token-file";
    argv[n++] = at(fx, "srv/admin-token");
    for (i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    run(fx, r, argv);
    if (r->status != 0)
        fail_msg("cfota admin %s: exit %d: %s", args[0], r->status, (const char *)r->err.p);
}

/* Enrol IMEI; its device token. */
static void enrol(struct fixture *fx, char token[64])
{
    struct run r;
    const char *t;
    admin(fx, &r, (const char *[]){"enrol", IMEI, NULL});
    t = strstr((const char *)r.out.p, "\"token\":\"");
    assert_non_null(t);
    t += strlen("\"token\":\"");
    snprintf(token, 64, "%.*s", (int)strcspn(t, "\""), t);
    assert_true(strlen(token) >= 16);
    run_free(&r);
}

/* Upload the pair as V1 and V2, release V2 and wait until the server has
 * built the V1 -> V2 package. */
static void release_v2(struct fixture *fx)
{
    struct run r;
    int tries;
    admin(fx, &r, (const char *[]){"upload", "V1", image_path(IMAGE_V1), "--product",
                                    "m4app", NULL});
    run_free(&r);
    admin(fx, &r, (const char *[]){"upload", "V2", image_path(IMAGE_V2), "--product",
                                    "m4app", NULL});
    run_free(&r);
    admin(fx, &r, (const char *[]){"release", "V2", "--product", "m4app", NULL});
    run_free(&r);
    /* The device was enrolled before its product existed. */
    admin(fx, &r, (const char *[]){"enrol", IMEI, "--product", "m4app", NULL});
    run_free(&r);
    for (tries = 0; tries < 500; tries++) {
        const char *line;
        int ready = 0;
        admin(fx, &r, (const char *[]){"packages", NULL});
        for (line = (const char *)r.out.p; line && !ready; line = strchr(line + 1, '\n')) {
            char one[512];
            snprintf(one, sizeof one, "%.*s", (int)strcspn(line + (*line == '\n'), "\n"), line + (*line == '\n'));
            ready = strstr(one, "\"from\":\"V1\"") && strstr(one, "\"state\":\"ready\"");
        }
        run_free(&r);
        if (ready)
            return;
        sleep_ms(20);
    }
    fail_msg("the server never built the V1 -> V2 package");
}

/* The module's start options for the fixture's server. */
static void modem_start_with_server(struct fixture *fx, const char *token)
{
    modem_start(fx, (const char *[]){"--imei", IMEI, "--fota-server", fx->url, "--device-token", token, NULL});
}

/* GET path from the fixture's server over one connection; the body. */
static void http_get(struct fixture *fx, const char *path, struct bytes *body)
{
    struct sockaddr_in a;
    struct bytes all = {0};
    char req[1024], buf[4096];
    const char *sep;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)fx->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    while ((n = read(fd, buf, sizeof buf)) > 0)
        bytes_put(&all, buf, (size_t)n);
    close(fd);
    terminate(&all);
    if (strncmp((const char *)all.p, "HTTP/1.1 200", 12) != 0)
        fail_msg("GET %s: %.80s", path, (const char *)all.p);
    sep = strstr((const char *)all.p, "\r\n\r\n");
    assert_non_null(sep);
    sep += 4;
    memset(body, 0, sizeof *body);
    bytes_put(body, sep, all.n - (size_t)(sep - (const char *)all.p));
    terminate(body);
    bytes_free(&all);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("TMPDIR");
    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "%s/cfota-ctl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    fx->pty_master = -1;
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    stop(&fx->tool);
    stop(&fx->modem);
    stop(&fx->server);
    if (fx->pty_master >= 0)
        close(fx->pty_master);
    nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

/* ---- the hardware interface path (the note's section 5) ---- */

static void test_push_updates(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    make_package(fx, "p.cfp", 0);
    modem_start(fx, NULL);
    assert_version(fx, "V1");
    run(fx, &r,
        (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "p.cfp"), "--expect-version", "V2", "--json", NULL});
    if (r.status != 0)
        fail_msg("push: exit %d: %s %s", r.status, (const char *)r.out.p, (const char *)r.err.p);
    assert_contains(&r.out, "{\"result\":0,");
    assert_contains(&r.out, "\"before\":\"V1\"");
    assert_contains(&r.out, "\"after\":\"V2\"");
    run_free(&r);
    assert_version(fx, "V2");
}

static void test_push_other_base_refused(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    make_package(fx, "other.cfp", 1);
    modem_start(fx, NULL);
    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "other.cfp"), NULL});
    assert_int_equal(r.status, 4);
    assert_contains(&r.err, "+CME ERROR: 767");
    run_free(&r);
    assert_version(fx, "V1");
}

/* Bytes that are no package: refused before a byte is sent (push checks
 * locally what the module would refuse after the whole upload); with
 * --raw they are sent as they are, and then the module refuses them. */
static void test_push_garbage_refused(void **state)
{
    struct fixture *fx = *state;
    struct bytes junk = {0};
    struct run r;
    uint64_t seed = 99;
    size_t i;
    for (i = 0; i < 5000; i++)
        bytes_byte(&junk, (uint8_t)test_rand(&seed));
    assert_int_equal(bytes_write_file(at(fx, "junk.bin"), junk.p, junk.n), 0);
    bytes_free(&junk);
    modem_start(fx, NULL);
    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "junk.bin"), "--json", "--trace", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "not a cfota package");
    assert_null(strstr((const char *)r.err.p, "-> ")); /* nothing sent, not even AT */
    assert_contains(&r.out, "\"exit\":1");
    assert_contains(&r.out, "not a cfota package");
    run_free(&r);
    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "junk.bin"), "--json", "--raw", NULL});
    assert_int_equal(r.status, 4);
    assert_contains(&r.out, "\"cme\":767");
    assert_contains(&r.out, "\"exit\":4");
    assert_contains(&r.out, "\"bytes\":5000");
    run_free(&r);
    assert_version(fx, "V1");
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (; (s = strstr(s, needle)) != NULL; s++)
        n++;
    return n;
}

/* The module dies (SIGKILL) while the package is being written: push must
 * end with a link error, and the module, powered again on the same state,
 * still runs V1 and takes the package afresh. --speed real makes each
 * AT+CFLW take 10 ms, so the upload of a full-image package lasts long
 * enough to be caught in the middle. */
static void test_push_module_killed(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    unsigned waited, tries;
    int status = -1;
    expect_status(fx, 0,
                  (const char *[]){"diff", "--full", "--in-place", image_path(IMAGE_V2), "-o", at(fx, "full.cfp"),
                                   "--to-version", "V2", "-q", NULL});
    modem_start(fx, (const char *[]){"--speed", "real", NULL});
    /* The module boots for a few seconds and loses what it hears meanwhile. */
    for (tries = 0; tries < 15 && status != 0; tries++) {
        run(fx, &r, (const char *[]){"at", "--port", at(fx, "tty"), "--timeout", "1000", "AT", NULL});
        status = r.status;
        run_free(&r);
    }
    assert_int_equal(status, 0);

    tool_start(fx, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "full.cfp"), "--trace", NULL});
    for (waited = 0;; waited += 2) {
        struct bytes err;
        int chunks;
        slurp(at(fx, ".stderr"), &err);
        chunks = count((const char *)err.p, "bytes of data]");
        bytes_free(&err);
        if (chunks >= 2)
            break;
        if (waitpid(fx->tool, NULL, WNOHANG) == fx->tool) {
            test_reaped(fx->tool);
            fx->tool = 0;
            fail_msg("push ended before it wrote the package");
        }
        if (waited > TOOL_LIMIT_MS)
            fail_msg("push stalled before writing the package");
        sleep_ms(2);
    }
    stop(&fx->modem);
    tool_finish(fx, &r, "push of a killed module");
    if (r.status != 1 && r.status != 3)
        fail_msg("push: exit %d, expected 1 or 3; stderr: %s", r.status, (const char *)r.err.p);
    assert_contains(&r.err, "(at step: write");
    run_free(&r);

    modem_start(fx, NULL); /* same state: a power cycle */
    assert_version(fx, "V1");
    expect_status(fx, 0, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "full.cfp"), "-q", NULL});
    assert_version(fx, "V2");
}

/* ---- no module ---- */

/* <dir>/tty: a pseudo-terminal nobody answers on (the test holds its
 * master and never reads). */
static void silent_port(struct fixture *fx)
{
    const char *slave;
    fx->pty_master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(fx->pty_master >= 0);
    assert_int_equal(grantpt(fx->pty_master), 0);
    assert_int_equal(unlockpt(fx->pty_master), 0);
    slave = ptsname(fx->pty_master);
    assert_non_null(slave);
    assert_int_equal(symlink(slave, at(fx, "tty")), 0);
}

static void test_no_module(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    make_package(fx, "p.cfp", 0);
    silent_port(fx);

    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 3);
    assert_contains(&r.err, "does not answer");
    run_free(&r);
    expect_status(fx, 3, (const char *[]){"update", "--port", at(fx, "tty"), "--ota", "-q", NULL});
    /* and a port that does not exist */
    expect_status(fx, 3, (const char *[]){"bearer", "--port", at(fx, "nothing"), NULL});
}

/* ---- the bearer (the note's section 3) ---- */

static void test_bearer(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    modem_start(fx, NULL);
    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "tty"), NULL});
    assert_int_equal(r.status, 0);
    assert_contains(&r.out, "operator: CHN-UNICOM");
    assert_contains(&r.out, "APN shnbiot");
    assert_null(strstr((const char *)r.out.p, "APN changed"));
    run_free(&r);

    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "tty"), "--apn", "3GNET", NULL});
    assert_int_equal(r.status, 0);
    assert_contains(&r.out, "operator: CHN-UNICOM");
    assert_contains(&r.out, "APN 3GNET");
    assert_contains(&r.out, "APN changed");
    run_free(&r);

    /* Asking again for the APN in use changes nothing. */
    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "tty"), "--apn", "3GNET", NULL});
    assert_int_equal(r.status, 0);
    assert_contains(&r.out, "APN 3GNET");
    assert_null(strstr((const char *)r.out.p, "APN changed"));
    run_free(&r);
}

/* ---- over the air (the note's section 4) ---- */

static void test_ota_no_release(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    char token[64];
    server_start(fx);
    enrol(fx, token);
    modem_start_with_server(fx, token);
    run(fx, &r, (const char *[]){"update", "--port", at(fx, "tty"), "--ota", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "no update package");
    run_free(&r);
    assert_version(fx, "V1");
}

static void test_ota_release(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    char token[64];
    server_start(fx);
    enrol(fx, token);
    release_v2(fx);
    modem_start_with_server(fx, token);
    run(fx, &r, (const char *[]){"update", "--port", at(fx, "tty"), "--ota", "--json", NULL});
    if (r.status != 0)
        fail_msg("update --ota: exit %d: %s %s", r.status, (const char *)r.out.p, (const char *)r.err.p);
    assert_contains(&r.out, "{\"result\":0,");
    assert_contains(&r.out, "\"after\":\"V2\"");
    assert_contains(&r.out, "\"reported\":true");
    run_free(&r);
    assert_version(fx, "V2");
    /* The server heard the report. */
    admin(fx, &r, (const char *[]){"stats", NULL});
    assert_contains(&r.out, "\"succeeded\":1");
    run_free(&r);
}

/* ---- through HTTP (the note's section 6) ---- */

static void test_http_path(void **state)
{
    struct fixture *fx = *state;
    struct bytes check, pkg;
    struct run r;
    char token[64], path[512], pkg_url[1024], md5_hex[33];
    const char *u, *m;
    uint8_t md5[16];
    server_start(fx);
    enrol(fx, token);
    release_v2(fx);
    /* What a device's check gets: the package's path and its MD5. */
    snprintf(path, sizeof path, "/d/v1/check?imei=%s&tok=%s&ver=V1", IMEI, token);
    http_get(fx, path, &check);
    assert_contains(&check, "status=update");
    u = strstr((const char *)check.p, "url=");
    m = strstr((const char *)check.p, "md5=");
    assert_non_null(u);
    assert_non_null(m);
    snprintf(path, sizeof path, "%.*s", (int)strcspn(u + 4, "\r\n"), u + 4);
    snprintf(pkg_url, sizeof pkg_url, "%s%s", fx->url, path);
    http_get(fx, path, &pkg);
    host_md5(pkg.p, pkg.n, md5);
    host_hex(md5, 16, md5_hex);
    assert_memory_equal(md5_hex, m + 4, 32);
    assert_int_equal(bytes_write_file(at(fx, "pkg.cfp"), pkg.p, pkg.n), 0);
    bytes_free(&check);
    bytes_free(&pkg);

    modem_start_with_server(fx, token);
    run(fx, &r,
        (const char *[]){"update", "--port", at(fx, "tty"), "--http", pkg_url, "--package", at(fx, "pkg.cfp"),
                         "--expect-version", "V2", NULL});
    if (r.status != 0)
        fail_msg("update --http: exit %d: %s", r.status, (const char *)r.err.p);
    assert_contains(&r.err, "done: V1 -> V2");
    run_free(&r);
    assert_version(fx, "V2");
}

/* ---- what the tool refuses or reports without the module's help ---- */

/* A cut-short package and one not made for in-place apply: refused with
 * the reason before any AT command; the module keeps V1. */
static void test_push_checks_the_package(void **state)
{
    struct fixture *fx = *state;
    struct bytes pkg;
    struct run r;
    char v1[512];
    make_package(fx, "p.cfp", 0);
    slurp(at(fx, "p.cfp"), &pkg);
    assert_int_equal(bytes_write_file(at(fx, "cut.cfp"), pkg.p, pkg.n - 10), 0);
    bytes_free(&pkg);
    snprintf(v1, sizeof v1, "%s", image_path(IMAGE_V1)); /* image_path's buffer is reused */
    expect_status(fx, 0, (const char *[]){"diff", v1, image_path(IMAGE_V2), "-o", at(fx, "ab.cfp"), "-q", NULL});
    modem_start(fx, NULL);
    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "cut.cfp"), "--trace", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "(truncated)");
    assert_null(strstr((const char *)r.err.p, "-> "));
    run_free(&r);
    run(fx, &r, (const char *[]){"push", "--port", at(fx, "tty"), at(fx, "ab.cfp"), "--trace", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "was not made for in-place apply");
    assert_null(strstr((const char *)r.err.p, "-> "));
    run_free(&r);
    /* update --http checks a local --package the same way */
    run(fx, &r, (const char *[]){"update", "--port", at(fx, "tty"), "--http", "http://127.0.0.1:1/p", "--package",
                                 at(fx, "ab.cfp"), "--json", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.out, "was not made for in-place apply");
    run_free(&r);
    assert_version(fx, "V1");
}

/* --json gives an object on stdout whatever went wrong: a usage error, a
 * port that does not exist, a flow that failed. */
static void test_json_on_failure(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    make_package(fx, "p.cfp", 0);
    run(fx, &r, (const char *[]){"push", at(fx, "p.cfp"), "--json", NULL});
    assert_int_equal(r.status, 2);
    assert_contains(&r.out, "{\"result_name\":\"failed\",\"exit\":2,\"error\":\"no serial port");
    run_free(&r);
    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "nothing"), "--json", NULL});
    assert_int_equal(r.status, 3);
    assert_contains(&r.out, "\"exit\":3");
    assert_contains(&r.out, "No such file or directory");
    run_free(&r);
    run(fx, &r, (const char *[]){"update", "--json", "--bogus", NULL});
    assert_int_equal(r.status, 2);
    assert_contains(&r.out, "unknown option '--bogus'");
    run_free(&r);
    run(fx, &r, (const char *[]){"info", at(fx, "nothing.cfp"), "--json", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.out, "\"exit\":1");
    run_free(&r);
    modem_start(fx, (const char *[]){"--sim", "absent", NULL});
    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "tty"), "--json", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.out, "\"exit\":1,\"error\":");
    assert_contains(&r.out, "\"bearer\":{");
    run_free(&r);
}

/* bearer --json carries what the human output shows. */
static void test_bearer_json(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    modem_start(fx, (const char *[]){"--csq", "17,3", NULL});
    run(fx, &r, (const char *[]){"bearer", "--port", at(fx, "tty"), "--json", NULL});
    assert_int_equal(r.status, 0);
    assert_contains(&r.out, "\"operator\":\"CHN-UNICOM\"");
    assert_contains(&r.out, "\"rssi\":17,\"ber\":3");
    assert_contains(&r.out, "\"apn\":\"shnbiot\"");
    assert_contains(&r.out, "\"address\":\"10.250.0.213");
    assert_contains(&r.out, "\"exit\":0");
    run_free(&r);
}

/* cfota at: a port where nobody answers is status 3, as documented. */
static void test_at_no_answer(void **state)
{
    struct fixture *fx = *state;
    struct run r;
    silent_port(fx);
    run(fx, &r, (const char *[]){"at", "--port", at(fx, "tty"), "--timeout", "300", "AT", "AT+CGMR", NULL});
    assert_int_equal(r.status, 3);
    assert_contains(&r.err, "no answer to AT");
    run_free(&r);
}

/* --link over a file that is not a pseudo-terminal link: refused (status
 * 2), the file intact; a stale link of a killed module is replaced. */
static void test_link_never_replaces_a_file(void **state)
{
    struct fixture *fx = *state;
    static const char precious[] = "the only copy of something\n";
    struct bytes after;
    struct run r;
    assert_int_equal(bytes_write_file(at(fx, "tty"), precious, sizeof precious - 1), 0);
    run(fx, &r, (const char *[]){"modem", "--link", at(fx, "tty"), NULL});
    assert_int_equal(r.status, 2);
    assert_contains(&r.err, "not replaced");
    run_free(&r);
    slurp(at(fx, "tty"), &after);
    assert_int_equal(after.n, sizeof precious - 1);
    assert_memory_equal(after.p, precious, after.n);
    bytes_free(&after);
    /* a symlink to something else is not ours either */
    assert_int_equal(unlink(at(fx, "tty")), 0);
    assert_int_equal(symlink("/etc/hostname", at(fx, "tty")), 0);
    expect_status(fx, 2, (const char *[]){"modem", "--link", at(fx, "tty"), NULL});
    assert_int_equal(unlink(at(fx, "tty")), 0);
    /* a link left by a killed module is */
    assert_int_equal(symlink("/dev/pts/999999", at(fx, "tty")), 0);
    modem_start(fx, NULL);
    assert_version(fx, "V1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_push_updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_other_base_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_garbage_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_module_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_module, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bearer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ota_no_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ota_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_checks_the_package, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_on_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bearer_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_no_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_never_replaces_a_file, setup, teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
