/*
 * cmd_rules.c - `kindly rules`: validate a rule file, show what fires on one comment, and
 * measure every rule on a labelled corpus.
 *
 * --stats is SpamAssassin's mass-check / hit-frequencies in miniature: for each rule, the
 * share of the spam and of the ham it hits, and S/O = spam% / (spam% + ham%), the share of
 * its hits that are spam once the corpus' spam/ham balance is factored out. A rule worth
 * shipping has S/O near 1 and a ham share near 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"


/* The text of rule file path, "-" standard input (--check's), at most 64 MiB; NULL after a
 * message, with *status its exit status. */
static char *read_text(const char *path, size_t *len, int *status)
{
    int in = !strcmp(path, "-");
    if (in && cli_stdin_closed) {
        *status = cli_fail(EXIT_MODEL, "rules", "cannot read the rule file: standard input is closed");
        return NULL;
    }
    if (in)
        cli_hint_terminal("rules", "a rule file", "");
    FILE *f = in ? stdin : fopen(path, "rbe");
    char *text = f ? cli_read_all(f, (size_t)64 << 20, len) : NULL;
    int e = errno;
    if (f && !in)
        fclose(f);
    if (!text)
        *status = cli_fail(e == ENOMEM ? EXIT_INTERNAL : EXIT_MODEL, "rules", "cannot %s rule file %s: %s",
                           f ? "read" : "open", cli_shown(path), e == EFBIG ? "larger than 64 MiB" : strerror(e));
    return text;
}

/* Rule file path, "-" standard input: its messages then name it <stdin>, and it has no
 * compiled file (its lists are found in the working directory, as for a FILE without '/').
 * NULL after a message, with *status its exit status. */
static kd_rules *load(const char *path, int *status)
{
    kd_rules *r = NULL;
    int rc;
    if (!strcmp(path, "-")) {
        size_t len = 0;
        char *text = read_text(path, &len, status);
        if (!text)
            return NULL;
        rc = kd_rules_parse(&r, cli_shown(path), text, len);
        free(text);
    } else
        rc = kd_rules_load(&r, path);
    if (rc) {
        *status = cli_fail(rc == KD_ENOMEM ? EXIT_INTERNAL : EXIT_MODEL, "rules", "%s", kd_rules_error(r));
        kd_rules_free(r);
        return NULL;
    }
    cli_rules_note("rules", r, path);
    kd_rules_jit_compile(r); /* --check reports it, --stats matches whole corpora */
    return r;
}

static const char *default_path(const char *flag)
{
    const char *p = cli_rules_path(flag);
    if (!p)
        fprintf(stderr, "kindly rules: no rule file given and no models/default.rules beside the binary\n");
    return p;
}

/* No file named: the default rule file, in dflt[0]; 0 when there is none (said). */
static int or_default(char ***files, int *nfiles, const char *dflt[1])
{
    if (!(dflt[0] = default_path(NULL)))
        return 0;
    *files = (char **)dflt;
    *nfiles = 1;
    return 1;
}

static int check(char **files, int nfiles)
{
    int status = EXIT_DONE;
    const char *dflt[1];
    if (!nfiles && !or_default(&files, &nfiles, dflt))
        return EXIT_MODEL;
    for (int i = 0; i < nfiles; i++) {
        int st;
        kd_rules *r = load(files[i], &st);
        if (!r) {
            status = st;
            continue;
        }
        size_t n = kd_rules_count(r), reported = 0;
        for (size_t k = 0; k < n; k++) {
            kd_rule_info info;
            kd_rules_info_get(r, k, &info);
            reported += info.reported;
        }
        kd_buf name = KD_BUF_INIT; /* the file's name as one line, as in messages */
        printf("%s: ok, %zu rule%s (%zu sub-rule%s), patterns %s\n", cli_line(&name, cli_shown(files[i])), n,
               n == 1 ? "" : "s", n - reported, n - reported == 1 ? "" : "s",
               kd_rules_jit(r) ? "JIT-compiled" : "interpreted (no JIT)");
        kd_buf_free(&name);
        kd_rules_free(r);
    }
    return status;
}

/* --compile: each rule file's patterns into FILE.compiled, which kd_rules_load then reads
 * instead of compiling them (while it still belongs to FILE: see kindly.h). */
