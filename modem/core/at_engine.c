/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/at_engine.c: the AT framing of the module (spec section 1).
 *
 * Bytes from the host go into a ring first; the engine takes them out
 * while it can listen: in command mode it echoes them (ATE1), builds a
 * line until CR, and runs the line; in data mode (AT+CFLW) it collects raw
 * bytes; while a command is busy the ring just holds them, as the module's
 * UART buffer would, so a host that does not wait for the final result
 * [M102 1.3.5] is served in order rather than lost. While the module is
 * off or rebooting, input is lost.
 *
 * A line is "AT" (any case) and a sequence of commands: basic ones
 * (E0, I, &F) written back to back, extended ones (+CSQ, *MCGDEFCONT)
 * separated by ';'. Each is looked up in the command table (at_table.c)
 * and its form decided here (exec, "=?" test, "?" read, "=" write), so
 * handlers never see the syntax. Every response is framed
 * "\r\n<text>\r\n" [M102 1.3]; the final result is OK, ERROR, or
 * "+CME ERROR: <n>" in the form AT+CMEE chose. A line over 2048
 * characters is answered ERROR and nothing of it runs [M102 1.3.4].
 */
#include "at_command.h"
#include "parts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- output ---- */

/* Every byte the module sends passes here, so the line counter is
 * kept here (modem_line_counts). */
void at_emit(struct modem *m, const void *data, size_t len)
{
    if (len > 0) {
        m->counts.sent += len;
        m->cfg.io.write(m->cfg.io.ctx, data, len);
    }
}

/* ATV1 frames every line "\r\n<text>\r\n", ATV0 "<text>\r\n"
 * [M105 2.2.21]; a text already ending in CRLF gets no second one. */
static int ends_in_crlf(const char *text, size_t n)
{
    return n >= 2 && text[n - 2] == '\r' && text[n - 1] == '\n';
}

void at_emit_line(struct modem *m, const char *text)
{
    size_t n = strlen(text);
    if (m->verbose)
        at_emit(m, "\r\n", 2);
    at_emit(m, text, n);
    if (!ends_in_crlf(text, n))
        at_emit(m, "\r\n", 2);
}

void at_log(struct modem *m, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    if (!m->cfg.io.log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->cfg.io.log(m->cfg.io.ctx, msg);
}

uint64_t at_real_ms(const struct modem *m, uint64_t real_ms)
{
    return m->cfg.speed == MODEM_SPEED_REAL ? real_ms : 0;
}

/* Append a line framed as at_emit_line() does to buf (used len,
 * capacity cap, keeping reserve bytes free); returns 0 or -1 when it does
 * not fit. */
static int append_line(const struct modem *m, char *buf, size_t *len, size_t cap, size_t reserve,
                       const char *text, size_t n)
{
    if (*len + n + 4 + reserve > cap)
        return -1;
    if (m->verbose) {
        memcpy(buf + *len, "\r\n", 2);
        *len += 2;
    }
    memcpy(buf + *len, text, n);
    *len += n;
    if (!ends_in_crlf(text, n)) {
        memcpy(buf + *len, "\r\n", 2);
        *len += 2;
    }
    return 0;
}

/* Room kept in resp for the final result code. */
#define FINAL_RESERVE 64u

void at_info(struct modem *m, const char *fmt, ...)
{
    char text[MODEM_RESP_MAX];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text ||
        append_line(m, m->resp, &m->resp_len, sizeof m->resp, FINAL_RESERVE, text, (size_t)n) != 0) {
        m->resp_overflow = 1;
        at_log(m, "response too long, truncated");
    }
}

void at_urc(struct modem *m, const char *fmt, ...)
{
    char text[MODEM_URCQ_MAX];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text)
        return;
    if (m->mode == MODEM_OFF)
        return; /* nobody is running to send it */
    if (m->mode == MODEM_COMMAND && !m->executing) {
        at_emit_line(m, text);
        return;
    }
    if (append_line(m, m->urcq, &m->urcq_len, sizeof m->urcq, 0, text, (size_t)n) != 0)
        at_log(m, "URC lost, queue full: %s", text);
}

