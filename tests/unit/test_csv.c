/*
 * test_csv.c - Criterion tests of the CSV reader (classifier/csv.c) through the public header.
 *
 * Every case writes a real temporary file (the reader reads with read(2), so it must be a file
 * or a pipe, never a memory stream), reads it back and checks the rows, their physical line
 * numbers and the problems reported. The three schemas kindly reads (its own, the YouTube
 * Spam Collection, WordPress exports) each get a case; the shared corpora are read whole when
 * ../shared (or $KINDLY_SHARED) is present; the fuzz seed corpus replays here so that every
 * input the fuzzer ever tripped on stays fixed.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#include "kindly.h"

/* ---- fixtures ----------------------------------------------------------------------------- */

#define MAXP 64

typedef struct seen {
    int n;
    unsigned long line[MAXP];
    int skipped[MAXP];
    kd_csv_problem_code code[MAXP];
    char field[MAXP][64];
    char msg[MAXP][256];
    char file[MAXP][256];
} seen;

static void collect(void *ud, const kd_csv_problem *p)
{
    seen *s = ud;
    cr_assert_not_null(p->message);
    cr_assert_not_null(p->file);
    if (s->n >= MAXP)
        return;
    s->line[s->n] = p->line;
    s->skipped[s->n] = p->skipped;
    s->code[s->n] = p->code;
    cr_assert_eq(p->skipped, p->code == KD_CSV_ROW_SKIPPED || p->code == KD_CSV_ROW_REJECTED,
                 "skipped and the code agree: %s", p->message);
    snprintf(s->field[s->n], sizeof s->field[0], "%s", p->field ? p->field : "(null)");
    snprintf(s->msg[s->n], sizeof s->msg[0], "%s", p->message);
    snprintf(s->file[s->n], sizeof s->file[0], "%s", p->file);
    s->n++;
}

static char tmp_path[4096];

/* A fresh temporary file under $TMPDIR (else /tmp), its path in tmp_path, open for writing.
 * The one before it is removed (the suite's fini removes the last): a test that wrote several
 * left all but one behind. */
static int new_tmp(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/kd_test_csv_XXXXXX", dir && *dir ? dir : "/tmp");
    return mkstemp(tmp_path);
}

/* Write n bytes to a fresh temporary file; its path is in tmp_path. */
static const char *write_tmp(const void *data, size_t n)
{
    int fd = new_tmp();
    cr_assert(fd >= 0);
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        cr_assert(w > 0);
        p += w;
        n -= (size_t)w;
    }
    close(fd);
    return tmp_path;
}

static const char *write_str(const char *s) { return write_tmp(s, strlen(s)); }

static void cleanup(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
}

TestSuite(csv, .fini = cleanup);

/* A copy of what the tests look at in each row. */
typedef struct got {
    int n;
    unsigned long line[64];
    kd_label label[64];
    char *id[64], *text[64], *author[64], *post[64];
    size_t nfields;
} got;

/* Copies live in a static arena so that nothing leaks (each test runs in its own process). */
static char *dup_or_null(const char *s)
{
    static char arena[1 << 16];
    static size_t used;
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    cr_assert_leq(used + n, sizeof arena);
    char *d = memcpy(arena + used, s, n);
    used += n;
    return d;
}

/* Read every row of path; return the last kd_csv_next code (0 at a clean end). */
static int read_all(const char *path, kd_csv_options *o, got *g, seen *s, kd_csv **keep)
{
    kd_csv_options def = KD_CSV_OPTIONS_INIT;
    if (!o)
        o = &def;
    if (s) {
        o->problem = collect;
        o->problem_ud = s;
    }
    kd_csv *r = NULL;
    int rc = kd_csv_open(&r, path, o);
    cr_assert_eq(rc, 0, "open %s: %d %s", path, rc, kd_csv_error(r));
    const kd_csv_row *row;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        cr_assert_not_null(row);
        for (size_t i = 0; i < row->nfields; i++)
            cr_assert_eq(strlen(row->fields[i]), row->lens[i], "field %zu has an inner NUL", i);
        if (g && g->n < 64) {
            int i = g->n++;
            g->line[i] = row->line;
            g->label[i] = row->label;
            g->id[i] = dup_or_null(row->comment.id);
            g->text[i] = dup_or_null(row->comment.text);
            g->author[i] = dup_or_null(row->comment.author);
            g->post[i] = dup_or_null(row->comment.post_id);
            g->nfields = row->nfields;
        }
    }
    if (keep)
        *keep = r;
    else
        kd_csv_free(r);
    return rc;
}

/* ---- the three schemas -------------------------------------------------------------------- */

/* The file is opened close-on-exec, as every file of the library is (read through a FIFO, so
 * that the descriptor can be looked at while kd_csv_open holds it). */
Test(csv, the_file_is_opened_close_on_exec, .timeout = 20)
{
    char dir[256];
    th_tmpdir(dir, sizeof dir);
    th_fifo w;
    th_fifo_start(&w, dir, "c.csv", "id,text\n1,hello\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, w.path, NULL), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "hello");
    th_fifo_join(&w);
    kd_csv_free(r);
    cr_assert(w.found, "the file's descriptor was not seen");
    cr_assert(w.cloexec, "the file is open without FD_CLOEXEC");
    th_rmrf(dir);
}

Test(csv, kindly_schema)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,post_id,author,label,text\n"
                              "c1,p1,Ann,spam,Buy now\n"
                              "c2,,,ham,hello there\n"
                              "c3,p2,Bob,,\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_eq(s.n, 0);
    cr_assert_eq(g.nfields, 5);
    cr_assert_str_eq(g.id[0], "c1");
    cr_assert_str_eq(g.post[0], "p1");
    cr_assert_str_eq(g.author[0], "Ann");
    cr_assert_str_eq(g.text[0], "Buy now");
    cr_assert_eq(g.label[0], KD_SPAM);
    cr_assert_null(g.post[1], "empty fields are NULL");
    cr_assert_null(g.author[1]);
    cr_assert_eq(g.label[1], KD_HAM);
    cr_assert_str_eq(g.text[2], "", "empty text is \"\", not NULL");
    cr_assert_eq(g.label[2], KD_UNLABELLED, "an empty label is no label, and no problem");
    cr_assert_eq(g.line[0], 2);
    cr_assert_eq(g.line[2], 4);
}

/* Blanks around an unquoted field are trimmed (libcsv), as in hand-written files ("a, b");
 * a quoted field keeps its spaces, and blanks around its quotes are allowed; a header name
 * and a label are read without the spaces around them, quoted or not. */
Test(csv, blanks_around_fields)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id , label,\"\ttext \"\n"
                              " c1 , spam , Buy now \n"
                              "\" c2 \",\" ham\", \"hello, world\" \n"
                              "c3,1 ,x\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_eq(s.n, 0, "%s", s.n ? s.msg[0] : "");
    cr_assert_str_eq(g.id[0], "c1");
    cr_assert_str_eq(g.text[0], "Buy now");
    cr_assert_eq(g.label[0], KD_SPAM);
    cr_assert_str_eq(g.id[1], " c2 ");
    cr_assert_str_eq(g.text[1], "hello, world");
    cr_assert_eq(g.label[1], KD_HAM);
    cr_assert_eq(g.label[2], KD_SPAM);
}

Test(csv, youtube_schema)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str(
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\r\n"
        "LZQPQhLyRh80UYxNuaDWhIGQYNQ96IuCg-AYWqNPjpU,Julius NM,2013-11-07T06:20:48,"
        "\"Huh, anyway check out this you[tube] channel: kobyoshi02\xEF\xBB\xBF\",1\r\n"
        "z13jhp,Jane,2014-01-19T04:27:18,I love this song\xEF\xBB\xBF,0\r\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(s.n, 0);
    cr_assert_str_eq(g.id[0], "LZQPQhLyRh80UYxNuaDWhIGQYNQ96IuCg-AYWqNPjpU");
    cr_assert_str_eq(g.author[0], "Julius NM");
    cr_assert_str_eq(g.text[0], "Huh, anyway check out this you[tube] channel: kobyoshi02\xEF\xBB\xBF",
                     "a U+FEFF inside a field is data, not a BOM");
    cr_assert_eq(g.label[0], KD_SPAM);
    cr_assert_eq(g.label[1], KD_HAM);
    cr_assert_null(g.post[0]);
    kd_csv_free(r);
}

Test(csv, youtube_date_maps)
{
    const char *p = write_str("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
                              "a,b,2013-11-07T06:20:48,hi,1\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.date, "2013-11-07T06:20:48");
    cr_assert_str_eq(row->comment.text, "hi");
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_eq(kd_csv_next(r, &row), 0, "the end stays the end");
    kd_csv_free(r);
}

Test(csv, wordpress_schema)
{
    const char *p = write_str(
        "comment_ID,comment_post_ID,comment_author,comment_author_email,comment_author_url,"
        "comment_author_IP,comment_date_gmt,comment_content,comment_agent,comment_parent,"
        "comment_approved\n"
        "11,7,Spammer,s@x.test,http://x.test,10.0.0.1,2024-01-01 10:00:00,Cheap pills,Bot/1.0,0,spam\n"
        "12,7,Reader,r@y.test,,10.0.0.2,2024-01-02 10:00:00,Lovely post,Mozilla/5.0,11,1\n"
        "13,7,Pending,,,,2024-01-03 10:00:00,Wait for me,,0,0\n"
        "14,8,Binned,,,,2024-01-04 10:00:00,Gone,,0,trash\n"
        "15,8,Binned2,,,,2024-01-05 10:00:00,Gone too,,0,post-trashed\n");
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, &o), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    kd_label want[] = { KD_SPAM, KD_HAM, KD_UNLABELLED, KD_UNLABELLED, KD_UNLABELLED };
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(kd_csv_next(r, &row), 1);
        cr_assert_eq(row->label, want[i], "row %d", i);
        if (i == 0) {
            const kd_comment *c = &row->comment;
            cr_assert_str_eq(c->id, "11");
            cr_assert_str_eq(c->post_id, "7");
            cr_assert_str_eq(c->author, "Spammer");
            cr_assert_str_eq(c->email, "s@x.test");
            cr_assert_str_eq(c->url, "http://x.test");
            cr_assert_str_eq(c->ip, "10.0.0.1");
            cr_assert_str_eq(c->date, "2024-01-01 10:00:00");
            cr_assert_str_eq(c->text, "Cheap pills");
            cr_assert_str_eq(c->agent, "Bot/1.0");
            cr_assert_null(c->parent, "comment_parent 0 replies to none: no parent");
        }
        if (i == 1) {
            cr_assert_null(row->comment.url);
            cr_assert_str_eq(row->comment.parent, "11");
        }
    }
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_eq(s.n, 0, "trash and pending are not problems");
    kd_csv_free(r);
}

/* WordPress's zero date in comment_date_gmt ('0000-00-00 00:00:00', MySQL's "no date": the
 * linkbacks of some plugins were stored so) is no date: the comment's comment_date, the
 * site's local time, is read instead, as for an export without comment_date_gmt (the CLI reads
 * it in TZ's zone). It was the date, unreadable, so that every such comment was remembered
 * as of now (and named as unreadable) where its comment_date said when it was written. */
Test(csv, wordpress_zero_gmt_date_reads_the_local_date)
{
    const char *p = write_str("comment_ID,comment_date,comment_date_gmt,comment_content,comment_approved\n"
                              "1,2012-03-04 05:06:07,0000-00-00 00:00:00,A linkback,1\n"
                              "2,2024-01-02 12:00:00,2024-01-02 11:00:00,Lovely post,1\n"
                              "3,,0000-00-00 00:00:00,No date at all,1\n"
                              "4,0000-00-00 00:00:00,0000-00-00 00:00:00,Zero in both,1\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.date, "2012-03-04 05:06:07");
    cr_assert_eq(row->comment.date, row->fields[1], "the comment_date field itself (read in local time)");
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.date, "2024-01-02 11:00:00");
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_null(row->comment.date);
    /* zero in comment_date too: no date, as a zero comment_date alone is (it was read as the
     * date, named unreadable, "kindly reads ISO 8601") */
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_null(row->comment.date, "got '%s'", row->comment.date);
    cr_assert_eq(kd_csv_next(r, &row), 0);
    kd_csv_free(r);
}

