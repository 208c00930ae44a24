/* test_eval.c - evaluation figures, including ROC AUC with ties, against hand computations. */
#include <math.h>
#include <criterion/criterion.h>

#include "kindly.h"

Test(eval, confusion_and_rates)
{
    kd_eval *e;
    cr_assert_eq(kd_eval_new(&e), 0);
    /* 3 spam: 0.9 0.8 0.3 ; 3 ham: 0.1 0.6 0.2 */
    kd_eval_add(e, KD_SPAM, 0.9, KD_VERDICT_SPAM);
    kd_eval_add(e, KD_SPAM, 0.8, KD_HOLD);
    kd_eval_add(e, KD_SPAM, 0.3, KD_APPROVE);
    kd_eval_add(e, KD_HAM, 0.1, KD_APPROVE);
    kd_eval_add(e, KD_HAM, 0.6, KD_HOLD);
    kd_eval_add(e, KD_HAM, 0.2, KD_APPROVE);
    cr_assert_eq(kd_eval_add(e, KD_UNLABELLED, 0.5, KD_HOLD), KD_EINVAL);
    kd_eval_figures f;
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_eq(f.tp, 2);
    cr_assert_eq(f.fn, 1);
    cr_assert_eq(f.fp, 1);
    cr_assert_eq(f.tn, 2);
    cr_assert_float_eq(f.accuracy, 4.0 / 6, 1e-12);
    cr_assert_float_eq(f.precision, 2.0 / 3, 1e-12);
    cr_assert_float_eq(f.recall, 2.0 / 3, 1e-12);
    cr_assert_float_eq(f.fp_rate, 1.0 / 3, 1e-12);
    cr_assert_float_eq(f.unsure_rate, 2.0 / 6, 1e-12);
    cr_assert_float_eq(f.spam_verdict_fp_rate, 0.0, 1e-12);
    /* pairs (spam > ham): 0.9 beats 3, 0.8 beats 3, 0.3 beats 0.1 and 0.2 -> 8 of 9 */
    cr_assert_float_eq(f.auc, 8.0 / 9, 1e-12);
    cr_assert_float_eq(f.mcc, (2.0 * 2 - 1.0 * 1) / 9.0, 1e-12);
    kd_eval_free(e);
}

Test(eval, ties_count_half)
{
    kd_eval *e;
    kd_eval_new(&e);
    kd_eval_add(e, KD_SPAM, 0.5, KD_HOLD);
    kd_eval_add(e, KD_HAM, 0.5, KD_HOLD);
    kd_eval_figures f;
    kd_eval_figures_get(e, &f);
    cr_assert_float_eq(f.auc, 0.5, 1e-12);
    kd_eval_free(e);
    kd_eval_free(NULL);
}

/* A score is a probability and a verdict one of three: anything else is refused (a NaN
 * score made the AUC's tie loop spin forever) */
Test(eval, a_score_outside_0_1_or_nan_and_an_unknown_verdict_are_refused, .timeout = 10)
{
    kd_eval *e;
    cr_assert_eq(kd_eval_new(&e), 0);
    cr_assert_eq(kd_eval_add(e, KD_HAM, NAN, KD_APPROVE), KD_EINVAL);
    cr_assert_eq(kd_eval_add(e, KD_HAM, 7, KD_APPROVE), KD_EINVAL);
    cr_assert_eq(kd_eval_add(e, KD_HAM, -0.1, KD_APPROVE), KD_EINVAL);
    cr_assert_eq(kd_eval_add(e, KD_HAM, 0.2, (kd_verdict)42), KD_EINVAL);
    cr_assert_eq(kd_eval_add(e, KD_HAM, 0.2, KD_APPROVE), 0);
    cr_assert_eq(kd_eval_add(e, KD_SPAM, 0.9, KD_VERDICT_SPAM), 0);
    kd_eval_figures f;
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_float_eq(f.auc, 1.0, 1e-12);
    kd_eval_free(e);
}

/* "Predicted spam" is spam_score > 0.5, as kindly.h and `kindly eval --help` say: a comment
 * scored exactly 0.5 (no evidence either way) is not called spam, whatever its label. */
Test(eval, exactly_half_is_not_predicted_spam)
{
    kd_eval *e;
    cr_assert_eq(kd_eval_new(&e), 0);
    kd_eval_add(e, KD_SPAM, 0.5, KD_HOLD);       /* fn */
    kd_eval_add(e, KD_HAM, 0.5, KD_HOLD);        /* tn */
    kd_eval_add(e, KD_SPAM, 0.5000001, KD_HOLD); /* tp */
    kd_eval_add(e, KD_HAM, 0.5000001, KD_HOLD);  /* fp */
    kd_eval_figures f;
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_eq(f.tp, 1);
    cr_assert_eq(f.fn, 1);
    cr_assert_eq(f.tn, 1);
    cr_assert_eq(f.fp, 1);
    kd_eval_free(e);
}

/* F1 = 2TP / (2TP + FP + FN): 0 when no spam is found though there was some (precision is
 * undefined then, F1 is not). (Undefined figures are 0 here; the front ends print n/a.) */
Test(eval, f1_is_zero_when_no_spam_is_found)
{
    kd_eval *e;
    cr_assert_eq(kd_eval_new(&e), 0);
    kd_eval_add(e, KD_SPAM, 0.2, KD_APPROVE);
    kd_eval_add(e, KD_HAM, 0.1, KD_APPROVE);
    kd_eval_figures f;
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_float_eq(f.f1, 0.0, 1e-12);
    kd_eval_add(e, KD_SPAM, 0.9, KD_VERDICT_SPAM);
    cr_assert_eq(kd_eval_figures_get(e, &f), 0);
    cr_assert_float_eq(f.f1, 2.0 / 3, 1e-12); /* TP 1, FN 1, FP 0 */
    kd_eval_free(e);
}
