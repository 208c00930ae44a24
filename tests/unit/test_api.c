/* test_api.c - classifier/server/api.c: JSON decoding of comments and feedback, and the
 * /v1/classify and /v1/feedback answers on a small model trained here (no socket). */
#include <jansson.h>
#include <stdio.h>

#include "helpers.h"
#include <criterion/parameterized.h>
#include "server/api.h"
#include "server/keys.h"

static int parse(const char *body, int feedback, api_batch *b, char *err)
{
    return api_parse(body, strlen(body), feedback, b, err, 256);
}

Test(api, one_object_or_an_array)
{
    api_batch b;
    char err[256];
    cr_assert_eq(parse("{\"id\":\"c1\",\"author\":\"Ann\",\"text\":\"hi\",\"extra\":[1]}", 0, &b, err), 0, "%s", err);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.array, 0);
    cr_assert_str_eq(b.c[0].id, "c1");
    cr_assert_str_eq(b.c[0].author, "Ann");
    cr_assert_str_eq(b.c[0].text, "hi");
    cr_assert_null(b.c[0].email);
    api_batch_free(&b);
    cr_assert_eq(parse("[{\"id\":7,\"post_id\":-12,\"parent\":null,\"text\":\"a\"},{\"text\":\"b\",\"url\":\"u\"}]", 0,
                       &b, err), 0, "%s", err);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.array, 1);
    cr_assert_str_eq(b.c[0].id, "7");
    cr_assert_str_eq(b.c[0].post_id, "-12");
    cr_assert_null(b.c[0].parent);
    cr_assert_str_eq(b.c[1].url, "u");
    api_batch_free(&b);
    cr_assert_eq(parse("[]", 0, &b, err), 0);
    cr_assert_eq(b.n, 0);
    api_batch_free(&b);
}

