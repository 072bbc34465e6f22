/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server/store.c: SQLite schema and statements behind store.h.
 *
 * The schema (version 2, in PRAGMA user_version):
 *   images(product, version PK, sha, size, created)      uploaded firmware
 *   packages(product, base, target PK, state, kind, origin, ...)
 *                                                         built or uploaded
 *   releases(id PK, product, target, grp, share, waves...) rollouts
 *   devices(imei PK, product, grp, version, release_id, token_gen, ...)
 *   assignments(release_id, imei PK, state, wave, ...)    a device in a release
 *   tokens(sha PK, name, role, created)                   extra admin tokens
 * Version 1 had no products; store_open migrates it in one transaction,
 * every row going to product "default" (docs/server.md), so an old data
 * directory keeps serving its devices.
 *
 * Every statement is prepared at open and reset after use; results are
 * copied into the fixed-size records of store.h, so no SQLite memory
 * escapes a transaction.
 */
#include "store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

enum stmt {
    S_IMAGE_GET, S_IMAGE_ADD, S_IMAGE_DEL, S_IMAGES,
    S_PKG_GET, S_PKG_PUT, S_PKG_BY_ID, S_PKG_ANY, S_PKGS_WITH_ID, S_PKG_DEL, S_PKG_DEL_TARGET, S_PKGS,
    S_OBJ_KNOWN, S_NEXT_FULL, S_NEXT_DELTA, S_QUEUE,
    S_REL_ADD, S_REL_GET, S_REL_UPDATE, S_REL_DEL, S_REL_DEL_ASSIGN, S_REL_DEL_DEVS,
    S_RELS_OF, S_RELS_WAVING, S_RELS, S_REL_COUNTS, S_REL_IN_FLIGHT,
    S_DEV_GET, S_DEV_PUT, S_DEVS,
    S_ASSIGN_GET, S_ASSIGN_PUT, S_ASSIGNS,
    S_TOKEN_GET, S_TOKEN_ADD, S_TOKEN_DEL, S_TOKENS, S_PRODUCTS, S_PING,
    S_SYNC_FULL, S_SYNC_NORMAL, S_BEGIN, S_COMMIT, S_ROLLBACK,
    S_COUNT
};

#define IMAGE_COLS "product, version, sha, size, created"
#define PKG_COLS "product, base, target, state, kind, origin, sha, md5, size, error, created"
#define REL_COLS "id, product, target, grp, share, max_fail, min_reports, state, reason," \
                 " created, waves, wave, wave_reports, soak, wave_started, max_downloads"
#define DEV_COLS "imei, product, grp, version, release_id, last_seen, last_report," \
                 " report_time, token_gen, revoked"
#define ASSIGN_COLS "release_id, imei, from_version, package, state, reason, failures," \
                    " updated, wave"

/* A release target that has an image and no package from "" yet. The
 * builder makes packages only from images; a target reached only by
 * uploaded packages needs none. */
#define MISSING_FULL \
    " FROM (SELECT DISTINCT product, target FROM releases) r WHERE" \
    " EXISTS (SELECT 1 FROM images i WHERE i.product=r.product AND i.version=r.target)" \
    " AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.product=r.product AND p.base=''" \
    " AND p.target=r.target)"
#define MISSING_DELTA \
    " FROM images i, (SELECT DISTINCT product, target FROM releases) t" \
    " WHERE i.product=t.product AND i.version<>t.target" \
    " AND EXISTS (SELECT 1 FROM packages f WHERE f.product=t.product AND f.base=''" \
    "   AND f.target=t.target)" \
    " AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.product=i.product" \
    "   AND p.base=i.version AND p.target=t.target)"

