/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controller/ctl_names.c: short English names of the controller's codes, for
 * logs and the command-line tool. Tables indexed by the code, so a new
 * code is a new row.
 */
#include "cfota_ctl/fota_ctl.h"

static const char *const results[] = {
    "ok", "invalid argument", "link I/O error", "module does not answer", "timeout",
    "command answered ERROR", "command answered +CME ERROR", "SIM not ready",
    "not registered", "no active PDP context", "no update package", "download pause",
    "download fail", "update fail", "package rejected by AT+CFOTA=5", "module reset unexpectedly",
    "no update result", "unexpected version after update", "HTTP error",
    "HTTP length differs from package length", "package too big for the update partition",
    "package read failed", "package MD5 mismatch", "flash write failed after retries",
    "cancelled"};

static const char *const steps[] = {
    "none", "probe", "SIM", "signal", "registration", "PDP context", "operator", "context",
    "APN", "baud rate", "version", "erase", "write", "HTTP open", "HTTP download", "HTTP close",
    "trigger", "download", "update", "reboot", "verify", "report"};

static const char *const states[] = {
    "silent", "idle", "old version", "downloading", "updating", "updated", "failed", "paused",
    "unknown version"};

static const char *const actions[] = {"nothing", "wait", "report", "start", "stop"};

#define COUNT(a) (int)(sizeof a / sizeof a[0])

const char *cfota_ctl_error_name(int status)
{
    return status <= 0 && -status < COUNT(results) ? results[-status] : "unknown status";
}

const char *cfota_ctl_step_name(int step)
{
    return step >= 0 && step < COUNT(steps) ? steps[step] : "unknown step";
}

const char *cfota_ctl_state_name(int state)
{
    return state >= 0 && state < COUNT(states) ? states[state] : "unknown state";
}

const char *cfota_ctl_action_name(int action)
{
    return action >= 0 && action < COUNT(actions) ? actions[action] : "unknown action";
}
