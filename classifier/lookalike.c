/*
 * lookalike.c - Latin words disguised with Cyrillic or Greek letters: read as Latin.
 *
 * The table holds the Cyrillic and Greek letters that common fonts draw like a Latin letter
 * (Unicode's confusables, restricted to letters that a spammer can type in place of one).
 * A word is rewritten only when it also holds a Latin letter: Russian and Greek text is
 * left alone, and so is a letter of the table inside a word of its own script. The one
 * exception is a host name's label made only of letters of the table under a Latin
 * top-level domain ("аррӏе.com"): Unicode's "whole-script confusable" (UTS #39), which
 * browsers show in punycode because nobody's own language reads as a Latin word there. A
 * domain that mixes ASCII letters with the table's ("аррӏе.соm", "аррӏе.rυ") is judged as
 * read in Latin, and so is one of the table's letters only whose reading is a Latin domain
 * the tokenizer knows ("аррӏе.со" passes for apple.co; no Cyrillic or Greek domain in
 * delegation, ".рф", ".ком", ".ею", ".ευ", reads as one), whether the name before it is
 * of look-alikes or ASCII ("apple.со": the domain is the disguise there).
 */
#include "lookalike.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "kindly.h"
#include "normalize.h"
#include "tokenize.h"

char kd_lookalike(int32_t cp)
{
    static const struct { int32_t cp; char c; } map[] = { /* sorted */
        { 0x0391, 'A' }, { 0x0392, 'B' }, { 0x0395, 'E' }, { 0x0396, 'Z' }, { 0x0397, 'H' }, { 0x0399, 'I' },
        { 0x039A, 'K' }, { 0x039C, 'M' }, { 0x039D, 'N' }, { 0x039F, 'O' }, { 0x03A1, 'P' }, { 0x03A4, 'T' },
        { 0x03A5, 'Y' }, { 0x03A7, 'X' }, { 0x03B1, 'a' }, { 0x03B9, 'i' }, { 0x03BA, 'k' }, { 0x03BD, 'v' },
        { 0x03BF, 'o' }, { 0x03C1, 'p' }, { 0x03C5, 'u' }, { 0x03C7, 'x' },
        { 0x0405, 'S' }, { 0x0406, 'I' }, { 0x0408, 'J' }, { 0x0410, 'A' }, { 0x0412, 'B' }, { 0x0415, 'E' },
        { 0x041A, 'K' }, { 0x041C, 'M' }, { 0x041D, 'H' }, { 0x041E, 'O' }, { 0x0420, 'P' }, { 0x0421, 'C' },
        { 0x0422, 'T' }, { 0x0423, 'Y' }, { 0x0425, 'X' }, { 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043E, 'o' },
        { 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' }, { 0x0445, 'x' }, { 0x0455, 's' }, { 0x0456, 'i' },
        { 0x0458, 'j' }, { 0x04AE, 'Y' }, { 0x04AF, 'y' }, { 0x04BA, 'H' }, { 0x04BB, 'h' }, { 0x04C0, 'l' },
        { 0x04CF, 'l' }, { 0x0501, 'd' }, { 0x051A, 'Q' }, { 0x051B, 'q' }, { 0x051C, 'W' }, { 0x051D, 'w' },
    };
    if (cp < 0x0391 || cp > 0x051D)
        return 0;
    size_t lo = 0, hi = sizeof map / sizeof *map;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (map[mid].cp == cp)
            return map[mid].c;
        if (map[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void kd_mixed_free(kd_mixed *m)
{
    if (!m)
        return;
    free(m->at);
    *m = (kd_mixed)KD_MIXED_INIT;
}

static int mixed_push(kd_mixed *m, size_t at)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        size_t *a = realloc(m->at, cap * sizeof *a);
        if (!a)
            return KD_ENOMEM;
        m->at = a;
        m->cap = cap;
    }
    m->at[m->n++] = at;
    return KD_OK;
}

int kd_lookalike_maybe(const char *s, size_t n)
{
    /* U+0391..U+051D are written with lead bytes 0xCE..0xD4, which no other position of
     * UTF-8 uses. The text reaching here has a byte beyond ASCII, but mostly ASCII around it:
     * its runs of ASCII are passed over 8 bytes at a time (kd_ascii_prefix). */
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; (i += kd_ascii_prefix(s + i, n - i)) < n; i++)
        if (u[i] >= 0xCE && u[i] <= 0xD4)
            return 1;
    return 0;
}

/* Whether the character at s[i] belongs to a word (its length in *len, its code point in
 * *cp): an ASCII letter or digit; a letter, mark or digit beyond ASCII that is not an
 * emoji, Chinese, Japanese or Korean, nor U+02BC (an apostrophe). */
static int word_char(const char *s, size_t n, size_t i, size_t *len, int32_t *cp)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *len = 1;
        *cp = b;
        return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
    }
    *len = kd_utf8_decode(s + i, n - i, cp);
    if (*cp < 0 || *cp == 0x02BC || kd_is_emoji(*cp) || kd_is_cjk(*cp))
        return 0;
    utf8proc_category_t k = utf8proc_category(*cp);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_NO;
}

