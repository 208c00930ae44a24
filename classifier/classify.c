/*
 * classify.c - the pipeline: one comment in, one kd_result out.
 *
 *   tokenize -> distinct tokens -> generic praise? -> Bayes (and the model on a name in generic
 *            praise) -> rules -> duplicates -> relevance
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
#include "generic.h"
#include "model.h"
#include "relevance.h"
#include "rules.h"
#include "tokset.h"
#include "verdict.h"

/* Whether x is a number in [lo, hi] (NaN is not). */
static int in_range(double x, double lo, double hi) { return x >= lo && x <= hi; }

/* Check the caller's options, so that a struct from a newer or older header, a garbage field
 * or an out-of-range tuning gives KD_EINVAL and a message instead of nonsense scores (a token
 * probability of 2, a NaN verdict). The ranges are those the CLI accepts. */
static int options_check(kd_model *m, const kd_options *o)
{
    if (o->version != KD_OPTIONS_VERSION)
        return kd_model_fail(m, KD_EINVAL, "kd_options.version is %u; this library knows version %d "
                             "(start from KD_OPTIONS_INIT)", o->version, KD_OPTIONS_VERSION);
    const char *bad = NULL;
    if (o->scorer != KD_SCORER_FISHER && o->scorer != KD_SCORER_MULTINOMIAL)
        bad = "scorer is not a kd_scorer";
    else if (!in_range(o->spam_cutoff, 0, 1) || !in_range(o->ham_cutoff, 0, 1))
        bad = "spam_cutoff and ham_cutoff must be from 0 to 1";
    else if (o->ham_cutoff > o->spam_cutoff)
        bad = "ham_cutoff must not be above spam_cutoff";
    else if (!in_range(o->robinson_s, 0, 100))
        bad = "robinson_s must be from 0 to 100";
    else if (!in_range(o->robinson_x, 0, 1))
        bad = "robinson_x must be from 0 to 1";
    else if (!in_range(o->min_dev, 0, 0.5))
        bad = "min_dev must be from 0 to 0.5";
    else if (!(o->dup_threshold < 0) && !in_range(o->dup_threshold, 0, 1))
        bad = "dup_threshold must be at most 1 (negative: skip the stage)";
    else if (o->dup_verdict != KD_APPROVE && o->dup_verdict != KD_HOLD && o->dup_verdict != KD_VERDICT_SPAM)
        bad = "dup_verdict is not a kd_verdict";
    else if (!(o->offtopic_threshold < 0) && !in_range(o->offtopic_threshold, 0, 1))
        bad = "offtopic_threshold must be at most 1 (negative: skip the stage)";
    else if (o->rules && o->rules->failed)
        bad = "rules is a rule set whose loading failed (kd_rules_error() says why)";
    return bad ? kd_model_fail(m, KD_EINVAL, "kd_options: %s", bad) : KD_OK;
}

/* One read transaction around the stages of a handle that reads the file on demand (the
 * default: `kindly check`), so that the Bayes lookups, the history, the posts and each
 * relevance lookup read one commit: one shared lock on the -shm (an fcntl to take it, an
 * fstat, an fcntl to drop it) instead of one per statement, 17 of them in a check. Ended
 * before kd_classify returns: no snapshot is held between calls. Not begun when a
 * transaction is open already (a history batch's: its snapshot serves), when the comment
 * is remembered (the history's write transaction cannot begin inside a read), when a
 * history batch is in force (its read, begun by the history, spans many comments), nor for
 * a preloaded handle (its counts are in memory). Whether it began. */
static int read_begin(kd_model *m, const kd_options *o)
{
    sqlite3 *db = kd_store_db(m->store);
    if ((m->flags & KD_OPEN_PRELOAD) || o->remember || kd_dedup_batching(m) || !sqlite3_get_autocommit(db))
        return 0;
    return sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

/* A comment generic but for a name (kd_generic_text: "Hang in there, Jo."): the name must
 * not be a word the model has seen more often in spam than in ham, per message (p(w) of
 * Graham and Robinson above 1/2: "Thanks, Viagra" is the product a spammer names, not a
 * reader). A name is rare: unseen, or seen in ham (the shipped model: "jo", "sarah" unseen,
 * "kate" 0 spam and 11 ham; "viagra" 3 and 0, "bitcoin" 4 and 0). Called after the Bayes
 * stage, whose totals are those of the file now. */
static int vet_name(kd_model *m, uint64_t h, kd_result *out)
{
    kd_counts c;
    int rc = kd_model_lookup(m, h, &c);
    /* seen in spam and never in ham is more in spam whatever the totals: a model that has
     * learnt no ham yet (0 ham messages) would otherwise compare 0 with 0 */
    if (!rc && c.spam > 0 &&
        (c.ham <= 0 || (double)c.spam * (double)m->totals.ham_messages > (double)c.ham * (double)m->totals.spam_messages))
        out->generic = 0;
    return rc;
}

int kd_classify(kd_model *m, const kd_comment *c, const kd_options *opts, kd_result *out)
{
    static const kd_options defaults = KD_OPTIONS_INIT;
    const kd_options *o = opts ? opts : &defaults;
    if (out)
        memset(out, 0, sizeof *out);
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!out)
        return kd_model_fail(m, KD_EINVAL, "kd_classify: out is NULL");
    kd_tokens *tok = &m->tok;
    kd_tokset *set = &m->set;
    int rc, reading = 0;
    if ((rc = options_check(m, o)))
        goto done;
    if (!c || !c->text) {
        rc = kd_model_no_text(m, "kd_classify", c);
        goto done;
    }
    kd_tokens_clear(tok);
    if (kd_tokenize(c, &m->topt, tok) || kd_tokset_build(set, tok)) {
        rc = kd_model_fail(m, KD_ENOMEM, "out of memory");
        goto done;
    }
    out->relevance = out->relevance_site = out->relevance_post = -1.0; /* until the stage runs */
    size_t name[KD_GENERIC_NAME_PARTS];
    out->generic = kd_generic_text(tok, c->text, name); /* praise that fits any post: read by
                                                           * relevance and the rules, shown */
    reading = read_begin(m, o);
    if ((rc = kd_bayes_run(m, tok, set, o, out)))
        goto done;
    for (int k = 0; k < KD_GENERIC_NAME_PARTS; k++)
        if (out->generic && name[k] != KD_GENERIC_NO_NAME && (rc = vet_name(m, tok->hash[name[k]], out)))
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
    if (reading) {
        int erc = kd_store_read_end(m->store);
        if (erc && !rc)
            rc = kd_model_read_failed(m, erc, "the model (ending its read)", kd_store_errmsg(m->store));
    }
    if (rc) /* what the stages before the failure filled in */
        kd_result_free(out);
    return rc;
}

void kd_result_free(kd_result *r)
{
    if (!r)
        return;
    free(r->top); /* each with its strings (bayes.c, verdict.c) */
    free(r->reasons);
    free(r->rules);
    free(r->duplicate_of);
    memset(r, 0, sizeof *r);
}
