/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_self.c: the MCU's own update through the module
 * (cfota_ctl/self_update.h has the state table; docs/controller.md the
 * record's layout and why each cut is safe).
 *
 * The one idea: nothing of the flow's progress lives only in RAM. Where
 * the download stands is the progress record's zeroed block marks; whether
 * the update ran is the engine's journal, matched to the stored package by
 * its payload CRC. So every call starts from flash and does only what is
 * still due, and a power cut between any two flash operations costs at
 * most the erase block being written.
 *
 * The module's HTTP client speaks AT+CHTTPSEND; the answer's body arrives
 * as +CHTTPNMIC hex lines that the AT channel decodes straight into
 * on_body(), which stages program chunks in the controller's chunk buffer
 * (or, for the check answer, collects its text there).
 */
#include <string.h>

#include "cfota/crc32.h"
#include "cfota/package.h"
#include "cfota_ctl/self_update.h"
#include "ctl_internal.h"

#define REC_MAGIC 0x52534643u /* "CFSR" */
#define REC_HEAD 128u         /* header bytes; the block marks follow */
#define REC_FIELDS 104u       /* magic, size, id, from, to (CRC follows) */
#define MARK_MAX 16u          /* largest program unit a mark may take */
#define CHUNK CFOTA_CTL_CHUNK_MAX

enum { SINK_TEXT = 0, SINK_PACKAGE = 1 };

/* ---- the progress record ---- */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint32_t erase_size(const struct cfota_self *s)
{
    return s->cfg->update.package.flash->erase_size;
}

static uint32_t mark_size(const struct cfota_self *s)
{
    return s->cfg->record.flash->prog_size;
}

static uint32_t blocks_of(const struct cfota_self *s, uint32_t size)
{
    return (size + erase_size(s) - 1) / erase_size(s);
}

/* Read the record's header into s (size, id) and rep (from, to).
 * Returns 1 if it is whole, 0 if absent or torn, CFOTA_E_IO. */
static int record_read(struct cfota_self *s)
{
    uint8_t h[REC_FIELDS + 4];
    if (cfota_area_read(&s->cfg->record, 0, h, sizeof h) != CFOTA_OK)
        return CFOTA_E_IO;
    if (rd32(h) != REC_MAGIC || rd32(h + REC_FIELDS) != cfota_crc32(0, h, REC_FIELDS))
        return 0;
    s->size = rd32(h + 4);
    memcpy(s->id, h + 8, 32);
    memcpy(s->rep->from, h + 40, CFOTA_CTL_VERSION_MAX);
    memcpy(s->rep->to, h + 72, CFOTA_CTL_VERSION_MAX);
    s->rep->from[CFOTA_CTL_VERSION_MAX - 1] = s->rep->to[CFOTA_CTL_VERSION_MAX - 1] = '\0';
    return 1;
}

/* Start a record for the package in s and rep. */
static int record_start(struct cfota_self *s)
{
    uint8_t h[REC_HEAD];
    memset(h, 0xFF, sizeof h);
    wr32(h, REC_MAGIC);
    wr32(h + 4, s->size);
    memcpy(h + 8, s->id, 32);
    memset(h + 40, 0, 2 * CFOTA_CTL_VERSION_MAX);
    ctl_copy((char *)h + 40, CFOTA_CTL_VERSION_MAX, s->rep->from);
    ctl_copy((char *)h + 72, CFOTA_CTL_VERSION_MAX, s->rep->to);
    wr32(h + REC_FIELDS, cfota_crc32(0, h, REC_FIELDS));
    if (cfota_area_erase(&s->cfg->record, 0) != CFOTA_OK ||
        cfota_area_prog(&s->cfg->record, 0, h, sizeof h) != CFOTA_OK)
        return CFOTA_E_IO;
    return CFOTA_OK;
}

/* The first package block not marked complete (blocks_of(size) if all
 * are), or CFOTA_E_IO. A torn mark (not all zero) counts as not done:
 * its block is erased and written again, and zeroing the mark then is
 * a legal program over whatever the cut left. */
static int32_t record_first_missing(struct cfota_self *s)
{
    uint8_t m[MARK_MAX];
    uint32_t i, j, n = blocks_of(s, s->size), u = mark_size(s);
    for (i = 0; i < n; i++) {
        if (cfota_area_read(&s->cfg->record, REC_HEAD + i * u, m, u) != CFOTA_OK)
            return CFOTA_E_IO;
        for (j = 0; j < u && m[j] == 0; j++) {
        }
        if (j < u)
            return (int32_t)i;
    }
    return (int32_t)n;
}

static int record_mark(struct cfota_self *s, uint32_t block)
{
    uint8_t zero[MARK_MAX];
    memset(zero, 0, sizeof zero);
    return cfota_area_prog(&s->cfg->record, REC_HEAD + block * mark_size(s), zero, mark_size(s));
}

/* ---- the answer's body, from the AT channel's hex decoder ---- */

/* Program the staged chunk at s->pos, erasing each block as it starts,
 * and mark a block once its last byte is written. */
static int flush_chunk(struct cfota_self *s)
{
    const struct cfota_area *pkg = &s->cfg->update.package;
    uint32_t unit = pkg->flash->prog_size, len = s->fill, es = erase_size(s);
    if (len == 0)
        return CFOTA_OK;
    while (len % unit)
        s->ctl.chunk[len++] = 0xFF;
    if (s->pos % es == 0 && cfota_area_erase(pkg, s->pos) != CFOTA_OK)
        return CFOTA_E_IO;
    if (cfota_area_prog(pkg, s->pos, s->ctl.chunk, len) != CFOTA_OK)
        return CFOTA_E_IO;
    s->pos += s->fill;
    s->fill = 0;
    if (s->pos % es == 0 || s->pos == s->size)
        return record_mark(s, (s->pos - 1) / es);
    return CFOTA_OK;
}

static void on_body(void *ctx, const uint8_t *b, size_t n, int end)
{
    struct cfota_self *s = ctx;
    size_t i;
    if (end) {
        if (end < 0)
            s->bad = 1;
        return;
    }
    for (i = 0; i < n && !s->bad; i++) {
        s->got++;
        if (s->sink == SINK_TEXT) {
            if (s->fill < CHUNK - 1)
                s->ctl.chunk[s->fill++] = b[i];
            continue;
        }
        /* Only a 206 for the range asked may be stored: a 200 would be
         * the package from its start, put at our offset. */
        if (s->status != 206 || s->pos + s->fill >= s->size) {
            s->bad = 1;
            break;
        }
        s->ctl.chunk[s->fill++] = b[i];
        if ((s->fill == CHUNK || s->pos + s->fill == s->size) && flush_chunk(s) != CFOTA_OK)
            s->bad = 2;
    }
}

/* ---- HTTP through the module ---- */

static void close_client(struct cfota_self *s)
{
    if (!s->connected)
        return;
    s->connected = 0;
    ctl_http_close(&s->ctl, s->client);
}

static int open_client(struct cfota_self *s)
{
    const char *server = s->cfg->server;
    int r;
    if (s->connected)
        return 0;
    if ((r = ctl_http_open(&s->ctl, server, strlen(server), &s->client)) == 0)
        s->connected = 1;
    return r;
}

static void cmd_hex(struct cfota_ctl *ctl, const char *text)
{
    static const char digits[] = "0123456789abcdef";
    char two[3];
    two[2] = '\0';
    for (; *text; text++) {
        two[0] = digits[(uint8_t)*text >> 4];
        two[1] = digits[(uint8_t)*text & 15u];
        ctl_cmd_add(ctl, two);
    }
}

/* v in decimal, each digit as hex: a number inside a hex header. */
static void cmd_hex_uint(struct cfota_ctl *ctl, uint32_t v)
{
    char num[11];
    num[10] = '\0';
    cmd_hex(ctl, ctl_decimal(num + 10, v));
}

/* Wait for the answer's URCs to its last +CHTTPNMIC (<more> 0). */
static int answer(struct cfota_self *s)
{
    struct cfota_ctl *ctl = &s->ctl;
    struct cfota_at_urc u;
    uint32_t v;
    for (;;) {
        const char *f;
        int r = cfota_at_wait_urc(&ctl->at, &u, ctl_radio_ms(ctl));
        if (r != CFOTA_CTL_OK)
            return ctl_end(ctl, r, CFOTA_CTL_STEP_HTTP_GET);
        if (u.flags & CFOTA_URC_F_RESET) {
            s->connected = 0;  /* the module forgot its clients */
            return ctl_end(ctl, CFOTA_CTL_E_RESET, CFOTA_CTL_STEP_HTTP_GET);
        }
        if ((f = ctl_http_urc(&u, s->client)) == NULL)
            continue;
        if (u.kind == CFOTA_URC_HTTP_HEADER && cfota_at_field_uint(f, 1, &v) == 0) {
            s->status = (int32_t)v;
            s->rep->http = (int32_t)v;
        } else if (u.kind == CFOTA_URC_HTTP_CONTENT && cfota_at_field_uint(f, 1, &v) == 0) {
            if (v == 0)
                return 0;
        } else if (u.kind == CFOTA_URC_HTTP_ERROR) {
            int32_t code;
            s->rep->http = cfota_at_field_int(f, 1, &code) == 0 ? code : -3;
            close_client(s);
            return ctl_end(ctl, CFOTA_CTL_E_HTTP, CFOTA_CTL_STEP_HTTP_GET);
        }
    }
}

/* GET path (with Range: bytes=from-to when sink is the package). */
static int get(struct cfota_self *s, const char *path, int sink, uint32_t from, uint32_t to)
{
    struct cfota_ctl *ctl = &s->ctl;
    int r;
    if (!s->probed) {  /* the module is needed only from here on */
        if ((r = ctl_probe(ctl)) != 0 || (r = ctl_baud(ctl)) != 0)
            return r;
        s->probed = 1;
    }
    if ((r = open_client(s)) != 0)
        return r;
    s->sink = (uint8_t)sink;
    s->fill = s->got = 0;
    s->bad = 0;
    s->status = 0;
    s->rep->requests++;
    ctl_cmd_begin(ctl, "AT+CHTTPSEND=");
    ctl_cmd_uint(ctl, s->client);
    ctl_cmd_add(ctl, ",0,");
    ctl_cmd_quoted(ctl, path);
    if (sink == SINK_PACKAGE) {
        ctl_cmd_add(ctl, ",");
        cmd_hex(ctl, "Range: bytes=");
        cmd_hex_uint(ctl, from);
        cmd_hex(ctl, "-");
        cmd_hex_uint(ctl, to);
        cmd_hex(ctl, "\r\n");
    }
    r = ctl_run(ctl, NULL, NULL, ctl_cmd_ms(ctl), CFOTA_CTL_STEP_HTTP_GET);
    if (r == 0)
        r = answer(s);
    if (r == CFOTA_CTL_E_RESET)
        s->connected = 0;
    if (r != 0 && r != CFOTA_CTL_E_HTTP)
        close_client(s);
    if (r == 0 && s->status != (sink == SINK_PACKAGE ? 206 : 200))
        r = ctl_end(ctl, CFOTA_CTL_E_HTTP, CFOTA_CTL_STEP_HTTP_GET);
    return r;
}

/* ---- the check answer ---- */

/* The value of key in the text in the chunk buffer (NUL-terminated),
 * copied into out (cap bytes). 1 if found. */
static int value(struct cfota_self *s, const char *key, char *out, size_t cap)
{
    const char *p = (const char *)s->ctl.chunk, *v;
    while (*p) {
        if ((v = ctl_after(p, key)) != NULL && *v == '=') {
            size_t n = 0;
            p = v + 1;
            while (p[n] && p[n] != '\n' && p[n] != '\r')
                n++;
            if (n >= cap)
                return 0;
            memcpy(out, p, n);
            out[n] = '\0';
            return 1;
        }
        while (*p && *p != '\n')
            p++;
        if (*p)
            p++;
    }
    return 0;
}

static int unhex(const char *h, uint8_t *out, size_t n)
{
    size_t i;
    for (i = 0; i < 2 * n; i++) {
        int d = cfota_at_hex_digit(h[i]);
        if (d < 0)
            return -1;
        out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | d : d << 4);
    }
    return h[2 * n] == '\0' ? 0 : -1;
}

