/*
 * prefilter.c - skip the rules that cannot match: required literals and one Aho-Corasick
 * scan.
 *
 * Most comments fire no rule, yet running every pattern of a rule set costs a PCRE2 call
 * each, a few hundred nanoseconds even with JIT: with forty patterns, ten times the Bayes
 * stage. rspamd and SpamAssassin avoid this with Hyperscan and "rule2xs" respectively: find
 * for each pattern a literal that every match must contain, look for all those literals at
 * once, and run only the patterns whose literal was seen. kindly does the same with a small
 * extractor and an Aho-Corasick automaton (A. V. Aho and M. J. Corasick, "Efficient string
 * matching", CACM 18(6), 1975).
 *
 * The extractor reads each top-level alternative of a pattern as a sequence of atoms and
 * keeps every element a match cannot do without (up to four): a run of literal characters,
 * or a required group, whose alternatives each give their first such literal. A rule runs
 * when, for one of its alternatives, a literal of every kept element occurs in the text.
 * Anchors, \b, classes, optional atoms and lookarounds are stepped over; anything it does
 * not model (a backreference, \Q..\E, a named group, the x flag, a (*VERB) such as (*ACCEPT),
 * a (?#comment), a (?C) callout, a literal ']', '{' or '}') makes it give up, and the rule
 * then always runs; so does any step of the walk that fails to advance, so that no pattern
 * can make it loop. The literals are compared ASCII case-insensitively, a superset of what the
 * pattern accepts, so a skipped rule could never have fired. Literals are ASCII only, and
 * the scan is not used on a text holding one of the two characters that Unicode case
 * folding maps onto ASCII letters (U+212A KELVIN SIGN for "k", U+017F LONG S for "s"): a
 * caseless "k" in a pattern matches them, the byte scan would not.
 */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kindly.h"

#define MAX_LITERAL 64

typedef struct literal {
    unsigned clause;
    uint32_t off, len; /* its bytes: kd_prefilter.chars + off, NUL-terminated */
} literal;

/* A registered rule may fire only if, for one of its alternatives, every clause (a set of
 * literals, one of which every match contains) was seen. */
typedef struct palt {
    uint32_t first, n; /* range of clause ids in kd_prefilter.clause */
    uint32_t word;     /* its clause ids are consecutive (register_alts): when they are all in */
    uint64_t mask;     /* one word of the hits, that word and their bits; else mask 0 */
} palt;

typedef struct prule {
    uint32_t first_alt, nalt; /* range in kd_prefilter.alt; nalt == 0: not registered */
    uint32_t slot;            /* registered: its place in kd_prefilter.slot_id */
} prule;

struct kd_prefilter {
    literal *lit;
    size_t nlit, litcap;
    char *chars;      /* the literals' bytes, back to back (one allocation, not one each) */
    size_t nchars, charcap;
    uint32_t *clause; /* clause ids of the alternatives, back to back */
    size_t nclause, clausecap;
    palt *alt;
    size_t nalt, altcap;
    prule *rule;      /* indexed by id */
    size_t nrule;
    uint32_t *slot_id;/* the registered ids, in the order of registering (kd_prefilter_possible) */
    size_t nslots, slotcap;
    unsigned nclauses;/* clause ids handed out */
    /* the automaton: nstates x nsym transitions over a compressed alphabet */
    unsigned char map[256]; /* byte -> symbol, ASCII letters folded; 0 = no literal has it */
    size_t nsym, nstates, words;
    int32_t *next;
    uint64_t *out;          /* nstates x words: clauses with a literal ending here */
    unsigned char *has_out;
};

int kd_prefilter_new(kd_prefilter **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? KD_OK : KD_ENOMEM;
}

void kd_prefilter_free(kd_prefilter *p)
{
    if (!p)
        return;
    free(p->lit);
    free(p->chars);
    free(p->clause);
    free(p->alt);
    free(p->rule);
    free(p->slot_id);
    free(p->next);
    free(p->out);
    free(p->has_out);
    free(p);
}

/* ------------------------------------------------------------------------------------------ */
/* extraction */

#define MAX_LITS 32    /* literals in one clause */
#define MAX_CLAUSES 4  /* clauses kept per alternative (more only narrows further) */
#define MAX_ALTS 8     /* top-level alternatives */

typedef struct clause {
    char lit[MAX_LITS][MAX_LITERAL];
    size_t n;
} clause;

typedef struct alt {
    clause c[MAX_CLAUSES];
    size_t n;
} alt;

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
/* Regex syntax, and bytes of non-ASCII characters: a literal run stops at both, so that
 * every literal is ASCII (and compares the same way whatever the case folding). */
static int is_meta(char c) { return (unsigned char)c >= 0x80 || (c && strchr(".^$*+?()[]{}|\\", c) != NULL); }

/* Length of the escape at p[i] == '\\' (up to the pattern's end): 2, or 3 for \cX, whose X
 * is any character - "[\c]x]" is one class, "\c)" no end of a group. */
static size_t escape_len(const char *p, size_t n, size_t i)
{
    size_t k = i + 1 < n && p[i + 1] == 'c' ? 3 : 2;
    return k < n - i ? k : n - i;
}

