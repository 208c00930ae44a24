/*
 * refusals.c - when the server says that it closed connections unanswered at a limit.
 *
 * libmicrohttpd tells of such a connection only by a message to its error log, from any of
 * its threads (server.c, refused()). Each is counted in /metrics; the log gets the first at
 * once and then at most one line a minute, with the count since the line before. The state is
 * two atomics, no lock: a refusal adds to the unsaid count, and the one thread whose
 * compare-and-swap moves the time of the last line takes the count and says it.
 *
 * The clock is the caller's argument, not read here, so that the once-a-minute repeat is
 * tested with made-up seconds (test_refusals) instead of a minute's sleep.
 *
 * The server's --max-connections is said the same way (srv_refusals_full), with a state of
 * its own: there libmicrohttpd closes nothing, it stops accepting, and new connections wait
 * in the kernel's listen queue, where their clients see no answer and the server no request.
 * So are the answers that did not write the model (srv_refusals_unwritten: feedback answered
 * 500 or 503, a check not remembered), which the client alone was told of.
 */
#include "refusals.h"

#include <limits.h>
#include <stdio.h>

#define NEVER LLONG_MIN

void srv_refusals_init(srv_refusals *r)
{
    atomic_init(&r->unsaid, 0);
    atomic_init(&r->said_at, NEVER);
}

/* Count one event at now; 1 when this thread is to say a line, with the events it speaks
 * of in *n (one for the first line) and the time of the line before in *last (NEVER). */
static int due(srv_refusals *r, long long now, unsigned long *n, long long *last)
{
    atomic_fetch_add(&r->unsaid, 1);
    *last = atomic_load(&r->said_at);
    if (*last != NEVER && now - *last < SRV_REFUSALS_EVERY)
        return 0;
    if (!atomic_compare_exchange_strong(&r->said_at, last, now))
        return 0; /* another thread says it */
    *n = atomic_exchange(&r->unsaid, 0);
    /* the first line speaks of one event: others counted meanwhile, by threads whose claim
     * failed, wait for the next line */
    if (*last == NEVER && *n > 1) {
        atomic_fetch_add(&r->unsaid, *n - 1);
        *n = 1;
    }
    return 1;
}

int srv_refusals_note(srv_refusals *r, long long now, int per_ip, unsigned limit, char *line, size_t linelen)
{
    unsigned long n;
    long long last;
    if (!due(r, now, &n, &last))
        return 0;
    const char *flag = per_ip ? "--max-per-ip" : "--max-connections";
    if (last == NEVER) {
        snprintf(line, linelen, "closed a connection unanswered: %s held %s (%u) connections already; more are "
                                "counted in /metrics (kindly_http_connections_refused_total) and said here at "
                                "most once a minute", per_ip ? "its client address" : "the server", flag, limit);
    } else if (n)
        snprintf(line, linelen, "closed %lu more connection%s unanswered in the last %lld s, at %s (%u)", n,
                 n == 1 ? "" : "s", now - last, flag, limit);
    else
        return 0;
    return 1;
}

int srv_refusals_full(srv_refusals *r, long long now, unsigned limit, char *line, size_t linelen)
{
    unsigned long n;
    long long last;
    if (!due(r, now, &n, &last))
        return 0;
    if (last == NEVER)
        snprintf(line, linelen, "reached --max-connections (%u): new connections wait in the listen queue, "
                                "unanswered, until one closes (a /metrics scrape too); counted in /metrics "
                                "(kindly_http_connections_limit_reached_total) and said here at most once a minute", limit);
    else if (n)
        snprintf(line, linelen, "reached --max-connections (%u) %lu more time%s in the last %lld s", limit, n,
                 n == 1 ? "" : "s", now - last);
    else
        return 0;
    return 1;
}

int srv_refusals_unwritten(srv_refusals *r, long long now, const char *what, char *line, size_t linelen)
{
    unsigned long n;
    long long last;
    if (!due(r, now, &n, &last))
        return 0;
    if (last == NEVER)
        snprintf(line, linelen, "%s (more answers that failed, or did not write the model, are said here at "
                                "most once a minute)", what);
    else if (n)
        snprintf(line, linelen, "%lu more answer%s failed or did not write the model in the last %lld s, the "
                                "last: %s", n,
                 n == 1 ? "" : "s", now - last, what);
    else
        return 0;
    return 1;
}

int srv_refusals_flush(srv_refusals *r, long long now, const char *what, char *line, size_t linelen)
{
    unsigned long n = atomic_exchange(&r->unsaid, 0);
    long long last = atomic_load(&r->said_at);
    if (!n || last == NEVER) /* (the first event is always said at once) */
        return 0;
    snprintf(line, linelen, "%s: %lu more in the last %lld s (said at stop)", what, n, now - last);
    return 1;
}
