/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/http_request.c: the core asking its host for HTTP transfers
 * (modem_http.h): start and cancel, and the rule that the emulator talks
 * to loopback hosts only. The host's answers come back through the entry
 * point (entry.c), which routes them to the slot's owner.
 */
#include "at_command.h"

#include <string.h>

int modem_http_start(struct modem *m, const struct modem_http_request *req)
{
    if (!m->cfg.http.start) {
        at_log(m, "no network: HTTP is not available in this host");
        return -1;
    }
    if (!modem_http_host_is_loopback(req->url)) {
        at_log(m, "refused %s: the emulator talks to loopback hosts only", req->url);
        return -1;
    }
    at_log(m, "http %d: %s %s%s", req->slot,
           req->kind == MODEM_HTTP_CONNECT ? "CONNECT" : req->kind == MODEM_HTTP_SEND ? req->method : "GET",
           req->url, req->range_from ? " (resumed)" : "");
    return m->cfg.http.start(m->cfg.http.ctx, req);
}

void modem_http_cancel(struct modem *m, int slot)
{
    if (m->cfg.http.cancel)
        m->cfg.http.cancel(m->cfg.http.ctx, slot);
}

/* ---- loopback only ---- */

static int starts_with(const char *s, const char *prefix, size_t *n)
{
    size_t k = strlen(prefix), i;
    for (i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != prefix[i])
            return 0;
    }
    *n = k;
    return 1;
}

static int is_127_address(const char *h, size_t n)
{
    size_t i, dots = 0, digits = 0;
    if (n < 4 || memcmp(h, "127.", 4) != 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (h[i] == '.') {
            if (digits == 0)
                return 0;
            dots++;
            digits = 0;
        } else if (h[i] >= '0' && h[i] <= '9' && digits < 3) {
            digits++;
        } else {
            return 0;
        }
    }
    return dots == 3 && digits > 0;
}

int modem_http_host_is_loopback(const char *url)
{
    size_t skip = 0, n;
    const char *h;

    if (!starts_with(url, "http://", &skip) && !starts_with(url, "https://", &skip))
        return 0;
    h = url + skip;
    if (h[0] == '[') {
        n = strcspn(h, "]");
        return n == 4 && memcmp(h, "[::1", 4) == 0 && h[4] == ']';
    }
    n = strcspn(h, ":/?#@");
    if (h[n] == '@')
        return 0; /* user info in the URL: not ours to parse */
    if (n == 9 && starts_with(h, "localhost", &skip))
        return 1;
    return is_127_address(h, n);
}
