/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_decoder_bounds.c: the decoder's memory, measured.
 *
 * The device that applies a package may have a few kilobytes of RAM, so
 * cfota/decoder.h promises numbers: struct cfota_dec is at most
 * CFOTA_DEC_RAM_MAX bytes, cfota_dec_sink needs at most
 * CFOTA_DEC_STACK_MAX bytes of stack, and the two together stay within
 * 4 KiB; cfota/update.h promises struct cfota_update within
 * CFOTA_UPDATE_RAM_MAX. Sizes are sizeof. The stack is measured for real
 * by painting: a thread runs on a 64 KiB stack of ours; it fills the
 * unused part of its stack below its stack pointer with a pattern, then a
 * helper feeds a whole package to cfota_dec_sink (the callbacks
 * included: on a device they are part of the path), and afterwards the
 * lowest byte no longer holding the pattern marks the deepest point the
 * decode reached. The depth counts from the helper's stack pointer at the
 * call, so the return address of the call is included.
 *
 * Under AddressSanitizer the compiler gives every frame red zones, so the
 * figure is not the decoder's; a sanitized build (CFOTA_SANITIZE, CI's
 * second run) still measures and prints it but holds it only to the
 * thread's stack. The bounds are asserted in the normal build.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign, pthread_attr_setstack */

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfota/decoder.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/update.h"
#include "dec_rig.h"
#include "encoder.h"
#include "fwgen.h"
#include "support.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#if SANITIZED
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define NO_ASAN
#endif

#define THREAD_STACK (64u * 1024u)
#define PAINT 0xC5u
/* Left unpainted: just below the thread function's stack pointer (its
 * calls' frames start there) and at the very bottom (guard). */
#define PAINT_MARGIN 256u

/* ---- the stack pointer ---- */

/* The current stack pointer. Exact where inline assembly knows the
 * register; elsewhere the address of a local, off by a frame's size. */
static inline uintptr_t stack_pointer(void)
{
#if defined(__x86_64__)
    uintptr_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    return sp;
#elif defined(__aarch64__)
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
#elif defined(__arm__)
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
#else
    volatile char here;
    return (uintptr_t)&here;
#endif
}

/* ---- a decode job, run on its own stack ---- */

struct job {
    struct cfota_dec *d; /* initialised, ready for the payload */
    const uint8_t *pkg;
    size_t pos, end;
    int rc;
    unsigned checkpoints;
    /* Measurement. */
    uint8_t *stack_lo;   /* lowest address of the thread's stack */
    uintptr_t paint_lo, paint_hi; /* painted [lo, hi) */
    uintptr_t sp_call;   /* the helper's stack pointer at its calls */
    uintptr_t lowest;    /* lowest byte found changed */
};

/* Feed the whole payload; everything it needs is in *j already, so the
 * only frames below this one are the decoder's and its callbacks'. */
static __attribute__((noinline)) void run_decode(struct job *j)
{
    int rc;
    j->sp_call = stack_pointer();
    do {
        size_t used = 0;
        rc = cfota_dec_sink(j->d, j->pkg + j->pos, j->end - j->pos, &used);
        j->pos += used;
        if (rc == CFOTA_CHECKPOINT)
            j->checkpoints++;
    } while (rc == CFOTA_CHECKPOINT || (rc == CFOTA_MORE && j->pos < j->end));
    j->rc = rc;
}

static NO_ASAN void *decode_thread(void *arg)
{
    struct job *j = arg;
    volatile uint8_t *p;
    uintptr_t sp = stack_pointer();
    /* Paint what is free below us. A plain volatile loop: a call (to
     * memset) would put its own frame in the region being painted. */
    j->paint_lo = (uintptr_t)j->stack_lo + PAINT_MARGIN;
    j->paint_hi = sp - PAINT_MARGIN;
    for (p = (volatile uint8_t *)j->paint_lo; (uintptr_t)p < j->paint_hi; p++)
        *p = PAINT;
    run_decode(j);
    for (p = (volatile uint8_t *)j->paint_lo; (uintptr_t)p < j->paint_hi && *p == PAINT; p++)
        ;
    j->lowest = (uintptr_t)p;
    return NULL;
}

