/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encoder/apply.c: apply a package in memory through the device decoder, with
 * the same checks, in the same order, as a device: header, payload CRC,
 * base image, then decode, then target hash. Nothing is written to *out
 * unless every check passes.
 */
#include "apply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfota/decoder.h"
#include "cfota/status.h"
#include "cfota/verify.h"

struct mem {
    const uint8_t *data;
    size_t len;
    uint8_t *out;
    size_t out_len;
    const uint8_t *pkg; /* the package, for read_pkg */
    size_t pkg_len;
};

/* Bytes [off, off + len) of a buffer of n bytes, or -1 past its end. */
static int read_from(const uint8_t *from, size_t n, uint32_t off, uint8_t *buf, uint32_t len)
{
    if ((uint64_t)off + len > n)
        return -1;
    memcpy(buf, from + off, len);
    return 0;
}

static int read_old(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct mem *m = ctx;
    return read_from(m->data, m->len, off, buf, len);
}

static int read_pkg(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct mem *m = ctx;
    return read_from(m->pkg, m->pkg_len, off, buf, len);
}

static int read_new(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct mem *m = ctx;
    return read_from(m->out, m->out_len, off, buf, len);
}

static int write_new(void *ctx, uint32_t off, const uint8_t *buf, uint32_t len)
{
    struct mem *m = ctx;
    if ((uint64_t)off + len > m->out_len)
        return -1;
    memcpy(m->out + off, buf, len);
    return 0;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int cfota_apply_mem(const uint8_t *old, size_t old_len, const uint8_t *pkg, size_t pkg_len,
                    struct bytes *out, size_t chunk, char *err, size_t errlen)
{
    struct cfota_header h;
    struct cfota_dec *d;
    struct mem base = {old, old_len, NULL, 0, pkg, pkg_len}, pk = {pkg, pkg_len, NULL, 0, pkg, pkg_len};
    struct cfota_io io;
    size_t off;
    int rc;

    out->n = 0;
    rc = cfota_header_parse(&h, pkg, pkg_len);
    if (rc != CFOTA_OK)
        return fail(err, errlen, rc, "not a valid package header: %s", cfota_status_name(rc));
    if ((uint64_t)h.header_size + h.payload_size + h.sig_size != pkg_len)
        return fail(err, errlen, pkg_len < (uint64_t)h.header_size + h.payload_size ? CFOTA_E_TRUNCATED : CFOTA_E_CORRUPT,
                    "package is %zu bytes but its header says %lu", pkg_len,
                    (unsigned long)((uint64_t)h.header_size + h.payload_size + h.sig_size));
    if (cfota_verify_payload(&h, read_old, &pk) != CFOTA_OK)
        return fail(err, errlen, CFOTA_E_CORRUPT, "payload CRC-32 mismatch: the package is damaged");
    if (!(h.flags & CFOTA_FLAG_NO_BASE) && old_len != h.base_size)
        return fail(err, errlen, CFOTA_E_WRONG_BASE, "wrong base image: %zu bytes, the package needs %lu",
                    old_len, (unsigned long)h.base_size);
    if (cfota_verify_base(&h, (uint32_t)old_len, read_old, &base) != CFOTA_OK)
        return fail(err, errlen, CFOTA_E_WRONG_BASE, "wrong base image: SHA-256 differs from the package's base%s%s",
                    h.base_version[0] ? " " : "", h.base_version);

    out->n = 0;
    if (h.target_size) {
        static const uint8_t zero[4096];
        size_t left = h.target_size;
        while (left) {
            size_t n = left < sizeof zero ? left : sizeof zero;
            bytes_put(out, zero, n);
            left -= n;
        }
    }
    base.out = out->p;
    base.out_len = h.target_size;
    io.ctx = &base;
    io.read_old = read_old;
    io.read_new = read_new;
    io.write_new = write_new;
    io.read_pkg = read_pkg;

    d = xmalloc(sizeof *d);
    rc = cfota_dec_init(d, &h, &io);
    off = h.header_size;
    while (rc == CFOTA_OK || rc == CFOTA_MORE || rc == CFOTA_CHECKPOINT) {
        size_t n = pkg_len - h.sig_size - off, used = 0;
        if (chunk && n > chunk)
            n = chunk;
        rc = cfota_dec_sink(d, pkg + off, n, &used);
        off += used;
        if (rc == CFOTA_MORE && used == 0 && n == 0) {
            rc = CFOTA_E_TRUNCATED;
            break;
        }
    }
    free(d);
    if (rc != CFOTA_DONE) {
        out->n = 0;
        return fail(err, errlen, rc, "decoding failed at package byte %zu: %s", off, cfota_status_name(rc));
    }
    if (cfota_verify_target(&h, read_new, &base) != CFOTA_OK) {
        out->n = 0;
        return fail(err, errlen, CFOTA_E_HASH, "target SHA-256 mismatch: the result is not the image the package promises");
    }
    return CFOTA_OK;
}
