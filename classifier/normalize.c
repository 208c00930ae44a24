/*
 * normalize.c - Unicode normalisation (NFKC, case folding, clean-up) for tokens and dedup.
 *
 * Spam hides words behind lookalikes: fullwidth letters ("ＦＲＥＥ"), ligatures, zero-width
 * spaces inside words, soft hyphens, odd case. NFKC plus case folding (utf8proc) maps those
 * back to one spelling. Comments arrive as arbitrary bytes, so the first step is a clean-up
 * that never fails: invalid UTF-8 becomes U+FFFD, invisible characters are removed and
 * control characters become spaces. utf8proc then also drops the other default-ignorable
 * code points (UTF8PROC_IGNORE: bidi marks, U+3164 Hangul filler, tag characters).
 *
 * Two disguises NFKC does not undo are undone on request (KD_NORM_PLAIN), on its output:
 * Zalgo text, marks stacked on every letter so that no pattern and no token matches the
 * word, and the letters of "fancy text" generators that Unicode does not decompose
 * (negative circled and squared capitals, small capitals). One pass over the code points,
 * shared by the tokenizer, the duplicates stage and the rules, so that all three read
 * the same word.
 *
 * Speed: most comments are ASCII, and NFKC maps ASCII to itself, folds it to lower case and
 * never composes an ASCII character with a following ASCII character. So the input is cut
 * into segments: ASCII runs go through a byte loop; only a run of non-ASCII bytes, together
 * with the one ASCII character before it (which may compose with a combining mark, "e" +
 * U+0301), goes through utf8proc. ASCII-only text never calls utf8proc at all.
 */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kindly.h"
#include "lookalike.h"

typedef struct norm {
    kd_buf *out;
    unsigned flags;
    int started;          /* something was written (KD_NORM_SPACE trims the start) */
    int pending;          /* a collapsed space is owed before the next character */
    kd_buf clean;         /* scratch: one cleaned non-ASCII segment */
    utf8proc_int32_t *cp; /* scratch: its decomposition */
    size_t cpcap;
    utf8proc_int32_t *run; /* scratch: a long run of combining marks being ordered */
    size_t runcap;
} norm;

size_t kd_utf8_decode(const char *s, size_t n, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < len) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = (int32_t)v;
    return len;
}

size_t kd_utf8_encode(int32_t cp, char *dst)
{
    unsigned char *d = (unsigned char *)dst;
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    uint32_t v = (uint32_t)cp;
    if (v < 0x80) {
        d[0] = (unsigned char)v;
        return 1;
    }
    if (v < 0x800) {
        d[0] = (unsigned char)(0xC0 | (v >> 6));
        d[1] = (unsigned char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (v >> 12));
        d[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (v & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (v >> 18));
    d[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (v & 0x3F));
    return 4;
}

int kd_is_emoji(int32_t cp)
{
    if (cp < 0x2300)
        return cp == 0x203C || cp == 0x2049;
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
           (cp >= 0x231A && cp <= 0x231B) || (cp >= 0x23E9 && cp <= 0x23FA) ||
           (cp >= 0x2B05 && cp <= 0x2B07) || (cp >= 0x2B1B && cp <= 0x2B1C) ||
           cp == 0x2B50 || cp == 0x2B55 || cp == 0x3030 || cp == 0x303D;
}

int kd_is_cjk(int32_t cp)
{
    if (cp < 0x3005)
        return 0;
    return cp == 0x3005 ||                        /* 々 ideographic iteration mark */
           (cp >= 0x3040 && cp <= 0x3098) ||      /* Hiragana */
           (cp >= 0x309D && cp <= 0x309F) ||      /* its iteration marks and yori; not the voicing marks */
           (cp >= 0x30A1 && cp <= 0x30FF && cp != 0x30FB) || /* Katakana with ー, not ゠ or ・ */
           (cp >= 0x31F0 && cp <= 0x31FF) ||      /* Katakana phonetic extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) ||      /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||      /* CJK unified ideographs */
           (cp >= 0xAC00 && cp <= 0xD7A3) ||      /* Hangul syllables */
           (cp >= 0xF900 && cp <= 0xFAFF) ||      /* compatibility ideographs */
           (cp >= 0x20000 && cp <= 0x3134F);      /* extensions B-G */
}

/* 1 if none of the 8 bytes at s is a NUL or beyond ASCII: a word at a time (the usual
 * has-zero-byte test), the common case of kd_utf8_valid's texts and rule files. */
static int ascii8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, sizeof v);
    return !((v | ((v - 0x0101010101010101ULL) & ~v)) & 0x8080808080808080ULL);
}

