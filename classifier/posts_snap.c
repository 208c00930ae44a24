/*
 * posts_snap.c - the posts cache (posts.c) kept in the model file, so that a process that
 * scores one comment (`kindly check`, run by a blog's hook per comment) reads it instead of
 * building it: a build tokenizes every post.
 *
 * Measured with callgrind (instructions of `kindly check` of one comment on a post, the same
 * model with and without its kept cache): a model without posts 3.2 M; the shipped model of
 * 8 posts 9.2 M built, 3.3 M read; 1,000 posts 310 M built, 4.5 M read; 10,000 posts
 * 2,677 M built, 9.6 M read (of which the read of the 13.6 MB blob and its checksum about
 * 5 M). The writes that keep it pay one build more (a 10,000-post import 4.3 G instead of
 * 1.6 G), and the file holds about 1.4 kB a post.
 *
 * The snapshot is the cache's own tables, one after the other in one blob, in the byte
 * order and layout of the machine that wrote it: loading is one read of the blob into one
 * allocation, a checksum and a check of its bounds, and a pointer per table, not a build.
 * The per-post word tables of the build are not in it (nor in the built cache): a post's
 * count of a word is found in the inverted index (kd_posts_term), which is a third of their
 * size. Two designs were weighed:
 * - SQL tables the scorer queries per comment (a comment needs the counts of its own words,
 *   its post's, and the norms of the posts that share a word) would read the least, and
 *   would keep a check's cost flat however many posts; but relevance.c would become a second
 *   reader of the same statistics, through SQLite, on every comment of a `kindly score`
 *   batch or of the server, which now read them from memory;
 * - a snapshot of the cache keeps one builder and one reader, and its load, linear in the
 *   cache's size with a small constant, is already a few million instructions at 10,000
 *   posts: the snapshot was taken.
 *
 * It is a cache and stays one: one row of the table posts_snapshot, created when first
 * written (not a schema migration: a kindly without it opens the file as before and ignores
 * the table; merge does not copy it), keyed on the posts generation (store.c, moved by
 * every kindly that can write this schema) and a format number. A model without it, with
 * one of another generation or format, or of another byte order, or whose blob fails a check
 * (its length, its checksum, a bound, a count or norm no build gives) is built as before, as
 * is a model the process cannot read it from. It is written by the writes that change posts
 * or their words (posts import and put, training ham with a post id, merge:
 * kd_posts_cache_keep), after their commit, in a transaction of its own that writes it only
 * if the posts generation is still the one it was built for; a failure to write it costs the
 * next reader a build, nothing else, so it is not an error of the write.
 */
#include "posts.h"

#include <float.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Bump when the layout below, the meaning of a field of the cache or what it counts as a
 * word of a post changes (a cache of another format is built anew, so its scores are the
 * ones a build gives). 2: a number with a decimal point or a thousands separator ("12.99")
 * is no word (stopwords.c), where format 1 counted it. 3: a post's stored text is read as
 * the plain text it is (posts.c), where format 2 read it as HTML again ("<script>" that a
 * post about HTML shows hid the words after it). 4: the site's counts (tf, length) are in
 * KD_SITE_UNITs, a post of more than three times the median post's words weighed down. */
#define SNAP_FORMAT 4
#define SNAP_MAGIC "KDPOSTS"
#define SNAP_ENDIAN 0x01020304u

#define SQL_SNAP_READ "SELECT length(data) FROM posts_snapshot WHERE id = 1 AND format = ?1 AND generation = ?2"
#define SQL_SNAP_TABLE "CREATE TABLE IF NOT EXISTS posts_snapshot(id INTEGER PRIMARY KEY CHECK(id = 1), " \
                       "format INTEGER NOT NULL, generation INTEGER NOT NULL, data BLOB NOT NULL)"
#define SQL_SNAP_WRITE "INSERT OR REPLACE INTO posts_snapshot(id, format, generation, data) VALUES(1, ?1, ?2, ?3)"

