/*
 * normalize.h - Unicode text normalisation shared by the tokenizer and duplicate detection
 * (internal).
 */
#ifndef KD_NORMALIZE_H
#define KD_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Flags for kd_normalize(). */
#define KD_NORM_FOLD        0x01 /* Unicode case folding (utf8proc CASEFOLD) */
#define KD_NORM_NFKC        0x02 /* compatibility composition: fullwidth, ligatures, ... */
#define KD_NORM_SPACE       0x04 /* collapse runs of white space to one ' ', trim both ends */
#define KD_NORM_NOPUNCT     0x08 /* drop punctuation and symbols (letters, digits, emoji stay) */
#define KD_NORM_KEEPCC      0x10 /* keep control characters (else they become ' ') */
#define KD_NORM_PLAIN       0x20 /* with KD_NORM_NFKC: Zalgo marks dropped, fancy letters
                                    read as ASCII ones (below) */
#define KD_NORM_DIGITS      0x40 /* decimal digits of other scripts as ASCII ones: "١٢٣",
                                    "१२३" are "123" (the tokenizer's numbers) */
#define KD_NORM_DEFAULT     (KD_NORM_FOLD | KD_NORM_NFKC)

/*
 * Append the normalised form of s[0..n) to out. Always:
 *  - invalid UTF-8 sequences become U+FFFD (never an error);
 *  - zero-width characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD soft hyphen) and emoji
 *    variation selectors (U+FE0E, U+FE0F) are removed;
 *  - NUL and other C0/C1 control characters except \t \n \r become ' ' (kept as they are
 *    with KD_NORM_KEEPCC).
 * With KD_NORM_PLAIN (and KD_NORM_NFKC), text a reader still reads as plain letters is
 * written as those: a combining mark that NFKC did not compose with its letter (Zalgo text,
 * "v̷i̶a̸g̵r̴a̷") is dropped, and the Latin, Greek or Cyrillic letter that carried it is
 * written bare, its composed accents dropped too ("ṽ̷" is "v"; "café" keeps its accent, and
 * so does a Cyrillic or Greek look-alike whose Latin double composes with it, "cаfе́");
 * "fancy text" letters NFKC leaves alone, the negative circled and squared capitals
 * ("🅵🆁🅴🅴", emoji to Unicode) and the small capitals ("ꜰʀᴇᴇ"), are the ASCII letters
 * they show (capitals and lower case as shown; lower case with KD_NORM_FOLD). The
 * tokenizer, the duplicates stage and the rules read text so.
 * ASCII-only input takes a fast path that does not call utf8proc.
 * Returns 0 or KD_ENOMEM.
 */
int kd_normalize(const char *s, size_t n, unsigned flags, kd_buf *out);

/* 1 if s[0..n) is valid UTF-8 without NUL bytes, else 0 and *bad_at = byte offset. */
int kd_utf8_valid(const char *s, size_t n, size_t *bad_at);

/* Length of the ASCII prefix of s[0..n) (bytes below 0x80), eight bytes at a time: n when
 * the whole text is ASCII. */
size_t kd_ascii_prefix(const char *s, size_t n);

/* Decode the code point at s[0..n), n >= 1. Returns its length in bytes (1..4) and sets *cp;
 * an invalid, overlong, surrogate or truncated sequence returns 1 with *cp = -1. */
size_t kd_utf8_decode(const char *s, size_t n, int32_t *cp);

/* Write cp (a Unicode scalar value) as UTF-8 to dst[0..4); returns the length. Anything
 * else (negative, surrogate, > U+10FFFF) is written as U+FFFD. */
size_t kd_utf8_encode(int32_t cp, char *dst);

/* 1 if cp is an emoji: the pictographic blocks U+1F000..U+1FAFF, U+2600..U+27BF and a few
 * stragglers (stars, arrows, clocks) that approximate Extended_Pictographic. */
int kd_is_emoji(int32_t cp);

/* 1 if cp is written without spaces between words: Han ideographs (with their iteration
 * mark), Hiragana, Katakana and Hangul syllables. kindly reads a run of them as
 * overlapping two-character words (tokenize.c), the usual way to index Chinese, Japanese
 * and Korean without a dictionary. */
int kd_is_cjk(int32_t cp);

#endif
