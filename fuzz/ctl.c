/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/ctl.c: the controller library (controller/) against a module that
 * says anything: its AT channel under every flow of cfota_ctl/fota_ctl.h.
 *
 * Input: [flow u8][variant u8] then what the module sends, as pieces
 * [delay u8][n u8][n bytes]: a piece arrives delay*100 ms after the host
 * has read the one before (reads return what has arrived; a read with
 * nothing due lets its whole timeout pass on a fake clock). flow % 8:
 * bearer, OTA, local upload, HTTP download, status, wait for the update,
 * report, and the bare channel (commands, data, polls and URCs).
 *
 * Properties: no memory error or undefined behaviour, every flow ends
 * (the fake clock bounds it) with CFOTA_CTL_OK or a named error and a
 * named step; the report's strings are terminated; and the raw bytes the
 * host sends after an AT+CFLW=...,<len>,<offset>,... command are exactly
 * the package's bytes at that offset, never more than len.
 *
 * Seeds: each flow run against the module emulator (modem/) in process,
 * the module's side recorded as pieces: real dialogues, a local update
 * with a real package among them.
 */
#include "cfota_ctl/fota_ctl.h"
#include "flashsim.h"
#include "material.h"
#include "modem.h"

#define SRC_MAX 4096u
#define FLOWS 8

/* ---- the package the upload flow sends ---- */

static uint8_t src_bytes[SRC_MAX];
static size_t src_len;

static int src_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    FUZZ_CHECK(off <= src_len && len <= src_len - off, "source read %u+%u of %zu", off, len,
               src_len);
    memcpy(buf, src_bytes + off, len);
    return 0;
}

/* ---- what the host sends: CFLW data is checked against the source ---- */

struct tx_check {
    char line[256];
    size_t line_len;
    uint32_t data_left, data_off; /* raw bytes expected after a CFLW */
    int cflw_pending;             /* a CFLW line was sent, its data may follow */
};

static void tx_byte_line(struct tx_check *t, uint8_t c)
{
    unsigned mode, len, off, timeout;
    if (c != '\r') {
        if (t->line_len < sizeof t->line - 1)
            t->line[t->line_len++] = (char)c;
        return;
    }
    t->line[t->line_len] = 0;
    t->line_len = 0;
    t->cflw_pending = 0;
    if (sscanf(t->line, "AT+CFLW=%u,%*u,%u,%u,%u", &mode, &len, &off, &timeout) == 4 &&
        mode == 0) {
        t->cflw_pending = 1;
        t->data_left = len;
        t->data_off = off;
    }
}

/* Bytes the host sent. A write right after a CFLW line that is not a
 * command is its data (the channel writes data in one call, a command
 * and its CR in two). */
static void tx_check(struct tx_check *t, const uint8_t *p, size_t n)
{
    size_t i;
    if (t->cflw_pending && t->line_len == 0 && !(n >= 2 && p[0] == 'A' && p[1] == 'T')) {
        FUZZ_CHECK(n <= t->data_left, "%zu data bytes after a CFLW of %u", n, t->data_left);
        FUZZ_CHECK(t->data_off <= src_len && n <= src_len - t->data_off &&
                       memcmp(p, src_bytes + t->data_off, n) == 0,
                   "CFLW data at %u is not the package's", t->data_off);
        t->data_left -= (uint32_t)n;
        t->data_off += (uint32_t)n;
        t->cflw_pending = t->data_left > 0;
        return;
    }
    t->cflw_pending = 0;
    for (i = 0; i < n; i++)
        tx_byte_line(t, p[i]);
}

/* ---- the fuzzed module ---- */

struct fake {
    struct fuzz_in in;
    uint32_t now;
    uint32_t due;          /* when the current piece arrives */
    const uint8_t *piece;  /* its bytes not yet read */
    size_t piece_left;
    int have_piece;
    struct tx_check tx;
};

static void next_piece(struct fake *f)
{
    uint8_t delay = take_u8(&f->in);
    f->have_piece = f->in.n > 0;
    if (!f->have_piece)
        return;
    f->piece = take_bytes(&f->in, take_u8(&f->in), &f->piece_left);
    f->due = f->now + delay * 100u;
}

