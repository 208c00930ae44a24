/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (classifier/csv.c).
 *
 * The reader only reads files and pipes (read(2) on a descriptor), so each input is written to
 * one temporary file and read back twice: as comments with the default limits, and as raw rows
 * with a 16-byte max_field so that the oversize path (which trims libcsv's buffer) runs on
 * almost every input. Beyond what the sanitizers catch, the target checks the reader's
 * promises and aborts when one is broken: open fails only with a parse or missing-column
 * code, next never fails, every row has the header's field count, fields are NUL-terminated
 * valid UTF-8 of the stated length, line numbers never go backwards, a problem's message
 * and column name are one line of valid UTF-8 (no control characters), and kd_csv_skipped()
 * is exactly the number of skipped rows reported (re-reading a bad record's lines must not
 * count or lose one silently).
 *
 * Build with clang (the library built with the same sanitizers, in its own directory; the
 * reader's sources alone no longer link: normalize.c needs lookalike.c, which needs more):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_csv.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc jansson) \
 *       -lcsv -lm -lpthread -o fuzz_csv
 *   mkdir -p new && ./fuzz_csv -max_total_time=120 new tests/fuzz/corpus/csv
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer to run
 * the files named on the command line through the same checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "kindly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct tally {
    unsigned long all, skipped;
} tally;

static void count_problem(void *ud, const kd_csv_problem *p)
{
    tally *t = ud;
    if (!p->file || !p->message || p->line == 0)
        abort();
    /* a message is one line of valid UTF-8: the values and names it quotes are escaped */
    const char *text[2] = { p->message, p->field };
    for (int k = 0; k < 2; k++) {
        if (!text[k])
            continue;
        for (const unsigned char *c = (const unsigned char *)text[k]; *c; c++)
            if (*c < 0x20 || *c == 0x7F || (c[0] == 0xC2 && c[1] >= 0x80 && c[1] < 0xA0))
                abort();
        if (fuzz_utf8_error(text[k], strlen(text[k])))
            abort();
    }
    t->all++;
    t->skipped += p->skipped != 0;
}

static void read_back(const char *path, kd_csv_kind kind, size_t max_field)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    tally problems = { 0, 0 };
    o.kind = kind;
    o.max_field = max_field;
    o.problem = count_problem;
    o.problem_ud = &problems;
    kd_csv *r = NULL;
    int rc = kd_csv_open(&r, path, &o);
    if (!r)
        abort();
    if (rc != 0) {
        if (rc != KD_EPARSE && rc != KD_ENOTFOUND)
            abort();
        if (!kd_csv_error(r)[0])
            abort();
        kd_csv_free(r);
        return;
    }
    size_t ncol;
    const char *const *names = kd_csv_header(r, &ncol);
    if (!names || ncol == 0)
        abort();
    const kd_csv_row *row;
    unsigned long last = 0;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        if (row->nfields != ncol || row->line < 1 || row->line < last)
            abort();
        last = row->line;
        for (size_t i = 0; i < ncol; i++) {
            const char *f = row->fields[i];
            if (f[row->lens[i]] != '\0' || fuzz_utf8_error(f, row->lens[i]))
                abort();
        }
        if (kind == KD_CSV_COMMENTS && !row->comment.text)
            abort();
    }
    if (rc != 0 || kd_csv_skipped(r) != problems.skipped ||
        kd_csv_repaired(r) > problems.all - problems.skipped)
        abort();
    kd_csv_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static int fd = -1;
    if (fd < 0) {
        /* one file for the whole run, unlinked at once and reopened through /proc */
        strcpy(path, "/tmp/kd_fuzz_csv_XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
            abort();
        unlink(path);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    read_back(path, KD_CSV_COMMENTS, (size_t)16 << 20);
    read_back(path, KD_CSV_RAW, 16);
    return 0;
}
