/* test_relevance.c - the relevance stage: on-topic above off-topic, the post counts beyond
 * the site, unknown posts scored against the site, short comments near neutral, generic
 * praise (and with a link), the threshold and the hold verdict, the stage switched off; a
 * post's approved comments make it recognisable (learnt, unlearnt, not from spam). */
#include <criterion/criterion.h>

#include "helpers.h"
#include "kindly.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static kd_model *m;

static const char *ham[] = {
    "Thank you, the breathing exercise helped me sleep last night.",
    "Journaling three good things every evening has calmed my anxiety.",
    "My therapist suggested the same routine for sleep and worry.",
    "Grief comes in waves; the first year was the hardest for me.",
    "Walking every morning lifts my mood more than anything else.",
    "Self-compassion felt strange at first but it helps with the anxiety.",
};

static void setup(void)
{
    cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < sizeof ham / sizeof *ham; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = ham[i];
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    cr_assert_eq(kd_post_put(m, "sleep", "When anxiety keeps you awake",
                             "Anxiety and poor sleep feed each other. A breathing exercise, a worry journal "
                             "and a wind-down routine help the nervous system settle before bed."), 0);
    cr_assert_eq(kd_post_put(m, "grief", "The first year of grief",
                             "Grief after a loss does not follow stages. Anniversaries, birthdays and "
                             "ordinary Tuesdays bring waves of missing the person who died."), 0);
}
static void teardown(void) { kd_model_close(m); }
TestSuite(relevance, .init = setup, .fini = teardown);

static double rel(const char *post, const char *text, kd_result *out, const kd_options *o)
{
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = post;
    c.text = text;
    cr_assert_eq(kd_classify(m, &c, o, out), 0, "%s", kd_model_error(m));
    return out->relevance;
}

static double rel1(const char *post, const char *text)
{
    kd_result r;
    double v = rel(post, text, &r, NULL);
    kd_result_free(&r);
    return v;
}

Test(relevance, on_topic_above_off_topic)
{
    double on = rel1("sleep", "The worry journal before bed calmed my anxiety and I finally sleep better.");
    double off = rel1("sleep", "Dashboard light shaped like an engine came on, can I drive my car to the garage?");
    /* a site of six comments and two posts is weak evidence: off sits below neutral, not
     * near 0 (the benchmark's site of 13 posts and 300 comments is surer) */
    cr_assert_gt(on, off + 0.4, "on %f off %f", on, off);
    cr_assert_lt(off, 0.45, "off %f", off);
    cr_assert_geq(on, 0.0);
    cr_assert_leq(on, 1.0);
}

Test(relevance, own_post_beats_another_post)
{
    const char *t = "The breathing exercise and a wind-down routine help my nervous system before bed.";
    cr_assert_gt(rel1("sleep", t), rel1("grief", t));
}

Test(relevance, unknown_post_scored_against_the_site)
{
    double v = rel1("no-such-post", "Grief and anxiety both come in waves, journaling helps.");
    cr_assert_gt(v, 0.4, "%f", v);
    double w = rel1(NULL, "Football scores: United three, City nil, penalty in extra time.");
    cr_assert_lt(w, v);
}

Test(relevance, a_post_without_words_is_scored_as_an_unknown_post)
{
    cr_assert_eq(kd_post_put(m, "image-only", "", "<p><img src=\"walk.jpg\"></p>"), 0);
    const char *text = "Grief and anxiety both come in waves, journaling helps.";
    cr_assert_float_eq(rel1("image-only", text), rel1("no-such-post", text), 1e-12);
}

/* Whether the post was scored is in the result: relevance_post is 1 for an unknown post and
 * for a post the comment fits perfectly alike (--explain said "post 1.00" for a mistyped id). */
static int post_unknown(const char *post, const kd_options *o)
{
    kd_result r;
    rel(post, "Grief and anxiety both come in waves, journaling helps.", &r, o);
    int v = r.post_unknown;
    kd_result_free(&r);
    return v;
}

Test(relevance, the_result_says_whether_the_post_was_scored)
{
    cr_assert_eq(post_unknown("sleep", NULL), 0);
    cr_assert_eq(post_unknown(NULL, NULL), 0, "no post named: none unknown");
    cr_assert_eq(post_unknown("", NULL), 0);
    cr_assert_eq(post_unknown("no-such-post", NULL), 1);
    cr_assert_eq(kd_post_put(m, "retired", "", ""), 0);
    cr_assert_eq(post_unknown("retired", NULL), 2, "held, without words");
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = -1;
    cr_assert_eq(post_unknown("no-such-post", &o), 0, "relevance not computed");
}

