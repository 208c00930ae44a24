/*
 * cmd_eval.c - `kindly eval`: figures on labelled comments, against a model file, a model
 * trained in memory (--train), or by K-fold cross-validation (--folds).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "feed.h"

/* The labelled rows of a CSV file, copied so that folds can revisit them. */
typedef struct dataset {
    kd_comment *c;
    kd_label *label;
    size_t n, cap;
    size_t *fold;             /* --folds: each row's fold (assign_folds) */
    size_t distinct;          /* --folds: the distinct texts (folds past them are empty) */
    unsigned long unlabelled; /* rows read without a label (not in c) */
    unsigned long pending, trashed; /* of those, a WordPress export's (cli_wp_unlabelled) */
    unsigned long bad;        /* bad rows skipped by the reader (named on stderr) */
    unsigned long dates;      /* rows to remember with an unreadable date (named on stderr) */
} dataset;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

#define COMMENT_FIELDS(X) X(id) X(post_id) X(parent) X(author) X(email) X(url) X(ip) X(agent) X(date) X(text)

static int dataset_add(dataset *d, const kd_comment *c, kd_label l)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        kd_comment *nc = realloc(d->c, cap * sizeof *nc);
        if (!nc)
            return -1;
        d->c = nc;
        kd_label *nl = realloc(d->label, cap * sizeof *nl);
        if (!nl)
            return -1;
        d->label = nl;
        d->cap = cap;
    }
    kd_comment *x = &d->c[d->n];
#define COPY(f) x->f = dup_or_null(c->f);
    COMMENT_FIELDS(COPY)
#undef COPY
    if (!x->text)
        return -1;
    d->label[d->n++] = l;
    return 0;
}

static const uint64_t *sort_key; /* for by_key: qsort has no context argument in C11 */
static int by_key(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (sort_key[i] != sort_key[j])
        return sort_key[i] < sort_key[j] ? -1 : 1;
    return (i > j) - (i < j);
}

/* Folds for K-fold cross-validation: the n-th distinct text in fold n mod K, and every copy
 * of a text in the fold of its first (a test row whose copy is in the training folds would
 * be scored on itself: SMS has 12% such rows). Copies are texts the duplicates stage calls
 * the same (kd_text_key: "Subscribe to my channel" and "SUBSCRIBE TO MY CHANNEL"), not only
 * byte for byte. 0, or -1 when out of memory. */
static int assign_folds(dataset *d, size_t folds)
{
    size_t n = d->n ? d->n : 1;
    size_t *order = malloc(n * sizeof *order), *first = malloc(n * sizeof *first);
    uint64_t *key = malloc(n * sizeof *key);
    d->fold = malloc(n * sizeof *d->fold);
    int rc = order && first && key && d->fold ? 0 : -1;
    for (size_t i = 0; i < d->n && !rc; i++) {
        order[i] = i;
        rc = kd_text_key(d->c[i].text, &key[i]) ? -1 : 0;
    }
    if (!rc) {
        sort_key = key;
        qsort(order, d->n, sizeof *order, by_key);
        for (size_t a = 0; a < d->n; a++) /* sorted by key, then row: a group's head is its first */
            first[order[a]] = a && key[order[a]] == key[order[a - 1]] ? first[order[a - 1]] : order[a];
        size_t distinct = 0;
        for (size_t i = 0; i < d->n; i++)
            d->fold[i] = first[i] == i ? distinct++ % folds : d->fold[first[i]];
        d->distinct = distinct;
    }
    free(order);
    free(first);
    free(key);
    return rc;
}

static void dataset_free(dataset *d)
{
    for (size_t i = 0; i < d->n; i++) {
#define FREE(f) free((char *)d->c[i].f);
        COMMENT_FIELDS(FREE)
#undef FREE
    }
    free(d->c);
    free(d->label);
    free(d->fold);
}

/* "kindly eval: N unlabelled rows WHAT", a WordPress export's split as train says it */
static void unlabelled_said(const dataset *d, const char *what)
{
    cli_feed_counts n = { .unlabelled = d->unlabelled, .pending = d->pending, .trashed = d->trashed };
    fprintf(stderr, "kindly eval: %lu unlabelled row%s %s", d->unlabelled, d->unlabelled == 1 ? "" : "s", what);
    cli_feed_unlabelled_why(&n);
    fputc('\n', stderr);
}

