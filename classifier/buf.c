/*
 * buf.c - growable NUL-terminated byte buffer. Capacity doubles, so appends are amortised
 * O(1); a failed allocation sets `oom` and makes every later call fail fast with KD_ENOMEM,
 * so callers can append a whole record and check once.
 */
#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"
#include "normalize.h"

int kd_buf_grow_slow(kd_buf *b, size_t extra)
{
    if (b->oom)
        return KD_ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return KD_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->oom = 1;
            return KD_ENOMEM;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return KD_ENOMEM;
    }
    b->s = s;
    b->cap = cap;
    return KD_OK;
}


int kd_buf_vprintf(kd_buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return KD_ERROR;
    if (kd_buf_grow(b, (size_t)n))
        return KD_ENOMEM;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return KD_OK;
}

int kd_buf_printf(kd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char kd_digit_pairs[200] = {
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899"
};

const unsigned long long kd_pow10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
                                          1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
                                          10000000000ULL, 100000000000ULL, 1000000000000ULL,
                                          10000000000000ULL, 100000000000000ULL,
                                          1000000000000000ULL, 10000000000000000ULL,
                                          100000000000000000ULL, 1000000000000000000ULL,
                                          10000000000000000000ULL };

/* The numbers are written in place, at the end of b (room made first): no copy through a
 * scratch array, which was a call of memcpy per number. */
int kd_buf_uint(kd_buf *b, unsigned long long v)
{
    if (kd_buf_grow(b, 20))
        return KD_ENOMEM;
    int n = kd_uint_width(v);
    char *d = b->s + b->len;
    kd_digits_before(d + n, v, n);
    d[n] = '\0';
    b->len += (size_t)n;
    return KD_OK;
}

/* What kd_buf_fixed leaves out of line: decimals out of 0..9 (clamped), NaN, infinities,
 * |x| > 1e15. */
int kd_buf_fixed_slow(kd_buf *b, double x, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    /* NaN, infinite or too large for the fast path; NaN and infinities as 0 (buf.h): printf
     * writes "nan" and "inf", which no JSON parser reads */
    if (!(x == x) || x > 1e15 || x < -1e15)
        return isfinite(x) ? kd_buf_printf(b, "%.*f", decimals, x) : kd_buf_putc(b, '0');
    if (kd_buf_grow(b, 31))
        return KD_ENOMEM;
    kd_buf_fixed_in(b, x, decimals);
    return KD_OK;
}

/*
 * printf's %.Nf without printf. x is m * 2^-sh exactly (m < 2^53, an integer); its value
 * times 10^N is then m * 10^N / 2^sh, whose integer part k (below 10^18 for |x| < 10^9) and
 * remainder (the bits shifted out) are exact in 128 bits for N <= 9 (m * 10^9 < 2^83). The remainder against one half
 * rounds k as glibc does in the default rounding mode: up above it, to even on it. A
 * reason written by kd_buf_vprintf (vsnprintf twice: its length, then it) cost about 3,300
 * instructions; this is about 240 a number, frexp and ldexp included.
 */
int kd_buf_decimal(kd_buf *b, double x, int decimals, int plus)
{
#ifdef __SIZEOF_INT128__
    if (decimals >= 0 && decimals <= 9 && x > -1e9 && x < 1e9) {
        if (kd_buf_grow(b, 24)) /* sign, 9 digits, '.', 9 decimals */
            return KD_ENOMEM;
        unsigned long long k = 0;
        if (x != 0) {
            int e;
            double f = frexp(fabs(x), &e); /* |x| = f * 2^e, 0.5 <= f < 1 */
            unsigned long long m = (unsigned long long)ldexp(f, 53); /* exact */
            int sh = 53 - e; /* >= 23: |x| < 1e9 < 2^30 */
            unsigned __int128 v = (unsigned __int128)m * kd_pow10[decimals];
            if (sh < 128) { /* else |x| * 10^N < 2^83 / 2^128: k is 0, below one half */
                unsigned __int128 rem = v & (((unsigned __int128)1 << sh) - 1),
                                  half = (unsigned __int128)1 << (sh - 1);
                k = (unsigned long long)(v >> sh);
                if (rem > half || (rem == half && (k & 1)))
                    k++;
            }
        }
        char *p = b->s + b->len;
        if (signbit(x))
            *p++ = '-';
        else if (plus)
            *p++ = '+';
        unsigned long long ip = k / kd_pow10[decimals];
        int n = kd_uint_width(ip);
        kd_digits_before(p + n, ip, n);
        p += n;
        if (decimals) {
            *p++ = '.';
            p += decimals;
            kd_digits_before(p, k % kd_pow10[decimals], decimals);
        }
        *p = '\0';
        b->len = (size_t)(p - b->s);
        return KD_OK;
    }
#endif
    return plus ? kd_buf_printf(b, "%+.*f", decimals, x) : kd_buf_printf(b, "%.*f", decimals, x);
}

