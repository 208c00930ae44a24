/* test_prefilter.c - required-literal extraction and the Aho-Corasick scan that lets the
 * rules stage skip patterns that cannot match; and the property that matters: a pattern
 * the prefilter skips never matches (checked against PCRE2 on the shipped rules). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "prefilter.h"
#include "rules.h"

static kd_prefilter *one(const char *pat)
{
    kd_prefilter *p;
    cr_assert_eq(kd_prefilter_new(&p), 0);
    cr_assert_eq(kd_prefilter_add(p, 0, pat, strlen(pat), 0), 1, "no literals for %s", pat);
    cr_assert_eq(kd_prefilter_build(p), 0);
    return p;
}

static int may(const kd_prefilter *p, const char *text)
{
    uint64_t hits[8] = { 0 };
    kd_prefilter_scan(p, text, strlen(text), hits);
    return kd_prefilter_may_match(p, 0, hits);
}

Test(prefilter, alternations_of_words)
{
    kd_prefilter *p = one("\\b(?:buy|order|cheap)\\b\\W+(?:\\w+\\W+){0,3}(?:xanax|valium)\\b");
    cr_assert_str_eq(kd_prefilter_literal(p, 0, 0), "buy");
    cr_assert(may(p, "Buy some XANAX now"));
    cr_assert_not(may(p, "order a pizza")); /* the drug clause is missing */
    cr_assert_not(may(p, "my valium prescription"));
    kd_prefilter_free(p);
}

Test(prefilter, optional_parts_are_not_required)
{
    kd_prefilter *p = one("\\bthanks?\\s+(?:you\\s+)?for\\s+sharing");
    cr_assert(may(p, "thank for sharing"));
    cr_assert(may(p, "THANKS YOU FOR SHARING"));
    cr_assert_not(may(p, "thanks for nothing"));
    kd_prefilter_free(p);
    p = one("\\bcures?\\b|\\bmiracle\\s+oil");
    cr_assert(may(p, "it cure it"));
    cr_assert(may(p, "miracle oil"));
    cr_assert_not(may(p, "miracle worker"));
    kd_prefilter_free(p);
}

Test(prefilter, classes_lookarounds_and_escapes)
{
    kd_prefilter *p = one("\\b[a-z0-9-]+\\.(?:xyz|top)\\b(?![.-])");
    cr_assert(may(p, "visit cheap.xyz today"));
    cr_assert_not(may(p, "the top of the hill"));  /* no "." */
    cr_assert(may(p, "the top of the hill."));      /* a superset: both literals occur */
    kd_prefilter_free(p);
    p = one("\\[(?:url|link)\\s*=");
    cr_assert(may(p, "[URL=http://x]"));
    cr_assert_not(may(p, "url = nothing"));
    kd_prefilter_free(p);
}

Test(prefilter, gives_up_on_what_it_does_not_model)
{
    kd_prefilter *p;
    kd_prefilter_new(&p);
    cr_assert_eq(kd_prefilter_add(p, 0, "(\\w+)\\s+\\1", 10, 0), 0);      /* backreference */
    cr_assert_eq(kd_prefilter_add(p, 1, "a b c", 5, 1), 0);                /* x flag */
    cr_assert_eq(kd_prefilter_add(p, 2, "\\d+", 3, 0), 0);                 /* nothing literal */
    cr_assert_eq(kd_prefilter_add(p, 3, "(?<name>abc)", 12, 0), 0);        /* named group */
    cr_assert_eq(kd_prefilter_add(p, 4, "x|abc", 5, 0), 0);                /* one weak branch */
    cr_assert_eq(kd_prefilter_build(p), 0);
    uint64_t hits[8] = { 0 };
    for (unsigned id = 0; id < 5; id++)
        cr_assert(kd_prefilter_may_match(p, id, hits), "unregistered %u must always run", id);
    kd_prefilter_free(p);
}

/* Every shipped text pattern, on every text of the project corpora: whenever PCRE2 finds a
 * match, the prefilter must have let the rule run. */
