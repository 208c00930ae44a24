/*
 * test_lookalike.c - kd_lookalike(), kd_latin_reading(): Latin words disguised with
 * Cyrillic or Greek letters, read as Latin; everything else copied as it is.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kindly.h"
#include "lookalike.h"

static kd_buf out = KD_BUF_INIT;
static kd_mixed mixed = KD_MIXED_INIT;

static void teardown(void)
{
    kd_buf_free(&out);
    kd_mixed_free(&mixed);
}

TestSuite(lookalike, .fini = teardown);

/* kd_latin_reading() of s: its return value; out and mixed hold the rest. */
static int reading(const char *s) { return kd_latin_reading(s, strlen(s), &out, &mixed); }

Test(lookalike, letters_and_their_latin_doubles)
{
    cr_expect_eq(kd_lookalike(0x0430), 'a'); /* Cyrillic а */
    cr_expect_eq(kd_lookalike(0x0410), 'A'); /* Cyrillic А: capitals as capitals */
    cr_expect_eq(kd_lookalike(0x039D), 'N'); /* Greek Ν */
    cr_expect_eq(kd_lookalike(0x03BD), 'v'); /* Greek ν */
    cr_expect_eq(kd_lookalike(0x0501), 'd'); /* the table's last rows */
    cr_expect_eq(kd_lookalike(0x051D), 'w');
    /* no double: ж, μ, Ω; outside the table's range */
    cr_expect_eq(kd_lookalike(0x0436), 0);
    cr_expect_eq(kd_lookalike(0x03BC), 0);
    cr_expect_eq(kd_lookalike(0x03A9), 0);
    cr_expect_eq(kd_lookalike('a'), 0);
    cr_expect_eq(kd_lookalike(0x0390), 0);
    cr_expect_eq(kd_lookalike(0x051E), 0);
}

Test(lookalike, a_mixed_word_is_read_as_latin_and_recorded)
{
    /* "Buy vіаgrа, ΝEW!" (Cyrillic і а а, Greek Ν) */
    cr_assert_eq(reading("Buy v\xD1\x96\xD0\xB0gr\xD0\xB0, \xCE\x9D" "EW!"), 1);
    cr_expect_str_eq(out.s, "Buy viagra, NEW!");
    cr_assert_eq(mixed.n, 2); /* where the first letter read as Latin is: і, Ν */
    cr_expect_eq(mixed.at[0], 5);
    cr_expect_eq(mixed.at[1], 12);
    /* accented Latin counts as Latin; digits belong to the word */
    cr_assert_eq(reading("caf\xC3\xA9\xD0\xBE 5mg\xD0\xB0"), 1);
    cr_expect_str_eq(out.s, "caf\xC3\xA9o 5mga");
    cr_expect_eq(mixed.n, 2);
}

/* An apostrophe inside a word joins it, as the tokenizer reads it: "Ι'm" and "it’ѕ" are
 * mixed words though neither side is; "'" before a digit or at the end does not join. */
Test(lookalike, an_apostrophe_joins_a_word)
{
    cr_assert_eq(reading("\xCE\x99'm it\xE2\x80\x99\xD1\x95 x\xCA\xBC\xD0\xB0"), 1);
    cr_expect_str_eq(out.s, "I'm it\xE2\x80\x99s x\xCA\xBC" "a");
    cr_assert_eq(mixed.n, 3);
    cr_expect_eq(mixed.at[0], 0);
    cr_expect_eq(mixed.at[1], 9);
    cr_expect_eq(mixed.at[2], 14);
    cr_expect_eq(reading("x'5\xD0\xB0 \xD0\xB0' x"), 0);
}

/* A mark after a look-alike composes with the Latin letter written in its place, as NFKC
 * composes it: "cаfе́" (Cyrillic а, е and U+0301) is "café" with U+00E9, not "e" + U+0301. */
