/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/fota_accept.c: the one path by which a package in the update
 * partition becomes the module's pending update (fota.h), so that a bad
 * package is refused while the running image is untouched, whichever
 * command brought it.
 *
 * The module adds only what the host told it: the MD5 and the length of
 * AT+CFOTA=5 (the note's only integrity check), the MD5 streamed from
 * flash, never the package in RAM. Everything about the package itself
 * (header, sizes, in-place layout, payload CRC, base image) is the update
 * engine's own decision (cfota_update_check / cfota_update_begin), made
 * before it writes anything; the module does not judge packages twice.
 */
#include "fota.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "at_command.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/update.h"
#include "hash.h"

void fota_engine_cfg(struct modem *m, uint32_t len, const struct cfota_header *h, struct cfota_update_cfg *cfg)
{
    const struct cfota_area *up = &m->map.update;
    uint32_t bs = up->flash->erase_size, at = (len + bs - 1) / bs * bs;
    struct cfota_area big;
    memset(cfg, 0, sizeof *cfg);
    cfg->image = m->map.firmware;
    cfg->package = m->map.update;
    cfg->scratch = m->map.scratch;
    /* The update partition's spare flash after the package: a scratch
     * bigger than the 16 KB area, then the stash. */
    if (h->scratch_size > m->map.scratch.size && at <= up->size && up->size - at >= h->scratch_size &&
        cfota_area_init(&big, up->flash, up->off + at, h->scratch_size) == CFOTA_OK) {
        cfg->scratch = big;
        at += h->scratch_size;
    }
    if (at < up->size)
        cfota_area_init(&cfg->stash, up->flash, up->off + at, up->size - at);
    cfg->journal = m->map.journal;
    cfg->image_size = m->rec.image_size;
    cfg->buf = m->engine_buf;
    cfg->buf_size = sizeof m->engine_buf;
    /* What the module accepts: its provisioned key and product, and the
     * security counter of the image it runs. */
    cfg->policy.verifier = m->cfg.trust;
    cfg->policy.product_id = m->cfg.product_id;
    cfg->policy.security_counter = m->rec.security_counter;
}

int fota_read_header(const struct modem *m, uint32_t len, struct cfota_header *h)
{
    uint8_t head[CFOTA_HEADER_MAX];
    uint32_t n = len < sizeof head ? len : (uint32_t)sizeof head;
    int rc = cfota_area_read(&m->map.update, 0, head, n);
    if (rc != CFOTA_OK)
        return rc;
    return cfota_header_parse(h, head, n);
}

static int read_area(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    return cfota_area_read(ctx, off, buf, len);
}

/* Refuse with rc and say why in the trace; a flash failure is the power
 * going (the module goes silent). */
static int refuse(struct modem *m, int rc, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    if (rc == CFOTA_E_IO) {
        at_power_lost(m);
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    at_log(m, "update refused: %s", why);
    return rc;
}

int fota_accept(struct modem *m, uint32_t len, const uint8_t md5[16], enum fota_accept_mode mode,
                char *target_version)
{
    struct cfota_update_cfg cfg;
    struct cfota_header h;
    uint8_t digest[16];
    char hex[33];
    int rc;

    if (!m->rec_ok)
        return refuse(m, CFOTA_E_STATE, "no record of the running image");
    if (len == 0 || len > m->map.update.size)
        return refuse(m, CFOTA_E_INVAL, "<len> out of the update partition");
    if ((rc = host_digest_read(read_area, (void *)&m->map.update, len, digest, NULL)) != 0)
        return refuse(m, CFOTA_E_IO, "flash read failed");
    if (memcmp(digest, md5, 16) != 0) {
        host_hex(digest, 16, hex);
        return refuse(m, CFOTA_E_HASH, "MD5 of the first %u bytes is %s", (unsigned)len, hex);
    }
    if ((rc = fota_read_header(m, len, &h)) != CFOTA_OK)
        return refuse(m, rc, "not a cfota package: %s", cfota_status_name(rc));
    if ((uint64_t)h.header_size + h.payload_size + h.sig_size != len)
        return refuse(m, CFOTA_E_CORRUPT, "<len> is %u but the header describes %llu bytes", (unsigned)len,
                      (unsigned long long)h.header_size + h.payload_size + h.sig_size);
    fota_engine_cfg(m, len, &h, &cfg);
    rc = mode == FOTA_ACCEPT ? cfota_update_begin(&m->engine, &cfg) : cfota_update_check(&m->engine, &cfg);
    if (rc != CFOTA_OK)
        return refuse(m, rc, "the update engine refuses it: %s", cfota_status_name(rc));
    if (target_version)
        snprintf(target_version, MODEM_VERSION_MAX + 1, "%s", h.target_version);
    if (mode == FOTA_CHECK_ONLY)
        return CFOTA_OK;
    m->rec.pending = 1;
    m->rec.pkg_len = len;
    memcpy(m->rec.pkg_md5, md5, 16);
    if (modem_record_store(&m->map, &m->rec) != CFOTA_OK)
        return refuse(m, CFOTA_E_IO, "record write failed");
    return CFOTA_OK;
}
