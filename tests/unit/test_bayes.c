/* test_bayes.c - the Bayes stage's choice of the strongest tokens shown (bayes.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kindly.h"

/* Words from a small vocabulary, so that counts repeat and probabilities tie. */
static void random_text(char *out, size_t n, unsigned *seed, int words)
{
    static const char *const w[] = { "free", "cash", "win", "now", "hello", "mum", "call", "later",
                                     "prize", "claim", "ok", "lol", "txt", "stop", "love", "home",
                                     "urgent", "reply", "meet", "tomorrow", "500", "87121", "the" };
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < words && k + 16 < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        k += (size_t)snprintf(out + k, n - k, "%s ", w[(*seed >> 16) % (sizeof w / sizeof *w)]);
    }
}

/*
 * Up to 64 tokens asked for, one pass keeps the strongest (select_strongest); more, a
 * selection sort over all of them (select_sort), with every token's probability computed:
 * the first R tokens shown must be the same, in the same order, with the same figures,
 * whichever way they were chosen (ties go by position in the text).
 */
Test(bayes, one_pass_picks_what_the_selection_sort_picks)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    unsigned seed = 1;
    char text[2048];
    cr_assert_eq(kd_train_begin(m), 0);
    for (int i = 0; i < 400; i++) {
        random_text(text, sizeof text, &seed, 3 + i % 12);
        kd_comment c = { 0 };
        c.text = text;
        cr_assert_eq(kd_train_add(m, &c, i % 3 ? KD_HAM : KD_SPAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    for (int i = 0; i < 300; i++) {
        random_text(text, sizeof text, &seed, 1 + i % 90);
        kd_comment c = { 0 };
        c.text = text;
        for (int scorer = 0; scorer < 2; scorer++) {
            kd_options all = KD_OPTIONS_INIT, some = KD_OPTIONS_INIT;
            all.scorer = some.scorer = scorer ? KD_SCORER_FISHER : KD_SCORER_MULTINOMIAL;
            all.reasons = 1000;
            some.reasons = 1 + (unsigned)(i % 64);
            kd_result ra, rs;
            cr_assert_eq(kd_classify(m, &c, &all, &ra), 0);
            cr_assert_eq(kd_classify(m, &c, &some, &rs), 0);
            cr_assert_eq(rs.ntop, ra.ntop < some.reasons ? ra.ntop : some.reasons);
            for (size_t k = 0; k < rs.ntop; k++) {
                cr_assert_str_eq(rs.top[k].token, ra.top[k].token, "text %d, scorer %d, token %zu", i, scorer, k);
                cr_assert(rs.top[k].prob == ra.top[k].prob);
                cr_assert_eq(rs.top[k].spam, ra.top[k].spam);
                cr_assert_eq(rs.top[k].ham, ra.top[k].ham);
            }
            cr_assert(rs.bayes_score == ra.bayes_score);
            kd_result_free(&ra);
            kd_result_free(&rs);
        }
    }
    kd_model_close(m);
}
