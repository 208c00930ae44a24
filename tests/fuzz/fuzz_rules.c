/*
 * fuzz_rules.c - libFuzzer target for the rule-file parser and the rule engine
 * (classifier/rules.c, classifier/rules_eval.c).
 *
 * Each input is parsed as a rule file. The parser's promises, checked here beyond what the
 * sanitizers catch: it fails only with KD_EPARSE (or KD_ENOMEM), always with a message that
 * starts "NAME:LINE:COLUMN: "; a rule set that loads evaluates on a few comments (plain
 * text, metadata, invalid UTF-8) without error, reports only rules it holds, and sums their
 * scores.
 *
 * Build with clang (the library built with the same sanitizers, in its own directory):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_rules.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm \
 *       -o fuzz_rules
 *   ./fuzz_rules -max_total_time=120 -seed_inputs=models/default.rules tests/fuzz/corpus/rules
 * The shipped rule set seeds it as it is now (`make fuzz-replay` replays it too): the corpus
 * holds no copy of it, which would drift from the rules it stands for.
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer to run
 * the files named on the command line through the same checks.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const kd_rules *r)
{
    const char *m = kd_rules_error(r);
    unsigned line, col;
    char sep;
    if (strncmp(m, "fuzz:", 5) != 0 || sscanf(m + 5, "%u:%u%c", &line, &col, &sep) != 3 || sep != ':' ||
        line == 0 || col == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_rules *r = NULL;
    int rc = kd_rules_parse(&r, "fuzz", (const char *)data, size);
    if (!r)
        return 0; /* out of memory before a handle existed */
    if (rc == KD_EPARSE)
        check_message(r);
    else if (rc == 0) {
        static const char *const texts[] = {
            "Buy cheap pills at http://x.example and www.y.example NOW!!! call +1 555 0100 123",
            "\xff\xfe\xc3 caf\xc3\xa9 \xe2\x82",
            "",
        };
        size_t n = kd_rules_count(r);
        unsigned char *fired = malloc(n ? n : 1);
        for (size_t t = 0; t < 3 && fired; t++) {
            kd_comment c = KD_COMMENT_INIT;
            kd_result res;
            c.text = texts[t];
            c.author = "SEO Expert";
            c.email = "a@Mailinator.com";
            c.url = "https://www.shop.example:80/x";
            c.ip = "203.0.113.9";
            c.agent = "curl/8";
            if (kd_rules_eval(r, &c, fired, &res) != 0)
                abort();
            double sum = 0;
            for (size_t i = 0; i < res.nrules; i++) {
                if (kd_rules_find(r, res.rules[i].name) < 0)
                    abort();
                sum += res.rules[i].score;
            }
            if (fabs(sum - res.rules_score) > 1e-6 * (1 + fabs(sum)))
                abort();
            for (size_t i = 0; i < n; i++)
                if (fired[i] > KD_RULE_LIMIT)
                    abort();
            kd_result_free(&res);
        }
        free(fired);
    } else if (rc != KD_ENOMEM)
        abort();
    kd_rules_free(r);
    return 0;
}
