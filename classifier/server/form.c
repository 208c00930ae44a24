/*
 * form.c - application/x-www-form-urlencoded decoding (WHATWG URL standard, "urlencoded
 * parsing"), strict about what the standard leaves lenient: a '%' not followed by two hex
 * digits is an error here, so that a truncated or double-encoded body gets a 400 naming the
 * offset instead of being classified as garbage.
 *
 * form_to_utf8() reads UTF-8 and windows-1252 itself (nearly every request) and leaves every
 * other blog_charset to iconv, which glibc provides: no new dependency, and a descriptor per
 * call keeps the decoder free of shared state between server threads.
 */
#include "form.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp1252.h"
#include "reply.h"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) to d (room for n + 1 bytes); returns the decoded length, or (size_t)-1 on a
 * bad escape (its offset in *bad). A NUL byte becomes a space, and sets *nul. */
static size_t decode(const char *s, size_t n, char *d, size_t *bad, int *nul)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+')
            c = ' ';
        else if (c == '%') {
            int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *bad = i;
                return (size_t)-1;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        *nul |= !c;
        d[j++] = c ? (char)c : ' ';
    }
    d[j] = '\0';
    return j;
}

/*
 * One allocation per form: the fields are counted first (an upper bound: one per '&' plus
 * one), then the pointer arrays and every decoded string go into one block, since a decoded
 * string is never longer than its encoding and each needs one NUL. A comment-check form of
 * a dozen fields used to cost two dozen mallocs and frees.
 */
int form_parse(const char *body, size_t len, srv_form *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t fields = 1;
    for (const char *p = body, *e = body + len; (p = memchr(p, '&', (size_t)(e - p))); p++)
        fields++;
    if (fields > FORM_MAX_FIELDS + 1)
        fields = FORM_MAX_FIELDS + 1; /* enough to see that there are too many */
    size_t arrays = 2 * fields * sizeof(char *);
    char *arena = malloc(arrays + len + 2 * fields);
    if (!arena)
        return -2;
    out->arena = arena;
    out->arena_len = arrays + len + 2 * fields;
    out->name = (char **)(void *)arena;
    out->value = out->name + fields;
    char *d = arena + arrays;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end > i) {
            if (out->n == FORM_MAX_FIELDS) {
                snprintf(err, errlen, "malformed form: more than %d fields", FORM_MAX_FIELDS);
                return -1;
            }
            const char *eq = memchr(body + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
            const char *v = eq ? eq + 1 : body + end;
            size_t bad = 0, k;
            int nul = 0;
            char *name = d;
            if ((k = decode(body + i, nlen, d, &bad, &nul)) == (size_t)-1) {
                snprintf(err, errlen, "malformed form: bad %%-escape at byte %zu", bad + i);
                return -1;
            }
            d += k + 1;
            char *value = d;
            if ((k = decode(v, (size_t)(body + end - v), d, &bad, &nul)) == (size_t)-1) {
                snprintf(err, errlen, "malformed form: bad %%-escape at byte %zu", bad + (size_t)(v - body));
                return -1;
            }
            d += k + 1;
            out->name[out->n] = name;
            out->value[out->n] = value;
            out->n++;
            if (nul && !out->nul_field)
                out->nul_field = out->n;
        }
        i = end + 1;
    }
    return 0;
}

const char *form_get(const srv_form *f, const char *name)
{
    /* a comment-check asks for about twenty names among a dozen fields: compare the first
     * byte before calling strcmp. A name given twice: the last value, as PHP (WordPress)
     * reads the same body. */
    for (size_t i = f->n; i-- > 0;)
        if (f->name[i][0] == name[0] && !strcmp(f->name[i], name))
            return f->value[i];
    return NULL;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* 1 if s is one of the strings decoded into f's arena (else form_to_utf8 allocated it). */
static int in_arena(const srv_form *f, const char *s)
{
    uintptr_t p = (uintptr_t)s, a = (uintptr_t)f->arena; /* integers: s may be another block */
    return f->arena && p >= a && p - a < f->arena_len;
}

/* Put code point cp (below U+10000: all Windows-1252 gives) as UTF-8 at p; returns the end. */
static unsigned char *put_bmp(unsigned char *p, uint32_t cp)
{
    if (cp < 0x80) {
        *p++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *p++ = (unsigned char)(0xC0 | cp >> 6);
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (unsigned char)(0xE0 | cp >> 12);
        *p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return p;
}

/* s[0..n) read as Windows-1252 (WHATWG: 0x80..0x9F per its table, the five bytes it leaves
 * undefined as the C1 control of the same number, the rest as Latin-1), malloc'd. */
static char *from_cp1252(const unsigned char *s, size_t n)
{
    unsigned char *d = malloc(3 * n + 1), *p = d; /* at most 3 bytes per byte (U+20AC) */
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = kd_cp1252_c1(s[i]);
        p = put_bmp(p, cp ? cp : s[i]);
    }
    *p = '\0';
    return (char *)d;
}

/* s[0..n) with each byte that starts no valid UTF-8 sequence replaced by U+FFFD, malloc'd. */
static char *utf8_repaired(const unsigned char *s, size_t n)
{
    unsigned char *d = malloc(3 * n + 1), *p = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(s + i); /* reads past a short tail stop at the NUL, which is invalid */
        if (k) {
            memcpy(p, s + i, k);
            p += k;
            i += k;
        } else {
            *p++ = 0xEF, *p++ = 0xBF, *p++ = 0xBD;
            i++;
        }
    }
    *p = '\0';
    return (char *)d;
}

