/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_signature.c: a device with a key provisioned applies only
 * packages signed with that key, for its product, not older than what it
 * runs, and refuses everything else before a single program or erase.
 *
 * The device is the update engine on the flash simulator, with the
 * reference verifier (port/mbedtls/) as its cfg.policy.verifier; the
 * packages are made and signed here with the encoder and util/sign.c,
 * with keys made in a temporary folder. "Before any flash operation" is
 * the simulator's own count of programs and erases, unchanged across each
 * refused cfota_update_begin. Every bit of a signed package is flipped
 * and every truncation tried (the counts are printed).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfota/update.h"
#include "cfota_mbedtls.h"
#include "encoder.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "hash.h"
#include "sign.h"
#include "support.h"

#define ERASE 4096u
#define BUF 512u
#define PRODUCT 0x5107020Cu
#define COUNTER 7u

struct keys {
    char dir[64], a[96], b[96], a_pub[100], b_pub[100];
};

static struct keys K;

static int make_keys(void **state)
{
    char why[256];
    (void)state;
    snprintf(K.dir, sizeof K.dir, "/tmp/cfota-sig-XXXXXX");
    if (!mkdtemp(K.dir))
        return -1;
    snprintf(K.a, sizeof K.a, "%s/a", K.dir);
    snprintf(K.b, sizeof K.b, "%s/b", K.dir);
    snprintf(K.a_pub, sizeof K.a_pub, "%s.pub", K.a);
    snprintf(K.b_pub, sizeof K.b_pub, "%s.pub", K.b);
    if (host_keygen(K.a, why, sizeof why) != CFOTA_OK || host_keygen(K.b, why, sizeof why) != CFOTA_OK)
        return -1;
    return 0;
}

static int remove_keys(void **state)
{
    (void)state;
    unlink(K.a);
    unlink(K.b);
    unlink(K.a_pub);
    unlink(K.b_pub);
    rmdir(K.dir);
    return 0;
}

/* A base of three and a half segments and a target that differs here and
 * there, so that the package has copies of both kinds and literals. */
static void make_images(struct bytes *old, struct bytes *new_)
{
    uint64_t seed = 15;
    uint32_t i, n = 3 * 4096 + 1700;
    memset(old, 0, sizeof *old);
    memset(new_, 0, sizeof *new_);
    for (i = 0; i < n; i++)
        bytes_byte(old, (uint8_t)(i % 251 < 120 ? i / 7 : test_rand(&seed)));
    bytes_put(new_, old->p, old->n);
    for (i = 0; i < new_->n; i += 613)
        new_->p[i] ^= (uint8_t)(1 + test_rand(&seed) % 255);
    bytes_put(new_, old->p + 100, 900);
}

static void make_package(const struct bytes *old, const struct bytes *new_, uint32_t product, uint32_t counter,
                         const char *key, struct bytes *pkg)
{
    struct cfota_encode_opts o;
    char why[256];
    memset(&o, 0, sizeof o);
    memset(pkg, 0, sizeof *pkg);
    o.in_place = 1;
    o.segment_size = 4096;
    o.product_id = product;
    o.security_counter = counter;
    assert_int_equal(cfota_encode(old->p, old->n, new_->p, new_->n, &o, pkg), 0);
    if (key)
        assert_int_equal(host_package_sign(pkg, key, why, sizeof why), CFOTA_OK);
}

struct device {
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    const struct bytes *old;
    uint8_t buf[BUF];
};

/* A device running old, with key (NULL: none provisioned). */
static void device_open(struct device *d, const struct bytes *old, const char *key)
{
    char why[256];
    memset(d, 0, sizeof *d);
    d->old = old;
    fota_layout_make(&d->l, ERASE, (uint32_t)old->n + 8192, 0, 16384, CFOTA_STASH_MCU, 32768);
    d->sim = flashsim_open(NULL, d->l.total, ERASE, 16);
    assert_non_null(d->sim);
    assert_int_equal(fota_layout_cfg(&d->l, flashsim_flash(d->sim), (uint32_t)old->n, d->buf, BUF, &d->cfg), 0);
    assert_int_equal(flashsim_write_raw(d->sim, d->l.image_off, old->p, (uint32_t)old->n), 0);
    d->cfg.policy.product_id = PRODUCT;
    d->cfg.policy.security_counter = COUNTER;
    if (key) {
        assert_int_equal(host_verifier_load(key, &d->key, &d->v, why, sizeof why), CFOTA_OK);
        d->cfg.policy.verifier = &d->v;
    }
}

