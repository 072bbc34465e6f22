/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_server.c: `cfota server --data DIR [...]`, run the FOTA server.
 *
 * Starts the server of server/server.h and serves until SIGINT or SIGTERM,
 * then finishes the requests in flight and closes the store. Killing it
 * harder (SIGKILL, power loss) loses nothing committed (docs/server.md).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "report.h"
#include "server.h"

#define DEFAULT_PORT 8070

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota server --data DIR [--listen ADDR] [--port N] [--threads N]\n"
            "                    [--admin-token-file FILE] [--max-connections N]\n"
            "                    [--max-per-address N] [--header-timeout S]\n"
            "                    [--idle-timeout S] [--sign-key KEY | --release-key KEY.pub]\n"
            "                    [--no-access-log]\n"
            "\n"
            "Run the FOTA server (docs/server-api.md, docs/server.md).\n"
            "  --data DIR               database, images, packages and secrets\n"
            "  --listen ADDR            IPv4 address to bind (default 127.0.0.1)\n"
            "  --port N                 TCP port (default %d; 0 picks a free one)\n"
            "  --threads N              HTTP threads (default: one per CPU)\n"
            "  --admin-token-file FILE  admin token (default DIR/admin-token, made\n"
            "                           at the first start)\n"
            "  --max-connections N      open connections in all (default %d)\n"
            "  --max-per-address N      open connections from one IP address (default %d)\n"
            "  --header-timeout S       seconds a connection may stay silent before its\n"
            "                           request header is complete (default %d)\n"
            "  --idle-timeout S         seconds without progress once a request is under\n"
            "                           way, such as a slow download (default %d)\n"
            "  --sign-key KEY           sign every package built with KEY\n"
            "  --release-key KEY.pub    serve only packages signed offline with that\n"
            "                           key (uploaded to packages/<id>/signature)\n"
            "  --no-access-log          no log line per request (builds and rollout\n"
            "                           changes are still logged)\n",
            DEFAULT_PORT, CFOTA_SERVER_MAX_CONNECTIONS, CFOTA_SERVER_MAX_PER_ADDRESS,
            CFOTA_SERVER_HEADER_TIMEOUT_S, CFOTA_SERVER_IDLE_TIMEOUT_S);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;
    if (!s[0])
        return -1;
    v = strtoul(s, &end, 10);
    if (*end || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}


int cmd_server(int argc, char **argv)
{
    const char *data = NULL, *listen = NULL, *port_s = NULL, *threads_s = NULL, *token_file = NULL;
    const char *max_conn_s = NULL, *per_addr_s = NULL, *header_s = NULL, *idle_s = NULL;
    const char *sign_key = NULL, *release_key = NULL;
    int no_access_log = 0;
    const struct cli_option opts[] = {
        {"data", 'd', &data, NULL},       {"listen", 0, &listen, NULL},
        {"port", 'p', &port_s, NULL},     {"threads", 0, &threads_s, NULL},
        {"admin-token-file", 0, &token_file, NULL},
        {"max-connections", 0, &max_conn_s, NULL}, {"max-per-address", 0, &per_addr_s, NULL},
        {"header-timeout", 0, &header_s, NULL},    {"idle-timeout", 0, &idle_s, NULL},
        {"sign-key", 0, &sign_key, NULL},          {"release-key", 0, &release_key, NULL},
        {"no-access-log", 0, NULL, &no_access_log}, {NULL, 0, NULL, NULL}};
    struct cfota_server_config cfg;
    struct cfota_server *srv;
    char err[512], token[256];
    const char *operands[1];
    int n_operands, sig, rc;
    sigset_t stop_signals;

    if ((rc = args_run(argc, argv, opts, operands, 1, &n_operands, usage)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.port = DEFAULT_PORT;
    if (n_operands > 0)
        return args_usage_error("server", usage, "unexpected operand '%s'", operands[0]);
    if (!data)
        return args_usage_error("server", usage, "--data DIR is required");
    if (port_s && parse_uint(port_s, 65535, &cfg.port) != 0)
        return args_usage_error("server", usage, "--port must be 0 to 65535");
    if (threads_s && (parse_uint(threads_s, 64, &cfg.threads) != 0 || cfg.threads == 0))
        return args_usage_error("server", usage, "--threads must be 1 to 64");
    if (max_conn_s && (parse_uint(max_conn_s, 1000000, &cfg.max_connections) != 0 ||
                       cfg.max_connections == 0))
        return args_usage_error("server", usage, "--max-connections must be 1 to 1000000");
    if (per_addr_s && (parse_uint(per_addr_s, 1000000, &cfg.max_per_address) != 0 ||
                       cfg.max_per_address == 0))
        return args_usage_error("server", usage, "--max-per-address must be 1 to 1000000");
    if (header_s && (parse_uint(header_s, 3600, &cfg.header_timeout_s) != 0 ||
                     cfg.header_timeout_s == 0))
        return args_usage_error("server", usage, "--header-timeout must be 1 to 3600 seconds");
    if (idle_s && (parse_uint(idle_s, 86400, &cfg.idle_timeout_s) != 0 || cfg.idle_timeout_s == 0))
        return args_usage_error("server", usage, "--idle-timeout must be 1 to 86400 seconds");
    if (token_file) {
        if (report_read_line(token_file, token, sizeof token) != 0)
            return report_fail("server", "%s: cannot read the admin token", token_file);
        cfg.admin_token = token;
    }
    cfg.data_dir = data;
    cfg.no_access_log = no_access_log;
    cfg.listen_addr = listen;
    cfg.sign_key = sign_key;
    cfg.release_key = release_key;

    /* Block the stop signals before any thread starts, so that every
     * thread inherits the mask and sigwait below receives them. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    srv = cfota_server_start(&cfg, err, sizeof err);
    if (!srv)
        return report_fail("server", "%s", err);
    printf("cfota server: listening on http://%s:%u, data in %s\n",
           listen ? listen : "127.0.0.1", cfota_server_port(srv), data);
    if (!token_file)
        printf("cfota server: admin token in %s/admin-token\n", data);
    fflush(stdout);
    sigwait(&stop_signals, &sig);
    printf("cfota server: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    cfota_server_stop(srv);
    return 0;
}
