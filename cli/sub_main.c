/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/sub_main.c: the entry point of a subcommand built as its own program
 * (cfota-modem, cfota-server, cfota-admin), git-style.
 *
 * Why separate programs: the server and the emulator link libmicrohttpd,
 * SQLite and libcurl with their TLS stacks, which cost several megabytes
 * of resident memory just by being loaded; `cfota diff` and `cfota apply`
 * should not pay that. `cfota NAME ...` runs `cfota-NAME ...` from the
 * same folder (cli/main.c), so users see one tool.
 *
 * Built with CFOTA_SUB_NAME (the command's name) and CFOTA_SUB_FN (its
 * function) defined.
 */
#include "commands.h"

int main(int argc, char **argv)
{
    static char name[] = CFOTA_SUB_NAME;
    argv[0] = name; /* commands expect their own name in argv[0] */
    return CFOTA_SUB_FN(argc, argv);
}
