/*
 * posts.h - the posts a model knows, and the per-post term statistics relevance needs
 * (internal).
 *
 * Posts live in the model's `posts` table (schema 3), the words of their approved comments
 * in `post_terms` (schema 5). Scoring a comment must not touch SQLite or re-tokenize a post,
 * so on first use every post is tokenized once into a cache kept on the model: per post,
 * its length and norm, and for the site, in how many posts each word occurs and how often it
 * occurs in all posts, and an inverted index (word's stem, kd_word_key -> the posts that use
 * it and how often, counting the words of their approved comments) for a post's counts and
 * the share of a comment's post among all posts. Looking a post up by id is one hash probe.
 * The cache is rebuilt when the posts or their comments' words change (the file's
 * "posts_generation", seen at kd_model_refresh, or a write of posts on this handle), kept in
 * the model file by the write that changed them (posts_snap.c) for the processes that read
 * it next, and shared read-only by the process's handles on the same file.
 */
#ifndef KD_POSTS_H
#define KD_POSTS_H

#include <stddef.h>
#include <stdint.h>

#include "kindly.h"
#include "tokmap.h"

/* One post's statistics. The counts of its content words, by stem (kd_word_key, so that
 * "list" in a comment matches "lists" in the post), are in the cache's inverted index:
 * kd_posts_term. */
typedef struct kd_post_stats {
    char *id;
    int64_t length;  /* content words in the post (title counted twice) and its comments */
    double norm;     /* length of its TF-IDF vector, (1 + ln tf) idf per stem (kd_posts_share) */
} kd_post_stats;

/* Dirichlet prior of a post's language model, in words (relevance.c smooths with it too). */
#define KD_POST_MU 200.0
/* The site's counts of the posts' words (the cache's tf and length) are in 1/KD_SITE_UNIT of
 * a word: a post longer than the site's cap counts a fraction of a word per word (posts.c). */
#define KD_SITE_UNIT 4096
/* kd_posts_share reads at most this many of a comment's words, and leaves out words of more
 * than KD_POSTING_MAX posts: they say little about which post, and the cap bounds the work
 * per word on a site of thousands of posts. */
#define KD_POSTERIOR_WORDS 64
#define KD_POSTING_MAX 256

/* One entry of the inverted index: a post (index in posts[]) and how often the word
 * occurs in it (text and approved comments). */
typedef struct kd_posting {
    uint32_t post;
    uint32_t n;
} kd_posting;

typedef struct kd_posts_cache {
    int64_t generation;    /* the model's posts generation when built (store.c); the content
                            * is of that generation or later */
    /* sharing (posts.c, under its lock): references held by handles, and the file's
     * identity and the next cache in the registry when shared (an in-memory model's is not) */
    int refs;
    uint64_t dev, ino;
    struct kd_posts_cache *next;
    kd_post_stats *posts;
    size_t n;
    kd_tokmap by_id;       /* kd_hash64(post_id) -> index + 1 in vals[].ham */
    kd_tokmap df;          /* stem -> number of posts that contain it (vals[].ham) and the
                            * start of its postings in postings[] (vals[].spam) */
    kd_tokmap tf;          /* word (token hash) -> occurrences in all posts (vals[].ham), in
                            * KD_SITE_UNITs, a post of outsized length weighed down (posts.c) */
    int64_t length;        /* content words in all posts, weighed as tf (the sum of its values) */
    kd_posting *postings;  /* the inverted index: per stem, the posts that use it, in the
                            * order of the posts (npostings) */
    size_t npostings;
    void *snap;            /* read from the model file (posts_snap.c): the tables above, but
                            * posts[], point into this one allocation */
    _Atomic int stored;    /* the model file holds this cache (read from it, or written) */
} kd_posts_cache;

/*
 * The model's post cache, built on first use or taken from another handle on the same file
 * and posts generation (thread-safe across handles: each handle is used by one thread at a
 * time, as everywhere; handles on several threads share caches). *out is NULL-free: an empty cache when the model has no posts; it
 * stays valid until the next call on this handle, a write of posts or training through it,
 * or kd_model_close.
 * Returns 0, KD_ENOMEM or KD_EIO.
 */
int kd_posts_cache_get(kd_model *m, const kd_posts_cache **out);
/* How often post p (NULL: 0) uses the stem whose entry in c->df is d (NULL: 0): a binary
 * search of the stem's postings. */
