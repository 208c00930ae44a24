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
 *  - A function that opens a handle (kd_model_open, kd_csv_open, kd_rules_load,
 *    kd_rules_parse) sets *out on failure too, a wrong argument included (a NULL path, an
 *    unknown flag, option or version): the handle's *_error() says why, and it is freed as
 *    on success. *out is NULL only when out is NULL or no handle could be allocated
 *    (KD_ENOMEM; kd_eval_new, which has no message to give, leaves it NULL on any failure).
 *  - A NULL handle, or NULL for a pointer a function needs (an output, a comment, an
 *    array), is refused with KD_EINVAL, never dereferenced; with a handle to hold it, the
 *    message names the argument. So is a kd_model whose kd_model_open() failed (its
 *    message stays the open's) and a kd_rules whose loading failed: such a handle is only
 *    good for its *_error() function and its *_free() / kd_model_close().
 *  - Strings are NUL-terminated (a comment's fields too): a NUL byte ends one, so a caller
 *    holding text that may contain NUL bytes replaces them first (the CSV reader replaces
 *    them with U+FFFD; the server reads one in a form as a space, as `kindly check` does, and
 *    refuses a JSON \u0000 with 400). Invalid UTF-8 in a comment's fields or a post is
 *    taken as it is and never makes a call fail (a rule file must be UTF-8: KD_EPARSE);
 *    what kindly hands back (kd_result_json, a kd_csv_row's fields) is valid UTF-8.
 *  - The library never prints and never exits; the one environment variable it reads is
 *    SOURCE_DATE_EPOCH (reproducible models): when set, it is a post's update time
 *    (kd_post_put), the time a merge records, and the seed of a new model's identity
 *    (kd_model_open with KD_OPEN_CREATE; see kd_model_merge_ex).
 *  - Out of memory is reported as KD_ENOMEM, never an abort.
 *  - Thread safety: a kd_model (as a kd_csv or a kd_eval) may be used by one thread at a
 *    time unless a function says otherwise. Distinct handles are independent. A loaded
 *    kd_rules is read-only and may be used by several threads at once, once
 *    kd_rules_jit_compile() (which changes it) has returned, if it is called at all.
 *  - Processes: a kd_model holds an SQLite connection, which must not cross a fork(): a
 *    pre-forking server opens its models in each child (after the fork), not before.
 */
#ifndef KINDLY_H
#define KINDLY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The library is built with -fvisibility=hidden: what this header declares is its whole
 * exported interface (libkindly.so exports nothing else). */
#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#endif

#define KINDLY_VERSION "0.1.0"

/** The version of the library the program runs with (KINDLY_VERSION when it was built;
 *  a program linked against libkindly.so compares it with the KINDLY_VERSION it was
 *  compiled with). A static string, never NULL. */
const char *kd_version(void);

/** @name Error codes */
/**@{*/
#define KD_OK         0
#define KD_ERROR     -1 /**< generic failure; see the handle's message */
#define KD_ENOMEM    -2 /**< out of memory */
#define KD_EIO       -3 /**< a file or the database could not be read or written */
#define KD_EPARSE    -4 /**< malformed input (CSV, rule file, request) */
#define KD_ENOTFOUND -5 /**< a named thing does not exist (a column, a post); a missing
                             file is KD_EIO */
#define KD_EINVAL    -6 /**< an argument is out of range */
#define KD_ESCHEMA   -7 /**< the model file is not a kindly model, or is newer than this library */
#define KD_EBUSY     -8 /**< the database is locked by another writer for too long */
#define KD_EEXIST    -9 /**< already there: a model merged into the output already (kd_model_merge_ex) */
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
    const char *date;    /**< date as given: ISO 8601, as kd_date_parse() reads it; the time
                              the history records the comment at (unreadable: the time of
                              recording, without a failure: see kd_date_parse()) */
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

/** "approve", "spam" or "hold" ("hold" also for a value that is not a kd_verdict). */
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

/** What a problem is, for callers that treat some kinds differently. */
typedef enum kd_csv_problem_code {
    KD_CSV_ROW_SKIPPED = 1,  /**< a bad row (field count, quoting, an over-long field): dropped */
    KD_CSV_ROW_REJECTED,     /**< a row the caller rejected with kd_csv_reject(): dropped */
    KD_CSV_FIELD_REPAIRED,   /**< invalid UTF-8 or NUL bytes replaced by U+FFFD: the row is kept */
    KD_CSV_UNKNOWN_LABEL,    /**< a label that is not spam or ham: the row is kept unlabelled */
    KD_CSV_DUPLICATE_COLUMN, /**< the header names a mapped column twice: the first is used */
    KD_CSV_ROW_NOTED,        /**< a row the caller kept but warns about, with kd_csv_note() */
    KD_CSV_UNREAD_COLUMNS    /**< the header has columns kindly does not read (the header's line,
                                  no field);
                                  the message names them, with the column kindly reads where a
                                  name looks like one of its own ("name": author?) */
} kd_csv_problem_code;

/** One problem found in the input. Its strings are valid during the callback only. */
typedef struct kd_csv_problem {
    const char *file;   /**< the path given to kd_csv_open ("-" shows as "<stdin>") */
    unsigned long line; /**< physical line where the record starts (1 = header), as grep -n
                             counts: lines end at LF (CRLF and "\r\r\n" are one line end), or
                             at CR in a file whose first line ends in a bare CR */
    const char *field;  /**< column name concerned, or NULL */
    const char *message;/**< what is wrong, one line without the file and line (never NULL) */
    int skipped;        /**< 1: the row was dropped; 0: a warning (a repaired field, an unknown
                             label, a duplicate header name, unread columns), nothing was
                             dropped */
    kd_csv_problem_code code; /**< which kind of problem */
} kd_csv_problem;

/** A problem callback: ud is kd_csv_options.problem_ud; p and its strings are the reader's,
 *  valid during the call only (copy what you keep). It must not call kd_csv_next() or
 *  kd_csv_free() on the reader that reports. */
typedef void (*kd_csv_problem_fn)(void *ud, const kd_csv_problem *p);

typedef enum kd_csv_kind {
    KD_CSV_COMMENTS = 0, /**< map columns to kd_comment and a label; a text column is required */
    KD_CSV_RAW = 1       /**< no mapping; use kd_csv_column() and the raw fields */
} kd_csv_kind;

/** How kd_csv_open() reads: start from KD_CSV_OPTIONS_INIT and change fields (NULL options
 *  are the defaults). The function pointers and user data are only called, never freed. */
typedef struct kd_csv_options {
    unsigned version;          /**< KD_CSV_OPTIONS_VERSION (the struct as this header has it) */
    kd_csv_kind kind;
    size_t max_field;          /**< longest field accepted, in bytes (0 or default: 16 MiB); a
                                    row with a longer one is skipped (KD_CSV_ROW_SKIPPED) */
    kd_csv_problem_fn problem; /**< called for each problem found (every kd_csv_problem_code:
                                    dropped rows and warnings); may be NULL */
    void *problem_ud;          /**< handed to problem as ud */
    /** Since version 2: called before each read of the input after the header, that is when
     *  no complete row is left in the reader, even in the middle of a row. A read from a
     *  pipe may wait there for as long as its writer likes: a caller that holds a lock or
     *  unflushed output hands it over here (`kindly score --remember`). May be NULL. */
    void (*before_read)(void *ud);
    void *before_read_ud;      /**< handed to before_read */
    /** Since version 3: asked before each read of the input (the header's too) and again
     *  after a signal interrupted one (EINTR); nonzero gives the reading up: kd_csv_open or
     *  kd_csv_next fails with KD_EIO, kd_csv_error() saying 'FILE: reading interrupted'. A
     *  caller whose signal handler sets a flag returns it here, and stops at the first
     *  signal even while the input waits (a terminal, a pipe): without it an interrupted
     *  read is read again. May be NULL. */
    int (*stop)(void *ud);
    void *stop_ud;             /**< handed to stop */
} kd_csv_options;

#define KD_CSV_OPTIONS_VERSION 3 /* versions 1 (without before_read) and 2 (without stop) are accepted too */
#define KD_CSV_OPTIONS_INIT \
    { KD_CSV_OPTIONS_VERSION, KD_CSV_COMMENTS, (size_t)16 << 20, NULL, NULL, NULL, NULL, NULL, NULL }

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
 * @param opts NULL for the defaults (KD_CSV_OPTIONS_INIT); read during the call only
 * @param[out] out the reader, to be freed with kd_csv_free() (also on failure, when set)
 * @return 0; KD_EINVAL if out or path is NULL or path is empty, or opts has a version other
 *         than 1, 2 or KD_CSV_OPTIONS_VERSION or a kind that is not a kd_csv_kind (*out set
 *         but for out NULL: kd_csv_error() says which); KD_EIO if the file cannot be
 *         opened; KD_EPARSE if the header is missing or unreadable, or the file is UTF-16
 *         or no CSV at all (JSON, PDF, ZIP, an Office 97-2003 document, gzip, SQLite: told
 *         by how it starts); KD_ENOTFOUND if a required column (text) is absent;
 *         KD_ENOMEM. On failure *out is still set when a reader was allocated, so
 *         kd_csv_error() can explain: only KD_ENOMEM (or out NULL) leaves it NULL.
 */
int kd_csv_open(kd_csv **out, const char *path, const kd_csv_options *opts);

/**
 * Read the next good record.
 * @param[out] row points at the record, owned by the reader (NULL unless it returns 1).
 * @return 1 when a row was read, 0 at end of input (and at each call after it), or a negative
 *         error (KD_EIO, KD_ENOMEM: kd_csv_error() says why; KD_EINVAL for r or row NULL; a
 *         reader whose kd_csv_open() failed returns that failure's code again).
 *         Bad rows are reported through the problem callback and skipped, never returned.
 */
int kd_csv_next(kd_csv *r, const kd_csv_row **row);

/** The header's column names and their count (n may be NULL): the reader's strings, valid
 *  until kd_csv_free(). NULL and *n 0 for r NULL or a reader without a header. */
const char *const *kd_csv_header(const kd_csv *r, size_t *n);
/** Index of a column by name (ASCII case-insensitive), or -1 (also for r or name NULL). */
int kd_csv_column(const kd_csv *r, const char *name);
/**
 * Drop a row the caller cannot use (a posts file's row without a post id): reported through
 * the problem callback like the reader's own bad rows, as KD_CSV_ROW_REJECTED with its line
 * and the column concerned (may be NULL), and counted in kd_csv_skipped(). A NULL r or row
 * does nothing; a NULL message reads "rejected by the caller".
 */
void kd_csv_reject(kd_csv *r, const kd_csv_row *row, const char *column, const char *message);
/**
 * Warn about a row the caller keeps (a posts file naming a post a second time): reported
 * through the problem callback as KD_CSV_ROW_NOTED, skipped = 0; not counted as dropped.
 * A NULL r or row does nothing; a NULL message reads "noted by the caller".
 */
void kd_csv_note(kd_csv *r, const kd_csv_row *row, const char *column, const char *message);
/** Number of rows dropped so far (kd_csv_reject() included), and of rows kept after a repair
 *  (0 for NULL). */
unsigned long kd_csv_skipped(const kd_csv *r);
unsigned long kd_csv_repaired(const kd_csv *r);
/** Message for the last fatal error on this reader ("" if none; for NULL, a
 *  message saying there is no reader). Never NULL; a string of r's, valid until the next
 *  call on r that fails or kd_csv_free(r). */
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
                                    scoring) and keep them until kd_model_refresh();
                                    otherwise counts are looked up on demand, which is
                                    faster for a single comment, and each kd_classify()
                                    reads the model as it is then (counts and totals of one
                                    commit) */
#define KD_OPEN_KEEP_LATER 0x8 /**< writes that change posts or their words (kd_post_put,
                                    kd_posts_import, ham learnt with a post_id, a merge) do
                                    not build the posts cache and keep it in the file for
                                    the next process, as they otherwise do after their
                                    commit: the next reader builds it in memory, and
                                    kd_model_keep_posts() keeps it when the caller chooses
                                    (a server learning from feedback: at 10,000 posts a
                                    keep is about a second of CPU and a 14 MB write) */

/**
 * Open (or create) a model file. ":memory:" opens a private in-memory model.
 * @param[out] out the model; freed with kd_model_close(). Set even on failure when a handle
 *             could be allocated, so that kd_model_error() can explain; every other
 *             function refuses such a handle with KD_EINVAL, leaving that message.
 * @return 0, KD_EIO (also KD_OPEN_WRITE on a file this process may not write), KD_ESCHEMA,
 *         KD_ENOMEM; KD_EINVAL for out or path NULL, or a flag bit that is not a KD_OPEN_* flag.
 *         A path is a file name, also when it begins with "file:" (not an SQLite URI).
 */
int kd_model_open(kd_model **out, const char *path, unsigned flags);
/** Close the file and free everything the handle owns (an open training batch is dropped).
 *  Accepts NULL. Strings obtained from kd_model_error() become invalid. */
void kd_model_close(kd_model *m);
/** Message describing the last failure on this model (never NULL; "out of memory" for NULL,
 *  the handle kd_model_open() could not allocate). A buffer of m's: valid until
 *  kd_model_close(), its text replaced by the next call on m that fails (or clears it);
 *  copy it to keep it, and read it from the thread that made the call. */
const char *kd_model_error(const kd_model *m);

/** Message counts of the model. */
typedef struct kd_model_stats {
    uint64_t spam_messages, ham_messages; /**< comments learnt as spam, as ham (undone ones
                                               taken off) */
    uint64_t tokens;       /**< distinct tokens stored */
    int schema_version;    /**< the file's model schema (a newer one: KD_ESCHEMA at open) */
} kd_model_stats;
/** Fill *out (refreshing first, like kd_model_refresh): cheap, the counts are kept with the
 *  model (a model written before they were is counted, once). @return 0, KD_EIO;
 *  KD_EINVAL for m or out NULL. */
int kd_model_stats_get(kd_model *m, kd_model_stats *out);

/**
 * Training happens in a batch: kd_train_begin(), any number of kd_train_add(), then
 * kd_train_commit() writes everything in one transaction (or kd_train_abort() drops it).
 * A process killed before the commit leaves the previous model intact.
 * kd_train_add()'s delta is +1 to learn the comment, -1 to unlearn it (undo a wrong
 * registration with the label it was learnt with). An undo that takes more than the model
 * has (a word of the comment with no count of the label left, beyond what kd_model_prune()
 * can have dropped, or no message of the label left, the batch's earlier comments counted)
 * is refused with KD_EINVAL and adds nothing: the comment was not learnt with that label,
 * or was undone already. kd_train_commit() checks again in its transaction (another writer
 * may have unlearnt the same comments meanwhile). An undo (without KD_TRAIN_FOREIGN) of a
 * comment the history says was given that label by kd_feedback() (by its id, or for an id
 * it has no label for, by its text under another id) marks the label taken back in the
 * commit's transaction, so that a later kd_feedback() undo or relabel does not take its
 * counts again (KD_EBUSY from the commit, nothing written, if feedback on it changed its
 * label meanwhile); an undo of one whose label the history has taken back already is
 * refused with KD_EINVAL.
 * @return kd_train_begin: 0 or KD_EINVAL (model opened read-only, or a batch open
 *         already: commit or abort it first); kd_train_add: 0,
 *         KD_EINVAL (no batch open, c or c->text NULL, label not spam/ham, delta not +-1,
 *         an undo of more than the model has), KD_EIO (the counts could not be read),
 *         KD_ENOMEM (an empty text "" is a comment: its author, links and other metadata
 *         are learnt, and it counts as a message);
 *         kd_train_commit: 0, KD_EINVAL (an undo of more than the model has), KD_EBUSY
 *         (another writer held the file past the 10 s busy timeout), KD_EIO, KD_ENOMEM; on failure nothing was written and the batch is gone
 *         (to retry: kd_train_begin() and add its comments again). Writers in several
 *         processes or on several handles are serialised by SQLite; preloaded readers on other
 *         handles see the commit after their next kd_model_refresh(), on-demand ones at their
 *         next kd_classify().
 */
int kd_train_begin(kd_model *m);
/** See above; c and its strings are only read during the call. */
int kd_train_add(kd_model *m, const kd_comment *c, kd_label label, int delta);

/** Flags for kd_train_add_ex(). */
#define KD_TRAIN_FOREIGN 0x1 /**< the comment comes from another site or a third-party corpus:
                                  it teaches the spam stage like any other, but a ham one is not
                                  what this site's comments sound like, so the relevance stage
                                  leaves it out of the site's language, and its post_id (another
                                  site's post) is ignored. A spam one is learnt as usual. */

/**
 * kd_train_add() with flags (KD_TRAIN_*, or 0: then exactly kd_train_add()). Same batch,
 * same ownership (c is only read during the call), same thread safety (one thread at a time
 * per model). Undo a foreign comment with delta -1 and the same flags. The foreign share of
 * the ham counts is stored beside them (model schema 6), written in the same transaction,
 * added by kd_model_merge() and dropped with its tokens by kd_model_prune().
 * @return as kd_train_add(); KD_EINVAL also for an unknown flag.
 */
int kd_train_add_ex(kd_model *m, const kd_comment *c, kd_label label, int delta, unsigned flags);
/** Write the batch (see kd_train_begin() above); KD_EINVAL also when no batch is open. */
int kd_train_commit(kd_model *m);
/** Drop the open batch, nothing written; does nothing without one (or for m NULL). */
void kd_train_abort(kd_model *m);

/**
 * Moderator feedback on one comment, idempotent: learn c as label (or, with undo, unlearn
 * it), in a transaction of its own (no training batch may be open), and keep the label with
 * the comment in the history (model schema 7). The same label given again learns nothing;
 * the other label first unlearns the one learnt before (WordPress's "Spam", then "Not
 * spam"); an undo unlearns only the label the comment was given. The comment is found by its
 * id and text (or as the comment checked before it had an id, see kd_classify); one the
 * history does not know is learnt as kd_train_add() learns it, and then remembered.
 * The label is checked again and written in the transaction of the counts: the two never
 * disagree, and two writers reporting one comment at once learn it once. An undo of a
 * comment whose label the history does not know (no id, an older model, or never given
 * feedback) unlearns it as kd_train_add() with delta -1 does; with an id, the undo is then
 * remembered, so the same undo again does nothing. An undo (1) of a comment the history
 * has no label for (a mistyped id, or no id), of a text the history knows given that label
 * under another id, takes that comment's learning back and marks it taken back (its own
 * undo then does nothing); with an id, an undo of a text whose learning the history has
 * taken back already does nothing: one learning is never taken back twice. An edited text
 * under the same id is another comment. A label goes with its comment when the history is pruned.
 * @param undo 0 learn; 1 unlearn (as above, also a comment whose label the history does not
 *        know); KD_UNDO_KNOWN unlearn only a label the history knows the comment was given
 *        (for feedback from others: the server's clients)
 * @param[out] changed 0 nothing learnt, 1 learnt or unlearnt, 2 relabelled (may be NULL)
 * @return 0; KD_EINVAL (read-only model, label not spam/ham, undo not 0, 1 or
 *         KD_UNDO_KNOWN, no text, a training batch open on m); as kd_train_commit(): on
 *         failure nothing was written.
 */
int kd_feedback(kd_model *m, const kd_comment *c, kd_label label, int undo, int *changed);

/** After a kd_feedback() undo (1) that took back, in place of the comment's own, the learning
 *  of its text under another comment (the history had no label under the comment's id, or
 *  it had none): that comment's id, "history:N" for one recorded without an id; else NULL
 *  (also for m NULL, and after a failed kd_feedback()). A buffer of m's, valid until the next
 *  kd_feedback() on m or kd_model_close(). */
const char *kd_feedback_took(const kd_model *m);
/** 1 when the comment kd_feedback_took() names was recorded without an id: the name is then
 *  its record's, "history:N" (as kd_result.duplicate_of names one), not an id; a caller that
 *  looks the comment up among its own must not take it for one, as an id may read
 *  "history:N" too. 0 when it is the comment's own id, when kd_feedback_took() gives NULL,
 *  and for m NULL. Same thread rule as kd_feedback_took(). */
int kd_feedback_took_bare(const kd_model *m);

/** kd_feedback()'s undo for feedback from others (the server's clients): only a label the
 *  history says this comment was given is taken back. A plain undo (1) of a comment the
 *  history does not know unlearns it all the same, each time it is asked without an id: a
 *  client could unlearn what the model knows of ham, comment by comment. */
#define KD_UNDO_KNOWN 2

/**
 * Whether text is empty to the spam stage: it gives no word, link, number, emoji or other
 * token to learn. Empty text, white space of any kind (a no-break space, a vertical tab,
 * U+3000), invisible characters (U+200B), their HTML entities and lone punctuation ("...")
 * are. The front ends refuse to learn such a comment: kd_train_add() and kd_feedback() learn
 * it, which shifts the prior and teaches nothing but its author's fields.
 * @return 1 empty, 0 not; KD_EINVAL when text is NULL; KD_ENOMEM.
 */
int kd_text_empty(const char *text);

/**
 * Pick up changes committed by other processes (a retrain, feedback): reloads the totals and,
 * when preloaded, the token counts, if the file changed since the last load. Cheap when
 * nothing changed (one PRAGMA). Not thread-safe: call it while no other thread uses m.
 * @param[out] reloaded set to 1 if the file changed and the totals were read again (its
 *             history alone may have changed), 0 if not (may be NULL)
 * @return 0; KD_EINVAL for m NULL (or its open failed); KD_EIO, KD_EBUSY, KD_ENOMEM when
 *         the reload failed (kd_model_error() says why).
 */
int kd_model_refresh(kd_model *m, int *reloaded);

/**
 * 1 if the file at m's path is no longer the file m has open (0 otherwise, and for m NULL
 * or a handle whose open failed): it was removed, or another
 * file was moved over it (a retrained copy). m keeps reading the file it has open, and
 * refuses to write it (KD_EIO, "removed or replaced"): open the path again for the new one.
 * Do not move a file over a model in use: SQLite's -wal of the old file keeps the model's
 * name, and the new file's next reader may take the old file's pages for its own. Retrain
 * the model in place, or kd_model_merge() into it, instead.
 */
int kd_model_replaced(kd_model *m);

/**
 * The model schema m's kd_model_open() upgraded the file from (an older model opened for
 * writing: its migrations ran in that open, counts and posts kept, and the history but from
 * schema 3 or older, whose comments are no longer found as duplicates), else 0: a file it
 * created, one of this library's schema, one another process upgraded first, a read-only
 * handle, NULL. The upgrade is one-way: an older kindly refuses the file from then on, so a
 * program says so, and that the history was not kept for a value below 4 (the CLI and the
 * server print it on stderr).
 */
int kd_model_upgraded_from(const kd_model *m);

/**
 * Keep the posts cache of the posts generation m last read (kd_model_refresh) in its file,
 * for the processes that open it next (`kindly check` reads it instead of tokenizing every
 * post): built, or taken from this process's cache, and written in a transaction of its own,
 * unless the file has moved on to another posts generation meanwhile. Nothing is done when
 * this process read or wrote that cache in the file already, or there are no posts. For a
 * handle opened with KD_OPEN_KEEP_LATER, whose writes leave it to this; the other writes
 * keep it themselves.
 * @return 0 (kept, or nothing to keep: an in-memory model keeps nothing, and a cache that
 *         another writer's posts have replaced since m read them is not kept over theirs);
 *         KD_EINVAL (NULL, read-only model, a training batch open); not kept (the next reader
 *         builds the cache): KD_EBUSY (another writer holds the file), KD_EIO (the
 *         write failed: a full disk, a read-only file; kd_model_error() gives SQLite's
 *         reason), KD_ENOMEM; as kd_classify() for a failure to read the posts.
 */
int kd_model_keep_posts(kd_model *m);

/** Add the counts of the model file at `path` into m (in one transaction): as
 *  kd_model_merge_all() with one path. */
int kd_model_merge(kd_model *m, const char *path);

/**
 * Add the counts (sums: tokens, messages, post words, foreign share) and the posts of the
 * model files paths[0..n) into m, all in one transaction: on failure m is as it was. The
 * inputs are opened read-only (a missing one is reported, not created; a process writing
 * one is not blocked) and read each in one snapshot. A post in several files is kept as
 * most recently updated. The history is not merged.
 * @return 0; KD_EINVAL (m read-only, an input that is m's own file or another input's, by
 *         device and inode); KD_EIO (an input missing or unreadable); KD_ESCHEMA (an input
 *         that is not a kindly model, or is newer); KD_EEXIST (an input m holds already:
 *         see kd_model_merge_ex); KD_EBUSY; KD_ENOMEM.
 */
int kd_model_merge_all(kd_model *m, const char *const *paths, size_t n);

/** kd_model_merge_ex() flag: add an input even if m holds it already. */
#define KD_MERGE_AGAIN 1u

/**
 * kd_model_merge_all() with flags (KD_MERGE_AGAIN or 0). Every model has an identity, made
 * when the file is created (or first written by a kindly with schema 8), kept by training
 * and copied with the file: random, but with $SOURCE_DATE_EPOCH set derived from it and the
 * file's name (without its directory; a file named NAME.incomplete-XXXXXX, built to be linked
 * into place as NAME, as kindly merge builds a new OUT, takes NAME's), so that two models of
 * one name (shard.db in two directories) created under one such value are taken for copies of one model, and the
 * second is refused with KD_EEXIST: unset it, or name the files apart. m records the identity of each input it takes in, with the
 * models that input had itself taken in, and refuses with KD_EEXIST (nothing merged, the
 * message naming the input and when it was merged) an input it holds already: merged
 * before, the same model as another input (a copy), the output itself or a copy of it, or
 * holding a model m holds. An input that has learnt more since it was merged is refused too:
 * the counts it had then are in m, and only a merge of the shards as they are now into a new
 * model counts them once. KD_MERGE_AGAIN adds such an input all the same. A model written
 * only by an older kindly has no identity: it is known by its totals (messages, tokens,
 * generation), which its copies share.
 */
int kd_model_merge_ex(kd_model *m, const char *const *paths, size_t n, unsigned flags);

/**
 * Stop the kd_model_merge_ex() (or kd_model_merge_all()) running on m in another thread or
 * interrupted by a signal: safe to call from a signal handler (it sets a flag and calls
 * sqlite3_interrupt). The merge then rolls back, nothing merged, and fails with KD_ERROR
 * ("interrupted: nothing was merged") — unless it had committed already, when it returns
 * KD_OK as usual: its return value says which. A call when no merge runs is forgotten when
 * the next one begins.
 */
void kd_model_interrupt(kd_model *m);

/** Delete tokens seen fewer than min_count times in all (spam + ham), in one transaction;
 *  *removed gets the number (removed may be NULL).
 *  @return 0; KD_EINVAL (m NULL or read-only); KD_EIO, KD_EBUSY, KD_ENOMEM: nothing pruned. */
int kd_model_prune(kd_model *m, unsigned min_count, uint64_t *removed);
/** 1 when m has learnt ham of this site's own (learnt without KD_TRAIN_FOREIGN: kd_train_add,
 *  kd_feedback), not only foreign ham: kd_model_prune() then drops rare words of the site's
 *  own comments too, which the relevance stage reads (the totals keep their counts), so a
 *  program that prunes says so, as `kindly train --prune` does (prune after training on
 *  foreign corpora, before learning the site's comments). As of the totals m last read: its
 *  open, its own commits, kd_model_refresh() or kd_model_stats_get(). 0 otherwise, and for m
 *  NULL or a handle whose open failed. */
int kd_model_has_own_ham(const kd_model *m);

/** Reclaim space and switch the file to a rollback journal so that it can be shipped and
 *  opened from a read-only directory. Needs the only connection to the file: KD_EBUSY at
 *  once while another handle or process (kindly serve, a running score) has it open.
 *  @return 0; KD_EINVAL (m NULL or read-only); KD_EBUSY; KD_EIO (kd_model_error() gives
 *  SQLite's reason). */
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

/** How kd_classify() decides: start from KD_OPTIONS_INIT (the defaults `kindly check` uses)
 *  and change fields. Read during the call only. */
typedef struct kd_options {
    unsigned version;   /**< KD_OPTIONS_VERSION */
    kd_scorer scorer;   /**< the Bayes stage's combining (default multinomial) */
    double spam_cutoff; /**< spam_score >= this: verdict spam */
    double ham_cutoff;  /**< spam_score < this: approve; in between: hold */
    /* the next four act on the Fisher scorer only (KD_SCORER_FISHER) */
    double robinson_s;  /**< strength of the prior belief x (Robinson's s) */
    double robinson_x;  /**< assumed probability of a token never seen (Robinson's x) */
    double min_dev;     /**< ignore tokens whose f(w) is within this of 0.5 */
    unsigned max_tokens;/**< use at most this many most extreme tokens (0 = all) */
    unsigned reasons;   /**< report this many strongest tokens */
    /* rules stage */
    const kd_rules *rules;     /**< rule set to apply, or NULL for none (not owned) */
    /* duplicates stage */
    int remember;              /**< record the comment in the model's history (needs a writable model) */
    double dup_threshold;      /**< near-duplicate similarity (estimated Jaccard resemblance of
                                    4-character shingles) at or above this is a duplicate (0.5:
                                    docs/BENCHMARKS-dup.md); 0: exact copies only;
                                    negative: skip the stage */
    kd_verdict dup_verdict;    /**< verdict given to a duplicate that would be approved (default
                                    hold); KD_VERDICT_SPAM also to one its score holds; one a
                                    moderation word holds (rules_hold) stays held */
    /* relevance stage */
    double offtopic_threshold; /**< relevance below this: hold with reason off_topic (0: never;
                                    negative: the relevance stage is skipped) */
} kd_options;

#define KD_OPTIONS_VERSION 1
#define KD_OPTIONS_INIT { KD_OPTIONS_VERSION, KD_SCORER_MULTINOMIAL, 0.9, 0.5, 0.45, 0.5, 0.1, 150, 5, \
                          NULL, 0, 0.5, KD_HOLD, 0.30 }

