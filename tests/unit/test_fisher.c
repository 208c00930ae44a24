/* test_fisher.c - Robinson/Fisher and multinomial scorers on hand-made counts. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"

static const kd_options opts = KD_OPTIONS_INIT;

Test(fisher, chi2q_known_values)
{
    /* chi-square survival with 2 d.o.f. is exp(-x/2) */
    cr_assert_float_eq(kd_chi2q(2.0, 2), exp(-1.0), 1e-12);
    /* with 4 d.o.f.: exp(-m)(1 + m), m = x/2 */
    cr_assert_float_eq(kd_chi2q(6.0, 4), exp(-3.0) * 4.0, 1e-12);
    cr_assert_float_eq(kd_chi2q(0.0, 10), 1.0, 1e-12);
    /* huge x2: no underflow to garbage, just ~0; the log-space branch agrees */
    cr_assert_lt(kd_chi2q(3000.0, 300), 1e-100);
    cr_assert_float_eq(kd_chi2q(1401.0, 1600), 1.0, 1e-3);
}

static double run(const kd_scorer_ops *ops, kd_bayes_token *t, size_t n, kd_totals tot)
{
    kd_bayes_ctx ctx = { &tot, 1000, &opts };
    return ops->combine(t, n, &ctx);
}

Test(fisher, spammy_tokens_score_high_hammy_low_none_half)
{
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_bayes_token spam[3] = { { 0, { 40, 0 }, 0, 0 }, { 1, { 30, 1 }, 0, 0 }, { 2, { 25, 0 }, 0, 0 } };
    kd_bayes_token ham[3] = { { 0, { 0, 40 }, 0, 0 }, { 1, { 1, 30 }, 0, 0 }, { 2, { 0, 25 }, 0, 0 } };
    kd_bayes_token unknown[2] = { { 0, { 0, 0 }, 0, 0 }, { 1, { 0, 0 }, 0, 0 } };
    cr_assert_gt(run(&kd_scorer_fisher, spam, 3, tot), 0.99);
    cr_assert_lt(run(&kd_scorer_fisher, ham, 3, tot), 0.01);
    cr_assert_float_eq(run(&kd_scorer_fisher, unknown, 2, tot), 0.5, 1e-12);
    cr_assert_eq(unknown[0].used, 0);
    cr_assert_gt(spam[0].p, 0.95);
    cr_assert_eq(spam[0].used, 1);
}

Test(fisher, conflicting_evidence_is_unsure)
{
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_bayes_token t[2] = { { 0, { 50, 0 }, 0, 0 }, { 1, { 0, 50 }, 0, 0 } };
    double s = run(&kd_scorer_fisher, t, 2, tot);
    cr_assert_float_eq(s, 0.5, 0.05);
}

Test(fisher, robinson_shrinks_rare_tokens)
{
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_bayes_token once[1] = { { 0, { 1, 0 }, 0, 0 } };
    kd_bayes_token often[1] = { { 0, { 50, 0 }, 0, 0 } };
    run(&kd_scorer_fisher, once, 1, tot);
    run(&kd_scorer_fisher, often, 1, tot);
    cr_assert_lt(once[0].p, often[0].p);
    /* f = (s*x + n*p)/(s + n) with p = 1, n = 1, s = 0.45, x = 0.5 */
    cr_assert_float_eq(once[0].p, (0.45 * 0.5 + 1.0) / 1.45, 1e-12);
}

Test(fisher, class_sizes_are_normalised)
{
    /* a token in 10% of spam and 10% of ham is neutral however unbalanced the classes */
    kd_totals tot = { 1000, 100, 10000, 1000, 1000, 0, 0 };
    kd_bayes_token t[1] = { { 0, { 100, 10 }, 0, 0 } };
    run(&kd_scorer_fisher, t, 1, tot);
    cr_assert_float_eq(t[0].p, 0.5, 1e-9);
}

