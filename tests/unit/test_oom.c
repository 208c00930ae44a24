/*
 * test_oom.c - out of memory on purpose, one allocation at a time, as SQLite's own tests do.
 *
 * Every allocation made by kindly's code (malloc, calloc, realloc, strdup and strndup, wrapped
 * at link time: see the Makefile) and by SQLite (its allocator replaced through
 * sqlite3_config(SQLITE_CONFIG_MALLOC)) is counted; each scenario below is run again and again
 * with the n-th allocation failing, n = 0, 1, 2, ... until a run makes no failing allocation.
 * Each run must end in KD_OK or KD_ENOMEM (an SQLite failure may also surface as KD_EIO), the
 * handles must close cleanly, and, under `make sanitize`, LeakSanitizer checks that nothing
 * a failed call allocated is left behind. Allocations of the other libraries (utf8proc, PCRE2,
 * libcsv, jansson, glibc's own) are not counted: they are outside the link-time wrap (jansson
 * could be counted through json_set_alloc_funcs, but it reports some failures in the middle
 * of a document as syntax errors, which no caller can tell from the client's: api.c answers
 * 500 for those it does name, and for a parser that could not start).
 *
 * A failure injected once, not from then on: the next call must work again (a handle that
 * failed to grow a buffer must not stay broken), which every_allocation checks by running the
 * scenario again without failures after each run that had one. A scenario that changes a file
 * starts each run from the same copy of it, so the long maintenance of a model file is a Test
 * for each of its steps, each well under Criterion's timeout under `make sanitize`, run in
 * parallel.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/resource.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "helpers.h"
#include "kindly.h"
#include "server/akismet.h"
#include "server/api.h"
#include "server/reply.h"


void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n) { return fault_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return fault_now() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return fault_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fault_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fault_now() ? NULL : __real_strndup(s, n); }

/* SQLite's allocator, with the same count in front of it */
static sqlite3_mem_methods sqlite_mem;
static void *sq_malloc(int n) { return fault_now() ? NULL : sqlite_mem.xMalloc(n); }
static void *sq_realloc(void *p, int n) { return fault_now() ? NULL : sqlite_mem.xRealloc(p, n); }

static char dir[256];

static void setup(void)
{
    /* the file scenarios open, write and sync a model thousands of times: on tmpfs when there
       is one (8 s instead of 28 s for one scenario), else under $TMPDIR */
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
        snprintf(dir, sizeof dir, "/dev/shm/kindly-oom-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
    } else
        th_tmpdir(dir, sizeof dir);
    cr_assert_eq(sqlite3_shutdown(), SQLITE_OK);
    cr_assert_eq(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem), SQLITE_OK);
    sqlite3_mem_methods m = sqlite_mem;
    m.xMalloc = sq_malloc;
    m.xRealloc = sq_realloc;
    cr_assert_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
    cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
}

static void teardown(void) { th_rmrf(dir); }

TestSuite(oom, .init = setup, .fini = teardown, .timeout = 300);

static const struct {
    const char *id, *post, *author, *email, *url, *text;
    kd_label label;
} rows[] = {
    { "c1", "sleep", "Anna", "anna@example.org", NULL,
      "Thank you, the breathing exercise helped me sleep. I keep a journal now.", KD_HAM },
    { "c2", "sleep", "Best CBD", "sales@cbd.example", "http://cbd.example",
      "Buy the best CBD oil! Discount code CALM50 at <a href=\"http://cbd.example\">cbd.example</a> &amp; more",
      KD_SPAM },
    { "c3", "grief", "Dev", NULL, NULL,
      "Grief comes in waves \xE2\x80\x94 some days are easier. \xF0\x9F\x92\x9C Caf\xC3\xA9 talks help.", KD_HAM },
    { "c4", "grief", "Win Big", NULL, NULL,
      "FREE iPhone giveaway!!! Call +44 7700 900123 now, $5000 a week, \xE5\xBF\xAB\xE6\x9D\xA5\xE8\xB4\xAD\xE4\xB9\xB0 "
      "v\xD1\x96\xD0\xB0gr\xD0\xB0",
      KD_SPAM },
};

static kd_comment comment_of(size_t i)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = rows[i].id;
    c.post_id = rows[i].post;
    c.author = rows[i].author;
    c.email = rows[i].email;
    c.url = rows[i].url;
    c.text = rows[i].text;
    return c;
}

/* Classify every row with o; the first failure's code, or 0. */
static int classify_rows(kd_model *m, const kd_options *o)
{
    kd_result r;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        kd_comment c = comment_of(i);
        int rc = kd_classify(m, &c, o, &r);
        if (rc)
            return rc;
        kd_result_free(&r);
    }
    return KD_OK;
}

