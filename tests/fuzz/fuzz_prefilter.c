/*
 * fuzz_prefilter.c - libFuzzer target for the rules stage's prefilter (classifier/prefilter.c):
 * the required literals it extracts from a PCRE2 pattern, and its two scans (each literal
 * searched directly, and the Aho-Corasick automaton).
 *
 * The property checked: if the prefilter skips a pattern on a text, PCRE2 does not match
 * that pattern on that text (soundness). The target decides whether the prefilter applies
 * exactly as the rules stage does (classifier/rules.c, rules_eval.c):
 *  - the pattern is compiled as a `text` rule's is (rules.c compile(): PCRE2_UTF |
 *    PCRE2_MATCH_INVALID_UTF, PCRE2_UCP unless the a flag, caseless, multi-line, dot-all,
 *    extended for i m s x) and, when it is ASCII, with its byte-mode twin (compile_ascii():
 *    no UTF, no UCP), which the stage uses on pure-ASCII texts once kd_rules_jit_compile has
 *    run (the same call builds the automaton); an input whose pattern does not compile, or
 *    is empty or holds a NUL byte, is skipped, as a rule file holding it would not load;
 *  - kd_prefilter_add() gets the x flag as its last argument, and the rule is prefiltered
 *    only when it returns 1;
 *  - the text is a C string (a NUL ends it); the scan covers its first scan_size bytes
 *    (65536, or 1024 - the smallest scan_size - with FLAGS bit 0x80) and the pattern sees them
 *    cut back to a character boundary (rules_eval.c scanned()); the prefilter is used only
 *    when kd_prefilter_words() is 1..8 and kd_prefilter_usable() holds for the text (no
 *    KELVIN SIGN or LONG S); otherwise every rule runs and there is nothing to check. (The
 *    stage removes invisible characters before both the scan and the match: the text here
 *    stands for what remains.)
 *  - the match uses the rule set's default limits (a match that hits one is not a match).
 * Soundness is checked before kd_prefilter_build (direct scan; matched with the UTF pattern,
 * as before kd_rules_jit_compile) and after it (automaton; with the UTF pattern and, on an
 * ASCII text, the twin too). Beyond it: kd_prefilter_add returns 0 or 1, its literals are
 * non-empty ASCII, a registered pattern's literals are listed, an unregistered id always
 * runs, and both scans set the same hits.
 *
 * Input: FLAGS (one byte), the pattern up to the first '\n' (a rule's pattern is one line),
 * then the text (may hold newlines). FLAGS bits: 0x01 caseless (i), 0x02 multi-line (m),
 * 0x04 dot-all (s), 0x08 extended (x), 0x10 no UCP (a), 0x20 register twelve text patterns
 * of models/default.rules twice first (so that the pattern's clause ids pass 64: a second
 * bitset word), 0x80 scan_size 1024. The printable bytes make readable seeds: '@' none, 'A'
 * i, 'B' m, 'D' s, 'P' a, 'a' i and the default patterns. The fuzzer sees no coverage inside
 * PCRE2, so each input is checked on more texts than its own: three made from the pattern
 * (itself, without its backslashes, without its regex syntax characters), which PCRE2
 * often matches; each of these four without one of the pattern's first four literals (a
 * text that keeps the rest of a match, for a literal that may not be required); and "".
 * The two scans are also compared on the input's text after 4070 spaces (across the direct
 * scan's first window), without PCRE2: its interpreter can take seconds on such a text
 * within the rule set's match limits ("x|\s+\s+:", caseless: 16 s).
 *
 * Build with clang (the library built with the same sanitizers, in its own directory):
 *   make CC=clang SANITIZE=fuzzer-no-link,address,undefined B=build-fuzz build-fuzz/libkindly.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iclassifier tests/fuzz/fuzz_prefilter.c \
 *       build-fuzz/libkindly.a $(pkg-config --libs libpcre2-8 sqlite3 libutf8proc) -lcsv -lm \
 *       -lpthread -o fuzz_prefilter
 *   mkdir -p new && ./fuzz_prefilter -max_len=512 -dict=tests/fuzz/prefilter.dict \
 *       -max_total_time=1200 new tests/fuzz/corpus/prefilter
 * Without libFuzzer, link tests/fuzz/standalone_driver.c instead (make fuzz-replay).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "normalize.h"
#include "prefilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F_CASELESS 0x01
#define F_MULTILINE 0x02
#define F_DOTALL 0x04
#define F_EXTENDED 0x08
#define F_NO_UCP 0x10
#define F_FILLER 0x20
#define F_SMALL_SCAN 0x80

/* Text patterns of models/default.rules, registered (twice) before the fuzzed one with
 * F_FILLER. */
