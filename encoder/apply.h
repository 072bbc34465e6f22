/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/apply.h: apply a package held in memory, the way a device would,
 * through the device library's decoder, with every check a device makes.
 */
#ifndef CFOTA_ENCODER_APPLY_H
#define CFOTA_ENCODER_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "cfota/package.h"

/* Check the package (header, payload CRC, base size and SHA-256) and
 * decode it into *out, then check the target SHA-256. On failure returns a
 * negative enum cfota_status and writes a sentence into err (errlen bytes)
 * saying what was wrong; *out is then left empty. chunk: the size of the
 * pieces the package is fed in (0 = all at once), to exercise streaming. */
int cfota_apply_mem(const uint8_t *old, size_t old_len, const uint8_t *pkg, size_t pkg_len,
                    struct bytes *out, size_t chunk, char *err, size_t errlen);

#endif