static int acceptable(int rc) { return rc == KD_OK || rc == KD_ENOMEM || rc == KD_EIO; }

/* Run scenario with allocation n failing, for every n until one run makes no failing
 * allocation; returns the number of runs. prepare, when not NULL, is called before every run
 * of scenario, without failures (to put back the files a run changes). */
static long every_allocation_from(void (*prepare)(void), int (*scenario)(void), const char *name)
{
    for (long n = 0;; n++) {
        if (prepare)
            prepare();
        fault_arm(n);
        int rc = scenario();
        long hit = fault_injected;
        fault_arm(-1);
        cr_assert(acceptable(rc), "%s, allocation %ld failing: %d (%s)", name, n, rc, kd_strerror(rc));
        if (!hit) {
            cr_assert_eq(rc, KD_OK, "%s without a failure: %d", name, rc);
            return n + 1;
        }
        if (prepare)
            prepare();
        cr_assert_eq(scenario(), KD_OK, "%s, run again after allocation %ld failed", name, n);
    }
}

static long every_allocation(int (*scenario)(void), const char *name)
{
    return every_allocation_from(NULL, scenario, name);
}

/* An in-memory model: train, classify every row (all stages but rules), merge counts in. */
static int train_and_classify(void)
{
    kd_model *m = NULL;
    int rc = kd_model_open(&m, ":memory:", KD_OPEN_CREATE);
    if (rc)
        goto done;
    /* a third post of 240 words, over the site's cap of 200 (posts.c, weigh_posts): its words
     * are read and tokenized again to weigh them down in the site's counts */
    static char guide[240 * 8 + 1];
    for (int i = 0; i < 240; i++)
        memcpy(guide + 8 * i, i % 2 ? "ledger  " : "budget  ", 8);
    if ((rc = kd_post_put(m, "sleep", "Sleeping better", "Breathing, a journal and a routine help sleep.")) ||
        (rc = kd_post_put(m, "grief", "Grief", "Grief comes in waves; talking helps.")) || /* the share among posts */
        (rc = kd_post_put(m, "money", "Money", guide)))
        goto done;
    if ((rc = kd_train_begin(m)))
        goto done;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        kd_comment c = comment_of(i);
        if ((rc = kd_train_add(m, &c, rows[i].label, 1))) {
            kd_train_abort(m);
            goto done;
        }
    }
    if ((rc = kd_train_commit(m)))
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    if ((rc = classify_rows(m, &o)))
        goto done;
done:
    kd_model_close(m);
    return rc;
}

Test(oom, train_and_classify_in_memory)
{
    cr_assert_gt(every_allocation(train_and_classify, "train and classify"), 50);
}

/* Rules: parse a small rule set and evaluate it through kd_classify on a fresh model. */
static int rules_scenario(void)
{
    static const char text[] =
        "text PHARMA /\\b(?:xanax|valium|cbd)\\b/i 2.5 Pharmacy words\n"
        "text FREE_GIFT /free\\s+iphone/i 2.0 A free phone\n"
        "count MANY_LINKS links >= 2 1.0 Several links\n";
    kd_rules *rules = NULL;
    kd_model *m = NULL;
    int rc = kd_rules_parse(&rules, "oom.rules", text, sizeof text - 1);
    if (rc)
        goto done;
    if ((rc = kd_model_open(&m, ":memory:", KD_OPEN_CREATE)))
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    o.rules = rules;
    if ((rc = classify_rows(m, &o)))
        goto done;
done:
    kd_model_close(m);
    kd_rules_free(rules);
    return rc;
}

Test(oom, rules_parse_and_classify)
{
    cr_assert_gt(every_allocation(rules_scenario, "rules"), 50);
}

/* Compiled rules: a rule file and its compiled file (written fresh before every run), loaded
 * from the compiled file (an allocation failing there is KD_ENOMEM, never a silent compile
 * from the text), written again, and evaluated. */
static char crules[512], ccompiled[600], cagain[600];

static void compiled_prepare(void)
{
    th_write(dir, "c.rules", "text PHARMA /\\b(?:xanax|valium|cbd)\\b/i 2.5 Pharmacy words\n"
                             "moderate free iphone\ncount MANY_LINKS links >= 2 1.0 Several links\n",
             crules, sizeof crules);
    snprintf(ccompiled, sizeof ccompiled, "%s.compiled", crules);
    snprintf(cagain, sizeof cagain, "%s/again.compiled", dir);
    kd_rules *r = NULL;
    cr_assert_eq(kd_rules_load(&r, crules), 0);
    cr_assert_eq(kd_rules_save_compiled(r, ccompiled), 0);
    kd_rules_free(r);
}

