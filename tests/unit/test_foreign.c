/* test_foreign.c - comments learnt from other sites (kd_train_add_ex, KD_TRAIN_FOREIGN): they
 * count for the spam stage like any ham but not for the site's language (relevance); their
 * counts merge as sums, undo, go with pruned tokens, stay out of the posts' models; a
 * schema 5 model is read as it is and upgraded when written. */
#include <criterion/criterion.h>
#include <sqlite3.h>

#include "helpers.h"
#include "kindly.h"

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void) { th_rmrf(dir); }
TestSuite(foreign, .init = setup, .fini = teardown);

static const char *site_ham[] = {
    "Thank you, the breathing exercise helped me sleep last night.",
    "Journaling three good things every evening has calmed my anxiety.",
    "My therapist suggested the same routine for sleep and worry.",
    "Walking every morning lifts my mood more than anything else.",
};
/* another site's ham: football and phone chatter */
static const char *other_ham[] = {
    "What a match tonight, the striker scored twice in the second half!",
    "Anyone watching the football? The referee was terrible, penalty robbed us.",
    "Lol see you at the match later, bring the tickets and my phone charger",
    "Great goal from the striker, best football of the season so far",
};
static const char *other_spam[] = {
    "Free entry to win football tickets, text WIN to 80082 now",
    "Subscribe to my channel for free phone giveaways http://win.example",
};
static const char *chatter = "The striker scored in the football match tonight, what a penalty!";

static void path_of(const char *name, char *out, size_t n) { snprintf(out, n, "%s/%s", dir, name); }

static kd_model *open_model(const char *name, unsigned flags)
{
    char path[512];
    path_of(name, path, sizeof path);
    kd_model *m = NULL;
    int rc = kd_model_open(&m, path, flags);
    cr_assert_eq(rc, 0, "open %s: %s", path, kd_model_error(m));
    return m;
}

/* site: the site's ham (with post ids) and its post; other: the other site's comments,
 * learnt with other_flags (-1: not at all); delta applies to the other site's comments */
static void train(kd_model *m, int site, int other, unsigned other_flags, int delta)
{
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; site && i < sizeof site_ham / sizeof *site_ham; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = site_ham[i];
        c.post_id = "sleep";
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0, "%s", kd_model_error(m));
    }
    for (size_t i = 0; other && i < sizeof other_ham / sizeof *other_ham; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = other_ham[i];
        c.post_id = "sleep"; /* another site's post of the same name: not this one */
        cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, delta, other_flags), 0, "%s", kd_model_error(m));
    }
    for (size_t i = 0; other && i < sizeof other_spam / sizeof *other_spam; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = other_spam[i];
        cr_assert_eq(kd_train_add_ex(m, &c, KD_SPAM, delta, other_flags), 0, "%s", kd_model_error(m));
    }
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

static kd_model *build(const char *name, int site, int other, unsigned other_flags)
{
    kd_model *m = open_model(name, KD_OPEN_CREATE);
    if (site || other)
        train(m, site, other, other_flags, 1);
    cr_assert_eq(kd_post_put(m, "sleep", "When anxiety keeps you awake",
                             "Anxiety and poor sleep feed each other. A breathing exercise, a worry journal "
                             "and a wind-down routine help the nervous system settle before bed."), 0);
    return m;
}

static kd_result score(kd_model *m, const char *post, const char *text)
{
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = post;
    c.text = text;
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    return r;
}

/* The two model files give the chatter comment the same relevance and scores. */
static void same_scores(const char *a_name, const char *b_name)
{
    kd_model *a = open_model(a_name, KD_OPEN_READONLY), *b = open_model(b_name, KD_OPEN_READONLY);
    kd_result ra = score(a, "sleep", chatter), rb = score(b, "sleep", chatter);
    cr_assert_eq(ra.relevance, rb.relevance, "%s %f, %s %f", a_name, ra.relevance, b_name, rb.relevance);
    cr_assert_eq(ra.bayes_score, rb.bayes_score);
    cr_assert_eq(ra.spam_score, rb.spam_score);
    kd_result_free(&ra);
    kd_result_free(&rb);
    kd_model_close(a);
    kd_model_close(b);
}

