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
