/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/board.h: every access to the hardware, behind small
 * functions, so that porting the example to another microcontroller (or
 * running it on an emulated one) means rewriting board_nrf52.c alone.
 */
#ifndef M4APP_BOARD_H
#define M4APP_BOARD_H

#include <stdint.h>

/* Clocks, the serial line (115200 8N1) and the LED. */
void board_init(void);

/* Start the 1 ms tick (SysTick interrupt); board_millis() counts it. */
void board_tick_start(void);
uint32_t board_millis(void);

/* The serial line: send one byte (waits until it is sent); receive one
 * byte if one has arrived (returns it, 0..255) or -1 at once. */
void uart_putc(char c);
int uart_getc(void);

/* The die temperature, in quarters of a degree Celsius. */
int32_t board_temp_quarters(void);

/* The LED, on or off. */
void board_led(int on);

/* Flash: read len bytes at addr into buf (on this board flash is
 * memory-mapped: a copy); erase the page at addr; program len bytes (a multiple of 4, addr
 * word-aligned) from buf. Both return 0, or -1 if the address is out of
 * the device. The CPU stalls while the controller works. */
void flash_read(uint32_t addr, void *buf, uint32_t len);
int flash_erase_page(uint32_t addr);
int flash_program(uint32_t addr, const void *buf, uint32_t len);

/* Reset the whole chip (through the core's AIRCR). Does not return. */
void board_reset(void);

/* Run the image whose vector table is at base: its stack pointer and reset
 * handler are the first two words. Does not return. */
void board_start_image(uint32_t base);

#endif