/** A rule that fired. */
typedef struct kd_rule_hit {
    const char *name;  /**< the rule's name (owned by the kd_rules: valid until its
                            kd_rules_free(), which must come after the result's last use) */
    double score;      /**< its score (log-odds points added to the spam score) */
} kd_rule_hit;

/** A token that weighed in the Bayes score. */
typedef struct kd_token_weight {
    char *token;       /**< readable token, e.g. "free", "url:bit.ly", "#phone" */
    double prob;       /**< its spam probability: Robinson's f(w) under the Fisher scorer;
                            under multinomial NB the logistic of its log-likelihood ratio */
    uint32_t spam, ham;/**< its counts in the model */
} kd_token_weight;

/** Words kept on each side of the relevance breakdown (kd_result.site_words, .offsite_words). */
#define KD_RELEVANCE_WORDS 3
/** Bytes of a kd_relevance_word's text, its NUL included: a longer word is cut at a UTF-8
 *  character boundary (to 28 bytes or fewer), so the text stays valid UTF-8, and ends in
 *  "…" (U+2026, 3 bytes, a character no word holds): 31 bytes or fewer in all. */
#define KD_RELEVANCE_WORD_SIZE 32

/** A content word of the comment and its weight in the relevance stage's site-language part. */
typedef struct kd_relevance_word {
    char word[KD_RELEVANCE_WORD_SIZE]; /**< the word as the tokenizer reads it (lower-case,
                                            normalised; cut and marked with "…" past 31
                                            bytes), NUL-terminated; the comment's own
                                            text: escape it before a terminal shows it */
    double ratio;      /**< its log ratio ln(mix(w) / g(w)), clipped to -5..+5 as the score
                            counts it: how much likelier the site and post make the word than
                            general English does (> 0: likelier here) */
} kd_relevance_word;

