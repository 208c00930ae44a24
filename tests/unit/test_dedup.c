/* test_dedup.c - the duplicates stage through the public API: normalisation, exact and near
 * duplicates within one handle, scope, short texts, campaigns, the verdict. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dedup.h"
#include "helpers.h"
#include "kindly.h"

static kd_model *m;
static void setup(void) { cr_assert_eq(kd_model_open(&m, ":memory:", KD_OPEN_CREATE), 0); }
static void teardown(void) { kd_model_close(m); }
TestSuite(dedup, .init = setup, .fini = teardown);

static void classify(const char *id, const char *post, const char *author, const char *text, kd_result *r)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.post_id = post;
    c.author = author;
    c.text = text;
    cr_assert_eq(kd_classify(m, &c, NULL, r), 0, "%s", kd_model_error(m));
}

Test(dedup, normalisation_removes_what_a_reposter_changes)
{
    kd_buf a = KD_BUF_INIT, b = KD_BUF_INIT;
    cr_assert_eq(kd_dedup_normalize("Great   POST, thanks!! \xe2\x9d\xa4\xef\xb8\x8f see https://x.example/a?b", &a), 0);
    cr_assert_eq(kd_dedup_normalize("great post thanks\xe2\x80\x8b \xe2\x9d\xa4 see www.other.example", &b), 0);
    cr_assert_str_eq(a.s, "great post thanks see");
    cr_assert_str_eq(a.s, b.s);
    kd_buf_clear(&a);
    cr_assert_eq(kd_dedup_normalize("\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d", &a), 0); /* emoji only: kept */
    cr_assert_gt(a.len, 0);
    kd_buf_free(&a);
    kd_buf_free(&b);
}

