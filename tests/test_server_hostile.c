/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_hostile.c: the server under hostile clients
 * (docs/server.md "Limits", docs/server-api.md §1).
 *
 * One address holding its connection limit leaves the server answering
 * everyone else; a connection that never completes its request header is
 * closed; once the header is complete, the short header deadline no
 * longer applies (a slow upload or download keeps going); a request
 * whose body length is ambiguous, or an HTTP/1.1 request without Host,
 * gets 400 and its connection is closed.
 *
 * Clients are raw sockets, so that requests can be malformed, left
 * unfinished, or sent from another loopback address (127.0.0.2 is a
 * second client address, as loopback is all of 127/8). The waits are for
 * events (an answer, the peer's close), each with a long bound that only
 * keeps a broken server from hanging the test; nothing asserts on time.
 */
#include "server_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define IMEI "867723030000001"
#define WAIT_MS 60000 /* bound on any wait: a hang, not a slow machine */

static unsigned port_of(const struct harness *h) { return cfota_server_port(h->srv); }

/* A TCP connection from source address src to the server. */
static int connect_from(const struct harness *h, const char *src)
{
    struct sockaddr_in me, to;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    memset(&me, 0, sizeof me);
    me.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, src, &me.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port_of(h));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0)
        fail_msg("connect from %s: %s", src, strerror(errno));
    return fd;
}

