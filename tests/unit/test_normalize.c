/*
 * test_normalize.c - kd_normalize(), kd_utf8_valid() and the UTF-8 helpers.
 *
 * The cases are the disguises spam uses (fullwidth letters, zero-width characters, odd
 * case) and the garbage real comments carry (a BOM at the end of every YouTube comment,
 * invalid UTF-8, NUL bytes), each checked byte for byte.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "kindly.h"
#include "normalize.h"

static char *norm(const char *s, size_t n, unsigned flags)
{
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_normalize(s, n, flags, &b), 0);
    char *r = kd_buf_detach(&b);
    cr_assert_not_null(r);
    return r;
}

static char *norms(const char *s, unsigned flags) { return norm(s, strlen(s), flags); }

typedef struct ncase {
    const char *in, *want;
    unsigned flags;
} ncase;

static ncase cases[] = {
    { "Hello WORLD", "hello world", KD_NORM_DEFAULT },
    { "\xC3\x89" "COLE", "\xC3\xA9" "cole", KD_NORM_DEFAULT },                 /* ÉCOLE */
    { "Stra\xC3\x9F" "e", "strasse", KD_NORM_DEFAULT },                        /* Straße */
    { "\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA5", "free", KD_NORM_DEFAULT }, /* ＦＲＥＥ */
    { "\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA5", "FREE", KD_NORM_NFKC },
    { "\xEF\xAC\x81" "ne", "fine", KD_NORM_DEFAULT },                          /* ﬁ ligature */
    { "cafe\xCC\x81", "caf\xC3\xA9", KD_NORM_DEFAULT },                        /* e + U+0301 */
    { "\xCE\xA3\xCE\x9F\xCE\xA3", "\xCF\x83\xCE\xBF\xCF\x83", KD_NORM_DEFAULT }, /* ΣΟΣ */
    { "subscribe\xEF\xBB\xBF", "subscribe", KD_NORM_DEFAULT },                 /* BOM */
    { "fr\xE2\x80\x8B" "e\xE2\x80\x8D" "e", "free", KD_NORM_DEFAULT },         /* ZWSP, ZWJ */
    { "vi\xC2\xAD" "agra", "viagra", KD_NORM_DEFAULT },                        /* soft hyphen */
    { "w\xE2\x81\xA0" "in", "win", KD_NORM_DEFAULT },                          /* word joiner */
    { "\xE2\x9D\xA4\xEF\xB8\x8F", "\xE2\x9D\xA4", KD_NORM_DEFAULT },           /* ❤️ -> ❤ */
    { "a\x01" "b\x7F" "c", "a b c", KD_NORM_DEFAULT },
    { "a\tb\nc\rd", "a\tb\nc\rd", KD_NORM_DEFAULT },
    { "\xC3\xA9\xC2\x85x", "\xC3\xA9 x", KD_NORM_DEFAULT },                    /* C1 NEL */
    { "\xC3\x89", "\xC3\x89", 0 },                                             /* no flags */
    { "  a \t\n b  ", "a b", KD_NORM_SPACE },
    { "\xE3\x80\x80" "a\xE2\x80\x83" "b ", "a b", KD_NORM_DEFAULT | KD_NORM_SPACE },
    { "Hello, world!!", "hello world", KD_NORM_DEFAULT | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { "\xC2\xBF" "qu\xC3\xA9?", "qu\xC3\xA9", KD_NORM_DEFAULT | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { "hi \xF0\x9F\x98\x80!", "hi \xF0\x9F\x98\x80", KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { "", "", KD_NORM_DEFAULT },
    /* the ASCII path of KD_NORM_SPACE and KD_NORM_NOPUNCT, alone and together */
    { "A,b.C  d\t!e", "A b C  d\t e", KD_NORM_NOPUNCT },
    { "A,b.C  d\t!e", "A,b.C d !e", KD_NORM_SPACE },
    { "A,b.C  d\t!e", "a b c d e", KD_NORM_FOLD | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { " \x01Hi\x7Fthere\x0B--you\x0C ", "hi there you", KD_NORM_FOLD | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    /* KD_NORM_PLAIN: Zalgo marks dropped, the letter under them bare (v̷i̶a̸g̵r̴a̷, ṽ̷ É̷);
       accents that compose stay (café); fancy letters (🅵🆁🅴🅴, ꜰʀᴇᴇ) are ASCII ones */
    { "v\xCC\xB7i\xCC\xB6" "a\xCC\xB8g\xCC\xB5r\xCC\xB4" "a\xCC\xB7", "viagra", KD_NORM_NFKC | KD_NORM_PLAIN },
    { "v\xCC\x83\xCC\xB7 E\xCC\x81\xCC\xB7 cafe\xCC\x81", "v E caf\xC3\xA9", KD_NORM_NFKC | KD_NORM_PLAIN },
    { "\xCC\xB7x \xCC\xB7\xCC\xB7 y", "x  y", KD_NORM_NFKC | KD_NORM_PLAIN },
    { "\xCC\xB7x \xCC\xB7\xCC\xB7 y", "x y", KD_NORM_DEFAULT | KD_NORM_PLAIN | KD_NORM_SPACE },
    { "\xF0\x9F\x85\xB5\xF0\x9F\x86\x81\xF0\x9F\x85\xB4\xF0\x9F\x85\xB4 \xEA\x9C\xB0\xCA\x80\xE1\xB4\x87\xE1\xB4\x87",
      "FREE free", KD_NORM_NFKC | KD_NORM_PLAIN },
    { "\xF0\x9F\x85\xB5\xF0\x9F\x86\x81\xF0\x9F\x85\xB4\xF0\x9F\x85\xB4!", "free", KD_NORM_DEFAULT | KD_NORM_PLAIN | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    /* without KD_NORM_PLAIN both stay */
    { "v\xCC\xB7 \xEA\x9C\xB0", "v\xCC\xB7 \xEA\x9C\xB0", KD_NORM_NFKC },
    { " \x01Hi\x7Fthere\x0B--you\x0C ", "  Hi there   you  ", KD_NORM_NOPUNCT },
    { "Hi, \xC3\x89t\xC3\xA9! Yes ...", "hi \xC3\xA9t\xC3\xA9 yes", KD_NORM_DEFAULT | KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { "...", "", KD_NORM_SPACE | KD_NORM_NOPUNCT },
    { "a_b~c[d]e{f}g|h`i^j\\k\"l@m#n$o%p&q*r+s=t<u>v/w?x:y;z'0(1)",
      "a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1", KD_NORM_SPACE | KD_NORM_NOPUNCT },
};

/* Criterion runs each case in a fresh process image, where pointers inside a parameter
 * would dangle: the parameter is the index into the table. */
#define NCASES (sizeof cases / sizeof *cases)
static size_t case_index[NCASES];

ParameterizedTestParameters(normalize, table)
{
    for (size_t i = 0; i < NCASES; i++)
        case_index[i] = i;
    return cr_make_param_array(size_t, case_index, NCASES);
}

ParameterizedTest(size_t *ix, normalize, table)
{
    const ncase *c = &cases[*ix];
    char *got = norms(c->in, c->flags);
    cr_expect_str_eq(got, c->want, "normalize(\"%s\", %#x)", c->in, c->flags);
    free(got);
}

Test(normalize, invalid_utf8_becomes_replacement)
{
    char *got = norm("a\xFF" "b\xE2\x82", 5, KD_NORM_DEFAULT);
    cr_expect_str_eq(got, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
    free(got);
    got = norm("\xED\xA0\x80\xC0\xAF", 5, KD_NORM_DEFAULT); /* surrogate, overlong */
    cr_expect(kd_utf8_valid(got, strlen(got), NULL));
    cr_expect_eq(strstr(got, "\xED\xA0") , NULL);
    free(got);
}

/* Characters utf8proc might refuse do not turn NFKC and case folding off for the text around
 * them (a refusal would keep the whole run as it is): noncharacters (U+FFFF, U+FDD0, U+10FFFF)
 * and U+FFFD stay and their neighbours are folded; a 4-byte character cut short at the end of
 * the text is one U+FFFD per byte, and the text before it is folded all the same. */
Test(normalize, noncharacters_and_a_cut_character_do_not_stop_folding)
{
    static const struct { const char *in, *want; } odd[] = {
        { "\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBF\xBF", "fr\xEF\xBF\xBF" },        /* ＦＲ U+FFFF */
        { "\xEF\xB7\x90\xC3\x89", "\xEF\xB7\x90\xC3\xA9" },                    /* U+FDD0 É */
        { "\xC3\x89\xF4\x8F\xBF\xBF\xEF\xBC\xA6", "\xC3\xA9\xF4\x8F\xBF\xBF" "f" }, /* É U+10FFFF Ｆ */
        { "\xC3\x89\xEF\xBF\xBD", "\xC3\xA9\xEF\xBF\xBD" },                    /* É U+FFFD */
        { "\xC3\x89\xF0\x9F\x98", "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" }, /* É, 😀 cut */
    };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        char *got = norms(odd[i].in, KD_NORM_DEFAULT);
        cr_expect_str_eq(got, odd[i].want, "case %zu", i);
        free(got);
    }
}

Test(normalize, nul_bytes_become_spaces)
{
    char *got = norm("a\0b\0\xC3\xA9", 6, KD_NORM_DEFAULT);
    cr_expect_str_eq(got, "a b \xC3\xA9");
    free(got);
}

Test(normalize, appends_to_buffer)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_puts(&b, "x:");
    cr_assert_eq(kd_normalize("\xC3\x89T\xC3\x89", 5, KD_NORM_DEFAULT, &b), 0);
    cr_expect_str_eq(b.s, "x:\xC3\xA9t\xC3\xA9");
    kd_buf_free(&b);
}

Test(normalize, random_bytes_give_valid_utf8)
{
    unsigned seed = 12345;
    char in[257];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(round % 256) + 1;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
        }
        kd_buf b = KD_BUF_INIT;
        cr_assert_eq(kd_normalize(in, n, KD_NORM_DEFAULT | (unsigned)(round & 12), &b), 0);
        size_t bad = 0;
        cr_assert(kd_utf8_valid(b.s, b.len, &bad), "round %d: invalid output at %zu", round, bad);
        kd_buf_free(&b);
    }
}

Test(normalize, one_mebibyte, .timeout = 20)
{
    size_t n = (size_t)1 << 20;
    char *in = malloc(n);
    cr_assert_not_null(in);
    static const char unit[] = "\xEF\xBC\xA6r\xC3\xA9" "e \xF0\x9F\x98\x80 "; /* Ｆré 😀 */
    for (size_t i = 0; i < n; i++)
        in[i] = unit[i % (sizeof unit - 1)];
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_normalize(in, n, KD_NORM_DEFAULT | KD_NORM_SPACE, &b), 0);
    cr_expect(b.len > n / 2 && b.len < n);
    cr_expect(kd_utf8_valid(b.s, b.len, NULL));
    static const char want[] = "fr\xC3\xA9" "e \xF0\x9F\x98\x80 fr\xC3\xA9" "e";
    cr_expect_eq(strncmp(b.s, want, sizeof want - 1), 0);
    kd_buf_free(&b);
    free(in);
}

Test(utf8, valid)
{
    size_t bad = 99;
    cr_expect(kd_utf8_valid("", 0, &bad));
    cr_expect(kd_utf8_valid("caf\xC3\xA9 \xF0\x9F\x98\x80", 10, &bad));
    cr_expect_not(kd_utf8_valid("ab\xFF", 3, &bad));
    cr_expect_eq(bad, 2);
    cr_expect_not(kd_utf8_valid("a\0b", 3, &bad));
    cr_expect_eq(bad, 1);
    cr_expect_not(kd_utf8_valid("\xC0\xAF", 2, &bad));         /* overlong '/' */
    cr_expect_not(kd_utf8_valid("\xED\xA0\x80", 3, &bad));     /* surrogate */
    cr_expect_not(kd_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* > U+10FFFF */
    cr_expect_not(kd_utf8_valid("x\xE2\x82", 3, &bad));        /* truncated */
    cr_expect_eq(bad, 1);
}

Test(utf8, encode_decode_round_trip)
{
    static const int32_t cps[] = { 0, 'a', 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x1F600,
                                   0x10FFFF };
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char u[4];
        int32_t back;
        size_t n = kd_utf8_encode(cps[i], u);
        cr_expect_eq(kd_utf8_decode(u, n, &back), n);
        cr_expect_eq(back, cps[i]);
    }
    char u[4];
    cr_expect_eq(kd_utf8_encode(0xD800, u), 3); /* surrogates are written as U+FFFD */
    cr_expect_eq(memcmp(u, "\xEF\xBF\xBD", 3), 0);
}

Test(utf8, emoji)
{
    cr_expect(kd_is_emoji(0x1F600));
    cr_expect(kd_is_emoji(0x2764));
    cr_expect(kd_is_emoji(0x1F44D));
    cr_expect_not(kd_is_emoji('a'));
    cr_expect_not(kd_is_emoji(0xE9));
    cr_expect_not(kd_is_emoji(0x2019));
}

/* KD_NORM_KEEPCC keeps control characters (the rules match them: a mis-decoded Windows-1252
 * apostrophe, U+0092), in ASCII and in non-ASCII runs; without it they become spaces. */
Test(normalize, keepcc_keeps_control_characters)
{
    cr_expect_str_eq(norms("won\xC2\x92t \xEF\xBC\xA6\x01x", KD_NORM_NFKC | KD_NORM_KEEPCC), "won\xC2\x92t F\x01x");
    cr_expect_str_eq(norms("won\xC2\x92t \xEF\xBC\xA6\x01x", KD_NORM_NFKC), "won t F x");
    cr_expect_str_eq(norms("a\x01" "b", KD_NORM_NFKC | KD_NORM_KEEPCC), "a\x01" "b");
}

/* kd_utf8_valid reads eight ASCII bytes at a time: a NUL, a stray byte beyond ASCII, a
 * truncated or a valid sequence at any offset of a long ASCII run is still found, and
 * bad_at names its first byte. */
Test(normalize, utf8_valid_at_every_offset)
{
    const char *bad[] = { "\0", "\xFF", "\x80", "\xC3", "\xE2\x82", "\xED\xA0\x80" }, *good[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
    size_t badlen[] = { 1, 1, 1, 1, 2, 3 };
    char s[64];
    for (size_t at = 0; at < 40; at++) {
        for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
            memset(s, 'a', sizeof s);
            memcpy(s + at, bad[b], badlen[b]);
            size_t where = 99;
            cr_expect_not(kd_utf8_valid(s, sizeof s, &where), "bad %zu at %zu read as valid", b, at);
            cr_expect_eq(where, at, "bad %zu at %zu: bad_at %zu", b, at, where);
        }
        for (size_t g = 0; g < sizeof good / sizeof *good; g++) {
            memset(s, 'a', sizeof s);
            memcpy(s + at, good[g], strlen(good[g]));
            cr_expect(kd_utf8_valid(s, sizeof s, NULL), "good %zu at %zu read as invalid", g, at);
        }
    }
    cr_expect(kd_utf8_valid("", 0, NULL));
}

/*
 * Canonical ordering: the marks after a letter are sorted by combining class, stably, as
 * utf8proc_map() sorts them (NFKC and case folding, what KD_NORM_DEFAULT asks), on random
 * runs of marks of eight classes, precomposed letters whose decomposition adds marks
 * ("ḉ" is c, U+0327 (202), U+0301 (230)) and letters; short runs and runs past 32 marks,
 * which are sorted another way.
 */
Test(normalize, marks_are_ordered_as_utf8proc_orders_them)
{
    static const char *const pieces[] = {
        "\xCC\x81",     /* U+0301 acute, class 230 */
        "\xCC\x96",     /* U+0316 grave below, 220 */
        "\xCC\xA7",     /* U+0327 cedilla, 202 */
        "\xCD\x85",     /* U+0345 ypogegrammeni, 240 */
        "\xD6\xB0",     /* U+05B0 sheva, 10 */
        "\xCC\xB4",     /* U+0334 tilde overlay, 1 */
        "\xE0\xBD\xB1", /* U+0F71 Tibetan vowel sign aa, 129 */
        "\xE3\x82\x99", /* U+3099 voiced sound mark, 8 */
        "\xE1\xB8\x89", /* U+1E09 c with cedilla and acute */
        "\xE1\xBE\x80", /* U+1F80 alpha with psili and ypogegrammeni */
        "a", "E", " ",
    };
    unsigned seed = 33;
    for (int round = 0; round < 400; round++) {
        char in[4096] = "";
        size_t len = 0, runmax = round % 2 ? 80 : 6;
        while (len + 8 < sizeof in - 64) {
            seed = seed * 1103515245u + 12345u;
            size_t k = (seed >> 16) % (sizeof pieces / sizeof *pieces);
            if (k >= 10 && ((seed >> 8) & 7)) /* mostly marks: runs of marks */
                k = (seed >> 20) % 10;
            strcpy(in + len, pieces[k]);
            len += strlen(pieces[k]);
            if (round % 2 == 0 && (seed >> 24) % runmax == 0)
                in[len++] = 'o', in[len] = '\0';
        }
        utf8proc_uint8_t *want = NULL;
        utf8proc_ssize_t wn = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &want,
                                           UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_IGNORE |
                                               UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
        cr_assert_gt(wn, 0);
        char *got = norm(in, len, KD_NORM_DEFAULT);
        cr_assert_str_eq(got, (const char *)want, "round %d", round);
        free(got);
        free(want);
    }
}

/* A long run of marks of alternating classes ("a" then U+0301 U+0316 ...) takes at most
 * three times the CPU time of as many bytes of marks of one class, which need no sorting
 * (utf8proc's adjacent swaps took k*k/8 of them for k marks: 1.6 s for 32 KiB, minutes for
 * 256 KiB); a ratio, so that the sanitizer build's slowness is in both. */
static double seconds_to_normalize(const char *unit, char *text, size_t n)
{
    size_t len = strlen(unit);
    text[0] = 'a';
    for (size_t i = 1; i < n; i++)
        text[i] = unit[(i - 1) % len];
    n -= (n - 1) % len;
    kd_buf b = KD_BUF_INIT;
    clock_t t = clock();
    cr_assert_eq(kd_normalize(text, n, KD_NORM_DEFAULT | KD_NORM_PLAIN, &b), 0);
    double s = (double)(clock() - t) / CLOCKS_PER_SEC;
    cr_expect_gt(b.len, 0);
    kd_buf_free(&b);
    return s;
}

Test(normalize, a_long_run_of_marks_takes_linear_time, .timeout = 60)
{
    size_t n = (size_t)32 << 10;
    char *text = malloc(n);
    cr_assert_not_null(text);
    double one_class = seconds_to_normalize("\xCC\x81\xCC\x81", text, n);
    static const char *const units[] = {
        "\xCC\x81\xCC\x96",         /* 230 220 */
        "\xCC\x81\xCC\x96\xD6\xB0", /* 230 220 10 */
        "\xCD\x85\xCC\x81\xCC\xA7", /* 240 230 202 */
    };
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        double t = seconds_to_normalize(units[u], text, n);
        cr_expect_leq(t, 3 * one_class + 0.05, "unit %zu: %.3f s, one class %.3f s", u, t, one_class);
    }
    free(text);
}
