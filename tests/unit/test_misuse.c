/* test_misuse.c - kindly.h's contract for arguments a caller got wrong: a NULL handle, a
 * NULL output or a NULL array is refused with KD_EINVAL (a message on the handle when there
 * is one), never dereferenced. An embedding program (a blog engine's moderation hook) that
 * passes on a handle whose kd_model_open() failed must get an error code, not a crash of
 * the whole web server. Every public function that takes a pointer is called here with
 * NULL in turn. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "helpers.h"
#include "kindly.h"
#include "normalize.h" /* kd_utf8_valid */

static kd_model *mem_model(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    return m;
}

/* kindly.h: every function that opens a handle sets *out on failure, a wrong argument
 * included, so that its *_error() says why (kd_csv_open left it NULL for a NULL path, an
 * unknown options version or kind, while kd_model_open set it); *out NULL only for out
 * NULL or no memory. */
static void opened_with(int rc, int want, const void *handle, const char *error, const char *says)
{
    cr_expect_eq(rc, want);
    cr_expect_not_null(handle, "*out set on failure (%s)", says);
    cr_expect(strstr(error, says), "'%s' says '%s'", error, says);
}
/* (the call first: the handle and its message are read after it) */
#define OPENED(call, want, h, error, says)                      \
    do {                                                        \
        int rc_ = (call);                                       \
        opened_with(rc_, want, h, error(h), says);              \
    } while (0)

Test(misuse, every_open_sets_out_on_failure)
{
    kd_model *m = NULL;
    OPENED(kd_model_open(&m, NULL, 0), KD_EINVAL, m, kd_model_error, "no model path");
    kd_model_close(m);
    OPENED(kd_model_open(&m, ":memory:", 0x100), KD_EINVAL, m, kd_model_error, "unknown open flags");
    kd_model_close(m);
    OPENED(kd_model_open(&m, "/nonexistent/x.db", 0), KD_EIO, m, kd_model_error, "/nonexistent/x.db");
    kd_model_close(m);

    kd_csv *r = NULL;
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    OPENED(kd_csv_open(&r, NULL, NULL), KD_EINVAL, r, kd_csv_error, "no CSV file path");
    kd_csv_free(r);
    OPENED(kd_csv_open(&r, "", NULL), KD_EINVAL, r, kd_csv_error, "empty file name");
    kd_csv_free(r);
    o.version = 0;
    OPENED(kd_csv_open(&r, "x.csv", &o), KD_EINVAL, r, kd_csv_error, "x.csv: unknown kd_csv_options version 0");
    kd_csv_free(r);
    o.version = KD_CSV_OPTIONS_VERSION;
    o.kind = (kd_csv_kind)-1;
    OPENED(kd_csv_open(&r, "x.csv", &o), KD_EINVAL, r, kd_csv_error, "unknown kd_csv_options kind -1");
    cr_expect_eq(kd_csv_next(r, &(const kd_csv_row *){ NULL }), KD_EINVAL, "the open's failure again");
    kd_csv_free(r);
    OPENED(kd_csv_open(&r, "/nonexistent/x.csv", NULL), KD_EIO, r, kd_csv_error, "/nonexistent/x.csv");
    kd_csv_free(r);

    kd_rules *u = NULL;
    OPENED(kd_rules_load(&u, NULL), KD_EINVAL, u, kd_rules_error, "no rule file path");
    kd_rules_free(u);
    OPENED(kd_rules_load(&u, "/nonexistent/x.rules"), KD_EIO, u, kd_rules_error, "/nonexistent/x.rules");
    kd_rules_free(u);
    OPENED(kd_rules_parse(&u, "x.rules", NULL, 3), KD_EINVAL, u, kd_rules_error, "no rule text");
    kd_rules_free(u);

    /* out NULL: refused, nothing to set */
    cr_expect_eq(kd_model_open(NULL, ":memory:", 0), KD_EINVAL);
    cr_expect_eq(kd_csv_open(NULL, "x.csv", NULL), KD_EINVAL);
    cr_expect_eq(kd_rules_load(NULL, "x.rules"), KD_EINVAL);
    cr_expect_eq(kd_rules_parse(NULL, "x.rules", "", 0), KD_EINVAL);
    cr_expect_eq(kd_eval_new(NULL), KD_EINVAL);
}

