/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/journal.c: the update journal (see journal.h for the design).
 *
 * Every write here is one program of one record slot into erased flash;
 * every erase is of the block that is not in charge. That is what makes
 * each cut point harmless: the block in charge only ever gains records.
 */
#include "journal.h"

#include <string.h>

#include "cfota/crc32.h"
#include "cfota/status.h"
#include "le.h"

/* Every view of the body is exactly its four words: no padding, no more. */
typedef char journal_body_is_16_bytes[sizeof(union journal_body) == 16 &&
                                      sizeof(struct journal_begin) == 16 &&
                                      sizeof(struct journal_segment) == 16 &&
                                      sizeof(struct journal_failed) == 16 ? 1 : -1];

static void encode(const struct journal_rec *r, uint8_t out[JOURNAL_RECORD])
{
    cfota_put32(out, JOURNAL_MAGIC);
    cfota_put32(out + 4, r->seq);
    out[8] = r->type;
    out[9] = r->flags;
    out[10] = (uint8_t)r->index;
    out[11] = (uint8_t)(r->index >> 8);
    cfota_put32(out + 12, r->body.word[0]);
    cfota_put32(out + 16, r->body.word[1]);
    cfota_put32(out + 20, r->body.word[2]);
    cfota_put32(out + 24, r->body.word[3]);
    cfota_put32(out + 28, cfota_crc32(0, out, 28));
}

/* 1: valid record; 0: erased slot; -1: anything else (torn, garbage). */
static int decode(const uint8_t in[JOURNAL_RECORD], struct journal_rec *r)
{
    unsigned i;
    if (cfota_get32(in) != JOURNAL_MAGIC || cfota_get32(in + 28) != cfota_crc32(0, in, 28)) {
        for (i = 0; i < JOURNAL_RECORD; i++)
            if (in[i] != 0xFF)
                return -1;
        return 0;
    }
    r->seq = cfota_get32(in + 4);
    r->type = in[8];
    r->flags = in[9];
    r->index = (uint16_t)(in[10] | in[11] << 8);
    r->body.word[0] = cfota_get32(in + 12);
    r->body.word[1] = cfota_get32(in + 16);
    r->body.word[2] = cfota_get32(in + 20);
    r->body.word[3] = cfota_get32(in + 24);
    return r->type >= J_BEGIN && r->type <= J_STASHED ? 1 : -1;
}

struct scan {
    int ok;          /* block in charge-worthy: BEGIN first, and not a lone copy */
    uint32_t next;   /* first slot after the last non-erased one */
    struct journal_rec begin, last;
};

static int scan_block(struct journal *j, uint32_t block, struct scan *s)
{
    uint8_t rec[JOURNAL_RECORD];
    uint32_t k, count = 0;
    memset(s, 0, sizeof *s);
    for (k = 0; k < j->slots; k++) {
        struct journal_rec r;
        int v;
        if (cfota_area_read(j->area, block * j->area->flash->erase_size + k * j->slot, rec, sizeof rec) != CFOTA_OK)
            return CFOTA_E_IO;
        v = decode(rec, &r);
        if (v == 0)
            continue;
        s->next = k + 1;
        if (v < 0)
            continue;
        if (k == 0) {
            if (r.type != J_BEGIN)
                return CFOTA_OK;
            s->begin = r;
        } else if (count == 0 || r.seq <= s->last.seq) {
            continue; /* no BEGIN first, or out of order: ignore */
        }
        s->last = r;
        count++;
    }
    /* A copied BEGIN alone means the switch to this block did not finish. */
    s->ok = count > 0 && !((s->begin.flags & J_FLAG_COPY) && count == 1);
    return CFOTA_OK;
}

