/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/ctl_link.c: the serial link and controller shared by the module
 * commands (ctl_link.h).
 *
 * Progress goes to stderr: on a terminal a bar for the long byte-counted
 * steps (the upload, the HTTP download) and one line per step otherwise;
 * with --json only the final object, on stdout, for scripts.
 */
#define _POSIX_C_SOURCE 200809L
#include "ctl_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int byte_counted(int step)
{
    return step == CFOTA_CTL_STEP_WRITE || step == CFOTA_CTL_STEP_HTTP_GET;
}

/* One line per step; the byte-counted ones (the upload, the HTTP
 * download) get the shared progress bar on a terminal instead, with rate
 * and time left (cli/progress.h). */
static int show_step(void *ctx, int step, uint32_t done, uint32_t total)
{
    struct ctl_link *l = ctx;
    /* Time the local upload (for --json, and the bench of the upload's
     * speed against the raw line rate). */
    if (step == CFOTA_CTL_STEP_ERASE && l->upload_start == 0)
        l->upload_start = now_s();
    if (l->timed_step == CFOTA_CTL_STEP_WRITE && step != CFOTA_CTL_STEP_WRITE && l->upload_end == 0)
        l->upload_end = now_s();
    l->timed_step = step;
    if (l->quiet || l->json)
        return 0;
    if (step != l->last_step) {
        progress_end(&l->bar);
        l->last_step = step;
        if (byte_counted(step) && total) {
            progress_begin(&l->bar, cfota_ctl_step_name(step), total, 1);
            l->bar.rate = 1;
        }
        if (!l->bar.shown)
            fprintf(stderr, "cfota: %s: %s\n", l->cmd, cfota_ctl_step_name(step));
    }
    if (byte_counted(step))
        progress_update(&l->bar, done, total);
    return 0;
}

static void trace(void *ctx, int what, const char *text, size_t len)
{
    static const char *const tag[] = {"->", "=>", "<-", "<~", "xx"};
    (void)ctx;
    if (what == CFOTA_AT_LOG_DATA)
        fprintf(stderr, "%s [%zu bytes of data]\n", tag[what], len);
    else
        fprintf(stderr, "%s %.*s\n", what >= 0 && what <= 4 ? tag[what] : "??", (int)len, text);
}

int ctl_link_open(struct ctl_link *l, const char *cmd, const char *port, const char *baud, int json, int quiet,
                  int trace_on)
{
    unsigned long b = 115200;
    report_json_failures(json);
    memset(l, 0, sizeof *l);
    l->cmd = cmd;
    l->json = json;
    l->quiet = quiet;
    l->trace = trace_on;
    l->port.fd = -1;
    if (!port)
        return report_fail_status(cmd, EXIT_USAGE,
                                  "no serial port: give --port DEV (e.g. /dev/ttyUSB0, or the link of cfota modem)");
    if (baud) {
        char *end;
        b = strtoul(baud, &end, 10);
        if (*end || end == baud)
            return report_fail_status(cmd, EXIT_USAGE, "--baud wants a number, not '%s'", baud);
    }
    if (serial_open(&l->port, port, (unsigned)b) != 0)
        return report_fail_status(cmd, EXIT_LINK, "%s: %s", port,
                                  errno == EINVAL ? "baud rate not supported" : strerror(errno));
    l->cfg.at.ctx = &l->port;
    l->cfg.at.write = serial_write;
    l->cfg.at.read = serial_read;
    l->cfg.at.now_ms = serial_now_ms;
    if (trace_on)
        l->cfg.at.log = trace;
    l->cfg.progress = show_step;
    l->cfg.progress_ctx = l;
    l->cfg.baud = (uint32_t)b;
    if (cfota_ctl_init(&l->ctl, &l->cfg) != CFOTA_CTL_OK) {
        serial_close(&l->port);
        return report_fail(cmd, "cannot start the controller");
    }
    return 0;
}

