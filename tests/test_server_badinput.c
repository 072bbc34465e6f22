/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_badinput.c: every kind of bad request gets its 4xx and
 * a JSON message, and leaves the store exactly as it was
 * (docs/server-api.md §5).
 *
 * The cases are a table: method, path (with {TOK} for the device's token,
 * {PKG} for a real package id, {IMG} for an image's SHA-256), headers, the
 * status and the error code expected. Before and after the table, the
 * whole visible state (images, packages, releases, devices) is fetched
 * and compared.
 */
#include "server_harness.h"

#define IMEI "867723030000001"

struct bad_case {
    const char *method;
    const char *path;
    const char *header;  /* one extra header, or NULL */
    long status;
    const char *error;   /* expected "error" code */
};

static const struct bad_case cases[] = {
    /* check */
    {"GET", "/d/v1/check?tok={TOK}&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=12345&tok={TOK}&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=86772303000000x&tok={TOK}&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok=xyz&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=867723030000002&tok={TOK}&ver=1.0", NULL, 403, "bad_credential"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok=00000000000000000000000000000000&ver=1.0", NULL, 403,
     "bad_credential"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0&ver=2.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0&wnat=2.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=..%2F..%2Fetc", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=.hidden", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=123456789012345678901234567890123", NULL,
     400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0&want=%22", NULL, 400, "bad_parameter"},
    {"POST", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0", NULL, 405, "method_not_allowed"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0", "Content-Length: 5", 413, "too_large"},
    {"GET", "/d/v1/chek", NULL, 404, "not_found"},
    {"GET", "/d/v1/check/", NULL, 404, "not_found"},
    {"GET", "/dashboard", NULL, 404, "not_found"}, /* "/" is the dashboard */
    {"GET", "/d", NULL, 404, "not_found"},
    /* download */
    {"GET", "/d/v1/pkg/{PKG}", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok=11111111111111111111111111111111", NULL, 403,
     "bad_credential"},
    {"GET", "/d/v1/pkg/0000000000000000000000000000000000000000000000000000000000000000?imei=" IMEI
     "&tok={TOK}", NULL, 404, "unknown_package"},
    {"GET", "/d/v1/pkg/{IMG}?imei=" IMEI "&tok={TOK}", NULL, 404, "unknown_package"},
    {"GET", "/d/v1/pkg/cfota.db?imei=" IMEI "&tok={TOK}", NULL, 404, "unknown_package"},
    {"GET", "/d/v1/pkg/..%2F..%2F..%2Fetc%2Fpasswd?imei=" IMEI "&tok={TOK}", NULL, 404,
     "not_found"},
    {"GET", "/d/v1/pkg/%2E%2E?imei=" IMEI "&tok={TOK}", NULL, 404, "unknown_package"},
    {"GET", "/d/v1/pkg/../../cfota.db?imei=" IMEI "&tok={TOK}", NULL, 404, "not_found"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=99999999-", 416,
     "range_not_satisfiable"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=-0", 416,
     "range_not_satisfiable"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=abc", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=10-5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=0-1,5-6", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=99999999999999999999999-",
     416, "range_not_satisfiable"},
    /* Range is parsed strictly (RFC 9110 §14): nothing after the range. */
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=0-5 junk", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=5- 7", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=-5 x", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes= 0-5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes 0-5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: =0-5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=-", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=--5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=0-5,", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=,0-5", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=+5-", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=0x10-", 400, "bad_range"},
    {"GET", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", "Range: bytes=30000000000000000000-20000000000000000000", 400, "bad_range"},
    /* A percent-encoded NUL does not end a value early. */
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0%00", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0%00junk", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "%00&tok={TOK}&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}%00&ver=1.0", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0&want=2.0%00", NULL, 400,
     "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0&ver%00=2.0", NULL, 400,
     "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0%01", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/check?imei=" IMEI "&tok={TOK}&ver=1.0%FF", NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/pkg/{PKG}%00?imei=" IMEI "&tok={TOK}", NULL, 404, "unknown_package"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0%00&result=ok", NULL,
     400, "bad_parameter"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0&result=ok%00", NULL,
     400, "bad_parameter"},
    {"PUT", "/admin/v1/images/4.0%00?product=m4app", "Authorization: Bearer " TEST_ADMIN_TOKEN, 400,
     "bad_parameter"},
    {"POST", "/admin/v1/releases?product=m4app&target=2.0%00", "Authorization: Bearer " TEST_ADMIN_TOKEN, 400,
     "bad_parameter"},
    {"POST", "/admin/v1/devices?imei=" IMEI "%00", "Authorization: Bearer " TEST_ADMIN_TOKEN, 400,
     "bad_parameter"},
    {"GET", "/admin/v1/releases/1%00", "Authorization: Bearer " TEST_ADMIN_TOKEN, 404,
     "unknown_release"},
    {"DELETE", "/d/v1/pkg/{PKG}?imei=" IMEI "&tok={TOK}", NULL, 405, "method_not_allowed"},
    /* report */
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0", NULL, 400,
     "bad_parameter"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0&result=maybe", NULL,
     400, "bad_parameter"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0&result=fail&reason="
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 400,
     "bad_parameter"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok={TOK}&from=1.0&to=2.0&ver=2.0&result=fail&reason=a%20b",
     NULL, 400, "bad_parameter"},
    {"GET", "/d/v1/report?imei=" IMEI "&tok=22222222222222222222222222222222&from=1.0&to=2.0"
     "&ver=2.0&result=ok", NULL, 403, "bad_credential"},
    /* admin token */
    {"GET", "/admin/v1/images", "X-Nothing: 1", 401, "missing_token"},
    {"GET", "/admin/v1/images", "Authorization: Basic dXNlcjpwYXNz", 401, "missing_token"},
    {"GET", "/admin/v1/images", "Authorization: Bearer wrong-token-wrong-token", 403, "bad_token"},
    {"GET", "/admin/v1/images", "Authorization: Bearer " TEST_ADMIN_TOKEN "x", 403, "bad_token"},
    {"GET", "/admin/v1/images", "Authorization: Bearer ", 403, "bad_token"},
    {"POST", "/admin/v1/releases?product=m4app&target=1.0", "Authorization: Bearer nope", 403, "bad_token"},
    {"PUT", "/admin/v1/images/9.9", NULL, 401, "missing_token"},
    {"POST", "/admin/v1/devices?imei=" IMEI, NULL, 401, "missing_token"},
};

