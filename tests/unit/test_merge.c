/* test_merge.c - merging models (store.c, kd_model_merge_all): all inputs in one
 * transaction, inputs opened read-only (never created, never locked), the same file refused
 * by device and inode, posts merged (the most recently updated kept), the generation moved
 * so that other handles' caches reload. Real SQLite files in a temporary directory. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "helpers.h"
#include "kindly.h"

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void) { th_rmrf(dir); }
TestSuite(merge, .init = setup, .fini = teardown);

static const char *at(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static kd_model *open_model(const char *name, unsigned flags)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, at(name), flags), 0, "open %s: %s", name, kd_model_error(m));
    return m;
}

/* A model of one spam and one ham comment on post p1, and post p1 itself. */
static void make_shard(const char *name, const char *spam, const char *ham, const char *post_text)
{
    kd_model *m = open_model(name, KD_OPEN_CREATE);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam;
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0);
    c.text = ham;
    c.post_id = "p1";
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", post_text), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

static int64_t sql_int(const char *name, const char *q)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(at(name), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *name, const char *q)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(at(name), &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static kd_model_stats stats(kd_model *m)
{
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0, "%s", kd_model_error(m));
    return st;
}

Test(merge, several_inputs_add_up_and_posts_come_along)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto giveaway today", "walking helped my mood", "How to sleep better");
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    const char *in[] = { at("a.db"), at("b.db") };
    cr_assert_eq(kd_model_merge_all(m, in, 2), 0, "%s", kd_model_error(m));
    kd_model_stats st = stats(m);
    cr_assert_eq(st.spam_messages, 2);
    cr_assert_eq(st.ham_messages, 2);
    uint64_t posts = 0;
    cr_assert_eq(kd_posts_count(m, &posts), 0);
    cr_assert_eq(posts, 1);
    cr_assert_eq(sql_int("out.db", "SELECT sum(n) FROM post_terms"),
                 sql_int("a.db", "SELECT sum(n) FROM post_terms") + sql_int("b.db", "SELECT sum(n) FROM post_terms"));
    kd_model_close(m);
}

/* A post in several inputs (and in the output) is kept as most recently updated. */
Test(merge, a_post_in_several_files_is_the_most_recently_updated)
{
    make_shard("a.db", "cheap pills", "journaling helped", "text of a");
    make_shard("b.db", "free crypto", "walking helped", "text of b");
    make_shard("out.db", "win a prize", "thank you", "text of out");
    sql_exec("a.db", "UPDATE posts SET updated = 3000");
    sql_exec("b.db", "UPDATE posts SET updated = 2000");
    sql_exec("out.db", "UPDATE posts SET updated = 1000");
    kd_model *m = open_model("out.db", KD_OPEN_WRITE);
    const char *in[] = { at("b.db"), at("a.db") };
    cr_assert_eq(kd_model_merge_all(m, in, 2), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int("out.db", "SELECT updated = 3000 AND text = 'text of a' FROM posts WHERE post_id = 'p1'"), 1);
    /* an older copy does not replace a newer one (b.db merged again, said to be meant) */
    sql_exec("b.db", "UPDATE posts SET updated = 1500, text = 'older'");
    m = open_model("out.db", KD_OPEN_WRITE);
    const char *again[] = { at("b.db") };
    cr_assert_eq(kd_model_merge_ex(m, again, 1, KD_MERGE_AGAIN), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int("out.db", "SELECT text = 'text of a' FROM posts WHERE post_id = 'p1'"), 1);
}

/* A failure while merging the second input leaves the output as it was: nothing of the first
 * was committed, and a rerun after the fix counts each input once. */
Test(merge, a_failure_leaves_the_output_as_it_was)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto giveaway today", "walking helped my mood", "Sleep");
    sql_exec("b.db", "ALTER TABLE post_terms RENAME TO gone"); /* read fails half-way through b */
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    const char *in[] = { at("a.db"), at("b.db") };
    cr_assert_eq(kd_model_merge_all(m, in, 2), KD_EIO);
    cr_assert_not_null(strstr(kd_model_error(m), "b.db"), "%s", kd_model_error(m));
    cr_assert_eq(stats(m).spam_messages, 0);
    cr_assert_eq(stats(m).tokens, 0);
    sql_exec("b.db", "ALTER TABLE gone RENAME TO post_terms");
    cr_assert_eq(kd_model_merge_all(m, in, 2), 0, "%s", kd_model_error(m));
    cr_assert_eq(stats(m).spam_messages, 2);
    /* an input that is not a model: refused before anything is written */
    th_write(dir, "junk.db", "not a database, not at all, only some words of text here\n", (char[512]){ 0 }, 512);
    const char *bad[] = { at("a.db"), at("junk.db") };
    cr_assert_eq(kd_model_merge_all(m, bad, 2), KD_ESCHEMA);
    cr_assert_eq(stats(m).spam_messages, 2);
    kd_model_close(m);
}