/* The length of an apostrophe at s[i] that joins the word before it to more of it, as
 * tokenize.c's word() reads one ("it's", "I’m", "l'oeuvre"), or 0: "'", U+2019 or U+02BC
 * followed by a character of a word ("'" not by an ASCII digit). The scanner takes
 * "Ι'm" or "it'ѕ" as one word, so the pre-pass must see one mixed word there too. */
static size_t apostrophe(const char *s, size_t n, size_t i)
{
    size_t a, len;
    int32_t cp;
    if (s[i] == '\'')
        a = 1;
    else if (n - i >= 3 && !memcmp(s + i, "\xE2\x80\x99", 3))
        a = 3;
    else if (n - i >= 2 && !memcmp(s + i, "\xCA\xBC", 2))
        a = 2;
    else
        return 0;
    if (i + a >= n || !word_char(s, n, i + a, &len, &cp) || (a == 1 && cp >= '0' && cp <= '9'))
        return 0;
    return a;
}

/* A Latin letter: ASCII, Latin-1 Supplement, Latin Extended-A and B, Latin Extended
 * Additional (digits and marks are no letters of either side). */
static int latin_letter(int32_t cp)
{
    return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
           (cp >= 0x1E00 && cp <= 0x1EFF);
}

/* Whether s[i..n) starts with a combining mark. */
static int mark_at(const char *s, size_t n, size_t i)
{
    int32_t cp;
    kd_utf8_decode(s + i, n - i, &cp);
    if (cp < 0x300)
        return 0;
    utf8proc_category_t k = utf8proc_category(cp);
    return k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME;
}

/* out[w..) in NFKC (the rest of the text already is). */
static int recompose(kd_buf *out, size_t w)
{
    kd_buf t = KD_BUF_INIT;
    int rc = kd_normalize(out->s + w, out->len - w, KD_NORM_NFKC | KD_NORM_KEEPCC, &t);
    if (!rc) {
        out->len = w;
        rc = kd_buf_add(out, t.s ? t.s : "", t.len);
    }
    kd_buf_free(&t);
    return rc;
}

/* The top-level domains of countries that write Cyrillic or Greek, and the European
 * Union's (Bulgaria, Greece and Cyprus are members; .eu has .ею and .ευ beside it): under
 * them a label of those letters is the country's own language, not a disguise. */
static int native_tld(const char *t, size_t n)
{
    static const char tlds[][3] = { "ba", "bg", "by", "cy", "eu", "gr", "kg", "kz", "me",
                                    "mk", "mn", "rs", "ru", "su", "tj", "ua", "uz" };
    if (n != 2)
        return 0;
    for (size_t i = 0; i < sizeof tlds / sizeof *tlds; i++)
        if ((t[0] | 0x20) == tlds[i][0] && (t[1] | 0x20) == tlds[i][1])
            return 1;
    return 0;
}

/* The most bytes a host name takes as written: 253 characters (RFC 1035), each at most 4
 * bytes of UTF-8. The look for a host's last label goes no further: a run of labels
 * ("аа.аа.аа..." for a megabyte) is no host, and looked through from each of its words it
 * took time quadratic in its length. */
#define HOST_BYTES (253 * 4)

/* Whether s[a..b) holds only what a label of a disguised host may: ASCII letters, digits and
 * '-', look-alikes and marks (no letter of those scripts' own: ж, λ). */
static int disguise_only(const char *s, size_t a, size_t b)
{
    size_t len;
    int32_t cp;
    for (size_t k = a; k < b; k += len) {
        len = kd_utf8_decode(s + k, b - k, &cp);
        if (cp < 0x80 ? cp < 0 || !(cp == '-' || (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))
                      : !kd_lookalike(cp) && !mark_at(s, b, k))
            return 0;
    }
    return 1;
}

/* Whether s[a..b) is one or more labels, each as disguise_only() allows, between dots. */
static int labels_only(const char *s, size_t a, size_t b)
{
    for (size_t k = a;; k++)
        if (k == b || s[k] == '.') {
            if (k == a || !disguise_only(s, a, k))
                return 0;
            if (k == b)
                return 1;
            a = k + 1;
        }
}

/* How a top-level domain is written (tld_reading). */
enum { TLD_ASCII, TLD_MIXED, TLD_LOOKALIKE };