/* The whole state an operator can see. */
static void snapshot(const struct harness *h, struct bytes *out)
{
    const char *lists[] = {"/admin/v1/images", "/admin/v1/packages", "/admin/v1/releases",
                           "/admin/v1/devices"};
    size_t i;
    for (i = 0; i < 4; i++) {
        struct admin_reply r;
        assert_int_equal(admin(h, "GET", lists[i], NULL, &r), 200);
        bytes_put(out, r.body.p, r.body.n);
        admin_reply_free(&r);
    }
}

static void substitute(const char *in, char *out, size_t cap, const char *tok, const char *pkg,
                       const char *img)
{
    size_t n = 0;
    while (*in && n + 1 < cap) {
        const char *with = NULL;
        size_t skip = 0;
        if (!strncmp(in, "{TOK}", 5))
            with = tok, skip = 5;
        else if (!strncmp(in, "{PKG}", 5))
            with = pkg, skip = 5;
        else if (!strncmp(in, "{IMG}", 5))
            with = img, skip = 5;
        if (with) {
            n += (size_t)snprintf(out + n, cap - n, "%s", with);
            in += skip;
        } else {
            out[n++] = *in++;
        }
    }
    out[n < cap ? n : cap - 1] = 0;
}

static void assert_error(const struct answer *a, long status, const char *code)
{
    char want[64], type[64];
    if (a->status != status)
        fail_msg("status %ld, expected %ld: %s", a->status, status, answer_text(a));
    snprintf(want, sizeof want, "{\"error\":\"%s\",\"message\":\"", code);
    if (strncmp(answer_text(a), want, strlen(want)) != 0)
        fail_msg("expected error %s, got %s", code, answer_text(a));
    assert_true(header_get(a, "Content-Type", type, sizeof type));
    assert_string_equal(type, "application/json");
}

