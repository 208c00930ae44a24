/*
 * posts.c - the posts a model knows: storing them, the words of their approved comments,
 * and the per-post term statistics that relevance scoring reads.
 *
 * Storing: kd_post_put() and kd_posts_import() upsert rows of the `posts` table
 * (post_id, title, text, updated). HTML is reduced to its text first (html.c: entities
 * decoded, tags dropped), so a WordPress `post_content` is stored as a reader sees it.
 * An import runs in one IMMEDIATE transaction with one prepared statement.
 *
 * Approved comments: a post of a title and one sentence shares few words with the comments
 * it gets; the comments readers were let to leave on it say much more about what it is
 * about. So every ham comment learnt with a post_id (kd_train_add) adds its distinct
 * content words, by stem, to the table post_terms (post hash, stem, occurrences: each
 * distinct word form of a comment once, so "list" and "lists" in one comment count 2, as
 * store.c's schema says), written in the same transaction as the token counts
 * (kd_posts_learn_write).
 * They are sums, like the token counts: unlearning subtracts, merging adds.
 *
 * Reading: scoring a comment needs, for its post, the counts of the post's content words
 * (its text and its approved comments), for the site, in how many posts each word occurs,
 * and how often each word occurs in all posts. Tokenizing posts per comment would cost far
 * more than the whole Bayes stage, so the first comment that needs them builds a cache on
 * the model: every post tokenized once (kd_tokenize with word pairs and metadata off, the
 * same hashes as the token table, the text read as the plain text it was stored as; the
 * title counts twice, as titles state the topic) plus
 * its post_terms rows, keyed by kd_hash64(post_id). Thereafter a post lookup is one hash
 * probe and a word lookup another. The cache also holds an inverted index (per word, the
 * posts that use it and how often, in the order of the posts), with which kd_posts_share()
 * weighs a comment against every post while visiting only the posts that share one of its
 * words, and in which kd_posts_term() finds a post's count of a word by binary search: the
 * per-post word tables the build counts in are dropped once the index is made (they were
 * two thirds of the cache, which is also what the model file keeps, below).
 *
 * The site's counts (tf: each word's occurrences in all posts, and length, their sum) weigh a
 * post as at most SITE_CAP (3) times the median post's words, and never below SITE_FLOOR
 * (KD_POST_MU, 200) words: a longer post's words count cap / its words of a word each, in
 * KD_SITE_UNITs (1/4096 of a word: fractions without floating point in the tables the model
 * file keeps). Counted whole, one huge post (a 20,000-word guide, a pasted e-book, a
 * transcript) was most of the site's language: the other posts' words weighed little, their
 * comments were held as off topic, and chatter in the huge post's words passed. Measured on
 * the wellness benchmark with a huge post (tools/bench_relevance.py --huge-post;
 * docs/BENCHMARKS-relevance.md, twenty-ninth session): an off-domain one of 20,000 words
 * (11,632 content words; the median post has 227) held 6.0% of the on-topic comments and
 * 30.8% of the short replies (0.5% and 17.5% without it); weighed down, 0.5% and 17.5%. A
 * cap of 2 medians moved the figures without a huge post; one of 4 left 1.5% held. Only the
 * site's counts are weighed: a post's own model, its IDF and its TF-IDF vector count all its
 * words, as a comment on it should be judged by all of it. The build counts every post
 * whole, then reads and tokenizes again only the posts above the cap (weigh_posts): a site
 * without one pays a sort of its posts' lengths; with the 20,000-word post, a build costs
 * 33.6 M instructions instead of 21.5 M.
 *
 * Kept in the model file: a build tokenizes every post, and a process that scores one
 * comment (`kindly check`, run per comment by a blog's hook) paid it every time: 6.2 M of
 * the 9.3 M instructions of a check on the shipped model of 8 posts, 2,677 M on 10,000
 * posts (callgrind). So the writes that change posts or their words (kd_post_put,
 * kd_posts_import, training ham with a post_id, a merge that brings posts) build the new
 * cache once, after their commit, and keep it in the file (posts_snap.c), and a handle
 * without a current cache in the process reads it from there before it builds one: 9.6 M
 * instructions for a check on 10,000 posts. The kept cache is only a cache: missing (a file
 * of an older kindly), of another posts generation or format, or damaged, it is built as
 * before. A handle opened with KD_OPEN_KEEP_LATER (the server's, whose feedback would
 * otherwise pay a build and a 14 MB write at 10,000 posts per ham comment on a post) leaves
 * the keeping to kd_model_keep_posts(), called when its owner chooses.
 *
 * The cache is keyed on the model's "posts_generation" (store.c), which only writes of posts
 * and post_terms move, in their own transaction: learning a ham comment with a post_id, a
 * post put or import, a merge that brings posts or their words. Token counts do not: spam
 * feedback, or ham without a post_id, cannot change a post's words, and rebuilding the cache
 * of a site of 10,000 posts costs most of a second. A handle drops its cache when it writes a
 * post or learns, and another handle reads the new one from the file (or rebuilds it) when
 * kd_model_refresh() reads a new posts generation after that commit. The history's commits
 * do not move it either.
 *
 * One cache is built per process for a file and posts generation, and shared read-only by
 * every handle on that file (the server's pool holds one handle per thread: each built and
 * held a copy of hundreds of megabytes). Caches are reference-counted in a registry keyed on
 * the file's device and inode and the generation, under one lock; a handle that finds a build
 * under way waits for it rather than building its own. An in-memory model is never shared.
 */
#include "posts.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "html.h"
#include "model.h"
#include "stopwords.h"
#include "tokenize.h"

#define SQL_PUT "INSERT INTO posts(post_id, title, text, updated) VALUES(?1, ?2, ?3, ?5) " \
                "ON CONFLICT(post_id) DO UPDATE SET title = CASE WHEN ?4 THEN title ELSE excluded.title END, " \
                "text = excluded.text, updated = excluded.updated " \
                "WHERE posts.title IS NOT (CASE WHEN ?4 THEN posts.title ELSE excluded.title END) " \
                "OR posts.text IS NOT excluded.text"
#define SQL_ALL "SELECT post_id, title, text FROM posts"
#define SQL_COUNT "SELECT count(*) FROM posts"
#define SQL_COUNT_RETIRED "SELECT count(*) FROM posts WHERE trim(title, char(32, 9, 10, 13)) = '' " \
                          "AND trim(text, char(32, 9, 10, 13)) = ''"
