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
 * Everything but tokens belongs to a product (a hardware type): an image
 * or a package is named by (product, version...), a release offers one
 * product's version, a device is of one product ("" until enrolled with
 * one). Nothing ever joins rows of two products.
 *
 * Durability: a transaction begun with durable=1 (admin changes, finished
 * builds) is committed with synchronous=FULL and survives power loss once
 * store_commit returned; others (device events) with synchronous=NORMAL,
 * which survives the death of the process (docs/server-api.md §7).
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

#define STORE_SCHEMA 2 /* PRAGMA user_version of the schema store.c makes */
#define STORE_WAVES_MAX 8

enum store_rc { STORE_OK = 0, STORE_NOT_FOUND = 1, STORE_ERROR = -1 };

struct store;

struct image {
    char product[33];
    char version[33];
    char sha[65];
    int64_t size;
    int64_t created;
};

/* One (product, base, target) package. Built ones: from is "" for the
 * full-image package of target; kind "full" on a pair with a base means
 * the delta was not smaller, so the full package (sha) is served.
 * Uploaded ones (origin "uploaded"): opaque bytes for devices on from. */
struct package {
    char product[33];
    char from[33];
    char to[33];
    char state[8];   /* "ready" or "failed" */
    char kind[8];    /* "delta" or "full" */
    char origin[10]; /* "built" or "uploaded" */
    char sha[65];    /* package id; empty if failed */
    char md5[33];
    int64_t size;
    char error[128];
    int64_t created;
};

struct release {
    int64_t id;
    char product[33];
    char target[33];
    char group[33]; /* "" for every device of the product */
    int share;      /* percent: the current wave's */
    int max_fail;   /* percent */
    int min_reports;
    char state[8];  /* "active" or "paused" */
    char reason[128];
    int64_t created;
    char waves[40];     /* "1,10,50,100"; "" for one wave at share */
    int wave;           /* index of the current wave in waves */
    int wave_reports;   /* successes in a wave before the next */
    int64_t soak;       /* seconds a wave lasts at least */
    int64_t wave_started;
    int max_downloads;  /* devices in flight at once; 0: no cap */
};

/* Devices of one release by state, and what the rules look at. */
struct release_counts {
    int64_t checked, downloading, succeeded, failed;
    int64_t ever_failed;    /* devices that reported a failure at least once */
    int64_t reported;       /* devices that reported at all */
    int64_t wave_succeeded; /* successes of devices offered in the current wave */
};

struct device {
    char imei[16];
    char product[33]; /* "" until enrolled with one */
    char group[33];
    char version[33]; /* "" until its first check */
    int64_t release_id; /* release of the last offer, 0 if none */
    int64_t last_seen;
    char last_report[160];
    int64_t report_time;
    int token_gen; /* which token is valid (credentials.h) */
    int revoked;   /* 1: no token is valid */
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
    int wave; /* the release's wave when the device was offered */
};

/* An admin token other than the server's own: only its SHA-256 is kept. */
struct admin_token {
    char sha[65];
    char name[33];
    char role[8]; /* "read" or "admin" */
    int64_t created;
};

/* A page of a listing: at most limit rows after the cursor after ("":
 * from the start). next receives the cursor of the page that follows, ""
 * if this one is the last. */
struct page {
    const char *after;
    int limit;
    char next[64];
};

/* Filters of a device listing; NULL or "" fields do not filter. */
struct device_filter {
    const char *product, *group, *imei_prefix;
};

/* Open (creating) DATA/cfota.db, migrating a schema 1 database (before
 * products: its rows go to product "default"). Returns STORE_OK, or
 * STORE_ERROR with a sentence in err (a newer schema is refused). */
int store_open(struct store **out, const char *dir, char *err, size_t errlen);
void store_close(struct store *st);

void store_begin(struct store *st, int durable);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* SQLite's last error message, for logs (valid inside a transaction). */
const char *store_error(struct store *st);
/* STORE_OK if the database answers a query (for /healthz). */
int store_ping(struct store *st);

int store_image_get(struct store *st, const char *product, const char *version,
                    struct image *out);