Test(csv, author_prefixed_columns)
{
    /* author_email, author_url and author_ip, as a hand-made export names them, are read as
     * email, url and ip: the rules and the tokenizer saw no author website in such a file. */
    const char *p = write_str("id,author,author_email,author_url,author_ip,text\n"
                              "1,Tea Shop,sales@slimtea.test,https://slimtea.test/,10.0.0.9,is your theme custom made?\n");
    kd_csv *r = NULL;
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    cr_assert_eq(kd_csv_open(&r, p, &o), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.email, "sales@slimtea.test");
    cr_assert_str_eq(row->comment.url, "https://slimtea.test/");
    cr_assert_str_eq(row->comment.ip, "10.0.0.9");
    cr_assert_str_eq(row->comment.author, "Tea Shop");
    cr_assert_eq(kd_csv_next(r, &row), 0);
    kd_csv_free(r);
}

/* ---- CSV syntax --------------------------------------------------------------------------- */

Test(csv, quoted_newlines_keep_line_numbers)
{
    got g = { 0 };
    const char *p = write_str("id,label,text\n"
                              "a,ham,\"one\ntwo\nthree\"\n"      /* lines 2-4 */
                              "b,ham,plain\n"                     /* line 5 */
                              "\n"                                /* line 6: blank */
                              "\"c\",spam,\"x\r\ny\"\n"           /* lines 7-8 */
                              "d,ham,last");                      /* line 9, no newline */
    cr_assert_eq(read_all(p, NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.n, 4);
    cr_assert_str_eq(g.text[0], "one\ntwo\nthree");
    cr_assert_eq(g.line[0], 2);
    cr_assert_eq(g.line[1], 5);
    cr_assert_eq(g.line[2], 7);
    cr_assert_str_eq(g.text[2], "x\r\ny");
    cr_assert_eq(g.line[3], 9);
    cr_assert_str_eq(g.text[3], "last");
}

Test(csv, quoted_newline_in_first_field)
{
    got g = { 0 };
    const char *p = write_str("text,id\n\"a\nb\",1\nc,2\n");
    cr_assert_eq(read_all(p, NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.line[0], 2);
    cr_assert_eq(g.line[1], 4);
}

Test(csv, doubled_quotes_and_commas)
{
    got g = { 0 };
    const char *p = write_str("id,text\n1,\"He said \"\"hi\"\", then, left\"\n2,\"\"\"\"\n");
    cr_assert_eq(read_all(p, NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "He said \"hi\", then, left");
    cr_assert_str_eq(g.text[1], "\"");
}

Test(csv, bom_is_skipped)
{
    const char *p = write_str("\xEF\xBB\xBFid,text\n1,hello\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    size_t n;
    const char *const *h = kd_csv_header(r, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(h[0], "id", "the BOM is not part of the first column name");
    cr_assert_eq(kd_csv_column(r, "id"), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.id, "1");
    cr_assert_eq(row->line, 2);
    kd_csv_free(r);
}

Test(csv, crlf_line_ends)
{
    got g = { 0 };
    const char *p = write_str("id,label,text\r\n1,spam,a\r\n\r\n2,ham,\"b\r\nc\"\r\n3,ham,d\r\n");
    cr_assert_eq(read_all(p, NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.text[0], "a", "no stray CR");
    cr_assert_str_eq(g.text[1], "b\r\nc");
    cr_assert_eq(g.line[0], 2);
    cr_assert_eq(g.line[1], 4);
    cr_assert_eq(g.line[2], 6);
}

/* The line end is the first one outside quotes: a header name holding a CR made a file of LF
 * lines count its lines at CR (a row on line 4 had the id "2", the skipped row was named at
 * line 1); a CR-only file whose header name holds an LF is still counted at CR. */
Test(csv, line_end_inside_a_quoted_header_name)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("\"a\rb\",text\nx,\"one\rtwo\"\nx,three\nx,four,extra\nx,five\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.id[0], "2");
    cr_assert_str_eq(g.id[1], "3");
    cr_assert_str_eq(g.id[2], "5");
    cr_assert_str_eq(g.text[0], "one\rtwo");
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.code[0], KD_CSV_UNREAD_COLUMNS); /* "a\rb", on the header's line */
    cr_assert_eq(s.line[0], 1);
    cr_assert_eq(s.line[1], 4);
    got c = { 0 };
    p = write_str("\"a\nb\",text\rx,one\rx,two\r");
    cr_assert_eq(read_all(p, NULL, &c, NULL, NULL), 0);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.id[0], "2");
    cr_assert_str_eq(c.id[1], "3");
}

/* Every BOM at the start is skipped, not only the first: a second one was read as part of the
 * first column's name ("\uFEFFid" is no id column) and made a quoted first name a stray quote,
 * an unreadable header. A BOM after the start is a character of its field. */
Test(csv, doubled_bom_is_skipped)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("\xEF\xBB\xBF\xEF\xBB\xBF\"id\",text\n7,\xEF\xBB\xBFhello\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.id[0], "7");
    cr_assert_str_eq(g.text[0], "\xEF\xBB\xBFhello");
    cr_assert_eq(s.n, 0);
    got t = { 0 };
    cr_assert_eq(read_all(write_str("\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBFtext\nhi\n"), NULL, &t, NULL, NULL), 0);
    cr_assert_eq(t.n, 1);
    cr_assert_str_eq(t.text[0], "hi");
}

Test(csv, utf8_and_emoji_pass_through)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n1,\"caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC\"\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_str_eq(g.text[0], "caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC");
    cr_assert_eq(s.n, 0);
}

/* ---- sizes -------------------------------------------------------------------------------- */

static char *big_csv(size_t field, size_t *n)
{
    const char *head = "id,text\n1,short\n2,\"";
    const char *tail = "\"\n3,after\n";
    size_t len = strlen(head) + field + strlen(tail);
    char *s = malloc(len + 1);
    cr_assert_not_null(s);
    strcpy(s, head);
    for (size_t i = 0; i < field; i++)
        s[strlen(head) + i] = (i % 1000 == 999) ? '\n' : "abcdefghij"[i % 10];
    strcpy(s + strlen(head) + field, tail);
    *n = len;
    return s;
}

Test(csv, one_mib_field_accepted)
{
    size_t n, field = (size_t)1 << 20;
    char *data = big_csv(field, &n);
    const char *p = write_tmp(data, n);
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_eq(row->lens[1], field);
    cr_assert_eq(memcmp(row->fields[1], data + strlen("id,text\n1,short\n2,\""), field), 0);
    cr_assert_eq(row->line, 3);
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "after");
    cr_assert_eq(row->line, 3 + field / 1000 + 1, "later lines count the newlines in the field");
    cr_assert_eq(kd_csv_skipped(r), 0);
    kd_csv_free(r);
    free(data);
}

/* The oversized field spans many 64 KiB chunks, so the reader must cut libcsv's buffer. */
Test(csv, field_over_max_field_skipped)
{
    size_t n;
    char *data = big_csv((size_t)3 << 20, &n);
    const char *p = write_tmp(data, n);
    free(data);
    got g = { 0 };
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = (size_t)100 << 10;
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, &o, &g, &s, &r), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "short");
    cr_assert_str_eq(g.text[1], "after");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.skipped[0], 1);
    cr_assert_eq(s.line[0], 3);
    cr_assert_str_eq(s.field[0], "text");
    cr_assert(strstr(s.msg[0], "field longer than the limit of 102400 bytes") != NULL, "%s", s.msg[0]);
    /* a newline every 1000 bytes: 3145 of them, so the record ends on line 3148; its quoting
     * is sound, so its lines are named, not read again as rows */
    cr_assert(strstr(s.msg[0], "on lines 3-3148") != NULL, "%s", s.msg[0]);
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
}

/* A 64 MiB quoted field, written in pieces so the test itself stays small: with the default
 * max_field (16 MiB) the reader's peak memory must stay near the limit, not the field. */
/* A 64 MiB field (of letters, or of blanks between two letters: libcsv counts trailing
 * blanks apart, to strip them) is skipped without its memory. */
static void oversized_field(char fill, const char *head, const char *tail)
{
    int fd = new_tmp();
    cr_assert(fd >= 0);
    static char block[1 << 16];
    memset(block, fill, sizeof block);
    cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    for (int i = 0; i < 1024; i++)
        cr_assert_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
    cr_assert_eq(write(fd, tail, strlen(tail)), (ssize_t)strlen(tail));
    close(fd);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(tmp_path, NULL, &g, &s, NULL), 0);
    getrusage(RUSAGE_SELF, &after);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.text[0], "kept");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.skipped[0], 1);
    long grew_kib = after.ru_maxrss - before.ru_maxrss;
#if !defined(__SANITIZE_ADDRESS__) /* ASan's quarantine keeps every freed block resident */
    cr_assert_lt(grew_kib, 40L << 10, "peak RSS grew by %ld KiB for a 64 MiB field of '%c'", grew_kib, fill);
#else
    (void)grew_kib;
#endif
}

/* Blanks after a short field are stripped, not counted against max_field, wherever the
 * input's reads end (the reader takes 64 KiB at a time). */
Test(csv, blanks_after_a_short_field_are_not_its_length)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 100;
    static char body[400000];
    for (size_t blanks = 200; blanks <= 140000; blanks *= 26) {
        int n = snprintf(body, sizeof body, "id,text,label\n1,a");
        memset(body + n, ' ', blanks);
        snprintf(body + n + blanks, sizeof body - n - blanks, ",spam\n2,\"b\"%*s,ham\n", (int)blanks, "");
        got g = { 0 };
        seen s = { 0 };
        cr_assert_eq(read_all(write_str(body), &o, &g, &s, NULL), 0);
        cr_assert_eq(g.n, 2, "%zu blanks: %d rows, %d problems (%s)", blanks, g.n, s.n, s.n ? s.msg[0] : "");
        cr_assert_str_eq(g.text[0], "a");
        cr_assert_str_eq(g.text[1], "b");
    }
}

Test(csv, oversized_field_memory_is_bounded) { oversized_field('q', "id,text\n1,\"", "\"\n2,kept\n"); }
Test(csv, oversized_field_of_blanks_memory_is_bounded) { oversized_field(' ', "id,text\n1,a", "b\n2,kept\n"); }

Test(csv, short_field_over_small_max_field)
{
    got g = { 0 };
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 5;
    const char *p = write_str("id,text\n1,abcde\n2,abcdef\n3,   abc   \n");
    cr_assert_eq(read_all(p, &o, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[1], "abc", "libcsv trims blanks around unquoted fields");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.line[0], 3);
}

/* A field of exactly max_field bytes is kept, also when it goes on past a line end (the
 * length checked as each line is fed): only a longer one is skipped. */
Test(csv, a_multiline_field_of_exactly_max_field_is_kept)
{
    got g = { 0 };
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 10;
    const char *p = write_str("id,text\n1,\"abcdefghi\n\"\n2,\"abcdefghij\n\"\n3,b\n");
    cr_assert_eq(read_all(p, &o, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "abcdefghi\n");
    cr_assert_str_eq(g.text[1], "b");
    cr_assert_eq(s.n, 1, "the field of 11 bytes");
    cr_assert_eq(s.line[0], 4);
}

/* ---- bad rows ----------------------------------------------------------------------------- */

Test(csv, wrong_field_count_reported_and_skipped)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,label,text\n1,ham,ok\n2,ham,too,many\n3,ham\n4,spam,fine\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.id[0], "1");
    cr_assert_str_eq(g.id[1], "4");
    cr_assert_eq(g.line[1], 5);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.file[0], p);
    cr_assert_eq(s.line[0], 3);
    cr_assert_str_eq(s.msg[0], "expected 3 fields, found 4");
    cr_assert_eq(s.line[1], 4);
    cr_assert_str_eq(s.msg[1], "expected 3 fields, found 2");
    cr_assert_eq(s.skipped[0], 1);
    cr_assert_eq(kd_csv_skipped(r), 2);
    cr_assert_eq(kd_csv_repaired(r), 0);
    kd_csv_free(r);
}

