/* test_form.c - classifier/server/form.c: urlencoded decoding, strictness, UTF-8 repair. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "server/form.h"

static srv_form parse_ok(const char *body)
{
    srv_form f;
    char err[128] = "";
    int rc = form_parse(body, strlen(body), &f, err, sizeof err);
    cr_assert_eq(rc, 0, "form_parse(%s): %d %s", body, rc, err);
    return f;
}

Test(form, decodes_plus_and_percent_escapes)
{
    srv_form f = parse_ok("blog=http%3A%2F%2Fex.com&comment_content=hello+world%21&empty=&flag");
    cr_assert_eq(f.n, 4);
    cr_assert_str_eq(form_get(&f, "blog"), "http://ex.com");
    cr_assert_str_eq(form_get(&f, "comment_content"), "hello world!");
    cr_assert_str_eq(form_get(&f, "empty"), "");
    cr_assert_str_eq(form_get(&f, "flag"), "");
    cr_assert_null(form_get(&f, "missing"));
    form_free(&f);
}

/* a name given twice: the last value, as PHP reads the same body for WordPress */
Test(form, empty_fields_skipped_last_duplicate_wins_and_names_decoded)
{
    srv_form f = parse_ok("&&a=1&&a=2&b%5B%5D=x=y&");
    cr_assert_eq(f.n, 3);
    cr_assert_str_eq(form_get(&f, "a"), "2");
    cr_assert_str_eq(form_get(&f, "b[]"), "x=y");
    form_free(&f);
    f = parse_ok("");
    cr_assert_eq(f.n, 0);
    form_free(&f);
}

/* read as spaces, as `kindly check` reads them, and not silently: nul_field names the first
 * field that had one, for the caller's warning */
Test(form, nul_bytes_become_spaces_and_are_noted)
{
    srv_form f = parse_ok("t=a%00b");
    cr_assert_str_eq(form_get(&f, "t"), "a b");
    cr_assert_eq(f.nul_field, 1);
    form_free(&f);
    f = parse_ok("a=1&b=2&c%00d=3&e=x%00");
    cr_assert_str_eq(form_get(&f, "c d"), "3");
    cr_assert_eq(f.nul_field, 3, "the first field with a NUL, in its name or value");
    form_free(&f);
    static const char raw[] = "a=1&t=x\0y";
    srv_form g;
    char err[64];
    cr_assert_eq(form_parse(raw, sizeof raw - 1, &g, err, sizeof err), 0);
    cr_assert_str_eq(form_get(&g, "t"), "x y");
    cr_assert_eq(g.nul_field, 2);
    form_free(&g);
    f = parse_ok("a=1&b=2");
    cr_assert_eq(f.nul_field, 0);
    form_free(&f);
}

typedef struct form_bad { char body[24]; char msg[24]; } form_bad; /* arrays: copied to the test process */
ParameterizedTestParameters(form, malformed_is_an_error_naming_the_offset)
{
    static form_bad p[] = {
        { "a=%", "byte 2" }, { "a=%4", "byte 2" }, { "a=%zz", "byte 2" },
        { "ok=1&b%g1=2", "byte 6" }, { "x=1&y=100%", "byte 9" },
    };
    return cr_make_param_array(form_bad, p, sizeof p / sizeof *p);
}
ParameterizedTest(form_bad *p, form, malformed_is_an_error_naming_the_offset)
{
    srv_form f;
    char err[128] = "";
    cr_assert_eq(form_parse(p->body, strlen(p->body), &f, err, sizeof err), -1, "%s", p->body);
    cr_assert(strstr(err, p->msg), "%s: '%s' lacks '%s'", p->body, err, p->msg);
    form_free(&f);
}

Test(form, too_many_fields_is_an_error)
{
    char body[FORM_MAX_FIELDS * 4 + 16];
    size_t n = 0;
    for (int i = 0; i <= FORM_MAX_FIELDS; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "a=1&");
    srv_form f;
    char err[128];
    cr_assert_eq(form_parse(body, n, &f, err, sizeof err), -1);
    cr_assert(strstr(err, "more than"));
    form_free(&f);
}

Test(form, exactly_the_maximum_number_of_fields_is_fine)
{
    char body[FORM_MAX_FIELDS * 16 + 16];
    size_t n = 0;
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%sf%d=%%41%d", i ? "&&" : "", i, i);
    srv_form f;
    char err[128] = "";
    cr_assert_eq(form_parse(body, n, &f, err, sizeof err), 0, "%s", err);
    cr_assert_eq(f.n, FORM_MAX_FIELDS);
    cr_assert_str_eq(form_get(&f, "f0"), "A0");
    cr_assert_str_eq(form_get(&f, "f255"), "A255");
    form_free(&f);
}

/* A rewritten field (malloc'd on its own) and the untouched ones (in the form's one block)
 * are freed alike; ASan checks that nothing leaks or is freed twice. */
