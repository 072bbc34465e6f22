/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/admin_client.c: a small libcurl client for the admin API.
 *
 * Kept in the server library rather than the CLI so that the tests drive
 * the server through exactly the code operators use.
 */
#include "admin_client.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    bytes_put(ctx, data, size * n);
    return size * n;
}

int admin_call(const char *base_url, const char *token, const char *method, const char *path,
               const void *body, size_t n, struct admin_reply *reply)
{
    CURL *c;
    CURLcode rc;
    struct curl_slist *headers = NULL;
    char url[4096], auth[300];
    memset(reply, 0, sizeof *reply);
    c = curl_easy_init();
    if (!c) {
        snprintf(reply->error, sizeof reply->error, "libcurl cannot start");
        return -1;
    }
    snprintf(url, sizeof url, "%s%s", base_url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers = curl_slist_append(headers, auth);
    }
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
        /* An upload can be large: send it without waiting for 100-continue. */
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    } else if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
    else
        snprintf(reply->error, sizeof reply->error, "%.160s: %s", url, curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    bytes_byte(&reply->body, 0);
    reply->body.n--;
    return rc == CURLE_OK ? 0 : -1;
}

void admin_reply_free(struct admin_reply *reply) { bytes_free(&reply->body); }

void admin_query_add(struct bytes *q, const char *name, const char *value)
{
    char *esc = curl_easy_escape(NULL, value, 0);
    int first = q->n == 0 || memchr(q->p, '?', q->n) == NULL;
    bytes_byte(q, first ? '?' : '&');
    bytes_put(q, name, strlen(name));
    bytes_byte(q, '=');
    if (esc) {
        bytes_put(q, esc, strlen(esc));
        curl_free(esc);
    }
}

void admin_path_add(struct bytes *q, const char *value)
{
    char *esc = curl_easy_escape(NULL, value, 0);
    if (esc) {
        bytes_put(q, esc, strlen(esc));
        curl_free(esc);
    }
}

void admin_reply_message(const struct admin_reply *reply, char *out, size_t cap)
{
    const char *body = reply->body.p ? (const char *)reply->body.p : "";
    const char *m = strstr(body, "\"message\":\"");
    size_t i = 0;
    if (!m) {
        snprintf(out, cap, "%.*s", (int)strcspn(body, "\n"), body);
        return;
    }
    for (m += 11; *m && *m != '"' && i + 1 < cap; m++) {
        if (*m == '\\' && m[1])
            m++;
        out[i++] = *m;
    }
    out[i] = 0;
}
