/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/store.c: SQLite schema and statements behind store.h.
 *
 * The schema (version 1, in PRAGMA user_version):
 *   images(version PK, sha, size, created)         uploaded firmware
 *   packages(base, target PK, state, kind, ...)    builder results
 *   releases(id PK, target, grp, share, ...)       rollouts
 *   devices(imei PK, grp, version, release_id, ...)
 *   assignments(release_id, imei PK, state, ...)   a device in a release
 * Every statement is prepared at open and reset after use; results are
 * copied into the fixed-size records of store.h, so no SQLite memory
 * escapes a transaction.
 */
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

enum stmt {
    S_IMAGE_GET, S_IMAGE_ADD, S_IMAGES,
    S_PKG_GET, S_PKG_PUT, S_PKG_BY_ID, S_PKGS, S_OBJ_KNOWN,
    S_NEXT_FULL, S_NEXT_DELTA,
    S_REL_ADD, S_REL_GET, S_REL_UPDATE, S_RELS, S_REL_COUNTS,
    S_DEV_GET, S_DEV_PUT, S_DEVS, S_DEVS_GROUP,
    S_ASSIGN_GET, S_ASSIGN_PUT,
    S_SYNC_FULL, S_SYNC_NORMAL, S_BEGIN, S_COMMIT, S_ROLLBACK,
    S_COUNT
};

