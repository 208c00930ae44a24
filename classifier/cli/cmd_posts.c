/*
 * cmd_posts.c - `kindly posts`: import or update the posts that relevance scores comments
 * against, from kindly's own posts CSV or a WordPress `wp post list --format=csv` export.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Name the rows kd_posts_import skipped for want of a post id, as FILE:LINE like the
 * reader's own problems (reported already, so this reader has no problem callback). The
 * import only counts them, so the file is read again; standard input only when it can be
 * rewound (a file, not a pipe). The id column is the import's: post_id, else ID (kindly.h;
 * column names are case-insensitive). */
static void name_rows_without_id(const char *path)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    kd_csv *r = NULL;
    if ((strcmp(path, "-") || lseek(STDIN_FILENO, 0, SEEK_SET) == 0) && kd_csv_open(&r, path, &o) == KD_OK) {
        int c = kd_csv_column(r, "post_id") >= 0 ? kd_csv_column(r, "post_id") : kd_csv_column(r, "ID");
        const kd_csv_row *row;
        while (c >= 0 && kd_csv_next(r, &row) == 1)
            if (!*row->fields[c])
                fprintf(stderr, "%s:%lu: no post id (row skipped)\n", cli_shown(path), row->line);
    }
    kd_csv_free(r);
}

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
        else if (skipped || kd_csv_skipped(r)) {
            if (skipped) {
                name_rows_without_id(files[f]);
                fprintf(stderr, "kindly posts: %s: %llu rows without a post id skipped\n", cli_shown(files[f]),
                        (unsigned long long)skipped);
            }
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