int kd_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8 && ascii8(s + i)) {
            i += 8;
            continue;
        }
        if ((unsigned char)s[i] < 0x80) {
            if (s[i] == '\0')
                break;
            i++;
            continue;
        }
        int32_t cp;
        size_t len = kd_utf8_decode(s + i, n - i, &cp);
        if (cp < 0)
            break;
        i += len;
    }
    if (i == n)
        return 1;
    if (bad_at)
        *bad_at = i;
    return 0;
}

/* Invisible characters removed outright: zero-width space/joiners, word joiner, BOM, soft
 * hyphen and the emoji variation selectors. */
static int invisible(int32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD ||
           cp == 0xFE0E || cp == 0xFE0F;
}

static int control(int32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F);
}

static int ascii_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Append one code point that has been cleaned and (if asked) normalised, applying
 * KD_NORM_SPACE and KD_NORM_NOPUNCT. */
static void put(norm *z, int32_t cp)
{
    int space;
    if (cp < 0x80) {
        if ((z->flags & KD_NORM_NOPUNCT) && cp > ' ' && cp < 0x7F &&
            !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') && !(cp >= '0' && cp <= '9'))
            cp = ' ';
        space = ascii_space(cp);
    } else {
        utf8proc_category_t cat = utf8proc_category(cp);
        if ((z->flags & KD_NORM_NOPUNCT) && cat >= UTF8PROC_CATEGORY_PC &&
            cat <= UTF8PROC_CATEGORY_SO && !kd_is_emoji(cp))
            cp = ' ';
        space = cp == ' ' || cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                cat == UTF8PROC_CATEGORY_ZP;
    }
    if (z->flags & KD_NORM_SPACE) {
        if (space) {
            z->pending = z->started;
            return;
        }
        if (z->pending)
            kd_buf_putc(z->out, ' ');
        z->pending = 0;
    }
    z->started = 1;
    if (cp < 0x80) {
        kd_buf_putc(z->out, (char)cp);
    } else {
        char u[4];
        kd_buf_add(z->out, u, kd_utf8_encode(cp, u));
    }
}

/* ASCII classes for ascii_run(): A_SPACE is white space once control characters are
 * blanked (all of 0x00..0x20 and DEL), A_PUNCT printable punctuation and symbols (what
 * KD_NORM_NOPUNCT drops), A_UPPER the letters that case folding lowers. */
enum { A_SPACE = 1, A_PUNCT = 2, A_UPPER = 4 };
static const unsigned char ascii_class[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2,
    2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1,
};

static void ascii_run(norm *z, const unsigned char *s, size_t n)
{
    int fold = (z->flags & KD_NORM_FOLD) != 0;
    if (!(z->flags & (KD_NORM_SPACE | KD_NORM_NOPUNCT))) {
        if (!n || kd_buf_grow(z->out, n))
            return;
        char *d = z->out->s + z->out->len;
        for (size_t i = 0; i < n; i++) {
            unsigned c = s[i];
            if ((c < 0x20 || c == 0x7F) && !(z->flags & KD_NORM_KEEPCC))
                c = control((int32_t)c) ? ' ' : c;
            else if (fold && c - 'A' < 26u)
                c += 32;
            d[i] = (char)c;
        }
        z->out->len += n;
        z->out->s[z->out->len] = '\0';
        z->started = 1;
        return;
    }
    /* KD_NORM_SPACE and/or KD_NORM_NOPUNCT (dedup's normalisation): what put() does to each
     * byte, with a table instead of tests and written straight into the buffer. A byte
     * writes at most itself and the one space owed before it, and only the first byte of
     * the run can owe a space it did not cause, so n + 1 bytes of room are enough. */
    if (!n || kd_buf_grow(z->out, n + 1))
        return;
    int collapse = (z->flags & KD_NORM_SPACE) != 0;
    int pending = z->pending, started = z->started; /* locals: the stores through d may alias z */
    unsigned blank = A_SPACE | ((z->flags & KD_NORM_NOPUNCT) ? A_PUNCT : 0);
    char *d = z->out->s + z->out->len, *d0 = d;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i], k = ascii_class[c];
        if (k & blank) {
            if (collapse) {
                pending = started;
                continue;
            }
            if ((k & A_PUNCT) || control((int32_t)c))
                c = ' ';
        } else if (pending) {
            *d++ = ' ';
            pending = 0;
        }
        if (fold && (k & A_UPPER))
            c += 32;
        started = 1;
        *d++ = (char)c;
    }
    z->pending = pending;
    z->started = started;
    z->out->len += (size_t)(d - d0);
    z->out->s[z->out->len] = '\0';
}

