/*
 * cmd_learn.c - `kindly learn`: moderator feedback, one comment or a CSV of them, and undo.
 */
#include <stdlib.h>
#include <string.h>

#include "feed.h"

static int learn(int argc, char **argv, char *owned[CLI_NMETA]);

/* Interrupted before the commit: nothing of the run was written, said in one line; the
 * caller then ends by the signal (cli_reraise). recorded: comments were recorded in the
 * history meanwhile (they stay). */
static int interrupted(const char *path, int undo, int recorded)
{
    cli_fail(EXIT_DONE, "learn", "interrupted by %s: nothing of this run was %s into %s (its counts are as they were)%s",
             cli_signal_name(cli_interrupted), undo ? "unlearnt" : "learnt", cli_shown(path),
             recorded ? "; the comments it recorded in the history stay, and learning the file again learns them all"
                      : "");
    return EXIT_MODEL;
}

/* A signal once the commit had begun came too late to stop it: the run ends as done. */
static void committed_anyway(const char *path, int undo)
{
    cli_fail(EXIT_DONE, "learn", "interrupted by %s once the commit had begun: it was finished, and %s holds what was %s",
             cli_signal_name(cli_interrupted), cli_shown(path), undo ? "unlearnt" : "learnt");
    cli_interrupted = 0;
}

/* An undo under an id the history has no learning under (a mistyped one), or none, took back
 * the learning of the same text under another id: which one, so that a slip is seen. The ids
 * are quoted as cli_fail quotes them (a newline or a control character escaped). */
static void took_other(const kd_model *m, const kd_comment *c, kd_label label, const char *other)
{
    /* one recorded without an id is named by its record, "history:N", as duplicate_of names
     * it; an id may read so too, so the library says which it is */
    int named = c->id && *c->id, bare = kd_feedback_took_bare(m);
    cli_fail(EXIT_DONE, "learn", "unlearnt 1 comment as %s: %s%s; took back the learning of the same text %s%s%s",
             label == KD_SPAM ? "spam" : "ham", named ? "no learning under id " : "no id given", named ? c->id : "",
             bare ? "recorded without an id (" : "under id ", other, bare ? ")" : "");
}

int cmd_learn(int argc, char **argv)
{
    char *owned[CLI_NMETA] = { NULL };
    int status = learn(argc, argv, owned);
    for (int i = 0; i < CLI_NMETA; i++)
        free(owned[i]);
    return status;
}

