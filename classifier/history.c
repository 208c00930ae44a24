/*
 * history.c - the comment history tables (schema in store.c, migration 3 -> 4) and every
 * statement on them, prepared once per connection and always bound (after rspamd's
 * sqlite3_backend.c, like store.c).
 *
 *   history(seq INTEGER PRIMARY KEY, id, post_id, author, email, ip, time, text_hash, sig)
 *   history_lsh(bucket INTEGER PRIMARY KEY, entries BLOB)
 *
 * history_lsh is the LSH index (minhash.h) as posting lists. A band key (band number, 32-bit
 * hash of the band) is cut in two: the band number and the top KD_HIST_BUCKET_BITS bits of
 * the hash name a bucket, one row; the next 16 bits are a check stored with each entry, so
 * that a bucket shared by unrelated bands costs a comparison in C, not a history read. An
 * entry is the check (2 bytes, little endian) followed by the comment's seq as a LEB128
 * varint; entries are appended, so a list is in seq order, earliest first.
 *
 * Why not one b-tree row per band (the layout before schema 4: history_lsh(key, seq) WITHOUT
 * ROWID)? SQLite spends ~6 bytes of cell, header and pointer on each row and random inserts
 * leave its pages about a third empty, so 12 rows of 7 bytes of data cost 171 bytes a
 * comment at 1M comments (dbstat; pages 70% full). A 2-byte check and a 3-byte seq in a
 * shared row cost ~5: with 2^16 buckets per band the lists hold ~15 entries at 1M comments
 * (76 bytes of index a comment, docs/BENCHMARKS-dup.md), ~150 at 10M, and a lookup is one
 * statement fetching 12 rows by rowid.
 *
 * Pruning deletes any set of comments, not only a prefix of seq: the time stored is the
 * comment's own date, so an import of old comments puts old times after new ones, and
 * retention by age must delete exactly the comments older than the cutoff. Their postings
 * are removed (one pass over the index: the doomed seqs are a bitmap over their range, and a
 * list is decoded only up to the largest of them, as it is in seq order), rather than left
 * for lookups to skip: a stale entry would take one of the KD_HIST_PER_CHECK places a lookup
 * reads, and a seq freed at the end of the table is given again (INTEGER PRIMARY KEY without
 * AUTOINCREMENT) to a new comment, which a stale entry would then name.
 *
 * At a million comments a prune rewrites most of the index, seconds of work; in one
 * transaction it held the model's write lock all that time, and the server's writes waited
 * for it (SQLite's busy timeout, 10 s, then they fail). So a prune is a run of short
 * transactions, in an order in which no entry ever names a seq whose row is gone:
 *   1. a claim: meta "history_prune" is bumped; a prune begun earlier and still running
 *      sees it at its next transaction and stops, so no other prune deletes rows (freeing
 *      seqs) from now on;
 *   2. the doomed set, read once in one snapshot, under no write lock;
 *   3. their postings removed, PRUNE_BUCKETS index rows a transaction;
 *   4. their history rows deleted by seq, PRUNE_ROWS a transaction.
 * A comment recorded meanwhile gets a seq past the doomed set (its rows are all still there
 * until step 4, and a seq freed in step 4 is never looked at again), whatever its date: it
 * keeps its row and entries until a later prune, as the rows are deleted by seq, not by
 * their time again. A prune stopped part-way (killed, a full disk, overtaken by another)
 * leaves doomed comments whose entries are gone and whose rows are not: no longer found as
 * duplicates (a lookup reaches rows only through the index), still counted by
 * kd_hist_stats_get (comments, oldest, and index_entries, an estimate), still labelled by
 * feedback (HS_LABELLED finds a row by id); the next prune with the same limits deletes them.
 *
 * A text is known by its hash (31 bits, history.h) and its MinHash signature together, never
 * by the hash alone. The hash alone pairs different texts: at a million comments some 230
 * pairs share one (the birthday bound, 10^12 / 2 / 2^31; test_feedback has a pair of one
 * template's texts, found among its first 101,318), and HS_TEXT_LABELLED, which looks a text's
 * learning up among every labelled comment, meets another text's once in 2,147 lookups at a
 * million (10^6 / 2^31, computed): an undo of one text took back the other's learning. The
 * hash is not widened to 64 bits: the text is not stored, so the comments recorded before a
 * migration could not be rehashed, and two kinds of key would live side by side for as long as
 * the oldest is kept. The signature is stored with every comment (since schema 4) and is as
 * much the text's: HS_LABELLED and HS_TEXT_LABELLED compare it, as dedup.c's same_text does,
 * so that two texts are taken for one only when they agree in the hash (2^-31) and in all 64
 * minima (about 16^-64 for texts that are not near copies), in old files as in new.
 */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "kindly.h"

typedef enum {
    HS_INSERT, HS_INSERT_LSH, HS_LSH_GET, HS_LSH_APPEND, HS_CANDIDATES, HS_GET, HS_GET_MANY, HS_BEGIN, HS_COMMIT, HS_ROLLBACK,
    HS_READ, HS_READ_END, HS_ANY, HS_SET_ID, HS_LABEL_GET, HS_LABELLED, HS_TEXT_LABELLED, HS_LABEL_SET, HS_SAVE, HS_SAVE_UNDO, HS_SAVE_END, HS_CUT_KEEP, HS_CLAIM, HS_CLAIMED, HS_DOOMED, HS_DELETE, HS_LSH_SCAN, HS_LSH_SET, HS_LSH_DROP, HS_COUNT, HS_BYTES, HS_LAST, HS_FIND_ID, HS_FIND_ID_OLD, HS_FIND_SEQ, HS_FIND_SEQ_OLD,
    HS__COUNT
} hs_stmt;

