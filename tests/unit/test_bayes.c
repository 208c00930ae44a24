/* test_bayes.c - the Bayes stage's choice of the strongest tokens shown (bayes.c). */
#include <criterion/criterion.h>
#include <math.h>
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

/*
 * The multinomial score is the formula of multinomial.c's header, computed here from the
 * counts the result shows: PRIOR_WEIGHT (0.5) times ln(S/H), plus the sum of the known
 * tokens' log-likelihood ratios ln((s+1)/(T_s+V)) - ln((h+1)/(T_h+V)) divided by sqrt(n);
 * T_s, T_h the token counts of each class (each comment's distinct tokens), V the distinct
 * tokens stored. A change of the prior's weight, the length normalisation or the smoothing
 * changes every score users see (the shipped model's ident corpora pin it end to end).
 */
Test(bayes, the_multinomial_score_is_its_formula)
{
    static const char *const spam[] = { "win free cash now", "free prize claim now call", "urgent cash prize txt" };
    static const char *const ham[] = { "see you at home later", "call me later love" };
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    double Ts = 0, Th = 0;
    cr_assert_eq(kd_train_begin(m), 0);
    for (int k = 0; k < 5; k++) {
        kd_comment c = { 0 };
        c.text = k < 3 ? spam[k] : ham[k - 3];
        cr_assert_eq(kd_train_add(m, &c, k < 3 ? KD_SPAM : KD_HAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    kd_options o = KD_OPTIONS_INIT;
    o.reasons = 1000;
    for (int k = 0; k < 5; k++) { /* each comment's distinct tokens, as it was counted */
        kd_comment c = { 0 };
        c.text = k < 3 ? spam[k] : ham[k - 3];
        kd_result r;
        cr_assert_eq(kd_classify(m, &c, &o, &r), 0);
        *(k < 3 ? &Ts : &Th) += (double)r.ntokens;
        kd_result_free(&r);
    }
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 3);
    cr_assert_eq(st.ham_messages, 2);
    double V = (double)st.tokens;
    kd_comment c = { 0 };
    c.text = "free cash, call me later";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0);
    cr_assert_gt(r.ntop, 3);
    cr_assert_eq(r.ntop, r.nused, "every known token shown");
    double sum = 0;
    for (size_t i = 0; i < r.ntop; i++) {
        double llr = log((r.top[i].spam + 1.0) / (Ts + V)) - log((r.top[i].ham + 1.0) / (Th + V));
        sum += llr;
        cr_assert_float_eq(r.top[i].prob, 1.0 / (1.0 + exp(-llr)), 1e-12, "%s", r.top[i].token);
    }
    double lo = 0.5 * log(3.0 / 2.0) + sum / sqrt((double)r.ntop);
    cr_assert_float_eq(r.bayes_score, 1.0 / (1.0 + exp(-lo)), 1e-12, "%.17g", r.bayes_score);
    kd_result_free(&r);
    kd_model_close(m);
}
