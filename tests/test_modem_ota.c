/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_ota.c: the module's over-the-air path (modem/core/ota.c,
 * AT+CFOTA=1..4 and AT+CFOTASRV) end to end against the real cfota server
 * running in this process (server_harness.h).
 *
 * Between the module and the server sits a loopback relay
 * (loopback_http.h) that writes down every request as the server gets it
 * and can cut the link or flip a byte. The server holds two releases of the example firmware
 * as 1752B05SIM7020C and 1752B06SIM7020C and a release of the second;
 * the module runs the first. Covered: AT+CFOTA=1 from check to "Update
 * successfully" and AT+CGMR, AT+CFOTA=4 counted as a success by the
 * server; "No update package" (no server, no release, server down,
 * already up to date); a download cut in the middle giving "Download
 * pause", a power cycle, and AT+CFOTA=1 resuming with Range and If-Range
 * so that the two answers add up to the package; =2 then =3; a package
 * that arrives corrupt giving "Download fail", reported as a failure.
 */
#include "server_harness.h"

#include "loopback_http.h"
#include "modem_net_rig.h"
#include "sign.h"
#include "cfota_mbedtls.h"

#define V1 "1752B05SIM7020C"
#define V2 "1752B06SIM7020C"
#define OK "\r\nOK\r\n"
#define URC(text) "\r\n+CFOTA: " text "\r\n"
#define AFTER_RESET(result) "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n" URC(result) "\r\n+CPIN: READY\r\n"

struct ota_world {
    struct harness h;
    struct lb_peer relay;
    struct bytes old, new_;
    struct net_rig *r;
};

/* Server with both images (and a release of V2 if release), relay, and
 * a module on V1 pointed at the relay by AT+CFOTASRV. sign_key: the
 * server signs its packages with it (NULL: unsigned); trust: the module
 * trusts that verifier (NULL: none). */
static void world_open_keys(struct ota_world *w, int release, const char *sign_key,
                            const struct cfota_verifier *trust)
{
    struct cfota_server_config cfg;
    char tok[33], cmd[256];

    memset(w, 0, sizeof *w);
    memset(&cfg, 0, sizeof cfg);
    cfg.sign_key = sign_key;
    harness_make_dir(&w->h);
    harness_start_limited(&w->h, w->h.dir, &cfg);
    upload_image(&w->h, TEST_OLD, V1);
    upload_image(&w->h, TEST_NEW, V2);
    if (release) {
        assert_int_equal(admin_status(&w->h, "POST", "/admin/v1/releases?product=m4app&target=" V2, NULL), 201);
        cfota_server_wait_builds(w->h.srv);
    }
    assert_int_equal(lb_relay_start(&w->relay, cfota_server_port(w->h.srv)), 0);
    image_load(TEST_OLD, &w->old);
    image_load(TEST_NEW, &w->new_);
    w->r = net_rig_open(w->old.p, w->old.n, V1);
    assert_int_equal(enrol_in(&w->h, w->r->cfg.imei, TEST_PRODUCT), 200);
    if (trust) {
        w->r->cfg.trust = trust;
        net_boot(w->r);
        w->r->out.n = 0;
    }
    assert_int_equal(cfota_server_device_token(w->h.srv, w->r->cfg.imei, tok), 0);
    snprintf(cmd, sizeof cmd, "AT+CFOTASRV=\"http://127.0.0.1:%u\",\"%s\"\r", w->relay.port, tok);
    assert_string_equal(net_at(w->r, cmd), OK);
}

static void world_open(struct ota_world *w, int release)
{
    world_open_keys(w, release, NULL, NULL);
}

static void world_close(struct ota_world *w)
{
    net_rig_close(w->r);
    lb_stop(&w->relay);
    harness_stop(&w->h);
    bytes_free(&w->old);
    bytes_free(&w->new_);
}

static long release_count(struct ota_world *w, const char *key)
{
    struct admin_reply a;
    long v;
    assert_int_equal(admin(&w->h, "GET", "/admin/v1/releases/1", NULL, &a), 200);
    v = json_int((const char *)a.body.p, key);
    admin_reply_free(&a);
    return v;
}