/* The first column of q's first row in model name, as text into out (n bytes); "" if none. */
static void sql_text(const char *name, const char *q, char *out, size_t n)
{
    char path[512];
    path_of(name, path, sizeof path);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s: %s", q, sqlite3_errmsg(db));
    const unsigned char *v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    snprintf(out, n, "%s", v ? (const char *)v : "");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int64_t sql_int(const char *name, const char *q)
{
    char v[32];
    sql_text(name, q, v, sizeof v);
    return *v ? strtoll(v, NULL, 10) : -1;
}

static void sql_exec(const char *name, const char *q)
{
    char path[512];
    path_of(name, path, sizeof path);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s: %s", q, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* Begin an undo of the other site's ham comments with these flags (not committed). */
static void undo_other_ham(kd_model *m, unsigned flags)
{
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < sizeof other_ham / sizeof *other_ham; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = other_ham[i];
        c.post_id = "sleep";
        cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, -1, flags), 0, "%s", kd_model_error(m));
    }
}

/* The other site's comments undone with these flags: refused, with a message holding want. */
static void undo_refused(kd_model *m, unsigned flags, const char *want)
{
    undo_other_ham(m, flags);
    cr_assert_eq(kd_train_commit(m), KD_EINVAL, "the undo was not refused");
    cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
}

/* The other site's comments undone as foreign: done. */
static void undo_ok(kd_model *m)
{
    undo_other_ham(m, KD_TRAIN_FOREIGN);
    for (size_t i = 0; i < sizeof other_spam / sizeof *other_spam; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = other_spam[i];
        cr_assert_eq(kd_train_add_ex(m, &c, KD_SPAM, -1, KD_TRAIN_FOREIGN), 0, "%s", kd_model_error(m));
    }
    cr_assert_eq(kd_train_commit(m), 0, "the undo as learnt was refused: %s", kd_model_error(m));
}

#define FOREIGN_ROWS "SELECT count(*) FROM foreign_ham"
#define FOREIGN_SUM "SELECT coalesce(sum(n), 0) FROM foreign_ham"
#define FOREIGN_TOTAL "SELECT coalesce((SELECT value FROM meta WHERE key = 'foreign_ham_tokens'), 0)"

/* The relevance of the chatter under a model with foreign ham is exactly that under the
 * site's comments alone (preloaded and on demand); its Bayes score exactly that under the same
 * comments learnt as ordinary ham. */
Test(foreign, counts_for_bayes_not_for_the_site)
{
    kd_model_close(build("site.db", 1, 0, 0));
    kd_model_close(build("foreign.db", 1, 1, KD_TRAIN_FOREIGN));
    kd_model_close(build("plain.db", 1, 1, 0));
    cr_assert_gt(sql_int("foreign.db", FOREIGN_ROWS), 10);
    /* the total is the foreign comments' distinct tokens; the rows, their content words */
    cr_assert_gt(sql_int("foreign.db", FOREIGN_TOTAL), sql_int("foreign.db", FOREIGN_SUM));
    /* "the" (three of the comments) is no content word; "striker", "football" are in two */
    cr_assert_eq(sql_int("foreign.db", "SELECT max(n) FROM foreign_ham"), 2);
    cr_assert_eq(sql_int("plain.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("plain.db", "SELECT count(*) FROM meta WHERE key = 'foreign_ham_tokens'"), 0);
    /* the stored foreign share is a part of the ham counts */
    cr_assert_eq(sql_int("foreign.db", "SELECT count(*) FROM foreign_ham f JOIN tokens t USING (h) "
                                       "WHERE f.n > t.ham"), 0);

    for (int pre = 0; pre < 2; pre++) {
        unsigned fl = KD_OPEN_READONLY | (pre ? KD_OPEN_PRELOAD : 0);
        kd_model *s = open_model("site.db", fl), *f = open_model("foreign.db", fl), *p = open_model("plain.db", fl);
        const char *posts[] = { "sleep", NULL };
        for (int k = 0; k < 2; k++) {
            kd_result rs = score(s, posts[k], chatter), rf = score(f, posts[k], chatter),
                      rp = score(p, posts[k], chatter);
            cr_assert_eq(rf.relevance, rs.relevance, "pre %d post %s: %f vs %f", pre, posts[k], rf.relevance,
                         rs.relevance);
            cr_assert_gt(rp.relevance, rf.relevance + 0.05, "plain %f foreign %f", rp.relevance, rf.relevance);
            cr_assert_eq(rf.bayes_score, rp.bayes_score);
            cr_assert_eq(rf.spam_score, rp.spam_score);
            kd_result_free(&rs);
            kd_result_free(&rf);
            kd_result_free(&rp);
        }
        kd_model_close(s);
        kd_model_close(f);
        kd_model_close(p);
    }
}

Test(foreign, unknown_flags_are_refused)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello";
    cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, 1, 0x80), KD_EINVAL);
    kd_train_abort(m);
    kd_model_close(m);
}