Test(relevance, short_comments_stay_near_neutral)
{
    /* one unknown word: shrunk towards 0.5, not down to 0 */
    double v = rel1("sleep", "Hmm.");
    cr_assert_gt(v, 0.2, "%f", v);
    cr_assert_lt(v, 0.5, "%f", v);
    cr_assert_float_eq(rel1("sleep", "!!!"), 0.5, 1e-9, "no content word at all: neutral");
}

Test(relevance, generic_praise_is_generic_and_never_off_topic)
{
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = 0.99;
    kd_result r;
    rel("sleep", "Great post, thanks for sharing sir!", &r, &o);
    cr_assert_eq(r.generic, 1);
    cr_assert_eq(r.off_topic, 0);
    kd_result_free(&r);
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = "sleep";
    c.text = "Nice article, very informative";
    c.url = "https://cheap-pills.example.shop";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0);
    cr_assert_eq(r.generic, 2, "generic with an author URL");
    kd_result_free(&r);
    rel("sleep", "Thanks! My dog ate the sofa and the vet bill was huge.", &r, &o);
    cr_assert_eq(r.generic, 0, "says something of its own");
    kd_result_free(&r);
}

/* A reader's generic reply that names the one it answers is generic (it was held as off
 * topic: a name is in no vocabulary); a "name" the model has seen more in spam than in ham is
 * the spammer's product, and the reply stays what it was */
Test(relevance, generic_but_for_a_name_is_generic_unless_the_name_is_spam)
{
    static const char *spam[] = { "Buy Viagra online, cheap pills, casino bonus",
                                  "Bitcoin doubler: send 1 bitcoin, get 2 back",
                                  "Viagra and casino deals every day" };
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < sizeof spam / sizeof *spam; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = spam[i];
        cr_assert_eq(kd_train_add(m, &c, KD_SPAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = 0.99;
    kd_result r;
    const char *yes[] = { "Hang in there, Jo.", "Jo, hang in there", "Thank you, Sarah!", "Sending hugs, Mia x",
                          "Hang in there, O'Brien.", "Hang in there, Mary-Jane." };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        rel("grief", yes[i], &r, &o);
        cr_expect_eq(r.generic, 1, "%s", yes[i]);
        cr_expect_eq(r.off_topic, 0, "%s", yes[i]);
        kd_result_free(&r);
    }
    const char *no[] = { "Thanks, Viagra", "Great post, cheap pills", "Nice article, casino bonus",
                         "Thanks Bitcoin Doubler", "Thanks, Bitcoin",
                         /* either part of a name joined by a hyphen is vetted */
                         "Thanks, Mary-Viagra.", "Thanks, Bitcoin-Jo." };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        rel("grief", no[i], &r, &o);
        cr_expect_eq(r.generic, 0, "%s", no[i]);
        kd_result_free(&r);
    }
    /* with a link, a name's praise is the spam pattern, as any generic praise is */
    rel("grief", "Great post, Sarah! https://cheap-pills.example.shop", &r, &o);
    cr_expect_eq(r.generic, 2);
    kd_result_free(&r);
}

/* A model that has learnt spam and no ham yet (a site that reported spam first): a word it
 * has seen only in spam is seen more in spam than in ham, per message, whatever the totals
 * (spam * 0 ham messages > 0 ham * spam messages was false: "Thanks, Zyntrex" was generic) */
