/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcu/md5.c: a compact MD5 (RFC 1321) for the controller library.
 *
 * Written for small code: one loop over the 64 steps with the round
 * function, message index and rotation chosen per round, no unrolling.
 * Words are little-endian on the wire, assembled byte by byte so the code
 * does not depend on the CPU's byte order or alignment.
 */
#include "cfota_ctl/md5.h"

#include <string.h>

/* floor(abs(sin(i + 1)) * 2^32), as the RFC defines them. */
static const uint32_t K[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u};

/* Rotation of step i is R[(i / 16) * 4 + i % 4]. */
static const uint8_t R[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static void compress(uint32_t h[4], const uint8_t *b)
{
    uint32_t w[16], a = h[0], bb = h[1], c = h[2], d = h[3];
    unsigned i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
               (uint32_t)b[4 * i + 3] << 24;
    for (i = 0; i < 64; i++) {
        uint32_t f, t;
        unsigned g, r = R[(i >> 4) * 4 + (i & 3)];
        switch (i >> 4) {
        case 0: f = (bb & c) | (~bb & d); g = i; break;
        case 1: f = (d & bb) | (~d & c); g = (5 * i + 1) & 15; break;
        case 2: f = bb ^ c ^ d; g = (3 * i + 5) & 15; break;
        default: f = c ^ (bb | ~d); g = (7 * i) & 15; break;
        }
        t = a + f + K[i] + w[g];
        a = d;
        d = c;
        c = bb;
        bb += (t << r) | (t >> (32 - r));
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
}

void cfota_md5_init(struct cfota_md5 *m)
{
    m->h[0] = 0x67452301u;
    m->h[1] = 0xefcdab89u;
    m->h[2] = 0x98badcfeu;
    m->h[3] = 0x10325476u;
    m->bytes_lo = m->bytes_hi = 0;
}

void cfota_md5_update(struct cfota_md5 *m, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    while (len) {
        size_t fill = m->bytes_lo & 63u, n = 64 - fill;
        if (n > len)
            n = len;
        memcpy(m->block + fill, p, n);
        m->bytes_lo += (uint32_t)n;
        if (m->bytes_lo < n)
            m->bytes_hi++;
        p += n;
        len -= n;
        if (fill + n == 64)
            compress(m->h, m->block);
    }
}

void cfota_md5_final(struct cfota_md5 *m, uint8_t out[16])
{
    uint32_t lo = m->bytes_lo << 3, hi = m->bytes_hi << 3 | m->bytes_lo >> 29;
    size_t fill = m->bytes_lo & 63u;
    unsigned i;
    m->block[fill++] = 0x80;
    if (fill > 56) {
        memset(m->block + fill, 0, 64 - fill);
        compress(m->h, m->block);
        fill = 0;
    }
    memset(m->block + fill, 0, 56 - fill);
    for (i = 0; i < 4; i++) {
        m->block[56 + i] = (uint8_t)(lo >> (8 * i));
        m->block[60 + i] = (uint8_t)(hi >> (8 * i));
    }
    compress(m->h, m->block);
    for (i = 0; i < 16; i++)
        out[i] = (uint8_t)(m->h[i / 4] >> (8 * (i % 4)));
}

void cfota_md5_hex(const uint8_t digest[16], char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned i;
    for (i = 0; i < 16; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
}