typedef struct api_bad { char body[80]; int feedback; char msg[192]; } api_bad; /* arrays: copied to the test process */
ParameterizedTestParameters(api, bad_bodies_are_errors_with_a_message)
{
    static api_bad p[] = {
        /* no body at all (curl -X POST without -d): said so, not as JSON "near end of file" */
        { "", 0, "the request has no body: send one JSON comment" },
        { "", 1, "the request has no body: send one JSON comment" },
        { "{\"text\":\"a\"", 0, "malformed JSON" },
        /* a NUL, which no field takes: said so, not as jansson's flag (JSON_ALLOW_NUL) */
        { "{\"text\":\"a\\u0000\"}", 0, "\\u0000 (NUL) in a string: no field takes one" },
        { "{\"text\":\"\xff\"}", 0, "malformed JSON" },
        /* bytes that are not UTF-8: the message says JSON is (a webhook sending Latin-1) */
        { "{\"text\":\"caf\xe9\"}", 0, "(JSON is UTF-8, RFC 8259: send the body in UTF-8)" },
        { "\xef\xbb\xbf", 0, "malformed JSON" },           /* a byte order mark and nothing */
        { "{\"text\":\"a\"}\xef\xbb\xbf", 0, "malformed JSON" }, /* one after the text */
        { "\"text\"", 0, "malformed JSON" }, /* top level: object or array */
        { "{\"text\":\"first\",\"text\":\"second\"}", 0, "duplicate object key" }, /* not "last wins" */
        { "[{\"text\":\"a\"}, 3]", 0, "item 1: a comment must be a JSON object" },
        { "{\"author\":\"x\"}", 0, "'text' is required" },
        { "{\"text\":5}", 0, "field 'text' must be a string, got an integer" },
        /* null is no text: said as the wrong type it is, not as a field missing */
        { "{\"text\":null}", 0, "field 'text' must be a string, got null" },
        { "[{\"text\":\"a\"},{\"text\":null}]", 0, "item 1: field 'text' must be a string, got null" },
        { "{\"text\":\"a\",\"author\":[\"x\"]}", 0, "field 'author' must be a string, got an array" },
        { "{\"text\":\"a\",\"ip\":true}", 0, "field 'ip' must be a string, got a boolean" },
        /* an integer past 64 bits (jansson refuses it while parsing) or a number too large
         * for one: the field named, and what it takes */
        { "{\"text\":\"a\",\"id\":99999999999999999999}", 0,
          "field 'id' must be a string or an integer from -2^63 to 2^63-1, got a number out of that range" },
        { "{\"text\":\"a\",\"post_id\":1e30}", 0,
          "field 'post_id' must be a string or an integer from -2^63 to 2^63-1, got a number out of that range" },
        { "[{\"text\":\"a\",\"id\":5},{\"text\":\"b\",\"parent\":-99999999999999999999}]", 0,
          "item 1: field 'parent' must be a string or an integer" },
        { "{\"text\":\"a\",\"author\":99999999999999999999}", 0, "field 'author' must be a string, got a number" },
        { "{\"text\":99999999999999999999}", 0, "field 'text' must be a string, got a number" },
        { "{\"text\":\"a\",\"label\":99999999999999999999}", 1, "'label' must be \"spam\" or \"ham\", got a number" },
        { "{\"text\":\"a\",\"label\":\"ham\",\"undo\":99999999999999999999}", 1, "'undo' must be true or false, got a number" },
        { "{\"text\":\"a\",\"label\":\"ham\",\"undo\":1}", 1, "'undo' must be true or false, got an integer" },
        /* past a double (jansson refuses it, under any flag), or past 64 bits in a field kindly
         * does not read: the number and its place, and what kindly reads, not jansson's
         * "real number overflow" called malformed JSON (RFC 8259, 6: a parser sets its limits) */
        { "{\"text\":\"a\",\"id\":1e999}", 0,
          "JSON at line 1, column 22: the number 1e999 is larger than kindly reads in any field, read or "
          "ignored (integers of up to 64 bits, other numbers up to about 1.8e308)" },
        { "{\"text\":\"a\",\"extra\":-1e999}", 0, "column 26: the number -1e999 is larger than kindly reads" },
        { "{\"text\":\"a\",\"extra\":99999999999999999999}", 0,
          "JSON at line 1, column 40: the number 99999999999999999999 is larger than kindly reads in any field" },
        { "{\"text\":\"a\",\"id\":1.5}", 0, "field 'id' must be a string or an integer from -2^63 to 2^63-1, got 1.5" },
        /* an integer written as a real (Python's json of a float id, pandas' of a column with
         * gaps): said so, not "must be an integer, got 1" */
        { "{\"text\":\"a\",\"id\":1.0}", 0,
          "field 'id' must be a string or an integer from -2^63 to 2^63-1, got 1 written with a decimal point or an "
          "exponent" },
        { "{\"text\":\"a\",\"post_id\":2e3}", 0, "got 2000 written with a decimal point or an exponent" },
        { "{\"text\":\"a\"}", 1, "the field 'label' is required: \"spam\" or \"ham\"" },
        { "{\"text\":\"a\",\"label\":\"maybe\"}", 1, "'label' must be \"spam\" or \"ham\", got \"maybe\"" },
        { "{\"text\":\"a\",\"label\":null}", 1, "'label' must be \"spam\" or \"ham\", got null" },
        { "{\"text\":\"a\",\"label\":\"spam\",\"undo\":\"yes\"}", 1, "'undo' must be" },
        /* an empty comment would teach no token but shift the prior */
        { "{\"text\":\"\",\"label\":\"spam\"}", 1,
          "the text is empty (only blanks or punctuation): there is nothing to learn" },
        { "[{\"text\":\"a\",\"label\":\"ham\"},{\"text\":\" \\n\",\"label\":\"spam\"}]", 1, "item 1: the text is empty" },
        /* blank beyond ASCII: a no-break space, \v, a zero-width space, &nbsp;, a lone "." */
        { "{\"text\":\"\\u00a0\\u000b\\u200b\",\"label\":\"spam\"}", 1, "the text is empty" },
        { "{\"text\":\"&nbsp; .\",\"label\":\"ham\"}", 1, "the text is empty" },
    };
    return cr_make_param_array(api_bad, p, sizeof p / sizeof *p);
}
ParameterizedTest(api_bad *p, api, bad_bodies_are_errors_with_a_message)
{
    api_batch b;
    char err[256] = "";
    cr_assert_eq(parse(p->body, p->feedback, &b, err), -1, "%s", p->body);
    cr_assert(strstr(err, p->msg), "%s: '%s' lacks '%s'", p->body, err, p->msg);
    api_batch_free(&b);
}