/* A model file in a fresh directory (dir, 256 bytes): a writer, and a reader when r is set. */
static void file_models(char *dir, kd_model **w, kd_model **r)
{
    char path[300];
    th_tmpdir(dir, 256);
    snprintf(path, sizeof path, "%s/m.db", dir);
    cr_assert_eq(kd_model_open(w, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(*w));
    if (r)
        cr_assert_eq(kd_model_open(r, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(*r));
}

/* in, normalised for comparison, is want */
static void norm_is(const char *in, const char *want)
{
    kd_buf a = KD_BUF_INIT;
    cr_assert_eq(kd_dedup_normalize(in, &a), 0);
    cr_assert_str_eq(a.s, want, "%s", in);
    kd_buf_free(&a);
}

/* Links go wherever a word starts with one: after white space, "(" or a quote, at the start;
 * a word that merely contains "http" stays. Non-ASCII letters and spacing around dropped
 * emoji come out the same through the ASCII fast path and the slow one. */
Test(dedup, normalisation_drops_links_after_brackets_and_quotes)
{
    norm_is("https://a.example/x read (http://b.example) and \"www.c.example\" now", "read and now");
    norm_is("the whttp word and Hhttps stay", "the whttp word and hhttps stay");
    norm_is("Caf\xc3\xa9 \xf0\x9f\x98\x8a  \xf0\x9f\x98\x8a na\xc3\xafve \xf0\x9f\x98\x8a", "caf\xc3\xa9 na\xc3\xafve");
}

/* BBCode's links are links, as the tokenizer reads them ("[url=" and "[url]" before one, the
 * anchor text after its "]" words of the comment): a spammer's copies that vary the link are
 * one text, and "[url]...[/url]" alone is a comment of links only. */
Test(dedup, normalisation_drops_bbcode_links)
{
    norm_is("Nice post [url=https://a.example/x]cheap pills[/url] thanks", "nice post url cheap pills url thanks");
    norm_is("Nice post [url]https://a.example/x[/url] thanks", "nice post url thanks");
    norm_is("[url]https://www.a.example/x[/url] [URL]http://b.example[/URL]", "url a example x url url b example url");
}

/* Three authors posting one text to one post, each with another link (a, b or c between
 * before and after), are exact copies and a campaign, as with the link written bare after a space (before:
 * the link was words, each copy a near copy, and no link was seen: without one only posts
 * are counted, one) */
static void three_authors_link_one_text(const char *before, const char *after)
{
    static const char *const authors[] = { "ann", "bob", "cat" };
    kd_result r;
    for (int i = 0; i < 3; i++) {
        char text[256], id[8];
        snprintf(text, sizeof text, "%s%c%s", before, 'a' + i, after);
        snprintf(id, sizeof id, "b%d", i);
        classify(id, "p1", authors[i], text, &r);
        if (i) {
            cr_assert_str_eq(r.duplicate_of, "b0", "%s", text);
            cr_assert_float_eq(r.similarity, 1.0, 1e-9, "%s", text);
            cr_assert_eq(r.campaign, (unsigned)i + 1, "%s", text);
        }
        kd_result_free(&r);
    }
}

Test(dedup, a_bbcode_link_by_several_authors_on_one_post_is_a_campaign)
{
    three_authors_link_one_text(
        "Really helpful article, I will share it with my friends [url=https://pills.example/", "]cheap pills[/url]");
}

/* A link right after a phrase's punctuation or a character beyond ASCII is a link, as the
 * tokenizer reads it: Chinese writes one after a full-width colon or a character, no space */
Test(dedup, a_link_after_punctuation_or_chinese_is_a_link)
{
    norm_is("Great post!https://a.example/x see:www.b.example", "great post see");
    /* 请看：https://a.example/x 谢谢 */
    norm_is("\xE8\xAF\xB7\xE7\x9C\x8B\xEF\xBC\x9Ahttps://a.example/x \xE8\xB0\xA2\xE8\xB0\xA2",
            "\xE8\xAF\xB7\xE7\x9C\x8B \xE8\xB0\xA2\xE8\xB0\xA2");
    /* 这篇文章写得非常好，我学到了很多东西，推荐大家看看：https://spam.example/a */
    three_authors_link_one_text("\xE8\xBF\x99\xE7\xAF\x87\xE6\x96\x87\xE7\xAB\xA0\xE5\x86\x99\xE5\xBE\x97"
                                "\xE9\x9D\x9E\xE5\xB8\xB8\xE5\xA5\xBD\xEF\xBC\x8C\xE6\x88\x91\xE5\xAD\xA6"
                                "\xE5\x88\xB0\xE4\xBA\x86\xE5\xBE\x88\xE5\xA4\x9A\xE4\xB8\x9C\xE8\xA5\xBF"
                                "\xEF\xBC\x8C\xE6\x8E\xA8\xE8\x8D\x90\xE5\xA4\xA7\xE5\xAE\xB6\xE7\x9C\x8B"
                                "\xE7\x9C\x8B\xEF\xBC\x9Ahttps://spam.example/", "");
}

/* A comment that is only links: its links are its text (else it had none, and the same bare
 * link posted by a hundred authors was never a duplicate), without a scheme or "www." */
Test(dedup, normalisation_keeps_the_links_of_a_comment_that_is_only_links)
{
    norm_is("  https://Telegra.example/drugs-24h  ", "telegra example drugs 24h");
    norm_is("(https://a.example/x) \"www.b.example\" !!", "a example x b example");
    norm_is("see https://a.example/x", "see"); /* a word besides */
}

/* Words disguised with Cyrillic or Greek look-alikes are read as the Latin words a reader
 * sees, so a disguised copy is the same text; a disguised link is dropped like any link;
 * Russian stays Russian. */
Test(dedup, normalisation_reads_disguised_words_as_latin)
{
    /* Вuy vіаgrа (Cyrillic В, і, а, а) */
    norm_is("\xD0\x92uy v\xD1\x96\xD0\xB0gr\xD0\xB0 now", "buy viagra now");
    /* a link to pаypаl.com is a link: dropped */
    norm_is("log in at https://p\xD0\xB0yp\xD0\xB0l.com/x today", "log in at today");
    /* a bare host of look-alikes is read as the Latin one under a Latin top-level domain,
     * and so under one that mixes look-alikes with ASCII letters: аррӏе.com, аррӏе.соm
     * (Cyrillic, but for the m) */
    norm_is("visit \xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.com today", "visit apple com today");
    norm_is("visit \xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5.\xD1\x81\xD0\xBEm today", "visit apple com today");
    /* the same with zero-width spaces between the letters (v<ZWSP>і<ZWSP>аgrа, ѕ<ZWSP>pam) or
     * a fullwidth ｐ and ｙ beside a Cyrillic а: read on the NFKC text, as the tokenizer does */
    norm_is("buy v\xE2\x80\x8B\xD1\x96\xE2\x80\x8B\xD0\xB0gr\xD0\xB0 now", "buy viagra now");
    norm_is("buy \xD1\x95\xE2\x80\x8Bpam now", "buy spam now");
    norm_is("\xEF\xBD\x90\xD0\xB0\xEF\xBD\x99 now", "pay now");
    /* pаy with a mathematical bold small alpha (U+1D6C2: Greek α after NFKC) */
    norm_is("p\xF0\x9D\x9B\x82y now", "pay now");
    /* спасибо in one script */
    norm_is("\xD1\x81\xD0\xBF\xD0\xB0\xD1\x81\xD0\xB8\xD0\xB1\xD0\xBE", "\xD1\x81\xD0\xBF\xD0\xB0\xD1\x81\xD0\xB8\xD0\xB1\xD0\xBE");
}

Test(dedup, a_disguised_copy_is_an_exact_duplicate)
{
    kd_result r;
    classify("d1", "p1", "ann", "Buy cheap viagra online today from our pharmacy store", &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    /* the same words, a, e, i and o written in Cyrillic */
    classify("d2", "p2", "bob",
             "Buy che\xD0\xB0p v\xD1\x96\xD0\xB0gr\xD0\xB0 \xD0\xBEnline t\xD0\xBE" "d\xD0\xB0y "
             "fr\xD0\xBEm \xD0\xBEur ph\xD0\xB0rm\xD0\xB0" "cy st\xD0\xBEr\xD0\xB5", &r);
    cr_assert_str_eq(r.duplicate_of, "d1");
    cr_assert_float_eq(r.similarity, 1.0, 1e-9);
    kd_result_free(&r);
}

/* The i-th of several comments of one text: id, post and author each a prefix and i. */
static void classify_nth(const char *id, const char *post, const char *author, int i, const char *text,
                         kd_result *r)
{
    char a[32], b[32], c[32];
    snprintf(a, sizeof a, "%s%d", id, i);
    snprintf(b, sizeof b, "%s%d", post, i);
    snprintf(c, sizeof c, "%s%d", author, i);
    classify(a, b, c, text, r);
}

Test(dedup, a_bare_link_posted_by_several_authors_is_a_campaign)
{
    kd_result r;
    for (int i = 0; i < 3; i++) {
        classify_nth("l", "p", "u", i, "https://telegra.example/drugs-delivery-online-24h", &r);
        if (i == 0)
            cr_assert_null(r.duplicate_of);
        else {
            cr_assert_str_eq(r.duplicate_of, "l0");
            cr_assert_eq(r.campaign, (unsigned)i + 1);
        }
        kd_result_free(&r);
    }
}

/* An author is one author of a campaign as duplicate_scope tells: by e-mail when both
 * comments give one, else by name (ASCII case and the spaces around it aside). Bob, who gave
 * his address on one comment and not on his double post, was counted twice: e-mail hash and
 * name hash, a campaign of 2 on one post, spam. */
static void classify_by(const char *id, const char *author, const char *email, kd_result *r)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.post_id = "p1";
    c.author = author;
    c.email = email;
    c.text = "Great tips on saving money, there is more at https://deals.example/save today";
    cr_assert_eq(kd_classify(m, &c, NULL, r), 0, "%s", kd_model_error(m));
}

Test(dedup, an_author_with_and_without_an_email_address_is_one_author_of_a_campaign)
{
    kd_result r;
    classify_by("c1", "Bob", "bob@example.com", &r);
    kd_result_free(&r);
    classify_by("c2", "Bob", NULL, &r);
    cr_assert_str_eq(r.duplicate_of, "c1");
    cr_assert_str_eq(r.duplicate_scope, "same_author");
    cr_assert_eq(r.campaign, 0);
    kd_result_free(&r);
    classify_by("c3", " BOB ", "", &r);
    cr_assert_str_eq(r.duplicate_scope, "same_author");
    cr_assert_eq(r.campaign, 0);
    kd_result_free(&r);
    classify_by("c4", "Eve", "eve@example.com", &r); /* another author: a campaign of 2 */
    cr_assert_eq(r.campaign, 2);
    kd_result_free(&r);
}

/* A name is the same name with its white space typed otherwise ("Ann  Lee", a tab): it was
 * another author, and a linked double post on one post a campaign of 2. */
Test(dedup, names_that_differ_only_in_white_space_are_one_author)
{
    kd_result r;
    classify_by("a1", "Ann Lee", NULL, &r);
    kd_result_free(&r);
    const char *const names[] = { "Ann  Lee", "ann\tLEE", " Ann \r\n Lee " }, *const ids[] = { "a2", "a3", "a4" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        classify_by(ids[i], names[i], NULL, &r);
        cr_assert_str_eq(r.duplicate_scope, "same_author", "'%s'", names[i]);
        cr_assert_eq(r.campaign, 0, "'%s'", names[i]);
        kd_result_free(&r);
    }
    classify_by("b1", "Ann Leeds", NULL, &r); /* another name */
    cr_assert_str_eq(r.duplicate_scope, "same_post");
    cr_assert_eq(r.campaign, 2);
    kd_result_free(&r);
}

/* Beyond ASCII too, a name is the name a reader sees: "ÉLODIE" is "Élodie", and "é" typed as
 * "e" and a combining acute is the "é" of one code point; another name is not. */
Test(dedup, names_that_differ_only_in_case_or_form_beyond_ascii_are_one_author)
{
    kd_result r;
    classify_by("e1", "\xC3\x89lodie Fran\xC3\xA7ois", NULL, &r); /* Élodie François */
    kd_result_free(&r);
    const char *const names[] = { "\xC3\x89LODIE FRAN\xC3\x87OIS",  /* ÉLODIE FRANÇOIS */
                                  "E\xCC\x81lodie  Franc\xCC\xA7ois" }, /* E + U+0301, c + U+0327 */
                      *const ids[] = { "e2", "e3" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        classify_by(ids[i], names[i], NULL, &r);
        cr_assert_str_eq(r.duplicate_scope, "same_author", "'%s'", names[i]);
        cr_assert_eq(r.campaign, 0, "'%s'", names[i]);
        kd_result_free(&r);
    }
    classify_by("e4", "Elodie Francois", NULL, &r); /* no accents: another name */
    cr_assert_str_eq(r.duplicate_scope, "same_post");
    cr_assert_eq(r.campaign, 2);
    kd_result_free(&r);
}

Test(dedup, exact_and_near_duplicates_in_one_handle)
{
    kd_result r;
    classify("c1", "p1", "ann", "I started journaling after reading this and I sleep so much better now.", &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    classify("c2", "p1", "ann", "i started journaling after reading this, and i sleep so much better now!!", &r);
    cr_assert_str_eq(r.duplicate_of, "c1");
    cr_assert_float_eq(r.similarity, 1.0, 1e-9);
    cr_assert_str_eq(r.duplicate_scope, "same_author");
    cr_assert_eq(r.verdict, KD_HOLD);
    kd_result_free(&r);
    classify("c3", "p1", "bob", "I started jurnaling after reading this and I sleep much better now. Bob", &r);
    cr_assert_str_eq(r.duplicate_of, "c1");
    cr_assert_lt(r.similarity, 1.0);
    cr_assert_geq(r.similarity, 0.5);
    cr_assert_str_eq(r.duplicate_scope, "same_post");
    kd_result_free(&r);
    classify("c4", "p2", "cat", "Walking every morning has changed my mood, thank you for the idea.", &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
}

/* A comment of this run without an id is named "input:N", N counting the handle's comments
 * from 1 (kindly.h): also those that did not join its memory (a text with nothing to compare,
 * one checked again under its id) and, past the memory's bound, those it has forgotten. */
Test(dedup, a_comment_without_an_id_is_named_by_its_place_in_the_run)
{
    const char *text = "I started journaling after reading this and I sleep so much better now.";
    kd_result r;
    classify(NULL, "p1", "ann", "???", &r);
    kd_result_free(&r);
    classify("m1", "p1", "cat", "Walking every morning has changed my mood, thank you for the idea.", &r);
    kd_result_free(&r);
    classify("m1", "p1", "cat", "Walking every morning has changed my mood, thank you for the idea.", &r);
    kd_result_free(&r);
    classify(NULL, "p1", "ann", text, &r); /* the 4th */
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    classify(NULL, "p2", "bob", text, &r);
    cr_assert_str_eq(r.duplicate_of, "input:4");
    kd_result_free(&r);
    /* the memory starts afresh after 50,000 comments (two of these did not join it): the
     * 50,010th is still the 50,010th; texts of random letters, no near copies of each other */
    char t[64];
    uint32_t x = 1;
    for (int i = 6; i <= 50010; i++) {
        int k = 0;
        for (int w = 0; w < 6; w++, t[k++] = ' ')
            for (int j = 0; j < 6; j++, x = x * 1664525u + 1013904223u)
                t[k++] = (char)('a' + (x >> 24) % 26);
        t[k - 1] = '\0';
        classify(NULL, "p1", "dan", t, &r);
        kd_result_free(&r);
    }
    classify(NULL, "p2", "eve", t, &r);
    cr_assert_str_eq(r.duplicate_of, "input:50010");
    kd_result_free(&r);
}

/* A lookup reads at most 256 candidates; of a campaign's copies in one run, the earliest
 * (duplicate_of names the earliest copy): the run's 600th to 683rd copies of one text, and
 * its 939th on, were named copies of its 342nd and on. */
Test(dedup, a_long_campaign_of_one_run_names_its_earliest_copy)
{
    kd_result r;
    for (int i = 0; i < 1000; i++) {
        classify_nth("c", "p", "a", i, "Visit my profile for amazing deals on watches and bags today only", &r);
        if (i)
            cr_assert_str_eq(r.duplicate_of, "c0", "copy %d", i);
        kd_result_free(&r);
    }
}

Test(dedup, short_texts_match_only_the_same_author)
{
    kd_result r;
    classify("a", "p1", "ann", "Thank you!", &r);
    kd_result_free(&r);
    classify("b", "p1", "bob", "thank you", &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    classify("c", "p1", "ann", "Thank you!!", &r);
    cr_assert_str_eq(r.duplicate_of, "a");
    cr_assert_eq(r.campaign, 0);
    kd_result_free(&r);
}

/* A sentence copied by another reader on another post is a duplicate (and a campaign of
 * 2); a short thanks by another reader is none. */
static void sentence_is_long_and_thanks_short(const char *sentence, const char *thanks)
{
    kd_result r;
    classify("a", "p1", "ann", sentence, &r);
    kd_result_free(&r);
    classify("b", "p2", "bob", sentence, &r);
    cr_assert_str_eq(r.duplicate_of, "a");
    cr_assert_str_eq(r.duplicate_scope, "site");
    cr_assert_eq(r.campaign, 2);
    kd_result_free(&r);
    classify("c", "p1", "ann", thanks, &r);
    kd_result_free(&r);
    classify("d", "p1", "bob", thanks, &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
}

/* Chinese has no spaces: a sentence is one "word" by spaces, but its characters count half
 * a word each, so a copied sentence by another reader is a duplicate while a short thanks
 * (谢谢你的文章, six characters) is still matched only to its own author. */
Test(dedup, chinese_text_counts_its_characters_as_words)
{
    /* 这个产品改变了我的生活快来购买 */
    static const char *sentence = "\xE8\xBF\x99\xE4\xB8\xAA\xE4\xBA\xA7\xE5\x93\x81\xE6\x94\xB9"
                                  "\xE5\x8F\x98\xE4\xBA\x86\xE6\x88\x91\xE7\x9A\x84\xE7\x94\x9F"
                                  "\xE6\xB4\xBB\xE5\xBF\xAB\xE6\x9D\xA5\xE8\xB4\xAD\xE4\xB9\xB0";
    static const char *thanks = "\xE8\xB0\xA2\xE8\xB0\xA2\xE4\xBD\xA0\xE7\x9A\x84\xE6\x96\x87"
                                "\xE7\xAB\xA0";
    sentence_is_long_and_thanks_short(sentence, thanks);
    kd_result r;
    /* the polite formulas are long: 非常感谢您的分享 (8 characters), ありがとうございます (10) */
    static const char *const polite[] = {
        "\xE9\x9D\x9E\xE5\xB8\xB8\xE6\x84\x9F\xE8\xB0\xA2\xE6\x82\xA8\xE7\x9A\x84\xE5\x88\x86\xE4\xBA\xAB",
        "\xE3\x81\x82\xE3\x82\x8A\xE3\x81\x8C\xE3\x81\xA8\xE3\x81\x86\xE3\x81\x94\xE3\x81\x96\xE3\x81\x84"
        "\xE3\x81\xBE\xE3\x81\x99",
    };
    for (size_t i = 0; i < 2; i++) {
        classify(i ? "j1" : "z1", "p1", "ann", polite[i], &r);
        kd_result_free(&r);
        classify(i ? "j2" : "z2", "p2", "bob", polite[i], &r);
        cr_assert_null(r.duplicate_of, "%s", polite[i]);
        cr_assert_eq(r.campaign, 0);
        kd_result_free(&r);
    }
}

/* Thai (and Lao, Khmer, Burmese) puts spaces between phrases, not words: a sentence of two
 * phrases copied by other readers is a duplicate and, on other posts, a campaign; a short
 * thanks (ขอบคุณมากครับ, 13 code points) is still matched only to its own author. */
Test(dedup, thai_text_counts_its_letters_as_words)
{
    sentence_is_long_and_thanks_short(
        "บทความนี้มีประโยชน์มากครับ ขอบคุณที่แบ่งปันความรู้ดีๆแบบนี้ สมัครสมาชิกวันนี้รับโบนัสฟรีทันที", "ขอบคุณมากครับ");
}

/* A Latin word right after Chinese starts a word ("谢谢分享Python和Rust教程" is 4 words and
 * so a duplicate of another reader's copy, as with spaces); Korean counts its
 * space-separated words, not a third of its syllables. */
Test(dedup, words_after_cjk_and_korean_words_are_counted)
{
    static const char *const texts[] = {
        "\xE8\xB0\xA2\xE8\xB0\xA2\xE5\x88\x86\xE4\xBA\xAB" "Python" "\xE5\x92\x8C" "Rust"
        "\xE6\x95\x99\xE7\xA8\x8B",
        /* 이 글 정말 잘 읽었어요 감사 */
        "\xEC\x9D\xB4 \xEA\xB8\x80 \xEC\xA0\x95\xEB\xA7\x90 \xEC\x9E\x98 "
        "\xEC\x9D\xBD\xEC\x97\x88\xEC\x96\xB4\xEC\x9A\x94 \xEA\xB0\x90\xEC\x82\xAC",
    };
    kd_result r;
    for (size_t i = 0; i < 2; i++) {
        classify_nth(i ? "k" : "c", "p", "author", 1, texts[i], &r);
        kd_result_free(&r);
        classify_nth(i ? "k" : "c", "q", "other", 2, texts[i], &r);
        cr_assert_not_null(r.duplicate_of, "%s", texts[i]);
        kd_result_free(&r);
    }
}

/* Generic praise without a link is what readers of every post write: five readers thanking
 * five posts in the same words are duplicates but no campaign (they were spam); with a link
 * they are one. */
Test(dedup, generic_praise_by_many_readers_is_no_campaign_unless_linked)
{
    kd_result r;
    for (int i = 0; i < 5; i++) {
        classify_nth("t", "p", "reader", i, "Thank you so much!", &r);
        cr_assert_eq(r.generic, 1);
        if (i) { /* a duplicate (held for a look), but no campaign, so never spam */
            cr_assert_str_eq(r.duplicate_of, "t0", "reader %d", i);
            cr_assert_eq(r.verdict, KD_HOLD);
        }
        cr_assert_eq(r.campaign, 0);
        kd_result_free(&r);
    }
    for (int i = 0; i < 3; i++) {
        classify_nth("s", "q", "seo", i, "Thank you so much! http://seo.example", &r);
        cr_assert_eq(r.generic, 2);
        if (i)
            cr_assert_geq(r.campaign, 2, "linked praise by several authors is a campaign");
        kd_result_free(&r);
    }
}

/* An e-mail address or a phone number is how the spammer is reached, as a link is: praise
 * carrying one, copied by several authors on several posts, is a campaign (generic is 1:
 * neither is a link). */
static void contact_campaign(const char *text)
{
    kd_result r;
    for (int i = 0; i < 3; i++) {
        classify_nth("x", "p", "spammer", i, text, &r);
        cr_assert_eq(r.generic, 1, "%s", text);
        if (i)
            cr_assert_geq(r.campaign, 2, "%s by several authors on several posts", text);
        kd_result_free(&r);
    }
}

Test(dedup, generic_praise_with_an_email_address_is_a_campaign)
{
    contact_campaign("Thank you so much! bob@spam.example");
}

Test(dedup, generic_praise_with_a_phone_number_is_a_campaign)
{
    contact_campaign("Thank you so much! +15551234567");
}

Test(dedup, a_campaign_raises_the_spam_score)
{
    const char *t = "Check out my new channel, I post videos about crypto every day";
    kd_result r;
    double first = 0;
    char id[8], post[8], who[8];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "c%d", i);
        snprintf(post, sizeof post, "p%d", i);
        snprintf(who, sizeof who, "u%d", i);
        classify(id, post, who, t, &r);
        if (i == 0)
            first = r.spam_score;
        else {
            cr_assert_str_eq(r.duplicate_of, "c0");
            cr_assert_str_eq(r.duplicate_scope, "site");
            cr_assert_eq(r.campaign, (unsigned)i + 1);
            cr_assert_gt(r.spam_score, first);
        }
        if (i == 3) {
            int has = 0;
            for (size_t k = 0; k < r.nreasons; k++)
                has |= !strcmp(r.reasons[k], "campaign:4");
            cr_assert(has);
        }
        kd_result_free(&r);
    }
}

/* Readers of one post thanking it in nearly the same words are not a campaign (each would
 * add spam evidence, and the sixth was spam); the same words with an author URL are. */
Test(dedup, similar_thanks_on_one_post_are_not_a_campaign_unless_linked)
{
    static const char *const how[] = { "honestly", "beautifully", "kindly", "gently", "openly", "clearly" };
    kd_result r;
    char id[16], who[16], text[96];
    int dups[2] = { 0, 0 };
    for (int url = 0; url < 2; url++)
        for (int i = 0; i < 6; i++) {
            snprintf(id, sizeof id, "t%d-%d", url, i);
            snprintf(who, sizeof who, "reader%d-%d", url, i);
            snprintf(text, sizeof text, "Thank you for writing about grief so %s%s.", how[i], url ? " today" : "");
            kd_comment c = KD_COMMENT_INIT;
            c.id = id;
            c.post_id = "grief";
            c.author = who;
            c.url = url ? "https://retreat.example" : NULL;
            c.text = text;
            kd_options o = KD_OPTIONS_INIT;
            cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
            if (i > 0 && r.duplicate_of) {
                dups[url]++;
                if (url)
                    cr_assert_geq(r.campaign, 2, "%s", text);
                else
                    cr_assert_eq(r.campaign, 0, "%s: campaign %u", text, r.campaign);
            }
            kd_result_free(&r);
        }
    cr_assert_geq(dups[0], 3, "near copies found: %d", dups[0]);
    cr_assert_geq(dups[1], 3, "near copies found: %d", dups[1]);
}

Test(dedup, remember_needs_a_writable_model)
{
    kd_model *ro = NULL;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment c = KD_COMMENT_INIT;
    c.text = "hello there my friend";
    kd_result r;
    /* :memory: opened with CREATE is writable: remembering works */
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 1);
    cr_assert_eq(st.index_entries, 12);
    (void)ro;
}

/* A client retrying a check sends the same comment again, and the server remembers every
 * check: an earlier comment with the same id is the comment itself, never its duplicate,
 * whether it is held in the handle's memory or in the history. The same id and text are
 * recorded once; another id with the text is a duplicate as ever. */
Test(dedup, a_comment_is_not_a_duplicate_of_itself)
{
    const char *text = "The breathing exercise and the journal helped me sleep, thank you";
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    c.author = "Ann";
    c.text = text;
    kd_result r;
    for (o.remember = 0; o.remember < 2; o.remember++) {
        c.id = o.remember ? "h1" : "m1";
        for (int again = 0; again < 2; again++) {
            cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
            cr_assert_null(r.duplicate_of, "%s checked again: a duplicate of %s", c.id, r.duplicate_of);
            kd_result_free(&r);
        }
    }
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 1, "h1 is recorded once");
    cr_assert_eq(kd_history_record(m, &c), 0, "%s", kd_model_error(m)); /* learnt after the check */
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 1, "h1 is recorded once");

    c.id = "h2";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    cr_assert_str_eq(r.duplicate_of, "h1");
    kd_result_free(&r);
    o.remember = 0;
    c.id = "m2";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    cr_assert_str_eq(r.duplicate_of, "h1", "the history comes first, then the handle's memory (m1)");
    kd_result_free(&r);
    /* an edited text under the same id is recorded too: a copy of it is then found */
    o.remember = 1;
    c.id = "h1";
    c.text = "Walking every morning has changed my mood, thank you for the idea";
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 3);
}