/* Index just past the character class opening at p[i] == '[' (n + 1 if unterminated, or
 * when it holds \Q..\E, whose ']' would be literal: not modelled). A POSIX class such as
 * [:alpha:] inside it is skipped whole, so that its ']' does not end the class. */
static size_t skip_class(const char *p, size_t n, size_t i)
{
    i++;
    if (i < n && p[i] == '^')
        i++;
    if (i < n && p[i] == ']')
        i++;
    while (i < n && p[i] != ']') {
        if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
            return n + 1;
        if (p[i] == '[' && i + 1 < n && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
            const char *end = NULL;
            for (size_t k = i + 2; k + 1 < n && !end; k++) { /* as PCRE2's check_posix_syntax() */
                if (p[k] == '\\' && (p[k + 1] == ']' || p[k + 1] == '\\'))
                    k++;
                else if (p[k] == ']' || (p[k] == '[' && p[k + 1] == p[i + 1]))
                    break; /* not a POSIX class: "[[:]|:]]" is [[:] then "|:]]" */
                else if (p[k] == p[i + 1] && p[k + 1] == ']')
                    end = p + k;
            }
            if (end) {
                i = (size_t)(end - p) + 2;
                continue;
            }
        }
        i += p[i] == '\\' ? escape_len(p, n, i) : 1;
    }
    return i < n ? i + 1 : n + 1;
}

/* Index of the ')' closing the group that opens at p[i] (>= n if none). */
static size_t group_end(const char *p, size_t n, size_t i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (p[i] == '\\') {
            i += escape_len(p, n, i) - 1;
        } else if (p[i] == '[') {
            i = skip_class(p, n, i) - 1;
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')' && --depth == 0) {
            return i;
        }
    }
    return n;
}

/* Length of the quantifier at p[i] (0 if none); *optional when it allows zero repeats. */
static size_t quantifier(const char *p, size_t n, size_t i, int *optional)
{
    size_t q = 0;
    *optional = 0;
    if (i >= n)
        return 0;
    if (p[i] == '?' || p[i] == '*') {
        *optional = 1;
        q = 1;
    } else if (p[i] == '+') {
        q = 1;
    } else if (p[i] == '{') {
        size_t j = i + 1;
        unsigned long min = 0;
        int digits = 0;
        while (j < n && is_digit(p[j])) {
            min = min * 10 + (unsigned long)(p[j] - '0');
            j++;
            digits = 1;
        }
        if (!digits)
            return 0; /* a literal '{' */
        while (j < n && p[j] != '}')
            j++;
        if (j >= n)
            return 0;
        *optional = min == 0;
        q = j + 1 - i;
    } else {
        return 0;
    }
    if (i + q < n && (p[i + q] == '?' || p[i + q] == '+'))
        q++; /* lazy or possessive */
    return q;
}

/* A run of literal characters from a[i], added to c when it is strong enough to filter on
 * (*added = 1; a single letter or digit is not). Returns the index after the run and any
 * optional character that ends it: always past i. */
static size_t literal_run(const char *a, size_t n, size_t i, clause *c, int *added)
{
    char buf[MAX_LITERAL];
    size_t len = 0;
    int punct = 0;
    *added = 0;
    while (i < n && len < sizeof buf - 1) {
        char ch = a[i];
        size_t w = 1;
        if (ch == '\\') {
            if (i + 1 >= n || is_alpha(a[i + 1]) || is_digit(a[i + 1]) || (unsigned char)a[i + 1] >= 0x80)
                break; /* an escape with a meaning, or an escaped non-ASCII character */
            ch = a[i + 1];
            w = 2;
        } else if (is_meta(ch)) {
            break;
        }
        int opt;
        size_t q = quantifier(a, n, i + w, &opt);
        if (q && opt) {
            i += w + q; /* an optional character: not required, and it ends the run */
            break;
        }
        buf[len++] = lower(ch);
        punct |= !is_alpha(ch) && !is_digit(ch);
        i += w + q;
        if (q)
            break; /* repeated at least once: required, but what follows may vary */
    }
    if (len > 0 && (len >= 2 || punct) && c->n < MAX_LITS) {
        memcpy(c->lit[c->n], buf, len);
        c->lit[c->n++][len] = '\0';
        *added = 1;
    }
    return i;
}

/* What the group opening at a[i] is: sets *body (its content's start) and returns 1 for a
 * group that must match text, 0 for one that does not consume any (lookaround, comment,
 * option setting), -1 for forms not modelled. */
static int group_kind(const char *a, size_t close, size_t i, size_t *body)
{
    *body = i + 1;
    if (*body < close && a[*body] == '*')
        return -1; /* (*VERB), (*UTF), (*positive_lookahead: ...): (*ACCEPT) ends a match early */
    if (*body >= close || a[*body] != '?')
        return 1;
    size_t k = *body + 1;
    if (k < close && a[k] == '#')
        return -1; /* a comment: a quantifier after it applies to the atom before it */
    if (k < close && (a[k] == '=' || a[k] == '!'))
        return 0;
    if (k + 1 < close && a[k] == '<' && (a[k + 1] == '=' || a[k + 1] == '!'))
        return 0;
    if (k < close && a[k] == '>') {
        *body = k + 1;
        return 1;
    }
    size_t s = k;
    while (k < close && (is_alpha(a[k]) || a[k] == '-' || a[k] == '^')) {
        if (!strchr("imnsxJU-^", a[k]))
            return -1; /* (?R), (?C), (?P<name>...: not option letters */
        k++;
    }
    if (memchr(a + s, 'x', k - s))
        return -1; /* extended syntax */
    if (k == close)
        return 0;
    if (a[k] != ':')
        return -1; /* named groups and other forms */
    *body = k + 1;
    return 1;
}

