/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_fleet.c: the server's rules for real fleets
 * (docs/server-api.md): products, uploaded (vendor) packages, release
 * precedence, waves that advance and pause on a clock the test moves,
 * the cap on downloads in flight, reports attributed by target, the dry
 * run, deletes refused while a release needs them, token revocation and
 * rotation, credentials in a header, read-only tokens, one device,
 * pagination, /healthz, /metrics and the log lines.
 *
 * Images are made here (bytes from a fixed generator), so these tests
 * need no corpus.
 */
#include "server_harness.h"

#include <sqlite3.h>

#include "hash.h"

#define IMEI_A "867723030000011"
#define IMEI_B "867723030000012"
#define IMEI_C "867723030000013"

static int64_t test_now = 1700000000;

static int64_t test_clock(void *ctx)
{
    (void)ctx;
    return __atomic_load_n(&test_now, __ATOMIC_RELAXED);
}

static void set_now(int64_t t) { __atomic_store_n(&test_now, t, __ATOMIC_RELAXED); }

struct fleet {
    struct harness h;
    FILE *log;
};

static void fleet_start(struct fleet *f)
{
    struct cfota_server_config cfg;
    char err[512];
    memset(f, 0, sizeof *f);
    snprintf(f->h.dir, sizeof f->h.dir, "/tmp/cfota-fleet-test-XXXXXX");
    if (!mkdtemp(f->h.dir))
        fail_msg("mkdtemp failed");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    f->log = tmpfile();
    assert_non_null(f->log);
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = f->h.dir;
    cfg.admin_token = TEST_ADMIN_TOKEN;
    cfg.threads = 2;
    cfg.clock = test_clock;
    cfg.log = f->log;
    f->h.srv = cfota_server_start(&cfg, err, sizeof err);
    if (!f->h.srv)
        fail_msg("server did not start: %s", err);
    snprintf(f->h.base, sizeof f->h.base, "http://127.0.0.1:%u", cfota_server_port(f->h.srv));
}

/* The whole log so far, NUL-terminated, into out. */
static void fleet_log(struct fleet *f, struct bytes *out)
{
    char buf[4096];
    size_t n;
    assert_int_equal(cfota_server_tick(f->h.srv), 0); /* writes the batch */
    fflush(f->log);
    rewind(f->log);
    while ((n = fread(buf, 1, sizeof buf, f->log)) > 0)
        bytes_put(out, buf, n);
    bytes_byte(out, 0);
    out->n--;
    fseek(f->log, 0, SEEK_END);
}

static void fleet_stop(struct fleet *f)
{
    harness_stop(&f->h);
    fclose(f->log);
}

/* A firmware-like image of n bytes: seed picks the bytes, edit changes
 * a few of them (so two edits of one seed make a small delta). */
static void make_image(struct bytes *out, unsigned seed, unsigned edit, size_t n)
{
    uint32_t x = seed * 2654435761u + 1;
    size_t i;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        bytes_byte(out, (uint8_t)(x >> 16));
    }
    for (i = 0; i < edit; i++)
        out->p[(i * 997) % n] ^= 0x5a;
}

static void put_image(struct fleet *f, const char *product, const char *version, unsigned seed,
                      unsigned edit)
{
    struct bytes img = {0};
    char path[128];
    make_image(&img, seed, edit, 6000);
    snprintf(path, sizeof path, "/admin/v1/images/%s?product=%s", version, product);
    assert_int_equal(admin_status(&f->h, "PUT", path, &img), 201);
    bytes_free(&img);
}

static void enrol(struct fleet *f, const char *imei, const char *product, const char *group)
{
    char path[160];
    snprintf(path, sizeof path, "/admin/v1/devices?imei=%s&product=%s%s%s", imei, product,
             group ? "&group=" : "", group ? group : "");
    assert_int_equal(admin_status(&f->h, "POST", path, NULL), 200);
}

