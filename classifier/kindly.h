/*
 * kindly.h - the one public header of libkindly, a comment moderation classifier.
 *
 * kindly answers three questions about a blog comment: is it spam, is it a duplicate of an
 * earlier comment, and is it on topic. It returns scores, a verdict (approve / hold / spam)
 * and the reasons. Everything a front end (the CLI, the HTTP server, an embedding program)
 * needs is declared here; everything else in classifier/ is internal.
 *
 * Conventions (after libgit2):
 *  - Functions return 0 (KD_OK) on success or a negative KD_E* code. A message describing the
 *    last failure on a handle is available from kd_model_error() / kd_csv_error().
 *  - Output parameters are named `out`; what they point to is owned by the caller and freed
 *    with the matching *_free() function. Every *_free() accepts NULL.
 *  - The library never prints, never exits and never reads the environment.
 *  - Out of memory is reported as KD_ENOMEM, never an abort.
 *  - Thread safety: a kd_model may be used by one thread at a time unless a function says
 *    otherwise. Distinct handles are independent.
 */
#ifndef KINDLY_H
#define KINDLY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KINDLY_VERSION "0.1.0"

/** @name Error codes */
/**@{*/
#define KD_OK         0
#define KD_ERROR     -1 /**< generic failure; see the handle's message */
#define KD_ENOMEM    -2 /**< out of memory */
#define KD_EIO       -3 /**< a file or the database could not be read or written */
#define KD_EPARSE    -4 /**< malformed input (CSV, rule file, request) */
#define KD_ENOTFOUND -5 /**< a named thing does not exist (file, column, post) */
#define KD_EINVAL    -6 /**< an argument is out of range */
#define KD_ESCHEMA   -7 /**< the model file is not a kindly model, or is newer than this library */
#define KD_EBUSY     -8 /**< the database is locked by another writer for too long */
/**@}*/

/** Short English description of an error code (static string, never NULL). */
const char *kd_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/** @name Comments */
/**@{*/

/**
 * One comment and its metadata. Every field is a NUL-terminated UTF-8 string or NULL when
 * unknown. The struct only borrows the strings; kindly copies what it keeps.
 */
typedef struct kd_comment {
    const char *id;      /**< caller's identifier, echoed in results */
    const char *post_id; /**< the post the comment was written on */
    const char *parent;  /**< id of the comment it replies to */
    const char *author;  /**< author name */
    const char *email;   /**< author e-mail address */
    const char *url;     /**< author URL (the "website" field of a comment form) */
    const char *ip;      /**< author IP address */
    const char *agent;   /**< user agent */
    const char *date;    /**< date as given (ISO 8601 preferred) */
    const char *text;    /**< comment body; may hold HTML, entities, newlines, emoji */
} kd_comment;

#define KD_COMMENT_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** A training label. */
typedef enum kd_label {
    KD_UNLABELLED = -1, /**< not labelled: never trained on */
    KD_HAM = 0,
    KD_SPAM = 1
} kd_label;

/** The three-way verdict. The values are the exit codes of `kindly check`. */
typedef enum kd_verdict {
    KD_APPROVE = 0,
    KD_VERDICT_SPAM = 1,
    KD_HOLD = 2
} kd_verdict;

/** "approve", "spam" or "hold". */
const char *kd_verdict_name(kd_verdict v);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name CSV input
 *
 * Reads comment corpora with libcsv, mapping columns by header name, so that kindly's own
 * schema (id,post_id,author,label,text,...), the YouTube Spam Collection
 * (COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS) and WordPress exports (comment_ID, comment_content,
 * comment_approved, ...) all work unchanged. A bad row is reported through the problem
 * callback with its line number and skipped; the other rows are unaffected.
 */
/**@{*/

typedef struct kd_csv kd_csv;

/** One problem found in the input. */
typedef struct kd_csv_problem {
    const char *file;   /**< the path given to kd_csv_open ("-" shows as "<stdin>") */
    unsigned long line; /**< physical line where the record starts (1 = header) */
    const char *field;  /**< column name concerned, or NULL */
    const char *message;
    int skipped;        /**< 1: the row was dropped; 0: a warning, the row was repaired and kept */
} kd_csv_problem;

typedef void (*kd_csv_problem_fn)(void *ud, const kd_csv_problem *p);

typedef enum kd_csv_kind {
    KD_CSV_COMMENTS = 0, /**< map columns to kd_comment and a label; a text column is required */
    KD_CSV_RAW = 1       /**< no mapping; use kd_csv_column() and the raw fields */
} kd_csv_kind;

typedef struct kd_csv_options {
    unsigned version;
    kd_csv_kind kind;
    size_t max_field;          /**< longest field accepted, in bytes (default 16 MiB) */
    kd_csv_problem_fn problem; /**< called for each bad row or repaired field; may be NULL */
    void *problem_ud;
} kd_csv_options;

#define KD_CSV_OPTIONS_VERSION 1
#define KD_CSV_OPTIONS_INIT { KD_CSV_OPTIONS_VERSION, KD_CSV_COMMENTS, (size_t)16 << 20, NULL, NULL }