Test(lookalike, a_mark_composes_with_the_latin_letter)
{
    cr_assert_eq(reading("c\xD0\xB0" "f\xD0\xB5\xCC\x81 ok"), 1);
    cr_expect_str_eq(out.s, "caf\xC3\xA9 ok");
    /* no precomposed letter: the mark stays after it */
    cr_assert_eq(reading("x\xD0\xB0\xCC\xBB"), 1);
    cr_expect_str_eq(out.s, "xa\xCC\xBB");
}

Test(lookalike, other_text_is_copied_unchanged)
{
    /* Russian, Greek, a letter without a double beside Latin (500μg), emoji and CJK between
     * words, invalid UTF-8 */
    const char *texts[] = {
        "\xD1\x81\xD0\xBF\xD0\xB0\xD1\x81\xD0\xB8\xD0\xB1\xD0\xBE \xCE\xBA\xCE\xB1\xCE\xBB\xCF\x8C",
        "500\xCE\xBCg 10k\xCE\xA9",
        "ok\xF0\x9F\x98\x80\xD0\xB0\xD0\xB1 \xE4\xB8\xAD\xD0\xB0",
        "ab\xFF\xD0\xB6",
        "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_assert_eq(reading(texts[i]), 0, "%zu", i);
        cr_expect_eq(out.len, strlen(texts[i]));
        cr_expect(!out.len || !memcmp(out.s, texts[i], out.len), "%zu", i);
        cr_expect_eq(mixed.n, 0);
    }
    /* invalid UTF-8 ends a word: "ab" and "а" (Cyrillic) are two words, neither mixed */
    cr_assert_eq(reading("ab\xFF\xD0\xB0"), 0);
    /* a word stops at an emoji or a CJK character: "ok" and "аб" are two words */
    cr_assert_eq(reading("ok\xF0\x9F\x98\x80\xD0\xB0"), 0);
}

/* A word of look-alikes only is a disguise when it is a label of a host under a Latin
 * top-level domain: "аррӏе.com" (Cyrillic а р р ӏ е); not before ".ru", nor before a
 * sentence's full stop, nor alone. */
Test(lookalike, a_host_label_of_lookalikes_only_is_read_as_latin)
{
    cr_assert_eq(reading("see \xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.com/x"), 1);
    cr_expect_str_eq(out.s, "see apple.com/x");
    cr_assert_eq(mixed.n, 1);
    cr_expect_eq(mixed.at[0], 4);
    cr_expect_eq(reading("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.my-shop.net"), 1);
    cr_expect_str_eq(out.s, "apple.my-shop.net");
    cr_expect_eq(reading("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.RU"), 0);
    cr_expect_eq(reading("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5. com"), 0);
    cr_expect_eq(reading("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.c0m"), 0);
    cr_expect_eq(reading("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5"), 0);
    cr_expect_eq(mixed.n, 0);
}

#define APPLE "\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5" /* аррӏе, Cyrillic */

/* The label may hold ASCII letters, digits and hyphens besides ("аррӏе-login.com", and
 * "рау-раӏ.com", two words), and the host be a URL's or an e-mail address's under any Latin
 * top-level domain; a bare host is under one the tokenizer takes for a link's. */
Test(lookalike, a_host_label_with_a_hyphen_or_in_a_link_is_read_as_latin)
{
    cr_assert_eq(reading(APPLE "-login.com"), 1);
    cr_expect_str_eq(out.s, "apple-login.com");
    cr_assert_eq(reading("\xD1\x80\xD0\xB0\xD1\x83-\xD1\x80\xD0\xB0\xD3\x8F.com"), 1);
    cr_expect_str_eq(out.s, "pay-pal.com");
    cr_expect_eq(mixed.n, 2);
    cr_assert_eq(reading("http://" APPLE ".cn/x www." APPLE ".fr mail@" APPLE ".fr " APPLE ".co/x"), 1);
    cr_expect_str_eq(out.s, "http://apple.cn/x www.apple.fr mail@apple.fr apple.co/x");
    cr_expect_eq(mixed.n, 4);
}

