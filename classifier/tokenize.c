/*
 * tokenize.c - split a comment into body words, word pairs, class and metadata tokens.
 *
 * Per text field: HTML (entities, tags; html.c) -> NFKC without case folding (normalize.c)
 * -> one left-to-right scan. Folding is deferred to each word so that a SHOUTED word can
 * still be seen as such ("ＦＲＥＥ" is NFKC "FREE": "#caps", then "free"). At each position
 * the scanner tries, in order: a URL with a scheme or "www." (its host may be an
 * internationalised name, "münchen.de", or %-escaped, "%65vil.com"; its path is ASCII); a phone number (>= 7 digits
 * in groups, "+44 7700 900123", "(555) 123-4567"; not one marked "No." by 第...号; a
 * reference number, "Invoice #1234567", "order 1234567", is "#num"); a word
 * or number, where an ASCII word followed by '.', '-' or '@' is first tried as an e-mail
 * address or a bare domain
 * ("murdev.com", "x.eu", "bit.ly/x": the last label must be in a TLD table of the common
 * generic and country domains, and TLDs that are English words - "to", "me", "in", "us",
 * "it", "no" - need a path, so "come.in" is not a link);
 * an emoji; punctuation. Each recogniser looks ahead a bounded way and either consumes
 * its text or leaves it to the next.
 *
 * Class tokens: "#emoji" (plus the emoji itself as a token: 😂 and 💰 say different
 * things), "#caps" for a word of >= 3 letters all upper case, "#repeat" for a letter or
 * symbol repeated >= 3 times ("soooo", "!!!", but not "..."), "#long" for a word of more
 * than max_len characters (code points, not bytes: a Russian or Thai word is as long as an
 * English one of as many letters; 0: no limit).
 *
 * Chinese, Japanese and Korean have no spaces to split on (Korean's mark phrases, not
 * words): a run of Han, kana or Hangul is read as its overlapping two-character words
 * ("快来购买" gives "快来", "来购", "购买"; a lone character is a word of its own), as
 * Lucene's CJK bigram filter does; they are not paired further. Before this a run was one
 * word, most of them "#long".
 *
 * Look-alike letters: a word that mixes Latin letters with Cyrillic or Greek ones that pass
 * for Latin letters ("vіаgrа" with a Cyrillic і and а, "ΝEW" with a Greek Ν) is a spammer's
 * disguise, not a language: the text is read with those letters as the Latin ones
 * (lookalike.c: "viagra", "NEW", capitals as capitals) before the scan, so that a disguised
 * link or e-mail address ("pаypаl.com") is one too, and a word, link or address that was
 * disguised also gives "#mixedscript". Words of one script are left as they are, and so are
 * letters without a Latin double ("500µg", "10kΩ").
 *
 * Numbers: every number gives "#num" ("#money" too when a currency sign touches it or it
 * ends in k: "£100", "1000€", "₿2", "5k", "500元", "50万円"). Numbers of at most 6 digits
 * are also kept as words (with their pairs): "2" and "4" stand for words in SMS, and
 * 5-digit shortcodes ("87121") recur across a spam campaign; longer numbers are mostly
 * one-off ids.
 *
 * Word pairs follow CRM114's orthogonal sparse bigrams (Siefkes et al., "Combining Winnow
 * and Orthogonal Sparse Bigrams for Incremental Spam Filtering", 2004): each word is paired
 * with each of the previous four, the gap written as "_" ("w1 w2", "w1 _ w3", ...), so
 * pairs=1 is the d=1 subset of pairs=2. A URL, e-mail or phone number breaks the chain.
 *
 * Speed: ASCII text without '<' or '&' is scanned in place (no copy, no allocation, no
 * utf8proc); tokens are written straight into kd_tokens' buffer, which grows by doubling;
 * a word and its adjacent pair are written, lower-cased and hashed in one pass (emit_word).
 */
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "html.h"
#include "lookalike.h"
#include "normalize.h"
#include "punycode.h"
#include "tokmap.h"

#define MAX_HOST 255
#define WINDOW 4 /* previous words paired with the current one (OSB window of 5) */

typedef struct word_ref {
    uint32_t off, len; /* a body word inside kd_tokens.buf */
    uint64_t fnv;      /* its FNV-1a state before the final mix (see fnv_byte() below) */
} word_ref;

typedef struct scan {
    kd_tokens *t;
    const kd_tokenize_options *o;
    size_t max_len;
    int rc;
    word_ref win[WINDOW]; /* the last body words, newest first */
    int nwin;
    kd_buf html, norm, fold, look; /* scratch */
    kd_mixed mixed;  /* where the text's disguised words are (kd_latin_reading) */
    size_t mix_next; /* the first of them the scan has not passed */
    /* word()'s tries of a domain beyond ASCII, so that a text of a megabyte without a blank
     * is read once, not a host name's length again at each '.' or '-' (scan_text() resets):
     * no such domain starts in [idn_from, idn_to) (idn_word_domain()), and
     * [asc_from, asc_to) is ASCII without a blank */
    size_t idn_from, idn_to, asc_from, asc_to;
} scan;

/* ---------------------------------------------------------------------------------------- */
/* kd_tokens */

void kd_tokens_clear(kd_tokens *t)
{
    t->len = 0;
    t->n = 0;
}

void kd_tokens_free(kd_tokens *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t->off);
    free(t->hash);
    *t = (kd_tokens)KD_TOKENS_INIT;
}

/* tok_room()'s slow path: grow the arrays for k more tokens and the buffer for b more
 * bytes; 0, or KD_ENOMEM. */
static int tok_grow(kd_tokens *t, size_t k, size_t b)
{
    if (k > t->ncap - t->n) {
        size_t cap = t->ncap ? t->ncap * 2 : 64;
        while (cap < t->n + k)
            cap *= 2;
        uint32_t *off = realloc(t->off, cap * sizeof *off);
        if (!off)
            return KD_ENOMEM;
        t->off = off;
        uint64_t *hash = realloc(t->hash, cap * sizeof *hash);
        if (!hash)
            return KD_ENOMEM;
        t->hash = hash;
        t->ncap = cap;
    }
    if (b > t->cap - t->len) {
        if (t->len + b > UINT32_MAX)
            return KD_ENOMEM;
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + b)
            cap *= 2;
        char *buf = realloc(t->buf, cap);
        if (!buf)
            return KD_ENOMEM;
        t->buf = buf;
        t->cap = cap;
    }
    return KD_OK;
}

/* Room for k more tokens of b bytes in all, their NULs counted: 0, or KD_ENOMEM. Inline:
 * there is room almost every time. */
static inline int tok_room(kd_tokens *t, size_t k, size_t b)
{
    if (k <= t->ncap - t->n && b <= t->cap - t->len)
        return KD_OK;
    return tok_grow(t, k, b);
}

/* Room for one more token of up to n bytes; returns where to write it, or NULL. */
static inline char *tok_begin(kd_tokens *t, size_t n)
{
    return tok_room(t, 1, n + 1) ? NULL : t->buf + t->len;
}

/* Finish the token of n bytes written at tok_begin()'s pointer; h is its kd_hash64(). */
static void tok_end_hash(kd_tokens *t, size_t n, uint64_t h)
{
    t->buf[t->len + n] = '\0';
    t->off[t->n] = (uint32_t)t->len;
    t->hash[t->n] = h;
    t->n++;
    t->len += n + 1;
}

static void tok_end(kd_tokens *t, size_t n) { tok_end_hash(t, n, kd_hash64(t->buf + t->len, n)); }

/*
 * kd_hash64() in two halves, FNV-1a and the final mix, so that a word pair's hash continues
 * from its first word's state instead of rehashing it, and a word is hashed while it is
 * folded. kd_hash64 is frozen (tokmap.h); test_tokenize checks that every token's hash
 * equals kd_hash64 of its text.
 */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv_byte(uint64_t h, char c) { return (h ^ (unsigned char)c) * FNV_PRIME; }

