/* test_date.c - kd_date_warning: the judgement the CLI and the server both make of a date they
 * are about to remember, and kd_date_parse itself on the dates of date_cases.h (the time the
 * history records each at: test_history.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_cases.h"
#include "kindly.h"

/* 2024-05-01T12:00:00Z: every case is judged against this clock, not the machine's */
#define NOW ((int64_t)1714564800)

static int judge(const char *date, char *why, size_t len)
{
    memset(why, 'x', len - 1);
    why[len - 1] = '\0';
    return kd_date_warning(date, NOW, "the test's clock", why, len);
}

Test(date, good_date_is_not_named)
{
    char why[256];
    cr_expect_eq(judge("2024-05-01T13:45:00+02:00", why, sizeof why), 0);
    cr_expect_eq(judge("2019-01-01", why, sizeof why), 0);
    cr_expect_eq(why[0], 'x', "why left alone for a good date");
}

Test(date, missing_date_is_normal)
{
    char why[256];
    cr_expect_eq(judge(NULL, why, sizeof why), 0);
    cr_expect_eq(judge("", why, sizeof why), 0);
    cr_expect_eq(judge(" \t ", why, sizeof why), 0);
}

Test(date, unreadable_date_is_named_with_the_forms_read)
{
    char why[256];
    cr_assert_eq(judge("yesterday", why, sizeof why), 1);
    cr_expect_str_eq(why, "unreadable date 'yesterday' (kindly reads ISO 8601: 2024-05-01, 2024-05-01 13:45:00, "
                          "2024-05-01T13:45:00+02:00; UTC without an offset)");
    cr_assert_eq(judge("2024-02-31", why, sizeof why), 1);
    cr_expect(!strncmp(why, "unreadable date '2024-02-31' (", 30), "%s", why);
}

/* less than a day ahead is a clock's skew (or a time zone mistaken): said nothing of */
Test(date, a_day_of_skew_is_quiet)
{
    char why[256];
    cr_expect_eq(judge("2024-05-02T11:00:00Z", why, sizeof why), 0); /* 23 h ahead */
    cr_expect_eq(judge("2024-05-02T12:00:00Z", why, sizeof why), 0); /* KD_DATE_SKEW exactly */
    cr_expect_eq(KD_DATE_SKEW, 86400);
}

Test(date, more_than_a_day_ahead_is_in_the_future)
{
    char why[256];
    cr_assert_eq(judge("2024-05-02T13:00:00Z", why, sizeof why), 1); /* 25 h ahead */
    cr_expect_str_eq(why, "date in the future '2024-05-02T13:00:00Z' (more than a day after the test's clock)");
    cr_assert_eq(judge("2024-05-02T12:00:01Z", why, sizeof why), 1); /* a second past the skew */
}

/* A long value is cut at KD_DATE_SHOWN bytes, back to the start of a character: 'é' is two
 * bytes, so after one ASCII byte each sits across byte 60 and the cut falls before it. */
Test(date, long_value_cut_between_two_characters)
{
    char date[201], why[512], want[256];
    date[0] = 'a';
    for (int i = 1; i < 199; i += 2)
        memcpy(date + i, "\xc3\xa9", 2); /* é */
    date[199] = 'z';
    date[200] = '\0';
    cr_assert_eq(strlen(date), 200);
    cr_assert_eq(judge(date, why, sizeof why), 1);
    /* bytes 59-60 are one 'é' (it starts at an odd offset): 59 bytes are shown */
    snprintf(want, sizeof want, "unreadable date '%.59s...' (", date);
    cr_expect(!strncmp(why, want, strlen(want)), "%s", why);
    const char *q = strstr(why, "...'");
    cr_assert_not_null(q);
    cr_expect_eq(q - (why + strlen("unreadable date '")), 59);

    /* an ASCII value is cut at 60 exactly */
    memset(date, '9', 200);
    cr_assert_eq(judge(date, why, sizeof why), 1);
    snprintf(want, sizeof want, "unreadable date '%.60s...' (", date);
    cr_expect(!strncmp(why, want, strlen(want)), "%s", why);

    /* 60 bytes are shown whole, without "..." */
    date[60] = '\0';
    cr_assert_eq(judge(date, why, sizeof why), 1);
    snprintf(want, sizeof want, "unreadable date '%s' (", date);
    cr_expect(!strncmp(why, want, strlen(want)), "%s", why);
}

/* a small buffer is truncated, never overrun */
Test(date, message_truncated_to_the_buffer)
{
    char why[16];
    cr_assert_eq(judge("2099-01-01", why, sizeof why), 1);
    cr_expect_str_eq(why, "date in the fut");
}

