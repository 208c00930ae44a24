/* test_history.c - the history in a real model file: remembered comments are found by another
 * handle, survive reopening, and are pruned by age and by count. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>

#include "date_cases.h"
#include "helpers.h"
#include "race.h"
#include "kindly.h"
#include "model.h"
#include "store.h"
#include <time.h>

static char dir[256], path[512];
static void setup(void)
{
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/h.db", dir);
}
static void teardown(void)
{
    if (getuid() == 0 && geteuid() != 0) /* back from only_readable() */
        cr_assert_eq(seteuid(0), 0);
    th_rmrf(dir);
}
TestSuite(history, .init = setup, .fini = teardown);

static kd_model *open_w(void)
{
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_CREATE), 0, "%s", kd_model_error(m));
    return m;
}

static void remember(kd_model *m, const char *id, const char *date, const char *text)
{
    kd_comment c = KD_COMMENT_INIT;
    c.id = id;
    c.author = id;
    c.date = date;
    c.text = text;
    cr_assert_eq(kd_history_record(m, &c), 0, "%s", kd_model_error(m));
}

Test(history, another_handle_finds_remembered_comments)
{
    kd_model *a = open_w();
    remember(a, "old", "2020-01-01", "Sign up for our newsletter and win a free holiday in Spain this summer");
    kd_model_close(a);
    kd_model *b = NULL;
    cr_assert_eq(kd_model_open(&b, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(b));
    kd_comment c = KD_COMMENT_INIT;
    c.id = "new";
    c.author = "someone";
    c.text = "Sign up for our newsletter and win a FREE holiday in Spain this summer!!! \xf0\x9f\x98\x8a";
    kd_result r;
    cr_assert_eq(kd_classify(b, &c, NULL, &r), 0, "%s", kd_model_error(b));
    cr_assert_str_eq(r.duplicate_of, "old");
    cr_assert_float_eq(r.similarity, 1.0, 1e-9);
    cr_assert_str_eq(r.duplicate_scope, "site");
    kd_result_free(&r);
    /* a read-only handle cannot remember */
    kd_options o = KD_OPTIONS_INIT;
    o.remember = 1;
    cr_assert_eq(kd_classify(b, &c, &o, &r), KD_EINVAL);
    kd_result_free(&r);
    kd_model_close(b);
}

Test(history, batch_then_prune_by_age_and_count)
{
    kd_model *m = open_w();
    cr_assert_eq(kd_history_batch_begin(m), 0);
    char id[16], text[128];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "c%d", i);
        snprintf(text, sizeof text, "comment number %d with some distinct words %d", i, i * 7919);
        remember(m, id, i < 4 ? "2001-02-03 04:05:06" : NULL, text);
    }
    cr_assert_eq(kd_history_flush(m), 0);
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 10);
    cr_assert_eq(st.index_entries, 10 * 12);
    cr_assert_eq(st.oldest, 981173106);
    uint64_t removed = 0;
    cr_assert_eq(kd_history_prune(m, 1000000000, 0, &removed), 0, "%s", kd_model_error(m));
    cr_assert_eq(removed, 4);
    cr_assert_eq(kd_history_prune(m, INT64_MIN, 2, &removed), 0);
    cr_assert_eq(removed, 4);
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 2);
    cr_assert_eq(st.index_entries, 2 * 12);
    kd_model_close(m);
}

/* A comment is recorded at its date: ISO 8601 with or without a time and an offset, and the
 * basic format (date_cases.h); a date cut short after the 'T' or the sign is unreadable (the
 * recording time is used) and is never read beyond its end (each date is its own allocation,
 * so ASan sees an over-read). What kd_date_parse reads of each: test_date.c. */
Test(history, dates_are_recorded_and_short_ones_not_read_past_their_end)
{
    for (size_t i = 0; i < NISO; i++) {
        kd_model *m = open_w();
        char *date = strdup(iso_dates[i].date);
        int64_t before = (int64_t)time(NULL);
        remember(m, "d1", date, "a comment with a date of its own");
        free(date);
        kd_history_stats st;
        cr_assert_eq(kd_history_stats_get(m, &st), 0);
        if (iso_dates[i].t >= 0)
            cr_assert_eq(st.oldest, iso_dates[i].t, "%s: %lld", iso_dates[i].date, (long long)st.oldest);
        else
            cr_assert_geq(st.oldest, before, "%s is unreadable: recorded now", iso_dates[i].date);
        kd_model_close(m);
        th_rmrf(dir); /* the next case starts from a new model */
        cr_assert_eq(mkdir(dir, 0755), 0);
    }
}

static size_t date_index[NDATES]; /* the parameter is the index: see test_normalize.c */

ParameterizedTestParameters(history, basic_format_dates_and_offsets_after_a_date)
{
    for (size_t i = 0; i < NDATES; i++)
        date_index[i] = i;
    return cr_make_param_array(size_t, date_index, NDATES);
}

ParameterizedTest(size_t *ix, history, basic_format_dates_and_offsets_after_a_date)
{
    const date_case *c = &dates[*ix];
    kd_model *m = open_w();
    char *date = strdup(c->date); /* its own allocation: ASan sees an over-read */
    int64_t before = (int64_t)time(NULL);
    remember(m, "d1", date, "a comment with a date of its own");
    free(date);
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    if (c->t >= 0)
        cr_expect_eq(st.oldest, c->t, "%s: %lld, not %lld", c->date, (long long)st.oldest,
                     (long long)c->t);
    else
        cr_expect_geq(st.oldest, before, "%s is unreadable: recorded now, not %lld", c->date,
                      (long long)st.oldest);
    kd_model_close(m);
}

/* Make the model file one this process may read but not write: mode 0444 and, as root (who
 * writes anything), the effective user nobody until teardown. The directory stays writable:
 * SQLite reads a WAL file through a -shm file it creates beside it. */