static const char *const sql[HS__COUNT] = {
    [HS_INSERT] = "INSERT INTO history(id, post_id, author, email, ip, time, text_hash, sig) "
                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    /* append an entry to a list shorter than LONG_LIST bytes (|| joins the bytes as text,
     * CAST keeps the column a blob); a longer list is left for insert_long() */
    [HS_INSERT_LSH] = "INSERT INTO history_lsh(bucket, entries) VALUES(?1, ?2) "
                      "ON CONFLICT(bucket) DO UPDATE SET entries = CAST(entries || excluded.entries AS BLOB) "
                      "WHERE length(entries) < ?3",
    [HS_LSH_GET] = "SELECT entries FROM history_lsh WHERE bucket = ?1",
    [HS_LSH_APPEND] = "UPDATE history_lsh SET entries = CAST(entries || ?2 AS BLOB) WHERE bucket = ?1",
    /* the 12 buckets of a comment in one statement, the constants a co-routine driving one
     * cursor: one program run and one read lock instead of twelve (an IN list would build a
     * temporary index first: 4x the cost; twelve UNION ALL arms open twelve cursors) */
    [HS_CANDIDATES] = "SELECT v.column1, h.entries FROM (VALUES (0, ?1), (1, ?2), (2, ?3), (3, ?4), (4, ?5), "
                      "(5, ?6), (6, ?7), (7, ?8), (8, ?9), (9, ?10), (10, ?11), (11, ?12)) AS v "
                      "CROSS JOIN history_lsh AS h ON h.bucket = v.column2",
    [HS_GET] = "SELECT id, post_id, author, email, ip, time, text_hash, sig FROM history WHERE seq = ?1",
    /* GET_BATCH rows in one program run, in the order bound (the co-routine drives the loop);
     * unused places are bound NULL, which matches nothing */
    [HS_GET_MANY] = "SELECT h.id, h.post_id, h.author, h.email, h.ip, h.time, h.text_hash, h.sig, h.seq "
                    "FROM (VALUES (?1), (?2), (?3), (?4), (?5), (?6), (?7), (?8), (?9), (?10), (?11), (?12), "
                    "(?13), (?14), (?15), (?16)) AS v CROSS JOIN history AS h ON h.seq = v.column1",
    [HS_BEGIN] = "BEGIN IMMEDIATE",
    [HS_COMMIT] = "COMMIT",
    [HS_ROLLBACK] = "ROLLBACK",
    [HS_READ] = "BEGIN",
    [HS_READ_END] = "COMMIT",
    [HS_ANY] = "SELECT EXISTS (SELECT 1 FROM history_lsh)",
    [HS_LABEL_GET] = "SELECT label FROM history WHERE seq = ?1",
    [HS_LABELLED] = "SELECT seq FROM history WHERE id = ?1 AND label IS NOT NULL AND text_hash = ?2 AND sig = ?3 "
                    "ORDER BY seq DESC LIMIT 1",
    /* a text's comment given label ?2, else one whose label was taken back (-1): through the
     * index of the labelled comments, as few as feedback is rare (no index on text_hash) */
    [HS_TEXT_LABELLED] = "SELECT seq, label FROM history INDEXED BY history_labelled WHERE label IS NOT NULL "
                         "AND text_hash = ?1 AND sig = ?3 AND label IN (?2, -1) ORDER BY label = ?2 DESC, seq DESC LIMIT 1",
    [HS_LABEL_SET] = "UPDATE history SET label = ?2 WHERE seq = ?1",
    [HS_SET_ID] = "UPDATE history SET id = ?2 WHERE seq = ?1 AND id IS NULL AND text_hash = ?3",
    /* one comment's rows inside a batch: all of them or none */
    [HS_SAVE] = "SAVEPOINT record",
    [HS_SAVE_UNDO] = "ROLLBACK TO record",
    [HS_SAVE_END] = "RELEASE record",
    /* the newest comment that pruning by count deletes: every seq up to it goes (seqs have
     * gaps once comments were pruned by age) */
    [HS_CUT_KEEP] = "SELECT seq FROM history ORDER BY seq DESC LIMIT 1 OFFSET ?1",
    /* the comments to prune: older than ?1 (NULL: no age limit; time <= NULL is never true)
     * or up to seq ?2 (0: no count limit); in seq order (a scan of the rowid b-tree) */
    /* a prune's claim, bumped as it begins: a prune that finds it moved stops */
    [HS_CLAIM] = "INSERT INTO meta(key, value) VALUES('history_prune', 1) "
                 "ON CONFLICT(key) DO UPDATE SET value = value + 1",
    [HS_CLAIMED] = "SELECT value FROM meta WHERE key = 'history_prune'",
    [HS_DOOMED] = "SELECT seq FROM history WHERE time <= ?1 OR seq <= ?2",
    [HS_DELETE] = "DELETE FROM history WHERE seq = ?1",
    [HS_LSH_SCAN] = "SELECT bucket, entries FROM history_lsh WHERE bucket > ?1 ORDER BY bucket LIMIT ?2",
    [HS_LSH_SET] = "UPDATE history_lsh SET entries = ?2 WHERE bucket = ?1",
    [HS_LSH_DROP] = "DELETE FROM history_lsh WHERE bucket = ?1",
    [HS_COUNT] = "SELECT count(*), min(time), max(time) FROM history",
    [HS_BYTES] = "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size)",
    [HS_LAST] = "SELECT max(seq) FROM history",
    /* the comments recorded under an id, earliest first: a scan of the table (the one index
     * on id, history_labelled, holds only the labelled ones); a history older than schema 7
     * has no label column */
    [HS_FIND_ID] = "SELECT seq, post_id, time, label FROM history WHERE id = ?1 ORDER BY seq",
    [HS_FIND_ID_OLD] = "SELECT seq, post_id, time, NULL FROM history WHERE id = ?1 ORDER BY seq",
    /* "history:SEQ", as duplicate_of names a comment recorded without an id */
    [HS_FIND_SEQ] = "SELECT seq, post_id, time, label FROM history WHERE seq = ?1 AND id IS NULL",
    [HS_FIND_SEQ_OLD] = "SELECT seq, post_id, time, NULL FROM history WHERE seq = ?1 AND id IS NULL",
};

