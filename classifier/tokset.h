/*
 * tokset.h - the distinct tokens of one comment (internal).
 *
 * The Bayes stage counts each token once per comment (as bogofilter and SpamBayes do:
 * repeating a word a hundred times should not outvote the rest), so scoring reduces a
 * comment's tokens to a set, and so does training when it needs the tokens' text (an undo's
 * check, content words); otherwise it counts each distinct token as it meets it
 * (kd_tokmap_add_once). The set keeps the index of each token's first occurrence so that
 * reasons can show its text.
 */
#ifndef KD_TOKSET_H
#define KD_TOKSET_H

#include <stddef.h>
#include <stdint.h>

#include "tokenize.h"

typedef struct kd_tokset {
    uint32_t *idx;   /* index into the kd_tokens of each distinct token, in text order */
    size_t n, cap;
    uint32_t *table; /* scratch hash table */
    size_t slots;
} kd_tokset;

#define KD_TOKSET_INIT { NULL, 0, 0, NULL, 0 }

int kd_tokset_build(kd_tokset *s, const kd_tokens *t); /* 0 or KD_ENOMEM */
void kd_tokset_free(kd_tokset *s);

#endif