/* Whether cp is a combining mark of the blocks that Latin, Greek and Cyrillic letters take:
 * Combining Diacritical Marks with their Extended and Supplement blocks, Cyrillic's
 * U+0483..U+0489, the marks for symbols but the keycap U+20E3 ("1⃣"), the half marks.
 * After NFKC such a mark is one that did not compose with its letter. */
static int stray_mark(int32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF && cp != 0x20E3) || (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* The ASCII letter that cp, a letter of "fancy text" that NFKC leaves as it is, shows, or
 * 0: the negative circled and squared capitals ("🅕", "🅵") as capitals, the small
 * capitals ("ꜰʀᴇᴇ") as lower case. */
static char fancy_letter(int32_t cp)
{
    static const struct { int32_t cp; char c; } small[] = {
        { 0x0262, 'g' }, { 0x026A, 'i' }, { 0x0274, 'n' }, { 0x0280, 'r' }, { 0x028F, 'y' },
        { 0x0299, 'b' }, { 0x029C, 'h' }, { 0x029F, 'l' }, { 0x1D00, 'a' }, { 0x1D04, 'c' },
        { 0x1D05, 'd' }, { 0x1D07, 'e' }, { 0x1D0A, 'j' }, { 0x1D0B, 'k' }, { 0x1D0D, 'm' },
        { 0x1D0F, 'o' }, { 0x1D18, 'p' }, { 0x1D1B, 't' }, { 0x1D1C, 'u' }, { 0x1D20, 'v' },
        { 0x1D21, 'w' }, { 0x1D22, 'z' }, { 0xA730, 'f' }, { 0xA731, 's' },
    };
    if (cp >= 0x1F150 && cp <= 0x1F169)
        return (char)('A' + (cp - 0x1F150));
    if (cp >= 0x1F170 && cp <= 0x1F189)
        return (char)('A' + (cp - 0x1F170));
    if (cp < 0x0262 || (cp > 0x029F && cp < 0x1D00) || (cp > 0x1D22 && cp < 0xA730) || cp > 0xA731)
        return 0; /* most code points: not in the table's ranges */
    for (size_t k = 0; k < sizeof small / sizeof *small; k++)
        if (small[k].cp == cp)
            return small[k].c;
    return 0;
}

/* Whether the mark m composes with the Latin letter that base, a Cyrillic or Greek
 * look-alike (kd_lookalike()), passes for: the mark of a disguised "é" (Cyrillic е and
 * U+0301), which the Latin reading composes, not a Zalgo one. */
static int composes_as_latin(int32_t base, int32_t m)
{
    char l = base >= 0x391 && base <= 0x51D ? kd_lookalike(base) : 0;
    if (!l)
        return 0;
    utf8proc_int32_t pair[2] = { (unsigned char)l, m };
    return utf8proc_normalize_utf32(pair, 2, UTF8PROC_STABLE | UTF8PROC_COMPOSE) == 1;
}

/*
 * KD_NORM_PLAIN on the code points cp[0..n) that NFKC gave: drops the stray marks
 * (stray_mark()), writes a Latin, Greek or Cyrillic letter that carried one as the first
 * code point of its canonical decomposition (bare), and a fancy letter as the ASCII one
 * (fancy_letter(); lower case when fold). The first mark on a look-alike that composes
 * with its Latin double stays (composes_as_latin()). In place; returns the new count. A mark on
 * nothing (the text's start) goes too; the ASCII character before a segment is part of it
 * (kd_normalize()), so a mark always finds the letter it was written on.
 */
static utf8proc_ssize_t plain_letters(utf8proc_int32_t *cp, utf8proc_ssize_t n, int fold)
{
    utf8proc_ssize_t k = 0, last = -1; /* last: the letter before the marks, in cp[0..k) */
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int32_t c = cp[i];
        char f = c >= 0x262 ? fancy_letter(c) : 0;
        if (f || !stray_mark(c)) {
            last = k;
            cp[k++] = !f ? c : fold && f <= 'Z' ? f + 32 : f;
            continue;
        }
        if (last < 0)
            continue;
        int32_t base = cp[last], d[4];
        int bound = 0;
        if (composes_as_latin(base, c)) { /* "cаfе́": read as Latin, "café" (lookalike.c) */
            cp[k++] = c;
            last = -1;
            continue;
        }
        if (base >= 0x80 && (base < 0x530 || (base >= 0x1E00 && base < 0x2000)) &&
            utf8proc_decompose_char(base, d, 4, UTF8PROC_DECOMPOSE, &bound) >= 1 && d[0] != base)
            cp[last] = d[0];
        last = -1; /* bare now: the marks after this one have nothing to do */
    }
    return k;
}

