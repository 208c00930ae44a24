/*
 * fuzz_form.c - libFuzzer target for the server's form decoder (classifier/server/form.c),
 * which reads request bodies straight from the network.
 *
 * Each input is decoded as a body; when it decodes, its fields are made UTF-8 twice (as
 * UTF-8 and, on a second decode, as Latin-1). Beyond what the sanitizers catch, the target
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if s is valid UTF-8 (RFC 3629), checked independently of form.c. */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned char c = *s;
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!k)
            return 0;
        for (size_t i = 1; i < k; i++)
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
            (c == 0xF4 && s[1] > 0x8F))
            return 0;
        s += k;
    }
    return 1;
}

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
                if (!valid_utf8((const unsigned char *)f.name[i]) || !valid_utf8((const unsigned char *)f.value[i]))
                    abort();
    }
    form_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, "UTF-8");
    check(data, size, "ISO-8859-1");
    return 0;
}