static const char *const filler[] = {
    "\\b(?:buy|order|cheap|discount|generic|purchase)\\b\\W+(?:\\w+\\W+){0,3}(?:viagra|cialis|levitra|xanax|"
    "valium|tramadol|oxycodone|oxycontin|adderall|phentermine|modafinil|ambien|percocet|klonopin|ativan|soma)\\b",
    "\\b(?:no|without(?:\\s+a)?)\\s+(?:prior\\s+)?(?:prescription|rx)\\b(?!\\s+(?:from|by)\\b)",
    "\\b(?:online|overnight|discreet)\\s+(?:pharmacy|drugstore|meds|pills|shipping)\\b|\\bpharmacy\\s+online\\b",
    "\\bmiracle\\s+(?:cure|pill|remedy|supplement|oil)|\\b(?:cures?|heals?|reverses?|eliminates?)\\s+(?:your\\s+)?"
    "(?:anxiety|depression|diabetes|cancer|insomnia|ptsd|adhd|arthritis|tinnitus)\\s+(?:in|within)\\s+\\d+\\s+"
    "(?:days?|weeks?|hours?)|\\b100\\s?%\\s+(?:natural|guaranteed|cure)",
    "\\b(?:lose|lost|drop|burn)\\s+\\d+\\s*(?:lbs?|pounds|kgs?|kilos)\\b.{0,40}\\b(?:days?|weeks?|without)|"
    "\\b(?:keto|diet|slimming|fat.?burn(?:er|ing))\\s+(?:pills|gummies|drops|tea|supplement)",
    "\\b(?:bitcoin|btc|crypto(?:currency)?|forex|binary\\s+options?|ethereum|usdt)\\b.{0,60}\\b(?:invest(?:ment|"
    "ing|ed)?|profits?|returns?|trad(?:e|ing)|mining|earn(?:ed|ing)?)\\b",
    "\\b(?:seo\\s+(?:services?|expert|agency|packages?)|back\\s?links?|guest\\s+post(?:ing|s)?|do-?follow|link\\s+"
    "building|domain\\s+authority|rank\\s+(?:your\\s+(?:site|website|blog)|(?:on|higher\\s+on)\\s+google))\\b",
    "\\[(?:url|link)\\s*=|\\[url\\]",
    "\\b(?:bit\\.ly|tinyurl\\.com|goo\\.gl|t\\.co|ow\\.ly|is\\.gd|cutt\\.ly|rebrand\\.ly|shorturl\\.at|tiny\\.cc)"
    "\\/\\w",
    "\\b(?:check\\s*(?:out|it\\s+out)?|visit|watch|see|look\\s+at)\\s+(?:out\\s+)?my\\s+(?:new\\s+)?(?:channel|"
    "videos?|page|blog|website|site|profile|music|songs?|covers?|account|instagram|playlist|shop|store)\\b",
    "\\b(?:please\\s+|pls\\s+|plz\\s+)?subscribe\\s+(?:to\\s+)?(?:my|me|our)\\b|\\bsub\\s*(?:4|for)\\s*sub\\b|"
    "\\bsubscribe\\s+(?:back|please|plz|pls)\\b|\\bfollow\\s+(?:me\\s+)?(?:on|at)\\s+(?:instagram|insta|twitter|"
    "tiktok|facebook|soundcloud|spotify)\\b",
    "\\bkeep\\s+up\\s+the\\s+(?:good|great)\\s+work\\b|\\bkeep\\s+(?:on\\s+)?sharing\\b|\\bvaluable\\s+(?:content|"
    "information|info|posts?|articles?)\\b|\\binformative\\s+(?:post|article|blog|content)\\b|\\b(?:very|really|"
    "so|most)\\s+informative\\b|\\bthanks?\\s+for\\s+sharing\\s+(?:such\\s+)?(?:a\\s+|this\\s+)?(?:great|valuable|"
    "wonderful|informative|useful|nice)\\s+(?:post|article|content|information|info)\\b",
};
#define NFILLER (sizeof filler / sizeof *filler)

/* The rule set's defaults (rules.c): match_limit, depth_limit, heap_limit (KiB). */
static pcre2_match_context *match_context(void)
{
    static pcre2_match_context *mctx;
    if (!mctx) {
        if (!(mctx = pcre2_match_context_create(NULL)))
            abort();
        pcre2_set_match_limit(mctx, 1000000);
        pcre2_set_depth_limit(mctx, 100000);
        pcre2_set_heap_limit(mctx, 16384);
    }
    return mctx;
}