static const char *const sql_text[S_COUNT] = {
    [S_IMAGE_GET] = "SELECT version, sha, size, created FROM images WHERE version=?1",
    [S_IMAGE_ADD] = "INSERT INTO images(version, sha, size, created) VALUES(?1,?2,?3,?4)",
    [S_IMAGES] = "SELECT version, sha, size, created FROM images ORDER BY created, version",
    [S_PKG_GET] = "SELECT base, target, state, kind, sha, md5, size, error, created"
                  " FROM packages WHERE base=?1 AND target=?2",
    [S_PKG_PUT] = "INSERT OR REPLACE INTO packages(base, target, state, kind, sha, md5, size,"
                  " error, created) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [S_PKG_BY_ID] = "SELECT base, target, state, kind, sha, md5, size, error, created"
                    " FROM packages WHERE sha=?1 AND state='ready' LIMIT 1",
    [S_PKGS] = "SELECT base, target, state, kind, sha, md5, size, error, created"
               " FROM packages ORDER BY target, base",
    [S_OBJ_KNOWN] = "SELECT EXISTS(SELECT 1 FROM images WHERE sha=?1)"
                    " OR EXISTS(SELECT 1 FROM packages WHERE sha=?1)",
    [S_NEXT_FULL] = "SELECT DISTINCT r.target FROM releases r WHERE NOT EXISTS"
                    " (SELECT 1 FROM packages p WHERE p.base='' AND p.target=r.target)"
                    " ORDER BY r.id LIMIT 1",
    [S_NEXT_DELTA] = "SELECT i.version, t.target FROM images i,"
                     " (SELECT DISTINCT target FROM releases) t"
                     " WHERE i.version<>t.target"
                     " AND EXISTS (SELECT 1 FROM packages f WHERE f.base='' AND f.target=t.target)"
                     " AND NOT EXISTS (SELECT 1 FROM packages p"
                     "   WHERE p.base=i.version AND p.target=t.target)"
                     " ORDER BY t.target, i.version LIMIT 1",
    [S_REL_ADD] = "INSERT INTO releases(target, grp, share, max_fail, min_reports, state,"
                  " reason, created) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [S_REL_GET] = "SELECT id, target, grp, share, max_fail, min_reports, state, reason, created"
                  " FROM releases WHERE id=?1",
    [S_REL_UPDATE] = "UPDATE releases SET state=?2, reason=?3, share=?4 WHERE id=?1",
    [S_RELS] = "SELECT id, target, grp, share, max_fail, min_reports, state, reason, created"
               " FROM releases ORDER BY id DESC",
    [S_REL_COUNTS] = "SELECT coalesce(sum(state='checked'),0), coalesce(sum(state='downloading'),0),"
                     " coalesce(sum(state='succeeded'),0), coalesce(sum(state='failed'),0),"
                     " coalesce(sum(failures>0),0), coalesce(sum(failures>0 OR state='succeeded'),0)"
                     " FROM assignments WHERE release_id=?1",
    [S_DEV_GET] = "SELECT imei, grp, version, release_id, last_seen, last_report, report_time"
                  " FROM devices WHERE imei=?1",
    [S_DEV_PUT] = "INSERT INTO devices(imei, grp, version, release_id, last_seen, last_report,"
                  " report_time) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(imei) DO UPDATE SET"
                  " grp=?2, version=?3, release_id=?4, last_seen=?5, last_report=?6,"
                  " report_time=?7",
    [S_DEVS] = "SELECT imei, grp, version, release_id, last_seen, last_report, report_time"
               " FROM devices ORDER BY imei",
    [S_DEVS_GROUP] = "SELECT imei, grp, version, release_id, last_seen, last_report, report_time"
                     " FROM devices WHERE grp=?1 ORDER BY imei",
    [S_ASSIGN_GET] = "SELECT release_id, imei, from_version, package, state, reason, failures,"
                     " updated FROM assignments WHERE release_id=?1 AND imei=?2",
    [S_ASSIGN_PUT] = "INSERT OR REPLACE INTO assignments(release_id, imei, from_version, package,"
                     " state, reason, failures, updated) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [S_SYNC_FULL] = "PRAGMA synchronous=FULL",
    [S_SYNC_NORMAL] = "PRAGMA synchronous=NORMAL",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS images(version TEXT PRIMARY KEY, sha TEXT NOT NULL,"
    " size INTEGER NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS packages(base TEXT NOT NULL, target TEXT NOT NULL,"
    " state TEXT NOT NULL, kind TEXT NOT NULL, sha TEXT NOT NULL, md5 TEXT NOT NULL,"
    " size INTEGER NOT NULL, error TEXT NOT NULL, created INTEGER NOT NULL,"
    " PRIMARY KEY(base, target));"
    "CREATE INDEX IF NOT EXISTS packages_sha ON packages(sha);"
    "CREATE TABLE IF NOT EXISTS releases(id INTEGER PRIMARY KEY, target TEXT NOT NULL,"
    " grp TEXT NOT NULL, share INTEGER NOT NULL, max_fail INTEGER NOT NULL,"
    " min_reports INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS devices(imei TEXT PRIMARY KEY, grp TEXT NOT NULL,"
    " version TEXT NOT NULL, release_id INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " last_report TEXT NOT NULL, report_time INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS assignments(release_id INTEGER NOT NULL, imei TEXT NOT NULL,"
    " from_version TEXT NOT NULL, package TEXT NOT NULL, state TEXT NOT NULL,"
    " reason TEXT NOT NULL, failures INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " PRIMARY KEY(release_id, imei));"
    "PRAGMA user_version=1;";

struct store {
    sqlite3 *db;
    pthread_mutex_t lock;
    int durable; /* the current transaction's */
    sqlite3_stmt *st[S_COUNT];
};

/* Run a statement that returns no rows; STORE_OK or STORE_ERROR. */
static int exec_stmt(struct store *s, enum stmt k)
{
    int rc = sqlite3_step(s->st[k]);
    sqlite3_reset(s->st[k]);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

int store_open(struct store **out, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    struct store *s = calloc(1, sizeof *s);
    char *msg = NULL;
    int i;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    pthread_mutex_init(&s->lock, NULL);
    snprintf(path, sizeof path, "%s/cfota.db", dir);
    /* NOMUTEX: our own mutex already serializes every use. */
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        store_close(s);
        return STORE_ERROR;
    }
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                            " PRAGMA foreign_keys=OFF;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        store_close(s);
        return STORE_ERROR;
    }
    for (i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s: preparing statement %d: %s", path, i,
                     sqlite3_errmsg(s->db));
            store_close(s);
            return STORE_ERROR;
        }
    }
    *out = s;
    return STORE_OK;
}