/* The WordPress Akismet plugin checks a comment before WordPress gives it an id, then sends
 * it again with its id (submit-ham, a recheck): that is the same comment, recorded once and
 * named by its id from then on. A double post checked twice without an id is a duplicate.
 * An empty id is no id. */
ParameterizedTestParameters(dedup, a_comment_checked_before_it_had_an_id_is_the_same_comment_once_named)
{
    static int empty[] = { 0, 1 }; /* the id: NULL, or "" */
    return cr_make_param_array(int, empty, 2);
}

ParameterizedTest(int *empty, dedup, a_comment_checked_before_it_had_an_id_is_the_same_comment_once_named)
{
    const char *const unnamed[] = { *empty ? "" : NULL };
    char dir[256];
    kd_model *w;
    file_models(dir, &w, NULL);
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment c = KD_COMMENT_INIT;
    kd_result r;
    c.id = *unnamed;
    c.author = "Olga";
    c.post_id = "grief";
    c.text = "My grandmother passed last spring and this helped me more than I can say";
    cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w)); /* comment-check */
    kd_result_free(&r);
    c.id = "6001";
    cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w)); /* the recheck */
    cr_assert_null(r.duplicate_of, "a copy of itself: %s", r.duplicate_of);
    kd_result_free(&r);
    cr_assert_eq(kd_history_record(w, &c), 0, "%s", kd_model_error(w)); /* submit-ham */
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(w, &st), 0);
    cr_assert_eq(st.comments, 1, "recorded %llu times", (unsigned long long)st.comments);
    kd_comment copy = c; /* another reader posts the same text: named by the id now */
    copy.id = "7002";
    copy.author = "Bot";
    cr_assert_eq(kd_classify(w, &copy, &o, &r), 0, "%s", kd_model_error(w));
    cr_assert_str_eq(r.duplicate_of ? r.duplicate_of : "(none)", "6001");
    kd_result_free(&r);
    c.id = *unnamed; /* a double post, checked twice without an id: a duplicate */
    c.text = "Posting twice by mistake happens to everyone, sorry about that one";
    cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w));
    kd_result_free(&r);
    cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w));
    cr_assert_not_null(r.duplicate_of);
    kd_result_free(&r);
    kd_model_close(w);
    th_rmrf(dir);
}

