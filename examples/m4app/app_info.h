/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/app_info.h: the header at a fixed place of every
 * application image (IMAGE_BASE + APP_INFO_OFFSET, right after the vector
 * table), so that the boot stage, the updater and tools can tell which
 * version an image is and how long it is without running it.
 */
#ifndef M4APP_APP_INFO_H
#define M4APP_APP_INFO_H

#include <stdint.h>

#include "layout.h"

struct app_info {
    uint32_t magic;       /* APP_INFO_MAGIC */
    uint32_t image_size;  /* bytes of the image from IMAGE_BASE */
    char version[24];     /* e.g. "1.1.0", NUL-padded */
};

/* Where the header of the image is in flash. */
#define APP_INFO_ADDR (IMAGE_BASE + APP_INFO_OFFSET)

#endif