/* The Latin reading of a top-level domain s[a..b) into t: its letters, ASCII letters or
 * look-alikes ("com"; "соm" with a Cyrillic с and о, a mixed word that kd_latin_reading()
 * reads as Latin itself; "со" of look-alikes only); how it is written in *how. Its length,
 * 2 to 63, or 0: no Latin domain ("c0m"; "ком" or "рф", with letters of Cyrillic's own). At
 * most 63 characters are looked at. */
static size_t tld_reading(const char *s, size_t a, size_t b, char t[64], int *how)
{
    size_t n = 0, len;
    int ascii = 0, look = 0;
    int32_t cp;
    for (size_t k = a; k < b; k += len) {
        len = kd_utf8_decode(s + k, b - k, &cp);
        char c = cp >= 0 && cp < 0x80 ? (char)cp : kd_lookalike(cp);
        if ((c | 0x20) < 'a' || (c | 0x20) > 'z' || n == 63)
            return 0;
        ascii |= cp < 0x80;
        look |= cp >= 0x80;
        t[n++] = c;
    }
    *how = !look ? TLD_ASCII : ascii ? TLD_MIXED : TLD_LOOKALIKE;
    return n >= 2 ? n : 0;
}

/* The most bytes a label takes as written: 63 characters, each at most 4 bytes. */
#define LABEL_BYTES (63 * 4)

/* What the reading knows, going left to right, of the host a word of look-alikes may be in,
 * so that each byte is looked at a bounded number of times however long the text runs on
 * in labels ("аа-аа-аа-...", "аа.аа.аа..."): */
typedef struct host_scan {
    size_t begin;                /* where the run of host characters the scan is in began
                                    (ASCII letters, digits, '-', '.', letters of words) */
    size_t label;                /* where the label the scan is in began (after a '.') */
    size_t lab, lab_end;         /* the label last judged (SIZE_MAX: none), where it ends, */
    int lab_ok;                  /* and whether its characters may be a disguised host's */
    size_t tail_begin, tail_end; /* the host last judged: where it began and ended, */
    int tail_ok;                 /* and whether it is under a Latin top-level domain */
} host_scan;

/*
 * Whether s[start..end), a word of Cyrillic or Greek letters that all pass for Latin ones
 * ("аррӏе"), is a label of a host name under a Latin top-level domain: "аррӏе.com",
 * "www.аррӏе.com/login". Such a host is a "whole-script confusable" (Unicode TS #39, 5.2)
 * that browsers show in punycode for that reason: nobody writes their own language's name
 * under ".com" in letters that all read as another word. Its label holds no letter of those
 * scripts' own, whatever it holds besides ("аррӏе-login.com", "рау-раӏ.com"). The host goes
 * on after the label through dots to its last label; that one must be ASCII letters, 2 to
 * 63 of them, not a country's that writes these letters (".ru", ".gr"); or ASCII letters and
 * look-alikes ("аррӏе.соm" with a Cyrillic с and о, "аррӏе.rυ" with a Greek υ: a mixed
 * word, read as Latin with the label, a disguise whatever it reads as, since nobody types
 * a Greek letter into their own country's ".ru"); or look-alikes only that read as a
 * top-level domain of the tokenizer's (kd_tld_kind: "со" is "co"; a domain in delegation
 * has a letter of its script's own, ".рф", ".ком", ".ею", or reads as none, ".КОМ" as
 * "KOM"), bare only with a path after it: two Russian words run together over a full stop
 * ("сахар.Са") read as a host under ".ca". The word may be that last label itself, after
 * labels of ASCII letters, digits, hyphens and look-alikes ("apple.со/x", "www.my-shop.со"),
 * under the same rules: no letter of the script's own before it ("пример.со/x"). It is a
 * top-level domain where the tokenizer takes the Latin host for a link's or an address's:
 * after "//" (a URL's), "@" (an e-mail address's) or "www.", any such label; elsewhere one
 * of the tokenizer's (kd_tld_kind: "Сорос.pdf" is a file, "ТАСС.Reuters" two sentences,
 * "хор.ivanov@" an address's local part), and never in a URL's path ("site.ru/рус.html").
 * Two look-alikes at least; the host no longer than HOST_BYTES.
 */
