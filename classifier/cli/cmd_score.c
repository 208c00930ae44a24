/*
 * cmd_score.c - `kindly score`: the Unix filter. CSV in, one verdict per row out, in order.
 *
 * Read from a regular file, the output is fully buffered and remembered comments are
 * committed in batches (dedup.c): that is the throughput of a bulk run. Read from a pipe, a
 * terminal or a socket, the input may pause for as long as its writer likes, so before each
 * read that may wait (the CSV reader's before_read hook: also in the middle of a row) the
 * pending history writes are committed (the server and `kindly learn`
 * must not wait on the model's write lock while this process idles) and the verdicts written
 * so far are flushed (a co-process that writes a row and then reads its verdict would
 * otherwise wait forever). Writing the verdicts may wait too (a pipe to a slow reader): with
 * --remember, standard output is written through out_write(), which commits the pending
 * history writes before each write(2), so that the write lock is never held while blocked.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "combine.h"
#include "json.h"
#include "normalize.h"

/* How the input arrives. */
typedef struct input {
    int may_pause; /* not a regular file: a read may wait for the writer */
    int fd;        /* a descriptor of the same input to poll, or -1 when this process has none
                      (a named pipe, which the reader opens itself) */
} input;

static input input_of(const char *path)
{
    input in = { 1, cli_path_fd(path) };
    struct stat st;
    if ((in.fd >= 0 ? fstat(in.fd, &st) : stat(path, &st)) == 0 && S_ISREG(st.st_mode))
        in.may_pause = 0;
    return in;
}

/* Whether the reader's next read may wait: nothing is ready on the input (or there is no
 * descriptor to ask). The reader may still hold rows it read earlier; then the caller only
 * hands over a little earlier than it had to. */
static int may_wait(const input *in)
{
    if (!in->may_pause)
        return 0;
    if (in->fd < 0)
        return 1;
    struct pollfd p = { .fd = in->fd, .events = POLLIN };
    return poll(&p, 1, 0) <= 0;
}

/* What the reader's before_read hook needs. */
typedef struct waiting {
    input in;
    kd_model *m; /* NULL until the model is open */
    int remember;
    int status;  /* EXIT_DONE, or the failure of a hand-over: the loop stops on it */
    const char *shown;  /* the input as messages name it (cli_shown: "<stdin>" for "-") */
    unsigned long line; /* the input line of the comment being scored (0: none yet) */
} waiting;

/* A failure at the comment of w->line, or before any (line 0): the run stops, said once as
 * "FILE:LINE: why", as every other message about a row is (cli_csv_problem); returns the
 * exit status. */
static int row_failed(const waiting *w, int code, const char *why)
{
    if (!w->line)
        return cli_fail(code, "score", "%s", why);
    return cli_fail(code, "score", "%s:%lu: %s", w->shown, w->line, why);
}

/* A commit before a hand-over or a write of verdicts failed: the run stops (w->status),
 * said once with the line it stopped at, as a failure while recording a comment is. */
static void hand_over_failed(waiting *w, int rc)
{
    w->status = row_failed(w, cli_exit_for(rc), kd_model_error(w->m));
}

/* Before a read that may wait (kd_csv_options.before_read: also in the middle of a row):
 * commit the remembered comments first (a consumer that acts on a verdict finds its
 * comment in the history), then flush the verdicts. A write error stays in ferror(stdout)
 * and is reported at exit (cli_finish). */
static void hand_over(void *ud)
{
    waiting *w = ud;
    int rc;
    if (!w->m || w->status != EXIT_DONE || !may_wait(&w->in))
        return;
    if ((rc = kd_history_flush(w->m)) || (rc = kd_history_batch_begin(w->m))) {
        hand_over_failed(w, rc);
        return;
    }
    fflush(stdout);
}

/* stdout's write function with --remember (fopencookie): the buffered verdicts go out only
 * once the remembered comments are committed. A commit that fails stops the run (w->status);
 * the verdicts scored go out all the same. */
static ssize_t out_write(void *ud, const char *buf, size_t n)
{
    waiting *w = ud;
    int rc;
    if (w->m && w->status == EXIT_DONE && ((rc = kd_history_flush(w->m)) || (rc = kd_history_batch_begin(w->m))))
        hand_over_failed(w, rc); /* these verdicts still go out, as those of a run stopped
                                     while recording a comment do: the message says which
                                     comments the history holds */
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(STDOUT_FILENO, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)k;
    }
    return (ssize_t)done;
}

