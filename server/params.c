/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/params.c: validation of request values (see params.h).
 *
 * The alphabets are deliberately small: they are what a module can put in
 * a query string without percent-encoding, what a package header can hold,
 * and what can be echoed into JSON or a text answer without escaping.
 */
#include "params.h"

#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_version_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-'; }
static int is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static int all_of(const char *s, size_t min, size_t max, int (*ok)(char))
{
    size_t n = strlen(s), i;
    if (n < min || n > max)
        return 0;
    for (i = 0; i < n; i++)
        if (!ok(s[i]))
            return 0;
    return 1;
}

int param_imei(const char *s) { return all_of(s, 15, 15, is_digit); }

int param_version(const char *s)
{
    return all_of(s, 1, PARAM_VERSION_MAX, is_version_char) && is_alnum(s[0]);
}

int param_group(const char *s) { return param_version(s); }
int param_product(const char *s) { return param_version(s); }
int param_token(const char *s) { return all_of(s, 32, 32, is_lower_hex); }
int param_sha256(const char *s) { return all_of(s, 64, 64, is_lower_hex); }

static int is_reason_char(char c) { return is_version_char(c) || c == ':'; }
int param_reason(const char *s) { return all_of(s, 0, PARAM_REASON_MAX, is_reason_char); }

int param_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v = 0;
    size_t n = strlen(s), i;
    if (n == 0 || n > 12)
        return 0;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}
