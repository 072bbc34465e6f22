/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_pty.c: the emulator as a process on a real
 * pseudo-terminal, byte for byte against the note's transcripts.
 *
 * Each test forks a child that runs modem_run() (the whole `cfota modem`
 * minus option parsing) on a new pty, reads the slave's path from the
 * child, opens it like a serial program would, and talks. Killing the
 * child with SIGKILL and starting another on the same state directory is
 * a power cycle. Covered: the note's sections 3.1, 3.2 and 5, echo, bad
 * arguments, a CFLW that times out, a wrong MD5, a package for another
 * base, AUTO_SAVE across a kill, and --power-cut-after at every flash
 * operation of an update followed by a restart.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

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

#include "bytes.h"
#include "encoder.h"
#include "flashsim.h"
#include "hash.h"
#include "runner.h"
#include "support.h"
#include "modem_pty_rig.h"

#define IMAGE_SIZE 20000u
#define WAIT_MS PTY_WAIT_MS

static char state_dir[64];

/* Start a module on state_dir, with a power cut armed after that many
 * flash operations (FLASHSIM_NO_CUT: none). */
static void emu_start_traced(struct emu *e, uint64_t power_cut_after, int trace)
{
    struct modem_run_options o;
    char fw[128], flash[128];
    memset(&o, 0, sizeof o);
    modem_config_default(&o.cfg);
    o.cfg.echo = 0;
    o.state_dir = state_dir;
    o.power_cut_after = power_cut_after;
    o.trace = trace;
    /* --firmware only for a blank module, as a user would */
    snprintf(fw, sizeof fw, "%s.fw", state_dir);
    snprintf(flash, sizeof flash, "%s/flash.bin", state_dir);
    if (access(flash, F_OK) != 0)
        o.firmware = fw;
    pty_start(e, &o);
}

static void emu_start(struct emu *e, uint64_t power_cut_after)
{
    emu_start_traced(e, power_cut_after, 0);
}

#define OK "\r\nOK\r\n"
#define BOOT_URCS "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n"

/* ---- fixtures: a state directory with a firmware image ---- */

static void make_image(uint8_t *p, size_t n, uint64_t seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)("firmware image of the module "[test_rand(&seed) % 29]);
}

static int setup(void **state)
{
    uint8_t *img = malloc(IMAGE_SIZE);
    char fw[128];
    snprintf(state_dir, sizeof state_dir, "/tmp/cfota-test-modem-XXXXXX");
    assert_non_null(mkdtemp(state_dir));
    make_image(img, IMAGE_SIZE, 1);
    snprintf(fw, sizeof fw, "%s.fw", state_dir);
    assert_int_equal(bytes_write_file(fw, img, IMAGE_SIZE), 0);
    free(img);
    return 0;
}

static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.fw'", state_dir, state_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The firmware's version is the runner's default, "1752B05SIM7020C". */
static void make_package(uint64_t base_seed, const char *base_v, const char *target_v, struct bytes *pkg)
{
    struct cfota_encode_opts o = {0};
    uint8_t *old = malloc(IMAGE_SIZE), *target = malloc(IMAGE_SIZE);
    make_image(old, IMAGE_SIZE, base_seed);
    memcpy(target, old, IMAGE_SIZE);
    memcpy(target + 5000, "version two of the firmware", 27);
    o.base_version = base_v;
    o.target_version = target_v;
    o.in_place = 1; /* the module updates in place */
    pkg->n = 0;
    assert_int_equal(cfota_encode(old, IMAGE_SIZE, target, IMAGE_SIZE, &o, pkg), 0);
    free(old);
    free(target);
}

static void cfota_line(char *out, size_t cap, const uint8_t *pkg, size_t len)
{
    uint8_t md5[16];
    char hex[33];
    host_md5(pkg, len, md5);
    host_hex(md5, 16, hex);
    snprintf(out, cap, "AT+CFOTA=5,%zu,%s\r", len, hex);
}

