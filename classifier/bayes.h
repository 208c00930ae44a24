/*
 * bayes.h - the statistical spam stage (internal).
 *
 * The stage looks up each distinct token's (spam, ham) counts and hands them to a scorer, a
 * small struct of function pointers (after bogofilter's rf_method_t and rspamd's classifier
 * structs) so that the combining method is swappable and measured side by side.
 */
#ifndef KD_BAYES_H
#define KD_BAYES_H

#include <stddef.h>
#include <stdint.h>

#include "kindly.h"
#include "store.h"
#include "tokenize.h"
#include "tokmap.h"
#include "tokset.h"

typedef struct kd_bayes_token {
    uint32_t idx;   /* index in the comment's kd_tokens */
    kd_counts c;    /* counts in the model */
    double p;       /* the token's spam probability, set by the scorer; it may leave 0.5 for
                       a used token that cannot be among the opts->reasons strongest */
    int used;       /* set by the scorer: the token counted in the score */
} kd_bayes_token;

typedef struct kd_bayes_ctx {
    const kd_totals *totals;
    int64_t vocab;  /* distinct tokens in the model (multinomial smoothing) */
    const kd_options *opts;
} kd_bayes_ctx;

typedef struct kd_scorer_ops {
    const char *name;
    /* Set p and used of each token; return the combined spam probability (0..1). */
    double (*combine)(kd_bayes_token *t, size_t n, const kd_bayes_ctx *ctx);
} kd_scorer_ops;

extern const kd_scorer_ops kd_scorer_fisher;
extern const kd_scorer_ops kd_scorer_multinomial;

/* Inverse chi-square survival function for even degrees of freedom (fisher.c). */
double kd_chi2q(double x2, unsigned v);

struct kd_model;
/* Run the stage: fill r->bayes_score, ntokens, nused and the strongest tokens r->top. */
int kd_bayes_run(struct kd_model *m, const kd_tokens *tok, const kd_tokset *set, const kd_options *o,
                 kd_result *r);

#endif
