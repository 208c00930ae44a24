/*
 * rules_eval.c - running a compiled rule set against one comment.
 *
 * Rules run in file order, so a meta rule (which may only name rules above it) finds its
 * operands already decided: one pass, no dependency graph (SpamAssassin sorts metas by
 * priority instead; the file order gives the same guarantee for free). When the caller does
 * not ask for every rule's outcome (fired[]), a sub-rule is decided only when a meta rule
 * reads it, and a meta stops at the first operand that decides it (rules.c: on-demand
 * sub-rules).
 *
 * Matching is bounded whatever the pattern and the input:
 *  - each field is cut to scan_size bytes (64 KiB by default, at a character boundary):
 *    SpamAssassin's body_part_scan_size does the same for mail bodies;
 *  - every match runs under the rule set's match context: PCRE2's match limit (which the
 *    JIT counts over the whole call, all start positions included), and the depth and heap
 *    limits that bound the interpreter when JIT is unavailable. A pattern that reaches a
 *    limit simply does not fire; --test and --stats report it.
 * Nothing here writes to the kd_rules: the match data (the only per-match state PCRE2
 * needs) belongs to the call, so threads share one rule set.
 *
 * Count rules read the tokenizer's class tokens ("#url" per link, "#phone", "#emoji", ...)
 * so that a link counts the same for the rules as for Bayes; the pipeline passes the tokens
 * it already has, and a stand-alone evaluation tokenizes only when a count rule needs them.
 */
#include "rules.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "generic.h"
#include "lookalike.h"
#include "normalize.h"

typedef struct ctx {
    const kd_rules *r;
    const kd_comment *c;
    const kd_tokens *tok;
    kd_tokens own;
    pcre2_match_data *md;
    unsigned char *fired;  /* each rule's outcome so far (KD_RULE_UNDECIDED: one not needed yet) */
    const uint64_t *may;   /* the text patterns the prefilter lets run (by slot), or NULL: all */
    double q[KD_Q__COUNT];
    int have_tok_q, have_text_q, have_generic;
    int generic_given; /* kd_generic() of the tokens given by the pipeline, or -1 */
    int have_email_dom, have_url_dom;
    const char *text;  /* the text the patterns and quantities see (visible_text) */
    kd_buf visible, latin;
    /* last, and not zeroed for each comment (written when have_*_dom is set) */
    char email_dom[256], url_dom[256];
} ctx;

/* Zero-width and invisible formatting characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD):
 * a reader does not see them, spammers put them inside words to dodge patterns, and
 * YouTube appends U+FEFF to every comment. */
static size_t invisible_at(const unsigned char *p, size_t left)
{
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x8B && p[2] <= 0x8D)
        return 3;
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0xA0)
        return 3;
    if (left >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    if (left >= 2 && p[0] == 0xC2 && p[1] == 0xAD)
        return 2;
    return 0;
}

/* The text the patterns match: what a reader sees. c->text as written when it is ASCII;
 * without its invisible characters when those are all it has beyond ASCII (every YouTube
 * comment: it stays ASCII, for the faster byte-mode matching and the prefilter); else its
 * NFKC form, without them, Zalgo marks and "fancy text" letters read plain (normalize.c,
 * KD_NORM_PLAIN: "v̷i̶a̸g̵r̴a̷", "🅵🆁🅴🅴"), and with the words disguised by Cyrillic or
 * Greek look-alikes in Latin letters (lookalike.c). Spammers write "ＦＲＥＥ", "ｆｒｅｅ", "①⓪⓪%" or
 * "vіаgrа" and put zero-width characters inside words to dodge patterns; a reader sees
 * "FREE", "free", "100%", "viagra" and one word. Both map each of those to what the reader
 * sees, as the tokenizer does for Bayes; case is kept, so that /i decides, and so are control characters (a rule
 * may name a mis-decoded Windows-1252 apostrophe, U+0092). The text quantities (length,
 * words, lines, caps_percent) are counted on this text too. */
