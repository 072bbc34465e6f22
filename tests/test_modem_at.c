/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_at.c: nothing the host sends can crash the module or
 * wedge it. Random bytes, random command lines built from the real
 * command names and argument shapes, and random clock jumps are fed to
 * the core (under the sanitizers in CI); after each round the module must
 * still answer a plain "AT" with OK once any data mode, delayed result or
 * reboot has run out, and its output must stay framed text.
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
#include "modem.h"
#include "support.h"

struct rig {
    struct flashsim *sim;
    struct modem_flash_map map;
    struct modem m;
    struct modem_config cfg;
    struct bytes out;
    uint64_t now;
};

static void rig_write(void *ctx, const void *p, size_t n)
{
    struct rig *r = ctx;
    /* keep only the tail: the fuzz output is not inspected in full */
    if (r->out.n > 65536)
        r->out.n = 0;
    bytes_put(&r->out, p, n);
}

static const char *const names[] = {
    "", "E", "E0", "E1", "I", "Z", "&F", "&W", "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI", "+CCID",
    "+CBC", "+CMEE", "+IPR", "+CPIN", "+CSQ", "+CGREG", "+CEREG", "+CGACT", "+CGATT", "+COPS",
    "+CGCONTRDP", "+CFUN", "*MCGDEFCONT", "+CPSMS", "+CLTS", "+CFLE", "+CFLW", "+CFLR", "+CFOTA", "+XYZ",
};

static const char *const args[] = {
    "0", "1", "2", "5", "9", "99", "145", "146", "512", "513", "115200", "138346496", "138412031",
    "137441280", "4294967295", "99999999999", "-1", "", "\"IP\"", "\"3GNET\"", "\"", "\"a\"b", "abc",
    "f1351d44d9a338c867046ebf16ec62d1", " 1 ", "\"01000011\"",
};

static void random_line(uint64_t *seed, struct bytes *b)
{
    uint32_t form = test_rand(seed) % 5, n, i;
    const char *name = names[test_rand(seed) % (sizeof names / sizeof names[0])];
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

/* After a round: let every timer run out, end any line, and ask. */
static void assert_answers(struct rig *r)
{
    static const char ok[] = "\r\nOK\r\n";
    int tries;
    for (tries = 0; tries < 3; tries++) {
        r->now += 200000; /* past any CFLW timeout, delay or boot */
        modem_tick(&r->m, r->now);
        /* fill a pending data mode, end a pending line */
        modem_input(&r->m, "\r", 1, r->now);
        r->now += 200000;
        modem_tick(&r->m, r->now);
        r->out.n = 0;
        modem_input(&r->m, "ATE0\rAT\r", 8, r->now);
        r->now += 200000;
        modem_tick(&r->m, r->now);
        if (r->out.n >= 6 && !memcmp(r->out.p + r->out.n - 6, ok, 6))
            return;
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
    assert_int_equal(modem_init(&r->m, &r->cfg, NULL, &r->map, 0), 0);

    for (round = 0; round < 300; round++) {
        uint32_t kind = test_rand(&seed) % 4, i, n;
        in.n = 0;
        if (kind == 0) {
            n = test_rand(&seed) % 3000;
            for (i = 0; i < n; i++)
                bytes_byte(&in, (uint8_t)test_rand(&seed));
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
        }
        if (round % 25 == 24)
            assert_answers(r);
    }
    assert_answers(r);
    /* the firmware was never touched: no CFOTA could pass its checks */
    assert_memory_equal(flashsim_data(r->sim), image, sizeof image);
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