/** The answer for one comment. Free with kd_result_free(). */
typedef struct kd_result {
    kd_verdict verdict;  /**< approve, hold or spam, from the scores and every stage below */
    double spam_score;   /**< final score, 0..1, higher is spammier */
    double bayes_score;  /**< the Bayes stage alone */
    size_t ntokens;      /**< distinct tokens in the comment */
    size_t nused;        /**< tokens that counted in the Bayes score */
    kd_token_weight *top;/**< strongest tokens, strongest first (one allocation with their
                              text: free only with kd_result_free()) */
    size_t ntop;         /**< entries in top (at most kd_options.reasons) */
    char **reasons;      /**< short strings explaining the verdict (one allocation with the
                              strings: free only with kd_result_free()) */
    size_t nreasons;     /**< entries in reasons */
    /* rules stage */
    kd_rule_hit *rules;  /**< rules that fired (freed with the result; the names are the
                              kd_rules') */
    size_t nrules;       /**< entries in rules (0 without kd_options.rules) */
    double rules_score;  /**< sum of their scores */
    int rules_hold;      /**< 1 when a moderation word matched: the verdict is at least hold */
    /* duplicates stage */
    char *duplicate_of;          /**< id of the earliest matching comment, or NULL; one
                                      recorded without an id is named "history:SEQ", one
                                      classified earlier through this handle without an id
                                      "input:N" (N counts this handle's comments from 1) */
    double similarity;           /**< 0..1 similarity to it (1 = exact after normalisation) */
    const char *duplicate_scope; /**< "same_author", "same_post", "site" or NULL (static string) */
    unsigned campaign;           /**< distinct authors or posts sharing this text (0 = none) */
    /* relevance stage */
    double relevance;    /**< 0..1, higher is more on topic; -1 when not computed */
    int generic;         /**< 1 when the comment is generic praise ("great post!"); 2 when it is
                              generic praise with a link or an author URL (a spam signal: rules
                              read it as `count NAME generic >= 2`, the default rule
                              GENERIC_WITH_LINK adds its score) */
    int off_topic;       /**< 1 when relevance fell below the threshold, unless the comment is
                              generic or the rules vouch for it (rules_own_score below 0) */
    /* The relevance stage's breakdown: why a comment is (or is not) on topic. These fields
     * were added after 0.1.0 at the end of the struct, which grew: libkindly is 0.x, its ABI
     * not stable yet, so a program built against an older kindly.h must be rebuilt (its
     * kd_result would be too small). Fixed-size, owned by the result: nothing to free. */
    double relevance_site; /**< the site-language part S, 0..1 (0.5 for a comment without a
                                content word); -1 when relevance was not computed */
    double relevance_post; /**< the post part min(1, 2 C'), 0..1 (1 when the post is unknown or
                                has no words); -1 when relevance was not computed.
                                relevance = relevance_site x relevance_post */
    kd_relevance_word site_words[KD_RELEVANCE_WORDS]; /**< the comment's content words the site
                                likes best: the highest ratios, all > 0, highest first */
    size_t nsite_words;    /**< 0..KD_RELEVANCE_WORDS; 0 when relevance was not computed */
    kd_relevance_word offsite_words[KD_RELEVANCE_WORDS]; /**< the words that count most against
                                it: the lowest ratios, all < 0, lowest first */
    size_t noffsite_words; /**< 0..KD_RELEVANCE_WORDS; 0 when relevance was not computed */
    double rules_own_score; /**< the part of rules_score from the rule file's own rules (text,
                                count and meta), not its allow, disallow and moderation entries.
                                Below 0, a ham rule outweighs the spam rules that fired: the
                                rules vouch for the comment, which is not held as off topic
                                (added after 0.1.0, as the fields above) */
    int post_unknown;       /**< 1 when the comment names a post (post_id) the model does not
                                hold; 2 when it names one the model holds without words (a post
                                retired or imported without words, no approved comment learnt
                                on it): either way it is scored against the site alone
                                (relevance_post 1). 0 otherwise: its post was scored, it names
                                none, or relevance was not computed (added after 0.1.0, as the
                                fields above) */
} kd_result;

