/*
 * reply.h - an HTTP answer under construction (internal to the server).
 *
 * The endpoint modules (akismet.c, api.c) build an srv_reply without knowing about
 * libmicrohttpd, so that they can be unit-tested as plain functions; server.c turns it into
 * an MHD response. The body is malloc'd and owned by the reply; a few extra headers (the
 * Akismet ones) fit in fixed slots, which keeps a reply free of allocations beyond its body.
 */
#ifndef KD_SRV_REPLY_H
#define KD_SRV_REPLY_H

#include <stddef.h>

#define SRV_REPLY_HEADERS 8

typedef struct srv_reply {
    int status;           /* HTTP status */
    const char *type;     /* Content-Type (static string) */
    char *body;           /* malloc'd body, or NULL for an empty one */
    size_t len;
    size_t nhdr;
    struct { const char *name; char value[400]; } hdr[SRV_REPLY_HEADERS];
    int verdict;          /* -1, or the kd_verdict of a comment-check (tests) */
} srv_reply;

#define SRV_TEXT "text/plain; charset=utf-8"
#define SRV_JSON "application/json"

void srv_reply_init(srv_reply *r);
/* Set status, type and a copy of text as the body. Out of memory turns the reply into a 500
 * with an empty body (and returns -1). */
int srv_reply_text(srv_reply *r, int status, const char *type, const char *text);
/* Take ownership of a malloc'd body (NULL means out of memory: a 500). */
int srv_reply_take(srv_reply *r, int status, const char *type, char *body, size_t len);
/* A JSON error object {"error": message}. */
int srv_reply_error(srv_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Add a header (value truncated to fit). Silently ignored beyond SRV_REPLY_HEADERS. */
void srv_reply_header(srv_reply *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A comment the server remembers whose date is there but unreadable (kd_date_parse: KD_EPARSE),
 * or more than a day after the server's clock, is remembered as of now: 1 with why set by
 * kd_date_warning (date.h: "unreadable date 'VALUE' (...)" or "date in the future 'VALUE'
 * (...)") for an X-kindly-warning "remembered as of now: WHY"; 0 for a good date or none. */
int srv_date_warning(const char *date, char *why, size_t len);
/* The reply as an HTTP/1.1 message, for the one answer libmicrohttpd cannot send itself (a
 * body cut at --timeout, server.c: it refuses a response while a body is being received):
 * status line with reason, Content-Type and Content-Length (none for 204), Connection: close,
 * Server, the extra headers, the body. Returns a malloc'd message, its length in *len; NULL
 * when out of memory. */
char *srv_reply_message(const srv_reply *r, const char *reason, size_t *len);
/* The Retry-After a reply goes out with when it has none of its own: "1" for a 503, NULL for
 * any other status. Every 503 kindly sends is passing (the model locked by another writer
 * past the 10 s busy timeout, the request bodies' memory budget full): RFC 9110 (15.6.4,
 * 10.2.3) lets a server say when to try again, and clients and proxies that honour it wait
 * instead of retrying at once. send_reply and srv_reply_message add it. */
const char *srv_reply_retry_after(const srv_reply *r);
/* Value of a header set on the reply, or NULL (tests). */
const char *srv_reply_get_header(const srv_reply *r, const char *name);
void srv_reply_free(srv_reply *r);

#endif
