/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/update.c: the update engine (lib/update.c) on the flash simulator,
 * with the power cut at a chosen flash operation, compared with an uncut
 * run of the same update.
 *
 * Input: [cut u16][second cut u16][cut seed u8][mode u8][base size u16]
 *        [base bytes][package bytes]
 * mode bit 0: A/B (else in place). The harness makes the package's
 * header consistent with the fuzzed payload and base (payload CRC, base
 * size and SHA-256, header CRC; no signature), so that mutated payloads
 * get past cfota_update_begin's checks into the engine; the target
 * SHA-256 is the fuzzer's.
 *
 * Properties:
 *  - a refused package is refused before any program or erase;
 *  - with power never cut, the engine never reports CFOTA_E_IO (a package
 *    defect is not a flash failure), ends DONE or FAILED, and DONE means
 *    the target SHA-256 holds;
 *  - cut after the chosen operation (and again during the recovery, if
 *    asked), then rebooted as a device does (status; PENDING: run; IDLE:
 *    begin again), the update ends in the same state with the same result
 *    as the uncut run, and when DONE with the same image bytes;
 *  - no program ever turns a 0 bit into 1.
 * Seeds: packages the encoder makes for the material pairs, both modes.
 */
#include "cfota/crc32.h"
#include "cfota/sha256.h"
#include "cfota/update.h"
#include "flashsim.h"
#include "fota_layout.h"
#include "material.h"

#define ERASE 4096u
#define SIZE_MAX_FUZZ 65536u
#define BUF 256u

struct device {
    struct fota_layout l;
    struct flashsim *sim;
    struct cfota_update_cfg cfg;
    struct cfota_update u;
    uint8_t buf[BUF];
};

static void device_open(struct device *dv, const uint8_t *old, size_t old_len,
                        const uint8_t *pkg, size_t pkg_len, uint32_t region, int ab,
                        uint32_t scratch)
{
    fota_layout_make(&dv->l, ERASE, region, ab, scratch, fuzz_stash(pkg, pkg_len), (uint32_t)pkg_len);
    dv->sim = flashsim_open(NULL, dv->l.total, ERASE, 16);
    FUZZ_CHECK(dv->sim != NULL, "flashsim_open");
    FUZZ_CHECK(fota_layout_cfg(&dv->l, flashsim_flash(dv->sim), (uint32_t)old_len, dv->buf, BUF,
                               &dv->cfg) == CFOTA_OK,
               "layout");
    if (old_len)
        flashsim_write_raw(dv->sim, dv->l.image_off, old, (uint32_t)old_len);
    flashsim_write_raw(dv->sim, dv->l.package_off, pkg, (uint32_t)pkg_len);
}

static const uint8_t *device_image(struct device *dv)
{
    return flashsim_data(dv->sim) + (dv->l.slot_size ? dv->l.slot_off : dv->l.image_off);
}

/* Boot as a device does until the update is finished or the power fails
 * again; the journal's final word. */
static void device_settle(struct device *dv, uint64_t second_cut, uint8_t seed,
                          struct cfota_update_info *info)
{
    unsigned boots;
    for (boots = 0; boots < 8; boots++) {
        int rc;
        flashsim_power_on(dv->sim);
        if (boots == 0 && second_cut != FLASHSIM_NO_CUT)
            flashsim_set_power_cut(dv->sim, second_cut, seed + 1u);
        FUZZ_CHECK(cfota_update_status(&dv->u, &dv->cfg, info) == CFOTA_OK || !flashsim_powered(dv->sim),
                   "status after a reboot");
        if (!flashsim_powered(dv->sim))
            continue;
        if (info->state == CFOTA_UPDATE_DONE || info->state == CFOTA_UPDATE_FAILED)
            return;
        if (info->state == CFOTA_UPDATE_IDLE) {
            rc = cfota_update_begin(&dv->u, &dv->cfg);
            if (rc != CFOTA_OK) {
                FUZZ_CHECK(!flashsim_powered(dv->sim), "begin after a reboot: %d", rc);
                continue;
            }
        }
        rc = cfota_update_run(&dv->u, &dv->cfg);
        FUZZ_CHECK(rc != CFOTA_E_IO || !flashsim_powered(dv->sim), "run: I/O error, power on");
    }
    FUZZ_CHECK(0, "still not finished after %u boots", boots);
}