Test(misuse, a_null_model_is_refused_by_every_function)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello there";
    kd_result res;
    kd_model_stats st;
    kd_history_stats hs;
    uint64_t u = 7;
    int reloaded = 7;
    const char *path = "x.db";
    cr_assert_eq(kd_model_stats_get(NULL, &st), KD_EINVAL);
    cr_assert_eq(kd_train_begin(NULL), KD_EINVAL);
    cr_assert_eq(kd_train_add(NULL, &c, KD_SPAM, 1), KD_EINVAL);
    cr_assert_eq(kd_train_add_ex(NULL, &c, KD_SPAM, 1, 0), KD_EINVAL);
    cr_assert_eq(kd_train_commit(NULL), KD_EINVAL);
    kd_train_abort(NULL);
    cr_assert_eq(kd_feedback(NULL, &c, KD_SPAM, 0, NULL), KD_EINVAL);
    cr_assert_eq(kd_model_refresh(NULL, &reloaded), KD_EINVAL);
    cr_assert_eq(reloaded, 0);
    cr_assert_eq(kd_model_replaced(NULL), 0);
    cr_assert_eq(kd_model_upgraded_from(NULL), 0);
    cr_assert_eq(kd_model_merge(NULL, path), KD_EINVAL);
    cr_assert_eq(kd_model_merge_all(NULL, &path, 1), KD_EINVAL);
    cr_assert_eq(kd_model_prune(NULL, 1, &u), KD_EINVAL);
    cr_assert_eq(kd_model_pack(NULL), KD_EINVAL);
    memset(&res, 0xff, sizeof res);
    cr_assert_eq(kd_classify(NULL, &c, NULL, &res), KD_EINVAL);
    cr_assert_null(res.top, "out is left zeroed after a failure");
    kd_result_free(&res);
    cr_assert_eq(kd_post_put(NULL, "p1", "t", "x"), KD_EINVAL);
    cr_assert_eq(kd_posts_import(NULL, NULL, &u, NULL), KD_EINVAL);
    cr_assert_eq(kd_posts_count(NULL, &u), KD_EINVAL);
    cr_assert_eq(u, 0);
    cr_assert_eq(kd_history_record(NULL, &c), KD_EINVAL);
    cr_assert_eq(kd_history_batch_begin(NULL), KD_EINVAL);
    cr_assert_eq(kd_history_flush(NULL), KD_EINVAL);
    cr_assert_eq(kd_history_prune(NULL, INT64_MIN, 1, &u), KD_EINVAL);
    cr_assert_eq(kd_history_stats_get(NULL, &hs), KD_EINVAL);
    /* there is no handle to hold a message: kd_model_error(NULL) stays what it was */
    cr_assert_str_eq(kd_model_error(NULL), "out of memory"); /* as documented: open could not allocate one */
}

/* With a handle, a NULL output is refused and the handle says which argument it was. */
Test(misuse, a_null_output_is_refused_with_a_message)
{
    kd_model *m = mem_model();
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello there";
    cr_assert_eq(kd_model_stats_get(m, NULL), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "kd_model_stats_get: out is NULL"), "%s", kd_model_error(m));
    cr_assert_eq(kd_classify(m, &c, NULL, NULL), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "kd_classify: out is NULL"), "%s", kd_model_error(m));
    cr_assert_eq(kd_posts_count(m, NULL), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "kd_posts_count: out is NULL"), "%s", kd_model_error(m));
    cr_assert_eq(kd_history_stats_get(m, NULL), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "kd_history_stats_get: out is NULL"), "%s", kd_model_error(m));
    /* the optional outputs stay optional */
    cr_assert_eq(kd_model_prune(m, 1, NULL), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_history_prune(m, INT64_MIN, 0, NULL), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_refresh(m, NULL), 0, "%s", kd_model_error(m));
    /* the handle still works */
    kd_result res;
    cr_assert_eq(kd_classify(m, &c, NULL, &res), 0, "%s", kd_model_error(m));
    kd_result_free(&res);
    kd_model_close(m);
}

/* A NULL comment, or one whose text is NULL, is refused by each function that takes one, the
 * message naming the function and which pointer was NULL (it said "a comment needs a text"
 * of both, naming neither). */
