/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_http.c: the emulator's HTTP family (modem/core/cmd_http.c)
 * against a loopback server that answers with bytes the test chose.
 *
 * The note's section 6 is replayed: AT+CHTTPCREATE, AT+CHTTPCON,
 * AT+CHTTPTOFS with the note's header lines (so +CHTTPNMIH carries the
 * note's 287 bytes), then AT+CFOTA=5 on what was stored and AT+CGMR. Also:
 * the order rules and every refusal, the read and test forms, a link cut
 * in the middle (+CHTTPERR: 0,-2 and the client disconnected), an error
 * answer (reported, not stored), a body larger than the update partition
 * (+CHTTPERR: 0,-3), and commands answered while a download runs.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "encoder.h"
#include "hash.h"
#include "loopback_http.h"
#include "modem_net_rig.h"
#include "support.h"

#define IMAGE_SIZE 40000u
#define OK "\r\nOK\r\n"
#define ERROR "\r\nERROR\r\n"
#define AN_PATH "/HTTP_test/test3-bin/SIM7020C_V1-SIM7020C_V2-1537247570.bin"

static void make_image(uint8_t *p, size_t n, uint64_t seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)("firmware image of the module "[test_rand(&seed) % 29]);
}

/* The running image, and an in-place package from it to a new version. */
static void make_pair(struct bytes *old, struct bytes *pkg, struct bytes *target)
{
    struct cfota_encode_opts o = {0};
    uint8_t *img = malloc(IMAGE_SIZE);
    assert_non_null(img);
    make_image(img, IMAGE_SIZE, 7);
    old->n = 0;
    bytes_put(old, img, IMAGE_SIZE);
    free(img);
    target->n = 0;
    bytes_put(target, old->p, IMAGE_SIZE);
    memcpy(target->p + 9000, "version two of the firmware", 27);
    {
        /* new code that no delta can predict, so that the package has
         * five digits of length, as the note's 31047 */
        uint64_t seed = 99;
        size_t i;
        for (i = 0; i < 12000; i++)
            bytes_byte(target, (uint8_t)test_rand(&seed));
    }
    o.base_version = "1752B05SIM7020C";
    o.target_version = "1752B06SIM7020C";
    o.in_place = 1;
    pkg->n = 0;
    assert_int_equal(cfota_encode(old->p, IMAGE_SIZE, target->p, target->n, &o, pkg), 0);
}

/* The note's header lines with our Content-Length. */
static void an_headers(char *out, size_t cap, size_t len)
{
    snprintf(out, cap,
             "Content-Type: application/octet-stream\r\n"
             "Content-Length: %zu\r\n"
             "Accept-Ranges: bytes\r\n"
             "Server: HFS 2.3 beta\r\n"
             "Set-Cookie: HFS_SID=0.699653631309047; path=/; \r\n"
             "Last-Modified: Tue, 18 Sep 2018 05:14:19 GMT\r\n"
             "Content-Disposition: attachment; filename=\"SIM7020C_V1-SIM7020C_V2-1537247570.bin\";\r\n",
             len);
}

static uint32_t update_block(uint32_t i)
{
    return (MODEM_UPDATE_ADDR - MODEM_FLASH_BASE) / MODEM_BLOCK + i;
}

