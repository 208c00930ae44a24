/*
 * rules.c - reading a rule file: parse each line, compile its pattern once, keep the set.
 *
 * The format is line-based so that a moderator can read it and diff it, and so that every
 * error names FILE:LINE:COLUMN. It borrows from two places moderators already know:
 *
 *  - SpamAssassin's named, scored rules (`body NAME /re/`, `score NAME 2.0`, `meta NAME
 *    (A && !B)`, sub-rules named __NAME that only feed metas) - here one line holds the
 *    field, name, pattern, score and description: `text PHARMA /\bviagra\b/i 3.0 Pharmacy`;
 *  - WordPress' Discussion settings: "Comment Moderation" words (a comment holding one is
 *    held) and "Disallowed Comment Keys" (such a comment is spam), one entry per line,
 *    matched case-insensitively inside words, over author, e-mail, URL, text, IP and agent.
 *
 * A score is the log-odds the rule adds to the Bayes score (combine.c): +2.2 multiplies the
 * odds of spam by 9. Word-list and allow-list entries get their scores from settings
 * (`set disallow_score 20`), so that "always spam" and "always approve" are large scores
 * rather than special cases, and a trusted author who pastes a disallowed word lands back
 * on Bayes' judgement.
 *
 * Patterns are compiled once, when the file is loaded, in UTF mode with Unicode properties
 * (\w, \b and caseless matching understand non-ASCII text) and PCRE2_MATCH_INVALID_UTF (a
 * subject with bad UTF-8 is matched, not refused), then JIT-compiled. The limits that keep
 * any pattern from hanging on any input (match, depth and heap limits, and the scan size,
 * like SpamAssassin's body_part_scan_size) live in one match context built here and shared
 * read-only by every thread; see rules_eval.c.
 */
#include "rules.h"

#include "normalize.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const kd_rule_field_names[KD_F__COUNT] = {
    "text", "author", "email", "url", "ip", "agent", "post", "parent", "date",
    "email_domain", "url_domain", "any",
};

const char *const kd_quantity_names[KD_Q__COUNT] = {
    "links", "emails", "phones", "emoji", "money", "caps", "repeats", "domains", "generic",
    "length", "words", "lines", "caps_percent",
};

/* Settings: `set KEY VALUE`, declared in one table with their defaults and bounds. */
static const struct setting {
    const char *key;
    size_t off;
    double def, lo, hi;
    int whole; /* a count (bytes, steps, KiB): a whole number */
} settings[] = {
    /* WordPress limits a comment to 65525 bytes; patterns see the first 64 KiB of a field */
    { "scan_size", offsetof(kd_rules, scan_size), 65536, 1024, 1 << 30, 1 },
    { "match_limit", offsetof(kd_rules, match_limit), 1000000, 1000, 100000000, 1 },
    { "depth_limit", offsetof(kd_rules, depth_limit), 100000, 100, 10000000, 1 },
    { "heap_limit", offsetof(kd_rules, heap_limit), 16384, 64, 1 << 22, 1 },
    { "moderate_score", offsetof(kd_rules, moderate_score), 0.0, -100, 100, 0 },
    { "disallow_score", offsetof(kd_rules, disallow_score), 20.0, -100, 100, 0 },
    { "allow_score", offsetof(kd_rules, allow_score), -20.0, -100, 100, 0 },
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

#define MAX_SCORE 1000.0
#define MAX_NAME 64
#define MAX_FILE ((size_t)64 << 20)

/* The line being parsed. */
typedef struct line {
    kd_rules *r;
    const char *s;   /* the line, without its end of line */
    size_t n;
    unsigned no;     /* line number */
    const char *file;/* a word list's path; NULL: the rule file */
} line;

/* 1-based column (in characters) of byte offset off of the line. */
static unsigned column(const line *l, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off && i < l->n; i++)
        col += ((unsigned char)l->s[i] & 0xC0) != 0x80;
    return col;
}

__attribute__((format(printf, 3, 4)))
static int fail_at(const line *l, size_t off, const char *fmt, ...)
{
    kd_rules *r = l->r;
    int k = snprintf(r->err, sizeof r->err, "%s:%u:%u: ", l->file ? l->file : r->path, l->no, column(l, off));
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < sizeof r->err)
        vsnprintf(r->err + k, sizeof r->err - (size_t)k, fmt, ap);
    va_end(ap);
    return KD_EPARSE;
}

