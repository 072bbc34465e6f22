/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/modem.h: the emulated SIM7020 module as a pure state machine.
 *
 * The core knows nothing about file descriptors, clocks or files. A host
 * (modem/posix/runner.c for `cfota modem`, or a test) feeds it the bytes
 * the MCU sends with modem_input(), tells it the time with modem_tick(),
 * reports its HTTP transfers with the events of modem_http.h, and gets
 * every byte the module sends through the write callback of struct
 * modem_io. Time is a millisecond counter chosen by the host, so a test
 * can run a 100-second CFLW timeout in no time at all. modem_next_event()
 * says when the core next wants a tick.
 *
 * One entry point, entry.c, takes all of these and decides what runs; the
 * pieces below it, one file each, only answer or ask (at_command.h):
 *   at_engine.c    framing: echo, lines, data mode, final results, URCs
 *   at_args.c      argument parsing (quoted strings, ranged integers)
 *   at_table.c     the command table: one row per command
 *   cmd_*.c        the handlers, by family (general, network, flash,
 *                  fota, http, ota_ext)
 *   network.c      the simulated network (SIM, registration, bearer)
 *   boot.c         power-on and reset: boot URCs, running an update
 *   ota.c          AT+CFOTA=1..4 against a cfota server (ota.h)
 *   fota_accept.c  the one path by which a package becomes pending
 *   fota_apply.c   the update itself, through the device library's engine
 *   flash_map.c    the flash map of the module (spec section 2.2)
 *   fw_record.c    the persistent record of the running image and a
 *                  pending update
 *   http_request.c, update_store.c, http_header.c   HTTP for the handlers
 *   settings.c, config.c                            settings and defaults
 *   cmd_registration.c  AT+CREG, CGPADDR, CENG, CBATCHK, CGPIAF, CRESET
 *   cmd_socket.c   the native sockets, AT+CSOC... (modem_sock.h)
 *   cmd_tcpip.c    the TCP/IP application family, AT+CIP...
 *   cmd_dns.c      AT+CDNSCFG, AT+CDNSGIP
 *   cmd_httpsend.c AT+CHTTPSEND and its +CHTTPNMIH/+CHTTPNMIC
 *   sock_request.c sockets for the handlers (modem_sock.h)
 *
 * Host-only code (it uses snprintf), but the core never blocks, never
 * reads a clock, never allocates, and never calls the host except
 * through struct modem_io, struct modem_http_ops and struct modem_sock_ops.
 */
#ifndef CFOTA_MODEM_H
#define CFOTA_MODEM_H

#include <stddef.h>
#include <stdint.h>

#include "cfota/flash.h"
#include "cfota/signature.h"
#include "cfota/update.h"
#include "modem_http.h"
#include "ota_state.h"
#include "modem_sock.h"

#define MODEM_LINE_MAX 2048u    /* command-line buffer [M102 1.3.4] */
#define MODEM_RESP_MAX 8192u    /* one command's response, all lines */
#define MODEM_URCQ_MAX 32768u   /* URCs held while a command runs (HTTP
                                   bodies arrive in +CHTTPNMIC chunks) */
#define MODEM_INPUT_MAX 8192u   /* input held while a command runs */
#define MODEM_CFLW_MAX 512u     /* bytes of one AT+CFLW [M102 p.232] */
#define MODEM_DATA_MAX 1460u    /* bytes of one data mode (AT+CIPSEND) */
#define MODEM_VERSION_MAX 32u   /* running firmware version string */
#define MODEM_TEXT_MAX 64u      /* identity strings, APN, user, password */
#define MODEM_IPS_MAX 4u        /* addresses handed out, one per attach */
#define MODEM_NEVER UINT64_MAX  /* "no event" time */

/* ---- flash map (spec section 2.2; docs/modem.md "Flash map") ---- */

#define MODEM_FLASH_BASE 0x08000000u      /* absolute address of offset 0 */
#define MODEM_FLASH_SIZE 0x00400000u      /* 4 MiB NOR device */
#define MODEM_BLOCK 4096u                 /* "one flash block is 4KB" */
#define MODEM_FW_ADDR 0x08000000u         /* [INF] running image region */
#define MODEM_FW_SIZE 0x0030F000u         /* up to the FOTA partition */
#define MODEM_SCRATCH_ADDR 0x0830F000u    /* [INF] FOTA partition head */
#define MODEM_SCRATCH_SIZE 0x00004000u    /* 16 KiB */
#define MODEM_UPDATE_ADDR 0x08313000u     /* FOTA update partition */
#define MODEM_UPDATE_SIZE 0x00091000u     /* 145 blocks, 593,920 bytes */
#define MODEM_JOURNAL_ADDR 0x083A4000u    /* [INF] FOTA partition tail + 1 */
#define MODEM_JOURNAL_SIZE 0x00002000u    /* the engine's two blocks */
#define MODEM_RECORD_ADDR 0x083A6000u     /* [INF] two blocks, A/B */
#define MODEM_RECORD_SIZE 0x00002000u
#define MODEM_RESERVED_ADDR 0x083F0000u   /* "FLASH reserved partition" */
#define MODEM_RESERVED_SIZE 0x00010000u   /* 16 blocks */

