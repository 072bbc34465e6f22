/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mcu_self.c: the MCU's own update through the module
 * (cfota_ctl/self_update.h) end to end: the flow runs here on the example
 * board's flash (sim/mcu_board.h), talks AT over a real pseudo-terminal
 * to an emulated module (`cfota modem` as a process, tests/modem_pty_rig.h),
 * whose HTTP client reaches a real FOTA server in this process
 * (tests/server_harness.h).
 *
 * Each test ends by checking the image area byte for byte against the
 * target firmware (or the old one, for refusals) and the flash
 * simulator's NOR violation count. The download's overhead on the serial
 * line is read from the emulator's own line counters
 * (modem_line_counts): for that one test the module core runs in this
 * process (tests/modem_net_rig.h), the same core `cfota modem` runs.
 *
 * Covered: the whole flow (check, download in Range pieces, apply,
 * reboot, report recorded by the server); a power cut of the MCU at a
 * sample of flash operations over download and update, each followed by
 * boots until done (every operation, for a delta in one range and a full
 * image in 4 KiB ranges); a module reset and a network loss (the server
 * gone and back) during the download, resumed by Range from the last
 * block written; `cfota device` as a process cut and restarted; nothing offered; a package refused by the
 * device library (unsigned with a key, wrong product, an image that is not
 * the version it claims: wrong base) with the image
 * untouched and the failure reported, and a signed package changed in
 * flash refused by its signature with nothing but the record erased.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <time.h>

#include "modem_pty_rig.h"
#include "modem_net_rig.h" /* after: it needs cmocka, which support.h brings */
#include "server_harness.h"

#include "cfota/status.h"
#include "cfota_ctl/self_update.h"
#include "../examples/m4app/layout.h"
#include "mcu_board.h"
#include "cfota_mbedtls.h"
#include "sign.h"

#define IMEI "867723030000017"
#define V1 "1.0.0"
#define V2 "1.1.0"
#define BOOTS_MAX 40 /* boots of one cut test before it counts as a brick */

/* The MCU's side of the serial line, with its byte counts. */
struct link {
    struct emu *emu;
    struct net_rig *core; /* set: the module runs in this process, not emu */
    uint32_t core_t0;     /* now_ms() when core's clock read 1000 */
    uint64_t rx, tx;
    uint64_t dl_rx, dl_tx; /* the counts when the first Range request went out */
    struct modem_line_counts dl_line; /* the module's then (core only) */
    int dl_seen;
    uint64_t kill_at; /* rx count at which the module is power-cycled; 0 none */
    const char *const *margs; /* `cfota modem`'s arguments, for a restart */
    int resets;
    uint64_t drop_at; /* rx count at which the network is lost; 0 none */
    int down;         /* lost until the module reports the failure */
    void (*drop)(void *ctx, int up);
    void *drop_ctx;
};

static uint32_t now_ms(void *ctx)
{
    struct timespec t;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)(t.tv_sec * 1000u + t.tv_nsec / 1000000u);
}

/* The in-process module's clock follows the test's (the controller's). */
static void core_clock(struct link *l)
{
    uint64_t t = 1000u + (uint32_t)(now_ms(NULL) - l->core_t0);
    if (t > l->core->now)
        l->core->now = t;
}

/* Run the in-process module and its network until it has sent something
 * or timeout_ms passed; then hand over what it sent, as a read would. */
static int core_read(struct link *l, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct net_rig *c = l->core;
    uint32_t start = now_ms(NULL);
    size_t n;
    while (c->out.n == 0) {
        if (now_ms(NULL) - start >= timeout_ms)
            return 0;
        core_clock(l);
        http_client_step(c->http, 2, c->now);
        modem_tick(&c->m, c->now);
    }
    n = c->out.n < cap ? c->out.n : cap;
    memcpy(buf, c->out.p, n);
    memmove(c->out.p, c->out.p + n, c->out.n - n);
    c->out.n -= n;
    l->rx += n;
    return (int)n;
}