static uint64_t fnv_mix(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

int kd_tokens_push(kd_tokens *t, const char *s, size_t n)
{
    char *d = tok_begin(t, n);
    if (!d)
        return KD_ENOMEM;
    memcpy(d, s, n);
    tok_end(t, n);
    return KD_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* character classes */

enum { C_ALPHA = 1, C_DIGIT = 2, C_UPPER = 4, C_SPACE = 8, C_HOST = 16, C_OPEN = 32 };

/* ASCII classes; C_SPACE covers the control characters the ASCII path leaves in place,
 * C_HOST is a host name character (letter, digit, '-'), C_OPEN a sign that may open more
 * than punctuation ('+' and '(' a phone number, '#' and '*' a keycap, '(', '[', '{' and
 * '@' an address written out: scan_text() looks further only after one). Bytes >= 0x80
 * (the second half, left zero) have no class. */
static const unsigned char ascii_cls[256] = {
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,
     8,  0,  0, 32,  0,  0,  0,  0, 32,  0, 32, 32,  0, 16,  0,  0,
    18, 18, 18, 18, 18, 18, 18, 18, 18, 18,  0,  0,  0,  0,  0,  0,
    32, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21,
    21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 32,  0,  0,  0,  0,
     0, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
    17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 32,  0,  0,  0,  8,
};

static unsigned cls(unsigned char c) { return ascii_cls[c]; }
static int is_alpha(unsigned char c) { return cls(c) & C_ALPHA; }
static int is_digit(unsigned char c) { return cls(c) & C_DIGIT; }
static int is_alnum(unsigned char c) { return cls(c) & (C_ALPHA | C_DIGIT); }
static int is_space(unsigned char c) { return cls(c) & C_SPACE; }
static int host_char(unsigned char c) { return cls(c) & C_HOST; }
/* ASCII capitals lower-cased, every other byte as it is: one load a byte where the scan
 * folds a word. */
#define LC1(c) ((unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define LC4(c) LC1(c), LC1((c) + 1), LC1((c) + 2), LC1((c) + 3)
#define LC16(c) LC4(c), LC4((c) + 4), LC4((c) + 8), LC4((c) + 12)
#define LC64(c) LC16(c), LC16((c) + 16), LC16((c) + 32), LC16((c) + 48)
static const unsigned char lower_tab[256] = { LC64(0), LC64(64), LC64(128), LC64(192) };
static char to_lower(char c) { return (char)lower_tab[(unsigned char)c]; }

static int is_letter_cat(utf8proc_category_t k)
{
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_NO;
}

/* Decode at s[i] (valid UTF-8, or ASCII); non-ASCII invalid bytes decode as U+FFFD. */
static size_t decode(const char *s, size_t n, size_t i, int32_t *cp)
{
    if ((unsigned char)s[i] < 0x80) {
        *cp = (unsigned char)s[i];
        return 1;
    }
    size_t len = kd_utf8_decode(s + i, n - i, cp);
    if (*cp < 0)
        *cp = 0xFFFD;
    return len;
}

/* 1 if s[i..] starts a word: a letter, digit or mark (not an emoji). */
static int word_start(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    if ((unsigned char)s[i] < 0x80)
        return is_alnum(s[i]);
    int32_t cp;
    decode(s, n, i, &cp);
    return cp != 0x02BC && !kd_is_emoji(cp) && is_letter_cat(utf8proc_category(cp));
}

/* 1 if a word may go on at s[i..] after an apostrophe: a word start that is not Chinese,
 * Japanese or Korean (those are read apart, so "L'中国" is "l" and "中国", not "l'"). */
static int word_goes_on(const char *s, size_t n, size_t i)
{
    if (!word_start(s, n, i))
        return 0;
    int32_t cp;
    decode(s, n, i, &cp);
    return !kd_is_cjk(cp);
}

/* Length of a currency sign starting at s[i], or 0: $, £, ¥, every sign of Unicode's
 * Currency Symbols block (€ ₹ ₩ ₽ ₺ ₱ ₦ ₫ ₿ ...), and the units written after an amount
 * in Chinese, Japanese and Korean (元 円 원: "500元"). */
static size_t currency_at(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    if (s[i] == '$')
        return 1;
    if (n - i >= 2 && s[i] == '\xC2' && (s[i + 1] == '\xA3' || s[i + 1] == '\xA5'))
        return 2;
    if (n - i < 3)
        return 0;
    const unsigned char *u = (const unsigned char *)s + i;
    if (u[0] == 0xE2 && ((u[1] == 0x82 && u[2] >= 0xA0) || (u[1] == 0x83 && u[2] <= 0x80))) /* U+20A0..U+20C0 */
        return 3;
    if ((u[0] == 0xE5 && u[1] == 0x85 && u[2] == 0x83) || (u[0] == 0xE5 && u[1] == 0x86 && u[2] == 0x86) ||
        (u[0] == 0xEC && u[1] == 0x9B && u[2] == 0x90)) /* 元 円 원 */
        return 3;
    return 0;
}

/* Length of a multiplier written between an amount and its unit ("50万円", "5만원"): 百 千 万
 * 亿 億 만, or 0. */
static size_t multiplier_at(const char *s, size_t n, size_t i)
{
    static const char *const m[] = { "\xE7\x99\xBE", "\xE5\x8D\x83", "\xE4\xB8\x87",
                                     "\xE4\xBA\xBF", "\xE5\x84\x84", "\xEB\xA7\x8C" };
    if (i >= n || n - i < 3)
        return 0;
    for (size_t k = 0; k < sizeof m / sizeof *m; k++)
        if (!memcmp(s + i, m[k], 3))
            return 3;
    return 0;
}

/* 1 if a currency sign ends just before s[i]. The units 元 円 원 count after an amount only:
 * before one they end words ("公元2024年", the year; "회원3명", three members). */
static int currency_before(const char *s, size_t i)
{
    if (i >= 1 && s[i - 1] == '$')
        return 1;
    if (i >= 2 && currency_at(s, i, i - 2) == 2)
        return 1;
    return i >= 3 && (unsigned char)s[i - 3] == 0xE2 && currency_at(s, i, i - 3) == 3;
}

/* ---------------------------------------------------------------------------------------- */
/* emitting */

static void push(scan *sc, const char *s, size_t n)
{
    if (!sc->rc && kd_tokens_push(sc->t, s, n))
        sc->rc = KD_ENOMEM;
}

static void push_lit(scan *sc, const char *s) { push(sc, s, strlen(s)); }

/* prefix + s[0..n) with ASCII letters lower-cased (hosts, domains). */
static void push_lower(scan *sc, const char *prefix, const char *s, size_t n)
{
    if (sc->rc)
        return;
    size_t p = strlen(prefix);
    char *d = tok_begin(sc->t, p + n);
    if (!d) {
        sc->rc = KD_ENOMEM;
        return;
    }
    memcpy(d, prefix, p);
    for (size_t i = 0; i < n; i++)
        d[p + i] = (char)to_lower(s[i]);
    tok_end(sc->t, p + n);
}

/* Pairs ending at the body word w, then w joins the window. */
static void pairs(scan *sc, word_ref w)
{
    int reach = sc->o->pairs == 2 ? WINDOW : sc->o->pairs == 1 ? 1 : 0;
    for (int d = 0; d < reach && d < sc->nwin && !sc->rc; d++) {
        word_ref a = sc->win[d];
        size_t n = a.len + 1 + 2 * (size_t)d + w.len;
        char *p = tok_begin(sc->t, n);
        if (!p) {
            sc->rc = KD_ENOMEM;
            return;
        }
        const char *buf = sc->t->buf; /* after tok_begin: it may have moved */
        memcpy(p, buf + a.off, a.len);
        /* the rest is hashed as it is written, continuing from a's state */
        uint64_t h = a.fnv;
        size_t k = a.len;
        h = fnv_byte(h, p[k++] = ' ');
        for (int g = 0; g < d; g++) {
            h = fnv_byte(h, p[k++] = '_');
            h = fnv_byte(h, p[k++] = ' ');
        }
        for (uint32_t i = 0; i < w.len; i++)
            h = fnv_byte(h, p[k++] = buf[w.off + i]);
        tok_end_hash(sc->t, n, fnv_mix(h));
    }
    if (reach) { /* the window is as wide as the reach: one word for adjacent pairs */
        for (int d = reach - 1; d > 0; d--)
            sc->win[d] = sc->win[d - 1];
        sc->win[0] = w;
        if (sc->nwin < reach)
            sc->nwin++;
    }
}

static void break_pairs(scan *sc) { sc->nwin = 0; }

/* Whether a disguised word (kd_latin_reading: its first letter read as Latin) lies in
 * s[i..e), which the caller consumes: the scan goes left to right, so each offset is passed
 * once. */
static int disguised(scan *sc, size_t i, size_t e)
{
    int found = 0;
    while (sc->mix_next < sc->mixed.n && sc->mixed.at[sc->mix_next] < e)
        found |= sc->mixed.at[sc->mix_next++] >= i;
    return found;
}

/*
 * The body word s[0..n), lower-cased, then its pairs. With adjacent pairs (the default)
 * the pair with the word before is written in the same pass as the word: each byte is
 * lower-cased once and goes into both tokens, each hash running on (the pair's from the
 * word before's FNV state).
 */
static void emit_word(scan *sc, const char *s, size_t n)
{
    kd_tokens *t = sc->t;
    int pair = sc->o->pairs == 1 && sc->nwin;
    word_ref a = sc->win[0];
    size_t an = pair ? a.len + 1 : 0; /* the pair's first word and its space */
    /* the word, and the pair with 8 bytes to spare (below) */
    if (tok_room(t, 1 + (size_t)pair, n + 1 + (pair ? an + n + 1 + 8 : 0))) {
        sc->rc = KD_ENOMEM;
        return;
    }
    char *d = t->buf + t->len;
    uint64_t h = FNV_OFFSET;
    word_ref w = { (uint32_t)t->len, (uint32_t)n, 0 };
    if (!pair) {
        for (size_t i = 0; i < n; i++)
            h = fnv_byte(h, d[i] = to_lower(s[i]));
        w.fnv = h;
        tok_end_hash(t, n, fnv_mix(h));
        pairs(sc, w);
        return;
    }
    char *p = d + n + 1, *q = p + an;
    const char *pa = t->buf + a.off;
    /* the word before, 8 bytes at once when it is that short (most are: one move, no call);
       the room asked for has 8 bytes to spare, and what is copied past the word is written
       over below or lies past the last token */
    if (a.len <= 8)
        memcpy(p, pa, 8);
    else
        memcpy(p, pa, a.len);
    p[a.len] = ' ';
    uint64_t hp = fnv_byte(a.fnv, ' ');
    for (size_t i = 0; i < n; i++) {
        char c = to_lower(s[i]);
        d[i] = q[i] = c;
        h = fnv_byte(h, c);
        hp = fnv_byte(hp, c);
    }
    d[n] = q[n] = '\0';
    /* both tokens' places and hashes at once (tok_end_hash() twice would reload t's fields
       after every byte stored: a char store may alias them) */
    uint32_t *off = t->off + t->n;
    uint64_t *hash = t->hash + t->n;
    off[0] = w.off;
    off[1] = (uint32_t)(w.off + n + 1);
    hash[0] = fnv_mix(h);
    hash[1] = fnv_mix(hp);
    t->n += 2;
    t->len += n + 1 + an + n + 1;
    w.fnv = h;
    sc->win[0] = w;
}

/* A word beyond ASCII folded through utf8proc (NFKC, case folded), "’" as "'", into
 * sc->fold: 0, or KD_ENOMEM. Out of body_word() so that the ASCII words' path stays small.
 * KD_NORM_PLAIN drops the stray mark that case folding leaves: "İ" (U+0130) folds to "i" and
 * a dot above that composes with nothing, so "İstanbul" would not be "istanbul" (the text
 * was read plain already: no other word changes). */
static int fold_word(scan *sc, const char *s, size_t n)
{
    kd_buf_clear(&sc->fold);
    if (kd_normalize(s, n, KD_NORM_FOLD | KD_NORM_NFKC | KD_NORM_PLAIN, &sc->fold))
        return KD_ENOMEM;
    char *f = sc->fold.s;
    size_t k = 0;
    for (size_t i = 0; i < sc->fold.len; i++) {
        if (f[i] == '\xE2' && i + 2 < sc->fold.len && f[i + 1] == '\x80' && f[i + 2] == '\x99')
            i += 2, f[k++] = '\''; /* U+2019 */
        else if (f[i] == '\xCA' && i + 1 < sc->fold.len && f[i + 1] == '\xBC')
            i += 1, f[k++] = '\''; /* U+02BC */
        else
            f[k++] = f[i];
    }
    sc->fold.len = k;
    return KD_OK;
}

/* The code points of the UTF-8 text s[0..n): its bytes but the continuation bytes. Out of
 * line: body_word() is inlined in word()'s ASCII path, where an ASCII word's bytes are its
 * code points. */
static __attribute__((noinline)) size_t code_points(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* A body word s[0..n): lower-cased (ASCII) or folded (fold_word), then emitted. */
static void body_word(scan *sc, const char *s, size_t n, int ascii)
{
    if (sc->rc)
        return;
    if (!ascii) {
        if ((sc->rc = fold_word(sc, s, n)))
            return;
        s = sc->fold.s;
        n = sc->fold.len;
    }
    if (sc->max_len && n > sc->max_len) {
        if (ascii || code_points(s, n) > sc->max_len) {
            push_lit(sc, "#long");
            return;
        }
    }
    emit_word(sc, s, n);
}

/* ---------------------------------------------------------------------------------------- */
/* links, addresses, numbers */

/* The top-level domains of a bare link: the common generic ones, those spam favours, the
 * country domains of the European Union and of the largest countries online, and those of
 * the link shorteners. A domain
 * that is an English word or abbreviation ("co", "me", "it", "no", "is", "my", "hr", "pt")
 * needs a path, so that two words run together over a full stop ("pain.it", "yes.no") are
 * no link; domains that are file extensions too ("py", "sh", "md", "rs"), units ("ml",
 * "mg") or common words ("so") are left out. */
static const struct tld {
    char name[8]; /* NUL-padded: compared as one 8-byte word */
    int needs_path; /* an English word: only a link when a '/' follows */
} tlds[] = {
    { "com", 0 }, { "net", 0 }, { "org", 0 }, { "info", 0 }, { "biz", 0 }, { "io", 0 },
    { "co", 1 },  { "uk", 0 },  { "de", 0 },  { "ru", 0 },   { "me", 1 },  { "ly", 0 },
    { "tk", 0 },  { "xyz", 0 }, { "top", 1 }, { "site", 1 }, { "online", 1 },
    { "shop", 1 }, { "store", 1 }, { "club", 1 }, { "app", 1 }, { "to", 1 }, { "tv", 0 },
    { "us", 1 },  { "ca", 0 },  { "au", 0 },  { "in", 1 },   { "be", 1 },
    { "edu", 0 }, { "gov", 0 }, { "cc", 0 },  { "ws", 0 },   { "su", 0 },
    /* the European Union and its members (.de and .be above) */
    { "eu", 0 },  { "fr", 0 },  { "nl", 0 },  { "es", 0 },   { "pl", 0 },  { "pt", 1 },
    { "se", 0 },  { "dk", 0 },  { "fi", 0 },  { "cz", 0 },   { "sk", 0 },  { "hu", 0 },
    { "ro", 0 },  { "bg", 0 },  { "gr", 0 },  { "ie", 0 },   { "lt", 0 },  { "lv", 0 },
    { "ee", 0 },  { "si", 0 },  { "hr", 1 },  { "lu", 0 },   { "cy", 0 },  { "mt", 1 },
    { "at", 1 },  { "it", 1 },
    /* other countries */
    { "ch", 0 },  { "no", 1 },  { "is", 1 },  { "ua", 0 },   { "by", 1 },  { "tr", 0 },
    { "il", 0 },  { "jp", 0 },  { "cn", 0 },  { "kr", 0 },   { "tw", 0 },  { "hk", 0 },
    { "sg", 0 },  { "my", 1 },  { "id", 1 },  { "vn", 0 },   { "nz", 0 },  { "za", 0 },
    { "ng", 0 },  { "br", 0 },  { "mx", 0 },  { "ar", 0 },   { "cl", 0 },  { "kz", 0 },
    /* link shorteners' (those of bit.ly, t.co, amzn.to, youtu.be, wa.me, tiny.cc, lnkd.in
     * are above): goo.gl, is.gd, rb.gy, gg.gg, bit.do, ift.tt, shorte.st, bc.vc, j.mp; a
     * short link always has a path, and "gl", "gg", "do", "st" are words or abbreviations */
    { "gl", 1 },  { "gd", 1 },  { "gy", 1 },  { "gg", 1 },   { "do", 1 },  { "tt", 1 },
    { "st", 1 },  { "vc", 1 },  { "mp", 1 },
};

/* -1 not a TLD, 0 a TLD, 1 a TLD that needs a path. s is lower-cased into a NUL-padded
 * word of 8 bytes and compared with each name as one; a name has letters only, so anything
 * else in s (a digit, a NUL, a byte beyond ASCII) is no TLD. */
static int tld_kind(const char *s, size_t n)
{
    char key[8] = { 0 };
    if (n >= sizeof key)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!is_alpha((unsigned char)s[i]))
            return -1;
        key[i] = to_lower(s[i]);
    }
    uint64_t k8;
    memcpy(&k8, key, 8);
    for (size_t k = 0; k < sizeof tlds / sizeof *tlds; k++) {
        uint64_t t8;
        memcpy(&t8, tlds[k].name, 8);
        if (t8 == k8)
            return tlds[k].needs_path;
    }
    return -1;
}

int kd_tld_kind(const char *s, size_t n) { return tld_kind(s, n); }

/* Labels "a.b.c" from s[i]: returns the end and sets the last label's start, or 0. No host
 * is longer than MAX_HOST: a longer run ("a.a.a..." for a megabyte) is no domain, and the
 * bound keeps the scan, tried again at each label of such a run, linear in the text. */
static size_t domain_end(const char *s, size_t n, size_t i, size_t *last)
{
    size_t j = i, labels = 0;
    for (;;) {
        size_t k = j;
        while (k < n && host_char(s[k]) && k - i <= MAX_HOST)
            k++;
        if (k == j || k - i > MAX_HOST)
            return 0;
        labels++;
        *last = j;
        if (k + 1 < n && s[k] == '.' && host_char(s[k + 1])) {
            j = k + 1;
            continue;
        }
        return labels >= 2 ? k : 0;
    }
}

/* The end of a URL's path starting at s[i]: up to white space or a delimiter, without
 * trailing punctuation (and a ')' the URL did not open). A ']' the URL did not open ends
 * it where it stands: BBCode's "[url=http://host/x]anchor text[/url]", where the anchor
 * text is words of the comment, not more of the link ("?a[]=1" opens its own). */
static size_t path_end(const char *s, size_t n, size_t i, size_t start)
{
    size_t e = i, brackets = 0;
    while (e < n && (unsigned char)s[e] > ' ' && (unsigned char)s[e] < 0x7F &&
           !strchr("<>\"'`{}|\\^", s[e])) {
        if (s[e] == '[')
            brackets++;
        else if (s[e] == ']' && !brackets--)
            break;
        e++;
    }
    /* a '(' in the URL is never trimmed (not in the set below), so whether there is one is
     * asked once: asked per trailing ')' it made a run of them quadratic */
    int opened = -1;
    while (e > i) {
        char c = s[e - 1];
        if (c == ')' && opened < 0)
            opened = memchr(s + start, '(', e - start) != NULL;
        if (strchr(".,;:!?*]", c) || (c == ')' && !opened))
            e--;
        else
            break;
    }
    return e;
}

/*
 * emit_host() for the host h[0..n) that has a label "xn--...", or an e-mail domain's
 * (email:, e:): read as it is written (punycode.c: "xn--mnchen-3ya.de" is "münchen.de"),
 * so that both spellings give one token;
 * in a link of the text ("url:") a Latin name it disguises is read as Latin, with
 * "#mixedscript", as the text around it was (lookalike.c: "xn--pypal-4ve.com" is
 * "pаypal.com", read "paypal.com"); then folded, as emit_host_folded() folds. Rare: its
 * scratch buffers are its own.
 */
static void emit_ace_host(scan *sc, const char *prefix, const char *h, size_t n)
{
    kd_buf dec = KD_BUF_INIT, nfkc = KD_BUF_INIT, look = KD_BUF_INIT, fold = KD_BUF_INIT;
    kd_mixed mixed = KD_MIXED_INIT;
    int latin = 0, rc = kd_buf_puts(&dec, "//"); /* a host, for kd_latin_reading() */
    if (!rc)
        rc = kd_punycode_host(h, n, &dec);
    if (rc <= 0) { /* no label decodes: the host as it is */
        if (!rc)
            push_lower(sc, prefix, h, n);
        goto done;
    }
    const char *r = dec.s;
    size_t rn = dec.len;
    if (!strcmp(prefix, "url:")) {
        if ((rc = kd_normalize(r, rn, KD_NORM_NFKC, &nfkc)))
            goto done;
        r = nfkc.s;
        rn = nfkc.len;
        if (kd_lookalike_maybe(r, rn) && (rc = kd_latin_reading(r, rn, &look, &mixed)) < 0)
            goto done;
        if (rc > 0) {
            r = look.s;
            rn = look.len;
            latin = mixed.n > 0;
        }
    }
    if ((rc = kd_normalize(r, rn, KD_NORM_DEFAULT, &fold)))
        goto done;
    if (fold.len > 2 && fold.len - 2 <= MAX_HOST)
        push_lower(sc, prefix, fold.s + 2, fold.len - 2);
    if (latin)
        push_lit(sc, "#mixedscript");
    rc = KD_OK;
done:
    if (rc < 0)
        sc->rc = rc;
    kd_buf_free(&dec);
    kd_buf_free(&nfkc);
    kd_buf_free(&look);
    kd_buf_free(&fold);
    kd_mixed_free(&mixed);
}

/* "#url" and "url:<host>" for the host s[0..n) (a "www." prefix and a final dot dropped). */
static void emit_host(scan *sc, const char *prefix, const char *h, size_t n)
{
    while (n && h[n - 1] == '.')
        n--;
    if (n > 4 && to_lower(h[0]) == 'w' && to_lower(h[1]) == 'w' && to_lower(h[2]) == 'w' &&
        h[3] == '.') {
        h += 4;
        n -= 4;
    }
    if (!n || n > MAX_HOST)
        return;
    if (kd_punycode_maybe(h, n))
        emit_ace_host(sc, prefix, h, n);
    else
        push_lower(sc, prefix, h, n);
}

/* Whether c may be part of a URL's host as url_host() reads it. */
static int url_host_byte(char c)
{
    return (unsigned char)c >= 0x80 || host_char(c) || c == '.' || c == '_';
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* Whether s[i..n) starts a %-escape: '%' and two hex digits. */
static int escape_at(const char *s, size_t n, size_t i)
{
    return n - i >= 3 && s[i] == '%' && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0;
}

/* The host of an absolute or scheme-less URL u[0..n). */
static const char *url_host(const char *u, size_t n, size_t *hn)
{
    const char *p = u, *end = u + n;
    for (const char *q = u; q + 3 < end && (host_char(*q) || *q == '+' || *q == '.'); q++)
        if (q[1] == ':' && q[2] == '/' && q[3] == '/') {
            p = q + 4;
            break;
        }
    const char *a = p;
    while (a < end && *a != '/' && *a != '?' && *a != '#')
        a++;
    for (const char *q = p; q < a; q++) /* user:pass@host */
        if (*q == '@')
            p = q + 1;
    const char *v6 = p < a && *p == '[' ? memchr(p, ']', (size_t)(a - p)) : NULL;
    if (v6) { /* an IPv6 address, "[2001:db8::1]": the host is what the brackets hold */
        *hn = (size_t)(v6 - p - 1);
        return p + 1;
    }
    /* the host: its letters, digits, '-' and dots (an internationalised name's bytes are
     * >= 0x80; '_' is not valid but is seen; '%' starts an escape, emit_host_folded()
     * decodes it); it ends at the port's ':' and at anything else: "http://x.com[/url]"
     * is x.com */
    const char *h = p;
    while (h < a && (url_host_byte(*h) || *h == '%'))
        h++;
    *hn = (size_t)(h - p);
    return p;
}

/* emit_host() for a host that may hold non-ASCII letters (an internationalised name as
 * written, "münchen.de", or raw metadata): those are case-folded through the normaliser,
 * which also keeps invalid UTF-8 out of every token. */
static void emit_host_folded(scan *sc, const char *prefix, const char *h, size_t n)
{
    char dec[MAX_HOST + 1];
    if (memchr(h, '%', n)) { /* "%65vil.com": the host a browser opens, evil.com (the URL
                                standard decodes a host's escapes); it ends at an escape
                                that is none, or at what no host holds ("a%2fb": a) */
        size_t k = 0, d = 0;
        while (k < n && d < sizeof dec) {
            char c = h[k];
            if (c == '%' && !escape_at(h, n, k))
                break;
            if (c == '%') {
                c = (char)(hex_digit(h[k + 1]) * 16 + hex_digit(h[k + 2]));
                k += 2;
            }
            if (!url_host_byte(c))
                break;
            dec[d++] = c;
            k++;
        }
        h = dec;
        n = d;
    }
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)h[k] >= 0x80) {
            kd_buf_clear(&sc->fold);
            if (kd_normalize(h, n, KD_NORM_DEFAULT, &sc->fold)) {
                sc->rc = KD_ENOMEM;
                return;
            }
            h = sc->fold.s;
            n = sc->fold.len;
            break;
        }
    emit_host(sc, prefix, h, n);
}

