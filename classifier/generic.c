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
 *
 * Readers end (or open) such a reply with the name of the one they answer: "Hang in there,
 * Jo.", "Thanks Dr. Patel, this helped.", "Sending hugs, Mia x", "Jo, hang in there". A name
 * is in no vocabulary, so one word outside it may be a name, when two kinds of evidence
 * agree (kd_generic_text):
 *   - the text's: tokens are case-folded, so the text is read again for that word written as
 *     a name is, a capital and then lower case ("Jo", "McKenzie"; not "JO", not "jo"), and set
 *     off as a name addressed is: it ends its clause (a comma, a full stop, the end of the
 *     text, a sign-off of kisses, a heart or an emoji after it) or, first in its sentence
 *     (where every word has a capital), it is followed by a comma. A title before it
 *     ("Dr.", "Mrs") is filler, as "sir" and "madam" are. Spam's "Great post, cheap pills"
 *     and "Nice article, casino bonus" are written in lower case and are two words;
 *   - the model's, which the caller (classify.c) asks: a name is rare, and seen, if at all,
 *     in ham; a word the model has seen more often in spam than in ham (per message) is the
 *     spammer's product, not a reader's name ("Thanks, Viagra": viagra is 3 spam and 0 ham
 *     in the shipped model). Without a model (kd_generic(), the rules alone) no word is
 *     taken for a name.
 * Only one: "Thanks Bitcoin Doubler" has two words of its own; but a name may be written with
 * an apostrophe or a hyphen ("O'Brien", one token; "Mary-Jane", two, the tokenizer splits
 * at the hyphen), and two words joined by a hyphen in the text are one name, each vetted by
 * the model ("Thanks, Viagra-Cialis" is not a name). A sign-off of kisses ("x",
 * "xx") ending the text is filler ("x" is no content word anyway; "xx" is). The author field
 * is not read: it is the commenter's own name, which the spammer chooses as freely as the
 * text, so it could vouch for nothing.
 */
#include "generic.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "normalize.h"
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
    /* titles, said with a name ("Thanks Dr. Patel") */
    "dr", "mr", "mrs", "ms", "mx", "prof",
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

/* Whether the ASCII word s[0..n) is a title said before a name ("Dr", "Mrs"). */
static int title(const char *s, size_t n)
{
    static const char *const t[] = { "dr", "mr", "mrs", "ms", "mx", "prof" };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strlen(t[i]) == n && !strncasecmp(s, t[i], n))
            return 1;
    return 0;
}