/* So too within one handle, not remembering: the comment of this run checked before it had
 * an id is named by the id from then on (it was "input:1" there, "6001" remembering). */
Test(dedup, a_comment_of_this_run_checked_before_it_had_an_id_is_named_by_it)
{
    const char *text = "My grandmother passed last spring and this helped me more than I can say";
    kd_result r;
    classify(NULL, "grief", "Olga", text, &r);
    kd_result_free(&r);
    classify("6001", "grief", "Olga", text, &r);
    cr_assert_null(r.duplicate_of, "a copy of itself: %s", r.duplicate_of);
    kd_result_free(&r);
    classify("7002", "loss", "Bot", text, &r);
    cr_assert_str_eq(r.duplicate_of ? r.duplicate_of : "(none)", "6001");
    cr_assert_eq(r.campaign, 2);
    kd_result_free(&r);
}

/* An unnamed earlier comment is "this one" for one comment only: later copies with other ids
 * (links varied, a bot's run) are duplicates of the first, without remembering as with. */
Test(dedup, an_unnamed_record_is_claimed_once_and_later_copies_are_duplicates)
{
    for (int remember = 0; remember < 2; remember++) {
        char dir[256];
        kd_model *w;
        file_models(dir, &w, NULL);
        kd_options o = KD_OPTIONS_INIT;
        kd_comment c = KD_COMMENT_INIT;
        kd_result r;
        c.author = "Spammer";
        c.email = "s@x.example";
        c.post_id = "p1";
        c.text = "Great tips, I found more of them on my favourite page about sleep today";
        o.remember = 1; /* checked before it had an id */
        cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w));
        kd_result_free(&r);
        o.remember = remember;
        cr_assert_eq(kd_history_batch_begin(w), 0);
        static const char *const ids[] = { "101", "102", "103" };
        for (int i = 0; i < 3; i++) {
            c.id = ids[i];
            cr_assert_eq(kd_classify(w, &c, &o, &r), 0, "%s", kd_model_error(w));
            if (i == 0)
                cr_assert_null(r.duplicate_of, "101 is the unnamed comment itself: %s", r.duplicate_of);
            else
                cr_assert_str_eq(r.duplicate_of ? r.duplicate_of : "(none)", "101", "remember %d, %s", remember, c.id);
            kd_result_free(&r);
        }
        cr_assert_eq(kd_history_flush(w), 0, "%s", kd_model_error(w));
        kd_model_close(w);
        th_rmrf(dir);
    }
}

