/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_modem_core.c: the module emulator's core (modem/core/modem.h) fed
 * bytes and a fake clock, without a terminal: framing, error forms, every
 * command's bad arguments, the flash commands with their range checks and
 * timeout, and AT+CFOTA=5 (success, wrong MD5, a package for another
 * base, a power cut in the middle of the update). Responses are compared
 * byte for byte. test_modem_pty.c replays the note's transcripts over a
 * real pseudo-terminal.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bytes.h"
#include "encoder.h"
#include "fwgen.h"
#include "flashsim.h"
#include "hash.h"
#include "modem.h"
#include "powercut.h"
#include "support.h"
#include "sign.h"
#include "cfota_mbedtls.h"

#define IMAGE_SIZE 20000u

struct rig {
    struct flashsim *sim;
    struct modem_flash_map map;
    struct modem m;
    struct modem_config cfg;
    struct modem_settings saved;
    int saves;
    struct bytes out;
    uint64_t now;
    char text[16384];
    struct bytes log; /* --trace notes (io.log) */
};

static void rig_log(void *ctx, const char *msg)
{
    struct rig *r = ctx;
    bytes_put(&r->log, msg, strlen(msg));
    bytes_byte(&r->log, '\n');
}

/* Whether the trace says text since the last call; clears it. */
static int logged(struct rig *r, const char *text)
{
    int found;
    bytes_byte(&r->log, 0);
    found = strstr((const char *)r->log.p, text) != NULL;
    r->log.n = 0;
    return found;
}

static void rig_write(void *ctx, const void *p, size_t n)
{
    struct rig *r = ctx;
    bytes_put(&r->out, p, n);
}

static void rig_save(void *ctx, const struct modem_settings *s)
{
    struct rig *r = ctx;
    r->saved = *s;
    r->saves++;
}

/* A synthetic firmware image: text-like, deterministic from seed. */
static void make_image(uint8_t *p, size_t n, uint64_t seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)("firmware image of the module "[test_rand(&seed) % 29]);
}

/* Text of what the module sent since the last call. */
static const char *taken(struct rig *r)
{
    size_t n = r->out.n < sizeof r->text - 1 ? r->out.n : sizeof r->text - 1;
    if (n)
        memcpy(r->text, r->out.p, n);
    r->text[n] = 0;
    r->out.n = 0;
    return r->text;
}

static const char *send_at(struct rig *r, const char *s)
{
    modem_input(&r->m, s, strlen(s), r->now);
    return taken(r);
}

static void advance(struct rig *r, uint64_t ms)
{
    r->now += ms;
    modem_tick(&r->m, r->now);
}

/* Boot the module (again) with the current flash and saved settings. */
static void rig_boot(struct rig *r)
{
    assert_int_equal(modem_init(&r->m, &r->cfg, &r->saved, &r->map, r->now), 0);
    advance(r, 0);
}

/* A module whose firmware region holds img (n bytes, version 1752B05). */
static struct rig *rig_open_image(const uint8_t *img, size_t n)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->sim = flashsim_open(NULL, MODEM_FLASH_SIZE, MODEM_BLOCK, 1);
    assert_non_null(r->sim);
    assert_int_equal(modem_flash_map_init(&r->map, flashsim_flash(r->sim)), 0);
    assert_int_equal(modem_factory_program(&r->map, img, (uint32_t)n, "1752B05SIM7020C"), 0);
    modem_config_default(&r->cfg);
    r->cfg.echo = 0;
    r->cfg.io.ctx = r;
    r->cfg.io.write = rig_write;
    r->cfg.io.save = rig_save;
    r->cfg.io.log = rig_log;
    modem_settings_default(&r->saved);
    r->now = 1000;
    rig_boot(r);
    taken(r);
    return r;
}

static struct rig *rig_open(void)
{
    uint8_t *img = malloc(IMAGE_SIZE);
    struct rig *r;
    assert_non_null(img);
    make_image(img, IMAGE_SIZE, 1);
    r = rig_open_image(img, IMAGE_SIZE);
    free(img);
    return r;
}

static void rig_close(struct rig *r)
{
    flashsim_close(r->sim);
    bytes_free(&r->out);
    bytes_free(&r->log);
    free(r);
}

#define OK "\r\nOK\r\n"
#define ERROR "\r\nERROR\r\n"

/* ---- framing ---- */

static void test_framing(void **state)
{
    struct rig *r = rig_open();
    char longline[2100];

    assert_string_equal(send_at(r, "AT\r"), OK);
    assert_string_equal(send_at(r, "at\r"), OK);
    assert_string_equal(send_at(r, "aT\r\n"), OK);
    assert_string_equal(send_at(r, "\r"), "");
    assert_string_equal(send_at(r, "\r\n\r\n"), "");
    assert_string_equal(send_at(r, "hello\r"), ERROR);
    assert_string_equal(send_at(r, "AT+NOSUCH\r"), ERROR);
    assert_string_equal(send_at(r, "ATY\r"), ERROR); /* ATX is the result-code option now */
    assert_string_equal(send_at(r, "AT+\r"), ERROR);
    /* backspace edits the line */
    assert_string_equal(send_at(r, "AT+CSX\bQ\r"), "\r\n+CSQ: 20,0\r\n" OK);
    /* split across inputs */
    assert_string_equal(send_at(r, "AT+C"), "");
    assert_string_equal(send_at(r, "SQ\r"), "\r\n+CSQ: 20,0\r\n" OK);
    /* echo */
    assert_string_equal(send_at(r, "ATE1\r"), OK);
    assert_string_equal(send_at(r, "AT\r"), "AT\r" OK);
    assert_string_equal(send_at(r, "ATE0\r"), "ATE0\r" OK);
    assert_string_equal(send_at(r, "AT\r"), OK);
    assert_string_equal(send_at(r, "ATE2\r"), ERROR);
    /* 2048 characters are accepted, 2049 are not and nothing runs */
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "AT+CMEE=1", 9);
    longline[2048] = '\r';
    longline[2049] = 0;
    assert_string_equal(send_at(r, longline), OK);
    memcpy(longline, "AT+CMEE=2", 9);
    longline[2048] = ' ';
    longline[2049] = '\r';
    longline[2050] = 0;
    assert_string_equal(send_at(r, longline), ERROR);
    assert_string_equal(send_at(r, "AT+CMEE?\r"), "\r\n+CMEE: 1\r\n" OK);
    /* concatenation */
    assert_string_equal(send_at(r, "ATE0;+CSQ;+CGMR\r"),
                        "\r\n+CSQ: 20,0\r\n\r\n1752B05SIM7020C\r\n" OK);
    assert_string_equal(send_at(r, "AT+CSQ;+NOPE;+CGMR\r"), "\r\n+CSQ: 20,0\r\n" ERROR);
    /* a NUL byte in a line */
    modem_input(&r->m, "AT\0\r", 4, r->now);
    assert_string_equal(taken(r), ERROR);
    rig_close(r);
}