/* KD_NORM_DIGITS on cp[0..n): a decimal digit of another script ("٣", "३", "๓") as the ASCII
 * one. Unicode encodes every script's digits as runs of ten, zero to nine, so a digit's value
 * is the count of the digits before it in its run, modulo ten. (NFKC has made fullwidth and
 * mathematical digits ASCII already.) */
static void ascii_digits(utf8proc_int32_t *cp, utf8proc_ssize_t n)
{
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        if (cp[i] < 0x80 || utf8proc_category(cp[i]) != UTF8PROC_CATEGORY_ND)
            continue;
        int k = 0;
        while (k < 100 && utf8proc_category(cp[i] - k - 1) == UTF8PROC_CATEGORY_ND)
            k++;
        cp[i] = '0' + k % 10;
    }
}

/*
 * Canonical ordering of cp[0..n): each run of code points with a non-zero combining class
 * sorted by that class, stably, as Unicode's normal forms want it; the same order
 * utf8proc_decompose() gives, which sorts with adjacent swaps: a run of k marks with
 * alternating classes ("a" then U+0301 U+0316 ... ) took k*k/8 swaps, minutes for a comment
 * of 256 KiB. Runs of a few marks (every accented letter) are sorted in place the same way;
 * a longer one by counting its classes (0..254), in time linear in its length.
 */
static int canonical_order(norm *z, utf8proc_int32_t *cp, utf8proc_ssize_t n)
{
    enum { SHORT_RUN = 32 };
    for (utf8proc_ssize_t i = 0; i < n;) {
        if (!utf8proc_get_property(cp[i])->combining_class) {
            i++;
            continue;
        }
        utf8proc_ssize_t a = i;
        while (i < n && utf8proc_get_property(cp[i])->combining_class)
            i++;
        size_t k = (size_t)(i - a);
        if (k < SHORT_RUN) {
            for (size_t j = 1; j < k; j++) { /* insertion: stable, as the swaps were */
                utf8proc_int32_t c = cp[a + j];
                int cc = utf8proc_get_property(c)->combining_class;
                size_t m = j;
                for (; m > 0 && utf8proc_get_property(cp[a + m - 1])->combining_class > cc; m--)
                    cp[a + m] = cp[a + m - 1];
                cp[a + m] = c;
            }
            continue;
        }
        if (k > z->runcap) {
            utf8proc_int32_t *p = realloc(z->run, k * sizeof *p);
            if (!p)
                return KD_ENOMEM;
            z->run = p;
            z->runcap = k;
        }
        size_t at[257] = { 0 }; /* at[c + 1]: marks of class c; then where class c starts */
        for (size_t j = 0; j < k; j++)
            at[(uint8_t)utf8proc_get_property(cp[a + j])->combining_class + 1]++;
        for (int c = 1; c < 257; c++)
            at[c] += at[c - 1];
        for (size_t j = 0; j < k; j++)
            z->run[at[(uint8_t)utf8proc_get_property(cp[a + j])->combining_class]++] = cp[a + j];
        memcpy(cp + a, z->run, k * sizeof *cp);
    }
    return KD_OK;
}

/* utf8proc_decompose(str, len, buf, cap, opt) without its ordering: each code point
 * decomposed as it does (utf8proc_decompose_char(), the grapheme state carried along);
 * returns the number of code points, which may exceed cap (nothing past cap written), or a
 * utf8proc error. canonical_order() then orders them. */
