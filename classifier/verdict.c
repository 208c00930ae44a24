/*
 * verdict.c - the three-way verdict and the reasons behind it.
 *
 * Two cut-offs split the final spam score: at or above spam_cutoff the comment is spam,
 * below ham_cutoff it is approved, and in between it is held for a moderator. The middle
 * band is where a Fisher-combined score lands when the evidence is missing or conflicts,
 * so "hold" means "a human should look", not "probably spam".
 *
 * A comment that is not spam is still held when it duplicates an earlier comment (the
 * verdict is configurable) or when it is off topic.
 */
#include "verdict.h"

#include "buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kd_verdict_name(kd_verdict v)
{
    switch (v) {
    case KD_APPROVE: return "approve";
    case KD_VERDICT_SPAM: return "spam";
    case KD_HOLD: return "hold";
    }
    return "hold";
}

/* Take ownership of s as the next reason. The array grows by doubling from 8 (room for
 * the usual Bayes score, a rule or two and five tokens in one allocation). */
static int reason_push(kd_result *r, char *s)
{
    if (!s)
        return KD_ENOMEM;
    size_t n = r->nreasons;
    if (n < 8 ? !n : !(n & (n - 1))) { /* 0 or a power of two >= 8: full */
        char **p = realloc(r->reasons, (n ? 2 * n : 8) * sizeof *p);
        if (!p) {
            free(s);
            return KD_ENOMEM;
        }
        r->reasons = p;
    }
    r->reasons[r->nreasons++] = s;
    return KD_OK;
}

/* "token:TOKEN=0.97", built without printf: there are several per comment. */
static int reason_token(kd_result *r, const kd_token_weight *t)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_puts(&b, "token:");
    kd_buf_puts(&b, t->token);
    kd_buf_putc(&b, '=');
    kd_buf_fixed(&b, t->prob, 2);
    return reason_push(r, kd_buf_detach(&b));
}

/* Formatted once into a stack buffer; only a reason longer than that is formatted again,
 * into memory of its size. */
int kd_reason_add(kd_result *r, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!s)
        return KD_ENOMEM;
    if ((size_t)n < sizeof small) {
        memcpy(s, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return reason_push(r, s);
}

void kd_verdict_decide(kd_result *r, const kd_options *o)
{
    if (r->spam_score >= o->spam_cutoff)
        r->verdict = KD_VERDICT_SPAM;
    else if (r->spam_score >= o->ham_cutoff)
        r->verdict = KD_HOLD;
    else
        r->verdict = KD_APPROVE;
    if (r->verdict == KD_APPROVE && r->duplicate_of)
        r->verdict = o->dup_verdict;
    if (r->verdict == KD_APPROVE && r->off_topic)
        r->verdict = KD_HOLD;
}

int kd_verdict_explain(kd_result *r, const kd_options *o)
{
    (void)o;
    kd_buf b = KD_BUF_INIT;
    kd_buf_puts(&b, "bayes=");
    kd_buf_fixed(&b, r->bayes_score, 3);
    int rc = reason_push(r, kd_buf_detach(&b));
    for (size_t i = 0; i < r->nrules && !rc; i++) {
        /* one decimal, as the rule files write scores, unless the score needs more (a
         * rule of 0.15 showed as +0.1, one of 0.01 as +0.0) */
        double x = r->rules[i].score;
        int tenths = fabs(x * 10 - round(x * 10)) < 1e-9;
        rc = kd_reason_add(r, tenths ? "rule:%s=%+.1f" : "rule:%s=%+g", r->rules[i].name, x);
    }
    if (!rc && r->duplicate_of)
        rc = kd_reason_add(r, "duplicate_of:%s (%s, similarity %.2f)", r->duplicate_of,
                           r->duplicate_scope ? r->duplicate_scope : "site", r->similarity);
    if (!rc && r->campaign >= 2)
        rc = kd_reason_add(r, "campaign:%u", r->campaign);
    if (!rc && r->off_topic)
        rc = kd_reason_add(r, "off_topic (relevance %.2f)", r->relevance);
    if (!rc && r->generic)
        rc = kd_reason_add(r, "generic");
    for (size_t i = 0; i < r->ntop && !rc; i++)
        rc = reason_token(r, &r->top[i]);
    return rc;
}