static void only_readable(void)
{
    cr_assert_eq(chmod(dir, 0777), 0);
    cr_assert_eq(chmod(path, 0444), 0);
    if (geteuid() == 0)
        cr_assert_eq(seteuid(65534), 0);
}

/* SQLite opens a file it may not write read-only without a word, and each write then failed
 * (with SQLite's "attempt to write a readonly database"). Opening it for writing is refused
 * instead: a file that cannot be written (KD_EIO, the CLI's exit 5), not a bad argument, and
 * said before anything was attempted. Read-only, it still opens and reads. */
Test(history, a_model_file_it_cannot_write_is_not_opened_for_writing)
{
    kd_model *m = open_w();
    remember(m, "a", NULL, "the first comment of the history, which pruning would delete");
    remember(m, "b", NULL, "the second comment of the history, which pruning would keep");
    kd_model_close(m);
    only_readable();
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_WRITE), KD_EIO);
    cr_assert(strstr(kd_model_error(m), "for writing: Permission denied (this user may not write the file)"),
              "%s", kd_model_error(m));
    kd_model_close(m);
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0, "%s", kd_model_error(m));
    cr_assert_eq(st.comments, 2);
    kd_model_close(m);
}

/* ---- the posting-list index (history.c), driven directly on a model file's connection ---- */

#include <sqlite3.h>

#include "history.h"

static sqlite3 *open_db(void)
{
    kd_model_close(open_w()); /* create the file with the current schema */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static int64_t insert(kd_hist *h, int64_t key0)
{
    kd_hist_rec r;
    memset(&r, 0, sizeof r);
    r.id = "x";
    r.time = 1;
    int64_t keys[KD_MH_BANDS];
    for (int i = 0; i < KD_MH_BANDS; i++)
        keys[i] = ((int64_t)i << 32) | (int64_t)(0x12340000u + (uint32_t)i * 0x1000000u);
    keys[0] = key0;
    cr_assert_eq(kd_hist_insert(h, &r, keys), 0, "%s", kd_hist_errmsg(h));
    return r.seq;
}

/* insert() with a time of its own (the comment's date: not in recording order) */
static int64_t insert_at(kd_hist *h, int64_t key0, int64_t time)
{
    kd_hist_rec r;
    memset(&r, 0, sizeof r);
    r.id = "x";
    r.time = time;
    int64_t keys[KD_MH_BANDS];
    for (int i = 0; i < KD_MH_BANDS; i++)
        keys[i] = ((int64_t)i << 32) | (int64_t)(0x12340000u + (uint32_t)i * 0x1000000u);
    keys[0] = key0;
    cr_assert_eq(kd_hist_insert(h, &r, keys), 0, "%s", kd_hist_errmsg(h));
    return r.seq;
}

typedef struct { int64_t seq[64]; int n; } got;
static int collect(void *ud, int64_t seq)
{
    got *g = ud;
    if (g->n < 64)
        g->seq[g->n++] = seq;
    return 0;
}

/* what band 0 of a query with key0 finds (the other bands use keys nobody else has) */
static got lookup(kd_hist *h, int64_t key0, unsigned per_key)
{
    int64_t keys[KD_MH_BANDS];
    for (int i = 0; i < KD_MH_BANDS; i++)
        keys[i] = ((int64_t)i << 32) | 0xfffffffu;
    keys[0] = key0;
    got g = { .n = 0 };
    cr_assert_eq(kd_hist_candidates(h, keys, per_key, collect, &g), 0);
    return g;
}

static int64_t count_rows(sqlite3 *db)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM history_lsh", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

Test(history, a_shared_bucket_returns_only_the_matching_check_earliest_first)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    /* same bucket (band 0, top 16 bits 0xabcd), two checks: 40 comments with 0x0001,
     * 5 with 0x0002, interleaved */
    int64_t a = 0xabcd0001, b = 0xabcd0002;
    int64_t first_a = 0;
    cr_assert_eq(kd_hist_begin(h), 0);
    for (int i = 0; i < 45; i++) {
        int64_t s = insert(h, i % 9 == 8 ? b : a);
        if (!first_a)
            first_a = s;
    }
    cr_assert_eq(kd_hist_commit(h), 0);
    got g = lookup(h, a, 32);
    cr_assert_eq(g.n, 32, "per_key limits a bucket to the 32 earliest");
    cr_assert_eq(g.seq[0], first_a);
    for (int i = 1; i < g.n; i++)
        cr_assert_gt(g.seq[i], g.seq[i - 1]);
    g = lookup(h, b, 32);
    cr_assert_eq(g.n, 5);
    for (int i = 0; i < g.n; i++)
        cr_assert_eq(g.seq[i] % 9, 0, "only the entries with b's check (seq %lld)", (long long)g.seq[i]);
    g = lookup(h, 0xabcd0003, 32);
    cr_assert_eq(g.n, 0);
    /* 45 comments x 12 bands, but band 0 shares one row and the other bands one row each */
    cr_assert_eq(count_rows(db), KD_MH_BANDS);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* Of two labelled records of one comment (one id, one text), kd_hist_labelled names the latest:
 * feedback on the comment reads that record's label (dedup.c), not the earliest one's. */
Test(history, the_labelled_record_of_an_id_and_text_is_the_latest)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t seq[3];
    uint8_t sig[KD_MH_SIGBYTES];
    memset(sig, 7, sizeof sig);
    cr_assert_eq(kd_hist_begin(h), 0);
    for (int i = 0; i < 3; i++) {
        kd_hist_rec r;
        memset(&r, 0, sizeof r);
        r.id = "c1";
        r.time = 1;
        r.text_hash = 0x1234;
        memcpy(r.sig, sig, sizeof sig);
        int64_t keys[KD_MH_BANDS];
        for (int b = 0; b < KD_MH_BANDS; b++)
            keys[b] = ((int64_t)b << 32) | 0x5678;
        cr_assert_eq(kd_hist_insert(h, &r, keys), 0, "%s", kd_hist_errmsg(h));
        seq[i] = r.seq;
    }
    cr_assert_eq(kd_hist_set_label(h, seq[0], KD_SPAM), 0);
    cr_assert_eq(kd_hist_set_label(h, seq[1], KD_HAM), 0); /* seq[2]: not labelled */
    cr_assert_eq(kd_hist_commit(h), 0);
    int64_t found = 0;
    cr_assert_eq(kd_hist_labelled(h, "c1", 0x1234, sig, &found), 0);
    cr_assert_eq(found, seq[1], "the latest labelled record %lld, found %lld", (long long)seq[1], (long long)found);
    cr_assert_eq(kd_hist_labelled(h, "c2", 0x1234, sig, &found), 0);
    cr_assert_eq(found, 0, "another id");
    kd_hist_free(h);
    sqlite3_close(db);
}

