/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/runner.c: the `cfota modem` process (runner.h).
 *
 * State directory: "flash.bin" (4 MiB, the module's NOR flash, written
 * through on every program and erase, so a kill leaves exactly what the
 * flash would hold), "flash.bin.wear" (erase counts) and "settings" (the
 * AUTO_SAVE settings, rewritten atomically when one changes). A blank
 * flash gets the firmware image at first start.
 *
 * The loop waits in poll() for input, for the network (the sockets of
 * the HTTP transfers, http_client.c, and of AT+CSOC/AT+CIPSTART,
 * sock_client.c) or for the core's next event
 * (modem_next_event) and passes the monotonic time in milliseconds. A
 * flash operation that fails because the armed --power-cut-after cut
 * happened ends the process with status 75, as if the power went.
 */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE /* ppoll(): the stop signals are let in only while waiting */

#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "flashsim.h"
#include "http_client.h"
#include "sign.h"
#include "cfota_mbedtls.h"
#include "sock_client.h"

#define EXIT_POWER_CUT 75
#define DEFAULT_VERSION "1752B05SIM7020C"
#define DEFAULT_IMAGE_SIZE 65536u

struct runner {
    struct modem *m;
    struct modem_link link;
    struct flashsim *sim;
    struct http_client *http;
    struct sock_client *sock;
    char dir[4096];
    char settings_path[4200];
    int trace;
    uint64_t t0;
    struct bytes out;  /* what the core sent during one call */
    /* --speed real: when each direction of the serial line is free again
     * (microseconds of clock_us()); a byte takes 10 bit times (8N1). */
    uint64_t rx_free_us, tx_free_us;
    /* The provisioned release key, if any (modem_config.trust). */
    struct cfota_mbedtls_key key;
    struct cfota_verifier trust;
    int trusted;
};

static uint64_t clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* --speed real paces the line at the AT+IPR rate (115200 while it is 0,
 * auto-bauding): n bytes occupy the line n * 10 / rate seconds after it
 * is free, and the bytes are only handed on (received) or the next ones
 * only sent (transmitted) when that time has come. So a host sees the
 * throughput of a real UART, the AT overhead included. */
static void pace(struct runner *r, uint64_t *free_us, size_t n)
{
    uint32_t rate = r->m->settings.ipr ? r->m->settings.ipr : 115200u;
    uint64_t now = clock_us(), start = *free_us > now ? *free_us : now;
    if (r->m->cfg.speed != MODEM_SPEED_REAL || n == 0)
        return;
    *free_us = start + (uint64_t)n * 10u * 1000000u / rate;
    while ((now = clock_us()) < *free_us) {
        uint64_t left = *free_us - now;
        struct timespec ts = {(time_t)(left / 1000000u), (long)(left % 1000000u) * 1000L};
        nanosleep(&ts, NULL);
    }
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = sig;
}

/* The stop signals are blocked except inside this wait: one that comes
 * while the loop works is delivered as the wait starts, so the wait
 * returns at once. With a plain poll() a SIGTERM arriving between the
 * loop's check of stop_requested and the poll() was lost until the next
 * event, forever when none came (a `cfota modem` that would not stop). */
static sigset_t wait_mask;

static void block_stop_signals(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
}

static int wait_events(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tp = &ts;
    }
    return ppoll(fds, n, tp, &wait_mask);
}

static uint64_t clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- --trace ---- */

static void trace_bytes(struct runner *r, const char *dir, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;
    if (!r->trace || len == 0)
        return;
    fprintf(stderr, "[%8llu %s] ", (unsigned long long)(clock_ms() - r->t0), dir);
    for (i = 0; i < len; i++) {
        if (p[i] == '\r')
            fputs("\\r", stderr);
        else if (p[i] == '\n')
            fputs("\\n", stderr);
        else if (p[i] == '\\')
            fputs("\\\\", stderr);
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            fputc(p[i], stderr);
        else
            fprintf(stderr, "\\x%02x", p[i]);
    }
    fputc('\n', stderr);
}

/* At exit, however the run ends: the serial line's totals, both
 * directions, as the core counted them (modem_line_counts). */