/* Whether s[i..] starts a letter of an internationalised host name: a non-ASCII letter,
 * mark or digit, not Chinese, Japanese or Korean (text in those often follows a link
 * without a space) nor an emoji. Its length in *len. */
static int idn_char(const char *s, size_t n, size_t i, size_t *len)
{
    int32_t cp;
    *len = decode(s, n, i, &cp);
    return !kd_is_emoji(cp) && !kd_is_cjk(cp) && is_letter_cat(utf8proc_category(cp));
}

/* domain_end() for a domain whose labels may hold letters beyond ASCII (idn_char()), an
 * internationalised name as written: "münchen.de", "пример.рф". */
static size_t idn_domain_end(const char *s, size_t n, size_t i, size_t *last)
{
    size_t j = i, labels = 0, len;
    for (;;) {
        size_t k = j;
        while (k < n && k - i <= MAX_HOST &&
               ((unsigned char)s[k] < 0x80 ? host_char(s[k]) : idn_char(s, n, k, &len)))
            k += (unsigned char)s[k] < 0x80 ? 1 : len;
        if (k == j || k - i > MAX_HOST)
            return 0;
        labels++;
        *last = j;
        if (k + 1 < n && s[k] == '.' &&
            ((unsigned char)s[k + 1] < 0x80 ? host_char(s[k + 1]) : idn_char(s, n, k + 1, &len))) {
            j = k + 1;
            continue;
        }
        return labels >= 2 ? k : 0;
    }
}