int64_t kd_posts_term(const kd_posts_cache *c, const kd_post_stats *p, const kd_counts *d);
/* The statistics of a post, or NULL when the post is unknown (or id is NULL). */
const kd_post_stats *kd_posts_find(const kd_posts_cache *c, const char *id);
/* Temperature of kd_posts_share's softmax. */
#define KD_POSTS_TAU 30.0
/* ln((P + 1) / (df + 0.5)): the IDF of a stem used by df of the cache's P posts. */
double kd_posts_idf(const kd_posts_cache *c, int64_t df);
/*
 * The share of post own among all posts for a comment: a softmax, at temperature
 * KD_POSTS_TAU, of the cosine similarity of TF-IDF vectors (the comment's: idf per distinct
 * stem; a post's: (1 + ln tf) idf over its text and approved comments) between the comment
 * and each post. keys: the stems (kd_word_key) of the comment's words that some post uses,
 * n of them (a stem given twice, as "list" and "lists" are, counts once; only the first
 * KD_POSTERIOR_WORDS distinct ones that pass the KD_POSTING_MAX cap are read). Only the posts that share a stem are visited, through the inverted index (the
 * others have cosine 0 and are summed in closed form): the work is the number of postings of
 * the comment's words, not the number of posts. 1/P when no stem is a post's. The shares of
 * all posts sum to 1.
 */
double kd_posts_share(const kd_posts_cache *c, const kd_post_stats *own, const uint64_t *keys, size_t n);
/* Release a model's reference to its cache (kd_model_close); the last one frees it.
 * Accepts NULL. */
void kd_posts_cache_release(kd_posts_cache *c);
/* Free a cache no handle holds (posts_snap.c's, when its blob fails a check). Accepts NULL. */
void kd_posts_cache_free(kd_posts_cache *c);
/*
 * Keep the model's current posts cache in its file (posts_snap.c), for the next process:
 * called by the writes that change posts or their words, after their commit. It builds the
 * cache if this handle has none. Best effort: a cache that cannot be built or written costs
 * the next reader a build, and leaves m's message as it was. Nothing on a handle opened with
 * KD_OPEN_KEEP_LATER (kd_model_keep_posts keeps it when its caller chooses).
 */
void kd_posts_cache_keep(kd_model *m);
/* The cache of m's posts generation as kept in its file: 0 and *out, or -1 when the file
 * holds none (none written, another generation or format, a blob that fails a check, a
 * read failure, out of memory): the caller builds it. */
int kd_posts_snap_load(kd_model *m, kd_posts_cache **out);
/* Write c, built for m's file at c->generation, unless the file has moved on to another
 * posts generation: KD_OK (written, or written already), KD_SNAP_MOVED_ON (not written: the
 * file's posts are another generation's, no failure), or, not written, KD_EBUSY (another
 * writer holds the file, or a transaction of m's is open), KD_ENOMEM, or KD_EIO with SQLite's
 * reason in why (a full disk, a read-only file; why[0] is '\0' for the other codes). */
#define KD_SNAP_MOVED_ON 1
int kd_posts_snap_save(kd_model *m, kd_posts_cache *c, char *why, size_t whylen);
/* (kd_posts_count_retired is public: kindly.h; `kindly posts` and `kindly info` count the
 * retired posts apart from the posts the model holds) */
/* How many caches this process has built: each is most of a second on a site of 10,000
 * posts, so tests check that what cannot change a post's words does not cause one. */
uint64_t kd_posts_cache_builds(void);
/* How many caches this process read from model files (kd_posts_snap_load), for /metrics. */
uint64_t kd_posts_cache_loads(void);

/*
 * The words of approved comments, per post (table post_terms, schema 5): a post's model is
 * its text plus the comments readers were let to leave on it, which is what a post of a
 * title and one sentence needs to be recognisable. Training calls these from kd_train_*:
 * kd_posts_learn() adds the content words of a ham comment with a post_id (m->tok and
 * m->set hold its tokens) to a pending batch on the model, delta +1 or -1;
 * kd_posts_learn_write(m) writes the batch inside the transaction that writes the token
 * counts (the hook of kd_store_apply), so that both are written or neither;
 * kd_posts_learn_done(m, rc) then drops the batch, and the posts cache if rc is 0 and the
 * batch held a post's words (then it returns 1: the caller keeps the new cache,
 * kd_posts_cache_keep, once its handle has read the new generation);
 * kd_posts_learn_free() drops the batch (abort, close). Learning needs no post to be known yet: the counts wait for the post.
 * Return 0, KD_ENOMEM, KD_EBUSY or KD_EIO (message on m).
 */
int kd_posts_learn(kd_model *m, const kd_comment *c, int delta);
int kd_posts_learn_write(void *model);
int kd_posts_learn_done(kd_model *m, int rc); /* 1 when a post's words were written */
void kd_posts_learn_free(kd_model *m);


#endif
