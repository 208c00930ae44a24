/*
 * store.c - the SQLite file behind a model.
 *
 * One file is the whole state of a deployment. Tokens are keyed by their 64-bit hash
 * (tokmap.h), which makes the token table an INTEGER PRIMARY KEY b-tree: the most compact
 * layout SQLite has, and a point lookup that touches two or three pages.
 *
 * Counts are sums. Training, feedback and merging all add deltas, clamped at zero, inside one
 * IMMEDIATE transaction, so a process killed half-way leaves the previous model intact and
 * two models trained on shards merge into the model of the whole.
 *
 * Schema changes are migrations: migrations[i] takes the file from user_version i to i+1.
 * A file newer than this library is refused; an older one is migrated when opened for
 * writing and read as it is otherwise (stages whose tables it lacks see them as empty). Writable models use WAL so that readers (the server)
 * go on while a writer (a retrain) commits.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "kindly.h"
#include "normalize.h"
#include "tokmap.h"

#define KD_APPLICATION_ID 0x4b4e4459 /* "KNDY" */

/* The precision that prints at most max bytes of s, ending at a character rather than inside
 * one: a path cut to fit a message ("%.*s", upto(path, 150), path) keeps its message valid
 * UTF-8, whatever the letters of its directories. */
static int upto(const char *s, int max)
{
    int n = 0;
    while (n < max && s[n])
        n++;
    if (!s[n] || n == 0)
        return n;
    return kd_utf8_cut(s, n); /* s[n], the first byte left out */
}

static const char *const migrations[] = {
    /* 0 -> 1: token counts and totals */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE tokens(h INTEGER PRIMARY KEY, spam INTEGER NOT NULL, ham INTEGER NOT NULL);",
    /* 1 -> 2: comment history for duplicate detection (owned by history.c / dedup.c): author,
     * e-mail and IP as 32-bit hashes (INTEGER affinity keeps them 4-byte integers), the
     * 32-byte MinHash signature; exact copies are found through the LSH index, as they share
     * every band, so the text hash needs no index of its own */
    "CREATE TABLE history(seq INTEGER PRIMARY KEY, id TEXT, post_id TEXT, author INTEGER, email INTEGER,"
    " ip INTEGER, time INTEGER NOT NULL, text_hash INTEGER NOT NULL, sig BLOB NOT NULL);"
    "CREATE TABLE history_lsh(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(key, seq)) WITHOUT ROWID;",
    /* 2 -> 3: posts for relevance (owned by posts.c / relevance.c) */
    "CREATE TABLE posts(post_id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',"
    " updated INTEGER) WITHOUT ROWID;",
    /* 3 -> 4: the history for one-permutation MinHash (minhash.h, KD_MH_VERSION 2) with the
     * LSH index as posting lists (history.c) and a 31-bit text hash. The old signatures
     * cannot be converted (the texts are not stored) and would not match new ones, so the
     * old history is dropped: duplicates of comments recorded before the upgrade are no
     * longer found; the history fills again as comments are remembered. */
    "DROP TABLE history_lsh; DROP TABLE history;"
    "CREATE TABLE history(seq INTEGER PRIMARY KEY, id TEXT, post_id TEXT, author INTEGER, email INTEGER,"
    " ip INTEGER, time INTEGER NOT NULL, text_hash INTEGER NOT NULL, sig BLOB NOT NULL);"
    "CREATE TABLE history_lsh(bucket INTEGER PRIMARY KEY, entries BLOB NOT NULL);",
    /* 4 -> 5: the words of each post's approved comments, for relevance (owned by posts.c):
     * post = kd_hash64(post_id), h = the word's stem key (kd_word_key), n = its occurrences
     * in the learnt ham comments of that post, each distinct word form of a comment once
     * ("journal" and "journals" in one comment: 2), the counts of the post's unigram model
     * (relevance.c). Sums like the token counts (merge adds them). */
    "CREATE TABLE post_terms(post INTEGER NOT NULL, h INTEGER NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY(post, h)) WITHOUT ROWID;",
    /* 5 -> 6: the share of the ham counts learnt from comments of other sites or corpora
     * (kd_train_add_ex with KD_TRAIN_FOREIGN): h = the hash of a content word (stopwords.c:
     * the only tokens relevance looks up), n = how many foreign ham comments use it, a part of
     * tokens.ham; the meta total 'foreign_ham_tokens' counts all their distinct tokens, like
     * 'ham_tokens'. They teach the spam stage like any ham, but are not what this site's
     * readers write, so relevance subtracts them (relevance.c). Sums like the token counts. */
    "CREATE TABLE foreign_ham(h INTEGER PRIMARY KEY, n INTEGER NOT NULL);",
    /* 6 -> 7: the label moderator feedback gave a remembered comment (kd_feedback, dedup.c):
     * NULL none, 1 spam, 0 ham (kd_label), -1 taken back. The same label again learns nothing; the other
     * label unlearns the first (WordPress's Spam, then Not spam, then a retry). */
    "ALTER TABLE history ADD COLUMN label INTEGER;"
    /* the labelled comments by id: found even when the LSH index holds only the earliest
     * copies of a text (a campaign's later ones); few rows, as feedback is rare */
    "CREATE INDEX history_labelled ON history(id) WHERE label IS NOT NULL;",
    /* 7 -> 8: what a merge took in, so that the same counts are not added twice
     * (kd_store_merge): each model merged into this one, by its identity (the meta
     * "model_id", given to every model when this migration creates or upgrades it, kept by
     * training, copied with the file), with the generation and message counts it had then,
     * when and under which path; the models it had itself taken in come along */
    "CREATE TABLE merged(id INTEGER PRIMARY KEY, generation INTEGER NOT NULL, spam_messages INTEGER NOT NULL,"
    " ham_messages INTEGER NOT NULL, time INTEGER NOT NULL, path TEXT NOT NULL);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* "prune_slack": the sum, over every pruning (kd_store_prune) that dropped tokens, of N - 1,
 * the most foreign counts a token pruned at N can have had; in this model and in the models
 * merged into it (a sum like the counts: two shards each pruned at 2 may each have dropped
 * one foreign count of the same word, and so may two prunings of one model). Absent when no
 * pruning dropped a token. It tells an undo of foreign comments how many foreign counts of a
 * token pruning may have taken (kd_store_foreign_mismatch). */
#define PRUNE_SLACK "prune_slack"
/* A model pruned by the kindly that kept "pruned_below" instead (the largest N of its
 * prunings, not a sum) is read as having prune_slack N - 1 until a pruning or a merge writes
 * prune_slack, which then includes it. */
#define SLACK_NOW                                                                                              \
    "coalesce((SELECT value FROM meta WHERE key = '" PRUNE_SLACK "'),"                                          \
    " (SELECT max(value - 1, 0) FROM meta WHERE key = 'pruned_below'))"

typedef enum {
    ST_TOKEN_GET,
    ST_TOKEN_ALL,
    ST_TOKEN_ADD,
    ST_TOKEN_ADD_ALL,
    ST_TOKEN_COUNT,
    ST_TOKEN_ZAP,
    ST_FOREIGN_GET,
    ST_FOREIGN_ALL,
    ST_FOREIGN_ADD,
    ST_FOREIGN_ZAP,
    ST_META_GET,
    ST_META_ADD,
    ST_SLACK_GET,
    ST_SLACK_ADD,
    ST_TOKENS_SUM,
    ST_VOCAB_SET,
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_DATA_VERSION,
    ST_TOTAL_PAST,
    ST__COUNT
} kd_stmt;

static const char *const sql[ST__COUNT] = {
    [ST_TOKEN_GET] = "SELECT spam, ham FROM tokens WHERE h = ?1",
    /* the whole table read in one step: kd_load_row() files each row away (load_rows) */
    [ST_TOKEN_ALL] = "SELECT 1 FROM tokens WHERE kd_load_row(h, spam, ham)",
    [ST_TOKEN_ADD] = "INSERT INTO tokens(h, spam, ham) VALUES(?1, max(?2, 0), max(?3, 0)) "
                     "ON CONFLICT(h) DO UPDATE SET spam = max(spam + ?2, 0), ham = max(ham + ?3, 0)",
    /* the same for a whole batch of deltas none of which is negative (so max(?, 0) of the
     * row inserted is the delta itself), read from the kd_batch_rows table (below): one
     * statement instead of one per token; "WHERE true" tells the parser that ON CONFLICT
     * belongs to the INSERT, not to a join */
    [ST_TOKEN_ADD_ALL] = "INSERT INTO tokens(h, spam, ham) SELECT h, spam, ham FROM kd_batch_rows(?1) WHERE true "
                         "ON CONFLICT(h) DO UPDATE SET spam = max(spam + excluded.spam, 0), "
                         "ham = max(ham + excluded.ham, 0)",
    [ST_TOKEN_COUNT] = "SELECT count(*) FROM tokens",
    [ST_TOKEN_ZAP] = "DELETE FROM tokens WHERE spam = 0 AND ham = 0",
    [ST_FOREIGN_GET] = "SELECT n FROM foreign_ham WHERE h = ?1",
    [ST_FOREIGN_ALL] = "SELECT 1 FROM foreign_ham WHERE kd_load_row(h, n)",
    [ST_FOREIGN_ADD] = "INSERT INTO foreign_ham(h, n) VALUES(?1, max(?2, 0)) "
                       "ON CONFLICT(h) DO UPDATE SET n = max(n + ?2, 0)",
    /* rows at 0, and rows of tokens no longer stored (deleted at zero counts or pruned) */
    [ST_FOREIGN_ZAP] = "DELETE FROM foreign_ham WHERE n <= 0 OR h NOT IN (SELECT h FROM tokens)",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_ADD] = "INSERT INTO meta(key, value) VALUES(?1, max(?2, 0)) "
                    "ON CONFLICT(key) DO UPDATE SET value = max(value + ?2, 0)",
    [ST_SLACK_GET] = "SELECT coalesce(" SLACK_NOW ", 0)",
    [ST_SLACK_ADD] = "INSERT INTO meta(key, value) VALUES('" PRUNE_SLACK "', ?1 + coalesce(" SLACK_NOW ", 0)) "
                     "ON CONFLICT(key) DO UPDATE SET value = value + ?1",
    [ST_TOKENS_SUM] = "SELECT total(spam), total(ham) FROM tokens",
    [ST_VOCAB_SET] = "INSERT INTO meta(key, value) VALUES('vocab', (SELECT count(*) FROM tokens)), ('generation', 1) "
                     "ON CONFLICT(key) DO UPDATE SET value = CASE key WHEN 'vocab' THEN excluded.value ELSE value + 1 END",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    /* a total that an addition took past 2^63 - 1: SQLite makes the sum a REAL, inexact */
    [ST_TOTAL_PAST] = "SELECT key FROM meta WHERE typeof(value) <> 'integer' LIMIT 1",
};