/* The named areas of the module's one flash device. */
struct modem_flash_map {
    const struct cfota_flash *flash;
    struct cfota_area firmware;  /* the running image, at its start */
    struct cfota_area scratch;   /* for the in-place update engine */
    struct cfota_area update;    /* AT+CFLE/CFLW mode 0, CHTTPTOFS */
    struct cfota_area journal;   /* for the in-place update engine */
    struct cfota_area record;    /* struct modem_record, A/B */
    struct cfota_area reserved;  /* AT+CFLE/CFLW/CFLR mode 1 */
};

/* Whether the flash answers at all (a one-byte read): after a failed
 * operation, tells a power cut (nothing answers) from a flash error. */
int modem_flash_alive(const struct modem_flash_map *map);

/* Fill map with the areas over flash (which must be MODEM_FLASH_SIZE
 * bytes with 4 KiB erase blocks). Returns CFOTA_OK or CFOTA_E_INVAL. */
int modem_flash_map_init(struct modem_flash_map *map, const struct cfota_flash *flash);

/* ---- what persists in flash besides the partitions (fw_record.c) ---- */

struct modem_record {
    uint32_t seq;                 /* newer record wins */
    uint32_t image_size;          /* bytes of the running image */
    char version[MODEM_VERSION_MAX + 1];
    uint32_t security_counter;    /* of the running image (anti-rollback) */
    uint8_t pending;              /* an accepted AT+CFOTA=5 not yet done */
    uint32_t pkg_len;             /* its <len> */
    uint8_t pkg_md5[16];          /* its <md5> */
};

/* Load the newest valid record. Returns CFOTA_OK, CFOTA_E_CORRUPT when
 * neither copy is valid (a blank device), or CFOTA_E_IO. */
int modem_record_load(const struct modem_flash_map *map, struct modem_record *rec);

/* Store rec with the next sequence number into the older copy, so a power
 * cut leaves the previous record readable. Updates rec->seq. */
int modem_record_store(const struct modem_flash_map *map, struct modem_record *rec);

/* Factory programming of a blank module: erase the firmware region, write
 * image and a record with version. Returns CFOTA_OK, CFOTA_E_NOSPC (image
 * larger than the region), CFOTA_E_INVAL (version too long) or
 * CFOTA_E_IO. */
int modem_factory_program(const struct modem_flash_map *map, const void *image,
                          uint32_t len, const char *version);

/* ---- settings the manual marks AUTO_SAVE (persisted by the host) ---- */

/* Besides the manual's settings, the host persists the same way the FOTA
 * server setting (AT+CFOTASRV, our extension) and the progress of the
 * over-the-air download (ota.h), which must survive a power cycle for a
 * download to resume ("broken-point continuingly-transferring"). */
struct modem_settings {
    uint32_t ipr;                          /* AT+IPR, 0 = auto-baud */
    int apn_set;                           /* AT*MCGDEFCONT given */
    char pdp_type[8];                      /* "IP", "IPV6", ... */
    char apn[MODEM_TEXT_MAX + 1];
    char user[MODEM_TEXT_MAX + 1];
    char pwd[MODEM_TEXT_MAX + 1];
    char fota_url[OTA_URL_MAX + 1];        /* AT+CFOTASRV: "" none */
    char fota_token[OTA_TOKEN_MAX + 1];    /* its device token */
    struct modem_ota_saved ota;            /* download progress */
    int cbatchk;                           /* AT+CBATCHK */
    int csosendflag, csorcvflag;           /* AT+CSOSENDFLAG, AT+CSORCVFLAG */
    int chttppara;                         /* AT+CHTTPPARA */
};

/* The factory settings: AT+IPR=0, no AT*MCGDEFCONT. */
void modem_settings_default(struct modem_settings *s);
/* As "key=value\n" lines into out (cap bytes); returns the length, or 0
 * if it does not fit. */
size_t modem_settings_format(const struct modem_settings *s, char *out, size_t cap);
/* Parse text made by modem_settings_format over the defaults. Unknown
 * keys and bad values are ignored (a damaged file gives the factory
 * value of that setting). */
