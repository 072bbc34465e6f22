/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_dashboard.c: the dashboard's side of the server
 * (server/dashboard.c, docs/server.md "Dashboard"): its files are served
 * without a token, hold no fleet data and carry their security headers;
 * other paths and methods get 4xx; the admin route the page adds for a
 * release's devices checks the token and role like every admin route; and
 * an action with the admin token in a cookie, as a cross-site form would
 * send it, is refused (the CSRF defence). tests/dashboard_browser.py drives
 * the page itself in a browser.
 */
#include "server_harness.h"

#include "dashboard_assets.h"

#define IMEI_OK "867723030000001"
#define IMEI_FAIL "867723030000002"
#define IMEI_CHECKED "867723030000003"

static void call(const struct harness *h, const char *method, const char *path,
                 const char *header, struct answer *a)
{
    const char *headers[] = {header, NULL};
    http_call(h, method, path, header ? headers : NULL, a);
}

static long status_of(const struct harness *h, const char *method, const char *path,
                      const char *header, char *error, size_t cap)
{
    struct answer a;
    long status;
    call(h, method, path, header, &a);
    status = a.status;
    if (error) {
        const char *p = strstr(answer_text(&a), "\"error\":\"");
        snprintf(error, cap, "%.*s", p ? (int)strcspn(p + 9, "\"") : 0, p ? p + 9 : "");
    }
    answer_free(&a);
    return status;
}

static void expect_status(const struct harness *h, const char *method, const char *path,
                          const char *header, long status, const char *error)
{
    char got[64];
    long s = status_of(h, method, path, header, got, sizeof got);
    if (s != status || (error && strcmp(got, error) != 0))
        fail_msg("%s %s: %ld %s, wanted %ld %s", method, path, s, got, status,
                 error ? error : "");
}

static void expect_header(const struct answer *a, const char *name, const char *want)
{
    char v[512];
    if (!header_get(a, name, v, sizeof v))
        fail_msg("no %s header", name);
    if (!strstr(v, want))
        fail_msg("%s is '%s', wanted it to hold '%s'", name, v, want);
}

/* The files: served with their type and headers, the same bytes whatever
 * the fleet holds, and nothing else under /. */
static void test_files(void **state)
{
    struct harness h;
    struct answer a, again;
    const struct dashboard_asset *f;
    size_t total = 0;
    (void)state;
    harness_start(&h);

    call(&h, "GET", "/", NULL, &a);
    assert_int_equal(a.status, 200);
    expect_header(&a, "Content-Type", "text/html");
    expect_header(&a, "Content-Security-Policy", "script-src 'self'");
    expect_header(&a, "Content-Security-Policy", "frame-ancestors 'none'");
    expect_header(&a, "X-Frame-Options", "DENY");
    expect_header(&a, "X-Content-Type-Options", "nosniff");
    assert_non_null(strstr(answer_text(&a), "<title>cfota dashboard</title>"));

    /* Data in the store changes nothing in the page: it has none. */
    upload_image(&h, TEST_OLD, "1.0");
    assert_int_equal(enrol_in(&h, IMEI_OK, TEST_PRODUCT), 200);
    call(&h, "GET", "/", NULL, &again);
    assert_int_equal(again.body.n, a.body.n);
    assert_memory_equal(again.body.p, a.body.p, a.body.n);
    assert_null(strstr(answer_text(&again), IMEI_OK));
    answer_free(&again);
    answer_free(&a);

    for (f = dashboard_assets; f->path; f++) {
        call(&h, "GET", f->path, NULL, &a);
        assert_int_equal(a.status, 200);
        assert_int_equal(a.body.n, f->size);
        assert_memory_equal(a.body.p, f->bytes, f->size);
        expect_header(&a, "Content-Security-Policy", "default-src 'none'");
        expect_header(&a, "Content-Type", strstr(f->path, ".js")    ? "text/javascript"
                                          : strstr(f->path, ".css") ? "text/css"
                                                                    : "text/html");
        total += f->size;
        answer_free(&a);
    }
    /* The first page (page, script, style) is under the 100 KB target. */
    assert_true(total < 100 * 1024);

    expect_status(&h, "GET", "/nothing.js", NULL, 404, "not_found");
    expect_status(&h, "GET", "/dashboard.js/x", NULL, 404, "not_found");
    expect_status(&h, "GET", "/%2e%2e/secret", NULL, 404, "not_found");
    expect_status(&h, "GET", "/secret", NULL, 404, "not_found");
    expect_status(&h, "GET", "/admin-token", NULL, 404, "not_found");
    expect_status(&h, "GET", "/?token=x", NULL, 400, "bad_parameter");
    expect_status(&h, "POST", "/", NULL, 405, "method_not_allowed");
    expect_status(&h, "DELETE", "/dashboard.js", NULL, 405, "method_not_allowed");
    expect_status(&h, "GET", "/index.html", NULL, 200, NULL);
    harness_stop(&h);
}

/* A fleet: a release of 2.0 that IMEI_OK succeeded in, IMEI_FAIL failed
 * (reason md5) and IMEI_CHECKED was offered; the read token into read. */
static const char *const imeis[] = {IMEI_OK, IMEI_FAIL, IMEI_CHECKED};