/* kindly's own columns in --format csv, after the input's. */
static const char *const out_cols[] = { "verdict", "spam_score", "bayes_score", "rules", "duplicate_of",
                                        "similarity", "duplicate_scope", "relevance", "generic", "reasons" };
#define N_OUT_COLS (sizeof out_cols / sizeof *out_cols)

/* The input's columns that are copied to the output: all but those named like one of
 * kindly's own (an earlier run's output scored again), which this run's values replace,
 * so that the output never holds two columns of one name. Returns the mask (1 = copy),
 * NULL when out of memory; says on stderr which columns are replaced, as the input spells
 * them (VERDICT, not verdict), each spelling once. */
static unsigned char *csv_out_header(kd_csv *r, int sheet)
{
    size_t n;
    const char *const *h = kd_csv_header(r, &n);
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy)
        return NULL;
    char replaced[256] = "";
    for (size_t i = 0; i < n; i++) {
        copy[i] = 1;
        for (size_t k = 0; k < N_OUT_COLS && copy[i]; k++)
            copy[i] = strcasecmp(h[i], out_cols[k]) != 0;
        int named = 0; /* a spelling the input repeats is named once */
        for (size_t j = 0; j < i && !copy[i] && !named; j++)
            named = !copy[j] && !strcmp(h[j], h[i]);
        if (!copy[i] && !named && strlen(replaced) + strlen(h[i]) + 3 < sizeof replaced)
            strcat(strcat(replaced, *replaced ? ", " : ""), h[i]);
        if (copy[i]) {
            cli_csv_field(stdout, h[i], sheet);
            fputc(',', stdout);
        }
    }
    for (size_t k = 0; k < N_OUT_COLS; k++)
        printf("%s%s", out_cols[k], k + 1 < N_OUT_COLS ? "," : "\r\n");
    if (*replaced) /* one column, or several (their names joined by ", ") */
        fprintf(stderr, "kindly score: the input's %s %s %s kindly's own: this run's values replace %s\n",
                strchr(replaced, ',') ? "columns" : "column", replaced, strchr(replaced, ',') ? "are" : "is",
                strchr(replaced, ',') ? "them" : "it");
    return copy;
}

/* A list of names as one CSV field, joined by ';' (word-list entries may hold any
 * character, hence quoted as needed), repaired to valid UTF-8 when repair is set (a reason
 * naming a history id that is not). 0, or -1 when out of memory. */
static int csv_out_list(const char *const *items, size_t n, int sheet, int repair)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *joined = malloc(len);
    if (!joined)
        return -1;
    joined[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(joined, ";");
        strcat(joined, items[i]);
    }
    (repair ? cli_csv_field_repaired : cli_csv_field)(stdout, joined, sheet);
    free(joined);
    return 0;
}

/* Write num's contents to stdout and empty it: -1 when an append to it ran out of memory. */
static int put_num(kd_buf *num)
{
    if (num->oom)
        return -1;
    fwrite(num->s, 1, num->len, stdout);
    kd_buf_clear(num);
    return 0;
}

/* One output row: the copied input columns, then kindly's; num is room for its figures,
 * written as printf's %.6f and %.4f by kd_buf_decimal (exact, a tenth of printf's cost). 0, or
 * -1 when out of memory. */
