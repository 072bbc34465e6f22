/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port/mbedtls/config_verify.h: the smallest Mbed TLS 2.28 configuration
 * that verifies an ECDSA P-256 signature (MBEDTLS_CONFIG_FILE for a device
 * build of the port; bench/mcu_size.sh builds with it). No RNG, no
 * ciphers, no X.509: the device only verifies. NIST_OPTIM is the fast
 * reduction modulo the P-256 prime; a window of 2 and no fixed-point
 * table keep the heap small at some cost in time (one verify per update).
 */
#ifndef CFOTA_PORT_MBEDTLS_CONFIG_VERIFY_H
#define CFOTA_PORT_MBEDTLS_CONFIG_VERIFY_H

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C  /* ecdsa.c's DER helpers; unused, dropped at link */
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_HAVE_INT32    /* 32-bit limbs, as on the Cortex-M4 */
#define MBEDTLS_ECP_NO_INTERNAL_RNG /* verify only: no secret to blind */

#ifdef CFOTA_MEASURE_HEAP     /* bench/verify_bench.c on the host */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_MEMORY_DEBUG
#endif

#include <mbedtls/check_config.h>

#endif