void kd_rules_err_end(kd_rules *r)
{
    size_t len = strlen(r->err), lead = len;
    if (len < sizeof r->err - 1) /* not cut */
        return;
    while (lead > 0 && ((unsigned char)r->err[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0 || len - lead >= 4)
        return;
    unsigned char c = (unsigned char)r->err[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        r->err[lead - 1] = '\0';
}

/* Out of memory, named by the rule file (and the line being read: oom_at), as a syntax error
 * is: a command reading several files says which one. */
static int oom(kd_rules *r)
{
    snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
    return KD_ENOMEM;
}

static int oom_at(const line *l)
{
    snprintf(l->r->err, sizeof l->r->err, "%s:%u: out of memory", l->file ? l->file : l->r->path, l->no);
    return KD_ENOMEM;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }
static size_t skip_space(const line *l, size_t i)
{
    while (i < l->n && is_space(l->s[i]))
        i++;
    return i;
}
/* End of the word starting at i. */
static size_t word_end(const line *l, size_t i)
{
    while (i < l->n && !is_space(l->s[i]))
        i++;
    return i;
}
static int word_is(const line *l, size_t i, size_t e, const char *w)
{
    return e - i == strlen(w) && !memcmp(l->s + i, w, e - i);
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int name_char(char c, int first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/*
 * Rule names are looked up for every new name, entry and meta operand: with a linear scan a
 * 40,000-line WordPress list took seconds to load (quadratic). An open-addressing hash of
 * rule indices keeps each look-up O(1). Names are set after rule_new() (the parsers fill
 * them in), so the index catches up lazily, up to the first rule still without a name;
 * anything past that is scanned directly, which keeps const look-ups exact too.
 */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static int name_is(const kd_rule *x, const char *s, size_t n)
{
    return x->name && strlen(x->name) == n && !memcmp(x->name, s, n);
}

static void index_put(uint32_t *slot, size_t cap, const kd_rule *rule, uint32_t i)
{
    size_t k = (size_t)name_hash(rule[i].name, strlen(rule[i].name)) & (cap - 1);
    while (slot[k])
        k = (k + 1) & (cap - 1);
    slot[k] = i + 1;
}

/* Add the named rules past r->named to the index. 0 or KD_ENOMEM. */
static int index_names(kd_rules *r)
{
    if (2 * (r->n + 1) > r->names_cap) {
        size_t cap = r->names_cap ? r->names_cap : 256;
        while (2 * (r->n + 1) > cap)
            cap *= 2;
        uint32_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return KD_ENOMEM;
        for (size_t i = 0; i < r->named; i++)
            index_put(slot, cap, r->rule, (uint32_t)i);
        free(r->names);
        r->names = slot;
        r->names_cap = cap;
    }
    for (; r->named < r->n && r->rule[r->named].name; r->named++)
        index_put(r->names, r->names_cap, r->rule, (uint32_t)r->named);
    return KD_OK;
}

/* The rule named s[0..n), or -1. */
static long find_const(const kd_rules *r, const char *s, size_t n)
{
    if (r->names_cap)
        for (size_t k = (size_t)name_hash(s, n) & (r->names_cap - 1); r->names[k]; k = (k + 1) & (r->names_cap - 1))
            if (name_is(&r->rule[r->names[k] - 1], s, n))
                return (long)r->names[k] - 1;
    for (size_t i = r->named; i < r->n; i++)
        if (name_is(&r->rule[i], s, n))
            return (long)i;
    return -1;
}

/* The same while parsing: indexes the rules named since the last look-up first. */
static long find_n(kd_rules *r, const char *s, size_t n)
{
    index_names(r); /* out of memory: the direct scan in find_const still answers */
    return find_const(r, s, n);
}

/* A new rule at the end of the set (zeroed), or NULL when out of memory. */
static kd_rule *rule_new(kd_rules *r, unsigned no, kd_rule_kind kind)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        kd_rule *p = realloc(r->rule, cap * sizeof *p);
        if (!p)
            return NULL;
        r->rule = p;
        r->cap = cap;
    }
    kd_rule *x = &r->rule[r->n++];
    memset(x, 0, sizeof *x);
    x->line = no;
    x->kind = kind;
    x->report = 1;
    return x;
}

static void rule_clear(kd_rule *x)
{
    free(x->name);
    free(x->description);
    free(x->value);
    free(x->prog);
    pcre2_code_free(x->re);
    pcre2_code_free(atomic_load(&x->lazy));
    pcre2_code_free(x->re_ascii);
    free(x->src);
}

/* Parse a rule name at *i: checks its syntax and that it is new. */
static int parse_name(const line *l, size_t *i, char **out)
{
    size_t s = skip_space(l, *i), e = word_end(l, s);
    if (s == e)
        return fail_at(l, s, "a rule name is missing");
    for (size_t k = s; k < e; k++)
        if (!name_char(l->s[k], k == s))
            return fail_at(l, k, "a rule name is letters, digits and '_' and starts with a letter or '_'");
    if (e - s > MAX_NAME)
        return fail_at(l, s, "a rule name is at most %d characters", MAX_NAME);
    long prev = find_n(l->r, l->s + s, e - s);
    if (prev >= 0)
        return fail_at(l, s, "rule '%.*s' is already defined on line %u", (int)(e - s), l->s + s,
                       l->r->rule[prev].line);
    if (!(*out = dup_range(l->s + s, e - s)))
        return oom_at(l);
    *i = e;
    return KD_OK;
}

/* Parse a number at *i that must end at a space or the end of the line. */
static int parse_number(const line *l, size_t *i, double lo, double hi, const char *what, double *out)
{
    size_t s = skip_space(l, *i), e = word_end(l, s);
    if (s == e)
        return fail_at(l, s, "%s is missing", what);
    char buf[64], *end;
    if (e - s >= sizeof buf)
        return fail_at(l, s, "%s is not a number", what);
    memcpy(buf, l->s + s, e - s);
    buf[e - s] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    /* decimal only: strtod also reads "0x10" (16), "infinity", "nan" */
    if (*end || errno || !isfinite(v) || strspn(buf, "+-.0123456789eE") != e - s)
        return fail_at(l, s, "%s is not a number: '%s'", what, buf);
    if (v < lo || v > hi)
        return fail_at(l, s, "%s must be from %.15g to %.15g", what, lo, hi); /* 1073741824, not 1.07374e+09 */
    *out = v;
    *i = e;
    return KD_OK;
}

/* The score, then the rest of the line as the description. */
static int parse_tail(const line *l, size_t i, kd_rule *x)
{
    size_t at = skip_space(l, i);
    int rc = parse_number(l, &i, -MAX_SCORE, MAX_SCORE, "the score", &x->score);
    if (rc)
        return rc;
    if (!x->report && x->score != 0) /* it was accepted, and silently added nothing */
        return fail_at(l, at, "%s is a sub-rule (its name begins with __): it only feeds meta rules and "
                              "adds nothing itself; give it the score 0, or a name without __", x->name);
    size_t s = skip_space(l, i), e = l->n;
    while (e > s && is_space(l->s[e - 1]))
        e--;
    if (!(x->description = dup_range(l->s + s, e - s)))
        return oom_at(l);
    return KD_OK;
}

/* Compile pat[0..n) (starting at byte pos of the line) with PCRE2 options (the JIT pass is
 * kd_rules_jit_compile(), for callers that will match many comments). */
static int compile(const line *l, size_t pos, const char *pat, size_t n, uint32_t opts, pcre2_code **out)
{
    int err;
    PCRE2_SIZE at;
    opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    /* a line of the rule file: its compiled file's pattern, if one was read and it matches */
    l->r->cc_just = NULL;
    if (!l->file && l->r->compiled && (*out = kd_rules_compiled_take(l->r, pat, n, opts, l->no)))
        return KD_OK;
    *out = pcre2_compile((PCRE2_SPTR)pat, n, opts, &err, &at, NULL);
    if (!*out) {
        if (err == PCRE2_ERROR_NOMEMORY)
            return oom_at(l);
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "PCRE2 error %d", err);
        return fail_at(l, pos + (at < n ? at : n), "%s", (const char *)msg);
    }
    return KD_OK;
}

/* The byte-mode twin of a pattern, used on pure-ASCII subjects: PCRE2's UTF mode costs about
 * half the speed, and on ASCII text both modes match alike (\w, \b and caseless agree below
 * U+0080) - provided the pattern itself is ASCII. A non-ASCII character written as UTF-8 is
 * several code units in byte mode, and a quantifier then applies to its last byte only:
 * /cheap\s*💊*\s*pills/ would need the emoji's first three bytes and never match "cheap
 * pills". So a pattern with a non-ASCII byte has no twin (an escape such as \x{e9} is one
 * code unit in both modes and absent from ASCII text in both); nor has one that does not
 * compile without UTF (\x{100} and above). */
static pcre2_code *compile_ascii(const char *pat, size_t n, uint32_t opts)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)pat[i] >= 0x80)
            return NULL;
    int err;
    PCRE2_SIZE at;
    return pcre2_compile((PCRE2_SPTR)pat, n, opts & ~(uint32_t)PCRE2_UCP, &err, &at, NULL);
}

/* 1 when pattern p[0..n) (options opts) can match only an empty subject or a lone line
 * break, 2 when only an empty one, else 0. Such a pattern is a sequence of zero-width
 * assertions (^ $ \A \z \Z \G \b \B, in groups without alternatives), one of which holds only
 * at the subject's start (\A; \G, as matching starts there; ^ unless m) and one only at its end
 * (\z; \Z, and $ unless m, also before a final line break): a match is empty, at offset 0 and
 * at the end. Anything else (an alternative, a quantifier, a character, an inline option, a
 * comment) gives 0, so that a rule that may fire is never refused for this. */
