/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/verify_bench.c: one signature check of the reference port
 * (port/mbedtls/), built on the host from the same Mbed TLS sources and
 * configuration as the Cortex-M4 build (bench/mcu_size.sh), with 32-bit
 * limbs and Mbed TLS's own heap in a static buffer, to measure what the
 * target cannot show without hardware: the heap's peak during a verify,
 * and (under valgrind's callgrind, which the script runs) the
 * instructions it executes.
 *
 * The signature is made here with a fixed test key, in software that is
 * not part of the device build (it is only the input).
 *   verify_bench   prints "heap_peak BYTES heap_blocks N ok 1"
 */
#include <stdio.h>
#include <string.h>

#include "cfota/signature.h"
#include "cfota_mbedtls.h"
#include <mbedtls/ecdsa.h>
#include <mbedtls/memory_buffer_alloc.h>

static unsigned char heap[16384];

/* A fixed private scalar, its public point, and the signature of a digest,
 * computed at start with the ECP code (sign = only the test's input). */
static int make_input(uint8_t point[CFOTA_PUBKEY_SIZE], uint8_t digest[32], uint8_t sig[64])
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi d, r, s, k;
    size_t n = 0;
    int rc;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    mbedtls_mpi_init(&k);
    memset(digest, 0xA5, 32);
    rc = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) ||
         mbedtls_mpi_read_string(&d, 16, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721") ||
         mbedtls_ecp_mul(&grp, &q, &d, &grp.G, NULL, NULL) ||
         mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &n, point, CFOTA_PUBKEY_SIZE);
    if (!rc) {
        /* s = k^-1 (e + r d) mod n with a fixed k: a valid signature. */
        mbedtls_ecp_point kg;
        mbedtls_mpi e, t;
        mbedtls_ecp_point_init(&kg);
        mbedtls_mpi_init(&e);
        mbedtls_mpi_init(&t);
        rc = mbedtls_mpi_read_string(&k, 16, "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60") ||
             mbedtls_ecp_mul(&grp, &kg, &k, &grp.G, NULL, NULL) || mbedtls_mpi_mod_mpi(&r, &kg.X, &grp.N) ||
             mbedtls_mpi_read_binary(&e, digest, 32) || mbedtls_mpi_mul_mpi(&t, &r, &d) ||
             mbedtls_mpi_add_mpi(&t, &t, &e) || mbedtls_mpi_inv_mod(&s, &k, &grp.N) ||
             mbedtls_mpi_mul_mpi(&s, &s, &t) || mbedtls_mpi_mod_mpi(&s, &s, &grp.N) ||
             mbedtls_mpi_write_binary(&r, sig, 32) || mbedtls_mpi_write_binary(&s, sig + 32, 32);
        mbedtls_ecp_point_free(&kg);
        mbedtls_mpi_free(&e);
        mbedtls_mpi_free(&t);
    }
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&k);
    return rc;
}

int main(void)
{
    uint8_t point[CFOTA_PUBKEY_SIZE], digest[32], sig[64];
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    size_t peak = 0, blocks = 0;
    int ok;
    mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
    if (make_input(point, digest, sig) != 0 || cfota_mbedtls_verifier(&key, point, &v) != 0) {
        fprintf(stderr, "verify_bench: cannot make the test input\n");
        return 1;
    }
    mbedtls_memory_buffer_alloc_max_reset();
    ok = cfota_mbedtls_verify(&key, digest, sig) == 0;
    mbedtls_memory_buffer_alloc_max_get(&peak, &blocks);
    sig[10] ^= 1;
    ok = ok && cfota_mbedtls_verify(&key, digest, sig) != 0; /* and a wrong one fails */
    printf("heap_peak %zu heap_blocks %zu ok %d\n", peak, blocks, ok);
    return ok ? 0 : 1;
}