/* "Awww." holds "www." but no link: thanks written so, by several readers of one post, are
 * not a campaign (linked() sees links where drop_links() does). */
Test(dedup, a_word_holding_www_is_no_link)
{
    kd_result r;
    char id[16], who[16];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "aw%d", i);
        snprintf(who, sizeof who, "reader%d", i);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.author = who;
        c.post_id = "grief";
        c.text = "Awww. Thank you for writing about grief so kindly and so honestly.";
        cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
        if (i)
            cr_assert_eq(r.campaign, 0, "campaign %u", r.campaign);
        kd_result_free(&r);
    }
}

/* A lookup batch keeps a snapshot; a caller that idles past 100 ms sees other writers at its
 * next comment, not one comment later. */
Test(dedup, a_lookup_batch_renews_a_stale_snapshot_before_looking_up)
{
    char dir[256];
    kd_model *w, *r;
    file_models(dir, &w, &r);
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    kd_result res;
    cr_assert_eq(kd_history_batch_begin(r), 0);
    c.id = "q0";
    c.text = "A comment the reader scores before it idles, about something else";
    cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
    kd_result_free(&res);
    c.id = "w1";
    c.text = "The writer records this one while the reader idles, about breathing";
    cr_assert_eq(kd_history_record(w, &c), 0, "%s", kd_model_error(w));
    struct timespec pause = { 0, 150 * 1000000L };
    nanosleep(&pause, NULL);
    c.id = "q1";
    cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
    cr_assert_str_eq(res.duplicate_of ? res.duplicate_of : "(none)", "w1");
    kd_result_free(&res);
    cr_assert_eq(kd_history_flush(r), 0);
    kd_model_close(r);
    kd_model_close(w);
    th_rmrf(dir);
}

