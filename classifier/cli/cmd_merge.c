/*
 * cmd_merge.c - `kindly merge OUT.db IN.db...`: add models' counts (and posts) together.
 *
 * The inputs are checked before the output is opened, so that a mistake (a missing input,
 * a file that is not a model, an input named twice or as the output) creates and changes
 * nothing; the library then merges every input in one transaction, refusing (KD_EEXIST) an
 * input the output holds already unless --again says it is meant.
 *
 * A new OUT is built beside it, as OUT.incomplete-XXXXXX, and linked into place only once
 * the model is closed (SQLite then checkpoints its -wal into the file and removes it): a
 * merge killed part-way leaves no OUT that reads as a model, only a file named incomplete
 * (by SIGKILL; a signal it catches removes it too). link(), not rename(): an OUT created
 * meanwhile by another process is not replaced. The merge holds a lock (flock) on its
 * incomplete file for as long as it lives, which the kernel releases however it ends: the
 * next merge into OUT removes such a file that no one holds (its merge was killed), and says
 * so, and refuses to create OUT while another merge is creating it. (flock, not fcntl: SQLite
 * keeps fcntl locks on the same file, and closing any descriptor of it would drop them.)
 *
 * A signal (SIGINT, SIGTERM, SIGHUP) before the merge begins ends the process at once, from
 * the handler, once the file being created is removed. During the library's call it asks the
 * call to stop (kd_model_interrupt): the merge rolls back and fails, and the process then
 * ends by the signal, saying nothing was merged; or it had committed already, and the call's
 * success says so: the run ends as it would have, saying the signal came too late. (Ending
 * the process from the handler during the call, as before, could end it after the commit and
 * say "nothing was merged" of a merge that was kept.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* An input must be a model this kindly can read: opened read-only, so a missing one is
 * reported, not created. */
static int check_input(const char *path)
{
    kd_model *in = NULL;
    int rc = kd_model_open(&in, path, KD_OPEN_READONLY);
    int status = rc ? cli_fail(cli_exit_for(rc), "merge", "%s", kd_model_error(in)) : EXIT_DONE;
    kd_model_close(in);
    return status;
}

static int check_inputs(int n, char **in, const char *out)
{
    int st = cli_refuse_default("merge", out);
    if (st != EXIT_DONE)
        return st;
    for (int i = 0; i < n; i++) {
        if (cli_same_file(in[i], out))
            return cli_usage("merge", "an input model cannot be the output model (%s is %s)", in[i], out);
        for (int j = 0; j < i; j++)
            if (cli_same_file(in[i], in[j]))
                return cli_usage("merge", "%s and %s are the same model: it would be counted twice", in[j], in[i]);
    }
    for (int i = 0; i < n; i++) {
        int status = check_input(in[i]);
        if (status)
            return status;
    }
    return EXIT_DONE;
}

/* What the signal handler needs, made before it is installed: the files of the model being
 * created (none when OUT exists), and the end of its one line. */
static struct {
    char files[4][PATH_MAX + 16]; /* OUT.incomplete-XXXXXX, its -wal, -shm and -journal */
    volatile sig_atomic_t nfiles;
    char tail[PATH_MAX + 64];
    volatile sig_atomic_t merged; /* the library call has returned: signals are recorded */
    volatile sig_atomic_t merging; /* the library call runs on model: a signal interrupts it */
    kd_model *model;
} pending;

static void remove_temporary(void)
{
    for (int i = 0; i < pending.nfiles; i++)
        unlink(pending.files[i]);
}

/* The end of a merge a signal stopped: the file being created removed, said, and the
 * process ended by the signal (async-signal-safe: called from the handler too). */
static void on_signal_end(int sig)
{
    remove_temporary();
    const char *name = cli_signal_name(sig);
    if (write(STDERR_FILENO, "kindly merge: interrupted by ", 29) < 0 || write(STDERR_FILENO, name, strlen(name)) < 0 ||
        write(STDERR_FILENO, pending.tail, strlen(pending.tail)) < 0) {
        /* nothing more to say */
    }
    signal(sig, SIG_DFL);
    raise(sig); /* delivered as the handler returns, or at once outside it */
}

