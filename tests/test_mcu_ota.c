/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_ota.c: the over-the-air update (note section 4,
 * cfota_ctl_ota) against the scripted fake module: the note's successful
 * trace, each failure URC of section 4.2 (no update package, download
 * pause, download fail, update fail), a reset in the middle of the
 * download, no PDP context, a requested version, a download that never
 * ends, and a cancel while the module downloads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/fota_ctl.h"
#include "mcu_fake.h"

#define V1 "\r\n1752B05SIM7020C\r\n" OKR
#define V2 "\r\n1752B06SIM7020C\r\n" OKR
#define HEAD PROBE, CMD("AT+IPR=115200", OKR), CMD("AT+CGACT?", "\r\n+CGACT: 1,1\r\n" OKR), \
             CMD("AT+CGMR", V1)
#define DL_START "\r\n+CFOTA: Start to download new package\r\n"
#define DL_DONE "\r\n+CFOTA: Download completed\r\n"
#define UP_START "\r\n+CFOTA: Start to update,please wait for reset\r\n"
#define BOOT "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n"

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    struct cfota_ctl_report rep;
};

static int run(struct rig *r, const struct fake_step *steps, const char *version)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    assert_int_equal(cfota_ctl_init(&r->ctl, &r->cfg), CFOTA_CTL_OK);
    return cfota_ctl_ota(&r->ctl, version, &r->rep);
}

static void test_note_4_1_success(void **state)
{
    const struct fake_step s[] = {
        HEAD,
        CMD("AT+CFOTA=1", OKR),
        EMIT(DL_START, 2000), EMIT(DL_DONE, 300000), EMIT(UP_START, 100),
        EMIT(BOOT, 5000), EMIT("\r\n+CFOTA: Update successfully\r\n", 400000),
        EMIT("\r\n+CPIN: READY\r\n", 1000),
        PROBE, CMD("AT+CGMR", V2), CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, NULL), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.result_urc, 1);
    assert_int_equal(r.rep.reported, 1);
    assert_string_equal(r.rep.before, "1752B05SIM7020C");
    assert_string_equal(r.rep.after, "1752B06SIM7020C");
}

static void test_note_4_2_download_failures(void **state)
{
    static const struct {
        const char *urc;
        int result;
    } cases[] = {
        {"\r\n+CFOTA: No update package\r\n", CFOTA_CTL_E_NO_PACKAGE},
        {DL_START "\r\n+CFOTA: Download pause\r\n", CFOTA_CTL_E_DOWNLOAD_PAUSE},
        {DL_START "\r\n+CFOTA: Download fail\r\n", CFOTA_CTL_E_DOWNLOAD_FAIL},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fake_step s[] = {HEAD, CMD("AT+CFOTA=1", OKR), EMIT(cases[i].urc, 5000), END};
        struct rig r;
        assert_int_equal(run(&r, s, NULL), cases[i].result);
        assert_true(fake_ok(&r.f));
        assert_int_equal(r.rep.step, CFOTA_CTL_STEP_DOWNLOAD);
    }
}

static void test_note_4_2_update_fail(void **state)
{
    const struct fake_step s[] = {
        HEAD,
        CMD("AT+CFOTA=1", OKR),
        EMIT(DL_START, 2000), EMIT(DL_DONE, 1000),
        EMIT("\r\n+CFOTA: Start to update, please wait for reset\r\n", 100),
        EMIT(BOOT "\r\n+CFOTA: Update fail\r\n\r\n+CPIN: READY\r\n", 5000),
        PROBE, CMD("AT+CGMR", V1), CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, NULL), CFOTA_CTL_E_UPDATE_FAIL);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.result_urc, 2);
    assert_int_equal(r.rep.reported, 1);
}

static void test_reset_during_download(void **state)
{
    const struct fake_step s[] = {
        HEAD,
        CMD("AT+CFOTA=1", OKR),
        EMIT(DL_START, 2000), EMIT(BOOT "\r\n+CPIN: READY\r\n", 1000),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, NULL), CFOTA_CTL_E_RESET);
    assert_true(fake_ok(&r.f));
}

static void test_no_pdp_and_refused_trigger(void **state)
{
    const struct fake_step nopdp[] = {
        PROBE, CMD("AT+IPR=115200", OKR), CMD("AT+CGACT?", "\r\n+CGACT: 1,0\r\n" OKR), END};
    const struct fake_step refused[] = {HEAD, CMD("AT+CFOTA=1", "\r\n+CME ERROR: 3\r\n"), END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, nopdp, NULL), CFOTA_CTL_E_NO_PDP);
    assert_true(fake_ok(&r.f));
    assert_int_equal(run(&r, refused, NULL), CFOTA_CTL_E_CME);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.cme, 3);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_TRIGGER);
}

static void test_requested_version(void **state)
{
    const struct fake_step ok[] = {
        HEAD,
        CMD("AT+CFOTA=1,\"1752B06SIM7020C\"", OKR),
        EMIT(DL_START DL_DONE UP_START, 1000),
        EMIT(BOOT "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n", 5000),
        PROBE, CMD("AT+CGMR", V2), CMD("AT+CFOTA=4", OKR),
        END};
    const struct fake_step other[] = {
        HEAD,
        CMD("AT+CFOTA=1,\"1752B07SIM7020C\"", OKR),
        EMIT(DL_START DL_DONE UP_START, 1000),
        EMIT(BOOT "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n", 5000),
        PROBE, CMD("AT+CGMR", V2), CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, ok, "1752B06SIM7020C"), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_int_equal(run(&r, other, "1752B07SIM7020C"), CFOTA_CTL_E_VERSION);
    assert_true(fake_ok(&r.f));
    {
        const struct fake_step none[] = {END};
        fake_init(&r.f, none);  /* refused before any command */
        assert_int_equal(cfota_ctl_ota(&r.ctl, "bad\"version", &r.rep), CFOTA_CTL_E_INVAL);
        assert_int_equal(cfota_ctl_ota(&r.ctl, "", &r.rep), CFOTA_CTL_E_INVAL);
        assert_true(fake_ok(&r.f));
    }
}

static void test_download_timeout_and_cancel(void **state)
{
    const struct fake_step s[] = {HEAD, CMD("AT+CFOTA=1", OKR), EMIT(DL_START, 1000), END};
    struct rig r;
    (void)state;
    fake_init(&r.f, s);
    fake_config(&r.f, &r.cfg);
    r.cfg.download_ms = 60000;
    assert_int_equal(cfota_ctl_init(&r.ctl, &r.cfg), CFOTA_CTL_OK);
    assert_int_equal(cfota_ctl_ota(&r.ctl, NULL, &r.rep), CFOTA_CTL_E_TIMEOUT);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_DOWNLOAD);

    fake_init(&r.f, s);
    r.f.cancel_at_step = CFOTA_CTL_STEP_DOWNLOAD;
    assert_int_equal(cfota_ctl_ota(&r.ctl, NULL, &r.rep), CFOTA_CTL_E_CANCELLED);
    assert_true(fake_ok(&r.f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_4_1_success),
        cmocka_unit_test(test_note_4_2_download_failures),
        cmocka_unit_test(test_note_4_2_update_fail),
        cmocka_unit_test(test_reset_during_download),
        cmocka_unit_test(test_no_pdp_and_refused_trigger),
        cmocka_unit_test(test_requested_version),
        cmocka_unit_test(test_download_timeout_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