#define SQL_ONE "SELECT title, text FROM posts WHERE post_id = ?1"
#define SQL_TERMS "SELECT h, n FROM post_terms WHERE post = ?1"

#define SQL_TERMS_ADD "INSERT INTO post_terms(post, h, n) VALUES(?1, ?2, ?3) " \
                      "ON CONFLICT(post, h) DO UPDATE SET n = n + excluded.n"
#define SQL_TERMS_ZAP "DELETE FROM post_terms WHERE n <= 0"
#define TERMS_SCHEMA 5 /* the schema that added post_terms (store.c) */
/* In the site's counts (the cache's tf and length), a post counts as at most SITE_CAP times
 * the median post's words, and is never cut below SITE_FLOOR words (weigh_posts). */
#define SITE_CAP 3
#define SITE_FLOOR ((int64_t)KD_POST_MU)

/* How a post's title and text are tokenized: words only (no pairs, no metadata), and as the
 * plain text they are stored as (put reduced their HTML): a "&lt;script&gt;" a post shows is
 * stored as "<script>", which read as HTML again hid every word after it. */
static const kd_tokenize_options post_topt = { 0, 0, 40, 1 };

/* The registry of shared caches and their reference counts, and the builds under way: one
 * lock, never held during a build (a handle on another file, or with a current cache, never
 * waits); a handle that needs a cache another handle is building waits for that build. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static kd_posts_cache *registry; /* shared caches with refs > 0, linked by next */
static _Atomic uint64_t builds;  /* caches built by this process (kd_posts_cache_builds): read
                                  * without the lock, so /metrics never waits for a build */
static _Atomic uint64_t loads;   /* caches read from the model file (kd_posts_cache_loads) */

static int has_posts_table(kd_model *m) { return kd_store_schema_version(m->store) >= 3; }
static int has_terms_table(kd_model *m) { return kd_store_schema_version(m->store) >= TERMS_SCHEMA; }