/**
 * Classify one comment. On a handle that reads counts on demand (opened without
 * KD_OPEN_PRELOAD), every stage reads the same commit of the file, in one read transaction
 * ended before the call returns (not when opts.remember is set, or a history batch or a
 * transaction of the caller's is open: those keep their own).
 * @param opts NULL for the defaults; else start from KD_OPTIONS_INIT.
 * @param[out] out filled in; free with kd_result_free(). After a failure it is left zeroed
 *                 (freeing it then is harmless).
 * @return 0; KD_EINVAL when m, c, c->text or out is NULL, opts.remember is set on a model
 *         opened read-only, or opts is invalid (version not
 *         KD_OPTIONS_VERSION, an unknown scorer or dup_verdict, a cut-off, robinson_x or
 *         threshold outside 0..1, ham_cutoff above spam_cutoff, robinson_s outside 0..100,
 *         min_dev outside 0..0.5; kd_model_error() names it); KD_EIO, KD_EBUSY, KD_ENOMEM.
 */
int kd_classify(kd_model *m, const kd_comment *c, const kd_options *opts, kd_result *out);
/** Free what a kd_result owns and zero it. Accepts NULL and a zeroed result. */
void kd_result_free(kd_result *r);

/**
 * The result as one JSON object (no newline), with the comment's id. Always valid UTF-8:
 * each byte of an invalid sequence in a string (the id, say) is written as U+FFFD, and
 * control characters (C0, DEL, C1, U+2028, U+2029) as \\u escapes.
 * c may be NULL ("id":null). The rule names come from the kd_rules the result was
 * classified with: call it before kd_rules_free() of that set.
 * @return a malloc'd string the caller frees, or NULL when r is NULL or out of memory.
 */