int journal_load(struct journal *j, const struct cfota_area *area)
{
    struct scan s0, s1;
    int rc;
    memset(j, 0, sizeof *j);
    if (!area || !area->flash || area->size != 2 * area->flash->erase_size)
        return CFOTA_E_INVAL;
    j->area = area;
    j->slot = area->flash->prog_size > JOURNAL_RECORD ? area->flash->prog_size : JOURNAL_RECORD;
    j->slot = (j->slot + area->flash->prog_size - 1) / area->flash->prog_size * area->flash->prog_size;
    j->slots = area->flash->erase_size / j->slot;
    if (j->slots < 4)
        return CFOTA_E_INVAL;
    if ((rc = scan_block(j, 0, &s0)) != CFOTA_OK || (rc = scan_block(j, 1, &s1)) != CFOTA_OK)
        return rc;
    if (s0.ok && (!s1.ok || s0.last.seq > s1.last.seq)) {
        j->block = 0;
        j->next = s0.next;
        j->begin = s0.begin;
        j->last = s0.last;
    } else if (s1.ok) {
        j->block = 1;
        j->next = s1.next;
        j->begin = s1.begin;
        j->last = s1.last;
    } else {
        return CFOTA_OK; /* nothing recorded */
    }
    j->seq = j->last.seq;
    j->valid = 1;
    return CFOTA_OK;
}

static int write_slot(struct journal *j, uint32_t block, uint32_t k, const struct journal_rec *r,
                      uint8_t *buf, uint32_t buf_size)
{
    uint32_t n = j->slot;
    if (buf_size < n)
        return CFOTA_E_INVAL;
    memset(buf, 0xFF, n);
    encode(r, buf);
    return cfota_area_prog(j->area, block * j->area->flash->erase_size + k * j->slot, buf, n);
}

int journal_erase(struct journal *j)
{
    int rc = cfota_area_erase(j->area, 0);
    if (rc == CFOTA_OK)
        rc = cfota_area_erase(j->area, j->area->flash->erase_size);
    j->valid = 0;
    j->next = 0;
    return rc;
}

int journal_start(struct journal *j, const struct journal_rec *r, uint8_t *buf, uint32_t buf_size)
{
    int rc = journal_erase(j);
    if (rc != CFOTA_OK)
        return rc;
    j->block = 0;
    j->seq = 1;
    j->begin = *r;
    j->begin.seq = 1;
    j->begin.type = J_BEGIN;
    rc = write_slot(j, 0, 0, &j->begin, buf, buf_size);
    if (rc != CFOTA_OK)
        return rc;
    j->last = j->begin;
    j->next = 1;
    j->valid = 1;
    return CFOTA_OK;
}

/* Move to the other block: erase it, then BEGIN (as a copy) and the last
 * record. Until the second write lands, the old block stays in charge. */
static int switch_block(struct journal *j, uint8_t *buf, uint32_t buf_size)
{
    uint32_t other = j->block ^ 1u;
    struct journal_rec b = j->begin, l = j->last;
    int rc = cfota_area_erase(j->area, other * j->area->flash->erase_size);
    if (rc != CFOTA_OK)
        return rc;
    b.seq = ++j->seq;
    b.flags |= J_FLAG_COPY;
    if ((rc = write_slot(j, other, 0, &b, buf, buf_size)) != CFOTA_OK)
        return rc;
    l.seq = ++j->seq;
    if ((rc = write_slot(j, other, 1, &l, buf, buf_size)) != CFOTA_OK)
        return rc;
    j->block = other;
    j->begin = b;
    j->last = l;
    j->next = 2;
    return CFOTA_OK;
}

int journal_append(struct journal *j, struct journal_rec *r, uint8_t *buf, uint32_t buf_size)
{
    int rc;
    if (j->next >= j->slots && (rc = switch_block(j, buf, buf_size)) != CFOTA_OK)
        return rc;
    r->seq = ++j->seq;
    rc = write_slot(j, j->block, j->next, r, buf, buf_size);
    j->next++; /* even after a failure: the slot may be torn, never reuse it */
    if (rc != CFOTA_OK)
        return rc;
    j->last = *r;
    return CFOTA_OK;
}
