/*
 * cli/main.c: the cfota command-line tool, a dispatcher over subcommands.
 *
 * Every subcommand is a row of the table below; adding one is adding a row
 * and a cli/cmd_<name>.c file.
 */
#include <stdio.h>
#include <string.h>

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
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: cfota <command> [options]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'cfota <command> --help' describes a command.\n");
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
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cfota: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