char *kd_result_json(const kd_comment *c, const kd_result *r);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Rules
 *
 * A rule file holds what moderators know and statistics learn slowly: named PCRE2 patterns
 * on a comment's fields, counts (links >= 3), meta rules over other rules (A && !B),
 * WordPress-style word lists (moderation words hold a comment, disallowed keys make it
 * spam) and allow lists (trusted authors and e-mails). Each rule that fires adds its score,
 * in log-odds, to the Bayes score (see README "Rules" for the format).
 *
 * Thread safety: a loaded kd_rules is read-only. kd_rules_eval() and kd_classify() may use
 * one kd_rules from several threads at once (each call has its own PCRE2 match data).
 */
/**@{*/

/**
 * Load and compile a rule file (every pattern compiled once; see kd_rules_jit_compile()).
 * @param[out] out the rule set, freed with kd_rules_free(). Set even on failure when a handle
 *             could be allocated, so that kd_rules_error() can explain; such a set is good
 *             for nothing else: kd_rules_jit_compile(), kd_rules_eval() and kd_classify()
 *             refuse it with KD_EINVAL, and it lists no rule (kd_rules_count() 0,
 *             kd_rules_find() -1, kd_rules_info_get() KD_EINVAL).
 * @return 0; KD_EIO when the file cannot be read; KD_EPARSE when it is malformed (the message
 *         reads "FILE:LINE:COLUMN: what", with PCRE2's own message for a bad pattern);
 *         KD_ENOMEM; KD_EINVAL for out or path NULL.
 */