static int only_empty(const char *p, size_t n, uint32_t opts)
{
    int start = 0, end = 0, end_z = 0, ml = (opts & PCRE2_MULTILINE) != 0, x = (opts & PCRE2_EXTENDED) != 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '^')
            start |= !ml;
        else if (c == '$')
            end |= !ml;
        else if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            if (i + 2 >= n || p[i + 2] != ':')
                return 0;
            i += 2; /* (?: */
        } else if (c == '\\' && i + 1 < n) {
            switch (p[++i]) {
            case 'A': case 'G': start = 1; break;
            case 'z': end_z = 1; break;
            case 'Z': end = 1; break;
            case 'b': case 'B': break;
            default: return 0;
            }
        } else if (c != '(' && c != ')' && !(x && (c == ' ' || (c >= '\t' && c <= '\r'))))
            return 0;
    }
    return !start ? 0 : end_z ? 2 : end;
}

static int parse_match(const line *l, size_t i, kd_rule_field field)
{
    kd_rule *x = rule_new(l->r, l->no, KD_RULE_MATCH);
    if (!x)
        return oom_at(l);
    x->field = field;
    int rc = parse_name(l, &i, &x->name);
    if (rc)
        return rc;
    x->report = strncmp(x->name, "__", 2) != 0;
    size_t s = skip_space(l, i);
    if (s >= l->n || l->s[s] != '/')
        return fail_at(l, s, "expected a pattern: /PATTERN/FLAGS");
    size_t e = s + 1;
    while (e < l->n && l->s[e] != '/')
        e += l->s[e] == '\\' && e + 1 < l->n ? 2 : 1;
    if (e >= l->n)
        return fail_at(l, s, "the pattern has no closing '/' (write a '/' inside it as '\\/')");
    if (e == s + 1)
        return fail_at(l, s, "the pattern is empty");
    uint32_t opts = PCRE2_UCP;
    size_t f = e + 1;
    for (; f < l->n && !is_space(l->s[f]); f++) {
        switch (l->s[f]) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'a': opts &= ~(uint32_t)PCRE2_UCP; break;
        default:
            return fail_at(l, f, "unknown pattern flag '%c' (flags: i m s x a)", l->s[f]);
        }
    }
    if ((rc = compile(l, s + 1, l->s + s + 1, e - s - 1, opts, &x->re)))
        return rc;
    int empty = only_empty(l->s + s + 1, e - s - 1, opts);
    if (empty) { /* rules_eval.c runs no pattern on an empty field */
        const char *fn = field == KD_F_ANY ? "FIELD" : kd_rule_field_names[field];
        if (field == KD_F_TEXT)
            return fail_at(l, s, "the pattern matches only an empty text%s, and no rule runs on an empty "
                                 "field: for an empty text, write `count NAME length == 0`",
                           empty == 1 ? " or a lone line break" : "");
        return fail_at(l, s, "the pattern matches only an empty field%s, and no rule runs on an empty field: "
                             "for an empty or missing %s, write `meta NAME (!__HAS)` over `%s __HAS /\\S/`",
                       empty == 1 ? " or a lone line break" : "", fn, fn);
    }
    if (!(x->src = dup_range(l->s + s + 1, e - s - 1)))
        return oom_at(l);
    x->srclen = e - s - 1;
    x->opts = opts;
    if (field == KD_F_TEXT) {
        /* its required literals: as recorded in the compiled file, else found in the pattern */
        const kd_rules_code *cc = l->r->cc_just;
        unsigned id = (unsigned)(x - l->r->rule);
        int k = cc && cc->pre ? kd_prefilter_add_saved(l->r->pre, id, cc->pre, cc->prelen) : KD_EPARSE;
        if (k == KD_EPARSE)
            k = kd_prefilter_add(l->r->pre, id, l->s + s + 1, e - s - 1, (opts & PCRE2_EXTENDED) != 0);
        if (k < 0)
            return oom_at(l);
        x->prefiltered = k;
        x->pre_slot = k ? (unsigned)(kd_prefilter_slot(l->r->pre, id) + 1) : 0;
    }
    return parse_tail(l, f, x);
}

/* count NAME QUANTITY OP NUMBER SCORE [DESCRIPTION] */
static int parse_count(const line *l, size_t i)
{
    kd_rule *x = rule_new(l->r, l->no, KD_RULE_COUNT);
    if (!x)
        return oom_at(l);
    int rc = parse_name(l, &i, &x->name);
    if (rc)
        return rc;
    x->report = strncmp(x->name, "__", 2) != 0;
    size_t s = skip_space(l, i), e = word_end(l, s);
    int q;
    for (q = 0; q < KD_Q__COUNT; q++)
        if (word_is(l, s, e, kd_quantity_names[q]))
            break;
    if (q == KD_Q__COUNT)
        return fail_at(l, s, "expected a quantity: links, domains, emails, phones, emoji, money, caps, repeats, "
                             "generic, length, words, lines or caps_percent");
    x->quantity = (kd_quantity)q;
    s = skip_space(l, e);
    e = word_end(l, s);
    static const char *const ops[] = { ">=", ">", "<=", "<", "==", "!=" };
    int op;
    for (op = 0; op < 6; op++)
        if (word_is(l, s, e, ops[op]))
            break;
    if (op == 6)
        return fail_at(l, s, "expected a comparison: >= > <= < == !=");
    x->cmp = (kd_cmp)op;
    i = e;
    if ((rc = parse_number(l, &i, 0, 1e12, "the number to compare with", &x->number)))
        return rc;
    if (x->quantity == KD_Q_GENERIC) { /* 0, 1 or 2: a comparison true (or false) for all three is a mistake */
        int fires = 0;
        for (int v = 0; v <= 2; v++) {
            double k = x->number;
            int r = x->cmp == KD_CMP_GE ? v >= k : x->cmp == KD_CMP_GT ? v > k : x->cmp == KD_CMP_LE ? v <= k
                  : x->cmp == KD_CMP_LT ? v < k : x->cmp == KD_CMP_EQ ? v == k : v != k;
            fires += r;
        }
        if (fires == 0 || fires == 3)
            return fail_at(l, skip_space(l, e), "generic is 0, 1 or 2 (2: generic praise with a link): this rule "
                                                "would %s", fires ? "always fire" : "never fire");
    }
    if (x->quantity <= KD_Q_TOKENS_LAST)
        l->r->need_tokens = 1;
    return parse_tail(l, i, x);
}

/* Meta expressions: recursive descent to a postfix program.
 *   or := and ('||' and)*    and := unary ('&&' unary)*    unary := '!' unary | primary
 *   primary := NAME | '(' or ')'                                                        */
#define META_DEPTH 64 /* nesting of '(' and '!': bounds the parser's recursion */

typedef struct meta {
    const line *l;
    size_t i;
    kd_meta_step prog[KD_META_MAX];
    size_t n;
    int depth;
} meta;

static int meta_emit(meta *m, kd_meta_op op, unsigned rule)
{
    if (m->n == KD_META_MAX)
        return fail_at(m->l, m->i, "the expression is too long (at most %d names and operators)", KD_META_MAX);
    m->prog[m->n].op = op;
    m->prog[m->n++].rule = rule;
    return KD_OK;
}

