/* test_akismet.c - classifier/server/akismet.c: keys, field mapping, Akismet's answers,
 * submissions learning, on a small model trained here (no socket). */
#include <stdio.h>


#include "helpers.h"
#include "server/akismet.h"
#include "server/pool.h"

static char dir[256], path[300];
static kd_model *m;
static srv_config cfg;

static void train(kd_model *mm, const char *text, kd_label l)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    cr_assert_eq(kd_train_add(mm, &c, l, 1), 0);
}

static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.db", dir);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE | KD_OPEN_PRELOAD), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (int i = 0; i < 5; i++) {
        train(m, "cheap viagra pills online buy now casino bonus", KD_SPAM);
        train(m, "buy cheap replica watches casino pills discount", KD_SPAM);
        train(m, "thanks for the thoughtful post about gardening tomatoes", KD_HAM);
        train(m, "i tried your tomato recipe and the garden advice worked", KD_HAM);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.options = (kd_options)KD_OPTIONS_INIT;
    cfg.writable = 1;
    cfg.discard = 0.99;
}

static void teardown(void)
{
    kd_model_close(m);
    th_rmrf(dir);
}

static void call(srv_endpoint ep, const char *body, const char *host, srv_reply *r)
{
    srv_request q = { ep, body, strlen(body), host, "application/x-www-form-urlencoded", m, &cfg, NULL, NULL };
    srv_reply_init(r);
    akismet_handle(&q, r);
}

/* The body of the answer to one call. */
static void answer_is(srv_endpoint ep, const char *body, const char *host, const char *want)
{
    srv_reply r;
    call(ep, body, host, &r);
    cr_assert_str_eq(r.body, want, "%s", body);
    srv_reply_free(&r);
}

#define SPAM "blog=http%3A%2F%2Fb.example&user_ip=10.0.0.1&comment_content=cheap+viagra+pills+casino+bonus+buy+now"
#define HAM "blog=http%3A%2F%2Fb.example&user_ip=10.0.0.2&comment_content=thanks+for+the+tomato+garden+post"

TestSuite(akismet, .init = setup, .fini = teardown);

Test(akismet, comment_check_answers_true_for_spam_false_for_ham)
{
    srv_reply r;
    call(EP_COMMENT_CHECK, SPAM, NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "true");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-kindly-verdict"), "spam");
    cr_assert_not_null(srv_reply_get_header(&r, "X-akismet-pro-tip"), "blatant spam is discarded");
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, HAM, NULL, &r);
    cr_assert_str_eq(r.body, "false");
    cr_assert_null(srv_reply_get_header(&r, "X-akismet-pro-tip"));
    srv_reply_free(&r);
}

/* Why, as the JSON API's reasons: X-kindly-reasons carries the same strings, escaped for a
 * header (srv_header_list); a comment no classification looked at (an administrator's) has
 * none. */
Test(akismet, comment_check_says_its_reasons)
{
    srv_reply r;
    call(EP_COMMENT_CHECK, SPAM "&comment_ID=c%3B1%C3%A9", NULL, &r);
    const char *why = srv_reply_get_header(&r, "X-kindly-reasons");
    cr_assert_not_null(why);
    cr_assert_eq(strncmp(why, "bayes=", 6), 0, "%s", why);
    cr_assert_not_null(strstr(why, "; token:"), "%s", why);
    srv_reply_free(&r);
    /* the same text again: a duplicate of the first, whose id is escaped */
    call(EP_COMMENT_CHECK, SPAM, NULL, &r);
    why = srv_reply_get_header(&r, "X-kindly-reasons");
    cr_assert_not_null(strstr(why, "; duplicate_of:c%3B1%C3%A9 (site, similarity 1.00); "), "%s", why);
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, SPAM "&user_role=administrator", NULL, &r);
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-reasons"));
    srv_reply_free(&r);
}

