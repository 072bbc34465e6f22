/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/dec_stack.c: measures the RAM the streaming decoder really needs on
 * a host: sizeof(struct cfota_dec) and the deepest stack its calls reach.
 *
 * The decoder's header (include/cfota/decoder.h) promises a bounded struct
 * and a small, recursion-free call chain. -fstack-usage gives a static
 * figure per function; this program gives the measured one: it decodes a
 * real package inside a thread whose stack it owns, paints the unused part
 * of that stack with a pattern just before the decoder calls, and after
 * them looks for the lowest byte that is no longer the pattern. The
 * distance from the stack pointer at the call site to that byte is what
 * the decoder calls (cfota_dec_init, cfota_dec_sink, cfota_dec_checkpoint,
 * cfota_dec_resume, with the libc memcpy/memset/memmove they call and the
 * return address of the call itself) used.
 *
 * The I/O callbacks run on the same stack, below the decoder's frames. So
 * that they add nothing to the figure they copy with a plain volatile byte
 * loop: a leaf function without a frame (check with objdump -d if you
 * change the compiler), unlike a call to memcpy, which would push a
 * return address. The deepest stack pointer seen on entry to a callback is
 * reported too, as a cross-check: it can never exceed the painted figure.
 *
 * It also times the decoder alone (no process start-up, no file I/O, no
 * SHA-256): the fastest of three decodes of the whole package in memory,
 * outside the painted region, with memcpy callbacks.
 *
 * Each package is decoded several times, feeding it in chunks of 1 byte,
 * 7 bytes, 64 bytes, 1000 bytes and all at once, and once more restarting
 * with cfota_dec_resume() at every checkpoint as a device would after a
 * reset; each of those runs twice with two paint patterns (a byte the
 * decoder happens to store that equals the pattern cannot hide the real
 * high-water mark in both). Every run's output is compared with the
 * expected image. The figure printed is the maximum over all runs.
 *
 * Usage:
 *   dec_stack OLD PKG NEW     measure; prints "key value" lines:
 *                             sizeof_cfota_dec, stack_max (bytes),
 *                             stack_at_callback (bytes), decode_seconds
 *   dec_stack --synth OLD NEW write a deterministic synthetic image pair
 * Exit status: 0 measured and every output matched NEW; 1 otherwise.
 *
 * Built by bench/delta.sh with the host compiler against libcfota.a (the device library);
 * it needs POSIX threads, and reads the stack pointer with one line of
 * inline assembly on x86-64 and AArch64 (elsewhere the address of a local
 * stands in, a few bytes less exact). Link it with -Wl,-z,now: with lazy
 * binding the first call to memcpy runs the dynamic linker's resolver on
 * the measured stack, and it saves the vector registers there (about 3 KB
 * on x86-64), which has nothing to do with the decoder.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfota/decoder.h"
#include "cfota/package.h"
#include "cfota/status.h"

#define THREAD_STACK (512u * 1024u) /* the measuring thread's whole stack */
#define STACK_LIMIT (64u * 1024u)   /* decoder depth beyond this: a failure */

struct image {
    uint8_t *data;
    size_t len;
};

/* One measured decode. */
struct run {
    const struct image *old, *pkg, *expect;
    struct cfota_header hdr;
    struct cfota_dec dec;
    uint8_t *out;      /* target image being written */
    size_t chunk;      /* package bytes per cfota_dec_sink call */
    int resume;        /* restart with cfota_dec_resume at each checkpoint */
    uint8_t pattern;   /* paint byte */
    uint8_t *stack_lo; /* lowest address of the thread's stack */
    uintptr_t sp_call; /* stack pointer at the decoder call sites */
    uintptr_t sp_cb_min; /* lowest stack pointer seen in a callback */
    size_t depth;      /* result: painted high-water mark, bytes */
    int status;        /* result: CFOTA_DONE or what went wrong */
};

/* The current stack pointer; inline, so it is the caller's. */
static inline uintptr_t stack_pointer(void)
{
    uintptr_t sp;
#if defined(__x86_64__)
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
    volatile char here = 0;
    sp = (uintptr_t)&here;
#endif
    return sp;
}

/* ---- I/O callbacks: frameless leaves (see the paragraph at the top) ---- */

static inline __attribute__((always_inline)) void copy_bytes(volatile uint8_t *dst, const volatile uint8_t *src, uint32_t len)
{
    while (len--)
        *dst++ = *src++;
}

static inline __attribute__((always_inline)) void note_callback_sp(struct run *r)
{
    uintptr_t sp = stack_pointer();
    if (sp < r->sp_cb_min)
        r->sp_cb_min = sp;
}

