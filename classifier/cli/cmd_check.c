/*
 * cmd_check.c - `kindly check`: one comment on standard input, its verdict as the exit code.
 * Opens the model without preloading: a handful of indexed lookups beat loading every token
 * when the process lives for one comment.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "normalize.h"

#define NMETA 9 /* metadata flags */

/* Blank: nothing but ASCII white space (NUL bytes are spaces by now). */
static int blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return !*s;
}

/* A flag's value as valid UTF-8. A shell passes any bytes, and the id and post id are
 * echoed in the JSON and stored in the history, so each byte of an invalid sequence becomes
 * U+FFFD, with a warning naming the flag, as the CSV reader repairs a field. Returns v itself
 * when it is valid, else a repaired copy that *owned receives (NULL: out of memory). */
static const char *repaired(const char *flag, const char *v, char **owned)
{
    size_t n = strlen(v), bad;
    if (kd_utf8_valid(v, n, &bad))
        return v;
    fprintf(stderr, "kindly check: %s: invalid UTF-8 at byte %zu of the value, replaced by U+FFFD\n", flag, bad);
    kd_buf b = KD_BUF_INIT;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = kd_utf8_decode(v + i, n - i, &cp);
        kd_buf_add(&b, cp < 0 ? "\xEF\xBF\xBD" : v + i, cp < 0 ? 3 : k);
        i += k;
    }
    return *owned = kd_buf_detach(&b);
}

static int check(int argc, char **argv, char *owned[NMETA]);

int cmd_check(int argc, char **argv)
{
    char *owned[NMETA] = { NULL };
    int status = check(argc, argv, owned);
    for (int i = 0; i < NMETA; i++)
        free(owned[i]);
    return status;
}

/* cmd_check, with the repaired flag values in owned[] (freed by the caller). */
static int check(int argc, char **argv, char *owned[NMETA])
{
    const char *model = NULL;
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = KD_COMMENT_INIT;
    static const struct { const char *flag; size_t off; } meta[] = {
        { "--author", offsetof(kd_comment, author) }, { "--email", offsetof(kd_comment, email) },
        { "--url", offsetof(kd_comment, url) },       { "--ip", offsetof(kd_comment, ip) },
        { "--post", offsetof(kd_comment, post_id) },  { "--id", offsetof(kd_comment, id) },
        { "--agent", offsetof(kd_comment, agent) },   { "--parent", offsetof(kd_comment, parent) },
        { "--date", offsetof(kd_comment, date) },
    };
    _Static_assert(sizeof meta / sizeof *meta == NMETA, "one owned[] slot per flag");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = cli_parse_classify_flag("check", argc, argv, &i, &o);
        if (k < 0)
            return EXIT_USAGE;
        if (k)
            continue;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc) {
            model = argv[++i];
            continue;
        }
        size_t j;
        for (j = 0; j < sizeof meta / sizeof *meta; j++)
            if (!strcmp(a, meta[j].flag) && i + 1 < argc) {
                *(const char **)((char *)&c + meta[j].off) = argv[++i];
                break;
            }
        if (j == sizeof meta / sizeof *meta)
            return cli_usage("check", "unknown or incomplete option '%s' (the comment is read from standard input)", a);
    }
    for (size_t j = 0; j < NMETA; j++) {
        const char **v = (const char **)((char *)&c + meta[j].off);
        if (*v && !(*v = repaired(meta[j].flag, *v, &owned[j])))
            return cli_fail(EXIT_INTERNAL, "check", "out of memory");
    }
    if (o.ham_cutoff > o.spam_cutoff)
        return cli_usage("check", "--ham-cutoff must not be above --spam-cutoff");
    int rs;
    char *text = cli_read_comment("check", &rs);
    if (!text)
        return rs;
    /* Still classified: the metadata (author, URL, agent) can make an empty comment spam, and
     * a caller that sends every submission wants its verdict. But an empty standard input is
     * more often a mistake of the caller than a comment, so say so. */
    if (blank(text))
        fprintf(stderr, "kindly check: the comment is empty\n");
    c.text = text;
    int status;
    kd_rules *rules = cli_load_rules("check", &status, 0);
    if (status) {
        free(text);
        return status;
    }
    o.rules = rules;
    kd_model *m = cli_open_model_for("check", model, o.remember, 0, NULL, &status);
    if (!m) {
        kd_rules_free(rules);
        free(text);
        return status;
    }
    kd_result res;
    int rc = kd_classify(m, &c, &o, &res);
    if (rc)
        status = cli_fail(cli_exit_for(rc) == EXIT_DONE ? EXIT_INTERNAL : cli_exit_for(rc), "check", "%s",
                          kd_model_error(m));
    else {
        char *js = kd_result_json(&c, &res);
        if (js) {
            puts(js);
            free(js);
            status = (int)res.verdict;
        } else
            status = cli_fail(EXIT_INTERNAL, "check", "out of memory");
    }
    kd_result_free(&res);
    kd_model_close(m);
    kd_rules_free(rules);
    free(text);
    return status;
}
