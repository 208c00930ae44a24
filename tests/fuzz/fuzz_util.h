/*
 * fuzz_util.h - what the fuzz targets share: an independent UTF-8 check (RFC 3629), and
 * the input format of the targets that take a whole comment (fuzz_classify, fuzz_tokenize).
 * Header-only (static functions), so that each target still builds from its own .c file.
 */
#ifndef KD_FUZZ_UTIL_H
#define KD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"

/* The checks are not what is being fuzzed: no coverage instrumentation (its comparison
 * tracing was most of the time spent in them). */
#if defined(__clang__)
#define NOCOV __attribute__((no_sanitize("coverage")))
#else
#define NOCOV
#endif

/* Decode one code point of valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), independently of the library's decoders; 0 when s[0..n) does not start
 * with one. */
NOCOV static inline size_t fuzz_utf8_cp(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!k || k > n)
        return 0;
    uint32_t v = k == 1 ? c : c & (0x7F >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (v < least[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k;
}

/* NULL when s[0..n) is valid UTF-8 without NUL bytes, else what is wrong with it. */
NOCOV static inline const char *fuzz_utf8_error(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0, k; i < n; i += k) {
        uint32_t cp;
        if (!(k = fuzz_utf8_cp(s + i, n - i, &cp)))
            return "invalid UTF-8";
        if (cp == 0)
            return "a NUL";
    }
    return NULL;
}

#define FUZZ_NFIELDS 10 /* nine metadata fields and the text */

/*
 * A comment from a fuzz input: its fields separated by 0x1f, in the order id, post_id,
 * author, email, url, date, ip, agent, parent; whatever follows the last separator (or the
 * whole input when there is none) is the text. Absent fields are NULL, empty ones "". Each
 * field is copied into an allocation of its own exact size (date_pad more NUL bytes after
 * the date), so that reading past its end is caught; *text_len (may be NULL) gets the
 * text's length, NUL bytes in it included. Free with fuzz_comment_free().
 */
static inline kd_comment fuzz_comment(const uint8_t *data, size_t size, size_t date_pad,
                                      char *field[FUZZ_NFIELDS], size_t *text_len)
{
    size_t nf = 0, from = 0;
    for (size_t i = 0; i < FUZZ_NFIELDS; i++)
        field[i] = NULL;
    for (size_t i = 0; i < size && nf < FUZZ_NFIELDS - 1; i++)
        if (data[i] == 0x1f) {
            size_t pad = nf == 5 ? date_pad : 0;
            if ((field[nf] = calloc(1, i - from + 1 + pad)))
                memcpy(field[nf], data + from, i - from);
            nf++;
            from = i + 1;
        }
    char *text = malloc(size - from + 1);
    if (text) {
        memcpy(text, data + from, size - from);
        text[size - from] = '\0';
    }
    field[FUZZ_NFIELDS - 1] = text;
    if (text_len)
        *text_len = text ? size - from : 0;
    kd_comment c = KD_COMMENT_INIT;
    c.id = field[0];
    c.post_id = field[1];
    c.author = field[2];
    c.email = field[3];
    c.url = field[4];
    c.date = field[5];
    c.ip = field[6];
    c.agent = field[7];
    c.parent = field[8];
    c.text = text ? text : "";
    return c;
}

static inline void fuzz_comment_free(char *field[FUZZ_NFIELDS])
{
    for (size_t i = 0; i < FUZZ_NFIELDS; i++)
        free(field[i]);
}

#endif
