/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_m4app_run.c: the example firmware's own update code, run.
 *
 * The boot stage (boot.c), the three releases of the application (app.c)
 * and their cfota port (fota_port.c) are compiled for the host and run
 * here on a simulated board: board.h implemented over a 1 MiB NOR array
 * (erase to 0xFF, programming ANDs), a serial line fed from a script, and
 * resets, jumps to the application and power cuts as longjmps back to the
 * test. The flash holds the real images of the release build, so the
 * firmware's code checks and rewrites real firmware, with the areas of its
 * own layout.h. Covered: an update through the serial line (`update SIZE`,
 * cfota_update_begin, reset, the boot stage's cfota_update_run, the new
 * release reporting it), twice in a row; a power cut at every flash
 * operation of the boot stage's update, each followed by a boot that must
 * finish it; a package for another base refused before any write; and a
 * download that stops half way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../examples/m4app/board.h"
#include "../examples/m4app/layout.h"
#include "encoder.h"
#include "support.h"

/* The firmware's entry points, renamed by the build (tests/CMakeLists.txt). */
int m4app_boot_main(void);
int m4app_app1_main(void);
int m4app_app2_main(void);
int m4app_app3_main(void);

/* ---- the simulated board ---- */

/* How a run of firmware code ended. */
enum run_end { RUN_IDLE = 1, RUN_RESET, RUN_START, RUN_CUT };

#define NO_CUT UINT64_MAX
#define IDLE_POLLS 20000u /* empty polls of the serial line: the firmware idles */

static struct board {
    jmp_buf cpu;
    uint8_t flash[FLASH_SIZE];
    const uint8_t *in;  /* what the serial line will deliver */
    size_t in_n, in_pos;
    unsigned empty_polls;
    struct bytes out;   /* what the firmware printed */
    uint32_t millis;
    uint64_t ops, cut_at; /* flash operations so far; cut before this one */
    uint32_t started;     /* board_start_image's base */
} b;

void board_init(void) {}
void board_tick_start(void) {}
uint32_t board_millis(void) { return ++b.millis; }
int32_t board_temp_quarters(void) { return 23 * 4 + 1; }
void board_led(int on) { (void)on; }

void uart_putc(char c)
{
    bytes_byte(&b.out, (uint8_t)c);
}

int uart_getc(void)
{
    if (b.in_pos < b.in_n) {
        b.empty_polls = 0;
        return b.in[b.in_pos++];
    }
    if (++b.empty_polls > IDLE_POLLS)
        longjmp(b.cpu, RUN_IDLE);
    return -1;
}

void flash_read(uint32_t addr, void *buf, uint32_t len)
{
    assert_true(addr <= FLASH_SIZE && len <= FLASH_SIZE - addr);
    memcpy(buf, b.flash + addr, len);
}

static void flash_op(void)
{
    if (++b.ops == b.cut_at)
        longjmp(b.cpu, RUN_CUT);
}

int flash_erase_page(uint32_t addr)
{
    if (addr >= FLASH_SIZE || addr % FLASH_PAGE)
        return -1;
    flash_op();
    memset(b.flash + addr, 0xFF, FLASH_PAGE);
    return 0;
}

int flash_program(uint32_t addr, const void *buf, uint32_t len)
{
    const uint8_t *p = buf;
    uint32_t i;
    if (addr >= FLASH_SIZE || len > FLASH_SIZE - addr || addr % FLASH_WORD || len % FLASH_WORD)
        return -1;
    flash_op();
    for (i = 0; i < len; i++)
        b.flash[addr + i] &= p[i]; /* NOR: bits only clear */
    return 0;
}

void board_reset(void)
{
    longjmp(b.cpu, RUN_RESET);
}

void board_start_image(uint32_t base)
{
    b.started = base;
    longjmp(b.cpu, RUN_START);
}

/* ---- running firmware ---- */

/* Run entry with the serial line delivering in[0..n); how it ended. The
 * output of the run is in b.out, NUL-terminated. */
static int run(int (*entry)(void), const void *in, size_t n)
{
    int end;
    b.in = in;
    b.in_n = n;
    b.in_pos = 0;
    b.empty_polls = 0;
    b.out.n = 0;
    b.started = 0;
    end = setjmp(b.cpu);
    if (end == 0) {
        entry();
        fail_msg("firmware returned from main");
    }
    bytes_byte(&b.out, 0);
    b.out.n--;
    return end;
}

static void expect_output(const char *needle)
{
    if (!strstr((const char *)b.out.p, needle))
        fail_msg("expected \"%s\" in the firmware's output:\n%s", needle, (const char *)b.out.p);
}

/* A board whose flash holds the boot stage and release `image`. */
static void board_with(const struct bytes *boot, const struct bytes *image)
{
    memset(b.flash, 0xFF, sizeof b.flash);
    memcpy(b.flash + BOOT_BASE, boot->p, boot->n);
    memcpy(b.flash + IMAGE_BASE, image->p, image->n);
    b.ops = 0;
    b.cut_at = NO_CUT;
}

static int image_is(const struct bytes *img)
{
    return memcmp(b.flash + IMAGE_BASE, img->p, img->n) == 0;
}

/* The in-place package old -> new, and the serial input that sends it. */
static void package(const struct bytes *old, const struct bytes *new_, struct bytes *pkg, struct bytes *input)
{
    struct cfota_encode_opts o;
    char line[32];
    memset(&o, 0, sizeof o);
    o.in_place = 1;
    pkg->n = 0;
    assert_int_equal(cfota_encode(old->p, old->n, new_->p, new_->n, &o, pkg), 0);
    input->n = 0;
    snprintf(line, sizeof line, "update %zu\n", pkg->n); /* one end-of-line byte */
    bytes_put(input, line, strlen(line));
    bytes_put(input, pkg->p, pkg->n);
}

