/* test_reply.c - srv_reply: bodies, JSON errors and extra headers (the "%s" header is copied
 * without printf; both paths truncate to the value's room the same way); the reply as a whole
 * HTTP message (srv_reply_message). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"
#include "server/reply.h"

Test(reply, headers_plain_and_formatted)
{
    srv_reply r;
    srv_reply_init(&r);
    srv_reply_header(&r, "X-kindly-verdict", "%s", "spam");
    srv_reply_header(&r, "X-kindly-spam-score", "%.4f", 0.5);
    srv_reply_header(&r, "X-a", "%s%s", "ab", "cd");
    cr_assert_str_eq(srv_reply_get_header(&r, "x-kindly-verdict"), "spam");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-kindly-spam-score"), "0.5000");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-a"), "abcd");
    for (int i = 3; i < SRV_REPLY_HEADERS; i++)
        srv_reply_header(&r, "X-b", "%d", i);
    srv_reply_header(&r, "X-c", "%s", "ignored");
    cr_assert_null(srv_reply_get_header(&r, "X-c"), "at most SRV_REPLY_HEADERS headers");
    srv_reply_free(&r);
}

Test(reply, long_header_values_are_truncated_alike)
{
    char big[1000];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    srv_reply r;
    srv_reply_init(&r);
    srv_reply_header(&r, "X-plain", "%s", big);
    srv_reply_header(&r, "X-printf", "%s!", big);
    size_t room = sizeof r.hdr[0].value - 1;
    cr_assert_eq(strlen(srv_reply_get_header(&r, "X-plain")), room);
    cr_assert_eq(strncmp(srv_reply_get_header(&r, "X-plain"), srv_reply_get_header(&r, "X-printf"), room), 0);
    cr_assert_eq(strlen(srv_reply_get_header(&r, "X-printf")), room);
    srv_reply_free(&r);
}

Test(reply, text_and_error_bodies)
{
    srv_reply r;
    srv_reply_init(&r);
    cr_assert_eq(srv_reply_text(&r, 200, SRV_TEXT, "true"), 0);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.len, 4);
    cr_assert_eq(srv_reply_error(&r, 400, "bad %s", "thing"), 0);
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(r.body, "{\"error\":\"bad thing\"}");
    srv_reply_free(&r);
}

/* What a client sent, echoed: bytes that are not UTF-8 in an error made json_pack fail (an
 * empty 500 instead of the 404 or 415), and a control character in a header value made
 * libmicrohttpd drop the header. Both are shown as '?'. */
Test(reply, echoed_client_bytes_are_made_safe)
{
    srv_reply r;
    srv_reply_init(&r);
    cr_assert_eq(srv_reply_error(&r, 404, "no such endpoint: /%s", "\xff\xfe caf\xc3\xa9"), 0);
    cr_assert_eq(r.status, 404);
    cr_assert_str_eq(r.body, "{\"error\":\"no such endpoint: /?? caf\xc3\xa9\"}");
    srv_reply_header(&r, "X-akismet-debug-help", "send a form, not %s", "text/x\rY\n\x01");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-akismet-debug-help"), "send a form, not text/x?Y??");
    srv_reply_free(&r);
}

Test(reply, message_is_a_whole_http_answer_that_closes)
{
    srv_reply r;
    srv_reply_init(&r);
    srv_reply_error(&r, 408, "too slow");
    srv_reply_header(&r, "X-a", "%s", "b");
    size_t n = 0;
    char *m = srv_reply_message(&r, "Request Timeout", &n);
    cr_assert_not_null(m);
    const char *want = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
                       "Connection: close\r\nServer: kindly/" KINDLY_VERSION "\r\nX-a: b\r\n\r\n{\"error\":\"too slow\"}";
    cr_assert_eq(n, strlen(want));
    cr_assert_eq(memcmp(m, want, n), 0, "%.*s", (int)n, m);
    free(m);
    srv_reply_free(&r);
    /* no content, no type of it (as send_reply), and no Content-Length (RFC 9110, 8.6: a
     * server must not send one with a 204; libmicrohttpd sends none) */
    srv_reply_init(&r);
    r.status = 204;
    m = srv_reply_message(&r, "No Content", &n);
    cr_assert_not_null(m);
    cr_assert_null(strstr(m, "Content-Type"));
    cr_assert_null(strstr(m, "Content-Length"), "%s", m);
    cr_assert_not_null(strstr(m, "Connection: close\r\n"));
    free(m);
}

/* Every 503 is passing (a model locked past the busy timeout, the bodies' budget full) and
 * says when to ask again: Retry-After: 1, unless it set its own; no other status has one. */
Test(reply, a_503_says_when_to_retry)
{
    srv_reply r;
    srv_reply_init(&r);
    srv_reply_error(&r, 503, "model is locked by another writer");
    cr_assert_str_eq(srv_reply_retry_after(&r), "1");
    size_t n = 0;
    char *m = srv_reply_message(&r, "Service Unavailable", &n);
    cr_assert_not_null(m);
    cr_assert_not_null(strstr(m, "\r\nRetry-After: 1\r\n\r\n"), "%s", m);
    free(m);
    /* its own value is kept, and not sent twice */
    srv_reply_header(&r, "Retry-After", "%s", "7");
    cr_assert_null(srv_reply_retry_after(&r));
    m = srv_reply_message(&r, "Service Unavailable", &n);
    cr_assert_not_null(strstr(m, "\r\nRetry-After: 7\r\n"), "%s", m);
    cr_assert_null(strstr(strstr(m, "Retry-After") + 1, "Retry-After"), "%s", m);
    free(m);
    srv_reply_free(&r);
    int other[] = { 200, 400, 413, 500 };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        srv_reply_init(&r);
        srv_reply_error(&r, other[i], "x");
        cr_assert_null(srv_reply_retry_after(&r), "status %d", other[i]);
        m = srv_reply_message(&r, "X", &n);
        cr_assert_null(strstr(m, "Retry-After"), "%s", m);
        free(m);
        srv_reply_free(&r);
    }
}
