/* test_model.c - the model file: create, train, look up, undo, merge, prune, reopen,
 * refuse foreign files. Uses real SQLite files in a temporary directory. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "helpers.h"
#include "kindly.h"
#include "deltas.h"
#include "model.h"
#include "store.h"
#include "tokmap.h"

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void) { th_rmrf(dir); }
TestSuite(model, .init = setup, .fini = teardown);

static const char *spam_texts[] = {
    "Buy cheap pills online now, free shipping http://pills.example.shop",
    "Best CBD oil discount code, visit my shop today",
    "Check out my channel and subscribe for free giveaways",
    "Earn $5000 a week from home with crypto, WhatsApp me",
};
static const char *ham_texts[] = {
    "Thank you for this post, it helped me through a hard week.",
    "I started journaling after reading this and I sleep better.",
    "My therapist said something similar about self-compassion.",
    "Walking every morning has changed my mood, thank you.",
};

static void train_all(kd_model *m, int delta)
{
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < 4; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = spam_texts[i];
        cr_assert_eq(kd_train_add(m, &c, KD_SPAM, delta), 0, "%s", kd_model_error(m));
        c.text = ham_texts[i];
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, delta), 0, "%s", kd_model_error(m));
    }
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

static kd_model *open_model(const char *name, unsigned flags)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    kd_model *m = NULL;
    int rc = kd_model_open(&m, path, flags);
    cr_assert_eq(rc, 0, "open %s: %s", path, kd_model_error(m));
    return m;
}

/* A batch begun again while one is open is refused: clearing it would drop what it holds */
Test(model, begin_while_a_batch_is_open_is_refused)
{
    kd_model *m = open_model("b.db", KD_OPEN_CREATE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "cheap pills online";
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0);
    cr_assert_eq(kd_train_begin(m), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "open already"), "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 1, "the first batch's comment is kept");
    kd_model_close(m);
}

/* ":memory:" opened read-only holds nothing: the message says so, not "an empty file" */
Test(model, memory_read_only_names_what_to_do)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_READONLY), KD_ESCHEMA);
    cr_assert(strstr(kd_model_error(m), "KD_OPEN_CREATE"), "%s", kd_model_error(m));
    kd_model_close(m);
}

Test(model, train_counts_and_classify)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 4);
    cr_assert_eq(st.ham_messages, 4);
    cr_assert_gt(st.tokens, 20);
    cr_assert_geq(st.schema_version, 3);

    kd_comment c = KD_COMMENT_INIT;
    c.id = "x1";
    c.text = "cheap pills with free shipping, visit my shop";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0);
    cr_assert_gt(r.spam_score, 0.5);
    cr_assert_gt(r.ntop, 0);
    cr_assert_gt(r.nreasons, 0);
    kd_result_free(&r);

    c.text = "thank you, journaling helped me sleep better";
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0);
    cr_assert_lt(r.spam_score, 0.5);
    cr_assert_eq(r.verdict, KD_APPROVE);
    char *js = kd_result_json(&c, &r);
    cr_assert_not_null(strstr(js, "\"id\":\"x1\""));
    cr_assert_not_null(strstr(js, "\"verdict\":\"approve\""));
    free(js);
    kd_result_free(&r);
    kd_model_close(m);
}

Test(model, preloaded_and_on_demand_agree)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    kd_model *lazy = open_model("a.db", KD_OPEN_READONLY);
    kd_model *pre = open_model("a.db", KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    for (size_t i = 0; i < 4; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = spam_texts[i];
        kd_result a, b;
        cr_assert_eq(kd_classify(lazy, &c, NULL, &a), 0);
        cr_assert_eq(kd_classify(pre, &c, NULL, &b), 0);
        cr_assert_float_eq(a.spam_score, b.spam_score, 1e-12);
        kd_result_free(&a);
        kd_result_free(&b);
    }
    kd_model_close(lazy);
    kd_model_close(pre);
}

Test(model, undo_restores_the_empty_model)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    train_all(m, -1);
    kd_model_stats st;
    kd_model_stats_get(m, &st);
    cr_assert_eq(st.spam_messages, 0);
    cr_assert_eq(st.ham_messages, 0);
    cr_assert_eq(st.tokens, 0);
    /* undoing more than was learnt is refused (it used to clamp the counts at zero, taking
     * the prior and the other comments' words with it) */
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[0];
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "no spam comment left to take back"), "%s", kd_model_error(m));
    kd_train_abort(m);
    kd_model_stats_get(m, &st);
    cr_assert_eq(st.spam_messages, 0);
    kd_model_close(m);
}

/* The counts of the spam and ham messages and tokens, as stored. */
static void totals_of(kd_model *m, int64_t v[5])
{
    kd_totals t;
    cr_assert_eq(kd_store_totals(m->store, &t), 0);
    int64_t w[5] = { t.spam_messages, t.ham_messages, t.spam_tokens, t.ham_tokens, t.vocab };
    memcpy(v, w, sizeof w);
}

/* An undo takes back what learning the comment with that label added; the model knows when
 * it has not that much: a comment never learnt (or learnt with the other label, or undone
 * already) is refused with the word that tells, before any of it is taken, and the batch's
 * other comments are undone as asked. */
Test(model, undo_of_a_comment_never_learnt_is_refused)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    int64_t before[5], after[5];
    totals_of(m, before);
    kd_comment never = KD_COMMENT_INIT, learnt = KD_COMMENT_INIT;
    never.text = "Zebrafish quokkas and axolotls";
    learnt.text = ham_texts[1];
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &never, KD_SPAM, -1), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "its word \"zebrafish\" has no spam count left to take back, so it was not "
                                        "learnt as spam"), "%s", kd_model_error(m));
    /* learnt as ham, undone as spam: "journaling" has no spam count */
    cr_assert_eq(kd_train_add(m, &learnt, KD_SPAM, -1), KD_EINVAL);
    cr_assert_eq(kd_train_add(m, &learnt, KD_HAM, -1), 0, "%s", kd_model_error(m));
    /* the same comment twice in one undo: the second finds the first's counts taken */
    cr_assert_eq(kd_train_add(m, &learnt, KD_HAM, -1), KD_EINVAL);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    totals_of(m, after);
    cr_assert_eq(after[0], before[0]);
    cr_assert_eq(after[1], before[1] - 1);
    cr_assert_eq(after[2], before[2]);
    cr_assert_lt(after[3], before[3]);
    /* undone already */
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &learnt, KD_HAM, -1), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "(or was undone already)"), "%s", kd_model_error(m));
    kd_train_abort(m);
    kd_model_close(m);
}

/* Pruning drops the rare words of a learnt comment: its undo may find them gone (up to N - 1
 * counts of a word for a pruning at N), and is done; a second undo is still refused. */
Test(model, undo_after_a_prune_is_allowed_for)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed, 0);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[3];
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_stats st;
    kd_model_stats_get(m, &st);
    cr_assert_eq(st.spam_messages, 3);
    /* once more: "crypto" (once in all, pruned) lacks 2 counts, pruning at 2 took at most 1 */
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), KD_EINVAL);
    kd_train_abort(m);
    kd_model_close(m);
}

/* Run one SQL statement on the model file a.db (as a kindly of another version left it). */
static void sql_on_model(const char *q)
{
    char path[512];
    snprintf(path, sizeof path, "%s/a.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* The first column of the first row of q on dir/a.db (an integer); -1 when it has no row */
static int64_t sql_int_on_model(const char *q)
{
    char path[512];
    snprintf(path, sizeof path, "%s/a.db", dir);
    return th_sql_int(path, q);
}

/* An undo that pruning allows for takes a word's count to zero, never below: "zorkmid",
 * learnt twice and pruned at 3 (2 counts allowed for), learnt once again, then both first
 * comments undone in one batch: its count of 1 less 2 is 0 (the row goes), not -1, which a
 * later learning would have brought back to 0 instead of 1. */
Test(model, an_undo_allowed_for_by_a_prune_leaves_no_count_below_zero)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    kd_comment a = KD_COMMENT_INIT, b = KD_COMMENT_INIT, c = KD_COMMENT_INIT;
    a.text = "zorkmid alpha";
    b.text = "zorkmid beta";
    c.text = "zorkmid gamma";
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &a, KD_SPAM, 1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_add(m, &b, KD_SPAM, 1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 3, &removed), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed, 0);
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &a, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_add(m, &b, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(sql_int_on_model("SELECT count(*) FROM tokens WHERE spam < 0 OR ham < 0"), 0);
    cr_assert_eq(sql_int_on_model("SELECT count(*) FROM tokens WHERE spam = 0 AND ham = 0"), 0);
}

/* A model pruned by a kindly that kept no prune_slack (the meta row is missing): a word
 * pruning dropped looks never learnt, and the undo is refused, but the message says why and
 * what to do, not "it was not learnt as spam" of a comment that was. Recording the pruning as
 * the message says makes the same undo go through. */
Test(model, undo_on_a_model_pruned_without_a_record_says_so)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed, 0);
    kd_model_close(m);
    sql_on_model("DELETE FROM meta WHERE key = 'prune_slack'");
    m = open_model("a.db", KD_OPEN_WRITE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[3];
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), KD_EINVAL);
    const char *e = kd_model_error(m);
    cr_assert(strstr(e, "has no spam count left to take back"), "%s", e);
    cr_assert(strstr(e, "so it was not learnt as spam") == NULL, "%s", e);
    cr_assert(strstr(e, "pruned by a kindly that did not record it") != NULL, "%s", e);
    char want[600]; /* the command to run names this model, not MODEL.db */
    snprintf(want, sizeof want, "sqlite3 %s/a.db \"INSERT INTO meta(key, value) VALUES('prune_slack', N - 1)\"", dir);
    cr_assert(strstr(e, want) != NULL, "%s", e);
    kd_train_abort(m);
    /* a comment never learnt is still refused, with the same explanation (it cannot be told) */
    kd_comment never = KD_COMMENT_INIT;
    never.text = "Zebrafish quokkas and axolotls";
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &never, KD_SPAM, -1), KD_EINVAL);
    kd_train_abort(m);
    kd_model_close(m);
    sql_on_model("INSERT INTO meta(key, value) VALUES('prune_slack', 2 - 1)");
    m = open_model("a.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

/* The same refusal for a model at a long path (a site's models under a deep directory): the
 * message holds the whole sqlite3 command to run and its end, not cut at 511 bytes. */
/* The message of an undo refused on model name (in dir), pruned without a record, into err. */
static void undo_refused_unrecorded(const char *name, char *err, size_t n)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    kd_model *m = open_model(name, KD_OPEN_CREATE);
    train_all(m, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'prune_slack'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    m = open_model(name, KD_OPEN_WRITE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[3];
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), KD_EINVAL);
    snprintf(err, n, "%s", kd_model_error(m));
    kd_train_abort(m);
    kd_model_close(m);
}