/* Sums kept in meta. "vocab" (the number of distinct tokens) is kept there too, recounted
 * whenever tokens are written, so that readers never scan the token table for it, and
 * "generation", bumped by every write of tokens or posts, so that a reader holding the
 * counts in memory reloads them only when they changed (not when, say, the history grew:
 * in the server, every request that records a comment commits). "posts_generation" is
 * bumped only by writes of posts or post_terms, for the posts' statistics (posts.c): they
 * cost far more to rebuild than the counts, and feedback that teaches no post's words (spam,
 * or ham without a post_id) must not make every reader rebuild them. It is not a total:
 * absent (0) in files no writer of posts touched since it exists.
 * "foreign_ham_tokens" (schema 6) is the share of ham_tokens learnt as foreign; it is written
 * only when non-zero, so a model without foreign comments has no such row. */

static const char *const total_keys[7] = { "spam_messages", "ham_messages", "spam_tokens", "ham_tokens", "vocab",
                                           "generation", "foreign_ham_tokens" };

struct kd_store {
    sqlite3 *db;
    char *path;    /* as given to kd_store_open, for messages */
    sqlite3_stmt *st[ST__COUNT];
    int version;
    int upgraded_from; /* the schema of an existing file this open upgraded, else 0 */
    int have_id;   /* the file's device and inode, taken when it was opened (kd_store_file_id) */
    uint64_t dev, ino;
    int moved;     /* a commit was refused: the file was removed or replaced (commit_hook) */
    volatile sig_atomic_t merging;     /* kd_store_merge runs, its commit not yet made */
    volatile sig_atomic_t interrupted; /* kd_store_interrupt during it: it does not commit */
    int released;  /* kd_store_release_moved has run */
    int batch_rows; /* the kd_batch_rows module is registered on db */
    int load_fn;    /* the kd_load_row function is registered on db */
    kd_tokmap *loading; /* where kd_load_row puts the rows, while load_rows runs */
    int load_oom;   /* kd_load_row could not grow it */
    char err[512]; /* the message of the last failure (kd_store_errmsg) */
};

#define MOVED_MSG "the model file was removed or replaced since this process opened it: nothing was written"

/* Run by SQLite before each commit of a writing connection. A model file removed, or
 * replaced by a rename (a retrained copy moved over it), while this handle had it open is
 * not written: the counts would go to a file no path names any more, and its -wal, whose
 * name the new file now has, would be read as the new file's log (a corrupt model). The
 * commit becomes a rollback (SQLITE_CONSTRAINT_COMMITHOOK). */
static int commit_hook(void *ud)
{
    kd_store *s = ud;
    if (s->merging && s->interrupted)
        return 1;
    int moved = 0;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
        s->moved = 1;
        return 1;
    }
    return 0;
}

int kd_store_moved(kd_store *s)
{
    int moved = 0;
    return s->moved || (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved);
}

/* A file moved over the model leaves this connection's -wal under the model's name, with the
 * pages it committed before the move: SQLite neither checkpoints nor deletes a moved file's
 * log at close, and the next process to open the path replays them over the new file (it
 * read as the old model). They are checkpointed into this (old) file and the log emptied,
 * once; best effort (a read-only connection cannot). Whoever opened the path before this
 * ran may still have read the mix: do not move a file over a model in use. */
void kd_store_release_moved(kd_store *s)
{
    if (!s || !s->db || s->released || !s->have_id || !kd_store_moved(s))
        return;
    s->released = 1;
    sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

sqlite3 *kd_store_db(kd_store *s) { return s->db; }
const char *kd_store_path(kd_store *s) { return s->path; }
int kd_store_file_id(kd_store *s, uint64_t *dev, uint64_t *ino)
{
    *dev = s->dev;
    *ino = s->ino;
    return s->have_id;
}
int kd_store_schema_version(kd_store *s) { return s->version; }
int kd_store_upgraded_from(kd_store *s) { return s->upgraded_from; }
const char *kd_store_errmsg(kd_store *s)
{
    if (!s || !s->db)
        return "no database";
    if (s->moved)
        return MOVED_MSG;
    return s->err[0] ? s->err : sqlite3_errmsg(s->db);
}

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return KD_OK;
    case SQLITE_NOMEM: return KD_ENOMEM;
    case SQLITE_BUSY: case SQLITE_LOCKED: return KD_EBUSY;
    case SQLITE_NOTADB: case SQLITE_CORRUPT: return KD_ESCHEMA;
    default: return KD_EIO;
    }
}

/* A failed SQLite call: its code as a KD_E* code, and its message kept for kd_store_errmsg.
 * Kept here because the connection's message does not last: the ROLLBACK that follows a
 * failed write succeeds and leaves "not an error" in its place. */
static int fail(kd_store *s, int src)
{
    snprintf(s->err, sizeof s->err, "%s", s->moved ? MOVED_MSG : sqlite3_errmsg(s->db));
    int rc = map_rc(src);
    return rc ? rc : KD_EIO;
}

/* An allocation of the store's own failed: its message, in place of an earlier failure's
 * (the connection has none for it: sqlite3_errmsg would say "not an error", and the message
 * kept last time named a failure this call did not have). */
static int oom(kd_store *s)
{
    snprintf(s->err, sizeof s->err, "out of memory");
    return KD_ENOMEM;
}

/* A read transaction is ended by COMMIT; when that fails (out of memory parsing it), by a
 * ROLLBACK, which ends a read as well and loses nothing. Only a transaction still open after
 * both is a failure: left open unreported, it kept the connection on its old snapshot, kept
 * the WAL from being checkpointed past it, and failed the connection's next write ("cannot
 * start a transaction within a transaction") and a pack ("database table is locked"). */
int kd_store_read_end(kd_store *s)
{
    int src = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (src == SQLITE_OK || sqlite3_get_autocommit(s->db))
        return KD_OK;
    char err[sizeof s->err];
    snprintf(err, sizeof err, "%s", sqlite3_errmsg(s->db));
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (sqlite3_get_autocommit(s->db))
        return KD_OK;
    memcpy(s->err, err, sizeof err);
    int rc = map_rc(src);
    return rc ? rc : KD_EIO;
}

/* End a run of st whose last step returned src: KD_OK after a row or the end, else the
 * failure (its message taken before the reset). */
static int finish(kd_store *s, sqlite3_stmt *st, int src)
{
    int rc = src == SQLITE_DONE || src == SQLITE_ROW ? KD_OK : fail(s, src);
    sqlite3_reset(st);
    return rc;
}

