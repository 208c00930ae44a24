/*
 * test_generic.c - kd_generic(): which comments are generic praise, and which are not.
 *
 * Generic praise would fit any post on any site ("Great post, thanks!", "Well said."); a
 * comment with one word of its own is not generic; with a link or an author URL generic
 * praise is the spam pattern (2). Comments come through the real tokenizer, with the word
 * pairs and metadata tokens the classifier uses. kd_generic_text also reads the text: a name
 * addressed ("Hang in there, Jo.") or a sign-off of kisses is generic too (whether the name
 * is a name by the model's counts is classify.c's, tested in test_relevance.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "generic.h"
#include "kindly.h"
#include "tokenize.h"

static kd_tokens toks = KD_TOKENS_INIT;

static void teardown(void) { kd_tokens_free(&toks); }

TestSuite(generic, .fini = teardown);

/* toks: the tokens of a comment of text and an author website url (or NULL) */
static void tokenize(const char *text, const char *url)
{
    kd_tokenize_options o = KD_TOKENIZE_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    c.text = text;
    c.url = url;
    kd_tokens_clear(&toks);
    cr_assert_eq(kd_tokenize(&c, &o, &toks), 0);
}

static int generic(const char *text, const char *url)
{
    tokenize(text, url);
    return kd_generic(&toks);
}

/* kd_generic_text of text; *name: the token taken for a name (its parts joined by "-"), or "" */
static int generic_text(const char *text, const char *url, const char **name)
{
    static char joined[128];
    tokenize(text, url);
    size_t i[KD_GENERIC_NAME_PARTS];
    int g = kd_generic_text(&toks, text, i);
    cr_assert(i[0] != KD_GENERIC_NO_NAME || i[1] == KD_GENERIC_NO_NAME, "%s: a second part without a first", text);
    snprintf(joined, sizeof joined, "%s%s%s", i[0] == KD_GENERIC_NO_NAME ? "" : kd_tokens_str(&toks, i[0]),
             i[1] == KD_GENERIC_NO_NAME ? "" : "-", i[1] == KD_GENERIC_NO_NAME ? "" : kd_tokens_str(&toks, i[1]));
    *name = joined;
    return g;
}

Test(generic, praise_padded_with_filler_is_generic)
{
    const char *yes[] = { "Thanks!", "Great post, thanks for sharing sir!", "Nice article, very informative",
                          "Spot on.", "Great piece.", "Really thoughtful piece, thank you." };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_expect_eq(generic(yes[i], NULL), 1, "%s", yes[i]);
}

Test(generic, praise_phrases_of_two_filler_words_are_generic)
{
    const char *yes[] = { "Well said.", "Well done!", "Well put, sir.", "So true.", "Very true!!",
                          "Exactly this." };
    /* "true" after any adverb of degree agrees as "so true" does ("Really true 🙌" was not
     * generic, held as off topic on a two-word relevance score) */
    const char *agree[] = { "Really true \xF0\x9F\x99\x8C", "Too true.", "Absolutely true!", "Totally true",
                            "Quite true", "So very true" };
    for (size_t i = 0; i < sizeof agree / sizeof *agree; i++)
        cr_expect_eq(generic(agree[i], NULL), 1, "%s", agree[i]);
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_expect_eq(generic(yes[i], NULL), 1, "%s", yes[i]);
}

