/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota_ctl/fota_ctl.h: the external controller's FOTA flows for a SIM7020,
 * the MCU side of SIMCom's FOTA Application Note V1.01 (sections 3 to 6).
 *
 * Each flow is one call that drives the module through the note's AT
 * dialogue over the AT channel (cfota_ctl/at.h) and returns one result code
 * (enum cfota_ctl_error, cfota_ctl/error.h) that names what went wrong, with the details
 * (the step, the +CME ERROR code, the HTTP status, the versions before
 * and after) in a caller-allocated struct cfota_ctl_report:
 *
 *   cfota_ctl_bearer()  section 3: SIM, signal, registration, PDP context,
 *                       operator, APN and address; optionally sets the APN
 *                       (CFUN=0, AT*MCGDEFCONT, CFUN=1).
 *   cfota_ctl_ota()     section 4: AT+CFOTA=1, the module downloads from
 *                       SIMCom's FOTA server and updates itself.
 *   cfota_ctl_upload()  section 5: the controller writes the package into
 *                       the module (AT+CFLE, AT+CFLW), then AT+CFOTA=5.
 *   cfota_ctl_http()    section 6: the module downloads the package from an
 *                       HTTP server (AT+CHTTP...), then AT+CFOTA=5.
 *   cfota_ctl_status()  after the controller itself restarted: where does
 *                       the module stand, and what should be done next
 *                       (cfota_ctl_wait_update(), cfota_ctl_report_result()).
 *
 * Every update flow sets a fixed baud rate first (AT+IPR, so the module
 * reports its boot URCs), reads the version (AT+CGMR), triggers the update,
 * follows the URCs through the module's reset (+CFOTA: Start to update...,
 * *MATREADY: 1, +CFUN: 1, +CFOTA: Update successfully|fail, +CPIN: READY),
 * waits until the module answers again, reads the version again and
 * reports the result (AT+CFOTA=4). The decision rules are in
 * docs/controller.md.
 *
 * Progress: the optional progress callback of the config is called at the
 * start of each step and while long steps run (bytes written, bytes
 * downloaded, or milliseconds waited against the step's time limit). It
 * returns 0 to go on; any other value cancels the flow
 * (CFOTA_CTL_E_CANCELLED) at the next safe point. A flow never cancels
 * between AT+CFOTA=5's OK and the result: the module is updating.
 *
 * Time: the flows only wait through the link's read callback and measure
 * time with now_ms; every wait has a limit from struct cfota_ctl_config.
 *
 * RAM: struct cfota_ctl is at most CFOTA_CTL_RAM_MAX (1760) bytes with
 * the default sizes (the AT channel, a 512-byte CFLW chunk, the MD5 state,
 * a command line); struct cfota_ctl_report CFOTA_CTL_REPORT_RAM_MAX (128);
 * struct cfota_ctl_bearer_info CFOTA_CTL_BEARER_RAM_MAX (128); struct
 * cfota_ctl_status CFOTA_CTL_STATUS_RAM_MAX (48). Checked by
 * tests/test_mcu_sizes.c on the host and by bench/mcu_size.sh on the
 * target.
 * On a 32-bit MCU: 1704, 124, 126 and 44 bytes. No allocation, no
 * recursion; stack below 700 bytes besides the callbacks' (the bearer
 * flow is the deepest; about 550 for the others; Cortex-M4 -Os,
 * -fstack-usage). No libc besides memcpy/memset/memcmp/strlen/strchr.
 */
#ifndef CFOTA_FOTA_CTL_H
#define CFOTA_FOTA_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "cfota_ctl/at.h"
#include "cfota_ctl/md5.h"
#include "cfota_ctl/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CFOTA_CTL_VERSION_MAX 32  /* bytes kept of an AT+CGMR answer, NUL included */
#define CFOTA_CTL_CMD_MAX 256     /* longest command line (AT+CHTTPSEND with a Range header) */
#define CFOTA_CTL_CHUNK_MAX 512   /* AT+CFLW writes at most 512 bytes (manual) */
#define CFOTA_CTL_BLOCK 4096u     /* flash block of AT+CFLE */
#define CFOTA_CTL_PACKAGE_MAX 593920u /* the update partition: 145 blocks of 4 KB */

/* RAM bounds, sizeof with the default sizes (see the top of this file). */
#define CFOTA_CTL_RAM_MAX 1760u
#define CFOTA_CTL_REPORT_RAM_MAX 128u
#define CFOTA_CTL_BEARER_RAM_MAX 128u
#define CFOTA_CTL_STATUS_RAM_MAX 48u