Test(multinomial, direction_length_normalisation_and_prior)
{
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_bayes_token spam[2] = { { 0, { 40, 0 }, 0, 0 }, { 1, { 30, 1 }, 0, 0 } };
    kd_bayes_token ham[2] = { { 0, { 0, 40 }, 0, 0 }, { 1, { 1, 30 }, 0, 0 } };
    kd_bayes_token none[1] = { { 0, { 0, 0 }, 0, 0 } };
    /* equal class totals: each token's log-likelihood ratio is ln((s+1)/(h+1));
     * the sum over the 2 tokens is divided by sqrt(2) */
    double lo = (log(41.0) + log(31.0 / 2.0)) / sqrt(2.0);
    cr_assert_float_eq(run(&kd_scorer_multinomial, spam, 2, tot), 1 / (1 + exp(-lo)), 1e-12);
    cr_assert_float_eq(run(&kd_scorer_multinomial, ham, 2, tot), 1 / (1 + exp(lo)), 1e-12);
    cr_assert_float_eq(spam[0].p, 41.0 / 42.0, 1e-12); /* logistic(ln 41) */
    cr_assert_float_eq(run(&kd_scorer_multinomial, none, 1, tot), 0.5, 1e-12);
    cr_assert_eq(none[0].used, 0);
    /* with no known token only the (half-weighted) class prior speaks: 0.5 * ln(300/100) */
    kd_totals skew = { 300, 100, 3000, 1000, 1000, 0, 0 };
    cr_assert_float_eq(run(&kd_scorer_multinomial, none, 1, skew), 1 / (1 + exp(-0.5 * log(3.0))), 1e-12);
}

/* ln(c + 1) comes from log() until the lookups add up to the table's size, then from the
 * table: both give exactly log()'s value, for counts in the table and past it. (Each test
 * runs in a process of its own: the first call here is the first lookup.) Every token is
 * asked for, so that each gets its probability. */
Test(multinomial, log_counts_equal_log_before_and_after_the_table)
{
    kd_totals tot = { 100, 100, 1000, 2000, 1000, 0, 0 };
    kd_options every = KD_OPTIONS_INIT;
    every.reasons = 5000;
    kd_bayes_ctx ctx = { &tot, 1000, &every };
    double ds = log(1000.0 + 1000.0), dh = log(2000.0 + 1000.0);
    enum { N = 5000 };
    static kd_bayes_token t[N];
    for (int pass = 0; pass < 3; pass++) { /* log(), then the table (filled by the second call) */
        for (int64_t c = 0; c < N; c++)
            t[c] = (kd_bayes_token){ (uint32_t)c, { c, c < 4095 ? 4095 - c : c + 7 }, 0, 0 };
        kd_scorer_multinomial.combine(t, N, &ctx);
        for (int64_t c = 0; c < N; c++) {
            double llr = (log((double)t[c].c.spam + 1.0) - ds) - (log((double)t[c].c.ham + 1.0) - dh);
            cr_assert(t[c].p == 1.0 / (1.0 + exp(-llr)), "count %lld, pass %d: %.17g", (long long)c, pass, t[c].p);
        }
    }
}

/* bayes.c's order of evidence: used first, then further from 0.5, then earlier. */
static int weaker(const void *x, const void *y)
{
    const kd_bayes_token *a = x, *b = y;
    if (a->used != b->used)
        return a->used < b->used ? 1 : -1;
    double da = fabs(a->p - 0.5), db = fabs(b->p - 0.5);
    if (da != db)
        return da < db ? 1 : -1;
    return a->idx > b->idx ? 1 : -1;
}

/* Only the tokens that can be shown get their probability (multinomial.c, shown_floor):
 * for every number of reasons, the strongest tokens, their order and their probabilities
 * are those of computing every probability. Random counts, many of them equal (ties go by
 * position), some large enough (ln 4e18 ~ 42.8) that probabilities round to 1 and tie too, and some
 * log-likelihood ratios just either side of the margin below the cut. */
