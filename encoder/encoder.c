/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/encoder.c: the delta generator's entry point (encoder/encoder.h).
 *
 * image pair -> matcher (match.c) -> operations (parse.c) -> operations
 * refined by their coded cost (refine.c) -> payload (coder.c) -> header
 * (lib/package.c) + payload = package.
 */
#include "encoder.h"

#include <stdlib.h>
#include <string.h>

#include "cfota/crc32.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "arch.h"
#include "coder.h"
#include "hash.h"
#include "inplace.h"
#include "match.h"
#include "parse.h"
#include "refine.h"
#include "stash.h"

#define DEFAULT_SEGMENT 65536u
#define MAX_IMAGE 0x01000000u
/* Refinement passes: the second one (opts.best) decides with the ops ahead
 * already refined: -0.5% over the corpus, but it nearly doubles the time,
 * which the default keeps within twice bsdiff's. */
#define REFINE_PASSES 1
#define REFINE_PASSES_BEST 2
/* In place: a second, constrained parse (which doubles the time) is tried
 * only when more than 1/this of the target became literals for lack of a
 * readable source, i.e. when the stash budget was too small. */
#define CONFLICT_SECOND_PARSE 200u
/* In place: models carry over between segments (CFOTA_FLAG_CARRY) when the
 * stash budget holds the two carry slots and at least one unit more (a
 * device that resumes in place cannot replay: the base is gone). */
#define CARRY_MIN_STASH ((CFOTA_CARRY_SLOTS + 1u) * CFOTA_STASH_UNIT)

static int fill_header(struct cfota_header *h, const uint8_t *old, size_t old_len, const uint8_t *new_,
                       size_t new_len, const struct cfota_encode_opts *o)
{
    memset(h, 0, sizeof *h);
    h->format_version = CFOTA_FORMAT_VERSION;
    h->segment_size = o->segment_size ? o->segment_size : DEFAULT_SEGMENT;
    if (o->in_place) {
        /* In place, a segment is decoded whole into scratch before it
         * overwrites the image: it cannot be larger than scratch. */
        h->scratch_size = o->scratch_size ? o->scratch_size : CFOTA_SCRATCH_MODULE;
        if (h->scratch_size % 4096u || h->scratch_size == 0)
            return CFOTA_E_INVAL;
        if (h->segment_size > h->scratch_size)
            h->segment_size = h->scratch_size;
        h->flags |= CFOTA_FLAG_IN_PLACE | CFOTA_FLAG_ORDERED;
    }
    if (h->segment_size % 4096u || h->segment_size > 65536u || h->segment_size == 0)
        return CFOTA_E_INVAL;
    if (o->no_base)
        h->flags |= CFOTA_FLAG_NO_BASE;
    else {
        h->base_size = (uint32_t)old_len;
        host_sha256(old, old_len, h->base_sha256);
    }
    h->target_size = (uint32_t)new_len;
    host_sha256(new_, new_len, h->target_sha256);
    h->product_id = o->product_id;
    h->security_counter = o->security_counter;
    if (o->base_version) {
        if (strlen(o->base_version) > CFOTA_VERSION_MAX)
            return CFOTA_E_INVAL;
        strcpy(h->base_version, o->base_version);
    }
    if (o->target_version) {
        if (strlen(o->target_version) > CFOTA_VERSION_MAX)
            return CFOTA_E_INVAL;
        strcpy(h->target_version, o->target_version);
    }
    return CFOTA_OK;
}


/* Code ops into payload, or a refined copy of them (refine.c) if that is
 * smaller: the refinement decides by a few bytes of lookahead, so it is
 * checked on the whole. Returns 0, or -1 if the ops are inconsistent. */
