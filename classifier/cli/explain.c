/*
 * explain.c - --explain: a comment's result as text for people (kindly score --explain,
 * kindly check --explain): the Bayes score and its log-odds, each rule that fired with its
 * description and how they add up, a campaign's share, the other reasons, relevance's two
 * factors and the words that weighed most for and against the site, the strongest tokens,
 * the final score and verdict. Everything a comment's author wrote (its id, its words) and a
 * rule file's names are escaped, so that a newline or a terminal's escape sequence neither
 * breaks the lines nor drives the terminal.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "combine.h"
#include "verdict.h" /* (internal: kd_decimals_below, as the reasons write a relevance) */

/* A comment's id (or a reason naming one: duplicate_of:ID), a rule's name or description in
 * --explain's text: its control characters as escapes (\n, \x1b, C1 as \u009b; kd_buf_line),
 * so that an id holding a newline or a terminal's escape sequence neither breaks the
 * breakdown's lines nor drives the terminal. */
static void explain_str(const char *s)
{
    kd_buf b = KD_BUF_INIT;
    fputs(kd_buf_line(&b, s, strlen(s)), stdout);
    kd_buf_free(&b);
}

/* The digits a threshold is shown with: two (0.30), or as many as it was given with, up to
 * six: --offtopic-threshold 0.375 rounded to 0.38 said "relevance 0.3791 on topic (0.38 or
 * above)", and 0.305 "relevance 0.3040 off topic (below 0.30)". */
static int threshold_digits(double t)
{
    int d = 2;
    for (double scale = 100; d < 6 && fabs(round(t * scale) / scale - t) > 1e-9; scale *= 10)
        d++;
    return d;
}

/* --explain's relevance: the figure, what it did (held below the threshold, or not), and
 * its two factors (relevance.c: the site's language times the post's part), or the site's
 * language alone when the comment's post was not scored, said so (none named, one the model
 * does not hold: a mistyped id, ids of another kind than the posts'; one without words: a
 * retired post), where "x post 1.00" read as a post the comment fits perfectly. */
static void explain_relevance(const kd_comment *c, const kd_result *res, double threshold)
{
    /* a relevance just under the threshold is not rounded up to it: 0.29996 said "relevance
     * 0.3000 off topic (below 0.30)" */
    int d = threshold_digits(threshold), rd = kd_decimals_below(res->relevance, threshold, 4, 0);
    printf("  relevance  %.*f  ", rd, res->relevance);
    if (res->generic)
        fputs("generic: never held as off topic", stdout);
    else if (res->rules_own_score < 0 && threshold > 0 && res->relevance < threshold)
        printf("below %.*f, not held: the rules vouch for it (%+.1f)", d, threshold, res->rules_own_score);
    else if (res->off_topic)
        printf("off topic (below %.*f)", d, threshold);
    else if (threshold > 0)
        printf("on topic (%.*f or above)", d, threshold);
    else
        fputs("never held (threshold 0)", stdout);
    if (!c->post_id || !*c->post_id) {
        printf(" = site language %.2f (no post named: scored against the site alone)\n", res->relevance_site);
        return;
    }
    if (!res->post_unknown) {
        printf(" = site language %.2f x post %.2f\n", res->relevance_site, res->relevance_post);
        return;
    }
    printf(" = site language %.2f (post '", res->relevance_site);
    explain_str(c->post_id);
    printf("' %s: scored against the site alone)\n",
           res->post_unknown == 1 ? "unknown to the model" : "has no words");
}

/* One side of the words: "sleep +3.2, anxiety +2.8", or "none". The words are the comment's
 * own text: escaped as an id is. */
static void explain_words_side(const kd_relevance_word *w, size_t n)
{
    if (!n)
        fputs("none", stdout);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", stdout);
        explain_str(w[i].word);
        printf(" %+.1f", w[i].ratio);
    }
}

/* --explain's words: those that weighed most for the site's language and against it (their
 * log ratio against general English), so that a moderator sees why a comment was held. */
static void explain_words(const kd_result *res)
{
    if (!res->nsite_words && !res->noffsite_words) {
        puts("  words      none for or against the site");
        return;
    }
    fputs("  words      the site's: ", stdout);
    explain_words_side(res->site_words, res->nsite_words);
    fputs("; not the site's: ", stdout);
    explain_words_side(res->offsite_words, res->noffsite_words);
    putchar('\n');
}

/* --explain: a readable breakdown of one result (the JSON's numbers, with the rules'
 * descriptions and how they add up in log-odds, and why relevance is what it is). */
void cli_explain(const kd_comment *c, const kd_result *res, const kd_rules *rules, double threshold)
{
    double p = res->bayes_score < 1e-4 ? 1e-4 : res->bayes_score > 1 - 1e-4 ? 1 - 1e-4 : res->bayes_score;
    explain_str(c->id ? c->id : "-");
    printf(": %s (spam_score %.4f)\n", kd_verdict_name(res->verdict), res->spam_score);
    printf("  bayes      %.4f  log-odds %+6.2f\n", res->bayes_score, log(p / (1 - p)));
    for (size_t i = 0; i < res->nrules; i++) {
        kd_rule_info info = { 0 };
        long k = kd_rules_find(rules, res->rules[i].name);
        if (k >= 0)
            kd_rules_info_get(rules, (size_t)k, &info);
        printf("  rule     %+8.2f  ", res->rules[i].score);
        explain_str(res->rules[i].name); /* a rule file's name and description: escaped too */
        if (info.description && *info.description) {
            fputs("  (", stdout);
            explain_str(info.description);
            putchar(')');
        }
        putchar('\n');
    }
    if (res->nrules)
        printf("  rules    %+8.2f  total%s\n", res->rules_score, res->rules_hold ? "; a moderation word holds it" : "");
    if (res->campaign >= 2) /* added to the log-odds too (combine.c): the final score's other step */
        printf("  campaign %+8.2f  %u authors or posts\n", kd_campaign_logodds(res->campaign), res->campaign);
    for (size_t i = 0; i < res->nreasons; i++) {
        const char *r = res->reasons[i];
        if (strncmp(r, "bayes=", 6) && strncmp(r, "rule:", 5) && strncmp(r, "token:", 6) && strncmp(r, "campaign:", 9)) {
            fputs("  other      ", stdout);
            explain_str(r);
            putchar('\n');
        }
    }
    if (res->relevance >= 0) {
        explain_relevance(c, res, threshold);
        explain_words(res);
    }
    for (size_t i = 0; i < res->ntop; i++)
        printf("%s%s %.2f (spam %u, ham %u)", i ? ", " : "  tokens     ", res->top[i].token, res->top[i].prob,
               res->top[i].spam, res->top[i].ham);
    if (res->ntop)
        putchar('\n');
    printf("  final      %.4f  -> %s\n", res->spam_score, kd_verdict_name(res->verdict));
}
