/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_rules.c: the server's pure rules, without HTTP:
 * request value alphabets (params.h), the rollout share and automatic
 * pause (rollout.h), the upload rule (admin_image_refusal), device tokens
 * and the constant-time comparison (credentials.h).
 */
#include "server_harness.h"

#include "admin_api.h"
#include "credentials.h"
#include "params.h"
#include "rollout.h"

static void test_params(void **state)
{
    int64_t v;
    (void)state;
    assert_true(param_imei("867723030000001"));
    assert_false(param_imei("86772303000000"));
    assert_false(param_imei("8677230300000011"));
    assert_false(param_imei("86772303000000a"));
    assert_false(param_imei(""));
    assert_true(param_version("1752B05SIM7020C"));
    assert_true(param_version("1752B06SIM7020C_20180918"));
    assert_true(param_version("1.2.3+build-5"));
    assert_true(param_version("12345678901234567890123456789012"));
    assert_false(param_version("123456789012345678901234567890123"));
    assert_false(param_version(""));
    assert_false(param_version(".."));
    assert_false(param_version("-x"));
    assert_false(param_version("a/b"));
    assert_false(param_version("a b"));
    assert_false(param_version("a\"b"));
    assert_true(param_token("0123456789abcdef0123456789abcdef"));
    assert_false(param_token("0123456789ABCDEF0123456789abcdef"));
    assert_false(param_token("0123456789abcdef0123456789abcde"));
    assert_true(param_reason(""));
    assert_true(param_reason("cme:767"));
    assert_false(param_reason("a b"));
    assert_true(param_int("100", 0, 100, &v));
    assert_int_equal(v, 100);
    assert_false(param_int("101", 0, 100, &v));
    assert_false(param_int("-1", 0, 100, &v));
    assert_false(param_int("1x", 0, 100, &v));
    assert_false(param_int("", 0, 100, &v));
    assert_false(param_int("99999999999999999999", 0, INT64_MAX, &v));
}

static void test_share_buckets(void **state)
{
    char imei[16];
    int i, in10 = 0, both = 0;
    struct release r;
    struct device d;
    (void)state;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    r.id = 7;
    snprintf(r.target, sizeof r.target, "2.0");
    for (i = 0; i < 1000; i++) {
        int b;
        snprintf(imei, sizeof imei, "8677230300%05d", i);
        b = rollout_bucket(7, imei);
        assert_true(b >= 0 && b < 100);
        assert_int_equal(b, rollout_bucket(7, imei)); /* stable */
        in10 += b < 10;
        both += b < 10 && rollout_bucket(8, imei) < 10;
        /* Raising the share keeps everyone already in. */
        snprintf(d.imei, sizeof d.imei, "%s", imei);
        r.share = 10;
        if (rollout_selects(&r, &d, NULL)) {
            r.share = 50;
            assert_true(rollout_selects(&r, &d, NULL));
        }
    }
    /* Roughly 10%, and independent between releases (about 1% in both). */
    assert_true(in10 > 50 && in10 < 150);
    assert_true(both < 30);

    r.share = 100;
    assert_true(rollout_selects(&r, &d, NULL));
    assert_true(rollout_selects(&r, &d, "2.0"));
    assert_false(rollout_selects(&r, &d, "3.0"));
    r.share = 0;
    assert_false(rollout_selects(&r, &d, NULL));
    r.share = 100;
    snprintf(r.group, sizeof r.group, "lab");
    assert_false(rollout_selects(&r, &d, NULL));
    snprintf(d.group, sizeof d.group, "lab");
    assert_true(rollout_selects(&r, &d, NULL));
}

static void test_auto_pause(void **state)
{
    struct release r;
    struct release_counts c;
    char why[128];
    (void)state;
    memset(&r, 0, sizeof r);
    memset(&c, 0, sizeof c);
    snprintf(r.state, sizeof r.state, "active");
    r.max_fail = 20;
    r.min_reports = 5;
    c.reported = 4;
    c.ever_failed = 4;
    assert_false(rollout_should_pause(&r, &c, why, sizeof why)); /* too few */
    c.reported = 5;
    c.ever_failed = 1;
    assert_false(rollout_should_pause(&r, &c, why, sizeof why)); /* 20%: not over */
    c.ever_failed = 2;
    assert_true(rollout_should_pause(&r, &c, why, sizeof why));
    assert_string_equal(why, "failure rate 2/5 over 20%");
    snprintf(r.state, sizeof r.state, "paused");
    assert_false(rollout_should_pause(&r, &c, why, sizeof why)); /* already */
    snprintf(r.state, sizeof r.state, "active");
    r.max_fail = 100;
    c.ever_failed = 5;
    assert_false(rollout_should_pause(&r, &c, why, sizeof why)); /* never at 100 */
    r.max_fail = 0;
    r.min_reports = 1;
    c.reported = 1;
    c.ever_failed = 1;
    assert_true(rollout_should_pause(&r, &c, why, sizeof why)); /* any failure at 0 */
}

static void test_image_rule(void **state)
{
    uint8_t bin[8192];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(i * 7);
    assert_null(admin_image_refusal(bin, sizeof bin));
    assert_non_null(admin_image_refusal(bin, 0));
    assert_non_null(admin_image_refusal((const uint8_t *)"CFPK\x01\x00", 6));
    assert_non_null(admin_image_refusal((const uint8_t *)"\x7f" "ELF\x01\x01", 6));
    assert_non_null(admin_image_refusal((const uint8_t *)":1000000000\r\n", 13));
    assert_non_null(admin_image_refusal((const uint8_t *)"S00F000068656C6C6F\n", 19));
    /* Text in the first 4 KiB only is still text; one binary byte in it
     * makes an image. */
    memset(bin, 'A', 4096);
    assert_non_null(admin_image_refusal(bin, sizeof bin));
    bin[4095] = 0;
    assert_null(admin_image_refusal(bin, sizeof bin));
}

static void test_tokens(void **state)
{
    uint8_t s1[32], s2[32];
    char a[33], b[33], c[33];
    (void)state;
    memset(s1, 1, sizeof s1);
    memset(s2, 2, sizeof s2);
    credentials_device_token(s1, "867723030000001", 0, a);
    credentials_device_token(s1, "867723030000002", 0, b);
    credentials_device_token(s2, "867723030000001", 0, c);
    assert_int_equal(strlen(a), 32);
    assert_true(param_token(a));
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    credentials_device_token(s1, "867723030000001", 0, b);
    assert_string_equal(a, b);
    assert_true(credentials_equal("abcdef", "abcdef"));
    assert_false(credentials_equal("abcdef", "abcdeg"));
    assert_false(credentials_equal("abcdef", "abcde"));
    assert_false(credentials_equal("abcdef", "abcdefg"));
    assert_false(credentials_equal("abcdef", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_share_buckets),
        cmocka_unit_test(test_auto_pause),
        cmocka_unit_test(test_image_rule),
        cmocka_unit_test(test_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