/* Add a and b to the URL being composed (in the URL buffer, since
 * ctl->cmd is the command's); a pair that does not fit is left out. */
static void url_add(struct cfota_self *s, const char *a, const char *b)
{
    size_t n = strlen(s->url), la = strlen(a), lb = strlen(b);
    if (n + la + lb < sizeof s->url) {
        memcpy(s->url + n, a, la);
        memcpy(s->url + n + la, b, lb + 1);
    }
}

/* The path of a device request: base, then imei and tok. */
static void device_path(struct cfota_self *s, const char *base)
{
    s->url[0] = '\0';
    url_add(s, base, "?imei=");
    url_add(s, s->cfg->imei, "&tok=");
    url_add(s, s->cfg->token, "");
}

/* GET /d/v1/check. Returns 1 when a package is offered (s->size, id, url,
 * rep->from/to set), 0 for none, or an error. */
static int check(struct cfota_self *s)
{
    char num[12], idhex[65];
    uint32_t size = 0;
    int r;
    device_path(s, "/d/v1/check");
    url_add(s, "&ver=", s->cfg->version);
    if ((r = get(s, s->url, SINK_TEXT, 0, 0)) != 0)
        return r;
    s->ctl.chunk[s->fill] = '\0';
    if (!value(s, "status", num, sizeof num))
        return ctl_end(&s->ctl, CFOTA_CTL_E_LENGTH, CFOTA_CTL_STEP_HTTP_GET);
    if (!ctl_same(num, "update"))
        return 0;
    if (!value(s, "size", num, sizeof num) || !value(s, "package", idhex, sizeof idhex) ||
        unhex(idhex, s->id, 32) != 0 || !value(s, "to", s->rep->to, sizeof s->rep->to) ||
        !value(s, "url", s->url, sizeof s->url))
        return ctl_end(&s->ctl, CFOTA_CTL_E_LENGTH, CFOTA_CTL_STEP_HTTP_GET);
    if (cfota_at_field_uint(num, 0, &size) != 0 || size == 0)
        return ctl_end(&s->ctl, CFOTA_CTL_E_LENGTH, CFOTA_CTL_STEP_HTTP_GET);
    s->size = size;
    ctl_copy(s->rep->from, sizeof s->rep->from, s->cfg->version);
    return 1;
}