struct kd_hist {
    sqlite3 *db;
    sqlite3_stmt *st[HS__COUNT];
    int present;
    int labels;      /* the history has its label column (schema 7) */
    int batch;
    int reading;     /* a read transaction opened by kd_hist_read_begin */
    int empty;       /* ... in which the index is empty: nothing to look up until it ends */
    char *id, *post; /* strings of the last kd_hist_get */
    unsigned prune_buckets, prune_rows; /* a prune's rows a transaction, 0: the default */
    int pruned_part; /* the last prune committed some of its work */
    int64_t step_began; /* when the prune's current transaction began (ms, monotonic) */
    char err[256];   /* the message of the last failure (kd_hist_errmsg) */
};

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return KD_OK;
    case SQLITE_NOMEM: return KD_ENOMEM;
    case SQLITE_BUSY: case SQLITE_LOCKED: return KD_EBUSY;
    default: return KD_EIO; /* SQLITE_READONLY too: a file that cannot be written, not a bad argument */
    }
}

/* A failed SQLite call: its code as a KD_E* code, and its message kept for kd_hist_errmsg.
 * Kept here because the connection's message does not last: the ROLLBACK that follows a
 * failed write succeeds and leaves "not an error" in its place. */
static int fail_rc(kd_hist *h, int src)
{
    snprintf(h->err, sizeof h->err, "%s", sqlite3_errmsg(h->db));
    /* SQLite rolls a transaction back itself after some errors (a full disk, I/O): then no
     * batch or read transaction is open any more, whatever the flags said */
    if (sqlite3_get_autocommit(h->db))
        h->batch = h->reading = 0;
    int rc = map_rc(src);
    return rc ? rc : KD_EIO;
}

/* An allocation of the history's own failed: its message, in place of an earlier failure's
 * (the connection has none for it, and the message kept last time named a failure this call
 * did not have), as store.c's oom(). */
static int oom(kd_hist *h)
{
    snprintf(h->err, sizeof h->err, "out of memory");
    return KD_ENOMEM;
}

static sqlite3_stmt *stmt(kd_hist *h, hs_stmt i)
{
    if (!h->st[i] && sqlite3_prepare_v3(h->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i], NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(h->st[i]);
    sqlite3_clear_bindings(h->st[i]);
    return h->st[i];
}

/* stmt() for a statement whose every parameter the caller binds again: the old values are
 * all replaced, so they are not cleared first (a dozen calls into SQLite saved per lookup). */
static sqlite3_stmt *stmt_all_bound(kd_hist *h, hs_stmt i)
{
    if (!h->st[i] && sqlite3_prepare_v3(h->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i], NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(h->st[i]);
    return h->st[i];
}

static int fail(kd_hist *h) { return fail_rc(h, sqlite3_errcode(h->db)); }

/* End a run of st whose last step returned src: KD_OK after a row or the end, else the
 * failure (its message taken before the reset). */
static int finish(kd_hist *h, sqlite3_stmt *st, int src)
{
    int rc = src == SQLITE_DONE || src == SQLITE_ROW ? KD_OK : fail_rc(h, src);
    sqlite3_reset(st);
    return rc;
}

static int run(kd_hist *h, sqlite3_stmt *st)
{
    if (!st)
        return fail(h);
    return finish(h, st, sqlite3_step(st));
}

int kd_hist_new(kd_hist **out, sqlite3 *db, int present, int labels)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return KD_ENOMEM;
    (*out)->db = db;
    (*out)->present = present;
    (*out)->labels = present && labels;
    /* History lookups are random reads all over a file that grows to hundreds of MB: read
     * through a memory map, set when the store opened the handle (store.c: every preloaded
     * handle, the others unless the process's heap is on huge pages; a one-comment check
     * reads a few dozen pages, each as cheap by pread() then). Each
     * recorded comment's savepoint keeps the pages it changes (a dozen index pages) in a
     * sub-journal: in memory, not in a temp file created, written and deleted for every
     * transaction (half of the system time of a `score --remember`, and a file a request in
     * the server). */
    if (present)
        sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
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

const char *kd_hist_errmsg(kd_hist *h) { return h->err[0] ? h->err : sqlite3_errmsg(h->db); }
int kd_hist_in_batch(const kd_hist *h) { return h->batch; }
void kd_hist_join(kd_hist *h, int joined) { h->batch = joined; }

/* One read transaction around the lookups of a comment: one shared lock instead of one per
 * statement (the fcntl calls were a third of the time of a lookup). */
int kd_hist_read_begin(kd_hist *h)
{
    if (!h->present || !sqlite3_get_autocommit(h->db))
        return KD_OK;
    int rc = run(h, stmt(h, HS_READ));
    h->reading = !rc;
    h->empty = 0;
    /* the snapshot cannot change while the transaction lasts: an empty index stays empty
     * (a site's first bulk run reads no index row for any of its comments) */
    sqlite3_stmt *st = rc ? NULL : stmt(h, HS_ANY);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        h->empty = sqlite3_column_int(st, 0) == 0;
    if (st)
        sqlite3_reset(st);
    return rc;
}

/* A COMMIT that fails (out of memory preparing it) is followed by a ROLLBACK, which ends a
 * read as well and loses nothing. Only a transaction still open after both is a failure, and
 * the handle stays reading, so that the next kd_hist_read_end or kd_hist_begin tries again: a
 * read left open unreported kept the connection on its old snapshot, kept the WAL from being
 * checkpointed past it, and failed every later write ("cannot start a transaction within a
 * transaction") and a pack ("database table is locked"). */
int kd_hist_read_end(kd_hist *h)
{
    if (!h->reading)
        return KD_OK;
    int rc = run(h, stmt(h, HS_READ_END));
    if (rc && !sqlite3_get_autocommit(h->db)) {
        char err[sizeof h->err];
        memcpy(err, h->err, sizeof err);
        if (run(h, stmt(h, HS_ROLLBACK)) && !sqlite3_get_autocommit(h->db))
            sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL); /* (its statement not prepared) */
        memcpy(h->err, err, sizeof err);
    }
    if (!sqlite3_get_autocommit(h->db))
        return rc ? rc : KD_EIO;
    h->reading = 0;
    return KD_OK;
}

int kd_hist_reading(const kd_hist *h) { return h->reading; }

int kd_hist_begin(kd_hist *h)
{
    if (h->batch)
        return KD_OK;
    int rc = kd_hist_read_end(h); /* a batch of lookups gives way to the writes */
    if (rc)
        return rc;
    rc = run(h, stmt(h, HS_BEGIN));
    h->batch = !rc;
    return rc;
}

/* After a failure in a write: roll back what SQLite has not rolled back itself, keeping the
 * failure's message (a ROLLBACK of nothing would replace it); the batch is over. */
static void undo(kd_hist *h)
{
    if (!sqlite3_get_autocommit(h->db)) {
        char err[sizeof h->err];
        memcpy(err, h->err, sizeof err);
        run(h, stmt(h, HS_ROLLBACK));
        memcpy(h->err, err, sizeof err);
    }
    h->batch = 0;
}

int kd_hist_commit(kd_hist *h)
{
    if (!h->batch)
        return KD_OK;
    int rc = run(h, stmt(h, HS_COMMIT));
    if (rc)
        undo(h);
    h->batch = 0;
    return rc;
}

static void bind_hash(sqlite3_stmt *st, int i, uint32_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
}

/* Where a band key goes: its bucket (the row) and its 16-bit check (stored in the entry). */
#define KD_HIST_BUCKET_BITS 16
static int64_t bucket_of(int64_t key)
{
    return ((key >> 32) << KD_HIST_BUCKET_BITS) | (int64_t)((uint32_t)key >> (32 - KD_HIST_BUCKET_BITS));
}
static unsigned check_of(int64_t key) { return (uint32_t)key & 0xffff; }

/* One entry: the check (2 bytes, little endian), then seq as LEB128. Returns its length (at
 * most 12). The check comes first so that a scan compares it before decoding anything. */
static size_t put_entry(uint8_t *p, uint64_t seq, unsigned check)
{
    size_t n = 0;
    p[n++] = (uint8_t)check;
    p[n++] = (uint8_t)(check >> 8);
    while (seq >= 0x80) {
        p[n++] = (uint8_t)(seq | 0x80);
        seq >>= 7;
    }
    p[n++] = (uint8_t)seq;
    return n;
}

/* Length of the varint at p[0..n), 0 when truncated. Lookups skip every entry of 12 lists,
 * so on little-endian machines the end byte is found in one 8-byte word. */
static inline size_t varint_len(const uint8_t *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t ends = ~w & 0x8080808080808080ULL;
        if (ends)
            return ((size_t)__builtin_ctzll(ends) >> 3) + 1;
    }
#endif
    for (size_t i = 0; i < n && i < 10; i++)
        if (!(p[i] & 0x80))
            return i + 1;
    return 0;
}

