/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/serial.h: a POSIX serial port (termios) as the link of the AT
 * channel (controller/include/cfota_ctl/at.h): a real module on /dev/ttyUSB0, or the
 * emulator's pseudo-terminal (`cfota modem --link PATH`).
 */
#ifndef CFOTA_CLI_SERIAL_H
#define CFOTA_CLI_SERIAL_H

#include <stddef.h>
#include <stdint.h>

struct serial {
    int fd;
    unsigned baud;
};

/* Open path raw (8N1, no flow control, no echo, no line editing) at baud,
 * one of the rates of AT+IPR (110 .. 921600, 3000000). Returns 0, or -1
 * with errno set (EINVAL for a rate the system cannot set). */
int serial_open(struct serial *s, const char *path, unsigned baud);
void serial_close(struct serial *s);

/* Change the rate of an open port (after AT+IPR=<rate> was answered). */
int serial_set_baud(struct serial *s, unsigned baud);

/* The callbacks of struct cfota_at_config, with ctx = struct serial *. */
int serial_write(void *ctx, const void *buf, size_t len);
int serial_read(void *ctx, void *buf, size_t cap, uint32_t timeout_ms);
uint32_t serial_now_ms(void *ctx);

#endif