/* GET /d/v1/report; reason "" for none. */
static int report(struct cfota_self *s, int ok, const char *reason)
{
    device_path(s, "/d/v1/report");
    url_add(s, "&from=", s->rep->from);
    url_add(s, "&to=", s->rep->to);
    url_add(s, "&ver=", s->cfg->version);
    url_add(s, "&result=", ok ? "ok" : "fail");
    if (*reason)
        url_add(s, "&reason=", reason);
    return get(s, s->url, SINK_TEXT, 0, 0);
}

/* ---- the steps ---- */

/* Download every block not yet marked, a range at a time. */
static int download(struct cfota_self *s)
{
    uint32_t range = s->cfg->range_size ? s->cfg->range_size : CFOTA_SELF_RANGE;
    unsigned fails = 0, tries = s->cfg->tries ? s->cfg->tries : 4u;
    int32_t first = record_first_missing(s);
    if (first < 0)
        return CFOTA_SELF_ENGINE + CFOTA_E_IO;
    s->rep->resumed_at = (uint32_t)first * erase_size(s);
    while ((uint32_t)first < blocks_of(s, s->size)) {
        uint32_t start = (uint32_t)first * erase_size(s), end = start + range;
        int r;
        if (end > s->size)
            end = s->size;
        s->pos = start;
        r = get(s, s->url, SINK_PACKAGE, start, end - 1);
        s->rep->received += s->got;
        if (s->bad == 2)
            return CFOTA_SELF_ENGINE + CFOTA_E_IO;  /* flash: power or wear */
        if (r == 0 && (s->bad || s->pos != end))
            r = ctl_end(&s->ctl, CFOTA_CTL_E_LENGTH, CFOTA_CTL_STEP_HTTP_GET);
        if (r == CFOTA_CTL_E_IO || r == CFOTA_CTL_E_INVAL)
            return r;
        if (r == CFOTA_CTL_E_RESET || r == CFOTA_CTL_E_NO_MODULE || r == CFOTA_CTL_E_TIMEOUT) {
            /* The module rebooted or went quiet: wait until it answers
             * (its clients are gone), then go on from the record. */
            s->connected = 0;
            s->rep->module_resets += r == CFOTA_CTL_E_RESET;
            if (ctl_wait_ready(&s->ctl, ctl_boot_ms(&s->ctl)) != 0)
                return CFOTA_CTL_E_NO_MODULE;
            cfota_at_urc_clear(&s->ctl.at);
        }
        first = record_first_missing(s);
        if (first < 0)
            return CFOTA_SELF_ENGINE + CFOTA_E_IO;
        if (r != 0) {
            s->rep->retries++;
            if (s->pos > start)
                fails = 0;
            else if (++fails >= tries)
                return r;
        }
    }
    return 0;
}

