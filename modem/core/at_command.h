/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/at_command.h: what a command handler sees: its arguments,
 * the ways to answer, the requests it may make of the layer above, and the
 * row it is registered with in the command table.
 *
 * A handler returns the final result of its command: AT_OK, AT_ERROR, a
 * positive +CME ERROR code, or AT_PENDING when it has started something
 * that ends later and at_final() will give the result: AT+CFLW's data mode
 * (at_enter_data), or a wait for the network (AT+CHTTPCON, AT+CFOTA=4),
 * during which the engine holds the host's input.
 *
 * Handlers never change the engine's or the module's state themselves
 * (mode, timers, boot): they ask. at_power_lost(), at_request_reset() and
 * at_then() raise a request that the entry point (entry.c) acts on once
 * the handler has returned.
 * Information lines go through at_info(); the engine frames them, holds
 * them with the final result, and sends both when the command is done.
 * Nothing a handler writes reaches the host before the final result
 * except the data prompt, so a delayed result (at_defer, --speed real)
 * delays the whole response, as on the module.
 */
#ifndef CFOTA_MODEM_AT_H
#define CFOTA_MODEM_AT_H

#include <stddef.h>
#include <stdint.h>

#include "modem.h"

#define AT_OK 0
#define AT_ERROR (-1)   /* plain ERROR whatever AT+CMEE says */
#define AT_PENDING (-2) /* at_final() gives the result later */
#define AT_TEXT (-3)    /* the final result is the text of at_result() */
#define AT_NONE (-4)    /* no final result (AT+CIFSR, AT+CRESET); the rest
                           of the line still runs */

/* +CME ERROR codes used [M102 19.1; spec section 5]. */
#define CME_NOT_ALLOWED 3
#define CME_NOT_SUPPORTED 4
#define CME_SIM_NOT_INSERTED 10
#define CME_SIM_PIN_REQUIRED 11
#define CME_SIM_PUK_REQUIRED 12
#define CME_INCORRECT_PASSWORD 16
#define CME_NO_NETWORK 30
#define CME_BAD_PARAM 50
#define CME_UNKNOWN 100
#define CME_FAILED 767

/* ---- arguments of the write form ---- */

#define AT_ARGS_MAX 8

struct at_arg {
    const char *p;  /* text, quotes removed; not NUL-terminated */
    size_t len;
    int quoted;
};

struct at_args {
    int n;          /* number of arguments ("=" alone gives one empty) */
    struct at_arg v[AT_ARGS_MAX];
};

/* Split the text after "=" into arguments: commas outside quotes separate
 * them, spaces around an unquoted argument are dropped. Returns 0, or -1
 * for an unterminated quote, text after a closing quote, or more than
 * AT_ARGS_MAX arguments. */
int at_args_parse(struct at_args *a, const char *s, size_t len);

/* Whether argument i was given and is not empty. */
int at_arg_present(const struct at_args *a, int i);

/* Argument i as a decimal integer in [min, max]: digits only, no sign,
 * unquoted. Returns 0 and *out, or -1. */
int at_arg_int(const struct at_args *a, int i, long min, long max, long *out);

/* Argument i as a string (quoted or not) of at most cap-1 bytes, copied
 * NUL-terminated into out; a NUL or control byte in it is refused.
 * Returns 0 or -1. */
int at_arg_str(const struct at_args *a, int i, char *out, size_t cap);

/* Whether argument i equals text, ignoring case. */
int at_arg_is(const struct at_args *a, int i, const char *text);

/* ---- answering ---- */

