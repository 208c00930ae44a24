/*
 * fuzz_form.c - libFuzzer target for the server's form decoder (classifier/server/form.c),
 * which reads request bodies straight from the network.
 *
 * Each input is decoded as a body; when it decodes, its fields are made UTF-8 in several
 * charsets (UTF-8, Latin-1, ISO-2022-CN-EXT and one of glibc's others, on fresh decodes). Beyond what the sanitizers catch, the target
 * checks the decoder's promises and aborts when one is broken: it fails only with -1 and a
 * message, never holds more than FORM_MAX_FIELDS fields, a decoded string is never longer
 * than the body and holds no NUL before its end, form_get finds the last field of a name,
 * and after form_to_utf8 every name and value is valid UTF-8.
 *
 * Build with clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier -Iclassifier/server \
 *       classifier/server/form.c tests/fuzz/fuzz_form.c -o fuzz_form
 *   ./fuzz_form -max_total_time=120 tests/fuzz/corpus/form
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const char *charset)
{
    srv_form f = SRV_FORM_INIT;
    char err[128] = "";
    int rc = form_parse((const char *)data, size, &f, err, sizeof err);
    if (rc == -2) { /* out of memory: nothing to check */
        form_free(&f);
        return;
    }
    if (rc != 0 && (rc != -1 || !err[0]))
        abort();
    if (rc == 0) {
        if (f.n > FORM_MAX_FIELDS)
            abort();
        for (size_t i = 0; i < f.n; i++) {
            if (strlen(f.name[i]) > size || strlen(f.value[i]) > size)
                abort();
            if (form_get(&f, f.name[i]) == NULL)
                abort();
        }
        if (f.n) { /* a name given twice: its last value, as PHP reads the body */
            size_t last = 0;
            for (size_t i = 1; i < f.n; i++)
                if (!strcmp(f.name[i], f.name[0]))
                    last = i;
            if (form_get(&f, f.name[0]) != f.value[last])
                abort();
        }
        if (form_to_utf8(&f, charset) == 0)
            for (size_t i = 0; i < f.n; i++)
                if (fuzz_utf8_error(f.name[i], strlen(f.name[i])) || fuzz_utf8_error(f.value[i], strlen(f.value[i])))
                    abort();
    }
    form_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* UTF-8, windows-1252 (kindly's own decoders), a stateful iconv charset whose decoder
     * fails after consuming the last byte (it once sent the reader past the field), and one
     * of glibc's others, picked by the input's length */
    static const char *const others[] = { "ISO-2022-JP", "SHIFT_JIS", "KOI8-R", "ISO-8859-15", "GB18030",
                                          "EUC-JP", "BIG5", "ISO-2022-CN", "UTF-7", "CP932" };
    check(data, size, "UTF-8");
    check(data, size, "ISO-8859-1");
    check(data, size, "ISO-2022-CN-EXT");
    check(data, size, others[size % (sizeof others / sizeof *others)]);
    return 0;
}
