/*
 * html.c - decode entities and drop tags from comment text in one forward pass.
 *
 * This is not an HTML parser and does not try to be one: comments carry a handful of inline
 * tags and entities, and spammers write broken markup on purpose. So every construct is
 * recognised locally with bounded look-ahead (an entity is at most a few dozen bytes, a tag
 * at most 1 KiB), anything unrecognised is kept as text, and the position of the next '>'
 * is cached so that a text full of '<' stays linear (the next ']' likewise, for shortcodes).
 * The named-entity table is HTML 4's, searched by bisection over its names as numbers, among
 * those of the name's first letter. Two constructs hide more than themselves: a <script>, <style>, <noscript>
 * or <template> element hides its content up to its end tag, and in post bodies only, a
 * WordPress shortcode marker ("[caption ...]", "[/caption]") is dropped but not what it
 * encloses. Shortcodes are left alone in comments, where "[sic]" is text.
 */
#include "html.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp1252.h"
#include "kindly.h"
#include "normalize.h"

#define MAX_TAG 1024

/* The named entities of HTML 4, those PHP's htmlentities() writes (Latin-1's letters, Greek,
 * the direction marks of Hebrew and Arabic text, typography), and "apos"; sorted by name in
 * byte order for the bisection (keys[]). "nbsp" is a plain space. */
