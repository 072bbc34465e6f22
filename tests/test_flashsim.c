/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_flashsim.c: the NOR flash simulator keeps the promises of
 * docs/flashsim.md, which the tests of the update engine rely on: erase
 * and AND-programming semantics, argument checks, torn operations at a
 * chosen power cut that are deterministic from the seed, and a file-backed
 * device that survives the death of its process with its wear counts.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flashsim.h"
#include "support.h"

#define SIZE (16u * 1024u)
#define BLOCK 4096u
#define UNIT 4u

static struct flashsim *open_ram(void)
{
    struct flashsim *sim = flashsim_open(NULL, SIZE, BLOCK, UNIT);
    assert_non_null(sim);
    return sim;
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)((i * 131u + seed * 7u) ^ (i >> 3));
}

static int all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static void test_erase_and_program(void **state)
{
    struct flashsim *sim = open_ram();
    const struct cfota_flash *f = flashsim_flash(sim);
    uint8_t data[64], back[64];
    (void)state;

    assert_int_equal(f->size, SIZE);
    assert_int_equal(f->erase_size, BLOCK);
    assert_int_equal(f->prog_size, UNIT);
    assert_int_equal(flashsim_size(sim), SIZE);
    assert_true(all_bytes(flashsim_data(sim), SIZE, 0xFF));

    fill_pattern(data, sizeof data, 1);
    assert_int_equal(f->prog(f->ctx, BLOCK + 8, data, sizeof data), 0);
    assert_int_equal(f->read(f->ctx, BLOCK + 8, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);
    assert_true(all_bytes(flashsim_data(sim) + BLOCK, 8, 0xFF));
    assert_true(all_bytes(flashsim_data(sim) + BLOCK + 72, BLOCK - 72, 0xFF));

    assert_int_equal(f->erase(f->ctx, BLOCK), 0);
    assert_true(all_bytes(flashsim_data(sim), SIZE, 0xFF));
    assert_int_equal(flashsim_erase_count(sim, 1), 1);
    assert_int_equal(flashsim_erase_count(sim, 0), 0);
    assert_int_equal(flashsim_erase_count(sim, SIZE / BLOCK), 0);

    assert_int_equal(flashsim_stats(sim)->ops, 2);
    assert_int_equal(flashsim_stats(sim)->programs, 1);
    assert_int_equal(flashsim_stats(sim)->erases, 1);
    assert_int_equal(flashsim_stats(sim)->bytes_programmed, sizeof data);
    assert_int_equal(flashsim_stats(sim)->violations, 0);
    assert_int_equal(flashsim_stats(sim)->invalid, 0);
    flashsim_close(sim);
}

static void test_program_ands_and_counts_violations(void **state)
{
    struct flashsim *sim = open_ram();
    const struct cfota_flash *f = flashsim_flash(sim);
    uint8_t a[4] = {0xF0, 0xF0, 0xF0, 0xF0};
    uint8_t b[4] = {0x0F, 0x3C, 0xFF, 0xF0};
    uint8_t clear_more[4] = {0x00, 0x00, 0x00, 0x00};
    (void)state;

    assert_int_equal(f->prog(f->ctx, 0, a, 4), 0);
    /* Programming the same data again, or clearing more bits, is legal. */
    assert_int_equal(f->prog(f->ctx, 0, a, 4), 0);
    assert_int_equal(flashsim_stats(sim)->violations, 0);
    /* b wants some 0 bits back to 1: stored as AND, counted once. */
    assert_int_equal(f->prog(f->ctx, 0, b, 4), 0);
    assert_int_equal(flashsim_stats(sim)->violations, 1);
    assert_int_equal(flashsim_data(sim)[0], 0x00);
    assert_int_equal(flashsim_data(sim)[1], 0x30);
    assert_int_equal(flashsim_data(sim)[2], 0xF0);
    assert_int_equal(flashsim_data(sim)[3], 0xF0);
    assert_int_equal(f->prog(f->ctx, 0, clear_more, 4), 0);
    assert_int_equal(flashsim_stats(sim)->violations, 1);
    assert_true(all_bytes(flashsim_data(sim), 4, 0x00));
    flashsim_close(sim);
}

static void test_bad_calls_are_rejected_and_counted(void **state)
{
    struct flashsim *sim = open_ram();
    const struct cfota_flash *f = flashsim_flash(sim);
    uint8_t buf[8] = {0};
    (void)state;

    assert_int_equal(f->prog(f->ctx, 2, buf, 4), CFOTA_E_INVAL);
    assert_int_equal(f->prog(f->ctx, 0, buf, 3), CFOTA_E_INVAL);
    assert_int_equal(f->prog(f->ctx, SIZE - 4, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(f->prog(f->ctx, UINT32_MAX - 3, buf, 8), CFOTA_E_INVAL);
    assert_int_equal(f->prog(f->ctx, 0, NULL, 4), CFOTA_E_INVAL);
    assert_int_equal(f->erase(f->ctx, 100), CFOTA_E_INVAL);
    assert_int_equal(f->erase(f->ctx, SIZE), CFOTA_E_INVAL);
    assert_int_equal(f->read(f->ctx, SIZE - 1, buf, 2), CFOTA_E_INVAL);
    assert_int_equal(f->read(f->ctx, UINT32_MAX, buf, 2), CFOTA_E_INVAL);
    assert_int_equal(flashsim_stats(sim)->invalid, 9);
    assert_int_equal(flashsim_stats(sim)->ops, 0);
    assert_true(all_bytes(flashsim_data(sim), SIZE, 0xFF));

    /* Unaligned reads and the last byte are fine; empty program is no op. */
    assert_int_equal(f->read(f->ctx, SIZE - 1, buf, 1), 0);
    assert_int_equal(f->read(f->ctx, 3, buf, 5), 0);
    assert_int_equal(f->prog(f->ctx, SIZE, buf, 0), 0);
    assert_int_equal(flashsim_stats(sim)->ops, 0);
    assert_int_equal(flashsim_stats(sim)->invalid, 9);
    flashsim_close(sim);
}

static void test_bad_geometry_is_refused(void **state)
{
    (void)state;
    assert_null(flashsim_open(NULL, 0, BLOCK, UNIT));
    assert_null(flashsim_open(NULL, SIZE + 1, BLOCK, UNIT));
    assert_null(flashsim_open(NULL, SIZE, 0, UNIT));
    assert_null(flashsim_open(NULL, SIZE, BLOCK, 0));
    assert_null(flashsim_open(NULL, SIZE, BLOCK, 3));
}

/* Each torn byte r of a program of new over old: old & new <= r <= old. */
static void assert_torn_program_bounds(const uint8_t *old, const uint8_t *new,
                                       const uint8_t *r, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        assert_int_equal(r[i] & ~old[i] & 0xFF, 0);
        assert_int_equal(r[i] & (old[i] & new[i]), old[i] & new[i]);
    }
}

/* Three good programs, then a cut during the fourth (256 bytes at 1024). */
static void run_cut_program(struct flashsim *sim, uint64_t seed)
{
    const struct cfota_flash *f = flashsim_flash(sim);
    uint8_t data[256];
    int i;
    fill_pattern(data, sizeof data, 9);
    flashsim_set_power_cut(sim, 3, seed);
    for (i = 0; i < 3; i++)
        assert_int_equal(f->prog(f->ctx, (uint32_t)i * 256, data, 256), 0);
    assert_true(flashsim_powered(sim));
    assert_int_equal(f->prog(f->ctx, 1024, data, 256), CFOTA_E_IO);
    assert_false(flashsim_powered(sim));
}

/* Whether a torn program looks like a sequential write that stopped:
 * bytes before some k fully programmed, bytes after k untouched. */
static int is_sequential_tear(const uint8_t *old, const uint8_t *new,
                              const uint8_t *r, size_t len)
{
    size_t k = 0, i;
    while (k < len && r[k] == (old[k] & new[k]))
        k++;
    for (i = k + 1; i < len; i++)
        if (r[i] != old[i])
            return 0;
    return 1;
}

static void test_cut_tears_a_program_and_fails_later_calls(void **state)
{
    uint8_t data[256], old[256], buf[4];
    int strictly_between = 0, sequential = 0;
    uint64_t seed;
    (void)state;
    fill_pattern(data, sizeof data, 9);
    memset(old, 0xFF, sizeof old);

    for (seed = 1; seed <= 16; seed++) {
        struct flashsim *sim = open_ram();
        const struct cfota_flash *f = flashsim_flash(sim);
        uint8_t *d = flashsim_data(sim);
        uint8_t torn[256];
        run_cut_program(sim, seed);
        assert_memory_equal(d + 512, data, 256);  /* before the cut: done */
        assert_torn_program_bounds(old, data, d + 1024, 256);
        assert_true(all_bytes(d + 1280, SIZE - 1280, 0xFF));
        if (memcmp(d + 1024, old, 256) != 0 && memcmp(d + 1024, data, 256) != 0)
            strictly_between++;
        sequential += is_sequential_tear(old, data, d + 1024, 256);
        assert_int_equal(flashsim_stats(sim)->ops, 4);
        assert_int_equal(flashsim_stats(sim)->programs, 4);

        /* Power off: everything fails and nothing changes. */
        memcpy(torn, d + 1024, 256);
        assert_int_equal(f->read(f->ctx, 0, buf, 4), CFOTA_E_IO);
        assert_int_equal(f->prog(f->ctx, 2048, data, 4), CFOTA_E_IO);
        assert_int_equal(f->erase(f->ctx, 0), CFOTA_E_IO);
        assert_int_equal(flashsim_stats(sim)->ops, 4);
        assert_int_equal(flashsim_erase_count(sim, 0), 0);
        assert_true(all_bytes(d + 2048, 4, 0xFF));
        /* Misuse is still reported as such. */
        assert_int_equal(f->erase(f->ctx, 1), CFOTA_E_INVAL);

        /* Power back: the torn bytes stay; calls work; no further cut. */
        flashsim_power_on(sim);
        assert_true(flashsim_powered(sim));
        assert_memory_equal(d + 1024, torn, 256);
        assert_int_equal(f->read(f->ctx, 1024, buf, 4), 0);
        assert_memory_equal(buf, torn, 4);
        assert_int_equal(f->erase(f->ctx, 0), 0);
        assert_int_equal(f->prog(f->ctx, 0, data, 256), 0);
        assert_true(flashsim_powered(sim));
        flashsim_close(sim);
    }
    /* A cut is really partial for most seeds, not all-or-nothing. */
    assert_true(strictly_between >= 8);
    /* Both patterns of docs/flashsim.md occur. */
    assert_true(sequential >= 1 && sequential <= 15);
}

static void test_cut_tears_an_erase(void **state)
{
    struct flashsim *sim = open_ram();
    const struct cfota_flash *f = flashsim_flash(sim);
    uint8_t zeros[BLOCK], old[BLOCK];
    uint8_t *d = flashsim_data(sim);
    size_t i, ff = 0;
    (void)state;

    memset(zeros, 0, sizeof zeros);
    fill_pattern(old, sizeof old, 3);
    assert_int_equal(flashsim_write_raw(sim, BLOCK, old, BLOCK), 0);
    assert_int_equal(f->prog(f->ctx, 2 * BLOCK, zeros, BLOCK), 0);
    flashsim_set_power_cut(sim, 0, 42);
    assert_int_equal(f->erase(f->ctx, BLOCK), CFOTA_E_IO);
    assert_false(flashsim_powered(sim));
    for (i = 0; i < BLOCK; i++) {
        /* Erasing only sets bits. */
        assert_int_equal(d[BLOCK + i] & old[i], old[i]);
        ff += d[BLOCK + i] == 0xFF;
    }
    assert_true(ff > 0 && ff < BLOCK);
    assert_true(all_bytes(d, BLOCK, 0xFF));
    assert_true(all_bytes(d + 2 * BLOCK, BLOCK, 0x00));
    assert_int_equal(flashsim_erase_count(sim, 1), 1);
    assert_int_equal(flashsim_stats(sim)->erases, 1);
    flashsim_close(sim);
}

static void test_same_seed_same_torn_bytes(void **state)
{
    struct flashsim *a = open_ram(), *b = open_ram(), *c = open_ram();
    (void)state;
    run_cut_program(a, 7);
    run_cut_program(b, 7);
    run_cut_program(c, 8);
    assert_memory_equal(flashsim_data(a), flashsim_data(b), SIZE);
    assert_memory_not_equal(flashsim_data(a), flashsim_data(c), SIZE);
    flashsim_close(a);
    flashsim_close(b);
    flashsim_close(c);
}

static void test_cut_can_be_disarmed(void **state)
{
    struct flashsim *sim = open_ram();
    const struct cfota_flash *f = flashsim_flash(sim);
    int i;
    (void)state;
    flashsim_set_power_cut(sim, 1, 1);
    flashsim_set_power_cut(sim, FLASHSIM_NO_CUT, 1);
    for (i = 0; i < 4; i++)
        assert_int_equal(f->erase(f->ctx, (uint32_t)i * BLOCK), 0);
    flashsim_set_power_cut(sim, 0, 1);
    flashsim_power_on(sim);  /* also disarms */
    assert_int_equal(f->erase(f->ctx, 0), 0);
    assert_true(flashsim_powered(sim));
    flashsim_close(sim);
}

/* ---- file-backed device ---- */

struct tmp {
    char dir[64];
    char path[96];
    char wear[104];
};

static void tmp_make(struct tmp *t)
{
    strcpy(t->dir, "/tmp/cfota-flashsim-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/flash.bin", t->dir);
    snprintf(t->wear, sizeof t->wear, "%s.wear", t->path);
}

static void tmp_remove(struct tmp *t)
{
    unlink(t->path);
    unlink(t->wear);
    rmdir(t->dir);
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

static void test_file_backed_device_persists(void **state)
{
    struct tmp t;
    struct flashsim *sim;
    const struct cfota_flash *f;
    uint8_t data[128];
    uint8_t copy[SIZE];
    (void)state;
    tmp_make(&t);
    fill_pattern(data, sizeof data, 5);

    sim = flashsim_open(t.path, SIZE, BLOCK, UNIT);
    assert_non_null(sim);
    assert_int_equal(file_size(t.path), SIZE);
    assert_int_equal(file_size(t.wear), 4 * (SIZE / BLOCK));
    assert_true(all_bytes(flashsim_data(sim), SIZE, 0xFF));
    f = flashsim_flash(sim);
    assert_int_equal(f->erase(f->ctx, 0), 0);
    assert_int_equal(f->erase(f->ctx, 0), 0);
    assert_int_equal(f->erase(f->ctx, 3 * BLOCK), 0);
    assert_int_equal(f->prog(f->ctx, 64, data, sizeof data), 0);
    /* A torn operation is persisted as torn. */
    flashsim_set_power_cut(sim, 0, 99);
    assert_int_equal(f->prog(f->ctx, 2 * BLOCK, data, sizeof data),
                     CFOTA_E_IO);
    memcpy(copy, flashsim_data(sim), SIZE);
    flashsim_close(sim);

    /* Reopen, size taken from the file. */
    sim = flashsim_open(t.path, 0, BLOCK, UNIT);
    assert_non_null(sim);
    assert_int_equal(flashsim_size(sim), SIZE);
    assert_true(flashsim_powered(sim));
    assert_memory_equal(flashsim_data(sim), copy, SIZE);
    assert_memory_equal(flashsim_data(sim) + 64, data, sizeof data);
    assert_int_equal(flashsim_erase_count(sim, 0), 2);
    assert_int_equal(flashsim_erase_count(sim, 1), 0);
    assert_int_equal(flashsim_erase_count(sim, 3), 1);
    assert_int_equal(flashsim_stats(sim)->ops, 0);  /* stats are per open */
    flashsim_close(sim);

    /* The file is the raw device image. */
    {
        FILE *fp = fopen(t.path, "rb");
        uint8_t raw[SIZE];
        assert_non_null(fp);
        assert_int_equal(fread(raw, 1, SIZE, fp), SIZE);
        fclose(fp);
        assert_memory_equal(raw, copy, SIZE);
    }
    tmp_remove(&t);
}

/* The process dies without closing: every operation is already on file. */
static void test_killed_process_is_a_power_cut(void **state)
{
    struct tmp t;
    struct flashsim *sim;
    uint8_t data[64];
    int status;
    pid_t pid;
    (void)state;
    tmp_make(&t);
    fill_pattern(data, sizeof data, 11);

    pid = test_fork();
    if (pid == 0) {
        struct flashsim *child = flashsim_open(t.path, SIZE, BLOCK, UNIT);
        const struct cfota_flash *f;
        if (child == NULL)
            _exit(2);
        f = flashsim_flash(child);
        if (f->erase(f->ctx, BLOCK) != 0 || f->erase(f->ctx, BLOCK) != 0 ||
            f->prog(f->ctx, BLOCK + 16, data, sizeof data) != 0)
            _exit(3);
        _exit(0);  /* no flashsim_close(), no flush */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    test_reaped(pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    sim = flashsim_open(t.path, SIZE, BLOCK, UNIT);
    assert_non_null(sim);
    assert_memory_equal(flashsim_data(sim) + BLOCK + 16, data, sizeof data);
    assert_int_equal(flashsim_erase_count(sim, 1), 2);
    flashsim_close(sim);
    tmp_remove(&t);
}

static void test_short_file_is_extended_long_one_refused(void **state)
{
    struct tmp t;
    struct flashsim *sim;
    uint8_t head[100];
    FILE *fp;
    (void)state;
    tmp_make(&t);
    fill_pattern(head, sizeof head, 2);
    fp = fopen(t.path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);

    sim = flashsim_open(t.path, SIZE, BLOCK, UNIT);
    assert_non_null(sim);
    assert_int_equal(file_size(t.path), SIZE);
    assert_memory_equal(flashsim_data(sim), head, sizeof head);
    assert_true(all_bytes(flashsim_data(sim) + 100, SIZE - 100, 0xFF));
    assert_int_equal(flashsim_erase_count(sim, 0), 0);
    flashsim_close(sim);

    assert_null(flashsim_open(t.path, SIZE / 2, BLOCK, UNIT));
    assert_null(flashsim_open(t.path, 0, 3 * BLOCK, UNIT));  /* not whole */
    assert_null(flashsim_open("/nonexistent-dir/x/flash.bin", SIZE, BLOCK,
                              UNIT));
    tmp_remove(&t);
}

static void test_write_raw(void **state)
{
    struct flashsim *sim = open_ram();
    uint8_t v[3] = {0x12, 0xFF, 0x00};
    (void)state;
    flashsim_set_power_cut(sim, 0, 1);
    assert_int_equal(flashsim_flash(sim)->erase(flashsim_flash(sim)->ctx, 0),
                     CFOTA_E_IO);
    /* Works with power off and can set bits back to 1: a programmer. */
    assert_int_equal(flashsim_write_raw(sim, SIZE - 3, v, 3), 0);
    assert_memory_equal(flashsim_data(sim) + SIZE - 3, v, 3);
    assert_int_equal(flashsim_write_raw(sim, SIZE - 2, v, 3), CFOTA_E_INVAL);
    assert_int_equal(flashsim_write_raw(sim, 0, NULL, 3), CFOTA_E_INVAL);
    assert_int_equal(flashsim_stats(sim)->violations, 0);
    assert_int_equal(flashsim_stats(sim)->ops, 1);
    flashsim_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erase_and_program),
        cmocka_unit_test(test_program_ands_and_counts_violations),
        cmocka_unit_test(test_bad_calls_are_rejected_and_counted),
        cmocka_unit_test(test_bad_geometry_is_refused),
        cmocka_unit_test(test_cut_tears_a_program_and_fails_later_calls),
        cmocka_unit_test(test_cut_tears_an_erase),
        cmocka_unit_test(test_same_seed_same_torn_bytes),
        cmocka_unit_test(test_cut_can_be_disarmed),
        cmocka_unit_test(test_file_backed_device_persists),
        cmocka_unit_test(test_killed_process_is_a_power_cut),
        cmocka_unit_test(test_short_file_is_extended_long_one_refused),
        cmocka_unit_test(test_write_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
