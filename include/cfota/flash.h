/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/flash.h: how the device library reaches flash, and the named areas
 * it works in.
 *
 * The integrator describes each flash device once, in a struct cfota_flash:
 * a context pointer, three callbacks (read, program, erase) and the
 * geometry. The library never touches flash any other way, so the same
 * code runs on a microcontroller's internal flash, an external SPI NOR, or
 * the host-side simulator (sim/flashsim.h).
 *
 * The library never addresses the device directly either. It works in
 * areas (struct cfota_area): a named, erase-block-aligned region of one
 * device, such as an image slot, the stored package, a scratch block or
 * the journal. Offsets are relative to the area, and the cfota_area_*
 * functions check bounds and alignment in this one place before they call
 * the device, so a wrong offset in the update engine becomes CFOTA_E_INVAL
 * instead of a write into the bootloader.
 *
 * Flash model (NOR): erase sets every byte of one erase block to 0xFF;
 * programming can only clear bits (1 -> 0), so programming data onto a
 * non-erased location stores the AND of the old and new bytes. Reads have
 * no alignment constraint. A program call writes whole program units:
 * its address and length are multiples of prog_size.
 *
 * RAM: none besides the caller's structs (struct cfota_area is one pointer
 * and two uint32_t). No function allocates, recurses or buffers data; each
 * uses at most 24 bytes of stack plus the callback's on Cortex-M4 (-Os,
 * measured with -fstack-usage). No libc function is used.
 */
#ifndef CFOTA_FLASH_H
#define CFOTA_FLASH_H

#include <stdint.h>

#include "cfota/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One flash device, filled in by the integrator. The callbacks return 0 on
 * success or a negative value on failure; the library reports any failure
 * as CFOTA_E_IO. addr is a byte address from the start of the device. The
 * library only calls them with arguments that satisfy the geometry below,
 * so a callback need not check them again (but may). */
struct cfota_flash {
    void *ctx;  /* passed back to every callback */
    /* Read len bytes at addr into buf. */
    int (*read)(void *ctx, uint32_t addr, void *buf, uint32_t len);
    /* Program len bytes at addr; addr and len are multiples of prog_size. */
    int (*prog)(void *ctx, uint32_t addr, const void *buf, uint32_t len);
    /* Erase the one erase block that starts at addr (set it to 0xFF). */
    int (*erase)(void *ctx, uint32_t addr);
    uint32_t erase_size;  /* bytes of an erase block, e.g. 4096 */
    uint32_t prog_size;   /* program granularity in bytes, e.g. 1, 4, 8, 256 */
    uint32_t size;        /* bytes of the whole device */
};

/* A region of one device. Fill it with cfota_area_init(); after that the
 * fields may be read but should not be changed. */
struct cfota_area {
    const struct cfota_flash *flash;
    uint32_t off;   /* start on the device, a multiple of erase_size */
    uint32_t size;  /* bytes, a multiple of erase_size */
};

/* Describe the region [off, off + size) of flash as an area.
 * Checks the device too: all three callbacks set, erase_size and prog_size
 * non-zero, erase_size a multiple of prog_size, and the device size a
 * multiple of erase_size. off and size must be multiples of erase_size,
 * size non-zero, and the region must lie inside the device.
 * Returns CFOTA_OK, or CFOTA_E_INVAL (area left with flash == NULL, so
 * every later call on it fails with CFOTA_E_INVAL). Does not touch flash. */
int cfota_area_init(struct cfota_area *area, const struct cfota_flash *flash,
                    uint32_t off, uint32_t size);

/* Read len bytes at offset off of the area into buf. Any alignment.
 * len 0 succeeds without calling the device.
 * Errors: CFOTA_E_INVAL (area not initialised, buf NULL with len > 0, or
 * [off, off + len) not inside the area), CFOTA_E_IO (the read callback
 * failed; buf contents are then unspecified). */
int cfota_area_read(const struct cfota_area *area, uint32_t off, void *buf,
                    uint32_t len);

/* Program len bytes of buf at offset off of the area. off and len must be
 * multiples of prog_size (the area starts on an erase block, hence on a
 * program unit, so this is also alignment on the device). The target
 * should be erased: NOR flash stores the AND of old and new bits.
 * len 0 succeeds without calling the device.
 * Errors: CFOTA_E_INVAL (area not initialised, buf NULL with len > 0,
 * misaligned off or len, or out of the area), CFOTA_E_IO (the program
 * callback failed; the range is then in an unknown state). */
int cfota_area_prog(const struct cfota_area *area, uint32_t off,
                    const void *buf, uint32_t len);

/* Erase the erase block that starts at offset off of the area.
 * Errors: CFOTA_E_INVAL (area not initialised, off not a multiple of
 * erase_size, or off >= area size), CFOTA_E_IO (the erase callback failed;
 * the block is then in an unknown state). */
int cfota_area_erase(const struct cfota_area *area, uint32_t off);

/* Erase the whole blocks covering [off, off + len) of the area, in
 * increasing address order, stopping at the first failure. off and len
 * must be multiples of erase_size; len 0 succeeds and erases nothing.
 * Errors: CFOTA_E_INVAL (area not initialised, misaligned, or out of the
 * area; nothing is erased), CFOTA_E_IO (an erase failed; blocks before it
 * are erased, that block is in an unknown state, later ones untouched). */
int cfota_area_erase_range(const struct cfota_area *area, uint32_t off,
                           uint32_t len);

#ifdef __cplusplus
}
#endif
#endif