/* A byte order mark before the JSON text is skipped (RFC 8259, 8.1: a parser may ignore it;
 * .NET's UTF-8 writers and Windows tools send one): it was "'[' or '{' expected near '\xef\xbb\xbf'",
 * a message naming bytes that print as nothing. */
Test(api, a_byte_order_mark_before_the_text_is_skipped)
{
    api_batch b;
    char err[256] = "";
    cr_assert_eq(parse("\xef\xbb\xbf{\"id\":\"c1\",\"text\":\"hi\"}", 0, &b, err), 0, "%s", err);
    cr_assert_str_eq(b.c[0].id, "c1");
    api_batch_free(&b);
    cr_assert_eq(parse("\xef\xbb\xbf[{\"text\":\"a\",\"label\":\"spam\"}]", 1, &b, err), 0, "%s", err);
    cr_assert_eq(b.n, 1);
    api_batch_free(&b);
    /* one, not two */
    cr_assert_eq(parse("\xef\xbb\xbf\xef\xbb\xbf{\"text\":\"hi\"}", 0, &b, err), -1);
    api_batch_free(&b);
}

Test(api, feedback_labels_and_undo)
{
    api_batch b;
    char err[256];
    cr_assert_eq(parse("[{\"text\":\"a\",\"label\":\"spam\"},{\"text\":\"b\",\"label\":\"ham\",\"undo\":true}]", 1, &b, err),
                 0, "%s", err);
    cr_assert_eq(b.label[0], KD_SPAM);
    cr_assert_eq(b.undo[0], 0);
    cr_assert_eq(b.label[1], KD_HAM);
    cr_assert_eq(b.undo[1], 1);
    api_batch_free(&b);
    api_batch_free(NULL);
    /* an empty comment learnt before may be taken back */
    cr_assert_eq(parse("{\"text\":\" \",\"label\":\"spam\",\"undo\":true}", 1, &b, err), 0, "%s", err);
    api_batch_free(&b);
}

static char dir[256], path[300];
static kd_model *m;
static srv_config cfg;

static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.db", dir);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE | KD_OPEN_PRELOAD), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.options = (kd_options)KD_OPTIONS_INIT;
    cfg.writable = 1;
}

static void teardown(void)
{
    kd_model_close(m);
    th_rmrf(dir);
}

static void call_as(srv_endpoint ep, const char *body, const char *authorization, srv_reply *r)
{
    srv_request q = { ep, body, strlen(body), NULL, "application/json", m, &cfg, authorization, NULL };
    srv_reply_init(r);
    api_handle(&q, r);
}

static void call(srv_endpoint ep, const char *body, srv_reply *r) { call_as(ep, body, NULL, r); }

Test(api, feedback_then_classify_round_trip, .init = setup, .fini = teardown)
{
    srv_reply r;
    for (int i = 0; i < 4; i++) {
        call(EP_FEEDBACK,
             "[{\"text\":\"cheap pills casino bonus\",\"label\":\"spam\"},"
             "{\"text\":\"cheap pills casino bonus now\",\"label\":\"spam\"},"
             "{\"text\":\"lovely tomato garden post\",\"label\":\"ham\"},"
             "{\"text\":\"your garden tomato advice\",\"label\":\"ham\"}]", &r);
        cr_assert_eq(r.status, 200, "%s", r.body);
        cr_assert_str_eq(r.body, "{\"learnt\":4,\"unlearnt\":0,\"unchanged\":0,\"relabelled\":0}\n"); /* no ids: each learnt */
        srv_reply_free(&r);
    }
    call(EP_CLASSIFY, "[{\"id\":\"x\",\"text\":\"cheap casino pills bonus\"},{\"id\":\"y\",\"text\":\"tomato garden\"}]", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_error_t je;
    json_t *a = json_loads(r.body, 0, &je);
    cr_assert(json_is_array(a), "%s", r.body);
    cr_assert_eq(json_array_size(a), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "id")), "x");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "verdict")), "spam");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 1), "verdict")), "approve");
    cr_assert(json_is_array(json_object_get(json_array_get(a, 1), "reasons")));
    json_decref(a);
    srv_reply_free(&r);
    call(EP_CLASSIFY, "{\"id\":\"z\",\"text\":\"casino\"}", &r);
    cr_assert_eq(r.body[0], '{', "one object in, one object out: %s", r.body);
    srv_reply_free(&r);
    /* a client's undo of a comment never reported takes nothing back (KD_UNDO_KNOWN) */
    call(EP_FEEDBACK, "{\"text\":\"lovely tomato garden post\",\"label\":\"ham\",\"undo\":true}", &r);
    cr_assert_str_eq(r.body, "{\"learnt\":0,\"unlearnt\":0,\"unchanged\":1,\"relabelled\":0}\n");
    srv_reply_free(&r);
}

