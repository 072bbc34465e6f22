/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/flash_map.c: the module's flash, as named areas (spec section 2.2).
 *
 * One 4 MiB NOR device at absolute address 0x08000000 with 4 KiB blocks.
 * The note gives three addresses: the 600 KB FOTA partition
 * 0x0830F000-0x083A5000, inside it the 580 KB update partition
 * 0x08313000-0x083A4000 (145 blocks), and the 64 KB reserved partition
 * 0x083F0000-0x08400000. The rest is our choice [INF], documented in
 * docs/modem.md: the 16 KB head of the FOTA partition is the update
 * engine's scratch, its 4 KB tail and the block after it the engine's
 * journal (two blocks), two blocks after that hold the record of the
 * running image (fw_record.c), and the running
 * image sits at the bottom of the device, with everything below the FOTA
 * partition to grow into.
 *
 * Every command addresses flash through these areas, so a bound is
 * checked in one place (cfota_area_*) and a wrong offset cannot reach the
 * image or the record.
 */
#include "modem.h"

static int area(struct cfota_area *a, const struct cfota_flash *flash, uint32_t addr, uint32_t size)
{
    return cfota_area_init(a, flash, addr - MODEM_FLASH_BASE, size);
}

int modem_flash_map_init(struct modem_flash_map *map, const struct cfota_flash *flash)
{
    if (!flash || flash->size != MODEM_FLASH_SIZE || flash->erase_size != MODEM_BLOCK)
        return CFOTA_E_INVAL;
    map->flash = flash;
    if (area(&map->firmware, flash, MODEM_FW_ADDR, MODEM_FW_SIZE) ||
        area(&map->scratch, flash, MODEM_SCRATCH_ADDR, MODEM_SCRATCH_SIZE) ||
        area(&map->update, flash, MODEM_UPDATE_ADDR, MODEM_UPDATE_SIZE) ||
        area(&map->journal, flash, MODEM_JOURNAL_ADDR, MODEM_JOURNAL_SIZE) ||
        area(&map->record, flash, MODEM_RECORD_ADDR, MODEM_RECORD_SIZE) ||
        area(&map->reserved, flash, MODEM_RESERVED_ADDR, MODEM_RESERVED_SIZE))
        return CFOTA_E_INVAL;
    return CFOTA_OK;
}

static uint32_t round_up(uint32_t v, uint32_t unit)
{
    return (v + unit - 1) / unit * unit;
}

int modem_factory_program(const struct modem_flash_map *map, const void *image, uint32_t len,
                          const char *version)
{
    struct modem_record rec = {0};
    const uint8_t *p = image;
    uint32_t off;
    size_t i;
    int rc;

    if (len > map->firmware.size)
        return CFOTA_E_NOSPC;
    for (i = 0; version[i]; i++)
        if (i == MODEM_VERSION_MAX || version[i] < 0x21 || version[i] > 0x7e)
            return CFOTA_E_INVAL;
    rc = cfota_area_erase_range(&map->firmware, 0, round_up(len, MODEM_BLOCK));
    for (off = 0; rc == CFOTA_OK && off < len; off += MODEM_BLOCK) {
        uint32_t n = len - off < MODEM_BLOCK ? len - off : MODEM_BLOCK;
        uint8_t block[MODEM_BLOCK];
        /* Program whole units: pad the tail with erased bytes. */
        for (i = 0; i < MODEM_BLOCK; i++)
            block[i] = i < n ? p[off + i] : 0xFF;
        rc = cfota_area_prog(&map->firmware, off, block, round_up(n, map->flash->prog_size));
    }
    if (rc != CFOTA_OK)
        return rc;
    rec.image_size = len;
    for (i = 0; version[i]; i++)
        rec.version[i] = version[i];
    rec.version[i] = 0;
    return modem_record_store(map, &rec);
}

int modem_flash_alive(const struct modem_flash_map *map)
{
    uint8_t b;
    return cfota_area_read(&map->record, 0, &b, 1) == CFOTA_OK;
}
