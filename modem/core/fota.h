/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/fota.h: the module's update path, in two halves around a
 * reset: accepting a package in the update partition (fota_accept.c),
 * which every update command goes through (AT+CFOTA=5, and =1/=2/=3 after
 * their download), and applying it at the next boot (fota_apply.c).
 *
 * Both drive the device library's power-fail-safe engine
 * (include/cfota/update.h) over the module's flash map; its state lives
 * in struct modem (m->engine), not in this code.
 */
#ifndef CFOTA_MODEM_FOTA_H
#define CFOTA_MODEM_FOTA_H

#include <stddef.h>
#include <stdint.h>

#include "modem.h"

enum fota_accept_mode {
    FOTA_CHECK_ONLY, /* would it be accepted? nothing is written */
    FOTA_ACCEPT      /* accept it: the next boot runs the update */
};

/* The one acceptance path. The package is the first len bytes of the
 * update partition. Checks, in order, before anything is written: len
 * inside the partition, the MD5 of those bytes is md5 (hashed from flash
 * as it is read), the header describes exactly len bytes, and then the
 * engine's own refusals (cfota_update_begin: header, sizes, in place,
 * signature with the trusted key, product, security counter, payload CRC,
 * base image). FOTA_ACCEPT then records the update start in
 * the engine's journal and marks the update pending in the module's
 * record. target_version (MODEM_VERSION_MAX + 1 bytes, or NULL) gets the
 * version the package makes.
 * Returns CFOTA_OK; CFOTA_E_IO when the flash failed (the module has
 * gone silent: at_power_lost); another negative status when the package
 * is refused (the reason is in the trace). */
int fota_accept(struct modem *m, uint32_t len, const uint8_t md5[16], enum fota_accept_mode mode,
                char *target_version);

/* What the firmware area holds after a successful update. */
struct fota_result {
    uint32_t image_size;
    uint32_t security_counter;
    char version[MODEM_VERSION_MAX + 1];
};

/* Apply the accepted package (m->rec.pkg_len bytes) to the running image
 * in place, and say what now runs. Called at boot while an accepted
 * update is pending, so it continues wherever a power cut left the
 * engine's journal; an update already done is not written again.
 * Returns CFOTA_OK and *out; CFOTA_E_IO when flash failed (power lost:
 * the caller goes silent and the next boot calls this again); any other
 * negative status when the update cannot be done (why says why). */
int fota_apply(struct modem *m, struct fota_result *out, char *why, size_t whylen);

/* ---- shared by the two halves (fota_accept.c) ---- */

/* The engine's configuration over the module's flash map for the package
 * of len bytes with header h. Scratch: the 16 KB area at the head of the
 * FOTA partition, or, for a package asking for more, that much of the
 * update partition right after the package; stash: the rest of the update
 * partition (none if nothing is left). A package whose scratch or stash
 * does not fit is then refused by the engine's own checks, before any
 * write. */
void fota_engine_cfg(struct modem *m, uint32_t len, const struct cfota_header *h, struct cfota_update_cfg *cfg);

/* The header of the package of len bytes in the update partition.
 * Returns CFOTA_OK, CFOTA_E_IO, or the parser's error. */
int fota_read_header(const struct modem *m, uint32_t len, struct cfota_header *h);

#endif