static const struct entity {
    const char *name;
    int32_t cp;
} entities[] = {
    { "AElig", 0xC6 }, { "Aacute", 0xC1 }, { "Acirc", 0xC2 }, { "Agrave", 0xC0 },
    { "Alpha", 0x391 }, { "Aring", 0xC5 }, { "Atilde", 0xC3 }, { "Auml", 0xC4 },
    { "Beta", 0x392 }, { "Ccedil", 0xC7 }, { "Chi", 0x3A7 }, { "Dagger", 0x2021 },
    { "Delta", 0x394 }, { "ETH", 0xD0 }, { "Eacute", 0xC9 }, { "Ecirc", 0xCA },
    { "Egrave", 0xC8 }, { "Epsilon", 0x395 }, { "Eta", 0x397 }, { "Euml", 0xCB },
    { "Gamma", 0x393 }, { "Iacute", 0xCD }, { "Icirc", 0xCE }, { "Igrave", 0xCC },
    { "Iota", 0x399 }, { "Iuml", 0xCF }, { "Kappa", 0x39A }, { "Lambda", 0x39B },
    { "Mu", 0x39C }, { "Ntilde", 0xD1 }, { "Nu", 0x39D }, { "OElig", 0x152 },
    { "Oacute", 0xD3 }, { "Ocirc", 0xD4 }, { "Ograve", 0xD2 }, { "Omega", 0x3A9 },
    { "Omicron", 0x39F }, { "Oslash", 0xD8 }, { "Otilde", 0xD5 }, { "Ouml", 0xD6 },
    { "Phi", 0x3A6 }, { "Pi", 0x3A0 }, { "Prime", 0x2033 }, { "Psi", 0x3A8 }, { "Rho", 0x3A1 },
    { "Scaron", 0x160 }, { "Sigma", 0x3A3 }, { "THORN", 0xDE }, { "Tau", 0x3A4 },
    { "Theta", 0x398 }, { "Uacute", 0xDA }, { "Ucirc", 0xDB }, { "Ugrave", 0xD9 },
    { "Upsilon", 0x3A5 }, { "Uuml", 0xDC }, { "Xi", 0x39E }, { "Yacute", 0xDD },
    { "Yuml", 0x178 }, { "Zeta", 0x396 }, { "aacute", 0xE1 }, { "acirc", 0xE2 },
    { "acute", 0xB4 }, { "aelig", 0xE6 }, { "agrave", 0xE0 }, { "alefsym", 0x2135 },
    { "alpha", 0x3B1 }, { "amp", '&' }, { "and", 0x2227 }, { "ang", 0x2220 }, { "apos", '\'' },
    { "aring", 0xE5 }, { "asymp", 0x2248 }, { "atilde", 0xE3 }, { "auml", 0xE4 },
    { "bdquo", 0x201E }, { "beta", 0x3B2 }, { "brvbar", 0xA6 }, { "bull", 0x2022 },
    { "cap", 0x2229 }, { "ccedil", 0xE7 }, { "cedil", 0xB8 }, { "cent", 0xA2 },
    { "chi", 0x3C7 }, { "circ", 0x2C6 }, { "clubs", 0x2663 }, { "cong", 0x2245 },
    { "copy", 0xA9 }, { "crarr", 0x21B5 }, { "cup", 0x222A }, { "curren", 0xA4 },
    { "dArr", 0x21D3 }, { "dagger", 0x2020 }, { "darr", 0x2193 }, { "deg", 0xB0 },
    { "delta", 0x3B4 }, { "diams", 0x2666 }, { "divide", 0xF7 }, { "eacute", 0xE9 },
    { "ecirc", 0xEA }, { "egrave", 0xE8 }, { "empty", 0x2205 }, { "emsp", 0x2003 },
    { "ensp", 0x2002 }, { "epsilon", 0x3B5 }, { "equiv", 0x2261 }, { "eta", 0x3B7 },
    { "eth", 0xF0 }, { "euml", 0xEB }, { "euro", 0x20AC }, { "exist", 0x2203 },
    { "fnof", 0x192 }, { "forall", 0x2200 }, { "frac12", 0xBD }, { "frac14", 0xBC },
    { "frac34", 0xBE }, { "frasl", 0x2044 }, { "gamma", 0x3B3 }, { "ge", 0x2265 },
    { "gt", '>' }, { "hArr", 0x21D4 }, { "harr", 0x2194 }, { "hearts", 0x2665 },
    { "hellip", 0x2026 }, { "iacute", 0xED }, { "icirc", 0xEE }, { "iexcl", 0xA1 },
    { "igrave", 0xEC }, { "image", 0x2111 }, { "infin", 0x221E }, { "int", 0x222B },
    { "iota", 0x3B9 }, { "iquest", 0xBF }, { "isin", 0x2208 }, { "iuml", 0xEF },
    { "kappa", 0x3BA }, { "lArr", 0x21D0 }, { "lambda", 0x3BB }, { "lang", 0x2329 },
    { "laquo", 0xAB }, { "larr", 0x2190 }, { "lceil", 0x2308 }, { "ldquo", 0x201C },
    { "le", 0x2264 }, { "lfloor", 0x230A }, { "lowast", 0x2217 }, { "loz", 0x25CA },
    { "lrm", 0x200E }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", '<' },
    { "macr", 0xAF }, { "mdash", 0x2014 }, { "micro", 0xB5 }, { "middot", 0xB7 },
    { "minus", 0x2212 }, { "mu", 0x3BC }, { "nabla", 0x2207 }, { "nbsp", ' ' },
    { "ndash", 0x2013 }, { "ne", 0x2260 }, { "ni", 0x220B }, { "not", 0xAC },
    { "notin", 0x2209 }, { "nsub", 0x2284 }, { "ntilde", 0xF1 }, { "nu", 0x3BD },
    { "oacute", 0xF3 }, { "ocirc", 0xF4 }, { "oelig", 0x153 }, { "ograve", 0xF2 },
    { "oline", 0x203E }, { "omega", 0x3C9 }, { "omicron", 0x3BF }, { "oplus", 0x2295 },
    { "or", 0x2228 }, { "ordf", 0xAA }, { "ordm", 0xBA }, { "oslash", 0xF8 },
    { "otilde", 0xF5 }, { "otimes", 0x2297 }, { "ouml", 0xF6 }, { "para", 0xB6 },
    { "part", 0x2202 }, { "permil", 0x2030 }, { "perp", 0x22A5 }, { "phi", 0x3C6 },
    { "pi", 0x3C0 }, { "piv", 0x3D6 }, { "plusmn", 0xB1 }, { "pound", 0xA3 },
    { "prime", 0x2032 }, { "prod", 0x220F }, { "prop", 0x221D }, { "psi", 0x3C8 },
    { "quot", '"' }, { "rArr", 0x21D2 }, { "radic", 0x221A }, { "rang", 0x232A },
    { "raquo", 0xBB }, { "rarr", 0x2192 }, { "rceil", 0x2309 }, { "rdquo", 0x201D },
    { "real", 0x211C }, { "reg", 0xAE }, { "rfloor", 0x230B }, { "rho", 0x3C1 },
    { "rlm", 0x200F }, { "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
    { "scaron", 0x161 }, { "sdot", 0x22C5 }, { "sect", 0xA7 }, { "shy", 0xAD },
    { "sigma", 0x3C3 }, { "sigmaf", 0x3C2 }, { "sim", 0x223C }, { "spades", 0x2660 },
    { "sub", 0x2282 }, { "sube", 0x2286 }, { "sum", 0x2211 }, { "sup", 0x2283 },
    { "sup1", 0xB9 }, { "sup2", 0xB2 }, { "sup3", 0xB3 }, { "supe", 0x2287 }, { "szlig", 0xDF },
    { "tau", 0x3C4 }, { "there4", 0x2234 }, { "theta", 0x3B8 }, { "thetasym", 0x3D1 },
    { "thinsp", 0x2009 }, { "thorn", 0xFE }, { "tilde", 0x2DC }, { "times", 0xD7 },
    { "trade", 0x2122 }, { "uArr", 0x21D1 }, { "uacute", 0xFA }, { "uarr", 0x2191 },
    { "ucirc", 0xFB }, { "ugrave", 0xF9 }, { "uml", 0xA8 }, { "upsih", 0x3D2 },
    { "upsilon", 0x3C5 }, { "uuml", 0xFC }, { "weierp", 0x2118 }, { "xi", 0x3BE },
    { "yacute", 0xFD }, { "yen", 0xA5 }, { "yuml", 0xFF }, { "zeta", 0x3B6 }, { "zwj", 0x200D },
    { "zwnj", 0x200C },
};

static int is_alpha(int c) { return (unsigned)((c | 0x20) - 'a') < 26u; }
static int is_digit(int c) { return (unsigned)(c - '0') < 10u; }
static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int hexval(int c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#define NENTITIES (sizeof entities / sizeof *entities)
/* The longest name ("thetasym"): a longer one is no entity. */
#define MAX_NAME 8

/* A name of at most MAX_NAME bytes as a number: its bytes from the most significant down,
 * zeros after them. The numbers sort as the names do in byte order ("sup" before "sup1"), so
 * the bisection compares integers, among the few names of one first letter: `kindly check`
 * of 300,000 "&amp;" took 497 M instructions with bsearch() and strcmp() over all names, 237 M
 * when "amp" came first in a list of 41, now 266 M (callgrind). */
static uint64_t name_key(const char *s, size_t n)
{
    uint64_t k = 0;
    for (size_t j = 0; j < MAX_NAME; j++)
        k = k << 8 | (j < n ? (unsigned char)s[j] : 0u);
    return k;
}

static uint64_t keys[NENTITIES]; /* name_key of entities[k].name (entity() builds a name's own) */
/* The names that begin with byte c are entities[by_first[c]..by_first[c + 1]): a bisection of
 * a few (at most 19, those of 's') for the letter a name begins with. */
static unsigned char by_first[129];
_Static_assert(NENTITIES <= 255, "by_first holds an index of entities[] in a byte");
/* (a name longer than MAX_NAME would never be found: test_html decodes every name) */
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void keys_build(void)
{
    for (size_t k = 0; k < NENTITIES; k++)
        keys[k] = name_key(entities[k].name, strlen(entities[k].name));
    for (size_t c = 0, k = 0; c < sizeof by_first; c++) {
        while (k < NENTITIES && (unsigned char)entities[k].name[0] < c)
            k++;
        by_first[c] = (unsigned char)k;
    }
}

/* An entity at s[0..n) (s[0] == '&'): its length and code point, or 0 when there is none. */
static size_t entity(const char *s, size_t n, int32_t *cp)
{
    size_t i = 1;
    if (n > 2 && s[1] == '#') {
        int hex = (s[2] | 0x20) == 'x';
        uint32_t v = 0;
        size_t nd = 0;
        i = 2 + (size_t)hex;
        /* every digit is part of it, as in browsers ("&#0000000065;" is "A"); a value beyond
         * Unicode stays beyond it (saturated) and becomes U+FFFD below */
        for (; i < n; i++, nd++) {
            int d = hex ? hexval(s[i]) : (is_digit(s[i]) ? s[i] - '0' : -1);
            if (d < 0)
                break;
            v = v > 0x10FFFF ? 0x110000 : v * (hex ? 16u : 10u) + (uint32_t)d;
        }
        if (!nd)
            return 0;
        if (i < n && s[i] == ';')
            i++;
        if (kd_cp1252_c1(v)) /* &#128;..&#159; as Windows-1252, like browsers */
            v = kd_cp1252_c1(v);
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (v >= 0x80 && v <= 0x9F))
            v = 0xFFFD;
        *cp = (int32_t)v;
        return i;
    }
    uint64_t key = 0; /* name_key of the name, built as it is read */
    for (; i < n && i < 10 && (is_alpha(s[i]) || is_digit(s[i])); i++)
        key = key << 8 | (unsigned char)s[i];
    if (i == 1 || i - 1 > MAX_NAME || i >= n || s[i] != ';')
        return 0;
    key <<= 8 * (MAX_NAME - (i - 1));
    pthread_once(&keys_once, keys_build);
    unsigned first = (unsigned char)s[1]; /* a letter or digit: below 128 */
    size_t lo = by_first[first], hi = by_first[first + 1], end = hi;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == end || keys[lo] != key)
        return 0;
    *cp = entities[lo].cp;
    return i + 1;
}