static inline uint64_t varint_get(const uint8_t *p, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    return v;
}

/* Decode the entry at p[0..n); returns its length, 0 when truncated (a damaged list ends). */
static inline size_t get_entry(const uint8_t *p, size_t n, uint64_t *seq, unsigned *check)
{
    size_t len;
    if (n < 3 || !(len = varint_len(p + 2, n - 2)))
        return 0;
    *check = p[0] | (unsigned)p[1] << 8;
    *seq = varint_get(p + 2, len);
    return len + 2;
}

/* A list of LONG_LIST bytes or more (~800 entries; at 1M comments lists average ~75 bytes)
 * is a text posted hundreds of times, a campaign: appending to it would rewrite an ever longer
 * row on every copy. Lookups read at most KD_HIST_PER_CHECK entries with a given check, the
 * earliest; so such a list keeps, of one check, the earliest KD_HIST_PER_CHECK entries and
 * the latest KD_HIST_PER_CHECK: a new entry takes the place of the earliest of the latest,
 * and the row stays as long. The latest are for when a prune has deleted the earliest (the
 * oldest, the first to go): a campaign's copies past the cap had no entry at all (they were
 * not stored), so that once its earliest copies were pruned the copies left were found by no
 * lookup, and a new copy was no duplicate. The copies between the two are not found (a
 * comment's other bands, in a campaign, are as full). */
#define LONG_LIST 4000
/* Once a list is long, only a new entry whose seq is a multiple of LATEST_STRIDE takes a place
 * (about one copy in 16: seqs count every comment); the others are not stored, as before there
 * were latest entries. Each one stored rewrites the whole row (over 4 KB, on overflow pages,
 * in each of the comment's bands), and the WAL grows with it: with every copy stored, a server
 * remembering one text copy after copy took 780-800 microseconds of CPU a comment, 300-400
 * with one in 8, 150 with one in 16, where storing none took 120-140 (tools/bench_server.sh,
 * c64-learn). The later entries then reach about 16 times further back. */
#define LATEST_STRIDE 16

static int insert_long(kd_hist *h, int64_t bucket, unsigned check, const uint8_t *e, size_t elen)
{
    sqlite3_stmt *st = stmt(h, HS_LSH_GET);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, bucket);
    int rc = sqlite3_step(st);
    unsigned same = 0;
    size_t cut = 0, cut_len = 0; /* the earliest of the latest entries of check */
    kd_buf list = KD_BUF_INIT;
    if (rc == SQLITE_ROW) {
        const uint8_t *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        for (size_t off = 0, k; p && off < n && same < 2 * KD_HIST_PER_CHECK; off += k) {
            uint64_t seq;
            unsigned c;
            if (!(k = get_entry(p + off, n - off, &seq, &c)))
                break;
            if (c == check && ++same == KD_HIST_PER_CHECK + 1) {
                cut = off;
                cut_len = k;
            }
        }
        uint64_t eseq;
        unsigned echeck;
        if (same >= 2 * KD_HIST_PER_CHECK) {
            if (get_entry(e, elen, &eseq, &echeck) && eseq % LATEST_STRIDE) {
                sqlite3_reset(st); /* not one of the copies kept: not stored */
                return KD_OK;
            }
            if (kd_buf_add(&list, p, cut) || kd_buf_add(&list, p + cut + cut_len, n - cut - cut_len) ||
                kd_buf_add(&list, e, elen)) {
                sqlite3_reset(st);
                kd_buf_free(&list);
                return oom(h);
            }
        }
    }
    if ((rc = finish(h, st, rc))) {
        kd_buf_free(&list);
        return rc;
    }
    if (same < 2 * KD_HIST_PER_CHECK) {
        if (!(st = stmt(h, HS_LSH_APPEND)))
            return fail(h);
        sqlite3_bind_int64(st, 1, bucket);
        sqlite3_bind_blob(st, 2, e, (int)elen, SQLITE_STATIC);
        return run(h, st);
    }
    if (!(st = stmt(h, HS_LSH_SET)))
        rc = fail(h);
    else {
        sqlite3_bind_int64(st, 1, bucket);
        sqlite3_bind_blob(st, 2, list.s, (int)list.len, SQLITE_STATIC);
        rc = run(h, st);
    }
    kd_buf_free(&list);
    return rc;
}

