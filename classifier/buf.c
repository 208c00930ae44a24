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

int kd_buf_grow(kd_buf *b, size_t extra)
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

int kd_buf_add(kd_buf *b, const void *p, size_t n)
{
    if (kd_buf_grow(b, n))
        return KD_ENOMEM;
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return KD_OK;
}

int kd_buf_puts(kd_buf *b, const char *s) { return kd_buf_add(b, s, strlen(s)); }

int kd_buf_putc(kd_buf *b, char c) { return kd_buf_add(b, &c, 1); }

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

int kd_buf_json_str(kd_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s)
        return kd_buf_puts(b, "null");
    kd_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;
    for (; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        kd_buf_add(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"': kd_buf_puts(b, "\\\""); break;
        case '\\': kd_buf_puts(b, "\\\\"); break;
        case '\n': kd_buf_puts(b, "\\n"); break;
        case '\r': kd_buf_puts(b, "\\r"); break;
        case '\t': kd_buf_puts(b, "\\t"); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            kd_buf_add(b, u, 6);
        }
        }
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