static void on_signal(int sig)
{
    if (pending.merged || pending.merging) {
        if (!pending.merged)
            kd_model_interrupt(pending.model);
        cli_interrupted = sig;
        return;
    }
    on_signal_end(sig);
}

static void catch_signals(const char *out, int created)
{
    snprintf(pending.tail, sizeof pending.tail,
             created ? ": nothing was merged: %s was not created\n" : ": nothing was merged into %s (it is as it was)\n",
             cli_shown(out));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static const char *const companions[] = { "", "-wal", "-shm", "-journal" };

/* The incomplete files of OUT left by merges that were killed (no process holds their lock)
 * are removed with their companions, each said in a line; one whose merge still runs is
 * left, and, when this merge would create OUT too, refused (the other one puts its OUT in
 * place). EXIT_DONE, or EXIT_MODEL said. */
static int remove_stale(const char *out, int created)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    const char *slash = strrchr(out, '/'), *base = slash ? slash + 1 : out;
    snprintf(dir, sizeof dir, "%.*s", slash ? (slash == out ? 1 : (int)(slash - out)) : 1, slash ? out : ".");
    size_t plen = strlen(base) + strlen(".incomplete-");
    DIR *d = opendir(dir);
    if (!d) /* make_temporary says why, if it matters */
        return EXIT_DONE;
    int status = EXIT_DONE;
    struct dirent *e;
    while (!status && (e = readdir(d))) {
        const char *name = e->d_name;
        if (strlen(name) != plen + 6 || strncmp(name, base, strlen(base)) ||
            strncmp(name + strlen(base), ".incomplete-", 12) ||
            snprintf(path, PATH_MAX, "%.*s%s", slash ? (int)(base - out) : 0, out, name) >= PATH_MAX)
            continue;
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        int locked = flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (locked) { /* its merge is gone */
            size_t n = strlen(path);
            for (int i = 0; i < 4; i++) {
                strcpy(path + n, companions[i]);
                unlink(path);
            }
            path[n] = '\0';
            cli_fail(EXIT_DONE, "merge", "removed %s, left by a merge into %s that was killed before it ended",
                     cli_shown(path), cli_shown(out));
        } else if (errno == EWOULDBLOCK && created) /* (no flock here: nothing known) */
            status = cli_fail(EXIT_MODEL, "merge", "cannot create model %s: another kindly merge is creating it "
                              "(%s): wait for it to end", cli_shown(out), cli_shown(path));
        close(fd);
    }
    closedir(d);
    return status;
}

/* A new, empty file for OUT's model beside it (so that the link is within one file system),
 * with the mode a file the user creates has, locked for as long as this process lives; its
 * name and its companions' in pending. EXIT_DONE or EXIT_MODEL, said. */
static int make_temporary(const char *out)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    int fd = -1, err;
    for (int tries = 0; fd < 0; tries++) {
        if (tries == 4)
            return cli_fail(EXIT_MODEL, "merge", "cannot create model %s: the file made for it in its directory "
                            "was removed, %d times, by another process", cli_shown(out), tries);
        if (snprintf(pending.files[0], PATH_MAX, "%s.incomplete-XXXXXX", out) >= PATH_MAX)
            return cli_fail(EXIT_MODEL, "merge", "cannot create model %s: its name is too long", cli_shown(out));
        /* no signal between its creation and its name in pending: a signal removes it */
        sigprocmask(SIG_BLOCK, &block, &old);
        fd = mkstemp(pending.files[0]);
        err = errno;
        pending.nfiles = fd >= 0;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (fd < 0)
            return cli_fail(EXIT_MODEL, "merge", "cannot create model %s: cannot create a file in its directory: %s",
                            cli_shown(out), strerror(err));
        /* the lock, kept (the descriptor stays open), tells other merges this one is alive
         * (a file system without flock: no such protection); another merge's remove_stale
         * may hold it for an instant, taking the file for stale before it was locked: it is
         * then removed, and made anew */
        struct stat named, mine;
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
            ;
        if (fstat(fd, &mine) != 0 || stat(pending.files[0], &named) != 0 || named.st_ino != mine.st_ino ||
            named.st_dev != mine.st_dev) {
            close(fd);
            fd = -1;
        }
    }
    mode_t mask = umask(0);
    umask(mask);
    int bad = fchmod(fd, 0666 & ~mask) != 0;
    err = errno;
    if (bad) {
        close(fd);
        remove_temporary();
        return cli_fail(EXIT_MODEL, "merge", "cannot create model %s: %s", cli_shown(out), strerror(err));
    }
    size_t n = strlen(pending.files[0]); /* < PATH_MAX: room for the suffix */
    for (int i = 1; i < 4; i++) {
        memcpy(pending.files[i], pending.files[0], n);
        strcpy(pending.files[i] + n, companions[i]);
    }
    pending.nfiles = 4;
    return EXIT_DONE;
}

