/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_apply.c: `cfota apply OLD PKG -o NEW`, apply a package on the
 * host.
 *
 * The work is done by cfota_apply_mem() (encoder/apply.h), which runs the
 * device library's decoder with every check a device makes: header,
 * payload CRC, base size and SHA-256 before decoding, target SHA-256
 * after. NEW is written only when all of them passed, and atomically, so
 * a failed apply leaves no NEW file (or the previous one untouched).
 *
 * A full-image package (made with `cfota diff --full`) needs no base, so
 * `cfota apply PKG -o NEW` is accepted for it.
 *
 * `cfota apply --in-place IMAGE PKG` runs a device's in-place update engine
 * over a simulated flash instead (cli/apply_inplace.c).
 */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "apply_inplace.h"
#include "args.h"
#include "commands.h"
#include "pkg_check.h"
#include "report.h"

#include "cfota/package.h"
#include "cfota/status.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota apply OLD PKG -o NEW\n"
            "       cfota apply PKG -o NEW      (full-image package)\n"
            "       cfota apply --in-place IMAGE PKG [--state DIR] [--power-cut-after N]\n"
            "\n"
            "Apply the package PKG to the image OLD and write the result to NEW.\n"
            "The package is checked as a device checks it: header, payload CRC\n"
            "and base SHA-256 before decoding, target SHA-256 after. NEW is\n"
            "written only if every check passed.\n"
            "\n"
            "With --in-place, IMAGE is updated in place through the update engine\n"
            "of a device on a simulated NOR flash kept in DIR (default\n"
            "IMAGE.cfota-state); --power-cut-after N cuts power after N flash\n"
            "operations (exit status 75) and running the command again resumes.\n"
            "\n"
            "options:\n"
            "  -o, --output NEW   where to write the new image (required)\n"
            "  --in-place         update IMAGE itself, power-fail safe\n"
            "  --state DIR        in-place: where the simulated device lives\n"
            "  --power-cut-after N  in-place: cut power after N flash operations\n"
            "  -q, --quiet        in-place: no progress or summary\n"
            "  -h, --help         show this help\n");
}

static int apply_and_save(const char *out_path, const struct bytes *old, const struct bytes *pkg)
{
    struct bytes out = {0};
    char err[256] = "";
    int rc = cfota_apply_mem(old->p, old->n, pkg->p, pkg->n, &out, 0, err, sizeof err);
    if (rc != 0) {
        bytes_free(&out);
        return report_fail("apply", "%s", err[0] ? err : cfota_status_name(rc));
    }
    rc = report_save("apply", out_path, out.p, out.n);
    bytes_free(&out);
    return rc;
}

int cmd_apply(int argc, char **argv)
{
    const char *out_path = NULL, *old_path = NULL, *pkg_path, *state = NULL, *cut = NULL;
    const char *ops[3];
    int n_ops, in_place = 0, quiet = 0, rc;
    struct bytes old = {0}, pkg = {0};
    struct cfota_header h;
    const struct cli_option opts[] = {
        {"output", 'o', &out_path, NULL},
        {"in-place", 0, NULL, &in_place},
        {"state", 0, &state, NULL},
        {"power-cut-after", 0, &cut, NULL},
        {"quiet", 'q', NULL, &quiet},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 3, &n_ops, usage)) >= 0)
        return rc;
    if (in_place) {
        if (n_ops != 2 || out_path)
            return args_usage_error("apply", usage, "--in-place takes IMAGE PKG and no -o");
        return apply_in_place(ops[0], ops[1], state, cut, quiet);
    }
    if (state || cut)
        return args_usage_error("apply", usage, "--state and --power-cut-after go with --in-place");
    if (n_ops < 1 || n_ops > 2)
        return args_usage_error("apply", usage, n_ops < 1 ? "missing package: give OLD PKG"
                                                          : "too many arguments");
    if (!out_path)
        return args_usage_error("apply", usage, "no output: give -o NEW");
    if (n_ops == 2)
        old_path = ops[0];
    pkg_path = ops[n_ops - 1];

    rc = report_load("apply", pkg_path, &pkg);
    if (rc == 0 && old_path)
        rc = report_load("apply", old_path, &old);
    if (rc == 0 && (rc = pkg_check("apply", pkg_path, &pkg, PKG_NEED_HEADER, &h)) != 0 && old_path &&
        pkg_looks_like_package(&old))
        report_fail("apply", "%s is a package: the order is OLD PKG (swapped?)", old_path);
    if (rc == 0 && !old_path && !(h.flags & CFOTA_FLAG_NO_BASE))
        rc = args_usage_error("apply", usage,
                              "%s is a delta package: give its base image, OLD PKG", pkg_path);
    if (rc == 0)
        rc = apply_and_save(out_path, &old, &pkg);
    bytes_free(&old);
    bytes_free(&pkg);
    return rc;
}
