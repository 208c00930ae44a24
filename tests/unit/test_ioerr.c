/*
 * test_ioerr.c - disk errors on purpose: every write, sync, truncate and delete SQLite makes
 * on a model fails in turn, and the model must come out either as it was or with the whole
 * change, never half of it and never damaged.
 *
 * As SQLite's own "ioerr" tests do, a VFS is put in front of the default one (registered as
 * the default, so that kindly's own sqlite3_open_v2 calls use it). It passes every call
 * through, counting the writes, syncs, truncates and deletes; the n-th of them fails with the
 * matching SQLITE_IOERR_* code. Each scenario starts from a copy of the same trained model, runs
 * with the n-th operation failing, n = 0, 1, 2, ... until a run makes no failing operation,
 * and after each run, without failures:
 *  - the call that met the failure returned KD_EIO (or KD_OK, when the failure did not
 *    matter: a sync of a file already written, say), never a crash or another code;
 *  - `PRAGMA integrity_check` says ok;
 *  - the model's message counts are the ones before the scenario or the ones after it, not
 *    another number (training is one transaction: killing it, or its disk failing, must leave
 *    the previous model intact).
 * The same VFS also runs another writer at a chosen instant (on_unlock): between two reads.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "helpers.h"
#include "kindly.h"


/* ---------------------------------------------------------------------------------------- */
/* the VFS */

typedef struct ifile {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this struct */
} ifile;

static sqlite3_vfs *orig;
static sqlite3_vfs ioerr_vfs;

#define REAL(f) (((ifile *)(f))->real)

