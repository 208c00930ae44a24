/*
 * cmd_history.c - `kindly history`: the comment history behind duplicate detection; its
 * counts, what it holds of a comment by its id, and pruning it to the retention policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* history --id: an id not in the history (its line says "found":false) */
#define EXIT_NOT_HELD 1

/* A time as JSON: an ISO 8601 UTC string ("2024-05-01T13:45:00Z"), for a reader beside the
 * Unix seconds; null for an empty history (none: its times read 0) or a time gmtime cannot
 * show. A comment of 1970-01-01T00:00:00Z, time 0, is a date like any other. */
static void json_utc(FILE *f, int64_t t, int none)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    if (!none && gmtime_r(&tt, &tm) && strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm))
        fprintf(f, "\"%s\"", s);
    else
        fputs("null", f);
}

/* The comments of one --id, gathered as the elements of its "comments" list. */
typedef struct found_list {
    FILE *f;
    int n;
} found_list;

static int found_entry(void *ud, const kd_history_entry *e)
{
    found_list *l = ud;
    fprintf(l->f, "%s{\"seq\":%lld,\"post\":", l->n++ ? "," : "", (long long)e->seq);
    if (e->post_id)
        cli_json_str(l->f, e->post_id);
    else
        fputs("null", l->f);
    fprintf(l->f, ",\"time\":%lld,\"time_utc\":", (long long)e->time);
    json_utc(l->f, e->time, 0);
    const char *label = e->label == KD_SPAM ? "\"spam\"" : e->label == KD_HAM ? "\"ham\""
                        : e->label == KD_HISTORY_TAKEN_BACK ? "\"taken_back\"" : "null";
    fprintf(l->f, ",\"learnt\":%s}", label);
    return 0;
}

/* --id: one JSON object a line for each id, in the order given: EXIT_DONE when every one is
 * in the history, 1 when one is not (its line says "found":false), else the failure's status
 * (the lines before it printed). */
static int show_ids(kd_model *m, char *const *ids, int n)
{
    int status = EXIT_DONE;
    for (int i = 0; i < n; i++) {
        char *buf = NULL;
        size_t len = 0;
        found_list l = { open_memstream(&buf, &len), 0 };
        if (!l.f)
            return cli_fail(EXIT_INTERNAL, "history", "out of memory");
        int rc = kd_history_find(m, ids[i], found_entry, &l, NULL);
        if (fclose(l.f) && !rc)
            rc = KD_ENOMEM;
        if (rc && rc != KD_ENOTFOUND) {
            free(buf);
            return cli_fail(cli_exit_for(rc), "history", "%s", rc == KD_ENOMEM ? "out of memory" : kd_model_error(m));
        }
        fputs("{\"id\":", stdout);
        cli_json_str(stdout, ids[i]);
        printf(",\"found\":%s,\"comments\":[%s]}\n", rc ? "false" : "true", rc ? "" : buf);
        free(buf);
        if (rc)
            status = EXIT_NOT_HELD;
    }
    return status;
}

static int history(int argc, char **argv, char **ids)
{
    int nids = 0;
    const char *model = NULL;
    int prune = 0, stats = 0;
    unsigned long days = 90, keep = 0;
    int days_set = 0, after = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op)
            return cli_usage("history", "takes no file ('%s'): name the model with -m, a comment with --id", a);
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--prune"))
            prune = 1;
        else if (!strcmp(a, "--stats"))
            stats = 1;
        else if (!strcmp(a, "--id") && i + 1 < argc) {
            if (!*argv[++i])
                return cli_usage("history", "--id: an empty id: give a comment's id (WordPress's comment_ID)");
            ids[nids++] = argv[i];
        }
        else if (!strcmp(a, "--keep-days") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], 0, 1000000, &days))
                return cli_bad_value("history", a, argv[i], "a number of days from 0 to 1000000");
            days_set = 1;
        } else if (!strcmp(a, "--keep") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], 1, 1000000000000UL, &keep))
                return cli_bad_count("history", a, argv[i], "a count from 1 to 1000000000000",
                                     "--keep-days 0 deletes all");
        } else
            return cli_bad_option("history", a, i + 1 == argc, "");
    }
    if (!prune && (days_set || keep))
        return cli_usage("history", "--keep-days and --keep go with --prune");
    if (nids && (prune || stats))
        return cli_usage("history", "--id goes without %s: run them apart", prune ? "--prune" : "--stats");
    const char *path = NULL;
    int status;
    kd_model *m = cli_open_model_for("history", model, prune, 0, &path, &status);
    if (!m)
        return status;
    if (nids) {
        status = show_ids(m, ids, nids);
        kd_model_close(m);
        return status;
    }
    int rc = KD_OK;
    uint64_t removed = 0;
    if (prune) {
        /* --keep alone prunes by count only; otherwise by age (default 90 days) too: the
         * comments more than N days old, so one exactly N days old stays (kd_history_prune
         * deletes those at or before `before`); with 0 days, all (no time is after now) */
        int64_t now = (int64_t)time(NULL);
        int64_t before = keep && !days_set ? INT64_MIN : days ? now - (int64_t)days * 86400 - 1 : now;
        rc = kd_history_prune(m, before, keep, &removed);
    }
    kd_history_stats st;
    if (!rc)
        rc = kd_history_stats_get(m, &st);
    if (rc) {
        status = cli_fail(cli_exit_for(rc), "history", "%s", kd_model_error(m));
        kd_model_close(m);
        return status;
    }
    (void)stats;
    fputs("{\"model\":", stdout);
    cli_json_str(stdout, path);
    printf(",\"comments\":%llu,\"index_entries\":%llu,\"file_bytes\":%llu,\"oldest\":%lld,"
           "\"oldest_utc\":",
           (unsigned long long)st.comments, (unsigned long long)st.index_entries,
           (unsigned long long)st.file_bytes, (long long)st.oldest);
    json_utc(stdout, st.oldest, !st.comments);
    printf(",\"newest\":%lld,\"newest_utc\":", (long long)st.newest);
    json_utc(stdout, st.newest, !st.comments);
    if (prune)
        printf(",\"pruned\":%llu", (unsigned long long)removed);
    puts("}");
    kd_model_close(m);
    return EXIT_DONE;
}

int cmd_history(int argc, char **argv)
{
    char **ids = calloc((size_t)argc, sizeof *ids); /* the --id values, at most one an argument */
    if (!ids)
        return cli_fail(EXIT_INTERNAL, "history", "out of memory");
    int status = history(argc, argv, ids);
    free(ids);
    return status;
}