int kd_rules_load(kd_rules **out, const char *path);

/** The same from len bytes of text in memory (no NUL needed; a NUL byte among them is
 *  KD_EPARSE); `name` stands for the file in messages (NULL: "<rules>") and is where a
 *  relative moderate-list / disallow-list file is looked for (next to it; with no '/' in
 *  name, in the working directory). KD_EINVAL for out or text NULL. */
int kd_rules_parse(kd_rules **out, const char *name, const char *text, size_t len);

/**
 * Prepare the rule set for many comments: JIT-compile every pattern (PCRE2's JIT, where the
 * machine has it: several times faster matching) and build the literal prefilter's
 * automaton (without it, each literal is searched for directly: the same hits, cheaper for
 * one comment). A few milliseconds at load; worth it for batches and servers, not for one
 * comment. Call it before sharing the rule set between threads. PCRE2's match limit bounds
 * each start position of a match, not the whole: interpreted, a pattern with adjacent
 * unbounded repeats ("x|\\s+\\s+:") took 16 s over a field of 4,000 spaces, JIT-compiled
 * 0.01 s; so compile for long fields too.
 * @return 0 (patterns that cannot be JIT-compiled stay interpreted), or KD_EINVAL for NULL
 *         or a rule set whose loading failed.
 */
int kd_rules_jit_compile(kd_rules *r);

/** Message describing the failure of kd_rules_load()/kd_rules_parse(), or of the last failed
 *  kd_rules_save_compiled() ("" if none; "out of memory" for NULL, the set a load could not
 *  allocate). Never NULL; a string of r's, valid until kd_rules_free(r). */
const char *kd_rules_error(const kd_rules *r);
void kd_rules_free(kd_rules *r);

/** Description of one rule of a set (strings owned by the kd_rules). */
typedef struct kd_rule_info {
    const char *name;        /**< the rule's name (a word-list entry's is made of its keyword
                                  and word, e.g. "moderate:casino") */
    const char *description; /**< "" when the file gives none */
    const char *kind;        /**< the line's keyword: a field name ("text", "any", ...),
                                  "count", "meta", "moderate", "disallow" or "allow" */
    double score;            /**< log-odds added when it fires */
    int hold;                /**< 1 for moderation words: the verdict is at least hold */
    int reported;            /**< 0 for "__NAME" sub-rules (used by metas, never a hit) */
    unsigned line;           /**< line of the rule file, or of the word list given by file */
    const char *file;        /**< an entry of a word list (moderate-list, disallow-list): the
                                  list's path as kindly opened it (relative to the working
                                  directory, or absolute), line being its line there; NULL for
                                  a line of the rule file itself */
} kd_rule_info;

/** Number of rules, word-list and allow-list entries included (0 for NULL or a set whose
 *  loading failed). */
size_t kd_rules_count(const kd_rules *r);
/** Rule i (0 <= i < kd_rules_count()); KD_EINVAL when out of range, or r or out is NULL. */
int kd_rules_info_get(const kd_rules *r, size_t i, kd_rule_info *out);
/** Index of the rule called name (case-sensitive), or -1 (also for r or name NULL). */
long kd_rules_find(const kd_rules *r, const char *name);
/** 1 when every pattern was JIT-compiled, 0 when PCRE2's interpreter is used (or r is NULL). */
int kd_rules_jit(const kd_rules *r);

/**
 * Compiled rule files, like SpamAssassin's sa-compile: compiling the patterns is most of the
 * cost of loading a rule file (about 2.8 million instructions for the shipped rules, nearly
 * 40% of a `kindly check`; finding their required literals for the prefilter, 0.6 million
 * more). kd_rules_save_compiled() writes PCRE2's serialized code of the rule file's
 * patterns, in order, and those literals, under a header naming the rule text (its length
 * and a 64-bit hash), the kindly and PCRE2 versions and a checksum of the rest. kd_rules_load(FILE)
 * reads FILE followed by KD_RULES_COMPILED_SUFFIX when there is one, and uses it only when
 * that header holds: FILE is still that text, and this kindly and this PCRE2 wrote it, and
 * nothing is missing or altered. Otherwise (or if one of its patterns is not the one the text
 * has at that place) every pattern is compiled from the text, as without it, and
 * kd_rules_note() says why. Loading never writes the file. Patterns of word lists
 * (moderate-list, disallow-list) are always compiled from the lists.
 */
#define KD_RULES_COMPILED_SUFFIX ".compiled"

/**
 * Write the compiled form of r, a set loaded from text (kd_rules_load, kd_rules_parse), to
 * path (written beside it and renamed into place: a reader sees the old file or the new).
 * @return 0; KD_EINVAL for r or path NULL or a set whose loading failed; KD_EIO when it cannot
 *         be written (kd_rules_error() names the file and the cause); KD_ENOMEM.
 */
int kd_rules_save_compiled(kd_rules *r, const char *path);
/** 1 when kd_rules_load() took every pattern of the rule file from its compiled file. */
int kd_rules_compiled(const kd_rules *r);
/** Why kd_rules_load() did not use the compiled file beside the rule file, one line naming
 *  both ("" when it used it, or when there is none). */
const char *kd_rules_note(const kd_rules *r);

/** Values of kd_rules_eval()'s fired[] array. */
#define KD_RULE_NOT_FIRED 0
#define KD_RULE_FIRED     1
#define KD_RULE_LIMIT     2 /**< a pattern gave up at a PCRE2 limit: the rule did not fire */

