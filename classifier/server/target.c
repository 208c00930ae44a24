/*
 * target.c - the request-target (RFC 9112, 3.2), the bytes of the request line between the
 * method and the version, read straight from the network.
 *
 * libmicrohttpd cuts the query off and hands the rest to an unescape callback before the
 * access handler sees it. Its own unescaper decodes every escape, so "/v1%2Ffeedback" was
 * routed as /v1/feedback and "/metrics%00.css" as /metrics (the C string ends at the NUL):
 * requests that a proxy in front, allowing or denying by the path as sent, let through as
 * another resource. srv_unescape decodes only the escapes of unreserved characters, the
 * one decoding RFC 3986 (6.2.2.2) allows without changing the resource named: "/%68ealthz"
 * is "/healthz", "/v1%2Ffeedback" is not "/v1/feedback". Nothing before the target's first
 * "/" is decoded: a scheme is never escaped (RFC 3986, 3.1), and "%68ttp://h/healthz", which
 * is neither origin nor absolute form, was taken for the absolute form of host h once
 * decoded (its authority then stands for the Host header). The server reads no query
 * arguments, which libmicrohttpd decodes with the same callback.
 *
 * srv_target_path then splits a target in absolute form ("http://host:8080/path") into its
 * authority and its path; origin form ("/path") is a path alone. srv_target_form tells the
 * forms apart (RFC 9112, 3.2): what is in none the server answers 400, a malformed request
 * line (RFC 9112, 3), rather than routing it as a path ("GET v1/check" was a 404, "no such
 * endpoint").
 *
 * Both are fuzzed by tests/fuzz/fuzz_target.c.
 */
#include <string.h>
#include <strings.h>

#include "target.h"

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

size_t srv_unescape(char *s)
{
    char *w = s + strcspn(s, "/"); /* a scheme has no escapes: what is before it is kept */
    for (const char *r = w; *r; r++) {
        int hi = r[0] == '%' ? hexval(r[1]) : -1, lo = hi >= 0 ? hexval(r[2]) : -1; /* r[2]: r[1] was no NUL */
        char ch = lo >= 0 ? (char)(hi << 4 | lo) : 0;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (ch && strchr("-._~", ch))) {
            *w++ = ch;
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* The length of the "http://" or "https://" (any case) that url starts with, or 0. */
static size_t scheme_len(const char *url)
{
    return !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
}

srv_target_kind srv_target_form(const char *url)
{
    if (url[0] == '/')
        return SRV_ORIGIN_FORM;
    if (scheme_len(url))
        return SRV_ABSOLUTE_FORM;
    return !strcmp(url, "*") ? SRV_ASTERISK_FORM : SRV_NO_FORM;
}

const char *srv_target_path(const char *url, const char **authority, size_t *authority_len)
{
    /* libmicrohttpd passes the request-target as it came, its query cut off and the escapes
     * of unreserved characters decoded (srv_unescape): "http://host:8080/1.1/comment-check"
     * for the absolute form */
    size_t skip = scheme_len(url);
    const char *auth = skip ? url + skip : NULL, *path = skip ? strchr(auth, '/') : url;
    if (authority)
        *authority = auth;
    if (authority_len)
        *authority_len = !auth ? 0 : path ? (size_t)(path - auth) : strlen(auth);
    return path ? path : "/";
}
