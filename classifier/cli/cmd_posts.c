/*
 * cmd_posts.c - `kindly posts`: import or update the posts that relevance scores comments
 * against, from kindly's own posts CSV or a WordPress `wp post list --format=csv` export.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int posts(int argc, char **argv, const char **files);

int cmd_posts(int argc, char **argv)
{
    const char **files = calloc((size_t)argc, sizeof *files); /* any number, as train takes */
    if (!files)
        return cli_fail(EXIT_INTERNAL, "posts", "out of memory");
    int status = posts(argc, argv, files);
    free(files);
    return status;
}

/* cmd_posts, with room in files for every argument */
static int posts(int argc, char **argv, const char **files)
{
    const char *model = NULL;
    int nfiles = 0, quiet = 0, after = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op)
            files[nfiles++] = a;
        else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = 1;
        else
            return cli_bad_option("posts", a, i + 1 == argc, "");
    }
    if (!nfiles)
        return cli_usage("posts", "give a posts CSV file (or '-' for standard input)");
    int same = cli_distinct_inputs("posts", files, nfiles, "its posts would be imported twice");
    if (same != EXIT_DONE)
        return same;
    const char *path = cli_model_path_for_write("posts", model);
    if (!path)
        return EXIT_USAGE;
    /* no new model is created for nothing: when none of the files can be read, the first is
     * named and the run ends (when some can, they are imported and the others named) */
    int readable = 0;
    for (int f = 0; f < nfiles && !readable; f++)
        readable = !cli_files_readable(NULL, KD_CSV_RAW, &files[f], 1);
    if (!readable && access(path, F_OK) != 0)
        return cli_files_readable("posts", KD_CSV_RAW, files, 1);
    int created = cli_model_is_new(path);
    /* interrupted (Ctrl-C, SIGTERM, SIGHUP), as train is: the file being read stops at the
     * signal and none of its posts are kept (one transaction a file), the files before it
     * are; said in one line, then the process ends by the signal (cli_reraise) */
    cli_catch_stop();
    kd_model *m = cli_open_model("posts", path, KD_OPEN_CREATE);
    if (!m) {
        cli_reraise();
        return EXIT_MODEL;
    }
    /* every file is read whatever happened to the one before (bad rows, a missing column, a
     * file that cannot be opened), as train does; the exit status is the worst seen. Only an
     * error of the model itself stops the run. */
    int status = EXIT_DONE, model_failed = 0, refused = 0; /* files not read: no post column, not CSV */
    int headers = 0; /* files read of only a header row: named too, but read */
    unsigned long bad = 0; /* rows skipped (each named as FILE:LINE): counted as train counts its */
    uint64_t total = 0, added = 0, unchanged = 0; /* updated: the rest of total */
    int stopped = -1; /* the file the signal came in (nfiles: after the last) */
    for (int f = 0; f < nfiles && !model_failed; f++) {
        int s = EXIT_DONE;
        if (cli_interrupted) {
            stopped = f;
            break;
        }
        kd_csv *r = cli_open_csv("posts", files[f], KD_CSV_RAW, 0, &s);
        if (!r && cli_interrupted) { /* stopped reading its header: said below */
            stopped = f;
            break;
        }
        if (r) {
            kd_posts_import_counts c;
            int rc = kd_posts_import_ex(m, r, &c);
            uint64_t n = c.imported, skipped = c.skipped;
            if (rc && cli_interrupted) { /* its transaction rolled back: said below */
                kd_csv_free(r);
                stopped = f;
                break;
            }
            if (rc == KD_ENOTFOUND) { /* the header lacks a column: the message does not name the file */
                s = cli_fail(EXIT_INPUT, "posts", "%s: %s", cli_shown(files[f]), kd_model_error(m));
                refused++;
            } else if (rc) {
                s = cli_fail(cli_exit_for(rc), "posts", "%s", kd_model_error(m));
                model_failed = 1;
            } else if (kd_csv_skipped(r)) { /* each named already, as FILE:LINE (bad rows, no post id) */
                if (skipped)
                    cli_fail(EXIT_DONE, "posts", "%s: %llu row%s without a post id skipped", cli_shown(files[f]),
                             (unsigned long long)skipped, skipped == 1 ? "" : "s");
                s = EXIT_INPUT;
            } else if (!n) {
                s = cli_no_rows("posts", files[f]);
                headers++;
            }
            total += n;
            bad += kd_csv_skipped(r);
            added += c.added;
            unchanged += c.unchanged;
            kd_csv_free(r);
        } else
            refused++;
        if (s > status)
            status = s;
    }
    /* a signal once the last file was in came too late to stop anything: the run ends as
     * done, as train's does when its commit had begun */
    if (stopped < 0 && cli_interrupted) {
        cli_fail(EXIT_DONE, "posts", "interrupted by %s once every file was imported: %s holds their posts",
                 cli_signal_name(cli_interrupted), cli_shown(path));
        cli_interrupted = 0;
    }
    if (stopped >= 0 && !(created && !total)) { /* (a model created for nothing is removed below, and said) */
        char before_it[64] = "", after_it[64] = "";
        if (stopped > 0)
            snprintf(before_it, sizeof before_it, " (the files before it were: %llu post%s)",
                     (unsigned long long)total, total == 1 ? "" : "s");
        if (stopped + 1 < nfiles)
            snprintf(after_it, sizeof after_it, "; %d file%s after it not read", nfiles - stopped - 1,
                     nfiles - stopped - 1 == 1 ? "" : "s");
        status = cli_fail(EXIT_MODEL, "posts", "interrupted by %s: nothing of %s was imported into %s%s%s",
                          cli_signal_name(cli_interrupted), cli_shown(files[stopped]), cli_shown(path), before_it,
                          after_it);
    }
    uint64_t count = 0, retired = 0;
    /* no summary when no post was imported (each file refused, of no row or of bad rows only
     * was named already): "imported 0 posts" after the errors read as a success; none when
     * interrupted (said above) */
    if (stopped < 0 && !quiet && !model_failed && total && !kd_posts_count_retired(m, &retired) &&
        !kd_posts_count(m, &count)) { /* (retired first, as info counts them) */
        /* a post in two files is imported twice, new once; one whose title and text the
         * model held already is unchanged (a file imported again) */
        fprintf(stderr, "kindly posts: imported %llu post%s (%llu new, %llu updated", (unsigned long long)total,
                total == 1 ? "" : "s", (unsigned long long)added, (unsigned long long)(total - added - unchanged));
        if (unchanged)
            fprintf(stderr, ", %llu unchanged", (unsigned long long)unchanged);
        fputc(')', stderr);
        if (bad)
            fprintf(stderr, "; %lu bad row%s skipped", bad, bad == 1 ? "" : "s");
        /* every file named above is counted: one of only a header row was read, and had no post */
        if (refused)
            fprintf(stderr, "; %d file%s not read", refused, refused == 1 ? "" : "s");
        if (headers)
            fprintf(stderr, "%s%d file%s only a header row", refused ? ", " : "; ", headers,
                    headers == 1 ? " of" : "s of");
        if (refused || headers)
            fputs(" (named above)", stderr);
        /* a retired post (imported with an empty title and text) is not one it holds, as info says */
        fprintf(stderr, "; the model now holds %llu", (unsigned long long)(count - retired));
        if (retired)
            fprintf(stderr, " and %llu retired (no title or text)", (unsigned long long)retired);
        fputc('\n', stderr);
    }
    if (created && !total)
        cli_remove_if_empty("posts", m, path, stopped >= 0 ? "interrupted" : "no post was imported");
    kd_model_close(m);
    cli_reraise();
    return status;
}
