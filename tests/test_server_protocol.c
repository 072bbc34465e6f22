/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_protocol.c: the device protocol end to end
 * (docs/server-api.md §3), with the server in-process on a loopback port.
 *
 * An operator uploads two versions and releases the second; a device on
 * the first checks, downloads the delta (whole, and in pieces resumed with
 * Range and If-Range) and the bytes are verified to be a package that
 * applies to the old image and produces the new one; a device on an
 * unknown version gets the full image; reports move the counts, and a
 * device that claims success on the old version is counted as failed.
 */
#include "server_harness.h"

#include "apply.h"
#include "hash.h"

#define IMEI_A "867723030000001"
#define IMEI_B "867723030000002"
#define IMEI_C "867723030000003"

struct offer {
    char package[80], size[24], md5[40], sha256[80], from[40], to[40], url[300];
};

/* Check as imei on ver; returns 1 with the offer filled, 0 for none. */
static int check(const struct harness *h, const char *imei, const char *ver, const char *want,
                 struct offer *o)
{
    struct answer a;
    char path[512], extra[96], status[16];
    snprintf(extra, sizeof extra, "ver=%s%s%s", ver, want ? "&want=" : "", want ? want : "");
    device_path(h, path, sizeof path, "check", imei, extra);
    http_call(h, "GET", path, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_true(kv_get(answer_text(&a), "status", status, sizeof status));
    memset(o, 0, sizeof *o);
    if (!strcmp(status, "none")) {
        answer_free(&a);
        return 0;
    }
    assert_string_equal(status, "update");
    assert_true(kv_get(answer_text(&a), "package", o->package, sizeof o->package));
    assert_true(kv_get(answer_text(&a), "size", o->size, sizeof o->size));
    assert_true(kv_get(answer_text(&a), "md5", o->md5, sizeof o->md5));
    assert_true(kv_get(answer_text(&a), "sha256", o->sha256, sizeof o->sha256));
    assert_true(kv_get(answer_text(&a), "from", o->from, sizeof o->from));
    assert_true(kv_get(answer_text(&a), "to", o->to, sizeof o->to));
    assert_true(kv_get(answer_text(&a), "url", o->url, sizeof o->url));
    answer_free(&a);
    return 1;
}

static void report(const struct harness *h, const char *imei, const char *query)
{
    struct answer a;
    char path[512];
    device_path(h, path, sizeof path, "report", imei, query);
    http_call(h, "GET", path, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(answer_text(&a), "status=recorded\n");
    answer_free(&a);
}

/* The offer's bytes match its size, MD5 and SHA-256, and apply to old
 * giving new. */
static void assert_package_applies(const struct offer *o, const struct bytes *pkg,
                                   const struct bytes *old, const struct bytes *new_)
{
    uint8_t d[32];
    char hex[65], err[256];
    struct bytes out = {0};
    assert_int_equal(pkg->n, strtoul(o->size, NULL, 10));
    host_md5(pkg->p, pkg->n, d);
    host_hex(d, 16, hex);
    assert_string_equal(hex, o->md5);
    host_sha256(pkg->p, pkg->n, d);
    host_hex(d, 32, hex);
    assert_string_equal(hex, o->sha256);
    assert_string_equal(o->sha256, o->package);
    if (cfota_apply_mem(old ? old->p : NULL, old ? old->n : 0, pkg->p, pkg->n, &out, 0, err,
                        sizeof err) != 0)
        fail_msg("package does not apply: %s", err);
    assert_int_equal(out.n, new_->n);
    assert_memory_equal(out.p, new_->p, new_->n);
    bytes_free(&out);
}

static long release_count(const struct harness *h, int id, const char *key)
{
    struct admin_reply r;
    char path[64];
    long v;
    snprintf(path, sizeof path, "/admin/v1/releases/%d", id);
    assert_int_equal(admin(h, "GET", path, NULL, &r), 200);
    v = json_int((const char *)r.body.p, key);
    admin_reply_free(&r);
    return v;
}

static void test_update_cycle(void **state)
{
    struct harness h;
    struct bytes old = {0}, new_ = {0}, pkg = {0};
    struct offer o, o2;
    struct answer a;
    char hdr[200], etag[100], range[64], ifrange[120];
    const char *headers[3];
    size_t half;
    (void)state;

    image_load(TEST_OLD, &old);
    image_load(TEST_NEW, &new_);
    harness_start(&h);
    upload_image(&h, TEST_OLD, "1.0");
    upload_image(&h, TEST_NEW, "2.0");

    /* No release yet: nothing to offer. */
    assert_int_equal(check(&h, IMEI_A, "1.0", NULL, &o), 0);

    assert_int_equal(admin_status(&h, "POST", "/admin/v1/releases?product=m4app&target=2.0", NULL), 201);
    cfota_server_wait_builds(h.srv);

    /* A device on 1.0 gets the delta. */
    assert_int_equal(check(&h, IMEI_A, "1.0", NULL, &o), 1);
    assert_string_equal(o.from, "1.0");
    assert_string_equal(o.to, "2.0");
    assert_int_equal(release_count(&h, 1, "checked"), 1);

    /* Whole download. */
    http_call(&h, "GET", o.url, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_true(header_get(&a, "ETag", etag, sizeof etag));
    snprintf(hdr, sizeof hdr, "\"%s\"", o.package);
    assert_string_equal(etag, hdr);
    assert_true(header_get(&a, "Accept-Ranges", hdr, sizeof hdr));
    assert_string_equal(hdr, "bytes");
    assert_package_applies(&o, &a.body, &old, &new_);
    answer_free(&a);
    assert_int_equal(release_count(&h, 1, "downloading"), 1);
    assert_int_equal(release_count(&h, 1, "checked"), 0);

    /* HEAD: same headers, no body. */
    http_call(&h, "HEAD", o.url, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_true(header_get(&a, "Content-Length", hdr, sizeof hdr));
    assert_string_equal(hdr, o.size);
    assert_int_equal(a.body.n, 0);
    answer_free(&a);

    /* Interrupted download resumed: first part, then the rest from the
     * offset with If-Range. */
    half = strtoul(o.size, NULL, 10) / 3;
    snprintf(range, sizeof range, "Range: bytes=0-%zu", half - 1);
    headers[0] = range;
    headers[1] = NULL;
    http_call(&h, "GET", o.url, headers, &a);
    assert_int_equal(a.status, 206);
    assert_int_equal(a.body.n, half);
    bytes_put(&pkg, a.body.p, a.body.n);
    answer_free(&a);
    snprintf(range, sizeof range, "Range: bytes=%zu-", half);
    snprintf(ifrange, sizeof ifrange, "If-Range: %s", etag);
    headers[0] = range;
    headers[1] = ifrange;
    headers[2] = NULL;
    http_call(&h, "GET", o.url, headers, &a);
    assert_int_equal(a.status, 206);
    assert_true(header_get(&a, "Content-Range", hdr, sizeof hdr));
    snprintf(range, sizeof range, "bytes %zu-%lu/%s", half, strtoul(o.size, NULL, 10) - 1, o.size);
    assert_string_equal(hdr, range);
    bytes_put(&pkg, a.body.p, a.body.n);
    answer_free(&a);
    assert_package_applies(&o, &pkg, &old, &new_);

    /* A stale If-Range gets the whole package again. */
    headers[0] = "Range: bytes=10-";
    headers[1] = "If-Range: \"0000\"";
    headers[2] = NULL;
    http_call(&h, "GET", o.url, headers, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(a.body.n, strtoul(o.size, NULL, 10));
    answer_free(&a);

    /* Suffix range. */
    headers[0] = "Range: bytes=-5";
    headers[1] = NULL;
    http_call(&h, "GET", o.url, headers, &a);
    assert_int_equal(a.status, 206);
    assert_int_equal(a.body.n, 5);
    assert_memory_equal(a.body.p, pkg.p + pkg.n - 5, 5);
    answer_free(&a);

    /* If-None-Match with the ETag. */
    snprintf(ifrange, sizeof ifrange, "If-None-Match: %s", etag);
    headers[0] = ifrange;
    http_call(&h, "GET", o.url, headers, &a);
    assert_int_equal(a.status, 304);
    answer_free(&a);

    /* Success is counted from the report after the reboot. */
    report(&h, IMEI_A, "from=1.0&to=2.0&ver=2.0&result=ok");
    assert_int_equal(release_count(&h, 1, "succeeded"), 1);
    assert_int_equal(release_count(&h, 1, "downloading"), 0);
    /* The same report again changes nothing. */
    report(&h, IMEI_A, "from=1.0&to=2.0&ver=2.0&result=ok");
    assert_int_equal(release_count(&h, 1, "succeeded"), 1);
    /* And the device, now on 2.0, has nothing more to do. */
    assert_int_equal(check(&h, IMEI_A, "2.0", NULL, &o2), 0);

    /* A device that says ok but still runs 1.0 has failed. */
    assert_int_equal(check(&h, IMEI_B, "1.0", NULL, &o2), 1);
    report(&h, IMEI_B, "from=1.0&to=2.0&ver=1.0&result=ok");
    assert_int_equal(release_count(&h, 1, "failed"), 1);
    assert_int_equal(release_count(&h, 1, "succeeded"), 1);

    /* A device on a version the server never saw gets the full image,
     * which applies without a base. */
    assert_int_equal(check(&h, IMEI_C, "0.9-custom", NULL, &o2), 1);
    assert_string_equal(o2.from, "*");
    http_call(&h, "GET", o2.url, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_package_applies(&o2, &a.body, NULL, &new_);
    answer_free(&a);

    /* want names a version no release targets: nothing. */
    assert_int_equal(check(&h, IMEI_C, "0.9-custom", "3.0", &o2), 0);
    assert_int_equal(check(&h, IMEI_C, "0.9-custom", "2.0", &o2), 1);

    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
    harness_stop(&h);
}

/* Device listing shows version, state and last report. */
static void test_devices_listing(void **state)
{
    struct harness h;
    struct admin_reply r;
    struct offer o;
    const char *text;
    (void)state;
    harness_start(&h);
    upload_image(&h, TEST_OLD, "1.0");
    upload_image(&h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(&h, "POST", "/admin/v1/devices?imei=" IMEI_A "&group=lab", NULL),
                     200);
    assert_int_equal(admin_status(&h, "POST", "/admin/v1/releases?product=m4app&target=2.0&group=lab", NULL),
                     201);
    cfota_server_wait_builds(h.srv);
    /* The group release reaches the lab device, not the other. */
    assert_int_equal(check(&h, IMEI_A, "1.0", NULL, &o), 1);
    assert_int_equal(check(&h, IMEI_B, "1.0", NULL, &o), 0);
    report(&h, IMEI_A, "from=1.0&to=2.0&ver=1.0&result=fail&reason=md5");

    assert_int_equal(admin(&h, "GET", "/admin/v1/devices?group=lab", NULL, &r), 200);
    text = (const char *)r.body.p;
    assert_non_null(strstr(text, "\"imei\":\"" IMEI_A "\""));
    assert_null(strstr(text, IMEI_B));
    assert_non_null(strstr(text, "\"version\":\"1.0\""));
    assert_non_null(strstr(text, "\"state\":\"failed\""));
    assert_non_null(strstr(text, "\"last_report\":\"fail 1.0->2.0 on 1.0: md5\""));
    admin_reply_free(&r);

    /* Provisioning returns the token the device uses. */
    {
        char tok[33], want[64];
        assert_int_equal(admin(&h, "POST", "/admin/v1/devices?imei=" IMEI_B, NULL, &r), 200);
        assert_int_equal(cfota_server_device_token(h.srv, IMEI_B, tok), 0);
        snprintf(want, sizeof want, "\"token\":\"%s\"", tok);
        assert_non_null(strstr((const char *)r.body.p, want));
        admin_reply_free(&r);
    }
    harness_stop(&h);
}

/* Share, pause and resume, and the automatic pause on failures. */
static void test_rollout_controls(void **state)
{
    struct harness h;
    struct admin_reply r;
    struct offer o;
    char imei[16];
    int i, offered = 0;
    (void)state;
    harness_start(&h);
    upload_image(&h, TEST_OLD, "1.0");
    upload_image(&h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(&h, "POST",
                                  "/admin/v1/releases?product=m4app&target=2.0&share=30&max_fail=40&min_reports=3",
                                  NULL),
                     201);
    cfota_server_wait_builds(h.srv);
    /* A 30% share reaches some devices and not all of 100. */
    for (i = 0; i < 100; i++) {
        snprintf(imei, sizeof imei, "8677230300%05d", i);
        offered += check(&h, imei, "1.0", NULL, &o);
    }
    assert_true(offered > 10 && offered < 50);

    /* Operator pause: nobody is offered anything; resume at 100%. */
    assert_int_equal(admin_status(&h, "POST", "/admin/v1/releases/1/pause", NULL), 200);
    for (i = 0; i < 20; i++) {
        snprintf(imei, sizeof imei, "8677230300%05d", i);
        assert_int_equal(check(&h, imei, "1.0", NULL, &o), 0);
    }
    assert_int_equal(admin(&h, "POST", "/admin/v1/releases/1/resume?share=100", NULL, &r), 200);
    assert_non_null(strstr((const char *)r.body.p, "\"share\":100"));
    assert_non_null(strstr((const char *)r.body.p, "\"state\":\"active\""));
    admin_reply_free(&r);

    /* 3 reports, 2 failures: over 40%, the release pauses itself. */
    for (i = 0; i < 3; i++) {
        snprintf(imei, sizeof imei, "8677230300%05d", i);
        assert_int_equal(check(&h, imei, "1.0", NULL, &o), 1);
    }
    report(&h, "867723030000000", "from=1.0&to=2.0&ver=2.0&result=ok");
    report(&h, "867723030000001", "from=1.0&to=2.0&ver=1.0&result=fail&reason=download");
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_non_null(strstr((const char *)r.body.p, "\"state\":\"active\""));
    admin_reply_free(&r);
    report(&h, "867723030000002", "from=1.0&to=2.0&ver=1.0&result=fail&reason=cme:767");
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_non_null(strstr((const char *)r.body.p, "\"state\":\"paused\""));
    assert_non_null(strstr((const char *)r.body.p, "failure rate 2/3 over 40%"));
    admin_reply_free(&r);
    snprintf(imei, sizeof imei, "867723030000050");
    assert_int_equal(check(&h, imei, "1.0", NULL, &o), 0);
    harness_stop(&h);
}

/* A server with only 2.0, released, whose offer to IMEI_A on 1.0 (an
 * unknown base) is the full image. */
static void full_offered(struct harness *h, struct offer *o)
{
    harness_start(h);
    upload_image(h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(h, "POST", "/admin/v1/releases?product=m4app&target=2.0", NULL), 201);
    cfota_server_wait_builds(h->srv);
    assert_int_equal(check(h, IMEI_A, "1.0", NULL, o), 1);
}

/* An image uploaded after a release becomes a base for it; the packages
 * list says what was built. */
static void test_late_base(void **state)
{
    struct harness h;
    struct admin_reply r;
    struct offer o;
    (void)state;
    full_offered(&h, &o);
    assert_string_equal(o.from, "*");
    upload_image(&h, TEST_OLD, "1.0");
    cfota_server_wait_builds(h.srv);
    assert_int_equal(check(&h, IMEI_A, "1.0", NULL, &o), 1);
    assert_string_equal(o.from, "1.0");
    assert_int_equal(admin(&h, "GET", "/admin/v1/packages", NULL, &r), 200);
    assert_non_null(strstr((const char *)r.body.p, "\"from\":\"1.0\",\"to\":\"2.0\",\"state\":\"ready\",\"kind\":\"delta\""));
    assert_non_null(strstr((const char *)r.body.p, "\"from\":\"*\",\"to\":\"2.0\",\"state\":\"ready\",\"kind\":\"full\""));
    admin_reply_free(&r);
    harness_stop(&h);
}

/* Range values that parse (RFC 9110 §14) and how they are answered
 * (docs/server-api.md §3.2), positions past 2^64 included: a first byte
 * past the end is 416, a last byte past it is clipped, a suffix longer
 * than the package is all of it. */
struct range_rule {
    const char *range;
    long status;
    long first, last; /* of the 206; -1: the package's last byte */
};

static const struct range_rule range_rules[] = {
    {"bytes=3-4", 206, 3, 4},
    {"Bytes=3-4", 206, 3, 4},
    {"bytes=0003-00000000000000000000000004", 206, 3, 4},
    {"bytes=0-99999999999999999999", 206, 0, -1},
    {"bytes=5-18446744073709551616", 206, 5, -1},
    {"bytes=5-18446744073709551615", 206, 5, -1},
    {"bytes=-99999999999999999999", 206, 0, -1},
    {"bytes=99999999999999999999-", 416, 0, 0},
    {"bytes=18446744073709551616-", 416, 0, 0},
    {"bytes=18446744073709551615-", 416, 0, 0},
    {"bytes=99999999999999999999-99999999999999999999", 416, 0, 0},
    {"bytes=-0", 416, 0, 0},
    {"items=0-5", 200, 0, -1},
};

static void test_range_rules(void **state)
{
    struct harness h;
    struct offer o;
    size_t i;
    (void)state;
    full_offered(&h, &o);
    for (i = 0; i < sizeof range_rules / sizeof range_rules[0]; i++) {
        const struct range_rule *t = &range_rules[i];
        long size = strtol(o.size, NULL, 10), last = t->last < 0 ? size - 1 : t->last;
        char header[128], got[96], want[96];
        const char *headers[2] = {header, NULL};
        struct answer a;
        snprintf(header, sizeof header, "Range: %s", t->range);
        http_call(&h, "GET", o.url, headers, &a);
        if (a.status != t->status)
            fail_msg("%s: status %ld, expected %ld", t->range, a.status, t->status);
        if (t->status == 206) {
            assert_true(header_get(&a, "Content-Range", got, sizeof got));
            snprintf(want, sizeof want, "bytes %ld-%ld/%ld", t->first, last, size);
            assert_string_equal(got, want);
            assert_int_equal(a.body.n, (size_t)(last - t->first + 1));
        } else if (t->status == 416) {
            assert_true(header_get(&a, "Content-Range", got, sizeof got));
            snprintf(want, sizeof want, "bytes */%ld", size);
            assert_string_equal(got, want);
        } else {
            assert_int_equal(a.body.n, (size_t)size);
        }
        answer_free(&a);
    }
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_cycle),
        cmocka_unit_test(test_devices_listing),
        cmocka_unit_test(test_rollout_controls),
        cmocka_unit_test(test_late_base),
        cmocka_unit_test(test_range_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