Test(relevance, a_name_seen_only_in_spam_is_no_name_without_ham)
{
    kd_model *s;
    cr_assert_eq(kd_model_open(&s, ":memory:", KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_train_begin(s), 0);
    static const char *spam[] = { "Buy Zyntrex now, cheap Zyntrex pills", "Zyntrex deals every day" };
    for (size_t i = 0; i < sizeof spam / sizeof *spam; i++) {
        kd_comment c = KD_COMMENT_INIT;
        c.text = spam[i];
        cr_assert_eq(kd_train_add(s, &c, KD_SPAM, 1), 0);
    }
    cr_assert_eq(kd_train_commit(s), 0);
    kd_comment c = KD_COMMENT_INIT;
    kd_result r;
    c.text = "Thanks, Zyntrex.";
    cr_assert_eq(kd_classify(s, &c, NULL, &r), 0, "%s", kd_model_error(s));
    cr_expect_eq(r.generic, 0, "a word seen only in spam is the product, not a name");
    kd_result_free(&r);
    c.text = "Thanks, Jo."; /* unseen: a name */
    cr_assert_eq(kd_classify(s, &c, NULL, &r), 0, "%s", kd_model_error(s));
    cr_expect_eq(r.generic, 1);
    kd_result_free(&r);
    kd_model_close(s);
}

Test(relevance, threshold_holds_off_topic_with_reason)
{
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = 0.45;
    kd_result r;
    rel("sleep", "Dashboard light shaped like an engine came on, can I drive my car to the garage?", &r, &o);
    cr_assert_eq(r.off_topic, 1);
    cr_assert_eq(r.verdict, KD_HOLD);
    int found = 0;
    for (size_t i = 0; i < r.nreasons; i++)
        found |= strncmp(r.reasons[i], "off_topic", 9) == 0;
    cr_assert(found);
    char *js = kd_result_json(NULL, &r);
    cr_assert_not_null(strstr(js, "\"relevance\":0."), "%s", js);
    free(js);
    kd_result_free(&r);
    o.offtopic_threshold = 0.0;
    rel("sleep", "Dashboard light shaped like an engine came on, can I drive my car to the garage?", &r, &o);
    cr_assert_eq(r.off_topic, 0, "threshold 0: never held");
    cr_assert_geq(r.relevance, 0.0);
    kd_result_free(&r);
}

/* A comment the rules vouch for (their scores sum below 0: a ham rule such as the default
 * CRISIS_SERVICE) is not held as off topic, whatever its words; its relevance is still
 * reported. A spam rule that outweighs the ham rule leaves it to the threshold again. */
Test(relevance, a_comment_the_rules_vouch_for_is_not_off_topic)
{
    static const char *text = "Dashboard light shaped like an engine came on, can I drive my car to the garage? "
                              "The helpline is 116 123.";
    char dir[256], path[512];
    th_tmpdir(dir, sizeof dir);
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = 0.45;
    kd_result r;
    rel("sleep", text, &r, &o); /* no rules */
    cr_assert_eq(r.off_topic, 1, "relevance %g", r.relevance);
    double alone = r.relevance;
    kd_result_free(&r);
    static const struct {
        const char *rules;
        int off_topic;
    } cases[] = {
        { "text HELPLINE /\\bhelpline\\b/i -1.5 a ham rule\n", 0 },
        { "text HELPLINE /\\bhelpline\\b/i -1.5 a ham rule\ntext CAR /\\bcar\\b/i 2.0 a spam rule\n", 1 },
        { "text CAR /\\bcar\\b/i 2.0 a spam rule\n", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kd_rules *rules = NULL;
        th_write(dir, "r.rules", cases[i].rules, path, sizeof path);
        cr_assert_eq(kd_rules_load(&rules, path), 0, "%s", kd_rules_error(rules));
        o.rules = rules;
        rel("sleep", text, &r, &o);
        cr_expect_eq(r.off_topic, cases[i].off_topic, "%s: rules %+g", cases[i].rules, r.rules_score);
        cr_expect_eq(r.relevance, alone, "the relevance is reported as it was");
        int reason = 0;
        for (size_t k = 0; k < r.nreasons; k++)
            reason |= strncmp(r.reasons[k], "off_topic", 9) == 0;
        cr_expect_eq(reason, cases[i].off_topic);
        kd_result_free(&r);
        kd_rules_free(rules);
    }
    /* a trusted author (allow: -20) is approved by score, but an allow entry vouches for the
     * author, not for the topic: still held off topic, as the README's allow row says */
    kd_rules *rules = NULL;
    th_write(dir, "r.rules", "allow author Jo\n", path, sizeof path);
    cr_assert_eq(kd_rules_load(&rules, path), 0, "%s", kd_rules_error(rules));
    o.rules = rules;
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = "sleep";
    c.text = text;
    c.author = "Jo";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0);
    cr_expect_lt(r.rules_score, -19);
    cr_expect_eq(r.rules_own_score, 0);
    cr_expect_eq(r.off_topic, 1);
    cr_expect_eq(r.verdict, KD_HOLD);
    kd_result_free(&r);
    kd_rules_free(rules);
    /* nor do a disallowed key (+20) and a moderation word (0) count in the rules' own sum */
    th_write(dir, "r.rules", "text HELPLINE /\\bhelpline\\b/i -1.5 a ham rule\ndisallow garage\nmoderate engine\n", path,
             sizeof path);
    cr_assert_eq(kd_rules_load(&rules, path), 0, "%s", kd_rules_error(rules));
    o.rules = rules;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0);
    cr_expect_gt(r.rules_score, 18);
    cr_expect_eq(r.rules_own_score, -1.5);
    cr_expect_eq(r.off_topic, 0, "the ham rule vouches");
    kd_result_free(&r);
    kd_rules_free(rules);
    th_rmrf(dir);
}