static int meta_or(meta *m);

static int meta_primary(meta *m)
{
    const line *l = m->l;
    m->i = skip_space(l, m->i);
    if (m->i < l->n && l->s[m->i] == '(') {
        if (++m->depth > META_DEPTH)
            return fail_at(l, m->i, "parentheses are nested too deeply (at most %d)", META_DEPTH);
        size_t open = m->i++;
        int rc = meta_or(m);
        if (rc)
            return rc;
        m->i = skip_space(l, m->i);
        if (m->i >= l->n || l->s[m->i] != ')')
            return fail_at(l, m->i < l->n ? m->i : open, "expected ')' to close the '(' at column %u",
                           column(l, open));
        m->i++;
        m->depth--;
        return KD_OK;
    }
    size_t s = m->i, e = s;
    while (e < l->n && name_char(l->s[e], e == s))
        e++;
    if (e == s)
        return fail_at(l, s, "expected a rule name, '!' or '('");
    long k = find_n(l->r, l->s + s, e - s);
    if (k < 0)
        return fail_at(l, s, "no rule '%.*s' is defined above this line", (int)(e - s), l->s + s);
    m->i = e;
    return meta_emit(m, KD_META_RULE, (unsigned)k);
}

/* Each '!' nests one level, like a parenthesis, and shares its bound: the parser recurses
 * once per level, and 400,000 of them overflowed the stack. */
static int meta_unary(meta *m)
{
    m->i = skip_space(m->l, m->i);
    if (m->i < m->l->n && m->l->s[m->i] == '!') {
        if (++m->depth > META_DEPTH)
            return fail_at(m->l, m->i, "'!' and parentheses are nested too deeply (at most %d)", META_DEPTH);
        m->i++;
        int rc = meta_unary(m);
        m->depth--;
        return rc ? rc : meta_emit(m, KD_META_NOT, 0);
    }
    return meta_primary(m);
}

static int meta_and(meta *m)
{
    int rc = meta_unary(m);
    while (!rc) {
        size_t s = skip_space(m->l, m->i);
        if (s + 1 >= m->l->n || m->l->s[s] != '&' || m->l->s[s + 1] != '&')
            break;
        m->i = s + 2;
        if (!(rc = meta_unary(m)))
            rc = meta_emit(m, KD_META_AND, 0);
    }
    return rc;
}

static int meta_or(meta *m)
{
    int rc = meta_and(m);
    while (!rc) {
        size_t s = skip_space(m->l, m->i);
        if (s + 1 >= m->l->n || m->l->s[s] != '|' || m->l->s[s + 1] != '|')
            break;
        m->i = s + 2;
        if (!(rc = meta_and(m)))
            rc = meta_emit(m, KD_META_OR, 0);
    }
    return rc;
}

/* meta NAME (EXPRESSION) SCORE [DESCRIPTION] */
static int parse_meta(const line *l, size_t i)
{
    char *name = NULL;
    int rc = parse_name(l, &i, &name);
    if (rc)
        return rc;
    meta *m = calloc(1, sizeof *m);
    if (!m) {
        free(name);
        return oom_at(l);
    }
    m->l = l;
    m->i = skip_space(l, i);
    if (m->i >= l->n || l->s[m->i] != '(')
        rc = fail_at(l, m->i, "a meta rule's expression is written in parentheses: (A && !B)");
    else
        rc = meta_primary(m);
    kd_rule *x = rc ? NULL : rule_new(l->r, l->no, KD_RULE_META);
    if (!rc && !x)
        rc = oom_at(l);
    if (!rc) {
        x->name = name;
        name = NULL;
        x->report = strncmp(x->name, "__", 2) != 0;
        if (!(x->prog = malloc(m->n * sizeof *x->prog)))
            rc = oom_at(l);
        else {
            memcpy(x->prog, m->prog, m->n * sizeof *x->prog);
            x->nprog = m->n;
            rc = parse_tail(l, m->i, x);
        }
    }
    free(name);
    free(m);
    return rc;
}

/* The end of a value that runs to the end of the line (a word-list entry, an allow value, a
 * file name), before a trailing comment: a '#' with white space before it and after it (or
 * the line's end), as in "moderate casino   # hold these". A '#' inside a value ("#1",
 * "a#b") is kept. Trailing white space is not part of the value. */
static size_t value_end(const line *l, size_t s)
{
    size_t e = l->n;
    for (size_t k = s + 1; k < l->n; k++)
        if (l->s[k] == '#' && is_space(l->s[k - 1]) && (k + 1 == l->n || is_space(l->s[k + 1]))) {
            e = k;
            break;
        }
    while (e > s && is_space(l->s[e - 1]))
        e--;
    return e;
}

/* The longest word-list entry compiled on first use (kd_rules_entry_code); PCRE2 refuses
 * literals of tens of kilobytes, which must fail at loading, naming their line. */
#define LAZY_ENTRY_MAX 1024

/* moderate ENTRY | disallow ENTRY: a literal, matched caseless inside words. comments: 1 on
 * a rule-file line (a trailing "# ..." is a comment), 0 for an entry of a pasted word list
 * (taken whole, as WordPress takes it). */
static int parse_entry(const line *l, size_t i, kd_rule_kind kind, int comments)
{
    size_t s = skip_space(l, i), e = comments ? value_end(l, s) : l->n;
    while (e > s && is_space(l->s[e - 1]))
        e--;
    if (s == e)
        return fail_at(l, s, "the word or phrase is missing");
    const char *prefix = kind == KD_RULE_MODERATE ? "moderate:" : "disallow:";
    size_t pn = strlen(prefix);
    char *name = malloc(pn + (e - s) + 1);
    if (!name)
        return oom_at(l);
    memcpy(name, prefix, pn);
    memcpy(name + pn, l->s + s, e - s);
    name[pn + e - s] = '\0';
    if (find_n(l->r, name, strlen(name)) >= 0) { /* a repeated entry counts once */
        free(name);
        return KD_OK;
    }
    kd_rule *x = rule_new(l->r, l->no, kind);
    if (!x) {
        free(name);
        return oom_at(l);
    }
    x->name = name;
    x->list = l->file ? l->r->lists[l->r->nlists - 1] : NULL; /* (parse_list kept its path last) */
    x->hold = kind == KD_RULE_MODERATE;
    if (!(x->description = strdup(kind == KD_RULE_MODERATE ? "moderation word (hold)" : "disallowed key (spam)")))
        return oom_at(l);
    if (!(x->src = dup_range(l->s + s, e - s)))
        return oom_at(l);
    x->srclen = e - s;
    x->opts = PCRE2_LITERAL | PCRE2_CASELESS;
    unsigned entry;
    int k = kd_wordset_add(l->r->words, l->s + s, e - s, &entry);
    if (k < 0)
        return oom_at(l);
    x->listed = k ? entry + 1 : 0;
    /* An entry of a word list that the index holds is compiled when a comment first has it
     * (kd_rules_entry_code): a literal of that size cannot fail to compile but for memory. The
     * rest now: a line of the rule file (its compiled file holds its pattern), an entry the
     * index does not hold, or one long enough for PCRE2 to refuse. */
    if (l->file && x->listed && e - s <= LAZY_ENTRY_MAX)
        return KD_OK;
    return compile(l, s, l->s + s, e - s, x->opts, &x->re);
}