/* Make the header agree with the payload and base that follow it. 0 if
 * the package has no header the parser takes. */
static size_t make_consistent(uint8_t *pkg, size_t pkg_len, const uint8_t *old, size_t old_len,
                              struct cfota_header *h)
{
    struct cfota_sha256 sha;
    uint8_t head[CFOTA_HEADER_MAX];
    int n;
    if (cfota_header_parse(h, pkg, pkg_len) != CFOTA_OK)
        return 0;
    if (h->payload_size > pkg_len - h->header_size)
        h->payload_size = (uint32_t)(pkg_len - h->header_size);
    h->flags &= (uint8_t)~CFOTA_FLAG_SIGNED;
    h->sig_size = 0;
    h->payload_crc32 = cfota_crc32(0, pkg + h->header_size, h->payload_size);
    if (!(h->flags & CFOTA_FLAG_NO_BASE)) {
        h->base_size = (uint32_t)old_len;
        cfota_sha256_init(&sha);
        cfota_sha256_update(&sha, old, old_len);
        cfota_sha256_final(&sha, h->base_sha256);
    }
    n = cfota_header_write(h, head);
    if (n <= 0 || (size_t)n != h->header_size)
        return 0; /* the version strings changed size: leave it */
    memcpy(pkg, head, (size_t)n);
    return h->header_size + h->payload_size;
}

