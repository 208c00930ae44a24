/*
 * fuzz_target.c - libFuzzer target for the server's request-target parsers (classifier/
 * server/target.c): srv_unescape, libmicrohttpd's unescape callback, and srv_target_path,
 * which splits what it leaves into authority and path. Both read the request line straight
 * from the network.
 *
 * The input, up to its first NUL, is copied to a buffer of exactly its size (so that reading
 * past the terminating NUL is caught), decoded, and both the input and the decoded target
 * are split. Beyond what the sanitizers catch, the target checks the promises and aborts
 * when one is broken:
 *  - srv_unescape's result is never longer than its input, and its return is its strlen;
 *  - every escape it decodes is one of an unreserved character (ALPHA, DIGIT, "-._~"), from
 *    the input's first "/" on (so decoding makes no scheme), and nothing else changes: each byte other than those and "%" is there as many times as in
 *    the input (so no "%2F" became "/", no "%00" cut the string short, no "%25" became a
 *    "%"), "%" as many times less as escapes were decoded, and the result is the one a
 *    second decoder, written independently here, gives byte for byte;
 *  - decoding its own result again changes it only where a decoded hex digit made a new
 *    escape with a "%" sent as is ("%%34" + "1" -> "%41"): one pass decodes what was sent,
 *    never its own output, so decoding is idempotent exactly when the result holds no escape
 *    of an unreserved character after its first "/", and when it holds one, one of its
 *    digits was decoded;
 *  - the target is in absolute form after decoding exactly when it was before, and its form
 *    (srv_target_form: origin, absolute, asterisk or none) is the same;
 *  - srv_target_path's authority starts right after "http://" or "https://" (any case),
 *    NULL and 0 otherwise; the authority lies inside the target and holds no "/"; the path
 *    is the target itself in origin form, else the "/" that ends the authority, or a "/" of
 *    its own when none does; the outputs do not depend on whether they are asked for.
 *
 * Build with clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier -Iclassifier/server \
 *       classifier/server/target.c tests/fuzz/fuzz_target.c -o fuzz_target
 *   mkdir -p new && ./fuzz_target -max_total_time=120 -dict=tests/fuzz/target.dict \
 *       new tests/fuzz/corpus/target
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

NOCOV static int unreserved(int c)
{
    return c >= 0 && c < 0x80 && (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~');
}

/* The value of the escape at s[i] ("%" and two hex digits, s NUL-terminated), or -1. */
NOCOV static int escape_at(const char *s, size_t i)
{
    if (s[i] != '%' || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
        return -1;
    char hex[3] = { s[i + 1], s[i + 2], '\0' };
    return (int)strtol(hex, NULL, 16);
}

/* The reference decoder: out gets s decoded, decoded[j] whether out[j] came from an escape. */
NOCOV static size_t reference(const char *s, size_t n, char *out, unsigned char *decoded)
{
    size_t j = 0;
    const char *slash = memchr(s, '/', n);
    for (size_t i = 0; i < n; j++) {
        int v = slash && s + i > slash ? escape_at(s, i) : -1;
        decoded[j] = unreserved(v);
        out[j] = decoded[j] ? (char)v : s[i];
        i += decoded[j] ? 3 : 1;
    }
    out[j] = '\0';
    return j;
}

/* Check srv_target_path on url (n bytes); the length of its scheme and "://", 0 for none. */
NOCOV static size_t check_path(const char *url, size_t n)
{
    static const char *const schemes[] = { "http://", "https://" };
    size_t skip = 0;
    for (size_t k = 0; k < 2 && !skip; k++) {
        size_t m = strlen(schemes[k]), i = 0;
        while (i < m && i < n && tolower((unsigned char)url[i]) == schemes[k][i])
            i++;
        skip = i == m ? m : 0;
    }
    const char *auth = url, *path;
    size_t alen = 12345;
    path = srv_target_path(url, &auth, &alen);
    if (path != srv_target_path(url, NULL, NULL))
        abort();
    const char *a2 = url;
    size_t l2 = 12345;
    if (srv_target_path(url, &a2, NULL) != path || srv_target_path(url, NULL, &l2) != path || a2 != auth || l2 != alen)
        abort();
    if (!skip) {
        if (auth || alen || path != url)
            abort();
        return 0;
    }
    if (auth != url + skip || alen > n - skip || memchr(auth, '/', alen))
        abort();
    if (path >= url && path <= url + n) {
        if (path != auth + alen || *path != '/')
            abort();
    } else if (strcmp(path, "/") || auth + alen != url + n) {
        abort();
    }
    return skip;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = strnlen((const char *)data, size);
    char *s = malloc(n + 1), *want = malloc(n + 1), *again = malloc(n + 1);
    unsigned char *decoded = malloc(n + 1);
    if (!s || !want || !again || !decoded)
        goto done;
    memcpy(s, data, n);
    s[n] = '\0';
    size_t form = check_path(s, n);
    srv_target_kind kind = srv_target_form(s);

    size_t wlen = reference(s, n, want, decoded);
    size_t in[256] = { 0 }, out[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        in[(unsigned char)s[i]]++;
    size_t len = srv_unescape(s);
    if (len > n || len != strlen(s) || (n - len) % 2)
        abort();
    for (size_t i = 0; i < len; i++)
        out[(unsigned char)s[i]]++;
    for (int c = 1; c < 256; c++)
        if (!unreserved(c) && out[c] != in[c] - (c == '%' ? (n - len) / 2 : 0))
            abort();
    if (len != wlen || memcmp(s, want, len + 1))
        abort();
    if (check_path(s, len) != form || srv_target_form(s) != kind)
        abort();

    /* decoding again: only an escape made with a decoded digit is decoded */
    int made = 0;
    const char *slash = strchr(s, '/');
    for (size_t i = slash ? (size_t)(slash - s) : len; i + 2 < len; i++)
        if (unreserved(escape_at(s, i))) {
            if (decoded[i] || (!decoded[i + 1] && !decoded[i + 2]))
                abort();
            made = 1;
        }
    memcpy(again, s, len + 1);
    size_t alen = srv_unescape(again);
    if (made ? alen >= len : alen != len || memcmp(again, s, len + 1))
        abort();
done:
    free(s);
    free(want);
    free(again);
    free(decoded);
    return 0;
}
