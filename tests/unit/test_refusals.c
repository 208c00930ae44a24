/* test_refusals.c - classifier/server/refusals.c: the log line about connections closed
 * unanswered at a limit is said for the first at once, then at most once a minute with the
 * count since the line before, on a clock the test gives (no minute's sleep). */
#include "helpers.h"
#include "server/refusals.h"

/* note(r, now): the line due at now, or "" when none */
static const char *note(srv_refusals *r, long long now)
{
    static char line[512];
    line[0] = '\0';
    if (!srv_refusals_note(r, now, 1, 3, line, sizeof line))
        cr_assert_str_empty(line, "no line, nothing written (t=%lld)", now);
    return line;
}

Test(refusals, the_first_at_once_then_once_a_minute_with_the_count_since)
{
    srv_refusals r;
    srv_refusals_init(&r);
    cr_assert_str_eq(note(&r, 1000), "closed a connection unanswered: its client address held --max-per-ip (3) "
                                     "connections already; more are counted in /metrics "
                                     "(kindly_http_connections_refused_total) and said here at most once a minute");
    cr_assert_str_empty(note(&r, 1000));
    cr_assert_str_empty(note(&r, 1030));
    cr_assert_str_empty(note(&r, 1059));
    /* a minute after the first line: it repeats, counting the three unsaid and this one */
    cr_assert_str_eq(note(&r, 1060), "closed 4 more connections unanswered in the last 60 s, at --max-per-ip (3)");
    cr_assert_str_empty(note(&r, 1119));
    /* a quiet spell: the next line says how long since the last, and one is singular */
    cr_assert_str_eq(note(&r, 1135), "closed 2 more connections unanswered in the last 75 s, at --max-per-ip (3)");
    cr_assert_str_eq(note(&r, 5000), "closed 1 more connection unanswered in the last 3865 s, at --max-per-ip (3)");
}

Test(refusals, names_max_connections_when_that_is_the_limit)
{
    srv_refusals r;
    srv_refusals_init(&r);
    char line[512];
    cr_assert(srv_refusals_note(&r, 0, 0, 4096, line, sizeof line));
    const char *first = "closed a connection unanswered: the server held --max-connections (4096) connections already;";
    cr_assert(!strncmp(line, first, strlen(first)), "%s", line);
    cr_assert(!srv_refusals_note(&r, 59, 0, 4096, line, sizeof line));
    cr_assert(srv_refusals_note(&r, 60, 0, 4096, line, sizeof line));
    cr_assert_str_eq(line, "closed 2 more connections unanswered in the last 60 s, at --max-connections (4096)");
}

/* Another thread's refusal counted between this one's count and its claim of the first line
 * (that thread then lost the claim and said nothing): the first line speaks of one
 * connection, so the other is said with the next line, not lost. */
Test(refusals, a_refusal_racing_the_first_line_is_said_with_the_next)
{
    srv_refusals r;
    srv_refusals_init(&r);
    atomic_fetch_add(&r.unsaid, 1); /* the other thread's count; its claim failed */
    cr_assert(strncmp(note(&r, 0), "closed a connection unanswered:", 31) == 0);
    cr_assert_str_eq(note(&r, 60), "closed 2 more connections unanswered in the last 60 s, at --max-per-ip (3)");
}

/* --max-connections reached (the server stops accepting; nothing is closed): a state and words
 * of its own, at the same pace, the count since the line before in times. */
Test(refusals, max_connections_reached_first_at_once_then_once_a_minute)
{
    srv_refusals r;
    srv_refusals_init(&r);
    char line[512];
    cr_assert(srv_refusals_full(&r, 100, 4096, line, sizeof line));
    cr_assert_str_eq(line, "reached --max-connections (4096): new connections wait in the listen queue, unanswered, "
                           "until one closes (a /metrics scrape too); counted in /metrics "
                           "(kindly_http_connections_limit_reached_total) and said here at most once a minute");
    cr_assert(!srv_refusals_full(&r, 130, 4096, line, sizeof line));
    cr_assert(srv_refusals_full(&r, 160, 4096, line, sizeof line));
    cr_assert_str_eq(line, "reached --max-connections (4096) 2 more times in the last 60 s");
    cr_assert(srv_refusals_full(&r, 500, 4096, line, sizeof line));
    cr_assert_str_eq(line, "reached --max-connections (4096) 1 more time in the last 340 s");
}

/* Answers that did not write the model (feedback answered 503, a check not remembered): the
 * first said at once as the server words it, then at most once a minute with the count since
 * and the last one's words. The server's log said nothing of them: a report its client did
 * not retry was lost with no word in journalctl. */
Test(refusals, unwritten_answers_the_first_at_once_then_once_a_minute_with_the_last)
{
    srv_refusals r;
    srv_refusals_init(&r);
    char line[512];
    cr_assert(srv_refusals_unwritten(&r, 100, "/v1/feedback answered 503: locked", line, sizeof line));
    cr_assert_str_eq(line, "/v1/feedback answered 503: locked (more answers that failed, or did not write the "
                           "model, are said here at most once a minute)");
    cr_assert(!srv_refusals_unwritten(&r, 110, "/v1/feedback answered 503: locked", line, sizeof line));
    cr_assert(!srv_refusals_unwritten(&r, 159, "/1.1/submit-spam answered 503: locked", line, sizeof line));
    cr_assert(srv_refusals_unwritten(&r, 160, "/1.1/comment-check answered 200 with X-kindly-warning: not "
                                              "remembered: full", line, sizeof line));
    cr_assert_str_eq(line, "3 more answers failed or did not write the model in the last 60 s, the last: "
                           "/1.1/comment-check answered 200 with X-kindly-warning: not remembered: full");
}

/* At the stop, what was counted since the last line is said (it went unsaid for good before);
 * nothing when all was said, or before any line (the first event is said at once). */
Test(refusals, the_unsaid_are_said_at_stop)
{
    srv_refusals r;
    srv_refusals_init(&r);
    char line[512] = "";
    cr_assert_not(srv_refusals_flush(&r, 10, "connections closed unanswered at a connection limit", line, sizeof line));
    cr_assert_str_not_empty(note(&r, 1000));
    cr_assert_not(srv_refusals_flush(&r, 1001, "connections closed unanswered at a connection limit", line,
                                     sizeof line), "said already: %s", line);
    cr_assert_str_empty(note(&r, 1010));
    cr_assert_str_empty(note(&r, 1020));
    cr_assert(srv_refusals_flush(&r, 1030, "connections closed unanswered at a connection limit", line, sizeof line));
    cr_assert_str_eq(line, "connections closed unanswered at a connection limit: 2 more in the last 30 s (said at stop)");
    cr_assert_not(srv_refusals_flush(&r, 1031, "x", line, sizeof line), "said twice");
}