static int fake_write(void *ctx, const void *buf, size_t len)
{
    struct fake *f = ctx;
    tx_check(&f->tx, buf, len);
    return 0;
}

static int fake_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct fake *f = ctx;
    size_t n;
    if (!f->have_piece) {
        f->now += timeout_ms;
        return 0;
    }
    if ((int32_t)(f->due - f->now) > (int32_t)timeout_ms) {
        f->now += timeout_ms;
        return 0;
    }
    if ((int32_t)(f->due - f->now) > 0)
        f->now = f->due;
    n = f->piece_left < cap ? f->piece_left : cap;
    memcpy(buf, f->piece, n);
    f->piece += n;
    f->piece_left -= n;
    if (f->piece_left == 0)
        next_piece(f);
    return (int)n;
}

static uint32_t fake_now(void *ctx) { return ((struct fake *)ctx)->now; }

static void config(struct cfota_ctl_config *c, const struct cfota_at_config *at, uint8_t variant)
{
    memset(c, 0, sizeof *c);
    c->at = *at;
    /* Short limits: the fake clock makes waits free, but every timeout
     * is a loop of polls, and a fuzzer wants many runs a second. */
    c->cmd_ms = 1000;
    c->radio_ms = 2000;
    c->register_ms = 10000;
    c->download_ms = 60000;
    c->http_ms = 60000;
    c->update_ms = 60000;
    c->boot_ms = 10000;
    c->erase_ms_per_block = 200;
    c->chunk = (uint16_t)(variant & 1 ? 512 : 64 + (variant & 0x70));
    c->cflw_timeout_s = 30;
    c->retries = variant & 2 ? 3 : 0;
    c->restarts = variant & 4 ? 1 : CFOTA_CTL_NO_RESTART;
    c->probe_tries = 2;
    c->baud = variant & 8 ? CFOTA_CTL_NO_BAUD : 115200;
    c->stage_only = (variant & 0x80) != 0;
}

static void check_terminated(const char *s, size_t cap, const char *what)
{
    FUZZ_CHECK(memchr(s, 0, cap) != NULL, "%s not terminated", what);
}

static void check_report(int rc, const struct cfota_ctl_report *rep)
{
    FUZZ_CHECK(rc == CFOTA_CTL_OK || strcmp(cfota_ctl_error_name(rc), "unknown status") != 0,
               "unnamed result %d", rc);
    FUZZ_CHECK(strcmp(cfota_ctl_step_name(rep->step), "unknown step") != 0, "step %d",
               rep->step);
    check_terminated(rep->md5, sizeof rep->md5, "md5");
    check_terminated(rep->before, sizeof rep->before, "before");
    check_terminated(rep->after, sizeof rep->after, "after");
}

/* The md5 of the source, in hex. */
static void src_md5(char hex[33])
{
    struct cfota_md5 m;
    uint8_t d[16];
    cfota_md5_init(&m);
    cfota_md5_update(&m, src_bytes, src_len);
    cfota_md5_final(&m, d);
    cfota_md5_hex(d, hex);
}

static void make_source(void)
{
    struct fuzz_buf old = {0}, new_ = {0};
    struct bytes pkg = {0};
    if (src_len)
        return;
    material_pair(0, &old, &new_);
    old.p[0] |= 1;
    if (material_package(&old, &new_, 1, 0, 4096, &pkg) != 0 || pkg.n > SRC_MAX)
        abort();
    memcpy(src_bytes, pkg.p, pkg.n);
    src_len = pkg.n;
    bytes_free(&pkg);
    fuzz_buf_free(&old);
    fuzz_buf_free(&new_);
}