/* The reason's figure is below the threshold the comment fell below: a relevance of 0.2959
 * held at 0.30 reads "off_topic (relevance 0.29)", not "0.30". Each comment is held at the
 * hundredth just above its relevance; those whose relevance rounds up to it are the case. */
Test(relevance, the_reason_shows_a_relevance_below_the_threshold)
{
    static const char *texts[] = {
        "Dashboard light shaped like an engine came on, can I drive my car to the garage?",
        "The football match last night was great, what a goal",
        "My worry journal helps, but the anxiety at night is still there.",
        "Anniversaries are hard; grief came back in waves this spring.",
        "Which laptop should I buy for video editing?",
        "I tried the breathing exercise and slept a little better.",
        "Cheap flights to Spain this summer, anyone?",
        "Grief and sleep problems together, any advice?",
    };
    int rounded_up = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        kd_options o = KD_OPTIONS_INIT;
        double v = rel1("sleep", texts[i]);
        o.offtopic_threshold = ceil(v * 100) / 100;
        if (o.offtopic_threshold <= v || o.offtopic_threshold > 1)
            continue;
        rounded_up += v * 100 - floor(v * 100) >= 0.5;
        kd_result r;
        rel("sleep", texts[i], &r, &o);
        cr_assert_eq(r.off_topic, 1, "%s: %f", texts[i], v);
        const char *shown = NULL;
        for (size_t j = 0; j < r.nreasons; j++)
            if (!strncmp(r.reasons[j], "off_topic (relevance ", 21))
                shown = r.reasons[j] + 21;
        cr_assert_not_null(shown);
        cr_assert_lt(strtod(shown, NULL), o.offtopic_threshold, "relevance %f held at %.2f shown as %s", v,
                     o.offtopic_threshold, shown);
        kd_result_free(&r);
    }
    cr_assert_gt(rounded_up, 0, "no relevance here rounds up to its hundredth: choose other comments");
}

Test(relevance, negative_threshold_skips_the_stage)
{
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = -1;
    kd_result r;
    rel("sleep", "anything at all about cars", &r, &o);
    cr_assert_float_eq(r.relevance, -1.0, 1e-9);
    cr_assert_eq(r.off_topic, 0);
    kd_result_free(&r);
}

Test(relevance, default_threshold_is_set)
{
    kd_options o = KD_OPTIONS_INIT;
    cr_assert_gt(o.offtopic_threshold, 0.0);
    cr_assert_lt(o.offtopic_threshold, 0.5);
}

Test(relevance, symbols_and_emoji_are_no_words)
{
    cr_assert_float_eq(rel1("sleep", "\xF0\x9F\x99\x8C \xE2\x9D\xA4\xEF\xB8\x8F \xE2\x9C\xA8"), 0.5, 1e-9,
                       "emoji only: no content word, neutral");
}

Test(relevance, a_word_matches_its_plural)
{
    /* the post says "breathing exercise", the comment "exercises" */
    double v = rel1("sleep", "Breathing exercises");
    double w = rel1("grief", "Breathing exercises");
    cr_assert_gt(v, w, "%f %f", v, w);
}

/* The post counts "start" and "starts" as one stem; the comment's "starts" is no likelier
 * for that than "start" is: general English is asked for the stem too. It was scored
 * against the exact word, rarer than its stem, so the inflected form's ratio was inflated
 * ("starts" 0.92, "start" 0.84 on the shipped model with a post on starting habits). */
Test(relevance, an_inflected_form_counts_no_more_than_its_stem)
{
    cr_assert_eq(kd_post_put(m, "habits", "How to start a habit",
                             "Start small: one minute a day. Start again tomorrow if you miss a day."), 0);
    double start = rel1("habits", "What time does it start?");
    double starts = rel1("habits", "What time does it starts?");
    cr_assert_leq(starts, start, "starts %f start %f", starts, start);
}

/* A number is no word whatever its form: "7.5" or "1,000" as "7" (a price or a measurement
 * counted as a word the site never used, against the comment) */
Test(relevance, a_number_with_a_decimal_point_is_no_word)
{
    double whole = rel1("sleep", "I sleep 7 hours now, the journal cost 12 and a walk 1 mile");
    cr_assert_float_eq(rel1("sleep", "I sleep 7.5 hours now, the journal cost 12.99 and a walk 1,000 mile"), whole,
                       1e-12);
    cr_assert_float_eq(rel1("sleep", "I sleep 7.5 hours now"), rel1("sleep", "I sleep hours now"), 1e-12);
}