static int code_best(const struct cfota_oplist *ops, const uint8_t *old, size_t old_len, const uint8_t *new_,
                     size_t new_len, const struct coder_params *cp, const struct refine_params *rp, int passes,
                     struct bytes *payload)
{
    struct cfota_oplist refined = {0, 0, 0};
    struct bytes alt = {0, 0, 0};
    int pass, rc = coder_encode(ops, old, old_len, new_, new_len, cp, payload);
    if (rc == 0 && ops->n) {
        refined.v = xmalloc(ops->n * sizeof *ops->v);
        refined.n = refined.cap = ops->n;
        memcpy(refined.v, ops->v, ops->n * sizeof *ops->v);
        for (pass = 0; pass < passes; pass++)
            refine_ops(&refined, old, old_len, new_, new_len, rp);
        rc = coder_encode(&refined, old, old_len, new_, new_len, cp, &alt);
        if (rc == 0 && alt.n < payload->n) {
            struct bytes t = *payload;
            *payload = alt;
            alt = t;
        }
    }
    oplist_free(&refined);
    bytes_free(&alt);
    return rc;
}

/* In place. The first parse (ops, made without constraints) shows which
 * segments read which, and that fixes the order; then the stash plan: the
 * base ranges that copies of later segments read and earlier commits
 * destroy, saved by the device before those commits (encoder/stash.c).
 * Two ways to honour order and plan: resolve what still conflicts in the
 * first parse (what did not fit the stash), or parse again using only
 * sources a device can still read and resolve what remains. Neither wins
 * on every pair (a constrained parse can miss long matches that cost only
 * a few literals to repair), so both are coded and the smaller kept. The
 * payload is the plan (if any range is stashed) and the coded stream. */
static int encode_in_place(const uint8_t *old, size_t old_len, const uint8_t *new_,
                           size_t new_len, struct parse_params *pp, struct cfota_oplist *ops,
                           struct coder_params *cp, int passes, uint32_t stash_budget, struct bytes *payload,
                           struct stash_plan *sp, struct inplace_stats *st_out)
{
    struct inplace_plan plan;
    struct inplace_stats st, st2;
    struct cfota_oplist second = {0, 0, 0};
    struct bytes alt = {0, 0, 0};
    struct refine_params rp;
    int rc;
    inplace_plan_init(&plan, ops, new_len, cp->segment_size);
    /* Carried models need the stash's two carry slots (and a stash plan
     * needs a base: not for full images); a single segment has nothing to
     * carry. */
    cp->carry = plan.n > 1 && old_len > 0 && stash_budget >= CARRY_MIN_STASH;
    stash_plan_make(sp, ops, &plan, stash_budget, cp->carry ? CFOTA_CARRY_SLOTS * CFOTA_STASH_UNIT : 0);
    plan.stash = sp;
    cp->ordered = 1;
    cp->order = plan.order;
    pp->valid_run = inplace_valid_run;
    pp->valid_ctx = &plan;
    pp->progress = NULL;
    memset(&rp, 0, sizeof rp);
    rp.cp = cp;
    rp.valid_run = inplace_valid_run;
    rp.valid_ctx = &plan;
    rp.ordered = 1;
    inplace_resolve(ops, &plan, new_, old_len, new_len, &st);
    *st_out = st;
    rc = code_best(ops, old, old_len, new_, new_len, cp, &rp, passes, payload) != 0 ? CFOTA_E_INVAL : CFOTA_OK;
    /* When the stash took (nearly) every conflict, the first parse is
     * already what an unconstrained encoding would say: a second parse
     * could only lose. */
    if (rc == CFOTA_OK && st.conflict_bytes > new_len / CONFLICT_SECOND_PARSE) {
        /* A matcher serves one parse: it indexes the target as the parse
         * advances. */
        struct matcher *m2 = matcher_new(old, old_len, new_, new_len);
        if (m2) {
            parse_ops(m2, old, old_len, new_, new_len, pp, &second);
            matcher_free(m2);
        }
        inplace_resolve(&second, &plan, new_, old_len, new_len, &st2);
        if (!m2 || code_best(&second, old, old_len, new_, new_len, cp, &rp, passes, &alt) != 0)
            rc = CFOTA_E_INVAL;
        else if (alt.n < payload->n) {
            struct bytes t = *payload;
            *payload = alt;
            alt = t;
            *st_out = st2;
        }
    }
    oplist_free(&second);
    bytes_free(&alt);
    inplace_plan_free(&plan);
    return rc;
}



