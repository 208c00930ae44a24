/* The posts cache kept in the model file (posts_snap.c): read back the same as built, and
 * built as before whenever the kept one is missing, stale, of another format or damaged. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "kindly.h"
#include "posts.h"
#include "stopwords.h"
#include "tokmap.h"

static char dir[256], path[512];
static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.db", dir);
}
static void teardown(void) { th_rmrf(dir); }
TestSuite(posts_snap, .init = setup, .fini = teardown);

static const char *const comments[][2] = {
    { "p1", "breathing exercises before sleep helped my anxiety" },
    { "p2", "grief comes in waves, thank you for writing this" },
    { "p3", "I walk every morning now and my knees are better" },
    { "p1", "the football match went to penalties after extra time" },
    { "nope", "compost and tomatoes in the garden" },
    { "p2", "buy cheap pills online" },
};
#define NCOMMENTS (sizeof comments / sizeof *comments)

/* A model of three posts and approved comments on two of them, written (and so kept) by the
 * library's own writes; no handle left open, so no cache left in the process. */
static void make_model(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and anxiety", "Breathing exercises help anxiety before sleep."), 0);
    cr_assert_eq(kd_post_put(m, "p2", "Grief", "Grief comes in waves, and <b>writing</b> helps."), 0);
    cr_assert_eq(kd_post_put(m, "p3", "Walking", "Walk every morning; knees and mood both improve."), 0);
    static const char *const approved[][2] = {
        { "p1", "Breathing before sleep works for me, anxiety is lower" },
        { "p2", "Writing about grief helped me through the waves" },
    };
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < 2; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.post_id = approved[i][0];
        c.text = approved[i][1];
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0, "%s", kd_model_error(m));
    }
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

static void sql(const char *q)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s: %s", q, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int64_t sql_int(const char *q) { return th_sql_int(path, q); }

/* The relevance of every test comment, through a new read-only handle; *built: whether its
 * posts cache was built (1) or read from the file (0). */
static void relevances(double *out, int *built)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    uint64_t before = kd_posts_cache_builds();
    for (size_t i = 0; i < NCOMMENTS; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.post_id = comments[i][0];
        c.text = comments[i][1];
        kd_result r;
        cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
        out[i] = r.relevance;
        kd_result_free(&r);
    }
    *built = (int)(kd_posts_cache_builds() - before);
    kd_model_close(m);
}

/* The relevances of a build from the posts tables (the kept cache put aside meanwhile). */
static void built_relevances(double *out)
{
    int built;
    sql("ALTER TABLE posts_snapshot RENAME TO aside");
    relevances(out, &built);
    sql("ALTER TABLE aside RENAME TO posts_snapshot");
    cr_assert_eq(built, 1);
}

static void expect_same(const double *a, const double *b)
{
    for (size_t i = 0; i < NCOMMENTS; i++)
        cr_assert(a[i] == b[i], "comment %zu: %.17g read back, %.17g built", i, a[i], b[i]);
}

/* Every field the scorer reads, compared between a cache read back and one built. */
static void expect_same_cache(const kd_posts_cache *a, const kd_posts_cache *b)
{
    cr_assert_eq(a->n, b->n);
    cr_assert_eq(a->length, b->length);
    cr_assert_eq(a->npostings, b->npostings);
    for (size_t q = 0; q < a->n; q++) {
        cr_assert_str_eq(a->posts[q].id, b->posts[q].id);
        cr_assert_eq(a->posts[q].length, b->posts[q].length);
        cr_assert(a->posts[q].norm == b->posts[q].norm);
        cr_assert_eq(kd_posts_find(a, a->posts[q].id), &a->posts[q]);
    }
    const kd_tokmap *ta[2] = { &a->df, &a->tf }, *tb[2] = { &b->df, &b->tf };
    for (int t = 0; t < 2; t++) {
        cr_assert_eq(ta[t]->n, tb[t]->n);
        for (size_t i = 0; i < tb[t]->cap; i++) {
            if (!tb[t]->keys[i])
                continue;
            const kd_counts *x = kd_tokmap_get(ta[t], tb[t]->keys[i]);
            cr_assert_not_null(x);
            cr_assert_eq(x->ham, tb[t]->vals[i].ham);
            if (t == 0)
                for (size_t q = 0; q < b->n; q++)
                    cr_assert_eq(kd_posts_term(a, &a->posts[q], x), kd_posts_term(b, &b->posts[q], &tb[t]->vals[i]));
        }
    }
}

