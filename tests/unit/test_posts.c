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

/* The model file opened directly, with sql prepared in *st. */
static sqlite3 *query(const char *sql, sqlite3_stmt **st)
{
    char path[512];
    snprintf(path, sizeof path, "%s/m.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    return db;
}

static void stored_text(const char *id, char *out, size_t n)
{
    sqlite3_stmt *st;
    sqlite3 *db = query("SELECT title || '|' || text FROM posts WHERE post_id = ?1", &st);
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

/* A raw reader of csv, written to posts.csv. */
static kd_csv *open_raw(const char *csv)
{
    char path[512];
    th_write(dir, "posts.csv", csv, path, sizeof path);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0);
    return r;
}

static uint64_t import(kd_model *m, const char *csv, int want_rc, uint64_t *skipped)
{
    kd_csv *r = open_raw(csv);
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

/* kd_posts_import_ex's counts of csv imported into m (rc 0) */
static kd_posts_import_counts import_counts(kd_model *m, const char *csv)
{
    kd_csv *r = open_raw(csv);
    kd_posts_import_counts c;
    cr_assert_eq(kd_posts_import_ex(m, r, &c), 0, "%s", kd_model_error(m));
    kd_csv_free(r);
    cr_assert_eq(c.imported, c.added + c.updated + c.unchanged);
    return c;
}

static int64_t updated_time(const char *id)
{
    sqlite3_stmt *st;
    sqlite3 *db = query("SELECT updated FROM posts WHERE post_id = ?1", &st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t t = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

/* A file imported again is counted unchanged, not updated (`kindly posts` said "8 updated"
 * of a file run twice), and writes nothing: the posts keep their update time (which a merge
 * compares); a post whose title or text changed is updated, one new added; a post named
 * twice counts once. HTML is compared as stored (reduced to its text). */
Test(posts, a_file_imported_again_is_unchanged)
{
    const char *csv = "post_id,title,text\na,Sleep,<p>Anxiety &amp; sleep</p>\nb,Grief,Loss\n";
    kd_model *m = open_model(KD_OPEN_CREATE);
    setenv("SOURCE_DATE_EPOCH", "1000", 1);
    kd_posts_import_counts c = import_counts(m, csv);
    cr_assert_eq(c.added, 2);
    cr_assert_eq(c.updated + c.unchanged, 0);
    setenv("SOURCE_DATE_EPOCH", "2000", 1);
    c = import_counts(m, csv);
    cr_assert_eq(c.imported, 2);
    cr_assert_eq(c.unchanged, 2, "%llu unchanged, %llu updated", (unsigned long long)c.unchanged,
                 (unsigned long long)c.updated);
    cr_assert_eq(c.added + c.updated, 0);
    cr_assert_eq(updated_time("a"), 1000, "an unchanged post was written again");
    c = import_counts(m, "post_id,title,text\na,Sleep,<p>Anxiety &amp; sleep</p>\nb,Grief,Loss again\nc,New,Post\n"
                         "b,Grief,Loss again\n");
    cr_assert_eq(c.imported, 3);
    cr_assert_eq(c.added, 1);
    cr_assert_eq(c.updated, 1);
    cr_assert_eq(c.unchanged, 1);
    cr_assert_eq(updated_time("b"), 2000);
    /* a file without a title column compares the text alone: the title is kept */
    c = import_counts(m, "post_id,text\nb,Loss again\nc,Post revised\n");
    cr_assert_eq(c.unchanged, 1);
    cr_assert_eq(c.updated, 1);
    unsetenv("SOURCE_DATE_EPOCH");
    kd_model_close(m);
}

/* the notes a posts file's rows get: which line, which code, nothing dropped */
typedef struct {
    int n;
    unsigned long line[4];
    kd_csv_problem_code code[4];
    int skipped[4];
} notes;

static void collect(void *ud, const kd_csv_problem *p)
{
    notes *s = ud;
    if (s->n < 4) {
        s->line[s->n] = p->line;
        s->code[s->n] = p->code;
        s->skipped[s->n++] = p->skipped;
    }
}

/* A reader of csv, written to posts.csv, whose notes go to s. */
static kd_csv *open_noting(const char *csv, notes *s)
{
    char path[512];
    th_write(dir, "posts.csv", csv, path, sizeof path);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    o.problem = collect;
    o.problem_ud = s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0);
    return r;
}

Test(posts, a_repeated_id_and_an_empty_post_are_noted_not_dropped)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    notes s = { 0 };
    kd_csv *r = open_noting(
        "post_id,title,text\na,Sleep,First\nb,\"<img src=x.png>\",\na,Sleep,Second\nc,Grief,Loss\n", &s);
    uint64_t n = 0, skipped = 9;
    cr_assert_eq(kd_posts_import(m, r, &n, &skipped), 0, "%s", kd_model_error(m));
    cr_assert_eq(n, 3, "distinct posts, not rows");
    cr_assert_eq(skipped, 0);
    cr_assert_eq(kd_csv_skipped(r), 0, "a note drops nothing");
    kd_csv_free(r);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.line[0], 3); /* b: an image only, no words */
    cr_assert_eq(s.line[1], 4); /* a again */
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(s.code[i], KD_CSV_ROW_NOTED);
        cr_assert_eq(s.skipped[i], 0);
    }
    uint64_t count;
    cr_assert_eq(kd_posts_count(m, &count), 0);
    cr_assert_eq(count, 3);
    kd_model_close(m);
    char t[256];
    stored_text("a", t, sizeof t);
    cr_assert_str_eq(t, "Sleep|Second", "the later row wins");
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

/* ---------------------------------------------------------------------------------------- */
/* the share of a comment's post among all posts (kd_posts_share) */

#include <math.h>
#include <string.h>

#include "posts.h"
#include "stopwords.h"
#include "tokmap.h"

/* A post imported with an empty title and text (blanks aside) is retired, as the README says
 * a deleted post is: counted apart by `kindly posts` and `kindly info` (they said the model
 * holds it). Given words again, it is held again. */
Test(posts, retired_posts_are_counted_apart)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    uint64_t n = 9, r = 9;
    cr_assert_eq(kd_posts_count_retired(m, &r), 0);
    cr_assert_eq(r, 0);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", "Better sleep"), 0);
    cr_assert_eq(kd_post_put(m, "p2", "", ""), 0);
    cr_assert_eq(kd_post_put(m, "p3", " ", "<p><img src=\"a.jpg\"></p>"), 0);
    cr_assert_eq(kd_post_put(m, "p4", "", "words"), 0);
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(kd_posts_count_retired(m, &r), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(r, 2);
    cr_assert_eq(kd_post_put(m, "p2", "Back", "again"), 0);
    cr_assert_eq(kd_posts_count_retired(m, &r), 0);
    cr_assert_eq(r, 1);
    kd_model_close(m);
}

static uint64_t key(const char *w) { return kd_word_key(w, kd_hash64(w, strlen(w))); }

static double idf_of(const kd_posts_cache *c, uint64_t k)
{
    const kd_counts *d = kd_tokmap_get(&c->df, k);
    return d ? log(((double)c->n + 1) / ((double)d->ham + 0.5)) : 0;
}

/* The share by brute force: every post's TF-IDF vector built from its own terms, the cosine
 * with the comment's, the softmax over all posts. For comparison with the inverted index. */
static double brute(const kd_posts_cache *c, size_t self, const uint64_t *keys, size_t n)
{
    double e[400], z = 0, cn = 0;
    uint64_t used[KD_POSTERIOR_WORDS];
    size_t k = 0;
    cr_assert_leq(c->n, 400);
    for (size_t x = 0; x < n && k < KD_POSTERIOR_WORDS; x++) {
        const kd_counts *d = kd_tokmap_get(&c->df, keys[x]);
        if (!d || d->ham > KD_POSTING_MAX)
            continue;
        used[k++] = keys[x];
        cn += idf_of(c, keys[x]) * idf_of(c, keys[x]);
    }
    if (!k)
        return 1.0 / (double)c->n;
    for (size_t q = 0; q < c->n; q++) {
        const kd_post_stats *p = &c->posts[q];
        double norm = 0, dot = 0;
        for (size_t i = 0; i < c->df.cap; i++) /* every stem of some post */
            if (c->df.keys[i]) {
                int64_t tf = kd_posts_term(c, p, &c->df.vals[i]);
                double w = tf ? (1 + log((double)tf)) * idf_of(c, c->df.keys[i]) : 0;
                norm += w * w;
            }
        for (size_t x = 0; x < k; x++) {
            int64_t tf = kd_posts_term(c, p, kd_tokmap_get(&c->df, used[x]));
            if (tf)
                dot += idf_of(c, used[x]) * idf_of(c, used[x]) * (1 + log((double)tf));
        }
        e[q] = exp(KD_POSTS_TAU * (norm > 0 ? dot / (sqrt(cn) * sqrt(norm)) : 0));
        z += e[q];
    }
    return e[self] / z;
}

static void check_share(kd_model *m, const char *const *words, size_t n)
{
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    uint64_t keys[16];
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        keys[i] = key(words[i]);
    for (size_t q = 0; q < c->n; q++) {
        double p = kd_posts_share(c, &c->posts[q], keys, n);
        cr_assert_float_eq(p, brute(c, q, keys, n), 1e-9, "post %zu", q);
        sum += p;
    }
    cr_assert_float_eq(sum, 1.0, 1e-9, "a distribution over the posts");
}

Test(posts, share_matches_brute_force_and_sums_to_one)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "sleep", "Sleep and anxiety", "A breathing exercise before bed calms anxiety."), 0);
    cr_assert_eq(kd_post_put(m, "grief", "The first year of grief", "Grief comes in waves; anniversaries are hard."), 0);
    cr_assert_eq(kd_post_put(m, "walk", "Walking", "A walk every morning lifts the mood, and sleep improves."), 0);
    cr_assert_eq(kd_post_put(m, "empty", "", ""), 0);
    static const char *const w[] = { "breathing", "sleep", "waves", "football", "exercises" };
    check_share(m, w, 5);
    check_share(m, w + 3, 1); /* a word of no post: nothing tells the posts apart */

    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    uint64_t k[2] = { key("breathing"), key("anxiety") };
    const kd_post_stats *sleep = kd_posts_find(c, "sleep"), *grief = kd_posts_find(c, "grief");
    cr_assert_gt(kd_posts_share(c, sleep, k, 2), 0.5);
    cr_assert_lt(kd_posts_share(c, grief, k, 2), 0.25);
    cr_assert_float_eq(kd_posts_share(c, grief, k, 0), 0.25, 1e-12, "no words: 1 / P");
    /* a stem given twice ("breathing" and "breathings" have one stem) counts once: a cosine
       above 1 would follow, and the own post's share would grow with the repeats */
    uint64_t twice[3] = { key("breathing"), key("breathings"), key("anxiety") };
    cr_assert_eq(twice[0], twice[1]);
    cr_assert_float_eq(kd_posts_share(c, sleep, twice, 3), kd_posts_share(c, sleep, k, 2), 1e-12);
    kd_model_close(m);
}