static void send_text(int fd, const char *text)
{
    size_t n = strlen(text);
    assert_int_equal(send(fd, text, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read until the peer closes (or WAIT_MS passes: a failure); returns the
 * bytes received, NUL-terminated, in out. */
static size_t read_to_close(int fd, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t got;
        if (poll(&p, 1, WAIT_MS) != 1)
            fail_msg("the server neither answered nor closed the connection");
        got = recv(fd, out + n, cap - 1 - n, 0);
        if (got < 0 && errno == ECONNRESET)
            break;
        assert_true(got >= 0);
        if (got == 0 || n + (size_t)got + 1 >= cap) {
            n += (size_t)got;
            break;
        }
        n += (size_t)got;
    }
    out[n] = 0;
    return n;
}

/* Read until text has arrived (a failure if the peer closes first). */
static void read_until(int fd, const char *text, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    while (!strstr(out, text)) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t got;
        if (poll(&p, 1, WAIT_MS) != 1)
            fail_msg("no '%s' from the server", text);
        got = recv(fd, out + n, cap - 1 - n, 0);
        if (got <= 0)
            fail_msg("the server closed before '%s': got %s", text, out);
        n += (size_t)got;
        out[n] = 0;
    }
}

static void check_request(const struct harness *h, char *out, size_t cap)
{
    char path[256];
    device_path(h, path, sizeof path, "check", IMEI, "ver=1.0");
    snprintf(out, cap, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
}

/* The status of the first answer in text, 0 if there is none. */
static int status_of(const char *text)
{
    int status = 0;
    if (sscanf(text, "HTTP/1.%*1[01] %d", &status) != 1)
        return 0;
    return status;
}

/* An address at its limit is refused more, and everyone else is served. */
static void test_per_address_limit(void **state)
{
    struct harness h;
    struct cfota_server_config limits;
    char req[512], text[4096], path[256];
    int held[4], extra, i;
    struct answer a;
    (void)state;
    memset(&limits, 0, sizeof limits);
    limits.max_per_address = 4;
    harness_make_dir(&h);
    harness_start_limited(&h, h.dir, &limits);
    /* Each held connection proves the server took it: an upload whose
     * header is answered with 100 Continue, and whose body never comes. */
    snprintf(req, sizeof req,
             "PUT /admin/v1/images/7.0?product=m4app HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
             TEST_ADMIN_TOKEN);
    for (i = 0; i < 4; i++) {
        held[i] = connect_from(&h, "127.0.0.2");
        send_text(held[i], req);
        read_until(held[i], "100 Continue", text, sizeof text);
    }
    /* A fifth connection from the same address is closed unanswered. */
    extra = connect_from(&h, "127.0.0.2");
    check_request(&h, req, sizeof req);
    send(extra, req, strlen(req), MSG_NOSIGNAL);
    read_to_close(extra, text, sizeof text);
    assert_int_equal(status_of(text), 0);
    close(extra);
    /* Another address is served (a device of a product that exists). */
    {
        struct bytes img = {0};
        int k;
        for (k = 0; k < 256; k++)
            bytes_byte(&img, (uint8_t)k);
        assert_int_equal(admin_status(&h, "PUT", "/admin/v1/images/1.0?product=" TEST_PRODUCT,
                                      &img), 201);
        bytes_free(&img);
    }
    device_path(&h, path, sizeof path, "check", IMEI, "ver=1.0");
    http_call(&h, "GET", path, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(answer_text(&a), "status=none\n");
    answer_free(&a);
    /* Once one held connection closes, the address gets its turn again
     * (as soon as the server has seen the close: tried until it has). */
    close(held[0]);
    for (i = 0; i < 600; i++) {
        int fd = connect_from(&h, "127.0.0.2");
        check_request(&h, req, sizeof req);
        send(fd, req, strlen(req), MSG_NOSIGNAL);
        read_to_close(fd, text, sizeof text);
        close(fd);
        if (status_of(text) == 200)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(status_of(text), 200);
    for (i = 1; i < 4; i++)
        close(held[i]);
    harness_stop(&h);
}

/* A request header that never completes is cut at the header deadline;
 * a complete one is not, however long its body takes. */
static void test_header_deadline(void **state)
{
    struct harness h;
    struct cfota_server_config limits;
    char req[512], text[4096], body[1000];
    size_t i;
    int fd;
    (void)state;
    memset(&limits, 0, sizeof limits);
    limits.header_timeout_s = 1;
    harness_make_dir(&h);
    harness_start_limited(&h, h.dir, &limits);

    fd = connect_from(&h, "127.0.0.1");
    send_text(fd, "GET /d/v1/check?imei=" IMEI " HTTP/1.1\r\nHost: x\r\n");
    read_to_close(fd, text, sizeof text);
    assert_int_equal(status_of(text), 0);
    close(fd);

    /* The header is complete once 100 Continue comes; the body then
     * comes after three header deadlines, and is taken. */
    fd = connect_from(&h, "127.0.0.1");
    snprintf(req, sizeof req,
             "PUT /admin/v1/images/7.0?product=m4app HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Length: %zu\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
             TEST_ADMIN_TOKEN, sizeof body);
    send_text(fd, req);
    read_until(fd, "100 Continue", text, sizeof text);
    sleep(3);
    for (i = 0; i < sizeof body; i++)
        body[i] = (char)(i * 7);
    assert_int_equal(send(fd, body, sizeof body, MSG_NOSIGNAL), (ssize_t)sizeof body);
    read_to_close(fd, text, sizeof text);
    if (status_of(text) != 201)
        fail_msg("slow upload: %s", text);
    close(fd);
    harness_stop(&h);
}

/* Each request gets one 400 and the connection is closed: what follows
 * is never read as a second request. */
static void test_ambiguous_requests(void **state)
{
    static const char *const heads[] = {
        "HTTP/1.1\r\n",                                         /* no Host */
        "HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n",
        "HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n",
        "HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    };
    struct harness h;
    char path[256], req[1024], text[8192];
    size_t i;
    (void)state;
    harness_start(&h);
    device_path(&h, path, sizeof path, "check", IMEI, "ver=1.0");
    for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        int fd = connect_from(&h, "127.0.0.1");
        const char *second;
        /* The body is itself a request: smuggled, it would be answered. */
        snprintf(req, sizeof req, "GET %s %s\r\nGET %s HTTP/1.1\r\nHost: x\r\n\r\n", path,
                 heads[i], path);
        send_text(fd, req);
        read_to_close(fd, text, sizeof text);
        if (status_of(text) != 400)
            fail_msg("case %zu: %s", i, text);
        second = strstr(text, "\nHTTP/1.");
        if (second)
            fail_msg("case %zu: a second answer: %s", i, text);
        close(fd);
    }
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_address_limit),
        cmocka_unit_test(test_header_deadline),
        cmocka_unit_test(test_ambiguous_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