/* A device request with the generation-0 token; answer into *a. */
static void device(struct fleet *f, const char *what, const char *imei, const char *extra,
                   struct answer *a)
{
    char tok[33], path[512];
    assert_int_equal(cfota_server_device_token(f->h.srv, imei, tok), 0);
    snprintf(path, sizeof path, "/d/v1/%s?imei=%s&tok=%s%s%s", what, imei, tok,
             extra ? "&" : "", extra ? extra : "");
    http_call(&f->h, "GET", path, NULL, a);
}

/* Check as imei on ver; the package id offered ("" if none) into id. */
static void check(struct fleet *f, const char *imei, const char *ver, char id[65])
{
    struct answer a;
    char extra[64];
    snprintf(extra, sizeof extra, "ver=%s", ver);
    device(f, "check", imei, extra, &a);
    assert_int_equal(a.status, 200);
    if (!kv_get(answer_text(&a), "package", id, 65))
        id[0] = 0;
    answer_free(&a);
}

static void report(struct fleet *f, const char *imei, const char *from, const char *to,
                   const char *ver, const char *result)
{
    struct answer a;
    char extra[160];
    snprintf(extra, sizeof extra, "from=%s&to=%s&ver=%s&result=%s", from, to, ver, result);
    device(f, "report", imei, extra, &a);
    assert_int_equal(a.status, 200);
    answer_free(&a);
}

/* Admin call expected to answer status; the body into out (NULL: dropped). */
static void admin_expect(struct fleet *f, const char *method, const char *path, long status,
                         struct bytes *out)
{
    struct admin_reply r;
    long got = admin(&f->h, method, path, NULL, &r);
    if (got != status)
        fail_msg("%s %s: %ld, expected %ld: %s", method, path, got, status, answer_text_of(&r));
    if (out)
        bytes_put(out, r.body.p, r.body.n + 1), out->n--;
    admin_reply_free(&r);
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("expected %s in: %s", want, text);
}

/* Two products with the same version names: each device only ever gets
 * its own product's packages, deltas are made within a product, and a
 * device without a product is refused at check with a reason. */
