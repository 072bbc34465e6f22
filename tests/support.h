/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/support.h: helpers shared by the test programs.
 *
 * Firmware for the tests comes in two tiers. The default tier uses the
 * repository's own example firmware (examples/m4app, cross-built with the
 * tests), so a bare clone tests everything. The corpus tier uses the
 * firmware corpus (../shared/corpus, or wherever CFOTA_CORPUS says) when
 * it is present: each test program that has corpus tests runs them when
 * called with --corpus (CTest runs that as NAME.corpus), and says plainly
 * that it skipped them when the corpus is absent.
 */
#ifndef CFOTA_TEST_SUPPORT_H
#define CFOTA_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "bytes.h"

/* The example firmware's releases (examples/m4app/README.md): three
 * versions of one application, each a raw image for the image area. */
#define M4APP_V1 "m4app-v1.bin"
#define M4APP_V2 "m4app-v2.bin"
#define M4APP_V3 "m4app-v3.bin"

/* Path of an example firmware image, e.g. image_path(M4APP_V1), in the
 * folder CFOTA_IMAGES names (the build's examples/). Static buffer. */
const char *image_path(const char *name);

/* Load an example firmware image; fails the test if it cannot be read. */
void image_load(const char *name, struct bytes *out);

/* Path of a corpus file, e.g. corpus_path("k64f-blinky-old-new", "old.bin").
 * Returns a static buffer. For corpus-tier tests only. */
const char *corpus_path(const char *pair, const char *file);

/* Load a corpus file; fails the test if it cannot be read. */
void corpus_load(const char *pair, const char *file, struct bytes *out);

/* The exit status CTest reads as "skipped" (SKIP_RETURN_CODE). */
#define TEST_SKIPPED 77

/* A test program's main: with no argument, run the default tier's tests;
 * with --corpus, the corpus tier's instead, or, when the corpus is absent,
 * print that and return TEST_SKIPPED. Either table may be empty. */
int test_tiers(int argc, char **argv, const struct CMUnitTest *tests, size_t ntests,
               const struct CMUnitTest *corpus_tests, size_t ncorpus);
#define TEST_TIERS(argc, argv, tests, corpus_tests)                                          \
    test_tiers(argc, argv, tests, sizeof tests / sizeof tests[0], corpus_tests,               \
               sizeof corpus_tests / sizeof corpus_tests[0])

/* Child processes of a test. test_fork() forks a child that dies with the
 * test program (SIGKILL when the parent exits, however it exits) and
 * records it; every recorded child still running when the program exits
 * is killed and reaped. test_reaped() tells that a child was waited for.
 * test_kill_children() kills and reaps every recorded child now (a test's
 * teardown). A child that must not run the parent's cmocka code after an
 * assertion fails ends with _exit. */
pid_t test_fork(void);
/* A child forked from a process with threads may make only
 * async-signal-safe calls until it executes a program (POSIX): a lock that
 * another thread held at the fork stays held in the child forever (glibc's
 * malloc survives it, AddressSanitizer's allocator does not). A test
 * whose child runs library code calls test_fork_single_threaded(what)
 * first, which fails the test if this process has threads;
 * test_threads() counts them (0 if unknown). */
int test_threads(void);
void test_fork_single_threaded(const char *why);
void test_track_child(pid_t pid);
void test_reaped(pid_t pid);
void test_kill_children(void);
/* test_kill_children as a cmocka teardown:
 * cmocka_unit_test_teardown(test_x, test_teardown_children). */
int test_teardown_children(void **state);

/* Deterministic pseudo-random numbers (xorshift), seedable. */
uint32_t test_rand(uint64_t *state);

/* The F2 package of the fuzzing pass (../shared/findings, made here): a
 * well-formed in-place, ordered package (valid header, payload CRC, base
 * and target SHA-256) for base, whose target is base itself, with 4 KiB
 * segments in index order; segment 0 is 100 literals, a 10-byte copy from
 * target offset from, and literals; the others copy themselves from the
 * base. from > 100 copies from ahead of the cursor: bytes not written yet.
 * pkg is overwritten. */
void test_craft_forward_copy(const struct bytes *base, uint32_t from, struct bytes *pkg);

#endif