/* The end of a URL whose authority starts at s[body] (start: where the URL starts). */
static size_t url_end(const char *s, size_t n, size_t body, size_t start)
{
    size_t e = path_end(s, n, body, start), len;
    /* path_end() stops at the first non-ASCII byte; in the host that is an internationalised
     * name ("http://münchen.de/x", "http://caf\u00e9.example", "http://пример.рф"): read on
     * through its labels, then the path. A label that starts with one follows a dot, which
     * path_end() trimmed as a sentence's ("http://example.рф/x"). */
    size_t x = e < n && s[e] == '.' && e + 1 < n ? e + 1 : e;
    if (x >= n || (unsigned char)s[x] < 0x80 || !idn_char(s, n, x, &len))
        return e;
    for (size_t k = body; k < e; k++)
        if (s[k] == '/' || s[k] == '?' || s[k] == '#')
            return e;
    size_t k = x;
    while (k < n && k - body <= MAX_HOST) {
        if ((unsigned char)s[k] < 0x80 ? host_char(s[k]) || s[k] == '.' : idn_char(s, n, k, &len))
            k += (unsigned char)s[k] < 0x80 ? 1 : len;
        else
            break;
    }
    if (k < n && s[k] && strchr("/?#:", s[k]))
        return path_end(s, n, k, k);
    while (k > x && s[k - 1] == '.') /* a sentence's full stop */
        k--;
    return k;
}