static int mcu_write(void *ctx, const void *buf, size_t len)
{
    struct link *l = ctx;
    const uint8_t *p = buf;
    if (!l->dl_seen && memmem(buf, len, "52616e6765", 10)) { /* "Range" in hex */
        l->dl_seen = 1;
        l->dl_rx = l->rx, l->dl_tx = l->tx;
        if (l->core)
            l->dl_line = modem_line_counts(&l->core->m);
    }
    if (l->core) {
        core_clock(l);
        modem_input(&l->core->m, buf, len, l->core->now);
        l->tx += len;
        return 0;
    }
    while (len) {
        ssize_t n = write(l->emu->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n, len -= (size_t)n;
        l->tx += (uint64_t)n;
    }
    return 0;
}

static int mcu_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms)
{
    struct link *l = ctx;
    struct pollfd pf;
    ssize_t n;
    if (l->core)
        return core_read(l, buf, cap, timeout_ms);
    if (l->kill_at && l->rx >= l->kill_at) {
        /* The module loses power and comes back on the same state. */
        l->kill_at = 0;
        pty_kill(l->emu);
        pty_spawn(l->emu, getenv("CFOTA_BIN"), l->margs);
        l->resets++;
    }
    if (l->drop_at && l->rx >= l->drop_at) {
        l->drop_at = 0;
        l->down = 1;
        l->drop(l->drop_ctx, 0);
    }
    pf.fd = l->emu->fd;
    pf.events = POLLIN;
    if (poll(&pf, 1, (int)timeout_ms) <= 0)
        return 0;
    n = read(l->emu->fd, buf, cap);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        return -1;
    l->rx += (uint64_t)n;
    if (l->down && memmem(buf, (size_t)n, "+CHTTPERR", 9)) {
        l->down = 0; /* the module saw it: the network comes back */
        l->drop(l->drop_ctx, 1);
    }
    return (int)n;
}

/* MCU_DEBUG=1: the AT dialogue on stderr, with the time, to see where a
 * failing run waited. */
static void mcu_log(void *ctx, int what, const char *text, size_t len)
{
    (void)ctx;
    fprintf(stderr, "[%u] %d %.*s\n", now_ms(NULL) % 100000u, what, (int)len, text);
}

/* One test's world. */
struct world {
    struct harness h;
    char mdir[300];
    /* The module: `cfota modem` executed, not forked from this process,
     * which has the server's threads (tests/modem_pty_rig.h says why). */
    const char *margs[5];
    char tty[320]; /* --link's path, when the test names the link */
    struct emu emu;
    struct link link;
    struct cfota_ctl_config ccfg;
    struct mcu_board board;
    struct cfota_self_config scfg;
    struct cfota_self self;
    char token[33], version[MCU_VERSION_MAX];
    struct bytes v1, v2;
};

/* The world with its module either forked on a pty or (in_process) a
 * core in this process with a module firmware of no interest here. */
static void world_open(struct world *w, const struct cfota_server_config *limits, int in_process)
{
    char err[256];
    memset(w, 0, sizeof *w);
    harness_make_dir(&w->h);
    harness_start_limited(&w->h, w->h.dir, limits);
    snprintf(w->mdir, sizeof w->mdir, "%s/module", w->h.dir);
    w->margs[0] = "--state";
    w->margs[1] = w->mdir;
    if (in_process) {
        static const uint8_t module_fw[4096];
        w->link.core = net_rig_open(module_fw, sizeof module_fw, "1752B05SIM7020C");
        w->link.core_t0 = now_ms(NULL);
    } else {
        pty_spawn(&w->emu, getenv("CFOTA_BIN"), w->margs);
    }
    w->link.emu = &w->emu;
    w->link.margs = w->margs;
    w->ccfg.at.ctx = &w->link;
    w->ccfg.at.write = mcu_write;
    w->ccfg.at.read = mcu_read;
    w->ccfg.at.now_ms = now_ms;
    if (getenv("MCU_DEBUG"))
        w->ccfg.at.log = mcu_log;
    w->ccfg.baud = 115200; /* AT+IPR: the module then says when it boots */
    image_load(M4APP_V1, &w->v1);
    image_load(M4APP_V2, &w->v2);
    assert_int_equal(mcu_board_open(&w->board, NULL, w->v1.p, w->v1.n, err, sizeof err), 0);
    assert_int_equal(cfota_server_device_token(w->h.srv, IMEI, w->token), 0);
    w->scfg.ctl = &w->ccfg;
    w->scfg.record = w->board.record;
    w->scfg.server = w->h.base;
    w->scfg.imei = IMEI;
    w->scfg.token = w->token;
    w->scfg.version = w->version;
}