static int first_literals(const char *p, size_t n, clause *c);

/*
 * Walk the sequence a[0..n) and call found() for each element every match needs: a run of
 * literals, or a required group. With first_only, stop at the first such element (used
 * inside groups, whose alternatives each give one literal to the enclosing clause).
 * Returns 0, or -1 when the sequence has something not modelled.
 */
static int walk(const char *a, size_t n, alt *out, clause *first)
{
    size_t i = 0;
    int opt;
    while (i < n) {
        size_t before = i;
        char c = a[i];
        if (c == '^' || c == '$') {
            i++;
        } else if (c == '\\' && i + 1 < n && (is_alpha(a[i + 1]) || is_digit(a[i + 1]))) {
            char e = a[i + 1];
            if (is_digit(e) || strchr("gkQExpPNcou", e))
                return -1; /* backreferences and escapes not modelled */
            i += 2;    /* \b \s \w \d ...: an assertion or a class, stepped over */
            i += quantifier(a, n, i, &opt);
        } else if (c == '[') {
            i = skip_class(a, n, i);
            if (i > n)
                return -1;
            i += quantifier(a, n, i, &opt);
        } else if (c == '.') {
            i++;
            i += quantifier(a, n, i, &opt);
        } else if (c == '(') {
            size_t close = group_end(a, n, i), body;
            if (close >= n)
                return -1;
            int kind = group_kind(a, close, i, &body);
            if (kind < 0)
                return -1;
            size_t q = quantifier(a, n, close + 1, &opt);
            if (kind == 1 && !opt) {
                clause *cl = first ? first : out->n < MAX_CLAUSES ? &out->c[out->n] : NULL;
                if (cl) {
                    if (!first)
                        cl->n = 0;
                    if (first_literals(a + body, close - body, cl) == 0) {
                        if (first)
                            return 0;
                        out->n++;
                    } else if (first) {
                        return -1;
                    }
                }
            }
            i = close + 1 + q;
        } else if (c == ')' || c == '|' || c == '*' || c == '+' || c == '?' || c == ']' || c == '{' ||
                   c == '}') {
            return -1; /* a stray quantifier, or a literal ']', '{' or '}': not modelled */
        } else if ((unsigned char)c >= 0x80 || (c == '\\' && i + 1 < n && (unsigned char)a[i + 1] >= 0x80)) {
            i += c == '\\' ? 2 : 1; /* a non-ASCII character, escaped or not: stepped over */
            while (i < n && ((unsigned char)a[i] & 0xC0) == 0x80)
                i++;
            i += quantifier(a, n, i, &opt);
        } else {
            clause tmp;
            clause *cl = first ? first : out->n < MAX_CLAUSES ? &out->c[out->n] : &tmp;
            if (!first)
                cl->n = 0;
            int added;
            i = literal_run(a, n, i, cl, &added);
            if (added && first)
                return 0;
            if (added && cl != &tmp)
                out->n++;
        }
        if (i <= before)
            return -1; /* a step that did not advance: give up rather than loop forever */
    }
    return first ? -1 : 0;
}

/* Call each(ud, alternative, length) for the top-level alternatives of p[0..n) (split at
 * '|' outside groups and classes); stops at the first that returns non-zero. */
static int split_alternatives(const char *p, size_t n, int (*each)(void *, const char *, size_t), void *ud)
{
    size_t start = 0;
    int depth = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || (p[i] == '|' && depth == 0)) {
            if (each(ud, p + start, i - start))
                return -1;
            start = i + 1;
        } else if (p[i] == '\\' && i + 1 < n) { /* a last '\' (in \Q...) must not skip the end */
            i += escape_len(p, n, i) - 1;
        } else if (p[i] == '[') {
            i = skip_class(p, n, i) - 1;
            if (i >= n)
                return -1;
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')') {
            depth--;
        }
    }
    return 0;
}

static int first_literal_of(void *c, const char *a, size_t n) { return walk(a, n, NULL, c); }

/* Add to c the first required literal of each alternative of p[0..n); -1 if one has none. */
static int first_literals(const char *p, size_t n, clause *c)
{
    return split_alternatives(p, n, first_literal_of, c);
}

typedef struct alts_out {
    alt *a;
    size_t n;
} alts_out;

static int clauses_of(void *ud, const char *a, size_t n)
{
    alts_out *o = ud;
    if (o->n == MAX_ALTS)
        return -1;
    alt *x = &o->a[o->n++];
    x->n = 0;
    return walk(a, n, x, NULL) || x->n == 0 ? -1 : 0;
}

