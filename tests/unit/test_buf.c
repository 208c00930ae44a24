/* test_buf.c - kd_buf: appends, printf, JSON string escaping, detach. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

Test(buf, appends_and_grows)
{
    kd_buf b = KD_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(kd_buf_puts(&b, "abc"), 0);
    cr_assert_eq(b.len, 3000);
    cr_assert_eq(strlen(b.s), 3000);
    kd_buf_clear(&b);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(b.s, "");
    kd_buf_free(&b);
}

Test(buf, printf_formats)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_printf(&b, "%s=%d", "x", 42);
    kd_buf_printf(&b, ";%.2f", 0.5);
    cr_assert_str_eq(b.s, "x=42;0.50");
    kd_buf_free(&b);
}

Test(buf, json_escapes_quotes_controls_and_keeps_utf8)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_json_str(&b, "a\"b\\c\nd\te\x01 é😀");
    cr_assert_str_eq(b.s, "\"a\\\"b\\\\c\\nd\\te\\u0001 é😀\"");
    kd_buf_clear(&b);
    kd_buf_json_str(&b, NULL);
    cr_assert_str_eq(b.s, "null");
    kd_buf_free(&b);
}

Test(buf, detach_hands_over_an_empty_string_too)
{
    kd_buf b = KD_BUF_INIT;
    char *s = kd_buf_detach(&b);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "");
    free(s);
    kd_buf_puts(&b, "hi");
    s = kd_buf_detach(&b);
    cr_assert_str_eq(s, "hi");
    cr_assert_null(b.s);
    free(s);
}

Test(buf, fixed_point_numbers_without_printf)
{
    static const struct { double x; int d; const char *want; } cases[] = {
        { 0.0, 6, "0" },        { 1.0, 6, "1" },           { 0.5, 6, "0.5" },
        { 0.123456789, 6, "0.123457" }, { 0.9999999, 6, "1" }, { 0.000309445, 6, "0.000309" },
        { -2.25, 2, "-2.25" },  { -0.0001, 2, "0" },        { 3.14159, 0, "3" },
        { 12345.678, 3, "12345.678" }, { 0.007733, 6, "0.007733" }, { 123.5, 6, "123.5" },
        { 0.0731, 4, "0.0731" }, { 99.99, 1, "100" }, { 1234567.891, 2, "1234567.89" },
        { -0.5, 1, "-0.5" },    { 10.01, 2, "10.01" },     { 100, 3, "100" },
        { 0.999999, 6, "0.999999" }, { 5e-7, 6, "0.000001" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kd_buf b = KD_BUF_INIT;
        kd_buf_fixed(&b, cases[i].x, cases[i].d);
        cr_assert_str_eq(b.s, cases[i].want, "%.10g with %d decimals", cases[i].x, cases[i].d);
        kd_buf_free(&b);
    }
    kd_buf b = KD_BUF_INIT;
    kd_buf_uint(&b, 0);
    kd_buf_putc(&b, ' ');
    kd_buf_uint(&b, 18446744073709551615ULL);
    cr_assert_str_eq(b.s, "0 18446744073709551615");
    kd_buf_clear(&b);
    static const unsigned long long u[] = { 9, 10, 99, 100, 101, 1000000 };
    for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
        kd_buf_uint(&b, u[i]);
        kd_buf_putc(&b, ' ');
    }
    cr_assert_str_eq(b.s, "9 10 99 100 101 1000000 ");
    kd_buf_free(&b);
}

/* kd_buf_fixed and kd_buf_uint as they were written through a scratch array (200a2b0),
 * the reference for the in-place writing. */
static void fixed_reference(char *out, double x, int decimals)
{
    static const unsigned long long pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
                                                10000000, 100000000, 1000000000 };
    char tmp[40], *e = tmp + sizeof tmp - 1, *p = e;
    *e = '\0';
    int neg = x < 0;
    if (neg)
        x = -x;
    unsigned long long v = (unsigned long long)(x * (double)pow10[decimals] + 0.5);
    unsigned long long ip = v / pow10[decimals], fp = v % pow10[decimals];
    int d = decimals;
    while (d > 0 && fp % 10 == 0) {
        fp /= 10;
        d--;
    }
    for (; d > 0; d--, fp /= 10)
        *--p = (char)('0' + fp % 10);
    if (p != e)
        *--p = '.';
    do
        *--p = (char)('0' + ip % 10);
    while (ip /= 10);
    if (neg && v)
        *--p = '-';
    strcpy(out, p);
}

