/*
 * cmd_train.c - `kindly train`: learn labelled CSV files into a model, in one transaction.
 */
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"

int cmd_train(int argc, char **argv)
{
    const char *model = NULL;
    unsigned long prune = 0;
    int quiet = 0, nfiles = 0, after = 0;
    unsigned flags = 0;
    char **files = argv + 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op)
            files[nfiles++] = argv[i];
        else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--prune") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], 1, 1000000, &prune))
                return cli_bad_count("train", a, argv[i], "a count from 1 to 1000000", "leave --prune out to drop none");
        } else if (!strcmp(a, "--foreign"))
            flags |= KD_TRAIN_FOREIGN;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = 1;
        else
            return cli_bad_option("train", a, i + 1 == argc, "");
    }
    if (!nfiles)
        return cli_usage("train", "name at least one CSV file to train on ('-' for standard input)");
    int same = cli_distinct_inputs("train", (const char *const *)files, nfiles, "its comments would be counted twice");
    if (same != EXIT_DONE)
        return same;
    const char *path = cli_model_path_for_write("train", model);
    if (!path)
        return EXIT_USAGE;
    /* a file that cannot be read is named before a new model is created for nothing */
    int readable = cli_files_readable("train", KD_CSV_COMMENTS, (const char *const *)files, nfiles);
    if (readable == EXIT_MODEL) {
        int bad = 0;
        for (int i = 0; i < nfiles; i++)
            bad += cli_files_readable(NULL, KD_CSV_COMMENTS, (const char *const *)&files[i], 1) != EXIT_DONE;
        if (bad < nfiles) /* every file is opened before the first is learnt: the others were not learnt */
            cli_fail(readable, "train", "nothing was learnt, from the other files either: leave out or fix the "
                                        "file%s named above and run it again", bad > 1 ? "s" : "");
    }
    if (readable != EXIT_DONE)
        return readable;
    int created = cli_model_is_new(path);
    /* interrupted while it reads, train writes nothing and leaves the model as it was, and
     * none if it was creating one, as when nothing was learnt; once the commit has begun, a
     * signal no longer stops it (see done:) */
    cli_catch_stop();
    kd_model *m = cli_open_model("train", path, KD_OPEN_CREATE);
    if (!m) {
        cli_reraise();
        return EXIT_MODEL;
    }
    int status = EXIT_DONE, rc, committed = 0, prune_skipped = 0;
    cli_feed_counts n = { 0, 0, 0, 0, 0, 0, 0, 0 };
    kd_buf line = KD_BUF_INIT;
    const char *shown = cli_line(&line, path); /* the model's name as one line, in the summaries */
    if ((rc = kd_train_begin(m))) {
        status = cli_fail(cli_exit_for(rc), "train", "%s", kd_model_error(m));
        goto done;
    }
    for (int i = 0; i < nfiles; i++) {
        int s = cli_feed_csv("train", m, files[i], KD_UNLABELLED, 1, flags, !quiet, 0, &n);
        if (s == EXIT_INPUT)
            status = EXIT_INPUT;
        else if (s) {
            kd_train_abort(m);
            status = s;
            goto done;
        }
    }
    if (cli_interrupted) {
        kd_train_abort(m);
        status = EXIT_MODEL;
        goto done;
    }
    if ((rc = kd_train_commit(m))) {
        status = cli_fail(cli_exit_for(rc), "train", "%s", kd_model_error(m));
        goto done;
    }
    committed = 1;
    /* pruning is a transaction of its own, after the counts': when it fails, the comments
     * are learnt all the same, and training them again would count them twice; not begun
     * once the run was interrupted (the counts are kept: see done:), nor when nothing was
     * learnt (no file had a labelled row: the model is left as it was) */
    uint64_t removed = 0;
    prune_skipped = prune && cli_interrupted;
    int pruning = prune && !prune_skipped && n.learned;
    if (pruning && (rc = kd_model_prune(m, (unsigned)prune, &removed))) {
        status = cli_fail(cli_exit_for(rc), "train",
                          "%s; the comments were learnt (the counts are committed), only pruning failed: do not "
                          "train them again, run `kindly info -m %s --prune %lu` instead",
                          kd_model_error(m), path, prune);
        goto done;
    }
    if (pruning)
        cli_warn_pruned("train", m, path, removed);
    if (created && !n.learned) /* a new model of nothing would hold every comment */
        goto done;
    /* nothing learnt and no row skipped: each file refused, or of no row or no labelled row,
     * was named already as an error, after which a summary read as a success */
    if (!n.learned && !n.skipped)
        goto done;
    kd_model_stats st;
    kd_model_stats_get(m, &st);
    /* a moderation export without its spam (wp comment list lists approved and pending
     * comments unless asked for --status=spam) makes a model that approves everything */
    if (!st.spam_messages != !st.ham_messages)
        fprintf(stderr, "kindly train: warning: %s has no %s messages yet, so it %s; train it on %s comments "
                        "too%s\n", shown, st.spam_messages ? "ham" : "spam",
                st.spam_messages ? "takes genuine comments for spam" : "approves spam that its rules do not catch",
                st.spam_messages ? "approved" : "spam",
                st.spam_messages ? "" : " (a WordPress export: wp comment list --status=spam ...)");
    if (!quiet) {
        /* in learn's words: "learnt 2 comments (1 spam, 1 ham)", the rows left out "not learnt" */
        fprintf(stderr, "kindly train: learnt %lu comment%s (%lu spam, %lu ham%s)", n.learned,
                n.learned == 1 ? "" : "s", n.spam, n.learned - n.spam,
                flags & KD_TRAIN_FOREIGN ? ", foreign" : "");
        if (n.unlabelled) {
            fprintf(stderr, "; %lu unlabelled row%s not learnt", n.unlabelled, n.unlabelled == 1 ? "" : "s");
            cli_feed_unlabelled_why(&n);
        }
        if (n.skipped)
            fprintf(stderr, "; %lu bad row%s skipped", n.skipped, n.skipped == 1 ? "" : "s");
        if (n.refused)
            fprintf(stderr, "; %lu file%s not read (named above)", n.refused, n.refused == 1 ? "" : "s");
        fprintf(stderr, "\nkindly train: %s now has %llu spam and %llu ham messages, %llu tokens",
                shown, (unsigned long long)st.spam_messages, (unsigned long long)st.ham_messages,
                (unsigned long long)st.tokens);
        if (pruning)
            fprintf(stderr, " (%llu rare tokens pruned)", (unsigned long long)removed);
        fputc('\n', stderr);
    }