/** One record. Valid until the next kd_csv_next() or kd_csv_free() on the same reader. */
typedef struct kd_csv_row {
    kd_comment comment;       /**< mapped fields (KD_CSV_COMMENTS); strings point into the row */
    kd_label label;           /**< from label / CLASS / comment_approved; KD_UNLABELLED if none */
    unsigned long line;       /**< physical line where the record starts */
    size_t nfields;           /**< number of raw fields, equal to the header's */
    const char *const *fields;/**< raw fields in header order, NUL-terminated, valid UTF-8 */
    const size_t *lens;       /**< their lengths in bytes */
} kd_csv_row;

/**
 * Open a CSV file ("-" for standard input) and read its header.
 * @param[out] out the reader, to be freed with kd_csv_free() (also on failure, when set)
 * @return 0; KD_EIO if the file cannot be opened; KD_EPARSE if the header is missing or
 *         unreadable; KD_ENOTFOUND if a required column (text) is absent. On failure *out is
 *         still set when a reader was allocated, so kd_csv_error() can explain.
 */
int kd_csv_open(kd_csv **out, const char *path, const kd_csv_options *opts);

/**
 * Read the next good record.
 * @param[out] row points at the record, owned by the reader.
 * @return 1 when a row was read, 0 at end of input, or a negative error (KD_EIO, KD_ENOMEM).
 *         Bad rows are reported through the problem callback and skipped, never returned.
 */
int kd_csv_next(kd_csv *r, const kd_csv_row **row);

/** The header's column names and their count. */
const char *const *kd_csv_header(const kd_csv *r, size_t *n);
/** Index of a column by name (ASCII case-insensitive), or -1. */
int kd_csv_column(const kd_csv *r, const char *name);
/** Number of rows dropped so far, and number of rows kept after a repair. */
unsigned long kd_csv_skipped(const kd_csv *r);
unsigned long kd_csv_repaired(const kd_csv *r);
/** Message for the last fatal error on this reader. */
const char *kd_csv_error(const kd_csv *r);
void kd_csv_free(kd_csv *r);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Models
 *
 * A model is one SQLite file: token counts, message counts, and (later stages) posts and
 * comment history. Counts are sums, so models trained on shards merge into the model of the
 * whole.
 */
/**@{*/

typedef struct kd_model kd_model;

/** Flags for kd_model_open(). */
#define KD_OPEN_READONLY 0x0   /**< read only; the file must exist */
#define KD_OPEN_WRITE    0x1   /**< read and write; WAL journal */
#define KD_OPEN_CREATE   0x2   /**< create the file if it does not exist (implies WRITE) */
#define KD_OPEN_PRELOAD  0x4   /**< load every token count into memory now (fast batch
                                    scoring); otherwise counts are looked up on demand,
                                    which is faster for a single comment */

/**
 * Open (or create) a model file. ":memory:" opens a private in-memory model.
 * @param[out] out the model; freed with kd_model_close(). Set even on failure when a handle
 *             could be allocated, so that kd_model_error() can explain.
 * @return 0, KD_EIO, KD_ESCHEMA, KD_ENOMEM.
 */
int kd_model_open(kd_model **out, const char *path, unsigned flags);
void kd_model_close(kd_model *m);
/** Message describing the last failure on this model (never NULL). */
const char *kd_model_error(const kd_model *m);

/** Message counts of the model. */
typedef struct kd_model_stats {
    uint64_t spam_messages, ham_messages;
    uint64_t tokens;       /**< distinct tokens stored */
    int schema_version;
} kd_model_stats;
int kd_model_stats_get(kd_model *m, kd_model_stats *out);

/**
 * Training happens in a batch: kd_train_begin(), any number of kd_train_add(), then
 * kd_train_commit() writes everything in one transaction (or kd_train_abort() drops it).
 * A process killed before the commit leaves the previous model intact.
 * @param delta +1 to learn the comment, -1 to unlearn it (undo a wrong registration;
 *        counts never go below zero).
 */
int kd_train_begin(kd_model *m);
int kd_train_add(kd_model *m, const kd_comment *c, kd_label label, int delta);
int kd_train_commit(kd_model *m);
void kd_train_abort(kd_model *m);

/**
 * Pick up changes committed by other processes (a retrain, feedback): reloads the totals and,
 * when preloaded, the token counts, if the file changed since the last load. Cheap when
 * nothing changed (one PRAGMA). Not thread-safe: call it while no other thread uses m.
 * @param[out] reloaded set to 1 if something was reloaded (may be NULL)
 */
int kd_model_refresh(kd_model *m, int *reloaded);

/** Add the counts of the model file at `path` into m (in one transaction). */
int kd_model_merge(kd_model *m, const char *path);

/** Delete tokens seen fewer than min_count times in all (spam + ham); *removed gets the number. */
int kd_model_prune(kd_model *m, unsigned min_count, uint64_t *removed);

/** Reclaim space and switch the file to a rollback journal so that it can be shipped and
 *  opened from a read-only directory. */
int kd_model_pack(kd_model *m);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Classification */
/**@{*/