/* Prepare a server with an image pair, a release and one device. */
static void prepared(struct harness *h, char tok[33], char pkg[65], char img[65])
{
    struct answer a;
    struct admin_reply r;
    char path[256];
    const char *p;
    harness_start(h);
    upload_image(h, TEST_OLD, "1.0");
    upload_image(h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(h, "POST", "/admin/v1/releases?product=m4app&target=2.0", NULL), 201);
    cfota_server_wait_builds(h->srv);
    assert_int_equal(cfota_server_device_token(h->srv, IMEI, tok), 0);
    device_path(h, path, sizeof path, "check", IMEI, "ver=1.0");
    http_call(h, "GET", path, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_true(kv_get(answer_text(&a), "package", pkg, 65));
    answer_free(&a);
    assert_int_equal(admin(h, "GET", "/admin/v1/images", NULL, &r), 200);
    p = strstr((const char *)r.body.p, "\"sha256\":\"");
    assert_non_null(p);
    snprintf(img, 65, "%.64s", p + 10);
    admin_reply_free(&r);
}

static void test_bad_requests(void **state)
{
    struct harness h;
    struct bytes before = {0}, after = {0};
    char tok[33], pkg[65], img[65], path[1024], range[80];
    size_t i;
    (void)state;
    prepared(&h, tok, pkg, img);
    snapshot(&h, &before);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct answer a;
        const char *headers[2] = {cases[i].header, NULL};
        substitute(cases[i].path, path, sizeof path, tok, pkg, img);
        http_call(&h, cases[i].method, path, headers, &a);
        if (a.status != cases[i].status)
            fail_msg("case %zu %s %s: status %ld, expected %ld: %s", i, cases[i].method, path,
                     a.status, cases[i].status, answer_text(&a));
        assert_error(&a, cases[i].status, cases[i].error);
        if (cases[i].status == 416) {
            assert_true(header_get(&a, "Content-Range", range, sizeof range));
            assert_int_equal(strncmp(range, "bytes */", 8), 0);
        }
        if (cases[i].status == 401) {
            assert_true(header_get(&a, "WWW-Authenticate", range, sizeof range));
            assert_string_equal(range, "Bearer");
        }
        if (cases[i].status == 405)
            assert_true(header_get(&a, "Allow", range, sizeof range));
        answer_free(&a);
    }
    snapshot(&h, &after);
    if (before.n != after.n || memcmp(before.p, after.p, before.n))
        fail_msg("state changed:\n%.*s\n---\n%.*s", (int)before.n, (char *)before.p,
                 (int)after.n, (char *)after.p);
    bytes_free(&before);
    bytes_free(&after);
    harness_stop(&h);
}

/* Upload with curl's default Expect: 100-continue, so a refusal made
 * from the headers arrives before the body is sent. */
static long upload(const struct harness *h, const char *version, const void *data, size_t n,
                   const char *token, struct answer *a)
{
    CURL *c = curl_easy_init();
    struct curl_slist *list = NULL;
    char url[512], auth[200];
    CURLcode rc;
    memset(a, 0, sizeof *a);
    snprintf(url, sizeof url, "%s/admin/v1/images/%s?product=m4app", h->base, version);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a->headers);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    list = curl_slist_append(list, auth);
    list = curl_slist_append(list, "Expect: 100-continue");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("PUT %s: %s", url, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    bytes_byte(&a->body, 0);
    a->body.n--;
    bytes_byte(&a->headers, 0);
    a->headers.n--;
    return a->status;
}