done:
    /* a signal once the commit had begun came too late to stop it: the comments are learnt,
     * and the run ends as it would have, not by the signal, which would tell the caller
     * (after help train) that the model was left as it was */
    if (committed && n.learned && cli_interrupted) {
        int sig = cli_interrupted;
        cli_interrupted = 0;
        fprintf(stderr, "kindly train: interrupted by %s once the commit had begun: it was finished, and %s holds "
                        "the comments learnt", cli_signal_name(sig), shown);
        if (prune_skipped)
            fprintf(stderr, "; --prune was not run (kindly info -m %s --prune %lu)", shown, prune);
        fputc('\n', stderr);
    }
    /* stopped before its commit, a model that was there is as it was: said in one line, as
     * learn, posts and merge say what they kept (one being created is said below) */
    if (!committed && !created && cli_interrupted)
        fprintf(stderr, "kindly train: interrupted by %s: nothing of this run was learnt into %s (it is as it was)\n",
                cli_signal_name(cli_interrupted), shown);
    /* nothing learnt, or nothing written (a failed commit): an empty model is not left */
    if (created && (!n.learned || (status != EXIT_DONE && status != EXIT_INPUT)))
        cli_remove_if_empty("train", m, path, cli_interrupted ? "interrupted" : "nothing was learnt");
    kd_model_close(m);
    kd_buf_free(&line);
    cli_reraise();
    return status;
}