/* Which architecture to predict operands for: forced, or detected from
 * both images (the same one, else none). Fills the regions. Returns the
 * id, or -1 for a forced one without a recogniser. */
static int choose_arch(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len, int want,
                       struct cfota_region rb[CFOTA_ARCH_REGIONS], struct cfota_region rt[CFOTA_ARCH_REGIONS])
{
    unsigned a = arch_detect(old, old_len, rb), b = arch_detect(new_, new_len, rt);
    if (want == CFOTA_ENC_ARCH_NONE || old_len == 0 || new_len == 0)
        return CFOTA_ARCH_NONE;
    if (want != CFOTA_ENC_ARCH_AUTO) {
        if (want < 0 || !cfota_arch_recogniser((unsigned)want))
            return -1;
        /* Forced: without a vector table, the image's load address is
         * unknown: offsets stand for addresses. */
        if (a != (unsigned)want) {
            memset(rb, 0, CFOTA_ARCH_REGIONS * sizeof *rb);
            rb->len = (uint32_t)old_len;
        }
        if (b != (unsigned)want) {
            memset(rt, 0, CFOTA_ARCH_REGIONS * sizeof *rt);
            rt->len = (uint32_t)new_len;
        }
        return want;
    }
    return a == b && cfota_arch_recogniser(a) ? (int)a : CFOTA_ARCH_NONE;
}

/* The first pass of operand prediction: a parse on the raw base gives the
 * displacement table (encoder/arch.c); the base predicted through it is
 * what the normal pipeline then works on. NULL (and am empty) when there
 * is nothing to predict. */
static uint8_t *predicted_base(struct arch_model *am, unsigned id, const struct cfota_region *rb,
                               const struct cfota_region *rt, const uint8_t *old, size_t old_len,
                               const uint8_t *new_, size_t new_len, const struct parse_params *pp0)
{
    struct parse_params pp = *pp0;
    struct cfota_oplist first = {0, 0, 0};
    struct matcher *mt = matcher_new(old, old_len, new_, new_len);
    uint8_t *p;
    if (!mt)
        return NULL; /* then the pipeline goes on without prediction */
    pp.progress = NULL;
    /* Only long base copies make the table (encoder/arch.c): a cheaper
     * parse that looks for nothing else. */
    pp.min_old = 12;
    pp.min_new = UINT32_MAX;
    parse_ops(mt, old, old_len, new_, new_len, &pp, &first);
    matcher_free(mt);
    arch_model_build(am, id, rb, rt, &first, old, old_len, new_, new_len);
    oplist_free(&first);
    p = xmalloc(old_len);
    arch_predict_base(am, old, old_len, p);
    if (!memcmp(p, old, old_len)) {
        /* Nothing moved that an operand points at: the block would cost
         * bytes and predict nothing. */
        free(p);
        arch_model_free(am);
        return NULL;
    }
    return p;
}

