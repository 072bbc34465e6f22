/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_at.c: the controller's AT channel (cfota_ctl/at.h) against the
 * scripted fake module (tests/mcu_fake.h): framing with and without echo,
 * final results in every AT+CMEE form, information lines, URCs at any
 * moment (inside an answer, during the data prompt, across a reset), the
 * `>` prompt with and without its space, timeouts, garbage and overlong
 * lines, byte-by-byte delivery, a full URC queue, and the field parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/at.h"
#include "mcu_fake.h"

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_at at;
};

static void rig_start(struct rig *r, const struct fake_step *steps)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    assert_int_equal(cfota_at_init(&r->at, &r->cfg.at), CFOTA_CTL_OK);
}

static void rig_end(struct rig *r)
{
    assert_true(fake_ok(&r->f));
}

static void test_init_checks(void **state)
{
    struct cfota_at at;
    struct cfota_at_config c;
    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(cfota_at_init(&at, &c), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_at_init(NULL, &c), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_at_init(&at, NULL), CFOTA_CTL_E_INVAL);
}

static void test_info_lines_with_and_without_echo(void **state)
{
    static const struct fake_step s[] = {
        CMD("AT+CGMR", "AT+CGMR\r\r\n1752B05SIM7020C\r\n\r\nOK\r\n"),  /* echo on */
        CMD("AT+CSQ", "\r\n+CSQ: 20,0\r\n\r\nOK\r\n"),
        CMD("AT+CGACT?", "\n+CGACT: 1,1\n+CGACT: 2,0\n\nOK\n"),  /* LF only */
        END};
    struct rig r;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CGMR", NULL, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_nlines(&r.at), 1);
    assert_string_equal(cfota_at_line(&r.at, 0), "1752B05SIM7020C");
    assert_null(cfota_at_line(&r.at, 1));
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CSQ", "+CSQ:", 1000), CFOTA_CTL_OK);
    assert_string_equal(cfota_at_find(&r.at, "+CSQ:"), "20,0");
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CGACT?", "+CGACT:", 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_nlines(&r.at), 2);
    assert_string_equal(cfota_at_line(&r.at, 1), "+CGACT: 2,0");
    rig_end(&r);
}

static void test_errors_in_every_cmee_form(void **state)
{
    static const struct fake_step s[] = {
        CMD("AT+CFOTA=3", "\r\nERROR\r\n"),
        CMD("AT+CFOTA=3", "\r\n+CME ERROR: 3\r\n"),
        CMD("AT+CFOTA=3", "\r\n+CME ERROR: operation not allowed\r\n"),
        CMD("AT+CFOTA=5,1,0", "\r\n+CME ERROR: Incorrect Parameters\r\n"),
        CMD("AT+CFOTA=5,1,1", "\r\n+CME ERROR: something new\r\n"),
        CMD("AT+CMGS", "\r\n+CMS ERROR: 500\r\n"),
        END};
    struct rig r;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFOTA=3", NULL, 1000), CFOTA_CTL_E_ERROR);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFOTA=3", NULL, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), 3);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFOTA=3", NULL, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), 3);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFOTA=5,1,0", NULL, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), 50);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFOTA=5,1,1", NULL, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), -1);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CMGS", NULL, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), 500);
    rig_end(&r);
}

static void test_timeout_and_late_answer(void **state)
{
    static const struct fake_step s[] = {
        CMDD("AT", OKR, 5000),   /* answers after the caller gave up */
        CMD("AT+CGMR", "\r\n1752B05SIM7020C\r\n\r\nOK\r\n"),
        END};
    struct rig r;
    uint32_t t0;
    (void)state;
    rig_start(&r, s);
    t0 = r.f.now;
    assert_int_equal(cfota_at_cmd(&r.at, "AT", NULL, 1000), CFOTA_CTL_E_TIMEOUT);
    assert_true(r.f.now - t0 >= 1000);
    /* The late OK arrives before the next command is sent: it must be
     * dropped, not taken as the next command's answer. */
    r.f.now += 5000;
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CGMR", NULL, 1000), CFOTA_CTL_OK);
    assert_string_equal(cfota_at_line(&r.at, 0), "1752B05SIM7020C");
    assert_int_equal(cfota_at_stray(&r.at), 1);
    rig_end(&r);
}

