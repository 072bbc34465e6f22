/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_store.c: the store survives the server being killed.
 *
 * The server runs in a child process; the test talks to it over loopback,
 * then kills it with SIGKILL (no cleanup runs) and reopens the same data
 * directory in-process. What had been answered (images, release, packages,
 * device states) must be there; what had not been committed (a half-sent
 * upload, a half-written object file, a stray temporary file) must leave
 * no trace. Also: a release created just before the kill gets its packages
 * built after the restart. A test that fails while its child runs kills
 * and reaps it in its teardown (support.h).
 */
#include "server_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "apply.h"
#include "credentials.h"

#define IMEI "867723030000001"

struct child {
    pid_t pid;
    struct harness h; /* base URL of the child's server; srv stays NULL */
};

/* Start a server in a child process on dir; returns when it listens. */
static void child_start(struct child *c, const char *dir)
{
    int fds[2];
    unsigned port = 0;
    memset(c, 0, sizeof *c);
    snprintf(c->h.dir, sizeof c->h.dir, "%s", dir);
    assert_int_equal(pipe(fds), 0);
    test_fork_single_threaded("a server in a child"); /* the child runs it */
    c->pid = test_fork(); /* killed with this program, however it ends */
    if (c->pid == 0) {
        struct cfota_server_config cfg;
        struct cfota_server *s;
        char err[256];
        close(fds[0]);
        memset(&cfg, 0, sizeof cfg);
        cfg.data_dir = dir;
        cfg.admin_token = TEST_ADMIN_TOKEN;
        cfg.threads = 2;
        s = cfota_server_start(&cfg, err, sizeof err);
        port = s ? cfota_server_port(s) : 0;
        if (write(fds[1], &port, sizeof port) != sizeof port)
            _exit(1);
        for (;;)
            pause();
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &port, sizeof port), (ssize_t)sizeof port);
    close(fds[0]);
    assert_true(port != 0);
    snprintf(c->h.base, sizeof c->h.base, "http://127.0.0.1:%u", port);
}

static void child_kill(struct child *c)
{
    int status;
    kill(c->pid, SIGKILL);
    assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
    test_reaped(c->pid);
    assert_true(WIFSIGNALED(status));
}

/* Poll the child's package list until every pair is built (no timing is
 * asserted: the bound only stops a hung test). */
static void child_wait_packages(const struct child *c, int pairs)
{
    int i;
    for (i = 0; i < 6000; i++) {
        struct admin_reply r;
        int ready = 0;
        const char *p;
        assert_int_equal(admin(&c->h, "GET", "/admin/v1/packages", NULL, &r), 200);
        for (p = (char *)r.body.p; (p = strstr(p, "\"state\":\"ready\"")) != NULL; p++)
            ready++;
        admin_reply_free(&r);
        if (ready >= pairs)
            return;
        usleep(10000);
    }
    fail_msg("packages were never built");
}