/* A damaged input whose row breaks a constraint (a NULL count: a corrupt page can read so) is
 * named as the input that cannot be read; it said "cannot merge in model out.db: NOT NULL
 * constraint failed: tokens.spam", blaming the output. */
Test(merge, a_damaged_input_row_is_the_inputs_fault)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto giveaway today", "walking helped my mood", "Sleep");
    sql_exec("b.db", "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'NOT NULL', '') "
                     "WHERE name = 'tokens'");
    sql_exec("b.db", "UPDATE tokens SET spam = NULL WHERE h = (SELECT h FROM tokens LIMIT 1)");
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    const char *in[] = { at("a.db"), at("b.db") };
    cr_assert_eq(kd_model_merge_all(m, in, 2), KD_ESCHEMA, "%s", kd_model_error(m));
    cr_assert_not_null(strstr(kd_model_error(m), "cannot read"), "%s", kd_model_error(m));
    cr_assert_not_null(strstr(kd_model_error(m), "b.db"), "%s", kd_model_error(m));
    cr_assert_not_null(strstr(kd_model_error(m), "damaged"), "%s", kd_model_error(m));
    cr_assert_null(strstr(kd_model_error(m), "out.db"), "%s", kd_model_error(m));
    cr_assert_eq(stats(m).spam_messages, 0);
    cr_assert_eq(stats(m).tokens, 0);
    kd_model_close(m);
}

/* A missing input is reported, not created; the output's own file and an input named twice
 * are refused by device and inode, whatever the spelling. */
Test(merge, missing_and_same_files)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_model_merge(m, at("nothere.db")), KD_EIO);
    cr_assert_not_null(strstr(kd_model_error(m), "no such file"), "%s", kd_model_error(m));
    struct stat st;
    cr_assert_neq(stat(at("nothere.db"), &st), 0, "the missing input was created");
    char dotted[600];
    snprintf(dotted, sizeof dotted, "%s/./out.db", dir);
    cr_assert_eq(kd_model_merge(m, dotted), KD_EINVAL);
    cr_assert_not_null(strstr(kd_model_error(m), "output model itself"), "%s", kd_model_error(m));
    cr_assert_eq(symlink(at("a.db"), at("link.db")), 0);
    const char *twice[] = { at("a.db"), at("link.db") };
    cr_assert_eq(kd_model_merge_all(m, twice, 2), KD_EINVAL);
    cr_assert_eq(stats(m).spam_messages, 0);
    kd_model_close(m);
}

/* Inputs are only read: a process holding a write transaction on one does not stop the
 * merge (no 10 s wait, no "database is locked"). */
Test(merge, an_input_being_written_is_merged_without_waiting)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    sqlite3 *writer;
    cr_assert_eq(sqlite3_open(at("a.db"), &writer), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(writer, "BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'vocab'", NULL,
                              NULL, NULL), SQLITE_OK);
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    time_t t0 = time(NULL);
    cr_assert_eq(kd_model_merge(m, at("a.db")), 0, "%s", kd_model_error(m));
    cr_assert_lt(time(NULL) - t0, 3);
    cr_assert_eq(stats(m).spam_messages, 1);
    sqlite3_exec(writer, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(writer);
    kd_model_close(m);
}

/* Another handle's posts cache sees the merged posts after its refresh: the merge moves the
 * generation the cache is keyed on. */
Test(merge, other_handles_see_the_merged_posts)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep at night", "Sleep at night");
    kd_model *out = open_model("out.db", KD_OPEN_CREATE);
    kd_model *reader = open_model("out.db", KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "journaling at night helped me sleep";
    c.post_id = "p1";
    kd_result before, after;
    cr_assert_eq(kd_classify(reader, &c, NULL, &before), 0, "%s", kd_model_error(reader));
    cr_assert_eq(kd_model_merge(out, at("a.db")), 0, "%s", kd_model_error(out));
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(reader, &reloaded), 0);
    cr_assert_eq(reloaded, 1);
    cr_assert_eq(kd_classify(reader, &c, NULL, &after), 0, "%s", kd_model_error(reader));
    kd_model *a = open_model("a.db", KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    kd_result want;
    cr_assert_eq(kd_classify(a, &c, NULL, &want), 0);
    cr_assert_float_eq(after.relevance, want.relevance, 1e-9);
    cr_assert_float_eq(after.spam_score, want.spam_score, 1e-9);
    kd_result_free(&before);
    kd_result_free(&after);
    kd_result_free(&want);
    kd_model_close(a);
    kd_model_close(reader);
    kd_model_close(out);
}