/* Whether a host starts at s[i]: an ASCII letter or digit, or a letter of an
 * internationalised name ("http://пример.рф"). */
static int host_start(const char *s, size_t n, size_t i)
{
    size_t len;
    return host_char(s[i]) || ((unsigned char)s[i] >= 0x80 && idn_char(s, n, i, &len));
}

/* A URL with a scheme or "www." at s[i]: returns its end, or 0. */
static size_t try_url(scan *sc, const char *s, size_t n, size_t i)
{
    size_t body;
    if (n - i > 7 && to_lower(s[i]) == 'h' && to_lower(s[i + 1]) == 't' &&
        to_lower(s[i + 2]) == 't' && to_lower(s[i + 3]) == 'p') {
        size_t j = i + 4 + (to_lower(s[i + 4]) == 's');
        if (n - j < 4 || memcmp(s + j, "://", 3) != 0 ||
            !(host_start(s, n, j + 3) || s[j + 3] == '[' || escape_at(s, n, j + 3))) /* '[': an IPv6 address */
            return 0;
        body = j + 3;
    } else if (n - i > 4 && to_lower(s[i]) == 'w' && to_lower(s[i + 1]) == 'w' &&
               to_lower(s[i + 2]) == 'w' && s[i + 3] == '.' &&
               (host_start(s, n, i + 4) || escape_at(s, n, i + 4))) {
        body = i;
    } else {
        return 0;
    }
    size_t e = url_end(s, n, body, i);
    size_t hn;
    const char *h = url_host(s + body, e - body, &hn);
    break_pairs(sc);
    push_lit(sc, "#url");
    emit_host_folded(sc, "url:", h, hn);
    if (disguised(sc, i, e))
        push_lit(sc, "#mixedscript");
    return e;
}

/* A bare domain "name.tld" (with an optional path) at s[i]: returns its end, or 0. With
 * idn, one written as it reads, "bücher.de", "аптека.ru/x": labels with letters beyond
 * ASCII (one at least: an ASCII name is read without idn) under a top-level domain of the
 * table ("Сорос.pdf" and "пример.рф" are words). */
static inline __attribute__((always_inline)) size_t try_domain(scan *sc, const char *s, size_t n, size_t i, int idn)
{
    size_t last, e = idn ? idn_domain_end(s, n, i, &last) : domain_end(s, n, i, &last), k = i;
    /* "name@..." is an address; "train.info()" is a method called in code, not a link */
    if (!e || (e < n && (s[e] == '@' || s[e] == '(')))
        return 0;
    while (idn && k < last && (unsigned char)s[k] < 0x80)
        k++;
    if (idn && k == last)
        return 0;
    int kind = tld_kind(s + last, e - last);
    if (kind < 0 || (kind == 1 && (e >= n || s[e] != '/')))
        return 0;
    size_t end = e < n && s[e] == '/' ? path_end(s, n, e, i) : e;
    break_pairs(sc);
    push_lit(sc, "#url");
    if (idn)
        emit_host_folded(sc, "url:", s + i, e - i);
    else
        emit_host(sc, "url:", s + i, e - i);
    if (disguised(sc, i, end))
        push_lit(sc, "#mixedscript");
    return end;
}

static int local_char(char c) { return is_alnum((unsigned char)c) || (c && strchr("._%+-", c)); }

/* The end of the marker w ("at", "dot") written for '@' or '.' at s[k], "(at)", "[dot]",
 * "{AT}": any case, one space or none around it and inside its brackets; or 0. */
static size_t marker_end(const char *s, size_t n, size_t k, const char *w)
{
    k += k < n && s[k] == ' ';
    if (k >= n)
        return 0;
    char close = s[k] == '(' ? ')' : s[k] == '[' ? ']' : s[k] == '{' ? '}' : 0;
    if (!close)
        return 0;
    k++;
    k += k < n && s[k] == ' ';
    for (; *w; w++, k++)
        if (k >= n || to_lower(s[k]) != *w)
            return 0;
    k += k < n && s[k] == ' ';
    if (k >= n || s[k] != close)
        return 0;
    k++;
    return k + (k < n && s[k] == ' ');
}

/*
 * The domain of an address written out ("gmail (dot) com", "yahoo[dot]co.uk") at s[k]:
 * labels joined by '.' or a "dot" marker (marker_end()), the last a top-level domain
 * (tld_kind()), a marker among them or (marked) before them. Writes it, lower-cased and
 * with real dots, to d[0..MAX_HOST] and its length to *dn; returns its end, or 0.
 */
static size_t marked_domain(const char *s, size_t n, size_t k, int marked, char *d, size_t *dn)
{
    size_t len = 0, labels = 0, last = 0, end;
    for (;;) {
        size_t a = k, dot = labels > 0;
        if (len + dot >= MAX_HOST)
            return 0;
        while (k < n && host_char(s[k]) && len + dot + (k - a) < MAX_HOST)
            k++;
        if (k == a || (k < n && host_char(s[k]))) /* no label, or past MAX_HOST: each marker
                                                     before a long run reads no more of it */
            return 0;
        if (labels++)
            d[len++] = '.';
        last = len;
        for (; a < k; a++)
            d[len++] = to_lower(s[a]);
        end = k;
        size_t m;
        if (k + 1 < n && s[k] == '.' && host_char(s[k + 1]))
            k++;
        else if ((m = marker_end(s, n, k, "dot")))
            k = m, marked = 1;
        else
            break;
    }
    if (labels < 2 || !marked || tld_kind(d + last, len - last) < 0)
        return 0;
    *dn = len;
    return end;
}

/* An address written out, its "at" at s[i] ('@' or a marker) after a name that was read as
 * a word ("name (at) gmail (dot) com", "name[at]gmail.com", "name@gmail (dot) com"): the
 * tokens of try_email(). Returns its end, or 0. (try_email() does not call it: a call
 * there made word(), where try_email() is inlined, slower for every word.) */
static size_t try_marked_email(scan *sc, const char *s, size_t n, size_t i)
{
    size_t b = i, k, e, dn;
    char d[MAX_HOST + 1];
    if (s[i] != '@' && b > 1 && s[b - 1] == ' ') /* a space before a marker */
        b--;
    if (b == 0 || !is_alnum(s[b - 1]))
        return 0;
    if (s[i] == '@')
        k = i + 1;
    else if (!(k = marker_end(s, n, i, "at")))
        return 0;
    if (!(e = marked_domain(s, n, k, s[i] != '@', d, &dn)))
        return 0;
    break_pairs(sc);
    push_lit(sc, "#email");
    push_lower(sc, "email:", d, dn);
    if (disguised(sc, i, e))
        push_lit(sc, "#mixedscript");
    return e;
}

