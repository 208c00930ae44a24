/* test_reload.c - a preloaded handle's refresh (kd_model_refresh) when its reload fails or a
 * commit lands while it reads. Linked with -Wl,--wrap=kd_store_load_all (Makefile), so the
 * test can fail the load, or commit through another handle in the middle of it. Real
 * SQLite files. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "kindly.h"
#include "store.h"
#include "tokmap.h"

int __real_kd_store_load_all(kd_store *s, kd_tokmap *into);
int __wrap_kd_store_load_all(kd_store *s, kd_tokmap *into);

static int fail_next;            /* fail the next load with KD_ENOMEM */
static kd_model *writer_on_load; /* commit spam through this handle after the next load */

static void learn(kd_model *m, const char *text, kd_label label, int times)
{
    cr_assert_eq(kd_train_begin(m), 0, "%s", kd_model_error(m));
    for (int i = 0; i < times; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = text;
        cr_assert_eq(kd_train_add(m, &c, label, 1), 0, "%s", kd_model_error(m));
    }
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

int __wrap_kd_store_load_all(kd_store *s, kd_tokmap *into)
{
    if (fail_next) {
        fail_next = 0;
        return KD_ENOMEM;
    }
    int rc = __real_kd_store_load_all(s, into);
    if (writer_on_load) {
        kd_model *w = writer_on_load;
        writer_on_load = NULL;
        learn(w, "zorblax pills zorblax", KD_SPAM, 30);
    }
    return rc;
}

static char dir[256], path[512];
static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    learn(m, "cheap pills casino bonus", KD_SPAM, 20);
    learn(m, "the breathing exercise helped my sleep", KD_HAM, 20);
    kd_model_close(m);
}
static void teardown(void) { th_rmrf(dir); }
TestSuite(reload, .init = setup, .fini = teardown);

static unsigned spam_count(kd_model *m, const char *token)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = token;
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    unsigned n = 0;
    for (size_t i = 0; i < r.ntop; i++)
        if (!strcmp(r.top[i].token, token))
            n = r.top[i].spam;
    kd_result_free(&r);
    return n;
}

Test(reload, a_failed_reload_keeps_the_old_counts_and_the_next_refresh_retries)
{
    kd_model *reader = NULL, *writer = NULL;
    cr_assert_eq(kd_model_open(&reader, path, KD_OPEN_READONLY | KD_OPEN_PRELOAD), 0);
    cr_assert_eq(kd_model_open(&writer, path, KD_OPEN_WRITE), 0);
    cr_assert_eq(spam_count(reader, "casino"), 20);
    learn(writer, "casino casino", KD_SPAM, 5);
    fail_next = 1;
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(reader, &reloaded), KD_ENOMEM);
    char want[600]; /* names the model, as every other failure to read it does */
    snprintf(want, sizeof want, "cannot read the token counts in model %s: out of memory", path);
    cr_assert_str_eq(kd_model_error(reader), want);
    cr_assert_eq(spam_count(reader, "casino"), 20, "the previous counts are kept, not emptied");
    cr_assert_eq(kd_model_refresh(reader, &reloaded), 0, "%s", kd_model_error(reader));
    cr_assert_eq(reloaded, 1, "the failed reload is tried again");
    cr_assert_eq(spam_count(reader, "casino"), 25);
    kd_model_close(writer);
    kd_model_close(reader);
}

Test(reload, a_commit_made_while_a_reload_reads_is_seen_by_the_next_refresh)
{
    kd_model *reader = NULL, *writer = NULL;
    cr_assert_eq(kd_model_open(&reader, path, KD_OPEN_READONLY | KD_OPEN_PRELOAD), 0);
    cr_assert_eq(kd_model_open(&writer, path, KD_OPEN_WRITE), 0);
    learn(writer, "casino", KD_SPAM, 1); /* something to reload */
    writer_on_load = writer;             /* ... and a commit in the middle of that reload */
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(reader, &reloaded), 0, "%s", kd_model_error(reader));
    cr_assert_eq(reloaded, 1);
    cr_assert_null(writer_on_load);
    cr_assert_eq(kd_model_refresh(reader, &reloaded), 0, "%s", kd_model_error(reader));
    cr_assert_eq(spam_count(reader, "zorblax"), 30, "the commit made during the reload was missed");
    kd_model_close(writer);
    kd_model_close(reader);
}

/* A handle's own commit does not move its PRAGMA data_version, which is all kd_model_refresh
 * asks: when the read after the commit fails, the next refresh must read again all the same,
 * not keep the counts of before the commit until another connection commits. Foreign ham is
 * a batch the handle reads back whole (not added to its counts in memory: model.c, add_own). */
Test(reload, a_failed_reload_after_the_handles_own_commit_is_retried_by_the_next_refresh)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE | KD_OPEN_PRELOAD), 0, "%s", kd_model_error(m));
    cr_assert_eq(spam_count(m, "casino"), 20);
    cr_assert_eq(kd_train_begin(m), 0, "%s", kd_model_error(m));
    kd_comment c = KD_COMMENT_INIT;
    c.text = "casino casino";
    for (int i = 0; i < 5; i++)
        cr_assert_eq(kd_train_add_ex(m, &c, KD_SPAM, 1, 0), 0, "%s", kd_model_error(m));
    c.text = "tardigrades survive vacuum";
    cr_assert_eq(kd_train_add_ex(m, &c, KD_HAM, 1, KD_TRAIN_FOREIGN), 0, "%s", kd_model_error(m));
    fail_next = 1;
    cr_assert_eq(kd_train_commit(m), KD_ENOMEM, "the read after the commit did not fail");
    cr_assert_eq(fail_next, 0);
    int reloaded = 0;
    cr_assert_eq(kd_model_refresh(m, &reloaded), 0, "%s", kd_model_error(m));
    cr_assert_eq(reloaded, 1, "the failed read after the handle's own commit is not tried again");
    cr_assert_eq(spam_count(m, "casino"), 25, "the handle kept the counts of before its own commit");
    kd_model_close(m);
}
