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

int cfota_signed_digest(const struct cfota_header *h, cfota_read_fn read, void *ctx, uint8_t digest[32])
{
    return hash_range(read, ctx, 0, (uint32_t)h->header_size + h->payload_size, digest);
}

/* The signature block against digest. Its own frame, so that the block
 * and the hashing's buffers are never on the stack at once. The key id is
 * compared first so that "signed by another key" is said as such; it is
 * not a security check (anyone can write any id), the signature is. */
static int check_block(const struct cfota_header *h, const struct cfota_verifier *v, cfota_read_fn read,
                       void *ctx, const uint8_t digest[32])
{
    uint8_t raw[CFOTA_SIG_BLOCK_SIZE];
    if (read(ctx, (uint32_t)h->header_size + h->payload_size, raw, sizeof raw) != 0)
        return CFOTA_E_IO;
    if (raw[0] != CFOTA_SIG_ECDSA_P256_SHA256)
        return CFOTA_E_CORRUPT;
    if (memcmp(raw + 1, v->key_id, CFOTA_KEY_ID_SIZE) != 0)
        return CFOTA_E_KEY;
    return v->verify(v->ctx, digest, raw + 1 + CFOTA_KEY_ID_SIZE) == 0 ? CFOTA_OK : CFOTA_E_SIGNATURE;
}

/* The signature check, when the device holds a key. */
static int check_signature(const struct cfota_header *h, const struct cfota_verifier *v, cfota_read_fn read,
                           void *ctx)
{
    uint8_t digest[32];
    int rc;
    if (!(h->flags & CFOTA_FLAG_SIGNED))
        return CFOTA_E_UNSIGNED;
    if ((rc = cfota_signed_digest(h, read, ctx, digest)) != CFOTA_OK)
        return rc;
    return check_block(h, v, read, ctx, digest);
}

int cfota_verify_release(const struct cfota_header *h, const struct cfota_policy *p, cfota_read_fn read,
                         void *ctx)
{
    int rc;
    if (p->verifier && (rc = check_signature(h, p->verifier, read, ctx)) != CFOTA_OK)
        return rc;
    if (h->product_id != p->product_id)
        return CFOTA_E_PRODUCT;
    if (h->security_counter < p->security_counter)
        return CFOTA_E_ROLLBACK;
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
