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

#endif
