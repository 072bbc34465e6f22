/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwgen/fwgen.c: the hard-case generator (fwgen/fwgen.h).
 *
 * A version of an image is a few sections, each a list of objects; an
 * object has an id (stable across versions), a kind, a size, a seed that
 * fixes its content and a variant that a "rebuild" bumps to change a few
 * of its constants. Rendering lays the sections out (addresses), then
 * emits each object; references (calls, literal-pool pointers, table
 * entries) name other objects by id and are resolved against the layout
 * of the version being rendered. A case is a base version plus edits on
 * the object lists.
 */
#include "fwgen.h"

#include <stdlib.h>
#include <string.h>

enum kind { K_FUNC, K_STR, K_TABLE };

struct obj {
    uint32_t id, size, variant;
    uint8_t kind;
    uint64_t seed;
};

struct section {
    struct obj *v;
    size_t n, cap;
    uint32_t addr; /* load address of its first byte */
};

#define MAX_SECTIONS 4

enum container { C_CM, C_ESP32, C_ESP8266, C_CONTAINERS };

struct version {
    int esp32;   /* container C_ESP32: 0xE9 image with the extended header */
    int xtensa;  /* container C_ESP8266: Xtensa code, E9 image + IROM part */
    struct section s[MAX_SECTIONS];
    unsigned nsec;
    uint32_t next_id;
    /* Filled by layout(): address of every object by id (0: absent). */
    uint32_t *addr;
    uint32_t addr_n;
};

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
    return n ? (uint32_t)(rnd(s) % n) : 0;
}

/* ---- object lists ---- */

static void sec_insert(struct section *s, size_t at, const struct obj *o)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
    s->v[at] = *o;
    s->n++;
}

static struct obj new_obj(struct version *v, uint8_t kind, uint64_t *r)
{
    struct obj o;
    o.id = v->next_id++;
    o.kind = kind;
    o.variant = 0;
    o.seed = rnd(r);
    switch (kind) {
    case K_FUNC: o.size = 24 + 4 * below(r, 110); break;  /* 24..460 bytes */
    case K_STR: o.size = 16 + 4 * below(r, 40); break;
    default: o.size = 16 + 4 * below(r, 50); break;
    }
    return o;
}

/* Append objects of the kinds mix (cumulative thresholds out of 100:
 * functions, strings, the rest tables) until bytes are reached. */
static void fill(struct version *v, struct section *s, size_t at, uint32_t bytes, unsigned pf, unsigned ps,
                 uint64_t *r)
{
    uint32_t done = 0;
    while (done < bytes) {
        unsigned k = below(r, 100);
        struct obj o = new_obj(v, (uint8_t)(k < pf ? K_FUNC : k < ps ? K_STR : K_TABLE), r);
        sec_insert(s, at++, &o);
        done += o.size;
    }
}

static void copy_version(struct version *dst, const struct version *src)
{
    unsigned i;
    *dst = *src;
    dst->addr = NULL;
    dst->addr_n = 0;
    for (i = 0; i < src->nsec; i++) {
        dst->s[i].v = xmalloc((src->s[i].cap ? src->s[i].cap : 1) * sizeof *src->s[i].v);
        memcpy(dst->s[i].v, src->s[i].v, src->s[i].n * sizeof *src->s[i].v);
    }
}

static void free_version(struct version *v)
{
    unsigned i;
    for (i = 0; i < v->nsec; i++)
        free(v->s[i].v);
    free(v->addr);
}

/* ---- layout and rendering ---- */

static void layout(struct version *v)
{
    unsigned i;
    size_t k;
    free(v->addr);
    v->addr_n = v->next_id;
    v->addr = calloc(v->addr_n ? v->addr_n : 1, sizeof *v->addr);
    if (!v->addr)
        abort();
    for (i = 0; i < v->nsec; i++) {
        uint32_t a = v->s[i].addr;
        for (k = 0; k < v->s[i].n; k++) {
            v->addr[v->s[i].v[k].id] = a;
            a += v->s[i].v[k].size;
        }
    }
}

/* The address of the object a reference picks (by id, the next existing
 * one if that id is gone). */
