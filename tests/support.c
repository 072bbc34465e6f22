/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/support.c: helpers shared by the test programs.
 */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

const char *corpus_path(const char *pair, const char *file)
{
    static char path[4096];
    const char *root = getenv("CFOTA_CORPUS");
    snprintf(path, sizeof path, "%s/%s/%s", root ? root : "../shared/corpus", pair, file);
    return path;
}

void corpus_load(const char *pair, const char *file, struct bytes *out)
{
    const char *p = corpus_path(pair, file);
    if (bytes_read_file(out, p) != 0)
        fail_msg("cannot read corpus file %s", p);
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
