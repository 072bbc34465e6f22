/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_admin.c: `cfota admin COMMAND ...`, the operator's side of the
 * server (docs/server-api.md §4, docs/server.md).
 *
 * Each command is one admin API call through server/admin_client.h,
 * described by one row of the command table below (method, path, which
 * options become which query parameters). The
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
            "commands (P: a product, the hardware type everything belongs to):\n"
            "  upload VERSION FILE --product P       upload a firmware image\n"
            "  upload-package FILE --product P --from V1 --to V2\n"
            "                                        upload a package made elsewhere (a module\n"
            "                                        vendor's delta) for devices of P on V1\n"
            "  release TARGET --product P [--group G] [--share P | --waves 1,10,50,100]\n"
            "          [--wave-reports N] [--soak S] [--max-downloads N]\n"
            "          [--max-fail P] [--min-reports N]    roll out version TARGET\n"
            "  stats [ID] [--product P]              releases with their device counts\n"
            "  release-devices ID [--state S]        the devices a release offered a package,\n"
            "                                        S: checked|downloading|succeeded|failed\n"
            "  pause ID | resume ID [--share P] | advance ID\n"
            "                                        stop, restart, or widen to the next wave\n"
            "  devices [--product P] [--group G] [--imei PREFIX]\n"
            "                                        devices, their version, state, last report\n"
            "  device IMEI                           one device\n"
            "  plan IMEI [--ver V] [--want V]        what its next check would get, and why\n"
            "  enrol IMEI [--product P] [--group G]  register a device; prints its token\n"
            "  revoke IMEI | rotate IMEI             refuse its token | give it a new one\n"
            "  images [--product P] | packages [--product P] | products\n"
            "  delete-image VERSION --product P | delete-package ID --product P\n"
            "  delete-release ID\n"
            "  fetch ID FILE                         save package ID (ready or waiting to be\n"
            "                                        signed) to FILE\n"
            "  sign-upload ID FILE                   upload FILE, package ID signed offline\n"
            "                                        (`cfota sign`), to be served from now on\n"
            "  token-create NAME --role read|admin | tokens | token-delete NAME\n"
            "\n"
            "Lists take --limit N and --after CURSOR (the \"next\" of the page before).\n"
            "--server defaults to $CFOTA_SERVER or " DEFAULT_SERVER ";\n"
            "the token to $CFOTA_ADMIN_TOKEN. Answers are JSON on stdout.\n");
}

/* Options that become query parameters, by index. */
enum opt {
    O_PRODUCT, O_GROUP, O_SHARE, O_MAX_FAIL, O_MIN_REPORTS, O_WAVES, O_WAVE_REPORTS, O_SOAK,
    O_MAX_DOWNLOADS, O_FROM, O_TO, O_IMEI, O_VER, O_WANT, O_ROLE, O_STATE, O_LIMIT, O_AFTER, O_COUNT
};

/* Long option name, and the query parameter it becomes. */
static const char *const opt_names[O_COUNT][2] = {
    [O_PRODUCT] = {"product", "product"},
    [O_GROUP] = {"group", "group"},
    [O_SHARE] = {"share", "share"},
    [O_MAX_FAIL] = {"max-fail", "max_fail"},
    [O_MIN_REPORTS] = {"min-reports", "min_reports"},
    [O_WAVES] = {"waves", "waves"},
    [O_WAVE_REPORTS] = {"wave-reports", "wave_reports"},
    [O_SOAK] = {"soak", "soak"},
    [O_MAX_DOWNLOADS] = {"max-downloads", "max_downloads"},
    [O_FROM] = {"from", "from"},
    [O_TO] = {"to", "to"},
    [O_IMEI] = {"imei", "imei"},
    [O_VER] = {"ver", "ver"},
    [O_WANT] = {"want", "want"},
    [O_ROLE] = {"role", "role"},
    [O_STATE] = {"state", "state"},
    [O_LIMIT] = {"limit", "limit"},
    [O_AFTER] = {"after", "after"},
};

#define B(o) (1u << (o))
#define LIST (B(O_LIMIT) | B(O_AFTER))