struct images {
    struct bytes boot, v[3];
};

static void images_load(struct images *im)
{
    memset(im, 0, sizeof *im);
    image_load("m4app-boot.bin", &im->boot);
    image_load(M4APP_V1, &im->v[0]);
    image_load(M4APP_V2, &im->v[1]);
    image_load(M4APP_V3, &im->v[2]);
}

static void images_free(struct images *im)
{
    unsigned i;
    bytes_free(&im->boot);
    for (i = 0; i < 3; i++)
        bytes_free(&im->v[i]);
}

/* ---- tests ---- */

static void test_update_through_the_application(void **state)
{
    struct images im;
    struct bytes pkg = {0}, input = {0};
    (void)state;
    images_load(&im);
    board_with(&im.boot, &im.v[0]);

    /* A first boot: nothing pending, the application starts. */
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    assert_int_equal(b.started, IMAGE_BASE);
    assert_int_equal(run(m4app_app1_main, "version\n", 8), RUN_IDLE);
    expect_output("m4app 1.0.0\n");
    expect_output("\n1.0.0\n");

    /* 1.0.0 -> 1.1.0 over the serial line. */
    package(&im.v[0], &im.v[1], &pkg, &input);
    assert_int_equal(run(m4app_app1_main, input.p, input.n), RUN_RESET);
    expect_output("update: package accepted, restarting");
    assert_true(image_is(&im.v[0])); /* begin writes only the journal */
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    expect_output("boot: update pending, segment 0 of ");
    expect_output("boot: update: done (2)");
    assert_true(image_is(&im.v[1]));
    assert_int_equal(run(m4app_app2_main, NULL, 0), RUN_IDLE);
    expect_output("m4app 1.1.0\n");
    expect_output("last update: done");

    /* And on to 1.2.0: the journal of the first is reused. */
    package(&im.v[1], &im.v[2], &pkg, &input);
    assert_int_equal(run(m4app_app2_main, input.p, input.n), RUN_RESET);
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    expect_output("boot: update: done (2)");
    assert_true(image_is(&im.v[2]));
    assert_int_equal(run(m4app_app3_main, "help\n", 5), RUN_IDLE);
    expect_output("m4app 1.2.0\n");
    expect_output("update\nperiod\ninfo\nhelp\n");

    /* Nothing pending any more: the boot stage just starts it. */
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    assert_null(strstr((const char *)b.out.p, "pending"));
    bytes_free(&pkg);
    bytes_free(&input);
    images_free(&im);
}

/* Power fails before each flash operation of the boot stage's update in
 * turn; the next boot finishes it, and the image is exactly 1.1.0. */
static void test_power_cut_at_every_operation(void **state)
{
    static uint8_t accepted[FLASH_SIZE]; /* the flash after begin */
    struct images im;
    struct bytes pkg = {0}, input = {0};
    uint64_t total, k;
    (void)state;
    images_load(&im);
    board_with(&im.boot, &im.v[0]);
    package(&im.v[0], &im.v[1], &pkg, &input);
    assert_int_equal(run(m4app_app1_main, input.p, input.n), RUN_RESET);
    memcpy(accepted, b.flash, sizeof accepted);

    b.ops = 0;
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    total = b.ops;
    assert_true(total > 3); /* erases and programs of image, scratch, journal */
    for (k = 1; k <= total; k++) {
        memcpy(b.flash, accepted, sizeof accepted);
        b.ops = 0;
        b.cut_at = k;
        assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_CUT);
        b.cut_at = NO_CUT;
        if (run(m4app_boot_main, NULL, 0) != RUN_START)
            fail_msg("cut before operation %llu of %llu: the next boot did not start the application:\n%s",
                     (unsigned long long)k, (unsigned long long)total, (const char *)b.out.p);
        if (!image_is(&im.v[1]))
            fail_msg("cut before operation %llu of %llu: the image is not 1.1.0", (unsigned long long)k,
                     (unsigned long long)total);
    }
    print_message("boot stage's update 1.0.0 -> 1.1.0: %llu flash operations, each cut once\n",
                  (unsigned long long)total);
    bytes_free(&pkg);
    bytes_free(&input);
    images_free(&im);
}

static void test_refusals_write_nothing(void **state)
{
    struct images im;
    struct bytes pkg = {0}, input = {0};
    char line[32];
    uint64_t ops;
    (void)state;
    images_load(&im);
    board_with(&im.boot, &im.v[0]);

    /* A package made for 1.1.0, sent to 1.0.0. */
    package(&im.v[1], &im.v[2], &pkg, &input);
    assert_int_equal(run(m4app_app1_main, input.p, input.n), RUN_IDLE);
    expect_output("update: refused: package is for another base image");
    ops = b.ops;
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    assert_int_equal(b.ops, ops); /* nothing pending: the boot wrote nothing */
    assert_true(image_is(&im.v[0]));

    /* A download that stops half way: the line goes quiet. */
    package(&im.v[0], &im.v[1], &pkg, &input);
    snprintf(line, sizeof line, "update %zu\n", pkg.n);
    assert_int_equal(run(m4app_app1_main, input.p, strlen(line) + pkg.n / 2), RUN_IDLE);
    expect_output("update: no data received");
    assert_int_equal(run(m4app_boot_main, NULL, 0), RUN_START);
    assert_true(image_is(&im.v[0]));

    /* A size the package area cannot hold. */
    assert_int_equal(run(m4app_app1_main, "update 999999999\n", 17), RUN_IDLE);
    expect_output("update: size must be 1..");
    bytes_free(&pkg);
    bytes_free(&input);
    images_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_through_the_application),
        cmocka_unit_test(test_power_cut_at_every_operation),
        cmocka_unit_test(test_refusals_write_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