static void test_products(void **state)
{
    struct fleet f;
    struct answer a;
    struct bytes b = {0};
    char id_a[65], id_b[65], path[256];
    (void)state;
    fleet_start(&f);
    put_image(&f, "alpha", "1.0", 1, 0);
    put_image(&f, "alpha", "2.0", 1, 40);
    put_image(&f, "beta", "1.0", 2, 0);
    put_image(&f, "beta", "2.0", 2, 40);
    /* Only beta releases: an alpha device on 1.0 is offered nothing. */
    admin_expect(&f, "POST", "/admin/v1/releases?product=beta&target=2.0", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    enrol(&f, IMEI_A, "alpha", NULL);
    enrol(&f, IMEI_B, "beta", NULL);
    check(&f, IMEI_A, "1.0", id_a);
    assert_string_equal(id_a, "");
    check(&f, IMEI_B, "1.0", id_b);
    assert_int_equal(strlen(id_b), 64);
    /* Nor can it fetch beta's package by its id. */
    {
        char tok[33];
        assert_int_equal(cfota_server_device_token(f.h.srv, IMEI_A, tok), 0);
        snprintf(path, sizeof path, "/d/v1/pkg/%s?imei=%s&tok=%s", id_b, IMEI_A, tok);
        http_call(&f.h, "GET", path, NULL, &a);
        assert_int_equal(a.status, 404);
        answer_free(&a);
    }
    /* With an alpha release too, each gets its own product's delta. */
    admin_expect(&f, "POST", "/admin/v1/releases?product=alpha&target=2.0", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    check(&f, IMEI_A, "1.0", id_a);
    assert_int_equal(strlen(id_a), 64);
    assert_string_not_equal(id_a, id_b);
    admin_expect(&f, "GET", "/admin/v1/packages?product=alpha", 200, &b);
    assert_null(strstr((char *)b.p, "\"product\":\"beta\""));
    expect_in((char *)b.p, id_a);
    assert_null(strstr((char *)b.p, id_b));
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/products", 200, &b);
    expect_in((char *)b.p, "\"alpha\",\n\"beta\"");
    bytes_free(&b);
    /* One log line per build. */
    fleet_log(&f, &b);
    expect_in((char *)b.p, "event=build product=alpha from=1.0 to=2.0 result=ready kind=");
    expect_in((char *)b.p, "event=build product=beta from=* to=2.0 result=ready kind=full");
    bytes_free(&b);
    /* A device with no product: recorded, refused with the reason. */
    device(&f, "check", IMEI_C, "ver=1.0", &a);
    assert_int_equal(a.status, 409);
    expect_in(answer_text(&a), "\"error\":\"no_product\"");
    expect_in(answer_text(&a), "--product");
    answer_free(&a);
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_C, 200, NULL);
    /* Products are what uploads made: a misspelt one is refused. */
    admin_expect(&f, "POST", "/admin/v1/devices?imei=" IMEI_C "&product=alhpa", 404, NULL);
    admin_expect(&f, "PUT", "/admin/v1/images/3.0", 400, NULL);
    fleet_stop(&f);
}

/* A vendor's package: opaque bytes, served with their MD5 and size
 * through check and ranged download, counted by reports. */
static void test_vendor_package(void **state)
{
    struct fleet f;
    struct answer a;
    struct bytes pkg = {0}, b = {0};
    char id[65], md5[40], size[20], path[256], tok[33], hex[33];
    uint8_t digest[16];
    const char *range[] = {"Range: bytes=100-", NULL};
    (void)state;
    fleet_start(&f);
    make_image(&pkg, 9, 0, 3000); /* stands for a vendor's delta file */
    /* Refused without a product; no image is needed for either version. */
    assert_int_equal(admin_status(&f.h, "POST", "/admin/v1/packages?from=A1&to=A2", &pkg), 400);
    assert_int_equal(admin_status(&f.h, "POST", "/admin/v1/packages?product=sim7020&from=A1&to=A2",
                                  &pkg), 201);
    assert_int_equal(admin_status(&f.h, "POST", "/admin/v1/packages?product=sim7020&from=A1&to=A2",
                                  &pkg), 200);
    admin_expect(&f, "POST", "/admin/v1/releases?product=sim7020&target=A2", 201, NULL);
    admin_expect(&f, "POST", "/admin/v1/releases?product=sim7020&target=A9", 404, NULL);
    enrol(&f, IMEI_A, "sim7020", NULL);
    device(&f, "check", IMEI_A, "ver=A1", &a);
    assert_int_equal(a.status, 200);
    assert_true(kv_get(answer_text(&a), "package", id, sizeof id));
    assert_true(kv_get(answer_text(&a), "md5", md5, sizeof md5));
    assert_true(kv_get(answer_text(&a), "size", size, sizeof size));
    expect_in(answer_text(&a), "from=A1\nto=A2\n");
    answer_free(&a);
    host_md5(pkg.p, pkg.n, digest);
    host_hex(digest, 16, hex);
    assert_string_equal(md5, hex);
    assert_int_equal(atol(size), 3000);
    /* Ranged download of exactly those bytes. */
    assert_int_equal(cfota_server_device_token(f.h.srv, IMEI_A, tok), 0);
    snprintf(path, sizeof path, "/d/v1/pkg/%s?imei=%s&tok=%s", id, IMEI_A, tok);
    http_call(&f.h, "GET", path, range, &a);
    assert_int_equal(a.status, 206);
    assert_int_equal(a.body.n, 2900);
    assert_memory_equal(a.body.p, pkg.p + 100, 2900);
    answer_free(&a);
    /* A device on another version gets nothing (no image to build from). */
    enrol(&f, IMEI_B, "sim7020", NULL);
    check(&f, IMEI_B, "A0", id);
    assert_string_equal(id, "");
    report(&f, IMEI_A, "A1", "A2", "A2", "ok");
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"succeeded\":1");
    bytes_free(&b);
    bytes_free(&pkg);
    fleet_stop(&f);
}

