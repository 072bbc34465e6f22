/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/arch.c: detection, the displacement table and the predicted
 * base (encoder/arch.h).
 *
 * The table comes from a first parse on the raw base: each base copy of
 * it says "these base bytes went there", i.e. a displacement for its
 * source range. Runs of equal displacement are what the table records;
 * every record costs CFOTA_ARCH_RECORD bytes of package, so runs too
 * short to be the target of many operands are merged into the run before
 * them, and a run's flags are kept only where predicting operands sited
 * in it matches more target bytes than the raw base does (data that looks
 * like instructions gains nothing and may lose).
 */
#include "arch.h"
#include "esp_image.h"

#include "encoder.h"
#include "le.h"

#include <stdlib.h>
#include <string.h>

/* Base copies shorter than this say little about where code moved. */
#define MIN_COPY 16u
/* Runs shorter than this are merged into the run before them: a record
 * (6 bytes) pays only if several operands reference the run. */
#define MIN_RUN 256u

const char *arch_name(unsigned id)
{
    switch (id) {
    case CFOTA_ARCH_NONE: return "none";
    case CFOTA_ARCH_THUMB2: return "thumb2";
    case CFOTA_ARCH_A64: return "aarch64";
    case CFOTA_ARCH_XTENSA: return "xtensa";
    default: return "?";
    }
}

int cfota_encode_arch_parse(const char *name)
{
    unsigned id;
    if (!strcmp(name, "auto"))
        return CFOTA_ENC_ARCH_AUTO;
    for (id = 0; id < CFOTA_ARCH_IDS; id++)
        if (!strcmp(name, arch_name(id)))
            return id == CFOTA_ARCH_NONE ? CFOTA_ENC_ARCH_NONE : (int)id;
    return -2;
}

int cfota_encode_arch_supported(int arch)
{
    return arch == CFOTA_ENC_ARCH_AUTO || arch == CFOTA_ENC_ARCH_NONE ||
           (arch > 0 && cfota_arch_recogniser((unsigned)arch) != NULL);
}

/* ---- detection ---- */

/* Cortex-M: word 0 the initial stack pointer (in the SRAM region,
 * 0x20000000..0x3FFFFFFF, or the nRF/Kinetis low RAM at 0x1FFF0000 and
 * up, word aligned), word 1 the reset vector and words 2..3 NMI and
 * HardFault: odd (Thumb) addresses. The load address L is the one, among
 * 256-byte aligned candidates that put every vector inside the image, that
 * most aligned words of the image point into [L, L + len): where the
 * image's own pointers say it lives. */
static unsigned detect_cortex_m(const uint8_t *img, size_t len, struct cfota_region *r)
{
    uint32_t sp, lo = UINT32_MAX, hi = 0, i, best_score = 0, best_l = 0, l, first;
    uint32_t *count;
    size_t w, nb;
    if (len < 64 || len > 0x01000000u)
        return CFOTA_ARCH_NONE;
    sp = cfota_get32(img);
    if ((sp & 3u) || sp < 0x1FFF0000u || sp >= 0x40000000u)
        return CFOTA_ARCH_NONE;
    for (i = 1; i < 4; i++) {
        uint32_t v = cfota_get32(img + 4 * i);
        if (!(v & 1u))
            return CFOTA_ARCH_NONE;
        lo = v - 1 < lo ? v - 1 : lo;
        hi = v - 1 > hi ? v - 1 : hi;
    }
    if (hi - lo >= len)
        return CFOTA_ARCH_NONE;
    /* Candidates: L in [hi - len + 1, lo] (so [lo, hi] fits), 256-aligned.
     * Count pointers by 256-byte bucket of their value relative to the
     * lowest candidate. */
    first = hi >= len ? (uint32_t)((hi - len + 1 + 255) & ~(uint32_t)255) : 0;
    if (first > lo)
        return CFOTA_ARCH_NONE;
    nb = (size_t)((lo - first) / 256 + 1 + len / 256 + 2);
    count = calloc(nb + 1, sizeof *count);
    if (!count)
        return CFOTA_ARCH_NONE;
    for (w = 0; w + 4 <= len; w += 4) {
        uint32_t v = cfota_get32(img + w);
        if (v >= first && (v - first) / 256 < nb)
            count[(v - first) / 256 + 1]++;
    }
    for (w = 1; w <= nb; w++)
        count[w] += count[w - 1]; /* count[k]: pointers below bucket k */
    for (l = first; l <= lo; l += 256) {
        size_t b0 = (l - first) / 256, b1 = b0 + (len + 255) / 256;
        uint32_t score = count[b1 < nb ? b1 : nb] - count[b0];
        if (score >= best_score) {
            best_score = score;
            best_l = l;
        }
        if (l > UINT32_MAX - 256)
            break;
    }
    free(count);
    r->vaddr = best_l;
    r->off = 0;
    r->len = (uint32_t)len;
    return CFOTA_ARCH_THUMB2;
}

