/* test_history.c - the history in a real model file: remembered comments are found by another
 * handle, survive reopening, and are pruned by age and by count. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "helpers.h"
#include "kindly.h"

static char dir[256], path[512];
static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/h.db", dir);
}
static void teardown(void) { th_rmrf(dir); }
TestSuite(history, .init = setup, .fini = teardown);

static kd_model *open_w(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    return m;
}

static void remember(kd_model *m, const char *id, const char *date, const char *text)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.author = id;
    c.date = date;
    c.text = text;
    cr_assert_eq(kd_history_record(m, &c), 0, "%s", kd_model_error(m));
}

Test(history, another_handle_finds_remembered_comments)
{
    kd_model *a = open_w();
    remember(a, "old", "2020-01-01", "Sign up for our newsletter and win a free holiday in Spain this summer");
    kd_model_close(a);
    kd_model *b = NULL;
    cr_assert_eq(kd_model_open(&b, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(b));
    kd_comment c = KD_COMMENT_INIT;
    c.id = "new";
    c.author = "someone";
    c.text = "Sign up for our newsletter and win a FREE holiday in Spain this summer!!! \xf0\x9f\x98\x8a";
    kd_result r;
    cr_assert_eq(kd_classify(b, &c, NULL, &r), 0, "%s", kd_model_error(b));
    cr_assert_str_eq(r.duplicate_of, "old");
    cr_assert_float_eq(r.similarity, 1.0, 1e-9);
    cr_assert_str_eq(r.duplicate_scope, "site");
    kd_result_free(&r);
    /* a read-only handle cannot remember */
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    cr_assert_eq(kd_classify(b, &c, &o, &r), KD_EINVAL);
    kd_result_free(&r);
    kd_model_close(b);
}

Test(history, batch_then_prune_by_age_and_count)
{
    kd_model *m = open_w();
    cr_assert_eq(kd_history_batch_begin(m), 0);
    char id[16], text[128];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "c%d", i);
        snprintf(text, sizeof text, "comment number %d with some distinct words %d", i, i * 7919);
        remember(m, id, i < 4 ? "2001-02-03 04:05:06" : NULL, text);
    }
    cr_assert_eq(kd_history_flush(m), 0);
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 10);
    cr_assert_eq(st.index_entries, 10 * 12);
    cr_assert_eq(st.oldest, 981173106);
    uint64_t removed = 0;
    cr_assert_eq(kd_history_prune(m, 1000000000, 0, &removed), 0, "%s", kd_model_error(m));
    cr_assert_eq(removed, 4);
    cr_assert_eq(kd_history_prune(m, INT64_MIN, 2, &removed), 0);
    cr_assert_eq(removed, 4);
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 2);
    cr_assert_eq(st.index_entries, 2 * 12);
    kd_model_close(m);
}