/* Run flow number flow on a controller over link at. */
static int run_flow(unsigned flow, uint8_t variant, const struct cfota_at_config *at)
{
    static struct cfota_ctl ctl;
    struct cfota_ctl_config cfg;
    struct cfota_ctl_report rep;
    struct cfota_ctl_source src = {NULL, src_read, 0};
    char md5[33];
    int rc = CFOTA_CTL_OK;
    config(&cfg, at, variant);
    memset(&rep, 0, sizeof rep);
    if (cfota_ctl_init(&ctl, &cfg) != CFOTA_CTL_OK)
        return -1;
    src.len = (uint32_t)src_len;
    src_md5(md5);
    switch (flow % FLOWS) {
    case 0: {
        struct cfota_ctl_bearer_info info;
        rc = cfota_ctl_bearer(&ctl, variant & 0x10 ? "3GNET" : NULL, &info, &rep);
        check_terminated(info.oper, sizeof info.oper, "operator");
        check_terminated(info.apn, sizeof info.apn, "apn");
        check_terminated(info.addr, sizeof info.addr, "address");
        break;
    }
    case 1:
        rc = cfota_ctl_ota(&ctl, variant & 0x10 ? "2.0" : NULL, &rep);
        break;
    case 2:
        rc = cfota_ctl_upload(&ctl, &src, md5, variant & 0x10 ? "2.0" : NULL, &rep);
        break;
    case 3:
        rc = cfota_ctl_http(&ctl, "http://127.0.0.1:8070/d/v1/pkg/x", (uint32_t)src_len, md5,
                            "2.0", &rep);
        break;
    case 4: {
        struct cfota_ctl_status st;
        memset(&st, 0, sizeof st);
        rc = cfota_ctl_status(&ctl, "1.0", "2.0", 3000, &st);
        check_terminated(st.version, sizeof st.version, "version");
        FUZZ_CHECK(strcmp(cfota_ctl_state_name(st.state), "unknown state") != 0, "state %d",
                   st.state);
        FUZZ_CHECK(strcmp(cfota_ctl_action_name(st.action), "unknown action") != 0,
                   "action %d", st.action);
        break;
    }
    case 5:
        rc = cfota_ctl_wait_update(&ctl, "2.0", &rep);
        break;
    case 6:
        rc = cfota_ctl_report_result(&ctl);
        break;
    default: {
        /* The bare channel: the commands the flows use, data, URCs. */
        struct cfota_at *a = cfota_ctl_at(&ctl);
        struct cfota_at_urc urc;
        uint32_t v;
        char field[40];
        unsigned i;
        rc = cfota_at_cmd(a, "AT+CGMR", NULL, 1000);
        rc = cfota_at_cmd(a, "AT+CSQ", "+CSQ:", 1000);
        if (cfota_at_find(a, "+CSQ:")) {
            cfota_at_field_uint(cfota_at_find(a, "+CSQ:") + 5, 0, &v);
            cfota_at_field_str(cfota_at_find(a, "+CSQ:") + 5, 1, field, sizeof field);
        }
        for (i = 0; cfota_at_line(a, i); i++)
            FUZZ_CHECK(strlen(cfota_at_line(a, i)) < CFOTA_AT_LINE_MAX + 1, "line length");
        rc = cfota_at_cmd_data(a, "AT+CFLW=0,0,16,0,30", src_bytes, 16, 1000, 1000);
        cfota_at_poll(a, 2000);
        while (cfota_at_urc_pop(a, &urc))
            FUZZ_CHECK(memchr(urc.text, 0, sizeof urc.text) != NULL, "URC not terminated");
        cfota_at_wait_urc(a, &urc, 2000);
        cfota_at_drain(a);
        return rc;
    }
    }
    check_report(rc, &rep);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fake f;
    struct cfota_at_config at;
    uint8_t flow, variant;
    make_source();
    memset(&f, 0, sizeof f);
    f.in.p = data;
    f.in.n = size;
    flow = take_u8(&f.in);
    variant = take_u8(&f.in);
    next_piece(&f);
    memset(&at, 0, sizeof at);
    at.ctx = &f;
    at.write = fake_write;
    at.read = fake_read;
    at.now_ms = fake_now;
    run_flow(flow, variant, &at);
    return 0;
}

/* ---- seeds: the flows against the emulator, the module's side kept ---- */

