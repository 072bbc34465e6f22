/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/dashboard_assets.h: the dashboard's files, compiled in. The
 * build makes dashboard_assets.c from server/dashboard_assets/ (see
 * embed_assets.cmake), so the table always holds what that folder holds.
 */
#ifndef CFOTA_SERVER_DASHBOARD_ASSETS_H
#define CFOTA_SERVER_DASHBOARD_ASSETS_H

#include <stddef.h>

struct dashboard_asset {
    const char *path; /* "/index.html": the file's name under / */
    const unsigned char *bytes;
    size_t size;
};

/* Ended by an entry whose path is NULL. */
extern const struct dashboard_asset dashboard_assets[];

#endif
