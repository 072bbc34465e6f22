/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_concurrent.c: many devices at once.
 *
 * 120 threads, each a device with its own IMEI, check and download their
 * package at the same time (released together by a barrier), each in
 * pieces resumed with Range/If-Range as a module whose link keeps
 * dropping would, and each checks that the bytes it assembled are the
 * package the check announced. Half the devices run a version the server
 * knows (delta), half one it does not (full image). Then every device
 * reports, and the counts must add up exactly.
 */
#include "server_harness.h"

#include <pthread.h>

#include "hash.h"

#define DEVICES 120

struct device_run {
    const struct harness *h;
    pthread_barrier_t *start;
    int index;
    int ok;
    char why[160];
};

static int fetch_resumed(const struct harness *h, const char *url, const char *etag,
                         size_t size, size_t piece, struct bytes *out)
{
    while (out->n < size) {
        struct answer a;
        char range[64], ifr[120];
        const char *headers[3];
        CURL *c = curl_easy_init();
        struct curl_slist *list = NULL;
        char full[512];
        snprintf(range, sizeof range, "Range: bytes=%zu-%zu", out->n, out->n + piece - 1);
        snprintf(ifr, sizeof ifr, "If-Range: %s", etag);
        headers[0] = range;
        headers[1] = ifr;
        headers[2] = NULL;
        memset(&a, 0, sizeof a);
        snprintf(full, sizeof full, "%s%s", h->base, url);
        curl_easy_setopt(c, CURLOPT_URL, full);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
        list = curl_slist_append(list, headers[0]);
        list = curl_slist_append(list, headers[1]);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
        if (curl_easy_perform(c) != CURLE_OK)
            a.status = -1;
        else
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
        curl_slist_free_all(list);
        curl_easy_cleanup(c);
        if (a.status != 206 || a.body.n == 0 || a.body.n > piece) {
            bytes_free(&a.body);
            return -1;
        }
        bytes_put(out, a.body.p, a.body.n);
        bytes_free(&a.body);
    }
    return 0;
}

/* Plain GET without the cmocka failure path (not thread-safe). */
static long get_text(const struct harness *h, const char *path, struct bytes *body)
{
    CURL *c = curl_easy_init();
    char url[512];
    long status = -1;
    snprintf(url, sizeof url, "%s%s", h->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    bytes_byte(body, 0);
    body->n--;
    return status;
}

static void *device_thread(void *arg)
{
    struct device_run *d = arg;
    struct bytes body = {0}, pkg = {0};
    char imei[16], path[512], extra[64], url[300], sha[80], size_s[24], etag[90], hex[65];
    uint8_t digest[32];
    size_t size;

    snprintf(imei, sizeof imei, "86772303%07d", d->index);
    snprintf(extra, sizeof extra, "ver=%s", d->index % 2 ? "1.0" : "0.5");
    device_path(d->h, path, sizeof path, "check", imei, extra);
    pthread_barrier_wait(d->start);
    if (get_text(d->h, path, &body) != 200 ||
        !kv_get((char *)body.p, "url", url, sizeof url) ||
        !kv_get((char *)body.p, "sha256", sha, sizeof sha) ||
        !kv_get((char *)body.p, "size", size_s, sizeof size_s)) {
        snprintf(d->why, sizeof d->why, "check failed: %.100s", body.p ? (char *)body.p : "");
        goto out;
    }
    size = strtoul(size_s, NULL, 10);
    snprintf(etag, sizeof etag, "\"%s\"", sha);
    /* Pieces of different sizes per device, like links of different
     * quality. */
    if (fetch_resumed(d->h, url, etag, size, 512 + 97 * (size_t)d->index, &pkg) != 0) {
        snprintf(d->why, sizeof d->why, "download failed at %zu of %zu", pkg.n, size);
        goto out;
    }
    host_sha256(pkg.p, pkg.n, digest);
    host_hex(digest, 32, hex);
    if (strcmp(hex, sha) != 0) {
        snprintf(d->why, sizeof d->why, "assembled bytes do not match the package id");
        goto out;
    }
    bytes_free(&body);
    snprintf(extra, sizeof extra, "from=%s&to=2.0&ver=%s&result=ok", d->index % 2 ? "1.0" : "0.5",
             d->index % 3 ? "2.0" : "1.0");
    device_path(d->h, path, sizeof path, "report", imei, extra);
    if (get_text(d->h, path, &body) != 200) {
        snprintf(d->why, sizeof d->why, "report failed");
        goto out;
    }
    d->ok = 1;
out:
    bytes_free(&body);
    bytes_free(&pkg);
    return NULL;
}

static void test_concurrent_devices(void **state)
{
    struct harness h;
    pthread_t threads[DEVICES];
    struct device_run runs[DEVICES];
    pthread_barrier_t start;
    struct admin_reply r;
    int i, expected_ok = 0;
    (void)state;
    /* 120 devices share one loopback address here, where a fleet has one
     * address each: lift the per-address limit above the device count. */
    struct cfota_server_config limits;
    memset(&limits, 0, sizeof limits);
    limits.max_per_address = 2 * DEVICES;
    harness_make_dir(&h);
    harness_start_limited(&h, h.dir, &limits);
    upload_image(&h, TEST_OLD, "1.0");
    upload_image(&h, TEST_NEW, "2.0");
    /* min_reports high: this test is about counting, not pausing. */
    assert_int_equal(admin_status(&h, "POST", "/admin/v1/releases?product=m4app&target=2.0&min_reports=100000",
                                  NULL),
                     201);
    cfota_server_wait_builds(h.srv);
    pthread_barrier_init(&start, NULL, DEVICES);
    for (i = 0; i < DEVICES; i++) {
        runs[i].h = &h;
        runs[i].start = &start;
        runs[i].index = i;
        runs[i].ok = 0;
        runs[i].why[0] = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, device_thread, &runs[i]), 0);
    }
    for (i = 0; i < DEVICES; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    for (i = 0; i < DEVICES; i++) {
        if (!runs[i].ok)
            fail_msg("device %d: %s", i, runs[i].why);
        expected_ok += i % 3 != 0;
    }
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_int_equal(json_int((char *)r.body.p, "offered"), DEVICES);
    assert_int_equal(json_int((char *)r.body.p, "succeeded"), expected_ok);
    assert_int_equal(json_int((char *)r.body.p, "failed"), DEVICES - expected_ok);
    admin_reply_free(&r);
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_devices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
