/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/modem_at.c: the module emulator's core (modem/) fed any bytes, at
 * any times, with power cycles, raw data after AT+CFLW prompts included.
 *
 * Input: a sequence of records, each [op u8] and its operands:
 *   op % 4 == 0: [n u8] n+1 bytes the MCU sends now
 *   op % 4 == 1: [t u16] t*16 ms pass (timers, delayed results, boot)
 *   op % 4 == 2: a power cycle: the module starts again on its flash,
 *                with the settings it last saved (a kill, a cut)
 *   op % 4 == 3: [n u16] n%4096 bytes the MCU sends now
 * Properties: no memory error, leak or undefined behaviour; time moves
 * (modem_next_event is never in the past); and after any input, once
 * every timer has run out and a pending line or data mode is ended, the
 * module answers ATQ0 / ATV1 / ATE0 / AT with OK: no input leaves it
 * silent (a bricked module is the worst a FOTA can do).
 * Seeds: the note's section 5 dialogue with a real package (CFLE, CFLW in
 * 512-byte pieces, AT+CFOTA=5 with its MD5), its commands and arguments
 * as tests/test_modem_at.c draws them, a CFLW that times out, a power
 * cycle in the middle of a CFLW.
 */
#include "cfota_ctl/md5.h"
#include "flashsim.h"
#include "material.h"
#include "modem.h"

struct rig {
    struct flashsim *sim;
    struct modem_flash_map map;
    struct modem m;
    struct modem_config cfg;
    struct modem_settings saved;
    int have_saved;
    uint8_t tail[8]; /* the last bytes the module sent */
    size_t sent;
    uint64_t now;
};

static void rig_write(void *ctx, const void *p, size_t n)
{
    struct rig *r = ctx;
    const uint8_t *b = p;
    size_t i;
    if (getenv("CFOTA_FUZZ_TRACE"))
        fwrite(p, 1, n, stderr);
    for (i = 0; i < n; i++) {
        memmove(r->tail, r->tail + 1, sizeof r->tail - 1);
        r->tail[sizeof r->tail - 1] = b[i];
    }
    r->sent += n;
}

static void rig_save(void *ctx, const struct modem_settings *s)
{
    struct rig *r = ctx;
    if (s) {
        r->saved = *s;
        r->have_saved = 1;
    }
}

static uint8_t factory_image[6000];

/* One simulated flash for every run, put back to the factory state when a
 * run changed it: opening and programming 4 MiB under ASan for every input
 * would be most of the time a run takes. */
static struct flashsim *sim;
static uint8_t *factory_flash;

static struct rig *rig_open(void)
{
    struct rig *r = calloc(1, sizeof *r);
    FUZZ_CHECK(r != NULL, "calloc");
    if (!sim) {
        struct modem_flash_map map;
        struct fuzz_buf img = {0};
        material_image(1, sizeof factory_image, &img);
        memcpy(factory_image, img.p, sizeof factory_image);
        factory_image[0] |= 1;
        fuzz_buf_free(&img);
        sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
        FUZZ_CHECK(sim != NULL, "flashsim_open");
        FUZZ_CHECK(modem_flash_map_init(&map, flashsim_flash(sim)) == CFOTA_OK, "map");
        FUZZ_CHECK(modem_factory_program(&map, factory_image, sizeof factory_image, "1.0") ==
                       CFOTA_OK,
                   "factory");
        factory_flash = malloc(MODEM_FLASH_SIZE);
        FUZZ_CHECK(factory_flash != NULL, "malloc");
        memcpy(factory_flash, flashsim_data(sim), MODEM_FLASH_SIZE);
    } else if (memcmp(flashsim_data(sim), factory_flash, MODEM_FLASH_SIZE) != 0) {
        flashsim_power_on(sim);
        flashsim_write_raw(sim, 0, factory_flash, MODEM_FLASH_SIZE);
    }
    r->sim = sim;
    FUZZ_CHECK(modem_flash_map_init(&r->map, flashsim_flash(r->sim)) == CFOTA_OK, "map");
    modem_config_default(&r->cfg);
    r->cfg.io.ctx = r;
    r->cfg.io.write = rig_write;
    r->cfg.io.save = rig_save;
    FUZZ_CHECK(modem_init(&r->m, &r->cfg, NULL, &r->map, 0) == CFOTA_OK, "init");
    return r;
}

