/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/server.c: the FOTA server's request handling (server/), in
 * process: the input is sent as raw bytes on a loopback connection to a
 * server running in this process, so it goes through libmicrohttpd and
 * the same routing, parameter checks and handlers as any request.
 *
 * The server starts once, on a fresh data directory with a fixed secret
 * and admin token (so seeds can carry real credentials), with two images
 * and a release, so checks offer a package and downloads have one.
 *
 * Properties: no memory error, leak or undefined behaviour in the
 * server; no answer is a 5xx (bad input is the client's error, never the
 * server's; 505 for an unknown HTTP version is the one 5xx allowed); and after each input the server still answers a device's
 * check with 200 (no input breaks it, or holds it, for the next device).
 * Seeds: the requests of tests/test_server_*.c: checks, downloads with
 * ranges, reports, admin calls with the token, and their malformed forms.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_client.h"
#include "material.h"
#include "server.h"

#define ADMIN "fuzz-admin-token-0123456789abcdef"
#define IMEI "867723030000001"
#define PRODUCT "fuzz"
#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static struct cfota_server *srv;
static char dir[64] = "/tmp/cfota-fuzz-server-XXXXXX";
static char tok[33], pkg_id[65];
static unsigned port;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void stop_server(void)
{
    cfota_server_stop(srv);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Send raw bytes on a new connection, close our side, and read what
 * comes until the server closes or falls silent: 50 ms after a byte,
 * first_ms before the first (short for the fuzzer's input: an unfinished
 * request is answered by the header deadline only, and waiting for it
 * would make a run take seconds; long for a request that must be
 * answered, so that a slow machine is not taken for a broken server). Then reset the connection: libmicrohttpd 0.9.75 does not
 * always notice a client's half-close on a kept-alive connection (the
 * header deadline closes it, 10 s later by default), but it does notice
 * a reset, so no connection outlives its run. */
static size_t exchange(const void *req, size_t len, char *out, size_t cap, int first_ms)
{
    struct sockaddr_in to;
    struct linger reset = {1, 0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    size_t n = 0;
    FUZZ_CHECK(fd >= 0, "socket");
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    FUZZ_CHECK(connect(fd, (struct sockaddr *)&to, sizeof to) == 0, "connect");
    if (len)
        send(fd, req, len, MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        char sink[4096];
        ssize_t got;
        if (poll(&p, 1, n ? 50 : first_ms) != 1)
            break;
        got = recv(fd, n < cap - 1 ? out + n : sink, n < cap - 1 ? cap - 1 - n : sizeof sink, 0);
        if (got <= 0)
            break;
        if (n < cap - 1)
            n += (size_t)got;
    }
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
    out[n] = 0;
    return n;
}

static void start_server(void)
{
    struct cfota_server_config cfg;
    struct fuzz_buf old = {0}, new_ = {0};
    struct admin_reply r;
    char err[256], base[64], path[256], text[4096];
    const char *p;
    FILE *f;
    FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/secret", dir);
    f = fopen(path, "w");
    FUZZ_CHECK(f && fputs(SECRET, f) >= 0 && fclose(f) == 0, "secret");
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = dir;
    cfg.admin_token = ADMIN;
    cfg.threads = 1;
    /* Every run comes from 127.0.0.1: the per-address limit is tested
     * elsewhere (tests/test_server_hostile.c), not here. */
    cfg.max_per_address = 4000;
    srv = cfota_server_start(&cfg, err, sizeof err);
    FUZZ_CHECK(srv != NULL, "server: %s", err);
    atexit(stop_server);
    port = cfota_server_port(srv);
    snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
    material_pair(0, &old, &new_);
    FUZZ_CHECK(admin_call(base, ADMIN, "PUT", "/admin/v1/images/1.0?product=" PRODUCT, old.p, old.n, &r) == 0 &&
                   r.status == 201,
               "upload 1.0");
    admin_reply_free(&r);
    FUZZ_CHECK(admin_call(base, ADMIN, "PUT", "/admin/v1/images/2.0?product=" PRODUCT, new_.p, new_.n, &r) == 0 &&
                   r.status == 201,
               "upload 2.0");
    admin_reply_free(&r);
    FUZZ_CHECK(admin_call(base, ADMIN, "POST", "/admin/v1/releases?product=" PRODUCT "&target=2.0", NULL, 0, &r) ==
                       0 &&
                   r.status == 201,
               "release");
    admin_reply_free(&r);
    cfota_server_wait_builds(srv);
    /* A device is only offered its product's packages. */
    FUZZ_CHECK(admin_call(base, ADMIN, "POST", "/admin/v1/devices?imei=" IMEI "&product=" PRODUCT, NULL,
                          0, &r) == 0 &&
                   r.status / 100 == 2,
               "enrol");
    admin_reply_free(&r);
    FUZZ_CHECK(cfota_server_device_token(srv, IMEI, tok) == 0, "token");
    snprintf(path, sizeof path,
             "GET /d/v1/check?imei=%s&tok=%s&ver=1.0 HTTP/1.1\r\nHost: x\r\n\r\n", IMEI, tok);
    exchange(path, strlen(path), text, sizeof text, 20000);
    p = strstr(text, "package=");
    FUZZ_CHECK(p != NULL, "no package offered: %s", text);
    snprintf(pkg_id, sizeof pkg_id, "%.64s", p + 8);
    fuzz_buf_free(&old);
    fuzz_buf_free(&new_);
}

/* Each status line in the answers: never a 5xx, but for 505, which the
 * HTTP layer answers to a request line naming another HTTP version (the
 * client's error, whatever its first digit says). */
static void check_answers(const char *text)
{
    const char *p = text;
    while ((p = strstr(p, "HTTP/1.")) != NULL) {
        int status;
        if ((p == text || p[-1] == '\n') && sscanf(p, "HTTP/1.%*1[01] %d", &status) == 1)
            FUZZ_CHECK(status < 500 || status == 505, "answered %d:\n%s", status, text);
        p += 7;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[65536];
    char check[256];
    if (!srv)
        start_server();
    exchange(data, size, text, sizeof text, 500);
    check_answers(text);
    snprintf(check, sizeof check,
             "GET /d/v1/check?imei=%s&tok=%s&ver=2.0 HTTP/1.1\r\nHost: x\r\n\r\n", IMEI, tok);
    exchange(check, strlen(check), text, sizeof text, 20000);
    check_answers(text);
    FUZZ_CHECK(!strncmp(text, "HTTP/1.1 200 ", 13), "a device's check after the input: %.200s",
               text);
    return 0;
}

/* ---- seeds ---- */

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    static const char *const requests[] = {
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0&want=2.0 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0%00 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\n\r\n",
        "HEAD /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\nRange: bytes=10-\r\n"
        "If-Range: \"{PKG}\"\r\n\r\n",
        "GET /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\nRange: bytes=-5\r\n\r\n",
        "GET /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\n"
        "Range: bytes=0-99999999999999999999\r\n\r\n",
        "GET /d/v1/pkg/{PKG}?imei={IMEI}&tok={TOK} HTTP/1.1\r\nHost: x\r\n"
        "If-None-Match: \"{PKG}\"\r\n\r\n",
        "GET /d/v1/report?imei={IMEI}&tok={TOK}&from=1.0&to=2.0&ver=2.0&result=ok HTTP/1.1\r\n"
        "Host: x\r\n\r\n",
        "GET /d/v1/report?imei={IMEI}&tok={TOK}&from=1.0&to=2.0&ver=1.0&result=fail&reason=md5 "
        "HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /admin/v1/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\r\n",
        "GET /admin/v1/packages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\r\n",
        "GET /admin/v1/releases/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\r\n",
        "POST /admin/v1/releases/1/pause HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n"
        "\r\n",
        "POST /admin/v1/releases/1/resume?share=50 HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer {ADMIN}\r\n\r\n",
        "POST /admin/v1/releases?product=fuzz&target=2.0&group=pilot&share=10&max_fail=20&min_reports=5 "
        "HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n\r\n",
        "POST /admin/v1/devices?imei=867723030000002&product=fuzz&group=pilot HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer {ADMIN}\r\n\r\n",
        "GET /admin/v1/devices?group=pilot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n"
        "\r\n",
        "PUT /admin/v1/images/3.0?product=fuzz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n"
        "Content-Length: 16\r\n\r\n\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
        "PUT /admin/v1/images/3.1?product=fuzz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n4\r\n\x01\x02\x03\x04\r\n0\r\n\r\n",
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0 HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=2.0 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0 HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
        "GET /d/v1/check?imei={IMEI}&tok={TOK}&ver=1.0 HTTP/1.0\r\n\r\n",
    };
    char tok_[33], pkg_[65], out[1024];
    size_t i;
    if (!srv)
        start_server();
    memcpy(tok_, tok, sizeof tok_);
    memcpy(pkg_, pkg_id, sizeof pkg_);
    for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        const char *in = requests[i];
        size_t n = 0;
        char name[32];
        while (*in && n < sizeof out - 80) {
            if (!strncmp(in, "{IMEI}", 6)) {
                n += (size_t)snprintf(out + n, sizeof out - n, "%s", IMEI);
                in += 6;
            } else if (!strncmp(in, "{TOK}", 5)) {
                n += (size_t)snprintf(out + n, sizeof out - n, "%s", tok_);
                in += 5;
            } else if (!strncmp(in, "{PKG}", 5)) {
                n += (size_t)snprintf(out + n, sizeof out - n, "%s", pkg_);
                in += 5;
            } else if (!strncmp(in, "{ADMIN}", 7)) {
                n += (size_t)snprintf(out + n, sizeof out - n, "%s", ADMIN);
                in += 7;
            } else {
                out[n++] = *in++;
            }
        }
        snprintf(name, sizeof name, "request%02zu", i);
        emit(ctx, name, out, n);
    }
}