/* A copy of the model file name into name (the same bytes: the same identity). */
static void copy_file(const char *from, const char *to)
{
    char src[512], dst[512];
    snprintf(src, sizeof src, "%s", at(from));
    snprintf(dst, sizeof dst, "%s", at(to));
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    cr_assert(in && out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        cr_assert_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static int merge_ex(kd_model *m, const char *a, const char *b, unsigned flags)
{
    const char *in[] = { at(a), b ? at(b) : NULL };
    return kd_model_merge_ex(m, in, b ? 2 : 1, flags);
}

#define SAYS(m, what) cr_assert_not_null(strstr(kd_model_error(m), what), "%s", kd_model_error(m))

/* Counts are sums, so a model merged twice is counted twice: the second merge of an input
 * (alone, or with others: all or nothing) is refused, naming it and when it was merged;
 * KD_MERGE_AGAIN adds it all the same. */
Test(merge, the_same_input_twice_is_refused_unless_again)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto prize", "walking helped my mood", "Walks");
    kd_model *m = open_model("all.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_model_merge(m, at("a.db")), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_merge(m, at("a.db")), KD_EEXIST);
    SAYS(m, "a.db was merged into the output already, on ");
    SAYS(m, " UTC");
    cr_assert_eq(merge_ex(m, "b.db", "a.db", 0), KD_EEXIST);
    cr_assert_eq(stats(m).spam_messages, 1, "nothing of b.db was merged either");
    cr_assert_eq(kd_model_merge(m, at("b.db")), 0, "%s", kd_model_error(m));
    cr_assert_eq(stats(m).spam_messages, 2);
    cr_assert_eq(merge_ex(m, "a.db", NULL, KD_MERGE_AGAIN), 0, "%s", kd_model_error(m));
    cr_assert_eq(stats(m).spam_messages, 3);
    cr_assert_eq(merge_ex(m, "a.db", NULL, 0x80), KD_EINVAL);
    kd_model_close(m);
    cr_assert_eq(sql_int("all.db", "SELECT count(*) FROM merged"), 2);
}

/* A copy of a model has its identity: two copies in one merge, a model that holds one
 * merged before (its own "merged" rows come along), a copy of the output, are refused. */
Test(merge, copies_and_models_holding_them_are_refused)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto prize", "walking helped my mood", "Walks");
    copy_file("a.db", "c.db");
    kd_model *m = open_model("x.db", KD_OPEN_CREATE);
    cr_assert_eq(merge_ex(m, "a.db", "c.db", 0), KD_EEXIST);
    SAYS(m, "c.db is the same model as "); /* not "merged into the output already, on" now */
    SAYS(m, "a.db, which this merge takes in already (a copy: it has its identity)");
    cr_assert_null(strstr(kd_model_error(m), "merged into the output already"));
    cr_assert_eq(stats(m).spam_messages, 0);
    kd_model_close(m);

    m = open_model("all.db", KD_OPEN_CREATE);
    cr_assert_eq(merge_ex(m, "a.db", "b.db", 0), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    m = open_model("big.db", KD_OPEN_CREATE);
    cr_assert_eq(merge_ex(m, "b.db", "all.db", 0), KD_EEXIST); /* all.db holds b.db */
    SAYS(m, "all.db holds ");
    cr_assert_eq(merge_ex(m, "all.db", "b.db", 0), KD_EEXIST); /* b.db is held by all.db, taken in first */
    SAYS(m, "b.db is the same model as ");
    SAYS(m, "b.db, which ");
    SAYS(m, "all.db holds, which this merge takes in already");
    cr_assert_eq(merge_ex(m, "b.db", "all.db", 0), KD_EEXIST);
    SAYS(m, "b.db, the same model as ");
    SAYS(m, "b.db, which this merge takes in already");
    cr_assert_eq(kd_model_merge(m, at("all.db")), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_merge(m, at("c.db")), KD_EEXIST); /* a copy of a.db, which all.db held */
    kd_model_close(m);
    copy_file("big.db", "big2.db");
    m = open_model("big.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_model_merge(m, at("big2.db")), KD_EEXIST);
    SAYS(m, "big2.db is a copy of the output model");
    kd_model_close(m);
    m = open_model("a.db", KD_OPEN_WRITE); /* all.db holds a.db, the output */
    cr_assert_eq(kd_model_merge(m, at("all.db")), KD_EEXIST);
    SAYS(m, "which is the output model or a copy of it");
    cr_assert_eq(stats(m).spam_messages, 1);
    kd_model_close(m);
}

/* An input that learnt more since it was merged is refused: the counts it had then are in
 * the output, and would be added again with the new ones. Its identity is kept by training. */
Test(merge, an_input_that_learnt_since_is_refused)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    int64_t id = sql_int("a.db", "SELECT value FROM meta WHERE key = 'model_id'");
    cr_assert_gt(id, 0);
    kd_model *m = open_model("all.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_model_merge(m, at("a.db")), 0, "%s", kd_model_error(m));
    kd_model *a = open_model("a.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(a), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "win a free prize";
    cr_assert_eq(kd_train_add(a, &c, KD_SPAM, 1), 0);
    cr_assert_eq(kd_train_commit(a), 0, "%s", kd_model_error(a));
    kd_model_close(a);
    cr_assert_eq(sql_int("a.db", "SELECT value FROM meta WHERE key = 'model_id'"), id);
    cr_assert_eq(kd_model_merge(m, at("a.db")), KD_EEXIST);
    SAYS(m, "a.db has changed since it was merged into the output on ");
    SAYS(m, "(generation ");
    cr_assert_eq(stats(m).spam_messages, 1);
    kd_model_close(m);
}

/* A model written by an older kindly (schema 7) has no identity: read-only, it is known by
 * its totals (merged twice: refused); written by this kindly, it is given one. */
Test(merge, an_older_model_without_identity)
{
    make_shard("old.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    sql_exec("old.db", "DROP TABLE merged; DELETE FROM meta WHERE key = 'model_id'; PRAGMA user_version = 7;");
    kd_model *m = open_model("all.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_model_merge(m, at("old.db")), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_merge(m, at("old.db")), KD_EEXIST);
    SAYS(m, "old.db was merged into the output already");
    kd_model_close(m);
    cr_assert_eq(sql_int("old.db", "PRAGMA user_version"), 7, "an input is only read");
    kd_model_close(open_model("old.db", KD_OPEN_WRITE));
    cr_assert_eq(sql_int("old.db", "PRAGMA user_version"), 8);
    cr_assert_gt(sql_int("old.db", "SELECT value FROM meta WHERE key = 'model_id'"), 0);
}

/* The identity is random, and derived from $SOURCE_DATE_EPOCH and the file's name when it is
 * set, so that `make model` rebuilds the same file, and shards of other names built under it
 * (a packaging job) are not taken for copies of one model. */
Test(merge, identities_are_random_unless_source_date_epoch)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    cr_assert_neq(sql_int("a.db", "SELECT value FROM meta WHERE key = 'model_id'"),
                  sql_int("b.db", "SELECT value FROM meta WHERE key = 'model_id'"));
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    make_shard("c.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("d.db", "free crypto prize", "walking helped my mood", "Walks");
    cr_assert_eq(mkdir(at("sub"), 0700), 0);
    make_shard("sub/c.db", "free crypto prize", "walking helped my mood", "Walks");
    unsetenv("SOURCE_DATE_EPOCH");
    int64_t c = sql_int("c.db", "SELECT value FROM meta WHERE key = 'model_id'");
    cr_assert_gt(c, 0);
    cr_assert_eq(sql_int("sub/c.db", "SELECT value FROM meta WHERE key = 'model_id'"), c, "a rebuild of c.db");
    cr_assert_neq(sql_int("d.db", "SELECT value FROM meta WHERE key = 'model_id'"), c);
    kd_model *m = open_model("cd.db", KD_OPEN_CREATE);
    cr_assert_eq(merge_ex(m, "c.db", "d.db", 0), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

/* Totals past 2^63 - 1 (SQLite turns such a sum into an inexact REAL, and the counts stop
 * being sums): the merge is refused, naming the total, and the output is left as it was. */
Test(merge, a_total_past_the_largest_count_is_refused)
{
    make_shard("a.db", "cheap pills online now", "journaling helped me sleep", "How to sleep");
    make_shard("b.db", "free crypto giveaway today", "walking helped my mood", "Sleep");
    make_shard("out.db", "win a prize", "thank you", "text");
    sql_exec("a.db", "UPDATE meta SET value = 9223372036854775000 WHERE key = 'spam_tokens'");
    sql_exec("b.db", "UPDATE meta SET value = 9000 WHERE key = 'spam_tokens'");
    kd_model *m = open_model("out.db", KD_OPEN_WRITE);
    const char *in[2] = { at("a.db"), at("b.db") };
    cr_assert_eq(kd_model_merge_all(m, in, 2), KD_EIO, "%s", kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "cannot merge in model ") &&
                  strstr(kd_model_error(m), "spam_tokens total would pass 9223372036854775807"),
              "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int("out.db", "SELECT count(*) FROM meta WHERE typeof(value) <> 'integer'"), 0);
    cr_assert_eq(sql_int("out.db", "SELECT value FROM meta WHERE key = 'spam_messages'"), 1, "nothing merged");
    cr_assert_eq(sql_int("out.db", "SELECT count(*) FROM merged"), 0);
}

/* kd_model_interrupt, as kindly merge's signal handler calls it: a merge it lands in rolls
 * back whole and says so, one that had committed returns 0 and is whole; never a part. An
 * interrupt when no merge runs is forgotten by the next one. */
struct interrupter {
    kd_model *m;
    long delay_us;
    volatile int done;
};

static void *interrupt_soon(void *p)
{
    struct interrupter *it = p;
    struct timespec d = { 0, it->delay_us * 1000 };
    nanosleep(&d, NULL);
    while (!it->done) {
        kd_model_interrupt(it->m);
        struct timespec t = { 0, 100000 };
        nanosleep(&t, NULL);
    }
    return NULL;
}

Test(merge, an_interrupted_merge_is_all_or_nothing)
{
    /* an input of many tokens (one comment of 40,000 distinct words and their pairs): a
     * merge long enough for an interrupt to land in it */
    size_t n = 40000;
    char *text = malloc(n * 8 + 1), *p = text;
    cr_assert_not_null(text);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "w%05zu ", i);
    kd_model *big = open_model("big.db", KD_OPEN_CREATE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    cr_assert_eq(kd_train_begin(big), 0);
    cr_assert_eq(kd_train_add(big, &c, KD_SPAM, 1), 0, "%s", kd_model_error(big));
    cr_assert_eq(kd_train_commit(big), 0, "%s", kd_model_error(big));
    kd_model_close(big);
    free(text);

    kd_model *out = open_model("out.db", KD_OPEN_CREATE);
    kd_model_interrupt(out); /* before any merge: forgotten */
    cr_assert_eq(merge_ex(out, "big.db", NULL, 0), 0, "%s", kd_model_error(out));
    kd_model_close(out);

    int interrupted = 0;
    for (long delay = 0; delay <= 4000 && !interrupted; delay += 500) {
        remove(at("out2.db"));
        out = open_model("out2.db", KD_OPEN_CREATE);
        struct interrupter it = { out, delay, 0 };
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, interrupt_soon, &it), 0);
        int rc = merge_ex(out, "big.db", NULL, 0);
        it.done = 1;
        pthread_join(t, NULL);
        kd_model_stats s;
        cr_assert_eq(kd_model_stats_get(out, &s), 0, "%s", kd_model_error(out));
        if (rc) {
            cr_assert_eq(rc, KD_ERROR);
            SAYS(out, "interrupted: nothing was merged");
            cr_assert_eq(s.spam_messages, 0, "an interrupted merge kept %llu messages", (unsigned long long)s.spam_messages);
            cr_assert_eq(s.tokens, 0, "an interrupted merge kept %llu tokens", (unsigned long long)s.tokens);
            interrupted = 1;
            /* the next merge is not interrupted by the last one's signal */
            cr_assert_eq(merge_ex(out, "big.db", NULL, 0), 0, "%s", kd_model_error(out));
            cr_assert_eq(kd_model_stats_get(out, &s), 0);
        }
        cr_assert_eq(s.spam_messages, 1);
        kd_model_close(out);
        remove(at("out2.db-wal"));
        remove(at("out2.db-shm"));
    }
    cr_assert(interrupted, "no interrupt landed in a merge of 40,000 words");
}
