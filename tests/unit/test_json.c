/* test_json.c - kd_result_json: every string it writes is valid UTF-8 and every control
 * character is escaped, whatever bytes the caller's id, a reason or a token holds, and every
 * number it writes is a JSON number, whatever double the caller's result holds. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kindly.h"
#include "json.h"
#include "normalize.h"

/* The JSON of a result whose id is `id` and whose only reason and token are `other`. */
static char *json_of(const char *id, const char *other)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    char *reason = (char *)other;
    kd_token_weight tw = { (char *)other, 0.5, 1, 1 };
    kd_result r;
    memset(&r, 0, sizeof r);
    r.reasons = other ? &reason : NULL;
    r.nreasons = other ? 1 : 0;
    r.top = other ? &tw : NULL;
    r.ntop = other ? 1 : 0;
    r.relevance = -1;
    char *js = kd_result_json(&c, &r);
    cr_assert_not_null(js);
    return js;
}

/* The id's JSON literal, as written: the text between "id": and ,"verdict". */
static char *id_literal(const char *js)
{
    const char *from = strstr(js, "{\"id\":"), *to = strstr(js, ",\"verdict\"");
    cr_assert(from && to);
    from += 6;
    return strndup(from, (size_t)(to - from));
}

static void expect_id(const char *id, const char *want)
{
    char *js = json_of(id, NULL);
    cr_assert(kd_utf8_valid(js, strlen(js), NULL), "not valid UTF-8: %s", js);
    char *lit = id_literal(js);
    cr_assert_str_eq(lit, want, "id %s: got %s", id, lit);
    free(lit);
    free(js);
}