static int read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    note_callback_sp(r);
    if (off > r->old->len || len > r->old->len - off)
        return -1;
    copy_bytes(buf, r->old->data + off, len);
    return 0;
}

static int read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    note_callback_sp(r);
    if (off > r->pkg->len || len > r->pkg->len - off)
        return -1;
    copy_bytes(buf, r->pkg->data + off, len);
    return 0;
}

static int read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    note_callback_sp(r);
    if (off > r->hdr.target_size || len > r->hdr.target_size - off)
        return -1;
    copy_bytes(buf, r->out + off, len);
    return 0;
}

static int write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    note_callback_sp(r);
    if (off > r->hdr.target_size || len > r->hdr.target_size - off)
        return -1;
    copy_bytes(r->out + off, buf, len);
    return 0;
}

/* Callbacks for the timed decode: plain memcpy, as a device's flash
 * driver would do its best. Not used while the stack is measured. */
static int fast_read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    if (off > r->old->len || len > r->old->len - off)
        return -1;
    memcpy(buf, r->old->data + off, len);
    return 0;
}

static int fast_read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    if (off > r->pkg->len || len > r->pkg->len - off)
        return -1;
    memcpy(buf, r->pkg->data + off, len);
    return 0;
}

static int fast_read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    if (off > r->hdr.target_size || len > r->hdr.target_size - off)
        return -1;
    memcpy(buf, r->out + off, len);
    return 0;
}

static int fast_write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct run *r = ctx;
    if (off > r->hdr.target_size || len > r->hdr.target_size - off)
        return -1;
    memcpy(r->out + off, buf, len);
    return 0;
}

/* ---- the measured region ---- */

/* Feed the whole payload to the decoder as r asks. Only decoder calls and
 * register arithmetic happen here, so below the stack pointer only the
 * decoder (and the callbacks it calls) write. Inlined into
 * measured_decode: a call to it would put its own frame in the figure. */
static inline __attribute__((always_inline)) int decode_all(struct run *r,
                                                              const struct cfota_io *io)
{
    const uint8_t *pkg = r->pkg->data;
    size_t end = (size_t)r->hdr.header_size + r->hdr.payload_size;
    size_t pos = r->hdr.header_size;
    int rc = cfota_dec_init(&r->dec, &r->hdr, io);
    if (rc != CFOTA_OK)
        return rc;
    for (;;) {
        size_t n = end - pos, used = 0;
        if (n > r->chunk)
            n = r->chunk;
        rc = cfota_dec_sink(&r->dec, pkg + pos, n, &used);
        pos += used;
        if (rc == CFOTA_DONE)
            return rc;
        if (rc == CFOTA_CHECKPOINT && r->resume) {
            /* What a device keeps with the checkpoint: the carried models
             * of a package with carry slots (cfota_dec_carry), put back
             * after the resume as the engine does from them. */
            static struct cfota_carry saved;
            struct cfota_checkpoint cp;
            cfota_dec_checkpoint(&r->dec, &cp);
            memcpy(&saved, cfota_dec_carry(&r->dec), CFOTA_CARRY_SIZE);
            rc = cfota_dec_resume(&r->dec, &r->hdr, io, &cp);
            if (rc != CFOTA_OK)
                return rc;
            if (cfota_carry_slots(r->hdr.flags) && cp.segment > 0)
                memcpy(cfota_dec_carry(&r->dec), &saved, CFOTA_CARRY_SIZE);
            cfota_dec_checkpoint(&r->dec, &cp); /* a replay starts over */
            pos = cp.in_pos;
            continue;
        }
        if (rc == CFOTA_CHECKPOINT)
            continue;
        if (rc != CFOTA_MORE)
            return rc;
        if (pos == end && n == 0)
            return CFOTA_E_TRUNCATED; /* the decoder wants bytes there are not */
    }
}

/* Paint, decode, scan. noinline so that its frame sits above everything
 * it paints. */
static __attribute__((noinline)) void measured_decode(struct run *r)
{
    struct cfota_io io;
    volatile uint8_t *p;
    uintptr_t sp = stack_pointer();
    uint8_t *floor = r->stack_lo + 4096; /* never painted: a guard margin */

    io.ctx = r;
    io.read_old = read_old;
    io.read_new = read_new;
    io.write_new = write_new;
    io.read_pkg = read_pkg;
    r->sp_call = sp;
    r->sp_cb_min = sp;
    /* A volatile store loop, not memset: a call would push a return
     * address into the region being painted. */
    for (p = floor; (uintptr_t)p < sp; p++)
        *p = r->pattern;
    r->status = decode_all(r, &io);
    for (p = floor; (uintptr_t)p < sp && *p == r->pattern; p++)
        ;
    r->depth = sp - (uintptr_t)p;
    if ((uint8_t *)p == floor)
        r->status = CFOTA_E_NOSPC; /* the paint ran out: no figure */
}

