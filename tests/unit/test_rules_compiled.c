/* test_rules_compiled.c - compiled rule files (rules_compiled.c, `kindly rules --compile`):
 * the shipped rules loaded from their compiled file are the rules compiled from the text,
 * pattern by pattern (PCRE2's serialized bytes) and verdict by verdict; a stale, truncated,
 * damaged or foreign compiled file, or one whose pattern index disagrees with the text, is
 * left unused with a note naming both files, and the rules are compiled from the text;
 * syntax errors are reported as without one; word lists are always read afresh. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>

#include "helpers.h"
#include "kindly.h"
#include "prefilter.h"
#include "rules.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static void spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* dir/default.rules (a copy of the shipped one) and its compiled file; paths into dir (256
 * bytes), rules (512) and compiled (4096). */
static void shipped_copy(char *dir, char *rules, char *compiled)
{
    size_t n;
    char *text = slurp("models/default.rules", &n);
    th_tmpdir(dir, 256);
    snprintf(rules, 512, "%s/default.rules", dir);
    snprintf(compiled, 4096, "%s/default.rules%s", dir, KD_RULES_COMPILED_SUFFIX);
    spit(rules, text, n);
    free(text);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0, "%s", kd_rules_error(r));
    cr_assert_eq(kd_rules_compiled(r), 0);
    cr_assert_str_empty(kd_rules_note(r), "no compiled file yet, no note: %s", kd_rules_note(r));
    cr_assert_eq(kd_rules_save_compiled(r, compiled), 0, "%s", kd_rules_error(r));
    kd_rules_free(r);
}

/* PCRE2's serialized bytes of one pattern (its pointers zeroed by PCRE2). */
static uint8_t *encode_one(const pcre2_code *re, PCRE2_SIZE *n)
{
    uint8_t *b = NULL;
    cr_assert_eq(pcre2_serialize_encode(&re, 1, &b, n, NULL), 1);
    return b;
}

/* The same code: the serialized bytes are equal but for the flag PCRE2 sets on a decoded
 * pattern (PCRE2_DEREF_TABLES, 0x00040000 in its code's flags: its character tables are
 * shared, reference-counted, with the others decoded with it), and pattern_info agrees. */
static void same_code(const char *name, const pcre2_code *x, const pcre2_code *y)
{
    PCRE2_SIZE nx, ny;
    uint8_t *bx = encode_one(x, &nx), *by = encode_one(y, &ny);
    cr_assert_eq(nx, ny, "rule %s: the compiled file's code has another size", name);
    size_t words = 0;
    for (size_t k = 0; k + 4 <= nx; k += 4) {
        uint32_t a, b;
        memcpy(&a, bx + k, 4);
        memcpy(&b, by + k, 4);
        if (a == b)
            continue;
        cr_assert_eq(a ^ b, 0x00040000u, "rule %s: the compiled file's code differs at byte %zu", name, k);
        words++;
    }
    cr_assert_leq(words, 1, "rule %s", name);
    cr_assert(!memcmp(bx + nx / 4 * 4, by + nx / 4 * 4, nx % 4));
    static const uint32_t what[] = { PCRE2_INFO_ALLOPTIONS, PCRE2_INFO_ARGOPTIONS, PCRE2_INFO_CAPTURECOUNT,
                                     PCRE2_INFO_MINLENGTH, PCRE2_INFO_FIRSTCODETYPE, PCRE2_INFO_LASTCODETYPE,
                                     PCRE2_INFO_MAXLOOKBEHIND, PCRE2_INFO_SIZE };
    for (size_t i = 0; i < sizeof what / sizeof *what; i++) {
        size_t a = 0, b = 0; /* PCRE2_INFO_SIZE is a size_t, the rest uint32_t */
        cr_assert_eq(pcre2_pattern_info(x, what[i], &a), 0);
        cr_assert_eq(pcre2_pattern_info(y, what[i], &b), 0);
        cr_assert_eq(a, b, "rule %s: pattern_info %u", name, what[i]);
    }
    pcre2_serialize_free(bx);
    pcre2_serialize_free(by);
}

