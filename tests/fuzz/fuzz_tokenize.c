/*
 * fuzz_tokenize.c - libFuzzer target for the text stages of the pipeline without a model:
 * HTML decoding (classifier/html.c), Unicode normalisation (normalize.c), the tokenizer
 * (tokenize.c) and duplicate detection's normalisation and MinHash (dedup.c, minhash.c).
 * Ten times faster than fuzz_classify, which runs all of these behind SQLite.
 *
 * Input: as fuzz_classify's without the control prefix: fields id, post_id, author, email,
 * url, date, ip, agent, parent separated by 0x1f, then the text (any bytes; absent fields
 * are NULL). Each field is copied into an allocation of its own size.
 *
 * Checks beyond the sanitizers (abort() with a message when one fails), all promises of the
 * internal headers:
 *  - kd_html_decode / kd_html_decode_post never fail;
 *  - kd_normalize never fails, whatever the flags, and its output is valid UTF-8 without
 *    NUL, C0/C1 controls other than \t \n \r, or the removed invisible characters; with
 *    KD_NORM_SPACE it has no white space but single ' ' between words (none at either end);
 *    with KD_NORM_NOPUNCT no ASCII punctuation;
 *  - kd_tokenize never fails; every token is non-empty, NUL-free, hashed as
 *    kd_hash64(token), valid UTF-8; tokenizing twice gives the same tokens; the tokens
 *    without metadata are a prefix of those with it; word pairs of pairs=1 are among those
 *    of pairs=2 (the d=1 subset);
 *  - kd_dedup_normalize never fails and gives valid UTF-8; a text's MinHash signature has
 *    similarity 1 with itself.
 *
 * Build with clang (the library built with the same sanitizers, in its own directory):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_tokenize.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm \
 *       -lpthread -o fuzz_tokenize
 *   mkdir -p new && ./fuzz_tokenize -max_len=4096 -dict=tests/fuzz/classify.dict \
 *       -max_total_time=600 new tests/fuzz/corpus/classify
 * (libFuzzer adds what it finds to the first directory: the seed corpus is kept small, and
 * an input worth keeping is added to it by hand, with a name that says what it is.)
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dedup.h"
#include "fuzz_util.h"
#include "html.h"
#include "minhash.h"
#include "normalize.h"
#include "tokenize.h"
#include "tokmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);



static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz_tokenize: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

NOCOV static void check_normalized(const kd_buf *b, unsigned flags, const char *what)
{
    const unsigned char *s = (const unsigned char *)b->s;
    size_t n = b->len;
    if (!b->s || b->s[n] != '\0')
        fail("%s: not a string", what);
    const char *bad = fuzz_utf8_error(b->s, n);
    if (bad)
        fail("%s (flags %u): %s in \"%.*s\"", what, flags, bad, (int)n, b->s);
    for (size_t i = 0, k; i < n; i += k) {
        uint32_t cp = 0;
        k = fuzz_utf8_cp(s + i, n - i, &cp);
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F))
            fail("%s (flags %u): control character U+%04X at %zu", what, flags, cp, i);
        if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD || cp == 0xFE0E ||
            cp == 0xFE0F)
            fail("%s (flags %u): invisible U+%04X kept at %zu", what, flags, cp, i);
        if ((flags & KD_NORM_SPACE) &&
            (cp == '\t' || cp == '\n' || cp == '\r' || (cp == ' ' && (i == 0 || i + 1 == n || s[i + 1] == ' '))))
            fail("%s (flags %u): white space left at %zu of \"%.*s\"", what, flags, i, (int)n, b->s);
        if ((flags & KD_NORM_NOPUNCT) && cp > ' ' && cp < 0x7F && !(cp >= '0' && cp <= '9') &&
            !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'))
            fail("%s (flags %u): punctuation '%c' left at %zu", what, flags, (char)cp, i);
    }
}

NOCOV static void check_tokens(const kd_tokens *t, const char *what)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = kd_tokens_str(t, i);
        size_t end = i + 1 < t->n ? t->off[i + 1] : t->len;
        size_t len = strlen(s);
        if (t->off[i] + len + 1 != end)
            fail("%s: token %zu \"%s\" holds a NUL", what, i, s);
        if (!len)
            fail("%s: token %zu is empty", what, i);
        if (t->hash[i] != kd_hash64(s, len))
            fail("%s: token %zu \"%s\": hash differs", what, i, s);
        /* every token, "au:" ones included (an author URL's host kept its raw bytes until
         * this target found it) */
        const char *bad = fuzz_utf8_error(s, len);
        if (bad)
            fail("%s: token %zu \"%s\": %s", what, i, s, bad);
    }
}

