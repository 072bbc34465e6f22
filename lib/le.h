/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/le.h: little-endian 32-bit fields, as every format of cfota stores
 * them (package header, journal records, arch block), read and written
 * byte by byte so that neither alignment nor the host's byte order
 * matters (internal to cfota; not installed; the encoder shares it).
 */
#ifndef CFOTA_LE_H
#define CFOTA_LE_H

#include <stdint.h>

static inline uint32_t cfota_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void cfota_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif
