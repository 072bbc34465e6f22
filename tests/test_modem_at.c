/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_at.c: nothing the host sends can crash the module or
 * wedge it. Random bytes, random command lines built from every row of
 * the command table (at_command_row: a new command is fuzzed the day it
 * is added) and argument shapes, random clock jumps, and a fake network
 * that accepts or refuses transfers and answers them with random heads,
 * bodies and ends, are fed to the core (under the sanitizers in CI);
 * after each round the module must still answer a plain "AT" with OK once
 * any data mode, delayed result or reboot has run out, and the flash
 * simulator must have seen no NOR violation (a program over bits that
 * were not erased).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"
#include "flashsim.h"
#include "at_command.h"
#include "modem.h"
#include "support.h"

struct rig {
    struct flashsim *sim;
    struct modem_flash_map map;
    struct modem m;
    struct modem_config cfg;
    struct bytes out;
    uint64_t now;
    uint64_t net_seed;            /* the fake network's choices */
    int active[MODEM_HTTP_SLOTS]; /* transfers started and not ended */
    int headed[MODEM_HTTP_SLOTS];
    unsigned starts;              /* transfers the core asked for */
};

/* The fake network: most transfers start, a few cannot. */
static int net_start(void *ctx, const struct modem_http_request *req)
{
    struct rig *r = ctx;
    r->starts++;
    if (test_rand(&r->net_seed) % 5 == 0)
        return -1;
    r->active[req->slot] = 1;
    r->headed[req->slot] = 0;
    return 0;
}

static void net_cancel(void *ctx, int slot)
{
    struct rig *r = ctx;
    r->active[slot] = 0;
}

/* Move one running transfer on: a head, some body, or its end. */
static void net_event(struct rig *r)
{
    static const char *const heads[] = {
        "Content-Length: 10\r\n", "Content-Range: bytes 0-9/10\r\nContent-Length: 10\r\n", "", "X: y\r\n"};
    static const int statuses[] = {200, 206, 404, 500, 200};
    static const char *const bodies[] = {
        "status=update\npackage=ab\n", "status=none\n", "garbage\x01\xff", ""};
    int slot = (int)(test_rand(&r->net_seed) % MODEM_HTTP_SLOTS);
    uint32_t what = test_rand(&r->net_seed) % 4;
    uint8_t body[700];
    size_t i, n;
    if (!r->active[slot])
        return;
    if (!r->headed[slot] && what < 2) {
        const char *h = heads[test_rand(&r->net_seed) % 4];
        r->headed[slot] = 1;
        modem_http_head(&r->m, slot, statuses[test_rand(&r->net_seed) % 5], h, strlen(h), r->now);
    } else if (what < 3) {
        const char *b = bodies[test_rand(&r->net_seed) % 4];
        n = test_rand(&r->net_seed) % 2 ? strlen(b) : test_rand(&r->net_seed) % sizeof body;
        for (i = 0; i < n; i++)
            body[i] = i < strlen(b) ? (uint8_t)b[i] : (uint8_t)test_rand(&r->net_seed);
        if (modem_http_body(&r->m, slot, body, n, r->now) != 0)
            r->active[slot] = 0;
    } else {
        static const int results[] = {MODEM_HTTP_DONE, MODEM_HTTP_E_DISCONNECTED, MODEM_HTTP_E_CLOSED,
                                      MODEM_HTTP_DONE};
        r->active[slot] = 0;
        modem_http_done(&r->m, slot, results[test_rand(&r->net_seed) % 4], r->now);
    }
}

static void rig_write(void *ctx, const void *p, size_t n)
{
    struct rig *r = ctx;
    /* keep only the tail: the fuzz output is not inspected in full */
    if (r->out.n > 65536)
        r->out.n = 0;
    bytes_put(&r->out, p, n);
}

/* Row k of the table, the empty name (a bare "AT") or an unknown one. */
static const char *command_name(uint64_t *seed)
{
    size_t rows = 0, k;
    while (at_command_row(rows))
        rows++;
    k = test_rand(seed) % (rows + 2);
    return k < rows ? at_command_row(k)->name : k == rows ? "" : "+XYZ";
}

static const char *const args[] = {
    "0", "1", "2", "5", "9", "99", "145", "146", "512", "513", "115200", "138346496", "138412031",
    "137441280", "4294967295", "99999999999", "-1", "", "\"IP\"", "\"3GNET\"", "\"", "\"a\"b", "abc",
    "f1351d44d9a338c867046ebf16ec62d1", " 1 ", "\"01000011\"", "\"http://127.0.0.1:8080\"",
    "\"https://localhost/\"", "\"http://example.com\"", "\"/fw.bin\"", "\"/\"", "\"fw\"", "\"user\"",
    "\"http://127.0.0.1:1/fota\"", "\"0123456789abcdef0123456789abcdef\"", "4", "3",
};