Test(prefilter, never_skips_a_match_of_the_shipped_rules)
{
    kd_rules *r = NULL;
    if (kd_rules_load(&r, "models/default.rules")) {
        kd_rules_free(r);
        cr_skip_test("run from the repository root (models/default.rules)");
    }
    const char *files[] = { "corpora/comments.csv", "corpora/sample.csv", "corpora/offtopic.csv",
                            "corpora/ontopic-wellness.csv", "corpora/crisis-lines.csv" };
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    size_t checked = 0, skipped = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        FILE *in = fopen(files[f], "r");
        cr_assert_not_null(in, "%s", files[f]);
        char line[65536];
        while (fgets(line, sizeof line, in)) {
            size_t n = strlen(line);
            int ascii = 1;
            for (size_t i = 0; i < n; i++)
                ascii &= (unsigned char)line[i] < 0x80;
            if (!ascii)
                continue;
            uint64_t hits[8] = { 0 }, all[8];
            kd_prefilter_scan(r->pre, line, n, hits);
            kd_prefilter_possible(r->pre, hits, all); /* what rules_eval.c reads */
            for (size_t i = 0; i < r->n; i++) {
                if (!r->rule[i].prefiltered)
                    continue;
                int m = pcre2_match(r->rule[i].re, (PCRE2_SPTR)line, n, 0, 0, md, NULL) >= 0;
                int run = kd_prefilter_may_match(r->pre, (unsigned)i, hits);
                cr_assert(run || !m, "%s matches but was skipped on: %s", r->rule[i].name, line);
                unsigned s = r->rule[i].pre_slot - 1;
                cr_assert_eq((int)(all[s / 64] >> (s % 64) & 1), run, "%s", r->rule[i].name);
                checked++;
                skipped += !run;
            }
        }
        fclose(in);
    }
    cr_assert_gt(checked, 1000);
    cr_assert_gt(skipped, checked / 2, "the prefilter should skip most patterns (%zu of %zu)", skipped, checked);
    pcre2_match_data_free(md);
    kd_rules_free(r);
}

/* kd_prefilter_possible, every pattern at once, says what kd_prefilter_may_match says of
 * each: over 64 patterns (two words of bits), registered in an order other than their ids',
 * with three clauses each, so that one alternative's clauses straddle two words of hits (the
 * clause-by-clause test) and the others fit in one (the mask). */
Test(prefilter, all_patterns_at_once_agree_with_each)
{
    kd_prefilter *p;
    cr_assert_eq(kd_prefilter_new(&p), 0);
    char pat[64], text[64];
    for (unsigned i = 0; i < 70; i++) {
        snprintf(pat, sizeof pat, "alpha%02u.*beta%02u.*gamma%02u", i, i, i);
        cr_assert_eq(kd_prefilter_add(p, 74 - i, pat, strlen(pat), 0), 1, "%s", pat);
    }
    cr_assert_eq(kd_prefilter_build(p), 0);
    cr_assert_eq(kd_prefilter_slots(p), 70);
    cr_assert_eq(kd_prefilter_slot(p, 74), 0);
    cr_assert_eq(kd_prefilter_slot(p, 5), 69);
    cr_assert_eq(kd_prefilter_slot(p, 4), -1);
    for (unsigned i = 0; i < 70; i++)
        for (int whole = 0; whole < 2; whole++) {
            if (whole)
                snprintf(text, sizeof text, "alpha%02u and beta%02u or gamma%02u", i, i, i);
            else
                snprintf(text, sizeof text, "alpha%02u and gamma%02u", i, i);
            uint64_t hits[8] = { 0 }, all[2];
            kd_prefilter_scan(p, text, strlen(text), hits);
            kd_prefilter_possible(p, hits, all);
            for (unsigned id = 5; id < 75; id++) {
                long s = kd_prefilter_slot(p, id);
                int run = kd_prefilter_may_match(p, id, hits);
                cr_assert_eq(run, id == 74 - i && whole, "%u on '%s'", id, text);
                cr_assert_eq((int)(all[s / 64] >> (s % 64) & 1), run, "%u on '%s'", id, text);
            }
        }
    kd_prefilter_free(p);
}

/* The two scans (literal by literal before kd_prefilter_build, the automaton after) give the
 * same hits: on every line of the project corpora, and on a text longer than the direct
 * scan's window, with literals placed across each window boundary. */