void at_urc_data(struct modem *m, const char *head, const void *data, size_t len, int crlf)
{
    size_t h = strlen(head), need = h + len + 4, tail = crlf ? 2 : 0;
    char *q;
    if (m->mode == MODEM_OFF)
        return;
    if (m->mode == MODEM_COMMAND && !m->executing) {
        if (m->verbose)
            at_emit(m, "\r\n", 2);
        at_emit(m, head, h);
        at_emit(m, data, len);
        at_emit(m, "\r\n", tail);
        return;
    }
    if (m->urcq_len + need > sizeof m->urcq) {
        at_log(m, "URC lost, queue full: %s", head);
        return;
    }
    q = m->urcq + m->urcq_len;
    if (m->verbose) {
        memcpy(q, "\r\n", 2);
        q += 2;
    }
    memcpy(q, head, h);
    memcpy(q + h, data, len);
    memcpy(q + h + len, "\r\n", tail);
    m->urcq_len = (size_t)(q + h + len + tail - m->urcq);
}

void at_defer(struct modem *m, uint64_t real_ms)
{
    m->defer_ms += at_real_ms(m, real_ms);
}

/* ---- final results ---- */

static const char *cme_text(int code)
{
    switch (code) {
    case CME_NOT_ALLOWED: return "operation not allowed";
    case CME_NOT_SUPPORTED: return "operation not supported";
    case CME_SIM_NOT_INSERTED: return "SIM not inserted";
    case CME_SIM_PIN_REQUIRED: return "SIM PIN required";
    case CME_SIM_PUK_REQUIRED: return "SIM PUK required";
    case CME_INCORRECT_PASSWORD: return "incorrect password";
    case CME_NO_NETWORK: return "no network service";
    case CME_BAD_PARAM: return "Incorrect Parameters";
    case CME_FAILED: return "operation failed";
    default: return "Unknown";
    }
}

/* Send the held response, then the held URCs, then run the command's
 * after-action (which may reset the module). */
static void finish_command(struct modem *m)
{
    modem_after_fn after = m->after;

    at_emit(m, m->resp, m->resp_len);
    m->resp_len = 0;
    m->resp_overflow = 0;
    m->mode = MODEM_COMMAND;
    m->executing = 0;
    m->after = NULL;
    m->defer_ms = 0;
    at_emit(m, m->urcq, m->urcq_len);
    m->urcq_len = 0;
    if (after)
        after(m);
}

void at_power_lost(struct modem *m)
{
    at_log(m, "flash failed: power lost");
    at_engine_clear(m);
    m->power_lost = 1; /* the entry point stops the rest (entry.c) */
}

void at_request_reset(struct modem *m)
{
    m->reset_wanted = 1;
}

void at_then(struct modem *m, modem_after_fn fn)
{
    m->after = fn;
}

void at_info_bytes(struct modem *m, const void *data, size_t len)
{
    if (m->resp_len + len + FINAL_RESERVE > sizeof m->resp) {
        m->resp_overflow = 1;
        at_log(m, "response too long, truncated");
        return;
    }
    memcpy(m->resp + m->resp_len, data, len);
    m->resp_len += len;
}

int at_result(struct modem *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->final_text, sizeof m->final_text, fmt, ap);
    va_end(ap);
    return AT_TEXT;
}

/* The final result code in its text: ATV0 gives the V.25ter numbers
 * "0\r" and "4\r" for OK and ERROR [M105 2.2.21]; the module's other
 * codes keep their text, framed as information text [INF]. */
static void append_final(struct modem *m, int result)
{
    char text[96];
    size_t n;

    if (result == AT_NONE || m->quiet)
        return; /* ATQ1: no result codes */
    if (!m->verbose && (result == AT_OK || result == AT_ERROR || (result > 0 && m->cmee == 0))) {
        memcpy(m->resp + m->resp_len, result == AT_OK ? "0\r" : "4\r", 2);
        m->resp_len += 2;
        return;
    }
    if (result == AT_OK)
        snprintf(text, sizeof text, "OK");
    else if (result == AT_TEXT)
        snprintf(text, sizeof text, "%s", m->final_text);
    else if (result > 0 && m->cmee == 1)
        snprintf(text, sizeof text, "+CME ERROR: %d", result);
    else if (result > 0 && m->cmee == 2)
        snprintf(text, sizeof text, "+CME ERROR: %s", cme_text(result));
    else
        snprintf(text, sizeof text, "ERROR");
    n = strlen(text);
    /* FINAL_RESERVE guarantees the room. */
    append_line(m, m->resp, &m->resp_len, sizeof m->resp, 0, text, n);
}

