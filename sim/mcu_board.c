/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/mcu_board.c: the example board's flash map on the simulator
 * (mcu_board.h). The running image's size and version are read from its
 * own header every time, never remembered elsewhere: after an update the
 * image is the only truth about what runs.
 */
#include "mcu_board.h"

#include <stdio.h>
#include <string.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int mcu_board_image(struct mcu_board *b, char *out)
{
    const uint8_t *info = flashsim_data(b->sim) + MCU_IMAGE + MCU_APP_INFO;
    uint32_t size = le32(info + 4);
    if (le32(info) != MCU_APP_MAGIC || size == 0 || size > MCU_IMAGE_SIZE)
        return -1;
    b->cfg.image_size = size;
    memcpy(out, info + 8, MCU_VERSION_MAX);
    out[MCU_VERSION_MAX - 1] = '\0';
    return 0;
}

int mcu_board_open(struct mcu_board *b, const char *path, const uint8_t *firmware, size_t n,
                   char *err, size_t errlen)
{
    const struct cfota_flash *f;
    char version[MCU_VERSION_MAX];
    memset(b, 0, sizeof *b);
    b->sim = flashsim_open(path, MCU_FLASH_SIZE, MCU_PAGE, MCU_WORD);
    if (!b->sim) {
        snprintf(err, errlen, "cannot open the board's flash %s", path ? path : "(RAM)");
        return -1;
    }
    f = flashsim_flash(b->sim);
    if (cfota_area_init(&b->cfg.image, f, MCU_IMAGE, MCU_IMAGE_SIZE) != CFOTA_OK ||
        cfota_area_init(&b->cfg.package, f, MCU_PACKAGE, MCU_PACKAGE_SIZE) != CFOTA_OK ||
        cfota_area_init(&b->cfg.scratch, f, MCU_SCRATCH, MCU_SCRATCH_SIZE) != CFOTA_OK ||
        cfota_area_init(&b->cfg.journal, f, MCU_JOURNAL, 2 * MCU_PAGE) != CFOTA_OK ||
        cfota_area_init(&b->record, f, MCU_RECORD, MCU_PAGE) != CFOTA_OK) {
        snprintf(err, errlen, "the board's flash map does not fit");
        mcu_board_close(b);
        return -1;
    }
    b->cfg.buf = b->buf;
    b->cfg.buf_size = sizeof b->buf;
    if (mcu_board_image(b, version) == 0)
        return 0;
    if (!firmware || n == 0 || n > MCU_IMAGE_SIZE ||
        flashsim_write_raw(b->sim, MCU_IMAGE, firmware, (uint32_t)n) != 0 ||
        mcu_board_image(b, version) != 0) {
        snprintf(err, errlen, "the firmware is not an example application image (no M4AP header at 0x100)");
        mcu_board_close(b);
        return -1;
    }
    return 0;
}

void mcu_board_close(struct mcu_board *b)
{
    if (b->sim)
        flashsim_close(b->sim);
    b->sim = NULL;
}
