/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/operand.c: the operand prediction layer (lib/operand.h): address
 * maps, the displacement table in the package, the generic pointer rule
 * and the dispatch to the recogniser of each architecture.
 *
 * The table is read back from the package record by record (a binary
 * search over fixed-width records), so the decoder holds no map in RAM:
 * a device keeps the package in flash anyway.
 */
#include "operand.h"

#include <string.h>

#include "cfota/status.h"
#include "le.h"

static uint32_t get24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* The decoder's stack is part of its RAM bound: the lookups a recogniser
 * asks for are inlined into the few entry points so that a prediction
 * costs few frames. */
#if defined(__GNUC__)
#define FLAT static inline __attribute__((always_inline))
#else
#define FLAT static inline
#endif

/* A reader's result as a cfota status (as the decoder's io_result). */
static int rd_result(int rc)
{
    if (rc == 0)
        return CFOTA_OK;
    return rc < 0 && rc >= CFOTA_E_LAST ? rc : CFOTA_E_IO;
}

cfota_arch_fn cfota_arch_recogniser(unsigned arch)
{
    switch (arch) {
    case CFOTA_ARCH_THUMB2: return cfota_arch_thumb_predict;
    case CFOTA_ARCH_XTENSA: return cfota_arch_xtensa_predict;
    default: return 0;
    }
}

/* ---- address maps ---- */

/* The address of file offset off of image target (0 base, 1 target). */
FLAT int off_to_va(const struct cfota_disp_src *src, unsigned target, uint32_t off, uint32_t *va)
{
    struct cfota_region r;
    unsigned i;
    int rc;
    for (i = 0; (rc = src->region(src->ctx, target, i, &r)) == 0; i++) {
        if (off - r.off < r.len) {
            *va = r.vaddr + (off - r.off);
            return 1;
        }
    }
    return rc < 0 ? rc : 0;
}

/* The base file offset of base address va. */
FLAT int va_to_off(const struct cfota_disp_src *src, uint32_t va, uint32_t *off)
{
    struct cfota_region r;
    unsigned i;
    int rc;
    for (i = 0; (rc = src->region(src->ctx, 0, i, &r)) == 0; i++) {
        if (va - r.vaddr < r.len) {
            *off = r.off + (va - r.vaddr);
            return 1;
        }
    }
    return rc < 0 ? rc : 0;
}

FLAT int op_site(const struct cfota_disp_src *src, uint32_t at, unsigned kind, uint32_t *old_va, uint32_t *new_va)
{
    int32_t d;
    unsigned flags;
    int rc = src->disp(src->ctx, at, &d, &flags);
    if (rc != 0 || !(flags & kind))
        return rc < 0 ? rc : 0;
    if ((rc = off_to_va(src, 0, at, old_va)) != 1)
        return rc;
    return off_to_va(src, 1, at + (uint32_t)d, new_va);
}

FLAT int op_move(const struct cfota_disp_src *src, uint32_t va, uint32_t *new_va)
{
    uint32_t f;
    int32_t d;
    unsigned flags;
    int rc = va_to_off(src, va, &f);
    if (rc != 1)
        return rc;
    if ((rc = src->disp(src->ctx, f, &d, &flags)) != 0)
        return rc < 0 ? rc : 0;
    return off_to_va(src, 1, f + (uint32_t)d, new_va);
}

int cfota_op_site(const struct cfota_disp_src *src, uint32_t at, unsigned kind, uint32_t *old_va,
                  uint32_t *new_va)
{
    return op_site(src, at, kind, old_va, new_va);
}

int cfota_op_move(const struct cfota_disp_src *src, uint32_t va, uint32_t *new_va)
{
    return op_move(src, va, new_va);
}

int cfota_ptr_predict(uint8_t *w, uint32_t at, const struct cfota_disp_src *src)
{
    uint32_t v = cfota_get32(w), old_va, new_va, nv;
    int rc = op_move(src, v, &nv);
    if (rc != 1)
        return rc;
    /* Moved at all, and sited where pointers are predicted. */
    if ((rc = op_site(src, at, CFOTA_PRED_ABS, &old_va, &new_va)) != 1)
        return rc;
    w[0] = (uint8_t)nv;
    w[1] = (uint8_t)(nv >> 8);
    w[2] = (uint8_t)(nv >> 16);
    w[3] = (uint8_t)(nv >> 24);
    return 1;
}

