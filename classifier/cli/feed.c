/*
 * feed.c - feed the labelled rows of a CSV file into an open training batch (shared by
 * train and learn).
 *
 * An id is one comment: a file's second row of an id (an export appended to itself, an id
 * column that is not unique, a comment relabelled in a log of moderation events) is not
 * learnt, but named with the line that was, and counted as skipped. Learning both rows
 * would count the comment twice, or as spam and as ham at once; keeping the later one
 * instead would guess that the file is in time order, and undo a row already counted.
 *
 * The ids seen are an id_set: open addressing with linear probing over 16-byte slots (the
 * id's 64-bit hash, kd_hash64, and its first row's line and label: a probe reads one slot of
 * one cache line), at most 3/4 full. A slot is found by the hash's high bits scaled to the
 * table (Lemire's multiply-shift), so the table need not be a power of two and is sized from
 * the file: each time it grows, past 1,024 ids, the file's size over the bytes read so far
 * says how many will come, and the table is made for a tenth more, but at least twice and at
 * most 4 times its ids (a pipe, or a file whose later rows are shorter, grows it by
 * doubling; one whose first rows are the shortest by steps of 4).
 *
 * It was a kd_tokmap: 24 bytes a slot in two arrays, a power of two a quarter to half full,
 * grown by doubling. Train of sms.csv repeated to 200,664 rows with distinct ids peaked at
 * 27 MB resident against 10.5 MB without an id column, and counted 402k last-level misses in
 * cachegrind against 144k (each table of the doubling touched afresh); with the id_set,
 * 13.6 MB and 216k, the table 4.7 MB, the instructions as before (-0.2%), the model the same.
 *
 * Two different ids of one hash are taken for one, as they were: the second row is skipped
 * and named as a second row of its own id. Among a million ids that happens about once in
 * 4e7 files (n^2 / 2^65), accepted. A file without an id column (its rows' ids are their line
 * numbers) keeps no table. Ids in increasing order would need no lookup while they increase,
 * but would all be kept all the same: a later id out of order must be looked up among them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"
#include "tokmap.h"

typedef struct id_slot {
    uint64_t key;   /* the id's kd_hash64 (never 0); 0: an empty slot */
    uint64_t first; /* its first row: line << 1, | 1 when it was learnt as spam */
} id_slot;

typedef struct id_set {
    id_slot *slot;
    size_t cap, n;      /* cap: any number of slots, 0 before the first id */
    uint64_t size;      /* the file's size in bytes, 0 when unknown (standard input, a pipe) */
    uint64_t bytes;     /* the bytes of the rows read so far, about */
} id_set;

#define ID_SET_FIRST 1024 /* ids before the table is sized from the file */

static size_t id_home(const id_set *s, uint64_t key)
{
    return (size_t)(((unsigned __int128)key * s->cap) >> 64);
}

/* A table of cap slots holding s's ids; -1 when out of memory (s unchanged). */
static int id_rehash(id_set *s, size_t cap)
{
    id_slot *old = s->slot, *slot = calloc(cap, sizeof *slot);
    size_t ocap = s->cap;
    if (!slot)
        return -1;
    s->slot = slot;
    s->cap = cap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key)
            continue;
        size_t j = id_home(s, old[i].key);
        while (slot[j].key)
            j = j + 1 == cap ? 0 : j + 1;
        slot[j] = old[i];
    }
    free(old);
    return 0;
}

/* Room for one more id at most 3/4 full: ID_SET_FIRST ids at first, then each time as many as
 * the file's size over the bytes read so far says will come, a tenth more, but at least twice
 * and at most 4 times as many as now (a file whose first rows are its shortest does not get
 * a table for many more ids than it has). */
static int id_room(id_set *s)
{
    if (4 * (s->n + 1) <= 3 * s->cap)
        return 0;
    size_t want = s->n ? 2 * s->n : ID_SET_FIRST;
    if (s->n && s->bytes && s->size > s->bytes) {
        double more = (double)s->size / (double)s->bytes * (double)s->n * 1.1;
        if (more > (double)want)
            want = more < 4.0 * (double)s->n ? (size_t)more : 4 * s->n;
    }
    if (want > SIZE_MAX / 2 / sizeof(id_slot))
        return -1;
    return id_rehash(s, want + want / 3 + 1);
}

/* The bytes of row in its file, about (its fields and their commas and line end, not the
 * quotes). */
static void id_count_bytes(id_set *s, const kd_csv_row *row)
{
    uint64_t b = row->nfields + 1;
    for (size_t i = 0; i < row->nfields; i++)
        b += row->lens[i];
    s->bytes += b;
}

/* The first row of this row's id (0, also for a row without an id): line << 1 | spam, after
 * adding this row's when there is none; *oom set when memory ran out. */
static uint64_t ids_seen(id_set *s, const kd_csv_row *row, kd_label label, int *oom)
{
    const char *id = row->comment.id;
    if (!id || !*id)
        return 0;
    if (id_room(s)) {
        *oom = 1;
        return 0;
    }
    uint64_t key = kd_hash64(id, strlen(id)); /* never 0 */
    size_t j = id_home(s, key);
    while (s->slot[j].key) {
        if (s->slot[j].key == key)
            return s->slot[j].first;
        j = j + 1 == s->cap ? 0 : j + 1;
    }
    s->slot[j].key = key;
    s->slot[j].first = (uint64_t)row->line << 1 | (label == KD_SPAM);
    s->n++;
    return 0;
}

