/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_bearer.c: the bearer check and APN configuration (note
 * section 3, cfota_ctl_bearer) against the scripted fake module: the
 * note's traces of 3.1 and 3.2, a SIM that needs a PIN or is absent, a
 * module that never registers or is denied, and an APN that cannot be sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/fota_ctl.h"
#include "mcu_fake.h"

#define CHECK_31 CMD("AT+CPIN?", "\r\n+CPIN:READY\r\n" OKR), CMD("AT+CSQ", "\r\n+CSQ: 20,0\r\n" OKR), \
    CMD("AT+CGREG?", "\r\n+CGREG: 0,1\r\n" OKR), CMD("AT+CGACT?", "\r\n+CGACT: 1,1\r\n" OKR), \
    CMD("AT+COPS?", "\r\n+COPS: 0,0,\"CHN-UNICOM\",9\r\n" OKR)
#define RDP_SHNBIOT CMD("AT+CGCONTRDP", "\r\n+CGCONTRDP: 1,5,\"shnbiot\",\"10.250.0.213.255.255.255.0\"\r\n" OKR)

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    struct cfota_ctl_report rep;
    struct cfota_ctl_bearer_info info;
};

static int run(struct rig *r, const struct fake_step *steps, const char *apn)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    r->cfg.register_ms = 5000;
    assert_int_equal(cfota_ctl_init(&r->ctl, &r->cfg), CFOTA_CTL_OK);
    return cfota_ctl_bearer(&r->ctl, apn, &r->info, &r->rep);
}

static void test_note_3_1(void **state)
{
    const struct fake_step s[] = {PROBE, CHECK_31, RDP_SHNBIOT, END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, NULL), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.info.rssi, 20);
    assert_int_equal(r.info.ber, 0);
    assert_int_equal(r.info.reg_stat, 1);
    assert_int_equal(r.info.cid, 1);
    assert_int_equal(r.info.act, 9);
    assert_string_equal(r.info.oper, "CHN-UNICOM");
    assert_string_equal(r.info.apn, "shnbiot");
    assert_string_equal(r.info.addr, "10.250.0.213.255.255.255.0");
    assert_int_equal(r.info.apn_set, 0);
    /* The same APN in another case is the same APN: nothing to change. */
    assert_int_equal(run(&r, s, "SHNBIOT"), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
}

static void test_note_3_2(void **state)
{
    const struct fake_step s[] = {
        PROBE, CHECK_31, RDP_SHNBIOT,
        CMD("AT+CFUN=0", "\r\n+CPIN: NOT READY\r\n" OKR),
        CMD("AT*MCGDEFCONT=\"IP\",\"3GNET\"", OKR),
        CMD("AT+CFUN=1", OKR), EMIT("\r\n+CPIN: READY\r\n", 500),
        CMD("AT+CPIN?", "\r\n+CPIN: READY\r\n" OKR), CMD("AT+CSQ", "\r\n+CSQ: 20,0\r\n" OKR),
        CMD("AT+CGREG?", "\r\n+CGREG: 0,2\r\n" OKR),
        CMD("AT+CGREG?", "\r\n+CGREG: 0,1\r\n" OKR),
        CMD("AT+CGACT?", "\r\n+CGACT: 1,0\r\n" OKR),
        CMD("AT+CGACT?", "\r\n+CGACT: 1,1\r\n" OKR),
        CMD("AT+COPS?", "\r\n+COPS: 0,0,\"CHN-UNICOM\",9\r\n" OKR),
        CMD("AT+CGCONTRDP", "\r\n+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\"\r\n" OKR),
        END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, s, "3GNET"), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.info.apn_set, 1);
    assert_string_equal(r.info.apn, "3GNET");
    assert_string_equal(r.info.addr, "10.250.0.253.255.255.255.0");
}

static void test_sim_problems(void **state)
{
    const struct fake_step pin[] = {PROBE, CMD("AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n" OKR), END};
    const struct fake_step absent[] = {PROBE, CMD("AT+CPIN?", "\r\n+CME ERROR: 10\r\n"), END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, pin, "3GNET"), CFOTA_CTL_E_SIM);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_SIM);
    assert_int_equal(run(&r, absent, NULL), CFOTA_CTL_E_SIM);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.rep.cme, 10);
}

static void test_registration_problems(void **state)
{
    const struct fake_step never[] = {
        PROBE, CMD("AT+CPIN?", "\r\n+CPIN: READY\r\n" OKR), CMD("AT+CSQ", "\r\n+CSQ: 99,99\r\n" OKR),
        CMDN("AT+CGREG?", "\r\n+CGREG: 0,2\r\n" OKR, 6), END};
    const struct fake_step denied[] = {
        PROBE, CMD("AT+CPIN?", "\r\n+CPIN: READY\r\n" OKR), CMD("AT+CSQ", "\r\n+CSQ: 5,0\r\n" OKR),
        CMD("AT+CGREG?", "\r\n+CGREG: 0,3\r\n" OKR), END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, never, NULL), CFOTA_CTL_E_NOT_REGISTERED);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.info.rssi, 99);
    assert_int_equal(r.info.reg_stat, 2);
    assert_int_equal(run(&r, denied, NULL), CFOTA_CTL_E_NOT_REGISTERED);
    assert_true(fake_ok(&r.f));
    assert_int_equal(r.info.reg_stat, 3);
}

static void test_bad_apn(void **state)
{
    const struct fake_step none[] = {END};
    struct rig r;
    (void)state;
    assert_int_equal(run(&r, none, "a\"b"), CFOTA_CTL_E_INVAL);
    assert_int_equal(run(&r, none, ""), CFOTA_CTL_E_INVAL);
    assert_int_equal(run(&r, none, "0123456789012345678901234567890123456789012345678901234567890123"),
                     CFOTA_CTL_E_INVAL);
    assert_true(fake_ok(&r.f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_3_1),
        cmocka_unit_test(test_note_3_2),
        cmocka_unit_test(test_sim_problems),
        cmocka_unit_test(test_registration_problems),
        cmocka_unit_test(test_bad_apn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
