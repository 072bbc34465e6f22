/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port/mbedtls/cfota_mbedtls.h: the reference signature verifier on Mbed TLS
 * (2.28, the version Debian 12 ships; the ECDSA API is the same in 3.x).
 *
 * It fills a struct cfota_verifier (cfota/signature.h) for a device whose
 * trusted key is an ECDSA P-256 public key, stored as the 65-byte
 * uncompressed point (0x04 || X || Y) in flash or OTP. The device library
 * itself knows nothing of Mbed TLS; only this file does. The host tools
 * use the same port, so what the tests check is what a device runs.
 *
 * Usage:
 *     static struct cfota_mbedtls_key key;
 *     struct cfota_verifier v;
 *     cfota_mbedtls_verifier(&key, trusted_point, &v);
 *     cfg.policy.verifier = &v;
 *
 * RAM: struct cfota_mbedtls_key (the point, 65 bytes); Mbed TLS's bignum
 * allocates its working numbers on its heap (mbedtls_calloc) during a
 * verify: bench/mcu_size.sh measures the peak, the stack and the code
 * size on Cortex-M4.
 */
#ifndef CFOTA_PORT_MBEDTLS_H
#define CFOTA_PORT_MBEDTLS_H

#include <stdint.h>

#include "cfota/signature.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cfota_mbedtls_key {
    uint8_t point[CFOTA_PUBKEY_SIZE];
};

/* Set v up to check signatures against the public key point (copied into
 * key, which must outlive v). Returns CFOTA_OK, or CFOTA_E_INVAL if point
 * is not a point on P-256. */
int cfota_mbedtls_verifier(struct cfota_mbedtls_key *key, const uint8_t point[CFOTA_PUBKEY_SIZE],
                           struct cfota_verifier *v);

/* The verify callback itself (ctx: a struct cfota_mbedtls_key). Returns
 * 0 for a valid signature of digest, -1 otherwise. */
int cfota_mbedtls_verify(void *ctx, const uint8_t digest[32], const uint8_t sig[CFOTA_SIG_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