/* A group release beats a newer global one; among equals the newest. */
static void test_precedence(void **state)
{
    struct fleet f;
    struct bytes b = {0};
    char id[65];
    (void)state;
    fleet_start(&f);
    put_image(&f, "p", "1.0", 3, 0);
    put_image(&f, "p", "2.0", 3, 30);
    put_image(&f, "p", "3.0", 3, 60);
    admin_expect(&f, "POST", "/admin/v1/releases?product=p&target=2.0&group=pilot", 201, NULL);
    admin_expect(&f, "POST", "/admin/v1/releases?product=p&target=3.0", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    enrol(&f, IMEI_A, "p", "pilot");
    enrol(&f, IMEI_B, "p", NULL);
    check(&f, IMEI_A, "1.0", id);
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_A, 200, &b);
    expect_in((char *)b.p, "\"release\":1");
    bytes_free(&b);
    check(&f, IMEI_B, "1.0", id);
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_B, 200, &b);
    expect_in((char *)b.p, "\"release\":2");
    bytes_free(&b);
    /* The dry run says which and why, and records nothing. */
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_A "/plan?ver=1.0", 200, &b);
    expect_in((char *)b.p, "\"answer\":\"update\",\"release\":1");
    expect_in((char *)b.p, "takes precedence over global ones");
    bytes_free(&b);
    /* A newer group release beats the older one; paused, it holds. */
    admin_expect(&f, "POST", "/admin/v1/releases?product=p&target=3.0&group=pilot", 201, NULL);
    admin_expect(&f, "POST", "/admin/v1/releases/3/pause", 200, NULL);
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_A "/plan?ver=1.0", 200, &b);
    expect_in((char *)b.p, "\"answer\":\"none\",\"release\":3");
    expect_in((char *)b.p, "is paused");
    bytes_free(&b);
    fleet_stop(&f);
}

/* Waves: 10% then 100%, the next after one confirmed report and 600 s
 * of soak, on the test's clock. */
static void test_wave_advances(void **state)
{
    struct fleet f;
    struct bytes b = {0}, log = {0};
    char imei[16], id[65], in_wave[16] = "";
    int i, offered = 0;
    (void)state;
    set_now(1700000000);
    fleet_start(&f);
    put_image(&f, "w", "1.0", 4, 0);
    put_image(&f, "w", "2.0", 4, 30);
    admin_expect(&f, "POST", "/admin/v1/releases?product=w&target=2.0&waves=10,100"
                 "&wave_reports=1&soak=600", 201, &b);
    expect_in((char *)b.p, "\"share\":10,");
    expect_in((char *)b.p, "\"waves\":[10,100],\"wave\":1");
    bytes_free(&b);
    cfota_server_wait_builds(f.h.srv);
    for (i = 0; i < 40; i++) {
        snprintf(imei, sizeof imei, "8677230301%05d", i);
        enrol(&f, imei, "w", NULL);
        check(&f, imei, "1.0", id);
        if (id[0]) {
            offered++;
            if (!in_wave[0])
                snprintf(in_wave, sizeof in_wave, "%s", imei);
        }
    }
    assert_true(offered > 0 && offered < 20);
    report(&f, in_wave, "1.0", "2.0", "2.0", "ok");
    /* Confirmed, but not soaked: the clock says 599 s. */
    set_now(1700000000 + 599);
    assert_int_equal(cfota_server_tick(f.h.srv), 0);
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"share\":10,");
    bytes_free(&b);
    set_now(1700000000 + 600);
    assert_int_equal(cfota_server_tick(f.h.srv), 0);
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"share\":100,");
    expect_in((char *)b.p, "\"wave\":2");
    bytes_free(&b);
    for (i = 0, offered = 0; i < 40; i++) {
        snprintf(imei, sizeof imei, "8677230301%05d", i);
        check(&f, imei, "1.0", id);
        offered += id[0] != 0;
    }
    assert_int_equal(offered, 40);
    /* At the last wave, advance is refused. */
    admin_expect(&f, "POST", "/admin/v1/releases/1/advance", 409, NULL);
    fleet_log(&f, &log);
    expect_in((char *)log.p, "event=release id=1 product=w target=2.0 change=advanced state=active "
                             "share=100 wave=2");
    bytes_free(&log);
    fleet_stop(&f);
}

