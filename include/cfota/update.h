/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/update.h: the power-fail-safe update engine.
 *
 * The engine applies a package stored in flash to the running image, either
 * in place (the target overwrites the image in its own region, through a
 * small scratch area) or A/B (the target goes to a second slot). Progress is
 * journalled in two erase blocks so that power may fail at any instant:
 * during any program or erase, the journal's own writes included. After a
 * cut, cfota_update_run() called again (on the next boot) continues from
 * the last step that was completed and produces exactly the target image;
 * the package is never needed again from the network.
 *
 * docs/update-engine.md gives the algorithm, the journal format, and the
 * argument why every cut point is safe. In short, for each segment of the
 * target (in the order the package gives): decode it into scratch
 * ("decoded" record), then erase and program its blocks of the image from
 * scratch ("committed" record). A cut while decoding repeats the decoding
 * (the image blocks it reads are intact: the encoder made sure no segment
 * reads a block committed before it); a cut while committing repeats the
 * commit (scratch is intact until the next segment starts).
 *
 * Typical use on a device (compiled by the tests; docs/porting.md, "What
 * to call, and when", says more):
 *
 *     void reset_device(void);             // the firmware's own
 *     static struct cfota_update u;        // the engine's state
 *     static struct cfota_update_cfg cfg;  // the areas, filled in at start-up
 *     struct cfota_update_info info;
 *     int rc;
 *
 *     // after a download into cfg.package: check it, then reset
 *     if (cfota_update_begin(&u, &cfg) == CFOTA_OK)   // refuses a bad package early
 *         reset_device();
 *
 *     // at every boot, before the image runs
 *     if (cfota_update_status(&u, &cfg, &info) == CFOTA_OK && info.state == CFOTA_UPDATE_PENDING) {
 *         rc = cfota_update_run(&u, &cfg);             // may be cut anywhere
 *         if (rc == CFOTA_E_IO)
 *             reset_device();  // power went or flash fails: run again
 *         // CFOTA_DONE: boot the target; any other: the journal says
 *         // FAILED, report it and stay reachable for a new package
 *     }
 *
 * An engine error is never a reason to loop: every error but a flash
 * failure is journalled as FAILED at once, and a run that cannot make
 * progress is counted (CFOTA_UPDATE_TRIES), so a pending update is run a
 * bounded number of times, never forever.
 *
 * RAM: struct cfota_update (at most CFOTA_UPDATE_RAM_MAX; the decoder is
 * most of it) plus the caller's program buffer of cfg.buf_size bytes (one
 * program unit is enough; more makes copies faster). Stack: at most 800
 * bytes on Cortex-M4 (784 measured for cfota_update_begin, whose deepest
 * path is the signature digest; bench/mcu_size.sh) plus the flash
 * callbacks' and, with a key provisioned, the verifier's (the Mbed TLS
 * port: about 1.2 KB, and a 2 KB heap). No malloc, no recursion.
 */
#ifndef CFOTA_UPDATE_H
#define CFOTA_UPDATE_H

#include <stdint.h>

#include "cfota/decoder.h"
#include "cfota/flash.h"
#include "cfota/package.h"
#include "cfota/signature.h"
#include "cfota/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_UPDATE_RAM_MAX 4096u
/* Runs of a pending update that may end without journalling progress (a
 * cut, a flash error) before the next one gives up with CFOTA_E_GAVE_UP. */
#define CFOTA_UPDATE_TRIES 5u

/* Where everything is. All areas must be initialised (cfota_area_init);
 * areas of one device must not overlap. */