int cfota_encode(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                 const struct cfota_encode_opts *opts, struct bytes *pkg)
{
    struct arch_model am;
    struct cfota_region rb[CFOTA_ARCH_REGIONS], rt[CFOTA_ARCH_REGIONS];
    const uint8_t *raw = old;
    uint8_t *pred = NULL;
    int arch;
    struct cfota_encode_opts none;
    struct cfota_header h;
    struct parse_params pp;
    struct coder_params cp;
    struct cfota_oplist ops = {0, 0, 0};
    struct bytes payload = {0, 0, 0};
    struct matcher *mt;
    uint8_t head[CFOTA_HEADER_MAX];
    int rc, hsize, passes;

    if (!opts) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    if (old_len > MAX_IMAGE || new_len > MAX_IMAGE)
        return CFOTA_E_NOSPC;
    if (opts->no_base)
        old_len = 0;
    rc = fill_header(&h, old, old_len, new_, new_len, opts);
    if (rc != CFOTA_OK)
        return rc;

    parse_defaults(&pp);
    pp.progress = opts->progress;
    pp.progress_ctx = opts->progress_ctx;
    memset(&am, 0, sizeof am);
    arch = choose_arch(old, old_len, new_, new_len, opts->arch, rb, rt);
    if (arch < 0)
        return CFOTA_E_INVAL;
    if (arch != CFOTA_ARCH_NONE) {
        if ((pred = predicted_base(&am, (unsigned)arch, rb, rt, old, old_len, new_, new_len, &pp))) {
            old = pred;
            h.flags |= CFOTA_FLAG_ARCH;
        }
    }
    if (!(mt = matcher_new(old, old_len, new_, new_len))) {
        free(pred);
        arch_model_free(&am);
        return CFOTA_E_INVAL;
    }
    parse_ops(mt, old, old_len, new_, new_len, &pp, &ops);
    matcher_free(mt);
    memset(&cp, 0, sizeof cp);
    cp.segment_size = h.segment_size;
    if (pred) {
        cp.arch = &am;
        cp.raw = raw;
    }
    passes = opts->best ? REFINE_PASSES_BEST : REFINE_PASSES;
    if (opts->in_place) {
        struct stash_plan sp;
        struct inplace_stats st;
        struct bytes stream = {0, 0, 0};
        uint32_t budget = opts->stash_size == CFOTA_STASH_NONE ? 0
                          : opts->stash_size ? opts->stash_size : CFOTA_STASH_MODULE;
        memset(&st, 0, sizeof st);
        rc = encode_in_place(old, old_len, new_, new_len, &pp, &ops, &cp, passes, budget, &stream, &sp, &st);
        if (sp.n || cp.carry) {
            h.flags |= CFOTA_FLAG_STASH;
            stash_plan_write(&sp, &payload);
        }
        if (cp.carry)
            h.flags |= CFOTA_FLAG_CARRY;
        if (am.block.n)
            bytes_put(&payload, am.block.p, am.block.n);
        bytes_put(&payload, stream.p, stream.n);
        if (opts->info) {
            opts->info->stash_size = sp.size;
            opts->info->stash_entries = (uint32_t)sp.n;
            opts->info->stash_saved = sp.saved;
            opts->info->conflict_bytes = st.conflict_bytes;
        }
        bytes_free(&stream);
        stash_plan_free(&sp);
    } else {
        struct refine_params rp;
        struct bytes stream = {0, 0, 0};
        memset(&rp, 0, sizeof rp);
        rp.cp = &cp;
        /* A/B: models carry over between segments whenever there are two
         * or more. A device resumes such a package by a replay from the
         * intact base (cfota_dec_resume), so it needs no carry slots. */
        cp.carry = new_len > h.segment_size;
        if (cp.carry)
            h.flags |= CFOTA_FLAG_CARRY;
        rc = code_best(&ops, old, old_len, new_, new_len, &cp, &rp, passes, &stream) == 0 ? CFOTA_OK
                                                                                             : CFOTA_E_INVAL;
        if (am.block.n)
            bytes_put(&payload, am.block.p, am.block.n);
        bytes_put(&payload, stream.p, stream.n);
        bytes_free(&stream);
    }
    if (opts->info) {
        opts->info->arch = am.id;
        opts->info->arch_bytes = (uint32_t)am.block.n;
        opts->info->arch_runs = am.a.count;
    }
    oplist_free(&ops);
    free(pred);
    arch_model_free(&am);
    if (rc != CFOTA_OK) {
        bytes_free(&payload);
        return rc;
    }
    h.payload_size = (uint32_t)payload.n;
    h.payload_crc32 = cfota_crc32(0, payload.p, payload.n);
    hsize = cfota_header_write(&h, head);
    if (hsize < 0) {
        bytes_free(&payload);
        return hsize;
    }
    bytes_put(pkg, head, (size_t)hsize);
    bytes_put(pkg, payload.p, payload.n);
    bytes_free(&payload);
    return CFOTA_OK;
}