Test(csv, broken_quote_mid_file_then_good_rows)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n"
                              "1,fine\n"
                              "2,\"closed\"then text\n" /* text after the closing quote */
                              "3,good\n"
                              "4,He said \"hi\"\n"      /* quote in an unquoted field */
                              "5,\"also\ngood\"\n"
                              "6,end\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 4);
    cr_assert_str_eq(g.id[0], "1");
    cr_assert_str_eq(g.id[1], "3");
    cr_assert_eq(g.line[1], 4);
    cr_assert_str_eq(g.id[2], "5");
    cr_assert_eq(g.line[2], 6);
    cr_assert_str_eq(g.id[3], "6");
    cr_assert_eq(g.line[3], 8);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.line[0], 3);
    cr_assert_eq(s.line[1], 5);
    cr_assert_eq(s.skipped[0], 1);
    cr_assert_str_eq(s.field[0], "text");
    cr_assert(strstr(s.msg[0], "quot") != NULL, "%s", s.msg[0]);
}

Test(csv, unterminated_quote_at_eof)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n1,ok\n2,\"never closed\nmore\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(s.n, 2, "the open quote, then line 4 read again on its own");
    cr_assert_eq(s.line[0], 3);
    cr_assert_eq(s.skipped[0], 1);
    cr_assert_str_eq(s.field[0], "text");
    cr_assert_str_eq(s.msg[0], "unbalanced quote (the quoted field opened here is still open at "
                               "the end of the input); reading resumes at line 4");
    cr_assert_eq(s.line[1], 4);
    cr_assert_str_eq(s.msg[1], "expected 2 fields, found 1");
    cr_assert_eq(kd_csv_skipped(r), 2);
    kd_csv_free(r);
}

Test(csv, unterminated_quote_on_the_last_line)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n1,ok\n2,\"never closed\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(s.n, 1, "no later line to read again");
    cr_assert_eq(s.line[0], 3);
    cr_assert_str_eq(s.msg[0], "quoted field not closed before the end of the input");
}

/* ---- recovery from a quote opened by mistake ---------------------------------------------- */

/* The rows read are exactly these ids, on these physical lines. */
static void expect_rows(const got *g, int n, const char *const *ids, const unsigned long *lines)
{
    cr_assert_eq(g->n, n, "%d rows read, expected %d", g->n, n);
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(g->id[i], ids[i], "row %d", i);
        cr_assert_eq(g->line[i], lines[i], "row %s", ids[i]);
    }
}

/* Problem i is a skipped row on this line with this message (and field, unless NULL; a
 * message ending in '*' matches as a prefix). */
static void expect_skip(const seen *s, int i, unsigned long line, const char *field, const char *msg)
{
    cr_assert_lt(i, s->n, "problem %d of %d", i, s->n);
    cr_assert_eq(s->line[i], line, "problem %d: %s", i, s->msg[i]);
    cr_assert_eq(s->skipped[i], 1, "problem %d: %s", i, s->msg[i]);
    if (field)
        cr_assert_str_eq(s->field[i], field, "problem %d", i);
    size_t n = strlen(msg);
    if (n && msg[n - 1] == '*')
        cr_assert(strncmp(s->msg[i], msg, n - 1) == 0, "problem %d: %s", i, s->msg[i]);
    else
        cr_assert_str_eq(s->msg[i], msg, "problem %d", i);
}

/* "\r\r\n" is one line end, a CRLF after a stray CR (what a program writing "\r\n" through a
 * Windows text-mode stream makes), as grep -n, sed and vim count it; so is "\r\n", and a lone
 * CR inside a file of LF lines ends a record but no line (vim shows it as ^M). A header ending
 * in "\r\r\n" made the whole file be counted at CR: every later row one line too far ("b" on
 * line 3 was named at line 4, its id "4"), and every "\r\r\n" counted twice. */
Test(csv, cr_cr_lf_is_one_line_end)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("text,label\r\r\na,spam\r\nb,ham\r\r\nc,spam,extra\r\r\nd,ham\r\ne,ham\rf,ham\r\r\ng,ham\r\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    const char *ids[] = { "2", "3", "5", "6", "6", "7" };
    const unsigned long lines[] = { 2, 3, 5, 6, 6, 7 };
    expect_rows(&g, 6, ids, lines);
    cr_assert_str_eq(g.text[1], "b", "no stray CR");
    cr_assert_str_eq(g.text[3], "e");
    cr_assert_str_eq(g.text[4], "f");
    cr_assert_eq(s.n, 1);
    expect_skip(&s, 0, 4, NULL, "expected 2 fields, found 3");
    /* the same rows after a header ending in "\r\n" */
    got h = { 0 };
    p = write_str("text,label\r\na,spam\r\nb,ham\r\r\nc,spam,extra\r\r\nd,ham\r\ne,ham\rf,ham\r\r\ng,ham\r\n");
    cr_assert_eq(read_all(p, NULL, &h, NULL, NULL), 0);
    expect_rows(&h, 6, ids, lines);
    /* a CR-only file is still counted at CR, its "\r\n" once */
    got c = { 0 };
    p = write_str("text\ra\rb\r\nc\r");
    cr_assert_eq(read_all(p, NULL, &c, NULL, NULL), 0);
    const char *cids[] = { "2", "3", "4" };
    const unsigned long clines[] = { 2, 3, 4 };
    expect_rows(&c, 3, cids, clines);
}

/* The reviewer's case: a stray quote before the text of one row. Only that row is lost; the
 * next row, whose opening quote closed the stray one, is read again and kept. */
/* The header row again, field for field: two exports joined with cat, each with its header
 * (the second saved with a BOM, a name quoted). It was read as a comment: scored as one
 * whose text is "text" and id "id" (remembered so with --remember), or named as an unknown
 * label "label". It is named and skipped; a one-column file's comment may be its header's
 * name, and is kept. */
Test(csv, the_header_row_again_is_named_and_skipped)
{
    got g = { 0 };
    seen s = { 0 };
    kd_csv *r = NULL;
    const char *p = write_str("id,text,label\n1,a,ham\nid,text,label\n2,b,spam\n"
                              "\xEF\xBB\xBFid,\"text\", label\n3,c,ham\nid,text,spam\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 4);
    cr_assert_str_eq(g.id[1], "2");
    cr_assert_eq(g.line[1], 4);
    cr_assert_str_eq(g.id[2], "3");
    cr_assert_eq(g.line[2], 6);
    cr_assert_str_eq(g.id[3], "id", "a row that only looks like it is kept");
    cr_assert_eq(s.n, 2);
    expect_skip(&s, 0, 3, NULL, "the header row again, not a comment (files joined, each with its header row?)");
    expect_skip(&s, 1, 5, NULL, "the header row again, not a comment (files joined, each with its header row?)");
    cr_assert_eq(kd_csv_skipped(r), 2);
    kd_csv_free(r);
    memset(&g, 0, sizeof g);
    memset(&s, 0, sizeof s);
    cr_assert_eq(read_all(write_str("text\ntext\nhello\n"), NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "text");
    cr_assert_eq(s.n, 0);
}

/* The header row again in another letter case (an export joined to one written by another
 * tool, ID,Text): its names are the header's, as columns are matched, without regard to
 * case. It was scored as a comment whose id is "ID". */
Test(csv, the_header_row_again_in_another_case_is_named_and_skipped)
{
    got g = { 0 };
    seen s = { 0 };
    kd_csv *r = NULL;
    cr_assert_eq(read_all(write_str("id,text\na,one\nID,Text\nb,two\n\"Id\", TEXT\n"), NULL, &g, &s, &r), 0);
    expect_rows(&g, 2, (const char *[]){ "a", "b" }, (unsigned long[]){ 2, 4 });
    cr_assert_eq(s.n, 2);
    expect_skip(&s, 0, 3, NULL, "the header row again, not a comment (files joined, each with its header row?)");
    expect_skip(&s, 1, 5, NULL, "the header row again, not a comment (files joined, each with its header row?)");
    cr_assert_eq(kd_csv_skipped(r), 2);
    kd_csv_free(r);
}

Test(csv, stray_quote_loses_only_its_own_row)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,author,label,text\n"                         /* 1 */
                              "c4,Ann,ham,plain\n"                              /* 2 */
                              "c5,Tom,ham,\"The bit about effort landed.\n"    /* 3: stray */
                              "c6,Rae,ham,\"I tried the \"\"worry\"\" window\"\n" /* 4 */
                              "c7,Pri,ham,Question for the author\n");          /* 5 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 3, (const char *[]){ "c4", "c6", "c7" }, (unsigned long[]){ 2, 4, 5 });
    cr_assert_str_eq(g.text[1], "I tried the \"worry\" window");
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(s.file[0], p);
    expect_skip(&s, 0, 3, "text", "unbalanced quote (the quoted field opened here breaks on line 4); "
                                  "reading resumes at line 4");
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
}

/* A quote inside a quoted field, not doubled, closes the field by accident, and text follows
 * it ("text after a closing quote"). On one line the row is named, on its line. In a field
 * that holds newlines (a comment of several lines, a PHP fputcsv export's \"), the quote
 * that breaks it is on a later line than the row: the row is named once, on its own line,
 * with the line of the quote, and that line is skipped with it. It used to be taken for a
 * quote opened by mistake: the row named as an "unbalanced quote" and the line of the stray
 * closing quote read again as a row of its own, named as a second bad row with the field it
 * would be ('id'). The rows after it are read. */
Test(csv, text_after_a_closing_quote_is_named_on_its_row)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text,label\n"                         /* 1 */
                              "r1,hello,ham\n"                          /* 2 */
                              "r2,\"abc\"def,spam\n"                    /* 3: one line */
                              "r3,fine,ham\n"                           /* 4 */
                              "r4,\"first line\n"                       /* 5 */
                              "he said \"hi\" and left\",ham\n"         /* 6: the stray quote */
                              "r5,\"a good\nmulti-line one\",ham\n"     /* 7-8 */
                              "r6,\"para one\n"                         /* 9 */
                              "para two\n"                              /* 10 */
                              "she said \"no\" twice\",spam\n"          /* 11 */
                              "r7,last,ham\n");                         /* 12 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 4, (const char *[]){ "r1", "r3", "r5", "r7" }, (unsigned long[]){ 2, 4, 7, 12 });
    cr_assert_eq(s.n, 4, "%d problems", s.n);
    expect_skip(&s, 0, 3, "text", "malformed quoting: text after the quote that closes this quoted field (a quote "
                                  "inside a quoted field is written twice, \"\")");
    expect_skip(&s, 1, 5, "text", "text after the quote that closes this quoted field on line 6 (a quote inside "
                                  "a quoted field is written twice, \"\"); reading resumes at line 7");
    /* lines 10 and 11: line 10 may be a row (the quote on line 9 opened by mistake), line 11 is
     * the one with the quote */
    expect_skip(&s, 2, 9, "text", "text after the quote that closes this quoted field on line 11 (a quote inside "
                                  "a quoted field is written twice, \"\"); reading resumes at line 10, line 11 "
                                  "skipped with it");
    expect_skip(&s, 3, 10, NULL, "expected 3 fields, found 1");
    cr_assert_eq(kd_csv_skipped(r), 4);
    kd_csv_free(r);
}

/* The same in the middle line of a comment of three lines or more: the field's real closing
 * quote is on a later line, which ends the record with the header's field count. The row is
 * named once, on its own line, with the line of the quote and the line the field ends on, and
 * those lines are skipped with it; they were read again: the row was named an "unbalanced
 * quote" and each later line of the comment a bad row of its own. A quote opened by mistake
 * that a row's own stray quote breaks is still told (the lines after it, read on until a quote
 * that opens a field, hold none that closes one) and read again as before. */