/* The blob: this header, then the sections in this order (every size a multiple of 8 but
 * the last, so each section is aligned for its type):
 *   n post records, by_id / df / tf keys then values, the postings,
 *   the posts' ids (ids_bytes, each NUL-terminated). */
typedef struct snap_header {
    char magic[8];
    uint32_t format, endian;
    uint64_t sum; /* checksum of the blob, this field read as 0 */
    int64_t generation, length;
    uint64_t n, postings, ids_bytes;
    uint64_t by_id_cap, by_id_n, df_cap, df_n, tf_cap, tf_n;
} snap_header;

typedef struct snap_post {
    int64_t length;
    double norm;
    uint64_t id; /* the id's offset in the ids */
} snap_post;

/* Where each section starts, from a header. */
typedef struct snap_layout {
    size_t posts, tables[3][2], postings, ids, end;
} snap_layout;

static int add_size(size_t *at, uint64_t count, size_t each)
{
    size_t bytes;
    if (count > SIZE_MAX / each || __builtin_mul_overflow((size_t)count, each, &bytes) ||
        __builtin_add_overflow(*at, bytes, at))
        return -1;
    return 0;
}

static int layout(const snap_header *h, snap_layout *l)
{
    size_t at = sizeof *h;
    const uint64_t caps[3] = { h->by_id_cap, h->df_cap, h->tf_cap };
    l->posts = at;
    if (add_size(&at, h->n, sizeof(snap_post)))
        return -1;
    for (int i = 0; i < 3; i++) {
        l->tables[i][0] = at;
        if (add_size(&at, caps[i], sizeof(uint64_t)))
            return -1;
        l->tables[i][1] = at;
        if (add_size(&at, caps[i], sizeof(kd_counts)))
            return -1;
    }
    l->postings = at;
    if (add_size(&at, h->postings, sizeof(kd_posting)))
        return -1;
    l->ids = at;
    if (add_size(&at, h->ids_bytes, 1))
        return -1;
    l->end = at;
    return 0;
}

/* A checksum of the blob's 64-bit words, summed in four lanes (no multiply: it is a pass over
 * the whole blob at every load), and its tail, then mixed (splitmix64's finaliser). Any one
 * word changed changes it; it is against a damaged file, not against someone crafting one
 * (attach() checks every bound for that). */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t s[4] = { 1, 2, 3, 4 }, w[4], t = n;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        memcpy(w, p + i, 32);
        s[0] += w[0];
        s[1] += w[1];
        s[2] += w[2];
        s[3] += w[3];
    }
    for (; i < n; i++)
        t = t * 131 + p[i];
    uint64_t z = s[0] ^ (s[1] << 1 | s[1] >> 63) ^ (s[2] << 2 | s[2] >> 62) ^ (s[3] << 3 | s[3] >> 61) ^ t;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int pow2_or_0(uint64_t cap) { return (cap & (cap - 1)) == 0; }

/* A table of the blob: its keys and values in place, n below cap so that a probe ends. */
static int table_at(kd_tokmap *t, unsigned char *b, const size_t at[2], uint64_t cap, uint64_t n)
{
    if (!pow2_or_0(cap) || (cap ? n >= cap : n))
        return -1;
    t->keys = cap ? (uint64_t *)(void *)(b + at[0]) : NULL;
    t->vals = cap ? (kd_counts *)(void *)(b + at[1]) : NULL;
    t->cap = (size_t)cap;
    t->n = (size_t)n;
    size_t used = 0;
    for (size_t i = 0; i < t->cap; i++)
        used += t->keys[i] != 0;
    return used == n ? 0 : -1;
}

/* Point c's tables into blob b (len bytes, checked: every index within its table) and fill
 * c->posts. 0, or -1 when the blob is not one this kindly wrote for gen. */