static int list_len(sqlite3 *db, int64_t bucket)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT length(entries) FROM history_lsh WHERE bucket = ?1", -1, &st, NULL),
                 SQLITE_OK);
    sqlite3_bind_int64(st, 1, bucket);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int len = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return len;
}

/* A campaign (the same text again and again) must not make a row grow without end: past
 * ~4,000 bytes a list keeps of a band key the earliest and the latest KD_HIST_PER_CHECK
 * entries, a new one taking the place of the earliest of the latest, and the earliest copies
 * are still the ones found. Other keys of the bucket still go in. (The list grows by a byte
 * for each 3-byte entry, seq < 128, that a 4-byte one replaces.) */
Test(history, a_campaign_bucket_stops_growing)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t k = 0x4242000a, first = 0;
    cr_assert_eq(kd_hist_begin(h), 0);
    for (int i = 0; i < 1500; i++) {
        int64_t s = insert(h, k);
        if (!first)
            first = s;
    }
    int len = list_len(db, 0x4242);
    cr_assert_lt(len, 4100, "the list is %d bytes", len);
    for (int i = 0; i < 500; i++)
        insert(h, k);
    /* a 4-byte entry may still take the place of a 3-byte one (one copy in LATEST_STRIDE) */
    cr_assert_lt(list_len(db, 0x4242), 4100, "the list grew from %d to %d bytes", len, list_len(db, 0x4242));
    int64_t other = insert(h, 0x4242000b);
    cr_assert_eq(kd_hist_commit(h), 0);
    got g = lookup(h, k, KD_HIST_PER_CHECK);
    cr_assert_eq(g.n, KD_HIST_PER_CHECK);
    cr_assert_eq(g.seq[0], first);
    g = lookup(h, 0x4242000b, KD_HIST_PER_CHECK);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.seq[0], other);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* A campaign's copies past the cap are kept in its lists (the earliest copies, then the latest,
 * the ones between dropped as new ones come): once a prune has deleted the earliest, a new copy
 * still finds the copies left. Before, the copies past the cap had no entry, and after a prune
 * of the earliest (the oldest, first to go by age or count) none of the campaign's 1,000
 * copies left was found. */
Test(history, a_campaign_is_still_found_once_its_earliest_copies_are_pruned)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t k = 0x4242000a, seq[3000];
    cr_assert_eq(kd_hist_begin(h), 0);
    for (int i = 0; i < 3000; i++)
        seq[i] = insert(h, k);
    cr_assert_eq(kd_hist_commit(h), 0);
    got g = lookup(h, k, KD_HIST_PER_CHECK);
    cr_assert_eq(g.n, KD_HIST_PER_CHECK);
    cr_assert_eq(g.seq[0], seq[0], "the earliest copies are the ones found");
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 1000, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, 2000);
    g = lookup(h, k, KD_HIST_PER_CHECK);
    cr_assert_eq(g.n, KD_HIST_PER_CHECK, "%d of the campaign's copies found", g.n);
    for (int i = 0; i < g.n; i++) /* copies that are left, earliest first */
        cr_assert(g.seq[i] >= seq[2000] && (i == 0 || g.seq[i] > g.seq[i - 1]), "entry %d: %lld", i,
                  (long long)g.seq[i]);
    /* past the cap only one copy in LATEST_STRIDE (16: seq a multiple of it) was stored, so the
       latest entries reach 16 times further back: the copies found are every 16th from the
       first kept, not the KD_HIST_PER_CHECK copies after the prune (storing every copy
       rewrote the row each time) */
    for (int i = 0; i < g.n; i++)
        cr_assert_eq(g.seq[i], (seq[2000] + 15) / 16 * 16 + 16 * i, "entry %d: %lld", i, (long long)g.seq[i]);
    kd_hist_free(h);
    sqlite3_close(db);
}

Test(history, pruning_cuts_every_list_and_drops_empty_ones)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t k = 0x55550042;
    int64_t seq[10];
    for (int i = 0; i < 10; i++)
        seq[i] = insert(h, i < 5 ? k : (int64_t)(0x66660000 + i)); /* 5 share band 0's row */
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 7, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, 3);
    got g = lookup(h, k, 32);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.seq[0], seq[3]);
    cr_assert_eq(g.seq[1], seq[4]);
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 1, &removed), 0);
    cr_assert_eq(removed, 6);
    cr_assert_eq(lookup(h, k, 32).n, 0);
    cr_assert_eq(lookup(h, 0x66660009, 32).n, 1);
    /* one comment left: band 0's row and the other bands' shared rows hold only its entries */
    cr_assert_eq(count_rows(db), KD_MH_BANDS);
    kd_hist_rec r;
    cr_assert_eq(kd_hist_get(h, seq[3], &r), KD_ENOTFOUND);
    cr_assert_eq(kd_hist_get(h, seq[9], &r), 0);
    kd_hist_free(h);
    sqlite3_close(db);
}

