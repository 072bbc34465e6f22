/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/at_fields.c: the comma-separated fields of an answer line, e.g.
 * `+COPS: 0,0,"CHN-UNICOM",9` or `+CHTTPTOFSOK: 0,31047,31047`. Quotes are
 * honoured (a quoted field may hold commas) and removed.
 */
#include "cfota_ctl/at.h"

#include <string.h>

/* Start and length of field idx of s, or NULL if s has fewer fields. */
static const char *field(const char *s, unsigned idx, size_t *len)
{
    unsigned i;
    if (!s)
        return NULL;
    for (i = 0;; i++) {
        const char *start, *end;
        while (*s == ' ')
            s++;
        if (*s == '"') {
            start = ++s;
            while (*s && *s != '"')
                s++;
            end = s;
            while (*s && *s != ',')
                s++;
        } else {
            start = s;
            while (*s && *s != ',')
                s++;
            end = s;
            while (end > start && end[-1] == ' ')
                end--;
        }
        if (i == idx) {
            *len = (size_t)(end - start);
            return start;
        }
        if (*s != ',')
            return NULL;
        s++;
    }
}

int cfota_at_field_uint(const char *s, unsigned idx, uint32_t *out)
{
    size_t n, i;
    uint32_t v = 0;
    const char *f = field(s, idx, &n);
    if (!f || n == 0 || n > 10)
        return -1;
    for (i = 0; i < n; i++) {
        uint32_t d = (uint32_t)(f[i] - '0');
        if (f[i] < '0' || f[i] > '9' || v > (0xFFFFFFFFu - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int cfota_at_field_int(const char *s, unsigned idx, int32_t *out)
{
    size_t n, i;
    int32_t v = 0;
    int neg;
    const char *f = field(s, idx, &n);
    if (!f || n == 0)
        return -1;
    neg = f[0] == '-';
    i = (f[0] == '-' || f[0] == '+') ? 1 : 0;
    if (i == n || n - i > 9)
        return -1;
    for (; i < n; i++) {
        if (f[i] < '0' || f[i] > '9')
            return -1;
        v = v * 10 + (f[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

int cfota_at_field_str(const char *s, unsigned idx, char *out, size_t cap)
{
    size_t n;
    const char *f = field(s, idx, &n);
    if (!out || cap == 0)
        return -1;
    out[0] = '\0';
    if (!f || n >= cap)
        return -1;
    memcpy(out, f, n);
    out[n] = '\0';
    return (int)n;
}

int cfota_at_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
