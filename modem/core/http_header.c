/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/http_header.c: reading a field of the response header text that
 * the host hands the core (modem_http.h), for both HTTP clients of the module:
 * Content-Length for AT+CHTTPTOFS (cmd_http.c) and Content-Range for the
 * resumed OTA download (ota.c).
 */
#include "at_command.h"

const char *http_header_value(const char *h, size_t len, const char *name, const char **end)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i, k = 0;
        while (e < len && h[e] != '\n')
            e++;
        /* Field names are case-insensitive (RFC 9110); name is lower case. */
        while (name[k] && i + k < e) {
            char c = h[i + k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != name[k])
                break;
            k++;
        }
        if (!name[k]) {
            const char *v = h + i + k;
            while (v < h + e && *v == ' ')
                v++;
            *end = h + e;
            return v;
        }
        i = e + 1;
    }
    return NULL;
}

int http_parse_u32(const char *p, const char *end, uint32_t *out, const char **after)
{
    unsigned long long v = 0;
    unsigned digits = 0;
    while (p < end && *p >= '0' && *p <= '9' && digits < 11) {
        v = v * 10 + (unsigned)(*p++ - '0');
        digits++;
    }
    if (digits == 0 || v > 0xFFFFFFFFull)
        return -1;
    *out = (uint32_t)v;
    if (after)
        *after = p;
    return 0;
}