static sqlite3_stmt *stmt(kd_store *s, kd_stmt i)
{
    if (!s->st[i] && sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(s->st[i]);
    sqlite3_clear_bindings(s->st[i]);
    return s->st[i];
}

/* Run a statement that returns no rows. */
static int step_done(kd_store *s, sqlite3_stmt *st)
{
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    return finish(s, st, sqlite3_step(st));
}

/* Roll back after a failure, keeping the failure's message: SQLite rolls a transaction back
 * itself after some errors (a full disk), and the ROLLBACK's own "no transaction is active"
 * would replace the message that says why. */
static void rollback(kd_store *s)
{
    if (sqlite3_get_autocommit(s->db))
        return;
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    step_done(s, stmt(s, ST_ROLLBACK));
    memcpy(s->err, keep, sizeof keep);
}

static int64_t pragma_int(kd_store *s, const char *q)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Now, or $SOURCE_DATE_EPOCH when it is set (the reproducible-builds convention): the time
 * a post was updated (posts.c) and a model merged, so that `make model` builds the same file
 * twice. */
int64_t kd_store_now(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v = e && *e ? strtoll(e, &end, 10) : -1;
    return e && *e && !*end && v >= 0 ? (int64_t)v : (int64_t)time(NULL);
}

/* The identity a model of a schema before 8 is known by (it has no "model_id"): a hash of
 * its totals, which its copies share and a write that learns changes. */
static int64_t totals_identity(const kd_totals *t)
{
    const int64_t v[6] = { t->generation, t->spam_messages, t->ham_messages, t->spam_tokens, t->ham_tokens, t->vocab };
    return (int64_t)(kd_hash64(v, sizeof v) & INT64_MAX);
}

/* A model's identity (meta "model_id"), given once, by the migration that creates the file
 * or brings it to schema 8. A model created so gets 63 random bits, or, when
 * $SOURCE_DATE_EPOCH is set (`make model`), bits derived from it and the file's name
 * (without its directory), so that a rebuild is the same file; models of one name built
 * with one SOURCE_DATE_EPOCH (a.db in two directories) then share one, and a merge takes
 * them for copies of one model. A model of an older schema (from > 0) keeps the identity
 * it had: totals_identity() of its totals before this write, under which a merge may have
 * taken it in already, and which its copies share (a random one made it a new model: merged
 * again without a word, and so each copy). An SQLite result code. */
#define INCOMPLETE ".incomplete-"
static int give_identity(kd_store *s, int64_t from)
{
    uint64_t id = 0;
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char seed[208];
    kd_totals t;
    if (from > 0) {
        int rc = kd_store_totals(s, &t);
        if (rc)
            return rc == KD_ENOMEM ? SQLITE_NOMEM : sqlite3_errcode(s->db) != SQLITE_OK ? sqlite3_errcode(s->db) : SQLITE_ERROR;
        id = (uint64_t)totals_identity(&t);
    } else if (e && *e) {
        const char *base = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
        /* a file built under NAME.incomplete-XXXXXX, to be linked into place as NAME (kindly
         * merge's new OUT), is NAME's model: its identity is NAME's, not its random name's */
        size_t len = strlen(base), sfx = strlen(INCOMPLETE) + 6;
        if (len > sfx && !strncmp(base + len - sfx, INCOMPLETE, strlen(INCOMPLETE)))
            len -= sfx;
        int n = snprintf(seed, sizeof seed, "kindly model %.40s %.*s", e, len < 150 ? (int)len : 150, base);
        id = kd_hash64(seed, n < 0 ? 0 : (size_t)n < sizeof seed ? (size_t)n : sizeof seed - 1);
    }
    else
        sqlite3_randomness(sizeof id, &id);
    id &= INT64_MAX;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO meta(key, value) VALUES('model_id', ?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)(id ? id : 1));
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A model of a schema this kindly does not know: refused, read or written. */
static int newer_schema(const char *path, int64_t version, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s has model schema %lld, newer than this kindly (%d): upgrade kindly", path,
             (long long)version, SCHEMA_VERSION);
    return KD_ESCHEMA;
}

static int migrate(kd_store *s, char *err, size_t errlen)
{
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    /* Read again inside the transaction: another process may have migrated meanwhile. */
    int64_t v = pragma_int(s, "PRAGMA user_version");
    if (v < 0) { /* the read failed (out of memory, I/O): no migration to index with it */
        rc = sqlite3_errcode(s->db) != SQLITE_OK ? sqlite3_errcode(s->db) : SQLITE_ERROR;
        goto fail;
    }
    /* a newer kindly upgraded it while this one waited for the lock: not written back down
     * to this kindly's version (the newer one would run its migrations again) */
    if (v > SCHEMA_VERSION) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return newer_schema(s->path, v, err, errlen);
    }
    const int64_t from = v;
    for (; v < SCHEMA_VERSION; v++) {
        rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            goto fail;
    }
    if ((rc = give_identity(s, from)) != SQLITE_OK)
        goto fail;
    char q[96];
    snprintf(q, sizeof q, "PRAGMA user_version = %d; PRAGMA application_id = %d", SCHEMA_VERSION, KD_APPLICATION_ID);
    rc = sqlite3_exec(s->db, q, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    s->version = SCHEMA_VERSION;
    /* 0: a file this open created, or one another process upgraded while it waited */
    s->upgraded_from = from < SCHEMA_VERSION ? (int)from : 0;
    return KD_OK;
fail:
    snprintf(err, errlen, "cannot update the schema of model %s: %s", s->path, sqlite3_errmsg(s->db));
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return map_rc(rc);
}

