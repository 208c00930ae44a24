/*
 * history.h - the comment history in the model's SQLite file (internal): record a comment's
 * fingerprint, find earlier comments that may be duplicates of a new one, prune.
 *
 * The text itself is not stored, only what duplicate detection needs (about 75 bytes a
 * comment plus KD_MH_BANDS index entries of ~5 bytes; docs/BENCHMARKS-dup.md): the caller's
 * id and post id as text, the author name, e-mail address and IP as 32-bit hashes (enough to
 * tell "same author", and no personal data in a file that is copied around), the time, a
 * 31-bit hash of the normalised text (exact duplicates) and the MinHash signature.
 *
 * One kd_hist belongs to one kd_model handle and its SQLite connection; several handles
 * (server threads, processes) share the history only through the database.
 */
#ifndef KD_HIST_H
#define KD_HIST_H

#include <sqlite3.h>
#include <stdint.h>

#include "minhash.h"

typedef struct kd_hist kd_hist;

/* The text hash is stored in 31 bits, a 4-byte SQLite integer instead of 8. Alone it does not
 * tell two texts apart: at a million comments some 230 pairs share one (the birthday bound,
 * 10^12 / 2 / 2^31), and an undo that looks a text's learning up by its hash among a million
 * labelled comments meets another text's once in 2,147 lookups (10^6 / 2^31). So a text is its
 * hash and its MinHash signature (same_text in dedup.c, kd_hist_labelled,
 * kd_hist_text_labelled): history.c says why it is not widened. Callers mask their own hash
 * the same way to compare. */
#define KD_HIST_TEXT_HASH_MASK 0x7fffffffULL

/* A band bucket keeps at least this many comments of one band key, the earliest; past a
 * few hundred entries (a campaign) it keeps no more than these and the latest as many
 * (history.c, LONG_LIST). */
#define KD_HIST_PER_CHECK 32

/* What is recorded for one comment. */
typedef struct kd_hist_rec {
    int64_t seq;               /* set by kd_hist_insert / kd_hist_get */
    const char *id, *post_id;  /* borrowed; from kd_hist_get valid until the next call */
    uint32_t author, email, ip;/* hashes; 0 = unknown */
    int64_t time;              /* seconds since the epoch */
    uint64_t text_hash;        /* stored and read back as its low 31 bits (KD_HIST_TEXT_HASH_MASK) */
    uint8_t sig[KD_MH_SIGBYTES];
} kd_hist_rec;

/* Bind to db (the model's connection). present = 0 when the file predates the history
 * tables (read-only old model): every lookup then finds nothing. */
int kd_hist_new(kd_hist **out, sqlite3 *db, int present, int labels);
void kd_hist_free(kd_hist *h);

/* Group writes into one transaction (BEGIN IMMEDIATE) until kd_hist_commit. Without an
 * open transaction each insert commits on its own. */
int kd_hist_begin(kd_hist *h);
int kd_hist_commit(kd_hist *h);
int kd_hist_in_batch(const kd_hist *h);
/* Mark a transaction the caller opened on the same connection as this history's batch (1),
 * so that inserts join it (savepoints, no BEGIN or COMMIT of their own); 0 unmarks it. */
void kd_hist_join(kd_hist *h, int joined);

/* Open a read transaction when none is open (kd_hist_get_many does, around several
 * statements); end it. */
int kd_hist_read_begin(kd_hist *h);
int kd_hist_read_end(kd_hist *h); /* KD_OK once no read is open, else the failure */
int kd_hist_reading(const kd_hist *h); /* a read transaction of kd_hist_read_begin is open */

/* The newest comment's seq (0 when the history is empty): a comment recorded later has a
 * larger one, unless a prune deleted the newest comments meanwhile (their seqs are given again). */
int kd_hist_last(kd_hist *h, int64_t *seq);

/* Record r (r->seq receives its number) with its band keys. */
int kd_hist_insert(kd_hist *h, kd_hist_rec *r, const int64_t keys[KD_MH_BANDS]);
/* The label (kd_label) feedback gave comment seq: KD_UNLABELLED if it never had one (or the
 * history has no label column), KD_HIST_UNDONE if its label was taken back; set it
 * (KD_UNLABELLED or KD_HIST_UNDONE: taken back, stored as -1). */