static void assert_starts(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", text, prefix);
}

static void assert_runs_new_image(struct ota_world *w)
{
    assert_string_equal(net_at(w->r, "AT+CGMR\r"), "\r\n" V2 "\r\n" OK);
    assert_memory_equal(flashsim_data(w->r->sim) + (MODEM_FW_ADDR - MODEM_FLASH_BASE), w->new_.p, w->new_.n);
}

/* AT+CFOTA=1 whose download ends in "Download fail": the module still
 * runs V1, its firmware untouched. */
static void download_fails_untouched(struct ota_world *w)
{
    assert_string_equal(net_at(w->r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w->r, "Download fail"),
                        URC("Start to download new package") URC("Download fail"));
    net_settle(w->r);
    assert_string_equal(net_at(w->r, "AT+CGMR\r"), "\r\n" V1 "\r\n" OK);
    assert_memory_equal(flashsim_data(w->r->sim) + (MODEM_FW_ADDR - MODEM_FLASH_BASE), w->old.p, w->old.n);
}

/* AT+CFOTA=4 after the update: OK once the server has it. */
static void report(struct ota_world *w)
{
    assert_string_equal(net_at(w->r, "AT+CFOTA=4\r"), "");
    assert_string_equal(net_wait(w->r, OK), OK);
}

static void test_update_end_to_end(void **state)
{
    struct ota_world w;
    struct lb_request q;
    (void)state;

    world_open(&w, 1);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "+CPIN: READY"),
                        URC("Start to download new package") URC("Download completed")
                        URC("Start to update,please wait for reset") AFTER_RESET("Update successfully"));
    assert_runs_new_image(&w);

    /* what the server received: a check, then the whole package */
    assert_int_equal(lb_count(&w.relay), 2);
    q = lb_get(&w.relay, 0);
    assert_starts(q.line, "GET /d/v1/check?imei=866123045678901&tok=");
    assert_non_null(strstr(q.line, "&ver=" V1 " HTTP/1.1"));
    q = lb_get(&w.relay, 1);
    assert_starts(q.line, "GET /d/v1/pkg/");
    assert_string_equal(q.range, "");
    assert_int_equal(q.status, 200);
    assert_int_equal(release_count(&w, "downloading"), 1);
    assert_int_equal(release_count(&w, "succeeded"), 0);

    report(&w);
    q = lb_get(&w.relay, 2);
    assert_starts(q.line, "GET /d/v1/report?imei=866123045678901&tok=");
    assert_non_null(strstr(q.line, "&from=" V1 "&to=" V2 "&ver=" V2 "&result=ok HTTP/1.1"));
    assert_int_equal(q.status, 200);
    assert_int_equal(release_count(&w, "succeeded"), 1);
    assert_int_equal(release_count(&w, "failed"), 0);
    /* reported once: nothing more to say */
    assert_string_equal(net_at(w.r, "AT+CFOTA=4\r"), OK);
    assert_int_equal(lb_count(&w.relay), 3);
    /* up to date now */
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "No update"), URC("No update package"));
    world_close(&w);
}