static int compiled_scenario(void)
{
    kd_rules *rules = NULL;
    kd_model *m = NULL;
    int rc = kd_rules_load(&rules, crules);
    if (rc)
        goto done;
    if (!kd_rules_compiled(rules)) {
        rc = KD_EINVAL; /* not acceptable(): the compiled file was dropped for want of memory */
        goto done;
    }
    if ((rc = kd_rules_save_compiled(rules, cagain)) || (rc = kd_model_open(&m, ":memory:", KD_OPEN_CREATE)))
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    o.rules = rules;
    rc = classify_rows(m, &o);
done:
    kd_model_close(m);
    kd_rules_free(rules);
    return rc;
}

Test(oom, compiled_rules_load_save_and_classify)
{
    cr_assert_gt(every_allocation_from(compiled_prepare, compiled_scenario, "compiled rules"), 10);
}

/* A model file: remember comments in the history (duplicates against it), give feedback;
 * then (model_file_reopened_read_only, below) reopen and classify against what was written. */
static char file_db[320];

static int file_scenario(void)
{
    snprintf(file_db, sizeof file_db, "%s/m.db", dir);
    remove(file_db);
    kd_model *m = NULL;
    int rc = kd_model_open(&m, file_db, KD_OPEN_CREATE);
    if (rc)
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    if ((rc = classify_rows(m, &o)))
        goto done;
    int changed = 0;
    kd_comment c = comment_of(1);
    if ((rc = kd_feedback(m, &c, KD_SPAM, 0, &changed)))
        goto done;
done:
    kd_model_close(m);
    return rc;
}

Test(oom, model_file_history_and_feedback)
{
    cr_assert_gt(every_allocation(file_scenario, "model file"), 50);
}

/* Opening a trained model read-only: an allocation failing in the first read (its
 * application id) is out of memory, named so; the reads after it must not replace the
 * error code with their own success ("cannot read model: not an error", KD_EIO). */
Test(oom, open_readonly_names_out_of_memory)
{
    char path[320];
    snprintf(path, sizeof path, "%s/ro.db", dir);
    remove(path);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), KD_OK);
    kd_comment c = comment_of(0);
    cr_assert_eq(kd_train_begin(m), KD_OK);
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), KD_OK);
    cr_assert_eq(kd_train_commit(m), KD_OK);
    kd_model_close(m);
    for (long n = 0;; n++) {
        m = NULL;
        fault_arm(n);
        int rc = kd_model_open(&m, path, KD_OPEN_READONLY);
        long hit = fault_injected;
        fault_arm(-1);
        const char *why = m ? kd_model_error(m) : "";
        cr_assert(rc == KD_OK || rc == KD_ENOMEM, "allocation %ld failing: %d (%s)", n, rc, why);
        cr_assert_null(strstr(why, "not an error"), "allocation %ld failing: %s", n, why);
        kd_model_close(m);
        if (!hit)
            break;
    }
}

/* A file size limit (ulimit -f) of 4096 bytes, which a commit's log cannot grow past (on), or
 * the limit as it was (off). */
static void small_file_size_limit(int on)
{
    static struct rlimit was;
    if (on) {
        cr_assert_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
        struct rlimit small = was;
        small.rlim_cur = 4096;
        signal(SIGXFSZ, SIG_IGN);
        cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    } else
        cr_assert_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
}

/* The earlier failure (rc) of a write past that limit: its message, kept in earlier. */
static void failed_past_the_limit(kd_model *m, int rc, char earlier[512])
{
    cr_assert_neq(rc, KD_OK);
    snprintf(earlier, 512, "%s", kd_model_error(m));
    cr_assert_not_null(strstr(earlier, "disk I/O error"), "%s", earlier);
}

/* A call that ran out of memory (rc) with allocation n failing says so, not earlier's words;
 * 1 when rc was KD_ENOMEM. */
static int named_out_of_memory(kd_model *m, int rc, long n, const char *earlier)
{
    if (rc != KD_ENOMEM)
        return 0;
    cr_assert_null(strstr(kd_model_error(m), "disk"), "allocation %ld failing: %s (earlier: %s)", n, kd_model_error(m),
                   earlier);
    cr_assert_not_null(strstr(kd_model_error(m), "out of memory"), "allocation %ld failing: %s", n, kd_model_error(m));
    return 1;
}