static int spoofed_label(const char *s, size_t n, size_t start, size_t end, host_scan *hs)
{
    size_t letters = 0, len;
    int32_t cp;
    for (size_t k = start; k < end; k += len) {
        len = kd_utf8_decode(s + k, end - k, &cp);
        if (cp > 0x7F && !kd_lookalike(cp) && !mark_at(s, end, k))
            return 0; /* a letter of its own script (ж, λ) */
        letters += cp > 0x7F && kd_lookalike(cp);
    }
    if (letters < 2)
        return 0;
    size_t h = hs->begin, ls = hs->label;
    if (start - h > HOST_BYTES || start - ls > LABEL_BYTES)
        return 0; /* no host or label is that long */
    if (hs->lab != ls) { /* the label, on to its end: judged once */
        size_t le = end;
        while (le < n && le - ls <= LABEL_BYTES && (s[le] == '-' || word_char(s, n, le, &len, &cp)))
            le += s[le] == '-' ? 1 : len;
        hs->lab = ls;
        hs->lab_end = le;
        hs->lab_ok = le - ls <= LABEL_BYTES && disguise_only(s, ls, le);
    }
    if (!hs->lab_ok)
        return 0;
    if (hs->tail_begin == h && start < hs->tail_end)
        return hs->tail_ok; /* a host judged already */
    size_t label = 0, llen = 0, j = hs->lab_end; /* the last label after a dot */
    int ok = 1;
    for (size_t i = j; ok && i < n && s[i] == '.';) {
        j = ++i;
        while (j < n && (ok = j - h <= HOST_BYTES) && (word_char(s, n, j, &len, &cp) || s[j] == '-'))
            j += s[j] == '-' ? 1 : len;
        if (j == i)
            break; /* a dot that ends a sentence */
        label = i;
        llen = j - i;
        i = j;
    }
    hs->tail_begin = h;
    hs->tail_end = j;
    hs->tail_ok = 0;
    if (ok && !llen && start == ls && ls > h && labels_only(s, h, ls - 1)) {
        label = ls; /* the word is the last label itself, after a name: "apple.со" */
        llen = hs->lab_end - ls;
    }
    char tld[64];
    int how = TLD_ASCII;
    size_t tn = ok && llen ? tld_reading(s, label, label + llen, tld, &how) : 0;
    if (!tn || (how == TLD_ASCII && native_tld(tld, tn)))
        return 0;
    size_t after = label + llen;
    int kind = kd_tld_kind(tld, tn);
    if (how == TLD_LOOKALIKE && kind < 0)
        return 0;
    if ((h >= 2 && s[h - 1] == '/' && s[h - 2] == '/') || (h >= 1 && s[h - 1] == '@') ||
        (start - h >= 4 && !strncasecmp(s + h, "www.", 4)))
        hs->tail_ok = 1; /* a URL's or an e-mail address's host */
    else if (h >= 1 && s[h - 1] == '/')
        hs->tail_ok = 0; /* a word of a URL's path */
    else
        hs->tail_ok = (kind == 0 && how != TLD_LOOKALIKE) || (kind >= 0 && after < n && s[after] == '/');
    return hs->tail_ok;
}

int kd_latin_reading(const char *s, size_t n, kd_buf *out, kd_mixed *mixed)
{
    kd_buf_clear(out);
    if (mixed)
        mixed->n = 0;
    int changed = 0;
    size_t i = 0, copied = 0; /* s[0..copied) is in out */
    host_scan hs = { 0, 0, SIZE_MAX, 0, 0, SIZE_MAX, 0, 0 };
    while (i < n) {
        size_t len;
        int32_t cp;
        if (!word_char(s, n, i, &len, &cp)) {
            if (s[i] == '.')
                hs.label = i + 1;
            else if (s[i] != '-')
                hs.begin = hs.label = i + len;
            i += len;
            continue;
        }
        size_t start = i;
        int latin = 0, look = 0;
        do {
            latin |= latin_letter(cp);
            look |= kd_lookalike(cp) != 0;
            i += len;
            if (i < n)
                i += apostrophe(s, n, i);
        } while (i < n && word_char(s, n, i, &len, &cp));
        if (!(latin && look) && !(!latin && look && spoofed_label(s, n, start, i, &hs)))
            continue;
        if (kd_buf_add(out, s + copied, start - copied))
            return KD_ENOMEM;
        size_t w = out->len;
        int compose = 0, first = 1;
        for (size_t k = start; k < i; k += len) {
            len = kd_utf8_decode(s + k, i - k, &cp);
            char c = len == 2 ? kd_lookalike(cp) : 0;
            /* where the first letter read as Latin is: the scanner may read the word as
               several tokens ("5551234567аbc" is a phone number and "abc"), and the one
               that holds it is the disguised one */
            if (c && first && mixed && mixed_push(mixed, out->len))
                return KD_ENOMEM;
            first &= !c;
            if (c ? kd_buf_putc(out, c) : kd_buf_add(out, s + k, len))
                return KD_ENOMEM;
            compose |= c && k + len < i && mark_at(s, i, k + len);
        }
        /* a mark after a letter replaced may compose with the Latin one: Cyrillic "е" and
         * U+0301 stay two characters in NFKC, the Latin "e" and U+0301 are "é" */
        if (compose && recompose(out, w))
            return KD_ENOMEM;
        copied = i;
        changed = 1;
    }
    if (kd_buf_add(out, s + copied, n - copied))
        return KD_ENOMEM;
    return changed;
}