static void test_section6_transcript(void **state)
{
    struct bytes old = {0}, pkg = {0}, target = {0};
    struct lb_peer srv;
    struct net_rig *r;
    char head[1024], cmd[256], want[2048], hex[33];
    uint8_t md5[16];
    const uint8_t *flash;
    uint32_t i, blocks;
    (void)state;

    make_pair(&old, &pkg, &target);
    an_headers(head, sizeof head, pkg.n);
    assert_in_range(pkg.n, 10000, 99999);
    assert_int_equal(strlen(head), 287); /* the note's <header_length> */
    assert_int_equal(lb_canned_start(&srv, "HTTP/1.1 200 OK", head, pkg.p, pkg.n), 0);
    r = net_rig_open(old.p, old.n, "1752B05SIM7020C");

    snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u\"\r", srv.port);
    assert_string_equal(net_at(r, cmd), "\r\n+CHTTPCREATE: 0\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), "");
    assert_string_equal(net_wait(r, OK), OK);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"" AN_PATH "\"\r"), OK);
    /* the download runs in the background: the module still answers */
    assert_string_equal(net_at(r, "AT+CSQ\r"), "\r\n+CSQ: 20,0\r\n" OK);
    snprintf(want, sizeof want, "\r\n+CHTTPNMIH: 0,200,%zu,%s\r\n+CHTTPTOFSOK: 0,%zu,%zu\r\n",
             strlen(head), head, pkg.n, pkg.n);
    assert_string_equal(net_wait(r, "+CHTTPTOFSOK"), want);
    assert_int_equal(lb_count(&srv), 1);
    assert_string_equal(lb_get(&srv, 0).line, "GET " AN_PATH " HTTP/1.1");

    /* stored at the start of the update partition, each block erased once */
    flash = flashsim_data(r->sim) + (MODEM_UPDATE_ADDR - MODEM_FLASH_BASE);
    assert_memory_equal(flash, pkg.p, pkg.n);
    blocks = (uint32_t)((pkg.n + MODEM_BLOCK - 1) / MODEM_BLOCK);
    for (i = 0; i < blocks + 2; i++)
        assert_int_equal(flashsim_erase_count(r->sim, update_block(i)), i < blocks ? 1 : 0);

    /* the note goes straight on to AT+CFOTA=5 */
    assert_string_equal(net_at(r, "AT+IPR=115200\r"), OK);
    host_md5(pkg.p, pkg.n, md5);
    host_hex(md5, 16, hex);
    snprintf(cmd, sizeof cmd, "AT+CFOTA=5,%zu,%s\r", pkg.n, hex);
    assert_string_equal(net_at(r, cmd), "\r\n+CFOTA: Start to update, please wait for reset\r\n" OK
                                        "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n"
                                        "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n");
    assert_string_equal(net_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);
    assert_memory_equal(flashsim_data(r->sim) + (MODEM_FW_ADDR - MODEM_FLASH_BASE), target.p, target.n);

    net_rig_close(r);
    lb_stop(&srv);
    bytes_free(&old);
    bytes_free(&pkg);
    bytes_free(&target);
}