void at_final(struct modem *m, int result)
{
    if (m->mode == MODEM_OFF)
        return; /* the power went during the command */
    append_final(m, result);
    if (m->defer_ms > 0) {
        m->mode = MODEM_BUSY;
        m->busy_until = m->now + m->defer_ms;
        return;
    }
    finish_command(m);
}

/* ---- data mode ---- */

void at_enter_data(struct modem *m, uint32_t len, uint64_t timeout_ms, int (*done)(struct modem *m))
{
    /* Whatever earlier commands of the line answered goes first. */
    at_emit(m, m->resp, m->resp_len);
    m->resp_len = 0;
    m->data.len = len <= MODEM_DATA_MAX ? len : MODEM_DATA_MAX;
    m->data.got = 0;
    m->data.deadline = m->now + timeout_ms;
    m->data.idle_ms = 0;
    m->data.ctrlz = 0;
    m->data.cancelled = 0;
    m->data.done = done;
    m->mode = MODEM_DATA;
    at_emit(m, m->cfg.cflw_prompt, strlen(m->cfg.cflw_prompt));
}

void at_enter_data_until_ctrlz(struct modem *m, uint32_t max, uint64_t idle_ms, int (*done)(struct modem *m))
{
    at_enter_data(m, max, idle_ms, done);
    m->data.ctrlz = 1;
    m->data.idle_ms = idle_ms;
}

static void data_end(struct modem *m)
{
    m->mode = MODEM_COMMAND;
    at_final(m, m->data.done(m));
}

static void data_byte(struct modem *m, uint8_t b)
{
    if (m->data.ctrlz) {
        m->data.deadline = m->now + m->data.idle_ms;
        if (b == 0x1A || b == 0x1B) {
            m->data.cancelled = b == 0x1B; /* ESC: nothing is sent */
            data_end(m);
            return;
        }
        if (m->data.got == m->data.len) {
            at_log(m, "data mode: over %u bytes before Ctrl-Z, byte dropped", (unsigned)m->data.len);
            return;
        }
    }
    m->data.buf[m->data.got++] = b;
    if (!m->data.ctrlz && m->data.got == m->data.len)
        data_end(m);
}

static void data_timeout(struct modem *m)
{
    at_log(m, "data mode timed out after %u of %u bytes", (unsigned)m->data.got, (unsigned)m->data.len);
    m->mode = MODEM_COMMAND;
    at_final(m, AT_ERROR);
}

/* ---- parsing a command line ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

/* Run one extended command: body is what follows its name. */
static int run_extended(struct modem *m, const struct at_command *cmd, const char *body, size_t n)
{
    struct at_args args;

    args.n = 0;
    if (n == 0)
        return cmd->exec ? cmd->exec(m, &args) : AT_ERROR;
    if (n == 1 && body[0] == '?')
        return cmd->read ? cmd->read(m, &args) : AT_ERROR;
    if (n == 2 && body[0] == '=' && body[1] == '?')
        return cmd->test ? cmd->test(m, &args) : AT_ERROR;
    if (body[0] != '=')
        return AT_ERROR;
    if (!cmd->write)
        return AT_ERROR;
    if (at_args_parse(&args, body + 1, n - 1) != 0)
        return CME_BAD_PARAM;
    return cmd->write(m, &args);
}

/* Run one basic command (E, I, &F): digits, if any, are its argument. */
static int run_basic(struct modem *m, const struct at_command *cmd, const char *digits, size_t n)
{
    struct at_args args;
    args.n = 0;
    if (n == 0)
        return cmd->exec ? cmd->exec(m, &args) : AT_ERROR;
    if (!cmd->write)
        return AT_ERROR;
    args.n = 1;
    args.v[0].p = digits;
    args.v[0].len = n;
    args.v[0].quoted = 0;
    return cmd->write(m, &args);
}

/* Every refusal says why in --trace: the handler's own note comes first
 * when it gave one; this line names the command and the answer. */
static void refusal_note(struct modem *m, const char *cmd, size_t n, int rc)
{
    if (rc == AT_ERROR)
        at_log(m, "AT%.*s: ERROR", (int)n, cmd);
    else if (rc > 0)
        at_log(m, "AT%.*s: +CME ERROR: %d (%s)", (int)n, cmd, rc, cme_text(rc));
}

