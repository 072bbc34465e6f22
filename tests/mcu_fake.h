/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mcu_fake.h: a scripted fake SIM7020 for the controller library's
 * tests (tests/test_mcu_*.c), with a fake clock.
 *
 * A script is a table of steps, in the order the dialogue must happen:
 *   CMD(cmd, reply)       the host must send the line `cmd` (CR-terminated);
 *                         the module answers `reply` (NULL: nothing)
 *   CMDD(cmd, reply, ms)  the same, the answer coming ms later
 *   CMDN(cmd, reply, n)   n identical commands, each answered (a probe)
 *   DATA(n, reply, ms)    after a CMD whose reply was the prompt: the host
 *                         sends n raw bytes; the module answers reply after
 *                         ms. The bytes land in `flash` at the offset of the
 *                         AT+CFLW before, if reply contains OK.
 *   EMIT(text, ms)        the module sends text ms after its previous
 *                         output, with no command (URCs, resets, noise)
 *   EMITN(text, len, ms)  the same with explicit length (NUL bytes)
 * Anything the host sends that the script does not expect is recorded as
 * a mismatch; fake_check() fails the test with it and with the transcript.
 *
 * Time only moves in read(): a read with nothing due advances the clock
 * to the next output or by its whole timeout. Timeouts of minutes
 * therefore cost nothing, and tests never depend on real time.
 *
 * Header-only (static functions) so each test stays one source file, as
 * tests/CMakeLists.txt builds them.
 */
#ifndef CFOTA_TEST_MCU_FAKE_H
#define CFOTA_TEST_MCU_FAKE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfota_ctl/at.h"
#include "cfota_ctl/fota_ctl.h"

enum { F_END = 0, F_CMD, F_DATA, F_EMIT };

struct fake_step {
    int kind;
    const char *text;  /* F_CMD: the expected command line */
    size_t data_len;   /* F_DATA: bytes expected */
    const char *reply; /* bytes sent back, NULL for none */
    size_t reply_len;  /* 0: strlen(reply) */
    uint32_t delay_ms;
    unsigned times;    /* F_CMD: identical commands in a row (0 = 1) */
};

#define CMD(c, r) {F_CMD, c, 0, r, 0, 0, 0}
#define CMDD(c, r, d) {F_CMD, c, 0, r, 0, d, 0}
#define CMDN(c, r, n) {F_CMD, c, 0, r, 0, 0, n}
#define DATA(n, r, d) {F_DATA, NULL, n, r, 0, d, 0}
#define EMIT(r, d) {F_EMIT, NULL, 0, r, 0, d, 0}
#define EMITN(r, len, d) {F_EMIT, NULL, 0, r, len, d, 0}
#define END {F_END, NULL, 0, NULL, 0, 0, 0} /* ends a script */
#define OKR "\r\nOK\r\n"
/* What every flow sends first. */
#define PROBE CMD("AT", OKR), CMD("ATE0", OKR), CMD("AT+CMEE=1", OKR)

#define FAKE_OUT 256
#define FAKE_FLASH (600u * 1024u)
#define FAKE_LOG 16384

struct fake {
    const struct fake_step *steps;
    size_t pos;
    unsigned repeat;        /* commands already matched of steps[pos] */
    uint32_t now, last_out;
    struct {
        uint32_t at;
        const char *p;
        size_t len;
    } out[FAKE_OUT];
    size_t out_head, out_n, out_off;
    char line[1024];
    size_t line_len;
    size_t data_left;       /* raw bytes still expected */
    uint8_t data[1024];
    size_t data_got;
    uint32_t cflw_off;      /* offset of the last AT+CFLW */
    uint8_t *flash;         /* FAKE_FLASH bytes, 0xFF when erased */
    size_t max_read;        /* 0: as much as fits; 1: byte by byte */
    int fail_write, fail_read;
    int mismatch;
    char why[512];
    char log[FAKE_LOG];
    size_t log_len;
    unsigned progress_calls;
    int cancel_at_step;     /* progress returns 1 at this step (0: never) */
};

static inline void fake_log(struct fake *f, const char *tag, const char *s, size_t n)
{
    size_t i;
    for (i = 0; tag[i] && f->log_len < FAKE_LOG - 8; i++)
        f->log[f->log_len++] = tag[i];
    for (i = 0; i < n && f->log_len < FAKE_LOG - 8; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') {
            f->log[f->log_len++] = '\\';
            f->log[f->log_len++] = c == '\r' ? 'r' : 'n';
        } else {
            f->log[f->log_len++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
        }
    }
    f->log[f->log_len++] = '\n';
    f->log[f->log_len] = '\0';
}

static inline void fake_schedule(struct fake *f, const char *p, size_t len, uint32_t at)
{
    size_t slot;
    if (!p)
        return;
    if (!len)
        len = strlen(p);
    if (f->out_n == FAKE_OUT) {
        f->mismatch = 1;
        snprintf(f->why, sizeof f->why, "fake output queue full");
        return;
    }
    if (at < f->last_out)
        at = f->last_out;
    slot = (f->out_head + f->out_n++) % FAKE_OUT;
    f->out[slot].at = at;
    f->out[slot].p = p;
    f->out[slot].len = len;
    f->last_out = at;
}