static void test_order_rules_and_forms(void **state)
{
    static const uint8_t body[] = "hello";
    struct lb_peer srv;
    struct net_rig *r;
    struct bytes img = {0};
    char cmd[256], want[1024];
    int i;
    (void)state;

    assert_int_equal(lb_canned_start(&srv, "HTTP/1.1 200 OK", "Content-Length: 5\r\n", body, 5), 0);
    bytes_put(&img, "a small firmware image", 22);
    r = net_rig_open(img.p, img.n, "1752B05SIM7020C");

    /* nothing created yet */
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/x\"\r"), ERROR);
    /* [INF] DISCON of an id never connected is OK: clients clear all five */
    assert_string_equal(net_at(r, "AT+CHTTPDISCON=0\r"), OK);
    assert_string_equal(net_at(r, "AT+CHTTPDESTROY=0\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCREATE?\r"),
                        "\r\n+CHTTPCREATE: 0,0,(null)\r\n\r\n+CHTTPCREATE: 1,0,(null)\r\n"
                        "\r\n+CHTTPCREATE: 2,0,(null)\r\n\r\n+CHTTPCREATE: 3,0,(null)\r\n"
                        "\r\n+CHTTPCREATE: 4,0,(null)\r\n" OK);
    /* test forms */
    assert_string_equal(net_at(r, "AT+CHTTPCON=?\r"), "\r\n+CHTTPCON: (0-4)\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=?\r"), "\r\n+CHTTPTOFS: (0-4),\"path\"\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPDISCON=?\r"), "\r\n+CHTTPDISCON: (0-4)\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPDESTROY=?\r"), "\r\n+CHTTPDESTROY: (0-4)\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=?\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS?\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCON\r"), ERROR);
    /* bad arguments */
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=\"ftp://127.0.0.1\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=\"http://127.0.0.1\",\"user\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=\"http://127.0.0.1\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCON=5\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCON=-1\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0,1\r"), ERROR);

    /* five clients, not six */
    for (i = 0; i < 5; i++) {
        snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u\"\r", srv.port);
        snprintf(want, sizeof want, "\r\n+CHTTPCREATE: %d\r\n" OK, i);
        assert_string_equal(net_at(r, cmd), want);
    }
    assert_string_equal(net_at(r, cmd), ERROR);
    for (i = 1; i < 5; i++) {
        snprintf(cmd, sizeof cmd, "AT+CHTTPDESTROY=%d\r", i);
        assert_string_equal(net_at(r, cmd), OK);
    }
    snprintf(want, sizeof want,
             "\r\n+CHTTPCON: 0,0,http://127.0.0.1:%u\r\n\r\n+CHTTPCON: 1,0,(null)\r\n"
             "\r\n+CHTTPCON: 2,0,(null)\r\n\r\n+CHTTPCON: 3,0,(null)\r\n\r\n+CHTTPCON: 4,0,(null)\r\n" OK,
             srv.port);
    assert_string_equal(net_at(r, "AT+CHTTPCON?\r"), want);

    /* created, not connected: no TOFS; DISCON has nothing to do */
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/x\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPDISCON=0\r"), OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), "");
    assert_string_equal(net_wait(r, OK), OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), OK); /* already */
    /* the path must begin with "/" */
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"x\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/a\"\r"), OK);
    assert_string_equal(net_wait(r, "+CHTTPTOFSOK"),
                        "\r\n+CHTTPNMIH: 0,200,19,Content-Length: 5\r\n\r\n+CHTTPTOFSOK: 0,5,5\r\n");
    assert_string_equal(net_at(r, "AT+CHTTPDISCON=0\r"), OK);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/a\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPDESTROY=0\r"), OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), ERROR);

    /* only loopback hosts; a closed port is no connection */
    assert_string_equal(net_at(r, "AT+CHTTPCREATE=\"http://10.1.2.3:80\"\r"), "\r\n+CHTTPCREATE: 0\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPDESTROY=0\r"), OK);
    {
        struct lb_peer closed;
        unsigned port;
        assert_int_equal(lb_listen(&closed), 0);
        port = closed.port;
        close(closed.listen_fd);
        snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u\"\r", port);
        assert_string_equal(net_at(r, cmd), "\r\n+CHTTPCREATE: 0\r\n" OK);
        assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), "");
        assert_string_equal(net_wait(r, ERROR), ERROR);
    }
    /* no PDP context, no connection */
    assert_string_equal(net_at(r, "AT+CFUN=0\r"), "\r\n+CPIN: NOT READY\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPDESTROY=0\r"), OK);
    snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u\"\r", srv.port);
    assert_string_equal(net_at(r, cmd), "\r\n+CHTTPCREATE: 0\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), ERROR);

    net_rig_close(r);
    lb_stop(&srv);
    bytes_free(&img);
}

/* Create client 0 on port and connect it. */
static void connect_client(struct net_rig *r, unsigned port)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "AT+CHTTPCREATE=\"http://127.0.0.1:%u/\"\r", port);
    assert_string_equal(net_at(r, cmd), "\r\n+CHTTPCREATE: 0\r\n" OK);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), "");
    assert_string_equal(net_wait(r, OK), OK);
}

