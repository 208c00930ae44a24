/*
 * cmd_posts.c - `kindly posts`: import or update the posts that relevance scores comments
 * against, from kindly's own posts CSV or a WordPress `wp post list --format=csv` export.
 */
#include <string.h>

#include "cli.h"

int cmd_posts(int argc, char **argv)
{
    const char *model = NULL;
    const char *files[64];
    int nfiles = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] == '-' && a[1])
            return cli_usage("posts", "unknown or incomplete option '%s'", a);
        else if (nfiles == (int)(sizeof files / sizeof *files))
            return cli_usage("posts", "too many files");
        else
            files[nfiles++] = a;
    }
    if (!nfiles)
        return cli_usage("posts", "give a posts CSV file (or '-' for standard input)");
    const char *path = cli_model_path_for_write("posts", model);
    if (!path)
        return EXIT_USAGE;
    kd_model *m = cli_open_model("posts", path, KD_OPEN_CREATE);
    if (!m)
        return EXIT_MODEL;
    int status = EXIT_DONE;
    uint64_t total = 0;
    for (int f = 0; f < nfiles && status == EXIT_DONE; f++) {
        kd_csv *r = cli_open_csv("posts", files[f], KD_CSV_RAW, 0, &status);
        if (!r)
            break;
        uint64_t n = 0, skipped = 0;
        int rc = kd_posts_import(m, r, &n, &skipped);
        if (rc == KD_ENOTFOUND) /* the header lacks a column: the message does not name the file */
            status = cli_fail(EXIT_INPUT, "posts", "%s: %s", cli_shown(files[f]), kd_model_error(m));
        else if (rc)
            status = cli_fail(cli_exit_for(rc), "posts", "%s", kd_model_error(m));
        else if (kd_csv_skipped(r)) { /* each named already, as FILE:LINE (bad rows, no post id) */
            if (skipped)
                fprintf(stderr, "kindly posts: %s: %llu rows without a post id skipped\n", cli_shown(files[f]),
                        (unsigned long long)skipped);
            status = EXIT_INPUT;
        }
        total += n;
        kd_csv_free(r);
    }
    uint64_t count = 0;
    if (!quiet && status != EXIT_MODEL && !kd_posts_count(m, &count))
        fprintf(stderr, "kindly posts: imported %llu posts; the model now holds %llu\n", (unsigned long long)total,
                (unsigned long long)count);
    kd_model_close(m);
    return status;
}