/* Whether the journal's last update is the stored package's: its payload
 * CRC against the package header's. 1, 0, or CFOTA_E_IO. */
static int journal_is_ours(struct cfota_self *s, const struct cfota_update_info *info)
{
    struct cfota_header h;
    uint8_t *b = s->ctl.chunk;
    if (info->state != CFOTA_UPDATE_DONE && info->state != CFOTA_UPDATE_FAILED)
        return 0;
    if (cfota_area_read(&s->cfg->update.package, 0, b, CFOTA_HEADER_MAX) != CFOTA_OK)
        return CFOTA_E_IO;
    if (cfota_header_parse(&h, b, CFOTA_HEADER_MAX) != CFOTA_OK)
        return 0;
    return h.payload_crc32 == info->payload_crc32;
}

/* "engine:<n>" for engine status e (negative): the report's reason. */
static void engine_reason(int e, char out[20])
{
    char num[11], *d;
    num[10] = '\0';
    d = ctl_decimal(num + 10, (uint32_t)-e);
    memcpy(out, "engine:", 7);
    memcpy(out + 7, d, (size_t)(num + 11 - d));
}

/* Report the journal's outcome and drop the record. */
static int finish(struct cfota_self *s, const struct cfota_update_info *info)
{
    char reason[20] = "";
    int ok = info->state == CFOTA_UPDATE_DONE, r;
    if (!ok)
        engine_reason(info->result, reason);
    if ((r = report(s, ok, reason)) != 0)
        return r;
    close_client(s);
    if (cfota_area_erase(&s->cfg->record, 0) != CFOTA_OK)
        return CFOTA_SELF_ENGINE + CFOTA_E_IO;
    return CFOTA_SELF_REPORTED;
}

