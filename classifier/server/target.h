/*
 * target.h - the request-target (RFC 9112, 3.2) as the server reads it (target.c): its
 * %-escapes decoded as far as RFC 3986 allows without changing what it names, and the path
 * and authority of its absolute form. Internal to the kindly binary, like server.h; its own
 * header so that the fuzz target (tests/fuzz/fuzz_target.c) and the unit tests reach these
 * parsers of network bytes without libmicrohttpd.
 */
#ifndef KD_SRV_TARGET_H
#define KD_SRV_TARGET_H

#include <stddef.h>

/*
 * Decode, in place, the %-escapes of RFC 3986's unreserved characters (ALPHA, DIGIT, "-",
 * ".", "_", "~"; hex digits in either case) in the NUL-terminated s from its first "/" on
 * (a scheme is never escaped: "%68ttp://h/" stays no absolute form), and leave every other
 * byte as sent, other escapes included ("%2F", "%00", "%25", "%C3"), and a "%" not followed
 * by two hex digits ("%", "%4", "%zz"). One pass, left to right: what a decoded byte makes
 * with the bytes before it is not decoded again ("%%34" + "1" is "%41", not "A").
 * libmicrohttpd's unescape callback (MHD_OPTION_UNESCAPE_CALLBACK) in server.c.
 * @return the new length: strlen(s), never more than it was.
 */
size_t srv_unescape(char *s);

/*
 * The path of a request-target: the target itself in origin form ("/1.1/comment-check"); in
 * absolute form ("http://host:8080/1.1/comment-check", scheme http or https in any case; RFC
 * 9112, 3.2.2: a server must accept it, though only proxies are sent it), what follows the
 * authority, "/" when nothing does. *authority and *authority_len (either may be NULL) are
 * set to the authority ("host:8080", not NUL-terminated), or NULL and 0 in origin form.
 * @return a pointer into url, or to a static "/".
 */
const char *srv_target_path(const char *url, const char **authority, size_t *authority_len);

/* The form of a request-target (RFC 9112, 3.2). */
typedef enum srv_target_kind {
    SRV_ORIGIN_FORM,   /* "/path" */
    SRV_ABSOLUTE_FORM, /* "http://host/path", "https://host": the schemes this server answers */
    SRV_ASTERISK_FORM, /* "*": a server-wide OPTIONS */
    SRV_NO_FORM,       /* anything else: "v1/check", "%2Fv1/check", "", "ftp://h/x", and the
                        * authority form ("host:port"), which is CONNECT's: a proxy's */
} srv_target_kind;

/*
 * The form of url, a request-target as libmicrohttpd hands it over (its query cut off,
 * srv_unescape applied: which changes no form, as nothing before the first "/" is decoded).
 * RFC 9112 (3.2, 3): a target in none of the forms is an invalid request line, which a server
 * should answer 400.
 */
srv_target_kind srv_target_form(const char *url);

#endif
