/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_admin.c: `cfota admin COMMAND ...`, the operator's side of the
 * server (docs/server-api.md §4, docs/server.md).
 *
 * Each command is one admin API call through server/admin_client.h. The
 * server's JSON answer is printed as is on stdout (one element per line,
 * ready for jq or grep); a refused call prints the server's message on
 * stderr and exits 1. The server URL and token come from options or from
 * the environment (CFOTA_SERVER, CFOTA_ADMIN_TOKEN), so that the token
 * need not appear in a process list.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_client.h"
#include "args.h"
#include "commands.h"
#include "report.h"

#define DEFAULT_SERVER "http://127.0.0.1:8070"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota admin [--server URL] [--token T | --token-file F] COMMAND ...\n"
            "\n"
            "commands:\n"
            "  upload VERSION FILE         upload a firmware image\n"
            "  release TARGET [--group G] [--share P] [--max-fail P] [--min-reports N]\n"
            "                              roll out version TARGET\n"
            "  stats [ID]                  releases with their device counts\n"
            "  pause ID                    stop offering release ID\n"
            "  resume ID [--share P]       offer it again (to a new share)\n"
            "  devices [--group G]         devices, their version, state, last report\n"
            "  enrol IMEI [--group G]      register a device; prints its token\n"
            "  images                      uploaded images\n"
            "  packages                    packages built so far\n"
            "\n"
            "--server defaults to $CFOTA_SERVER or " DEFAULT_SERVER ";\n"
            "the token to $CFOTA_ADMIN_TOKEN. Answers are JSON on stdout.\n");
}

struct admin_opts {
    const char *server, *token, *token_file;
    const char *group, *share, *max_fail, *min_reports;
};


/* Make the call and print its answer. Exit status. */
static int call(const struct admin_opts *o, const char *token, const char *method,
                const char *path, const struct bytes *body)
{
    struct admin_reply reply;
    char message[512];
    int rc;
    if (admin_call(o->server, token, method, path, body ? body->p : NULL, body ? body->n : 0,
                   &reply) != 0) {
        rc = report_fail("admin", "%s", reply.error);
        admin_reply_free(&reply);
        return rc;
    }
    if (reply.status >= 200 && reply.status < 300) {
        fwrite(reply.body.p, 1, reply.body.n, stdout);
        admin_reply_free(&reply);
        return 0;
    }
    admin_reply_message(&reply, message, sizeof message);
    rc = report_fail("admin", "server answered %ld: %s", reply.status, message);
    admin_reply_free(&reply);
    return rc;
}

/* Options that only some commands take. */
static int only(const char *cmd, const char *opt_name, const char *value, int allowed)
{
    if (value && !allowed)
        return args_usage_error("admin", usage, "%s does not take --%s", cmd, opt_name);
    return 0;
}