static void trace_line_counts(struct runner *r)
{
    struct modem_line_counts c = modem_line_counts(r->m);
    if (r->trace)
        fprintf(stderr, "[%8llu --] line: %llu bytes received, %llu bytes sent\n",
                (unsigned long long)(clock_ms() - r->t0), (unsigned long long)c.received,
                (unsigned long long)c.sent);
}

/* ---- the core's callbacks ---- */

/* The core's output is collected during one call and sent after it, so
 * an echoed line goes out in one write and shows as one trace line. */
static void io_write(void *ctx, const void *data, size_t len)
{
    struct runner *r = ctx;
    bytes_put(&r->out, data, len);
}

static void flush_output(struct runner *r)
{
    trace_bytes(r, "tx", r->out.p, r->out.n);
    link_write(&r->link, r->out.p, r->out.n);
    pace(r, &r->tx_free_us, r->out.n);
    r->out.n = 0;
}

static void io_save(void *ctx, const struct modem_settings *s)
{
    struct runner *r = ctx;
    char text[2048];
    size_t n = modem_settings_format(s, text, sizeof text);
    if (n == 0 || bytes_write_file(r->settings_path, text, n) != 0)
        fprintf(stderr, "cfota: modem: %s: cannot save settings: %s\n", r->settings_path, strerror(errno));
}

static void io_log(void *ctx, const char *msg)
{
    struct runner *r = ctx;
    if (r->trace)
        fprintf(stderr, "[%8llu --] %s\n", (unsigned long long)(clock_ms() - r->t0), msg);
}

/* ---- setup ---- */

