/*
 * verdict.c - the three-way verdict and the reasons behind it.
 *
 * Two cut-offs split the final spam score: at or above spam_cutoff the comment is spam,
 * below ham_cutoff it is approved, and in between it is held for a moderator. The middle
 * band is where a Fisher-combined score lands when the evidence is missing or conflicts,
 * so "hold" means "a human should look", not "probably spam".
 */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *kd_verdict_name(kd_verdict v)
{
    switch (v) {
    case KD_APPROVE: return "approve";
    case KD_VERDICT_SPAM: return "spam";
    case KD_HOLD: return "hold";
    }
    return "hold";
}

int kd_reason_add(kd_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!s)
        return KD_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char **p = realloc(r->reasons, (r->nreasons + 1) * sizeof *p);
    if (!p) {
        free(s);
        return KD_ENOMEM;
    }
    r->reasons = p;
    r->reasons[r->nreasons++] = s;
    return KD_OK;
}

void kd_verdict_decide(kd_result *r, const kd_options *o)
{
    if (r->spam_score >= o->spam_cutoff)
        r->verdict = KD_VERDICT_SPAM;
    else if (r->spam_score >= o->ham_cutoff)
        r->verdict = KD_HOLD;
    else
        r->verdict = KD_APPROVE;
}