/* Scored again (or rechecked) once its later copy is in the history, the original is not a
 * duplicate of that copy; the copy still is one of it. */
Test(dedup, an_original_is_no_duplicate_of_its_later_copy)
{
    char dir[256];
    kd_model *w;
    file_models(dir, &w, NULL);
    kd_comment a = KD_COMMENT_INIT, b = KD_COMMENT_INIT;
    a.id = "1";
    a.author = "Amy";
    a.post_id = "102";
    a.text = "Thank you so much for this post it really helped me today";
    b = a;
    b.id = "2";
    b.author = "Ben";
    b.text = "Thank you so much for this post! It really helped me today";
    cr_assert_eq(kd_history_record(w, &a), 0, "%s", kd_model_error(w));
    cr_assert_eq(kd_history_record(w, &b), 0, "%s", kd_model_error(w));
    kd_result r;
    cr_assert_eq(kd_classify(w, &a, NULL, &r), 0, "%s", kd_model_error(w));
    cr_assert_null(r.duplicate_of, "the original, a duplicate of %s", r.duplicate_of);
    kd_result_free(&r);
    cr_assert_eq(kd_classify(w, &b, NULL, &r), 0, "%s", kd_model_error(w));
    cr_assert_str_eq(r.duplicate_of ? r.duplicate_of : "(none)", "1");
    kd_result_free(&r);
    kd_model_close(w);
    th_rmrf(dir);
}

/* Links as the normalisation sees them, in the HTML-decoded text: a link after a <br> or in
 * an <a href> makes copies by several authors a campaign; bare links to different pages of
 * one site (videos readers share) are not near copies; an empty id is no id. */
Test(dedup, links_after_html_count_and_bare_links_are_compared_whole)
{
    kd_result r;
    char id[16], who[16], text[160];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "h%d", i);
        snprintf(who, sizeof who, "seller%d", i);
        snprintf(text, sizeof text, i % 2 ? "Thanks so much for sharing these tips with us all<br>https://spam.example/deal%d"
                                          : "Thanks so much for sharing these tips with us all <a href='https://spam.example/deal%d'>here</a>", i);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.author = who;
        c.post_id = "p1";
        c.text = text;
        cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
        if (i)
            cr_assert_geq(r.campaign, 2, "%s: campaign %u", text, r.campaign);
        kd_result_free(&r);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "v%d", i);
        snprintf(who, sizeof who, "viewer%d", i);
        snprintf(text, sizeof text, "https://www.youtube.com/watch?v=Abc%dXyz%d", i * 7, i * 13);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.author = who;
        c.text = text;
        cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
        cr_assert_null(r.duplicate_of, "%s: a copy of %s", text, r.duplicate_of);
        kd_result_free(&r);
    }
}

