/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port/mbedtls/verify_mbedtls.c: ECDSA P-256 verification with Mbed TLS
 * (cfota_mbedtls.h). The group and the point are loaded for each verify
 * rather than kept: a device verifies once per update, and keeping them
 * would hold about 1 KB of bignums on the heap for the device's lifetime.
 */
#include "cfota_mbedtls.h"

#include <string.h>

#include "cfota/status.h"
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

/* Load P-256 and the key; 0 on success. */
static int load_key(mbedtls_ecp_group *grp, mbedtls_ecp_point *q, const uint8_t point[CFOTA_PUBKEY_SIZE])
{
    if (mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
        mbedtls_ecp_point_read_binary(grp, q, point, CFOTA_PUBKEY_SIZE) != 0)
        return -1;
    return mbedtls_ecp_check_pubkey(grp, q) == 0 ? 0 : -1;
}

int cfota_mbedtls_verify(void *ctx, const uint8_t digest[32], const uint8_t sig[CFOTA_SIG_SIZE])
{
    const struct cfota_mbedtls_key *key = ctx;
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    int ok;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ok = load_key(&grp, &q, key->point) == 0 && mbedtls_mpi_read_binary(&r, sig, 32) == 0 &&
         mbedtls_mpi_read_binary(&s, sig + 32, 32) == 0 &&
         mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s) == 0;
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return ok ? 0 : -1;
}

int cfota_mbedtls_verifier(struct cfota_mbedtls_key *key, const uint8_t point[CFOTA_PUBKEY_SIZE],
                           struct cfota_verifier *v)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    int rc;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    rc = load_key(&grp, &q, point);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    if (rc != 0)
        return CFOTA_E_INVAL;
    memcpy(key->point, point, CFOTA_PUBKEY_SIZE);
    memset(v, 0, sizeof *v);
    v->ctx = key;
    v->verify = cfota_mbedtls_verify;
    cfota_key_id(point, v->key_id);
    return CFOTA_OK;
}
