/*
 * history.c - the comment history tables (schema in store.c, migration 1 -> 2) and every
 * statement on them, prepared once per connection and always bound (after rspamd's
 * sqlite3_backend.c, like store.c).
 *
 *   history(seq INTEGER PRIMARY KEY, id, post_id, author, email, ip, time, text_hash, sig)
 *   history_lsh(key, seq) WITHOUT ROWID, PRIMARY KEY(key, seq)
 *
 * history_lsh is the LSH index (minhash.h): one row per band, keyed by the band key, so that
 * a lookup is KD_MH_BANDS range scans that return the earliest comments first. A row costs
 * about 14 bytes on disk, which is why the band key fits in 31 bits (a 4-byte integer).
 * Pruning deletes a prefix of seq: comments are pruned oldest first.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "kindly.h"

typedef enum {
    HS_INSERT, HS_INSERT_LSH, HS_CANDIDATES, HS_GET, HS_BEGIN, HS_COMMIT, HS_ROLLBACK,
    HS_READ, HS_READ_END, HS_CUT_TIME, HS_CUT_KEEP, HS_DELETE, HS_DELETE_LSH, HS_COUNT, HS_COUNT_LSH, HS_BYTES,
    HS__COUNT
} hs_stmt;

static const char *const sql[HS__COUNT] = {
    [HS_INSERT] = "INSERT INTO history(id, post_id, author, email, ip, time, text_hash, sig) "
                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [HS_INSERT_LSH] = "INSERT OR IGNORE INTO history_lsh(key, seq) VALUES(?1, ?2)",
    [HS_CANDIDATES] = "SELECT seq FROM history_lsh WHERE key = ?1 ORDER BY seq LIMIT ?2",
    [HS_GET] = "SELECT id, post_id, author, email, ip, time, text_hash, sig FROM history WHERE seq = ?1",
    [HS_BEGIN] = "BEGIN IMMEDIATE",
    [HS_COMMIT] = "COMMIT",
    [HS_ROLLBACK] = "ROLLBACK",
    [HS_READ] = "BEGIN",
    [HS_READ_END] = "COMMIT",
    [HS_CUT_TIME] = "SELECT max(seq) FROM history WHERE time <= ?1",
    [HS_CUT_KEEP] = "SELECT max(seq) - ?1 FROM history",
    [HS_DELETE] = "DELETE FROM history WHERE seq <= ?1",
    [HS_DELETE_LSH] = "DELETE FROM history_lsh WHERE seq <= ?1",
    [HS_COUNT] = "SELECT count(*), min(time), max(time) FROM history",
    [HS_COUNT_LSH] = "SELECT count(*) FROM history_lsh",
    [HS_BYTES] = "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size)",
};

struct kd_hist {
    sqlite3 *db;
    sqlite3_stmt *st[HS__COUNT];
    int present;
    int batch;
    int reading;     /* a read transaction opened by kd_hist_read_begin */
    char *id, *post; /* strings of the last kd_hist_get */
};

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return KD_OK;
    case SQLITE_NOMEM: return KD_ENOMEM;
    case SQLITE_BUSY: case SQLITE_LOCKED: return KD_EBUSY;
    case SQLITE_READONLY: return KD_EINVAL;
    default: return KD_EIO;
    }
}

static sqlite3_stmt *stmt(kd_hist *h, hs_stmt i)
{
    if (!h->st[i] && sqlite3_prepare_v3(h->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i], NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(h->st[i]);
    sqlite3_clear_bindings(h->st[i]);
    return h->st[i];
}

static int fail(kd_hist *h) { int rc = map_rc(sqlite3_errcode(h->db)); return rc ? rc : KD_EIO; }

static int run(kd_hist *h, sqlite3_stmt *st)
{
    if (!st)
        return fail(h);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? KD_OK : map_rc(rc);
}

int kd_hist_new(kd_hist **out, sqlite3 *db, int present)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return KD_ENOMEM;
    (*out)->db = db;
    (*out)->present = present;
    /* History lookups are random reads all over a file that grows to hundreds of MB: read
     * it through a memory map (shared with the OS page cache, no read() per page). A hint:
     * SQLite ignores it where mmap is unavailable. */
    if (present)
        sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    return KD_OK;
}