/* The closed, complete model at tmp becomes out. EXIT_DONE, or EXIT_MODEL said (tmp
 * removed). */
static int put_in_place(const char *out)
{
    const char *tmp = pending.files[0];
    struct stat st;
    int status = EXIT_DONE;
    if (lstat(pending.files[1], &st) == 0 && st.st_size > 0) /* the checkpoint at close failed */
        status = cli_fail(EXIT_MODEL, "merge", "cannot write %s: the merged model could not be moved out of its "
                                               "log (%s): a full disk?", cli_shown(out), pending.files[1]);
    else if (link(tmp, out) != 0 && (errno == EEXIST || rename(tmp, out) != 0))
        status = cli_fail(EXIT_MODEL, "merge", "cannot create model %s: %s", cli_shown(out),
                          errno == EEXIST ? "another process created it meanwhile (it was left as it is)"
                                          : strerror(errno));
    if (status)
        cli_fail(EXIT_DONE, "merge", "nothing was merged: %s was not created", cli_shown(out));
    remove_temporary();
    return status;
}

/* The library's message about model m; for a new OUT, with OUT's name where it names the file
 * the merge built it in, OUT.incomplete-XXXXXX, which the user never named and which is removed
 * before the message is read (it said "cannot merge in model all.db.incomplete-Q0Vv5l: disk
 * I/O error", then "all.db was not created") */
static const char *merge_error(kd_model *m, const char *out, int created, char *buf, size_t size)
{
    const char *msg = kd_model_error(m), *tmp = pending.files[0], *at;
    size_t tlen = strlen(tmp), used = 0;
    if (!created || !tlen || !strstr(msg, tmp))
        return msg;
    while ((at = strstr(msg, tmp)) && used < size) {
        used += (size_t)snprintf(buf + used, size - used, "%.*s%s", (int)(at - msg), msg, cli_shown(out));
        msg = at + tlen;
    }
    if (used < size)
        snprintf(buf + used, size - used, "%s", msg);
    return buf;
}

/* The summary on stderr, as train's second line: what OUT holds now (its counts are sums). */
static void summary(kd_model *m, const char *out, int n, char *line, size_t size)
{
    kd_model_stats st;
    uint64_t posts = 0, retired = 0;
    int k = snprintf(line, size, "merged %d model%s", n, n == 1 ? "" : "s");
    line += k;
    size -= (size_t)k;
    if (kd_model_stats_get(m, &st) || kd_posts_count_retired(m, &retired) || kd_posts_count(m, &posts)) {
        snprintf(line, size, " into %s", cli_shown(out)); /* merged all the same */
        return;
    }
    posts -= retired; /* a retired post is not one it holds, as posts and info say */
    k = snprintf(line, size, "; %s now has %llu spam and %llu ham messages, %llu tokens, %llu post%s", cli_shown(out),
                 (unsigned long long)st.spam_messages, (unsigned long long)st.ham_messages,
                 (unsigned long long)st.tokens, (unsigned long long)posts, posts == 1 ? "" : "s");
    if (retired && k > 0 && (size_t)k < size)
        snprintf(line + k, size - (size_t)k, " and %llu retired", (unsigned long long)retired);
}

