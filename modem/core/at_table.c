/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/at_table.c: the command table of the module.
 *
 * Each family of commands (cmd_general.c, cmd_network.c, cmd_flash.c,
 * cmd_fota.c, cmd_http.c, our extension cmd_ota_ext.c, and those client
 * libraries send: cmd_registration.c, cmd_socket.c, cmd_tcpip.c,
 * cmd_dns.c, cmd_httpsend.c) exports its rows; this file only lists the families and
 * finds a row by name. Adding a command is adding a row to its family;
 * adding a family is adding a line below. Names compare without case, as
 * the module does ("at+csq" works).
 */
#include "at_command.h"

#include <string.h>

static const struct at_command *const families[] = {
    at_general_commands,
    at_network_commands,
    at_flash_commands,
    at_fota_commands,
    at_http_commands,
    at_ota_ext_commands,
    at_registration_commands,
    at_socket_commands,
    at_tcpip_commands,
    at_dns_commands,
    at_httpsend_commands,
};

static int same_name(const char *a, size_t n, const char *b)
{
    size_t i;
    if (strlen(b) != n)
        return 0;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 'a' + 'A');
        if (x != y)
            return 0;
    }
    return 1;
}

const struct at_command *at_lookup(const char *name, size_t len)
{
    size_t f;
    for (f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct at_command *c;
        for (c = families[f]; c->name; c++)
            if (same_name(name, len, c->name))
                return c;
    }
    return NULL;
}

const struct at_command *at_command_row(size_t i)
{
    size_t f;
    for (f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct at_command *c;
        for (c = families[f]; c->name; c++)
            if (i-- == 0)
                return c;
    }
    return NULL;
}