static void random_line(uint64_t *seed, struct bytes *b)
{
    uint32_t form = test_rand(seed) % 5, n, i;
    const char *name = command_name(seed);
    bytes_put(b, test_rand(seed) % 8 ? "AT" : "at", 2);
    bytes_put(b, name, strlen(name));
    if (form == 1)
        bytes_put(b, "?", 1);
    else if (form == 2)
        bytes_put(b, "=?", 2);
    else if (form >= 3) {
        bytes_put(b, "=", 1);
        n = test_rand(seed) % 7;
        for (i = 0; i < n; i++) {
            const char *a = args[test_rand(seed) % (sizeof args / sizeof args[0])];
            if (i)
                bytes_put(b, ",", 1);
            bytes_put(b, a, strlen(a));
        }
    }
    if (test_rand(seed) % 10 == 0)
        bytes_put(b, ";+CSQ", 5);
    bytes_put(b, "\r", 1);
}

/* Lines of the dialogues that go deep (an HTTP download, the OTA path),
 * sent in random order and with random neighbours, so that every state of
 * those commands meets every command. */
static const char *const dialogue[] = {
    "AT+CHTTPCREATE=\"http://127.0.0.1:8080\"\r", "AT+CHTTPCREATE=\"http://127.0.0.1:8080\",\"u\",\"p\"\r",
    "AT+CHTTPCON=0\r", "AT+CHTTPCON=1\r", "AT+CHTTPTOFS=0,\"/fw.bin\"\r", "AT+CHTTPTOFS=1,\"/\"\r",
    "AT+CHTTPDISCON=0\r", "AT+CHTTPDESTROY=0\r", "AT+CHTTPCREATE?\r", "AT+CHTTPCON?\r",
    "AT+CFOTASRV=\"http://127.0.0.1:8081\",\"0123456789abcdef\"\r", "AT+CFOTASRV=\"\"\r", "AT+CFOTASRV?\r",
    "AT+CFOTA=1\r", "AT+CFOTA=2\r", "AT+CFOTA=2,\"V2\"\r", "AT+CFOTA=3\r", "AT+CFOTA=4\r",
    "AT+CFOTA=5,10,f1351d44d9a338c867046ebf16ec62d1\r", "AT+CGATT=1\r", "AT+CFUN=1\r",
};

static void dialogue_lines(uint64_t *seed, struct bytes *b)
{
    uint32_t n = 1 + test_rand(seed) % 8, i;
    for (i = 0; i < n; i++) {
        const char *l = dialogue[test_rand(seed) % (sizeof dialogue / sizeof dialogue[0])];
        bytes_put(b, l, strlen(l));
    }
}

/* After a round: let every timer run out, end any line, and ask. */
static void assert_answers(struct rig *r)
{
    static const char ok[] = "\r\nOK\r\n";
    int tries;
    for (tries = 0; tries < 3; tries++) {
        int slot;
        /* the network gives up on what it still carries, as libcurl's
         * timeouts would: a command waiting for it gets its result */
        for (slot = 0; slot < MODEM_HTTP_SLOTS; slot++) {
            if (r->active[slot]) {
                r->active[slot] = 0;
                modem_http_done(&r->m, slot, MODEM_HTTP_E_DISCONNECTED, r->now);
            }
        }
        r->now += 200000; /* past any CFLW timeout, delay or boot */
        modem_tick(&r->m, r->now);
        /* fill a pending data mode, end a pending line */
        modem_input(&r->m, "\r", 1, r->now);
        r->now += 200000;
        modem_tick(&r->m, r->now);
        r->out.n = 0;
        /* echo off, verbose results, results on: ATV0 and ATQ1 are
         * among the fuzzed rows */
        modem_input(&r->m, "ATE0V1Q0\rAT\r", 12, r->now);
        r->now += 200000;
        modem_tick(&r->m, r->now);
        if (r->out.n >= 6 && !memcmp(r->out.p + r->out.n - 6, ok, 6)) {
            assert_int_equal(flashsim_stats(r->sim)->violations, 0);
            return;
        }
    }
    fail_msg("the module no longer answers AT");
}