static uint8_t pkg[SIZE_MAX_FUZZ + CFOTA_HEADER_MAX], ref_image[SIZE_MAX_FUZZ];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct device ref, cut;
    struct cfota_update_info ref_info, cut_info;
    struct cfota_header h;
    const uint8_t *old, *p;
    size_t old_len, pkg_len;
    uint32_t region;
    uint16_t cut_at = take_u16(&in), second = take_u16(&in);
    uint8_t seed = take_u8(&in), mode = take_u8(&in);
    int ab = mode & 1, rc;
    uint64_t ops;

    memset(&h, 0, sizeof h);
    old = take_bytes(&in, take_u16(&in) % (SIZE_MAX_FUZZ + 1), &old_len);
    p = take_bytes(&in, sizeof pkg, &pkg_len);
    memcpy(pkg, p, pkg_len);
    if (make_consistent(pkg, pkg_len, old, old_len, &h) == 0)
        pkg_len = pkg_len > 0 ? pkg_len : 1;
    else
        pkg_len = h.header_size + h.payload_size;
    if (h.target_size > SIZE_MAX_FUZZ || h.scratch_size > SIZE_MAX_FUZZ)
        return 0;
    region = (uint32_t)(old_len > h.target_size ? old_len : h.target_size);

    /* The uncut run. */
    device_open(&ref, old, old_len, pkg, pkg_len, region, ab, h.scratch_size);
    rc = cfota_update_begin(&ref.u, &ref.cfg);
    if (rc != CFOTA_OK) {
        FUZZ_CHECK(flashsim_stats(ref.sim)->programs == 0 && flashsim_stats(ref.sim)->erases == 0,
                   "begin refused (%d) after writing", rc);
        flashsim_close(ref.sim);
        return 0;
    }
    rc = cfota_update_run(&ref.u, &ref.cfg);
    FUZZ_CHECK(rc != CFOTA_E_IO, "I/O error with the power on (a package defect?)");
    FUZZ_CHECK(cfota_update_status(&ref.u, &ref.cfg, &ref_info) == CFOTA_OK, "status");
    FUZZ_CHECK(ref_info.state == CFOTA_UPDATE_DONE || ref_info.state == CFOTA_UPDATE_FAILED,
               "run returned %d, the journal says %d", rc, ref_info.state);
    FUZZ_CHECK((rc == CFOTA_DONE) == (ref_info.state == CFOTA_UPDATE_DONE), "run %d, journal %d",
               rc, ref_info.state);
    FUZZ_CHECK(flashsim_stats(ref.sim)->violations == 0, "NOR violation");
    ops = flashsim_stats(ref.sim)->ops;
    if (ref_info.state == CFOTA_UPDATE_DONE) {
        struct cfota_sha256 sha;
        uint8_t got[32];
        cfota_sha256_init(&sha);
        cfota_sha256_update(&sha, device_image(&ref), h.target_size);
        cfota_sha256_final(&sha, got);
        FUZZ_CHECK(memcmp(got, h.target_sha256, 32) == 0, "DONE, but the image is not the target");
        memcpy(ref_image, device_image(&ref), h.target_size);
    }
    flashsim_close(ref.sim);

    /* The same update, cut. */
    device_open(&cut, old, old_len, pkg, pkg_len, region, ab, h.scratch_size);
    flashsim_set_power_cut(cut.sim, cut_at % (ops + 1), seed);
    if (cfota_update_begin(&cut.u, &cut.cfg) == CFOTA_OK)
        cfota_update_run(&cut.u, &cut.cfg);
    device_settle(&cut, second & 0x8000 ? (uint64_t)(second & 0x7fff) % (ops + 1) : FLASHSIM_NO_CUT,
                  seed, &cut_info);
    FUZZ_CHECK(cut_info.state == ref_info.state && cut_info.result == ref_info.result,
               "cut after %u ops: state %d result %d; uncut: state %d result %d",
               (unsigned)(cut_at % (ops + 1)), cut_info.state, cut_info.result, ref_info.state,
               ref_info.result);
    if (ref_info.state == CFOTA_UPDATE_DONE)
        FUZZ_CHECK(memcmp(device_image(&cut), ref_image, h.target_size) == 0,
                   "cut after %u ops: the image differs", (unsigned)(cut_at % (ops + 1)));
    FUZZ_CHECK(flashsim_stats(cut.sim)->violations == 0, "NOR violation after a cut");
    flashsim_close(cut.sim);
    if (getenv("CFOTA_FUZZ_VERBOSE"))
        fprintf(stderr, "update: %s, %llu ops, cut after %u: state %d result %d\n",
                ab ? "A/B" : "in place", (unsigned long long)ops, (unsigned)(cut_at % (ops + 1)),
                ref_info.state, ref_info.result);
    return 0;
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    unsigned k, ab;
    for (k = 0; k < MATERIAL_PAIRS; k++) {
        for (ab = 0; ab < 2; ab++) {
            struct fuzz_buf old = {0}, new_ = {0}, b = {0};
            struct bytes package = {0};
            char name[32];
            material_pair(k, &old, &new_);
            if (material_package(&old, &new_, !ab, old.n == 0, 4096, &package) == 0) {
                fuzz_put_u16(&b, (uint16_t)(37 * (k + 1)));
                fuzz_put_u16(&b, (uint16_t)(0x8000 | (11 * (k + 1))));
                fuzz_put_u8(&b, (uint8_t)k);
                fuzz_put_u8(&b, (uint8_t)ab);
                fuzz_put_u16(&b, (uint16_t)old.n);
                fuzz_put(&b, old.p, old.n);
                fuzz_put(&b, package.p, package.n);
                snprintf(name, sizeof name, "pair%u-%s", k, ab ? "ab" : "inplace");
                emit(ctx, name, b.p, b.n);
            }
            bytes_free(&package);
            fuzz_buf_free(&old);
            fuzz_buf_free(&new_);
            fuzz_buf_free(&b);
        }
    }
}
