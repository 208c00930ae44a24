/*
 * fuzz_date.c - libFuzzer target for the date reader (classifier/date.c): kd_date_parse,
 * which reads a comment's date from a CSV cell, a form field or a JSON string, and
 * kd_date_warning, which the CLI and the server word their warning about it with.
 *
 * The input, up to its first NUL, is copied to a buffer of exactly its size (so that reading
 * past the terminating NUL is caught, as parse_date's over-read of "2024-05-01T" was once).
 * Beyond what the sanitizers catch, the target checks the promises of kindly.h and date.h
 * and aborts when one is broken:
 *  - kd_date_parse returns 0, KD_ENOTFOUND or KD_EPARSE, the same whether or not it is
 *    given somewhere to write the time, and writes 0 unless it returns 0;
 *  - KD_ENOTFOUND exactly for a date of nothing but spaces and tabs (or none);
 *  - a date read is a time from 1970 on, and lies within a day of the calendar date its
 *    first characters name (YYYY-MM-DD or YYYYMMDD, computed here independently of timegm):
 *    an offset moves it by less than a day; the fields are real (no month 13, no 31 April);
 *  - that time written back as "YYYY-MM-DDThh:mm:ssZ" reads as the same time (years up to
 *    9999); a space after a date read changes nothing, a space before it makes it
 *    unreadable;
 *  - kd_date_warning returns 1 exactly for a date that is unreadable or more than
 *    KD_DATE_SKEW after the clock, says which in its first words, echoes at most
 *    KD_DATE_SHOWN bytes of the date (then "..."), and stays valid UTF-8 when the date is.
 *
 * Build with clang (the library built with the same sanitizers, in its own directory):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_date.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm \
 *       -lpthread -o fuzz_date
 *   mkdir -p new && ./fuzz_date -max_len=64 -dict=tests/fuzz/date.dict -max_total_time=600 \
 *       new tests/fuzz/corpus/date
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "fuzz_util.h"
#include "kindly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2024-05-01T12:00:00Z, the clock the warnings are judged against */
#define NOW ((int64_t)1714564800)

NOCOV static void fail(const char *what, const char *date)
{
    fprintf(stderr, "fuzz_date: %s: \"%s\"\n", what, date);
    abort();
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil), independently of timegm. */
NOCOV static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The number of the n (<= 4) digits at s, or -1 when they are not all digits. */
NOCOV static int num(const char *s, int n)
{
    char d[5] = { 0 };
    if (strspn(s, "0123456789") < (size_t)n)
        return -1;
    memcpy(d, s, (size_t)n);
    return atoi(d);
}

/* The calendar date a date read starts with, checked as a real one. */
NOCOV static void check_calendar(const char *s, int64_t t)
{
    int ext = s[4] == '-';
    int y = num(s, 4), m = num(s + (ext ? 5 : 4), 2), d = num(s + (ext ? 8 : 6), 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || (ext && s[7] != '-'))
        fail("read, but does not start with a date from 1970 on", s);
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        fail("read, but its day does not exist", s);
    int64_t midnight = days_from_civil(y, m, d) * 86400;
    if (t <= midnight - 86400 || t >= midnight + 2 * 86400)
        fail("read as a time more than a day away from its date", s);
}

NOCOV static void check_warning(const char *s, int rc, int64_t t)
{
    char why[512];
    memset(why, 'x', sizeof why - 1);
    why[sizeof why - 1] = '\0';
    int w = kd_date_warning(s, NOW, "the clock", why, sizeof why);
    int want = rc == KD_EPARSE || (rc == 0 && t > NOW + KD_DATE_SKEW);
    if (w != want)
        fail(w ? "a warning for a good date, or none" : "no warning for a bad date", s);
    if (!w) {
        if (why[0] != 'x')
            fail("why written without a warning", s);
        return;
    }
    const char *lead = rc ? "unreadable date '" : "date in the future '";
    if (strncmp(why, lead, strlen(lead)))
        fail("the warning does not start as documented", s);
    /* the date's first k bytes, k <= KD_DATE_SHOWN, then "'" when they are all of it, else
     * "...'" */
    const char *shown = why + strlen(lead);
    size_t n = strlen(s), k = n < KD_DATE_SHOWN ? n : KD_DATE_SHOWN;
    for (;; k--) {
        if (!memcmp(shown, s, k) && !strncmp(shown + k, k == n ? "' (" : "...' (", k == n ? 3 : 6))
            break;
        if (!k)
            fail("the warning does not echo the date's first bytes", s);
    }
    if (!fuzz_utf8_error(s, n) && fuzz_utf8_error(why, strlen(why)))
        fail("the warning cut a character of a valid date", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t n = nul ? (size_t)(nul - data) : size;
    char *s = malloc(n + 1);
    if (!s)
        return 0;
    memcpy(s, data, n);
    s[n] = '\0';

    int64_t t = 12345;
    int rc = kd_date_parse(s, &t);
    if (rc != 0 && rc != KD_ENOTFOUND && rc != KD_EPARSE)
        fail("kd_date_parse returned no documented code", s);
    if (kd_date_parse(s, NULL) != rc)
        fail("kd_date_parse answers otherwise without out", s);
    if (rc && t != 0)
        fail("out not 0 for a date not read", s);
    if ((rc == KD_ENOTFOUND) != (strspn(s, " \t") == n))
        fail("KD_ENOTFOUND for a date that is there, or not for a blank one", s);

    if (!rc) {
        if (t < 0)
            fail("read as a time before 1970", s);
        check_calendar(s, t);
        time_t tt = (time_t)t;
        struct tm tm;
        char back[64];
        if (gmtime_r(&tt, &tm) && tm.tm_year + 1900 <= 9999) {
            snprintf(back, sizeof back, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            int64_t t2 = -1;
            if (kd_date_parse(back, &t2) || t2 != t)
                fail("the time read, written back in UTC, reads otherwise", s);
        }
        char *more = malloc(n + 3);
        if (more) {
            int64_t t2 = -1;
            memcpy(more, s, n);
            memcpy(more + n, " ", 2);
            if (kd_date_parse(more, &t2) || t2 != t)
                fail("a space after a date read changes it", s);
            more[0] = ' ';
            memcpy(more + 1, s, n + 1);
            if (kd_date_parse(more, NULL) != KD_EPARSE)
                fail("a space before a date read is read", s);
            free(more);
        }
    }
    check_warning(s, rc, t);
    free(s);
    return 0;
}