Test(akismet, discard_only_above_the_threshold)
{
    cfg.discard = 1.0;
    srv_reply r;
    call(EP_COMMENT_CHECK, SPAM, NULL, &r);
    cr_assert_str_eq(r.body, "true");
    cr_assert_null(srv_reply_get_header(&r, "X-akismet-pro-tip"));
    srv_reply_free(&r);
}

Test(akismet, held_comment_follows_hold_as)
{
    srv_reply r;
    const char *unknown = "blog=b&user_ip=1.2.3.4&comment_content=lorem+ipsum+dolor";
    call(EP_COMMENT_CHECK, unknown, NULL, &r);
    cr_assert_str_eq(srv_reply_get_header(&r, "X-kindly-verdict"), "hold");
    cr_assert_str_eq(r.body, "false");
    srv_reply_free(&r);
    cfg.hold_is_spam = 1;
    answer_is(EP_COMMENT_CHECK, unknown, NULL, "true");
}

Test(akismet, administrator_and_honeypot)
{
    srv_reply r;
    answer_is(EP_COMMENT_CHECK, SPAM "&user_role=administrator", NULL, "false");
    /* the plugin joins a user's roles with commas (a multisite super admin) */
    answer_is(EP_COMMENT_CHECK, SPAM "&user_role=administrator%2Csuper_admin", NULL, "false");
    answer_is(EP_COMMENT_CHECK, SPAM "&user_role=editor%2C%20administrator", NULL, "false");
    call(EP_COMMENT_CHECK, SPAM "&user_role=administrators%2Cnot_administrator", NULL, &r);
    cr_assert_str_eq(r.body, "true", "only the role itself");
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, HAM "&honeypot_field_name=hp&hp=gotcha", NULL, &r);
    cr_assert_str_eq(r.body, "true");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-akismet-pro-tip"), "discard");
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, HAM "&honeypot_field_name=hp&hp=", NULL, &r);
    cr_assert_str_eq(r.body, "false", "an empty honeypot is a human");
    srv_reply_free(&r);
}

Test(akismet, missing_required_fields_are_invalid_with_debug_help)
{
    srv_reply r;
    call(EP_COMMENT_CHECK, "user_ip=1.2.3.4&comment_content=hi", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert(strstr(srv_reply_get_header(&r, "X-akismet-debug-help"), "blog"));
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, "blog=b&comment_content=hi", NULL, &r);
    cr_assert(strstr(srv_reply_get_header(&r, "X-akismet-debug-help"), "user_ip"));
    srv_reply_free(&r);
}

Test(akismet, malformed_form_is_400_and_other_content_types_415)
{
    srv_reply r;
    call(EP_COMMENT_CHECK, "blog=%zz", NULL, &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(srv_reply_get_header(&r, "X-akismet-debug-help"), "malformed form"));
    srv_reply_free(&r);
    srv_request q = { EP_COMMENT_CHECK, "{}", 2, NULL, "application/json", m, &cfg, NULL, NULL };
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    srv_reply_free(&r);
    /* the media type, not a prefix of one; its parameters are fine */
    q.content_type = "application/x-www-form-urlencoded-but-not";
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    srv_reply_free(&r);
    q.body = "blog=b&user_ip=1&comment_content=hi";
    q.len = strlen(q.body);
    q.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    srv_reply_free(&r);
    /* a gzipped form is not read as a form ("Empty blog value", and a warning about bytes
     * that are not UTF-8): 415 naming the coding, with Accept-Encoding: identity */
    q.content_encoding = "gzip";
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 415);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-akismet-debug-help"),
                     "Content-Encoding 'gzip' is not supported: send the body as it is, without a Content-Encoding");
    cr_assert_str_eq(srv_reply_get_header(&r, "Accept-Encoding"), "identity");
    srv_reply_free(&r);
    q.content_encoding = "identity";
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    srv_reply_free(&r);
}

