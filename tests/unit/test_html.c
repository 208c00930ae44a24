/*
 * test_html.c - kd_html_decode(): entities, tags, links kept as text, script and style
 * content dropped, and malformed input that must neither crash nor take quadratic time;
 * kd_html_decode_post(): the same plus WordPress shortcode markers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "kindly.h"

static char *decode(const char *s, size_t n)
{
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_html_decode(s, n, &b), 0);
    kd_buf_putc(&b, 'X'); /* so that an empty result is a string too */
    b.s[--b.len] = '\0';
    return kd_buf_detach(&b);
}

typedef struct hcase {
    const char *in, *want;
} hcase;

static hcase cases[] = {
    /* entities */
    { "Tom &amp; Jerry", "Tom & Jerry" },
    { "&lt;b&gt;", "<b>" },
    { "&quot;hi&quot; &apos;x&apos; &#39;y&#39;", "\"hi\" 'x' 'y'" },
    { "a&nbsp;b", "a b" },
    { "wait&hellip;", "wait\xE2\x80\xA6" },
    { "don&rsquo;t &lsquo;q&rsquo; &ldquo;q&rdquo;",
      "don\xE2\x80\x99t \xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Cq\xE2\x80\x9D" },
    { "a&mdash;b&ndash;c", "a\xE2\x80\x94" "b\xE2\x80\x93" "c" },
    { "&copy;&reg;&trade;", "\xC2\xA9\xC2\xAE\xE2\x84\xA2" },
    { "&euro;5 &pound;5", "\xE2\x82\xAC" "5 \xC2\xA3" "5" },
    { "&#8217;&#x2019;&#X2019;", "\xE2\x80\x99\xE2\x80\x99\xE2\x80\x99" },
    { "&#x1F600;", "\xF0\x9F\x98\x80" },
    { "&#65&#66;", "AB" },                             /* ';' optional on numbers */
    { "&#146;", "\xE2\x80\x99" },                      /* Windows-1252 */
    { "&#0;&#xD800;&#x110000;", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
    { "&#0000000065;&#x00000000042;", "AB" },                 /* leading zeros: all digits count */
    { "&#99999999999999999999;x", "\xEF\xBF\xBDx" },         /* beyond Unicode: one U+FFFD, no digits left */
    { "&#xFFFFFFFFFFFF;", "\xEF\xBF\xBD" },
    { "&amp;lt;", "&lt;" },                            /* one level only */
    { "T&C's apply", "T&C's apply" },
    { "&unknown; &amp &# &#x; &", "&unknown; &amp &# &#x; &" },
    /* every entity of HTML 4 (PHP's htmlentities() writes them): the accented capitals and
     * the letters of Portuguese and the Nordic languages, Greek, the direction marks of
     * Hebrew and Arabic text; they were left as text, "&atilde;" read as the word "atilde" */
    { "&Eacute;cole n&atilde;o &aring;r &oslash;l &OElig;uvre", "\xC3\x89" "cole n\xC3\xA3o \xC3\xA5r \xC3\xB8l \xC5\x92uvre" },
    { "&Sigma;&omicron;&phi;&oacute;&sigmaf;", "\xCE\xA3\xCE\xBF\xCF\x86\xC3\xB3\xCF\x82" },
    { "&rlm;\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D&lrm;", "\xE2\x80\x8F\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\xE2\x80\x8E" },
    { "&thetasym;&alefsym;&ensp;&thinsp;&permil;&Prime;", "\xCF\x91\xE2\x84\xB5\xE2\x80\x82\xE2\x80\x89\xE2\x80\xB0\xE2\x80\xB3" },
    /* tags */
    { "<b>bold</b> <i>it</i>", "bold it" },
    { "un<b>believ</b>able", "unbelievable" },
    { "a<br />b<BR>c<br/>d", "a\nb\nc\nd" },
    { "<p>one</p><p>two</p>", "\none\n\ntwo\n" },
    { "<a href=\"http://x.com/?a=1&amp;b=2\">click</a>here",
      " http://x.com/?a=1&b=2 clickhere" },
    { "<A HREF='https://y.org/p' rel=nofollow>y</A>", " https://y.org/p y" },
    { "<a target=_blank href=http://z.net/>z</a>", " http://z.net/ z" },
    { "<a name=\"top\">t</a>", "t" },
    /* a '>' inside a quoted attribute value does not end the tag, as in a browser */
    { "<img src=\"x.png\" alt=\"x > y\">after", "after" },
    { "<a title=\"x>y\" href=\"http://e.com\">z</a>", " http://e.com z" },
    { "<a onclick='if(a>b)go()' href=x>y</a>", " x y" },
    { "<a href = \"x\" title= '>\"'>y</a>", " x y" },
    { "<span x=\">\"></span x=\">\">z", "z" },
    /* a quote elsewhere is a character, and the first '>' ends the tag */
    { "<p \"x>y\">", "\ny\">" },
    { "<b a=b\"c>d\">", "d\">" },
    { "<!x=\">\">y", "\">y" },
    /* a quoted value not closed: the first '>' ends the tag, no text is lost past it */
    { "<img alt=\"a > b", " b" },
    { "<img alt='a > b\" c>", " b\" c>" },
    { "x<!-- hidden -->y", "xy" },
    { "x<!-- never closed", "x" },
    /* a comment ends where a browser ends it, whose reader sees what follows: at "<!-->" and
     * "<!--->" (closed at once) and at "--!>" as at "-->" */
    { "x<!-->y-->z", "xy-->z" },
    { "x<!--->y-->z", "xy-->z" },
    { "x<!---->y", "xy" },
    { "x<!-- a --!>y", "xy" },
    { "x<!-- a --!y -->z", "xz" },
    { "x<!-- a -- > b ->c--->d", "xd" },
    { "<!DOCTYPE html><?xml x?>ok", "ok" },
    /* elements whose content is not text */
    { "a<script>var trackingpixelzzz = analyticsqqq();</script>b", "ab" },
    { "a<style>.entry{color:red}</style>b", "ab" },
    { "a<SCRIPT type=\"text/javascript\">if (x<y) f('</b>');</Script >b", "ab" },
    { "a<noscript><img src=p.gif></noscript><template><p>t</p></template>b", "ab" },
    { "a<script>x</scripts>y</script>b", "ab" },             /* "</scripts" does not close */
    { "a<style>never closed <p>more", "a" },                  /* unclosed: runs to the end */
    { "a</script>b", "ab" },                                  /* a stray end tag is a tag */
    { "a<scripts>b</scripts>c", "abc" },                      /* not <script> */
    { "a<!-- <script> -->b", "ab" },
    /* shortcodes stay in comments */
    { "[1] see note [sic] [quote]x[/quote]", "[1] see note [sic] [quote]x[/quote]" },
    /* not tags */
    { "I <3 you", "I <3 you" },
    { "x < y and y > z", "x < y and y > z" },
    { "if a<b", "if a<b" },
    { "<b's>", "<b's>" },
    { "<", "<" },
    { "", "" },
};

/* Criterion runs each case in a fresh process image, where pointers inside a parameter
 * would dangle: the parameter is the index into the table. */
#define NCASES (sizeof cases / sizeof *cases)
static size_t case_index[NCASES];

ParameterizedTestParameters(html, table)
{
    for (size_t i = 0; i < NCASES; i++)
        case_index[i] = i;
    return cr_make_param_array(size_t, case_index, NCASES);
}

ParameterizedTest(size_t *ix, html, table)
{
    const hcase *c = &cases[*ix];
    char *got = decode(c->in, strlen(c->in));
    cr_expect_str_eq(got, c->want, "html(\"%s\")", c->in);
    free(got);
}

/* Every named entity of HTML 4 (Python's html.entities.name2codepoint, whose 252 names are
 * HTML 4.01's) and "apos", each decoded to its character ("nbsp" to a space): the table is
 * searched by its names as numbers, which must sort as the names do. */
Test(html, every_html4_entity)
{
    static const char in[] =        "&AElig;&Aacute;&Acirc;&Agrave;&Alpha;&Aring;&Atilde;&Auml;&Beta;&Ccedil;&Chi;&Dagger;&De"
        "lta;&ETH;&Eacute;&Ecirc;&Egrave;&Epsilon;&Eta;&Euml;&Gamma;&Iacute;&Icirc;&Igrave;&Iota;"
        "&Iuml;&Kappa;&Lambda;&Mu;&Ntilde;&Nu;&OElig;&Oacute;&Ocirc;&Ograve;&Omega;&Omicron;&Osla"
        "sh;&Otilde;&Ouml;&Phi;&Pi;&Prime;&Psi;&Rho;&Scaron;&Sigma;&THORN;&Tau;&Theta;&Uacute;&Uc"
        "irc;&Ugrave;&Upsilon;&Uuml;&Xi;&Yacute;&Yuml;&Zeta;&aacute;&acirc;&acute;&aelig;&agrave;"
        "&alefsym;&alpha;&amp;&and;&ang;&apos;&aring;&asymp;&atilde;&auml;&bdquo;&beta;&brvbar;&b"
        "ull;&cap;&ccedil;&cedil;&cent;&chi;&circ;&clubs;&cong;&copy;&crarr;&cup;&curren;&dArr;&d"
        "agger;&darr;&deg;&delta;&diams;&divide;&eacute;&ecirc;&egrave;&empty;&emsp;&ensp;&epsilo"
        "n;&equiv;&eta;&eth;&euml;&euro;&exist;&fnof;&forall;&frac12;&frac14;&frac34;&frasl;&gamm"
        "a;&ge;&gt;&hArr;&harr;&hearts;&hellip;&iacute;&icirc;&iexcl;&igrave;&image;&infin;&int;&"
        "iota;&iquest;&isin;&iuml;&kappa;&lArr;&lambda;&lang;&laquo;&larr;&lceil;&ldquo;&le;&lflo"
        "or;&lowast;&loz;&lrm;&lsaquo;&lsquo;&lt;&macr;&mdash;&micro;&middot;&minus;&mu;&nabla;&n"
        "bsp;&ndash;&ne;&ni;&not;&notin;&nsub;&ntilde;&nu;&oacute;&ocirc;&oelig;&ograve;&oline;&o"
        "mega;&omicron;&oplus;&or;&ordf;&ordm;&oslash;&otilde;&otimes;&ouml;&para;&part;&permil;&"
        "perp;&phi;&pi;&piv;&plusmn;&pound;&prime;&prod;&prop;&psi;&quot;&rArr;&radic;&rang;&raqu"
        "o;&rarr;&rceil;&rdquo;&real;&reg;&rfloor;&rho;&rlm;&rsaquo;&rsquo;&sbquo;&scaron;&sdot;&"
        "sect;&shy;&sigma;&sigmaf;&sim;&spades;&sub;&sube;&sum;&sup;&sup1;&sup2;&sup3;&supe;&szli"
        "g;&tau;&there4;&theta;&thetasym;&thinsp;&thorn;&tilde;&times;&trade;&uArr;&uacute;&uarr;"
        "&ucirc;&ugrave;&uml;&upsih;&upsilon;&uuml;&weierp;&xi;&yacute;&yen;&yuml;&zeta;&zwj;&zwn"
        "j;";
    static const char want[] =        "\xC3\x86\xC3\x81\xC3\x82\xC3\x80\xCE\x91\xC3\x85\xC3\x83\xC3\x84\xCE\x92\xC3\x87\xCE\xA7"
        "\xE2\x80\xA1\xCE\x94\xC3\x90\xC3\x89\xC3\x8A\xC3\x88\xCE\x95\xCE\x97\xC3\x8B\xCE\x93\xC3"
        "\x8D\xC3\x8E\xC3\x8C\xCE\x99\xC3\x8F\xCE\x9A\xCE\x9B\xCE\x9C\xC3\x91\xCE\x9D\xC5\x92\xC3"
        "\x93\xC3\x94\xC3\x92\xCE\xA9\xCE\x9F\xC3\x98\xC3\x95\xC3\x96\xCE\xA6\xCE\xA0\xE2\x80\xB3"
        "\xCE\xA8\xCE\xA1\xC5\xA0\xCE\xA3\xC3\x9E\xCE\xA4\xCE\x98\xC3\x9A\xC3\x9B\xC3\x99\xCE\xA5"
        "\xC3\x9C\xCE\x9E\xC3\x9D\xC5\xB8\xCE\x96\xC3\xA1\xC3\xA2\xC2\xB4\xC3\xA6\xC3\xA0\xE2\x84"
        "\xB5\xCE\xB1&\xE2\x88\xA7\xE2\x88\xA0'\xC3\xA5\xE2\x89\x88\xC3\xA3\xC3\xA4\xE2\x80\x9E"
        "\xCE\xB2\xC2\xA6\xE2\x80\xA2\xE2\x88\xA9\xC3\xA7\xC2\xB8\xC2\xA2\xCF\x87\xCB\x86\xE2\x99"
        "\xA3\xE2\x89\x85\xC2\xA9\xE2\x86\xB5\xE2\x88\xAA\xC2\xA4\xE2\x87\x93\xE2\x80\xA0\xE2\x86"
        "\x93\xC2\xB0\xCE\xB4\xE2\x99\xA6\xC3\xB7\xC3\xA9\xC3\xAA\xC3\xA8\xE2\x88\x85\xE2\x80\x83"
        "\xE2\x80\x82\xCE\xB5\xE2\x89\xA1\xCE\xB7\xC3\xB0\xC3\xAB\xE2\x82\xAC\xE2\x88\x83\xC6\x92"
        "\xE2\x88\x80\xC2\xBD\xC2\xBC\xC2\xBE\xE2\x81\x84\xCE\xB3\xE2\x89\xA5>\xE2\x87\x94\xE2"
        "\x86\x94\xE2\x99\xA5\xE2\x80\xA6\xC3\xAD\xC3\xAE\xC2\xA1\xC3\xAC\xE2\x84\x91\xE2\x88\x9E"
        "\xE2\x88\xAB\xCE\xB9\xC2\xBF\xE2\x88\x88\xC3\xAF\xCE\xBA\xE2\x87\x90\xCE\xBB\xE2\x8C\xA9"
        "\xC2\xAB\xE2\x86\x90\xE2\x8C\x88\xE2\x80\x9C\xE2\x89\xA4\xE2\x8C\x8A\xE2\x88\x97\xE2\x97"
        "\x8A\xE2\x80\x8E\xE2\x80\xB9\xE2\x80\x98<\xC2\xAF\xE2\x80\x94\xC2\xB5\xC2\xB7\xE2\x88"
        "\x92\xCE\xBC\xE2\x88\x87 \xE2\x80\x93\xE2\x89\xA0\xE2\x88\x8B\xC2\xAC\xE2\x88\x89\xE2"
        "\x8A\x84\xC3\xB1\xCE\xBD\xC3\xB3\xC3\xB4\xC5\x93\xC3\xB2\xE2\x80\xBE\xCF\x89\xCE\xBF\xE2"
        "\x8A\x95\xE2\x88\xA8\xC2\xAA\xC2\xBA\xC3\xB8\xC3\xB5\xE2\x8A\x97\xC3\xB6\xC2\xB6\xE2\x88"
        "\x82\xE2\x80\xB0\xE2\x8A\xA5\xCF\x86\xCF\x80\xCF\x96\xC2\xB1\xC2\xA3\xE2\x80\xB2\xE2\x88"
        "\x8F\xE2\x88\x9D\xCF\x88\x22\xE2\x87\x92\xE2\x88\x9A\xE2\x8C\xAA\xC2\xBB\xE2\x86\x92\xE2"
        "\x8C\x89\xE2\x80\x9D\xE2\x84\x9C\xC2\xAE\xE2\x8C\x8B\xCF\x81\xE2\x80\x8F\xE2\x80\xBA\xE2"
        "\x80\x99\xE2\x80\x9A\xC5\xA1\xE2\x8B\x85\xC2\xA7\xC2\xAD\xCF\x83\xCF\x82\xE2\x88\xBC\xE2"
        "\x99\xA0\xE2\x8A\x82\xE2\x8A\x86\xE2\x88\x91\xE2\x8A\x83\xC2\xB9\xC2\xB2\xC2\xB3\xE2\x8A"
        "\x87\xC3\x9F\xCF\x84\xE2\x88\xB4\xCE\xB8\xCF\x91\xE2\x80\x89\xC3\xBE\xCB\x9C\xC3\x97\xE2"
        "\x84\xA2\xE2\x87\x91\xC3\xBA\xE2\x86\x91\xC3\xBB\xC3\xB9\xC2\xA8\xCF\x92\xCF\x85\xC3\xBC"
        "\xE2\x84\x98\xCE\xBE\xC3\xBD\xC2\xA5\xC3\xBF\xCE\xB6\xE2\x80\x8D\xE2\x80\x8C";
    char *got = decode(in, strlen(in));
    cr_expect_str_eq(got, want);
    free(got);
}

static char *decode_post(const char *s)
{
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_html_decode_post(s, strlen(s), &b), 0);
    kd_buf_putc(&b, 'X');
    b.s[--b.len] = '\0';
    return kd_buf_detach(&b);
}

