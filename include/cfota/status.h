/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota/status.h: the one error vocabulary of the device library.
 *
 * Every function of lib/ that can fail returns an int: CFOTA_OK (0) or a
 * positive progress code where documented, or one of the negative codes
 * below. There is no errno side channel. cfota_status_name() gives a short
 * human-readable text for logs and command-line tools.
 *
 * RAM: none. Thread safety: pure functions.
 */
#ifndef CFOTA_STATUS_H
#define CFOTA_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Every code below CFOTA_OK, from CFOTA_E_IO to CFOTA_E_LAST. */
#define CFOTA_E_LAST CFOTA_E_GAVE_UP

enum cfota_status {
    CFOTA_OK = 0,
    /* Progress codes of the streaming decoder (not errors). */
    CFOTA_MORE = 1,      /* wants more package bytes */
    CFOTA_DONE = 2,      /* the whole target image has been produced */
    CFOTA_CHECKPOINT = 3,/* a segment is complete: a new checkpoint is ready */

    CFOTA_E_IO = -1,        /* a read/write/erase callback failed */
    CFOTA_E_CORRUPT = -2,   /* the package is malformed or damaged */
    CFOTA_E_WRONG_BASE = -3,/* the package is for another base image */
    CFOTA_E_HASH = -4,      /* a SHA-256 did not match */
    CFOTA_E_INVAL = -5,     /* a caller passed an invalid argument */
    CFOTA_E_NOSPC = -6,     /* the target does not fit the region */
    CFOTA_E_VERSION = -7,   /* unknown package format version or flags */
    CFOTA_E_STATE = -8,     /* call not allowed in the current state */
    CFOTA_E_TRUNCATED = -9, /* the package ended before the target did */
    /* Refusals of a package that is intact but not to be applied here. */
    CFOTA_E_UNSIGNED = -10, /* the device has a key, the package no signature */
    CFOTA_E_KEY = -11,      /* signed, but with another key than the device's */
    CFOTA_E_SIGNATURE = -12,/* the signature does not verify: bytes changed */
    CFOTA_E_ROLLBACK = -13, /* security counter below the running image's */
    CFOTA_E_PRODUCT = -14,  /* the package is for another product */
    CFOTA_E_GAVE_UP = -15   /* a pending update made no progress in
                               CFOTA_UPDATE_TRIES runs and was abandoned */
};

/* Short English name of a status code, e.g. "package is corrupt".
 * Never returns NULL; unknown codes give "unknown status". */
const char *cfota_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