/* An S-parameter, ATS<n>? or ATS<n>=<value> [M105 1.4.4]: the read form
 * gets the register number, the write form the number and the value.
 * *i is past the digits of <n> and moves past the form. */
static int run_s_parameter(struct modem *m, const struct at_command *cmd, const char *s, size_t n,
                           size_t reg, size_t *i)
{
    struct at_args args;
    size_t at = *i, v;

    if (at == reg) {
        at_log(m, "ATS: the register number is missing");
        return AT_ERROR;
    }
    args.n = 1;
    args.v[0].p = s + reg;
    args.v[0].len = at - reg;
    args.v[0].quoted = 0;
    if (at < n && s[at] == '?') {
        *i = at + 1;
        return cmd->read ? cmd->read(m, &args) : AT_ERROR;
    }
    if (at >= n || s[at] != '=') {
        at_log(m, "ATS%.*s: '?' or '=<value>' must follow", (int)(at - reg), s + reg);
        return AT_ERROR;
    }
    v = ++at;
    while (at < n && is_digit(s[at]))
        at++;
    *i = at;
    args.n = 2;
    args.v[1].p = s + v;
    args.v[1].len = at - v;
    args.v[1].quoted = 0;
    return cmd->write ? cmd->write(m, &args) : AT_ERROR;
}

/* Run the commands after "AT"; stops at the first that does not end OK. */
static int run_commands(struct modem *m, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const struct at_command *cmd;
        size_t name = i, body;
        int rc;

        if (s[i] == ';') {
            i++;
            continue;
        }
        if (s[i] == '+' || s[i] == '*' || s[i] == '^' || s[i] == '$' || s[i] == '%' || s[i] == '#') {
            int quoted = 0;
            i++;
            while (i < n && is_name_char(s[i]))
                i++;
            if (i == name + 1)
                return AT_ERROR;
            body = i;
            while (i < n && (quoted || s[i] != ';')) {
                if (s[i] == '"')
                    quoted = !quoted;
                i++;
            }
            cmd = at_lookup(s + name, body - name);
            if (!cmd) {
                at_log(m, "AT%.*s: no such command", (int)(body - name), s + name);
                return AT_ERROR;
            }
            rc = run_extended(m, cmd, s + body, i - body);
        } else if (is_alpha(s[i]) || s[i] == '&') {
            if (s[i] == '&') {
                i++;
                if (i == n || !is_alpha(s[i]))
                    return AT_ERROR;
            }
            i++;
            body = i;
            while (i < n && is_digit(s[i]))
                i++;
            cmd = at_lookup(s + name, body - name);
            if (!cmd) {
                at_log(m, "AT%.*s: no such command", (int)(body - name), s + name);
                return AT_ERROR;
            }
            if (lower(s[name]) == 's' && body - name == 1)
                rc = run_s_parameter(m, cmd, s, n, body, &i);
            else
                rc = run_basic(m, cmd, s + body, i - body);
        } else {
            at_log(m, "'%c' cannot start a command", s[i]);
            return AT_ERROR;
        }
        if (rc == AT_NONE && i < n)
            continue; /* AT+CIFSR;E0: the next command gives the result */
        if (rc != AT_OK) {
            refusal_note(m, s + name, i - name, rc);
            return rc;
        }
    }
    return AT_OK;
}

static void run_line(struct modem *m)
{
    const char *s = m->line;
    size_t n = m->line_len;
    int rc;

    m->resp_len = 0;
    m->resp_overflow = 0;
    m->defer_ms = 0;
    m->after = NULL;
    m->executing = 1;
    if (m->line_overflow) {
        at_log(m, "command line over %u characters", MODEM_LINE_MAX);
        rc = AT_ERROR;
    } else if (n < 2 || lower(s[0]) != 'a' || lower(s[1]) != 't' || memchr(s, 0, n)) {
        at_log(m, "a command line starts with AT");
        rc = AT_ERROR;
    } else {
        memcpy(m->last_line, s, n); /* for A/ */
        m->last_len = n;
        rc = run_commands(m, s + 2, n - 2);
    }
    m->line_len = 0;
    m->line_overflow = 0;
    if (rc != AT_PENDING) {
        at_final(m, rc);
    } else if (m->mode == MODEM_COMMAND) {
        /* Not data mode: the result waits for an event (the network);
         * input is held until the handler's side calls at_final(). */
        m->mode = MODEM_BUSY;
        m->busy_until = MODEM_NEVER;
    }
}

