/*
 * punycode.h - an internationalised host name's ASCII form read back as it is written
 * (internal).
 *
 * A browser shows "münchen.de" for "xn--mnchen-3ya.de", and a link may be written either way:
 * the tokenizer reads both as the same host.
 */
#ifndef KD_PUNYCODE_H
#define KD_PUNYCODE_H

#include <stddef.h>

#include "buf.h"

/*
 * Append the host h[0..n) to out with each label of the form "xn--..." (any case) decoded
 * (Punycode, RFC 3492) to UTF-8; the other labels and the dots are copied as they are, and
 * so is a label that does not decode (not Punycode, or a code point that is no Unicode
 * scalar value). Returns 1 when a label was decoded, 0 when none was (out then holds h as
 * it is), or KD_ENOMEM.
 */
int kd_punycode_host(const char *h, size_t n, kd_buf *out);

/* 1 if h[0..n) has a label that starts with "xn--" (any case): a quick test before
 * kd_punycode_host(). */
int kd_punycode_maybe(const char *h, size_t n);

#endif