/* Failures pause a waved release before its next wave, and a paused
 * release never advances however long it soaks. */
static void test_wave_pauses(void **state)
{
    struct fleet f;
    struct bytes b = {0}, text = {0};
    char imei[16], id[65];
    int i, failed = 0;
    (void)state;
    set_now(1700000000);
    fleet_start(&f);
    put_image(&f, "w", "1.0", 5, 0);
    put_image(&f, "w", "2.0", 5, 30);
    admin_expect(&f, "POST", "/admin/v1/releases?product=w&target=2.0&waves=50,100"
                 "&wave_reports=1&soak=0&max_fail=20&min_reports=2", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    for (i = 0; i < 40 && failed < 2; i++) {
        snprintf(imei, sizeof imei, "8677230302%05d", i);
        enrol(&f, imei, "w", NULL);
        check(&f, imei, "1.0", id);
        if (id[0]) {
            report(&f, imei, "1.0", "2.0", "1.0", "fail");
            failed++;
        }
    }
    assert_int_equal(failed, 2);
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"share\":50,");
    expect_in((char *)b.p, "\"state\":\"paused\",\"reason\":\"failure rate 2/2 over 20%\"");
    bytes_free(&b);
    set_now(1700000000 + 100000);
    assert_int_equal(cfota_server_tick(f.h.srv), 0);
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"share\":50,");
    bytes_free(&b);
    /* The pause is counted in the metrics. */
    admin_expect(&f, "GET", "/metrics", 200, &text);
    expect_in((char *)text.p, "cfota_auto_pauses_total 1\n");
    expect_in((char *)text.p, "cfota_reports_total{result=\"fail\"} 2\n");
    bytes_free(&text);
    fleet_stop(&f);
}

/* max_downloads: devices beyond the cap are told to retry; a report frees
 * a slot. Updates reported without an offer count for the release whose
 * target they reached. */