static void test_urcs_inside_answers_and_expect_prefix(void **state)
{
    static const struct fake_step s[] = {
        /* +CPIN: READY is the answer here ... */
        CMD("AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"),
        /* ... and a URC here, after OK; +CFOTA inside an answer too. */
        CMD("AT+CFUN=1", "\r\n+CFOTA: Download completed\r\n\r\nOK\r\n\r\n+CPIN: READY\r\n"),
        CMD("AT+CFUN=0", "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n"),
        END};
    struct rig r;
    struct cfota_at_urc u;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CPIN?", "+CPIN:", 1000), CFOTA_CTL_OK);
    assert_string_equal(cfota_at_find(&r.at, "+CPIN:"), "READY");
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 0);

    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFUN=1", NULL, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_nlines(&r.at), 0);
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 1000), CFOTA_CTL_OK);
    assert_int_equal(u.kind, CFOTA_URC_CFOTA);
    assert_string_equal(u.text, "+CFOTA: Download completed");
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 1000), CFOTA_CTL_OK);
    assert_int_equal(u.kind, CFOTA_URC_CPIN);
    assert_string_equal(u.text, "+CPIN: READY");
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 1000), CFOTA_CTL_E_TIMEOUT);

    assert_int_equal(cfota_at_cmd(&r.at, "AT+CFUN=0", NULL, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 1);
    assert_string_equal(u.text, "+CPIN: NOT READY");
    rig_end(&r);
}

static void test_data_prompt_forms(void **state)
{
    static const struct fake_step s[] = {
        CMD("AT+CFLW=0,0,4,0,30", "\r\n> "), DATA(4, OKR, 10),
        CMD("AT+CFLW=0,0,4,4,30", "AT+CFLW=0,0,4,4,30\r>"), DATA(4, OKR, 10),  /* echo, no space */
        /* a URC between the command and the prompt */
        CMD("AT+CFLW=0,0,4,8,30", "\r\n+CHTTPERR: 0,-2\r\n\r\n> "), DATA(4, "\r\n+CGREG: 1\r\n\r\nOK\r\n", 10),
        CMD("AT+CFLW=0,0,4,12,30", "\r\n+CME ERROR: 3\r\n"),  /* refused before the prompt */
        CMD("AT+CFLW=0,0,4,12,30", OKR),                      /* OK without a prompt */
        CMD("AT+CFLW=0,0,4,12,30", NULL),                     /* no prompt at all */
        END};
    struct rig r;
    struct cfota_at_urc u;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,0,30", "ab\r\n", 4, 1000, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,4,30", "OK\r\n", 4, 1000, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,8,30", "\0>\xff\n", 4, 1000, 1000), CFOTA_CTL_OK);
    assert_memory_equal(r.f.flash, "ab\r\nOK\r\n\0>\xff\n", 12);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 1);
    assert_int_equal(u.kind, CFOTA_URC_HTTP_ERROR);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 1);
    assert_int_equal(u.kind, CFOTA_URC_REG);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,12,30", "wxyz", 4, 1000, 1000), CFOTA_CTL_E_CME);
    assert_int_equal(cfota_at_cme(&r.at), 3);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,12,30", "wxyz", 4, 1000, 1000), CFOTA_CTL_E_ERROR);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,12,30", "wxyz", 4, 1000, 1000), CFOTA_CTL_E_TIMEOUT);
    assert_memory_equal(r.f.flash + 12, "\xff\xff\xff\xff", 4);
    rig_end(&r);
}