/* The note's section 5 upload: CFLE, then CFLW in pieces of 512. */
static void upload(struct emu *e, const struct bytes *pkg)
{
    char cmd[64];
    size_t off;
    snprintf(cmd, sizeof cmd, "AT+CFLE=0,0,%zu\r", (pkg->n + 4095) / 4096);
    pty_chat(e, cmd, OK);
    for (off = 0; off < pkg->n; off += 512) {
        size_t n = pkg->n - off < 512 ? pkg->n - off : 512;
        snprintf(cmd, sizeof cmd, "AT+CFLW=0,0,%zu,%zu,30\r", n, off);
        pty_chat(e, cmd, "\r\n> ");
        pty_put(e, pkg->p + off, n);
        pty_expect(e, OK);
    }
}

/* ---- --trace: the line counters at exit ---- */

/* The runner prints the core's line counters when it ends: here after
 * SIGTERM, with "AT\r" and "AT+CGMI\r" sent (11 bytes) and their answers
 * read (echo off: "\r\nOK\r\n" and "\r\nSIMCOM_Ltd\r\n\r\nOK\r\n", 26 bytes). */
static void test_trace_line_counts(void **state)
{
    struct emu e;
    char log[] = "/tmp/cfota-test-trace-XXXXXX";
    int fd = mkstemp(log), saved = dup(2);
    struct bytes text = {0};
    (void)state;
    assert_true(fd >= 0 && saved >= 0);
    /* The child's stderr is the log file: it inherits ours meanwhile. */
    assert_true(dup2(fd, 2) == 2);
    emu_start_traced(&e, FLASHSIM_NO_CUT, 1);
    assert_true(dup2(saved, 2) == 2);
    close(saved);
    close(fd);
    pty_chat(&e, "AT\r", OK);
    pty_chat(&e, "AT+CGMI\r", "\r\nSIMCOM_Ltd\r\n" OK);
    kill(e.pid, SIGTERM);
    assert_int_equal(pty_wait(&e), 0);
    assert_int_equal(bytes_read_file(&text, log), 0);
    unlink(log);
    bytes_byte(&text, 0);
    if (!strstr((const char *)text.p, "--] line: 11 bytes received, 26 bytes sent\n"))
        fail_msg("no line counts at exit in the trace: %s", (const char *)text.p);
    bytes_free(&text);
}

/* ---- the note's section 3 ---- */