Test(misuse, a_null_comment_or_text_is_named)
{
    kd_model *m = mem_model();
    kd_comment none = KD_COMMENT_INIT;
    kd_result res;
    for (int notext = 0; notext < 2; notext++) {
        const kd_comment *c = notext ? &none : NULL;
        const char *what = notext ? "the comment's text is NULL" : "the comment is NULL";
        char want[96];
        cr_assert_eq(kd_classify(m, c, NULL, &res), KD_EINVAL);
        snprintf(want, sizeof want, "kd_classify: %s", what);
        cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
        cr_assert_eq(kd_feedback(m, c, KD_SPAM, 0, NULL), KD_EINVAL);
        snprintf(want, sizeof want, "kd_feedback: %s", what);
        cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
        cr_assert_eq(kd_history_record(m, c), KD_EINVAL);
        snprintf(want, sizeof want, "kd_history_record: %s", what);
        cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
        cr_assert_eq(kd_train_begin(m), 0, "%s", kd_model_error(m));
        cr_assert_eq(kd_train_add(m, c, KD_SPAM, 1), KD_EINVAL);
        snprintf(want, sizeof want, "kd_train_add: %s", what);
        cr_assert(strstr(kd_model_error(m), want), "%s", kd_model_error(m));
        kd_train_abort(m);
    }
    kd_model_close(m);
}

Test(misuse, merge_refuses_a_null_list_of_paths)
{
    kd_model *m = mem_model();
    cr_assert_eq(kd_model_merge_all(m, NULL, 2), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "no input model path given"), "%s", kd_model_error(m));
    cr_assert_eq(kd_model_merge_all(m, NULL, 0), 0, "no inputs: nothing to merge");
    kd_model_close(m);
}

Test(misuse, posts_import_refuses_a_null_reader)
{
    kd_model *m = mem_model();
    uint64_t imported = 7, skipped = 7;
    cr_assert_eq(kd_posts_import(m, NULL, &imported, &skipped), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), "kd_posts_import: no CSV reader"), "%s", kd_model_error(m));
    cr_assert_eq(imported, 0);
    cr_assert_eq(skipped, 0);
    kd_model_close(m);
}

Test(misuse, rules_functions_refuse_null)
{
    static const char text[] = "text CHEAP /cheap/i 2.0\n";
    cr_assert_eq(kd_rules_parse(NULL, "mem", text, sizeof text - 1), KD_EINVAL);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_parse(&r, "mem", text, sizeof text - 1), 0, "%s", kd_rules_error(r));
    kd_comment c = KD_COMMENT_INIT;
    c.text = "cheap";
    cr_assert_eq(kd_rules_eval(r, &c, NULL, NULL), KD_EINVAL);
    cr_assert_eq(kd_rules_info_get(r, 0, NULL), KD_EINVAL);
    kd_result res;
    cr_assert_eq(kd_rules_eval(r, &c, NULL, &res), 0);
    cr_assert_eq(res.nrules, 1);
    kd_result_free(&res);
    kd_rules_free(r);
}

Test(misuse, result_json_of_no_result_is_null)
{
    kd_comment c = KD_COMMENT_INIT;
    cr_assert_null(kd_result_json(&c, NULL));
    cr_assert_null(kd_result_json(NULL, NULL));
}

Test(misuse, eval_functions_refuse_null)
{
    kd_eval_figures f;
    cr_assert_eq(kd_eval_new(NULL), KD_EINVAL);
    cr_assert_eq(kd_eval_add(NULL, KD_SPAM, 0.9, KD_VERDICT_SPAM), KD_EINVAL);
    cr_assert_eq(kd_eval_figures_get(NULL, &f), KD_EINVAL);
    kd_eval *e = NULL;
    cr_assert_eq(kd_eval_new(&e), 0);
    cr_assert_eq(kd_eval_figures_get(e, NULL), KD_EINVAL);
    cr_assert_eq(kd_eval_add(e, KD_SPAM, 0.9, KD_VERDICT_SPAM), 0);
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_eq(f.n, 1);
    kd_eval_free(e);
}

static int problems;
static char last_message[256];
static void count_problem(void *ud, const kd_csv_problem *p)
{
    (void)ud;
    problems++;
    snprintf(last_message, sizeof last_message, "%s", p->message);
}

