/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_signing.c: the server's two ways with release keys
 * (server/signing.h, docs/server.md "Signing").
 *
 * Offline: the server holds only the public key. A built package waits in
 * state "tosign" and is not served; the operator fetches it, signs it
 * (util/sign.c, what `cfota sign` does) and uploads it; the server checks
 * that it is that package with a valid signature and serves it from then
 * on. A signature by another key, or a package changed on the way, is
 * refused. Online: the server signs what it builds with its key.
 */
#include "server_harness.h"
#include "sign.h"

#include "cfota/package.h"
#include "cfota_mbedtls.h"

struct keys {
    char dir[64], key[96], pub[100], other[96];
};

static void make_keys(struct keys *k)
{
    char why[256];
    snprintf(k->dir, sizeof k->dir, "/tmp/cfota-srvkey-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    snprintf(k->key, sizeof k->key, "%s/rel", k->dir);
    snprintf(k->pub, sizeof k->pub, "%s/rel.pub", k->dir);
    snprintf(k->other, sizeof k->other, "%s/other", k->dir);
    assert_int_equal(host_keygen(k->key, why, sizeof why), 0);
    assert_int_equal(host_keygen(k->other, why, sizeof why), 0);
}

/* Two versions of a small image, uploaded, and a release of the second. */
static void upload_two(struct harness *h)
{
    struct bytes a = {0}, b = {0};
    uint64_t seed = 16;
    unsigned i;
    for (i = 0; i < 20000; i++)
        bytes_byte(&a, (uint8_t)(i % 97 < 50 ? i / 5 : test_rand(&seed)));
    bytes_put(&b, a.p, a.n);
    for (i = 0; i < b.n; i += 777)
        b.p[i] ^= 0x5a;
    assert_int_equal(admin_status(h, "PUT", "/admin/v1/images/1.0?product=" TEST_PRODUCT, &a), 201);
    assert_int_equal(admin_status(h, "PUT", "/admin/v1/images/2.0?product=" TEST_PRODUCT, &b), 201);
    assert_int_equal(admin_status(h, "POST", "/admin/v1/releases?product=" TEST_PRODUCT "&target=2.0", NULL), 201);
    cfota_server_wait_builds(h->srv);
    bytes_free(&a);
    bytes_free(&b);
}

/* The id of the 1.0 -> 2.0 package in the listing, and its state. */
static void delta_id(struct harness *h, char id[65], char state[16])
{
    struct admin_reply r;
    const char *p, *q;
    assert_int_equal(admin(h, "GET", "/admin/v1/packages", NULL, &r), 200);
    p = strstr((const char *)r.body.p, "\"from\":\"1.0\",\"to\":\"2.0\",\"state\":\"");
    assert_non_null(p);
    p += strlen("\"from\":\"1.0\",\"to\":\"2.0\",\"state\":\"");
    snprintf(state, 16, "%.*s", (int)strcspn(p, "\""), p);
    q = strstr(p, "\"id\":\"");
    assert_non_null(q);
    snprintf(id, 65, "%.64s", q + 6);
    admin_reply_free(&r);
}

static long download(struct harness *h, const char *id, struct bytes *out)
{
    struct admin_reply r;
    char path[128];
    long status;
    snprintf(path, sizeof path, "/admin/v1/packages/%s", id);
    status = admin(h, "GET", path, NULL, &r);
    memset(out, 0, sizeof *out);
    bytes_put(out, r.body.p, r.body.n);
    admin_reply_free(&r);
    return status;
}

static long device_get(struct harness *h, const char *id)
{
    struct answer a;
    char what[80], path[256];
    long status;
    snprintf(what, sizeof what, "pkg/%s", id);
    device_path(h, path, sizeof path, what, "867723030000001", NULL);
    http_call(h, "GET", path, NULL, &a);
    status = a.status;
    answer_free(&a);
    return status;
}

static void test_offline_signing(void **state)
{
    struct harness h;
    struct cfota_server_config cfg;
    struct keys k;
    struct bytes pkg, bad;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    struct cfota_policy p;
    char id[65], st[16], path[160], why[256], new_id[65];
    struct admin_reply r;
    const char *q;
    (void)state;
    make_keys(&k);
    harness_make_dir(&h);
    memset(&cfg, 0, sizeof cfg);
    cfg.release_key = k.pub;
    harness_start_limited(&h, h.dir, &cfg);
    upload_two(&h);
    delta_id(&h, id, st);
    assert_string_equal(st, "tosign");
    assert_int_equal(device_get(&h, id), 404); /* not served unsigned */
    assert_int_equal(download(&h, id, &pkg), 200);

    /* Signed by another key: refused. */
    bad.p = NULL;
    memset(&bad, 0, sizeof bad);
    bytes_put(&bad, pkg.p, pkg.n);
    assert_int_equal(host_package_sign(&bad, k.other, why, sizeof why), 0);
    snprintf(path, sizeof path, "/admin/v1/packages/%s/signature", id);
    assert_int_equal(admin_status(&h, "PUT", path, &bad), 400);
    /* Signed, then changed: not this package. */
    bad.n = 0;
    bytes_put(&bad, pkg.p, pkg.n);
    assert_int_equal(host_package_sign(&bad, k.key, why, sizeof why), 0);
    bad.p[bad.n / 2] ^= 1;
    assert_int_equal(admin_status(&h, "PUT", path, &bad), 400);
    bytes_free(&bad);

    /* Signed offline with the release key: accepted and served. */
    assert_int_equal(host_package_sign(&pkg, k.key, why, sizeof why), 0);
    assert_int_equal(admin(&h, "PUT", path, &pkg, &r), 200);
    q = strstr((const char *)r.body.p, "\"id\": \"");
    assert_non_null(q);
    snprintf(new_id, sizeof new_id, "%.64s", q + 7);
    admin_reply_free(&r);
    delta_id(&h, id, st);
    assert_string_equal(st, "ready");
    assert_string_equal(id, new_id);
    assert_int_equal(device_get(&h, new_id), 200);
    bytes_free(&pkg);
    assert_int_equal(download(&h, new_id, &pkg), 200);
    assert_int_equal(host_verifier_load(k.pub, &key, &v, why, sizeof why), 0);
    memset(&p, 0, sizeof p);
    p.verifier = &v;
    assert_int_equal(host_package_check(pkg.p, pkg.n, &p, why, sizeof why), 0);
    bytes_free(&pkg);
    harness_stop(&h);
    harness_rm_tree(k.dir);
}

static void test_server_signs(void **state)
{
    struct harness h;
    struct cfota_server_config cfg;
    struct keys k;
    struct bytes pkg;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    struct cfota_policy p;
    char id[65], st[16], why[256];
    (void)state;
    make_keys(&k);
    harness_make_dir(&h);
    memset(&cfg, 0, sizeof cfg);
    cfg.sign_key = k.key;
    harness_start_limited(&h, h.dir, &cfg);
    upload_two(&h);
    delta_id(&h, id, st);
    assert_string_equal(st, "ready");
    assert_int_equal(device_get(&h, id), 200);
    assert_int_equal(download(&h, id, &pkg), 200);
    assert_int_equal(host_verifier_load(k.pub, &key, &v, why, sizeof why), 0);
    memset(&p, 0, sizeof p);
    p.verifier = &v;
    assert_int_equal(host_package_check(pkg.p, pkg.n, &p, why, sizeof why), 0);
    /* A signature upload makes no sense here. */
    {
        char path[160];
        snprintf(path, sizeof path, "/admin/v1/packages/%s/signature", id);
        assert_int_equal(admin_status(&h, "PUT", path, &pkg), 409);
    }
    bytes_free(&pkg);
    assert_int_equal(download(&h, "../../etc", &pkg), 404);
    bytes_free(&pkg);
    harness_stop(&h);
    harness_rm_tree(k.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offline_signing),
        cmocka_unit_test(test_server_signs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