/* The message of a failure is that failure's own: an allocation failing in the store's
 * commit (the keys it sorts) after an earlier failure of the same handle (a write past a file
 * size limit) was named with the earlier failure's message, kept by the store ("cannot write
 * the counts in model stale.db: disk I/O error (...)"). */
Test(oom, a_failure_s_message_is_not_an_earlier_one_s)
{
    char path[320];
    snprintf(path, sizeof path, "%s/stale.db", dir);
    remove(path);
    kd_model *m = NULL;
    kd_comment c = comment_of(0);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), KD_OK);
    cr_assert_eq(kd_train_begin(m), KD_OK);
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), KD_OK);
    cr_assert_eq(kd_train_commit(m), KD_OK);
    kd_model_close(m);
    m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), KD_OK);
    /* the first failure: a file size limit (ulimit -f) the commit's log cannot grow past */
    small_file_size_limit(1);
    cr_assert_eq(kd_train_begin(m), KD_OK);
    cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), KD_OK);
    int first = kd_train_commit(m);
    small_file_size_limit(0);
    char earlier[512];
    failed_past_the_limit(m, first, earlier);
    long enomem = 0;
    for (long n = 0;; n++) {
        cr_assert_eq(kd_train_begin(m), KD_OK);
        cr_assert_eq(kd_train_add(m, &c, KD_HAM, 1), KD_OK);
        fault_arm(n);
        int rc = kd_train_commit(m);
        long hit = fault_injected;
        fault_arm(-1);
        enomem += named_out_of_memory(m, rc, n, earlier);
        if (!hit)
            break;
    }
    cr_assert_gt(enomem, 0);
    kd_model_close(m);
}

/* The CSV reader over a file with quotes, a BOM, a bad row and a long field. */
static int csv_scenario(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/in.csv", dir);
    kd_csv *r = NULL;
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    int rc = kd_csv_open(&r, path, &o);
    if (rc)
        goto done;
    const kd_csv_row *row;
    while ((rc = kd_csv_next(r, &row)) == 1)
        ;
done:
    kd_csv_free(r);
    return rc;
}

Test(oom, csv_reader)
{
    char path[320];
    static char text[20000];
    size_t k = (size_t)snprintf(text, sizeof text, "\xEF\xBB\xBFid,label,text\n1,ham,\"quoted, \"\"with\"\" comma\"\n"
                                                   "2,spam,\"two\nlines\"\n3,ham,a,b,c\n4,ham,");
    memset(text + k, 'x', 12000);
    memcpy(text + k + 12000, "\n5,spam,end\n", 13);
    th_write(dir, "in.csv", text, path, sizeof path);
    cr_assert_gt(every_allocation(csv_scenario, "csv"), 5);
}

/* Out of memory while a rule file or a CSV file is read is named by the file (and the line
 * being read, when there is one), as the reader's other failures are: it was 'out of memory'
 * alone, so that a command reading several files (score --rules R, train A B) named none. */
Test(oom, reading_a_file_names_it_when_out_of_memory)
{
    static const char text[] = "text PHARMA /\\b(?:xanax|valium|cbd)\\b/i 2.5 Pharmacy words\n"
                               "count MANY_LINKS links >= 2 1.0 Several links\n";
    long named = 0, lines = 0;
    for (long n = 0;; n++) {
        kd_rules *rules = NULL;
        fault_arm(n);
        int rc = kd_rules_parse(&rules, "oom.rules", text, sizeof text - 1);
        long hit = fault_injected;
        fault_arm(-1);
        if (rc == KD_ENOMEM && rules) {
            const char *e = kd_rules_error(rules);
            cr_assert(!strncmp(e, "oom.rules:", 10) || !strncmp(e, "oom.rules: ", 11), "allocation %ld: '%s'", n, e);
            cr_assert_not_null(strstr(e, "out of memory"), "allocation %ld: '%s'", n, e);
            named++;
            lines += !strncmp(e, "oom.rules:1: ", 13) || !strncmp(e, "oom.rules:2: ", 13);
        }
        kd_rules_free(rules);
        if (!hit)
            break;
    }
    cr_assert_gt(named, 5);
    cr_assert_gt(lines, 0);
    char path[320];
    th_write(dir, "named.csv", "id,label,text\n1,ham,\"quoted, \"\"with\"\" comma\"\n2,spam,\"two\nlines\"\n", path,
             sizeof path);
    named = lines = 0;
    for (long n = 0;; n++) {
        kd_csv *r = NULL;
        kd_csv_options o = KD_CSV_OPTIONS_INIT;
        fault_arm(n);
        int rc = kd_csv_open(&r, path, &o);
        const kd_csv_row *row;
        while (!rc && (rc = kd_csv_next(r, &row)) == 1)
            ;
        long hit = fault_injected;
        fault_arm(-1);
        if (rc == KD_ENOMEM && r) {
            const char *e = kd_csv_error(r);
            cr_assert(!strncmp(e, path, strlen(path)) && e[strlen(path)] == ':', "allocation %ld: '%s'", n, e);
            cr_assert_not_null(strstr(e, "out of memory"), "allocation %ld: '%s'", n, e);
            named++;
            lines += e[strlen(path) + 1] >= '1' && e[strlen(path) + 1] <= '9';
        }
        kd_csv_free(r);
        if (!hit)
            break;
    }
    cr_assert_gt(named, 0);
    cr_assert_gt(lines, 0);
}