/* A top-level domain that mixes ASCII letters with look-alikes ("соm": Cyrillic с, о) is a
 * mixed word and read as Latin: the host is under the Latin domain it passes for, and its
 * label of look-alikes only is read as Latin too ("аррӏе.соm" is "apple.com", as
 * "аррӏе.com" is). So under a disguised country domain of these letters (".rυ", Greek υ):
 * nobody writing their own language types a Greek letter into ".ru", so the label is no
 * Russian word there but part of the disguise. A wholly Cyrillic domain (".ком", ".рф") is
 * a real internationalised one: its host is left alone. */
Test(lookalike, a_host_under_a_mixed_top_level_domain_is_read_whole)
{
    cr_assert_eq(reading("see " APPLE ".\xD1\x81\xD0\xBEm now"), 1); /* .соm */
    cr_expect_str_eq(out.s, "see apple.com now");
    cr_assert_eq(mixed.n, 2); /* the label, the top-level domain */
    cr_expect_eq(mixed.at[0], 4);
    cr_expect_eq(mixed.at[1], 10);
    cr_assert_eq(reading("http://" APPLE ".c\xCE\xBFm/login"), 1); /* .cοm, Greek ο */
    cr_expect_str_eq(out.s, "http://apple.com/login");
    cr_assert_eq(reading("mail@" APPLE ".\xD0\xA1OM"), 1); /* .СOM */
    cr_expect_str_eq(out.s, "mail@apple.COM");
    cr_assert_eq(reading(APPLE ".my-shop.n\xD0\xB5t"), 1); /* .nеt */
    cr_expect_str_eq(out.s, "apple.my-shop.net");
    /* .rυ (Greek υ) passes for .ru: the label is read with it (it gave аррӏе.ru) */
    cr_assert_eq(reading("http://" APPLE ".r\xCF\x85/x"), 1);
    cr_expect_str_eq(out.s, "http://apple.ru/x");
    cr_expect_eq(mixed.n, 2);
    cr_assert_eq(reading("mail@" APPLE ".\xD0\xB5u"), 1); /* .еu, Cyrillic е */
    cr_expect_str_eq(out.s, "mail@apple.eu");
    /* .ru and .eu as written are the countries' own: left alone */
    cr_expect_eq(reading("http://" APPLE ".ru/x"), 0);
    /* .ком, .рф, .cжm (ж has no Latin double), .с0m (a digit) */
    const char *texts[] = {
        "http://" APPLE ".\xD0\xBA\xD0\xBE\xD0\xBC/x",
        "www." APPLE ".\xD1\x80\xD1\x84",
        "http://" APPLE ".c\xD0\xB6m/x",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_expect_eq(reading(texts[i]), 0, "%s", texts[i]);
        cr_expect_eq(mixed.n, 0, "%s", texts[i]);
    }
    cr_assert_eq(reading("http://" APPLE ".\xD1\x81" "0m/x"), 1); /* the word с0m alone */
    cr_expect_str_eq(out.s, "http://" APPLE ".c0m/x");
}

/*
 * A top-level domain of look-alikes only (".со": Cyrillic с, о) is a whole-script
 * confusable (UTS #39, 5.2) of the ASCII one it reads as: when that is a top-level domain
 * the tokenizer knows (".co") and is not an internationalised domain in delegation, the host
 * is read as Latin with it, where a host under ".co" is a link ("http://аррӏе.со/x", not a
 * bare "аррӏе.со", as "apple.co" is no link; nor bare under one that needs no path, "сахар.Са"
 * being two Russian words as often as "caxap.ca"). It gave "http://аррӏе.со/x", a Cyrillic host
 * that every reader takes for apple.co. A reading that is no top-level domain (".ое") and
 * the Cyrillic and Greek domains in delegation (IANA's root zone: none reads as a Latin one
 * the tokenizer knows, in either case) are left alone.
 */
