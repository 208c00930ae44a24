/* test_english.c - the general-English word table: common words likelier than rare ones,
 * words it lacks at its floor, and the relevance key of a word (light stem). */
#include <criterion/criterion.h>
#include <string.h>

#include "english.h"
#include "stopwords.h"
#include "tokmap.h"

static uint64_t h(const char *w) { return kd_hash64(w, strlen(w)); }

Test(english, common_words_are_likelier)
{
    double the = kd_english_p(h("the")), car = kd_english_p(h("car"));
    double kindness = kd_english_p(h("kindness")), none = kd_english_p(h("matplotlib"));
    cr_assert_gt(the, car);
    cr_assert_gt(car, none);
    cr_assert_lt(the, 0.1);
    cr_assert_gt(the, 0.01);
    cr_assert_float_eq(none, kd_english_p(h("zzqxw-not-a-word")), 1e-15, "one floor for every unknown word");
    cr_assert_float_eq(kindness, none, 1e-15, "rarer than 20 per million: the floor");
    cr_assert_float_eq(none, 20e-6, 1e-12);
}

Test(english, word_keys_match_plurals_only)
{
    cr_assert_eq(kd_word_key("lists", h("lists")), h("list"));
    cr_assert_eq(kd_word_key("list", h("list")), h("list"));
    cr_assert_eq(kd_word_key("class", h("class")), h("class"), "-ss is no plural");
    cr_assert_eq(kd_word_key("focus", h("focus")), h("focus"), "-us is no plural");
    cr_assert_eq(kd_word_key("yes", h("yes")), h("yes"), "too short");
    cr_assert_eq(kd_word_key("mum's", h("mum's")), h("mum's"));
}

/* A word's family (its plural and its stem, as kd_word_key matches them) is one event for
 * relevance's post model, so general English gives the family one probability: the sum of
 * its words'. */
Test(english, a_stem_family_has_the_sum_of_its_words)
{
    double start = kd_english_p(h("start")), starts = kd_english_p(h("starts"));
    double none = kd_english_p(h("matplotlib"));
    cr_assert_gt(starts, none, "both words of the family are in the table");
    cr_assert_gt(start, starts);
    cr_assert_float_eq(kd_english_stem_p("start", h("start")), start + starts, 1e-9);
    cr_assert_float_eq(kd_english_stem_p("starts", h("starts")), start + starts, 1e-9);
    cr_assert_float_eq(kd_english_stem_p("class", h("class")), kd_english_p(h("class")), 1e-15,
                       "\"classs\" is no plural of it");
    cr_assert_float_eq(kd_english_stem_p("kindness", h("kindness")), none, 1e-15, "neither in the table: the floor");
    cr_assert_float_eq(kd_english_stem_p("matplotlibs", h("matplotlibs")), none, 1e-15);
    const char *longw = "pneumonoultramicroscopicsilicovolcanoconiosis-and-then-some-more-of-it";
    cr_assert_float_eq(kd_english_stem_p(longw, h(longw)), none, 1e-15, "longer than any word of the table");
}

/* The post counts a family's content words only: "others" without "other", "ones" without
 * "one", "doe" without "does" (stopwords). Its share of the post's count is
 * then all of it: with the stopword's probability in the family's, "others" kept 18% of the
 * post's uses, "ones" 4%. */
Test(english, a_stem_family_has_only_its_content_words)
{
    const char *w[] = {"others", "ones", "beings", "cans", "doe"};
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        cr_assert_float_eq(kd_english_stem_p(w[i], h(w[i])), kd_english_p(h(w[i])), 1e-15, "%s", w[i]);
}

Test(english, symbols_are_not_content_words)
{
    cr_assert(kd_content_word("kindness", h("kindness")));
    cr_assert(kd_content_word("caf\xC3\xA9", h("caf\xC3\xA9")));
    cr_assert_not(kd_content_word("\xF0\x9F\x99\x8C", h("\xF0\x9F\x99\x8C")), "emoji");
    cr_assert_not(kd_content_word("\xE2\x9D\xA4", h("\xE2\x9D\xA4")), "dingbat");
    cr_assert_not(kd_content_word("the", h("the")));
}

Test(english, british_spellings_are_the_same_word)
{
    /* SCOWL's British spellings of the table's words (tools/gen_english.py): one word, one
     * probability, above the floor */
    static const char *const pairs[][2] = {
        { "colour", "color" }, { "favourite", "favorite" }, { "realise", "realize" },
        { "centre", "center" }, { "behaviour", "behavior" }, { "organisation", "organization" },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        double b = kd_english_p(h(pairs[i][0])), a = kd_english_p(h(pairs[i][1]));
        cr_assert_float_eq(b, a, 1e-12, "%s %s", pairs[i][0], pairs[i][1]);
        cr_assert_gt(b, 20e-6, "%s", pairs[i][0]);
    }
}

/* english_words.inc carries each word's kd_hash64 (tools/gen_english.py computes it, so that
 * building the table at first use hashes nothing): every one is the word's. */
Test(english, the_table_carries_each_words_own_hash)
{
    static const struct { const char *w; int n; uint64_t h; } e[] = {
#define W(w, n, h, slot) { w, n, h },
#include "english_words.inc"
#undef W
    };
    size_t n = sizeof e / sizeof *e;
    cr_assert_gt(n, 3000);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(e[i].h, h(e[i].w), "%s: %#llx, kd_hash64 %#llx", e[i].w, (unsigned long long)e[i].h,
                     (unsigned long long)h(e[i].w));
        cr_assert_float_eq(kd_english_p(e[i].h), (double)(float)((double)e[i].n / (double)KD_ENGLISH_TOTAL), 0,
                           "%s", e[i].w);
    }
}

/* english.c compiles the table as the generator laid it out (tools/gen_english.py): each
 * word at the slot where an open-addressing lookup finds it, probing on from its hash's
 * slot over occupied slots only, and the table at most half full. */
Test(english, each_word_sits_where_a_lookup_probes)
{
    static const struct { uint64_t h; size_t slot; } e[] = {
#define W(w, n, h, slot) { h, slot },
#include "english_words.inc"
#undef W
    };
    enum { SLOTS = KD_ENGLISH_SLOTS };
    static uint64_t at[SLOTS];
    size_t n = sizeof e / sizeof *e;
    cr_assert_lt(2 * n, (size_t)SLOTS, "at most half full");
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(e[i].slot, (size_t)SLOTS);
        cr_assert_eq(at[e[i].slot], 0, "entry %zu: slot %zu given twice", i, e[i].slot);
        at[e[i].slot] = e[i].h;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = e[i].h & (SLOTS - 1); j != e[i].slot; j = (j + 1) & (SLOTS - 1))
            cr_assert_neq(at[j], 0, "entry %zu (%#llx): empty slot %zu before its slot %zu", i,
                          (unsigned long long)e[i].h, j, e[i].slot);
    cr_assert_float_eq(kd_english_p(0), (double)KD_ENGLISH_MIN / (double)KD_ENGLISH_TOTAL, 0, "no word hashes to 0");
    cr_assert_float_eq(kd_english_p(UINT64_MAX), (double)KD_ENGLISH_MIN / (double)KD_ENGLISH_TOTAL, 0,
                       "an unknown hash");
}