static int apply(struct cfota_self *s)
{
    int r = cfota_update_run(&s->upd, &s->cfg->update);
    close_client(s);
    return r == CFOTA_DONE ? CFOTA_SELF_REBOOT : CFOTA_SELF_ENGINE + r;
}

/* The package is stored whole: check it (nothing is erased before the
 * engine accepts it), then apply. A refusal is reported at once. */
static int install(struct cfota_self *s)
{
    int r = cfota_update_begin(&s->upd, &s->cfg->update);
    if (r == CFOTA_E_IO)
        return CFOTA_SELF_ENGINE + r;
    if (r != CFOTA_OK) {
        char reason[20];
        engine_reason(r, reason);
        (void)report(s, 0, reason);
        close_client(s);
        if (cfota_area_erase(&s->cfg->record, 0) != CFOTA_OK)
            return CFOTA_SELF_ENGINE + CFOTA_E_IO;
        return CFOTA_SELF_ENGINE + r;
    }
    return apply(s);
}

static int config_ok(const struct cfota_self_config *c)
{
    const struct cfota_area *pkg = &c->update.package, *rec = &c->record;
    uint32_t range = c->range_size ? c->range_size : CFOTA_SELF_RANGE;
    return c->ctl && c->server && c->imei && c->token && c->version && pkg->flash && rec->flash &&
           pkg->flash->erase_size % CHUNK == 0 && CHUNK % pkg->flash->prog_size == 0 &&
           rec->flash->prog_size <= MARK_MAX && REC_HEAD % rec->flash->prog_size == 0 &&
           range % pkg->flash->erase_size == 0 && c->update.buf && c->update.buf_size;
}