static void test_section3_bearer(void **state)
{
    struct emu e;
    emu_start(&e, FLASHSIM_NO_CUT);
    /* 3.1 PDN auto-activation */
    pty_chat(&e, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n" OK);
    pty_chat(&e, "AT+CSQ\r", "\r\n+CSQ: 20,0\r\n" OK);
    pty_chat(&e, "AT+CGREG?\r", "\r\n+CGREG: 0,1\r\n" OK);
    pty_chat(&e, "AT+CGACT?\r", "\r\n+CGACT: 1,1\r\n" OK);
    pty_chat(&e, "AT+COPS?\r", "\r\n+COPS: 0,0,\"CHN-UNICOM\",9\r\n" OK);
    pty_chat(&e, "AT+CGCONTRDP\r", "\r\n+CGCONTRDP: 1,5,\"shnbiot\",\"10.250.0.213.255.255.255.0\"\r\n" OK);
    /* 3.2 APN manual configuration */
    pty_chat(&e, "AT+CFUN=0\r", "\r\n+CPIN: NOT READY\r\n" OK);
    pty_chat(&e, "AT*MCGDEFCONT=\"IP\", \"3GNET\"\r", OK);
    pty_chat(&e, "AT+CFUN=1\r", OK "\r\n+CPIN: READY\r\n");
    pty_chat(&e, "AT+CGREG?\r", "\r\n+CGREG: 0,1\r\n" OK);
    pty_chat(&e, "AT+CGCONTRDP\r", "\r\n+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\"\r\n" OK);
    /* echo, as a terminal user would see it */
    pty_chat(&e, "ATE1\r", OK);
    pty_chat(&e, "AT+CSQ\r", "AT+CSQ\r\r\n+CSQ: 20,0\r\n" OK);
    pty_chat(&e, "ATE0\r", "ATE0\r" OK);
    /* bad arguments and unknown commands */
    pty_chat(&e, "AT+CFUN=5\r", "\r\nERROR\r\n");
    pty_chat(&e, "AT+CMEE=1\r", OK);
    pty_chat(&e, "AT+CFUN=5\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+CFLE=0,0,146\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+CFLW=0,0,513,0,30\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+CFLR=137441280,16\r", "\r\n+CME ERROR: 3\r\n");
    pty_chat(&e, "AT+CFOTA=5,313,zz\r", "\r\n+CME ERROR: 50\r\n");
    pty_chat(&e, "AT+WHAT\r", "\r\nERROR\r\n");
    /* the APN is AUTO_SAVE: it survives a power cut */
    pty_kill(&e);
    emu_start(&e, FLASHSIM_NO_CUT);
    pty_chat(&e, "AT*MCGDEFCONT?\r", "\r\n*MCGDEFCONT: \"IP\",\"3GNET\",\"\",\"\"\r\n" OK);
    pty_chat(&e, "AT+CGCONTRDP\r", "\r\n+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.213.255.255.255.0\"\r\n" OK);
    pty_kill(&e);
}

/* ---- the note's section 5 ---- */

static void test_section5_local_update(void **state)
{
    struct emu e;
    struct bytes pkg = {0};
    char cmd[96], line[96];

    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg);
    emu_start(&e, FLASHSIM_NO_CUT);
    pty_chat(&e, "AT+CFLE=0,0,1\r", OK);
    pty_chat(&e, "AT+IPR=115200\r", OK);
    assert_true(pkg.n <= 512); /* one CFLW, as in the note */
    snprintf(line, sizeof line, "AT+CFLW=0,0,%zu,0,30\r", pkg.n);
    pty_chat(&e, line, "\r\n> ");
    pty_put(&e, pkg.p, pkg.n);
    pty_expect(&e, OK);
    pty_chat(&e, "AT+CGMR\r", "\r\n1752B05SIM7020C\r\n" OK);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    pty_chat(&e, cmd, "\r\n+CFOTA: Start to update, please wait for reset\r\n" OK
                  "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n\r\n+CFOTA: Update successfully\r\n"
                  "\r\n+CPIN: READY\r\n");
    pty_chat(&e, "AT+CFOTA=4\r", OK);
    pty_chat(&e, "AT+CGMR\r", "\r\n1752B06SIM7020C\r\n" OK);
    /* a power cycle: the new firmware stays, AT+IPR=115200 too; a boot
     * without an update shows the manual's set */
    pty_kill(&e);
    emu_start(&e, FLASHSIM_NO_CUT);
    pty_expect(&e, BOOT_URCS);
    pty_chat(&e, "AT+CGMR\r", "\r\n1752B06SIM7020C\r\n" OK);
    pty_chat(&e, "AT+IPR?\r", "\r\n+IPR: 115200\r\n" OK);
    /* back to auto-baud: a reset is silent */
    pty_chat(&e, "AT+IPR=0\r", OK);
    pty_chat(&e, "AT+CFUN=1,1\r", OK);
    pty_chat(&e, "AT+CGMR\r", "\r\n1752B06SIM7020C\r\n" OK);
    pty_kill(&e);
    bytes_free(&pkg);
}

static void test_refusals(void **state)
{
    struct emu e;
    struct bytes pkg = {0};
    char cmd[96];

    emu_start(&e, FLASHSIM_NO_CUT);
    pty_chat(&e, "AT+CMEE=1\r", OK);
    /* a CFLW that times out: 1 s, 3 of 10 bytes sent */
    pty_chat(&e, "AT+CFLE=0,0,1\r", OK);
    pty_chat(&e, "AT+CFLW=0,0,10,0,1\r", "\r\n> ");
    pty_put(&e, "abc", 3);
    pty_expect(&e, "\r\nERROR\r\n");
    pty_chat(&e, "AT\r", OK);
    /* a wrong MD5 */
    make_package(1, "1752B06SIM7020C", "1752B07SIM7020C", &pkg);
    upload(&e, &pkg);
    snprintf(cmd, sizeof cmd, "AT+CFOTA=5,%zu,f1351d44d9a338c867046ebf16ec62d1\r", pkg.n);
    pty_chat(&e, cmd, "\r\n+CME ERROR: 767\r\n");
    /* a package for another base (the running image is version B06 from
     * the previous test, or B05 if run alone: neither is seed 2) */
    make_package(2, "1752B04SIM7020C", "1752B06SIM7020C", &pkg);
    upload(&e, &pkg);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    pty_chat(&e, cmd, "\r\n+CME ERROR: 767\r\n");
    pty_chat(&e, "AT+CMEE=2\r", OK);
    pty_chat(&e, cmd, "\r\n+CME ERROR: operation failed\r\n");
    pty_kill(&e);
    bytes_free(&pkg);
}