/* An e-mail address at s[i]: returns its end, or 0. */
static size_t try_email(scan *sc, const char *s, size_t n, size_t i)
{
    /* a local part has at most 64 characters (RFC 5321): the bound keeps a long run of
     * them ("a_a_a..."), tried again at each word, linear */
    size_t j = i;
    while (j < n && local_char(s[j]) && j - i < 64)
        j++;
    if (j >= n || s[j] != '@')
        return 0;
    size_t last, e = domain_end(s, n, j + 1, &last);
    int idn = 0;
    if ((!e || e - last < 2 || !is_alpha(s[last])) && (e = idn_domain_end(s, n, j + 1, &last)))
        idn = 1; /* "info@münchen.de", "info@пример.рф": tried only where ASCII makes none */
    if (!e || e - last < 2 || !(is_alpha(s[last]) || (idn && (unsigned char)s[last] >= 0x80)))
        return 0;
    break_pairs(sc);
    push_lit(sc, "#email");
    if (kd_punycode_maybe(s + j + 1, e - j - 1)) { /* "xn--mnchen-3ya.de": münchen.de */
        emit_ace_host(sc, "email:", s + j + 1, e - j - 1);
    } else if (idn) { /* folded as the author's e-mail domain is (email()) */
        kd_buf_clear(&sc->fold);
        if ((sc->rc = kd_normalize(s + j + 1, e - j - 1, KD_NORM_DEFAULT, &sc->fold)))
            return e;
        push_lower(sc, "email:", sc->fold.s, sc->fold.len);
    } else {
        push_lower(sc, "email:", s + j + 1, e - j - 1);
    }
    if (disguised(sc, i, e))
        push_lit(sc, "#mixedscript");
    return e;
}

/* Whether the number s[i..e) is marked as an ordinal or a serial number ("No. ...") by the
 * Chinese, Japanese or Korean character that touches it: 第 or 제 before it, 号, 號 or 호
 * after it ("第1234567号", "제1234567호"). Such a number is no phone number, however many
 * digits it has; other characters before one (电话13812345678, "telephone") say nothing. */
static int ordinal_number(const char *s, size_t n, size_t i, size_t e)
{
    static const char before[][4] = { "\xE7\xAC\xAC", "\xEC\xA0\x9C" };                 /* 第 제 */
    static const char after[][4] = { "\xE5\x8F\xB7", "\xE8\x99\x9F", "\xED\x98\xB8" }; /* 号 號 호 */
    for (size_t k = 0; k < sizeof before / sizeof *before; k++)
        if (i >= 3 && !memcmp(s + i - 3, before[k], 3))
            return 1;
    for (size_t k = 0; k < sizeof after / sizeof *after; k++)
        if (n - e >= 3 && !memcmp(s + e, after[k], 3))
            return 1;
    return 0;
}

/* Whether s[a..b) is, in any case, one of the words of the NULL-ended list w. */
static int word_in(const char *s, size_t a, size_t b, const char *const *w)
{
    for (; *w; w++) {
        size_t k = 0;
        while (a + k < b && (*w)[k] && to_lower(s[a + k]) == (*w)[k])
            k++;
        if (a + k == b && !(*w)[k])
            return 1;
    }
    return 0;
}

/* The ASCII word that ends at s[e] (after blanks, and a '.' or ':' after the word when
 * dots): its start in *a, its end returned; *a == the end when there is none, or when the
 * word is the end of a longer one ("reorder", "casino": a digit or a letter beyond ASCII
 * before it). */
static size_t word_before(const char *s, size_t e, int dots, size_t *a)
{
    while (e && s[e - 1] == ' ')
        e--;
    if (dots && e && (s[e - 1] == '.' || s[e - 1] == ':'))
        e--;
    size_t j = e;
    while (j && is_alpha(s[j - 1]))
        j--;
    *a = j && (is_digit(s[j - 1]) || (unsigned char)s[j - 1] >= 0x80) ? e : j;
    return e;
}

/*
 * Whether the number at s[i] is a reference number by what comes before it: a '#'
 * ("#1234567", "Invoice #1234567", "Ticket # 555-123-4567"); "order", "invoice", "ticket",
 * "tracking", "ref" or "reference" ("order 1234567", "Ref:9307622"), also with "number" or
 * "num" after it ("order number 1234567"; "my number 0780..." stays a phone number); "No."
 * or "Nr." ("Order No.
 * 1234567"; "nº" and "№" are "no" and "No" in NFKC, so the dot is not asked for; "n°"
 * too), unless a word of the telephone comes before it: "Your Mobile No 07808726822" is a
 * phone number (SMS spam), and so is "tel. nº ...". Nothing else is looked at: "call
 * 555-123-4567" is one.
 */
static int reference_number(const char *s, size_t i)
{
    static const char *const ref[] = { "order", "invoice", "ticket", "tracking", "ref", "reference", NULL };
    static const char *const no[] = { "no", "nr", NULL };
    static const char *const number[] = { "number", "num", NULL };
    static const char *const tel[] = { "mobile", "mob", "phone", "telephone", "tel", "cell",
                                       "contact", "fax", "whatsapp", "hotline", "helpline",
                                       "call", "sms", "text", NULL };
    size_t e = i, a;
    while (e && s[e - 1] == ' ')
        e--;
    if (e && s[e - 1] == '#')
        return 1;
    e = word_before(s, i, 1, &a);
    if (a < e && word_in(s, a, e, ref))
        return 1;
    if (a < e && word_in(s, a, e, number)) { /* "order number", but not "my number" */
        size_t b, f = word_before(s, a, 0, &b);
        if (b < f && word_in(s, b, f, ref))
            return 1;
    }
    if (a < e && word_in(s, a, e, no))
        ; /* "No.", "Nr." */
    else if (e >= 3 && !memcmp(s + e - 2, "\xC2\xB0", 2) && (s[e - 3] | 0x20) == 'n' &&
             (e == 3 || !is_alnum(s[e - 4])))
        a = e - 3; /* "n°" */
    else
        return 0;
    e = word_before(s, a, 1, &a);
    return !(a < e && word_in(s, a, e, tel));
}

/* A phone number at s[i] ('+', '(' or a digit): >= 7 digits in groups separated by one
 * space, '-', '.' or parentheses; groups after the first have >= 2 digits; not an ordinal
 * or serial number (ordinal_number), and a reference number (reference_number) is "#num".
 * With dots it needs >= 3 groups and >= 10 digits, groups after the first of at most 4
 * digits, not all of 3 (thousands, "2.124.821.694"), and not 4 groups of at most 3 (an
 * IPv4 address), so that "555.123.4567" and "01.23.45.67.89" are phone numbers and other
 * numbers with dots are not; such a number is read up to its first dot, as one without
 * that dot is ("087187262701.50gbp": a phone number, then the words). Returns the end, or
 * 0. */
static size_t try_phone(scan *sc, const char *s, size_t n, size_t i)
{
    size_t j = i, end = 0, digits = 0, groups = 0, first = 0, longest = 0, threes = 0;
    size_t end0 = 0, digits0 = 0; /* up to the first dot */
    int dots = 0;
    if (s[j] == '+')
        j++;
    for (;;) {
        if (j < n && s[j] == '(')
            j++;
        size_t k = j;
        while (k < n && is_digit(s[k]))
            k++;
        if (k == j || (groups && k - j < 2))
            break;
        digits += k - j;
        if (digits > 15 && dots)
            break;
        if (digits > 15) /* no phone number: stop here, not at the end of "11 11 11 ..." */
            return 0;
        if (!groups++)
            first = k - j;
        else if (k - j > longest)
            longest = k - j;
        threes += groups > 1 && k - j == 3;
        end = j = k;
        if (j < n && s[j] == ')')
            j++;
        if (j < n && (s[j] == ' ' || s[j] == '-'))
            j++;
        else if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) { /* not a full stop */
            if (!dots)
                end0 = end, digits0 = digits;
            j++, dots = 1;
        }
    }
    if (dots && (digits > 15 || groups < 3 || digits < 10 || longest > 4 ||
                 threes == groups - 1 || (groups == 4 && first <= 3 && longest <= 3)))
        end = end0, digits = digits0;
    if (digits < 7 || digits > 15 || ordinal_number(s, n, i, end))
        return 0;
    if (reference_number(s, i)) { /* one number, as a long one is in word(): its groups are
                                     no words, and "123-4567" of it no phone number */
        push_lit(sc, "#num");
        return end;
    }
    break_pairs(sc);
    push_lit(sc, "#phone");
    return end;
}

/* What word() tracks while it reads a word. */
typedef struct word_stats {
    size_t ndig;      /* ASCII digits */
    int upper, other; /* upper-case letters, other letters */
    int run, repeat;  /* length of the run of prev, and whether a letter ran to 3 */
    int32_t prev;     /* the last code point read */
} word_stats;

/* The run of ASCII letters and digits at s[j..n), the common case: returns its end and
 * adds it to w. The loop only counts digits and capitals (their class bits, scaled down
 * after); a letter three times over is looked for after it. The character before a run is
 * no ASCII letter or digit (the word's start, an apostrophe, a number's separator, a
 * letter beyond ASCII), so within the run three the same is the whole test, and the
 * character after it never continues the run of its last letter. */
