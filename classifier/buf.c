/*
 * buf.c - growable NUL-terminated byte buffer. Capacity doubles, so appends are amortised
 * O(1); a failed allocation sets `oom` and makes every later call fail fast with KD_ENOMEM,
 * so callers can append a whole record and check once.
 */
#include "buf.h"

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


int kd_buf_printf(kd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return KD_ERROR;
    if (kd_buf_grow(b, (size_t)n))
        return KD_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KD_OK;
}

int kd_buf_uint(kd_buf *b, unsigned long long v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return kd_buf_add(b, p, (size_t)(e - p));
}

int kd_buf_fixed(kd_buf *b, double x, int decimals)
{
    static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!(x == x) || x > 1e15 || x < -1e15) /* NaN or too large for the fast path */
        return x == x ? kd_buf_printf(b, "%.*f", decimals, x) : kd_buf_putc(b, '0');
    char tmp[40];
    char *e = tmp + sizeof tmp, *p = e;
    int neg = x < 0;
    if (neg)
        x = -x;
    unsigned long long v = (unsigned long long)(x * pow10[decimals] + 0.5);
    unsigned long long ip = v / (unsigned long long)pow10[decimals];
    unsigned long long fp = v % (unsigned long long)pow10[decimals];
    int d = decimals;
    while (d > 0 && fp % 10 == 0) { /* trim trailing zeros */
        fp /= 10;
        d--;
    }
    if (d > 0) {
        for (int i = 0; i < d; i++) {
            *--p = (char)('0' + fp % 10);
            fp /= 10;
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (neg && (v != 0))
        *--p = '-';
    return kd_buf_add(b, p, (size_t)(e - p));
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

/* Runs of plain ASCII and of valid UTF-8 are copied whole; only what must change is handled
 * byte by byte. */
int kd_buf_json_str(kd_buf *b, const char *s)
{
    if (!s)
        return kd_buf_puts(b, "null");
    kd_buf_putc(b, '"');
    const char *run = s, *p = s;
    size_t left = strlen(s);
    while (left) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            p++, left--;
            continue;
        }
        int32_t cp;
        size_t k = kd_utf8_decode(p, left, &cp);
        if (cp >= 0 && !escaped(cp) && cp != '"' && cp != '\\') {
            p += k, left -= k;
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
        p += k, left -= k;
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