static int csv_out_row(const kd_csv_row *row, const unsigned char *copy, const kd_result *res, int sheet,
                       kd_buf *num)
{
    for (size_t i = 0; i < row->nfields; i++)
        if (copy[i]) {
            cli_csv_field(stdout, row->fields[i], sheet);
            fputc(',', stdout);
        }
    /* fixed notation, as in the JSON: a spreadsheet reads 7.09355e-05 as text in some locales */
    kd_buf_puts(num, kd_verdict_name(res->verdict)); /* "%s,%.6f,%.6f," */
    kd_buf_putc(num, ',');
    kd_buf_decimal(num, res->spam_score, 6, 0);
    kd_buf_putc(num, ',');
    kd_buf_decimal(num, res->bayes_score, 6, 0);
    kd_buf_putc(num, ',');
    if (put_num(num))
        return -1;
    if (res->nrules) {
        const char **names = malloc(res->nrules * sizeof *names);
        if (!names)
            return -1;
        for (size_t i = 0; i < res->nrules; i++)
            names[i] = res->rules[i].name;
        int rc = csv_out_list(names, res->nrules, sheet, 0);
        free(names);
        if (rc)
            return -1;
    }
    fputc(',', stdout);
    /* an id read back from the history may hold bytes that are not UTF-8 (recorded by a
     * library caller, or by a build before check repaired its --id); of the reasons, only the
     * one naming it can */
    int repair = res->duplicate_of && !kd_utf8_valid(res->duplicate_of, strlen(res->duplicate_of), NULL);
    (repair ? cli_csv_field_repaired : cli_csv_field)(stdout, res->duplicate_of, sheet);
    if (res->duplicate_of) { /* empty, like duplicate_of, when there is none: ",%.4f,%s," */
        kd_buf_putc(num, ',');
        kd_buf_decimal(num, res->similarity, 4, 0);
        kd_buf_putc(num, ',');
        kd_buf_puts(num, res->duplicate_scope ? res->duplicate_scope : "");
        kd_buf_putc(num, ',');
    } else
        kd_buf_puts(num, ",,,");
    if (res->relevance >= 0)
        kd_buf_decimal(num, res->relevance, 4, 0);
    kd_buf_puts(num, res->generic ? ",true," : ",false,");
    if (put_num(num))
        return -1;
    if (res->nreasons && csv_out_list((const char *const *)res->reasons, res->nreasons, sheet, repair))
        return -1;
    fputs("\r\n", stdout);
    return 0;
}

