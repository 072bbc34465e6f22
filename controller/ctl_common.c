/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_common.c: the pieces every flow of the controller uses (see
 * controller/ctl_internal.h): config defaults, the command-line composer (no
 * printf on the device side), running a command into the report, progress,
 * the probe and the few commands every update path sends.
 */
#include <string.h>

#include "ctl_internal.h"

/* Attempts of AT during the probe, each waiting this long. */
#define PROBE_MS 1000u

static uint32_t or_default(uint32_t v, uint32_t d)
{
    return v ? v : d;
}

uint32_t ctl_cmd_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->cmd_ms, 5000u); }
uint32_t ctl_radio_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->radio_ms, 15000u); }
uint32_t ctl_register_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->register_ms, 120000u); }
uint32_t ctl_download_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->download_ms, 1800000u); }
uint32_t ctl_http_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->http_ms, 600000u); }
uint32_t ctl_update_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->update_ms, 1200000u); }
uint32_t ctl_boot_ms(const struct cfota_ctl *ctl) { return or_default(ctl->cfg->boot_ms, 30000u); }

uint32_t ctl_now(const struct cfota_ctl *ctl)
{
    return ctl->cfg->at.now_ms(ctl->cfg->at.ctx);
}

int cfota_ctl_init(struct cfota_ctl *ctl, const struct cfota_ctl_config *cfg)
{
    if (!ctl || !cfg || cfg->chunk > CFOTA_CTL_CHUNK_MAX || cfg->cflw_timeout_s > 100)
        return CFOTA_CTL_E_INVAL;
    memset(ctl, 0, sizeof *ctl);
    if (cfota_at_init(&ctl->at, &cfg->at) != CFOTA_CTL_OK)
        return CFOTA_CTL_E_INVAL;
    ctl->cfg = cfg;
    return CFOTA_CTL_OK;
}

struct cfota_at *cfota_ctl_at(struct cfota_ctl *ctl)
{
    return &ctl->at;
}

/* ---- composing a command line ---- */

void ctl_cmd_addn(struct cfota_ctl *ctl, const char *s, size_t n)
{
    if (ctl->cmd_len + n + 1 > sizeof ctl->cmd) {
        ctl->cmd_bad = 1;
        return;
    }
    memcpy(ctl->cmd + ctl->cmd_len, s, n);
    ctl->cmd_len = (uint16_t)(ctl->cmd_len + n);
    ctl->cmd[ctl->cmd_len] = '\0';
}

void ctl_cmd_add(struct cfota_ctl *ctl, const char *s)
{
    ctl_cmd_addn(ctl, s, strlen(s));
}

void ctl_cmd_begin(struct cfota_ctl *ctl, const char *s)
{
    ctl->cmd_len = 0;
    ctl->cmd_bad = 0;
    ctl->cmd[0] = '\0';
    ctl_cmd_add(ctl, s);
}