Test(posts_snap, round_trip_reads_what_a_build_computes)
{
    make_model();
    cr_assert_eq(sql_int("SELECT generation FROM posts_snapshot"),
                 sql_int("SELECT value FROM meta WHERE key = 'posts_generation'"), "kept for the current posts");
    double kept[NCOMMENTS], built[NCOMMENTS];
    int nbuilt;
    relevances(kept, &nbuilt);
    cr_assert_eq(nbuilt, 0, "a read-only handle reads the kept cache");
    built_relevances(built);
    expect_same(kept, built);

    kd_model *a = NULL, *b = NULL;
    const kd_posts_cache *ca, *cb;
    cr_assert_eq(kd_model_open(&a, path, KD_OPEN_READONLY), 0);
    cr_assert_eq(kd_posts_cache_get(a, &ca), 0);
    cr_assert_not_null(ca->snap, "read from the file");
    sql("ALTER TABLE posts_snapshot RENAME TO aside");
    char copy[600];
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    char q[700];
    snprintf(q, sizeof q, "VACUUM INTO '%s'", copy);
    sql(q);
    sql("ALTER TABLE aside RENAME TO posts_snapshot");
    cr_assert_eq(kd_model_open(&b, copy, KD_OPEN_READONLY), 0);
    cr_assert_eq(kd_posts_cache_get(b, &cb), 0);
    cr_assert_null(cb->snap, "built: the copy keeps none");
    expect_same_cache(ca, cb);
    kd_model_close(a);
    kd_model_close(b);
}

/* A kept cache is used only for the posts generation it was built for. */
Test(posts_snap, a_stale_generation_is_rebuilt)
{
    make_model();
    double before[NCOMMENTS], after[NCOMMENTS];
    int built;
    relevances(before, &built);
    cr_assert_eq(built, 0);
    /* another writer's commit of posts that kept nothing (a kindly before this one) */
    sql("UPDATE meta SET value = value + 1 WHERE key = 'posts_generation';"
        "UPDATE posts SET text = 'Football, penalties and extra time.' WHERE post_id = 'p3'");
    relevances(after, &built);
    cr_assert_eq(built, 1, "stale: built");
    cr_assert(after[2] != before[2], "p3's new text is scored");
    double fresh[NCOMMENTS];
    built_relevances(fresh);
    expect_same(after, fresh);
}

static void expect_rebuilt(const char *damage)
{
    make_model();
    double good[NCOMMENTS], now[NCOMMENTS];
    int built;
    built_relevances(good);
    sql(damage);
    relevances(now, &built);
    cr_assert_eq(built, 1, "%s: built", damage);
    expect_same(now, good);
}

Test(posts_snap, another_format_is_rebuilt)
{
    expect_rebuilt("UPDATE posts_snapshot SET format = format + 1");
}

/* (|| makes a text: cast back to the blob it was.) One byte changed: in the middle of the blob, and in the first post's norm (bytes 121-128
 * of the blob: a value no bound can check, only the checksum). */
#define FLIP(at) "UPDATE posts_snapshot SET data = CAST(substr(data, 1, " at " - 1) || " \
                 "(CASE WHEN substr(data, " at ", 1) = x'00' THEN x'01' ELSE x'00' END) || substr(data, " at " + 1) AS BLOB)"
Test(posts_snap, a_damaged_blob_is_rebuilt) { expect_rebuilt(FLIP("length(data) / 2")); }
Test(posts_snap, a_damaged_value_is_rebuilt) { expect_rebuilt(FLIP("124")); }
/* the header's total of content words (bytes 33-40), which the checksum covers too */
Test(posts_snap, a_damaged_header_is_rebuilt) { expect_rebuilt(FLIP("34")); }