void modem_settings_parse(struct modem_settings *s, const char *text, size_t len);

/* ---- configuration: the simulated SIM, network and timing ---- */

enum modem_sim { MODEM_SIM_READY, MODEM_SIM_PIN, MODEM_SIM_PUK, MODEM_SIM_ABSENT };
enum modem_speed { MODEM_SPEED_FAST, MODEM_SPEED_REAL };

struct modem_io {
    void *ctx;
    /* Bytes the module sends to the host (required). */
    void (*write)(void *ctx, const void *data, size_t len);
    /* An AUTO_SAVE setting changed: persist s (may be NULL). */
    void (*save)(void *ctx, const struct modem_settings *s);
    /* A note for --trace, e.g. why a command failed (may be NULL). */
    void (*log)(void *ctx, const char *msg);
};

struct modem_config {
    const char *model;        /* AT+CGMM, e.g. "SIM7020C" */
    const char *imei;         /* AT+CGSN */
    const char *imsi;         /* AT+CIMI */
    const char *iccid;        /* AT+CCID */
    const char *pin;          /* code AT+CPIN=<pin> accepts */
    enum modem_sim sim;
    int rssi, ber;            /* AT+CSQ while the radio is on */
    const char *operator_name;/* AT+COPS? */
    const char *network_apn;  /* APN the network assigns by default */
    const char *ips[MODEM_IPS_MAX]; /* address of attach 1, 2, ... (the
                                       last one repeats) */
    const char *netmask;
    uint64_t attach_delay_ms; /* radio on -> registered; MODEM_NEVER: never */
    enum modem_speed speed;
    int echo;                 /* echo at power-on (ATE1) */
    const char *cflw_prompt;  /* bytes of the AT+CFLW data prompt */
    struct modem_io io;
    struct modem_http_ops http; /* the network (modem_http.h); start NULL: none */
    /* The release key the module trusts (`cfota modem --trust`): NULL
     * takes unsigned packages; set, every update path refuses a package
     * not signed with it, before anything is written (the engine's
     * cfg.policy, fota_engine_cfg). */
    const struct cfota_verifier *trust;
    /* The product this module is part of (`cfota modem --product`): a
     * package made for another product id is refused like one with a bad
     * signature, before anything is written. 0 is the unnamed product,
     * what the server builds by default. */
    uint32_t product_id;
    struct modem_sock_ops sock; /* sockets (sock.h); open NULL: none */
    int boot_fota_an;         /* boot URCs of the FOTA AN (*MATREADY: 1)
                                 at every boot, not only after an update */
    const char *dns_hosts;    /* AT+CDNSGIP's names: "name=ip,name=ip"
                                 besides localhost (NULL: none) */
};

/* Defaults: the values of the application note (CHN-UNICOM, shnbiot,
 * 10.250.0.213, +CSQ: 20,0), echo on, fast speed, prompt "\r\n> ". */
void modem_config_default(struct modem_config *cfg);

/* ---- the module ---- */

enum modem_mode {
    MODEM_OFF,      /* powered off or rebooting: input is lost */
    MODEM_COMMAND,  /* reading command lines */
    MODEM_BUSY,     /* a command runs; input is held until its result */
    MODEM_DATA      /* AT+CFLW is reading raw bytes */
};

enum modem_boot_step { BOOT_NONE, BOOT_START, BOOT_UPDATE, BOOT_SIM };

struct modem_net {
    int fun;                  /* AT+CFUN */
    int pin_ok;               /* AT+CPIN=<pin> accepted */
    int registered;
    int detached;             /* AT+CGATT=0: not even searching */
    uint64_t attach_at;       /* when registration completes */
    unsigned attaches;        /* completed attaches since power-on */
    int creg_n, cgreg_n, cereg_n; /* URC modes */
    int cgpiaf[4];            /* AT+CGPIAF */
    int ceng_mode;            /* AT+CENG */
    char cgdcont_apn[MODEM_TEXT_MAX + 1]; /* AT+CGDCONT=1,..,<apn> */
    int pdp_active;
    char apn[MODEM_TEXT_MAX + 1]; /* APN of the current attach */
};

/* The serial line's byte counters: what a dialogue costs on the wire,
 * AT framing, echo and hex included, counted where the bytes cross the
 * core's edge (modem_input, and the one output point behind io.write).
 * They run from power-on (modem_init) and go on across module resets
 * (AT+CFUN=1,1, AT+CRESET, modem_reset): a reset is the module's, not
 * the line's. Bytes are counted whether or not the module hears them
 * (while it is off, or on an input overrun). */