int kd_hist_last(kd_hist *h, int64_t *seq)
{
    *seq = 0;
    if (!h->present)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, HS_LAST);
    if (!st)
        return fail(h);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *seq = sqlite3_column_int64(st, 0);
    return finish(h, st, src);
}

int kd_hist_label(kd_hist *h, int64_t seq, int *label)
{
    *label = KD_UNLABELLED;
    if (!h->labels)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, HS_LABEL_GET);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, seq);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        int v = sqlite3_column_int(st, 0);
        *label = v == KD_SPAM ? KD_SPAM : v == KD_HAM ? KD_HAM : KD_HIST_UNDONE;
    }
    return finish(h, st, src);
}

int kd_hist_labelled(kd_hist *h, const char *id, uint64_t text_hash, const uint8_t sig[KD_MH_SIGBYTES], int64_t *seq)
{
    *seq = 0;
    if (!h->labels || !id || !*id)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, HS_LABELLED);
    if (!st)
        return fail(h);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)(text_hash & KD_HIST_TEXT_HASH_MASK));
    sqlite3_bind_blob(st, 3, sig, KD_MH_SIGBYTES, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *seq = sqlite3_column_int64(st, 0);
    return finish(h, st, src);
}

int kd_hist_text_labelled(kd_hist *h, uint64_t text_hash, const uint8_t sig[KD_MH_SIGBYTES], int label, int64_t *seq,
                          int *found)
{
    *seq = 0;
    *found = KD_UNLABELLED;
    if (!h->labels)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, HS_TEXT_LABELLED);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(text_hash & KD_HIST_TEXT_HASH_MASK));
    sqlite3_bind_int(st, 2, label);
    sqlite3_bind_blob(st, 3, sig, KD_MH_SIGBYTES, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        *found = sqlite3_column_int(st, 1) == label ? label : KD_HIST_UNDONE;
    }
    return finish(h, st, src);
}

int kd_hist_set_label(kd_hist *h, int64_t seq, int label)
{
    if (!h->labels)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, HS_LABEL_SET);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int(st, 2, label == KD_SPAM || label == KD_HAM ? label : KD_UNLABELLED);
    return run(h, st);
}

int kd_hist_set_id(kd_hist *h, int64_t seq, const char *id, uint64_t text_hash, int *named)
{
    *named = 0;
    if (!h->present)
        return KD_EINVAL;
    sqlite3_stmt *st = stmt(h, HS_SET_ID);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)(text_hash & KD_HIST_TEXT_HASH_MASK));
    int rc = run(h, st);
    *named = !rc && sqlite3_changes(h->db) == 1;
    return rc;
}

int kd_hist_insert(kd_hist *h, kd_hist_rec *r, const int64_t keys[KD_MH_BANDS])
{
    if (!h->present)
        return KD_EINVAL;
    int own = !h->batch, rc;
    if (own && (rc = kd_hist_begin(h)))
        return rc;
    /* in a batch, a failure part-way (a full disk after the history row and some of its index
     * entries) must not leave those for the batch's commit: a savepoint undoes them */
    if (!own && (rc = run(h, stmt(h, HS_SAVE))))
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
    sqlite3_bind_int64(st, 7, (sqlite3_int64)(r->text_hash & KD_HIST_TEXT_HASH_MASK));
    sqlite3_bind_blob(st, 8, r->sig, KD_MH_SIGBYTES, SQLITE_STATIC);
    if ((rc = run(h, st)))
        goto done;
    r->seq = sqlite3_last_insert_rowid(h->db);
    for (int i = 0; i < KD_MH_BANDS; i++) {
        if (!(st = stmt(h, HS_INSERT_LSH))) {
            rc = fail(h);
            goto done;
        }
        uint8_t e[16];
        size_t n = put_entry(e, (uint64_t)r->seq, check_of(keys[i]));
        sqlite3_bind_int64(st, 1, bucket_of(keys[i]));
        sqlite3_bind_blob(st, 2, e, (int)n, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, LONG_LIST);
        if ((rc = run(h, st)))
            goto done;
        if (!sqlite3_changes(h->db) && (rc = insert_long(h, bucket_of(keys[i]), check_of(keys[i]), e, n)))
            goto done;
    }
done:
    if (own)
        rc = rc ? (undo(h), rc) : kd_hist_commit(h);
    else if (rc && !sqlite3_get_autocommit(h->db)) {
        /* (if SQLite rolled the whole transaction back itself, a full disk, an I/O error,
         * fail_rc() ended the batch: the first error is the one to report) */
        char err[sizeof h->err];
        memcpy(err, h->err, sizeof err);
        sqlite3_stmt *u = stmt(h, HS_SAVE_UNDO), *e = stmt(h, HS_SAVE_END);
        if (u) {
            sqlite3_step(u);
            sqlite3_reset(u);
        }
        if (e) {
            sqlite3_step(e);
            sqlite3_reset(e);
        }
        memcpy(h->err, err, sizeof err);
    } else if (!rc)
        rc = run(h, stmt(h, HS_SAVE_END));
    return rc;
}

_Static_assert(KD_MH_BANDS == 12, "HS_CANDIDATES reads one bucket per band");