static int x_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int x_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int x_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    return fault_now() ? SQLITE_IOERR_WRITE : REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return fault_now() ? SQLITE_IOERR_TRUNCATE : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int x_sync(sqlite3_file *f, int flags)
{
    return fault_now() ? SQLITE_IOERR_FSYNC : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int x_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int x_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
/* Run once, right after the next release of a file's last lock (the end of a read): another
 * process's write landing between two reads of this connection (NULL: none). */
static void (*on_unlock)(void);
static int x_unlock(sqlite3_file *f, int l)
{
    int rc = REAL(f)->pMethods->xUnlock(REAL(f), l);
    void (*run)(void) = on_unlock;
    if (l == SQLITE_LOCK_NONE && run) {
        on_unlock = NULL;
        run();
    }
    return rc;
}
static int x_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int x_control(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int x_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int x_chars(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int x_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int x_shm_lock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void x_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int x_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int x_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int x_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods io_methods = {
    3, x_close, x_read, x_write, x_truncate, x_sync, x_size, x_lock, x_unlock, x_reserved, x_control,
    x_sector, x_chars, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch,
};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    ifile *p = (ifile *)f;
    p->real = (sqlite3_file *)(p + 1);
    int rc = orig->xOpen(orig, name, p->real, flags, out);
    p->base.pMethods = p->real->pMethods ? &io_methods : NULL;
    return rc;
}
static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return fault_now() ? SQLITE_IOERR_DELETE : orig->xDelete(orig, name, sync);
}
static int v_access(sqlite3_vfs *v, const char *name, int fl, int *out) { (void)v; return orig->xAccess(orig, name, fl, out); }
static int v_full(sqlite3_vfs *v, const char *name, int n, char *out) { (void)v; return orig->xFullPathname(orig, name, n, out); }
static void *v_dlopen(sqlite3_vfs *v, const char *name) { (void)v; return orig->xDlOpen(orig, name); }
static void v_dlerror(sqlite3_vfs *v, int n, char *msg) { (void)v; orig->xDlError(orig, n, msg); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void) { (void)v; return orig->xDlSym(orig, h, sym); }
static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; orig->xDlClose(orig, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { (void)v; return orig->xRandomness(orig, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return orig->xSleep(orig, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return orig->xCurrentTime(orig, t); }
static int v_lasterr(sqlite3_vfs *v, int n, char *m) { (void)v; return orig->xGetLastError(orig, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return orig->xCurrentTimeInt64(orig, t); }

/* ---------------------------------------------------------------------------------------- */

static char dir[256], base[320], path[320];

static const struct {
    const char *id, *post, *author, *text;
    kd_label label;
} rows[] = {
    { "c1", "sleep", "Anna", "Thank you, the breathing exercise helped me sleep. I keep a journal now.", KD_HAM },
    { "c2", "sleep", "Best CBD", "Buy the best CBD oil! Discount code CALM50 at http://cbd.example", KD_SPAM },
    { "c3", "grief", "Dev", "Grief comes in waves, some days are easier. Talking helps.", KD_HAM },
    { "c4", "grief", "Win Big", "FREE iPhone giveaway!!! Call +44 7700 900123 now, $5000 a week", KD_SPAM },
    { "c5", "walk", "Emma", "Walking in the park every morning has changed my mood.", KD_HAM },
    { "c6", "walk", "Rx", "Cheap xanax and valium, no prescription needed, fast delivery", KD_SPAM },
};
#define NROWS (sizeof rows / sizeof *rows)

static kd_comment comment_of(size_t i, const char *suffix)
{
    static char id[64];
    kd_comment c = KD_COMMENT_INIT;
    snprintf(id, sizeof id, "%s%s", rows[i].id, suffix);
    c.id = id;
    c.post_id = rows[i].post;
    c.author = rows[i].author;
    c.text = rows[i].text;
    return c;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    cr_assert(in && out, "copy %s to %s", from, to);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        cr_assert_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    cr_assert_eq(fclose(out), 0);
}

static void fresh_copy(void)
{
    static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
    char side[340];
    for (size_t i = 0; i < sizeof sides / sizeof *sides; i++) {
        snprintf(side, sizeof side, "%s%s", path, sides[i]);
        remove(side);
    }
    copy_file(base, path);
}

/* The messages the model at path holds (spam + ham), after an integrity check. */
static uint64_t messages(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    kd_model_stats s;
    cr_assert_eq(kd_model_stats_get(m, &s), 0);
    kd_model_close(m);
    return s.spam_messages + s.ham_messages;
}

static void setup(void)
{
    struct stat st; /* thousands of copies and syncs: on tmpfs when there is one */
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
        snprintf(dir, sizeof dir, "/dev/shm/kindly-ioerr-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
    } else
        th_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/base.db", dir);
    snprintf(path, sizeof path, "%s/m.db", dir);
    orig = sqlite3_vfs_find(NULL);
    cr_assert_not_null(orig);
    ioerr_vfs = (sqlite3_vfs){ 2, (int)(sizeof(ifile) + (size_t)orig->szOsFile), orig->mxPathname, NULL, "ioerr",
                               NULL, v_open, v_delete, v_access, v_full, v_dlopen, v_dlerror, v_dlsym, v_dlclose,
                               v_random, v_sleep, v_time, v_lasterr, v_time64, NULL, NULL, NULL };
    cr_assert_eq(sqlite3_vfs_register(&ioerr_vfs, 1), SQLITE_OK);
    /* the base model: the first half of the rows learnt, a post, some history */
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, base, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "sleep", "Sleeping better", "Breathing, a journal and a routine."), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < NROWS / 2; i++) {
        kd_comment c = comment_of(i, "");
        cr_assert_eq(kd_train_add(m, &c, rows[i].label, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    for (size_t i = 0; i < NROWS / 2; i++) {
        kd_comment c = comment_of(i, "");
        cr_assert_eq(kd_history_record(m, &c), 0);
    }
    kd_model_close(m);
}

static void teardown(void) { th_rmrf(dir); }

TestSuite(ioerr, .init = setup, .fini = teardown, .timeout = 300);

/* Run scenario on a fresh copy of the base model with operation n failing, for every n until
 * one run makes none fail. The model must then hold `before` or `after` messages. */
static long every_operation(int (*scenario)(void), uint64_t before, uint64_t after, const char *name)
{
    for (long n = 0;; n++) {
        fresh_copy();
        fault_arm(n);
        int rc = scenario();
        long hit = fault_injected;
        fault_arm(-1);
        cr_assert(rc == KD_OK || rc == KD_EIO, "%s, operation %ld failing: %d (%s)", name, n, rc, kd_strerror(rc));
        uint64_t now = messages();
        if (!hit) {
            cr_assert_eq(rc, KD_OK, "%s without a failure: %d", name, rc);
            cr_assert_eq(now, after, "%s: %llu messages, expected %llu", name, (unsigned long long)now,
                         (unsigned long long)after);
            return n + 1;
        }
        cr_assert(now == before || now == after,
                  "%s, operation %ld failing (rc %d): %llu messages, neither %llu before nor %llu after", name, n,
                  rc, (unsigned long long)now, (unsigned long long)before, (unsigned long long)after);
    }
}

/* train the other half of the rows in one transaction */
static int train_rest(void)
{
    kd_model *m = NULL;
    int rc = kd_model_open(&m, path, KD_OPEN_WRITE);
    if (rc)
        goto done;
    if ((rc = kd_train_begin(m)))
        goto done;
    for (size_t i = NROWS / 2; i < NROWS; i++) {
        kd_comment c = comment_of(i, "");
        if ((rc = kd_train_add(m, &c, rows[i].label, 1))) {
            kd_train_abort(m);
            goto done;
        }
    }
    rc = kd_train_commit(m);
done:
    kd_model_close(m);
    return rc;
}

Test(ioerr, training_is_all_or_nothing)
{
    cr_assert_gt(every_operation(train_rest, NROWS / 2, NROWS, "train"), 10);
}

/* feedback on one new comment (learnt and recorded), then classifying with --remember */
static int feedback_and_remember(void)
{
    kd_model *m = NULL;
    kd_result r;
    int changed = 0;
    int rc = kd_model_open(&m, path, KD_OPEN_WRITE);
    if (rc)
        goto done;
    kd_comment c = comment_of(NROWS - 1, "-fb");
    if ((rc = kd_feedback(m, &c, KD_SPAM, 0, &changed)))
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    c = comment_of(NROWS - 2, "-seen");
    if ((rc = kd_classify(m, &c, &o, &r)))
        goto done;
    kd_result_free(&r);
done:
    kd_model_close(m);
    return rc;
}

Test(ioerr, feedback_and_remembered_comments)
{
    cr_assert_gt(every_operation(feedback_and_remember, NROWS / 2, NROWS / 2 + 1, "feedback"), 10);
}

/* prune, then pack (a VACUUM and a change of journal mode): counts never change */
static int prune_and_pack(void)
{
    kd_model *m = NULL;
    uint64_t removed;
    int rc = kd_model_open(&m, path, KD_OPEN_WRITE);
    if (!rc && !(rc = kd_model_prune(m, 2, &removed)) && !(rc = kd_history_prune(m, INT64_MIN, 1, &removed)))
        rc = kd_model_pack(m);
    kd_model_close(m);
    return rc;
}

Test(ioerr, prune_and_pack)
{
    cr_assert_gt(every_operation(prune_and_pack, NROWS / 2, NROWS / 2, "pack"), 10);
}

/* merge a model of the other half of the rows (with a post of its own): all or nothing, and
 * a failed write names the model and what to do (it said only "cannot merge: database or
 * disk is full") */
static char shard[sizeof path];

static int merge_rest(void)
{
    kd_model *m = NULL;
    int rc = kd_model_open(&m, path, KD_OPEN_WRITE);
    if (!rc && (rc = kd_model_merge(m, shard)) == KD_EIO)
        cr_assert(strstr(kd_model_error(m), "cannot merge in model ") && strstr(kd_model_error(m), "nothing was written"),
                  "%s", kd_model_error(m));
    kd_model_close(m);
    return rc;
}

Test(ioerr, merge_is_all_or_nothing)
{
    snprintf(shard, sizeof shard, "%s/shard.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, shard, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_post_put(m, "walks", "Walking", "A walk a day, in any weather."), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = NROWS / 2; i < NROWS; i++) {
        kd_comment c = comment_of(i, "");
        cr_assert_eq(kd_train_add(m, &c, rows[i].label, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    kd_model_close(m);
    cr_assert_gt(every_operation(merge_rest, NROWS / 2, NROWS, "merge"), 10);
}

/* Remembered comments in a batch, as `kindly score --remember` writes them: two groups of
 * NROWS, the first committed before the second begins (a hand-over). A failure part-way
 * says how many comments were recorded and how many were not, and that is what the history
 * then holds: the part kept before the failure is committed, the rest is gone. */
static size_t batch_tried;   /* comments handed to kd_classify, the failing one included */
static char batch_err[1024]; /* the message of the failure, "" when none */

static int remember_batch(void)
{
    kd_model *m = NULL;
    batch_tried = 0;
    batch_err[0] = '\0';
    int rc = kd_model_open(&m, path, KD_OPEN_WRITE);
    if (rc)
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    for (int group = 0; group < 2 && !rc; group++) {
        if ((rc = kd_history_batch_begin(m)))
            break;
        for (size_t i = 0; i < NROWS && !rc; i++) {
            kd_comment c = comment_of(i, group ? "-b" : "-a");
            kd_result r;
            batch_tried++;
            rc = kd_classify(m, &c, &o, &r);
            kd_result_free(&r);
        }
        if (!rc)
            rc = kd_history_flush(m);
    }
    if (rc)
        snprintf(batch_err, sizeof batch_err, "%s", kd_model_error(m));
done:
    kd_model_close(m);
    return rc;
}

static uint64_t history_comments(void)
{
    kd_model *m = NULL;
    kd_history_stats hs;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    cr_assert_eq(kd_history_stats_get(m, &hs), 0);
    kd_model_close(m);
    return hs.comments;
}

/* "N comments were recorded, the last M were not" (or "no comment", "1 comment", "the last
 * one"; with none recorded, "the comment was not recorded" or "none of its M comments was
 * recorded") in msg: 1 with *n and *lost, else 0. */
static int recorded_counts(const char *msg, unsigned long *n, unsigned long *lost)
{
    *n = 0;
    if (strstr(msg, "the comment was not recorded")) {
        *lost = 1;
        return 1;
    }
    const char *p = strstr(msg, "none of its ");
    if (p)
        return sscanf(p, "none of its %lu comments was recorded", lost) == 1;
    cr_assert(!strstr(msg, "no comment was recorded, the last"), "none recorded, said of the last: %s", msg);
    p = strstr(msg, "no comment was recorded");
    if (p)
        *n = 0;
    else {
        for (p = msg; (p = strpbrk(p, "0123456789")); p++)
            if (sscanf(p, "%lu comment", n) == 1 && (strstr(p, " comments were recorded") == strchr(p, ' ') ||
                                                     strstr(p, " comment was recorded") == strchr(p, ' ')))
                break;
        if (!p)
            return 0;
    }
    if (strstr(p, ", the last one was not"))
        *lost = 1;
    else if (!(p = strstr(p, ", the last ")) || sscanf(p, ", the last %lu were not", lost) != 1)
        *lost = 0;
    return 1;
}

Test(ioerr, a_failed_batch_says_what_was_recorded)
{
    uint64_t base_comments = NROWS / 2; /* recorded by setup */
    int partial = 0, lost_some = 0;
    for (long n = 0;; n++) {
        fresh_copy();
        fault_arm(n);
        int rc = remember_batch();
        long hit = fault_injected;
        fault_arm(-1);
        cr_assert(rc == KD_OK || rc == KD_EIO, "operation %ld failing: %d (%s)", n, rc, batch_err);
        uint64_t now = history_comments();
        if (rc == KD_OK) {
            cr_assert_eq(now, base_comments + 2 * NROWS, "operation %ld failing: %llu comments", n,
                         (unsigned long long)now);
            if (!hit)
                break;
            continue;
        }
        unsigned long recorded = 0, lost = 0;
        cr_assert(recorded_counts(batch_err, &recorded, &lost), "operation %ld failing: no counts in: %s", n,
                  batch_err);
        cr_assert(!strstr(batch_err, "nothing was written"), "%s", batch_err);
        cr_assert_eq(recorded + lost, batch_tried, "operation %ld: %lu recorded + %lu not, of %zu tried: %s", n,
                     recorded, lost, batch_tried, batch_err);
        cr_assert_eq(now, base_comments + recorded, "operation %ld: the history holds %llu, the message says %lu: %s",
                     n, (unsigned long long)(now - base_comments), recorded, batch_err);
        partial |= recorded > 0 && lost > 0;
        lost_some |= lost > 0;
    }
    cr_assert(partial, "no failure came after a committed part");
    cr_assert(lost_some);
}

/* Another process creating the model at path: what it leaves is a whole model, schema and all */
static void create_model(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    kd_model_close(m);
}

/* Two `kindly train -m new.db` at once: the second opened the empty file, read its
 * application id (0: nothing yet), then its tables, which the first had created meanwhile,
 * and refused the model as "an SQLite file of another application" (1 run in 15 of two
 * processes). The reads that tell an empty file from another program's are one snapshot. */
Test(ioerr, a_model_created_while_it_is_opened)
{
    fresh_copy();
    remove(path);
    on_unlock = create_model;
    kd_model *m = NULL;
    int rc = kd_model_open(&m, path, KD_OPEN_CREATE);
    cr_assert_null(on_unlock, "the other writer ran");
    cr_assert_eq(rc, 0, "%s", kd_model_error(m));
    kd_model_stats s;
    cr_assert_eq(kd_model_stats_get(m, &s), 0);
    cr_assert_eq(s.schema_version, 8);
    kd_model_close(m);
}