static void world_start(struct world *w, const struct cfota_server_config *limits)
{
    world_open(w, limits, 0);
}

static void world_stop(struct world *w)
{
    if (w->link.core)
        net_rig_close(w->link.core);
    else
        pty_kill(&w->emu);
    mcu_board_close(&w->board);
    harness_stop(&w->h);
    harness_rm_tree(w->h.dir);
    bytes_free(&w->v1);
    bytes_free(&w->v2);
}

/* V2 uploaded (and V1 with base set, so the package is a delta; else a
 * full image), V2 released; wait until the package is built. */
static void release(struct world *w, int base)
{
    char path[200];
    int tries;
    if (base)
        upload_image(&w->h, M4APP_V1, V1);
    upload_image(&w->h, M4APP_V2, V2);
    assert_int_equal(admin_status(&w->h, "POST", "/admin/v1/releases?product=" TEST_PRODUCT "&target=" V2, NULL), 201);
    assert_int_equal(enrol_in(&w->h, IMEI, TEST_PRODUCT), 200);
    device_path(&w->h, path, sizeof path, "check", IMEI, "ver=" V1);
    for (tries = 0; tries < 3000; tries++) {
        struct answer a;
        http_call(&w->h, "GET", path, NULL, &a);
        if (strstr(answer_text(&a), "status=update")) {
            answer_free(&a);
            return;
        }
        answer_free(&a);
        usleep(10000);
    }
    fail_msg("the server never offered V1 -> V2");
}

static void release_v2(struct world *w)
{
    release(w, 1);
}

/* One boot of the MCU: what the boot stage and the application do. */
static int boot(struct world *w, struct cfota_self_report *rep)
{
    int r, app = mcu_board_image(&w->board, w->version) == 0;
    /* A cut inside the in-place apply leaves no valid header: the boot
     * stage's pending update must run before anything reads it. */
    if (!app)
        w->version[0] = '\0';
    w->scfg.update = w->board.cfg;
    r = cfota_self_run(&w->self, &w->scfg, rep);
    if (!app && r != CFOTA_SELF_REBOOT && flashsim_powered(w->board.sim))
        fail_msg("the image area holds no application and no update is pending: a brick (%d)", r);
    return r;
}

static void assert_image(struct world *w, const struct bytes *img)
{
    assert_memory_equal(flashsim_data(w->board.sim) + MCU_IMAGE, img->p, img->n);
    assert_int_equal(flashsim_stats(w->board.sim)->violations, 0);
}

/* The server's view of the device: its state in the release. */
static void assert_reported(struct world *w, const char *state)
{
    struct admin_reply r;
    const char *line;
    char want[48];
    assert_int_equal(admin(&w->h, "GET", "/admin/v1/devices", NULL, &r), 200);
    line = strstr((const char *)r.body.p, "\"imei\":\"" IMEI "\"");
    snprintf(want, sizeof want, "\"state\":\"%s\"", state);
    if (!line || !strstr(line, want) || (strchr(line, '\n') && strstr(line, want) > strchr(line, '\n')))
        fail_msg("device %s: %s (wanted %s)", IMEI, (const char *)r.body.p, want);
    admin_reply_free(&r);
}

static void test_layout_is_the_example_s(void **state)
{
    (void)state;
    assert_int_equal(MCU_FLASH_SIZE, FLASH_SIZE);
    assert_int_equal(MCU_PAGE, FLASH_PAGE);
    assert_int_equal(MCU_WORD, FLASH_WORD);
    assert_int_equal(MCU_IMAGE, IMAGE_BASE);
    assert_int_equal(MCU_IMAGE_SIZE, IMAGE_SIZE);
    assert_int_equal(MCU_PACKAGE, PACKAGE_BASE);
    assert_int_equal(MCU_PACKAGE_SIZE, PACKAGE_SIZE);
    assert_int_equal(MCU_SCRATCH, SCRATCH_BASE);
    assert_int_equal(MCU_SCRATCH_SIZE, SCRATCH_SIZE);
    assert_int_equal(MCU_JOURNAL, JOURNAL_BASE);
    assert_true(MCU_RECORD >= JOURNAL_BASE + JOURNAL_SIZE);
    assert_int_equal(MCU_APP_INFO, APP_INFO_OFFSET);
    assert_int_equal(MCU_APP_MAGIC, APP_INFO_MAGIC);
    assert_true(sizeof(struct cfota_self) <= CFOTA_SELF_RAM_MAX);
}