struct recorder {
    struct modem m;
    struct modem_config cfg;
    struct flashsim *sim;
    struct modem_flash_map map;
    uint8_t out[65536];
    size_t out_len;
    uint64_t now;
    uint64_t last_piece; /* when the module's previous piece was read */
    struct fuzz_buf seed;
};

static void rec_module_write(void *ctx, const void *p, size_t n)
{
    struct recorder *r = ctx;
    if (r->out_len + n <= sizeof r->out) {
        memcpy(r->out + r->out_len, p, n);
        r->out_len += n;
    }
}

static int rec_write(void *ctx, const void *buf, size_t len)
{
    struct recorder *r = ctx;
    modem_input(&r->m, buf, len, r->now);
    return 0;
}

static int rec_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct recorder *r = ctx;
    uint64_t until = r->now + timeout_ms;
    size_t n, at;
    while (r->out_len == 0 && r->now < until) {
        uint64_t next = modem_next_event(&r->m);
        r->now = next > r->now && next < until ? next : until;
        modem_tick(&r->m, r->now);
    }
    if (r->out_len == 0)
        return 0;
    n = r->out_len < cap ? r->out_len : cap;
    if (n > 255)
        n = 255;
    memcpy(buf, r->out, n);
    /* The piece as the fuzz input says it: its delay and bytes. */
    at = (size_t)((r->now - r->last_piece) / 100);
    fuzz_put_u8(&r->seed, (uint8_t)(at > 255 ? 255 : at));
    fuzz_put_u8(&r->seed, (uint8_t)n);
    fuzz_put(&r->seed, r->out, n);
    r->last_piece = r->now;
    memmove(r->out, r->out + n, r->out_len - n);
    r->out_len -= n;
    return (int)n;
}

static uint32_t rec_now(void *ctx) { return (uint32_t)((struct recorder *)ctx)->now; }

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    static const uint8_t variants[] = {0x11, 0x07, 0x91};
    struct recorder *r = calloc(1, sizeof *r);
    struct fuzz_buf old = {0}, new_ = {0};
    unsigned flow, v;
    char name[32];
    int rc;
    FUZZ_CHECK(r != NULL, "calloc");
    make_source();
    material_pair(0, &old, &new_);
    old.p[0] |= 1;
    for (flow = 0; flow < FLOWS; flow++) {
        for (v = 0; v < sizeof variants; v++) {
            struct cfota_at_config at;
            r->sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
            FUZZ_CHECK(r->sim && modem_flash_map_init(&r->map, flashsim_flash(r->sim)) == 0,
                       "module flash");
            FUZZ_CHECK(modem_factory_program(&r->map, old.p, (uint32_t)old.n, "1.0") == 0,
                       "factory");
            modem_config_default(&r->cfg);
            r->cfg.echo = (v & 1) != 0;
            r->cfg.io.ctx = r;
            r->cfg.io.write = rec_module_write;
            r->now = r->last_piece = 0;
            r->out_len = 0;
            FUZZ_CHECK(modem_init(&r->m, &r->cfg, NULL, &r->map, 0) == 0, "module init");
            r->seed.n = 0;
            fuzz_put_u8(&r->seed, (uint8_t)flow);
            fuzz_put_u8(&r->seed, variants[v]);
            memset(&at, 0, sizeof at);
            at.ctx = r;
            at.write = rec_write;
            at.read = rec_read;
            at.now_ms = rec_now;
            rc = run_flow(flow, variants[v], &at);
            if (getenv("CFOTA_FUZZ_VERBOSE"))
                fprintf(stderr, "ctl seed flow %u: %d (%s), %zu bytes, %llu ms\n", flow, rc,
                        cfota_ctl_error_name(rc), r->seed.n, (unsigned long long)r->now);
            snprintf(name, sizeof name, "flow%u-v%02x", flow, variants[v]);
            emit(ctx, name, r->seed.p, r->seed.n);
            flashsim_close(r->sim);
        }
    }
    fuzz_buf_free(&r->seed);
    fuzz_buf_free(&old);
    fuzz_buf_free(&new_);
    free(r);
}