static unsigned hw_at(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Thumb code without a vector table (an image that is one segment of a
 * firmware): BL instructions are frequent and their targets land inside
 * the image, which random data rarely does. Marks the BL targets (the
 * function entries) in entry. */
static int thumb_code(const uint8_t *img, size_t len, uint8_t *entry)
{
    size_t a, in = 0, out = 0;
    for (a = 0; a + 4 <= len; a += 2) {
        unsigned h1 = hw_at(img + a), h2 = hw_at(img + a + 2);
        if ((h1 & 0xF800u) == 0xF000u && (h2 & 0xD000u) == 0xD000u) {
            uint32_t s = (h1 >> 10) & 1u, i1 = !(((h2 >> 13) & 1u) ^ s), i2 = !(((h2 >> 11) & 1u) ^ s);
            int64_t imm = (int64_t)(s << 24 | i1 << 23 | i2 << 22 | (h1 & 0x3FFu) << 12 | (h2 & 0x7FFu) << 1) -
                          (s ? (int64_t)1 << 25 : 0);
            int64_t t = (int64_t)a + 4 + imm;
            if (t >= 0 && (uint64_t)t < len) {
                in++;
                entry[t] = 1;
            } else {
                out++;
            }
        }
    }
    /* Code: at least one in 400 halfwords a BL, four in five inside. */
    return in >= len / 800 && in >= 16 && in >= 4 * out;
}

/* The load address of Thumb code: the one (4 KiB aligned, then refined to
 * 256 bytes) at which most odd words of the image (Thumb code pointers)
 * point at a function entry. 0 when no address explains a few of them. */
static uint32_t thumb_load_address(const uint8_t *img, size_t len, const uint8_t *entry)
{
    uint32_t *v = xmalloc((len / 4 + 1) * sizeof *v), best = 0, best_score = 0, l, lo, hi, step;
    size_t n = 0, w, i, run = 0, best_run = 0;
    uint32_t mode = 0;
    for (w = 0; w + 4 <= len; w += 4) {
        uint32_t x = cfota_get32(img + w);
        if ((x & 1u) && x > 0x100u)
            v[n++] = x;
    }
    if (n < 8) {
        free(v);
        return 0;
    }
    /* The most common 64 KiB page of those words says where to look. */
    for (i = 0; i < n; i++) {
        uint32_t page = v[i] >> 16, c = 0;
        size_t k;
        if (i % 16)
            continue; /* a sample is enough to find the page */
        for (k = 0; k < n; k += 4)
            c += v[k] >> 16 == page;
        if (c > run) {
            run = c;
            mode = page;
        }
    }
    (void)best_run;
    lo = (mode << 16) > len ? (uint32_t)(((mode << 16) - len) & ~0xFFFu) : 0;
    hi = (mode << 16) + 0x10000u;
    for (step = 4096; step >= 256; step /= 16) {
        for (l = lo; l <= hi; l += step) {
            uint32_t score = 0;
            for (i = 0; i < n; i++) {
                uint32_t t = v[i] - 1 - l;
                if (t < len && entry[t])
                    score++;
            }
            if (score > best_score) {
                best_score = score;
                best = l;
            }
        }
        lo = best > 4096 ? best - 4096 : 0;
        hi = best + 4096;
    }
    free(v);
    return best_score >= 8 ? best : 0;
}

unsigned arch_detect(const uint8_t *img, size_t len, struct cfota_region r[CFOTA_ARCH_REGIONS])
{
    uint8_t *entry;
    unsigned id;
    memset(r, 0, CFOTA_ARCH_REGIONS * sizeof *r);
    if (esp_image_regions(img, len, r))
        return CFOTA_ARCH_XTENSA;
    if ((id = detect_cortex_m(img, len, r)) != CFOTA_ARCH_NONE || len < 64 || len > 0x01000000u)
        return id;
    entry = calloc(len, 1);
    if (entry && thumb_code(img, len, entry)) {
        r->vaddr = thumb_load_address(img, len, entry);
        r->len = (uint32_t)len;
        id = CFOTA_ARCH_THUMB2;
    }
    free(entry);
    return id;
}

/* ---- the source the recognisers ask, over the serialized block ---- */

static int block_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct arch_model *m = ctx;
    if (off > m->block.n || len > m->block.n - off)
        return -1;
    memcpy(buf, m->block.p + off, len);
    return 0;
}

