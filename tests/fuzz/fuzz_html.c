/*
 * fuzz_html.c - libFuzzer target for the HTML reader (classifier/html.c): kd_html_decode,
 * which every comment's text goes through, and kd_html_decode_post, which reads post bodies.
 * fuzz_tokenize runs both too, but checks only that they do not fail; this target checks
 * what html.h promises of their output, on the input as given (any bytes, NULs included,
 * copied to a buffer of exactly its size so that reading past its end is caught):
 *  - neither fails, and each appends to what the buffer holds, leaving it as it was;
 *  - the output is never longer than the input: every construct read (an entity, a tag, a
 *    link's target, a shortcode) gives at most as many bytes as it takes;
 *  - valid UTF-8 without NUL in gives the same out (an entity is written as a valid
 *    character, U+FFFD for one that is no scalar value or &#0;, and what is dropped begins
 *    and ends at an ASCII byte);
 *  - text without '<' or '&' (kd_html_maybe 0) comes out as it went in, and so does a post
 *    body without '[' as well (kd_html_post_maybe 0); a post body without '[' comes out as
 *    kd_html_decode gives it;
 *  - a second run gives the same output (no state is kept between calls).
 *
 * Build with clang (the library built with the same sanitizers, in its own directory):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_html.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm \
 *       -lpthread -o fuzz_html
 *   mkdir -p new && ./fuzz_html -max_len=4096 -dict=tests/fuzz/html.dict -max_total_time=600 \
 *       new tests/fuzz/corpus/html
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz_util.h"
#include "html.h"
#include "kindly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

NOCOV static void fail(const char *what, const char *s, size_t n)
{
    fprintf(stderr, "fuzz_html: %s: \"%.*s\"\n", what, (int)n, s);
    abort();
}

/* Run one decoder after a prefix in the buffer; check the prefix, the length and UTF-8. */
NOCOV static void run(int post, const char *s, size_t n, kd_buf *out)
{
    static const char prefix[] = "kept";
    kd_buf_clear(out);
    kd_buf_puts(out, prefix);
    if ((post ? kd_html_decode_post(s, n, out) : kd_html_decode(s, n, out)) != KD_OK)
        fail("the decoder failed", s, n);
    if (out->len < sizeof prefix - 1 || memcmp(out->s, prefix, sizeof prefix - 1))
        fail("what the buffer held was changed", s, n);
    if (out->len - (sizeof prefix - 1) > n)
        fail(post ? "kd_html_decode_post's output is longer than its input"
                  : "kd_html_decode's output is longer than its input", s, n);
    if (!fuzz_utf8_error(s, n) && fuzz_utf8_error(out->s + sizeof prefix - 1, out->len - (sizeof prefix - 1)))
        fail("valid UTF-8 without NUL in, invalid UTF-8 or a NUL out", s, n);
}

NOCOV static int same(const kd_buf *a, const kd_buf *b)
{
    return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    kd_buf a = KD_BUF_INIT, b = KD_BUF_INIT, p = KD_BUF_INIT;
    run(0, s, size, &a);
    run(0, s, size, &b);
    if (!same(&a, &b))
        fail("kd_html_decode gave another output the second time", s, size);
    run(1, s, size, &p);
    const char *text = a.s + 4;
    size_t tn = a.len - 4;
    if (!kd_html_maybe(s, size) && (tn != size || memcmp(text, s, size)))
        fail("text without '<' or '&' was changed", s, size);
    if (!kd_html_post_maybe(s, size) && (p.len - 4 != size || memcmp(p.s + 4, s, size)))
        fail("a post body without '<', '&' or '[' was changed", s, size);
    if (!memchr(s, '[', size) && !same(&a, &p))
        fail("a post body without '[' is read otherwise than a comment", s, size);
    kd_buf_free(&a);
    kd_buf_free(&b);
    kd_buf_free(&p);
    free(s);
    return 0;
}