static const char *const sql_text[S_COUNT] = {
    [S_IMAGE_GET] = "SELECT " IMAGE_COLS " FROM images WHERE product=?1 AND version=?2",
    [S_IMAGE_ADD] = "INSERT INTO images(" IMAGE_COLS ") VALUES(?1,?2,?3,?4,?5)",
    [S_IMAGE_DEL] = "DELETE FROM images WHERE product=?1 AND version=?2",
    [S_IMAGES] = "SELECT rowid, " IMAGE_COLS " FROM images WHERE (?1 IS NULL OR product=?1)"
                 " AND rowid>?2 ORDER BY rowid LIMIT ?3",
    [S_PKG_GET] = "SELECT " PKG_COLS " FROM packages WHERE product=?1 AND base=?2 AND target=?3",
    [S_PKG_PUT] = "INSERT OR REPLACE INTO packages(" PKG_COLS ")"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [S_PKG_BY_ID] = "SELECT " PKG_COLS " FROM packages WHERE product=?1 AND sha=?2"
                    " AND state='ready' LIMIT 1",
    [S_PKG_ANY] = "SELECT " PKG_COLS " FROM packages WHERE sha=?1 AND state='ready' LIMIT 1",
    [S_PKGS_WITH_ID] = "SELECT " PKG_COLS " FROM packages WHERE sha=?1",
    [S_PKG_DEL] = "DELETE FROM packages WHERE product=?1 AND sha=?2",
    [S_PKG_DEL_TARGET] = "DELETE FROM packages WHERE product=?1 AND origin='built'"
                         " AND (target=?2 OR base=?2)",
    [S_PKGS] = "SELECT rowid, " PKG_COLS " FROM packages WHERE (?1 IS NULL OR product=?1)"
               " AND rowid>?2 ORDER BY rowid LIMIT ?3",
    [S_OBJ_KNOWN] = "SELECT EXISTS(SELECT 1 FROM images WHERE sha=?1)"
                    " OR EXISTS(SELECT 1 FROM packages WHERE sha=?1)",
    [S_NEXT_FULL] = "SELECT r.product, r.target" MISSING_FULL " ORDER BY r.product, r.target LIMIT 1",
    [S_NEXT_DELTA] = "SELECT i.product, i.version, t.target" MISSING_DELTA
                     " ORDER BY t.product, t.target, i.version LIMIT 1",
    [S_QUEUE] = "SELECT (SELECT count(*)" MISSING_FULL ") + (SELECT count(*)" MISSING_DELTA ")",
    [S_REL_ADD] = "INSERT INTO releases(product, target, grp, share, max_fail, min_reports, state,"
                  " reason, created, waves, wave, wave_reports, soak, wave_started,"
                  " max_downloads) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    [S_REL_GET] = "SELECT " REL_COLS " FROM releases WHERE id=?1",
    [S_REL_UPDATE] = "UPDATE releases SET state=?2, reason=?3, share=?4, wave=?5,"
                     " wave_started=?6 WHERE id=?1",
    [S_REL_DEL] = "DELETE FROM releases WHERE id=?1",
    [S_REL_DEL_ASSIGN] = "DELETE FROM assignments WHERE release_id=?1",
    [S_REL_DEL_DEVS] = "UPDATE devices SET release_id=0 WHERE release_id=?1",
    [S_RELS_OF] = "SELECT " REL_COLS " FROM releases WHERE product=?1"
                  " ORDER BY grp='', id DESC",
    [S_RELS_WAVING] = "SELECT " REL_COLS " FROM releases WHERE state='active' AND waves<>''",
    [S_RELS] = "SELECT " REL_COLS " FROM releases WHERE (?1 IS NULL OR product=?1) AND id<?2"
               " ORDER BY id DESC LIMIT ?3",
    [S_REL_COUNTS] = "SELECT coalesce(sum(state='checked'),0), coalesce(sum(state='downloading'),0),"
                     " coalesce(sum(state='succeeded'),0), coalesce(sum(state='failed'),0),"
                     " coalesce(sum(failures>0),0), coalesce(sum(failures>0 OR state='succeeded'),0),"
                     " coalesce(sum(state='succeeded' AND wave=?2),0)"
                     " FROM assignments WHERE release_id=?1",
    [S_REL_IN_FLIGHT] = "SELECT count(*) FROM assignments WHERE release_id=?1"
                        " AND state IN ('checked','downloading') AND updated>=?2",
    [S_DEV_GET] = "SELECT " DEV_COLS " FROM devices WHERE imei=?1",
    [S_DEV_PUT] = "INSERT INTO devices(" DEV_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
                  " ON CONFLICT(imei) DO UPDATE SET product=?2, grp=?3, version=?4,"
                  " release_id=?5, last_seen=?6, last_report=?7, report_time=?8, token_gen=?9,"
                  " revoked=?10",
    [S_DEVS] = "SELECT " DEV_COLS " FROM devices WHERE (?1 IS NULL OR product=?1)"
               " AND (?2 IS NULL OR grp=?2) AND (?3 IS NULL OR substr(imei,1,length(?3))=?3)"
               " AND imei>?4 ORDER BY imei LIMIT ?5",
    [S_ASSIGN_GET] = "SELECT " ASSIGN_COLS " FROM assignments WHERE release_id=?1 AND imei=?2",
    [S_ASSIGNS] = "SELECT a.release_id, a.imei, a.from_version, a.package, a.state, a.reason,"
                  " a.failures, a.updated, a.wave, d.last_report FROM assignments a"
                  " LEFT JOIN devices d ON d.imei=a.imei WHERE a.release_id=?1"
                  " AND (?2 IS NULL OR a.state=?2) AND a.imei>?3 ORDER BY a.imei LIMIT ?4",
    [S_ASSIGN_PUT] = "INSERT OR REPLACE INTO assignments(" ASSIGN_COLS ")"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [S_TOKEN_GET] = "SELECT sha, name, role, created FROM tokens WHERE sha=?1",
    [S_TOKEN_ADD] = "INSERT INTO tokens(sha, name, role, created) VALUES(?1,?2,?3,?4)",
    [S_TOKEN_DEL] = "DELETE FROM tokens WHERE name=?1",
    [S_TOKENS] = "SELECT sha, name, role, created FROM tokens ORDER BY name",
    [S_PRODUCTS] = "SELECT product FROM images UNION SELECT product FROM packages"
                   " UNION SELECT product FROM releases"
                   " UNION SELECT product FROM devices WHERE product<>'' ORDER BY 1",
    [S_PING] = "SELECT count(*) FROM releases",
    [S_SYNC_FULL] = "PRAGMA synchronous=FULL",
    [S_SYNC_NORMAL] = "PRAGMA synchronous=NORMAL",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

#define IMAGES_TABLE \
    "CREATE TABLE images(product TEXT NOT NULL, version TEXT NOT NULL, sha TEXT NOT NULL," \
    " size INTEGER NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(product, version));"
#define PACKAGES_TABLE \
    "CREATE TABLE packages(product TEXT NOT NULL, base TEXT NOT NULL, target TEXT NOT NULL," \
    " state TEXT NOT NULL, kind TEXT NOT NULL, origin TEXT NOT NULL, sha TEXT NOT NULL," \
    " md5 TEXT NOT NULL, size INTEGER NOT NULL, error TEXT NOT NULL, created INTEGER NOT NULL," \
    " PRIMARY KEY(product, base, target));" \
    "CREATE INDEX packages_sha ON packages(sha);"
#define TOKENS_TABLE \
    "CREATE TABLE tokens(sha TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL," \
    " created INTEGER NOT NULL);"
/* releases_precedence serves S_RELS_OF, the check's query, in its order
 * without a sort. */
#define INDEXES \
    "CREATE INDEX releases_precedence ON releases(product, grp='', id DESC);" \
    "CREATE INDEX devices_product ON devices(product, grp);"

static const char schema_v2[] =
    IMAGES_TABLE PACKAGES_TABLE
    "CREATE TABLE releases(id INTEGER PRIMARY KEY, product TEXT NOT NULL, target TEXT NOT NULL,"
    " grp TEXT NOT NULL, share INTEGER NOT NULL, max_fail INTEGER NOT NULL,"
    " min_reports INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,"
    " created INTEGER NOT NULL, waves TEXT NOT NULL, wave INTEGER NOT NULL,"
    " wave_reports INTEGER NOT NULL, soak INTEGER NOT NULL, wave_started INTEGER NOT NULL,"
    " max_downloads INTEGER NOT NULL);"
    "CREATE TABLE devices(imei TEXT PRIMARY KEY, product TEXT NOT NULL, grp TEXT NOT NULL,"
    " version TEXT NOT NULL, release_id INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " last_report TEXT NOT NULL, report_time INTEGER NOT NULL, token_gen INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL);"
    "CREATE TABLE assignments(release_id INTEGER NOT NULL, imei TEXT NOT NULL,"
    " from_version TEXT NOT NULL, package TEXT NOT NULL, state TEXT NOT NULL,"
    " reason TEXT NOT NULL, failures INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " wave INTEGER NOT NULL, PRIMARY KEY(release_id, imei));"
    TOKENS_TABLE INDEXES
    "PRAGMA user_version=2;";