/**
 * Evaluate the rules on one comment, without a model (kd_classify() does this itself when
 * kd_options.rules is set).
 * @param fired NULL, or kd_rules_count(r) bytes that receive KD_RULE_* for each rule
 * @param[out] out zeroed first, then out->rules / nrules (reported rules that fired, in file
 *             order), out->rules_score (their sum) and out->rules_hold; free with
 *             kd_result_free(). Its other fields stay zero.
 * @return 0; KD_EINVAL when r, c, c->text or out is NULL or r did not load; KD_ENOMEM. A pattern
 *         that exceeds a PCRE2 limit does not fire (no error; fired[] says KD_RULE_LIMIT).
 */
int kd_rules_eval(const kd_rules *r, const kd_comment *c, unsigned char *fired, kd_result *out);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Posts and relevance
 *
 * The relevance stage asks whether a comment belongs to the post it was left on and to the
 * site (all posts and the approved comments the model learnt). The posts live in the model
 * file; a comment names its post with kd_comment.post_id. A ham comment learnt with a
 * post_id (kd_train_add) becomes part of its post's model. A comment whose post is unknown
 * is scored against the site alone (kd_result.post_unknown says so). Results: kd_result.relevance (0..1), .generic, .off_topic
 * (relevance below kd_options.offtopic_threshold, where the comment is not generic and the
 * rules, which run before this stage, did not vouch for it: kd_result.rules_own_score), and why: .relevance_site and
 * .relevance_post (its two factors) and the words that weighed most for and against it
 * (.site_words, .offsite_words).
 */
/**@{*/

/**
 * Add a post, or replace the title and text of the post with this id. HTML in title and
 * text is reduced to its text (entities decoded, tags dropped) before it is stored. Its
 * update time (which post wins in kd_model_merge()) is now, or $SOURCE_DATE_EPOCH when set,
 * so that a model built twice is the same file (a post stored with this title and text
 * already is not written: it keeps its update time).
 * @param post_id non-empty
 * @param title may be NULL (stored as empty)
 * @param text may be NULL (stored as empty)
 * @return 0; KD_EINVAL (read-only model, empty id); KD_ESCHEMA (model too old to hold posts
 *         and opened without migrating); KD_EIO, KD_EBUSY, KD_ENOMEM.
 */
int kd_post_put(kd_model *m, const char *post_id, const char *title, const char *text);

/**
 * Import posts from a CSV reader opened with kind KD_CSV_RAW, in one transaction: kindly's
 * own `post_id,title,text` and WordPress `wp post list --format=csv` (`ID`, `post_title`,
 * `post_content`) columns are recognised (also `description` for the text). Existing posts
 * are updated (a file without a title column keeps their titles); a post named twice in
 * the file keeps its later row (a warning through the problem callback, KD_CSV_ROW_NOTED,
 * as is a post with neither title nor text).
 * @param[out] imported distinct posts stored (may be NULL)
 * @param[out] skipped rows without an id (may be NULL)
 * @return 0; KD_ENOTFOUND when the header lacks an id or a text column; KD_EINVAL when r
 *         is NULL or its kd_csv_open() failed (the message ends with the reader's); as
 *         kd_post_put() otherwise. Nothing is stored on failure.
 */
int kd_posts_import(kd_model *m, kd_csv *r, uint64_t *imported, uint64_t *skipped);

/** What kd_posts_import_ex() did with a file's posts (new fields are added at the end). */
typedef struct kd_posts_import_counts {
    uint64_t imported;  /**< distinct posts stored: added + updated + unchanged */
    uint64_t skipped;   /**< rows without an id */
    uint64_t added;     /**< posts new to the model */
    uint64_t updated;   /**< posts whose title or text the file changed */
    uint64_t unchanged; /**< posts the model held with this title and text already: not
                             written (their update time, which kd_model_merge() compares, is
                             kept); a file of only these changes nothing in the model */
} kd_posts_import_counts;
/**
 * kd_posts_import(), telling the posts it added, updated and left unchanged apart. A post
 * named twice in the file counts once: added when the model did not hold it, else updated
 * when one of its rows changed it. out may be NULL; on failure, all but skipped are 0.
 */
int kd_posts_import_ex(kd_model *m, kd_csv *r, kd_posts_import_counts *out);

/** Number of posts in the model (0 for a model without a posts table). 0; KD_EINVAL for m or
 *  out NULL; KD_EIO. */
int kd_posts_count(kd_model *m, uint64_t *out);
/** How many of those posts are retired: stored with an empty title and text (blanks and
 *  markup that has no text aside), as a post deleted from the blog is retired with
 *  kd_post_put(m, id, "", "") or a posts file's row without title and text. A comment on a
 *  retired post is scored against the site alone (kd_result.post_unknown 2), unless approved
 *  comments learnt on it gave the post words. 0 (0 for a model without a posts table);
 *  KD_EINVAL for m or out NULL (*out 0 when out is given); KD_EIO. */
int kd_posts_count_retired(kd_model *m, uint64_t *out);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name History
 *
 * The comment history in the model file, used to find duplicates: with kd_options.remember
 * every classified comment is recorded (id, post, hashes of author, e-mail and IP, time,
 * a hash of the normalised text and MinHash fingerprints; not the text). Each handle also
 * compares a comment with those classified earlier through the same handle, remembered or
 * not; comparisons across handles (server threads, processes) go through the history, so
 * they happen only for remembered comments. Writes need a model opened with KD_OPEN_WRITE.
 */
/**@{*/

/**
 * A key for text as the duplicates stage compares it: texts with the same key are exact
 * duplicates of each other (the same after its normalisation: letter case, white space,
 * punctuation, emoji, invisible characters, look-alike letters, and links unless the text
 * is only links; similarity 1). A text with nothing left to compare (punctuation only) is
 * keyed as written. For grouping copies, as `kindly eval --folds` does.
 * @return 0; KD_EINVAL when text or key is NULL; KD_ENOMEM.
 */
int kd_text_key(const char *text, uint64_t *key);

/**
 * Record a comment in the history without classifying it (e.g. moderator feedback). A
 * comment whose id and text are recorded already (checked with remembering, then learnt) is
 * not recorded again, unless that text had 32 earlier copies: the index keeps the earliest
 * 32 copies of a text, and a later copy is found by its id only once it has a label.
 * @return 0; KD_EINVAL when the model was opened read-only or c has no text; KD_EIO when the
 *         file cannot be written; KD_EBUSY.
 */
int kd_history_record(kd_model *m, const kd_comment *c);

/**
 * Read a comment's date (kd_comment.date) as the history does: ISO 8601 / RFC 3339, e.g.
 * "2024-05-01", "2024-05-01 13:45", "2024-05-01T13:45:00Z", "2024-05-01T13:45:00.123+02:00",
 * or the basic format "20240501T134500Z"; without an offset, UTC (WordPress's
 * comment_date_gmt). A remembered comment (kd_classify() with remember, kd_history_record(),
 * kd_feedback()) whose date this cannot read is recorded as of the time of recording, as is
 * one without a date or dated in the future: those calls do not fail for it and say nothing.
 * kd_history_prune() then takes an old comment for a new one, so a caller that keeps what it
 * is given honest checks the date with this first and warns (kindly's CLI names the row, its
 * server sends an X-kindly-warning header; both do so too for a date more than a day ahead). Thread-safe; touches no model.
 * @param[out] out the date in seconds since the epoch (may be NULL); 0 unless it returns 0
 * @return 0; KD_ENOTFOUND when date is NULL, empty or only blanks (no date: normal, nothing to
 *         warn of); KD_EPARSE when it is there but not a date read so (a date before 1970,
 *         "yesterday", "01/05/2024", "2024-13-01", "2024-02-31").
 */