static int compile_files(char **files, int nfiles)
{
    int status = EXIT_DONE;
    const char *dflt[1];
    if (!nfiles && !or_default(&files, &nfiles, dflt))
        return EXIT_MODEL;
    kd_buf out = KD_BUF_INIT;
    for (int i = 0; i < nfiles; i++) {
        /* from the text, never from the compiled file it replaces: the same text gives the
           same bytes (a pattern decoded by PCRE2 carries a flag of its own) */
        kd_rules *r = NULL;
        size_t len = 0;
        char *text = read_text(files[i], &len, &status);
        if (!text)
            continue;
        int rc = kd_rules_parse(&r, files[i], text, len);
        free(text);
        if (rc) {
            status = cli_fail(rc == KD_ENOMEM ? EXIT_INTERNAL : EXIT_MODEL, "rules", "%s", kd_rules_error(r));
            kd_rules_free(r);
            continue;
        }
        kd_buf_clear(&out);
        if (kd_buf_puts(&out, files[i]) || kd_buf_puts(&out, KD_RULES_COMPILED_SUFFIX)) {
            status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
            kd_rules_free(r);
            break;
        }
        if ((rc = kd_rules_save_compiled(r, out.s)))
            status = cli_fail(rc == KD_ENOMEM ? EXIT_INTERNAL : EXIT_MODEL, "rules", "%s",
                              rc == KD_ENOMEM ? "out of memory" : kd_rules_error(r));
        else {
            kd_buf name = KD_BUF_INIT;
            printf("%s: compiled into ", cli_line(&name, files[i]));
            printf("%s\n", cli_line(&name, out.s));
            kd_buf_free(&name);
        }
        kd_rules_free(r);
    }
    kd_buf_free(&out);
    return status;
}

/* Whether the rule of that name is among the result's hits (a trusted author's allow entry is
 * not, when a disallowed key fired too: the key wins, as in WordPress). */
static int counted(const kd_result *res, const char *name)
{
    for (size_t i = 0; i < res->nrules; i++)
        if (!strcmp(res->rules[i].name, name))
            return 1;
    return 0;
}

static int test(const char *path, const kd_comment *meta)
{
    int status = EXIT_DONE;
    kd_rules *r = load(path, &status);
    if (!r)
        return status;
    kd_result res = { 0 };
    unsigned char *fired = NULL;
    kd_buf eb[3] = { KD_BUF_INIT, KD_BUF_INIT, KD_BUF_INIT };
    char *text = cli_read_comment("rules", &status);
    if (!text)
        goto done;
    cli_warn_empty_comment("rules", text); /* (as check says it: tested all the same) */
    kd_comment c = *meta;
    c.text = text;
    size_t n = kd_rules_count(r);
    if (!(fired = calloc(n ? n : 1, 1)) || kd_rules_eval(r, &c, fired, &res)) {
        status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
        goto done;
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (fired[i] == KD_RULE_NOT_FIRED)
            continue;
        kd_rule_info info;
        kd_rules_info_get(r, i, &info);
        /* an entry of a word list: where in which list ("line 1 of lists/bad.txt") */
        /* a rule file's name, description and list file as one line each (cli_line) */
        const char *name = cli_line(&eb[0], info.name), *file = cli_line(&eb[1], info.file);
        if (fired[i] == KD_RULE_LIMIT)
            printf("  limit  %-28s a PCRE2 limit stopped the match: not fired (line %u%s%s)\n", name,
                   info.line, info.file ? " of " : "", file);
        else
            printf("%+8.2f  %-28s %s%s(line %u%s%s)\n", info.score, name, cli_line(&eb[2], info.description),
                   !info.reported ? " [sub-rule] " : !counted(&res, info.name) ? " [not counted: a disallowed key outweighs it] "
                   : *info.description ? " " : "", info.line, info.file ? " of " : "", file);
        shown++;
    }
    if (!shown)
        printf("no rule fired\n");
    printf("%+8.2f  total of %zu rule%s%s\n", res.rules_score, res.nrules, res.nrules == 1 ? "" : "s",
           res.rules_hold ? "; a moderation word holds the comment" : "");
done:
    for (size_t i = 0; i < 3; i++)
        kd_buf_free(&eb[i]);
    kd_result_free(&res);
    free(fired);
    free(text);
    kd_rules_free(r);
    return status;
}

