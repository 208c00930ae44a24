/* helpers.h - small shared helpers for the unit tests: temporary directories and files. */
#ifndef KD_TEST_HELPERS_H
#define KD_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
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

static inline void th_rmrf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

#endif
