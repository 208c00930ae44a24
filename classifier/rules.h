/*
 * rules.h - a compiled rule set (internal): what rules.c builds from a rule file and
 * rules_eval.c runs against a comment.
 *
 * Every line of a rule file becomes one kd_rule, word-list and allow-list entries included,
 * so that `kindly rules --stats` can count each of them and meta rules, hits and reasons
 * treat them all alike. Rules are kept in file order; a meta rule may only name rules
 * defined before it, so one pass in order evaluates everything and cycles cannot exist.
 */
#ifndef KD_RULES_H
#define KD_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kindly.h"
#include "prefilter.h"
#include "tokenize.h"

/* What a rule looks at. The first six are the fields a word list searches (WordPress:
 * author, e-mail, URL, text, IP and user agent). */
typedef enum kd_rule_field {
    KD_F_TEXT, KD_F_AUTHOR, KD_F_EMAIL, KD_F_URL, KD_F_IP, KD_F_AGENT,
    KD_F_POST, KD_F_PARENT, KD_F_DATE,
    KD_F_EMAIL_DOMAIN, /* the part of the e-mail after the last '@' */
    KD_F_URL_DOMAIN,   /* the host of the author URL, without "www." */
    KD_F_ANY,          /* text, author, email, url, ip or agent */
    KD_F__COUNT
} kd_rule_field;

#define KD_F_WORDLIST 6 /* fields 0..5 are searched by moderate/disallow entries */

typedef enum kd_rule_kind {
    KD_RULE_MATCH,    /* a PCRE2 pattern on a field */
    KD_RULE_COUNT,    /* a quantity of the comment compared with a number */
    KD_RULE_META,     /* a boolean expression over earlier rules */
    KD_RULE_MODERATE, /* WordPress "Comment Moderation" word: hold */
    KD_RULE_DISALLOW, /* WordPress "Disallowed Comment Keys" entry: spam */
    KD_RULE_ALLOW     /* a trusted author, e-mail, ...: approve */
} kd_rule_kind;

/* Quantities a count rule can test (computed once per comment, on demand). */
typedef enum kd_quantity {
    KD_Q_LINKS, KD_Q_EMAILS, KD_Q_PHONES, KD_Q_EMOJI, KD_Q_MONEY, KD_Q_CAPS, KD_Q_REPEATS,
    KD_Q_DOMAINS,      /* distinct hosts linked to (<a href=X>X</a> is one) */
    KD_Q_GENERIC,      /* kd_generic(): 0 specific, 1 generic praise, 2 generic praise with a
                          link or an author website */
    KD_Q_LENGTH,       /* characters (code points) of the text */
    KD_Q_WORDS,        /* white-space separated words of the text */
    KD_Q_LINES,        /* lines of the text */
    KD_Q_CAPS_PERCENT, /* upper-case share of the ASCII letters, 0..100 */
    KD_Q__COUNT
} kd_quantity;

#define KD_Q_TOKENS_LAST KD_Q_GENERIC /* quantities up to this one are read from the tokens */

typedef enum kd_cmp { KD_CMP_GE, KD_CMP_GT, KD_CMP_LE, KD_CMP_LT, KD_CMP_EQ, KD_CMP_NE } kd_cmp;

/* One step of a meta rule's program, in postfix order. */
typedef enum kd_meta_op { KD_META_RULE, KD_META_NOT, KD_META_AND, KD_META_OR } kd_meta_op;
typedef struct kd_meta_step {
    kd_meta_op op;
    unsigned rule; /* KD_META_RULE: index of the rule */
    unsigned jump; /* the step ends the left operand of the && or || at this step, which its
                      value alone decides when false (&&) or true (||); 0 when none */
} kd_meta_step;

#define KD_META_MAX 256 /* steps in one meta expression; also the evaluation stack's size */

/* A pattern decoded from a compiled rule file, with what it was compiled from (checked
 * against the text's pattern before it stands in for pcre2_compile: rules_compiled.c). */
typedef struct kd_rules_code {
    pcre2_code *re;
    uint32_t opts;   /* the options pcre2_compile was given */
    uint32_t len;    /* the pattern's length */
    uint64_t hash;   /* kd_rules_hash() of the pattern */
    const unsigned char *pre; /* a text rule's prefilter record (kd_prefilter_add_saved), or NULL */
    size_t prelen;
} kd_rules_code;

typedef struct kd_rule {
    char *name;
    char *description;   /* "" when none */
    double score;        /* log-odds added when the rule fires */
    unsigned line;       /* where it was defined */
    kd_rule_kind kind;
    int report;          /* 0 for "__NAME" sub-rules: usable by metas, never a hit */
    int on_demand;       /* a sub-rule (MATCH, COUNT or META) that an evaluation without
                            fired[] decides only when a meta rule needs its value */
    unsigned cost;       /* on_demand: a rough cost of deciding it (a meta's operands in order of
                            cost, cheapest first); 0 when not on demand */
    int hold;            /* a moderation entry: the verdict is at least hold */
    kd_rule_field field; /* MATCH, ALLOW */
    pcre2_code *re;      /* MATCH, MODERATE, DISALLOW (a literal, caseless); NULL for an entry
                            of a word list the word index holds, compiled into lazy instead */
    _Atomic(pcre2_code *) lazy; /* such an entry's pattern, compiled the first time the index
                            sees the entry in a comment (rules_eval.c: most of a 40,000-entry
                            list is never needed, and compiling it all cost 80% of loading);
                            set once by whichever thread compiles it first */
    pcre2_code *re_ascii;/* the same compiled without UTF (about twice as fast), for subjects
                            that are pure ASCII, where both agree; built with the JIT pass
                            (kd_rules_jit_compile) for MATCH rules whose pattern is ASCII;
                            NULL before, otherwise, or if it does not compile */
    char *src;           /* the pattern's source and options, for that second compile */
    size_t srclen;
    uint32_t opts;
    char *value;         /* ALLOW: the trusted value */
    kd_quantity quantity;/* COUNT */
    kd_cmp cmp;
    double number;
    kd_meta_step *prog;  /* META */
    size_t nprog;
    int prefiltered;     /* MATCH on text: runs only when the prefilter saw one of its literals */
    unsigned pre_slot;   /* prefiltered: 1 + its slot in the prefilter (kd_prefilter_possible), or
                            0 when the prefilter registered nothing for it */
    unsigned listed;     /* MODERATE, DISALLOW: 1 + its entry number in kd_rules.words, or 0
                            when not indexed there (a non-ASCII entry: always runs) */
    const char *list;    /* an entry of a word list: its path (one of kd_rules.lists), line
                            being its line there; NULL for a line of the rule file */
    unsigned run;        /* listed: how many rules from this one on are listed with consecutive
                            entries (this one included), so that an evaluation visits only
                            the entries the word index saw (a WordPress list of 40,000
                            entries is one run); 0 when not listed */
} kd_rule;