static int run(const struct admin_opts *o, const char *token, const char **ops, int n)
{
    const char *cmd = ops[0];
    struct bytes path = {0}, body = {0};
    int rc, takes_group, takes_share, is_release;
    is_release = !strcmp(cmd, "release");
    takes_group = is_release || !strcmp(cmd, "devices") || !strcmp(cmd, "enrol");
    takes_share = is_release || !strcmp(cmd, "resume");
    if ((rc = only(cmd, "group", o->group, takes_group)) || (rc = only(cmd, "share", o->share, takes_share)) ||
        (rc = only(cmd, "max-fail", o->max_fail, is_release)) ||
        (rc = only(cmd, "min-reports", o->min_reports, is_release)))
        return rc;

#define NEED(k) \
    if (n != (k) + 1) \
        return args_usage_error("admin", usage, "%s takes %d operand%s", cmd, k, (k) == 1 ? "" : "s")
#define PATH(s) bytes_put(&path, s, strlen(s))

    if (!strcmp(cmd, "upload")) {
        NEED(2);
        if (report_load("admin", ops[2], &body) != 0)
            return 1;
        PATH("/admin/v1/images/");
        PATH(ops[1]);
        bytes_byte(&path, 0);
        rc = call(o, token, "PUT", (char *)path.p, &body);
    } else if (is_release) {
        NEED(1);
        PATH("/admin/v1/releases");
        admin_query_add(&path, "target", ops[1]);
        if (o->group)
            admin_query_add(&path, "group", o->group);
        if (o->share)
            admin_query_add(&path, "share", o->share);
        if (o->max_fail)
            admin_query_add(&path, "max_fail", o->max_fail);
        if (o->min_reports)
            admin_query_add(&path, "min_reports", o->min_reports);
        bytes_byte(&path, 0);
        rc = call(o, token, "POST", (char *)path.p, NULL);
    } else if (!strcmp(cmd, "stats")) {
        if (n > 2)
            return args_usage_error("admin", usage, "stats takes at most one release id");
        PATH("/admin/v1/releases");
        if (n == 2) {
            PATH("/");
            PATH(ops[1]);
        }
        bytes_byte(&path, 0);
        rc = call(o, token, "GET", (char *)path.p, NULL);
    } else if (!strcmp(cmd, "pause") || !strcmp(cmd, "resume")) {
        NEED(1);
        PATH("/admin/v1/releases/");
        PATH(ops[1]);
        PATH("/");
        PATH(cmd);
        if (o->share)
            admin_query_add(&path, "share", o->share);
        bytes_byte(&path, 0);
        rc = call(o, token, "POST", (char *)path.p, NULL);
    } else if (!strcmp(cmd, "devices")) {
        NEED(0);
        PATH("/admin/v1/devices");
        if (o->group)
            admin_query_add(&path, "group", o->group);
        bytes_byte(&path, 0);
        rc = call(o, token, "GET", (char *)path.p, NULL);
    } else if (!strcmp(cmd, "enrol")) {
        NEED(1);
        PATH("/admin/v1/devices");
        admin_query_add(&path, "imei", ops[1]);
        if (o->group)
            admin_query_add(&path, "group", o->group);
        bytes_byte(&path, 0);
        rc = call(o, token, "POST", (char *)path.p, NULL);
    } else if (!strcmp(cmd, "images") || !strcmp(cmd, "packages")) {
        NEED(0);
        PATH("/admin/v1/");
        PATH(cmd);
        bytes_byte(&path, 0);
        rc = call(o, token, "GET", (char *)path.p, NULL);
    } else {
        return args_usage_error("admin", usage, "unknown command '%s'", cmd);
    }
#undef NEED
#undef PATH
    bytes_free(&path);
    bytes_free(&body);
    return rc;
}

int cmd_admin(int argc, char **argv)
{
    struct admin_opts o;
    const struct cli_option opts[] = {
        {"server", 's', &o.server, NULL},       {"token", 't', &o.token, NULL},
        {"token-file", 0, &o.token_file, NULL}, {"group", 'g', &o.group, NULL},
        {"share", 0, &o.share, NULL},           {"max-fail", 0, &o.max_fail, NULL},
        {"min-reports", 0, &o.min_reports, NULL}, {NULL, 0, NULL, NULL}};
    const char *ops[4];
    char token[256];
    int n, rc;

    memset(&o, 0, sizeof o);
    if ((rc = args_run(argc, argv, opts, ops, 4, &n, usage)) >= 0)
        return rc;
    if (n == 0)
        return args_usage_error("admin", usage, "which command?");
    if (!o.server)
        o.server = getenv("CFOTA_SERVER") ? getenv("CFOTA_SERVER") : DEFAULT_SERVER;
    if (o.token && o.token_file)
        return args_usage_error("admin", usage, "give --token or --token-file, not both");
    if (o.token_file) {
        if (report_read_line(o.token_file, token, sizeof token) != 0)
            return report_fail("admin", "%s: cannot read the admin token", o.token_file);
        o.token = token;
    }
    if (!o.token)
        o.token = getenv("CFOTA_ADMIN_TOKEN");
    if (!o.token)
        return args_usage_error("admin", usage,
                                "no admin token: give --token, --token-file or CFOTA_ADMIN_TOKEN");
    return run(&o, o.token, ops, n);
}
