/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/pkg_check.h: is this file a package, whole, and of the kind needed?
 * One set of checks and one wording for every command that takes a
 * package (info, apply, apply --in-place, push, update --http), so that
 * "not a cfota package" reads the same whichever command found it, and
 * `cfota push` refuses locally, before sending a byte, what the module
 * would only refuse after the whole upload.
 */
#ifndef CFOTA_CLI_PKG_CHECK_H
#define CFOTA_CLI_PKG_CHECK_H

#include "bytes.h"
#include "cfota/package.h"

/* What the caller needs beyond a readable header. */
#define PKG_NEED_HEADER 0u   /* only a valid header */
#define PKG_NEED_WHOLE 1u    /* and the exact size and payload CRC-32 */
#define PKG_NEED_IN_PLACE 2u /* and made with --in-place (what a module applies) */

/* Check the package bytes pkg (read from path) and fill *h. Returns 0, or
 * prints "cfota: <cmd>: <path>: <reason>" (report_fail) and returns 1.
 * Reasons: not a package (no "CFPK"), ends inside its header, unsupported
 * format version, damaged header; with PKG_NEED_WHOLE: shorter or longer
 * than its header says, payload CRC-32 mismatch; with PKG_NEED_IN_PLACE:
 * not made for in-place apply. */
int pkg_check(const char *cmd, const char *path, const struct bytes *pkg, unsigned need,
              struct cfota_header *h);

/* Does the file start like a package? For hints such as "swapped
 * arguments?"; no message. */
int pkg_looks_like_package(const struct bytes *b);

#endif
