/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/at_channel.c: the AT channel: framing, sorting lines, one command at
 * a time, the data prompt, the URC queue (cfota/at.h explains the model).
 *
 * Everything the module sends goes through feed(), byte by byte, whatever
 * the caller is waiting for; on_line() then sorts each complete line. So a
 * URC is queued the same way whether it arrives in the middle of a
 * command's answer, while the channel waits for the `>` prompt, or while
 * nothing is pending; waiting for one thing never loses another. The wait
 * loop (run()) only reads and feeds until its condition holds or its time
 * is up, with the integrator's clock; it never sleeps by itself.
 */
#include "cfota_ctl/at.h"

#include <string.h>

#include "at_codes.h"

enum { ST_IDLE, ST_FINAL, ST_PROMPT };
enum { UNTIL_FINAL, UNTIL_PROMPT, UNTIL_URC };

/* Marks "no final result yet"; every real status is <= 0. */
#define NO_FINAL 1
/* Bytes read from the link at a time (stack). */
#define RX_CHUNK 32
/* Reads of already-waiting input before a command, at most (so a line
 * that never stops sending garbage cannot hold the caller forever). */
#define DRAIN_READS 64

static void log_it(struct cfota_at *at, int what, const char *s, size_t n)
{
    if (at->cfg->log)
        at->cfg->log(at->cfg->ctx, what, s, n);
}

static int pending(const struct cfota_at *at)
{
    return at->state != ST_IDLE && at->final == NO_FINAL;
}

/* The echo of the command line (the module echoes with ATE1). */
static int is_echo(const char *s, size_t n)
{
    return n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'T' || s[1] == 't');
}

static void queue_urc(struct cfota_at *at, const struct cfota_at_urc_def *def,
                      const char *s, size_t n, int cut)
{
    struct cfota_at_urc *u;
    if (at->urc_count == CFOTA_AT_URC_SLOTS) {  /* drop the oldest */
        at->urc_head = (uint8_t)((at->urc_head + 1) % CFOTA_AT_URC_SLOTS);
        at->urc_count--;
        at->lost++;
    }
    u = &at->urc[(at->urc_head + at->urc_count) % CFOTA_AT_URC_SLOTS];
    if (n > CFOTA_AT_URC_LEN - 1) {
        n = CFOTA_AT_URC_LEN - 1;
        cut = 1;
    }
    memcpy(u->text, s, n);
    u->text[n] = '\0';
    u->kind = def->kind;
    u->flags = def->flags;
    u->cut = (uint8_t)(cut != 0);
    if (at->cfg->on_urc)
        at->cfg->on_urc(at->cfg->ctx, u);
    at->urc_count++;
}

static void keep_info(struct cfota_at *at, const char *s, size_t n)
{
    if (at->resp_len + n + 1 > CFOTA_AT_RESP_MAX || at->nlines == 255) {
        at->lost++;
        log_it(at, CFOTA_AT_LOG_DROP, s, n);
        return;
    }
    memcpy(at->resp + at->resp_len, s, n);
    at->resp[at->resp_len + n] = '\0';
    at->resp_len = (uint16_t)(at->resp_len + n + 1);
    at->nlines++;
    log_it(at, CFOTA_AT_LOG_RX, s, n);
}