static void test_reset_ends_a_pending_command(void **state)
{
    static const struct fake_step s[] = {
        CMD("AT+CFLW=0,0,4,0,30", "\r\n> "), DATA(4, "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n", 3000),
        CMD("AT+CGMR", "\r\nRDY\r\n"),
        END};
    struct rig r;
    struct cfota_at_urc u;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,4,0,30", "abcd", 4, 1000, 60000), CFOTA_CTL_E_RESET);
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 0), CFOTA_CTL_OK);
    assert_int_equal(u.kind, CFOTA_URC_BOOT);
    assert_true(u.flags & CFOTA_URC_F_RESET);
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 0), CFOTA_CTL_OK);
    assert_int_equal(u.kind, CFOTA_URC_CFUN);
    assert_int_equal(cfota_at_wait_urc(&r.at, &u, 0), CFOTA_CTL_OK);
    assert_int_equal(u.kind, CFOTA_URC_CPIN);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CGMR", NULL, 1000), CFOTA_CTL_E_RESET);
    rig_end(&r);
}

static void test_garbage_and_overlong_lines(void **state)
{
    static char longline[600];
    static const char garbage[] = "\0\0\xff\xfe\x1b[2J\r\n\x80OK\x80\r\n\r\n \r\n\t\r\n";
    static const struct fake_step s[] = {
        EMITN(garbage, sizeof garbage - 1, 0),
        CMD("AT+CSQ", longline),
        CMD("AT+CSQ", "\r\n+CSQ: 20,0 \r\n\r\n  OK  \r\n"),
        END};
    struct rig r;
    (void)state;
    /* 300 bytes of "OK..." (cut: never a final result), then a real OK. */
    memset(longline, 'K', sizeof longline);
    memcpy(longline, "\r\nOK", 4);
    memcpy(longline + 300, "\r\n+CFOTA: ", 10);
    memset(longline + 310, 'x', 200);
    strcpy(longline + 510, "\r\nOK\r\n");
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CSQ", NULL, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_nlines(&r.at), 1);
    assert_int_equal(strlen(cfota_at_line(&r.at, 0)), CFOTA_AT_LINE_MAX);
    assert_int_equal(r.at.urc_count, 1);
    assert_true(r.at.urc[r.at.urc_head].cut);
    assert_int_equal(strlen(r.at.urc[r.at.urc_head].text), CFOTA_AT_URC_LEN - 1);
    assert_true(cfota_at_stray(&r.at) >= 2);  /* the garbage lines */
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CSQ", "+CSQ:", 1000), CFOTA_CTL_OK);
    assert_string_equal(cfota_at_find(&r.at, "+CSQ:"), "20,0");
    rig_end(&r);
}

static void test_byte_by_byte(void **state)
{
    static const struct fake_step s[] = {
        CMD("AT+CGMR", "AT+CGMR\r\r\n1752B05SIM7020C\r\n\r\nOK\r\n\r\n+CFOTA: Update fail\r\n"),
        CMD("AT+CFLW=0,0,2,0,30", "\r\n> "), DATA(2, OKR, 0),
        END};
    struct rig r;
    struct cfota_at_urc u;
    (void)state;
    rig_start(&r, s);
    r.f.max_read = 1;
    assert_int_equal(cfota_at_cmd(&r.at, "AT+CGMR", NULL, 1000), CFOTA_CTL_OK);
    assert_string_equal(cfota_at_line(&r.at, 0), "1752B05SIM7020C");
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,2,0,30", "hi", 2, 1000, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 1);
    assert_string_equal(u.text, "+CFOTA: Update fail");
    rig_end(&r);
}

static void test_urc_queue_keeps_the_newest(void **state)
{
    static const struct fake_step s[] = {
        /* URCs pile up while a command runs and nobody reads the queue. */
        CMD("AT", "\r\n+CGREG: 1\r\n\r\n+CGREG: 2\r\n\r\n+CGREG: 3\r\n\r\n+CGREG: 4\r\n"
                  "\r\n+CGREG: 5\r\n\r\n+CGREG: 6\r\n\r\n+CGREG: 7\r\n\r\n+CGREG: 8\r\n" OKR),
        END};
    struct rig r;
    struct cfota_at_urc u;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT", NULL, 1000), CFOTA_CTL_OK);
    assert_int_equal(cfota_at_poll(&r.at, 0), CFOTA_AT_URC_SLOTS);
    assert_int_equal(cfota_at_lost(&r.at), 8 - CFOTA_AT_URC_SLOTS);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 1);
    assert_string_equal(u.text, "+CGREG: 3");
    cfota_at_urc_clear(&r.at);
    assert_int_equal(cfota_at_urc_pop(&r.at, &u), 0);
    rig_end(&r);
}

