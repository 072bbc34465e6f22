/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfota_ctl/at.h: the AT channel of the controller library (controller/), the layer
 * between a serial line and the FOTA flows of cfota_ctl/fota_ctl.h.
 *
 * The channel turns the module's byte stream into lines and sorts every
 * line into one of four kinds, at any moment: the echo of the command just
 * sent (dropped), a final result code (OK, ERROR, +CME ERROR: <n|text>), an
 * information line of the pending command (kept, e.g. `1752B05SIM7020C`
 * for AT+CGMR), or an unsolicited result code (URC: queued). A line is a
 * URC when it starts with a prefix of the URC table (data, not code: pass
 * your own table to add one), unless it starts with the prefix the pending
 * command said it expects: `+CPIN: READY` is the answer to AT+CPIN? but a
 * URC after AT+CFUN=1. Lines that are neither, while no command is
 * pending, are counted and dropped (the header lines of +CHTTPNMIH, noise).
 *
 * The `>` data prompt of AT+CFLW (with or without a following space, with
 * no line ending) is recognised at the start of a line while a data
 * command waits for it; cfota_at_cmd_data() then writes the raw bytes and
 * waits for the final result. A URC that marks a module reset (*MATREADY,
 * RDY, +CFUN:) ends a pending command at once with CFOTA_CTL_E_RESET, so
 * that a module rebooting in the middle of an upload is seen within a line
 * and not after a long timeout.
 *
 * Robustness: every buffer is bounded. A line longer than CFOTA_AT_LINE_MAX
 * is cut and marked, and a cut line is never taken for a final result.
 * Control and non-ASCII bytes become '?', so garbage can neither end a
 * string early nor match a prefix by accident. Empty and blank lines are
 * ignored. Info lines beyond CFOTA_AT_RESP_MAX bytes are dropped (counted).
 * The URC queue keeps the newest CFOTA_AT_URC_SLOTS URCs; older ones are
 * dropped (counted) when the caller does not read them.
 *
 * The integrator supplies the link in struct cfota_at_config (littlefs
 * style: a context pointer and callbacks). The library never allocates,
 * never recurses, and uses no libc besides memcpy/memset/memcmp/strlen.
 *
 * RAM: struct cfota_at is at most CFOTA_AT_RAM_MAX (880) bytes with the
 * default sizes below (836 on a 32-bit MCU; checked by
 * tests/test_mcu_sizes.c on the host and bench/mcu_size.sh on the target). A command
 * uses at most about 250 bytes of stack besides the callbacks' (a 32-byte
 * read buffer included; Cortex-M4 -Os, -fstack-usage).
 */
#ifndef CFOTA_AT_H
#define CFOTA_AT_H

#include <stddef.h>
#include <stdint.h>

#include "cfota_ctl/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes, overridable at compile time (all must be < 65536). */
#ifndef CFOTA_AT_LINE_MAX
#define CFOTA_AT_LINE_MAX 128  /* bytes of one line kept; the rest is cut */
#endif
#ifndef CFOTA_AT_RESP_MAX
#define CFOTA_AT_RESP_MAX 256  /* info lines of one command, NUL-separated */
#endif
#ifndef CFOTA_AT_URC_SLOTS
#define CFOTA_AT_URC_SLOTS 6   /* URCs queued until the caller reads them */
#endif
#ifndef CFOTA_AT_URC_LEN
#define CFOTA_AT_URC_LEN 64    /* bytes of one queued URC, NUL included */
#endif

/* Bound of sizeof(struct cfota_at) with the default sizes. */
#define CFOTA_AT_RAM_MAX 880u

/* Every call returns CFOTA_CTL_OK or a negative enum cfota_ctl_error
 * (cfota_ctl/error.h); the channel's own are CFOTA_CTL_E_ERROR (the module
 * answered ERROR), _CME (+CME ERROR / +CMS ERROR; code: cfota_at_cme()),
 * _TIMEOUT (no final result, prompt or URC in time), _IO (the write or
 * read callback failed), _INVAL (bad argument: NULL, a command with CR/LF)
 * and _RESET (the module reset while a command was pending). */

