/*
 * combine.h - one calibrated spam score from the stages' evidence (internal).
 */
#ifndef KD_COMBINE_H
#define KD_COMBINE_H

#include "kindly.h"

/* Set r->spam_score from r->bayes_score, r->rules_score and r->campaign. */
void kd_combine(kd_result *r, const kd_options *o);
/* The log-odds a campaign of that many authors or posts adds (0 below 2). */
double kd_campaign_logodds(unsigned campaign);

/* ln(p / (1 - p)) with p clamped to [KD_P_MIN, 1 - KD_P_MIN], and its inverse. */
#define KD_P_MIN 1e-4
double kd_logit(double p);
double kd_logistic(double x);

#endif