/* The steps of the flows, for progress and for report.step. */
enum cfota_ctl_step {
    CFOTA_CTL_STEP_NONE = 0,
    CFOTA_CTL_STEP_PROBE,       /* AT, ATE0, AT+CMEE=1 */
    CFOTA_CTL_STEP_SIM,         /* AT+CPIN? */
    CFOTA_CTL_STEP_SIGNAL,      /* AT+CSQ */
    CFOTA_CTL_STEP_REGISTER,    /* AT+CGREG? until registered */
    CFOTA_CTL_STEP_PDP,         /* AT+CGACT? */
    CFOTA_CTL_STEP_OPERATOR,    /* AT+COPS? */
    CFOTA_CTL_STEP_CONTEXT,     /* AT+CGCONTRDP */
    CFOTA_CTL_STEP_APN,         /* AT+CFUN=0, AT*MCGDEFCONT, AT+CFUN=1, +CPIN: READY */
    CFOTA_CTL_STEP_BAUD,        /* AT+IPR=<baud> */
    CFOTA_CTL_STEP_VERSION,     /* AT+CGMR before the update */
    CFOTA_CTL_STEP_ERASE,       /* AT+CFLE */
    CFOTA_CTL_STEP_WRITE,       /* AT+CFLW chunks (done/total: bytes) */
    CFOTA_CTL_STEP_HTTP_OPEN,   /* AT+CHTTPCREATE, AT+CHTTPCON */
    CFOTA_CTL_STEP_HTTP_GET,    /* AT+CHTTPTOFS until +CHTTPTOFSOK (done/total: bytes) */
    CFOTA_CTL_STEP_HTTP_CLOSE,  /* AT+CHTTPDISCON, AT+CHTTPDESTROY */
    CFOTA_CTL_STEP_TRIGGER,     /* AT+CFOTA=1 or AT+CFOTA=5 */
    CFOTA_CTL_STEP_DOWNLOAD,    /* OTA download (done/total: ms waited/limit) */
    CFOTA_CTL_STEP_UPDATE,      /* reset and update (done/total: ms waited/limit) */
    CFOTA_CTL_STEP_REBOOT,      /* waiting for the module to answer again */
    CFOTA_CTL_STEP_VERIFY,      /* AT+CGMR after the update */
    CFOTA_CTL_STEP_REPORT       /* AT+CFOTA=4 */
};

/* Progress callback: step, and done/total where the step has a measure
 * (0/0 otherwise). Return 0 to continue, non-zero to cancel. */
typedef int (*cfota_ctl_progress_fn)(void *ctx, int step, uint32_t done, uint32_t total);

/* The controller's configuration, kept alive as long as the controller.
 * Zero numbers mean the default given in brackets. */
struct cfota_ctl_config {
    struct cfota_at_config at;    /* the link (cfota_ctl/at.h) */
    cfota_ctl_progress_fn progress; /* optional */
    void *progress_ctx;
    uint32_t baud;          /* AT+IPR value [115200]; the link must already run at
                               this rate. CFOTA_CTL_NO_BAUD: do not send AT+IPR */
    uint32_t cmd_ms;        /* an ordinary command [5000] (CPIN: 5 s max) */
    uint32_t radio_ms;      /* AT+CFUN and AT+CGACT [15000] (CFUN: 10 s max) */
    uint32_t register_ms;   /* until registered, also after the APN change [120000] */
    uint32_t download_ms;   /* OTA: AT+CFOTA=1 to "Start to update" [1800000] */
    uint32_t http_ms;       /* HTTP: AT+CHTTPTOFS to +CHTTPTOFSOK [600000] */
    uint32_t update_ms;     /* "Start to update" or CFOTA=5's OK to the result [1200000] */
    uint32_t boot_ms;       /* result URC to the module answering AT [30000] */
    uint32_t erase_ms_per_block; /* AT+CFLE time per 4 KB block [1000], plus cmd_ms */
    uint16_t chunk;         /* CFLW chunk bytes [512], at most 512 */
    uint8_t cflw_timeout_s; /* the <timeout> argument of AT+CFLW [30], 1..100 */
    uint8_t retries;        /* extra attempts of a failed CFLW chunk [3] */
    uint8_t restarts;       /* full restarts (from AT+CFLE) of an upload whose chunk
                               failed every retry [1]; CFOTA_CTL_NO_RESTART: none */
    uint8_t probe_tries;    /* AT attempts before CFOTA_CTL_E_NO_MODULE [5] */
    uint8_t stage_only;     /* cfota_ctl_upload: stop once the package is written
                               and its MD5 known (rep.md5), without AT+CFOTA=5:
                               stage now, trigger later [0] */
};
#define CFOTA_CTL_NO_BAUD 0xFFFFFFFFu
#define CFOTA_CTL_NO_RESTART 0xFFu