Test(json, plain_and_valid_utf8_strings_are_copied)
{
    expect_id("c-1", "\"c-1\"");
    expect_id("caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac", "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"");
    expect_id("", "\"\"");
    expect_id(NULL, "null");
}

Test(json, each_invalid_byte_becomes_u_fffd)
{
    expect_id("i\xfe" "d", "\"i\xef\xbf\xbd" "d\"");
    expect_id("c\xff" "1", "\"c\xef\xbf\xbd" "1\"");
    /* a lone continuation byte, an overlong '/', a UTF-16 surrogate, a sequence cut short at
     * the end: one U+FFFD per byte, and the byte after is read afresh */
    expect_id("\x80x", "\"\xef\xbf\xbdx\"");
    expect_id("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    expect_id("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    expect_id("ab\xe2\x82", "\"ab\xef\xbf\xbd\xef\xbf\xbd\"");
    expect_id("\xe2\x82" "a", "\"\xef\xbf\xbd\xef\xbf\xbd" "a\"");
    expect_id("\xf5\x80\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

Test(json, quotes_backslashes_and_control_characters_are_escaped)
{
    expect_id("a\"b\\c", "\"a\\\"b\\\\c\"");
    expect_id("l1\nl2\r\tx", "\"l1\\nl2\\r\\tx\"");
    expect_id("\x01\x1f", "\"\\u0001\\u001f\"");
    expect_id("del\x7f", "\"del\\u007f\"");
    expect_id("nel\xc2\x85", "\"nel\\u0085\"");                   /* C1 control U+0085 */
    expect_id("ls\xe2\x80\xa8ps\xe2\x80\xa9", "\"ls\\u2028ps\\u2029\""); /* JavaScript line ends */
}

/* Every string field goes through the same writer: reasons (duplicate_of:ID read back from
 * the history) and tokens. */
Test(json, reasons_and_tokens_are_repaired_too)
{
    char *js = json_of("x", "duplicate_of:c\xff" "1 (site, similarity 1)");
    cr_assert(kd_utf8_valid(js, strlen(js), NULL), "not valid UTF-8: %s", js);
    cr_assert_not_null(strstr(js, "\"reasons\":[\"duplicate_of:c\xef\xbf\xbd" "1 (site, similarity 1)\"]"), "%s", js);
    cr_assert_not_null(strstr(js, "{\"token\":\"duplicate_of:c\xef\xbf\xbd" "1"), "%s", js);
    free(js);
}

/* A classified comment from an API caller with a bad id: the whole line is valid UTF-8. */
Test(json, a_classified_comment_with_a_bad_id_gives_valid_json)
{
    kd_model *m;
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.id = "api\xc3";
    c.author = "Ann";
    c.text = "A kind word about the post.";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    char *js = kd_result_json(&c, &r);
    cr_assert_not_null(js);
    cr_assert(kd_utf8_valid(js, strlen(js), NULL), "not valid UTF-8: %s", js);
    static const char want[] = "{\"id\":\"api\xef\xbf\xbd\",";
    cr_assert_eq(strncmp(js, want, sizeof want - 1), 0, "%s", js);
    free(js);
    kd_result_free(&r);
    kd_model_close(m);
}

/* kd_result_json_buf (json.h, what kindly score writes with) appends the same object as
 * kd_result_json to what the buffer holds, line after line into one buffer; a buffer out of
 * memory is KD_ENOMEM. */
Test(json, a_result_appended_to_a_buffer_is_the_same_object)
{
    char *one = json_of("r-1", "token:caf\xc3\xa9=0.5");
    kd_comment c = KD_COMMENT_INIT;
    c.id = "r-1";
    char *reason = "token:caf\xc3\xa9=0.5";
    kd_token_weight tw = { reason, 0.5, 1, 1 };
    kd_result r;
    memset(&r, 0, sizeof r);
    r.reasons = &reason;
    r.nreasons = 1;
    r.top = &tw;
    r.ntop = 1;
    r.relevance = -1;
    kd_buf b = KD_BUF_INIT;
    kd_buf_puts(&b, "before\n");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(kd_result_json_buf(&b, &c, &r), KD_OK);
        kd_buf_putc(&b, '\n');
    }
    kd_buf want = KD_BUF_INIT;
    kd_buf_puts(&want, "before\n");
    for (int i = 0; i < 3; i++) {
        kd_buf_puts(&want, one);
        kd_buf_putc(&want, '\n');
    }
    cr_assert_str_eq(b.s, want.s);
    kd_buf_free(&want);
    b.oom = 1;
    cr_assert_eq(kd_result_json_buf(&b, &c, &r), KD_ENOMEM);
    kd_buf_free(&b);
    free(one);
}

/* kd_result_json is public: an API caller may hand it a result it filled itself. A number that
 * is no finite double is written as 0 (buf.h's promise for kd_buf_fixed), never "inf",
 * "-inf" or "nan", which no JSON parser reads. */
Test(json, a_number_that_is_not_finite_is_written_as_0)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = "n";
    kd_rule_hit hit = { "R", INFINITY };
    kd_token_weight tw = { "t", -INFINITY, 1, 1 };
    kd_result r;
    memset(&r, 0, sizeof r);
    r.spam_score = INFINITY;
    r.bayes_score = -INFINITY;
    r.similarity = NAN;
    r.relevance = INFINITY;
    r.rules = &hit;
    r.nrules = 1;
    r.top = &tw;
    r.ntop = 1;
    char *js = kd_result_json(&c, &r);
    cr_assert_not_null(js);
    json_error_t err;
    json_t *o = json_loads(js, 0, &err);
    cr_assert_not_null(o, "not JSON (%s): %s", err.text, js);
    static const char *const key[] = { "spam_score", "bayes_score", "similarity", "relevance" };
    for (size_t i = 0; i < sizeof key / sizeof *key; i++)
        cr_expect_eq(json_number_value(json_object_get(o, key[i])), 0.0, "%s in %s", key[i], js);
    json_t *rule = json_array_get(json_object_get(o, "rules"), 0);
    cr_expect_eq(json_number_value(json_object_get(rule, "score")), 0.0, "%s", js);
    json_t *token = json_array_get(json_object_get(o, "tokens"), 0);
    cr_expect_eq(json_number_value(json_object_get(token, "p")), 0.0, "%s", js);
    json_decref(o);
    free(js);
}

/* A rule's score keeps the precision the rule file wrote it with, as in its reason
 * (rule:E=+0.0625, test_verdict): "score" rounded to 3 decimals gave 0.063 for 0.0625, and 0
 * for a rule of 0.0004 that fired; whole and one-decimal scores are written as before. */
Test(json, a_rule_score_keeps_its_precision)
{
    kd_comment c = KD_COMMENT_INIT;
    kd_rule_hit hits[4] = { { "A", 0.0625 }, { "B", 0.0004 }, { "C", 2 }, { "D", -1.5 } };
    kd_result r;
    memset(&r, 0, sizeof r);
    r.rules = hits;
    r.nrules = 4;
    r.relevance = -1;
    char *js = kd_result_json(&c, &r);
    cr_assert_not_null(js);
    cr_expect(strstr(js, "\"rules\":[{\"name\":\"A\",\"score\":0.0625},{\"name\":\"B\",\"score\":0.0004},"
                         "{\"name\":\"C\",\"score\":2},{\"name\":\"D\",\"score\":-1.5}]"),
              "%s", js);
    free(js);
}
