/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/objects.h: image and package files, named by their SHA-256.
 *
 * DATA/objects/<64 hex> holds the bytes whose SHA-256 is the name; nothing
 * else lives there. A file is written to DATA/tmp, flushed, renamed into
 * objects/ and the directory flushed, so an object either exists whole or
 * not at all, whatever moment the process dies. The store (store.c) records
 * an object only after objects_put returned, so a database row never names
 * a missing file; a file without a row is an orphan, removed by objects_gc.
 */
#ifndef CFOTA_SERVER_OBJECTS_H
#define CFOTA_SERVER_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Create DATA/objects and DATA/tmp if needed and empty DATA/tmp (the
 * leftovers of writes cut short). Returns 0, or -1 with a sentence in err. */
int objects_init(const char *dir, char *err, size_t errlen);

/* Store n bytes; writes the hex SHA-256 (their name) into sha. Storing
 * bytes that exist already is a no-op. Returns 0, or -1 (errno set). */
int objects_put(const char *dir, const void *data, size_t n, char sha[65]);

/* Path of object sha into path (cap bytes). */
void objects_path(const char *dir, const char *sha, char *path, size_t cap);

/* Read object sha into *out (appended). Returns 0, or -1 (errno set). */
int objects_read(const char *dir, const char *sha, struct bytes *out);

/* Remove every object for which keep(ctx, sha) returns 0. Returns the
 * number removed. */
int objects_gc(const char *dir, int (*keep)(void *ctx, const char *sha), void *ctx);

#endif
