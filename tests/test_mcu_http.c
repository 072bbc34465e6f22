/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_http.c: the HTTP update (note section 6, cfota_ctl_http)
 * against the scripted fake module: the note's trace (with the header
 * lines of +CHTTPNMIH that carry no prefix), the client always closed,
 * +CHTTPERR, an HTTP status other than 200, a length that is not the
 * package's, the note's misspelt +CHTTPCREAT, and bad arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/fota_ctl.h"
#include "mcu_fake.h"

#define URL "http://117.131.85.139:5265/HTTP_test/test3-bin/SIM7020C_V1-SIM7020C_V2-1537247570.bin"
#define MD5 "86060c29c18b2981f8b87de61c1765b7"
#define LEN 31047u
#define OPEN CMD("AT+CHTTPCREATE=\"http://117.131.85.139:5265\"", "\r\n+CHTTPCREATE: 0\r\n" OKR), \
             CMD("AT+CHTTPCON=0", OKR)
#define TOFS "AT+CHTTPTOFS=0,\"/HTTP_test/test3-bin/SIM7020C_V1-SIM7020C_V2-1537247570.bin\""
#define CLOSE CMD("AT+CHTTPDISCON=0", OKR), CMD("AT+CHTTPDESTROY=0", OKR)
#define NMIH "\r\n+CHTTPNMIH: 0,200,287,Content-Type: application/octet-stream\r\n" \
             "Content-Length: 31047\r\nAccept-Ranges: bytes\r\nServer: HFS 2.3 beta\r\n" \
             "Set-Cookie: HFS_SID=0.699653631309047; path=/; \r\n" \
             "Last-Modified: Tue, 18 Sep 2018 05:14:19 GMT\r\n" \
             "Content-Disposition: attachment; filename=\"SIM7020C_V1-SIM7020C_V2-1537247570.bin\";\r\n"

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    struct cfota_ctl_report rep;
};

static int run(struct rig *r, const struct fake_step *steps, const char *url, uint32_t len)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    assert_int_equal(cfota_ctl_init(&r->ctl, &r->cfg), CFOTA_CTL_OK);
    return cfota_ctl_http(&r->ctl, url, len, MD5, NULL, &r->rep);
}

static void test_note_6_trace(void **state)
{
    const struct fake_step s[] = {
        PROBE, OPEN,
        CMD(TOFS, OKR),
        EMIT(NMIH, 3000),
        EMIT("\r\n+CHTTPTOFS: 0,1,31047,16384\r\n", 2000),
        EMIT("\r\n+CHTTPTOFSOK: 0,31047,31047\r\n", 2000),
        CLOSE,
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CGMR", "\r\n1752B05SIM7020C\r\n" OKR),
        CMD("AT+CFOTA=5,31047," MD5, "\r\n+CFOTA: Start to update, please wait for reset\r\n" OKR),
        EMIT("\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n", 3000),
        EMIT("\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n", 90000),
        PROBE,
        CMD("AT+CGMR", "\r\n1752B06SIM7020C_20180918\r\n" OKR),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, URL, LEN), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.http, 200);
    assert_int_equal(r.rep.bytes, LEN);
    assert_string_equal(r.rep.md5, MD5);
    assert_string_equal(r.rep.after, "1752B06SIM7020C_20180918");
}

static void test_http_failures_close_the_client(void **state)
{
    const struct fake_step err[] = {
        PROBE, OPEN, CMD(TOFS, OKR), EMIT("\r\n+CHTTPERR: 0,-2\r\n", 1000),
        CMD("AT+CHTTPDISCON=0", "\r\nERROR\r\n"), CMD("AT+CHTTPDESTROY=0", OKR), END};
    const struct fake_step notfound[] = {
        PROBE, OPEN, CMD(TOFS, OKR),
        EMIT("\r\n+CHTTPNMIH: 0,404,20,Content-Length: 0\r\n", 1000), CLOSE, END};
    const struct fake_step shorter[] = {
        PROBE, OPEN, CMD(TOFS, OKR), EMIT(NMIH "\r\n+CHTTPTOFSOK: 0,31047,30000\r\n", 1000),
        CLOSE, END};
    const struct fake_step refused[] = {
        PROBE, CMD("AT+CHTTPCREATE=\"http://117.131.85.139:5265\"", "\r\n+CHTTPCREAT: 1\r\n" OKR),
        CMD("AT+CHTTPCON=1", "\r\n+CME ERROR: 3\r\n"), CMD("AT+CHTTPDISCON=1", "\r\nERROR\r\n"),
        CMD("AT+CHTTPDESTROY=1", OKR), END};
    const struct fake_step other_client[] = {
        PROBE, OPEN, CMD(TOFS, OKR),
        EMIT("\r\n+CHTTPERR: 3,-1\r\n\r\n+CHTTPTOFSOK: 2,5,5\r\n", 1000), CLOSE, END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, err, URL, LEN), CFOTA_CTL_E_HTTP);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.http, -2);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_HTTP_GET);

    assert_int_equal(run(&r, notfound, URL, LEN), CFOTA_CTL_E_HTTP);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.http, 404);

    assert_int_equal(run(&r, shorter, URL, LEN), CFOTA_CTL_E_LENGTH);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.bytes, 30000);

    assert_int_equal(run(&r, refused, URL, LEN), CFOTA_CTL_E_CME);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_HTTP_OPEN);

    /* URCs of another client do not end ours; the time limit does. */
    fake_init(&r.f, other_client);
    r.cfg.http_ms = 20000;
    assert_int_equal(cfota_ctl_http(&r.ctl, URL, LEN, MD5, NULL, &r.rep), CFOTA_CTL_E_TIMEOUT);
    assert_true(fake_ok(&r.f));
}

static void test_bad_arguments(void **state)
{
    const struct fake_step none[] = {END};
    static const char *const urls[] = {
        "117.131.85.139:5265/x.bin", "http://", "http://host", "http://host/", "ftp://h/x", "http:///x"};
    struct rig r;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof urls / sizeof urls[0]; i++)
        assert_int_equal(run(&r, none, urls[i], LEN), CFOTA_CTL_E_INVAL);
    assert_int_equal(run(&r, none, NULL, LEN), CFOTA_CTL_E_INVAL);
    assert_int_equal(run(&r, none, URL, 0), CFOTA_CTL_E_INVAL);
    assert_int_equal(run(&r, none, URL, CFOTA_CTL_PACKAGE_MAX + 1), CFOTA_CTL_E_TOO_BIG);
    assert_int_equal(cfota_ctl_http(&r.ctl, URL, LEN, "86060c29", NULL, &r.rep), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_ctl_http(&r.ctl, URL, LEN, NULL, NULL, &r.rep), CFOTA_CTL_E_INVAL);
    assert_true(fake_ok(&r.f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_6_trace),
        cmocka_unit_test(test_http_failures_close_the_client),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
