/*
 * common.c - helpers shared by the CLI commands: model resolution, error reporting and the
 * mapping from library error codes to exit codes, all in one place.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "model.h"
#include "cli.h"
#include "normalize.h"
#include "tokenize.h"

/* "kindly CMD: message" on stderr, the message as one line (cli_line): a comment's id, a
 * label, a rule's name or a file's name quoted in it cannot print a second line or send a
 * terminal an escape sequence. */
__attribute__((format(printf, 2, 0))) static void say(const char *cmd, const char *fmt, va_list ap)
{
    kd_buf raw = KD_BUF_INIT, esc = KD_BUF_INIT;
    const char *msg = kd_buf_vprintf(&raw, fmt, ap) || !raw.s ? "?" : kd_buf_line(&esc, raw.s, raw.len);
    fprintf(stderr, "kindly %s: %s", cmd, msg);
    kd_buf_free(&raw);
    kd_buf_free(&esc);
}

int cli_fail(int code, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kindly help %s'.\n", cmd);
    return EXIT_USAGE;
}

const char *cli_line(struct kd_buf *b, const char *s)
{
    kd_buf_clear(b);
    b->oom = 0;
    return s ? kd_buf_line(b, s, strlen(s)) : "";
}

int cli_help(const char *cmd)
{
    const cli_command *c = cli_find(cmd);
    if (!c)
        return cli_usage("help", "no command '%s'", cmd);
    fputs(c->usage, stdout);
    /* a text longer than stdout's buffer is written at once, not at exit: its error's
     * reason is taken now, or cli_finish() would have none to give */
    cli_stdout_failed();
    return EXIT_DONE;
}

/* The errno of standard output's first failed write, taken when cli_stdout_failed() first
 * sees the error (right after the write): by exit, later calls have replaced errno. */
static int stdout_errno;

int cli_stdout_failed(void)
{
    if (!ferror(stdout))
        return 0;
    if (!stdout_errno)
        stdout_errno = errno;
    return 1;
}

int cli_finish(const char *cmd, int status)
{
    int err = fflush(stdout) ? errno : 0;
    if (stdout_errno)
        err = stdout_errno; /* the first failure's reason, not a later flush's */
    if (!err && !ferror(stdout))
        return status;
    /* the buffer may have failed earlier, in a flush made by a write that no
     * cli_stdout_failed() looked at: errno is gone then */
    if (err)
        cli_fail(EXIT_MODEL, cmd, "cannot write standard output: %s", strerror(err));
    else
        cli_fail(EXIT_MODEL, cmd, "cannot write standard output");
    return status > EXIT_MODEL ? status : EXIT_MODEL;
}

int cli_exit_for(int code)
{
    switch (code) {
    case KD_OK: return EXIT_DONE;
    case KD_EPARSE: return EXIT_INPUT;
    case KD_EINVAL: return EXIT_USAGE;
    case KD_EEXIST: return EXIT_USAGE; /* merge: an input the output holds already */
    case KD_ENOMEM: return EXIT_INTERNAL;
    default: return EXIT_MODEL;
    }
}

/* The default model's path: found beside the binary, or, when it is not, the first place
 * looked (beside the binary), so that opening it fails with a message that says so; never a
 * path relative to the working directory, whose models/default.db may be anything. */
static char default_model[PATH_MAX];

/* A shipped file (the default model or rules) beside the binary: models/NAME next to it (the
 * build tree), ../models/NAME, or ../share/kindly/NAME (an install). 1 with its path in out,
 * else 0 with the first of those paths in out (for a message). A file there that this user
 * may not read is found all the same: opening it says so ("Permission denied"), where
 * looking on would call it not installed. */
static int shipped(const char *name, char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        snprintf(out, n, "models/%s", name);
        return 0;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    static const char *const rel[] = { "/models/", "/../models/", "/../share/kindly/" };
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        int w = snprintf(out, n, "%s%s%s", exe, rel[i], name);
        if (w > 0 && (size_t)w < n && access(out, F_OK) == 0)
            return 1;
    }
    if (snprintf(out, n, "%s%s%s", exe, rel[0], name) < 0)
        *out = '\0';
    return 0;
}

/* the model path taken from $KINDLY_MODEL, if one was: a message about that model says so */
static const char *env_model;

const char *cli_model_path(const char *flag)
{
    if (flag)
        return flag;
    const char *env = getenv("KINDLY_MODEL");
    if (env && *env)
        return env_model = env;
    shipped("default.db", default_model, sizeof default_model);
    return default_model;
}