static void fleet(struct harness *h, char read[65])
{
    struct admin_reply r;
    struct answer a;
    char path[512];
    const char *t;
    int i;
    upload_image(h, TEST_OLD, "1.0");
    upload_image(h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(h, "POST", "/admin/v1/releases?product=" TEST_PRODUCT
                                  "&target=2.0&max_fail=100", NULL), 201);
    cfota_server_wait_builds(h->srv);
    for (i = 0; i < 3; i++) {
        device_path(h, path, sizeof path, "check", imeis[i], "ver=1.0");
        http_call(h, "GET", path, NULL, &a);
        assert_int_equal(a.status, 200);
        assert_non_null(strstr(answer_text(&a), "status=update"));
        answer_free(&a);
    }
    device_path(h, path, sizeof path, "report", IMEI_OK, "from=1.0&to=2.0&ver=2.0&result=ok");
    expect_status(h, "GET", path, NULL, 200, NULL);
    device_path(h, path, sizeof path, "report", IMEI_FAIL,
                "from=1.0&to=2.0&ver=1.0&result=fail&reason=md5");
    expect_status(h, "GET", path, NULL, 200, NULL);

    assert_int_equal(admin(h, "POST", "/admin/v1/tokens?name=viewer&role=read", NULL, &r), 201);
    t = strstr(answer_text_of(&r), "\"token\":\"");
    assert_non_null(t);
    snprintf(read, 65, "%.64s", t + 9);
    admin_reply_free(&r);
}

/* GET releases/<id>/devices, the page's source for failures and the
 * chart: token and role checked, parameters checked, states filtered. */
static void test_release_devices(void **state)
{
    struct harness h;
    struct answer a;
    char read[65], bearer[100];
    (void)state;
    harness_start(&h);
    fleet(&h, read);
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", read);

    expect_status(&h, "GET", "/admin/v1/releases/1/devices", NULL, 401, "missing_token");
    expect_status(&h, "GET", "/admin/v1/releases/1/devices", "Authorization: Bearer nope", 403,
                  "bad_token");

    call(&h, "GET", "/admin/v1/releases/1/devices?state=failed", bearer, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(answer_text(&a), "\"imei\":\"" IMEI_FAIL "\",\"state\":\"failed\""));
    assert_non_null(strstr(answer_text(&a), "\"reason\":\"md5\""));
    assert_non_null(strstr(answer_text(&a), "\"last_report\":\"fail 1.0->2.0 on 1.0: md5\""));
    assert_null(strstr(answer_text(&a), IMEI_OK));
    assert_null(strstr(answer_text(&a), IMEI_CHECKED));
    answer_free(&a);

    /* All three, a page of two then the rest. */
    call(&h, "GET", "/admin/v1/releases/1/devices?limit=2", bearer, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(answer_text(&a), IMEI_OK));
    assert_non_null(strstr(answer_text(&a), IMEI_FAIL));
    assert_non_null(strstr(answer_text(&a), "\"next\":\"" IMEI_FAIL "\""));
    answer_free(&a);
    call(&h, "GET", "/admin/v1/releases/1/devices?limit=2&after=" IMEI_FAIL, bearer, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(answer_text(&a), "\"imei\":\"" IMEI_CHECKED "\",\"state\":\"checked\""));
    assert_non_null(strstr(answer_text(&a), "\"next\":null"));
    answer_free(&a);

    expect_status(&h, "GET", "/admin/v1/releases/1/devices?state=broken", bearer, 400,
                  "bad_parameter");
    expect_status(&h, "GET", "/admin/v1/releases/1/devices?imei=1", bearer, 400,
                  "bad_parameter");
    expect_status(&h, "GET", "/admin/v1/releases/1/devices?limit=0", bearer, 400,
                  "bad_parameter");
    expect_status(&h, "GET", "/admin/v1/releases/9/devices", bearer, 404, "unknown_release");
    expect_status(&h, "GET", "/admin/v1/releases/x/devices", bearer, 404, "unknown_release");
    expect_status(&h, "POST", "/admin/v1/releases/1/devices", bearer, 405, NULL);
    harness_stop(&h);
}

/* The page's actions are the admin API's: a read token is refused them,
 * and a request carrying the admin token only in a cookie (all that a
 * form on another site can make a browser send) is refused as if it had
 * no token. */
static void test_actions_need_the_header(void **state)
{
    struct harness h;
    struct admin_reply r;
    char read[65], bearer[100];
    const char *cookie = "Cookie: cfota-admin-token=" TEST_ADMIN_TOKEN;
    (void)state;
    harness_start(&h);
    fleet(&h, read);
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", read);

    expect_status(&h, "POST", "/admin/v1/releases/1/pause", cookie, 401, "missing_token");
    expect_status(&h, "POST", "/admin/v1/devices/" IMEI_OK "/revoke", cookie, 401,
                  "missing_token");
    expect_status(&h, "POST", "/admin/v1/releases/1/pause", bearer, 403, "read_only");
    expect_status(&h, "POST", "/admin/v1/releases/1/advance", bearer, 403, "read_only");
    expect_status(&h, "POST", "/admin/v1/devices/" IMEI_OK "/revoke", bearer, 403, "read_only");
    expect_status(&h, "GET", "/admin/v1/tokens", bearer, 403, "read_only");
    expect_status(&h, "GET", "/admin/v1/releases/1/pause", bearer, 405, NULL);

    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_non_null(strstr(answer_text_of(&r), "\"state\":\"active\""));
    admin_reply_free(&r);
    assert_int_equal(admin(&h, "GET", "/admin/v1/devices/" IMEI_OK, NULL, &r), 200);
    assert_non_null(strstr(answer_text_of(&r), "\"revoked\":false"));
    admin_reply_free(&r);

    /* The admin token in the header does it. */
    assert_int_equal(admin_status(&h, "POST", "/admin/v1/releases/1/pause", NULL), 200);
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_non_null(strstr(answer_text_of(&r), "\"state\":\"paused\""));
    admin_reply_free(&r);
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_release_devices),
        cmocka_unit_test(test_actions_need_the_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
