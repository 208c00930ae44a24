/*
 * bayes.c - the statistical spam stage: counts in, one probability and its evidence out.
 *
 * The stage is the same whatever the scorer: gather each distinct token's counts, let the
 * scorer turn them into per-token probabilities and one combined probability, then keep the
 * strongest tokens (furthest from 0.5 among those that counted) as the evidence shown to
 * the moderator.
 */
#include "bayes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static int by_strength(const void *a, const void *b)
{
    const kd_bayes_token *x = a, *y = b;
    if (x->used != y->used)
        return y->used - x->used;
    double dx = fabs(x->p - 0.5), dy = fabs(y->p - 0.5);
    return dx < dy ? 1 : dx > dy ? -1 : (x->idx > y->idx) - (x->idx < y->idx);
}

int kd_bayes_run(struct kd_model *m, const kd_tokens *tok, const kd_tokset *set, const kd_options *o,
                 kd_result *r)
{
    const kd_scorer_ops *ops = o->scorer == KD_SCORER_MULTINOMIAL ? &kd_scorer_multinomial : &kd_scorer_fisher;
    kd_bayes_token stackbuf[64];
    kd_bayes_token *t = set->n <= 64 ? stackbuf : malloc(set->n * sizeof *t);
    int rc = KD_OK;
    if (!t)
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    for (size_t i = 0; i < set->n; i++) {
        t[i].idx = set->idx[i];
        t[i].used = 0;
        if ((rc = kd_model_lookup(m, tok->hash[set->idx[i]], &t[i].c)))
            goto done;
    }
    if (ops->needs_vocab && m->vocab < 0)
        m->vocab = kd_store_token_count(m->store);
    kd_bayes_ctx ctx = { &m->totals, m->vocab, o };
    r->bayes_score = ops->combine(t, set->n, &ctx);
    r->ntokens = set->n;
    r->nused = 0;
    for (size_t i = 0; i < set->n; i++)
        r->nused += (size_t)t[i].used;

    size_t want = o->reasons < r->nused ? o->reasons : r->nused;
    if (want) {
        qsort(t, set->n, sizeof *t, by_strength);
        r->top = calloc(want, sizeof *r->top);
        if (!r->top) {
            rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < want; i++) {
            r->top[i].token = strdup(kd_tokens_str(tok, t[i].idx));
            if (!r->top[i].token) {
                rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
                goto done;
            }
            r->top[i].prob = t[i].p;
            r->top[i].spam = (uint32_t)(t[i].c.spam > UINT32_MAX ? UINT32_MAX : t[i].c.spam);
            r->top[i].ham = (uint32_t)(t[i].c.ham > UINT32_MAX ? UINT32_MAX : t[i].c.ham);
            r->ntop = i + 1;
        }
    }
done:
    if (t != stackbuf)
        free(t);
    return rc;
}