/* The top-level alternatives of p[0..n), each with its required clauses. */
static int top_alternatives(const char *p, size_t n, alt *alts, size_t *nalts)
{
    alts_out o = { alts, 0 };
    int rc = split_alternatives(p, n, clauses_of, &o);
    *nalts = o.n;
    return rc;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* 1 if p[0..n) holds, anywhere outside a class, a (*VERB), or text that is not syntax: \Q..\E,
 * a (?#comment) or a (?C"string") callout. walk() steps over a group none of whose literals
 * it can use, and a (*ACCEPT) inside one ends the match before the literals that follow the
 * group: "(?:free(*ACCEPT)|x)yzzy" matches "free". A '(', ')' or '|' in text that is not
 * syntax would move the end of a group or an alternative: "(?=q(?#()x)|abcd\Q)zzzz" is a
 * lookahead or "abcd)zzzz", not a lookahead then "zzzz". A lone \E is ignored, so that a
 * quantifier after it applies to the character before it: "abcd\E?" matches "abc". */
static int has_unmodelled(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'Q' || p[i + 1] == 'E'))
            return 1;
        else if (p[i] == '\\')
            i += escape_len(p, n, i) - 1;
        else if (p[i] == '[')
            i = skip_class(p, n, i) - 1;
        else if (p[i] == '(' && i + 1 < n && p[i + 1] == '*')
            return 1;
        else if (p[i] == '(' && i + 2 < n && p[i + 1] == '?' && (p[i + 2] == '#' || p[i + 2] == 'C'))
            return 1;
    }
    return 0;
}

/* Literal k's bytes, NUL-terminated. */
static const char *lit_s(const kd_prefilter *p, size_t k) { return p->chars + p->lit[k].off; }

/* Registering a rule's alternatives, whatever they are read from (kd_prefilter_add's alt
 * structures, kd_prefilter_add_saved's bytes): begin_rule, then for each alternative
 * begin_alt with its number of clauses, then for each clause in turn (its id: the first
 * clause id begin_alt returned, then the next) its literals by add_literal. 0 or KD_ENOMEM. */
static int begin_rule(kd_prefilter *p, unsigned id, size_t nalts)
{
    if (id >= p->nrule) {
        prule *r = realloc(p->rule, (id + 1) * sizeof *r);
        if (!r)
            return KD_ENOMEM;
        memset(r + p->nrule, 0, (id + 1 - p->nrule) * sizeof *r);
        p->rule = r;
        p->nrule = id + 1;
    }
    if (!p->rule[id].nalt && nalts) { /* a new one: its slot */
        if (grow((void **)&p->slot_id, &p->slotcap, p->nslots + 1, sizeof *p->slot_id))
            return KD_ENOMEM;
        p->rule[id].slot = (uint32_t)p->nslots;
        p->slot_id[p->nslots++] = id;
    }
    p->rule[id].first_alt = (uint32_t)p->nalt;
    p->rule[id].nalt = 0;
    return KD_OK;
}

/* An alternative of n clauses for rule id; *c0: its first clause id. */
static int begin_alt(kd_prefilter *p, unsigned id, size_t n, unsigned *c0)
{
    if (grow((void **)&p->alt, &p->altcap, p->nalt + 1, sizeof *p->alt) ||
        grow((void **)&p->clause, &p->clausecap, p->nclause + n, sizeof *p->clause))
        return KD_ENOMEM;
    uint32_t first = p->nclauses;
    int one_word = n && n <= 64 && first / 64 == (first + n - 1) / 64;
    uint64_t mask = one_word ? (n == 64 ? ~0ULL : (1ULL << n) - 1) << (first % 64) : 0;
    p->alt[p->nalt++] = (palt){ (uint32_t)p->nclause, (uint32_t)n, first / 64, mask };
    for (size_t c = 0; c < n; c++)
        p->clause[p->nclause++] = p->nclauses++;
    p->rule[id].nalt++;
    *c0 = first;
    return KD_OK;
}

static int add_literal(kd_prefilter *p, unsigned cid, const char *s, size_t len)
{
    if (grow((void **)&p->lit, &p->litcap, p->nlit + 1, sizeof *p->lit) ||
        grow((void **)&p->chars, &p->charcap, p->nchars + len + 1, 1))
        return KD_ENOMEM;
    memcpy(p->chars + p->nchars, s, len);
    p->chars[p->nchars + len] = '\0';
    p->lit[p->nlit++] = (literal){ cid, (uint32_t)p->nchars, (uint32_t)len };
    p->nchars += len + 1;
    return KD_OK;
}

/* Register alts[0..nalts) under id: kd_prefilter_add's second half. 1 or KD_ENOMEM. */
static int register_alts(kd_prefilter *p, unsigned id, const alt *alts, size_t nalts)
{
    if (begin_rule(p, id, nalts))
        return KD_ENOMEM;
    for (size_t a = 0; a < nalts; a++) {
        unsigned c0;
        if (begin_alt(p, id, alts[a].n, &c0))
            return KD_ENOMEM;
        for (size_t c = 0; c < alts[a].n; c++)
            for (size_t l = 0; l < alts[a].c[c].n; l++)
                if (add_literal(p, c0 + (unsigned)c, alts[a].c[c].lit[l], strlen(alts[a].c[c].lit[l])))
                    return KD_ENOMEM;
    }
    return 1;
}