typedef struct { int64_t seq[64]; int n; int stop_at; } rows;
static int row_cb(void *ud, const kd_hist_rec *r)
{
    rows *g = ud;
    cr_assert_str_eq(r->id, "x");
    g->seq[g->n++] = r->seq;
    return g->n == g->stop_at ? 42 : 0;
}

/* Rows are read 16 to a statement, in the order asked, pruned ones skipped. */
Test(history, rows_come_back_in_the_order_asked_across_batches)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t seq[40];
    for (int i = 0; i < 40; i++)
        seq[i] = insert(h, 0x11110000 + i);
    uint64_t removed;
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 35, &removed), 0);
    cr_assert_eq(removed, 5);
    rows g = { .n = 0, .stop_at = -1 };
    cr_assert_eq(kd_hist_get_many(h, seq, 40, row_cb, &g), 0);
    cr_assert_eq(g.n, 35);
    for (int i = 0; i < 35; i++)
        cr_assert_eq(g.seq[i], seq[i + 5]);
    rows s = { .n = 0, .stop_at = 20 };
    cr_assert_eq(kd_hist_get_many(h, seq, 40, row_cb, &s), 42, "the callback's code stops the walk");
    cr_assert_eq(s.n, 20);
    kd_hist_free(h);
    sqlite3_close(db);
}

Test(history, a_damaged_list_ends_at_the_damage)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t k = 0x77770005;
    int64_t s = insert(h, k);
    /* append a damaged entry with the same check: a varint that never ends, long (the
     * 8-byte scan) and short */
    const char *damage[] = { "x'0500ffffffffffffffffff'", "x'0500ff'" };
    for (int i = 0; i < 2; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "UPDATE history_lsh SET entries = CAST(entries || %s AS BLOB) WHERE bucket = 0x7777",
                 damage[i]);
        cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        got g = lookup(h, k, 32);
        cr_assert_eq(g.n, 1);
        cr_assert_eq(g.seq[0], s);
        cr_assert_eq(sqlite3_exec(db, "UPDATE history_lsh SET entries = substr(entries, 1, 3) WHERE bucket = 0x7777",
                                  NULL, NULL, NULL), SQLITE_OK);
    }
    kd_hist_free(h);
    sqlite3_close(db);
}

/* The same at the level of history.c, on a read-only connection: the code and the message of
 * the failed statement come back, not those of the ROLLBACK after it. */
Test(history, a_failed_write_keeps_its_code_and_message)
{
    kd_model *m = open_w();
    remember(m, "a", NULL, "one comment in the history, so that pruning has to delete");
    remember(m, "b", NULL, "and a second one, so that keeping one still prunes a comment");
    kd_model_close(m);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    kd_hist_rec r;
    memset(&r, 0, sizeof r);
    int64_t keys[KD_MH_BANDS] = { 0 };
    cr_assert_eq(kd_hist_insert(h, &r, keys), KD_EIO);
    cr_assert(strstr(kd_hist_errmsg(h), "readonly database"), "%s", kd_hist_errmsg(h));
    uint64_t removed = 9;
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 1, &removed), KD_EIO);
    cr_assert(strstr(kd_hist_errmsg(h), "readonly database"), "%s", kd_hist_errmsg(h));
    kd_hist_free(h);
    sqlite3_close(db);
}

static int history_rows_with_id(const char *id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM history WHERE id = ?1", -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* In a batch, a comment whose index entries fail part-way (a trigger plays the full disk,
 * after its history row and with the first of its 12 entries) leaves none of its rows for
 * the batch's commit; the comments before it are kept. */
Test(history, a_comment_that_fails_part_way_in_a_batch_leaves_nothing_behind)
{
    kd_model *m = open_w();
    remember(m, "a", NULL, "one comment in the history before the trigger is made");
    kd_model_close(m);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TRIGGER full_disk BEFORE UPDATE ON history_lsh "
                              "WHEN (SELECT count(*) FROM history) > 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
                              "CREATE TRIGGER full_disk2 BEFORE INSERT ON history_lsh "
                              "WHEN (SELECT count(*) FROM history) > 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
                              NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    m = open_w();
    cr_assert_eq(kd_history_batch_begin(m), 0);
    remember(m, "b", NULL, "a second comment, in the batch, recorded whole");
    kd_comment c = KD_COMMENT_INIT;
    c.id = "c";
    c.text = "a third comment whose index entries cannot be written";
    cr_assert_neq(kd_history_record(m, &c), 0);
    cr_assert_eq(kd_history_flush(m), 0, "%s", kd_model_error(m));
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 2, "the failed comment's history row was committed");
    kd_model_close(m);
    cr_assert_eq(history_rows_with_id("c"), 0);
}

/* The same failure, as `kindly score --remember` meets it: what the batch kept (the comments
 * before the failing one) is committed at once, not left in the open transaction for a
 * flush that a stopping program may never make, and the message says how many comments were
 * recorded and how many were not (it said "nothing was written"). */
