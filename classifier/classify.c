/*
 * classify.c - the pipeline: one comment in, one kd_result out.
 *
 *   tokenize -> distinct tokens -> Bayes -> rules -> duplicates -> relevance
 *            -> one combined score (combine.c) -> verdict and reasons (verdict.c)
 *
 * Scratch memory (tokens, token set) lives on the model and is reused from call to call:
 * a kd_model is used by one thread at a time, and the server gives each thread its own.
 */
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "combine.h"
#include "dedup.h"
#include "model.h"
#include "relevance.h"
#include "rules.h"
#include "tokset.h"
#include "verdict.h"


int kd_classify(kd_model *m, const kd_comment *c, const kd_options *opts, kd_result *out)
{
    static const kd_options defaults = KD_OPTIONS_INIT;
    const kd_options *o = opts ? opts : &defaults;
    kd_tokens *tok = &m->tok;
    kd_tokset *set = &m->set;
    int rc;
    memset(out, 0, sizeof *out);
    if (!c || !c->text) {
        rc = kd_model_fail(m, KD_EINVAL, "a comment needs a text");
        goto done;
    }
    kd_tokens_clear(tok);
    if (kd_tokenize(c, &m->topt, tok) || kd_tokset_build(set, tok)) {
        rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
        goto done;
    }
    out->relevance = -1.0;
    if ((rc = kd_bayes_run(m, tok, set, o, out)))
        goto done;
    if (o->rules && (rc = kd_rules_run(o->rules, c, tok, NULL, out))) {
        rc = kd_model_fail(m, rc, "rules: out of memory");
        goto done;
    }
    if (o->dup_threshold >= 0 && (rc = kd_dedup_run(m, c, o, out)))
        goto done;
    if ((rc = kd_relevance_run(m, c, tok, set, o, out)))
        goto done;
    kd_combine(out, o);
    kd_verdict_decide(out, o);
    if (kd_verdict_explain(out, o))
        rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
done:
    return rc;
}

void kd_result_free(kd_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntop; i++)
        free(r->top[i].token);
    free(r->top);
    for (size_t i = 0; i < r->nreasons; i++)
        free(r->reasons[i]);
    free(r->reasons);
    free(r->rules);
    free(r->duplicate_of);
    memset(r, 0, sizeof *r);
}
