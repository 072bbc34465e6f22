/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_server_cli.c: `cfota admin` against an in-process server, as
 * an operator would use it: exit statuses, JSON on stdout, the server's
 * message on stderr when a call is refused, usage errors.
 */
#include "server_harness.h"

#include <sys/wait.h>

/* Run the cfota tool with args (shell words); its stdout into out.
 * Returns the exit status. */
static int run_cfota(const struct harness *h, const char *args, struct bytes *out)
{
    const char *bin = getenv("CFOTA_BIN");
    char cmd[2048], buf[4096];
    FILE *p;
    size_t n;
    int status;
    if (!bin)
        fail_msg("CFOTA_BIN is not set");
    snprintf(cmd, sizeof cmd, "CFOTA_SERVER=%s CFOTA_ADMIN_TOKEN=%s '%s' %s 2>%s/stderr", h->base,
             TEST_ADMIN_TOKEN, bin, args, h->dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        bytes_put(out, buf, n);
    bytes_byte(out, 0);
    out->n--;
    status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void stderr_text(const struct harness *h, struct bytes *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/stderr", h->dir);
    assert_int_equal(bytes_read_file(out, path), 0);
    bytes_byte(out, 0);
    out->n--;
}

static void test_admin_commands(void **state)
{
    struct harness h;
    struct bytes out = {0}, err = {0};
    char args[1024];
    (void)state;
    harness_start(&h);

    snprintf(args, sizeof args, "admin upload 1.0 '%s' --product m4app", image_path(TEST_OLD));
    assert_int_equal(run_cfota(&h, args, &out), 0);
    assert_non_null(strstr((char *)out.p, "\"version\":\"1.0\""));
    bytes_free(&out);
    snprintf(args, sizeof args, "admin upload 2.0 '%s' --product m4app", image_path(TEST_NEW));
    assert_int_equal(run_cfota(&h, args, &out), 0);
    bytes_free(&out);

    /* Refused: the server's message on stderr, exit 1. */
    snprintf(args, sizeof args, "admin upload 2.0 '%s' --product m4app", image_path(TEST_OLD));
    assert_int_equal(run_cfota(&h, args, &out), 1);
    bytes_free(&out);
    stderr_text(&h, &err);
    assert_non_null(strstr((char *)err.p, "409"));
    assert_non_null(strstr((char *)err.p, "versions are immutable"));
    bytes_free(&err);

    assert_int_equal(run_cfota(&h, "admin release 2.0 --product m4app --share 50 --max-fail 10 --min-reports 3",
                               &out), 0);
    assert_non_null(strstr((char *)out.p, "\"share\":50,\"max_fail\":10,\"min_reports\":3"));
    bytes_free(&out);
    cfota_server_wait_builds(h.srv);
    assert_int_equal(run_cfota(&h, "admin packages", &out), 0);
    assert_non_null(strstr((char *)out.p, "\"from\":\"1.0\",\"to\":\"2.0\",\"state\":\"ready\""));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin enrol 867723030000001 --product m4app --group lab", &out), 0);
    assert_non_null(strstr((char *)out.p, "\"token\":\""));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin devices --group lab", &out), 0);
    assert_non_null(strstr((char *)out.p, "867723030000001"));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin pause 1", &out), 0);
    assert_non_null(strstr((char *)out.p, "\"state\":\"paused\""));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin resume 1 --share 100", &out), 0);
    assert_non_null(strstr((char *)out.p, "\"state\":\"active\""));
    assert_non_null(strstr((char *)out.p, "\"share\":100"));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin stats", &out), 0);
    assert_non_null(strstr((char *)out.p, "{\"releases\":["));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin stats 1", &out), 0);
    assert_non_null(strstr((char *)out.p, "\"counts\":{"));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin stats 9", &out), 1);
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin release-devices 1 --state failed --limit 5", &out), 0);
    assert_non_null(strstr((char *)out.p, "{\"devices\":["));
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin release-devices 1 --state lost", &out), 1);
    bytes_free(&out);

    /* Usage errors: exit 2. */
    assert_int_equal(run_cfota(&h, "admin", &out), 2);
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin frobnicate", &out), 2);
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin pause", &out), 2);
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin images --share 5", &out), 2);
    bytes_free(&out);
    /* A wrong token is the server's refusal: exit 1 with its message. */
    assert_int_equal(run_cfota(&h, "admin --token wrong-wrong-wrong images", &out), 1);
    bytes_free(&out);
    stderr_text(&h, &err);
    assert_non_null(strstr((char *)err.p, "403"));
    bytes_free(&err);
    /* No server there: exit 1, not a crash. */
    assert_int_equal(run_cfota(&h, "admin --server http://127.0.0.1:1 images", &out), 1);
    bytes_free(&out);
    harness_stop(&h);
}

/* The id of the first package listed in state st (by `admin packages`). */
static void package_in_state(const struct harness *h, const char *st, char id[65])
{
    struct bytes out = {0};
    char want[48];
    const char *p, *q;
    assert_int_equal(run_cfota(h, "admin packages", &out), 0);
    snprintf(want, sizeof want, "\"state\":\"%s\"", st);
    p = strstr((char *)out.p, want);
    assert_non_null(p);
    q = strstr(p, "\"id\":\"");
    assert_non_null(q);
    snprintf(id, 65, "%.64s", q + 6);
    bytes_free(&out);
}

/* Offline signing with the CLI alone (docs/server.md "Signing"): the
 * package waits as tosign, `admin fetch` saves it, `cfota sign` signs it
 * on the release machine, `admin sign-upload` makes it ready. A failed
 * fetch leaves the file it names as it was. */
static void test_admin_offline_signing(void **state)
{
    struct harness h;
    struct cfota_server_config cfg;
    struct bytes out = {0}, kept = {0};
    char args[1024], id[65], ready[65], pub[600], file[600];
    (void)state;
    harness_make_dir(&h);
    snprintf(args, sizeof args, "keygen -o '%s/rel'", h.dir);
    assert_int_equal(run_cfota(&h, args, &out), 0);
    bytes_free(&out);
    snprintf(pub, sizeof pub, "%s/rel.pub", h.dir);
    snprintf(file, sizeof file, "%s/p.cfp", h.dir);
    memset(&cfg, 0, sizeof cfg);
    cfg.release_key = pub;
    harness_start_limited(&h, h.dir, &cfg);
    snprintf(args, sizeof args, "admin upload 1.0 '%s' --product m4app", image_path(TEST_OLD));
    assert_int_equal(run_cfota(&h, args, &out), 0);
    bytes_free(&out);
    snprintf(args, sizeof args, "admin upload 2.0 '%s' --product m4app", image_path(TEST_NEW));
    assert_int_equal(run_cfota(&h, args, &out), 0);
    bytes_free(&out);
    assert_int_equal(run_cfota(&h, "admin release 2.0 --product m4app", &out), 0);
    bytes_free(&out);
    cfota_server_wait_builds(h.srv);
    package_in_state(&h, "tosign", id);

    /* Not a package id: exit 1, and the file named is left as it was. */
    assert_int_equal(bytes_write_file(file, "keep me", 7), 0);
    snprintf(args, sizeof args, "admin fetch %064d '%s'", 0, file);
    assert_int_equal(run_cfota(&h, args, &out), 1);
    bytes_free(&out);
    assert_int_equal(bytes_read_file(&kept, file), 0);
    assert_int_equal(kept.n, 7);
    assert_memory_equal(kept.p, "keep me", 7);
    bytes_free(&kept);

    snprintf(args, sizeof args, "admin fetch %s '%s'", id, file);
    assert_int_equal(run_cfota(&h, args, &out), 0);
    assert_non_null(strstr((char *)out.p, "\"saved\":"));
    bytes_free(&out);
    /* Unsigned, it is refused; signed with the release key, accepted. */
    snprintf(args, sizeof args, "admin sign-upload %s '%s'", id, file);
    assert_int_equal(run_cfota(&h, args, &out), 1);
    bytes_free(&out);
    snprintf(args, sizeof args, "sign '%s' --key '%s/rel'", file, h.dir);
    assert_int_equal(run_cfota(&h, args, &out), 0);
    bytes_free(&out);
    snprintf(args, sizeof args, "admin sign-upload %s '%s'", id, file);
    assert_int_equal(run_cfota(&h, args, &out), 0);
    assert_non_null(strstr((char *)out.p, "\"ready\""));
    bytes_free(&out);
    package_in_state(&h, "ready", ready);
    assert_string_not_equal(ready, id); /* stored under the signed bytes' id */
    harness_stop(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_commands),
        cmocka_unit_test(test_admin_offline_signing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