static void test_whole_flow(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    (void)state;
    world_start(w, NULL);
    release_v2(w);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REBOOT);
    assert_string_equal(rep.from, V1);
    assert_string_equal(rep.to, V2);
    assert_int_equal(rep.resumed_at, 0);
    assert_int_equal(rep.received, rep.size);
    assert_true(rep.requests >= 2 + (rep.size - 1) / CFOTA_SELF_RANGE);
    assert_image(w, &w->v2);

    assert_int_equal(boot(w, &rep), CFOTA_SELF_REPORTED);
    assert_string_equal(w->version, V2);
    assert_reported(w, "succeeded");
    assert_int_equal(boot(w, &rep), CFOTA_SELF_NO_UPDATE);
    assert_image(w, &w->v2);
    world_stop(w);
    free(w);
}

/* The download's serial bytes, both directions, from the first Range
 * request to the end of the call, over the package's bytes, as the
 * emulator's line counters count them: a full-image package (the server
 * has no image of the running version). The MCU's own counts must agree
 * with the module's byte for byte (what the module sent and the MCU has
 * not read yet is still in the rig's output). Issue 17's bound: 2.2. */
static void test_serial_overhead(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    struct modem_line_counts end;
    uint64_t in, out;
    (void)state;
    world_open(w, NULL, 1);
    release(w, 0);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REBOOT);
    assert_image(w, &w->v2);
    assert_true(w->link.dl_seen);
    end = modem_line_counts(&w->link.core->m);
    in = end.received - w->link.dl_line.received;
    out = end.sent - w->link.dl_line.sent;
    assert_int_equal(in, w->link.tx - w->link.dl_tx);
    assert_int_equal(out, w->link.rx - w->link.dl_rx + w->link.core->out.n);
    print_message("package %u bytes in %u requests of %u: download line bytes %llu to the module + "
                  "%llu from it = %.3f x\n",
                  (unsigned)rep.size, (unsigned)rep.requests - 1, CFOTA_SELF_RANGE, (unsigned long long)in,
                  (unsigned long long)out, (double)(in + out) / rep.size);
    assert_true((in + out) * 10 <= (uint64_t)rep.size * 22);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REPORTED);
    assert_reported(w, "succeeded");
    world_stop(w);
    free(w);
}

static void test_nothing_offered(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    (void)state;
    world_start(w, NULL);
    upload_image(&w->h, M4APP_V1, V1);
    assert_int_equal(enrol_in(&w->h, IMEI, TEST_PRODUCT), 200);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_NO_UPDATE);
    assert_int_equal(flashsim_stats(w->board.sim)->ops, 0);
    assert_image(w, &w->v1);
    world_stop(w);
    free(w);
}

/* The module loses power in the middle of the download: the flow waits
 * for it and goes on by Range from the block it had not finished. */
static void test_module_reset_resumed(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    (void)state;
    world_start(w, NULL);
    release(w, 0); /* a full-image package: several ranges */
    w->scfg.range_size = 2 * MCU_PAGE;
    w->link.kill_at = 9000; /* serial bytes: inside the package's second range */
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REBOOT);
    assert_int_equal(w->link.resets, 1);
    assert_int_equal(rep.module_resets, 1);
    assert_true(rep.retries >= 1);
    assert_true(rep.received < rep.size + 2 * MCU_PAGE);
    assert_image(w, &w->v2);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REPORTED);
    assert_reported(w, "succeeded");
    world_stop(w);
    free(w);
}

/* The network goes (up 0): the server stops, every connection with it;
 * and comes back (up 1) on the same port and store. */