/* Maintenance of a model file: posts imported from CSV, a shard merged in, tokens and history
 * pruned and the file packed; and eval's figures. A Test for each, each opening the model it
 * starts from (a copy of the file the steps before it left, made without failures), so that a
 * run repeats only the open and its own step: as one scenario, every allocation of all the
 * steps failed in turn and each run repeated all of them, nearly five times the CPU time of
 * the longest Test here under `make sanitize`, close to Criterion's timeout on a busy machine. */
static char main_db[320], from_db[320];

/* Remove the model file path and the journals a failed run may have left beside it (a hot
 * -journal or a -wal would be played into the next file of that name). */
static void remove_model(const char *path)
{
    static const char *const side[] = { "", "-journal", "-wal", "-shm" };
    char p[340];
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        snprintf(p, sizeof p, "%s%s", path, side[i]);
        remove(p);
    }
}

/* Copy the closed model src to dst, in place of dst and its journals. */
static void copy_file(const char *src, const char *dst)
{
    char buf[8192];
    remove_model(dst);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    cr_assert(in && out, "copy %s to %s", src, dst);
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        cr_assert_eq(fwrite(buf, 1, k, out), k);
    cr_assert(!ferror(in) && fclose(in) == 0 && fclose(out) == 0, "copy %s to %s", src, dst);
}

static void fresh_main(void) { remove_model(main_db); }
static void main_from(void) { copy_file(from_db, main_db); }

/* The model file_scenario leaves, reopened read-only with its preload, and a comment
 * classified against it. Each run starts from a copy of the file file_scenario wrote once,
 * without failures: as one scenario with it, every run repeated the writes, and this was the
 * longest Test here (108 s of 375 s under load, with --jobs 2). */
static char file_written[340];
static void file_from_written(void) { copy_file(file_written, file_db); }

static int reopen_scenario(void)
{
    kd_model *m = NULL;
    kd_result r;
    int rc = kd_model_open(&m, file_db, KD_OPEN_READONLY | KD_OPEN_PRELOAD);
    if (rc)
        goto done;
    kd_options o = KD_OPTIONS_INIT;
    kd_comment c = comment_of(1);
    c.id = "c2-again";
    if ((rc = kd_classify(m, &c, &o, &r)))
        goto done;
    kd_result_free(&r);
done:
    kd_model_close(m);
    return rc;
}

Test(oom, model_file_reopened_read_only)
{
    cr_assert_eq(file_scenario(), KD_OK);
    char wal[340];
    snprintf(wal, sizeof wal, "%s-wal", file_db);
    cr_assert_neq(access(wal, F_OK), 0, "%s left after close: the copy would miss it", wal);
    snprintf(file_written, sizeof file_written, "%s/written.db", dir);
    copy_file(file_db, file_written);
    cr_assert_gt(every_allocation_from(file_from_written, reopen_scenario, "model file reopened"), 50);
}

/* The steps, each on an open model; a step that does not use the CSV reader leaves r NULL. */
static int csv_failed; /* step_posts could not open posts.csv: the reader's failure */
static int step_posts(kd_model *m, kd_csv **r)
{
    char posts[320];
    snprintf(posts, sizeof posts, "%s/posts.csv", dir);
    kd_csv_options co = KD_CSV_OPTIONS_INIT;
    co.kind = KD_CSV_RAW;
    uint64_t n;
    int rc = kd_csv_open(r, posts, &co);
    csv_failed = rc != KD_OK;
    return rc ? rc : kd_posts_import(m, *r, &n, NULL);
}

static int step_merge(kd_model *m, kd_csv **r)
{
    (void)r;
    char shard[320];
    snprintf(shard, sizeof shard, "%s/shard.db", dir);
    return kd_model_merge(m, shard);
}