int cfota_rel_predict(const struct cfota_disp_src *src, uint32_t at, int64_t rel, int64_t *new_rel)
{
    uint32_t old_va, new_va, t_new;
    int rc = op_site(src, at, CFOTA_PRED_REL, &old_va, &new_va);
    if (rc != 1)
        return rc;
    if (rel < -(int64_t)old_va || rel > (int64_t)(0xFFFFFFFFu - old_va))
        return 0; /* a reference outside the address space */
    if ((rc = op_move(src, (uint32_t)((int64_t)old_va + rel), &t_new)) != 1)
        return rc;
    *new_rel = (int64_t)t_new - (int64_t)new_va;
    return 1;
}

/* ---- the arch block ---- */

int cfota_arch_parse(struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, uint32_t off, uint32_t end,
                     uint32_t base_size, uint32_t target_size)
{
    uint8_t b[CFOTA_ARCH_REGION];
    uint32_t i, prev = 0, n;
    int rc;
    memset(a, 0, sizeof *a);
    if (off > end || end - off < CFOTA_ARCH_HEAD)
        return CFOTA_E_CORRUPT;
    if ((rc = rd_result(rd(ctx, off, b, CFOTA_ARCH_HEAD))) != CFOTA_OK)
        return rc;
    a->id = b[0];
    a->nbase = b[1];
    a->ntarget = b[2];
    a->count = cfota_get32(b + 4);
    if (!cfota_arch_recogniser(a->id) || b[3] != 0 || a->nbase < 1 || a->nbase > CFOTA_ARCH_REGIONS ||
        a->ntarget < 1 || a->ntarget > CFOTA_ARCH_REGIONS)
        return CFOTA_E_CORRUPT;
    n = (uint32_t)(a->nbase + a->ntarget);
    a->regions_off = off + CFOTA_ARCH_HEAD;
    a->table_off = a->regions_off + n * CFOTA_ARCH_REGION;
    if (end - off - CFOTA_ARCH_HEAD < n * CFOTA_ARCH_REGION ||
        a->count > (end - a->table_off) / CFOTA_ARCH_RECORD)
        return CFOTA_E_CORRUPT;
    a->size = a->table_off + a->count * CFOTA_ARCH_RECORD - off;
    for (i = 0; i < n; i++) {
        uint32_t va, ro, len, size = i < a->nbase ? base_size : target_size;
        if ((rc = rd_result(rd(ctx, a->regions_off + i * CFOTA_ARCH_REGION, b, CFOTA_ARCH_REGION))) != CFOTA_OK)
            return rc;
        va = cfota_get32(b);
        ro = cfota_get32(b + 4);
        len = cfota_get32(b + 8);
        if (len == 0 || ro > size || len > size - ro || len - 1 > 0xFFFFFFFFu - va)
            return CFOTA_E_CORRUPT;
    }
    for (i = 0; i < a->count; i++) {
        uint32_t start;
        if ((rc = rd_result(rd(ctx, a->table_off + i * CFOTA_ARCH_RECORD, b, CFOTA_ARCH_RECORD))) != CFOTA_OK)
            return rc;
        start = get24(b);
        if (start >= base_size || (i > 0 && start <= prev))
            return CFOTA_E_CORRUPT;
        prev = start;
    }
    return CFOTA_OK;
}

int cfota_arch_locate(struct cfota_arch *a, const struct cfota_header *h, cfota_pkg_reader rd, void *ctx)
{
    uint32_t off = h->header_size, end = h->header_size + h->payload_size;
    int rc;
    if (h->flags & CFOTA_FLAG_STASH) {
        uint8_t b[CFOTA_PLAN_HEAD];
        struct cfota_plan_head p;
        if ((rc = rd_result(rd(ctx, off, b, sizeof b))) != CFOTA_OK)
            return rc;
        if ((rc = cfota_plan_head_parse(&p, b, h)) != CFOTA_OK)
            return rc;
        off += cfota_plan_bytes(h, &p);
    }
    return cfota_arch_parse(a, rd, ctx, off, end, h->base_size, h->target_size);
}

