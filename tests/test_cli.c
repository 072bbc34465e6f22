/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_cli.c: the cfota tool as a user runs it.
 *
 * Runs the built binary (path in CFOTA_BIN) with posix_spawn on small
 * images made in a fresh mkdtemp directory, and checks what docs/cli.md
 * promises: diff and apply round-trip, info describes the package with
 * the right sizes and hashes (human and JSON, with JSON strings escaped),
 * a failed apply leaves no output file and no temporary behind, damaged
 * packages are refused, usage errors exit 2, and the progress bar appears
 * on a terminal only and is erased before the summary line.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "bytes.h"
#include "hash.h"
#include "support.h"
#include "cfota/package.h"

extern char **environ;

#define MAX_ARGS 24

/* The scratch directory of one test. */
struct fixture {
    char dir[256];
};

/* What one run of the tool did. */
struct run {
    int status; /* exit status; -1 if killed by a signal */
    struct bytes out, err;
};

static const char *bin(void)
{
    const char *b = getenv("CFOTA_BIN");
    if (!b || !*b)
        fail_msg("CFOTA_BIN is not set: run this test through ctest");
    return b;
}

/* A path inside the fixture's directory; up to four live at once. */
static const char *at(const struct fixture *fx, const char *name)
{
    static char paths[4][512];
    static unsigned next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", fx->dir, name);
    return p;
}

static void put_file(const char *path, const void *data, size_t n)
{
    assert_int_equal(bytes_write_file(path, data, n), 0);
}

