/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/package.c: reading and writing the package header.
 *
 * The wire layout is little-endian (docs/package-format.md, "Header"); this
 * file is the only place that knows the offsets. A parsed header is fully
 * checked here (magic, CRC, version, flags, sizes), so code that holds a
 * struct cfota_header can trust its fields to be consistent.
 */
#include "cfota/package.h"

#include <string.h>

#include "cfota/crc32.h"
#include "cfota/status.h"
#include "le.h"

enum {
    OFF_MAGIC = 0, OFF_FORMAT = 4, OFF_FLAGS = 5, OFF_SEGMENT = 6,
    OFF_BASE_VLEN = 7, OFF_TARGET_VLEN = 8, OFF_RESERVED = 9,
    OFF_SCRATCH = 10, OFF_BASE_SIZE = 12, OFF_TARGET_SIZE = 16,
    OFF_PAYLOAD_SIZE = 20, OFF_SIG_SIZE = 24, OFF_BASE_SHA = 28,
    OFF_TARGET_SHA = 60, OFF_PAYLOAD_CRC = 92, OFF_PRODUCT = 96,
    OFF_COUNTER = 100, OFF_VERSIONS = 104
};

uint32_t cfota_header_segments(const struct cfota_header *h)
{
    if (h->segment_size == 0)
        return 0;
    return (uint32_t)(((uint64_t)h->target_size + h->segment_size - 1) / h->segment_size);
}

uint32_t cfota_header_size_peek(const uint8_t *buf, size_t len)
{
    if (!buf || len < 10 || memcmp(buf, CFOTA_MAGIC, 4) != 0)
        return 0;
    if (buf[OFF_BASE_VLEN] > CFOTA_VERSION_MAX || buf[OFF_TARGET_VLEN] > CFOTA_VERSION_MAX)
        return 0;
    return OFF_VERSIONS + buf[OFF_BASE_VLEN] + buf[OFF_TARGET_VLEN] + 4u;
}

/* A version string on the wire: printable ASCII, no terminator. */
static int get_version(char out[CFOTA_VERSION_MAX + 1], const uint8_t *p, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return CFOTA_E_CORRUPT;
    memcpy(out, p, n);
    out[n] = 0;
    return CFOTA_OK;
}