/* Feedback on a comment with an id is idempotent: the same label again learns nothing, the
 * other label relabels it (its first label unlearnt), an undo of a label it was not given
 * does nothing. The message counts tell. */
Test(api, feedback_with_an_id_is_idempotent, .init = setup, .fini = teardown)
{
    srv_reply r;
    kd_model_stats st0, st;
    cr_assert_eq(kd_model_stats_get(m, &st0), 0);
    static const struct { const char *body, *answer; int spam, ham; } steps[] = {
        { "{\"id\":\"c7\",\"text\":\"miracle gummies for sleep, order today\",\"label\":\"spam\"}",
          "{\"learnt\":1,\"unlearnt\":0,\"unchanged\":0,\"relabelled\":0}\n", 1, 0 },
        { "{\"id\":\"c7\",\"text\":\"miracle gummies for sleep, order today\",\"label\":\"spam\"}",
          "{\"learnt\":0,\"unlearnt\":0,\"unchanged\":1,\"relabelled\":0}\n", 1, 0 },
        { "{\"id\":\"c7\",\"text\":\"miracle gummies for sleep, order today\",\"label\":\"ham\"}",
          "{\"learnt\":1,\"unlearnt\":0,\"unchanged\":0,\"relabelled\":1}\n", 0, 1 },
        { "{\"id\":\"c7\",\"text\":\"miracle gummies for sleep, order today\",\"label\":\"spam\",\"undo\":true}",
          "{\"learnt\":0,\"unlearnt\":0,\"unchanged\":1,\"relabelled\":0}\n", 0, 1 },
        { "{\"id\":\"c7\",\"text\":\"miracle gummies for sleep, order today\",\"label\":\"ham\",\"undo\":true}",
          "{\"learnt\":0,\"unlearnt\":1,\"unchanged\":0,\"relabelled\":0}\n", 0, 0 },
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        call(EP_FEEDBACK, steps[i].body, &r);
        cr_assert_eq(r.status, 200, "%s", r.body);
        cr_assert_str_eq(r.body, steps[i].answer, "step %zu", i);
        srv_reply_free(&r);
        cr_assert_eq(kd_model_stats_get(m, &st), 0);
        cr_assert_eq(st.spam_messages, st0.spam_messages + (uint64_t)steps[i].spam, "step %zu", i);
        cr_assert_eq(st.ham_messages, st0.ham_messages + (uint64_t)steps[i].ham, "step %zu", i);
    }
}

