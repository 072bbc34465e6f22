/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/fota_port.h: the cfota device library put on this board.
 * The flash device (the nRF52840's own flash through the board's flash
 * functions) and the areas of layout.h, in the one struct the update
 * engine takes. Both stages use it: the boot stage to continue an update,
 * the application to begin one and to read its result.
 */
#ifndef M4APP_FOTA_PORT_H
#define M4APP_FOTA_PORT_H

#include "cfota/update.h"

/* Fill cfg with the board's areas. image_size is the running image's size
 * (the application knows its own; the boot stage passes 0, since only
 * cfota_update_begin needs it and, after a cut, the image is part old,
 * part new). buf is the engine's program buffer (a multiple of 4 bytes).
 * Returns CFOTA_OK or CFOTA_E_INVAL (a layout that does not fit the
 * device: a build error, caught on the first boot). */
int fota_port_cfg(struct cfota_update_cfg *cfg, uint32_t image_size, uint8_t *buf,
                  uint32_t buf_size);

#endif
