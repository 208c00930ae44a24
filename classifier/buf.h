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
/* Append an unsigned decimal number. */
int kd_buf_uint(kd_buf *b, unsigned long long v);

/* The decimal digits two at a time ("00".."99") and the powers of ten up to 10^19 (buf.c). */
extern const char kd_digit_pairs[200];
extern const unsigned long long kd_pow10[20];

/* Write the `width` last decimal digits of v, leading zeros included, to end before e;
 * returns where they start. One division by 100 for each pair. */
static inline char *kd_digits_before(char *e, unsigned long long v, int width)
{
    for (; width >= 2; width -= 2) {
        e -= 2;
        memcpy(e, kd_digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (width)
        *--e = (char)('0' + v % 10);
    return e;
}

/* The number of decimal digits of v (1 for 0): a few comparisons for the small numbers
 * written most (counts, the integer part of a score). */
static inline int kd_uint_width(unsigned long long v)
{
    int n = 1;
    while (n < 20 && v >= kd_pow10[n])
        n++;
    return n;
}

/* kd_buf_fixed for 0 <= decimals <= 9 and |x| <= 1e15 (room made first). Inline, so that
 * where `decimals` is a constant, as at every call in the scorer, 10^decimals is one too:
 * the divisions become multiplications and the digit loop unrolls. Always inline: gcc -O2
 * otherwise makes one out-of-line copy of the body, decimals a variable again. */
static inline __attribute__((always_inline)) void kd_buf_fixed_in(kd_buf *b, double x, int decimals)
{
    int neg = x < 0;
    if (neg)
        x = -x;
    unsigned long long v = (unsigned long long)(x * (double)kd_pow10[decimals] + 0.5);
    unsigned long long ip = v / kd_pow10[decimals];
    unsigned long long fp = v % kd_pow10[decimals];
    char *p = b->s + b->len;
    if (neg && (v != 0))
        *p++ = '-';
    int n = kd_uint_width(ip);
    kd_digits_before(p + n, ip, n);
    p += n;
    if (fp) { /* all the decimals, then the trailing zeros taken back (fp has a digit > 0) */
        *p++ = '.';
        p += decimals;
        kd_digits_before(p, fp, decimals);
        while (p[-1] == '0')
            p--;
    }
    *p = '\0';
    b->len = (size_t)(p - b->s);
}

int kd_buf_fixed_slow(kd_buf *b, double x, int decimals);

/* Append x as printf("%.*f", decimals, x) writes it, or printf("%+.*f") with plus: every
 * decimal kept, the binary value rounded half to even, "-" before a negative value and -0.
 * Exact and printf-free for decimals 0..9 and |x| < 1e9 (printf for the rest), for the
 * figures in the reasons (similarity 0.93, relevance 0.12, rule:X=+1.0) and the CSV
 * columns, which are documented as printf's. */
int kd_buf_decimal(kd_buf *b, double x, int decimals, int plus);

/* Append x with at most `decimals` (<= 9) digits after the point, trailing zeros trimmed
 * ("0.25", "1", "-3.5"): a printf-free fast path for scores. Non-finite x prints "0". */
static inline __attribute__((always_inline)) int kd_buf_fixed(kd_buf *b, double x, int decimals)
{
    if (decimals < 0 || decimals > 9 || !(x >= -1e15 && x <= 1e15)) /* NaN too */
        return kd_buf_fixed_slow(b, x, decimals);
    if (kd_buf_grow(b, 31)) /* '-', 16 digits, '.', 9 decimals */
        return -2; /* KD_ENOMEM */
    kd_buf_fixed_in(b, x, decimals);
    return 0;
}
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

/* Where s may be cut at n or before without cutting a UTF-8 character in two: n, or the start
 * of the character whose continuation s[n] is (s[n] must be readable: the first byte left
 * out, or the NUL). */
static inline size_t kd_utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}
void kd_buf_clear(kd_buf *b);                        /* len = 0, keeps memory */
char *kd_buf_detach(kd_buf *b);                      /* hands over s (never NULL unless oom) */
void kd_buf_free(kd_buf *b);

#endif