static void test_cmee(void **state)
{
    struct rig *r = rig_open();
    assert_string_equal(send_at(r, "AT+CMEE=?\r"), "\r\n+CMEE: (0-2)\r\n" OK);
    assert_string_equal(send_at(r, "AT+CMEE?\r"), "\r\n+CMEE: 0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CFLE=9,0,1\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLE=9,0,1\r"), "\r\n+CME ERROR: 50\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=2\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLE=9,0,1\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    /* unknown commands and undefined forms are syntax errors: ERROR */
    assert_string_equal(send_at(r, "AT+NOSUCH\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CFLE?\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CFLE=?\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CSQ?\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CSQ=1\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CSQ?x\r"), ERROR);
    assert_string_equal(send_at(r, "AT+CMEE=3\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=\"1\"\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=1,1\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=-1\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    assert_string_equal(send_at(r, "AT+CMEE=\"1\r"), "\r\n+CME ERROR: Incorrect Parameters\r\n");
    rig_close(r);
}

/* ---- identity and bearer ---- */

static void test_identity(void **state)
{
    struct rig *r = rig_open();
    assert_string_equal(send_at(r, "ATI\r"), "\r\nSIM7020C R1752\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGMI\r"), "\r\nSIMCOM_Ltd\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGMM\r"), "\r\nSIM7020C\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B05SIM7020C\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGMR=?\r"), OK);
    assert_string_equal(send_at(r, "AT+CGSN\r"), "\r\n866123045678901\r\n" OK);
    assert_string_equal(send_at(r, "AT+CIMI\r"), "\r\n460011234567890\r\n" OK);
    assert_string_equal(send_at(r, "AT+CCID\r"), "\r\n89860112345678901234\r\n" OK);
    assert_string_equal(send_at(r, "AT+CBC\r"), "\r\n+CBC: 0,0,3300\r\n" OK);
    assert_string_equal(send_at(r, "AT+CEREG?\r"), "\r\n+CEREG: 0,1\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGATT?\r"), "\r\n+CGATT: 1\r\n" OK);
    assert_string_equal(send_at(r, "AT+CPSMS?\r"), "\r\n+CPSMS: 0,,,\"01000011\",\"01000011\"\r\n" OK);
    assert_string_equal(send_at(r, "AT+CPSMS=1,,,\"00100100\",\"00000001\"\r"), OK);
    assert_string_equal(send_at(r, "AT+CPSMS?\r"), "\r\n+CPSMS: 1,,,\"00100100\",\"00000001\"\r\n" OK);
    assert_string_equal(send_at(r, "AT+CLTS?\r"), "\r\n+CLTS: 0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CLTS=1\r"), OK);
    assert_string_equal(send_at(r, "AT+CLTS?\r"), "\r\n+CLTS: 1\r\n" OK);
    assert_string_equal(send_at(r, "AT+CSQ=?\r"), "\r\n+CSQ: (0-31,99),(0-7,99)\r\n" OK);
    assert_string_equal(send_at(r, "AT+IPR?\r"), "\r\n+IPR: 0\r\n" OK);
    rig_close(r);
}

static void test_bad_arguments(void **state)
{
    static const char *const bad[] = {
        "AT+IPR=115201\r", "AT+IPR=abc\r", "AT+IPR=\r", "AT+IPR=9600,1\r",
        "AT+CFUN=2\r", "AT+CFUN=1,3\r", "AT+CFUN=\r", "AT+CFUN=1,1,1\r",
        "AT+CGREG=3\r", "AT+CEREG=9\r", "AT+CGACT=2\r", "AT+CGACT=1,1,1\r",
        "AT+CGATT=2\r", "AT+COPS=9\r", "AT+CGCONTRDP=0\r", "AT+CPSMS=3\r",
        "AT+CPSMS=1,,,\"0010010\"\r", "AT+CPSMS=1,,,\"0010010x\"\r", "AT+CLTS=2\r",
        "AT*MCGDEFCONT=\"PPP\",\"x\"\r", "AT*MCGDEFCONT=IP,\"x\"\r", "AT*MCGDEFCONT=\r",
        "AT+CPIN=\r", "AT+CFOTA=0\r", "AT+CFOTA=6\r", "AT+CFOTA=5\r", "AT+CFOTA=5,313\r",
        "AT+CFOTA=5,0,f1351d44d9a338c867046ebf16ec62d1\r",
        "AT+CFOTA=5,593921,f1351d44d9a338c867046ebf16ec62d1\r",
        "AT+CFOTA=5,313,f1351d44d9a338c867046ebf16ec62d\r",
        "AT+CFOTA=5,313,g1351d44d9a338c867046ebf16ec62d1\r",
        "AT+CFOTA=4,1\r", "AT+CFOTA=3,1\r", "AT+CFLR=138346496,0\r",
    };
    struct rig *r = rig_open();
    size_t i;
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *got = send_at(r, bad[i]);
        if (strcmp(got, "\r\n+CME ERROR: 50\r\n") != 0)
            fail_msg("%s gave \"%s\"", bad[i], got);
    }
    /* and nothing changed */
    assert_string_equal(send_at(r, "AT+IPR?\r"), "\r\n+IPR: 0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CFUN?\r"), "\r\n+CFUN: 1\r\n" OK);
    assert_int_equal(r->saves, 0);
    rig_close(r);
}