/* Code points written as \u escapes: the C0 controls (JSON requires it), DEL and the C1
 * controls (invisible, and a terminal may act on them), and U+2028/U+2029 (line ends to a
 * JavaScript parser older than ES2019). */
static int escaped(int32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

static void put_escape(kd_buf *b, int32_t cp)
{
    static const char hex[] = "0123456789abcdef";
    switch (cp) {
    case '\n': kd_buf_puts(b, "\\n"); return;
    case '\r': kd_buf_puts(b, "\\r"); return;
    case '\t': kd_buf_puts(b, "\\t"); return;
    }
    char u[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15] };
    kd_buf_add(b, u, 6);
}

/* Bytes that are copied as they are without a look: printable ASCII except '"' and '\\'.
 * NUL is not one, so a scan for the next other byte also stops at the end; nor is any byte
 * >= 0x80 (the second half of the table). */
static const unsigned char json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

/* Runs of plain ASCII and of valid UTF-8 are copied whole; only what must change is handled
 * byte by byte. */
int kd_buf_json_str(kd_buf *b, const char *s)
{
    if (!s)
        return kd_buf_puts(b, "null");
    const char *run = s, *p = s;
    while (json_plain[(unsigned char)*p])
        p++;
    if (!*p) { /* nothing to change, the usual case: the quotes and s in one append (the
                  scan found the end: no strlen) */
        const char *end = p;
        size_t n = (size_t)(end - s);
        if (kd_buf_grow(b, n + 2))
            return KD_ENOMEM;
        char *d = b->s + b->len;
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        d[n + 2] = '\0';
        b->len += n + 2;
        return KD_OK;
    }
    const char *end = p + strlen(p);
    kd_buf_putc(b, '"');
    for (;;) {
        while (json_plain[(unsigned char)*p])
            p++;
        if (p == end)
            break;
        int32_t cp;
        size_t k = kd_utf8_decode(p, (size_t)(end - p), &cp);
        if (cp >= 0 && !escaped(cp) && cp != '"' && cp != '\\') {
            p += k;
            continue;
        }
        kd_buf_add(b, run, (size_t)(p - run));
        if (cp < 0)
            kd_buf_add(b, "\xEF\xBF\xBD", 3); /* U+FFFD for this byte; the next is read afresh */
        else if (cp == '"' || cp == '\\') {
            kd_buf_putc(b, '\\');
            kd_buf_putc(b, (char)cp);
        } else
            put_escape(b, cp);
        p += k;
        run = p;
    }
    kd_buf_add(b, run, (size_t)(p - run));
    return kd_buf_putc(b, '"');
}

void kd_buf_clear(kd_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *kd_buf_detach(kd_buf *b)
{
    if (b->oom) {
        kd_buf_free(b);
        return NULL;
    }
    if (!b->s && kd_buf_grow(b, 0))
        return NULL;
    if (b->len == 0)
        b->s[0] = '\0';
    char *s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void kd_buf_free(kd_buf *b)
{
    if (!b)
        return;
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

const char *kd_buf_line(kd_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != 0x7F && !((unsigned char)s[i] == 0xC2 &&
           i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xA0))
        i++;
    size_t end = n; /* a character cut at the end of a truncated message */
    while (end > 0 && ((unsigned char)s[end - 1] & 0xC0) == 0x80)
        end--;
    if (end > 0 && (unsigned char)s[end - 1] >= 0xC0) {
        unsigned char c = (unsigned char)s[end - 1];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        end = n - (end - 1) >= want ? n : end - 1;
    } else {
        end = n;
    }
    if (i == n && end == n)
        return s;
    if (i > end)
        i = end;
    kd_buf_add(b, s, i);
    for (; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && i + 1 < end && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xA0)
            kd_buf_printf(b, "\\u%04x", (unsigned char)s[++i]);
        else if (c == '\n')
            kd_buf_puts(b, "\\n");
        else if (c == '\r')
            kd_buf_puts(b, "\\r");
        else if (c == '\t')
            kd_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            kd_buf_printf(b, "\\x%02x", c);
        else
            kd_buf_putc(b, (char)c);
    }
    return b->oom || !b->s ? "?" : b->s;
}