/* --power-cut-after N for every N up to a whole update: the process dies
 * with status 75, and the next start either finishes the update (the
 * engine continues from its journal) or had not recorded it yet; never
 * "Update fail", and it always answers. The process contract only: the
 * sweep of the same update over every flash operation, with double cuts,
 * the target hash and NOR violations, is test_modem_core.c's, through
 * tests/powercut.h, in-process where the simulator can be inspected. */
static void test_power_cut_sweep(void **state)
{
    struct bytes pkg = {0};
    char cmd[96];
    uint64_t cut;
    int finished = 0, resumed_ok = 0;

    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    for (cut = 0; !finished; cut++) {
        struct emu e;
        assert_true(cut < 100);
        /* a fresh module for each cut */
        teardown(state);
        setup(state);
        emu_start(&e, FLASHSIM_NO_CUT);
        pty_chat(&e, "AT+IPR=115200\r", OK);
        upload(&e, &pkg);
        pty_kill(&e);
        /* now the update, with the cut armed: the first ops of this run
         * are the update's */
        emu_start(&e, cut);
        pty_expect(&e, BOOT_URCS);
        pty_put(&e, cmd, strlen(cmd));
        {
            /* read until the process exits or the update reports */
            char buf[1024];
            size_t got = 0;
            for (;;) {
                struct pollfd pfd = {e.fd, POLLIN, 0};
                ssize_t k;
                if (poll(&pfd, 1, WAIT_MS) <= 0)
                    fail_msg("no answer with cut %llu: \"%s\"", (unsigned long long)cut, buf);
                k = read(e.fd, buf + got, sizeof buf - 1 - got);
                if (k <= 0)
                    break; /* the child died: hang-up */
                got += (size_t)k;
                buf[got] = 0;
                if (strstr(buf, "+CPIN: READY"))
                    break;
            }
            buf[got] = 0;
            if (strstr(buf, "Update successfully")) {
                finished = 1;
                pty_kill(&e);
                break;
            }
        }
        assert_int_equal(pty_wait(&e), 75);
        /* power back on, no cut */
        emu_start(&e, FLASHSIM_NO_CUT);
        {
            char buf[512];
            size_t got = 0;
            for (;;) {
                struct pollfd pfd = {e.fd, POLLIN, 0};
                ssize_t k;
                if (poll(&pfd, 1, WAIT_MS) <= 0)
                    fail_msg("no boot after cut %llu", (unsigned long long)cut);
                k = read(e.fd, buf + got, sizeof buf - 1 - got);
                assert_true(k > 0);
                got += (size_t)k;
                buf[got] = 0;
                /* the FOTA AN's set after an update, else the manual's */
                if (strstr(buf, "SMS Ready") || (strstr(buf, "*MATREADY") && strstr(buf, "+CPIN: READY")))
                    break;
            }
            assert_null(strstr(buf, "Update fail"));
            if (strstr(buf, "Update successfully")) {
                resumed_ok++;
                pty_chat(&e, "AT+CGMR\r", "\r\n1752B06SIM7020C\r\n" OK);
            } else {
                pty_chat(&e, "AT+CGMR\r", "\r\n1752B05SIM7020C\r\n" OK);
            }
        }
        pty_kill(&e);
    }
    assert_true(resumed_ok > 0);
    bytes_free(&pkg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_trace_line_counts, test_teardown_children),
        cmocka_unit_test_teardown(test_section3_bearer, test_teardown_children),
        cmocka_unit_test_teardown(test_section5_local_update, test_teardown_children),
        cmocka_unit_test_teardown(test_refusals, test_teardown_children),
        cmocka_unit_test_teardown(test_power_cut_sweep, test_teardown_children),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