/* The vector length normalises a post's size away: a post with many approved comments does
 * not take every comment's share from a post without any (the unigram posterior did). */
Test(posts, share_is_not_won_by_the_post_with_the_most_words)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "new", "Journaling", "Writing a journal every evening."), 0);
    cr_assert_eq(kd_post_put(m, "old", "Gardening", "Growing tomatoes and herbs."), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (int i = 0; i < 50; i++) { /* the old post's many comments, some mentioning a journal */
        kd_comment c = KD_COMMENT_INIT;
        c.post_id = "old";
        c.text = i % 10 ? "my tomatoes and basil love the sun, thanks for the gardening tips"
                        : "I keep a gardening journal of what grows";
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    uint64_t k[2] = { key("journal"), key("evening") };
    cr_assert_gt(kd_posts_share(c, kd_posts_find(c, "new"), k, 2), 0.5);
    kd_model_close(m);
}

Test(posts, share_on_many_posts_leaves_out_words_of_most_posts)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    char id[32], text[96];
    for (int i = 0; i < 300; i++) { /* more posts than the stack buffers: the heap path */
        snprintf(id, sizeof id, "p%d", i);
        snprintf(text, sizeof text, "common topic%d%s", i, i % 3 ? "" : " third");
        cr_assert_eq(kd_post_put(m, id, "", text), 0);
    }
    static const char *const w[] = { "topic7", "third", "common" };
    check_share(m, w, 3);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    uint64_t k = key("common");
    /* "common" is in all 300 posts, more than KD_POSTING_MAX: left out, the share is 1 / P */
    cr_assert_float_eq(kd_posts_share(c, kd_posts_find(c, "p5"), &k, 1), 1.0 / 300, 1e-12);
    k = key("topic7");
    double own = kd_posts_share(c, kd_posts_find(c, "p7"), &k, 1);
    double other = kd_posts_share(c, kd_posts_find(c, "p8"), &k, 1);
    cr_assert_gt(own, 3.0 / 300, "%g", own);
    cr_assert_lt(other, 1.0 / 300, "%g", other);
    kd_model_close(m);
}

