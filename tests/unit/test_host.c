/* test_host.c - classifier/server/host.c: srv_host_parse, the authority (host[:port]) a
 * request is for, against RFC 3986's grammar: reg-names and IPv4 addresses, IPv6 addresses in
 * brackets without a zone ID, ports 0 to 65535, 255 bytes at most. */
#include "helpers.h"
#include <criterion/parameterized.h>
#include "server/server.h"

typedef struct host_case { char in[48]; int ok; size_t hostlen; long port; } host_case;
ParameterizedTestParameters(host, parse)
{
    static host_case p[] = {
        /* valid: reg-names and IPv4 */
        { "example.com", 1, 11, -1 },
        { "KEY.localhost:8080", 1, 13, 8080 },
        { "127.0.0.1", 1, 9, -1 },
        { "127.0.0.1:0", 1, 9, 0 },
        { "h:65535", 1, 1, 65535 },
        { "h:080", 1, 1, 80 },              /* port = *DIGIT: leading zeros */
        { "h:", 1, 1, -1 },                 /* an empty port is none (RFC 3986, 3.2.3) */
        { "999.1.1.1", 1, 9, -1 },          /* a reg-name by its letters */
        { "a-b_c~d.e", 1, 9, -1 },          /* unreserved */
        { "a!$&'()*+,;=b", 1, 13, -1 },     /* sub-delims */
        { "xn--bcher-kva.example", 1, 21, -1 },
        { "ex%41mple", 1, 9, -1 },          /* a %-escape */
        /* valid: IPv6 in brackets */
        { "[::1]", 1, 5, -1 },
        { "[::1]:8080", 1, 5, 8080 },
        { "[2001:db8::a:b]:443", 1, 15, 443 },
        { "[::ffff:192.0.2.1]", 1, 18, -1 },
        { "[FE80::1]", 1, 9, -1 },
        { "[::1]:", 1, 5, -1 },
        /* invalid */
        { "", 0, 0, 0 },                    /* no host */
        { ":8080", 0, 0, 0 },
        { "h:65536", 0, 0, 0 },
        { "h:99999999999999999999", 0, 0, 0 },
        { "h:-1", 0, 0, 0 },
        { "h:80a", 0, 0, 0 },
        { "h:8:8", 0, 0, 0 },
        { "user@h", 0, 0, 0 },              /* userinfo */
        { "user:pw@h:80", 0, 0, 0 },
        { "a b", 0, 0, 0 },
        { "h/path", 0, 0, 0 },
        { "h?q", 0, 0, 0 },
        { "h#f", 0, 0, 0 },
        { "a\"b", 0, 0, 0 },
        { "a\tb", 0, 0, 0 },
        { "\xd0\xb0.example", 0, 0, 0 },    /* not ASCII: punycode is */
        { "ex%4", 0, 0, 0 },                /* a cut %-escape */
        { "ex%zz", 0, 0, 0 },
        { "::1", 0, 0, 0 },                 /* IPv6 without brackets */
        { "[::1", 0, 0, 0 },
        { "::1]", 0, 0, 0 },
        { "[]", 0, 0, 0 },
        { "[::1]x", 0, 0, 0 },
        { "[::1]:80x", 0, 0, 0 },
        { "[fe80::1%25eth0]", 0, 0, 0 },    /* a zone ID (RFC 6874) */
        { "[fe80::1%eth0]", 0, 0, 0 },
        { "[::g]", 0, 0, 0 },
        { "[1:2:3:4:5:6:7:8:9]", 0, 0, 0 },
        { "[v1.fe]", 0, 0, 0 },             /* IPvFuture */
        { "[127.0.0.1]", 0, 0, 0 },
    };
    return cr_make_param_array(host_case, p, sizeof p / sizeof *p);
}
ParameterizedTest(host_case *p, host, parse)
{
    size_t hostlen = 12345;
    long port = 12345;
    int rc = srv_host_parse(p->in, strlen(p->in), &hostlen, &port);
    cr_assert_eq(rc, p->ok ? 0 : -1, "'%s': %d", p->in, rc);
    if (p->ok) {
        cr_assert_eq(hostlen, p->hostlen, "'%s': host of %zu bytes", p->in, hostlen);
        cr_assert_eq(port, p->port, "'%s': port %ld", p->in, port);
    } else {
        cr_assert(hostlen == 12345 && port == 12345, "'%s': outputs set on failure", p->in);
    }
}

/* 255 bytes in all at most; the length given is the end, not a NUL; NULL outputs are fine. */
Test(host, length_and_bounds)
{
    char s[300];
    memset(s, 'a', sizeof s);
    cr_assert_eq(srv_host_parse(s, 255, NULL, NULL), 0);
    cr_assert_eq(srv_host_parse(s, 256, NULL, NULL), -1);
    memcpy(s + 250, ":8080", 5);
    size_t h = 0;
    long port = 0;
    cr_assert_eq(srv_host_parse(s, 255, &h, &port), 0);
    cr_assert(h == 250 && port == 8080);
    cr_assert_eq(srv_host_parse("h:80/x", 4, &h, &port), 0); /* not NUL-terminated */
    cr_assert(h == 1 && port == 80);
    cr_assert_eq(srv_host_parse("[::1]/", 5, NULL, NULL), 0);
    cr_assert_eq(srv_host_parse("[::1]/", 6, NULL, NULL), -1);
    cr_assert_eq(srv_host_parse("h", 0, NULL, NULL), -1);
    cr_assert_eq(srv_host_parse(NULL, 3, NULL, NULL), -1);
    cr_assert_eq(srv_host_parse("a\0b", 3, NULL, NULL), -1); /* a NUL inside */
    cr_assert_eq(srv_host_parse("[::1\0zz]", 8, NULL, NULL), -1); /* cut short for inet_pton (fuzz_host) */
    char v6[60] = "[0000:0000:0000:0000:0000:ffff:192.168.100.200]"; /* 45 inside: the longest */
    cr_assert_eq(srv_host_parse(v6, strlen(v6), NULL, NULL), 0);
    char big[80] = "[";
    memset(big + 1, '1', 60); /* more than any address's text: not copied past its buffer */
    strcpy(big + 61, "]");
    cr_assert_eq(srv_host_parse(big, strlen(big), NULL, NULL), -1);
}
