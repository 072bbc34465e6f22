/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/json.c: JSON text output (see json.h).
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void json_printf(struct bytes *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        bytes_put(b, small, (size_t)n);
        return;
    }
    {
        char *big = xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        bytes_put(b, big, (size_t)n);
        free(big);
    }
}

void json_string(struct bytes *b, const char *s)
{
    bytes_byte(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            bytes_byte(b, '\\');
            bytes_byte(b, c);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            bytes_put(b, esc, 6);
        } else {
            bytes_byte(b, c);
        }
    }
    bytes_byte(b, '"');
}

void json_finish(struct bytes *b)
{
    bytes_byte(b, 0);
    b->n--;
}