/* A comment that is only a link is compared whole, but its scheme and "www." are no part of
 * it: one link dropped as https://..., http://... and www.... by three authors is one text,
 * a campaign, as a reader following it reaches one page. Another page of the site is not. */
Test(dedup, a_link_drop_is_the_same_text_over_http_https_and_www)
{
    static const char *const drops[] = { "https://cheap-pills.example/buy?now=1",
                                         "http://www.cheap-pills.example/buy?now=1",
                                         "(www.cheap-pills.example/buy?now=1)",
                                         "HTTPS://WWW.cheap-pills.example/buy?now=1" };
    kd_result r;
    char id[16], who[16];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "d%d", i);
        snprintf(who, sizeof who, "dropper%d", i);
        kd_comment c = KD_COMMENT_INIT;
        c.id = id;
        c.author = who;
        c.post_id = i % 2 ? "p1" : "p2";
        c.text = drops[i];
        cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
        if (i) {
            cr_assert_str_eq(r.duplicate_of ? r.duplicate_of : "(none)", "d0", "%s", drops[i]);
            cr_assert_geq(r.campaign, 2, "%s: campaign %u", drops[i], r.campaign);
        }
        kd_result_free(&r);
    }
    kd_comment c = KD_COMMENT_INIT;
    c.id = "other";
    c.author = "dropper9";
    c.text = "https://cheap-pills.example/buy?now=2";
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    cr_assert_null(r.duplicate_of, "another page, a copy of %s", r.duplicate_of);
    kd_result_free(&r);
}

/* A batch holds the model file's write lock while its transaction is open, and other
 * writers (the server, `kindly learn`) wait on it: it is committed once it has been open
 * for 100 ms (dedup.c, BATCH_MS), at the next comment, not only after 2,000 comments. */
Test(dedup, a_batch_is_committed_after_100_ms_not_only_after_2000_comments)
{
    char dir[256];
    kd_model *w, *r;
    file_models(dir, &w, &r);
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_comment c = KD_COMMENT_INIT;
    kd_result res;
    kd_history_stats st;
    cr_assert_eq(kd_history_batch_begin(w), 0);
    c.id = "b1";
    c.text = "The first comment of a slow batch, about sleep and breathing";
    cr_assert_eq(kd_classify(w, &c, &o, &res), 0, "%s", kd_model_error(w));
    kd_result_free(&res);
    cr_assert_eq(kd_history_stats_get(r, &st), 0);
    cr_assert_eq(st.comments, 0, "a fresh batch is not committed at each comment");
    struct timespec pause = { 0, 150 * 1000000L };
    nanosleep(&pause, NULL);
    c.id = "b2";
    c.text = "A second comment, much later: a costly rule, a slow pipe";
    cr_assert_eq(kd_classify(w, &c, &o, &res), 0, "%s", kd_model_error(w));
    kd_result_free(&res);
    cr_assert_eq(kd_history_stats_get(r, &st), 0);
    cr_assert_eq(st.comments, 2, "the batch open for 150 ms was committed: %llu seen",
                 (unsigned long long)st.comments);
    cr_assert_eq(kd_history_flush(w), 0);
    kd_model_close(r);
    kd_model_close(w);
    th_rmrf(dir);
}

/* A batch that only looks up (scoring without remembering) reads in one transaction, so a
 * comment another handle records meanwhile is seen once the batch has been open 100 ms, or
 * after kd_history_flush(), not at the very next comment. */
Test(dedup, a_lookup_batch_sees_other_writers_after_100_ms_or_a_flush)
{
    char dir[256];
    kd_model *w, *r;
    file_models(dir, &w, &r);
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    kd_result res;
    const char *texts[] = { "The first comment the writer records, about sleep and breathing",
                            "A second one the writer records, about walking every morning" };
    cr_assert_eq(kd_history_batch_begin(r), 0);
    c.id = "q0";
    c.text = "A comment the reader scores first, about something else entirely";
    cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
    kd_result_free(&res);
    for (int k = 0; k < 2; k++) {
        c.id = k ? "w2" : "w1";
        c.text = texts[k];
        cr_assert_eq(kd_history_record(w, &c), 0, "%s", kd_model_error(w));
        c.id = k ? "q2" : "q1";
        if (k == 0) { /* the same snapshot: not seen yet; then, after a flush, seen */
            cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
            cr_assert_null(res.duplicate_of);
            kd_result_free(&res);
            cr_assert_eq(kd_history_flush(r), 0);
            cr_assert_eq(kd_history_batch_begin(r), 0);
            c.id = "q1b";
        } else { /* after 100 ms the batch's snapshot is renewed at the next comment */
            struct timespec pause = { 0, 150 * 1000000L };
            nanosleep(&pause, NULL);
            c.text = "one more comment that only moves the batch along";
            c.id = "q2a";
            cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
            kd_result_free(&res);
            c.text = texts[k];
            c.id = "q2b";
        }
        cr_assert_eq(kd_classify(r, &c, &o, &res), 0, "%s", kd_model_error(r));
        cr_assert_str_eq(res.duplicate_of ? res.duplicate_of : "(none)", k ? "w2" : "w1");
        kd_result_free(&res);
    }
    cr_assert_eq(kd_history_flush(r), 0);
    kd_model_close(r);
    kd_model_close(w);
    th_rmrf(dir);
}

/* kd_classify checks its options (classify.c): a struct of another version or a value out
 * of range is KD_EINVAL with a message, not a score (robinson_x 2 gave a token "p":2). */