/* Read the labelled rows of path into d. Returns EXIT_DONE; EXIT_INPUT (reported) for a file
 * with no text column or no labelled row, which the caller skips to go on with the other
 * files, as train does (the rows of one named so are not counted in d->unlabelled too); or a
 * fatal exit code (reported): a file that cannot be read. Bad rows skipped (named on stderr
 * by the reader) set *skipped. remember: the rows will be remembered (warns of line-number
 * ids). */
static int dataset_read(dataset *d, const char *path, int remember, int *skipped)
{
    int status = EXIT_DONE;
    size_t before = d->n;
    unsigned long unlabelled = d->unlabelled, pending = d->pending, trashed = d->trashed;
    kd_csv *r = cli_open_csv("eval", path, KD_CSV_COMMENTS, 0, &status);
    if (!r)
        return status;
    if (remember)
        cli_warn_line_ids("eval", path, r, 1);
    const kd_csv_row *row;
    cli_labels_seen seen = { 0 };
    int rc;
    kd_comment local;
    char date[128];
    while ((rc = kd_csv_next(r, &row)) == 1)
        if (row->label == KD_UNLABELLED) {
            d->unlabelled++;
            int why = cli_wp_unlabelled(r, row);
            d->pending += why == 1;
            d->trashed += why == 2;
            cli_labels_note(&seen, r, row);
        } else if (dataset_add(d, cli_row_comment(r, row, &local, date, sizeof date), row->label)) {
            status = cli_fail(EXIT_INTERNAL, "eval", "out of memory");
            break;
        } else if (remember)
            d->dates += (unsigned long)cli_note_date(r, row);
    if (rc < 0)
        status = cli_fail(cli_exit_for(rc), "eval", "%s", kd_csv_error(r));
    else if (status == EXIT_DONE && d->n == before) {
        status = cli_no_labelled_rows_in("eval", path, r, &seen);
        /* the message named the file: its rows are not counted again */
        d->unlabelled = unlabelled;
        d->pending = pending;
        d->trashed = trashed;
    }
    if (kd_csv_skipped(r))
        *skipped = 1;
    d->bad += kd_csv_skipped(r);
    kd_csv_free(r);
    return status;
}

/* Read every file into d: one with no text column or no labelled row is named on stderr and
 * skipped (*skipped set: exit status 4), the others are read as one, as train learns them;
 * with no labelled row in any of them, EXIT_INPUT: figures of nothing, or of a model that
 * learnt nothing, would measure nothing. Else EXIT_DONE or a fatal exit code (reported). */
static int dataset_read_all(dataset *d, const char *const *paths, size_t n, int remember, int *skipped)
{
    for (size_t i = 0; i < n; i++) {
        int s = dataset_read(d, paths[i], remember, skipped);
        if (s == EXIT_INPUT)
            *skipped = 1;
        else if (s)
            return s;
    }
    return d->n ? EXIT_DONE : EXIT_INPUT;
}

typedef struct stages {
    kd_eval *bayes, *final;
    cli_unknown_posts unknown; /* test comments naming a post the model does not hold (-m) */
} stages;

/* Score the rows of fold k (every row when folds == 0), adding to the figures. */
static int score_rows(kd_model *m, const dataset *d, size_t k, size_t folds, const kd_options *o, stages *s)
{
    for (size_t i = 0; i < d->n; i++) {
        if (folds && d->fold[i] != k)
            continue;
        kd_result res;
        int rc = kd_classify(m, &d->c[i], o, &res);
        if (rc) {
            kd_result_free(&res);
            return cli_fail(cli_exit_for(rc), "eval", "%s", kd_model_error(m));
        }
        if (!folds) /* (a fold's model, of the other folds' rows, holds no posts) */
            cli_note_post(&s->unknown, &d->c[i], &res, 0);
        /* the Bayes stage's own three-way verdict: its score through the same cut-offs */
        kd_verdict bv = res.bayes_score >= o->spam_cutoff ? KD_VERDICT_SPAM
                        : res.bayes_score < o->ham_cutoff ? KD_APPROVE : KD_HOLD;
        if (kd_eval_add(s->bayes, d->label[i], res.bayes_score, bv) ||
            kd_eval_add(s->final, d->label[i], res.spam_score, res.verdict)) {
            kd_result_free(&res);
            return cli_fail(EXIT_INTERNAL, "eval", "out of memory");
        }
        kd_result_free(&res);
    }
    return EXIT_DONE;
}