pcre2_code *kd_rules_entry_code(const kd_rule *x)
{
    /* the rule set is shared read-only by threads; this slot is the one thing set after
     * loading, once, by an atomic exchange (the loser frees its copy) */
    _Atomic(pcre2_code *) *slot = (_Atomic(pcre2_code *) *)&x->lazy;
    pcre2_code *re = atomic_load_explicit(slot, memory_order_acquire);
    if (re)
        return re;
    int err;
    PCRE2_SIZE at;
    pcre2_code *mine = pcre2_compile((PCRE2_SPTR)x->src, x->srclen, x->opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                     &err, &at, NULL);
    if (mine && !atomic_compare_exchange_strong_explicit(slot, &re, mine, memory_order_acq_rel, memory_order_acquire)) {
        pcre2_code_free(mine); /* another thread's is in place: re */
        return re;
    }
    return mine;
}

/* allow FIELD VALUE: an exact, ASCII case-insensitive match of a metadata field. */
static int parse_allow(const line *l, size_t i)
{
    size_t s = skip_space(l, i), e = word_end(l, s);
    int f;
    for (f = KD_F_AUTHOR; f < KD_F__COUNT; f++)
        if (f != KD_F_ANY && f != KD_F_AGENT && word_is(l, s, e, kd_rule_field_names[f]))
            break;
    if (f == KD_F__COUNT)
        return fail_at(l, s, "allow takes a field: author, email, url, ip, post, parent, date, "
                             "email_domain or url_domain");
    size_t vs = skip_space(l, e), ve = value_end(l, vs);
    if (vs == ve)
        return fail_at(l, vs, "the trusted value is missing");
    size_t fn = strlen(kd_rule_field_names[f]);
    char *name = malloc(6 + fn + 1 + (ve - vs) + 1);
    if (!name)
        return oom_at(l);
    sprintf(name, "allow:%s=%.*s", kd_rule_field_names[f], (int)(ve - vs), l->s + vs);
    if (find_n(l->r, name, strlen(name)) >= 0) {
        free(name);
        return KD_OK;
    }
    kd_rule *x = rule_new(l->r, l->no, KD_RULE_ALLOW);
    if (!x) {
        free(name);
        return oom_at(l);
    }
    x->name = name;
    x->field = (kd_rule_field)f;
    if (!(x->value = dup_range(l->s + vs, ve - vs)) || !(x->description = strdup("trusted (approve)")))
        return oom_at(l);
    return KD_OK;
}

/* set KEY VALUE */
static int parse_set(const line *l, size_t i)
{
    size_t s = skip_space(l, i), e = word_end(l, s);
    for (size_t k = 0; k < NSETTINGS; k++) {
        if (!word_is(l, s, e, settings[k].key))
            continue;
        double v;
        size_t vs = skip_space(l, e);
        int rc = parse_number(l, &e, settings[k].lo, settings[k].hi, settings[k].key, &v);
        if (rc)
            return rc;
        if (settings[k].whole && v != floor(v)) /* it was truncated: 100000.5 steps read as 100000 */
            return fail_at(l, vs, "%s is a count: a whole number", settings[k].key);
        size_t rest = skip_space(l, e);
        if (rest < l->n && l->s[rest] != '#')
            return fail_at(l, rest, "unexpected text after the value");
        *(double *)((char *)l->r + settings[k].off) = v;
        return KD_OK;
    }
    return fail_at(l, s, "unknown setting (settings: scan_size, match_limit, depth_limit, heap_limit, "
                         "moderate_score, disallow_score, allow_score)");
}

/* The end of the line of s[0..n) that starts at i: its LF or CR (a CRLF's CR; a CR alone ends
 * a line too, in a file saved with CR line ends), or n. */
static size_t line_end(const char *s, size_t n, size_t i)
{
    /* memchr twice, not a loop over each byte: this runs on every process start (check), and
     * the byte loop cost 158,000 instructions of the shipped 17 KB rule file */
    const char *lf = memchr(s + i, '\n', n - i);
    size_t e = lf ? (size_t)(lf - s) : n;
    const char *cr = memchr(s + i, '\r', e - i);
    return cr ? (size_t)(cr - s) : e;
}

/* What every line of a rule file or word list passes before it is parsed: no UTF-16 (its
 * byte order mark, on the first line), no NUL byte, valid UTF-8. what: "rule file" or
 * "word list". */
static int check_bytes(const line *l, int first, const char *what)
{
    size_t bad;
    const char *nul = memchr(l->s, '\0', l->n);
    if (first && l->n >= 2 && (!memcmp(l->s, "\xFF\xFE", 2) || !memcmp(l->s, "\xFE\xFF", 2)))
        return fail_at(l, 0, "the %s is UTF-16, kindly reads UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)",
                       what);
    if (first && l->n >= 16 && !memcmp(l->s, "SQLite format 3", 16)) { /* a model named as rules */
        snprintf(l->r->err, sizeof l->r->err, "%s is an SQLite database (a kindly model?), not a %s",
                 l->file ? l->file : l->r->path, what);
        return KD_EPARSE;
    }
    if (nul)
        return fail_at(l, (size_t)(nul - l->s), "NUL byte in the %s", what);
    if (!kd_utf8_valid(l->s, l->n, &bad))
        return fail_at(l, bad, "not UTF-8 (if the %s is Windows-1252 or Latin-1, convert it first: iconv -f "
                               "WINDOWS-1252 -t UTF-8)", what);
    return KD_OK;
}

/* moderate-list FILE / disallow-list FILE: a WordPress word list as it is pasted from the
 * settings screen, one word or phrase per line; blank lines are ignored. A relative FILE is
 * found next to the rule file. */