/* What a URC is about; the table maps prefixes to these. */
enum cfota_at_urc_kind {
    CFOTA_URC_OTHER = 0,     /* in the table but of no interest to the flows */
    CFOTA_URC_CFOTA,         /* +CFOTA: <text> */
    CFOTA_URC_BOOT,          /* *MATREADY: 1, RDY */
    CFOTA_URC_CFUN,          /* +CFUN: <fun> */
    CFOTA_URC_CPIN,          /* +CPIN: READY / NOT READY / SIM PIN ... */
    CFOTA_URC_REG,           /* +CGREG: / +CEREG: <stat> */
    CFOTA_URC_HTTP_HEADER,   /* +CHTTPNMIH: <id>,<code>,<len>,<header> */
    CFOTA_URC_HTTP_CONTENT,  /* +CHTTPNMIC: ... */
    CFOTA_URC_HTTP_PROGRESS, /* +CHTTPTOFS: <id>,<flag>,<content_len>,<len> */
    CFOTA_URC_HTTP_DONE,     /* +CHTTPTOFSOK: <id>,<content_len>,<len> */
    CFOTA_URC_HTTP_ERROR     /* +CHTTPERR: <id>[,<code>] */
};

/* Flag of a URC table row: this URC means the module has just reset. */
#define CFOTA_URC_F_RESET 1u

/* One row of a URC table: lines starting with prefix (exact case). */
struct cfota_at_urc_def {
    const char *prefix;
    uint8_t kind;   /* enum cfota_at_urc_kind */
    uint8_t flags;  /* CFOTA_URC_F_* */
};

/* The built-in table: +CFOTA:, *MATREADY, RDY, +CFUN:, +CPIN:, +CGREG:,
 * +CEREG:, +CHTTPNMIH:, +CHTTPNMIC:, +CHTTPTOFSOK:, +CHTTPTOFS:,
 * +CHTTPERR:, SMS Ready. Copy it into a larger array to add rows. */
extern const struct cfota_at_urc_def cfota_at_urcs_default[];
extern const size_t cfota_at_urcs_default_count;

/* One queued URC: its kind, flags and text (NUL-terminated, cut to
 * CFOTA_AT_URC_LEN - 1 bytes; cut is 1 then). */
struct cfota_at_urc {
    uint8_t kind;
    uint8_t flags;
    uint8_t cut;
    char text[CFOTA_AT_URC_LEN];
};

/* What the log hook is told about. */
enum cfota_at_log_what {
    CFOTA_AT_LOG_TX = 0,   /* a command line sent (without CR) */
    CFOTA_AT_LOG_DATA,     /* raw data sent after a prompt (text is NULL, len counts) */
    CFOTA_AT_LOG_RX,       /* a response line or final result */
    CFOTA_AT_LOG_URC,      /* a line taken as URC */
    CFOTA_AT_LOG_DROP      /* a line dropped (echo, stray, overflow) */
};

/* The link, filled in by the integrator and kept alive as long as the
 * channel. write, read and now_ms are required; the rest may be NULL. */
struct cfota_at_config {
    void *ctx;  /* passed back to every callback */
    /* Send len bytes; return 0 when all were sent, negative on failure. */
    int (*write)(void *ctx, const void *buf, size_t len);
    /* Wait at most timeout_ms for bytes and return how many were stored
     * in buf (1..cap), 0 on timeout, negative on failure. timeout_ms 0
     * means: return what is already there. */
    int (*read)(void *ctx, void *buf, size_t cap, uint32_t timeout_ms);
    /* A millisecond clock; it may wrap around 2^32. */
    uint32_t (*now_ms)(void *ctx);
    /* Optional: every line, URC and command, for traces. text is not
     * NUL-terminated (NULL for CFOTA_AT_LOG_DATA). */
    void (*log)(void *ctx, int what, const char *text, size_t len);
    /* Optional: called for each URC as it arrives, before it is queued. */
    void (*on_urc)(void *ctx, const struct cfota_at_urc *urc);
    /* URC table; NULL means cfota_at_urcs_default. */
    const struct cfota_at_urc_def *urcs;
    size_t n_urcs;
};