int cfota_header_parse(struct cfota_header *h, const uint8_t *buf, size_t len)
{
    uint32_t size;
    unsigned bl, tl;
    if (!h || !buf)
        return CFOTA_E_INVAL;
    if (len < 10)
        return CFOTA_E_TRUNCATED;
    if (memcmp(buf + OFF_MAGIC, CFOTA_MAGIC, 4) != 0)
        return CFOTA_E_CORRUPT;
    size = cfota_header_size_peek(buf, len);
    if (size == 0)
        return CFOTA_E_CORRUPT;
    if (len < size)
        return CFOTA_E_TRUNCATED;
    if (cfota_crc32(0, buf, size - 4) != cfota_get32(buf + size - 4))
        return CFOTA_E_CORRUPT;
    memset(h, 0, sizeof *h);
    h->format_version = buf[OFF_FORMAT];
    if (h->format_version != CFOTA_FORMAT_VERSION)
        return CFOTA_E_VERSION;
    h->flags = buf[OFF_FLAGS];
    if (h->flags & ~CFOTA_FLAGS_KNOWN)
        return CFOTA_E_VERSION;
    h->header_size = (uint16_t)size;
    h->segment_size = 4096u * buf[OFF_SEGMENT];
    h->scratch_size = 4096u * (uint32_t)(buf[OFF_SCRATCH] | buf[OFF_SCRATCH + 1] << 8);
    h->base_size = cfota_get32(buf + OFF_BASE_SIZE);
    h->target_size = cfota_get32(buf + OFF_TARGET_SIZE);
    h->payload_size = cfota_get32(buf + OFF_PAYLOAD_SIZE);
    h->sig_size = cfota_get32(buf + OFF_SIG_SIZE);
    memcpy(h->base_sha256, buf + OFF_BASE_SHA, 32);
    memcpy(h->target_sha256, buf + OFF_TARGET_SHA, 32);
    h->payload_crc32 = cfota_get32(buf + OFF_PAYLOAD_CRC);
    h->product_id = cfota_get32(buf + OFF_PRODUCT);
    h->security_counter = cfota_get32(buf + OFF_COUNTER);
    bl = buf[OFF_BASE_VLEN];
    tl = buf[OFF_TARGET_VLEN];
    if (get_version(h->base_version, buf + OFF_VERSIONS, bl) != CFOTA_OK ||
        get_version(h->target_version, buf + OFF_VERSIONS + bl, tl) != CFOTA_OK)
        return CFOTA_E_CORRUPT;
    /* Reserved bits must be zero: one encoding per header. */
    if (buf[OFF_RESERVED] != 0)
        return CFOTA_E_CORRUPT;
    /* Segments are whole 4 KiB flash blocks, at most 64 KiB (the checkpoint
     * spacing promised by decoder.h). */
    if (h->segment_size == 0 || h->segment_size > 65536u)
        return CFOTA_E_CORRUPT;
    if ((h->flags & CFOTA_FLAG_NO_BASE) && h->base_size != 0)
        return CFOTA_E_CORRUPT;
    /* One signature block format, of one size (docs/package-format.md). */
    if (h->sig_size != ((h->flags & CFOTA_FLAG_SIGNED) ? CFOTA_SIG_BLOCK_SIZE : 0))
        return CFOTA_E_CORRUPT;
    if (!(h->flags & CFOTA_FLAG_IN_PLACE) && h->scratch_size != 0)
        return CFOTA_E_CORRUPT;
    if (h->base_size > 0x01000000u || h->target_size > 0x01000000u)
        return CFOTA_E_CORRUPT; /* 16 MiB: beyond any flash we address */
    /* A stash saves base bytes before an in-place commit: meaningless
     * without both. */
    if ((h->flags & CFOTA_FLAG_STASH) &&
        (!(h->flags & CFOTA_FLAG_IN_PLACE) || (h->flags & CFOTA_FLAG_NO_BASE) || h->payload_size < CFOTA_PLAN_HEAD))
        return CFOTA_E_CORRUPT;
    /* Carried models survive a power cut in the stash's first two units,
     * or, A/B, by a replay from the intact base: in place without a stash
     * neither is possible. */
    if ((h->flags & CFOTA_FLAG_CARRY) && (h->flags & CFOTA_FLAG_IN_PLACE) && !(h->flags & CFOTA_FLAG_STASH))
        return CFOTA_E_CORRUPT;
    /* Operands are predicted from base bytes: a full image has none. */
    if ((h->flags & CFOTA_FLAG_ARCH) && (h->flags & CFOTA_FLAG_NO_BASE))
        return CFOTA_E_CORRUPT;
    return CFOTA_OK;
}

static int put_version(uint8_t *p, const char *v, unsigned *n_out)
{
    size_t n = strlen(v), i;
    if (n > CFOTA_VERSION_MAX)
        return CFOTA_E_INVAL;
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
            return CFOTA_E_INVAL;
    memcpy(p, v, n);
    *n_out = (unsigned)n;
    return CFOTA_OK;
}

