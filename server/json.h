/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/json.h: writing JSON answers into a growable buffer.
 *
 * The server only writes JSON (it never parses any), so two functions do:
 * one for raw text with printf formatting, one for a quoted, escaped
 * string. Values from requests have been checked by params.h, but strings
 * from the store or SQLite error messages go through json_string anyway.
 */
#ifndef CFOTA_SERVER_JSON_H
#define CFOTA_SERVER_JSON_H

#include "bytes.h"

void json_printf(struct bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal, quotes included. */
void json_string(struct bytes *b, const char *s);
/* Append the terminating NUL without counting it in b->n. */
void json_finish(struct bytes *b);

#endif
