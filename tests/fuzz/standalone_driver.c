/*
 * standalone_driver.c - run a fuzz target without libFuzzer (after libgit2's
 * fuzzers/standalone_driver.c): each file named on the command line is passed once to the
 * target's LLVMFuzzerTestOneInput(). Link it with any tests/fuzz/fuzz_*.c instead of
 * -fsanitize=fuzzer, e.g. to replay a crasher under a debugger:
 *   cc -g -Iclassifier tests/fuzz/fuzz_csv.c tests/fuzz/standalone_driver.c \
 *       classifier/buf.c classifier/csv.c -lcsv -o fuzz_csv && ./fuzz_csv crash-*
 * `make fuzz-replay` (part of `make check`) builds every target this way and replays its
 * corpus (tests/fuzz/replay.sh); test_csv, test_rules and test_form also replay theirs
 * through the library directly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *fp = fopen(argv[i], "rb");
        if (!fp) {
            perror(argv[i]);
            return 1;
        }
        size_t cap = 1 << 16, n = 0;
        uint8_t *buf = malloc(cap);
        for (size_t got; buf && (got = fread(buf + n, 1, cap - n, fp)) > 0;) {
            n += got;
            if (n == cap) {
                uint8_t *more = realloc(buf, cap *= 2);
                if (!more)
                    free(buf);
                buf = more;
            }
        }
        fclose(fp);
        if (!buf)
            return 1;
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        printf("%s: ok\n", argv[i]);
    }
    return 0;
}