/* What --stats counted: per rule, its hits on ham and spam; labelled rows; matches stopped. */
typedef struct tally {
    unsigned long *hits; /* [2 * rule + spam] */
    unsigned long count[2], limits;
    int files; /* the files counted (read, with a labelled row) */
    unsigned long bad; /* the bad rows skipped (named on stderr as FILE:LINE) */
} tally;

/* A figure of --stats, width wide with prec decimals (JSON: 4, no width), or n/a (null) where
 * it is undefined. */
static const char *share(char buf[24], double v, int defined, int json, int width, int prec)
{
    if (!defined)
        return json ? "null" : "n/a";
    snprintf(buf, 24, "%*.*f", json ? 0 : width, json ? 4 : prec, v);
    return buf;
}

/* One table (or JSON object) for file, or for the files together when file is NULL. */
static void stats_print(const kd_rules *r, const char *file, int nfiles, int json, const tally *t)
{
    size_t n = kd_rules_count(r);
    const unsigned long *hits = t->hits, *count = t->count;
    kd_buf name = KD_BUF_INIT; /* a rule's name, its control characters escaped (cli_line) */
    if (json) {
        printf("{\"file\":");
        if (file)
            cli_json_str(stdout, file);
        else
            printf("null,\"files\":%d", t->files);
        printf(",\"spam\":%lu,\"ham\":%lu,\"limits\":%lu,\"rules\":[", count[1], count[0], t->limits);
    } else {
        if (file) /* as messages name it: one line, standard input as <stdin> */
            printf("%s: ", cli_line(&name, cli_shown(file)));
        else if (t->files == nfiles)
            printf("all %d files together: ", nfiles);
        else /* the others could not be read or had no labelled row (named on stderr) */
            printf("%d of the %d files together: ", t->files, nfiles);
        printf("%lu spam, %lu ham%s\n   SPAM%%     HAM%%    S/O   SCORE  NAME\n", count[1], count[0],
               t->limits ? " (some matches stopped at a PCRE2 limit)" : "");
    }
    for (size_t i = 0; i < n; i++) {
        kd_rule_info info;
        kd_rules_info_get(r, i, &info);
        /* a share of no comment (a file of ham alone: its spam%) is 0/0, and so is the S/O of
           a rule that never fired or of a file with one kind of comment: n/a, null, not 0 */
        double sp = count[1] ? 100.0 * (double)hits[2 * i + 1] / (double)count[1] : 0;
        double hp = count[0] ? 100.0 * (double)hits[2 * i] / (double)count[0] : 0;
        int has_so = count[0] && count[1] && sp + hp > 0;
        char b[3][24];
        const char *spam_pct = share(b[0], sp, count[1] > 0, json, 8, 3);
        const char *ham_pct = share(b[1], hp, count[0] > 0, json, 8, 3);
        const char *so = share(b[2], has_so ? sp / (sp + hp) : 0, has_so, json, 5, 3);
        if (json) {
            printf("%s{\"name\":", i ? "," : "");
            cli_json_str(stdout, info.name);
            printf(",\"score\":%g,\"spam_hits\":%lu,\"ham_hits\":%lu,\"spam_pct\":%s,\"ham_pct\":%s,\"so\":%s}",
                   info.score, hits[2 * i + 1], hits[2 * i], spam_pct, ham_pct, so);
        } else
            printf("%8s %8s  %5s %7.2f  %s\n", spam_pct, ham_pct, so, info.score, cli_line(&name, info.name));
    }
    kd_buf_free(&name);
    if (json)
        printf("]}\n");
}

