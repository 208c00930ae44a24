/*
 * eval.c - evaluation figures from (label, score, verdict) triples.
 *
 * Binary figures take spam_score > 0.5 as "predicted spam": a comment with no evidence,
 * scored exactly 0.5, is not called spam (kindly.h and `kindly eval --help` say the same).
 * The three-way verdict adds the unsure rate (share held) and the share of ham wrongly
 * given the verdict spam. ROC AUC is
 * the Mann-Whitney statistic: the probability that a random spam scores above a random ham,
 * ties counting one half, computed from ranks after one sort.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"

typedef struct item {
    double score;
    int spam;
} item;

struct kd_eval {
    item *v;
    size_t n, cap;
    uint64_t held, ham_spammed;
};

int kd_eval_new(kd_eval **out)
{
    if (!out)
        return KD_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? KD_OK : KD_ENOMEM;
}

void kd_eval_free(kd_eval *e)
{
    if (!e)
        return;
    free(e->v);
    free(e);
}

int kd_eval_add(kd_eval *e, kd_label label, double score, kd_verdict verdict)
{
    if (!e)
        return KD_EINVAL;
    if (label != KD_SPAM && label != KD_HAM)
        return KD_EINVAL;
    /* a score is a probability (NaN would also never tie with itself in the AUC's ranks) */
    if (!(score >= 0.0 && score <= 1.0) ||
        (verdict != KD_APPROVE && verdict != KD_HOLD && verdict != KD_VERDICT_SPAM))
        return KD_EINVAL;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 256;
        item *v = realloc(e->v, cap * sizeof *v);
        if (!v)
            return KD_ENOMEM;
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = (item){ score, label == KD_SPAM };
    e->held += verdict == KD_HOLD;
    e->ham_spammed += label == KD_HAM && verdict == KD_VERDICT_SPAM;
    return KD_OK;
}

static int by_score(const void *a, const void *b)
{
    double x = ((const item *)a)->score, y = ((const item *)b)->score;
    return x < y ? -1 : x > y;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

int kd_eval_figures_get(const kd_eval *e, kd_eval_figures *f)
{
    if (!f)
        return KD_EINVAL;
    memset(f, 0, sizeof *f);
    if (!e)
        return KD_EINVAL;
    f->n = e->n;
    for (size_t i = 0; i < e->n; i++) {
        int pred = e->v[i].score > 0.5;
        if (e->v[i].spam) {
            f->spam++;
            f->tp += pred;
            f->fn += !pred;
        } else {
            f->ham++;
            f->fp += pred;
            f->tn += !pred;
        }
    }
    double tp = (double)f->tp, fp = (double)f->fp, tn = (double)f->tn, fn = (double)f->fn;
    f->accuracy = ratio(tp + tn, (double)f->n);
    f->precision = ratio(tp, tp + fp);
    f->recall = ratio(tp, tp + fn);
    f->fp_rate = ratio(fp, fp + tn);
    f->f1 = ratio(2 * tp, 2 * tp + fp + fn); /* 0, not undefined, when no spam was found */
    double d = sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    f->mcc = d > 0 ? (tp * tn - fp * fn) / d : 0.0;
    f->unsure_rate = ratio((double)e->held, (double)f->n);
    f->spam_verdict_fp_rate = ratio((double)e->ham_spammed, (double)f->ham);

    if (f->spam && f->ham) {
        item *v = malloc(e->n * sizeof *v);
        if (!v)
            return KD_ENOMEM;
        memcpy(v, e->v, e->n * sizeof *v);
        qsort(v, e->n, sizeof *v, by_score);
        double rank_sum = 0.0; /* sum of the spam ranks, ties given their mean rank */
        for (size_t i = 0; i < e->n;) {
            size_t j = i + 1;
            while (j < e->n && v[j].score == v[i].score)
                j++;
            double mean_rank = (double)(i + 1 + j) / 2.0;
            for (size_t k = i; k < j; k++)
                if (v[k].spam)
                    rank_sum += mean_rank;
            i = j;
        }
        free(v);
        double ns = (double)f->spam, nh = (double)f->ham;
        f->auc = (rank_sum - ns * (ns + 1) / 2.0) / (ns * nh);
    }
    return KD_OK;
}
