/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/flashsim.h: a NOR flash simulator with power cuts, for the tests,
 * the command-line tool (`cfota apply --in-place`) and the module emulator.
 *
 * A simulated device is a struct cfota_flash (cfota/flash.h) whose
 * callbacks act on an array in RAM, optionally mirrored to a file: every
 * program and erase is written through to the file at once, so killing the
 * process is a power cut and reopening the file is the reboot. The
 * simulator enforces the flash model the device library assumes (erase to
 * 0xFF, programming ANDs bits, aligned program and erase calls), counts
 * what the caller did, and can cut the power in the middle of any chosen
 * program or erase, leaving a torn result that is deterministic from a
 * seed. docs/flashsim.md is the exact specification; tests of other parts
 * may rely on it.
 *
 * Host-only: uses malloc and POSIX files. Not thread-safe.
 */
#ifndef CFOTA_SIM_FLASHSIM_H
#define CFOTA_SIM_FLASHSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "cfota/flash.h"

/* after_ops value of flashsim_set_power_cut() that disarms the cut. */
#define FLASHSIM_NO_CUT UINT64_MAX

/* What the simulator saw since it was opened (not persisted). */
struct flashsim_stats {
    uint64_t ops;              /* programs + erases that reached the array,
                                  the interrupted one included */
    uint64_t programs;         /* program calls that reached the array */
    uint64_t erases;           /* erase calls that reached the array */
    uint64_t bytes_programmed; /* sum of their lengths */
    uint64_t violations;       /* programs that asked to turn a 0 bit into 1 */
    uint64_t invalid;          /* calls rejected with CFOTA_E_INVAL */
};

struct flashsim;

/* Open a simulated device of size bytes with the given geometry.
 * path NULL: RAM only, initially all 0xFF.
 * path set: the file is the device's contents. A missing file is created
 * filled with 0xFF; a shorter one is extended with 0xFF; a longer one is
 * refused. size 0 takes the size of the existing file. Erase counts are
 * kept in "<path>.wear" (docs/flashsim.md), created the same way.
 * erase_size and prog_size must be non-zero, erase_size a multiple of
 * prog_size, size a non-zero multiple of erase_size.
 * Returns NULL on bad geometry, out of memory, or a file error. */
struct flashsim *flashsim_open(const char *path, uint32_t size,
                               uint32_t erase_size, uint32_t prog_size);

/* Close the files and free everything. NULL is allowed. */
void flashsim_close(struct flashsim *sim);

/* The device as the library sees it; valid until flashsim_close(). Its
 * callbacks return 0, CFOTA_E_INVAL (misaligned or out of range; counted
 * in stats.invalid, checked before power) or CFOTA_E_IO (power is off, or
 * the host file could not be written). */
const struct cfota_flash *flashsim_flash(struct flashsim *sim);

/* Arm a power cut: after_ops more program/erase operations complete
 * normally, the next one is done only partly and fails with CFOTA_E_IO,
 * and power stays off until flashsim_power_on(). after_ops 0 interrupts
 * the very next operation; FLASHSIM_NO_CUT disarms. seed fixes the torn
 * result (same seed, same contents, same call: same bits). Reads do not
 * count. Does not change whether power is on now. */
void flashsim_set_power_cut(struct flashsim *sim, uint64_t after_ops,
                            uint64_t seed);

/* Whether power is on. While it is off, every callback (reads included)
 * fails with CFOTA_E_IO and changes nothing. */
bool flashsim_powered(const struct flashsim *sim);

/* Restore power and disarm any pending cut. The contents stay as the cut
 * left them, as on real hardware. */
void flashsim_power_on(struct flashsim *sim);

/* Counters since open. */
const struct flashsim_stats *flashsim_stats(const struct flashsim *sim);

/* How often erase block number block (address / erase_size) has been
 * erased over the life of the device (persisted with a file-backed sim;
 * an interrupted erase counts). 0 for a block out of range. */
uint32_t flashsim_erase_count(const struct flashsim *sim, uint32_t block);

/* Set bytes exactly, as a factory programmer would: no NOR rule, no
 * counters, works with power off; written through to the file. For
 * loading a base image or forging states in tests.
 * Returns 0, CFOTA_E_INVAL (out of range, buf NULL) or CFOTA_E_IO. */
int flashsim_write_raw(struct flashsim *sim, uint32_t addr, const void *buf,
                       uint32_t len);

/* The contents, flashsim_size() bytes, for tests to inspect. Writing
 * through this pointer bypasses the file: use flashsim_write_raw(). */
uint8_t *flashsim_data(struct flashsim *sim);
uint32_t flashsim_size(const struct flashsim *sim);

#endif