Test(multinomial, strongest_tokens_as_if_every_probability_were_computed)
{
    enum { N = 80 };
    static const int64_t big[] = { 0, 1, 2, 3, 5, 8, 40, 300, 5000, 200000, 900000000,
                                   40000000000000000, 4000000000000000000, 3999999999999999999 };
    kd_totals tot = { 1000, 3000, 100000, 300000, 50000, 0, 0 };
    kd_options every = KD_OPTIONS_INIT, some = KD_OPTIONS_INIT;
    every.reasons = 1000; /* more than shown_floor() selects among: every probability */
    kd_bayes_ctx all_ctx = { &tot, 50000, &every }, some_ctx = { &tot, 50000, &some };
    unsigned seed = 12345;
    for (int round = 0; round < 4000; round++) {
        kd_bayes_token all[N], lazy[N];
        size_t n = 1 + (size_t)(round % N);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            int64_t s = round % 3 == 0 ? big[r % 14] : (int64_t)(r % 7);
            int64_t h = round % 3 == 0 ? big[(r >> 4) % 14] : (int64_t)((r >> 4) % 9);
            if (round % 5 == 0 && i % 2) /* the same counts over and over: ties */
                s = 3, h = 1;
            all[i] = (kd_bayes_token){ (uint32_t)i, { s, h }, 0, 0 };
        }
        memcpy(lazy, all, n * sizeof *all);
        some.reasons = (unsigned)(round % 13);
        double p_all = kd_scorer_multinomial.combine(all, n, &all_ctx);
        double p_some = kd_scorer_multinomial.combine(lazy, n, &some_ctx);
        cr_assert(p_all == p_some, "round %d: %.17g against %.17g", round, p_some, p_all);
        qsort(all, n, sizeof *all, weaker);
        qsort(lazy, n, sizeof *lazy, weaker);
        size_t used = 0;
        for (size_t i = 0; i < n; i++)
            used += (size_t)all[i].used;
        size_t want = some.reasons < used ? some.reasons : used;
        for (size_t i = 0; i < want; i++) {
            cr_assert_eq(lazy[i].idx, all[i].idx, "round %d, reasons %u: token %zu", round, some.reasons, i);
            cr_assert(lazy[i].p == all[i].p, "round %d: %.17g against %.17g", round, lazy[i].p, all[i].p);
        }
    }
}

/* At the margin: log-likelihood ratios that differ by less than it are all computed; the
 * known token furthest below the cut keeps 0.5, which no shown token has. */
Test(multinomial, tokens_far_below_the_cut_keep_one_half)
{
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_options one = KD_OPTIONS_INIT;
    one.reasons = 1;
    kd_bayes_ctx ctx = { &tot, 1000, &one };
    /* equal totals: llr = ln((s+1)/(h+1)); ln 41 ~ 3.71, ln 2 ~ 0.69 */
    kd_bayes_token t[3] = { { 0, { 1, 0 }, 0, 0 }, { 1, { 40, 0 }, 0, 0 }, { 2, { 0, 1 }, 0, 0 } };
    kd_scorer_multinomial.combine(t, 3, &ctx);
    cr_assert(t[1].p == 1.0 / (1.0 + exp(-log(41.0))));
    cr_assert_eq(t[0].p, 0.5);
    cr_assert_eq(t[2].p, 0.5);
    cr_assert(t[0].used && t[1].used && t[2].used);
}

/* A model file that another program wrote, or a damaged one, can hold negative counts and
 * totals (kindly's writes clamp at zero). Both scorers read them as zero: the same score and
 * token probabilities as with zeros, finite and in [0, 1]. A count of -5 made the multinomial
 * score NaN (ln(-4)), which every cut-off takes for "not spam"; Fisher showed a probability of
 * -0.03. */
Test(fisher, negative_counts_and_totals_read_as_zero)
{
    const kd_totals tots[2][2] = { { { 100, 100, 1000, 1000, 1000, 0, 0 }, { 100, 100, 1000, 1000, 1000, 0, 0 } },
                                   { { -5, 100, -3000, 1000, 1000, 0, 0 }, { 0, 100, 0, 1000, 1000, 0, 0 } } };
    for (int scorer = 0; scorer < 2; scorer++)
        for (int k = 0; k < 2; k++) {
            const kd_scorer_ops *ops = scorer ? &kd_scorer_fisher : &kd_scorer_multinomial;
            kd_bayes_token bad[4] = { { 0, { 40, 0 }, 0, 0 }, { 1, { -5, 30 }, 0, 0 }, { 2, { 30, -7 }, 0, 0 },
                                      { 3, { -9, 0 }, 0, 0 } };
            kd_bayes_token zero[4] = { { 0, { 40, 0 }, 0, 0 }, { 1, { 0, 30 }, 0, 0 }, { 2, { 30, 0 }, 0, 0 },
                                       { 3, { 0, 0 }, 0, 0 } };
            double b = run(ops, bad, 4, tots[k][0]), z = run(ops, zero, 4, tots[k][1]);
            cr_assert(isfinite(b) && b >= 0 && b <= 1, "%s, totals %d: %g", ops->name, k, b);
            cr_assert(b == z, "%s, totals %d: %.17g, with zeros %.17g", ops->name, k, b, z);
            for (int i = 0; i < 4; i++) {
                cr_assert(bad[i].p == zero[i].p && bad[i].used == zero[i].used, "%s, token %d: %g", ops->name, i,
                          bad[i].p);
                cr_assert(bad[i].p >= 0 && bad[i].p <= 1, "%s, token %d: %g", ops->name, i, bad[i].p);
            }
        }
}

