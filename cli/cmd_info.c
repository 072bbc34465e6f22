/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_info.c: `cfota info PKG [--json]`, describe a package.
 *
 * Prints every field of the header (include/cfota/package.h) and whether
 * the payload is intact: its CRC-32 against the header's, and the file's
 * size against header + payload + signature. It is the tool to answer
 * "which base does this package need and what will it produce?" before a
 * package goes to a server, and --json makes the same facts available to
 * scripts under stable key names (docs/cli.md).
 *
 * The exit status says whether the package is whole: 0 if the header is
 * valid, the payload CRC matches and the size is right; 1 otherwise, after
 * printing what could be read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "hash.h"
#include "pkg_check.h"
#include "report.h"

#include "cfota/crc32.h"
#include "cfota/package.h"
#include "cfota/signature.h"
#include "cfota/status.h"

/* What info learned about the file besides its header. */
struct pkg_facts {
    const char *path;
    size_t file_size;
    uint64_t expected_size;    /* header + payload + signature */
    int payload_present;       /* the file holds the whole payload */
    uint32_t payload_crc;      /* computed, if payload_present */
    int crc_ok;
    int size_ok;
    int signed_by;             /* key_id holds the signature block's id */
    char key_id[2 * CFOTA_KEY_ID_SIZE + 1];
    struct cfota_header h;
};

static const struct {
    uint8_t bit;
    const char *name;
} flag_names[] = {
    {CFOTA_FLAG_IN_PLACE, "in-place"},
    {CFOTA_FLAG_NO_BASE, "no-base"},
    {CFOTA_FLAG_ORDERED, "ordered"},
    {CFOTA_FLAG_SIGNED, "signed"},
    {CFOTA_FLAG_STASH, "stash"},
    {CFOTA_FLAG_CARRY, "carry"},
};
#define N_FLAGS (sizeof flag_names / sizeof flag_names[0])

static void usage(FILE *f)
{
    fprintf(f,
            "usage: cfota info PKG [--json]\n"
            "\n"
            "Describe the package PKG: format, flags, base and target images\n"
            "(size, SHA-256, version), product, security counter, payload size and\n"
            "CRC-32, segments, scratch size, the signer's key id, and whether the\n"
            "payload is intact (`cfota verify` checks the signature itself).\n"
            "Exit status 0 if the package is whole, 1 if it is damaged or not a\n"
            "package.\n"
            "\n"
            "options:\n"
            "  --json      print one JSON object (keys listed in docs/cli.md)\n"
            "  -h, --help  show this help\n");
}

/* ---- JSON ---- */

static void print_json(const struct pkg_facts *x)
{
    const struct cfota_header *h = &x->h;
    char base_hex[65], target_hex[65];
    size_t i;
    int first = 1;
    host_hex(h->base_sha256, 32, base_hex);
    host_hex(h->target_sha256, 32, target_hex);
    printf("{\"file\": ");
    report_json_string(stdout, x->path);
    printf(", \"file_size\": %zu", x->file_size);
    printf(", \"format_version\": %u", h->format_version);
    printf(", \"flags\": %u, \"flag_names\": [", h->flags);
    for (i = 0; i < N_FLAGS; i++)
        if (h->flags & flag_names[i].bit) {
            printf("%s\"%s\"", first ? "" : ", ", flag_names[i].name);
            first = 0;
        }
    printf("], \"header_size\": %u", h->header_size);
    printf(", \"base_size\": %lu, \"base_sha256\": \"%s\", \"base_version\": ",
           (unsigned long)h->base_size, base_hex);
    report_json_string(stdout, h->base_version);
    printf(", \"target_size\": %lu, \"target_sha256\": \"%s\", \"target_version\": ",
           (unsigned long)h->target_size, target_hex);
    report_json_string(stdout, h->target_version);
    printf(", \"payload_size\": %lu, \"payload_crc32\": \"%08lx\"",
           (unsigned long)h->payload_size, (unsigned long)h->payload_crc32);
    printf(", \"payload_crc32_ok\": %s", x->crc_ok ? "true" : "false");
    printf(", \"segment_size\": %lu, \"segment_count\": %lu", (unsigned long)h->segment_size,
           (unsigned long)cfota_header_segments(h));
    printf(", \"scratch_size\": %lu, \"signature_size\": %lu", (unsigned long)h->scratch_size,
           (unsigned long)h->sig_size);
    printf(", \"product_id\": %lu, \"security_counter\": %lu", (unsigned long)h->product_id,
           (unsigned long)h->security_counter);
    printf(", \"key_id\": ");
    if (x->signed_by)
        printf("\"%s\"", x->key_id);
    else
        printf("null");
    printf(", \"size_ok\": %s}\n", x->size_ok ? "true" : "false");
}

/* ---- human-readable ---- */

static void print_bytes_line(const char *key, uint64_t v)
{
    char count[REPORT_COUNT_MAX];
    printf("%-16s %s bytes\n", key, report_count(v, count));
}