static void put_cp(kd_buf *out, int32_t cp)
{
    char u[4];
    kd_buf_add(out, u, kd_utf8_encode(cp, u));
}

/* Copy s[0..n) decoding entities only (attribute values). */
static void put_decoded(kd_buf *out, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        int32_t cp;
        size_t len;
        if (s[i] == '&' && (len = entity(s + i, n - i, &cp))) {
            kd_buf_add(out, s + run, i - run);
            put_cp(out, cp);
            i += len;
            run = i;
        } else {
            i++;
        }
    }
    kd_buf_add(out, s + run, n - run);
}

static int name_is(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (k != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != name[i])
            return 0;
    return 1;
}

static int block_tag(const char *s, size_t n)
{
    static const char *const block[] = {
        "br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table",
        "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
        "header", "footer",
    };
    for (size_t i = 0; i < sizeof block / sizeof *block; i++)
        if (name_is(s, n, block[i]))
            return 1;
    return 0;
}

/* The value of attribute `href` in the tag body t[0..n), or NULL. */
static const char *href(const char *t, size_t n, size_t *len)
{
    for (size_t i = 1; i + 4 <= n; i++) {
        if (!is_space(t[i - 1]) || !name_is(t + i, 4, "href"))
            continue;
        size_t j = i + 4;
        while (j < n && is_space(t[j]))
            j++;
        if (j >= n || t[j] != '=')
            continue;
        j++;
        while (j < n && is_space(t[j]))
            j++;
        if (j >= n)
            return NULL;
        size_t k;
        if (t[j] == '"' || t[j] == '\'') {
            const char *q = memchr(t + j + 1, t[j], n - j - 1);
            j++;
            k = q ? (size_t)(q - t) : n;
        } else {
            for (k = j; k < n && !is_space(t[k]); k++)
                ;
        }
        *len = k - j;
        return t + j;
    }
    return NULL;
}