static int attach(kd_posts_cache *c, unsigned char *b, size_t len, int64_t gen)
{
    snap_header h;
    snap_layout l;
    if (len < sizeof h)
        return -1;
    memcpy(&h, b, sizeof h);
    if (memcmp(h.magic, SNAP_MAGIC, sizeof h.magic) || h.format != SNAP_FORMAT || h.endian != SNAP_ENDIAN ||
        h.generation != gen || h.n > UINT32_MAX || h.length < 0 || layout(&h, &l) || l.end != len)
        return -1;
    memset(b + offsetof(snap_header, sum), 0, sizeof h.sum);
    if (h.sum != checksum(b, len))
        return -1;
    c->n = (size_t)h.n;
    c->length = h.length;
    c->postings = h.postings ? (kd_posting *)(void *)(b + l.postings) : NULL;
    if (table_at(&c->by_id, b, l.tables[0], h.by_id_cap, h.by_id_n) ||
        table_at(&c->df, b, l.tables[1], h.df_cap, h.df_n) || table_at(&c->tf, b, l.tables[2], h.tf_cap, h.tf_n))
        return -1;
    for (size_t i = 0; i < c->by_id.cap; i++) /* index + 1 of a post */
        if (c->by_id.keys[i] && (c->by_id.vals[i].ham < 1 || (uint64_t)c->by_id.vals[i].ham > h.n))
            return -1;
    for (size_t i = 0; i < c->df.cap; i++) /* the start and count of a stem's postings */
        if (c->df.keys[i] && (c->df.vals[i].spam < 0 || c->df.vals[i].ham < 0 ||
                              (uint64_t)c->df.vals[i].spam > h.postings ||
                              (uint64_t)c->df.vals[i].ham > h.postings - (uint64_t)c->df.vals[i].spam))
            return -1;
    c->npostings = (size_t)h.postings; /* a posting's post is checked where it is read */
    const char *ids = (const char *)(b + l.ids);
    if (h.n && (!h.ids_bytes || ids[h.ids_bytes - 1]))
        return -1;
    if (h.n && !(c->posts = calloc((size_t)h.n, sizeof *c->posts)))
        return -1;
    const snap_post *sp = (const snap_post *)(void *)(b + l.posts);
    for (size_t q = 0; q < c->n; q++) {
        /* a length or a norm no build gives would reach the scores: a length below -MU
         * divides by zero or below it, a NaN norm makes every cosine with the post 0 */
        if (sp[q].id >= h.ids_bytes || sp[q].length < 0 || !(sp[q].norm >= 0 && sp[q].norm <= DBL_MAX))
            return -1;
        c->posts[q] = (kd_post_stats){ (char *)ids + sp[q].id, sp[q].length, sp[q].norm };
    }
    return 0;
}