/* kd_csv_reject / kd_csv_note with a NULL reader or row do nothing; a NULL message is a
 * message of its own, not "(null)" (a NULL %s is undefined behaviour). */
Test(misuse, csv_reject_and_note_with_null)
{
    char dir[256], path[300];
    th_tmpdir(dir, sizeof dir);
    th_write(dir, "c.csv", "id,text\n1,hello\n", path, sizeof path);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.problem = count_problem;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row = NULL;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    kd_csv_reject(NULL, row, "text", "no");
    kd_csv_note(NULL, row, "text", "no");
    kd_csv_reject(r, NULL, "text", "no");
    kd_csv_note(r, NULL, "text", "no");
    cr_assert_eq(problems, 0);
    cr_assert_eq(kd_csv_skipped(r), 0);
    kd_csv_reject(r, row, NULL, NULL);
    cr_assert_eq(problems, 1);
    cr_assert_str_eq(last_message, "rejected by the caller");
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_note(r, row, NULL, NULL);
    cr_assert_eq(problems, 2);
    cr_assert_str_eq(last_message, "noted by the caller");
    cr_assert_eq(kd_csv_next(NULL, &row), KD_EINVAL);
    cr_assert_eq(kd_csv_next(r, NULL), KD_EINVAL);
    kd_csv_free(r);
    th_rmrf(dir);
}

/* What kindly.h says the readers give for NULL, a reader at its end and one whose open
 * failed: a caller that checks only for "< 0" or prints the message without a NULL check. */
Test(misuse, readers_answer_null_and_failed_as_documented)
{
    char dir[256], path[300];
    th_tmpdir(dir, sizeof dir);
    th_write(dir, "c.csv", "id,text\n1,hello\n", path, sizeof path);
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, NULL), 0, "NULL options are the defaults: %s", kd_csv_error(r));
    size_t n = 7;
    cr_assert_not_null(kd_csv_header(r, NULL));
    cr_assert_str_eq(kd_csv_header(r, &n)[1], "text");
    cr_assert_eq(n, 2);
    cr_assert_eq(kd_csv_column(r, NULL), -1);
    const kd_csv_row *row = NULL;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_null(row);
    cr_assert_eq(kd_csv_next(r, &row), 0, "the end again");
    cr_assert_str_eq(kd_csv_error(r), "");
    kd_csv_free(r);
    r = NULL;
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 0; /* the default, not "no field at all" */
    cr_assert_eq(kd_csv_open(&r, path, &o), 0, "%s", kd_csv_error(r));
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "hello");
    kd_csv_free(r);
    r = NULL;
    cr_assert_null(kd_csv_header(NULL, &n));
    cr_assert_eq(n, 0);
    cr_assert_eq(kd_csv_column(NULL, "text"), -1);
    cr_assert_eq(kd_csv_skipped(NULL), 0);
    cr_assert_eq(kd_csv_repaired(NULL), 0);
    cr_assert_not_null(kd_csv_error(NULL));
    snprintf(path, sizeof path, "%s/none.csv", dir);
    cr_assert_eq(kd_csv_open(&r, path, NULL), KD_EIO);
    cr_assert_eq(kd_csv_next(r, &row), KD_EIO, "the open's failure again");
    cr_assert(strstr(kd_csv_error(r), "none.csv"), "%s", kd_csv_error(r));
    kd_csv_free(r);

    cr_assert_str_eq(kd_rules_error(NULL), "out of memory");
    cr_assert_str_eq(kd_rules_note(NULL), "");
    cr_assert_eq(kd_rules_count(NULL), 0);
    cr_assert_eq(kd_rules_find(NULL, "A"), -1);
    cr_assert_eq(kd_rules_jit(NULL), 0);
    cr_assert_eq(kd_rules_compiled(NULL), 0);

    /* no batch: abort does nothing, commit says so; a read-only handle may batch look-ups */
    kd_model *m = mem_model();
    kd_train_abort(m);
    cr_assert_eq(kd_train_commit(m), KD_EINVAL);
    cr_assert_str_eq(kd_model_error(m), "no training batch is open");
    cr_assert_eq(kd_history_flush(m), 0, "no batch: nothing to commit");
    kd_model_close(m);
    snprintf(path, sizeof path, "%s/m.db", dir);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_history_batch_begin(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_history_flush(m), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_model_prune(m, 1, NULL), KD_EINVAL);
    cr_assert_eq(kd_model_pack(m), KD_EINVAL);
    kd_model_close(m);
    th_rmrf(dir);
}

