/* SPDX-License-Identifier: Apache-2.0 */
/*
 * modem/posix/runner.h: one emulated module as a process: `cfota modem`.
 *
 * The runner puts the pieces together: the state directory (the flash
 * file and the AUTO_SAVE settings), the first-start factory programming
 * of the firmware, the link (pty, stdio or TCP), the clock, --trace, and
 * the loop that feeds the core (modem.h) bytes and time. Killing the
 * process is a power cut; starting it again on the same directory is the
 * power-on.
 */
#ifndef CFOTA_MODEM_RUNNER_H
#define CFOTA_MODEM_RUNNER_H

#include <stdint.h>
#include <stdio.h>

#include "link.h"
#include "modem.h"

struct modem_run_options {
    struct modem_config cfg;   /* io is filled in by the runner */
    const char *state_dir;     /* NULL: a temporary one, removed at exit */
    const char *firmware;      /* image file for a blank module (NULL: a
                                  built-in 64 KiB test image) */
    const char *version;       /* its version (NULL: "1752B05SIM7020C") */
    enum modem_link_kind link;
    const char *symlink;       /* pty: --link */
    int tcp_port;
    int trace;                 /* log the dialogue on stderr */
    uint64_t power_cut_after;  /* flash operations before a power cut,
                                  FLASHSIM_NO_CUT for none */
    FILE *info;                /* where the pty path or port is printed */
    const char *fota_url;      /* --fota-server: AT+CFOTASRV at power-on */
    const char *device_token;  /* --device-token: its token */
    const char *trust;         /* --trust: the release public key (PEM);
                                  kept as <state>/trust.pub, which later
                                  power-ons use when --trust is not given */
    const char *product;       /* --product: the product id, decimal; kept
                                  as <state>/product likewise (NULL: the
                                  kept one, else 0) */
};

/* Run until SIGINT/SIGTERM (0), the end of stdin (0), a simulated power
 * cut (75, the flash file left as the cut made it), or a setup failure
 * (1, message on stderr). */
int modem_run(const struct modem_run_options *o);

#endif