Test(model, undo_on_a_pruned_model_at_a_long_path_names_the_whole_command)
{
    char name[200], err[1100], want[900];
    memset(name, 'm', 150);
    strcpy(name + 150, ".db");
    undo_refused_unrecorded(name, err, sizeof err);
    snprintf(want, sizeof want, "sqlite3 %s/%s \"INSERT INTO meta(key, value) VALUES('prune_slack', N - 1)\", and undo again",
             dir, name);
    cr_assert(strstr(err, want) != NULL, "%s", err);
}

/* A path with a blank or a quote is one word of the command, as a shell reads it. */
Test(model, undo_on_a_pruned_model_quotes_a_path_a_shell_would_split)
{
    char err[1100], want[900];
    undo_refused_unrecorded("it's my blog.db", err, sizeof err);
    snprintf(want, sizeof want, "sqlite3 '%s/it'\\''s my blog.db' \"INSERT INTO meta", dir);
    cr_assert(strstr(err, want) != NULL, "%s", err);
}

/* An unpruned model keeps the plain message: no counts are missing, so a word without a count
 * of the label was not learnt with it. */
Test(model, undo_on_an_unpruned_model_keeps_its_message)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_comment never = KD_COMMENT_INIT;
    never.text = "Zebrafish quokkas and axolotls";
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &never, KD_SPAM, -1), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "so it was not learnt as spam (or was undone already)"), "%s",
              kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "prune") == NULL, "%s", kd_model_error(m));
    kd_train_abort(m);
    kd_model_close(m);
}

/* A model pruned by the kindly that kept the largest N as "pruned_below" (before prune_slack,
 * a sum, replaced it) is read as prune_slack N - 1: its undo of a pruned comment is done. */
Test(model, undo_on_a_model_with_pruned_below_is_allowed_for)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    sql_on_model("DELETE FROM meta WHERE key = 'prune_slack'; INSERT INTO meta(key, value) VALUES('pruned_below', 2)");
    m = open_model("a.db", KD_OPEN_WRITE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[3];
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    /* a later pruning adds its own N - 1 to that, written as prune_slack */
    uint64_t removed2 = 0;
    cr_assert_eq(kd_model_prune(m, 4, &removed2), 0, "%s", kd_model_error(m));
    cr_assert_gt(removed2, 0);
    kd_model_close(m);
    cr_assert_eq(sql_int_on_model("SELECT value FROM meta WHERE key = 'prune_slack'"), 1 + 3);
}

/* The check is made again in the transaction that writes the undo: two writers undoing the
 * same comment, each checked against the file before the other wrote, take it back once. */
Test(model, undo_raced_by_another_writer_is_refused_at_commit)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE);
    train_all(a, 1);
    kd_model *b = open_model("a.db", KD_OPEN_WRITE);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "Zebrafish quokkas and axolotls";
    int64_t before[5], after[5];
    totals_of(a, before);
    cr_assert_eq(kd_train_begin(a), 0);
    cr_assert_eq(kd_train_add(a, &c, KD_HAM, 1), 0);
    cr_assert_eq(kd_train_commit(a), 0, "%s", kd_model_error(a));
    cr_assert_eq(kd_train_begin(a), 0);
    cr_assert_eq(kd_train_begin(b), 0);
    cr_assert_eq(kd_train_add(a, &c, KD_HAM, -1), 0, "%s", kd_model_error(a));
    cr_assert_eq(kd_train_add(b, &c, KD_HAM, -1), 0, "%s", kd_model_error(b));
    cr_assert_eq(kd_train_commit(b), 0, "%s", kd_model_error(b));
    cr_assert_eq(kd_train_commit(a), KD_EINVAL, "the second undo was written");
    cr_assert(strstr(kd_model_error(a), "were undone already"), "%s", kd_model_error(a));
    totals_of(a, after); /* as before the comment was learnt: taken back once */
    cr_assert_arr_eq(after, before, sizeof after);
    kd_model_close(a);
    kd_model_close(b);
}

/* As above, with the batch learning another comment of the label besides: its count of
 * comments does not go down, and the check in the transaction was skipped (it was made only
 * for a batch taking comments away in all), so the undo was written twice. The word counts
 * are checked for either label. */
static void undo_raced_in_a_learning_batch(kd_label label)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE);
    train_all(a, 1);
    kd_model *b = open_model("a.db", KD_OPEN_WRITE);
    kd_comment c = KD_COMMENT_INIT, other = KD_COMMENT_INIT;
    c.text = "Zebrafish quokkas and axolotls";
    other.text = "Pangolins and okapis";
    cr_assert_eq(kd_train_begin(a), 0);
    cr_assert_eq(kd_train_add(a, &c, label, 1), 0);
    cr_assert_eq(kd_train_commit(a), 0, "%s", kd_model_error(a));
    int64_t before[5], after[5];
    totals_of(a, before);
    cr_assert_eq(kd_train_begin(a), 0);
    cr_assert_eq(kd_train_begin(b), 0);
    cr_assert_eq(kd_train_add(a, &c, label, -1), 0, "%s", kd_model_error(a));
    cr_assert_eq(kd_train_add(a, &other, label, 1), 0, "%s", kd_model_error(a));
    cr_assert_eq(kd_train_add(b, &c, label, -1), 0, "%s", kd_model_error(b));
    cr_assert_eq(kd_train_commit(b), 0, "%s", kd_model_error(b));
    cr_assert_eq(kd_train_commit(a), KD_EINVAL, "the second undo was written");
    cr_assert(strstr(kd_model_error(a), "were undone already"), "%s", kd_model_error(a));
    totals_of(a, after); /* b's undo only: one comment of the label fewer */
    int k = label == KD_SPAM ? 0 : 1;
    cr_assert_eq(after[k], before[k] - 1);
    kd_model_close(a);
    kd_model_close(b);
}

Test(model, undo_raced_in_a_batch_that_also_learns_is_refused_at_commit) { undo_raced_in_a_learning_batch(KD_HAM); }
Test(model, a_spam_undo_raced_in_a_batch_that_also_learns_is_refused_at_commit)
{
    undo_raced_in_a_learning_batch(KD_SPAM);
}

/* A foreign ham comment (another site's) with a post id is not part of this site's post:
 * learning it leaves the post's words, and so every relevance score on that post, as they
 * were (README, Comments of other sites): an off-topic comment (0.32) read 0.98 when the
 * foreign comment's words were taken for the post's. */
Test(model, a_foreign_comment_with_a_post_id_leaves_the_post_alone)
{
    kd_model *m = open_model("f.db", KD_OPEN_CREATE);
    train_all(m, 1);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep and worry", "A breathing exercise and a worry journal help sleep."), 0,
                 "%s", kd_model_error(m));
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = "p1";
    c.text = "The carburettor on my motorbike needs a new gasket";
    kd_result r0, r1;
    cr_assert_eq(kd_classify(m, &c, NULL, &r0), 0, "%s", kd_model_error(m));
    kd_comment f = KD_COMMENT_INIT;
    f.post_id = "p1";
    f.text = "Carburettor gasket motorbike carburettor gasket";
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add_ex(m, &f, KD_HAM, 1, KD_TRAIN_FOREIGN), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_classify(m, &c, NULL, &r1), 0, "%s", kd_model_error(m));
    cr_assert(r1.relevance == r0.relevance, "the relevance moved: %.17g, then %.17g", r0.relevance, r1.relevance);
    kd_result_free(&r0);
    kd_result_free(&r1);
    kd_model_close(m);
}

