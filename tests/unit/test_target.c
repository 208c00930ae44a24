/* test_target.c - classifier/server/target.c: srv_unescape, which decodes only the escapes of
 * unreserved characters in a request-target (RFC 3986, 6.2.2.2), and srv_target_path, its
 * path and authority. The fuzz target (tests/fuzz/fuzz_target.c) checks the same promises
 * on arbitrary bytes; these are the edges it was seeded with, each named. */
#include "helpers.h"
#include <criterion/parameterized.h>
#include "server/target.h"

typedef struct unescape_case { char in[40], out[40]; } unescape_case;
ParameterizedTestParameters(target, unescape)
{
    static unescape_case p[] = {
        { "", "" },
        { "/healthz", "/healthz" },
        /* unreserved: decoded, hex digits in either case */
        { "/%68ealthz", "/healthz" },
        { "/%41%4a%4A%7a%30%39", "/AJJz09" },
        { "/%2d%2e%2E%5f%5F%7e%7E", "/-..__~~" },
        /* reserved and other bytes: left as sent */
        { "/v1%2Ffeedback", "/v1%2Ffeedback" },
        { "/v1%2ffeedback", "/v1%2ffeedback" },
        { "/metrics%00.css", "/metrics%00.css" },
        { "/%25%2541", "/%25%2541" },          /* "%25" is no "%", so no "%41" follows */
        { "http://a%40b/%3F%23", "http://a%40b/%3F%23" },
        { "/caf%C3%A9%e2%82%ac%ff%80", "/caf%C3%A9%e2%82%ac%ff%80" },
        { "/%20%2B%2b%7F", "/%20%2B%2b%7F" },
        /* a "%" without two hex digits after it */
        { "/%", "/%" },
        { "/a%", "/a%" },                    /* a trailing "%" */
        { "/%4", "/%4" },                      /* one digit at the end */
        { "/x%4", "/x%4" },
        { "/%zz%g1%1g%%", "/%zz%g1%1g%%" },
        { "/%%41", "/%A" },                    /* the second "%" starts the escape */
        /* one pass: a decoded digit after a "%" sent as is makes no new escape */
        { "/%%341", "/%41" },
        { "/%4%31", "/%41" },
        /* a scheme is never escaped (RFC 3986, 3.1): nothing before the first "/" is
         * decoded, so what is neither origin nor absolute form as sent stays so */
        { "%68ttp://h/%68", "%68ttp://h/h" },
        { "h%74tps://x/metrics", "h%74tps://x/metrics" },
        { "%2E%41/%41", "%2E%41/A" },
        { "%41%", "%41%" },
        { "http://KEY%2Eexample/%68", "http://KEY.example/h" },
    };
    return cr_make_param_array(unescape_case, p, sizeof p / sizeof *p);
}
ParameterizedTest(unescape_case *p, target, unescape)
{
    char s[sizeof p->in];
    memcpy(s, p->in, sizeof s);
    size_t n = srv_unescape(s);
    cr_assert_str_eq(s, p->out, "%s", p->in);
    cr_assert_eq(n, strlen(p->out), "%s", p->in);
}

/* The string ends at its NUL: a "%" or "%4" before it takes no digit from past it, and
 * nothing past it is read as the target or written. */
Test(target, unescape_stops_at_nul)
{
    char a[] = "/b%\0%41";
    cr_assert_eq(srv_unescape(a), 3);
    cr_assert_str_eq(a, "/b%");
    cr_assert(!memcmp(a + 4, "%41", 4));
    char b[] = "/%4\0" "1";
    cr_assert_eq(srv_unescape(b), 3);
    cr_assert_str_eq(b, "/%4");
    cr_assert_eq(b[4], '1');
    char c[] = "/%\0" "41";
    cr_assert_eq(srv_unescape(c), 2);
    cr_assert(!memcmp(c, "/%\0" "41", 6));
}

/* Decoding is not idempotent where one pass made an escape (above, "%%341" -> "%41"), and
 * is on a result that holds no escape of an unreserved character. */
Test(target, unescape_twice)
{
    char s[] = "/%%341/%2F%25%68i";
    cr_assert_eq(srv_unescape(s), 13);
    cr_assert_str_eq(s, "/%41/%2F%25hi");
    cr_assert_eq(srv_unescape(s), 11);
    cr_assert_str_eq(s, "/A/%2F%25hi");
    cr_assert_eq(srv_unescape(s), 11);
    cr_assert_str_eq(s, "/A/%2F%25hi");
}