int kd_hist_candidates(kd_hist *h, const int64_t keys[KD_MH_BANDS], unsigned per_key,
                          int (*fn)(void *ud, int64_t seq), void *ud)
{
    if (!h->present || (h->reading && h->empty))
        return KD_OK;
    sqlite3_stmt *st = stmt_all_bound(h, HS_CANDIDATES);
    if (!st)
        return fail(h);
    for (int i = 0; i < KD_MH_BANDS; i++)
        sqlite3_bind_int64(st, i + 1, bucket_of(keys[i]));
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int band = sqlite3_column_int(st, 0);
        const uint8_t *p = sqlite3_column_blob(st, 1);
        size_t n = (size_t)sqlite3_column_bytes(st, 1);
        if (band < 0 || band >= KD_MH_BANDS)
            continue;
        unsigned want = check_of(keys[band]), found = 0;
        for (size_t off = 0, k; p && n - off >= 3 && found < per_key && !stop; off += k + 2) {
            if (!(k = varint_len(p + off + 2, n - off - 2)))
                break;
            if ((p[off] | (unsigned)p[off + 1] << 8) == want) {
                found++;
                stop = fn(ud, (int64_t)varint_get(p + off + 2, k));
            }
        }
    }
    return finish(h, st, stop ? SQLITE_DONE : rc);
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

static void read_rec(sqlite3_stmt *st, kd_hist_rec *out)
{
    out->author = (uint32_t)sqlite3_column_int64(st, 2);
    out->email = (uint32_t)sqlite3_column_int64(st, 3);
    out->ip = (uint32_t)sqlite3_column_int64(st, 4);
    out->time = sqlite3_column_int64(st, 5);
    out->text_hash = (uint64_t)sqlite3_column_int64(st, 6);
    memset(out->sig, 0, KD_MH_SIGBYTES);
    const void *b = sqlite3_column_blob(st, 7);
    if (b && sqlite3_column_bytes(st, 7) == KD_MH_SIGBYTES)
        memcpy(out->sig, b, KD_MH_SIGBYTES);
}

/* kd_hist_find_id's rows of st, bound */
static int find_rows(kd_hist *h, sqlite3_stmt *st, int (*fn)(void *ud, const kd_hist_found *f), void *ud,
                     uint64_t *n)
{
    int src, stop = 0;
    while (!stop && (src = sqlite3_step(st)) == SQLITE_ROW) {
        kd_hist_found f = { .seq = sqlite3_column_int64(st, 0), .time = sqlite3_column_int64(st, 2),
                            .label = KD_UNLABELLED };
        f.post_id = (const char *)sqlite3_column_text(st, 1);
        if (!f.post_id && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            sqlite3_reset(st);
            return oom(h);
        }
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            int v = sqlite3_column_int(st, 3);
            f.label = v == KD_SPAM ? KD_SPAM : v == KD_HAM ? KD_HAM : KD_HIST_UNDONE;
        }
        ++*n;
        stop = fn(ud, &f);
    }
    if (stop) {
        sqlite3_reset(st);
        return stop;
    }
    return finish(h, st, src);
}

/* The seq of "history:SEQ" (digits only, no sign or blank, SEQ > 0), else 0. */
static int64_t history_name(const char *id)
{
    if (strncmp(id, "history:", 8) || !id[8])
        return 0;
    int64_t seq = 0;
    for (const char *p = id + 8; *p; p++) {
        if (*p < '0' || *p > '9' || seq > (INT64_MAX - 9) / 10)
            return 0;
        seq = seq * 10 + (*p - '0');
    }
    return seq;
}

int kd_hist_find_id(kd_hist *h, const char *id, int (*fn)(void *ud, const kd_hist_found *f), void *ud, uint64_t *n)
{
    *n = 0;
    if (!h->present)
        return KD_OK;
    sqlite3_stmt *st = stmt(h, h->labels ? HS_FIND_ID : HS_FIND_ID_OLD);
    if (!st)
        return fail(h);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = find_rows(h, st, fn, ud, n);
    int64_t seq;
    /* none under that id: the name duplicate_of gives a comment recorded without one */
    if (!rc && !*n && (seq = history_name(id))) {
        if (!(st = stmt(h, h->labels ? HS_FIND_SEQ : HS_FIND_SEQ_OLD)))
            return fail(h);
        sqlite3_bind_int64(st, 1, seq);
        rc = find_rows(h, st, fn, ud, n);
    }
    return rc;
}

int kd_hist_get(kd_hist *h, int64_t seq, kd_hist_rec *out)
{
    sqlite3_stmt *st = stmt(h, HS_GET);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return KD_ENOTFOUND;
    }
    if (rc != SQLITE_ROW)
        return finish(h, st, rc);
    rc = dup_col(st, 0, &h->id);
    if (!rc)
        rc = dup_col(st, 1, &h->post);
    out->seq = seq;
    out->id = h->id;
    out->post_id = h->post;
    read_rec(st, out);
    sqlite3_reset(st);
    return rc ? oom(h) : KD_OK; /* (dup_col fails only out of memory) */
}

#define GET_BATCH 16

static int get_many(kd_hist *h, const int64_t *seqs, size_t n, int (*fn)(void *ud, const kd_hist_rec *r), void *ud)
{
    for (size_t at = 0; at < n; at += GET_BATCH) {
        sqlite3_stmt *st = stmt(h, HS_GET_MANY); /* resets and binds NULL everywhere */
        if (!st)
            return fail(h);
        for (size_t i = at; i < n && i < at + GET_BATCH; i++)
            sqlite3_bind_int64(st, (int)(i - at + 1), seqs[i]);
        int rc, urc = 0;
        while (!urc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            kd_hist_rec r;
            r.id = (const char *)sqlite3_column_text(st, 0);
            r.post_id = (const char *)sqlite3_column_text(st, 1);
            read_rec(st, &r);
            r.seq = sqlite3_column_int64(st, 8);
            urc = fn(ud, &r);
        }
        rc = finish(h, st, urc ? SQLITE_DONE : rc);
        if (urc || rc)
            return urc ? urc : rc;
    }
    return KD_OK;
}

