/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/crc32.h: CRC-32 as in zlib and PNG (reflected polynomial
 * 0xEDB88320, initial value and final xor 0xFFFFFFFF), bitwise so that it
 * needs no table in RAM or flash. Used for the package header check and the
 * update journal, where inputs are a few hundred bytes.
 *
 * RAM: none beyond a few words of stack.
 */
#ifndef CFOTA_CRC32_H
#define CFOTA_CRC32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Continue a CRC: crc is 0 for a new computation, or the value returned
 * by the previous call over the preceding bytes. */
uint32_t cfota_crc32(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