static uint32_t ref(const struct version *v, uint64_t pick)
{
    uint32_t id = (uint32_t)(pick % (v->addr_n ? v->addr_n : 1)), tries;
    for (tries = 0; tries < v->addr_n; tries++, id = (id + 1) % v->addr_n)
        if (v->addr[id])
            return v->addr[id];
    return 0;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

static const char *const words[] = {
    "init", "error", "timeout", "sensor", "config", "read", "write", "flash", "uart", "spi", "i2c",
    "buffer", "overflow", "ready", "failed", "%s: %d\n", "0x%08x", "task", "queue", "wifi", "connect",
    "disconnect", "retry", "version", "update", "battery", "level", "assert", "line %d", "heap",
};

static void render_str(uint8_t *p, const struct obj *o)
{
    uint64_t r = o->seed;
    uint32_t i = 0;
    while (i + 1 < o->size) {
        const char *w = words[below(&r, sizeof words / sizeof words[0])];
        while (*w && i + 1 < o->size)
            p[i++] = (uint8_t)*w++;
        p[i++] = below(&r, 4) ? ' ' : 0;
    }
    p[o->size - 1] = 0;
}

/* A table: function pointers (Thumb bit set), small constants, pointers. */
static void render_table(uint8_t *p, const struct obj *o, const struct version *v)
{
    uint64_t r = o->seed;
    uint32_t i;
    for (i = 0; i + 4 <= o->size; i += 4) {
        uint32_t w, k = below(&r, 10);
        uint64_t pick = rnd(&r);
        if (k < 4)
            w = ref(v, pick) | (v->xtensa ? 0u : 1u); /* Thumb code pointers are odd */
        else if (k < 8)
            w = (uint32_t)(pick & 0xFF) + (o->variant && i == 4 ? o->variant : 0);
        else
            w = ref(v, pick);
        put32(p + i, w);
    }
}

/* Thumb-2-like code: a prologue, a body of 16-bit ALU and load/store
 * instructions, PC-relative loads and BL calls, an epilogue, then a
 * literal pool of absolute addresses and constants (a quarter of it). */
static void render_func(uint8_t *p, const struct obj *o, const struct version *v, uint32_t at)
{
    uint64_t r = o->seed;
    uint32_t pool = (o->size / 4 / 4) * 4, code = o->size - pool, i = 4, edited = 0;
    put16(p, 0xB5F0);                         /* push {r4-r7, lr} */
    put16(p + 2, 0xB080 | (below(&r, 8) + 1)); /* sub sp, #n */
    while (i + 2 < code) {
        unsigned k = below(&r, 16), rd = below(&r, 8);
        uint64_t pick = rnd(&r);
        uint32_t imm = (uint32_t)(pick >> 40) & 0xFF;
        if (o->variant && !edited && i > code / 2) {
            imm ^= o->variant; /* a rebuild changed a constant */
            edited = 1;
        }
        if (k < 2 && i + 6 <= code) { /* bl: offset from this instruction */
            int32_t off = (int32_t)(ref(v, pick) - (at + i + 4)) >> 1;
            put16(p + i, 0xF000 | ((uint32_t)(off >> 11) & 0x7FF));
            put16(p + i + 2, 0xF800 | ((uint32_t)off & 0x7FF));
            i += 4;
            continue;
        }
        if (k < 4) /* ldr rd, [pc, #imm]: into the pool */
            put16(p + i, 0x4800 | rd << 8 | (pool ? (uint32_t)((code - i) / 4 + (imm % (pool / 4))) & 0xFF : 0));
        else if (k < 7)
            put16(p + i, 0x2000 | rd << 8 | imm); /* movs rd, #imm */
        else if (k < 9)
            put16(p + i, 0x2800 | rd << 8 | imm); /* cmp rd, #imm */
        else if (k < 11)
            put16(p + i, 0x6800 | (imm & 0x1F) << 6 | below(&r, 8) << 3 | rd); /* ldr */
        else if (k < 13)
            put16(p + i, 0x6000 | (imm & 0x1F) << 6 | below(&r, 8) << 3 | rd); /* str */
        else if (k < 14)
            put16(p + i, 0xD000 | below(&r, 14) << 8 | imm); /* b<cond> */
        else
            put16(p + i, 0x1800 | below(&r, 8) << 6 | below(&r, 8) << 3 | rd); /* adds */
        i += 2;
    }
    while (i < code) {
        put16(p + i, i + 2 == code ? 0xBDF0 : 0xBF00); /* pop {r4-r7, pc}; nop */
        i += 2;
    }
    for (i = 0; i < pool; i += 4) {
        uint64_t pick = rnd(&r);
        put32(p + code + i, below(&r, 4) ? ref(v, pick) : (uint32_t)(pick >> 32) & 0xFFFF);
    }
}

/* Xtensa-like code (the ESP8266's CALL0 ABI): the literal pool first (L32R
 * reaches only backwards), then a prologue (ADDI a1, a1, -16), a body of
 * narrow and 24-bit ALU and load instructions, L32R loads from the pool
 * and CALL0 calls (offset from the 4-aligned pc, to 4-aligned objects),
 * and an epilogue ending in a return. */
static void put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

static void render_func_xtensa(uint8_t *p, const struct obj *o, const struct version *v, uint32_t at)
{
    uint64_t r = o->seed;
    uint32_t pool = (o->size / 4 / 4) * 4, end = o->size, i, edited = 0;
    for (i = 0; i < pool; i += 4) {
        uint64_t pick = rnd(&r);
        put32(p + i, below(&r, 4) ? ref(v, pick) : (uint32_t)(pick >> 32) & 0xFFFF);
    }
    put24(p + i, 0xF0C112); /* addi a1, a1, -16 */
    i += 3;
    while (i + 8 < end) {
        unsigned k = below(&r, 16), t = below(&r, 16), s = below(&r, 16);
        uint64_t pick = rnd(&r);
        uint32_t imm = (uint32_t)(pick >> 40) & 0xFF, pc = at + i;
        int64_t off;
        if (o->variant && !edited && i > end / 2) {
            imm ^= o->variant; /* a rebuild changed a constant */
            edited = 1;
        }
        if (k < 2 && (off = ((int64_t)ref(v, pick) - (int64_t)((pc & ~3u) + 4)) / 4) >= -(1 << 17) &&
            off < (1 << 17)) { /* call0 */
            put24(p + i, ((uint32_t)off & 0x3FFFFu) << 6 | 0x05u);
            i += 3;
        } else if (k < 4 && pool) { /* l32r at, literal imm % slots */
            int64_t lit = (int64_t)(at + 4 * (imm % (pool / 4))) - (int64_t)((pc + 3) & ~3u);
            put24(p + i, ((uint32_t)(lit / 4) & 0xFFFFu) << 8 | t << 4 | 0x1u);
            i += 3;
        } else if (k < 8) { /* l32i.n at, as, imm; add.n */
            put16(p + i, (k < 6 ? 0x8u : 0xAu) | t << 4 | s << 8 | (imm & 0xFu) << 12);
            i += 2;
        } else if (k < 11) { /* add ar, as, at */
            put24(p + i, 0x800000u | (imm & 0xFu) << 12 | s << 8 | t << 4);
            i += 3;
        } else if (k < 14) { /* l32i at, as, imm */
            put24(p + i, imm << 16 | 0x2u << 12 | s << 8 | t << 4 | 0x2u);
            i += 3;
        } else { /* movi at, imm */
            put24(p + i, imm << 16 | 0xAu << 12 | t << 4 | 0x2u);
            i += 3;
        }
    }
    /* 6..8 bytes left: addi a1, a1, 16, then nop / nop.n to fit, then
     * ret (3 bytes) or ret.n (2). */
    put24(p + i, 0x10C112);
    i += 3;
    if (end - i == 3) {
        put24(p + i, 0x000080); /* ret */
        return;
    }
    if (end - i == 4) {
        put16(p + i, 0xF03D); /* nop.n */
        i += 2;
    } else if (end - i == 5) {
        put24(p + i, 0x0020F0); /* nop */
        i += 3;
    }
    put16(p + i, 0xF00D); /* ret.n */
}

static void render_section(const struct version *v, const struct section *s, struct bytes *out)
{
    size_t k;
    uint32_t at = s->addr;
    for (k = 0; k < s->n; k++) {
        const struct obj *o = &s->v[k];
        uint8_t *p = xmalloc(o->size);
        memset(p, 0, o->size);
        if (o->kind == K_FUNC && v->xtensa)
            render_func_xtensa(p, o, v, at);
        else if (o->kind == K_FUNC)
            render_func(p, o, v, at);
        else if (o->kind == K_STR)
            render_str(p, o);
        else
            render_table(p, o, v);
        bytes_put(out, p, o->size);
        free(p);
        at += o->size;
    }
}

static uint32_t sec_bytes(const struct section *s)
{
    uint32_t n = 0;
    size_t k;
    for (k = 0; k < s->n; k++)
        n += s->v[k].size;
    return n;
}

#define CM_FLASH 0x08000000u
#define CM_VECTORS 64u /* words: initial SP and 63 handlers */

/* Cortex-M: vector table, then code, read-only data, initialised data,
 * each following the previous one. */
static void render_cm(struct version *v, struct bytes *out)
{
    uint8_t vt[CM_VECTORS * 4];
    unsigned i;
    uint64_t r = 77;
    v->s[0].addr = CM_FLASH + sizeof vt;
    for (i = 1; i < v->nsec; i++)
        v->s[i].addr = v->s[i - 1].addr + sec_bytes(&v->s[i - 1]);
    layout(v);
    put32(vt, 0x20020000u);
    for (i = 1; i < CM_VECTORS; i++) /* handlers: functions of the code */
        put32(vt + 4 * i, v->s[0].n ? v->addr[v->s[0].v[below(&r, (uint32_t)(v->s[0].n < 40 ? v->s[0].n : 40))].id] | 1u
                                    : 0);
    bytes_put(out, vt, sizeof vt);
    for (i = 0; i < v->nsec; i++)
        render_section(v, &v->s[i], out);
}

/* The first n sections as ESP image segments (load address, length,
 * bytes), then padding to 16 with the XOR checksum (seeded 0xEF) in the
 * last byte. */
static void render_segments(struct version *v, unsigned n, struct bytes *out)
{
    uint8_t sh[8], sum = 0xEF, pad[16];
    unsigned i;
    size_t k, start;
    for (i = 0; i < n; i++) {
        put32(sh, v->s[i].addr);
        put32(sh + 4, sec_bytes(&v->s[i]));
        bytes_put(out, sh, sizeof sh);
        start = out->n;
        render_section(v, &v->s[i], out);
        for (k = start; k < out->n; k++)
            sum ^= out->p[k];
    }
    memset(pad, 0, sizeof pad);
    k = 15 - out->n % 16;
    pad[k] = sum;
    bytes_put(out, pad, k + 1);
}

/* ESP32-style: a 24-byte header (magic 0xE9, segment count, flash mode
 * and size, entry point, extended header), then the segments. */
static void render_esp32(struct version *v, struct bytes *out)
{
    static const uint32_t load[MAX_SECTIONS] = {0x3F400020u, 0x3FFB0000u, 0x40080000u, 0x400D0020u};
    uint8_t h[24];
    unsigned i;
    for (i = 0; i < v->nsec; i++)
        v->s[i].addr = load[i];
    layout(v);
    memset(h, 0, sizeof h);
    h[0] = 0xE9;
    h[1] = (uint8_t)v->nsec;
    h[2] = 2;    /* DIO */
    h[3] = 0x20; /* 4 MB, 40 MHz */
    put32(h + 4, v->s[3].n ? v->addr[v->s[3].v[0].id] : load[3]);
    h[8] = 0xEE; /* WP pin: none */
    bytes_put(out, h, sizeof h);
    render_segments(v, v->nsec, out);
}

/* ESP8266-style combined image: an 8-byte header (magic 0xE9, segment
 * count, flash mode and size, entry point), the IRAM and DRAM segments,
 * 0xFF up to the next 4 KiB, then the IROM code, which runs from 0x40200000 plus its
 * offset in flash (the image is flashed at 0). */
#define ESP8266_IRAM 0x40100000u
#define ESP8266_DRAM 0x3FFE8000u
#define ESP8266_IROM 0x40200000u

static void render_esp8266(struct version *v, struct bytes *out)
{
    uint8_t h[8];
    uint32_t head = 8 + 8 + sec_bytes(&v->s[0]) + 8 + sec_bytes(&v->s[1]), irom = ((head | 15u) + 1 + 4095) & ~4095u;
    v->s[0].addr = ESP8266_IRAM;
    v->s[1].addr = ESP8266_DRAM;
    v->s[2].addr = ESP8266_IROM + irom;
    layout(v);
    h[0] = 0xE9;
    h[1] = 2;
    h[2] = 0;    /* QIO */
    h[3] = 0x40; /* 4 MB, 40 MHz */
    put32(h + 4, v->s[0].n ? v->addr[v->s[0].v[0].id] : ESP8266_IRAM);
    bytes_put(out, h, sizeof h);
    render_segments(v, 2, out);
    while (out->n < irom)
        bytes_byte(out, 0xFF);
    render_section(v, &v->s[2], out);
}

static void render(struct version *v, struct bytes *out)
{
    if (v->xtensa)
        render_esp8266(v, out);
    else if (v->esp32)
        render_esp32(v, out);
    else
        render_cm(v, out);
}

/* ---- the base version and the edits ---- */

static void base_version(struct version *v, enum container c, uint32_t bytes, uint64_t *r)
{
    memset(v, 0, sizeof *v);
    v->esp32 = c == C_ESP32;
    v->xtensa = c == C_ESP8266;
    v->next_id = 1; /* id 0 means "absent" in the address table */
    if (v->xtensa) {
        v->nsec = 3; /* IRAM (code), DRAM (strings, tables), IROM (code) */
        fill(v, &v->s[0], 0, bytes / 10, 95, 97, r);
        fill(v, &v->s[1], 0, bytes / 8, 0, 60, r);
        fill(v, &v->s[2], 0, bytes - bytes / 10 - bytes / 8, 90, 95, r);
    } else if (v->esp32) {
        v->nsec = 4; /* DROM (strings, tables), DRAM, IRAM, IROM (code) */
        fill(v, &v->s[0], 0, bytes / 4, 0, 70, r);
        fill(v, &v->s[1], 0, bytes / 32, 0, 20, r);
        fill(v, &v->s[2], 0, bytes / 10, 95, 97, r);
        fill(v, &v->s[3], 0, bytes - bytes / 4 - bytes / 32 - bytes / 10, 90, 95, r);
    } else {
        v->nsec = 3; /* code, read-only data, initialised data */
        fill(v, &v->s[0], 0, bytes * 65 / 100, 92, 96, r);
        fill(v, &v->s[1], 0, bytes * 25 / 100, 0, 65, r);
        fill(v, &v->s[2], 0, bytes / 10, 0, 10, r);
    }
}

/* The section holding most of the code. */
static struct section *code_of(struct version *v)
{
    return &v->s[v->esp32 ? 3 : v->xtensa ? 2 : 0];
}

/* Index of the object at about frac percent of s's bytes. */
static size_t at_pct(const struct section *s, unsigned pct)
{
    uint64_t want = (uint64_t)sec_bytes(s) * pct / 100, a = 0;
    size_t k;
    for (k = 0; k < s->n && a < want; k++)
        a += s->v[k].size;
    return k;
}

/* Objects from index at covering about bytes: their count. */
static size_t span(const struct section *s, size_t at, uint32_t bytes)
{
    uint32_t a = 0;
    size_t k = at;
    while (k < s->n && a < bytes)
        a += s->v[k++].size;
    return k - at;
}

static void remove_objs(struct section *s, size_t at, size_t n, struct obj *saved)
{
    if (saved)
        memcpy(saved, s->v + at, n * sizeof *s->v);
    memmove(s->v + at, s->v + at + n, (s->n - at - n) * sizeof *s->v);
    s->n -= n;
}

/* Move the objects [from, from+n) so that they start at index to (an
 * index of the list without them). */
static void move_block(struct section *s, size_t from, size_t n, size_t to)
{
    struct obj *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
    size_t i;
    remove_objs(s, from, n, tmp);
    if (to > s->n)
        to = s->n;
    for (i = 0; i < n; i++)
        sec_insert(s, to + i, &tmp[i]);
    free(tmp);
}

/* A release: a few objects rebuilt with a changed constant. */
static void rebuild_some(struct version *v, unsigned per_mille, uint64_t *r)
{
    unsigned i;
    size_t k;
    for (i = 0; i < v->nsec; i++)
        for (k = 0; k < v->s[i].n; k++)
            if (below(r, 1000) < per_mille)
                v->s[i].v[k].variant += 1 + below(r, 200);
}

enum edit {
    E_INSERT, E_DELETE, E_MOVE, E_SWAP, E_GROW, E_NEAR, E_SHRINK, E_EDITS
};

static const char *const edit_names[E_EDITS] = {
    "insert", "delete", "move", "swap", "grow-last", "near-identical", "shrink",
};

static void apply_edit(struct version *v, enum edit e, uint32_t bytes, uint64_t *r)
{
    struct section *c = code_of(v);
    size_t a, n, b, m;
    switch (e) {
    case E_INSERT: /* about 1.8 KB of new code near the start */
        fill(v, c, at_pct(c, 2), 1800, 90, 95, r);
        fill(v, &v->s[v->esp32 ? 0 : 1], at_pct(&v->s[v->esp32 ? 0 : 1], 5), 300, 0, 80, r);
        break;
    case E_DELETE: /* two regions of code go */
        a = at_pct(c, 30);
        remove_objs(c, a, span(c, a, bytes / 40), NULL);
        a = at_pct(c, 70);
        remove_objs(c, a, span(c, a, bytes / 60), NULL);
        break;
    case E_MOVE: /* a block moved up, another moved down, far */
        a = at_pct(c, 10);
        n = span(c, a, bytes / 10);
        move_block(c, a, n, at_pct(c, 75));
        a = at_pct(c, 85);
        n = span(c, a, bytes / 12);
        move_block(c, a, n, at_pct(c, 20));
        break;
    case E_SWAP: /* two large blocks change places */
        a = at_pct(c, 15);
        n = span(c, a, bytes / 7);
        b = at_pct(c, 60);
        m = span(c, b, bytes / 6);
        if (b < a + n)
            b = a + n;
        if (b + m > c->n)
            m = c->n - b;
        move_block(c, b, m, a);        /* the second block to the first's place */
        move_block(c, a + m, n, b + m - n); /* the first to where the second was */
        break;
    case E_GROW: /* the last section grows into free space */
        fill(v, &v->s[v->nsec - 1], v->s[v->nsec - 1].n, bytes / 16, 40, 70, r);
        break;
    case E_NEAR: /* one constant of one function */
        c->v[c->n / 2].variant++;
        return;
    case E_SHRINK: /* a fifth of the code goes, spread out */
        for (a = 0; a < c->n; a++)
            if (below(r, 5) == 0)
                remove_objs(c, a, 1, NULL);
        break;
    default:
        return;
    }
    rebuild_some(v, 20, r);
}

/* ---- cases ---- */

static const char *const container_names[C_CONTAINERS] = {"cm-", "esp32-", "esp8266-"};

size_t fwgen_cases(void)
{
    return C_CONTAINERS * E_EDITS;
}

const char *fwgen_case_name(size_t i)
{
    static char names[C_CONTAINERS * E_EDITS][32];
    if (i >= fwgen_cases())
        return NULL;
    if (!names[i][0]) {
        strcpy(names[i], container_names[i / E_EDITS]);
        strcat(names[i], edit_names[i % E_EDITS]);
    }
    return names[i];
}

int fwgen_case_find(const char *name)
{
    size_t i;
    for (i = 0; i < fwgen_cases(); i++)
        if (strcmp(fwgen_case_name(i), name) == 0)
            return (int)i;
    return -1;
}

int fwgen_make(size_t i, uint32_t size_kib, uint64_t seed, struct bytes *old, struct bytes *new_)
{
    struct version a, b;
    uint64_t r = seed * 0x100000001B3ull + i;
    uint32_t bytes = size_kib * 1024u;
    if (i >= fwgen_cases() || size_kib < 16 || size_kib > 4096)
        return -1;
    base_version(&a, (enum container)(i / E_EDITS), bytes, &r);
    copy_version(&b, &a);
    apply_edit(&b, (enum edit)(i % E_EDITS), bytes, &r);
    render(&a, old);
    render(&b, new_);
    free_version(&a);
    free_version(&b);
    return 0;
}