char *ctl_decimal(char *end, uint32_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void ctl_cmd_uint(struct cfota_ctl *ctl, uint32_t v)
{
    char d[10], *p = ctl_decimal(d + sizeof d, v);
    ctl_cmd_addn(ctl, p, (size_t)(d + sizeof d - p));
}

/* AT strings have no escapes: a quote inside cannot be sent. */
void ctl_cmd_quoted(struct cfota_ctl *ctl, const char *s)
{
    const char *p;
    for (p = s; *p; p++)
        if (*p == '"' || *p == '\r' || *p == '\n')
            ctl->cmd_bad = 1;
    ctl_cmd_add(ctl, "\"");
    ctl_cmd_add(ctl, s);
    ctl_cmd_add(ctl, "\"");
}

/* ---- the report ---- */

void ctl_begin(struct cfota_ctl *ctl, struct cfota_ctl_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->cme = -1;
    ctl->rep = rep;
}

int ctl_end(struct cfota_ctl *ctl, int result, int step)
{
    ctl->rep->result = result;
    if (step != CFOTA_CTL_STEP_NONE)
        ctl->rep->step = (uint8_t)step;
    return result;
}

int ctl_step(struct cfota_ctl *ctl, int step, uint32_t done, uint32_t total)
{
    ctl->rep->step = (uint8_t)step;
    if (ctl->cfg->progress && ctl->cfg->progress(ctl->cfg->progress_ctx, step, done, total))
        return CFOTA_CTL_E_CANCELLED;
    return 0;
}

int ctl_run(struct cfota_ctl *ctl, const char *cmd, const char *expect, uint32_t ms, int step)
{
    int r;
    if (!cmd) {
        if (ctl->cmd_bad)
            return ctl_end(ctl, CFOTA_CTL_E_INVAL, step);
        cmd = ctl->cmd;
    }
    r = cfota_at_cmd(&ctl->at, cmd, expect, ms);
    if (r == CFOTA_CTL_OK)
        return 0;
    ctl->rep->at_status = (int8_t)r;
    if (r == CFOTA_CTL_E_CME)
        ctl->rep->cme = cfota_at_cme(&ctl->at);
    return ctl_end(ctl, r, step);
}

/* ---- commands of every update path ---- */

static int settle(struct cfota_ctl *ctl)
{
    /* Echo off keeps the line clean; numeric errors give report.cme. Both
     * are reset by every module reset, so they are sent after each. A
     * module that refuses them still works: their failure is ignored. */
    (void)cfota_at_cmd(&ctl->at, "ATE0", NULL, ctl_cmd_ms(ctl));
    (void)cfota_at_cmd(&ctl->at, "AT+CMEE=1", NULL, ctl_cmd_ms(ctl));
    return 0;
}

int ctl_probe(struct cfota_ctl *ctl)
{
    unsigned tries = ctl->cfg->probe_tries ? ctl->cfg->probe_tries : 5u, i;
    int r = CFOTA_CTL_E_TIMEOUT;
    if (ctl_step(ctl, CFOTA_CTL_STEP_PROBE, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_PROBE);
    for (i = 0; i < tries; i++) {
        r = cfota_at_cmd(&ctl->at, "AT", NULL, PROBE_MS);
        if (r == CFOTA_CTL_OK)
            return settle(ctl);
        if (r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, CFOTA_CTL_E_IO, CFOTA_CTL_STEP_PROBE);
    }
    ctl->rep->at_status = (int8_t)r;
    return ctl_end(ctl, CFOTA_CTL_E_NO_MODULE, CFOTA_CTL_STEP_PROBE);
}

int ctl_wait_ready(struct cfota_ctl *ctl, uint32_t ms)
{
    uint32_t start = ctl_now(ctl);
    int r;
    do {
        r = cfota_at_cmd(&ctl->at, "AT", NULL, PROBE_MS);
        if (r == CFOTA_CTL_OK)
            return settle(ctl);
        if (r == CFOTA_CTL_E_IO)
            return ctl_end(ctl, CFOTA_CTL_E_IO, CFOTA_CTL_STEP_REBOOT);
    } while (ctl_now(ctl) - start < ms);
    ctl->rep->at_status = (int8_t)r;
    return ctl_end(ctl, CFOTA_CTL_E_NO_MODULE, CFOTA_CTL_STEP_REBOOT);
}

int ctl_baud(struct cfota_ctl *ctl)
{
    uint32_t baud = ctl->cfg->baud ? ctl->cfg->baud : 115200u;
    if (baud == CFOTA_CTL_NO_BAUD)
        return 0;
    if (ctl_step(ctl, CFOTA_CTL_STEP_BAUD, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_BAUD);
    ctl_cmd_begin(ctl, "AT+IPR=");
    ctl_cmd_uint(ctl, baud);
    return ctl_run(ctl, NULL, NULL, ctl_cmd_ms(ctl), CFOTA_CTL_STEP_BAUD);
}

int ctl_version(struct cfota_ctl *ctl, char *out, int step)
{
    unsigned i;
    int r;
    const char *v;
    out[0] = '\0';
    if (ctl_step(ctl, step, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, step);
    r = ctl_run(ctl, "AT+CGMR", NULL, ctl_cmd_ms(ctl), step);
    if (r)
        return r;
    /* The answer has no prefix, so noise inside it (bytes the channel made
     * '?') could come first: take the first line without '?'. */
    for (i = 0; (v = cfota_at_line(&ctl->at, i)) != NULL; i++)
        if (!strchr(v, '?'))
            break;
    if (v) {
        /* Some firmware prefixes the answer ("+CGMR: ..."); keep the value. */
        const char *value = ctl_after(v, "+CGMR:");
        if (value)
            for (v = value; *v == ' '; v++) {
            }
        ctl_copy(out, CFOTA_CTL_VERSION_MAX, v);
    }
    return 0;
}

int ctl_forget(struct cfota_ctl *ctl)
{
    if (cfota_at_drain(&ctl->at) != CFOTA_CTL_OK)
        return CFOTA_CTL_E_IO;
    cfota_at_urc_clear(&ctl->at);
    return 0;
}

int ctl_is_md5(const char *s)
{
    unsigned i;
    if (!s)
        return 0;
    for (i = 0; i < 32; i++)
        if (cfota_at_hex_digit(s[i]) < 0)
            return 0;
    return s[32] == '\0';
}

int ctl_trigger_local(struct cfota_ctl *ctl, uint32_t len, const char *md5_hex)
{
    int r;
    unsigned i;
    for (i = 0; i < 32; i++) {
        char c = md5_hex[i];
        ctl->rep->md5[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
    }
    ctl->rep->md5[32] = '\0';
    if (ctl_step(ctl, CFOTA_CTL_STEP_TRIGGER, 0, 0))
        return ctl_end(ctl, CFOTA_CTL_E_CANCELLED, CFOTA_CTL_STEP_TRIGGER);
    if ((r = ctl_forget(ctl)) != 0)
        return ctl_end(ctl, r, CFOTA_CTL_STEP_TRIGGER);
    ctl_cmd_begin(ctl, "AT+CFOTA=5,");
    ctl_cmd_uint(ctl, len);
    ctl_cmd_add(ctl, ",");
    ctl_cmd_add(ctl, ctl->rep->md5);
    r = ctl_run(ctl, NULL, NULL, ctl_radio_ms(ctl), CFOTA_CTL_STEP_TRIGGER);
    if (r == CFOTA_CTL_E_ERROR || r == CFOTA_CTL_E_CME)
        return ctl_end(ctl, CFOTA_CTL_E_REJECTED, CFOTA_CTL_STEP_TRIGGER);
    /* A reset right after the command means the update started and the OK
     * was lost; the reset URC is queued for ctl_follow. */
    if (r == CFOTA_CTL_E_RESET) {
        ctl->rep->at_status = 0;
        return 0;
    }
    return r;
}

int cfota_ctl_report_result(struct cfota_ctl *ctl)
{
    return cfota_at_cmd(&ctl->at, "AT+CFOTA=4", NULL, ctl_radio_ms(ctl));
}

const char *ctl_after(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return NULL;
    return s;
}

int ctl_active_context(struct cfota_ctl *ctl, uint32_t *cid)
{
    unsigned i;
    for (i = 0; i < cfota_at_nlines(&ctl->at); i++) {
        const char *s = ctl_after(cfota_at_line(&ctl->at, i), "+CGACT:");
        uint32_t id, state;
        if (s && cfota_at_field_uint(s, 0, &id) == 0 && cfota_at_field_uint(s, 1, &state) == 0 &&
            state == 1) {
            if (cid)
                *cid = id;
            return 1;
        }
    }
    return 0;
}

int ctl_same(const char *a, const char *b)
{
    return strlen(a) == strlen(b) && memcmp(a, b, strlen(a)) == 0;
}

void ctl_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}
