/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/common/fuzz.h: what every fuzz target (fuzz/<target>.c) shares.
 *
 * A target is one file that defines two functions:
 *   LLVMFuzzerTestOneInput(data, size)  run one input; a broken property
 *                                       is FUZZ_CHECK's abort, which
 *                                       libFuzzer reports like a crash;
 *   fuzz_seeds(emit, ctx)               hand every seed input to emit,
 *                                       built from the same material the
 *                                       tests use (images made like the
 *                                       tests', packages made by the
 *                                       encoder, the tests' AT dialogues).
 * Two drivers link with it: common/libfuzzer.c under clang's libFuzzer
 * (`./run fuzz`), where CFOTA_FUZZ_SEEDS=DIR writes the seeds into DIR
 * and exits; and common/replay.c in the ordinary build, a test program
 * that runs every seed, and every input file named on its command line,
 * through the target once (ctest: fuzz_<target>_seeds), so the seeds and
 * the harness itself stay working between fuzzing runs.
 *
 * Inputs are read with struct fuzz_in: each take_* consumes bytes from the
 * front and returns zeros once the input is used up, so any input, even
 * empty, is a valid one.
 */
#ifndef CFOTA_FUZZ_H
#define CFOTA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fota_layout.h"

typedef void (*fuzz_emit_fn)(void *ctx, const char *name, const void *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_seeds(fuzz_emit_fn emit, void *ctx);

/* A broken property: say which, and abort (libFuzzer keeps the input). */
#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz: %s:%d: property broken: %s: ", __FILE__, __LINE__, \
                    #cond);                                                            \
            fprintf(stderr, __VA_ARGS__);                                              \
            fprintf(stderr, "\n");                                                     \
            abort();                                                                   \
        }                                                                              \
    } while (0)

struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t take_u8(struct fuzz_in *in)
{
    uint8_t v = 0;
    if (in->n) {
        v = *in->p++;
        in->n--;
    }
    return v;
}

static inline uint16_t take_u16(struct fuzz_in *in)
{
    uint16_t v = take_u8(in);
    return (uint16_t)(v | (uint16_t)take_u8(in) << 8);
}

static inline uint32_t take_u32(struct fuzz_in *in)
{
    uint32_t v = take_u16(in);
    return v | (uint32_t)take_u16(in) << 16;
}

/* Up to n bytes from the front (fewer if the input ends); *got says how many. */
static inline const uint8_t *take_bytes(struct fuzz_in *in, size_t n, size_t *got)
{
    const uint8_t *p = in->p;
    if (n > in->n)
        n = in->n;
    in->p += n;
    in->n -= n;
    *got = n;
    return p;
}

/* Little-endian appends, for building seeds in the harness formats. */
struct fuzz_buf {
    uint8_t *p;
    size_t n, cap;
};

static inline void fuzz_put(struct fuzz_buf *b, const void *data, size_t len)
{
    if (b->n + len > b->cap) {
        size_t cap = (b->n + len) * 2 + 64;
        uint8_t *p = realloc(b->p, cap);
        if (!p)
            abort();
        b->p = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->p + b->n, data, len);
    b->n += len;
}

static inline void fuzz_put_u8(struct fuzz_buf *b, uint8_t v) { fuzz_put(b, &v, 1); }

static inline void fuzz_put_u16(struct fuzz_buf *b, uint16_t v)
{
    fuzz_put_u8(b, (uint8_t)v);
    fuzz_put_u8(b, (uint8_t)(v >> 8));
}

static inline void fuzz_put_u32(struct fuzz_buf *b, uint32_t v)
{
    fuzz_put_u16(b, (uint16_t)v);
    fuzz_put_u16(b, (uint16_t)(v >> 16));
}

static inline void fuzz_buf_free(struct fuzz_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Deterministic pseudo-random bytes (xorshift), for seed images. */
static inline uint32_t fuzz_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* The stash area to give a simulated device for pkg: what its stash plan
 * asks (sim/fota_layout.h), capped so a fuzzed plan cannot make the flash
 * simulator huge; a plan larger than the cap is then refused by the
 * engine before any write, which is a property worth fuzzing too. */
#define FUZZ_STASH_CAP (256u * 1024u)
static inline uint32_t fuzz_stash(const uint8_t *pkg, size_t len)
{
    uint32_t want = fota_package_stash(pkg, len);
    return want < FUZZ_STASH_CAP ? want : FUZZ_STASH_CAP;
}

#endif