/* The alternatives of one pattern while it is read (MAX_ALTS of them, 64 KiB: off the stack)
 * are malloc'ed for the pattern and freed after it, not kept in thread-local storage: the
 * loader zeroes a static TLS block whole when a process (and each thread) starts, 17 pages
 * faulted in by every process, a `kindly check` or a `kindly help` alike. On the heap, a
 * pattern touches only the pages it writes, and the next pattern reuses the freed chunk (a
 * buffer kept for the whole load measured worse: the rules' own allocations then went to
 * fresh pages beyond it). */
int kd_prefilter_add(kd_prefilter *p, unsigned id, const char *pat, size_t n, int extended)
{
    size_t nalts;
    if (extended || has_unmodelled(pat, n))
        return 0;
    alt *alts = malloc(MAX_ALTS * sizeof *alts);
    if (!alts)
        return KD_ENOMEM;
    int rc = top_alternatives(pat, n, alts, &nalts) ? 0 : register_alts(p, id, alts, nalts);
    free(alts);
    return rc;
}

/* The saved form: a byte 0 (not registered), or 1, the number of alternatives, and for each
 * the number of clauses, for each clause the number of literals, for each literal its length
 * and bytes (all counts one byte: MAX_ALTS, MAX_CLAUSES, MAX_LITS and MAX_LITERAL fit). */
int kd_prefilter_save(const kd_prefilter *p, unsigned id, kd_buf *out)
{
    if (id >= p->nrule || !p->rule[id].nalt) {
        kd_buf_putc(out, 0);
        return out->oom ? KD_ENOMEM : KD_OK;
    }
    const prule *r = &p->rule[id];
    kd_buf_putc(out, 1);
    kd_buf_putc(out, (char)r->nalt);
    for (uint32_t a = r->first_alt; a < r->first_alt + r->nalt; a++) {
        kd_buf_putc(out, (char)p->alt[a].n);
        for (uint32_t k = 0; k < p->alt[a].n; k++) {
            uint32_t cid = p->clause[p->alt[a].first + k];
            size_t first = 0, nlit = 0;
            while (first < p->nlit && p->lit[first].clause != cid)
                first++;
            while (first + nlit < p->nlit && p->lit[first + nlit].clause == cid)
                nlit++;
            kd_buf_putc(out, (char)nlit);
            for (size_t l = first; l < first + nlit; l++) {
                kd_buf_putc(out, (char)p->lit[l].len);
                kd_buf_add(out, lit_s(p, l), p->lit[l].len);
            }
        }
    }
    return out->oom ? KD_ENOMEM : KD_OK;
}

/* Read the saved form s[0..n) (kd_prefilter_save's), registering what it holds under id
 * when reg, else only checking it: KD_OK (reg: 1 when registered, 0 when not) or KD_EPARSE
 * (KD_ENOMEM from registering). The bytes are checked whole before anything is registered,
 * so that a damaged entry leaves nothing half registered, and are registered straight from
 * the buffer: no copy of the alternatives (kd_prefilter_add's 64 KiB of them) at every
 * start of a process. */
static int read_saved(kd_prefilter *p, unsigned id, const unsigned char *s, size_t n, int reg)
{
    size_t i = 0;
#define NEXT(lo, hi, v)                                                                                    \
    do {                                                                                                   \
        if (i >= n || s[i] < (lo) || s[i] > (hi))                                                          \
            return KD_EPARSE;                                                                              \
        (v) = s[i++];                                                                                      \
    } while (0)
    size_t registered, nalts;
    NEXT(0, 1, registered);
    if (!registered)
        return i == n ? 0 : KD_EPARSE;
    NEXT(1, MAX_ALTS, nalts);
    if (reg && begin_rule(p, id, nalts))
        return KD_ENOMEM;
    for (size_t a = 0; a < nalts; a++) {
        size_t nclauses;
        unsigned c0 = 0;
        NEXT(1, MAX_CLAUSES, nclauses);
        if (reg && begin_alt(p, id, nclauses, &c0))
            return KD_ENOMEM;
        for (size_t c = 0; c < nclauses; c++) {
            size_t nlits;
            NEXT(1, MAX_LITS, nlits);
            for (size_t l = 0; l < nlits; l++) {
                size_t len;
                NEXT(1, MAX_LITERAL - 1, len);
                if (n - i < len || memchr(s + i, 0, len))
                    return KD_EPARSE;
                if (reg && add_literal(p, c0 + (unsigned)c, (const char *)s + i, len))
                    return KD_ENOMEM;
                i += len;
            }
        }
    }
#undef NEXT
    return i == n ? reg : KD_EPARSE;
}

int kd_prefilter_add_saved(kd_prefilter *p, unsigned id, const unsigned char *s, size_t n)
{
    if (!n || !s[0]) /* not registered (a single 0), or nothing: no alternative to read */
        return n == 1 ? 0 : KD_EPARSE;
    int rc = read_saved(p, id, s, n, 0);
    return rc ? rc : read_saved(p, id, s, n, 1);
}

