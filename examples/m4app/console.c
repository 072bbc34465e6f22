/* SPDX-License-Identifier: Apache-2.0 */
/* examples/m4app/console.c: text out on the serial line (console.h). */
#include "console.h"

#include "board.h"
#include "cfota/status.h"

void console_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void console_dec(int32_t v)
{
    char d[12];
    int n = 0;
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (v < 0)
        uart_putc('-');
    do {
        d[n++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    while (n)
        uart_putc(d[--n]);
}

void console_hex(uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    int shift;
    for (shift = 28; shift >= 0; shift -= 4)
        uart_putc(digits[(v >> shift) & 0xFu]);
}

void console_status(const char *label, int status)
{
    console_puts(label);
    console_puts(": ");
    console_puts(cfota_status_name(status));
    console_puts(" (");
    console_dec(status);
    console_puts(")\n");
}