static void *measure_thread(void *arg)
{
    measured_decode(arg);
    return NULL;
}

/* Run r in a thread with a stack of our own. Returns 0 or -1. */
static int run_in_thread(struct run *r)
{
    pthread_attr_t attr;
    pthread_t tid;
    void *stack = NULL;
    int ok;
    if (posix_memalign(&stack, 4096, THREAD_STACK))
        return -1;
    r->stack_lo = stack;
    ok = !pthread_attr_init(&attr) && !pthread_attr_setstack(&attr, stack, THREAD_STACK) &&
         !pthread_create(&tid, &attr, measure_thread, r) && !pthread_join(tid, NULL);
    pthread_attr_destroy(&attr);
    free(stack);
    return ok ? 0 : -1;
}

/* ---- files ---- */

static int load(const char *path, struct image *img)
{
    FILE *f = fopen(path, "rb");
    long n;
    img->data = NULL;
    img->len = 0;
    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return -1;
    }
    img->data = malloc(n ? (size_t)n : 1);
    img->len = (size_t)n;
    if (!img->data || fread(img->data, 1, img->len, f) != img->len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static int save(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f))
        ok = 0;
    return ok ? 0 : -1;
}

/* ---- synthetic image pair ---- */

static uint32_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 32);
}

/* A firmware-like base image: code-like bytes from a small alphabet,
 * pointer tables, repeated blocks and erased (0xFF) gaps. */
static size_t synth_old(uint8_t *o, size_t cap, uint64_t *s)
{
    size_t n = 0;
    while (n + 4096 <= cap) {
        uint32_t kind = xorshift(s) % 8, len = 512 + xorshift(s) % 3072, i;
        for (i = 0; i < len; i++, n++) {
            if (kind < 4)
                o[n] = (uint8_t)("\x00\x20\x46\x68\xb5\xbd\xf0\x4b\x01\x10"[xorshift(s) % 10] +
                                 (xorshift(s) % 4 == 0 ? xorshift(s) % 8 : 0));
            else if (kind < 6)
                o[n] = (uint8_t)((i & 3) == 3 ? 0x08 : (i & 3) == 2 ? 0x01 : (n >> (8 * (i & 1))));
            else if (kind == 6 && n >= 8192)
                o[n] = o[n - 8192 + (i % 700)];
            else
                o[n] = 0xFF;
        }
    }
    return n;
}

/* The next release: inserted and deleted code, a moved block, pointers
 * shifted by the insertion, scattered single-byte changes, a new tail. */
static size_t synth_new(const uint8_t *o, size_t olen, uint8_t *w, uint64_t *s)
{
    size_t n = 0, i;
    memcpy(w, o, 10000);
    n = 10000;
    for (i = 0; i < 1500; i++)
        w[n++] = (uint8_t)xorshift(s);
    memcpy(w + n, o + 10000, 40000);
    n += 40000;
    memcpy(w + n, o + 50600, 30000); /* 600 bytes deleted */
    n += 30000;
    for (i = 0; i + 4 <= 20000; i += 4, n += 4) {
        uint32_t v = (uint32_t)o[80600 + i] | (uint32_t)o[80601 + i] << 8 |
                     (uint32_t)o[80602 + i] << 16 | (uint32_t)o[80603 + i] << 24;
        v += 0x5DC; /* every pointer moved by the 1500-byte insertion */
        w[n] = (uint8_t)v;
        w[n + 1] = (uint8_t)(v >> 8);
        w[n + 2] = (uint8_t)(v >> 16);
        w[n + 3] = (uint8_t)(v >> 24);
    }
    memcpy(w + n, o + 140000, 8192); /* a block moved forward */
    n += 8192;
    memcpy(w + n, o + 100600, olen - 100600);
    for (i = 0; i < olen - 100600; i += 97)
        w[n + i] ^= (uint8_t)(1u << (xorshift(s) % 8));
    n += olen - 100600;
    for (i = 0; i < 9000; i++)
        w[n++] = (uint8_t)(xorshift(s) % 64);
    return n;
}

static int make_synth(const char *old_path, const char *new_path)
{
    static uint8_t o[200 * 1024], w[240 * 1024];
    uint64_t s = 0x9E3779B97F4A7C15ull;
    size_t olen = synth_old(o, sizeof o, &s);
    size_t nlen = synth_new(o, olen, w, &s);
    if (save(old_path, o, olen) || save(new_path, w, nlen)) {
        fprintf(stderr, "dec_stack: cannot write %s or %s\n", old_path, new_path);
        return 1;
    }
    return 0;
}

