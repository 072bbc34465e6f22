/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/ota_state.h: the state of the module's over-the-air path
 * (ota.h, ota.c) as struct modem holds it: what persists with the
 * settings (struct modem_ota_saved) and the run in progress (struct
 * modem_ota). Types only, so that modem.h can hold them without knowing
 * the OTA functions.
 */
#ifndef CFOTA_MODEM_OTA_STATE_H
#define CFOTA_MODEM_OTA_STATE_H

#include <stddef.h>
#include <stdint.h>

#define OTA_URL_MAX 255u     /* AT+CFOTASRV URL */
#define OTA_TOKEN_MAX 64u    /* device token (the server's are 32 hex) */
#define OTA_VERSION_MAX 32u  /* as MODEM_VERSION_MAX and the server's */
#define OTA_REASON_MAX 64u   /* report reason, as the server allows */
#define OTA_BODY_MAX 2048u   /* a check or report answer */
#define OTA_PATH_MAX 512u    /* the package URL of a check answer */

enum ota_saved_state {
    OTA_NONE = 0,       /* nothing */
    OTA_PARTIAL = 1,    /* offset bytes of package stored: resumable */
    OTA_DOWNLOADED = 2, /* package stored and verified (AT+CFOTA=2) */
    OTA_UPDATING = 3,   /* update from -> to started: report pending */
    OTA_FAILED = 4      /* download of from -> to failed: report pending */
};

struct modem_ota_saved {
    int state;                           /* enum ota_saved_state */
    char package[65];                    /* package id = SHA-256 = ETag */
    char md5[33];
    uint32_t size, offset;
    char from[OTA_VERSION_MAX + 1];      /* version when it started */
    char to[OTA_VERSION_MAX + 1];
    char reason[OTA_REASON_MAX + 1];     /* OTA_FAILED: why */
};

enum ota_step { OTA_IDLE, OTA_CHECK, OTA_DOWNLOAD, OTA_REPORT };

/* The running AT+CFOTA=1/2/4 (RAM only). */
struct modem_ota {
    enum ota_step step;
    int mode;                            /* 1 or 2 */
    int status;                          /* HTTP status of this request */
    char body[OTA_BODY_MAX + 1];
    size_t body_len;
    /* the offer of the check */
    char package[65], md5[33];
    uint32_t size;
    char from[OTA_VERSION_MAX + 1], to[OTA_VERSION_MAX + 1];
    char path[OTA_PATH_MAX + 1];
    /* the download */
    uint32_t start;                      /* offset asked for */
    uint32_t got;                        /* bytes of the package stored */
    int accepted;                        /* the answer's first byte is at got */
    char fail[OTA_REASON_MAX + 1];       /* set: Download fail, this reason */
};

#endif
