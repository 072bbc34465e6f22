/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/pkg_check.c: the package checks of the commands (cli/pkg_check.h).
 * The header parser and CRC are the device library's, so a package passes
 * here exactly when a device's first checks would pass it.
 */
#include "pkg_check.h"

#include <string.h>

#include "cfota/crc32.h"
#include "cfota/status.h"
#include "report.h"

int pkg_looks_like_package(const struct bytes *b)
{
    return b->n >= 4 && memcmp(b->p, CFOTA_MAGIC, 4) == 0;
}

static int check_header(const char *cmd, const char *path, const struct bytes *pkg, struct cfota_header *h)
{
    int rc;
    if (!pkg_looks_like_package(pkg))
        return report_fail(cmd, "%s: not a cfota package (it does not start with \"%s\")", path, CFOTA_MAGIC);
    rc = cfota_header_parse(h, pkg->p, pkg->n);
    switch (rc) {
    case CFOTA_OK:
        return 0;
    case CFOTA_E_TRUNCATED:
        return report_fail(cmd, "%s: the file ends inside the package header", path);
    case CFOTA_E_VERSION:
        return report_fail(cmd, "%s: package format version %u, flags 0x%02x: not supported by this cfota (format %u)",
                           path, pkg->p[4], pkg->p[5], CFOTA_FORMAT_VERSION);
    default:
        return report_fail(cmd, "%s: the package header is damaged (%s)", path, cfota_status_name(rc));
    }
}

static int check_whole(const char *cmd, const char *path, const struct bytes *pkg, const struct cfota_header *h)
{
    char have[REPORT_COUNT_MAX], want[REPORT_COUNT_MAX];
    uint64_t expected = (uint64_t)h->header_size + h->payload_size + h->sig_size;
    if (pkg->n != expected)
        return report_fail(cmd, "%s: the file has %s bytes, its header describes %s%s", path,
                           report_count(pkg->n, have), report_count(expected, want),
                           pkg->n < expected ? " (truncated)" : "");
    if (cfota_crc32(0, pkg->p + h->header_size, h->payload_size) != h->payload_crc32)
        return report_fail(cmd, "%s: the payload CRC-32 does not match: damaged package", path);
    return 0;
}

int pkg_check(const char *cmd, const char *path, const struct bytes *pkg, unsigned need, struct cfota_header *h)
{
    if (check_header(cmd, path, pkg, h) != 0)
        return 1;
    if ((need & PKG_NEED_WHOLE) && check_whole(cmd, path, pkg, h) != 0)
        return 1;
    if ((need & PKG_NEED_IN_PLACE) && !(h->flags & CFOTA_FLAG_IN_PLACE))
        return report_fail(cmd, "%s was not made for in-place apply (make it with cfota diff --in-place)", path);
    return 0;
}
