/* test_verdict.c - the three-way verdict and the reasons: the order and the text of every
 * reason, and the reasons array growing past its first allocation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

static const kd_options opts = KD_OPTIONS_INIT;

Test(verdict, cutoffs_and_duplicates)
{
    kd_result r;
    memset(&r, 0, sizeof r);
    r.spam_score = 0.95;
    kd_verdict_decide(&r, &opts);
    cr_assert_eq(r.verdict, KD_VERDICT_SPAM);
    r.spam_score = 0.6;
    kd_verdict_decide(&r, &opts);
    cr_assert_eq(r.verdict, KD_HOLD);
    r.spam_score = 0.1;
    kd_verdict_decide(&r, &opts);
    cr_assert_eq(r.verdict, KD_APPROVE);
    r.duplicate_of = "x";
    kd_verdict_decide(&r, &opts);
    cr_assert_eq(r.verdict, KD_HOLD, "a duplicate is held by default");
}

/* --dup-verdict spam makes every duplicate that is not spam spam, as the flag says: one held
 * by its score (0.6) stayed held while one that would have been approved (0.1) was spam, so
 * of two copies the less spammy one got the harsher verdict. hold and approve leave a held
 * duplicate held (approve: a duplicate is not held for being one, but its score still is). */
Test(verdict, a_duplicate_held_by_its_score_takes_dup_verdict_spam)
{
    kd_options o = KD_OPTIONS_INIT;
    kd_result r;
    memset(&r, 0, sizeof r);
    r.duplicate_of = "x";
    static const struct { kd_verdict dup; double score; kd_verdict want; } cases[] = {
        { KD_VERDICT_SPAM, 0.1, KD_VERDICT_SPAM }, { KD_VERDICT_SPAM, 0.6, KD_VERDICT_SPAM },
        { KD_HOLD, 0.1, KD_HOLD },                 { KD_HOLD, 0.6, KD_HOLD },
        { KD_APPROVE, 0.1, KD_APPROVE },           { KD_APPROVE, 0.6, KD_HOLD },
        { KD_APPROVE, 0.95, KD_VERDICT_SPAM },     { KD_HOLD, 0.95, KD_VERDICT_SPAM },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        o.dup_verdict = cases[i].dup;
        r.spam_score = cases[i].score;
        kd_verdict_decide(&r, &o);
        cr_expect_eq(r.verdict, cases[i].want, "--dup-verdict %s, score %g: %s", kd_verdict_name(cases[i].dup),
                     cases[i].score, kd_verdict_name(r.verdict));
    }
}

/* A moderation word holds a duplicate under --dup-verdict spam with equal cut-offs too, as at
 * the default ones (its score lifted to the ham cut-off, combine.c): with no band to lift it
 * into, its score was left below the cut-off, the duplicate's verdict was applied to an
 * approved comment, and a reader in crisis who posted twice was spam. Spam by its score
 * stays spam. */
Test(verdict, a_moderation_word_holds_a_duplicate_with_equal_cutoffs)
{
    kd_options o = KD_OPTIONS_INIT;
    o.dup_verdict = KD_VERDICT_SPAM;
    kd_result r;
    memset(&r, 0, sizeof r);
    r.duplicate_of = "x";
    r.rules_hold = 1;
    static const struct { double spam_cutoff, ham_cutoff, score; kd_verdict want; } cases[] = {
        { 0.7, 0.7, 0.1, KD_HOLD }, { 0.9, 0.5, 0.5, KD_HOLD }, { 0.9, 0.5, 0.6, KD_HOLD },
        { 0.7, 0.7, 0.8, KD_VERDICT_SPAM },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        o.spam_cutoff = cases[i].spam_cutoff;
        o.ham_cutoff = cases[i].ham_cutoff;
        r.spam_score = cases[i].score;
        kd_verdict_decide(&r, &o);
        cr_expect_eq(r.verdict, cases[i].want, "cut-offs %g / %g, score %g: %s", o.spam_cutoff, o.ham_cutoff,
                     cases[i].score, kd_verdict_name(r.verdict));
    }
}

/* The cut-offs at their exact values, as README's flags table words them: spam_score >=
 * spam_cutoff is spam, < ham_cutoff approved, the rest held; equal cut-offs leave no hold. */