/* The details of a flow's outcome. */
struct cfota_ctl_report {
    int32_t result;        /* enum cfota_ctl_error, as returned */
    int32_t cme;           /* +CME ERROR code of the failing command, or -1 */
    int32_t http;          /* HTTP status of +CHTTPNMIH, or +CHTTPERR's code; 0 none */
    uint32_t bytes;        /* bytes written (upload) or downloaded (HTTP) */
    uint16_t retries;      /* CFLW chunks sent again */
    uint8_t restarts;      /* uploads started again from AT+CFLE */
    uint8_t step;          /* enum cfota_ctl_step where the flow ended */
    int8_t at_status;      /* the AT channel's status of the failing command, or 0 */
    uint8_t result_urc;    /* 0 none, 1 "Update successfully", 2 "Update fail" */
    uint8_t rebooted;      /* the module's reset was seen */
    uint8_t reported;      /* AT+CFOTA=4 answered OK */
    char md5[33];          /* the package MD5 sent with AT+CFOTA=5 ("" otherwise) */
    char before[CFOTA_CTL_VERSION_MAX]; /* AT+CGMR before ("" if not read) */
    char after[CFOTA_CTL_VERSION_MAX];  /* AT+CGMR after ("" if not read) */
};

/* What cfota_ctl_bearer() found (fields it could not read stay 0 / ""). */
struct cfota_ctl_bearer_info {
    uint8_t rssi, ber;     /* +CSQ: 0..31 or 99 unknown */
    uint8_t reg_stat;      /* +CGREG stat: 1 home, 5 roaming, 2 searching, 3 denied */
    uint8_t cid;           /* the active context */
    uint8_t act;           /* +COPS access technology, 9 = NB-IoT */
    uint8_t apn_set;       /* the flow changed the APN */
    char oper[24];         /* operator name, e.g. CHN-UNICOM */
    char apn[40];          /* the APN of the active context */
    char addr[56];         /* its address and mask as the module prints it */
};

/* The package for cfota_ctl_upload(): len bytes, read on demand so a MCU
 * can stream it from its own flash. read returns 0, or negative on error;
 * it is called in order from offset 0 (again from 0 after a restart, and
 * again for the same offset when a chunk is retried it is not re-read). */
struct cfota_ctl_source {
    void *ctx;
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    uint32_t len;
};

/* Where the module stands (cfota_ctl_status()); the decision table is in
 * docs/controller.md. */
enum cfota_ctl_state {
    CFOTA_CTL_STATE_SILENT = 0,   /* no answer to AT: booting, updating, or off */
    CFOTA_CTL_STATE_IDLE,         /* answers; no versions given to compare */
    CFOTA_CTL_STATE_OLD,          /* runs the old version, no FOTA activity seen */
    CFOTA_CTL_STATE_DOWNLOADING,  /* OTA download in progress */
    CFOTA_CTL_STATE_UPDATING,     /* update started, no result yet */
    CFOTA_CTL_STATE_UPDATED,      /* runs the new version */
    CFOTA_CTL_STATE_FAILED,       /* a failure URC was seen; old version */
    CFOTA_CTL_STATE_PAUSED,       /* +CFOTA: Download pause seen */
    CFOTA_CTL_STATE_UNKNOWN       /* runs neither the old nor the new version */
};

/* What to do next. */
enum cfota_ctl_action {
    CFOTA_CTL_DO_NOTHING = 0,  /* nothing was under way */
    CFOTA_CTL_DO_WAIT,         /* cfota_ctl_wait_update(), then the state is final */
    CFOTA_CTL_DO_REPORT,       /* cfota_ctl_report_result(): the update is done */
    CFOTA_CTL_DO_START,        /* run the update flow again from its beginning */
    CFOTA_CTL_DO_STOP          /* a person must look: unexpected version */
};

