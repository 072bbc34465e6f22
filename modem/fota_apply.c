/*
 * modem/fota_apply.c: the update itself, behind one function, fota_apply().
 *
 * NOT YET POWER-FAIL-SAFE. This version reads the package and the running
 * image into RAM, decodes the new image with host/apply.h
 * (cfota_apply_mem, which makes every device check: header, payload CRC,
 * base SHA-256, target SHA-256), then erases the firmware region and
 * programs the new image. A power cut after the first erase and before
 * the last program leaves neither image: the next boot finds neither the
 * base nor the target and reports "+CFOTA: Update fail". It is a real,
 * working apply, and the module around it already behaves as the note
 * says (the pending update survives a power cut and is retried at boot;
 * a cut after the last program is finished by the "already applied"
 * check below). The power-safe in-place engine of lib/ (scratch and
 * journal areas, which this version leaves untouched) replaces the body
 * of fota_apply() without changing its interface.
 */
#include "fota.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "bytes.h"
#include "cfota/package.h"
#include "cfota/status.h"
#include "hash.h"

static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return rc;
}

static uint8_t *read_all(const struct cfota_area *a, uint32_t len, int *rc)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p) {
        *rc = CFOTA_E_NOSPC;
        return NULL;
    }
    *rc = cfota_area_read(a, 0, p, len);
    if (*rc != CFOTA_OK) {
        free(p);
        return NULL;
    }
    return p;
}

/* Whether the firmware area already starts with the package's target. */
static int already_applied(const struct cfota_area *fw, const struct cfota_header *h, int *rc)
{
    uint8_t digest[32];
    uint8_t *img;
    if (h->target_size > fw->size)
        return 0;
    img = read_all(fw, h->target_size, rc);
    if (!img)
        return 0;
    host_sha256(img, h->target_size, digest);
    free(img);
    return memcmp(digest, h->target_sha256, 32) == 0;
}

/* Erase the blocks covering [0, erase_len) and program image there. */
static int write_image(const struct cfota_area *fw, const uint8_t *image, uint32_t len, uint32_t erase_len)
{
    uint32_t unit = fw->flash->prog_size, whole = len / unit * unit, blocks;
    uint8_t tail[256];
    int rc;

    blocks = (erase_len + MODEM_BLOCK - 1) / MODEM_BLOCK;
    rc = cfota_area_erase_range(fw, 0, blocks * MODEM_BLOCK);
    if (rc == CFOTA_OK)
        rc = cfota_area_prog(fw, 0, image, whole);
    if (rc == CFOTA_OK && whole < len) {
        if (unit > sizeof tail)
            return CFOTA_E_INVAL;
        memset(tail, 0xFF, unit);
        memcpy(tail, image + whole, len - whole);
        rc = cfota_area_prog(fw, whole, tail, unit);
    }
    return rc;
}

int fota_apply(const struct fota_areas *areas, uint32_t pkg_len, uint32_t image_size,
               struct fota_result *out, char *why, size_t whylen)
{
    struct cfota_header h;
    struct bytes target = {0};
    uint8_t *pkg, *old;
    int rc;

    pkg = read_all(areas->package, pkg_len, &rc);
    if (!pkg)
        return say(why, whylen, rc, "cannot read the package");
    rc = cfota_header_parse(&h, pkg, pkg_len);
    if (rc != CFOTA_OK) {
        free(pkg);
        return say(why, whylen, rc, "package header: %s", cfota_status_name(rc));
    }
    out->image_size = h.target_size;
    snprintf(out->version, sizeof out->version, "%s", h.target_version);

    if (already_applied(areas->firmware, &h, &rc)) {
        free(pkg);
        return CFOTA_OK;
    }
    if (rc != CFOTA_OK) {
        free(pkg);
        return say(why, whylen, rc, "cannot read the firmware");
    }
    old = read_all(areas->firmware, image_size, &rc);
    if (!old) {
        free(pkg);
        return say(why, whylen, rc, "cannot read the firmware");
    }
    rc = cfota_apply_mem(old, image_size, pkg, pkg_len, &target, 0, why, whylen);
    free(old);
    free(pkg);
    if (rc != CFOTA_OK) {
        bytes_free(&target);
        return rc;
    }
    rc = write_image(areas->firmware, target.p, (uint32_t)target.n,
                     image_size > target.n ? image_size : (uint32_t)target.n);
    bytes_free(&target);
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "writing the new image failed");
    return CFOTA_OK;
}