static int parse_list(const line *l, size_t i, kd_rule_kind kind)
{
    size_t s = skip_space(l, i), e = value_end(l, s);
    if (s == e)
        return fail_at(l, s, "the word list's file name is missing");
    char path[4096];
    const char *slash = strrchr(l->r->path, '/');
    int dirlen = l->s[s] != '/' && slash ? (int)(slash - l->r->path + 1) : 0;
    if ((size_t)dirlen + (e - s) >= sizeof path)
        return fail_at(l, s, "the word list's file name is too long");
    snprintf(path, sizeof path, "%.*s%.*s", dirlen, l->r->path, (int)(e - s), l->s + s);
    FILE *f = fopen(path, "rbe"); /* close-on-exec: an embedding program may fork and exec */
    if (!f)
        return fail_at(l, s, "cannot open the word list %s: %s", path, strerror(errno));
    /* kept for the entries' kd_rule_info.file */
    char **lists = realloc(l->r->lists, (l->r->nlists + 1) * sizeof *lists);
    if (lists)
        l->r->lists = lists;
    if (!lists || !(l->r->lists[l->r->nlists] = strdup(path))) {
        fclose(f);
        return oom_at(l);
    }
    l->r->nlists++;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = KD_OK;
    for (unsigned no = 1; !rc && (got = getline(&buf, &cap, f)) >= 0;) {
        /* a list saved by Windows Notepad starts with a UTF-8 byte order mark: not part of
         * the first entry (the rule file itself skips one the same way) */
        size_t bom = no == 1 && got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0, n = (size_t)got;
        if (n > bom && buf[n - 1] == '\n')
            n--;
        if (n > bom && buf[n - 1] == '\r') /* CRLF */
            n--;
        for (size_t a = bom, z; !rc && a <= n; a = z + 1, no++) { /* each line a CR alone ends */
            const char *cr = memchr(buf + a, '\r', n - a); /* (getline ended the line at its LF) */
            z = cr ? (size_t)(cr - buf) : n;
            line entry = { l->r, buf + a, z - a, no, path };
            if (!(rc = check_bytes(&entry, no == 1, "word list")) && skip_space(&entry, 0) < entry.n)
                rc = parse_entry(&entry, 0, kind, 0);
        }
    }
    int err = errno; /* getline's, when it failed: a directory is opened, and read as EISDIR */
    if (!rc && ferror(f))
        rc = fail_at(l, s, "cannot read the word list %s: %s", path, strerror(err));
    free(buf);
    fclose(f);
    return rc;
}

static int parse_line(const line *l)
{
    size_t s = skip_space(l, 0);
    if (s == l->n || l->s[s] == '#')
        return KD_OK;
    size_t e = word_end(l, s);
    for (int f = 0; f < KD_F__COUNT; f++)
        if (word_is(l, s, e, kd_rule_field_names[f]))
            return parse_match(l, e, (kd_rule_field)f);
    if (word_is(l, s, e, "count"))
        return parse_count(l, e);
    if (word_is(l, s, e, "meta"))
        return parse_meta(l, e);
    if (word_is(l, s, e, "moderate-list"))
        return parse_list(l, e, KD_RULE_MODERATE);
    if (word_is(l, s, e, "disallow-list"))
        return parse_list(l, e, KD_RULE_DISALLOW);
    if (word_is(l, s, e, "moderate"))
        return parse_entry(l, e, KD_RULE_MODERATE, 1);
    if (word_is(l, s, e, "disallow"))
        return parse_entry(l, e, KD_RULE_DISALLOW, 1);
    if (word_is(l, s, e, "allow"))
        return parse_allow(l, e);
    if (word_is(l, s, e, "set"))
        return parse_set(l, e);
    size_t k = e - s > 40 ? 40 : e - s; /* quoted up to 40 bytes, cut at a character */
    while (k < e - s && ((unsigned char)l->s[s + k] & 0xC0) == 0x80)
        k--;
    return fail_at(l, s, "unknown keyword '%.*s' (a field: text, author, email, url, ip, agent, post, "
                         "parent, date, email_domain, url_domain, any; or count, meta, moderate, "
                         "disallow, moderate-list, disallow-list, allow, set)", (int)k, l->s + s);
}

static kd_rules *rules_new(const char *name)
{
    kd_rules *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!(r->path = strdup(name ? name : "<rules>"))) {
        free(r);
        return NULL;
    }
    if (kd_prefilter_new(&r->pre) || kd_wordset_new(&r->words)) {
        kd_prefilter_free(r->pre);
        free(r->path);
        free(r);
        return NULL;
    }
    for (size_t k = 0; k < NSETTINGS; k++)
        *(double *)((char *)r + settings[k].off) = settings[k].def;
    return r;
}

/*
 * The JIT's stack. Without one, JIT code backtracks on a 32 KiB stack of its own, which a
 * simple /(?:a|b)+c/ exhausts on a 5,000-character comment that the interpreter (bounded by
 * the heap limit) matches: `kindly check` (interpreted) and `kindly score` (JIT) disagreed.
 * Each thread gets a stack as large as the heap limit (address space reserved up front,
 * memory used only as deep matches need it), so that both paths are bounded by the same
 * budget; PCRE2 asks for it through this callback at the start of each JIT match, in the
 * matching thread, which keeps the match context shared and read-only. The stack is freed
 * when its thread exits; a rule set with a larger heap limit replaces it.
 */
typedef struct jit_stack {
    pcre2_jit_stack *stack;
    size_t max;
} jit_stack;

static pthread_key_t jit_key;
static pthread_once_t jit_once = PTHREAD_ONCE_INIT;
static int jit_key_ok;

static void jit_stack_free(void *p)
{
    jit_stack *js = p;
    pcre2_jit_stack_free(js->stack);
    free(js);
}

static void jit_key_create(void) { jit_key_ok = pthread_key_create(&jit_key, jit_stack_free) == 0; }

#define JIT_STACK_START ((size_t)32 << 10)
#define JIT_STACK_CAP ((size_t)1 << 30)

/* NULL makes PCRE2 fall back to its 32 KiB stack (a deep match then stops at a limit). */
static pcre2_jit_stack *thread_jit_stack(void *ud)
{
    const kd_rules *r = ud;
    size_t want = (size_t)r->heap_limit << 10;
    if (want > JIT_STACK_CAP)
        want = JIT_STACK_CAP;
    if (want < JIT_STACK_START)
        want = JIT_STACK_START;
    pthread_once(&jit_once, jit_key_create);
    if (!jit_key_ok)
        return NULL;
    jit_stack *js = pthread_getspecific(jit_key);
    if (js && js->max >= want)
        return js->stack;
    pcre2_jit_stack *st = pcre2_jit_stack_create(JIT_STACK_START, want, NULL);
    if (!st)
        return js ? js->stack : NULL;
    if (!js && !(js = calloc(1, sizeof *js))) {
        pcre2_jit_stack_free(st);
        return NULL;
    }
    pcre2_jit_stack_free(js->stack);
    js->stack = st;
    js->max = want;
    if (pthread_setspecific(jit_key, js)) {
        jit_stack_free(js);
        return NULL;
    }
    return st;
}

/*
 * On-demand sub-rules. A sub-rule ("__NAME") adds nothing by itself: only the meta rules
 * that name it read its value. An evaluation that reports hits only (kd_classify: fired[]
 * not asked for) decides one when a meta needs it, and a meta evaluates its operands
 * cheapest first and stops as soon as one decides it: in (__MOSTLY_CAPS && __LONG_ENOUGH ||
 * ...) && __ONE_LINK, a comment without a link never has its capitals counted nor its
 * exclamation marks matched. `kindly rules --test` and `--stats` ask for fired[] and decide
 * every rule.
 *
 * The costs are rough ranks, not measurements: reading a rule decided before the meta runs
 * costs 1, a count read from the tokens 4, one read from the text (a pass over it) or
 * generic 8, a pattern on a short field (author, url, ...) 8, on the text 16, an on-demand
 * meta the sum of its operands. A read is not free: a sub-meta that reads 37 scoring rules
 * (models/default.rules' __SALES_OR_SCAM) costs more than one pattern the prefilter skips
 * most of the time, and ranked 0 it was read first, on every comment (+2,400 instructions a
 * comment on sms.csv). AND and OR have no side effects, so swapping their operands
 * changes nothing but the order. An on-demand meta nests at most DEMAND_DEPTH on-demand
 * metas (the evaluation recurses once per level); a deeper one is decided in order, as any
 * rule.
 */
