/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/common/material.h: image pairs and packages for the seeds of the
 * fuzz targets, made the way the tests make theirs: a firmware-like base
 * (runs of code-like bytes, tables, padding), a target that edits it
 * (changed constants, inserted and deleted code, so copies shift), and a
 * package from the encoder. Small, so that a fuzz run executes fast.
 */
#ifndef CFOTA_FUZZ_MATERIAL_H
#define CFOTA_FUZZ_MATERIAL_H

#include "bytes.h"
#include "encoder.h"
#include "fuzz.h"

#define MATERIAL_PAIRS 5

/* A firmware-like image of len bytes from seed. */
static inline void material_image(uint32_t seed, size_t len, struct fuzz_buf *out)
{
    uint32_t r = seed * 2654435761u + 1;
    while (out->n < len) {
        uint32_t kind = fuzz_rand(&r) % 4, run = 16 + fuzz_rand(&r) % 200, i;
        for (i = 0; i < run && out->n < len; i++) {
            uint8_t b;
            if (kind == 0)
                b = (uint8_t)fuzz_rand(&r);              /* code */
            else if (kind == 1)
                b = (uint8_t)(i & 3 ? 0 : fuzz_rand(&r)); /* a table of words */
            else if (kind == 2)
                b = 0xFF;                                 /* padding */
            else
                b = (uint8_t)(0x20 + fuzz_rand(&r) % 90); /* strings */
            fuzz_put_u8(out, b);
        }
    }
}

/* Pair number k (0..MATERIAL_PAIRS-1): base and target. */
static inline void material_pair(unsigned k, struct fuzz_buf *old, struct fuzz_buf *new_)
{
    static const struct {
        uint32_t old_len, new_len, seed;
    } pairs[MATERIAL_PAIRS] = {
        {6000, 6000, 1}, {9000, 10500, 2}, {12000, 7000, 3}, {3000, 9000, 4}, {0, 5000, 5},
    };
    uint32_t r = pairs[k].seed, i;
    struct fuzz_buf mid = {0};
    material_image(pairs[k].seed, pairs[k].old_len, old);
    /* The target: the base cut into pieces, some edited, some dropped,
     * new ones inserted, then brought to its length. */
    for (i = 0; i < old->n;) {
        uint32_t piece = 64 + fuzz_rand(&r) % 700, what = fuzz_rand(&r) % 8;
        if (piece > old->n - i)
            piece = (uint32_t)(old->n - i);
        if (what == 0) {
            material_image(fuzz_rand(&r), mid.n + 40 + fuzz_rand(&r) % 300, &mid);
        } else if (what != 1) {
            size_t at = mid.n;
            fuzz_put(&mid, old->p + i, piece);
            if (what == 2 && piece > 8)
                mid.p[at + fuzz_rand(&r) % piece] ^= (uint8_t)(1 + fuzz_rand(&r) % 255);
        }
        i += piece;
    }
    if (mid.n > pairs[k].new_len)
        mid.n = pairs[k].new_len;
    else
        material_image(pairs[k].seed + 100, pairs[k].new_len, &mid);
    fuzz_put(new_, mid.p, mid.n);
    fuzz_buf_free(&mid);
}

/* A package for old -> new (no_base: a full image). 0 or a negative
 * enum cfota_status. */
static inline int material_package(const struct fuzz_buf *old, const struct fuzz_buf *new_,
                                   int in_place, int no_base, uint32_t segment_size,
                                   struct bytes *pkg)
{
    struct cfota_encode_opts o;
    memset(&o, 0, sizeof o);
    o.base_version = "1.0";
    o.target_version = "2.0";
    o.in_place = in_place;
    o.no_base = no_base;
    o.segment_size = segment_size;
    return cfota_encode(old->p ? old->p : (const uint8_t *)"", old->n, new_->p, new_->n, &o,
                        pkg);
}

/* A seed writer passed through material_packages as its ctx. */
struct emit_to {
    fuzz_emit_fn emit;
    void *ctx;
};

/* Called by material_packages for each package made. */
typedef void (*material_fn)(void *ctx, const char *name, const struct fuzz_buf *old,
                            const struct bytes *pkg, unsigned mode);

/* Every pair in three modes (0 A/B, 1 in place, 2 full image; a pair
 * without a base is always a full image), 4 KiB segments: fn for each. */
static inline void material_packages(material_fn fn, void *ctx)
{
    unsigned k, mode;
    for (k = 0; k < MATERIAL_PAIRS; k++) {
        for (mode = 0; mode < 3; mode++) {
            struct fuzz_buf old = {0}, new_ = {0};
            struct bytes pkg = {0};
            char name[32];
            material_pair(k, &old, &new_);
            if (material_package(&old, &new_, mode == 1, mode == 2 || old.n == 0, 4096, &pkg) ==
                0) {
                snprintf(name, sizeof name, "pair%u-mode%u", k, mode);
                fn(ctx, name, &old, &pkg, mode);
            }
            bytes_free(&pkg);
            fuzz_buf_free(&old);
            fuzz_buf_free(&new_);
        }
    }
}

#endif