static void network_loss(void *ctx, int up)
{
    struct world *w = ctx;
    struct cfota_server_config cfg;
    static unsigned port;
    char err[256];
    if (!up) {
        port = cfota_server_port(w->h.srv);
        cfota_server_stop(w->h.srv);
        w->h.srv = NULL;
        return;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.port = port;
    cfg.data_dir = w->h.dir;
    cfg.admin_token = TEST_ADMIN_TOKEN;
    cfg.threads = 2;
    w->h.srv = cfota_server_start(&cfg, err, sizeof err);
    if (!w->h.srv)
        fail_msg("the server did not come back: %s", err);
    w->link.resets++;
}

static void test_network_loss_resumed(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    (void)state;
    world_start(w, NULL);
    release(w, 0);
    w->scfg.range_size = MCU_PAGE;
    w->link.drop = network_loss;
    w->link.drop_ctx = w;
    w->link.drop_at = 9000; /* serial bytes: after the first pieces */
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REBOOT);
    assert_int_equal(w->link.resets, 1);
    assert_true(rep.retries >= 1);
    assert_true(rep.received < rep.size + MCU_PAGE);
    assert_image(w, &w->v2);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REPORTED);
    assert_reported(w, "succeeded");
    world_stop(w);
    free(w);
}

/* The MCU's power goes at flash operation cut of a boot; boots follow
 * until the update is reported. Returns the operations of an uncut run. */
static void cut_run(struct world *w, uint64_t cut)
{
    struct cfota_self_report rep;
    int boots, r = 0, cut_seen = 0;
    flashsim_set_power_cut(w->board.sim, cut, 1);
    for (boots = 0; boots < BOOTS_MAX; boots++) {
        r = boot(w, &rep);
        if (getenv("MCU_DEBUG"))
            print_message("cut %llu boot %d: r=%d powered=%d ops=%llu\n", (unsigned long long)cut, boots, r,
                          flashsim_powered(w->board.sim), (unsigned long long)flashsim_stats(w->board.sim)->ops);
        if (!flashsim_powered(w->board.sim)) {
            cut_seen = 1;
            flashsim_power_on(w->board.sim);
            continue;
        }
        if (r == CFOTA_SELF_REPORTED)
            break;
        /* Cut after the report went out, in the record's erase: the
         * torn record is dropped and the server has nothing more. */
        if (r == CFOTA_SELF_NO_UPDATE && strcmp(w->version, V2) == 0)
            break;
        if (r != CFOTA_SELF_REBOOT)
            fail_msg("cut at %llu, boot %d: %d (%s)", (unsigned long long)cut, boots, r,
                     r <= CFOTA_SELF_ENGINE + 0 ? cfota_status_name(r - CFOTA_SELF_ENGINE)
                                                : cfota_ctl_error_name(r));
    }
    assert_true(r == CFOTA_SELF_REPORTED || r == CFOTA_SELF_NO_UPDATE);
    assert_string_equal(w->version, V2);
    assert_true(cut_seen);
    assert_image(w, &w->v2);
}

/* A cut at each flash operation of an update: base 1 a delta
 * in one range, base 0 a full image in ranges of range bytes. */
static void power_cuts(int base, uint32_t range)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    uint64_t total, cut;
    unsigned n = 0;
    world_start(w, NULL);
    release(w, base);
    w->scfg.range_size = range;
    /* An uncut run counts the operations to sample from. */
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REBOOT);
    assert_int_equal(boot(w, &rep), CFOTA_SELF_REPORTED);
    total = flashsim_stats(w->board.sim)->ops;
    assert_true(total > 20);
    /* A cut at every flash operation, each on a fresh board back on V1
     * (image, journal and record as from the factory). */
    for (cut = 0; cut < total; cut++, n++) {
        char err[128];
        mcu_board_close(&w->board);
        assert_int_equal(mcu_board_open(&w->board, NULL, w->v1.p, w->v1.n, err, sizeof err), 0);
        w->scfg.record = w->board.record;
        cut_run(w, cut);
    }
    print_message("%u cuts over %llu flash operations, each ended in the exact target\n", n,
                  (unsigned long long)total);
    world_stop(w);
    free(w);
}