static int writable(kd_model *m)
{
    if (!(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "the model was opened read-only");
    return KD_OK;
}

/* A failed statement on the posts tables: what is a write ("store the post"), a read
 * ("cannot read the posts") or a whole message ("cannot write the words ..."); the model is
 * named in each. */
static int sql_fail(kd_model *m, const char *what)
{
    sqlite3 *db = kd_store_db(m->store);
    int e = sqlite3_errcode(db) & 0xff;
    int code = e == SQLITE_NOMEM ? KD_ENOMEM : e == SQLITE_BUSY || e == SQLITE_LOCKED ? KD_EBUSY : KD_EIO;
    if (!strncmp(what, "cannot read ", 12))
        return kd_model_read_failed(m, code, what + 12, sqlite3_errmsg(db));
    return !strncmp(what, "cannot ", 7)
               ? kd_model_fail(m, code, "%s in model %s: %s", what, kd_store_path(m->store), sqlite3_errmsg(db))
               : kd_model_write_failed(m, code, what, sqlite3_errmsg(db));
}

static void drop_cache(kd_model *m)
{
    kd_posts_cache_release(m->posts);
    m->posts = NULL;
}

/* Inside a write's transaction: move both generations (the counts' too, for readers of
 * an older kindly that key their posts cache on it), and note the new posts generation for
 * this handle, whose own commits kd_model_refresh() does not see. */
static int bump(kd_model *m, int64_t *gen)
{
    if (kd_store_bump_generation(m->store) || kd_store_bump_posts_generation(m->store) ||
        kd_store_posts_generation(m->store, gen))
        return sql_fail(m, "store the post");
    return KD_OK;
}

/* Whether text has a content word, as the posts cache counts them (add_field): a post
 * without one has length 0 and is scored as an unknown post. -1 when out of memory. */
static int has_words(const char *text)
{
    kd_comment cm = KD_COMMENT_INIT;
    kd_tokens tok = KD_TOKENS_INIT;
    cm.text = text;
    int found = kd_tokenize(&cm, &post_topt, &tok) ? -1 : 0;
    for (size_t i = 0; !found && i < tok.n; i++)
        found = kd_content_word(kd_tokens_str(&tok, i), tok.hash[i]);
    kd_tokens_free(&tok);
    return found;
}

/* Store one post (title and text HTML-decoded first) with the prepared upsert; keep_title:
 * a post already stored keeps its title (a file without the column). *empty (may be NULL)
 * tells whether neither title nor text has a word relevance can use (after HTML is reduced
 * to its text: an image-only WordPress post, a gallery shortcode, "&nbsp;"). *changed (may
 * be NULL): whether the row was written, 0 for a post stored with this title and text
 * already (it keeps its update time, which a merge compares). */
static int put(kd_model *m, sqlite3_stmt *st, const char *id, const char *title, int keep_title, const char *text,
               kd_buf *scratch, int *empty, int *changed)
{
    if (!id || !*id)
        return kd_model_fail(m, KD_EINVAL, "a post needs an id");
    const char *fields[2] = { title ? title : "", text ? text : "" };
    kd_buf dec = KD_BUF_INIT; /* the title; the text goes to scratch, reused across rows */
    int rc = KD_OK;
    for (int i = 0; i < 2; i++) {
        kd_buf *b = i ? scratch : &dec;
        kd_buf_clear(b);
        size_t n = strlen(fields[i]);
        if (kd_html_post_maybe(fields[i], n)) {
            if (kd_html_decode_post(fields[i], n, b)) {
                rc = kd_model_fail(m, KD_ENOMEM, "cannot store the post in model %s: out of memory",
                                   kd_store_path(m->store));
                goto done;
            }
            fields[i] = b->s ? b->s : "";
        }
    }
    if (empty) {
        int a = has_words(fields[0]), b = a ? a : has_words(fields[1]);
        if (a < 0 || b < 0) {
            rc = kd_model_fail(m, KD_ENOMEM, "cannot store the post in model %s: out of memory",
                               kd_store_path(m->store));
            goto done;
        }
        *empty = !a && !b;
    }
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, fields[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, fields[1], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, keep_title);
    sqlite3_bind_int64(st, 5, kd_store_now()); /* SOURCE_DATE_EPOCH: `make model` builds the same file twice */
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(m, "store the post");
    else if (changed)
        *changed = sqlite3_changes(kd_store_db(m->store)) > 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
done:
    kd_buf_free(&dec);
    return rc;
}

static int prepare_put(kd_model *m, sqlite3_stmt **st)
{
    int rc = writable(m);
    if (rc)
        return rc;
    if (!has_posts_table(m))
        return kd_model_fail(m, KD_ESCHEMA, "the model has no posts table (schema %d)", kd_store_schema_version(m->store));
    /* a history batch's open transaction is committed first: ours could not begin in it */
    if ((rc = kd_model_flush_history(m)))
        return rc;
    if (sqlite3_prepare_v2(kd_store_db(m->store), SQL_PUT, -1, st, NULL) != SQLITE_OK)
        return sql_fail(m, "store the post");
    return KD_OK;
}

int kd_post_put(kd_model *m, const char *post_id, const char *title, const char *text)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    sqlite3_stmt *st = NULL;
    kd_buf scratch = KD_BUF_INIT;
    sqlite3 *db = kd_store_db(m->store);
    int64_t gen = 0;
    int rc = prepare_put(m, &st);
    if (!rc && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(m, "write the posts");
    else if (!rc) {
        if (!(rc = put(m, st, post_id, title, 0, text, &scratch, NULL, NULL)))
            rc = bump(m, &gen);
        if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            rc = sql_fail(m, "write the posts");
        if (rc)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        else
            m->posts_generation = gen;
    }
    sqlite3_finalize(st);
    kd_buf_free(&scratch);
    drop_cache(m);
    if (!rc)
        kd_posts_cache_keep(m);
    return rc;
}

/* Whether approved comments learnt on the post left words in post_terms (a post without
 * words of its own is then scored against theirs, not as an unknown post): 1, 0, or -1 when
 * it cannot be read. */
static int has_comment_words(kd_model *m, const char *id)
{
    if (!has_terms_table(m))
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(kd_store_db(m->store), "SELECT 1 FROM post_terms WHERE post = ?1 AND n > 0 LIMIT 1", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)kd_hash64(id, strlen(id)));
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int count_posts(kd_model *m, const char *sql, uint64_t *out);

static int column(const kd_csv *r, const char *const *names)
{
    for (; *names; names++) {
        int c = kd_csv_column(r, *names);
        if (c >= 0)
            return c;
    }
    return -1;
}

int kd_posts_import(kd_model *m, kd_csv *r, uint64_t *imported, uint64_t *skipped)
{
    kd_posts_import_counts c;
    int rc = kd_posts_import_ex(m, r, &c);
    if (imported)
        *imported = c.imported;
    if (skipped)
        *skipped = c.skipped;
    return rc;
}

int kd_posts_import_ex(kd_model *m, kd_csv *r, kd_posts_import_counts *out)
{
    static const char *const id_names[] = { "post_id", "ID", "id", NULL };
    static const char *const title_names[] = { "title", "post_title", NULL };
    static const char *const text_names[] = { "text", "post_content", "content", "description", "body", NULL };
    kd_posts_import_counts none = { 0 };
    if (out)
        *out = none;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!r)
        return kd_model_fail(m, KD_EINVAL, "kd_posts_import: no CSV reader");
    if (!kd_csv_header(r, NULL)) /* a reader whose kd_csv_open failed: say why, not "no id column" */
        return kd_model_fail(m, KD_EINVAL, "kd_posts_import: the CSV reader did not open: %s", kd_csv_error(r));
    sqlite3 *db = kd_store_db(m->store);
    sqlite3_stmt *st = NULL;
    kd_buf scratch = KD_BUF_INIT;
    uint64_t n = 0, bad = 0, unchanged = 0, before = 0, after = 0;
    /* hash of each post id stored from this file -> its line (ham), and whether one of its
     * rows changed the model's post (spam: added or updated, not unchanged) */
    kd_tokmap seen = { 0 };
    int wrote = 0; /* a row changed a post: the posts generation moves */
    int intx = 0, rc;
    /* a comments file has a post_id and a text too: imported as posts, each comment would
     * replace its post's text. A column only comments have (names match in any case, so
     * none that a posts export may hold: "author", "content"), or both a comment's id and
     * its post's, tells them apart. */
    static const char *const comment_only[] = { "label", "comment_content", "comment_approved", "comment_author",
                                                "comment_ID", "CLASS", NULL };
    int ccomment = column(r, comment_only);
    int cboth = kd_csv_column(r, "id") >= 0 && kd_csv_column(r, "post_id") >= 0;
    if (ccomment >= 0 || cboth) {
        char why[160];
        if (ccomment >= 0)
            snprintf(why, sizeof why, "the column '%s'", kd_csv_header(r, NULL)[ccomment]);
        else
            snprintf(why, sizeof why, "a comment's id and its post's");
        rc = kd_model_fail(m, KD_ENOTFOUND, "this looks like a file of comments (it has %s), not of posts: "
                                            "posts take post_id,title,text or a WordPress post export "
                                            "(ID,post_title,post_content); comments go to train, learn or score",
                           why);
        goto done;
    }
    int cid = column(r, id_names), ctitle = column(r, title_names), ctext = column(r, text_names);
    /* a title without the text is refused too: imported, it would replace a post's text by
     * nothing (`wp post list --format=csv` without --fields has no post_content) */
    if (cid < 0 || ctext < 0) {
        /* one column whose name holds another separator: a spreadsheet's ';' CSV (in a locale
         * with a decimal comma) or a TSV, as the comment readers say it (csv.c) */
        size_t ncol = 0;
        const char *const *names = kd_csv_header(r, &ncol);
        const char *sep = NULL;
        if (ncol == 1)
            sep = strchr(names[0], ';') ? "';'" : strchr(names[0], '\t') ? "tabs" : strchr(names[0], '|') ? "'|'" : NULL;
        rc = kd_model_fail(m, KD_ENOTFOUND, "a posts file needs a post_id (or ID) column and a text (post_content) "
                                            "column%s%s%s%s; from WordPress: wp post list --fields=ID,post_title,post_content "
                                            "--format=csv", cid >= 0 ? " (it has no text column)" : "",
                           sep ? " (its header is one column separated by " : "", sep ? sep : "",
                           sep ? ", not commas: save it as comma-separated CSV)" : "");
        goto done;
    }
    if ((rc = prepare_put(m, &st)))
        goto done;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sql_fail(m, "write the posts");
        goto done;
    }
    intx = 1;
    /* the posts new to the model: how many more it holds at the end of the transaction */
    if ((rc = count_posts(m, SQL_COUNT, &before)))
        goto done;
    const kd_csv_row *row;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        const char *id = row->fields[cid];
        if (!*id) { /* named through the reader's problem callback, as FILE:LINE */
            kd_csv_reject(r, row, kd_csv_header(r, NULL)[cid], "no post id");
            bad++;
            continue;
        }
        int empty, changed = 1;
        if ((rc = put(m, st, id, ctitle >= 0 ? row->fields[ctitle] : "", ctitle < 0, row->fields[ctext], &scratch,
                      &empty, &changed)))
            goto done;
        wrote |= changed;
        int learnt = empty ? has_comment_words(m, id) : 0;
        if (learnt < 0) {
            rc = sql_fail(m, "cannot read the posts");
            goto done;
        }
        if (empty && learnt)
            kd_csv_note(r, row, NULL, ctitle >= 0 ? "the post has no words in its title or text: its comments are "
                                                    "scored against the words of the approved comments learnt on it"
                                                  : "the post's text has no words: its comments are scored against "
                                                    "its title, if it has one, and the approved comments learnt on it");
        else if (empty && ctitle >= 0)
            kd_csv_note(r, row, NULL, "the post has no words in its title or text: its comments are scored against the site");
        else if (empty) /* its title, kept from before, may have some */
            kd_csv_note(r, row, NULL, "the post's text has no words (its title, if it has one, is kept)");
        kd_counts *at = kd_tokmap_upsert(&seen, kd_hash64(id, strlen(id)));
        if (!at) {
            rc = kd_model_fail(m, KD_ENOMEM, "cannot import the posts into model %s: out of memory",
                               kd_store_path(m->store));
            goto done;
        }
        if (at->ham) { /* the later row wins, as an update of an existing post does */
            char msg[96];
            snprintf(msg, sizeof msg, "the post id is also on line %lld: this row replaces that one",
                     (long long)at->ham);
            kd_csv_note(r, row, kd_csv_header(r, NULL)[cid], msg);
            if (changed && !at->spam) /* counted unchanged by its earlier row */
                unchanged--;
        } else {
            n++;
            unchanged += !changed;
        }
        at->ham = (int64_t)row->line;
        at->spam |= changed;
    }
    if (rc < 0) { /* the reader's message names the file, but "out of memory" alone */
        rc = rc == KD_ENOMEM ? kd_model_fail(m, rc, "cannot import the posts into model %s: out of memory",
                                             kd_store_path(m->store))
                             : kd_model_fail(m, rc, "%s", kd_csv_error(r));
        goto done;
    }
    if ((rc = count_posts(m, SQL_COUNT, &after)))
        goto done;
    /* a file of posts the model holds as they are changes nothing: the posts generation
     * stays, and with it the posts cache (a server's, the file's) */
    int64_t gen = m->posts_generation;
    if (wrote && (rc = bump(m, &gen)))
        goto done;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sql_fail(m, "write the posts");
        goto done;
    }
    intx = 0;
    m->posts_generation = gen;
    rc = KD_OK;
