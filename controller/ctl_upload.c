/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_upload.c: update through the hardware interface, the note's
 * section 5: the controller writes the package into the module's FOTA
 * update partition and asks it to update.
 *
 *   AT+CFLE=0,0,<ceil(len/4096)>         erase the blocks the package needs
 *   AT+IPR=115200                        URCs on
 *   AT+CFLW=0,0,<n>,<off>,<t>  > <bytes> OK     for each chunk of <= 512 B
 *   AT+CGMR                              the version before
 *   AT+CFOTA=5,<len>,<md5>               the module checks and resets
 *   ...URCs..., AT+CGMR, AT+CFOTA=4      ctl_follow (controller/ctl_follow.c)
 *
 * The package is read chunk by chunk from the caller's read callback into
 * ctl->chunk, so it can stream from a MCU's own flash; the MD5 is computed
 * on the same pass, over exactly the bytes the module accepted.
 *
 * A chunk that fails (ERROR, +CME ERROR, or no prompt or OK in time) is
 * sent again, up to cfg.retries times, from the bytes still in ctl->chunk.
 * After a timeout the module may still be in data mode, counting whatever
 * we send as data; so before the retry the controller waits out the
 * module's own CFLW <timeout>, after which the module cancels the write.
 * If the chunk still fails, the module's partition may hold a partial
 * write the module will not overwrite (it refuses unerased bytes), so the
 * whole upload starts again from AT+CFLE, up to cfg.restarts times.
 * A module reset during the upload ends the flow (CFOTA_CTL_E_RESET).
 */
#include <string.h>

#include "ctl_internal.h"

static unsigned cflw_timeout_s(const struct cfota_ctl *ctl)
{
    return ctl->cfg->cflw_timeout_s ? ctl->cfg->cflw_timeout_s : 30u;
}

/* Let the module's data mode run out: read (and sort) input for its
 * CFLW timeout plus a second. */
static int wait_out_data_mode(struct cfota_ctl *ctl)
{
    uint32_t start = ctl_now(ctl), limit = cflw_timeout_s(ctl) * 1000u + 1000u;
    for (;;) {
        struct cfota_at_urc u;
        uint32_t elapsed = ctl_now(ctl) - start;
        int r;
        if (elapsed >= limit)
            break;
        r = cfota_at_wait_urc(&ctl->at, &u, limit - elapsed);
        if (r == CFOTA_CTL_E_IO)
            return CFOTA_CTL_E_IO;
        /* Other URCs mean nothing during an upload; a reset ends it. */
        if (r == CFOTA_CTL_OK && (u.flags & CFOTA_URC_F_RESET))
            return CFOTA_CTL_E_RESET;
    }
    return 0;
}

/* Send the n bytes in ctl->chunk at off, with retries. */
static int write_chunk(struct cfota_ctl *ctl, uint32_t off, uint32_t n)
{
    struct cfota_ctl_report *rep = ctl->rep;
    unsigned tries = ctl->cfg->retries ? ctl->cfg->retries : 3u, t;
    int r = CFOTA_CTL_OK;
    for (t = 0; t <= tries; t++) {
        if (t > 0)
            rep->retries++;
        ctl_cmd_begin(ctl, "AT+CFLW=0,0,");
        ctl_cmd_uint(ctl, n);
        ctl_cmd_add(ctl, ",");
        ctl_cmd_uint(ctl, off);
        ctl_cmd_add(ctl, ",");
        ctl_cmd_uint(ctl, cflw_timeout_s(ctl));
        r = cfota_at_cmd_data(&ctl->at, ctl->cmd, ctl->chunk, n, ctl_cmd_ms(ctl),
                              cflw_timeout_s(ctl) * 1000u + ctl_cmd_ms(ctl));
        if (r == CFOTA_CTL_OK)
            return 0;
        rep->at_status = (int8_t)r;
        rep->cme = r == CFOTA_CTL_E_CME ? cfota_at_cme(&ctl->at) : -1;
        if (r == CFOTA_CTL_E_RESET || r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, r, CFOTA_CTL_STEP_WRITE);
        if (r == CFOTA_CTL_E_TIMEOUT) {
            int w = wait_out_data_mode(ctl);
            if (w)
                return ctl_end(ctl, w, CFOTA_CTL_STEP_WRITE);
        }
    }
    return ctl_end(ctl, CFOTA_CTL_E_WRITE, CFOTA_CTL_STEP_WRITE);
}