Test(model, merge_of_shards_equals_the_whole)
{
    kd_model *whole = open_model("whole.db", KD_OPEN_CREATE);
    train_all(whole, 1);
    kd_model *a = open_model("a.db", KD_OPEN_CREATE), *b = open_model("b.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_train_begin(a), 0);
    cr_assert_eq(kd_train_begin(b), 0);
    for (size_t i = 0; i < 4; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = spam_texts[i];
        kd_train_add(i < 2 ? a : b, &c, KD_SPAM, 1);
        c.text = ham_texts[i];
        kd_train_add(i < 2 ? b : a, &c, KD_HAM, 1);
    }
    cr_assert_eq(kd_train_commit(a), 0);
    cr_assert_eq(kd_train_commit(b), 0);
    kd_model_close(a);
    kd_model_close(b);
    kd_model *merged = open_model("m.db", KD_OPEN_CREATE);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/a.db", dir);
    snprintf(pb, sizeof pb, "%s/b.db", dir);
    cr_assert_eq(kd_model_merge(merged, pa), 0, "%s", kd_model_error(merged));
    cr_assert_eq(kd_model_merge(merged, pb), 0, "%s", kd_model_error(merged));
    kd_model_stats sw, sm;
    kd_model_stats_get(whole, &sw);
    kd_model_stats_get(merged, &sm);
    cr_assert_eq(sw.spam_messages, sm.spam_messages);
    cr_assert_eq(sw.ham_messages, sm.ham_messages);
    cr_assert_eq(sw.tokens, sm.tokens);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "free crypto pills, subscribe to my channel";
    kd_result rw, rm;
    kd_classify(whole, &c, NULL, &rw);
    kd_classify(merged, &c, NULL, &rm);
    cr_assert_float_eq(rw.spam_score, rm.spam_score, 1e-12);
    kd_result_free(&rw);
    kd_result_free(&rm);
    kd_model_close(whole);
    kd_model_close(merged);
}

Test(model, prune_drops_rare_tokens)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    train_all(m, 1);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "unique zebra words";
    kd_train_begin(m);
    kd_train_add(m, &c, KD_HAM, 1);
    kd_train_commit(m);
    kd_model_stats before, after;
    kd_model_stats_get(m, &before);
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(m, 2, &removed), 0);
    kd_model_stats_get(m, &after);
    cr_assert_gt(removed, 0);
    cr_assert_eq(after.tokens, before.tokens - removed);
    cr_assert_eq(kd_model_pack(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

Test(model, refuses_missing_foreign_and_readonly_writes)
{
    kd_model *m = NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/missing.db", dir);
    cr_assert_neq(kd_model_open(&m, path, KD_OPEN_READONLY), 0);
    cr_assert_not_null(strstr(kd_model_error(m), "missing.db"));
    kd_model_close(m);

    snprintf(path, sizeof path, "%s/other.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), KD_ESCHEMA);
    cr_assert_not_null(strstr(kd_model_error(m), "not a kindly model"));
    kd_model_close(m);

    snprintf(path, sizeof path, "%s/text.db", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a database at all, just some text that is long enough......\n", f);
    fclose(f);
    cr_assert_neq(kd_model_open(&m, path, KD_OPEN_READONLY), 0);
    kd_model_close(m);

    m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    m = open_model("a.db", KD_OPEN_READONLY);
    cr_assert_eq(kd_train_begin(m), KD_EINVAL);
    kd_model_close(m);
}

Test(model, newer_schema_is_refused)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    kd_model_close(m);
    char path[512];
    snprintf(path, sizeof path, "%s/a.db", dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
    sqlite3_close(db);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), KD_ESCHEMA);
    cr_assert_not_null(strstr(kd_model_error(m), "newer"));
    kd_model_close(m);
}

/* A writer that opens a model of an older schema waits for the write lock to upgrade it;
 * a newer kindly that upgraded it meanwhile (two versions at once during an upgrade) left a
 * schema newer than this one: refused as at the open, not written back down to this
 * kindly's version (the newer one would then run its migration again, and fail). */
struct opener {
    char path[512];
    int rc;
    char err[512];
};

static void *open_writer(void *arg)
{
    struct opener *o = arg;
    kd_model *m = NULL;
    o->rc = kd_model_open(&m, o->path, KD_OPEN_WRITE);
    snprintf(o->err, sizeof o->err, "%s", kd_model_error(m));
    kd_model_close(m);
    return NULL;
}

Test(model, a_schema_a_newer_kindly_wrote_while_this_one_waited_is_refused)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    struct opener o = { .rc = -1 };
    snprintf(o.path, sizeof o.path, "%s/a.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(o.path, &db), SQLITE_OK);
    /* schema 7, as the kindly before merge identities left it */
    cr_assert_eq(sqlite3_exec(db, "DROP TABLE merged; DELETE FROM meta WHERE key = 'model_id'; "
                                  "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    /* the newer kindly holds the write lock while it upgrades; this one has read schema 7 */
    cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, open_writer, &o), 0);
    struct timespec pause = { 0, 300 * 1000000L };
    nanosleep(&pause, NULL);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE merged(id INTEGER PRIMARY KEY); CREATE TABLE later(x); "
                                  "PRAGMA user_version = 9; COMMIT", NULL, NULL, NULL), SQLITE_OK);
    pthread_join(t, NULL);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    cr_expect_eq(v, 9, "the newer kindly's schema 9 was written down to %d", v);
    cr_expect_eq(o.rc, KD_ESCHEMA, "open: %d, %s", o.rc, o.err);
    cr_expect_not_null(strstr(o.err, "newer than this kindly"), "%s", o.err);
}

Test(model, abort_leaves_the_model_untouched)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_stats before, after;
    kd_model_stats_get(m, &before);
    kd_train_begin(m);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "something new entirely";
    kd_train_add(m, &c, KD_SPAM, 1);
    kd_train_abort(m);
    kd_model_stats_get(m, &after);
    cr_assert_eq(before.tokens, after.tokens);
    cr_assert_eq(before.spam_messages, after.spam_messages);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), KD_EINVAL);
    kd_model_close(m);
}

/* The words of approved comments per post (post_terms) are written in the transaction of the
 * token counts: when that write fails, the counts are not committed either. */
Test(model, counts_and_post_words_are_written_together)
{
    kd_model *m = open_model("t.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_stats before, after;
    kd_model_stats_get(m, &before);
    char path[512];
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "DROP TABLE post_terms", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "Breathing slowly before bed helped my sleep a lot";
    c.post_id = "sleep";
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0, "%s", kd_model_error(m));
    cr_assert_neq(kd_train_commit(m), 0);
    cr_assert(strstr(kd_model_error(m), "posts' comments"), "%s", kd_model_error(m));
    kd_model_stats_get(m, &after);
    cr_assert_eq(after.ham_messages, before.ham_messages);
    cr_assert_eq(after.tokens, before.tokens);
    kd_model_close(m);
}

/* A flag bit kindly does not define is a caller built for another version: refused. */
Test(model, unknown_open_flags_are_refused)
{
    char path[512];
    snprintf(path, sizeof path, "%s/f.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE | 0x100), KD_EINVAL);
    cr_assert_not_null(strstr(kd_model_error(m), "unknown open flags 0x100"), "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_neq(access(path, F_OK), 0, "nothing was created");
    m = open_model("f.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    kd_model_close(m);
}

/* As kd_classify: no text is a caller's mistake (and must not count a message); an empty
 * text is a comment, its metadata learnt. */
Test(model, train_add_refuses_a_comment_without_text)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), KD_EINVAL);
    cr_assert_not_null(strstr(kd_model_error(m), "kd_train_add: the comment's text is NULL"));
    cr_assert_eq(kd_train_add(m, NULL, KD_SPAM, 1), KD_EINVAL);
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), KD_EINVAL);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 0, "no message was counted");
    cr_assert_eq(kd_train_begin(m), 0);
    c.text = "";
    c.url = "http://pills.example.shop";
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 1);
    kd_model_close(m);
}

/* A history batch holds a write transaction between calls: training, pruning and packing on
 * the same handle commit its pending comments first, write their own, and the batch goes
 * on (its later comments are committed by the flush). */