int kd_prefilter_usable(const char *s, size_t n)
{
    for (const char *p = s; (p = memchr(p, 0xE2, (size_t)(s + n - p))) && p + 2 < s + n; p++)
        if ((unsigned char)p[1] == 0x84 && (unsigned char)p[2] == 0xAA)
            return 0; /* U+212A */
    for (const char *p = s; (p = memchr(p, 0xC5, (size_t)(s + n - p))) && p + 1 < s + n; p++)
        if ((unsigned char)p[1] == 0xBF)
            return 0; /* U+017F */
    return 1;
}

/* 1 when every clause of alternative a was seen, clause by clause. */
static int alt_seen(const kd_prefilter *p, const palt *a, const uint64_t *hits)
{
    uint32_t k = 0;
    for (; k < a->n; k++) {
        uint32_t c = p->clause[a->first + k];
        if (!(hits[c / 64] >> (c % 64) & 1))
            break;
    }
    return k == a->n;
}

/* The same with one test of a mask when the clauses fit in a word (nearly always). */
static inline int rule_may_match(const kd_prefilter *p, const prule *r, const uint64_t *hits)
{
    const palt *a = &p->alt[r->first_alt], *end = a + r->nalt;
    for (; a < end; a++)
        if (a->mask ? (hits[a->word] & a->mask) == a->mask : alt_seen(p, a, hits))
            return 1;
    return 0;
}

int kd_prefilter_may_match(const kd_prefilter *p, unsigned id, const uint64_t *hits)
{
    return id >= p->nrule || !p->rule[id].nalt || rule_may_match(p, &p->rule[id], hits);
}

size_t kd_prefilter_slots(const kd_prefilter *p) { return p->nslots; }

long kd_prefilter_slot(const kd_prefilter *p, unsigned id)
{
    return id < p->nrule && p->rule[id].nalt ? (long)p->rule[id].slot : -1;
}

void kd_prefilter_possible(const kd_prefilter *p, const uint64_t *hits, uint64_t *may)
{
    for (size_t w = 0; w * 64 < p->nslots; w++) {
        uint64_t bits = 0;
        for (size_t s = w * 64; s < p->nslots && s < w * 64 + 64; s++)
            bits |= (uint64_t)rule_may_match(p, &p->rule[p->slot_id[s]], hits) << (s % 64);
        may[w] = bits;
    }
}