Test(akismet, keys_from_field_or_host_and_wrong_keys_refused)
{
    char kf[300];
    th_write(dir, "keys", "# comment\n  k1  \n\nk2\n", kf, sizeof kf);
    srv_keys *keys = NULL;
    char err[128];
    cr_assert_eq(srv_keys_load(&keys, kf, err, sizeof err), 0, "%s", err);
    cr_assert_eq(srv_keys_count(keys), 2);
    cfg.keys = keys;
    srv_reply r;
    answer_is(EP_COMMENT_CHECK, HAM, "k1.localhost:8080", "false");
    answer_is(EP_COMMENT_CHECK, HAM "&api_key=k2", "127.0.0.1:8080", "false");
    call(EP_COMMENT_CHECK, HAM, "nope.localhost:8080", &r);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert_not_null(srv_reply_get_header(&r, "X-akismet-debug-help"));
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, HAM, "127.0.0.1:8080", &r);
    cr_assert_str_eq(r.body, "invalid", "no key at all");
    srv_reply_free(&r);
    answer_is(EP_VERIFY_KEY, "key=k1&blog=b", NULL, "valid");
    answer_is(EP_VERIFY_KEY, "key=k3&blog=b", NULL, "invalid");
    /* a key in the host name: its case is not the key's (nginx's $host lowercases it); as a
     * field it is exact; verify-key reads it there too */
    th_write(dir, "keys2", "KEY123\n", kf, sizeof kf);
    srv_keys *upper = NULL;
    cr_assert_eq(srv_keys_load(&upper, kf, err, sizeof err), 0, "%s", err);
    cfg.keys = upper;
    answer_is(EP_COMMENT_CHECK, HAM, "key123.rest.akismet.com", "false");
    answer_is(EP_COMMENT_CHECK, HAM "&api_key=key123", NULL, "invalid");
    answer_is(EP_VERIFY_KEY, "blog=b", "Key123.localhost", "valid");
    answer_is(EP_VERIFY_KEY, "blog=b", "KEY%3123.localhost", "valid"); /* %31 is "1" */
    answer_is(EP_COMMENT_CHECK, HAM, "key12%33.localhost", "false");
    cfg.keys = keys;
    srv_keys_free(upper);
    /* a key that is not ASCII, sent by a blog in another charset, is compared decoded */
    th_write(dir, "keys3", "cl\xC3\xA9" "42\n", kf, sizeof kf);
    srv_keys *accented = NULL;
    cr_assert_eq(srv_keys_load(&accented, kf, err, sizeof err), 0, "%s", err);
    cfg.keys = accented;
    answer_is(EP_COMMENT_CHECK, HAM "&api_key=cl%E942&blog_charset=ISO-8859-1", NULL, "false");
    answer_is(EP_VERIFY_KEY, "key=cl%E942&blog=b&blog_charset=ISO-8859-1", NULL, "valid");
    answer_is(EP_COMMENT_CHECK, HAM "&api_key=cl%E943&blog_charset=ISO-8859-1", NULL, "invalid");
    /* the key's own bytes, whatever the charset says: both endpoints agree */
    answer_is(EP_COMMENT_CHECK, HAM "&api_key=cl%C3%A942&blog_charset=ISO-8859-1", NULL, "false");
    answer_is(EP_VERIFY_KEY, "key=cl%C3%A942&blog=b&blog_charset=ISO-8859-1", NULL, "valid");
    cfg.keys = keys;
    srv_keys_free(accented);
    call(EP_VERIFY_KEY, "key=k1", NULL, &r); /* as Akismet: a key is verified for a blog */
    cr_assert_str_eq(r.body, "invalid");
    cr_assert_str_eq(srv_reply_get_header(&r, "X-akismet-debug-help"), "Empty \"blog\" value");
    srv_reply_free(&r);
    cfg.keys = NULL;
    srv_keys_free(keys);
    cr_assert_eq(srv_keys_load(&keys, "/nonexistent/keys", err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/keys"));
}

Test(akismet, request_key_rules)
{
    srv_form f = SRV_FORM_INIT;
    char buf[64];
    cr_assert_str_eq(akismet_request_key(&f, "abc.rest.akismet.com", buf, sizeof buf), "abc");
    cr_assert_str_eq(akismet_request_key(&f, "abc.localhost:9000", buf, sizeof buf), "abc");
    cr_assert_null(akismet_request_key(&f, "localhost:9000", buf, sizeof buf));
    cr_assert_null(akismet_request_key(&f, "127.0.0.1:9000", buf, sizeof buf));
    cr_assert_null(akismet_request_key(&f, "[::1]:9000", buf, sizeof buf));
    cr_assert_null(akismet_request_key(&f, ".x", buf, sizeof buf));
    cr_assert_null(akismet_request_key(&f, NULL, buf, sizeof buf));
    /* the host's %-escapes are its octets (RFC 3986, 3.2.2: a UTF-8 name is written so):
     * the key is read decoded; a NUL is in no key */
    cr_assert_str_eq(akismet_request_key(&f, "k%31.localhost", buf, sizeof buf), "k1");
    cr_assert_str_eq(akismet_request_key(&f, "cl%C3%A942.localhost", buf, sizeof buf), "cl\xC3\xA9" "42");
    cr_assert_str_eq(akismet_request_key(&f, "a%2eb.localhost", buf, sizeof buf), "a.b");
    cr_assert_null(akismet_request_key(&f, "k%00.localhost", buf, sizeof buf));
}

/* A key longer than the buffer is not cut to fit: "KEY" + anything is not KEY. */
Test(akismet, an_over_long_form_key_is_refused_not_truncated)
{
    char body[256], err[128], buf[16];
    snprintf(body, sizeof body, "api_key=%s&comment_content=x", "0123456789abcdefATTACKER");
    srv_form f = SRV_FORM_INIT;
    cr_assert_eq(form_parse(body, strlen(body), &f, err, sizeof err), 0);
    cr_assert_null(akismet_request_key(&f, "abc.localhost", buf, sizeof buf));
    form_free(&f);
    snprintf(body, sizeof body, "key=%s", "0123456789abcde"); /* 15 bytes and the NUL: fits */
    cr_assert_eq(form_parse(body, strlen(body), &f, err, sizeof err), 0);
    cr_assert_str_eq(akismet_request_key(&f, NULL, buf, sizeof buf), "0123456789abcde");
    form_free(&f);
}

/* verify-key with a key over SRV_KEY_MAX bytes: with --keys, invalid, and the debug help says
 * why, not that the key is empty (it was: a client checking its configuration was told to
 * send a key it had sent); without --keys, valid, as any other key is there, and as
 * comment-check takes it (it was invalid: verify-key and comment-check disagreed) */
Test(akismet, verify_key_names_an_over_long_key)
{
    char body[400], kf[300], err[128];
    snprintf(body, sizeof body, "key=%0300d&blog=b", 7);
    srv_reply r;
    answer_is(EP_VERIFY_KEY, body, NULL, "valid");
    th_write(dir, "keys", "k1\n", kf, sizeof kf);
    srv_keys *keys = NULL;
    cr_assert_eq(srv_keys_load(&keys, kf, err, sizeof err), 0, "%s", err);
    cfg.keys = keys;
    call(EP_VERIFY_KEY, body, NULL, &r);
    cr_assert_str_eq(r.body, "invalid");
    const char *help = srv_reply_get_header(&r, "X-akismet-debug-help");
    cr_assert(help && strstr(help, "longer than 255 bytes"), "%s", help ? help : "(none)");
    srv_reply_free(&r);
    cfg.keys = NULL;
    srv_keys_free(keys);
    call(EP_VERIFY_KEY, "key=&blog=b", NULL, &r); /* an empty one is still empty */
    cr_assert_str_eq(srv_reply_get_header(&r, "X-akismet-debug-help"), "Empty \"key\" value");
    srv_reply_free(&r);
}

Test(akismet, fields_map_to_the_comment)
{
    srv_form f;
    char err[64];
    const char *b = "comment_author=Ann&comment_author_email=a%40x.org&comment_author_url=http%3A%2F%2Fx.org"
                    "&user_ip=1.2.3.4&user_agent=UA&permalink=http%3A%2F%2Fb%2Fp1&comment_date_gmt=2024-01-01"
                    "&comment_content=hello&referrer=r&blog_lang=en";
    cr_assert_eq(form_parse(b, strlen(b), &f, err, sizeof err), 0);
    kd_comment c;
    akismet_comment(&f, &c);
    cr_assert_str_eq(c.author, "Ann");
    cr_assert_str_eq(c.email, "a@x.org");
    cr_assert_str_eq(c.url, "http://x.org");
    cr_assert_str_eq(c.ip, "1.2.3.4");
    cr_assert_str_eq(c.agent, "UA");
    cr_assert_str_eq(c.post_id, "http://b/p1");
    cr_assert_str_eq(c.date, "2024-01-01");
    cr_assert_str_eq(c.text, "hello");
    form_free(&f);
    f = (srv_form)SRV_FORM_INIT;
    akismet_comment(&f, &c);
    cr_assert_str_eq(c.text, "", "no content is an empty comment");
    cr_assert_null(c.author);
}

Test(akismet, submissions_learn_and_is_test_does_not)
{
    kd_model_stats st;
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    uint64_t spam0 = st.spam_messages, ham0 = st.ham_messages;
    srv_reply r;
    answer_is(EP_SUBMIT_SPAM, HAM, NULL, "Thanks for making the web a better place.");
    answer_is(EP_SUBMIT_HAM, SPAM, NULL, "Thanks for making the web a better place.");
    answer_is(EP_SUBMIT_HAM, SPAM "&is_test=1", NULL, "Thanks for making the web a better place.");
    /* an empty comment (spaces, newlines) teaches no token but would shift the prior */
    call(EP_SUBMIT_SPAM, "blog=b&user_ip=10.0.0.3&comment_content=+%0A%0D%09+", NULL, &r);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert(strstr(srv_reply_get_header(&r, "X-akismet-debug-help"), "nothing to learn"));
    srv_reply_free(&r);
    /* and one blank beyond ASCII: a no-break space, \v, a zero-width space, &nbsp; */
    call(EP_SUBMIT_HAM, "blog=b&user_ip=10.0.0.3&comment_content=%C2%A0%0B%E2%80%8B%26nbsp%3B", NULL, &r);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert(strstr(srv_reply_get_header(&r, "X-akismet-debug-help"), "nothing to learn"));
    srv_reply_free(&r);
    cr_assert_eq(kd_model_stats_get(m, &st), 0);
    cr_assert_eq(st.spam_messages, spam0 + 1);
    cr_assert_eq(st.ham_messages, ham0 + 1);
    cfg.writable = 0;
    call(EP_SUBMIT_SPAM, HAM, NULL, &r);
    cr_assert_eq(r.status, 403);
    srv_reply_free(&r);
}

/* A check whose comment cannot be remembered (the model locked by a writer for too long, a
 * full disk: here a trigger refuses the insert) still gets its verdict, with a warning. */
Test(akismet, a_verdict_is_answered_when_remembering_fails)
{
    th_refuse_history(path);
    srv_reply r;
    call(EP_COMMENT_CHECK, SPAM, NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "true");
    const char *w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && strstr(w, "not remembered") && strstr(w, "full"), "%s", w ? w : "(no warning)");
    srv_reply_free(&r);
    call(EP_COMMENT_CHECK, SPAM "&is_test=1", NULL, &r); /* nothing to remember: no warning */
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-warning"));
    srv_reply_free(&r);
}