Test(api, errors_are_json_with_status, .init = setup, .fini = teardown)
{
    srv_reply r;
    call(EP_CLASSIFY, "{nope", &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "{\"error\":\"malformed JSON"), "%s", r.body);
    srv_reply_free(&r);
    cfg.writable = 0;
    call(EP_FEEDBACK, "{\"text\":\"a\",\"label\":\"spam\"}", &r);
    cr_assert_eq(r.status, 403);
    srv_reply_free(&r);
    srv_request q = { EP_CLASSIFY, "a=b", 3, NULL, "application/x-www-form-urlencoded", m, &cfg, NULL, NULL };
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    srv_reply_free(&r);
    /* the media type, not a prefix of one (JSONP is JavaScript); its parameters are fine */
    q.body = "{\"text\":\"a\"}";
    q.len = strlen(q.body);
    q.content_type = "application/jsonp";
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    srv_reply_free(&r);
    q.content_type = "application/json; charset=utf-8";
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    srv_reply_free(&r);
    /* a body with a content coding (a webhook that gzips) is not read as JSON: 415 naming it
     * (RFC 9110, 15.5.16), with Accept-Encoding: identity; "identity" is no coding */
    q.content_encoding = "gzip";
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    cr_assert_str_eq(r.body, "{\"error\":\"Content-Encoding 'gzip' is not supported: send the body as it is, "
                             "without a Content-Encoding\"}");
    cr_assert_str_eq(srv_reply_get_header(&r, "Accept-Encoding"), "identity");
    srv_reply_free(&r);
    q.content_encoding = "Identity";
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    srv_reply_free(&r);
    q.content_encoding = "";
    srv_reply_init(&r);
    api_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    srv_reply_free(&r);
}

/* With --keys, the JSON API needs a key as well: feedback retrains the model. Sent as a
 * bearer token; without one or with a wrong one the answer is 401 with a challenge, and
 * nothing is learnt. */
Test(api, with_keys_both_endpoints_need_a_bearer_key, .init = setup, .fini = teardown)
{
    char kf[300], err[300];
    th_write(dir, "keys", "k1\n", kf, sizeof kf);
    srv_keys *keys = NULL;
    cr_assert_eq(srv_keys_load(&keys, kf, err, sizeof err), 0, "%s", err);
    cfg.keys = keys;
    static const struct { const char *authorization, *challenge; } refused[] = {
        { NULL, "Bearer realm=\"kindly\"" },
        { "Basic azE6", "Bearer realm=\"kindly\"" },
        { "Bearer k2", "Bearer realm=\"kindly\", error=\"invalid_token\"" },
    };
    srv_reply r;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        for (srv_endpoint ep = EP_CLASSIFY; ep <= EP_FEEDBACK; ep++) {
            call_as(ep, "{\"text\":\"cheap pills\",\"label\":\"spam\"}", refused[i].authorization, &r);
            cr_assert_eq(r.status, 401, "%s: %d %s", refused[i].authorization, r.status, r.body);
            cr_assert_str_eq(srv_reply_get_header(&r, "WWW-Authenticate"), refused[i].challenge);
            cr_assert(strstr(r.body, "{\"error\":"), "%s", r.body);
            srv_reply_free(&r);
        }
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, 0, "nothing was learnt");
    call_as(EP_FEEDBACK, "{\"text\":\"cheap pills\",\"label\":\"spam\"}", "Bearer k1", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    srv_reply_free(&r);
    call_as(EP_CLASSIFY, "{\"text\":\"cheap pills\"}", "bearer k1", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    srv_reply_free(&r);
    cfg.keys = NULL;
    srv_keys_free(keys);
}

/* A batch whose comments cannot be remembered still gets every verdict, and one warning
 * header names every item (a reply has room for a few headers only). */
Test(api, a_batch_not_remembered_is_answered_with_one_warning, .init = setup, .fini = teardown)
{
    th_refuse_history(path);
    char body[2048] = "[";
    for (int i = 0; i < 10; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%s{\"text\":\"comment number %d about sleep\"}",
                 i ? "," : "", i);
    strcat(body, "]");
    srv_reply r;
    call(EP_CLASSIFY, body, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *a = json_loads(r.body, 0, NULL);
    cr_assert(json_is_array(a) && json_array_size(a) == 10, "%s", r.body);
    json_decref(a);
    const char *w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && !strncmp(w, "not remembered: ", 16) && strstr(w, "full") &&
                  strstr(w, "(items 0, 1, 2, 3, 4, 5, 6, 7, 8, 9; 10 in all)"), "%s", w ? w : "(none)");
    cr_assert(strstr(w, "free some disk space"), "the reason was cut: %s", w); /* the whole reason, hint too */
    srv_reply_free(&r);
}

/* Feedback that fails at an item of an array names it, and the comments before it, learnt,
 * are counted in /metrics as any learnt comment is (a trigger fails the second spam's count). */
Test(api, feedback_learnt_before_a_failed_item_is_counted_in_metrics, .init = setup, .fini = teardown)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TRIGGER refuse BEFORE UPDATE ON meta WHEN NEW.key = 'spam_messages' AND "
                                  "NEW.value > 1 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;", NULL,
                              NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    metrics_reset();
    srv_reply r;
    call(EP_FEEDBACK, "[{\"text\":\"cheap pills\",\"label\":\"spam\"},{\"text\":\"casino bonus\",\"label\":\"spam\"}]",
         &r);
    cr_assert_eq(r.status, 500, "%d %s", r.status, r.body);
    cr_assert(strstr(r.body, "item 1: ") && strstr(r.body, "(the comments before it were learnt)"), "%s", r.body);
    srv_reply_free(&r);
    cr_assert_eq(th_sql_int(path, "SELECT value FROM meta WHERE key = 'spam_messages'"), 1);
    char *text = metrics_render(NULL);
    cr_assert(text && strstr(text, "kindly_feedback_total{label=\"spam\",action=\"learn\"} 1\n"), "%s", text);
    free(text);
}

/* The X-kindly-warning headers of a reply, joined by " | " into out. */
static const char *warnings_of(const srv_reply *r, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < r->nhdr; i++)
        if (!strcasecmp(r->hdr[i].name, "X-kindly-warning"))
            snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? " | " : "", r->hdr[i].value);
    return out;
}

