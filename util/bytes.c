/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/bytes.c: growable buffers and whole-file I/O for host tools.
 */
#define _POSIX_C_SOURCE 200809L
#include "bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "cfota: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "cfota: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

static void reserve(struct bytes *b, size_t more)
{
    if (b->n + more > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + more)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
}

void bytes_put(struct bytes *b, const void *data, size_t n)
{
    if (!n)
        return;
    reserve(b, n);
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

void bytes_byte(struct bytes *b, uint8_t v)
{
    reserve(b, 1);
    b->p[b->n++] = v;
}

void bytes_free(struct bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

int bytes_read_file(struct bytes *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t buf[65536];
    size_t n;
    if (!f)
        return -1;
    b->n = 0;
    /* Size the buffer once for regular files: the encoder's peak memory is
     * a published figure, and doubling growth would touch extra pages. */
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (size_t)st.st_size > b->cap) {
        b->p = xrealloc(b->p, (size_t)st.st_size);
        b->cap = (size_t)st.st_size;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bytes_put(b, buf, n);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        errno = e;
        return -1;
    }
    fclose(f);
    return 0;
}

int bytes_write_file(const char *path, const void *data, size_t n)
{
    size_t len = strlen(path);
    char *tmp = xmalloc(len + 16);
    FILE *f;
    int ok;
    snprintf(tmp, len + 16, "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f) {
        free(tmp);
        return -1;
    }
    ok = n == 0 || fwrite(data, 1, n, f) == n; /* fwrite(NULL, .., 0) is undefined */
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0 || errno == EINVAL) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    return 0;
}
