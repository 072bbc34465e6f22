/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/esp_image.c: the ESP image header reader (encoder/esp_image.c) and
 * architecture detection (encoder/arch.c) on any bytes.
 *
 * Properties: reading never goes past the input (ASan: the input buffer is
 * exactly its size); at most CFOTA_ARCH_REGIONS regions, each at least one
 * byte and inside the file, the unused ones zero; two regions never share
 * a file byte; an image with regions is detected as Xtensa.
 * Seeds: fwgen's ESP8266 and ESP32-style images (base and target of a
 * case), and the head of each, cut after its segment headers.
 */
#include "arch.h"
#include "esp_image.h"
#include "fuzz.h"
#include "fwgen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfota_region r[CFOTA_ARCH_REGIONS], d[CFOTA_ARCH_REGIONS];
    unsigned n = esp_image_regions(data, size, r), i, j;
    FUZZ_CHECK(n <= CFOTA_ARCH_REGIONS, "%u regions", n);
    for (i = 0; i < CFOTA_ARCH_REGIONS; i++) {
        if (i >= n) {
            FUZZ_CHECK(r[i].len == 0 && r[i].off == 0 && r[i].vaddr == 0, "unused region %u not zero", i);
            continue;
        }
        FUZZ_CHECK(r[i].len > 0 && r[i].off <= size && r[i].len <= size - r[i].off, "region %u: %u+%u of %zu", i,
                   r[i].off, r[i].len, size);
        FUZZ_CHECK(r[i].len - 1 <= 0xFFFFFFFFu - r[i].vaddr, "region %u wraps", i);
        for (j = 0; j < i; j++)
            FUZZ_CHECK(r[i].off >= r[j].off + r[j].len || r[j].off >= r[i].off + r[i].len,
                       "regions %u and %u overlap", j, i);
    }
    if (n)
        FUZZ_CHECK(arch_detect(data, size, d) == CFOTA_ARCH_XTENSA, "regions but not Xtensa");
    return 0;
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    static const char *const cases[] = {"esp8266-move", "esp32-move"};
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bytes o = {0, 0, 0}, n = {0, 0, 0};
        char name[48];
        if (fwgen_make((size_t)fwgen_case_find(cases[i]), 16, 1, &o, &n) != 0)
            abort();
        snprintf(name, sizeof name, "%s-old", cases[i]);
        emit(ctx, name, o.p, o.n);
        snprintf(name, sizeof name, "%s-new", cases[i]);
        emit(ctx, name, n.p, n.n);
        snprintf(name, sizeof name, "%s-head", cases[i]);
        emit(ctx, name, o.p, o.n < 64 ? o.n : 64);
        bytes_free(&o);
        bytes_free(&n);
    }
}
