/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/verify.c: integrity checks over images in flash (cfota/verify.h).
 */
#include "cfota/verify.h"

#include <string.h>

#include "cfota/crc32.h"
#include "cfota/sha256.h"
#include "cfota/status.h"

#define CHUNK 64u

static int hash_range(cfota_read_fn read, void *ctx, uint32_t off, uint32_t len, uint8_t out[32])
{
    struct cfota_sha256 s;
    uint8_t buf[CHUNK];
    cfota_sha256_init(&s);
    while (len) {
        uint32_t n = len < CHUNK ? len : CHUNK;
        if (read(ctx, off, buf, n) != 0)
            return CFOTA_E_IO;
        cfota_sha256_update(&s, buf, n);
        off += n;
        len -= n;
    }
    cfota_sha256_final(&s, out);
    return CFOTA_OK;
}

int cfota_verify_payload(const struct cfota_header *h, cfota_read_fn read, void *ctx)
{
    uint8_t buf[CHUNK];
    uint32_t off = h->header_size, left = h->payload_size, crc = 0;
    while (left) {
        uint32_t n = left < CHUNK ? left : CHUNK;
        if (read(ctx, off, buf, n) != 0)
            return CFOTA_E_IO;
        crc = cfota_crc32(crc, buf, n);
        off += n;
        left -= n;
    }
    return crc == h->payload_crc32 ? CFOTA_OK : CFOTA_E_CORRUPT;
}

int cfota_verify_base(const struct cfota_header *h, uint32_t image_size, cfota_read_fn read, void *ctx)
{
    uint8_t digest[32];
    int rc;
    if (h->flags & CFOTA_FLAG_NO_BASE)
        return CFOTA_OK;
    if (image_size < h->base_size)
        return CFOTA_E_WRONG_BASE;
    rc = hash_range(read, ctx, 0, h->base_size, digest);
    if (rc != CFOTA_OK)
        return rc;
    return memcmp(digest, h->base_sha256, 32) == 0 ? CFOTA_OK : CFOTA_E_WRONG_BASE;
}

int cfota_verify_target(const struct cfota_header *h, cfota_read_fn read, void *ctx)
{
    uint8_t digest[32];
    int rc = hash_range(read, ctx, 0, h->target_size, digest);
    if (rc != CFOTA_OK)
        return rc;
    return memcmp(digest, h->target_sha256, 32) == 0 ? CFOTA_OK : CFOTA_E_HASH;
}