/* The note's section 3, on the core. */
static void test_bearer_transcript(void **state)
{
    struct rig *r = rig_open();
    assert_string_equal(send_at(r, "AT+CPIN?\r"), "\r\n+CPIN: READY\r\n" OK);
    assert_string_equal(send_at(r, "AT+CSQ\r"), "\r\n+CSQ: 20,0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 0,1\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGACT?\r"), "\r\n+CGACT: 1,1\r\n" OK);
    assert_string_equal(send_at(r, "AT+COPS?\r"), "\r\n+COPS: 0,0,\"CHN-UNICOM\",9\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGCONTRDP\r"),
                        "\r\n+CGCONTRDP: 1,5,\"shnbiot\",\"10.250.0.213.255.255.255.0\"\r\n" OK);
    assert_string_equal(send_at(r, "AT+CFUN=0\r"), "\r\n+CPIN: NOT READY\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 0,0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CSQ\r"), "\r\n+CSQ: 99,99\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGCONTRDP\r"), OK);
    assert_string_equal(send_at(r, "AT*MCGDEFCONT=\"IP\", \"3GNET\"\r"), OK);
    assert_int_equal(r->saves, 1);
    assert_string_equal(r->saved.apn, "3GNET");
    assert_string_equal(send_at(r, "AT+CFUN=1\r"), OK "\r\n+CPIN: READY\r\n");
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 0,1\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGCONTRDP\r"),
                        "\r\n+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\"\r\n" OK);
    assert_string_equal(send_at(r, "AT*MCGDEFCONT?\r"), "\r\n*MCGDEFCONT: \"IP\",\"3GNET\",\"\",\"\"\r\n" OK);
    rig_close(r);
}

static void test_attach_delay_and_urcs(void **state)
{
    struct rig *r = rig_open();
    r->cfg.attach_delay_ms = 5000;
    rig_boot(r);
    taken(r);
    assert_string_equal(send_at(r, "AT+CGREG=1\r"), OK);
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 1,2\r\n" OK);
    assert_string_equal(send_at(r, "AT+CGACT?\r"), "\r\n+CGACT: 1,0\r\n" OK);
    assert_string_equal(send_at(r, "AT+COPS?\r"), "\r\n+COPS: 0\r\n" OK);
    advance(r, 4999);
    assert_string_equal(taken(r), "");
    advance(r, 1);
    assert_string_equal(taken(r), "\r\n+CGREG: 1\r\n");
    assert_string_equal(send_at(r, "AT+CGATT=0\r"), OK "\r\n+CGREG: 0\r\n");
    assert_int_equal(modem_next_event(&r->m), MODEM_NEVER);
    rig_close(r);
}

static void test_sim_pin(void **state)
{
    struct rig *r = rig_open();
    r->cfg.sim = MODEM_SIM_PIN;
    rig_boot(r);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+CPIN?\r"), "\r\n+CPIN: SIM PIN\r\n" OK);
    assert_string_equal(send_at(r, "AT+CIMI\r"), "\r\n+CME ERROR: 11\r\n");
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 0,0\r\n" OK);
    assert_string_equal(send_at(r, "AT+CPIN=\"0000\"\r"), "\r\n+CME ERROR: 16\r\n");
    assert_string_equal(send_at(r, "AT+CPIN=\"1234\"\r"), OK "\r\n+CPIN: READY\r\n");
    assert_string_equal(send_at(r, "AT+CGREG?\r"), "\r\n+CGREG: 0,1\r\n" OK);
    r->cfg.sim = MODEM_SIM_ABSENT;
    rig_boot(r);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+CPIN?\r"), "\r\n+CME ERROR: 10\r\n");
    rig_close(r);
}

/* ---- the line counters ---- */

/* Every byte both ways, echo and boot lines included, and a reset of the
 * module does not restart them (modem_line_counts). */
static void test_line_counts(void **state)
{
    struct rig *r = rig_open();
    struct modem_line_counts a = modem_line_counts(&r->m), b;
    uint64_t in = 0, out = 0;
    static const char *const lines[] = {"AT\r", "ATE1\r", "AT+CGMR\r", "AT+IPR=115200\r", "AT+CFUN=1,1\r",
                                        "ATE1\r", "AT+NOSUCH\r"};
    size_t i;
    (void)state;
    assert_int_equal(a.received, 0);
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        in += strlen(lines[i]);
        out += strlen(send_at(r, lines[i]));
    }
    assert_true(strstr(r->text, "AT+NOSUCH\r") != NULL); /* echoed */
    b = modem_line_counts(&r->m);
    assert_int_equal(b.received - a.received, in);
    assert_int_equal(b.sent - a.sent, out);
    /* A power-on (modem_init) is where they start. */
    rig_boot(r);
    assert_int_equal(modem_line_counts(&r->m).received, 0);
    assert_int_equal(modem_line_counts(&r->m).sent, strlen(taken(r)));
    rig_close(r);
}