/* Schedule the EMIT steps that follow the current position. */
static inline void fake_emits(struct fake *f)
{
    while (f->steps[f->pos].kind == F_EMIT) {
        const struct fake_step *s = &f->steps[f->pos++];
        uint32_t base = f->last_out > f->now ? f->last_out : f->now;
        fake_schedule(f, s->reply, s->reply_len, base + s->delay_ms);
    }
}

/* The module's update partition; one fake at a time per test program. */
static uint8_t fake_flash_mem[FAKE_FLASH];

static inline void fake_init(struct fake *f, const struct fake_step *steps)
{
    memset(f, 0, sizeof *f);
    f->steps = steps;
    f->now = 1000;
    f->flash = fake_flash_mem;
    memset(f->flash, 0xFF, FAKE_FLASH);
    fake_emits(f);  /* output before any command */
}

static inline void fake_line(struct fake *f)
{
    const struct fake_step *s = &f->steps[f->pos];
    unsigned times;
    f->line[f->line_len] = '\0';
    fake_log(f, "> ", f->line, f->line_len);
    if (f->mismatch)
        return;
    if (s->kind != F_CMD || strcmp(s->text, f->line) != 0) {
        f->mismatch = 1;
        snprintf(f->why, sizeof f->why, "step %u: expected %.200s, host sent \"%.200s\"", (unsigned)f->pos,
                 s->kind == F_CMD ? s->text : s->kind == F_DATA ? "data" : "nothing", f->line);
        return;
    }
    if (strncmp(f->line, "AT+CFLW=", 8) == 0) {
        unsigned m, a, n, off;
        if (sscanf(f->line + 8, "%u,%u,%u,%u", &m, &a, &n, &off) == 4)
            f->cflw_off = off;
    }
    fake_schedule(f, s->reply, s->reply_len, f->now + s->delay_ms);
    times = s->times ? s->times : 1;
    if (++f->repeat < times)
        return;
    f->repeat = 0;
    f->pos++;
    if (f->steps[f->pos].kind == F_DATA) {
        f->data_left = f->steps[f->pos].data_len;
        f->data_got = 0;
    } else {
        fake_emits(f);
    }
}

static inline void fake_data_done(struct fake *f)
{
    const struct fake_step *s = &f->steps[f->pos++];
    if (s->reply && strstr(s->reply, "OK") && f->cflw_off + f->data_got <= FAKE_FLASH)
        memcpy(f->flash + f->cflw_off, f->data, f->data_got);
    fake_log(f, "> [data] ", "", 0);
    fake_schedule(f, s->reply, s->reply_len, f->now + s->delay_ms);
    fake_emits(f);
}

static inline int fake_write(void *ctx, const void *buf, size_t len)
{
    struct fake *f = (struct fake *)ctx;
    const uint8_t *b = (const uint8_t *)buf;
    size_t i;
    if (f->fail_write)
        return -1;
    for (i = 0; i < len; i++) {
        if (f->data_left) {
            if (f->data_got < sizeof f->data)
                f->data[f->data_got++] = b[i];
            if (--f->data_left == 0)
                fake_data_done(f);
            continue;
        }
        if (b[i] == '\r') {
            fake_line(f);
            f->line_len = 0;
        } else if (b[i] != '\n' && f->line_len < sizeof f->line - 1) {
            f->line[f->line_len++] = (char)b[i];
        }
    }
    return 0;
}

static inline int fake_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct fake *f = (struct fake *)ctx;
    size_t n, slot = f->out_head;
    if (f->fail_read)
        return -1;
    if (f->out_n == 0 || f->out[slot].at > f->now + timeout_ms) {
        f->now += timeout_ms;
        return 0;
    }
    if (f->out[slot].at > f->now)
        f->now = f->out[slot].at;
    n = f->out[slot].len - f->out_off;
    if (n > cap)
        n = cap;
    if (f->max_read && n > f->max_read)
        n = f->max_read;
    memcpy(buf, f->out[slot].p + f->out_off, n);
    fake_log(f, "< ", f->out[slot].p + f->out_off, n);
    f->out_off += n;
    if (f->out_off == f->out[slot].len) {
        f->out_head = (f->out_head + 1) % FAKE_OUT;
        f->out_n--;
        f->out_off = 0;
    }
    return (int)n;
}

static inline uint32_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

static inline int fake_progress(void *ctx, int step, uint32_t done, uint32_t total)
{
    struct fake *f = (struct fake *)ctx;
    (void)done;
    (void)total;
    f->progress_calls++;
    return f->cancel_at_step && step == f->cancel_at_step;
}

static inline void fake_config(struct fake *f, struct cfota_ctl_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->at.ctx = f;
    cfg->at.write = fake_write;
    cfg->at.read = fake_read;
    cfg->at.now_ms = fake_now;
    cfg->progress = fake_progress;
    cfg->progress_ctx = f;
}

/* 1 if the whole script ran and nothing unexpected was sent; prints why
 * not, with the transcript. */
static inline int fake_ok(const struct fake *f)
{
    if (!f->mismatch && f->steps[f->pos].kind == F_END)
        return 1;
    fprintf(stderr, "fake module: %s\n", f->mismatch ? f->why : "script not finished");
    if (!f->mismatch)
        fprintf(stderr, "  stopped at step %u (%s)\n", (unsigned)f->pos,
                f->steps[f->pos].text ? f->steps[f->pos].text : "data/emit");
    fprintf(stderr, "transcript:\n%s", f->log);
    return 0;
}

#endif