/* A target that is no absolute form as sent is none once decoded: its "authority" does not
 * replace the Host header, and its path is not routed (it was: "%68ttp://h/healthz" was
 * answered as GET /healthz for host h). */
Test(target, escaped_scheme_is_no_absolute_form)
{
    char s[] = "%68ttp://KEY.h/healthz";
    srv_unescape(s);
    const char *auth = "unset";
    size_t n = 99;
    cr_assert_eq(srv_target_path(s, &auth, &n), s);
    cr_assert(auth == NULL && n == 0);
}

/* The path and the authority of a request-target; "/" for an absolute form without a path. */
Test(target, path_and_authority)
{
    const char *auth = "unset";
    size_t n = 99;
    cr_assert_str_eq(srv_target_path("/1.1/verify-key", &auth, &n), "/1.1/verify-key");
    cr_assert(auth == NULL && n == 0);
    cr_assert_str_eq(srv_target_path("http://KEY.localhost:8080/1.1/verify-key", &auth, &n), "/1.1/verify-key");
    cr_assert_eq(n, 18);
    cr_assert(!strncmp(auth, "KEY.localhost:8080", n));
    cr_assert_str_eq(srv_target_path("https://example.com", &auth, &n), "/");
    cr_assert_eq(n, 11);
    cr_assert(!strncmp(auth, "example.com", n));
    cr_assert_str_eq(srv_target_path("http:///healthz", &auth, &n), "/healthz"); /* an empty authority */
    cr_assert(auth != NULL && n == 0);
    cr_assert_str_eq(srv_target_path("http://h/a", NULL, NULL), "/a");
}

/* An escaped "/" in the authority or the path splits nothing; a short or foreign scheme is
 * no absolute form, and its target is taken as a path (in no form: 400, srv_target_form). */
Test(target, path_split_by_slashes_as_sent)
{
    const char *auth;
    size_t n;
    const char *t = "http://a%2Fb%40c/x%2Fy";
    cr_assert_eq(srv_target_path(t, &auth, &n), t + 16);
    cr_assert(auth == t + 7 && n == 9);
    const char *u = "http:/";
    cr_assert_eq(srv_target_path(u, &auth, &n), u);
    cr_assert(auth == NULL && n == 0);
    const char *v = "HtTpS://h";
    cr_assert_str_eq(srv_target_path(v, &auth, &n), "/");
    cr_assert(auth == v + 8 && n == 1);
}

/* The form of a request-target (RFC 9112, 3.2), as libmicrohttpd hands it over (its query
 * cut off): origin form starts with "/", absolute form with "http://" or "https://" (the
 * schemes this server answers, in any case), asterisk form is "*" alone; anything else,
 * the empty target of "GET ?x" among them, is none the server takes. */
typedef struct form_case { char in[40]; srv_target_kind form; } form_case;
ParameterizedTestParameters(target, form)
{
    static form_case p[] = {
        { "/", SRV_ORIGIN_FORM },
        { "/1.1/comment-check", SRV_ORIGIN_FORM },
        { "//h/healthz", SRV_ORIGIN_FORM },
        { "/%2Fhealthz", SRV_ORIGIN_FORM },
        { "http://h/healthz", SRV_ABSOLUTE_FORM },
        { "HTTPS://h", SRV_ABSOLUTE_FORM },
        { "http:///healthz", SRV_ABSOLUTE_FORM }, /* its empty authority refused elsewhere */
        { "*", SRV_ASTERISK_FORM },
        { "", SRV_NO_FORM },
        { "v1/check", SRV_NO_FORM },
        { "healthz", SRV_NO_FORM },
        { "%2Fv1/check", SRV_NO_FORM },
        { "%68ttp://h/healthz", SRV_NO_FORM },
        { "**", SRV_NO_FORM },
        { "*/healthz", SRV_NO_FORM },
        { "h:80", SRV_NO_FORM },              /* authority form: CONNECT's, which no route takes */
        { "http:/healthz", SRV_NO_FORM },
        { "http:healthz", SRV_NO_FORM },
        { "ftp://h/healthz", SRV_NO_FORM },   /* a scheme this server does not answer */
        { "mailto:a@b", SRV_NO_FORM },
        { " /healthz", SRV_NO_FORM },
    };
    return cr_make_param_array(form_case, p, sizeof p / sizeof *p);
}
ParameterizedTest(form_case *p, target, form)
{
    cr_assert_eq(srv_target_form(p->in), p->form, "'%s'", p->in);
}
