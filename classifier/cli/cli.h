/*
 * cli.h - what the command files of the kindly CLI share. The CLI is a thin front end: it
 * parses flags, reads files and prints; the work is done by libkindly through kindly.h.
 */
#ifndef KD_CLI_H
#define KD_CLI_H

#include <signal.h>
#include <stdio.h>

#include "kindly.h"

/* Exit codes, documented in the README and `kindly help`. check's verdicts are 0, 1, 2. */
enum {
    EXIT_DONE = 0,     /* success */
    EXIT_USAGE = 3,    /* bad flags or arguments */
    EXIT_INPUT = 4,    /* some input rows were bad and skipped; the others were processed */
    EXIT_MODEL = 5,    /* the model or an input file could not be opened, read or written */
    EXIT_INTERNAL = 6  /* out of memory or another internal failure */
};

/* The usage error of '-' named as a model (-m -, merge's OUT or IN): not standard input. */
#define CLI_DASH_MODEL "'-' is no model: a model is an SQLite file, not standard input (a file named - is ./-)"
/* SQLite's name for a database in memory: a model of nothing, whose learning is thrown away */
#define CLI_MEMORY_MODEL "':memory:' is no model: it is SQLite's in-memory database, empty at start and gone at " \
                         "exit, so nothing would be kept (a file named :memory: is ./:memory:)"

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;  /* one line for `kindly help` */
    const char *usage;    /* full help for `kindly help NAME` / `kindly NAME --help` */
} cli_command;

extern const cli_command cli_commands[];