static int run(struct cfota_self *s)
{
    struct cfota_update_info info;
    int r, rec;
    if (cfota_update_status(&s->upd, &s->cfg->update, &info) != CFOTA_OK)
        return CFOTA_SELF_ENGINE + CFOTA_E_IO;
    if (info.state == CFOTA_UPDATE_PENDING)
        return apply(s);
    if ((rec = record_read(s)) < 0)
        return CFOTA_SELF_ENGINE + rec;
    if (rec && record_first_missing(s) == (int32_t)blocks_of(s, s->size)) {
        if ((r = journal_is_ours(s, &info)) < 0)
            return CFOTA_SELF_ENGINE + r;
        return r ? finish(s, &info) : install(s);
    }
    {
        uint8_t old_id[32];
        uint32_t old_size = s->size;
        memcpy(old_id, s->id, 32);
        if ((r = check(s)) < 0)
            return r;
        if (r == 0) {
            close_client(s);
            if (rec && cfota_area_erase(&s->cfg->record, 0) != CFOTA_OK)
                return CFOTA_SELF_ENGINE + CFOTA_E_IO;
            return CFOTA_SELF_NO_UPDATE;
        }
        if (s->size > s->cfg->update.package.size ||
            REC_HEAD + blocks_of(s, s->size) * mark_size(s) > s->cfg->record.size)
            return ctl_end(&s->ctl, CFOTA_CTL_E_TOO_BIG, CFOTA_CTL_STEP_NONE);
        s->rep->size = s->size;
        if (!rec || old_size != s->size || memcmp(old_id, s->id, 32) != 0) {
            if (record_start(s) != CFOTA_OK)
                return CFOTA_SELF_ENGINE + CFOTA_E_IO;
        }
    }
    if ((r = download(s)) != 0)
        return r;
    return install(s);
}

int cfota_self_run(struct cfota_self *s, const struct cfota_self_config *cfg,
                   struct cfota_self_report *rep)
{
    struct cfota_self_report local;
    int r;
    if (!s || !cfg || !config_ok(cfg))
        return CFOTA_CTL_E_INVAL;
    if (!rep)
        rep = &local;
    memset(s, 0, sizeof *s);
    memset(rep, 0, sizeof *rep);
    s->cfg = cfg;
    s->rep = rep;
    if (cfota_ctl_init(&s->ctl, cfg->ctl) != CFOTA_CTL_OK)
        return CFOTA_CTL_E_INVAL;
    ctl_begin(&s->ctl, &s->crep);
    cfota_at_set_hex(&s->ctl.at, "+CHTTPNMIC:", 4, on_body, s);
    r = run(s);
    close_client(s);
    rep->result = r;
    return r;
}
