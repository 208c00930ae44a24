/*
 * punycode.c - Punycode (RFC 3492), decoding only: the labels "xn--..." of a host name.
 *
 * Internationalised domain names travel in DNS as ASCII: each label beyond ASCII is
 * "xn--" and its Punycode, a generalised variable-length integer code of where each
 * non-ASCII code point goes among the ASCII ones ("münchen" is "mnchen-3ya"). The decoder
 * is RFC 3492's section 6.2, its constants those of section 5, with the overflow checks of
 * section 6.4 on 32-bit integers. A label has at most 63 bytes, so at most 63 code points:
 * a longer one is left as it is. Encoding is not needed: kindly reads hosts, it never
 * writes one for DNS.
 *
 * Why not libidn2 (Debian's libidn2-0, whose idn2_to_unicode_8z8z() decodes a label too):
 * linked into kindly it would load with every process, and its relocations and
 * libunistring's cost 444,000 instructions at start (callgrind, an empty main() with and
 * without -lidn2: 125,525 and 569,304), 13% of a one-comment `kindly check` (3.4 M), for a
 * decoder of about 60 lines that this file's tests check against RFC 3492's samples. And
 * its answers suit DNS, not a reader's eye: it took "xn--a_b" for an empty label (success,
 * "").
 */
#include "punycode.h"

#include <stdint.h>
#include <string.h>

#include "kindly.h"
#include "normalize.h"

#define MAX_LABEL 63

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128 };

/* The bias after a code point was inserted (RFC 3492, 6.1). */
static uint32_t adapt(uint32_t delta, uint32_t points, int first)
{
    delta = first ? delta / DAMP : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
        delta /= BASE - TMIN;
        k += BASE;
    }
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static int digit_of(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0' + 26;
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    return -1;
}

/* Decode the Punycode s[0..n) (a label without its "xn--") into cp[0..MAX_LABEL): the
 * number of code points, or -1. */
static int decode_label(const char *s, size_t n, int32_t *cp)
{
    size_t b = 0, out = 0, in;
    for (size_t j = 0; j < n; j++) /* the basic code points end at the last '-' */
        if (s[j] == '-')
            b = j;
    if (b > MAX_LABEL)
        return -1;
    for (size_t j = 0; j < b; j++) {
        if ((unsigned char)s[j] >= 0x80)
            return -1;
        cp[out++] = (unsigned char)s[j];
    }
    uint32_t code = INITIAL_N, bias = INITIAL_BIAS, i = 0;
    for (in = b > 0 ? b + 1 : 0; in < n;) {
        uint32_t old = i, w = 1;
        for (uint32_t k = BASE;; k += BASE) {
            int d = in < n ? digit_of(s[in++]) : -1;
            if (d < 0 || (uint32_t)d > (UINT32_MAX - i) / w)
                return -1;
            i += (uint32_t)d * w;
            uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if ((uint32_t)d < t)
                break;
            if (w > UINT32_MAX / (BASE - t))
                return -1;
            w *= BASE - t;
        }
        bias = adapt(i - old, (uint32_t)out + 1, old == 0);
        if (i / (out + 1) > UINT32_MAX - code)
            return -1;
        code += i / (uint32_t)(out + 1);
        i %= (uint32_t)(out + 1);
        if (out >= MAX_LABEL || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return -1;
        memmove(cp + i + 1, cp + i, (out - i) * sizeof *cp);
        cp[i++] = (int32_t)code;
        out++;
    }
    return (int)out;
}

static int ace_label(const char *l, size_t n)
{
    return n > 4 && (l[0] | 0x20) == 'x' && (l[1] | 0x20) == 'n' && l[2] == '-' && l[3] == '-';
}

int kd_punycode_maybe(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((i == 0 || h[i - 1] == '.') && ace_label(h + i, n - i))
            return 1;
    return 0;
}

int kd_punycode_host(const char *h, size_t n, kd_buf *out)
{
    int decoded = 0;
    for (size_t i = 0; i <= n;) {
        const char *dot = memchr(h + i, '.', n - i);
        size_t e = dot ? (size_t)(dot - h) : n;
        int32_t cp[MAX_LABEL];
        int k = -1;
        if (ace_label(h + i, e - i))
            k = decode_label(h + i + 4, e - i - 4, cp);
        if (k < 0) {
            if (kd_buf_add(out, h + i, e - i))
                return KD_ENOMEM;
        } else {
            decoded = 1;
            for (int j = 0; j < k; j++) {
                char u[4];
                if (kd_buf_add(out, u, kd_utf8_encode(cp[j], u)))
                    return KD_ENOMEM;
            }
        }
        if (!dot)
            break;
        if (kd_buf_putc(out, '.'))
            return KD_ENOMEM;
        i = e + 1;
    }
    return decoded;
}
