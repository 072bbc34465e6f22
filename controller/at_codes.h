/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/at_codes.h: what a line from the module means (internal to controller/).
 * The tables live in controller/at_codes.c so that adding a URC or an error text
 * is adding a row; controller/at_channel.c only asks these two questions.
 */
#ifndef CFOTA_MCU_AT_CODES_H
#define CFOTA_MCU_AT_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "cfota_ctl/at.h"

/* If the n bytes at s are a final result code, store its status
 * (CFOTA_CTL_OK, CFOTA_CTL_E_ERROR or CFOTA_CTL_E_CME, with the code in *cme)
 * and return 1; otherwise return 0. */
int cfota_at_final_code(const char *s, size_t n, int *status, int32_t *cme);

/* The row of the table (n_defs rows) whose prefix starts the n bytes at s,
 * or NULL. The first matching row wins. */
const struct cfota_at_urc_def *cfota_at_urc_lookup(const struct cfota_at_urc_def *defs,
                                                   size_t n_defs, const char *s, size_t n);

/* 1 if the n bytes at s are the NUL-terminated t, ASCII letters in
 * either case: the one case-blind comparison of controller/ (verbose
 * error texts, APNs, MD5 digests in hex). */
int cfota_at_same_text(const char *s, size_t n, const char *t);

/* 1 if the n bytes at s start with the NUL-terminated prefix p. */
int cfota_at_has_prefix(const char *s, size_t n, const char *p);

#endif
