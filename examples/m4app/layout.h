/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/layout.h: where everything lives in the board's flash and
 * RAM. One table, read by the C code of both stages; the linker scripts
 * (boot.ld, app.ld) repeat the two code regions, and README.md draws the
 * map.
 *
 * The board is a Nordic nRF52840 (Cortex-M4F, 1 MiB of flash in 4 KiB
 * pages, 256 KiB of RAM). The boot stage sits below the image area and is
 * never updated, so the code that resumes an interrupted update is never
 * the code being rewritten.
 */
#ifndef M4APP_LAYOUT_H
#define M4APP_LAYOUT_H

#define FLASH_SIZE 0x100000u   /* 1 MiB at address 0 */
#define FLASH_PAGE 0x1000u     /* erase unit */
#define FLASH_WORD 4u          /* program unit: one 32-bit word */

#define BOOT_BASE 0x00000u     /* boot stage: vector table, update engine */
#define BOOT_SIZE 0x08000u
#define IMAGE_BASE 0x08000u    /* the application image, updated in place */
#define IMAGE_SIZE 0x40000u
#define PACKAGE_BASE 0x48000u  /* a downloaded package, from offset 0 */
#define PACKAGE_SIZE 0x40000u
#define SCRATCH_BASE 0x88000u  /* in-place scratch: a 64 KiB segment fits */
#define SCRATCH_SIZE 0x10000u
#define JOURNAL_BASE 0x98000u  /* the update journal: two pages */
#define JOURNAL_SIZE 0x02000u

#define RAM_BASE 0x20000000u
#define RAM_SIZE 0x40000u

/* The application's header (struct app_info) follows its vector table of
 * 16 + 48 entries at this offset of the image. */
#define APP_INFO_OFFSET 0x100u
#define APP_INFO_MAGIC 0x5041344du /* the bytes "M4AP" */

#endif