int cli_is_default_model(const char *path)
{
    char def[PATH_MAX];
    struct stat x, y;
    if (!path || !strcmp(path, "-") || !strcmp(path, ":memory:") || !shipped("default.db", def, sizeof def))
        return 0;
    return stat(path, &x) == 0 && stat(def, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int cli_refuse_default(const char *cmd, const char *path)
{
    if (!cli_is_default_model(path))
        return EXIT_DONE;
    return cli_usage(cmd, "%s is the shipped default model, which is never written to: copy it "
                          "(cp %s my.db) and name the copy", path, path);
}

int cli_refuse_env_model(const char *cmd, const char *p)
{
    if (p != env_model || (strcmp(p, "-") && strcmp(p, ":memory:")))
        return EXIT_DONE;
    return cli_usage(cmd, "$KINDLY_MODEL: %s", strcmp(p, "-") ? CLI_MEMORY_MODEL : CLI_DASH_MODEL);
}

const char *cli_model_path_for_write(const char *cmd, const char *flag)
{
    const char *env = getenv("KINDLY_MODEL");
    const char *p = flag ? flag : env && *env ? (env_model = env) : NULL;
    if (!p) {
        cli_usage(cmd, "name the model to write with -m MODEL.db (or set $KINDLY_MODEL); "
                       "the shipped default model is never written to");
        return NULL;
    }
    return cli_refuse_env_model(cmd, p) == EXIT_DONE && cli_refuse_default(cmd, p) == EXIT_DONE ? p : NULL;
}

/* Whether path is a regular file of no bytes whose -wal holds nothing either (a model just
 * created has its schema in the -wal until a checkpoint): no model at all. */
static int empty_file(const char *path)
{
    struct stat st, wal;
    char walp[PATH_MAX];
    return snprintf(walp, sizeof walp, "%s-wal", path) < (int)sizeof walp &&
           (lstat(walp, &wal) != 0 || wal.st_size == 0) && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           st.st_size == 0;
}

/* cli_empty_model_file: empty_file() of the file path names, a link followed (to the file SQLite would open, its
 * -wal beside that file): a link to an empty file is no model either */
int cli_empty_model_file(const char *path)
{
    char real[PATH_MAX];
    return empty_file(realpath(path, real) ? real : path);
}

/* The directory of path (up to its last '/') into dir, if it is one that does not exist: 1;
 * else 0 (no '/', it exists, or it is too long to say). */
static int missing_dir(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    struct stat st;
    if (!slash || slash == path || (size_t)(slash - path) >= size)
        return 0;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return stat(dir, &st) != 0 && errno == ENOENT;
}

kd_model *cli_open_model(const char *cmd, const char *path, unsigned flags)
{
    kd_model *m = NULL;
    int is_new = (flags & KD_OPEN_CREATE) && cli_model_is_new(path);
    int rc = kd_model_open(&m, path, flags);
    if (rc && is_new && empty_file(path)) {
        /* created, then its schema could not be written (a full disk): not left behind. Not
         * when its -wal holds something: another process created it meanwhile, and its
         * schema is in the log until a checkpoint */
        static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
        char p[PATH_MAX];
        for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++)
            if (snprintf(p, sizeof p, "%s%s", path, sfx[i]) < (int)sizeof p)
                unlink(p);
    }
    if (rc) {
        /* a command that reads a model: say which one writes it, or where the default is */
        int missing = *path && !(flags & KD_OPEN_CREATE) && access(path, F_OK) != 0 && errno == ENOENT;
        int from_env = env_model && path == env_model;
        char dir[PATH_MAX];
        if (missing && path == default_model)
            cli_fail(rc, cmd, "%s (no model named, and no default model beside the kindly binary "
                              "or in its ../share/kindly: give -m MODEL.db or set $KINDLY_MODEL)",
                     kd_model_error(m));
        else if (missing && missing_dir(path, dir, sizeof dir)) /* (train would not create it either) */
            cli_fail(rc, cmd, "%s (%sthere is no directory %s either: is the path right?)", kd_model_error(m),
                     from_env ? "named by $KINDLY_MODEL; " : "", cli_shown(dir));
        else if (missing)
            cli_fail(rc, cmd, "%s (%skindly train -m %s FILE.csv creates one)", kd_model_error(m),
                     from_env ? "named by $KINDLY_MODEL; " : "", path);
        else
            cli_fail(rc, cmd, "%s%s", kd_model_error(m), from_env ? " (named by $KINDLY_MODEL)" : "");
        kd_model_close(m);
        return NULL;
    }
    cli_say_upgraded(cmd, m, path);
    return m;
}

void cli_say_upgraded(const char *cmd, kd_model *m, const char *path)
{
    char note[512];
    if (kd_model_upgrade_note(m, path, note, sizeof note))
        fprintf(stderr, "kindly %s: %s\n", cmd, note);
}

kd_model *cli_open_model_for(const char *cmd, const char *flag, int write, unsigned flags, const char **path,
                             int *status)
{
    const char *p = write ? cli_model_path_for_write(cmd, flag) : cli_model_path(flag);
    if (!p || cli_refuse_env_model(cmd, p)) {
        *status = EXIT_USAGE;
        return NULL;
    }
    if (path)
        *path = p;
    if (write && !(flags & KD_OPEN_CREATE) && cli_empty_model_file(p)) {
        /* as reading it says: writing would make it an empty model (a copy cut short, pruned
         * or packed, then said to be fine) */
        *status = cli_fail(EXIT_MODEL, cmd, "%s is an empty file, not a trained kindly model%s", p,
                           env_model && p == env_model ? " (named by $KINDLY_MODEL)" : "");
        return NULL;
    }
    kd_model *m = cli_open_model(cmd, p, (write ? KD_OPEN_WRITE : KD_OPEN_READONLY) | flags);
    *status = m ? EXIT_DONE : EXIT_MODEL;
    return m;
}

/* Why the input at path cannot be read (errno), or 0; said on stderr with what it is (a
 * comments or posts file) when cmd is given. */
static int unreadable(const char *cmd, const char *path, kd_csv_kind kind)
{
    struct stat st;
    int err = access(path, R_OK) != 0 || stat(path, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err && cmd)
        cli_fail(EXIT_MODEL, cmd, "cannot open %s file %s: %s", kind == KD_CSV_RAW ? "posts" : "comments",
                 cli_shown(path), strerror(err));
    return err;
}

int cli_files_readable(const char *cmd, kd_csv_kind kind, const char *const *files, int n)
{
    int status = EXIT_DONE;
    for (int i = 0; i < n; i++) {
        if (!strcmp(files[i], "-"))
            continue;
        if (!*files[i]) /* the reader's message, before a model is created for nothing */
            return cmd ? cli_fail(EXIT_USAGE, cmd, "empty file name: name a CSV file, or '-' for standard input")
                       : EXIT_USAGE;
        /* every file that cannot be read is named, not the first alone: the user fixes them
         * all in one go */
        if (unreadable(cmd, files[i], kind))
            status = EXIT_MODEL;
    }
    return status;
}

int cli_same_file(const char *a, const char *b)
{
    struct stat x, y;
    if (!strcmp(a, "-") || !strcmp(b, "-"))
        return !strcmp(a, b);
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* "-" is standard input, the file it reads from (`train - a.csv < a.csv`) */
static int stat_input(const char *path, struct stat *st)
{
    return !strcmp(path, "-") ? fstat(STDIN_FILENO, st) : stat(path, st);
}

int cli_same_input(const char *a, const char *b)
{
    struct stat x, y;
    if (!strcmp(a, "-") && !strcmp(b, "-"))
        return 1;
    return stat_input(a, &x) == 0 && stat_input(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Whether path is an SQLite database, by its first 16 bytes (a model named where a CSV file
 * goes). */
static int is_sqlite(const char *path)
{
    char head[16];
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return n == (ssize_t)sizeof head && !memcmp(head, "SQLite format 3", sizeof head);
}

int cli_one_input(const char *cmd, const char *first, const char *second)
{
    const char *model = is_sqlite(first) ? first : is_sqlite(second) ? second : NULL;
    if (model)
        return cli_usage(cmd, "give one input file (or '-' for standard input), not '%s' and '%s' (%s is an "
                              "SQLite database: name a model with -m MODEL.db)", first, second, model);
    return cli_usage(cmd, "give one input file (or '-' for standard input), not '%s' and '%s'", first, second);
}

int cli_distinct_inputs(const char *cmd, const char *const *files, int n, const char *why)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (cli_same_input(files[i], files[j]))
                return cli_usage(cmd, "%s and %s are the same file: %s",
                                 strcmp(files[j], "-") ? files[j] : "- (standard input)",
                                 strcmp(files[i], "-") ? files[i] : "- (standard input)", why);
    return EXIT_DONE;
}

int cli_model_is_new(const char *path)
{
    /* nothing at all at path, not even a dangling symbolic link */
    struct stat st;
    return strcmp(path, ":memory:") && lstat(path, &st) != 0 && errno == ENOENT;
}

void cli_remove_if_empty(const char *cmd, kd_model *m, const char *path, const char *what)
{
    int removed = 0;
    if (kd_model_remove_if_empty(m, &removed))
        cli_fail(EXIT_DONE, cmd, "%s; %s was left in place: %s", what, cli_shown(path), kd_model_error(m));
    else if (removed)
        cli_fail(EXIT_DONE, cmd, "%s: %s was not created", what, cli_shown(path));
}

const char *cli_untrained(kd_model *m)
{
    kd_model_stats st;
    if (kd_model_stats_get(m, &st) || (st.spam_messages && st.ham_messages))
        return NULL;
    return !st.spam_messages && !st.ham_messages
               ? "no comments, so it cannot tell spam from ham (its Bayes score is 0.5, hold, for every comment)"
           : !st.spam_messages ? "no spam, so it approves spam that its rules do not catch"
                               : "no ham, so it takes genuine comments for spam";
}

void cli_warn_untrained(const char *cmd, kd_model *m, const char *path)
{
    const char *what = cli_untrained(m);
    if (what)
        cli_fail(EXIT_DONE, cmd, "warning: %s has learnt %s; train it on comments labelled spam and ham: "
                                 "kindly train -m %s FILE.csv",
                 cli_shown(path), what, cli_shown(path));
}

void cli_csv_problem(void *ud, const kd_csv_problem *p)
{
    (void)ud;
    kd_buf b = KD_BUF_INIT; /* the file's name as one line; the reader escapes the rest */
    fprintf(stderr, "%s:%lu: ", cli_line(&b, p->file), p->line);
    kd_buf_free(&b);
    if (p->field)
        fprintf(stderr, "field '%s': ", p->field);
    fprintf(stderr, "%s%s\n", p->message, p->skipped ? " (row skipped)" : "");
}

/* The problem reporter when the command does not read labels (score): a warning that a
 * row's label is unknown and the row "kept unlabelled" would not say what happens. */
static void csv_problem_label_ignored(void *ud, const kd_csv_problem *p)
{
    if (p->code != KD_CSV_UNKNOWN_LABEL)
        cli_csv_problem(ud, p);
}

/* The problem reporter when the command labels every row itself (learn --spam): no label
 * column is read, so neither is a warning about which one is (label twice, label beside
 * comment_approved: "column 2 is used"); the other columns' warnings stay. */
static void csv_problem_label_forced(void *ud, const kd_csv_problem *p)
{
    /* the label's names, as csv.c's aliases[] has them (C_LABEL, C_CLASS, C_APPROVED) */
    static const char *const label_columns[] = { "label", "class", "comment_approved" };
    if (p->code == KD_CSV_DUPLICATE_COLUMN && p->field)
        for (size_t i = 0; i < sizeof label_columns / sizeof label_columns[0]; i++)
            if (!strcasecmp(p->field, label_columns[i]))
                return;
    csv_problem_label_ignored(ud, p);
}

void cli_hint_terminal(const char *cmd, const char *what, const char *detail)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "kindly %s: reading %s from the terminal%s; end it with Ctrl-D on a line of its own\n", cmd, what, detail);
}

const char *cli_shown(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

/* kd_csv_options.stop: a command that caught SIGINT, SIGTERM or SIGHUP (cli_catch_stop) stops
 * reading at once, also when the read waits on a terminal or a pipe */
static int stop_asked(void *ud)
{
    (void)ud;
    return cli_interrupted != 0;
}

/* A file without a text column whose header is a sentence, not names: a comment as plain
 * text, given where the README's examples read it on standard input (learn --raw <
 * missed-spam.txt, check < comment.txt), or piped to score or learn. One column with a space in it is one; so is a first
 * line that a comma split ("Hello Ann, thanks for ..."), told from column names by a part of
 * three words or more. A header of one word is a CSV without a text column, and one holding
 * ';', a tab or '|' is named as otherwise separated. */
static int plain_text(const kd_csv *r, const char *path)
{
    size_t n = 0, i;
    const char *const *names = kd_csv_header(r, &n);
    int sentence = 0;
    if (!names || !n)
        return 0;
    for (i = 0; i < n; i++) {
        const char *sp = strchr(names[i], ' ');
        if (strpbrk(names[i], ";\t|"))
            return 0;
        if (sp && (n == 1 || strchr(sp + 1, ' ')))
            sentence = 1;
    }
    return sentence;
}

/* What a file refused for its columns is, when its header tells: a posts export given where
 * comments are read (wp post list, or kindly's post_id,title,text), or WordPress's comment
 * export without --fields (wp comment list leaves the text out then); "" when neither. */
static int looks_like_posts(const kd_csv *r)
{
    return kd_csv_column(r, "post_content") >= 0 || kd_csv_column(r, "post_title") >= 0 ||
           (kd_csv_column(r, "title") >= 0 && kd_csv_column(r, "post_id") >= 0 && kd_csv_column(r, "id") < 0);
}

/* looks_like_posts, for a file whose rows are read: without a column of a comment's own (an
 * id, comment_ID, comment_content), as a file of posts has none; a comments export joined
 * with its posts' post_title is comments */
static int posts_read_as_comments(const kd_csv *r)
{
    return looks_like_posts(r) && kd_csv_column(r, "id") < 0 && kd_csv_column(r, "comment_id") < 0 &&
           kd_csv_column(r, "comment_content") < 0;
}

static const char *posts_path(const char *path)
{
    return cli_path_fd(path) == STDIN_FILENO ? "- (reading standard input)" : cli_shown(path);
}

static const char *export_hint(const kd_csv *r, const char *path, char *buf, size_t size)
{
    if (looks_like_posts(r)) {
        snprintf(buf, size, "; it looks like a file of posts: posts are imported with kindly posts -m MODEL.db %s",
                 posts_path(path));
        return buf;
    }
    size_t n = 0;
    const char *const *names = kd_csv_header(r, &n);
    for (size_t i = 0; i < n; i++)
        if (!strncasecmp(names[i], "comment_", 8))
            return "; wp comment list writes the text only when --fields names it: wp comment list "
                   "--fields=comment_ID,comment_post_ID,comment_author,comment_author_email,comment_author_url,"
                   "comment_author_IP,comment_date_gmt,comment_content,comment_agent,comment_parent,"
                   "comment_approved --format=csv";
    return "";
}

kd_csv *cli_open_csv(const char *cmd, const char *path, kd_csv_kind kind, int labels_ignored, int *status)
{
    return cli_open_csv_hooked(cmd, path, kind, labels_ignored, NULL, NULL, status);
}

kd_csv *cli_open_csv_hooked(const char *cmd, const char *path, kd_csv_kind kind, int labels_ignored,
                            void (*before_read)(void *), void *ud, int *status)
{
    if (cli_stdin_closed && cli_path_fd(path) == STDIN_FILENO) {
        *status = cli_fail(EXIT_MODEL, cmd, "cannot read <stdin>: standard input is closed");
        return NULL;
    }
    if (*path && cli_path_fd(path) < 0 && unreadable(cmd, path, kind)) { /* named as what it is */
        *status = EXIT_MODEL;
        return NULL;
    }
    if (cli_path_fd(path) == STDIN_FILENO)
        cli_hint_terminal(cmd, "CSV", kind == KD_CSV_COMMENTS ? ", its header row first (id,text,...)"
                                                          : ", its header row first (post_id,title,text)");
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = kind;
    o.problem = labels_ignored == CLI_LABELS_FORCED ? csv_problem_label_forced
                : labels_ignored                     ? csv_problem_label_ignored
                                                     : cli_csv_problem;
    o.before_read = before_read;
    o.before_read_ud = ud;
    o.stop = stop_asked;
    kd_csv *r = NULL;
    int rc = kd_csv_open(&r, path, &o);
    if (rc) {
        /* the reader's messages name the file already; without a reader only the code is known;
         * an interruption is the command's to report */
        if (cli_interrupted)
            ;
        else if (r && rc == KD_ENOTFOUND && plain_text(r, path) && (!strcmp(cmd, "learn") || !strcmp(cmd, "score")))
            /* piped in (echo "..." | kindly score): the command that reads it so */
            cli_fail(rc, cmd, cli_path_fd(path) == STDIN_FILENO
                                  ? "%s; one comment as plain text is read by %s, as it is piped here%s"
                                  : "%s; one comment as plain text is read from standard input: %s < %s",
                     kd_csv_error(r), !strcmp(cmd, "learn") ? "kindly learn --raw --spam|--ham" : "kindly check",
                     cli_path_fd(path) == STDIN_FILENO ? "" : cli_shown(path));
        else if (r)
        {
            char buf[PATH_MAX + 128];
            cli_fail(rc, cmd, "%s%s", kd_csv_error(r),
                     rc == KD_ENOTFOUND && kind == KD_CSV_COMMENTS ? export_hint(r, path, buf, sizeof buf) : "");
        }
        else
            cli_fail(rc, cmd, "%s: %s", cli_shown(path), kd_strerror(rc));
        *status = rc == KD_EPARSE || rc == KD_ENOTFOUND ? EXIT_INPUT : cli_exit_for(rc);
        kd_csv_free(r);
        return NULL;
    }
    /* a file of posts read as comments (kindly's post_id,title,text has a text column): said
     * where every row is taken as a comment (score, learn --spam|--ham); where labels are read,
     * the rows' want of one says it (cli_no_labelled_rows_in) */
    if (kind == KD_CSV_COMMENTS && labels_ignored && posts_read_as_comments(r))
        cli_fail(EXIT_DONE, cmd, "warning: %s looks like a file of posts (a post's title, no comment's id): its rows "
                                 "are read as comments; posts are imported with kindly posts -m MODEL.db %s",
                 cli_shown(path), posts_path(path));
    return r;
}

int cli_csv_has_ids(const kd_csv *r) { return kd_csv_column(r, "id") >= 0 || kd_csv_column(r, "comment_id") >= 0; }

void cli_warn_line_ids(const char *cmd, const char *path, const kd_csv *r, int offer_check)
{
    if (cli_csv_has_ids(r))
        return;
    cli_fail(EXIT_DONE, cmd, "warning: %s has no id column: its comments are remembered under their line "
                             "numbers, so a comment of a later file on the same line with the same text will count "
                             "as this one, not as its duplicate; give the file an id column%s",
             cli_shown(path), offer_check ? " (or use kindly check)" : "");
}

int cli_no_rows(const char *cmd, const char *path)
{
    return cli_fail(EXIT_INPUT, cmd, "no rows in %s: it has only its header row", cli_shown(path));
}

/* The column a label is read from, as the reader chooses it (label, else CLASS, else
 * comment_approved), and which of the three it is; -1 when there is none. */
static int label_column(const kd_csv *r, int *which)
{
    static const char *const names[] = { "label", "CLASS", "comment_approved" };
    for (*which = 0; *which < 3; ++*which) {
        int c = kd_csv_column(r, names[*which]);
        if (c >= 0)
            return c;
    }
    return -1;
}

/* row's label field without the blanks around it, as the reader reads a label: *len bytes at
 * the pointer returned; NULL when r has no label column. *which as label_column's. */
static const char *label_field(const kd_csv *r, const kd_csv_row *row, int *which, size_t *len)
{
    int c = label_column(r, which);
    if (c < 0 || (size_t)c >= row->nfields)
        return NULL;
    const char *v = row->fields[c];
    size_t n = row->lens[c];
    for (; n && (*v == ' ' || *v == '\t'); n--)
        v++;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    *len = n;
    return v;
}

int cli_wp_unlabelled(const kd_csv *r, const kd_csv_row *row)
{
    int which;
    size_t len;
    const char *v = label_field(r, row, &which, &len);
    if (!v || which != 2)
        return 0;
    if (len == 1 && *v == '0')
        return 1;
    if ((len == 5 && !strncasecmp(v, "trash", 5)) || (len == 12 && !strncasecmp(v, "post-trashed", 12)))
        return 2;
    return 0;
}

void cli_labels_note(cli_labels_seen *s, const kd_csv *r, const kd_csv_row *row)
{
    int which;
    size_t len;
    const char *v = label_field(r, row, &which, &len);
    if (!v)
        return;
    size_t n = len < sizeof s->value[0] - 1 ? len : sizeof s->value[0] - 1;
    while (n < len && n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--; /* cut at a character */
    int i = 0;
    for (; i < s->nvalues; i++)
        if (strlen(s->value[i]) == n && !memcmp(s->value[i], v, n))
            break;
    if (i == s->nvalues && s->nvalues == (int)(sizeof s->value / sizeof *s->value)) {
        s->others++;
        return;
    }
    if (i == s->nvalues) {
        memcpy(s->value[i], v, n);
        s->value[i][n] = '\0';
        s->nvalues++;
    }
    s->count[i]++;
}

int cli_no_labelled_rows_in(const char *cmd, const char *path, const kd_csv *r, const cli_labels_seen *s)
{
    static const char *const expected[] = { "spam/ham, 1/0 or true/false", "1 (spam) or 0 (ham)",
                                            ("spam or 1 (approved): export the approved and the spam comments "
                                             "(wp comment list --status=approve, --status=spam)") };
    char what[512];
    size_t len = 0, nh = 0;
    int which, c = label_column(r, &which);
    /* learn labels every row with a flag (what its summary said of unlabelled rows) */
    const char *hint = strcmp(cmd, "learn") ? "" : "; give --spam or --ham to label every row";
    if (c < 0) {
        const char *const *names = kd_csv_header(r, &nh);
        size_t i = 0;
        for (; i < nh && len < sizeof what - 64; i++)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%s", i ? ", " : "", names[i]);
        if (i < nh || len >= sizeof what) { /* cut short at a character, not inside one */
            size_t cut = kd_utf8_cut(what, len < sizeof what - 8 ? len : sizeof what - 8);
            strcpy(what + cut, ", ...");
        }
        char buf[PATH_MAX + 128];
        const char *posts = posts_read_as_comments(r) ? export_hint(r, path, buf, sizeof buf) : "";
        return cli_fail(EXIT_INPUT, cmd, "no labelled rows in %s: it has no label, CLASS or comment_approved column "
                                         "(its columns: %s)%s", cli_shown(path), what,
                        !strncmp(posts, "; it looks like a file of posts", 31) ? posts : hint);
    }
    if (!s->nvalues && !kd_csv_skipped(r))
        return cli_no_rows(cmd, path);
    if (!s->nvalues)
        return cli_fail(EXIT_INPUT, cmd, "no labelled rows in %s: every row was skipped (named above)",
                        cli_shown(path));
    for (int i = 0; i < s->nvalues; i++)
        len += (size_t)snprintf(what + len, sizeof what - len, "%s%s (%lu row%s)", i ? ", " : "",
                                *s->value[i] ? s->value[i] : "nothing", s->count[i], s->count[i] == 1 ? "" : "s");
    if (s->others)
        snprintf(what + len, sizeof what - len, " and %lu row%s of other values", s->others, s->others == 1 ? "" : "s");
    return cli_fail(EXIT_INPUT, cmd, "no labelled rows in %s: its %s column holds %s, not %s%s", cli_shown(path),
                    kd_csv_header(r, &nh)[c], what, expected[which], hint);
}

/* The message for a date that is there but unreadable, or more than a day in the future
 * (kd_date_warning), in msg, or 0 when the date is good or absent. The caller's message is
 * made one line, escaped, by cli_fail or the CSV reader. */
static int date_problem(const char *date, char *msg, size_t size)
{
    char why[256];
    if (!kd_date_warning(date, (int64_t)time(NULL), "this machine's clock", why, sizeof why))
        return 0;
    snprintf(msg, size, "%s: remembered as of now", why);
    return 1;
}

/* WordPress writes comment_date in the site's time zone and comment_date_gmt in UTC; the
 * reader maps comment_date only when there is no date or comment_date_gmt column (or the
 * latter holds WordPress's zero date, 0000-00-00 00:00:00). Such a
 * date without an offset is read as a local time, in TZ's zone (as date(1) reads one): the
 * value with the offset mktime finds for it appended ("2024-01-15 12:00:00-05:00"). A value
 * that has an offset already, or is unreadable (named by cli_note_date), is left as it is. */
const kd_comment *cli_row_comment(const kd_csv *r, const kd_csv_row *row, kd_comment *copy, char *buf,
                                  size_t size)
{
    const char *d = row->comment.date;
    int col = d && *d ? kd_csv_column(r, "comment_date") : -1;
    int64_t t, check;
    if (col < 0 || (size_t)col >= row->nfields || row->fields[col] != d || strlen(d) + 8 > size ||
        kd_date_parse(d, &t))
        return &row->comment;
    snprintf(buf, size, "%s+00:00", d);
    if (kd_date_parse(buf, NULL)) /* it has an offset of its own: another one does not read */
        return &row->comment;
    time_t tt = (time_t)t, local;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return &row->comment;
    tm.tm_isdst = -1; /* the zone's rules say whether summer time applies */
    if ((local = mktime(&tm)) == (time_t)-1)
        return &row->comment;
    int64_t east = t - (int64_t)local, a = east < 0 ? -east : east; /* seconds east of UTC */
    snprintf(buf, size, "%s%c%02d:%02d", d, east < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
    if (kd_date_parse(buf, &check) || check != (int64_t)local) /* an offset of odd seconds (LMT) */
        return &row->comment;
    *copy = row->comment;
    copy->date = buf;
    return copy;
}

int cli_note_date(kd_csv *r, const kd_csv_row *row)
{
    char msg[320];
    if (!row || !date_problem(row->comment.date, msg, sizeof msg))
        return 0;
    /* the column it came from: date, comment_date_gmt or comment_date (the reader's choice) */
    const char *const *names = kd_csv_header(r, NULL), *column = NULL;
    for (size_t i = 0; names && i < row->nfields; i++)
        if (row->fields[i] == row->comment.date)
            column = names[i];
    kd_csv_note(r, row, column, msg);
    return 1;
}

int cli_warn_date(const char *cmd, const char *date)
{
    char msg[320];
    if (!date_problem(date, msg, sizeof msg))
        return 0;
    cli_fail(EXIT_DONE, cmd, "--date: %s", msg);
    return 1;
}

void cli_warn_dates(const char *cmd, unsigned long n)
{
    if (n)
        fprintf(stderr, "kindly %s: %lu comment%s remembered as of now: %s unreadable or in the future "
                        "(named above)\n", cmd, n, n == 1 ? "" : "s", n == 1 ? "its date is" : "their dates are");
}

void cli_warn_skipped(const char *cmd, unsigned long n)
{
    if (n)
        fprintf(stderr, "kindly %s: %lu bad row%s skipped\n", cmd, n, n == 1 ? "" : "s");
}

void cli_note_post(cli_unknown_posts *u, const kd_comment *c, const kd_result *res, unsigned long line)
{
    u->of++;
    if (res->post_unknown != 1)
        return;
    if (!u->n++) {
        u->first = strdup(c->post_id); /* (out of memory: the warning names none) */
        u->line = line;
    }
}

/* Whether a comment naming a post m does not hold is warned about: when m holds posts (without
 * any, every comment is scored against the site) and is not the shipped default model. */
static int warn_of_posts(kd_model *m, const char *path)
{
    uint64_t posts = 0;
    return !kd_posts_count(m, &posts) && posts && !cli_is_default_model(path);
}

void cli_warn_unknown_post(const char *cmd, kd_model *m, const char *path, const kd_comment *c, const kd_result *res)
{
    if (res->post_unknown == 1 && warn_of_posts(m, path)) {
        kd_buf b = KD_BUF_INIT;
        fprintf(stderr, "kindly %s: warning: the comment names a post this model does not hold ('%s'); it was scored "
                        "against the site: import the posts with kindly posts, or check that --post is the post's id\n",
                cmd, cli_line(&b, c->post_id));
        kd_buf_free(&b);
    }
}

void cli_warn_unknown_posts(const char *cmd, kd_model *m, const char *path, cli_unknown_posts *u)
{
    if (u->n && warn_of_posts(m, path)) {
        kd_buf b = KD_BUF_INIT;
        char line[32] = "";
        if (u->line)
            snprintf(line, sizeof line, ", line %lu", u->line);
        fprintf(stderr, "kindly %s: warning: %lu of %lu comment%s name%s a post this model does not hold", cmd, u->n,
                u->of, u->of == 1 ? "" : "s", u->n == 1 ? "s" : "");
        if (u->first)
            fprintf(stderr, " (first: '%s'%s)", cli_line(&b, u->first), line);
        fprintf(stderr, "; %s scored against the site: import the posts with kindly posts, or check that the "
                        "comments' post ids are the posts' ids\n", u->n == 1 ? "it was" : "they were");
        kd_buf_free(&b);
    }
    free(u->first);
    *u = (cli_unknown_posts){ 0 };
}

/* Every number a flag takes is written plainly: digits, for a double with at most one '.'
 * ("0.5", ".5", "1."), so a blank, a sign or a word ("nan", "inf") before it, a hex number
 * ("0x1p-1") or an exponent ("1e-3") is refused, as strtod and strtoul would skip or read
 * them; all the ranges are of numbers from 0 up, none needs an exponent. */
int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s)
        return -1;
    size_t digits = strspn(s, "0123456789"), n = digits;
    if (s[n] == '.') {
        size_t frac = strspn(s + n + 1, "0123456789");
        digits += frac;
        n += 1 + frac;
    }
    if (!digits || s[n])
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end); /* the C locale's '.': the CLI never calls setlocale */
    if (errno || end != s + n || !isfinite(v) || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The value a command's help shows after option a ("-m MODEL.db", "--folds K"), found at
 * its first mention followed by a space; 1 with it in out, 0 when the help never shows one
 * (the command does not take the option). */
static int help_value(const char *help, const char *a, char *out, size_t n)
{
    size_t len = strlen(a);
    for (const char *p = strstr(help, a); p; p = strstr(p + 1, a)) {
        if ((p > help && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) || p[len] != ' ')
            continue;
        const char *v = p + len + 1;
        size_t w = strcspn(v, " ],\n");
        if (!w || w >= n || v[0] == '-' || v[0] == '[')
            continue;
        memcpy(out, v, w);
        out[w] = '\0';
        return 1;
    }
    return 0;
}

/* Whether a command's help names option a[0..len) as its own: in the usage lines ("--prune"
 * in "[--prune [--keep N]]", before the first blank line) or in the list of options (a line
 * that begins with blanks and a '-': "      --remember  record ..."); not an option of
 * another command its prose names (history's "eval --remember"). */
static int help_names(const char *help, const char *a, size_t len)
{
    const char *synopsis_end = strstr(help, "\n\n");
    for (const char *p = strstr(help, a); p; p = strstr(p + 1, a)) {
        if ((p > help && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) || isalnum((unsigned char)p[len]) ||
            p[len] == '-' || p[len] == '=')
            continue;
        if (!synopsis_end || p < synopsis_end)
            return 1;
        const char *line = p;
        while (line > help && line[-1] != '\n')
            line--;
        if (*line == ' ' && line[strspn(line, " ")] == '-')
            return 1;
    }
    return 0;
}

int cli_bad_option(const char *cmd, const char *a, int last, const char *note)
{
    char value[64], flag[64];
    const cli_command *c = cli_find(cmd);
    const char *eq = strchr(a, '=');
    if (last && c && help_value(c->usage, a, value, sizeof value))
        return cli_usage(cmd, "option '%s' needs a value after it (%s %s)", a, a, value);
    /* --remember=yes: an option the command's help names, which takes no value (main.c
     * has split every "--opt=VALUE" of an option that takes one) */
    if (c && a[0] == '-' && a[1] == '-' && eq && (size_t)(eq - a) < sizeof flag) {
        memcpy(flag, a, (size_t)(eq - a));
        flag[eq - a] = '\0';
        if (help_names(c->usage, flag, (size_t)(eq - a)))
            return cli_usage(cmd, "option '%s' takes no value (got '%s')", flag, a);
    }
    /* --csv, --json: a value of --format given as a flag of its own (score, check) */
    if (c && !eq && a[0] == '-' && a[1] == '-' && a[2] && help_value(c->usage, "--format", value, sizeof value)) {
        size_t w = strlen(a + 2);
        for (const char *v = value; *v; v += strcspn(v, "|"), v += *v == '|')
            if (strcspn(v, "|") == w && !strncmp(v, a + 2, w))
                return v == value ? cli_usage(cmd, "unknown option '%s' (%s is the default output: leave it out; "
                                                   "--format chooses another)", a, a + 2)
                                  : cli_usage(cmd, "unknown option '%s' (the output is chosen by --format %s; the "
                                                   "default is --format %.*s)", a, a + 2, (int)strcspn(value, "|"), value);
    }
    /* a file whose name begins with '-' (kindly score -odd.csv): say how to name it */
    if (!*note && access(a, F_OK) == 0)
        return cli_usage(cmd, "unknown or incomplete option '%s' (to name the file '%s', put -- before it: "
                              "kindly %s -- %s)", a, a, cmd, a);
    return cli_usage(cmd, "unknown or incomplete option '%s'%s", a, note);
}

int cli_operand(const char *a, int *after)
{
    if (*after)
        return 1;
    if (!strcmp(a, "--"))
        return -(*after = 1);
    return a[0] != '-' || !a[1];
}

int cli_bad_value(const char *cmd, const char *flag, const char *value, const char *takes)
{
    if (!value)
        return cli_usage(cmd, "%s takes %s (got nothing)", flag, takes);
    return cli_usage(cmd, "%s takes %s (got '%s')", flag, takes, value);
}

/* Whether the comment is empty to the spam stage (kd_text_empty: blanks of any kind, a
 * no-break space, U+200B, "&nbsp;", a "<br>", lone punctuation): only ASCII blanks counted
 * before, and a form's "&nbsp;" or a lone U+00A0 went unwarned. A letter or digit outside any
 * entity or tag answers without tokenizing (almost every comment). */
void cli_warn_empty_comment(const char *cmd, const char *s)
{
    if (!strpbrk(s, "&<"))
        for (const char *p = s; *p; p++)
            if (isalnum((unsigned char)*p))
                return;
    if (kd_text_empty(s) == 1)
        fprintf(stderr, "kindly %s: the comment is empty (nothing but blanks, invisible characters or punctuation)\n",
                cmd);
}

void cli_warn_pruned(const char *cmd, kd_model *m, const char *path, uint64_t removed)
{
    /* pruning drops the site's rare words with the others' (the totals are of the counts
     * learnt, pruned or not), and the relevance stage reads them: said, as nothing else would */
    if (removed && kd_model_has_own_ham(m))
        cli_fail(EXIT_DONE, cmd, "warning: %s has learnt this site's own comments; pruning dropped rare words of "
                                 "them that relevance reads (%llu rare token%s pruned; prune before learning them: "
                                 "README, Comments of other sites)",
                 cli_shown(path), (unsigned long long)removed, removed == 1 ? "" : "s");
}

int cli_bad_count(const char *cmd, const char *flag, const char *value, const char *takes, const char *if_zero)
{
    unsigned long n;
    if (!cli_parse_uint(value, 0, 0, &n))
        return cli_usage(cmd, "%s takes %s (got '%s'): %s", flag, takes, value, if_zero);
    return cli_bad_value(cmd, flag, value, takes);
}

/* --rules FILE / --no-rules, as parsed by cli_parse_classify_flag (one command per process). */
static const char *rules_flag;
static int no_rules;
/* the first tuning flag of the fisher scorer given, for the warning when it is not used */
static const char *fisher_flag;
static char default_rules[PATH_MAX];

const char *cli_rules_path(const char *flag)
{
    if (flag)
        return flag;
    return shipped("default.rules", default_rules, sizeof default_rules) ? default_rules : NULL;
}

kd_rules *cli_load_rules(const char *cmd, int *status, int many)
{
    *status = EXIT_DONE;
    if (no_rules)
        return NULL;
    const char *path = cli_rules_path(rules_flag);
    if (!path) { /* not silently without rules: the verdicts would not be the documented ones */
        *status = cli_fail(EXIT_MODEL, cmd, "the default rules are not installed beside this binary (%s, "
                                            "../models/ or ../share/kindly/): give --rules FILE, or --no-rules",
                           default_rules);
        return NULL;
    }
    kd_rules *r = NULL;
    int rc = kd_rules_load(&r, path);
    if (rc) {
        *status = cli_fail(rc == KD_ENOMEM ? EXIT_INTERNAL : EXIT_MODEL, cmd, "%s", kd_rules_error(r));
        kd_rules_free(r);
        return NULL;
    }
    cli_rules_note(cmd, r, path);
    if (many)
        kd_rules_jit_compile(r);
    return r;
}

void cli_rules_note(const char *cmd, const kd_rules *r, const char *path)
{
    if (*kd_rules_note(r))
        cli_fail(EXIT_DONE, cmd, "note: %s (refresh it: kindly rules --compile %s)", kd_rules_note(r), path);
}

/* The cut-offs given (1: --spam-cutoff, 2: --ham-cutoff), for the message when they cross. */
static unsigned cutoffs_given;

int cli_check_cutoffs(const char *cmd, const kd_options *o)
{
    if (!(o->ham_cutoff > o->spam_cutoff))
        return EXIT_DONE;
    /* one given, across the other's default: --spam-cutoff 0.3 alone was told that
     * --ham-cutoff, which it never gave, must not be above it */
    if (!(cutoffs_given & 2))
        return cli_usage(cmd, "--ham-cutoff must not be above --spam-cutoff: --spam-cutoff %g is below --ham-cutoff's "
                              "default, %g; give a --ham-cutoff of at most %g too", o->spam_cutoff, o->ham_cutoff,
                         o->spam_cutoff);
    if (!(cutoffs_given & 1))
        return cli_usage(cmd, "--ham-cutoff must not be above --spam-cutoff: --ham-cutoff %g is above --spam-cutoff's "
                              "default, %g; give a --spam-cutoff of at least %g too", o->ham_cutoff, o->spam_cutoff,
                         o->ham_cutoff);
    return cli_usage(cmd, "--ham-cutoff must not be above --spam-cutoff (%g > %g)", o->ham_cutoff, o->spam_cutoff);
}

int cli_check_classify_flags(const char *cmd, const kd_options *o)
{
    if (cli_check_cutoffs(cmd, o))
        return EXIT_USAGE;
    /* the history is the duplicates stage's: skipped, it would record nothing */
    if (o->remember && o->dup_threshold < 0)
        return cli_usage(cmd, "--remember records comments for the duplicates stage: not with --dup-threshold off");
    if (fisher_flag && o->scorer != KD_SCORER_FISHER)
        fprintf(stderr, "kindly %s: warning: %s tunes --scorer fisher only; the multinomial scorer (the default) "
                        "ignores it\n", cmd, fisher_flag);
    return EXIT_DONE;
}

int cli_parse_classify_flag(const char *cmd, int argc, char **argv, int *i, kd_options *o)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--spam-cutoff") || !strcmp(a, "--ham-cutoff")) {
        double d;
        if (cli_parse_double(v, 0.0, 1.0, &d)) {
            cli_bad_value(cmd, a, v, "a number from 0 to 1");
            return -1;
        }
        if (a[2] == 's')
            o->spam_cutoff = d;
        else
            o->ham_cutoff = d;
        cutoffs_given |= a[2] == 's' ? 1u : 2u;
        ++*i;
        return 1;
    }
    static const struct { const char *flag; size_t off; double lo, hi; } tune[] = {
        { "--robinson-s", offsetof(kd_options, robinson_s), 0.0, 100.0 },
        { "--robinson-x", offsetof(kd_options, robinson_x), 0.0, 1.0 },
        { "--min-dev", offsetof(kd_options, min_dev), 0.0, 0.5 },
    };
    for (size_t j = 0; j < sizeof tune / sizeof *tune; j++) {
        if (strcmp(a, tune[j].flag))
            continue;
        double d;
        if (cli_parse_double(v, tune[j].lo, tune[j].hi, &d)) {
            char takes[64];
            snprintf(takes, sizeof takes, "a number from %g to %g", tune[j].lo, tune[j].hi);
            cli_bad_value(cmd, a, v, takes);
            return -1;
        }
        *(double *)((char *)o + tune[j].off) = d;
        if (!fisher_flag)
            fisher_flag = tune[j].flag;
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--max-tokens")) {
        unsigned long n;
        if (cli_parse_uint(v, 0, 100000, &n)) {
            cli_bad_value(cmd, a, v, "a count from 0 (all) to 100000");
            return -1;
        }
        o->max_tokens = (unsigned)n;
        if (!fisher_flag)
            fisher_flag = "--max-tokens";
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--rules")) {
        if (!v) {
            cli_usage(cmd, "--rules takes a rule file");
            return -1;
        }
        rules_flag = v;
        no_rules = 0;
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--no-rules")) {
        rules_flag = NULL;
        no_rules = 1;
        return 1;
    }
    if (!strcmp(a, "--offtopic-threshold")) {
        double d = -1.0; /* "off": the stage is skipped */
        if ((!v || strcmp(v, "off")) && cli_parse_double(v, 0.0, 1.0, &d)) {
            cli_bad_value(cmd, a, v, "a number from 0 (never hold) to 1, or 'off'");
            return -1;
        }
        o->offtopic_threshold = d;
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--remember")) {
        o->remember = 1;
        return 1;
    }
    if (!strcmp(a, "--dup-threshold")) {
        if (v && !strcmp(v, "off"))
            o->dup_threshold = -1.0; /* skip the duplicates stage */
        else if (cli_parse_double(v, 0.01, 1.0, &o->dup_threshold)) {
            cli_bad_value(cmd, a, v, "a similarity from 0.01 to 1, or 'off'");
            return -1;
        }
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--dup-verdict")) {
        if (v && !strcmp(v, "hold"))
            o->dup_verdict = KD_HOLD;
        else if (v && !strcmp(v, "spam"))
            o->dup_verdict = KD_VERDICT_SPAM;
        else if (v && !strcmp(v, "approve"))
            o->dup_verdict = KD_APPROVE;
        else {
            cli_bad_value(cmd, a, v, "'hold', 'spam' or 'approve'");
            return -1;
        }
        ++*i;
        return 1;
    }
    if (!strcmp(a, "--scorer")) {
        if (v && !strcmp(v, "fisher"))
            o->scorer = KD_SCORER_FISHER;
        else if (v && !strcmp(v, "multinomial"))
            o->scorer = KD_SCORER_MULTINOMIAL;
        else {
            cli_bad_value(cmd, a, v, "'fisher' or 'multinomial'");
            return -1;
        }
        ++*i;
        return 1;
    }
    return 0;
}

void cli_json_str(FILE *f, const char *s)
{
    kd_buf b = KD_BUF_INIT;
    if (kd_buf_json_str(&b, s ? s : ""))
        fputs("\"\"", f); /* out of memory: an empty string keeps the JSON valid */
    else
        fwrite(b.s, 1, b.len, f);
    kd_buf_free(&b);
}

/* s[0..n) appended to b with each byte of an invalid UTF-8 sequence as U+FFFD, as the CSV
 * reader and the JSON writer repair one. */
static void utf8_repair(kd_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = kd_utf8_decode(s + i, n - i, &cp);
        kd_buf_add(b, cp < 0 ? "\xEF\xBF\xBD" : s + i, cp < 0 ? 3 : k);
        i += k;
    }
}