int cfota_header_write(const struct cfota_header *h, uint8_t *out)
{
    unsigned bl = 0, tl = 0;
    uint32_t size;
    if (h->segment_size == 0 || h->segment_size % 4096u || h->segment_size > 65536u ||
        h->scratch_size % 4096u || h->scratch_size / 4096u > 0xFFFFu)
        return CFOTA_E_INVAL;
    memset(out, 0, CFOTA_HEADER_MAX);
    if (put_version(out + OFF_VERSIONS, h->base_version, &bl) != CFOTA_OK)
        return CFOTA_E_INVAL;
    if (put_version(out + OFF_VERSIONS + bl, h->target_version, &tl) != CFOTA_OK)
        return CFOTA_E_INVAL;
    memcpy(out + OFF_MAGIC, CFOTA_MAGIC, 4);
    out[OFF_FORMAT] = CFOTA_FORMAT_VERSION;
    out[OFF_FLAGS] = h->flags;
    out[OFF_SEGMENT] = (uint8_t)(h->segment_size / 4096u);
    out[OFF_BASE_VLEN] = (uint8_t)bl;
    out[OFF_TARGET_VLEN] = (uint8_t)tl;
    out[OFF_SCRATCH] = (uint8_t)(h->scratch_size / 4096u);
    out[OFF_SCRATCH + 1] = (uint8_t)(h->scratch_size / 4096u >> 8);
    cfota_put32(out + OFF_BASE_SIZE, h->base_size);
    cfota_put32(out + OFF_TARGET_SIZE, h->target_size);
    cfota_put32(out + OFF_PAYLOAD_SIZE, h->payload_size);
    cfota_put32(out + OFF_SIG_SIZE, h->sig_size);
    memcpy(out + OFF_BASE_SHA, h->base_sha256, 32);
    memcpy(out + OFF_TARGET_SHA, h->target_sha256, 32);
    cfota_put32(out + OFF_PAYLOAD_CRC, h->payload_crc32);
    cfota_put32(out + OFF_PRODUCT, h->product_id);
    cfota_put32(out + OFF_COUNTER, h->security_counter);
    size = OFF_VERSIONS + bl + tl;
    cfota_put32(out + size, cfota_crc32(0, out, size));
    return (int)(size + 4);
}

/* ---- the stash plan ---- */

int cfota_carry_slots(uint8_t flags)
{
    return (flags & CFOTA_FLAG_CARRY) && (flags & CFOTA_FLAG_STASH);
}

uint32_t cfota_plan_reserved(const struct cfota_header *h)
{
    return cfota_carry_slots(h->flags) ? CFOTA_CARRY_SLOTS * CFOTA_STASH_UNIT : 0;
}

uint32_t cfota_plan_bytes(const struct cfota_header *h, const struct cfota_plan_head *p)
{
    if (!(h->flags & CFOTA_FLAG_STASH))
        return 0;
    return CFOTA_PLAN_HEAD + p->count * CFOTA_PLAN_ENTRY;
}

int cfota_plan_head_parse(struct cfota_plan_head *p, const uint8_t *buf, const struct cfota_header *h)
{
    p->count = cfota_get32(buf);
    p->stash_size = cfota_get32(buf + 4);
    /* The entries and at least the coded stream's 4 first bytes must fit. */
    if (p->count > (h->payload_size - CFOTA_PLAN_HEAD) / CFOTA_PLAN_ENTRY ||
        p->stash_size % CFOTA_STASH_UNIT || p->stash_size < cfota_plan_reserved(h))
        return CFOTA_E_CORRUPT;
    return CFOTA_OK;
}

void cfota_stash_entry_get(struct cfota_stash_entry *e, const uint8_t *buf)
{
    e->step = cfota_get32(buf);
    e->base = cfota_get32(buf + 4);
    e->len = cfota_get32(buf + 8);
    e->at = cfota_get32(buf + 12);
}

int cfota_stash_entry_parse(struct cfota_stash_entry *e, const uint8_t *buf, const struct cfota_header *h,
                            const struct cfota_plan_head *p, const struct cfota_stash_entry *prev)
{
    cfota_stash_entry_get(e, buf);
    if (e->step >= cfota_header_segments(h) || e->len == 0 || (uint64_t)e->base + e->len > h->base_size ||
        e->at % CFOTA_STASH_UNIT || e->at < cfota_plan_reserved(h) || (uint64_t)e->at + e->len > p->stash_size)
        return CFOTA_E_CORRUPT;
    if (prev && e->base < prev->base + prev->len)
        return CFOTA_E_CORRUPT;
    return CFOTA_OK;
}

void cfota_plan_head_write(const struct cfota_plan_head *p, uint8_t *out)
{
    cfota_put32(out, p->count);
    cfota_put32(out + 4, p->stash_size);
}

void cfota_stash_entry_write(const struct cfota_stash_entry *e, uint8_t *out)
{
    cfota_put32(out, e->step);
    cfota_put32(out + 4, e->base);
    cfota_put32(out + 8, e->len);
    cfota_put32(out + 12, e->at);
}
