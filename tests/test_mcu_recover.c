/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_recover.c: a controller that restarted in the middle of
 * an update finds out where the module stands (cfota_ctl_status) and
 * finishes (cfota_ctl_wait_update), against the scripted fake module:
 * each row of the decision table in docs/controller.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/fota_ctl.h"
#include "mcu_fake.h"

#define OLD "1752B05SIM7020C"
#define NEW "1752B06SIM7020C"
#define V1 "\r\n" OLD "\r\n" OKR
#define V2 "\r\n" NEW "\r\n" OKR
#define IPR CMD("AT+IPR?", "\r\n+IPR: 115200\r\n" OKR)
#define BOOT "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n"

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    struct cfota_ctl_status st;
};

static void status(struct rig *r, const struct fake_step *steps, const char *old_v, const char *new_v)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    assert_int_equal(cfota_ctl_init(&r->ctl, &r->cfg), CFOTA_CTL_OK);
    assert_int_equal(cfota_ctl_status(&r->ctl, old_v, new_v, 3000, &r->st), CFOTA_CTL_OK);
}

static void test_rows_with_a_module_that_answers(void **state)
{
    static const struct {
        const char *urcs;  /* what arrives while the controller listens */
        const char *version;
        const char *old_v, *new_v;
        int st, action;
    } rows[] = {
        {NULL, V2, OLD, NEW, CFOTA_CTL_STATE_UPDATED, CFOTA_CTL_DO_REPORT},
        {NULL, V1, OLD, NEW, CFOTA_CTL_STATE_OLD, CFOTA_CTL_DO_START},
        {NULL, "\r\n1752B09SIM7020C\r\n" OKR, OLD, NEW, CFOTA_CTL_STATE_UNKNOWN, CFOTA_CTL_DO_STOP},
        {NULL, V1, NULL, NULL, CFOTA_CTL_STATE_IDLE, CFOTA_CTL_DO_NOTHING},
        {"\r\n+CFOTA: Start to download new package\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_DOWNLOADING,
         CFOTA_CTL_DO_WAIT},
        {"\r\n+CFOTA: Download completed\r\n", V1, OLD, NULL, CFOTA_CTL_STATE_DOWNLOADING, CFOTA_CTL_DO_WAIT},
        {"\r\n+CFOTA: Download pause\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_PAUSED, CFOTA_CTL_DO_START},
        {"\r\n+CFOTA: No update package\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_FAILED, CFOTA_CTL_DO_START},
        {"\r\n+CFOTA: Download fail\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_FAILED, CFOTA_CTL_DO_START},
        {BOOT "\r\n+CFOTA: Update fail\r\n\r\n+CPIN: READY\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_FAILED,
         CFOTA_CTL_DO_REPORT},
        {BOOT "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n", V2, OLD, NEW,
         CFOTA_CTL_STATE_UPDATED, CFOTA_CTL_DO_REPORT},
        {BOOT "\r\n+CFOTA: Update successfully\r\n", V2, NULL, NULL, CFOTA_CTL_STATE_UPDATED,
         CFOTA_CTL_DO_REPORT},
        /* An ordinary power-on boot is no FOTA activity. */
        {BOOT "\r\n+CPIN: READY\r\n", V1, OLD, NEW, CFOTA_CTL_STATE_OLD, CFOTA_CTL_DO_START},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct fake_step s[] = {
            EMIT(rows[i].urcs, 500), PROBE, CMD("AT+CGMR", rows[i].version), IPR, END};
        struct rig r;
        status(&r, rows[i].urcs ? s : s + 1, rows[i].old_v, rows[i].new_v);
        assert_true(fake_ok(&r.f));
        assert_int_equal(r.st.state, rows[i].st);
        assert_int_equal(r.st.action, rows[i].action);
        assert_int_equal(r.st.ipr, 115200);
        assert_int_equal(r.st.ipr_known, 1);
    }
}

static void test_silent_module_then_wait(void **state)
{
    const struct fake_step s[] = {
        CMDN("AT", NULL, 5),
        /* the module was applying the update; it comes back */
        EMIT(BOOT, 20000), EMIT("\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n", 60000),
        PROBE, CMD("AT+CGMR", V2), CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    struct cfota_ctl_report rep;
    (void)state;
    status(&r, s, OLD, NEW);
    assert_int_equal(r.st.state, CFOTA_CTL_STATE_SILENT);
    assert_int_equal(r.st.action, CFOTA_CTL_DO_WAIT);
    assert_string_equal(r.st.version, "");
    memset(&rep, 0, sizeof rep);
    strcpy(rep.before, OLD);
    assert_int_equal(cfota_ctl_wait_update(&r.ctl, NEW, &rep), CFOTA_CTL_OK);
    assert_true(fake_ok(&r.f));
    assert_string_equal(rep.before, OLD);
    assert_string_equal(rep.after, NEW);
    assert_int_equal(rep.reported, 1);
}

static void test_downloading_then_wait(void **state)
{
    const struct fake_step s[] = {
        EMIT("\r\n+CFOTA: Start to download new package\r\n", 500),
        PROBE, CMD("AT+CGMR", V1), IPR,
        EMIT("\r\n+CFOTA: Download completed\r\n", 50000),
        EMIT("\r\n+CFOTA: Start to update, please wait for reset\r\n", 100),
        EMIT(BOOT "\r\n+CFOTA: Update fail\r\n\r\n+CPIN: READY\r\n", 5000),
        PROBE, CMD("AT+CGMR", V1), CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    struct cfota_ctl_report rep;
    (void)state;
    status(&r, s, OLD, NEW);
    assert_int_equal(r.st.state, CFOTA_CTL_STATE_DOWNLOADING);
    memset(&rep, 0xAA, sizeof rep);  /* garbage in before must not matter */
    assert_int_equal(cfota_ctl_wait_update(&r.ctl, NEW, &rep), CFOTA_CTL_E_UPDATE_FAIL);
    assert_true(fake_ok(&r.f));
    assert_int_equal(rep.result_urc, 2);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cfota_ctl_error_name(CFOTA_CTL_E_NO_PACKAGE), "no update package");
    assert_string_equal(cfota_ctl_error_name(CFOTA_CTL_E_CANCELLED), "cancelled");
    assert_string_equal(cfota_ctl_error_name(-99), "unknown status");
    assert_string_equal(cfota_ctl_error_name(5), "unknown status");
    assert_string_equal(cfota_ctl_step_name(CFOTA_CTL_STEP_REPORT), "report");
    assert_string_equal(cfota_ctl_state_name(CFOTA_CTL_STATE_UNKNOWN), "unknown version");
    assert_string_equal(cfota_ctl_action_name(CFOTA_CTL_DO_STOP), "stop");
    assert_int_equal(cfota_ctl_fota_event("+CFOTA: Start to update,please wait for reset"),
                     CFOTA_EV_UPDATE_START);
    assert_int_equal(cfota_ctl_fota_event("Update successfully"), CFOTA_EV_UPDATE_OK);
    assert_int_equal(cfota_ctl_fota_event("+CFOTA: ???"), CFOTA_EV_OTHER);
    assert_int_equal(cfota_ctl_fota_event(NULL), CFOTA_EV_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_with_a_module_that_answers),
        cmocka_unit_test(test_silent_module_then_wait),
        cmocka_unit_test(test_downloading_then_wait),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
