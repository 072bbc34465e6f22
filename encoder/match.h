/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/match.h: finding where a piece of the target appeared before.
 *
 * Two indexes: a suffix array of the base image (libdivsufsort), searched
 * by binary search for the longest match anywhere in the base; and a hash
 * chain over the target itself, for the longest earlier occurrence in the
 * part of the target already produced (what a device can read back from
 * flash), linked over the last 64 KiB of positions only. Memory: 4 bytes
 * per base byte, plus 512 KiB.
 */
#ifndef CFOTA_ENCODER_MATCH_H
#define CFOTA_ENCODER_MATCH_H

#include <stddef.h>
#include <stdint.h>

struct matcher;

struct match {
    uint32_t len;  /* 0: none */
    uint32_t src;  /* base offset (OLD) or target offset (NEW) */
    uint8_t kind;  /* CFOTA_OP_OLD or CFOTA_OP_NEW */
};

/* Build the indexes. Returns NULL if the suffix sort fails. */
struct matcher *matcher_new(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len);
void matcher_free(struct matcher *m);

/* Longest match of new_[pos..] in the base. */
struct match match_old(struct matcher *m, uint32_t pos);

/* Longest match of new_[pos..] starting at an earlier target position
 * (the match may run into pos itself, as an LZ77 copy may). Positions must
 * be asked in nondecreasing order. min_len: shorter matches are not
 * reported. */
struct match match_new(struct matcher *m, uint32_t pos, uint32_t min_len);

/* Number of leading equal bytes of a[0..an) and b[0..bn). */
uint32_t match_common(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

#endif