Test(csv, text_after_a_closing_quote_in_a_middle_line_is_named_once)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text,label\n"                         /* 1 */
                              "r1,hello,ham\n"                          /* 2 */
                              "r2,\"first line\n"                       /* 3 */
                              "he said \"hi\" and left\n"               /* 4: the stray quote */
                              "third line\",ham\n"                      /* 5: the field ends */
                              "r3,fine,ham\n"                           /* 6 */
                              "r4,\"para one\n"                         /* 7 */
                              "she said \"no\" and\n"                   /* 8: the stray quote */
                              "more of it, with \"\"quotes\"\"\n"       /* 9 */
                              "the end\" ,spam\n"                       /* 10: the field ends */
                              "r5,\"stray,ham\n"                        /* 11: opened by mistake */
                              "r6,he said \"yes\" once,ham\n"           /* 12: a stray quote */
                              "r7,plain,ham\n"                          /* 13 */
                              "r8,\"quoted, one\",ham\n"                /* 14 */
                              "r9,last,ham");                           /* 15 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 5, (const char *[]){ "r1", "r3", "r7", "r8", "r9" }, (unsigned long[]){ 2, 6, 13, 14, 15 });
    cr_assert_eq(s.n, 4, "%d problems", s.n);
    expect_skip(&s, 0, 3, "text", "text after the quote that closes this quoted field on line 4 (a quote inside "
                                  "a quoted field is written twice, \"\"); the field ends on line 5; reading "
                                  "resumes at line 6");
    expect_skip(&s, 1, 7, "text", "text after the quote that closes this quoted field on line 8 (a quote inside "
                                  "a quoted field is written twice, \"\"); the field ends on line 10; reading "
                                  "resumes at line 11");
    expect_skip(&s, 2, 11, "text", "unbalanced quote (the quoted field opened here breaks on line 12); reading "
                                   "resumes at line 12");
    expect_skip(&s, 3, 12, "text", "malformed quoting*");
    cr_assert_eq(kd_csv_skipped(r), 4);
    kd_csv_free(r);

    /* the field's end on the last line of the input; and a closing quote on a later line
     * that leaves the record a field short is no end of it (read again, as before) */
    got h = { 0 };
    seen t = { 0 };
    p = write_str("id,text,label\nr1,\"a\nb \"c\" d\ne\",ham");
    cr_assert_eq(read_all(p, NULL, &h, &t, NULL), 0);
    cr_assert_eq(h.n, 0);
    cr_assert_eq(t.n, 1, "%d problems", t.n);
    expect_skip(&t, 0, 2, "text", "text after the quote that closes this quoted field on line 3*");
    got k = { 0 };
    seen u = { 0 };
    p = write_str("id,text,label\nr1,\"a\nr2,b \"c\" d,ham\nr3,e\"\nr4,f,ham\n");
    cr_assert_eq(read_all(p, NULL, &k, &u, NULL), 0);
    expect_rows(&k, 1, (const char *[]){ "r4" }, (unsigned long[]){ 5 });
    cr_assert_eq(u.n, 3, "%d problems", u.n);
    expect_skip(&u, 0, 2, "text", "unbalanced quote (the quoted field opened here breaks on line 3); reading "
                                  "resumes at line 3");
}

/* The search for the end of a field a stray quote broke gives up before it outgrows the bytes
 * kept to read lines again (max_field, at least 64 KiB): a quote opened by mistake, a row with
 * a stray quote of its own and then rows without quotes are read again as rows, all of them,
 * not named as lines skipped with the first ("too long to read again"). */
Test(csv, the_search_for_a_closing_quote_keeps_its_lines_to_read_again)
{
    size_t cap = (size_t)200 << 10, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    n += (size_t)sprintf(buf + n, "id,text,label\nr1,\"stray,ham\nr2,he said \"yes\" once,ham\n");
    for (int i = 0; i < 8000; i++)
        n += (size_t)sprintf(buf + n, "p%d,plain,ham\n", i);
    n += (size_t)sprintf(buf + n, "r3,ends with a quote\",ham\nr4,last,ham\n");
    cr_assert_lt(n, cap);
    const char *p = write_tmp(buf, n);
    free(buf);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 16;
    seen s = { 0 };
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, &o), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    int rows = 0, rc;
    unsigned long last = 0;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        rows++;
        last = row->line;
    }
    cr_assert_eq(rc, 0);
    cr_assert_eq(rows, 8001, "%d rows", rows);
    cr_assert_eq(last, 8005);
    cr_assert_eq(s.n, 3, "%d problems", s.n);
    expect_skip(&s, 0, 2, "text", "unbalanced quote (the quoted field opened here breaks on line 3); reading "
                                  "resumes at line 3");
    expect_skip(&s, 1, 3, "text", "malformed quoting*");
    expect_skip(&s, 2, 8004, "text", "malformed quoting*");
    cr_assert_eq(kd_csv_skipped(r), 3);
    kd_csv_free(r);
}

/* A quote opened by mistake is still told from a stray closing one: the quote that ends the
 * swallowed lines opens a field of a later row (after a comma, or blanks after one), and the
 * lines are read again as rows. */
Test(csv, a_stray_opening_quote_closed_after_blanks_is_still_read_again)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text,label\n"           /* 1 */
                              "r1,\"stray,ham\n"           /* 2 */
                              "r2,fine,ham\n"              /* 3 */
                              "r3, \"quoted\" x,ham\n"     /* 4: the stray quote closes here */
                              "r4,ok,spam\n");             /* 5 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 2, (const char *[]){ "r2", "r4" }, (unsigned long[]){ 3, 5 });
    cr_assert_eq(s.n, 2, "%d problems", s.n);
    expect_skip(&s, 0, 2, "text", "unbalanced quote (the quoted field opened here breaks on line 4); reading "
                                  "resumes at line 3");
    expect_skip(&s, 1, 4, "text", "malformed quoting*");
    kd_csv_free(r);
}

/* A quote never closed swallows the rest of the file; every later row is read again. */
Test(csv, quote_never_closed_loses_only_its_own_row)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,author,label,text\n"
                              "r1,Ann,ham,\"a good\nmulti-line one\"\n" /* 2-3 */
                              "r2,Bob,spam,\"never closed\n"            /* 4 */
                              "r3,Cy,ham,fine\n"                         /* 5 */
                              "r4,Di,ham,also fine\n"                    /* 6 */
                              "r5,Ed,spam,last");                        /* 7 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 4, (const char *[]){ "r1", "r3", "r4", "r5" }, (unsigned long[]){ 2, 5, 6, 7 });
    cr_assert_str_eq(g.text[0], "a good\nmulti-line one", "a good quoted newline still works");
    cr_assert_str_eq(g.text[3], "last");
    cr_assert_eq(g.label[3], KD_SPAM);
    cr_assert_eq(s.n, 1);
    expect_skip(&s, 0, 4, "text", "unbalanced quote (the quoted field opened here is still open at "
                                  "the end of the input); reading resumes at line 5");
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
}

/* A line read again may open a quote of its own, which is recovered from the same way. */
Test(csv, nested_recovery)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n"   /* 1 */
                              "1,\"a\n"      /* 2: opens, breaks on 4 */
                              "2,b\n"        /* 3 */
                              "3,\"c\n"      /* 4: opens, breaks on 6 */
                              "4,d\n"        /* 5 */
                              "5,\"e\"x\n"    /* 6: bad on its own */
                              "6,f\n");      /* 7 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 3, (const char *[]){ "2", "4", "6" }, (unsigned long[]){ 3, 5, 7 });
    cr_assert_eq(s.n, 3);
    expect_skip(&s, 0, 2, NULL, "unbalanced quote (the quoted field opened here breaks on line 4); "
                                "reading resumes at line 3");
    expect_skip(&s, 1, 4, NULL, "unbalanced quote (the quoted field opened here breaks on line 6); "
                                "reading resumes at line 5");
    expect_skip(&s, 2, 6, NULL, "malformed quoting*");
    cr_assert_eq(kd_csv_skipped(r), 3);
    kd_csv_free(r);
}

/* A malformed quote on one line says which of the two it is, and how the field is written: a
 * quote inside a field not quoted, or text after the quote that closes a quoted one. It said
 * "a quote inside an unquoted field, or text after a closing quote" of both. */
Test(csv, malformed_quoting_says_which)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n"
                              "r1,buy \"cheap\" pills\n"  /* 2 */
                              "r2,\"ok\"x\n"              /* 3 */
                              "r3, \"a\"  b\n"            /* 4: blanks before and after */
                              "r4,fine\n");               /* 5 */
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    expect_rows(&g, 1, (const char *[]){ "r4" }, (unsigned long[]){ 5 });
    cr_assert_eq(s.n, 3);
    expect_skip(&s, 0, 2, "text", "malformed quoting: a quote inside a field not quoted (quote the field, each "
                                  "quote in it written twice: \"say \"\"hi\"\"\")");
    expect_skip(&s, 1, 3, "text", "malformed quoting: text after the quote that closes this quoted field*");
    expect_skip(&s, 2, 4, "text", "malformed quoting: text after the quote that closes this quoted field*");
}

/* A record that closes with the wrong number of fields after spanning lines: its first line is
 * reported and the others are read again (here the second is bad on its own too). */
Test(csv, multi_line_record_with_wrong_field_count)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n"
                              "1,\"two\n"        /* 2 */
                              "lines\",extra\n"  /* 3 */
                              "2,after\n");     /* 4 */
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    expect_rows(&g, 1, (const char *[]){ "2" }, (unsigned long[]){ 4 });
    cr_assert_eq(s.n, 2);
    expect_skip(&s, 0, 2, "(null)", "expected 2 fields, found 3 on lines 2-3; reading resumes at line 3");
    expect_skip(&s, 1, 3, NULL, "malformed quoting*");
    cr_assert_eq(kd_csv_skipped(r), 2);
    kd_csv_free(r);
}

/* The same at the end of input without a final newline: csv_fini flushes the bad record. */
Test(csv, multi_line_record_with_wrong_field_count_at_eof)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n1,\"x\n\",y,z\n2,ok");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    expect_rows(&g, 1, (const char *[]){ "2" }, (unsigned long[]){ 4 });
    cr_assert_eq(s.n, 2);
    expect_skip(&s, 0, 2, NULL, "expected 2 fields, found 4 on lines 2-3; reading resumes at line 3");
    expect_skip(&s, 1, 3, NULL, "*");
}

Test(csv, stray_quote_with_crlf_line_ends)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\r\n1,\"a\r\n2,b\r\n3,\"c\"\r\n4,d\r\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.text[0], "b", "no stray CR");
    cr_assert_eq(g.line[0], 3);
    cr_assert_str_eq(g.text[1], "c");
    cr_assert_eq(g.line[1], 4);
    cr_assert_eq(g.line[2], 5);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.line[0], 2);
}

/* A stray quote that swallows more than can be kept (here max_field is tiny, so the 64 KiB
 * floor applies): the lines cannot be read again, so the report names them all. */
Test(csv, swallowed_lines_too_long_to_keep_are_named)
{
    size_t cap = 256 << 10, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    n += (size_t)sprintf(buf + n, "id,text\n1,ok\n2,\"stray\n");   /* stray quote on line 3 */
    int filler = 2000;                                               /* lines 4..2003 */
    for (int i = 0; i < filler; i++)
        n += (size_t)sprintf(buf + n, "f%d,some filler text without quotes here ok\n", i);
    n += (size_t)sprintf(buf + n, "9,\"breaks\" here\n10,after\n");   /* lines 2004, 2005 */
    const char *p = write_tmp(buf, n);
    free(buf);
    got g = { 0 };
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 1000;
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, &o, &g, &s, &r), 0);
    expect_rows(&g, 2, (const char *[]){ "1", "10" }, (unsigned long[]){ 2, 2005 });
    cr_assert_eq(s.n, 1);
    expect_skip(&s, 0, 3, NULL, "unbalanced quote (the quoted field opened here breaks on line 2004); "
                                "lines 3-2004 skipped with it (over 65536 bytes, too long to read "
                                "again)");
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
}

/* A stray quote in a pipe, swallowing several 64 KiB reads: the reader cannot seek back, so
 * it re-reads from what it kept. A child process writes, so the pipe never fills up. */
Test(csv, stray_quote_in_a_pipe_across_chunks)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    const int rows = 6000; /* the first 4000, about 150 KiB, hold no quote */
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        FILE *w = fdopen(fds[1], "w");
        fprintf(w, "id,label,text\n0,ham,\"stray quote, never closed\n");
        for (int i = 1; i <= rows; i++)
            fprintf(w, i <= 4000 || i % 5 ? "%d,ham,row %d of the rest of the file\n"
                             : "%d,spam,\"row %d\nspans two lines\"\n", i, i);
        fclose(w);
        _exit(0);
    }
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, "-", &o), 0);
    const kd_csv_row *row;
    unsigned long line = 3;
    char want[32];
    for (int i = 1; i <= rows; i++) {
        cr_assert_eq(kd_csv_next(r, &row), 1, "row %d", i);
        snprintf(want, sizeof want, "%d", i);
        cr_assert_str_eq(row->comment.id, want);
        cr_assert_eq(row->line, line, "row %d", i);
        int two = i > 4000 && i % 5 == 0;
        cr_assert_eq(row->label, two ? KD_SPAM : KD_HAM);
        line += two ? 2 : 1;
    }
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(s.file[0], "<stdin>");
    cr_assert_eq(s.line[0], 2);
    cr_assert(strstr(s.msg[0], "breaks on line 4007") != NULL, "%s", s.msg[0]);
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
    waitpid(pid, NULL, 0);
}

