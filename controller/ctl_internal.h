/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_internal.h: what the flow files of controller/ share (internal).
 *
 * ctl_common.c holds the pieces every flow uses: composing a command line
 * without printf, running a command and turning its channel status into a
 * flow result in the report, the progress callback, the probe, the baud
 * rate, AT+CGMR, AT+CFOTA=5, and the common tail of every update
 * (ctl_follow: URCs through the reset, the module back, the version, the
 * report to the server). Each flow file (ctl_bearer.c, ctl_ota.c,
 * ctl_upload.c, ctl_http.c, ctl_status.c) is then the note's table for its
 * section, step by step.
 */
#ifndef CFOTA_MCU_CTL_INTERNAL_H
#define CFOTA_MCU_CTL_INTERNAL_H

#include <stdint.h>

#include "at_codes.h"
#include "cfota_ctl/at.h"
#include "cfota_ctl/fota_ctl.h"

/* The config's numbers with their defaults applied. */
uint32_t ctl_cmd_ms(const struct cfota_ctl *ctl);
uint32_t ctl_radio_ms(const struct cfota_ctl *ctl);
uint32_t ctl_register_ms(const struct cfota_ctl *ctl);
uint32_t ctl_download_ms(const struct cfota_ctl *ctl);
uint32_t ctl_http_ms(const struct cfota_ctl *ctl);
uint32_t ctl_update_ms(const struct cfota_ctl *ctl);
uint32_t ctl_boot_ms(const struct cfota_ctl *ctl);
uint32_t ctl_now(const struct cfota_ctl *ctl);

/* Composing ctl->cmd: begin with a literal, then add pieces. A line that
 * does not fit is marked and refused by ctl_run (CFOTA_CTL_E_INVAL). */
void ctl_cmd_begin(struct cfota_ctl *ctl, const char *s);
void ctl_cmd_add(struct cfota_ctl *ctl, const char *s);
void ctl_cmd_addn(struct cfota_ctl *ctl, const char *s, size_t n);
void ctl_cmd_uint(struct cfota_ctl *ctl, uint32_t v);
void ctl_cmd_quoted(struct cfota_ctl *ctl, const char *s);

/* Start a flow: clear rep (keeping nothing), remember it. */
void ctl_begin(struct cfota_ctl *ctl, struct cfota_ctl_report *rep);
/* Record a failure (or success) in the report and return result. */
int ctl_end(struct cfota_ctl *ctl, int result, int step);
/* The report's step and the progress callback; CFOTA_CTL_E_CANCELLED if
 * the callback asks to stop, else 0. */
int ctl_step(struct cfota_ctl *ctl, int step, uint32_t done, uint32_t total);
/* Run cmd (or ctl->cmd when cmd is NULL). 0 on OK; otherwise the flow
 * result (ERROR, CME, TIMEOUT, IO, RESET, INVAL) recorded at step. */
int ctl_run(struct cfota_ctl *ctl, const char *cmd, const char *expect, uint32_t ms, int step);

/* AT until it answers (probe_tries), then ATE0 and AT+CMEE=1. */
int ctl_probe(struct cfota_ctl *ctl);
/* The same, retried during up to ms (after a reset). */
int ctl_wait_ready(struct cfota_ctl *ctl, uint32_t ms);
/* AT+IPR=<baud> unless disabled. */
int ctl_baud(struct cfota_ctl *ctl);
/* AT+CGMR into out (CFOTA_CTL_VERSION_MAX bytes). */
int ctl_version(struct cfota_ctl *ctl, char *out, int step);
/* Sort waiting input and drop the queued URCs: what the module said
 * before this point must not be read as the answer to what follows
 * (a stale "+CFOTA: Update successfully", say). 0 or CFOTA_CTL_E_IO. */
int ctl_forget(struct cfota_ctl *ctl);
/* AT+CFOTA=5,<len>,<md5>. */
int ctl_trigger_local(struct cfota_ctl *ctl, uint32_t len, const char *md5_hex);
/* 1 if s is 32 hex digits. */
int ctl_is_md5(const char *s);
/* Follow the update to its end (see ctl_common.c). downloading: start in
 * the OTA download phase; reset_ok: a reset before "Start to update" is
 * not unexpected (the controller may have missed that URC). */
int ctl_follow(struct cfota_ctl *ctl, int downloading, int reset_ok, const char *expect_version);
/* The module's HTTP client (ctl_httpc.c), shared by the section 6 flow
 * and the MCU's self-update: AT+CHTTPCREATE="<host>" (host_len bytes of
 * host, e.g. "http://h:p") and AT+CHTTPCON=<id>. 0 with *id set, or the
 * flow result recorded at CFOTA_CTL_STEP_HTTP_OPEN; a client that was
 * created but failed to connect is closed again. */
int ctl_http_open(struct cfota_ctl *ctl, const char *host, size_t host_len, uint32_t *id);
/* AT+CHTTPDISCON=<id>, AT+CHTTPDESTROY=<id>; their own errors (after
 * +CHTTPERR the module has already disconnected) do not count. */
void ctl_http_close(struct cfota_ctl *ctl, uint32_t id);
/* The fields of an HTTP URC (+CHTTPNMIH, +CHTTPNMIC, +CHTTPTOFS...,
 * +CHTTPERR: <id>,...) if it is client id's, field 0 being the id; NULL
 * if it is another client's or has no id. */
const char *ctl_http_urc(const struct cfota_at_urc *u, uint32_t id);
/* The decimal digits of v, written backwards from end; returns the first
 * (end - result digits, at most 10). The one number formatter of the
 * library: no printf on the device side. */
char *ctl_decimal(char *end, uint32_t v);
/* s after prefix if s starts with it, else NULL: the one prefix test. */
const char *ctl_after(const char *s, const char *prefix);
/* Among the lines of the last AT+CGACT?, the first context in state 1:
 * 1 with *cid set (cid may be NULL), else 0. */
int ctl_active_context(struct cfota_ctl *ctl, uint32_t *cid);
/* Compare two NUL-terminated strings: 1 if equal. */
int ctl_same(const char *a, const char *b);
/* Copy at most cap-1 bytes and a NUL. */
void ctl_copy(char *dst, size_t cap, const char *src);

#endif