/* With --dup-threshold off a checked comment is not recorded: its unreadable date is not said
 * "remembered as of now", as it is with the stage on. */
Test(akismet, with_the_duplicates_stage_off_a_check_is_not_said_remembered)
{
    cfg.options.dup_threshold = -1;
    srv_reply r;
    call(EP_COMMENT_CHECK, HAM "&comment_date_gmt=yesterday", NULL, &r);
    cr_assert_eq(r.status, 200);
    const char *w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert_null(w, "%s", w);
    srv_reply_free(&r);
    cr_assert_eq(th_sql_int(path, "SELECT count(*) FROM history"), 0);
}

/* Without blog_charset the Content-Type's charset parameter says how to read the bytes. */
Test(akismet, content_type_charset_when_blog_charset_is_absent)
{
    srv_reply r;
    const char *body = "blog=b&user_ip=10.0.0.9&is_test=1&comment_content=caf%E9";
    srv_request q = { EP_COMMENT_CHECK, body, strlen(body), NULL,
                      "application/x-www-form-urlencoded; charset=ISO-8859-1", m, &cfg, NULL, NULL };
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-warning"), "read as windows-1252: no warning");
    srv_reply_free(&r);
    q.content_type = "application/x-www-form-urlencoded";
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    const char *w = srv_reply_get_header(&r, "X-kindly-warning");
    cr_assert(w && strstr(w, "not UTF-8"), "%s", w ? w : "(no warning)");
    srv_reply_free(&r);
    /* without a valid key the request gets no further than the key: nothing is decoded */
    char kf[300], err[128];
    th_write(dir, "keys", "k1\n", kf, sizeof kf);
    srv_keys *keys = NULL;
    cr_assert_eq(srv_keys_load(&keys, kf, err, sizeof err), 0, "%s", err);
    cfg.keys = keys;
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    cr_assert_str_eq(r.body, "invalid");
    cr_assert_null(srv_reply_get_header(&r, "X-kindly-warning"), "the form was decoded for a request without a key");
    srv_reply_free(&r);
    cfg.keys = NULL;
    srv_keys_free(keys);
}