/* The cap is inclusive: a word of exactly KD_POSTING_MAX (256) posts is read (the share of a
 * post using it rises above 1 / P), a word of 257 is left out (1 / P). */
Test(posts, share_reads_a_word_of_256_posts_and_leaves_out_one_of_257)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    char id[32], text[96];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "p%d", i);
        snprintf(text, sizeof text, "topic%d%s%s", i, i < 256 ? " walrus" : "", i < 257 ? " narwhal" : "");
        cr_assert_eq(kd_post_put(m, id, "", text), 0);
    }
    static const char *const w[] = { "walrus", "narwhal" };
    check_share(m, w, 2);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    uint64_t k = key("walrus");
    const kd_counts *d256 = kd_tokmap_get(&c->df, k);
    cr_assert(d256 && d256->ham == 256, "\"walrus\" in 256 posts");
    double own = kd_posts_share(c, kd_posts_find(c, "p5"), &k, 1);
    cr_assert_gt(own, 1.0 / 300, "in 256 posts: %.17g", own);
    k = key("narwhal");
    const kd_counts *d257 = kd_tokmap_get(&c->df, k);
    cr_assert(d257 && d257->ham == 257, "\"narwhal\" in 257 posts");
    cr_assert_float_eq(kd_posts_share(c, kd_posts_find(c, "p5"), &k, 1), 1.0 / 300, 1e-12, "in 257 posts");
    kd_model_close(m);
}

