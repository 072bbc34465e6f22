/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_modem.c: `cfota modem`, run one emulated SIM7020 module
 * (docs/modem.md).
 *
 * This file only turns options into struct modem_run_options; the module
 * is modem/core/modem.h and the process around it modem/posix/runner.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "flashsim.h"
#include "runner.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota modem [--stdio | --tcp PORT] [options]\n"
            "\n"
            "Run one emulated SIM7020 module. By default it listens on a new\n"
            "pseudo-terminal and prints the path of its slave (open it with any\n"
            "serial program).\n"
            "\n"
            "link:\n"
            "  --link PATH          also make PATH a symlink to the pseudo-terminal\n"
            "                       (an existing PATH other than such a link is\n"
            "                       refused, exit status 2)\n"
            "  --stdio              talk over stdin/stdout instead\n"
            "  --tcp PORT           listen on 127.0.0.1:PORT instead (0: any; the\n"
            "                       port is printed)\n"
            "state:\n"
            "  --state DIR          keep the flash and the AUTO_SAVE settings in DIR;\n"
            "                       restarting on the same DIR is a power cycle\n"
            "                       (default: a temporary directory)\n"
            "  --firmware IMG       image of a blank module (default: 64 KiB test image)\n"
            "  --version V          its version, reported by AT+CGMR\n"
            "                       (default 1752B05SIM7020C)\n"
            "  --trust KEY.pub      provision the release key: AT+CFOTA=5 and the OTA\n"
            "                       path then refuse packages not signed with it\n"
            "                       (kept in the state directory for later starts)\n"
            "  --product ID         provision the product id (default 0): packages\n"
            "                       made for another product are refused (kept too)\n"
            "  --power-cut-after N  cut the power at the N+1th flash program/erase\n"
            "                       of this run (exit status 75)\n"
            "network:\n"
            "  --sim STATE          ready, pin, puk or absent (default ready)\n"
            "  --pin CODE           the PIN AT+CPIN accepts (default 1234)\n"
            "  --imei N, --imsi N, --iccid N, --model NAME\n"
            "  --csq RSSI,BER       signal while the radio is on (default 20,0)\n"
            "  --operator NAME      default CHN-UNICOM\n"
            "  --apn APN            the network's default APN (default shnbiot)\n"
            "  --ip A[,B...]        address of attach 1, 2, ... (default\n"
            "                       10.250.0.213,10.250.0.253)\n"
            "  --attach-delay MS    radio on to registered, or 'never' (default 0,\n"
            "                       3000 with --speed real)\n"
            "  --fota-server URL    the cfota server of AT+CFOTA=1..4 (loopback),\n"
            "                       set at power-on as AT+CFOTASRV would\n"
            "  --device-token T     the device token for it (cfota admin enrol IMEI)\n"
            "  --dns NAME=IP[,...]  names AT+CDNSGIP and AT+CIPSTART resolve, besides\n"
            "                       localhost (sockets reach 127.0.0.0/8 only)\n"
            "  --boot-urcs SET      manual (RDY ... SMS Ready, default) or fota-an\n"
            "                       (*MATREADY: 1 ... at every boot)\n"
            "behaviour:\n"
            "  --speed fast|real    real: the module's delays (boot, erase, update)\n"
            "  --echo 0|1           echo at power-on (default 1, as ATE1)\n"
            "  --prompt TEXT        AT+CFLW data prompt, C escapes allowed\n"
            "                       (default \"\\r\\n> \")\n"
            "  --trace              log the dialogue on stderr, and at exit the\n"
            "                       serial line's byte counts, both ways\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (!s || !*s || *s == '-')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "\r\n> " style escapes, in place. */
static void unescape(char *s)
{
    char *w = s;
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            *w++ = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'r': *w++ = '\r'; break;
        case 'n': *w++ = '\n'; break;
        case 't': *w++ = '\t'; break;
        default: *w++ = *s; break;
        }
    }
    *w = 0;
}

static int parse_ips(char *list, struct modem_config *cfg)
{
    char *save = NULL, *tok;
    int n = 0;
    memset(cfg->ips, 0, sizeof cfg->ips);
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == MODEM_IPS_MAX)
            return -1;
        cfg->ips[n++] = tok;
    }
    return n ? 0 : -1;
}