/* The same rows with the stray quote closed much later, by the end of the input. */
Test(csv, quote_never_closed_in_a_big_file)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    n += (size_t)sprintf(buf + n, "id,text\n0,\"stray\n");
    const int rows = 20000; /* no quote after the stray one */
    for (int i = 1; i <= rows; i++)
        n += (size_t)sprintf(buf + n, "%d,plain row number %d\n", i, i);
    const char *p = write_tmp(buf, n);
    free(buf);
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, &o), 0);
    const kd_csv_row *row;
    for (int i = 1; i <= rows; i++) {
        cr_assert_eq(kd_csv_next(r, &row), 1, "row %d", i);
        cr_assert_eq(row->line, (unsigned long)i + 2);
    }
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.line[0], 2);
    cr_assert_eq(kd_csv_skipped(r), 1);
    kd_csv_free(r);
}

Test(csv, unbalanced_quote_in_the_header_is_fatal)
{
    const char *p = write_str("id,\"text\n1,a\n2,b\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_EPARSE);
    cr_assert(strstr(kd_csv_error(r), ":1: unreadable header") != NULL, "%s", kd_csv_error(r));
    kd_csv_free(r);
}

/* A header name longer than max_field is fatal, and the message names which column, counted
 * from 1 as a spreadsheet shows them. */
Test(csv, an_oversized_header_name_is_named_by_its_column)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.max_field = 5;
    const char *p = write_str("id,text,author_email\n1,a,b\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, &o), KD_EPARSE);
    cr_assert(strstr(kd_csv_error(r), ":1: header column 3 is longer than 5 bytes") != NULL, "%s", kd_csv_error(r));
    kd_csv_free(r);
}

Test(csv, invalid_utf8_repaired_and_kept)
{
    got g = { 0 };
    seen s = { 0 };
    /* a lone continuation byte, a truncated 3-byte sequence, an overlong '/', a surrogate */
    const char *p = write_str("id,author,text\n"
                              "1,ok,ab\x80" "cd\n"
                              "2,\xE2\x82,fine\n"
                              "3,x,\xC0\xAF\xED\xA0\x80\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.text[0], "ab\xEF\xBF\xBD" "cd");
    cr_assert_str_eq(g.author[1], "\xEF\xBF\xBD\xEF\xBF\xBD");
    cr_assert_str_eq(g.text[2], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.skipped[0], 0);
    cr_assert_eq(s.line[0], 2);
    cr_assert_str_eq(s.field[0], "text");
    cr_assert(strstr(s.msg[0], "byte 2") != NULL, "%s", s.msg[0]);
    cr_assert_str_eq(s.field[1], "author");
    cr_assert(strstr(s.msg[1], "byte 0") != NULL, "%s", s.msg[1]);
    cr_assert_eq(kd_csv_repaired(r), 3);
    cr_assert_eq(kd_csv_skipped(r), 0);
    kd_csv_free(r);
}

/* The edges of valid UTF-8 (RFC 3629): U+0800 (E0 A0 80, the least 3-byte sequence), U+FFFF,
 * U+10000 (F0 90 80 80) and U+10FFFF (F4 8F BF BF) are kept as they are; E0 9F BF (an
 * overlong U+07FF) and F4 90 80 80 (past U+10FFFF) are repaired, each byte a U+FFFD. */
Test(csv, utf8_is_read_exactly_to_its_edges)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text\n"
                              "1,a\xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF\n"
                              "2,\xE0\x9F\xBF\n"
                              "3,\xF4\x90\x80\x80\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.text[0], "a\xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF");
    cr_assert_str_eq(g.text[1], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    cr_assert_str_eq(g.text[2], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    cr_assert_eq(kd_csv_repaired(r), 2);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.line[0], 3);
    cr_assert_eq(s.line[1], 4);
    kd_csv_free(r);
}

Test(csv, nul_byte_repaired_and_kept)
{
    static const char data[] = "id,text\n1,\"a\0b\"\n2,c\n";
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_tmp(data, sizeof data - 1);
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "a\xEF\xBF\xBD" "b");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.skipped[0], 0);
    cr_assert_str_eq(s.field[0], "text");
    cr_assert(strstr(s.msg[0], "byte 1") != NULL, "%s", s.msg[0]);
    cr_assert_eq(kd_csv_repaired(r), 1);
    kd_csv_free(r);
}

Test(csv, blank_lines_ignored)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("\n\nid,text\n\n1,a\n   \n\n2,b\n\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(s.n, 0);
    cr_assert_eq(g.line[0], 5);
    cr_assert_eq(g.line[1], 8);
}

/* ---- header ------------------------------------------------------------------------------- */

Test(csv, missing_text_column)
{
    const char *p = write_str("id,author,body\n1,a,hello\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_ENOTFOUND);
    cr_assert_not_null(r, "the reader is set so the error can be explained");
    const char *e = kd_csv_error(r);
    cr_assert(strstr(e, "text") != NULL, "%s", e);
    cr_assert(strstr(e, "\"body\"") != NULL, "the message lists the header: %s", e);
    cr_assert(strstr(e, p) != NULL, "the message names the file: %s", e);
    kd_csv_free(r);
}

/* a spreadsheet's "CSV" in a locale whose decimal comma makes it ';'-separated, or a TSV:
 * the header reads as one column, and the message says what separates it */
Test(csv, one_column_header_separated_otherwise_says_by_what)
{
    static const char *const input[] = { "id;text;label\n1;hello;ham\n", "id\ttext\tlabel\n1\thello\tham\n",
                                         "id|text|label\n1|hello|ham\n", "body\nhello\n" };
    static const char *const want[] = { "(separated by ';', not commas: save it as comma-separated CSV)",
                                        "(separated by tabs, not commas: save it as comma-separated CSV)",
                                        "(separated by '|', not commas: save it as comma-separated CSV)", NULL };
    for (size_t i = 0; i < sizeof input / sizeof *input; i++) {
        const char *p = write_str(input[i]);
        kd_csv *r = NULL;
        cr_assert_eq(kd_csv_open(&r, p, NULL), KD_ENOTFOUND, "%zu", i);
        const char *e = kd_csv_error(r);
        if (want[i])
            cr_assert(strstr(e, want[i]) != NULL, "%zu: %s", i, e);
        else
            cr_assert(strstr(e, "separated by") == NULL, "%zu: %s", i, e);
        kd_csv_free(r);
    }
}

/* A file that is no CSV text at all, named where a CSV file goes (a model without -m, a
 * spreadsheet's own format, kindly's JSON Lines output, a PDF), is said to be what it is, with
 * what to do, rather than read as a header of binary bytes ("no text column", or invalid
 * UTF-8 warnings quoting the bytes); CSV whose header merely starts with a bracket still reads */
Test(csv, a_file_that_is_not_csv_is_named_for_what_it_is)
{
#define F(s, want) { s, sizeof s - 1, want }
    static const struct { const char *s; size_t n; const char *want; } files[] = {
        F("SQLite format 3\0\x10\0\x02\x02\0@  \0\0\0\x04", "is an SQLite database (a kindly model?)"),
        F("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document"),
        F("PK\x03\x04\x14\0\0\0\x08\0", "is a ZIP archive (an .xlsx or .ods spreadsheet?)"),
        F("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", "is an Office 97-2003 document (an .xls spreadsheet?)"),
        F("\x1F\x8B\x08\0\0\0\0\0", "is gzip-compressed"),
        F("{\"id\":\"c1\",\"verdict\":\"spam\"}\n", "is JSON"),
        F("\xEF\xBB\xBF [\n  {\"text\": \"hi\"}\n]\n", "is JSON"),
    };
#undef F
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const char *p = write_tmp(files[i].s, files[i].n);
        kd_csv *r = NULL;
        cr_assert_eq(kd_csv_open(&r, p, NULL), KD_EPARSE, "%zu: %s", i, kd_csv_error(r));
        const char *e = kd_csv_error(r);
        cr_assert(strstr(e, files[i].want) && strstr(e, "not CSV"), "%zu: %s", i, e);
        cr_assert(!strchr(e, '\n') && !strstr(e, "\xEF\xBF\xBD"), "%zu: one line, no bytes of the file: %s", i, e);
        kd_csv_free(r);
    }
    static const char *const csv[] = { "[id],text\nc1,hello\n", "{note},text\nx,hello\n", "text\n[1]\n" };
    for (size_t i = 0; i < sizeof csv / sizeof *csv; i++) {
        kd_csv *r = NULL;
        cr_assert_eq(kd_csv_open(&r, write_str(csv[i]), NULL), KD_OK, "%zu: %s", i, kd_csv_error(r));
        kd_csv_free(r);
    }
}

Test(csv, raw_kind_needs_no_text)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    const char *p = write_str("post_id,title\np1,Hello\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, &o), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_null(row->comment.text);
    cr_assert_eq(row->label, KD_UNLABELLED);
    cr_assert_str_eq(row->fields[kd_csv_column(r, "TITLE")], "Hello");
    kd_csv_free(r);
}

Test(csv, empty_file)
{
    const char *p = write_str("");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_EPARSE);
    cr_assert(strstr(kd_csv_error(r), "empty") != NULL, "%s", kd_csv_error(r));
    kd_csv_free(r);
}

