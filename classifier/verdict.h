/*
 * verdict.h - from the stages' scores to the verdict and its reasons (internal).
 */
#ifndef KD_VERDICT_H
#define KD_VERDICT_H

#include "kindly.h"

/* Set r->verdict from r->spam_score and the other stages' findings. */
void kd_verdict_decide(kd_result *r, const kd_options *o);
/* Append the reasons for the verdict to r->reasons: the stages' findings, then the
 * strongest tokens. 0 or KD_ENOMEM. */
int kd_verdict_explain(kd_result *r, const kd_options *o);
/* Append one reason (printf-style) to r->reasons. 0 or KD_ENOMEM. */
int kd_reason_add(kd_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