Test(posts_snap, a_cut_blob_is_rebuilt) { expect_rebuilt("UPDATE posts_snapshot SET data = substr(data, 1, 100)"); }
/* the header's format (bytes 9-12, little-endian) set to 1, an older build's, under the row's current one */
Test(posts_snap, a_header_of_another_format_is_rebuilt)
{
    expect_rebuilt("UPDATE posts_snapshot SET data = CAST(substr(data, 1, 8) || x'01000000' || substr(data, 13) AS BLOB)");
}
Test(posts_snap, an_empty_blob_is_rebuilt) { expect_rebuilt("UPDATE posts_snapshot SET data = x''"); }
Test(posts_snap, a_text_is_rebuilt) { expect_rebuilt("UPDATE posts_snapshot SET data = 'hello'"); }
Test(posts_snap, a_table_of_other_columns_is_rebuilt)
{
    expect_rebuilt("DROP TABLE posts_snapshot; CREATE TABLE posts_snapshot(x)");
}

/* A kept cache whose checksum holds but whose numbers no build gives (a post of fewer than
 * no words, a norm that is not a number or negative, a negative total: written by hand, or
 * by a bug) is rebuilt, not read: read, a post's length of -250 made its comments' relevance
 * NaN (null in the JSON), and the others moved every score on the post. */
static void expect_rebuilt_when_kept_as(int64_t length, double norm, int64_t total)
{
    make_model();
    double good[NCOMMENTS], now[NCOMMENTS];
    int built;
    built_relevances(good);
    kd_model *m = NULL;
    const kd_posts_cache *c;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), 0);
    cr_assert_eq(kd_posts_cache_get(m, &c), 0);
    kd_posts_cache *w = (kd_posts_cache *)c; /* read from the file: its own copy of posts[] */
    cr_assert_not_null(w->snap);
    kd_post_stats *p1 = (kd_post_stats *)kd_posts_find(c, "p1");
    cr_assert_not_null(p1);
    p1->length = length;
    p1->norm = norm;
    w->length = total;
    w->stored = 0;
    cr_assert_eq(kd_posts_snap_save(m, w, NULL, 0), KD_OK, "written with its checksum");
    kd_model_close(m);
    relevances(now, &built);
    cr_assert_eq(built, 1, "length %lld, norm %g, total %lld: built", (long long)length, norm, (long long)total);
    expect_same(now, good);
}
Test(posts_snap, a_negative_post_length_is_rebuilt) { expect_rebuilt_when_kept_as(-250, 1.0, 30); }
Test(posts_snap, a_norm_not_a_number_is_rebuilt) { expect_rebuilt_when_kept_as(12, NAN, 30); }
Test(posts_snap, a_negative_norm_is_rebuilt) { expect_rebuilt_when_kept_as(12, -1.0, 30); }
Test(posts_snap, a_negative_total_is_rebuilt) { expect_rebuilt_when_kept_as(12, 1.0, -1); }

/* A write keeps the new cache even where the table was damaged: a failure to keep it is not
 * the write's (the next reader builds). */
Test(posts_snap, a_write_succeeds_when_the_cache_cannot_be_kept)
{
    make_model();
    sql("DROP TABLE posts_snapshot; CREATE TABLE posts_snapshot(x)");
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), 0);
    cr_assert_eq(kd_post_put(m, "p4", "Tea", "Green tea in the afternoon."), 0, "%s", kd_model_error(m));
    cr_assert_str_eq(kd_model_error(m), "no error", "the write's message is left as it was");
    kd_model_close(m);
    double now[NCOMMENTS];
    int built;
    relevances(now, &built);
    cr_assert_eq(built, 1);
}

/* A read-only file (a deploy that ships the model as root's) reads its kept cache. */
Test(posts_snap, a_read_only_file_reads_the_kept_cache)
{
    make_model();
    cr_assert_eq(chmod(path, 0444), 0);
    double now[NCOMMENTS];
    int built;
    relevances(now, &built);
    chmod(path, 0644);
    cr_assert_eq(built, 0);
}

/* Merging brings posts: the output keeps the merged posts' cache. */
Test(posts_snap, merge_keeps_the_merged_cache)
{
    make_model();
    char out[600];
    snprintf(out, sizeof out, "%s/out.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, out, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_model_merge(m, path), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    memcpy(path, out, sizeof out < sizeof path ? sizeof out : sizeof path);
    double kept[NCOMMENTS], built[NCOMMENTS];
    int nbuilt;
    relevances(kept, &nbuilt);
    cr_assert_eq(nbuilt, 0);
    built_relevances(built);
    expect_same(kept, built);
}

/* An in-memory model has no next process: nothing is kept. */
Test(posts_snap, an_in_memory_model_keeps_nothing)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    uint64_t before = kd_posts_cache_builds();
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", "Breathing before sleep."), 0);
    cr_assert_eq(kd_posts_cache_builds(), before, "no build for the write");
    kd_model_close(m);
}

