/*
 * feed.c - feed the labelled rows of a CSV file into an open training batch (shared by
 * train and learn).
 *
 * An id is one comment: a file's second row of an id (an export appended to itself, an id
 * column that is not unique, a comment relabelled in a log of moderation events) is not
 * learnt, but named with the line that was, and counted as skipped. Learning both rows
 * would count the comment twice, or as spam and as ham at once; keeping the later one
 * instead would guess that the file is in time order, and undo a row already counted. The
 * ids seen are a kd_tokmap keyed by the id's 64-bit hash (two ids of a million share one
 * about once in 4e7 files), its counts the first row's line and label: 24 bytes a slot, a
 * quarter to half of them used (train of sms.csv repeated to 200,664 rows peaked at 27 MB,
 * 10 MB without an id column; 20,000 rows counted 1.3% more instructions); a file without an
 * id column (its rows' ids are their line numbers) keeps none.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"
#include "tokmap.h"

/* The earlier row of this row's id (NULL, also for a row without an id): its counts, spam its
 * line and ham its label, after adding this row's when there is none; *oom set when memory
 * ran out. */
static const kd_counts *ids_seen(kd_tokmap *ids, const kd_csv_row *row, kd_label label, int *oom)
{
    const char *id = row->comment.id;
    if (!id || !*id)
        return NULL;
    kd_counts *first = kd_tokmap_upsert(ids, kd_hash64(id, strlen(id)));
    if (!first) {
        *oom = 1;
        return NULL;
    }
    if (first->spam)
        return first;
    first->spam = (int64_t)row->line;
    first->ham = label;
    return NULL;
}

/* A second row of an id: not learnt, said (the id on one line) and counted as skipped. */
static void id_again(kd_csv *r, const kd_csv_row *row, const kd_counts *first, kd_label label, int delta)
{
    const char *done = delta < 0 ? "unlearnt" : "learnt";
    kd_buf id = KD_BUF_INIT, msg = KD_BUF_INIT;
    kd_buf_printf(&msg, "id %s already %s as %s at line %lld%s: an id is %s once a file", cli_line(&id, row->comment.id),
                  done, first->ham == KD_SPAM ? "spam" : "ham", (long long)first->spam,
                  first->ham == label ? "" : label == KD_SPAM ? ", and this row says spam" : ", and this row says ham",
                  done);
    kd_csv_reject(r, row, NULL, msg.oom ? "an id already learnt in this file" : msg.s);
    kd_buf_free(&id);
    kd_buf_free(&msg);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cli_feed_csv(const char *cmd, kd_model *m, const char *path, kd_label force, int delta, unsigned flags,
                 int progress, int record, cli_feed_counts *n)
{
    int status = EXIT_DONE;
    kd_csv *r = cli_open_csv(cmd, path, KD_CSV_COMMENTS, force != KD_UNLABELLED, &status);
    if (!r) {
        n->refused += status == EXIT_INPUT;
        return status;
    }
    if (record)
        cli_warn_line_ids(cmd, path, r, 0); /* learn: check would not teach */
    const char *shown = cli_shown(path);
    unsigned long before = n->learned;
    progress = progress && isatty(STDERR_FILENO);
    double last = progress ? now() : 0;
    const kd_csv_row *row;
    cli_labels_seen seen = { 0 };
    kd_tokmap ids = KD_TOKMAP_INIT;
    int has_ids = cli_csv_has_ids(r); /* (else each row's id is its line number) */
    int rc;
    if (record && (rc = kd_history_batch_begin(m))) {
        status = cli_fail(cli_exit_for(rc), cmd, "%s", kd_model_error(m));
        goto done;
    }
    while ((rc = kd_csv_next(r, &row)) == 1) {
        if (cli_interrupted) { /* train, interrupted: stop here, nothing is written */
            if (progress)
                fputc('\n', stderr);
            status = EXIT_MODEL;
            goto done;
        }
        kd_label label = force != KD_UNLABELLED ? force : row->label;
        if (label == KD_UNLABELLED) {
            n->unlabelled++;
            cli_labels_note(&seen, r, row);
            continue;
        }
        int oom = 0;
        const kd_counts *first = has_ids ? ids_seen(&ids, row, label, &oom) : NULL;
        if (oom) {
            status = cli_fail(EXIT_INTERNAL, cmd, "%s:%lu: out of memory", shown, row->line);
            goto done;
        }
        if (first) {
            id_again(r, row, first, label, delta);
            continue;
        }
        int lrc = kd_train_add_ex(m, &row->comment, label, delta, flags);
        if (lrc) {
            status = cli_fail(cli_exit_for(lrc), cmd, "%s:%lu: %s", shown, row->line, kd_model_error(m));
            goto done;
        }
        n->dates += record ? (unsigned long)cli_note_date(r, row) : 0;
        kd_comment local;
        char date[128];
        if (record && (lrc = kd_history_record(m, cli_row_comment(r, row, &local, date, sizeof date)))) {
            status = cli_fail(cli_exit_for(lrc), cmd, "%s:%lu: %s", shown, row->line, kd_model_error(m));
            goto done;
        }
        n->learned++;
        n->spam += label == KD_SPAM;
        if (progress && (n->learned & 1023) == 0 && now() - last > 0.25) {
            last = now();
            fprintf(stderr, "\r%s: %lu rows", shown, n->learned);
        }
    }
    if (progress)
        fprintf(stderr, "\r%s: %lu rows\n", shown, n->learned);
    if (rc < 0 && cli_interrupted) { /* the reading stopped by the signal: the caller says so */
        status = EXIT_MODEL;
        goto done;
    }
    if (rc < 0) {
        status = cli_fail(cli_exit_for(rc), cmd, "%s", kd_csv_error(r));
        goto done;
    }
    n->skipped += kd_csv_skipped(r);
    if (kd_csv_skipped(r))
        status = EXIT_INPUT;
    /* a file that teaches nothing is a wrong file or a missing --spam/--ham, not a success */
    if (force == KD_UNLABELLED && n->learned == before)
        status = cli_no_labelled_rows_in(cmd, path, r, &seen);
    else if (n->learned == before && !kd_csv_skipped(r)) /* --spam or --ham: no row at all */
        status = cli_no_rows(cmd, path);
done:
    if (record && (rc = kd_history_flush(m)) && status == EXIT_DONE)
        status = cli_fail(cli_exit_for(rc), cmd, "%s", kd_model_error(m));
    kd_csv_free(r);
    kd_tokmap_free(&ids);
    return status;
}
