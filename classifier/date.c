/*
 * date.c - a comment's date: kd_date_parse() reads it, kd_date_warning() judges one that is
 * about to be remembered (date.h).
 *
 * The reader is strict on purpose: it reads the few forms that real exports and clients
 * write (WordPress, RFC 3339, date(1), iCalendar's basic format) and refuses the rest rather
 * than guess, since a misread date silently changes what history --prune keeps. Its callers
 * learn that a date was unreadable (KD_EPARSE) and say so; the library itself never prints.
 */
#include "kindly.h"
#include "date.h"
#include "buf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* An ISO 8601 / RFC 3339 date as seconds since the epoch, or -1: "2024-05-01",
 * "2024-05-01 13:45", "2024-05-01T13:45:00Z", "2024-05-01T13:45:00.123+02:00" (the offset is
 * honoured; none means UTC, as WordPress's comment_date_gmt), or in ISO 8601's basic format
 * as iCalendar and `date +%Y%m%dT%H%M%S%z` write it: "20240501", "20240501T1345Z",
 * "20240501T134500+0200" (a 'T' and the time's minutes required, basic and extended not mixed,
 * so that no other digit string, a Unix time or YYYYMMDDhhmm, reads as a date). ISO 8601
 * gives a time of day an offset, a date none: after a date without a time, an offset is read
 * only in the forms XSD's xs:date adds ("2024-05-01+02:00", "2024-05-01Z"), with or without a
 * space before it; "+0200" and "+02" are read after a time only ("2024-05-01-0500",
 * "2024-05-01 -05" and "2024-05-01-1345" are no dates), and a basic date without a time
 * takes none ("20240501-1345" is `date +%Y%m%d-%H%M`). Out-of-range fields ("02-31", "25:00") are refused
 * rather than normalised by timegm. */
static int64_t parse_date(const char *d)
{
    int y = digits(d, 4), mo = -1, da = -1, h = 0, mi = 0, s = 0;
    if (y < 1970) /* d[4] is read only once d[0..3] are digits: the string may end before */
        return -1;
    int basic = d[4] != '-'; /* "20240501" */
    const char *m = basic ? d + 4 : d + 5; /* the month */
    if ((mo = digits(m, 2)) < 1 || mo > 12 || (!basic && m[2] != '-') ||
        (da = digits(m + (basic ? 2 : 3), 2)) < 1)
        return -1;
    const char *p = m + (basic ? 4 : 5);
    int hh, mm, has_time = 0, has_sec = 0; /* p[3] is read once p[1] and p[2] are digits */
    int tsep = *p == 'T' || *p == 't'; /* RFC 3339 5.6 allows a lowercase 't' */
    if (basic && tsep && (hh = digits(p + 1, 2)) >= 0 && (mm = digits(p + 3, 2)) >= 0) {
        if ((h = hh) > 23 || (mi = mm) > 59)
            return -1;
        p += 5, has_time = 1;
        if (*p >= '0' && *p <= '9') {
            if ((s = digits(p, 2)) < 0 || s > 60)
                return -1;
            p += 2, has_sec = 1;
        }
    } else if (!basic && (tsep || *p == ' ') && (hh = digits(p + 1, 2)) >= 0 && p[3] == ':') {
        if ((h = hh) > 23 || (mi = digits(p + 4, 2)) < 0 || mi > 59)
            return -1;
        p += 6, has_time = 1;
        if (*p == ':') {
            if ((s = digits(p + 1, 2)) < 0 || s > 60)
                return -1;
            p += 3, has_sec = 1;
        }
    }
    if (has_sec && (*p == '.' || *p == ',')) { /* a fraction of the seconds: a digit at least */
        if (p[1] < '0' || p[1] > '9')
            return -1;
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    }
    int offset = 0; /* seconds east of UTC */
    if (*p == ' ' && (p[1] == '+' || p[1] == '-' || p[1] == 'Z' || p[1] == 'z'))
        p++; /* "2024-05-01 13:45:00 +0200", as PHP and date(1) write it */
    if (basic && !has_time) {
        /* no offset: "20240501-1345" is `date +%Y%m%d-%H%M` */
    } else if (*p == '+' || *p == '-') {
        int oh = digits(p + 1, 2), om = 0;
        if (oh < 0) /* (before p[3] is read) */
            return -1;
        size_t len = 3; /* "+02": whole hours, after a time only */
        if (p[3] == ':')
            om = digits(p + 4, 2), len = 6;
        else if (!has_time) /* "2024-05-01-1345" is `date +%F-%H%M` as much as an offset */
            return -1;
        else if (p[3] >= '0' && p[3] <= '9')
            om = digits(p + 3, 2), len = 5;
        if (oh > 23 || om < 0 || om > 59)
            return -1;
        offset = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        p += len;
    } else if (*p == 'Z' || *p == 'z') {
        p++;
    }
    while (*p == ' ')
        p++;
    if (*p)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = da;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s > 59 ? 59 : s;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != da) /* timegm moved "02-31" to March */
        return -1;
    return (int64_t)t - offset;
}

int kd_date_parse(const char *date, int64_t *out)
{
    if (out)
        *out = 0;
    if (!date || !date[strspn(date, " \t")]) /* no date: a comment without one is normal */
        return KD_ENOTFOUND;
    int64_t t = parse_date(date);
    if (t < 0)
        return KD_EPARSE;
    if (out)
        *out = t;
    return KD_OK;
}

int kd_date_warning(const char *date, int64_t now, const char *clock, char *why, size_t len)
{
    int64_t t;
    int rc = kd_date_parse(date, &t);
    if (rc == KD_ENOTFOUND || (!rc && t <= now + KD_DATE_SKEW))
        return 0;
    int n = (int)strnlen(date, KD_DATE_SHOWN + 1);
    const char *more = "";
    if (n > KD_DATE_SHOWN) { /* back to the first byte of a character */
        n = (int)kd_utf8_cut(date, KD_DATE_SHOWN);
        more = "...";
    }
    if (!rc)
        snprintf(why, len, "date in the future '%.*s%s' (more than a day after %s)", n, date, more, clock);
    else
        snprintf(why, len, "unreadable date '%.*s%s' (kindly reads ISO 8601: 2024-05-01, 2024-05-01 13:45:00, "
                           "2024-05-01T13:45:00+02:00; UTC without an offset)", n, date, more);
    return 1;
}