NOCOV static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\%03o", c); /* octal: a digit after it is not taken in */
    }
}

/* Report a broken promise (pattern and text as C string literals) and abort. */
NOCOV static void fail(const char *what, const char *pat, size_t plen, uint8_t flags, const char *text, size_t tn)
{
    fprintf(stderr, "fuzz_prefilter: %s\n  flags 0x%02x\n  pattern \"", what, flags);
    put_escaped(pat, plen);
    fprintf(stderr, "\"\n  text \"");
    put_escaped(text, tn);
    fprintf(stderr, "\"\n");
    abort();
}

/* 1 when re matches s[0..n) (an error, such as a limit reached, is no match). */
static int matches(const pcre2_code *re, const char *s, size_t n, pcre2_match_data *md)
{
    return re && pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, match_context()) >= 0;
}

/* A few distinct paths for libFuzzer to tell outcomes apart (PCRE2 itself is not
 * instrumented): matched or not, prefiltered, skipped or run. */
static volatile unsigned sink;
static void outcome(int matched, int used, int run)
{
    if (matched) {
        if (!used)
            sink++;
        else if (run)
            sink += 2;
    } else if (used) {
        if (run)
            sink += 3;
        else
            sink += 4;
    }
}

/* Copy s[0..n) to out without the occurrences of lit (lower case, compared ASCII
 * case-insensitively): a text that keeps the rest of a match but lacks a literal. */
static size_t cut(char *out, const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit), k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = 0;
        while (j < m && i + j < n && (s[i + j] >= 'A' && s[i + j] <= 'Z' ? s[i + j] + 32 : s[i + j]) == lit[j])
            j++;
        if (m && j == m)
            i += m;
        else
            out[k++] = s[i++];
    }
    out[k] = '\0';
    return k;
}

#define MAX_CUT 4                       /* literals cut from each text */
#define PAD 4070                        /* spaces before the input's text in one more */
#define NSUB (4 + 4 * MAX_CUT + 2)