static void test_no_update_package(void **state)
{
    struct ota_world w;
    struct lb_peer closed;
    char cmd[128];
    (void)state;

    memset(&closed, 0, sizeof closed);
    world_open(&w, 0);
    /* no release: the server says none */
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "No update"), URC("No update package"));
    assert_string_equal(net_at(w.r, "AT+CFOTA=2," V2 "\r"), OK);
    assert_string_equal(net_wait(w.r, "No update"), URC("No update package"));
    assert_int_equal(lb_count(&w.relay), 2);
    assert_non_null(strstr(lb_get(&w.relay, 1).line, "&want=" V2 " HTTP/1.1"));
    /* nothing downloaded, nothing to update, nothing to report */
    assert_string_equal(net_at(w.r, "AT+CMEE=1\r"), OK);
    assert_string_equal(net_at(w.r, "AT+CFOTA=3\r"), "\r\n+CME ERROR: 3\r\n");
    assert_string_equal(net_at(w.r, "AT+CFOTA=4\r"), OK);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1,\r"), "\r\n+CME ERROR: 50\r\n");
    assert_string_equal(net_at(w.r, "AT+CFOTA=3,1\r"), "\r\n+CME ERROR: 50\r\n");

    /* server down (nobody on the port) */
    assert_int_equal(lb_listen(&closed), 0);
    close(closed.listen_fd);
    snprintf(cmd, sizeof cmd, "AT+CFOTASRV=\"http://127.0.0.1:%u\"\r", closed.port);
    assert_string_equal(net_at(w.r, cmd), OK);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "No update"), URC("No update package"));

    /* the extension's forms; the token is never read back */
    snprintf(cmd, sizeof cmd, "\r\n+CFOTASRV: \"http://127.0.0.1:%u\",1\r\n" OK, closed.port);
    assert_string_equal(net_at(w.r, "AT+CFOTASRV?\r"), cmd);
    assert_string_equal(net_at(w.r, "AT+CFOTASRV=?\r"), "\r\n+CFOTASRV: \"url\",\"token\"\r\n" OK);
    assert_string_equal(net_at(w.r, "AT+CFOTASRV=\"http://10.0.0.1:8070\"\r"), "\r\n+CME ERROR: 50\r\n");
    assert_string_equal(net_at(w.r, "AT+CFOTASRV=\"ftp://127.0.0.1\"\r"), "\r\n+CME ERROR: 50\r\n");
    assert_string_equal(net_at(w.r, "AT+CFOTASRV=\"http://127.0.0.1\",\"a\",\"b\"\r"),
                        "\r\n+CME ERROR: 50\r\n");
    assert_int_equal(w.r->saved.fota_url[0] != 0, 1); /* AUTO_SAVE */
    /* no server at all */
    assert_string_equal(net_at(w.r, "AT+CFOTASRV=\"\"\r"), OK);
    assert_string_equal(net_at(w.r, "AT+CFOTASRV?\r"), "\r\n+CFOTASRV: \"\",0\r\n" OK);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK URC("No update package"));
    world_close(&w);
}

static void test_pause_and_resume(void **state)
{
    struct ota_world w;
    struct lb_request first, second;
    size_t cut, size;
    char etag[80];
    (void)state;

    world_open(&w, 1);
    /* the first download loses the link a third of the way */
    cut = 0;
    {
        struct answer a;
        char path[256];
        device_path(&w.h, path, sizeof path, "check", w.r->cfg.imei, "ver=" V1);
        http_call(&w.h, "GET", path, NULL, &a);
        assert_int_equal(a.status, 200);
        assert_true(kv_get(answer_text(&a), "size", path, sizeof path));
        size = strtoul(path, NULL, 10);
        answer_free(&a);
    }
    cut = size / 3;
    assert_true(cut > 0);
    w.relay.cut_match = "/d/v1/pkg/"; /* the package, not the check */
    lb_cut_after(&w.relay, cut);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "Download pause"),
                        URC("Start to download new package") URC("Download pause"));
    assert_string_equal(net_at(w.r, "AT+CGMR\r"), "\r\n" V1 "\r\n" OK);
    /* the partial download is kept, its offset persisted */
    assert_int_equal(w.r->saved.ota.state, OTA_PARTIAL);
    assert_int_equal(w.r->saved.ota.offset, cut);
    assert_int_equal(w.r->saved.ota.size, size);

    /* a power cycle in between, then the module resumes */
    net_boot(w.r);
    assert_string_equal(net_taken(w.r), "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n");
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_string_equal(net_wait(w.r, "+CPIN: READY"),
                        URC("Start to download new package") URC("Download completed")
                        URC("Start to update,please wait for reset") AFTER_RESET("Update successfully"));
    assert_runs_new_image(&w);

    /* the server's side: check, cut download, check, ranged rest */
    assert_int_equal(lb_count(&w.relay), 4);
    first = lb_get(&w.relay, 1);
    second = lb_get(&w.relay, 3);
    assert_starts(first.line, "GET /d/v1/pkg/");
    assert_string_equal(first.range, "");
    assert_int_equal(first.body, cut);
    assert_starts(second.line, "GET /d/v1/pkg/");
    snprintf(etag, sizeof etag, "bytes=%zu-", cut);
    assert_string_equal(second.range, etag);
    snprintf(etag, sizeof etag, "\"%.64s\"", second.line + strlen("GET /d/v1/pkg/"));
    assert_string_equal(second.if_range, etag);
    assert_int_equal(second.status, 206);
    assert_int_equal(first.body + second.body, size);

    report(&w);
    assert_int_equal(release_count(&w, "succeeded"), 1);
    world_close(&w);
}

