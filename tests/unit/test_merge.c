/* test_merge.c - merging models (store.c, kd_model_merge_all): all inputs in one
 * transaction, inputs opened read-only (never created, never locked), the same file refused
 * by device and inode, posts merged (the most recently updated kept), the generation moved
 * so that other handles' caches reload. Real SQLite files in a temporary directory. */
#include <criterion/criterion.h>
#include <sqlite3.h>
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
    /* an older copy does not replace a newer one */
    sql_exec("b.db", "UPDATE posts SET updated = 1500, text = 'older'");
    m = open_model("out.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_model_merge(m, at("b.db")), 0, "%s", kd_model_error(m));
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
