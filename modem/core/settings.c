/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/settings.c: the settings the manual marks AUTO_SAVE: AT+IPR,
 * AT*MCGDEFCONT (AUTO_SAVE_REBOOT), AT+CBATCHK, AT+CSOSENDFLAG,
 * AT+CSORCVFLAG and AT+CHTTPPARA, our extension AT+CFOTASRV, and the
 * progress of an over-the-air download (ota.h). They survive a power cycle, so the
 * host (modem/runner.c) writes them to "<state>/settings" each time one
 * changes, as "key=value" lines, and passes them back at the next start.
 * A damaged or hand-edited file is never fatal: what cannot be read is
 * the factory value.
 */
#include "at_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void modem_settings_default(struct modem_settings *s)
{
    memset(s, 0, sizeof *s);
    s->ipr = 0; /* factory: auto-bauding [M102 p.44] */
    strcpy(s->pdp_type, "IP");
}

size_t modem_settings_format(const struct modem_settings *s, char *out, size_t cap)
{
    const struct modem_ota_saved *o = &s->ota;
    int n = snprintf(out, cap,
                     "ipr=%u\napn_set=%d\npdp_type=%s\napn=%s\nuser=%s\npwd=%s\n"
                     "fota_url=%s\nfota_token=%s\n"
                     "ota_state=%d\nota_package=%s\nota_md5=%s\nota_size=%u\nota_offset=%u\n"
                     "ota_from=%s\nota_to=%s\nota_reason=%s\n"
                     "cbatchk=%d\ncsosendflag=%d\ncsorcvflag=%d\nchttppara=%d\n",
                     (unsigned)s->ipr, s->apn_set, s->pdp_type, s->apn, s->user, s->pwd, s->fota_url,
                     s->fota_token, o->state, o->package, o->md5, (unsigned)o->size, (unsigned)o->offset,
                     o->from, o->to, o->reason, s->cbatchk, s->csosendflag, s->csorcvflag, s->chttppara);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    size_t i;
    if (n >= cap)
        return;
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static int parse_u32(const char *v, size_t n, uint32_t *out)
{
    char num[16];
    char *end;
    unsigned long x;
    if (n == 0 || n >= sizeof num || v[0] < '0' || v[0] > '9')
        return -1;
    memcpy(num, v, n);
    num[n] = 0;
    x = strtoul(num, &end, 10);
    if (*end || x > 0xFFFFFFFFul)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static int key_is(const char *line, size_t k, const char *key)
{
    return strlen(key) == k && !memcmp(line, key, k);
}

/* The FOTA server and the OTA progress; returns 1 if key was one of them. */
static int parse_ota(struct modem_settings *s, const char *line, size_t k, const char *v, size_t vn)
{
    struct modem_ota_saved *o = &s->ota;
    uint32_t x;

    if (key_is(line, k, "fota_url"))
        copy_value(s->fota_url, sizeof s->fota_url, v, vn);
    else if (key_is(line, k, "fota_token"))
        copy_value(s->fota_token, sizeof s->fota_token, v, vn);
    else if (key_is(line, k, "ota_state")) {
        if (parse_u32(v, vn, &x) == 0 && x <= OTA_FAILED)
            o->state = (int)x;
    } else if (key_is(line, k, "ota_package"))
        copy_value(o->package, sizeof o->package, v, vn);
    else if (key_is(line, k, "ota_md5"))
        copy_value(o->md5, sizeof o->md5, v, vn);
    else if (key_is(line, k, "ota_size"))
        parse_u32(v, vn, &o->size);
    else if (key_is(line, k, "ota_offset"))
        parse_u32(v, vn, &o->offset);
    else if (key_is(line, k, "ota_from"))
        copy_value(o->from, sizeof o->from, v, vn);
    else if (key_is(line, k, "ota_to"))
        copy_value(o->to, sizeof o->to, v, vn);
    else if (key_is(line, k, "ota_reason"))
        copy_value(o->reason, sizeof o->reason, v, vn);
    else
        return 0;
    return 1;
}

/* The 0/1 switches of the client families; returns 1 if key was one. */
static int parse_flag(struct modem_settings *s, const char *line, size_t k, const char *v, size_t vn)
{
    static const char *const keys[] = {"cbatchk", "csosendflag", "csorcvflag", "chttppara"};
    int *const fields[] = {&s->cbatchk, &s->csosendflag, &s->csorcvflag, &s->chttppara};
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (key_is(line, k, keys[i])) {
            if (vn == 1 && (v[0] == '0' || v[0] == '1'))
                *fields[i] = v[0] - '0';
            return 1;
        }
    }
    return 0;
}

static void parse_line(struct modem_settings *s, const char *line, size_t n)
{
    const char *eq = memchr(line, '=', n);
    size_t k, vn;
    const char *v;
    char num[16];

    if (!eq)
        return;
    k = (size_t)(eq - line);
    v = eq + 1;
    vn = n - k - 1;
    if (parse_ota(s, line, k, v, vn) || parse_flag(s, line, k, v, vn))
        return;
    if ((k == 3 && !memcmp(line, "ipr", 3)) || (k == 7 && !memcmp(line, "apn_set", 7))) {
        char *end;
        unsigned long x;
        if (vn == 0 || vn >= sizeof num)
            return;
        memcpy(num, v, vn);
        num[vn] = 0;
        x = strtoul(num, &end, 10);
        if (*end)
            return;
        if (k == 3)
            s->ipr = (uint32_t)x;
        else
            s->apn_set = x != 0;
    } else if (k == 8 && !memcmp(line, "pdp_type", 8)) {
        copy_value(s->pdp_type, sizeof s->pdp_type, v, vn);
    } else if (k == 3 && !memcmp(line, "apn", 3)) {
        copy_value(s->apn, sizeof s->apn, v, vn);
    } else if (k == 4 && !memcmp(line, "user", 4)) {
        copy_value(s->user, sizeof s->user, v, vn);
    } else if (k == 3 && !memcmp(line, "pwd", 3)) {
        copy_value(s->pwd, sizeof s->pwd, v, vn);
    }
}

void modem_settings_parse(struct modem_settings *s, const char *text, size_t len)
{
    size_t i = 0;
    modem_settings_default(s);
    while (i < len) {
        size_t start = i;
        while (i < len && text[i] != '\n')
            i++;
        parse_line(s, text + start, i - start);
        i++;
    }
    /* A progress record that does not hold together is forgotten: the
     * download then starts over, which is always safe. */
    if (s->ota.offset > s->ota.size)
        memset(&s->ota, 0, sizeof s->ota);
}

void modem_settings_changed(struct modem *m)
{
    if (m->cfg.io.save)
        m->cfg.io.save(m->cfg.io.ctx, &m->settings);
}

int modem_settings_set_flag(struct modem *m, const struct at_args *a, int *field)
{
    long v;
    if (a->n != 1 || at_arg_int(a, 0, 0, 1, &v) != 0) {
        at_log(m, "the value is 0 or 1");
        return CME_BAD_PARAM;
    }
    if (*field != (int)v) {
        *field = (int)v;
        modem_settings_changed(m);
    }
    return AT_OK;
}