static int step_prune(kd_model *m, kd_csv **r)
{
    (void)r;
    uint64_t n;
    int rc = kd_model_prune(m, 2, &n);
    return rc ? rc : kd_history_prune(m, INT64_MIN, 1, &n);
}

/* Pack on the handle that pruned, as the maintenance did it. */
static int step_prune_pack(kd_model *m, kd_csv **r)
{
    int rc = step_prune(m, r);
    return rc ? rc : kd_model_pack(m);
}

/* Pack alone, on a handle that did nothing before it (kindly info --pack). */
static int step_pack(kd_model *m, kd_csv **r)
{
    (void)r;
    return kd_model_pack(m);
}

/* Classify a comment of its own, number i, remembering it. */
static int remember_new(kd_model *m, int i)
{
    char id[32], text[96];
    snprintf(id, sizeof id, "new-%d", i);
    snprintf(text, sizeof text, "comment number %d says something %d times over", i, i * 7);
    kd_comment c = comment_of(0);
    c.id = id;
    c.text = text;
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    kd_result r;
    int rc = kd_classify(m, &c, &o, &r);
    if (!rc)
        kd_result_free(&r);
    return rc;
}

/* As a_failure_s_message_is_not_an_earlier_one_s, for the history: an allocation of its own
 * failing in a prune (the doomed set, the chunk's edits, the kept lists) after a write of the
 * history refused by a file size limit was named with the earlier failure's message, kept by
 * the history ("cannot prune the history in model M: disk I/O error (...)"). Each run starts
 * from the same file, with three comments to prune. */
Test(oom, a_history_failure_s_message_is_not_an_earlier_one_s)
{
    char from[320];
    snprintf(from, sizeof from, "%s/history-from.db", dir);
    snprintf(main_db, sizeof main_db, "%s/history.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, from, KD_OPEN_CREATE), KD_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(remember_new(m, i), KD_OK);
    kd_model_close(m);
    long enomem = 0;
    for (long n = 0;; n++) {
        remove_model(main_db);
        copy_file(from, main_db);
        m = NULL;
        cr_assert_eq(kd_model_open(&m, main_db, KD_OPEN_WRITE), KD_OK);
        /* the earlier failure: recording a comment past a file size limit (ulimit -f) */
        small_file_size_limit(1);
        int first = remember_new(m, 4);
        small_file_size_limit(0);
        char earlier[512];
        failed_past_the_limit(m, first, earlier);
        uint64_t removed = 0;
        fault_arm(n);
        int rc = kd_history_prune(m, INT64_MIN, 1, &removed);
        long hit = fault_injected;
        fault_arm(-1);
        enomem += named_out_of_memory(m, rc, n, earlier);
        if (!hit) {
            cr_assert_eq(rc, KD_OK, "%s", kd_model_error(m));
            cr_assert_eq(removed, 3);
        }
        kd_model_close(m);
        if (!hit)
            break;
    }
    cr_assert_gt(enomem, 0);
}

static int (*step)(kd_model *m, kd_csv **r);

/* Open main_db (creating it for the first step), run step, close. A failure is one line
 * naming the model file (or posts.csv, for a failure reading it), never SQLite's "not an
 * error" (a message taken after the failure was gone, or of a failure that was not SQLite's);
 * kd_csv_open's own failure is the reader's to name, not the model's. */
static int maintenance_step(void)
{
    kd_model *m = NULL;
    kd_csv *r = NULL;
    int rc = kd_model_open(&m, main_db, KD_OPEN_CREATE);
    csv_failed = 0;
    if (!rc)
        rc = step(m, &r);
    if (rc && m && !csv_failed) {
        const char *why = kd_model_error(m);
        char posts[320];
        snprintf(posts, sizeof posts, "%s/posts.csv", dir);
        cr_assert((strstr(why, main_db) || strstr(why, posts)) && !strstr(why, "not an error") && !strchr(why, '\n'),
                  "allocation %ld failing: %s", fault_at, why);
    }
    kd_csv_free(r);
    kd_model_close(m);
    return rc;
}

/* The fixture: posts.csv, shard.db (the rows trained) and, for the steps after the first,
 * from_db: the model the steps before `upto` left, run without failures. */
static void maintenance_fixture(int (*upto)(kd_model *, kd_csv **))
{
    char path[320];
    th_write(dir, "posts.csv", "post_id,title,text\nsleep,Sleeping better,\"Breathing, a journal.\"\n"
                               "grief,Grief,Waves of grief and the days between.\n", path, sizeof path);
    snprintf(path, sizeof path, "%s/shard.db", dir);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0);
    cr_assert_eq(kd_train_begin(m), 0);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        kd_comment c = comment_of(i);
        cr_assert_eq(kd_train_add(m, &c, rows[i].label, 1), 0);
    }
    cr_assert_eq(kd_train_commit(m), 0);
    kd_model_close(m);
    snprintf(main_db, sizeof main_db, "%s/main.db", dir);
    snprintf(from_db, sizeof from_db, "%s/from.db", dir);
    static int (*const steps[])(kd_model *, kd_csv **) = { step_posts, step_merge, step_prune };
    fresh_main();
    for (size_t i = 0; i < sizeof steps / sizeof *steps && steps[i] != upto; i++) {
        step = steps[i];
        cr_assert_eq(maintenance_step(), KD_OK);
        char wal[340];
        snprintf(wal, sizeof wal, "%s-wal", main_db);
        cr_assert_neq(access(wal, F_OK), 0, "%s left after close: the copy would miss it", wal);
        copy_file(main_db, from_db);
    }
    step = upto;
}

