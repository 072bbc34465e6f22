/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/encoder.h: make a package from a base and a target image.
 *
 * This is the host-side entry point of the delta generator. It finds
 * matches with a suffix array of the base (libdivsufsort) and a hash index
 * of the target, chooses operations (encoder/parse.c), codes them
 * (encoder/coder.c) and wraps the payload in a header (lib/package.c).
 */
#ifndef CFOTA_ENCODER_ENCODER_H
#define CFOTA_ENCODER_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Spare flash of the two kinds of device in-place packages are made for.
 * The module (SIM7020) has hundreds of KB free in its update partition
 * after a typical package; a small MCU names a small spare area. The
 * scratch bounds the segment size (a segment is decoded whole into
 * scratch before it overwrites its blocks); the stash holds base ranges
 * saved before they are overwritten (docs/update-engine.md). */
#define CFOTA_SCRATCH_MODULE (64u * 1024u)
#define CFOTA_STASH_MODULE (256u * 1024u)
#define CFOTA_SCRATCH_MCU (16u * 1024u)
#define CFOTA_STASH_MCU (32u * 1024u)
#define CFOTA_STASH_NONE UINT32_MAX

/* What an in-place encoding asked of the device (for reports). */
struct cfota_encode_info {
    uint32_t stash_size;     /* stash bytes the package needs */
    uint32_t stash_entries;  /* ranges saved */
    uint64_t stash_saved;    /* bytes the device copies to the stash */
    uint64_t conflict_bytes; /* copy bytes that became literals */
    unsigned arch;           /* operands predicted for (enum
                                cfota_arch_id; 0: none) */
    uint32_t arch_bytes;     /* bytes of the arch block */
    uint32_t arch_runs;      /* records of its displacement table */
};

/* cfota_encode_opts.arch: the architecture whose operands the package
 * predicts (docs/package-format.md, "The arch block"). */
#define CFOTA_ENC_ARCH_AUTO 0 /* detect from the images (the default) */
#define CFOTA_ENC_ARCH_NONE (-1)

struct cfota_encode_opts {
    const char *base_version;    /* NULL or up to 32 printable bytes */
    const char *target_version;
    uint32_t segment_size;       /* 0: default 64 KiB; else 4 KiB multiple */
    int no_base;                 /* full-image package: ignore old */
    int in_place;                /* order and constrain for in-place apply */
    uint32_t scratch_size;       /* in-place scratch bytes (0: the module's,
                                    CFOTA_SCRATCH_MODULE) */
    uint32_t stash_size;         /* in-place: stash bytes the device offers,
                                    the most the package may need (0: the
                                    module's, CFOTA_STASH_MODULE;
                                    CFOTA_STASH_NONE: no stash) */
    uint32_t product_id;         /* header: the product it is for */
    uint32_t security_counter;   /* header: devices refuse a lower one */
    int arch;                    /* CFOTA_ENC_ARCH_AUTO, _NONE, or an
                                    enum cfota_arch_id to force (an id
                                    the encoder cannot predict for:
                                    CFOTA_E_INVAL) */
    int best;                    /* spend about twice the time for ~0.5%
                                    smaller packages (a second refinement
                                    pass); for servers building offline */
    /* Called now and then with bytes of the target parsed so far. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Optional: filled with what the package asks of the device. */
    struct cfota_encode_info *info;
};

/* The --arch names: "auto" (CFOTA_ENC_ARCH_AUTO), "none"
 * (CFOTA_ENC_ARCH_NONE), "thumb2", "aarch64", "xtensa" (their enum
 * cfota_arch_id). Returns the value for cfota_encode_opts.arch, or -2 for
 * an unknown name. */
int cfota_encode_arch_parse(const char *name);

/* 1 if this encoder can predict operands of arch (a value of
 * cfota_encode_arch_parse), else 0. */
int cfota_encode_arch_supported(int arch);

/* Build a package into *pkg (appended). Returns 0, or a negative
 * enum cfota_status: CFOTA_E_INVAL for bad options or versions (or an
 * architecture forced that this encoder has no recogniser for),
 * CFOTA_E_NOSPC for images over 16 MiB. */
int cfota_encode(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                 const struct cfota_encode_opts *opts, struct bytes *pkg);

#endif
