/*
 * cmd_info.c - `kindly info`: a model's counts; pruning and packing for shipping.
 */
#include <string.h>

#include "cli.h"

int cmd_info(int argc, char **argv)
{
    const char *model = NULL;
    unsigned long prune = 0;
    int pack = 0, after = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op)
            return cli_usage("info", "takes no file ('%s'): name the model with -m", a);
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--prune") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], 1, 1000000, &prune))
                return cli_bad_count("info", a, argv[i], "a count from 1 to 1000000", "leave --prune out to drop none");
        } else if (!strcmp(a, "--pack"))
            pack = 1;
        else
            return cli_bad_option("info", a, i + 1 == argc, "");
    }
    const char *path = NULL;
    int status;
    kd_model *m = cli_open_model_for("info", model, prune || pack, 0, &path, &status);
    if (!m)
        return status;
    int rc = KD_OK;
    uint64_t removed = 0;
    if (prune)
        rc = kd_model_prune(m, (unsigned)prune, &removed);
    if (!rc && pack)
        rc = kd_model_pack(m);
    kd_model_stats st;
    uint64_t posts = 0, retired = 0; /* (0 for a model of schema 2 or older: it has no posts table) */
    if (!rc)
        rc = kd_model_stats_get(m, &st);
    if (!rc) /* retired first: posts are never removed, so the count after is never fewer */
        rc = kd_posts_count_retired(m, &retired);
    if (!rc)
        rc = kd_posts_count(m, &posts);
    if (rc) {
        status = cli_fail(cli_exit_for(rc), "info", "%s", kd_model_error(m));
        kd_model_close(m);
        return status;
    }
    cli_warn_pruned("info", m, path, removed);
    fputs("{\"model\":", stdout);
    cli_json_str(stdout, path);
    printf(",\"schema_version\":%d,\"spam_messages\":%llu,\"ham_messages\":%llu,\"tokens\":%llu",
           st.schema_version, (unsigned long long)st.spam_messages, (unsigned long long)st.ham_messages,
           (unsigned long long)st.tokens);
    /* a retired post (imported with an empty title and text) is not one the model holds */
    printf(",\"posts\":%llu,\"retired_posts\":%llu", (unsigned long long)(posts - retired),
           (unsigned long long)retired);
    if (prune)
        printf(",\"pruned\":%llu", (unsigned long long)removed);
    puts("}");
    kd_model_close(m);
    return EXIT_DONE;
}