/* The file's size when it is a regular file, else 0. */
static uint64_t file_size(const char *path)
{
    struct stat st;
    return strcmp(path, "-") && !stat(path, &st) && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

/* A second row of an id: not learnt, said (the id on one line) and counted as skipped. */
static void id_again(kd_csv *r, const kd_csv_row *row, uint64_t first, kd_label label, int delta)
{
    const char *done = delta < 0 ? "unlearnt" : "learnt";
    kd_label was = first & 1 ? KD_SPAM : KD_HAM;
    kd_buf id = KD_BUF_INIT, msg = KD_BUF_INIT;
    kd_buf_printf(&msg, "id %s already %s as %s at line %lld%s: an id is %s once a file", cli_line(&id, row->comment.id),
                  done, was == KD_SPAM ? "spam" : "ham", (long long)(first >> 1),
                  was == label ? "" : label == KD_SPAM ? ", and this row says spam" : ", and this row says ham",
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

void cli_feed_unlabelled_why(const cli_feed_counts *n)
{
    if (!n->pending && !n->trashed)
        return;
    unsigned long other = n->unlabelled - n->pending - n->trashed;
    fprintf(stderr, " (%lu pending, %lu trash or post-trashed", n->pending, n->trashed);
    if (other)
        fprintf(stderr, ", %lu other", other);
    fputc(')', stderr);
}

int cli_feed_csv(const char *cmd, kd_model *m, const char *path, kd_label force, int delta, unsigned flags,
                 int progress, int record, cli_feed_counts *n)
{
    int status = EXIT_DONE;
    kd_csv *r = cli_open_csv(cmd, path, KD_CSV_COMMENTS, force != KD_UNLABELLED ? CLI_LABELS_FORCED : 0, &status);
    if (!r) {
        n->refused += status == EXIT_INPUT;
        return status;
    }
    if (record)
        cli_warn_line_ids(cmd, path, r, 0); /* learn: check would not teach */
    const char *shown = cli_shown(path);
    unsigned long before = n->learned, unlabelled = n->unlabelled, pending = n->pending, trashed = n->trashed;
    progress = progress && isatty(STDERR_FILENO);
    double last = progress ? now() : 0;
    kd_buf line = KD_BUF_INIT; /* the file's name as one line, for the progress */
    const char *bar = progress ? cli_line(&line, shown) : "";
    const kd_csv_row *row;
    cli_labels_seen seen = { 0 };
    id_set ids = { NULL, 0, 0, 0, 0 };
    int has_ids = cli_csv_has_ids(r); /* (else each row's id is its line number) */
    if (has_ids)
        ids.size = file_size(path);
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
        if (has_ids)
            id_count_bytes(&ids, row);
        kd_label label = force != KD_UNLABELLED ? force : row->label;
        if (label == KD_UNLABELLED) {
            n->unlabelled++;
            int why = cli_wp_unlabelled(r, row);
            n->pending += why == 1;
            n->trashed += why == 2;
            cli_labels_note(&seen, r, row);
            continue;
        }
        int oom = 0;
        uint64_t first = has_ids ? ids_seen(&ids, row, label, &oom) : 0;
        if (oom) {
            status = cli_fail(EXIT_INTERNAL, cmd, "%s:%lu: out of memory", shown, row->line);
            goto done;
        }
        if (first) {
            id_again(r, row, first, label, delta);
            continue;
        }
        /* a file without an id column numbers its rows by line (for the history), but an
         * undo of such a row is one without an id: a line number named as the comment's id
         * matched no learning by itself, and the history's mark on the text's learning
         * under a real id refused the row, as "comment 2", where the counts decide */
        kd_comment c = row->comment;
        if (!has_ids && delta < 0)
            c.id = NULL;
        int lrc = kd_train_add_ex(m, &c, label, delta, flags);
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
        if (progress && ((n->learned - before) & 1023) == 0 && now() - last > 0.25) {
            last = now();
            fprintf(stderr, "\r%s: %lu rows", bar, n->learned - before); /* this file's */
        }
    }
    if (progress)
        fprintf(stderr, "\r%s: %lu rows\n", bar, n->learned - before);
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
    if (force == KD_UNLABELLED && n->learned == before) {
        status = cli_no_labelled_rows_in(cmd, path, r, &seen);
        n->unlabelled = unlabelled; /* the message named the file: its rows are not counted again */
        n->pending = pending;
        n->trashed = trashed;
    } else if (n->learned == before && !kd_csv_skipped(r)) /* --spam or --ham: no row at all */
        status = cli_no_rows(cmd, path);
done:
    /* a failed write of the history is said, and fatal, after skipped rows (EXIT_INPUT) too */
    if (record && (rc = kd_history_flush(m)) && (status == EXIT_DONE || status == EXIT_INPUT))
        status = cli_fail(cli_exit_for(rc), cmd, "%s", kd_model_error(m));
    kd_csv_free(r);
    free(ids.slot);
    kd_buf_free(&line);
    return status;
}
