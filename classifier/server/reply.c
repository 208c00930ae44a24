/*
 * reply.c - building srv_reply values: text and JSON bodies, extra headers, JSON errors.
 */
#include "reply.h"

#include "kindly.h"
#include "date.h"
#include "normalize.h"
#include "libjansson.h"

#include <stdarg.h>
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

int srv_date_warning(const char *date, char *why, size_t len)
{
    return kd_date_warning(date, (int64_t)time(NULL), "the server's clock", why, len);
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