/* The channel. Treat the fields as private; use the functions below. */
struct cfota_at {
    const struct cfota_at_config *cfg;
    const char *expect;          /* prefix of the pending command's answer */
    int32_t cme;                 /* last +CME ERROR code, -1 if text unknown */
    uint16_t line_len;
    uint16_t resp_len;
    uint16_t stray;              /* lines dropped while idle */
    uint16_t lost;               /* URCs or info lines dropped for lack of room */
    uint8_t line_cut;
    uint8_t state;               /* idle, waiting for final, waiting for prompt */
    int8_t final;                /* result of the pending command, once known */
    uint8_t prompt;              /* the prompt was seen */
    uint8_t nlines;              /* info lines in resp */
    uint8_t urc_head, urc_count;
    /* The hex data line (cfota_at_set_hex): its sink and where the
     * current line stands (commas seen, a pending nibble, bytes, bad). */
    const char *hex_prefix;
    void (*hex_fn)(void *ctx, const uint8_t *bytes, size_t n, int end);
    void *hex_ctx;
    uint16_t hex_bytes;
    uint8_t hex_fields, hex_commas, hex_nib, hex_bad;
    char line[CFOTA_AT_LINE_MAX + 1];
    char resp[CFOTA_AT_RESP_MAX];
    struct cfota_at_urc urc[CFOTA_AT_URC_SLOTS];
};

/* Hex data lines: a line that starts with prefix (e.g. "+CHTTPNMIC:")
 * carries, after its fields-th comma, binary data as hex digits (any
 * case). Such a line is never kept whole: the channel decodes the digits
 * as they arrive and hands the bytes to fn in pieces of at most 16
 * (end 0), then, at the end of the line, calls fn(ctx, NULL, n, end) with
 * end 1 and n the bytes of the line, or end -1 if a digit was bad or
 * odd; the line's text up to that comma then goes on as usual (a URC if
 * the table lists the prefix). So a line of any length costs no RAM.
 * fn may be NULL to stop. The prefix must stay valid. */
void cfota_at_set_hex(struct cfota_at *at, const char *prefix, unsigned fields,
                      void (*fn)(void *ctx, const uint8_t *bytes, size_t n, int end), void *ctx);
/* Start a channel on a link. cfg must stay valid while at is used.
 * Errors: CFOTA_CTL_E_INVAL if at or cfg is NULL or a required callback is
 * missing. Does not touch the link. */
int cfota_at_init(struct cfota_at *at, const struct cfota_at_config *cfg);

/* Send one command line (cmd without the CR, e.g. "AT+CGMR") and wait up
 * to timeout_ms for its final result. Input already waiting is read first,
 * so its URCs are queued and stale lines are not taken for the answer.
 * expect: the prefix of the command's own answer lines (e.g. "+CPIN:"),
 * so they are kept even where the URC table lists them; NULL when the
 * answer has no prefix or there is none. The info lines are available
 * afterwards through cfota_at_line() until the next command.
 * Returns CFOTA_CTL_OK (OK), CFOTA_CTL_E_ERROR, CFOTA_CTL_E_CME (code in
 * cfota_at_cme()), CFOTA_CTL_E_TIMEOUT, CFOTA_CTL_E_RESET (a reset URC came
 * first; it is queued), CFOTA_CTL_E_IO, CFOTA_CTL_E_INVAL (NULL, or cmd
 * contains CR or LF). */
int cfota_at_cmd(struct cfota_at *at, const char *cmd, const char *expect,
                 uint32_t timeout_ms);