struct cfota_ctl_status {
    uint8_t state;        /* enum cfota_ctl_state */
    uint8_t action;       /* enum cfota_ctl_action */
    uint8_t seen_boot;    /* *MATREADY / RDY / +CFUN seen while listening */
    uint8_t seen_fota;    /* last +CFOTA URC seen: enum cfota_ctl_fota_event */
    char version[CFOTA_CTL_VERSION_MAX]; /* AT+CGMR now ("" if silent) */
    uint32_t ipr;         /* AT+IPR? value (0: auto-baud, boot URCs are not sent) */
    uint8_t ipr_known;
};

/* The +CFOTA URC texts, as cfota_ctl_fota_event() classifies them. */
enum cfota_ctl_fota_event {
    CFOTA_EV_NONE = 0,
    CFOTA_EV_DOWNLOAD_START,   /* Start to download new package */
    CFOTA_EV_DOWNLOAD_DONE,    /* Download completed */
    CFOTA_EV_UPDATE_START,     /* Start to update,please wait for reset (with or
                                  without the space) */
    CFOTA_EV_UPDATE_OK,        /* Update successfully */
    CFOTA_EV_UPDATE_FAIL,      /* Update fail */
    CFOTA_EV_NO_PACKAGE,       /* No update package */
    CFOTA_EV_DOWNLOAD_PAUSE,   /* Download pause */
    CFOTA_EV_DOWNLOAD_FAIL,    /* Download fail */
    CFOTA_EV_OTHER             /* any other +CFOTA text */
};

/* The controller: the AT channel plus the flows' working buffers. */
struct cfota_ctl {
    struct cfota_at at;
    const struct cfota_ctl_config *cfg;
    struct cfota_ctl_report *rep;   /* of the running flow */
    struct cfota_md5 md5;
    uint16_t cmd_len;               /* the command line being composed */
    uint8_t cmd_bad;                /* it did not fit */
    char cmd[CFOTA_CTL_CMD_MAX];
    uint8_t chunk[CFOTA_CTL_CHUNK_MAX];
};

/* Start a controller on a config. Does not touch the link.
 * Errors: CFOTA_CTL_E_INVAL (NULL, a missing link callback, chunk > 512,
 * cflw_timeout_s > 100). */
int cfota_ctl_init(struct cfota_ctl *ctl, const struct cfota_ctl_config *cfg);

/* The AT channel, for commands of the caller's own between flows. */
struct cfota_at *cfota_ctl_at(struct cfota_ctl *ctl);

/* Section 3: check the bearer; with apn non-NULL and the module not
 * registered with an active context on that APN, set it (AT+CFUN=0,
 * AT*MCGDEFCONT="IP","<apn>", AT+CFUN=1, wait for +CPIN: READY) and check
 * again, waiting up to register_ms for the registration.
 * Fills info (may be NULL). Returns CFOTA_CTL_OK when the SIM is ready, the
 * module registered (home or roaming) and a context active; otherwise
 * CFOTA_CTL_E_SIM, _NOT_REGISTERED, _NO_PDP, or the command errors
 * (_NO_MODULE, _TIMEOUT, _ERROR, _CME, _IO, _INVAL for an APN with a quote
 * or longer than 63 bytes). rep may be NULL. */
int cfota_ctl_bearer(struct cfota_ctl *ctl, const char *apn, struct cfota_ctl_bearer_info *info,
                     struct cfota_ctl_report *rep);

/* Section 4: update over the air. AT+IPR, AT+CGACT? (an active context is
 * needed), AT+CGMR, AT+CFOTA=1 (or AT+CFOTA=1,"<version>"), then the
 * download and update URCs, the reset, AT+CGMR, AT+CFOTA=4.
 * version: the version to update to, or NULL for the newest; when given,
 * AT+CGMR afterwards must show it. Returns CFOTA_CTL_OK (module updated),
 * or _NO_PACKAGE, _DOWNLOAD_PAUSE, _DOWNLOAD_FAIL, _UPDATE_FAIL, _RESET
 * (reset during the download), _NO_RESULT, _VERSION, _NO_PDP, _TIMEOUT,
 * _ERROR, _CME, _NO_MODULE, _IO, _CANCELLED, _INVAL (an empty version,
 * one with a quote, or longer than 31 bytes). rep must not be NULL. */
int cfota_ctl_ota(struct cfota_ctl *ctl, const char *version, struct cfota_ctl_report *rep);