/* Sort the line in at->line (see cfota/at.h for the order of the tests). */
static void on_line(struct cfota_at *at)
{
    char *s = at->line;
    size_t n = at->line_len;
    int cut = at->line_cut, status;
    int32_t cme = 0;
    const struct cfota_at_urc_def *def;

    while (n && *s == ' ') {
        s++;
        n--;
    }
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return;
    s[n] = '\0';
    if (pending(at)) {
        if (!cut && is_echo(s, n)) {
            log_it(at, CFOTA_AT_LOG_DROP, s, n);
            return;
        }
        if (!cut && cfota_at_final_code(s, n, &status, &cme)) {
            at->final = (int8_t)status;
            at->cme = cme;
            log_it(at, CFOTA_AT_LOG_RX, s, n);
            return;
        }
        if (at->expect && cfota_at_has_prefix(s, n, at->expect)) {
            keep_info(at, s, n);
            return;
        }
    }
    def = cfota_at_urc_lookup(at->cfg->urcs ? at->cfg->urcs : cfota_at_urcs_default,
                              at->cfg->urcs ? at->cfg->n_urcs : cfota_at_urcs_default_count, s, n);
    if (def) {
        log_it(at, CFOTA_AT_LOG_URC, s, n);
        queue_urc(at, def, s, n, cut);
        if (pending(at) && (def->flags & CFOTA_URC_F_RESET))
            at->final = CFOTA_CTL_E_RESET;
        return;
    }
    if (pending(at)) {
        keep_info(at, s, n);
        return;
    }
    at->stray++;
    log_it(at, CFOTA_AT_LOG_DROP, s, n);
}

/* The prompt is a '>' with nothing but spaces before it on its line. */
static int at_line_start(const struct cfota_at *at)
{
    uint16_t i;
    for (i = 0; i < at->line_len; i++)
        if (at->line[i] != ' ')
            return 0;
    return 1;
}

/* Whether the line so far is a hex data line past its last field. */
static int in_hex(const struct cfota_at *at)
{
    return at->hex_fn && at->hex_commas == at->hex_fields && at->hex_fields > 0;
}

/* Count the fields of a line that starts with the hex prefix. */
static void hex_track(struct cfota_at *at, char c)
{
    size_t plen;
    if (!at->hex_fn || c != ',' || at->line_cut)
        return;
    plen = strlen(at->hex_prefix);
    if (at->line_len >= plen && memcmp(at->line, at->hex_prefix, plen) == 0)
        at->hex_commas++;
}

/* One character of a hex line's data; out collects decoded bytes. */
static void hex_char(struct cfota_at *at, char c, uint8_t *out, size_t *n_out)
{
    int d = cfota_at_hex_digit(c);
    if (d < 0 || at->hex_bad) {
        at->hex_bad = 1;
        return;
    }
    if (!(at->hex_nib & 0x80u)) {
        at->hex_nib = (uint8_t)(0x80u | d);
        return;
    }
    out[(*n_out)++] = (uint8_t)(((at->hex_nib & 0x0Fu) << 4) | (unsigned)d);
    at->hex_nib = 0;
    at->hex_bytes++;
    if (*n_out == 16) {
        at->hex_fn(at->hex_ctx, out, *n_out, 0);
        *n_out = 0;
    }
}

/* The end of a hex line: the last bytes, then the verdict. */
static void hex_end(struct cfota_at *at, uint8_t *out, size_t *n_out)
{
    if (*n_out)
        at->hex_fn(at->hex_ctx, out, *n_out, 0);
    *n_out = 0;
    at->hex_fn(at->hex_ctx, NULL, at->hex_bytes, at->hex_bad || (at->hex_nib & 0x80u) ? -1 : 1);
}

void cfota_at_set_hex(struct cfota_at *at, const char *prefix, unsigned fields,
                      void (*fn)(void *ctx, const uint8_t *bytes, size_t n, int end), void *ctx)
{
    at->hex_fn = prefix ? fn : NULL;
    at->hex_prefix = prefix;
    at->hex_ctx = ctx;
    at->hex_fields = (uint8_t)(fields > 255 ? 255 : fields);
    at->hex_commas = at->hex_nib = at->hex_bad = 0;
    at->hex_bytes = 0;
}

