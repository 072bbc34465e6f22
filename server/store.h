/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/store.h: the server's database (SQLite, WAL mode) and its records.
 *
 * One connection, guarded by a mutex: every use is a transaction between
 * store_begin and store_commit/store_rollback, which hold the mutex, so a
 * sequence of reads and writes (a check: read the device, choose a
 * release, record the offer) is atomic and no SQLite busy-waiting ever
 * happens. All statements are prepared once, at open. Transactions are
 * short (no file I/O, no encoding inside), which is what lets one
 * connection serve every HTTP thread and the builder.
 *
 * Durability: a transaction begun with durable=1 (admin changes, finished
 * builds) is committed with synchronous=FULL and survives power loss once
 * store_commit returned; others (device events) with synchronous=NORMAL,
 * which survives the death of the process (docs/server-api.md §6).
 *
 * Record strings are NUL-terminated and sized for the alphabets of
 * params.h. Functions that read return STORE_OK, STORE_NOT_FOUND or
 * STORE_ERROR; those that write STORE_OK or STORE_ERROR. After
 * STORE_ERROR the caller must roll back.
 */
#ifndef CFOTA_SERVER_STORE_H
#define CFOTA_SERVER_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_rc { STORE_OK = 0, STORE_NOT_FOUND = 1, STORE_ERROR = -1 };

struct store;

struct image {
    char version[33];
    char sha[65];
    int64_t size;
    int64_t created;
};

/* One (base, target) pair handled by the builder. from is "" for the
 * full-image package of target. kind "full" on a pair with a base: the
 * delta was not smaller, so the full package (sha) is served. */
struct package {
    char from[33];
    char to[33];
    char state[8]; /* "ready" or "failed" */
    char kind[8];  /* "delta" or "full" */
    char sha[65];  /* package id; empty if failed */
    char md5[33];
    int64_t size;
    char error[128];
    int64_t created;
};

struct release {
    int64_t id;
    char target[33];
    char group[33]; /* "" for every device */
    int share;      /* percent */
    int max_fail;   /* percent */
    int min_reports;
    char state[8];  /* "active" or "paused" */
    char reason[128];
    int64_t created;
};

/* Devices of one release by state, and what auto-pause looks at. */
struct release_counts {
    int64_t checked, downloading, succeeded, failed;
    int64_t ever_failed; /* devices that reported a failure at least once */
    int64_t reported;    /* devices that reported at all */
};

struct device {
    char imei[16];
    char group[33];
    char version[33]; /* "" until its first check */
    int64_t release_id; /* release of the last offer, 0 if none */
    int64_t last_seen;
    char last_report[160];
    int64_t report_time;
};

/* A device's progress in one release. */
struct assignment {
    int64_t release_id;
    char imei[16];
    char from[33];
    char package[65];
    char state[12]; /* checked, downloading, succeeded, failed */
    char reason[96];
    int failures;
    int64_t updated;
};

/* Open (creating) DATA/cfota.db. Returns STORE_OK, or STORE_ERROR with a
 * sentence in err. */
int store_open(struct store **out, const char *dir, char *err, size_t errlen);
void store_close(struct store *st);

void store_begin(struct store *st, int durable);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* SQLite's last error message, for logs (valid inside a transaction). */
const char *store_error(struct store *st);

int store_image_get(struct store *st, const char *version, struct image *out);
int store_image_add(struct store *st, const struct image *im);
int store_images_each(struct store *st, void (*fn)(void *ctx, const struct image *), void *ctx);

int store_package_get(struct store *st, const char *from, const char *to, struct package *out);
int store_package_put(struct store *st, const struct package *p);
/* A ready package whose id is sha. */
int store_package_by_id(struct store *st, const char *sha, struct package *out);
int store_packages_each(struct store *st, void (*fn)(void *ctx, const struct package *),
                        void *ctx);
/* 1 if an image or a package has this SHA-256, 0 if not, -1 on error. */
int store_object_known(struct store *st, const char *sha);

/* The next pair the builder should make: a release target without its full
 * package (from ""), else an (image, release target) pair without a row,
 * whose full package exists. STORE_NOT_FOUND when nothing is missing. */
int store_next_build(struct store *st, char from[33], char to[33]);

/* Insert r (r->id is set). */
int store_release_add(struct store *st, struct release *r);
int store_release_get(struct store *st, int64_t id, struct release *out);
/* Write r's state, reason and share. */
int store_release_update(struct store *st, const struct release *r);
/* Releases newest first; fn returns nonzero to stop. */
int store_releases_each(struct store *st, int (*fn)(void *ctx, const struct release *),
                        void *ctx);
int store_release_counts(struct store *st, int64_t id, struct release_counts *out);

int store_device_get(struct store *st, const char *imei, struct device *out);
int store_device_put(struct store *st, const struct device *d);
/* Devices in IMEI order, of one group if group is not NULL. */
int store_devices_each(struct store *st, const char *group,
                       void (*fn)(void *ctx, const struct device *), void *ctx);

int store_assign_get(struct store *st, int64_t release_id, const char *imei,
                     struct assignment *out);
int store_assign_put(struct store *st, const struct assignment *a);

#endif