int kd_hist_get_many(kd_hist *h, const int64_t *seqs, size_t n, int (*fn)(void *ud, const kd_hist_rec *r), void *ud)
{
    /* one statement reads one snapshot; several share one when a read transaction is open
     * (one this opens, or the caller's: that one it leaves open) */
    int own = n > GET_BATCH && !h->reading;
    int rc = own ? kd_hist_read_begin(h) : KD_OK;
    if (!rc)
        rc = get_many(h, seqs, n, fn, ud);
    if (own) {
        int erc = kd_hist_read_end(h);
        if (!rc)
            rc = erc;
    }
    return rc;
}

/* The seqs of the comments being pruned, as a bitmap over lo..hi. */
typedef struct doomed {
    uint64_t lo, hi;
    uint8_t *bits;
    size_t nbytes;
} doomed;

static int doomed_add(doomed *d, uint64_t seq)
{
    if (!d->bits)
        d->lo = d->hi = seq;
    if (seq < d->lo) /* the scan is in seq order: not reached, but stay correct */
        return KD_EINVAL;
    size_t need = (size_t)((seq - d->lo) >> 3) + 1;
    if (need > d->nbytes) {
        size_t cap = d->nbytes ? d->nbytes : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *nb = realloc(d->bits, cap);
        if (!nb)
            return KD_ENOMEM;
        memset(nb + d->nbytes, 0, cap - d->nbytes);
        d->bits = nb;
        d->nbytes = cap;
    }
    d->bits[(seq - d->lo) >> 3] |= (uint8_t)(1u << ((seq - d->lo) & 7));
    if (seq > d->hi)
        d->hi = seq;
    return KD_OK;
}

static int is_doomed(const doomed *d, uint64_t seq)
{
    return seq >= d->lo && seq <= d->hi && (d->bits[(seq - d->lo) >> 3] >> ((seq - d->lo) & 7) & 1);
}

/* Bind the pruning predicate (HS_DOOMED, HS_DELETE) to st. */
static void bind_doomed(sqlite3_stmt *st, int64_t before, int64_t upto)
{
    if (before != INT64_MIN)
        sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int64(st, 2, upto);
}

static int collect_doomed(kd_hist *h, int64_t before, int64_t upto, doomed *d)
{
    sqlite3_stmt *st = stmt(h, HS_DOOMED);
    if (!st)
        return fail(h);
    bind_doomed(st, before, upto);
    int src, rc = KD_OK;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW)
        rc = doomed_add(d, (uint64_t)sqlite3_column_int64(st, 0));
    if (rc) {
        sqlite3_reset(st);
        return rc == KD_ENOMEM ? oom(h) : rc;
    }
    return finish(h, st, src);
}

/* The seq up to which pruning by count deletes, 0 when it deletes nothing. */
static int keep_cut(kd_hist *h, uint64_t keep, int64_t *upto)
{
    *upto = 0;
    sqlite3_stmt *st = stmt(h, HS_CUT_KEEP);
    if (!st)
        return fail(h);
    sqlite3_bind_int64(st, 1, (int64_t)(keep > INT64_MAX ? INT64_MAX : keep));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *upto = sqlite3_column_int64(st, 0);
    return finish(h, st, rc);
}

/* Copy list p[0..n) to out without the entries of doomed seqs; *dropped says whether any
 * went. The list is in seq order, so decoding stops past d->hi; a damaged tail is kept as
 * it is (lookups stop there anyway). Kept runs are copied whole. */
static int filter_list(const uint8_t *p, size_t n, const doomed *d, kd_buf *out, int *dropped)
{
    size_t off = 0, from = 0, k;
    uint64_t seq;
    unsigned check;
    *dropped = 0;
    while (off < n && (k = get_entry(p + off, n - off, &seq, &check)) && seq <= d->hi) {
        if (is_doomed(d, seq)) {
            if (kd_buf_add(out, p + from, off - from))
                return KD_ENOMEM;
            from = off + k;
            *dropped = 1;
        }
        off += k;
    }
    if (*dropped && kd_buf_add(out, p + from, n - from))
        return KD_ENOMEM;
    return KD_OK;
}

static int count(kd_hist *h, hs_stmt which, int64_t *v, int n)
{
    sqlite3_stmt *st = stmt(h, which);
    if (!st)
        return fail(h);
    int rc = sqlite3_step(st);
    for (int i = 0; i < n && rc == SQLITE_ROW; i++)
        v[i] = sqlite3_column_int64(st, i);
    return finish(h, st, rc);
}

/* Rows a transaction of a prune reads or writes: index rows (~10 ms at a million comments,
 * a tenth of the index written by each 19), history rows deleted (a few ms). */
#define PRUNE_BUCKETS 4096
#define PRUNE_ROWS 4096

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* After a transaction of a prune, a pause as long as it took (100 ms at most). SQLite's lock
 * is not a queue: a writer waiting for it sleeps and polls (1, 2, 5, 10 ... 100 ms), and a
 * prune that took it again at once would win nearly every time; the server's writes waited
 * up to 0.24 s behind 10 ms transactions so. Idle half the time, the prune lets most polls
 * in. */
static void step_pause(kd_hist *h)
{
    int64_t took = now_ms() - h->step_began;
    if (took > 0)
        sqlite3_sleep((int)(took < 100 ? took : 100));
}

/* Open one transaction of a prune and check that the prune still holds its claim: a prune
 * begun since has taken it over (see the file's comment) and this one stops. */
static int step_begin(kd_hist *h, int64_t claim)
{
    int64_t now = 0;
    h->step_began = now_ms();
    int rc = kd_hist_begin(h);
    if (!rc && !(rc = count(h, HS_CLAIMED, &now, 1)) && now != claim) {
        snprintf(h->err, sizeof h->err, "another prune of the history began while this one ran");
        rc = KD_EBUSY;
    }
    if (rc)
        undo(h);
    return rc;
}

/* Drop the entries of the doomed seqs from every posting list, a chunk of rows at a time, each
 * in a transaction of its own (rows are not changed while a statement reads them); a list left
 * empty goes. The rows of a bucket made or grown meanwhile hold only seqs given since. */