/* Another handle's posts reach a reader at its next refresh (the posts' write bumps the
 * model's generation, which the reader's posts cache is keyed on); a history commit seen at a
 * refresh leaves the relevance as it was. (That it also keeps the cache, the point of keying
 * it on the generation, is measured by tools/bench_server.sh's c64-learn row.) */
Test(posts, another_handles_posts_are_seen_after_refresh)
{
    kd_model *w = open_model(KD_OPEN_CREATE);
    kd_model *r = open_model(KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "breathing exercises before sleep helped my anxiety";
    c.post_id = "p1";
    kd_result res;
    cr_assert_eq(kd_classify(r, &c, NULL, &res), 0);
    cr_assert_float_eq(res.relevance, -1.0, 1e-9, "no post yet");
    kd_result_free(&res);

    cr_assert_eq(kd_post_put(w, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(r, &reloaded), 0, "%s", kd_model_error(r));
    cr_assert(reloaded);
    cr_assert_eq(kd_classify(r, &c, NULL, &res), 0);
    double seen = res.relevance;
    cr_assert_geq(seen, 0.0, "the post written by the other handle is known after the refresh");
    kd_result_free(&res);

    /* a comment recorded in the history by the writer: a commit, but not of the posts */
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment h = KD_COMMENT_INIT;
    h.id = "h1";
    h.text = "a walk at lunch time helps me more than coffee";
    cr_assert_eq(kd_classify(w, &h, &o, &res), 0, "%s", kd_model_error(w));
    kd_result_free(&res);
    kd_model_close(w); /* flushes the history */
    cr_assert_eq(kd_model_refresh(r, &reloaded), 0);
    cr_assert(reloaded, "the history commit is seen");
    cr_assert_eq(kd_classify(r, &c, NULL, &res), 0);
    cr_assert_float_eq(res.relevance, seen, 1e-12);
    kd_result_free(&res);
    kd_model_close(r);
}

/* A history batch holds a write transaction between calls: storing a post on the same handle
 * commits the batch's comments first instead of failing inside it. */
Test(posts, put_and_import_during_a_history_batch)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_history_batch_begin(m), 0);
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment c = KD_COMMENT_INIT;
    c.id = "c1";
    c.text = "A remembered comment about the breathing exercise in this post";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    cr_assert_eq(kd_post_put(m, "p1", "Breathing", "A breathing exercise for the evening"), 0, "%s",
                 kd_model_error(m));
    c.id = "c2";
    c.text = "Another remembered comment, about sleeping after the exercise";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    char csv[512];
    th_write(dir, "posts.csv", "post_id,title,text\np2,Walking,Walk every morning\n", csv, sizeof csv);
    kd_csv_options co = KD_CSV_OPTIONS_INIT;
    co.kind = KD_CSV_RAW;
    kd_csv *in = NULL;
    cr_assert_eq(kd_csv_open(&in, csv, &co), 0);
    cr_assert_eq(kd_posts_import(m, in, NULL, NULL), 0, "%s", kd_model_error(m));
    kd_csv_free(in);
    cr_assert_eq(kd_history_flush(m), 0, "%s", kd_model_error(m));
    uint64_t n = 0;
    cr_assert_eq(kd_posts_count(m, &n), 0);
    cr_assert_eq(n, 2);
    kd_history_stats hs = { 0 };
    cr_assert_eq(kd_history_stats_get(m, &hs), 0);
    cr_assert_eq(hs.comments, 2);
    kd_model_close(m);
}

/* ---------------------------------------------------------------------------------------- */
/* when the posts cache is rebuilt, and that handles on one file share it */

/* Builds the cache (relevance needs it) and returns how many builds that took. */
static uint64_t builds_to_classify(kd_model *m, const char *post_id)
{
    uint64_t before = kd_posts_cache_builds();
    kd_comment c = KD_COMMENT_INIT;
    c.text = "breathing exercises before sleep helped my anxiety";
    c.post_id = post_id;
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    cr_assert_geq(r.relevance, 0.0);
    kd_result_free(&r);
    return kd_posts_cache_builds() - before;
}

/* Builds since *mark, which moves on to now. */
static uint64_t builds_since(uint64_t *mark)
{
    uint64_t now = kd_posts_cache_builds(), n = now - *mark;
    *mark = now;
    return n;
}

static void refresh(kd_model *m)
{
    cr_assert_eq(kd_model_refresh(m, NULL), 0, "%s", kd_model_error(m));
}

/* Feedback that teaches no post's words (spam, ham without a post_id) moves the token counts
 * but not the posts: neither the writer nor another handle rebuilds (it cost 0.9 s per
 * handle on 10,000 posts); a post, an import or ham with a post_id does, once, in the write
 * that keeps it in the file (posts_snap.c), and the other handles share or read that. */
