/*
 * stopwords.h - which tokens are content words for relevance (internal).
 */
#ifndef KD_STOPWORDS_H
#define KD_STOPWORDS_H

/* 1 if tok (a kd_tokens string) is a content word: a plain body word (no "#", ":" prefix,
 * not a word pair), not a number, longer than one byte, and not an English function word
 * or filler ("the", "because", "really", ...). Thread-safe. */
int kd_content_word(const char *tok);

#endif