Test(oom, posts_import)
{
    maintenance_fixture(step_posts);
    cr_assert_gt(every_allocation_from(fresh_main, maintenance_step, "posts import"), 50);
}

Test(oom, model_merge)
{
    maintenance_fixture(step_merge);
    cr_assert_gt(every_allocation_from(main_from, maintenance_step, "merge"), 50);
}

Test(oom, model_prune_and_pack)
{
    maintenance_fixture(step_prune);
    step = step_prune_pack;
    cr_assert_gt(every_allocation_from(main_from, maintenance_step, "prune and pack"), 50);
}

/* Out of memory in a pack is out of memory: an allocation failing in it on a freshly opened
 * handle (the 407th counted from the open) answered KD_EBUSY, "cannot pack ... while another
 * process ... has it open", which sends the user looking for a process that is not there. */
Test(oom, model_pack_fresh_handle)
{
    maintenance_fixture(step_prune);
    step = step_pack;
    cr_assert_gt(every_allocation_from(main_from, maintenance_step, "pack"), 50);
}

/* A read transaction whose COMMIT fails (out of memory parsing it) must not be left open: the
 * handle would keep its old snapshot and fail its next write ("cannot start a transaction
 * within a transaction") and a pack ("database table is locked", answered as another process
 * holding the file). Scoring on a model not preloaded reads the totals and the counts in one
 * snapshot; after each failing allocation the same handle must remember a comment and pack. */
Test(oom, classify_ends_its_read)
{
    char path[320];
    snprintf(path, sizeof path, "%s/read.db", dir);
    remove_model(path);
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), KD_OK);
    cr_assert_eq(kd_train_begin(m), KD_OK);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        kd_comment c = comment_of(i);
        cr_assert_eq(kd_train_add(m, &c, rows[i].label, 1), KD_OK);
    }
    cr_assert_eq(kd_train_commit(m), KD_OK);
    kd_model_close(m);
    for (long n = 0;; n++) {
        m = NULL;
        cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), KD_OK);
        kd_options o = KD_OPTIONS_INIT;
        kd_comment c = comment_of(1);
        kd_result r;
        fault_arm(n);
        int rc = kd_classify(m, &c, &o, &r);
        long hit = fault_injected;
        fault_arm(-1);
        cr_assert(acceptable(rc), "classify, allocation %ld failing: %d (%s)", n, rc, kd_model_error(m));
        if (!rc)
            kd_result_free(&r);
        o.remember = 1;
        cr_assert_eq(kd_classify(m, &c, &o, &r), KD_OK, "remember after allocation %ld failed in a classify: %s",
                     n, kd_model_error(m));
        kd_result_free(&r);
        cr_assert_eq(kd_model_pack(m), KD_OK, "pack after allocation %ld failed in a classify: %s", n,
                     kd_model_error(m));
        kd_model_close(m);
        if (!hit)
            break;
    }
}

/* A lookup batch's read transaction ended by kd_history_flush: a COMMIT that fails (out of
 * memory preparing it) must not leave the transaction open, as it did unreported: the handle
 * kept its old snapshot, the WAL could not be checkpointed past it, and its next write failed
 * ("cannot start a transaction within a transaction"), as did a pack (table locked). After
 * each failing allocation, the same handle must remember a comment and pack the file. */
