/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_flash_area.c: flash areas (cfota/flash.h) check bounds and
 * alignment before the device sees a call, translate offsets to device
 * addresses, and report device failures as CFOTA_E_IO. Run on the flash
 * simulator, whose invalid-call counter proves the device never received
 * a bad call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfota/flash.h"
#include "flashsim.h"

#define SIZE (64u * 1024u)
#define BLOCK 4096u
#define UNIT 8u

static void test_init_checks_geometry(void **state)
{
    struct flashsim *sim = flashsim_open(NULL, SIZE, BLOCK, UNIT);
    struct cfota_flash f = *flashsim_flash(sim);
    struct cfota_area a;
    (void)state;

    assert_int_equal(cfota_area_init(&a, &f, 2 * BLOCK, 4 * BLOCK), CFOTA_OK);
    assert_ptr_equal(a.flash, &f);
    assert_int_equal(a.off, 2 * BLOCK);
    assert_int_equal(a.size, 4 * BLOCK);
    assert_int_equal(cfota_area_init(&a, &f, 0, SIZE), CFOTA_OK);

    assert_int_equal(cfota_area_init(NULL, &f, 0, BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, NULL, 0, BLOCK), CFOTA_E_INVAL);
    assert_null(a.flash);  /* a failed init leaves an unusable area */
    assert_int_equal(cfota_area_init(&a, &f, 1, BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, &f, 0, BLOCK + 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, &f, 0, 0), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, &f, BLOCK, SIZE), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, &f, SIZE, BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_init(&a, &f, 0xFFFFF000u, 0x2000u),
                     CFOTA_E_INVAL);

    f.prog_size = 3;  /* erase_size not a multiple */
    assert_int_equal(cfota_area_init(&a, &f, 0, BLOCK), CFOTA_E_INVAL);
    f = *flashsim_flash(sim);
    f.prog_size = 0;
    assert_int_equal(cfota_area_init(&a, &f, 0, BLOCK), CFOTA_E_INVAL);
    f = *flashsim_flash(sim);
    f.size = SIZE + 1;
    assert_int_equal(cfota_area_init(&a, &f, 0, BLOCK), CFOTA_E_INVAL);
    f = *flashsim_flash(sim);
    f.erase = NULL;
    assert_int_equal(cfota_area_init(&a, &f, 0, BLOCK), CFOTA_E_INVAL);
    flashsim_close(sim);
}

static void test_offsets_are_inside_the_area(void **state)
{
    struct flashsim *sim = flashsim_open(NULL, SIZE, BLOCK, UNIT);
    struct cfota_area a;
    uint8_t data[32], back[32];
    uint8_t *d = flashsim_data(sim);
    size_t i;
    (void)state;
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37u);

    assert_int_equal(cfota_area_init(&a, flashsim_flash(sim), 3 * BLOCK,
                                     2 * BLOCK), CFOTA_OK);
    assert_int_equal(cfota_area_prog(&a, 16, data, sizeof data), CFOTA_OK);
    assert_memory_equal(d + 3 * BLOCK + 16, data, sizeof data);
    assert_int_equal(cfota_area_read(&a, 16, back, sizeof back), CFOTA_OK);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(cfota_area_read(&a, 17, back, 3), CFOTA_OK);
    assert_memory_equal(back, data + 1, 3);

    /* The last bytes of the area are reachable, one more is not. */
    assert_int_equal(cfota_area_prog(&a, 2 * BLOCK - 8, data, 8), CFOTA_OK);
    assert_memory_equal(d + 5 * BLOCK - 8, data, 8);
    assert_int_equal(cfota_area_prog(&a, 2 * BLOCK, data, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 2 * BLOCK - 8, data, 16),
                     CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 0xFFFFFFF8u, data, 16),
                     CFOTA_E_INVAL);
    assert_int_equal(cfota_area_read(&a, 2 * BLOCK - 1, back, 2),
                     CFOTA_E_INVAL);
    assert_int_equal(cfota_area_read(&a, 0xFFFFFFFFu, back, 2),
                     CFOTA_E_INVAL);
    assert_int_equal(cfota_area_read(&a, 0, NULL, 2), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 0, NULL, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_read(&a, 2 * BLOCK, back, 0), CFOTA_OK);

    /* Alignment of programs. */
    assert_int_equal(cfota_area_prog(&a, 4, data, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 8, data, 12), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 8, data, 0), CFOTA_OK);

    /* Erase of one block, aligned, inside. */
    assert_int_equal(cfota_area_erase(&a, 100), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase(&a, 2 * BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase(&a, 0), CFOTA_OK);
    assert_int_equal(flashsim_erase_count(sim, 3), 1);
    assert_int_equal(d[3 * BLOCK + 16], 0xFF);
    assert_memory_equal(d + 5 * BLOCK - 8, data, 8);

    /* The device never saw any of the bad calls. */
    assert_int_equal(flashsim_stats(sim)->invalid, 0);
    assert_int_equal(flashsim_stats(sim)->violations, 0);
    flashsim_close(sim);
}