int cmd_merge(int argc, char **argv)
{
    int quiet = 0, again = 0, n = 0, after = 0;
    for (int i = 1; i < argc; i++) {
        int op = cli_operand(argv[i], &after);
        if (op < 0)
            continue;
        if (op)
            argv[++n] = argv[i]; /* the models, in order, the flags taken out */
        else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--again"))
            again = 1;
        else
            return cli_usage("merge", "unknown option '%s'", argv[i]);
    }
    argc = n + 1;
    if (argc < 3)
        return cli_usage("merge", "name the output model and at least one input model");
    for (int i = 1; i < argc; i++) { /* as an empty -m is: the caller's mistake, said before any is opened */
        if (!*argv[i])
            return cli_fail(EXIT_USAGE, "merge", "empty file name: name %s (kindly merge OUT.db IN.db...)",
                            i == 1 ? "the output model" : "an input model");
        if (!strcmp(argv[i], "-") || !strcmp(argv[i], ":memory:"))
            return cli_fail(EXIT_USAGE, "merge", "%s", strcmp(argv[i], "-") ? CLI_MEMORY_MODEL : CLI_DASH_MODEL);
    }
    const char *out = argv[1];
    int created = cli_model_is_new(out);
    catch_signals(out, created);
    int status = check_inputs(argc - 2, argv + 2, out);
    if (status || (status = remove_stale(out, created)) || (created && (status = make_temporary(out))))
        return status;
    kd_model *m = cli_open_model("merge", created ? pending.files[0] : out, created ? KD_OPEN_WRITE : KD_OPEN_CREATE);
    if (!m) {
        remove_temporary();
        return EXIT_MODEL;
    }
    pending.model = m;
    pending.merging = 1;
    int rc = kd_model_merge_ex(m, (const char *const *)(argv + 2), (size_t)(argc - 2), again ? KD_MERGE_AGAIN : 0);
    pending.merged = 1;
    if (rc && cli_interrupted) { /* stopped before its commit: as a signal before it began */
        kd_model_close(m);
        on_signal_end(cli_interrupted);
    }
    char line[PATH_MAX + 160] = "", msg[1024 + PATH_MAX];
    /* with $SOURCE_DATE_EPOCH set, a new model's identity is derived from it and the file's
     * name: shards of one name made so are one model to the library, though none is a copy */
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (rc == KD_EEXIST) /* what to do about it, in CLI terms */
        status = cli_fail(cli_exit_for(rc), "merge", "%s (nothing was merged; --again adds it all the same; a shard "
                          "that has learnt more is counted once by merging every shard as it is now into a new "
                          "model)%s", merge_error(m, out, created, msg, sizeof msg),
                          epoch && *epoch ? "; $SOURCE_DATE_EPOCH is set: models of one file name created under one "
                                            "value have one identity, so shards named alike are taken for copies "
                                            "(unset it, or name the files apart)" : "");
    else if (rc)
        status = cli_fail(cli_exit_for(rc), "merge", "%s", merge_error(m, out, created, msg, sizeof msg));
    else if (!quiet)
        summary(m, out, argc - 2, line, sizeof line);
    kd_model_close(m); /* a new OUT: checkpointed into its file, its -wal removed */
    if (created && rc) {
        cli_fail(EXIT_DONE, "merge", "nothing was merged: %s was not created", cli_shown(out));
        remove_temporary();
    } else if (created && (status = put_in_place(out)))
        return status;
    if (*line)
        cli_fail(EXIT_DONE, "merge", "%s", line);
    if (!rc && cli_interrupted) /* too late to stop it: the run ends as it would have */
        cli_fail(EXIT_DONE, "merge", "interrupted by %s once the merge was committed: it was finished, and %s "
                                     "holds it", cli_signal_name(cli_interrupted), cli_shown(out));
    return status;
}