static hcase post_cases[] = {
    /* the post that made "caption attachment alignnone width gallery ids" relevant */
    { "<p>Pruning.</p><script>var trackingpixelzzz = analyticsqqq();</script>"
      "<style>.entry{color:red}</style>"
      "[caption id=\"attachment_5\" align=\"alignnone\" width=\"300\"]<img src=\"r.jpg\" "
      "width=\"300\"> Pruned rosebush[/caption] [gallery ids=\"1,2,3\"]",
      "\nPruning.\n\n Pruned rosebush\n \n" },
    { "[embed]https://youtu.be/x[/embed]", "\nhttps://youtu.be/x\n" },
    { "a[gallery/]b[audio-player_2 src=x.mp3 /]c", "a\nb\nc" },
    { "[[gallery]] shows a gallery", "[[gallery]] shows a gallery" }, /* WordPress's escape */
    { "[1] [2a] [] [/] [a=b] [a.b] [/a b] [-x] [_x]", "[1] [2a] [] [/] [a=b] [a.b] [/a b] [-x] [_x]" },
    { "[never closed and [x", "[never closed and [x" },
    { "x &amp; [b]y[/b] &lt;", "x & \ny\n <" },
    /* notes in square brackets are text: not lower case, or words rather than attributes */
    { "[Content warning: grief] Losing a parent", "[Content warning: grief] Losing a parent" },
    { "[update 2024: added helplines] Call", "[update 2024: added helplines] Call" },
    { "[Note] [x=\"1\"]", "[Note] [x=\"1\"]" },
    { "a[contact-form-7 id=\"12\" title=\"Contact me\"]b[quote 'anon' by=x]c", "a\nb\nc" },
    { "a[x k=\"unclosed]b", "a[x k=\"unclosed]b" },
};

