/*
 * tokenize.h - turn a comment into the tokens the statistical stages count (internal).
 *
 * A token is a short UTF-8 string. Body words are plain lower-case (case-folded, NFKC)
 * words; everything else carries a prefix so that it never collides with a word and reads
 * well in a verdict's reasons:
 *
 *   body words         "free", "anxiety", "don't"
 *   word pairs         "free entry" (adjacent words; see kd_tokenize_options.pairs)
 *   class tokens       "#url" (a link is there), "#num", "#phone", "#email", "#emoji",
 *                      "#money" (currency amounts), "#caps" (a SHOUTED word), ...
 *   link domains       "url:example.com" (host without "www.")
 *   metadata           "a:<author word>", "e:<e-mail domain>", "au:<author URL domain>",
 *                      "#author_url" (the comment has an author URL)
 */
#ifndef KD_TOKENIZE_H
#define KD_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "kindly.h"

typedef struct kd_tokens {
    char *buf;        /* the token strings, each NUL-terminated, back to back */
    size_t len, cap;
    uint32_t *off;    /* off[i] = start of token i in buf */
    uint64_t *hash;   /* hash[i] = kd_hash64(token i) */
    size_t n, ncap;
} kd_tokens;

#define KD_TOKENS_INIT { NULL, 0, 0, NULL, NULL, 0, 0 }

typedef struct kd_tokenize_options {
    int pairs;          /* 0 none, 1 adjacent word pairs, 2 orthogonal sparse bigrams (CRM114) */
    int metadata;       /* tokens from author, e-mail and URL fields */
    unsigned max_len;   /* words of more characters (code points) become "#long" */
    int plain;          /* the text is plain text, not HTML: a post as posts.c stores it (its
                         * HTML reduced already: a "<" or "&" left in it is one its reader sees) */
} kd_tokenize_options;

#define KD_TOKENIZE_OPTIONS_INIT { 1, 1, 40, 0 }

void kd_tokens_clear(kd_tokens *t);
void kd_tokens_free(kd_tokens *t);
/* Append one token (and its hash). 0 or KD_ENOMEM. */
int kd_tokens_push(kd_tokens *t, const char *s, size_t n);
static inline const char *kd_tokens_str(const kd_tokens *t, size_t i) { return t->buf + t->off[i]; }
/* The length of token i: each token is followed by its NUL, then the next token. */
static inline size_t kd_tokens_len(const kd_tokens *t, size_t i)
{
    return (i + 1 < t->n ? t->off[i + 1] : t->len) - t->off[i] - 1;
}

/*
 * Append the tokens of c to out, in text order, with repeats (callers that want a set
 * de-duplicate by hash). NULL fields are skipped. Never fails on bad text (invalid UTF-8,
 * NUL bytes, unbalanced HTML): only KD_ENOMEM.
 */
int kd_tokenize(const kd_comment *c, const kd_tokenize_options *o, kd_tokens *out);

/* Whether s[0..n) is one of the top-level domains that make a bare "name.tld" a link
 * ("com", "ru"; ASCII, any case): 0 yes, 1 yes when a '/' follows the host (an English
 * word: "co", "me", "in"), -1 no. (lookalike.c reads a host of look-alikes under one.) */
int kd_tld_kind(const char *s, size_t n);

#endif