static int visible_text(ctx *x, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), ascii = kd_ascii_prefix(text, n), i = ascii;
    x->text = text;
    if (i == n)
        return KD_OK;
    kd_buf_clear(&x->visible);
    while (i < n) { /* non-ASCII beyond the invisible characters? */
        size_t k = s[i] >= 0xC2 ? invisible_at(s + i, n - i) : 0;
        if (!k && s[i] >= 0x80)
            break;
        i += k ? k : 1;
    }
    if (i < n) { /* NFKC: normalize.c drops the invisible characters itself */
        if (kd_normalize(text, n, KD_NORM_NFKC | KD_NORM_PLAIN | KD_NORM_KEEPCC, &x->visible))
            return KD_ENOMEM;
        /* and words disguised with look-alikes read as the Latin words they pass for */
        int rc = kd_lookalike_maybe(x->visible.s, x->visible.len)
                     ? kd_latin_reading(x->visible.s, x->visible.len, &x->latin, NULL) : 0;
        if (rc < 0)
            return rc;
        if (rc) {
            x->text = x->latin.s;
            return KD_OK;
        }
    } else { /* ASCII once they are gone (none in the ASCII prefix) */
        size_t run = 0;
        for (i = ascii; i < n;) {
            size_t k = s[i] >= 0xC2 ? invisible_at(s + i, n - i) : 0;
            if (k) {
                kd_buf_add(&x->visible, text + run, i - run);
                i += k;
                run = i;
            } else {
                i++;
            }
        }
        if (kd_buf_add(&x->visible, text + run, n - run))
            return KD_ENOMEM;
    }
    x->text = x->visible.s ? x->visible.s : "";
    return KD_OK;
}