static void test_link_failures_and_bad_commands(void **state)
{
    static const struct fake_step s[] = {END};
    struct rig r;
    (void)state;
    rig_start(&r, s);
    assert_int_equal(cfota_at_cmd(&r.at, "AT\r+CGMR", NULL, 1000), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_at_cmd(&r.at, "", NULL, 1000), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_at_cmd(&r.at, NULL, NULL, 1000), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_at_cmd_data(&r.at, "AT+CFLW=0,0,1,0,30", NULL, 1, 10, 10), CFOTA_CTL_E_INVAL);
    r.f.fail_write = 1;
    assert_int_equal(cfota_at_cmd(&r.at, "AT", NULL, 1000), CFOTA_CTL_E_IO);
    r.f.fail_write = 0;
    r.f.fail_read = 1;
    assert_int_equal(cfota_at_cmd(&r.at, "AT", NULL, 1000), CFOTA_CTL_E_IO);
    assert_int_equal(cfota_at_poll(&r.at, 10), CFOTA_CTL_E_IO);
    r.f.fail_read = 0;
    r.f.pos = 0;
    r.f.mismatch = 0;  /* the "AT" lines above were not in the script */
    rig_end(&r);
}

static void test_fields(void **state)
{
    const char *cops = " 0,0,\"CHN-UNICOM\",9";
    const char *rdp = "1,5,\"shnbiot\",\"10.250.0.213.255.255.255.0\"";
    char buf[32];
    uint32_t v;
    int32_t i;
    (void)state;
    assert_int_equal(cfota_at_field_uint(cops, 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cfota_at_field_str(cops, 2, buf, sizeof buf), 10);
    assert_string_equal(buf, "CHN-UNICOM");
    assert_int_equal(cfota_at_field_uint(cops, 3, &v), 0);
    assert_int_equal(v, 9);
    assert_int_equal(cfota_at_field_uint(cops, 4, &v), -1);
    assert_int_equal(cfota_at_field_uint(cops, 2, &v), -1);
    assert_int_equal(cfota_at_field_str(rdp, 3, buf, sizeof buf), 26);
    assert_string_equal(buf, "10.250.0.213.255.255.255.0");
    assert_int_equal(cfota_at_field_str(rdp, 3, buf, 8), -1);
    assert_string_equal(buf, "");
    assert_int_equal(cfota_at_field_int("0,-5", 1, &i), 0);
    assert_int_equal(i, -5);
    assert_int_equal(cfota_at_field_uint("4294967295", 0, &v), 0);
    assert_int_equal(v, 4294967295u);
    assert_int_equal(cfota_at_field_uint("4294967296", 0, &v), -1);
    assert_int_equal(cfota_at_field_uint("", 0, &v), -1);
    assert_int_equal(cfota_at_field_uint(NULL, 0, &v), -1);
    assert_int_equal(cfota_at_field_str("\"a,b\",c", 0, buf, sizeof buf), 3);
    assert_string_equal(buf, "a,b");
    assert_int_equal(cfota_at_field_str("\"a,b\",c", 1, buf, sizeof buf), 1);
    assert_string_equal(buf, "c");
    assert_int_equal(cfota_at_field_str("\"unterminated", 0, buf, sizeof buf), 12);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cfota_ctl_error_name(CFOTA_CTL_E_RESET), "module reset unexpectedly");
    assert_string_equal(cfota_ctl_error_name(42), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_info_lines_with_and_without_echo),
        cmocka_unit_test(test_errors_in_every_cmee_form),
        cmocka_unit_test(test_timeout_and_late_answer),
        cmocka_unit_test(test_urcs_inside_answers_and_expect_prefix),
        cmocka_unit_test(test_data_prompt_forms),
        cmocka_unit_test(test_reset_ends_a_pending_command),
        cmocka_unit_test(test_garbage_and_overlong_lines),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_urc_queue_keeps_the_newest),
        cmocka_unit_test(test_link_failures_and_bad_commands),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