Test(verdict, cutoffs_at_their_exact_values)
{
    kd_options o = KD_OPTIONS_INIT;
    kd_result r;
    memset(&r, 0, sizeof r);
    static const struct { double spam_cutoff, ham_cutoff, score; kd_verdict want; } cases[] = {
        { 0.9, 0.5, 0.9, KD_VERDICT_SPAM }, { 0.9, 0.5, 0.8999999999, KD_HOLD },
        { 0.9, 0.5, 0.5, KD_HOLD },         { 0.9, 0.5, 0.4999999999, KD_APPROVE },
        { 0.7, 0.7, 0.7, KD_VERDICT_SPAM }, { 0.7, 0.7, 0.6999999999, KD_APPROVE },
        { 1.0, 0.0, 0.0, KD_HOLD },         { 1.0, 0.0, 1.0, KD_VERDICT_SPAM },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        o.spam_cutoff = cases[i].spam_cutoff;
        o.ham_cutoff = cases[i].ham_cutoff;
        r.spam_score = cases[i].score;
        kd_verdict_decide(&r, &o);
        cr_expect_eq(r.verdict, cases[i].want, "score %.10g, cut-offs %g / %g: %s", cases[i].score,
                     cases[i].spam_cutoff, cases[i].ham_cutoff, kd_verdict_name(r.verdict));
    }
}