Test(history, a_comment_that_fails_in_a_batch_commits_the_part_kept)
{
    kd_model *m = open_w();
    remember(m, "a", NULL, "one comment in the history before the trigger is made");
    kd_model_close(m);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TRIGGER full_disk BEFORE INSERT ON history_lsh "
                              "WHEN (SELECT count(*) FROM history) > 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
                              NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    m = open_w();
    cr_assert_eq(kd_history_batch_begin(m), 0);
    remember(m, "b", NULL, "a second comment, in the batch, recorded whole");
    remember(m, "c", NULL, "a third comment, in the batch as well, recorded whole");
    kd_comment c = KD_COMMENT_INIT;
    c.id = "d";
    c.text = "a fourth comment whose index entries cannot be written";
    cr_assert_eq(kd_history_record(m, &c), KD_EIO);
    cr_assert(strstr(kd_model_error(m), "cannot record the comment in model "), "%s", kd_model_error(m));
    cr_assert(strstr(kd_model_error(m), "2 comments were recorded, the last one was not"), "%s", kd_model_error(m));
    cr_assert(!strstr(kd_model_error(m), "nothing was written"), "%s", kd_model_error(m));
    /* seen by another connection before any flush: committed */
    cr_assert_eq(history_rows_with_id("b"), 1, "the part kept is not committed");
    cr_assert_eq(history_rows_with_id("c"), 1, "the part kept is not committed");
    cr_assert_eq(history_rows_with_id("d"), 0);
    kd_model_close(m);
}

/* A full disk in a batch: SQLite rolls the whole transaction back itself, so the failure
 * reported is the full disk (not the savepoint's clean-up), the batch is over, and the
 * comments recorded after it are committed by the next flush. */
Test(history, a_full_disk_in_a_batch_reports_the_full_disk)
{
    kd_model *m = open_w();
    remember(m, "a", NULL, "one comment in the history before the disk fills up");
    cr_assert_eq(kd_history_batch_begin(m), 0);
    sqlite3 *db = kd_store_db(m->store);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    int pages = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    char pragma[64], id[16], text[160];
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %d", pages + 1);
    cr_assert_eq(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
    int rc = 0, i;
    for (i = 0; i < 2000 && !rc; i++) {
        kd_comment c = KD_COMMENT_INIT;
        snprintf(id, sizeof id, "f%d", i);
        snprintf(text, sizeof text, "comment number %d of a batch that fills the disk, words %d %d %d %d", i, i * 7,
                 i * 13, i * 29, i * 31);
        c.id = id;
        c.author = id;
        c.text = text;
        rc = kd_history_record(m, &c);
    }
    cr_assert_neq(rc, 0, "the disk never filled up");
    cr_assert(strstr(kd_model_error(m), "full"), "%s", kd_model_error(m));
    /* the batch's comments committed before the one that filled the disk are the ones said
     * recorded (this handle recorded "a" outside the batch) */
    unsigned long kept = 0, lost = 0;
    const char *said = strstr(kd_model_error(m), "none of its ");
    if (said)
        cr_assert(sscanf(said, "none of its %lu comments was recorded", &lost) == 1, "%s", kd_model_error(m));
    else {
        said = strstr(kd_model_error(m), "; ");
        cr_assert(said && sscanf(said, "; %lu comment", &kept) == 1, "%s", kd_model_error(m));
        said = strstr(kd_model_error(m), ", the last ");
        cr_assert(said && sscanf(said, ", the last %lu were not", &lost) == 1, "%s", kd_model_error(m));
    }
    cr_assert_eq(kept + lost, (unsigned long)i, "%s (of %d)", kd_model_error(m), i);
    kd_history_stats hs;
    cr_assert_eq(kd_history_stats_get(m, &hs), 0);
    cr_assert_eq(hs.comments, 1 + kept, "%s, but %llu in the history", kd_model_error(m),
                 (unsigned long long)hs.comments);
    /* outside a batch too (the server's case): the full disk, not the ROLLBACK after it */
    kd_history_flush(m);
    int full = 0;
    for (i = 0; i < 2000 && !full; i++) {
        kd_comment one = KD_COMMENT_INIT;
        snprintf(id, sizeof id, "g%d", i);
        snprintf(text, sizeof text, "one more comment outside a batch, number %d, words %d %d %d", i, i * 3, i * 11,
                 i * 17);
        one.id = id;
        one.author = id;
        one.text = text;
        full = kd_history_record(m, &one) != 0;
    }
    cr_assert(full, "the disk never filled up outside a batch");
    cr_assert(strstr(kd_model_error(m), "full"), "%s", kd_model_error(m));
    cr_assert_eq(sqlite3_exec(db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), SQLITE_OK);
    remember(m, "after", NULL, "a comment recorded once there is room again");
    cr_assert_eq(kd_history_flush(m), 0, "%s", kd_model_error(m));
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_geq(st.comments, 2, "the comment after the failure is kept");
    kd_model_close(m);
}

/* A model of schema 3 (K-permutation signatures, one index row per band) is migrated by
 * dropping its history: the old signatures cannot be compared with new ones. Opened
 * read-only, its history is ignored rather than misread. */
static void make_schema3(void)
{
    /* exactly what migrations 0 -> 3 created, and one comment of the old history */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
                              "CREATE TABLE tokens(h INTEGER PRIMARY KEY, spam INTEGER NOT NULL, ham INTEGER NOT NULL);"
                              "CREATE TABLE history(seq INTEGER PRIMARY KEY, id TEXT, post_id TEXT, author INTEGER,"
                              " email INTEGER, ip INTEGER, time INTEGER NOT NULL, text_hash INTEGER NOT NULL, sig BLOB NOT NULL);"
                              "CREATE TABLE history_lsh(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(key, seq)) WITHOUT ROWID;"
                              "CREATE TABLE posts(post_id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',"
                              " updated INTEGER) WITHOUT ROWID;"
                              "INSERT INTO tokens VALUES(1, 1, 1);"
                              "INSERT INTO meta VALUES('spam_messages', 1), ('ham_messages', 1), ('spam_tokens', 1), ('ham_tokens', 1);"
                              "INSERT INTO history VALUES(1, 'old', 'p', 1, 2, 3, 4, 5, zeroblob(32));"
                              "INSERT INTO history_lsh VALUES(7, 1);"
                              "PRAGMA application_id = 1263420505; PRAGMA user_version = 3;", /* "KNDY" */
                              NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

Test(history, schema_3_history_is_dropped_on_upgrade_and_ignored_read_only)
{
    make_schema3();
    kd_model *m = NULL;
    cr_assert_eq(kd_model_open(&m, path, KD_OPEN_READONLY), 0, "%s", kd_model_error(m));
    kd_model_stats ms;
    cr_assert_eq(kd_model_stats_get(m, &ms), 0);
    cr_assert_eq(ms.schema_version, 3);
    kd_comment c = KD_COMMENT_INIT;
    c.text = "an old model still classifies, it only finds no duplicates in its history";
    kd_result r;
    cr_assert_eq(kd_classify(m, &c, NULL, &r), 0, "%s", kd_model_error(m));
    cr_assert_null(r.duplicate_of);
    kd_result_free(&r);
    kd_model_close(m);

    m = open_w();
    cr_assert_eq(kd_model_stats_get(m, &ms), 0);
    cr_assert_geq(ms.schema_version, 4);
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 0, "the old history is gone");
    remember(m, "new", NULL, "and the new history works as soon as the model is upgraded");
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    cr_assert_eq(st.comments, 1);
    kd_model_close(m);
}

/* The time is the comment's date: an import of old comments after new ones puts old times
 * after new ones in recording order. Pruning by age deletes exactly the old ones, wherever
 * they are, with their index entries; the new ones stay findable. */
Test(history, pruning_by_age_deletes_only_old_comments_wherever_recorded)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t k = 0x77770042, now = 2000000000, old = 1000000000;
    /* recorded: new, old, new, old, new, old (the last one is the table's largest seq) */
    int64_t seq[6];
    for (int i = 0; i < 6; i++)
        seq[i] = insert_at(h, k, i % 2 ? old : now);
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, now - 90 * 86400, 0, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, 3);
    kd_hist_rec r;
    for (int i = 0; i < 6; i++)
        cr_assert_eq(kd_hist_get(h, seq[i], &r), i % 2 ? KD_ENOTFOUND : 0, "seq %lld", (long long)seq[i]);
    got g = lookup(h, k, 32);
    cr_assert_eq(g.n, 3, "only the kept comments are in the list");
    cr_assert_eq(g.seq[0], seq[0]);
    cr_assert_eq(g.seq[1], seq[2]);
    cr_assert_eq(g.seq[2], seq[4]);
    /* the freed largest seq is given again: the list names the new comment, once, last */
    int64_t again = insert_at(h, k, now);
    g = lookup(h, k, 32);
    cr_assert_eq(g.n, 4);
    cr_assert_eq(g.seq[3], again);
    /* nothing older than the cutoff: nothing goes */
    cr_assert_eq(kd_hist_prune(h, now - 90 * 86400, 0, &removed), 0);
    cr_assert_eq(removed, 0);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* --keep N keeps the N most recently recorded comments, also when pruning by age left gaps
 * in seq, and the two limits together delete the union. */
