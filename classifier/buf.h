/*
 * buf.h - a growable byte buffer, always NUL-terminated (internal).
 *
 * Every text kindly builds (normalised text, token strings, JSON) goes through kd_buf so that
 * allocation failures surface as KD_ENOMEM in one place instead of being checked by hand at
 * every append.
 */
#ifndef KD_BUF_H
#define KD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct kd_buf {
    char *s;     /* NUL-terminated contents, or NULL before the first append */
    size_t len;  /* bytes used, not counting the NUL */
    size_t cap;  /* bytes allocated */
    int oom;     /* set once an allocation failed; later appends are no-ops */
} kd_buf;

#define KD_BUF_INIT { NULL, 0, 0, 0 }

int kd_buf_grow_slow(kd_buf *b, size_t extra);      /* 0 or KD_ENOMEM */

/* Make room for `extra` more bytes (and the NUL). Inline: the fast path is one compare. */
static inline int kd_buf_grow(kd_buf *b, size_t extra)
{
    return b->len + extra < b->cap ? 0 : kd_buf_grow_slow(b, extra);
}

static inline int kd_buf_add(kd_buf *b, const void *p, size_t n)
{
    if (kd_buf_grow(b, n))
        return -2; /* KD_ENOMEM */
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static inline int kd_buf_puts(kd_buf *b, const char *s) { return kd_buf_add(b, s, strlen(s)); }
static inline int kd_buf_putc(kd_buf *b, char c) { return kd_buf_add(b, &c, 1); }
int kd_buf_printf(kd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kd_buf_vprintf(kd_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append x with at most `decimals` (<= 9) digits after the point, trailing zeros trimmed
 * ("0.25", "1", "-3.5"): a printf-free fast path for scores. Non-finite x prints "0". */
int kd_buf_fixed(kd_buf *b, double x, int decimals);
/* Append an unsigned decimal number. */
int kd_buf_uint(kd_buf *b, unsigned long long v);
/* Append s as a JSON string literal, quotes included, or null when s is NULL. Always valid
 * UTF-8: each byte of an invalid sequence becomes U+FFFD; control characters (C0, DEL, C1)
 * and U+2028/U+2029 are written as escapes. */
int kd_buf_json_str(kd_buf *b, const char *s);
/* s (n bytes, a string ending there) as one line of text for a terminal or a log: each control character (C0, DEL,
 * C1) written as an escape (\n, \r, \t, \xNN, \u0085), so that an id, a label or a name
 * quoted in a message can neither end the message's line (printing a second line that passes
 * for another message) nor reach a terminal as an escape sequence. Other bytes, UTF-8 included,
 * are kept; s cut short (a truncated message) may end inside a UTF-8 character, which is
 * dropped. Returns s itself when it needs nothing, else b's contents (b empty before;
 * "?" when out of memory). Escaping twice changes nothing. */
const char *kd_buf_line(kd_buf *b, const char *s, size_t n);
void kd_buf_clear(kd_buf *b);                        /* len = 0, keeps memory */
char *kd_buf_detach(kd_buf *b);                      /* hands over s (never NULL unless oom) */
void kd_buf_free(kd_buf *b);

#endif