void ctl_link_close(struct ctl_link *l)
{
    serial_close(&l->port);
}

static void json_str(const char *key, const char *v, int comma)
{
    printf("\"%s\":", key);
    report_json_string(stdout, v);
    printf("%s", comma ? "," : "");
}

static void json_bearer(const struct cfota_ctl_bearer_info *b)
{
    printf("\"bearer\":{");
    json_str("operator", b->oper, 1);
    printf("\"act\":%u,\"rssi\":%u,\"ber\":%u,\"registration\":%u,\"cid\":%u,", b->act, b->rssi, b->ber,
           b->reg_stat, b->cid);
    json_str("apn", b->apn, 1);
    json_str("address", b->addr, 1);
    printf("\"apn_changed\":%s},", b->apn_set ? "true" : "false");
}

/* The one-line reason of a failed flow, for stderr and --json. */
static void failure_text(int result, const struct cfota_ctl_report *rep, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s (at step: %s", cfota_ctl_error_name(result), cfota_ctl_step_name(rep->step));
    if (n > 0 && (size_t)n < cap && rep->cme >= 0)
        n += snprintf(out + n, cap - (size_t)n, ", +CME ERROR: %d", (int)rep->cme);
    if (n > 0 && (size_t)n < cap && rep->http)
        n += snprintf(out + n, cap - (size_t)n, ", HTTP %d", (int)rep->http);
    if (n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, ")");
}

int ctl_link_finish(struct ctl_link *l, int result, const struct cfota_ctl_report *rep)
{
    int status = result == CFOTA_CTL_OK ? 0
                 : result == CFOTA_CTL_E_NO_MODULE || result == CFOTA_CTL_E_IO ? EXIT_LINK
                 : result == CFOTA_CTL_E_REJECTED || result == CFOTA_CTL_E_UPDATE_FAIL ? EXIT_REFUSED
                                                                                      : 1;
    char why[160];
    progress_end(&l->bar);
    if (l->timed_step == CFOTA_CTL_STEP_WRITE && l->upload_end == 0)
        l->upload_end = now_s();
    failure_text(result, rep, why, sizeof why);
    report_json_failures(0); /* this object is the answer */
    if (l->json) {
        printf("{\"result\":%d,\"exit\":%d,", result, status);
        if (result != CFOTA_CTL_OK)
            json_str("error", why, 1);
        if (l->bearer)
            json_bearer(l->bearer);
        if (l->upload_start > 0 && l->upload_end > l->upload_start)
            printf("\"upload_ms\":%.0f,", (l->upload_end - l->upload_start) * 1000);
        json_str("result_name", cfota_ctl_error_name(result), 1);
        json_str("step", cfota_ctl_step_name(rep->step), 1);
        printf("\"cme\":%d,\"http\":%d,\"bytes\":%u,\"retries\":%u,\"restarts\":%u,\"rebooted\":%s,\"reported\":%s,",
               (int)rep->cme, (int)rep->http, (unsigned)rep->bytes, (unsigned)rep->retries, (unsigned)rep->restarts,
               rep->rebooted ? "true" : "false", rep->reported ? "true" : "false");
        json_str("md5", rep->md5, 1);
        json_str("before", rep->before, 1);
        json_str("after", rep->after, 0);
        printf("}\n");
    } else if (result == CFOTA_CTL_OK) {
        if (!l->quiet && (rep->before[0] || rep->after[0]))
            fprintf(stderr, "cfota: %s: done: %s -> %s%s\n", l->cmd, rep->before[0] ? rep->before : "?",
                    rep->after[0] ? rep->after : "?", rep->reported ? " (reported to the FOTA server)" : "");
        else if (!l->quiet)
            fprintf(stderr, "cfota: %s: done\n", l->cmd);
    } else {
        fprintf(stderr, "cfota: %s: %s\n", l->cmd, why);
    }
    return status;
}
