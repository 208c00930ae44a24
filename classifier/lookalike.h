/*
 * lookalike.h - Latin words disguised with Cyrillic or Greek letters (internal).
 *
 * "vіаgrа" with a Cyrillic і and а, "ΝEW" with a Greek Ν, "pаypаl.com" with a Cyrillic а:
 * a word that mixes Latin letters with Cyrillic or Greek ones that pass for Latin letters
 * is a spammer's disguise, not a language. The tokenizer, the duplicates stage and the
 * rules read such a word as the Latin word a reader sees; the tokenizer also says that it
 * was disguised ("#mixedscript").
 */
#ifndef KD_LOOKALIKE_H
#define KD_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The Latin letter that the Cyrillic or Greek letter cp (as written, before case folding:
 * "Ν" is N, "ν" is v) passes for in common fonts, or 0. A letter without an entry (μ, Ω, ж)
 * does not make a word mixed: "500µg" (µ is μ after NFKC) and "10kΩ" are no disguise. */
char kd_lookalike(int32_t cp);

/* Where the disguised words of a text are: the offset of each one's first letter read as
 * Latin, in kd_latin_reading()'s out. */
typedef struct kd_mixed {
    size_t *at;
    size_t n, cap;
} kd_mixed;

#define KD_MIXED_INIT { NULL, 0, 0 }

void kd_mixed_free(kd_mixed *m);

/*
 * Copy s[0..n) to out (cleared first) with each word that mixes Latin letters (ASCII,
 * Latin-1 and Latin Extended) with look-alikes written in Latin letters, capitals as
 * capitals, and so each word of two or more look-alikes only (and no other letter) that is
 * in a label of a host (with no other letter beside ASCII letters, digits and hyphens)
 * under a Latin top-level domain other than a Cyrillic- or Greek-writing country's or the
 * European Union's ("аррӏе.com", "аррӏе-login.com", not "аррӏе.ru", "аррӏе.eu"; a domain
 * that mixes ASCII letters with look-alikes is judged as read in Latin: "аррӏе.соm" is
 * "apple.com", while a wholly Cyrillic one, "аррӏе.ком" or "аррӏе.рф", is no Latin one;
 * so is a top-level domain of look-alikes only that reads as one the tokenizer knows, "со",
 * after such labels or ASCII ones, "аррӏе.со/x" and "apple.со/x"):
 * any after "//", "@" or "www.", else one that makes a bare host a link for the tokenizer
 * (kd_tld_kind; not "Сорос.pdf"), and never in a URL's path; the other words, whatever
 * their script, and everything between words are copied as they are. A word is a run of
 * letters, marks and digits (not Chinese, Japanese, Korean or emoji; an apostrophe inside a
 * word joins it, as in the tokenizer: "it's"). When mixed is not NULL it is cleared and
 * receives, for each such word in order, the offset in out of its first letter read as
 * Latin. Invalid UTF-8 is copied and ends a word. Returns 1 when a word was rewritten, 0
 * when out is s unchanged, or KD_ENOMEM (negative).
 */
int kd_latin_reading(const char *s, size_t n, kd_buf *out, kd_mixed *mixed);

/* 0 when s[0..n) cannot hold a look-alike letter (no byte that starts U+0391..U+051D):
 * kd_latin_reading() would copy it unchanged. A quick test for the common text. */
int kd_lookalike_maybe(const char *s, size_t n);

#endif