struct cfota_update_cfg {
    struct cfota_area image;   /* the running image (its first image_size
                                  bytes); in place, also the target's home */
    struct cfota_area slot;    /* A/B: where the target goes; in place:
                                  leave slot.flash NULL */
    struct cfota_area package; /* the stored package, from offset 0 */
    struct cfota_area scratch; /* in place: at least the package's
                                  scratch_size; unused for A/B */
    struct cfota_area journal; /* exactly two erase blocks */
    struct cfota_area stash;   /* in place: spare flash for the package's
                                  stash plan (at least its stash size;
                                  erase and program sizes dividing 4 KiB);
                                  stash.flash NULL: none, and packages
                                  that need one are refused */
    uint32_t image_size;       /* bytes of the running image */
    uint8_t *buf;              /* program staging buffer */
    uint32_t buf_size;         /* a multiple of every device's prog_size */
    /* What the device accepts (cfota/signature.h): its trusted key (NULL:
     * none provisioned, signatures are not checked), product id and the
     * running image's security counter. Checked by cfota_update_begin
     * before anything is written. */
    struct cfota_policy policy;
    /* Optional: called after each segment with target bytes done. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *progress_ctx;
};

/* What the journal says. */
enum cfota_update_state {
    CFOTA_UPDATE_IDLE = 0,    /* no update recorded */
    CFOTA_UPDATE_PENDING = 1, /* begun and not finished: call run */
    CFOTA_UPDATE_DONE = 2,    /* finished, target verified */
    CFOTA_UPDATE_FAILED = 3   /* finished with an error (see result) */
};

struct cfota_update_info {
    enum cfota_update_state state;
    uint32_t segments_done, segments;
    int result;              /* DONE: CFOTA_OK; FAILED: the error */
    uint32_t payload_crc32;  /* identifies the package */
};

/* The few header fields the engine keeps (the header itself is read again
 * from flash when needed, to keep RAM small). */
struct cfota_update_pkg {
    uint32_t header_size, payload_size, sig_size, target_size, segment_size, payload_crc32;
    uint8_t flags;
};

/* Engine state; the caller allocates it. cfg must stay valid while the
 * engine runs. */
struct cfota_update {
    const struct cfota_update_cfg *cfg;
    struct cfota_update_pkg pkg;
    struct cfota_checkpoint cp; /* decoder state at the next segment */
    uint32_t wear_base;         /* rotates the scratch position */
    /* The segment being decoded: its place in scratch and staging. */
    uint32_t seg_index, seg_start, seg_len, scratch_off, staged, staged_at;
    uint32_t feed_pos;          /* next package byte for the live decoder */
    uint8_t dec_live;           /* dec continues across segments this run */
    /* The stash plan: entries in the package from plan_off, and the
     * ordinal being decoded (entries of earlier ordinals are saved). */
    uint32_t plan_off, plan_count, ordinal;
    struct cfota_dec dec;
    /* Segments decoded in this run, when it started from the first one:
     * lets the decoder refuse a copy from a segment not written yet. */
    uint8_t segmap[CFOTA_DEC_SEGMAP / 8];
};

/* Read the journal and say where things stand. Changes nothing in flash.
 * Returns CFOTA_OK (info filled), CFOTA_E_INVAL (bad configuration) or
 * CFOTA_E_IO. A PENDING state whose package is no longer in the package
 * area is reported as FAILED with result CFOTA_E_CORRUPT. */
int cfota_update_status(struct cfota_update *u, const struct cfota_update_cfg *cfg,
                        struct cfota_update_info *info);

/* Check the stored package against the running image and the policy, and
 * if all is well record the start of an update in the journal. Nothing but
 * the journal is written, and not even it if a check fails: no program, no
 * erase before the package is proven authentic and right for this device.
 * Checks, in order: header (CFOTA_E_CORRUPT / CFOTA_E_VERSION), sizes
 * against the areas (CFOTA_E_CORRUPT: the package area is shorter than
 * the header says; CFOTA_E_NOSPC), an in-place package for an in-place
 * configuration and a scratch area as big as the package asks
 * (CFOTA_E_INVAL), then cfota_verify_release with cfg.policy: signature
 * (CFOTA_E_UNSIGNED, CFOTA_E_KEY, CFOTA_E_SIGNATURE), product
 * (CFOTA_E_PRODUCT), security counter (CFOTA_E_ROLLBACK); payload CRC
 * (CFOTA_E_CORRUPT), a stash area big enough for the package's stash plan
 * (CFOTA_E_NOSPC) and the plan's entries (CFOTA_E_CORRUPT), the arch
 * block of a CFOTA_FLAG_ARCH package (CFOTA_E_CORRUPT), base image
 * SHA-256 (CFOTA_E_WRONG_BASE). CFOTA_E_IO
 * if flash cannot be read or the journal not written. */
int cfota_update_begin(struct cfota_update *u, const struct cfota_update_cfg *cfg);

/* The checks of cfota_update_begin, in the same order with the same
 * results, and nothing written: for a device that wants to know whether
 * a stored package would be accepted before it commits to it. On
 * CFOTA_OK, u->pkg holds the package's sizes. */
int cfota_update_check(struct cfota_update *u, const struct cfota_update_cfg *cfg);

/* Apply the update recorded in the journal, from wherever it stands, to the
 * end: returns CFOTA_DONE when the target is in place and its SHA-256
 * verified (the journal then says DONE), CFOTA_E_STATE if no update is
 * pending, CFOTA_E_IO if flash fails (for example power going away, or
 * the FAILED record itself could not be written: call again after power
 * returns), or another negative status if the package turns out to be
 * unusable (the journal then says FAILED with it): CFOTA_E_CORRUPT for a
 * stream that asks for something impossible (a copy from target bytes
 * not written yet, among others), CFOTA_E_HASH for a wrong result,
 * CFOTA_E_GAVE_UP when this is run CFOTA_UPDATE_TRIES + 1 since the last
 * progress. Each run journals that it started (one record), so that the
 * count survives resets. */
int cfota_update_run(struct cfota_update *u, const struct cfota_update_cfg *cfg);

#ifdef __cplusplus
}
#endif
#endif
