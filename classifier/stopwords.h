/*
 * stopwords.h - which tokens are content words for relevance, and their relevance keys
 * (internal).
 */
#ifndef KD_STOPWORDS_H
#define KD_STOPWORDS_H

#include <stdint.h>

/* 1 if tok (a kd_tokens string; h its hash, kd_tokens' own) is a content word: a plain
 * body word (no "#", ":" prefix, not a word pair), not a number ("7", "7.5", "1,000"),
 * longer than one byte, not a symbol or emoji, and not an English function word or filler
 * ("the", "because", "really", ...). Thread-safe. */
int kd_content_word(const char *tok, uint64_t h);

/* The relevance key of a content word whose token hash is h: the hash of its light stem
 * (a plural "-s" dropped: "lists" -> "list", but not "class", "focus", "yes"), so a comment
 * and a post that use a word in its singular and plural forms match. h when the word has
 * no such ending. */
uint64_t kd_word_key(const char *tok, uint64_t h);

#endif
