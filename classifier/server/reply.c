/*
 * reply.c - building srv_reply values: text and JSON bodies, extra headers, JSON errors.
 */
#include "reply.h"

#include "kindly.h"
#include "date.h"
#include "normalize.h"
#include "libjansson.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void srv_reply_init(srv_reply *r)
{
    memset(r, 0, sizeof *r);
    r->status = 500;
    r->type = SRV_TEXT;
    r->verdict = -1;
}

int srv_reply_take(srv_reply *r, int status, const char *type, char *body, size_t len)
{
    free(r->body);
    r->body = body;
    r->len = body ? len : 0;
    r->type = type;
    r->status = body ? status : 500;
    return body ? 0 : -1;
}

int srv_reply_text(srv_reply *r, int status, const char *type, const char *text)
{
    char *s = strdup(text);
    return srv_reply_take(r, status, type, s, s ? strlen(s) : 0);
}

int srv_reply_error(srv_reply *r, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* a message may echo what the client sent (a path, a Content-Type): bytes that are not
     * UTF-8 made json_pack fail, and the error an empty 500 */
    size_t bad, n = strlen(msg);
    while (!kd_utf8_valid(msg, n, &bad) && bad < n)
        msg[bad] = '?';
    json_t *o = json_pack("{s:s}", "error", msg);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return srv_reply_take(r, status, SRV_JSON, s, s ? strlen(s) : 0);
}

void srv_reply_header(srv_reply *r, const char *name, const char *fmt, ...)
{
    if (r->nhdr >= SRV_REPLY_HEADERS)
        return;
    r->hdr[r->nhdr].name = name;
    char *v = r->hdr[r->nhdr].value;
    size_t cap = sizeof r->hdr[r->nhdr].value;
    va_list ap;
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) { /* the common "%s": no printf */
        const char *s = va_arg(ap, const char *);
        size_t n = strlen(s);
        if (n >= cap)
            n = cap - 1;
        memcpy(v, s, n);
        v[n] = '\0';
    } else
        vsnprintf(v, cap, fmt, ap);
    va_end(ap);
    /* a value may echo the client's bytes (a Content-Type): a control character (a bare CR
     * made libmicrohttpd drop the header without a word) is shown as '?' */
    for (char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    r->nhdr++;
}

void srv_header_ascii(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
            *s = '?';
}

/* Item s escaped for srv_header_list into d, as much of it as room holds (no NUL written);
 * returns its whole escaped length when that is room or less, else a length past room,
 * counted to the end of the first character that does not fit: room + 1 to room + 12 (an
 * escaped character is 3 bytes a byte, 12 for one of 4 bytes; an invalid byte is U+FFFD's 9). */
static size_t escape_item(const char *s, char *d, size_t room)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t at = 0, n = strlen(s);
    for (size_t i = 0; i < n && at <= room;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '%' && c != ';') {
            if (at < room)
                d[at] = (char)c;
            at++, i++;
            continue;
        }
        int32_t cp = c;
        size_t k = c < 0x80 ? 1 : kd_utf8_decode(s + i, n - i, &cp);
        const char *b = cp < 0 ? "\xEF\xBF\xBD" : s + i; /* a byte that is not UTF-8 */
        for (size_t j = 0; j < (cp < 0 ? 3 : k); j++, at += 3)
            if (at + 3 <= room) {
                d[at] = '%';
                d[at + 1] = hex[(unsigned char)b[j] >> 4];
                d[at + 2] = hex[(unsigned char)b[j] & 15];
            }
        i += k;
    }
    return at;
}

/* Room kept for srv_header_list's note of the items left out: "; (N more, cut for length)". */
#define LIST_NOTE 48

size_t srv_header_list(char *out, size_t len, char *const *items, size_t n)
{
    size_t room = len - 1, at = 0, left = 0;
    /* all of them, when they fit; else again, with room kept for the note */
    for (int pass = 0; pass < 2; pass++) {
        size_t limit = !pass ? room : room > LIST_NOTE ? room - LIST_NOTE : 0;
        at = left = 0;
        for (size_t i = 0; i < n; i++) {
            size_t sep = at ? 2 : 0, avail = limit - at >= sep ? limit - at - sep : 0;
            size_t k = avail ? escape_item(items[i], out + at + sep, avail) : 1;
            if (k > avail) { /* out past at is scratch until the item fits */
                left++;
                continue;
            }
            memcpy(out + at, "; ", sep);
            at += sep + k;
        }
        if (!left)
            break;
    }
    if (left) {
        int w = snprintf(out + at, len - at, "%s(%zu more, cut for length)", at ? "; " : "", left);
        at = w < 0 ? at : at + (size_t)w < room ? at + (size_t)w : room;
    }
    out[at] = '\0';
    return left;
}

int srv_date_warning(const char *date, char *why, size_t len)
{
    return kd_date_warning(date, (int64_t)time(NULL), "the server's clock", why, len);
}

int srv_post_warning(kd_model *m, const kd_comment *c, const kd_result *res, char *why, size_t len)
{
    uint64_t posts = 0;
    if (res->post_unknown != 1 || !c->post_id || kd_posts_count(m, &posts) || !posts)
        return 0;
    snprintf(why, len, "post '%.60s%s' is not one this model holds: scored against the site alone (import the "
                       "posts with kindly posts)", c->post_id, strlen(c->post_id) > 60 ? "..." : "");
    srv_header_ascii(why);
    return 1;
}

char *srv_reply_message(const srv_reply *r, const char *reason, size_t *len)
{
    char *m = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&m, &n);
    if (!f)
        return NULL;
    fprintf(f, "HTTP/1.1 %d %s\r\n", r->status, reason);
    if (r->status != 204) /* no content: neither its type nor its length (RFC 9110, 8.6) */
        fprintf(f, "Content-Type: %s\r\nContent-Length: %zu\r\n", r->type, r->len);
    fputs("Connection: close\r\nServer: kindly/" KINDLY_VERSION "\r\n", f);
    for (size_t i = 0; i < r->nhdr; i++)
        fprintf(f, "%s: %s\r\n", r->hdr[i].name, r->hdr[i].value);
    const char *retry = srv_reply_retry_after(r);
    if (retry)
        fprintf(f, "Retry-After: %s\r\n", retry);
    fputs("\r\n", f);
    if (r->len)
        fwrite(r->body, 1, r->len, f);
    if (ferror(f) | fclose(f)) {
        free(m);
        return NULL;
    }
    *len = n;
    return m;
}

const char *srv_reply_retry_after(const srv_reply *r)
{
    return r->status == 503 && !srv_reply_get_header(r, "Retry-After") ? "1" : NULL;
}

const char *srv_reply_get_header(const srv_reply *r, const char *name)
{
    for (size_t i = 0; i < r->nhdr; i++)
        if (!strcasecmp(r->hdr[i].name, name))
            return r->hdr[i].value;
    return NULL;
}

void srv_reply_free(srv_reply *r)
{
    if (!r)
        return;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}
