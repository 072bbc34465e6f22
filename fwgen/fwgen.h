/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwgen/fwgen.h: a generator of hard firmware pairs for tests and the
 * benchmark (host only).
 *
 * Real pairs hide how in-place updates fail: their changes are mostly small
 * and local. These pairs are built to move things: code inserted near the
 * start, regions deleted, a block moved up and another moved down, two
 * blocks swapped, the last segment growing into free space, an image that
 * shrinks, and a near-identical rebuild.
 *
 * The images look like firmware, never random bytes. An image is a list of
 * objects (functions, string blocks, constant tables) laid out in sections;
 * a function is Thumb-2-like code (push/pop, immediates, loads, calls with
 * BL whose offsets depend on the layout) followed by a literal pool of
 * absolute addresses; tables hold function pointers and constants. Both
 * versions are rendered from their object lists, so an object that moves
 * keeps its bytes but every reference to something that moved changes, as
 * after a real relink. Three containers: a Cortex-M image (vector table,
 * code, read-only data, initialised data), an ESP32-style application
 * image (0xE9 header, load-addressed segments, checksum; Thumb-2-like code
 * too) and an ESP8266-style combined image (0xE9 image with the IRAM and
 * DRAM segments, then the IROM code at 0x40200000 + its file offset) whose
 * functions are Xtensa-like code (CALL0 ABI: literal pool, then ADDI a1
 * prologue, narrow and 24-bit instructions, L32R from the pool, CALL0).
 *
 * Everything is deterministic: the same case, size and seed give the same
 * bytes on every host.
 */
#ifndef CFOTA_FWGEN_H
#define CFOTA_FWGEN_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Number of cases, and the name of case i (e.g. "cm-swap", "esp32-insert",
 * "esp8266-move"). */
size_t fwgen_cases(void);
const char *fwgen_case_name(size_t i);

/* The index of the case named name, or -1. */
int fwgen_case_find(const char *name);

/* Build case i at about size_kib KiB (16..4096) from seed: the base image
 * into *old and the target into *new_ (both appended to). Returns 0, or -1
 * for a bad case index or size. */
int fwgen_make(size_t i, uint32_t size_kib, uint64_t seed, struct bytes *old, struct bytes *new_);

#endif
