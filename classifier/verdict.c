/*
 * verdict.c - the three-way verdict and the reasons behind it.
 *
 * Two cut-offs split the final spam score: at or above spam_cutoff the comment is spam,
 * below ham_cutoff it is approved, and in between it is held for a moderator. The middle
 * band is where a Fisher-combined score lands when the evidence is missing or conflicts,
 * so "hold" means "a human should look", not "probably spam".
 *
 * A comment that is not spam is still held when it duplicates an earlier comment (the
 * verdict is configurable: spam makes a held duplicate spam too), when a moderation word
 * matched (its score is lifted to the ham cut-off, combine.c, but not when the cut-offs are
 * equal: there is no band to lift it into) or when it is off topic.
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

void kd_verdict_decide(kd_result *r, const kd_options *o)
{
    if (r->spam_score >= o->spam_cutoff)
        r->verdict = KD_VERDICT_SPAM;
    else if (r->spam_score >= o->ham_cutoff)
        r->verdict = KD_HOLD;
    else
        r->verdict = KD_APPROVE;
    /* a duplicate is at least dup_verdict: with spam, one held by its score too (else the
     * less spammy of two copies got the harsher verdict); but a moderation word holds one
     * that spam would take: a person should see it (with equal cut-offs its score is not
     * lifted into a hold band) */
    kd_verdict dup = o->dup_verdict == KD_VERDICT_SPAM && r->rules_hold ? KD_HOLD : o->dup_verdict;
    if (r->duplicate_of && (r->verdict == KD_APPROVE || (r->verdict == KD_HOLD && dup == KD_VERDICT_SPAM)))
        r->verdict = dup;
    if (r->verdict == KD_APPROVE && (r->off_topic || r->rules_hold))
        r->verdict = KD_HOLD;
}

int kd_decimals_below(double x, double t, int from, int down)
{
    int d = from;
    for (double scale = pow(10, from); d < 9 && x < t; scale *= 10, d++)
        /* (1e-9: 0.29, which is 0.28999... as a double, stays 0.29) */
        if (down ? floor(x * scale + 1e-9) < floor(t * scale + 1e-9) : round(x * scale) / scale < t)
            break;
    return d;
}

/* One reason, printf-style, ended by its NUL. */
static void reason_printf(kd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason_printf(kd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    kd_buf_putc(b, '\0');
}

/*
 * The reasons go into one allocation: the array of pointers, then the strings one after
 * another, each ended by its NUL, so that a comment's reasons cost one malloc and one free
 * (kd_result_free) instead of one of each per reason (with the shown tokens' copies,
 * bayes.c, those were 6% of the instructions of `kindly score` with the Bayes stage alone).
 * All but a rule's score of more than one decimal ("rule:X=+0.15", %+g) are written without
 * printf; the figures printf would write (%.2f, %+.1f) by kd_buf_decimal, exactly as it.
 */
int kd_verdict_explain(kd_result *r, const kd_options *o)
{
    size_t n = 1 + r->nrules + (r->duplicate_of != NULL) + (r->campaign >= 2) + (r->off_topic != 0) +
               (r->generic != 0) + r->ntop;
    size_t head = n * sizeof(char *);
    kd_buf b = KD_BUF_INIT;
    if (kd_buf_grow(&b, head + 24 * n))
        return KD_ENOMEM;
    memset(b.s, 0, head); /* the pointers, set below */
    b.len = head;
    kd_buf_puts(&b, "bayes=");
    kd_buf_fixed(&b, r->bayes_score, 3);
    kd_buf_putc(&b, '\0');
    for (size_t i = 0; i < r->nrules; i++) {
        /* one decimal, as the rule files write scores, unless the score needs more (a
         * rule of 0.15 showed as +0.1, one of 0.01 as +0.0) */
        double x = r->rules[i].score;
        if (fabs(x * 10 - round(x * 10)) < 1e-9) { /* "rule:%s=%+.1f" */
            kd_buf_puts(&b, "rule:");
            kd_buf_puts(&b, r->rules[i].name);
            kd_buf_putc(&b, '=');
            kd_buf_decimal(&b, x, 1, 1);
            kd_buf_putc(&b, '\0');
        } else
            reason_printf(&b, "rule:%s=%+g", r->rules[i].name, x);
    }
    if (r->duplicate_of) { /* "duplicate_of:%s (%s, similarity %.2f)" */
        kd_buf_puts(&b, "duplicate_of:");
        kd_buf_puts(&b, r->duplicate_of);
        kd_buf_puts(&b, " (");
        kd_buf_puts(&b, r->duplicate_scope ? r->duplicate_scope : "site");
        kd_buf_puts(&b, ", similarity ");
        kd_buf_decimal(&b, r->similarity, 2, 0);
        kd_buf_add(&b, ")", 2); /* its NUL too */
    }
    if (r->campaign >= 2) {
        kd_buf_puts(&b, "campaign:");
        kd_buf_uint(&b, r->campaign);
        kd_buf_putc(&b, '\0');
    }
    if (r->off_topic) { /* "off_topic (relevance %.2f)", rounded down: it is below the
                         * threshold, and 0.2959 held at 0.30 read "relevance 0.30"; with more
                         * decimals when two do not show it below a threshold of more (0.6739
                         * under 0.674 read "0.67": 0.673) */
        int d = kd_decimals_below(r->relevance, o->offtopic_threshold, 2, 1);
        double scale = pow(10, d);
        kd_buf_puts(&b, "off_topic (relevance ");
        kd_buf_decimal(&b, floor(r->relevance * scale + 1e-9) / scale, d, 0);
        kd_buf_add(&b, ")", 2);
    }
    if (r->generic)
        kd_buf_add(&b, "generic", sizeof "generic"); /* its NUL too */
    for (size_t i = 0; i < r->ntop; i++) { /* "token:TOKEN=0.97" */
        kd_buf_puts(&b, "token:");
        kd_buf_puts(&b, r->top[i].token);
        kd_buf_putc(&b, '=');
        kd_buf_fixed(&b, r->top[i].prob, 2);
        kd_buf_putc(&b, '\0');
    }
    char *s = kd_buf_detach(&b);
    if (!s)
        return KD_ENOMEM;
    char **reasons = (char **)(void *)s, *q = s + head;
    for (size_t i = 0; i < n; i++) { /* no reason holds a NUL: each is made of C strings */
        reasons[i] = q;
        q += strlen(q) + 1;
    }
    r->reasons = reasons;
    r->nreasons = n;
    return KD_OK;
}