static int letter(int32_t cp)
{
    utf8proc_category_t k = utf8proc_category(cp);
    return cp >= 0 && k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

/* The end of the word (letters and digits) at s[i]. */
static size_t word_end(const char *s, size_t n, size_t i)
{
    int32_t cp;
    size_t len;
    while (i < n && (len = kd_utf8_decode(s + i, n - i, &cp)) &&
           (letter(cp) || utf8proc_category(cp) == UTF8PROC_CATEGORY_ND))
        i += len;
    return i;
}

/* The apostrophe or hyphen a name is written with at s[i] ("O'Brien", "O’Brien", "Mary-Jane",
 * U+2010 ‐): as the tokenizer reads it ("'" or "-"), 0 for anything else; *len its bytes. */
static char joiner(const char *s, size_t n, size_t i, size_t *len)
{
    int32_t cp;
    *len = kd_utf8_decode(s + i, n - i, &cp);
    if (cp == '\'' || cp == 0x2019 || cp == 0x02BC)
        return '\'';
    if (cp == '-' || cp == 0x2010 || cp == 0x2011)
        return '-';
    return 0;
}

/* The end of the name at s[i]: a word, and more words each joined to it by an apostrophe or
 * a hyphen with a letter after it ("O'Brien", "Anne-Marie"; not "Jo -" or "Jo-"). */
static size_t name_end(const char *s, size_t n, size_t i)
{
    size_t e = word_end(s, n, i), len;
    int32_t cp;
    while (e < n && joiner(s, n, e, &len) && e + len < n && kd_utf8_decode(s + e + len, n - e - len, &cp) && letter(cp))
        e = word_end(s, n, e + len);
    return e;
}

/* Whether s[a..b) is a sign-off of kisses: "x", "xx", "XXX". */
static int kisses(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if ((s[i] | 0x20) != 'x')
            return 0;
    return b > a;
}

/* Where what follows a word at s[i] ends: blanks, kisses, "<3", emoji and symbols skipped. */
static size_t after(const char *s, size_t n, size_t i)
{
    for (;;) {
        int32_t cp;
        size_t len, e;
        if (i >= n)
            return i;
        if (s[i] == ' ' || s[i] == '\t')
            i++;
        else if (s[i] == '<' && i + 1 < n && s[i + 1] == '3')
            i += 2;
        else if (kisses(s, i, e = word_end(s, n, i)))
            i = e;
        else if ((unsigned char)s[i] >= 0x80 && (len = kd_utf8_decode(s + i, n - i, &cp)) && !letter(cp) &&
                 utf8proc_category(cp) != UTF8PROC_CATEGORY_ND)
            i += len;
        else
            return i;
    }
}

static int alnum(char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9'); }

/* Whether text may write the ASCII word w[0..n) as addressed() asks, by a quick test that
 * ends the test for most comments where it ended before names (their first word of their
 * own is no name): it is there as a word with a capital (any case after it), no word
 * follows it, and at the start of the text or of a sentence after "!" or "?" a comma or
 * what may be an emoji, a "<3" or kisses does; 2 where a name's second part may follow it,
 * joined by a hyphen or an apostrophe ("Mary-Jane"), 1 where not, 0 where it is no name. A
 * word not all of ASCII letters may be a name, of two parts too (its letters' cases are
 * Unicode's: "Ծ" is "ծ"). */
static int capitalised(const char *text, const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (w[k] < 'a' || w[k] > 'z') /* a word that is not all ASCII letters: addressed() says */
            return 2;
    for (const char *p = text; (p = strchr(p, w[0] - 'a' + 'A')); p++) {
        if ((p > text && alnum(p[-1])) || strncasecmp(p + 1, w + 1, n - 1) || alnum(p[n]) ||
            (p > text && (p[-1] == '-' || p[-1] == '\'')))
            continue; /* not the word, or the second part of a name ("Mary-Jane") */
        const char *q = p, *e = p + n;
        int goes_on = 0;
        if (*e == '-' || *e == '\'' || (unsigned char)*e == 0xE2 || (unsigned char)*e == 0xCA) { /* a name goes on? */
            const char *f = text + name_end(text, strlen(text), (size_t)(p - text));
            goes_on = f > e;
            e = f;
        }
        while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
        while (*e == ' ' || *e == '\t')
            e++;
        if (alnum(*e) && (*e | 0x20) != 'x')
            continue; /* a word after it: it does not end its clause */
        if ((q > text && !strchr("!?\n", q[-1])) || *e == ',' || (unsigned char)*e >= 0x80 || (*e | 0x20) == 'x' ||
            (*e == '<' && e[1] == '3')) /* a heart, which after() skips as it does an emoji */
            return 1 + goes_on;
    }
    return 0;
}

/* Whether the text ends with a sign-off of kisses ("Sending hugs, Mia x", "Thanks xx 💛",
 * "Thanks xx <3"). */
static int signed_off(const char *text)
{
    size_t n = strlen(text), last = n, last_end = n;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t len = kd_utf8_decode(text + i, n - i, &cp);
        if (text[i] == '<' && i + 1 < n && text[i + 1] == '3') { /* a heart after the kisses */
            i += 2;
        } else if (letter(cp) || utf8proc_category(cp) == UTF8PROC_CATEGORY_ND) {
            last = i;
            i = last_end = word_end(text, n, i);
        } else {
            i += len;
        }
    }
    return last < n && kisses(text, last, last_end) && after(text, n, last_end) == n;
}

/*
 * Whether text writes the word w (a lower-case token) as a name addressed: a capital, then
 * a lower-case letter; ending its clause, or followed by a comma (which it must be when it
 * is first in its sentence: there every word has a capital). A title before it is skipped
 * ("Dr. Patel" is not first in "Thanks Dr. Patel,").
 */
static int addressed(const char *text, const char *w)
{
    size_t n = strlen(text), wn = strlen(w);
    int initial = 1, titled = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t len = kd_utf8_decode(text + i, n - i, &cp), e;
        if (!letter(cp) && utf8proc_category(cp) != UTF8PROC_CATEGORY_ND) {
            if (cp == '!' || cp == '?' || cp == '\n' || (cp == '.' && !titled))
                initial = 1;
            if (cp != '.' && cp != ' ')
                titled = 0;
            i += len;
            continue;
        }
        e = name_end(text, n, i);
        if (title(text + i, e - i)) {
            titled = 1;
            i = e;
            continue;
        }
        /* the word, lower-cased, against w */
        size_t k = 0;
        int same = 1, capital = 0, lower = 0;
        for (size_t j = i; j < e && same; j += len) {
            char low[4], join = joiner(text, e, j, &len);
            len = kd_utf8_decode(text + j, e - j, &cp);
            utf8proc_category_t c = utf8proc_category(cp);
            if (j == i)
                capital = c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
            else
                lower |= c == UTF8PROC_CATEGORY_LL;
            size_t m = join ? (low[0] = join, 1) : kd_utf8_encode(utf8proc_tolower(cp), low);
            same = k + m <= wn && !memcmp(w + k, low, m);
            k += m;
        }
        if (same && k == wn && capital && lower) {
            size_t a = after(text, n, e);
            if (a < n && text[a] == ',')
                return 1;
            if (!initial && (a == n || strchr(".!?;:)\r\n", text[a])))
                return 1;
        }
        initial = titled = 0;
        i = e;
    }
    return 0;
}