/* Erase, then write every chunk, hashing what was accepted. */
static int erase_and_write(struct cfota_ctl *ctl, const struct cfota_ctl_source *src)
{
    uint32_t blocks = (src->len + CFOTA_CTL_BLOCK - 1) / CFOTA_CTL_BLOCK, off, n;
    uint32_t chunk = ctl->cfg->chunk ? ctl->cfg->chunk : CFOTA_CTL_CHUNK_MAX;
    uint32_t per_block = ctl->cfg->erase_ms_per_block ? ctl->cfg->erase_ms_per_block : 1000u;
    int r;

    if (ctl_step(ctl, CFOTA_CTL_STEP_ERASE, 0, blocks))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_ERASE);
    ctl_cmd_begin(ctl, "AT+CFLE=0,0,");
    ctl_cmd_uint(ctl, blocks);
    r = ctl_run(ctl, NULL, NULL, ctl_cmd_ms(ctl) + blocks * per_block, CFOTA_CTL_STEP_ERASE);
    if (r)
        return r;
    if (ctl->rep->restarts == 0 && (r = ctl_baud(ctl)) != 0)
        return r;

    cfota_md5_init(&ctl->md5);
    ctl->rep->bytes = 0;
    for (off = 0; off < src->len; off += n) {
        n = src->len - off < chunk ? src->len - off : chunk;
        if (src->read(src->ctx, off, ctl->chunk, n) < 0)
            return ctl_end(ctl, CFOTA_CTL_E_SOURCE, CFOTA_CTL_STEP_WRITE);
        if ((r = write_chunk(ctl, off, n)) != 0)
            return r;
        cfota_md5_update(&ctl->md5, ctl->chunk, n);
        ctl->rep->bytes = off + n;
        if (ctl_step(ctl, CFOTA_CTL_STEP_WRITE, off + n, src->len))
            return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_WRITE);
    }
    return 0;
}

int cfota_ctl_upload(struct cfota_ctl *ctl, const struct cfota_ctl_source *src,
                     const char *md5_hex, const char *expect_version,
                     struct cfota_ctl_report *rep)
{
    uint8_t digest[16];
    char hex[33];
    unsigned restarts;
    int r;
    if (!ctl || !rep)
        return CFOTA_CTL_E_INVAL;
    ctl_begin(ctl, rep);
    if (!src || !src->read || src->len == 0 || (md5_hex && !ctl_is_md5(md5_hex)))
        return ctl_end(ctl, CFOTA_CTL_E_INVAL, CFOTA_CTL_STEP_NONE);
    if (src->len > CFOTA_CTL_PACKAGE_MAX)
        return ctl_end(ctl, CFOTA_CTL_E_TOO_BIG, CFOTA_CTL_STEP_NONE);
    restarts = ctl->cfg->restarts == CFOTA_CTL_NO_RESTART ? 0u
               : ctl->cfg->restarts ? ctl->cfg->restarts : 1u;
    if ((r = ctl_probe(ctl)) != 0)
        return r;
    cfota_at_urc_clear(&ctl->at);

    for (;;) {
        r = erase_and_write(ctl, src);
        if (r != CFOTA_CTL_E_WRITE || rep->restarts >= restarts)
            break;
        rep->restarts++;
    }
    if (r)
        return r;
    cfota_md5_final(&ctl->md5, digest);
    cfota_md5_hex(digest, hex);
    if (md5_hex && !cfota_at_same_text(hex, 32, md5_hex)) {
        ctl_copy(rep->md5, sizeof rep->md5, hex);
        return ctl_end(ctl, CFOTA_CTL_E_MD5, CFOTA_CTL_STEP_WRITE);
    }
    if (ctl->cfg->stage_only) {
        ctl_copy(rep->md5, sizeof rep->md5, hex);
        return ctl_end(ctl, CFOTA_CTL_OK, CFOTA_CTL_STEP_WRITE);
    }
    if ((r = ctl_version(ctl, rep->before, CFOTA_CTL_STEP_VERSION)) != 0)
        return r;
    if ((r = ctl_trigger_local(ctl, src->len, hex)) != 0)
        return r;
    return ctl_follow(ctl, 0, 0, expect_version);
}