int kd_posts_snap_load(kd_model *m, kd_posts_cache **out)
{
    sqlite3 *db = kd_store_db(m->store);
    sqlite3_stmt *st = NULL;
    kd_posts_cache *c = NULL;
    *out = NULL;
    /* no table (an older kindly's file, or never written: a model without posts has none),
     * or unreadable: built instead. Asked of the schema SQLite has read already (about 1 k
     * instructions), not by preparing the query, which fails only after about 23 k. */
    if (sqlite3_table_column_metadata(db, "main", "posts_snapshot", NULL, NULL, NULL, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, SQL_SNAP_READ, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(st, 1, SNAP_FORMAT);
    sqlite3_bind_int64(st, 2, m->posts_generation);
    int rc = -1;
    sqlite3_int64 len = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    /* read into the cache's own memory (not copied twice, through a column's value); a
     * writer that replaced the row meanwhile is seen in the header's generation or length */
    sqlite3_blob *blob = NULL;
    unsigned char *b = len > 0 && (uint64_t)len <= SIZE_MAX ? malloc((size_t)len) : NULL;
    if (b && (c = calloc(1, sizeof *c)) &&
        sqlite3_blob_open(db, "main", "posts_snapshot", "data", 1, 0, &blob) == SQLITE_OK &&
        sqlite3_blob_bytes(blob) == len && sqlite3_blob_read(blob, b, (int)len, 0) == SQLITE_OK) {
        c->snap = b;
        c->generation = m->posts_generation;
        c->refs = 1;
        c->stored = 1;
        rc = attach(c, b, (size_t)len, m->posts_generation);
    } else if (!c || !c->snap)
        free(b);
    sqlite3_blob_close(blob);
    if (rc) {
        kd_posts_cache_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

/* Copy table t's keys and values into the blob at at[]. */
static void put_table(unsigned char *b, const size_t at[2], const kd_tokmap *t)
{
    if (t->cap) {
        memcpy(b + at[0], t->keys, t->cap * sizeof *t->keys);
        memcpy(b + at[1], t->vals, t->cap * sizeof *t->vals);
    }
}

/* Serialize c into a new blob (*len bytes); NULL when out of memory. */
static unsigned char *serialize(const kd_posts_cache *c, size_t *len)
{
    snap_header h;
    snap_layout l;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, sizeof h.magic);
    h.format = SNAP_FORMAT;
    h.endian = SNAP_ENDIAN;
    h.generation = c->generation;
    h.length = c->length;
    h.n = c->n;
    for (size_t i = 0; i < c->df.cap; i++)
        if (c->df.keys[i])
            h.postings += (uint64_t)c->df.vals[i].ham;
    for (size_t q = 0; q < c->n; q++)
        h.ids_bytes += strlen(c->posts[q].id) + 1;
    h.by_id_cap = c->by_id.cap, h.by_id_n = c->by_id.n;
    h.df_cap = c->df.cap, h.df_n = c->df.n;
    h.tf_cap = c->tf.cap, h.tf_n = c->tf.n;
    unsigned char *b;
    if (layout(&h, &l) || !(b = calloc(1, l.end)))
        return NULL;
    snap_post *sp = (snap_post *)(void *)(b + l.posts);
    size_t id = 0;
    for (size_t q = 0; q < c->n; q++) {
        const kd_post_stats *p = &c->posts[q];
        size_t idlen = strlen(p->id) + 1;
        sp[q] = (snap_post){ p->length, p->norm, id };
        memcpy(b + l.ids + id, p->id, idlen);
        id += idlen;
    }
    put_table(b, l.tables[0], &c->by_id);
    put_table(b, l.tables[1], &c->df);
    put_table(b, l.tables[2], &c->tf);
    if (h.postings)
        memcpy(b + l.postings, c->postings, h.postings * sizeof *c->postings);
    memcpy(b, &h, sizeof h); /* h.sum 0 */
    h.sum = checksum(b, l.end);
    memcpy(b + offsetof(snap_header, sum), &h.sum, sizeof h.sum);
    *len = l.end;
    return b;
}

int kd_posts_snap_save(kd_model *m, kd_posts_cache *c, char *why, size_t whylen)
{
    sqlite3 *db = kd_store_db(m->store);
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    int64_t gen = -1;
    if (whylen)
        *why = '\0';
    /* not inside another's transaction (a history batch), and only for the file's own
     * current generation, checked under the write lock */
    if (c->stored)
        return KD_OK;
    if (!sqlite3_get_autocommit(db))
        return KD_EBUSY;
    unsigned char *b = serialize(c, &len);
    if (!b)
        return KD_ENOMEM;
    int rc = KD_EIO, src = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = src == SQLITE_BUSY || src == SQLITE_LOCKED ? KD_EBUSY : KD_EIO;
        goto failed;
    }
    if (kd_store_posts_generation(m->store, &gen))
        goto failed;
    if (gen != c->generation) { /* moved on: this cache is no longer the file's */
        rc = KD_SNAP_MOVED_ON;
        goto failed;
    }
    if (sqlite3_exec(db, SQL_SNAP_TABLE, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, SQL_SNAP_WRITE, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, SNAP_FORMAT);
        sqlite3_bind_int64(st, 2, c->generation);
        sqlite3_bind_blob64(st, 3, b, len, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
            rc = KD_OK;
    }
failed:
    /* SQLite's reason, read before the rollback resets it */
    if (rc == KD_EIO && whylen)
        snprintf(why, whylen, "%s", sqlite3_errmsg(db));
    if (rc && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(st);
    free(b);
    if (!rc)
        c->stored = 1;
    return rc;
}