int cmd_score(int argc, char **argv)
{
    const char *model = NULL, *file = NULL;
    int csv = 0, expl = 0, sheet = 0, after = 0;
    kd_options o = KD_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op && file)
            return cli_one_input("score", file, a);
        if (op) {
            file = a;
            continue;
        }
        int k = cli_parse_classify_flag("score", argc, argv, &i, &o);
        if (k < 0)
            return EXIT_USAGE;
        if (k)
            continue;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(a, "--explain"))
            expl = 1;
        else if (!strcmp(a, "--spreadsheet"))
            sheet = 1;
        else if (!strcmp(a, "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "csv") && strcmp(f, "json") && strcmp(f, "jsonl"))
                return cli_bad_value("score", "--format", f, "'json' or 'csv'");
            csv = !strcmp(f, "csv"); /* given twice, the last wins */
        } else
            return cli_bad_option("score", a, i + 1 == argc, "");
    }
    if (cli_check_classify_flags("score", &o))
        return EXIT_USAGE;
    if (expl && csv)
        return cli_usage("score", "--explain writes text for people: use it without --format csv");
    if (sheet && !csv)
        return cli_usage("score", "--spreadsheet is for --format csv");
    int status = EXIT_DONE;
    kd_rules *rules = cli_load_rules("score", &status, 1);
    if (status)
        return status;
    o.rules = rules;
    /* --remember records every comment in the model's history: writable, batched */
    const char *mpath = NULL;
    kd_model *m = cli_open_model_for("score", model, o.remember, KD_OPEN_PRELOAD, &mpath, &status);
    if (!m) {
        kd_rules_free(rules);
        return status;
    }
    cli_warn_untrained("score", m, mpath);
    if (!file)
        file = "-";
    static waiting w; /* static: stdout may write through it (out_write) until exit */
    w = (waiting){ .in = input_of(file), .remember = o.remember, .status = EXIT_DONE, .shown = cli_shown(file) };
    /* labels_ignored: score does not read labels, so one it does not know is no warning */
    kd_csv *r = cli_open_csv_hooked("score", file, KD_CSV_COMMENTS, 1, hand_over, &w, &status);
    if (!r) {
        kd_model_close(m);
        kd_rules_free(rules);
        return status;
    }
    if (o.remember)
        cli_warn_line_ids("score", file, r, 1);
    /* batched: remembered comments are committed, and lookups read, in groups (dedup.c) */
    int rc = o.dup_threshold >= 0 ? kd_history_batch_begin(m) : KD_OK;
    if (rc) {
        status = cli_fail(cli_exit_for(rc), "score", "%s", kd_model_error(m));
        rc = 0;
    }
    static char outbuf[1 << 16];
    if (o.remember) {
        /* 1 MiB: a commit per flush, about as often as the history batch commits anyway */
        static char bigbuf[1 << 20];
        cookie_io_functions_t io = { .write = out_write };
        FILE *f = fflush(stdout) == 0 ? fopencookie(&w, "w", io) : NULL;
        if (f) {
            setvbuf(f, bigbuf, _IOFBF, sizeof bigbuf);
            stdout = f;
        } else {
            setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
        }
    } else {
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    }
    unsigned char *copy = NULL;
    kd_buf line = KD_BUF_INIT; /* a JSON line, a CSV row's figures: built, then written */
    if (csv && !expl && !(copy = csv_out_header(r, sheet)))
        status = cli_fail(EXIT_INTERNAL, "score", "out of memory");
    w.m = m;
    unsigned long ndates = 0; /* remembered with an unreadable date (named as FILE:LINE) */
    cli_unknown_posts unknown = { 0 }; /* comments naming a post the model does not hold */
    const kd_csv_row *row;
    unsigned long nrows = 0; /* rows read (a bad row skipped is counted by the reader) */
    while (status == EXIT_DONE) {
        rc = kd_csv_next(r, &row);
        if ((status = w.status) || rc != 1)
            break;
        nrows++;
        w.line = row->line;
        kd_comment local;
        char date[128];
        const kd_comment *c = cli_row_comment(r, row, &local, date, sizeof date); /* rules see it so too */
        if (o.remember)
            ndates += (unsigned long)cli_note_date(r, row);
        kd_result res;
        int crc = kd_classify(m, c, &o, &res);
        if (crc) {
            status = row_failed(&w, cli_exit_for(crc), kd_model_error(m));
            kd_result_free(&res);
            break;
        }
        cli_note_post(&unknown, c, &res, row->line);
        if (expl)
            cli_explain(c, &res, rules, o.offtopic_threshold);
        else if (csv && csv_out_row(row, copy, &res, sheet, &line)) {
            kd_result_free(&res);
            status = row_failed(&w, EXIT_INTERNAL, "out of memory");
            break;
        }
        else if (!csv) {
            if (kd_result_json_buf(&line, &row->comment, &res) || kd_buf_putc(&line, '\n')) {
                kd_result_free(&res);
                status = row_failed(&w, EXIT_INTERNAL, "out of memory");
                break;
            }
            fwrite(line.s, 1, line.len, stdout);
            kd_buf_clear(&line);
        }
        kd_result_free(&res);
        if (cli_stdout_failed()) /* the output failed (a full disk, a closed pipe): stop now, not
                             * after the whole input (cli_finish reports it, exit status 5) */
            break;
    }
    if (rc < 0)
        status = cli_fail(cli_exit_for(rc), "score", "%s", kd_csv_error(r));
    else if (status == EXIT_DONE && kd_csv_skipped(r))
        status = EXIT_INPUT;
    if (fflush(stdout)) /* before the model closes: out_write commits through it */
        cli_stdout_failed();
    if (w.status && status == EXIT_DONE)
        status = w.status;
    if ((rc = kd_history_flush(m)) && o.remember && (status == EXIT_DONE || status == EXIT_INPUT))
        status = cli_fail(cli_exit_for(rc), "score", "%s", kd_model_error(m));
    cli_warn_dates("score", ndates);
    cli_warn_unknown_posts("score", m, mpath, &unknown);
    if (status == EXIT_DONE || status == EXIT_INPUT) /* as train's: not after a fatal error */
        cli_warn_skipped("score", kd_csv_skipped(r));
    /* a file of only its header row: said, as train's and eval's are, but exit 0 (the output,
     * no line, is its right answer: an export of no new comment since the last run is no
     * mistake); a file of bad rows only has its own word above */
    if (status == EXIT_DONE && !nrows && !kd_csv_skipped(r))
        cli_fail(EXIT_DONE, "score", "no rows in %s: it has only its header row: nothing was scored",
                 cli_shown(file));
    w.m = NULL;
    free(copy);
    kd_buf_free(&line);
    kd_csv_free(r);
    kd_model_close(m);
    kd_rules_free(rules);
    return status;
}