/* The same digits as the reference for two million numbers: scores in 0..1 and around
 * them, negative ones, integers, halves at every number of decimals, and counts; appended
 * after other text, so that a number that fills the buffer up to its end grows it. */
Test(buf, fixed_and_uint_as_the_reference)
{
    unsigned long long seed = 42;
    kd_buf b = KD_BUF_INIT;
    char want[64];
    for (int i = 0; i < 2000000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(seed >> 33);
        double u = (double)(seed >> 11) / 9007199254740992.0; /* 0..1 */
        double x;
        switch (i % 6) {
        case 0: x = u; break;
        case 1: x = u * 2 - 1; break;
        case 2: x = (u - 0.5) * 1e6; break;
        case 3: x = (double)(r % 2000) / 1000.0; break; /* exact thousandths and halves */
        case 4: x = (double)(r % 100000) + 0.5 / (double)(1 + r % 7); break;
        default: x = (u - 0.5) * (r % 10 <= 3 ? 2e15 : 2e9); break; /* x * 10^d < 2^64 */
        }
        int d = (int)(r % 10);
        kd_buf_clear(&b);
        kd_buf_add(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", (size_t)(i % 64));
        size_t at = b.len;
        kd_buf_fixed(&b, x, d);
        fixed_reference(want, x, d);
        cr_assert_str_eq(b.s + at, want, "%.17g with %d decimals", x, d);
        cr_assert_eq(b.len, at + strlen(want));
        unsigned long long v = seed >> (r % 64);
        kd_buf_clear(&b);
        kd_buf_add(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", (size_t)(i % 64));
        kd_buf_uint(&b, v);
        snprintf(want, sizeof want, "%llu", v);
        cr_assert_str_eq(b.s + at, want, "%llu", v);
        cr_assert_eq(b.len, at + strlen(want));
    }
    kd_buf_free(&b);
}

/* Case i of a test over numbers: edges[i] while there are some (1), then u (0..1) and r
 * drawn from seed (0) for the caller to make x of. */
static int edge_or_draw(size_t i, const double *edges, size_t n, unsigned long long *seed, double *x,
                        double *u, unsigned *r)
{
    if (i < n) {
        *x = edges[i];
        return 1;
    }
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    *r = (unsigned)(*seed >> 33);
    *u = (double)(*seed >> 11) / 9007199254740992.0;
    return 0;
}

/* kd_buf_fixed is inline: where decimals is a constant (the scorer's 2, 3, 4 and 6) the
 * compiler makes another body of it, with 10^decimals folded in. Each of those as the
 * reference, over scores in 0..1 and at their edges: 0, 1, halves of the last decimal,
 * tiny, negative and large values up to the fast path's limit (1e15), and past it. */
Test(buf, fixed_with_constant_decimals_as_the_reference)
{
    static const double edges[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 0.25, 0.125, 0.005, 0.0005, 0.00005,
                                     0.0000005, 0.9999995, 0.99995, 0.995, 5e-324, 1e-300, 1e-7,
                                     0.999999, 1e15, -1e15, 999999999999999.9, 123456.789 };
    unsigned long long seed = 7;
    kd_buf b = KD_BUF_INIT;
    char want[64];
    size_t nedges = sizeof edges / sizeof *edges;
    for (size_t i = 0; i < 400000 + nedges; i++) {
        double x, u;
        unsigned r;
        if (!edge_or_draw(i, edges, nedges, &seed, &x, &u, &r))
            x = i % 3 == 0 ? u : i % 3 == 1 ? u * 1e-4 : (u - 0.5) * 2e6;
        static const int ds[] = { 2, 3, 4, 6 };
        for (int k = 0; k < 4; k++) {
            kd_buf_clear(&b);
            switch (ds[k]) { /* a literal each: the constant bodies */
            case 2: kd_buf_fixed(&b, x, 2); break;
            case 3: kd_buf_fixed(&b, x, 3); break;
            case 4: kd_buf_fixed(&b, x, 4); break;
            default: kd_buf_fixed(&b, x, 6); break;
            }
            fixed_reference(want, x, ds[k]);
            cr_assert_str_eq(b.s, want, "%.17g with %d decimals", x, ds[k]);
        }
    }
    kd_buf_clear(&b); /* past the fast path: printf, and NaN as 0 */
    kd_buf_fixed(&b, 2e15, 2);
    kd_buf_putc(&b, ' ');
    kd_buf_fixed(&b, 0.0 / 0.0, 4);
    kd_buf_putc(&b, ' ');
    kd_buf_fixed(&b, 0.25, 12); /* decimals past 9 are 9 */
    cr_assert_str_eq(b.s, "2000000000000000.00 0 0.25");
    kd_buf_free(&b);
}

/* kd_buf_decimal writes what printf's %.Nf and %+.Nf write, for every number of decimals:
 * edge values (0, -0, 1, ties that round to even, tiny and subnormal numbers, the fast
 * path's limit 1e9 and past it, infinities, NaN), then scores in 0..1, counts and halves,
 * negative values and wide ones, appended after other text. */
Test(buf, decimal_as_printf)
{
    static const double edges[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 0.125, 0.375, 0.625,
                                     0.875, -0.125, 0.005, 0.015, 0.045, 0.995, 0.9999999999,
                                     0.00049999999999999, 1e-5, 5e-324, 2.2250738585072014e-308,
                                     1e-300, 999999999.9999999, -999999999.99999, 1e9, -1e9,
                                     123456789.123456789, 4503599627370495.5, 1e300,
                                     1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 };
    unsigned long long seed = 99;
    kd_buf b = KD_BUF_INIT;
    char want[400];
    size_t nedges = sizeof edges / sizeof *edges;
    for (size_t i = 0; i < 300000 + nedges; i++) {
        double x, u;
        unsigned r;
        if (!edge_or_draw(i, edges, nedges, &seed, &x, &u, &r)) {
            switch (i % 5) {
            case 0: x = u; break;
            case 1: x = (double)(r % 20000) / 10000.0; break; /* ten-thousandths, ties */
            case 2: x = (double)(r % 1024) / 1024.0 - 0.5; break; /* exact binary ties */
            case 3: x = ldexp(u, -(int)(r % 80)); break;
            default: x = (u - 0.5) * 2.2e9; break;
            }
        }
        for (int d = 0; d <= 9; d++)
            for (int plus = 0; plus <= 1; plus++) {
                kd_buf_clear(&b);
                kd_buf_add(&b, "xyz", (size_t)(i % 4));
                size_t at = b.len;
                kd_buf_decimal(&b, x, d, plus);
                snprintf(want, sizeof want, plus ? "%+.*f" : "%.*f", d, x);
                cr_assert_str_eq(b.s + at, want, "%.17g with %d decimals%s", x, d, plus ? ", +" : "");
                cr_assert_eq(b.len, at + strlen(want));
            }
    }
    kd_buf_free(&b);
}

/* One line for a terminal (the CSV reader's messages, the CLI's stderr and text output):
 * control characters escaped, UTF-8 kept, a character cut at the end dropped. */
Test(buf, line_escapes_controls_and_keeps_utf8)
{
    kd_buf b = KD_BUF_INIT;
    const char *plain = "caf\xC3\xA9 ok";
    cr_assert_eq(kd_buf_line(&b, plain, strlen(plain)), plain, "nothing to escape: s itself");
    const char *s = "a\x1b[2J\nb:1: x\r\t\x7f\xC2\x85\xC2\x9b\xC3\xA9";
    cr_assert_str_eq(kd_buf_line(&b, s, strlen(s)), "a\\x1b[2J\\nb:1: x\\r\\t\\x7f\\u0085\\u009b\xC3\xA9");
    kd_buf again = KD_BUF_INIT; /* escaping twice changes nothing */
    cr_assert_str_eq(kd_buf_line(&again, b.s, b.len), b.s);
    kd_buf_free(&again);
    kd_buf_clear(&b);
    const char *cut = "ab\xE2\x82"; /* a truncated euro sign */
    cr_assert_str_eq(kd_buf_line(&b, cut, strlen(cut)), "ab");
    kd_buf_free(&b);
}