Test(history, pruning_by_count_after_gaps_keeps_exactly_n)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    int64_t seq[8];
    for (int i = 0; i < 8; i++)
        seq[i] = insert_at(h, (int64_t)(0x66660000 + i), i == 5 || i == 6 ? 100 : 5000);
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), 0);
    cr_assert_eq(removed, 2); /* seq[5], seq[6] */
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 3, &removed), 0);
    cr_assert_eq(removed, 3); /* seq[0..2]; kept: seq[3], seq[4], seq[7] */
    kd_hist_rec r;
    for (int i = 0; i < 8; i++)
        cr_assert_eq(kd_hist_get(h, seq[i], &r), i == 3 || i == 4 || i == 7 ? 0 : KD_ENOTFOUND, "seq[%d]", i);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(lookup(h, (int64_t)(0x66660000 + i), 32).n, i == 3 || i == 4 || i == 7, "list of seq[%d]", i);
    /* both limits delete the union: by age the old a, by count all but the 3 most recently
     * recorded (seq[7], a, b) */
    int64_t a = insert_at(h, 0x66660100, 100), b = insert_at(h, 0x66660101, 5000);
    cr_assert_eq(kd_hist_prune(h, 200, 3, &removed), 0);
    cr_assert_eq(removed, 3); /* seq[3], seq[4], a */
    cr_assert_eq(kd_hist_get(h, seq[7], &r), 0);
    cr_assert_eq(kd_hist_get(h, b, &r), 0);
    cr_assert_eq(kd_hist_get(h, a, &r), KD_ENOTFOUND);
    cr_assert_eq(lookup(h, 0x66660100, 32).n, 0);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* Two writers remember one text at the same moment; a third connection holds the write lock
 * while both look it up (race.h). In a batch (two `score --remember` of one export) a comment
 * is recorded once: before the fix both found nothing, then both recorded it. Outside a batch
 * (the server, `kindly check --remember`): a campaign's copy posted on two posts at once, or a
 * client's retry of one comment. The lookup runs before the write lock (write_begin() says
 * why); under the lock, what was recorded since the lookup is looked at too. Before, the
 * copies were found by neither, and the retry was recorded twice. */
typedef struct poster {
    const char *path, *id, *author, *post;
    int batch, rc;
    char dup[32]; /* duplicate_of, "" for none */
} poster;

