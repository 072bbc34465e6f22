/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_sign.c: the release key's three commands.
 *
 *   cfota keygen -o KEY             a new ECDSA P-256 key pair: KEY, KEY.pub
 *   cfota sign PKG --key KEY        sign a package offline (in place, or -o)
 *   cfota verify PKG --key KEY.pub  check it as a device holding KEY.pub would
 *
 * The private key is needed only where packages are signed (a release
 * machine, or the server if the operator chooses so: docs/server.md); a
 * device, the module emulator (`cfota modem --trust`) and the controller
 * (`cfota push --key`) need only KEY.pub. The work is in util/sign.c; the
 * check is the device library's own (cfota_verify_release).
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "hash.h"
#include "report.h"
#include "sign.h"

#include "cfota/package.h"
#include "cfota/status.h"
#include "cfota_mbedtls.h"

static void keygen_usage(FILE *f)
{
    fprintf(f,
            "usage: cfota keygen -o KEY\n"
            "\n"
            "Make a new ECDSA P-256 release key: the private key KEY (mode 0600)\n"
            "and the public key KEY.pub, both PEM. Existing files are not\n"
            "overwritten. Print the key id that signed packages will carry.\n"
            "\n"
            "options:\n"
            "  -o, --output KEY  where to write the key (required)\n"
            "  -h, --help        show this help\n");
}

static void print_key_id(const char *path)
{
    uint8_t point[CFOTA_PUBKEY_SIZE], id[CFOTA_KEY_ID_SIZE];
    char hex[2 * CFOTA_KEY_ID_SIZE + 1], why[256];
    if (host_pubkey_load(path, point, why, sizeof why) != CFOTA_OK)
        return;
    cfota_key_id(point, id);
    host_hex(id, sizeof id, hex);
    printf("key id: %s\n", hex);
}

int cmd_keygen(int argc, char **argv)
{
    const char *out = NULL, *ops[1];
    char why[512];
    int n_ops, rc;
    const struct cli_option opts[] = {
        {"output", 'o', &out, NULL},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 1, &n_ops, keygen_usage)) >= 0)
        return rc;
    if (!out || n_ops)
        return args_usage_error("keygen", keygen_usage, out ? "too many arguments" : "give -o KEY");
    if (host_keygen(out, why, sizeof why) != CFOTA_OK)
        return report_fail("keygen", "%s", why);
    print_key_id(out);
    return 0;
}

static void sign_usage(FILE *f)
{
    fprintf(f,
            "usage: cfota sign PKG --key KEY [-o OUT]\n"
            "\n"
            "Sign the package PKG with the private key KEY: the header gets the\n"
            "signed flag and the 73-byte signature block follows the payload. A\n"
            "signature already there is replaced. PKG is rewritten unless -o.\n"
            "\n"
            "options:\n"
            "  --key KEY         the private key (cfota keygen)\n"
            "  -o, --output OUT  write the signed package to OUT instead\n"
            "  -h, --help        show this help\n");
}

int cmd_sign(int argc, char **argv)
{
    const char *key = NULL, *out = NULL, *ops[2];
    struct bytes pkg = {0};
    char why[512];
    int n_ops, rc;
    const struct cli_option opts[] = {
        {"key", 0, &key, NULL},
        {"output", 'o', &out, NULL},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 2, &n_ops, sign_usage)) >= 0)
        return rc;
    if (n_ops != 1 || !key)
        return args_usage_error("sign", sign_usage, !key ? "give --key KEY" : "give one package");
    if (report_load("sign", ops[0], &pkg) != 0)
        return 1;
    if (host_package_sign(&pkg, key, why, sizeof why) != CFOTA_OK)
        rc = report_fail("sign", "%s: %s", ops[0], why);
    else
        rc = report_save("sign", out ? out : ops[0], pkg.p, pkg.n);
    bytes_free(&pkg);
    if (rc == 0)
        print_key_id(key);
    return rc;
}

static void verify_usage(FILE *f)
{
    fprintf(f,
            "usage: cfota verify PKG --key KEY.pub [--product ID] [--counter N]\n"
            "\n"
            "Check PKG as a device holding the public key KEY.pub checks it before\n"
            "it writes anything: signed, by that key, the signature over header\n"
            "and payload valid, the payload CRC-32 right; with --product, for that\n"
            "product; with --counter, a security counter not below N.\n"
            "Exit status 0 if the device would accept it, 1 if not (the reason on\n"
            "stderr).\n"
            "\n"
            "options:\n"
            "  --key KEY.pub   the public key (a private key file works too)\n"
            "  --product ID    the device's product id\n"
            "  --counter N     the device's security counter\n"
            "  -h, --help      show this help\n");
}

int cmd_verify(int argc, char **argv)
{
    const char *key = NULL, *product = NULL, *counter = NULL, *ops[2];
    struct cfota_mbedtls_key k;
    struct cfota_verifier v;
    struct cfota_policy p;
    struct cfota_header h;
    struct bytes pkg = {0};
    char why[512];
    int n_ops, rc;
    const struct cli_option opts[] = {
        {"key", 0, &key, NULL},
        {"product", 0, &product, NULL},
        {"counter", 0, &counter, NULL},
        {NULL, 0, NULL, NULL},
    };
    if ((rc = args_run(argc, argv, opts, ops, 2, &n_ops, verify_usage)) >= 0)
        return rc;
    if (n_ops != 1 || !key)
        return args_usage_error("verify", verify_usage, !key ? "give --key KEY.pub" : "give one package");
    memset(&p, 0, sizeof p);
    if (product && args_u32(product, &p.product_id) != 0)
        return args_usage_error("verify", verify_usage, "--product '%s': a number", product);
    if (counter && args_u32(counter, &p.security_counter) != 0)
        return args_usage_error("verify", verify_usage, "--counter '%s': a number", counter);
    if (host_verifier_load(key, &k, &v, why, sizeof why) != CFOTA_OK)
        return report_fail("verify", "%s", why);
    if (report_load("verify", ops[0], &pkg) != 0)
        return 1;
    p.verifier = &v;
    /* Without --product any product will do: take the package's own. */
    if (!product && cfota_header_parse(&h, pkg.p, pkg.n) == CFOTA_OK)
        p.product_id = h.product_id;
    rc = host_package_check(pkg.p, pkg.n, &p, why, sizeof why);
    if (rc != CFOTA_OK)
        rc = report_fail("verify", "%s: refused: %s", ops[0], why);
    else
        printf("%s: signature valid (key id %02x%02x%02x%02x%02x%02x%02x%02x)\n", ops[0], v.key_id[0],
               v.key_id[1], v.key_id[2], v.key_id[3], v.key_id[4], v.key_id[5], v.key_id[6], v.key_id[7]);
    bytes_free(&pkg);
    return rc;
}
