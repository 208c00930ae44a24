/* date_cases.h - dates as comments carry them, each with the time kd_date_parse reads from it
 * (-1: unreadable). Shared by test_date.c (what kd_date_parse reads) and test_history.c (the
 * time the history records a comment at: its date's, or now for an unreadable one). */
#ifndef KD_TEST_DATE_CASES_H
#define KD_TEST_DATE_CASES_H

#include <stdint.h>

typedef struct { const char *date; int64_t t; } date_case;

/* ISO 8601 with or without a time and an offset (whole hours too, and after a space); a date
 * cut short after the 'T' or the sign is unreadable. */
static const date_case iso_dates[] = {
    { "2024-05-01", 1714521600 },
    { "2024-05-01 10:00", 1714557600 },
    { "2024-05-01T10:00:00+02:00", 1714550400 },
    { "2024-05-01T10:00:00.5Z", 1714557600 },
    { "2024-05-01 ", 1714521600 },
    { "2024-05-01T", -1 },
    { "2024-05-01+", -1 },
    { "2024-05-01-05", -1 },
    { "2024-05-01T1", -1 },
    { "2024-02-31", -1 },
    /* an offset in whole hours, and one after a space (PHP's and date(1)'s "O") */
    { "2024-05-01T13:45:00+02", 1714563900 },
    { "2024-05-01 13:45:00 +0200", 1714563900 },
    { "2024-05-01 13:45:00 Z", 1714571100 },
    { "2024-05-01 13:45 -05", 1714589100 },
    { "2024-05-01 13:45:00 +", -1 },
};
#define NISO (sizeof iso_dates / sizeof *iso_dates)

/* ISO 8601's basic format, as iCalendar, AWS's X-Amz-Date and `date +%Y%m%dT%H%M%S%z` write
 * it: a date of 8 digits, alone or with a time of hhmm or hhmmss after a 'T' (basic and
 * extended not mixed). A digit string that is no such date (a 10-digit Unix time, YYYYMMDDhhmm)
 * stays unreadable, as does an offset on a basic date without a time ("20240501-1345" is
 * `date +%Y%m%d-%H%M`). An offset on an extended date without a time is written with its colon
 * (XSD's xs:date, "2024-05-01+02:00") or is Z, with or without a space before it: "+02" and
 * "-1345" are read after a time only, so "2024-05-01-05" and "2024-05-01-1345" (`date
 * +%F-%H%M` as much as an offset) are unreadable. RFC 3339's lowercase 't' and 'z' are read. */
static const date_case dates[] = {
    { "20240501T134500Z", 1714571100 },
    { "20240501T1345Z", 1714571100 },
    { "20240501T134500+0200", 1714563900 },
    { "20240501T134500-05", 1714589100 },
    { "20240501T134500+02:00", 1714563900 },
    { "20240501T134500", 1714571100 },
    { "20240501T134500.25Z", 1714571100 },
    { "20240501T134500z", 1714571100 },
    { "20240501", 1714521600 },
    { "20240501 ", 1714521600 },
    { "20240501T", -1 },
    { "20240501T13", -1 },
    { "20240501T134", -1 },
    { "20240501T13450", -1 },
    { "20240501T134500+", -1 },
    { "20240501T13:45:00Z", -1 },
    { "2024-05-01T134500Z", -1 },
    { "20240501 134500", -1 },
    { "20240501T244500Z", -1 },
    { "20240231T000000Z", -1 },
    { "20241301", -1 },
    { "2024050", -1 },
    { "2024050113", -1 },
    { "1714571100", -1 },
    { "202405011345", -1 },
    { "20240501Z", -1 },
    { "20240501+0200", -1 },
    { "20240501-1345", -1 },
    { "2024-05-01+02", -1 },
    { "2024-05-01 +02", -1 },
    { "2024-05-01 -05", -1 },
    { "2024-05-01+02:00", 1714514400 },
    { "2024-05-01 +0200", -1 },
    { "2024-05-01-0500", -1 },
    { "2024-05-01-1345", -1 },
    { "2024-05-01 -05:00", 1714539600 },
    { "2024-05-01t13:45:00z", 1714571100 },
    { "20240501t134500Z", 1714571100 },
    { "2024-05-01t", -1 },
    { "2024-05-01Z", 1714521600 },
    { "2024-05-01 Z", 1714521600 },
};
#define NDATES (sizeof dates / sizeof *dates)

#endif