/* Schema 1 to 2: images and packages get product in their keys (tables
 * rebuilt), the other tables new columns with their defaults. */
static const char migrate_v1[] =
    "ALTER TABLE images RENAME TO images_v1;"
    "ALTER TABLE packages RENAME TO packages_v1;"
    "DROP INDEX IF EXISTS packages_sha;"
    IMAGES_TABLE PACKAGES_TABLE
    "INSERT INTO images SELECT 'default', version, sha, size, created FROM images_v1;"
    "INSERT INTO packages SELECT 'default', base, target, state, kind, 'built', sha, md5, size,"
    " error, created FROM packages_v1;"
    "DROP TABLE images_v1; DROP TABLE packages_v1;"
    "ALTER TABLE releases ADD COLUMN product TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE releases ADD COLUMN waves TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE releases ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE releases ADD COLUMN wave_reports INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE releases ADD COLUMN soak INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE releases ADD COLUMN wave_started INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE releases ADD COLUMN max_downloads INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE devices ADD COLUMN product TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE devices ADD COLUMN token_gen INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE devices ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE assignments ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;"
    TOKENS_TABLE INDEXES
    "PRAGMA user_version=2;";

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

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *q;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Run script in one transaction. 0, or -1 with the message in *msg. */
static int exec_script(sqlite3 *db, const char *script, char **msg)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, msg) != SQLITE_OK)
        return -1;
    if (sqlite3_exec(db, script, NULL, NULL, msg) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return sqlite3_exec(db, "COMMIT", NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

/* Bring the database to STORE_SCHEMA. 0, or -1 with a sentence in err. */
static int set_up_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char *msg = NULL;
    int v = user_version(db), rc = 0;
    if (v == STORE_SCHEMA)
        return 0;
    if (v > STORE_SCHEMA || v < 0) {
        snprintf(err, errlen, "%s: database schema %d is not one this server knows (it knows %d);"
                 " it was made by a newer cfota server", path, v, STORE_SCHEMA);
        return -1;
    }
    if (v == 0)
        rc = exec_script(db, schema_v2, &msg);
    else if (v == 1) {
        rc = exec_script(db, migrate_v1, &msg);
        if (rc == 0)
            fprintf(stderr, "cfota server: %s: migrated schema 1 to 2; existing images, "
                            "releases and devices are now of product \"default\"\n", path);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: setting up schema %d: %s", path, STORE_SCHEMA,
                 msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
    }
    return rc;
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
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            " PRAGMA foreign_keys=OFF;", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        store_close(s);
        return STORE_ERROR;
    }
    if (set_up_schema(s->db, path, err, errlen) != 0 ||
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
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

int store_ping(struct store *s) { return exec_stmt(s, S_PING); }

/* ---- binding and reading helpers ---- */

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

/* NULL binds SQL NULL: "no filter" in the listing statements. */
static void bind_filter(sqlite3_stmt *q, int i, const char *v)
{
    if (v && v[0])
        bind_text(q, i, v);
    else
        sqlite3_bind_null(q, i);
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

/* Bind a page's limit (one more row than asked, to know whether another
 * page follows) at index i. */
static void bind_limit(sqlite3_stmt *q, int i, const struct page *pg)
{
    sqlite3_bind_int64(q, i, pg->limit > 0 ? (int64_t)pg->limit + 1 : -1);
}

/* A numeric cursor ("" or digits) with its default. */
static int64_t cursor_number(const struct page *pg, int64_t none)
{
    return pg->after && pg->after[0] ? strtoll(pg->after, NULL, 10) : none;
}

/* Walk the rows of a page query: read(q, row) for each of the first
 * limit rows; the cursor of the last one read goes to pg->next if one
 * more row exists. cursor_col is the column holding the cursor. */
static int walk_page(sqlite3_stmt *q, struct page *pg, int cursor_col,
                     int (*row)(void *ctx, sqlite3_stmt *q), void *ctx)
{
    int rc, n = 0;
    char last[64] = "";
    pg->next[0] = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (pg->limit > 0 && n == pg->limit) {
            snprintf(pg->next, sizeof pg->next, "%s", last);
            rc = SQLITE_DONE;
            break;
        }
        col_text(q, cursor_col, last, sizeof last);
        n++;
        if (row(ctx, q)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* ---- images ---- */

static void read_image(sqlite3_stmt *q, int c, struct image *im)
{
    col_text(q, c, im->product, sizeof im->product);
    col_text(q, c + 1, im->version, sizeof im->version);
    col_text(q, c + 2, im->sha, sizeof im->sha);
    im->size = sqlite3_column_int64(q, c + 3);
    im->created = sqlite3_column_int64(q, c + 4);
}

int store_image_get(struct store *s, const char *product, const char *version,
                    struct image *out)
{
    sqlite3_stmt *q = s->st[S_IMAGE_GET];
    int rc;
    bind_text(q, 1, product);
    bind_text(q, 2, version);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_image(q, 0, out);
        finish_row(q);
    }
    return rc;
}

int store_image_add(struct store *s, const struct image *im)
{
    sqlite3_stmt *q = s->st[S_IMAGE_ADD];
    bind_text(q, 1, im->product);
    bind_text(q, 2, im->version);
    bind_text(q, 3, im->sha);
    sqlite3_bind_int64(q, 4, im->size);
    sqlite3_bind_int64(q, 5, im->created);
    return exec_stmt(s, S_IMAGE_ADD);
}

int store_image_delete(struct store *s, const char *product, const char *version)
{
    sqlite3_stmt *q = s->st[S_IMAGE_DEL];
    bind_text(q, 1, product);
    bind_text(q, 2, version);
    return exec_stmt(s, S_IMAGE_DEL);
}

struct image_walk {
    void (*fn)(void *, const struct image *);
    void *ctx;
};

static int image_row(void *ctx, sqlite3_stmt *q)
{
    struct image_walk *w = ctx;
    struct image im;
    read_image(q, 1, &im);
    w->fn(w->ctx, &im);
    return 0;
}

int store_images_page(struct store *s, const char *product, struct page *pg,
                      void (*fn)(void *, const struct image *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_IMAGES];
    struct image_walk w = {fn, ctx};
    bind_filter(q, 1, product);
    sqlite3_bind_int64(q, 2, cursor_number(pg, 0));
    bind_limit(q, 3, pg);
    return walk_page(q, pg, 0, image_row, &w);
}

/* ---- packages ---- */

static void read_package(sqlite3_stmt *q, int c, struct package *p)
{
    col_text(q, c, p->product, sizeof p->product);
    col_text(q, c + 1, p->from, sizeof p->from);
    col_text(q, c + 2, p->to, sizeof p->to);
    col_text(q, c + 3, p->state, sizeof p->state);
    col_text(q, c + 4, p->kind, sizeof p->kind);
    col_text(q, c + 5, p->origin, sizeof p->origin);
    col_text(q, c + 6, p->sha, sizeof p->sha);
    col_text(q, c + 7, p->md5, sizeof p->md5);
    p->size = sqlite3_column_int64(q, c + 8);
    col_text(q, c + 9, p->error, sizeof p->error);
    p->created = sqlite3_column_int64(q, c + 10);
}

/* One row of q (bound by the caller) into out. */
static int package_row(sqlite3_stmt *q, struct package *out)
{
    int rc = step_one(q);
    if (rc == STORE_OK) {
        read_package(q, 0, out);
        finish_row(q);
    }
    return rc;
}

int store_package_get(struct store *s, const char *product, const char *from, const char *to,
                      struct package *out)
{
    sqlite3_stmt *q = s->st[S_PKG_GET];
    bind_text(q, 1, product);
    bind_text(q, 2, from);
    bind_text(q, 3, to);
    return package_row(q, out);
}

int store_package_put(struct store *s, const struct package *p)
{
    sqlite3_stmt *q = s->st[S_PKG_PUT];
    bind_text(q, 1, p->product);
    bind_text(q, 2, p->from);
    bind_text(q, 3, p->to);
    bind_text(q, 4, p->state);
    bind_text(q, 5, p->kind);
    bind_text(q, 6, p->origin[0] ? p->origin : "built");
    bind_text(q, 7, p->sha);
    bind_text(q, 8, p->md5);
    sqlite3_bind_int64(q, 9, p->size);
    bind_text(q, 10, p->error);
    sqlite3_bind_int64(q, 11, p->created);
    return exec_stmt(s, S_PKG_PUT);
}

int store_package_by_id(struct store *s, const char *product, const char *sha,
                        struct package *out)
{
    sqlite3_stmt *q = s->st[S_PKG_BY_ID];
    bind_text(q, 1, product);
    bind_text(q, 2, sha);
    return package_row(q, out);
}

int store_package_any(struct store *s, const char *sha, struct package *out)
{
    sqlite3_stmt *q = s->st[S_PKG_ANY];
    bind_text(q, 1, sha);
    return package_row(q, out);
}

int store_packages_with_id(struct store *s, const char *sha,
                           void (*fn)(void *, const struct package *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_PKGS_WITH_ID];
    struct package p;
    int rc;
    bind_text(q, 1, sha);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_package(q, 0, &p);
        fn(ctx, &p);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_package_delete(struct store *s, const char *product, const char *sha)
{
    sqlite3_stmt *q = s->st[S_PKG_DEL];
    bind_text(q, 1, product);
    bind_text(q, 2, sha);
    return exec_stmt(s, S_PKG_DEL);
}

int store_packages_delete_version(struct store *s, const char *product, const char *version)
{
    sqlite3_stmt *q = s->st[S_PKG_DEL_TARGET];
    bind_text(q, 1, product);
    bind_text(q, 2, version);
    return exec_stmt(s, S_PKG_DEL_TARGET);
}

struct package_walk {
    void (*fn)(void *, const struct package *);
    void *ctx;
};

static int package_walk_row(void *ctx, sqlite3_stmt *q)
{
    struct package_walk *w = ctx;
    struct package p;
    read_package(q, 1, &p);
    w->fn(w->ctx, &p);
    return 0;
}

int store_packages_page(struct store *s, const char *product, struct page *pg,
                        void (*fn)(void *, const struct package *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_PKGS];
    struct package_walk w = {fn, ctx};
    bind_filter(q, 1, product);
    sqlite3_bind_int64(q, 2, cursor_number(pg, 0));
    bind_limit(q, 3, pg);
    return walk_page(q, pg, 0, package_walk_row, &w);
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

int store_next_build(struct store *s, char product[33], char from[33], char to[33])
{
    sqlite3_stmt *q = s->st[S_NEXT_FULL];
    int rc = step_one(q);
    if (rc == STORE_OK) {
        col_text(q, 0, product, 33);
        from[0] = 0;
        col_text(q, 1, to, 33);
        finish_row(q);
        return STORE_OK;
    }
    if (rc == STORE_ERROR)
        return rc;
    q = s->st[S_NEXT_DELTA];
    rc = step_one(q);
    if (rc == STORE_OK) {
        col_text(q, 0, product, 33);
        col_text(q, 1, from, 33);
        col_text(q, 2, to, 33);
        finish_row(q);
    }
    return rc;
}

int store_build_queue(struct store *s, int64_t *out)
{
    sqlite3_stmt *q = s->st[S_QUEUE];
    if (step_one(q) != STORE_OK)
        return STORE_ERROR;
    *out = sqlite3_column_int64(q, 0);
    finish_row(q);
    return STORE_OK;
}

/* ---- releases ---- */

static void read_release(sqlite3_stmt *q, struct release *r)
{
    r->id = sqlite3_column_int64(q, 0);
    col_text(q, 1, r->product, sizeof r->product);
    col_text(q, 2, r->target, sizeof r->target);
    col_text(q, 3, r->group, sizeof r->group);
    r->share = sqlite3_column_int(q, 4);
    r->max_fail = sqlite3_column_int(q, 5);
    r->min_reports = sqlite3_column_int(q, 6);
    col_text(q, 7, r->state, sizeof r->state);
    col_text(q, 8, r->reason, sizeof r->reason);
    r->created = sqlite3_column_int64(q, 9);
    col_text(q, 10, r->waves, sizeof r->waves);
    r->wave = sqlite3_column_int(q, 11);
    r->wave_reports = sqlite3_column_int(q, 12);
    r->soak = sqlite3_column_int64(q, 13);
    r->wave_started = sqlite3_column_int64(q, 14);
    r->max_downloads = sqlite3_column_int(q, 15);
}

int store_release_add(struct store *s, struct release *r)
{
    sqlite3_stmt *q = s->st[S_REL_ADD];
    int rc;
    bind_text(q, 1, r->product);
    bind_text(q, 2, r->target);
    bind_text(q, 3, r->group);
    sqlite3_bind_int(q, 4, r->share);
    sqlite3_bind_int(q, 5, r->max_fail);
    sqlite3_bind_int(q, 6, r->min_reports);
    bind_text(q, 7, r->state);
    bind_text(q, 8, r->reason);
    sqlite3_bind_int64(q, 9, r->created);
    bind_text(q, 10, r->waves);
    sqlite3_bind_int(q, 11, r->wave);
    sqlite3_bind_int(q, 12, r->wave_reports);
    sqlite3_bind_int64(q, 13, r->soak);
    sqlite3_bind_int64(q, 14, r->wave_started);
    sqlite3_bind_int(q, 15, r->max_downloads);
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
    sqlite3_bind_int(q, 5, r->wave);
    sqlite3_bind_int64(q, 6, r->wave_started);
    return exec_stmt(s, S_REL_UPDATE);
}

int store_release_delete(struct store *s, int64_t id)
{
    static const enum stmt steps[] = {S_REL_DEL_ASSIGN, S_REL_DEL_DEVS, S_REL_DEL};
    size_t i;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_bind_int64(s->st[steps[i]], 1, id);
        if (exec_stmt(s, steps[i]) != STORE_OK)
            return STORE_ERROR;
    }
    return STORE_OK;
}

/* Call fn for each release row of q until it returns nonzero. */
static int each_release_row(sqlite3_stmt *q, int (*fn)(void *, const struct release *),
                            void *ctx)
{
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

int store_releases_of(struct store *s, const char *product,
                      int (*fn)(void *, const struct release *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_RELS_OF];
    bind_text(q, 1, product);
    return each_release_row(q, fn, ctx);
}

int store_releases_waving(struct store *s, int (*fn)(void *, const struct release *), void *ctx)
{
    return each_release_row(s->st[S_RELS_WAVING], fn, ctx);
}

struct release_walk {
    int (*fn)(void *, const struct release *);
    void *ctx;
};

static int release_walk_row(void *ctx, sqlite3_stmt *q)
{
    struct release_walk *w = ctx;
    struct release r;
    read_release(q, &r);
    return w->fn(w->ctx, &r);
}

int store_releases_page(struct store *s, const char *product, struct page *pg,
                        int (*fn)(void *, const struct release *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_RELS];
    struct release_walk w = {fn, ctx};
    bind_filter(q, 1, product);
    sqlite3_bind_int64(q, 2, cursor_number(pg, INT64_MAX));
    bind_limit(q, 3, pg);
    return walk_page(q, pg, 0, release_walk_row, &w);
}

int store_release_counts(struct store *s, const struct release *r, struct release_counts *out)
{
    sqlite3_stmt *q = s->st[S_REL_COUNTS];
    int rc;
    sqlite3_bind_int64(q, 1, r->id);
    sqlite3_bind_int(q, 2, r->wave);
    rc = step_one(q);
    if (rc != STORE_OK)
        return STORE_ERROR;
    out->checked = sqlite3_column_int64(q, 0);
    out->downloading = sqlite3_column_int64(q, 1);
    out->succeeded = sqlite3_column_int64(q, 2);
    out->failed = sqlite3_column_int64(q, 3);
    out->ever_failed = sqlite3_column_int64(q, 4);
    out->reported = sqlite3_column_int64(q, 5);
    out->wave_succeeded = sqlite3_column_int64(q, 6);
    finish_row(q);
    return STORE_OK;
}

int store_release_in_flight(struct store *s, int64_t id, int64_t since, int64_t *out)
{
    sqlite3_stmt *q = s->st[S_REL_IN_FLIGHT];
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, since);
    if (step_one(q) != STORE_OK)
        return STORE_ERROR;
    *out = sqlite3_column_int64(q, 0);
    finish_row(q);
    return STORE_OK;
}

/* ---- devices ---- */

static void read_device(sqlite3_stmt *q, struct device *d)
{
    col_text(q, 0, d->imei, sizeof d->imei);
    col_text(q, 1, d->product, sizeof d->product);
    col_text(q, 2, d->group, sizeof d->group);
    col_text(q, 3, d->version, sizeof d->version);
    d->release_id = sqlite3_column_int64(q, 4);
    d->last_seen = sqlite3_column_int64(q, 5);
    col_text(q, 6, d->last_report, sizeof d->last_report);
    d->report_time = sqlite3_column_int64(q, 7);
    d->token_gen = sqlite3_column_int(q, 8);
    d->revoked = sqlite3_column_int(q, 9);
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
    bind_text(q, 2, d->product);
    bind_text(q, 3, d->group);
    bind_text(q, 4, d->version);
    sqlite3_bind_int64(q, 5, d->release_id);
    sqlite3_bind_int64(q, 6, d->last_seen);
    bind_text(q, 7, d->last_report);
    sqlite3_bind_int64(q, 8, d->report_time);
    sqlite3_bind_int(q, 9, d->token_gen);
    sqlite3_bind_int(q, 10, d->revoked);
    return exec_stmt(s, S_DEV_PUT);
}

struct device_walk {
    void (*fn)(void *, const struct device *);
    void *ctx;
};

static int device_row(void *ctx, sqlite3_stmt *q)
{
    struct device_walk *w = ctx;
    struct device d;
    read_device(q, &d);
    w->fn(w->ctx, &d);
    return 0;
}

int store_devices_page(struct store *s, const struct device_filter *f, struct page *pg,
                       void (*fn)(void *, const struct device *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_DEVS];
    struct device_walk w = {fn, ctx};
    bind_filter(q, 1, f->product);
    bind_filter(q, 2, f->group);
    bind_filter(q, 3, f->imei_prefix);
    bind_text(q, 4, pg->after ? pg->after : "");
    bind_limit(q, 5, pg);
    return walk_page(q, pg, 0, device_row, &w);
}

/* ---- assignments ---- */

static void read_assignment(sqlite3_stmt *q, struct assignment *out)
{
    out->release_id = sqlite3_column_int64(q, 0);
    col_text(q, 1, out->imei, sizeof out->imei);
    col_text(q, 2, out->from, sizeof out->from);
    col_text(q, 3, out->package, sizeof out->package);
    col_text(q, 4, out->state, sizeof out->state);
    col_text(q, 5, out->reason, sizeof out->reason);
    out->failures = sqlite3_column_int(q, 6);
    out->updated = sqlite3_column_int64(q, 7);
    out->wave = sqlite3_column_int(q, 8);
}

int store_assign_get(struct store *s, int64_t release_id, const char *imei,
                     struct assignment *out)
{
    sqlite3_stmt *q = s->st[S_ASSIGN_GET];
    int rc;
    sqlite3_bind_int64(q, 1, release_id);
    bind_text(q, 2, imei);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_assignment(q, out);
        finish_row(q);
    }
    return rc;
}

struct assign_walk {
    void (*fn)(void *, const struct assignment *, const char *);
    void *ctx;
};

static int assign_row(void *ctx, sqlite3_stmt *q)
{
    struct assign_walk *w = ctx;
    struct assignment a;
    char last_report[160];
    read_assignment(q, &a);
    col_text(q, 9, last_report, sizeof last_report);
    w->fn(w->ctx, &a, last_report);
    return 0;
}

int store_assigns_page(struct store *s, int64_t release_id, const char *state, struct page *pg,
                       void (*fn)(void *, const struct assignment *, const char *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_ASSIGNS];
    struct assign_walk w = {fn, ctx};
    sqlite3_bind_int64(q, 1, release_id);
    bind_filter(q, 2, state);
    bind_text(q, 3, pg->after ? pg->after : "");
    bind_limit(q, 4, pg);
    return walk_page(q, pg, 1, assign_row, &w);
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
    sqlite3_bind_int(q, 9, a->wave);
    return exec_stmt(s, S_ASSIGN_PUT);
}

/* ---- admin tokens and products ---- */

static void read_token(sqlite3_stmt *q, struct admin_token *t)
{
    col_text(q, 0, t->sha, sizeof t->sha);
    col_text(q, 1, t->name, sizeof t->name);
    col_text(q, 2, t->role, sizeof t->role);
    t->created = sqlite3_column_int64(q, 3);
}

int store_token_get(struct store *s, const char *sha, struct admin_token *out)
{
    sqlite3_stmt *q = s->st[S_TOKEN_GET];
    int rc;
    bind_text(q, 1, sha);
    rc = step_one(q);
    if (rc == STORE_OK) {
        read_token(q, out);
        finish_row(q);
    }
    return rc;
}

int store_token_add(struct store *s, const struct admin_token *t)
{
    sqlite3_stmt *q = s->st[S_TOKEN_ADD];
    bind_text(q, 1, t->sha);
    bind_text(q, 2, t->name);
    bind_text(q, 3, t->role);
    sqlite3_bind_int64(q, 4, t->created);
    return exec_stmt(s, S_TOKEN_ADD);
}

int store_token_delete(struct store *s, const char *name)
{
    sqlite3_stmt *q = s->st[S_TOKEN_DEL];
    bind_text(q, 1, name);
    if (exec_stmt(s, S_TOKEN_DEL) != STORE_OK)
        return STORE_ERROR;
    return sqlite3_changes(s->db) > 0 ? STORE_OK : STORE_NOT_FOUND;
}

int store_tokens_each(struct store *s, void (*fn)(void *, const struct admin_token *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_TOKENS];
    struct admin_token t;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        read_token(q, &t);
        fn(ctx, &t);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_products_each(struct store *s, void (*fn)(void *, const char *), void *ctx)
{
    sqlite3_stmt *q = s->st[S_PRODUCTS];
    char name[33];
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        col_text(q, 0, name, sizeof name);
        fn(ctx, name);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