Test(posts, token_only_training_keeps_the_cache)
{
    uint64_t mark = kd_posts_cache_builds();
    kd_model *w = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(w, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    cr_assert_eq(builds_since(&mark), 1, "the write builds the new cache");
    cr_assert_eq(builds_to_classify(w, "p1"), 0);
    learn_one(w, "p1", "Cheap pills online, order now", KD_SPAM);
    cr_assert_eq(builds_to_classify(w, "p1"), 0, "the only handle: spam kept its cache");
    kd_model *r = open_model(KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    cr_assert_eq(builds_to_classify(r, "p1"), 0, "the other handle on the file shares the cache");

    learn_one(w, "p1", "Cheap pills online, order now", KD_SPAM);
    learn_one(w, NULL, "Thank you for this post", KD_HAM);
    refresh(r);
    cr_assert_eq(builds_to_classify(w, "p1"), 0, "the writer kept its cache");
    cr_assert_eq(builds_to_classify(r, "p1"), 0, "the reader kept its cache");

    mark = kd_posts_cache_builds();
    learn_one(w, "p1", "The breathing exercise helped my sleep", KD_HAM);
    cr_assert_eq(builds_since(&mark), 1, "a post's words changed");
    refresh(r);
    cr_assert_eq(builds_to_classify(r, "p1"), 0, "the reader shares the writer's new cache");
    cr_assert_eq(builds_to_classify(w, "p1"), 0);

    cr_assert_eq(kd_post_put(r, "p2", "Grief", "Grief comes in waves."), 0);
    cr_assert_eq(builds_since(&mark), 1, "another handle's post");
    refresh(w);
    cr_assert_eq(builds_to_classify(w, "p2"), 0);
    cr_assert_eq(builds_to_classify(r, "p2"), 0);
    kd_model_close(w);
    kd_model_close(r);
}

/* Another process's writes: a separate SQLite connection bumping posts_generation (as a
 * kindly posts or learn run does) is seen; one touching only the token counts is not. */
Test(posts, another_connections_writes_of_posts_rebuild)
{
    uint64_t mark = kd_posts_cache_builds();
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    kd_model *other = open_model(KD_OPEN_WRITE);
    cr_assert_eq(builds_since(&mark), 1);
    cr_assert_eq(builds_to_classify(m, "p1"), 0);
    learn_one(other, NULL, "A spam-free comment without a post", KD_HAM);
    refresh(m);
    cr_assert_eq(builds_to_classify(m, "p1"), 0);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    char path[512];
    th_write(dir, "posts.csv", "post_id,title,text\np9,Walking,Walk every morning\n", path, sizeof path);
    kd_csv *in = NULL;
    cr_assert_eq(kd_csv_open(&in, path, &o), 0);
    mark = kd_posts_cache_builds();
    cr_assert_eq(kd_posts_import(other, in, NULL, NULL), 0, "%s", kd_model_error(other));
    kd_csv_free(in);
    cr_assert_eq(builds_since(&mark), 1, "the import builds the new cache");
    refresh(m);
    cr_assert_eq(builds_to_classify(m, "p9"), 0, "the imported post is seen");
    kd_model_close(other);
    kd_model_close(m);
}

/* A file written before the posts_generation row existed reads it as 0; its first write of
 * posts creates it. */
Test(posts, a_model_without_the_posts_generation_row)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    kd_model_close(m);
    char path[512];
    snprintf(path, sizeof path, "%s/m.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'posts_generation'", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_changes(db), 1, "the post's write created the row");
    /* nor the posts cache kept in the file (posts_snap.c), which came later */
    cr_assert_eq(sqlite3_exec(db, "DROP TABLE posts_snapshot", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    m = open_model(KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    kd_model *w = open_model(KD_OPEN_WRITE);
    cr_assert_eq(builds_to_classify(m, "p1"), 1);
    uint64_t mark = kd_posts_cache_builds();
    cr_assert_eq(kd_post_put(w, "p2", "Grief", "Grief comes in waves."), 0);
    cr_assert_eq(builds_since(&mark), 1);
    refresh(m);
    cr_assert_eq(builds_to_classify(m, "p2"), 0);
    kd_model_close(w);
    kd_model_close(m);
}

/* Merging moves the posts generation only when it brings posts or their words. */
Test(posts, merge_rebuilds_only_for_posts)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    kd_model *ma = NULL, *mb = NULL;
    cr_assert_eq(kd_model_open(&ma, a, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_model_open(&mb, b, KD_OPEN_CREATE), 0);
    learn_one(mb, NULL, "Cheap pills online, order now", KD_SPAM);
    kd_model_close(mb);
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    cr_assert_eq(builds_to_classify(m, "p1"), 0, "the write built it");
    uint64_t mark = kd_posts_cache_builds();
    cr_assert_eq(kd_model_merge(m, b), 0, "%s", kd_model_error(m));
    cr_assert_eq(builds_since(&mark), 0, "counts only");
    cr_assert_eq(builds_to_classify(m, "p1"), 0, "counts only");
    learn_one(ma, "p1", "The breathing exercise helped my sleep", KD_HAM);
    kd_model_close(ma);
    mark = kd_posts_cache_builds();
    cr_assert_eq(kd_model_merge(m, a), 0, "%s", kd_model_error(m));
    cr_assert_eq(builds_since(&mark), 1, "words of p1's comments");
    cr_assert_eq(builds_to_classify(m, "p1"), 0);
    kd_model_close(m);
}

/* A model replaced by a rename while a handle still has the old file open (a deploy): a
 * handle opened on the new file must not share the old file's cache, though both files are
 * at the same posts generation and the path is the same. */
Test(posts, a_replaced_file_does_not_share_the_old_files_cache)
{
    char a[512], b[512], blog[512];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    snprintf(blog, sizeof blog, "%s/blog.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, a, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "p", "Growing tomatoes", "Tomatoes need sun, compost and water."), 0);
    kd_model_close(m);
    cr_assert_eq(kd_model_open(&m, b, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "p", "The football season", "The striker scored in the final minute."), 0);
    kd_model_close(m);
    cr_assert_eq(rename(a, blog), 0);
    kd_model *old = NULL, *now = NULL;
    cr_assert_eq(kd_model_open(&old, blog, KD_OPEN_READONLY), 0);
    cr_assert_eq(rename(b, blog), 0); /* the deploy, before the old handle's first score */
    const kd_posts_cache *c_old, *c_now;
    cr_assert_eq(kd_posts_cache_get(old, &c_old), 0);
    cr_assert_not_null(kd_posts_find(c_old, "p"));
    cr_assert_eq(kd_model_open(&now, blog, KD_OPEN_READONLY), 0);
    cr_assert_eq(kd_posts_cache_get(now, &c_now), 0);
    cr_assert_neq(c_now, c_old, "the new file got the old file's cache");
    const kd_post_stats *p_old = kd_posts_find(c_old, "p"), *p_now = kd_posts_find(c_now, "p");
    cr_assert_eq(kd_posts_term(c_old, p_old, kd_tokmap_get(&c_old->df, key("tomatoes"))), 3);
    cr_assert_eq(kd_posts_term(c_now, p_now, kd_tokmap_get(&c_now->df, key("tomatoes"))), 0);
    cr_assert_eq(kd_posts_term(c_now, p_now, kd_tokmap_get(&c_now->df, key("striker"))), 1);
    kd_model_close(old);
    kd_model_close(now);
}

/* A post's update time is now, or $SOURCE_DATE_EPOCH when set (`make model` builds the same
 * file twice; it stored the time of the build). */
Test(posts, update_time_honours_source_date_epoch)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", "How to sleep better"), 0, "%s", kd_model_error(m));
    setenv("SOURCE_DATE_EPOCH", "not a number", 1);
    cr_assert_eq(kd_post_put(m, "p2", "Tea", "Green tea and calm"), 0, "%s", kd_model_error(m));
    unsetenv("SOURCE_DATE_EPOCH");
    kd_model_close(m);
    sqlite3_stmt *st;
    sqlite3 *db = query("SELECT updated FROM posts ORDER BY post_id", &st);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int64(st, 0), 1700000000);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_gt(sqlite3_column_int64(st, 0), 1700000000, "a bad value is ignored: now");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A post updated with new text (or emptied) has, in the cache, the statistics a model that
 * only ever saw the new text has: its old words leave the post and the site (their counts
 * in all posts, the number of posts using them, the post's length and norm). */
Test(posts, an_updated_post_has_the_statistics_of_a_fresh_import)
{
    kd_model *upd = NULL, *fresh = NULL;
    cr_assert_eq(kd_model_open(&upd, ":memory:", KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_model_open(&fresh, ":memory:", KD_OPEN_CREATE), 0);
    import(upd, "post_id,title,text\np1,Growing tomatoes,<p>Tomatoes need sun &amp; compost.</p>\n"
                "p2,Sleep and tomatoes,Breathing before sleep\n", 0, NULL);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(upd, &c), 0);
    cr_assert_not_null(kd_tokmap_get(&c->tf, kd_hash64("compost", 7)), "the old text was counted");
    const char *now = "ID,post_title,post_content\np1,Baking bread,<p>Sourdough needs a starter &amp; patience.</p>\n"
                      "p2,,\n";
    import(upd, now, 0, NULL);
    import(fresh, now, 0, NULL);
    const kd_posts_cache *a, *b;
    cr_assert_eq(kd_posts_cache_get(upd, &a), 0);
    cr_assert_eq(kd_posts_cache_get(fresh, &b), 0);
    cr_assert_eq(a->n, b->n);
    cr_assert_eq(a->length, b->length);
    cr_assert_eq(a->npostings, b->npostings);
    static const char *const ids[] = { "p1", "p2" };
    static const char *const words[] = { "growing", "tomatoes", "tomato", "sun", "compost", "sleep", "breathing",
                                         "baking", "bread", "sourdough", "starter", "patience" };
    for (size_t i = 0; i < 2; i++) {
        const kd_post_stats *pa = kd_posts_find(a, ids[i]), *pb = kd_posts_find(b, ids[i]);
        cr_assert(pa && pb, "%s", ids[i]);
        cr_assert_eq(pa->length, pb->length, "%s", ids[i]);
        cr_assert_float_eq(pa->norm, pb->norm, 1e-12, "%s", ids[i]);
        for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
            const kd_counts *da = kd_tokmap_get(&a->df, key(words[w])), *db = kd_tokmap_get(&b->df, key(words[w]));
            cr_assert_eq(kd_posts_term(a, pa, da), kd_posts_term(b, pb, db), "%s in %s", words[w], ids[i]);
        }
    }
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        const kd_counts *da = kd_tokmap_get(&a->df, key(words[w])), *db = kd_tokmap_get(&b->df, key(words[w]));
        const kd_counts *ta = kd_tokmap_get(&a->tf, kd_hash64(words[w], strlen(words[w])));
        const kd_counts *tb = kd_tokmap_get(&b->tf, kd_hash64(words[w], strlen(words[w])));
        cr_assert_eq(da ? da->ham : 0, db ? db->ham : 0, "posts using %s", words[w]);
        cr_assert_eq(ta ? ta->ham : 0, tb ? tb->ham : 0, "%s in all posts", words[w]);
    }
    cr_assert_null(kd_tokmap_get(&a->df, key("compost")), "an old word left the site");
    cr_assert_eq(kd_posts_find(a, "p2")->length, 0, "the emptied post has no words");
    kd_model_close(upd);
    kd_model_close(fresh);
}

/* A post is stored as its reader sees it (HTML reduced to text), so a tag it shows as text
 * ("&lt;script&gt;" in a post about HTML) is stored as "<script>": the cache reads that as
 * text, not as markup again (it hid every word after it, and the words of "&lt;b&gt;"), and
 * so does the import's check for a post without words. */
Test(posts, a_tag_the_post_shows_as_text_is_read_as_text)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    cr_assert_eq(kd_post_put(m, "p1", "Widgets",
                             "<p>Never paste &lt;script&gt; into a widget: headings help screen readers.</p>"),
                 0);
    cr_assert_eq(kd_post_put(m, "p3", "Widgets", "Never paste script into a widget: headings help screen readers."),
                 0);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    static const char *const words[] = { "paste", "script", "widget", "headings", "screen", "readers" };
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        const kd_counts *t = kd_tokmap_get(&c->tf, kd_hash64(words[w], strlen(words[w])));
        cr_expect(t && t->ham == 2 * KD_SITE_UNIT, "%s", words[w]);
    }
    cr_expect_eq(kd_posts_find(c, "p1")->length, kd_posts_find(c, "p3")->length, "the words of the same text");
    notes s = { 0 };
    kd_csv *r = open_noting("post_id,title,text\np2,,&lt;style&gt; sheets for bloggers\n", &s);
    cr_assert_eq(kd_posts_import(m, r, NULL, NULL), 0, "%s", kd_model_error(m));
    kd_csv_free(r);
    cr_expect_eq(s.n, 0, "a post of words noted as one without");
    kd_model_close(m);
}

/* text: word repeated n times. */
static char *repeat(const char *word, int n)
{
    size_t len = strlen(word) + 1;
    char *s = malloc(len * (size_t)n + 1);
    cr_assert_not_null(s);
    for (int i = 0; i < n; i++) {
        memcpy(s + len * (size_t)i, word, len - 1);
        s[len * (size_t)i + len - 1] = ' ';
    }
    s[len * (size_t)n] = '\0';
    return s;
}

static int64_t site_count(const kd_posts_cache *c, const char *w)
{
    const kd_counts *t = kd_tokmap_get(&c->tf, kd_hash64(w, strlen(w)));
    return t ? t->ham : 0;
}

/* One huge post must not be most of the site's language: in the site's counts a post counts
 * as at most three times the median post's words, its words each a fraction of a word; its
 * own model (its length, its count of a word) keeps them all. A post of up to three medians
 * counts whole. Counted whole, "ledger" of the post of 1,200 words was four times "garden"
 * of three posts of 100. */
Test(posts, a_post_longer_than_three_median_posts_counts_as_three_in_the_site)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    char *garden = repeat("garden", 100), *ledger = repeat("ledger", 1200), *tomato = repeat("tomato", 300);
    cr_assert_eq(kd_post_put(m, "p1", "", garden), 0);
    cr_assert_eq(kd_post_put(m, "p2", "", garden), 0);
    cr_assert_eq(kd_post_put(m, "p3", "", garden), 0);
    cr_assert_eq(kd_post_put(m, "p4", "", ledger), 0);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    cr_expect_eq(site_count(c, "ledger"), site_count(c, "garden"), "1,200 words count as 300: %lld, %lld",
                 (long long)site_count(c, "ledger"), (long long)site_count(c, "garden"));
    cr_expect_eq(c->length, 2 * site_count(c, "garden"), "the site's length is the sum of its counts");
    const kd_post_stats *p4 = kd_posts_find(c, "p4");
    cr_expect_eq(p4->length, 1200, "the post's own length");
    cr_expect_eq(kd_posts_term(c, p4, kd_tokmap_get(&c->df, key("ledger"))), 1200, "the post's own count");
    cr_assert_eq(kd_post_put(m, "p4", "", tomato), 0); /* three medians: whole */
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    cr_expect_eq(site_count(c, "tomato"), site_count(c, "garden"));
    cr_expect_eq(c->length, 2 * site_count(c, "garden"));
    free(garden);
    free(ledger);
    free(tomato);
    kd_model_close(m);
}