/* Put len bytes of pkg into the (otherwise erased) package area. */
static void device_store(struct device *d, const uint8_t *pkg, size_t len)
{
    uint8_t *flash = flashsim_data(d->sim);
    memset(flash + d->l.package_off, 0xFF, d->l.package_size);
    assert_int_equal(flashsim_write_raw(d->sim, d->l.package_off, pkg, (uint32_t)len), 0);
}

static uint64_t flash_ops(const struct device *d)
{
    return flashsim_stats(d->sim)->ops;
}

/* cfota_update_begin must refuse with want (0: any error) and touch
 * nothing. Returns the status. */
static int refused(struct device *d, int want)
{
    uint64_t before = flash_ops(d);
    int rc = cfota_update_begin(&d->u, &d->cfg);
    if (want)
        assert_int_equal(rc, want);
    assert_true(rc < 0);
    assert_int_equal(flash_ops(d), before);
    return rc;
}

static void applies(struct device *d, const struct bytes *new_)
{
    assert_int_equal(cfota_update_begin(&d->u, &d->cfg), CFOTA_OK);
    assert_int_equal(cfota_update_run(&d->u, &d->cfg), CFOTA_DONE);
    assert_memory_equal(flashsim_data(d->sim) + d->l.image_off, new_->p, new_->n);
    assert_int_equal(flashsim_stats(d->sim)->violations, 0);
}

static void test_signed_package_applies(void **state)
{
    struct bytes old, new_, pkg;
    struct device d;
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER + 1, K.a, &pkg);
    device_open(&d, &old, K.a_pub);
    device_store(&d, pkg.p, pkg.n);
    applies(&d, &new_);
    flashsim_close(d.sim);
    /* The same counter as the running image is not a rollback. */
    bytes_free(&pkg);
    make_package(&old, &new_, PRODUCT, COUNTER, K.a, &pkg);
    device_open(&d, &old, K.a_pub);
    device_store(&d, pkg.p, pkg.n);
    applies(&d, &new_);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

/* The signature costs 73 bytes and the header's two new fields 8: the
 * issue's budget is 100 bytes a package. */
static void test_signature_size(void **state)
{
    struct bytes old, new_, plain, sig;
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER, NULL, &plain);
    make_package(&old, &new_, PRODUCT, COUNTER, K.a, &sig);
    assert_int_equal(sig.n - plain.n, CFOTA_SIG_BLOCK_SIZE);
    assert_true(CFOTA_SIG_BLOCK_SIZE + 8 <= 100);
    bytes_free(&plain);
    bytes_free(&sig);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_every_bit_flip_refused(void **state)
{
    struct bytes old, new_, pkg;
    struct device d;
    size_t bit, flips = 0;
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER, K.a, &pkg);
    device_open(&d, &old, K.a_pub);
    for (bit = 0; bit < pkg.n * 8; bit++) {
        pkg.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        device_store(&d, pkg.p, pkg.n);
        refused(&d, 0);
        pkg.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        flips++;
    }
    print_message("%zu bit flips of a %zu-byte signed package: all refused, 0 flash operations\n", flips, pkg.n);
    assert_int_equal(flash_ops(&d), 0);
    /* And the package itself still applies. */
    device_store(&d, pkg.p, pkg.n);
    applies(&d, &new_);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_every_truncation_refused(void **state)
{
    struct bytes old, new_, pkg;
    struct device d;
    size_t len;
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER, K.a, &pkg);
    device_open(&d, &old, K.a_pub);
    for (len = 0; len < pkg.n; len++) {
        device_store(&d, pkg.p, len);
        refused(&d, 0);
    }
    print_message("%zu truncations of a %zu-byte signed package: all refused, 0 flash operations\n", pkg.n,
                  pkg.n);
    assert_int_equal(flash_ops(&d), 0);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_wrong_key_unsigned_forged_id(void **state)
{
    struct bytes old, new_, by_b, plain;
    struct device d;
    uint8_t point[CFOTA_PUBKEY_SIZE], id_a[CFOTA_KEY_ID_SIZE];
    char why[256];
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER, K.b, &by_b);
    make_package(&old, &new_, PRODUCT, COUNTER, NULL, &plain);
    device_open(&d, &old, K.a_pub);
    device_store(&d, by_b.p, by_b.n);
    refused(&d, CFOTA_E_KEY);
    device_store(&d, plain.p, plain.n);
    refused(&d, CFOTA_E_UNSIGNED);
    /* Signed by B but claiming A's key id: the signature itself fails. */
    assert_int_equal(host_pubkey_load(K.a_pub, point, why, sizeof why), CFOTA_OK);
    cfota_key_id(point, id_a);
    memcpy(by_b.p + by_b.n - CFOTA_SIG_BLOCK_SIZE + 1, id_a, CFOTA_KEY_ID_SIZE);
    device_store(&d, by_b.p, by_b.n);
    refused(&d, CFOTA_E_SIGNATURE);
    assert_int_equal(flash_ops(&d), 0);
    flashsim_close(d.sim);
    /* A device without a key takes the unsigned package (the policy's
     * product and counter still hold). */
    device_open(&d, &old, NULL);
    device_store(&d, plain.p, plain.n);
    applies(&d, &new_);
    flashsim_close(d.sim);
    bytes_free(&by_b);
    bytes_free(&plain);
    bytes_free(&old);
    bytes_free(&new_);
}

