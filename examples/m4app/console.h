/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/console.h: text out on the serial line, without printf
 * (which would pull newlib's stdio and its system calls into a firmware
 * that needs three formats).
 */
#ifndef M4APP_CONSOLE_H
#define M4APP_CONSOLE_H

#include <stdint.h>

void console_puts(const char *s);
void console_dec(int32_t v);
void console_hex(uint32_t v); /* eight digits */
/* "label: status name (code)\n" for a cfota status code. */
void console_status(const char *label, int status);

#endif
