/*
 * feed.c - feed the labelled rows of a CSV file into an open training batch (shared by
 * train and learn).
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feed.h"

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
    return status;
}
