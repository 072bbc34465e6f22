/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/crc32.c: table-free CRC-32 (see cfota/crc32.h for why table-free).
 */
#include "cfota/crc32.h"

uint32_t cfota_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    while (len--) {
        unsigned k;
        crc ^= *p++;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