/* A handle whose kd_model_open() failed is set so that kd_model_error() can explain; a
 * caller that goes on with it (a plug-in that logs the error and classifies anyway) gets
 * KD_EINVAL from every function, and the message still says why the open failed. */
static void refuses_a_failed_handle(const char *path, unsigned flags, int open_rc, const char *why)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, flags), open_rc, "%s", kd_model_error(m));
    cr_assert_not_null(m);
    cr_assert(strstr(kd_model_error(m), why), "%s", kd_model_error(m));
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello there";
    c.id = "c1";
    kd_result res;
    kd_model_stats st;
    kd_history_stats hs;
    uint64_t u;
    int changed, reloaded;
    const char *in = "other.db";
    cr_assert_eq(kd_model_stats_get(m, &st), KD_EINVAL);
    cr_assert_eq(kd_train_begin(m), KD_EINVAL);
    cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), KD_EINVAL);
    cr_assert_eq(kd_train_commit(m), KD_EINVAL);
    kd_train_abort(m);
    cr_assert_eq(kd_feedback(m, &c, KD_SPAM, 0, &changed), KD_EINVAL);
    cr_assert_eq(kd_model_refresh(m, &reloaded), KD_EINVAL);
    cr_assert_eq(kd_model_replaced(m), 0);
    cr_assert_eq(kd_model_merge(m, in), KD_EINVAL);
    cr_assert_eq(kd_model_prune(m, 1, &u), KD_EINVAL);
    cr_assert_eq(kd_model_pack(m), KD_EINVAL);
    cr_assert_eq(kd_classify(m, &c, NULL, &res), KD_EINVAL);
    kd_result_free(&res);
    cr_assert_eq(kd_post_put(m, "p1", "t", "x"), KD_EINVAL);
    cr_assert_eq(kd_posts_count(m, &u), KD_EINVAL);
    cr_assert_eq(kd_history_record(m, &c), KD_EINVAL);
    cr_assert_eq(kd_history_batch_begin(m), KD_EINVAL);
    cr_assert_eq(kd_history_flush(m), KD_EINVAL);
    cr_assert_eq(kd_history_prune(m, INT64_MIN, 1, &u), KD_EINVAL);
    cr_assert_eq(kd_history_stats_get(m, &hs), KD_EINVAL);
    cr_assert(strstr(kd_model_error(m), why), "the open's message was replaced: %s", kd_model_error(m));
    kd_model_close(m);
}

Test(misuse, a_handle_whose_open_failed_is_refused)
{
    char dir[256], path[300], notmodel[300];
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/missing.db", dir);
    refuses_a_failed_handle(path, KD_OPEN_READONLY, KD_EIO, "no such file");
    refuses_a_failed_handle(NULL, KD_OPEN_CREATE, KD_EINVAL, "no model path given");
    refuses_a_failed_handle(path, KD_OPEN_CREATE | 0x100, KD_EINVAL, "unknown open flags");
    th_write(dir, "notes.db", "these are not the droids you are looking for\n", notmodel, sizeof notmodel);
    kd_model *m = NULL;
    int rc = kd_model_open(&m, notmodel, KD_OPEN_WRITE);
    cr_assert(rc == KD_ESCHEMA || rc == KD_EIO, "%d %s", rc, kd_model_error(m));
    char why[128];
    snprintf(why, sizeof why, "%.120s", kd_model_error(m));
    kd_model_close(m);
    refuses_a_failed_handle(notmodel, KD_OPEN_WRITE, rc, why);
    th_rmrf(dir);
}

/* kd_posts_import() given a reader whose kd_csv_open() failed says so, with the reader's
 * message, rather than "a posts file needs a post_id column". */
Test(misuse, posts_import_of_a_reader_that_did_not_open)
{
    kd_model *m = mem_model();
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, "/nonexistent/posts.csv", &o), KD_EIO);
    uint64_t imported = 7;
    cr_assert_eq(kd_posts_import(m, r, &imported, NULL), KD_EINVAL);
    cr_assert_eq(imported, 0);
    cr_assert(strstr(kd_model_error(m), "the CSV reader did not open: /nonexistent/posts.csv"), "%s",
              kd_model_error(m));
    kd_csv_free(r);
    kd_model_close(m);
}

