/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_ota_ext.c: AT+CFOTASRV, our vendor extension that names the
 * FOTA server of AT+CFOTA=1/2/4 and the device's token for it.
 *
 * The SIM7020 has no such command: its FOTA server is built into the
 * firmware ("SIMCom uses third party FOTA server", spec section 6). An
 * emulator that fetches from a cfota server needs to be told where it is,
 * and the documented AT+CFOTA syntax must stay as it is, so the setting
 * is a separate command (and `cfota modem --fota-server URL
 * --device-token T`, which sets the same thing at power-on).
 *
 *   AT+CFOTASRV="<url>"[,"<token>"]  OK; AUTO_SAVE. "" clears both.
 *                                    Without <token> the token is kept.
 *   AT+CFOTASRV?                     +CFOTASRV: "<url>",<token set 0|1>
 *   AT+CFOTASRV=?                    +CFOTASRV: "url","token"
 *
 * The URL is http:// or https:// on a loopback host (the emulator talks
 * to nothing else); anything else is "+CME ERROR: 50". The token is never
 * read back, as a real module would not print a credential.
 */
#include "at_command.h"

#include <string.h>

static int srv_write(struct modem *m, const struct at_args *a)
{
    char url[OTA_URL_MAX + 1], token[OTA_TOKEN_MAX + 1];

    if (a->n < 1 || a->n > 2 || at_arg_str(a, 0, url, sizeof url) != 0)
        return CME_BAD_PARAM;
    if (a->n == 2 && (at_arg_str(a, 1, token, sizeof token) != 0 || strchr(token, ' ')))
        return CME_BAD_PARAM;
    if (url[0] && !modem_http_host_is_loopback(url)) {
        at_log(m, "CFOTASRV: %s is not an http(s) URL on a loopback host", url);
        return CME_BAD_PARAM;
    }
    strcpy(m->settings.fota_url, url);
    if (!url[0])
        m->settings.fota_token[0] = 0;
    else if (a->n == 2)
        strcpy(m->settings.fota_token, token);
    modem_settings_changed(m);
    return AT_OK;
}

static int srv_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CFOTASRV: \"%s\",%d", m->settings.fota_url, m->settings.fota_token[0] != 0);
    return AT_OK;
}

static int srv_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CFOTASRV: \"url\",\"token\"");
    return AT_OK;
}

const struct at_command at_ota_ext_commands[] = {
    /* name        exec  test      read      write */
    {"+CFOTASRV", NULL, srv_test, srv_read, srv_write},
    {NULL, NULL, NULL, NULL, NULL},
};
