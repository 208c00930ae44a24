/* test_reply.c - srv_reply: bodies, JSON errors and extra headers (the "%s" header is copied
 * without printf; both paths truncate to the value's room the same way); the reply as a whole
 * HTTP message (srv_reply_message); the unknown post warning (srv_post_warning). */
#include <criterion/criterion.h>
#include <stdio.h>
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

/* A result's reasons as one header (X-kindly-reasons): "; " between them, and what a header
 * must not carry, or a client would read in its own charset, percent-encoded, with '%' and the
 * separator itself, so that RFC 3986 decoding gives each reason back as the JSON API has it. */
Test(reply, a_list_header_escapes_what_a_header_must_not_carry)
{
    char out[SRV_HEADER_VALUE];
    char *plain[] = { "bayes=0.997", "rule:PHARMA_SALE=+2.5", "duplicate_of:c1 (site, similarity 1.00)",
                      "token:no prescription=0.97" };
    cr_assert_eq(srv_header_list(out, sizeof out, plain, 4), 0);
    cr_assert_str_eq(out, "bayes=0.997; rule:PHARMA_SALE=+2.5; duplicate_of:c1 (site, similarity 1.00); "
                          "token:no prescription=0.97");
    char *odd[] = { "token:caf\xc3\xa9=0.9", "token:\xe6\x97\xa5\xe6\x9c\xac=0.8", "duplicate_of:a;b%c\r\n\t\x7f (site)",
                    "token:\xff\xc3(=0.5" /* not UTF-8: each bad byte U+FFFD, as the JSON API writes it */ };
    cr_assert_eq(srv_header_list(out, sizeof out, odd, 4), 0);
    cr_assert_str_eq(out, "token:caf%C3%A9=0.9; token:%E6%97%A5%E6%9C%AC=0.8; duplicate_of:a%3Bb%25c%0D%0A%09%7F (site); "
                          "token:%EF%BF%BD%EF%BF%BD(=0.5");
    for (const char *p = out; *p; p++)
        cr_assert(*p >= 0x20 && *p < 0x7f, "byte 0x%02x at %zu", (unsigned char)*p, (size_t)(p - out));
    cr_assert_eq(srv_header_list(out, sizeof out, NULL, 0), 0);
    cr_assert_str_eq(out, "");
}

/* Reasons past the header's room are left out whole (a UTF-8 token is never cut inside a
 * letter, an escape never cut in two), the value says how many, and one that fits after one
 * left out keeps its place. */
Test(reply, a_list_header_too_long_says_it_was_cut)
{
    char out[SRV_HEADER_VALUE], big[600], huge[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "duplicate_of:", 13);
    char *l[] = { "bayes=0.997", big, "token:xanax=0.96" };
    cr_assert_eq(srv_header_list(out, sizeof out, l, 3), 1);
    cr_assert_str_eq(out, "bayes=0.997; token:xanax=0.96; (1 more, cut for length)");
    /* many reasons: as many as fit, in their order, then the note, within the room */
    char *many[40];
    for (size_t i = 0; i < 40; i++)
        many[i] = "token:\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e=0.97"; /* 38 bytes escaped */
    size_t left = srv_header_list(out, sizeof out, many, 40);
    cr_assert_leq(strlen(out), sizeof out - 1);
    size_t shown = 40 - left;
    cr_assert_gt(shown, 5);
    cr_assert_lt(shown, 40);
    char want[40];
    snprintf(want, sizeof want, "; (%zu more, cut for length)", left);
    cr_assert_str_eq(out + strlen(out) - strlen(want), want, "%s", out);
    cr_assert_eq(strlen(out), shown * 38 + (shown - 1) * 2 + strlen(want), "%s", out);
    /* not even one fits: the note alone */
    memset(huge, 'y', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    char *one[] = { huge };
    char small[64];
    cr_assert_eq(srv_header_list(small, sizeof small, one, 1), 1);
    cr_assert_str_eq(small, "(1 more, cut for length)");
}

/* Reasons that fill the header's room exactly all fit: nothing is said left out. */
Test(reply, a_list_header_filled_exactly_keeps_every_item)
{
    char out[7];
    char *l[] = { "ab", "cd" };
    cr_assert_eq(srv_header_list(out, sizeof out, l, 2), 0);
    cr_assert_str_eq(out, "ab; cd");
}

/* A warning that echoes the client's bytes is made plain ASCII (form.c's charset warning, the
 * NUL field's name in akismet.c). */
Test(reply, header_ascii_shows_other_bytes_as_question_marks)
{
    char s[] = "charset \"x\x01y\xc3\xa9z\x7f\"";
    srv_header_ascii(s);
    cr_assert_str_eq(s, "charset \"x?y??z?\"");
}

/* The warning of a post the model does not hold quotes its id whole up to 60 characters, and
 * marks one cut ("...") only when the id is longer. */
Test(reply, a_post_warning_marks_a_cut_id_only_when_it_was_cut)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "p1", "Sleep", "Sleep and breathing tips"), 0);
    char id[62], why[512], want[128];
    memset(id, 'a', 61);
    id[61] = '\0';
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = id;
    c.text = "breathing";
    kd_result res;
    memset(&res, 0, sizeof res);
    res.post_unknown = 1;
    id[60] = '\0'; /* 60 characters: whole, no mark */
    cr_assert_eq(srv_post_warning(m, &c, &res, why, sizeof why), 1);
    snprintf(want, sizeof want, "post '%s' is not one", id);
    cr_assert_not_null(strstr(why, want), "%s", why);
    id[60] = 'b'; /* 61: the first 60, marked */
    cr_assert_eq(srv_post_warning(m, &c, &res, why, sizeof why), 1);
    id[60] = '\0';
    snprintf(want, sizeof want, "post '%s...' is not one", id);
    cr_assert_not_null(strstr(why, want), "%s", why);
    res.post_unknown = 0; /* a post it holds: no warning */
    cr_assert_eq(srv_post_warning(m, &c, &res, why, sizeof why), 0);
    kd_model_close(m);
}
