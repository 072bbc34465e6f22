/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim/fota_layout.h: a simulated device's flash map for the update engine
 * (image region, scratch, journal, package), shared by the CLI's in-place
 * apply, the tests and the module emulator.
 */
#ifndef CFOTA_SIM_FOTA_LAYOUT_H
#define CFOTA_SIM_FOTA_LAYOUT_H

#include <stdint.h>

#include "cfota/update.h"

struct fota_layout {
    uint32_t erase_size;
    uint32_t image_off, image_size;     /* the image region */
    uint32_t slot_off, slot_size;       /* A/B only; 0 size = in place */
    uint32_t scratch_off, scratch_size;
    uint32_t stash_off, stash_size;     /* 0 size = no stash */
    uint32_t journal_off;               /* two erase blocks */
    uint32_t package_off, package_size;
    uint32_t total;                     /* bytes of flash needed */
};

/* Lay out, one after the other: image region (room for region bytes),
 * slot (if ab), scratch (scratch bytes, in place only), stash (stash
 * bytes, none if 0), journal, package (room for package bytes). Sizes are rounded up to erase blocks. */
void fota_layout_make(struct fota_layout *l, uint32_t erase_size, uint32_t region, int ab,
                      uint32_t scratch, uint32_t stash, uint32_t package);

/* The stash bytes the package pkg (len bytes) needs: its stash plan's
 * stash size, 0 without a plan or for bytes that are not a package. */
uint32_t fota_package_stash(const uint8_t *pkg, size_t len);

/* Fill cfg for the layout on flash f. Returns CFOTA_OK or CFOTA_E_INVAL. */
int fota_layout_cfg(const struct fota_layout *l, const struct cfota_flash *f, uint32_t image_size,
                    uint8_t *buf, uint32_t buf_size, struct cfota_update_cfg *cfg);

#endif