static void print_image(const char *which, uint32_t size, const uint8_t sha[32],
                        const char *version)
{
    char key[32], hex[65];
    host_hex(sha, 32, hex);
    snprintf(key, sizeof key, "%s size:", which);
    print_bytes_line(key, size);
    snprintf(key, sizeof key, "%s sha256:", which);
    printf("%-16s %s\n", key, hex);
    snprintf(key, sizeof key, "%s version:", which);
    printf("%-16s %s\n", key, version[0] ? version : "(none)");
}

static void print_flags(uint8_t flags)
{
    size_t i;
    printf("%-16s 0x%02x", "flags:", flags);
    if (!flags)
        printf(" (none)");
    for (i = 0; i < N_FLAGS; i++)
        if (flags & flag_names[i].bit)
            printf(" %s", flag_names[i].name);
    printf("\n");
}

static void print_crc(const struct pkg_facts *x)
{
    printf("%-16s %08lx", "payload crc32:", (unsigned long)x->h.payload_crc32);
    if (!x->payload_present)
        printf(" (not checked: the payload is cut short)\n");
    else if (x->crc_ok)
        printf(" (matches)\n");
    else
        printf(" (MISMATCH: the payload's is %08lx)\n", (unsigned long)x->payload_crc);
}

static void print_human(const struct pkg_facts *x)
{
    const struct cfota_header *h = &x->h;
    char count[REPORT_COUNT_MAX];
    printf("%-16s %s (%s bytes)\n", "package:", x->path, report_count(x->file_size, count));
    printf("%-16s %u\n", "format version:", h->format_version);
    print_flags(h->flags);
    print_bytes_line("header size:", h->header_size);
    if (h->flags & CFOTA_FLAG_NO_BASE)
        printf("%-16s none (full-image package)\n", "base:");
    else
        print_image("base", h->base_size, h->base_sha256, h->base_version);
    print_image("target", h->target_size, h->target_sha256, h->target_version);
    print_bytes_line("payload size:", h->payload_size);
    print_crc(x);
    print_bytes_line("segment size:", h->segment_size);
    printf("%-16s %lu\n", "segments:", (unsigned long)cfota_header_segments(h));
    print_bytes_line("scratch size:", h->scratch_size);
    printf("%-16s 0x%08lx\n", "product:", (unsigned long)h->product_id);
    printf("%-16s %lu\n", "counter:", (unsigned long)h->security_counter);
    print_bytes_line("signature size:", h->sig_size);
    if (h->flags & CFOTA_FLAG_SIGNED)
        printf("%-16s %s\n", "key id:", x->signed_by ? x->key_id : "(signature block missing or unknown)");
}

/* ---- checks ---- */

static void check_payload(struct pkg_facts *x, const struct bytes *pkg)
{
    const struct cfota_header *h = &x->h;
    x->expected_size = (uint64_t)h->header_size + h->payload_size + h->sig_size;
    x->size_ok = x->file_size == x->expected_size;
    x->payload_present = (uint64_t)h->header_size + h->payload_size <= x->file_size;
    if (x->payload_present) {
        x->payload_crc = cfota_crc32(0, pkg->p + h->header_size, h->payload_size);
        x->crc_ok = x->payload_crc == h->payload_crc32;
    }
    if ((h->flags & CFOTA_FLAG_SIGNED) && x->size_ok) {
        struct cfota_sig_block b;
        if (cfota_sig_block_parse(&b, pkg->p + h->header_size + h->payload_size) == CFOTA_OK) {
            host_hex(b.key_id, CFOTA_KEY_ID_SIZE, x->key_id);
            x->signed_by = 1;
        }
    }
}

int cmd_info(int argc, char **argv)
{
    const char *ops[2];
    int n_ops, json = 0, rc;
    struct bytes pkg = {0};
    struct pkg_facts x;
    const struct cli_option opts[] = {
        {"json", 0, NULL, &json},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 2, &n_ops, usage)) >= 0)
        return rc;
    report_json_failures(json);
    if (n_ops != 1)
        return args_usage_error("info", usage, n_ops ? "one package at a time"
                                                     : "missing package: give PKG");
    memset(&x, 0, sizeof x);
    x.path = ops[0];
    rc = report_load("info", x.path, &pkg);
    if (rc == 0) {
        x.file_size = pkg.n;
        rc = pkg_check("info", x.path, &pkg, PKG_NEED_HEADER, &x.h);
    }
    if (rc == 0) {
        check_payload(&x, &pkg);
        report_json_failures(0); /* the object below says what is wrong */
        if (json)
            print_json(&x);
        else
            print_human(&x);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = report_fail("info", "standard output: %s", strerror(errno));
        else
            rc = pkg_check("info", x.path, &pkg, PKG_NEED_WHOLE, &x.h);
    }
    bytes_free(&pkg);
    return rc;
}
