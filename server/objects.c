/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/objects.c: content-addressed files (see objects.h).
 *
 * Why content addressing: a package id is the hash of its bytes, so an id
 * can never start naming other bytes (it is the download's ETag, and a
 * module resuming with If-Range relies on that), two releases needing the
 * same package share one file, and a file name can never come from a
 * request: the server opens only names it computed itself.
 */
#include "objects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "params.h"

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY), rc;
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int objects_init(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    const char *sub[] = {"objects", "tmp"};
    size_t i;
    if (make_dir(dir) != 0) {
        snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
        if (make_dir(path) != 0) {
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/tmp", dir);
    d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char file[4400];
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        unlink(file);
    }
    closedir(d);
    return 0;
}

void objects_path(const char *dir, const char *sha, char *path, size_t cap)
{
    snprintf(path, cap, "%s/objects/%s", dir, sha);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int objects_put(const char *dir, const void *data, size_t n, char sha[65])
{
    uint8_t digest[32];
    char final[4200], tmp[4200], objdir[4200];
    struct stat st;
    int fd, saved;
    host_sha256(data, n, digest);
    host_hex(digest, 32, sha);
    objects_path(dir, sha, final, sizeof final);
    if (stat(final, &st) == 0 && (size_t)st.st_size == n)
        return 0;
    snprintf(tmp, sizeof tmp, "%s/tmp/XXXXXX", dir);
    fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, n) != 0 || fsync(fd) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, final) != 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    /* The rename is durable only once the directory is flushed. */
    snprintf(objdir, sizeof objdir, "%s/objects", dir);
    return sync_dir(objdir);
}

int objects_read(const char *dir, const char *sha, struct bytes *out)
{
    char path[4200];
    objects_path(dir, sha, path, sizeof path);
    return bytes_read_file(out, path);
}

int objects_gc(const char *dir, int (*keep)(void *ctx, const char *sha), void *ctx)
{
    char path[4200];
    DIR *d;
    struct dirent *e;
    int removed = 0;
    snprintf(path, sizeof path, "%s/objects", dir);
    d = opendir(path);
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char file[4500];
        if (e->d_name[0] == '.')
            continue;
        /* Anything not named like an object is not ours to judge. */
        if (!param_sha256(e->d_name) || keep(ctx, e->d_name))
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (unlink(file) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
