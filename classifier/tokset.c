/*
 * tokset.c - reduce a comment's tokens to the set of distinct ones.
 *
 * A small open-addressing table of token indices, keyed by the tokens' 64-bit hashes and
 * sized to at least twice the token count, finds repeats in O(n) with no sorting; the set
 * keeps first occurrences in text order. The table is scratch memory kept in the kd_tokset
 * so that a caller scoring many comments allocates only when a comment is longer than any
 * before it.
 */
#include "tokset.h"

#include <stdlib.h>
#include <string.h>

#include "kindly.h"

int kd_tokset_build(kd_tokset *s, const kd_tokens *t)
{
    size_t n = t->n;
    s->n = 0;
    if (n > s->cap) {
        uint32_t *p = realloc(s->idx, n * sizeof *p);
        if (!p)
            return KD_ENOMEM;
        s->idx = p;
        s->cap = n;
    }
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    if (size > s->slots) {
        uint32_t *p = realloc(s->table, size * sizeof *p);
        if (!p)
            return KD_ENOMEM;
        s->table = p;
        s->slots = size;
    }
    uint32_t *table = s->table; /* slot holds token index + 1; 0 = empty */
    memset(table, 0, size * sizeof *table);
    const uint64_t *h = t->hash;
    for (size_t i = 0; i < n; i++) {
        size_t j = h[i] & (size - 1);
        while (table[j] && h[table[j] - 1] != h[i])
            j = (j + 1) & (size - 1);
        if (!table[j]) {
            table[j] = (uint32_t)i + 1;
            s->idx[s->n++] = (uint32_t)i;
        }
    }
    return KD_OK;
}

void kd_tokset_free(kd_tokset *s)
{
    if (!s)
        return;
    free(s->idx);
    free(s->table);
    memset(s, 0, sizeof *s);
}