int cmd_modem(int argc, char **argv)
{
    static char ips[256], prompt[64];
    struct modem_run_options o;
    const char *tcp = NULL, *speed = NULL, *cut = NULL, *sim = NULL, *csq = NULL, *ip = NULL;
    const char *delay = NULL, *echo = NULL, *pr = NULL, *boot_urcs = NULL;
    int stdio_link = 0, n_ops;
    const char *ops[1];
    unsigned long v;

    memset(&o, 0, sizeof o);
    modem_config_default(&o.cfg);
    o.power_cut_after = FLASHSIM_NO_CUT;
    o.info = stdout;
    {
        const struct cli_option opts[] = {
            {"link", 0, &o.symlink, NULL},
            {"stdio", 0, NULL, &stdio_link},
            {"tcp", 0, &tcp, NULL},
            {"state", 0, &o.state_dir, NULL},
            {"firmware", 0, &o.firmware, NULL},
            {"version", 0, &o.version, NULL},
            {"power-cut-after", 0, &cut, NULL},
            {"sim", 0, &sim, NULL},
            {"pin", 0, &o.cfg.pin, NULL},
            {"imei", 0, &o.cfg.imei, NULL},
            {"imsi", 0, &o.cfg.imsi, NULL},
            {"iccid", 0, &o.cfg.iccid, NULL},
            {"model", 0, &o.cfg.model, NULL},
            {"csq", 0, &csq, NULL},
            {"operator", 0, &o.cfg.operator_name, NULL},
            {"apn", 0, &o.cfg.network_apn, NULL},
            {"ip", 0, &ip, NULL},
            {"attach-delay", 0, &delay, NULL},
            {"speed", 0, &speed, NULL},
            {"echo", 0, &echo, NULL},
            {"prompt", 0, &pr, NULL},
            {"trace", 0, NULL, &o.trace},
            {"fota-server", 0, &o.fota_url, NULL},
            {"device-token", 0, &o.device_token, NULL},
            {"trust", 0, &o.trust, NULL},
            {"product", 0, &o.product, NULL},
            {"dns", 0, &o.cfg.dns_hosts, NULL},
            {"boot-urcs", 0, &boot_urcs, NULL},
            {NULL, 0, NULL, NULL},
        };
        switch (args_parse(argc, argv, opts, ops, 1, &n_ops)) {
        case ARGS_HELP:
            usage(stdout);
            return 0;
        case ARGS_BAD:
            usage(stderr);
            return EXIT_USAGE;
        case ARGS_OK:
            break;
        }
    }
    if (n_ops)
        return args_usage_error("modem", usage, "unexpected operand '%s'", ops[0]);
    if (boot_urcs && strcmp(boot_urcs, "manual") != 0 && strcmp(boot_urcs, "fota-an") != 0)
        return args_usage_error("modem", usage, "--boot-urcs: manual or fota-an");
    o.cfg.boot_fota_an = boot_urcs && !strcmp(boot_urcs, "fota-an");
    o.link = MODEM_LINK_PTY;
    if (stdio_link && tcp)
        return args_usage_error("modem", usage, "--stdio and --tcp exclude each other");
    if (stdio_link)
        o.link = MODEM_LINK_STDIO;
    if (tcp) {
        if (parse_ulong(tcp, 65535, &v) != 0)
            return args_usage_error("modem", usage, "--tcp: a port number 0-65535");
        o.link = MODEM_LINK_TCP;
        o.tcp_port = (int)v;
    }
    if (o.symlink && o.link != MODEM_LINK_PTY)
        return args_usage_error("modem", usage, "--link goes with the pseudo-terminal only");
    if (o.symlink && !link_path_is_ours(o.symlink)) {
        fprintf(stderr, "cfota: modem: --link %s: exists and is not a link to a pseudo-terminal; "
                        "not replaced (remove it or choose another path)\n", o.symlink);
        return EXIT_USAGE;
    }
    if (speed && !strcmp(speed, "real")) {
        o.cfg.speed = MODEM_SPEED_REAL;
        o.cfg.attach_delay_ms = 3000;
    } else if (speed && strcmp(speed, "fast")) {
        return args_usage_error("modem", usage, "--speed: fast or real");
    }
    if (cut) {
        if (parse_ulong(cut, 0xFFFFFFFFul, &v) != 0)
            return args_usage_error("modem", usage, "--power-cut-after: a number of operations");
        o.power_cut_after = v;
    }
    if (o.product && parse_ulong(o.product, 0xFFFFFFFFul, &v) != 0)
        return args_usage_error("modem", usage, "--product: a number 0-4294967295");
    if (sim) {
        if (!strcmp(sim, "ready"))
            o.cfg.sim = MODEM_SIM_READY;
        else if (!strcmp(sim, "pin"))
            o.cfg.sim = MODEM_SIM_PIN;
        else if (!strcmp(sim, "puk"))
            o.cfg.sim = MODEM_SIM_PUK;
        else if (!strcmp(sim, "absent"))
            o.cfg.sim = MODEM_SIM_ABSENT;
        else
            return args_usage_error("modem", usage, "--sim: ready, pin, puk or absent");
    }
    if (csq && (sscanf(csq, "%d,%d", &o.cfg.rssi, &o.cfg.ber) != 2 ||
                !((o.cfg.rssi >= 0 && o.cfg.rssi <= 31) || o.cfg.rssi == 99) ||
                !((o.cfg.ber >= 0 && o.cfg.ber <= 7) || o.cfg.ber == 99)))
        return args_usage_error("modem", usage, "--csq: RSSI (0-31, 99),BER (0-7, 99)");
    if (ip) {
        snprintf(ips, sizeof ips, "%s", ip);
        if (parse_ips(ips, &o.cfg) != 0)
            return args_usage_error("modem", usage, "--ip: one to %u addresses", MODEM_IPS_MAX);
    }
    if (delay) {
        if (!strcmp(delay, "never"))
            o.cfg.attach_delay_ms = MODEM_NEVER;
        else if (parse_ulong(delay, 86400000ul, &v) == 0)
            o.cfg.attach_delay_ms = v;
        else
            return args_usage_error("modem", usage, "--attach-delay: milliseconds or 'never'");
    }
    if (echo) {
        if (strcmp(echo, "0") && strcmp(echo, "1"))
            return args_usage_error("modem", usage, "--echo: 0 or 1");
        o.cfg.echo = echo[0] == '1';
    }
    if (pr) {
        snprintf(prompt, sizeof prompt, "%s", pr);
        unescape(prompt);
        o.cfg.cflw_prompt = prompt;
    }
    if (o.fota_url && (strlen(o.fota_url) > OTA_URL_MAX || !modem_http_host_is_loopback(o.fota_url)))
        return args_usage_error("modem", usage, "--fota-server: an http:// URL on a loopback host");
    if (o.device_token && (!o.fota_url || !*o.device_token || strlen(o.device_token) > OTA_TOKEN_MAX))
        return args_usage_error("modem", usage, "--device-token: 1-%u characters, with --fota-server",
                                OTA_TOKEN_MAX);
    return modem_run(&o);
}