static void learn(const char *post, const char *text, kd_label label, int delta)
{
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = post;
    c.text = text;
    cr_assert_eq(kd_train_begin(m), 0);
    cr_assert_eq(kd_train_add(m, &c, label, delta), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_train_commit(m), 0, "%s", kd_model_error(m));
}

Test(relevance, approved_comments_join_their_post)
{
    cr_assert_eq(kd_post_put(m, "pandas", "Pandas tutorial", "Learn pandas."), 0);
    cr_assert_eq(kd_post_put(m, "sql", "SQL tutorial", "Learn SQL."), 0);
    const char *t = "My groupby on the dataframe drops the index column";
    double before_own = rel1("pandas", t), before_other = rel1("sql", t);
    cr_assert_float_eq(before_own, before_other, 1e-9, "no word of either post yet");

    learn("sql", "Joins on the index column are slow", KD_HAM, 1); /* "index", "column" on sql */
    learn("pandas", "Can groupby keep the dataframe index?", KD_SPAM, 1);
    double spam_own = rel1("pandas", t);
    cr_assert_lt(spam_own, rel1("sql", t), "spam is not part of a post");

    learn("pandas", "Use reset_index after a groupby on the dataframe", KD_HAM, 1);
    double own = rel1("pandas", t), other = rel1("sql", t);
    /* the margin is small: "index column" fits sql too, and with 4 posts a comment that fits
     * its post better than the average post keeps its site score (the posterior) */
    cr_assert_gt(own, other, "own %f other %f", own, other);
    cr_assert_gt(own, spam_own + 0.02, "own %f before %f", own, spam_own);

    learn("pandas", "Use reset_index after a groupby on the dataframe", KD_HAM, -1); /* undo */
    cr_assert_float_eq(rel1("pandas", t), spam_own, 1e-9, "unlearnt: as before");
}

Test(relevance, a_new_post_is_not_buried_by_a_post_with_many_comments)
{
    /* the posterior of the post among all posts only raises the post evidence: a post with
     * no approved comments yet keeps a comment that fits it, though an older post whose
     * comments use the same words fits it better */
    cr_assert_eq(kd_post_put(m, "walk", "Morning walks", "A walk in the morning sun lifts the mood."), 0);
    static const char *on_sleep[] = {
        "A morning walk helps my sleep and my mood.",      "Walking in the morning sun, then sleep comes easier.",
        "My mood lifts after a walk; anxiety at night less.", "Morning sun and a walk: better sleep for me.",
        "I walk every morning now and sleep through.",      "The walk lifts my mood before bed worries start.",
    };
    for (size_t i = 0; i < sizeof on_sleep / sizeof *on_sleep; i++)
        learn("sleep", on_sleep[i], KD_HAM, 1);
    const char *t = "A morning walk in the sun lifts my mood every day.";
    double walk = rel1("walk", t), grief = rel1("grief", t);
    cr_assert_gt(walk, 0.30, "walk %f", walk);
    cr_assert_gt(walk, grief + 0.1, "walk %f grief %f", walk, grief);
}

/* --- the breakdown: why a comment is (or is not) on topic ----------------------------------- */

/* The two factors multiply to the relevance, each within 0..1; an unknown post is the site
 * alone (its factor 1). The figures are what kd_relevance_run multiplies: equal, not close. */
