/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/header.c: the package header parser (lib/package.c) on any bytes.
 *
 * Properties: parsing never reads past the input (ASan) and answers one of
 * its documented codes; the size peek agrees with the parse; a header that
 * parses is consistent (sizes, segments, versions) and survives a round
 * trip: written again with cfota_header_write it gives the same bytes, and
 * those parse to the same header.
 * Seeds: the headers of packages the encoder makes for the material pairs
 * (A/B, in place, full image, several segment sizes).
 */
#include "cfota/package.h"
#include "cfota/status.h"
#include "material.h"

static int printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfota_header h, again;
    uint8_t out[CFOTA_HEADER_MAX];
    uint32_t peek = size >= 10 ? cfota_header_size_peek(data, size) : 0;
    int rc, n;
    memset(&h, 0, sizeof h); /* compared whole below, padding included */
    memset(&again, 0, sizeof again);
    rc = cfota_header_parse(&h, data, size);
    FUZZ_CHECK(rc == CFOTA_OK || rc == CFOTA_E_CORRUPT || rc == CFOTA_E_VERSION ||
                   rc == CFOTA_E_TRUNCATED,
               "parse returned %d", rc);
    if (rc != CFOTA_OK)
        return 0;
    FUZZ_CHECK(peek == h.header_size, "peek %u, parse %u", peek, h.header_size);
    FUZZ_CHECK(h.header_size <= size && h.header_size <= CFOTA_HEADER_MAX, "size %u of %zu",
               h.header_size, size);
    FUZZ_CHECK((h.flags & ~CFOTA_FLAGS_KNOWN) == 0, "flags %#x", h.flags);
    FUZZ_CHECK(strlen(h.base_version) <= CFOTA_VERSION_MAX &&
                   strlen(h.target_version) <= CFOTA_VERSION_MAX,
               "version length");
    FUZZ_CHECK(printable(h.base_version) && printable(h.target_version), "version bytes");
    FUZZ_CHECK(h.segment_size >= 4096 && h.segment_size <= 65536 && h.segment_size % 4096 == 0,
               "segment size %u", h.segment_size);
    FUZZ_CHECK(cfota_header_segments(&h) == (h.target_size + (uint64_t)h.segment_size - 1) /
                                                h.segment_size,
               "segments");
    n = cfota_header_write(&h, out);
    FUZZ_CHECK(n == (int)h.header_size, "write gave %d, header is %u", n, h.header_size);
    FUZZ_CHECK(memcmp(out, data, (size_t)n) == 0, "written again, the header differs");
    FUZZ_CHECK(cfota_header_parse(&again, out, (size_t)n) == CFOTA_OK, "reparse");
    FUZZ_CHECK(memcmp(&again, &h, sizeof h) == 0, "reparsed header differs");
    return 0;
}

static void emit_header(void *ctx, const char *name, const struct fuzz_buf *old,
                        const struct bytes *pkg, unsigned mode)
{
    struct emit_to *to = ctx;
    (void)old, (void)mode;
    to->emit(to->ctx, name, pkg->p, pkg->n < CFOTA_HEADER_MAX ? pkg->n : CFOTA_HEADER_MAX);
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    struct emit_to to = {emit, ctx};
    material_packages(emit_header, &to);
}
