/*
 * form.h - decoding an application/x-www-form-urlencoded body into UTF-8 fields (internal).
 *
 * Akismet clients (WordPress, akismet-api, forum software) POST their comments form-encoded.
 * libmicrohttpd's post processor is incremental and callback-driven, which buys nothing for
 * bodies that are already in memory and bounded, and is awkward to test; this decoder is a
 * pure function: bytes in, fields out, a message for the first malformed byte.
 */
#ifndef KD_SRV_FORM_H
#define KD_SRV_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS 256

typedef struct srv_form {
    size_t n;
    char **name;   /* decoded names (NUL-terminated) */
    char **value;  /* decoded values */
    char *arena;   /* one block holding both pointer arrays and the decoded strings; a string
                      that form_to_utf8() had to rewrite is malloc'd on its own */
    size_t arena_len;
    char warning[96]; /* set by form_to_utf8() when it could not honour the charset, else "" */
    size_t nul_field; /* 1 + the index of the first field with a NUL byte (read as a space) in
                         its name or value; 0: none */
} srv_form;

#define SRV_FORM_INIT { 0, NULL, NULL, NULL, 0, "", 0 }

/*
 * Decode body (len bytes, need not be NUL-terminated). '+' is a space and %XX a byte; a
 * field without '=' has the empty value; empty fields ("a=1&&b=2") are skipped; a decoded
 * NUL byte becomes a space (out->nul_field names the first field with one, for a warning).
 * Bytes are kept as they are: see form_to_utf8().
 * @return 0; -1 when malformed or over FORM_MAX_FIELDS (err says why); -2 out of memory.
 *         out is freed with form_free() in every case.
 */
int form_parse(const char *body, size_t len, srv_form *out, char *err, size_t errlen);

/* Value of the last field named `name` (exact match; a name given twice takes its last
 * value, as PHP reads a form), or NULL. */
const char *form_get(const srv_form *f, const char *name);

/*
 * Make every name and value valid UTF-8, reading their bytes in charset (Akismet's
 * blog_charset; a label as in the WHATWG encoding standard, case-insensitive, surrounding
 * whitespace ignored):
 *  - NULL, "" or UTF-8: kept, each byte that starts no valid sequence becoming U+FFFD;
 *  - windows-1252 and every label WHATWG makes an alias of it (ISO-8859-1, latin1, cp1252,
 *    US-ASCII, ...), as browsers and so WordPress forms do: 0x80..0x9F are Windows-1252's
 *    punctuation (0x93 U+201C, 0x80 U+20AC, 0x92 U+2019; the five undefined bytes the C1
 *    control of the same number), 0xA0..0xFF Latin-1;
 *  - any other charset glibc's iconv knows and that reads ASCII as ASCII (ISO-8859-15,
 *    ISO-8859-2, KOI8-R, Shift_JIS, EUC-JP, ISO-2022-JP, GB18030, Big5...): converted, a byte
 *    it cannot read becoming U+FFFD;
 *  - anything else (an unknown name, or UTF-16/UTF-7, in which the %-encoded ASCII of the
 *    form itself would not read as ASCII): read as UTF-8 as above, and f->warning says so,
 *    for the caller to pass on (the fields are still usable; refusing a comment over a
 *    mistyped label would drop it unclassified).
 * Returns 0 or -2 (out of memory).
 */
int form_to_utf8(srv_form *f, const char *charset);

void form_free(srv_form *f);

#endif