#define NPOST (sizeof post_cases / sizeof *post_cases)
static size_t post_index[NPOST];

ParameterizedTestParameters(html, post_table)
{
    for (size_t i = 0; i < NPOST; i++)
        post_index[i] = i;
    return cr_make_param_array(size_t, post_index, NPOST);
}

ParameterizedTest(size_t *ix, html, post_table)
{
    const hcase *c = &post_cases[*ix];
    char *got = decode_post(c->in);
    cr_expect_str_eq(got, c->want, "html_post(\"%s\")", c->in);
    free(got);
}

Test(html, post_shortcode_far_close_is_text)
{
    size_t n = 3000;
    char *in = malloc(n + 1);
    memset(in, 'x', n);
    memcpy(in, "[a ", 3);
    in[n - 1] = ']';
    in[n] = '\0';
    char *got = decode_post(in);
    cr_expect_str_eq(got, in); /* no ']' within 1 KiB: the '[' is kept as text */
    free(got);
    free(in);
}

Test(html, maybe)
{
    cr_expect_not(kd_html_post_maybe("plain text", 10));
    cr_expect(kd_html_post_maybe("[gallery]", 9));
    cr_expect(kd_html_post_maybe("a &amp; b", 9));
    cr_expect_not(kd_html_maybe("[gallery]", 9));
    cr_expect_not(kd_html_maybe("plain text", 10));
    cr_expect(kd_html_maybe("a &amp; b", 9));
    cr_expect(kd_html_maybe("a <b", 4));
}

