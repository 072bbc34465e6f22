/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/at_codes.c: the tables that give lines their meaning: the final
 * result codes, the verbose +CME ERROR texts, and the default URC table.
 *
 * The strings are the exact ones of the AT Command Manual V1.02 and the
 * FOTA Application Note (shared/spec/sim7020-at.md). Verbose error texts
 * (AT+CMEE=2) are mapped back to their numbers, so a flow sees the same
 * code whatever AT+CMEE mode the module is in; ERROR alone (AT+CMEE=0)
 * stays CFOTA_CTL_E_ERROR.
 */
#include "at_codes.h"

#include <string.h>

const struct cfota_at_urc_def cfota_at_urcs_default[] = {
    {"+CFOTA:", CFOTA_URC_CFOTA, 0},
    {"*MATREADY", CFOTA_URC_BOOT, CFOTA_URC_F_RESET},
    {"RDY", CFOTA_URC_BOOT, CFOTA_URC_F_RESET},
    {"+CFUN:", CFOTA_URC_CFUN, CFOTA_URC_F_RESET},
    {"+CPIN:", CFOTA_URC_CPIN, 0},
    {"+CGREG:", CFOTA_URC_REG, 0},
    {"+CEREG:", CFOTA_URC_REG, 0},
    {"+CHTTPNMIH:", CFOTA_URC_HTTP_HEADER, 0},
    {"+CHTTPNMIC:", CFOTA_URC_HTTP_CONTENT, 0},
    {"+CHTTPTOFSOK:", CFOTA_URC_HTTP_DONE, 0},
    {"+CHTTPTOFS:", CFOTA_URC_HTTP_PROGRESS, 0},
    {"+CHTTPERR:", CFOTA_URC_HTTP_ERROR, 0},
    {"SMS Ready", CFOTA_URC_OTHER, 0},
};
const size_t cfota_at_urcs_default_count =
    sizeof cfota_at_urcs_default / sizeof cfota_at_urcs_default[0];

/* The verbose texts of the codes the manual's table lists (§19.1). */
static const struct {
    int16_t code;
    const char *text;
} cme_texts[] = {
    {3, "operation not allowed"},   {4, "operation not supported"},
    {10, "SIM not inserted"},       {11, "SIM PIN required"},
    {12, "SIM PUK required"},       {13, "SIM failure"},
    {14, "SIM busy"},               {16, "incorrect password"},
    {30, "no network service"},     {50, "Incorrect Parameters"},
    {100, "Unknown"},               {767, "operation failed"},
};

int cfota_at_has_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return k <= n && memcmp(s, p, k) == 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int cfota_at_same_text(const char *s, size_t n, const char *t)
{
    size_t i;
    if (strlen(t) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)t[i]))
            return 0;
    return 1;
}

/* The code after "+CME ERROR:": digits, or a known text, else -1. */
static int32_t cme_code(const char *s, size_t n)
{
    size_t i;
    int32_t v = 0;
    while (n && *s == ' ') {
        s++;
        n--;
    }
    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9' && i < 9; i++)
        v = v * 10 + (s[i] - '0');
    if (i > 0 && i == n)
        return v;
    for (i = 0; i < sizeof cme_texts / sizeof cme_texts[0]; i++)
        if (cfota_at_same_text(s, n, cme_texts[i].text))
            return cme_texts[i].code;
    return -1;
}

int cfota_at_final_code(const char *s, size_t n, int *status, int32_t *cme)
{
    if (n == 2 && memcmp(s, "OK", 2) == 0) {
        *status = CFOTA_CTL_OK;
        return 1;
    }
    if (n == 5 && memcmp(s, "ERROR", 5) == 0) {
        *status = CFOTA_CTL_E_ERROR;
        return 1;
    }
    /* "+CME ERROR:" and "+CMS ERROR:", both 11 characters. */
    if (cfota_at_has_prefix(s, n, "+CME ERROR:") || cfota_at_has_prefix(s, n, "+CMS ERROR:")) {
        *status = CFOTA_CTL_E_CME;
        *cme = cme_code(s + 11, n - 11);
        return 1;
    }
    return 0;
}

const struct cfota_at_urc_def *cfota_at_urc_lookup(const struct cfota_at_urc_def *defs,
                                                   size_t n_defs, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n_defs; i++)
        if (defs[i].prefix && cfota_at_has_prefix(s, n, defs[i].prefix))
            return &defs[i];
    return NULL;
}
