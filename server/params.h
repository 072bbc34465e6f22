/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/params.h: the alphabets of the values in requests
 * (docs/server-api.md §1). Every value a request carries is checked here
 * before it reaches the store, so nothing else in the server has to
 * wonder whether a version could contain "/" or a quote.
 */
#ifndef CFOTA_SERVER_PARAMS_H
#define CFOTA_SERVER_PARAMS_H

#include <stdint.h>

#define PARAM_VERSION_MAX 32 /* same as CFOTA_VERSION_MAX */
#define PARAM_REASON_MAX 64

/* Each returns 1 if s (non-NULL) is valid, 0 otherwise. */
int param_imei(const char *s);    /* 15 decimal digits */
int param_version(const char *s); /* 1..32 of A-Za-z0-9._+-, first alnum */
int param_group(const char *s);   /* same alphabet as a version */
int param_product(const char *s); /* same alphabet as a version */
int param_token(const char *s);   /* 32 lower-case hex digits */
int param_sha256(const char *s);  /* 64 lower-case hex digits */
int param_reason(const char *s);  /* 0..64 of the version alphabet and ':' */

/* Parse a decimal integer in [lo, hi] with no sign or junk: 1 and *out,
 * or 0. */
int param_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
