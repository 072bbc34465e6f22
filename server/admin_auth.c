/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_auth.c: admin token roles (see admin_auth.h).
 *
 * A stored token is looked up by its hash, so the lookup's timing says
 * nothing about the token; the server's own token is compared in constant
 * time.
 */
#include "admin_auth.h"

#include <string.h>

#include "hash.h"
#include "store.h"

enum http_role admin_auth_parse_role(const char *name)
{
    if (!strcmp(name, "read"))
        return ROLE_READ;
    if (!strcmp(name, "admin"))
        return ROLE_ADMIN;
    return ROLE_NONE;
}

enum http_role admin_auth_role(struct cfota_server *s, const char *token)
{
    struct admin_token t;
    uint8_t digest[32];
    char sha[65];
    int rc;
    if (credentials_equal(s->admin_token, token))
        return ROLE_ADMIN;
    host_sha256(token, strlen(token), digest);
    host_hex(digest, 32, sha);
    store_begin(s->store, 0);
    rc = store_token_get(s->store, sha, &t);
    store_commit(s->store);
    return rc == STORE_OK ? admin_auth_parse_role(t.role) : ROLE_NONE;
}