Test(form, rewritten_and_untouched_fields_free_alike)
{
    srv_form f = parse_ok("a=plain&b=caf%E9&c=%FF%FE&d=also+plain");
    cr_assert_eq(form_to_utf8(&f, "latin1"), 0);
    cr_assert_str_eq(form_get(&f, "a"), "plain");
    cr_assert_str_eq(form_get(&f, "b"), "caf\xC3\xA9");
    cr_assert_str_eq(form_get(&f, "c"), "\xC3\xBF\xC3\xBE");
    cr_assert_str_eq(form_get(&f, "d"), "also plain");
    form_free(&f);
    cr_assert_eq(f.n, 0);
}

Test(form, body_need_not_be_nul_terminated)
{
    const char body[] = { 'a', '=', '1', '&', 'b', '=', '2' };
    srv_form f;
    char err[64];
    cr_assert_eq(form_parse(body, 5, &f, err, sizeof err), 0);
    cr_assert_eq(f.n, 2);
    cr_assert_str_eq(form_get(&f, "b"), "");
    form_free(&f);
}

Test(form, invalid_utf8_is_replaced_and_latin1_is_converted)
{
    srv_form f = parse_ok("t=caf%C3%A9+%FF+%E2%82");
    cr_assert_eq(form_to_utf8(&f, "UTF-8"), 0);
    cr_assert_str_eq(form_get(&f, "t"), "caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
    form_free(&f);
    f = parse_ok("t=caf%E9");
    cr_assert_eq(form_to_utf8(&f, "iso-8859-1"), 0);
    cr_assert_str_eq(form_get(&f, "t"), "caf\xC3\xA9");
    form_free(&f);
    f = parse_ok("t=%ED%A0%80+%C0%AF+%F4%90%80%80"); /* surrogate, overlong, > U+10FFFF */
    cr_assert_eq(form_to_utf8(&f, NULL), 0);
    cr_assert_null(strstr(form_get(&f, "t"), "\xED\xA0"));
    cr_assert_null(strstr(form_get(&f, "t"), "\xC0"));
    form_free(&f);
}

/* The value of t in body after form_to_utf8(charset), and the warning it left. */
static char *conv(const char *body, const char *charset, char *warning, size_t wlen)
{
    srv_form f = parse_ok(body);
    cr_assert_eq(form_to_utf8(&f, charset), 0);
    cr_assert_not_null(form_get(&f, "t"), "%s: the field name survives %s", body, charset);
    char *v = strdup(form_get(&f, "t"));
    snprintf(warning, wlen, "%s", f.warning);
    form_free(&f);
    return v;
}

static void expect_conv(const char *body, const char *charset, const char *want)
{
    char warning[128];
    char *got = conv(body, charset, warning, sizeof warning);
    cr_expect_str_eq(got, want, "%s as %s", body, charset);
    cr_expect_str_eq(warning, "", "%s as %s", body, charset);
    free(got);
}

/* Browsers and WordPress read ISO-8859-1 as windows-1252 (WHATWG encoding standard): 0x93
 * is a left quote, not the C1 control U+0093. */
#define CAFE_1252 "t=%93Caf%E9%94+costs+%8010+it%92s"
#define CAFE_UTF8 "\xE2\x80\x9C" "Caf\xC3\xA9\xE2\x80\x9D costs \xE2\x82\xAC" "10 it\xE2\x80\x99s"

Test(form, windows_1252_and_its_aliases)
{
    expect_conv(CAFE_1252, "windows-1252", CAFE_UTF8);
    expect_conv(CAFE_1252, "ISO-8859-1", CAFE_UTF8);
    expect_conv(CAFE_1252, "latin1", CAFE_UTF8);
    expect_conv(CAFE_1252, "CP1252", CAFE_UTF8);
    expect_conv(CAFE_1252, "us-ascii", CAFE_UTF8);
    expect_conv(CAFE_1252, " iso-8859-1\t", CAFE_UTF8); /* WHATWG trims a label */
    /* the five bytes windows-1252 leaves undefined are the C1 controls of the same number */
    expect_conv("t=%81%8D%8F%90%9D%A0%FF", "windows-1252",
                "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D\xC2\xA0\xC3\xBF");
    expect_conv("t=%82%83%84%85%86%87%88%89%8A%8B%8C%8E", "windows-1252",
                "\xE2\x80\x9A\xC6\x92\xE2\x80\x9E\xE2\x80\xA6\xE2\x80\xA0\xE2\x80\xA1"
                "\xCB\x86\xE2\x80\xB0\xC5\xA0\xE2\x80\xB9\xC5\x92\xC5\xBD");
    expect_conv("t=%91%95%96%97%98%99%9A%9B%9C%9E%9F", "windows-1252",
                "\xE2\x80\x98\xE2\x80\xA2\xE2\x80\x93\xE2\x80\x94\xCB\x9C\xE2\x84\xA2"
                "\xC5\xA1\xE2\x80\xBA\xC5\x93\xC5\xBE\xC5\xB8");
}

Test(form, other_charsets_through_iconv)
{
    expect_conv("t=%A4+%BD", "ISO-8859-15", "\xE2\x82\xAC \xC5\x93");          /* € œ */
    expect_conv("t=%B1%E8", "iso-8859-2", "\xC4\x85\xC4\x8D");                  /* ąč */
    expect_conv("t=%D0%D2%C9%D7%C5%D4", "KOI8-R",                                  /* привет */
                "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    expect_conv("t=%93%FA%96%7B", "Shift_JIS", "\xE6\x97\xA5\xE6\x9C\xAC");      /* 日本 */
    expect_conv("t=%1B%24BF%7CK%5C%1B%28B", "ISO-2022-JP",                          /* 7-bit */
                "\xE6\x97\xA5\xE6\x9C\xAC");
    expect_conv("t=ok", "KOI8-R", "ok");
    /* what the charset cannot read: U+FFFD for the byte, or for a truncated tail */
    expect_conv("t=a%A0b", "Shift_JIS", "a\xEF\xBF\xBD" "b");
    expect_conv("t=a%93", "Shift_JIS", "a\xEF\xBF\xBD");
}

/* Without a charset, bytes that are not UTF-8 are replaced, and a warning says so. */
Test(form, invalid_utf8_without_a_charset_is_replaced_with_a_warning)
{
    char warning[128];
    char *got = conv("t=caf%E9", NULL, warning, sizeof warning);
    cr_expect_str_eq(got, "caf\xEF\xBF\xBD");
    cr_expect(strstr(warning, "not UTF-8 replaced by U+FFFD"), "%s", warning);
    free(got);
    expect_conv("t=caf%C3%A9", NULL, "caf\xC3\xA9"); /* valid UTF-8: no warning */
}

/* A decoder that reports an invalid sequence after consuming the last byte (glibc's
 * ISO-2022-CN-EXT on a trailing SO) must not send the reader past the field. */
Test(form, a_charset_that_fails_at_the_last_byte_stays_in_the_field)
{
    static const char *const bodies[] = { "t=%FA%0E", "t=%0E", "t=ab%FA%0E", "t=%FA%0E%0E" };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        char warning[128];
        char *got = conv(bodies[i], "ISO-2022-CN-EXT", warning, sizeof warning);
        cr_assert_not_null(got);
        cr_assert_lt(strlen(got), 64, "%s: %zu bytes out of a few in", bodies[i], strlen(got));
        free(got);
    }
}

Test(form, unknown_charset_reads_as_utf8_with_a_warning)
{
    static const char *const bad[] = { "klingon-8", "UTF-16", "UTF-7", "ISO-8859-1//TRANSLIT",
                                       "../../etc/x", "a very long name that is not a charset at all" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char warning[128];
        char *got = conv("t=caf%C3%A9+%FF", bad[i], warning, sizeof warning);
        cr_expect_str_eq(got, "caf\xC3\xA9 \xEF\xBF\xBD", "%s", bad[i]);
        cr_expect(strstr(warning, "unknown or unsupported charset") == warning, "%s: %s", bad[i], warning);
        free(got);
    }
    char warning[128];
    char *got = conv("t=x", "klingon-8", warning, sizeof warning);
    cr_expect_str_eq(warning, "unknown or unsupported charset \"klingon-8\": read as UTF-8");
    free(got);
    expect_conv("t=caf%C3%A9", "utf8", "caf\xC3\xA9");
    expect_conv("t=caf%C3%A9", "", "caf\xC3\xA9");
}

/* An empty charset is none declared (it sat in the list above, glued to the next name by a
 * missing comma, so it was never tried): the text is read as UTF-8, and bytes that are not
 * UTF-8 are said to be replaced, not the charset to be unknown. */
Test(form, empty_charset_is_none)
{
    char warning[128];
    char *got = conv("t=caf%C3%A9+%FF", "", warning, sizeof warning);
    cr_expect_str_eq(got, "caf\xC3\xA9 \xEF\xBF\xBD");
    cr_expect(strstr(warning, "bytes that are not UTF-8 replaced by U+FFFD") == warning, "%s", warning);
    free(got);
}

Test(form, free_accepts_empty_and_null)
{
    srv_form f = SRV_FORM_INIT;
    form_free(&f);
    form_free(NULL);
}

/* The fuzz corpus (tests/fuzz/corpus/form, fed to tests/fuzz/fuzz_form.c) through the decoder:
 * every file decodes or fails with a message, and what decodes is made valid UTF-8. */
static void replay_form(const char *path, void *ud)
{
    (void)ud;
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    char body[8192];
    size_t n = fread(body, 1, sizeof body, fp);
    fclose(fp);
    srv_form f;
    char err[128] = "";
    int rc = form_parse(body, n, &f, err, sizeof err);
    cr_assert(rc == 0 || (rc == -1 && err[0]), "%s: %d %s", path, rc, err);
    if (rc == 0) {
        cr_assert_eq(form_to_utf8(&f, "UTF-8"), 0);
        for (size_t i = 0; i < f.n; i++)
            cr_assert_not_null(form_get(&f, f.name[i]), "%s: field %zu", path, i);
    }
    form_free(&f);
}

Test(form, fuzz_corpus_replays)
{
    int files = th_each_file("tests/fuzz/corpus/form", replay_form, NULL);
    if (files < 0)
        cr_skip_test("tests/fuzz/corpus/form not found: run from the repository root");
    cr_assert_gt(files, 0);
}
