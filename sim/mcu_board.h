/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/mcu_board.h: the example Cortex-M4 board (examples/m4app, its
 * README's flash layout) on the flash simulator, as the emulated
 * application MCU of `cfota device` and the self-update tests use it:
 * 1 MiB of flash in 4 KiB pages, 32-bit program unit; image at 0x08000,
 * package at 0x48000, scratch at 0x88000, journal at 0x98000, and the
 * self-update's progress record in the first free page, 0x9A000.
 * tests/test_mcu_self.c checks these numbers against layout.h.
 */
#ifndef CFOTA_SIM_MCU_BOARD_H
#define CFOTA_SIM_MCU_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "cfota/update.h"
#include "flashsim.h"

#define MCU_FLASH_SIZE 0x100000u
#define MCU_PAGE 0x1000u
#define MCU_WORD 4u
#define MCU_IMAGE 0x08000u
#define MCU_IMAGE_SIZE 0x40000u
#define MCU_PACKAGE 0x48000u
#define MCU_PACKAGE_SIZE 0x40000u
#define MCU_SCRATCH 0x88000u
#define MCU_SCRATCH_SIZE 0x10000u
#define MCU_JOURNAL 0x98000u
#define MCU_RECORD 0x9A000u
#define MCU_APP_INFO 0x100u    /* struct app_info in the image: magic, size, version */
#define MCU_APP_MAGIC 0x5041344du
#define MCU_VERSION_MAX 24u

struct mcu_board {
    struct flashsim *sim;
    struct cfota_update_cfg cfg;  /* areas, image_size, buf; policy left 0 */
    struct cfota_area record;
    uint8_t buf[512];
};

/* Open the board's flash (path NULL: RAM; else the file, kept across
 * runs); if the image area holds no application, write firmware (n bytes)
 * there. Fills b->cfg for the running image. Returns 0, or -1 with a
 * reason in err (errlen bytes). */
int mcu_board_open(struct mcu_board *b, const char *path, const uint8_t *firmware, size_t n,
                   char *err, size_t errlen);
/* Read the running image's header again (after an update): b->cfg's
 * image_size, and its version into out (MCU_VERSION_MAX bytes).
 * Returns 0, or -1 if the image has no application header. */
int mcu_board_image(struct mcu_board *b, char *out);
void mcu_board_close(struct mcu_board *b);

#endif