/* Elements whose content a browser never shows as text: <script>, <style>, <noscript> (a
 * browser with scripts shows nothing of it) and <template>. Their words are code, not prose:
 * kept, "var trackingpixel = analytics()" in a post made comments about it "relevant". */
static const char *raw_tag(const char *s, size_t n)
{
    static const char *const raw[] = { "script", "style", "noscript", "template" };
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++)
        if (name_is(s, n, raw[i]))
            return raw[i];
    return NULL;
}

/* Offset just past the end tag "</name ...>" at or after s[from], or n when there is none:
 * like a browser, an unclosed <script> hides the rest of the document. */
static size_t raw_end(const char *s, size_t n, size_t from, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = s + from; (p = memchr(p, '<', (size_t)(s + n - p))); p++) {
        size_t at = (size_t)(p - s), j = at + 2 + k;
        if (n - at < k + 2 || p[1] != '/' || !name_is(p + 2, k, name))
            continue;
        if (j < n && !is_space(s[j]) && s[j] != '/' && s[j] != '>')
            continue; /* "</scripts" */
        const char *gt = memchr(s + j, '>', n - j);
        return gt ? (size_t)(gt - s) + 1 : n;
    }
    return n;
}

/*
 * Where the tag whose attributes start at s[j] ends: its first '>' outside a quoted
 * attribute value, as a browser reads it ("<img alt=\"a > b\">" is one tag), looked for in
 * s[j..lim). A value is quoted when its first character, after the '=' and any white space,
 * is '"' or '\'' (a quote elsewhere, "<p \"x>" or "a=b\"c", is an ordinary character). gt is
 * the first '>' at or after s[j]; the answer when the quote that hides it is not closed
 * before lim, where a browser would read the rest of the text as the tag: the first '>' ends
 * it then, as it did before quotes were read, and no text is lost past it.
 * Time: a tag found ends the look, and the text up to its end is passed over. A look that
 * meets a quote not closed goes on to lim, but it leaves no quote of that kind between that
 * one and lim, so the next such look but one for the same quote character starts past lim:
 * at most four such looks start within any MAX_TAG bytes, and all of them take linear time.
 */
