/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_upload.c: the hardware-interface update (note section 5,
 * cfota_ctl_upload) against the scripted fake module: the exact commands
 * (CFLE block count, CFLW chunks and offsets, CFOTA=5 with the MD5 of the
 * bytes), the bytes that land in the module's partition, and every
 * failure: CFLW ERROR and timeout then retry, a chunk that fails every
 * retry (restart from CFLE), a module that resets during the upload,
 * AT+CFOTA=5 refused, update fail, no result URC, garbage and unexpected
 * URCs on the line, a package too big, a failing read callback, an MD5
 * that differs from the caller's, a cancel from the progress callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota_ctl/fota_ctl.h"
#include "hash.h"
#include "mcu_fake.h"

#define PKG_LEN 1300u
#define PROMPT "\r\n> "
#define V1 "\r\n1752B05SIM7020C\r\n" OKR
#define V2 "\r\n1752B06SIM7020C\r\n" OKR
#define START5 "\r\n+CFOTA: Start to update, please wait for reset\r\n" OKR
#define BOOT "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n"
#define RESULT_OK "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n"

static uint8_t pkg[PKG_LEN];
static char md5_hex[33];
static char cfota5[80];
static int fail_read_at = -1;

static int pkg_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    if (fail_read_at >= 0 && off >= (uint32_t)fail_read_at)
        return -1;
    memcpy(buf, pkg + off, len);
    return 0;
}

static const struct cfota_ctl_source src = {NULL, pkg_read, PKG_LEN};

struct rig {
    struct fake f;
    struct cfota_ctl_config cfg;
    struct cfota_ctl ctl;
    struct cfota_ctl_report rep;
};

static int setup(void **state)
{
    uint8_t d[16];
    size_t i;
    (void)state;
    for (i = 0; i < PKG_LEN; i++)
        pkg[i] = (uint8_t)(i * 7 + (i >> 8));
    pkg[5] = '\r';  /* bytes the line framing must not touch */
    pkg[6] = '>';
    host_md5(pkg, PKG_LEN, d);
    host_hex(d, 16, md5_hex);
    strcpy(cfota5, "AT+CFOTA=5,1300,");
    strcat(cfota5, md5_hex);
    fail_read_at = -1;
    return 0;
}

static void rig_run(struct rig *r, const struct fake_step *steps)
{
    fake_init(&r->f, steps);
    fake_config(&r->f, &r->cfg);
    assert_int_equal(cfota_ctl_init(&r->ctl, &r->cfg), CFOTA_CTL_OK);
}

static void rig_end(struct rig *r)
{
    assert_true(fake_ok(&r->f));
}

static void test_upload_success(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMDD(cfota5, START5, 1000),
        EMIT(BOOT, 3000), EMIT(RESULT_OK, 60000),
        PROBE,
        CMD("AT+CGMR", V2),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, md5_hex, "1752B06SIM7020C", &r.rep), CFOTA_CTL_OK);
    rig_end(&r);
    assert_memory_equal(r.f.flash, pkg, PKG_LEN);
    assert_int_equal(r.rep.result, CFOTA_CTL_OK);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_REPORT);
    assert_int_equal(r.rep.bytes, PKG_LEN);
    assert_int_equal(r.rep.retries, 0);
    assert_int_equal(r.rep.result_urc, 1);
    assert_int_equal(r.rep.rebooted, 1);
    assert_int_equal(r.rep.reported, 1);
    assert_string_equal(r.rep.md5, md5_hex);
    assert_string_equal(r.rep.before, "1752B05SIM7020C");
    assert_string_equal(r.rep.after, "1752B06SIM7020C");
    assert_true(r.f.progress_calls > 3);
}

static void test_cflw_error_and_timeout_then_retry(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, "\r\nERROR\r\n", 30000),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, NULL, 0),  /* the OK never comes */
        CMD("AT+CFLW=0,0,512,512,30", NULL),                        /* nor the prompt */
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT(RESULT_OK, 60000),
        PROBE,
        CMD("AT+CGMR", V2),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_OK);
    rig_end(&r);
    assert_memory_equal(r.f.flash, pkg, PKG_LEN);
    assert_int_equal(r.rep.retries, 3);
    assert_int_equal(r.rep.restarts, 0);
}

static void test_chunk_failing_every_retry_restarts_from_erase(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", "\r\n+CME ERROR: 3\r\n"),
        CMD("AT+CFLW=0,0,512,512,30", "\r\n+CME ERROR: 3\r\n"),
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT(RESULT_OK, 60000),
        PROBE,
        CMD("AT+CGMR", V2),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    r.cfg.retries = 1;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, md5_hex, NULL, &r.rep), CFOTA_CTL_OK);
    rig_end(&r);
    assert_int_equal(r.rep.retries, 1);
    assert_int_equal(r.rep.restarts, 1);
    assert_string_equal(r.rep.md5, md5_hex);
}