static size_t alnum_run(const char *s, size_t n, size_t j, word_stats *w)
{
    size_t start = j, dig = 0, up = 0;
    for (unsigned k; j < n && ((k = cls((unsigned char)s[j])) & (C_ALPHA | C_DIGIT)); j++) {
        dig += k & C_DIGIT;
        up += k & C_UPPER;
    }
    if (j == start)
        return j;
    dig /= C_DIGIT;
    up /= C_UPPER;
    w->ndig += dig;
    w->upper += (int)up;
    w->other += (int)(j - start - dig - up); /* the rest are lower-case letters */
    if (!w->repeat)
        for (size_t x = start + 2; x < j; x++)
            if (s[x] == s[x - 2] && s[x] == s[x - 1] && !is_digit(s[x])) {
                w->repeat = 1;
                break;
            }
    w->run = 1;
    w->prev = (unsigned char)s[j - 1];
    return j;
}

/* Whether a byte beyond ASCII comes in s[j..n) before an ASCII blank or the end, within a
 * host name's length; the bytes known ASCII from an earlier call are not read again. */
static int beyond_ascii_before_blank(scan *sc, const char *s, size_t n, size_t j)
{
    size_t k = j >= sc->asc_from && j < sc->asc_to ? sc->asc_to : j;
    if (n > j + MAX_HOST)
        n = j + MAX_HOST;
    for (; k < n && !is_space(s[k]); k++)
        if ((unsigned char)s[k] >= 0x80)
            return 1;
    sc->asc_from = j;
    sc->asc_to = k;
    return 0;
}

/* The end of the run of host labels (idn_domain_end()'s, without its bound) at s[i]. */
static size_t idn_run_end(const char *s, size_t n, size_t i)
{
    size_t k = i, len;
    for (;;) {
        while (k < n && ((unsigned char)s[k] < 0x80 ? host_char(s[k]) : idn_char(s, n, k, &len)))
            k += (unsigned char)s[k] < 0x80 ? 1 : len;
        if (!(k > i && k + 1 < n && s[k] == '.' &&
              ((unsigned char)s[k + 1] < 0x80 ? host_char(s[k + 1]) : idn_char(s, n, k + 1, &len))))
            return k;
        k++;
    }
}

/* word()'s try of a domain written beyond ASCII at s[i], the word ending at s[j] ('.' or
 * '-'; ascii: the word is ASCII): out of line, so that the ASCII words' path stays small.
 * Where the labels from s[i] are no domain, none of a later word in them is (the same end,
 * the same top-level domain, fewer bytes beyond ASCII before it), but where they run on
 * past MAX_HOST, a word within MAX_HOST of their end may be: the run is read once, not at
 * each of its words. */
static __attribute__((noinline)) size_t idn_word_domain(scan *sc, const char *s, size_t n, size_t i, size_t j,
                                                        int ascii)
{
    if (i >= sc->idn_from && i < sc->idn_to)
        return 0;
    if (ascii && !beyond_ascii_before_blank(sc, s, n, j + 1))
        return 0;
    size_t e = try_domain(sc, s, n, i, 1);
    if (!e) {
        size_t r = idn_run_end(s, n, i);
        sc->idn_from = i;
        sc->idn_to = r - i > MAX_HOST ? r - MAX_HOST : r;
    }
    return e;
}

/*
 * A word or number at s[i]; an ASCII word followed by '.', '-' or '@' may turn out to be
 * the start of a domain or an e-mail address. Returns the end.
 */
static size_t word(scan *sc, const char *s, size_t n, size_t i, int has_at)
{
    size_t j = i;
    int all_digit = 1, ascii = 1;
    word_stats ws = { 0, 0, 0, 0, 0, -1 };
    for (;;) {
        j = alnum_run(s, n, j, &ws);
        if (j >= n)
            break;
        /* anything else: an apostrophe inside a word, a separator inside a number, or
           a non-ASCII letter, mark or digit */
        all_digit = all_digit && !(ws.upper | ws.other);
        unsigned char b = (unsigned char)s[j];
        int32_t cp = b;
        size_t len = 1;
        if (b < 0x80) {
            if (b == '\'' && j > i && word_goes_on(s, n, j + 1) && !is_digit(s[j + 1]))
                all_digit = 0;
            else if (!((b == '.' || b == ',') && all_digit && j + 1 < n && is_digit(s[j + 1])))
                break;
        } else {
            len = decode(s, n, j, &cp);
            if (cp == 0x2019 || cp == 0x02BC) {
                if (j == i || !word_goes_on(s, n, j + len))
                    break;
            } else if (kd_is_emoji(cp) || kd_is_cjk(cp)) {
                break;
            } else {
                utf8proc_category_t c = utf8proc_category(cp);
                if (!is_letter_cat(c))
                    break;
                ws.upper += c == UTF8PROC_CATEGORY_LU;
                ws.other += c > UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
            }
            ascii = 0;
            all_digit = 0;
        }
        ws.run = cp == ws.prev ? ws.run + 1 : 1;
        ws.repeat |= ws.run >= 3;
        ws.prev = cp;
        j += len;
    }
    all_digit = all_digit && !(ws.upper | ws.other);

    if (j + 1 < n) {
        char c = s[j];
        size_t e;
        if (ascii && has_at && (c == '@' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-') &&
            (e = try_email(sc, s, n, i)))
            return e;
        /* "bücher.de", "mail.bücher.de": only where a letter beyond ASCII comes before the
         * next blank (the word's own, or a later label's), so that an ASCII text pays nothing */
        if ((c == '.' || c == '-') &&
            ((ascii && (e = try_domain(sc, s, n, i, 0))) || (e = idn_word_domain(sc, s, n, i, j, ascii))))
            return e;
    }

    size_t len = j - i;
    if (all_digit) {
        size_t c = currency_at(s, n, j), k;
        if (!c && j + 1 < n && s[j] == ' ')
            c = currency_at(s, n, j + 1);
        if (!c && (k = multiplier_at(s, n, j)))
            c = currency_at(s, n, j + k);
        if (currency_before(s, i) || c)
            push_lit(sc, "#money");
        push_lit(sc, "#num");
        if (ws.ndig > 6) /* a longer number is no word */
            return j;
    } else if (ascii && ws.ndig && ws.ndig + 1 == len && (s[j - 1] | 0x20) == 'k') { /* "5k" */
        push_lit(sc, "#money");
        push_lit(sc, "#num");
    }
    body_word(sc, s + i, len, ascii); /* one call: the ASCII path is inlined here */
    if (all_digit)
        return j;
    if (disguised(sc, i, j))
        push_lit(sc, "#mixedscript");
    if (ws.upper >= 3 && !ws.other)
        push_lit(sc, "#caps");
    if (ws.repeat)
        push_lit(sc, "#repeat");
    return j;
}

/* ---------------------------------------------------------------------------------------- */
/* the scan */

/* The emoji cp of len bytes at s[i]: "#emoji" and the emoji itself, "#repeat" after three
 * the same. A flag, two regional indicators ("🇺🇸"), is one emoji; a skin tone modifier is
 * part of the emoji before it; a ZWJ sequence is its emoji one by one (normalize.c removed
 * the joiner); a keycap (keycap_at()) is one too. Returns the end. */
static size_t emoji(scan *sc, const char *s, size_t n, size_t i, int32_t cp, size_t len)
{
    size_t j = i + len, same = 1;
    if (cp >= 0x1F3FB && cp <= 0x1F3FF) /* skin tone modifier: part of the previous one */
        return j;
    int32_t next;
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF && n - j >= 4 && decode(s, n, j, &next) == 4 &&
        next >= 0x1F1E6 && next <= 0x1F1FF) { /* a flag */
        len += 4;
        j += 4;
    }
    push_lit(sc, "#emoji");
    push(sc, s + i, len);
    while (j + len <= n && memcmp(s + j, s + i, len) == 0) {
        j += len;
        same++;
    }
    if (same >= 3)
        push_lit(sc, "#repeat");
    return j;
}

/* Whether a keycap is at s[i]: a digit, '#' or '*' (the caller asks) with U+20E3 ("1️⃣",
 * its U+FE0F removed), one emoji (emoji()), not a number. Inline: the scan asks at every
 * number, and the byte after one is almost never U+20E3's first. */
static inline int keycap_at(const char *s, size_t n, size_t i)
{
    return n - i >= 4 && s[i + 1] == '\xE2' && s[i + 2] == '\x83' && s[i + 3] == '\xA3';
}

/* A run of Han, kana or Hangul at s[i]: its overlapping pairs of characters (a lone one on
 * its own), outside word pairs. Returns the end. */
static size_t cjk(scan *sc, const char *s, size_t n, size_t i)
{
    int32_t cp;
    size_t prev = i, plen = decode(s, n, i, &cp), j = i + plen;
    break_pairs(sc);
    while (j < n && (unsigned char)s[j] >= 0x80) {
        size_t len = decode(s, n, j, &cp);
        if (!kd_is_cjk(cp))
            break;
        push(sc, s + prev, plen + len);
        prev = j;
        plen = len;
        j += len;
    }
    if (prev == i)
        push(sc, s + i, plen);
    return j;
}