/* kd_date_parse on the dates of date_cases.h, each its own allocation so that ASan sees a
 * read beyond a date cut short (after the 'T' or the sign). test_history.c checks the same
 * dates are recorded at these times. */
Test(date, parse_iso_dates_and_short_ones_not_read_past_their_end)
{
    for (size_t i = 0; i < NISO; i++) {
        char *date = strdup(iso_dates[i].date);
        int64_t t = 1;
        cr_assert_eq(kd_date_parse(date, &t), iso_dates[i].t >= 0 ? 0 : KD_EPARSE, "%s", iso_dates[i].date);
        cr_assert_eq(t, iso_dates[i].t >= 0 ? iso_dates[i].t : 0, "%s: %lld", iso_dates[i].date, (long long)t);
        free(date);
    }
}

/* A date that is there but unreadable is what kd_date_parse() reports (KD_EPARSE), so that
 * the CLI and the server can say the comment was recorded as of now; none at all (NULL, "",
 * blanks) is KD_ENOTFOUND, the normal case of a comment without a date. A date in the future
 * is read (the history records it as of now: a clock's error, not an unreadable date). */
Test(date, parse_tells_unreadable_from_missing)
{
    static const char *const unreadable[] = { "yesterday", "01/05/2024", "2024-13-01", "2024-05-01 25:00",
                                              " 2024-05-01", "2024-05-01x", "1714571100", "May 1, 2024" };
    for (size_t i = 0; i < sizeof unreadable / sizeof *unreadable; i++) {
        int64_t t = 1;
        cr_expect_eq(kd_date_parse(unreadable[i], &t), KD_EPARSE, "%s", unreadable[i]);
        cr_expect_eq(t, 0, "%s", unreadable[i]);
        cr_expect_eq(kd_date_parse(unreadable[i], NULL), KD_EPARSE, "%s (out NULL)", unreadable[i]);
    }
    static const char *const missing[] = { NULL, "", " ", " \t " };
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        int64_t t = 1;
        cr_expect_eq(kd_date_parse(missing[i], &t), KD_ENOTFOUND, "case %zu", i);
        cr_expect_eq(t, 0, "case %zu", i);
    }
    int64_t t = 0;
    cr_expect_eq(kd_date_parse("2099-05-01T13:45:00Z", &t), 0);
    cr_expect_eq(t, 4081326300, "%lld", (long long)t);
    cr_expect_eq(kd_date_parse("2024-05-01T13:45:00Z", NULL), 0);
}

static size_t date_index[NDATES]; /* the parameter is the index: see test_normalize.c */

ParameterizedTestParameters(date, parse_basic_format_dates_and_offsets_after_a_date)
{
    for (size_t i = 0; i < NDATES; i++)
        date_index[i] = i;
    return cr_make_param_array(size_t, date_index, NDATES);
}

ParameterizedTest(size_t *ix, date, parse_basic_format_dates_and_offsets_after_a_date)
{
    const date_case *c = &dates[*ix];
    char *date = strdup(c->date); /* its own allocation: ASan sees an over-read */
    int64_t t = 1;
    cr_expect_eq(kd_date_parse(date, &t), c->t >= 0 ? 0 : KD_EPARSE, "%s", c->date);
    cr_expect_eq(t, c->t >= 0 ? c->t : 0, "%s: %lld", c->date, (long long)t);
    free(date);
}

/* A fraction of the seconds is a '.' or ',' and at least one digit (RFC 3339's time-secfrac,
 * ISO 8601's decimal fraction): a separator alone is no fraction but stray text, refused like
 * any other ("2024-05-01T13:45:00x"). */
Test(date, a_fraction_of_the_seconds_has_a_digit)
{
    static const struct { const char *date; int64_t t; } cases[] = {
        { "2024-05-01T13:45:00.5Z", 1714571100 },
        { "2024-05-01T13:45:00,25+02:00", 1714563900 },
        { "20240501T134500.123456789", 1714571100 },
        { "2024-05-01T13:45:00.Z", -1 },
        { "2024-05-01T13:45:00.", -1 },
        { "2024-05-01 13:45:00, +0200", -1 },
        { "20240501T134500.+0200", -1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *date = strdup(cases[i].date); /* its own allocation: ASan sees an over-read */
        int64_t t = 1;
        cr_expect_eq(kd_date_parse(date, &t), cases[i].t >= 0 ? 0 : KD_EPARSE, "%s", date);
        cr_expect_eq(t, cases[i].t >= 0 ? cases[i].t : 0, "%s: %lld", date, (long long)t);
        free(date);
    }
}