Test(csv, only_bom_and_blank_lines)
{
    const char *p = write_str("\xEF\xBB\xBF\r\n\n  \n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_EPARSE);
    kd_csv_free(r);
}

Test(csv, header_only)
{
    const char *p = write_str("id,text\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_null(row);
    kd_csv_free(r);
}

Test(csv, broken_header_is_a_parse_error)
{
    const char *p = write_str("id,\"te\"xt\n1,a\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_EPARSE);
    cr_assert(strstr(kd_csv_error(r), ":1:") != NULL, "%s", kd_csv_error(r));
    kd_csv_free(r);
}

Test(csv, missing_file)
{
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, "/nonexistent/kindly.csv", NULL), KD_EIO);
    cr_assert(strstr(kd_csv_error(r), "/nonexistent/kindly.csv") != NULL);
    kd_csv_free(r);
    kd_csv_free(NULL);
}

/* An empty file name is the caller's mistake, not a file that could not be read: KD_EINVAL,
 * with a reader whose message says so (open("") fails with ENOENT: it was KD_EIO, ": No such
 * file or directory", naming nothing). */
Test(csv, an_empty_file_name_is_refused_as_such)
{
    static const kd_csv_kind kinds[] = { KD_CSV_COMMENTS, KD_CSV_RAW };
    for (size_t i = 0; i < 2; i++) {
        kd_csv_options o = KD_CSV_OPTIONS_INIT;
        o.kind = kinds[i];
        kd_csv *r = NULL;
        cr_assert_eq(kd_csv_open(&r, "", &o), KD_EINVAL);
        cr_assert_not_null(r);
        cr_assert_str_eq(kd_csv_error(r), "empty file name: name a CSV file, or '-' for standard input");
        kd_csv_free(r);
    }
}

/* Whether s is valid UTF-8 (no character cut in half). */
static int utf8_whole(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int k = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC2 ? 1 : -1;
        if (k < 0)
            return 0;
        for (p++; k > 0; k--, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

/* A fatal message is whole however long: a path of 900 bytes of 'é' is named in full (it
 * was cut at 512 bytes, inside a character: invalid UTF-8 in a message). */
Test(csv, a_long_message_is_whole_utf8)
{
    char path[1024] = "/nonexistent/x";
    for (int d = 0; d < 3; d++) {
        strcat(path, "/");
        for (int i = 0; i < 150; i++)
            strcat(path, "\xC3\xA9");
    }
    strcat(path, "/kindly.csv");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, NULL), KD_EIO);
    const char *e = kd_csv_error(r);
    cr_assert(utf8_whole(e), "not valid UTF-8: %s", e);
    cr_assert(strncmp(e, path, strlen(path)) == 0 && !strncmp(e + strlen(path), ": ", 2), "%s", e);
    kd_csv_free(r);
}

/* The header's names listed in "no text column" are cut short at a character: a long name of
 * 'é' was cut inside one, before the ", ...", invalid UTF-8 in the message. */
Test(csv, no_text_column_list_is_cut_at_a_character)
{
    char head[1024] = "id,";
    for (int i = 0; i < 300; i++)
        strcat(head, "\xC3\xA9");
    strcat(head, ",x\n1,a,b\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, write_str(head), NULL), KD_ENOTFOUND);
    const char *e = kd_csv_error(r);
    cr_assert(utf8_whole(e), "not valid UTF-8: %s", e);
    cr_assert_not_null(strstr(e, "\xC3\xA9, ..."), "%s", e);
    kd_csv_free(r);
}

Test(csv, column_lookup)
{
    const char *p = write_str("ID,Text,text,,label\n1,first,second,x,ham\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    cr_assert_eq(kd_csv_column(r, "id"), 0);
    cr_assert_eq(kd_csv_column(r, "TEXT"), 1, "first match wins");
    cr_assert_eq(kd_csv_column(r, ""), 3);
    cr_assert_eq(kd_csv_column(r, "nope"), -1);
    cr_assert_eq(kd_csv_column(NULL, "id"), -1);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "first");
    cr_assert_eq(row->nfields, 5);
    cr_assert_str_eq(row->fields[2], "second");
    cr_assert_eq(row->lens[2], 6);
    kd_csv_free(r);
}

/* ---- duplicate column names -------------------------------------------------------------- */

Test(csv, duplicate_text_column_warns_and_uses_the_first)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("id,text,label,text\n1,first,spam,second\n");
    kd_csv *r = NULL;
    cr_assert_eq(read_all(p, NULL, &g, &s, &r), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.text[0], "first");
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(s.file[0], p);
    cr_assert_eq(s.line[0], 1);
    cr_assert_eq(s.skipped[0], 0, "a warning: no row is dropped");
    cr_assert_str_eq(s.field[0], "text");
    cr_assert_str_eq(s.msg[0], "duplicate column name (columns 2 and 4); column 2 is used, the "
                               "other is ignored");
    cr_assert_eq(kd_csv_skipped(r), 0);
    cr_assert_eq(kd_csv_repaired(r), 0);
    kd_csv_free(r);
}

typedef struct dup_case {
    char header[96];
    char row[64];
    char field[24];
    char msg[128];
} dup_case;

/* Every mapped name, in kindly's, YouTube's and WordPress's spelling; the header on line 1. */
ParameterizedTestParameters(csv, duplicate_mapped_names)
{
    static dup_case cases[] = {
        { "id,text,ID", "1,t,2", "id", "duplicate column name (columns 1 and 3, letter case ignored)" },
        { "text,label,label", "t,spam,ham", "label", "duplicate column name (columns 2 and 3)" },
        { "text,post_id,author,post_id,author", "t,p,a,q,b", "post_id", "duplicate column name (columns 2 and 4)" },
        { "text,email,url,ip,agent,date,parent,email", "t,e,u,i,a,d,p,f", "email", "duplicate column name (columns 2 and 8)" },
        { "COMMENT_ID,CONTENT,CLASS,CONTENT", "1,t,1,u", "CONTENT", "duplicate column name (columns 2 and 4)" },
        { "CONTENT,CLASS,CLASS,CLASS", "t,1,0,0", "CLASS", "duplicate column name (columns 2, 3 and 4); column 2 is used, the others are ignored" },
        { "comment_content,comment_approved,comment_approved", "t,spam,1", "comment_approved", "duplicate column name (columns 2 and 3)" },
        { "comment_ID,comment_content,comment_author_IP,comment_author_ip", "1,t,a,b", "comment_author_IP", "duplicate column name (columns 3 and 4, letter case ignored)" },
    };
    return cr_make_param_array(dup_case, cases, sizeof cases / sizeof cases[0]);
}

/* The case's one row is read, and its first message is the header's warning of c->field
 * (only, when alone: no other message). */
static void expect_dup_warning(const dup_case *c, int alone)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s\n%s\n", c->header, c->row);
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(write_str(buf), NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 1, "%s: the row is read", c->header);
    cr_assert_geq(s.n, 1, "%s", c->header);
    if (alone)
        cr_assert_eq(s.n, 1, "%s: %d messages", c->header, s.n);
    cr_assert_eq(s.line[0], 1);
    cr_assert_eq(s.skipped[0], 0);
    cr_assert_eq(s.code[0], KD_CSV_DUPLICATE_COLUMN);
    cr_assert_str_eq(s.field[0], c->field, "%s", c->header);
    cr_assert(strstr(s.msg[0], c->msg) == s.msg[0], "%s: %s", c->header, s.msg[0]);
}

ParameterizedTest(dup_case *c, csv, duplicate_mapped_names) { expect_dup_warning(c, 0); }

Test(csv, duplicate_names_the_first_column_wins_for_every_field)
{
    got g = { 0 };
    seen s = { 0 };
    const char *p = write_str("\n\nid,author,label,text,author,label,id\n1,Ann,spam,hi,Bob,ham,2\n");
    cr_assert_eq(read_all(p, NULL, &g, &s, NULL), 0);
    cr_assert_str_eq(g.id[0], "1");
    cr_assert_str_eq(g.author[0], "Ann");
    cr_assert_eq(g.label[0], KD_SPAM);
    cr_assert_eq(s.n, 3, "id, author and label, in the order kindly maps them");
    cr_assert_str_eq(s.field[0], "id");
    cr_assert_str_eq(s.field[1], "author");
    cr_assert_str_eq(s.field[2], "label");
    cr_assert_eq(s.line[0], 3, "the header's own line");
}

/* A field named twice under two of its names (files of two schemas joined, as pandas joins
 * them: text and CONTENT, label and CLASS, each row's value in one of the two): the column of
 * kindly's first name is read, and the other is named on the header's line; it was ignored
 * without a word, its rows read as empty or unlabelled. */
ParameterizedTestParameters(csv, a_field_under_two_of_its_names)
{
    static dup_case cases[] = {
        { "id,CONTENT,text", "1,a,b", "CONTENT", "the text again, under another name than column 3's (text); column 3 is used, this one (column 2) is ignored" },
        { "text,label,CLASS", "t,spam,1", "CLASS", "the label again, under another name than column 2's (label); column 2 is used, this one (column 3) is ignored" },
        { "comment_approved,CLASS,text", "spam,1,t", "comment_approved", "the label again, under another name than column 2's (CLASS)" },
        { "COMMENT_ID,id,text", "a,b,t", "COMMENT_ID", "the comment's id again, under another name than column 2's (id)" },
        { "text,comment_date_gmt,date", "t,d,e", "comment_date_gmt", "the date again, under another name than column 3's (date)" },
        { "text,email,comment_author_email", "t,e,f", "comment_author_email", "the e-mail address again, under another name than column 2's (email)" },
    };
    return cr_make_param_array(dup_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(dup_case *c, csv, a_field_under_two_of_its_names) { expect_dup_warning(c, 1); }

/* No warning where no ambiguity reaches a comment: comment_date beside comment_date_gmt (both
 * read: the local time where the other is empty), unmapped names, and raw readers, which map
 * nothing. */
Test(csv, duplicates_that_are_not_warned_about)
{
    seen s = { 0 };
    const char *p = write_str("comment_ID,comment_content,comment_date_gmt,comment_date,"
                              "label,LABEL2,LABEL2,note,note,,\n1,t,d,e,ham,1,0,a,b,,\n");
    cr_assert_eq(read_all(p, NULL, NULL, &s, NULL), 0);
    /* the unread ones are named as unread, not as duplicates */
    cr_assert_eq(s.n, 1, "first: %s %s", s.field[0], s.msg[0]);
    cr_assert_eq(s.code[0], KD_CSV_UNREAD_COLUMNS);
    cr_assert_str_eq(s.msg[0], "columns are not read: \"LABEL2\", \"LABEL2\", \"note\", \"note\", column 10 (no "
                               "name), column 11 (no name)");
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW; /* a raw reader maps nothing: no column is "unread" */
    seen r = { 0 };
    cr_assert_eq(read_all(write_str("post_id,title,text,text,other\np,t,a,b,c\n"), &o, NULL, &r, NULL), 0);
    cr_assert_eq(r.n, 0);
}

/* A column kindly does not read is named once, on the header's line, and nothing is dropped:
 * a hand-made export's "website" was ignored without a word (the author-URL rules never fired
 * on its comments). A name like one of kindly's own gets the name kindly reads, as a question,
 * and only where kindly has no column of that role; kindly's own second names (CLASS beside
 * label, comment_date beside comment_date_gmt) are not "unread" (CLASS is the label again). */
Test(csv, unread_columns_are_named_with_the_name_kindly_reads)
{
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(write_str("id,name,website,text,is_spam,rating\n1,Ann,http://a.example,hi,0,5\n"),
                          NULL, &g, &s, NULL),
                 0);
    cr_assert_eq(g.n, 1);
    cr_assert_null(g.author[0]);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.code[0], KD_CSV_UNREAD_COLUMNS);
    cr_assert_eq(s.line[0], 1);
    cr_assert_eq(s.skipped[0], 0);
    cr_assert_str_eq(s.field[0], "(null)");
    cr_assert_str_eq(s.msg[0], "columns are not read: \"name\" (the author? kindly reads it from a column named "
                               "author), \"website\" (the author's URL? kindly reads it from a column named url), "
                               "\"is_spam\" (the label? kindly reads it from a column named label), \"rating\"");

    seen t = { 0 }; /* beside kindly's own author and label, a "name" and a "spam" are something else */
    cr_assert_eq(read_all(write_str("author,name,label,Spam,CLASS,comment_date_gmt,comment_date,text\n"
                                    "a,b,ham,0,0,d,e,t\n"),
                          NULL, NULL, &t, NULL),
                 0);
    cr_assert_eq(t.n, 2); /* CLASS beside label: the label again (not read), named as such */
    cr_assert_eq(t.code[0], KD_CSV_DUPLICATE_COLUMN);
    cr_assert_str_eq(t.field[0], "CLASS");
    cr_assert_str_eq(t.msg[1], "columns are not read: \"name\", \"Spam\"");

    seen u = { 0 }; /* at most 8 named */
    cr_assert_eq(read_all(write_str("text,a,b,c,d,e,f,g,h,i,j\nt,1,2,3,4,5,6,7,8,9,10\n"), NULL, NULL, &u, NULL), 0);
    cr_assert_eq(u.n, 1);
    cr_assert_str_eq(u.msg[0], "columns are not read: \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", "
                               "\"h\" and 2 more");

    seen v = { 0 }; /* a long name is named by its first 60 bytes */
    char hdr[256];
    snprintf(hdr, sizeof hdr, "text,%0100d\nt,1\n", 0);
    cr_assert_eq(read_all(write_str(hdr), NULL, NULL, &v, NULL), 0);
    cr_assert_eq(v.n, 1);
    cr_assert_str_eq(v.msg[0], "a column is not read: \"000000000000000000000000000000000000000000000000000000000000...\"");

    seen w = { 0 }; /* every column read: nothing said */
    cr_assert_eq(read_all(write_str("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n1,a,2014-01-01,t,1\n"), NULL, NULL, &w,
                          NULL),
                 0);
    cr_assert_eq(w.n, 0);
}

/* Without a text column, a column named as hand-made files name the text is pointed at. */
Test(csv, no_text_column_points_at_a_likely_one)
{
    const char *p = write_str("id,Message,label\n1,hello,ham\n");
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), KD_ENOTFOUND);
    cr_assert(strstr(kd_csv_error(r), "; if \"Message\" holds the comments, name it text") != NULL, "%s",
              kd_csv_error(r));
    kd_csv_free(r);
}