/* Every rule of a and b alike: kind, name, prefilter, pattern code. */
static void same_rules(const kd_rules *a, const kd_rules *b)
{
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const kd_rule *x = &a->rule[i], *y = &b->rule[i];
        cr_assert_str_eq(x->name, y->name);
        cr_assert_eq(x->kind, y->kind);
        cr_assert_eq(x->prefiltered, y->prefiltered, "%s", x->name);
        cr_assert_eq(!x->re, !y->re, "%s", x->name);
        if (x->re)
            same_code(x->name, x->re, y->re);
        for (size_t k = 0;; k++) { /* the prefilter's literals, read from the file or found */
            const char *lx = kd_prefilter_literal(a->pre, (unsigned)i, k), *ly = kd_prefilter_literal(b->pre, (unsigned)i, k);
            cr_assert_eq(!lx, !ly, "rule %s, literal %zu", x->name, k);
            if (!lx)
                break;
            cr_assert_str_eq(lx, ly, "rule %s", x->name);
        }
    }
    cr_assert_eq(kd_prefilter_words(a->pre), kd_prefilter_words(b->pre));
}

/* The fired[] of a and b alike on text as every field (a comment and its author, e-mail...). */
static void same_fired(const kd_rules *a, const kd_rules *b, const char *text)
{
    kd_comment c = { .text = text, .author = text, .email = text, .url = text, .agent = text };
    size_t n = kd_rules_count(a);
    unsigned char *fa = calloc(n, 1), *fb = calloc(n, 1);
    kd_result ra = { 0 }, rb = { 0 };
    cr_assert_eq(kd_rules_eval(a, &c, fa, &ra), 0);
    cr_assert_eq(kd_rules_eval(b, &c, fb, &rb), 0);
    cr_assert(!memcmp(fa, fb, n), "different rules fired on: %s", text);
    cr_assert_eq(ra.rules_score, rb.rules_score);
    cr_assert_eq(ra.rules_hold, rb.rules_hold);
    kd_result_free(&ra);
    kd_result_free(&rb);
    free(fa);
    free(fb);
}

/* Fired rules of r on text, counted (to show a set is not empty of patterns). */
static size_t fired_count(const kd_rules *r, const char *text)
{
    kd_comment c = { .text = text };
    kd_result res = { 0 };
    cr_assert_eq(kd_rules_eval(r, &c, NULL, &res), 0);
    size_t n = res.nrules;
    kd_result_free(&res);
    return n;
}

Test(rules_compiled, shipped_rules_from_the_compiled_file_are_those_compiled_from_the_text)
{
    if (access("models/default.rules", R_OK))
        cr_skip_test("models/default.rules not found: run from the repository root");
    char dir[256], rules[512], compiled[4096];
    shipped_copy(dir, rules, compiled);
    size_t n;
    char *text = slurp(rules, &n);
    kd_rules *fresh = NULL, *fast = NULL;
    cr_assert_eq(kd_rules_parse(&fresh, rules, text, n), 0);
    cr_assert_eq(kd_rules_load(&fast, rules), 0, "%s", kd_rules_error(fast));
    cr_assert_eq(kd_rules_compiled(fast), 1, "not used: %s", kd_rules_note(fast));
    cr_assert_str_empty(kd_rules_note(fast));
    cr_assert_eq(kd_rules_compiled(fresh), 0);
    same_rules(fresh, fast);
    /* every line of the rule file as a comment (each pattern meets its own source), and
     * comments made to fire rules */
    static const char *const samples[] = {
        "Buy cheap xanax online, no prescription needed! WhatsApp +1 555 0100 123",
        "Great post!!! Visit http://a.example http://b.example http://c.example $$$ FREE MONEY",
        "Thanks for sharing, very informative. Check my site https://seo.example/cheap",
        "CLICK HERE 😀😀😀😀 to win $1,000,000 — casino bonus, loans, crypto",
        "i like this song", "", "a\nb\nc\nd\ne\nf", "Ünïcödé tëxt with caps ЖЖЖЖ",
    };
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++)
        same_fired(fresh, fast, samples[i]);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        same_fired(fresh, fast, line);
    cr_assert_gt(fired_count(fast, samples[0]), 0);
    /* once JIT-compiled as for a batch, still the same */
    cr_assert_eq(kd_rules_jit_compile(fresh), 0);
    cr_assert_eq(kd_rules_jit_compile(fast), 0);
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++)
        same_fired(fresh, fast, samples[i]);
    /* compiled again from the text, the same bytes: the file is reproducible */
    char again[512];
    snprintf(again, sizeof again, "%s/again", dir);
    cr_assert_eq(kd_rules_save_compiled(fresh, again), 0);
    size_t n1, n2;
    char *b1 = slurp(compiled, &n1), *b2 = slurp(again, &n2);
    cr_assert(n1 == n2 && !memcmp(b1, b2, n1));
    free(b1);
    free(b2);
    free(text);
    kd_rules_free(fresh);
    kd_rules_free(fast);
}

/* dir (256 bytes) a new directory holding t.rules (its path in rules, 512 bytes) with this
 * text, compiled into rules.compiled (its path in compiled, 4096 bytes). */