static void test_erase_range(void **state)
{
    struct flashsim *sim = flashsim_open(NULL, SIZE, BLOCK, UNIT);
    struct cfota_area a;
    uint8_t zeros[BLOCK];
    uint32_t b;
    (void)state;
    memset(zeros, 0, sizeof zeros);
    for (b = 0; b < SIZE / BLOCK; b++)
        assert_int_equal(flashsim_write_raw(sim, b * BLOCK, zeros, BLOCK), 0);
    assert_int_equal(cfota_area_init(&a, flashsim_flash(sim), 4 * BLOCK,
                                     4 * BLOCK), CFOTA_OK);

    assert_int_equal(cfota_area_erase_range(&a, BLOCK, 2 * BLOCK), CFOTA_OK);
    for (b = 0; b < SIZE / BLOCK; b++)
        assert_int_equal(flashsim_erase_count(sim, b), b == 5 || b == 6);
    assert_int_equal(flashsim_data(sim)[5 * BLOCK], 0xFF);
    assert_int_equal(flashsim_data(sim)[7 * BLOCK - 1], 0xFF);
    assert_int_equal(flashsim_data(sim)[7 * BLOCK], 0x00);

    assert_int_equal(cfota_area_erase_range(&a, 0, 0), CFOTA_OK);
    assert_int_equal(cfota_area_erase_range(&a, 1, BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase_range(&a, 0, BLOCK + 1), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase_range(&a, BLOCK, 4 * BLOCK),
                     CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase_range(&a, 0xFFFFF000u, 2 * BLOCK),
                     CFOTA_E_INVAL);
    assert_int_equal(flashsim_stats(sim)->erases, 2);

    /* A failure stops the loop: blocks before are erased, later untouched. */
    flashsim_set_power_cut(sim, 1, 5);
    assert_int_equal(cfota_area_erase_range(&a, 0, 4 * BLOCK), CFOTA_E_IO);
    assert_int_equal(flashsim_erase_count(sim, 4), 1);
    assert_int_equal(flashsim_erase_count(sim, 5), 2);
    assert_int_equal(flashsim_erase_count(sim, 6), 1);
    assert_int_equal(flashsim_erase_count(sim, 7), 0);
    assert_int_equal(flashsim_data(sim)[7 * BLOCK], 0x00);
    flashsim_close(sim);
}

static void test_device_failure_is_io_error(void **state)
{
    struct flashsim *sim = flashsim_open(NULL, SIZE, BLOCK, UNIT);
    struct cfota_area a;
    uint8_t buf[8] = {0};
    (void)state;
    assert_int_equal(cfota_area_init(&a, flashsim_flash(sim), 0, SIZE),
                     CFOTA_OK);
    flashsim_set_power_cut(sim, 0, 1);
    assert_int_equal(cfota_area_prog(&a, 0, buf, 8), CFOTA_E_IO);
    assert_int_equal(cfota_area_read(&a, 0, buf, 8), CFOTA_E_IO);
    assert_int_equal(cfota_area_erase(&a, 0), CFOTA_E_IO);
    assert_int_equal(cfota_area_erase_range(&a, 0, BLOCK), CFOTA_E_IO);
    flashsim_close(sim);
}

static void test_uninitialised_area_is_refused(void **state)
{
    struct cfota_area a;
    uint8_t buf[8];
    (void)state;
    memset(&a, 0, sizeof a);
    a.size = BLOCK;
    assert_int_equal(cfota_area_read(&a, 0, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(&a, 0, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase(&a, 0), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase_range(&a, 0, BLOCK), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_read(NULL, 0, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_prog(NULL, 0, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase(NULL, 0), CFOTA_E_INVAL);
    assert_int_equal(cfota_area_erase_range(NULL, 0, BLOCK), CFOTA_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_checks_geometry),
        cmocka_unit_test(test_offsets_are_inside_the_area),
        cmocka_unit_test(test_erase_range),
        cmocka_unit_test(test_device_failure_is_io_error),
        cmocka_unit_test(test_uninitialised_area_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
