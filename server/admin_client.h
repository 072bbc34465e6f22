/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_client.h: calling the admin API (docs/server-api.md §4)
 * with libcurl, for `cfota admin` and the tests.
 */
#ifndef CFOTA_SERVER_ADMIN_CLIENT_H
#define CFOTA_SERVER_ADMIN_CLIENT_H

#include <stddef.h>

#include "bytes.h"

struct admin_reply {
    long status;          /* HTTP status, 0 if no answer */
    struct bytes body;    /* answer body, NUL-terminated (not counted) */
    char error[320];      /* transport error, if status is 0 */
};

/* Send method to base_url + path (path includes any query string), with
 * "Authorization: Bearer <token>" if token is not NULL, and body (n bytes)
 * if not NULL. Returns 0 when an answer came (whatever its status), -1 on
 * a transport failure (reply->error says what). Free with admin_reply_free. */
int admin_call(const char *base_url, const char *token, const char *method, const char *path,
               const void *body, size_t n, struct admin_reply *reply);
void admin_reply_free(struct admin_reply *reply);

/* Append "?name=value" or "&name=value" to q, value percent-encoded. */
void admin_query_add(struct bytes *q, const char *name, const char *value);

/* Append value to q as one path segment, percent-encoded. */
void admin_path_add(struct bytes *q, const char *value);

/* The "message" of an error answer (into out), or the body's start. */
void admin_reply_message(const struct admin_reply *reply, char *out, size_t cap);

#endif
