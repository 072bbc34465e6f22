/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/fota_layout.c: a simulated device's flash map (fota_layout.h).
 */
#include "fota_layout.h"

#include <string.h>

#include "cfota/package.h"

static uint32_t up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

void fota_layout_make(struct fota_layout *l, uint32_t erase_size, uint32_t region, int ab,
                      uint32_t scratch, uint32_t stash, uint32_t package)
{
    uint32_t at = 0;
    memset(l, 0, sizeof *l);
    l->erase_size = erase_size;
    l->image_off = at;
    l->image_size = up(region ? region : 1, erase_size);
    at += l->image_size;
    if (ab) {
        l->slot_off = at;
        l->slot_size = l->image_size;
        at += l->slot_size;
    } else {
        l->scratch_off = at;
        l->scratch_size = up(scratch ? scratch : 1, erase_size);
        at += l->scratch_size;
    }
    if (stash) {
        l->stash_off = at;
        l->stash_size = up(stash, erase_size);
        at += l->stash_size;
    }
    l->journal_off = at;
    at += 2 * erase_size;
    l->package_off = at;
    l->package_size = up(package ? package : 1, erase_size);
    at += l->package_size;
    l->total = at;
}

int fota_layout_cfg(const struct fota_layout *l, const struct cfota_flash *f, uint32_t image_size,
                    uint8_t *buf, uint32_t buf_size, struct cfota_update_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    if (cfota_area_init(&cfg->image, f, l->image_off, l->image_size) != CFOTA_OK ||
        cfota_area_init(&cfg->journal, f, l->journal_off, 2 * l->erase_size) != CFOTA_OK ||
        cfota_area_init(&cfg->package, f, l->package_off, l->package_size) != CFOTA_OK)
        return CFOTA_E_INVAL;
    if (l->slot_size) {
        if (cfota_area_init(&cfg->slot, f, l->slot_off, l->slot_size) != CFOTA_OK)
            return CFOTA_E_INVAL;
    } else if (cfota_area_init(&cfg->scratch, f, l->scratch_off, l->scratch_size) != CFOTA_OK) {
        return CFOTA_E_INVAL;
    }
    if (l->stash_size && cfota_area_init(&cfg->stash, f, l->stash_off, l->stash_size) != CFOTA_OK)
        return CFOTA_E_INVAL;
    cfg->image_size = image_size;
    cfg->buf = buf;
    cfg->buf_size = buf_size;
    return CFOTA_OK;
}

uint32_t fota_package_stash(const uint8_t *pkg, size_t len)
{
    struct cfota_header h;
    struct cfota_plan_head p;
    if (cfota_header_parse(&h, pkg, len) != CFOTA_OK || !(h.flags & CFOTA_FLAG_STASH) ||
        len < (size_t)h.header_size + CFOTA_PLAN_HEAD || cfota_plan_head_parse(&p, pkg + h.header_size, &h) != CFOTA_OK)
        return 0;
    return p.stash_size;
}