static void rig_advance(struct rig *r, uint64_t ms)
{
    uint64_t until = r->now + ms;
    /* Tick at every event the core asks for, as a host does. */
    while (r->now < until) {
        uint64_t next = modem_next_event(&r->m);
        FUZZ_CHECK(next == MODEM_NEVER || next + 1000000 >= r->now, "next event %llu, now %llu",
                   (unsigned long long)next, (unsigned long long)r->now);
        r->now = next > r->now && next < until ? next : until;
        modem_tick(&r->m, r->now);
    }
}

/* After any input: let every timer run out, end a pending line or data
 * mode, and the module must answer. */
static void assert_answers(struct rig *r)
{
    static const char ok[] = "\r\nOK\r\n", settle[] = "ATQ0\rATV1\rATE0\rAT\r";
    int tries;
    for (tries = 0; tries < 3; tries++) {
        rig_advance(r, 200000);
        modem_input(&r->m, "\r", 1, r->now);
        rig_advance(r, 200000);
        memset(r->tail, 0, sizeof r->tail);
        /* Result codes back on and in words (the input may have sent
         * ATQ1 or ATV0), echo off, then the question. */
        modem_input(&r->m, settle, sizeof settle - 1, r->now);
        rig_advance(r, 200000);
        if (!memcmp(r->tail + sizeof r->tail - 6, ok, 6))
            return;
    }
    FUZZ_CHECK(0, "the module no longer answers AT (mode %d)", (int)r->m.mode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct rig *r = rig_open();
    while (in.n) {
        uint8_t op = take_u8(&in);
        const uint8_t *p;
        size_t n;
        switch (op % 4) {
        case 0:
            p = take_bytes(&in, (size_t)take_u8(&in) + 1, &n);
            modem_input(&r->m, p, n, r->now);
            break;
        case 1:
            rig_advance(r, (uint64_t)take_u16(&in) * 16);
            break;
        case 2:
            FUZZ_CHECK(modem_init(&r->m, &r->cfg, r->have_saved ? &r->saved : NULL, &r->map,
                                  r->now) == CFOTA_OK,
                       "init after a power cycle");
            break;
        default:
            p = take_bytes(&in, take_u16(&in) % 4096, &n);
            modem_input(&r->m, p, n, r->now);
            break;
        }
    }
    assert_answers(r);
    if (getenv("CFOTA_FUZZ_VERBOSE"))
        fprintf(stderr, "modem: %zu bytes sent, runs %s, update result %d\n", r->sent,
                r->m.rec.version, r->m.update_result);
    free(r);
    return 0;
}

/* ---- seeds ---- */

static void put_text(struct fuzz_buf *b, const char *text)
{
    size_t n = strlen(text);
    fuzz_put_u8(b, 3);
    fuzz_put_u16(b, (uint16_t)n);
    fuzz_put(b, text, n);
}

static void put_bytes(struct fuzz_buf *b, const uint8_t *p, size_t n)
{
    fuzz_put_u8(b, 3);
    fuzz_put_u16(b, (uint16_t)n);
    fuzz_put(b, p, n);
}

static void put_wait(struct fuzz_buf *b, uint16_t units)
{
    fuzz_put_u8(b, 1);
    fuzz_put_u16(b, units);
}

/* The note's local update (section 5) with a real package. */
static void seed_local_update(struct fuzz_buf *b, int cut_in_cflw)
{
    struct fuzz_buf old = {0}, new_ = {0};
    struct bytes pkg = {0};
    struct cfota_md5 md5;
    uint8_t digest[16];
    char line[128], hex[33];
    size_t off;
    material_pair(0, &old, &new_);
    old.p[0] |= 1; /* as factory_image */
    if (material_package(&old, &new_, 1, 0, 4096, &pkg) != 0)
        abort();
    put_text(b, "AT\rATE0\rAT+CGMR\r");
    put_wait(b, 10);
    snprintf(line, sizeof line, "AT+CFLE=0,0,%zu\r", (pkg.n + 4095) / 4096);
    put_text(b, line);
    put_wait(b, 100);
    for (off = 0; off < pkg.n; off += 512) {
        size_t n = pkg.n - off < 512 ? pkg.n - off : 512;
        snprintf(line, sizeof line, "AT+CFLW=0,0,%zu,%zu,30\r", n, off);
        put_text(b, line);
        put_wait(b, 2);
        if (cut_in_cflw && off == 512) {
            put_bytes(b, pkg.p + off, n / 2);
            fuzz_put_u8(b, 2);
            put_wait(b, 400);
            break;
        }
        put_bytes(b, pkg.p + off, n);
        put_wait(b, 2);
    }
    cfota_md5_init(&md5);
    cfota_md5_update(&md5, pkg.p, pkg.n);
    cfota_md5_final(&md5, digest);
    cfota_md5_hex(digest, hex);
    snprintf(line, sizeof line, "AT+CFOTA=5,%zu,%s\r", pkg.n, hex);
    put_text(b, line);
    put_wait(b, 5000);
    put_text(b, "AT+CGMR\rAT+CFOTA=4\r");
    bytes_free(&pkg);
    fuzz_buf_free(&old);
    fuzz_buf_free(&new_);
}

void fuzz_seeds(fuzz_emit_fn emit, void *ctx)
{
    static const char *const dialogues[] = {
        "AT\rATE1\rATI\rAT+CGMI\rAT+CGMM\rAT+CGMR\rAT+CGSN\rAT+CIMI\rAT+CCID\rAT+CBC\r",
        "AT+CMEE=1\rAT+CPIN?\rAT+CSQ\rAT+CGREG?\rAT+CGACT?\rAT+COPS?\rAT+CGCONTRDP\r",
        "AT+CFUN=0\rAT*MCGDEFCONT=\"IP\",\"3GNET\"\rAT+CFUN=1\rAT+CGREG=1\rAT+CEREG=2\r",
        "AT+IPR=115200\rAT+IPR?\rAT+CPSMS=1,,,\"01000011\",\"00000001\"\rAT+CLTS=1\r",
        "AT+CFLE=1,138346496,1\rAT+CFLW=1,138346496,4,0,1\r",
        "AT+CFLR=1,138346496,16\rAT+CFOTA=5,313,f1351d44d9a338c867046ebf16ec62d1\r",
        "AT+CFOTASRV=\"http://127.0.0.1:1/\",\"00000000000000000000000000000000\"\rAT+CFOTA=1\r",
        "AT+CHTTPCREATE=\"http://127.0.0.1:1/\"\rAT+CHTTPCON=0\rAT+CHTTPDESTROY=0\r",
        "AT+CFUN=1,1\rAT&F\rAT&W\rATZ\rAT+XYZ\rat+cgmr;+csq\r",
    };
    struct fuzz_buf b = {0};
    char name[32];
    size_t i;
    for (i = 0; i < sizeof dialogues / sizeof dialogues[0]; i++) {
        b.n = 0;
        put_wait(&b, 300); /* the boot */
        put_text(&b, dialogues[i]);
        put_wait(&b, 3000);
        snprintf(name, sizeof name, "dialogue%zu", i);
        emit(ctx, name, b.p, b.n);
    }
    b.n = 0;
    put_wait(&b, 300);
    seed_local_update(&b, 0);
    emit(ctx, "local-update", b.p, b.n);
    b.n = 0;
    put_wait(&b, 300);
    seed_local_update(&b, 1);
    emit(ctx, "cut-in-cflw", b.p, b.n);
    fuzz_buf_free(&b);
}
