/* test_posts.c - the posts table: put, update, count, import (kindly and WordPress columns,
 * HTML stripped), read-only refusal, and the cache seeing updates. Real SQLite files. */
#include <criterion/criterion.h>
#include <sqlite3.h>

#include "helpers.h"
#include "kindly.h"

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void) { th_rmrf(dir); }
TestSuite(posts, .init = setup, .fini = teardown);

static kd_model *open_model(unsigned flags)
{
    char path[512];
    snprintf(path, sizeof path, "%s/m.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, flags), 0, "%s", kd_model_error(m));
    return m;
}

static void stored_text(const char *id, char *out, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/m.db", dir);
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT title || '|' || text FROM posts WHERE post_id = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

Test(posts, put_update_count)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    uint64_t n;
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", "Anxiety keeps you <b>awake</b> &amp; tired"), 0);
    cr_assert_eq(kd_post_put(m, "p2", "Grief", NULL), 0);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep, again", "Better sleep"), 0);
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(kd_post_put(m, "", "x", "y"), KD_EINVAL);
    cr_assert_eq(kd_post_put(m, NULL, "x", "y"), KD_EINVAL);
    kd_model_close(m);
    char s[256];
    stored_text("p1", s, sizeof s);
    cr_assert_str_eq(s, "Sleep, again|Better sleep");
}

Test(posts, html_is_stripped)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "Fish &amp; chips", "<p>Anxiety keeps you <b>awake</b>.</p>"), 0);
    kd_model_close(m);
    char s[256];
    stored_text("p1", s, sizeof s);
    cr_assert_not_null(strstr(s, "Fish & chips|"), "%s", s);
    cr_assert_not_null(strstr(s, "Anxiety keeps you awake."), "%s", s);
    cr_assert_null(strchr(s, '<'), "%s", s);
}

Test(posts, read_only_model_refuses)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "t", "x"), 0);
    kd_model_close(m);
    m = open_model(KD_OPEN_READONLY);
    cr_assert_eq(kd_post_put(m, "p2", "t", "x"), KD_EINVAL);
    cr_assert_not_null(strstr(kd_model_error(m), "read-only"));
    uint64_t n;
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(n, 1);
    kd_model_close(m);
}

static uint64_t import(kd_model *m, const char *csv, int want_rc, uint64_t *skipped)
{
    char path[512];
    th_write(dir, "posts.csv", csv, path, sizeof path);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0);
    uint64_t n = 99;
    cr_assert_eq(kd_posts_import(m, r, &n, skipped), want_rc, "%s", kd_model_error(m));
    kd_csv_free(r);
    return n;
}

Test(posts, import_kindly_and_wordpress_columns)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    uint64_t skipped;
    cr_assert_eq(import(m, "post_id,title,text\na,Sleep,\"Anxiety, sleep\"\nb,Grief,Loss\n,No id,x\n", 0, &skipped), 2);
    cr_assert_eq(skipped, 1);
    cr_assert_eq(import(m, "ID,post_title,post_content,post_status\n7,Walking,<p>Walk &amp; talk</p>,publish\na,Sleep 2,New,publish\n",
                        0, &skipped), 2);
    cr_assert_eq(skipped, 0);
    uint64_t n;
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(import(m, "name,body\nx,y\n", KD_ENOTFOUND, NULL), 0);
    kd_model_close(m);
    char s[256];
    stored_text("7", s, sizeof s);
    cr_assert_not_null(strstr(s, "Walking|"), "%s", s);
    cr_assert_not_null(strstr(s, "Walk & talk"), "%s", s);
    cr_assert_null(strchr(s, '<'), "%s", s);
    stored_text("a", s, sizeof s);
    cr_assert_str_eq(s, "Sleep 2|New");
}

Test(posts, classify_sees_new_posts)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "breathing exercises before sleep helped my anxiety";
    c.post_id = "p1";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0);
    cr_assert_float_eq(r.relevance, -1.0, 1e-9, "no posts, no comments: not computed");
    kd_result_free(&r);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0);
    double on = r.relevance;
    kd_result_free(&r);
    c.text = "the football match went to penalties after extra time";
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0);
    cr_assert_geq(r.relevance, 0.0, "computed once the model knows a post");
    cr_assert_gt(on, r.relevance + 0.1, "on %f off %f", on, r.relevance);
    kd_result_free(&r);
    kd_model_close(m);
}

static int64_t post_terms_sum(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT coalesce(sum(n), 0) FROM post_terms", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void learn_one(kd_model *m, const char *post, const char *text, kd_label label)
{
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = post;
    c.text = text;
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, label, 1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

Test(posts, approved_comments_words_are_kept_per_post_and_merge_as_sums)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    kd_model *ma = NULL, *mb = NULL;
    cr_assert_eq(kd_model_open(&ma, a, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_model_open(&mb, b, KD_OPEN_CREATE), 0);
    learn_one(ma, "p1", "Pandas dataframe groupby", KD_HAM);  /* 3 content words */
    learn_one(ma, "p1", "Cheap pills dataframe", KD_SPAM);    /* spam: not kept */
    learn_one(ma, NULL, "Dataframe without a post", KD_HAM);  /* no post: not kept */
    learn_one(mb, "p1", "Dataframe index", KD_HAM);           /* 2 */
    kd_model_close(mb);
    cr_assert_eq(kd_model_merge(ma, b), 0, "%s", kd_model_error(ma));
    kd_model_close(ma);
    cr_assert_eq(post_terms_sum("a.db"), 5);
}