/* The rules over one file's labelled rows: its table, and its counts added to *all. */
static int stats_file(const kd_rules *r, const char *file, int nfiles, int json, tally *all)
{
    int status = EXIT_DONE;
    size_t n = kd_rules_count(r);
    tally t = { calloc(2 * (n ? n : 1), sizeof *t.hits), { 0, 0 }, 0, 1, 0 };
    unsigned char *fired = calloc(n ? n : 1, 1);
    kd_csv *csv = NULL;
    if (!t.hits || !fired) {
        status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
        goto done;
    }
    if (!(csv = cli_open_csv("rules", file, KD_CSV_COMMENTS, 0, &status)))
        goto done;
    const kd_csv_row *row;
    int rc;
    cli_labels_seen seen = { .nvalues = 0 };
    while ((rc = kd_csv_next(csv, &row)) == 1) {
        if (row->label == KD_UNLABELLED) {
            cli_labels_note(&seen, csv, row);
            continue;
        }
        kd_result res;
        kd_comment local;
        char date[128];
        int erc = kd_rules_eval(r, cli_row_comment(csv, row, &local, date, sizeof date), fired, &res);
        kd_result_free(&res);
        if (erc) {
            status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
            goto done;
        }
        int spam = row->label == KD_SPAM;
        t.count[spam]++;
        for (size_t i = 0; i < n; i++) {
            t.hits[2 * i + (size_t)spam] += fired[i] == KD_RULE_FIRED;
            t.limits += fired[i] == KD_RULE_LIMIT;
        }
    }
    if (rc < 0) {
        status = cli_fail(cli_exit_for(rc), "rules", "%s", kd_csv_error(csv));
        goto done;
    }
    if (kd_csv_skipped(csv))
        status = EXIT_INPUT;
    all->bad += kd_csv_skipped(csv); /* (of a file without a labelled row too: named all the same) */
    if (!t.count[0] && !t.count[1]) { /* hit rates of nothing: an unlabelled file, as eval says */
        status = cli_no_labelled_rows_in("rules", file, csv, &seen);
        goto done;
    }
    stats_print(r, file, nfiles, json, &t);
    for (size_t i = 0; i < 2 * n; i++)
        all->hits[i] += t.hits[i];
    all->count[0] += t.count[0];
    all->count[1] += t.count[1];
    all->limits += t.limits;
    all->files++;
done:
    kd_csv_free(csv);
    free(t.hits);
    free(fired);
    return status;
}