/* Why a model could not be created: its directory is missing or not writable. */
static void create_failure(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        snprintf(err, errlen, "cannot create model %s: %s: %s", path, dir, strerror(errno));
    else if (!S_ISDIR(sb.st_mode))
        snprintf(err, errlen, "cannot create model %s: %s is not a directory", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        snprintf(err, errlen, "cannot create model %s: directory %s: %s", path, dir, strerror(errno));
    else
        snprintf(err, errlen, "cannot create model %s: unable to open the file", path);
}

/* Whether the file at path begins as a kindly model does (SQLite's header with kindly's
 * application id): one SQLite cannot read is then a damaged model, not another program's. */
static int kindly_header(const char *path)
{
    unsigned char h[72];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    return n == (ssize_t)sizeof h && !memcmp(h, "SQLite format 3", 16) &&
           ((uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71]) == KD_APPLICATION_ID;
}

/* Whether the file at path is text, not SQLite's nor another binary format: its first bytes
 * UTF-8 without a NUL (but for a character cut by their end), as a CSV file of comments named
 * where the model goes (the two swapped) is. */
static int text_file(const char *path)
{
    char h[512];
    size_t bad = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    return n > 0 && (kd_utf8_valid(h, (size_t)n, &bad) || (n == (ssize_t)sizeof h && bad + 3 >= sizeof h &&
                                                           memchr(h + bad, 0, sizeof h - bad) == NULL));
}

/* Why the first reads of an opened file failed: a WAL model in a directory this user may not
 * write, a file that is not a database, or anything else (out of memory, a full disk, a lock
 * held too long), named so that a good model is not taken for a broken one. */
static int read_failure(kd_store *s, const char *path, int write, char *err, size_t errlen)
{
    int rc;
    int ecode = sqlite3_errcode(s->db);
    if (ecode == SQLITE_READONLY || ecode == SQLITE_CANTOPEN) {
        /* a WAL model read by a user who may not create its -shm file beside it */
        char journal[PATH_MAX];
        int hot = !write && snprintf(journal, sizeof journal, "%s-journal", path) < (int)sizeof journal &&
                  access(journal, F_OK) == 0;
        if (write) /* (packing would not help: a writer needs the directory anyway); the file
                    * itself too, if this user may not write it: said at once, not after the
                    * directory is fixed */
            snprintf(err, errlen, "cannot open model %s: %s (%s: SQLite keeps the -wal and -shm files beside the "
                     "model)", path, sqlite3_errmsg(s->db),
                     access(path, W_OK) != 0 && errno == EACCES ? "this user may write neither the file nor its directory"
                                                               : "its directory must be writable by this user");
        else if (hot) /* a write killed before its end (a pack, a write in rollback mode) */
            snprintf(err, errlen, "cannot read model %s: %s (an interrupted write left %s-journal beside it: "
                     "any command that writes the model, such as `kindly info -m %s --pack`, rolls it back)",
                     path, sqlite3_errmsg(s->db), path, path);
        else
            snprintf(err, errlen, "cannot read model %s: %s (a model in WAL mode needs a writable "
                     "directory; `kindly info -m %s --pack` makes it readable from a read-only one)",
                     path, sqlite3_errmsg(s->db), path);
        rc = KD_EIO;
    } else if (ecode == SQLITE_NOTADB || ecode == SQLITE_CORRUPT) {
        char wal[PATH_MAX];
        int side = snprintf(wal, sizeof wal, "%s-shm", path) < (int)sizeof wal && access(wal, F_OK) == 0;
        const char *moved = side ? "its -wal and -shm belong to another file: was a file moved over this model "
                                   "while a process, such as kindly serve, had it open? stop that process first"
                                 : NULL;
        if (kindly_header(path)) /* a copy cut short, a damaged page */
            snprintf(err, errlen, "cannot read model %s: %s (the file is damaged: restore it from a backup%s%s)",
                     path, sqlite3_errmsg(s->db), moved ? "; or " : "", moved ? moved : "");
        else if (!moved && text_file(path)) /* SQLite's "file is not a database" said nothing of it */
            snprintf(err, errlen, "%s is not a kindly model: %s (it is text: a CSV file? a model is "
                     "the SQLite file that kindly train -m MODEL.db writes)", path, sqlite3_errmsg(s->db));
        else
            snprintf(err, errlen, "%s is not a kindly model: %s%s%s%s", path, sqlite3_errmsg(s->db),
                     moved ? " (or " : "", moved ? moved : "", moved ? ")" : "");
        rc = KD_ESCHEMA;
    } else { /* not the file's fault: say so, lest it be deleted as broken */
        snprintf(err, errlen, "cannot read model %s: %s%s", path, sqlite3_errmsg(s->db),
                 ecode == SQLITE_BUSY || ecode == SQLITE_LOCKED
                     ? " (another process held it locked for more than 10 s; try again)"
                 : ecode == SQLITE_NOMEM
                     ? ""
                     : " (is the disk full? a model in WAL mode writes its -shm file beside it)");
        rc = map_rc(ecode) ? map_rc(ecode) : KD_EIO;
    }
    return rc;
}

int kd_store_open(kd_store **out, const char *path, unsigned flags, char *err, size_t errlen)
{
    int rc = KD_OK;
    *out = NULL;
    kd_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "cannot open model %s: out of memory", path);
        return KD_ENOMEM;
    }
    if (!(s->path = strdup(path))) {
        free(s);
        snprintf(err, errlen, "cannot open model %s: out of memory", path);
        return KD_ENOMEM;
    }
    int write = (flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)) != 0;
    int oflags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (flags & KD_OPEN_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;
    /* SQLite opens a directory, then reads it as a "disk I/O error"; it hangs opening a FIFO
     * no one writes, and puts a journal beside a device (/dev/null-journal) */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "cannot open model %s: %s", path,
                 S_ISDIR(sb.st_mode) ? "is a directory" : "not a regular file (a FIFO, socket or device)");
        rc = KD_EIO;
        goto done;
    }
    /* a path names a file: SQLite (built with URIs on, as Debian's is) would read
     * "file:x.db?mode=memory" as a URI, past the checks above */
    char *plain = NULL;
    if (!strncmp(path, "file:", 5)) {
        if (!(plain = malloc(strlen(path) + 3))) {
            snprintf(err, errlen, "cannot open model %s: out of memory", path);
            rc = KD_ENOMEM;
            goto done;
        }
        sprintf(plain, "./%s", path);
    }
    int src = sqlite3_open_v2(plain ? plain : path, &s->db, oflags, NULL);
    free(plain);
    /* the file this handle has open, whatever the path names later (a model replaced by a
     * rename, a relative path after chdir): SQLite has opened it by now */
    if (src == SQLITE_OK && strcmp(path, ":memory:") && *path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        s->have_id = 1;
        s->dev = (uint64_t)sb.st_dev;
        s->ino = (uint64_t)sb.st_ino;
    }
    if (src != SQLITE_OK) {
        /* SQLite says "unable to open database file" for every cause: name the usual ones */
        int missing = src == SQLITE_CANTOPEN && access(path, F_OK) != 0 && (errno == ENOENT || errno == ENOTDIR);
        if (missing && (flags & KD_OPEN_CREATE))
            create_failure(path, err, errlen);
        else if (missing)
            snprintf(err, errlen, "cannot open model %s: no such file", path);
        else if (src == SQLITE_CANTOPEN && access(path, F_OK) == 0 && access(path, write ? R_OK | W_OK : R_OK) != 0)
            snprintf(err, errlen, "cannot open model %s: %s", path, strerror(errno));
        else
            snprintf(err, errlen, "cannot open model %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        rc = src == SQLITE_CANTOPEN ? KD_EIO : map_rc(src);
        goto done;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    /* Pages read through a memory map of the file, from the first: a model's b-tree pages
     * are then the OS page cache's own, faulted in 16 at a time, instead of a pread() each
     * into a page-cache buffer malloc'ed and touched for the first time. For a preloaded
     * handle (the whole token table read at once: score, serve) that saves a copy of every
     * page; for one that reads on demand (a one-comment check: about 40 pages) it saves 40
     * fresh heap pages, unless the heap is on huge pages (heap.c: the CLI), where those cost
     * nothing and a pread() costs less than a fault on the map (check: 5.4 ms against 6.0,
     * docs/BENCHMARKS.md). Set before any read: SQLite keeps reading by pread() the pages
     * it cached before. A hint: SQLite ignores it where mmap is unavailable, and for
     * :memory:. */
    if ((flags & KD_OPEN_PRELOAD) || !kd_heap_is_huge())
        sqlite3_exec(s->db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);

    /* The application id, the schema version and the tables are read in one snapshot: read
     * apart, a kindly creating the model in between (two `train -m new.db` at once) made an
     * empty file (id 0) with tables, taken for another program's. */
    int snapshot = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    int64_t appid = pragma_int(s, "PRAGMA application_id");
    /* not read after a failed read: its success would reset the error code that says why */
    int64_t version = appid < 0 ? -1 : pragma_int(s, "PRAGMA user_version");
    int64_t ntables = appid == KD_APPLICATION_ID || version < 0 ? 0 : pragma_int(s, "SELECT count(*) FROM sqlite_master");
    if (appid < 0 || version < 0 || ntables < 0)
        rc = read_failure(s, path, write, err, errlen);
    int erc = snapshot ? kd_store_read_end(s) : KD_OK;
    if (erc && !rc) {
        snprintf(err, errlen, "cannot read model %s: %s", path, kd_store_errmsg(s));
        rc = erc;
    }
    if (rc)
        goto done;
    if (appid != KD_APPLICATION_ID) {
        if (appid != 0 || ntables != 0) {
            snprintf(err, errlen, "%s is not a kindly model (an SQLite file of another application)", path);
            rc = KD_ESCHEMA;
            goto done;
        }
        if (!write) {
            if (!strcmp(path, ":memory:"))
                snprintf(err, errlen, ":memory: opened read-only is an empty model (open it with KD_OPEN_CREATE)");
            else
                snprintf(err, errlen, "%s is an empty file, not a trained kindly model", path);
            rc = KD_ESCHEMA;
            goto done;
        }
        version = 0;
    }
    if (version > SCHEMA_VERSION) {
        rc = newer_schema(path, version, err, errlen);
        goto done;
    }
    s->version = (int)version;
    if (write && sqlite3_db_readonly(s->db, "main") == 1) {
        /* SQLite falls back to reading a file it may not write, and the first write would
         * fail ("attempt to write a readonly database"): refuse the handle now */
        int e = access(path, W_OK) != 0 ? errno : EACCES;
        snprintf(err, errlen, "cannot open model %s for writing: %s (this user may not write the file)", path,
                 strerror(e));
        rc = KD_EIO;
        goto done;
    }
    if (write) {
        /* WAL; after a checkpoint the log file is cut back to 64 MiB (by default SQLite never
         * shrinks it: a burst of writes, a server's remembered comments, left it at its peak) */
        if (strcmp(path, ":memory:") != 0)
            sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 67108864", NULL, NULL, NULL);
        sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
        if (s->have_id)
            sqlite3_commit_hook(s->db, commit_hook, s);
        if (s->version < SCHEMA_VERSION && (rc = migrate(s, err, errlen)))
            goto done;
    } else if (s->version < 1) {
        snprintf(err, errlen, "%s is not a trained kindly model (schema %d)", path, s->version);
        rc = KD_ESCHEMA;
        goto done;
    }
    /* An older file opened read-only is read as it is: the stages whose tables it lacks
     * (kd_store_schema_version() tells) behave as if those tables were empty. */
done:
    if (rc) {
        kd_store_close(s);
        return rc;
    }
    *out = s;
    return KD_OK;
}

void kd_store_close(kd_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    kd_store_release_moved(s);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int kd_store_get(kd_store *s, uint64_t h, kd_counts *out)
{
    sqlite3_stmt *st = stmt(s, ST_TOKEN_GET);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_int64(st, 1, (sqlite3_int64)h);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->spam = sqlite3_column_int64(st, 0);
        out->ham = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
        return KD_OK;
    }
    if (rc != SQLITE_DONE)
        return finish(s, st, rc);
    sqlite3_reset(st);
    return KD_ENOTFOUND;
}

/*
 * Reading the counts into memory (score, check with a preloaded model, the server) is one
 * statement whose WHERE clause calls kd_load_row(h, [spam,] ham) for each row and keeps
 * none: SQLite runs the whole scan inside one sqlite3_step, and the function reads its
 * arguments as they are. A result row per token, fetched with sqlite3_step and three
 * sqlite3_column_int64 calls, cost about 980 instructions a row, 740 this way (117 M and
 * 89 M of the 652 M of `score --no-rules` over 20,000 comments with a model of 119,120
 * tokens). The rows are read in the same order, converted as sqlite3_column_int64 converts
 * them (sqlite3_value_int64).
 * SQLITE_DIRECTONLY: the function is not for a model file's views or triggers.
 */
static void load_row(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    kd_store *s = sqlite3_user_data(ctx);
    if (!s->loading) /* called by some other statement: files nothing */
        return;
    kd_counts *c = kd_tokmap_upsert(s->loading, (uint64_t)sqlite3_value_int64(argv[0]));
    if (!c) {
        s->load_oom = 1;
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (argc == 3)
        c->spam = sqlite3_value_int64(argv[1]);
    c->ham = sqlite3_value_int64(argv[argc - 1]);
}

/* Read the rows of statement `which` (h, [spam,] ham: the statement says which) into a
 * tokmap. */
static int load_rows(kd_store *s, kd_stmt which, kd_tokmap *into)
{
    if (!s->load_fn) {
        int src = sqlite3_create_function_v2(s->db, "kd_load_row", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, s, load_row,
                                             NULL, NULL, NULL);
        if (src != SQLITE_OK)
            return fail(s, src);
        s->load_fn = 1;
    }
    sqlite3_stmt *st = stmt(s, which);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    s->loading = into;
    s->load_oom = 0;
    int rc = sqlite3_step(st);
    s->loading = NULL;
    if (s->load_oom) {
        sqlite3_reset(st);
        return oom(s);
    }
    return finish(s, st, rc);
}

int kd_store_load_all(kd_store *s, kd_tokmap *into)
{
    int64_t n = kd_store_token_count(s);
    if (n > 0 && kd_tokmap_reserve(into, (size_t)n))
        return oom(s);
    return load_rows(s, ST_TOKEN_ALL, into);
}

/* One meta value, 0 when absent. */
static int meta_get(kd_store *s, const char *key, int64_t *out)
{
    sqlite3_stmt *st = stmt(s, ST_META_GET);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return finish(s, st, rc);
}

int kd_store_prune_slack(kd_store *s, int64_t *out)
{
    sqlite3_stmt *st = stmt(s, ST_SLACK_GET);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return finish(s, st, rc);
}

int kd_store_tokens_short(kd_store *s, int spam, int64_t *out)
{
    kd_totals t;
    int rc = kd_store_totals(s, &t);
    if (rc)
        return rc;
    sqlite3_stmt *st = stmt(s, ST_TOKENS_SUM);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    rc = sqlite3_step(st);
    int64_t have = rc == SQLITE_ROW ? (int64_t)sqlite3_column_double(st, spam ? 0 : 1) : 0;
    int64_t want = spam ? t.spam_tokens : t.ham_tokens;
    *out = want > have ? want - have : 0;
    return finish(s, st, rc);
}

int kd_store_totals(kd_store *s, kd_totals *out)
{
    int64_t *v[7] = { &out->spam_messages, &out->ham_messages, &out->spam_tokens, &out->ham_tokens, &out->vocab,
                      &out->generation, &out->foreign_ham_tokens };
    for (int i = 0; i < 7; i++) {
        int rc = meta_get(s, total_keys[i], v[i]);
        if (rc)
            return rc;
    }
    /* a file no write of this kindly touched (the first kindly kept no "vocab"): its tokens
     * counted, not a vocabulary of one in the multinomial's smoothing (an empty table, the
     * only other model with none, is counted at once) */
    if (out->vocab <= 0) {
        int64_t n = kd_store_token_count(s);
        if (n < 0)
            return fail(s, sqlite3_errcode(s->db));
        out->vocab = n;
    }
    return KD_OK;
}

int64_t kd_store_token_count(kd_store *s)
{
    sqlite3_stmt *st = stmt(s, ST_TOKEN_COUNT);
    int64_t n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

static int meta_add(kd_store *s, const char *key, int64_t delta)
{
    sqlite3_stmt *st = stmt(s, ST_META_ADD);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, delta);
    return step_done(s, st);
}

static int meta_bump(kd_store *s, const char *key) { return meta_add(s, key, 1); }

int kd_store_bump_generation(kd_store *s) { return meta_bump(s, "generation"); }
int kd_store_bump_posts_generation(kd_store *s) { return meta_bump(s, "posts_generation"); }

int kd_store_posts_generation(kd_store *s, int64_t *out) { return meta_get(s, "posts_generation", out); }
int kd_store_generation(kd_store *s, int64_t *out) { return meta_get(s, "generation", out); }

/* Asked before every server request (kd_model_refresh): prepared once, not per call (a
 * prepare is most of the cost of the pragma). */
int64_t kd_store_data_version(kd_store *s)
{
    sqlite3_stmt *st = stmt(s, ST_DATA_VERSION);
    int64_t v = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    if (st)
        sqlite3_reset(st);
    return v;
}

/* Refuse a write that took a total past the largest integer SQLite stores (it turns the sum
 * into an inexact REAL; a token's count is at most its label's total, so no count went past
 * if no total did): KD_EIO, the model left as it was by the caller's rollback. */
static int totals_fit(kd_store *s)
{
    sqlite3_stmt *st = stmt(s, ST_TOTAL_PAST);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        snprintf(s->err, sizeof s->err, "the model's %s total would pass %lld, the largest count it can hold",
                 (const char *)sqlite3_column_text(st, 0), (long long)INT64_MAX);
        sqlite3_reset(st);
        return KD_EIO;
    }
    return finish(s, st, src);
}

static int add_totals(kd_store *s, const kd_totals *d)
{
    const int64_t v[7] = { d->spam_messages, d->ham_messages, d->spam_tokens, d->ham_tokens, 0, 0,
                           d->foreign_ham_tokens };
    for (int i = 0; i < 7; i++) {
        if (i >= 4 && !v[i]) /* no row for a foreign total that was never written */
            continue;
        sqlite3_stmt *st = stmt(s, ST_META_ADD);
        if (!st)
            return fail(s, sqlite3_errcode(s->db));
        sqlite3_bind_text(st, 1, total_keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, v[i]);
        int rc = step_done(s, st);
        if (rc)
            return rc;
    }
    return KD_OK;
}

/* ---- a batch of deltas as a table --------------------------------------------------------
 *
 * Written one INSERT per token, the 50,963 new tokens of training on sms.csv cost 6,680
 * instructions a token, half of it per statement: the reset, the bindings, the mutexes,
 * opening and closing the b-tree cursor, halting the VM. kd_batch_rows is an eponymous
 * virtual table that hands SQLite the sorted rows of a C array passed as a bound pointer
 * (sqlite3_bind_pointer, the carray idiom), so that ST_TOKEN_ADD_ALL writes the whole batch
 * in one statement: 3,360 instructions a token. What is left is mostly each row's search of
 * the b-tree from its root (SQLite forgets the cursor's key after an insert, and decoding the
 * 9-byte varints of 64-bit hash keys on the way down is sqlite3GetVarint's share). */

typedef struct batch_row {
    int64_t h, spam, ham;
} batch_row;

typedef struct batch_rows {
    const batch_row *r;
    size_t n;
} batch_rows;

#define BATCH_ROWS_PTR "kd_batch_rows"

typedef struct batch_cursor {
    sqlite3_vtab_cursor base;
    batch_rows rows;
    size_t i;
} batch_cursor;

static int batch_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err)
{
    (void)aux, (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(h INTEGER, spam INTEGER, ham INTEGER, rows HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    *out = v;
    return SQLITE_OK;
}

static int batch_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

/* Only kd_batch_rows(?1) has rows: without its argument the table is empty. */
static int batch_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
    (void)v;
    info->idxNum = 0;
    info->estimatedCost = 1e9;
    for (int i = 0; i < info->nConstraint; i++)
        if (info->aConstraint[i].iColumn == 3 && info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ &&
            info->aConstraint[i].usable) {
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->idxNum = 1;
            info->estimatedCost = 1;
            break;
        }
    return SQLITE_OK;
}

static int batch_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    (void)v;
    batch_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int batch_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int batch_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv)
{
    (void)idxs;
    batch_cursor *c = (batch_cursor *)cur;
    const batch_rows *rows = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], BATCH_ROWS_PTR) : NULL;
    c->rows = rows ? *rows : (batch_rows){ NULL, 0 };
    c->i = 0;
    return SQLITE_OK;
}