struct kd_rules {
    kd_rule *rule;
    size_t n, cap;
    char *path;                  /* the file's name as given, for messages */
    char **lists;                /* the word lists' paths as opened (kd_rule.list) */
    size_t nlists;
    char err[1024];
    pcre2_match_context *mctx;   /* the limits; shared read-only by every thread */
    int jit;                     /* 1 when every pattern was JIT-compiled */
    int failed;                  /* the load failed: err says why, and nothing may use it */
    /* settings ("set KEY VALUE") */
    double scan_size;            /* bytes of each field the patterns see */
    double match_limit;          /* PCRE2 match limit per pattern and field */
    double depth_limit;          /* PCRE2 backtracking depth limit (interpreter only) */
    double heap_limit;           /* PCRE2 heap limit, KiB (interpreter only) */
    double moderate_score, disallow_score, allow_score;
    int need_tokens;             /* some count rule counts tokens */
    kd_prefilter *pre;           /* required literals of the text patterns (prefilter.c) */
    kd_wordset *words;           /* the moderate/disallow entries, indexed (prefilter.c) */
    uint32_t *names;             /* hash index of rule names: rule index + 1, 0 = empty */
    size_t names_cap, named;     /* its size (a power of two); rules [0, named) are in it */
    /* the compiled file (rules_compiled.c) */
    uint64_t text_hash;          /* kd_rules_hash() of the rule text */
    size_t text_len;
    int from_text;               /* parsed from a text (kd_rules_parse/load): it can be saved */
    kd_rules_code *cc;           /* patterns decoded from the compiled file, in order; NULL */
    size_t ncc, cc_next;         /* how many; the next one compile() takes */
    const kd_rules_code *cc_just;/* the one the last compile() took, or NULL: compiled */
    unsigned char *cc_buf;       /* the file's bytes, which their prefilter records point into */
    int compiled;                /* 1: every pattern of the rule file came from it (while
                                    parsing: it is read and agrees so far) */
    char *cc_path;               /* its path, for notes */
    char note[1024];             /* why a compiled file was not used ("" if none) */
};

#define KD_RULE_UNDECIDED 3 /* in fired[] while kd_rules_run runs: an on-demand rule not yet needed */

/*
 * Evaluate r on c. tok holds c's tokens when the caller has them (the pipeline, which has
 * set out->generic from them too), or NULL (they, and kd_generic(), are computed when a
 * count rule needs them). fired: NULL or r->n bytes, set to 1 for
 * each rule that fired and 2 where a pattern gave up at a PCRE2 limit; with NULL, the on-demand
 * sub-rules are decided only where a meta rule needs them (the hits are the same: a sub-rule
 * is never one). Appends the hits to out->rules and adds to out->rules_score and
 * out->rules_hold. 0 or KD_ENOMEM.
 */
int kd_rules_run(const kd_rules *r, const kd_comment *c, const kd_tokens *tok, unsigned char *fired,
                 kd_result *out);

/* The pattern of a word-list entry compiled on first use (kd_rule.lazy), compiling it now
 * if no thread has; NULL when out of memory. Safe from several threads at once. */
pcre2_code *kd_rules_entry_code(const kd_rule *x);

/* A message r->err cut short (a path of non-ASCII letters near its size) ends at a character,
 * not inside one. Called where a public function returns a failure. */
void kd_rules_err_end(kd_rules *r);

/* rules_compiled.c: a 64-bit checksum of n bytes (detects damage, not an adversary: a
 * compiled file is as trusted as the rule file beside it). */
uint64_t kd_rules_hash(const void *p, size_t n);
/* Read the compiled file cpath for the rule text of r (r->text_hash, r->text_len): on success
 * r->cc holds its patterns; otherwise r->note says why not (nothing when there is no such
 * file). 0, or KD_ENOMEM. */
int kd_rules_compiled_open(kd_rules *r, const char *cpath);
/* The decoded pattern standing for pcre2_compile(pat, n, opts), handed over to the caller, or
 * NULL: none (left), or it does not match (then every decoded one is dropped, with a note). */
pcre2_code *kd_rules_compiled_take(kd_rules *r, const char *pat, size_t n, uint32_t opts, unsigned line);
/* After the last line: a note, and r->compiled 0, when some decoded patterns were not taken. */
void kd_rules_compiled_done(kd_rules *r);
/* Free what is left of r->cc. */
void kd_rules_compiled_drop(kd_rules *r);

/* Names of fields and quantities as written in rule files. */
extern const char *const kd_rule_field_names[KD_F__COUNT];
extern const char *const kd_quantity_names[KD_Q__COUNT];

#endif