/* ---- boot URCs and AT+IPR ---- */

static void test_ipr_and_boot_urcs(void **state)
{
    struct rig *r = rig_open();
    /* factory AT+IPR=0: a reset says nothing */
    assert_string_equal(send_at(r, "AT+CFUN=1,1\r"), OK);
    assert_string_equal(send_at(r, "AT\r"), OK);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
    assert_int_equal(r->saves, 1);
    assert_int_equal(r->saved.ipr, 115200);
    /* the manual's boot set [M105 3.2.20] */
    assert_string_equal(send_at(r, "AT+CFUN=1,1\r"),
                        OK "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n");
    /* survives a power cycle */
    rig_boot(r);
    assert_string_equal(taken(r), "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n");
    assert_string_equal(send_at(r, "AT+IPR?\r"), "\r\n+IPR: 115200\r\n" OK);
    assert_string_equal(send_at(r, "AT+IPR=?\r"),
                        "\r\n+IPR: (0,110,300,1200,2400,4800,9600,19200,38400,57600,115200,230400,"
                        "460800,921600,3000000)\r\n" OK);
    /* echo and CMEE are not saved */
    assert_string_equal(send_at(r, "AT+CMEE=2\r"), OK);
    rig_boot(r);
    taken(r);
    assert_string_equal(send_at(r, "AT+CMEE?\r"), "\r\n+CMEE: 0\r\n" OK);
    rig_close(r);
}

static void test_real_speed_delays(void **state)
{
    struct rig *r = rig_open();
    r->cfg.speed = MODEM_SPEED_REAL;
    rig_boot(r);
    assert_string_equal(taken(r), "");
    assert_string_equal(send_at(r, "AT\r"), ""); /* still booting: lost */
    advance(r, 5000);
    assert_string_equal(send_at(r, "AT+CFLE=0,0,3\r"), "");
    assert_string_equal(send_at(r, "AT+CSQ\r"), ""); /* held, not lost */
    advance(r, 134); /* 3 blocks of 45 ms */
    assert_string_equal(taken(r), "");
    advance(r, 1);
    assert_string_equal(taken(r), OK "\r\n+CSQ: 20,0\r\n" OK);
    rig_close(r);
}

/* ---- flash commands ---- */

static void test_flash_erase_write_read(void **state)
{
    struct rig *r = rig_open();
    uint8_t data[512];
    char expect[1200];
    size_t i, n;
    const uint8_t *flash = flashsim_data(r->sim);
    uint32_t upd = MODEM_UPDATE_ADDR - MODEM_FLASH_BASE, res = MODEM_RESERVED_ADDR - MODEM_FLASH_BASE;

    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    /* the update partition */
    assert_string_equal(send_at(r, "AT+CFLE=0,0,1\r"), OK);
    assert_int_equal(flashsim_erase_count(r->sim, upd / MODEM_BLOCK), 1);
    assert_string_equal(send_at(r, "AT+CFLW=0,0,313,0,30\r"), "\r\n> ");
    modem_input(&r->m, data, 313, r->now);
    assert_string_equal(taken(r), OK);
    assert_memory_equal(flash + upd, data, 313);
    /* data immediately followed by the next command */
    assert_string_equal(send_at(r, "AT+CFLW=0,0,10,313,30\r"), "\r\n> ");
    modem_input(&r->m, "0123456789AT\r", 13, r->now);
    assert_string_equal(taken(r), OK OK);
    assert_memory_equal(flash + upd + 313, "0123456789", 10);
    /* not erased: refused before the prompt */
    assert_string_equal(send_at(r, "AT+CFLW=0,0,5,0,30\r"), "\r\n+CME ERROR: 3\r\n");
    /* the update partition is not readable */
    assert_string_equal(send_at(r, "AT+CFLR=137441280,16\r"), "\r\n+CME ERROR: 3\r\n");
    assert_string_equal(send_at(r, "AT+CFLR=138035199,1\r"), "\r\n+CME ERROR: 3\r\n");
    /* the reserved partition: write at addr+offset, read back in hex */
    assert_string_equal(send_at(r, "AT+CFLE=1,138350592,2\r"), OK); /* block 1, 2 */
    assert_string_equal(send_at(r, "AT+CFLW=1,138350592,4,4094,5\r"), "\r\n> ");
    modem_input(&r->m, "\x01\xAB\x00\xFF", 4, r->now);
    assert_string_equal(taken(r), OK);
    assert_memory_equal(flash + res + 4096 + 4094, "\x01\xAB\x00\xFF", 4);
    assert_string_equal(send_at(r, "AT+CFLR=138354686,6\r"), "\r\n+CFLR: 01ab00ffffff\r\n" OK);
    /* 512 bytes, the maximum */
    assert_string_equal(send_at(r, "AT+CFLE=1,138346496,1\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLW=1,138346496,512,0,5\r"), "\r\n> ");
    modem_input(&r->m, data, 512, r->now);
    assert_string_equal(taken(r), OK);
    n = (size_t)snprintf(expect, sizeof expect, "\r\n+CFLR: ");
    for (i = 0; i < 512; i++)
        n += (size_t)snprintf(expect + n, sizeof expect - n, "%02x", data[i]);
    snprintf(expect + n, sizeof expect - n, "\r\n" OK);
    assert_string_equal(send_at(r, "AT+CFLR=138346496,512\r"), expect);
    /* the last block of the reserved partition and of the update partition */
    assert_string_equal(send_at(r, "AT+CFLE=1,138407936,1\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLE=0,0,145\r"), OK);
    assert_int_equal(flashsim_erase_count(r->sim, upd / MODEM_BLOCK + 144), 1);
    assert_string_equal(send_at(r, "AT+CFLW=0,0,1,593919,1\r"), "\r\n> ");
    assert_string_equal(send_at(r, "Z"), OK);
    assert_int_equal(flash[upd + 593919], 'Z');
    rig_close(r);
}

