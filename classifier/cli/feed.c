/*
 * feed.c - feed the labelled rows of a CSV file into an open training batch (shared by
 * train and learn).
 *
 * An id is one comment: a file's second row of an id (an export appended to itself, an id
 * column that is not unique, a comment relabelled in a log of moderation events) is not
 * learnt, but named with the line that was, and counted as skipped. Learning both rows
 * would count the comment twice, or as spam and as ham at once; keeping the later one
 * instead would guess that the file is in time order, and undo a row already counted. The
 * ids seen are kept in an array (an id, its line, label and a 64-bit FNV-1a hash of its text,
 * which only says whether the text differs), the ids in one buffer, found through an open
 * addressing table of 32-bit indexes: about 60 bytes a row and its id (train of 300,000 rows
 * peaked at 21.9 MB, 3.7 MB without an id column); a file without an id column (its rows'
 * ids are their line numbers) keeps none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"

typedef struct seen_id {
    uint64_t text;
    size_t id;          /* where its id begins in the table's ids */
    unsigned long line;
    kd_label label;
} seen_id;

typedef struct id_table {
    seen_id *e;         /* the ids seen, in file order */
    size_t n, cap;
    uint32_t *slot;     /* open addressing: an index in e + 1, 0 for a free slot */
    size_t nslot;       /* 0 or a power of two, kept at least twice n */
    kd_buf ids;         /* the ids, each NUL-terminated: one allocation, not one an id */
} id_table;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The slot of id in t: its entry's, or the free one where it goes. */
static uint32_t *ids_find(const id_table *t, const char *id)
{
    size_t i = (size_t)fnv1a(id) & (t->nslot - 1);
    while (t->slot[i] && strcmp(t->ids.s + t->e[t->slot[i] - 1].id, id))
        i = (i + 1) & (t->nslot - 1);
    return &t->slot[i];
}

/* Room for one more id: false when memory ran out (or past 2^31 ids). */
static int ids_room(id_table *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 512;
        seen_id *e = cap < INT32_MAX ? realloc(t->e, cap * sizeof *e) : NULL;
        if (!e)
            return 0;
        t->e = e;
        t->cap = cap;
    }
    if (2 * (t->n + 1) <= t->nslot)
        return 1;
    size_t nslot = t->nslot ? 2 * t->nslot : 1024;
    uint32_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return 0;
    free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    for (size_t k = 0; k < t->n; k++)
        *ids_find(t, t->ids.s + t->e[k].id) = (uint32_t)k + 1;
    return 1;
}

/* The earlier row of this row's id (NULL, also for a row without an id), after adding this
 * row's when there is none; *oom set when memory ran out. */
static const seen_id *ids_seen(id_table *t, const kd_csv_row *row, kd_label label, int *oom)
{
    const char *id = row->comment.id;
    if (!id || !*id)
        return NULL;
    if (!ids_room(t)) {
        *oom = 1;
        return NULL;
    }
    uint32_t *slot = ids_find(t, id);
    if (*slot)
        return &t->e[*slot - 1];
    seen_id *e = &t->e[t->n];
    e->id = t->ids.len;
    if (kd_buf_add(&t->ids, id, strlen(id) + 1)) {
        *oom = 1;
        return NULL;
    }
    e->line = row->line;
    e->label = label;
    e->text = fnv1a(row->comment.text);
    *slot = (uint32_t)++t->n;
    return NULL;
}

/* A second row of an id: not learnt, said (the id on one line) and counted as skipped. */
static void id_again(kd_csv *r, const kd_csv_row *row, const seen_id *first, kd_label label, int delta)
{
    const char *done = delta < 0 ? "unlearnt" : "learnt", *l = first->label == KD_SPAM ? "spam" : "ham";
    kd_buf id = KD_BUF_INIT, msg = KD_BUF_INIT;
    char how[40];
    if (label != first->label)
        snprintf(how, sizeof how, "and this row says %s", label == KD_SPAM ? "spam" : "ham");
    else
        snprintf(how, sizeof how, "%s", first->text != fnv1a(row->comment.text) ? "with another text"
                                                                                 : "the same text again");
    kd_buf_printf(&msg, "id %s already %s as %s at line %lu, %s: an id is %s once a file", cli_line(&id, row->comment.id),
                  done, l, first->line, how, done);
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
    id_table ids = { NULL, 0, 0, NULL, 0, KD_BUF_INIT };
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
        const seen_id *first = has_ids ? ids_seen(&ids, row, label, &oom) : NULL;
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
    free(ids.e);
    free(ids.slot);
    kd_buf_free(&ids.ids);
    return status;
}
