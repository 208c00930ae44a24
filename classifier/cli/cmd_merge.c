/*
 * cmd_merge.c - `kindly merge OUT.db IN.db...`: add models' counts (and posts) together.
 *
 * The inputs are checked before the output is opened, so that a mistake (a missing input,
 * a file that is not a model, an input named twice or as the output) creates and changes
 * nothing; the library then merges every input in one transaction.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* An input must be a model this kindly can read: opened read-only, so a missing one is
 * reported, not created. */
static int check_input(const char *path)
{
    kd_model *in = NULL;
    int rc = kd_model_open(&in, path, KD_OPEN_READONLY);
    int status = rc ? cli_fail(cli_exit_for(rc), "merge", "%s", kd_model_error(in)) : EXIT_DONE;
    kd_model_close(in);
    return status;
}

static int check_inputs(int n, char **in, const char *out)
{
    int st = cli_refuse_default("merge", out);
    if (st != EXIT_DONE)
        return st;
    for (int i = 0; i < n; i++) {
        if (cli_same_file(in[i], out))
            return cli_usage("merge", "an input model cannot be the output model (%s is %s)", in[i], out);
        for (int j = 0; j < i; j++)
            if (cli_same_file(in[i], in[j]))
                return cli_usage("merge", "%s and %s are the same model: it would be counted twice", in[j], in[i]);
    }
    for (int i = 0; i < n; i++) {
        int status = check_input(in[i]);
        if (status)
            return status;
    }
    return EXIT_DONE;
}

/* The summary on stderr, as train's second line: what OUT holds now (its counts are sums). */
static void summary(kd_model *m, const char *out, int n)
{
    kd_model_stats st;
    uint64_t posts = 0;
    fprintf(stderr, "kindly merge: merged %d model%s", n, n == 1 ? "" : "s");
    if (kd_model_stats_get(m, &st) || kd_posts_count(m, &posts)) { /* merged all the same */
        fprintf(stderr, " into %s\n", cli_shown(out));
        return;
    }
    fprintf(stderr, "; %s now has %llu spam and %llu ham messages, %llu tokens, %llu post%s\n", cli_shown(out),
            (unsigned long long)st.spam_messages, (unsigned long long)st.ham_messages,
            (unsigned long long)st.tokens, (unsigned long long)posts, posts == 1 ? "" : "s");
}

int cmd_merge(int argc, char **argv)
{
    int quiet = 0, n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("merge", "unknown option '%s'", argv[i]);
        else
            argv[++n] = argv[i]; /* the models, in order, the flags taken out */
    }
    argc = n + 1;
    if (argc < 3)
        return cli_usage("merge", "name the output model and at least one input model");
    for (int i = 1; i < argc; i++) /* as an empty -m is: the caller's mistake, said before any is opened */
        if (!*argv[i])
            return cli_fail(EXIT_USAGE, "merge", "empty file name: name %s (kindly merge OUT.db IN.db...)",
                            i == 1 ? "the output model" : "an input model");
    int status = check_inputs(argc - 2, argv + 2, argv[1]);
    if (status)
        return status;
    int created = cli_model_is_new(argv[1]);
    kd_model *m = cli_open_model("merge", argv[1], KD_OPEN_CREATE);
    if (!m)
        return EXIT_MODEL;
    int rc = kd_model_merge_all(m, (const char *const *)(argv + 2), (size_t)(argc - 2));
    if (rc)
        status = cli_fail(cli_exit_for(rc), "merge", "%s", kd_model_error(m));
    if (rc && created) /* a failure leaves OUT as it was: here, not there */
        cli_remove_if_empty("merge", m, argv[1], "nothing was merged");
    if (!rc && !quiet)
        summary(m, argv[1], argc - 2);
    kd_model_close(m);
    return status;
}
