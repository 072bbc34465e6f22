/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/signature.c: the signature block's bytes (cfota/signature.h). The
 * check itself is in lib/verify.c with the package's other checks.
 */
#include "cfota/signature.h"

#include <string.h>

#include "cfota/sha256.h"
#include "cfota/status.h"

int cfota_sig_block_parse(struct cfota_sig_block *b, const uint8_t buf[CFOTA_SIG_BLOCK_SIZE])
{
    if (buf[0] != CFOTA_SIG_ECDSA_P256_SHA256)
        return CFOTA_E_CORRUPT;
    b->alg = buf[0];
    memcpy(b->key_id, buf + 1, CFOTA_KEY_ID_SIZE);
    memcpy(b->sig, buf + 1 + CFOTA_KEY_ID_SIZE, CFOTA_SIG_SIZE);
    return CFOTA_OK;
}

void cfota_sig_block_write(const struct cfota_sig_block *b, uint8_t out[CFOTA_SIG_BLOCK_SIZE])
{
    out[0] = b->alg;
    memcpy(out + 1, b->key_id, CFOTA_KEY_ID_SIZE);
    memcpy(out + 1 + CFOTA_KEY_ID_SIZE, b->sig, CFOTA_SIG_SIZE);
}

void cfota_key_id(const uint8_t pubkey[CFOTA_PUBKEY_SIZE], uint8_t id[CFOTA_KEY_ID_SIZE])
{
    struct cfota_sha256 s;
    uint8_t digest[32];
    cfota_sha256_init(&s);
    cfota_sha256_update(&s, pubkey, CFOTA_PUBKEY_SIZE);
    cfota_sha256_final(&s, digest);
    memcpy(id, digest, CFOTA_KEY_ID_SIZE);
}
