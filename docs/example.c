/*
 * example.c - embedding libkindly: classify one comment with a model file and print kindly's
 * JSON answer. Build it against an installed kindly (make install PREFIX=...):
 *
 *     cc -o example example.c $(pkg-config --cflags --libs kindly)
 *     d=$(pkg-config --variable=datadir kindly)
 *     ./example "$d/default.db" "Cheap pills, order now" "$d/default.rules"
 *
 * (under a PREFIX the dynamic linker does not search, add -Wl,-rpath,$(pkg-config
 * --variable=libdir kindly) to the cc line). The rule file is optional: the library applies
 * rules only when it is given a rule set, while `kindly check` loads default.rules itself.
 *
 * It shows the library's conventions: functions return 0 or a negative KD_E* code, a handle
 * explains its last failure (kd_model_error), what the caller receives it frees with the
 * matching function, and every *_free / *_close accepts NULL.
 */
#include <kindly.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s MODEL.db \"comment text\" [RULES]\n", argv[0]);
        return 2;
    }
    int status = 1;
    kd_model *model = NULL;
    kd_rules *rules = NULL;
    kd_result result = { 0 };
    char *json = NULL;

    /* Before 1.0 the library's interface may change between versions: a program linked
     * against libkindly.so checks that it runs with the version it was compiled with. */
    if (strcmp(kd_version(), KINDLY_VERSION)) {
        fprintf(stderr, "compiled with kindly %s, running with libkindly %s\n", KINDLY_VERSION, kd_version());
        return 1;
    }

    /* Read-only, counts looked up on demand: right for one comment per process. A server
     * would open one handle per thread with KD_OPEN_PRELOAD and call kd_model_refresh()
     * before each request to see retrains by other processes. */
    int rc = kd_model_open(&model, argv[1], KD_OPEN_READONLY);
    if (rc) {
        fprintf(stderr, "%s (%s)\n", kd_model_error(model), kd_strerror(rc)); /* names the file */
        goto done;
    }

    kd_comment c = KD_COMMENT_INIT; /* borrowed strings; NULL fields are unknown */
    c.id = "example-1";
    c.author = "visitor";
    c.text = argv[2];

    kd_options opts = KD_OPTIONS_INIT; /* the defaults, spelled out so they can be changed */
    opts.spam_cutoff = 0.9;
    /* Rules: load once, share between threads and handles (kd_options.rules is borrowed) */
    if (argc == 4 && (rc = kd_rules_load(&rules, argv[3]))) {
        fprintf(stderr, "%s\n", kd_rules_error(rules));
        goto done;
    }
    opts.rules = rules;
    if ((rc = kd_classify(model, &c, &opts, &result))) {
        fprintf(stderr, "classify: %s\n", kd_model_error(model));
        goto done;
    }
    if (!(json = kd_result_json(&c, &result))) { /* malloc'd; NULL only when out of memory */
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    printf("%s\n", json);
    printf("verdict: %s (spam_score %.3f)\n", kd_verdict_name(result.verdict), result.spam_score);
    status = 0;
done:
    free(json);
    kd_result_free(&result); /* also safe after a failed kd_classify */
    kd_model_close(model);   /* NULL is fine */
    kd_rules_free(rules);    /* after the last kd_classify that used it */
    return status;
}
