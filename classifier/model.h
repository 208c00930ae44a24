/*
 * model.h - the kd_model handle (internal): an open store plus what is cached in memory.
 */
#ifndef KD_MODEL_H
#define KD_MODEL_H

#include <stdint.h>

#include "kindly.h"
#include "store.h"
#include "tokenize.h"
#include "tokmap.h"
#include "tokset.h"

struct kd_model {
    kd_store *store;
    unsigned flags;
    char err[1024]; /* a message naming the model (the sqlite3 command of undo_check) fits a long path too */

    kd_totals totals;       /* message and token totals, as of the last (re)load; when
                             * preloaded, those counts were read with (or add_own's) */
    kd_tokmap counts;       /* every token's counts, when preloaded; the counts looked up
                             * since the last change, when cached */
    int64_t counts_generation; /* totals.generation when counts were loaded */
    int preloaded;
    int cached;             /* a preloaded handle of a large model after its counts changed:
                             * counts and foreign are filled on demand (model.c, load) */
    kd_tokmap foreign;      /* the foreign share of the ham counts (.ham), when preloaded and
                             * totals.foreign_ham_tokens > 0 (relevance.c); when cached, the
                             * shares looked up (.spam 1 marks one looked up) */
    int64_t data_version;   /* PRAGMA data_version at the last (re)load */
    int64_t posts_generation; /* meta "posts_generation" at the last (re)load or write of
                               * posts by this handle: the posts cache's key (posts.c) */

    /* the open training batch */
    int training;
    /* feedback.c: the comment whose label the batch's transaction checks and writes (NULL:
     * none), the label it must still have, the label to give it; raced: it had changed */
    const kd_comment *fb_comment;
    int fb_expect, fb_label, fb_raced;
    int fb_undo; /* the label a plain undo takes back (kd_dedup_label), else KD_UNLABELLED */
    /* feedback.c: the take-back of a label the history says was learnt (a relabel's, or an
     * undo's) is not checked against the counts (model.c, undo_check): a CSV undo, which
     * keeps no label, may have taken them meanwhile */
    int fb_unchecked;
    /* the open batch takes a comment back (kd_train_add with delta -1): check_before checks
     * it again in the transaction, whatever else the batch learns */
    int undoing;
    /* the open batch's undos of comments the history says were given the label undone (a CSV
     * row given feedback before): copies, marked taken back in the transaction of the counts
     * (model.c, write_also), so that a later undo or relabel by feedback does not take the
     * label's counts again */
    struct kd_undo_known *uk;
    size_t nuk, capuk;
    kd_tokmap delta;
    kd_tokmap_seen seen;    /* scratch of kd_tokmap_add_once into delta */
    kd_tokmap fdelta;       /* the batch's foreign ham counts (.ham) */
    kd_totals dtotals;
    /* read in the transaction that writes the batch (model.c, add_own): the file's totals
     * before its writes and after them; generation -1: unread */
    kd_totals own_before, own_after;
    /* the commits of this process's handles on the file, shared (deltas.c); NULL: none */
    struct kd_deltas *deltas;

    /* scratch reused across calls (a kd_model is used by one thread at a time) */
    kd_tokens tok;
    kd_tokset set;
    kd_tokenize_options topt;

    /* posts and their term statistics, built on first use by posts.c (NULL until then);
     * shared read-only with the process's other handles on the same file and posts
     * generation, and reference-counted (released by kd_posts_cache_release) */
    struct kd_posts_cache *posts;
    /* the open training batch's words of approved comments per post (posts.c; NULL if none) */
    struct kd_post_delta *post_delta;

    /* duplicates stage (dedup.c): history statements, pending history writes and the
     * in-memory index of the comments classified through this handle (NULL until used) */
    struct kd_dedup *dedup;

    /* kd_model_open() failed: the handle only explains why (kd_model_error), and every
     * other function refuses it with KD_EINVAL, leaving that message as it is */
    int failed;
};

/* 1 when m may be used: not NULL, and opened. Every public function taking a kd_model
 * checks this first (NULL, or a handle whose kd_model_open failed: KD_EINVAL). */
static inline int kd_model_usable(const kd_model *m)
{
    return m && !m->failed;
}

/* Record a message; returns code. */
int kd_model_fail(kd_model *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* KD_EINVAL for a comment c (NULL, or with a NULL text) given to fn, the message naming fn
 * and which of the two is NULL. */
int kd_model_no_text(kd_model *m, const char *fn, const kd_comment *c);
/* The line that says m upgraded the model at path when it opened it (kd_model_upgraded_from;
 * from schema 3 or older, that its duplicates history was dropped), for the CLI and the
 * server alike: 1 with it in out, 0 when m upgraded nothing. */
int kd_model_upgrade_note(const kd_model *m, const char *path, char *out, size_t len);
/* A failed write of the model file: "cannot WHAT in model PATH: WHY", with what to do for a
 * read-only file, a lock held too long or a full disk. Returns code. */
int kd_model_write_failed(kd_model *m, int code, const char *what, const char *why);
/* The same for a write of which a part was kept: outcome (what was written and what was
 * not, "5 comments were recorded, the last 2 were not") ends the message, in place of
 * "nothing was written". */
int kd_model_write_failed_part(kd_model *m, int code, const char *what, const char *why, const char *outcome);
/* A failed read of the model file: "cannot read WHAT in model PATH: WHY", with what to do
 * for a lock held too long or a damaged file (a table gone, a malformed page), so that a
 * message never leaves out which file it is about. Returns code. */
int kd_model_read_failed(kd_model *m, int code, const char *what, const char *why);

/* Remove the file of m, with its -wal, -shm and -journal, if it is still at its path and
 * holds nothing (no counts, posts or history): decided and done under the write lock, so
 * that another writer's commit cannot land in between (its commit is then refused: the
 * file was removed). *removed = 1 if it was. For a command that created a model and learnt
 * nothing; close m afterwards. 0, or a KD_E* code (nothing removed). */
int kd_model_remove_if_empty(kd_model *m, int *removed);
/* Commit the comments a history batch (kd_history_batch_begin) holds in its open
 * transaction, the batch going on, so that a write of other tables can begin its own:
 * called first by every such write (training, posts, merge, prune, pack). */
int kd_model_flush_history(kd_model *m);
/* Counts of one token (zero counts when unseen). */
int kd_model_lookup(kd_model *m, uint64_t h, kd_counts *out);
/* How many of the token's ham counts were learnt as foreign (0 when the model has none:
 * then no lookup is made). */
int kd_model_foreign(kd_model *m, uint64_t h, int64_t *out);
/* (kd_model_has_own_ham is public: kindly.h) */

#endif
