/*
 * tokset.c - reduce a comment's tokens to the set of distinct ones.
 *
 * Comments are short (tens of tokens), so an insertion sort of indices by hash beats qsort's
 * call overhead; long texts fall back to qsort. Equal hashes are then adjacent, and the
 * first of each run (lowest index: insertion sort is stable) is kept.
 */
#include "tokset.h"

#include <stdlib.h>

#include "kindly.h"

typedef struct pair {
    uint64_t h;
    uint32_t i;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : 1;
}

int kd_tokset_build(kd_tokset *s, const kd_tokens *t)
{
    s->n = 0;
    if (t->n > s->cap) {
        uint32_t *p = realloc(s->idx, t->n * sizeof *p);
        if (!p)
            return KD_ENOMEM;
        s->idx = p;
        s->cap = t->n;
    }
    const uint64_t *h = t->hash;
    uint32_t *ix = s->idx;
    size_t n = t->n;
    for (size_t i = 0; i < n; i++)
        ix[i] = (uint32_t)i;
    if (n > 48) {
        pair *p = malloc(n * sizeof *p);
        if (!p)
            return KD_ENOMEM;
        for (size_t i = 0; i < n; i++)
            p[i] = (pair){ h[i], (uint32_t)i };
        qsort(p, n, sizeof *p, cmp_pair);
        for (size_t i = 0; i < n; i++)
            ix[i] = p[i].i;
        free(p);
    } else {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = ix[i];
            size_t j = i;
            while (j > 0 && h[ix[j - 1]] > h[v]) {
                ix[j] = ix[j - 1];
                j--;
            }
            ix[j] = v;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || h[ix[k - 1]] != h[ix[i]])
            ix[k++] = ix[i];
    s->n = k;
    return KD_OK;
}

void kd_tokset_free(kd_tokset *s)
{
    if (!s)
        return;
    free(s->idx);
    s->idx = NULL;
    s->n = s->cap = 0;
}