static int model_disp(void *ctx, uint32_t b, int32_t *disp, unsigned *predict)
{
    struct arch_model *m = ctx;
    if (b - m->run.start >= m->run.end - m->run.start) {
        int rc = cfota_table_find(&m->a, block_read, m, m->base_size, b, &m->run);
        if (rc != 0) {
            m->run.start = m->run.end = 0;
            return rc;
        }
    }
    *disp = m->run.disp;
    *predict = m->run.flags & m->mask;
    return 0;
}

static int model_region(void *ctx, unsigned target, unsigned i, struct cfota_region *r)
{
    const struct arch_model *m = ctx;
    if (i >= m->nreg[target ? 1 : 0])
        return 1;
    *r = m->reg[target ? 1 : 0][i];
    return 0;
}

static int raw_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct arch_model *m = ctx;
    memcpy(buf, m->raw + off, len);
    return 0;
}

void arch_predict_copy(struct arch_model *m, const uint8_t *old, uint32_t src, uint32_t len, uint8_t *out)
{
    struct cfota_disp_src ds;
    uint8_t win[CFOTA_ARCH_SPAN];
    uint32_t s, room = CFOTA_ARCH_SPAN - 2u * CFOTA_ARCH_PAD;
    cfota_arch_fn fn = cfota_arch_recogniser(m->id);
    ds.disp = model_disp;
    ds.region = model_region;
    ds.read = raw_read;
    ds.ctx = m;
    m->raw = old;
    for (s = src; s < src + len; s += room) {
        uint32_t n = src + len - s < room ? src + len - s : room;
        if (!fn || cfota_predict_fill(fn, &ds, src, src + len, s, n, win) != 0)
            memcpy(win, old + s, n); /* cannot happen: memory never fails */
        memcpy(out + (s - src), win, n);
    }
}

void arch_predict_base(struct arch_model *m, const uint8_t *old, size_t old_len, uint8_t *out)
{
    if (old_len)
        arch_predict_copy(m, old, 0, (uint32_t)old_len, out);
}

/* ---- building the table ---- */

struct run_rec {
    uint32_t start;
    int32_t disp;
    unsigned flags;
};

static int by_len_desc(const void *a, const void *b)
{
    const struct cfota_op *x = *(const struct cfota_op *const *)a, *y = *(const struct cfota_op *const *)b;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The displacement of every base byte some copy reads (INT32_MIN for
 * none); where copies overlap, the longest copy's. */
static int32_t *paint(const struct cfota_oplist *ops, size_t old_len)
{
    int32_t *d = xmalloc((old_len ? old_len : 1) * sizeof *d);
    const struct cfota_op **v = xmalloc((ops->n ? ops->n : 1) * sizeof *v);
    size_t i, n = 0, k;
    for (i = 0; i < old_len; i++)
        d[i] = INT32_MIN;
    for (i = 0; i < ops->n; i++)
        if (ops->v[i].kind == CFOTA_OP_OLD && ops->v[i].len >= MIN_COPY)
            v[n++] = &ops->v[i];
    qsort(v, n, sizeof *v, by_len_desc);
    for (i = 0; i < n; i++)
        for (k = 0; k < v[i]->len; k++)
            if (d[v[i]->src + k] == INT32_MIN)
                d[v[i]->src + k] = (int32_t)(v[i]->pos - v[i]->src);
    free(v);
    return d;
}

/* Runs of equal displacement; bytes no copy reads join the run before. */
static size_t make_runs(const int32_t *d, size_t old_len, struct run_rec **out)
{
    struct run_rec *r = NULL;
    size_t n = 0, cap = 0, i;
    for (i = 0; i < old_len; i++) {
        if (d[i] == INT32_MIN || (n && r[n - 1].disp == d[i]))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            r = xrealloc(r, cap * sizeof *r);
        }
        r[n].start = (uint32_t)i;
        r[n].disp = d[i];
        r[n].flags = CFOTA_PRED_REL | CFOTA_PRED_ABS;
        n++;
    }
    *out = r;
    return n;
}

/* Merge runs shorter than MIN_RUN, or with a displacement a record cannot
 * hold, into the run before them; then runs of equal displacement. */
static size_t merge_runs(struct run_rec *r, size_t n, size_t old_len)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        uint32_t end = i + 1 < n ? r[i + 1].start : (uint32_t)old_len;
        int fits = r[i].disp >= CFOTA_DISP_MIN && r[i].disp <= CFOTA_DISP_MAX && r[i].start < (1u << 24);
        if (!fits || (k > 0 && end - r[i].start < MIN_RUN))
            continue;
        if (k > 0 && r[k - 1].disp == r[i].disp)
            continue;
        r[k++] = r[i];
    }
    return k;
}