#define KD_HIST_UNDONE (-2)
int kd_hist_label(kd_hist *h, int64_t seq, int *label);
int kd_hist_set_label(kd_hist *h, int64_t seq, int label);
/* The latest labelled comment with this id and text (text hash and signature: the hash alone
 * is 31 bits, see KD_HIST_TEXT_HASH_MASK) (0 if none): through an index, so found where the
 * LSH lists keep only a text's earliest copies. */
int kd_hist_labelled(kd_hist *h, const char *id, uint64_t text_hash, const uint8_t sig[KD_MH_SIGBYTES], int64_t *seq);
/* The latest comment with this text (hash and signature), whatever its id, that feedback gave
 * label (spam or ham), else the latest whose label was taken back: *seq (0 if none) and
 * *found (label, KD_HIST_UNDONE, or KD_UNLABELLED if none). Through the index of the
 * labelled comments. */
int kd_hist_text_labelled(kd_hist *h, uint64_t text_hash, const uint8_t sig[KD_MH_SIGBYTES], int label, int64_t *seq,
                          int *found);
/* Name comment seq, recorded without an id and with this text hash, with id; *named says
 * whether it was (not if another writer named or pruned it meanwhile). */
int kd_hist_set_id(kd_hist *h, int64_t seq, const char *id, uint64_t text_hash, int *named);

/* Call fn(ud, seq) for the earliest (at most `per_key`, which should not exceed
 * KD_HIST_PER_CHECK) comments in each band bucket, earliest first within a bucket; the same
 * seq may come several times. fn returns nonzero to stop. */
int kd_hist_candidates(kd_hist *h, const int64_t keys[KD_MH_BANDS], unsigned per_key,
                          int (*fn)(void *ud, int64_t seq), void *ud);

/* What kd_hist_find_id gives of one comment: its seq, post (NULL when none; valid during the
 * call), time and label (as kd_hist_label gives it). */
typedef struct kd_hist_found {
    int64_t seq, time;
    const char *post_id;
    int label;
} kd_hist_found;
/* Call fn(ud, f) for each comment recorded under id, earliest first; *n: how many were given
 * (0 for none, or a file without the history tables). Returns 0, an error code, or the first
 * nonzero value fn returned. Reads the whole table (no index holds every id). */
int kd_hist_find_id(kd_hist *h, const char *id, int (*fn)(void *ud, const kd_hist_found *f), void *ud, uint64_t *n);

/* Read one record; KD_ENOTFOUND if it was pruned. */
int kd_hist_get(kd_hist *h, int64_t seq, kd_hist_rec *out);

/* Call fn(ud, rec) for each of seqs[0..n) still in the history, in the order given (pruned
 * ones are skipped), reading up to 16 rows per statement. rec and its strings are valid
 * during the call. Returns 0, an error code, or the first nonzero value fn returned. */
int kd_hist_get_many(kd_hist *h, const int64_t *seqs, size_t n, int (*fn)(void *ud, const kd_hist_rec *r), void *ud);

/* Delete the comments whose time is at or before `before`, wherever they are in recording
 * order (time is the comment's date, so an imported old comment can follow new ones), and/or
 * all but the `keep` most recently recorded (0 = no limit on count; before = INT64_MIN: no
 * limit on age), with their index entries, in a run of short transactions (history.c says
 * in which order, and what a prune stopped part-way leaves). Commits a batch open on h first.
 * *removed: how many went, also when it fails part-way. KD_EBUSY, "another prune of the
 * history began while this one ran", when a prune begun since took it over. */
int kd_hist_prune(kd_hist *h, int64_t before, uint64_t keep, uint64_t *removed);
/* Whether the last kd_hist_prune committed some of its work (before it failed). */
int kd_hist_pruned_part(const kd_hist *h);
/* The index rows and the history rows a prune's transaction takes (0: the defaults, 4096
 * each); for tests. */
void kd_hist_prune_chunks(kd_hist *h, unsigned buckets, unsigned rows);

typedef struct kd_hist_stats {
    uint64_t comments, index_entries, bytes;
    int64_t oldest, newest;
} kd_hist_stats;
int kd_hist_stats_get(kd_hist *h, kd_hist_stats *out);

const char *kd_hist_errmsg(kd_hist *h);

#endif
