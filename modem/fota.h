/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/fota.h: the two halves of AT+CFOTA=5: the checks made before
 * anything is touched (fota_check.c) and the update itself
 * (fota_apply.c), which runs after the reset.
 */
#ifndef CFOTA_MODEM_FOTA_H
#define CFOTA_MODEM_FOTA_H

#include <stddef.h>
#include <stdint.h>

#include "modem.h"

/* Check the package of pkg_len bytes at the start of the update
 * partition before accepting AT+CFOTA=5: its MD5 is md5, its header is
 * valid and describes exactly pkg_len bytes, its payload CRC matches, its
 * target fits the firmware region, and its base is the running image
 * (image_size bytes of the firmware area). Reads only.
 * Returns CFOTA_OK; CFOTA_E_HASH (MD5), CFOTA_E_CORRUPT, CFOTA_E_VERSION,
 * CFOTA_E_TRUNCATED (the package), CFOTA_E_NOSPC, CFOTA_E_WRONG_BASE, or
 * CFOTA_E_IO (flash failed: power lost). why gets a sentence. */
int fota_check(const struct modem_flash_map *map, uint32_t image_size, uint32_t pkg_len,
               const uint8_t md5[16], char *why, size_t whylen);

/* The flash areas an update works in. */
struct fota_areas {
    const struct cfota_area *firmware; /* the running image, at offset 0 */
    const struct cfota_area *package;  /* the package, at offset 0 */
    const struct cfota_area *scratch;  /* for a power-safe engine */
    const struct cfota_area *journal;  /* for a power-safe engine */
};

/* What the firmware area holds after a successful update. */
struct fota_result {
    uint32_t image_size;
    char version[MODEM_VERSION_MAX + 1];
};

/* Apply the package (pkg_len bytes) to the image (image_size bytes) in
 * place, and say what now runs. Called at boot while an accepted update
 * is pending, so it must also finish an update that a power cut
 * interrupted: when the firmware area already holds the package's target,
 * it succeeds without writing.
 * Returns CFOTA_OK and *out; CFOTA_E_IO when flash failed (power lost:
 * the caller goes silent and the next boot calls this again); any other
 * negative status when the update cannot be done (why says why). */
int fota_apply(const struct fota_areas *areas, uint32_t pkg_len, uint32_t image_size,
               struct fota_result *out, char *why, size_t whylen);

#endif