void cli_csv_field_repaired(FILE *f, const char *s, int spreadsheet)
{
    if (s && !kd_utf8_valid(s, strlen(s), NULL)) {
        kd_buf b = KD_BUF_INIT;
        utf8_repair(&b, s, strlen(s));
        cli_csv_field(f, b.oom || !b.s ? "\xEF\xBF\xBD" : b.s, spreadsheet);
        kd_buf_free(&b);
    } else
        cli_csv_field(f, s, spreadsheet);
}

void cli_csv_field(FILE *f, const char *s, int spreadsheet)
{
    if (!s)
        return;
    size_t n = strlen(s);
    /* a field a spreadsheet would run as a formula ("=HYPERLINK(...)", "@SUM(...)", "+1+1",
     * "-2+3", or one after a tab or a carriage return): a ' in front makes it text (the
     * OWASP advice against CSV injection); quoted also when spaces begin or end it: some
     * readers trim them */
    int formula = spreadsheet && s[0] && strchr("=+-@\t\r", s[0]);
    if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))) {
        if (formula)
            fputc('\'', f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The descriptor behind "-", /dev/stdin, /dev/fd/N or /proc/self/fd/N (a shell's process
 * substitution, <(...)), which this process holds already; else -1. */
int cli_path_fd(const char *path)
{
    if (!strcmp(path, "-") || !strcmp(path, "/dev/stdin"))
        return STDIN_FILENO;
    const char *n = !strncmp(path, "/dev/fd/", 8) ? path + 8 : !strncmp(path, "/proc/self/fd/", 14) ? path + 14 : NULL;
    if (!n || *n < '0' || *n > '9')
        return -1;
    char *end;
    long v = strtol(n, &end, 10);
    return *end || v > INT_MAX ? -1 : (int)v;
}

int cli_stdin_closed;

volatile sig_atomic_t cli_interrupted;

static void on_stop(int sig)
{
    cli_interrupted = sig;
}

void cli_catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

const char *cli_signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

void cli_reraise(void)
{
    if (cli_interrupted) {
        signal(cli_interrupted, SIG_DFL);
        raise(cli_interrupted);
    }
}

void cli_guard_std_fds(void)
{
    /* a descriptor 0, 1 or 2 left closed by the caller would be taken by the next file this
     * process opens (SQLite puts /dev/null there): standard input would then read as empty
     * input, and say nothing of the real cause. /dev/null read-only, as SQLite does: a write
     * to a closed standard output still fails (EBADF), and says so (exit status 5). */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int n = open("/dev/null", O_RDONLY);
            if (n >= 0 && n != fd)
                close(n);
            if (!fd)
                cli_stdin_closed = 1;
        }
}

char *cli_read_comment(const char *cmd, int *status)
{
    if (cli_stdin_closed) {
        *status = cli_fail(EXIT_MODEL, cmd, "cannot read the comment: standard input is closed");
        return NULL;
    }
    if (!cli_interrupted)
        cli_hint_terminal(cmd, "the comment", "");
    size_t len = 0;
    char *text = cli_read_all(stdin, CLI_MAX_COMMENT, &len);
    if (!text && cli_interrupted) { /* (a signal the command caught: its to report) */
        *status = EXIT_MODEL;
        return NULL;
    }
    if (!text) {
        int e = errno;
        if (e == EFBIG)
            *status = cli_fail(EXIT_INPUT, cmd, "the comment on standard input is longer than 16 MiB");
        else if (e == ENOMEM)
            *status = cli_fail(EXIT_INTERNAL, cmd, "out of memory reading standard input");
        else
            *status = cli_fail(EXIT_MODEL, cmd, "cannot read the comment on standard input: %s", strerror(e));
        return NULL;
    }
    /* UTF-16 (Notepad's "Unicode", PowerShell 5's redirection): its byte-order mark, or ASCII
     * with a NUL after (or before) each letter, as the CSV reader tells it. Read as UTF-8, its
     * NUL bytes were spaces between single letters: a spam comment was approved on no word,
     * and learn --raw learnt nothing of it but those letters. */
    const unsigned char *u = (const unsigned char *)text;
    if ((len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) ||
        (len >= 4 && ((!u[1] && !u[3] && u[0] && u[2]) || (!u[0] && !u[2] && u[1] && u[3])))) {
        free(text);
        *status = cli_fail(EXIT_INPUT, cmd, "the comment on standard input is UTF-16, kindly reads UTF-8: convert "
                                            "it first (iconv -f UTF-16 -t UTF-8)");
        return NULL;
    }
    if (strlen(text) != len) {
        fprintf(stderr, "kindly %s: the comment holds NUL bytes; they were read as spaces\n", cmd);
        for (size_t i = 0; i < len; i++)
            if (!text[i])
                text[i] = ' ';
    }
    /* The line end that ends the input (`echo`, an editor's last line: LF, CRLF or a CR alone)
     * ends the comment's last line; it is no part of the comment: not a second line to the
     * rules' `lines`, nor a character to `length`, as the same text in a CSV field is not. */
    if (len && text[len - 1] == '\n')
        text[--len] = '\0';
    if (len && text[len - 1] == '\r')
        text[--len] = '\0';
    size_t bad;
    if (!kd_utf8_valid(text, len, &bad)) /* read as U+FFFD by the tokenizer: say so, as for a CSV field */
        fprintf(stderr, "kindly %s: the comment is not valid UTF-8 (at byte %zu), read as U+FFFD; if it is "
                        "Windows-1252 or Latin-1, convert it first: iconv -f WINDOWS-1252 -t UTF-8\n", cmd, bad);
    *status = EXIT_DONE;
    return text;
}

char *cli_read_all(FILE *f, size_t max, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= max + 1) {
                /* max bytes read: the input fits if it ends here (exactly max is allowed) */
                int c = getc(f);
                if (c == EOF && !ferror(f))
                    break;
                free(s);
                if (c != EOF)
                    errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *p = realloc(s, cap);
            if (!p) {
                free(s);
                return NULL;
            }
            s = p;
        }
        /* a signal caught before this read began (while the command opened its model, or
         * between two reads) would not interrupt it: asked first, as the CSV reader does, so
         * that the read does not wait on a pipe or a terminal after the Ctrl-C */
        if (cli_interrupted) {
            free(s);
            errno = EINTR;
            return NULL;
        }
        /* a short read is the end of the input (or an error): not read again, for a terminal
         * answers a further read with more input, and the one Ctrl-D typed did not end it */
        size_t want = cap - 1 - n, got = fread(s + n, 1, want, f);
        n += got;
        if (got < want) {
            if (ferror(f)) {
                free(s);
                return NULL;
            }
            break;
        }
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* The comment's metadata flags of check and learn --raw: flag -> field of kd_comment. */
static const struct {
    const char *flag;
    size_t off;
} meta[] = {
    { "--author", offsetof(kd_comment, author) }, { "--email", offsetof(kd_comment, email) },
    { "--url", offsetof(kd_comment, url) },       { "--ip", offsetof(kd_comment, ip) },
    { "--post", offsetof(kd_comment, post_id) },  { "--id", offsetof(kd_comment, id) },
    { "--agent", offsetof(kd_comment, agent) },   { "--parent", offsetof(kd_comment, parent) },
    { "--date", offsetof(kd_comment, date) },
};
_Static_assert(sizeof meta / sizeof *meta == CLI_NMETA, "one owned[] slot per flag");

int cli_parse_comment_flag(int argc, char **argv, int *i, kd_comment *c)
{
    for (size_t j = 0; j < CLI_NMETA; j++)
        if (!strcmp(argv[*i], meta[j].flag) && *i + 1 < argc) {
            const char *v = argv[++*i];
            *(const char **)((char *)c + meta[j].off) = *v ? v : NULL; /* as an empty CSV field */
            return 1;
        }
    return 0;
}

/* A flag's value as valid UTF-8. A shell passes any bytes, and the id and post id are
 * echoed in the JSON and stored in the history, so each byte of an invalid sequence becomes
 * U+FFFD, with a warning naming the flag, as the CSV reader repairs a field. Returns v itself
 * when it is valid, else a repaired copy that *owned receives (NULL: out of memory). */
static const char *repaired(const char *cmd, const char *flag, const char *v, char **owned)
{
    size_t n = strlen(v), bad;
    if (kd_utf8_valid(v, n, &bad))
        return v;
    fprintf(stderr, "kindly %s: %s: invalid UTF-8 at byte %zu of the value, replaced by U+FFFD\n", cmd, flag, bad);
    kd_buf b = KD_BUF_INIT;
    utf8_repair(&b, v, n);
    return *owned = kd_buf_detach(&b);
}

/* Whether an e-mail field gives its domain's token (e:DOMAIN), as the tokenizer reads it: a
 * host name after its last '@'. 1 yes, 0 no, -1 out of memory. */
static int email_has_domain(const char *email)
{
    kd_comment c = KD_COMMENT_INIT;
    c.text = "";
    c.email = email;
    kd_tokens t = KD_TOKENS_INIT;
    int rc = kd_tokenize(&c, NULL, &t), found = 0;
    for (size_t i = 0; !rc && i < t.n && !found; i++)
        found = !strncmp(kd_tokens_str(&t, i), "e:", 2);
    kd_tokens_free(&t);
    return rc ? -1 : found;
}

/* "FLAG: 'VALUE' WHY": the value cut to 64 bytes at a character's start ("...") and its
 * control characters escaped */
static void warn_flag_value(const char *cmd, const char *flag, const char *v, const char *why)
{
    char part[65];
    size_t n = strlen(v), cut = n;
    if (n > 64)
        cut = kd_utf8_cut(v, 64);
    memcpy(part, v, cut);
    part[cut] = '\0';
    kd_buf b = KD_BUF_INIT;
    fprintf(stderr, "kindly %s: %s: '%s%s' %s\n", cmd, flag, kd_buf_line(&b, part, cut), cut < n ? "..." : "", why);
    kd_buf_free(&b);
}

/* An IPv4 or IPv6 address, the latter with a zone ("fe80::1%eth0", a link-local address as
 * a server behind a proxy may log it) */
static int is_ip(const char *ip)
{
    unsigned char addr[16];
    char v6[64];
    const char *zone = strchr(ip, '%');
    size_t n = zone ? (size_t)(zone - ip) : strlen(ip);
    if (inet_pton(AF_INET, ip, addr) == 1)
        return 1;
    if (n >= sizeof v6 || (zone && !zone[1]))
        return 0;
    memcpy(v6, ip, n);
    v6[n] = '\0';
    return inet_pton(AF_INET6, v6, addr) == 1;
}

void cli_warn_comment_flags(const char *cmd, const kd_comment *c)
{
    if (c->ip && !is_ip(c->ip))
        warn_flag_value(cmd, "--ip", c->ip, "is no IPv4 or IPv6 address: read as given (the rules match "
                                            "it as it is)");
    if (c->email && email_has_domain(c->email) == 0)
        warn_flag_value(cmd, "--email", c->email, "has no domain after an '@': read as given, without the "
                                                  "token of its domain (e:DOMAIN)");
}

int cli_repair_comment_flags(const char *cmd, kd_comment *c, char *owned[CLI_NMETA])
{
    for (size_t j = 0; j < CLI_NMETA; j++) {
        const char **v = (const char **)((char *)c + meta[j].off);
        if (*v && !(*v = repaired(cmd, meta[j].flag, *v, &owned[j])))
            return -1;
    }
    return 0;
}
