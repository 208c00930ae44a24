/*
 * fuzz_host.c - libFuzzer target for the server's authority check (classifier/server/host.c,
 * srv_host_parse), which reads the Host header and an absolute-form target's authority
 * straight from the network.
 *
 * Beyond what the sanitizers catch, the target checks the parser's promises and aborts when
 * one is broken: it reads only the bytes it is given (the input is copied to a buffer of
 * exactly its size); a valid authority is 1 to 255 bytes, its host is not empty and is
 * valid alone with no port, a bracketed host ends in ']', a reg-name holds only RFC 3986's
 * characters (never '@', '/', white space or a byte past ASCII), what follows the host is
 * ':' and digits whose value is the port, 0 to 65535; and the outputs are untouched on -1.
 *
 * Build with clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier -Iclassifier/server \
 *       classifier/server/host.c tests/fuzz/fuzz_host.c -o fuzz_host
 *   ./fuzz_host -max_total_time=120 tests/fuzz/corpus/host
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead of -fsanitize=fuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    size_t h = 999;
    long port = 99999;
    int rc = srv_host_parse(s, size, &h, &port);
    if (rc == -1) {
        if (h != 999 || port != 99999)
            abort();
    } else if (rc != 0) {
        abort();
    } else {
        if (!size || size > SRV_HOST_MAX || !h || h > size || port < -1 || port > 65535)
            abort();
        size_t h2 = 0;
        long p2 = 0;
        if (srv_host_parse(s, h, &h2, &p2) || h2 != h || p2 != -1)
            abort();
        if (s[0] == '[' && s[h - 1] != ']')
            abort();
        for (size_t i = 0; i < h; i++)
            if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x21 || strchr("@/?#\"<>\\^`{|}", s[i]) ||
                (s[0] != '[' && strchr("[]:", s[i])))
                abort();
        long p = -1;
        if (h < size && s[h] != ':')
            abort();
        for (size_t i = h + 1; i < size; i++) {
            if (s[i] < '0' || s[i] > '9')
                abort();
            p = (p < 0 ? 0 : p) * 10 + (s[i] - '0');
        }
        if (p != port)
            abort();
    }
    free(s);
    return 0;
}