static void test_download_then_update(void **state)
{
    struct ota_world w;
    (void)state;

    world_open(&w, 1);
    assert_string_equal(net_at(w.r, "AT+CFOTA=2\r"), OK);
    assert_string_equal(net_wait(w.r, "Download completed"),
                        URC("Start to download new package") URC("Download completed"));
    net_settle(w.r);
    assert_string_equal(net_taken(w.r), "");
    assert_string_equal(net_at(w.r, "AT+CGMR\r"), "\r\n" V1 "\r\n" OK);
    assert_int_equal(w.r->saved.ota.state, OTA_DOWNLOADED);
    /* survives a power cycle, then =3 updates without the network */
    net_boot(w.r);
    net_taken(w.r);
    assert_string_equal(net_at(w.r, "AT+CFOTA=3\r"),
                        OK URC("Start to update,please wait for reset") AFTER_RESET("Update successfully"));
    assert_runs_new_image(&w);
    assert_int_equal(lb_count(&w.relay), 2);
    report(&w);
    assert_int_equal(release_count(&w, "succeeded"), 1);
    world_close(&w);
}

static void test_corrupt_package(void **state)
{
    struct ota_world w;
    struct lb_request q;
    (void)state;

    world_open(&w, 1);
    w.relay.corrupt_match = "/d/v1/pkg/";
    w.relay.corrupt_at = 100;
    download_fails_untouched(&w);
    /* reported as a failure, with the reason */
    report(&w);
    q = lb_get(&w.relay, 2);
    assert_non_null(strstr(q.line, "&ver=" V1 "&result=fail&reason=md5 HTTP/1.1"));
    assert_int_equal(release_count(&w, "failed"), 1);
    assert_int_equal(release_count(&w, "succeeded"), 0);
    /* the next try starts over (no Range) and, uncorrupted, succeeds */
    w.relay.corrupt_at = LB_NO_CUT;
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_non_null(strstr(net_wait(w.r, "+CPIN: READY"), URC("Update successfully")));
    q = lb_get(&w.relay, 4);
    assert_starts(q.line, "GET /d/v1/pkg/");
    assert_string_equal(q.range, "");
    assert_runs_new_image(&w);
    world_close(&w);
}

/* A module provisioned with a release key (cfota modem --trust) refuses
 * the server's unsigned package once downloaded, before anything outside
 * the update partition is written ("Download fail", reported), and
 * updates from a server that signs with that key. */
static void test_signed_packages_only(void **state)
{
    char dir[] = "/tmp/cfota-ota-key-XXXXXX", key[64], pub[64], why[256];
    struct cfota_mbedtls_key k;
    struct cfota_verifier v;
    struct ota_world w;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(key, sizeof key, "%s/rel", dir);
    snprintf(pub, sizeof pub, "%s/rel.pub", dir);
    assert_int_equal(host_keygen(key, why, sizeof why), 0);
    assert_int_equal(host_verifier_load(pub, &k, &v, why, sizeof why), 0);

    world_open_keys(&w, 1, NULL, &v);
    download_fails_untouched(&w);
    world_close(&w);

    world_open_keys(&w, 1, key, &v);
    assert_string_equal(net_at(w.r, "AT+CFOTA=1\r"), OK);
    assert_non_null(strstr(net_wait(w.r, "+CPIN: READY"), URC("Update successfully")));
    assert_runs_new_image(&w);
    world_close(&w);
    harness_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_end_to_end),
        cmocka_unit_test(test_no_update_package),
        cmocka_unit_test(test_pause_and_resume),
        cmocka_unit_test(test_download_then_update),
        cmocka_unit_test(test_corrupt_package),
        cmocka_unit_test(test_signed_packages_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