/* Decode pkg on a fresh painted stack; returns the stack depth of the
 * decode path in bytes. Checks the image decoded right. */
static size_t measure_decode(const char *what, const uint8_t *old, size_t old_len, const struct bytes *new_,
                             const struct bytes *pkg)
{
    struct cfota_header h;
    struct cfota_dec *d = malloc(sizeof *d);
    struct dec_rig r;
    struct cfota_io io;
    struct job j;
    pthread_attr_t attr;
    pthread_t t;
    void *stack = NULL;
    size_t depth, warm_pos;
    unsigned ncp = 0;
    assert_non_null(d);
    assert_int_equal(cfota_header_parse(&h, pkg->p, pkg->n), CFOTA_OK);

    /* A first decode on the main thread resolves every lazily bound
     * library call (memcpy and the like) of the path, whose one-time
     * resolver would otherwise weigh on the measurement. */
    rig_open(&r, &h, old, old_len, pkg->p, pkg->n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(d, &h, &io), CFOTA_OK);
    warm_pos = h.header_size;
    assert_int_equal(rig_feed(d, pkg->p, &warm_pos, (size_t)h.header_size + h.payload_size, 0, NULL, NULL, &ncp),
                     CFOTA_DONE);
    rig_close(&r);

    rig_open(&r, &h, old, old_len, pkg->p, pkg->n);
    io = rig_io(&r);
    assert_int_equal(cfota_dec_init(d, &h, &io), CFOTA_OK);
    memset(&j, 0, sizeof j);
    j.d = d;
    j.pkg = pkg->p;
    j.pos = h.header_size;
    j.end = (size_t)h.header_size + h.payload_size;
    assert_int_equal(posix_memalign(&stack, 4096, THREAD_STACK), 0);
    j.stack_lo = stack;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstack(&attr, stack, THREAD_STACK), 0);
    assert_int_equal(pthread_create(&t, &attr, decode_thread, &j), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);

    assert_int_equal(j.rc, CFOTA_DONE);
    assert_int_equal(j.checkpoints, ncp);
    assert_int_equal(r.violations, 0);
    assert_int_equal(r.target_len, new_->n);
    assert_memory_equal(r.out, new_->p, new_->n);
    /* The measurement is meaningful: the helper ran inside the painted
     * region's range, the decode touched it, and did not reach its floor. */
    assert_true(j.sp_call < j.paint_hi + PAINT_MARGIN && j.sp_call > j.paint_lo);
    assert_true(j.lowest < j.sp_call);
    assert_true(j.lowest > j.paint_lo);
    depth = j.sp_call - j.lowest;
    print_message("%-44s stack of the decode path: %zu bytes\n", what, depth);
    rig_close(&r);
    free(stack);
    free(d);
    return depth;
}

/* ---- tests ---- */

static void test_struct_sizes(void **state)
{
    (void)state;
    print_message("sizeof(struct cfota_dec) = %zu bytes (limit %u)\n", sizeof(struct cfota_dec), CFOTA_DEC_RAM_MAX);
    print_message("sizeof(struct cfota_update) = %zu bytes (limit %u)\n", sizeof(struct cfota_update),
                  CFOTA_UPDATE_RAM_MAX);
    assert_true(sizeof(struct cfota_dec) <= CFOTA_DEC_RAM_MAX);
    assert_true(sizeof(struct cfota_update) <= CFOTA_UPDATE_RAM_MAX);
    assert_true(CFOTA_DEC_RAM_MAX <= 4096u); /* the budget */
}

/* The deepest stack of decoding old -> new as a delta, an in-place
 * package (ordered segments) and a full image; what names the pair. */