static void test_chunk_failing_for_good(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMDN("AT+CFLW=0,0,512,0,30", "\r\n+CME ERROR: 3\r\n", 2),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    r.cfg.retries = 1;
    r.cfg.restarts = CFOTA_CTL_NO_RESTART;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_WRITE);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_WRITE);
    assert_int_equal(r.rep.cme, 3);
    assert_int_equal(r.rep.at_status, CFOTA_CTL_E_CME);
}

static void test_module_resets_during_upload(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT),
        DATA(512, BOOT "\r\n+CPIN: READY\r\n", 2000),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_RESET);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_WRITE);
    assert_int_equal(r.rep.bytes, 512);
}

static void test_garbage_and_unexpected_urcs(void **state)
{
    static const char noise[] = "\r\n\xff\xfe\0garbage\r\n\r\n+CFOTA: Download fail\r\n\r\n+CGREG: 1\r\n";
    const struct fake_step s[] = {
        EMITN(noise, sizeof noise - 1, 0),
        PROBE,
        CMD("AT+CFLE=0,0,1", "\r\n+CHTTPERR: 0,-2\r\n" OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", "\r\n+CGREG: 2\r\n\r\n> "), DATA(512, OKR, 10),
        EMITN(noise, sizeof noise - 1, 5),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, "\r\nSMS Ready\r\n" OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR "\r\n+CFOTA: Update successfully\r\n", 10),
        CMD("AT+CGMR", "\r\n\x01\x02\r\n" V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT("\r\n+CEREG: 1\r\n", 10), EMIT(RESULT_OK, 60000),
        PROBE,
        CMD("AT+CGMR", V2),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_OK);
    rig_end(&r);
    assert_memory_equal(r.f.flash, pkg, PKG_LEN);
    assert_string_equal(r.rep.before, "1752B05SIM7020C");
}

static void test_cfota5_rejected(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, "\r\n+CME ERROR: 767\r\n"),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_REJECTED);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_TRIGGER);
    assert_int_equal(r.rep.cme, 767);
}

static void test_update_fail_and_no_result(void **state)
{
    const struct fake_step fail[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT("\r\n+CFOTA: Update fail\r\n\r\n+CPIN: READY\r\n", 60000),
        PROBE,
        CMD("AT+CGMR", V1),
        CMD("AT+CFOTA=4", OKR),
        END};
    /* The same with no result URC: the version decides. */
    const struct fake_step silent[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT("\r\n+CPIN: READY\r\n", 60000),
        PROBE,
        CMD("AT+CGMR", V2),
        CMD("AT+CFOTA=4", "\r\nERROR\r\n"),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, fail);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_UPDATE_FAIL);
    rig_end(&r);
    assert_int_equal(r.rep.result_urc, 2);
    assert_int_equal(r.rep.reported, 1);

    rig_run(&r, silent);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_OK);
    rig_end(&r);
    assert_int_equal(r.rep.result_urc, 0);
    assert_int_equal(r.rep.reported, 0);
    assert_string_equal(r.rep.after, "1752B06SIM7020C");
}

static void test_wrong_version_after_success(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),
        EMIT(BOOT, 3000), EMIT(RESULT_OK, 60000),
        PROBE,
        CMD("AT+CGMR", V1),
        CMD("AT+CFOTA=4", OKR),
        END};
    struct rig r;
    (void)state;
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_VERSION);
    rig_end(&r);
}

static void test_update_timeout(void **state)
{
    const struct fake_step s[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        CMD("AT+CGMR", V1),
        CMD(cfota5, START5),  /* and then nothing, ever */
        END};
    struct rig r;
    uint32_t t0;
    (void)state;
    rig_run(&r, s);
    r.cfg.update_ms = 600000;
    t0 = r.f.now;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_TIMEOUT);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_UPDATE);
    assert_true(r.f.now - t0 >= 600000);
}