done:
    if (intx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(st);
    kd_buf_free(&scratch);
    kd_tokmap_free(&seen);
    if (rc || wrote) /* (a file that changed nothing keeps this handle's cache) */
        drop_cache(m);
    if (!rc) /* (kept in the file's current format, an older kindly's one replaced) */
        kd_posts_cache_keep(m);
    if (out && !rc) {
        out->imported = n;
        out->added = after > before ? after - before : 0;
        out->unchanged = unchanged;
        out->updated = n - out->added - unchanged;
    }
    if (out)
        out->skipped = bad;
    return rc;
}

/* The count of sql's one row into *out: kd_posts_count, kd_posts_count_retired. */
static int count_posts(kd_model *m, const char *sql, uint64_t *out)
{
    if (!has_posts_table(m))
        return KD_OK;
    sqlite3_stmt *st = NULL;
    int rc = KD_OK;
    if (sqlite3_prepare_v2(kd_store_db(m->store), sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = sql_fail(m, "cannot read the posts");
    else
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int kd_posts_count(kd_model *m, uint64_t *out)
{
    if (out)
        *out = 0;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!out)
        return kd_model_fail(m, KD_EINVAL, "kd_posts_count: out is NULL");
    return count_posts(m, SQL_COUNT, out);
}

int kd_posts_count_retired(kd_model *m, uint64_t *out)
{
    if (out)
        *out = 0;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!out)
        return kd_model_fail(m, KD_EINVAL, "kd_posts_count_retired: out is NULL");
    return count_posts(m, SQL_COUNT_RETIRED, out);
}

/* ---------------------------------------------------------------------------------------- */
/* the cache */

void kd_posts_cache_free(kd_posts_cache *c)
{
    if (!c)
        return;
    if (c->snap) { /* read from the file: one allocation holds all but posts[] */
        free(c->posts);
        free(c->snap);
        free(c);
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        free(c->posts[i].id);
    free(c->posts);
    kd_tokmap_free(&c->by_id);
    kd_tokmap_free(&c->df);
    kd_tokmap_free(&c->tf);
    free(c->postings);
    free(c);
}

/* The tokens of one field of a post (a title, a text), as the posts count them: KD_OK or
 * KD_ENOMEM. add_field and unweigh_field read the same words of it. */
static int field_tokens(kd_tokens *tok, const char *text)
{
    kd_comment cm = KD_COMMENT_INIT;
    cm.text = text;
    kd_tokens_clear(tok);
    return kd_tokenize(&cm, &post_topt, tok) ? KD_ENOMEM : KD_OK;
}

/* Count the content words of one field into words by stem (weight times each, p's length)
 * and into the site's c->tf by word (weight KD_SITE_UNITs each: weigh_posts() weighs a long
 * post down afterwards). */
static int add_field(kd_posts_cache *c, kd_post_stats *p, kd_tokmap *words, kd_tokens *tok, const char *text,
                     int weight)
{
    if (field_tokens(tok, text))
        return KD_ENOMEM;
    for (size_t i = 0; i < tok->n; i++) {
        const char *s = kd_tokens_str(tok, i);
        if (!kd_content_word(s, tok->hash[i]))
            continue;
        kd_counts *k = kd_tokmap_upsert(words, kd_word_key(s, tok->hash[i]));
        kd_counts *t = kd_tokmap_upsert(&c->tf, tok->hash[i]);
        if (!k || !t)
            return KD_ENOMEM;
        k->ham += weight;
        t->ham += weight * KD_SITE_UNIT;
        p->length += weight;
    }
    return KD_OK;
}

/* Take the words of one field of a post weighed down from c->tf: less units each (weight
 * times, as add_field counted it). Each count keeps at least one unit: a post changed since
 * add_field read it (another process's write between the two reads; this cache is then of an
 * older generation, and is neither kept in the file nor used past the next refresh) cannot
 * make one negative. */
static int unweigh_field(kd_posts_cache *c, kd_tokens *tok, const char *text, int weight, int64_t less)
{
    if (field_tokens(tok, text))
        return KD_ENOMEM;
    for (size_t i = 0; i < tok->n; i++) {
        const char *s = kd_tokens_str(tok, i);
        if (!kd_content_word(s, tok->hash[i]))
            continue;
        ptrdiff_t j = kd_tokmap_slot(c->tf.keys, c->tf.cap, tok->hash[i]);
        if (j < 0)
            continue;
        int64_t *t = &c->tf.vals[j].ham, d = weight * less;
        *t = *t - d >= 1 ? *t - d : 1;
    }
    return KD_OK;
}

static int cmp_len(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The most words a post counts as in the site's language: SITE_CAP times the median post's
 * (the lower median of the posts with words; one post is its own median), and at least
 * SITE_FLOOR; -1 when no post has words, -2 when out of memory. */
static int64_t site_cap(const int64_t *own, size_t n)
{
    int64_t *v = malloc((n ? n : 1) * sizeof *v), cap = -1;
    size_t m = 0;
    if (!v)
        return -2;
    for (size_t q = 0; q < n; q++)
        if (own[q] > 0)
            v[m++] = own[q];
    if (m) {
        qsort(v, m, sizeof *v, cmp_len);
        int64_t med = v[(m - 1) / 2];
        cap = med > SITE_FLOOR / SITE_CAP ? SITE_CAP * med : SITE_FLOOR;
    }
    free(v);
    return cap;
}

/* Weigh each post in the site's counts (c->tf, c->length) as at most site_cap() words: a
 * longer post's words count cap / own of a word each (in whole KD_SITE_UNITs, at least one).
 * own: each post's words (title twice, text; not its comments'). The posts above the cap are
 * read and tokenized again: few, and none on a site without an outsized post. */
static int weigh_posts(kd_model *m, kd_posts_cache *c, const int64_t *own, kd_tokens *tok)
{
    int64_t cap = site_cap(own, c->n);
    if (cap == -2)
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    int rc = KD_OK;
    c->length = 0;
    for (size_t q = 0; q < c->n; q++) {
        int64_t unit = KD_SITE_UNIT;
        if (cap >= 0 && own[q] > cap) {
            unit = llround(KD_SITE_UNIT * (double)cap / (double)own[q]);
            unit = unit < 1 ? 1 : unit;
        }
        if (unit < KD_SITE_UNIT) {
            if (!st && sqlite3_prepare_v2(kd_store_db(m->store), SQL_ONE, -1, &st, NULL) != SQLITE_OK) {
                rc = sql_fail(m, "cannot read the posts");
                break;
            }
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, c->posts[q].id, -1, SQLITE_STATIC);
            int src = sqlite3_step(st);
            if (src == SQLITE_ROW) {
                const char *title = (const char *)sqlite3_column_text(st, 0);
                const char *text = (const char *)sqlite3_column_text(st, 1);
                if ((title && unweigh_field(c, tok, title, 2, KD_SITE_UNIT - unit)) ||
                    (text && unweigh_field(c, tok, text, 1, KD_SITE_UNIT - unit))) {
                    rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
                    break;
                }
            } else if (src == SQLITE_DONE) /* deleted since: its words stay whole */
                unit = KD_SITE_UNIT;
            else {
                rc = sql_fail(m, "cannot read the posts");
                break;
            }
        }
        c->length += own[q] * unit;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Add the words of the post's approved comments (post_terms) to words (p's length). */
static int add_comments(kd_model *m, sqlite3_stmt *st, kd_post_stats *p, kd_tokmap *words)
{
    int rc = KD_OK, src;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)kd_hash64(p->id, strlen(p->id)));
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(st, 1);
        if (n <= 0)
            continue;
        kd_counts *k = kd_tokmap_upsert(words, (uint64_t)sqlite3_column_int64(st, 0));
        if (!k) {
            rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
            break;
        }
        k->ham += n;
        p->length += n;
    }
    if (!rc && src != SQLITE_DONE)
        rc = sql_fail(m, "cannot read the words of the posts' comments");
    sqlite3_reset(st);
    return rc;
}