/* Train a fresh in-memory model on the rows not in fold k (all rows when folds == 0). */
static kd_model *train_memory(const dataset *d, size_t k, size_t folds)
{
    kd_model *m = cli_open_model("eval", ":memory:", KD_OPEN_CREATE | KD_OPEN_PRELOAD);
    if (!m)
        return NULL;
    int rc = kd_train_begin(m);
    for (size_t i = 0; i < d->n && !rc; i++)
        if (!folds || d->fold[i] != k)
            rc = kd_train_add(m, &d->c[i], d->label[i], 1);
    if (!rc)
        rc = kd_train_commit(m);
    if (rc) {
        cli_fail(cli_exit_for(rc), "eval", "%s", kd_model_error(m));
        kd_model_close(m);
        return NULL;
    }
    return m;
}

/* A figure, or n/a (JSON null) where it is undefined: a ratio over nothing (recall without
 * spam, precision with nothing predicted spam, ...), never a misleading 0. */
static const char *figure(char buf[24], double v, int defined, int json)
{
    if (!defined)
        return json ? "null" : "n/a";
    snprintf(buf, 24, json ? "%.6f" : "%.4f", v);
    return buf;
}

static void print_figures(const char *stage, const kd_eval_figures *f, int json, int first)
{
    char b[8][24];
    int has_p = f->tp + f->fp > 0, has_r = f->spam > 0, has_fp = f->ham > 0;
    const char *prec = figure(b[0], f->precision, has_p, json), *rec = figure(b[1], f->recall, has_r, json);
    const char *fpr = figure(b[2], f->fp_rate, has_fp, json);
    /* F1 = 2TP / (2TP + FP + FN): 0 when spam was missed and none found (precision n/a) */
    const char *f1 = figure(b[3], f->f1, 2 * f->tp + f->fp + f->fn > 0, json);
    /* MCC is undefined when a row or column of the confusion matrix is empty; ROC AUC ranks
     * spam against ham: with one class missing it is undefined, not 0 */
    const char *mcc = figure(b[4], f->mcc, has_p && has_r && has_fp && f->tn + f->fn > 0, json);
    const char *auc = figure(b[5], f->auc, f->spam && f->ham, json);
    const char *marked = figure(b[6], f->spam_verdict_fp_rate, has_fp, json);
    if (json) {
        printf("%s\"%s\":{\"n\":%llu,\"spam\":%llu,\"ham\":%llu,\"tp\":%llu,\"fp\":%llu,\"tn\":%llu,\"fn\":%llu,"
               "\"accuracy\":%.6f,\"precision\":%s,\"recall\":%s,\"fp_rate\":%s,\"f1\":%s,"
               "\"mcc\":%s,\"auc\":%s,\"unsure_rate\":%.6f,\"ham_marked_spam\":%s}",
               first ? "" : ",", stage, (unsigned long long)f->n, (unsigned long long)f->spam,
               (unsigned long long)f->ham, (unsigned long long)f->tp, (unsigned long long)f->fp,
               (unsigned long long)f->tn, (unsigned long long)f->fn, f->accuracy, prec, rec, fpr, f1, mcc, auc,
               f->unsure_rate, marked);
        return;
    }
    printf("%-6s n=%llu (spam %llu, ham %llu)  TP %llu  FP %llu  TN %llu  FN %llu\n", stage,
           (unsigned long long)f->n, (unsigned long long)f->spam, (unsigned long long)f->ham,
           (unsigned long long)f->tp, (unsigned long long)f->fp, (unsigned long long)f->tn,
           (unsigned long long)f->fn);
    printf("       accuracy %.4f  precision %s  spam recall %s  ham FP rate %s\n", f->accuracy, prec, rec, fpr);
    printf("       F1 %s  MCC %s  ROC AUC %s  unsure %.4f  ham marked spam %s\n", f1, mcc, auc, f->unsure_rate,
           marked);
}

