/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/board_nrf52.c: the board functions for a Nordic nRF52840
 * (register names and offsets as in its product specification): UART0 for
 * the serial line, NVMC for flash, TEMP for a sensor, P0.13 for the LED
 * (active low, as on the development kit), and the Cortex-M4 core's
 * SysTick, SCB and VTOR.
 */
#include "board.h"

#include <string.h>

#include "layout.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

/* UART0 */
#define UART_BASE 0x40002000u
#define UART_STARTRX REG(UART_BASE + 0x000u)
#define UART_STARTTX REG(UART_BASE + 0x008u)
#define UART_RXDRDY REG(UART_BASE + 0x108u)
#define UART_TXDRDY REG(UART_BASE + 0x11Cu)
#define UART_ENABLE REG(UART_BASE + 0x500u)
#define UART_PSELTXD REG(UART_BASE + 0x50Cu)
#define UART_PSELRXD REG(UART_BASE + 0x514u)
#define UART_RXD REG(UART_BASE + 0x518u)
#define UART_TXD REG(UART_BASE + 0x51Cu)
#define UART_BAUDRATE REG(UART_BASE + 0x524u)
#define UART_ENABLED 4u
#define UART_BAUD_115200 0x01D7E000u
#define PIN_TXD 6u /* the development kit's interface chip */
#define PIN_RXD 8u

/* NVMC: write or erase is enabled in CONFIG, READY says when it is done. */
#define NVMC_BASE 0x4001E000u
#define NVMC_READY REG(NVMC_BASE + 0x400u)
#define NVMC_CONFIG REG(NVMC_BASE + 0x504u)
#define NVMC_ERASEPAGE REG(NVMC_BASE + 0x508u)
#define NVMC_READ_ONLY 0u
#define NVMC_WRITE 1u
#define NVMC_ERASE 2u

/* TEMP */
#define TEMP_BASE 0x4000C000u
#define TEMP_START REG(TEMP_BASE + 0x000u)
#define TEMP_DATARDY REG(TEMP_BASE + 0x100u)
#define TEMP_VALUE REG(TEMP_BASE + 0x508u)

/* GPIO port 0 */
#define P0_BASE 0x50000000u
#define P0_OUTSET REG(P0_BASE + 0x508u)
#define P0_OUTCLR REG(P0_BASE + 0x50Cu)
#define P0_DIRSET REG(P0_BASE + 0x518u)
#define PIN_LED 13u

/* Cortex-M4 core */
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_VTOR REG(0xE000ED08u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define AIRCR_SYSRESETREQ 0x05FA0004u
#define CPU_HZ 64000000u

static volatile uint32_t millis;

void board_init(void)
{
    UART_PSELTXD = PIN_TXD;
    UART_PSELRXD = PIN_RXD;
    UART_BAUDRATE = UART_BAUD_115200;
    UART_ENABLE = UART_ENABLED;
    UART_STARTTX = 1u;
    UART_STARTRX = 1u;
    P0_DIRSET = 1u << PIN_LED;
    board_led(0);
}

void board_tick_start(void)
{
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0u;
    SYST_CSR = 7u; /* core clock, interrupt, enable */
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    millis++;
}

uint32_t board_millis(void)
{
    return millis;
}

void uart_putc(char c)
{
    UART_TXDRDY = 0u;
    UART_TXD = (uint8_t)c;
    while (UART_TXDRDY == 0u)
        ;
}

int uart_getc(void)
{
    if (UART_RXDRDY == 0u)
        return -1;
    UART_RXDRDY = 0u;
    return (int)(UART_RXD & 0xFFu);
}

int32_t board_temp_quarters(void)
{
    TEMP_DATARDY = 0u;
    TEMP_START = 1u;
    while (TEMP_DATARDY == 0u)
        ;
    return (int32_t)TEMP_VALUE;
}

void board_led(int on)
{
    if (on)
        P0_OUTCLR = 1u << PIN_LED;
    else
        P0_OUTSET = 1u << PIN_LED;
}

static void nvmc_wait(void)
{
    while (NVMC_READY == 0u)
        ;
}

void flash_read(uint32_t addr, void *buf, uint32_t len)
{
    memcpy(buf, (const void *)(uintptr_t)addr, len);
}

int flash_erase_page(uint32_t addr)
{
    if (addr >= FLASH_SIZE || addr % FLASH_PAGE != 0u)
        return -1;
    NVMC_CONFIG = NVMC_ERASE;
    nvmc_wait();
    NVMC_ERASEPAGE = addr;
    nvmc_wait();
    NVMC_CONFIG = NVMC_READ_ONLY;
    nvmc_wait();
    return 0;
}

int flash_program(uint32_t addr, const void *buf, uint32_t len)
{
    const uint8_t *p = buf;
    uint32_t i;
    if (addr >= FLASH_SIZE || len > FLASH_SIZE - addr || addr % FLASH_WORD != 0u || len % FLASH_WORD != 0u)
        return -1;
    NVMC_CONFIG = NVMC_WRITE;
    nvmc_wait();
    for (i = 0; i < len; i += FLASH_WORD) {
        /* The source need not be aligned; the flash word must be written
         * whole, in one 32-bit store. */
        uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                     (uint32_t)p[i + 3] << 24;
        REG(addr + i) = w;
        nvmc_wait();
    }
    NVMC_CONFIG = NVMC_READ_ONLY;
    nvmc_wait();
    return 0;
}

void board_reset(void)
{
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    for (;;)
        ;
}

void board_start_image(uint32_t base)
{
    uint32_t sp = REG(base), entry = REG(base + 4u);
    SYST_CSR = 0u;
    SCB_VTOR = base;
    __asm__ volatile("msr msp, %0\n\tbx %1" : : "r"(sp), "r"(entry) : "memory");
    for (;;)
        ;
}