static void compile_text(char *dir, const char *text, char *rules, char *compiled)
{
    th_tmpdir(dir, 256);
    th_write(dir, "t.rules", text, rules, 512);
    snprintf(compiled, 4096, "%s.compiled", rules);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_save_compiled(r, compiled), 0);
    kd_rules_free(r);
}

/* Load path: must succeed from the text, without the compiled file, with a note holding
 * every string of want[] (NULL-terminated). Returns the set. */
static kd_rules *load_around(const char *path, const char *const *want)
{
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, path), 0, "%s", kd_rules_error(r));
    cr_assert_eq(kd_rules_compiled(r), 0);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(kd_rules_note(r), want[i]), "note '%s' lacks '%s'", kd_rules_note(r), want[i]);
    return r;
}

Test(rules_compiled, stale_for_an_edited_rule_file_compiles_the_text)
{
    char dir[256], rules[512], compiled[4096];
    compile_text(dir, "text A /apple/i 1\ntext B /banana/ 2\n", rules, compiled);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1);
    kd_rules_free(r);
    /* the same length, one pattern changed: the text's rules, never the compiled file's */
    th_write(dir, "t.rules", "text A /cherry/ 1\ntext B /banana/ 2\n", rules, sizeof rules);
    const char *const want[] = { compiled, rules, "another text", NULL };
    r = load_around(rules, want);
    cr_assert_eq(fired_count(r, "an apple"), 0);
    cr_assert_eq(fired_count(r, "a cherry"), 1);
    kd_rules_free(r);
}

Test(rules_compiled, syntax_errors_are_reported_as_without_a_compiled_file)
{
    char dir[256], rules[512], compiled[4096];
    compile_text(dir, "text A /apple/ 1\n", rules, compiled);
    kd_rules *r = NULL;
    const char *bad = "text A /apple/ 1\ntext BAD /(unclosed/ 2\n";
    th_write(dir, "t.rules", bad, rules, sizeof rules);
    kd_rules *p = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), KD_EPARSE);
    cr_assert_eq(kd_rules_parse(&p, rules, bad, strlen(bad)), KD_EPARSE);
    cr_assert_str_eq(kd_rules_error(r), kd_rules_error(p));
    cr_assert(strstr(kd_rules_error(r), "t.rules:2:"));
    kd_rules_free(r);
    kd_rules_free(p);
}

/* A compiled file for "text A /apple/ 1 ..." in dir; its bytes returned, length in *n. */
static char *small_compiled(char *dir, char *rules, char *compiled, size_t *n)
{
    compile_text(dir, "text A /apple/i 1\nmoderate casino\ntext B /ban+ana/ 2\nmeta M (A && B) 1\n", rules, compiled);
    return slurp(compiled, n);
}

/* The text's behaviour: A, casino (hold), B and M. */
static void behaves_as_text(const kd_rules *r)
{
    cr_assert_eq(kd_rules_count(r), 4);
    cr_assert_eq(fired_count(r, "APPLE and bannnana"), 3);
    kd_comment c = { .text = "the CASINO" };
    kd_result res = { 0 };
    cr_assert_eq(kd_rules_eval(r, &c, NULL, &res), 0);
    cr_assert_eq(res.rules_hold, 1);
    kd_result_free(&res);
}

Test(rules_compiled, truncated_at_any_length_compiles_the_text)
{
    char dir[256], rules[512], compiled[4096];
    size_t n;
    char *bytes = small_compiled(dir, rules, compiled, &n);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1);
    behaves_as_text(r);
    kd_rules_free(r);
    for (size_t len = 0; len < n; len++) {
        spit(compiled, bytes, len);
        const char *const want[] = { compiled, rules, NULL };
        r = load_around(rules, want);
        cr_assert(strstr(kd_rules_note(r), "truncated"), "%zu: %s", len, kd_rules_note(r));
        behaves_as_text(r);
        kd_rules_free(r);
    }
    /* and a byte too many */
    char *more = malloc(n + 1);
    memcpy(more, bytes, n);
    more[n] = 0;
    spit(compiled, more, n + 1);
    const char *const want[] = { "truncated or damaged", NULL };
    r = load_around(rules, want);
    behaves_as_text(r);
    kd_rules_free(r);
    free(more);
    free(bytes);
}