Test(lookalike, a_host_under_a_top_level_domain_of_lookalikes_is_read_whole)
{
    cr_assert_eq(reading("see http://" APPLE ".\xD1\x81\xD0\xBE/login now"), 1);
    cr_expect_str_eq(out.s, "see http://apple.co/login now");
    cr_expect_eq(mixed.n, 2); /* the label, the top-level domain */
    cr_assert_eq(reading("www." APPLE ".\xD1\x81\xD0\xBE mail@" APPLE ".\xD1\x81\xD0\xBE " APPLE
                         ".\xD1\x81\xD0\xBE/x"), 1);
    cr_expect_str_eq(out.s, "www.apple.co mail@apple.co apple.co/x");
    cr_assert_eq(reading("http://" APPLE ".\xD0\xA1\xD0\x9E/x"), 1); /* .СО, capitals */
    cr_expect_str_eq(out.s, "http://apple.CO/x");
    const char *texts[] = {
        APPLE ".\xD1\x81\xD0\xBE now",              /* bare: .co needs a path */
        "\xD1\x81\xD0\xB0\xD1\x85\xD0\xB0\xD1\x80.\xD0\xA1\xD0\xB0 now", /* сахар.Са: bare, a path wanted */
        "http://" APPLE ".\xD0\xBE\xD0\xB5/x",     /* .ое, no top-level domain */
        "http://" APPLE ".\xD1\x80\xD1\x84/x",     /* .рф */
        "http://" APPLE ".\xD0\xBA\xD0\xBE\xD0\xBC/x", /* .ком */
        "http://" APPLE ".\xD0\x9A\xD0\x9E\xD0\x9C/x", /* .КОМ */
        "http://" APPLE ".\xD0\xBC\xD0\xBE\xD0\xBD/x", /* .мон */
        "http://" APPLE ".\xD0\x9C\xD0\x9E\xD0\x9D/x", /* .МОН */
        "http://" APPLE ".\xD0\xB5\xD1\x8E/x",     /* .ею */
        "http://" APPLE ".\xCE\xB5\xCF\x85/x",     /* .ευ */
        "http://" APPLE ".\xCE\x95\xCE\xA5/x",     /* .ΕΥ */
        "http://" APPLE ".\xCE\xB5\xCE\xBB/x",     /* .ελ */
        "http://" APPLE ".\xD0\xBE\xD1\x80\xD0\xB3/x", /* .орг */
        "http://" APPLE ".\xD1\x80\xD1\x83\xD1\x81/x", /* .рус */
        "http://" APPLE ".\xD0\xB1\xD0\xB3/x",     /* .бг */
        "http://" APPLE ".\xD1\x81\xD1\x80\xD0\xB1/x", /* .срб */
        "http://" APPLE ".\xD1\x83\xD0\xBA\xD1\x80/x", /* .укр */
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_expect_eq(reading(texts[i]), 0, "%s", texts[i]);
        cr_expect_eq(mixed.n, 0, "%s", texts[i]);
    }
}

/* An ASCII name under a top-level domain of look-alikes only ("apple.со", Cyrillic с and о)
 * is read as Latin as "аррӏе.со" is: the domain is the disguise there ("apple.со/x" gave the
 * words "apple", "со" and "x", "http://apple.со/x" url:apple.со). The same rules hold: a
 * bare one wants a path after it (".co" is an English word), a reading that is no
 * top-level domain or a Cyrillic domain in delegation is left alone, and so is a host with
 * a letter of its script's own (пример.со) and a word of a URL's path. */