const char *kd_prefilter_literal(const kd_prefilter *p, unsigned id, size_t i)
{
    if (id >= p->nrule || !p->rule[id].nalt)
        return NULL;
    const prule *r = &p->rule[id];
    uint32_t lo = p->clause[p->alt[r->first_alt].first];
    const palt *last = &p->alt[r->first_alt + r->nalt - 1];
    uint32_t hi = p->clause[last->first + last->n - 1];
    for (size_t k = 0; k < p->nlit; k++)
        if (p->lit[k].clause >= lo && p->lit[k].clause <= hi && i-- == 0)
            return lit_s(p, k);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* the automaton */

size_t kd_prefilter_words(const kd_prefilter *p) { return p->nclauses ? (p->nclauses - 1) / 64 + 1 : 0; }

static void drop_automaton(kd_prefilter *p)
{
    free(p->next);
    free(p->out);
    free(p->has_out);
    p->next = NULL;
    p->out = NULL;
    p->has_out = NULL;
    p->nstates = 0;
}

int kd_prefilter_build(kd_prefilter *p)
{
    int rc = KD_ENOMEM;
    int32_t *fail = NULL, *queue = NULL;
    drop_automaton(p);
    memset(p->map, 0, sizeof p->map);
    p->nsym = 1;
    size_t total = 1;
    for (size_t i = 0; i < p->nlit; i++)
        for (const unsigned char *c = (const unsigned char *)lit_s(p, i); *c; c++, total++)
            if (!p->map[*c]) {
                p->map[*c] = (unsigned char)p->nsym++;
                if (*c >= 'a' && *c <= 'z')
                    p->map[*c - 32] = p->map[*c];
            }
    if (p->nsym > 255)
        return KD_EINVAL;
    p->words = p->nclauses ? (p->nclauses - 1) / 64 + 1 : 0;
    p->next = malloc(total * p->nsym * sizeof *p->next);
    p->out = calloc(total * (p->words ? p->words : 1), sizeof *p->out);
    p->has_out = calloc(total, 1);
    fail = calloc(total, sizeof *fail);
    queue = malloc(total * sizeof *queue);
    if (!p->next || !p->out || !p->has_out || !fail || !queue)
        goto done;
    for (size_t i = 0; i < total * p->nsym; i++)
        p->next[i] = -1;
    p->nstates = 1;
    for (size_t i = 0; i < p->nlit; i++) { /* the trie */
        size_t s = 0;
        for (const unsigned char *c = (const unsigned char *)lit_s(p, i); *c; c++) {
            int32_t *t = &p->next[s * p->nsym + p->map[*c]];
            if (*t < 0)
                *t = (int32_t)p->nstates++;
            s = (size_t)*t;
        }
        p->out[s * p->words + p->lit[i].clause / 64] |= 1ULL << (p->lit[i].clause % 64);
        p->has_out[s] = 1;
    }
    size_t head = 0, tail = 0; /* breadth first: failure links, outputs, full transitions */
    for (size_t a = 0; a < p->nsym; a++) {
        int32_t t = p->next[a];
        if (t < 0)
            p->next[a] = 0;
        else {
            fail[t] = 0;
            queue[tail++] = t;
        }
    }
    while (head < tail) {
        size_t s = (size_t)queue[head++], f = (size_t)fail[s];
        for (size_t w = 0; w < p->words; w++)
            p->out[s * p->words + w] |= p->out[f * p->words + w];
        p->has_out[s] |= p->has_out[f];
        for (size_t a = 0; a < p->nsym; a++) {
            int32_t *t = &p->next[s * p->nsym + a];
            if (*t < 0)
                *t = p->next[f * p->nsym + a];
            else {
                fail[*t] = p->next[f * p->nsym + a];
                queue[tail++] = *t;
            }
        }
    }
    rc = KD_OK;
done:
    if (rc)
        drop_automaton(p); /* scans go on without it */
    free(fail);
    free(queue);
    return rc;
}

int kd_prefilter_built(const kd_prefilter *p) { return p->next != NULL; }

/* 1 if the literal lit[0..m) (lower case, m >= 1) occurs in s[0..n). */
static int occurs(const char *s, size_t n, const char *lit, size_t m)
{
    const char *q = s, *end = s + n;
    while ((size_t)(end - q) >= m && (q = memchr(q, lit[0], (size_t)(end - q) - m + 1))) {
        if (!memcmp(q + 1, lit + 1, m - 1))
            return 1;
        q++;
    }
    return 0;
}

/*
 * The scan without the automaton: each literal looked for in the text folded to lower case
 * (ASCII letters only, as the automaton's alphabet folds them), a window at a time; windows
 * overlap by the longest literal less one byte, so an occurrence across a window's end is
 * whole in the next one. For a few hundred literals and a comment-length text this is tens
 * of thousands of instructions, against the best part of a million to build the automaton:
 * the choice for one comment (`kindly check`).
 */
#define SCAN_WINDOW 4096

/* A window's pairs of adjacent bytes, hashed into a bitset of PAIR_BITS: a literal whose
 * first two bytes are not among them cannot occur there, and is not looked for (for one
 * comment of the shipped rules' literals, a memchr each for all of them was 125,000
 * instructions of `kindly check`, 55,000 with this). */
#define PAIR_BITS 4096
static unsigned pair_hash(unsigned char a, unsigned char b) { return ((unsigned)a * 61u + b) % PAIR_BITS; }
static int has_pair(const uint64_t *pairs, unsigned char a, unsigned char b)
{
    unsigned h = pair_hash(a, b);
    return pairs[h / 64] >> (h % 64) & 1;
}

static void scan_direct(const kd_prefilter *p, const char *s, size_t n, uint64_t *hits)
{
    char buf[SCAN_WINDOW];
    uint64_t pairs[PAIR_BITS / 64];
    for (size_t start = 0;; start += SCAN_WINDOW - (MAX_LITERAL - 1)) {
        size_t len = n - start < SCAN_WINDOW ? n - start : SCAN_WINDOW;
        memset(pairs, 0, sizeof pairs);
        for (size_t i = 0; i < len; i++) {
            buf[i] = lower(s[start + i]);
            if (i) {
                unsigned h = pair_hash((unsigned char)buf[i - 1], (unsigned char)buf[i]);
                pairs[h / 64] |= 1ULL << (h % 64);
            }
        }
        for (size_t k = 0; k < p->nlit; k++) {
            unsigned c = p->lit[k].clause;
            const char *lit = lit_s(p, k);
            if (p->lit[k].len > 1 && !has_pair(pairs, (unsigned char)lit[0], (unsigned char)lit[1]))
                continue;
            if (!(hits[c / 64] >> (c % 64) & 1) && occurs(buf, len, lit, p->lit[k].len))
                hits[c / 64] |= 1ULL << (c % 64);
        }
        if (start + len >= n)
            break;
    }
}

void kd_prefilter_scan(const kd_prefilter *p, const char *s, size_t n, uint64_t *hits)
{
    if (!p->nlit)
        return;
    if (!p->next) {
        scan_direct(p, s, n, hits);
        return;
    }
    const int32_t *next = p->next;
    size_t nsym = p->nsym, st = 0;
    for (size_t i = 0; i < n; i++) {
        st = (size_t)next[st * nsym + p->map[(unsigned char)s[i]]];
        if (p->has_out[st])
            for (size_t w = 0; w < p->words; w++)
                hits[w] |= p->out[st * p->words + w];
    }
}

/* ------------------------------------------------------------------------------------------ */
/* word-list entries */

/*
 * Every entry is keyed by its first k = min(length, 4) bytes, lower-cased, packed with k
 * into 64 bits. A scan takes, at each position of the text, the next four bytes lower-cased
 * and looks up each key length that some entry has (usually 4, sometimes 1 to 3): one
 * multiplication and, thanks to a bit filter that fits in the L2 cache, rarely a probe of
 * the table. Entries sharing a key are chained and compared whole. For a 40,000-line list
 * and a comment of a few hundred bytes this is a few microseconds, against forty thousand
 * PCRE2 calls.
 */
#define WS_FILTER_BITS 20 /* 128 KiB: a 40,000-key list sets about 4% of it */

typedef struct ws_entry {
    uint32_t off, len; /* in kd_wordset.pool, lower-cased */
    uint32_t next;     /* the next entry with the same key + 1, 0 = none */
} ws_entry;

typedef struct ws_slot {
    uint64_t key;  /* 0 = empty (a real key has k >= 1 in its high bits) */
    uint32_t head; /* first entry + 1 */
} ws_slot;

struct kd_wordset {
    ws_entry *e;
    size_t n, cap;
    char *pool;
    size_t pool_len, pool_cap;
    ws_slot *slot;
    size_t nslots, used;    /* nslots: a power of two, at least twice the keys */
    unsigned lengths;       /* bit k set: some entry has a key of k bytes */
    uint64_t *filter;       /* 1 << WS_FILTER_BITS bits over the keys' hashes */
};

int kd_wordset_new(kd_wordset **out)
{
    *out = calloc(1, sizeof **out);
    if (*out && !((*out)->filter = calloc((size_t)1 << (WS_FILTER_BITS - 6), sizeof (uint64_t)))) {
        free(*out);
        *out = NULL;
    }
    return *out ? KD_OK : KD_ENOMEM;
}

void kd_wordset_free(kd_wordset *w)
{
    if (!w)
        return;
    free(w->e);
    free(w->pool);
    free(w->slot);
    free(w->filter);
    free(w);
}

size_t kd_wordset_words(const kd_wordset *w) { return w && w->n ? (w->n - 1) / 64 + 1 : 0; }

/* Four bytes from s (fewer when n < 4, zero-padded), lower-cased, first byte lowest. */
static uint32_t ws_window(const char *s, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < 4 && i < n; i++)
        v |= (uint32_t)(unsigned char)lower(s[i]) << (8 * i);
    return v;
}

