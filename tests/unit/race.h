/* race.h - two writers racing on one model file, made certain: a third connection holds the
 * write lock while both threads get past their reads, then lets them both write. */
#ifndef KD_TEST_RACE_H
#define KD_TEST_RACE_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

/* Run fn(a) and fn(b) in two threads while another connection holds path's write lock for
 * 300 ms (both have read by then), and wait for both. */
static inline void th_race_writers(const char *path, void *(*fn)(void *), void *a, void *b)
{
    sqlite3 *lock;
    cr_assert_eq(sqlite3_open(path, &lock), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&ta, NULL, fn, a), 0);
    cr_assert_eq(pthread_create(&tb, NULL, fn, b), 0);
    struct timespec pause = { 0, 300 * 1000000L };
    nanosleep(&pause, NULL);
    cr_assert_eq(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

#endif
