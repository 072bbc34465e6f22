/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/credentials.c: server secret, admin token, device tokens.
 *
 * Device tokens are derived, not stored: the server checks a device with
 * one HMAC and provisioning needs no database write. The price is that
 * changing DATA/secret revokes every device at once, which is also the
 * way to revoke them all (docs/server.md).
 */
#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "hash.h"

static int random_bytes(uint8_t *out, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(out, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        out += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Create path holding text, readable by the owner only, atomically. */
static int write_private(const char *path, const char *text)
{
    char tmp[4200];
    int fd, ok;
    size_t n = strlen(text);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Read a small text file into out (cap bytes), dropping a final newline.
 * Returns its length, -1 if it does not exist, -2 on other errors. */
static int read_small(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f)
        return errno == ENOENT ? -1 : -2;
    n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = 0;
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = 0;
    return (int)n;
}

int credentials_secret(const char *dir, uint8_t secret[32], char *err, size_t errlen)
{
    char path[4096], text[80];
    int n;
    snprintf(path, sizeof path, "%s/secret", dir);
    n = read_small(path, text, sizeof text);
    if (n == -1) {
        if (random_bytes(secret, 32) != 0) {
            snprintf(err, errlen, "no random numbers: %s", strerror(errno));
            return -1;
        }
        host_hex(secret, 32, text);
        if (write_private(path, text) != 0) {
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (n != 64 || host_unhex(text, secret, 32) != 0) {
        snprintf(err, errlen, "%s: not 64 hex digits", path);
        return -1;
    }
    return 0;
}

static int printable_token(const char *t)
{
    size_t n = strlen(t), i;
    if (n < 16 || n > ADMIN_TOKEN_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if (t[i] <= ' ' || t[i] > '~')
            return 0;
    return 1;
}

int credentials_admin_token(const char *dir, const char *given, char out[ADMIN_TOKEN_MAX + 1],
                            char *err, size_t errlen)
{
    char path[4096];
    int n;
    if (given) {
        if (!printable_token(given)) {
            snprintf(err, errlen, "the admin token must be 16 to %d printable characters",
                     ADMIN_TOKEN_MAX);
            return -1;
        }
        snprintf(out, ADMIN_TOKEN_MAX + 1, "%s", given);
        return 0;
    }
    snprintf(path, sizeof path, "%s/admin-token", dir);
    n = read_small(path, out, ADMIN_TOKEN_MAX + 1);
    if (n == -1) {
        uint8_t raw[32];
        if (random_bytes(raw, sizeof raw) != 0) {
            snprintf(err, errlen, "no random numbers: %s", strerror(errno));
            return -1;
        }
        host_hex(raw, sizeof raw, out);
        if (write_private(path, out) != 0) {
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (n < 0 || !printable_token(out)) {
        snprintf(err, errlen, "%s: not 16 to %d printable characters", path, ADMIN_TOKEN_MAX);
        return -1;
    }
    return 0;
}

void credentials_device_token(const uint8_t secret[32], const char *imei, int gen,
                              char out[33])
{
    char msg[80];
    uint8_t mac[32];
    int n = gen > 0 ? snprintf(msg, sizeof msg, "cfota-device-v1:%.32s:%d", imei, gen)
                    : snprintf(msg, sizeof msg, "cfota-device-v1:%.32s", imei);
    mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), secret, 32,
                    (const uint8_t *)msg, (size_t)n, mac);
    host_hex(mac, 16, out);
}

int credentials_new_token(char out[65])
{
    uint8_t raw[32];
    if (random_bytes(raw, sizeof raw) != 0)
        return -1;
    host_hex(raw, sizeof raw, out);
    return 0;
}

int credentials_equal(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), i;
    unsigned diff = (unsigned)(na ^ nb);
    /* Walk the expected length whatever the other is, so timing tells
     * nothing about how much of the token was right. */
    for (i = 0; i < na; i++)
        diff |= (unsigned)(uint8_t)a[i] ^ (unsigned)(uint8_t)(i < nb ? b[i] : 0);
    return diff == 0;
}
