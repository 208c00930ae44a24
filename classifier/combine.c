/*
 * combine.c - one calibrated spam score: the stages' evidence added as log-odds.
 *
 * SpamAssassin folds its Bayes result into the rule scores as one more rule; kindly does the
 * same in probability terms. The Bayes score is turned into log-odds (clamped to 1e-4 ..
 * 1 - 1e-4, i.e. about +-9.2, so that a few strong rules can still overturn a confident but
 * wrong Bayes score), the scores of the rules that fired are added (a rule's score is the
 * log-odds it adds: +2.2 multiplies the odds of spam by 9), and a duplicate campaign adds its
 * own evidence. The logistic of the sum is the final spam_score. A moderation word from the
 * rule file then lifts the score to at least the ham cut-off (held, never approved).
 */
#include "combine.h"

#include <math.h>

double kd_logit(double p)
{
    if (p < KD_P_MIN)
        p = KD_P_MIN;
    if (p > 1 - KD_P_MIN)
        p = 1 - KD_P_MIN;
    return log(p / (1 - p));
}

double kd_logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Log-odds added per extra author or post that posted the same text (capped). */
#define CAMPAIGN_STEP 1.5
#define CAMPAIGN_MAX 6.0

double kd_campaign_logodds(unsigned campaign)
{
    if (campaign < 2)
        return 0.0;
    double c = CAMPAIGN_STEP * (campaign - 1);
    return c < CAMPAIGN_MAX ? c : CAMPAIGN_MAX;
}

void kd_combine(kd_result *r, const kd_options *o)
{
    if (r->rules_score == 0.0 && r->campaign < 2)
        r->spam_score = r->bayes_score; /* no other evidence: keep Bayes' own scale */
    else
        r->spam_score = kd_logistic(kd_logit(r->bayes_score) + r->rules_score + kd_campaign_logodds(r->campaign));
    /* A moderation word (WordPress "Comment Moderation") holds the comment: its score is
     * raised to the ham cut-off, so it is never approved but may still be spam. With no band
     * between the cut-offs (equal) that would make it spam: the score is left, and the
     * verdict holds it (verdict.c). */
    if (r->rules_hold && r->spam_score < o->ham_cutoff && o->ham_cutoff < o->spam_cutoff)
        r->spam_score = o->ham_cutoff;
}
