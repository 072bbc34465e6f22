/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_m4app_image.c: the example firmware (examples/m4app) is what
 * its README says it is, since the other tests, the demo and the emulated
 * MCU of later work take it as real firmware: each release is a raw image
 * for the image area that starts with a Cortex-M vector table (initial
 * stack at the top of RAM, Thumb handlers inside the image), carries its
 * header at APP_INFO_OFFSET with the release's version string and its own
 * size, and the releases differ; the boot stage is a vector table for
 * address 0 that fits its region; and an in-place package between two
 * releases fits the board's package and scratch areas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../examples/m4app/layout.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "encoder.h"
#include "support.h"

#define VECTORS 64

static uint32_t word(const struct bytes *b, size_t off)
{
    assert_true(off + 4 <= b->n);
    return (uint32_t)b->p[off] | (uint32_t)b->p[off + 1] << 8 | (uint32_t)b->p[off + 2] << 16 |
           (uint32_t)b->p[off + 3] << 24;
}

/* A vector table for code at [base, base + size). */
static void check_vectors(const struct bytes *img, uint32_t base, uint32_t size)
{
    unsigned i;
    assert_int_equal(word(img, 0), RAM_BASE + RAM_SIZE);
    for (i = 1; i < VECTORS; i++) {
        uint32_t v = word(img, 4u * i);
        if (v == 0 && i != 1)
            continue; /* reserved entries */
        assert_true(v & 1u); /* Thumb */
        assert_in_range(v & ~1u, base + VECTORS * 4u, base + size - 2u);
    }
}

static void test_releases(void **state)
{
    static const char *const names[] = {M4APP_V1, M4APP_V2, M4APP_V3};
    static const char *const versions[] = {"1.0.0", "1.1.0", "1.2.0"};
    struct bytes img[3] = {{0}};
    unsigned r;
    (void)state;
    for (r = 0; r < 3; r++) {
        char version[25] = {0};
        image_load(names[r], &img[r]);
        assert_in_range(img[r].n, APP_INFO_OFFSET + 32u, IMAGE_SIZE);
        check_vectors(&img[r], IMAGE_BASE, (uint32_t)img[r].n);
        assert_int_equal(word(&img[r], APP_INFO_OFFSET), APP_INFO_MAGIC);
        assert_memory_equal(img[r].p + APP_INFO_OFFSET, "M4AP", 4);
        assert_int_equal(word(&img[r], APP_INFO_OFFSET + 4), img[r].n);
        memcpy(version, img[r].p + APP_INFO_OFFSET + 8, 24);
        assert_string_equal(version, versions[r]);
        print_message("%s: %zu bytes, version %s\n", names[r], img[r].n, version);
    }
    /* Each release changes code and data, and grows. */
    for (r = 0; r + 1 < 3; r++) {
        assert_true(img[r + 1].n > img[r].n);
        assert_memory_not_equal(img[r].p + 0x200, img[r + 1].p + 0x200, img[r].n - 0x200);
    }
    for (r = 0; r < 3; r++)
        bytes_free(&img[r]);
}

static void test_boot_stage(void **state)
{
    struct bytes boot = {0};
    (void)state;
    image_load("m4app-boot.bin", &boot);
    assert_in_range(boot.n, VECTORS * 4u, BOOT_SIZE);
    check_vectors(&boot, BOOT_BASE, (uint32_t)boot.n);
    bytes_free(&boot);
}

/* What the device stores for an update fits where the layout puts it. */
static void test_package_fits_the_layout(void **state)
{
    struct bytes old = {0}, new_ = {0}, pkg = {0};
    struct cfota_encode_opts o;
    struct cfota_header h;
    (void)state;
    image_load(M4APP_V1, &old);
    image_load(M4APP_V3, &new_);
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    o.base_version = "1.0.0";
    o.target_version = "1.2.0";
    assert_int_equal(cfota_encode(old.p, old.n, new_.p, new_.n, &o, &pkg), 0);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    assert_true(pkg.n <= PACKAGE_SIZE);
    assert_true(h.scratch_size <= SCRATCH_SIZE);
    assert_true(h.target_size <= IMAGE_SIZE);
    print_message("in-place package 1.0.0 -> 1.2.0: %zu bytes, scratch %u\n", pkg.n, h.scratch_size);
    bytes_free(&old);
    bytes_free(&new_);
    bytes_free(&pkg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_releases),
        cmocka_unit_test(test_boot_stage),
        cmocka_unit_test(test_package_fits_the_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