static int batch_next(sqlite3_vtab_cursor *cur)
{
    ((batch_cursor *)cur)->i++;
    return SQLITE_OK;
}

static int batch_eof(sqlite3_vtab_cursor *cur)
{
    const batch_cursor *c = (const batch_cursor *)cur;
    return c->i >= c->rows.n;
}

static int batch_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const batch_cursor *c = (const batch_cursor *)cur;
    const batch_row *r = &c->rows.r[c->i];
    if (col < 3)
        sqlite3_result_int64(ctx, col == 0 ? r->h : col == 1 ? r->spam : r->ham);
    else
        sqlite3_result_null(ctx);
    return SQLITE_OK;
}

static int batch_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *id)
{
    *id = (sqlite3_int64)((const batch_cursor *)cur)->i;
    return SQLITE_OK;
}

static const sqlite3_module batch_module = {
    .iVersion = 0,
    .xConnect = batch_connect, /* no xCreate: eponymous only, never a table in the file */
    .xBestIndex = batch_best_index,
    .xDisconnect = batch_disconnect,
    .xOpen = batch_open,
    .xClose = batch_close,
    .xFilter = batch_filter,
    .xNext = batch_next,
    .xEof = batch_eof,
    .xColumn = batch_column,
    .xRowid = batch_rowid,
};

/* Sort rows[0..n) by h in the order of the INTEGER PRIMARY KEY (signed 64-bit): a radix sort
 * of the key's bytes, lowest first, through tmp (n rows), skipping the bytes that all rows
 * share. qsort of the 24-byte rows cost 920 instructions a row for 50,000 rows (its generic
 * path moves rows with memcpy); this costs about 60. Returns the array that holds the
 * result: rows or tmp. */