/* A command with a data phase (AT+CFLW): send cmd, wait up to prompt_ms
 * for the `>` prompt, write the len bytes of data, then wait up to
 * final_ms for the final result. A final result before the prompt (e.g.
 * +CME ERROR: 3) ends the call with that result and sends no data.
 * Returns as cfota_at_cmd(); CFOTA_CTL_E_TIMEOUT if the prompt or the final
 * result did not come. After a timeout the module may still be in data
 * mode: wait for its own data timeout before the next command. */
int cfota_at_cmd_data(struct cfota_at *at, const char *cmd, const void *data,
                      size_t len, uint32_t prompt_ms, uint32_t final_ms);

/* Read and sort input for up to timeout_ms, returning as soon as at least
 * one URC is queued (at once if one already is). Returns the number of
 * queued URCs (0 on timeout) or CFOTA_CTL_E_IO. */
int cfota_at_poll(struct cfota_at *at, uint32_t timeout_ms);

/* Take the oldest queued URC into out (may be NULL to discard it).
 * Returns 1 if there was one, 0 if the queue is empty. */
int cfota_at_urc_pop(struct cfota_at *at, struct cfota_at_urc *out);

/* cfota_at_poll() then cfota_at_urc_pop(): wait up to timeout_ms for the
 * next URC. Returns CFOTA_CTL_OK, CFOTA_CTL_E_TIMEOUT or CFOTA_CTL_E_IO. */
int cfota_at_wait_urc(struct cfota_at *at, struct cfota_at_urc *out,
                      uint32_t timeout_ms);

/* Read and sort the input that is already waiting (up to 2 KB), without
 * waiting for more: its URCs are queued, its stray lines dropped. Use it
 * with cfota_at_urc_clear() to forget what came before a new step.
 * Returns CFOTA_CTL_OK or CFOTA_CTL_E_IO. */
int cfota_at_drain(struct cfota_at *at);

/* Drop every queued URC. */
void cfota_at_urc_clear(struct cfota_at *at);

/* The info lines of the last command: how many, and line i (NULL if i is
 * out of range). Valid until the next command. */
unsigned cfota_at_nlines(const struct cfota_at *at);
const char *cfota_at_line(const struct cfota_at *at, unsigned i);

/* The first info line of the last command that starts with prefix, with
 * the prefix and the spaces after it skipped ("+CSQ:" on "+CSQ: 20,0"
 * gives "20,0"); NULL if none. */
const char *cfota_at_find(const struct cfota_at *at, const char *prefix);

/* The code of the last +CME ERROR (numeric, or the verbose text mapped to
 * its number for the codes of the manual's table), -1 if the text is
 * unknown. Meaningful after CFOTA_CTL_E_CME. */
int32_t cfota_at_cme(const struct cfota_at *at);

/* Counters for diagnostics: lines dropped while idle (noise, header lines
 * of +CHTTPNMIH), and URCs or info lines lost for lack of room. */
unsigned cfota_at_stray(const struct cfota_at *at);
unsigned cfota_at_lost(const struct cfota_at *at);

/* ---- parsing the fields of an answer (controller/at_fields.c) ----
 * s is the text after the prefix, e.g. `0,0,"CHN-UNICOM",9`. Fields are
 * separated by commas; a field in double quotes may contain commas, and
 * its quotes are removed. Spaces around a field are skipped. */

/* Field idx (from 0) as an unsigned decimal number (at most 4294967295).
 * Returns 0, or -1 if the field is missing, empty or not a number. */
int cfota_at_field_uint(const char *s, unsigned idx, uint32_t *out);
/* The value 0..15 of a hex digit (either case), -1 for any other char:
 * the one hex reader of the library (hex data lines, MD5s, package ids). */
int cfota_at_hex_digit(char c);

/* Field idx as a signed decimal number (e.g. +CHTTPERR's -5).
 * Returns 0, or -1 if missing or not a number. */
int cfota_at_field_int(const char *s, unsigned idx, int32_t *out);

/* Field idx as text into out (cap bytes, NUL included). Returns the
 * length, or -1 if missing or if it does not fit (out then holds "").*/
int cfota_at_field_str(const char *s, unsigned idx, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