Test(model, writes_during_a_history_batch_commit_it_first)
{
    kd_model *m = open_model("b.db", KD_OPEN_CREATE);
    train_all(m, 1);
    cr_assert_eq(kd_history_batch_begin(m), 0);
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment c = KD_COMMENT_INIT;
    c.id = "h1";
    c.text = "A remembered comment about morning walks and better sleep";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    kd_model_stats before, after;
    cr_assert_eq(kd_model_stats_get(m, &before), 0);
    train_all(m, 1); /* kd_train_commit inside: the deltas are written */
    cr_assert_eq(kd_model_stats_get(m, &after), 0);
    cr_assert_eq(after.spam_messages, before.spam_messages + 4);
    c.id = "h2";
    c.text = "Another remembered comment, this one about journaling at night";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    uint64_t removed;
    cr_assert_eq(kd_model_prune(m, 1, &removed), 0, "%s", kd_model_error(m));
    c.id = "h3";
    c.text = "A third remembered comment on breathing exercises before bed";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    cr_assert_eq(kd_history_flush(m), 0, "%s", kd_model_error(m));
    kd_history_stats hs;
    cr_assert_eq(kd_history_stats_get(m, &hs), 0);
    cr_assert_eq(hs.comments, 3);
    cr_assert_eq(kd_history_batch_begin(m), 0);
    c.id = "h4";
    c.text = "A fourth one, remembered just before the model is packed";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    cr_assert_eq(kd_model_pack(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    m = open_model("b.db", KD_OPEN_READONLY);
    cr_assert_eq(kd_history_stats_get(m, &hs), 0);
    cr_assert_eq(hs.comments, 4);
    kd_model_close(m);
}

/* Packing needs the only connection to the file: with a reader open it fails at once, and
 * says why and what to do. */
Test(model, pack_with_a_reader_open_says_why)
{
    kd_model *m = open_model("p.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model *reader = open_model("p.db", KD_OPEN_READONLY);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(reader, &st), 0);
    cr_assert_eq(kd_model_pack(m), KD_EBUSY);
    cr_assert_not_null(strstr(kd_model_error(m), "while another process, or another handle of this one, has it open"),
                       "%s", kd_model_error(m));
    cr_assert_not_null(strstr(kd_model_error(m), "p.db"), "%s", kd_model_error(m));
    kd_model_close(reader);
    cr_assert_eq(kd_model_pack(m), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

/* The bayes score of text under m (no rules, no other stage). */
static double bayes_of(kd_model *m, const char *text)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    kd_options o = KD_OPTIONS_INIT;
    o.dup_threshold = -1;
    o.offtopic_threshold = -1;
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    double b = r.bayes_score;
    kd_result_free(&r);
    return b;
}

/* w learns text n times as label; r, refreshed, scores probe as a handle opened afresh does.
 * Returns that score. */
static double learn_then_compare(kd_model *w, kd_model *r, const char *text, kd_label label, int n,
                                 const char *probe)
{
    cr_assert_eq(kd_train_begin(w), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    for (int k = 0; k < n; k++)
        cr_assert_eq(kd_train_add(w, &c, label, 1), 0);
    cr_assert_eq(kd_train_commit(w), 0, "%s", kd_model_error(w));
    cr_assert_eq(kd_model_refresh(r, NULL), 0);
    kd_model *fresh = open_model("big.db", KD_OPEN_PRELOAD | KD_OPEN_READONLY);
    double now = bayes_of(r, probe), want = bayes_of(fresh, probe);
    cr_assert_float_eq(now, want, 1e-12, "%f, afresh %f", now, want);
    kd_model_close(fresh);
    return now;
}

/* m learns 3000 comments of 20 distinct words each: about 120k tokens, above the size at
 * which a preloaded handle caches after another writer's change. */
static void train_large(kd_model *m)
{
    cr_assert_eq(kd_train_begin(m), 0);
    char text[400];
    for (int i = 0; i < 3000; i++) { /* 20 distinct words a comment: about 120k tokens */
        int n = 0;
        for (int k = 0; k < 20; k++)
            n += snprintf(text + n, sizeof text - (size_t)n, "w%dx%d ", i, k);
        kd_comment c = KD_COMMENT_INIT;
        c.text = text;
        cr_assert_eq(kd_train_add(m, &c, i % 2 ? KD_SPAM : KD_HAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

/* A preloaded handle of a large model does not re-read every count when another handle
 * changes them (a server's workers after each report): it looks up what it needs, and
 * what it looked up before the change is not used after it. Its scores stay those of a
 * handle opened afresh. */
Test(model, preloaded_large_model_follows_changes_without_rereading)
{
    kd_model *w = open_model("big.db", KD_OPEN_CREATE);
    train_large(w);
    train_all(w, 1);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(w, &st), 0);
    cr_assert_gt(st.tokens, 50000);
    kd_model *r = open_model("big.db", KD_OPEN_PRELOAD | KD_OPEN_READONLY);
    const char *probe = "Buy cheap pills online now, I started journaling w0x1 w1x1";
    double before = bayes_of(r, probe);
    for (int round = 0; round < 3; round++) {
        double now = learn_then_compare(w, r, "I started journaling and the pills w0x1 helped, thank you", KD_HAM, 5,
                                        probe);
        cr_assert_lt(now, before, "round %d: the ham learnt did not lower the score", round);
        before = now;
    }
    /* the model shrinks below the size at which handles cache (a prune, an undo): a handle
     * that caches goes on emptying its cache at each change */
    uint64_t removed = 0;
    cr_assert_eq(kd_model_prune(w, 2, &removed), 0, "%s", kd_model_error(w));
    cr_assert_eq(kd_model_stats_get(w, &st), 0);
    cr_assert_lt(st.tokens, 50000);
    cr_assert_eq(kd_model_refresh(r, NULL), 0);
    (void)bayes_of(r, probe);
    learn_then_compare(w, r, "Buy cheap pills online now, order the pills today", KD_SPAM, 20, probe);
    kd_model_close(r);
    kd_model_close(w);
}

/* A handle that looks counts up on demand read the new counts of another handle's commit
 * with the totals it loaded at open: a score of neither model (0.9923 where the model
 * before gave 0.9419 and the one after 0.9791). It now reads both from one snapshot. */
Test(model, on_demand_handle_reads_counts_and_totals_of_one_commit)
{
    kd_model *w = open_model("od.db", KD_OPEN_CREATE);
    train_all(w, 1);
    kd_model *r = open_model("od.db", KD_OPEN_READONLY);
    const char *probe = "cheap pills and free giveaways, thank you";
    double before = bayes_of(r, probe);
    cr_assert_eq(kd_train_begin(w), 0);
    for (int k = 0; k < 5; k++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = ham_texts[k % 4];
        cr_assert_eq(kd_train_add(w, &c, KD_HAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(w), 0, "%s", kd_model_error(w));
    kd_model *fresh = open_model("od.db", KD_OPEN_READONLY);
    double now = bayes_of(r, probe), want = bayes_of(fresh, probe);
    cr_assert_float_eq(now, want, 1e-12, "on demand %f, afresh %f (before the commit %f)", now, want, before);
    cr_assert(fabs(want - before) > 1e-6, "the commit changed nothing to compare");
    kd_model_close(fresh);
    kd_model_close(r);
    kd_model_close(w);
}

/* kd_classify on an on-demand handle reads all its stages (Bayes, history, posts, each
 * relevance lookup) in one read transaction, ended before it returns: no snapshot is held
 * between calls (the next call sees another handle's commit, in every stage), and a
 * comment remembered by a writable on-demand handle is written (its write transaction is
 * not begun inside a read). */
static kd_result classify_all(kd_model *m, const char *text, int remember)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    c.id = remember ? "r1" : NULL;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = remember;
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    cr_assert(sqlite3_get_autocommit(kd_store_db(m->store)), "a transaction is left open after kd_classify");
    return r;
}

Test(model, on_demand_classify_holds_no_snapshot_between_calls)
{
    kd_model *w = open_model("snap.db", KD_OPEN_CREATE);
    train_all(w, 1);
    kd_model *r = open_model("snap.db", KD_OPEN_READONLY);
    const char *probe = "cheap pills and free giveaways, thank you for the journaling post";
    kd_result before = classify_all(r, probe, 0);
    cr_assert_geq(before.relevance, 0, "relevance was not run");
    train_all(w, 1);
    kd_model *fresh = open_model("snap.db", KD_OPEN_READONLY);
    kd_result now = classify_all(r, probe, 0), want = classify_all(fresh, probe, 0);
    cr_assert_float_eq(now.bayes_score, want.bayes_score, 1e-12);
    cr_assert_float_eq(now.relevance, want.relevance, 1e-12, "relevance read %f, afresh %f", now.relevance,
                       want.relevance);
    cr_assert(fabs(want.bayes_score - before.bayes_score) > 1e-9, "the commit changed nothing to compare");
    kd_result_free(&before);
    kd_result_free(&now);
    kd_result_free(&want);
    kd_model_close(fresh);
    kd_model_close(r);

    kd_result kept = classify_all(w, probe, 1); /* remembered, on demand, writable */
    kd_result_free(&kept);
    kd_model *again = open_model("snap.db", KD_OPEN_READONLY);
    kd_comment c = KD_COMMENT_INIT;
    c.text = probe;
    c.id = "r2";
    kd_result dup;
    cr_assert_eq(kd_classify(again, &c, NULL, &dup), 0, "%s", kd_model_error(again));
    cr_assert_not_null(dup.duplicate_of, "the remembered comment was not written");
    cr_assert_str_eq(dup.duplicate_of, "r1");
    kd_result_free(&dup);
    kd_model_close(again);
    kd_model_close(w);
}

/* A NULL out is refused (it was written through), and a path is a file name even when it
 * begins with "file:" (SQLite read it as a URI: "file:x.db?mode=memory" opened an
 * in-memory model, past the checks made on the path). */
Test(model, null_out_and_file_uri_paths)
{
    cr_assert_eq(kd_model_open(NULL, "x.db", KD_OPEN_CREATE), KD_EINVAL);
    cr_assert_eq(chdir(dir), 0);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, "file:x.db?mode=memory", KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    train_all(m, 1);
    kd_model_close(m);
    struct stat sb;
    cr_assert_eq(stat("file:x.db?mode=memory", &sb), 0, "the model is not the file its path names");
    cr_assert_gt(sb.st_size, 0);
    cr_assert_eq(kd_model_open(&m, "file:x.db?mode=memory", KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 4);
    kd_model_close(m);
}

/* Only a regular file is a model: a FIFO hung the open (SQLite waited for a writer), a
 * device got a journal beside it (/dev/null-journal), a directory read as "disk I/O error". */
Test(model, only_a_regular_file_is_opened, .timeout = 10)
{
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/f.db", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    const char *paths[] = { fifo, "/dev/null", dir };
    const char *why[] = { "not a regular file", "not a regular file", "is a directory" };
    for (int i = 0; i < 3; i++)
        for (unsigned flags = KD_OPEN_READONLY; flags <= KD_OPEN_CREATE; flags++) {
            kd_model *m = NULL;
            cr_assert_eq(kd_model_open(&m, paths[i], flags), KD_EIO, "%s", paths[i]);
            cr_assert_not_null(strstr(kd_model_error(m), why[i]), "%s", kd_model_error(m));
            kd_model_close(m);
        }
    struct stat sb;
    cr_assert_neq(stat("/dev/null-journal", &sb), 0);
}

/* The number of spam messages of the model file at path, read afresh. */
static uint64_t spam_in(const char *name)
{
    kd_model *m = open_model(name, KD_OPEN_READONLY);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    kd_model_close(m);
    return st.spam_messages;
}

/* A retrained copy moved over a model a server has open: the server's later writes went to
 * the file no path names any more (feedback lost, and the command said it was learnt).
 * They are refused instead, and kd_model_replaced() tells. */
Test(model, a_model_replaced_while_open_is_not_written)
{
    kd_model *w = open_model("live.db", KD_OPEN_CREATE);
    train_all(w, 1);
    kd_model *c = open_model("copy.db", KD_OPEN_CREATE);
    train_all(c, 1);
    train_all(c, 1);
    kd_model_close(c);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/copy.db", dir);
    snprintf(to, sizeof to, "%s/live.db", dir);
    cr_assert_eq(kd_model_replaced(w), 0);
    cr_assert_eq(rename(from, to), 0);
    cr_assert_eq(kd_model_replaced(w), 1);
    cr_assert_eq(kd_train_begin(w), 0);
    kd_comment cm = KD_COMMENT_INIT;
    cm.text = "one more spam comment for the old file";
    cr_assert_eq(kd_train_add(w, &cm, KD_SPAM, 1), 0);
    cr_assert_eq(kd_train_commit(w), KD_EIO);
    cr_assert_not_null(strstr(kd_model_error(w), "removed or replaced"), "%s", kd_model_error(w));
    kd_comment f = KD_COMMENT_INIT;
    f.id = "f1";
    f.text = "feedback after the model was replaced";
    cr_assert_eq(kd_feedback(w, &f, KD_SPAM, 0, NULL), KD_EIO);
    cr_assert_not_null(strstr(kd_model_error(w), "removed or replaced"), "%s", kd_model_error(w));
    cr_assert_float_eq(bayes_of(w, spam_texts[0]), bayes_of(w, spam_texts[0]), 1e-12, "it still reads");
    kd_model_close(w);
    /* w's -wal, under live.db's name, held the pages w committed before the move: SQLite
     * leaves a moved file's log at close, and the new file read as w's (4 spam, not 8) */
    uint64_t n = spam_in("live.db");
    cr_assert_eq(n, 8, "the new file reads as itself: %llu spam", (unsigned long long)n);
}

/* A command that created a model and learnt nothing removes it, deciding under the write
 * lock: a model another writer has put something in is kept, and a writer whose file was
 * removed before its commit gets an error, not a commit into a file no path names (two
 * `kindly train` of one new model at once lost the second's counts, exit 0). */
Test(model, remove_if_empty_and_the_writer_it_races)
{
    kd_model *a = open_model("new.db", KD_OPEN_CREATE);
    kd_model *b = open_model("new.db", KD_OPEN_CREATE);
    train_all(b, 1);
    int removed = -1;
    cr_assert_eq(kd_model_remove_if_empty(a, &removed), 0, "%s", kd_model_error(a));
    cr_assert_eq(removed, 0, "b's counts are in it");
    kd_model_close(a);
    kd_model_close(b);
    cr_assert_eq(spam_in("new.db"), 4);

    a = open_model("new2.db", KD_OPEN_CREATE);
    b = open_model("new2.db", KD_OPEN_CREATE);
    cr_assert_eq(kd_train_begin(b), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[0];
    cr_assert_eq(kd_train_add(b, &c, KD_SPAM, 1), 0);
    cr_assert_eq(kd_model_remove_if_empty(a, &removed), 0, "%s", kd_model_error(a));
    cr_assert_eq(removed, 1);
    kd_model_close(a);
    char p[512];
    snprintf(p, sizeof p, "%s/new2.db", dir);
    cr_assert_neq(access(p, F_OK), 0, "removed");
    cr_assert_eq(kd_train_commit(b), KD_EIO);
    cr_assert_not_null(strstr(kd_model_error(b), "removed or replaced"), "%s", kd_model_error(b));
    kd_model_close(b);
    cr_assert_neq(access(p, F_OK), 0, "nothing recreated it");
}

/* A damaged total (a negative message count: writes clamp at zero, a hand edit or a bad page
 * does not) is reported as 0, as a token count of the kind is, not wrapped round to
 * 18446744073709551611 (kindly info printed that) */
Test(model, stats_of_a_negative_total_are_zero_not_wrapped)
{
    kd_model *m = open_model("neg.db", KD_OPEN_CREATE);
    train_all(m, +1);
    kd_model_close(m);
    char path[512];
    snprintf(path, sizeof path, "%s/neg.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE meta SET value = -5 WHERE key = 'spam_messages'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    m = open_model("neg.db", KD_OPEN_READONLY);
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0, "%s", kd_model_error(m));
    cr_assert_eq(st.spam_messages, 0, "got %llu", (unsigned long long)st.spam_messages);
    cr_assert_eq(st.ham_messages, 4);
    kd_model_close(m);
}

/* kd_model_prune that cannot write (another process holds the write lock) names the model
 * and what to do, as every other write does; it said only "cannot prune: database is locked" */
Test(model, prune_that_cannot_write_names_the_model)
{
    kd_model *m = open_model("lock.db", KD_OPEN_CREATE);
    train_all(m, +1);
    char path[512];
    snprintf(path, sizeof path, "%s/lock.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES('held', 1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(kd_store_db(m->store), 50); /* not the 10 s a real one waits */
    uint64_t removed = 9;
    cr_assert_eq(kd_model_prune(m, 2, &removed), KD_EBUSY, "%s", kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "cannot prune the tokens in model ") && strstr(kd_model_error(m), "lock.db: "),
              "%s", kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "database is locked (another process held its write lock"), "%s",
              kd_model_error(m));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    kd_model_close(m);
}

/* A merge into a model another process holds the write lock of names the output and what to
 * do, as a prune does; it said only "cannot merge: database is locked" */
Test(model, merge_that_cannot_write_names_the_output)
{
    kd_model *in = open_model("in.db", KD_OPEN_CREATE);
    train_all(in, +1);
    kd_model_close(in);
    kd_model *m = open_model("out.db", KD_OPEN_CREATE);
    train_all(m, +1);
    char path[512], inpath[512];
    snprintf(path, sizeof path, "%s/out.db", dir);
    snprintf(inpath, sizeof inpath, "%s/in.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES('held', 1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(kd_store_db(m->store), 50); /* not the 10 s a real one waits */
    const char *paths[] = { inpath };
    cr_assert_eq(kd_model_merge_all(m, paths, 1), KD_EBUSY, "%s", kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "cannot merge in model ") && strstr(kd_model_error(m), "out.db: "), "%s",
              kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "database is locked (another process held its write lock"), "%s",
              kd_model_error(m));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    kd_model_close(m);
}

/* The counts read into memory (kd_store_load_all, kd_store_foreign_load_all) are the rows as
 * stored, in the values sqlite3_column_int64 gives: hash 0, negative hashes, counts past 32
 * bits and a count stored as text. The function that files them (kd_load_row) is not for a
 * model file's views: one calling it is refused, and fills nothing. */
Test(model, load_all_reads_every_row_as_stored)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    sql_on_model("DELETE FROM tokens; DELETE FROM foreign_ham;"
                 "INSERT INTO tokens VALUES(0, 1, 2), (-5, 3, 4), (9223372036854775807, 5000000000, 6), (7, '12', 8);"
                 "INSERT INTO foreign_ham VALUES(-5, 4), (7, 6000000000);"
                 "CREATE VIEW sneaky AS SELECT kd_load_row(99, 1, 1);");
    char path[512];
    snprintf(path, sizeof path, "%s/a.db", dir);
    kd_store *s = NULL;
    char err[256] = "";
    cr_assert_eq(kd_store_open(&s, path, KD_OPEN_READONLY, err, sizeof err), 0, "%s", err);
    kd_tokmap t = KD_TOKMAP_INIT, f = KD_TOKMAP_INIT;
    cr_assert_eq(kd_store_load_all(s, &t), 0, "%s", kd_store_errmsg(s));
    cr_assert_eq(t.n, 4);
    static const struct { uint64_t h; int64_t spam, ham; } want[] = {
        { 0, 1, 2 }, { (uint64_t)-5, 3, 4 }, { 9223372036854775807ull, 5000000000, 6 }, { 7, 12, 8 },
    };
    for (size_t i = 0; i < 4; i++) {
        const kd_counts *c = kd_tokmap_get(&t, want[i].h);
        cr_assert(c, "row %zu missing", i);
        cr_assert_eq(c->spam, want[i].spam, "row %zu", i);
        cr_assert_eq(c->ham, want[i].ham, "row %zu", i);
    }
    cr_assert_eq(kd_store_foreign_load_all(s, &f), 0, "%s", kd_store_errmsg(s));
    cr_assert_eq(f.n, 2);
    cr_assert_eq(kd_tokmap_get(&f, (uint64_t)-5)->ham, 4);
    cr_assert_eq(kd_tokmap_get(&f, 7)->ham, 6000000000);

    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(kd_store_db(s), "SELECT * FROM sneaky", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    cr_assert(rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE, "a view called kd_load_row (%d)", rc);
    cr_assert_eq(t.n, 4);
    cr_assert_null(kd_tokmap_get(&t, 99));
    kd_tokmap_free(&t);
    kd_tokmap_free(&f);
    kd_store_close(s);
}

/* ---- a preloaded handle's own commits ------------------------------------------------ */

/* m's counts in memory (every token's, and the foreign shares) and totals are those of a
 * preloaded handle opened afresh on dir/name, token for token. */
static void same_as_fresh(kd_model *m, const char *name, const char *when)
{
    kd_model *f = open_model(name, KD_OPEN_PRELOAD | KD_OPEN_READONLY);
    cr_assert(m->preloaded && !m->cached, "%s: the handle no longer holds every count", when);
    const kd_tokmap *maps[2][2] = { { &m->counts, &f->counts }, { &m->foreign, &f->foreign } };
    for (int k = 0; k < 2; k++) {
        const kd_tokmap *mine = maps[k][0], *want = maps[k][1];
        cr_assert_eq(mine->n, want->n, "%s: %zu %s in memory, %zu in the file", when, mine->n,
                     k ? "foreign shares" : "tokens", want->n);
        for (size_t i = 0; i < want->cap; i++) {
            if (!want->keys[i])
                continue;
            const kd_counts *c = kd_tokmap_get(mine, want->keys[i]);
            cr_assert(c, "%s: token %#llx is stored but not in memory", when, (unsigned long long)want->keys[i]);
            cr_assert(c->spam == want->vals[i].spam && c->ham == want->vals[i].ham,
                      "%s: token %#llx is %lld/%lld in memory, %lld/%lld stored", when,
                      (unsigned long long)want->keys[i], (long long)c->spam, (long long)c->ham,
                      (long long)want->vals[i].spam, (long long)want->vals[i].ham);
        }
    }
    cr_assert_eq(memcmp(&m->totals, &f->totals, sizeof m->totals), 0, "%s: the totals differ", when);
    cr_assert_eq(m->counts_generation, f->counts_generation, "%s", when);
    kd_model_close(f);
}

/* One batch of m: text learnt (delta 1) or taken back (-1) with label, n times. */
static void learn_n(kd_model *m, const char *text, kd_label label, int delta, int n, unsigned flags)
{
    cr_assert_eq(kd_train_begin(m), 0, "%s", kd_model_error(m));
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    for (int k = 0; k < n; k++)
        cr_assert_eq(kd_train_add_ex(m, &c, label, delta, flags), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

/* After each of its own commits (learning, an undo, feedback that relabels, words new to the
 * model, words an undo takes to zero and so out of the file, an undo that empties the rows
 * another kindly left at zero, foreign ham) and after a refused one, a preloaded writing
 * handle holds exactly the counts a handle opened afresh reads. */
Test(model, own_commits_leave_the_counts_a_fresh_open_reads)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(m, 1);
    same_as_fresh(m, "a.db", "trained");
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    same_as_fresh(m, "a.db", "words new to the model learnt");
    learn_n(m, ham_texts[0], KD_HAM, 1, 2, 0);
    same_as_fresh(m, "a.db", "known words learnt");
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, -1, 1, 0);
    cr_assert_null(kd_tokmap_get(&m->counts, kd_hash64("quokkas", 7)), "a word taken to zero is still counted");
    same_as_fresh(m, "a.db", "undone to zero");
    learn_n(m, ham_texts[0], KD_HAM, -1, 1, 0);
    same_as_fresh(m, "a.db", "undone, not to zero");

    /* feedback: learnt as spam, then relabelled ham (spam taken back, ham learnt), undone */
    kd_comment c = KD_COMMENT_INIT;
    c.id = "c1";
    c.text = "Okapis and pangolins, cheap pills";
    int changed = 0;
    cr_assert_eq(kd_feedback(m, &c, KD_SPAM, 0, &changed), 0, "%s", kd_model_error(m));
    same_as_fresh(m, "a.db", "feedback spam");
    cr_assert_eq(kd_feedback(m, &c, KD_HAM, 0, &changed), 0, "%s", kd_model_error(m));
    cr_assert_eq(changed, 2);
    same_as_fresh(m, "a.db", "feedback relabelled ham");
    cr_assert_eq(kd_feedback(m, &c, KD_HAM, 1, &changed), 0, "%s", kd_model_error(m));
    same_as_fresh(m, "a.db", "feedback undone");

    /* rows at zero another kindly left (and a commit that says so): an undo deletes every
     * row at zero, not only its own */
    sql_on_model("INSERT INTO tokens VALUES(4242, 0, 0), (4243, 0, 0);"
                 "UPDATE meta SET value = value + 1 WHERE key IN ('generation', 'vocab');"
                 "UPDATE meta SET value = value + 1 WHERE key = 'vocab'");
    cr_assert_eq(kd_model_refresh(m, NULL), 0, "%s", kd_model_error(m));
    same_as_fresh(m, "a.db", "rows at zero read");
    learn_n(m, "Narwhals sing", KD_SPAM, 1, 1, 0);
    same_as_fresh(m, "a.db", "learnt beside rows at zero");
    learn_n(m, "Narwhals sing", KD_SPAM, -1, 1, 0);
    cr_assert_null(kd_tokmap_get(&m->counts, 4242), "a row at zero is still counted");
    same_as_fresh(m, "a.db", "undone beside rows at zero");

    /* foreign ham, and an undo of it as the site's own: refused after the counts were
     * written, rolled back */
    learn_n(m, "Tardigrades survive vacuum", KD_HAM, 1, 1, KD_TRAIN_FOREIGN);
    same_as_fresh(m, "a.db", "foreign ham learnt");
    cr_assert_gt(m->foreign.n, 0);
    cr_assert_eq(kd_train_begin(m), 0);
    c = (kd_comment)KD_COMMENT_INIT;
    c.text = "Tardigrades survive vacuum";
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, -1), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), KD_EINVAL, "an undo of foreign ham as the site's own was written");
    same_as_fresh(m, "a.db", "a refused undo");
    learn_n(m, "Tardigrades survive vacuum", KD_HAM, -1, 1, KD_TRAIN_FOREIGN);
    same_as_fresh(m, "a.db", "foreign ham undone");
    kd_model_close(m);
}

/* Counts the statements that read every token's counts (kd_store_load_all). */
static int count_full_reads(unsigned type, void *ud, void *p, void *x)
{
    (void)type;
    (void)x;
    const char *q = sqlite3_sql(p);
    if (q && strstr(q, "FROM tokens WHERE kd_load_row"))
        ++*(int *)ud;
    return 0;
}

/* A preloaded handle that writes (the server's, learning from feedback) does not read every
 * count again after its own commit: it adds what it wrote to what it holds. Another
 * handle's commit, before its next refresh or before its own commit, is read whole, as
 * before; so is a commit of its own that follows one of another's. */
Test(model, own_commits_are_not_read_again)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(m, 1);
    int reads = 0;
    sqlite3_trace_v2(kd_store_db(m->store), SQLITE_TRACE_STMT, count_full_reads, &reads);
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, -1, 1, 0);
    kd_comment c = KD_COMMENT_INIT;
    c.id = "c1";
    c.text = "Okapis and pangolins, cheap pills";
    cr_assert_eq(kd_feedback(m, &c, KD_SPAM, 0, NULL), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_feedback(m, &c, KD_HAM, 0, NULL), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_refresh(m, NULL), 0);
    cr_assert_eq(reads, 0, "own commits read every count %d times", reads);
    same_as_fresh(m, "a.db", "after own commits");

    kd_model *w = open_model("a.db", KD_OPEN_WRITE);
    learn_n(w, "Narwhals sing", KD_SPAM, 1, 1, 0);
    cr_assert_eq(kd_model_refresh(m, NULL), 0);
    cr_assert_eq(reads, 1, "another handle's commit read %d times", reads);
    same_as_fresh(m, "a.db", "after another handle's commit");

    learn_n(w, "Narwhals sing", KD_SPAM, -1, 1, 0); /* not refreshed: m's own commit follows */
    learn_n(m, "Belugas sing too", KD_HAM, 1, 1, 0);
    cr_assert_eq(reads, 2, "a commit after another handle's read %d times", reads);
    same_as_fresh(m, "a.db", "an own commit after another handle's");
    kd_model_close(w);
    kd_model_close(m);
}

/* The same for a model above the size at which another writer's commit makes a preloaded
 * handle cache what it looks up: its own commits keep every count in memory, as a fresh
 * open reads them; another handle's commit makes it cache, as before. */
Test(model, own_commits_keep_a_large_model_preloaded)
{
    kd_model *m = open_model("big.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_large(m);
    cr_assert_gt(m->totals.vocab, 50000);
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    same_as_fresh(m, "big.db", "a large model, learnt");
    learn_n(m, "Zebrafish quokkas and axolotls, thank you", KD_HAM, -1, 1, 0);
    same_as_fresh(m, "big.db", "a large model, undone");
    kd_model *w = open_model("big.db", KD_OPEN_WRITE);
    learn_n(w, "Narwhals sing", KD_SPAM, 1, 1, 0);
    cr_assert_eq(kd_model_refresh(m, NULL), 0);
    cr_assert(m->cached && !m->preloaded, "another handle's commit did not make the handle cache");
    kd_model_close(w);
    kd_model_close(m);
}

/* ---- the commits of one handle, taken by the others of the process (deltas.c) ---------- */

/* Refresh m and check that it read every count `want` times in all (reads counted since
 * the trace was set) and holds what a fresh open reads. */
static void refreshed(kd_model *m, const int *reads, int want, const char *when)
{
    cr_assert_eq(kd_model_refresh(m, NULL), 0, "%s: %s", when, kd_model_error(m));
    cr_assert_eq(*reads, want, "%s: every count read %d times, not %d", when, *reads, want);
    same_as_fresh(m, "a.db", when);
}

/* Other preloaded handles of this process on the file add a handle's commits to what they
 * hold, as it did: after each, or a chain of several; and read whole, as before, when a
 * commit not made by such a handle is among them (another connection's, another program's),
 * when the tokens would not be as many as the file's (rows at zero that an undo deleted),
 * or when the chain is longer than the commits kept. */
Test(model, other_handles_take_a_handles_commits_instead_of_reading_every_count)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(a, 1);
    kd_model *b = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    kd_model *c = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    int rb = 0, rc = 0;
    sqlite3_trace_v2(kd_store_db(b->store), SQLITE_TRACE_STMT, count_full_reads, &rb);
    sqlite3_trace_v2(kd_store_db(c->store), SQLITE_TRACE_STMT, count_full_reads, &rc);

    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    refreshed(b, &rb, 0, "words new to the model");
    learn_n(a, ham_texts[0], KD_HAM, 1, 2, 0);
    refreshed(b, &rb, 0, "known words");
    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, -1, 1, 0);
    cr_assert_eq(kd_model_refresh(b, NULL), 0);
    cr_assert_null(kd_tokmap_get(&b->counts, kd_hash64("quokkas", 7)), "a word taken to zero is still counted");
    refreshed(b, &rb, 0, "undone to zero");
    kd_comment k = KD_COMMENT_INIT;
    k.id = "c1";
    k.text = "Okapis and pangolins, cheap pills";
    cr_assert_eq(kd_feedback(a, &k, KD_SPAM, 0, NULL), 0, "%s", kd_model_error(a));
    cr_assert_eq(kd_feedback(a, &k, KD_HAM, 0, NULL), 0, "%s", kd_model_error(a));
    refreshed(b, &rb, 0, "feedback, relabelled");
    refreshed(c, &rc, 0, "a chain of five commits");
    learn_n(b, "Belugas sing too", KD_SPAM, 1, 1, 0);
    int ra = 0;
    sqlite3_trace_v2(kd_store_db(a->store), SQLITE_TRACE_STMT, count_full_reads, &ra);
    cr_assert_eq(kd_model_refresh(a, NULL), 0);
    cr_assert_eq(ra, 0, "the other way round");
    same_as_fresh(a, "a.db", "the other way round");

    /* another connection's commit among them, and another program's */
    kd_model *w = open_model("a.db", KD_OPEN_WRITE);
    learn_n(a, "Narwhals sing", KD_SPAM, 1, 1, 0);
    learn_n(w, "Narwhals sing", KD_SPAM, 1, 1, 0);
    learn_n(a, "Narwhals sing", KD_SPAM, 1, 1, 0);
    refreshed(b, &rb, 1, "another connection's commit in the chain");
    sql_on_model("INSERT INTO tokens VALUES(4242, 0, 0), (4243, 0, 0);"
                 "UPDATE meta SET value = value + 1 WHERE key IN ('generation', 'vocab');"
                 "UPDATE meta SET value = value + 1 WHERE key = 'vocab'");
    refreshed(b, &rb, 2, "another program's commit");
    learn_n(a, "Narwhals sing", KD_SPAM, -1, 1, 0); /* deletes the rows at zero too */
    refreshed(b, &rb, 3, "an undo that deleted rows at zero it did not count");
    cr_assert_null(kd_tokmap_get(&b->counts, 4242), "a row at zero is still counted");

    /* more commits than are kept */
    rc = 0;
    for (int i = 0; i < 9; i++)
        learn_n(a, ham_texts[1], KD_HAM, i % 2 ? -1 : 1, 1, 0);
    refreshed(c, &rc, 1, "a chain longer than the commits kept");
    kd_model_close(w);
    kd_model_close(c);
    kd_model_close(b);
    kd_model_close(a);
}

/* Write the file `name` of the test directory over a.db in place, as sqlite3's .restore
 * does (the backup API, through a connection of its own: the handles see a commit). */
static void restore_over_model(const char *name)
{
    char path[512], from[512];
    snprintf(path, sizeof path, "%s/a.db", dir);
    snprintf(from, sizeof from, "%s/%s", dir, name);
    sqlite3 *db = NULL, *src = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_open(from, &src), SQLITE_OK);
    sqlite3_backup *b = sqlite3_backup_init(db, "main", src, "main");
    cr_assert(b, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_backup_step(b, -1), SQLITE_DONE, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_backup_finish(b), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(src);
    sqlite3_close(db);
}

/* a.db trained, opened preloaded (returned), and its copy old.db as it is now */
static kd_model *trained_and_copied(void)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(a, 1);
    char q[600];
    snprintf(q, sizeof q, "VACUUM INTO '%s/old.db'", dir);
    sql_on_model(q);
    return a;
}

/* Refresh m, which then holds what a fresh open reads. */
static void refreshed_as_fresh(kd_model *m, const char *when)
{
    cr_assert_eq(kd_model_refresh(m, NULL), 0, "%s: %s", when, kd_model_error(m));
    same_as_fresh(m, "a.db", when);
}

/* An older copy of the model written over it in place, which another program then taught
 * something else: the file's generations run again, over other counts. The commits this
 * process's handles made before are of another history: a handle holding counts of it, or
 * counts from before them, takes none of them, nor one made since on top of the other
 * history, and reads whole, holding what a fresh open reads. */
Test(model, other_handles_take_no_commit_of_a_history_the_file_went_back_on)
{
    kd_model *a = trained_and_copied();
    kd_model *b = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    kd_model *c = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    refreshed_as_fresh(b, "before the older copy");

    restore_over_model("old.db");
    kd_model *w = open_model("a.db", KD_OPEN_WRITE); /* another program: the same words, as spam */
    learn_n(w, "Zebrafish quokkas and axolotls, thank you", KD_SPAM, 1, 1, 0);
    refreshed_as_fresh(a, "the handle that committed before, at the generation it held");
    learn_n(a, "Narwhals sing", KD_HAM, 1, 1, 0);
    refreshed_as_fresh(b, "a handle holding the commit of the other history");
    refreshed_as_fresh(c, "a handle holding counts from before it");
    kd_model_close(w);
    kd_model_close(c);
    kd_model_close(b);
    kd_model_close(a);
}

/* An older copy written over the model, then taught by a handle of this process words as
 * many as the commit it replaced (the same totals after it, other counts): that commit, of
 * the generation the file went back over, is not taken by a handle whose counts are the
 * copy's; the new one is. */
Test(model, a_commit_over_a_generation_the_file_went_back_on_drops_the_ones_kept)
{
    kd_model *a = trained_and_copied();
    kd_model *c = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    kd_totals x = a->totals;
    restore_over_model("old.db");
    cr_assert_eq(kd_model_refresh(a, NULL), 0, "%s", kd_model_error(a));
    learn_n(a, "Wombats numbats and dugongs, thank you", KD_HAM, 1, 1, 0);
    cr_assert_eq(memcmp(&x, &a->totals, sizeof x), 0, "the two commits leave the same totals");
    int reads = 0;
    sqlite3_trace_v2(kd_store_db(c->store), SQLITE_TRACE_STMT, count_full_reads, &reads);
    refreshed(c, &reads, 0, "the copy's counts, after a commit over the generation of another");
    kd_model_close(c);
    kd_model_close(a);
}

/* A file moved over the model: the commits kept for the handles of the old file (up to 8
 * of 65,536 tokens each) go as soon as one of them learns it (kd_model_replaced), not when
 * the last of them closes; the others still read the old file, and refresh. */
Test(model, a_file_moved_over_the_model_drops_the_commits_kept_for_it)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(a, 1);
    kd_model *b = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    learn_n(a, "Narwhals sing", KD_SPAM, 1, 1, 0);
    cr_assert_eq(kd_deltas_kept(b->deltas), 2);
    kd_model *n = open_model("new.db", KD_OPEN_CREATE);
    train_all(n, 1);
    kd_model_close(n);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/new.db", dir);
    snprintf(to, sizeof to, "%s/a.db", dir);
    cr_assert_eq(rename(from, to), 0);
    cr_assert_eq(kd_model_replaced(a), 1);
    cr_assert_eq(kd_deltas_kept(b->deltas), 0, "the old file's commits are still kept");
    cr_assert_eq(kd_model_refresh(b, NULL), 0, "%s", kd_model_error(b));
    cr_assert(b->preloaded && b->counts.n > 0);
    kd_model *c = open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    cr_assert(c->deltas && c->deltas != b->deltas, "the new file's handle joins the old file's commits");
    kd_model_close(c);
    kd_model_close(b);
    kd_model_close(a);
}

/* Above the size at which another writer's commit makes a preloaded handle cache what it
 * looks up, a commit of a handle of this process keeps the others holding every count. */
Test(model, other_handles_of_a_large_model_take_a_handles_commits_and_stay_preloaded)
{
    kd_model *a = open_model("big.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_large(a);
    kd_model *b = open_model("big.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD);
    learn_n(a, "Zebrafish quokkas and axolotls, thank you", KD_HAM, 1, 1, 0);
    cr_assert_eq(kd_model_refresh(b, NULL), 0, "%s", kd_model_error(b));
    same_as_fresh(b, "big.db", "a large model, another handle's commit");
    kd_model_close(b);
    kd_model_close(a);
}

/* One handle giving feedback while three others classify, each on its own thread (the
 * server's workers): under `make tsan`, no race on the commits kept; after, every handle
 * holds what a fresh open reads. */
typedef struct {
    kd_model *m;
    int feedback; /* the handle that learns */
    int failed;
} worker;

static void *work(void *ud)
{
    worker *w = ud;
    for (int i = 0; i < 40 && !w->failed; i++) {
        kd_comment k = KD_COMMENT_INIT;
        k.id = "c1";
        k.text = i % 3 ? "Okapis and pangolins, cheap pills" : "Thank you, the breathing exercise helped";
        kd_result r;
        if (w->feedback)
            w->failed = kd_feedback(w->m, &k, i % 2 ? KD_SPAM : KD_HAM, 0, NULL);
        else if (!(w->failed = kd_model_refresh(w->m, NULL)) && !(w->failed = kd_classify(w->m, &k, NULL, &r)))
            kd_result_free(&r);
    }
    return NULL;
}

Test(model, handles_on_threads_take_one_anothers_commits)
{
    kd_model *a = open_model("a.db", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    train_all(a, 1);
    kd_model_close(a);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){ open_model("a.db", KD_OPEN_WRITE | KD_OPEN_PRELOAD), i == 0, 0 };
        cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(w[i].failed, 0, "handle %d: %s", i, kd_model_error(w[i].m));
        cr_assert_eq(kd_model_refresh(w[i].m, NULL), 0, "%s", kd_model_error(w[i].m));
        same_as_fresh(w[i].m, "a.db", "after threads");
        kd_model_close(w[i].m);
    }
}

/* A token stored with a negative count (another program's write, or a damaged file) is
 * read as zero by the Bayes stage: a spam comment is still spam, with a finite score, and
 * the count is shown as 0, not wrapped round to 4,294,967,291. The multinomial score was NaN
 * (shown as 0, and below every cut-off: approved). */
Test(model, a_negative_count_is_read_as_zero)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    kd_comment c = KD_COMMENT_INIT;
    c.text = spam_texts[0];
    for (int damaged = 0; damaged < 2; damaged++) {
        if (damaged) /* a spam word of the comment with a negative ham count */
            sql_on_model("UPDATE tokens SET ham = -5 WHERE spam > 0 AND ham = 0");
        for (int preload = 0; preload < 2; preload++)
            for (int scorer = 0; scorer < 2; scorer++) {
                m = open_model("a.db", preload ? KD_OPEN_PRELOAD : KD_OPEN_READONLY);
                kd_options o = KD_OPTIONS_INIT;
                o.scorer = scorer ? KD_SCORER_FISHER : KD_SCORER_MULTINOMIAL;
                o.reasons = 100;
                kd_result r;
                cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
                cr_assert(isfinite(r.bayes_score) && r.bayes_score > 0.5 && r.bayes_score <= 1,
                          "damaged %d, preload %d, scorer %d: %g", damaged, preload, scorer, r.bayes_score);
                cr_assert_eq(r.verdict, KD_VERDICT_SPAM);
                for (size_t i = 0; i < r.ntop; i++)
                    cr_assert(r.top[i].ham == 0 && r.top[i].spam <= 4, "%s: %u %u", r.top[i].token, r.top[i].spam,
                              r.top[i].ham);
                kd_result_free(&r);
                kd_model_close(m);
            }
    }
}

/* A model written before kindly kept the number of distinct tokens in meta ("vocab", which
 * every write now recounts) was scored, until its next write, with a vocabulary of 1: the
 * multinomial's smoothing of another model (0.997 where the same counts give 0.989 on
 * sms.csv's). Its tokens are counted instead, preloaded or not. */
Test(model, a_model_without_its_vocabulary_total_counts_its_tokens)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    double want[2];
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            sql_on_model("DELETE FROM meta WHERE key = 'vocab'");
        for (int preload = 0; preload < 2; preload++) {
            m = open_model("a.db", preload ? KD_OPEN_PRELOAD : KD_OPEN_READONLY);
            double b = bayes_of(m, spam_texts[1]);
            kd_model_stats st;
            cr_assert_eq(kd_model_stats_get(m, &st), 0);
            cr_assert_eq((int64_t)st.tokens, sql_int_on_model("SELECT count(*) FROM tokens"));
            if (!pass)
                want[preload] = b;
            else
                cr_assert(b == want[preload], "preload %d: %.17g, with vocab %.17g", preload, b, want[preload]);
            kd_model_close(m);
        }
    }
    cr_assert(want[0] == want[1]);
}