static void serialize(struct arch_model *m, const struct run_rec *r, size_t n)
{
    uint8_t b[CFOTA_ARCH_REGION];
    unsigned t, i;
    size_t k;
    m->block.n = 0;
    b[0] = (uint8_t)m->id;
    b[1] = (uint8_t)m->nreg[0];
    b[2] = (uint8_t)m->nreg[1];
    b[3] = 0;
    cfota_put32(b + 4, (uint32_t)n);
    bytes_put(&m->block, b, CFOTA_ARCH_HEAD);
    for (t = 0; t < 2; t++)
        for (i = 0; i < m->nreg[t]; i++) {
            cfota_put32(b, m->reg[t][i].vaddr);
            cfota_put32(b + 4, m->reg[t][i].off);
            cfota_put32(b + 8, m->reg[t][i].len);
            bytes_put(&m->block, b, CFOTA_ARCH_REGION);
        }
    for (k = 0; k < n; k++) {
        cfota_record_write(b, r[k].start, r[k].disp, r[k].flags);
        bytes_put(&m->block, b, CFOTA_ARCH_RECORD);
    }
    /* The block is ours and well formed: parse it as the decoder will. */
    if (cfota_arch_parse(&m->a, block_read, m, 0, (uint32_t)m->block.n, m->base_size, m->target_size) != 0)
        abort();
    m->run.start = m->run.end = 0;
}

/* Bytes of run i whose target byte (at b + disp) equals pred[b]. */
static void count_matches(const struct run_rec *r, size_t n, const uint8_t *pred, size_t old_len,
                          const uint8_t *new_, size_t new_len, uint64_t *hits)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t b, end = i + 1 < n ? r[i + 1].start : (uint32_t)old_len;
        hits[i] = 0;
        for (b = r[i].start; b < end; b++) {
            int64_t t = (int64_t)b + r[i].disp;
            if (t >= 0 && (uint64_t)t < new_len && pred[b] == new_[t])
                hits[i]++;
        }
    }
}

/* Keep each kind of prediction in a run only where it matches more target
 * bytes than the raw base. */
static void choose_flags(struct arch_model *m, struct run_rec *r, size_t n, const uint8_t *old, size_t old_len,
                         const uint8_t *new_, size_t new_len)
{
    uint8_t *p = xmalloc(old_len ? old_len : 1);
    uint64_t *raw = xmalloc((n ? n : 1) * sizeof *raw), *kind = xmalloc((n ? n : 1) * sizeof *kind);
    unsigned f;
    size_t i;
    count_matches(r, n, old, old_len, new_, new_len, raw);
    for (f = CFOTA_PRED_REL; f <= CFOTA_PRED_ABS; f <<= 1) {
        m->mask = f;
        arch_predict_base(m, old, old_len, p);
        count_matches(r, n, p, old_len, new_, new_len, kind);
        for (i = 0; i < n; i++)
            if (kind[i] <= raw[i])
                r[i].flags &= ~f;
    }
    m->mask = CFOTA_PRED_REL | CFOTA_PRED_ABS;
    free(p);
    free(raw);
    free(kind);
}

void arch_model_build(struct arch_model *m, unsigned id, const struct cfota_region *base_r,
                      const struct cfota_region *target_r, const struct cfota_oplist *ops, const uint8_t *old,
                      size_t old_len, const uint8_t *new_, size_t new_len)
{
    struct run_rec *r;
    int32_t *d;
    size_t n;
    unsigned i;
    memset(m, 0, sizeof *m);
    m->id = id;
    for (i = 0; i < CFOTA_ARCH_REGIONS && base_r[i].len; i++)
        m->reg[0][m->nreg[0]++] = base_r[i];
    for (i = 0; i < CFOTA_ARCH_REGIONS && target_r[i].len; i++)
        m->reg[1][m->nreg[1]++] = target_r[i];
    m->base_size = (uint32_t)old_len;
    m->target_size = (uint32_t)new_len;
    m->mask = CFOTA_PRED_REL | CFOTA_PRED_ABS;
    d = paint(ops, old_len);
    n = make_runs(d, old_len, &r);
    free(d);
    n = merge_runs(r, n, old_len);
    serialize(m, r, n);
    choose_flags(m, r, n, old, old_len, new_, new_len);
    serialize(m, r, n);
    free(r);
}

void arch_model_free(struct arch_model *m)
{
    bytes_free(&m->block);
    memset(m, 0, sizeof *m);
}
