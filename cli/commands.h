/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/commands.h: the subcommands of the cfota tool. Each lives in its own
 * cli/cmd_<name>.c and is listed once in the table of cli/main.c.
 *
 * A command gets argc/argv with argv[0] being its own name and returns the
 * process exit status (docs/cli.md lists them: 0 success, 1 failure of the
 * operation, 2 usage error, 75 interrupted by a simulated power cut).
 */
#ifndef CFOTA_CLI_COMMANDS_H
#define CFOTA_CLI_COMMANDS_H

#define EXIT_USAGE 2
#define EXIT_POWER_CUT 75

int cmd_diff(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_bearer(int argc, char **argv);
int cmd_at(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_modem(int, char **);
int cmd_server(int argc, char **argv);
int cmd_admin(int argc, char **argv);

#endif