Test(html, bytes_pass_through)
{
    char *got = decode("a\0b\xFF<b>c</b>", 12);
    cr_expect_eq(memcmp(got, "a\0b\xFF" "c", 5), 0);
    free(got);
}

Test(html, long_tag_is_text)
{
    size_t n = 3000;
    char *in = malloc(n + 1);
    memset(in, 'x', n);
    memcpy(in, "<b ", 3);
    in[n - 1] = '>';
    in[n] = '\0';
    char *got = decode(in, n);
    cr_expect_eq(strlen(got), n); /* no '>' within 1 KiB: the '<' is kept as text */
    free(got);
    free(in);
}

/* Pathological input: many openers with no closer must stay linear. */
static void pathological(const char *unit)
{
    size_t n = (size_t)1 << 20, u = strlen(unit);
    char *in = malloc(n);
    cr_assert_not_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = unit[i % u];
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_html_decode(in, n, &b), 0);
    cr_expect(b.len <= n);
    kd_buf_free(&b);
    free(in);
}

Test(html, unclosed_tags_linear, .timeout = 10) { pathological("<a href=\"x "); }
Test(html, unfinished_entities_linear, .timeout = 10) { pathological("&#1234&amp&"); }
Test(html, comments_and_tags_linear, .timeout = 10) { pathological("<!-- <b>x</b> -- > <p"); }
Test(html, raw_elements_linear, .timeout = 10) { pathological("<script></scrip </scriptx <style>"); }
Test(html, quoted_values_linear, .timeout = 10) { pathological("<i a=\"> <b c='> <a x=\"y "); }

/* The post-only pass over the same shapes, and unclosed shortcodes. */
static void pathological_post(const char *unit)
{
    size_t n = (size_t)1 << 20, u = strlen(unit);
    char *in = malloc(n + 1);
    cr_assert_not_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = unit[i % u];
    in[n] = '\0';
    kd_buf b = KD_BUF_INIT;
    cr_assert_eq(kd_html_decode_post(in, n, &b), 0);
    cr_expect(b.len <= n);
    kd_buf_free(&b);
    free(in);
}

Test(html, unclosed_shortcodes_linear, .timeout = 10) { pathological_post("[a b [/c [1 ["); }
Test(html, post_mixed_linear, .timeout = 10) { pathological_post("[x]<a href=\"x [/x] &#12"); }