/* A run of one punctuation or symbol character: "#repeat" when >= 3 (but "..." is not). */
static size_t punct(scan *sc, const char *s, size_t n, size_t i, size_t len, int32_t cp)
{
    size_t j = i + len, same = 1;
    while (j + len <= n && memcmp(s + j, s + i, len) == 0) {
        j += len;
        same++;
    }
    if (same >= 3 && cp != '.')
        push_lit(sc, "#repeat");
    return j;
}

static void scan_text(scan *sc, const char *s, size_t n)
{
    int has_at = memchr(s, '@', n) != NULL;
    size_t i = 0;
    sc->idn_from = sc->idn_to = sc->asc_from = sc->asc_to = 0;
    while (i < n && !sc->rc) {
        unsigned char c = (unsigned char)s[i];
        size_t e;
        if (c < 0x80) {
            if (is_space(c)) {
                i++;
                continue;
            }
            if (is_alnum(c)) {
                if (((c | 0x20) == 'h' || (c | 0x20) == 'w') && (e = try_url(sc, s, n, i)))
                    i = e;
                else if (is_digit(c) && keycap_at(s, n, i))
                    i = emoji(sc, s, n, i, c, 4);
                else if (is_digit(c) && (e = try_phone(sc, s, n, i)))
                    i = e;
                else
                    i = word(sc, s, n, i, has_at);
                continue;
            }
            if (cls(c) & C_OPEN) {
                if ((c == '+' || c == '(') && i + 1 < n && is_digit(s[i + 1]) &&
                    (e = try_phone(sc, s, n, i))) {
                    i = e;
                    continue;
                }
                if ((c == '#' || c == '*') && keycap_at(s, n, i)) {
                    i = emoji(sc, s, n, i, c, 4);
                    continue;
                }
                if (c != '+' && c != '#' && c != '*' && (e = try_marked_email(sc, s, n, i))) {
                    i = e;
                    continue;
                }
            }
            i = punct(sc, s, n, i, 1, c);
            continue;
        }
        int32_t cp;
        size_t len = decode(s, n, i, &cp);
        if (kd_is_emoji(cp)) {
            i = emoji(sc, s, n, i, cp, len);
            continue;
        }
        if (kd_is_cjk(cp)) {
            i = cjk(sc, s, n, i);
            continue;
        }
        utf8proc_category_t k = utf8proc_category(cp);
        /* U+02BC MODIFIER LETTER APOSTROPHE is a letter (Lm) but, like U+2019, only joins
           the letters around it (word()); a word never starts with it. */
        if (is_letter_cat(k) && cp != 0x02BC && (e = word(sc, s, n, i, has_at)) > i)
            i = e;
        else if (k >= UTF8PROC_CATEGORY_ZS && k <= UTF8PROC_CATEGORY_ZP)
            i += len;
        else
            i = punct(sc, s, n, i, len, cp);
    }
}

/* After a step that may rewrite the text s[0..n) into b (rc: 1 it did, 0 it did not, < 0
 * an error): the text to read on in s and n; 0, or the error. */
static int read_on(int rc, const kd_buf *b, const char **s, size_t *n)
{
    if (rc > 0) {
        *s = b->s;
        *n = b->len;
    }
    return rc < 0 ? rc : KD_OK;
}

/* The comment body: HTML (unless the text is plain), then NFKC unless the text is ASCII,
 * stacked marks dropped and fancy letters read plain (KD_NORM_PLAIN), disguised words read as
 * Latin, then the scan. */
static void text(scan *sc, const char *s)
{
    size_t n = strlen(s);
    if (!sc->o->plain && kd_html_maybe(s, n)) {
        if (kd_html_decode(s, n, &sc->html)) {
            sc->rc = KD_ENOMEM;
            return;
        }
        s = sc->html.s ? sc->html.s : "";
        n = sc->html.len;
    }
    if (kd_ascii_prefix(s, n) != n) {
        if (kd_normalize(s, n, KD_NORM_NFKC | KD_NORM_PLAIN | KD_NORM_DIGITS, &sc->norm)) {
            sc->rc = KD_ENOMEM;
            return;
        }
        s = sc->norm.s;
        n = sc->norm.len;
        int rc = kd_lookalike_maybe(s, n) ? kd_latin_reading(s, n, &sc->look, &sc->mixed) : 0;
        if ((sc->rc = read_on(rc, &sc->look, &s, &n)))
            return;
    }
    scan_text(sc, s, n);
}

/* ---------------------------------------------------------------------------------------- */
/* metadata */

static void author(scan *sc, const char *s)
{
    kd_buf *b = &sc->fold;
    kd_buf_clear(b);
    if (kd_normalize(s, strlen(s), KD_NORM_DEFAULT, b)) {
        sc->rc = KD_ENOMEM;
        return;
    }
    for (size_t i = 0; i < b->len && !sc->rc;) {
        int32_t cp;
        if (!word_start(b->s, b->len, i)) {
            i += decode(b->s, b->len, i, &cp);
            continue;
        }
        size_t j = i;
        while (word_start(b->s, b->len, j))
            j += decode(b->s, b->len, j, &cp);
        if (!sc->max_len || code_points(b->s + i, j - i) <= sc->max_len)
            push_lower(sc, "a:", b->s + i, j - i);
        i = j;
    }
}

/* The author's e-mail: "e:" and its domain, the host characters (and letters beyond ASCII:
 * an internationalised name as written) that follow its last '@', without a final dot;
 * what follows them ("(work)", a '>', a space) is not the domain. */
static void email(scan *sc, const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at)
        return;
    const char *d = at + 1;
    size_t n = 0;
    while (n <= MAX_HOST && ((unsigned char)d[n] >= 0x80 || host_char(d[n]) || d[n] == '.'))
        n++;
    while (n && d[n - 1] == '.')
        n--;
    if (!n || n > MAX_HOST)
        return;
    if (kd_punycode_maybe(d, n)) { /* "xn--mnchen-3ya.de": münchen.de, as a link's host */
        emit_ace_host(sc, "e:", d, n);
        return;
    }
    kd_buf_clear(&sc->fold);
    if (kd_normalize(d, n, KD_NORM_DEFAULT, &sc->fold)) {
        sc->rc = KD_ENOMEM;
        return;
    }
    push_lower(sc, "e:", sc->fold.s, sc->fold.len);
}

/* Whether an author URL names a website: its host has a dot between two of its characters
 * ("example.com", "192.0.2.1") or is an IPv6 address in brackets. What a form leaves in the
 * field when nobody gives a website ("http://", "n/a", "-", "none") is no website, and is
 * not "#author_url": generic praise with it is not praise with a website (the rules'
 * __HAS_AUTHOR_URL reads the field the same way). */
static int names_a_site(const char *h, size_t hn, const char *u)
{
    if (h > u && h[-1] == '[' && hn) /* url_host's IPv6 address, the brackets' inside */
        return 1;
    for (size_t i = 1; i + 1 < hn; i++)
        if (h[i] == '.' && h[i - 1] != '.' && h[i + 1] != '.')
            return 1;
    return 0;
}

static void author_url(scan *sc, const char *s)
{
    while (is_space(*s) && *s)
        s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1]))
        n--;
    size_t hn = 0;
    const char *h = n ? url_host(s, n, &hn) : s;
    if (!names_a_site(h, hn, s))
        return;
    push_lit(sc, "#author_url");
    emit_host_folded(sc, "au:", h, hn); /* raw metadata, unlike the text: never normalised */
}

int kd_tokenize(const kd_comment *c, const kd_tokenize_options *o, kd_tokens *out)
{
    static const kd_tokenize_options defaults = KD_TOKENIZE_OPTIONS_INIT;
    scan sc = { out, o ? o : &defaults, 0, KD_OK, { { 0, 0, 0 } }, 0,
                KD_BUF_INIT, KD_BUF_INIT, KD_BUF_INIT, KD_BUF_INIT, KD_MIXED_INIT, 0, 0, 0, 0, 0 };
    sc.max_len = sc.o->max_len;
    if (c->text)
        text(&sc, c->text);
    if (sc.o->metadata) {
        if (c->author && !sc.rc)
            author(&sc, c->author);
        if (c->email && !sc.rc)
            email(&sc, c->email);
        if (c->url && !sc.rc)
            author_url(&sc, c->url);
    }
    kd_buf_free(&sc.html);
    kd_buf_free(&sc.norm);
    kd_buf_free(&sc.fold);
    kd_buf_free(&sc.look);
    kd_mixed_free(&sc.mixed);
    return sc.rc;
}

int kd_text_empty(const char *text)
{
    if (!text)
        return KD_EINVAL;
    static const kd_tokenize_options words = { 0, 0, 40, 0 }; /* the text's tokens alone */
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    kd_tokens t = KD_TOKENS_INIT;
    int rc = kd_tokenize(&c, &words, &t);
    if (!rc)
        rc = !t.n;
    kd_tokens_free(&t);
    return rc;
}