Test(prefilter, direct_scan_and_automaton_agree)
{
    kd_rules *r = NULL;
    if (kd_rules_load(&r, "models/default.rules")) {
        kd_rules_free(r);
        cr_skip_test("run from the repository root (models/default.rules)");
    }
    cr_assert_not(kd_prefilter_built(r->pre), "loading alone does not build the automaton");
    size_t words = kd_prefilter_words(r->pre);
    cr_assert(words > 0 && words <= 8);
    static char text[3][20000];
    static uint64_t direct[4000][8];
    size_t ntext = 0;
    const char *files[] = { "corpora/comments.csv", "corpora/sample.csv", "corpora/offtopic.csv" };
    char line[65536];
    static char lines[4000][512];
    for (size_t f = 0; f < 3; f++) {
        FILE *in = fopen(files[f], "r");
        cr_assert_not_null(in, "%s", files[f]);
        while (ntext < 4000 && fgets(line, sizeof line, in)) {
            size_t n = strnlen(line, sizeof lines[0] - 1);
            memcpy(lines[ntext], line, n);
            lines[ntext++][n] = '\0';
        }
        fclose(in);
    }
    /* long texts: ham filler with spam phrases straddling 4096-byte boundaries */
    for (int t = 0; t < 3; t++) {
        size_t n = 0;
        while (n + 40 < sizeof text[t] - 1)
            n += (size_t)snprintf(text[t] + n, sizeof text[t] - n, "%s", "quiet walk by the sea today, ");
        const char *phrase[] = { "BUY cheap Xanax", "no prescription", "online pharmacy" };
        for (size_t at = 4096 - 3 - (size_t)t * 5; at + 20 < n; at += 4096 - 63)
            memcpy(text[t] + at, phrase[t], strlen(phrase[t]));
    }
    for (size_t i = 0; i < ntext; i++)
        kd_prefilter_scan(r->pre, lines[i], strlen(lines[i]), direct[i]);
    uint64_t dlong[3][8] = { { 0 } };
    for (int t = 0; t < 3; t++)
        kd_prefilter_scan(r->pre, text[t], strlen(text[t]), dlong[t]);
    cr_assert_eq(kd_prefilter_build(r->pre), 0);
    cr_assert(kd_prefilter_built(r->pre));
    size_t nonzero = 0;
    for (size_t i = 0; i < ntext; i++) {
        uint64_t hits[8] = { 0 };
        kd_prefilter_scan(r->pre, lines[i], strlen(lines[i]), hits);
        cr_assert_arr_eq(hits, direct[i], words * sizeof *hits, "scans differ on: %s", lines[i]);
        for (size_t w = 0; w < words; w++)
            nonzero += hits[w] != 0;
    }
    for (int t = 0; t < 3; t++) {
        uint64_t hits[8] = { 0 };
        kd_prefilter_scan(r->pre, text[t], strlen(text[t]), hits);
        cr_assert_arr_eq(hits, dlong[t], words * sizeof *hits, "scans differ on long text %d", t);
        int any = 0;
        for (size_t w = 0; w < words; w++)
            any |= hits[w] != 0;
        cr_assert(any, "long text %d: the straddling phrase was not seen", t);
    }
    cr_assert_gt(nonzero, 100, "the corpora should hit some literals");
    kd_rules_free(r);
}

/* Whether the prefilter registers pat, and, when it does, that it never skips a text that
 * PCRE2 (UTF, caseless when asked) matches. */