/* A preloaded reader picks up the foreign counts written by another handle on refresh. */
Test(foreign, refresh_reloads_the_foreign_counts)
{
    kd_model *w = build("a.db", 1, 0, 0);
    kd_model *r = open_model("a.db", KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    kd_result before = score(r, "sleep", chatter);
    train(w, 0, 1, KD_TRAIN_FOREIGN, 1);
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(r, &reloaded), 0);
    cr_assert_eq(reloaded, 1);
    kd_result after = score(r, "sleep", chatter);
    cr_assert_eq(after.relevance, before.relevance);
    cr_assert_neq(after.bayes_score, before.bayes_score);
    kd_result_free(&before);
    kd_result_free(&after);
    kd_model_close(r);
    kd_model_close(w);
}

Test(foreign, merge_sums_the_foreign_counts)
{
    kd_model_close(build("whole.db", 1, 1, KD_TRAIN_FOREIGN));
    kd_model *a = open_model("a.db", KD_OPEN_CREATE), *b = open_model("b.db", KD_OPEN_CREATE);
    train(a, 1, 0, 0, 1);
    train(b, 0, 1, KD_TRAIN_FOREIGN, 1);
    kd_model_close(a);
    kd_model_close(b);
    kd_model *m = build("m.db", 0, 0, 0);
    char pa[512], pb[512];
    path_of("a.db", pa, sizeof pa);
    path_of("b.db", pb, sizeof pb);
    cr_assert_eq(kd_model_merge(m, pa), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_merge(m, pb), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int("m.db", FOREIGN_ROWS), sql_int("whole.db", FOREIGN_ROWS));
    cr_assert_eq(sql_int("m.db", FOREIGN_SUM), sql_int("whole.db", FOREIGN_SUM));
    cr_assert_eq(sql_int("m.db", FOREIGN_TOTAL), sql_int("whole.db", FOREIGN_TOTAL));
    cr_assert_gt(sql_int("m.db", FOREIGN_TOTAL), 0);
    same_scores("whole.db", "m.db");
    /* merging the foreign shard again (said to be meant) doubles its counts */
    int64_t sum = sql_int("m.db", FOREIGN_SUM), total = sql_int("m.db", FOREIGN_TOTAL);
    m = open_model("m.db", KD_OPEN_WRITE);
    const char *again[] = { pb };
    cr_assert_eq(kd_model_merge_ex(m, again, 1, KD_MERGE_AGAIN), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int("m.db", FOREIGN_SUM), 2 * sum);
    cr_assert_eq(sql_int("m.db", FOREIGN_TOTAL), 2 * total);
}