static void feed(struct cfota_at *at, const uint8_t *b, size_t n)
{
    uint8_t out[16];
    size_t i, n_out = 0;
    for (i = 0; i < n; i++) {
        char c = (char)b[i];
        if (c == '\r' || c == '\n') {
            if (in_hex(at))
                hex_end(at, out, &n_out);
            at->hex_commas = at->hex_nib = at->hex_bad = 0;
            at->hex_bytes = 0;
            if (at->line_len || at->line_cut)
                on_line(at);
            at->line_len = 0;
            at->line_cut = 0;
            continue;
        }
        if (c == '>' && at->state == ST_PROMPT && pending(at) && !at->prompt && !at->line_cut &&
            at_line_start(at)) {
            at->prompt = 1;
            at->line_len = 0;
            continue;
        }
        if (in_hex(at)) {
            hex_char(at, c, out, &n_out);
            continue;
        }
        if (b[i] < 0x20 || b[i] > 0x7e)
            c = '?';
        hex_track(at, c);
        if (at->line_len < CFOTA_AT_LINE_MAX)
            at->line[at->line_len++] = c;
        else
            at->line_cut = 1;
    }
    if (n_out)
        at->hex_fn(at->hex_ctx, out, n_out, 0);
}

static int done(const struct cfota_at *at, int until)
{
    switch (until) {
    case UNTIL_FINAL: return at->final != NO_FINAL;
    case UNTIL_PROMPT: return at->final != NO_FINAL || at->prompt;
    default: return at->urc_count > 0;
    }
}

/* Read and feed until the condition holds or timeout_ms has passed. */
static int run(struct cfota_at *at, uint32_t timeout_ms, int until)
{
    const struct cfota_at_config *c = at->cfg;
    uint32_t start = c->now_ms(c->ctx);
    uint8_t buf[RX_CHUNK];
    for (;;) {
        uint32_t elapsed, left;
        int r;
        if (done(at, until))
            return CFOTA_CTL_OK;
        elapsed = c->now_ms(c->ctx) - start;
        left = elapsed >= timeout_ms ? 0 : timeout_ms - elapsed;
        r = c->read(c->ctx, buf, sizeof buf, left);
        if (r < 0)
            return CFOTA_CTL_E_IO;
        if (r > (int)sizeof buf)
            r = (int)sizeof buf;
        feed(at, buf, (size_t)r);
        if (left == 0)
            return done(at, until) ? CFOTA_CTL_OK : CFOTA_CTL_E_TIMEOUT;
    }
}

/* Sort what is already waiting, so its URCs are queued and its stray
 * lines are not taken for the answer of the next command. */
int cfota_at_drain(struct cfota_at *at)
{
    uint8_t buf[RX_CHUNK];
    unsigned i;
    for (i = 0; i < DRAIN_READS; i++) {
        int r = at->cfg->read(at->cfg->ctx, buf, sizeof buf, 0);
        if (r < 0)
            return CFOTA_CTL_E_IO;
        if (r == 0)
            break;
        feed(at, buf, (size_t)(r > (int)sizeof buf ? (int)sizeof buf : r));
    }
    return CFOTA_CTL_OK;
}

static int send(struct cfota_at *at, const char *cmd, const char *expect, int state)
{
    size_t n, i;
    int r;
    if (!at || !at->cfg || !cmd)
        return CFOTA_CTL_E_INVAL;
    n = strlen(cmd);
    if (n == 0)
        return CFOTA_CTL_E_INVAL;
    for (i = 0; i < n; i++)
        if (cmd[i] == '\r' || cmd[i] == '\n')
            return CFOTA_CTL_E_INVAL;
    at->state = ST_IDLE;
    r = cfota_at_drain(at);
    if (r)
        return r;
    at->state = (uint8_t)state;
    at->expect = expect;
    at->final = NO_FINAL;
    at->prompt = 0;
    at->cme = 0;
    at->nlines = 0;
    at->resp_len = 0;
    log_it(at, CFOTA_AT_LOG_TX, cmd, n);
    if (at->cfg->write(at->cfg->ctx, cmd, n) < 0 || at->cfg->write(at->cfg->ctx, "\r", 1) < 0) {
        at->state = ST_IDLE;
        return CFOTA_CTL_E_IO;
    }
    return CFOTA_CTL_OK;
}

static int finish(struct cfota_at *at, int r)
{
    at->state = ST_IDLE;
    if (r)
        return r;
    return at->final;
}

