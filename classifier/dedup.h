/*
 * dedup.h - the duplicates stage of the pipeline (internal).
 *
 * A comment is normalised for comparison (dedup.c), fingerprinted (minhash.h) and compared
 * with earlier comments: those recorded in the model's history (history.h) and, when it is
 * not being recorded, those classified earlier through the same kd_model handle (an
 * in-memory index that lives as long as the handle). Comparisons across handles, e.g.
 * between the server's worker threads, therefore go through the history table and happen
 * only when comments are remembered.
 */
#ifndef KD_DEDUP_H
#define KD_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "kindly.h"

typedef struct kd_dedup kd_dedup;

/* Fill out->duplicate_of, similarity, duplicate_scope and campaign; record the comment
 * (history when o->remember, else the handle's in-memory index) unless its id and text are
 * there already. An earlier comment with its id is never its duplicate. */
int kd_dedup_run(kd_model *m, const kd_comment *c, const kd_options *o, kd_result *out);

/* The label moderator feedback gave c (its record in the history: the same id and text, or
 * the record it adopts), as kd_hist_label() gives it (set 0); or give it *label (set 1):
 * spam or ham records the comment first if it is not in the history; KD_HIST_UNDONE marks
 * an undo, and records a comment with an id that is not in the history (so that the same
 * undo again finds it undone). Models older than schema 7 keep no labels.
 * undo: the label an undo takes back (KD_SPAM or KD_HAM), else KD_UNLABELLED. For an undo of
 * a comment whose record has no label (a mistyped id, or no id), the comments with its text
 * stand for it: the latest given that label, else (with an id) the latest taken back; set 1
 * with KD_HIST_UNDONE then marks that comment's label taken back, and records nothing.
 * rec (may be NULL), set 0: the seq of the record whose label *label is (0 if none). */
int kd_dedup_label(kd_model *m, const kd_comment *c, int set, int undo, int *label, int64_t *rec);

/* Inside the training transaction of kd_feedback: check that c's label is still expect
 * (else set m->fb_raced and fail: the transaction rolls back and the caller decides again),
 * then record c if need be and give it label (KD_HIST_UNDONE: an undo of the label undo,
 * as kd_dedup_label takes it). */
int kd_dedup_feedback_write(kd_model *m, const kd_comment *c, int expect, int label, int undo);

/* The id of the comment whose learning the last kd_dedup_label (set 1) since
 * kd_dedup_took_clear took back in place of the comment's own ("history:N" for one recorded
 * without an id), else NULL; valid until the next call on m. */
const char *kd_dedup_took(const kd_model *m);
/* 1 when that comment was recorded without an id (kd_dedup_took then names its record,
 * "history:N", which a real id may also read as), else 0 (also for m NULL). */
int kd_dedup_took_bare(const kd_model *m);
void kd_dedup_took_clear(kd_model *m);

/* Whether kd_history_batch_begin() is in force on m: the history then keeps its own
 * transaction (a write batch, or a read over many comments) open between calls. */
int kd_dedup_batching(const kd_model *m);

/* Commit pending history writes, free the index and the statements. Accepts NULL. */
void kd_dedup_free(kd_dedup *d);

/* The comparison form of a text: HTML decoded, links removed, NFKC, case folded,
 * punctuation, symbols, emoji, zero-width characters and variation selectors dropped,
 * white space collapsed. A text that would become empty keeps its emoji. */
int kd_dedup_normalize(const char *text, kd_buf *out);

#endif