Test(lookalike, an_ascii_host_under_a_top_level_domain_of_lookalikes_is_read_whole)
{
    cr_assert_eq(reading("see apple.\xD1\x81\xD0\xBE/login now"), 1);
    cr_expect_str_eq(out.s, "see apple.co/login now");
    cr_assert_eq(mixed.n, 1); /* the top-level domain */
    cr_expect_eq(mixed.at[0], 10);
    cr_assert_eq(reading("http://apple.\xD1\x81\xD0\xBE/x www.my-shop.\xD1\x81\xD0\xBE "
                         "mail@apple.\xD1\x81\xD0\xBE"), 1);
    cr_expect_str_eq(out.s, "http://apple.co/x www.my-shop.co mail@apple.co");
    cr_expect_eq(mixed.n, 3);
    cr_assert_eq(reading("https://x1.apple.\xD0\xA1\xD0\x9E/x"), 1); /* .СО, capitals */
    cr_expect_str_eq(out.s, "https://x1.apple.CO/x");
    cr_assert_eq(reading(APPLE ".apple.\xD1\x81\xD0\xBE/x"), 1); /* both labels */
    cr_expect_str_eq(out.s, "apple.apple.co/x");
    const char *texts[] = {
        "apple.\xD1\x81\xD0\xBE now",                      /* bare: .co needs a path */
        "Moscow.\xD0\xA1\xD0\xB0 now",                     /* Moscow.Са: bare, a path wanted */
        "http://apple.\xD0\xBE\xD0\xB5/x",                 /* .ое, no top-level domain */
        "http://apple.\xD1\x80\xD1\x84/x",                 /* .рф */
        "http://apple.\xD0\xBA\xD0\xBE\xD0\xBC/x",         /* .ком */
        "http://\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x81\xD0\xBE/x", /* пример.со */
        "http://site.ru/apple.\xD1\x81\xD0\xBE/x",         /* a word of the path */
        "apple.\xD1\x81\xD0\xBE.\xD1\x80\xD1\x84/x",       /* under .рф */
        "ok. \xD1\x81\xD0\xBE/x",                          /* no host before it */
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_expect_eq(reading(texts[i]), 0, "%s", texts[i]);
        cr_expect_eq(mixed.n, 0, "%s", texts[i]);
    }
}

/* kd_latin_reading of a long text s (n bytes) returns want, and in linear time: a
 * quadratic reading of 256 KiB takes tens of seconds, a linear one milliseconds, so the bound
 * of 2 s tells them apart on any machine (a guard against a pathological comment, not a
 * speed figure: those are benchmarks). */
static void read_within_seconds(const char *s, size_t n, int want)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(kd_latin_reading(s, n, &out, &mixed), want);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(secs, 2.0, "the reading took %.2f s (quadratic?)", secs);
}

/* A run of labels of look-alikes and mixed domains ("аа.сom.аа.сom...", each "сom" a
 * top-level domain for the "аа" before it) is read in linear time too. */
Test(lookalike, a_long_run_of_mixed_labels_is_read_in_linear_time)
{
    size_t units = 256 * 1024 / 10, n = units * 10;
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < units; i++)
        memcpy(s + i * 10, "\xD0\xB0\xD0\xB0.\xD1\x81om.", 10); /* "аа.сom." */
    s[n] = '\0';
    read_within_seconds(s, n, 1);
    /* a host at the end of a long text is still one, its domain mixed */
    memcpy(s + n - 10, " \xD0\xB0\xD1\x80.\xD1\x81om", 10); /* " ар.сom", one unit */
    cr_assert_eq(kd_latin_reading(s, n, &out, &mixed), 1);
    cr_expect(out.len >= 7 && !memcmp(out.s + out.len - 7, " ap.com", 7));
    free(s);
}

/* Under the European Union's domain a label of look-alikes is the language of a member that
 * writes Cyrillic or Greek (Bulgaria, Greece, Cyprus: .eu has .ею and .ευ beside it), as
 * under .bg or .gr: left alone in a URL, after "www." and in an e-mail address. */
Test(lookalike, a_host_under_eu_is_a_member_language)
{
    const char *texts[] = {
        "http://" APPLE ".eu/x",
        "www." APPLE ".EU",
        "mail@" APPLE ".eu",
        "http://" APPLE ".co.eu/x",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_expect_eq(reading(texts[i]), 0, "%s", texts[i]);
        cr_expect_eq(mixed.n, 0, "%s", texts[i]);
    }
    /* a mixed word is a disguise under .eu as anywhere */
    cr_assert_eq(reading("http://p\xD0\xB0yp\xD0\xB0l.eu/x"), 1);
    cr_expect_str_eq(out.s, "http://paypal.eu/x");
}

