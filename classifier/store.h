/*
 * store.h - the SQLite file behind a model (internal).
 *
 * All SQL lives in store.c: the schema as a list of versioned migrations, and every
 * statement prepared once into a table indexed by kd_stmt (after rspamd's sqlite3_backend).
 * Parameters are always bound, never formatted into SQL.
 */
#ifndef KD_STORE_H
#define KD_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "tokmap.h"

/* Message and token totals kept in the meta table. They are sums like the token counts. */
typedef struct kd_totals {
    int64_t spam_messages, ham_messages;
    int64_t spam_tokens, ham_tokens; /* sum over messages of their distinct tokens */
    int64_t vocab;                   /* distinct tokens stored (not a sum: recounted on write) */
    int64_t generation;              /* bumped by every write of token counts or posts */
    int64_t foreign_ham_tokens;      /* the share of ham_tokens learnt as foreign (schema 6) */
} kd_totals;

typedef struct kd_store kd_store;

/* Open the file. flags are KD_OPEN_*; err (size errlen) receives a message on failure. */
int kd_store_open(kd_store **out, const char *path, unsigned flags, char *err, size_t errlen);
void kd_store_close(kd_store *s);
sqlite3 *kd_store_db(kd_store *s);
const char *kd_store_path(kd_store *s); /* as given to kd_store_open */
int kd_store_schema_version(kd_store *s);
/* The schema this open upgraded an existing file from (its migrations ran here), else 0. */
int kd_store_upgraded_from(kd_store *s);
/* End a read transaction begun with "BEGIN" on s: KD_OK once none is open, else the failure
 * (KD_ENOMEM), its message for kd_store_errmsg. See store.c. */
int kd_store_read_end(kd_store *s);

/* Token counts. */
int kd_store_get(kd_store *s, uint64_t h, kd_counts *out);            /* KD_OK or KD_ENOTFOUND */
int kd_store_load_all(kd_store *s, kd_tokmap *into);
/* The device and inode of the file the handle opened, taken at open (not the file its path
 * names now); 0 for an in-memory or temporary database. */
int kd_store_file_id(kd_store *s, uint64_t *dev, uint64_t *ino);
/* 1 if the file was removed or replaced (renamed over) since it was opened: a writing
 * connection's commits are then refused (rolled back), with kd_store_errmsg saying why. */
int kd_store_moved(kd_store *s);
/* When the file was moved: checkpoint this connection's log into it and empty the log, which
 * has the model's name and would be read as the new file's (store.c). */
void kd_store_release_moved(kd_store *s);
/* 1 if the model holds nothing (no token, post or remembered comment, no message counted),
 * 0 if it holds something, -1 if that cannot be read. */
int kd_store_is_empty(kd_store *s);
int kd_store_totals(kd_store *s, kd_totals *out);
/* The "generation" total alone (one lookup): what a writer reads inside its transaction,
 * before and after its writes, to know that they are the only change in between (model.c). */
int kd_store_generation(kd_store *s, int64_t *out);
/* Bump the "generation" total: called by writers of other tables that readers cache (posts),
 * inside their transaction. */
int kd_store_bump_generation(kd_store *s);
/* Bump "posts_generation", inside the transaction that writes posts or post_terms (and
 * nothing else bumps it: token counts do not), and read it (0 when the file has no such row:
 * no post written since it exists). Readers key the posts' statistics on it (posts.c). */
int kd_store_bump_posts_generation(kd_store *s);
int kd_store_posts_generation(kd_store *s, int64_t *out);
int64_t kd_store_token_count(kd_store *s);
/* PRAGMA data_version: changes when another connection commits. */
int64_t kd_store_data_version(kd_store *s);

/* Write a batch of deltas (clamped at zero) in one IMMEDIATE transaction. If before is not
 * NULL, before(ctx) runs in that transaction before the counts are written (checks of the
 * model as it was; it may lessen the deltas' values, read after it, not add keys); if also is not NULL, also(ctx) runs in it after them, before it commits
 * (further tables written with the counts, all or nothing). A non-zero return of either
 * rolls everything back and is returned. */
int kd_store_apply(kd_store *s, const kd_tokmap *delta, const kd_totals *dtot, int (*before)(void *ctx),
                   int (*also)(void *ctx), void *ctx);
/* The ham counts learnt from other sites' comments (table foreign_ham, schema 6; a part of
 * the tokens' ham counts). get: *n = 0 when absent; load_all: into each key's .ham; apply:
 * add the .ham deltas (clamped at zero, rows at zero or of deleted tokens removed), to be
 * called inside kd_store_apply's transaction (its also hook). Call them only on a schema 6
 * file (a writable one always is; a read-only one when totals.foreign_ham_tokens > 0). */
int kd_store_foreign_get(kd_store *s, uint64_t h, int64_t *n);
int kd_store_foreign_load_all(kd_store *s, kd_tokmap *into);
int kd_store_foreign_apply(kd_store *s, const kd_tokmap *delta);
/* In an undo's transaction, how many tokens contradict its foreign flag: with foreign, of
 * fdelta, before the counts are written, stored tokens with fewer foreign counts than it
 * takes away, by more than the model's prunings can have taken (N - 1 for each pruning at N
 * that dropped tokens, here or in a model merged in: a pruned word lost its foreign counts,
 * and may have come back without them); without, of
 * delta, after they are, tokens with more foreign ham than ham. */
int kd_store_foreign_mismatch(kd_store *s, const kd_tokmap *delta, int foreign, int64_t *n);
/* Add the counts and posts of the model files paths[0..n) into s, in one transaction: all
 * or nothing. Inputs are opened read-only (a missing one is not created) and must be kindly
 * models; one that is s's own file or another input's (by device and inode) is refused with
 * KD_EINVAL. Posts in several files are kept as most recently updated. Each input's identity
 * (and those of the models it had taken in) is recorded in s's "merged" table; one that s
 * holds already, or that learnt more since, is refused with KD_EEXIST unless again (see
 * store.c). */
int kd_store_merge(kd_store *s, const char *const *paths, size_t n, int again);
/* Stop a kd_store_merge running on s before it commits (async-signal-safe: a flag and
 * sqlite3_interrupt); it then rolls back and fails with KD_ERROR, "interrupted". */
void kd_store_interrupt(kd_store *s);
/* Now, or $SOURCE_DATE_EPOCH when it is set: the time of a post's update or of a merge. */
int64_t kd_store_now(void);
/* Delete the tokens seen fewer than min_count times in all (and their foreign counts); when
 * any went, min_count - 1 is added to the meta "prune_slack" (a sum, merged as one). */
int kd_store_prune(kd_store *s, unsigned min_count, int64_t *removed);
/* The meta "prune_slack" (0 if the model was never pruned): the most counts of one token
 * its prunings can have taken (a model that kept "pruned_below" N instead: N - 1). */
int kd_store_prune_slack(kd_store *s, int64_t *out);
/* How many counts of the label (spam if spam, else ham) the stored tokens lack against the
 * label's token total, the sum of the distinct tokens of every comment learnt with it: 0
 * unless tokens were dropped, by a pruning, or clamped at zero by an undo of an older kindly.
 * Reads every token: for explaining a refusal, not for every undo. */
int kd_store_tokens_short(kd_store *s, int spam, int64_t *out);
int kd_store_pack(kd_store *s);

/* Last SQLite error message of the connection. */
const char *kd_store_errmsg(kd_store *s);

#endif