Test(csv, id_defaults_to_line_number)
{
    got g = { 0 };
    const char *p = write_str("text\nfirst\n\"two\nlines\"\nthird\n");
    cr_assert_eq(read_all(p, NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.id[0], "2");
    cr_assert_str_eq(g.id[1], "3");
    cr_assert_str_eq(g.id[2], "5");
}

/* ---- labels ------------------------------------------------------------------------------- */

typedef struct label_case {
    char column[20];
    char value[16];
    kd_label want;
    int warns;
} label_case;

ParameterizedTestParameters(csv, labels)
{
    static label_case cases[] = {
        { "label", "spam", KD_SPAM, 0 },       { "label", "SPAM", KD_SPAM, 0 },
        { "label", "Ham", KD_HAM, 0 },         { "label", "1", KD_SPAM, 0 },
        { "label", "0", KD_HAM, 0 },           { "label", "true", KD_SPAM, 0 },
        { "label", "FALSE", KD_HAM, 0 },       { "label", "", KD_UNLABELLED, 0 },
        /* blanks alone, quoted (an unquoted blank field is empty already), are no label: it
           was named as 'unknown label ""' */
        { "label", "\" \"", KD_UNLABELLED, 0 }, { "CLASS", "\"\t\"", KD_UNLABELLED, 0 },
        { "label", "maybe", KD_UNLABELLED, 1 }, { "label", "2", KD_UNLABELLED, 1 },
        { "CLASS", "1", KD_SPAM, 0 },          { "class", "0", KD_HAM, 0 },
        { "CLASS", "spam", KD_UNLABELLED, 1 }, { "comment_approved", "spam", KD_SPAM, 0 },
        { "comment_approved", "1", KD_HAM, 0 }, { "comment_approved", "0", KD_UNLABELLED, 0 },
        { "comment_approved", "trash", KD_UNLABELLED, 0 },
        { "comment_approved", "post-trashed", KD_UNLABELLED, 0 },
        { "comment_approved", "SPAM", KD_SPAM, 0 },
        /* a value WordPress does not write is named, as an unknown label is (it was silently
           unlabelled) */
        { "comment_approved", "approved", KD_UNLABELLED, 1 }, { "comment_approved", "hold", KD_UNLABELLED, 1 },
        /* a column pandas or R read as numbers is written back as 1.0 / 0.0: understood (it
           was an unknown label); other numbers still are unknown */
        { "label", "1.0", KD_SPAM, 0 },        { "label", "0.0", KD_HAM, 0 },
        { "CLASS", "1.00", KD_SPAM, 0 },       { "CLASS", "0.0", KD_HAM, 0 },
        { "label", "1.", KD_UNLABELLED, 1 },   { "label", "0.01", KD_UNLABELLED, 1 },
        { "label", "10", KD_UNLABELLED, 1 },   { "CLASS", "1.5", KD_UNLABELLED, 1 },
        { "label", ".0", KD_UNLABELLED, 1 },   { "comment_approved", "1.0", KD_UNLABELLED, 1 },
    };
    return cr_make_param_array(label_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(label_case *c, csv, labels)
{
    char buf[128];
    snprintf(buf, sizeof buf, "text,%s\nhello,%s\n", c->column, c->value);
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(write_str(buf), NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.label[0], c->want, "%s=%s", c->column, c->value);
    cr_assert_eq(s.n, c->warns, "%s=%s", c->column, c->value);
    if (c->warns) {
        cr_assert_eq(s.skipped[0], 0, "an unknown label is a warning");
        cr_assert_eq(s.line[0], 2);
        cr_assert(strstr(s.msg[0], c->value) != NULL, "%s", s.msg[0]);
    }
}

/* A label read without its spaces is named from the trimmed copy, at its own length: named
 * at the field's, 40 bytes were copied from a 16-byte buffer (AddressSanitizer: make sanitize) */
Test(csv, unknown_label_padded_with_spaces)
{
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(write_str("text,label\nhello,\"  weird                                          \"\n"), NULL, &g,
                          &s, NULL),
                 0);
    cr_assert_eq(g.label[0], KD_UNLABELLED);
    cr_assert_eq(s.n, 1);
    cr_assert(strstr(s.msg[0], "unknown label \"weird\"") != NULL, "%s", s.msg[0]);
}

/* A value or a column name quoted in a message keeps the message on one line: its control
 * characters are escapes. A label holding a newline printed a second line on stderr (one
 * that could pass for another FILE:LINE message) and an escape sequence reached the terminal. */
Test(csv, messages_escape_control_characters)
{
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all(write_str("text,\"la\nbel\",label\n"
                                    "a,x,\"spam\nx.csv:9: fake (row skipped)\"\n"
                                    "b,x,\"\x1b[31mred\t\x7f\xc2\x9b\"\n"
                                    "c,x\n"),
                          NULL, &g, &s, NULL),
                 0);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(s.n, 4);
    cr_assert_str_eq(s.msg[0], "a column is not read: \"la\\nbel\"");
    memmove(&s.line[0], &s.line[1], 3 * sizeof s.line[0]);
    memmove(s.msg[0], s.msg[1], 3 * sizeof s.msg[0]);
    memmove(s.field[0], s.field[1], 3 * sizeof s.field[0]);
    s.n = 3;
    cr_assert_str_eq(s.msg[0], "unknown label \"spam\\nx.csv:9: fake (row skipped)\" (expected spam/ham, 1/0 or "
                               "true/false); row kept unlabelled");
    cr_assert_str_eq(s.msg[1], "unknown label \"\\x1b[31mred\\t\\x7f\\u009b\" (expected spam/ham, 1/0 or "
                               "true/false); row kept unlabelled");
    cr_assert_eq(s.line[2], 6); /* the header takes lines 1-2 */
    cr_assert_str_eq(s.field[2], "(null)");
    for (int i = 0; i < s.n; i++)
        cr_assert_null(strpbrk(s.msg[i], "\n\r\x1b"), "%s", s.msg[i]);
    /* the column name: named in a message about its field */
    seen h = { 0 };
    cr_assert_eq(read_all(write_str("text,\"la\nbel\"\na,\"\xff\"\n"), NULL, NULL, &h, NULL), 0);
    cr_assert_eq(h.n, 2);
    cr_assert_str_eq(h.field[1], "la\\nbel");
}

Test(csv, label_column_preferred_over_class)
{
    got g = { 0 };
    cr_assert_eq(read_all(write_str("CLASS,text,label\n1,a,ham\n"), NULL, &g, NULL, NULL), 0);
    cr_assert_eq(g.label[0], KD_HAM);
}

/* ---- standard input ----------------------------------------------------------------------- */

Test(csv, reads_stdin_pipe)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    const char *text = "id,text\n1,\"from\na pipe\"\n2,bad,row\n3,ok\n";
    cr_assert_eq(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all("-", NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.text[0], "from\na pipe");
    cr_assert_eq(g.line[1], 5);
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(s.file[0], "<stdin>");
    cr_assert_eq(s.line[0], 4);
}

/* BOMs that a pipe delivers in pieces: the first read took only the first BOM (it waits for
 * 3 bytes), so a second one, or the rest of one cut by the read, was read as part of the
 * first column's name (no id column, and a quoted name an unreadable header). A child writes
 * the pieces with pauses, so that each arrives in a read of its own. */
Test(csv, boms_cut_by_pipe_reads_are_skipped)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        const char *piece[] = { "\xEF\xBB\xBF", "\xEF", "\xBB", "\xBF\xEF\xBB", "\xBF\"id\",text\n7,hi\n" };
        for (size_t i = 0; i < sizeof piece / sizeof *piece; i++) {
            if (write(fds[1], piece[i], strlen(piece[i])) < 0)
                _exit(1);
            usleep(50000);
        }
        _exit(0);
    }
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    got g = { 0 };
    seen s = { 0 };
    cr_assert_eq(read_all("-", NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.id[0], "7", "every BOM is skipped, however the reads cut them");
    cr_assert_str_eq(g.text[0], "hi");
    cr_assert_eq(s.n, 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A CR-only file from a pipe whose writer writes its header line alone: the first read ends
 * right after the header's CR, which may be a bare CR or the first half of a CRLF; the next
 * byte tells. It was taken for LF lines: every row was on line 1 (the stray quote named
 * there) and the quote swallowed the row after it. A CRLF cut so stays LF lines. */
static void read_pieces(const char *const *piece, size_t n, got *g, seen *s)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < n; i++) {
            if (write(fds[1], piece[i], strlen(piece[i])) < 0)
                _exit(1);
            usleep(50000);
        }
        _exit(0);
    }
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    cr_assert_eq(read_all("-", NULL, g, s, NULL), 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The pieces, read from a pipe, give two rows whose ids (their line numbers) are id0, id1. */
static void pieces_give(const char *const *piece, size_t n, const char *id0, const char *id1)
{
    got g = { 0 };
    read_pieces(piece, n, &g, NULL);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.id[0], id0);
    cr_assert_str_eq(g.id[1], id1);
}

/* The pieces of "text", "a", "\"b", "c" (lines 1-4, a stray quote on line 3) give the rows of
 * lines 2 and 4, line 3 named: the file is counted at CR. */
static void stray_quote_pieces(const char *const *piece, size_t n)
{
    got g = { 0 };
    seen s = { 0 };
    read_pieces(piece, n, &g, &s);
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.id[0], "2");
    cr_assert_str_eq(g.text[0], "a");
    cr_assert_str_eq(g.id[1], "4", "the line after the stray quote is read again");
    cr_assert_str_eq(g.text[1], "c");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.line[0], 3);
}

Test(csv, cr_only_header_alone_in_a_pipe_read)
{
    const char *cr[] = { "text\r", "a\r\"b\rc\r" };
    stray_quote_pieces(cr, 2);
    const char *crs[] = { "text\r\r", "\r", "a\rb\r" }; /* blank lines, cut too */
    pieces_give(crs, 3, "4", "5");
    /* a header name quoting a CR or an LF: counted as the same file is, at CR only */
    const char *quoted_cr[] = { "\"a\rb\",text\r", "x,one\rx,two\r" };
    pieces_give(quoted_cr, 2, "3", "4");
    const char *quoted_lf[] = { "\"a\nb\",text\r", "x,one\rx,two\r" };
    pieces_give(quoted_lf, 2, "2", "3");
    const char *crlf[] = { "text\r", "\na\r\nb\n" };
    pieces_give(crlf, 2, "2", "3");
}

/* A CR-only file from a pipe whose first read ends inside the header line (a slow writer, a
 * network): the line end is told by the header's, which the first read was taken to hold. It
 * was read as LF lines: every row on line 1 (each id "1"), and the stray quote of line 3 took
 * the row after it. The reader now waits for the header's line end before the first chunk. */
Test(csv, cr_only_header_cut_by_a_pipe_read)
{
    const char *cr[] = { "te", "xt", "\r", "a\r\"b\rc\r" };
    stray_quote_pieces(cr, 4);
    /* after a BOM, and a header name quoting a CR cut by the read: counted at CR */
    const char *quoted_cr[] = { "\xEF\xBB\xBF\"a\r", "b\",text\r", "x,one\rx,two\r" };
    pieces_give(quoted_cr, 3, "3", "4");
    /* LF and CRLF lines cut so stay counted at LF */
    const char *lf[] = { "te", "xt\na\nb\n" };
    pieces_give(lf, 2, "2", "3");
    const char *crlf[] = { "te", "xt\r", "\na\r\nb\r\n" };
    pieces_give(crlf, 3, "2", "3");
}

/* ---- chunk boundaries --------------------------------------------------------------------- */

/* Many rows whose lines straddle the 64 KiB read chunks, some with CRLF inside quotes. */
Test(csv, many_rows_across_chunks)
{
    size_t cap = 4 << 20, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    n += (size_t)sprintf(buf + n, "id,label,text\r\n");
    const int rows = 20000;
    for (int i = 0; i < rows; i++)
        n += (size_t)sprintf(buf + n, i % 7 ? "%d,ham,\"row %d, plain text of some length\"\r\n"
                                            : "%d,spam,\"row %d\r\nwith a break\"\r\n",
                             i, i);
    const char *p = write_tmp(buf, n);
    free(buf);
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, p, NULL), 0);
    const kd_csv_row *row;
    unsigned long line = 2;
    char want[64];
    for (int i = 0; i < rows; i++) {
        cr_assert_eq(kd_csv_next(r, &row), 1);
        snprintf(want, sizeof want, "%d", i);
        cr_assert_str_eq(row->comment.id, want);
        cr_assert_eq(row->line, line, "row %d", i);
        cr_assert_eq(row->label, i % 7 ? KD_HAM : KD_SPAM);
        line += i % 7 ? 1 : 2;
    }
    cr_assert_eq(kd_csv_next(r, &row), 0);
    cr_assert_eq(kd_csv_skipped(r), 0);
    kd_csv_free(r);
}

/* ---- the shared corpora ------------------------------------------------------------------- */