void kd_hist_free(kd_hist *h)
{
    if (!h)
        return;
    if (h->batch)
        run(h, stmt(h, HS_ROLLBACK));
    for (int i = 0; i < HS__COUNT; i++)
        sqlite3_finalize(h->st[i]);
    free(h->id);
    free(h->post);
    free(h);
}

const char *kd_hist_errmsg(kd_hist *h) { return sqlite3_errmsg(h->db); }
int kd_hist_in_batch(const kd_hist *h) { return h->batch; }

/* One read transaction around the lookups of a comment: one shared lock instead of one per
 * statement (the fcntl calls were a third of the time of a lookup). */
int kd_hist_read_begin(kd_hist *h)
{
    if (!h->present || !sqlite3_get_autocommit(h->db))
        return KD_OK;
    int rc = run(h, stmt(h, HS_READ));
    h->reading = !rc;
    return rc;
}

void kd_hist_read_end(kd_hist *h)
{
    if (h->reading)
        run(h, stmt(h, HS_READ_END));
    h->reading = 0;
}

int kd_hist_begin(kd_hist *h)
{
    if (h->batch)
        return KD_OK;
    int rc = run(h, stmt(h, HS_BEGIN));
    h->batch = !rc;
    return rc;
}

int kd_hist_commit(kd_hist *h)
{
    if (!h->batch)
        return KD_OK;
    int rc = run(h, stmt(h, HS_COMMIT));
    if (rc)
        run(h, stmt(h, HS_ROLLBACK));
    h->batch = 0;
    return rc;
}

static void bind_hash(sqlite3_stmt *st, int i, uint32_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
}

int kd_hist_insert(kd_hist *h, kd_hist_rec *r, const int64_t keys[KD_MH_BANDS])
{
    if (!h->present)
        return KD_EINVAL;
    int own = !h->batch, rc;
    if (own && (rc = kd_hist_begin(h)))
        return rc;
    sqlite3_stmt *st = stmt(h, HS_INSERT);
    if (!st) {
        rc = fail(h);
        goto done;
    }
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->post_id, -1, SQLITE_STATIC);
    bind_hash(st, 3, r->author);
    bind_hash(st, 4, r->email);
    bind_hash(st, 5, r->ip);
    sqlite3_bind_int64(st, 6, r->time);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)r->text_hash);
    sqlite3_bind_blob(st, 8, r->sig, KD_MH_SIGBYTES, SQLITE_STATIC);
    if ((rc = run(h, st)))
        goto done;
    r->seq = sqlite3_last_insert_rowid(h->db);
    for (int i = 0; i < KD_MH_BANDS; i++) {
        if (!(st = stmt(h, HS_INSERT_LSH))) {
            rc = fail(h);
            goto done;
        }
        sqlite3_bind_int64(st, 1, keys[i]);
        sqlite3_bind_int64(st, 2, r->seq);
        if ((rc = run(h, st)))
            goto done;
    }
done:
    if (own)
        rc = rc ? (run(h, stmt(h, HS_ROLLBACK)), h->batch = 0, rc) : kd_hist_commit(h);
    return rc;
}