/* The commands, one file each (cmd_NAME.c). */
int cmd_train(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_posts(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_history(int argc, char **argv);
/* --explain: res, the result of c, as readable lines on stdout (explain.c); rules are the
 * ones it was classified with (for their descriptions; NULL for none), threshold the
 * off-topic threshold it was held against. */
void cli_explain(const kd_comment *c, const kd_result *res, const kd_rules *rules, double threshold);
const cli_command *cli_find(const char *name);

/* Print "kindly NAME: message" to stderr, the message as one line: its control characters
 * (a comment id's newline, a rule name's ESC) as escapes (cli_line); return code. */
int cli_fail(int code, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s as one line of text for the terminal (stderr, a command's text output): control
 * characters (C0, DEL, C1) as escapes (\n, \r, \t, \xNN, \u0085), the rest as is; b (its
 * contents replaced) holds it when it needed escaping. For comment and post ids, authors,
 * labels, rule names and descriptions: JSON and CSV output have their own quoting. */
struct kd_buf;
const char *cli_line(struct kd_buf *b, const char *s);
/* Usage error: message, then "try 'kindly help NAME'"; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the full help of a command to stdout; return 0. */
int cli_help(const char *cmd);

/* The exit code for a library error code. */
int cli_exit_for(int kd_code);
/* Whether standard output has failed (ferror), keeping the first failed write's errno for
 * cli_finish's message: call it right after writing or flushing. */
int cli_stdout_failed(void);
/* Every command's way out (main calls it with the command's status): flush standard output
 * and, when anything written to it was lost (a full disk, a closed pipe), say so and return
 * EXIT_MODEL instead of a lesser status; otherwise return status unchanged. */
int cli_finish(const char *cmd, int status);

/* The model path: -m, else $KINDLY_MODEL, else the shipped default model next to the
 * executable (models/default.db, or ../share/kindly/default.db when installed). */
const char *cli_model_path(const char *flag);
/* Whether path names the shipped default model (the file cli_model_path(NULL) finds beside
 * the executable), however it is spelt: a link, a relative path, $KINDLY_MODEL; compared by
 * device and inode. 0 when there is no shipped default model or nothing at path. */
int cli_is_default_model(const char *path);
/* Whether path (a link followed) is a regular file of no bytes (and no -wal content): no
 * model, which a command that opens it for writing without creating it must refuse, not turn
 * into an empty model. */
int cli_empty_model_file(const char *path);
/* Open the model, or print why not (naming the path) and return NULL. */
kd_model *cli_open_model(const char *cmd, const char *path, unsigned flags);
/* When m's open upgraded an older model (kd_model_upgraded_from), say so on stderr, with -q
 * too: the upgrade is one-way, and an older kindly refuses the file from then on. */
void cli_say_upgraded(const char *cmd, kd_model *m, const char *path);
/* For commands that write: EXIT_DONE, or, when path is the shipped default model
 * (cli_is_default_model), the usage error saying to copy it (EXIT_USAGE). */
int cli_refuse_default(const char *cmd, const char *path);
/* The usage error of $KINDLY_MODEL=- or :memory: (as main.c refuses -m - and -m :memory:),
 * said, when path is the model cli_model_path took from it; else EXIT_DONE. For a command
 * that opens the model itself (serve): cli_open_model_for and cli_model_path_for_write call it. */
int cli_refuse_env_model(const char *cmd, const char *path);
/* For commands that write: the model must be named explicitly (flag or $KINDLY_MODEL), and
 * not be the shipped default (cli_refuse_default). NULL, said, when not. */
const char *cli_model_path_for_write(const char *cmd, const char *flag);
/* Open the model of -m (flag) read-only, or when write is set for writing, which needs it
 * named (cli_model_path_for_write: the shipped default model is never written); flags: more
 * KD_OPEN_* flags. *path (may be NULL) receives the path. On failure prints why, sets *status
 * (EXIT_USAGE or EXIT_MODEL) and returns NULL. */
kd_model *cli_open_model_for(const char *cmd, const char *flag, int write, unsigned flags, const char **path,
                             int *status);
/* Whether paths a and b name one file (a link, "./a.db" and "a.db"): device and inode, not
 * the spelling; "-" (standard input) is only itself. A file that does not exist is no other
 * file. */
int cli_same_file(const char *a, const char *b);
/* The same for input files, where "-" is standard input: the same file as a path that names
 * what standard input reads (`- a.csv < a.csv`), or another "-". */
int cli_same_input(const char *a, const char *b);
/* For commands that read each input once (train, posts): EXIT_DONE when no two of the n
 * files are the same input (cli_same_input), else the usage error naming both, "A and B are
 * the same file: WHY" ("its comments would be counted twice"). */
int cli_distinct_inputs(const char *cmd, const char *const *files, int n, const char *why);
/* For commands that read one input (score, learn): the usage error for a second one, naming
 * both, and saying to name a model with -m when one of them is an SQLite file; EXIT_USAGE. */
int cli_one_input(const char *cmd, const char *first, const char *second);
/* What m has not learnt ("no spam, so ..."), or NULL when it has learnt spam and ham. */
const char *cli_untrained(kd_model *m);
/* A model that has not learnt both spam and ham cannot tell them apart: warns on stderr. */
void cli_warn_untrained(const char *cmd, kd_model *m, const char *path);
/* Whether nothing is at path yet (the model a command is about to create); once the command
 * has put nothing in the model it created, removing it with a word on stderr (before closing
 * m), if it is still the file at path and holds nothing: another process may have written
 * into it meanwhile (kd_model_remove_if_empty decides under the write lock). */
int cli_model_is_new(const char *path);
void cli_remove_if_empty(const char *cmd, kd_model *m, const char *path, const char *what);
/* Before a command creates a model: each of the n files ("-" aside) can be read and is no
 * directory. EXIT_DONE, or EXIT_MODEL with the file named on stderr as a comments file, or a
 * posts file for KD_CSV_RAW (EXIT_USAGE for an empty name, which the message says; silently
 * when cmd is NULL). */
int cli_files_readable(const char *cmd, kd_csv_kind kind, const char *const *files, int n);

/* Problem reporter for kd_csv: prints FILE:LINE: [field 'x':] message to stderr. */
void cli_csv_problem(void *ud, const kd_csv_problem *p);
/* Open a CSV reader with cli_csv_problem attached, which stops reading once cli_interrupted
 * is set (and then says nothing: the command reports the interruption). labels_ignored: the command does not
 * read labels (score), so warnings about unknown labels are not shown; CLI_LABELS_FORCED: it
 * gives every row its label itself (learn --spam), so warnings about which label column is
 * read (a duplicate label, CLASS beside label) are not shown either. On
 * failure, prints why (the reader's message names the file), sets *status (EXIT_MODEL when
 * the file cannot be read, EXIT_INPUT when its header is unusable) and returns NULL. */
#define CLI_LABELS_FORCED 2
kd_csv *cli_open_csv(const char *cmd, const char *path, kd_csv_kind kind, int labels_ignored, int *status);
/* The same, with kd_csv_options.before_read set (may be NULL). */
kd_csv *cli_open_csv_hooked(const char *cmd, const char *path, kd_csv_kind kind, int labels_ignored,
                            void (*before_read)(void *), void *ud, int *status);
/* Standard input is a terminal: say on stderr what is read from it ("reading WHAT from the
 * terminal" DETAIL) and how to end it, so that a command whose file was forgotten (or given
 * without '<') does not look hung. Nothing from a pipe or a file. */
void cli_hint_terminal(const char *cmd, const char *what, const char *detail);
/* How messages show a path: "-" is "<stdin>", as the CSV reader shows it. */
const char *cli_shown(const char *path);
/* Report that path has a header and no row; returns EXIT_INPUT. */
int cli_no_rows(const char *cmd, const char *path);
/* The values of the label column (label, CLASS or comment_approved) in rows that had no
 * label, the first few counted, for the message that says why a file taught nothing. */
typedef struct cli_labels_seen {
    char value[3][44];
    unsigned long count[3], others;
    int nvalues;
} cli_labels_seen;
void cli_labels_note(cli_labels_seen *s, const kd_csv *r, const kd_csv_row *row);
/* Why an unlabelled row of a WordPress export (a comment_approved column read as the label) is
 * so: 1 pending (comment_approved 0), 2 trash or post-trashed; 0 for any other row or file. */
int cli_wp_unlabelled(const kd_csv *r, const kd_csv_row *row);
/* Report that path has no labelled row (nothing to learn or measure), saying why: r has no
 * label column (its columns listed), or what its label column held (s) and what was
 * expected, or it has no row at all. Returns EXIT_INPUT. */
int cli_no_labelled_rows_in(const char *cmd, const char *path, const kd_csv *r, const cli_labels_seen *s);
/* A CSV file without an id column whose comments are remembered (--remember, learn): warns
 * that they are remembered under their line numbers; offer_check adds "(or use kindly check)". */
void cli_warn_line_ids(const char *cmd, const char *path, const kd_csv *r, int offer_check);
/* Whether r's header has an id column (id or comment_id, as the reader maps them); without
 * one, each row's id is its line number. */
int cli_csv_has_ids(const kd_csv *r);

/* A comment's date that is there but unreadable (kd_date_parse: KD_EPARSE), or more than a day
 * after the clock, is remembered as of now, which history --prune takes for new: said, never
 * silently. cli_note_date: warns of row's date as FILE:LINE: field 'COLUMN': ... ("unreadable
 * date '...'" or "date in the future '...'"; kd_csv_note, through cli_csv_problem) and
 * returns 1, else 0 (a good date, or none). cli_warn_date: the same for a --date flag's
 * value ("kindly CMD: --date: ..."). The row or comment is kept: the exit status is not
 * changed (as for a field whose invalid UTF-8 was repaired). cli_warn_dates: the summary
 * line "kindly CMD: N comments remembered as of now: ..." when n > 0. */
/* Comments that name a post the model does not hold (kd_result.post_unknown 1: a mistyped
 * id, a posts file of slugs and comments of numeric ids) are scored against the site, by
 * design, but the JSON does not say so: score and eval count them (cli_note_post, for each
 * comment scored; line 0 when the command does not know it) and say it once at the end, on
 * stderr (cli_warn_unknown_posts, which also frees u), when the model holds posts; without
 * any every comment is scored against the site, as documented. Nor for the shipped default
 * model (path, cli_is_default_model): its posts are the example blog's, never the user's,
 * and it is never written to. The exit status is not changed, as for the other warnings. */
typedef struct cli_unknown_posts {
    unsigned long n, of; /* comments that named an unknown post; comments scored */
    char *first;         /* the first one's post id (NULL when out of memory) */
    unsigned long line;  /* its input line (0: not known) */
} cli_unknown_posts;
void cli_note_post(cli_unknown_posts *u, const kd_comment *c, const kd_result *res, unsigned long line);
void cli_warn_unknown_posts(const char *cmd, kd_model *m, const char *path, cli_unknown_posts *u);
/* The same warning of one comment (check's --post), at once, on the same condition. */
void cli_warn_unknown_post(const char *cmd, kd_model *m, const char *path, const kd_comment *c, const kd_result *res);
int cli_note_date(kd_csv *r, const kd_csv_row *row);
int cli_warn_date(const char *cmd, const char *date);
void cli_warn_dates(const char *cmd, unsigned long n);

/* score's and eval's summary of the bad rows the reader skipped (each named on stderr as
 * FILE:LINE: ... (row skipped)), in train's and learn's words: "kindly CMD: N bad rows
 * skipped", when n > 0. */
void cli_warn_skipped(const char *cmd, unsigned long n);

/* The comment of row as kindly reads it, remembered or not (the rules on `date` see it so,
 * whether or not the command remembers): &row->comment, or, when its date comes from
 * WordPress's comment_date (the site's local time) without an offset, *copy with the date
 * given the local time zone's offset (TZ, as date(1) takes it), written in buf (size bytes). */
const kd_comment *cli_row_comment(const kd_csv *r, const kd_csv_row *row, kd_comment *copy, char *buf,
                                  size_t size);

/* Shared classification flags (--spam-cutoff, --ham-cutoff, --scorer, --rules FILE,
 * --no-rules, Bayes tuning): returns 1 if argv[*i]
 * was one of them (consuming its value), 0 if not, -1 on a bad value (already reported). */
int cli_parse_classify_flag(const char *cmd, int argc, char **argv, int *i, kd_options *o);
/* The classification flags that cannot go together, after parsing: EXIT_DONE, or a usage
 * error (reported). */
int cli_check_classify_flags(const char *cmd, const kd_options *o);
/* The part of it serve makes too: EXIT_DONE, or the usage error (reported) of a ham cut-off
 * above the spam cut-off, which says which of them was left at its default. */
int cli_check_cutoffs(const char *cmd, const kd_options *o);

/* The rule file: the flag's, else the shipped models/default.rules next to the executable
 * (or ../share/kindly/default.rules), else NULL (cli_load_rules then refuses to go on). */
const char *cli_rules_path(const char *flag);
/* Load the rules chosen by --rules FILE / --no-rules (parsed by cli_parse_classify_flag) or
 * the default. Returns NULL with *status 0 when there are none; on a missing or broken file
 * prints FILE:LINE:COLUMN: why, sets *status (EXIT_MODEL) and returns NULL. many: the
 * command will match many comments, so the patterns are JIT-compiled. */
kd_rules *cli_load_rules(const char *cmd, int *status, int many);
/* Why the rule file's compiled file (kindly rules --compile) was not used, on stderr with the
 * command that refreshes it; nothing when it was used or there is none. */
void cli_rules_note(const char *cmd, const kd_rules *r, const char *path);

/* Parse a finite number in [lo, hi] (never NaN or infinity); 0 on success. Both refuse a
 * blank before or after the number, a sign and (parse_uint) a value too large for its type:
 * the text must be all decimal digits, for a double with at most one '.' and a digit before
 * or after it ("0.5", ".5", "1."; never a hex number or an exponent). */
int cli_parse_double(const char *s, double lo, double hi, double *out);
int cli_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* The usage error for a flag's bad value: "kindly CMD: FLAG takes TAKES (got 'VALUE')",
 * "(got nothing)" for a missing one; EXIT_USAGE. */
int cli_bad_value(const char *cmd, const char *flag, const char *value, const char *takes);
/* After a prune (info --prune, train --prune) that removed tokens of a model that has learnt
 * the site's own comments: the warning that it dropped rare words of theirs, which the
 * relevance stage reads (the README says to prune before learning them). */
void cli_warn_pruned(const char *cmd, kd_model *m, const char *path, uint64_t removed);
/* A comment read from standard input (check, rules --test) that is empty to the spam stage
 * (nothing but blanks, invisible characters or punctuation): said on stderr; it is still
 * classified (its metadata may decide), but an empty input is more often the caller's
 * mistake than a comment. */
void cli_warn_empty_comment(const char *cmd, const char *text);
/* cli_bad_value for a count from 1, whose 0 a user may give meaning none or all: a 0 is
 * told what does that, "(got '0'): --keep-days 0 deletes all". */
int cli_bad_count(const char *cmd, const char *flag, const char *value, const char *takes, const char *if_zero);
/* Usage error for argument a that no option of cmd took: "option '-m' needs a value after it
 * (-m MODEL.db)" when it is the last argument and cmd's help shows a value after it, else
 * "unknown or incomplete option 'a'" and note; EXIT_USAGE. */
int cli_bad_option(const char *cmd, const char *a, int last, const char *note);

/* In a command's loop over its arguments: 1 when a is an operand (a file, '-' standard input,
 * an empty name), 0 when it is an option, -1 (skip it) for the "--" that ends the options:
 * main passes it on when an argument follows it, and every argument after it is an operand
 * whatever it looks like, a file named -x.csv, shown in messages as given. *after: 0 before
 * the first argument, set at "--". */
int cli_operand(const char *a, int *after);

/* Write s as a JSON string literal (quotes included; NULL as ""), valid UTF-8 with every
 * control character escaped (kd_buf_json_str). */
void cli_json_str(FILE *f, const char *s);

/* Write one CSV field (RFC 4180 quoting when needed); with spreadsheet set, a field that
 * begins with = + - @, a tab or a carriage return gets a ' in front (never run as a
 * formula). s is valid UTF-8: an input field (the CSV reader repaired it), a header name. */
void cli_csv_field(FILE *f, const char *s, int spreadsheet);

/* cli_csv_field of what may hold any bytes, written as valid UTF-8 (each byte of an invalid
 * sequence as U+FFFD): an id read back from the history (duplicate_of, and the reason naming
 * it), recorded by a library caller or by a build before check repaired its --id. Validating
 * every input field instead cost 1,800 instructions a row of sms.csv (2.9% of score). */
void cli_csv_field_repaired(FILE *f, const char *s, int spreadsheet);

/* Read all of a stream into a malloc'd NUL-terminated string; NULL on failure, and (errno
 * EINTR) once cli_interrupted is set: it is asked before each read. */
char *cli_read_all(FILE *f, size_t max, size_t *len);
/* The one comment on standard input (check, learn --raw, rules --test), at most
 * CLI_MAX_COMMENT bytes, NUL bytes read as spaces with a warning. NULL after a message naming
 * the cause (too long, a directory, out of memory), with *status its exit status; NULL
 * without a message when a signal caught by cli_catch_stop interrupted the read (the
 * command reports it). */
#define CLI_MAX_COMMENT ((size_t)16 << 20)
char *cli_read_comment(const char *cmd, int *status);
/* At start: descriptors 0, 1 and 2 that are closed are opened on /dev/null, so that no file
 * this process opens takes their place; a closed standard input is remembered, and reading
 * it (cli_read_comment, a CSV named "-") is then an error. */
void cli_guard_std_fds(void);
/* The descriptor this process already holds behind path: "-", /dev/stdin, /dev/fd/N or
 * /proc/self/fd/N (a shell's process substitution); else -1. */
int cli_path_fd(const char *path);
extern int cli_stdin_closed;

/* SIGINT, SIGTERM or SIGHUP received after cli_catch_stop() (0 before): the command stops at
 * its next row, writes nothing and cleans up, then cli_reraise() ends the process by that
 * signal. A CSV file opened with cli_open_csv stops being read at the signal, also while
 * the read waits on a terminal or a pipe (kd_csv_options.stop). The handler is reset when
 * it runs: a second signal ends the process at once. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_stop(void);
void cli_reraise(void);
/* "SIGINT", "SIGTERM" or "SIGHUP": the name of cli_interrupted's signal, for messages. */
const char *cli_signal_name(int sig);

/* The comment's metadata flags of check and learn --raw (--id, --post, --author, --email,
 * --url, --ip, --agent, --parent, --date): 1 when argv[*i] is one (its value consumed; an
 * empty one is the field not given, NULL, as the CSV reader gives an empty field). */
#define CLI_NMETA 9
int cli_parse_comment_flag(int argc, char **argv, int *i, kd_comment *c);
/* Their values as valid UTF-8: an invalid byte becomes U+FFFD, with a warning; repaired
 * copies go to owned[] (freed by the caller). -1: out of memory. */
int cli_repair_comment_flags(const char *cmd, kd_comment *c, char *owned[CLI_NMETA]);
/* A --ip that is no IPv4 or IPv6 address ("999.1.1.1", a host name), and an --email that
 * gives no domain ("notanemail", "bob@"), are said on stderr, naming the flag and the value:
 * the comment is read with them as given, as the server and a CSV file's columns take them
 * (an empty one is a field not given, said nothing), and the exit status is not changed. */
void cli_warn_comment_flags(const char *cmd, const kd_comment *c);

#endif