Test(rules_compiled, any_corrupted_byte_compiles_the_text)
{
    char dir[256], rules[512], compiled[4096];
    size_t n;
    char *bytes = small_compiled(dir, rules, compiled, &n);
    for (size_t at = 0; at < n; at++) {
        for (int bit = 0; bit < 8; bit += 3) {
            bytes[at] ^= (char)(1 << bit);
            spit(compiled, bytes, n);
            bytes[at] ^= (char)(1 << bit);
            const char *const want[] = { compiled, rules, NULL };
            kd_rules *r = load_around(rules, want);
            behaves_as_text(r);
            kd_rules_free(r);
        }
    }
    free(bytes);
}

/* Make the checksum of a compiled file (at byte 120, of the whole file with itself zeroed)
 * hold again after an edit. */
static void reseal(char *bytes, size_t n)
{
    uint64_t sum = 0;
    memcpy(bytes + 120, &sum, 8);
    sum = kd_rules_hash(bytes, n);
    memcpy(bytes + 120, &sum, 8);
}

Test(rules_compiled, another_kindly_or_pcre2_version_compiles_the_text)
{
    char dir[256], rules[512], compiled[4096];
    size_t n;
    char *bytes = small_compiled(dir, rules, compiled, &n);
    /* the header: magic (8), format (4), byte order (4), kindly version (32), PCRE2 (32) */
    char *b = malloc(n);
    memcpy(b, bytes, n);
    memcpy(b + 16, "0.0.9", 6);
    spit(compiled, b, n);
    const char *const damaged[] = { "truncated or damaged", NULL };
    kd_rules *r = load_around(rules, damaged);
    kd_rules_free(r);
    reseal(b, n);
    spit(compiled, b, n);
    const char *const want[] = { "written by kindly 0.0.9 with PCRE2", "this is kindly " KINDLY_VERSION, NULL };
    r = load_around(rules, want);
    behaves_as_text(r);
    kd_rules_free(r);
    memcpy(b, bytes, n);
    memcpy(b + 48, "10.99 2099-01-01", 17);
    reseal(b, n);
    spit(compiled, b, n);
    const char *const want2[] = { "with PCRE2 10.99 2099-01-01, this is", NULL };
    r = load_around(rules, want2);
    behaves_as_text(r);
    kd_rules_free(r);
    static const char junk[] = "not a compiled file at all, though long enough to hold a header of kindly's: "
                               "..................................................................";
    _Static_assert(sizeof junk - 1 >= 140, "longer than a header");
    spit(compiled, junk, sizeof junk - 1);
    const char *const want3[] = { "is not a compiled rule file", NULL };
    r = load_around(rules, want3);
    behaves_as_text(r);
    kd_rules_free(r);
    free(b);
    free(bytes);
}

/* The defence behind the text's hash: a compiled file whose header claims another text, but
 * whose patterns are not that text's (a hash collision, or a bug), is not used pattern by
 * pattern: each decoded pattern is checked against the text's before it stands in. */
Test(rules_compiled, a_pattern_unlike_the_texts_is_never_used)
{
    char dir[256], rules[512], compiled[4096];
    size_t n;
    char *bytes = small_compiled(dir, rules, compiled, &n);
    const char *other = "text A /apple/i 1\nmoderate casino\ntext B /cherry/ 2\nmeta M (A && B) 1\n";
    /* the header names the other text (length at 80, hash at 88), and its checksum holds */
    uint64_t len = strlen(other), hash = kd_rules_hash(other, strlen(other));
    memcpy(bytes + 80, &len, 8);
    memcpy(bytes + 88, &hash, 8);
    reseal(bytes, n);
    spit(compiled, bytes, n);
    char path[512];
    th_write(dir, "t.rules", other, path, sizeof path);
    const char *const want[] = { compiled, "does not hold the pattern of", "line 3", NULL };
    kd_rules *r = load_around(rules, want);
    cr_assert_eq(fired_count(r, "a cherry, an apple"), 3);
    cr_assert_eq(fired_count(r, "banana"), 0);
    kd_rules_free(r);
    free(bytes);
}

Test(rules_compiled, word_lists_are_read_afresh)
{
    char dir[256], rules[512], list[512], compiled[4096];
    th_tmpdir(dir, sizeof dir);
    th_write(dir, "bad.txt", "casino\n", list, sizeof list);
    th_write(dir, "t.rules", "text A /apple/ 1\ndisallow-list bad.txt\n", rules, sizeof rules);
    snprintf(compiled, sizeof compiled, "%s.compiled", rules);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_save_compiled(r, compiled), 0);
    kd_rules_free(r);
    th_write(dir, "bad.txt", "poker\nroulette\n", list, sizeof list);
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1, "%s", kd_rules_note(r));
    cr_assert_eq(kd_rules_count(r), 3);
    cr_assert_eq(fired_count(r, "apple poker"), 2);
    cr_assert_eq(fired_count(r, "casino"), 0);
    kd_rules_free(r);
}

