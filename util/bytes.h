/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/bytes.h: a growable byte buffer for host tools (encoder, CLI).
 * Allocation failure aborts: host tools have no sensible way to go on.
 */
#ifndef CFOTA_UTIL_BYTES_H
#define CFOTA_UTIL_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct bytes {
    uint8_t *p;
    size_t n, cap;
};

void bytes_put(struct bytes *b, const void *data, size_t n);
void bytes_byte(struct bytes *b, uint8_t v);
void bytes_free(struct bytes *b);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);

/* Read a whole file; returns 0 or -1 (errno set). */
int bytes_read_file(struct bytes *b, const char *path);
/* Write a whole file atomically: a new temporary file in the same folder,
 * fsync, rename over path, fsync of the folder. Through a symlink the
 * link's target is written; an existing file keeps its permissions. An
 * existing non-regular file (directory, device, FIFO) is never replaced:
 * -1 with errno EEXIST. Returns 0, or -1 with errno set, and then path is
 * as it was and no temporary is left. */
int bytes_write_file(const char *path, const void *data, size_t n);
/* Create a new file at path holding data, with permissions mode (e.g.
 * 0600 for a private key), atomically (whole or not at all) and only if
 * nothing has that name: -1 with errno EEXIST then. 0 or -1. */
int bytes_create_file(const char *path, const void *data, size_t n, unsigned mode);

#endif