#define DEMAND_DEPTH 8
#define COST_MAX (1u << 20)

typedef struct meta_tree {
    const kd_meta_step *prog;
    unsigned start[KD_META_MAX]; /* the first step of the operand that ends at each step */
    unsigned cost[KD_META_MAX];  /* its cost */
    kd_meta_step out[KD_META_MAX];
    size_t n;
    unsigned ops[KD_META_MAX];   /* the operands of the chains being emitted, a stack */
    size_t nops;
} meta_tree;

/* Push the operands of the chain of op (A && B && C: A, B and C) that ends at step i. */
static void meta_chain(meta_tree *t, size_t i, kd_meta_op op)
{
    if (t->prog[i].op != op) {
        t->ops[t->nops++] = (unsigned)i;
        return;
    }
    meta_chain(t, t->start[i - 1] - 1, op);
    meta_chain(t, i - 1, op);
}

/* Append the operand that ends at step i, each chain of && or of || in order of cost (the
 * writer's order among equals). */
static void meta_emit_ordered(meta_tree *t, size_t i)
{
    const kd_meta_step *p = &t->prog[i];
    if (p->op == KD_META_RULE || p->op == KD_META_NOT) {
        if (p->op == KD_META_NOT)
            meta_emit_ordered(t, i - 1);
        t->out[t->n] = *p;
        t->out[t->n++].jump = 0;
        return;
    }
    size_t base = t->nops;
    meta_chain(t, i, p->op);
    for (size_t a = base + 1; a < t->nops; a++) /* a stable insertion sort: a few operands */
        for (size_t b = a; b > base && t->cost[t->ops[b]] < t->cost[t->ops[b - 1]]; b--) {
            unsigned k = t->ops[b];
            t->ops[b] = t->ops[b - 1];
            t->ops[b - 1] = k;
        }
    for (size_t a = base; a < t->nops; a++) {
        meta_emit_ordered(t, t->ops[a]);
        if (a > base) {
            t->out[t->n] = *p;
            t->out[t->n++].jump = 0;
        }
    }
    t->nops = base;
}

/* Where each step's operand starts, and its cost (the on-demand rules it names); *nest
 * becomes at least 1 + the nesting of each on-demand meta it names (their nesting: depth). */
static unsigned meta_costs(const kd_rules *r, const kd_meta_step *prog, size_t n, unsigned *start, unsigned *cost,
                           const unsigned *depth, unsigned *nest)
{
    for (size_t i = 0; i < n; i++) {
        const kd_meta_step *p = &prog[i];
        if (p->op == KD_META_RULE) {
            const kd_rule *k = &r->rule[p->rule];
            start[i] = (unsigned)i;
            cost[i] = k->on_demand ? k->cost : 1;
            if (k->on_demand && k->kind == KD_RULE_META && depth[p->rule] + 1 > *nest)
                *nest = depth[p->rule] + 1;
        } else if (p->op == KD_META_NOT) {
            start[i] = start[i - 1];
            cost[i] = cost[i - 1];
        } else {
            size_t left = start[i - 1] - 1;
            start[i] = start[left];
            cost[i] = cost[left] + cost[i - 1] < COST_MAX ? cost[left] + cost[i - 1] : COST_MAX;
        }
    }
    return n ? cost[n - 1] : 0;
}

/* Which rules are decided on demand, their costs, and each meta's program in order of cost
 * with its jumps. depth: r->n entries of scratch (an on-demand meta's nesting). */
static void plan_on_demand(kd_rules *r, unsigned *depth, meta_tree *t)
{
    for (size_t i = 0; i < r->n; i++) {
        kd_rule *x = &r->rule[i];
        depth[i] = 0;
        x->on_demand = !x->report && (x->kind == KD_RULE_MATCH || x->kind == KD_RULE_COUNT || x->kind == KD_RULE_META);
        if (x->kind == KD_RULE_MATCH)
            x->cost = x->field == KD_F_TEXT || x->field == KD_F_ANY ? 16 : 8;
        else if (x->kind == KD_RULE_COUNT)
            x->cost = x->quantity < KD_Q_GENERIC ? 4 : 8;
        if (x->kind != KD_RULE_META) {
            if (!x->on_demand)
                x->cost = 0;
            continue;
        }
        unsigned d = 1;
        meta_costs(r, x->prog, x->nprog, t->start, t->cost, depth, &d);
        t->prog = x->prog;
        t->n = t->nops = 0;
        meta_emit_ordered(t, x->nprog - 1);
        memcpy(x->prog, t->out, x->nprog * sizeof *x->prog);
        x->cost = meta_costs(r, x->prog, x->nprog, t->start, t->cost, depth, &d);
        for (size_t k = 0; k < x->nprog; k++)
            if (x->prog[k].op == KD_META_AND || x->prog[k].op == KD_META_OR)
                x->prog[t->start[k - 1] - 1].jump = (unsigned)k;
        depth[i] = d;
        if (d > DEMAND_DEPTH)
            x->on_demand = 0;
        if (!x->on_demand)
            x->cost = 0;
    }
}

/* After the last line: scores from settings, and the match context with the limits. */
static int finish(kd_rules *r)
{
    unsigned *depth = malloc((r->n ? r->n : 1) * sizeof *depth);
    meta_tree *t = malloc(sizeof *t);
    if (!depth || !t) {
        free(depth);
        free(t);
        return oom(r);
    }
    plan_on_demand(r, depth, t);
    free(depth);
    free(t);
    for (size_t i = r->n; i-- > 0;) {
        kd_rule *x = &r->rule[i];
        if (x->listed)
            x->run = i + 1 < r->n && x[1].listed == x->listed + 1 ? x[1].run + 1 : 1;
    }
    for (size_t i = 0; i < r->n; i++) {
        kd_rule *x = &r->rule[i];
        if (x->kind == KD_RULE_MODERATE)
            x->score = r->moderate_score;
        else if (x->kind == KD_RULE_DISALLOW)
            x->score = r->disallow_score;
        else if (x->kind == KD_RULE_ALLOW)
            x->score = r->allow_score;
    }
    /* the prefilter's automaton is built by kd_rules_jit_compile, with the rest of what only
     * many comments repay; until then the prefilter searches each literal (prefilter.c) */
    if (!(r->mctx = pcre2_match_context_create(NULL)))
        return oom(r);
    pcre2_set_match_limit(r->mctx, (uint32_t)r->match_limit);
    pcre2_set_depth_limit(r->mctx, (uint32_t)r->depth_limit);
    pcre2_set_heap_limit(r->mctx, (uint32_t)r->heap_limit);
    pcre2_jit_stack_assign(r->mctx, thread_jit_stack, r);
    return KD_OK;
}

