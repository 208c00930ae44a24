/* test_combine.c - kd_combine: the stages' evidence added as log-odds (combine.c's essay):
 * Bayes' own scale without other evidence, the clamp that lets rules overturn a confident
 * Bayes score, the campaign's capped evidence, and a moderation word that holds. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "combine.h"
#include "verdict.h"

static kd_result result(double bayes, double rules, unsigned campaign)
{
    kd_result r;
    memset(&r, 0, sizeof r);
    r.bayes_score = bayes;
    r.rules_score = rules;
    r.campaign = campaign;
    return r;
}

static double combined(double bayes, double rules, unsigned campaign)
{
    static const kd_options o = KD_OPTIONS_INIT;
    kd_result r = result(bayes, rules, campaign);
    kd_combine(&r, &o);
    return r.spam_score;
}

/* no rule fired and no campaign: Bayes' score as it is, unclamped */
Test(combine, without_other_evidence_the_score_is_bayes)
{
    cr_expect_eq(combined(0.99995, 0, 0), 0.99995);
    cr_expect_eq(combined(0.00001, 0, 1), 0.00001);
    cr_expect_eq(combined(0.5, 0, 0), 0.5);
}

/* a rule's score is the log-odds it adds: +2.2 on an even Bayes score is about 0.9 */
Test(combine, rules_add_log_odds)
{
    cr_expect_float_eq(combined(0.5, 2.2, 0), 1 / (1 + exp(-2.2)), 1e-12);
    cr_expect_float_eq(combined(0.9, -2.2, 0), 1 / (1 + exp(-(log(9) - 2.2))), 1e-12);
    cr_expect_float_eq(kd_logistic(kd_logit(0.3)), 0.3, 1e-12);
}

/* Bayes is clamped to 1e-4 .. 1 - 1e-4 (about +-9.21 log-odds) before the rules are added,
 * so a few strong rules overturn a confident, wrong Bayes score */
Test(combine, a_confident_bayes_score_is_clamped)
{
    double l = log((1 - KD_P_MIN) / KD_P_MIN);
    cr_expect_float_eq(kd_logit(1.0), l, 1e-9);
    cr_expect_float_eq(kd_logit(0.0), -l, 1e-9);
    cr_expect_float_eq(combined(1.0, -l, 0), 0.5, 1e-9);
    cr_expect_float_eq(combined(0.0, l, 0), 0.5, 1e-9);
    cr_expect_lt(combined(1.0, -10, 0), 0.5);
}

/* a campaign of N authors or posts adds 1.5 log-odds per one past the first, at most 6 */
Test(combine, a_campaign_adds_capped_evidence)
{
    cr_expect_float_eq(combined(0.5, 0, 2), 1 / (1 + exp(-1.5)), 1e-12);
    cr_expect_float_eq(combined(0.5, 0, 4), 1 / (1 + exp(-4.5)), 1e-12);
    cr_expect_float_eq(combined(0.5, 0, 5), 1 / (1 + exp(-6.0)), 1e-12);
    cr_expect_float_eq(combined(0.5, 0, 1000), 1 / (1 + exp(-6.0)), 1e-12);
}

/* a moderation word lifts the score to the ham cut-off exactly, which the verdict holds; a
 * score above it is left as it is */
Test(combine, a_moderation_word_holds_never_lowers)
{
    kd_options o = KD_OPTIONS_INIT;
    kd_result r = result(0.01, 0, 0);
    r.rules_hold = 1;
    kd_combine(&r, &o);
    cr_expect_eq(r.spam_score, o.ham_cutoff);
    kd_verdict_decide(&r, &o);
    cr_expect_eq(r.verdict, KD_HOLD);
    r = result(0.97, 0, 0);
    r.rules_hold = 1;
    kd_combine(&r, &o);
    cr_expect_eq(r.spam_score, 0.97);
    kd_verdict_decide(&r, &o);
    cr_expect_eq(r.verdict, KD_VERDICT_SPAM);
}

/* With equal cut-offs (--spam-cutoff 0.5, no band between them) a moderation word still holds,
 * as a duplicate or an off-topic comment is held: lifted to the ham cut-off, which is then the
 * spam cut-off, such a comment (a reader in crisis, README) was spam. Its score is left as it
 * is; a score that is spam on its own stays spam. */
Test(combine, a_moderation_word_holds_with_no_band_between_the_cutoffs)
{
    kd_options o = KD_OPTIONS_INIT;
    o.spam_cutoff = o.ham_cutoff = 0.5;
    kd_result r = result(0.01, 0, 0);
    r.rules_hold = 1;
    kd_combine(&r, &o);
    cr_expect_eq(r.spam_score, 0.01);
    kd_verdict_decide(&r, &o);
    cr_expect_eq(r.verdict, KD_HOLD);
    r = result(0.6, 0, 0);
    r.rules_hold = 1;
    kd_combine(&r, &o);
    kd_verdict_decide(&r, &o);
    cr_expect_eq(r.verdict, KD_VERDICT_SPAM);
}