int cfota_at_init(struct cfota_at *at, const struct cfota_at_config *cfg)
{
    if (!at || !cfg || !cfg->write || !cfg->read || !cfg->now_ms)
        return CFOTA_CTL_E_INVAL;
    memset(at, 0, sizeof *at);
    at->cfg = cfg;
    at->final = NO_FINAL;
    return CFOTA_CTL_OK;
}

int cfota_at_cmd(struct cfota_at *at, const char *cmd, const char *expect, uint32_t timeout_ms)
{
    int r = send(at, cmd, expect, ST_FINAL);
    if (r)
        return r;
    return finish(at, run(at, timeout_ms, UNTIL_FINAL));
}

int cfota_at_cmd_data(struct cfota_at *at, const char *cmd, const void *data, size_t len,
                      uint32_t prompt_ms, uint32_t final_ms)
{
    int r;
    if (!data && len)
        return CFOTA_CTL_E_INVAL;
    r = send(at, cmd, NULL, ST_PROMPT);
    if (r)
        return r;
    r = run(at, prompt_ms, UNTIL_PROMPT);
    if (r || at->final != NO_FINAL) {
        /* An OK without a prompt means no data was taken: not a success. */
        if (!r && at->final == CFOTA_CTL_OK)
            at->final = CFOTA_CTL_E_ERROR;
        return finish(at, r);
    }
    at->state = ST_FINAL;
    log_it(at, CFOTA_AT_LOG_DATA, NULL, len);
    if (len && at->cfg->write(at->cfg->ctx, data, len) < 0)
        return finish(at, CFOTA_CTL_E_IO);
    return finish(at, run(at, final_ms, UNTIL_FINAL));
}

int cfota_at_poll(struct cfota_at *at, uint32_t timeout_ms)
{
    int r;
    if (!at || !at->cfg)
        return CFOTA_CTL_E_INVAL;
    r = run(at, timeout_ms, UNTIL_URC);
    if (r == CFOTA_CTL_E_IO)
        return r;
    return at->urc_count;
}

int cfota_at_urc_pop(struct cfota_at *at, struct cfota_at_urc *out)
{
    if (!at || at->urc_count == 0)
        return 0;
    if (out)
        *out = at->urc[at->urc_head];
    at->urc_head = (uint8_t)((at->urc_head + 1) % CFOTA_AT_URC_SLOTS);
    at->urc_count--;
    return 1;
}

int cfota_at_wait_urc(struct cfota_at *at, struct cfota_at_urc *out, uint32_t timeout_ms)
{
    int r = cfota_at_poll(at, timeout_ms);
    if (r < 0)
        return r;
    return cfota_at_urc_pop(at, out) ? CFOTA_CTL_OK : CFOTA_CTL_E_TIMEOUT;
}

void cfota_at_urc_clear(struct cfota_at *at)
{
    at->urc_head = 0;
    at->urc_count = 0;
}

unsigned cfota_at_nlines(const struct cfota_at *at)
{
    return at->nlines;
}

const char *cfota_at_line(const struct cfota_at *at, unsigned i)
{
    const char *p = at->resp;
    if (i >= at->nlines)
        return NULL;
    while (i--)
        p += strlen(p) + 1;
    return p;
}

const char *cfota_at_find(const struct cfota_at *at, const char *prefix)
{
    unsigned i;
    for (i = 0; i < at->nlines; i++) {
        const char *s = cfota_at_line(at, i);
        if (cfota_at_has_prefix(s, strlen(s), prefix)) {
            s += strlen(prefix);
            while (*s == ' ')
                s++;
            return s;
        }
    }
    return NULL;
}

int32_t cfota_at_cme(const struct cfota_at *at)
{
    return at->cme;
}

unsigned cfota_at_stray(const struct cfota_at *at)
{
    return at->stray;
}

unsigned cfota_at_lost(const struct cfota_at *at)
{
    return at->lost;
}
