/*
 * english.h - how common a word is in general English (internal).
 */
#ifndef KD_ENGLISH_H
#define KD_ENGLISH_H

#include <stdint.h>

/*
 * P(w) of a word in general English, from its token hash (kd_hash64 of the lower-case
 * word, as kd_tokenize makes it). A word the table does not hold (rarer than 20 per
 * million: "kindness", "laptop", "matplotlib") gets that floor, 2e-5. Thread-safe.
 */
double kd_english_p(uint64_t h);

/*
 * P of the word's light-stem family in general English: the sum of the table's
 * probabilities of the content words that share its relevance key (kd_word_key: the word and
 * its plural, "start" and "starts"; "ones" alone, "one" being a stopword), the floor when
 * the table holds none. The same for every
 * word of the family; at least kd_english_p(h). tok is the lower-case word, h its token
 * hash. Thread-safe.
 */
double kd_english_stem_p(const char *tok, uint64_t h);

#endif