Test(relevance, the_two_factors_multiply_to_the_relevance)
{
    static const struct { const char *post, *text; } cases[] = {
        { "sleep", "The worry journal before bed calmed my anxiety and I finally sleep better." },
        { "grief", "The worry journal before bed calmed my anxiety and I finally sleep better." },
        { "sleep", "Dashboard light shaped like an engine came on, can I drive my car to the garage?" },
        { "no-such-post", "Grief and anxiety both come in waves, journaling helps." },
        { NULL, "Football scores: United three, City nil, penalty in extra time." },
        { "sleep", "!!!" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kd_result r;
        rel(cases[i].post, cases[i].text, &r, NULL);
        cr_assert_eq(r.relevance, r.relevance_site * r.relevance_post, "%s: %.17g != %.17g x %.17g", cases[i].text,
                     r.relevance, r.relevance_site, r.relevance_post);
        cr_assert(r.relevance_site >= 0 && r.relevance_site <= 1, "%f", r.relevance_site);
        cr_assert(r.relevance_post >= 0 && r.relevance_post <= 1, "%f", r.relevance_post);
        if (!cases[i].post || !strcmp(cases[i].post, "no-such-post"))
            cr_assert_eq(r.relevance_post, 1.0, "an unknown post: the site alone");
        kd_result_free(&r);
    }
    /* the post part is what tells two posts apart: the site part is nearly the same */
    kd_result own, other;
    const char *t = "The breathing exercise and a wind-down routine help my nervous system before bed.";
    rel("sleep", t, &own, NULL);
    rel("grief", t, &other, NULL);
    cr_assert_gt(own.relevance_post, other.relevance_post, "%f %f", own.relevance_post, other.relevance_post);
    kd_result_free(&own);
    kd_result_free(&other);
}

/* Whether word is one of text's words (text lower case): the breakdown names the comment's
 * own words, not some other token of it (a pair, "a:", "#caps") */
static int is_word_of(const char *word, const char *text)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
        if ((p == text || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
            return 1;
    return 0;
}

/* One side of the breakdown: n words of text, each ratio of sign (+1 the site's, -1 against)
 * and within the clip, the strongest first. Whether one of them is must. */
static int check_side(const kd_relevance_word *w, size_t n, double sign, const char *text, const char *must)
{
    int found = 0;
    cr_assert_leq(n, KD_RELEVANCE_WORDS);
    for (size_t k = 0; k < n; k++) {
        cr_assert(is_word_of(w[k].word, text), "%s", w[k].word);
        cr_assert_gt(sign * w[k].ratio, 0, "%s %f", w[k].word, w[k].ratio);
        cr_assert_leq(sign * w[k].ratio, 5.0, "clipped as counted: %s %f", w[k].word, w[k].ratio);
        if (k)
            cr_assert_geq(sign * w[k - 1].ratio, sign * w[k].ratio, "strongest first: %s %s", w[k - 1].word,
                          w[k].word);
        found |= !strcmp(w[k].word, must);
    }
    return found;
}

/* The words for and against: the comment's content words, the site's with a ratio above 0
 * from the highest down, the others below 0 from the lowest up. "anxiety" is the site's
 * (its posts and comments use it), "carburettor" no word of it. */
Test(relevance, the_words_for_and_against_are_the_comments_words_by_their_ratio)
{
    const char *text = "my anxiety got worse when the carburettor broke down on the motorway, "
                       "sleep and breathing exercise helped with the worry journal";
    kd_result r;
    rel("sleep", text, &r, NULL);
    cr_assert_eq(r.nsite_words, KD_RELEVANCE_WORDS, "more than three of the site's words");
    cr_assert_gt(r.noffsite_words, 0);
    cr_assert(check_side(r.site_words, r.nsite_words, 1, text, "anxiety"), "anxiety is not among the site's words");
    cr_assert(check_side(r.offsite_words, r.noffsite_words, -1, text, "carburettor"),
              "carburettor is not among the words against");
    kd_result_free(&r);
}

/* With at most three words on each side the breakdown holds every content word, and their
 * ratios are the ones S averaged: S = logistic(SLOPE (sum + PRIOR PRIOR_RATIO) / (n + PRIOR)),
 * with relevance.c's SLOPE 3, PRIOR 3 and PRIOR_RATIO -0.5 (change them together). */
Test(relevance, the_words_are_the_ratios_the_site_part_averaged)
{
    kd_result r;
    rel("sleep", "Anxiety, carburettor.", &r, NULL);
    cr_assert_eq(r.nsite_words, 1);
    cr_assert_eq(r.noffsite_words, 1);
    cr_assert_str_eq(r.site_words[0].word, "anxiety");
    cr_assert_str_eq(r.offsite_words[0].word, "carburettor");
    double sum = r.site_words[0].ratio + r.offsite_words[0].ratio;
    cr_assert_float_eq(r.relevance_site, 1.0 / (1.0 + exp(-3.0 * (sum + 3.0 * -0.5) / (2 + 3.0))), 1e-12, "%f",
                       r.relevance_site);
    kd_result_free(&r);
}

/* A comment without a content word is not judged (S = 0.5): no word on either side. */
Test(relevance, a_comment_without_a_content_word_has_no_words)
{
    kd_result r;
    rel("sleep", "!!! \xF0\x9F\x99\x8C", &r, NULL);
    cr_assert_eq(r.nsite_words, 0);
    cr_assert_eq(r.noffsite_words, 0);
    cr_assert_float_eq(r.relevance_site, 0.5, 1e-12);
    kd_result_free(&r);
}

/* Not computed (the stage skipped): no factors (-1), no words. */
Test(relevance, a_skipped_stage_has_no_breakdown)
{
    kd_options o = KD_OPTIONS_INIT;
    o.offtopic_threshold = -1;
    kd_result r;
    rel("sleep", "anxiety and the carburettor", &r, &o);
    cr_assert_eq(r.relevance_site, -1.0);
    cr_assert_eq(r.relevance_post, -1.0);
    cr_assert_eq(r.nsite_words, 0);
    cr_assert_eq(r.noffsite_words, 0);
    kd_result_free(&r);
}

/* Whether s is valid UTF-8 (no overlong or surrogate check needed here: the cut is what is
 * tested, a sequence left without its continuation bytes) */
static int valid_utf8(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!n)
            return 0;
        for (int k = 1; k < n; k++)
            if ((p[k] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* The word against the site that a comment of one word n times ch (a character unknown to
 * the site) gives, with its repeat of keep times ch as it should be cut, and then the mark
 * of a cut word, "…" (U+2026), when keep < n. */
static void check_cut(const char *ch, int n, int keep)
{
    char text[128] = "", want[128] = "";
    for (int k = 0; k < n; k++)
        strcat(text, ch);
    for (int k = 0; k < keep; k++)
        strcat(want, ch);
    if (keep < n)
        strcat(want, "\xE2\x80\xA6");
    kd_result r;
    rel("sleep", text, &r, NULL);
    cr_assert_eq(r.noffsite_words, 1, "%s", text);
    cr_assert_str_eq(r.offsite_words[0].word, want);
    cr_assert(valid_utf8(r.offsite_words[0].word));
    kd_result_free(&r);
}

/* A word longer than the room (KD_RELEVANCE_WORD_SIZE - 1 bytes, 31) is cut to 28 bytes, or
 * at the character before when the 29th byte is inside one, and ends in "…" (3 bytes), so
 * that --explain shows it cut (it showed 31 bytes of it, unmarked, as if the comment had
 * held that word): NUL-terminated, valid UTF-8. The words are unknown to the site: the words
 * against it. */
Test(relevance, a_long_word_is_cut_at_a_character_boundary_and_marked)
{
    kd_result r;
    rel("sleep", "supercalifragilisticexpialidocious", &r, NULL); /* 34 bytes */
    cr_assert_eq(r.noffsite_words, 1);
    cr_assert_str_eq(r.offsite_words[0].word, "supercalifragilisticexpialid\xE2\x80\xA6");
    cr_assert_eq(strlen(r.offsite_words[0].word), KD_RELEVANCE_WORD_SIZE - 1);
    kd_result_free(&r);
    check_cut("\xC3\xA9", 17, 14);     /* "é", 2 bytes: 14 fit in 28 */
    check_cut("\xE1\x83\x90", 13, 9); /* Georgian "ა" (no case), 3 bytes: 9 fit, 27 bytes */
    check_cut("x", 31, 31);             /* exactly the room: whole, unmarked */
    check_cut("x", 32, 28);             /* a byte more: cut and marked */
}

/* One huge post (a pasted e-book, a long transcript) must not become the site's language: the
 * site's part of an on-topic comment on another post is the same whether a post about
 * investing has 346 content words or 3,406 (counted whole, they fell from 0.89 to 0.66 and
 * from 0.81 to 0.44). */
Test(relevance, a_huge_post_does_not_drown_the_other_posts)
{
    const char *one = "Index funds, dividend yields and bond ladders: a portfolio rebalanced every quarter "
                      "keeps brokerage fees and capital gains taxes low. ";
    static const char *const on[][2] = {
        { "sleep", "I sleep better since I started a routine at night." },
        { "grief", "My mother died last spring and the evenings are the hardest." },
    };
    size_t len = strlen(one);
    char *big = malloc(200 * len + 1);
    cr_assert_not_null(big);
    for (size_t i = 0; i < 200; i++)
        memcpy(big + i * len, one, len + 1);
    double site[2][2];
    for (int k = 0; k < 2; k++) {
        if (!k)
            big[20 * len] = '\0';
        else
            big[20 * len] = one[0];
        cr_assert_eq(kd_post_put(m, "investing", "Investing for beginners", big), 0);
        for (int c = 0; c < 2; c++) {
            kd_result r;
            rel(on[c][0], on[c][1], &r, NULL);
            site[c][k] = r.relevance_site;
            kd_result_free(&r);
        }
    }
    for (int c = 0; c < 2; c++) {
        cr_expect_float_eq(site[c][1], site[c][0], 0.002, "%s: %f, then %f", on[c][1], site[c][0], site[c][1]);
        cr_expect_gt(site[c][1], 0.5, "%s: %f", on[c][1], site[c][1]);
    }
    free(big);
}

/* Words of equal ratio (here four the site uses and English does not: each clipped at +5)
 * keep the order they came in: the breakdown shows the first three, in the comment's order
 * (a later word of the same ratio took the third place, or went ahead of an earlier one). */
Test(relevance, words_of_equal_ratio_keep_the_comments_order)
{
    cr_assert_eq(kd_train_begin(m), 0);
    kd_comment t = KD_COMMENT_INIT;
    t.text = "blorfen quazzle snorkix vintrel";
    cr_assert_eq(kd_train_add(m, &t, KD_HAM, 1), 0);
    cr_assert_eq(kd_train_commit(m), 0);
    kd_result r;
    rel(NULL, "vintrel snorkix quazzle blorfen", &r, NULL);
    cr_assert_eq(r.nsite_words, 3);
    const char *want[] = { "vintrel", "snorkix", "quazzle" };
    for (size_t k = 0; k < 3; k++) {
        cr_assert_str_eq(r.site_words[k].word, want[k], "place %zu", k);
        cr_assert_float_eq(r.site_words[k].ratio, 5.0, 1e-12, "%s: clipped", want[k]);
    }
    kd_result_free(&r);
}

/* "Off topic" is a relevance below the threshold: one exactly at it is on topic. */
Test(relevance, a_relevance_at_the_threshold_is_on_topic)
{
    kd_options o = KD_OPTIONS_INIT;
    kd_result r;
    const char *text = "my carburettor broke down on the motorway again";
    double v = rel("sleep", text, &r, &o);
    kd_result_free(&r);
    cr_assert_gt(v, 0);
    o.offtopic_threshold = v;
    rel("sleep", text, &r, &o);
    cr_assert_eq(r.off_topic, 0, "relevance %.17g at a threshold of %.17g", r.relevance, o.offtopic_threshold);
    kd_result_free(&r);
    o.offtopic_threshold = nextafter(v, 1.0);
    rel("sleep", text, &r, &o);
    cr_assert_eq(r.off_topic, 1, "relevance %.17g under a threshold of %.17g", r.relevance, o.offtopic_threshold);
    kd_result_free(&r);
}

/* A model with nothing of the site yet (no post, no ham) has no language to compare with: the
 * stage is not computed (relevance -1), and no comment is off topic. */
Test(relevance, a_model_with_no_site_text_does_not_judge_relevance)
{
    kd_model *empty = NULL;
    cr_assert_eq(kd_model_open(&empty, ":memory:", KD_OPEN_CREATE), 0);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "my carburettor broke down on the motorway again";
    kd_result r;
    cr_assert_eq(kd_classify(empty, &c, NULL, &r), 0, "%s", kd_model_error(empty));
    cr_assert_eq(r.relevance, -1.0, "%f", r.relevance);
    cr_assert_eq(r.off_topic, 0);
    kd_result_free(&r);
    kd_model_close(empty);
}

/* The post factor of a comment on post id whose only word is "zebra" (a model of its own). */
static double zebra_post_factor(kd_model *mm, const char *id)
{
    kd_comment c = KD_COMMENT_INIT;
    c.post_id = id;
    c.text = "zebra";
    kd_result r;
    cr_assert_eq(kd_classify(mm, &c, NULL, &r), 0, "%s", kd_model_error(mm));
    double v = r.relevance_post;
    kd_result_free(&r);
    return v;
}

/* A word of up to KD_POSTING_MAX (256) posts still tells the posts apart: "zebra", alone in
 * post z0 and among many words in the others, makes a comment "zebra" fit z0 better than z1.
 * In one post more (257) it is left out of the share, and z0 and z1 fit it alike. */
Test(relevance, a_word_of_256_posts_tells_posts_apart_of_257_does_not)
{
    for (int shared = 256; shared <= 257; shared++) {
        kd_model *mm = NULL;
        cr_assert_eq(kd_model_open(&mm, ":memory:", KD_OPEN_CREATE), 0);
        char id[32], text[256];
        for (int i = 0; i < 300; i++) {
            snprintf(id, sizeof id, "z%d", i);
            if (i == 0)
                snprintf(text, sizeof text, "zebra");
            else
                snprintf(text, sizeof text, "%s alpha%d bravo%d charlie%d delta%d echo%d foxtrot%d golf%d",
                         i < shared ? "zebra" : "yak", i, i, i, i, i, i, i);
            cr_assert_eq(kd_post_put(mm, id, "", text), 0);
        }
        double z0 = zebra_post_factor(mm, "z0"), z1 = zebra_post_factor(mm, "z1");
        if (shared == 256)
            cr_assert_gt(z0, z1 + 0.1, "in 256 posts: z0 %f z1 %f", z0, z1);
        else
            cr_assert_eq(z0, z1, "in 257 posts: z0 %.17g z1 %.17g", z0, z1);
        kd_model_close(mm);
    }
}
