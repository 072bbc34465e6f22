/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/boot.c: the boot stage. It runs first at every reset and
 * does one thing for cfota: if the journal says an update is pending (the
 * application began one, or power failed while this stage was applying
 * it), apply it to the end with cfota_update_run. Then it starts the
 * application.
 *
 * This stage lives below the image area and is never updated, which is
 * what makes the in-place update power-fail safe on a microcontroller: a
 * cut may leave the image half old, half new, but the code that finishes
 * the job is intact. Nothing in it depends on the release: one boot stage
 * serves every version of the application.
 */
#include "app_info.h"
#include "board.h"
#include "console.h"
#include "fota_port.h"
#include "layout.h"

static struct cfota_update engine;
static uint8_t prog_buf[256];

/* Continue an update if one is pending. A flash failure (CFOTA_E_IO)
 * leaves the journal as it was: reset and try again. */
static void continue_update(void)
{
    struct cfota_update_cfg cfg;
    struct cfota_update_info info;
    int rc;
    if (fota_port_cfg(&cfg, 0u, prog_buf, sizeof prog_buf) != CFOTA_OK) {
        console_puts("boot: flash layout does not fit the device\n");
        return;
    }
    rc = cfota_update_status(&engine, &cfg, &info);
    if (rc != CFOTA_OK) {
        console_status("boot: journal", rc);
        return;
    }
    if (info.state != CFOTA_UPDATE_PENDING)
        return;
    console_puts("boot: update pending, segment ");
    console_dec((int32_t)info.segments_done);
    console_puts(" of ");
    console_dec((int32_t)info.segments);
    console_puts("\n");
    rc = cfota_update_run(&engine, &cfg);
    console_status("boot: update", rc);
    if (rc == CFOTA_E_IO)
        board_reset();
}

int main(void)
{
    struct app_info app;
    board_init();
    continue_update();
    flash_read(APP_INFO_ADDR, &app, sizeof app);
    if (app.magic != APP_INFO_MAGIC) {
        console_puts("boot: no application in the image area\n");
        for (;;)
            ;
    }
    board_start_image(IMAGE_BASE);
    return 0;
}