Test(foreign, undo_subtracts_and_deletes_rows_at_zero)
{
    kd_model *m = build("a.db", 1, 1, KD_TRAIN_FOREIGN);
    train(m, 0, 1, KD_TRAIN_FOREIGN, -1);
    kd_model_close(m);
    cr_assert_eq(sql_int("a.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("a.db", FOREIGN_TOTAL), 0);
    kd_model_close(build("site.db", 1, 0, 0));
    same_scores("a.db", "site.db");
    /* undoing more than was learnt is refused */
    m = open_model("a.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = other_ham[0];
    cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, -1, KD_TRAIN_FOREIGN), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "so it was not learnt as ham (or was undone already)"), "%s",
              kd_model_error(m));
    kd_train_abort(m);
    kd_model_close(m);
    cr_assert_eq(sql_int("a.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("a.db", FOREIGN_TOTAL), 0);
}

/* An undo whose foreign flag is not the one the comments were learnt with is refused with
 * the flag to use, and the model is left as it was: learnt as foreign and undone as the
 * site's own, the foreign counts would stay behind; learnt as the site's and undone as
 * foreign, other sites' foreign counts would be cut and the posts' words stay behind. */
Test(foreign, undo_with_the_other_flag_is_refused)
{
    const char *state = "SELECT (SELECT sum(ham) FROM tokens) || '/' || (SELECT coalesce(sum(n), 0) FROM foreign_ham)"
                        " || '/' || (SELECT count(*) FROM post_terms) || '/' || (SELECT value FROM meta WHERE"
                        " key = 'foreign_ham_tokens')";
    char before[128], after[128];
    /* learnt as foreign, undone as the site's */
    kd_model *m = build("a.db", 1, 1, KD_TRAIN_FOREIGN);
    kd_model_close(m);
    sql_text("a.db", state, before, sizeof before);
    m = open_model("a.db", KD_OPEN_WRITE);
    undo_refused(m, 0, "learnt as foreign (train --foreign: undo them as such, learn --undo --foreign) or they were already undone");
    kd_model_close(m);
    sql_text("a.db", state, after, sizeof after);
    cr_assert_str_eq(after, before);
    /* learnt as the site's (with another foreign corpus in the model), undone as foreign */
    m = build("b.db", 1, 0, 0);
    train(m, 0, 1, 0, 1);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "Lol the football match was great, see you at the match";
    cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, 1, KD_TRAIN_FOREIGN), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    sql_text("b.db", state, before, sizeof before);
    m = open_model("b.db", KD_OPEN_WRITE);
    undo_refused(m, KD_TRAIN_FOREIGN, "not learnt as foreign");
    /* words no other comment has (their counts go to zero with the undo) tell as well */
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment rare = KD_COMMENT_INIT;
    rare.text = "Zebrafish quokkas and axolotls";
    rare.post_id = "sleep";
    cr_assert_eq(kd_train_add(m, &rare, KD_HAM, 1), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    char mid[128];
    kd_model_close(m);
    sql_text("b.db", state, mid, sizeof mid);
    m = open_model("b.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add_ex(m, &rare, KD_HAM, -1, KD_TRAIN_FOREIGN), 0);
    cr_assert_eq(kd_train_commit(m), KD_EINVAL, "the undo of words only it has was not refused");
    cr_assert(strstr(kd_model_error(m), "not learnt as foreign"), "%s", kd_model_error(m));
    kd_model_close(m);
    char now[128];
    sql_text("b.db", state, now, sizeof now);
    cr_assert_str_eq(now, mid, "the refused undo wrote something");
    m = open_model("b.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &rare, KD_HAM, -1), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    /* as learnt, the undo is done */
    train(m, 0, 1, 0, -1);
    kd_model_close(m);
    sql_text("b.db", state, after, sizeof after);
    cr_assert_str_neq(after, before);
}

Test(foreign, prune_drops_the_foreign_rows_of_pruned_tokens)
{
    kd_model *m = build("a.db", 1, 1, KD_TRAIN_FOREIGN);
    int64_t before = sql_int("a.db", FOREIGN_ROWS);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_gt(removed, 0);
    int64_t after = sql_int("a.db", FOREIGN_ROWS);
    cr_assert_lt(after, before);
    cr_assert_gt(after, 0); /* "striker", "football", "match" are in two comments */
    cr_assert_eq(sql_int("a.db", "SELECT count(*) FROM foreign_ham WHERE h NOT IN (SELECT h FROM tokens)"), 0);
}

/* Learn (delta 1) or undo (-1) the texts as the site's own ham; the commit's result. */
static int site_ham_texts(kd_model *m, const char *const *texts, size_t n, int delta, unsigned flags)
{
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < n; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = texts[i];
        cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, delta, flags), 0, "%s", kd_model_error(m));
    }
    return kd_train_commit(m);
}

/* The README's order: other sites' corpora learnt as foreign and pruned, then the site's own
 * comments. A word the foreign corpus used once ("referee") was pruned with its foreign
 * share; a comment of the site brings it back, with no foreign count. Undoing the foreign
 * corpus must still work (it was refused: "not learnt as foreign"), on this model and on one
 * it is merged into, while an undo as foreign of the site's own comments is still refused
 * where pruning cannot explain the missing foreign counts. */
Test(foreign, undo_after_pruning_when_a_pruned_word_came_back)
{
    static const char *const own[] = { "The referee at the school match was so patient with the anxious kids" };
    static const char *const twice[] = { "Zebrafish quokkas and axolotls calm me", "Zebrafish quokkas again" };
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train(m, 0, 1, KD_TRAIN_FOREIGN, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed, 0);
    cr_assert_eq(site_ham_texts(m, own, 1, 1, 0), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    kd_model *w = open_model("whole.db", KD_OPEN_CREATE);
    char pa[512];
    path_of("a.db", pa, sizeof pa);
    cr_assert_eq(kd_model_merge(w, pa), 0, "%s", kd_model_error(w));
    /* the site's own comments undone as foreign: "zebrafish" lacks 2 foreign counts, more
     * than a pruning at 2 can have taken (a pruned word had at most 1) */
    cr_assert_eq(site_ham_texts(w, twice, 2, 1, 0), 0, "%s", kd_model_error(w));
    cr_assert_eq(site_ham_texts(w, twice, 2, -1, KD_TRAIN_FOREIGN), KD_EINVAL, "the wrong undo was not refused");
    cr_assert(strstr(kd_model_error(w), "not learnt as foreign"), "%s", kd_model_error(w));
    cr_assert_eq(site_ham_texts(w, twice, 2, -1, 0), 0, "%s", kd_model_error(w));
    /* the foreign corpus, undone as learnt: here and in the merged model */
    m = open_model("a.db", KD_OPEN_WRITE);
    undo_ok(m);
    kd_model_close(m);
    undo_ok(w);
    kd_model_close(w);
    cr_assert_eq(sql_int("a.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("a.db", FOREIGN_TOTAL), 0);
    cr_assert_eq(sql_int("whole.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("a.db", "SELECT value FROM meta WHERE key = 'ham_messages'"), 1);
}

/* Two shards, each with a foreign corpus pruned at 2 and then the site's own comment that
 * brings "quokka" back: merged, the word lacks one foreign count from each shard, so the
 * allowance is a sum (it was the largest N - 1, 1, and the undo of both corpora at once was
 * refused). */
Test(foreign, prune_allowances_of_merged_shards_add_up)
{
    static const char *const fa[] = { "Quokka selfies at the zoo" }, *const fb[] = { "Quokka videos on my phone" };
    static const char *const own[] = { "A quokka calmed my anxious morning" };
    static const char *const both[] = { "Quokka selfies at the zoo", "Quokka videos on my phone" };
    const char *shard[2] = { "a.db", "b.db" };
    const char *const *corpus[2] = { fa, fb };
    kd_model *w = open_model("whole.db", KD_OPEN_CREATE);
    for (int k = 0; k < 2; k++) {
        kd_model *m = open_model(shard[k], KD_OPEN_CREATE);
        cr_assert_eq(site_ham_texts(m, corpus[k], 1, 1, KD_TRAIN_FOREIGN), 0, "%s", kd_model_error(m));
        uint64_t removed = 0;
        cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
        cr_assert_gt(removed, 0);
        cr_assert_eq(site_ham_texts(m, own, 1, 1, 0), 0, "%s", kd_model_error(m));
        kd_model_close(m);
        cr_assert_eq(sql_int(shard[k], "SELECT value FROM meta WHERE key = 'prune_slack'"), 1);
        char p[512];
        path_of(shard[k], p, sizeof p);
        cr_assert_eq(kd_model_merge(w, p), 0, "%s", kd_model_error(w));
    }
    kd_model_close(w);
    cr_assert_eq(sql_int("whole.db", "SELECT value FROM meta WHERE key = 'prune_slack'"), 2);
    w = open_model("whole.db", KD_OPEN_WRITE);
    cr_assert_eq(site_ham_texts(w, both, 2, -1, KD_TRAIN_FOREIGN), 0, "%s", kd_model_error(w));
    kd_model_close(w);
}

Test(foreign, post_terms_untouched_by_foreign_ham)
{
    kd_model *m = build("a.db", 0, 1, KD_TRAIN_FOREIGN);
    kd_model_close(m);
    cr_assert_eq(sql_int("a.db", "SELECT count(*) FROM post_terms"), 0);
    cr_assert_gt(sql_int("a.db", FOREIGN_ROWS), 0);
    m = open_model("a.db", KD_OPEN_WRITE);
    train(m, 1, 0, 0, 1); /* the site's own ham with a post id does join its post */
    kd_model_close(m);
    cr_assert_gt(sql_int("a.db", "SELECT count(*) FROM post_terms"), 0);
}

/* A model of schema 5 (before foreign_ham) is read as it is, and upgraded when written. */
Test(foreign, schema_5_model_read_and_upgraded)
{
    kd_model_close(build("old.db", 1, 1, 0));
    kd_model_close(build("ref.db", 1, 1, 0));
    sql_exec("old.db", "DROP TABLE foreign_ham; DROP INDEX history_labelled; ALTER TABLE history DROP COLUMN label; DROP TABLE merged; DELETE FROM meta WHERE key = 'model_id'; PRAGMA user_version = 5;");
    kd_model *m = open_model("old.db", KD_OPEN_READONLY);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.schema_version, 5);
    kd_model_close(m);
    same_scores("old.db", "ref.db");

    /* merged into a current model: its counts added, no foreign counts */
    kd_model *cur = build("cur.db", 0, 0, 0);
    char po[512];
    path_of("old.db", po, sizeof po);
    cr_assert_eq(kd_model_merge(cur, po), 0, "%s", kd_model_error(cur));
    kd_model_close(cur);
    cr_assert_eq(sql_int("cur.db", FOREIGN_ROWS), 0);
    cr_assert_gt(sql_int("cur.db", "SELECT count(*) FROM tokens"), 0);

    m = open_model("old.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.schema_version, 8);
    train(m, 0, 1, KD_TRAIN_FOREIGN, 1);
    kd_model_close(m);
    cr_assert_gt(sql_int("old.db", FOREIGN_ROWS), 0);
    cr_assert_eq(sql_int("old.db", "PRAGMA user_version"), 8);
}

/* An undo as foreign of comments learnt as the site's, on a model pruned by a kindly that kept
 * no prune_slack: refused, and the message's second cause names the command to record the
 * pruning with this model's own path (it said "sqlite3 MODEL.db"). */
Test(foreign, undo_on_a_model_pruned_without_a_record_names_the_model)
{
    kd_model *m = build("p.db", 1, 0, 0);
    for (int k = 0; k < 2; k++) /* twice: its words outlive a pruning at 2 */
        train(m, 0, 1, 0, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed, 0, "the site's comments' words, learnt once, were not pruned");
    kd_model_close(m);
    sql_exec("p.db", "DELETE FROM meta WHERE key = 'prune_slack'");
    m = open_model("p.db", KD_OPEN_WRITE);
    undo_refused(m, KD_TRAIN_FOREIGN, "not learnt as foreign");
    char path[512], want[700];
    path_of("p.db", path, sizeof path);
    snprintf(want, sizeof want, "record that, sqlite3 %s \"INSERT INTO meta(key, value) VALUES('prune_slack', N - 1)\"",
             path);
    cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
    kd_model_close(m);
}