/* The posts' word counts while a cache is built, before they become its inverted index: per
 * post a compact table (kd_tokmap32) whose counts are interned in pool (seen: count -> index
 * + 1 in pool, in vals[].ham): a post's counts are small numbers, the same few hundred across
 * the site. */
typedef struct frozen {
    kd_tokmap32 *terms; /* per post, cap of them */
    size_t cap;
    kd_counts *pool;
    size_t npool, poolcap;
    kd_tokmap seen;
} frozen;

static void frozen_free(frozen *f, size_t n)
{
    for (size_t q = 0; q < n && f->terms; q++)
        kd_tokmap32_free(&f->terms[q]);
    free(f->terms);
    free(f->pool);
    kd_tokmap_free(&f->seen);
}

/* Move post q's counted words into its compact table. words is emptied for the next post,
 * its room kept. */
static int freeze(frozen *f, size_t q, kd_tokmap *words)
{
    if (q >= f->cap) {
        size_t ncap = f->cap ? 2 * f->cap : 16;
        kd_tokmap32 *t = realloc(f->terms, ncap * sizeof *t);
        if (!t)
            return KD_ENOMEM;
        memset(t + f->cap, 0, (ncap - f->cap) * sizeof *t);
        f->terms = t;
        f->cap = ncap;
    }
    kd_tokmap32 *terms = &f->terms[q];
    if (kd_tokmap32_init(terms, words->n))
        return KD_ENOMEM;
    for (size_t i = 0; i < words->cap; i++) {
        if (!words->keys[i])
            continue;
        int64_t n = words->vals[i].ham; /* >= 1: only words that occur are counted */
        kd_counts *v = kd_tokmap_upsert(&f->seen, (uint64_t)n);
        if (!v)
            return KD_ENOMEM;
        if (!v->ham) {
            if (f->npool == f->poolcap) {
                size_t ncap = f->poolcap ? 2 * f->poolcap : 64;
                kd_counts *pool = realloc(f->pool, ncap * sizeof *pool);
                if (!pool)
                    return KD_ENOMEM;
                f->pool = pool;
                f->poolcap = ncap;
            }
            f->pool[f->npool] = (kd_counts){ 0, n };
            v->ham = (int64_t)++f->npool;
        }
        kd_tokmap32_add(terms, words->keys[i], (uint32_t)(v->ham - 1));
        words->keys[i] = 0; /* emptied as read: no second pass over a table sized for the
                             * largest post */
        words->vals[i] = (kd_counts){ 0, 0 };
    }
    words->n = 0;
    return KD_OK;
}

