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

static int show_step(void *ctx, int step, uint32_t done, uint32_t total)
{
    struct ctl_link *l = ctx;
    int byte_step = step == CFOTA_CTL_STEP_WRITE || step == CFOTA_CTL_STEP_HTTP_GET;
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
        if (l->last_step && isatty(2))
            fputc('\n', stderr);
        l->last_step = step;
        l->step_start = now_s();
        if (!isatty(2) || !byte_step)
            fprintf(stderr, "cfota: %s: %s\n", l->cmd, cfota_ctl_step_name(step));
    }
    if (byte_step && total && isatty(2)) {
        double t = now_s() - l->step_start, rate = t > 0 ? done / t : 0;
        int width = 30, fill = (int)((double)done / total * width);
        fprintf(stderr, "\r%-10s [%.*s%*s] %3u%% %u/%u bytes %.1f kB/s", cfota_ctl_step_name(step), fill,
                "##############################", width - fill, "", (unsigned)((uint64_t)done * 100 / total),
                (unsigned)done, (unsigned)total, rate / 1000);
        fflush(stderr);
    }
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
    memset(l, 0, sizeof *l);
    l->cmd = cmd;
    l->json = json;
    l->quiet = quiet;
    l->trace = trace_on;
    l->port.fd = -1;
    if (!port)
        return report_fail(cmd, "no serial port: give --port DEV (e.g. /dev/ttyUSB0, or the link of cfota modem)"),
               EXIT_USAGE;
    if (baud) {
        char *end;
        b = strtoul(baud, &end, 10);
        if (*end || end == baud)
            return report_fail(cmd, "--baud wants a number, not '%s'", baud), EXIT_USAGE;
    }
    if (serial_open(&l->port, port, (unsigned)b) != 0)
        return report_fail(cmd, "%s: %s", port, errno == EINVAL ? "baud rate not supported" : strerror(errno)),
               EXIT_LINK;
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
    printf("\"%s\":\"", key);
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    printf("\"%s", comma ? "," : "");
}

int ctl_link_finish(struct ctl_link *l, int result, const struct cfota_ctl_report *rep)
{
    int status = result == CFOTA_CTL_OK ? 0
                 : result == CFOTA_CTL_E_NO_MODULE || result == CFOTA_CTL_E_IO ? EXIT_LINK
                 : result == CFOTA_CTL_E_REJECTED || result == CFOTA_CTL_E_UPDATE_FAIL ? EXIT_REFUSED
                                                                                      : 1;
    if (!l->quiet && !l->json && l->last_step && isatty(2))
        fputc('\n', stderr);
    if (l->timed_step == CFOTA_CTL_STEP_WRITE && l->upload_end == 0)
        l->upload_end = now_s();
    if (l->json) {
        printf("{\"result\":%d,", result);
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
        fprintf(stderr, "cfota: %s: %s (at step: %s", l->cmd, cfota_ctl_error_name(result),
                cfota_ctl_step_name(rep->step));
        if (rep->cme >= 0)
            fprintf(stderr, ", +CME ERROR: %d", (int)rep->cme);
        if (rep->http)
            fprintf(stderr, ", HTTP %d", (int)rep->http);
        fprintf(stderr, ")\n");
    }
    return status;
}
