/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/http_events.c: the core's side of HTTP (http.h): starting and
 * cancelling transfers through the host, routing the host's events to
 * the owner of the slot (cmd_http.c for the AT+CHTTP clients, ota.c for
 * the FOTA client), and storing downloaded bytes in the update partition.
 *
 * Every event ends with modem_tick(): an event may finish a pending
 * command (AT+CFOTA=4) or reset the module, and the input the host sent
 * meanwhile must then be served, exactly as after modem_input().
 */
#include "at.h"

#include <string.h>

#include "cfota/status.h"

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
    at_log(m, "http %d: %s %s%s", req->slot, req->kind == MODEM_HTTP_CONNECT ? "CONNECT" : "GET",
           req->url, req->range_from ? " (resumed)" : "");
    return m->cfg.http.start(m->cfg.http.ctx, req);
}

void modem_http_cancel(struct modem *m, int slot)
{
    if (m->cfg.http.cancel)
        m->cfg.http.cancel(m->cfg.http.ctx, slot);
}

void modem_http_clear(struct modem *m)
{
    int i;
    for (i = 0; i < MODEM_HTTP_SLOTS; i++) {
        if ((i < MODEM_HTTP_CLIENTS && m->httpc[i].busy) || (i == MODEM_HTTP_OTA_SLOT && ota_busy(m)))
            modem_http_cancel(m, i);
    }
    memset(m->httpc, 0, sizeof m->httpc);
    ota_clear(m);
}

static int valid_slot(int slot)
{
    return slot >= 0 && slot < MODEM_HTTP_SLOTS;
}

void modem_http_head(struct modem *m, int slot, int status, const char *headers, size_t len, uint64_t now)
{
    modem_tick(m, now);
    if (!valid_slot(slot) || m->mode == MODEM_OFF)
        return;
    if (len > MODEM_HTTP_HEADER_MAX)
        len = MODEM_HTTP_HEADER_MAX;
    if (slot == MODEM_HTTP_OTA_SLOT)
        ota_on_head(m, status, headers, len);
    else
        chttp_on_head(m, slot, status, headers, len);
    modem_tick(m, now);
}

int modem_http_body(struct modem *m, int slot, const void *data, size_t len, uint64_t now)
{
    int rc;
    modem_tick(m, now);
    if (!valid_slot(slot) || m->mode == MODEM_OFF)
        return -1;
    if (slot == MODEM_HTTP_OTA_SLOT)
        rc = ota_on_body(m, data, len);
    else
        rc = chttp_on_body(m, slot, data, len);
    modem_tick(m, now);
    return rc;
}

void modem_http_done(struct modem *m, int slot, int result, uint64_t now)
{
    modem_tick(m, now);
    if (!valid_slot(slot) || m->mode == MODEM_OFF)
        return;
    if (slot == MODEM_HTTP_OTA_SLOT)
        ota_on_done(m, result);
    else
        chttp_on_done(m, slot, result);
    modem_tick(m, now);
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

/* ---- the update partition as a download target ---- */

int modem_update_store(struct modem *m, uint32_t off, const uint8_t *data, size_t len)
{
    const struct cfota_area *u = &m->map.update;

    if (off > u->size || len > u->size - off)
        return 1;
    while (len > 0) {
        uint32_t in_block = MODEM_BLOCK - off % MODEM_BLOCK;
        uint32_t n = len < in_block ? (uint32_t)len : in_block;
        if (off % MODEM_BLOCK == 0 && cfota_area_erase(u, off) != CFOTA_OK) {
            at_power_lost(m);
            return -1;
        }
        if (cfota_area_prog(u, off, data, n) != CFOTA_OK) {
            at_power_lost(m);
            return -1;
        }
        off += n;
        data += n;
        len -= n;
    }
    return 0;
}
