/*
 * form.c - application/x-www-form-urlencoded decoding (WHATWG URL standard, "urlencoded
 * parsing"), strict about what the standard leaves lenient: a '%' not followed by two hex
 * digits is an error here, so that a truncated or double-encoded body gets a 400 naming the
 * offset instead of being classified as garbage.
 */
#include "form.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
 * bad escape (its offset in *bad). */
static size_t decode(const char *s, size_t n, char *d, size_t *bad)
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
            char *name = d;
            if ((k = decode(body + i, nlen, d, &bad)) == (size_t)-1) {
                snprintf(err, errlen, "malformed form: bad %%-escape at byte %zu", bad + i);
                return -1;
            }
            d += k + 1;
            char *value = d;
            if ((k = decode(v, (size_t)(body + end - v), d, &bad)) == (size_t)-1) {
                snprintf(err, errlen, "malformed form: bad %%-escape at byte %zu", bad + (size_t)(v - body));
                return -1;
            }
            d += k + 1;
            out->name[out->n] = name;
            out->value[out->n] = value;
            out->n++;
        }
        i = end + 1;
    }
    return 0;
}

const char *form_get(const srv_form *f, const char *name)
{
    /* a comment-check asks for about twenty names among a dozen fields: compare the first
     * byte before calling strcmp */
    for (size_t i = 0; i < f->n; i++)
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

static int fix(const srv_form *f, char **sp, int latin1)
{
    const unsigned char *s = (const unsigned char *)*sp;
    size_t n = strlen(*sp), extra = 0;
    size_t a = 0; /* the ASCII prefix needs no look (most fields are all ASCII) */
    while (a < n && s[a] < 0x80)
        a++;
    if (a == n)
        return 0;
    for (size_t i = a; i < n;) {
        if (latin1) {
            extra += s[i] >= 0x80;
            i++;
            continue;
        }
        size_t k = utf8_seq(s + i); /* reads past a short tail stop at the NUL, which is invalid */
        if (k)
            i += k;
        else {
            extra += 2; /* one byte becomes the 3 bytes of U+FFFD */
            i++;
        }
    }
    if (!extra)
        return 0;
    unsigned char *d = malloc(n + extra + 1), *p = d;
    if (!d)
        return -2;
    for (size_t i = 0; i < n;) {
        size_t k = latin1 ? (s[i] < 0x80) : utf8_seq(s + i);
        if (k) {
            memcpy(p, s + i, k);
            p += k;
            i += k;
        } else if (latin1) {
            *p++ = (unsigned char)(0xC0 | s[i] >> 6);
            *p++ = (unsigned char)(0x80 | (s[i] & 0x3F));
            i++;
        } else {
            *p++ = 0xEF, *p++ = 0xBF, *p++ = 0xBD;
            i++;
        }
    }
    *p = '\0';
    if (!in_arena(f, *sp))
        free(*sp);
    *sp = (char *)d;
    return 0;
}

int form_to_utf8(srv_form *f, const char *charset)
{
    int latin1 = charset && (!strcasecmp(charset, "ISO-8859-1") || !strcasecmp(charset, "latin1") ||
                             !strcasecmp(charset, "ISO8859-1") || !strcasecmp(charset, "windows-1252") ||
                             !strcasecmp(charset, "cp1252"));
    for (size_t i = 0; i < f->n; i++)
        if (fix(f, &f->name[i], latin1) || fix(f, &f->value[i], latin1))
            return -2;
    return 0;
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