static void test_flash_range_checks(void **state)
{
    static const char *const bad[] = {
        "AT+CFLE=0,1,1\r",            /* mode 0 address is fixed */
        "AT+CFLE=0,0,0\r",            /* num 1-145 */
        "AT+CFLE=0,0,146\r",
        "AT+CFLE=1,138346496,17\r",   /* num 1-16 */
        "AT+CFLE=1,138342400,1\r",    /* below the reserved partition */
        "AT+CFLE=1,138412032,1\r",    /* at its end */
        "AT+CFLE=1,138346497,1\r",    /* not on a block */
        "AT+CFLE=1,138407936,2\r",    /* runs past the end */
        "AT+CFLE=2,0,1\r",
        "AT+CFLE=0,0\r",
        "AT+CFLE=0,0,1,1\r",
        "AT+CFLE=0,0,x\r",
        "AT+CFLE=\"0\",0,1\r",
        "AT+CFLE=0,0,99999999999\r",
        "AT+CFLW=0,0,513,0,30\r",     /* len at most 512 */
        "AT+CFLW=0,0,0,0,30\r",
        "AT+CFLW=0,0,1,0,0\r",        /* timeout 1-100 */
        "AT+CFLW=0,0,1,0,101\r",
        "AT+CFLW=0,5,1,0,30\r",       /* mode 0 address is fixed */
        "AT+CFLW=0,0,2,593919,30\r",  /* past the update partition */
        "AT+CFLW=0,0,1,593920,30\r",
        "AT+CFLW=1,0,1,0,30\r",       /* mode 1 needs a reserved address */
        "AT+CFLW=1,138412032,1,0,30\r",
        "AT+CFLW=1,138346496,1,65536,30\r",
        "AT+CFLW=1,138346496,1,65537,30\r",
        "AT+CFLW=1,138411776,512,1,30\r",
        "AT+CFLW=0,0,10,0\r",
        "AT+CFLW=2,0,10,0,30\r",
        "AT+CFLR=138346496,513\r",    /* len at most 512 */
        "AT+CFLR=138412031,2\r",      /* past the end */
        "AT+CFLR=134217728,16\r",     /* the firmware */
        "AT+CFLR=138346496\r",
    };
    struct rig *r = rig_open();
    uint64_t ops = flashsim_stats(r->sim)->ops;
    size_t i;
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *got = send_at(r, bad[i]);
        if (strcmp(got, "\r\n+CME ERROR: 50\r\n") != 0)
            fail_msg("%s gave \"%s\"", bad[i], got);
    }
    assert_int_equal(flashsim_stats(r->sim)->ops, ops);
    assert_string_equal(send_at(r, "AT+CFLR=138412031,1\r"), "\r\n+CFLR: ff\r\n" OK);
    rig_close(r);
}

static void test_cflw_timeout(void **state)
{
    struct rig *r = rig_open();
    uint32_t upd = MODEM_UPDATE_ADDR - MODEM_FLASH_BASE;
    assert_string_equal(send_at(r, "AT+CMEE=2\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLE=0,0,1\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLW=0,0,100,0,2\r"), "\r\n> ");
    modem_input(&r->m, "0123456789", 10, r->now);
    advance(r, 1999);
    assert_string_equal(taken(r), "");
    advance(r, 1);
    /* the manual: "If <timeout> expired, cancel the operation" -> ERROR */
    assert_string_equal(taken(r), ERROR);
    assert_int_equal(flashsim_data(r->sim)[upd], 0xFF);
    assert_string_equal(send_at(r, "AT\r"), OK);
    rig_close(r);
}

/* ---- AT+CFOTA=5 ---- */

/* Write pkg into the update partition as a host would, then return the
 * AT+CFOTA=5 line for it (md5 given, or its real MD5). */
static void upload(struct rig *r, const uint8_t *pkg, size_t len)
{
    char cmd[64];
    size_t off;
    snprintf(cmd, sizeof cmd, "AT+CFLE=0,0,%zu\r", (len + 4095) / 4096);
    assert_string_equal(send_at(r, cmd), OK);
    for (off = 0; off < len; off += 512) {
        size_t n = len - off < 512 ? len - off : 512;
        snprintf(cmd, sizeof cmd, "AT+CFLW=0,0,%zu,%zu,30\r", n, off);
        assert_string_equal(send_at(r, cmd), "\r\n> ");
        modem_input(&r->m, pkg + off, n, r->now);
        assert_string_equal(taken(r), OK);
    }
}

static void make_package_for(uint32_t product, uint64_t base_seed, const char *base_v,
                             const char *target_v, struct bytes *pkg, struct bytes *target)
{
    struct cfota_encode_opts o = {0};
    uint8_t *old = malloc(IMAGE_SIZE);
    make_image(old, IMAGE_SIZE, base_seed);
    target->n = 0;
    bytes_put(target, old, IMAGE_SIZE);
    memcpy(target->p + 5000, "version two of the firmware", 27);
    bytes_put(target, "and some more code at the end", 29);
    o.base_version = base_v;
    o.target_version = target_v;
    o.in_place = 1; /* the module updates in place */
    o.product_id = product;
    pkg->n = 0;
    assert_int_equal(cfota_encode(old, IMAGE_SIZE, target->p, target->n, &o, pkg), 0);
    free(old);
}

static void make_package(uint64_t base_seed, const char *base_v, const char *target_v, struct bytes *pkg,
                         struct bytes *target)
{
    make_package_for(0, base_seed, base_v, target_v, pkg, target);
}