/* ---- measuring ---- */

/* Seconds of the fastest of three whole decodes (package fed at once,
 * memcpy callbacks, no painting), or a negative value on failure. */
static double time_decode(struct run *r)
{
    struct cfota_io io;
    double best = -1;
    int i;
    io.ctx = r;
    io.read_old = fast_read_old;
    io.read_new = fast_read_new;
    io.write_new = fast_write_new;
    io.read_pkg = fast_read_pkg;
    r->chunk = (size_t)-1;
    r->resume = 0;
    for (i = 0; i < 3; i++) {
        struct timespec t0, t1;
        double s;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (decode_all(r, &io) != CFOTA_DONE || memcmp(r->out, r->expect->data, r->expect->len))
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (best < 0 || s < best)
            best = s;
    }
    return best;
}

static int measure(const struct image *old, const struct image *pkg, const struct image *expect)
{
    static const size_t chunks[] = {1, 7, 64, 1000, (size_t)-1};
    static const uint8_t patterns[] = {0xA5, 0x5A};
    size_t max_depth = 0, max_cb = 0, c, k;
    double seconds;
    struct cfota_header hdr;
    int rc = cfota_header_parse(&hdr, pkg->data, pkg->len);
    if (rc != CFOTA_OK) {
        fprintf(stderr, "dec_stack: bad package header: %s\n", cfota_status_name(rc));
        return 1;
    }
    if (hdr.target_size != expect->len || (size_t)hdr.header_size + hdr.payload_size > pkg->len) {
        fprintf(stderr, "dec_stack: package does not match the NEW image's size\n");
        return 1;
    }
    for (c = 0; c <= sizeof chunks / sizeof chunks[0]; c++) {
        for (k = 0; k < sizeof patterns; k++) {
            struct run *r = calloc(1, sizeof *r);
            int bad;
            if (!r || !(r->out = calloc(1, hdr.target_size + 1))) {
                fprintf(stderr, "dec_stack: out of memory\n");
                return 1;
            }
            r->old = old;
            r->pkg = pkg;
            r->expect = expect;
            r->hdr = hdr;
            /* The extra last round: all at once, resuming at checkpoints. */
            r->resume = c == sizeof chunks / sizeof chunks[0];
            r->chunk = r->resume ? (size_t)-1 : chunks[c];
            r->pattern = patterns[k];
            if (run_in_thread(r)) {
                fprintf(stderr, "dec_stack: cannot run the measuring thread\n");
                return 1;
            }
            bad = r->status != CFOTA_DONE || memcmp(r->out, expect->data, expect->len) != 0;
            if (bad || r->depth > STACK_LIMIT) {
                fprintf(stderr, "dec_stack: run (chunk %zu%s) failed: %s\n", chunks[c < 5 ? c : 4],
                        r->resume ? ", resuming" : "",
                        r->status != CFOTA_DONE ? cfota_status_name(r->status) : "output differs");
                return 1;
            }
            if (r->depth > max_depth)
                max_depth = r->depth;
            if (r->sp_call - r->sp_cb_min > max_cb)
                max_cb = r->sp_call - r->sp_cb_min;
            free(r->out);
            free(r);
        }
    }
    {
        struct run *r = calloc(1, sizeof *r);
        if (!r || !(r->out = calloc(1, hdr.target_size + 1))) {
            fprintf(stderr, "dec_stack: out of memory\n");
            return 1;
        }
        r->old = old;
        r->pkg = pkg;
        r->expect = expect;
        r->hdr = hdr;
        seconds = time_decode(r);
        free(r->out);
        free(r);
        if (seconds < 0) {
            fprintf(stderr, "dec_stack: the timed decode failed\n");
            return 1;
        }
    }
    printf("sizeof_cfota_dec %zu\n", sizeof(struct cfota_dec));
    printf("stack_max %zu\n", max_depth);
    printf("stack_at_callback %zu\n", max_cb);
    printf("decode_seconds %.6f\n", seconds);
    if (max_cb > max_depth) {
        fprintf(stderr, "dec_stack: a callback ran deeper than the painted mark: bad measure\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct image old, pkg, expect;
    if (argc == 4 && !strcmp(argv[1], "--synth"))
        return make_synth(argv[2], argv[3]);
    if (argc != 4) {
        fprintf(stderr, "usage: dec_stack OLD PKG NEW | dec_stack --synth OLD NEW\n");
        return 1;
    }
    if (load(argv[1], &old) || load(argv[2], &pkg) || load(argv[3], &expect)) {
        fprintf(stderr, "dec_stack: cannot read %s, %s or %s\n", argv[1], argv[2], argv[3]);
        return 1;
    }
    return measure(&old, &pkg, &expect);
}