/* 1 if s[0..n) is valid UTF-8. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = utf8_seq(s + i)))
            return 0;
    return 1;
}

/*
 * s[0..n) converted by cd to UTF-8, malloc'd, or NULL when out of memory. A byte the charset
 * cannot read becomes U+FFFD, a truncated tail one U+FFFD; a NUL (UTF-7 can spell one
 * without a 0 byte) becomes a space, as in form_parse(), and the result is checked as UTF-8
 * like any other field rather than trusting every iconv module to emit it well-formed.
 */
static char *from_iconv(iconv_t cd, const char *s, size_t n)
{
    size_t cap = 4 * n + 16, len = 0;
    char *d = malloc(cap);
    char *in = (char *)s; /* iconv's prototype is not const-correct */
    size_t left = n;
    iconv(cd, NULL, NULL, NULL, NULL); /* back to the initial shift state */
    int grow = 0;
    while (d) {
        if (grow || cap - len < 16) {
            grow = 0;
            char *g = realloc(d, cap *= 2);
            if (!g)
                free(d);
            if (!(d = g))
                break;
        }
        char *o = d + len;
        size_t room = cap - len - 4; /* 4: room for a U+FFFD and the NUL */
        int flushing = left == 0;    /* a stateful charset may owe a shift sequence's output */
        size_t r = flushing ? iconv(cd, NULL, NULL, &o, &room) : iconv(cd, &in, &left, &o, &room);
        int e = errno;
        len = (size_t)(o - d);
        if (r != (size_t)-1 || (flushing && e != E2BIG)) {
            if (flushing)
                break;
        } else if (e == E2BIG) {
            grow = 1;
        } else { /* EILSEQ: skip the byte; EINVAL: a truncated sequence ends the input */
            memcpy(d + len, "\xEF\xBF\xBD", 3);
            len += 3;
            /* never past the end: glibc's ISO-2022-CN-EXT reports EILSEQ for a trailing SO
             * byte it has already consumed (left 0), and skipping one more would wrap left
             * around and read the heap beyond the field */
            size_t skip = e == EINVAL ? left : left ? 1 : 0;
            in += skip;
            left -= skip;
        }
    }
    if (!d)
        return NULL;
    d[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!d[i])
            d[i] = ' ';
    if (utf8_valid((unsigned char *)d, len))
        return d;
    char *r = utf8_repaired((unsigned char *)d, len);
    free(d);
    return r;
}
/* How form_to_utf8() reads the bytes of a field. */
typedef struct reader {
    enum { READ_UTF8, READ_CP1252, READ_ICONV } how;
    iconv_t cd; /* READ_ICONV */
} reader;

/* 1 if s[0..n) must be rewritten to be UTF-8 in rd's charset. */
static int needs_rewrite(const unsigned char *s, size_t n, const reader *rd)
{
    size_t a = 0; /* the ASCII prefix needs no look (most fields are all ASCII) */
    while (a < n && s[a] < 0x80 && (s[a] != 0x1B || rd->how != READ_ICONV))
        a++; /* ESC: ISO-2022-JP spells its kanji in 7-bit bytes after one */
    if (a == n)
        return 0;
    return rd->how != READ_UTF8 || !utf8_valid(s + a, n - a);
}

static int fix(const srv_form *f, char **sp, const reader *rd)
{
    const unsigned char *s = (const unsigned char *)*sp;
    size_t n = strlen(*sp);
    if (!needs_rewrite(s, n, rd))
        return 0;
    char *d = rd->how == READ_CP1252 ? from_cp1252(s, n)
            : rd->how == READ_ICONV  ? from_iconv(rd->cd, *sp, n)
                                     : utf8_repaired(s, n);
    if (!d)
        return -2;
    if (!in_arena(f, *sp))
        free(*sp);
    *sp = d;
    return rd->how == READ_UTF8; /* bytes that are not UTF-8 were replaced */
}