/* Many rules and tokens: more reasons than the first allocation holds (8), in order. */
Test(verdict, reasons_in_order_past_the_first_allocation)
{
    kd_result r;
    memset(&r, 0, sizeof r);
    r.bayes_score = 0.98765;
    kd_rule_hit hits[13];
    char names[13][16];
    for (int i = 0; i < 13; i++) {
        snprintf(names[i], sizeof names[i], "RULE_%d", i);
        hits[i] = (kd_rule_hit){ names[i], i % 2 ? 1.5 : -20 };
    }
    r.rules = hits;
    r.nrules = 13;
    r.duplicate_of = "c-1";
    r.duplicate_scope = "site";
    r.similarity = 0.73;
    r.campaign = 3;
    r.generic = 1;
    kd_token_weight top[5] = {
        { "free", 0.97, 10, 1 }, { "cbd", 0.955, 5, 0 }, { "a:best", 0.5, 1, 1 },
        { "#url", 0.1, 1, 9 },   { "x", 1.0, 3, 0 },
    };
    r.top = top;
    r.ntop = 5;
    cr_assert_eq(kd_verdict_explain(&r, &opts), 0);
    const char *want[] = { "bayes=0.988", "rule:RULE_0=-20.0", "rule:RULE_1=+1.5", "rule:RULE_2=-20.0",
                           "rule:RULE_3=+1.5", "rule:RULE_4=-20.0", "rule:RULE_5=+1.5", "rule:RULE_6=-20.0",
                           "rule:RULE_7=+1.5", "rule:RULE_8=-20.0", "rule:RULE_9=+1.5", "rule:RULE_10=-20.0",
                           "rule:RULE_11=+1.5", "rule:RULE_12=-20.0", "duplicate_of:c-1 (site, similarity 0.73)",
                           "campaign:3", "generic", "token:free=0.97", "token:cbd=0.96", "token:a:best=0.5",
                           "token:#url=0.1", "token:x=1" };
    size_t n = sizeof want / sizeof *want;
    cr_assert_eq(r.nreasons, n, "%zu reasons, expected %zu", r.nreasons, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(r.reasons[i], want[i], "reason %zu", i);
    free(r.reasons); /* the strings with it */
}

/* A rule's score keeps the precision it was written with: 0.15 showed as +0.1, 0.01 as
 * +0.0; whole and one-decimal scores keep their one decimal. A score within a hundredth of
 * one decimal (0.0005, 2.004) is not one of those: it keeps its own figures. */
Test(verdict, rule_scores_are_not_rounded_away)
{
    kd_result r;
    memset(&r, 0, sizeof r);
    r.bayes_score = 0.5;
    kd_rule_hit hits[7] = { { "A", 0.15 },  { "B", 0.01 },    { "C", 2 },     { "D", -1.5 },
                            { "E", -0.125 }, { "F", 0.0005 }, { "G", 2.004 } };
    r.rules = hits;
    r.nrules = 7;
    cr_assert_eq(kd_verdict_explain(&r, &opts), 0);
    const char *want[] = { "bayes=0.5",     "rule:A=+0.15",   "rule:B=+0.01",  "rule:C=+2.0",
                           "rule:D=-1.5",   "rule:E=-0.125",  "rule:F=+0.0005", "rule:G=+2.004" };
    cr_assert_eq(r.nreasons, 8);
    for (size_t i = 0; i < 8; i++)
        cr_assert_str_eq(r.reasons[i], want[i], "reason %zu", i);
    free(r.reasons); /* the strings with it */
}

/* The duplicate's reason names the scope it was found in ("site" when none is set). */
Test(verdict, the_duplicate_reason_names_its_scope)
{
    static const struct { const char *scope, *want; } cases[] = {
        { "same_author", "duplicate_of:c-7 (same_author, similarity 0.91)" },
        { "same_post", "duplicate_of:c-7 (same_post, similarity 0.91)" },
        { NULL, "duplicate_of:c-7 (site, similarity 0.91)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kd_result r;
        memset(&r, 0, sizeof r);
        r.duplicate_of = "c-7";
        r.duplicate_scope = cases[i].scope;
        r.similarity = 0.91;
        cr_assert_eq(kd_verdict_explain(&r, &opts), 0);
        cr_assert_eq(r.nreasons, 2);
        cr_assert_str_eq(r.reasons[1], cases[i].want);
        free(r.reasons);
    }
}

/* The reason "off_topic (relevance X)": X rounded down to hundredths (0.2959 under 0.30 is
 * 0.29, 0.28999... as a double too), with more decimals only when two do not show it below a
 * threshold of more: 0.6739 under 0.674 said 0.67 (as if at a threshold of 0.67). */
static const char *off_topic_reason(double relevance, double threshold, kd_result *r)
{
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = threshold;
    memset(r, 0, sizeof *r);
    r->relevance = relevance;
    r->off_topic = 1;
    cr_assert_eq(kd_verdict_explain(r, &o), 0);
    cr_assert_eq(r->nreasons, 2);
    return r->reasons[1];
}

Test(verdict, the_off_topic_relevance_reads_below_the_threshold)
{
    struct {
        double rel, t;
        const char *want;
    } cases[] = {
        { 0.2959, 0.30, "off_topic (relevance 0.29)" },     { 0.29, 0.30, "off_topic (relevance 0.29)" },
        { 0.29999, 0.30, "off_topic (relevance 0.29)" },    { 0.6739, 0.674, "off_topic (relevance 0.673)" },
        { 0.6639, 0.674, "off_topic (relevance 0.66)" },    { 0.67399999, 0.674, "off_topic (relevance 0.673)" },
        { 0.676862, 0.6769, "off_topic (relevance 0.6768)" }, { 0.6768629, 0.676863, "off_topic (relevance 0.676862)" },
        { 0.05, 0.3, "off_topic (relevance 0.05)" },
        /* 0.29 is 0.28999... as a double: its hundredths are 29, those of 0.291 too, so a
         * third decimal, 0.290 (not 0.28 nor, by the double's floor, 0.29) */
        { 0.29, 0.291, "off_topic (relevance 0.290)" },
        /* at most nine decimals, however close the two are */
        { 0.1234567891, 0.1234567895, "off_topic (relevance 0.123456789)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kd_result r;
        cr_assert_str_eq(off_topic_reason(cases[i].rel, cases[i].t, &r), cases[i].want, "%g under %g", cases[i].rel,
                         cases[i].t);
        free(r.reasons);
    }
    /* --explain's figure (rounded, from four decimals): the first that is below */
    cr_assert_eq(kd_decimals_below(0.2715, 0.274, 4, 0), 4);
    cr_assert_eq(kd_decimals_below(0.29996, 0.30, 4, 0), 5);
    cr_assert_eq(kd_decimals_below(0.676862, 0.676863, 4, 0), 5);
    cr_assert_eq(kd_decimals_below(0.5, 0.3, 4, 0), 4, "not below: the first count");
}
