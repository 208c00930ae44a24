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

/* 1 if a is stronger evidence than b: used before unused, then further from 0.5, then
 * earlier in the text (so that ties are broken the same way every time). */
static int stronger(const kd_bayes_token *a, const kd_bayes_token *b)
{
    if (a->used != b->used)
        return a->used > b->used;
    double da = fabs(a->p - 0.5), db = fabs(b->p - 0.5);
    return da != db ? da > db : a->idx < b->idx;
}

/* Move the `want` strongest tokens to the front, strongest first: a partial selection
 * sort, O(n * want). */
static void select_sort(kd_bayes_token *t, size_t n, size_t want)
{
    for (size_t i = 0; i < want && i < n; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++)
            if (stronger(&t[j], &t[best]))
                best = j;
        kd_bayes_token tmp = t[i];
        t[i] = t[best];
        t[best] = tmp;
    }
}

#define TOP_MAX 64

/*
 * The same in one pass: the strongest `want` so far are kept in order in top[], and a token
 * is compared with the weakest of them first, so most tokens cost one comparison. Each
 * token's place in the order is worked out once, as a key: its distance from 0.5 when it
 * was used, -1 when not (below every used token), so that a comparison is of two numbers
 * (and of the positions when they tie).
 *
 * It picks what select_sort() picks because stronger() is then a strict total order: idx
 * is unique, and used tokens come before unused ones. Distances among used tokens must be
 * numbers; a NaN probability (impossible from counts that are never negative, but a model
 * file can hold anything) makes the order partial, and then select_sort() decides, as it
 * always did. The order among unused tokens (all -1 here) does not matter: the caller asks
 * for at most as many tokens as were used, so those never reach the front.
 */
static void select_strongest(kd_bayes_token *t, size_t n, size_t want)
{
    if (want > n)
        want = n;
    if (!want)
        return;
    if (want > TOP_MAX) {
        select_sort(t, n, want);
        return;
    }
    kd_bayes_token top[TOP_MAX];
    double key[TOP_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double ki = -1.0;
        if (t[i].used) {
            ki = fabs(t[i].p - 0.5);
            if (isnan(ki)) {
                select_sort(t, n, want);
                return;
            }
        }
        if (k == want && !(ki > key[k - 1] || (ki == key[k - 1] && t[i].idx < top[k - 1].idx)))
            continue;
        size_t j = k < want ? k++ : want - 1; /* when full, the weakest kept gives way */
        while (j > 0 && (ki > key[j - 1] || (ki == key[j - 1] && t[i].idx < top[j - 1].idx))) {
            top[j] = top[j - 1];
            key[j] = key[j - 1];
            j--;
        }
        top[j] = t[i];
        key[j] = ki;
    }
    memcpy(t, top, k * sizeof *t);
}

/* A count as shown: past 32 bits the largest, and a negative one (a damaged model file: the
 * scorers read it as zero) zero, not wrapped round to 4,294,967,291. */
static uint32_t shown_count(int64_t c)
{
    return c <= 0 ? 0 : c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
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
    if (m->preloaded) {
        /* prefetch every slot first so that the cache misses overlap */
        for (size_t i = 0; i < set->n; i++)
            kd_tokmap_prefetch(&m->counts, tok->hash[set->idx[i]]);
        for (size_t i = 0; i < set->n; i++) {
            const kd_counts *c = kd_tokmap_get(&m->counts, tok->hash[set->idx[i]]);
            t[i].idx = set->idx[i];
            t[i].used = 0;
            t[i].c = c ? *c : (kd_counts){ 0, 0 };
        }
    } else {
        /* counts read from the file as it is now: the totals must be of the same commit
         * (totals cached at open with counts written since gave a score of neither model),
         * so both are read in one snapshot, unless a transaction is open on this handle
         * already (a history batch: its snapshot serves) */
        sqlite3 *db = kd_store_db(m->store);
        int snapshot = sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
        rc = kd_model_refresh(m, NULL);
        for (size_t i = 0; i < set->n && !rc; i++) {
            t[i].idx = set->idx[i];
            t[i].used = 0;
            rc = kd_model_lookup(m, tok->hash[set->idx[i]], &t[i].c);
        }
        if (snapshot) {
            int erc = kd_store_read_end(m->store);
            if (erc && !rc)
                rc = kd_model_read_failed(m, erc, "the token counts (ending their read)", kd_store_errmsg(m->store));
        }
        if (rc)
            goto done;
    }
    kd_bayes_ctx ctx = { &m->totals, m->totals.vocab, o };
    r->bayes_score = ops->combine(t, set->n, &ctx);
    r->ntokens = set->n;
    r->nused = 0;
    for (size_t i = 0; i < set->n; i++)
        r->nused += (size_t)t[i].used;

    size_t want = o->reasons < r->nused ? o->reasons : r->nused;
    if (want) {
        /* the array and the tokens' text after it in one allocation (kd_result_free frees
         * r->top alone): one malloc a comment instead of one per token shown */
        select_strongest(t, set->n, want);
        size_t text = 0;
        for (size_t i = 0; i < want; i++)
            text += kd_tokens_len(tok, t[i].idx) + 1;
        r->top = malloc(want * sizeof *r->top + text);
        if (!r->top) {
            rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
            goto done;
        }
        char *q = (char *)(r->top + want);
        for (size_t i = 0; i < want; i++) {
            size_t k = kd_tokens_len(tok, t[i].idx) + 1;
            r->top[i].token = memcpy(q, kd_tokens_str(tok, t[i].idx), k);
            q += k;
            r->top[i].prob = t[i].p;
            r->top[i].spam = shown_count(t[i].c.spam);
            r->top[i].ham = shown_count(t[i].c.ham);
            r->ntop = i + 1;
        }
    }
done:
    if (t != stackbuf)
        free(t);
    return rc;
}
