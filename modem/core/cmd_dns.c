/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/core/cmd_dns.c: AT+CDNSCFG and AT+CDNSGIP [M105 7.2.13-14; TCPAN
 * 2.3, 4.6; spec sim7020-clients.md 6.7], and the name lookup AT+CIPSTART
 * shares.
 *
 * The emulator reaches no DNS server (it talks to loopback only), so its
 * resolver is a table: a dotted address is itself, "localhost" is
 * 127.0.0.1, and `cfota modem --dns NAME=IP` adds names (cfg.dns_hosts).
 * Any other name fails the way the module reports it, "+CDNSGIP: 0,8"
 * (DNS COMMON ERROR). AT+CDNSGIP answers OK at once and the result
 * follows as its URC.
 */
#include "at_command.h"

#include <stdio.h>
#include <string.h>

static int ok(struct modem *m, const struct at_args *a)
{
    return AT_OK;
}

static int same_text(const char *a, size_t n, const char *b)
{
    size_t i;
    if (strlen(b) != n)
        return 0;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

int modem_dns_lookup(const struct modem *m, const char *name, char ip[16])
{
    const char *p = m->cfg.dns_hosts;

    if (modem_ip_is_dotted(name)) {
        snprintf(ip, 16, "%s", name);
        return 0;
    }
    if (same_text(name, strlen(name), "localhost")) {
        snprintf(ip, 16, "127.0.0.1");
        return 0;
    }
    /* "name=ip,name=ip" */
    while (p && *p) {
        size_t n = strcspn(p, ","), k = strcspn(p, "=");
        if (k < n && same_text(p, k, name) && n - k - 1 < 16) {
            memcpy(ip, p + k + 1, n - k - 1);
            ip[n - k - 1] = 0;
            return modem_ip_is_dotted(ip) ? 0 : -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return -1;
}

/* ---- AT+CDNSCFG ---- */

static const char *dns_server(const struct modem *m, int i)
{
    return m->dns[i][0] ? m->dns[i] : i == 0 ? "208.67.222.222" : "0.0.0.0";
}

static int cdnscfg_write(struct modem *m, const struct at_args *a)
{
    char pri[16], sec[16] = "";
    if (a->n < 1 || a->n > 2 || at_arg_str(a, 0, pri, sizeof pri) != 0 || !modem_ip_is_dotted(pri) ||
        (a->n == 2 && (at_arg_str(a, 1, sec, sizeof sec) != 0 || !modem_ip_is_dotted(sec)))) {
        at_log(m, "CDNSCFG: <primary>[,<secondary>] as dotted IPv4 addresses");
        return AT_ERROR;
    }
    strcpy(m->dns[0], pri);
    strcpy(m->dns[1], sec);
    return AT_OK;
}

static int cdnscfg_read(struct modem *m, const struct at_args *a)
{
    at_info(m, "PrimaryDns: %s", dns_server(m, 0));
    at_info(m, "SecondaryDns: %s", dns_server(m, 1));
    return AT_OK;
}

static int cdnscfg_test(struct modem *m, const struct at_args *a)
{
    at_info(m, "+CDNSCFG: (\"Primary DNS\"),(\"Secondary DNS\")");
    return AT_OK;
}

/* ---- AT+CDNSGIP ---- */

static int cdnsgip_write(struct modem *m, const struct at_args *a)
{
    char name[256], ip[16];
    if (a->n != 1 || at_arg_str(a, 0, name, sizeof name) != 0 || !name[0]) {
        at_log(m, "CDNSGIP: one domain name");
        return AT_ERROR;
    }
    if (!m->net.pdp_active) {
        at_log(m, "CDNSGIP: no PDP context");
        return AT_ERROR;
    }
    at_defer(m, 1000);
    if (modem_dns_lookup(m, name, ip) == 0) {
        at_urc(m, "+CDNSGIP: 1,\"%s\",\"%s\"", name, ip);
    } else {
        at_log(m, "CDNSGIP: %s is not a name the emulator knows (localhost, --dns)", name);
        at_urc(m, "+CDNSGIP: 0,8");
    }
    return AT_OK;
}

const struct at_command at_dns_commands[] = {
    /* name         exec  test          read          write */
    {"+CDNSCFG",    NULL, cdnscfg_test, cdnscfg_read, cdnscfg_write},
    {"+CDNSGIP",    NULL, ok,           NULL,         cdnsgip_write},
    {NULL, NULL, NULL, NULL, NULL},
};
