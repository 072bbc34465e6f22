/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_diff.c: `cfota diff OLD NEW -o PKG`, make a package.
 *
 * The command is a thin shell around cfota_encode() (encoder/encoder.h): it
 * turns options into struct cfota_encode_opts, checks what the encoder
 * would refuse anyway so that the user gets a message naming the option
 * instead of "invalid argument", shows progress on a terminal, and writes
 * the package atomically. With --full the package carries the whole image
 * and applies to any base, so OLD may be left out. With --sign KEY the
 * package is signed before it is written (util/sign.h), as `cfota sign`
 * would do afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "encoder.h"
#include "progress.h"
#include "report.h"
#include "sign.h"

#include "cfota/package.h"
#include "cfota/status.h"

#define IMAGE_MAX 0x01000000u /* 16 MiB: the package format's limit */

struct diff_args {
    const char *old_path, *new_path, *out_path;
    const char *from_version, *to_version;
    const char *segment_text, *scratch_text, *stash_text;
    const char *product_text, *counter_text, *key_path, *arch_text;
    int full, in_place, best, quiet;
    struct cfota_encode_opts opts;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota diff OLD NEW -o PKG [options]\n"
            "       cfota diff --full [OLD] NEW -o PKG [options]\n"
            "\n"
            "Make a package that turns the image OLD into the image NEW.\n"
            "\n"
            "options:\n"
            "  -o, --output PKG       where to write the package (required)\n"
            "  --from-version V       version string of OLD, up to 32 characters\n"
            "  --to-version V         version string of NEW, up to 32 characters\n"
            "  --segment-size N       target bytes per segment, 4K..64K in 4K steps\n"
            "                         (default 64K; with --in-place at most the\n"
            "                         scratch size, so 16K); smaller segments lose less\n"
            "                         work on a power cut but code a little worse\n"
            "  --full                 full-image package: NEW whole, no base needed\n"
            "  --in-place             package for in-place apply (OLD overwritten)\n"
            "  --best                 about 0.5%% smaller, about twice the time\n"
            "  --arch A               predict the branch, call and pointer operands of\n"
            "                         architecture A: auto (default: detected from the\n"
            "                         images), none, thumb2, aarch64, xtensa\n"
            "  --product ID           the product the package is for (a 32-bit\n"
            "                         number, 0x for hex; default 0): devices of\n"
            "                         another product refuse it\n"
            "  --counter N            security counter (default 0): devices running\n"
            "                         a higher one refuse the package (anti-rollback)\n"
            "  --sign KEY             sign with the private key KEY (cfota keygen)\n"
            "  --scratch-size N       scratch bytes of the device for --in-place,\n"
            "                         a multiple of 4K (default 64K, the module's;\n"
            "                         a small MCU: 16K); bounds the segment size\n"
            "  --stash-size N         spare flash of the device for --in-place to\n"
            "                         save base ranges in before they are\n"
            "                         overwritten, a multiple of 4K, 0 for none\n"
            "                         (default 256K, the module's; a small MCU: 32K);\n"
            "                         the package needs at most this much\n"
            "  -q, --quiet            no progress bar, no summary line\n"
            "  -h, --help             show this help\n"
            "\n"
            "Sizes are bytes, or with a suffix K/KiB or M/MiB (powers of 1024).\n");
}