/* A/ : the previous command line again, at once, without CR (V.25ter
 * 6.2.2) [INF]; ERROR when there is none. */
static void repeat_line(struct modem *m)
{
    m->line_len = 0;
    if (m->last_len == 0) {
        at_log(m, "A/: no previous command line");
        m->executing = 1;
        at_final(m, AT_ERROR);
        return;
    }
    memcpy(m->line, m->last_line, m->last_len);
    m->line_len = m->last_len;
    run_line(m);
}

static void command_byte(struct modem *m, uint8_t b)
{
    int after_cr = m->after_cr;

    m->after_cr = 0;
    if (b == '\n' && after_cr)
        return; /* CR LF ends a line; the LF is no command character */
    if (b == m->sreg[5] || b == 0x08 || b == 0x7f) {
        /* S5 (backspace by default) and DEL, which terminals send for
         * Backspace [INF]: the terminal's character is erased too. */
        if (m->line_len > 0 && !m->line_overflow) {
            m->line_len--;
            if (m->echo)
                at_emit(m, "\b \b", 3);
        }
        return;
    }
    if (m->echo)
        at_emit(m, &b, 1);
    if (b == '\r') {
        m->after_cr = 1;
        /* An empty line (a lone CR) gets no answer. */
        if (m->line_len > 0 || m->line_overflow)
            run_line(m);
    } else if (b == '\n') {
        /* a lone LF is ignored */
    } else if (b == '/' && m->line_len == 1 && lower(m->line[0]) == 'a') {
        repeat_line(m);
    } else if (m->line_len < MODEM_LINE_MAX) {
        m->line[m->line_len++] = (char)b;
    } else {
        m->line_overflow = 1;
    }
}

/* ---- input and time ---- */

/* Take bytes out of the ring while the module listens. A reset asked for
 * stops it: what follows is for the module after the reset, which will
 * not hear it (entry.c resets and empties the ring). */
void at_engine_pump(struct modem *m)
{
    while (m->in_len > 0 && (m->mode == MODEM_COMMAND || m->mode == MODEM_DATA) && !m->reset_wanted) {
        uint8_t b = m->in[m->in_head];
        m->in_head = (m->in_head + 1) % MODEM_INPUT_MAX;
        m->in_len--;
        if (m->mode == MODEM_DATA)
            data_byte(m, b);
        else
            command_byte(m, b);
    }
    if (m->in_len == 0)
        m->in_head = 0;
}

void at_engine_input(struct modem *m, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (m->mode == MODEM_OFF || m->reset_wanted)
            continue; /* the module cannot hear, or is about to reset */
        if (m->in_len == MODEM_INPUT_MAX)
            at_engine_pump(m);
        if (m->in_len == MODEM_INPUT_MAX) {
            at_log(m, "input overrun, byte lost");
            continue;
        }
        m->in[(m->in_head + m->in_len) % MODEM_INPUT_MAX] = p[i];
        m->in_len++;
    }
    at_engine_pump(m);
}

int at_engine_timers(struct modem *m)
{
    if (m->mode == MODEM_BUSY && m->now >= m->busy_until) {
        finish_command(m);
        return 1;
    }
    if (m->mode == MODEM_DATA && m->now >= m->data.deadline) {
        data_timeout(m);
        return 1;
    }
    return 0;
}

uint64_t at_engine_next_event(const struct modem *m)
{
    if (m->mode == MODEM_BUSY)
        return m->busy_until;
    if (m->mode == MODEM_DATA)
        return m->data.deadline;
    return MODEM_NEVER;
}

/* Forget everything in flight: used at reset and power loss. */
void at_engine_clear(struct modem *m)
{
    m->mode = MODEM_OFF;
    m->line_len = 0;
    m->line_overflow = 0;
    m->resp_len = 0;
    m->resp_overflow = 0;
    m->urcq_len = 0;
    m->in_head = 0;
    m->in_len = 0;
    m->executing = 0;
    m->after = NULL;
    m->defer_ms = 0;
    m->echo = m->cfg.echo;
    m->cmee = 0;
    m->verbose = 1;
    m->quiet = 0;
    m->ifc[0] = m->ifc[1] = 0;
    m->after_cr = 0;
    m->last_len = 0;
}

/* The module starts listening (end of boot). */
void at_engine_ready(struct modem *m)
{
    m->mode = MODEM_COMMAND;
}
