/*
 * test_punycode.c - kd_punycode_host(): the labels "xn--..." of a host read back as written
 * (RFC 3492's sample strings), and what is not Punycode left as it is.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "kindly.h"
#include "punycode.h"

static kd_buf out = KD_BUF_INIT;

static void teardown(void) { kd_buf_free(&out); }

TestSuite(punycode, .fini = teardown);

/* kd_punycode_host(h) into out: its return value. */
static int host(const char *h)
{
    kd_buf_clear(&out);
    return kd_punycode_host(h, strlen(h), &out);
}

Test(punycode, decodes_each_ace_label)
{
    cr_expect_eq(host("xn--mnchen-3ya.de"), 1);
    cr_expect_str_eq(out.s, "m\xC3\xBCnchen.de");
    cr_expect_eq(host("WWW.XN--MNCHEN-3YA.DE"), 1); /* any case */
    cr_expect_str_eq(out.s, "WWW.M\xC3\xBCNCHEN.DE"); /* folded by the caller */
    /* RFC 3492, 7.1: (A) Arabic (Egyptian), (L) 3<nen>B<gumi><kinpachi><sensei> */
    cr_expect_eq(host("xn--egbpdaj6bu4bxfgehfvwxn.example"), 1);
    cr_expect_str_eq(out.s, "\xD9\x84\xD9\x8A\xD9\x87\xD9\x85\xD8\xA7\xD8\xA8\xD8\xAA\xD9\x83\xD9\x84"
                            "\xD9\x85\xD9\x88\xD8\xB4\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\x9F.example");
    cr_expect_eq(host("xn--3B-ww4c5e180e575a65lsy2b"), 1);
    cr_expect_str_eq(out.s, "3\xE5\xB9\xB4" "B\xE7\xB5\x84\xE9\x87\x91\xE5\x85\xAB\xE5\x85\x88\xE7\x94\x9F");
    cr_expect_eq(host("a.xn--tda.b.xn--tda"), 1);
    cr_expect_str_eq(out.s, "a.\xC3\xBC.b.\xC3\xBC");
}

Test(punycode, leaves_other_labels_as_they_are)
{
    cr_expect_eq(host("example.com"), 0);
    cr_expect_str_eq(out.s, "example.com");
    cr_expect_eq(host(""), 0);
    /* no Punycode: a character that is no digit of it, a truncated integer, a code point
       beyond U+10FFFF or a surrogate, more than 63 code points, an overflow */
    static const char *const bad[] = {
        "xn--a_b.com", "xn--ab-9", "xn--zzzzzzzz.com", "xn--99999999", "xn--a-rc4g", "xn--zy0c",
        "xn--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-", "xn--",
        "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(host(bad[i]), 0, "%s", bad[i]);
        cr_expect_str_eq(out.s, bad[i]);
    }
    cr_expect(kd_punycode_maybe("a.xn--tda", 9));
    cr_expect(kd_punycode_maybe("XN--tda", 7));
    cr_expect_not(kd_punycode_maybe("axn--tda", 8));
    cr_expect_not(kd_punycode_maybe("xn--", 4));
}