/* One command: path with $1, $2 for operands (percent-encoded), the
 * query parameter operand 1 becomes instead (if any), the options it
 * takes, the operand that names a file sent as the body (0: none), and the
 * operand that names a file the answer is saved to instead of printed
 * (0: none; for package bytes, which are not JSON). */
struct command {
    const char *name, *method, *path;
    int operands;
    const char *operand_param;
    unsigned opts;
    int body;
    int save;
};

static const struct command commands[] = {
    {"upload", "PUT", "/admin/v1/images/$1", 2, NULL, B(O_PRODUCT), 2, 0},
    {"upload-package", "POST", "/admin/v1/packages", 1, NULL, B(O_PRODUCT) | B(O_FROM) | B(O_TO), 1, 0},
    {"release", "POST", "/admin/v1/releases", 1, "target",
     B(O_PRODUCT) | B(O_GROUP) | B(O_SHARE) | B(O_MAX_FAIL) | B(O_MIN_REPORTS) | B(O_WAVES) |
         B(O_WAVE_REPORTS) | B(O_SOAK) | B(O_MAX_DOWNLOADS), 0, 0},
    {"stats", "GET", "/admin/v1/releases", 0, NULL, B(O_PRODUCT) | LIST, 0, 0},
    {"stats", "GET", "/admin/v1/releases/$1", 1, NULL, 0, 0, 0},
    {"release-devices", "GET", "/admin/v1/releases/$1/devices", 1, NULL, B(O_STATE) | LIST, 0, 0},
    {"pause", "POST", "/admin/v1/releases/$1/pause", 1, NULL, 0, 0, 0},
    {"resume", "POST", "/admin/v1/releases/$1/resume", 1, NULL, B(O_SHARE), 0, 0},
    {"advance", "POST", "/admin/v1/releases/$1/advance", 1, NULL, 0, 0, 0},
    {"delete-release", "DELETE", "/admin/v1/releases/$1", 1, NULL, 0, 0, 0},
    {"devices", "GET", "/admin/v1/devices", 0, NULL, B(O_PRODUCT) | B(O_GROUP) | B(O_IMEI) | LIST, 0, 0},
    {"device", "GET", "/admin/v1/devices/$1", 1, NULL, 0, 0, 0},
    {"plan", "GET", "/admin/v1/devices/$1/plan", 1, NULL, B(O_VER) | B(O_WANT), 0, 0},
    {"enrol", "POST", "/admin/v1/devices", 1, "imei", B(O_PRODUCT) | B(O_GROUP), 0, 0},
    {"revoke", "POST", "/admin/v1/devices/$1/revoke", 1, NULL, 0, 0, 0},
    {"rotate", "POST", "/admin/v1/devices/$1/rotate", 1, NULL, 0, 0, 0},
    {"images", "GET", "/admin/v1/images", 0, NULL, B(O_PRODUCT) | LIST, 0, 0},
    {"packages", "GET", "/admin/v1/packages", 0, NULL, B(O_PRODUCT) | LIST, 0, 0},
    {"products", "GET", "/admin/v1/products", 0, NULL, 0, 0, 0},
    {"delete-image", "DELETE", "/admin/v1/images/$1", 1, NULL, B(O_PRODUCT), 0, 0},
    {"delete-package", "DELETE", "/admin/v1/packages/$1", 1, NULL, B(O_PRODUCT), 0, 0},
    {"token-create", "POST", "/admin/v1/tokens", 1, "name", B(O_ROLE), 0, 0},
    {"tokens", "GET", "/admin/v1/tokens", 0, NULL, 0, 0, 0},
    {"token-delete", "DELETE", "/admin/v1/tokens/$1", 1, NULL, 0, 0, 0},
    /* Offline signing (docs/server.md "Signing"): fetch what waits in
     * state tosign, sign it on the release machine, upload it back. */
    {"fetch", "GET", "/admin/v1/packages/$1", 2, NULL, 0, 0, 2},
    {"sign-upload", "PUT", "/admin/v1/packages/$1/signature", 2, NULL, 0, 2, 0},
};

struct admin_opts {
    const char *server, *token, *token_file;
    const char *values[O_COUNT];
};

