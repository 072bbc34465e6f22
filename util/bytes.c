/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/bytes.c: growable buffers and whole-file I/O for host tools.
 */
#define _XOPEN_SOURCE 700 /* realpath, mkstemp, fchmod */
#include "bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
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

/* Where the bytes should go: path itself, or what a symlink at path
 * points to (writing through a link updates its target, as the user
 * meant; replacing the link by a file would not). Returns a malloc'd
 * path, or NULL with errno set; *mode is the existing file's permissions,
 * or -1 if there is none. An existing directory, device or other
 * non-regular file is refused with EEXIST: it is never replaced. */
static char *destination(const char *path, int *mode)
{
    struct stat st;
    char *real;
    *mode = -1;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT)
            return NULL;
        /* Nothing there (or a dangling link, written as a new file). */
        real = xmalloc(strlen(path) + 1);
        memcpy(real, path, strlen(path) + 1);
        return real;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = EEXIST;
        return NULL;
    }
    *mode = (int)(st.st_mode & 07777);
    return realpath(path, NULL);
}

/* Make the rename durable: fsync the folder that holds the name. */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd;
    if (!slash) {
        dir = xmalloc(2);
        memcpy(dir, ".", 2);
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        dir = xmalloc(n + 1);
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Write data into a fresh temporary file next to dest (so that a rename
 * or link to dest is atomic) with the given permissions, flushed to disk.
 * mkstemp creates it exclusively, so it is never an existing file.
 * Returns its malloc'd name, or NULL with errno set and nothing left. */
static char *write_temporary(const char *dest, const void *data, size_t n, mode_t mode)
{
    size_t len = strlen(dest);
    char *tmp = xmalloc(len + 16);
    const uint8_t *p = data;
    int fd, ok, e;
    snprintf(tmp, len + 16, "%s.tmpXXXXXX", dest);
    fd = mkstemp(tmp);
    if (fd < 0) {
        e = errno;
        free(tmp);
        errno = e;
        return NULL;
    }
    ok = fchmod(fd, mode) == 0;
    while (ok && n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok) {
            p += w;
            n -= (size_t)w;
        }
    }
    ok = ok && (fsync(fd) == 0 || errno == EINVAL);
    e = errno;
    ok = (close(fd) == 0) && ok;
    if (!ok) {
        unlink(tmp);
        free(tmp);
        errno = e;
        return NULL;
    }
    return tmp;
}

static mode_t default_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int bytes_write_file(const char *path, const void *data, size_t n)
{
    int mode, e;
    char *dest = destination(path, &mode), *tmp;
    if (!dest)
        return -1;
    tmp = write_temporary(dest, data, n, mode < 0 ? default_mode() : (mode_t)mode);
    if (!tmp || rename(tmp, dest) != 0) {
        e = errno;
        if (tmp)
            unlink(tmp);
        free(tmp);
        free(dest);
        errno = e;
        return -1;
    }
    sync_folder(dest);
    free(tmp);
    free(dest);
    return 0;
}

int bytes_create_file(const char *path, const void *data, size_t n, unsigned mode)
{
    int e;
    char *tmp = write_temporary(path, data, n, (mode_t)mode);
    /* link() fails with EEXIST if anything has the name: the check and
     * the creation are one step, so nothing is ever replaced. */
    if (!tmp || link(tmp, path) != 0) {
        e = errno;
        if (tmp)
            unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    unlink(tmp);
    sync_folder(path);
    free(tmp);
    return 0;
}