int cmd_rules(int argc, char **argv)
{
    enum { NONE, CHECK, TEST, STATS, COMPILE } mode = NONE, asked;
    const char *rules_flag = NULL;
    int json = 0, nfiles = 0, after = 0;
    const char *meta_flag = NULL; /* the first flag of the comment's metadata given (--test's) */
    char **files = calloc((size_t)argc, sizeof *files);
    kd_comment meta = KD_COMMENT_INIT;
    static const struct { const char *flag; size_t off; } fields[] = {
        { "--author", offsetof(kd_comment, author) }, { "--email", offsetof(kd_comment, email) },
        { "--url", offsetof(kd_comment, url) },       { "--ip", offsetof(kd_comment, ip) },
        { "--agent", offsetof(kd_comment, agent) },   { "--post", offsetof(kd_comment, post_id) },
        { "--parent", offsetof(kd_comment, parent) }, { "--date", offsetof(kd_comment, date) },
        { "--id", offsetof(kd_comment, id) },
    };
    int status = EXIT_DONE;
    if (!files)
        return cli_fail(EXIT_INTERNAL, "rules", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op) {
            if (op > 0)
                files[nfiles++] = argv[i];
            continue;
        }
        size_t j;
        for (j = 0; j < sizeof fields / sizeof *fields; j++)
            if (!strcmp(a, fields[j].flag) && i + 1 < argc) {
                *(const char **)((char *)&meta + fields[j].off) = argv[++i];
                if (!meta_flag)
                    meta_flag = fields[j].flag;
                break;
            }
        if (j < sizeof fields / sizeof *fields)
            continue;
        if (!strcmp(a, "--check") || !strcmp(a, "--test") || !strcmp(a, "--stats") || !strcmp(a, "--compile")) {
            asked = a[3] == 'o' ? COMPILE : a[2] == 'c' ? CHECK : a[3] == 'e' ? TEST : STATS;
            if (mode != NONE && mode != asked) { /* the same one twice is one mode, as any option given twice */
                status = cli_usage("rules", "use one of --check, --test, --stats and --compile");
                goto done;
            }
            mode = asked;
        } else if (!strcmp(a, "--rules") && i + 1 < argc)
            rules_flag = argv[++i];
        else if (!strcmp(a, "--json"))
            json = 1;
        else {
            status = cli_bad_option("rules", a, i + 1 == argc, "");
            goto done;
        }
    }
    if (mode == NONE) {
        status = cli_usage("rules", "use one of --check [FILE], --test [FILE], --stats CORPUS.csv and "
                                    "--compile [FILE]");
        goto done;
    }
    /* a flag the mode does not read, not ignored without a word */
    if (json && mode != STATS) {
        status = cli_usage("rules", "--json goes with --stats");
        goto done;
    }
    if (meta_flag && mode != TEST) {
        status = cli_usage("rules", "%s goes with --test: it gives the comment's metadata", meta_flag);
        goto done;
    }
    /* an empty rule file name, as --rules '' is (main.c): the caller's mistake, refused before
       any file is read (a CSV file of --stats is the CSV reader's to refuse) */
    for (int i = 0; i < nfiles && mode != STATS; i++)
        if (!*files[i]) {
            status = cli_fail(EXIT_USAGE, "rules", "empty file name: name a rule file (kindly rules %s FILE)",
                              mode == CHECK ? "--check" : mode == TEST ? "--test" : "--compile");
            goto done;
        }
    /* '-', standard input, is a rule file to --check alone: --test reads its comment there,
       and --compile writes FILE.compiled beside FILE; read once */
    for (int i = 0, dash = 0; i < nfiles && mode != STATS; i++) {
        if (strcmp(files[i], "-"))
            continue;
        if (mode != CHECK) {
            status = cli_usage("rules", "'-' is no rule file for %s: %s (save the rules to a file)",
                               mode == TEST ? "--test" : "--compile",
                               mode == TEST ? "the comment is read from standard input"
                                            : "the compiled patterns are written beside the rule file");
            goto done;
        }
        if (dash++) {
            status = cli_usage("rules", "standard input is read once: '-' cannot be named twice");
            goto done;
        }
    }
    if (mode == COMPILE) {
        if (rules_flag)
            files[nfiles++] = (char *)rules_flag;
        status = compile_files(files, nfiles);
        goto done;
    }
    if (mode == CHECK) {
        if (rules_flag)
            files[nfiles++] = (char *)rules_flag;
        status = check(files, nfiles);
    } else if (mode == TEST) {
        if (nfiles + (rules_flag != NULL) > 1) {
            status = cli_usage("rules", "--test takes one rule file (the comment is read from standard input)");
            goto done;
        }
        /* the metadata as check reads it: repaired to UTF-8, an --ip or --email that is none
         * said (the rules then see what check's see) */
        char *owned[CLI_NMETA] = { 0 };
        if (cli_repair_comment_flags("rules", &meta, owned))
            status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
        else {
            cli_warn_comment_flags("rules", &meta);
            const char *path = nfiles ? files[0] : default_path(rules_flag);
            status = path ? test(path, &meta) : EXIT_MODEL;
        }
        for (size_t j = 0; j < CLI_NMETA; j++)
            free(owned[j]);
    } else {
        if (!nfiles) {
            status = cli_usage("rules", "--stats needs a labelled CSV file");
            goto done;
        }
        /* as eval refuses it: the files together would count its rows twice */
        if ((status = cli_distinct_inputs("rules", (const char *const *)files, nfiles,
                                          "its comments would be counted twice")))
            goto done;
        const char *path = default_path(rules_flag);
        kd_rules *r = path ? load(path, &status) : NULL;
        if (!r) {
            status = path ? status : EXIT_MODEL;
            goto done;
        }
        /* several files are also read as one (an export in two files: approved and spam,
           whose S/O only the two together give) */
        size_t n = kd_rules_count(r);
        tally all = { calloc(2 * (n ? n : 1), sizeof *all.hits), { 0, 0 }, 0, 0, 0 };
        if (!all.hits)
            status = cli_fail(EXIT_INTERNAL, "rules", "out of memory");
        for (int i = 0; i < nfiles && all.hits; i++) {
            int st = stats_file(r, files[i], nfiles, json, &all);
            if (st && (status == EXIT_DONE || status == EXIT_INPUT))
                status = st;
        }
        if (all.hits && all.files > 1) /* one file counted: its own table says it all */
            stats_print(r, NULL, nfiles, json, &all);
        cli_warn_skipped("rules", all.bad); /* as train, score and eval count theirs */
        free(all.hits);
        kd_rules_free(r);
    }
done:
    free(files);
    return status;
}