/* Section 5: update through the hardware interface. AT+CFLE=0,0,<blocks>,
 * AT+IPR, AT+CFLW=0,0,<n>,<off>,<timeout> with the package's bytes in
 * chunks (each retried up to cfg.retries times on ERROR, +CME ERROR or
 * timeout; after that the whole upload restarts from AT+CFLE up to
 * cfg.restarts times), AT+CGMR, AT+CFOTA=5,<len>,<md5> with the MD5
 * computed from the bytes sent, the reset, AT+CGMR, AT+CFOTA=4.
 * md5_hex: optional expected MD5 (32 hex digits, any case); when given,
 * the MD5 of the bytes read must match before AT+CFOTA=5 is sent.
 * expect_version: optional version AT+CGMR must show afterwards.
 * Returns CFOTA_CTL_OK, or _TOO_BIG, _SOURCE, _MD5, _WRITE, _REJECTED,
 * _RESET (the module reset during the upload), _UPDATE_FAIL, _NO_RESULT,
 * _VERSION, _TIMEOUT, _ERROR, _CME, _NO_MODULE, _IO, _INVAL, _CANCELLED. */
int cfota_ctl_upload(struct cfota_ctl *ctl, const struct cfota_ctl_source *src,
                     const char *md5_hex, const char *expect_version,
                     struct cfota_ctl_report *rep);

/* Section 6: update through HTTP. url is "http://host[:port]/path" (or
 * https://); AT+CHTTPCREATE="<scheme://host:port>", AT+CHTTPCON, AT+CHTTPTOFS=
 * <id>,"<path>", +CHTTPNMIH and +CHTTPTOFS progress, +CHTTPTOFSOK (its
 * length must be len), AT+CHTTPDISCON and AT+CHTTPDESTROY (always, once
 * created), AT+IPR, AT+CGMR, AT+CFOTA=5,<len>,<md5_hex>, the reset,
 * AT+CGMR, AT+CFOTA=4. len and md5_hex (32 hex digits) describe the
 * package, e.g. from the FOTA server's check answer.
 * Returns CFOTA_CTL_OK, or _HTTP, _LENGTH, _REJECTED, _UPDATE_FAIL,
 * _NO_RESULT, _VERSION, _TIMEOUT, _ERROR, _CME, _NO_MODULE, _IO, _INVAL
 * (URL without scheme, path or too long; bad MD5 text), _TOO_BIG,
 * _CANCELLED. */
int cfota_ctl_http(struct cfota_ctl *ctl, const char *url, uint32_t len, const char *md5_hex,
                   const char *expect_version, struct cfota_ctl_report *rep);

/* After a restart of the controller: listen listen_ms for URCs already on
 * their way, probe the module, read AT+CGMR and AT+IPR?, and compare with
 * old_version (the version before the update) and new_version (expected
 * after it); either may be NULL. Fills st with the state and the action
 * (decision table: docs/controller.md). Returns CFOTA_CTL_OK (also when
 * the module is silent: st->state says so) or CFOTA_CTL_E_IO/_INVAL. */
int cfota_ctl_status(struct cfota_ctl *ctl, const char *old_version, const char *new_version,
                     uint32_t listen_ms, struct cfota_ctl_status *st);

/* Finish an update the module already started (after cfota_ctl_status()
 * said DO_WAIT, or after AT+CFOTA=5 sent by other means): follow the URCs
 * up to the result and the reset, wait until the module answers, read
 * AT+CGMR, send AT+CFOTA=4. rep->before may hold the old version (set it
 * before the call; "" if unknown). Returns as the tail of cfota_ctl_ota(). */
int cfota_ctl_wait_update(struct cfota_ctl *ctl, const char *expect_version,
                          struct cfota_ctl_report *rep);

/* AT+CFOTA=4: report the update result to the FOTA server. Returns
 * CFOTA_CTL_OK or the command's error (_ERROR, _CME, _TIMEOUT, _IO). */
int cfota_ctl_report_result(struct cfota_ctl *ctl);

/* The event of a +CFOTA URC's text (with or without the "+CFOTA: "). */
int cfota_ctl_fota_event(const char *text);

/* Short English names, never NULL (status names: cfota_ctl/error.h). */
const char *cfota_ctl_step_name(int step);
const char *cfota_ctl_state_name(int state);
const char *cfota_ctl_action_name(int action);

#ifdef __cplusplus
}
#endif
#endif