typedef struct subject {
    const char *s;
    size_t n;
} subject;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    const char *pat = (const char *)data + 1;
    const char *nl = memchr(pat, '\n', size - 1);
    size_t plen = nl ? (size_t)(nl - pat) : size - 1;
    if (plen == 0 || memchr(pat, '\0', plen))
        return 0; /* "the pattern is empty", "NUL byte in the rule file" */
    /* the text, a C string in an allocation of its own exact size */
    size_t traw = nl ? size - 1 - plen - 1 : 0;
    char *text = malloc(traw + 1);
    if (!text)
        return 0;
    if (traw)
        memcpy(text, nl + 1, traw);
    text[traw] = '\0';

    uint32_t opts = PCRE2_UCP;
    if (flags & F_CASELESS)
        opts |= PCRE2_CASELESS;
    if (flags & F_MULTILINE)
        opts |= PCRE2_MULTILINE;
    if (flags & F_DOTALL)
        opts |= PCRE2_DOTALL;
    if (flags & F_EXTENDED)
        opts |= PCRE2_EXTENDED;
    if (flags & F_NO_UCP)
        opts &= ~(uint32_t)PCRE2_UCP;
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, plen, opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &at, NULL);
    if (!re) {
        free(text);
        return 0;
    }
    pcre2_code *re_ascii = NULL;
    if (kd_ascii_prefix(pat, plen) == plen)
        re_ascii = pcre2_compile((PCRE2_SPTR)pat, plen, opts & ~(uint32_t)PCRE2_UCP, &err, &at, NULL);

    kd_prefilter *p;
    if (kd_prefilter_new(&p))
        abort();
    unsigned id = 0;
    if (flags & F_FILLER)
        for (int round = 0; round < 2; round++)
            for (size_t i = 0; i < NFILLER; i++)
                if (kd_prefilter_add(p, id++, filler[i], strlen(filler[i]), 0) != 1)
                    fail("a default pattern was not registered", filler[i], strlen(filler[i]), flags, "", 0);
    int prefiltered = kd_prefilter_add(p, id, pat, plen, (opts & PCRE2_EXTENDED) != 0);
    if (prefiltered != 0 && prefiltered != 1)
        fail("kd_prefilter_add returned neither 0 nor 1", pat, plen, flags, "", 0);
    size_t nlit = 0;
    for (const char *l; (l = kd_prefilter_literal(p, id, nlit)); nlit++) {
        if (!*l)
            fail("an empty literal", pat, plen, flags, "", 0);
        for (const char *c = l; *c; c++)
            if ((unsigned char)*c >= 0x80)
                fail("a non-ASCII literal", pat, plen, flags, l, strlen(l));
    }
    if (prefiltered && !nlit)
        fail("registered without a literal", pat, plen, flags, "", 0);
    if (!prefiltered && nlit)
        fail("literals listed for a pattern not registered", pat, plen, flags, "", 0);

    /* the texts: the input's, the pattern itself, without backslashes, without syntax; each
     * of those without the first MAX_CUT literals (one at a time); and the empty text */
    size_t tlen = strlen(text), room = tlen > plen ? tlen : plen;
    char *made = malloc((3 + 4 * MAX_CUT) * (room + 1));
    if (!made)
        abort();
    subject sub[NSUB];
    sub[0] = (subject){ text, tlen };
    size_t nsub = 1;
    for (int k = 0; k < 3; k++) {
        char *m = made + (size_t)k * (room + 1);
        size_t n = 0;
        for (size_t i = 0; i < plen; i++)
            if (k == 0 || (k == 1 && pat[i] != '\\') || (k == 2 && !strchr("\\()[]{}?*+|^$.", pat[i])))
                m[n++] = pat[i];
        m[n] = '\0';
        sub[nsub++] = (subject){ m, strlen(m) };
    }
    for (size_t b = 0, made_n = 3; b < 4; b++)
        for (size_t l = 0; l < MAX_CUT && l < nlit; l++) {
            char *m = made + made_n++ * (room + 1);
            sub[nsub++] = (subject){ m, cut(m, sub[b].s, sub[b].n, kd_prefilter_literal(p, id, l)) };
        }
    sub[nsub++] = (subject){ "", 0 };
    char *padded = malloc(PAD + tlen + 1); /* the direct scan's 4096-byte windows overlap here */
    if (!padded)
        abort();
    memset(padded, ' ', PAD);
    memcpy(padded + PAD, text, tlen + 1);
    sub[nsub++] = (subject){ padded, PAD + tlen };

    size_t scan_size = flags & F_SMALL_SCAN ? 1024 : 65536;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        abort();
    uint64_t direct[NSUB][8];
    int used[NSUB];
    for (int built = 0; built < 2; built++) {
        if (built && kd_prefilter_build(p))
            abort(); /* small inputs: no KD_ENOMEM */
        if (kd_prefilter_built(p) != built)
            fail("kd_prefilter_built is wrong", pat, plen, flags, "", 0);
        size_t words = kd_prefilter_words(p);
        for (size_t t = 0; t < nsub; t++) {
            const char *s = sub[t].s;
            /* rules_eval.c kd_rules_run(): tn for the scan, scanned() for the match */
            size_t tn = sub[t].n < scan_size ? sub[t].n : scan_size;
            size_t mn = tn;
            while (mn < sub[t].n && mn && ((unsigned char)s[mn] & 0xC0) == 0x80)
                mn--;
            uint64_t hits[8] = { 0 };
            int use = words && words <= 8 && kd_prefilter_usable(s, tn);
            if (use)
                kd_prefilter_scan(p, s, tn, hits);
            if (!built) {
                memcpy(direct[t], hits, sizeof hits);
                used[t] = use;
            } else if (use != used[t] || memcmp(direct[t], hits, sizeof hits) != 0) {
                fail("the direct scan and the automaton set different hits", pat, plen, flags, s, tn);
            }
            int run = !use || !prefiltered || kd_prefilter_may_match(p, id, hits);
            /* the ids not registered always run */
            if (use && !kd_prefilter_may_match(p, id + 1, hits))
                fail("an id never registered was skipped", pat, plen, flags, s, tn);
            if (s == padded)
                continue; /* the scans compared only: PCRE2 can take seconds on 4 KB of spaces */
            int m = matches(re, s, mn, md);
            outcome(m, use && prefiltered, run);
            if (m && !run)
                fail("skipped, but PCRE2 matches the text", pat, plen, flags, s, mn);
            /* once built, the stage matches an ASCII text with the byte-mode twin */
            if (built && re_ascii && kd_ascii_prefix(s, mn) == mn && matches(re_ascii, s, mn, md) && !run)
                fail("skipped, but PCRE2 (the byte-mode twin, on ASCII text) matches the text", pat, plen, flags,
                     s, mn);
        }
    }
    pcre2_match_data_free(md);
    kd_prefilter_free(p);
    pcre2_code_free(re_ascii);
    pcre2_code_free(re);
    free(made);
    free(padded);
    free(text);
    return 0;
}