/* A successful answer: printed, or saved to save_to (atomically, so a
 * failed write leaves the file as it was) with a JSON line saying so. */
static int answer(const struct admin_reply *reply, const char *save_to)
{
    if (!save_to) {
        fwrite(reply->body.p, 1, reply->body.n, stdout);
        return 0;
    }
    if (report_save("admin", save_to, reply->body.p, reply->body.n) != 0)
        return 1;
    printf("{\"saved\":");
    report_json_string(stdout, save_to);
    printf(",\"size\":%zu}\n", reply->body.n);
    return 0;
}

/* Make the call and print (or save) its answer. Exit status. */
static int call(const struct admin_opts *o, const char *method, const char *path,
                const struct bytes *body, const char *save_to)
{
    struct admin_reply reply;
    char message[512];
    int rc;
    if (admin_call(o->server, o->token, method, path, body ? body->p : NULL, body ? body->n : 0,
                   &reply) != 0) {
        rc = report_fail("admin", "%s", reply.error);
        admin_reply_free(&reply);
        return rc;
    }
    if (reply.status >= 200 && reply.status < 300) {
        rc = answer(&reply, save_to);
        admin_reply_free(&reply);
        return rc;
    }
    admin_reply_message(&reply, message, sizeof message);
    rc = report_fail("admin", "server answered %ld: %s", reply.status, message);
    admin_reply_free(&reply);
    return rc;
}

/* The command named cmd with n operands, or NULL (*named: the name exists). */
static const struct command *find_command(const char *cmd, int n, int *named)
{
    size_t i;
    *named = 0;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) != 0)
            continue;
        *named = 1;
        if (commands[i].operands == n)
            return &commands[i];
    }
    return NULL;
}

/* Build "path?query" for c into *path. */
static void build_path(const struct command *c, const struct admin_opts *o, const char **ops,
                       struct bytes *path)
{
    const char *p;
    int i;
    for (p = c->path; *p; p++) {
        if (*p == '$' && (p[1] == '1' || p[1] == '2')) {
            admin_path_add(path, ops[p[1] - '0']);
            p++;
        } else {
            bytes_byte(path, *p);
        }
    }
    if (c->operand_param)
        admin_query_add(path, c->operand_param, ops[1]);
    for (i = 0; i < O_COUNT; i++)
        if (o->values[i])
            admin_query_add(path, opt_names[i][1], o->values[i]);
    bytes_byte(path, 0);
}

static int run(const struct admin_opts *o, const char **ops, int n)
{
    const struct command *c;
    struct bytes path = {0}, body = {0};
    int named, i, rc;
    c = find_command(ops[0], n - 1, &named);
    if (!c)
        return args_usage_error("admin", usage, named ? "%s: wrong number of operands"
                                                      : "unknown command '%s'", ops[0]);
    for (i = 0; i < O_COUNT; i++)
        if (o->values[i] && !(c->opts & B(i)))
            return args_usage_error("admin", usage, "%s does not take --%s", c->name,
                                    opt_names[i][0]);
    if (c->body && report_load("admin", ops[c->body], &body) != 0)
        return 1;
    build_path(c, o, ops, &path);
    rc = call(o, c->method, (const char *)path.p, c->body ? &body : NULL,
              c->save ? ops[c->save] : NULL);
    bytes_free(&path);
    bytes_free(&body);
    return rc;
}

int cmd_admin(int argc, char **argv)
{
    struct admin_opts o;
    struct cli_option opts[O_COUNT + 4];
    const char *ops[4];
    char token[256];
    int n, rc, i;

    memset(&o, 0, sizeof o);
    memset(opts, 0, sizeof opts);
    opts[0] = (struct cli_option){"server", 's', &o.server, NULL};
    opts[1] = (struct cli_option){"token", 't', &o.token, NULL};
    opts[2] = (struct cli_option){"token-file", 0, &o.token_file, NULL};
    for (i = 0; i < O_COUNT; i++)
        opts[3 + i] = (struct cli_option){opt_names[i][0], i == O_GROUP ? 'g' : 0, &o.values[i],
                                          NULL};
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
    return run(&o, ops, n);
}