static void test_rollback_and_product_refused(void **state)
{
    struct bytes old, new_, pkg;
    struct device d;
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER - 1, K.a, &pkg);
    device_open(&d, &old, K.a_pub);
    device_store(&d, pkg.p, pkg.n);
    refused(&d, CFOTA_E_ROLLBACK);
    bytes_free(&pkg);
    make_package(&old, &new_, PRODUCT + 1, COUNTER, K.a, &pkg);
    device_store(&d, pkg.p, pkg.n);
    refused(&d, CFOTA_E_PRODUCT);
    bytes_free(&pkg);
    /* Without a key the counter holds all the same. */
    flashsim_close(d.sim);
    make_package(&old, &new_, PRODUCT, COUNTER - 1, NULL, &pkg);
    device_open(&d, &old, NULL);
    device_store(&d, pkg.p, pkg.n);
    refused(&d, CFOTA_E_ROLLBACK);
    assert_int_equal(flash_ops(&d), 0);
    flashsim_close(d.sim);
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

/* The host's check (cfota verify, cfota push --key) says what the device
 * says, since it is the same function. */
static void test_host_check_agrees(void **state)
{
    struct bytes old, new_, pkg;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    struct cfota_policy p;
    char why[256];
    (void)state;
    make_images(&old, &new_);
    make_package(&old, &new_, PRODUCT, COUNTER, K.a, &pkg);
    assert_int_equal(host_verifier_load(K.a_pub, &key, &v, why, sizeof why), CFOTA_OK);
    memset(&p, 0, sizeof p);
    p.verifier = &v;
    p.product_id = PRODUCT;
    p.security_counter = COUNTER;
    assert_int_equal(host_package_check(pkg.p, pkg.n, &p, why, sizeof why), CFOTA_OK);
    pkg.p[pkg.n / 2] ^= 4;
    assert_true(host_package_check(pkg.p, pkg.n, &p, why, sizeof why) < 0);
    pkg.p[pkg.n / 2] ^= 4;
    p.security_counter = COUNTER + 1;
    assert_int_equal(host_package_check(pkg.p, pkg.n, &p, why, sizeof why), CFOTA_E_ROLLBACK);
    /* Re-signing replaces the block; the size does not grow. */
    {
        size_t n = pkg.n;
        assert_int_equal(host_package_sign(&pkg, K.b, why, sizeof why), CFOTA_OK);
        assert_int_equal(pkg.n, n);
        p.security_counter = COUNTER;
        assert_int_equal(host_package_check(pkg.p, pkg.n, &p, why, sizeof why), CFOTA_E_KEY);
    }
    bytes_free(&pkg);
    bytes_free(&old);
    bytes_free(&new_);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_package_applies),
        cmocka_unit_test(test_signature_size),
        cmocka_unit_test(test_every_bit_flip_refused),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_wrong_key_unsigned_forged_id),
        cmocka_unit_test(test_rollback_and_product_refused),
        cmocka_unit_test(test_host_check_agrees),
    };
    return cmocka_run_group_tests(tests, make_keys, remove_keys);
}