int cmd_eval(int argc, char **argv)
{
    const char *model = NULL;
    const char **train = calloc((size_t)argc, sizeof *train), **test = calloc((size_t)argc, sizeof *test);
    size_t ntrain = 0, ntest = 0;
    unsigned long folds = 0;
    int json = 0, status = EXIT_DONE, after = 0;
    kd_options o = KD_OPTIONS_INIT;
    dataset d = { 0 };
    stages s = { 0 };
    kd_model *m = NULL;
    const char *mpath = NULL; /* -m's (NULL: --train, --folds: a model in memory) */
    kd_rules *rules = NULL;
    unsigned long bad_train = 0; /* the bad rows of the --train files (d.bad: the test files') */
    if (!train || !test) {
        free(train);
        free(test);
        return cli_fail(EXIT_INTERNAL, "eval", "out of memory");
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op) { /* several files are read as one (an export in two: approved and spam) */
            if (op > 0)
                test[ntest++] = a;
            continue;
        }
        int k = cli_parse_classify_flag("eval", argc, argv, &i, &o);
        if (k < 0) {
            status = EXIT_USAGE;
            goto done;
        }
        if (k)
            continue;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--train") && i + 1 < argc)
            train[ntrain++] = argv[++i];
        else if (!strcmp(a, "--folds") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], 2, 100, &folds)) {
                status = cli_bad_value("eval", a, argv[i], "a number from 2 to 100");
                goto done;
            }
        } else if (!strcmp(a, "--json"))
            json = 1;
        else {
            status = cli_bad_option("eval", a, i + 1 == argc, "");
            goto done;
        }
    }
    if (!ntest) {
        status = cli_usage("eval", "name the labelled CSV file to evaluate on");
        goto done;
    }
    if ((status = cli_distinct_inputs("eval", test, (int)ntest, "its comments would be counted twice")) ||
        (status = cli_distinct_inputs("eval", train, (int)ntrain, "its comments would be learnt twice")))
        goto done;
    if ((folds != 0) + (ntrain != 0) + (model != NULL) > 1) {
        status = cli_usage("eval", "use one of -m, --train and --folds");
        goto done;
    }
    if ((status = cli_check_classify_flags("eval", &o)))
        goto done;
    /* standard input is read to its end by the training: the test would read nothing */
    for (size_t i = 0; i < ntest; i++)
        for (size_t j = 0; j < ntrain; j++)
            if (!strcmp(test[i], "-") && !strcmp(train[j], "-")) {
                status = cli_usage("eval", "standard input is read once: '-' cannot be both a --train file and a "
                                           "test file (save it to a file to name it twice)");
                goto done;
            }
    /* the models are in memory: nothing to write to (said before the warning below, which
     * read as if the run went on) */
    if (o.remember && (folds || ntrain)) {
        status = cli_usage("eval", "--remember records in a model file: use it with -m, not --%s",
                           folds ? "folds" : "train");
        goto done;
    }
    /* a test file learnt too: allowed (a model's fit to what it learnt), but not what the
       figures are usually read as; '-' is the file standard input reads (--train - a.csv < a.csv) */
    for (size_t i = 0; i < ntest; i++)
        for (size_t j = 0; j < ntrain; j++)
            if (cli_same_input(test[i], train[j])) {
                cli_fail(EXIT_DONE, "eval", "warning: %s is also a --train file (%s): the figures are of comments "
                                            "the model learnt, not of new ones (--folds K tests each on a model "
                                            "without it)", cli_shown(test[i]), cli_shown(train[j]));
                break;
            }
    rules = cli_load_rules("eval", &status, 1);
    if (status)
        goto done;
    o.rules = rules;
    if (!folds && !ntrain) { /* -m: a model that cannot be opened is said before the test files are read */
        /* --remember records the test comments in its history: writable */
        if (!(m = cli_open_model_for("eval", model, o.remember, KD_OPEN_PRELOAD, &mpath, &status)))
            goto done;
        cli_warn_untrained("eval", m, mpath);
    }
    if (kd_eval_new(&s.bayes) || kd_eval_new(&s.final)) {
        status = cli_fail(EXIT_INTERNAL, "eval", "out of memory");
        goto done;
    }
    int skipped = 0;
    if ((status = dataset_read_all(&d, test, ntest, o.remember, &skipped)))
        goto done;
    if (d.unlabelled) /* as train and learn count theirs */
        unlabelled_said(&d, "not evaluated");
    if (folds && assign_folds(&d, folds))
        status = cli_fail(EXIT_INTERNAL, "eval", "out of memory");
    if (folds && !status && d.distinct < folds) { /* the n-th distinct text is in fold n mod K */
        char empty[96];
        if (folds - d.distinct == 1)
            snprintf(empty, sizeof empty, "fold %lu has", folds);
        else
            snprintf(empty, sizeof empty, "folds %zu-%lu have", d.distinct + 1, folds);
        fprintf(stderr, "kindly eval: warning: --folds %lu, but only %zu distinct text%s: %s no rows to test (skipped)\n",
                folds, d.distinct, d.distinct == 1 ? "" : "s", empty);
    }
    if (folds && !status) {
        /* folds past the distinct texts hold no row to test: nothing to train them for */
        for (size_t k = 0; k < folds && k < d.distinct && !status; k++) {
            m = train_memory(&d, k, folds);
            if (!m) {
                status = EXIT_MODEL;
                goto done;
            }
            const char *what = cli_untrained(m);
            if (what)
                fprintf(stderr, "kindly eval: warning: fold %zu's model (the other folds' rows) has learnt %s\n",
                        k + 1, what);
            status = score_rows(m, &d, k, folds, &o, &s);
            kd_model_close(m);
            m = NULL;
        }
    } else {
        if (ntrain) {
            dataset td = { 0 };
            status = dataset_read_all(&td, train, ntrain, 0, &skipped);
            bad_train = td.bad;
            if (status == EXIT_INPUT && !td.n) /* each file named: but not that the test files wait */
                cli_fail(EXIT_INPUT, "eval", "no --train file has a labelled row: no model to evaluate, no figures");
            if (!status && td.unlabelled)
                unlabelled_said(&td, "of the --train files not learnt");
            m = status ? NULL : train_memory(&td, 0, 0);
            dataset_free(&td);
            if (!m && !status)
                status = EXIT_MODEL;
            const char *what = m ? cli_untrained(m) : NULL;
            if (what)
                fprintf(stderr, "kindly eval: warning: the model of the --train files has learnt %s\n", what);
        } /* else -m: opened above */
        if (!m)
            goto done;
        /* remembered comments are written in batches, as score --remember does */
        int rc = o.remember ? kd_history_batch_begin(m) : KD_OK;
        status = rc ? cli_fail(cli_exit_for(rc), "eval", "%s", kd_model_error(m)) : score_rows(m, &d, 0, 0, &o, &s);
        if (o.remember && (rc = kd_history_flush(m)) && !status)
            status = cli_fail(cli_exit_for(rc), "eval", "%s", kd_model_error(m));
        if (!status)
            cli_warn_dates("eval", d.dates);
        cli_warn_unknown_posts("eval", m, mpath, &s.unknown);
    }
    if (status)
        goto done;
    kd_eval_figures fb, ff;
    if (kd_eval_figures_get(s.bayes, &fb) || kd_eval_figures_get(s.final, &ff)) {
        status = cli_fail(EXIT_INTERNAL, "eval", "out of memory");
        goto done;
    }
    if (json)
        putchar('{');
    print_figures("bayes", &fb, json, 1);
    print_figures("final", &ff, json, 0);
    if (json)
        puts("}");
    status = skipped ? EXIT_INPUT : EXIT_DONE;
done:
    if (status == EXIT_DONE || status == EXIT_INPUT) /* as train's: not after a fatal error */
        cli_warn_skipped("eval", d.bad + bad_train);
    kd_model_close(m);
    kd_rules_free(rules);
    kd_eval_free(s.bayes);
    kd_eval_free(s.final);
    dataset_free(&d);
    free(train);
    free(test);
    return status;
}