static void cfota_line(char *out, size_t cap, const uint8_t *pkg, size_t len)
{
    uint8_t md5[16];
    char hex[33];
    host_md5(pkg, len, md5);
    host_hex(md5, 16, hex);
    snprintf(out, cap, "AT+CFOTA=5,%zu,%s\r", len, hex);
}

static void test_cfota_success(void **state)
{
    struct rig *r = rig_open();
    struct bytes pkg = {0}, target = {0};
    char cmd[96];
    uint32_t fw = MODEM_FW_ADDR - MODEM_FLASH_BASE;

    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    assert_string_equal(send_at(r, cmd), "\r\n+CFOTA: Start to update, please wait for reset\r\n" OK
                                         "\r\n*MATREADY: 1\r\n\r\n+CFUN: 1\r\n"
                                         "\r\n+CFOTA: Update successfully\r\n\r\n+CPIN: READY\r\n");
    assert_memory_equal(flashsim_data(r->sim) + fw, target.p, target.n);
    assert_string_equal(send_at(r, "AT+CFOTA=4\r"), OK);
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);
    /* the same package again: now for another base */
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    rig_close(r);
    bytes_free(&pkg);
    bytes_free(&target);
}

static void test_cfota_refusals(void **state)
{
    struct rig *r = rig_open();
    struct bytes pkg = {0}, target = {0};
    char cmd[96];
    const struct flashsim_stats *st = flashsim_stats(r->sim);
    uint64_t ops;

    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
    /* modes without a server */
    assert_string_equal(send_at(r, "AT+CFOTA=1\r"), OK "\r\n+CFOTA: No update package\r\n");
    assert_string_equal(send_at(r, "AT+CFOTA=3\r"), "\r\n+CME ERROR: 3\r\n");
    assert_string_equal(send_at(r, "AT+CFOTA?\r"), "\r\n+CFOTA: 0\r\n" OK);
    /* a wrong MD5 */
    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    ops = st->ops;
    snprintf(cmd, sizeof cmd, "AT+CFOTA=5,%zu,f1351d44d9a338c867046ebf16ec62d1\r", pkg.n);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    /* the right MD5 of fewer bytes: not a whole package */
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n - 1);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_int_equal(st->ops, ops); /* nothing was written */
    /* a package for another base */
    make_package(2, "1752B04SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    ops = st->ops;
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_int_equal(st->ops, ops);
    /* not a package at all, with its right MD5 */
    assert_string_equal(send_at(r, "AT+CFLE=0,0,1\r"), OK);
    assert_string_equal(send_at(r, "AT+CFLW=0,0,5,0,30\r"), "\r\n> ");
    assert_string_equal(send_at(r, "hello"), OK);
    cfota_line(cmd, sizeof cmd, (const uint8_t *)"hello", 5);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B05SIM7020C\r\n" OK);
    rig_close(r);
    bytes_free(&pkg);
    bytes_free(&target);
}

/* A power cut at every flash operation of AT+CFOTA=5, the reboot and the
 * update (tests/powercut.h): the next power-on either finishes the update
 * (the note's promise: the module continues after a reboot) or, if the
 * cut came before the pending update was recorded, runs the old image
 * untouched, and the host's second AT+CFOTA=5 then updates it. Never
 * "Update fail", never a silent module; AT+CGMR agrees with the firmware
 * region, which ends as the target with zero NOR violations. */
struct cut_scenario {
    struct rig *r;
    struct bytes pkg, target;
    char cmd[96];
    unsigned resumed;   /* boots that finished an interrupted update */
    unsigned retried;   /* boots with no update recorded yet */
};

static void cut_reset(void *ctx)
{
    struct cut_scenario *c = ctx;
    if (c->r)
        rig_close(c->r);
    c->r = rig_open();
    upload(c->r, c->pkg.p, c->pkg.n);
    assert_string_equal(send_at(c->r, "AT+IPR=115200\r"), OK);
}

static struct flashsim *cut_sim(void *ctx)
{
    return ((struct cut_scenario *)ctx)->r->sim;
}

static void cut_run(void *ctx)
{
    struct cut_scenario *c = ctx;
    const char *got = send_at(c->r, c->cmd);
    if (flashsim_powered(c->r->sim))
        assert_non_null(strstr(got, "Update successfully"));
}

static void cut_recover(void *ctx, uint64_t cut)
{
    struct cut_scenario *c = ctx;
    struct rig *r = c->r;
    const char *got;
    rig_boot(r);
    got = taken(r);
    if (!flashsim_powered(r->sim))
        return; /* cut again: the helper powers on and calls again */
    assert_null(strstr(got, "Update fail"));
    if (strstr(got, "Update successfully")) {
        c->resumed++;
    } else {
        /* cut before the pending record was stored: no update, the
         * manual's boot set */
        assert_string_equal(got, "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n");
        assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B05SIM7020C\r\n" OK);
        c->retried++;
        got = send_at(r, c->cmd); /* the host tries again */
        if (!flashsim_powered(r->sim))
            return;
        assert_non_null(strstr(got, "Update successfully"));
    }
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);
    assert_string_equal(send_at(r, "AT\r"), OK);
}

static const uint8_t *cut_region(void *ctx)
{
    return flashsim_data(((struct cut_scenario *)ctx)->r->sim);
}

