/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/fw_record.c: what the module remembers in flash besides the
 * partitions: the size and version of the running image (AT+CGMR) and an
 * accepted AT+CFOTA=5 that has not finished (the note's promise that an
 * update interrupted by a power loss continues after reboot).
 *
 * The record is 72 bytes, kept twice, one copy per erase block of the
 * record area: magic "CFMR", sequence number, image size, package length,
 * pending flag, version length, package MD5, version (32 bytes), and a
 * CRC-32 of all that. A new record goes into the block that does not hold
 * the newest valid copy, with the next sequence number, so a power cut
 * while it is written (erase or program torn) leaves the previous record
 * readable: loading takes the valid copy with the higher sequence number.
 * All integers are little-endian.
 */
#include "modem.h"

#include <string.h>

#include "cfota/crc32.h"

#define RECORD_BYTES 76u
#define RECORD_MAGIC "CFMR"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void encode(const struct modem_record *r, uint8_t out[RECORD_BYTES])
{
    size_t vlen = strlen(r->version);
    memset(out, 0, RECORD_BYTES);
    memcpy(out, RECORD_MAGIC, 4);
    put32(out + 4, r->seq);
    put32(out + 8, r->image_size);
    put32(out + 12, r->pkg_len);
    out[16] = r->pending ? 1 : 0;
    out[17] = (uint8_t)vlen;
    memcpy(out + 20, r->pkg_md5, 16);
    memcpy(out + 36, r->version, vlen);
    put32(out + 68, r->security_counter);
    put32(out + 72, cfota_crc32(0, out, 72));
}

static int decode(const uint8_t in[RECORD_BYTES], struct modem_record *r)
{
    if (memcmp(in, RECORD_MAGIC, 4) != 0 || get32(in + 72) != cfota_crc32(0, in, 72) ||
        in[16] > 1 || in[17] > MODEM_VERSION_MAX)
        return -1;
    memset(r, 0, sizeof *r);
    r->seq = get32(in + 4);
    r->image_size = get32(in + 8);
    r->pkg_len = get32(in + 12);
    r->pending = in[16];
    r->security_counter = get32(in + 68);
    memcpy(r->pkg_md5, in + 20, 16);
    memcpy(r->version, in + 36, in[17]);
    r->version[in[17]] = 0;
    return 0;
}

/* Which copy (0 or 1) is newest and valid, or -1; its contents in *r. */
static int newest(const struct modem_flash_map *map, struct modem_record *r, int *io_error)
{
    struct modem_record c[2];
    int valid[2], i;
    *io_error = 0;
    for (i = 0; i < 2; i++) {
        uint8_t buf[RECORD_BYTES];
        int rc = cfota_area_read(&map->record, (uint32_t)i * MODEM_BLOCK, buf, RECORD_BYTES);
        if (rc != CFOTA_OK)
            *io_error = 1;
        valid[i] = rc == CFOTA_OK && decode(buf, &c[i]) == 0;
    }
    /* Sequence numbers compare by difference, so wrapping is harmless. */
    if (valid[0] && (!valid[1] || (int32_t)(c[0].seq - c[1].seq) > 0))
        i = 0;
    else if (valid[1])
        i = 1;
    else
        return -1;
    *r = c[i];
    return i;
}

int modem_record_load(const struct modem_flash_map *map, struct modem_record *rec)
{
    int io_error;
    if (newest(map, rec, &io_error) < 0)
        return io_error ? CFOTA_E_IO : CFOTA_E_CORRUPT;
    return CFOTA_OK;
}

int modem_record_store(const struct modem_flash_map *map, struct modem_record *rec)
{
    struct modem_record cur;
    uint8_t buf[RECORD_BYTES];
    int io_error, at = newest(map, &cur, &io_error), rc;
    uint32_t off;

    rec->seq = at < 0 ? 1 : cur.seq + 1;
    off = at == 0 ? MODEM_BLOCK : 0;
    encode(rec, buf);
    rc = cfota_area_erase(&map->record, off);
    if (rc == CFOTA_OK)
        rc = cfota_area_prog(&map->record, off, buf, RECORD_BYTES);
    return rc;
}
