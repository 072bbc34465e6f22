/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/flash.c: flash areas (cfota/flash.h).
 *
 * All bounds and alignment checks of the device library's flash accesses
 * live here, so the update engine and the decoder's I/O can pass offsets
 * through without re-checking them. Every range test is written as
 * "len <= size && off <= size - len" so that no addition can overflow
 * uint32_t, whatever the caller passes.
 */
#include "cfota/flash.h"

#include <stddef.h>

/* Whether [off, off + len) lies inside [0, size). */
static int range_inside(uint32_t off, uint32_t len, uint32_t size)
{
    return len <= size && off <= size - len;
}

/* Whether the integrator's device description is usable at all. */
static int flash_valid(const struct cfota_flash *flash)
{
    return flash != NULL && flash->read != NULL && flash->prog != NULL &&
           flash->erase != NULL && flash->erase_size != 0 &&
           flash->prog_size != 0 && flash->erase_size % flash->prog_size == 0 &&
           flash->size % flash->erase_size == 0;
}

int cfota_area_init(struct cfota_area *area, const struct cfota_flash *flash,
                    uint32_t off, uint32_t size)
{
    if (area == NULL)
        return CFOTA_E_INVAL;
    area->flash = NULL;
    area->off = 0;
    area->size = 0;
    if (!flash_valid(flash) || size == 0 || off % flash->erase_size != 0 ||
        size % flash->erase_size != 0 || !range_inside(off, size, flash->size))
        return CFOTA_E_INVAL;
    area->flash = flash;
    area->off = off;
    area->size = size;
    return CFOTA_OK;
}

int cfota_area_read(const struct cfota_area *area, uint32_t off, void *buf,
                    uint32_t len)
{
    const struct cfota_flash *f;
    if (area == NULL || area->flash == NULL || (buf == NULL && len > 0) ||
        !range_inside(off, len, area->size))
        return CFOTA_E_INVAL;
    if (len == 0)
        return CFOTA_OK;
    f = area->flash;
    return f->read(f->ctx, area->off + off, buf, len) == 0 ? CFOTA_OK
                                                          : CFOTA_E_IO;
}

int cfota_area_prog(const struct cfota_area *area, uint32_t off,
                    const void *buf, uint32_t len)
{
    const struct cfota_flash *f;
    if (area == NULL || area->flash == NULL || (buf == NULL && len > 0) ||
        !range_inside(off, len, area->size))
        return CFOTA_E_INVAL;
    f = area->flash;
    if (off % f->prog_size != 0 || len % f->prog_size != 0)
        return CFOTA_E_INVAL;
    if (len == 0)
        return CFOTA_OK;
    return f->prog(f->ctx, area->off + off, buf, len) == 0 ? CFOTA_OK
                                                          : CFOTA_E_IO;
}

int cfota_area_erase(const struct cfota_area *area, uint32_t off)
{
    const struct cfota_flash *f;
    if (area == NULL || area->flash == NULL || off >= area->size)
        return CFOTA_E_INVAL;
    f = area->flash;
    if (off % f->erase_size != 0)
        return CFOTA_E_INVAL;
    return f->erase(f->ctx, area->off + off) == 0 ? CFOTA_OK : CFOTA_E_IO;
}

int cfota_area_erase_range(const struct cfota_area *area, uint32_t off,
                           uint32_t len)
{
    const struct cfota_flash *f;
    uint32_t done;
    if (area == NULL || area->flash == NULL ||
        !range_inside(off, len, area->size))
        return CFOTA_E_INVAL;
    f = area->flash;
    if (off % f->erase_size != 0 || len % f->erase_size != 0)
        return CFOTA_E_INVAL;
    for (done = 0; done < len; done += f->erase_size) {
        int rc = cfota_area_erase(area, off + done);
        if (rc != CFOTA_OK)
            return rc;
    }
    return CFOTA_OK;
}
