/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/sign.c: release keys and package signatures on the host (sign.h).
 *
 * Signing is deterministic (RFC 6979, with Mbed TLS's blinding), so
 * signing the same package twice gives the same bytes and a build can be
 * reproduced. Verification goes through the device library's own check
 * (cfota_verify_release) and the reference port (port/mbedtls/): the host
 * says "valid" exactly when a device would.
 */
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/verify.h"
#include "cfota_mbedtls.h"

static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return rc;
}

struct rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

static int rng_open(struct rng *r)
{
    static const char personal[] = "cfota key";
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, (const unsigned char *)personal,
                                 sizeof personal - 1);
}

static void rng_close(struct rng *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

int host_keygen(const char *path, char *why, size_t whylen)
{
    char pub[4096];
    unsigned char pem[1024];
    unsigned char pub_pem[512];
    struct rng r;
    mbedtls_pk_context pk;
    int rc = CFOTA_OK;
    snprintf(pub, sizeof pub, "%s.pub", path);
    if (access(path, F_OK) == 0 || access(pub, F_OK) == 0)
        return say(why, whylen, CFOTA_E_STATE, "%s or %s exists: not overwriting a key", path, pub);
    mbedtls_pk_init(&pk);
    if (rng_open(&r) != 0 || mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &r.drbg) != 0 ||
        mbedtls_pk_write_key_pem(&pk, pem, sizeof pem) != 0 ||
        mbedtls_pk_write_pubkey_pem(&pk, pub_pem, sizeof pub_pem) != 0) {
        rc = say(why, whylen, CFOTA_E_INVAL, "cannot generate an ECDSA P-256 key");
    } else if (bytes_create_file(path, pem, strlen((const char *)pem), 0600) != 0) {
        rc = say(why, whylen, CFOTA_E_IO, "cannot write %s: %s", path, strerror(errno));
    } else if (bytes_create_file(pub, pub_pem, strlen((const char *)pub_pem), 0644) != 0) {
        rc = say(why, whylen, CFOTA_E_IO, "cannot write %s: %s", pub, strerror(errno));
        unlink(path);
    }
    mbedtls_platform_zeroize(pem, sizeof pem);
    mbedtls_pk_free(&pk);
    rng_close(&r);
    return rc;
}

/* Load a key file, public or private, and insist on ECDSA P-256. */
static int load_pk(mbedtls_pk_context *pk, const char *path, int need_private, char *why, size_t whylen)
{
    int rc;
    mbedtls_pk_init(pk);
    rc = mbedtls_pk_parse_keyfile(pk, path, NULL);
    if (rc != 0 && !need_private) {
        mbedtls_pk_free(pk);
        mbedtls_pk_init(pk);
        rc = mbedtls_pk_parse_public_keyfile(pk, path);
    }
    if (rc != 0)
        return say(why, whylen, access(path, R_OK) != 0 ? CFOTA_E_IO : CFOTA_E_INVAL,
                   access(path, R_OK) != 0 ? "cannot read key %s" : "%s is not a %s key in PEM", path,
                   need_private ? "private" : "public or private");
    if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY) || mbedtls_pk_ec(*pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1)
        return say(why, whylen, CFOTA_E_INVAL, "%s is not an ECDSA P-256 key", path);
    return CFOTA_OK;
}

static int point_of(mbedtls_pk_context *pk, uint8_t point[CFOTA_PUBKEY_SIZE])
{
    mbedtls_ecp_keypair *k = mbedtls_pk_ec(*pk);
    size_t n = 0;
    if (mbedtls_ecp_point_write_binary(&k->grp, &k->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &n, point,
                                       CFOTA_PUBKEY_SIZE) != 0 || n != CFOTA_PUBKEY_SIZE)
        return CFOTA_E_INVAL;
    return CFOTA_OK;
}

int host_pubkey_load(const char *path, uint8_t point[CFOTA_PUBKEY_SIZE], char *why, size_t whylen)
{
    mbedtls_pk_context pk;
    int rc = load_pk(&pk, path, 0, why, whylen);
    if (rc == CFOTA_OK && (rc = point_of(&pk, point)) != CFOTA_OK)
        say(why, whylen, rc, "%s: cannot read its public point", path);
    mbedtls_pk_free(&pk);
    return rc;
}

