/*
 * date.h - a comment's date: read (kd_date_parse, public in kindly.h) and judged before a
 * comment is remembered (internal).
 *
 * The history records a comment as of its date, but as of now when the date is missing,
 * unreadable or later than now (dedup.c); history --prune would then take an old comment
 * for a new one. The library says nothing of it: its front ends (the CLI, the server) warn,
 * both through kd_date_warning(), so that they judge a date alike and word it alike.
 */
#ifndef KD_DATE_H
#define KD_DATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A date more than this many seconds after the clock is named as in the future (the history
 * records it as of now: it would never be pruned); less is a clock's skew or a time zone
 * mistaken, recorded as now quietly. */
#define KD_DATE_SKEW 86400

/* At most this many bytes of a date are echoed in a warning: a date is short, a client's long
 * value is not shown whole (it is cut between two UTF-8 characters and "..." appended). */
#define KD_DATE_SHOWN 60

/*
 * Whether date, about to be remembered, deserves a warning.
 * @param now    the clock's time, seconds since the epoch (time(NULL); tests give their own)
 * @param clock  whose clock the message names ("this machine's clock", "the server's clock")
 * @param[out] why  "unreadable date 'VALUE' (kindly reads ISO 8601: ...)" or "date in the
 *               future 'VALUE' (more than a day after CLOCK)", truncated to len; untouched
 *               when it returns 0. The caller says what is done with the comment.
 * @return 1 for a date that is there but unreadable (kd_date_parse: KD_EPARSE) or more than
 *         KD_DATE_SKEW after now; 0 for a good date or none (NULL, empty or only blanks).
 */
int kd_date_warning(const char *date, int64_t now, const char *clock, char *why, size_t len);

/* Whether date is WordPress's zero date ("0000-00-00 00:00:00", MySQL's "no date", which some
 * plugins' linkbacks store): no date, as an empty field, where WordPress's fields are read
 * (its CSV export's comment_date_gmt and comment_date, its Akismet plugin's form). */
static inline int kd_date_wp_zero(const char *date)
{
    return date && !strncmp(date, "0000-00-00", 10);
}

#endif