static batch_row *sort_rows(batch_row *rows, batch_row *tmp, size_t n)
{
    static const uint64_t sign = (uint64_t)1 << 63;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[(((uint64_t)rows[i].h ^ sign) >> shift) & 255]++;
        if (n && count[(((uint64_t)rows[0].h ^ sign) >> shift) & 255] == n)
            continue;
        size_t at = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(((uint64_t)rows[i].h ^ sign) >> shift) & 255]++] = rows[i];
        batch_row *t = rows;
        rows = tmp;
        tmp = t;
    }
    return rows;
}

static int cmp_key(const void *a, const void *b)
{
    /* the order of the INTEGER PRIMARY KEY: keys are stored as signed 64-bit integers */
    int64_t x = (int64_t) * (const uint64_t *)a, y = (int64_t) * (const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Write rows[0..n) (sorted, none negative) with one statement. */
static int add_all(kd_store *s, const batch_row *rows, size_t n)
{
    if (!s->batch_rows) {
        int src = sqlite3_create_module_v2(s->db, "kd_batch_rows", &batch_module, NULL, NULL);
        if (src != SQLITE_OK)
            return fail(s, src);
        s->batch_rows = 1;
    }
    sqlite3_stmt *st = stmt(s, ST_TOKEN_ADD_ALL);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    batch_rows b = { rows, n };
    sqlite3_bind_pointer(st, 1, &b, BATCH_ROWS_PTR, NULL);
    int rc = step_done(s, st);
    sqlite3_clear_bindings(st); /* b is about to go */
    return rc;
}

int kd_store_apply(kd_store *s, const kd_tokmap *delta, const kd_totals *dtot, int (*before)(void *ctx),
                   int (*also)(void *ctx), void *ctx)
{
    /* Upsert in key order: walking the b-tree left to right touches each page once,
     * several times faster than random order when a batch holds many new tokens. */
    batch_row *buf = malloc(2 * (delta->n ? delta->n : 1) * sizeof *buf), *rows = buf;
    if (!buf)
        return oom(s);
    size_t nk = 0;
    int negative = 0;
    int rc = step_done(s, stmt(s, ST_BEGIN));
    if (rc) {
        free(buf);
        return rc;
    }
    /* before() may lessen what an undo takes (model.c, cap_own_ham): the rows after it */
    if (before && (rc = before(ctx)))
        goto done;
    for (size_t i = 0; i < delta->cap; i++) {
        const kd_counts *c = &delta->vals[i];
        if (!delta->keys[i] || (!c->spam && !c->ham))
            continue;
        negative |= c->spam < 0 || c->ham < 0;
        rows[nk++] = (batch_row){ (int64_t)delta->keys[i], c->spam, c->ham };
    }
    rows = sort_rows(buf, buf + nk, nk);
    /* an undo (negative deltas) clamps each row at zero: one upsert per token */
    if (!negative && nk && (rc = add_all(s, rows, nk)))
        goto done;
    for (size_t i = 0; negative && i < nk; i++) {
        sqlite3_stmt *st = stmt(s, ST_TOKEN_ADD);
        if (!st) {
            rc = fail(s, sqlite3_errcode(s->db));
            goto done;
        }
        sqlite3_bind_int64(st, 1, rows[i].h);
        sqlite3_bind_int64(st, 2, rows[i].spam);
        sqlite3_bind_int64(st, 3, rows[i].ham);
        if ((rc = step_done(s, st)))
            goto done;
    }
    if (negative && (rc = step_done(s, stmt(s, ST_TOKEN_ZAP))))
        goto done;
    if ((rc = add_totals(s, dtot)) || (rc = totals_fit(s)))
        goto done;
    if ((rc = step_done(s, stmt(s, ST_VOCAB_SET))))
        goto done;
    if (also && (rc = also(ctx)))
        goto done;
    rc = step_done(s, stmt(s, ST_COMMIT));
done:
    if (rc)
        rollback(s);
    free(buf);
    return rc;
}

int kd_store_foreign_get(kd_store *s, uint64_t h, int64_t *n)
{
    sqlite3_stmt *st = stmt(s, ST_FOREIGN_GET);
    if (!st)
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_int64(st, 1, (sqlite3_int64)h);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return finish(s, st, rc);
}

/* The consistency of an undo of ham (negative ham deltas), checked in the transaction that
 * writes it: which tokens show that the comments were not learnt as the undo says. With
 * `foreign` (fdelta, before any count is written): a stored token whose foreign count is
 * below what the undo takes away (a pruned token is no longer stored: not counted). Without
 * (delta, after the counts are written): a token whose foreign count is now above its ham. */
int kd_store_foreign_mismatch(kd_store *s, const kd_tokmap *delta, int foreign, int64_t *n)
{
    *n = 0;
    /* A token pruned (fewer than N counts in all, so fewer than N foreign ones) lost its
     * foreign count with it; learnt again afterwards (the site's own comments, learnt after
     * the pruned foreign corpora, as the README advises), it is stored with none. So a stored
     * token may lack as many of the foreign counts an undo of foreign comments takes as the
     * model's prunings can have taken: not counted against it. */
    int64_t slack = 0;
    if (foreign) {
        int rc = kd_store_prune_slack(s, &slack);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < delta->cap; i++) {
        if (!delta->keys[i] || delta->vals[i].ham >= 0)
            continue;
        int64_t f;
        kd_counts c;
        int rc = kd_store_foreign_get(s, delta->keys[i], &f);
        if (!rc) {
            rc = kd_store_get(s, delta->keys[i], &c);
            if (rc == KD_ENOTFOUND) {
                c.ham = 0;
                rc = foreign ? KD_ENOTFOUND : KD_OK;
            }
        }
        if (rc == KD_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        *n += foreign ? f + delta->vals[i].ham + slack < 0 : f > c.ham;
    }
    return KD_OK;
}

int kd_store_foreign_load_all(kd_store *s, kd_tokmap *into)
{
    return load_rows(s, ST_FOREIGN_ALL, into);
}

int kd_store_foreign_apply(kd_store *s, const kd_tokmap *delta)
{
    if (!delta->n)
        return KD_OK;
    uint64_t *keys = malloc(delta->n * sizeof *keys);
    if (!keys)
        return oom(s);
    size_t nk = 0;
    for (size_t i = 0; i < delta->cap; i++)
        if (delta->keys[i] && delta->vals[i].ham)
            keys[nk++] = delta->keys[i];
    qsort(keys, nk, sizeof *keys, cmp_key);
    int rc = KD_OK, negative = 0;
    for (size_t i = 0; i < nk && !rc; i++) {
        int64_t d = kd_tokmap_get(delta, keys[i])->ham;
        negative |= d < 0;
        sqlite3_stmt *st = stmt(s, ST_FOREIGN_ADD);
        if (!st) {
            rc = fail(s, sqlite3_errcode(s->db));
            break;
        }
        sqlite3_bind_int64(st, 1, (sqlite3_int64)keys[i]);
        sqlite3_bind_int64(st, 2, d);
        rc = step_done(s, st);
    }
    free(keys);
    if (!rc && negative)
        rc = step_done(s, stmt(s, ST_FOREIGN_ZAP));
    return rc;
}

/* Merging. Each input is read through a connection of its own, opened read-only, and its
 * rows are added into this store by prepared upserts, every input in the one IMMEDIATE
 * transaction of this store. Not ATTACH: an attached file is opened read-write, created
 * when it is missing, and write-locked by BEGIN IMMEDIATE (a merge would then wait for, and
 * block, a process writing an input), it cannot be attached inside a transaction, and at
 * most 10 files can be attached at once, so several inputs could not be merged all or
 * nothing. */

/* The tables of sums (added), and the posts (the most recently updated wins), of a source
 * of schema `since` or later. */
static const struct merge_table {
    int since;
    int posts; /* a table the posts' statistics are built from: a change moves posts_generation */
    const char *from, *into;
} merge_tables[] = {
    { 1, 0, "SELECT h, spam, ham FROM tokens",
      "INSERT INTO tokens(h, spam, ham) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(h) DO UPDATE SET spam = spam + excluded.spam, ham = ham + excluded.ham" },
    { 1, 0, "SELECT key, value FROM meta "
         "WHERE key IN ('spam_messages','ham_messages','spam_tokens','ham_tokens','foreign_ham_tokens')",
      "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value" },
    /* a post is text, not a sum: a post in several inputs is kept as last updated (updated
     * is NULL in no file kindly wrote, but is compared as 0 if it were) */
    { 3, 1, "SELECT post_id, title, text, updated FROM posts",
      "INSERT INTO posts(post_id, title, text, updated) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(post_id) DO UPDATE SET title = excluded.title, text = excluded.text, updated = excluded.updated "
      "WHERE coalesce(excluded.updated, 0) > coalesce(posts.updated, 0)" },
    /* the words of the posts' approved comments (posts.c) */
    { 5, 1, "SELECT post, h, n FROM post_terms",
      "INSERT INTO post_terms(post, h, n) VALUES(?1, ?2, ?3) ON CONFLICT(post, h) DO UPDATE SET n = n + excluded.n" },
    /* how many foreign counts the input's prunings may have taken from a token: a sum */
    { 1, 0, "SELECT '" PRUNE_SLACK "', v FROM (SELECT " SLACK_NOW " AS v) WHERE v IS NOT NULL",
      "INSERT INTO meta(key, value) VALUES(?1, ?2 + coalesce(" SLACK_NOW ", 0)) "
      "ON CONFLICT(key) DO UPDATE SET value = value + ?2" },
    /* the ham counts learnt from other sites (KD_TRAIN_FOREIGN) */
    { 6, 0, "SELECT h, n FROM foreign_ham",
      "INSERT INTO foreign_ham(h, n) VALUES(?1, ?2) ON CONFLICT(h) DO UPDATE SET n = n + excluded.n" },
};

/* A failure to read input src, in s's message. */
static void read_fail(kd_store *s, const kd_store *src)
{
    snprintf(s->err, sizeof s->err, "cannot read %.*s: %.*s", upto(src->path, 100), src->path, upto(src->err, 140),
             src->err);
}

/* Add the rows of one table of src into s, counting the rows changed into *changed. A
 * failure's message names the input. */
static int merge_table(kd_store *s, kd_store *src, const struct merge_table *t, int64_t *changed)
{
    sqlite3_stmt *from = NULL, *into = NULL;
    int rc = KD_OK, src_rc;
    if (sqlite3_prepare_v2(src->db, t->from, -1, &from, NULL) != SQLITE_OK) {
        rc = fail(src, sqlite3_errcode(src->db));
        read_fail(s, src);
        goto done;
    }
    if (sqlite3_prepare_v2(s->db, t->into, -1, &into, NULL) != SQLITE_OK) {
        rc = fail(s, sqlite3_errcode(s->db));
        goto done;
    }
    int ncol = sqlite3_column_count(from);
    while ((src_rc = sqlite3_step(from)) == SQLITE_ROW) {
        int b = SQLITE_OK;
        for (int i = 0; i < ncol && b == SQLITE_OK; i++)
            b = sqlite3_bind_value(into, i + 1, sqlite3_column_value(from, i));
        if (b != SQLITE_OK) { /* out of memory copying a text: not a NULL to insert */
            rc = fail(s, b);
            goto done;
        }
        int w = sqlite3_step(into);
        if (w != SQLITE_DONE && ((w & 0xff) == SQLITE_CONSTRAINT || w == SQLITE_MISMATCH)) {
            /* the output's constraints are the input's own schema: only a damaged input row
             * (a NULL count) breaks them, and it is the input that is named */
            snprintf(src->err, sizeof src->err, "a row of it is damaged (%.100s)", sqlite3_errmsg(s->db));
            read_fail(s, src);
            rc = KD_ESCHEMA; /* as SQLite's own "database disk image is malformed" */
            goto done;
        }
        if (w != SQLITE_DONE) {
            rc = fail(s, w);
            goto done;
        }
        *changed += sqlite3_changes64(s->db); /* 0 for a post kept as it was */
        sqlite3_reset(into);
    }
    if (src_rc != SQLITE_DONE) {
        rc = fail(src, src_rc);
        read_fail(s, src);
    }
done:
    sqlite3_finalize(from);
    sqlite3_finalize(into);
    return rc;
}

/*
 * What a merge took in. Counts are sums, so a model added twice is counted twice, silently:
 * `merge all.db shard1.db` run twice, or a model merged into two inputs of one merge. Every
 * model has an identity (meta "model_id", see give_identity), and a merge records in the
 * output's "merged" table the identity of each input, with its generation, message counts,
 * the time and its path, and the rows of the input's own "merged" table (what it had itself
 * taken in). An input whose identity, or one of whose taken-in models, the output holds
 * already (or is: a copy of the output) is refused with KD_EEXIST, unless the caller says
 * KD_MERGE_AGAIN; an input that learnt more since it was merged is refused too (only the
 * difference would be new, and it cannot be told apart: the counts are sums). A model of a
 * schema before 8, read-only, has no identity: it is known by a fingerprint of its totals
 * (generation, messages, tokens, vocabulary), which its copies share and its next write
 * (which gives it an identity) changes.
 */
static int merged_refuse(kd_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int merged_refuse(kd_store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return KD_EEXIST;
}

typedef struct merged_row {
    int64_t id, generation, spam, ham, time;
    const char *path;
} merged_row;

/* The identity of src, and what it is now, as a row of "merged" (its path, the time now). */
static int merged_self(kd_store *src, merged_row *r)
{
    kd_totals t;
    int rc = kd_store_totals(src, &t);
    if (!rc && src->version >= 8)
        rc = meta_get(src, "model_id", &r->id);
    if (rc)
        return rc;
    if (src->version < 8 || !r->id)
        r->id = totals_identity(&t);
    r->generation = t.generation;
    r->spam = t.spam_messages;
    r->ham = t.ham_messages;
    r->time = kd_store_now();
    r->path = src->path;
    return KD_OK;
}

static void merged_when(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, size, "time %lld", (long long)t);
}

/* Check r against what s holds, then record it: r is src itself (its path is src's), or a
 * model src had taken in (its path is the one recorded in src). */
static int merged_take(kd_store *s, kd_store *src, const merged_row *r, int again)
{
    int64_t own = 0;
    int rc = meta_get(s, "model_id", &own);
    sqlite3_stmt *st = NULL;
    int nested = r->path != src->path;
    if (rc)
        return rc;
    if (r->id == own) {
        if (again)
            return KD_OK;
        return nested ? merged_refuse(s, "%.*s holds %.*s, which is the output model or a copy of it: "
                                         "its counts would be counted twice", upto(src->path, 150), src->path,
                                      upto(r->path, 150), r->path)
                      : merged_refuse(s, "%.*s is a copy of the output model (it has its identity): its "
                                         "counts would be counted twice", upto(src->path, 150), src->path);
    }
    if (!again) { /* named before in this merge (a copy of another input, or held by one)? */
        if (sqlite3_prepare_v2(s->db, "SELECT path FROM temp.merging WHERE id = ?1", -1, &st, NULL))
            return fail(s, sqlite3_errcode(s->db));
        sqlite3_bind_int64(st, 1, r->id);
        int src_rc = sqlite3_step(st);
        if (src_rc == SQLITE_ROW) {
            char before[320];
            const char *b = (const char *)sqlite3_column_text(st, 0);
            snprintf(before, sizeof before, "%.*s", b ? upto(b, 310) : 0, b ? b : "");
            sqlite3_finalize(st);
            if (nested)
                return merged_refuse(s, "%.*s holds %.*s, the same model as %s, which this merge takes in "
                                        "already: its counts would be counted twice", upto(src->path, 150),
                                     src->path, upto(r->path, 150), r->path, before);
            return merged_refuse(s, "%.*s is the same model as %s, which this merge takes in already (a copy: "
                                    "it has its identity): its counts would be counted twice", upto(src->path, 150),
                                 src->path, before);
        }
        rc = finish(s, st, src_rc);
        sqlite3_finalize(st);
        if (rc)
            return rc;
        if (sqlite3_prepare_v2(s->db, "SELECT generation, time, path FROM merged WHERE id = ?1", -1, &st, NULL))
            return fail(s, sqlite3_errcode(s->db));
        sqlite3_bind_int64(st, 1, r->id);
        src_rc = sqlite3_step(st);
        if (src_rc == SQLITE_ROW) {
            char when[64], as[180] = "";
            merged_when(sqlite3_column_int64(st, 1), when, sizeof when);
            const char *was = (const char *)sqlite3_column_text(st, 2);
            if (was && strcmp(was, r->path)) /* under another name then: a copy, or moved */
                snprintf(as, sizeof as, " as %.*s", upto(was, 150), was);
            int64_t g = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            if (nested)
                return merged_refuse(s, "%.*s holds %.*s, merged into the output already on %s%s: its counts "
                                        "would be counted twice", upto(src->path, 150), src->path,
                                     upto(r->path, 150), r->path, when, as);
            if (g == r->generation)
                return merged_refuse(s, "%.*s was merged into the output already, on %s%s: its counts would be "
                                        "counted twice", upto(src->path, 150), src->path, when, as);
            return merged_refuse(s, "%.*s has changed since it was merged into the output on %s%s (generation "
                                    "%lld then, %lld now): the counts it had then would be counted twice",
                                 upto(src->path, 150), src->path, when, as, (long long)g, (long long)r->generation);
        }
        rc = finish(s, st, src_rc);
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    if (sqlite3_prepare_v2(s->db, "INSERT INTO merged(id, generation, spam_messages, ham_messages, time, path) "
                                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET "
                                  "generation = excluded.generation, spam_messages = excluded.spam_messages, "
                                  "ham_messages = excluded.ham_messages, time = excluded.time, path = excluded.path",
                           -1, &st, NULL))
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int64(st, 2, r->generation);
    sqlite3_bind_int64(st, 3, r->spam);
    sqlite3_bind_int64(st, 4, r->ham);
    sqlite3_bind_int64(st, 5, r->time);
    sqlite3_bind_text(st, 6, r->path, -1, SQLITE_STATIC);
    rc = finish(s, st, sqlite3_step(st));
    sqlite3_finalize(st);
    if (rc)
        return rc;
    char who[320];
    if (nested)
        snprintf(who, sizeof who, "%.*s, which %.*s holds", upto(r->path, 150), r->path, upto(src->path, 150),
                 src->path);
    else
        snprintf(who, sizeof who, "%.*s", upto(r->path, 150), r->path);
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO temp.merging(id, path) VALUES(?1, ?2)", -1, &st, NULL))
        return fail(s, sqlite3_errcode(s->db));
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_text(st, 2, who, -1, SQLITE_TRANSIENT);
    rc = finish(s, st, sqlite3_step(st));
    sqlite3_finalize(st);
    return rc;
}

/* Check src, and the models it had taken in, against what s holds, and record them. Inside
 * src's read transaction (merge_one), so that what is recorded is what is added. */
static int merged_record(kd_store *s, kd_store *src, int again)
{
    merged_row r;
    int rc = merged_self(src, &r);
    if (rc) {
        read_fail(s, src);
        return rc;
    }
    if ((rc = merged_take(s, src, &r, again)) || src->version < 8)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(src->db, "SELECT id, generation, spam_messages, ham_messages, time, path FROM merged", -1,
                           &st, NULL)) {
        rc = fail(src, sqlite3_errcode(src->db));
        read_fail(s, src);
        return rc;
    }
    int src_rc;
    while (!rc && (src_rc = sqlite3_step(st)) == SQLITE_ROW) {
        merged_row n = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                         sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                         (const char *)sqlite3_column_text(st, 5) };
        if (!n.path || n.path == src->path)
            n.path = "?";
        rc = merged_take(s, src, &n, again);
    }
    if (!rc && src_rc != SQLITE_DONE) {
        rc = fail(src, src_rc);
        read_fail(s, src);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Add every table of src, read in one snapshot (a read transaction on src: a writer of src
 * goes on meanwhile, in WAL). *posts_changed counts the rows of posts and post_terms written. */
static int merge_one(kd_store *s, kd_store *src, int again, int64_t *posts_changed)
{
    int64_t other = 0;
    int rc = KD_OK;
    if (sqlite3_exec(src->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(src, sqlite3_errcode(src->db));
        read_fail(s, src);
        return rc;
    }
    rc = merged_record(s, src, again);
    for (size_t i = 0; i < sizeof merge_tables / sizeof *merge_tables && !rc; i++)
        if (src->version >= merge_tables[i].since)
            rc = merge_table(s, src, &merge_tables[i], merge_tables[i].posts ? posts_changed : &other);
    sqlite3_exec(src->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* Whether paths a and b name one file (a link, "./a.db" and "a.db"): device and inode. */
static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Open every input read-only, refusing one that is this store's file or another input's. */
static int merge_open(kd_store *s, const char *const *paths, size_t n, kd_store **src)
{
    char err[sizeof s->err];
    for (size_t i = 0; i < n; i++) {
        if (same_file(paths[i], s->path)) {
            snprintf(s->err, sizeof s->err, "%.*s is the output model itself", upto(paths[i], 200), paths[i]);
            return KD_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (same_file(paths[i], paths[j])) {
                snprintf(s->err, sizeof s->err, "%.*s and %.*s are the same model (it would count twice)",
                         upto(paths[j], 100), paths[j], upto(paths[i], 100), paths[i]);
                return KD_EINVAL;
            }
        int rc = kd_store_open(&src[i], paths[i], KD_OPEN_READONLY, err, sizeof err);
        if (rc) {
            size_t len = strlen(err);
            if (len == sizeof err - 1) { /* its message, cut short (a long path): at a character */
                while (len > 0 && ((unsigned char)err[len - 1] & 0xC0) == 0x80)
                    len--;
                if (len > 0 && (unsigned char)err[len - 1] >= 0xC0)
                    len--;
            }
            snprintf(s->err, sizeof s->err, "%.*s", (int)len, err);
            return rc;
        }
    }
    return KD_OK;
}

/* A signal handler's call (kd_model_interrupt): the flag, which the commit hook reads before
 * the merge's commit, and sqlite3_interrupt for a statement running now (SQLite's shell calls
 * it from its SIGINT handler: it stores one flag). Either stops the merge before its commit;
 * once the commit is made (merging 0), neither touches what follows it (the caller's reload
 * of the counts), and the merge returns 0. */
void kd_store_interrupt(kd_store *s)
{
    s->interrupted = 1;
    if (s->merging)
        sqlite3_interrupt(s->db);
}

int kd_store_merge(kd_store *s, const char *const *paths, size_t n, int again)
{
    s->err[0] = '\0';
    s->interrupted = 0; /* (one before the merge began is not this merge's) */
    kd_store **src = calloc(n ? n : 1, sizeof *src);
    if (!src) /* (not SQLite's failure: its message would be "not an error") */
        return oom(s);
    s->merging = 1;
    int rc = merge_open(s, paths, n, src);
    if (!rc)
        rc = step_done(s, stmt(s, ST_BEGIN));
    /* the models this merge has taken in so far, to tell a copy among its inputs from one
     * merged before (merged_take) */
    if (!rc && sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS merging(id INTEGER PRIMARY KEY, path TEXT); "
                                   "DELETE FROM temp.merging", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(s, sqlite3_errcode(s->db));
        rollback(s);
    }
    if (rc)
        goto done;
    int64_t posts_changed = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = merge_one(s, src[i], again, &posts_changed);
    /* vocab recounted; generation bumped: readers caching counts reload them; those caching
     * the posts' statistics rebuild them only if a post or a post's word changed */
    if (!rc)
        rc = step_done(s, stmt(s, ST_VOCAB_SET));
    if (!rc)
        rc = totals_fit(s);
    if (!rc && posts_changed)
        rc = kd_store_bump_posts_generation(s);
    if (!rc)
        rc = step_done(s, stmt(s, ST_COMMIT));
    s->merging = 0;
    if (rc)
        rollback(s);
done:
    s->merging = 0;
    if (rc && s->interrupted) {
        snprintf(s->err, sizeof s->err, "interrupted: nothing was merged");
        rc = KD_ERROR;
    }
    for (size_t i = 0; i < n; i++)
        kd_store_close(src[i]);
    free(src);
    return rc;
}

int kd_store_prune(kd_store *s, unsigned min_count, int64_t *removed)
{
    sqlite3_stmt *st = NULL;
    /* one transaction: the tokens, their foreign shares, vocab and the generation that tells
     * readers to reload go together or not at all */
    int own = sqlite3_get_autocommit(s->db);
    int rc = own ? step_done(s, stmt(s, ST_BEGIN)) : KD_OK;
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM tokens WHERE spam + ham < ?1", -1, &st, NULL) != SQLITE_OK) {
        rc = fail(s, sqlite3_errcode(s->db));
        goto done;
    }
    sqlite3_bind_int64(st, 1, min_count);
    int64_t n = 0;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = fail(s, sqlite3_errcode(s->db));
    else
        n = sqlite3_changes64(s->db);
    if (removed)
        *removed = n;
    sqlite3_finalize(st);
    st = NULL;
    /* how much: an undo of foreign comments may then find their pruned words' foreign
     * counts gone (kd_store_foreign_mismatch) */
    if (!rc && n > 0 && min_count > 1) {
        sqlite3_stmt *add = stmt(s, ST_SLACK_ADD);
        if (!add)
            rc = fail(s, sqlite3_errcode(s->db));
        else {
            sqlite3_bind_int64(add, 1, (int64_t)min_count - 1);
            rc = step_done(s, add);
        }
    }
    /* the foreign share of a pruned token goes with it */
    if (!rc && s->version >= 6)
        rc = step_done(s, stmt(s, ST_FOREIGN_ZAP));
    if (!rc)
        rc = step_done(s, stmt(s, ST_VOCAB_SET));
done:
    if (own && !rc)
        rc = step_done(s, stmt(s, ST_COMMIT));
    if (own && rc)
        rollback(s);
    return rc;
}

/* Leaving WAL needs the only connection to the file: with a reader open (kindly serve,
 * a running score) SQLite refuses at once with SQLITE_BUSY, the busy timeout does not apply;
 * that comes back as KD_EBUSY for the caller to explain. */
int kd_store_pack(kd_store *s)
{
    /* VACUUM builds its copy of the model in a temporary database: on disk, as SQLite's
     * default has it, even after the history asked for temporary storage in memory */
    int rc = sqlite3_exec(s->db,
                          "PRAGMA temp_store = DEFAULT; PRAGMA wal_checkpoint(TRUNCATE); "
                          "PRAGMA journal_mode = DELETE; VACUUM;",
                          NULL, NULL, NULL);
    return rc == SQLITE_OK ? KD_OK : fail(s, rc);
}

int kd_store_is_empty(kd_store *s)
{
    sqlite3_stmt *st = NULL;
    int empty = -1;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM tokens) + (SELECT count(*) FROM posts) +"
                           " (SELECT count(*) FROM history) +"
                           " (SELECT count(*) FROM meta WHERE key IN ('spam_messages', 'ham_messages') AND value <> 0)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        empty = sqlite3_column_int64(st, 0) == 0;
    sqlite3_finalize(st);
    return empty;
}