Test(oom, lookup_batch_flush_ends_its_read)
{
    char path[320];
    snprintf(path, sizeof path, "%s/look.db", dir);
    for (long n = 0;; n++) {
        remove_model(path);
        kd_model *m = NULL;
        cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), KD_OK);
        kd_options o = KD_OPTIONS_INIT;
        o.remember = 1;
        cr_assert_eq(classify_rows(m, &o), KD_OK, "%s", kd_model_error(m));
        o.remember = 0;
        cr_assert_eq(kd_history_batch_begin(m), KD_OK);
        cr_assert_eq(classify_rows(m, &o), KD_OK, "%s", kd_model_error(m));
        fault_arm(n);
        int rc = kd_history_flush(m);
        long hit = fault_injected;
        fault_arm(-1);
        cr_assert(acceptable(rc), "flush, allocation %ld failing: %d (%s)", n, rc, kd_model_error(m));
        kd_comment c = comment_of(0);
        c.id = "c1-after";
        kd_result r;
        o.remember = 1;
        cr_assert_eq(kd_classify(m, &c, &o, &r), KD_OK, "remember after allocation %ld failed in a flush: %s", n,
                     kd_model_error(m));
        kd_result_free(&r);
        cr_assert_eq(kd_model_pack(m), KD_OK, "pack after allocation %ld failed in a flush: %s", n,
                     kd_model_error(m));
        kd_model_close(m);
        if (!hit)
            break;
    }
}

static int eval_scenario(void)
{
    kd_eval *e = NULL;
    kd_eval_figures f;
    int rc = kd_eval_new(&e);
    for (int i = 0; i < 40 && !rc; i++)
        rc = kd_eval_add(e, i % 3 ? KD_HAM : KD_SPAM, (i % 7) / 7.0, i % 2 ? KD_APPROVE : KD_HOLD);
    if (!rc)
        rc = kd_eval_figures_get(e, &f);
    kd_eval_free(e);
    return rc;
}

Test(oom, eval_figures)
{
    cr_assert_gt(every_allocation(eval_scenario, "eval"), 2);
}

/* The server's handlers, without a socket: an Akismet comment-check and submit-spam, a JSON
 * batch classified and a JSON feedback. Each answer must be 200, or 500/503 when memory ran
 * out, never a 4xx blaming the client for the server's failure. */
static int answered(srv_reply *r, int *rc)
{
    if (r->status != 200 && *rc == KD_OK)
        *rc = r->status == 500 || r->status == 503 ? KD_ENOMEM : KD_ERROR;
    if (*rc == KD_ERROR)
        cr_log_error("status %d: %.*s", r->status, (int)r->len, r->body ? r->body : "");
    srv_reply_free(r);
    return *rc;
}

static int server_scenario(void)
{
    static const char form[] = "blog=http%3A%2F%2Fblog.example&user_ip=192.0.2.1&comment_type=comment"
                               "&comment_author=Win+Big&comment_content=FREE+iPhone+giveaway%21%21%21+Call+now"
                               "&comment_ID=42&comment_post_ID=sleep";
    static const char batch[] = "[{\"id\":\"j1\",\"post_id\":\"sleep\",\"author\":\"Anna\",\"text\":"
                                "\"The breathing exercise helped me sleep\"},{\"id\":\"j2\",\"text\":"
                                "\"Cheap xanax, no prescription http://rx.example\"}]";
    static const char feedback[] = "{\"id\":\"j2\",\"text\":\"Cheap xanax, no prescription http://rx.example\","
                                   "\"label\":\"spam\"}";
    kd_model *m = NULL;
    srv_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.options = (kd_options)KD_OPTIONS_INIT;
    cfg.writable = 1;
    int rc = kd_model_open(&m, ":memory:", KD_OPEN_CREATE);
    if (rc)
        goto done;
    srv_reply r;
    srv_request q = { EP_COMMENT_CHECK, form, sizeof form - 1, NULL, "application/x-www-form-urlencoded", m, &cfg,
                      NULL, NULL };
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    if (answered(&r, &rc))
        goto done;
    q.endpoint = EP_SUBMIT_SPAM;
    srv_reply_init(&r);
    akismet_handle(&q, &r);
    if (answered(&r, &rc))
        goto done;
    srv_request j = { EP_CLASSIFY, batch, sizeof batch - 1, NULL, "application/json", m, &cfg, NULL, NULL };
    srv_reply_init(&r);
    api_handle(&j, &r);
    if (answered(&r, &rc))
        goto done;
    j.endpoint = EP_FEEDBACK;
    j.body = feedback;
    j.len = sizeof feedback - 1;
    srv_reply_init(&r);
    api_handle(&j, &r);
    answered(&r, &rc);
done:
    kd_model_close(m);
    return rc;
}

Test(oom, server_handlers)
{
    cr_assert_gt(every_allocation(server_scenario, "server"), 50);
}