/* One information line of the response: "\r\n<text>\r\n". */
void at_info(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Raw bytes into the response, unframed (the data after a +CSORXGET or
 * +CIPRXGET header line, which may hold any byte). */
void at_info_bytes(struct modem *m, const void *data, size_t len);

/* Add processing time before the final result (only under --speed real;
 * real_ms is the real module's time). */
void at_defer(struct modem *m, uint64_t real_ms);

/* The final result of a command that returned AT_PENDING. */
void at_final(struct modem *m, int result);

/* A final result code other than OK/ERROR ("SEND OK", "DATA ACCEPT: 5",
 * "SHUT OK"): stores the text and returns AT_TEXT, for a handler to
 * return or to pass to at_final(). */
int at_result(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Data mode ended by Ctrl-Z (0x1A) instead of a length: at most max
 * bytes, ESC (0x1B) cancels (done() then sees m->data.cancelled), and
 * idle_ms without a byte ends it with ERROR. */
void at_enter_data_until_ctrlz(struct modem *m, uint32_t max, uint64_t idle_ms, int (*done)(struct modem *m));

/* Enter data mode: send the data prompt, then read exactly len (at most
 * MODEM_CFLW_MAX) raw bytes into m->data.buf within timeout_ms, then call
 * done(m), whose return value is the command's final result. When the
 * time runs out first the command ends with ERROR [M102 p.233]. The
 * handler returns AT_PENDING after calling this. */
void at_enter_data(struct modem *m, uint32_t len, uint64_t timeout_ms, int (*done)(struct modem *m));

/* An unsolicited result code: sent at once when no command runs, else
 * held until the running command's final result. A text that already
 * ends in CRLF (+CHTTPNMIH's header lines) gets no second one. */
void at_urc(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A URC that carries raw bytes (received socket data, which may hold
 * CR, LF or NUL): head, then len bytes of data, framed like at_urc(),
 * with the closing CRLF only when crlf is set. */
void at_urc_data(struct modem *m, const char *head, const void *data, size_t len, int crlf);

/* The IPv4 address of a name for AT+CDNSGIP and AT+CIPSTART (cmd_dns.c):
 * a dotted address is itself; "localhost" and cfg.dns_hosts are known.
 * Returns 0 and ip, or -1 (the name does not resolve). */
int modem_dns_lookup(const struct modem *m, const char *name, char ip[16]);

/* A line sent at once whatever the mode (boot URCs, the module being the
 * only speaker). */
void at_emit_line(struct modem *m, const char *text);

/* Raw bytes to the host at once (echo, data prompt). */
void at_emit(struct modem *m, const void *data, size_t len);

/* ---- requests to the entry point (entry.c) ---- */

/* A flash operation failed with CFOTA_E_IO: on the module that means the
 * power went away in the middle of it. The module goes silent at once
 * (no final result, no URC); the entry point then stops the boot, the
 * network and the transfers; the host sees the dead flash and ends the
 * process, and the next start is the power-on. */
void at_power_lost(struct modem *m);

/* Reset the module once the running command's final result is out (at
 * once if no command runs): AT+CFUN=1,1, an accepted update. */
void at_request_reset(struct modem *m);

/* Run fn once the running command's final result is out (a URC that must
 * follow the OK). */
void at_then(struct modem *m, modem_after_fn fn);

/* A note for --trace. */
void at_log(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Time the real module takes (--speed real), or 0 (--speed fast). */
uint64_t at_real_ms(const struct modem *m, uint64_t real_ms);

/* ---- the command table ---- */

typedef int (*at_handler)(struct modem *m, const struct at_args *a);

/* One row: a command and its forms. A NULL handler means the manual does
 * not define that form: the command answers ERROR. The exec handler gets
 * an empty argument list; basic commands (ATE1) get their number as a
 * write with one argument. */
struct at_command {
    const char *name;    /* "+CSQ", "*MCGDEFCONT", "E", "&F" */
    at_handler exec;     /* AT+X */
    at_handler test;     /* AT+X=? */
    at_handler read;     /* AT+X? */
    at_handler write;    /* AT+X=<args> */
};

/* The row of name (len bytes, any case), or NULL. */
const struct at_command *at_lookup(const char *name, size_t len);

/* Row i of the whole table, every family in turn, or NULL past the end
 * (for tests that must cover every command, e.g. tests/test_modem_at.c). */
const struct at_command *at_command_row(size_t i);

/* The rows of each family, each ended by a row with a NULL name. */
extern const struct at_command at_general_commands[];
extern const struct at_command at_network_commands[];
extern const struct at_command at_flash_commands[];
extern const struct at_command at_fota_commands[];
extern const struct at_command at_http_commands[];
extern const struct at_command at_ota_ext_commands[];
extern const struct at_command at_registration_commands[];
extern const struct at_command at_socket_commands[];
extern const struct at_command at_tcpip_commands[];
extern const struct at_command at_dns_commands[];
extern const struct at_command at_httpsend_commands[];

/* ---- shared by the families ---- */

void modem_net_power_on(struct modem *m);
void modem_net_set_fun(struct modem *m, int fun);
void modem_net_pin_entered(struct modem *m);
/* AT+CGATT: attach (after the attach delay) or detach now. */
void modem_net_attach(struct modem *m, int attach);
/* Registration status of +CREG/+CGREG/+CEREG: 0 off, 1 home, 2 searching. */
int modem_net_stat(const struct modem *m);
/* Whether the SIM answers (inserted, PIN given, radio functionality on). */
int modem_sim_ready(const struct modem *m);
/* Address of the current attach, and the netmask. */
const char *modem_net_ip(const struct modem *m);

/* The serving cell of the simulated network, as +CREG/+CGREG/+CENG
 * print it: quoted upper-case hex TAC and cell id [INF]. */
#define MODEM_NET_TAC "1A2B"
#define MODEM_NET_CELL_ID "0A1B2C3D"

/* The S-parameters' factory values (ATS, AT&F; cmd_general.c). */
void modem_sreg_default(struct modem *m);

/* Persist the settings through io.save. */
void modem_settings_changed(struct modem *m);

/* The write form of an AUTO_SAVE 0/1 switch (AT+CBATCHK, AT+CSOSENDFLAG,
 * AT+CSORCVFLAG, AT+CHTTPPARA): one argument 0 or 1 into *field, saved
 * when it changed. AT_OK, or CME_BAD_PARAM (said in --trace). */
int modem_settings_set_flag(struct modem *m, const struct at_args *a, int *field);

/* ---- sockets, for the handlers (sock_request.c) ---- */

/* Ask the host to open/send/close; each logs its failure for --trace. */
int modem_sock_open(struct modem *m, int slot);
int modem_sock_send(struct modem *m, int slot, const void *data, size_t len);
void modem_sock_close(struct modem *m, int slot);

/* Whether a dotted IPv4 address is 127.0.0.0/8, the only network the
 * emulator reaches; and whether text is a dotted IPv4 address at all. */
int modem_ip_is_loopback(const char *ip);
int modem_ip_is_dotted(const char *ip);

/* Keep bytes in a slot's receive buffer (modes that read on request);
 * what does not fit is dropped and said in --trace. */
void modem_sock_keep(struct modem *m, int slot, const uint8_t *data, size_t len);
/* Take up to cap bytes from the front of the buffer; how many. */
size_t modem_sock_take(struct modem *m, int slot, uint8_t *out, size_t cap);

/* Upper-case hex of len bytes into out (2*len+1 bytes), as +CSONMI,
 * AT+CSORXGET=3 and AT+CIPHEXS=2 print data. */
void modem_hex_upper(const uint8_t *data, size_t len, char *out);

/* ---- AT+CHTTPSEND's answer (cmd_httpsend.c), from cmd_http.c's slot
 * handlers while a request is in flight ---- */
void httpsend_on_head(struct modem *m, int slot, int status, const char *headers, size_t len);
void httpsend_on_body(struct modem *m, int slot, const uint8_t *data, size_t len);
void httpsend_on_done(struct modem *m, int slot, int result);

/* ---- HTTP, for the handlers (http_request.c, http_header.c,
 * update_store.c) ---- */

/* Ask the host to start a transfer (loopback hosts only); 0 or -1. */
int modem_http_start(struct modem *m, const struct modem_http_request *req);
/* Ask the host to forget the transfer of slot. */
void modem_http_cancel(struct modem *m, int slot);

/* The value of the first header line starting with name (lower case,
 * compared without regard to case, e.g. "content-length:"), leading spaces
 * skipped; *end is where its line ends. NULL if there is none. */
const char *http_header_value(const char *h, size_t len, const char *name, const char **end);

/* The decimal number at [p, end), at most 32 bits; *after (if not NULL)
 * gets the first byte after it. Returns 0, or -1 for no digits or too big. */
int http_parse_u32(const char *p, const char *end, uint32_t *out, const char **after);

/* Store len bytes at offset off of the update partition, erasing each
 * block when the first byte of it is written (the caller always starts at
 * a block boundary or inside a block whose rest is erased). Returns 0,
 * 1 when it would pass the end of the partition (nothing written), or -1
 * when the flash failed (power lost; the module is already silent). */
int modem_update_store(struct modem *m, uint32_t off, const uint8_t *data, size_t len);

#endif