struct modem_line_counts {
    uint64_t received; /* from the host */
    uint64_t sent;     /* to the host */
};

struct modem;
typedef void (*modem_after_fn)(struct modem *m);

struct modem {
    struct modem_config cfg;
    struct modem_settings settings;
    struct modem_flash_map map;
    struct modem_record rec;  /* as loaded at the last boot, then kept */
    int rec_ok;               /* rec is valid */

    enum modem_mode mode;
    uint64_t now;
    int echo, cmee;
    int verbose, quiet;       /* ATV, ATQ */
    uint8_t sreg[26];         /* S-parameters S0-S25 (cmd_general.c) */
    int ifc[2];               /* AT+IFC */
    char final_text[80];      /* of at_result() */

    /* command line being typed */
    char line[MODEM_LINE_MAX + 1];
    size_t line_len;
    int line_overflow;
    char last_line[MODEM_LINE_MAX + 1]; /* for A/ */
    int after_cr;             /* the last byte ended a line */
    size_t last_len;

    /* the running command */
    char resp[MODEM_RESP_MAX];
    size_t resp_len;
    int resp_overflow;
    uint64_t defer_ms;        /* handlers: add processing time */
    uint64_t busy_until;
    modem_after_fn after;     /* handlers: run after the final result */

    /* held URCs and held input */
    char urcq[MODEM_URCQ_MAX];
    size_t urcq_len;
    uint8_t in[MODEM_INPUT_MAX];
    size_t in_head, in_len;

    int executing;            /* a handler runs: URCs are held */

    /* data mode (AT+CFLW, AT+CSODSEND, AT+CIPSEND): raw bytes until len
     * (or Ctrl-Z), then done() */
    struct {
        const struct cfota_area *area;
        uint32_t off, len, got;
        uint64_t deadline;
        uint64_t idle_ms;     /* Ctrl-Z mode: the deadline moves */
        int ctrlz, cancelled;
        int slot;             /* the socket being written */
        int (*done)(struct modem *m);
        uint8_t buf[MODEM_DATA_MAX];
    } data;

    /* power-on sequence */
    enum modem_boot_step boot_step;
    uint64_t boot_at;
    int update_result;        /* of the update run at this boot: 0 none,
                                 1 success, 2 failure */
    int boot_an;              /* this boot shows the FOTA AN's URCs */

    struct modem_net net;
    int cpsms_mode, clts;
    char cpsms_tau[9], cpsms_act[9];

    struct modem_httpc httpc[MODEM_HTTP_CLIENTS]; /* AT+CHTTPCREATE */
    struct modem_ota ota;                         /* AT+CFOTA=1/2/4 */

    /* the update engine (fota_accept.c, fota_apply.c) */
    struct cfota_update engine;
    uint8_t engine_buf[MODEM_BLOCK];

    /* requests of the layers below to the entry point (at_command.h) */
    int power_lost;           /* a flash operation failed: stop */
    int reset_wanted;         /* reset once no command runs */

    struct modem_sock sock[MODEM_SOCK_SLOTS];     /* modem_sock.h */
    int csorxget;                                 /* AT+CSORXGET mode */
    struct modem_cip cip;                         /* AT+CIP... state */
    char dns[2][16];                              /* AT+CDNSCFG */

    struct modem_line_counts counts;              /* modem_line_counts() */
};

/* ---- the entry point (entry.c) ---- */

/* Set up m (caller-allocated, about 118 KB, most of it the URC queue and
 * the sockets' receive buffers) with cfg, the persisted settings (NULL:
 * factory) and the flash map, and power it on at time
 * now: the boot sequence runs on the following ticks. Returns CFOTA_OK or
 * CFOTA_E_INVAL. */
int modem_init(struct modem *m, const struct modem_config *cfg, const struct modem_settings *settings,
               const struct modem_flash_map *map, uint64_t now);

/* Bytes from the host, received at time now. */
void modem_input(struct modem *m, const void *data, size_t len, uint64_t now);

/* Let time pass up to now: timeouts, delayed results, boot, network. */
void modem_tick(struct modem *m, uint64_t now);

/* The time at which the core next needs modem_tick(), or MODEM_NEVER. */
uint64_t modem_next_event(const struct modem *m);

/* Reset the module as AT+CFUN=1,1 or a watchdog would (not a power cut:
 * that is the host killing the process). */
void modem_reset(struct modem *m);

/* The serial line's byte counts since modem_init (struct
 * modem_line_counts). A host takes two readings and subtracts them to
 * cost one part of a dialogue. Never fails. */
struct modem_line_counts modem_line_counts(const struct modem *m);

#endif