static utf8proc_ssize_t decompose(const utf8proc_uint8_t *str, utf8proc_ssize_t len,
                                  utf8proc_int32_t *buf, utf8proc_ssize_t cap,
                                  utf8proc_option_t opt)
{
    utf8proc_ssize_t w = 0;
    int boundclass = UTF8PROC_BOUNDCLASS_START;
    for (utf8proc_ssize_t r = 0; r < len;) {
        utf8proc_int32_t uc;
        r += utf8proc_iterate(str + r, len - r, &uc);
        if (uc < 0)
            return UTF8PROC_ERROR_INVALIDUTF8;
        utf8proc_ssize_t d = utf8proc_decompose_char(uc, buf + w, cap > w ? cap - w : 0, opt, &boundclass);
        if (d < 0)
            return d;
        w += d;
    }
    return w;
}

/* A segment holding non-ASCII text: clean it, normalise it with utf8proc, append it. */
static int unicode_run(norm *z, const unsigned char *s, size_t n)
{
    kd_buf_clear(&z->clean);
    size_t ncp = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        i += kd_utf8_decode((const char *)s + i, n - i, &cp);
        if (cp < 0)
            cp = 0xFFFD;
        if (invisible(cp))
            continue;
        if (control(cp) && !(z->flags & KD_NORM_KEEPCC))
            cp = ' ';
        char u[4];
        kd_buf_add(&z->clean, u, kd_utf8_encode(cp, u));
        ncp++;
    }
    if (z->clean.oom)
        return KD_ENOMEM;
    if (!ncp)
        return KD_OK;

    const char *c = z->clean.s;
    size_t cn = z->clean.len;
    if (!(z->flags & (KD_NORM_FOLD | KD_NORM_NFKC))) {
        for (size_t i = 0; i < cn;) {
            int32_t cp;
            i += kd_utf8_decode(c + i, cn - i, &cp);
            put(z, cp);
        }
        return KD_OK;
    }

    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_IGNORE;
    if (z->flags & KD_NORM_NFKC)
        opt |= UTF8PROC_COMPAT;
    if (z->flags & KD_NORM_FOLD)
        opt |= UTF8PROC_CASEFOLD;
    size_t want = ncp * 2 + 8;
    utf8proc_ssize_t got;
    for (;;) {
        if (want > z->cpcap) {
            utf8proc_int32_t *p = realloc(z->cp, want * sizeof *p);
            if (!p)
                return KD_ENOMEM;
            z->cp = p;
            z->cpcap = want;
        }
        got = decompose((const utf8proc_uint8_t *)c, (utf8proc_ssize_t)cn, z->cp,
                        (utf8proc_ssize_t)z->cpcap, opt);
        if (got < 0 || (size_t)got <= z->cpcap)
            break;
        want = (size_t)got;
    }
    if (got >= 0 && canonical_order(z, z->cp, got))
        return KD_ENOMEM;
    if (got >= 0)
        got = utf8proc_normalize_utf32(z->cp, got, opt);
    if (got > 0 && (z->flags & KD_NORM_PLAIN))
        got = plain_letters(z->cp, got, (z->flags & KD_NORM_FOLD) != 0);
    if (got > 0 && (z->flags & KD_NORM_DIGITS))
        ascii_digits(z->cp, got);
    if (got < 0) { /* cannot happen on cleaned input; keep the text rather than lose it */
        for (size_t i = 0; i < cn;) {
            int32_t cp;
            i += kd_utf8_decode(c + i, cn - i, &cp);
            put(z, cp);
        }
        return KD_OK;
    }
    for (utf8proc_ssize_t i = 0; i < got; i++)
        put(z, z->cp[i]);
    return KD_OK;
}

size_t kd_ascii_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

int kd_normalize(const char *s, size_t n, unsigned flags, kd_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    norm z = { out, flags, 0, 0, KD_BUF_INIT, NULL, 0, NULL, 0 };
    int rc = KD_OK;
    size_t i = 0;
    while (i < n) {
        size_t j = i + kd_ascii_prefix((const char *)u + i, n - i);
        if (j == n) {
            ascii_run(&z, u + i, n - i);
            break;
        }
        /* u[j] starts non-ASCII text; the ASCII character before it joins the segment */
        size_t a = j > i ? j - 1 : j;
        ascii_run(&z, u + i, a - i);
        size_t k = j;
        while (k < n && u[k] >= 0x80)
            k++;
        if ((rc = unicode_run(&z, u + a, k - a)))
            goto done;
        i = k;
    }
    if (!out->s && !kd_buf_grow(out, 0)) /* an empty result is still a string */
        out->s[0] = '\0';
done:
    kd_buf_free(&z.clean);
    free(z.cp);
    free(z.run);
    if (!rc && out->oom)
        rc = KD_ENOMEM;
    return rc;
}
