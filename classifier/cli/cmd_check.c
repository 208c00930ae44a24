/*
 * cmd_check.c - `kindly check`: one comment on standard input, its verdict as the exit code.
 * Opens the model without preloading: a handful of indexed lookups beat loading every token
 * when the process lives for one comment.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"



static int check(int argc, char **argv, char *owned[CLI_NMETA]);

/* The rules, and a model opened read-only, are left to the process's exit rather than freed
 * after the verdict is printed: freeing them is 150,000 instructions (the rules' compiled
 * patterns one by one, the SQLite connection's statements, caches and maps) and a dozen
 * system calls (a read-only connection's close tries a lock to checkpoint, unmaps, closes
 * three files) of a one-comment check, for what exit() gives back at once. A read-only
 * connection leaves nothing behind a close would have tidied: it cannot checkpoint nor
 * delete the -wal. Kept here, they stay reachable (LeakSanitizer reports no leak). A model
 * opened for writing (--remember) is closed: that commits the history. */
static kd_model *volatile left_model; /* (volatile: stores to a variable never read would be dropped) */
static kd_rules *volatile left_rules;

/* Whether a field of c is long enough to JIT-compile the rules for it. PCRE2's match limit
 * bounds each start position of a match, not the whole, so an interpreted pattern with
 * adjacent unbounded repeats ("x|\s+\s+:") ran 16 s over 4,000 spaces, and would run for
 * hours over the 64 KiB a pattern sees; JIT-compiled, 0.01 s and 0.6 s. Compiling costs
 * about 3 ms, which a comment of ordinary length does not repay (and over 512 bytes the
 * interpreter's worst case stays under about 0.03 s). */
#define JIT_FROM 512
static int long_fields(const kd_comment *c)
{
    const char *f[] = { c->text, c->author, c->email, c->url, c->ip, c->agent, c->post_id, c->parent, c->date };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (f[i] && strlen(f[i]) > JIT_FROM)
            return 1;
    return 0;
}

int cmd_check(int argc, char **argv)
{
    char *owned[CLI_NMETA] = { NULL };
    int status = check(argc, argv, owned);
    for (int i = 0; i < CLI_NMETA; i++)
        free(owned[i]);
    return status;
}

/* cmd_check, with the repaired flag values in owned[] (freed by the caller). */
static int check(int argc, char **argv, char *owned[CLI_NMETA])
{
    const char *model = NULL;
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    int after = 0, expl = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0 || !strcmp(a, "-")) /* "-": standard input, named as other filters name it */
            continue;
        if (op && *a) /* (an empty argument is no file: said as an option) */
            return cli_usage("check", "the comment is read from standard input, not from a file ('%s'): "
                                      "kindly check < %s, or kindly score for a CSV file", a, a);
        int k = cli_parse_classify_flag("check", argc, argv, &i, &o);
        if (k < 0)
            return EXIT_USAGE;
        if (k)
            continue;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc) {
            model = argv[++i];
            continue;
        }
        if (!strcmp(a, "--explain")) {
            expl = 1;
            continue;
        }
        if (!cli_parse_comment_flag(argc, argv, &i, &c))
            return cli_bad_option("check", a, i + 1 == argc, " (the comment is read from standard input)");
    }
    if (cli_repair_comment_flags("check", &c, owned))
        return cli_fail(EXIT_INTERNAL, "check", "out of memory");
    cli_warn_comment_flags("check", &c);
    if (cli_check_classify_flags("check", &o))
        return EXIT_USAGE;
    /* The rules and the model before the comment: a model that is missing or not to be
     * written is said at once, not after a comment was typed at the terminal for nothing
     * (as learn --raw does). The rules are JIT-compiled once the comment is known to be long. */
    int status;
    kd_rules *rules = cli_load_rules("check", &status, 0);
    if (status)
        return status;
    o.rules = rules;
    const char *mpath = NULL;
    kd_model *m = cli_open_model_for("check", model, o.remember, 0, &mpath, &status);
    if (!m) {
        kd_rules_free(rules);
        return status;
    }
    char *text = cli_read_comment("check", &status);
    if (!text) {
        kd_model_close(m);
        kd_rules_free(rules);
        return status;
    }
    /* Still classified: the metadata (author, URL, agent) can make an empty comment spam, and
     * a caller that sends every submission wants its verdict. But an empty standard input is
     * more often a mistake of the caller than a comment, so say so. */
    cli_warn_empty_comment("check", text);
    c.text = text;
    if (rules && long_fields(&c))
        kd_rules_jit_compile(rules);
    if (o.remember)
        cli_warn_date("check", c.date);
    kd_result res;
    int rc = kd_classify(m, &c, &o, &res);
    if (rc)
        status = cli_fail(cli_exit_for(rc) == EXIT_DONE ? EXIT_INTERNAL : cli_exit_for(rc), "check", "%s",
                          kd_model_error(m));
    else {
        cli_warn_untrained("check", m, mpath);
        cli_warn_unknown_post("check", m, mpath, &c, &res);
        char *js = expl ? NULL : kd_result_json(&c, &res);
        if (expl) { /* the same verdict, as its exit status, said for people */
            cli_explain(&c, &res, rules, o.offtopic_threshold);
            status = (int)res.verdict;
        } else if (js) {
            puts(js);
            free(js);
            status = (int)res.verdict;
        } else
            status = cli_fail(EXIT_INTERNAL, "check", "out of memory");
    }
    kd_result_free(&res);
    if (o.remember) /* the history's writes are committed, and the WAL checkpointed, at close */
        kd_model_close(m);
    else
        left_model = m;
    left_rules = rules;
    free(text);
    return status;
}