int cfota_arch_region(const struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, unsigned target, unsigned i,
                      struct cfota_region *r)
{
    uint8_t *b = (uint8_t *)r; /* read in place, decoded below: no buffer */
    uint32_t va, off;
    int rc;
    if (i >= (target ? a->ntarget : a->nbase))
        return 1;
    if (target)
        i += a->nbase;
    if ((rc = rd_result(rd(ctx, a->regions_off + i * CFOTA_ARCH_REGION, b, CFOTA_ARCH_REGION))) != CFOTA_OK)
        return rc;
    va = cfota_get32(b);
    off = cfota_get32(b + 4);
    r->len = cfota_get32(b + 8);
    r->vaddr = va;
    r->off = off;
    return 0;
}

/* The start of record i into *start (24 bits). */
FLAT int record_start(const struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, uint32_t i, uint32_t *start)
{
    uint8_t *b = (uint8_t *)start; /* read in place: no buffer */
    int rc = rd_result(rd(ctx, a->table_off + i * CFOTA_ARCH_RECORD, b, 3));
    b[3] = 0;
    *start = get24(b);
    return rc;
}

int cfota_table_find(const struct cfota_arch *a, cfota_pkg_reader rd, void *ctx, uint32_t base_size,
                     uint32_t b, struct cfota_run *run)
{
    uint32_t lo = 0, hi = a->count, x; /* the answer: the last start <= b */
    uint8_t *r = (uint8_t *)run; /* the record is read into *run (16 bytes),
                                    then decoded: no buffer on the stack */
    int rc;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((rc = record_start(a, rd, ctx, mid, &x)) != CFOTA_OK)
            return rc;
        if (x <= b)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 1;
    hi = base_size; /* the run's end */
    if (lo < a->count && (rc = record_start(a, rd, ctx, lo, &hi)) != CFOTA_OK)
        return rc;
    if ((rc = rd_result(rd(ctx, a->table_off + (lo - 1) * CFOTA_ARCH_RECORD, r, CFOTA_ARCH_RECORD))) != CFOTA_OK)
        return rc;
    lo = get24(r);
    x = get24(r + 3);
    run->start = lo;
    run->end = hi;
    run->flags = (uint8_t)(x & 3u);
    /* disp: the upper 22 bits, signed. */
    run->disp = (int32_t)(x >> 2) - ((x & 0x800000u) ? (int32_t)(1L << 22) : 0);
    return 0;
}

void cfota_record_write(uint8_t *out, uint32_t start, int32_t disp, unsigned flags)
{
    uint32_t x = ((uint32_t)disp << 2 | (flags & 3u)) & 0xFFFFFFu;
    out[0] = (uint8_t)start;
    out[1] = (uint8_t)(start >> 8);
    out[2] = (uint8_t)(start >> 16);
    out[3] = (uint8_t)x;
    out[4] = (uint8_t)(x >> 8);
    out[5] = (uint8_t)(x >> 16);
}

/* ---- the fill both sides read copies through ---- */

int cfota_predict_fill(cfota_arch_fn fn, const struct cfota_disp_src *src, uint32_t lo, uint32_t hi, uint32_t s,
                       uint32_t n, uint8_t *win)
{
    /* The window: CFOTA_ARCH_PAD bytes each side, but never past the
     * copy's source (in place, bytes beyond it may be overwritten). */
    uint32_t w0 = s - lo > CFOTA_ARCH_PAD ? s - CFOTA_ARCH_PAD : lo;
    uint32_t w1 = hi - (s + n) > CFOTA_ARCH_PAD ? s + n + CFOTA_ARCH_PAD : hi;
    int rc;
    if ((rc = rd_result(src->read(src->ctx, w0, win, w1 - w0))) != CFOTA_OK)
        return rc;
    if ((rc = fn(win, w0, w1 - w0, s - w0, s - w0 + n, src)) < 0)
        return rc;
    if (s != w0)
        memmove(win, win + (s - w0), n);
    return CFOTA_OK;
}
