/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/roundtrip.c: the encoder (encoder/) and the device's apply paths
 * on any pair of images: diff then apply gives the target exactly.
 *
 * Input: [mode u8][segment 4 KiB units u8][base size u16][base bytes]
 * then a script that makes the target from the base, records of
 *   [op u8]: op % 3 == 0: [off u16][n u16] copy n%2048 base bytes from off
 *            op % 3 == 1: [n u8] n+1 literal bytes from the input
 *            op % 3 == 2: [off u16][n u8][x u8] copy with every byte + x
 * so targets share moved and edited runs with their base, as firmware
 * versions do.
 * mode bit 0: in place (else A/B); bit 1: a full image (no base); bit 2:
 * also applied by the update engine on the flash simulator (in place:
 * over the base in its own region; A/B: into the slot).
 * Properties: the encoder accepts any pair within its limits; the package
 * parses; cfota_apply_mem gives the target byte for byte; the engine ends
 * DONE with the target in place.
 * Seeds: the material pairs in the script form.
 */
#include "apply.h"
#include "cfota/update.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "material.h"

#define IMAGE_MAX 32768u

static void engine_apply(const uint8_t *old, size_t old_len, const uint8_t *new_, size_t new_len,
                         const struct bytes *pkg, const struct cfota_header *h, int ab)
{
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    uint8_t buf[256];
    size_t region = old_len > new_len ? old_len : new_len;
    int rc;
    fota_layout_make(&l, 4096, (uint32_t)region, ab, h->scratch_size, fuzz_stash(pkg->p, pkg->n), (uint32_t)pkg->n);
    sim = flashsim_open(NULL, l.total, 4096, 16);
    FUZZ_CHECK(sim != NULL, "flashsim_open");
    FUZZ_CHECK(fota_layout_cfg(&l, flashsim_flash(sim), (uint32_t)old_len, buf, sizeof buf,
                               &cfg) == CFOTA_OK,
               "layout");
    if (old_len)
        flashsim_write_raw(sim, l.image_off, old, (uint32_t)old_len);
    flashsim_write_raw(sim, l.package_off, pkg->p, (uint32_t)pkg->n);
    rc = cfota_update_begin(&u, &cfg);
    FUZZ_CHECK(rc == CFOTA_OK, "engine refused its own package: %d", rc);
    rc = cfota_update_run(&u, &cfg);
    FUZZ_CHECK(rc == CFOTA_DONE, "engine: %d", rc);
    FUZZ_CHECK(memcmp(flashsim_data(sim) + (ab ? l.slot_off : l.image_off), new_, new_len) == 0,
               "engine: the image is not the target");
    FUZZ_CHECK(flashsim_stats(sim)->violations == 0, "NOR violation");
    flashsim_close(sim);
}

static uint8_t target[IMAGE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct cfota_encode_opts o;
    struct cfota_header h;
    struct bytes pkg = {0}, out = {0};
    const uint8_t *old, *p;
    size_t old_len, new_len = 0, n;
    uint8_t mode = take_u8(&in), seg = take_u8(&in);
    char err[256];
    int rc;

    old = take_bytes(&in, take_u16(&in) % (IMAGE_MAX + 1), &old_len);
    while (in.n && new_len < IMAGE_MAX) {
        uint8_t op = take_u8(&in);
        size_t room = IMAGE_MAX - new_len, i;
        if (op % 3 == 1) {
            p = take_bytes(&in, (size_t)take_u8(&in) + 1, &n);
            n = n < room ? n : room;
            memcpy(target + new_len, p, n);
            new_len += n;
            continue;
        }
        {
            uint16_t off = take_u16(&in);
            size_t len = op % 3 == 0 ? take_u16(&in) % 2048 : take_u8(&in);
            uint8_t x = op % 3 == 2 ? take_u8(&in) : 0;
            if (old_len == 0)
                continue;
            off = (uint16_t)(off % old_len);
            if (len > old_len - off)
                len = old_len - off;
            len = len < room ? len : room;
            for (i = 0; i < len; i++)
                target[new_len + i] = (uint8_t)(old[off + i] + x);
            new_len += len;
        }
    }

    memset(&o, 0, sizeof o);
    o.base_version = "1.0";
    o.target_version = "2.0";
    o.in_place = mode & 1;
    o.no_base = (mode & 2) != 0;
    o.segment_size = 4096u * (1 + seg % 16);
    rc = cfota_encode(old_len ? old : (const uint8_t *)"", old_len, target, new_len, &o, &pkg);
    FUZZ_CHECK(rc == 0, "encode: %d (base %zu, target %zu bytes)", rc, old_len, new_len);
    FUZZ_CHECK(cfota_header_parse(&h, pkg.p, pkg.n) == CFOTA_OK, "the package does not parse");
    FUZZ_CHECK(h.target_size == new_len, "target size %u, expected %zu", h.target_size, new_len);
    rc = cfota_apply_mem(old, old_len, pkg.p, pkg.n, &out, 1 + (size_t)seg * 37, err, sizeof err);
    FUZZ_CHECK(rc == 0, "apply: %d: %s", rc, err);
    FUZZ_CHECK(out.n == new_len && (new_len == 0 || memcmp(out.p, target, new_len) == 0),
               "apply gave %zu bytes, not the target's %zu", out.n, new_len);
    if ((mode & 4) && new_len > 0)
        engine_apply(old, old_len, target, new_len, &pkg, &h, !o.in_place);
    bytes_free(&pkg);
    bytes_free(&out);
    return 0;
}

/* A pair in the script form: the base, then the target as literals. */
void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    unsigned k, mode;
    for (k = 0; k < MATERIAL_PAIRS; k++) {
        struct fuzz_buf old = {0}, new_ = {0};
        material_pair(k, &old, &new_);
        for (mode = 0; mode < 3; mode++) {
            static const uint8_t modes[3] = {0x04, 0x05, 0x02};
            struct fuzz_buf b = {0};
            size_t i;
            char name[32];
            fuzz_put_u8(&b, modes[mode]);
            fuzz_put_u8(&b, (uint8_t)k);
            fuzz_put_u16(&b, (uint16_t)old.n);
            fuzz_put(&b, old.p, old.n);
            /* Copies where the target matches the base at the same
             * place, literals elsewhere: a script the fuzzer can bend. */
            for (i = 0; i < new_.n;) {
                size_t run = 0;
                while (i + run < new_.n && i + run < old.n && run < 2047 &&
                       new_.p[i + run] == old.p[i + run])
                    run++;
                if (run >= 8) {
                    fuzz_put_u8(&b, 0);
                    fuzz_put_u16(&b, (uint16_t)i);
                    fuzz_put_u16(&b, (uint16_t)run);
                    i += run;
                } else {
                    size_t lit = new_.n - i < 256 ? new_.n - i : 256;
                    fuzz_put_u8(&b, 1);
                    fuzz_put_u8(&b, (uint8_t)(lit - 1));
                    fuzz_put(&b, new_.p + i, lit);
                    i += lit;
                }
            }
            snprintf(name, sizeof name, "pair%u-mode%u", k, mode);
            emit(ctx, name, b.p, b.n);
            fuzz_buf_free(&b);
        }
        fuzz_buf_free(&old);
        fuzz_buf_free(&new_);
    }
}