static size_t stack_depth_of(const char *what, const struct bytes *old, const struct bytes *new_)
{
    static const char *const kinds[] = {"delta", "in place (ordered)", "full image"};
    struct bytes pkg = {0};
    struct cfota_encode_opts o;
    char label[128];
    size_t depth, worst = 0;
    unsigned k;
    for (k = 0; k < 3; k++) {
        memset(&o, 0, sizeof o);
        o.in_place = k == 1;
        o.segment_size = k == 1 ? 4096 : 0;
        o.no_base = k == 2;
        pkg.n = 0;
        assert_int_equal(cfota_encode(k == 2 ? NULL : old->p, k == 2 ? 0 : old->n, new_->p, new_->n, &o, &pkg), 0);
        snprintf(label, sizeof label, "%s, %s", what, kinds[k]);
        depth = measure_decode(label, k == 2 ? NULL : old->p, k == 2 ? 0 : old->n, new_, &pkg);
        worst = depth > worst ? depth : worst;
    }
    bytes_free(&pkg);
    return worst;
}

static void check_stack(size_t worst)
{
    print_message("decoder RAM: struct %zu + stack %zu = %zu bytes (limits: stack %u, total 4096)%s\n",
                  sizeof(struct cfota_dec), worst, sizeof(struct cfota_dec) + worst, CFOTA_DEC_STACK_MAX,
                  SANITIZED ? "; sanitized build: stack figure inflated, bounds not asserted" : "");
#if SANITIZED
    assert_true(worst < THREAD_STACK);
#else
    assert_true(worst <= CFOTA_DEC_STACK_MAX);
    assert_true(sizeof(struct cfota_dec) + worst <= 4096u);
#endif
}

/* Two pairs of releases of the example firmware (Thumb-2 prediction),
 * and a generated ESP8266 pair (Xtensa prediction: its recogniser's
 * frame is on the path too). */
static void test_stack_depth(void **state)
{
    struct bytes v1 = {0}, v2 = {0}, v3 = {0}, e1 = {0}, e2 = {0};
    size_t a, b, c;
    (void)state;
    image_load(M4APP_V1, &v1);
    image_load(M4APP_V2, &v2);
    image_load(M4APP_V3, &v3);
    assert_int_equal(fwgen_make((size_t)fwgen_case_find("esp8266-move"), 64, 7, &e1, &e2), 0);
    a = stack_depth_of("m4app 1 -> 2", &v1, &v2);
    b = stack_depth_of("m4app 2 -> 3", &v2, &v3);
    c = stack_depth_of("fwgen esp8266-move", &e1, &e2);
    a = a > b ? a : b;
    check_stack(a > c ? a : c);
    bytes_free(&v1);
    bytes_free(&v2);
    bytes_free(&v3);
    bytes_free(&e1);
    bytes_free(&e2);
}

/* Corpus tier: bigger firmware of other vendors. */
static void test_stack_depth_corpus(void **state)
{
    static const char *const pairs[] = {"k64f-blinky-old-new", "sam3x-synthesizer-1-2"};
    size_t worst = 0, depth;
    unsigned i;
    (void)state;
    for (i = 0; i < 2; i++) {
        struct bytes old = {0}, new_ = {0};
        corpus_load(pairs[i], "old.bin", &old);
        corpus_load(pairs[i], "new.bin", &new_);
        depth = stack_depth_of(pairs[i], &old, &new_);
        worst = depth > worst ? depth : worst;
        bytes_free(&old);
        bytes_free(&new_);
    }
    check_stack(worst);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_struct_sizes),
        cmocka_unit_test(test_stack_depth),
    };
    const struct CMUnitTest corpus_tests[] = {
        cmocka_unit_test(test_stack_depth_corpus),
    };
    return TEST_TIERS(argc, argv, tests, corpus_tests);
}