/* The site's counts of "garden" and "ledger" when posts p1..p(n+1) hold "garden" n times each
 * (gardens words each) and the last "ledger" ledgers times; with "tomato" too (tomatoes
 * words) in one more post when tomatoes > 0. */
static void site_counts(int gardens, int n, int tomatoes, int ledgers, int64_t *garden, int64_t *tomato,
                        int64_t *ledger)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    char *g = repeat("garden", gardens), *t = repeat("tomato", tomatoes ? tomatoes : 1),
         *l = repeat("ledger", ledgers), id[16];
    int k = 0;
    for (; k < n; k++) {
        snprintf(id, sizeof id, "p%d", k + 1);
        cr_assert_eq(kd_post_put(m, id, "", g), 0);
    }
    if (tomatoes) {
        snprintf(id, sizeof id, "p%d", ++k);
        cr_assert_eq(kd_post_put(m, id, "", t), 0);
    }
    snprintf(id, sizeof id, "p%d", ++k);
    cr_assert_eq(kd_post_put(m, id, "", l), 0);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    *garden = site_count(c, "garden");
    *tomato = site_count(c, "tomato");
    *ledger = site_count(c, "ledger");
    free(g);
    free(t);
    free(l);
    kd_model_close(m);
    static const char *const files[] = { "m.db", "m.db-wal", "m.db-shm" }; /* the next call's model is new */
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
}