/* --robinson-s 0 (the CLI takes 0 to 100): a token the model never saw has no count and no
 * prior, f = 0 / 0; it carries no evidence, as with any s, and is f = x (Robinson's belief
 * about an unseen token). It was NaN, which the sort for --max-tokens cannot order: tokens
 * that counted were dropped past the cap while the score's degrees of freedom still counted
 * max_tokens of them, so unknown words changed the score of the same known ones. */
Test(fisher, an_unseen_token_with_no_prior_strength_is_x)
{
    kd_options o = KD_OPTIONS_INIT;
    o.robinson_s = 0;
    o.max_tokens = 3;
    kd_totals tot = { 100, 100, 1000, 1000, 1000, 0, 0 };
    kd_bayes_ctx ctx = { &tot, 1000, &o };
    kd_bayes_token known[5] = { { 0, { 40, 0 }, 0, 0 }, { 1, { 30, 2 }, 0, 0 }, { 2, { 3, 25 }, 0, 0 },
                                { 3, { 20, 5 }, 0, 0 }, { 4, { 1, 9 }, 0, 0 } };
    kd_bayes_token mixed[10]; /* the same, each after a token unknown to the model */
    for (int i = 0; i < 5; i++) {
        mixed[2 * i] = (kd_bayes_token){ (uint32_t)(10 + i), { 0, 0 }, 0, 0 };
        mixed[2 * i + 1] = known[i];
    }
    double want = kd_scorer_fisher.combine(known, 5, &ctx), got = kd_scorer_fisher.combine(mixed, 10, &ctx);
    size_t used = 0;
    for (int i = 0; i < 10; i++) {
        used += (size_t)mixed[i].used;
        cr_assert(!isnan(mixed[i].p), "token %d: NaN", i);
        if (!mixed[i].c.spam && !mixed[i].c.ham)
            cr_assert(mixed[i].p == o.robinson_x && !mixed[i].used, "unseen token %d: %g", i, mixed[i].p);
    }
    cr_assert_eq(used, 3);
    cr_assert(got == want, "%.17g with unknown tokens, %.17g without", got, want);
}

/* --min-dev D drops the tokens with |f(w) - 0.5| below D: one exactly D from 0.5 counts
 * (README: "ignore tokens closer than this to 0.5"). With s = 0, f = p = 3 / (3 + 1) = 0.75
 * exactly (S = H = 1), 0.25 from 0.5. */
Test(fisher, a_token_exactly_min_dev_from_half_counts)
{
    kd_options o = KD_OPTIONS_INIT;
    o.robinson_s = 0;
    o.min_dev = 0.25;
    kd_totals tot = { 1, 1, 1000, 1000, 1000, 0, 0 };
    kd_bayes_ctx ctx = { &tot, 1000, &o };
    kd_bayes_token t[1] = { { 0, { 3, 1 }, 0, 0 } };
    double s = kd_scorer_fisher.combine(t, 1, &ctx);
    cr_assert(t[0].p == 0.75, "%.17g", t[0].p);
    cr_assert_eq(t[0].used, 1);
    cr_assert_gt(s, 0.5, "%g: the token counted", s);
    o.min_dev = nextafter(0.25, 1.0);
    cr_assert_eq(kd_scorer_fisher.combine(t, 1, &ctx), 0.5, "closer than --min-dev: no evidence");
    cr_assert_eq(t[0].used, 0);
}
