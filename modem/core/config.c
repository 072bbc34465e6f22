/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/config.c: the default module, the one of the application note:
 * a SIM7020C on CHN-UNICOM with APN "shnbiot", address 10.250.0.213
 * (10.250.0.253 at the next attach, as in the note's section 3.2), signal
 * "+CSQ: 20,0", attached at once, echo on, fast. `cfota modem` options
 * override each field.
 */
#include "modem.h"

#include <string.h>

void modem_config_default(struct modem_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->model = "SIM7020C";
    cfg->imei = "866123045678901";
    cfg->imsi = "460011234567890";
    cfg->iccid = "89860112345678901234";
    cfg->pin = "1234";
    cfg->sim = MODEM_SIM_READY;
    cfg->rssi = 20;
    cfg->ber = 0;
    cfg->operator_name = "CHN-UNICOM";
    cfg->network_apn = "shnbiot";
    cfg->ips[0] = "10.250.0.213";
    cfg->ips[1] = "10.250.0.253";
    cfg->netmask = "255.255.255.0";
    cfg->attach_delay_ms = 0;
    cfg->speed = MODEM_SPEED_FAST;
    cfg->echo = 1;
    cfg->cflw_prompt = "\r\n> ";
}
