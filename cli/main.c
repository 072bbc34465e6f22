/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/main.c: the cfota command-line tool, a dispatcher over subcommands.
 *
 * Every subcommand is a row of one of the tables below; adding one is
 * adding a row and a cli/cmd_<name>.c file. The built-in commands run in
 * this process; the external ones are programs of their own, cfota-<name>,
 * installed beside this one (cli/sub_main.c says why), which we exec.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfota/version.h"
#include "commands.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"diff", cmd_diff, "make a package from OLD to NEW"},
    {"apply", cmd_apply, "apply a package to OLD, writing NEW"},
    {"info", cmd_info, "describe a package"},
    {"keygen", cmd_keygen, "make a release key pair (KEY, KEY.pub)"},
    {"sign", cmd_sign, "sign a package with a release key"},
    {"verify", cmd_verify, "check a package's signature as a device would"},
    {"push", cmd_push, "write a package into a module over its serial port and update"},
    {"update", cmd_update, "update a module over the air (--ota) or over HTTP (--http URL)"},
    {"bearer", cmd_bearer, "check (and set up) a module's network bearer"},
    {"at", cmd_at, "send AT commands to a module and print the answers"},
    {"device", cmd_device, "run an emulated application MCU that updates itself through a module"},
};

struct external {
    const char *name;
    const char *summary;
};

static const struct external externals[] = {
    {"modem", "run an emulated SIM7020 module"},
    {"server", "run the FOTA server"},
    {"admin", "operate a FOTA server: images, releases, devices"},
};

/* Run cfota-<name> from the folder this program lives in. */
static int run_external(const char *name, char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;
    if (n <= 0) {
        fprintf(stderr, "cfota: cannot find my own folder: %s\n", strerror(errno));
        return 1;
    }
    self[n] = 0;
    slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    snprintf(path, sizeof path, "%s/cfota-%s", self, name);
    execv(path, argv);
    fprintf(stderr, "cfota: %s: %s (is the cfota-%s program built?)\n", path, strerror(errno), name);
    return 1;
}

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: cfota <command> [options]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    for (i = 0; i < sizeof externals / sizeof externals[0]; i++)
        fprintf(f, "  %-8s %s\n", externals[i].name, externals[i].summary);
    fprintf(f, "\n'cfota <command> --help' describes a command; 'cfota --version' prints\n"
               "the version.\n");
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("cfota %s\n", CFOTA_VERSION);
        return 0;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    for (i = 0; i < sizeof externals / sizeof externals[0]; i++)
        if (!strcmp(argv[1], externals[i].name))
            return run_external(externals[i].name, argv + 1);
    fprintf(stderr, "cfota: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