/* 1 if label (trimmed, case-insensitive) is one of list's. */
static int label_in(const char *label, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && !strncasecmp(label, *list, n))
            return 1;
    return 0;
}

/* Every label of UTF-8 and of windows-1252 in the WHATWG encoding standard: browsers, and so
 * the forms WordPress receives, read ISO-8859-1 and even US-ASCII as windows-1252. */
static const char *const utf8_labels[] = { "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8",
                                           "unicode20utf8", "x-unicode20utf8", NULL };
static const char *const cp1252_labels[] = {
    "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1",
    "iso_8859-1:1987", "latin1", "l1", "iso-ir-100", "ibm819", "cp819", "csisolatin1",
    "us-ascii", "ascii", "ansi_x3.4-1968", NULL,
};

/* 1 if cd reads printable ASCII as itself: a form is %-encoded ASCII around its values, and
 * converting "comment_content" from UTF-16 or UTF-7 would lose every field name. */
static int ascii_compatible(iconv_t cd)
{
    static const char probe[] = "azAZ09 !\"'(),.:;=?@_-+&%/";
    char buf[4 * sizeof probe], *in = (char *)probe, *o = buf;
    size_t left = sizeof probe - 1, room = sizeof buf;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 || iconv(cd, NULL, NULL, &o, &room) == (size_t)-1)
        return 0;
    return (size_t)(o - buf) == sizeof probe - 1 && !memcmp(buf, probe, sizeof probe - 1);
}

/* A converter from charset name[0..n) to UTF-8, or (iconv_t)-1. Only names made of letters,
 * digits and "-_.:" reach iconv_open(): the name comes from the network, and glibc reads a
 * "//" suffix as conversion options. */
static iconv_t open_charset(const char *name, size_t n)
{
    char cs[48];
    if (!n || n >= sizeof cs)
        return (iconv_t)-1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') && !strchr("-_.:", c))
            return (iconv_t)-1;
        cs[i] = (char)c;
    }
    cs[n] = '\0';
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd != (iconv_t)-1 && !ascii_compatible(cd)) {
        iconv_close(cd);
        return (iconv_t)-1;
    }
    return cd;
}

int form_to_utf8(srv_form *f, const char *charset)
{
    reader rd = { READ_UTF8, (iconv_t)-1 };
    const char *cs = charset ? charset : "";
    size_t n = strlen(cs);
    while (n && strchr(" \t\n\f\r", cs[n - 1])) /* WHATWG trims ASCII whitespace off a label */
        n--;
    while (n && strchr(" \t\n\f\r", *cs))
        cs++, n--;
    f->warning[0] = '\0';
    if (n && label_in(cs, n, cp1252_labels))
        rd.how = READ_CP1252;
    else if (n && !label_in(cs, n, utf8_labels)) {
        rd.cd = open_charset(cs, n);
        rd.how = rd.cd == (iconv_t)-1 ? READ_UTF8 : READ_ICONV;
        if (rd.cd == (iconv_t)-1) {
            snprintf(f->warning, sizeof f->warning, "unknown or unsupported charset \"%.*s\": read as UTF-8",
                     (int)(n < 40 ? n : 40), cs);
            /* it goes out as a header (X-kindly-warning): a control character or a non-ASCII
             * byte from the client would make the header refused, and the warning lost */
            srv_header_ascii(f->warning);
        }
    }
    int rc = 0, repaired = 0;
    for (size_t i = 0; i < f->n && !rc; i++) {
        int a = fix(f, &f->name[i], &rd), b = a < 0 ? 0 : fix(f, &f->value[i], &rd);
        if (a < 0 || b < 0)
            rc = -2;
        repaired |= a > 0 || b > 0;
    }
    if (repaired && !f->warning[0]) /* not silently: the text the client meant is lost */
        snprintf(f->warning, sizeof f->warning, "bytes that are not UTF-8 replaced by U+FFFD: declare the "
                                                "charset (blog_charset)");
    if (rd.how == READ_ICONV)
        iconv_close(rd.cd);
    return rc;
}

void form_free(srv_form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        if (!in_arena(f, f->name[i]))
            free(f->name[i]);
        if (!in_arena(f, f->value[i]))
            free(f->value[i]);
    }
    free(f->arena);
    memset(f, 0, sizeof *f);
}
