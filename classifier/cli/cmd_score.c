/*
 * cmd_score.c - `kindly score`: the Unix filter. CSV in, one verdict per row out, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void csv_out_header(kd_csv *r)
{
    size_t n;
    const char *const *h = kd_csv_header(r, &n);
    for (size_t i = 0; i < n; i++) {
        cli_csv_field(stdout, h[i]);
        fputc(',', stdout);
    }
    fputs("verdict,spam_score,bayes_score,reasons\r\n", stdout);
}

static void csv_out_row(const kd_csv_row *row, const kd_result *res)
{
    for (size_t i = 0; i < row->nfields; i++) {
        cli_csv_field(stdout, row->fields[i]);
        fputc(',', stdout);
    }
    printf("%s,%.6g,%.6g,", kd_verdict_name(res->verdict), res->spam_score, res->bayes_score);
    size_t len = 0;
    for (size_t i = 0; i < res->nreasons; i++)
        len += strlen(res->reasons[i]) + 1;
    char *joined = malloc(len + 1);
    if (joined) {
        joined[0] = '\0';
        for (size_t i = 0; i < res->nreasons; i++) {
            if (i)
                strcat(joined, ";");
            strcat(joined, res->reasons[i]);
        }
        cli_csv_field(stdout, joined);
        free(joined);
    }
    fputs("\r\n", stdout);
}

int cmd_score(int argc, char **argv)
{
    const char *model = NULL, *file = NULL;
    int csv = 0;
    kd_options o = KD_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = cli_parse_classify_flag("score", argc, argv, &i, &o);
        if (k < 0)
            return EXIT_USAGE;
        if (k)
            continue;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "csv"))
                csv = 1;
            else if (strcmp(f, "json") && strcmp(f, "jsonl"))
                return cli_usage("score", "--format takes 'json' or 'csv'");
        } else if (a[0] == '-' && a[1])
            return cli_usage("score", "unknown or incomplete option '%s'", a);
        else if (file)
            return cli_usage("score", "give one input file (or '-' for standard input)");
        else
            file = a;
    }
    if (o.ham_cutoff > o.spam_cutoff)
        return cli_usage("score", "--ham-cutoff must not be above --spam-cutoff");
    kd_model *m = cli_open_model("score", cli_model_path(model), KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    if (!m)
        return EXIT_MODEL;
    int status = EXIT_DONE;
    kd_csv *r = cli_open_csv("score", file ? file : "-", KD_CSV_COMMENTS, &status);
    if (!r) {
        kd_model_close(m);
        return status;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (csv)
        csv_out_header(r);
    const kd_csv_row *row;
    int rc;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        kd_result res;
        int crc = kd_classify(m, &row->comment, &o, &res);
        if (crc) {
            status = cli_fail(cli_exit_for(crc), "score", "line %lu: %s", row->line, kd_model_error(m));
            kd_result_free(&res);
            break;
        }
        if (csv)
            csv_out_row(row, &res);
        else {
            char *js = kd_result_json(&row->comment, &res);
            if (!js) {
                kd_result_free(&res);
                status = cli_fail(EXIT_INTERNAL, "score", "out of memory");
                break;
            }
            fputs(js, stdout);
            fputc('\n', stdout);
            free(js);
        }
        kd_result_free(&res);
    }
    if (rc < 0)
        status = cli_fail(cli_exit_for(rc), "score", "%s", kd_csv_error(r));
    else if (status == EXIT_DONE && kd_csv_skipped(r))
        status = EXIT_INPUT;
    if (fflush(stdout) != 0 && status == EXIT_DONE)
        status = cli_fail(EXIT_MODEL, "score", "cannot write the output");
    kd_csv_free(r);
    kd_model_close(m);
    return status;
}