static size_t tag_end(const char *s, size_t j, size_t lim, size_t gt)
{
    for (size_t k = j; k < lim;) {
        if (s[k] == '>')
            return k;
        if (s[k++] != '=')
            continue;
        while (k < lim && is_space(s[k]))
            k++;
        if (k < lim && (s[k] == '"' || s[k] == '\'')) {
            const char *q = memchr(s + k + 1, s[k], lim - k - 1);
            if (!q)
                return gt;
            k = (size_t)(q - s) + 1;
        } else {
            while (k < lim && !is_space(s[k]) && s[k] != '>')
                k++;
        }
    }
    return gt;
}

static int shortcode_char(int c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '-'; }

/* Index just past the shortcode attributes at s[j..rb), or 0 if they are not attributes:
 * each is key=value, key="value", key='value' or a quoted value, then an optional '/'.
 * Bare words are not: "[content warning: grief]" and "[update 2024: helplines]" are notes
 * in a post, not markers to drop. */
static size_t shortcode_attrs(const char *s, size_t j, size_t rb)
{
    for (;;) {
        while (j < rb && is_space(s[j]))
            j++;
        if (j == rb || (s[j] == '/' && j + 1 == rb))
            return rb;
        if (s[j] != '"' && s[j] != '\'') {
            size_t k = j;
            while (k < rb && shortcode_char(s[k]))
                k++;
            if (k == j || k == rb || s[k] != '=')
                return 0;
            j = k + 1;
        }
        if (j < rb && (s[j] == '"' || s[j] == '\'')) {
            const char *q = memchr(s + j + 1, s[j], rb - j - 1);
            if (!q)
                return 0;
            j = (size_t)(q - s) + 1;
        } else {
            while (j < rb && !is_space(s[j]))
                j++;
        }
        if (j < rb && !is_space(s[j]) && s[j] != '/')
            return 0; /* key="a"b */
    }
}

/*
 * The length of the shortcode marker at s[0..rb] (s[0] == '[', s[rb] the next ']'), or 0:
 * "[name]", "[name attrs...]", "[name/]" or "[/name]", name a lower-case letter then
 * letters, digits, '_' and '-' (WordPress's shortcode names, lower case by convention;
 * "[Update]" is a note) and attrs as shortcode_attrs() reads them. Attributes run to the
 * first ']', as in WordPress, which allows no ']' inside them.
 */
static size_t shortcode(const char *s, size_t rb)
{
    size_t j = 1 + (size_t)(s[1] == '/');
    int closing = j == 2;
    if (j >= rb || !(s[j] >= 'a' && s[j] <= 'z'))
        return 0;
    while (j < rb && shortcode_char(s[j]))
        j++;
    if (j == rb)
        return rb + 1;
    if (closing || (!is_space(s[j]) && s[j] != '/'))
        return 0; /* "[/a b]", "[a=b]", "[a.b]" */
    return shortcode_attrs(s, j, rb) ? rb + 1 : 0;
}

