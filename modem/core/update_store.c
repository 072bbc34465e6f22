/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/update_store.c: the update partition as a download target,
 * for AT+CHTTPTOFS (cmd_http.c) and the OTA download (ota.c): bytes are
 * programmed as they come, each block erased when its first byte arrives.
 */
#include "at_command.h"

#include "cfota/status.h"

int modem_update_store(struct modem *m, uint32_t off, const uint8_t *data, size_t len)
{
    const struct cfota_area *u = &m->map.update;

    if (off > u->size || len > u->size - off)
        return 1;
    while (len > 0) {
        uint32_t in_block = MODEM_BLOCK - off % MODEM_BLOCK;
        uint32_t n = len < in_block ? (uint32_t)len : in_block;
        if (off % MODEM_BLOCK == 0 && cfota_area_erase(u, off) != CFOTA_OK) {
            at_power_lost(m);
            return -1;
        }
        if (cfota_area_prog(u, off, data, n) != CFOTA_OK) {
            at_power_lost(m);
            return -1;
        }
        off += n;
        data += n;
        len -= n;
    }
    return 0;
}