int host_verifier_load(const char *path, struct cfota_mbedtls_key *key, struct cfota_verifier *v, char *why,
                       size_t whylen)
{
    uint8_t point[CFOTA_PUBKEY_SIZE];
    int rc = host_pubkey_load(path, point, why, whylen);
    if (rc != CFOTA_OK)
        return rc;
    if ((rc = cfota_mbedtls_verifier(key, point, v)) != CFOTA_OK)
        return say(why, whylen, rc, "%s: not a point on P-256", path);
    return CFOTA_OK;
}

static int mem_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct bytes *b = ctx;
    if (off > b->n || len > b->n - off)
        return CFOTA_E_IO;
    memcpy(buf, b->p + off, len);
    return 0;
}

/* ECDSA of digest as r || s, 32 bytes each. */
static int ecdsa_sign(mbedtls_pk_context *pk, const uint8_t digest[32], uint8_t sig[CFOTA_SIG_SIZE])
{
    mbedtls_ecp_keypair *k = mbedtls_pk_ec(*pk);
    mbedtls_mpi r, s;
    struct rng g;
    int rc = -1;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (rng_open(&g) == 0 &&
        mbedtls_ecdsa_sign_det_ext(&k->grp, &r, &s, &k->d, digest, 32, MBEDTLS_MD_SHA256, mbedtls_ctr_drbg_random,
                                   &g.drbg) == 0 &&
        mbedtls_mpi_write_binary(&r, sig, 32) == 0 && mbedtls_mpi_write_binary(&s, sig + 32, 32) == 0)
        rc = 0;
    rng_close(&g);
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    return rc;
}

int host_package_sign(struct bytes *pkg, const char *keypath, char *why, size_t whylen)
{
    struct cfota_header h;
    struct cfota_sig_block b;
    mbedtls_pk_context pk;
    uint8_t head[CFOTA_HEADER_MAX], point[CFOTA_PUBKEY_SIZE], digest[32], raw[CFOTA_SIG_BLOCK_SIZE];
    struct bytes out = {0};
    int rc = cfota_header_parse(&h, pkg->p, pkg->n), n;
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "not a cfota package: %s", cfota_status_name(rc));
    if ((uint64_t)h.header_size + h.payload_size + h.sig_size != pkg->n)
        return say(why, whylen, CFOTA_E_CORRUPT, "the header describes %llu bytes, the file has %zu",
                   (unsigned long long)h.header_size + h.payload_size + h.sig_size, pkg->n);
    if ((rc = load_pk(&pk, keypath, 1, why, whylen)) != CFOTA_OK) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    h.flags |= CFOTA_FLAG_SIGNED;
    h.sig_size = CFOTA_SIG_BLOCK_SIZE;
    n = cfota_header_write(&h, head);
    bytes_put(&out, head, (size_t)n);
    bytes_put(&out, pkg->p + h.header_size, h.payload_size);
    h.header_size = (uint16_t)n;
    memset(&b, 0, sizeof b);
    b.alg = CFOTA_SIG_ECDSA_P256_SHA256;
    if (point_of(&pk, point) != CFOTA_OK || cfota_signed_digest(&h, mem_read, &out, digest) != CFOTA_OK ||
        ecdsa_sign(&pk, digest, b.sig) != 0) {
        rc = say(why, whylen, CFOTA_E_INVAL, "signing with %s failed", keypath);
    } else {
        cfota_key_id(point, b.key_id);
        cfota_sig_block_write(&b, raw);
        bytes_put(&out, raw, sizeof raw);
        bytes_free(pkg);
        *pkg = out;
        out.p = NULL;
    }
    bytes_free(&out);
    mbedtls_pk_free(&pk);
    return rc;
}

int host_package_check(const uint8_t *pkg, size_t len, const struct cfota_policy *p, char *why, size_t whylen)
{
    struct bytes view = {(uint8_t *)pkg, len, len};
    struct cfota_header h;
    int rc = cfota_header_parse(&h, pkg, len);
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "not a cfota package: %s", cfota_status_name(rc));
    if ((uint64_t)h.header_size + h.payload_size + h.sig_size != len)
        return say(why, whylen, CFOTA_E_CORRUPT, "the header describes %llu bytes, the file has %zu",
                   (unsigned long long)h.header_size + h.payload_size + h.sig_size, len);
    if ((rc = cfota_verify_release(&h, p, mem_read, &view)) != CFOTA_OK)
        return say(why, whylen, rc, "%s", cfota_status_name(rc));
    if ((rc = cfota_verify_payload(&h, mem_read, &view)) != CFOTA_OK)
        return say(why, whylen, rc, "payload CRC-32 does not match");
    return CFOTA_OK;
}