/* kd_rules_parse, reading the compiled file cpath first when not NULL. */
static int parse(kd_rules **out, const char *name, const char *text, size_t len, const char *cpath)
{
    int rc = KD_OK;
    if (!out)
        return KD_EINVAL;
    *out = NULL;
    kd_rules *r = rules_new(name);
    if (!r)
        return KD_ENOMEM;
    *out = r;
    if (!text) {
        rc = KD_EINVAL;
        snprintf(r->err, sizeof r->err, "no rule text");
        goto done;
    }
    r->from_text = 1;
    r->text_len = len;
    r->text_hash = kd_rules_hash(text, len);
    if (cpath && (rc = kd_rules_compiled_open(r, cpath)))
        goto done;
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    for (unsigned no = 1; i < len && !rc; no++) {
        size_t e = line_end(text, len, i);
        line l = { r, text + i, e - i, no, NULL };
        if (!(rc = check_bytes(&l, no == 1, "rule file")))
            rc = parse_line(&l);
        i = e + (e + 1 < len && text[e] == '\r' && text[e + 1] == '\n' ? 2 : 1);
    }
    if (!rc)
        rc = finish(r);
    if (!rc)
        kd_rules_compiled_done(r);
done:
    kd_rules_compiled_drop(r);
    if (rc == KD_ENOMEM && !strstr(r->err, "out of memory")) /* (one oom_at named the line) */
        oom(r);
    kd_rules_err_end(r);
    r->failed = rc != KD_OK;
    return rc;
}

int kd_rules_parse(kd_rules **out, const char *name, const char *text, size_t len)
{
    return parse(out, name, text, len, NULL);
}

int kd_rules_load(kd_rules **out, const char *path)
{
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc;
    if (!out)
        return KD_EINVAL;
    if (!path || !*path) {
        if (!(*out = rules_new("<rules>")))
            return KD_ENOMEM;
        snprintf((*out)->err, sizeof (*out)->err, "no rule file path given");
        (*out)->failed = 1;
        return KD_EINVAL;
    }
    FILE *f = fopen(path, "rbe"); /* close-on-exec: an embedding program may fork and exec */
    if (!f) {
        int e = errno;
        *out = rules_new(path);
        if (!*out)
            return KD_ENOMEM;
        snprintf((*out)->err, sizeof (*out)->err, "cannot open rule file %s: %s", path, strerror(e));
        kd_rules_err_end(*out);
        (*out)->failed = 1;
        return KD_EIO;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = cap > MAX_FILE + 1 ? NULL : realloc(text, cap);
            if (!p) {
                *out = rules_new(path);
                rc = !*out ? KD_ENOMEM : cap > MAX_FILE + 1 ? KD_EPARSE : oom(*out);
                if (*out && rc == KD_EPARSE)
                    snprintf((*out)->err, sizeof (*out)->err, "%s: larger than 64 MiB", path);
                goto done;
            }
            text = p;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        *out = rules_new(path);
        rc = *out ? KD_EIO : KD_ENOMEM;
        if (*out)
            snprintf((*out)->err, sizeof (*out)->err, "%s: cannot read: %s", path, strerror(e));
        goto done;
    }
    char *cpath = malloc(strlen(path) + sizeof KD_RULES_COMPILED_SUFFIX);
    if (!cpath) {
        rc = (*out = rules_new(path)) ? oom(*out) : KD_ENOMEM;
        goto done;
    }
    strcpy(cpath, path);
    strcat(cpath, KD_RULES_COMPILED_SUFFIX);
    rc = parse(out, path, text ? text : "", len, cpath);
    free(cpath);
done:
    if (rc && *out) { /* a read error, a file too large, no memory: as unusable as a parse error */
        kd_rules_err_end(*out);
        (*out)->failed = 1;
    }
    fclose(f);
    free(text);
    return rc;
}

const char *kd_rules_error(const kd_rules *r) { return r ? r->err : "out of memory"; }

void kd_rules_free(kd_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        rule_clear(&r->rule[i]);
    free(r->rule);
    free(r->names);
    free(r->path);
    for (size_t i = 0; i < r->nlists; i++)
        free(r->lists[i]);
    free(r->lists);
    pcre2_match_context_free(r->mctx);
    kd_rules_compiled_drop(r);
    free(r->cc_path);
    kd_prefilter_free(r->pre);
    kd_wordset_free(r->words);
    free(r);
}

/* A set whose loading failed holds the rules read before the bad line, some without their
 * pattern: it is empty to its readers, as it is to kd_rules_eval(). */
size_t kd_rules_count(const kd_rules *r) { return r && !r->failed ? r->n : 0; }

int kd_rules_jit(const kd_rules *r) { return r && r->jit; }

/* 1 when re is JIT-compiled. A pattern that starts with (*NO_JIT) has no JIT code although
 * pcre2_jit_compile succeeds, and pcre2_jit_match refuses it: a rule with one never fired. */
static int jit(pcre2_code *re)
{
    size_t size = 0;
    return pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0 && pcre2_pattern_info(re, PCRE2_INFO_JITSIZE, &size) == 0
           && size > 0;
}

/* JIT compilation turns each pattern into machine code: about 70 us a pattern here, which a
 * run over many comments earns back at once, and a single `kindly check` never does. The
 * prefilter's Aho-Corasick automaton is the same kind of investment (about 0.3 ms for the
 * default rules), so it is built here too; if it cannot be (out of memory), the prefilter
 * keeps searching literal by literal, with the same result. */
int kd_rules_jit_compile(kd_rules *r)
{
    if (!r || r->failed)
        return KD_EINVAL;
    kd_prefilter_build(r->pre);
    int all = 1;
    for (size_t i = 0; i < r->n; i++) {
        kd_rule *x = &r->rule[i];
        if (x->kind != KD_RULE_MATCH)
            continue; /* word-list entries: literals, run only where the word index saw them,
                         interpreted (as fast for a literal; 70 us each x 40,000 entries is not) */
        if (x->re && !jit(x->re))
            all = 0; /* no JIT on this machine or build: the interpreter matches instead */
        if (x->src && !x->re_ascii)
            x->re_ascii = compile_ascii(x->src, x->srclen, x->opts);
        if (x->re_ascii && !jit(x->re_ascii)) {
            pcre2_code_free(x->re_ascii); /* the UTF pattern through the interpreter will do */
            x->re_ascii = NULL;
        }
    }
    r->jit = all;
    return KD_OK;
}

long kd_rules_find(const kd_rules *r, const char *name)
{
    return r && !r->failed && name ? find_const(r, name, strlen(name)) : -1;
}

int kd_rules_info_get(const kd_rules *r, size_t i, kd_rule_info *out)
{
    if (!r || r->failed || i >= r->n || !out)
        return KD_EINVAL;
    const kd_rule *x = &r->rule[i];
    static const char *const kinds[] = { "", "count", "meta", "moderate", "disallow", "allow" };
    out->name = x->name;
    out->description = x->description ? x->description : "";
    out->kind = x->kind == KD_RULE_MATCH ? kd_rule_field_names[x->field] : kinds[x->kind];
    out->score = x->score;
    out->hold = x->hold;
    out->reported = x->report;
    out->line = x->line;
    out->file = x->list;
    return KD_OK;
}
