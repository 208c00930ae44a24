/*
 * html.h - reduce comment HTML to the text a reader sees (internal).
 *
 * Comment bodies often hold a little HTML: entities from WordPress ("&amp;", "&#8217;"),
 * <br />, <a href>. The tokenizer wants text, but a link's target is the most telling part
 * of a spam comment, so the href of an <a> tag is kept as text. Post bodies (`kindly posts`,
 * from `wp post list`) hold more: inline scripts and styles, and WordPress shortcodes.
 */
#ifndef KD_HTML_H
#define KD_HTML_H

#include <stddef.h>

#include "buf.h"

/*
 * Append the text of s[0..n) to out, in one pass:
 *  - entities are decoded: the common named ones (&amp; &lt; &gt; &quot; &apos; &nbsp;
 *    &hellip; &rsquo; &ldquo; &mdash; &euro; &pound; ...; see html.c) and numeric &#NNN;
 *    &#xHH; (the ';' may be missing; invalid code points give U+FFFD, &#128;..&#159; are read
 *    as Windows-1252 like browsers do). &nbsp; becomes a plain space. Unknown entities and a
 *    bare '&' ("T&C") stay as they are;
 *  - tags are removed: <a href="URL"> becomes " URL ", block tags (br, p, div, li, h1..h6,
 *    ...) become "\n", other tags (b, i, span, img, ...) become nothing, as a browser shows
 *    "un<b>believ</b>able" as one word; a tag ends at its first '>' outside a quoted
 *    attribute value (<img alt="a > b"> is one tag, as in a browser; with the quote not
 *    closed, at its first '>'); <!-- comments --> are removed, ending where a browser ends
 *    them (at "-->" or "--!>", "<!-->" at once; an unclosed one runs to the end);
 *  - the content of <script>, <style>, <noscript> and <template> is removed with the tags
 *    (case-insensitive, up to the matching end tag; an unclosed one runs to the end), since a
 *    reader never sees it and its words are code;
 *  - a '<' that does not open a plausible tag ("I <3 u", "x < y", a tag without '>' within
 *    1 KiB) stays as text.
 * Bytes are copied as they are: invalid UTF-8 is left for kd_normalize(). Linear time on any
 * input. Returns 0 or KD_ENOMEM.
 */
int kd_html_decode(const char *s, size_t n, kd_buf *out);

/*
 * kd_html_decode() for a post body, which also removes WordPress shortcode markers and keeps
 * what they enclose: "[caption id=\"attachment_5\" width=\"300\"]<img> Pruned rosebush[/caption]"
 * gives "\n Pruned rosebush\n", "[gallery ids=\"1,2,3\"]" gives "\n" (a marker becomes "\n":
 * most shortcodes render as blocks). A marker is "[name ...]", "[name/]" or "[/name]", name a
 * letter then letters, digits, '_' or '-', closed by the first ']' within 1 KiB;
 * "[[name]]" (WordPress's escape) stays as it is. Comments do not get this: there "[sic]",
 * "[quote]" or "[edit]" are words the commenter wrote, and no WordPress renders shortcodes in
 * comments. Linear time on any input. Returns 0 or KD_ENOMEM.
 */
int kd_html_decode_post(const char *s, size_t n, kd_buf *out);

/* 1 if s[0..n) contains '<' or '&', i.e. kd_html_decode() might change it. */
int kd_html_maybe(const char *s, size_t n);

/* 1 if s[0..n) contains '<', '&' or '[', i.e. kd_html_decode_post() might change it. */
int kd_html_post_maybe(const char *s, size_t n);

#endif
