/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota_ctl/error.h: the one error vocabulary of the controller library.
 *
 * Every call of controller/ that can fail returns an int: CFOTA_CTL_OK (0)
 * or one of the negative codes below, whichever layer it comes from. The
 * AT channel (cfota_ctl/at.h) returns the first few (a command answered
 * ERROR or +CME ERROR, no answer in time, link I/O, bad argument, module
 * reset); the flows (cfota_ctl/fota_ctl.h) pass those on unchanged and add
 * the rest. So a code means the same thing wherever it is returned, and
 * cfota_ctl_error_name() names each one.
 *
 * RAM: none. Thread safety: pure functions.
 */
#ifndef CFOTA_CTL_ERROR_H
#define CFOTA_CTL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum cfota_ctl_error {
    CFOTA_CTL_OK = 0,
    CFOTA_CTL_E_INVAL = -1,        /* bad argument (NULL, empty URL, len 0...) */
    CFOTA_CTL_E_IO = -2,           /* the link's write or read callback failed */
    CFOTA_CTL_E_NO_MODULE = -3,    /* the module does not answer AT */
    CFOTA_CTL_E_TIMEOUT = -4,      /* a command or an awaited URC did not come */
    CFOTA_CTL_E_ERROR = -5,        /* a command answered ERROR (report.step) */
    CFOTA_CTL_E_CME = -6,          /* a command answered +CME ERROR (report.cme) */
    CFOTA_CTL_E_SIM = -7,          /* the SIM is not READY (PIN, PUK, absent) */
    CFOTA_CTL_E_NOT_REGISTERED = -8, /* no PS registration in time, or denied */
    CFOTA_CTL_E_NO_PDP = -9,       /* no active PDP context */
    CFOTA_CTL_E_NO_PACKAGE = -10,  /* +CFOTA: No update package (or server unreachable) */
    CFOTA_CTL_E_DOWNLOAD_PAUSE = -11, /* +CFOTA: Download pause (AT+CFOTA=1 resumes) */
    CFOTA_CTL_E_DOWNLOAD_FAIL = -12,  /* +CFOTA: Download fail */
    CFOTA_CTL_E_UPDATE_FAIL = -13, /* +CFOTA: Update fail (old firmware still runs) */
    CFOTA_CTL_E_REJECTED = -14,    /* AT+CFOTA=5 refused: MD5 or length mismatch,
                                      or not a package for this firmware (report.cme) */
    CFOTA_CTL_E_RESET = -15,       /* the module reset when it should not have */
    CFOTA_CTL_E_NO_RESULT = -16,   /* the module rebooted without a result URC and
                                      its version did not change */
    CFOTA_CTL_E_VERSION = -17,     /* success reported, but AT+CGMR shows the old or
                                      an unexpected version */
    CFOTA_CTL_E_HTTP = -18,        /* +CHTTPERR (report.http) or an HTTP status
                                      other than 200/206 (report.http) */
    CFOTA_CTL_E_LENGTH = -19,      /* the HTTP download's length is not the package's */
    CFOTA_CTL_E_TOO_BIG = -20,     /* the package exceeds the update partition */
    CFOTA_CTL_E_SOURCE = -21,      /* the package read callback failed */
    CFOTA_CTL_E_MD5 = -22,         /* the MD5 of the bytes read is not the one given */
    CFOTA_CTL_E_WRITE = -23,       /* a CFLW chunk failed after every retry */
    CFOTA_CTL_E_CANCELLED = -24    /* the progress callback asked to stop */
};

/* Short English name of a status code, e.g. "timeout". Never returns
 * NULL; unknown codes give "unknown status". */
const char *cfota_ctl_error_name(int status);

#ifdef __cplusplus
}
#endif
#endif
