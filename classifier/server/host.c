/*
 * host.c - the authority a request is for (its Host header, or the authority of a
 * request-target in absolute form), checked against RFC 3986's grammar before the server
 * takes it as the request's host (an Akismet key may be read from it, KEY.host).
 *
 * RFC 9112 (3.2) has a server answer 400 to a Host header whose value is invalid, and the
 * value is RFC 3986's authority without userinfo: host [":" port]. The host is
 *   - a reg-name: unreserved characters, %-escapes and sub-delims (RFC 3986, 3.2.2), which
 *     takes in IPv4 addresses too (the grammar's IPv4address is a reg-name by its letters:
 *     "999.1.1.1" is a name that no resolver finds, not a malformed address);
 *   - or an IPv6 address in brackets ("[::1]"), read by inet_pton, whose text form is RFC
 *     4291's, as RFC 3986's IPv6address is. A zone ID ("[fe80::1%25eth0]", RFC 6874) is
 *     refused: it names an interface of the client's machine, meaningless to a server, and
 *     RFC 3986's grammar, the one http URIs are written in (RFC 9110, 4.2), has none. IPvFuture ("[v1.x]") names no address
 *     anything sends and is refused too.
 * The port is digits, 0 to 65535; an empty one after the colon ("host:") is allowed by RFC
 * 3986 (port = *DIGIT) and taken as none. An empty host is refused (RFC 9110, 4.2.1: an
 * http URI has one); the server takes an empty Host header as no authority before asking.
 * 255 bytes in all at most: a DNS name is 253, and the server copies the authority into a
 * buffer of 256.
 *
 * The check is one pass over at most 255 bytes, no allocation: a few tens of nanoseconds a
 * request (docs/BENCHMARKS-server.md).
 */
#include <arpa/inet.h>
#include <string.h>

#include "server.h"

/* Characters of a reg-name other than %-escapes: RFC 3986's unreserved and sub-delims. */
static int reg_name_char(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
        return 1; /* what host names are made of, before the rarer ones */
    return c && strchr("_~!$&'()*+,;=", c) != NULL;
}

static int hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The length of the host at the start of s (n bytes), or 0 when it is malformed. */
static size_t host_len(const char *s, size_t n)
{
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        size_t in = close ? (size_t)(close - s) - 1 : 0;
        char addr[INET6_ADDRSTRLEN];
        struct in6_addr a;
        if (!close || !in || in >= sizeof addr)
            return 0;
        for (size_t i = 1; i <= in; i++) /* no zone ID ('%'), and no NUL to cut inet_pton short */
            if (!hex((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
                return 0;
        memcpy(addr, s + 1, in);
        addr[in] = '\0';
        return inet_pton(AF_INET6, addr, &a) == 1 ? in + 2 : 0;
    }
    size_t i = 0;
    while (i < n && s[i] != ':') {
        if (s[i] == '%') {
            if (n - i < 3 || !hex((unsigned char)s[i + 1]) || !hex((unsigned char)s[i + 2]))
                return 0;
            i += 3;
        } else if (reg_name_char((unsigned char)s[i])) {
            i++;
        } else {
            return 0;
        }
    }
    return i;
}

int srv_host_parse(const char *s, size_t len, size_t *hostlen, long *port)
{
    if (!s || !len || len > SRV_HOST_MAX)
        return -1;
    size_t h = host_len(s, len);
    if (!h)
        return -1;
    long p = -1;
    if (h < len) {
        if (s[h] != ':')
            return -1; /* after "[...]": only a port */
        for (size_t i = h + 1; i < len; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            p = (p < 0 ? 0 : p) * 10 + (s[i] - '0');
            if (p > 65535)
                return -1;
        }
    }
    if (hostlen)
        *hostlen = h;
    if (port)
        *port = p;
    return 0;
}
