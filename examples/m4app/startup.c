/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/m4app/startup.c: the vector table and the reset handler, shared
 * by the boot stage and the application (each links its own copy at the
 * start of its region). The reset handler gives C its world (initialised
 * data copied from flash, zeroed bss) and calls main.
 */
#include <stdint.h>
#include <string.h>

/* From the linker script (sections.ld). */
extern uint32_t __stack_top, __data_start, __data_end, __data_load, __bss_start, __bss_end;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

void Reset_Handler(void)
{
    memcpy(&__data_start, &__data_load, (size_t)((char *)&__data_end - (char *)&__data_start));
    memset(&__bss_start, 0, (size_t)((char *)&__bss_end - (char *)&__bss_start));
    main();
    for (;;)
        ;
}

/* A fault or an unexpected interrupt: stop here, where a debugger (or the
 * emulator) sees it. */
void Default_Handler(void)
{
    for (;;)
        ;
}

#define VECTORS 64 /* 16 core exceptions and the nRF52840's 48 interrupts */

typedef void (*vector)(void);

#define IRQ8 Default_Handler, Default_Handler, Default_Handler, Default_Handler, \
             Default_Handler, Default_Handler, Default_Handler, Default_Handler

__attribute__((section(".vectors"), used)) static const vector vectors[VECTORS] = {
    (vector)(uintptr_t)&__stack_top,
    Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    0, 0, 0, 0,      /* reserved */
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,               /* reserved */
    Default_Handler, /* PendSV */
    SysTick_Handler,
    /* The 48 interrupts: none is used. */
    IRQ8, IRQ8, IRQ8, IRQ8, IRQ8, IRQ8,
};