Test(dedup, classify_rejects_invalid_options)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = "a few words to score";
    kd_result r;
    kd_options o = KD_OPTIONS_INIT;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
    static const struct { const char *what, *msg; } cases[] = {
        { "version 0", "version" }, { "version 2", "version" }, { "robinson_x 2", "robinson_x" },
        { "robinson_x NaN", "robinson_x" }, { "robinson_s -1", "robinson_s" }, { "min_dev 0.6", "min_dev" },
        { "spam_cutoff 1.5", "cutoff" }, { "ham above spam", "ham_cutoff" }, { "scorer 7", "scorer" },
        { "dup_threshold 2", "dup_threshold" }, { "dup_verdict 9", "dup_verdict" },
        { "offtopic_threshold 3", "offtopic_threshold" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kd_options b = KD_OPTIONS_INIT;
        b.scorer = KD_SCORER_FISHER;
        switch (i) {
        case 0: b.version = 0; break;
        case 1: b.version = KD_OPTIONS_VERSION + 1; break;
        case 2: b.robinson_x = 2; break;
        case 3: b.robinson_x = NAN; break;
        case 4: b.robinson_s = -1; break;
        case 5: b.min_dev = 0.6; break;
        case 6: b.spam_cutoff = 1.5; break;
        case 7: b.ham_cutoff = 0.95; break;
        case 8: b.scorer = (kd_scorer)7; break;
        case 9: b.dup_threshold = 2; break;
        case 10: b.dup_verdict = (kd_verdict)9; break;
        case 11: b.offtopic_threshold = 3; break;
        }
        cr_assert_eq(kd_classify(m, &c, &b, &r), KD_EINVAL, "%s accepted", cases[i].what);
        cr_assert_not_null(strstr(kd_model_error(m), cases[i].msg), "%s: %s", cases[i].what, kd_model_error(m));
        cr_assert_eq(r.ntop, 0);
        kd_result_free(&r);
    }
    /* the documented "skip the stage" values and the edges stay valid */
    o.dup_threshold = -1;
    o.offtopic_threshold = -1;
    o.robinson_s = 0;
    o.robinson_x = 1;
    o.ham_cutoff = o.spam_cutoff = 1;
    cr_assert_eq(kd_classify(m, &c, &o, &r), 0, "%s", kd_model_error(m));
    kd_result_free(&r);
}

/* A comment that is only a link is compared whole, exact copies only: two different links
 * whose 4-bit signatures happen to agree everywhere (one character apart in a long URL) were
 * a duplicate (similarity 0.99, below the threshold of 1) and a campaign of two authors. */
Test(dedup, two_different_bare_links_with_the_same_signature_are_no_duplicates)
{
    kd_result r;
    classify("a101", "p1", "u101a", "https://example.com/rsjooxawvgvdjxjclczbfxyiktppzytnjwoyunlavusdligejqcdzyzsteqw", &r);
    kd_result_free(&r);
    classify("b101", "p1", "u101b", "https://example.com/rsjooxawvgvdjxjclc0bfxyiktppzytnjwoyunlavusdligejqcdzyzsteqw", &r);
    cr_assert_null(r.duplicate_of, "a duplicate of %s (similarity %.2f)", r.duplicate_of, r.similarity);
    cr_assert_eq(r.campaign, 0);
    kd_result_free(&r);
}

/* A copy in Zalgo text ("v̷i̶a̸g̵r̴a̷": marks stacked on each letter) or in "fancy text" that
 * NFKC leaves alone (negative circled or squared capitals "🅵🆁🅴🅴", small capitals "ꜰʀᴇᴇ")
 * is the text a reader reads, as the tokenizer reads it: an exact copy */
Test(dedup, zalgo_and_fancy_letters_are_the_plain_text)
{
    kd_buf a = KD_BUF_INIT, b = KD_BUF_INIT;
    cr_assert_eq(kd_dedup_normalize("buy viagra, free pills now", &a), 0);
    /* v̷i̶a̸g̵r̴a̷; 🅵🆁🅴🅴 */
    cr_assert_eq(kd_dedup_normalize("buy v\xCC\xB7i\xCC\xB6" "a\xCC\xB8g\xCC\xB5r\xCC\xB4" "a\xCC\xB7, "
                                    "\xF0\x9F\x85\xB5\xF0\x9F\x86\x81\xF0\x9F\x85\xB4\xF0\x9F\x85\xB4 pills now", &b), 0);
    cr_expect_str_eq(b.s, a.s);
    kd_buf_clear(&b);
    /* ꜰʀᴇᴇ */
    cr_assert_eq(kd_dedup_normalize("buy viagra, \xEA\x9C\xB0\xCA\x80\xE1\xB4\x87\xE1\xB4\x87 pills now", &b), 0);
    cr_expect_str_eq(b.s, a.s);
    kd_buf_free(&a);
    kd_buf_free(&b);
}

/* kd_text_key(): the same key for texts the duplicates stage calls the same, another for
 * others; punctuation-only texts keyed as written (not all one key) */
Test(dedup, text_key_groups_what_the_stage_calls_copies)
{
    uint64_t a, b, c, d, e;
    cr_assert_eq(kd_text_key("Subscribe to my channel \xEF\xBB\xBF", &a), 0);
    cr_assert_eq(kd_text_key("SUBSCRIBE  to my channel!", &b), 0);
    cr_assert_eq(kd_text_key("Subscribe to my other channel", &c), 0);
    cr_expect_eq(a, b);
    cr_expect_neq(a, c);
    cr_assert_eq(kd_text_key("???", &d), 0);
    cr_assert_eq(kd_text_key("!!!", &e), 0);
    cr_expect_neq(d, e);
    cr_expect_eq(kd_text_key(NULL, &a), KD_EINVAL);
    cr_expect_eq(kd_text_key("x", NULL), KD_EINVAL);
}

static void classify_opts(const char *id, const char *author, const char *text, const kd_options *o, kd_result *r)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.author = author;
    c.text = text;
    cr_assert_eq(kd_classify(m, &c, o, r), 0, "%s", kd_model_error(m));
}

/* --dup-threshold 0 (kd_options.dup_threshold 0) finds exact copies only, as kindly.h says: a
 * near copy is no duplicate, an exact one is. */
Test(dedup, a_threshold_of_0_finds_exact_copies_only)
{
    kd_options o = KD_OPTIONS_INIT;
    o.dup_threshold = 0;
    kd_result r;
    const char *text = "I tried the breathing exercise every night this week and slept better than in months";
    classify_opts("c1", "ann", text, &o, &r);
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    classify_opts("c2", "bob", "I tried the breathing exercise every night this week and slept better than in years", &o,
                  &r);
    cr_assert_null(r.duplicate_of, "a near copy: %s (%.2f)", r.duplicate_of, r.similarity);
    kd_result_free(&r);
    classify_opts("c3", "cat", text, &o, &r);
    cr_assert_str_eq(r.duplicate_of, "c1");
    cr_assert_eq(r.similarity, 1.0);
    kd_result_free(&r);
}