static void test_cap_and_attribution(void **state)
{
    struct fleet f;
    struct answer a;
    struct bytes b = {0};
    char id[65];
    (void)state;
    fleet_start(&f);
    put_image(&f, "c", "1.0", 6, 0);
    put_image(&f, "c", "2.0", 6, 30);
    admin_expect(&f, "POST", "/admin/v1/releases?product=c&target=2.0&max_downloads=1", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    enrol(&f, IMEI_A, "c", NULL);
    enrol(&f, IMEI_B, "c", NULL);
    enrol(&f, IMEI_C, "c", NULL);
    check(&f, IMEI_A, "1.0", id);
    assert_int_equal(strlen(id), 64);
    check(&f, IMEI_A, "1.0", id); /* the same device keeps its slot */
    assert_int_equal(strlen(id), 64);
    device(&f, "check", IMEI_B, "ver=1.0", &a);
    expect_in(answer_text(&a), "status=none\nretry=300\n");
    answer_free(&a);
    report(&f, IMEI_A, "1.0", "2.0", "2.0", "ok");
    check(&f, IMEI_B, "1.0", id);
    assert_int_equal(strlen(id), 64);
    /* C was updated over its serial line: never offered, still counted. */
    report(&f, IMEI_C, "1.0", "2.0", "2.0", "ok");
    admin_expect(&f, "GET", "/admin/v1/releases/1", 200, &b);
    expect_in((char *)b.p, "\"succeeded\":2");
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/devices/" IMEI_C, 200, &b);
    expect_in((char *)b.p, "\"state\":\"succeeded\",\"release\":1");
    bytes_free(&b);
    fleet_stop(&f);
}

/* Deletes: refused while a release needs the thing, with the reason. */
static void test_deletes(void **state)
{
    struct fleet f;
    struct bytes b = {0}, pkg = {0};
    char id[65], path[200];
    (void)state;
    fleet_start(&f);
    put_image(&f, "d", "1.0", 7, 0);
    put_image(&f, "d", "2.0", 7, 30);
    admin_expect(&f, "POST", "/admin/v1/releases?product=d&target=2.0", 201, NULL);
    cfota_server_wait_builds(f.h.srv);
    enrol(&f, IMEI_A, "d", NULL);
    check(&f, IMEI_A, "1.0", id);
    admin_expect(&f, "DELETE", "/admin/v1/images/2.0?product=d", 409, &b);
    expect_in((char *)b.p, "release 1 (active) targets 2.0");
    bytes_free(&b);
    snprintf(path, sizeof path, "/admin/v1/packages/%s?product=d", id);
    admin_expect(&f, "DELETE", path, 409, NULL);
    admin_expect(&f, "DELETE", "/admin/v1/releases/1", 409, &b);
    expect_in((char *)b.p, "pause it first");
    bytes_free(&b);
    admin_expect(&f, "POST", "/admin/v1/releases/1/pause", 200, NULL);
    admin_expect(&f, "DELETE", "/admin/v1/releases/1", 200, NULL);
    admin_expect(&f, "GET", "/admin/v1/releases/1", 404, NULL);
    admin_expect(&f, "DELETE", path, 200, NULL);
    admin_expect(&f, "DELETE", "/admin/v1/images/2.0?product=d", 200, NULL);
    admin_expect(&f, "DELETE", "/admin/v1/images/2.0?product=d", 404, NULL);
    admin_expect(&f, "GET", "/admin/v1/images?product=d", 200, &b);
    assert_null(strstr((char *)b.p, "\"2.0\""));
    bytes_free(&b);
    /* An uploaded package can go once no release targets it. */
    make_image(&pkg, 8, 0, 500);
    assert_int_equal(admin_status(&f.h, "POST", "/admin/v1/packages?product=d&from=1.0&to=5.0",
                                  &pkg), 201);
    bytes_free(&pkg);
    fleet_stop(&f);
}

/* Device credentials: header as well as query, revoke, rotate; never in
 * the log. */
static void test_device_tokens(void **state)
{
    struct fleet f;
    struct answer a;
    struct bytes b = {0}, log = {0};
    char tok[33], header[80], path[200], newtok[40];
    const char *hdr[] = {header, NULL};
    const char *t;
    (void)state;
    fleet_start(&f);
    put_image(&f, "t", "1.0", 9, 0);
    enrol(&f, IMEI_A, "t", NULL);
    assert_int_equal(cfota_server_device_token(f.h.srv, IMEI_A, tok), 0);
    snprintf(header, sizeof header, "Authorization: Bearer %s", tok);
    http_call(&f.h, "GET", "/d/v1/check?imei=" IMEI_A "&ver=1.0", hdr, &a);
    assert_int_equal(a.status, 200);
    answer_free(&a);
    snprintf(path, sizeof path, "/d/v1/check?imei=" IMEI_A "&ver=1.0&tok=%s", tok);
    http_call(&f.h, "GET", path, hdr, &a); /* both: refused */
    assert_int_equal(a.status, 400);
    answer_free(&a);
    admin_expect(&f, "POST", "/admin/v1/devices/" IMEI_A "/revoke", 200, &b);
    expect_in((char *)b.p, "\"revoked\":true");
    bytes_free(&b);
    http_call(&f.h, "GET", "/d/v1/check?imei=" IMEI_A "&ver=1.0", hdr, &a);
    assert_int_equal(a.status, 403);
    expect_in(answer_text(&a), "revoked");
    answer_free(&a);
    admin_expect(&f, "POST", "/admin/v1/devices?imei=" IMEI_A, 409, NULL);
    admin_expect(&f, "POST", "/admin/v1/devices/" IMEI_A "/rotate", 200, &b);
    t = strstr((char *)b.p, "\"token\":\"");
    assert_non_null(t);
    snprintf(newtok, sizeof newtok, "%.32s", t + 9);
    assert_string_not_equal(newtok, tok);
    bytes_free(&b);
    http_call(&f.h, "GET", "/d/v1/check?imei=" IMEI_A "&ver=1.0", hdr, &a); /* old token */
    assert_int_equal(a.status, 403);
    answer_free(&a);
    snprintf(header, sizeof header, "Authorization: Bearer %s", newtok);
    http_call(&f.h, "GET", "/d/v1/check?imei=" IMEI_A "&ver=1.0", hdr, &a);
    assert_int_equal(a.status, 200);
    answer_free(&a);
    fleet_log(&f, &log);
    expect_in((char *)log.p, "event=access method=GET route=/d/v1/check path=/d/v1/check status=200");
    assert_null(strstr((char *)log.p, tok));
    assert_null(strstr((char *)log.p, newtok));
    bytes_free(&log);
    fleet_stop(&f);
}

/* Roles, one device, pagination, /healthz, /metrics. */
static void test_operations(void **state)
{
    struct fleet f;
    struct bytes b = {0};
    struct admin_reply r;
    struct answer a;
    char imei[16], token[80], path[200];
    const char *t;
    int i;
    (void)state;
    fleet_start(&f);
    put_image(&f, "o", "1.0", 10, 0);
    admin_expect(&f, "POST", "/admin/v1/tokens?name=dash&role=read", 201, &b);
    t = strstr((char *)b.p, "\"token\":\"");
    assert_non_null(t);
    snprintf(token, sizeof token, "%.64s", t + 9);
    bytes_free(&b);
    admin_expect(&f, "POST", "/admin/v1/tokens?name=dash&role=admin", 409, NULL);
    assert_int_equal(admin_call(f.h.base, token, "GET", "/admin/v1/images", NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    admin_reply_free(&r);
    assert_int_equal(admin_call(f.h.base, token, "POST", "/admin/v1/devices?imei=" IMEI_A, NULL, 0,
                                &r), 0);
    assert_int_equal(r.status, 403);
    expect_in(answer_text_of(&r), "\"error\":\"read_only\"");
    admin_reply_free(&r);
    admin_expect(&f, "DELETE", "/admin/v1/tokens/dash", 200, NULL);
    assert_int_equal(admin_call(f.h.base, token, "GET", "/admin/v1/images", NULL, 0, &r), 0);
    assert_int_equal(r.status, 403);
    admin_reply_free(&r);

    for (i = 0; i < 5; i++) {
        snprintf(imei, sizeof imei, "8677230303%05d", i);
        enrol(&f, imei, "o", NULL);
    }
    admin_expect(&f, "GET", "/admin/v1/devices?limit=2", 200, &b);
    expect_in((char *)b.p, "\"next\":\"867723030300001\"");
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/devices?limit=2&after=867723030300003", 200, &b);
    expect_in((char *)b.p, "867723030300004");
    expect_in((char *)b.p, "\"next\":null");
    assert_null(strstr((char *)b.p, "867723030300003\""));
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/devices?imei=8677230303000", 200, &b);
    expect_in((char *)b.p, "867723030300004");
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/devices/867723030300002", 200, &b);
    expect_in((char *)b.p, "{\"imei\":\"867723030300002\",\"product\":\"o\"");
    bytes_free(&b);
    admin_expect(&f, "GET", "/admin/v1/devices/867723030399999", 404, NULL);

    http_call(&f.h, "GET", "/healthz", NULL, &a);
    assert_int_equal(a.status, 200);
    expect_in(answer_text(&a), "\"status\":\"ok\",\"version\":\"" CFOTA_SERVER_VERSION
                               "\",\"store\":\"ok\"");
    answer_free(&a);
    http_call(&f.h, "GET", "/metrics", NULL, &a);
    assert_int_equal(a.status, 401);
    answer_free(&a);
    snprintf(path, sizeof path, "/metrics");
    admin_expect(&f, "GET", path, 200, &b);
    expect_in((char *)b.p, "cfota_requests_total{route=\"GET /healthz\",status=\"200\"} 1\n");
    expect_in((char *)b.p, "cfota_requests_total{route=\"POST /admin/v1/devices\",status=\"200\"} 5\n");
    expect_in((char *)b.p, "# TYPE cfota_build_queue gauge\ncfota_build_queue 0\n");
    bytes_free(&b);
    fleet_stop(&f);
}

/* A schema 1 database (before products) is migrated: its rows go to
 * product "default" and keep working. */
static void test_migration(void **state)
{
    struct harness h;
    sqlite3 *db;
    char path[300];
    struct admin_reply r;
    (void)state;
    snprintf(h.dir, sizeof h.dir, "/tmp/cfota-migrate-test-XXXXXX");
    assert_non_null(mkdtemp(h.dir));
    snprintf(path, sizeof path, "%s/cfota.db", h.dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE images(version TEXT PRIMARY KEY, sha TEXT NOT NULL, size INTEGER NOT NULL,"
        " created INTEGER NOT NULL);"
        "CREATE TABLE packages(base TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL,"
        " kind TEXT NOT NULL, sha TEXT NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL,"
        " error TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(base, target));"
        "CREATE INDEX packages_sha ON packages(sha);"
        "CREATE TABLE releases(id INTEGER PRIMARY KEY, target TEXT NOT NULL, grp TEXT NOT NULL,"
        " share INTEGER NOT NULL, max_fail INTEGER NOT NULL, min_reports INTEGER NOT NULL,"
        " state TEXT NOT NULL, reason TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE devices(imei TEXT PRIMARY KEY, grp TEXT NOT NULL, version TEXT NOT NULL,"
        " release_id INTEGER NOT NULL, last_seen INTEGER NOT NULL, last_report TEXT NOT NULL,"
        " report_time INTEGER NOT NULL);"
        "CREATE TABLE assignments(release_id INTEGER NOT NULL, imei TEXT NOT NULL,"
        " from_version TEXT NOT NULL, package TEXT NOT NULL, state TEXT NOT NULL,"
        " reason TEXT NOT NULL, failures INTEGER NOT NULL, updated INTEGER NOT NULL,"
        " PRIMARY KEY(release_id, imei));"
        "INSERT INTO releases VALUES(1,'2.0','',100,20,5,'active','',1);"
        "INSERT INTO devices VALUES('" IMEI_A "','lab','1.0',0,1,'',0);"
        "PRAGMA user_version=1;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    harness_start_in(&h, h.dir);
    assert_int_equal(admin(&h, "GET", "/admin/v1/devices/" IMEI_A, NULL, &r), 200);
    expect_in(answer_text_of(&r), "\"product\":\"default\",\"group\":\"lab\"");
    admin_reply_free(&r);
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    expect_in(answer_text_of(&r), "\"product\":\"default\",\"target\":\"2.0\"");
    admin_reply_free(&r);
    cfota_server_stop(h.srv);
    /* A schema from the future is refused with a reason. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=9;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    {
        struct cfota_server_config cfg;
        char err[512];
        memset(&cfg, 0, sizeof cfg);
        cfg.data_dir = h.dir;
        cfg.admin_token = TEST_ADMIN_TOKEN;
        assert_null(cfota_server_start(&cfg, err, sizeof err));
        expect_in(err, "schema 9");
    }
    harness_rm_tree(h.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_vendor_package),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_wave_advances),
        cmocka_unit_test(test_wave_pauses),
        cmocka_unit_test(test_cap_and_attribution),
        cmocka_unit_test(test_deletes),
        cmocka_unit_test(test_device_tokens),
        cmocka_unit_test(test_operations),
        cmocka_unit_test(test_migration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