static int prune_index(kd_hist *h, const doomed *d, int64_t claim)
{
    size_t chunk = h->prune_buckets ? h->prune_buckets : PRUNE_BUCKETS;
    struct edit { int64_t bucket; size_t len; } *ed = malloc(chunk * sizeof *ed);
    kd_buf keep = KD_BUF_INIT; /* the kept lists of a chunk, one after another */
    int rc = KD_OK;
    if (!ed)
        return oom(h);
    int64_t after = -1;
    for (;;) {
        if ((rc = step_begin(h, claim)))
            goto done;
        sqlite3_stmt *st = stmt(h, HS_LSH_SCAN);
        if (!st) {
            rc = fail(h);
            goto done;
        }
        sqlite3_bind_int64(st, 1, after);
        sqlite3_bind_int64(st, 2, (int64_t)chunk);
        size_t ne = 0, rows = 0;
        kd_buf_clear(&keep);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            rows++;
            after = sqlite3_column_int64(st, 0);
            const uint8_t *p = sqlite3_column_blob(st, 1);
            size_t n = (size_t)sqlite3_column_bytes(st, 1), was = keep.len;
            int dropped;
            if (p && (rc = filter_list(p, n, d, &keep, &dropped))) {
                sqlite3_reset(st);
                rc = oom(h);
                goto done;
            }
            if (!p || !dropped)
                continue;
            ed[ne].bucket = after;
            ed[ne++].len = keep.len - was;
        }
        if ((rc = finish(h, st, src)))
            goto done;
        size_t at = 0;
        for (size_t i = 0; i < ne; i++) {
            if (!(st = stmt(h, ed[i].len ? HS_LSH_SET : HS_LSH_DROP))) {
                rc = fail(h);
                goto done;
            }
            sqlite3_bind_int64(st, 1, ed[i].bucket);
            if (ed[i].len)
                sqlite3_bind_blob(st, 2, keep.s + at, (int)ed[i].len, SQLITE_STATIC);
            at += ed[i].len;
            if ((rc = run(h, st)))
                goto done;
        }
        if ((rc = kd_hist_commit(h)))
            goto done;
        h->pruned_part = 1;
        if (rows < chunk)
            break;
        step_pause(h);
    }
done:
    if (rc)
        undo(h);
    free(ed);
    kd_buf_free(&keep);
    return rc;
}

/* Delete the history rows of the doomed seqs, a chunk at a time, each in a transaction of its
 * own; by seq, not by their time again: a comment recorded since with an old date was not
 * taken out of the index, and must stay until a later prune takes both. */
static int prune_rows(kd_hist *h, const doomed *d, int64_t claim, uint64_t *removed)
{
    size_t chunk = h->prune_rows ? h->prune_rows : PRUNE_ROWS;
    uint64_t seq = d->lo;
    int rc = KD_OK;
    while (seq <= d->hi) {
        if ((rc = step_begin(h, claim)))
            return rc;
        uint64_t gone = 0;
        for (size_t n = 0; seq <= d->hi && n < chunk; seq++) {
            if (!is_doomed(d, seq))
                continue;
            sqlite3_stmt *st = stmt(h, HS_DELETE);
            if (!st) {
                rc = fail(h);
                break;
            }
            sqlite3_bind_int64(st, 1, (int64_t)seq);
            if ((rc = run(h, st)))
                break;
            gone += (uint64_t)sqlite3_changes(h->db);
            n++;
        }
        if (rc) {
            undo(h);
            return rc;
        }
        if ((rc = kd_hist_commit(h)))
            return rc;
        *removed += gone;
        h->pruned_part = 1;
        if (seq <= d->hi)
            step_pause(h);
    }
    return KD_OK;
}

int kd_hist_prune(kd_hist *h, int64_t before, uint64_t keep, uint64_t *removed)
{
    uint64_t n = 0;
    int64_t claim = 0, upto = 0;
    doomed d = { 0, 0, NULL, 0 };
    if (removed)
        *removed = 0;
    h->pruned_part = 0;
    if (!h->present)
        return KD_OK;
    /* a batch of the caller's is committed first, as every step commits its own */
    int rc = kd_hist_commit(h);
    if (rc)
        return rc;
    /* the claim, in a transaction of its own */
    if (!(rc = kd_hist_begin(h)) && !(rc = run(h, stmt(h, HS_CLAIM))))
        rc = count(h, HS_CLAIMED, &claim, 1);
    if ((rc = rc ? (undo(h), rc) : kd_hist_commit(h)))
        return rc;
    /* the doomed set, read in one snapshot without the write lock: no other prune deletes
     * any more, and what is recorded from now on has seqs past all of it */
    if ((rc = kd_hist_read_begin(h)))
        return rc;
    if (keep)
        rc = keep_cut(h, keep, &upto);
    if (!rc && (before != INT64_MIN || upto))
        rc = collect_doomed(h, before, upto, &d);
    int erc = kd_hist_read_end(h);
    if (!rc)
        rc = erc;
    if (!rc && d.bits && !(rc = prune_index(h, &d, claim)))
        rc = prune_rows(h, &d, claim, &n);
    free(d.bits);
    if (removed)
        *removed = n;
    return rc;
}

int kd_hist_pruned_part(const kd_hist *h) { return h->pruned_part; }

void kd_hist_prune_chunks(kd_hist *h, unsigned buckets, unsigned rows)
{
    h->prune_buckets = buckets;
    h->prune_rows = rows;
}

int kd_hist_stats_get(kd_hist *h, kd_hist_stats *out)
{
    memset(out, 0, sizeof *out);
    int64_t v[3] = { 0, 0, 0 }, bytes = 0;
    int rc = KD_OK;
    if (h->present && (rc = count(h, HS_COUNT, v, 3)))
        return rc;
    if ((rc = count(h, HS_BYTES, &bytes, 1)))
        return rc;
    out->comments = (uint64_t)v[0];
    out->oldest = v[1];
    out->newest = v[2];
    /* every recorded comment has one entry per band, and pruning removes all of them */
    out->index_entries = (uint64_t)v[0] * KD_MH_BANDS;
    out->bytes = (uint64_t)bytes;
    return KD_OK;
}