Test(rules_compiled, save_errors_name_the_file)
{
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_parse(&r, "t.rules", "text A /a/ 1\n", 13), 0);
    cr_assert_eq(kd_rules_save_compiled(r, "/nonexistent-dir/t.rules.compiled"), KD_EIO);
    cr_assert(strstr(kd_rules_error(r), "/nonexistent-dir/t.rules.compiled: cannot write"), "%s", kd_rules_error(r));
    cr_assert_eq(kd_rules_save_compiled(NULL, "x"), KD_EINVAL);
    cr_assert_eq(kd_rules_save_compiled(r, NULL), KD_EINVAL);
    kd_rules_free(r);
    /* a set whose loading failed has nothing to save */
    cr_assert_eq(kd_rules_parse(&r, "t.rules", "text A /(/ 1\n", 12), KD_EPARSE);
    cr_assert_eq(kd_rules_save_compiled(r, "x"), KD_EINVAL);
    kd_rules_free(r);
    cr_assert_eq(kd_rules_compiled(NULL), 0);
    cr_assert_str_empty(kd_rules_note(NULL));
}

/* The compiled file is created as a model is, its mode 0644 less the umask: it was 0644
 * whatever the umask, so a umask of 077 left rules readable by every user; and nothing of
 * it is left beside it. */
Test(rules_compiled, the_file_honours_the_umask)
{
    static const mode_t masks[] = { 077, 027, 022, 002 }, want[] = { 0600, 0640, 0644, 0644 };
    for (size_t i = 0; i < sizeof masks / sizeof *masks; i++) {
        char dir[256], rules[512], compiled[4096];
        umask(masks[i]);
        compile_text(dir, "text A /a/ 1\n", rules, compiled);
        struct stat st;
        cr_assert_eq(stat(compiled, &st), 0);
        cr_expect_eq(st.st_mode & 0777, want[i], "umask %03o: mode %03o", (unsigned)masks[i],
                     (unsigned)(st.st_mode & 0777));
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        int files = 0;
        for (struct dirent *e; (e = readdir(d));)
            files += e->d_name[0] != '.';
        closedir(d);
        cr_expect_eq(files, 2, "t.rules and t.rules.compiled, nothing else");
    }
}

Test(rules_compiled, a_rule_file_without_patterns)
{
    char dir[256], rules[512], compiled[4096];
    compile_text(dir, "count L links >= 3 1\nset disallow_score 10\n", rules, compiled);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1, "%s", kd_rules_note(r));
    cr_assert_eq(kd_rules_count(r), 1);
    kd_rules_free(r);
}

/* A text rule's required literals are read from the compiled file (the prefilter's analysis
 * of the pattern is not repeated), and a record that is not one is analysed afresh. */
Test(rules_compiled, prefilter_literals_come_from_the_file)
{
    char dir[256], rules[512], compiled[4096];
    compile_text(dir, "text A /apple/ 1\n", rules, compiled);
    kd_rules *r = NULL;
    size_t n;
    char *bytes = slurp(compiled, &n);
    /* the last record: length 10, registered, 1 alternative, 1 clause, 1 literal of 5 bytes */
    const char rec[] = "\x0a\0\0\0\x01\x01\x01\x01\x05" "apple";
    cr_assert_geq(n, sizeof rec - 1);
    cr_assert(!memcmp(bytes + n - (sizeof rec - 1), rec, sizeof rec - 1), "the record is not at the end");
    /* sealed with another literal, the file's literal is the one used */
    memcpy(bytes + n - 5, "appxe", 5);
    reseal(bytes, n);
    spit(compiled, bytes, n);
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1);
    cr_assert(r->rule[0].prefiltered);
    cr_assert_str_eq(kd_prefilter_literal(r->pre, 0, 0), "appxe");
    kd_rules_free(r);
    /* a record that is no record (2 alternatives announced, 1 there): the pattern's own */
    memcpy(bytes + n - 5, "apple", 5);
    bytes[n - 9] = 2;
    reseal(bytes, n);
    spit(compiled, bytes, n);
    cr_assert_eq(kd_rules_load(&r, rules), 0);
    cr_assert_eq(kd_rules_compiled(r), 1, "the patterns still come from the file");
    cr_assert_str_eq(kd_prefilter_literal(r->pre, 0, 0), "apple");
    cr_assert_null(kd_prefilter_literal(r->pre, 0, 1));
    kd_rules_free(r);
    free(bytes);
}