/* Whether c may be part of a host name as the tokenizer reads one (its url_host_byte). */
static int host_byte(char c)
{
    return (unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_';
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* The host of an author URL, lower-cased, without scheme, user, port, path and "www.". A
 * scheme is one only at the start (after white space), as the tokenizer reads it: the "://"
 * of "spam.example/?u=http://mysite.com" is in its query, and its host is spam.example. The
 * host ends where a host name does, as the tokenizer's: an e-mail's domain (u is what
 * follows its '@') of "bot@mail.ru (work)" or "<bot@mail.ru>" is mail.ru. decode: 1 for a
 * URL, whose host's %-escapes a browser decodes ("http://%63asino.example" opens
 * casino.example, as the tokenizer reads it), 0 for an e-mail's domain (a mail server does not). */
static void url_domain(const char *u, int decode, char *out, size_t cap)
{
    while (*u == ' ' || *u == '\t')
        u++;
    const char *p = u;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+'
           || *p == '-' || *p == '.')
        p++;
    p = p > u && !strncmp(p, "://", 3) ? p + 3 : u;
    const char *e = p + strcspn(p, "/?#");
    for (const char *q = p; q < e; q++)
        if (*q == '@')
            p = q + 1;
    const char *v6 = *p == '[' ? memchr(p, ']', (size_t)(e - p)) : NULL;
    if (v6) { /* "[2001:db8::1]": what the brackets hold */
        e = v6;
        p++;
    } else { /* it ends at the port's ':' and at anything no host holds: "mail.ru (work)" */
        const char *h = p;
        while (h < e && (host_byte(*h) || *h == '%'))
            h++;
        e = h;
    }
    size_t n = 0;
    for (const char *q = p; q < e && n < cap - 1; q++) {
        char c = *q;
        if (c == '%' && decode) { /* to an escape that is none, or of what no host holds */
            int hi = e - q > 2 ? hex_digit(q[1]) : -1, lo = hi >= 0 ? hex_digit(q[2]) : -1;
            if (lo < 0 || !host_byte(c = (char)(hi * 16 + lo)))
                break;
            q += 2;
        }
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    size_t www = n > 4 && !memcmp(out, "www.", 4) ? 4 : 0;
    memmove(out, out + www, n - www);
    n -= www;
    while (n && out[n - 1] == '.')
        n--;
    out[n] = '\0';
}

/* The string for a single field (NULL when absent). */
static const char *field(ctx *x, kd_rule_field f)
{
    const kd_comment *c = x->c;
    switch (f) {
    case KD_F_TEXT: return x->text ? x->text : c->text;
    case KD_F_AUTHOR: return c->author;
    case KD_F_EMAIL: return c->email;
    case KD_F_URL: return c->url;
    case KD_F_IP: return c->ip;
    case KD_F_AGENT: return c->agent;
    case KD_F_POST: return c->post_id;
    case KD_F_PARENT: return c->parent;
    case KD_F_DATE: return c->date;
    case KD_F_EMAIL_DOMAIN:
        if (!c->email)
            return NULL;
        if (!x->have_email_dom) {
            const char *at = strrchr(c->email, '@');
            url_domain(at ? at + 1 : "", 0, x->email_dom, sizeof x->email_dom);
            x->have_email_dom = 1;
        }
        return x->email_dom[0] ? x->email_dom : NULL;
    case KD_F_URL_DOMAIN:
        if (!c->url)
            return NULL;
        if (!x->have_url_dom) {
            url_domain(c->url, 1, x->url_dom, sizeof x->url_dom);
            x->have_url_dom = 1;
        }
        return x->url_dom[0] ? x->url_dom : NULL;
    default: return NULL;
    }
}

/* The length of field s that patterns see: scan_size bytes, cut at a character boundary. */
static size_t scanned(const ctx *x, const char *s)
{
    size_t n = strlen(s);
    if (n > (size_t)x->r->scan_size) {
        n = (size_t)x->r->scan_size;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

/* KD_RULE_FIRED, KD_RULE_NOT_FIRED or KD_RULE_LIMIT for rule's pattern on s; KD_ENOMEM. An
 * empty field is a missing one, whoever sent it (the CSV reader and the Akismet form give
 * NULL for it, the JSON API, the command-line flags and the library pass ""): no pattern runs
 * on it, so that a rule fires on a comment whichever path brought it (and rules.c refuses a
 * pattern that can match nothing else). */
static int match(ctx *x, const kd_rule *rule, const char *s)
{
    if (!s || !*s)
        return KD_RULE_NOT_FIRED;
    size_t n = scanned(x, s);
    const pcre2_code *re = rule->re_ascii && kd_ascii_prefix(s, n) == n ? rule->re_ascii : rule->re;
    if (!re && !(re = kd_rules_entry_code(rule)))
        return KD_ENOMEM;
    if (!x->md && !(x->md = pcre2_match_data_create(1, NULL))) /* the comment's first match */
        return KD_ENOMEM;
    /* word-list entries are never JIT-compiled (kd_rules_jit_compile) */
    int rc = x->r->jit && rule->kind == KD_RULE_MATCH ? pcre2_jit_match(re, (PCRE2_SPTR)s, n, 0, 0, x->md, x->r->mctx)
                       : pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, x->md, x->r->mctx);
    if (rc >= 0)
        return KD_RULE_FIRED;
    if (rc == PCRE2_ERROR_NOMATCH)
        return KD_RULE_NOT_FIRED;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return KD_ENOMEM;
    return KD_RULE_LIMIT; /* match, depth, heap or JIT stack limit */
}

/* Match the rule on one field or, for KD_F_ANY / word lists, on the first six fields. */
static int match_fields(ctx *x, const kd_rule *rule, kd_rule_field f)
{
    if (f != KD_F_ANY)
        return match(x, rule, field(x, f));
    int worst = KD_RULE_NOT_FIRED;
    for (int k = 0; k < KD_F_WORDLIST; k++) {
        int m = match(x, rule, field(x, (kd_rule_field)k));
        if (m == KD_RULE_FIRED || m < 0)
            return m;
        if (m == KD_RULE_LIMIT)
            worst = m;
    }
    return worst;
}

/*
 * The word-list entries that occur in one of the six fields, ASCII case-insensitively (a
 * superset of those whose caseless pattern matches): into *out, a bitset of
 * kd_wordset_words() words, or NULL when there are no indexed entries or a field holds a
 * character that Unicode case folding maps onto an ASCII letter (every entry then runs).
 */
static int word_hits(ctx *x, uint64_t *small, size_t nsmall, uint64_t **out)
{
    size_t words = kd_wordset_words(x->r->words);
    *out = NULL;
    if (!words)
        return KD_OK;
    for (int k = 0; k < KD_F_WORDLIST; k++) {
        const char *s = field(x, (kd_rule_field)k);
        if (s && !kd_prefilter_usable(s, scanned(x, s)))
            return KD_OK;
    }
    uint64_t *hits = words <= nsmall ? small : malloc(words * sizeof *hits);
    if (!hits)
        return KD_ENOMEM;
    memset(hits, 0, words * sizeof *hits);
    for (int k = 0; k < KD_F_WORDLIST; k++) {
        const char *s = field(x, (kd_rule_field)k);
        if (s)
            kd_wordset_scan(x->r->words, s, scanned(x, s), hits);
    }
    *out = hits;
    return KD_OK;
}

static int token_quantities(ctx *x)
{
    if (!x->tok) {
        static const kd_tokenize_options topt = KD_TOKENIZE_OPTIONS_INIT;
        if (kd_tokenize(x->c, &topt, &x->own))
            return KD_ENOMEM;
        x->tok = &x->own;
    }
    static const char *const cls[] = { "#url", "#email", "#phone", "#emoji", "#money", "#caps", "#repeat" };
    uint64_t hosts[64];
    size_t nhosts = 0;
    for (size_t i = 0; i < x->tok->n; i++) {
        const char *t = kd_tokens_str(x->tok, i);
        if (t[0] == 'u' && !strncmp(t, "url:", 4)) { /* a link's host: count distinct ones */
            size_t k = 0;
            while (k < nhosts && hosts[k] != x->tok->hash[i])
                k++;
            if (k == nhosts && nhosts < sizeof hosts / sizeof hosts[0])
                hosts[nhosts++] = x->tok->hash[i];
            continue;
        }
        if (t[0] != '#')
            continue;
        for (int k = 0; k < KD_Q_DOMAINS; k++) /* "#num", the most common, is none of them */
            if (t[1] == cls[k][1] && !strcmp(t, cls[k])) {
                x->q[k]++;
                break;
            }
    }
    x->q[KD_Q_DOMAINS] = (double)nhosts;
    x->have_tok_q = 1;
    return KD_OK;
}

static void text_quantities(ctx *x)
{
    const unsigned char *s = (const unsigned char *)x->text; /* what the patterns see */
    /* integer counters: they were doubles, each byte's additions then waited on the
     * previous ones' floating-point latency */
    size_t chars = 0, words = 0, lines = 1, upper = 0, letters = 0;
    int in_word = 0;
    for (; *s; s++) {
        unsigned char ch = *s;
        chars += (ch & 0xC0) != 0x80;
        if (ch == '\n')
            lines++;
        int space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
        words += !space && !in_word;
        in_word = !space;
        if (ch >= 'A' && ch <= 'Z')
            upper++, letters++;
        else if (ch >= 'a' && ch <= 'z')
            letters++;
    }
    x->q[KD_Q_LENGTH] = (double)chars;
    x->q[KD_Q_WORDS] = (double)words;
    x->q[KD_Q_LINES] = (double)lines;
    x->q[KD_Q_CAPS_PERCENT] = letters ? 100.0 * (double)upper / (double)letters : 0.0;
    x->have_text_q = 1;
}

static int count_rule(ctx *x, const kd_rule *rule)
{
    if (rule->quantity == KD_Q_GENERIC) { /* from the pipeline's result, or computed once */
        if (!x->have_generic) {
            if (!x->tok && !x->have_tok_q && token_quantities(x))
                return KD_ENOMEM;
            x->q[KD_Q_GENERIC] = (double)(x->generic_given >= 0 ? x->generic_given : kd_generic(x->tok));
            x->have_generic = 1;
        }
    } else if (rule->quantity <= KD_Q_TOKENS_LAST && !x->have_tok_q && token_quantities(x))
        return KD_ENOMEM;
    if (rule->quantity > KD_Q_TOKENS_LAST && !x->have_text_q)
        text_quantities(x);
    double v = x->q[rule->quantity], k = rule->number;
    int r;
    switch (rule->cmp) {
    case KD_CMP_GE: r = v >= k; break;
    case KD_CMP_GT: r = v > k; break;
    case KD_CMP_LE: r = v <= k; break;
    case KD_CMP_LT: r = v < k; break;
    case KD_CMP_EQ: r = v == k; break;
    default: r = v != k; break;
    }
    return r ? KD_RULE_FIRED : KD_RULE_NOT_FIRED;
}

static int decide(ctx *x, size_t i);

/* The postfix program, short-circuited: a step that ends the left operand of an && (||)
 * whose value is false (true) jumps to that operator with it, skipping the right operand,
 * whose on-demand rules then stay undecided. */
static int meta_rule(ctx *x, const kd_rule *rule)
{
    unsigned char st[KD_META_MAX];
    size_t sp = 0;
    for (size_t i = 0; i < rule->nprog; i++) {
        const kd_meta_step *p = &rule->prog[i];
        int v;
        switch (p->op) {
        case KD_META_RULE:
            if ((v = x->fired[p->rule]) == KD_RULE_UNDECIDED) {
                if ((v = decide(x, p->rule)) < 0)
                    return v;
                x->fired[p->rule] = (unsigned char)v;
            }
            v = v == KD_RULE_FIRED;
            break;
        case KD_META_NOT: v = !st[--sp]; break;
        case KD_META_AND: sp -= 2; v = st[sp] && st[sp + 1]; break;
        default: sp -= 2; v = st[sp] || st[sp + 1]; break;
        }
        while (p->jump && v == (rule->prog[p->jump].op == KD_META_OR))
            p = &rule->prog[i = p->jump];
        st[sp++] = (unsigned char)v;
    }
    return sp == 1 && st[0] ? KD_RULE_FIRED : KD_RULE_NOT_FIRED;
}

static int allow_rule(ctx *x, const kd_rule *rule)
{
    const char *v = field(x, rule->field);
    if (!v)
        return KD_RULE_NOT_FIRED;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n == strlen(rule->value) && !strncasecmp(v, rule->value, n) ? KD_RULE_FIRED : KD_RULE_NOT_FIRED;
}

/* 1 when a literal every match of rule needs is not in the text. */
static int ruled_out(const ctx *x, const kd_rule *rule)
{
    unsigned s = rule->pre_slot - 1;
    return x->may && rule->pre_slot && !(x->may[s / 64] >> (s % 64) & 1);
}

/* Rule i's outcome on the comment (a rule of a listed run on its own): KD_RULE_FIRED,
 * KD_RULE_NOT_FIRED, KD_RULE_LIMIT, or an error. */
static int decide(ctx *x, size_t i)
{
    const kd_rule *rule = &x->r->rule[i];
    switch (rule->kind) {
    case KD_RULE_MATCH:
        return ruled_out(x, rule) ? KD_RULE_NOT_FIRED : match_fields(x, rule, rule->field);
    case KD_RULE_MODERATE:
    case KD_RULE_DISALLOW: return match_fields(x, rule, KD_F_ANY);
    case KD_RULE_COUNT: return count_rule(x, rule);
    case KD_RULE_META: return meta_rule(x, rule);
    default: return allow_rule(x, rule);
    }
}

static int add_hit(kd_result *out, const kd_rule *rule, size_t *cap)
{
    if (out->nrules == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        kd_rule_hit *p = realloc(out->rules, n * sizeof *p);
        if (!p)
            return KD_ENOMEM;
        out->rules = p;
        *cap = n;
    }
    out->rules[out->nrules].name = rule->name;
    out->rules[out->nrules++].score = rule->score;
    out->rules_score += rule->score;
    /* the rule file's own rules, not its allow, disallow and moderation entries */
    if (rule->kind == KD_RULE_MATCH || rule->kind == KD_RULE_COUNT || rule->kind == KD_RULE_META)
        out->rules_own_score += rule->score;
    if (rule->hold)
        out->rules_hold = 1;
    return KD_OK;
}

/* The run of listed rules that starts at rule i (kd_rule.run): each is marked not fired,
 * except those whose entry the word index saw in a field (whits), which are matched. A
 * WordPress list of 40,000 entries costs the entries the comment has, not 40,000 visits.
 * 0 or an error. */
static int listed_run(ctx *x, size_t i, const uint64_t *whits, unsigned char *fired, kd_result *out,
                      size_t *cap)
{
    const kd_rule *first = &x->r->rule[i];
    size_t lo = first->listed - 1, hi = lo + first->run; /* entries [lo, hi) */
    memset(fired + i, KD_RULE_NOT_FIRED, first->run);
    for (size_t w = lo / 64; w <= (hi - 1) / 64; w++) {
        uint64_t bits = whits[w];
        if (w == lo / 64)
            bits &= ~0ULL << (lo % 64);
        if (w == (hi - 1) / 64 && hi % 64)
            bits &= ~0ULL >> (64 - hi % 64);
        for (; bits; bits &= bits - 1) {
            size_t j = i + (w * 64 + (size_t)__builtin_ctzll(bits) - lo);
            const kd_rule *rule = &x->r->rule[j];
            int m = match_fields(x, rule, KD_F_ANY);
            if (m < 0)
                return m;
            fired[j] = (unsigned char)m;
            if (m == KD_RULE_FIRED && rule->report) {
                int rc = add_hit(out, rule, cap);
                if (rc)
                    return rc;
            }
        }
    }
    return KD_OK;
}

/* A comment that a disallowed key and a trusted author's allow entry both match is spam, as
 * WordPress has it (its disallowed keys are checked after, and win over, a previously
 * approved author): the allow entries' hits are taken out, their score
 * with them. The entries are told by their names ("disallow:essay writing", "allow:author=Jo
 * Editor"): a rule file's own names are letters, digits and '_'. After the rules, over the
 * hits alone, out of line: the rules' loop is left as it was (a flag set in it cost some 100
 * instructions a comment on sms.csv, the loop's code the worse for it; this, some 35). */
__attribute__((noinline)) static void drop_allowed(kd_result *out)
{
    int kinds = 0;
    for (size_t j = 0; j < out->nrules; j++)
        kinds |= !strncmp(out->rules[j].name, "disallow:", 9) ? 1 : !strncmp(out->rules[j].name, "allow:", 6) ? 2 : 0;
    if (kinds != 3)
        return;
    size_t k = 0;
    double sum = 0.0; /* the kept hits' sum, in add_hit's order: taking the allow entries' scores
                       * back out of the running sum left it some bits off its hits' */
    for (size_t j = 0; j < out->nrules; j++)
        if (strncmp(out->rules[j].name, "allow:", 6)) {
            sum += out->rules[j].score;
            out->rules[k++] = out->rules[j];
        }
    out->nrules = k;
    out->rules_score = sum;
}

int kd_rules_run(const kd_rules *r, const kd_comment *c, const kd_tokens *tok, unsigned char *fired,
                 kd_result *out)
{
    int rc = KD_OK;
    ctx x;
    memset(&x, 0, offsetof(ctx, email_dom));
    x.r = r;
    x.c = c;
    x.tok = tok;
    x.generic_given = tok ? out->generic : -1;
    unsigned char *own_fired = NULL, small[256];
    uint64_t *whits = NULL, may_small[8], *may = NULL;
    size_t cap = out->nrules;
    int on_demand = !fired; /* every rule's outcome is not asked for: only the hits */
    if (!r || !r->n || !c || !c->text)
        return KD_OK;
    if (!fired && r->n <= sizeof small)
        fired = small;
    if (!fired && !(fired = own_fired = malloc(r->n))) {
        rc = KD_ENOMEM;
        goto done;
    }
    x.fired = fired;
    /* One scan for the required literals of every text pattern (see prefilter.c). */
    if ((rc = visible_text(&x, c->text)))
        goto done;
    uint64_t hits_small[8], *hits = NULL;
    size_t words = kd_prefilter_words(r->pre);
    size_t tn = strlen(x.text);
    if (tn > (size_t)r->scan_size)
        tn = (size_t)r->scan_size;
    if (words && words <= 8 && kd_prefilter_usable(x.text, tn)) {
        hits = hits_small;
        memset(hits, 0, words * sizeof *hits);
        kd_prefilter_scan(r->pre, x.text, tn, hits);
        /* and which patterns that leaves to run, all at once */
        size_t slots = kd_prefilter_slots(r->pre);
        may = slots <= 64 * sizeof may_small / sizeof *may_small ? may_small : malloc((slots + 63) / 64 * sizeof *may);
        if (!may) {
            rc = KD_ENOMEM;
            goto done;
        }
        kd_prefilter_possible(r->pre, hits, may);
        x.may = may;
    }
    /* and one scan of the six fields for the word-list entries */
    uint64_t whits_small[64];
    if ((rc = word_hits(&x, whits_small, sizeof whits_small / sizeof *whits_small, &whits)))
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        const kd_rule *rule = &r->rule[i];
        if (on_demand && rule->on_demand) { /* decided if and when a meta rule reads it */
            fired[i] = KD_RULE_UNDECIDED;
            continue;
        }
        if (ruled_out(&x, rule)) {
            fired[i] = KD_RULE_NOT_FIRED;
            continue;
        }
        if (whits && rule->listed) { /* a run of indexed entries: those the index saw */
            if ((rc = listed_run(&x, i, whits, fired, out, &cap)))
                goto done;
            i += rule->run - 1;
            continue;
        }
        int m = decide(&x, i);
        if (m < 0) {
            rc = m;
            goto done;
        }
        fired[i] = (unsigned char)m;
        if (m == KD_RULE_FIRED && rule->report && (rc = add_hit(out, rule, &cap)))
            goto done;
    }
    if (out->nrules)
        drop_allowed(out);
done:
    if (whits != whits_small)
        free(whits);
    if (may != may_small)
        free(may);
    pcre2_match_data_free(x.md);
    kd_buf_free(&x.visible);
    kd_buf_free(&x.latin);
    kd_tokens_free(&x.own);
    free(own_fired);
    return rc;
}

int kd_rules_eval(const kd_rules *r, const kd_comment *c, unsigned char *fired, kd_result *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (fired && r)
        memset(fired, 0, r->n);
    if (!r || r->failed || !c || !c->text || !out)
        return KD_EINVAL;
    return kd_rules_run(r, c, NULL, fired, out);
}