static void test_link_cut(void **state)
{
    struct lb_peer srv;
    struct net_rig *r;
    struct bytes img = {0}, body = {0};
    char head[64], want[256];
    size_t i;
    (void)state;

    for (i = 0; i < 20000; i++)
        bytes_byte(&body, (uint8_t)(i * 7));
    snprintf(head, sizeof head, "Content-Length: %zu\r\n", body.n);
    assert_int_equal(lb_canned_start(&srv, "HTTP/1.1 200 OK", head, body.p, body.n), 0);
    lb_cut_after(&srv, 5000);
    bytes_put(&img, "a small firmware image", 22);
    r = net_rig_open(img.p, img.n, "1752B05SIM7020C");

    connect_client(r, srv.port);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/pkg\"\r"), OK);
    snprintf(want, sizeof want, "\r\n+CHTTPNMIH: 0,200,%zu,%s\r\n+CHTTPERR: 0,-2\r\n", strlen(head), head);
    assert_string_equal(net_wait(r, "+CHTTPERR"), want);
    /* "the client is disconnected automatically" */
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/pkg\"\r"), ERROR);
    assert_string_equal(net_at(r, "AT+CHTTPCON=0\r"), "");
    assert_string_equal(net_wait(r, OK), OK);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/pkg\"\r"), OK);
    snprintf(want, sizeof want, "\r\n+CHTTPTOFSOK: 0,%zu,%zu\r\n", body.n, body.n);
    assert_non_null(strstr(net_wait(r, "+CHTTPTOFSOK"), want));
    assert_memory_equal(flashsim_data(r->sim) + (MODEM_UPDATE_ADDR - MODEM_FLASH_BASE), body.p, body.n);

    net_rig_close(r);
    lb_stop(&srv);
    bytes_free(&img);
    bytes_free(&body);
}

static void test_error_answer_not_stored(void **state)
{
    static const uint8_t page[] = "<html>no such file</html>";
    struct lb_peer srv;
    struct net_rig *r;
    struct bytes img = {0};
    const char *head = "Content-Type: text/html\r\nContent-Length: 25\r\n";
    char want[256];
    (void)state;

    assert_int_equal(lb_canned_start(&srv, "HTTP/1.1 404 Not Found", head, page, 25), 0);
    bytes_put(&img, "a small firmware image", 22);
    r = net_rig_open(img.p, img.n, "1752B05SIM7020C");
    connect_client(r, srv.port);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/missing\"\r"), OK);
    snprintf(want, sizeof want, "\r\n+CHTTPNMIH: 0,404,%zu,%s\r\n+CHTTPTOFSOK: 0,25,0\r\n", strlen(head),
             head);
    assert_string_equal(net_wait(r, "+CHTTPTOFSOK"), want);
    assert_int_equal(flashsim_erase_count(r->sim, update_block(0)), 0);
    net_rig_close(r);
    lb_stop(&srv);
    bytes_free(&img);
}

static void test_body_too_large(void **state)
{
    struct lb_peer srv;
    struct net_rig *r;
    struct bytes img = {0};
    uint8_t *body = calloc(1, MODEM_UPDATE_SIZE + 100);
    char head[64];
    const char *got;
    (void)state;

    snprintf(head, sizeof head, "Content-Length: %u\r\n", MODEM_UPDATE_SIZE + 100);
    assert_int_equal(lb_canned_start(&srv, "HTTP/1.1 200 OK", head, body, MODEM_UPDATE_SIZE + 100), 0);
    bytes_put(&img, "a small firmware image", 22);
    r = net_rig_open(img.p, img.n, "1752B05SIM7020C");
    connect_client(r, srv.port);
    assert_string_equal(net_at(r, "AT+CHTTPTOFS=0,\"/big\"\r"), OK);
    got = net_wait(r, "+CHTTPERR");
    assert_non_null(strstr(got, "\r\n+CHTTPERR: 0,-3\r\n"));
    assert_null(strstr(got, "+CHTTPTOFSOK"));
    net_settle(r);
    /* nothing was written past the partition */
    assert_int_equal(flashsim_erase_count(r->sim, update_block(MODEM_UPDATE_SIZE / MODEM_BLOCK)), 0);
    net_rig_close(r);
    lb_stop(&srv);
    bytes_free(&img);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_section6_transcript),
        cmocka_unit_test(test_order_rules_and_forms),
        cmocka_unit_test(test_link_cut),
        cmocka_unit_test(test_error_answer_not_stored),
        cmocka_unit_test(test_body_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
