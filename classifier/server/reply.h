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

#include "kindly.h"

#define SRV_REPLY_HEADERS 8
/* Room for one extra header's value, its NUL included. */
#define SRV_HEADER_VALUE 400

typedef struct srv_reply {
    int status;           /* HTTP status */
    const char *type;     /* Content-Type (static string) */
    char *body;           /* malloc'd body, or NULL for an empty one */
    size_t len;
    size_t nhdr;
    struct { const char *name; char value[SRV_HEADER_VALUE]; } hdr[SRV_REPLY_HEADERS];
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
/* Add a header (value truncated to fit; a control character shown as '?'). Silently ignored
 * beyond SRV_REPLY_HEADERS. */
void srv_reply_header(srv_reply *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s made plain ASCII for a header's value, in place: each byte that is a control character or
 * not ASCII shown as '?' (a warning that echoes the client's bytes: a charset's name, a
 * field's; bytes past ASCII in a header are read in whatever charset each client assumes). */
void srv_header_ascii(char *s);
/*
 * A list of strings (a result's reasons) as one header's value that any client reads the
 * same way: "; " between two items, and in each item '%', ';', control characters and every
 * byte that is not ASCII written as %XX (the bytes of its UTF-8, which RFC 3986 percent-
 * decoding gives back: rawurldecode, decodeURIComponent, urllib.parse.unquote; '+' stays a
 * plus), a byte that is not UTF-8 as U+FFFD's (%EF%BF%BD), as the JSON API writes it. At most
 * len - 1 bytes: items that do not fit are left out, whole, and the value ends with
 * "(N more, cut for length)"; one that fits after one left out is kept, in its order.
 * Returns the number of items left out.
 */
size_t srv_header_list(char *out, size_t len, char *const *items, size_t n);
/* A comment the server remembers whose date is there but unreadable (kd_date_parse: KD_EPARSE),
 * or more than a day after the server's clock, is remembered as of now: 1 with why set by
 * kd_date_warning (date.h: "unreadable date 'VALUE' (...)" or "date in the future 'VALUE'
 * (...)") for an X-kindly-warning "remembered as of now: WHY"; 0 for a good date or none. */
int srv_date_warning(const char *date, char *why, size_t len);
/* A comment that names a post model m does not hold (res->post_unknown 1), when m holds posts
 * (without any, every comment is scored against the site, as the CLI's warning): 1 with why
 * set, in ASCII, to "post 'ID' is not one this model holds: scored against the site alone
 * (...)" for an X-kindly-warning "relevance: WHY"; 0 otherwise. */
int srv_post_warning(kd_model *m, const kd_comment *c, const kd_result *res, char *why, size_t len);
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
