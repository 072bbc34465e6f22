/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/support.h: helpers shared by the test programs.
 */
#ifndef CFOTA_TEST_SUPPORT_H
#define CFOTA_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Path of a corpus file, e.g. corpus_path("k64f-blinky-old-new", "old.bin").
 * Returns a static buffer. */
const char *corpus_path(const char *pair, const char *file);

/* Load a corpus file; fails the test if it cannot be read. */
void corpus_load(const char *pair, const char *file, struct bytes *out);

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
