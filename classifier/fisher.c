/*
 * fisher.c - Robinson's token probabilities combined with Fisher's chi-square method.
 *
 * Gary Robinson, "A Statistical Approach to the Spam Problem" (Linux Journal, 2003), and the
 * SpamBayes and bogofilter implementations of it:
 *
 *   p(w) = (s/S) / (s/S + h/H)              s, h: spam and ham messages holding w;
 *                                           S, H: spam and ham messages trained
 *   f(w) = (k*x + n*p(w)) / (k + n)         n = s + h; x: belief about an unseen token;
 *                                           k: the strength of that belief
 *
 * f(w) shrinks rare tokens towards x, which is what makes the method robust on the small
 * counts of short comments. Tokens with |f(w) - 0.5| < min_dev carry no evidence and are
 * dropped; of the rest, at most max_tokens of the most extreme are kept.
 *
 * Fisher's method (R. A. Fisher, 1925) asks how likely the f(w) would be if they were
 * uniformly random: -2 * sum(ln f) follows a chi-square distribution with 2n degrees of
 * freedom. Doing it for f and for 1 - f gives a ham indicator H and a spam indicator S, and
 *
 *   I = (1 + S - H) / 2
 *
 * is near 1 for spam, near 0 for ham, and near 0.5 both when there is no evidence and when
 * the evidence conflicts: the "unsure" middle that makes a three-way verdict meaningful.
 */
#include <math.h>
#include <stdlib.h>

#include "bayes.h"

double kd_chi2q(double x2, unsigned v)
{
    double m = x2 / 2.0;
    unsigned k = v / 2;
    if (k == 0)
        return 1.0;
    double sum, term;
    if (m < 700.0) {
        sum = term = exp(-m);
        for (unsigned i = 1; i < k; i++) {
            term *= m / i;
            sum += term;
        }
    } else {
        /* exp(-m) underflows: sum the terms in log space instead */
        double lt = -m, lm = log(m);
        sum = 0.0;
        for (unsigned i = 0; i < k; i++) {
            if (i)
                lt += lm - log((double)i);
            sum += exp(lt);
        }
    }
    return sum < 1.0 ? sum : 1.0;
}

static int by_strength(const void *a, const void *b)
{
    double x = fabs(((const kd_bayes_token *)a)->p - 0.5), y = fabs(((const kd_bayes_token *)b)->p - 0.5);
    return x < y ? 1 : x > y ? -1 : 0;
}

static double fisher_combine(kd_bayes_token *t, size_t n, const kd_bayes_ctx *ctx)
{
    const kd_options *o = ctx->opts;
    double S = ctx->totals->spam_messages > 0 ? (double)ctx->totals->spam_messages : 1.0;
    double H = ctx->totals->ham_messages > 0 ? (double)ctx->totals->ham_messages : 1.0;
    size_t strong = 0;
    for (size_t i = 0; i < n; i++) {
        /* a negative count (a damaged model file: writes clamp at zero) is read as zero */
        double s = t[i].c.spam > 0 ? (double)t[i].c.spam : 0.0, h = t[i].c.ham > 0 ? (double)t[i].c.ham : 0.0;
        double cnt = s + h;
        double p = cnt > 0 ? (s / S) / (s / S + h / H) : o->robinson_x;
        /* with s = 0 (robinson_s) an unseen token is x, not 0 / 0: the sort by strength
         * below cannot order a NaN, and dropped tokens that counted */
        double f = o->robinson_s + cnt > 0 ? (o->robinson_s * o->robinson_x + cnt * p) / (o->robinson_s + cnt)
                                           : o->robinson_x;
        t[i].p = f;
        t[i].used = fabs(f - 0.5) >= o->min_dev;
        strong += (size_t)t[i].used;
    }
    if (o->max_tokens && strong > o->max_tokens) {
        qsort(t, n, sizeof *t, by_strength);
        for (size_t i = o->max_tokens; i < n; i++)
            t[i].used = 0;
        strong = o->max_tokens;
    }
    if (!strong)
        return 0.5;
    double lnp = 0.0, lnq = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].used)
            continue;
        double f = t[i].p;
        if (f < 1e-9)
            f = 1e-9;
        if (f > 1 - 1e-9)
            f = 1 - 1e-9;
        lnp += log(f);
        lnq += log1p(-f);
    }
    double hamminess = 1.0 - kd_chi2q(-2.0 * lnp, 2 * (unsigned)strong);
    double spamminess = 1.0 - kd_chi2q(-2.0 * lnq, 2 * (unsigned)strong);
    return (1.0 + spamminess - hamminess) / 2.0;
}

const kd_scorer_ops kd_scorer_fisher = { "fisher", fisher_combine };