/* A word of look-alikes that is no label of a host under a Latin top-level domain is the
 * language's own: a file's name (Сорос.pdf), a word in a URL's path (site.ru/рус.html), a
 * sentence's last word before one without a space (хор.Apple), an e-mail address's local
 * part (хор.ivanov@), a label with a letter of its own script (ёж-сор.com), a bare host
 * under a top-level domain that is an English word without a path after it (аррӏе.co). */
Test(lookalike, a_lookalike_word_that_is_no_host_label_is_left_alone)
{
    const char *texts[] = {
        "\xD0\xA1\xD0\xBE\xD1\x80\xD0\xBE\xD1\x81.pdf",
        "http://site.ru/\xD1\x80\xD1\x83\xD1\x81.html",
        "\xD1\x85\xD0\xBE\xD1\x80.Apple",
        "\xD1\x85\xD0\xBE\xD1\x80.ivanov@gmail.com",
        "\xD1\x91\xD0\xB6-\xD1\x81\xD0\xBE\xD1\x80.com",
        APPLE ".co",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_expect_eq(reading(texts[i]), 0, "%s", texts[i]);
        cr_expect_eq(mixed.n, 0, "%s", texts[i]);
    }
}

/* A run of labels of look-alikes ("аа.аа.аа..."), each of whose words looks for the host's
 * last label after it: the look stops where no host can go on (253 characters), else the
 * run took time quadratic in its length (a 256 KiB comment kept a thread for 20 seconds). */
Test(lookalike, a_long_run_of_lookalike_labels_is_read_in_linear_time)
{
    size_t units = 256 * 1024 / 5, n = units * 5;
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < units; i++)
        memcpy(s + i * 5, "\xD0\xB0\xD0\xB0.", 5); /* "аа." */
    s[n] = '\0';
    read_within_seconds(s, n, 0);
    /* a host at the end of a long text is still one */
    memcpy(s + n - 10, "  \xD0\xB0\xD1\x80.com", 10); /* "  ар.com", two units */
    cr_assert_eq(kd_latin_reading(s, n, &out, &mixed), 1);
    cr_expect(out.len >= 7 && !memcmp(out.s + out.len - 7, " ap.com", 7));
    /* one label as long ("аа-аа-аа-..."): judged once, not from each of its words */
    for (size_t i = 0; i + 2 < units; i++)
        s[i * 5 + 4] = '-';
    read_within_seconds(s, n, 1);
    cr_expect(out.len >= 7 && !memcmp(out.s + out.len - 7, " ap.com", 7));
    free(s);
}

Test(lookalike, maybe_is_a_quick_test_for_the_lead_bytes)
{
    cr_expect_eq(kd_lookalike_maybe("plain ascii", 11), 0);
    cr_expect_eq(kd_lookalike_maybe("caf\xC3\xA9 \xE4\xB8\xAD", 7), 0);
    cr_expect_eq(kd_lookalike_maybe("\xCE\x91", 2), 1);   /* Greek Α */
    cr_expect_eq(kd_lookalike_maybe("x\xD4\x9D", 3), 1);  /* ԝ */
    cr_expect_eq(kd_lookalike_maybe("\xD5\x80", 2), 0);   /* Armenian: no double */
}

/* Every byte value at every place of a text that runs over several 8-byte words, with and
 * without text beyond ASCII around it: only the lead bytes 0xCE..0xD4 count, wherever they
 * stand, and nothing past n. */
Test(lookalike, maybe_sees_a_lead_byte_at_any_place)
{
    char s[40];
    for (int fill = 0; fill < 2; fill++)
        for (size_t at = 0; at < 24; at++)
            for (int b = 1; b < 256; b++) {
                memset(s, fill ? 0xC3 : 'a', sizeof s); /* 'a' or a lead byte of Latin-1 */
                s[at] = (char)b;
                int want = b >= 0xCE && b <= 0xD4;
                cr_assert_eq(kd_lookalike_maybe(s, 24), want, "byte 0x%02X at %zu, fill %d", b, at, fill);
                cr_assert_eq(kd_lookalike_maybe(s, at), 0, "0x%02X past n = %zu", b, at);
            }
}