/* A version string as the package header stores it: printable ASCII. */
static int version_ok(const char *v)
{
    size_t i, n = strlen(v);
    if (n > CFOTA_VERSION_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
            return 0;
    return 1;
}

/* Check the options and fill a->opts; returns 0 or EXIT_USAGE (reported). */
static int check_options(struct diff_args *a)
{
    uint32_t size;
    if (!a->out_path)
        return args_usage_error("diff", usage, "no output: give -o PKG");
    if (a->from_version && !version_ok(a->from_version))
        return args_usage_error("diff", usage,
                                "--from-version: at most %u printable ASCII characters",
                                CFOTA_VERSION_MAX);
    if (a->to_version && !version_ok(a->to_version))
        return args_usage_error("diff", usage,
                                "--to-version: at most %u printable ASCII characters",
                                CFOTA_VERSION_MAX);
    if (a->segment_text) {
        if (args_size(a->segment_text, &size) != 0 || size == 0 || size % 4096u ||
            size > 65536u)
            return args_usage_error("diff", usage,
                                    "--segment-size '%s': must be 4K to 64K, a multiple of 4K",
                                    a->segment_text);
        a->opts.segment_size = size;
    }
    if (a->scratch_text) {
        if (!a->in_place)
            return args_usage_error("diff", usage, "--scratch-size needs --in-place");
        if (args_size(a->scratch_text, &size) != 0 || size == 0 || size % 4096u ||
            size / 4096u > 0xFFFFu)
            return args_usage_error("diff", usage,
                                    "--scratch-size '%s': must be a non-zero multiple of 4K",
                                    a->scratch_text);
        a->opts.scratch_size = size;
    }
    if (a->product_text && args_u32(a->product_text, &a->opts.product_id) != 0)
        return args_usage_error("diff", usage, "--product '%s': a number up to 2^32 - 1", a->product_text);
    if (a->counter_text && args_u32(a->counter_text, &a->opts.security_counter) != 0)
        return args_usage_error("diff", usage, "--counter '%s': a number up to 2^32 - 1", a->counter_text);
    if (a->stash_text) {
        if (!a->in_place)
            return args_usage_error("diff", usage, "--stash-size needs --in-place");
        if (args_size(a->stash_text, &size) != 0 || size % 4096u)
            return args_usage_error("diff", usage, "--stash-size '%s': must be a multiple of 4K",
                                    a->stash_text);
        a->opts.stash_size = size ? size : CFOTA_STASH_NONE;
    }
    if (a->arch_text) {
        int arch = cfota_encode_arch_parse(a->arch_text);
        if (arch == -2)
            return args_usage_error("diff", usage, "--arch '%s': one of auto, none, thumb2, aarch64, xtensa",
                                    a->arch_text);
        if (!cfota_encode_arch_supported(arch))
            return args_usage_error("diff", usage, "--arch %s: not supported yet", a->arch_text);
        a->opts.arch = arch;
    }
    a->opts.base_version = a->from_version;
    a->opts.target_version = a->to_version;
    a->opts.no_base = a->full;
    a->opts.in_place = a->in_place;
    a->opts.best = a->best;
    return 0;
}

/* Operands: OLD NEW, or with --full possibly NEW alone. */
static int take_operands(struct diff_args *a, const char **ops, int n)
{
    if (n == 2) {
        a->old_path = ops[0];
        a->new_path = ops[1];
        return 0;
    }
    if (n == 1 && a->full) {
        a->new_path = ops[0];
        return 0;
    }
    return args_usage_error("diff", usage, n < 2 ? "missing image: give OLD and NEW"
                                                 : "too many arguments");
}

static int load_image(const char *path, struct bytes *b)
{
    if (report_load("diff", path, b) != 0)
        return 1;
    if (b->n > IMAGE_MAX)
        return report_fail("diff", "%s: %zu bytes, over the 16 MiB a package can describe",
                           path, b->n);
    return 0;
}

/* "cfota: PKG: 12,345 bytes (3.9% of NEW)" */
static void print_summary(const struct diff_args *a, size_t pkg_len, size_t new_len)
{
    char count[REPORT_COUNT_MAX];
    double pct;
    report_count(pkg_len, count);
    if (new_len == 0) {
        fprintf(stderr, "cfota: %s: %s bytes (%s is empty)\n", a->out_path, count, a->new_path);
        return;
    }
    /* One decimal is enough above 1%; below, show two so that a tiny
     * package does not read "0.0%". */
    pct = 100.0 * (double)pkg_len / (double)new_len;
    fprintf(stderr, "cfota: %s: %s bytes (%.*f%% of %s)\n", a->out_path, count,
            pct < 1.0 ? 2 : 1, pct, a->new_path);
}

static int encode_and_save(struct diff_args *a, const struct bytes *old, const struct bytes *new_)
{
    struct bytes pkg = {0};
    struct progress_bar bar;
    int rc;
    progress_begin(&bar, "diff", new_->n, !a->quiet && new_->n > PROGRESS_MIN_BYTES);
    a->opts.progress = progress_update;
    a->opts.progress_ctx = &bar;
    rc = cfota_encode(old->p, old->n, new_->p, new_->n, &a->opts, &pkg);
    progress_end(&bar);
    if (rc != 0) {
        bytes_free(&pkg);
        return report_fail("diff", "cannot make the package: %s", cfota_status_name(rc));
    }
    if (a->key_path) {
        char why[256];
        if (host_package_sign(&pkg, a->key_path, why, sizeof why) != CFOTA_OK) {
            bytes_free(&pkg);
            return report_fail("diff", "cannot sign the package: %s", why);
        }
    }
    rc = report_save("diff", a->out_path, pkg.p, pkg.n);
    if (rc == 0 && !a->quiet)
        print_summary(a, pkg.n, new_->n);
    bytes_free(&pkg);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    struct diff_args a = {0};
    struct bytes old = {0}, new_ = {0};
    const char *ops[3];
    int n_ops, rc;
    const struct cli_option opts[] = {
        {"output", 'o', &a.out_path, NULL},
        {"from-version", 0, &a.from_version, NULL},
        {"to-version", 0, &a.to_version, NULL},
        {"segment-size", 0, &a.segment_text, NULL},
        {"scratch-size", 0, &a.scratch_text, NULL},
        {"product", 0, &a.product_text, NULL},
        {"counter", 0, &a.counter_text, NULL},
        {"sign", 0, &a.key_path, NULL},
        {"stash-size", 0, &a.stash_text, NULL},
        {"arch", 0, &a.arch_text, NULL},
        {"full", 0, NULL, &a.full},
        {"in-place", 0, NULL, &a.in_place},
        {"best", 0, NULL, &a.best},
        {"quiet", 'q', NULL, &a.quiet},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 3, &n_ops, usage)) >= 0)
        return rc;
    if ((rc = take_operands(&a, ops, n_ops)) != 0 || (rc = check_options(&a)) != 0)
        return rc;
    /* With --full the base is not part of the package: it is not read. */
    rc = (a.full ? 0 : load_image(a.old_path, &old));
    if (rc == 0)
        rc = load_image(a.new_path, &new_);
    if (rc == 0)
        rc = encode_and_save(&a, &old, &new_);
    bytes_free(&old);
    bytes_free(&new_);
    return rc;
}