int kd_hist_candidates(kd_hist *h, const int64_t keys[KD_MH_BANDS], unsigned per_key,
                          int (*fn)(void *ud, int64_t seq), void *ud)
{
    if (!h->present)
        return KD_OK;
    for (int i = 0; i < KD_MH_BANDS; i++) {
        sqlite3_stmt *st = stmt(h, HS_CANDIDATES);
        if (!st)
            return fail(h);
        sqlite3_bind_int64(st, 1, keys[i]);
        sqlite3_bind_int64(st, 2, per_key);
        int rc, stop = 0;
        while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
            stop = fn(ud, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
        if (stop)
            return KD_OK;
        if (rc != SQLITE_DONE)
            return map_rc(rc);
    }
    return KD_OK;
}

static int dup_col(sqlite3_stmt *st, int i, char **into)
{
    free(*into);
    *into = NULL;
    const unsigned char *s = sqlite3_column_text(st, i);
    if (s && !(*into = strdup((const char *)s)))
        return KD_ENOMEM;
    return KD_OK;
}

int kd_hist_get(kd_hist *h, int64_t seq, kd_hist_rec *out)
{
    sqlite3_stmt *st = stmt(h, HS_GET);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, seq);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? KD_ENOTFOUND : map_rc(rc);
    }
    rc = dup_col(st, 0, &h->id);
    if (!rc)
        rc = dup_col(st, 1, &h->post);
    out->seq = seq;
    out->id = h->id;
    out->post_id = h->post;
    out->author = (uint32_t)sqlite3_column_int64(st, 2);
    out->email = (uint32_t)sqlite3_column_int64(st, 3);
    out->ip = (uint32_t)sqlite3_column_int64(st, 4);
    out->time = sqlite3_column_int64(st, 5);
    out->text_hash = (uint64_t)sqlite3_column_int64(st, 6);
    memset(out->sig, 0, KD_MH_SIGBYTES);
    const void *b = sqlite3_column_blob(st, 7);
    if (b && sqlite3_column_bytes(st, 7) == KD_MH_SIGBYTES)
        memcpy(out->sig, b, KD_MH_SIGBYTES);
    sqlite3_reset(st);
    return rc;
}

static int cut(kd_hist *h, hs_stmt which, int64_t arg, int64_t *seq)
{
    sqlite3_stmt *st = stmt(h, which);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, arg);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        int64_t v = sqlite3_column_int64(st, 0);
        if (v > *seq)
            *seq = v;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KD_OK : map_rc(rc);
}

int kd_hist_prune(kd_hist *h, int64_t before, uint64_t keep, uint64_t *removed)
{
    if (removed)
        *removed = 0;
    if (!h->present)
        return KD_OK;
    int64_t upto = 0;
    int rc = kd_hist_begin(h);
    if (rc)
        return rc;
    if (before != INT64_MIN && (rc = cut(h, HS_CUT_TIME, before, &upto)))
        goto done;
    if (keep && (rc = cut(h, HS_CUT_KEEP, (int64_t)(keep > INT64_MAX ? INT64_MAX : keep), &upto)))
        goto done;
    if (upto > 0) {
        sqlite3_stmt *st = stmt(h, HS_DELETE);
        if (!st) {
            rc = fail(h);
            goto done;
        }
        sqlite3_bind_int64(st, 1, upto);
        if ((rc = run(h, st)))
            goto done;
        if (removed)
            *removed = (uint64_t)sqlite3_changes64(h->db);
        if (!(st = stmt(h, HS_DELETE_LSH))) {
            rc = fail(h);
            goto done;
        }
        sqlite3_bind_int64(st, 1, upto);
        rc = run(h, st);
    }
done:
    if (rc) {
        run(h, stmt(h, HS_ROLLBACK));
        h->batch = 0;
        return rc;
    }
    return kd_hist_commit(h);
}

static int count(kd_hist *h, hs_stmt which, int64_t *v, int n)
{
    sqlite3_stmt *st = stmt(h, which);
    if (!st)
        return fail(h);
    int rc = sqlite3_step(st);
    for (int i = 0; i < n && rc == SQLITE_ROW; i++)
        v[i] = sqlite3_column_int64(st, i);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? KD_OK : map_rc(rc);
}

int kd_hist_stats_get(kd_hist *h, kd_hist_stats *out)
{
    memset(out, 0, sizeof *out);
    int64_t v[3] = { 0, 0, 0 }, n = 0, bytes = 0;
    int rc = KD_OK;
    if (h->present && ((rc = count(h, HS_COUNT, v, 3)) || (rc = count(h, HS_COUNT_LSH, &n, 1))))
        return rc;
    if ((rc = count(h, HS_BYTES, &bytes, 1)))
        return rc;
    out->comments = (uint64_t)v[0];
    out->oldest = v[1];
    out->newest = v[2];
    out->index_entries = (uint64_t)n;
    out->bytes = (uint64_t)bytes;
    return KD_OK;
}