/* An item with an unreadable date that could not be remembered is said not remembered, and
 * not also "remembered as of now" (as comment-check says it): it was in no history at all. */
Test(api, an_item_not_remembered_is_not_said_remembered_as_of_now, .init = setup, .fini = teardown)
{
    th_refuse_history(path);
    srv_reply r;
    char w[1024];
    call(EP_CLASSIFY, "[{\"id\":\"a\",\"date\":\"yesterday\",\"text\":\"comment about sleep\"}]", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    warnings_of(&r, w, sizeof w);
    cr_assert(strstr(w, "not remembered: ") && strstr(w, "(item 0; 1 in all)"), "%s", w);
    cr_assert_null(strstr(w, "remembered as of now"), "%s", w);
    srv_reply_free(&r);
}

/* With --dup-threshold off no classified comment is recorded (the duplicates stage keeps the
 * history): an unreadable date is not said "remembered as of now"; feedback still is. */
Test(api, with_the_duplicates_stage_off_a_check_is_not_said_remembered, .init = setup, .fini = teardown)
{
    cfg.options.dup_threshold = -1;
    srv_reply r;
    char w[1024];
    call(EP_CLASSIFY, "{\"id\":\"a\",\"date\":\"yesterday\",\"text\":\"comment about sleep\"}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(warnings_of(&r, w, sizeof w), "");
    srv_reply_free(&r);
    cr_assert_eq(th_sql_int(path, "SELECT count(*) FROM history"), 0);
    call(EP_FEEDBACK, "{\"id\":\"b\",\"date\":\"yesterday\",\"text\":\"cheap pills\",\"label\":\"spam\"}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(warnings_of(&r, w, sizeof w), "remembered as of now: unreadable date 'yesterday'"), "%s", w);
    srv_reply_free(&r);
    cr_assert_eq(th_sql_int(path, "SELECT count(*) FROM history"), 1);
}

/* A field kindly does not know ("comment_author", "post" for "author" and "post_id") is
 * ignored, and the answer says so, naming it and the item; a known one draws no warning.
 * Feedback's label and undo are fields there, not in a classification. */
Test(api, unknown_fields_are_named_in_a_warning, .init = setup, .fini = teardown)
{
    srv_reply r;
    call(EP_CLASSIFY, "{\"id\":\"a\",\"text\":\"ok\",\"comment_author\":\"Ann\"}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && !strncmp(w, "ignored: 'comment_author' is no field of kindly's (id, post_id", 62), "%s",
              w ? w : "(none)");
    srv_reply_free(&r);
    call(EP_CLASSIFY, "[{\"text\":\"ok\"},{\"text\":\"fine\",\"post\":\"101\"}]", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && strstr(w, "'post' is no field") && strstr(w, "(item 1; 1 in all)"), "%s", w ? w : "(none)");
    srv_reply_free(&r);
    call(EP_CLASSIFY, "{\"id\":\"a\",\"post_id\":7,\"author\":\"Ann\",\"text\":\"ok\"}", &r);
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-warning"));
    srv_reply_free(&r);
    call(EP_FEEDBACK, "{\"text\":\"cheap pills\",\"label\":\"spam\",\"undo\":false}", &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-warning"));
    srv_reply_free(&r);
    call(EP_FEEDBACK, "{\"text\":\"cheap pills\",\"label\":\"spam\",\"author_email\":\"x@y.z\"}", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && !strcmp(w, "ignored: 'author_email' is no field of kindly's"), "%s", w ? w : "(none)");
    srv_reply_free(&r);
    /* a long name is cut between two characters: 59 letters and an 'é' (2 bytes) keep
       the letters only, not half of the 'é' */
    call(EP_CLASSIFY,
         "{\"text\":\"ok\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xC3\xA9\":1}", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && strstr(w, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is no field"), "%s",
              w ? w : "(none)");
    srv_reply_free(&r);
    call(EP_CLASSIFY, "{\"text\":\"ok\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning"); /* 60 bytes: whole */
    cr_assert(w && strstr(w, "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is no field"), "%s",
              w ? w : "(none)");
    srv_reply_free(&r);
    /* every unknown field of the item is named, not the first alone (WordPress's names sent
       as they are: the next would be found only once the first was fixed) */
    call(EP_CLASSIFY, "{\"text\":\"ok\",\"comment_author\":\"Ann\",\"author\":\"Ann\",\"comment_author_email\":\"a@b.c\","
                      "\"post\":1}", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && !strncmp(w, "ignored: 'comment_author', 'comment_author_email', 'post' are no fields of kindly's "
                               "(id, post_id", 95), "%s", w ? w : "(none)");
    srv_reply_free(&r);
    /* more than the header holds: those named, then how many more */
    call(EP_FEEDBACK, "{\"text\":\"cheap pills\",\"label\":\"spam\",\"field_number_01\":1,\"field_number_02\":1,"
                      "\"field_number_03\":1,\"field_number_04\":1,\"field_number_05\":1,\"field_number_06\":1,"
                      "\"field_number_07\":1,\"field_number_08\":1,\"field_number_09\":1,\"field_number_10\":1,"
                      "\"field_number_11\":1,\"field_number_12\":1,\"field_number_13\":1,\"field_number_14\":1}", &r);
    w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && !strncmp(w, "ignored: 'field_number_01', 'field_number_02', ", 47) && strstr(w, " more are no fields of kindly's"),
              "%s", w ? w : "(none)");
    cr_assert(strlen(w) < 300, "%zu bytes: %s", strlen(w), w);
    srv_reply_free(&r);
    /* a text under another name: the error says which field was there */
    call(EP_CLASSIFY, "{\"comment_content\":\"hello\"}", &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "the field 'text' is required (a field 'comment_content' is no field of kindly's"),
              "%s", r.body);
    srv_reply_free(&r);
    /* a WordPress comment as it is: the text's field is named, not the first unknown one */
    call(EP_CLASSIFY, "{\"comment_ID\":\"706\",\"comment_post_ID\":\"12\",\"comment_content\":\"hello\"}", &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "the field 'text' is required (a field 'comment_content' is no field of kindly's: "
                             "send the text as 'text')"),
              "%s", r.body);
    srv_reply_free(&r);
    call(EP_FEEDBACK, "[{\"text\":\"hi\",\"label\":\"ham\"},{\"Message\":\"hi\",\"label\":\"ham\"}]", &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "item 1: the field 'text' is required (a field 'Message' is no field"), "%s", r.body);
    srv_reply_free(&r);
}