static void test_cfota_power_cut(void **state)
{
    struct cut_scenario c;
    struct powercut_case pc = {&c, cut_reset, cut_sim, cut_run, cut_recover, cut_region, NULL, 0};
    struct powercut_result res;

    memset(&c, 0, sizeof c);
    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &c.pkg, &c.target);
    cfota_line(c.cmd, sizeof c.cmd, c.pkg.p, c.pkg.n);
    pc.want = c.target.p;
    pc.want_len = c.target.n;
    res = powercut_sweep(&pc, 1, 10, 77);
    print_message("    %llu flash operations; %u boots resumed the update, %u had none recorded\n",
                  (unsigned long long)res.ops, c.resumed, c.retried);
    assert_true(c.resumed > 0);
    assert_true(c.retried > 0);
    rig_close(c.r);
    bytes_free(&c.pkg);
    bytes_free(&c.target);
}

/* A module with a release key provisioned (cfota modem --trust) takes
 * only packages signed with it, and only a security counter not below
 * the one it runs; a refusal is the manual's error, said before any write,
 * with the reason in the trace. */
static void test_cfota_signed(void **state)
{
    struct rig *r = rig_open();
    struct bytes pkg = {0}, target = {0};
    struct cfota_mbedtls_key key;
    struct cfota_verifier v;
    char dir[] = "/tmp/cfota-modem-key-XXXXXX", keyp[64], pub[64], other[64], why[256], cmd[96];
    const struct flashsim_stats *st = flashsim_stats(r->sim);
    uint64_t ops;

    assert_non_null(mkdtemp(dir));
    snprintf(keyp, sizeof keyp, "%s/k", dir);
    snprintf(pub, sizeof pub, "%s/k.pub", dir);
    snprintf(other, sizeof other, "%s/o", dir);
    assert_int_equal(host_keygen(keyp, why, sizeof why), 0);
    assert_int_equal(host_keygen(other, why, sizeof why), 0);
    assert_int_equal(host_verifier_load(pub, &key, &v, why, sizeof why), 0);
    r->cfg.trust = &v;
    rig_boot(r);
    taken(r);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);

    make_package(1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    ops = st->ops;
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    logged(r, "");
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_true(logged(r, "not signed"));
    assert_int_equal(st->ops, ops);

    assert_int_equal(host_package_sign(&pkg, other, why, sizeof why), 0);
    upload(r, pkg.p, pkg.n);
    ops = st->ops;
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_true(logged(r, "another key"));
    assert_int_equal(st->ops, ops);

    assert_int_equal(host_package_sign(&pkg, keyp, why, sizeof why), 0);
    upload(r, pkg.p, pkg.n);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    assert_non_null(strstr(send_at(r, cmd), "+CFOTA: Update successfully"));
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);

    unlink(keyp);
    unlink(pub);
    unlink(other);
    snprintf(why, sizeof why, "%s.pub", other);
    unlink(why);
    rmdir(dir);
    rig_close(r);
    bytes_free(&pkg);
    bytes_free(&target);
}

/* A module provisioned with a product id (cfota modem --product) takes
 * only packages made for it: another product's is the manual's error,
 * said before any write, with the reason in the trace. */
static void test_cfota_product(void **state)
{
    struct rig *r = rig_open();
    struct bytes pkg = {0}, target = {0};
    const struct flashsim_stats *st = flashsim_stats(r->sim);
    char cmd[96];
    uint64_t ops;

    r->cfg.product_id = 7;
    rig_boot(r);
    taken(r);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
    make_package_for(0, 1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    ops = st->ops;
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    logged(r, "");
    assert_string_equal(send_at(r, cmd), "\r\n+CME ERROR: 767\r\n");
    assert_true(logged(r, "product"));
    assert_int_equal(st->ops, ops);

    make_package_for(7, 1, "1752B05SIM7020C", "1752B06SIM7020C", &pkg, &target);
    upload(r, pkg.p, pkg.n);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    assert_non_null(strstr(send_at(r, cmd), "+CFOTA: Update successfully"));
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);
    rig_close(r);
    bytes_free(&pkg);
    bytes_free(&target);
}

/* The F2 brick of the fuzzing pass: a well-formed package whose stream
 * copies from bytes not written yet passes AT+CFOTA=5's checks; the
 * update then fails. It must end with "+CFOTA: Update fail" and a module
 * that answers AT, and the next power-on must not run it again. */
static void test_cfota_engine_error_is_update_fail(void **state)
{
    struct rig *r = rig_open();
    struct bytes base = {0}, pkg = {0};
    char cmd[96];
    const char *got;

    bytes_put(&base, flashsim_data(r->sim), IMAGE_SIZE);
    test_craft_forward_copy(&base, 200, &pkg);
    upload(r, pkg.p, pkg.n);
    assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    got = send_at(r, cmd);
    assert_non_null(strstr(got, "+CFOTA: Start to update"));
    assert_non_null(strstr(got, "+CFOTA: Update fail"));
    assert_true(logged(r, "package is corrupt"));
    assert_string_equal(send_at(r, "AT\r"), OK);
    assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B05SIM7020C\r\n" OK);
    rig_boot(r);
    got = taken(r);
    assert_null(strstr(got, "Update"));
    assert_string_equal(send_at(r, "AT\r"), OK);
    rig_close(r);
    bytes_free(&pkg);
    bytes_free(&base);
}

/* A package with a stash plan and carried models (a generated pair whose
 * blocks swapped places, several 64 KiB segments): the module carves its
 * scratch and stash out of the update partition after the package, and
 * finishes the update after a power cut at sampled flash operations. */
