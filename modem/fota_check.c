/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/fota_check.c: everything AT+CFOTA=5 verifies before it answers
 * "+CFOTA: Start to update" and resets the module, so that a bad package
 * is refused while the running image is untouched: the MD5 the host gave
 * (the note's only integrity check), then our package header (valid,
 * describing exactly <len> bytes), the payload CRC-32, the target size,
 * and the base image's size and SHA-256 against the running image
 * (cfota/verify.h), which catches a package built for another version.
 */
#include "fota.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota/verify.h"
#include "hash.h"

static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return rc;
}

struct mem {
    const uint8_t *p;
    uint32_t len;
};

static int read_mem(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    const struct mem *m = ctx;
    if (off > m->len || len > m->len - off)
        return -1;
    memcpy(buf, m->p + off, len);
    return 0;
}

static int read_area(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
    return cfota_area_read(ctx, off, buf, len) == CFOTA_OK ? 0 : -1;
}

static int check_package(const struct modem_flash_map *map, uint32_t image_size, const uint8_t *pkg,
                         uint32_t len, char *why, size_t whylen)
{
    struct cfota_header h;
    struct mem mem = {pkg, len};
    int rc = cfota_header_parse(&h, pkg, len);

    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "not a cfota package: %s", cfota_status_name(rc));
    if ((uint64_t)h.header_size + h.payload_size + h.sig_size != len)
        return say(why, whylen, CFOTA_E_CORRUPT, "<len> is %u but the header describes %llu bytes",
                   (unsigned)len, (unsigned long long)h.header_size + h.payload_size + h.sig_size);
    rc = cfota_verify_payload(&h, read_mem, &mem);
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "payload CRC-32 does not match");
    /* The module rewrites its firmware in place: only a package made for
     * that (cfota diff --in-place) respects what in place overwrites. */
    if (!(h.flags & CFOTA_FLAG_IN_PLACE) || h.segment_size > map->scratch.size)
        return say(why, whylen, CFOTA_E_INVAL, "package was not made for in-place update with %u KB of scratch",
                   (unsigned)(map->scratch.size / 1024));
    if (h.target_size > map->firmware.size)
        return say(why, whylen, CFOTA_E_NOSPC, "target of %u bytes does not fit the firmware region",
                   (unsigned)h.target_size);
    rc = cfota_verify_base(&h, image_size, read_area, (void *)&map->firmware);
    if (rc == CFOTA_E_WRONG_BASE)
        return say(why, whylen, rc, "package is for base %s, not the running image",
                   h.base_version[0] ? h.base_version : "(unnamed)");
    if (rc != CFOTA_OK)
        return say(why, whylen, rc, "cannot read the running image");
    return CFOTA_OK;
}

int fota_check(const struct modem_flash_map *map, uint32_t image_size, uint32_t pkg_len,
               const uint8_t md5[16], char *why, size_t whylen)
{
    uint8_t digest[16];
    uint8_t *pkg;
    int rc;

    if (pkg_len == 0 || pkg_len > map->update.size)
        return say(why, whylen, CFOTA_E_INVAL, "<len> out of the update partition");
    pkg = malloc(pkg_len);
    if (!pkg)
        return say(why, whylen, CFOTA_E_NOSPC, "out of memory");
    if (cfota_area_read(&map->update, 0, pkg, pkg_len) != CFOTA_OK) {
        free(pkg);
        return say(why, whylen, CFOTA_E_IO, "flash read failed");
    }
    host_md5(pkg, pkg_len, digest);
    if (memcmp(digest, md5, 16) != 0) {
        char hex[33];
        host_hex(digest, 16, hex);
        rc = say(why, whylen, CFOTA_E_HASH, "MD5 of the first %u bytes is %s", (unsigned)pkg_len, hex);
    } else {
        rc = check_package(map, image_size, pkg, pkg_len, why, whylen);
    }
    free(pkg);
    return rc;
}
