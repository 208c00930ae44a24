/*
 * cmd_history.c - `kindly history`: the comment history behind duplicate detection; its
 * counts, and pruning it to the retention policy.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* A time as JSON: an ISO 8601 UTC string ("2024-05-01T13:45:00Z"), for a reader beside the
 * Unix seconds; null for an empty history (none: its times read 0) or a time gmtime cannot
 * show. A comment of 1970-01-01T00:00:00Z, time 0, is a date like any other. */
static void json_utc(int64_t t, int none)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    if (!none && gmtime_r(&tt, &tm) && strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm))
        printf("\"%s\"", s);
    else
        fputs("null", stdout);
}

int cmd_history(int argc, char **argv)
{
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
            return cli_usage("history", "takes no file ('%s'): name the model with -m", a);
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--prune"))
            prune = 1;
        else if (!strcmp(a, "--stats"))
            stats = 1;
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
    const char *path = NULL;
    int status;
    kd_model *m = cli_open_model_for("history", model, prune, 0, &path, &status);
    if (!m)
        return status;
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
    json_utc(st.oldest, !st.comments);
    printf(",\"newest\":%lld,\"newest_utc\":", (long long)st.newest);
    json_utc(st.newest, !st.comments);
    if (prune)
        printf(",\"pruned\":%llu", (unsigned long long)removed);
    puts("}");
    kd_model_close(m);
    return EXIT_DONE;
}