static void get_file(const char *path, struct bytes *b)
{
    if (bytes_read_file(b, path) != 0)
        fail_msg("cannot read %s: %s", path, strerror(errno));
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void terminate(struct bytes *b)
{
    bytes_byte(b, 0);
    b->n--;
}

/* Wait for pid; its exit status, or -1 if a signal ended it. */
static int wait_exit(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        assert_int_equal(errno, EINTR);
    test_reaped(pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Start cfota with args (NULL-terminated, without argv[0]). stdin is
 * /dev/null, stdout goes to a file of the fixture directory, and so does
 * stderr unless stderr_fd >= 0 (a terminal, for the progress bar). */
static pid_t spawn_tool(const struct fixture *fx, const char *const *args, int stderr_fd)
{
    char out_path[512], err_path[512];
    char *argv[MAX_ARGS + 2];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int i;
    snprintf(out_path, sizeof out_path, "%s/.stdout", fx->dir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", fx->dir);
    argv[0] = (char *)bin();
    for (i = 0; args[i]; i++) {
        assert_true(i < MAX_ARGS);
        argv[i + 1] = (char *)args[i];
    }
    argv[i + 1] = NULL;
    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (stderr_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);
    else
        posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    test_track_child(pid); /* killed at exit if a failure skips the wait */
    return pid;
}

/* Wait for the tool and collect its outputs (stderr only if it went to
 * the file), removing the capture files. */
static void finish_tool(const struct fixture *fx, pid_t pid, struct run *r, int captured_err)
{
    char path[512];
    r->status = wait_exit(pid);
    memset(&r->out, 0, sizeof r->out);
    memset(&r->err, 0, sizeof r->err);
    snprintf(path, sizeof path, "%s/.stdout", fx->dir);
    get_file(path, &r->out);
    terminate(&r->out);
    unlink(path);
    snprintf(path, sizeof path, "%s/.stderr", fx->dir);
    if (captured_err) {
        get_file(path, &r->err);
        unlink(path);
    }
    terminate(&r->err);
}

static void run(const struct fixture *fx, struct run *r, const char *const *args)
{
    finish_tool(fx, spawn_tool(fx, args, -1), r, 1);
}

static void run_free(struct run *r)
{
    bytes_free(&r->out);
    bytes_free(&r->err);
}

/* Run and expect an exit status; the result is freed. */
static void expect_status(const struct fixture *fx, int status, const char *const *args)
{
    struct run r;
    run(fx, &r, args);
    if (r.status != status)
        fail_msg("cfota %s ...: exit %d, expected %d; stderr: %s", args[0] ? args[0] : "",
                 r.status, status, (const char *)r.err.p);
    run_free(&r);
}

static void assert_contains(const struct bytes *b, const char *needle)
{
    if (!strstr((const char *)b->p, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, (const char *)b->p);
}

/* The line of text that starts with key, e.g. "base size:". */
static void assert_line(const struct bytes *b, const char *key, const char *value)
{
    const char *s = (const char *)b->p;
    for (; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char line[512];
        if (strncmp(s, key, strlen(key)) != 0)
            continue;
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        if (!strstr(line, value))
            fail_msg("line \"%s\" lacks \"%s\"", line, value);
        return;
    }
    fail_msg("no line \"%s\" in:\n%s", key, (const char *)b->p);
}

/* ---- images ---- */

/* Two related images: old is pseudo-random, new is old with bytes
 * changed, a block inserted and a tail appended, like a rebuilt firmware
 * in miniature. */
static void make_images(size_t n, uint64_t seed, struct bytes *old, struct bytes *new_)
{
    size_t i;
    memset(old, 0, sizeof *old);
    memset(new_, 0, sizeof *new_);
    for (i = 0; i < n; i++)
        bytes_byte(old, (uint8_t)test_rand(&seed));
    bytes_put(new_, old->p, n / 2);
    for (i = 0; i < 700; i++)
        bytes_byte(new_, (uint8_t)test_rand(&seed));
    bytes_put(new_, old->p + n / 2, n - n / 2);
    for (i = 100; i < 200; i++)
        new_->p[i] ^= 0x5A;
    for (i = 0; i < 3000; i++)
        bytes_byte(new_, (uint8_t)i);
}

/* n with thousands grouped, as the tool prints byte counts. */
static const char *grouped(size_t n, char out[32])
{
    if (n >= 1000000)
        snprintf(out, 32, "%zu,%03zu,%03zu", n / 1000000, n / 1000 % 1000, n % 1000);
    else if (n >= 1000)
        snprintf(out, 32, "%zu,%03zu", n / 1000, n % 1000);
    else
        snprintf(out, 32, "%zu", n);
    return out;
}

static void sha_hex(const struct bytes *b, char hex[65])
{
    uint8_t sha[32];
    host_sha256(b->p, b->n, sha);
    host_hex(sha, 32, hex);
}

/* old.bin, new.bin and a package p.cfp between them in the fixture. */
static void make_package(const struct fixture *fx, struct bytes *old, struct bytes *new_)
{
    make_images(40960, 7, old, new_);
    put_file(at(fx, "old.bin"), old->p, old->n);
    put_file(at(fx, "new.bin"), new_->p, new_->n);
    expect_status(fx, 0,
                  (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                   at(fx, "p.cfp"), "--from-version", "1.0", "--to-version",
                                   "v\"2\\x", "-q", NULL});
}

static void read_header(const char *path, struct cfota_header *h, struct bytes *pkg)
{
    memset(pkg, 0, sizeof *pkg);
    get_file(path, pkg);
    assert_int_equal(cfota_header_parse(h, pkg->p, pkg->n), 0);
}

/* Names in the fixture directory that start with prefix. */
static int count_entries(const struct fixture *fx, const char *prefix)
{
    DIR *d = opendir(fx->dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("TMPDIR");
    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "%s/cfota-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    struct dirent *e;
    char path[1024];
    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(path, sizeof path, "%s/%s", fx->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* ---- tests ---- */

static void test_diff_apply_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg = {0}, got = {0};
    struct run r;
    char summary[1024], count[32];
    make_images(40960, 1, &old, &new_);
    put_file(at(fx, "old.bin"), old.p, old.n);
    put_file(at(fx, "new.bin"), new_.p, new_.n);

    run(fx, &r, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                 at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 0);
    get_file(at(fx, "p.cfp"), &pkg);
    assert_true(pkg.n > 100 && pkg.n < new_.n / 2);
    /* The summary line names the package and its size, grouped by 3. */
    snprintf(summary, sizeof summary, "cfota: %s: %s bytes (", at(fx, "p.cfp"),
             grouped(pkg.n, count));
    assert_contains(&r.err, summary);
    assert_contains(&r.err, "% of ");
    assert_int_equal(r.out.n, 0);
    run_free(&r);

    run(fx, &r, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "p.cfp"), "-o",
                                 at(fx, "out.bin"), NULL});
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err.n, 0);
    run_free(&r);
    get_file(at(fx, "out.bin"), &got);
    assert_int_equal(got.n, new_.n);
    assert_memory_equal(got.p, new_.p, new_.n);
    /* Nothing but the files we asked for: no temporaries left. */
    assert_int_equal(count_entries(fx, ""), 2 + 4);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
    bytes_free(&got);
}

static void test_full_image_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, got = {0};
    struct cfota_header h;
    struct bytes pkg;
    make_images(20000, 2, &old, &new_);
    put_file(at(fx, "new.bin"), new_.p, new_.n);
    /* --full needs no OLD operand, and apply then needs no OLD either. */
    expect_status(fx, 0, (const char *[]){"diff", "--full", at(fx, "new.bin"), "-o",
                                          at(fx, "full.cfp"), "--quiet", NULL});
    read_header(at(fx, "full.cfp"), &h, &pkg);
    assert_true(h.flags & CFOTA_FLAG_NO_BASE);
    assert_int_equal(h.base_size, 0);
    expect_status(fx, 0,
                  (const char *[]){"apply", at(fx, "full.cfp"), "-o", at(fx, "out.bin"), NULL});
    get_file(at(fx, "out.bin"), &got);
    assert_int_equal(got.n, new_.n);
    assert_memory_equal(got.p, new_.p, new_.n);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&got);
    bytes_free(&pkg);
}

static void test_info_human(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg;
    struct cfota_header h;
    struct run r;
    char hex[65], text[64], count[32];
    make_package(fx, &old, &new_);
    read_header(at(fx, "p.cfp"), &h, &pkg);

    run(fx, &r, (const char *[]){"info", at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err.n, 0);
    assert_line(&r.out, "format version:", "2");
    assert_line(&r.out, "base size:", "40,960 bytes");
    sha_hex(&old, hex);
    assert_line(&r.out, "base sha256:", hex);
    assert_line(&r.out, "base version:", "1.0");
    snprintf(text, sizeof text, "%s bytes", grouped(new_.n, count));
    assert_line(&r.out, "target size:", text);
    sha_hex(&new_, hex);
    assert_line(&r.out, "target sha256:", hex);
    assert_line(&r.out, "target version:", "v\"2\\x");
    snprintf(text, sizeof text, "%08lx (matches)", (unsigned long)h.payload_crc32);
    assert_line(&r.out, "payload crc32:", text);
    assert_line(&r.out, "segment size:", "65,536 bytes");
    assert_line(&r.out, "segments:", "1");
    assert_line(&r.out, "signature size:", "0 bytes");
    run_free(&r);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

static void test_info_json(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg;
    struct cfota_header h;
    struct run r;
    char hex[65], text[160];
    make_package(fx, &old, &new_);
    read_header(at(fx, "p.cfp"), &h, &pkg);

    run(fx, &r, (const char *[]){"info", "--json", at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 0);
    /* One object on one line. */
    assert_int_equal(r.out.p[0], '{');
    assert_string_equal((const char *)r.out.p + r.out.n - 2, "}\n");
    assert_ptr_equal(strchr((const char *)r.out.p, '\n'), (const char *)r.out.p + r.out.n - 1);
    snprintf(text, sizeof text, "\"file_size\": %zu,", pkg.n);
    assert_contains(&r.out, text);
    assert_contains(&r.out, "\"format_version\": 2,");
    assert_contains(&r.out, "\"flag_names\": []");
    assert_contains(&r.out, "\"base_size\": 40960,");
    sha_hex(&old, hex);
    snprintf(text, sizeof text, "\"base_sha256\": \"%s\"", hex);
    assert_contains(&r.out, text);
    assert_contains(&r.out, "\"base_version\": \"1.0\"");
    snprintf(text, sizeof text, "\"target_size\": %zu,", new_.n);
    assert_contains(&r.out, text);
    sha_hex(&new_, hex);
    snprintf(text, sizeof text, "\"target_sha256\": \"%s\"", hex);
    assert_contains(&r.out, text);
    /* The quote and backslash of the version are escaped. */
    assert_contains(&r.out, "\"target_version\": \"v\\\"2\\\\x\"");
    snprintf(text, sizeof text, "\"payload_size\": %lu,", (unsigned long)h.payload_size);
    assert_contains(&r.out, text);
    snprintf(text, sizeof text, "\"payload_crc32\": \"%08lx\"", (unsigned long)h.payload_crc32);
    assert_contains(&r.out, text);
    assert_contains(&r.out, "\"payload_crc32_ok\": true");
    assert_contains(&r.out, "\"segment_size\": 65536,");
    assert_contains(&r.out, "\"segment_count\": 1,");
    assert_contains(&r.out, "\"scratch_size\": 0,");
    assert_contains(&r.out, "\"signature_size\": 0,");
    assert_contains(&r.out, "\"size_ok\": true}");
    run_free(&r);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

/* A file name is bytes: quotes, control characters and invalid UTF-8
 * must still give valid JSON. */
static void test_info_json_escapes_file_name(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg;
    struct cfota_header h;
    struct run r;
    char expect[700];
    make_package(fx, &old, &new_);
    read_header(at(fx, "p.cfp"), &h, &pkg);
    put_file(at(fx, "q\"b\\\t\xff\xc3\xa9.cfp"), pkg.p, pkg.n);
    run(fx, &r, (const char *[]){"info", "--json", at(fx, "q\"b\\\t\xff\xc3\xa9.cfp"), NULL});
    assert_int_equal(r.status, 0);
    snprintf(expect, sizeof expect, "{\"file\": \"%s/q\\\"b\\\\\\t\\ufffd\xc3\xa9.cfp\",", fx->dir);
    assert_contains(&r.out, expect);
    run_free(&r);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

static void test_segment_size_suffixes(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, a, b, c;
    struct cfota_header h;
    make_images(40960, 3, &old, &new_);
    put_file(at(fx, "old.bin"), old.p, old.n);
    put_file(at(fx, "new.bin"), new_.p, new_.n);
    expect_status(fx, 0, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                          at(fx, "a.cfp"), "--segment-size", "16K", "-q", NULL});
    expect_status(fx, 0, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                          at(fx, "b.cfp"), "--segment-size=16KiB", "-q", NULL});
    expect_status(fx, 0, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                          at(fx, "c.cfp"), "--segment-size", "16384", "-q", NULL});
    read_header(at(fx, "a.cfp"), &h, &a);
    assert_int_equal(h.segment_size, 16384);
    assert_int_equal(cfota_header_segments(&h), (new_.n + 16383) / 16384);
    read_header(at(fx, "b.cfp"), &h, &b);
    read_header(at(fx, "c.cfp"), &h, &c);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    assert_int_equal(a.n, c.n);
    assert_memory_equal(a.p, c.p, a.n);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&a);
    bytes_free(&b);
    bytes_free(&c);
}

static void test_apply_wrong_base_leaves_no_output(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, kept = {0};
    struct run r;
    make_package(fx, &old, &new_);
    old.p[5000] ^= 1; /* same size, another SHA-256 */
    put_file(at(fx, "other.bin"), old.p, old.n);

    run(fx, &r, (const char *[]){"apply", at(fx, "other.bin"), at(fx, "p.cfp"), "-o",
                                 at(fx, "out.bin"), NULL});
    assert_int_equal(r.status, 1);
    assert_true(!strncmp((const char *)r.err.p, "cfota: apply: ", 14));
    assert_int_equal(r.out.n, 0);
    run_free(&r);
    assert_false(exists(at(fx, "out.bin")));
    assert_int_equal(count_entries(fx, "out.bin"), 0); /* no temporary either */

    /* The new image as base: another size. */
    expect_status(fx, 1, (const char *[]){"apply", at(fx, "new.bin"), at(fx, "p.cfp"), "-o",
                                          at(fx, "out.bin"), NULL});
    assert_int_equal(count_entries(fx, "out.bin"), 0);

    /* An existing output is left as it was. */
    put_file(at(fx, "out.bin"), "precious", 8);
    expect_status(fx, 1, (const char *[]){"apply", at(fx, "other.bin"), at(fx, "p.cfp"), "-o",
                                          at(fx, "out.bin"), NULL});
    get_file(at(fx, "out.bin"), &kept);
    assert_int_equal(kept.n, 8);
    assert_memory_equal(kept.p, "precious", 8);
    assert_int_equal(count_entries(fx, "out.bin"), 1);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&kept);
}

static void test_corrupt_package_refused(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg;
    struct cfota_header h;
    struct run r;
    make_package(fx, &old, &new_);
    read_header(at(fx, "p.cfp"), &h, &pkg);
    pkg.p[h.header_size + h.payload_size / 2] ^= 0x10;
    put_file(at(fx, "bad.cfp"), pkg.p, pkg.n);

    run(fx, &r, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "bad.cfp"), "-o",
                                 at(fx, "out.bin"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "cfota: apply: ");
    run_free(&r);
    assert_int_equal(count_entries(fx, "out.bin"), 0);

    /* info still describes it, says the CRC is wrong, and fails. */
    run(fx, &r, (const char *[]){"info", at(fx, "bad.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_line(&r.out, "payload crc32:", "MISMATCH");
    assert_contains(&r.err, "bad.cfp");
    run_free(&r);
    run(fx, &r, (const char *[]){"info", "--json", at(fx, "bad.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.out, "\"payload_crc32_ok\": false");
    run_free(&r);

    /* A truncated package. */
    put_file(at(fx, "short.cfp"), pkg.p, pkg.n - 10);
    expect_status(fx, 1, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "short.cfp"), "-o",
                                          at(fx, "out.bin"), NULL});
    expect_status(fx, 1, (const char *[]){"info", at(fx, "short.cfp"), NULL});
    assert_int_equal(count_entries(fx, "out.bin"), 0);

    /* A damaged header (a byte of the target SHA-256). */
    pkg.p[h.header_size + h.payload_size / 2] ^= 0x10;
    pkg.p[70] ^= 0x01;
    put_file(at(fx, "hdr.cfp"), pkg.p, pkg.n);
    run(fx, &r, (const char *[]){"info", at(fx, "hdr.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "damaged");
    run_free(&r);
    expect_status(fx, 1, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "hdr.cfp"), "-o",
                                          at(fx, "out.bin"), NULL});
    assert_int_equal(count_entries(fx, "out.bin"), 0);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

static void test_not_a_package_and_missing_files(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_;
    struct run r;
    make_package(fx, &old, &new_);

    run(fx, &r, (const char *[]){"info", at(fx, "old.bin"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "old.bin: not a cfota package");
    assert_int_equal(r.out.n, 0);
    run_free(&r);
    put_file(at(fx, "empty"), "", 0);
    expect_status(fx, 1, (const char *[]){"info", at(fx, "empty"), NULL});
    expect_status(fx, 1, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                          at(fx, "out.bin"), NULL});
    /* apply with its arguments swapped says so, in info's words. */
    run(fx, &r, (const char *[]){"apply", at(fx, "p.cfp"), at(fx, "old.bin"), "-o", at(fx, "out.bin"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "old.bin: not a cfota package (it does not start with \"CFPK\")");
    assert_contains(&r.err, "p.cfp is a package: the order is OLD PKG");
    run_free(&r);

    /* I/O errors name the file and give strerror's reason. */
    run(fx, &r, (const char *[]){"info", at(fx, "missing.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, at(fx, "missing.cfp"));
    assert_contains(&r.err, strerror(ENOENT));
    run_free(&r);
    run(fx, &r, (const char *[]){"diff", at(fx, "missing.bin"), at(fx, "new.bin"), "-o",
                                 at(fx, "x.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "cfota: diff: ");
    assert_contains(&r.err, strerror(ENOENT));
    run_free(&r);
    run(fx, &r, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                 at(fx, "no/such/dir.cfp"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "no/such/dir.cfp");
    run_free(&r);
    assert_int_equal(count_entries(fx, "out.bin"), 0);
    assert_int_equal(count_entries(fx, "x.cfp"), 0);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_usage_errors_exit_2(void **state)
{
    struct fixture *fx = *state;
    const char *o = "/nonexistent/old", *n = "/nonexistent/new", *p = "/nonexistent/p";
    const char *long_version = "123456789012345678901234567890123"; /* 33 */
    const char *const *cases[] = {
        (const char *[]){NULL},
        (const char *[]){"bogus", NULL},
        (const char *[]){"diff", NULL},
        (const char *[]){"diff", o, NULL},
        (const char *[]){"diff", o, n, NULL},
        (const char *[]){"diff", o, n, p, "-o", p, NULL},
        (const char *[]){"diff", o, n, "-o", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--bogus", NULL},
        (const char *[]){"diff", o, n, "-o", p, "-x", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "3000", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "128K", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "4k2", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "99999999999999K", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--segment-size", "4194308K", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--scratch-size", "16K", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--in-place", "--scratch-size", "5000", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--from-version", long_version, NULL},
        (const char *[]){"diff", o, n, "-o", p, "--to-version", "tab\there", NULL},
        (const char *[]){"diff", o, n, "-o", p, "--full=1", NULL},
        (const char *[]){"diff", n, "-o", p, NULL},
        (const char *[]){"apply", NULL},
        (const char *[]){"apply", o, p, NULL},
        (const char *[]){"apply", o, p, n, "-o", n, NULL},
        (const char *[]){"apply", "--in-place", o, p, "-o", n, NULL},
        (const char *[]){"apply", o, p, "-o", n, "--json", NULL},
        (const char *[]){"info", NULL},
        (const char *[]){"info", p, p, NULL},
        (const char *[]){"info", "--json=yes", p, NULL},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run(fx, &r, cases[i]);
        if (r.status != 2)
            fail_msg("case %zu (%s): exit %d, expected 2", i, cases[i][0] ? cases[i][0] : "-",
                     r.status);
        assert_contains(&r.err, "usage: cfota");
        assert_int_equal(r.out.n, 0);
        run_free(&r);
    }
    assert_int_equal(count_entries(fx, ""), 2); /* "." and "..": nothing written */
}

static void test_help_exits_0(void **state)
{
    struct fixture *fx = *state;
    const char *const *cases[] = {
        (const char *[]){"--help", NULL},
        (const char *[]){"diff", "--help", NULL},
        (const char *[]){"diff", "a", "-h", NULL},
        (const char *[]){"apply", "--help", NULL},
        (const char *[]){"info", "-h", NULL},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run(fx, &r, cases[i]);
        assert_int_equal(r.status, 0);
        assert_contains(&r.out, "usage: cfota");
        assert_int_equal(r.err.n, 0);
        run_free(&r);
    }
}

/* A delta package named alone (no OLD) is a usage error, with a hint. */
static void test_apply_delta_without_base(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_;
    struct run r;
    make_package(fx, &old, &new_);
    run(fx, &r, (const char *[]){"apply", at(fx, "p.cfp"), "-o", at(fx, "out.bin"), NULL});
    assert_int_equal(r.status, 2);
    assert_contains(&r.err, "base image");
    run_free(&r);
    assert_false(exists(at(fx, "out.bin")));
    bytes_free(&old);
    bytes_free(&new_);
}

/* Over 256 KiB, but stderr is a file: no progress bar, just the summary;
 * and --quiet silences even that. */
static void test_no_progress_when_not_a_terminal(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_;
    struct run r;
    make_images(300 * 1024, 4, &old, &new_);
    put_file(at(fx, "old.bin"), old.p, old.n);
    put_file(at(fx, "new.bin"), new_.p, new_.n);
    run(fx, &r, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                 at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 0);
    assert_null(strchr((const char *)r.err.p, '\r'));
    assert_true(!strncmp((const char *)r.err.p, "cfota: ", 7));
    assert_ptr_equal(strchr((const char *)r.err.p, '\n'), (const char *)r.err.p + r.err.n - 1);
    run_free(&r);
    run(fx, &r, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o",
                                 at(fx, "p.cfp"), "-q", NULL});
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err.n, 0);
    run_free(&r);
    bytes_free(&old);
    bytes_free(&new_);
}

/* A pseudo-terminal in raw mode (so "\n" stays "\n"); returns the master,
 * *slave the other end. */
static int open_terminal(int *slave)
{
    struct termios t;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        fail_msg("no pseudo-terminal: %s", strerror(errno));
    /* Close-on-exec: the tool must hold the terminal only as its stderr,
     * so that EOF comes when that closes. */
    fcntl(master, F_SETFD, FD_CLOEXEC);
    *slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*slave < 0)
        fail_msg("cannot open %s: %s", ptsname(master), strerror(errno));
    assert_int_equal(tcgetattr(*slave, &t), 0);
    cfmakeraw(&t);
    assert_int_equal(tcsetattr(*slave, TCSANOW, &t), 0);
    return master;
}

/* Everything the terminal received until the tool closed it. Reading
 * before waiting keeps a full terminal buffer from blocking the tool. */
static void run_on_terminal(const struct fixture *fx, struct run *r, struct bytes *screen,
                            const char *const *args)
{
    int slave, master = open_terminal(&slave);
    pid_t pid = spawn_tool(fx, args, slave);
    uint8_t buf[4096];
    ssize_t got;
    close(slave); /* the tool has its copy: EOF comes when it exits */
    memset(screen, 0, sizeof *screen);
    /* Linux reports EIO on the master once the last slave is closed. */
    while ((got = read(master, buf, sizeof buf)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        bytes_put(screen, buf, (size_t)got);
    }
    close(master);
    finish_tool(fx, pid, r, 0);
    terminate(screen);
}

static void test_progress_on_terminal(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, screen;
    struct run r;
    const char *last_cr, *summary;
    char pkg_line[600];
    make_images(300 * 1024, 5, &old, &new_);
    put_file(at(fx, "old.bin"), old.p, old.n);
    put_file(at(fx, "new.bin"), new_.p, new_.n);

    run_on_terminal(fx, &r, &screen, (const char *[]){"diff", at(fx, "old.bin"),
                                                      at(fx, "new.bin"), "-o", at(fx, "p.cfp"),
                                                      NULL});
    assert_int_equal(r.status, 0);
    /* A bar was drawn with '\r'... */
    assert_int_equal(screen.p[0], '\r');
    assert_contains(&screen, "cfota: diff [");
    assert_contains(&screen, "%");
    assert_contains(&screen, "KiB");
    assert_contains(&screen, "ETA");
    /* ...then erased: the last '\r' ends a run of blanks, and the summary
     * line follows on a clean line. */
    snprintf(pkg_line, sizeof pkg_line, "cfota: %s: ", at(fx, "p.cfp"));
    summary = strstr((const char *)screen.p, pkg_line);
    assert_non_null(summary);
    last_cr = strrchr((const char *)screen.p, '\r');
    assert_ptr_equal(last_cr + 1, summary);
    assert_int_equal(last_cr[-1], ' ');
    assert_ptr_equal(strchr(summary, '\n'), (const char *)screen.p + screen.n - 1);
    run_free(&r);
    bytes_free(&screen);

    /* --quiet on a terminal: nothing at all. */
    run_on_terminal(fx, &r, &screen, (const char *[]){"diff", at(fx, "old.bin"),
                                                      at(fx, "new.bin"), "-o", at(fx, "p.cfp"),
                                                      "-q", NULL});
    assert_int_equal(r.status, 0);
    assert_int_equal(screen.n, 0);
    run_free(&r);
    bytes_free(&screen);

    /* A small job on a terminal: no bar, only the summary. */
    put_file(at(fx, "small.bin"), new_.p, 1000);
    run_on_terminal(fx, &r, &screen, (const char *[]){"diff", at(fx, "old.bin"),
                                                      at(fx, "small.bin"), "-o",
                                                      at(fx, "s.cfp"), NULL});
    assert_int_equal(r.status, 0);
    assert_null(strchr((const char *)screen.p, '\r'));
    assert_contains(&screen, "cfota: ");
    run_free(&r);
    bytes_free(&screen);
    bytes_free(&old);
    bytes_free(&new_);
}

/* apply --in-place: cut power again and again, each run resuming, until
 * the update finishes; IMAGE is then exactly the target and the state
 * directory is gone. The teardown removes only plain files, so the state
 * directory is named explicitly and checked. */
static void test_in_place_power_cuts_and_resume(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, img = {0};
    char statedir[512];
    int runs = 0, status = 75;
    make_images(100000, 21, &old, &new_);
    put_file(at(fx, "old.bin"), old.p, old.n);
    put_file(at(fx, "new.bin"), new_.p, new_.n);
    put_file(at(fx, "image.bin"), old.p, old.n);
    expect_status(fx, 0, (const char *[]){"diff", "--in-place", "--scratch-size", "16K", at(fx, "old.bin"),
                                          at(fx, "new.bin"), "-o", at(fx, "ip.cfp"), "-q", NULL});
    snprintf(statedir, sizeof statedir, "%s/device", fx->dir);
    while (status == 75) {
        char cut[16];
        struct run r;
        snprintf(cut, sizeof cut, "%d", 7 + 13 * runs);
        run(fx, &r, (const char *[]){"apply", "--in-place", at(fx, "image.bin"), at(fx, "ip.cfp"), "--state",
                                     statedir, "--power-cut-after", cut, NULL});
        status = r.status;
        if (status == 75) {
            assert_contains(&r.err, "power cut");
            /* Until done, IMAGE is untouched: the device lives in DIR. */
            get_file(at(fx, "image.bin"), &img);
            assert_memory_equal(img.p, old.p, old.n);
            bytes_free(&img);
        }
        run_free(&r);
        assert_true(++runs < 100);
    }
    assert_int_equal(status, 0);
    assert_true(runs > 3);
    get_file(at(fx, "image.bin"), &img);
    assert_int_equal(img.n, new_.n);
    assert_memory_equal(img.p, new_.p, new_.n);
    assert_false(exists(statedir));
    /* Applying again: the image is now the target, not the base. */
    expect_status(fx, 1, (const char *[]){"apply", "--in-place", at(fx, "image.bin"), at(fx, "ip.cfp"), "--state",
                                          statedir, NULL});
    rmdir(statedir);
    bytes_free(&img);
    bytes_free(&old);
    bytes_free(&new_);
}

/* An A/B package is refused for in-place apply, and the in-place options
 * are usage errors without --in-place. */
static void test_in_place_refusals(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_;
    char statedir[512];
    make_package(fx, &old, &new_);
    snprintf(statedir, sizeof statedir, "%s/device", fx->dir);
    expect_status(fx, 1, (const char *[]){"apply", "--in-place", at(fx, "old.bin"), at(fx, "p.cfp"), "--state",
                                          statedir, NULL});
    expect_status(fx, 2, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "p.cfp"), "-o", at(fx, "x.bin"),
                                          "--power-cut-after", "3", NULL});
    expect_status(fx, 2, (const char *[]){"apply", "--in-place", at(fx, "old.bin"), at(fx, "p.cfp"), "-o",
                                          at(fx, "x.bin"), NULL});
    rmdir(statedir);
    bytes_free(&old);
    bytes_free(&new_);
}

/* keygen, diff --sign, sign, verify, info's key id, push --key: the
 * release key's commands and their refusals. */
static void test_keys_sign_verify(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, pkg;
    struct cfota_header h;
    struct run r;
    char key[512], pub[512], other[512], id[64];
    const char *line;
    make_package(fx, &old, &new_);
    snprintf(key, sizeof key, "%s", at(fx, "rel"));
    snprintf(pub, sizeof pub, "%s", at(fx, "rel.pub"));
    snprintf(other, sizeof other, "%s", at(fx, "other"));

    run(fx, &r, (const char *[]){"keygen", "-o", key, NULL});
    assert_int_equal(r.status, 0);
    line = strstr((const char *)r.out.p, "key id: ");
    assert_non_null(line);
    snprintf(id, sizeof id, "%.16s", line + 8);
    run_free(&r);
    assert_true(exists(pub));
    expect_status(fx, 1, (const char *[]){"keygen", "-o", key, NULL}); /* never overwrites */
    expect_status(fx, 0, (const char *[]){"keygen", "-o", other, NULL});

    /* Unsigned: verify refuses, push --key refuses before any port. */
    run(fx, &r, (const char *[]){"verify", at(fx, "p.cfp"), "--key", pub, NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "not signed");
    run_free(&r);
    run(fx, &r, (const char *[]){"push", "--port", "/nonexistent", at(fx, "p.cfp"), "--key", pub, NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "refused before sending");
    run_free(&r);

    /* sign in place: 73 bytes more, info shows the key id, verify agrees. */
    expect_status(fx, 0, (const char *[]){"sign", at(fx, "p.cfp"), "--key", key, NULL});
    read_header(at(fx, "p.cfp"), &h, &pkg);
    assert_true(h.flags & CFOTA_FLAG_SIGNED);
    assert_int_equal(pkg.n, h.header_size + h.payload_size + 73);
    run(fx, &r, (const char *[]){"info", at(fx, "p.cfp"), NULL});
    assert_int_equal(r.status, 0);
    assert_line(&r.out, "key id:", id);
    run_free(&r);
    expect_status(fx, 0, (const char *[]){"verify", at(fx, "p.cfp"), "--key", pub, NULL});
    run(fx, &r, (const char *[]){"verify", at(fx, "p.cfp"), "--key", at(fx, "other.pub"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "another key");
    run_free(&r);
    /* One changed byte. */
    pkg.p[h.header_size + 3] ^= 1;
    put_file(at(fx, "bad.cfp"), pkg.p, pkg.n);
    expect_status(fx, 1, (const char *[]){"verify", at(fx, "bad.cfp"), "--key", pub, NULL});
    bytes_free(&pkg);

    /* diff --sign with a counter: verify --counter applies the rule. */
    expect_status(fx, 0, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o", at(fx, "s.cfp"),
                                          "--sign", key, "--counter", "5", "--product", "0x2a", "-q", NULL});
    expect_status(fx, 0, (const char *[]){"verify", at(fx, "s.cfp"), "--key", pub, "--counter", "5",
                                          "--product", "42", NULL});
    run(fx, &r, (const char *[]){"verify", at(fx, "s.cfp"), "--key", pub, "--counter", "6", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "rollback");
    run_free(&r);
    run(fx, &r, (const char *[]){"verify", at(fx, "s.cfp"), "--key", pub, "--product", "7", NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "another product");
    run_free(&r);
    run(fx, &r, (const char *[]){"info", "--json", at(fx, "s.cfp"), NULL});
    assert_contains(&r.out, "\"security_counter\": 5,");
    assert_contains(&r.out, "\"product_id\": 42,");
    run_free(&r);
    /* apply on the host does not need the key and still works. */
    expect_status(fx, 0, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "s.cfp"), "-o", at(fx, "out.bin"), NULL});
    get_file(at(fx, "out.bin"), &pkg);
    assert_int_equal(pkg.n, new_.n);
    assert_memory_equal(pkg.p, new_.p, new_.n);
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

/* Every output is written atomically and never replaces what it should
 * not: through a symlink the target is updated (the link stays a link);
 * an existing file keeps its permissions; a directory or a FIFO under the
 * output's name is refused and left as it was; no temporary remains. */
static void test_outputs_replace_only_files(void **state)
{
    struct fixture *fx = *state;
    struct bytes old, new_, got = {0};
    struct stat st;
    struct run r;
    make_package(fx, &old, &new_);

    put_file(at(fx, "target.bin"), "x", 1);
    assert_int_equal(chmod(at(fx, "target.bin"), 0640), 0);
    assert_int_equal(symlink("target.bin", at(fx, "link.bin")), 0);
    expect_status(fx, 0, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "p.cfp"), "-o", at(fx, "link.bin"), NULL});
    assert_int_equal(lstat(at(fx, "link.bin"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(at(fx, "target.bin"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    get_file(at(fx, "target.bin"), &got);
    assert_int_equal(got.n, new_.n);
    assert_memory_equal(got.p, new_.p, new_.n);
    bytes_free(&got);

    assert_int_equal(mkfifo(at(fx, "fifo"), 0600), 0);
    run(fx, &r, (const char *[]){"apply", at(fx, "old.bin"), at(fx, "p.cfp"), "-o", at(fx, "fifo"), NULL});
    assert_int_equal(r.status, 1);
    assert_contains(&r.err, "exists and is not a regular file; not replaced");
    run_free(&r);
    assert_int_equal(lstat(at(fx, "fifo"), &st), 0);
    assert_true(S_ISFIFO(st.st_mode));

    assert_int_equal(mkdir(at(fx, "dir"), 0700), 0);
    expect_status(fx, 1, (const char *[]){"diff", at(fx, "old.bin"), at(fx, "new.bin"), "-o", at(fx, "dir"), "-q",
                                          NULL});
    assert_int_equal(lstat(at(fx, "dir"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(rmdir(at(fx, "dir")), 0);
    /* old, new, p, target, link, fifo: nothing else, no temporary */
    assert_int_equal(count_entries(fx, ""), 2 + 6);
    bytes_free(&old);
    bytes_free(&new_);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_diff_apply_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_image_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_human, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_json_escapes_file_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_size_suffixes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_wrong_base_leaves_no_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_package_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_package_and_missing_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_exits_0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_delta_without_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_progress_when_not_a_terminal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_on_terminal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_place_power_cuts_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_place_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_sign_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outputs_replace_only_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