/* The inverted index (stem -> posts using it, in postings[], in the order of the posts) and
 * each post's TF-IDF norm, from the posts' word counts. */
static int build_index(kd_posts_cache *c, const frozen *f)
{
    size_t total = 0;
    for (size_t i = 0; i < c->df.cap; i++)
        if (c->df.keys[i]) {
            c->df.vals[i].spam = (int64_t)total;
            total += (size_t)c->df.vals[i].ham;
        }
    if (total && !(c->postings = malloc(total * sizeof *c->postings)))
        return KD_ENOMEM;
    c->npostings = total;
    size_t *fill = calloc(c->df.cap ? c->df.cap : 1, sizeof *fill);
    if (!fill)
        return KD_ENOMEM;
    for (size_t q = 0; q < c->n; q++) {
        const kd_tokmap32 *t = &f->terms[q];
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->keys[i])
                continue;
            uint64_t key = t->keys[i], mask = c->df.cap - 1, j = key & mask;
            while (c->df.keys[j] != key) /* present: every term was counted into df */
                j = (j + 1) & mask;
            kd_posting *e = &c->postings[c->df.vals[j].spam + (int64_t)fill[j]++];
            e->post = (uint32_t)q;
            int64_t n = f->pool[t->idx[i]].ham;
            e->n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
            /* the post's TF-IDF vector: (1 + ln tf) idf per stem (kd_posts_share) */
            double w = (1 + log((double)(n > 0 ? n : 1))) * kd_posts_idf(c, c->df.vals[j].ham);
            c->posts[q].norm += w * w;
        }
    }
    free(fill);
    for (size_t q = 0; q < c->n; q++)
        c->posts[q].norm = sqrt(c->posts[q].norm);
    return KD_OK;
}

static int build(kd_model *m, kd_posts_cache **out)
{
    kd_posts_cache *c = calloc(1, sizeof *c);
    kd_tokens tok = KD_TOKENS_INIT;
    /* a post's words are counted here, then moved into its compact table in f: the table
     * grows once, to the largest post, instead of once per post */
    kd_tokmap words = KD_TOKMAP_INIT;
    frozen f = { NULL, 0, NULL, 0, 0, KD_TOKMAP_INIT };
    sqlite3_stmt *st = NULL, *terms = NULL;
    size_t cap = 0;
    int64_t *own = NULL; /* per post, its own words (title twice, text): weigh_posts */
    int rc = KD_OK, src;
    if (!c)
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    c->generation = m->posts_generation;
    c->refs = 1;
    if (!has_posts_table(m))
        goto done;
    if (sqlite3_prepare_v2(kd_store_db(m->store), SQL_ALL, -1, &st, NULL) != SQLITE_OK ||
        (has_terms_table(m) && sqlite3_prepare_v2(kd_store_db(m->store), SQL_TERMS, -1, &terms, NULL) != SQLITE_OK)) {
        rc = sql_fail(m, "cannot read the posts");
        goto done;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *title = (const char *)sqlite3_column_text(st, 1);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        if (!id)
            continue;
        if (c->n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            kd_post_stats *p = realloc(c->posts, ncap * sizeof *p);
            if (!p)
                goto oom;
            c->posts = p;
            int64_t *o = realloc(own, ncap * sizeof *o);
            if (!o)
                goto oom;
            own = o;
            cap = ncap;
        }
        kd_post_stats *p = &c->posts[c->n];
        memset(p, 0, sizeof *p);
        c->n++;
        if (!(p->id = strdup(id)))
            goto oom;
        if ((title && add_field(c, p, &words, &tok, title, 2)) || (text && add_field(c, p, &words, &tok, text, 1)))
            goto oom;
        own[c->n - 1] = p->length;
        if (terms && (rc = add_comments(m, terms, p, &words)))
            goto done;
        kd_counts *k = kd_tokmap_upsert(&c->by_id, kd_hash64(id, strlen(id)));
        if (!k)
            goto oom;
        k->ham = (int64_t)c->n; /* index + 1 */
        for (size_t i = 0; i < words.cap; i++) {
            if (!words.keys[i])
                continue;
            kd_counts *d = kd_tokmap_upsert(&c->df, words.keys[i]);
            if (!d)
                goto oom;
            d->ham++;
        }
        if (freeze(&f, c->n - 1, &words))
            goto oom;
    }
    if (src != SQLITE_DONE) {
        rc = sql_fail(m, "cannot read the posts");
        goto done;
    }
    if ((rc = weigh_posts(m, c, own, &tok)))
        goto done;
    if (build_index(c, &f))
        goto oom;
    goto done;
oom:
    rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
done:
    sqlite3_finalize(st);
    sqlite3_finalize(terms);
    kd_tokens_free(&tok);
    kd_tokmap_free(&words);
    frozen_free(&f, c->n);
    free(own);
    if (rc) {
        kd_posts_cache_free(c);
        return rc;
    }
    atomic_fetch_add_explicit(&builds, 1, memory_order_relaxed);
    *out = c;
    return KD_OK;
}

