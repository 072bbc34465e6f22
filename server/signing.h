/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/signing.h: package signatures on the server (docs/server.md,
 * "Signing"). Two ways, chosen at start:
 *
 *   --sign-key KEY        the server signs every package it builds.
 *   --release-key KEY.pub the release key never sits on the server: built
 *                         packages wait in state "tosign" and are not
 *                         served; the operator fetches each one
 *                         (GET /admin/v1/packages/<id>), signs it offline
 *                         (cfota sign) and uploads the result (PUT
 *                         /admin/v1/packages/<id>/signature), which the
 *                         server checks against KEY.pub before serving it.
 * Neither: packages are served unsigned, as before.
 */
#ifndef CFOTA_SERVER_SIGNING_H
#define CFOTA_SERVER_SIGNING_H

#include <stddef.h>

#include "bytes.h"
#include "cfota_mbedtls.h"
#include "http.h"

struct package;

struct signing {
    char sign_key[4096];          /* "" unless the server signs */
    int offline;                  /* packages wait for an uploaded signature */
    struct cfota_mbedtls_key key; /* the release public key (offline) */
    struct cfota_verifier trust;
};

/* Set s up from the configuration (either path may be NULL; not both
 * set). Returns 0, or -1 with a sentence in err. */
int signing_init(struct signing *s, const char *sign_key, const char *release_key, char *err, size_t errlen);

/* A package the builder just made: sign it (sign_key), or mark it
 * "tosign" (offline). Returns 0, or -1 with a sentence in err. */
int signing_on_build(const struct signing *s, struct bytes *pkg, struct package *p, char *err, size_t errlen);

enum MHD_Result admin_package_get(struct http_req *r);       /* GET packages/<id> */
enum MHD_Result admin_package_signature(struct http_req *r); /* PUT packages/<id>/signature */

#endif
