/*
 * verdict.h - from the stages' scores to the verdict and its reasons (internal).
 */
#ifndef KD_VERDICT_H
#define KD_VERDICT_H

#include "kindly.h"

/* Set r->verdict from r->spam_score and the other stages' findings. */
void kd_verdict_decide(kd_result *r, const kd_options *o);
/* Set r->reasons (none before) to the reasons for the verdict: the stages' findings, then
 * the strongest tokens; one allocation, the strings after the array, freed with
 * free(r->reasons). 0 or KD_ENOMEM. */
int kd_verdict_explain(kd_result *r, const kd_options *o);
/* The decimals, from `from` up to 9, that write x, a relevance below the off-topic threshold
 * t, so that it reads below t: rounded (down 0, --explain's figure), the first whose figure is
 * below t (0.676862 under 0.676863 is 0.67686, not 0.6769); rounded down (down 1, the reason
 * "off_topic (relevance X)"), the first whose figure is below t cut to as many decimals
 * (0.6739 under 0.674 is 0.673: "0.67" read as at the threshold, or under one it is not
 * compared with). `from` when x is not below t. */
int kd_decimals_below(double x, double t, int from, int down);

#endif