static void fuzz(uint64_t seed, int speed_real)
{
    struct rig *r = calloc(1, sizeof *r);
    struct bytes in = {0};
    int round;
    static const uint8_t image[8192] = {1, 2, 3};

    assert_non_null(r);
    r->sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
    assert_non_null(r->sim);
    assert_int_equal(modem_flash_map_init(&r->map, flashsim_flash(r->sim)), 0);
    assert_int_equal(modem_factory_program(&r->map, image, sizeof image, "V1"), 0);
    modem_config_default(&r->cfg);
    r->cfg.speed = speed_real ? MODEM_SPEED_REAL : MODEM_SPEED_FAST;
    r->cfg.io.ctx = r;
    r->cfg.io.write = rig_write;
    r->cfg.http.ctx = r;
    r->cfg.http.start = net_start;
    r->cfg.http.cancel = net_cancel;
    r->cfg.attach_delay_ms = 10; /* a bearer soon: the HTTP commands get further */
    r->net_seed = seed * 31 + 5;
    assert_int_equal(modem_init(&r->m, &r->cfg, NULL, &r->map, 0), 0);

    for (round = 0; round < 300; round++) {
        uint32_t kind = test_rand(&seed) % 5, i, n;
        in.n = 0;
        if (kind == 0) {
            n = test_rand(&seed) % 3000;
            for (i = 0; i < n; i++)
                bytes_byte(&in, (uint8_t)test_rand(&seed));
        } else if (kind == 1) {
            dialogue_lines(&seed, &in);
        } else {
            n = 1 + test_rand(&seed) % 6;
            for (i = 0; i < n; i++)
                random_line(&seed, &in);
        }
        /* in random pieces, at random times */
        for (i = 0; i < in.n;) {
            uint32_t k = 1 + test_rand(&seed) % 700;
            if (k > in.n - i)
                k = (uint32_t)(in.n - i);
            r->now += test_rand(&seed) % 3000;
            modem_input(&r->m, in.p + i, k, r->now);
            i += k;
            net_event(r);
        }
        net_event(r);
        if (round % 25 == 24)
            assert_answers(r);
    }
    assert_answers(r);
    /* the firmware was never touched: no CFOTA could pass its checks */
    assert_memory_equal(flashsim_data(r->sim), image, sizeof image);
    assert_int_equal(flashsim_stats(r->sim)->violations, 0);
    assert_true(r->starts > 0); /* the HTTP and OTA paths were reached */
    bytes_free(&in);
    bytes_free(&r->out);
    flashsim_close(r->sim);
    free(r);
}

static void test_fuzz_fast(void **state)
{
    uint64_t seed;
    for (seed = 1; seed <= 6; seed++)
        fuzz(seed, 0);
}

static void test_fuzz_real_speed(void **state)
{
    fuzz(77, 1);
}

/* Lines of every length around the 2048 limit, and a line that never
 * ends: always ERROR or OK, never a crash or an overrun. */
static void test_long_lines(void **state)
{
    struct rig *r = calloc(1, sizeof *r);
    static const uint8_t image[4096] = {0};
    char *line = malloc(5000);
    size_t len;

    r->sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
    assert_int_equal(modem_flash_map_init(&r->map, flashsim_flash(r->sim)), 0);
    assert_int_equal(modem_factory_program(&r->map, image, sizeof image, "V1"), 0);
    modem_config_default(&r->cfg);
    r->cfg.echo = 0;
    r->cfg.io.ctx = r;
    r->cfg.io.write = rig_write;
    assert_int_equal(modem_init(&r->m, &r->cfg, NULL, &r->map, 0), 0);
    modem_tick(&r->m, 0);
    for (len = 2040; len <= 2060; len++) {
        memset(line, 'A', len);
        memcpy(line, "AT+CSQ;", 7);
        memset(line + 7, ';', len - 7);
        line[len] = '\r';
        r->out.n = 0;
        modem_input(&r->m, line, len + 1, 0);
        bytes_byte(&r->out, 0);
        assert_string_equal((char *)r->out.p, len <= 2048 ? "\r\n+CSQ: 20,0\r\n\r\nOK\r\n" : "\r\nERROR\r\n");
    }
    memset(line, 'x', 5000);
    for (len = 0; len < 100; len++)
        modem_input(&r->m, line, 5000, 0);
    r->out.n = 0;
    modem_input(&r->m, "\rAT\r", 4, 0);
    bytes_byte(&r->out, 0);
    assert_string_equal((char *)r->out.p, "\r\nERROR\r\n\r\nOK\r\n");
    free(line);
    bytes_free(&r->out);
    flashsim_close(r->sim);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_fast),
        cmocka_unit_test(test_fuzz_real_speed),
        cmocka_unit_test(test_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
