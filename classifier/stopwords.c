/*
 * stopwords.c - English function words, left out of relevance.
 *
 * Relevance compares the words a comment uses with the words of its post and of the site.
 * Function words ("the", "and", "because") occur in every text whatever its topic, so they
 * only add noise; the list is the usual one of information retrieval (after the SMART
 * system's stop list, Salton 1971, cut down to words that carry no topic) plus the
 * contractions the tokenizer keeps as words ("don't", "i'm"). Emoji and symbols are no
 * content words either. The set is built once into a small open-addressing table of token
 * hashes: a lookup is one probe, with the hash the tokenizer already computed.
 *
 * kd_word_key() is the key relevance matches words by: a plural "-s" dropped, so that a
 * comment on "lists" matches a post about a "list". It is the lightest of stemmers (the
 * first step of Porter's, without its other rules); in a prototype on DataCamp it raised
 * the own-post vs other-post AUC by about 0.02 (docs/BENCHMARKS-relevance.md).
 */
#include "stopwords.h"

#include <pthread.h>
#include <string.h>

#include "tokmap.h"

static const char *const words[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
    "does", "doesn't", "doing", "don't", "down", "during", "each", "even", "ever", "few", "for",
    "from", "further", "get", "gets", "got", "had", "hadn't", "has", "hasn't", "have", "haven't",
    "having", "he", "he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself", "him",
    "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is",
    "isn't", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "much",
    "must", "mustn't", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
    "one", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own",
    "quite", "rather", "really", "same", "shan't", "she", "she'd", "she'll", "she's", "should",
    "shouldn't", "so", "some", "still", "such", "than", "that", "that's", "the", "their",
    "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd",
    "they'll", "they're", "they've", "this", "those", "through", "to", "too", "under", "until",
    "up", "us", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were",
    "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who",
    "who's", "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "yet", "you",
    "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves",
};

#define SLOTS 1024 /* power of two, more than twice the list */
static uint64_t table[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        uint64_t h = kd_hash64(words[i], strlen(words[i]));
        size_t j = h & (SLOTS - 1);
        while (table[j] && table[j] != h)
            j = (j + 1) & (SLOTS - 1);
        table[j] = h;
    }
}

int kd_content_word(const char *tok, uint64_t h)
{
    unsigned char lead = (unsigned char)tok[0];
    if (!tok[0] || !tok[1] || tok[0] == '#')
        return 0;
    /* Symbols and emoji say nothing about a topic: U+2000-U+2FFF (punctuation, arrows,
     * dingbats: lead byte E2), U+F000-U+FFFF (variation selectors, U+FEFF: EF) and
     * U+10000 up (emoji: F0-F4). */
    if (lead == 0xE2 || lead == 0xEF || lead >= 0xF0)
        return 0;
    int number = 1; /* digits, and the '.' and ',' of "7.5", "12.99", "1,000" */
    for (const char *p = tok; *p; p++) {
        if (*p == ' ' || *p == ':')
            return 0;
        number &= (*p >= '0' && *p <= '9') || *p == '.' || *p == ',';
    }
    if (number)
        return 0;
    pthread_once(&once, build);
    for (size_t j = h & (SLOTS - 1); table[j]; j = (j + 1) & (SLOTS - 1))
        if (table[j] == h)
            return 0;
    return 1;
}

uint64_t kd_word_key(const char *tok, uint64_t h)
{
    size_t n = strlen(tok);
    if (n > 3 && tok[n - 1] == 's' && tok[n - 2] != 's' && tok[n - 2] != 'u' && tok[n - 2] != '\'')
        return kd_hash64(tok, n - 1);
    return h;
}