static void count_corpus(const char *name, int want, int want_spam)
{
    const char *shared = getenv("KINDLY_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/corpora/%s", shared ? shared : "../shared", name);
    if (access(path, R_OK) != 0)
        cr_skip_test("%s not found (set KINDLY_SHARED)", path);
    seen s = { 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0, "%s", kd_csv_error(r));
    const kd_csv_row *row;
    int rc, n = 0, spam = 0;
    while ((rc = kd_csv_next(r, &row)) == 1) {
        n++;
        spam += row->label == KD_SPAM;
        cr_assert_neq(row->label, KD_UNLABELLED);
        cr_assert(row->comment.id && row->comment.text[0]);
    }
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, want);
    cr_assert_eq(spam, want_spam);
    cr_assert_eq(s.n, 0, "first problem: line %lu: %s", s.line[0], s.msg[0]);
    kd_csv_free(r);
}

Test(csv, youtube_dev_corpus) { count_corpus("youtube-dev.csv", 1138, 586); }

Test(csv, sms_corpus) { count_corpus("sms.csv", 5574, 747); }

/* ---- fuzz corpus replay ------------------------------------------------------------------- */

/* Read a file as comments and raw rows; nothing but parse problems may come out. */
static void replay_one(const char *path, kd_csv_kind kind, size_t max_field)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    seen s = { 0 };
    o.kind = kind;
    o.max_field = max_field;
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    int rc = kd_csv_open(&r, path, &o);
    cr_assert(rc == 0 || rc == KD_EPARSE || rc == KD_ENOTFOUND, "%s: open %d", path, rc);
    cr_assert_not_null(r);
    if (rc == 0) {
        size_t ncol;
        kd_csv_header(r, &ncol);
        const kd_csv_row *row;
        unsigned long last = 0;
        while ((rc = kd_csv_next(r, &row)) == 1) {
            cr_assert_eq(row->nfields, ncol);
            cr_assert_geq(row->line, 1);
            cr_assert_geq(row->line, last, "%s: lines go forward", path);
            last = row->line;
            for (size_t i = 0; i < ncol; i++) {
                cr_assert_eq(strlen(row->fields[i]), row->lens[i]);
                cr_assert_leq(row->lens[i], max_field * 3, "repairs at most triple a field");
            }
        }
        cr_assert_eq(rc, 0, "%s: next %d %s", path, rc, kd_csv_error(r));
    }
    kd_csv_free(r);
}

static void replay_csv(const char *path, void *ud)
{
    (void)ud;
    replay_one(path, KD_CSV_COMMENTS, (size_t)16 << 20);
    replay_one(path, KD_CSV_RAW, 16);
}

Test(csv, fuzz_corpus_replays)
{
    int files = th_each_file("tests/fuzz/corpus/csv", replay_csv, NULL);
    if (files < 0)
        cr_skip_test("tests/fuzz/corpus/csv not found: run from the repository root");
    cr_assert_gt(files, 0);
}

/* ---- problem codes and rows the caller rejects -------------------------------------------- */

Test(csv, each_problem_says_what_kind_it_is)
{
    /* line 1: "text" twice; 2: an unknown label; 3: a NUL byte repaired; 4: a field too many */
    static const char data[] = "id,label,text,text\n"
                               "a,maybe,hello,x\n"
                               "b,spam,he\0llo,x\n"
                               "c,ham,hi,x,extra\n"
                               "d,ham,fine,x\n";
    seen s = { 0 };
    got g = { 0 };
    cr_assert_eq(read_all(write_tmp(data, sizeof data - 1), NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 3, "rows a, b, d are kept");
    cr_assert_eq(s.n, 4);
    kd_csv_problem_code want[] = { KD_CSV_DUPLICATE_COLUMN, KD_CSV_UNKNOWN_LABEL, KD_CSV_FIELD_REPAIRED,
                                   KD_CSV_ROW_SKIPPED };
    unsigned long lines[] = { 1, 2, 3, 4 };
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(s.code[i], want[i], "problem %d (%s): code %d", i, s.msg[i], s.code[i]);
        cr_expect_eq(s.line[i], lines[i], "problem %d (%s)", i, s.msg[i]);
    }
}

/* A Windows-1252 export (accents as single bytes) is the usual cause of invalid UTF-8: the
 * first repair of a file says how to convert it, the others do not repeat it. */
Test(csv, the_first_invalid_utf8_names_the_iconv_command)
{
    static const char data[] = "id,text,label\n1,Chlo\xe9,ham\n2,caf\xe9,ham\n";
    seen s = { 0 };
    got g = { 0 };
    const char *path = write_tmp(data, sizeof data - 1);
    cr_assert_eq(read_all(path, NULL, &g, &s, NULL), 0);
    cr_assert_eq(g.n, 2, "both rows are kept");
    cr_assert_eq(s.n, 2);
    cr_assert(strstr(s.msg[0], "iconv -f WINDOWS-1252 -t UTF-8") && strstr(s.msg[0], path), "%s", s.msg[0]);
    cr_assert_null(strstr(s.msg[1], "iconv"), "%s", s.msg[1]);
}

Test(csv, a_rejected_row_is_reported_and_counted_like_a_bad_one)
{
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.kind = KD_CSV_RAW;
    seen s = { 0 };
    o.problem = collect;
    o.problem_ud = &s;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, write_str("post_id,title\np1,One\n,No id\np3,Three,extra\np4,Four\n"), &o), 0);
    const kd_csv_row *row;
    int kept = 0;
    while (kd_csv_next(r, &row) == 1) {
        if (!*row->fields[0])
            kd_csv_reject(r, row, "post_id", "no post id");
        else
            kept++;
    }
    cr_assert_eq(kept, 2, "p1 and p4");
    cr_assert_eq(kd_csv_skipped(r), 2, "the rejected row and the bad one");
    cr_assert_eq(s.n, 2);
    cr_expect_eq(s.line[0], 3);
    cr_expect_eq(s.code[0], KD_CSV_ROW_REJECTED);
    cr_expect_str_eq(s.field[0], "post_id");
    cr_expect_str_eq(s.msg[0], "no post id");
    cr_expect_eq(s.line[1], 4);
    cr_expect_eq(s.code[1], KD_CSV_ROW_SKIPPED);
    kd_csv_free(r);
}

/* before_read: called before each read after the header, also in the middle of a row (a
 * writer that stops there: `score --remember` hands the model's lock over in the hook). The
 * writer sends half of row 2 and finishes it only once the hook has run. */
typedef struct hook_seen {
    int calls, rows_out, sync_fd, signalled;
} hook_seen;

static void on_before_read(void *ud)
{
    hook_seen *h = ud;
    h->calls++;
    if (h->rows_out == 1 && !h->signalled) { /* waiting inside row 2: let the writer go on */
        cr_assert_eq(write(h->sync_fd, "g", 1), 1);
        h->signalled = 1;
    }
}

Test(csv, before_read_runs_before_a_read_that_may_wait_even_mid_row)
{
    int data[2], sync[2];
    cr_assert_eq(pipe(data), 0);
    cr_assert_eq(pipe(sync), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(data[0]);
        close(sync[1]);
        const char *a = "id,text\n1,first\n2,\"half", *b = " a row\"\n";
        char g;
        alarm(10); /* the test fails rather than hangs if the hook never runs */
        if (write(data[1], a, strlen(a)) < 0 || read(sync[0], &g, 1) != 1 || write(data[1], b, strlen(b)) < 0)
            _exit(1);
        _exit(0);
    }
    close(data[1]);
    close(sync[0]);
    cr_assert_eq(dup2(data[0], STDIN_FILENO), STDIN_FILENO);
    close(data[0]);
    hook_seen h = { 0, 0, sync[1], 0 };
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.before_read = on_before_read;
    o.before_read_ud = &h;
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, "-", &o), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "first");
    h.rows_out = 1;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "half a row");
    cr_assert(h.signalled, "the hook did not run while row 2 was incomplete");
    cr_assert_eq(kd_csv_next(r, &row), 0);
    kd_csv_free(r);
    close(sync[1]);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* stop: asked before each read and after a signal interrupted one, it gives the reading up
 * (a train from a terminal stops at the first Ctrl-C); without it the read is retried. The
 * input is a pipe whose writer, this process, never writes: only the signal ends the read. */
static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
    (void)sig;
    alarmed = 1;
}
static int stop_when_alarmed(void *ud)
{
    ++*(int *)ud;
    return alarmed;
}

Test(csv, stop_gives_up_a_read_a_signal_interrupted)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: the read returns EINTR */
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
    int asked = 0;
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.stop = stop_when_alarmed;
    o.stop_ud = &asked;
    /* the header's read, waiting */
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, "-", &o), KD_EIO);
    cr_assert_str_eq(kd_csv_error(r), "<stdin>: reading interrupted");
    cr_assert(asked >= 2, "stop asked %d times: before the read and after it was interrupted", asked);
    kd_csv_free(r);
    /* a row's read, waiting in the middle of the row */
    alarmed = 0;
    cr_assert_eq(write(p[1], "id,text\n1,first\n2,\"half", 23), 23);
    cr_assert_eq(kd_csv_open(&r, "-", &o), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "first");
    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    cr_assert_eq(kd_csv_next(r, &row), KD_EIO);
    cr_assert_str_eq(kd_csv_error(r), "<stdin>: reading interrupted");
    kd_csv_free(r);
    close(p[1]);
    signal(SIGALRM, SIG_DFL);
}

/* Options of versions 1 (before before_read existed) and 2 (before stop) are still accepted;
 * the fields past their end are unset. */
Test(csv, options_of_versions_1_and_2_are_accepted)
{
    char path[512], dir[256];
    th_tmpdir(dir, sizeof dir);
    th_write(dir, "v1.csv", "id,text\n1,hello\n", path, sizeof path);
    kd_csv_options o = KD_CSV_OPTIONS_INIT;
    o.version = 1;
    o.before_read = (void (*)(void *))abort; /* past the end of a version-1 struct: ignored */
    kd_csv *r = NULL;
    cr_assert_eq(kd_csv_open(&r, path, &o), 0);
    const kd_csv_row *row;
    cr_assert_eq(kd_csv_next(r, &row), 1);
    cr_assert_str_eq(row->comment.text, "hello");
    kd_csv_free(r);
    o.version = 2;
    o.stop = (int (*)(void *))abort; /* past the end of a version-2 struct: ignored */
    cr_assert_eq(kd_csv_open(&r, path, &o), 0);
    cr_assert_eq(kd_csv_next(r, &row), 1);
    kd_csv_free(r);
    o.version = KD_CSV_OPTIONS_VERSION + 1; /* refused, with a reader that says why */
    cr_assert_eq(kd_csv_open(&r, path, &o), KD_EINVAL);
    cr_assert_not_null(r);
    cr_expect(strstr(kd_csv_error(r), "unknown kd_csv_options version 4"), "%s", kd_csv_error(r));
    kd_csv_free(r);
    o.version = KD_CSV_OPTIONS_VERSION;
    o.before_read = NULL;
    o.kind = (kd_csv_kind)7; /* not a kd_csv_kind */
    cr_assert_eq(kd_csv_open(&r, path, &o), KD_EINVAL);
    cr_assert_not_null(r);
    cr_expect(strstr(kd_csv_error(r), "unknown kd_csv_options kind 7"), "%s", kd_csv_error(r));
    kd_csv_free(r);
    th_rmrf(dir);
}

/* A UTF-16 file (a spreadsheet's "Unicode text") is named as such, not read as UTF-8 with a
 * NUL every other byte: with its byte-order mark, and without one. */
Test(csv, a_utf16_file_is_named_as_such)
{
    static const char le_bom[] = "\xFF\xFEi\0d\0,\0t\0e\0x\0t\0\n\0";
    static const char be[] = "\0i\0d\0,\0t\0e\0x\0t\0\n";
    const struct { const char *s; size_t n; } files[] = { { le_bom, sizeof le_bom - 1 }, { be, sizeof be - 1 } };
    char dir[256], path[512];
    th_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/u16.csv", dir);
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(files[i].s, 1, files[i].n, f), files[i].n);
        fclose(f);
        kd_csv *r = NULL;
        cr_assert_eq(kd_csv_open(&r, path, NULL), KD_EPARSE);
        cr_assert(strstr(kd_csv_error(r), "UTF-16"), "%s", kd_csv_error(r));
        kd_csv_free(r);
    }
    th_rmrf(dir);
}
