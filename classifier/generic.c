/*
 * generic.c - recognising generic praise.
 *
 * "Thanks!", "great post", "nice article sir": a comment that would fit any post on any
 * site. It is not off topic (readers do write it, and a relevance score on two or three
 * words means little), so relevance never holds it; but together with a link or an author
 * URL it is the oldest blog-spam pattern there is (Mishne, Carmel & Lempel 2005 note that
 * comment spam often pairs bland praise with the link it exists for), so generic + link is
 * spam evidence: the rules read it as the quantity `generic` (rules_eval.c), and the default
 * rule GENERIC_WITH_LINK scores it.
 *
 * The test is a closed vocabulary: every content word (stopwords.c) must be one of the
 * words such comments are made of, at least one must be praise, and there may be at most
 * six distinct ones (a repeat is the same praise again: "thank you thank you thank you so
 * much, great post" is generic, and "thanks" seven times before a link is the spam
 * pattern). A vocabulary rather than a length rule keeps short but specific replies ("the 4-7-8
 * breathing worked") out. Some praise is a phrase of two filler words ("well said", "so
 * true", "really true": "true" after an adverb of degree): those word pairs (the tokenizer's
 * adjacent pairs) count as praise too. Lookups go through a small table of token hashes
 * built once.
 *
 * On a blog about people's lives the same short replies come as sympathy and agreement, to
 * the author or to another reader: "Agreed.", "So relatable.", "Hugs to you.", "Hang in
 * there.", "Oh I love this." They fit any post as praise does, and as two or three words
 * their relevance is as meaningless, so they count as praise (support[], support_pairs[]);
 * the interjections they open with ("oh", "aww") are filler. Each entry was added for a reply
 * of the tuning half of corpora/short-replies.csv or of issue 5's list that was held as off
 * topic, and kept only if it made no reply of the off-topic benchmark sets generic that was
 * held before ("yes" / "yup" and "thinking of" did: SMS "Yup", "Thinking of u ;) x"):
 * docs/BENCHMARKS-relevance.md, "Short replies".
 */
#include "generic.h"

#include <pthread.h>
#include <string.h>

#include "stopwords.h"
#include "tokmap.h"

#define MAX_WORDS 6

/* Praise: the words that make a comment praise. */
static const char *const praise[] = {
    "thanks", "thank", "thx", "ty", "great", "nice", "good", "awesome", "amazing", "excellent",
    "wonderful", "lovely", "fantastic", "brilliant", "beautiful", "useful", "helpful",
    "informative", "interesting", "insightful", "inspiring", "superb", "perfect", "cool",
    "fabulous", "love", "loved", "appreciate", "appreciated", "wow", "bookmarked", "agree",
    "thoughtful", "gorgeous", "outstanding", "impressive", "valuable", "well-written", "bravo",
    "kudos", "best", "needed", "helped", "spot", /* "spot on" */
};
/* Sympathy and agreement, which count as praise. */
static const char *const support[] = {
    "agreed", "relatable", "uplifting", "comforting", "nailed", "perfectly", "hugs", "hug",
};
/* Praise made of two filler words, as the tokenizer's word pairs. */
static const char *const praise_pairs[] = {
    "well said", "well done", "well put", "well written", "well explained", "so true",
    "very true", "how true", "so right", "exactly this", "this exactly", "right on",
    /* "true" after the other adverbs of degree agrees as "so true" does */
    "really true", "too true", "quite true", "absolutely true", "totally true",
};
/* Sympathy made of filler and stopwords ("hang in there", "take care", "been there"). */
static const char *const support_pairs[] = {
    "hang in", "take care", "proud of", "been there",
};
/* Filler that generic praise is padded with. */
static const char *const filler[] = {
    "article", "articles", "post", "posts", "blog", "piece", "read", "reading", "write",
    "writing", "written", "writer", "share", "sharing", "shared", "work", "job", "info",
    "information", "content", "stuff", "site", "website", "page", "topic", "keep", "sir",
    "madam", "dear", "bro", "buddy", "friend", "friends", "guys", "admin", "author", "like",
    "liked", "enjoy", "enjoyed", "glad", "totally", "absolutely", "lot", "lots", "many", "yes",
    "exactly", "indeed", "true", "today", "help", "helps", "bookmark", "saving", "saved",
    "well", "done", "said", "put", "hi", "hello", "hey", "please", "waiting", "next", "more",
    "posting", "tutorial", "tutorials", "explanation", "explained", "clear", "simple", "easy",
    "understand", "learned", "learnt", "keep", "it", "again", "always", "everyone", "man",
    "dude", "ma'am", "mam", "all", "thing", "things", "very", "truly", "definitely", "way",
    "much", "so", "up", "future", "new", "reminder", "timely", "wise", "words", "true", "sense",
    "makes", "point", "points", "exactly", "right", "say", "seriously", "mate", "oh", "aw",
    "aww", "ah", "yep", "yup", "hang", "take", "care", "proud", "sending",
};

#define SLOTS 512
static uint64_t table[SLOTS];
static unsigned char is_praise[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add(const char *w, int p)
{
    uint64_t h = kd_hash64(w, strlen(w));
    size_t j = h & (SLOTS - 1);
    while (table[j] && table[j] != h)
        j = (j + 1) & (SLOTS - 1);
    table[j] = h;
    is_praise[j] |= (unsigned char)p;
}

static void build(void)
{
    for (size_t i = 0; i < sizeof filler / sizeof *filler; i++)
        add(filler[i], 0);
    for (size_t i = 0; i < sizeof praise / sizeof *praise; i++)
        add(praise[i], 1);
    for (size_t i = 0; i < sizeof praise_pairs / sizeof *praise_pairs; i++)
        add(praise_pairs[i], 1);
    for (size_t i = 0; i < sizeof support / sizeof *support; i++)
        add(support[i], 1);
    for (size_t i = 0; i < sizeof support_pairs / sizeof *support_pairs; i++)
        add(support_pairs[i], 1);
}

/* 0 not in the vocabulary, 1 filler, 2 praise. */
static int kind(uint64_t h)
{
    for (size_t j = h & (SLOTS - 1); table[j]; j = (j + 1) & (SLOTS - 1))
        if (table[j] == h)
            return is_praise[j] ? 2 : 1;
    return 0;
}

int kd_generic(const kd_tokens *tok)
{
    pthread_once(&once, build);
    uint64_t seen[MAX_WORDS]; /* the distinct content words so far: a repeat adds none */
    int words = 0, praised = 0, link = 0;
    for (size_t i = 0; i < tok->n; i++) {
        const char *s = kd_tokens_str(tok, i);
        if (s[0] == '#' && (!strcmp(s, "#url") || !strcmp(s, "#author_url"))) {
            link = 1;
            continue;
        }
        if (!kd_content_word(s, tok->hash[i])) {
            if (strchr(s, ' ')) /* a word pair: praise, or neither kind of word */
                praised |= kind(tok->hash[i]) == 2;
            continue;
        }
        int k = kind(tok->hash[i]), j = 0;
        if (!k)
            return 0;
        while (j < words && seen[j] != tok->hash[i])
            j++;
        if (j == words) {
            if (words == MAX_WORDS)
                return 0;
            seen[words++] = tok->hash[i];
        }
        praised |= k == 2;
    }
    return praised ? 1 + link : 0;
}