static int decode(const char *s, size_t n, int shortcodes, kd_buf *out)
{
    const char *gt = NULL; /* next '>' at or after i, when gt_known */
    const char *rb = NULL; /* next ']' at or after i, when rb_known (same caching as gt) */
    int gt_known = 0, rb_known = 0;
    size_t i = 0, run = 0; /* s[run..i) is plain text not yet copied */
    while (i < n) {
        char c = s[i];
        if (c != '<' && c != '&' && (c != '[' || !shortcodes)) {
            i++;
            continue;
        }
        if (c == '[') {
            if (i + 1 < n && s[i + 1] == '[') {
                i += 2; /* "[[gallery]]" is WordPress's escape for the literal "[gallery]" */
                continue;
            }
            if (!rb_known || (rb && rb < s + i)) {
                rb = memchr(s + i, ']', n - i);
                rb_known = 1;
            }
            size_t len = rb && (size_t)(rb - (s + i)) <= MAX_TAG ? shortcode(s + i, (size_t)(rb - (s + i))) : 0;
            if (!len) {
                i++;
                continue;
            }
            kd_buf_add(out, s + run, i - run);
            kd_buf_putc(out, '\n'); /* most shortcodes render as blocks: caption, gallery, embed */
            i = run = i + len;
            continue;
        }
        if (c == '&') {
            int32_t cp;
            size_t len = entity(s + i, n - i, &cp);
            if (!len) {
                i++;
                continue;
            }
            kd_buf_add(out, s + run, i - run);
            put_cp(out, cp);
            i += len;
            run = i;
            continue;
        }
        /* '<' */
        if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
            /* it ends where a browser ends it, which shows what follows: at the first "-->"
             * or "--!>", or at once in "<!-->" and "<!--->" */
            const char *end = NULL, *body = s + i + 4;
            if (body < s + n && *body == '>')
                end = body + 1;
            else if (s + n - body >= 2 && body[0] == '-' && body[1] == '>')
                end = body + 2;
            for (const char *p = body; !end && (p = memchr(p, '-', (size_t)(s + n - p))); p++)
                if (s + n - p >= 3 && memcmp(p, "-->", 3) == 0)
                    end = p + 3;
                else if (s + n - p >= 4 && memcmp(p, "--!>", 4) == 0)
                    end = p + 4;
            kd_buf_add(out, s + run, i - run);
            i = run = end ? (size_t)(end - s) : n; /* an unclosed comment runs to the end */
            continue;
        }
        size_t j = i + 1;
        int closing = j < n && s[j] == '/';
        j += (size_t)closing;
        size_t name = j;
        int bogus = j < n && (s[j] == '!' || s[j] == '?') && !closing; /* "<!DOCTYPE", "<?xml" */
        if (bogus) {
            j++;
        } else {
            while (j < n && (is_alpha(s[j]) || (j > name && is_digit(s[j]))))
                j++;
            if (j == name || (j < n && !is_space(s[j]) && s[j] != '/' && s[j] != '>')) {
                i++; /* "<3", "< b", "<b's": not a tag */
                continue;
            }
        }
        if (!gt_known || (gt && gt < s + i)) {
            gt = memchr(s + i, '>', n - i);
            gt_known = 1;
        }
        if (!gt || (size_t)(gt - (s + i)) > MAX_TAG) {
            i++;
            continue;
        }
        size_t end = (size_t)(gt - s);
        if (!bogus && memchr(s + j, '=', end - j)) /* a quoted value may hold the first '>' */
            end = tag_end(s, j, n - i > MAX_TAG ? i + MAX_TAG + 1 : n, end);
        kd_buf_add(out, s + run, i - run);
        size_t hlen;
        const char *h;
        if (!closing && name_is(s + name, j - name, "a") &&
            (h = href(s + j, end - j, &hlen)) && hlen) {
            kd_buf_putc(out, ' ');
            put_decoded(out, h, hlen);
            kd_buf_putc(out, ' ');
        } else if (block_tag(s + name, j - name)) {
            kd_buf_putc(out, '\n');
        }
        i = run = end + 1;
        const char *raw = closing ? NULL : raw_tag(s + name, j - name);
        if (raw)
            i = run = raw_end(s, n, i, raw);
    }
    kd_buf_add(out, s + run, n - run);
    return out->oom ? KD_ENOMEM : KD_OK;
}

int kd_html_decode(const char *s, size_t n, kd_buf *out)
{
    return decode(s, n, 0, out);
}

int kd_html_decode_post(const char *s, size_t n, kd_buf *out)
{
    return decode(s, n, 1, out);
}

int kd_html_maybe(const char *s, size_t n)
{
    return memchr(s, '<', n) != NULL || memchr(s, '&', n) != NULL;
}

int kd_html_post_maybe(const char *s, size_t n)
{
    return kd_html_maybe(s, n) || memchr(s, '[', n) != NULL;
}