static int make_dir(struct runner *r, const char *dir)
{
    if (!dir) {
        snprintf(r->dir, sizeof r->dir, "/tmp/cfota-modem-XXXXXX");
        if (!mkdtemp(r->dir)) {
            fprintf(stderr, "cfota: modem: cannot make a temporary directory: %s\n", strerror(errno));
            return -1;
        }
        return 0;
    }
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (mkdir(r->dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cfota: modem: --state %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* A blank module gets its firmware: --firmware, or a test image. */
static int program_firmware(const struct modem_flash_map *map, const struct modem_run_options *o)
{
    struct bytes img = {0};
    const char *version = o->version ? o->version : DEFAULT_VERSION;
    int rc;

    if (o->firmware) {
        if (bytes_read_file(&img, o->firmware) != 0) {
            fprintf(stderr, "cfota: modem: --firmware %s: %s\n", o->firmware, strerror(errno));
            return -1;
        }
    } else {
        uint32_t i, x = 12345;
        for (i = 0; i < DEFAULT_IMAGE_SIZE; i++) {
            x = x * 1103515245u + 12345u;
            bytes_byte(&img, (uint8_t)(x >> 16));
        }
    }
    rc = modem_factory_program(map, img.p, (uint32_t)img.n, version);
    bytes_free(&img);
    if (rc != CFOTA_OK) {
        fprintf(stderr, "cfota: modem: cannot program the firmware (%s): %s\n", version,
                rc == CFOTA_E_NOSPC ? "image larger than the firmware region (3,207,168 bytes)"
                : rc == CFOTA_E_INVAL ? "version must be 1-32 printable characters"
                                      : cfota_status_name(rc));
        return -1;
    }
    return 0;
}

/* The key the module trusts: --trust (also kept in the state directory,
 * as provisioning is kept in a real module's flash), else the one kept
 * there before, else none. */
static int load_trust(struct runner *r, const struct modem_run_options *o)
{
    char kept[4200], why[300];
    struct bytes pem = {0};
    snprintf(kept, sizeof kept, "%s/trust.pub", r->dir);
    if (o->trust) {
        if (host_verifier_load(o->trust, &r->key, &r->trust, why, sizeof why) != CFOTA_OK) {
            fprintf(stderr, "cfota: modem: --trust: %s\n", why);
            return -1;
        }
        if (bytes_read_file(&pem, o->trust) != 0 || bytes_write_file(kept, pem.p, pem.n) != 0) {
            fprintf(stderr, "cfota: modem: cannot keep the key in %s\n", kept);
            bytes_free(&pem);
            return -1;
        }
        bytes_free(&pem);
    } else if (access(kept, F_OK) == 0) {
        if (host_verifier_load(kept, &r->key, &r->trust, why, sizeof why) != CFOTA_OK) {
            fprintf(stderr, "cfota: modem: %s\n", why);
            return -1;
        }
    } else {
        return 0;
    }
    r->trusted = 1;
    return 0;
}

/* The product id: --product (kept in the state directory as its decimal
 * text, like the key), else the one kept there before, else 0. */
static int load_product(struct runner *r, const struct modem_run_options *o, uint32_t *id)
{
    char kept[4200], text[16];
    struct bytes b = {0};
    const char *src = o->product;
    char *end;
    unsigned long v;
    snprintf(kept, sizeof kept, "%s/product", r->dir);
    *id = 0;
    if (!src) {
        if (access(kept, F_OK) != 0)
            return 0;
        if (bytes_read_file(&b, kept) != 0 || b.n == 0 || b.n >= sizeof text) {
            fprintf(stderr, "cfota: modem: %s: not a product id\n", kept);
            bytes_free(&b);
            return -1;
        }
        memcpy(text, b.p, b.n);
        while (b.n && (text[b.n - 1] == '\n' || text[b.n - 1] == '\r'))
            b.n--; /* a file written by hand ends its line */
        text[b.n] = 0;
        bytes_free(&b);
        src = text;
    }
    errno = 0;
    v = strtoul(src, &end, 10);
    if (errno || end == src || *end || v > 0xFFFFFFFFul) {
        fprintf(stderr, "cfota: modem: product id '%s' is not a number 0-4294967295\n", src);
        return -1;
    }
    *id = (uint32_t)v;
    if (o->product && bytes_write_file(kept, o->product, strlen(o->product)) != 0) {
        fprintf(stderr, "cfota: modem: cannot keep the product id in %s\n", kept);
        return -1;
    }
    return 0;
}

static int setup(struct runner *r, const struct modem_run_options *o, struct modem_flash_map *map,
                 struct modem_settings *settings)
{
    char path[4200];
    struct bytes text = {0};
    struct modem_record rec;

    if (make_dir(r, o->state_dir) != 0 || load_trust(r, o) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/flash.bin", r->dir);
    snprintf(r->settings_path, sizeof r->settings_path, "%s/settings", r->dir);
    r->sim = flashsim_open(path, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
    if (!r->sim) {
        fprintf(stderr, "cfota: modem: %s: cannot open the flash file\n", path);
        return -1;
    }
    if (modem_flash_map_init(map, flashsim_flash(r->sim)) != CFOTA_OK)
        return -1;
    if (modem_record_load(map, &rec) != CFOTA_OK) {
        if (program_firmware(map, o) != 0)
            return -1;
    } else if (o->firmware) {
        fprintf(stderr, "cfota: modem: %s already holds firmware %s; --firmware ignored\n", r->dir,
                rec.version);
    }
    if (bytes_read_file(&text, r->settings_path) == 0)
        modem_settings_parse(settings, (const char *)text.p, text.n);
    else
        modem_settings_default(settings);
    bytes_free(&text);
    /* --fota-server is applied at every power-on, as if the host had
     * sent AT+CFOTASRV; the module may change it later. */
    if (o->fota_url) {
        snprintf(settings->fota_url, sizeof settings->fota_url, "%s", o->fota_url);
        if (o->device_token)
            snprintf(settings->fota_token, sizeof settings->fota_token, "%s", o->device_token);
    }
    return 0;
}

static int open_link(struct runner *r, const struct modem_run_options *o)
{
    FILE *info = o->info ? o->info : stdout;
    switch (o->link) {
    case MODEM_LINK_STDIO: return link_open_stdio(&r->link);
    case MODEM_LINK_TCP: return link_open_tcp(&r->link, o->tcp_port, info);
    default: return link_open_pty(&r->link, o->symlink, info);
    }
}

static void remove_temp_state(struct runner *r)
{
    char path[4200];
    static const char *const files[] = {"flash.bin", "flash.bin.wear", "settings", "trust.pub"};
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", r->dir, files[i]);
        unlink(path);
    }
    rmdir(r->dir);
}

/* ---- the loop ---- */

static int loop(struct runner *r)
{
    uint8_t buf[4096];

    for (;;) {
        struct pollfd fds[2 + 16 + MODEM_SOCK_SLOTS];
        int nfds = link_poll_fds(&r->link, fds), timeout = -1, nnet, nsock;
        uint64_t next = modem_next_event(r->m), now = clock_ms();
        long n;

        if (next != MODEM_NEVER)
            timeout = next <= now ? 0 : (next - now > 60000 ? 60000 : (int)(next - now));
        nnet = http_client_fds(r->http, fds + nfds, 16, &timeout);
        nsock = sock_client_fds(r->sock, fds + nfds + nnet, MODEM_SOCK_SLOTS, &timeout, now);
        if (wait_events(fds, (nfds_t)(nfds + nnet + nsock), timeout) < 0 && errno != EINTR)
            return 1;
        if (stop_requested)
            return 0;
        n = link_read(&r->link, fds, nfds, buf, sizeof buf);
        if (n < 0)
            return 0; /* end of stdin */
        pace(r, &r->rx_free_us, (size_t)(n > 0 ? n : 0));
        trace_bytes(r, "rx", buf, (size_t)n);
        if (n > 0)
            modem_input(r->m, buf, (size_t)n, clock_ms());
        else
            modem_tick(r->m, clock_ms());
        http_client_run(r->http, clock_ms());
        sock_client_run(r->sock, clock_ms());
        flush_output(r);
        if (!flashsim_powered(r->sim)) {
            if (r->trace)
                fprintf(stderr, "[%8llu --] power cut\n", (unsigned long long)(clock_ms() - r->t0));
            return EXIT_POWER_CUT;
        }
    }
}

int modem_run(const struct modem_run_options *o)
{
    struct runner r;
    struct modem_flash_map map;
    struct modem_settings settings;
    struct modem_config cfg = o->cfg;
    struct sigaction sa;
    int rc = 1;

    memset(&r, 0, sizeof r);
    r.trace = o->trace;
    r.t0 = clock_ms();
    r.link.in_fd = r.link.out_fd = r.link.listen_fd = r.link.slave_fd = -1;
    r.m = calloc(1, sizeof *r.m);
    if (!r.m || setup(&r, o, &map, &settings) != 0 || open_link(&r, o) != 0)
        goto out;
    r.http = http_client_new(r.m);
    r.sock = sock_client_new(r.m);
    if (!r.http || !r.sock) {
        fprintf(stderr, "cfota: modem: cannot set up libcurl or the sockets\n");
        goto out;
    }
    sock_client_pace(r.sock, cfg.speed == MODEM_SPEED_REAL);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    block_stop_signals();
    signal(SIGPIPE, SIG_IGN);

    cfg.io.ctx = &r;
    cfg.io.write = io_write;
    cfg.io.save = io_save;
    cfg.io.log = io_log;
    cfg.http = http_client_ops(r.http);
    cfg.trust = r.trusted ? &r.trust : NULL;
    if (load_product(&r, o, &cfg.product_id) != 0)
        goto out;
    cfg.sock = sock_client_ops(r.sock);
    if (modem_init(r.m, &cfg, &settings, &map, clock_ms()) != CFOTA_OK) {
        fprintf(stderr, "cfota: modem: bad configuration\n");
        goto out;
    }
    if (o->power_cut_after != FLASHSIM_NO_CUT)
        flashsim_set_power_cut(r.sim, o->power_cut_after, o->power_cut_after);
    rc = loop(&r);
    trace_line_counts(&r);
out:
    http_client_free(r.http);
    sock_client_free(r.sock);
    link_close(&r.link);
    flashsim_close(r.sim);
    if (!o->state_dir && r.dir[0])
        remove_temp_state(&r);
    free(r.m);
    bytes_free(&r.out);
    return rc;
}
