/*
 * fuzz_api.c - libFuzzer target for the JSON API's request decoder (classifier/server/api.c,
 * api_parse), which reads /v1/classify and /v1/feedback bodies straight from the network.
 *
 * Each input is decoded twice, as a classify body and as a feedback body. Beyond what the
 * sanitizers catch, the target checks the decoder's promises and aborts when one is broken:
 * it returns 0, -1 with a message, or -2 (out of memory); a decoded batch holds at most
 * API_MAX_ITEMS comments, as many as the body's array (or one object); every comment has a
 * text, and every string field is valid UTF-8 without a NUL byte before its end (JSON's
 * "\u0000" is refused); a feedback item has the label spam or ham and undo 0 or 1, and one
 * that is learnt (not undone) has a text that is not only blanks.
 *
 * Build with clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier -Iclassifier/server \
 *       tests/fuzz/fuzz_api.c build/libkindly-server.a build/libkindly.a \
 *       $(pkg-config --libs jansson sqlite3 libpcre2-8 libutf8proc) -lcsv -lm -o fuzz_api
 *   ./fuzz_api -max_total_time=120 tests/fuzz/corpus/api
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s)
{
    if (s && fuzz_utf8_error(s, strlen(s)))
        abort();
}

static void check(const uint8_t *data, size_t size, int feedback)
{
    api_batch b;
    char err[256] = "";
    int rc = api_parse((const char *)data, size, feedback, &b, err, sizeof err);
    if (rc == -1 && !err[0])
        abort();
    if (rc != 0 && rc != -1 && rc != -2)
        abort();
    if (rc == 0) {
        if (b.n > API_MAX_ITEMS || (!b.array && b.n != 1))
            abort();
        for (size_t i = 0; i < b.n; i++) {
            const kd_comment *c = &b.c[i];
            if (!c->text)
                abort();
            const char *fields[] = { c->id, c->post_id, c->parent, c->author, c->email, c->url, c->ip, c->agent,
                                     c->date, c->text };
            for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
                check_string(fields[k]);
            if (feedback) {
                if (b.label[i] != KD_SPAM && b.label[i] != KD_HAM)
                    abort();
                if (b.undo[i] != 0 && b.undo[i] != 1)
                    abort();
                if (!b.undo[i] && !c->text[strspn(c->text, " \t\r\n")])
                    abort();
            }
        }
    }
    api_batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 0);
    check(data, size, 1);
    return 0;
}
