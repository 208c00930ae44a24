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

#endif
