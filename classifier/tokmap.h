/*
 * tokmap.h - token hashes and an in-memory table of token counts (internal).
 *
 * Tokens are stored and looked up by a 64-bit hash of their UTF-8 bytes. The hash is part of
 * the model file format: changing kd_hash64 invalidates every model, so it is frozen (FNV-1a
 * 64 followed by the splitmix64 finaliser to spread FNV's weak low bits). With 64 bits, the
 * chance of any collision among a million tokens is about 3e-8.
 */
#ifndef KD_TOKMAP_H
#define KD_TOKMAP_H

#include <stddef.h>
#include <stdint.h>

uint64_t kd_hash64(const void *p, size_t n);

typedef struct kd_counts {
    int64_t spam, ham;
} kd_counts;

/* Open addressing with linear probing; key 0 marks an empty slot (a token that hashes to 0
 * is stored under 1: the collision cost is nil in practice). */
typedef struct kd_tokmap {
    uint64_t *keys;
    kd_counts *vals;
    size_t cap;   /* power of two, or 0 */
    size_t n;
} kd_tokmap;

#define KD_TOKMAP_INIT { NULL, NULL, 0, 0 }

/* Pointer to the counts of key, inserting zero counts if absent; NULL when out of memory. */
kd_counts *kd_tokmap_upsert(kd_tokmap *t, uint64_t key);
/* The slot of key in an open-addressing table of keys (cap a power of two, 0 for none;
 * key 0 is stored as 1), or -1. Shared by both kinds of table below. */
static inline ptrdiff_t kd_tokmap_slot(const uint64_t *keys, size_t cap, uint64_t key)
{
    if (!cap)
        return -1;
    if (!key)
        key = 1;
    size_t mask = cap - 1, j = key & mask;
    while (keys[j]) {
        if (keys[j] == key)
            return (ptrdiff_t)j;
        j = (j + 1) & mask;
    }
    return -1;
}

/* Counts of key or NULL. Inline: it is the innermost loop of scoring. */
static inline const kd_counts *kd_tokmap_get(const kd_tokmap *t, uint64_t key)
{
    ptrdiff_t j = kd_tokmap_slot(t->keys, t->cap, key);
    return j < 0 ? NULL : &t->vals[j];
}

/* Ask the CPU to start loading key's slot now. Looking up a comment's tokens after
 * prefetching all of them overlaps their cache misses instead of paying them one by one. */
static inline void kd_tokmap_prefetch(const kd_tokmap *t, uint64_t key)
{
    if (t->cap) {
        size_t j = (key ? key : 1) & (t->cap - 1);
        __builtin_prefetch(&t->keys[j]);
        __builtin_prefetch(&t->vals[j]);
    }
}
int kd_tokmap_reserve(kd_tokmap *t, size_t n);
/* Remove key (0 is 1, as everywhere): 1 if it was there, else 0. The entries after it in
 * its run move back into the hole (backward-shift deletion), so that every key stays
 * reachable from its home slot without tombstones; never allocates. */
int kd_tokmap_remove(kd_tokmap *t, uint64_t key);
void kd_tokmap_clear(kd_tokmap *t);
void kd_tokmap_free(kd_tokmap *t);
/* Add the counts of delta to t as a commit adds them to the model file (store.c,
 * kd_store_apply): each count clamped at zero, and when any count of delta is negative (an
 * undo) a token of delta left at zero is removed. t must have room for every token of delta
 * (kd_tokmap_reserve(t, t->n + delta->n)): never allocates. */
void kd_tokmap_apply(kd_tokmap *t, const kd_tokmap *delta);

/* Scratch memory of kd_tokmap_add_once: a small table of the slots one comment has
 * counted. Kept by the caller so that a comment allocates only when it is longer than any
 * before it; zeroed, it holds nothing. */
typedef struct kd_tokmap_seen {
    size_t *slot; /* slot + 1 of t, or 0 */
    size_t cap;   /* power of two, or 0 */
} kd_tokmap_seen;

#define KD_TOKMAP_SEEN_INIT { NULL, 0 }

/* Training's inner loop: add (spam, ham) once to the counts of each distinct key among
 * keys[0..n), one comment's token hashes in which a word may repeat, with one probe of t a
 * key (reducing them to a set first, kd_tokset, took a second table keyed by hash and a
 * second pass). A key not in t is inserted. Returns the number of distinct keys (so
 * kd_tokset's n), or -1 when out of memory, and then t is unchanged. */
ptrdiff_t kd_tokmap_add_once(kd_tokmap *t, kd_tokmap_seen *seen, const uint64_t *keys, size_t n, int64_t spam,
                             int64_t ham);
void kd_tokmap_seen_free(kd_tokmap_seen *seen);

/* Iterate: for (size_t i = 0; i < t->cap; i++) if (t->keys[i]) ... */

/*
 * A frozen table of counts that repeat (kd_tokmap32): the same probing, but a slot holds a
 * 32-bit index into a pool of distinct kd_counts shared by many tables, and the table is
 * sized for at most 3/4 full instead of half: 12 bytes a slot at 38-75% load against 24 at
 * 25-50%. For many small tables built once and only read: the per-post word counts of the
 * posts cache (posts.c), where 10,000 posts of a few hundred words each took 230 MB as
 * kd_tokmaps, and a post's counts are small numbers that recur. A lookup that misses probes
 * ~4 slots instead of ~1.5, still in one or two cache lines. The pool belongs to the caller,
 * who sets pool once it stops growing.
 */
typedef struct kd_tokmap32 {
    uint64_t *keys;         /* one allocation with idx */
    uint32_t *idx;          /* per slot: its counts in pool[] */
    const kd_counts *pool;
    size_t cap;             /* power of two, or 0 */
    size_t n;
} kd_tokmap32;

#define KD_TOKMAP32_INIT { NULL, NULL, NULL, 0, 0 }

/* An empty table with room for n keys; -1 when out of memory. */
int kd_tokmap32_init(kd_tokmap32 *t, size_t n);
/* Add key, absent and within the n of kd_tokmap32_init, with its counts at pool[idx]. */
void kd_tokmap32_add(kd_tokmap32 *t, uint64_t key, uint32_t idx);
void kd_tokmap32_free(kd_tokmap32 *t);

static inline const kd_counts *kd_tokmap32_get(const kd_tokmap32 *t, uint64_t key)
{
    ptrdiff_t j = kd_tokmap_slot(t->keys, t->cap, key);
    return j < 0 ? NULL : &t->pool[t->idx[j]];
}

#endif
