/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/support.c: helpers shared by the test programs (support.h).
 */
#define _GNU_SOURCE
#include "support.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfota/crc32.h"
#include "cfota/package.h"
#include "coder.h"
#include "hash.h"

/* ---- firmware ---- */

const char *image_path(const char *name)
{
    static char path[4096];
    const char *dir = getenv("CFOTA_IMAGES");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "examples", name);
    return path;
}

void image_load(const char *name, struct bytes *out)
{
    const char *p = image_path(name);
    if (bytes_read_file(out, p) != 0)
        fail_msg("cannot read the example firmware %s (built by the m4app target; CFOTA_IMAGES names its folder)",
                 p);
}

static const char *corpus_root(void)
{
    const char *root = getenv("CFOTA_CORPUS");
    return root && *root ? root : "../shared/corpus";
}

const char *corpus_path(const char *pair, const char *file)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", corpus_root(), pair, file);
    return path;
}

void corpus_load(const char *pair, const char *file, struct bytes *out)
{
    const char *p = corpus_path(pair, file);
    if (bytes_read_file(out, p) != 0)
        fail_msg("cannot read corpus file %s", p);
}

/* ---- tiers ---- */

static int corpus_present(void)
{
    char manifest[4096];
    struct stat st;
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", corpus_root());
    return stat(manifest, &st) == 0;
}

int test_tiers(int argc, char **argv, const struct CMUnitTest *tests, size_t ntests,
               const struct CMUnitTest *corpus_tests, size_t ncorpus)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc < 2)
        return _cmocka_run_group_tests(name, tests, ntests, NULL, NULL);
    if (argc != 2 || strcmp(argv[1], "--corpus") != 0) {
        fprintf(stderr, "usage: %s [--corpus]\n", name);
        return 2;
    }
    if (!corpus_present()) {
        printf("%s: corpus tier not run: no corpus at %s (no MANIFEST.tsv); set CFOTA_CORPUS to its folder\n",
               name, corpus_root());
        return TEST_SKIPPED;
    }
    printf("%s: corpus tier on %s\n", name, corpus_root());
    return _cmocka_run_group_tests(name, corpus_tests, ncorpus, NULL, NULL);
}

/* ---- children ---- */

#define MAX_CHILDREN 64

static pid_t children[MAX_CHILDREN];
static pid_t parent;

static void kill_children_at_exit(void)
{
    /* Only the program that forked them; a forked child that exits
     * through exit() must not kill its siblings. */
    if (getpid() == parent)
        test_kill_children();
}

void test_track_child(pid_t pid)
{
    size_t i;
    if (parent == 0) {
        parent = getpid();
        atexit(kill_children_at_exit);
    }
    for (i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == 0) {
            children[i] = pid;
            return;
        }
    fail_msg("more than %d children at once", MAX_CHILDREN);
}

int test_threads(void)
{
    char line[128];
    int n = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}

void test_fork_single_threaded(const char *why)
{
    int n = test_threads();
    if (n > 1)
        fail_msg("%s: a fork in a process of %d threads; the child may take no lock "
                 "(malloc's included) before it executes a program",
                 why, n);
}

pid_t test_fork(void)
{
    pid_t me = getpid(), pid;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        /* Die with the parent, even if it is killed (a CTest time-out). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != me)
            _exit(127);
        return 0;
    }
    test_track_child(pid);
    return pid;
}

void test_reaped(pid_t pid)
{
    size_t i;
    for (i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid)
            children[i] = 0;
}

void test_kill_children(void)
{
    size_t i;
    for (i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] <= 0)
            continue;
        kill(children[i], SIGKILL);
        while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
            ;
        children[i] = 0;
    }
}

int test_teardown_children(void **state)
{
    (void)state;
    test_kill_children();
    return 0;
}

uint32_t test_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return (uint32_t)(x >> 32);
}

/* ---- crafted packages ---- */

#define CRAFT_SEG 4096u

/* Wrap payload in a valid in-place, ordered header whose target is base
 * itself (so only the coding is odd): every header check passes. */
static void wrap_in_place(const struct bytes *base, const struct bytes *payload, struct bytes *pkg)
{
    struct cfota_header h;
    uint8_t head[CFOTA_HEADER_MAX];
    int n;
    memset(&h, 0, sizeof h);
    h.format_version = CFOTA_FORMAT_VERSION;
    h.flags = CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
    h.segment_size = CRAFT_SEG;
    h.scratch_size = 16384;
    h.base_size = (uint32_t)base->n;
    h.target_size = (uint32_t)base->n;
    h.payload_size = (uint32_t)payload->n;
    host_sha256(base->p, base->n, h.base_sha256);
    host_sha256(base->p, base->n, h.target_sha256);
    h.payload_crc32 = cfota_crc32(0, payload->p, payload->n);
    n = cfota_header_write(&h, head);
    assert_true(n > 0);
    memset(pkg, 0, sizeof *pkg);
    bytes_put(pkg, head, (size_t)n);
    bytes_put(pkg, payload->p, payload->n);
}

/* The F2 package: segment 0 is 100 literals, a 10-byte copy from target
 * offset from (ahead of the cursor), literals to its end; every other
 * segment copies itself from the base. Segments in index order. */
void test_craft_forward_copy(const struct bytes *base, uint32_t from, struct bytes *pkg)
{
    struct cfota_oplist ops = {0};
    struct coder_params cp;
    struct bytes payload = {0};
    uint32_t n = (uint32_t)((base->n + CRAFT_SEG - 1) / CRAFT_SEG), i, *order = calloc(n, sizeof *order);
    assert_non_null(order);
    oplist_push(&ops, CFOTA_OP_LIT, 0, 100, 0);
    oplist_push(&ops, CFOTA_OP_NEW, 100, 10, from);
    oplist_push(&ops, CFOTA_OP_LIT, 110, CRAFT_SEG - 110, 0);
    for (i = 1; i < n; i++) {
        uint32_t pos = i * CRAFT_SEG, len = base->n - pos < CRAFT_SEG ? (uint32_t)(base->n - pos) : CRAFT_SEG;
        oplist_push(&ops, CFOTA_OP_OLD, pos, len, pos);
    }
    for (i = 0; i < n; i++)
        order[i] = i;
    memset(&cp, 0, sizeof cp);
    cp.segment_size = CRAFT_SEG;
    cp.ordered = 1;
    cp.order = order;
    assert_int_equal(coder_encode(&ops, base->p, base->n, base->p, base->n, &cp, &payload), 0);
    wrap_in_place(base, &payload, pkg);
    oplist_free(&ops);
    bytes_free(&payload);
    free(order);
}