void store_close(struct store *s)
{
    int i;
    if (!s)
        return;
    for (i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void store_begin(struct store *s, int durable)
{
    pthread_mutex_lock(&s->lock);
    s->durable = durable;
    if (durable)
        exec_stmt(s, S_SYNC_FULL);
    exec_stmt(s, S_BEGIN);
}

static void end_transaction(struct store *s)
{
    if (s->durable)
        exec_stmt(s, S_SYNC_NORMAL);
    pthread_mutex_unlock(&s->lock);
}

int store_commit(struct store *s)
{
    int rc = exec_stmt(s, S_COMMIT);
    if (rc != STORE_OK)
        exec_stmt(s, S_ROLLBACK);
    end_transaction(s);
    return rc;
}

void store_rollback(struct store *s)
{
    exec_stmt(s, S_ROLLBACK);
    end_transaction(s);
}

const char *store_error(struct store *s) { return sqlite3_errmsg(s->db); }

/* ---- binding and reading helpers ---- */

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

static void col_text(sqlite3_stmt *q, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

/* Step a query expected to give at most one row; reading is done by the
 * caller between this and finish_row. */
static int step_one(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

static void finish_row(sqlite3_stmt *q) { sqlite3_reset(q); }

/* ---- images ---- */

static void read_image(sqlite3_stmt *q, struct image *im)
{
    col_text(q, 0, im->version, sizeof im->version);
    col_text(q, 1, im->sha, sizeof im->sha);
    im->size = sqlite3_column_int64(q, 2);
    im->created = sqlite3_column_int64(q, 3);
}

int store_image_get(struct store *s, const char *version, struct image *out)
{
    sqlite3_stmt *q = s->st[S_IMAGE_GET];
    int rc;
    bind_text(q, 1, version);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_image(q, out);
        finish_row(q);
    }
    return rc;
}

int store_image_add(struct store *s, const struct image *im)
{
    sqlite3_stmt *q = s->st[S_IMAGE_ADD];
    bind_text(q, 1, im->version);
    bind_text(q, 2, im->sha);
    sqlite3_bind_int64(q, 3, im->size);
    sqlite3_bind_int64(q, 4, im->created);
    return exec_stmt(s, S_IMAGE_ADD);
}

int store_images_each(struct store *s, void (*fn)(void *, const struct image *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_IMAGES];
    struct image im;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_image(q, &im);
        fn(ctx, &im);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* ---- packages ---- */

static void read_package(sqlite3_stmt *q, struct package *p)
{
    col_text(q, 0, p->from, sizeof p->from);
    col_text(q, 1, p->to, sizeof p->to);
    col_text(q, 2, p->state, sizeof p->state);
    col_text(q, 3, p->kind, sizeof p->kind);
    col_text(q, 4, p->sha, sizeof p->sha);
    col_text(q, 5, p->md5, sizeof p->md5);
    p->size = sqlite3_column_int64(q, 6);
    col_text(q, 7, p->error, sizeof p->error);
    p->created = sqlite3_column_int64(q, 8);
}

int store_package_get(struct store *s, const char *from, const char *to, struct package *out)
{
    sqlite3_stmt *q = s->st[S_PKG_GET];
    int rc;
    bind_text(q, 1, from);
    bind_text(q, 2, to);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_package(q, out);
        finish_row(q);
    }
    return rc;
}

int store_package_put(struct store *s, const struct package *p)
{
    sqlite3_stmt *q = s->st[S_PKG_PUT];
    bind_text(q, 1, p->from);
    bind_text(q, 2, p->to);
    bind_text(q, 3, p->state);
    bind_text(q, 4, p->kind);
    bind_text(q, 5, p->sha);
    bind_text(q, 6, p->md5);
    sqlite3_bind_int64(q, 7, p->size);
    bind_text(q, 8, p->error);
    sqlite3_bind_int64(q, 9, p->created);
    return exec_stmt(s, S_PKG_PUT);
}

int store_package_by_id(struct store *s, const char *sha, struct package *out)
{
    sqlite3_stmt *q = s->st[S_PKG_BY_ID];
    int rc;
    bind_text(q, 1, sha);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_package(q, out);
        finish_row(q);
    }
    return rc;
}

int store_packages_each(struct store *s, void (*fn)(void *, const struct package *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_PKGS];
    struct package p;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_package(q, &p);
        fn(ctx, &p);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_object_known(struct store *s, const char *sha)
{
    sqlite3_stmt *q = s->st[S_OBJ_KNOWN];
    int rc, known;
    bind_text(q, 1, sha);
    rc = step_one(q);
    if (rc != STORE_OK)
        return -1;
    known = sqlite3_column_int(q, 0) != 0;
    finish_row(q);
    return known;
}

int store_next_build(struct store *s, char from[33], char to[33])
{
    sqlite3_stmt *q = s->st[S_NEXT_FULL];
    int rc = step_one(q);
    if (rc == STORE_OK) {
        from[0] = 0;
        col_text(q, 0, to, 33);
        finish_row(q);
        return STORE_OK;
    }
    if (rc == STORE_ERROR)
        return rc;
    q = s->st[S_NEXT_DELTA];
    rc = step_one(q);
    if (rc == STORE_OK) {
        col_text(q, 0, from, 33);
        col_text(q, 1, to, 33);
        finish_row(q);
    }
    return rc;
}

/* ---- releases ---- */

static void read_release(sqlite3_stmt *q, struct release *r)
{
    r->id = sqlite3_column_int64(q, 0);
    col_text(q, 1, r->target, sizeof r->target);
    col_text(q, 2, r->group, sizeof r->group);
    r->share = sqlite3_column_int(q, 3);
    r->max_fail = sqlite3_column_int(q, 4);
    r->min_reports = sqlite3_column_int(q, 5);
    col_text(q, 6, r->state, sizeof r->state);
    col_text(q, 7, r->reason, sizeof r->reason);
    r->created = sqlite3_column_int64(q, 8);
}

int store_release_add(struct store *s, struct release *r)
{
    sqlite3_stmt *q = s->st[S_REL_ADD];
    int rc;
    bind_text(q, 1, r->target);
    bind_text(q, 2, r->group);
    sqlite3_bind_int(q, 3, r->share);
    sqlite3_bind_int(q, 4, r->max_fail);
    sqlite3_bind_int(q, 5, r->min_reports);
    bind_text(q, 6, r->state);
    bind_text(q, 7, r->reason);
    sqlite3_bind_int64(q, 8, r->created);
    rc = exec_stmt(s, S_REL_ADD);
    if (rc == STORE_OK)
        r->id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_release_get(struct store *s, int64_t id, struct release *out)
{
    sqlite3_stmt *q = s->st[S_REL_GET];
    int rc;
    sqlite3_bind_int64(q, 1, id);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_release(q, out);
        finish_row(q);
    }
    return rc;
}

int store_release_update(struct store *s, const struct release *r)
{
    sqlite3_stmt *q = s->st[S_REL_UPDATE];
    sqlite3_bind_int64(q, 1, r->id);
    bind_text(q, 2, r->state);
    bind_text(q, 3, r->reason);
    sqlite3_bind_int(q, 4, r->share);
    return exec_stmt(s, S_REL_UPDATE);
}

int store_releases_each(struct store *s, int (*fn)(void *, const struct release *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_RELS];
    struct release r;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_release(q, &r);
        if (fn(ctx, &r)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_release_counts(struct store *s, int64_t id, struct release_counts *out)
{
    sqlite3_stmt *q = s->st[S_REL_COUNTS];
    int rc;
    sqlite3_bind_int64(q, 1, id);
    rc = step_one(q);
    if (rc != STORE_OK)
        return STORE_ERROR;
    out->checked = sqlite3_column_int64(q, 0);
    out->downloading = sqlite3_column_int64(q, 1);
    out->succeeded = sqlite3_column_int64(q, 2);
    out->failed = sqlite3_column_int64(q, 3);
    out->ever_failed = sqlite3_column_int64(q, 4);
    out->reported = sqlite3_column_int64(q, 5);
    finish_row(q);
    return STORE_OK;
}

/* ---- devices ---- */

static void read_device(sqlite3_stmt *q, struct device *d)
{
    col_text(q, 0, d->imei, sizeof d->imei);
    col_text(q, 1, d->group, sizeof d->group);
    col_text(q, 2, d->version, sizeof d->version);
    d->release_id = sqlite3_column_int64(q, 3);
    d->last_seen = sqlite3_column_int64(q, 4);
    col_text(q, 5, d->last_report, sizeof d->last_report);
    d->report_time = sqlite3_column_int64(q, 6);
}

int store_device_get(struct store *s, const char *imei, struct device *out)
{
    sqlite3_stmt *q = s->st[S_DEV_GET];
    int rc;
    bind_text(q, 1, imei);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_device(q, out);
        finish_row(q);
    }
    return rc;
}

int store_device_put(struct store *s, const struct device *d)
{
    sqlite3_stmt *q = s->st[S_DEV_PUT];
    bind_text(q, 1, d->imei);
    bind_text(q, 2, d->group);
    bind_text(q, 3, d->version);
    sqlite3_bind_int64(q, 4, d->release_id);
    sqlite3_bind_int64(q, 5, d->last_seen);
    bind_text(q, 6, d->last_report);
    sqlite3_bind_int64(q, 7, d->report_time);
    return exec_stmt(s, S_DEV_PUT);
}

int store_devices_each(struct store *s, const char *group,
                       void (*fn)(void *, const struct device *), void *ctx)
{
    sqlite3_stmt *q = s->st[group ? S_DEVS_GROUP : S_DEVS];
    struct device d;
    int rc;
    if (group)
        bind_text(q, 1, group);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_device(q, &d);
        fn(ctx, &d);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* ---- assignments ---- */

int store_assign_get(struct store *s, int64_t release_id, const char *imei,
                     struct assignment *out)
{
    sqlite3_stmt *q = s->st[S_ASSIGN_GET];
    int rc;
    sqlite3_bind_int64(q, 1, release_id);
    bind_text(q, 2, imei);
    rc = step_one(q);
    if (rc == STORE_OK) {
        out->release_id = sqlite3_column_int64(q, 0);
        col_text(q, 1, out->imei, sizeof out->imei);
        col_text(q, 2, out->from, sizeof out->from);
        col_text(q, 3, out->package, sizeof out->package);
        col_text(q, 4, out->state, sizeof out->state);
        col_text(q, 5, out->reason, sizeof out->reason);
        out->failures = sqlite3_column_int(q, 6);
        out->updated = sqlite3_column_int64(q, 7);
        finish_row(q);
    }
    return rc;
}

int store_assign_put(struct store *s, const struct assignment *a)
{
    sqlite3_stmt *q = s->st[S_ASSIGN_PUT];
    sqlite3_bind_int64(q, 1, a->release_id);
    bind_text(q, 2, a->imei);
    bind_text(q, 3, a->from);
    bind_text(q, 4, a->package);
    bind_text(q, 5, a->state);
    bind_text(q, 6, a->reason);
    sqlite3_bind_int(q, 7, a->failures);
    sqlite3_bind_int64(q, 8, a->updated);
    return exec_stmt(s, S_ASSIGN_PUT);
}