Test(generic, sympathy_and_agreement_are_generic)
{
    /* a reader's reply to the author or to another reader fits any post as praise does:
     * each was held as off topic on a relevance score of two or three words (issue 5) */
    const char *yes[] = { "Agreed", "Agreed.", "So relatable.", "Hugs to you.", "Hang in there.",
                          "Oh I love this.", "Yep. Been there.", "Truly uplifting.", "Thanks, this is comforting.",
                          "Nailed it, as always.", "Perfectly said \xF0\x9F\x91\x8F", "Sending hugs",
                          "Take care of yourself.", "Proud of you.", "Aww, thank you" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_expect_eq(generic(yes[i], NULL), 1, "%s", yes[i]);
    cr_expect_eq(generic("Hugs! https://cheap-pills.example.shop", NULL), 2, "with a link: the spam pattern");
}

Test(generic, sympathy_words_need_their_phrase_or_stay_words_of_their_own)
{
    /* "hang", "take", "care", "proud" are filler alone; the phrase is the sympathy. Bare
     * agreement ("Yup", "Yes") and "thinking of" are not generic: as praise they exempted SMS
     * chatter that was held ("Yup", "Thinking of u ;) x") */
    const char *no[] = { "Yup", "Yes", "Yup...", "Oh no.", "Take it or leave it", "Care.", "Proud.",
                         "Thinking of you.", "Hang on, I'll call you back", "I'll take care of the dog",
                         "Hugs to my nan in hospital" };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_expect_eq(generic(no[i], NULL), 0, "%s", no[i]);
}

Test(generic, filler_without_praise_is_not_generic)
{
    /* "well" and "said" are filler on their own: only the phrase praises */
    const char *no[] = { "Said it well.", "Done.", "True.", "Read the article", "Hello admin" };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_expect_eq(generic(no[i], NULL), 0, "%s", no[i]);
}

Test(generic, a_word_of_its_own_is_not_generic)
{
    const char *no[] = { "Well said, the breathing exercise helped me sleep.", "Thanks! My dog ate the sofa.",
                         "So true about grief coming in waves.", "the 4-7-8 breathing worked, thanks" };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_expect_eq(generic(no[i], NULL), 0, "%s", no[i]);
}

Test(generic, more_than_six_content_words_is_not_generic)
{
    cr_assert_eq(generic("Great post, nice article, lovely piece, thanks for sharing", NULL), 0);
    cr_assert_eq(generic("Great nice lovely post", NULL), 1);
    /* the limit exactly: six distinct content words are praise, a seventh is too many */
    cr_assert_eq(generic("Great post, nice article, lovely piece", NULL), 1);
    cr_assert_eq(generic("Great post, nice article, lovely piece, helpful", NULL), 0);
}

Test(generic, a_repeated_word_counts_once)
{
    /* seven content words but four distinct ones: the praise said again is the same
     * praise (a reader's "thank you thank you thank you" was held as off topic, and a
     * spammer's repeated "thanks" before a link escaped GENERIC_WITH_LINK) */
    cr_expect_eq(generic("Thank you thank you thank you so much, great post, keep sharing!", NULL), 1);
    cr_expect_eq(generic("Great great great nice nice nice lovely post", NULL), 1);
    cr_expect_eq(generic("thanks thanks thanks thanks thanks thanks thanks https://cheap-pills.example.shop", NULL),
                 2);
    /* distinct words still count to the limit, and a word of its own is still one */
    cr_expect_eq(generic("Thanks thanks, great post, nice article, lovely piece, helpful", NULL), 0);
    cr_expect_eq(generic("thanks thanks thanks thanks thanks thanks thanks football", NULL), 0);
}

Test(generic, with_a_link_or_an_author_url_it_is_the_spam_pattern)
{
    cr_assert_eq(generic("Well said! https://cheap-pills.example.shop", NULL), 2);
    cr_assert_eq(generic("Nice article, very informative", "https://cheap-pills.example.shop"), 2);
    cr_assert_eq(generic("My dog ate the sofa https://vet.example", NULL), 0, "a link alone is not praise");
}

Test(generic, no_words_at_all_is_not_generic)
{
    cr_assert_eq(generic("", NULL), 0);
    cr_assert_eq(generic("!!! \xf0\x9f\x99\x8c", NULL), 0);
}

Test(generic, a_name_addressed_at_either_end_is_generic)
{
    /* readers' replies to one another, each held as off topic before (a name is in no
     * vocabulary): the name is the one word of their own, written with a capital */
    static const struct { const char *text, *name; } yes[] = {
        { "Hang in there, Jo.", "jo" }, { "Jo, hang in there", "jo" }, { "Thank you, Sarah!", "sarah" },
        { "Thanks Dr. Patel, this helped.", "patel" }, { "Sending hugs, Mia x", "mia" },
        { "Love this, Katie.", "katie" }, { "Dr Patel, thanks", "patel" }, { "Take care, Zoë \xF0\x9F\x92\x9B", "zoë" },
        { "Well done you, Liam!", "liam" }, { "Great post McKenzie", "mckenzie" }, { "Thanks Jo <3", "jo" }, { "Jo <3, hang in there", "jo" },
        { "Hang in there, Jo. Hugs, Jo", "jo" }, /* the same name twice is one word */
        /* written with an apostrophe (one token) or a hyphen (two, joined in the text) */
        { "Hang in there, O'Brien.", "o'brien" }, { "Thanks Dr. O\u2019Neill, this helped.", "o'neill" },
        { "Thank you so much, D'Arcy!", "d'arcy" }, { "Hang in there, Mary-Jane.", "mary-jane" },
        { "Hugs, Anne-Marie x", "anne-marie" }, { "Jo-Anne, hang in there", "jo-anne" },
        { "Sending love, Jean-Luc.", "jean-luc" }, { "Thanks, Mary-Jane. Hugs, Mary-Jane", "mary-jane" },
        { "Thanks, Zo\u00eb-Anne.", "zoë-anne" },
        /* the full stop of a title ends no sentence: the name after it ends the comment */
        { "Great post Dr. Patel.", "patel" },
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        const char *name;
        cr_expect_eq(generic_text(yes[i].text, NULL, &name), 1, "%s", yes[i].text);
        cr_expect_str_eq(name, yes[i].name, "%s", yes[i].text);
    }
    /* without the text (kd_generic: the rules alone, no model to ask) no word is a name */
    cr_expect_eq(generic("Hang in there, Jo.", NULL), 0);
}

Test(generic, a_word_not_written_as_a_name_addressed_is_not_generic)
{
    const char *no[] = {
        "Great post, cheap pills",    /* lower case, and two words */
        "Nice article, casino bonus", /* the same */
        "Thanks Bitcoin Doubler",     /* two words of their own */
        "hang in there, jo.",         /* no capital: no evidence of a name */
        "HANG IN THERE, JO.",         /* all capitals: none either */
        "Jo hang in there",           /* first in the sentence (a capital anyway), no comma */
        "Thanks. Sarah",              /* the same */
        "Thanks Sarah for the tip",   /* "tip" is a word of its own */
        "Great Football post",        /* not at the end of its clause */
        "Thanks Jo and Sam!",         /* two names: two words */
        "Jo",                         /* a name and no praise */
        "Thanks Jo-Anne and Sam!",    /* a name of two parts and another name */
        "Thanks, Mary Jane.",         /* two words, not joined by a hyphen: not one name */
        "Thanks, Jo -",               /* a hyphen and no second part: "Jo" is not the name */
        "Thanks, mary-jane.",         /* no capital */
        "Great post, cheap-pills",    /* the same */
        "Bitcoin-Doubler, thanks Sam",/* three words of their own */
        "Thanks Mary! Hugs, Mary-Jane.", /* "Mary" ends its clause alone: "Jane" is a second name */
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        const char *name;
        cr_expect_eq(generic_text(no[i], NULL, &name), 0, "%s", no[i]);
    }
}

Test(generic, a_name_with_a_link_is_the_spam_pattern)
{
    const char *name;
    cr_assert_eq(generic_text("Great post, Sarah! https://cheap-pills.example.shop", NULL, &name), 2);
    cr_assert_str_eq(name, "sarah");
    cr_assert_eq(generic_text("Thank you, Sarah!", "https://cheap-pills.example.shop", &name), 2);
}

Test(generic, a_sign_off_of_kisses_is_filler)
{
    const char *name;
    const char *yes[] = { "Thanks xx", "Sending hugs xxx \xF0\x9F\x92\x9B", "Take care, Jo xx", "Hang in there x",
                          /* a heart after them, as after a name */
                          "Thanks xx <3", "Take care, Jo xx <3 <3" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_expect_eq(generic_text(yes[i], NULL, &name), 1, "%s", yes[i]);
    /* kisses that do not end the text are a word of their own */
    cr_expect_eq(generic_text("Thanks xx for that", NULL, &name), 0);
    cr_expect_eq(generic_text("xxx great post", NULL, &name), 0);
    cr_expect_eq(generic_text("Thanks xx <3 your product", NULL, &name), 0);
    cr_expect_eq(generic("Thanks xx", NULL), 0, "without the text");
}