NOCOV static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *field[FUZZ_NFIELDS];
    size_t tn;
    kd_comment c = fuzz_comment(data, size, 0, field, &tn);
    const char *text = c.text;

    /* HTML, on the bytes as given (NULs included) */
    kd_buf b = KD_BUF_INIT;
    if (kd_html_decode(text, tn, &b) || kd_html_decode_post(text, tn, &b))
        fail("kd_html_decode failed");
    kd_buf_free(&b);

    /* normalisation */
    static const unsigned flags[] = { 0, KD_NORM_NFKC, KD_NORM_DEFAULT, KD_NORM_SPACE, KD_NORM_NOPUNCT,
                                      KD_NORM_FOLD | KD_NORM_NFKC | KD_NORM_SPACE | KD_NORM_NOPUNCT };
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++) {
        if (kd_normalize(text, tn, flags[k], &b))
            fail("kd_normalize failed");
        check_normalized(&b, flags[k], "kd_normalize");
        kd_buf_free(&b);
    }

    /* tokens */
    kd_tokenize_options o = KD_TOKENIZE_OPTIONS_INIT;
    kd_tokens t1 = KD_TOKENS_INIT, t2 = KD_TOKENS_INIT, t3 = KD_TOKENS_INIT, t4 = KD_TOKENS_INIT;
    if (kd_tokenize(&c, &o, &t1) || kd_tokenize(&c, &o, &t2))
        fail("kd_tokenize failed");
    check_tokens(&t1, "default options");
    if (t1.n != t2.n || t1.len != t2.len ||
        (t1.n && (memcmp(t1.buf, t2.buf, t1.len) || memcmp(t1.hash, t2.hash, t1.n * sizeof *t1.hash))))
        fail("tokenizing twice gave different tokens");
    o.metadata = 0;
    kd_tokens_clear(&t2);
    if (kd_tokenize(&c, &o, &t2))
        fail("kd_tokenize failed");
    if (t2.n > t1.n || (t2.n && (memcmp(t1.buf, t2.buf, t2.len) || memcmp(t1.hash, t2.hash, t2.n * sizeof *t2.hash))))
        fail("the tokens without metadata are not a prefix of those with it");
    o.metadata = 1;
    o.pairs = 2;
    o.max_len = (unsigned)(size % 7); /* 0 (no limit) to 6 */
    if (kd_tokenize(&c, &o, &t3))
        fail("kd_tokenize failed");
    check_tokens(&t3, "pairs 2");
    o.max_len = 40;
    if (kd_tokenize(&c, &o, &t4))
        fail("kd_tokenize failed");
    uint64_t *sorted = malloc((t4.n ? t4.n : 1) * sizeof *sorted); /* t4's hashes, to search */
    if (t4.n) {
        memcpy(sorted, t4.hash, t4.n * sizeof *sorted);
        qsort(sorted, t4.n, sizeof *sorted, cmp_u64);
    }
    for (size_t i = 0; i < t1.n; i++) {
        const char *s = kd_tokens_str(&t1, i);
        if (strchr(s, ' ') && strncmp(s, "a:", 2) && strncmp(s, "e:", 2) &&
            !bsearch(&t1.hash[i], sorted, t4.n, sizeof *sorted, cmp_u64))
            fail("pair \"%s\" of pairs=1 is not among those of pairs=2", s);
    }
    free(sorted);
    kd_tokens_free(&t1);
    kd_tokens_free(&t2);
    kd_tokens_free(&t3);
    kd_tokens_free(&t4);

    /* duplicate detection */
    if (kd_dedup_normalize(text, &b))
        fail("kd_dedup_normalize failed");
    const char *bad = fuzz_utf8_error(b.s ? b.s : "", b.len);
    if (bad)
        fail("kd_dedup_normalize: %s", bad);
    kd_minhash mh;
    uint8_t sig[KD_MH_SIGBYTES];
    kd_minhash_compute(b.s ? b.s : "", b.len, &mh);
    kd_minhash_sig(&mh, sig);
    if (kd_minhash_sig_similarity(sig, sig) != 1.0)
        fail("similarity of a signature with itself is not 1");
    kd_buf_free(&b);

    fuzz_comment_free(field);
    return 0;
}