/* Training that would take a total past 2^63 - 1 is refused, naming it, and nothing is
 * written: SQLite made the sum an inexact REAL (9.22337203685478e+18), read back as the
 * largest integer, and the counts were no longer sums. Below it, counts add exactly. */
Test(model, a_total_past_the_largest_count_is_refused)
{
    kd_model *m = open_model("a.db", KD_OPEN_CREATE);
    train_all(m, 1);
    kd_model_close(m);
    sql_on_model("UPDATE meta SET value = 9223372036854775800 WHERE key = 'spam_tokens';"
                 "UPDATE meta SET value = 2147483647 WHERE key = 'ham_messages'");
    m = open_model("a.db", KD_OPEN_WRITE);
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = ham_texts[0];
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0);
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m)); /* 2^31 and beyond: exact */
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.ham_messages, 2147483648u);
    cr_assert_eq(kd_train_begin(m), 0);
    for (int i = 0; i < 4; i++) { /* some 40 tokens more */
        c.text = spam_texts[i % 4];
        cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), KD_EIO);
    cr_assert(strstr(kd_model_error(m), "cannot write the counts in model ") &&
                  strstr(kd_model_error(m), "spam_tokens total would pass 9223372036854775807"),
              "%s", kd_model_error(m));
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 4, "nothing written");
    kd_model_close(m);
    cr_assert_eq(sql_int_on_model("SELECT value FROM meta WHERE key = 'spam_tokens' AND typeof(value) = 'integer'"),
                 9223372036854775800);
}