static void test_bad_uploads(void **state)
{
    struct harness h;
    struct bytes before = {0}, after = {0}, old = {0};
    struct answer a;
    char tok[33], pkg[65], img[65];
    static const char hex_file[] = ":10010000214601360121470136007EFE09D2190140\n:00000001FF\n";
    uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    uint8_t cfpk[64] = {'C', 'F', 'P', 'K', 1};
    uint8_t *big;
    size_t big_n = 16u * 1024 * 1024 + 1;
    (void)state;
    prepared(&h, tok, pkg, img);
    image_load(TEST_OLD, &old);
    snapshot(&h, &before);

    upload(&h, "3.0", "", 0, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 422, "not_an_image");
    answer_free(&a);
    upload(&h, "3.0", hex_file, sizeof hex_file - 1, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 422, "not_an_image");
    answer_free(&a);
    upload(&h, "3.0", elf, sizeof elf, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 422, "not_an_image");
    answer_free(&a);
    upload(&h, "3.0", cfpk, sizeof cfpk, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 422, "not_an_image");
    answer_free(&a);
    big = calloc(1, big_n);
    assert_non_null(big);
    big[0] = 0xff;
    upload(&h, "3.0", big, big_n, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 413, "too_large");
    answer_free(&a);
    /* A wrong token is refused before the body is read. */
    upload(&h, "3.0", big, big_n, "not-the-admin-token", &a);
    assert_error(&a, 403, "bad_token");
    answer_free(&a);
    free(big);
    /* Other bytes under an existing version. */
    upload(&h, "2.0", old.p, old.n, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 409, "version_exists");
    answer_free(&a);
    upload(&h, "..", old.p, old.n, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 400, "bad_parameter");
    answer_free(&a);
    upload(&h, "3.0?x=1", old.p, old.n, TEST_ADMIN_TOKEN, &a);
    assert_error(&a, 400, "bad_parameter");
    answer_free(&a);
    /* The same bytes again are fine and change nothing. */
    assert_int_equal(upload(&h, "1.0", old.p, old.n, TEST_ADMIN_TOKEN, &a), 200);
    answer_free(&a);

    /* Bad admin parameters. */
    {
        static const struct {
            const char *method, *path;
            long status;
            const char *error;
        } admin_cases[] = {
            {"POST", "/admin/v1/releases", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=7.0", 404, "unknown_version"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&share=101", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&share=-1", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&max_fail=x", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&min_reports=0", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&group=a%2Fb", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases?product=m4app&target=2.0&colour=red", 400, "bad_parameter"},
            {"GET", "/admin/v1/releases/99", 404, "unknown_release"},
            {"GET", "/admin/v1/releases/abc", 404, "unknown_release"},
            {"GET", "/admin/v1/releases/0", 404, "unknown_release"},
            {"POST", "/admin/v1/releases/99/pause", 404, "unknown_release"},
            {"POST", "/admin/v1/releases/1/resume?share=200", 400, "bad_parameter"},
            {"POST", "/admin/v1/releases/1/stop", 404, "not_found"},
            {"PUT", "/admin/v1/releases/1", 405, "method_not_allowed"},
            {"POST", "/admin/v1/devices?imei=123", 400, "bad_parameter"},
            {"POST", "/admin/v1/devices", 400, "bad_parameter"},
            {"GET", "/admin/v1/devices?group=%22%3E", 400, "bad_parameter"},
            {"GET", "/admin/v1/images?x=1", 400, "bad_parameter"},
        };
        size_t i;
        for (i = 0; i < sizeof admin_cases / sizeof admin_cases[0]; i++) {
            struct admin_reply r;
            long st = admin(&h, admin_cases[i].method, admin_cases[i].path, NULL, &r);
            char want[64];
            if (st != admin_cases[i].status)
                fail_msg("%s %s: status %ld, expected %ld: %s", admin_cases[i].method,
                         admin_cases[i].path, st, admin_cases[i].status, (char *)r.body.p);
            snprintf(want, sizeof want, "{\"error\":\"%s\"", admin_cases[i].error);
            assert_int_equal(strncmp((char *)r.body.p, want, strlen(want)), 0);
            admin_reply_free(&r);
        }
    }
    snapshot(&h, &after);
    assert_int_equal(before.n, after.n);
    assert_memory_equal(before.p, after.p, before.n);
    bytes_free(&before);
    bytes_free(&after);
    bytes_free(&old);
    harness_stop(&h);
}

/* A request line far over the connection buffer is refused by the HTTP
 * layer, and the server goes on serving. */
static void test_oversized_request(void **state)
{
    struct harness h;
    struct answer a;
    char *path;
    size_t n = 100 * 1024;
    char tok[33], pkg[65], img[65];
    (void)state;
    prepared(&h, tok, pkg, img);
    path = malloc(n + 64);
    assert_non_null(path);
    strcpy(path, "/d/v1/check?imei=" IMEI "&ver=");
    memset(path + strlen(path), 'a', n);
    path[n + 20] = 0;
    http_call(&h, "GET", path, NULL, &a);
    if (a.status != 400 && a.status != 414 && a.status != 431)
        fail_msg("long request line: status %ld", a.status);
    answer_free(&a);
    {
        const char *headers[] = {NULL, NULL};
        char *big = malloc(n + 32);
        assert_non_null(big);
        strcpy(big, "X-Big: ");
        memset(big + 7, 'b', n);
        big[n + 7] = 0;
        headers[0] = big;
        http_call(&h, "GET", "/admin/v1/images", headers, &a);
        assert_true(a.status == 431 || a.status == 413);
        answer_free(&a);
        free(big);
    }
    free(path);
    /* Still alive. */
    http_call(&h, "GET", "/d/v1/nothing", NULL, &a);
    assert_int_equal(a.status, 404);
    answer_free(&a);
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_bad_uploads),
        cmocka_unit_test(test_oversized_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
