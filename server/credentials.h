/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/credentials.h: the two secrets of a server and what they prove.
 *
 * The server secret (DATA/secret, 32 random bytes made at the first start)
 * derives every device token: HMAC-SHA256(secret, "cfota-device-v1:" IMEI),
 * first 16 bytes, hex (docs/server-api.md §2). The admin token (given by
 * the operator or DATA/admin-token, made at the first start) authorizes the
 * admin API. Both files are created with mode 0600, atomically.
 */
#ifndef CFOTA_SERVER_CREDENTIALS_H
#define CFOTA_SERVER_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#define ADMIN_TOKEN_MAX 128

/* Read DATA/secret, or create it. Returns 0, or -1 with a sentence in err. */
int credentials_secret(const char *dir, uint8_t secret[32], char *err, size_t errlen);

/* The admin token: given (if not NULL; 16 to 128 printable bytes) or read
 * from DATA/admin-token, created with 64 random hex digits if missing.
 * Returns 0, or -1 with a sentence in err. */
int credentials_admin_token(const char *dir, const char *given, char out[ADMIN_TOKEN_MAX + 1],
                            char *err, size_t errlen);

/* Device token of imei (not checked here) in generation gen into out: 32
 * hex digits + NUL. Generation 0 is HMAC(secret, "cfota-device-v1:" IMEI);
 * a rotated device's generation g > 0 adds ":<g>" to the message, so a
 * rotation makes every earlier token of that device worthless while the
 * server still stores no per-device secret. */
void credentials_device_token(const uint8_t secret[32], const char *imei, int gen,
                              char out[33]);

/* A new random admin token (64 hex digits) into out. 0, or -1. */
int credentials_new_token(char out[65]);

/* 1 if a equals b, in time that does not depend on where they differ. */
int credentials_equal(const char *a, const char *b);

#endif