int kd_date_parse(const char *date, int64_t *out);

/**
 * Batch the history writes of this handle: from now on they are grouped into transactions
 * (much faster for a bulk run) until kd_history_flush(). A transaction holds the model
 * file's write lock, which other writers wait for (10 s at most), so it is committed after
 * 2,000 comments or once it has been open for 100 ms, whichever comes first (checked at
 * each comment). A caller about to wait (for input, say) should commit first:
 * kd_history_flush(), then kd_history_batch_begin() again. Without a batch, each remembered
 * comment is committed at once. kd_model_close() flushes too, but cannot report a failure.
 * A batch that only looks up (kd_classify without remember) reads in one read transaction
 * under the same terms: comments other handles record are seen once it is 100 ms old (at
 * the next kd_classify) or after kd_history_flush(). Between calls it keeps its snapshot,
 * and with it the WAL file from being checkpointed past it: flush before idling.
 * When a write of the batch fails (kd_classify, kd_history_record, kd_history_flush), what
 * it kept (the comments before a failing one; none when the transaction itself was lost) is
 * committed at once, and kd_model_error() ends with how many comments this handle's batches
 * recorded and how many were lost: "N comments were recorded, the last M were not".
 * Also on a read-only handle (a batch of look-ups). @return 0; KD_EINVAL for m NULL;
 * KD_EIO, KD_ENOMEM when the history cannot be opened.
 */
int kd_history_batch_begin(kd_model *m);
/** Commit the pending history writes and end the batch (without one: commits nothing, 0).
 *  @return 0; KD_EIO, KD_EBUSY; KD_EINVAL for m NULL.
 *  The other writes on the handle (kd_train_commit, kd_post_put, kd_posts_import,
 *  kd_model_merge, kd_model_prune, kd_model_pack) commit the pending history writes first
 *  and leave the batch open. */
int kd_history_flush(kd_model *m);

/**
 * Enforce a retention policy: delete the comments whose time (the comment's date, else when
 * it was recorded) is at or before `before` (seconds since the epoch; INT64_MIN for no age
 * limit), wherever they are in recording order, and all but the `keep` most recently
 * recorded comments (0 for no count limit), with their index entries. It runs as a series of
 * short transactions, so that other writers of the model (the server) never wait long for
 * it: stopped part-way (a failure, the process killed), it leaves the comments it had not
 * deleted yet in the history, counted by kd_history_stats_get() but perhaps no longer found as
 * duplicates; the same call again finishes it (kd_model_error() says so). A prune begun on
 * the model while this one runs takes over: this one stops with KD_EBUSY.
 * @param[out] removed number of comments deleted, also when it fails part-way (may be NULL)
 * @return 0; KD_EINVAL (model opened read-only); KD_EIO, KD_EBUSY, KD_ENOMEM.
 */
int kd_history_prune(kd_model *m, int64_t before, uint64_t keep, uint64_t *removed);

typedef struct kd_history_stats {
    uint64_t comments;      /**< comments recorded */
    uint64_t index_entries; /**< LSH index entries: 12 a comment (an estimate: of a text's
                                 copies past its 32nd, one in 16 at most is indexed) */
    uint64_t file_bytes;    /**< size of the whole model file (pages in use and free) */
    int64_t oldest, newest; /**< the comments' times, Unix seconds: their own dates, else when
                                 they were recorded (0 when empty) */
} kd_history_stats;
/** Fill *out with the history's figures. @return 0; KD_EINVAL for m or out NULL; KD_EIO. */
int kd_history_stats_get(kd_model *m, kd_history_stats *out);

/** kd_history_entry.label of a comment whose feedback label was taken back (an undo). */
#define KD_HISTORY_TAKEN_BACK (-2)

/** What the history holds of one comment recorded under an id (kd_history_find()). */
typedef struct kd_history_entry {
    int64_t seq;         /**< its record's number: kd_result.duplicate_of names a comment
                              recorded without an id "history:SEQ" */
    const char *post_id; /**< the post it was recorded under; NULL when none (valid during
                              the callback only) */
    int64_t time;        /**< Unix seconds: its own date, else when it was recorded */
    int label;           /**< the label kd_feedback() gave it, whose learning is in the
                              model: KD_SPAM or KD_HAM; KD_HISTORY_TAKEN_BACK when an undo took
                              it back; KD_UNLABELLED when the history records none (never
                              given feedback: checked or recorded only, or learnt by
                              kd_train_add() (train, learn of a CSV file), which records no
                              label; or a model older than schema 7, opened read-only) */
} kd_history_entry;

/**
 * Look a comment up in the history by its id (kd_comment.id as it was recorded; the text is
 * not stored, so an id is the one way to ask for a comment): call fn(ud, entry) for each
 * comment recorded under it, earliest first (one id can hold several: a comment edited, or
 * the same id reused with another text; "history:SEQ", the name kd_result.duplicate_of gives
 * a comment recorded without an id, finds that comment when none was recorded under that
 * string as its id). fn returns 0 to go on, nonzero to stop: that value
 * is then returned. Reads the whole history (no index holds every id: 0.1 s a million
 * comments, the file cached); a read, also on a model opened read-only. Same thread rule as
 * the model.
 * @param[out] found how many comments fn was given (may be NULL; 0 on failure)
 * @return 0; KD_ENOTFOUND when no comment is recorded under id (fn not called: never
 *         remembered, pruned, or a model with no history); KD_EINVAL for m, id or fn NULL;
 *         KD_EIO, KD_ENOMEM; or fn's nonzero value.
 */
int kd_history_find(kd_model *m, const char *id, int (*fn)(void *ud, const kd_history_entry *entry), void *ud,
                    uint64_t *found);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Evaluation */
/**@{*/

/** Accumulates (label, score, verdict) triples and computes the usual figures. */
typedef struct kd_eval kd_eval;

typedef struct kd_eval_figures {
    uint64_t n, spam, ham;   /**< comments added: all, labelled spam, labelled ham */
    uint64_t tp, fp, tn, fn; /**< predicted spam: spam_score > 0.5 (exactly 0.5, no evidence, is not) */
    double accuracy, precision, recall, fp_rate, f1, mcc, auc; /**< of that prediction (each 0
                                  when undefined: a zero denominator); auc of the scores
                                  themselves, 0..1 (0 unless both spam and ham were added) */
    double unsure_rate;      /**< share of comments held */
    double spam_verdict_fp_rate; /**< share of ham given the verdict spam */
} kd_eval_figures;

/** New empty accumulator, freed with kd_eval_free() (which accepts NULL). 0, KD_ENOMEM, or
 *  KD_EINVAL for out NULL.
 *  One kd_eval per thread; it needs no model. */
int kd_eval_new(kd_eval **out);
/** Add one scored, labelled comment. 0, KD_EINVAL (e NULL, label not spam/ham, score NaN or outside
 *  0..1, verdict not a kd_verdict), KD_ENOMEM. */
int kd_eval_add(kd_eval *e, kd_label label, double score, kd_verdict verdict);
/** Compute the figures of everything added so far. 0 (figures of an empty set are zero),
 *  KD_ENOMEM (the AUC sorts a copy of the scores), or KD_EINVAL for e or out NULL. */
int kd_eval_figures_get(const kd_eval *e, kd_eval_figures *out);
void kd_eval_free(kd_eval *e);
/**@}*/

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif
#ifdef __cplusplus
}
#endif
#endif /* KINDLY_H */