/* A message longer than the handle's buffer (a path of 250 non-ASCII letters) is cut at a
 * character, never inside one: kd_model_error() is printed and sent in JSON as it is (it
 * ended in the first byte of a '€', invalid UTF-8, for one path length in three). */
Test(misuse, a_message_cut_short_ends_at_a_character)
{
    for (int pad = 0; pad < 3; pad++) {
        char path[1024];
        snprintf(path, sizeof path, "/nonexistent/%.*s", pad, "xx");
        for (int i = 0; i < 250; i++)
            strcat(path, "\xE2\x82\xAC"); /* € */
        strcat(path, ".db");
        kd_model *m = NULL;
        cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), KD_EIO);
        const char *e = kd_model_error(m);
        cr_assert(strncmp(e, "cannot open model /nonexistent/", 31) == 0, "%s", e);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: ...%s", pad, e + strlen(e) - 8);
        kd_model_close(m);
        m = mem_model();
        cr_assert_eq(kd_model_merge(m, path), KD_EIO);
        e = kd_model_error(m);
        cr_assert(strstr(e, "/nonexistent/"), "%s", e);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: ...%s", pad, e + strlen(e) - 8);
        kd_model_close(m);
    }
}

/* The merge's refusals name their inputs cut to 100-200 bytes: cut at a character, never
 * inside one (a path of Cyrillic or CJK directories left half a letter before the rest of
 * the message). */
Test(misuse, a_path_cut_in_a_merge_message_ends_at_a_character)
{
    char dir[256], sub[1024], path[1100], alias[1100];
    th_tmpdir(dir, sizeof dir);
    for (int pad = 0; pad < 3; pad++) {
        snprintf(sub, sizeof sub, "%s/%.*s", dir, pad, "xx");
        for (int i = 0; i < 60; i++)
            strcat(sub, "\xE2\x82\xAC"); /* € */
        cr_assert_eq(mkdir(sub, 0700), 0);
        snprintf(path, sizeof path, "%s/m.db", sub);
        snprintf(alias, sizeof alias, "%s/same.db", sub);
        kd_model *m = NULL;
        cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
        cr_assert_eq(link(path, alias), 0);
        cr_assert_eq(kd_model_merge(m, alias), KD_EINVAL);
        const char *e = kd_model_error(m);
        cr_assert(strstr(e, "is the output model itself"), "%s", e);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: %s", pad, e);
        kd_model *other = mem_model();
        const char *both[] = { path, alias };
        cr_assert_eq(kd_model_merge_all(other, both, 2), KD_EINVAL);
        e = kd_model_error(other);
        cr_assert(strstr(e, "are the same model"), "%s", e);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: %s", pad, e);
        kd_model_close(other);
        kd_model_close(m);
    }
    th_rmrf(dir);
}

/* The same for kd_rules_error(): a rule file named by a path of 340 non-ASCII letters, which
 * its 1024-byte buffer cuts short. */
Test(misuse, a_rules_message_cut_short_ends_at_a_character)
{
    static const char bad[] = "text A /(/ 1.0\n";
    for (int pad = 0; pad < 3; pad++) {
        char path[1200];
        snprintf(path, sizeof path, "/nonexistent/%.*s", pad, "xx");
        for (int i = 0; i < 340; i++)
            strcat(path, "\xE2\x82\xAC"); /* € */
        kd_rules *r = NULL;
        cr_assert_eq(kd_rules_load(&r, path), KD_EIO);
        const char *e = kd_rules_error(r);
        cr_assert(strncmp(e, "cannot open rule file /nonexistent/", 35) == 0, "%s", e);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: ...%s", pad, e + strlen(e) - 8);
        kd_rules_free(r);
        cr_assert_eq(kd_rules_parse(&r, path, bad, sizeof bad - 1), KD_EPARSE);
        e = kd_rules_error(r);
        cr_assert(kd_utf8_valid(e, strlen(e), NULL), "pad %d: not valid UTF-8: ...%s", pad, e + strlen(e) - 8);
        kd_rules_free(r);
    }
}