static void *post_remembered(void *arg)
{
    poster *k = arg;
    kd_model *h = NULL;
    k->rc = kd_model_open(&h, k->path, KD_OPEN_WRITE);
    if (!k->rc) {
        kd_comment c = KD_COMMENT_INIT;
        c.id = k->id;
        c.author = k->author;
        c.post_id = k->post;
        c.text = "Cheap flights to Lisbon and Porto this spring, book today at our travel agency";
        kd_options o = KD_OPTIONS_INIT;
        o.remember = 1;
        kd_result r;
        memset(&r, 0, sizeof r);
        if (!k->batch || !(k->rc = kd_history_batch_begin(h)))
            k->rc = kd_classify(h, &c, &o, &r);
        snprintf(k->dup, sizeof k->dup, "%s", r.duplicate_of ? r.duplicate_of : "");
        kd_result_free(&r);
        if (!k->rc && k->batch)
            k->rc = kd_history_flush(h);
    }
    kd_model_close(h);
    return NULL;
}

static uint64_t history_comments(void)
{
    kd_model *m = open_w();
    kd_history_stats st;
    cr_assert_eq(kd_history_stats_get(m, &st), 0);
    kd_model_close(m);
    return st.comments;
}

/* a and b remember their comments at once in a new model (race.h) */
static void race(poster *a, poster *b)
{
    kd_model_close(open_w());
    th_race_writers(path, post_remembered, a, b);
    cr_assert_eq(a->rc, 0);
    cr_assert_eq(b->rc, 0);
}

Test(history, two_writers_remembering_one_comment_at_once_record_it_once)
{
    poster a = { path, "4711", "Rita", "p1", 1, -1, "" }, b = a;
    race(&a, &b);
    cr_assert_eq(history_comments(), 1);
}

Test(history, two_copies_remembered_at_once_outside_a_batch_are_found)
{
    poster a = { path, "101", "Ann", "p1", 0, -1, "" }, b = { path, "202", "Bob", "p2", 0, -1, "" };
    race(&a, &b);
    cr_assert(!strcmp(a.dup, "202") != !strcmp(b.dup, "101"), "101 found '%s', 202 found '%s'", a.dup, b.dup);
    cr_assert_eq(history_comments(), 2);
}

Test(history, a_retry_remembered_twice_at_once_outside_a_batch_is_recorded_once)
{
    poster a = { path, "101", "Ann", "p1", 0, -1, "" }, b = a;
    race(&a, &b);
    cr_assert_str_empty(a.dup);
    cr_assert_str_empty(b.dup);
    cr_assert_eq(history_comments(), 1);
}

/* Pruning in several transactions (kd_hist_prune_chunks: 5 index rows, 3 history rows each):
 * comments in 7 buckets a band, some old, scattered in recording order. */
#define SPREAD 200
typedef struct spread {
    int64_t seq[SPREAD], keys[SPREAD][KD_MH_BANDS], time[SPREAD];
} spread;

static uint32_t spread_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void spread_fill(kd_hist *h, spread *sp)
{
    uint32_t s = 7;
    cr_assert_eq(kd_hist_begin(h), 0);
    for (int i = 0; i < SPREAD; i++) {
        kd_hist_rec r;
        memset(&r, 0, sizeof r);
        r.id = "x";
        r.time = sp->time[i] = spread_rand(&s) % 3 ? 5000 : 100;
        for (int b = 0; b < KD_MH_BANDS; b++)
            sp->keys[i][b] = ((int64_t)b << 32) | (int64_t)((spread_rand(&s) % 7) << 16 | (spread_rand(&s) & 0xffff));
        cr_assert_eq(kd_hist_insert(h, &r, sp->keys[i]), 0, "%s", kd_hist_errmsg(h));
        sp->seq[i] = r.seq;
    }
    cr_assert_eq(kd_hist_commit(h), 0);
}

static int has_row(sqlite3 *db, int64_t seq)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT 1 FROM history WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Every entry of the index names a comment still in the history; each comment of sp still
 * there and dated after unindexed_upto has all its 12 entries (bucket and check), the others
 * none. Returns how many of sp are left. */
static int index_matches_history(sqlite3 *db, const spread *sp, int64_t unindexed_upto)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT bucket, entries FROM history_lsh", -1, &st, NULL), SQLITE_OK);
    static int found[SPREAD][KD_MH_BANDS];
    memset(found, 0, sizeof found);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t bucket = sqlite3_column_int64(st, 0);
        const uint8_t *p = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        for (int off = 0; off < n;) {
            unsigned check = p[off] | (unsigned)p[off + 1] << 8;
            uint64_t seq = 0;
            int k = 0;
            off += 2;
            do
                seq |= (uint64_t)(p[off] & 0x7f) << (7 * k++);
            while (p[off++] & 0x80);
            cr_assert(has_row(db, (int64_t)seq), "the index names seq %llu, which is not in the history",
                      (unsigned long long)seq);
            for (int i = 0; i < SPREAD; i++)
                if (sp->seq[i] == (int64_t)seq)
                    for (int b = 0; b < KD_MH_BANDS; b++)
                        if (bucket == ((int64_t)b << 16 | ((sp->keys[i][b] & 0xffffffff) >> 16)) &&
                            check == (sp->keys[i][b] & 0xffff))
                            found[i][b] = 1;
        }
    }
    sqlite3_finalize(st);
    int left = 0;
    for (int i = 0; i < SPREAD; i++) {
        int here = has_row(db, sp->seq[i]);
        left += here;
        for (int b = 0; b < KD_MH_BANDS; b++)
            cr_assert_eq(found[i][b], here && sp->time[i] > unindexed_upto, "comment %d (seq %lld), band %d: %s", i, (long long)sp->seq[i],
                         b, found[i][b] ? "an entry" : "no entry");
    }
    return left;
}