int kd_generic_text(const kd_tokens *tok, const char *text, size_t name[KD_GENERIC_NAME_PARTS])
{
    pthread_once(&once, build);
    uint64_t seen[MAX_WORDS]; /* the distinct content words so far: a repeat adds none */
    int words = 0, praised = 0, link = 0, kiss = 0, parts = 1; /* parts: 2 if the name may have two */
    /* the words outside the vocabulary, if any: one name, or two parts of one ("Mary-Jane") */
    size_t other = KD_GENERIC_NO_NAME, second = KD_GENERIC_NO_NAME;
    if (name)
        name[0] = name[1] = KD_GENERIC_NO_NAME;
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
        if (!k) { /* a name, or kisses, when the text says so (below); one name */
            if (!text)
                return 0;
            if (s[0] == 'x' && kisses(s, 0, kd_tokens_len(tok, i))) {
                kiss = 1;
                continue;
            }
            if (other == KD_GENERIC_NO_NAME) {
                /* the test ends here for most comments, as it did before names: their
                 * first word of their own is not in the text as a name */
                if (!(parts = capitalised(text, s, kd_tokens_len(tok, i))))
                    return 0;
                other = i;
            } else if (tok->hash[other] != tok->hash[i]) {
                /* a second word of its own: the name's second part, when the first goes on
                 * (quick test above; the end checks) */
                if (parts < 2 || (second != KD_GENERIC_NO_NAME && tok->hash[second] != tok->hash[i]))
                    return 0;
                second = i;
            }
        }
        while (j < words && seen[j] != tok->hash[i])
            j++;
        if (j == words) {
            if (words == MAX_WORDS)
                return 0;
            seen[words++] = tok->hash[i];
        }
        praised |= k == 2;
    }
    if (!praised || (kiss && !signed_off(text)))
        return 0;
    if (other != KD_GENERIC_NO_NAME) {
        char joined[128]; /* "mary-jane": the two parts as the text joins them */
        const char *w = kd_tokens_str(tok, other);
        if (second != KD_GENERIC_NO_NAME) {
            size_t a = kd_tokens_len(tok, other), b = kd_tokens_len(tok, second);
            if (a + 1 + b >= sizeof joined)
                return 0;
            memcpy(joined, w, a);
            joined[a] = '-';
            memcpy(joined + a + 1, kd_tokens_str(tok, second), b + 1);
            w = joined;
        }
        if (!addressed(text, w))
            return 0;
        if (name)
            name[0] = other, name[1] = second;
    }
    return 1 + link;
}

int kd_generic(const kd_tokens *tok) { return kd_generic_text(tok, NULL, NULL); }
