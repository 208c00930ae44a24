/* helpers.h - small shared helpers for the unit tests: temporary directories and files, an
 * integer read from an SQLite file. */
#ifndef KD_TEST_HELPERS_H
#define KD_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR; the path is written into dir (size >= 64). */
static inline void th_tmpdir(char *dir, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, n, "%s/kindly-test-XXXXXX", t && *t ? t : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
}

/* Write contents to dir/name and put the path into out. */
static inline void th_write(const char *dir, const char *name, const char *contents, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    cr_assert_not_null(f);
    fputs(contents, f);
    fclose(f);
}

/* Call fn(path, ud) for every regular file in dir; returns their number, or -1 when dir
 * cannot be opened (the caller decides whether that skips the test). */
static inline int th_each_file(const char *dir, void (*fn)(const char *path, void *ud), void *ud)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        fn(path, ud);
        files++;
    }
    closedir(d);
    return files;
}

/* The first column of the first row of query q on the SQLite file path (an integer); -1
 * when it has no row. */
static inline int64_t th_sql_int(const char *path, const char *q)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A full disk for the comment history of the model file path: a trigger refuses every
 * insert into it, with SQLite's message for a full disk. */
static inline void th_refuse_history(const char *path)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TRIGGER refuse BEFORE INSERT ON history BEGIN "
                                  "SELECT RAISE(ABORT, 'database or disk is full'); END;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static inline void th_rmrf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Whether a file the code under test opens is close-on-exec (so that a program embedding
 * the library that forks and execs does not leak it): th_fifo_start makes a FIFO at path and
 * a thread that opens it for writing, which blocks until the code under test opens it for
 * reading; the thread then finds that reader's descriptor in /proc/self/fd (same file,
 * opened read-only), records whether it has FD_CLOEXEC, writes contents and closes.
 * th_fifo_join waits for the thread: found 1 when the descriptor was seen. */
typedef struct th_fifo {
    char path[512];
    const char *contents;
    int found, cloexec;
    pthread_t thread;
} th_fifo;

static inline void *th_fifo_writer(void *ud)
{
    th_fifo *w = ud;
    int wfd = open(w->path, O_WRONLY | O_CLOEXEC);
    if (wfd < 0)
        return NULL;
    struct stat want;
    if (fstat(wfd, &want) == 0) {
        /* the reader's open returns after ours: look again until it is there (5 s at most) */
        for (int tries = 0; tries < 5000 && !w->found; tries++) {
            DIR *d = opendir("/proc/self/fd");
            struct dirent *e;
            while (d && !w->found && (e = readdir(d))) {
                int fd = atoi(e->d_name);
                struct stat st;
                if (e->d_name[0] == '.' || fd == wfd || fd == dirfd(d) || fstat(fd, &st) != 0 ||
                    st.st_dev != want.st_dev || st.st_ino != want.st_ino ||
                    (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
                    continue;
                w->found = 1;
                w->cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
            }
            if (d)
                closedir(d);
            if (!w->found)
                nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
        }
    }
    for (size_t n = strlen(w->contents), off = 0; off < n;) {
        ssize_t got = write(wfd, w->contents + off, n - off);
        if (got <= 0)
            break;
        off += (size_t)got;
    }
    close(wfd);
    return NULL;
}

static inline void th_fifo_start(th_fifo *w, const char *dir, const char *name, const char *contents)
{
    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "%s/%s", dir, name);
    w->contents = contents;
    cr_assert_eq(mkfifo(w->path, 0600), 0);
    cr_assert_eq(pthread_create(&w->thread, NULL, th_fifo_writer, w), 0);
}

static inline void th_fifo_join(th_fifo *w) { cr_assert_eq(pthread_join(w->thread, NULL), 0); }

#endif