static void test_mcu_power_cuts_delta(void **state)
{
    (void)state;
    power_cuts(1, 0);
}

static void test_mcu_power_cuts_full_image(void **state)
{
    (void)state;
    power_cuts(0, MCU_PAGE);
}

/* Keys for a signing server: dir, the private key and its .pub. */
struct keys {
    char dir[64], key[96], pub[100];
};

static void make_keys(struct keys *k)
{
    char why[256];
    snprintf(k->dir, sizeof k->dir, "/tmp/cfota-mcukey-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    snprintf(k->key, sizeof k->key, "%s/rel", k->dir);
    snprintf(k->pub, sizeof k->pub, "%s/rel.pub", k->dir);
    assert_int_equal(host_keygen(k->key, why, sizeof why), 0);
}

/* A signed package changed in the MCU's flash after its download (the
 * power went just before the engine's first write): the signature check
 * refuses it with the image untouched. */
static void test_tampered_refused(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_server_config cfg;
    struct cfota_self_report rep;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    struct keys k;
    char why[256], err[128];
    uint64_t download_ops, before;
    uint8_t byte;
    (void)state;
    make_keys(&k);
    memset(&cfg, 0, sizeof cfg);
    cfg.sign_key = k.key;
    world_start(w, &cfg);
    release(w, 0);
    assert_int_equal(host_verifier_load(k.pub, &key, &v, why, sizeof why), 0);
    w->board.cfg.policy.verifier = &v;
    /* A product the package is not for: signature passes, product is
     * refused, and the record's erase is the one operation after the
     * download's. */
    w->board.cfg.policy.product_id = 0x4D434B31u;
    assert_int_equal(boot(w, &rep), CFOTA_SELF_ENGINE + CFOTA_E_PRODUCT);
    assert_image(w, &w->v1);
    download_ops = flashsim_stats(w->board.sim)->ops - 1;

    mcu_board_close(&w->board);
    assert_int_equal(mcu_board_open(&w->board, NULL, w->v1.p, w->v1.n, err, sizeof err), 0);
    w->scfg.record = w->board.record;
    w->board.cfg.policy.verifier = &v;
    flashsim_set_power_cut(w->board.sim, download_ops, 1);
    (void)boot(w, &rep);
    assert_false(flashsim_powered(w->board.sim));
    flashsim_power_on(w->board.sim);
    byte = (uint8_t)(flashsim_data(w->board.sim)[MCU_PACKAGE + rep.size / 2] ^ 0x10u);
    assert_int_equal(flashsim_write_raw(w->board.sim, MCU_PACKAGE + rep.size / 2, &byte, 1), 0);
    before = flashsim_stats(w->board.sim)->erases;
    assert_int_equal(boot(w, &rep), CFOTA_SELF_ENGINE + CFOTA_E_SIGNATURE);
    assert_int_equal(flashsim_stats(w->board.sim)->erases, before + 1); /* the record's only */
    assert_image(w, &w->v1);
    assert_reported(w, "failed");
    harness_rm_tree(k.dir);
    world_stop(w);
    free(w);
}

/* A device with a key refuses the server's unsigned package before any
 * erase of its image, and says so to the server. */
static void test_unsigned_refused(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    struct keys k;
    char why[256];
    int r;
    (void)state;
    world_start(w, NULL);
    make_keys(&k);
    assert_int_equal(host_verifier_load(k.pub, &key, &v, why, sizeof why), 0);
    release_v2(w);
    w->board.cfg.policy.verifier = &v;
    r = boot(w, &rep);
    assert_int_equal(r, CFOTA_SELF_ENGINE + CFOTA_E_UNSIGNED);
    assert_image(w, &w->v1);
    assert_reported(w, "failed");
    harness_rm_tree(k.dir);
    world_stop(w);
    free(w);
}

/* An image that is not the version it says (one byte changed past its
 * header): the delta for that version is refused by the base check,
 * before any erase. */
static void test_wrong_base_refused(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    uint32_t at;
    uint8_t byte;
    (void)state;
    world_start(w, NULL);
    at = (uint32_t)w->v1.n / 2;
    release_v2(w);
    byte = (uint8_t)(w->v1.p[at] & 0xFEu) == w->v1.p[at] ? (uint8_t)(w->v1.p[at] | 1u) : (uint8_t)(w->v1.p[at] & 0xFEu);
    assert_int_equal(flashsim_write_raw(w->board.sim, MCU_IMAGE + at, &byte, 1), 0);
    w->v1.p[at] = byte; /* what the image must still be afterwards */
    assert_int_equal(boot(w, &rep), CFOTA_SELF_ENGINE + CFOTA_E_WRONG_BASE);
    assert_image(w, &w->v1);
    assert_reported(w, "failed");
    world_stop(w);
    free(w);
}

/* A package for another product is refused the same way. */
static void test_wrong_product_refused(void **state)
{
    struct world *w = malloc(sizeof *w);
    struct cfota_self_report rep;
    (void)state;
    world_start(w, NULL);
    release_v2(w);
    w->board.cfg.policy.product_id = 0x4D434B31u; /* not the server's packages' */
    assert_int_equal(boot(w, &rep), CFOTA_SELF_ENGINE + CFOTA_E_PRODUCT);
    assert_image(w, &w->v1);
    assert_reported(w, "failed");
    world_stop(w);
    free(w);
}

/* `cfota device` as a process, the MCU's power cut at a flash operation
 * of the download: the second run is the next boot and finishes. */
static int device_run(struct world *w, const char *flash_dir, const char *cut)
{
    const char *bin = getenv("CFOTA_BIN");
    char img[512];
    pid_t pid;
    int ws;
    snprintf(img, sizeof img, "%s", image_path(M4APP_V1));
    assert_non_null(bin);
    pid = test_fork();
    if (pid == 0) {
        const char *argv[] = {bin, "device", "--port", w->tty, "--firmware", img, "--version", V1,
                              "--server", w->h.base, "--state", flash_dir, "--imei", IMEI,
                              "--token", w->token, "--range", "4K", cut ? "--power-cut-after" : NULL,
                              cut, NULL};
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    test_reaped(pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static void test_device_command_power_cut(void **state)
{
    struct world *w = malloc(sizeof *w);
    char dir[320], path[400];
    struct bytes flash = {0};
    (void)state;
    world_start(w, NULL);
    /* The module again, with a link the tool can open by name. */
    pty_kill(&w->emu);
    snprintf(w->tty, sizeof w->tty, "%s/tty", w->h.dir);
    w->margs[2] = "--link";
    w->margs[3] = w->tty;
    pty_spawn(&w->emu, getenv("CFOTA_BIN"), w->margs);
    release(w, 0);
    snprintf(dir, sizeof dir, "%s/mcu", w->h.dir);
    assert_int_equal(device_run(w, dir, "3"), 75);  /* inside the download */
    assert_int_equal(device_run(w, dir, NULL), 0);
    snprintf(path, sizeof path, "%s/flash.bin", dir);
    assert_int_equal(bytes_read_file(&flash, path), 0);
    assert_memory_equal(flash.p + MCU_IMAGE, w->v2.p, w->v2.n);
    bytes_free(&flash);
    assert_reported(w, "succeeded");
    world_stop(w);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_is_the_example_s),
        cmocka_unit_test_teardown(test_whole_flow, test_teardown_children),
        cmocka_unit_test_teardown(test_serial_overhead, test_teardown_children),
        cmocka_unit_test_teardown(test_nothing_offered, test_teardown_children),
        cmocka_unit_test_teardown(test_module_reset_resumed, test_teardown_children),
        cmocka_unit_test_teardown(test_network_loss_resumed, test_teardown_children),
        cmocka_unit_test_teardown(test_unsigned_refused, test_teardown_children),
        cmocka_unit_test_teardown(test_wrong_base_refused, test_teardown_children),
        cmocka_unit_test_teardown(test_wrong_product_refused, test_teardown_children),
        cmocka_unit_test_teardown(test_tampered_refused, test_teardown_children),
        cmocka_unit_test_teardown(test_mcu_power_cuts_delta, test_teardown_children),
        cmocka_unit_test_teardown(test_mcu_power_cuts_full_image, test_teardown_children),
        cmocka_unit_test_teardown(test_device_command_power_cut, test_teardown_children),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