/* Drop a reference, the caller holding cache_lock. */
static void release_locked(kd_posts_cache *c)
{
    if (!c || --c->refs > 0)
        return;
    for (kd_posts_cache **p = &registry; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    kd_posts_cache_free(c);
}

void kd_posts_cache_release(kd_posts_cache *c)
{
    pthread_mutex_lock(&cache_lock);
    release_locked(c);
    pthread_mutex_unlock(&cache_lock);
}

/* A build under way of a shared cache: a handle that needs the same file and generation
 * waits for it (cache_built) rather than building its own copy. */
typedef struct building {
    uint64_t dev, ino;
    int64_t generation;
    struct building *next;
} building;
static building *in_progress; /* under cache_lock */
static pthread_cond_t cache_built = PTHREAD_COND_INITIALIZER;

static int being_built(uint64_t dev, uint64_t ino, int64_t generation)
{
    for (building *b = in_progress; b; b = b->next)
        if (b->dev == dev && b->ino == ino && b->generation == generation)
            return 1;
    return 0;
}

int kd_posts_cache_get(kd_model *m, const kd_posts_cache **out)
{
    /* the common case, without the lock: this handle's cache is current (a cache is
     * immutable, and m->posts is this handle's, used by one thread at a time) */
    if (m->posts && m->posts->generation == m->posts_generation) {
        *out = m->posts;
        return KD_OK;
    }
    uint64_t dev = 0, ino = 0;
    /* the file this handle opened (not what its path names now); 0 for an in-memory model */
    int shared = kd_store_file_id(m->store, &dev, &ino);
    int64_t gen = m->posts_generation;
    pthread_mutex_lock(&cache_lock);
    release_locked(m->posts);
    m->posts = NULL;
    for (;;) {
        for (kd_posts_cache *c = shared ? registry : NULL; c; c = c->next)
            if (c->dev == dev && c->ino == ino && c->generation == gen) {
                c->refs++;
                m->posts = c;
                break;
            }
        if (m->posts || !shared || !being_built(dev, ino, gen))
            break;
        pthread_cond_wait(&cache_built, &cache_lock);
    }
    if (m->posts) {
        *out = m->posts;
        pthread_mutex_unlock(&cache_lock);
        return KD_OK;
    }
    /* build it without the lock: other handles, on this file or another, go on scoring */
    building b = { dev, ino, gen, in_progress };
    if (shared)
        in_progress = &b;
    pthread_mutex_unlock(&cache_lock);
    kd_posts_cache *c = NULL;
    int rc = KD_OK;
    if (!kd_posts_snap_load(m, &c))
        atomic_fetch_add_explicit(&loads, 1, memory_order_relaxed);
    else
        rc = build(m, &c);
    pthread_mutex_lock(&cache_lock);
    if (shared) {
        for (building **p = &in_progress; *p; p = &(*p)->next)
            if (*p == &b) {
                *p = b.next;
                break;
            }
        if (!rc) {
            c->dev = dev;
            c->ino = ino;
            c->next = registry;
            registry = c;
        }
        pthread_cond_broadcast(&cache_built);
    }
    pthread_mutex_unlock(&cache_lock);
    m->posts = rc ? NULL : c;
    *out = m->posts;
    return rc;
}

void kd_posts_cache_keep(kd_model *m)
{
    uint64_t dev, ino;
    const kd_posts_cache *c;
    char err[sizeof m->err];
    /* an in-memory model: no next process; a keep-later handle: kd_model_keep_posts */
    if ((m->flags & KD_OPEN_KEEP_LATER) || !kd_store_file_id(m->store, &dev, &ino))
        return;
    memcpy(err, m->err, sizeof err);
    if (!kd_posts_cache_get(m, &c) && c->n)
        kd_posts_snap_save(m, m->posts, NULL, 0);
    memcpy(m->err, err, sizeof err);
}

int kd_model_keep_posts(kd_model *m)
{
    uint64_t dev, ino;
    const kd_posts_cache *c;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    int rc = writable(m);
    if (rc || !kd_store_file_id(m->store, &dev, &ino))
        return rc;
    if (m->training)
        return kd_model_fail(m, KD_EINVAL, "kd_model_keep_posts: a training batch is open (commit or abort it first)");
    /* read from the file, or written there already, at this generation: nothing to do */
    if ((rc = kd_posts_cache_get(m, &c)) || !c->n || c->stored)
        return rc;
    char why[256];
    rc = kd_posts_snap_save(m, m->posts, why, sizeof why);
    if (rc == KD_SNAP_MOVED_ON) /* another handle moved the posts on: it keeps its own */
        return KD_OK;
    if (rc == KD_EIO)
        return kd_model_fail(m, rc, "the posts cache was not kept in model %s: %s; the next reader builds it",
                             kd_store_path(m->store), why);
    if (rc)
        return kd_model_fail(m, rc, "the posts cache was not kept in model %s (%s): the next reader builds it",
                             kd_store_path(m->store),
                             rc == KD_ENOMEM ? "out of memory" : "another writer holds the file or changed the posts");
    return KD_OK;
}

uint64_t kd_posts_cache_builds(void)
{
    return atomic_load_explicit(&builds, memory_order_relaxed);
}

uint64_t kd_posts_cache_loads(void)
{
    return atomic_load_explicit(&loads, memory_order_relaxed);
}

int64_t kd_posts_term(const kd_posts_cache *c, const kd_post_stats *p, const kd_counts *d)
{
    if (!p || !d || d->ham <= 0)
        return 0;
    uint32_t q = (uint32_t)(p - c->posts);
    const kd_posting *lo = c->postings + d->spam, *hi = lo + d->ham; /* in the order of the posts */
    while (lo < hi) {
        const kd_posting *mid = lo + (hi - lo) / 2;
        if (mid->post == q)
            return mid->n;
        if (mid->post < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

const kd_post_stats *kd_posts_find(const kd_posts_cache *c, const char *id)
{
    if (!c || !id || !*id)
        return NULL;
    const kd_counts *k = kd_tokmap_get(&c->by_id, kd_hash64(id, strlen(id)));
    if (!k || k->ham < 1 || (size_t)k->ham > c->n)
        return NULL;
    const kd_post_stats *p = &c->posts[k->ham - 1];
    return strcmp(p->id, id) ? NULL : p;
}

double kd_posts_idf(const kd_posts_cache *c, int64_t df)
{
    return log(((double)c->n + 1) / ((double)df + 0.5));
}

double kd_posts_share(const kd_posts_cache *c, const kd_post_stats *own, const uint64_t *keys, size_t n)
{
    if (!c->n)
        return 1.0;
    size_t self = (size_t)(own - c->posts), stack_t[256], *touched = stack_t, nt = 0, k = 0;
    double stack_d[256], *dot = stack_d;
    if (c->n > 256) {
        dot = calloc(c->n, sizeof *dot);
        touched = malloc(c->n * sizeof *touched);
        if (!dot || !touched) {
            free(dot);
            free(touched);
            return 1.0 / (double)c->n; /* out of memory: no evidence either way */
        }
    } else {
        memset(stack_d, 0, c->n * sizeof *stack_d);
    }
    /* the comment's vector: idf per distinct stem; its dot product with each post's */
    double cn = 0;
    for (size_t x = 0; x < n && k < KD_POSTERIOR_WORDS; x++) {
        const kd_counts *d = kd_tokmap_get(&c->df, keys[x]);
        if (!d || d->ham > KD_POSTING_MAX)
            continue;
        size_t y = 0; /* a stem counts once ("list" and "lists" are one): else cos > 1 */
        while (y < x && keys[y] != keys[x])
            y++;
        if (y < x)
            continue;
        k++;
        double idf = kd_posts_idf(c, d->ham);
        cn += idf * idf;
        for (const kd_posting *e = c->postings + d->spam, *end = e + d->ham; e < end; e++) {
            if (e->post >= c->n) /* only in a damaged snapshot (posts_snap.c checks the rest) */
                continue;
            if (dot[e->post] == 0) /* idf > 0 and 1 + ln tf >= 1: a touched post's dot is > 0 */
                touched[nt++] = e->post;
            dot[e->post] += idf * idf * (1 + log((double)e->n));
        }
    }
    double share = 1.0 / (double)c->n;
    if (k) { /* softmax of TAU cos(comment, q) over the posts; cos = 0 for the untouched ones */
        cn = sqrt(cn);
        double z = (double)(c->n - nt), num = 1.0;
        for (size_t i = 0; i < nt; i++) {
            size_t q = touched[i];
            double e = exp(KD_POSTS_TAU * (c->posts[q].norm > 0 ? dot[q] / (cn * c->posts[q].norm) : 0));
            z += e;
            if (q == self)
                num = e;
        }
        share = num / z;
    }
    if (dot != stack_d) {
        free(dot);
        free(touched);
    }
    return share;
}

/* ---------------------------------------------------------------------------------------- */
/* learning the words of approved comments */

/* The pending batch: (post, word) pairs with their deltas. map: mix(post, word) -> ham =
 * delta, spam = index + 1 in pairs. */
struct kd_post_delta {
    kd_tokmap map;
    uint64_t (*pairs)[2];
    size_t n, cap;
    int negative; /* some delta went below zero: rows may need deleting */
};

static uint64_t mix(uint64_t post, uint64_t word)
{
    uint64_t z = post ^ (word * 0x9E3779B97F4A7C15ULL) ^ (word >> 29);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void kd_posts_learn_free(kd_model *m)
{
    if (!m || !m->post_delta)
        return;
    kd_tokmap_free(&m->post_delta->map);
    free(m->post_delta->pairs);
    free(m->post_delta);
    m->post_delta = NULL;
}

int kd_posts_learn(kd_model *m, const kd_comment *c, int delta)
{
    const kd_tokens *tok = &m->tok;
    const kd_tokset *set = &m->set;
    if (!m->post_delta && !(m->post_delta = calloc(1, sizeof *m->post_delta)))
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    struct kd_post_delta *d = m->post_delta;
    uint64_t post = kd_hash64(c->post_id, strlen(c->post_id));
    for (size_t x = 0; x < set->n; x++) {
        size_t i = set->idx[x];
        const char *s = kd_tokens_str(tok, i);
        if (!kd_content_word(s, tok->hash[i]))
            continue;
        uint64_t w = kd_word_key(s, tok->hash[i]);
        kd_counts *k = kd_tokmap_upsert(&d->map, mix(post, w));
        if (!k)
            return kd_model_fail(m, KD_ENOMEM, "out of memory");
        if (!k->spam) {
            if (d->n == d->cap) {
                size_t ncap = d->cap ? 2 * d->cap : 256;
                void *p = realloc(d->pairs, ncap * sizeof *d->pairs);
                if (!p)
                    return kd_model_fail(m, KD_ENOMEM, "out of memory");
                d->pairs = p;
                d->cap = ncap;
            }
            d->pairs[d->n][0] = post;
            d->pairs[d->n][1] = w;
            k->spam = (int64_t)++d->n;
        }
        k->ham += delta;
        d->negative |= delta < 0;
    }
    return KD_OK;
}

int kd_posts_learn_write(void *model)
{
    kd_model *m = model;
    struct kd_post_delta *d = m->post_delta;
    sqlite3 *db = kd_store_db(m->store);
    sqlite3_stmt *st = NULL;
    int rc = KD_OK;
    if (!d || !d->n || !has_terms_table(m))
        return KD_OK;
    if (sqlite3_prepare_v2(db, SQL_TERMS_ADD, -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(m, "cannot write the words of the posts' comments");
        goto done;
    }
    for (size_t i = 0; i < d->n; i++) {
        const kd_counts *k = kd_tokmap_get(&d->map, mix(d->pairs[i][0], d->pairs[i][1]));
        if (!k || !k->ham)
            continue;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)d->pairs[i][0]);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)d->pairs[i][1]);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)k->ham);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = sql_fail(m, "cannot write the words of the posts' comments");
            goto done;
        }
        sqlite3_reset(st);
    }
    if (d->negative && sqlite3_exec(db, SQL_TERMS_ZAP, NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(m, "cannot write the words of the posts' comments");
    /* a post's words changed: readers rebuild their posts cache (kd_train_commit's load()
     * reads the new generation for this handle) */
    else if (kd_store_bump_posts_generation(m->store))
        rc = sql_fail(m, "cannot write the words of the posts' comments");
done:
    sqlite3_finalize(st);
    return rc;
}

int kd_posts_learn_done(kd_model *m, int rc)
{
    /* only a batch of a post's words changes the cache: spam and ham without a post keep it */
    int wrote = m->post_delta && m->post_delta->n;
    kd_posts_learn_free(m);
    if (!rc && wrote)
        drop_cache(m);
    return !rc && wrote;
}
