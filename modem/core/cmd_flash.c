/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_flash.c: AT+CFLE, AT+CFLW, AT+CFLR (spec sections 2.2-2.4,
 * [M102 pp.232-233]): how an MCU erases and writes the FOTA update
 * partition and the reserved partition, and reads the reserved one back.
 *
 * Every range of the manual is checked before flash is touched, and a
 * failed check answers "+CME ERROR: 50". Our choices where the manual is
 * silent [INF] (docs/modem.md): a mode 1 erase address must be on a block
 * boundary and the blocks must end inside the partition; a write aimed at
 * bytes that are not erased is refused before the data prompt with
 * "+CME ERROR: 3" (the manual only says "should erase flash first"); the
 * data is raw binary, exactly <len> bytes; AT+CFLR prints the bytes as
 * lowercase hex after "+CFLR: "; reading the update partition, which "not
 * support read", is "+CME ERROR: 3".
 */
#include "at_command.h"

#include <stdio.h>

#include "hash.h"

/* The manual's addresses are absolute and decimal; all come from the one
 * flash map of modem.h. */
#define RESERVED_FIRST ((long)MODEM_RESERVED_ADDR)
#define RESERVED_LAST ((long)(MODEM_RESERVED_ADDR + MODEM_RESERVED_SIZE)) /* the end */
#define UPDATE_FIRST ((long)MODEM_UPDATE_ADDR)
#define UPDATE_LAST ((long)(MODEM_UPDATE_ADDR + MODEM_UPDATE_SIZE))       /* the end */
#define UPDATE_BLOCKS ((long)(MODEM_UPDATE_SIZE / MODEM_BLOCK))             /* 145 */
#define RESERVED_BLOCKS ((long)(MODEM_RESERVED_SIZE / MODEM_BLOCK))         /* 16 */
#define MAX_TIMEOUT_S 100L

/* ---- AT+CFLE=<mode>,<addr>,<num> ---- */

static int cfle_write(struct modem *m, const struct at_args *a)
{
    long mode, addr, num;
    const struct cfota_area *area;
    uint32_t off, i;

    if (a->n != 3 || at_arg_int(a, 0, 0, 1, &mode) != 0 ||
        at_arg_int(a, 1, 0, 4294967295L, &addr) != 0 || at_arg_int(a, 2, 1, UPDATE_BLOCKS, &num) != 0)
        return CME_BAD_PARAM;
    if (mode == 0) {
        if (addr != 0) /* "FOTA partition address is fixed" */
            return CME_BAD_PARAM;
        area = &m->map.update;
        off = 0;
    } else {
        if (addr < RESERVED_FIRST || addr >= RESERVED_LAST || (addr - RESERVED_FIRST) % MODEM_BLOCK ||
            num > RESERVED_BLOCKS || addr + num * (long)MODEM_BLOCK > RESERVED_LAST)
            return CME_BAD_PARAM;
        area = &m->map.reserved;
        off = (uint32_t)(addr - RESERVED_FIRST);
    }
    for (i = 0; i < (uint32_t)num; i++) {
        if (cfota_area_erase(area, off + i * MODEM_BLOCK) != CFOTA_OK) {
            at_power_lost(m);
            return CME_FAILED;
        }
    }
    at_defer(m, 45 * (uint64_t)num); /* NOR sector erase, typical 45 ms per 4 KB */
    return AT_OK;
}

/* ---- AT+CFLW=<mode>,<addr>,<len>,<offset>,<timeout> ---- */

static int cflw_done(struct modem *m)
{
    if (cfota_area_prog(m->data.area, m->data.off, m->data.buf, m->data.len) != CFOTA_OK) {
        at_power_lost(m);
        return CME_FAILED;
    }
    at_defer(m, 2); /* NOR page programs: about 2 ms for 512 bytes */
    return AT_OK;
}

static int is_erased(struct modem *m, const struct cfota_area *area, uint32_t off, uint32_t len, int *erased)
{
    uint8_t buf[MODEM_CFLW_MAX];
    uint32_t i;
    if (cfota_area_read(area, off, buf, len) != CFOTA_OK)
        return -1;
    *erased = 1;
    for (i = 0; i < len; i++)
        if (buf[i] != 0xFF)
            *erased = 0;
    return 0;
}

static int cflw_write(struct modem *m, const struct at_args *a)
{
    long mode, addr, len, offset, timeout;
    const struct cfota_area *area;
    uint32_t off;
    int erased;

    if (a->n != 5 || at_arg_int(a, 0, 0, 1, &mode) != 0 ||
        at_arg_int(a, 1, 0, 4294967295L, &addr) != 0 ||
        at_arg_int(a, 2, 1, MODEM_CFLW_MAX, &len) != 0 ||
        at_arg_int(a, 3, 0, 4294967295L, &offset) != 0 ||
        at_arg_int(a, 4, 1, MAX_TIMEOUT_S, &timeout) != 0)
        return CME_BAD_PARAM;
    if (mode == 0) {
        if (addr != 0 || offset + len > (long)MODEM_UPDATE_SIZE)
            return CME_BAD_PARAM;
        area = &m->map.update;
        off = (uint32_t)offset;
    } else {
        if (addr < RESERVED_FIRST || addr >= RESERVED_LAST || offset > (long)MODEM_RESERVED_SIZE ||
            addr + offset + len > RESERVED_LAST)
            return CME_BAD_PARAM;
        area = &m->map.reserved;
        off = (uint32_t)(addr - RESERVED_FIRST + offset);
    }
    if (is_erased(m, area, off, (uint32_t)len, &erased) != 0) {
        at_power_lost(m);
        return CME_FAILED;
    }
    if (!erased) {
        at_log(m, "CFLW refused: the target bytes are not erased");
        return CME_NOT_ALLOWED;
    }
    m->data.area = area;
    m->data.off = off;
    at_enter_data(m, (uint32_t)len, (uint64_t)timeout * 1000u, cflw_done);
    return AT_PENDING;
}

/* ---- AT+CFLR=<addr>,<len> ---- */

static int cflr_write(struct modem *m, const struct at_args *a)
{
    long addr, len;
    uint8_t buf[MODEM_CFLW_MAX];
    char hex[2 * MODEM_CFLW_MAX + 1];

    if (a->n != 2 || at_arg_int(a, 0, 0, 4294967295L, &addr) != 0 ||
        at_arg_int(a, 1, 1, MODEM_CFLW_MAX, &len) != 0)
        return CME_BAD_PARAM;
    if (addr >= UPDATE_FIRST && addr < UPDATE_LAST)
        return CME_NOT_ALLOWED; /* "FOTA update partition not support read" */
    if (addr < RESERVED_FIRST || addr + len > RESERVED_LAST)
        return CME_BAD_PARAM;
    if (cfota_area_read(&m->map.reserved, (uint32_t)(addr - RESERVED_FIRST), buf, (uint32_t)len) != CFOTA_OK) {
        at_power_lost(m);
        return CME_FAILED;
    }
    host_hex(buf, (size_t)len, hex);
    at_info(m, "+CFLR: %s", hex);
    return AT_OK;
}

const struct at_command at_flash_commands[] = {
    /* name    exec  test  read  write: the manual gives only write forms */
    {"+CFLE",  NULL, NULL, NULL, cfle_write},
    {"+CFLW",  NULL, NULL, NULL, cflw_write},
    {"+CFLR",  NULL, NULL, NULL, cflr_write},
    {NULL, NULL, NULL, NULL, NULL},
};