static void test_refusals_before_any_write(void **state)
{
    const struct fake_step none[] = {END};
    const struct fake_step probe_only[] = {CMDN("AT", NULL, 5), END};
    const struct fake_step md5_bad[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,512,512,30", PROMPT), DATA(512, OKR, 10),
        CMD("AT+CFLW=0,0,276,1024,30", PROMPT), DATA(276, OKR, 10),
        END};
    const struct fake_step read_fail[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        END};
    const struct fake_step cancel[] = {
        PROBE,
        CMD("AT+CFLE=0,0,1", OKR),
        CMD("AT+IPR=115200", OKR),
        CMD("AT+CFLW=0,0,512,0,30", PROMPT), DATA(512, OKR, 10),
        END};
    struct cfota_ctl_source big = src;
    struct rig r;
    (void)state;

    rig_run(&r, none);
    big.len = CFOTA_CTL_PACKAGE_MAX + 1;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &big, NULL, NULL, &r.rep), CFOTA_CTL_E_TOO_BIG);
    big.len = 0;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &big, NULL, NULL, &r.rep), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, "xyz", NULL, &r.rep), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_ctl_upload(&r.ctl, NULL, NULL, NULL, &r.rep), CFOTA_CTL_E_INVAL);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, NULL), CFOTA_CTL_E_INVAL);
    rig_end(&r);

    rig_run(&r, probe_only);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_NO_MODULE);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_PROBE);

    rig_run(&r, md5_bad);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, "00112233445566778899AABBCCDDEEFF", NULL, &r.rep),
                     CFOTA_CTL_E_MD5);
    rig_end(&r);
    assert_string_equal(r.rep.md5, md5_hex);

    rig_run(&r, read_fail);
    fail_read_at = 512;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_SOURCE);
    rig_end(&r);
    fail_read_at = -1;

    rig_run(&r, cancel);
    r.f.cancel_at_step = CFOTA_CTL_STEP_WRITE;
    assert_int_equal(cfota_ctl_upload(&r.ctl, &src, NULL, NULL, &r.rep), CFOTA_CTL_E_CANCELLED);
    rig_end(&r);
    assert_int_equal(r.rep.bytes, 512);
}

static int mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    memcpy(buf, (const uint8_t *)ctx + off, len);
    return 0;
}

static void test_big_package_block_count(void **state)
{
    /* The note's 31047-byte package: 8 blocks, 61 chunks, the last 327. */
    static uint8_t big[31047];
    static struct fake_step s[140];
    static char cmds[61][40];
    struct cfota_ctl_source bsrc = {big, mem_read, sizeof big};
    size_t n = 0, i;
    struct rig r;
    (void)state;
    for (i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13 + 1);
    s[n++] = (struct fake_step)CMD("AT", OKR);
    s[n++] = (struct fake_step)CMD("ATE0", OKR);
    s[n++] = (struct fake_step)CMD("AT+CMEE=1", OKR);
    s[n++] = (struct fake_step)CMD("AT+CFLE=0,0,8", OKR);
    s[n++] = (struct fake_step)CMD("AT+IPR=115200", OKR);
    for (i = 0; i * 512 < sizeof big; i++) {
        size_t len = sizeof big - i * 512 < 512 ? sizeof big - i * 512 : 512;
        snprintf(cmds[i], sizeof cmds[i], "AT+CFLW=0,0,%u,%u,30", (unsigned)len, (unsigned)(i * 512));
        s[n++] = (struct fake_step)CMD(cmds[i], PROMPT);
        s[n++] = (struct fake_step)DATA(len, OKR, 0);
    }
    assert_int_equal(i, 61);
    assert_string_equal(cmds[60], "AT+CFLW=0,0,327,30720,30");
    s[n++] = (struct fake_step)CMD("AT+CGMR", NULL);  /* the module goes quiet */
    s[n] = (struct fake_step){F_END, NULL, 0, NULL, 0, 0, 0};
    rig_run(&r, s);
    assert_int_equal(cfota_ctl_upload(&r.ctl, &bsrc, NULL, NULL, &r.rep), CFOTA_CTL_E_TIMEOUT);
    rig_end(&r);
    assert_int_equal(r.rep.step, CFOTA_CTL_STEP_VERSION);
    assert_int_equal(r.rep.bytes, sizeof big);
    assert_memory_equal(r.f.flash, big, sizeof big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_upload_success, setup),
        cmocka_unit_test_setup(test_cflw_error_and_timeout_then_retry, setup),
        cmocka_unit_test_setup(test_chunk_failing_every_retry_restarts_from_erase, setup),
        cmocka_unit_test_setup(test_chunk_failing_for_good, setup),
        cmocka_unit_test_setup(test_module_resets_during_upload, setup),
        cmocka_unit_test_setup(test_garbage_and_unexpected_urcs, setup),
        cmocka_unit_test_setup(test_cfota5_rejected, setup),
        cmocka_unit_test_setup(test_update_fail_and_no_result, setup),
        cmocka_unit_test_setup(test_wrong_version_after_success, setup),
        cmocka_unit_test_setup(test_update_timeout, setup),
        cmocka_unit_test_setup(test_refusals_before_any_write, setup),
        cmocka_unit_test_setup(test_big_package_block_count, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
