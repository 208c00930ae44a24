/*
 * refusals.h - the server's log line about connections libmicrohttpd closes unanswered at a
 * connection limit (internal to the server): the first said at once, the rest at most once a
 * minute with the count since the line before, so that a client hammering the limit cannot
 * flood the log; and, paced the same way, the requests that failed to write the model.
 */
#ifndef KD_SRV_REFUSALS_H
#define KD_SRV_REFUSALS_H

#include <stdatomic.h>
#include <stddef.h>

/* Seconds between two lines about refused connections. */
#define SRV_REFUSALS_EVERY 60

typedef struct srv_refusals {
    atomic_ulong unsaid;  /* refusals since the last line */
    atomic_llong said_at; /* the clock's seconds at that line, or LLONG_MIN before the first */
} srv_refusals;

/* Begin with no refusal said. */
void srv_refusals_init(srv_refusals *r);

/*
 * Count one refused connection at now, seconds of a clock that never goes back (the server's
 * CLOCK_MONOTONIC; a test's own numbers), from any thread. When a line is due, the first
 * refusal or the first at least SRV_REFUSALS_EVERY seconds after the last line, one thread
 * gets it in line (NUL-terminated, no newline): the first names the limit and where the others
 * are counted; a later one the number refused since the last line (this one included) and the
 * seconds since it.
 * @param per_ip  1: the limit is --max-per-ip; 0: --max-connections
 * @param limit   the limit's value, for the line
 * @return 1 when line holds a line to log, 0 when nothing is to be said now.
 */
int srv_refusals_note(srv_refusals *r, long long now, int per_ip, unsigned limit, char *line, size_t linelen);

/*
 * Count one time the server reached --max-connections (limit), as srv_refusals_note counts a
 * refusal, on a state of its own: 1 when line holds a line to log, the first saying what
 * happens to the connections past it and where it is counted, a later one how many times
 * since the line before.
 */
int srv_refusals_full(srv_refusals *r, long long now, unsigned limit, char *line, size_t linelen);

/*
 * Count one answer that did not write the model it was to write (what: the endpoint, the
 * status or warning and the reason, as server.c words it), as srv_refusals_note counts a
 * refusal, on a state of its own: 1 when line holds a line to log, the first what itself and
 * that more are said at most once a minute, a later one how many since the line before and
 * the last of them (this one). Feedback a client did not retry is otherwise lost with no
 * word in the server's log (journalctl), only a status in /metrics.
 */
int srv_refusals_unwritten(srv_refusals *r, long long now, const char *what, char *line, size_t linelen);

/*
 * At the server's stop: the events counted since the last line, which no later event will
 * say now, in one line "WHAT: N more in the last S s (said at stop)" (what: "connections
 * closed unanswered at a connection limit", ...). 1 when line holds it, 0 when none is unsaid.
 */
int srv_refusals_flush(srv_refusals *r, long long now, const char *what, char *line, size_t linelen);

#endif
