/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/fota_port.c: the flash callbacks and the areas.
 *
 * Each callback is one of the board's flash functions, which already take
 * the library's geometry (4-byte words, 4 KiB pages): the library only calls them with
 * aligned arguments (cfota/flash.h), so they need no staging here.
 */
#include "fota_port.h"

#include <string.h>

#include "board.h"
#include "layout.h"

static int flash_read_cb(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    (void)ctx;
    flash_read(addr, buf, len);
    return 0;
}

static int flash_prog_cb(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    (void)ctx;
    return flash_program(addr, buf, len);
}

static int flash_erase_cb(void *ctx, uint32_t addr)
{
    (void)ctx;
    return flash_erase_page(addr);
}

static const struct cfota_flash mcu_flash = {
    NULL, flash_read_cb, flash_prog_cb, flash_erase_cb, FLASH_PAGE, FLASH_WORD, FLASH_SIZE,
};

int fota_port_cfg(struct cfota_update_cfg *cfg, uint32_t image_size, uint8_t *buf,
                  uint32_t buf_size)
{
    memset(cfg, 0, sizeof *cfg);
    if (cfota_area_init(&cfg->image, &mcu_flash, IMAGE_BASE, IMAGE_SIZE) != CFOTA_OK ||
        cfota_area_init(&cfg->package, &mcu_flash, PACKAGE_BASE, PACKAGE_SIZE) != CFOTA_OK ||
        cfota_area_init(&cfg->scratch, &mcu_flash, SCRATCH_BASE, SCRATCH_SIZE) != CFOTA_OK ||
        cfota_area_init(&cfg->journal, &mcu_flash, JOURNAL_BASE, JOURNAL_SIZE) != CFOTA_OK)
        return CFOTA_E_INVAL;
    cfg->image_size = image_size;
    cfg->buf = buf;
    cfg->buf_size = buf_size;
    return CFOTA_OK;
}
