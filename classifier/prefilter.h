/*
 * prefilter.h - skip the rules that cannot match: required literals and one Aho-Corasick
 * scan (internal).
 */
#ifndef KD_PREFILTER_H
#define KD_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct kd_prefilter kd_prefilter;
struct kd_buf;

int kd_prefilter_new(kd_prefilter **out); /* 0 or KD_ENOMEM */
void kd_prefilter_free(kd_prefilter *p);

/*
 * Extract from the PCRE2 pattern pat[0..n) literals that every match must contain (compared
 * ASCII case-insensitively): for each top-level alternative, clauses of literals, one of
 * each clause occurring in any match of that alternative. Returns 1 and records them under
 * id when it could, 0 when it could not (the rule must then always run), or KD_ENOMEM.
 * extended: the pattern uses the x flag (white space is not literal): never extracted.
 */
int kd_prefilter_add(kd_prefilter *p, unsigned id, const char *pat, size_t n, int extended);

/* For a compiled rule file (rules_compiled.c): append to out the saved form of what id has
 * registered (or that it has not), and register it again from that form, as
 * kd_prefilter_add registered it, without analysing the pattern (0.6 million instructions
 * for the shipped rules). save: 0 or KD_ENOMEM; add_saved: 1, 0 (not registered),
 * KD_ENOMEM, or KD_EPARSE for bytes that are not such a form (nothing registered). */
int kd_prefilter_save(const kd_prefilter *p, unsigned id, struct kd_buf *out);
int kd_prefilter_add_saved(kd_prefilter *p, unsigned id, const unsigned char *s, size_t n);

/* Build the automaton after the last add: worth it for many scans (its build costs about as
 * much as a few dozen scans without it). Until it is built, or if building fails, scans
 * search each literal directly, with the same result. 0 or KD_ENOMEM. Not thread-safe: build
 * before sharing p between threads. */
int kd_prefilter_build(kd_prefilter *p);

/* 1 once the automaton is built. */
int kd_prefilter_built(const kd_prefilter *p);

/* Number of 64-bit words of the id bitset kd_prefilter_scan fills. */
size_t kd_prefilter_words(const kd_prefilter *p);

/* Fill hits (kd_prefilter_words() words, zeroed by the caller) with the clauses one of whose
 * literals occurs in s[0..n). Read-only on p: threads may scan concurrently. */
void kd_prefilter_scan(const kd_prefilter *p, const char *s, size_t n, uint64_t *hits);

/* 1 when the scan is valid for s[0..n) (it holds no character that a caseless pattern
 * letter would match but an ASCII comparison would not), else 0: run every rule. */
int kd_prefilter_usable(const char *s, size_t n);

/* 0 when, given the scan's hits, the pattern registered under id cannot match; 1 when it
 * may (or when id was not registered). */
int kd_prefilter_may_match(const kd_prefilter *p, unsigned id, const uint64_t *hits);

/* The same for every registered pattern at once, without a call each: bit s of may
 * ((kd_prefilter_slots() + 63) / 64 words, all written) is kd_prefilter_may_match() of the
 * pattern in slot s: the registered ids numbered in the order they were registered in
 * (kd_prefilter_slot(p, id), -1 when id is not registered). */
size_t kd_prefilter_slots(const kd_prefilter *p);
long kd_prefilter_slot(const kd_prefilter *p, unsigned id);
void kd_prefilter_possible(const kd_prefilter *p, const uint64_t *hits, uint64_t *may);

/* For tests and `kindly rules --check`: the literals recorded for id, one per call
 * (i from 0); NULL past the last. */
const char *kd_prefilter_literal(const kd_prefilter *p, unsigned id, size_t i);

/*
 * Word-list entries (moderate, disallow): often tens of thousands of plain phrases, each
 * matched case-insensitively anywhere in six fields. Too many for the automaton above (its
 * tables grow with literals times clauses), so they get an index of their own: a hash of
 * each entry's first (up to) four bytes, looked up at every position of a field, and each
 * entry found there compared whole. A scan marks a superset of the entries that match: the
 * caller confirms each with its pattern, so that nothing about matching changes.
 */
typedef struct kd_wordset kd_wordset;

int kd_wordset_new(kd_wordset **out); /* 0 or KD_ENOMEM */
void kd_wordset_free(kd_wordset *w);

/* Index the entry s[0..n) (n >= 1). Returns 1 and sets *entry (numbered from 0 in the order
 * of adding) when it is ASCII, 0 when it is not (the caller must then always run it: its
 * caseless matches are not ASCII comparisons), or KD_ENOMEM. */
int kd_wordset_add(kd_wordset *w, const char *s, size_t n, unsigned *entry);

/* Number of 64-bit words of the entry bitset kd_wordset_scan fills (0 when empty). */
size_t kd_wordset_words(const kd_wordset *w);

/* Set in hits (kd_wordset_words() words, zeroed by the caller) the entries that occur in
 * s[0..n), compared ASCII case-insensitively. Valid only where kd_prefilter_usable(s, n).
 * Read-only on w: threads may scan concurrently. */
void kd_wordset_scan(const kd_wordset *w, const char *s, size_t n, uint64_t *hits);

#endif
