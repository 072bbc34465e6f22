/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota_ctl/self_update.h: the MCU updates its own firmware through the
 * module: check the FOTA server (docs/server-api.md) for the MCU's own
 * device identity and running version with AT+CHTTPSEND, download the
 * package with Range requests into the MCU's package area, apply it in
 * place with the device library (cfota/update.h), and report the result.
 *
 * One call, cfota_self_run(), at every boot and whenever the application
 * wants to look for an update. It decides from flash alone where things
 * stand (docs/controller.md, "MCU self-update"), so a power cut, a module
 * reset or a lost network anywhere only costs the piece in flight:
 *
 *   journal PENDING                 run the engine to the end -> REBOOT
 *   record "begun", journal final   report ok/fail, drop the record
 *   record complete, not begun      cfota_update_begin (signature, product,
 *                                   base checked before any erase), mark
 *                                   "begun", run the engine -> REBOOT
 *   otherwise                       check; "none" -> NO_UPDATE; a package
 *                                   -> resume (same package id in the
 *                                   record) or start over, download the
 *                                   missing erase blocks, then as above
 *
 * The progress record is one erase block of its own (cfg.record): a
 * header (magic, package id, size, versions, CRC-32) written once, then
 * one program unit per package erase block, zeroed once that block is
 * completely written, then one unit "begun". Its exact layout is in
 * docs/controller.md.
 *
 * Transfer: each request asks for at most cfg.range_size bytes
 * (Range: bytes=A-B, A on an erase block); the module hands the body in
 * +CHTTPNMIC lines of hex, which the AT channel decodes as they arrive
 * (cfota_at_set_hex), so the MCU buffers one program chunk (the
 * controller's 512-byte chunk buffer) and never a whole line.
 *
 * RAM: struct cfota_self, at most CFOTA_SELF_RAM_MAX bytes (the
 * controller, the engine and a URL); no malloc, no recursion.
 */
#ifndef CFOTA_CTL_SELF_UPDATE_H
#define CFOTA_CTL_SELF_UPDATE_H

#include <stdint.h>

#include "cfota/update.h"
#include "cfota_ctl/fota_ctl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_SELF_RAM_MAX 6400u
#define CFOTA_SELF_URL_MAX 192u   /* the check answer's url= path, NUL included */
#define CFOTA_SELF_RANGE 16384u   /* default bytes per Range request */

/* Outcomes besides the enum cfota_ctl_error codes and the engine's
 * (cfota/status.h codes are returned offset by CFOTA_SELF_ENGINE). */
enum cfota_self_result {
    CFOTA_SELF_NO_UPDATE = 1,  /* the server has nothing for this version */
    CFOTA_SELF_REBOOT = 2,     /* the new image is in place: reboot into it */
    CFOTA_SELF_REPORTED = 3    /* an update's result was sent to the server */
};
/* An engine status s (cfota/status.h, negative) is returned as
 * CFOTA_SELF_ENGINE + s, e.g. a bad signature as CFOTA_SELF_ENGINE +
 * CFOTA_E_SIGNATURE. */
#define CFOTA_SELF_ENGINE (-100)

struct cfota_self_config {
    const struct cfota_ctl_config *ctl; /* the link and timeouts */
    struct cfota_update_cfg update;     /* image, package, scratch, journal,
                                           policy (key, product), buf */
    struct cfota_area record;           /* one erase block: progress */
    const char *server;   /* "http://host:port" of the FOTA server */
    const char *imei;     /* the device identity the server knows */
    const char *token;    /* its device token (32 hex digits) */
    const char *version;  /* the version the MCU runs now */
    uint32_t range_size;  /* bytes per Range request [CFOTA_SELF_RANGE], a
                             multiple of the package area's erase size */
    uint8_t tries;        /* requests in a row without progress before
                             giving up for this call [4] */
};

/* What the last cfota_self_run() did. */
struct cfota_self_report {
    int32_t result;            /* as returned */
    int32_t http;              /* last HTTP status, or +CHTTPERR code */
    uint32_t size;             /* package bytes */
    uint32_t resumed_at;       /* package offset the download (re)started at */
    uint32_t received;         /* package bytes received in this call */
    uint32_t requests;         /* HTTP requests sent in this call */
    uint16_t retries;          /* requests sent again after a failure */
    uint8_t module_resets;     /* module resets survived */
    char from[CFOTA_CTL_VERSION_MAX], to[CFOTA_CTL_VERSION_MAX];
};

/* The flow's state; the caller allocates it (static or on its stack). */
struct cfota_self {
    struct cfota_ctl ctl;      /* its chunk buffer stages package bytes */
    struct cfota_update upd;
    struct cfota_ctl_report crep;  /* the controller's, for its helpers */
    const struct cfota_self_config *cfg;
    struct cfota_self_report *rep;
    uint8_t probed;            /* the module answered AT in this call */
    uint32_t client;           /* the module's HTTP client id */
    uint8_t connected;
    /* The request in flight. */
    uint32_t pos;              /* next package byte to program */
    uint32_t fill;             /* bytes in ctl.chunk */
    uint32_t got;              /* body bytes of this answer */
    int32_t status;            /* its HTTP status, 0 before +CHTTPNMIH */
    uint8_t sink;              /* 0 text (check answer), 1 package */
    uint8_t bad;               /* a flash or hex error in this answer */
    /* The package, from the check answer and the record. */
    uint32_t size;
    uint8_t id[32];
    char url[CFOTA_SELF_URL_MAX];
};

/* Do what is due (see the top of this file). Returns CFOTA_SELF_NO_UPDATE,
 * CFOTA_SELF_REBOOT (reset; the boot after it calls this again, which
 * reports), CFOTA_SELF_REPORTED; or an error: CFOTA_CTL_E_* of the link
 * (_NO_MODULE, _TIMEOUT, _ERROR, _CME, _IO, _RESET), _HTTP (an answer
 * other than 200/206, e.g. a wrong token), _LENGTH (a malformed answer),
 * _TOO_BIG (the package does not fit the package area), _INVAL (a bad
 * config); CFOTA_SELF_ENGINE + a cfota/status.h code when the engine
 * refused the package (nothing erased; the failure is reported to the
 * server and the record dropped) or the flash failed (CFOTA_E_IO: call
 * again, the next call continues). rep may be NULL. */
int cfota_self_run(struct cfota_self *s, const struct cfota_self_config *cfg,
                   struct cfota_self_report *rep);

#ifdef __cplusplus
}
#endif
#endif