/* cmd_learn, with the repaired values of --id, --post, ... in owned[] (freed by the caller) */
static int learn(int argc, char **argv, char *owned[CLI_NMETA])
{
    const char *model = NULL, *file = NULL;
    kd_label label = KD_UNLABELLED;
    int undo = 0, raw = 0, nmeta = 0, quiet = 0, after = 0;
    unsigned flags = 0;
    kd_comment c = KD_COMMENT_INIT; /* --raw: the comment; its text from standard input */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op && file)
            return cli_one_input("learn", file, a);
        if (op)
            file = a;
        else if (cli_parse_comment_flag(argc, argv, &i, &c))
            nmeta++;
        else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--spam") || !strcmp(a, "--ham")) {
            kd_label l = a[2] == 's' ? KD_SPAM : KD_HAM;
            if (label != KD_UNLABELLED && label != l)
                return cli_usage("learn", "give either --spam or --ham, not both");
            label = l;
        } else if (!strcmp(a, "--undo"))
            undo = 1;
        else if (!strcmp(a, "--raw"))
            raw = 1;
        else if (!strcmp(a, "--foreign"))
            flags |= KD_TRAIN_FOREIGN;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = 1;
        else
            return cli_bad_option("learn", a, i + 1 == argc, "");
    }
    if (raw && label == KD_UNLABELLED)
        return cli_usage("learn", "--raw needs --spam or --ham");
    if (raw && file && strcmp(file, "-"))
        return cli_usage("learn", "--raw reads standard input; do not name a file");
    if (nmeta && !raw)
        return cli_usage("learn", "--id, --post, --author and the like describe the one comment of --raw; "
                                  "a CSV file has columns for them");
    if (cli_repair_comment_flags("learn", &c, owned))
        return cli_fail(EXIT_INTERNAL, "learn", "out of memory");
    /* a foreign comment is not this site's: not kept in the history, so its id makes it no
     * feedback that a second run finds learnt already */
    if (raw && (flags & KD_TRAIN_FOREIGN) && c.id && *c.id && !undo)
        cli_fail(EXIT_DONE, "learn", "warning: --id is not recorded with --foreign (other sites' comments are not "
                                     "kept in the history): learnt again, the comment counts again");
    if (raw)
        cli_warn_comment_flags("learn", &c);
    const char *path = cli_model_path_for_write("learn", model);
    if (!path)
        return EXIT_USAGE;
    /* interrupted (Ctrl-C, SIGTERM, SIGHUP), as train is: a CSV file stopped at the next row,
     * --raw while it reads its comment (also while the read waits on a pipe or a terminal), the
     * counts not written, said in one line, then ended by the signal (cli_reraise); a signal
     * once the commit has begun does not stop it. */
    cli_catch_stop();
    kd_model *m = cli_open_model("learn", path, KD_OPEN_WRITE);
    if (!m) {
        cli_reraise();
        return EXIT_MODEL;
    }
    int status = EXIT_DONE, rc;
    cli_feed_counts n = { 0, 0, 0, 0, 0, 0, 0, 0 };
    char *text = NULL;
    if ((rc = kd_train_begin(m))) {
        status = cli_fail(cli_exit_for(rc), "learn", "%s", kd_model_error(m));
        goto done;
    }
    if (raw) {
        text = cli_read_comment("learn", &status);
        if (cli_interrupted) {
            status = interrupted(path, undo, 0);
            goto done;
        }
        if (!text)
            goto done;
        /* an empty comment teaches no token but would still shift the prior: blank in any way
         * (a no-break space, a zero-width space, &nbsp;) or only punctuation */
        if ((rc = kd_text_empty(text))) {
            status = rc < 0 ? cli_fail(EXIT_INTERNAL, "learn", "out of memory")
                            : cli_fail(EXIT_INPUT, "learn", "the comment on standard input is empty (only blanks or "
                                                            "punctuation): nothing to learn");
            goto done;
        }
        c.text = text;
        if (!flags) {
            /* one comment of this site: as the server learns feedback (kd_feedback), once per
             * comment and label, and remembered, so that the same comment posted again is a
             * duplicate */
            kd_train_abort(m);
            if (!undo || (c.id && *c.id))
                cli_warn_date("learn", c.date);
            int changed = 0;
            rc = kd_feedback(m, &c, label, undo, &changed);
            if (rc) {
                status = cli_fail(cli_exit_for(rc), "learn", "%s%s", kd_model_error(m),
                                  changed ? " (the comment was learnt, but not marked as learnt)" : "");
                goto done;
            }
            if (cli_interrupted) /* during kd_feedback: it was finished */
                committed_anyway(path, undo);
            if (quiet)
                ;
            else if (!changed && undo)
                cli_fail(EXIT_DONE, "learn", "comment %s is not learnt as %s: nothing to undo", c.id,
                         label == KD_SPAM ? "spam" : "ham"); /* (the id escaped: cli_fail) */
            else if (!changed)
                cli_fail(EXIT_DONE, "learn", "comment %s was learnt as %s already: nothing to do", c.id,
                         label == KD_SPAM ? "spam" : "ham");
            else if (kd_feedback_took(m)) /* the learning of its text under another id */
                took_other(m, &c, label, kd_feedback_took(m));
            else
                fprintf(stderr, "kindly learn: %s 1 comment as %s%s\n", undo ? "unlearnt" : "learnt",
                        label == KD_SPAM ? "spam" : "ham", changed == 2 ? " (its other label taken back)" : "");
            goto done;
        }
        if ((rc = kd_train_add_ex(m, &c, label, undo ? -1 : 1, flags))) {
            status = cli_fail(cli_exit_for(rc), "learn", "%s", kd_model_error(m));
            goto done;
        }
        n.learned = 1;
        n.spam = label == KD_SPAM;
    } else {
        int record = !undo && !flags;
        status = cli_feed_csv("learn", m, file ? file : "-", label, undo ? -1 : 1, flags, 0, record, &n);
        if (cli_interrupted) {
            kd_train_abort(m);
            status = interrupted(path, undo, record && n.learned);
            goto done;
        }
        if (status && status != EXIT_INPUT) {
            kd_train_abort(m);
            goto done;
        }
    }
    if ((rc = kd_train_commit(m))) {
        status = cli_fail(cli_exit_for(rc), "learn", "%s", kd_model_error(m));
        goto done;
    }
    if (cli_interrupted)
        committed_anyway(path, undo);
    /* as train's summary: the spam and the ham of them, whether a label column or --spam/--ham
     * gave the labels, and the rows left out; none when nothing was learnt and no row skipped
     * (a file refused whole, one of no row or no labelled row: each named already as an
     * error, after which "learnt 0 comments" read as a success) */
    if (!quiet && !n.refused && (n.learned || n.skipped)) {
        fprintf(stderr, "kindly learn: %s %lu comment%s (%lu spam, %lu ham%s)", undo ? "unlearnt" : "learnt",
                n.learned, n.learned == 1 ? "" : "s", n.spam, n.learned - n.spam, flags ? ", foreign" : "");
        /* --spam or --ham labels every row: a hint only where no row had a label of its own (a
         * WordPress export's pending and trashed rows beside its approved ones were told to
         * take a flag that would have learnt the approved ones as spam too) */
        if (n.unlabelled) {
            fprintf(stderr, "; %lu unlabelled row%s not %s", n.unlabelled, n.unlabelled == 1 ? "" : "s",
                    undo ? "unlearnt" : "learnt");
            cli_feed_unlabelled_why(&n);
            if (!n.learned)
                fputs(" (give --spam or --ham to label every row)", stderr);
        }
        if (n.skipped)
            fprintf(stderr, "; %lu bad row%s skipped", n.skipped, n.skipped == 1 ? "" : "s");
        if (n.dates)
            fprintf(stderr, "; %lu remembered as of now: %s unreadable or in the future", n.dates,
                    n.dates == 1 ? "its date is" : "their dates are");
        fputc('\n', stderr);
    }
done:
    free(text);
    kd_model_close(m);
    cli_reraise();
    return status;
}