static uint64_t ws_key(uint32_t window, unsigned k)
{
    return (uint64_t)k << 32 | (k == 4 ? window : window & ((1u << (8 * k)) - 1));
}

static uint64_t ws_hash(uint64_t key) { return key * 0x9E3779B97F4A7C15ULL; }

static ws_slot *ws_find(ws_slot *slot, size_t nslots, uint64_t key)
{
    size_t i = (size_t)(ws_hash(key) >> 32) & (nslots - 1);
    while (slot[i].key && slot[i].key != key)
        i = (i + 1) & (nslots - 1);
    return &slot[i];
}

static int ws_grow_slots(kd_wordset *w)
{
    size_t nslots = w->nslots ? w->nslots * 2 : 1024;
    ws_slot *slot = calloc(nslots, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < w->nslots; i++)
        if (w->slot[i].key)
            *ws_find(slot, nslots, w->slot[i].key) = w->slot[i];
    free(w->slot);
    w->slot = slot;
    w->nslots = nslots;
    return 0;
}

int kd_wordset_add(kd_wordset *w, const char *s, size_t n, unsigned *entry)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    if (n == 0 || n > UINT32_MAX || w->n >= UINT32_MAX - 1)
        return 0;
    if (2 * (w->used + 1) > w->nslots && ws_grow_slots(w))
        return KD_ENOMEM;
    if (grow((void **)&w->e, &w->cap, w->n + 1, sizeof *w->e) ||
        grow((void **)&w->pool, &w->pool_cap, w->pool_len + n, 1))
        return KD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        w->pool[w->pool_len + i] = lower(s[i]);
    unsigned k = n < 4 ? (unsigned)n : 4;
    uint64_t key = ws_key(ws_window(s, n), k);
    ws_slot *sl = ws_find(w->slot, w->nslots, key);
    if (!sl->key) {
        sl->key = key;
        w->used++;
    }
    w->e[w->n] = (ws_entry){ (uint32_t)w->pool_len, (uint32_t)n, sl->head };
    sl->head = (uint32_t)w->n + 1;
    w->pool_len += n;
    w->lengths |= 1u << k;
    uint64_t h = ws_hash(key) >> (64 - WS_FILTER_BITS);
    w->filter[h / 64] |= 1ULL << (h % 64);
    *entry = (unsigned)w->n++;
    return 1;
}

/* 1 if s[0..m) equals the lower-case entry e[0..m) ASCII case-insensitively. */
static int ws_equal(const char *s, const char *e, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (lower(s[i]) != e[i])
            return 0;
    return 1;
}

void kd_wordset_scan(const kd_wordset *w, const char *s, size_t n, uint64_t *hits)
{
    if (!w || !w->n)
        return;
    for (size_t i = 0; i < n; i++) {
        uint32_t window = ws_window(s + i, n - i);
        for (unsigned k = 1; k <= 4 && i + k <= n; k++) {
            if (!(w->lengths >> k & 1))
                continue;
            uint64_t key = ws_key(window, k), h = ws_hash(key) >> (64 - WS_FILTER_BITS);
            if (!(w->filter[h / 64] >> (h % 64) & 1))
                continue;
            const ws_slot *sl = ws_find(w->slot, w->nslots, key);
            for (uint32_t e = sl->key ? sl->head : 0; e; e = w->e[e - 1].next) {
                const ws_entry *x = &w->e[e - 1];
                if (x->len <= n - i && ws_equal(s + i, w->pool + x->off, x->len))
                    hits[(e - 1) / 64] |= 1ULL << ((e - 1) % 64);
            }
        }
    }
}