Test(history, pruning_in_many_transactions_leaves_the_index_matching_the_history)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    static spread sp;
    spread_fill(h, &sp);
    cr_assert_eq(count_rows(db), 7 * KD_MH_BANDS);
    kd_hist_prune_chunks(h, 5, 3);
    /* by age: the comments at 100 go, wherever they are */
    int old = 0;
    for (int i = 0; i < SPREAD; i++)
        old += sp.time[i] <= 200;
    cr_assert(old > 20 && old < SPREAD - 20, "%d old comments", old);
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, (uint64_t)old);
    cr_assert_eq(index_matches_history(db, &sp, INT64_MIN), SPREAD - old);
    for (int i = 0; i < SPREAD; i++)
        cr_assert_eq(has_row(db, sp.seq[i]), sp.time[i] > 200, "comment %d", i);
    /* by count: the 50 most recently recorded stay */
    cr_assert_eq(kd_hist_prune(h, INT64_MIN, 50, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, (uint64_t)(SPREAD - old - 50));
    cr_assert_eq(index_matches_history(db, &sp, INT64_MIN), 50);
    for (int i = SPREAD - 1, newer = 0; i >= 0; i--) {
        cr_assert_eq(has_row(db, sp.seq[i]), sp.time[i] > 200 && newer < 50, "comment %d", i);
        newer += sp.time[i] > 200;
    }
    kd_hist_free(h);
    sqlite3_close(db);
}

/* A comment recorded while a prune runs, with an old date, stays: the rows are deleted by the
 * seqs chosen at the start, not by their time again (its index entries were never removed).
 * A trigger records it while the index is being cut. */
Test(history, a_comment_recorded_while_pruning_stays_whatever_its_date)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    static spread sp;
    spread_fill(h, &sp);
    kd_hist_prune_chunks(h, 5, 3);
    cr_assert_eq(sqlite3_exec(db, "CREATE TEMP TRIGGER late AFTER UPDATE ON history_lsh "
                                  "WHEN NOT EXISTS (SELECT 1 FROM history WHERE id = 'late') "
                                  "BEGIN INSERT INTO history(id, time, text_hash, sig) VALUES('late', 100, 0, x'00'); END",
                              NULL, NULL, NULL), SQLITE_OK);
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), 0, "%s", kd_hist_errmsg(h));
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM history WHERE id = 'late'", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 1, "the comment recorded meanwhile was deleted");
    sqlite3_finalize(st);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* A prune that fails part-way (a trigger plays the full disk at the 10th history row it
 * deletes) keeps what its earlier transactions did: the index names no deleted comment, the
 * comments not yet deleted are no longer in it (not found as duplicates, still counted), and
 * a second prune finishes the job. */
Test(history, a_prune_stopped_part_way_leaves_no_stale_entry_and_a_rerun_finishes)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    static spread sp;
    spread_fill(h, &sp);
    kd_hist_prune_chunks(h, 5, 3);
    int64_t tenth = 0;
    for (int i = 0, n = 0; i < SPREAD && !tenth; i++)
        if (sp.time[i] <= 200 && ++n == 10)
            tenth = sp.seq[i];
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE TEMP TRIGGER full BEFORE DELETE ON history WHEN old.seq = %lld "
                              "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END", (long long)tenth);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    uint64_t removed = 99;
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), KD_EIO);
    cr_assert(strstr(kd_hist_errmsg(h), "disk is full"), "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, 9, "the three transactions before the failing one are kept");
    cr_assert(kd_hist_pruned_part(h));
    /* no entry for any old comment, deleted or not; the new ones keep theirs */
    cr_assert_eq(index_matches_history(db, &sp, 200), SPREAD - 9);
    int old = 0;
    for (int i = 0; i < SPREAD; i++)
        old += sp.time[i] <= 200;
    kd_hist_rec r;
    for (int i = 0; i < SPREAD; i++)
        if (sp.time[i] <= 200) {
            got g = { .n = 0 };
            cr_assert_eq(kd_hist_candidates(h, sp.keys[i], 32, collect, &g), 0);
            for (int j = 0; j < g.n; j++)
                cr_assert_neq(g.seq[j], sp.seq[i], "old comment %d is still found", i);
            cr_assert_eq(kd_hist_get(h, sp.seq[i], &r), has_row(db, sp.seq[i]) ? 0 : KD_ENOTFOUND);
        }
    cr_assert_eq(sqlite3_exec(db, "DROP TRIGGER full", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), 0, "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, (uint64_t)old - 9);
    cr_assert_eq(index_matches_history(db, &sp, INT64_MIN), SPREAD - old);
    kd_hist_free(h);
    sqlite3_close(db);
}

/* A prune begun while another runs takes over: the first stops at its next transaction (a
 * trigger plays the second prune's claim), saying so, and leaves no stale entry. */
Test(history, a_prune_overtaken_by_another_stops)
{
    sqlite3 *db = open_db();
    kd_hist *h;
    cr_assert_eq(kd_hist_new(&h, db, 1, 1), 0);
    static spread sp;
    spread_fill(h, &sp);
    kd_hist_prune_chunks(h, 5, 3);
    cr_assert_eq(sqlite3_exec(db, "CREATE TEMP TRIGGER other AFTER DELETE ON history "
                                  "BEGIN UPDATE meta SET value = value + 1 WHERE key = 'history_prune'; END",
                              NULL, NULL, NULL), SQLITE_OK);
    uint64_t removed = 0;
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), KD_EBUSY);
    cr_assert(strstr(kd_hist_errmsg(h), "another prune"), "%s", kd_hist_errmsg(h));
    cr_assert_eq(removed, 3, "the transaction that saw the claim taken kept its work");
    cr_assert_eq(sqlite3_exec(db, "DROP TRIGGER other", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(kd_hist_prune(h, 200, 0, &removed), 0, "%s", kd_hist_errmsg(h));
    int old = 0;
    for (int i = 0; i < SPREAD; i++)
        old += sp.time[i] <= 200;
    cr_assert_eq(removed, (uint64_t)old - 3);
    cr_assert_eq(index_matches_history(db, &sp, INT64_MIN), SPREAD - old);
    kd_hist_free(h);
    sqlite3_close(db);
}