int store_image_add(struct store *st, const struct image *im);
int store_image_delete(struct store *st, const char *product, const char *version);
/* Images of product (NULL: all) by upload order, one page. */
int store_images_page(struct store *st, const char *product, struct page *pg,
                      void (*fn)(void *ctx, const struct image *), void *ctx);

int store_package_get(struct store *st, const char *product, const char *from, const char *to,
                      struct package *out);
int store_package_put(struct store *st, const struct package *p);
/* A ready package of product whose id is sha. */
int store_package_by_id(struct store *st, const char *product, const char *sha,
                        struct package *out);
/* Any package row (ready) whose id is sha, of any product. */
int store_package_any(struct store *st, const char *sha, struct package *out);
/* Every row whose id is sha, of any state and product (the pairs one
 * package file serves). */
int store_packages_with_id(struct store *st, const char *sha,
                           void (*fn)(void *ctx, const struct package *), void *ctx);
/* Remove every row of product whose id is sha. */
int store_package_delete(struct store *st, const char *product, const char *sha);
/* Remove the built packages of product from or to version. */
int store_packages_delete_version(struct store *st, const char *product, const char *version);
int store_packages_page(struct store *st, const char *product, struct page *pg,
                        void (*fn)(void *ctx, const struct package *), void *ctx);
/* 1 if an image or a package has this SHA-256, 0 if not, -1 on error. */
int store_object_known(struct store *st, const char *sha);

/* The next package the builder should make: a release target with an
 * image but without its full package (from ""), else an (image, release
 * target) pair of one product without a row, whose full package exists.
 * STORE_NOT_FOUND when nothing is missing. */
int store_next_build(struct store *st, char product[33], char from[33], char to[33]);
/* How many packages store_next_build would still return (for /metrics). */
int store_build_queue(struct store *st, int64_t *out);

/* Insert r (r->id is set). */
int store_release_add(struct store *st, struct release *r);
int store_release_get(struct store *st, int64_t id, struct release *out);
/* Write r's state, reason, share, wave and wave_started. */
int store_release_update(struct store *st, const struct release *r);
/* Remove release id, its assignments, and the devices' link to it. */
int store_release_delete(struct store *st, int64_t id);
/* Releases of product in the order of precedence (docs/server-api.md
 * §3.1): group releases before global ones, newest first within each. fn
 * returns nonzero to stop. */
int store_releases_of(struct store *st, const char *product,
                      int (*fn)(void *ctx, const struct release *), void *ctx);
/* Every active release with more than one wave (for the wave clock). */
int store_releases_waving(struct store *st, int (*fn)(void *ctx, const struct release *),
                          void *ctx);
/* Releases of product (NULL: all), newest first, one page. */
int store_releases_page(struct store *st, const char *product, struct page *pg,
                        int (*fn)(void *ctx, const struct release *), void *ctx);
int store_release_counts(struct store *st, const struct release *r, struct release_counts *out);
/* Devices of release id checked or downloading, their last event at or
 * after since (the downloads in flight that its cap counts). */
int store_release_in_flight(struct store *st, int64_t id, int64_t since, int64_t *out);

int store_device_get(struct store *st, const char *imei, struct device *out);
int store_device_put(struct store *st, const struct device *d);
/* Devices in IMEI order, one page. */
int store_devices_page(struct store *st, const struct device_filter *f, struct page *pg,
                       void (*fn)(void *ctx, const struct device *), void *ctx);

int store_assign_get(struct store *st, int64_t release_id, const char *imei,
                     struct assignment *out);
int store_assign_put(struct store *st, const struct assignment *a);
/* The assignments of release id in IMEI order, one page; state (NULL or
 * "": all) filters. fn also gets the device's last report ("" if none). */
int store_assigns_page(struct store *st, int64_t release_id, const char *state, struct page *pg,
                       void (*fn)(void *ctx, const struct assignment *, const char *last_report),
                       void *ctx);

int store_token_get(struct store *st, const char *sha, struct admin_token *out);
int store_token_add(struct store *st, const struct admin_token *t);
int store_token_delete(struct store *st, const char *name);
int store_tokens_each(struct store *st, void (*fn)(void *ctx, const struct admin_token *),
                      void *ctx);

/* Products: every name some image, package, release or device carries. */
int store_products_each(struct store *st, void (*fn)(void *ctx, const char *product), void *ctx);

#endif