/* Of an even number of posts the median is the lower of the two middle ones: posts of 100,
 * 100, 200 and 1,200 words have a median of 100, and the long post counts as 300 words (the
 * upper middle one, 200, would let it count as 600). The floor holds at a median of 66 words
 * too (three times it, 198, is under 200): a post of 200 words counts whole. */
Test(posts, the_cap_takes_the_lower_median_and_keeps_its_floor)
{
    int64_t garden, tomato, ledger;
    site_counts(100, 2, 200, 1200, &garden, &tomato, &ledger);
    cr_expect_eq(2 * ledger, 3 * garden, "1,200 words count as 300: %lld, %lld", (long long)ledger, (long long)garden);
    cr_expect_eq(tomato, garden, "200 words, whole");
    site_counts(66, 2, 0, 200, &garden, &tomato, &ledger);
    cr_expect_eq(66 * ledger, 100 * garden, "200 words, whole: %lld, %lld", (long long)ledger, (long long)garden);
}

/* Posts of a few words (a shop's titles, galleries) do not cut an article down to three of
 * them: a post of up to KD_POST_MU (200) words counts whole, whatever the median. */
Test(posts, a_post_of_up_to_200_words_counts_whole_in_the_site)
{
    kd_model *m = open_model(KD_OPEN_CREATE);
    char *article = repeat("ledger", 200), *more = repeat("ledger", 400);
    cr_assert_eq(kd_post_put(m, "p1", "", "Blue garden chair"), 0);
    cr_assert_eq(kd_post_put(m, "p2", "", "Red garden table"), 0);
    cr_assert_eq(kd_post_put(m, "p3", "", article), 0);
    const kd_posts_cache *c;
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    int64_t whole = site_count(c, "ledger");
    cr_expect_eq(whole, 100 * site_count(c, "garden"), "200 words, whole: %lld", (long long)whole);
    cr_assert_eq(kd_post_put(m, "p3", "", more), 0); /* 400 words: counted as 200 */
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    cr_expect_eq(site_count(c, "ledger"), whole, "400 words as 200: %lld", (long long)site_count(c, "ledger"));
    free(article);
    free(more);
    kd_model_close(m);
}
