/*
 * tokmap.c - open-addressing hash table from token hash to (spam, ham) counts.
 *
 * Keys are already well-mixed 64-bit hashes, so the slot is just the low bits; linear
 * probing keeps lookups in one or two cache lines. The table is kept at most half full.
 * This is what makes batch scoring fast: after a preload, a lookup costs a few nanoseconds
 * instead of an SQLite B-tree descent.
 */
#include "tokmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t kd_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

static int rehash(kd_tokmap *t, size_t cap)
{
    uint64_t *keys = calloc(cap, sizeof *keys);
    kd_counts *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i])
            continue;
        size_t j = t->keys[i] & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i];
        vals[j] = t->vals[i];
    }
    free(t->keys);
    free(t->vals);
    t->keys = keys;
    t->vals = vals;
    t->cap = cap;
    return 0;
}

int kd_tokmap_reserve(kd_tokmap *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 64;
    while (cap < 2 * n + 2)
        cap *= 2;
    return cap == t->cap ? 0 : rehash(t, cap);
}

kd_counts *kd_tokmap_upsert(kd_tokmap *t, uint64_t key)
{
    if (!key)
        key = 1;
    if (2 * (t->n + 1) > t->cap && kd_tokmap_reserve(t, t->n + 1))
        return NULL;
    size_t j = key & (t->cap - 1);
    while (t->keys[j] && t->keys[j] != key)
        j = (j + 1) & (t->cap - 1);
    if (!t->keys[j]) {
        t->keys[j] = key;
        t->n++;
    }
    return &t->vals[j];
}

ptrdiff_t kd_tokmap_add_once(kd_tokmap *t, kd_tokmap_seen *seen, const uint64_t *keys, size_t n, int64_t spam,
                             int64_t ham)
{
    /* room for all of them first: no rehash in the loop moves a slot that seen holds */
    if (kd_tokmap_reserve(t, t->n + n))
        return -1;
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    if (size > seen->cap) {
        size_t *p = realloc(seen->slot, size * sizeof *p);
        if (!p)
            return -1;
        seen->slot = p;
        seen->cap = size;
    }
    /* a slot's index is low bits of a well-mixed key: its own low bits index seen */
    size_t *set = seen->slot, smask = size - 1;
    memset(set, 0, size * sizeof *set);
    uint64_t *tk = t->keys;
    size_t mask = t->cap - 1, distinct = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = keys[i] ? keys[i] : 1;
        size_t j = key & mask;
        while (tk[j] && tk[j] != key)
            j = (j + 1) & mask;
        size_t s = j & smask;
        if (!tk[j]) {
            tk[j] = key;
            t->n++;
            while (set[s]) /* new to t, so not in set */
                s = (s + 1) & smask;
        } else {
            while (set[s] && set[s] != j + 1)
                s = (s + 1) & smask;
            if (set[s])
                continue; /* counted already */
        }
        set[s] = j + 1;
        t->vals[j].spam += spam;
        t->vals[j].ham += ham;
        distinct++;
    }
    return (ptrdiff_t)distinct;
}

void kd_tokmap_seen_free(kd_tokmap_seen *seen)
{
    if (!seen)
        return;
    free(seen->slot);
    *seen = (kd_tokmap_seen)KD_TOKMAP_SEEN_INIT;
}

int kd_tokmap_remove(kd_tokmap *t, uint64_t key)
{
    ptrdiff_t j = kd_tokmap_slot(t->keys, t->cap, key);
    if (j < 0)
        return 0;
    size_t mask = t->cap - 1, hole = (size_t)j;
    for (size_t i = (hole + 1) & mask; t->keys[i]; i = (i + 1) & mask) {
        /* the key at i may fill the hole when the hole is on its way from its home slot:
         * no farther from i than its home is */
        size_t home = t->keys[i] & mask;
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            t->keys[hole] = t->keys[i];
            t->vals[hole] = t->vals[i];
            hole = i;
        }
    }
    t->keys[hole] = 0;
    t->vals[hole] = (kd_counts){ 0, 0 }; /* kd_tokmap_upsert gives a new key the zeros of its slot */
    t->n--;
    return 1;
}

void kd_tokmap_apply(kd_tokmap *t, const kd_tokmap *delta)
{
    int negative = 0;
    for (size_t i = 0; i < delta->cap; i++)
        negative |= delta->keys[i] && (delta->vals[i].spam < 0 || delta->vals[i].ham < 0);
    for (size_t i = 0; i < delta->cap; i++) {
        const kd_counts *v = &delta->vals[i];
        if (!delta->keys[i] || (!v->spam && !v->ham))
            continue;
        kd_counts *c = kd_tokmap_upsert(t, delta->keys[i]); /* (reserved) */
        c->spam = c->spam + v->spam > 0 ? c->spam + v->spam : 0;
        c->ham = c->ham + v->ham > 0 ? c->ham + v->ham : 0;
        if (negative && !c->spam && !c->ham)
            kd_tokmap_remove(t, delta->keys[i]);
    }
}

void kd_tokmap_clear(kd_tokmap *t)
{
    if (t->cap) {
        memset(t->keys, 0, t->cap * sizeof *t->keys);
        memset(t->vals, 0, t->cap * sizeof *t->vals);
    }
    t->n = 0;
}

void kd_tokmap_free(kd_tokmap *t)
{
    if (!t)
        return;
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
    t->cap = t->n = 0;
}

int kd_tokmap32_init(kd_tokmap32 *t, size_t n)
{
    *t = (kd_tokmap32)KD_TOKMAP32_INIT;
    if (!n)
        return 0;
    size_t cap = 4;
    while (4 * n > 3 * cap) /* at most 3/4 full: a miss must find an empty slot soon */
        cap *= 2;
    /* one block: the keys, then the indexes (after 8-byte keys, aligned) */
    uint64_t *keys = calloc(cap, sizeof *keys + sizeof *t->idx);
    if (!keys)
        return -1;
    t->keys = keys;
    t->idx = (uint32_t *)(keys + cap);
    t->cap = cap;
    return 0;
}

void kd_tokmap32_add(kd_tokmap32 *t, uint64_t key, uint32_t idx)
{
    if (!key)
        key = 1;
    size_t j = key & (t->cap - 1);
    while (t->keys[j])
        j = (j + 1) & (t->cap - 1);
    t->keys[j] = key;
    t->idx[j] = idx;
    t->n++;
}

void kd_tokmap32_free(kd_tokmap32 *t)
{
    if (!t)
        return;
    free(t->keys); /* idx is in the same block */
    *t = (kd_tokmap32)KD_TOKMAP32_INIT;
}
