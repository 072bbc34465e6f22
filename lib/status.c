/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/status.c: names of the status codes (cfota/status.h).
 */
#include "cfota/status.h"

const char *cfota_status_name(int status)
{
    switch (status) {
    case CFOTA_OK: return "ok";
    case CFOTA_MORE: return "more input wanted";
    case CFOTA_DONE: return "done";
    case CFOTA_CHECKPOINT: return "checkpoint";
    case CFOTA_E_IO: return "flash or file I/O failed";
    case CFOTA_E_CORRUPT: return "package is corrupt";
    case CFOTA_E_WRONG_BASE: return "package is for another base image";
    case CFOTA_E_HASH: return "SHA-256 mismatch";
    case CFOTA_E_INVAL: return "invalid argument";
    case CFOTA_E_NOSPC: return "image does not fit";
    case CFOTA_E_VERSION: return "unsupported package format version or flags";
    case CFOTA_E_STATE: return "not allowed in this state";
    case CFOTA_E_TRUNCATED: return "package is truncated";
    case CFOTA_E_UNSIGNED: return "package is not signed and the device requires a signature";
    case CFOTA_E_KEY: return "package is signed with another key";
    case CFOTA_E_SIGNATURE: return "signature does not verify (package changed)";
    case CFOTA_E_ROLLBACK: return "security counter is lower than the running image's (rollback)";
    case CFOTA_E_PRODUCT: return "package is for another product";
    case CFOTA_E_GAVE_UP: return "update abandoned: no progress in repeated runs";
    default: return "unknown status";
    }
}