/* Posts moved on by another handle since this one last read them: its cache is no longer
 * the file's, so there is nothing of it to keep. That is no failure (it was KD_EBUSY, which
 * a server counted in /metrics and said on stderr whenever a feedback on another thread
 * moved the posts during a keep): the file keeps the other handle's. */
Test(posts_snap, a_keep_after_another_handle_moved_the_posts_on_is_no_failure)
{
    make_model();
    kd_model *m = NULL, *o = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE | KD_OPEN_KEEP_LATER), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_post_put(m, "p4", "Tea", "Green tea in the afternoon."), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_open(&o, path, KD_OPEN_WRITE), 0, "%s", kd_model_error(o));
    cr_assert_eq(kd_post_put(o, "p5", "Rest", "Rest days matter as much as training days."), 0, "%s", kd_model_error(o));
    int64_t gen = sql_int("SELECT value FROM meta WHERE key = 'posts_generation'");
    cr_assert_eq(sql_int("SELECT generation FROM posts_snapshot"), gen, "the other handle kept its cache");
    cr_assert_eq(kd_model_keep_posts(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(sql_int("SELECT generation FROM posts_snapshot"), gen, "a stale cache was kept over the file's");
    kd_model_close(o);
    kd_model_close(m);
}

/* A handle opened with KD_OPEN_KEEP_LATER (the server's) writes posts and learns ham on a
 * post without building the posts cache or writing it in the file (a second of CPU and 14 MB
 * at 10,000 posts, per feedback): the posts generation moves, so the kept cache is stale and
 * never read; the next reader builds. kd_model_keep_posts writes the current one, once. */
Test(posts_snap, a_keep_later_handle_leaves_the_cache_to_kd_model_keep_posts)
{
    make_model();
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE | KD_OPEN_KEEP_LATER), 0, "%s", kd_model_error(m));
    int64_t kept = sql_int("SELECT generation FROM posts_snapshot");
    uint64_t builds = kd_posts_cache_builds();
    kd_comment c = KD_COMMENT_INIT;
    c.id = "c1";
    c.post_id = "p3";
    c.text = "my knees thank the morning walks";
    int changed = 0;
    cr_assert_eq(kd_feedback(m, &c, KD_HAM, 0, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(changed, 1);
    cr_assert_eq(kd_post_put(m, "p4", "Tea", "Green tea in the afternoon."), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_posts_cache_builds(), builds, "a keep-later write built the posts cache");
    int64_t gen = sql_int("SELECT value FROM meta WHERE key = 'posts_generation'");
    cr_assert_gt(gen, kept);
    cr_assert_eq(sql_int("SELECT generation FROM posts_snapshot"), kept, "a keep-later write kept the cache");
    double stale[NCOMMENTS], fresh[NCOMMENTS];
    int built;
    relevances(stale, &built); /* another handle: the kept cache is stale, so built */
    cr_assert_eq(built, 1);
    built_relevances(fresh);
    expect_same(stale, fresh);
    uint64_t loads = kd_posts_cache_loads();
    cr_assert_eq(kd_model_keep_posts(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(sql_int("SELECT generation FROM posts_snapshot"), gen);
    cr_assert_eq(kd_model_keep_posts(m), 0, "%s", kd_model_error(m)); /* kept already: nothing */
    kd_model_close(m); /* no cache left in the process: the next handle reads the file's */
    double read[NCOMMENTS];
    relevances(read, &built);
    cr_assert_eq(built, 0, "the cache kd_model_keep_posts kept was not read");
    cr_assert_eq(kd_posts_cache_loads(), loads + 1);
    expect_same(read, fresh);
    /* a read-only handle keeps nothing: refused, as its writes are */
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0);
    cr_assert_eq(kd_model_keep_posts(m), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "read-only"), "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(kd_model_keep_posts(NULL), KD_EINVAL);
}