static int sound_on(const char *pat, uint32_t opts, const char *const *texts, size_t ntexts)
{
    kd_prefilter *p;
    cr_assert_eq(kd_prefilter_new(&p), 0);
    int added = kd_prefilter_add(p, 0, pat, strlen(pat), 0);
    cr_assert(added == 0 || added == 1, "%s: %d", pat, added);
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts | PCRE2_UTF, &err, &at, NULL);
    cr_assert_not_null(re, "%s does not compile", pat);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    for (int built = 0; built < 2; built++) {
        if (built)
            cr_assert_eq(kd_prefilter_build(p), 0);
        for (size_t t = 0; t < ntexts; t++) {
            uint64_t hits[8] = { 0 };
            kd_prefilter_scan(p, texts[t], strlen(texts[t]), hits);
            int m = pcre2_match(re, (PCRE2_SPTR)texts[t], PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
            cr_assert(!m || kd_prefilter_may_match(p, 0, hits), "%s matches \"%s\" but was skipped", pat,
                      texts[t]);
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    kd_prefilter_free(p);
    return added;
}

/* These valid patterns made the extractor loop forever (a literal ']', '{' or '}', or a
 * POSIX class, was a step that did not advance): loading their rule file hung. */
Test(prefilter, literal_brackets_and_posix_classes_terminate, .timeout = 10)
{
    const char *texts[] = { "a]bc", "x{", "{{hello}}", "abc}", "Zabc", "abc", "nothing here" };
    const char *pats[] = { "a]bc", "x{", "{{.*}}", "abc}", "[[:alpha:]]abc", "]", "}", "{", "x{2,",
                           "ab{,3}cd", "[[:^digit:][:space:]]+abc", "[]abc]xyz", "[^]]+abc" };
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++)
        sound_on(pats[i], 0, texts, sizeof texts / sizeof *texts);
    /* a POSIX class is still a class: the literal after it is kept */
    cr_assert_eq(sound_on("[[:alpha:]]abc", 0, texts, 7), 1);
}

/* (*ACCEPT) ends a match before the literals after it; a (?#comment) lets the quantifier
 * after it apply to the atom before it. The extractor models neither: it must give up. */
Test(prefilter, verbs_and_comments_are_not_modelled)
{
    const char *texts[] = { "hello abc there", "A without", "ab", "xyz", "(*", "abcxyz" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("abc(*ACCEPT)xyz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("AB(?#c)??", PCRE2_CASELESS, texts, nt), 0);
    cr_assert_eq(sound_on("(*UCP)abc", 0, texts, nt), 0);
    sound_on("(?:abc(*COMMIT)|xyz)", 0, texts, nt); /* "abc" precedes the verb: may be kept */
    cr_assert_eq(sound_on("abc(?R)?xyz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("abc(?C1)xyz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("(?i)abc", 0, texts, nt), 1); /* option settings are still modelled */
}

/* An escaped non-ASCII character took its first byte into the literal before it, and the
 * '?' after it was not seen: "caf\é?s" required "caf\xC3" and skipped "cafs"; a caseless
 * "\Ω" required Ω's first byte, which ω does not have. */
Test(prefilter, escaped_non_ascii_characters_are_stepped_over)
{
    const char *texts[] = { "I love the cafs downtown", "café", "ω is a Greek letter", "Ω", "xΩyz", "xωyz" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("caf\\é?s\\b", 0, texts, nt), 1);
    cr_assert_eq(sound_on("\\Ω", PCRE2_CASELESS, texts, nt), 0);
    cr_assert_eq(sound_on("(?i)x\\Ωyz", 0, texts, nt), 1); /* "x" alone is too weak; "yz" is kept */
    cr_assert_eq(sound_on("x\\Ω+yz", PCRE2_CASELESS, texts, nt), 1);
}

/* A group none of whose literals the extractor can use is stepped over; a (*ACCEPT) inside
 * it ends the match there, so the literals after the group are not required. */
Test(prefilter, accept_inside_a_stepped_over_group)
{
    const char *texts[] = { "this is free", "xyzzy", "free yzzy" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("(?:free(*ACCEPT)|x)yzzy", 0, texts, nt), 0);
    cr_assert_eq(sound_on("(?:a|(?:b(*ACCEPT)))yzzy", 0, texts, nt), 0);
    cr_assert_eq(sound_on("[(*]yzzy", 0, texts, nt), 1); /* "(*" inside a class is no verb */
}

/* A '\' that ends the pattern (quoted by \Q) made the split into top-level alternatives
 * step past the end and drop the last alternative: "abcd|\Q\" required "abcd" and was
 * skipped on "\" (found by tests/fuzz/fuzz_prefilter.c). */
Test(prefilter, a_backslash_at_the_end_keeps_the_last_alternative)
{
    const char *texts[] = { "\\", "a \\ b", "abcd", "xyz\\" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("abcd|\\Q\\", 0, texts, nt), 0);
    cr_assert_eq(sound_on("abcd|xyz\\Q\\", 0, texts, nt), 0);
    cr_assert_eq(sound_on("\\Q\\", 0, texts, nt), 0); /* nothing to register: not prefiltered */
}

/* \cX is one character whatever X is: "[\c]ab[c]" is a single class and "\c)" does not
 * close a group. Read as "\c" and a ']' or ')', the class or group ended early and what
 * followed became required: "[\c]ab[c]" required "ab" and was skipped on "c", and
 * "(?:\c)abcd(?=x\c())?", which can match the empty string, required "abcd" (found by
 * tests/fuzz/fuzz_prefilter.c). */
Test(prefilter, control_escapes_take_the_next_character)
{
    const char *texts[] = { "c", "q", "[", "\x1d", "ab\tabcd" };
    size_t nt = sizeof texts / sizeof *texts;
    sound_on("[\\c]ab[c]", 0, texts, nt);
    sound_on("[\\c]\r[c]", 0, texts, nt);
    sound_on("(?:\\c)abcd(?=x\\c())?", 0, texts, nt);
}

/* Inside a class, "[:" starts a POSIX class only when ":]" comes before any ']' (PCRE2's
 * check_posix_syntax): "[[:]|:]]" is the class [[:] then "|:]]", an alternation; read as one
 * class it hid the '|', and "\\[[:]|:]]" required a "\" that ":]]" does not have (found
 * by tests/fuzz/fuzz_prefilter.c). */
Test(prefilter, posix_class_syntax_as_pcre2_reads_it)
{
    const char *texts[] = { "[[:]|:]]", "x:]]", ":]]", "\\:", "abc" };
    size_t nt = sizeof texts / sizeof *texts;
    sound_on("\\\\[[:]|:]]", 0, texts, nt);
    sound_on("abc[[:]|:]]", 0, texts, nt);
    cr_assert_eq(sound_on("[[:alpha:]]abc", 0, texts, nt), 1); /* still a POSIX class */
}

/* A '(' or ')' inside a (?#comment), a (?C"string") callout or \Q... is no group: counted
 * as one inside a lookahead that walk() steps over, it moved the lookahead's end, and
 * "(?=q(?#()x)|abcd\Q)zzzz" (a lookahead, or "abcd)zzzz") required "zzzz" and was skipped
 * on "qx". The extractor gives up on such patterns wherever those constructs stand. */
Test(prefilter, parentheses_in_comments_callouts_and_quotes)
{
    const char *texts[] = { "qx", "abcd)zzzz", "zzzz" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("(?=q(?#()x)|abcd\\Q)zzzz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("(?=q(?C\"(\")x)|abcd(?=(?C\")\"))zzzz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("(?=q(?C1)x)zzzz", 0, texts, nt), 0);
    cr_assert_eq(sound_on("[(?#]zzzz", 0, texts, nt), 1); /* in a class, "(?#" is no comment */
}

/* PCRE2 ignores a \E outside \Q...: a quantifier after it applies to the character before
 * it. In a group, the first literal was taken whole: "(?:abcd\E?|zzzz)" required "abcd" or
 * "zzzz" and was skipped on "abc" (found by reviewing what the fuzzer could not reach,
 * confirmed with tests/fuzz/fuzz_prefilter.c). */
Test(prefilter, a_lone_backslash_e_lets_a_quantifier_through)
{
    const char *texts[] = { "abc", "xabcx", "zzzz" };
    size_t nt = sizeof texts / sizeof *texts;
    cr_assert_eq(sound_on("(?:abcd\\E?|zzzz)", 0, texts, nt), 0);
    cr_assert_eq(sound_on("abcd\\E{0}", 0, texts, nt), 0);
}

/* The saved form (compiled rule files) registers what the pattern registered: the same
 * saved form again, the same verdicts; and bytes that are not such a form register nothing. */
Test(prefilter, saved_forms_register_what_the_pattern_did)
{
    static const char *pats[] = {
        "\\b(?:buy|order|cheap)\\b\\W+(?:\\w+\\W+){0,3}(?:xanax|valium)\\b",
        "\\bthanks?\\s+(?:you\\s+)?for\\s+sharing",
        "\\bcures?\\b|\\bmiracle\\s+oil",
        "\\bcasino\\b|\\bpoker\\s+online|lottery\\s+winner|jackpot|(?:viagra|cialis)\\s+(?:online|cheap)\\s+pharmacy",
    };
    static const char *texts[] = { "Buy some XANAX now", "thank for sharing", "miracle oil", "cialis cheap pharmacy", "poker night", "nothing" };
    size_t np = sizeof pats / sizeof *pats;
    kd_prefilter *a, *b;
    cr_assert_eq(kd_prefilter_new(&a), 0);
    cr_assert_eq(kd_prefilter_new(&b), 0);
    for (unsigned i = 0; i < np; i++) {
        cr_assert_eq(kd_prefilter_add(a, i, pats[i], strlen(pats[i]), 0), 1, "%s", pats[i]);
        kd_buf s1 = KD_BUF_INIT, s2 = KD_BUF_INIT;
        cr_assert_eq(kd_prefilter_save(a, i, &s1), 0);
        cr_assert_eq(kd_prefilter_add_saved(b, i, (const unsigned char *)s1.s, s1.len), 1, "%s", pats[i]);
        cr_assert_eq(kd_prefilter_save(b, i, &s2), 0);
        cr_assert_eq(s1.len, s2.len, "%s", pats[i]);
        cr_assert(!memcmp(s1.s, s2.s, s1.len), "%s", pats[i]);
        /* cut short, one byte too many, a NUL in a literal: refused, nothing registered */
        kd_buf bad = KD_BUF_INIT;
        kd_buf_add(&bad, s1.s, s1.len);
        cr_assert_eq(kd_prefilter_add_saved(b, np + i, (const unsigned char *)bad.s, bad.len - 1), KD_EPARSE);
        kd_buf_putc(&bad, 0);
        cr_assert_eq(kd_prefilter_add_saved(b, np + i, (const unsigned char *)bad.s, bad.len), KD_EPARSE);
        bad.s[bad.len - 2] = 0;
        cr_assert_eq(kd_prefilter_add_saved(b, np + i, (const unsigned char *)bad.s, bad.len - 1), KD_EPARSE);
        kd_buf_free(&s1);
        kd_buf_free(&s2);
        kd_buf_free(&bad);
    }
    static const unsigned char unregistered[] = { 0 }, two[] = { 0, 0 }, badflag[] = { 2 };
    cr_assert_eq(kd_prefilter_add_saved(b, 2 * np, unregistered, 1), 0);
    cr_assert_eq(kd_prefilter_add_saved(b, 2 * np, two, 2), KD_EPARSE);
    cr_assert_eq(kd_prefilter_add_saved(b, 2 * np, badflag, 1), KD_EPARSE);
    cr_assert_eq(kd_prefilter_add_saved(b, 2 * np, unregistered, 0), KD_EPARSE);
    for (unsigned i = np; i <= 2 * np; i++) {
        kd_buf s = KD_BUF_INIT;
        cr_assert_eq(kd_prefilter_save(b, i, &s), 0);
        cr_assert(s.len == 1 && s.s[0] == 0, "id %u registered from a form refused", i);
        kd_buf_free(&s);
    }
    cr_assert_eq(kd_prefilter_build(a), 0);
    cr_assert_eq(kd_prefilter_build(b), 0);
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        uint64_t ha[8] = { 0 }, hb[8] = { 0 };
        kd_prefilter_scan(a, texts[t], strlen(texts[t]), ha);
        kd_prefilter_scan(b, texts[t], strlen(texts[t]), hb);
        for (unsigned i = 0; i < np; i++)
            cr_assert_eq(kd_prefilter_may_match(a, i, ha), kd_prefilter_may_match(b, i, hb), "%s / %s", pats[i],
                         texts[t]);
    }
    kd_prefilter_free(a);
    kd_prefilter_free(b);
}