/** Which combining method the Bayes stage uses. */
typedef enum kd_scorer {
    KD_SCORER_FISHER = 0,     /**< Robinson's f(w) with Fisher's chi-square combining */
    KD_SCORER_MULTINOMIAL = 1 /**< multinomial naive Bayes over binary token counts */
} kd_scorer;

typedef struct kd_rules kd_rules; /* a compiled rule set: see "Rules" below */

typedef struct kd_options {
    unsigned version;
    kd_scorer scorer;
    double spam_cutoff; /**< spam_score >= this: verdict spam */
    double ham_cutoff;  /**< spam_score < this: approve; in between: hold */
    double robinson_s;  /**< strength of the prior belief x (Robinson's s) */
    double robinson_x;  /**< assumed probability of a token never seen (Robinson's x) */
    double min_dev;     /**< ignore tokens whose f(w) is within this of 0.5 */
    unsigned max_tokens;/**< use at most this many most extreme tokens (0 = all) */
    unsigned reasons;   /**< report this many strongest tokens */
    /* rules stage */
    const kd_rules *rules;     /**< rule set to apply, or NULL for none (not owned) */
    /* duplicates stage */
    int remember;              /**< record the comment in the model's history (needs a writable model) */
    double dup_threshold;      /**< near-duplicate similarity at or above this is a duplicate */
    kd_verdict dup_verdict;    /**< verdict given to a duplicate that is not spam (default hold) */
    /* relevance stage */
    double offtopic_threshold; /**< relevance below this: hold with reason off_topic (0 = off) */
} kd_options;

#define KD_OPTIONS_VERSION 1
#define KD_OPTIONS_INIT { KD_OPTIONS_VERSION, KD_SCORER_MULTINOMIAL, 0.9, 0.5, 0.45, 0.5, 0.1, 150, 5, \
                          NULL, 0, 0.8, KD_HOLD, 0.0 }

/** A rule that fired. */
typedef struct kd_rule_hit {
    const char *name;  /**< the rule's name (owned by the kd_rules) */
    double score;      /**< its score (log-odds points added to the spam score) */
} kd_rule_hit;

/** A token that weighed in the Bayes score. */
typedef struct kd_token_weight {
    char *token;       /**< readable token, e.g. "free", "url:bit.ly", "#phone" */
    double prob;       /**< its spam probability f(w) */
    uint32_t spam, ham;/**< its counts in the model */
} kd_token_weight;

/** The answer for one comment. Free with kd_result_free(). */
typedef struct kd_result {
    kd_verdict verdict;
    double spam_score;   /**< final score, 0..1, higher is spammier */
    double bayes_score;  /**< the Bayes stage alone */
    size_t ntokens;      /**< distinct tokens in the comment */
    size_t nused;        /**< tokens that counted in the Bayes score */
    kd_token_weight *top;/**< strongest tokens, strongest first */
    size_t ntop;
    char **reasons;      /**< short strings explaining the verdict */
    size_t nreasons;
    /* rules stage */
    kd_rule_hit *rules;  /**< rules that fired */
    size_t nrules;
    double rules_score;  /**< sum of their scores */
    /* duplicates stage */
    char *duplicate_of;          /**< id of the earliest matching comment, or NULL */
    double similarity;           /**< 0..1 similarity to it (1 = exact after normalisation) */
    const char *duplicate_scope; /**< "same_author", "same_post", "site" or NULL (static string) */
    unsigned campaign;           /**< distinct authors or posts sharing this text (0 = none) */
    /* relevance stage */
    double relevance;    /**< 0..1, higher is more on topic; -1 when not computed */
    int generic;         /**< 1 when the comment is generic praise ("great post!") */
    int off_topic;       /**< 1 when relevance fell below the threshold */
} kd_result;

/**
 * Classify one comment.
 * @param opts NULL for the defaults.
 * @param[out] out filled in; free with kd_result_free() (also after a failure).
 */
int kd_classify(kd_model *m, const kd_comment *c, const kd_options *opts, kd_result *out);
void kd_result_free(kd_result *r);

/**
 * The result as one JSON object (no newline), with the comment's id.
 * @return a malloc'd string the caller frees, or NULL when out of memory.
 */
char *kd_result_json(const kd_comment *c, const kd_result *r);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Evaluation */
/**@{*/

/** Accumulates (label, score, verdict) triples and computes the usual figures. */
typedef struct kd_eval kd_eval;

typedef struct kd_eval_figures {
    uint64_t n, spam, ham;
    uint64_t tp, fp, tn, fn; /**< at spam_score >= 0.5 */
    double accuracy, precision, recall, fp_rate, f1, mcc, auc;
    double unsure_rate;      /**< share of comments held */
    double spam_verdict_fp_rate; /**< share of ham given the verdict spam */
} kd_eval_figures;

int kd_eval_new(kd_eval **out);
int kd_eval_add(kd_eval *e, kd_label label, double score, kd_verdict verdict);
int kd_eval_figures_get(const kd_eval *e, kd_eval_figures *out);
void kd_eval_free(kd_eval *e);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif /* KINDLY_H */
