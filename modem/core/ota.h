/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/ota.h: the module's over-the-air path, AT+CFOTA=1..4, against a
 * cfota server (docs/server-api.md, device API).
 *
 * The note's module fetches its package from SIMCom's server, which is
 * built into its firmware; ours asks the server named by AT+CFOTASRV or
 * `cfota modem --fota-server` (an extension, docs/modem.md). One run of
 * AT+CFOTA=1 or =2 is a small state machine driven by HTTP events
 * (modem_http.h, slot MODEM_HTTP_OTA_SLOT):
 *
 *   check     GET /d/v1/check?imei=..&tok=..&ver=..[&want=..]
 *             none, or no answer        -> +CFOTA: No update package
 *   download  GET <url> into the update partition, from the stored
 *             offset with Range and If-Range when the same package was
 *             paused; link lost -> +CFOTA: Download pause (kept);
 *             4xx/5xx, bad MD5/SHA-256, not for this image
 *                                        -> +CFOTA: Download fail
 *   complete  +CFOTA: Download completed; mode 1 goes on to the same
 *             pending update as AT+CFOTA=5 and resets
 *
 * What must survive a power cycle is struct modem_ota_saved, persisted
 * with the settings (modem_settings.ota): which package is partly or
 * wholly in the update partition and how much, and which update awaits
 * its AT+CFOTA=4 report.
 */
#ifndef CFOTA_MODEM_OTA_H
#define CFOTA_MODEM_OTA_H

#include <stddef.h>
#include <stdint.h>

#include "ota_state.h"

struct modem;

/* AT+CFOTA=1/2 [,want]: start a check; the URCs follow the final OK.
 * Returns AT_OK, or CME_NOT_ALLOWED when an OTA run or a CHTTPTOFS is in
 * progress. want may be NULL. */
int ota_start(struct modem *m, int mode, const char *want);

/* AT+CFOTA=3: update what =2 downloaded (same checks as =5). Returns
 * AT_OK (the URC and the reset follow), CME_NOT_ALLOWED (nothing
 * downloaded) or CME_FAILED (it no longer passes the checks). */
int ota_update_downloaded(struct modem *m);

/* AT+CFOTA=4: report the last update (or failed download) to the server.
 * Returns AT_OK when there is nothing to report, AT_PENDING when the
 * report is on its way (OK when recorded, +CME ERROR: 767 if not), or
 * CME_NOT_ALLOWED while an OTA run is in progress. */
int ota_report(struct modem *m);

/* An update that did not come through AT+CFOTA=1/3 (AT+CFOTA=5 after a
 * local or HTTP download) is about to start, from the running version to
 * `to`: remember it, as for an OTA update, so that AT+CFOTA=4 after the
 * reset reports it to the FOTA server. Sends nothing. */
void ota_note_local_update(struct modem *m, const char *to);

/* Whether an OTA run uses the update partition now. */
int ota_busy(const struct modem *m);

/* The update partition was written by something else (AT+CHTTPTOFS): a
 * stored partial or complete OTA package is no longer there. */
void ota_forget_package(struct modem *m);

/* Reset: the running step is dropped (what is persisted stays). */
void ota_clear(struct modem *m);

#endif