static void test_cfota_stash_and_carry(void **state)
{
    struct bytes old = {0}, target = {0}, pkg = {0};
    struct cfota_encode_opts o = {0};
    struct cfota_encode_info info;
    struct cfota_header h;
    char cmd[96];
    uint64_t cut;
    int done = 0, successes = 0;
    (void)state;
    assert_int_equal(fwgen_make((size_t)fwgen_case_find("esp32-swap"), 160, 3, &old, &target), 0);
    o.base_version = "1752B05SIM7020C";
    o.target_version = "1752B06SIM7020C";
    o.in_place = 1;
    o.info = &info;
    assert_int_equal(cfota_encode(old.p, old.n, target.p, target.n, &o, &pkg), 0);
    assert_int_equal(cfota_header_parse(&h, pkg.p, pkg.n), CFOTA_OK);
    assert_true(h.flags & CFOTA_FLAG_STASH);
    assert_true(h.flags & CFOTA_FLAG_CARRY);
    assert_true(info.stash_entries > 0);
    assert_true(h.scratch_size > MODEM_SCRATCH_SIZE); /* carved from the update partition */
    cfota_line(cmd, sizeof cmd, pkg.p, pkg.n);
    for (cut = 0; !done; cut += 7) {
        struct rig *r = rig_open_image(old.p, old.n);
        const char *got;
        upload(r, pkg.p, pkg.n);
        assert_string_equal(send_at(r, "AT+IPR=115200\r"), OK);
        flashsim_set_power_cut(r->sim, cut, cut);
        got = send_at(r, cmd);
        if (flashsim_powered(r->sim)) {
            done = 1;
            assert_non_null(strstr(got, "Update successfully"));
        } else {
            flashsim_power_on(r->sim);
            rig_boot(r);
            got = taken(r);
            assert_null(strstr(got, "Update fail"));
            successes += strstr(got, "Update successfully") != NULL;
        }
        if (strstr(got, "Update successfully")) {
            assert_string_equal(send_at(r, "AT+CGMR\r"), "\r\n1752B06SIM7020C\r\n" OK);
            assert_memory_equal(flashsim_data(r->sim), target.p, target.n);
            assert_int_equal(flashsim_stats(r->sim)->violations, 0);
        }
        rig_close(r);
        assert_true(cut < 20000);
    }
    assert_true(successes > 0);
    bytes_free(&old);
    bytes_free(&target);
    bytes_free(&pkg);
}

static void test_settings_text(void **state)
{
    struct modem_settings s, t;
    char text[512];
    size_t n;
    modem_settings_default(&s);
    s.ipr = 115200;
    s.apn_set = 1;
    strcpy(s.apn, "3GNET");
    strcpy(s.user, "u");
    n = modem_settings_format(&s, text, sizeof text);
    assert_true(n > 0);
    modem_settings_parse(&t, text, n);
    assert_memory_equal(&s, &t, sizeof s);
    modem_settings_parse(&t, "ipr=x\ngarbage\napn=\x01\n", 21);
    assert_int_equal(t.ipr, 0);
    assert_string_equal(t.apn, "");
}

/* ---- every refusal says why in --trace ---- */

static void test_refusal_reasons(void **state)
{
    static const struct {
        const char *cmd, *answer, *why;
    } cases[] = {
        {"AT+WHAT\r", ERROR, "AT+WHAT: no such command"},
        {"AT+CREG=5\r", "\r\n+CME ERROR: 50\r\n", "AT+CREG=5: +CME ERROR: 50 (Incorrect Parameters)"},
        {"AT+CGPADDR\r", ERROR, "give the context"},
        {"AT+CIICR\r", ERROR, "only in IP START"},
        {"AT+CIFSR\r", ERROR, "no address before AT+CIICR"},
        {"AT+CSOCL=0\r", ERROR, "no socket 0"},
        {"AT+CHTTPSEND=0,0,/x\r", ERROR, "client 0 is not connected"},
        {"AT+CDNSCFG=x\r", ERROR, "dotted IPv4"},
        {"AT+CFOTA=4\r", "\r\n+CME ERROR: 767\r\n", "the network is not up yet"},
        {"AT+CSOC=1,1,1\r", ERROR, "not attached"},
        {"AT+CDNSGIP=localhost\r", ERROR, "no PDP context"},
        {"ATE5\r", ERROR, "ATE5: ERROR"},
    };
    struct rig *r = rig_open();
    size_t i;

    /* after an over-the-air update, before the network is up: the report
     * of AT+CFOTA=4 has nowhere to go */
    r->saved.ota.state = OTA_UPDATING;
    snprintf(r->saved.fota_url, sizeof r->saved.fota_url, "http://127.0.0.1:9");
    r->cfg.attach_delay_ms = MODEM_NEVER;
    rig_boot(r);
    taken(r);
    assert_string_equal(send_at(r, "AT+CMEE=1\r"), OK);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        logged(r, "");
        assert_string_equal(send_at(r, cases[i].cmd), cases[i].answer);
        if (!logged(r, cases[i].why))
            fail_msg("%s: no \"%s\" in the trace", cases[i].cmd, cases[i].why);
    }
    rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_line_counts),
        cmocka_unit_test(test_cmee),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_bearer_transcript),
        cmocka_unit_test(test_attach_delay_and_urcs),
        cmocka_unit_test(test_sim_pin),
        cmocka_unit_test(test_ipr_and_boot_urcs),
        cmocka_unit_test(test_real_speed_delays),
        cmocka_unit_test(test_flash_erase_write_read),
        cmocka_unit_test(test_flash_range_checks),
        cmocka_unit_test(test_cflw_timeout),
        cmocka_unit_test(test_cfota_success),
        cmocka_unit_test(test_cfota_refusals),
        cmocka_unit_test(test_cfota_power_cut),
        cmocka_unit_test(test_cfota_signed),
        cmocka_unit_test(test_cfota_product),
        cmocka_unit_test(test_cfota_engine_error_is_update_fail),
        cmocka_unit_test(test_cfota_stash_and_carry),
        cmocka_unit_test(test_settings_text),
        cmocka_unit_test(test_refusal_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