static int count_files(const char *dir, const char *sub)
{
    char path[512];
    struct dirent *e;
    DIR *d;
    int n = 0;
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Send the headers and half the body of an upload, then leave it hanging. */
static int half_upload(const struct harness *h, size_t total)
{
    struct sockaddr_in sa;
    char head[512], *half;
    unsigned port = (unsigned)strtoul(strrchr(h->base, ':') + 1, NULL, 10);
    int fd = socket(AF_INET, SOCK_STREAM, 0), n;
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    n = snprintf(head, sizeof head,
                 "PUT /admin/v1/images/9.0?product=m4app HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Content-Length: %zu\r\n\r\n", TEST_ADMIN_TOKEN, total);
    assert_int_equal(write(fd, head, (size_t)n), n);
    half = malloc(total / 2);
    assert_non_null(half);
    memset(half, 0xA5, total / 2);
    assert_int_equal(write(fd, half, total / 2), (ssize_t)(total / 2));
    free(half);
    return fd;
}

static void test_kill_keeps_committed(void **state)
{
    struct child c;
    struct harness h;
    struct admin_reply r;
    struct answer a;
    struct bytes old = {0}, new_ = {0}, out = {0};
    char dir[] = "/tmp/cfota-server-test-XXXXXX", path[512], url[300], err[200];
    int sock;
    (void)state;
    assert_non_null(mkdtemp(dir));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    image_load(TEST_OLD, &old);
    image_load(TEST_NEW, &new_);

    child_start(&c, dir);
    upload_image(&c.h, TEST_OLD, "1.0");
    upload_image(&c.h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(&c.h, "POST", "/admin/v1/devices?imei=" IMEI "&product=m4app&group=field",
                                  NULL), 200);
    assert_int_equal(admin_status(&c.h, "POST", "/admin/v1/releases?product=m4app&target=2.0&share=100", NULL),
                     201);
    child_wait_packages(&c, 2);
    /* A device checks, so it is recorded as offered the delta. */
    {
        /* The child's secret is in the data directory. */
        uint8_t secret[32];
        char tok[33];
        assert_int_equal(credentials_secret(dir, secret, err, sizeof err), 0);
        credentials_device_token(secret, IMEI, 0, tok);
        snprintf(path, sizeof path, "/d/v1/check?imei=%s&tok=%s&ver=1.0", IMEI, tok);
    }
    http_call(&c.h, "GET", path, NULL, &a);
    assert_int_equal(a.status, 200);
    assert_true(kv_get(answer_text(&a), "url", url, sizeof url));
    answer_free(&a);
    /* An upload cut in the middle, and debris of an earlier crash. */
    sock = half_upload(&c.h, 40000);
    write_file(dir, "tmp/abandoned", "half a file");
    write_file(dir, "objects/1111111111111111111111111111111111111111111111111111111111111111",
               "an object no row names");
    child_kill(&c);
    close(sock);

    /* Reopen in-process. */
    harness_start_in(&h, dir);
    snprintf(h.dir, sizeof h.dir, "%s", dir);
    assert_int_equal(count_files(dir, "tmp"), 0);
    /* Two images, two packages: nothing else survives in objects/. */
    assert_int_equal(count_files(dir, "objects"), 4);
    assert_int_equal(admin(&h, "GET", "/admin/v1/images", NULL, &r), 200);
    assert_non_null(strstr((char *)r.body.p, "\"version\":\"1.0\""));
    assert_non_null(strstr((char *)r.body.p, "\"version\":\"2.0\""));
    assert_null(strstr((char *)r.body.p, "9.0"));
    admin_reply_free(&r);
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_int_equal(json_int((char *)r.body.p, "checked"), 1);
    admin_reply_free(&r);
    assert_int_equal(admin(&h, "GET", "/admin/v1/devices", NULL, &r), 200);
    assert_non_null(strstr((char *)r.body.p, "\"group\":\"field\""));
    assert_non_null(strstr((char *)r.body.p, "\"version\":\"1.0\""));
    admin_reply_free(&r);
    /* The package offered before the kill is served after it, and applies. */
    http_call(&h, "GET", url, NULL, &a);
    assert_int_equal(a.status, 200);
    if (cfota_apply_mem(old.p, old.n, a.body.p, a.body.n, &out, 0, err, sizeof err) != 0)
        fail_msg("package does not apply after restart: %s", err);
    assert_int_equal(out.n, new_.n);
    assert_memory_equal(out.p, new_.p, new_.n);
    answer_free(&a);
    bytes_free(&out);
    bytes_free(&old);
    bytes_free(&new_);
    harness_stop(&h);
}

/* A release answered just before a kill has its packages built after the
 * restart, whether or not the builder had started. */
static void test_builds_resume_after_kill(void **state)
{
    struct child c;
    struct harness h;
    struct admin_reply r;
    char dir[] = "/tmp/cfota-server-test-XXXXXX";
    (void)state;
    assert_non_null(mkdtemp(dir));
    child_start(&c, dir);
    upload_image(&c.h, TEST_OLD, "1.0");
    upload_image(&c.h, TEST_NEW, "2.0");
    assert_int_equal(admin_status(&c.h, "POST", "/admin/v1/releases?product=m4app&target=2.0", NULL), 201);
    child_kill(&c);

    harness_start_in(&h, dir);
    snprintf(h.dir, sizeof h.dir, "%s", dir);
    cfota_server_wait_builds(h.srv);
    assert_int_equal(admin(&h, "GET", "/admin/v1/packages", NULL, &r), 200);
    assert_non_null(strstr((char *)r.body.p, "\"from\":\"1.0\",\"to\":\"2.0\",\"state\":\"ready\""));
    assert_non_null(strstr((char *)r.body.p, "\"from\":\"*\",\"to\":\"2.0\",\"state\":\"ready\""));
    admin_reply_free(&r);
    assert_int_equal(admin(&h, "GET", "/admin/v1/releases/1", NULL, &r), 200);
    assert_non_null(strstr((char *)r.body.p, "\"state\":\"active\""));
    admin_reply_free(&r);
    harness_stop(&h);
}

/* The secrets persist: a restarted server accepts the same device tokens
 * and admin token file. */
static void test_secrets_persist(void **state)
{
    struct harness h;
    struct cfota_server_config cfg;
    struct cfota_server *s;
    char dir[] = "/tmp/cfota-server-test-XXXXXX", tok1[33], tok2[33], err[200], admin1[200];
    (void)state;
    assert_non_null(mkdtemp(dir));
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = dir;
    s = cfota_server_start(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(cfota_server_device_token(s, IMEI, tok1), 0);
    snprintf(admin1, sizeof admin1, "%s", cfota_server_admin_token(s));
    assert_true(strlen(admin1) >= 32);
    cfota_server_stop(s);
    s = cfota_server_start(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(cfota_server_device_token(s, IMEI, tok2), 0);
    assert_string_equal(tok1, tok2);
    assert_string_equal(admin1, cfota_server_admin_token(s));
    assert_int_equal(cfota_server_device_token(s, "12345", tok2), -1);
    cfota_server_stop(s);
    snprintf(h.dir, sizeof h.dir, "%s", dir);
    harness_rm_tree(h.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kill_keeps_committed, test_teardown_children),
        cmocka_unit_test_teardown(test_builds_resume_after_kill, test_teardown_children),
        cmocka_unit_test(test_secrets_persist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
