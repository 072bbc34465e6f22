/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/at_args.c: the arguments of a write form, AT+X=<a>,<b>,...
 *
 * The module's syntax is V.25ter's: arguments separated by commas, strings
 * in double quotes (no escapes; a quote cannot appear inside one), numbers
 * in decimal. The AN itself writes `AT*MCGDEFCONT="IP", "3GNET"` with a
 * space after the comma, so spaces around arguments are dropped. The
 * parser never copies: each argument points into the command line, and
 * every check of a value (range, length, allowed bytes) happens when a
 * handler asks for it, so that a malformed argument becomes the
 * command's "+CME ERROR: 50".
 */
#include "at_command.h"

#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

int at_args_parse(struct at_args *a, const char *s, size_t len)
{
    size_t i = 0;

    a->n = 0;
    for (;;) {
        struct at_arg *arg;
        if (a->n == AT_ARGS_MAX)
            return -1;
        arg = &a->v[a->n++];
        while (i < len && is_space(s[i]))
            i++;
        if (i < len && s[i] == '"') {
            size_t start = ++i;
            while (i < len && s[i] != '"')
                i++;
            if (i == len)
                return -1; /* unterminated string */
            arg->p = s + start;
            arg->len = i - start;
            arg->quoted = 1;
            i++;
            while (i < len && is_space(s[i]))
                i++;
            if (i < len && s[i] != ',')
                return -1; /* "abc"def */
        } else {
            size_t start = i, end;
            while (i < len && s[i] != ',' && s[i] != '"')
                i++;
            if (i < len && s[i] == '"')
                return -1; /* abc"def" */
            end = i;
            while (end > start && is_space(s[end - 1]))
                end--;
            arg->p = s + start;
            arg->len = end - start;
            arg->quoted = 0;
        }
        if (i == len)
            return 0;
        i++; /* the comma */
    }
}

int at_arg_present(const struct at_args *a, int i)
{
    return i >= 0 && i < a->n && (a->v[i].len > 0 || a->v[i].quoted);
}

int at_arg_int(const struct at_args *a, int i, long min, long max, long *out)
{
    const struct at_arg *arg;
    long v = 0;
    size_t k;

    if (i < 0 || i >= a->n)
        return -1;
    arg = &a->v[i];
    if (arg->quoted || arg->len == 0 || arg->len > 10)
        return -1;
    for (k = 0; k < arg->len; k++) {
        if (arg->p[k] < '0' || arg->p[k] > '9')
            return -1;
        v = v * 10 + (arg->p[k] - '0'); /* at most 10 digits: fits a long */
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int at_arg_str(const struct at_args *a, int i, char *out, size_t cap)
{
    const struct at_arg *arg;
    size_t k;

    if (i < 0 || i >= a->n || cap == 0)
        return -1;
    arg = &a->v[i];
    if (arg->len >= cap)
        return -1;
    for (k = 0; k < arg->len; k++)
        if ((unsigned char)arg->p[k] < 0x20 || arg->p[k] == 0x7f)
            return -1;
    memcpy(out, arg->p, arg->len);
    out[arg->len] = 0;
    return 0;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int at_arg_is(const struct at_args *a, int i, const char *text)
{
    size_t k, n = strlen(text);
    if (i < 0 || i >= a->n || a->v[i].len != n)
        return 0;
    for (k = 0; k < n; k++)
        if (lower(a->v[i].p[k]) != lower(text[k]))
            return 0;
    return 1;
}
