/*
 * form.c - application/x-www-form-urlencoded decoding (WHATWG URL standard, "urlencoded
 * parsing"), strict about what the standard leaves lenient: a '%' not followed by two hex
 * digits is an error here, so that a truncated or double-encoded body gets a 400 naming the
 * offset instead of being classified as garbage.
 */
#include "form.h"

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

/* Decode s[0..n) into a new string; -1 on a bad escape (offset in *bad). */
static int decode(const char *s, size_t n, char **out, size_t *bad)
{
    char *d = malloc(n + 1);
    if (!d)
        return -2;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+')
            c = ' ';
        else if (c == '%') {
            int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(d);
                *bad = i;
                return -1;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        d[j++] = c ? (char)c : ' ';
    }
    d[j] = '\0';
    *out = d;
    return 0;
}

int form_parse(const char *body, size_t len, srv_form *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end > i) {
            if (out->n == FORM_MAX_FIELDS) {
                snprintf(err, errlen, "malformed form: more than %d fields", FORM_MAX_FIELDS);
                return -1;
            }
            if (out->n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                char **nn = realloc(out->name, nc * sizeof *nn);
                if (!nn)
                    return -2;
                out->name = nn;
                char **nv = realloc(out->value, nc * sizeof *nv);
                if (!nv)
                    return -2;
                out->value = nv;
                cap = nc;
            }
            const char *eq = memchr(body + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
            size_t bad = 0;
            char *name = NULL, *value = NULL;
            int rc = decode(body + i, nlen, &name, &bad);
            if (!rc) {
                const char *v = eq ? eq + 1 : body + end;
                rc = decode(v, (size_t)(body + end - v), &value, &bad);
                if (rc == -1)
                    bad += (size_t)(v - body);
            } else if (rc == -1)
                bad += i;
            if (rc) {
                free(name);
                if (rc == -1)
                    snprintf(err, errlen, "malformed form: bad %%-escape at byte %zu", bad);
                return rc;
            }
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
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->name[i], name))
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

static int fix(char **sp, int latin1)
{
    const unsigned char *s = (const unsigned char *)*sp;
    size_t n = strlen(*sp), extra = 0;
    for (size_t i = 0; i < n;) {
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
        if (fix(&f->name[i], latin1) || fix(&f->value[i], latin1))
            return -2;
    return 0;
}

void form_free(srv_form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->value[i]);
    }
    free(f->name);
    free(f->value);
    memset(f, 0, sizeof *f);
}
