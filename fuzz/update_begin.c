/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/update_begin.c: libFuzzer harness for the update engine's door,
 * cfota_update_begin, and what follows it.
 *
 * The input is a package, stored in the package area of a simulated
 * device (sim/flashsim.h) that runs a fixed base image. The first input
 * byte chooses the device: even, a device holding a release key (the
 * reference verifier, port/mbedtls/, with a key fixed here), so nearly
 * everything must be refused at the signature; odd, a device without a
 * key, so the structural checks and the engine are reached. Properties:
 *   - a refused package caused no program and no erase at all;
 *   - an accepted package runs to an end: CFOTA_DONE or a package error,
 *     never CFOTA_E_IO (no flash fails here, so an I/O error would be a
 *     defect mistaken for a power loss: the F2 brick), and the journal is
 *     then DONE or FAILED, never PENDING (no boot loop);
 *   - DONE means the image is the package's target (its SHA-256).
 *
 * Build and run (clang, with the host's Mbed TLS for the verifier):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isim -Iport/mbedtls \
 *         fuzz/update_begin.c lib/\*.c sim/flashsim.c sim/fota_layout.c \
 *         port/mbedtls/verify_mbedtls.c -lmbedcrypto -o update_begin
 *   ./update_begin -max_total_time=60 CORPUS_DIR
 * Seeds: any package (cfota diff, or the tests' crafted ones).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfota/sha256.h"
#include "cfota/update.h"
#include "cfota_mbedtls.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "fuzz.h"
#include "material.h"

#define ERASE 4096u
#define BASE_SIZE 12000u
#define PKG_MAX 65536u

/* P-256 generator point as the fixed trusted key: a valid point whose
 * private key everyone knows (1), fine for a fuzzer. */
static const uint8_t trusted_point[CFOTA_PUBKEY_SIZE] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

static void make_base(uint8_t *p)
{
    uint32_t i, x = 12345;
    for (i = 0; i < BASE_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(i % 64 < 40 ? i / 9 : x >> 24);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t base[BASE_SIZE], buf[512];
    static struct cfota_update u;
    static struct cfota_mbedtls_key key;
    static struct cfota_verifier v;
    static int ready;
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update_info info;
    uint64_t ops;
    int keyed, rc;

    if (size < 1 || size - 1 > PKG_MAX)
        return 0;
    if (!ready) {
        make_base(base);
        if (cfota_mbedtls_verifier(&key, trusted_point, &v) != CFOTA_OK)
            abort();
        ready = 1;
    }
    keyed = (data[0] & 1) == 0;
    data++;
    size--;
    fota_layout_make(&l, ERASE, 64 * 1024, 0, 16384, fuzz_stash(data, size), PKG_MAX);
    sim = flashsim_open(NULL, l.total, ERASE, 16);
    if (!sim || fota_layout_cfg(&l, flashsim_flash(sim), BASE_SIZE, buf, sizeof buf, &cfg) != CFOTA_OK)
        abort();
    flashsim_write_raw(sim, l.image_off, base, BASE_SIZE);
    flashsim_write_raw(sim, l.package_off, data, (uint32_t)size);
    if (keyed)
        cfg.policy.verifier = &v;

    ops = flashsim_stats(sim)->ops;
    rc = cfota_update_begin(&u, &cfg);
    if (rc != CFOTA_OK) {
        if (flashsim_stats(sim)->ops != ops)
            abort(); /* refused, yet flash was written */
        flashsim_close(sim);
        return 0;
    }
    rc = cfota_update_run(&u, &cfg);
    if (rc == CFOTA_E_IO)
        abort(); /* no flash failed: a defect reported as power loss */
    if (cfota_update_status(&u, &cfg, &info) != CFOTA_OK || info.state == CFOTA_UPDATE_PENDING)
        abort(); /* the next boot would run it again */
    if (rc == CFOTA_DONE) {
        struct cfota_header h;
        struct cfota_sha256 s;
        uint8_t digest[32];
        if (cfota_header_parse(&h, data, size) != CFOTA_OK)
            abort();
        cfota_sha256_init(&s);
        cfota_sha256_update(&s, flashsim_data(sim) + l.image_off, h.target_size);
        cfota_sha256_final(&s, digest);
        if (memcmp(digest, h.target_sha256, 32) != 0)
            abort();
    }
    flashsim_close(sim);
    return 0;
}

/* Seeds: in-place packages from this harness's base to an edited copy of
 * it, for the device without a key (first byte odd: the engine is
 * reached) and the keyed one (even: refused at the signature). */
void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    static uint8_t base[BASE_SIZE];
    struct fuzz_buf old = {0}, new_ = {0};
    struct bytes pkg = {0};
    unsigned i, keyed;
    make_base(base);
    fuzz_put(&old, base, BASE_SIZE);
    fuzz_put(&new_, base, BASE_SIZE);
    for (i = 100; i < BASE_SIZE; i += 997)
        new_.p[i] ^= 0x5a; /* scattered changed constants */
    if (material_package(&old, &new_, 1, 0, 16384, &pkg) == 0 && pkg.n <= PKG_MAX) {
        for (keyed = 0; keyed < 2; keyed++) {
            struct fuzz_buf b = {0};
            fuzz_put_u8(&b, (uint8_t)(keyed ? 0 : 1));
            fuzz_put(&b, pkg.p, pkg.n);
            emit(ctx, keyed ? "inplace-keyed" : "inplace-open", b.p, b.n);
            fuzz_buf_free(&b);
        }
    }
    bytes_free(&pkg);
    fuzz_buf_free(&old);
    fuzz_buf_free(&new_);
}