/* Only a failed write falls back to a verdict without remembering: a caller's mistake (bad
 * options) is an error, not "not remembered". */
Test(akismet, only_a_failed_write_is_answered_without_remembering)
{
    kd_model *ro = NULL;
    cr_assert_eq(kd_model_open(&ro, path, KD_OPEN_READONLY), 0);
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1; /* on a read-only handle: the caller's mistake, refused */
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello";
    kd_result res;
    char warn[160] = "x";
    int rc = pool_classify(ro, &c, &o, &res, warn, sizeof warn);
    cr_assert_neq(rc, KD_OK, "remembering on a read-only handle was answered");
    cr_assert_str_eq(warn, "");
    kd_result_free(&res);
    kd_model_close(ro);
}

/* "discard" when the spam score is at or above --discard (README): at the comment's own score
 * exactly, it is said. */
Test(akismet, discard_at_the_threshold_exactly)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = "cheap viagra pills casino bonus buy now";
    c.ip = "10.0.0.1";
    kd_options o = cfg.options;
    kd_result res;
    cr_assert_eq(kd_classify(m, &c, &o, &res), 0, "%s", kd_model_error(m));
    cr_assert_eq(res.verdict, KD_VERDICT_SPAM);
    cfg.discard = res.spam_score;
    kd_result_free(&res);
    cfg.options.dup_threshold = -1; /* the score alone: no copy of an earlier check */
    srv_reply r;
    call(EP_COMMENT_CHECK, SPAM, NULL, &r);
    cr_assert_str_eq(r.body, "true");
    cr_assert_not_null(srv_reply_get_header(&r, "X-akismet-pro-tip"), "score %s at --discard %.17g",
                       srv_reply_get_header(&r, "X-kindly-spam-score"), cfg.discard);
    srv_reply_free(&r);
}
