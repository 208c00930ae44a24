/*
 * csv.c - reads comment corpora (CSV) one record at a time, on top of libcsv.
 *
 * libcsv is a push parser: csv_parse() calls back for every finished field and record. kindly
 * wants a pull interface (kd_csv_next) with physical line numbers for every problem, so this
 * file turns one into the other:
 *
 *  - The input is read in 64 KiB chunks with read(2) (no stdio buffering, no seeking, so a pipe
 *    on standard input works and rows come out as soon as their bytes arrive). Each chunk is
 *    split at '\n' with memchr and handed to csv_parse one physical line (or line piece) at a
 *    time. libcsv gives no positions, but between two pieces we know the line number, and
 *    when the parser sits between records (pstate 0, the state csv_init and csv_fini leave it
 *    in) the next record starts on the coming line. A quoted field holding newlines therefore
 *    keeps the line its record started on, and the rows after it get their true lines.
 *  - The callbacks append fields to one growable buffer (field bytes, each NUL-terminated) and
 *    finished records to a small queue; kd_csv_next hands the queue out and refills it. Feeding
 *    stops after the line that completed a record, so the queue holds one line's records and
 *    memory is O(largest record), not O(file). Buffers are reused: no allocation per field
 *    once they have grown.
 *  - Bad input never stops the reader. A record with the wrong number of fields, a field over
 *    max_field, a malformed quote (CSV_STRICT makes libcsv stop there; the parser is reset and
 *    reading resumes at the next line) or a quote left open at the end of input drops that
 *    record with a problem report. Invalid UTF-8 and NUL bytes are replaced by U+FFFD and the
 *    record is kept with a warning. Only I/O errors and out-of-memory are fatal.
 *  - A quote opened by mistake (`1,"text` with no closing quote) makes libcsv read the lines
 *    after it as part of one quoted field, until a quote it cannot accept, the end of input,
 *    or a record that closes with the wrong number of fields. Dropping that whole record would
 *    lose good rows behind one message, so when a bad record ran past its first line, only
 *    that first line is reported ("unbalanced quote", "expected N fields") and the later lines
 *    are read again, as rows of their own. Input cannot be re-read (standard input is a
 *    pipe), so the raw bytes of a record's lines after its first are kept in `held` while the
 *    record is open, and a bad record's held bytes become `again`: input read before the rest
 *    of the file. Single-line records, nearly all of them, keep nothing. `held` is bounded by
 *    max_field (at least CHUNK_SIZE); a record that outgrows it cannot be read again and its
 *    report names every line it swallowed ("lines 6-9000 skipped with it"). The other way round,
 *    a quote of a multi-line text left undoubled (`he said "hi" and left",ham` on the second
 *    line of a comment) closes the field by accident: when the quote libcsv stopped after
 *    stands inside text (a letter or a mark before it) and the field's real closing quote
 *    follows on its line, the record is reported once, with that line, which is skipped (read
 *    again it is no row); the rest of the line is held before it is judged (decide), so the
 *    outcome does not depend on how reads cut the input. In a comment of three lines or more
 *    the real closing quote may be on a later line: then the lines after the quote's are held
 *    and searched (later_line) until one ends the record with the header's field count (the
 *    record is reported once, those lines skipped with it) or a quote opens a field there, the
 *    input ends or held_limit() is reached (a quote opened by mistake, as above). Either way each
 *    physical line is read as part of a row or named in a report. A record that is too long
 *    (a field over max_field) has sound quoting and is not read again.
 *  - A field longer than max_field must not make libcsv's own field buffer grow without
 *    bound, so between pieces a field already over the limit is cut back to the two trailing
 *    bytes libcsv still needs (the closing quote and a trailing blank it strips, its count of
 *    blanks cut to one) and marked oversize. This touches libcsv's public struct csv_parser
 *    (entry_buf, entry_pos, spaces) in the one way that keeps its invariants: entry_pos >=
 *    spaces + 1. libcsv also grows its
 *    buffer by a fixed block (128 bytes by default); the block is raised as the buffer grows
 *    so that large fields cost a logarithmic number of reallocs.
 *  - A header may name a column twice (`id,text,label,text`). The first column of a name is the
 *    one used, as kd_csv_column() finds it; for the names kindly maps (id, text, label, ...)
 *    the reader warns, naming the columns, since the other one may be the one the user meant.
 *    It is a warning and not an error because the rule is fixed and documented, and a file
 *    with an extra column is still readable: refusing it would stop a run over a header quirk.
 *
 * Known limits, all consequences of streaming in O(record) memory:
 *  - Lines are counted at LF (so "\r\n" and "\r\r\n" end one line, and a lone CR between
 *    two records ends none), or, in a file whose first line ends in a bare CR (classic Mac
 *    OS), at CR. The first line end outside quotes must be in the first bytes read (any
 *    file; a pipe that delivers the first line whole: CRs that end the bytes read are told
 *    by the next byte); otherwise LF is assumed.
 *  - Lines read again after a bad record are those after its first line; a real row on that
 *    first line, after the stray quote, is lost with it (it is the line reported). A record
 *    whose quoting is sound but whose field count is wrong and which spans lines (a multi-line
 *    text with an extra comma after it) also has its later lines read again; they rarely make
 *    a row and are reported one by one.
 *  - A quote opened by mistake whose lines hold a row with a stray quote inside its text, a
 *    row or more after it with no quote, and then a row whose text ends in a quote before its
 *    last field (`r6,he said "yes" once,ham`, `r7,plain,ham`, `r8,ends with a quote",ham`) is
 *    read as a comment whose quote was not doubled: the rows between (r7) are skipped with it,
 *    within the lines its message names ("the field ends on line 6; reading resumes at line
 *    7"), not read again. It takes two quote mistakes, a few rows apart.
 *  - libcsv trims blanks around unquoted fields; quoted fields are kept byte for byte.
 *  - An unknown label is a warning but does not count in kd_csv_repaired(), which counts rows
 *    whose bytes were changed.
 *
 * The UTF-8 check is a small local validator rather than normalize.c's so that this reader
 * (and its fuzz target) depends on nothing but libcsv and buf.c.
 */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "kindly.h"

#define CHUNK_SIZE   ((size_t)64 << 10)
#define MAX_COLUMNS  65536              /* a wider header is refused */
#define BLK_MIN      ((size_t)4 << 10)  /* libcsv growth step, raised as its buffer grows */
#define BLK_MAX      ((size_t)1 << 20)
#define PARSER_OPTS  (CSV_STRICT | CSV_STRICT_FINI)
#define NO_REPAIR    ((size_t)-1)

/* The kd_comment members and label sources, in the order the header is searched. */
enum { C_ID, C_POST, C_PARENT, C_AUTHOR, C_EMAIL, C_URL, C_IP, C_AGENT, C_DATE, C_TEXT,
       C_LABEL, C_CLASS, C_APPROVED, C_COUNT };

/* Column names per role, first match wins; compared ASCII case-insensitively, so "id" also
 * matches "ID" and "comment_id" matches "COMMENT_ID" and "comment_ID". */
static const char *const aliases[C_COUNT][5] = {
    [C_ID] = { "id", "comment_id", NULL },
    [C_POST] = { "post_id", "comment_post_id", NULL },
    [C_PARENT] = { "parent", "comment_parent", NULL },
    [C_AUTHOR] = { "author", "comment_author", NULL },
    [C_EMAIL] = { "email", "author_email", "comment_author_email", NULL },
    [C_URL] = { "url", "author_url", "comment_author_url", NULL },
    [C_IP] = { "ip", "author_ip", "comment_author_ip", NULL },
    [C_AGENT] = { "agent", "comment_agent", NULL },
    [C_DATE] = { "date", "comment_date_gmt", "comment_date", NULL },
    [C_TEXT] = { "text", "content", "comment_content", NULL },
    [C_LABEL] = { "label", NULL },
    [C_CLASS] = { "class", NULL },
    [C_APPROVED] = { "comment_approved", NULL }, /* (the label's three: also in cli/common.c) */
};

typedef struct field {
    size_t off, len; /* bytes in r->data, NUL at off + len */
    size_t bad_at;   /* offset of the first repaired byte in the raw field, or NO_REPAIR */
    int oversize;    /* longer than max_field: not stored */
} field;

typedef struct record {
    unsigned long line; /* physical line where it starts */
    size_t first;       /* index of its first field in r->f */
} record;

struct kd_csv {
    char *path;
    const char *shown; /* path as shown in problems ("<stdin>" for "-") */
    int fd, own_fd;
    kd_csv_options opts;
    struct csv_parser p;
    int p_live; /* csv_init succeeded */
    size_t blk;

    unsigned char *chunk;
    size_t clen, cpos;
    int eof;       /* read(2) returned 0 */
    int finished;  /* csv_fini done: no more records */
    int started;   /* first bytes read, BOM handled */
    int at_line_start;
    int eol;       /* the byte that ends a physical line: '\n', or '\r' in a CR-only file */
    unsigned long eol_crs; /* the CRs read, when the first read ended right after those that
                            * end the first line (a pipe): a bare CR or a CRLF cut by the
                            * read, told by the next byte that is no CR (tell_eol) */
    int skip_line; /* after a parse error: drop the rest of this line */
    int overflow;  /* the field in progress was cut back: it is oversize */
    int fatal;     /* sticky KD_EIO / KD_ENOMEM / KD_EPARSE */
    unsigned long line;     /* physical line of the next byte fed */
    unsigned long rec_line; /* line where the record in progress started */
    unsigned long fed_line; /* line of the last piece fed */
    size_t open_col;        /* field in progress when the record's first line ended */

    /* Re-reading a bad record's later lines (see the top of the file). */
    kd_buf held;      /* raw bytes of the record in progress from its second line on */
    size_t held_line; /* offset in held where the line being fed began */
    int deciding;     /* a quote broke the record on a later line: the rest of that line is
                       * held, not fed, and the record judged at its end (decide) */
    size_t decide_at; /* offset in held of the byte libcsv stopped at */
    unsigned long decide_line; /* the line of that byte */
    int looking;      /* its line holds no closing quote: later lines are held and searched */
    size_t scan_from; /* offset in held of the next line to search */
    int held_lost;    /* they outgrew held_limit(): those lines cannot be read again */
    int reread;       /* a bad record asked for its held lines to be read again */
    kd_buf again;     /* bytes to read before the rest of the input */
    size_t again_pos; /* next unread byte in again */

    kd_buf data;   /* field bytes of queued records and of the record in progress */
    field *f;
    size_t nf, capf;
    record *q;
    size_t nq, capq, head; /* queued records; head = next to hand out */
    size_t cur_first, cur_off, cur_n; /* record in progress: first field, data offset, count */

    int have_header;
    unsigned long hdr_line;
    size_t ncol;
    kd_buf hdr;       /* header names, NUL-separated */
    const char **names;
    int col[C_COUNT];
    int date_local; /* comment_date, when the date is read from comment_date_gmt; else -1 */
    int date_wp;    /* the date column is WordPress's (comment_date_gmt or comment_date) */

    const char **fieldp; /* the row handed out */
    size_t *lens;
    kd_csv_row row;
    char idbuf[24];

    unsigned long skipped, repaired;
    kd_buf err;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static unsigned char ascii_lower(char c)
{
    unsigned char x = (unsigned char)c;
    return x >= 'A' && x <= 'Z' ? (unsigned char)(x + 'a' - 'A') : x;
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = ascii_lower(*a), y = ascii_lower(*b);
        if (x != y || !x)
            return x - y;
    }
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes available, s[0] >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0xC2 || c > 0xF4)
        return 0; /* stray continuation byte, overlong 2-byte lead, or beyond U+10FFFF */
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0; /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return 4;
}

/* Offset of the first byte in s[0..n) that is not printable-or-control ASCII other than NUL
 * (so: a NUL or a byte >= 0x80), or n. Eight bytes at a time: a word has such a byte when a
 * high bit is set or when subtracting 1 from every byte borrows out of a zero byte. */
static size_t ascii_span(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w | ((w - ones) & ~w)) & highs)
            break;
    }
    while (i < n && s[i] && s[i] < 0x80)
        i++;
    return i;
}

/* Append s[0..n) to b, each invalid UTF-8 byte and each NUL replaced by U+FFFD. *bad_at gets
 * the offset of the first replaced byte (left alone when there is none). */
static void append_repaired(kd_buf *b, const unsigned char *s, size_t n, size_t *bad_at)
{
    size_t i = ascii_span(s, n), run = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c && c < 0x80) {
            i += ascii_span(s + i, n - i);
            continue;
        }
        size_t k = c ? utf8_seq(s + i, n - i) : 0;
        if (k) {
            i += k;
            continue;
        }
        if (*bad_at == NO_REPAIR)
            *bad_at = i;
        kd_buf_add(b, s + run, i - run);
        kd_buf_add(b, "\xEF\xBF\xBD", 3);
        run = ++i;
    }
    kd_buf_add(b, s + run, n - run);
}

static void set_error(kd_csv *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The fatal error, whole: a long path (PATH_MAX) or header problem is never cut short, as a
 * fixed 512 bytes once cut it, in the middle of a UTF-8 character at times. */
static void set_error(kd_csv *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kd_buf_clear(&r->err);
    r->err.oom = 0;
    if (code == KD_ENOMEM && r->shown) /* named as the reader's other failures are */
        kd_buf_printf(&r->err, "%s:%lu: ", r->shown, r->rec_line);
    if (kd_buf_vprintf(&r->err, fmt, ap)) {
        kd_buf_clear(&r->err);
        r->err.oom = 0;
        kd_buf_puts(&r->err, "out of memory");
    }
    va_end(ap);
    r->fatal = code;
}

static const char *column_name(const kd_csv *r, size_t i)
{
    return r->have_header && i < r->ncol ? r->names[i] : NULL;
}

/* Report a problem. Before the header is known a dropped record is fatal: the header is
 * unreadable. */
static void problem(kd_csv *r, unsigned long line, const char *fieldname, kd_csv_problem_code code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(kd_csv *r, unsigned long line, const char *fieldname, kd_csv_problem_code code,
                    const char *fmt, ...)
{
    char small[256], *raw = small; /* longer (a long path in the iconv advice) on the heap */
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof small) {
        if ((raw = malloc((size_t)len + 1)) != NULL)
            vsnprintf(raw, (size_t)len + 1, fmt, aq);
        else
            raw = small, len = sizeof small - 1; /* out of memory: cut short */
    }
    va_end(aq);
    kd_buf mb = KD_BUF_INIT, fb = KD_BUF_INIT;
    const char *msg = kd_buf_line(&mb, raw, (size_t)len);
    int skipped = code == KD_CSV_ROW_SKIPPED || code == KD_CSV_ROW_REJECTED;
    if (!r->have_header && skipped) {
        set_error(r, KD_EPARSE, "%s:%lu: unreadable header: %s", r->shown, line, msg);
    } else {
        if (skipped)
            r->skipped++;
        if (r->opts.problem) {
            const char *name = fieldname ? kd_buf_line(&fb, fieldname, strlen(fieldname)) : NULL;
            kd_csv_problem p = { r->shown, line, name, msg, skipped, code };
            r->opts.problem(r->opts.problem_ud, &p);
        }
    }
    kd_buf_free(&mb);
    kd_buf_free(&fb);
    if (raw != small)
        free(raw);
}

/* ---- the parser --------------------------------------------------------------------------- */

/* A fresh parser. Failing is fatal (sticky), so that no later call feeds a freed parser. */
static int parser_reset(kd_csv *r)
{
    if (r->p_live)
        csv_free(&r->p);
    r->p_live = csv_init(&r->p, PARSER_OPTS) == 0;
    if (!r->p_live) {
        set_error(r, KD_ENOMEM, "out of memory");
        return KD_ENOMEM;
    }
    r->blk = BLK_MIN;
    csv_set_blk_size(&r->p, r->blk);
    r->overflow = 0;
    return KD_OK;
}

/* Forget the fields of the record in progress. */
static void drop_current(kd_csv *r)
{
    r->nf = r->cur_first;
    r->data.len = r->cur_off;
    if (r->data.s)
        r->data.s[r->data.len] = '\0';
    r->cur_n = 0;
    r->overflow = 0;
}

/* ---- bad records and re-reading their lines ----------------------------------------------- */

/* Most raw bytes kept to re-read a record's later lines: max_field, so a record that could be
 * a good one can be re-read, but never less than one chunk, so that stray quotes are still
 * recovered from when a caller sets a tiny max_field. */
static size_t held_limit(const kd_csv *r)
{
    return r->opts.max_field > CHUNK_SIZE ? r->opts.max_field : CHUNK_SIZE;
}

/* Keep a piece of a line after the record's first, in case the record turns out bad. */
static void hold(kd_csv *r, const unsigned char *s, size_t n)
{
    if (r->held_lost)
        return;
    if (r->held.len + n > held_limit(r)) {
        r->held_lost = 1;
        kd_buf_free(&r->held); /* those lines are named if the record is bad */
        return;
    }
    if (kd_buf_add(&r->held, s, n))
        set_error(r, KD_ENOMEM, "out of memory");
}

static void forget_held(kd_csv *r)
{
    kd_buf_clear(&r->held);
    r->held_lost = 0;
}

/* 1 if the record in progress has gone past the line it started on. */
static int spans_lines(const kd_csv *r)
{
    return r->held.len > 0 || r->held_lost;
}

/* Name of the field to blame for a quote problem: the quoted field that ran past the record's
 * first line when there is one, else the field in progress. */
static const char *quoted_column(const kd_csv *r)
{
    return column_name(r, spans_lines(r) ? r->open_col : r->cur_n);
}

/* Report the record in progress as bad. One that ran past its first line is reported on that
 * line only and its later lines are marked to be read again (r->reread; the caller drops the
 * record and calls reread()); if they were too long to keep, the report names them instead. */
static void bad_record(kd_csv *r, const char *fieldname, const char *why)
{
    unsigned long first = r->rec_line;
    if (!r->have_header || !spans_lines(r)) {
        problem(r, first, fieldname, KD_CSV_ROW_SKIPPED, "%s", why); /* before the header: fatal */
    } else if (!r->held_lost) {
        problem(r, first, fieldname, KD_CSV_ROW_SKIPPED, "%s; reading resumes at line %lu", why, first + 1);
        r->reread = 1;
    } else {
        problem(r, first, fieldname, KD_CSV_ROW_SKIPPED,
                "%s; lines %lu-%lu skipped with it (over %zu bytes, too long to read again)",
                why, first, r->fed_line, held_limit(r));
    }
}

/* Read a bad record's later lines again: its held bytes, followed by what was left of an
 * earlier re-read, become the next input; line numbers restart at the record's second line.
 * The caller has consumed the piece that revealed the problem (it is among the held bytes). */
static int reread(kd_csv *r)
{
    if (r->again_pos < r->again.len)
        kd_buf_add(&r->held, r->again.s + r->again_pos, r->again.len - r->again_pos);
    if (r->held.oom) {
        set_error(r, KD_ENOMEM, "out of memory");
        return KD_ENOMEM;
    }
    kd_buf swap = r->again;
    r->again = r->held;
    r->held = swap;
    r->again_pos = 0;
    forget_held(r);
    r->line = r->rec_line + 1;
    r->rec_line = r->fed_line = r->line;
    r->at_line_start = 1;
    r->skip_line = 0;
    r->reread = 0;
    drop_current(r);
    return parser_reset(r);
}

/* libcsv callback: one field finished. */
static void on_field(void *s, size_t len, void *ud)
{
    kd_csv *r = ud;
    size_t idx = r->cur_n++;
    int over = r->overflow || len > r->opts.max_field;
    r->overflow = 0;
    if (r->fatal || r->reread)
        return; /* the rest of the piece is read again */
    if (idx >= (r->have_header ? r->ncol : (size_t)MAX_COLUMNS))
        return; /* the record will be dropped for its field count; keep memory bounded */
    if (r->nf == r->capf) {
        size_t cap = r->capf ? r->capf * 2 : 16;
        field *f = realloc(r->f, cap * sizeof *f);
        if (!f) {
            set_error(r, KD_ENOMEM, "out of memory");
            return;
        }
        r->f = f;
        r->capf = cap;
    }
    field *f = &r->f[r->nf++];
    f->off = r->data.len;
    f->bad_at = NO_REPAIR;
    f->oversize = over;
    if (!over && ascii_span(s, len) == len && kd_buf_grow(&r->data, len + 1) == 0) {
        /* the common case: plain ASCII, one copy into room made once */
        char *d = r->data.s + r->data.len;
        memcpy(d, s, len);
        d[len] = d[len + 1] = '\0';
        f->len = len;
        r->data.len += len + 1;
    } else {
        if (!over)
            append_repaired(&r->data, s, len, &f->bad_at);
        f->len = r->data.len - f->off;
        kd_buf_add(&r->data, "", 1); /* the field's NUL */
    }
    if (r->data.oom)
        set_error(r, KD_ENOMEM, "out of memory");
}

/* The first record is the header: copy its names. */
static void take_header(kd_csv *r)
{
    if (r->cur_n > MAX_COLUMNS) {
        set_error(r, KD_EPARSE, "%s:%lu: the header has more than %d columns", r->shown,
                  r->rec_line, MAX_COLUMNS);
        return;
    }
    for (size_t i = r->cur_first; i < r->nf; i++) {
        if (r->f[i].oversize) {
            set_error(r, KD_EPARSE, "%s:%lu: header column %zu is longer than %zu bytes",
                      r->shown, r->rec_line, i - r->cur_first + 1, r->opts.max_field);
            return;
        }
    }
    r->ncol = r->nf - r->cur_first;
    kd_buf_add(&r->hdr, r->data.s + r->cur_off, r->data.len - r->cur_off);
    r->names = malloc(r->ncol * sizeof *r->names);
    r->fieldp = malloc(r->ncol * sizeof *r->fieldp);
    r->lens = malloc(r->ncol * sizeof *r->lens);
    if (r->hdr.oom || !r->names || !r->fieldp || !r->lens) {
        set_error(r, KD_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < r->ncol; i++) { /* a name is matched without the spaces around it */
        char *n = r->hdr.s + (r->f[r->cur_first + i].off - r->cur_off), *e = n + strlen(n);
        while (*n == ' ' || *n == '\t')
            n++;
        while (e > n && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        r->names[i] = n;
    }
    r->have_header = 1;
    r->hdr_line = r->rec_line;
    for (size_t i = 0; i < r->ncol; i++)
        if (r->f[r->cur_first + i].bad_at != NO_REPAIR)
            problem(r, r->rec_line, r->names[i], KD_CSV_FIELD_REPAIRED,
                    "invalid UTF-8 or NUL byte in the header name at byte %zu, replaced by U+FFFD",
                    r->f[r->cur_first + i].bad_at);
}

/* 1 if the record in progress repeats the header, name for name (blanks around a field and
 * BOMs before the first aside, as the header is read; ASCII letters in either case, as columns
 * are matched: ID,Text repeats id,text): two exports joined with cat, each with its header
 * row. Read as a comment, its names were scored as one (the text "text", the id "id"). A
 * one-column file is left alone: a comment may be its header's name. */
static int repeats_header(const kd_csv *r)
{
    if (r->ncol < 2)
        return 0;
    for (size_t i = 0; i < r->ncol; i++) {
        const field *f = &r->f[r->cur_first + i];
        const char *s = r->data.s + f->off, *e = s + f->len, *name = r->names[i];
        while (!i && e - s >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
            s += 3;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (f->oversize || (size_t)(e - s) != strlen(name))
            return 0;
        for (; s < e; s++, name++)
            if (ascii_lower(*s) != ascii_lower(*name))
                return 0;
    }
    return 1;
}

/* Check a finished data record; 1 to keep it. */
static int check_record(kd_csv *r)
{
    unsigned long line = r->rec_line;
    char why[160];
    if (r->cur_n != r->ncol) {
        if (spans_lines(r))
            snprintf(why, sizeof why, "expected %zu fields, found %zu on lines %lu-%lu",
                     r->ncol, r->cur_n, line, r->fed_line);
        else
            snprintf(why, sizeof why, "expected %zu fields, found %zu", r->ncol, r->cur_n);
        bad_record(r, NULL, why);
        return 0;
    }
    for (size_t i = 0; i < r->ncol; i++) {
        if (!r->f[r->cur_first + i].oversize)
            continue;
        /* sound quoting, only too long: its lines are not rows, so they are not read again */
        if (spans_lines(r))
            problem(r, line, r->names[i], KD_CSV_ROW_SKIPPED,
                    "field longer than the limit of %zu bytes, in the record on lines %lu-%lu",
                    r->opts.max_field, line, r->fed_line);
        else
            problem(r, line, r->names[i], KD_CSV_ROW_SKIPPED, "field longer than the limit of %zu bytes",
                    r->opts.max_field);
        return 0;
    }
    if (repeats_header(r)) {
        problem(r, line, NULL, KD_CSV_ROW_SKIPPED,
                "the header row again, not a comment (files joined, each with its header row?)");
        return 0;
    }
    int repaired = 0;
    for (size_t i = 0; i < r->ncol; i++) {
        size_t at = r->f[r->cur_first + i].bad_at;
        if (at != NO_REPAIR) {
            /* the first of a file says what the usual cause is: a Windows export */
            int first = !r->repaired && !repaired, file = strcmp(r->path, "-") != 0;
            problem(r, line, r->names[i], KD_CSV_FIELD_REPAIRED,
                    "invalid UTF-8 or NUL byte at byte %zu of the field, replaced by U+FFFD%s%s%s%s", at,
                    first ? " (if the input is Windows-1252 or Latin-1, convert it first: iconv -f "
                            "WINDOWS-1252 -t UTF-8" : "",
                    first && file ? " " : "", first && file ? r->path : "",
                    first ? (file ? " > converted.csv)" : ")") : "");
            repaired = 1;
        }
    }
    r->repaired += (unsigned long)repaired;
    return 1;
}

/* libcsv callback: one record finished. */
static void on_row(int c, void *ud)
{
    kd_csv *r = ud;
    unsigned long line = r->rec_line;
    if (r->reread)
        return; /* the rest of the piece is read again: leave the record's state for reread() */
    if (r->fatal)
        goto done;
    if (!r->have_header) {
        take_header(r);
        drop_current(r);
        goto done;
    }
    if (!check_record(r)) {
        drop_current(r);
        if (r->reread)
            return;
        goto done;
    }
    if (r->nq == r->capq) {
        size_t cap = r->capq ? r->capq * 2 : 8;
        record *q = realloc(r->q, cap * sizeof *q);
        if (!q) {
            set_error(r, KD_ENOMEM, "out of memory");
            goto done;
        }
        r->q = q;
        r->capq = cap;
    }
    r->q[r->nq].line = line;
    r->q[r->nq].first = r->cur_first;
    r->nq++;
    r->cur_first = r->nf;
    r->cur_off = r->data.len;
done:
    r->cur_n = 0;
    r->rec_line = r->line; /* a record starting later in this piece starts on this line */
    forget_held(r);
}

/* libcsv stopped at s[at] of the piece s[0..n), after a quote that closed a quoted field
 * (and blanks after it): 1 if that quote stands inside text (a letter or a mark before it on
 * its line), so that it is a quote of the text the writer did not double, not the opening
 * quote of a later row's field that ends a quote opened by mistake (that one follows a comma,
 * blanks after a comma or the start of the line). */
static int quote_in_text(const kd_csv *r, const unsigned char *s, size_t at)
{
    size_t i = at;
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    if (i == 0 || s[i - 1] != '"')
        return 0; /* a quote inside an unquoted field: libcsv stopped at the quote itself */
    i--;
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    if (i == 0 || s[i - 1] == ',' || s[i - 1] == '\n' || s[i - 1] == '\r' || s[i - 1] == '"' ||
        s[i - 1] == (unsigned char)r->eol)
        return 0;
    return 1;
}

static int line_end(const kd_csv *r, unsigned char c)
{
    return c == '\n' || c == '\r' || c == (unsigned char)r->eol;
}

/* 1 if the quote at s[k] is followed by blanks and a comma or the line end (or the end of s). */
static int closes_field(const kd_csv *r, const unsigned char *s, size_t k, size_t n)
{
    size_t j = k + 1;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    return j == n || s[j] == ',' || line_end(r, s[j]);
}

/* 1 if the quote libcsv stopped after stands inside text (quote_in_text) and closes no field,
 * the field's true closing quote following on the same line, s[0..n). */
static int closes_in_text(const kd_csv *r, const unsigned char *s, size_t at, size_t n)
{
    if (!quote_in_text(r, s, at))
        return 0;
    /* and the field's true closing quote is further on the line (followed by a comma or the
     * line end, a "" pair being a quote of the text): `he said "hi" then left",ham`. A row
     * whose own text holds a stray quote (`r9,bad "quote" inside`, after a quote opened by
     * mistake on an earlier line) has none, and is read again as a row, named on its line */
    for (size_t k = at; k < n; k++) {
        if (s[k] != '"')
            continue;
        if (k + 1 < n && s[k + 1] == '"') {
            k++;
            continue;
        }
        if (closes_field(r, s, k, n))
            return 1;
    }
    return 0;
}

/* Fields from s[j] to the end of its line, s[j] being the comma after a closed field or the
 * line end: the comma-separated fields that follow, each unquoted without a quote or quoted
 * and closed on this line; (size_t)-1 when the rest is no such list. */
static size_t fields_after(const kd_csv *r, const unsigned char *s, size_t j, size_t n)
{
    size_t count = 0;
    while (j < n && s[j] == ',') {
        count++;
        j++;
        while (j < n && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j < n && s[j] == '"') {
            for (j++;; j++) {
                if (j >= n || line_end(r, s[j]))
                    return (size_t)-1; /* a quoted field going on past the line */
                if (s[j] == '"' && j + 1 < n && s[j + 1] == '"')
                    j++;
                else if (s[j] == '"')
                    break;
            }
            j++;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
        } else {
            while (j < n && s[j] != ',' && !line_end(r, s[j]))
                if (s[j++] == '"')
                    return (size_t)-1;
        }
    }
    return j == n || line_end(r, s[j]) ? count : (size_t)-1;
}

/* A later line of a quoted field that a quote left undoubled broke on an earlier line (the
 * field read on as if it were doubled): 1 if the field's real closing quote is on it and the
 * record then ends on it with the header's field count; 0 if a quote on it opens a field (a
 * line start, a comma or blanks after one before it), or the closing quote leaves the record
 * a different count: the quote that broke the record belongs to a row of its own, and the
 * first quote was opened by mistake; -1 if it holds neither (text of the field, or a row
 * without quotes: the search goes on). */
static int later_line(const kd_csv *r, const unsigned char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (s[k] != '"')
            continue;
        if (k + 1 < n && s[k + 1] == '"') {
            k++;
            continue;
        }
        if (closes_field(r, s, k, n)) {
            size_t j = k + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
            size_t after = fields_after(r, s, j, n);
            return after != (size_t)-1 && r->open_col + 1 + after == r->ncol;
        }
        size_t i = k;
        while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
            i--;
        if (i == 0 || s[i - 1] == ',')
            return 0;
    }
    return -1;
}

/* Feed one piece of one physical line to libcsv; *used gets the bytes it took (fewer than n
 * after a malformed quote: the rest of the line is then skipped). When r->reread is set on
 * return, the caller must re-read the record's later lines. */
static int feed(kd_csv *r, const unsigned char *s, size_t n, size_t *used)
{
    size_t done = csv_parse(&r->p, s, n, on_field, on_row, r);
    *used = done;
    if (r->fatal)
        return r->fatal;
    if (r->reread)
        return KD_OK; /* a record ended with the wrong field count; whatever followed is moot */
    if (done < n) {
        if (csv_error(&r->p) != CSV_EPARSE) {
            set_error(r, KD_ENOMEM, "out of memory");
            return KD_ENOMEM;
        }
        char why[160];
        if (spans_lines(r) && r->have_header && !r->held_lost) {
            /* the record ran past its first line: whether the quote opened by mistake or
             * closed by mistake is told by the whole line (decide) */
            r->deciding = 1;
            r->decide_at = r->held.len - n + done; /* the piece is held whole */
            r->decide_line = r->line;
            return KD_OK;
        }
        if (spans_lines(r))
            snprintf(why, sizeof why, "unbalanced quote (the quoted field opened here breaks "
                     "on line %lu)", r->line);
        else if (r->p.quoted) /* (libcsv keeps the state it stopped in) */
            snprintf(why, sizeof why, "malformed quoting: text after the quote that closes this quoted "
                     "field (a quote inside a quoted field is written twice, \"\")");
        else
            snprintf(why, sizeof why, "malformed quoting: a quote inside a field not quoted (quote the "
                     "field, each quote in it written twice: \"say \"\"hi\"\"\")");
        bad_record(r, quoted_column(r), why);
        if (r->reread || r->fatal)
            return r->fatal;
        drop_current(r);
        forget_held(r);
        r->skip_line = 1;
        r->rec_line = r->line;
        return parser_reset(r);
    }
    /* Keep an overlong field from growing libcsv's buffer: keep only its last bytes (the
     * closing quote and a trailing blank it will strip), and remember that the field is
     * oversize. Its run of trailing blanks is cut to one too: the field is dropped whole, so
     * what libcsv would strip does not matter, and a field of 'a', a gigabyte of blanks and
     * 'b' would otherwise be held in memory. */
    /* A run of trailing blanks longer than max_field is cut to max_field + 1 blanks: if the
     * field ends there, libcsv strips them all the same; if text follows, the blanks kept
     * already make the field oversize (below, at the next piece). */
    if (r->p.spaces > r->opts.max_field + 1) {
        size_t cut = r->p.spaces - (r->opts.max_field + 1);
        r->p.entry_pos -= cut;
        r->p.spaces -= cut;
    }
    /* the field's own length: without the trailing blanks libcsv will strip, and, after a
     * closing quote (libcsv's state FIELD_MIGHT_HAVE_ENDED, 3), without that quote */
    size_t own = r->p.entry_pos - r->p.spaces - (r->p.quoted && r->p.pstate == 3 && r->p.entry_pos > r->p.spaces);
    if (own > r->opts.max_field) {
        if (r->p.spaces > 1)
            r->p.spaces = 1;
        size_t keep = r->p.spaces + 1;
        if (r->p.entry_pos > keep) {
            memmove(r->p.entry_buf, r->p.entry_buf + r->p.entry_pos - keep, keep);
            r->p.entry_pos = keep;
        }
        r->overflow = 1;
    }
    size_t have = csv_get_buffer_size(&r->p);
    if (have > r->blk && r->blk < BLK_MAX) {
        r->blk = have < BLK_MAX ? have : BLK_MAX;
        csv_set_blk_size(&r->p, r->blk);
    }
    return KD_OK;
}

/* End of input: flush the last record, or report its unterminated quote. Either may ask for
 * the record's later lines to be read again, and then the input has not finished. */
static int finish(kd_csv *r)
{
    if (!r->skip_line && csv_fini(&r->p, on_field, on_row, r) != 0) {
        bad_record(r, quoted_column(r),
                   spans_lines(r) ? "unbalanced quote (the quoted field opened here is still "
                                    "open at the end of the input)"
                                  : "quoted field not closed before the end of the input");
        if (!r->reread) {
            drop_current(r);
            forget_held(r);
            if (!r->fatal)
                parser_reset(r); /* a failure is in r->fatal */
        }
    }
    if (r->fatal)
        return r->fatal;
    if (r->reread)
        return reread(r);
    r->finished = 1;
    return KD_OK;
}

/* Before the first chunk is handed out: the bytes read so far are BOMs and perhaps the start
 * of one more, which a pipe's next read may complete (each BOM is skipped, however the reads
 * cut them; a BOM-only file ends at EOF). */
static int bom_pending(const kd_csv *r)
{
    size_t i = 0;
    while (r->clen - i >= 3 && memcmp(r->chunk + i, "\xEF\xBB\xBF", 3) == 0)
        i += 3;
    return r->clen < CHUNK_SIZE && r->clen - i < 3 && memcmp(r->chunk + i, "\xEF\xBB\xBF", r->clen - i) == 0;
}

/* A file that is no CSV text, named where a CSV file goes: a model given without -m, a
 * spreadsheet in its own format, kindly's JSON Lines output, a PDF. Read as CSV it was a
 * header of binary bytes: "no text column" quoting them, after a warning per invalid byte
 * sequence, or "unreadable header". Told by the signature its format starts with (JSON: '{'
 * or '[' and then what only JSON puts there, so that a header "[id],text" is still CSV);
 * s, n: the first bytes read, after any BOM. */
static int not_csv(const unsigned char *s, size_t n, const char **what, const char **todo)
{
    static const struct { const char *magic; size_t len; const char *what, *todo; } sig[] = {
        { "SQLite format 3", 16, "is an SQLite database (a kindly model?)", "name a model with -m MODEL.db" },
        { "%PDF-", 5, "is a PDF document", "export the data as CSV" },
        { "PK\x03\x04", 4, "is a ZIP archive (an .xlsx or .ods spreadsheet?)",
          "save it as CSV (UTF-8, comma-separated)" },
        { "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "is an Office 97-2003 document (an .xls spreadsheet?)",
          "save it as CSV (UTF-8, comma-separated)" },
        { "\x1F\x8B", 2, "is gzip-compressed", "decompress it first (gunzip FILE, or zcat FILE | kindly ... -)" },
    };
    for (size_t i = 0; i < sizeof sig / sizeof *sig; i++)
        if (n >= sig[i].len && !memcmp(s, sig[i].magic, sig[i].len)) {
            *what = sig[i].what;
            *todo = sig[i].todo;
            return 1;
        }
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i == n || (s[i] != '{' && s[i] != '['))
        return 0;
    for (i++; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'); i++)
        ;
    if (i == n || !s[i] || !strchr("\"{[]}", s[i]))
        return 0;
    *what = "is JSON";
    *todo = "kindly reads CSV with a header row (kindly score --format csv writes CSV; "
            "wp-cli: --format=csv)";
    return 1;
}

/* The first line ended in CRs that the first read ended after (a pipe whose writer wrote the
 * header line alone): the first byte after them that is no CR tells a CRLF (LF lines, as
 * assumed meanwhile) from a bare CR (a CR-only file, whose lines were then counted as one:
 * every row was named at line 1, its id "1" without an id column, and a stray quote swallowed
 * the rows after it). The header was counted at LF; in a CR-only file each CR read so far,
 * r->eol_crs of them, ended a line, and no LF did. */
static void tell_eol(kd_csv *r)
{
    size_t j = 0;
    while (j < r->clen && r->chunk[j] == '\r')
        j++;
    if (j == r->clen) { /* CRs again (or the end): the next read tells */
        r->eol_crs += j;
        return;
    }
    if (r->chunk[j] != '\n') {
        r->eol = '\r'; /* (these CRs are counted as they are fed) */
        r->line = 1 + r->eol_crs;
        r->at_line_start = 1;
    }
    r->eol_crs = 0;
}

static int read_chunk(kd_csv *r)
{
    size_t want = r->started ? CHUNK_SIZE : 3; /* at least 3 bytes first, to spot a BOM */
    /* and the first chunk holds the header's line end (outside quotes), up to a full chunk:
     * whether the file's lines end at CR is told there (below), and a pipe's first read may
     * end inside the header (a slow writer, a network): a CR-only file was then read as one
     * line, every row named as line 1, and a stray quote took the rows after it */
    size_t scanned = 0;
    int in_quotes = 0, header_end = 0;
    r->clen = r->cpos = 0;
    while (r->clen < want ||
           (!r->started && (bom_pending(r) || (!header_end && !r->eof && r->clen < CHUNK_SIZE)))) {
        if (r->started && r->opts.before_read)
            r->opts.before_read(r->opts.before_read_ud);
        /* asked before the read and after a signal interrupted it: a read retried after the
         * caller's Ctrl-C would wait on at a terminal until a second one killed the process */
        if (r->opts.stop && r->opts.stop(r->opts.stop_ud)) {
            set_error(r, KD_EIO, "%s: reading interrupted", r->shown);
            return KD_EIO;
        }
        ssize_t got = read(r->fd, r->chunk + r->clen, CHUNK_SIZE - r->clen);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            set_error(r, KD_EIO, "%s: %s", r->shown, strerror(errno));
            return KD_EIO;
        }
        if (got == 0) {
            r->eof = 1;
            break;
        }
        r->clen += (size_t)got;
        if (r->started)
            break; /* hand out what arrived; a pipe may be slow */
        for (; scanned < r->clen && !header_end; scanned++)
            if (r->chunk[scanned] == '"')
                in_quotes = !in_quotes;
            else if (!in_quotes && (r->chunk[scanned] == '\n' || r->chunk[scanned] == '\r'))
                header_end = 1;
    }
    if (r->started && r->eol_crs) {
        tell_eol(r);
    } else if (!r->started) {
        r->started = 1;
        /* the BOM, or several: a file saved again by a tool that adds one (the second was
         * read as part of the first column's name, "\uFEFFid" was no id column, and a quoted
         * first name ("id") was an unreadable header) */
        while (r->clen - r->cpos >= 3 && memcmp(r->chunk + r->cpos, "\xEF\xBB\xBF", 3) == 0)
            r->cpos += 3;
        /* a CR-only file (classic Mac OS): its lines end at CR, or every record would be on
         * line 1 (and, without an id column, have the id "1") and a stray quote could not be
         * recovered from. The line end is the first outside quotes: a header name that
         * holds a CR ("cr\rname") made a file of LF lines count its lines at CR. CRs before
         * an LF are one line end with it: "\r\r\n" is a CRLF after a stray CR (a program
         * writing "\r\n" through a Windows text-mode stream), one line as grep -n, sed and vim
         * count it; a header ending so made the whole file be counted at CR, each "\r\r\n"
         * twice. In a file of LF lines a CR elsewhere ends a record (libcsv) but no line. */
        int quoted = 0;
        size_t crs = 0; /* CRs inside quotes before the first line end */
        for (size_t i = r->cpos; i < r->clen; i++)
            if (r->chunk[i] == '"')
                quoted = !quoted; /* "" inside a quoted name toggles twice */
            else if (quoted)
                crs += r->chunk[i] == '\r';
            else if (!quoted && (r->chunk[i] == '\n' || r->chunk[i] == '\r')) {
                size_t k = i;
                while (k < r->clen && r->chunk[k] == '\r')
                    k++;
                if (k > i && k < r->clen && r->chunk[k] != '\n')
                    r->eol = '\r';
                /* the read ended after them: the next byte tells (tell_eol); each CR read,
                 * one inside a quoted name too, would end a line */
                else if (k > i && k == r->clen && !r->eof)
                    r->eol_crs = (unsigned long)(k - i + crs);
                break;
            }
        /* UTF-16 (a spreadsheet's "Unicode text"): its byte-order mark, or ASCII with a NUL
         * after (or before) every letter. Read as UTF-8 it would be a NUL every other byte. */
        const unsigned char *c = r->chunk;
        int bom16 = r->clen >= 2 && ((c[0] == 0xFF && c[1] == 0xFE) || (c[0] == 0xFE && c[1] == 0xFF));
        int nul16 = r->clen >= 4 && ((!c[1] && !c[3] && c[0] && c[2]) || (!c[0] && !c[2] && c[1] && c[3]));
        if (bom16 || nul16) {
            set_error(r, KD_EPARSE, "%s: the file is UTF-16, kindly reads UTF-8: convert it first (iconv -f UTF-16 "
                                    "-t UTF-8 FILE > FILE-utf8.csv)", r->shown);
            return KD_EPARSE;
        }
        const char *what, *todo;
        if (not_csv(r->chunk + r->cpos, r->clen - r->cpos, &what, &todo)) {
            set_error(r, KD_EPARSE, "%s: the file %s, not CSV: %s", r->shown, what, todo);
            return KD_EPARSE;
        }
    }
    return KD_OK;
}

/* The input not yet fed: the bytes being read again first, then the rest of the chunk. */
static size_t unread(const kd_csv *r, const unsigned char **s)
{
    if (r->again_pos < r->again.len) {
        *s = (const unsigned char *)r->again.s + r->again_pos;
        return r->again.len - r->again_pos;
    }
    *s = r->chunk + r->cpos;
    return r->clen - r->cpos;
}

static void consume(kd_csv *r, size_t n)
{
    if (r->again_pos < r->again.len) {
        r->again_pos += n;
        if (r->again_pos == r->again.len) {
            kd_buf_free(&r->again); /* re-reads are rare: give the memory back */
            r->again_pos = 0;
        }
    } else {
        r->cpos += n;
    }
}

/* How decide() is called: at the end of a line, at the end of the input, or before a line
 * that would outgrow held_limit() (the search for a closing quote gives up). */
enum { AT_LINE_END, AT_EOF, GIVE_UP };

/* 1 if the quote that broke the record closed its field by accident (the field's real closing
 * quote follows, on the quote's line or a later one), 0 if the record's first quote was opened
 * by mistake, -1 if the next line must be read to tell. */
static int judge(kd_csv *r, int how)
{
    if (r->held_lost || !r->held.s)
        return 0;
    const unsigned char *h = (const unsigned char *)r->held.s;
    if (!r->looking) {
        const unsigned char *line = h + r->held_line;
        size_t at = r->decide_at - r->held_line, n = r->held.len - r->held_line;
        if (closes_in_text(r, line, at, n))
            return 1;
        if (!quote_in_text(r, line, at) || how != AT_LINE_END)
            return 0;
        r->looking = 1; /* a comment of 3 lines or more: the field may end on a later line */
        r->scan_from = r->held.len;
        return -1;
    }
    if (how == GIVE_UP)
        return 0; /* (a line's first pieces may be held: no whole line to search) */
    int v = later_line(r, h + r->scan_from, r->held.len - r->scan_from);
    r->scan_from = r->held.len;
    return v < 0 && how != AT_LINE_END ? 0 : v;
}

/* At the end of the line on which a quote broke a record that began on an earlier line (or
 * at the end of the input): a quote of the text that its writer did not double closed the
 * field (judge), and the record is named once, with that line, which is skipped with it (read
 * again, it is no row: a quote inside an unquoted field); or a quote opened by mistake
 * swallowed the lines, and they are read again (bad_record). When the quote's line holds no
 * closing quote but the quote stands inside text, the lines after it are held and searched for
 * the field's real end (judge, later_line): a line that ends the record with the header's
 * field count ends it, and they are skipped with it; a quote that opens a field, the end of
 * the input or held_limit() end the search, a quote opened by mistake. The lines between the
 * record's first and the quote's are read again either way, in case the first quote was the
 * mistake. The skipped lines' held copies become empty lines, skipped as blank lines are, so
 * that lines keep their numbers. */
static int decide(kd_csv *r, int how)
{
    int v = judge(r, how);
    if (v < 0) { /* the next line tells */
        r->line++;
        return KD_OK;
    }
    r->deciding = r->looking = 0;
    unsigned long first = r->rec_line, at = r->decide_line, end = r->line;
    if (v) {
        r->held.len = r->held_line;
        unsigned char eol = (unsigned char)r->eol;
        for (unsigned long l = at; l <= end; l++)
            if (kd_buf_add(&r->held, &eol, 1)) {
                set_error(r, KD_ENOMEM, "out of memory");
                return KD_ENOMEM;
            }
        char ends[64] = "";
        if (end > at)
            snprintf(ends, sizeof ends, "; the field ends on line %lu", end);
        if (at == first + 1)
            problem(r, first, quoted_column(r), KD_CSV_ROW_SKIPPED, "text after the quote that closes this quoted "
                    "field on line %lu (a quote inside a quoted field is written twice, \"\")%s; reading resumes "
                    "at line %lu", at, ends, end + 1);
        else if (end == at)
            problem(r, first, quoted_column(r), KD_CSV_ROW_SKIPPED, "text after the quote that closes this quoted "
                    "field on line %lu (a quote inside a quoted field is written twice, \"\"); reading resumes at "
                    "line %lu, line %lu skipped with it", at, first + 1, at);
        else
            problem(r, first, quoted_column(r), KD_CSV_ROW_SKIPPED, "text after the quote that closes this quoted "
                    "field on line %lu (a quote inside a quoted field is written twice, \"\")%s; reading resumes "
                    "at line %lu, lines %lu-%lu skipped with it", at, ends, first + 1, at, end);
        r->reread = 1;
    } else {
        char why[160];
        snprintf(why, sizeof why, "unbalanced quote (the quoted field opened here breaks on line %lu)", at);
        bad_record(r, quoted_column(r), why);
    }
    if (r->fatal)
        return r->fatal;
    if (r->reread)
        return reread(r);
    /* its lines were too long to keep: named in the message, the reading goes on after them */
    drop_current(r);
    forget_held(r);
    r->rec_line = r->line + 1;
    r->line++;
    r->at_line_start = 1;
    return parser_reset(r);
}

/* Feed lines until a record is queued (or, with header_only, the header is read) or the
 * input ends. */
static int fill(kd_csv *r, int header_only)
{
    int rc = KD_OK;
    while (!r->finished && (header_only ? !r->have_header : r->head == r->nq)) {
        const unsigned char *s;
        size_t n = unread(r, &s);
        if (n == 0) {
            if (r->deciding && r->eof) { /* the line of the quote, or a later one, ends the input */
                if ((rc = decide(r, AT_EOF)))
                    return rc;
                continue;
            }
            if ((rc = r->eof ? finish(r) : read_chunk(r)))
                return rc;
            continue;
        }
        const unsigned char *nl = memchr(s, r->eol, n);
        if (nl)
            n = (size_t)(nl - s) + 1;
        if (r->deciding) { /* the rest of the line of the quote, or a later line: held, judged
                            * at its end */
            if (r->looking && r->held.len + n > held_limit(r)) {
                if ((rc = decide(r, GIVE_UP))) /* too long for a comment: read again */
                    return rc;
                continue;
            }
            hold(r, s, n);
            consume(r, n);
            if (nl && (rc = decide(r, AT_LINE_END)))
                return rc;
            continue;
        }
        if (r->skip_line) {
            /* after a parse error: drop bytes up to the line end, or to a CR, which ends a
             * record for libcsv too and is the only line end of classic Mac files */
            const unsigned char *cr = r->eol == '\n' ? memchr(s, '\r', n) : NULL;
            if (cr) {
                consume(r, (size_t)(cr - s) + 1);
                r->skip_line = 0;
                r->at_line_start = 0;
                continue;
            }
        } else {
            if (r->at_line_start && r->p.pstate == 0)
                r->rec_line = r->line;
            if (r->line > r->rec_line) {
                if (r->at_line_start)
                    r->held_line = r->held.len;
                hold(r, s, n);
            }
            r->fed_line = r->line;
            size_t used;
            if ((rc = feed(r, s, n, &used)))
                return rc;
            if (r->deciding) {
                consume(r, n); /* the whole piece is among the held bytes */
                if (nl && (rc = decide(r, AT_LINE_END)))
                    return rc;
                continue;
            }
            if (r->reread) {
                consume(r, n); /* the whole piece is among the held bytes */
                if ((rc = reread(r)))
                    return rc;
                continue;
            }
            if (used < n) {
                consume(r, used);
                r->at_line_start = 0;
                continue;
            }
            if (nl && r->p.pstate != 0 && r->line == r->rec_line)
                r->open_col = r->cur_n; /* a quoted field goes on past the first line */
        }
        consume(r, n);
        r->at_line_start = nl != NULL;
        if (nl) {
            r->line++;
            r->skip_line = 0;
        }
    }
    return r->fatal;
}

/* Move the record in progress to the front of the buffers once the queue is handed out. */
static void compact(kd_csv *r)
{
    size_t nfields = r->nf - r->cur_first, bytes = r->data.len - r->cur_off;
    if (r->cur_first) {
        memmove(r->f, r->f + r->cur_first, nfields * sizeof *r->f);
    }
    if (r->cur_off) {
        for (size_t i = 0; i < nfields; i++)
            r->f[i].off -= r->cur_off;
        memmove(r->data.s, r->data.s + r->cur_off, bytes + 1);
    }
    r->nf = nfields;
    r->data.len = bytes;
    r->cur_first = r->cur_off = 0;
    r->head = r->nq = 0;
}

/* ---- columns and labels ------------------------------------------------------------------- */

static void map_columns(kd_csv *r)
{
    for (int c = 0; c < C_COUNT; c++) {
        r->col[c] = -1;
        for (int a = 0; aliases[c][a] && r->col[c] < 0; a++)
            r->col[c] = kd_csv_column(r, aliases[c][a]);
    }
    int d = r->col[C_DATE];
    r->date_local = d >= 0 && !ascii_casecmp(r->names[d], "comment_date_gmt") ? kd_csv_column(r, "comment_date") : -1;
    r->date_wp = d >= 0 && (!ascii_casecmp(r->names[d], "comment_date_gmt") || !ascii_casecmp(r->names[d], "comment_date"));
}

/* Warn when a name kindly maps (id, text, label, comment_content, ...) names several columns:
 * the first is used, as kd_csv_column() finds it, and the user may have meant another. Only
 * the label column actually read (label, else CLASS, else comment_approved) is checked. */
static void warn_duplicates(kd_csv *r)
{
    for (int c = 0; c < C_COUNT; c++) {
        int used = r->col[c];
        if (used < 0 || (c == C_CLASS && r->col[C_LABEL] >= 0) ||
            (c == C_APPROVED && (r->col[C_LABEL] >= 0 || r->col[C_CLASS] >= 0)))
            continue;
        const char *name = r->names[used];
        size_t dups = 0, listed = 0;
        int other_case = 0;
        for (size_t i = (size_t)used + 1; i < r->ncol; i++)
            dups += !ascii_casecmp(r->names[i], name);
        if (!dups)
            continue;
        char cols[96];
        int len = snprintf(cols, sizeof cols, "%d", used + 1);
        for (size_t i = (size_t)used + 1; i < r->ncol && len < (int)sizeof cols - 24; i++) {
            if (ascii_casecmp(r->names[i], name))
                continue;
            other_case |= strcmp(r->names[i], name) != 0;
            listed++;
            len += snprintf(cols + len, sizeof cols - (size_t)len, "%s%zu",
                            listed == dups ? " and " : ", ", i + 1);
        }
        if (listed < dups)
            snprintf(cols + len, sizeof cols - (size_t)len, ", ...");
        problem(r, r->hdr_line, name, KD_CSV_DUPLICATE_COLUMN,
                "duplicate column name (columns %s%s); column %d is used, the other%s ignored",
                cols, other_case ? ", letter case ignored" : "", used + 1,
                dups == 1 ? " is" : "s are");
    }
}

/* Copy at most max bytes of s into out, cut at a UTF-8 character boundary. */
static void clip(char *out, size_t max, const char *s, size_t n)
{
    if (n > max) {
        n = kd_utf8_cut(s, max);
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Names a hand-made export gives kindly's columns, with the role a reader most likely means
 * by each: said as a question beside the unread column (kindly does not guess a mapping: a
 * "link" may be the author's site or the comment's permalink). */
static const struct {
    const char *name;
    int role;
} likely[] = {
    { "comment", C_TEXT },       { "message", C_TEXT },       { "body", C_TEXT },
    { "comment_text", C_TEXT },  { "msg", C_TEXT },           { "name", C_AUTHOR },
    { "username", C_AUTHOR },    { "user", C_AUTHOR },        { "user_name", C_AUTHOR },
    { "author_name", C_AUTHOR }, { "nickname", C_AUTHOR },    { "website", C_URL },
    { "site", C_URL },           { "homepage", C_URL },       { "link", C_URL },
    { "author_website", C_URL }, { "mail", C_EMAIL },         { "e-mail", C_EMAIL },
    { "e_mail", C_EMAIL },       { "ip_address", C_IP },      { "user_ip", C_IP },
    { "remote_addr", C_IP },     { "user_agent", C_AGENT },   { "useragent", C_AGENT },
    { "created_at", C_DATE },    { "created", C_DATE },       { "timestamp", C_DATE },
    { "time", C_DATE },          { "datetime", C_DATE },      { "posted_at", C_DATE },
    { "post", C_POST },          { "postid", C_POST },        { "article_id", C_POST },
    { "page_id", C_POST },       { "parent_id", C_PARENT },   { "reply_to", C_PARENT },
    { "in_reply_to", C_PARENT }, { "is_spam", C_LABEL },      { "spam", C_LABEL },
    { "category", C_LABEL },     { "status", C_LABEL },
};

/* Each role's column as kindly names it, and what it holds, for the hint beside an unread
 * column whose name looks like one of them. */
static const char *const role_name[C_COUNT][2] = {
    [C_ID] = { "id", "the comment's id" },          [C_POST] = { "post_id", "the post" },
    [C_PARENT] = { "parent", "the parent comment" }, [C_AUTHOR] = { "author", "the author" },
    [C_EMAIL] = { "email", "the e-mail address" },   [C_URL] = { "url", "the author's URL" },
    [C_IP] = { "ip", "the IP address" },             [C_AGENT] = { "agent", "the user agent" },
    [C_DATE] = { "date", "the date" },               [C_TEXT] = { "text", "the text" },
    [C_LABEL] = { "label", "the label" },
};

/* The role (C_*) whose alias column i's name is, or -1; the label's three sources are one
 * role, C_LABEL. */
static int alias_role(const kd_csv *r, size_t i)
{
    for (int c = 0; c < C_COUNT; c++)
        for (int a = 0; aliases[c][a]; a++)
            if (!ascii_casecmp(r->names[i], aliases[c][a]))
                return c == C_CLASS || c == C_APPROVED ? C_LABEL : c;
    return -1;
}

/* Warn when a field is named twice under two of its names (text and CONTENT, label and CLASS,
 * date and comment_date_gmt: files of two schemas joined, as pandas joins them, each row's
 * value in one of the two): the column read comes first in kindly's order of names, the other
 * was ignored without a word, and its rows were read as empty or unlabelled. The second of
 * comment_date_gmt and comment_date is read too (the local time, when the other is empty),
 * and a name given twice is warn_duplicates()'. */
static void warn_aliases(kd_csv *r)
{
    int label = r->col[C_LABEL] >= 0 ? r->col[C_LABEL] : r->col[C_CLASS] >= 0 ? r->col[C_CLASS] : r->col[C_APPROVED];
    for (size_t i = 0; i < r->ncol; i++) {
        int c = alias_role(r, i);
        int used = c < 0 ? -1 : c == C_LABEL ? label : r->col[c];
        if (used < 0 || (size_t)used == i || !ascii_casecmp(r->names[i], r->names[used]) ||
            (c == C_DATE && (int)i == r->date_local))
            continue;
        problem(r, r->hdr_line, r->names[i], KD_CSV_DUPLICATE_COLUMN,
                "%s again, under another name than column %d's (%s); column %d is used, this one (column %zu) "
                "is ignored", role_name[c][1], used + 1, r->names[used], used + 1, i + 1);
    }
}

/* The role (C_*) that column i's name most likely means, where kindly has no column of its
 * own for that role (a "name" beside an "author" is something else), or -1. */
static int likely_role(const kd_csv *r, size_t i)
{
    for (size_t k = 0; k < sizeof likely / sizeof likely[0]; k++) {
        if (ascii_casecmp(r->names[i], likely[k].name))
            continue;
        int c = likely[k].role;
        int have = c == C_LABEL ? r->col[C_LABEL] >= 0 || r->col[C_CLASS] >= 0 || r->col[C_APPROVED] >= 0
                                : r->col[c] >= 0;
        return have ? -1 : c;
    }
    return -1;
}

/* The columns `kindly score --format csv` adds (cli/cmd_score.c, out_cols): an earlier run's
 * output scored again has them, and that run's values are replaced, not unread. */
static const char *const output_columns[] = { "verdict",      "spam_score", "bayes_score",     "rules",
                                              "duplicate_of", "similarity", "duplicate_scope", "relevance",
                                              "generic",      "reasons" };

/* Whether a header name is one kindly knows: an alias of any role, read or not (the second
 * of comment_date_gmt and comment_date, CLASS beside label, are its own names too), or a
 * column of kindly's own output. */
static int known_column(const char *name)
{
    for (size_t i = 0; i < sizeof output_columns / sizeof output_columns[0]; i++)
        if (!ascii_casecmp(name, output_columns[i]))
            return 1;
    for (int c = 0; c < C_COUNT; c++)
        for (int a = 0; aliases[c][a]; a++)
            if (!ascii_casecmp(name, aliases[c][a]))
                return 1;
    return 0;
}

/* Say which columns kindly does not read, once, on the header's line: a "website" column of a
 * hand-made export was ignored without a word, and the author-URL rules then never fired. A
 * name like one of kindly's gets the name kindly reads it by. At most 8 are named. */
static void warn_unread(kd_csv *r)
{
    kd_buf b = KD_BUF_INIT;
    size_t n = 0, named = 0;
    int oom = 0;
    for (size_t i = 0; i < r->ncol; i++) {
        if (known_column(r->names[i]))
            continue;
        if (n++ >= 8)
            continue;
        named++;
        int role = likely_role(r, i);
        char name[64]; /* a name of a megabyte is named by its start */
        size_t len = strlen(r->names[i]);
        clip(name, sizeof name - 4, r->names[i], len);
        if (len > sizeof name - 4)
            strcat(name, "...");
        if (r->names[i][0])
            oom |= kd_buf_printf(&b, "%s\"%s\"", named > 1 ? ", " : "", name) != 0;
        else
            oom |= kd_buf_printf(&b, "%scolumn %zu (no name)", named > 1 ? ", " : "", i + 1) != 0;
        if (role >= 0)
            oom |= kd_buf_printf(&b, " (%s? kindly reads it from a column named %s)", role_name[role][1],
                                 role_name[role][0]) != 0;
    }
    if (n > named)
        oom |= kd_buf_printf(&b, " and %zu more", n - named) != 0;
    if (n && !oom)
        problem(r, r->hdr_line, NULL, KD_CSV_UNREAD_COLUMNS, "%s not read: %s", n == 1 ? "a column is" : "columns are",
                b.s);
    kd_buf_free(&b);
}

/* A label column's 1 or 0, also as a decimal with zeros after the point ("1.0", "0.00"): a
 * column pandas or R has read as numbers (one missing value makes it floating point) is
 * written back so. -1 for anything else. */
static int bit_value(const char *v)
{
    if ((v[0] != '0' && v[0] != '1') || (v[1] && v[1] != '.'))
        return -1;
    for (const char *p = v + (v[1] == '.' ? 2 : 1); *p; p++)
        if (*p != '0')
            return -1;
    return v[1] == '.' && !v[2] ? -1 : v[0] - '0'; /* "1." is not written by either */
}

static kd_label parse_label(kd_csv *r, unsigned long line)
{
    int c = r->col[C_LABEL] >= 0 ? C_LABEL : r->col[C_CLASS] >= 0 ? C_CLASS : C_APPROVED;
    int i = r->col[c];
    if (i < 0 || r->lens[i] == 0)
        return KD_UNLABELLED;
    char lab[16]; /* a label is read without the spaces around it (" spam") */
    const char *v = r->fieldp[i];
    size_t a = 0, b = r->lens[i], vn = r->lens[i];
    while (a < b && (v[a] == ' ' || v[a] == '\t'))
        a++;
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
        b--;
    if (a == b) /* blanks alone (quoted: libcsv keeps them) are no label, as an empty field */
        return KD_UNLABELLED;
    if ((a || b < r->lens[i]) && b - a < sizeof lab) {
        memcpy(lab, v + a, b - a);
        lab[b - a] = '\0';
        v = lab;
        vn = b - a;
    }
    if (c == C_APPROVED) { /* WordPress: only "spam" and "1" (approved) say something */
        if (!ascii_casecmp(v, "spam"))
            return KD_SPAM;
        if (!strcmp(v, "1"))
            return KD_HAM;
        if (!strcmp(v, "0") || !ascii_casecmp(v, "trash") || !ascii_casecmp(v, "post-trashed"))
            return KD_UNLABELLED; /* pending, or thrown away unread */
    } else {
        int bit = bit_value(v);
        if (bit == 1 || (c == C_LABEL && (!ascii_casecmp(v, "spam") || !ascii_casecmp(v, "true"))))
            return KD_SPAM;
        if (bit == 0 || (c == C_LABEL && (!ascii_casecmp(v, "ham") || !ascii_casecmp(v, "false"))))
            return KD_HAM;
    }
    char shown[48];
    clip(shown, 40, v, vn); /* (v may be lab, shorter than the field) */
    problem(r, line, r->names[i], KD_CSV_UNKNOWN_LABEL, "unknown label \"%s\" (expected %s); row kept unlabelled",
            shown, c == C_LABEL ? "spam/ham, 1/0 or true/false" : c == C_CLASS ? "1 (spam) or 0 (ham)"
                   : "spam, 1 (approved), 0 (pending), trash or post-trashed");
    return KD_UNLABELLED;
}

static const char *mapped(const kd_csv *r, int c)
{
    int i = r->col[c];
    return i >= 0 && r->lens[i] ? r->fieldp[i] : NULL;
}

/* ---- public API --------------------------------------------------------------------------- */

int kd_csv_open(kd_csv **out, const char *path, const kd_csv_options *opts)
{
    static const kd_csv_options defaults = KD_CSV_OPTIONS_INIT;
    int rc = KD_OK;
    if (!out)
        return KD_EINVAL;
    *out = NULL;
    kd_csv *r = calloc(1, sizeof *r);
    if (!r)
        return KD_ENOMEM;
    *out = r; /* also for the caller's mistakes below, as kd_model_open and kd_rules_load do */
    r->fd = -1;
    r->opts = defaults;
    if (!path) {
        set_error(r, KD_EINVAL, "no CSV file path given");
        return KD_EINVAL;
    }
    if (opts && (opts->version < 1 || opts->version > KD_CSV_OPTIONS_VERSION)) {
        set_error(r, KD_EINVAL, "%s: unknown kd_csv_options version %u (this kindly reads 1 to %d)",
                  strcmp(path, "-") ? path : "<stdin>", opts->version, KD_CSV_OPTIONS_VERSION);
        return KD_EINVAL;
    }
    if (opts && opts->kind != KD_CSV_COMMENTS && opts->kind != KD_CSV_RAW) {
        set_error(r, KD_EINVAL, "%s: unknown kd_csv_options kind %d (KD_CSV_COMMENTS or KD_CSV_RAW)",
                  strcmp(path, "-") ? path : "<stdin>", (int)opts->kind);
        return KD_EINVAL;
    }
    if (opts && opts->version == 1) /* the fields before before_read */
        memcpy(&r->opts, opts, offsetof(kd_csv_options, before_read));
    else if (opts && opts->version == 2) /* the fields before stop */
        memcpy(&r->opts, opts, offsetof(kd_csv_options, stop));
    else if (opts)
        r->opts = *opts;
    if (r->opts.max_field == 0)
        r->opts.max_field = defaults.max_field;
    r->line = r->rec_line = 1;
    r->at_line_start = 1;
    r->eol = '\n';
    r->path = strdup(path);
    r->chunk = malloc(CHUNK_SIZE);
    if (!r->path || !r->chunk) { /* (r->shown is not set yet: the path named here) */
        set_error(r, KD_ENOMEM, "%s: out of memory", strcmp(path, "-") ? path : "<stdin>");
        rc = KD_ENOMEM;
        goto done;
    }
    r->shown = strcmp(path, "-") ? r->path : "<stdin>";
    if (!*path) { /* the caller's mistake, not a file that cannot be read (open: ENOENT) */
        set_error(r, KD_EINVAL, "empty file name: name a CSV file, or '-' for standard input");
        rc = KD_EINVAL;
        goto done;
    }
    if (!strcmp(path, "-")) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            set_error(r, KD_EIO, "%s: %s", path, strerror(errno));
            rc = KD_EIO;
            goto done;
        }
        r->own_fd = 1;
    }
    if ((rc = parser_reset(r))) {
        set_error(r, rc, "out of memory");
        goto done;
    }
    if ((rc = fill(r, 1)))
        goto done;
    if (!r->have_header) {
        set_error(r, KD_EPARSE, "%s: empty input: no header row", r->shown);
        rc = KD_EPARSE;
        goto done;
    }
    map_columns(r);
    if (r->opts.kind == KD_CSV_COMMENTS && r->col[C_TEXT] < 0) {
        char have[384];
        size_t used = 0;
        have[0] = '\0';
        for (size_t i = 0; i < r->ncol && used < sizeof have - 8; i++) {
            int w = snprintf(have + used, sizeof have - used, "%s\"%s\"", i ? ", " : "",
                             r->names[i]);
            used += w > 0 ? (size_t)w : 0;
        }
        if (used >= sizeof have - 8) { /* cut at a character, not inside one */
            size_t cut = kd_utf8_cut(have, sizeof have - 8);
            strcpy(have + cut, ", ...");
        }
        /* one column whose name holds another separator: a spreadsheet's ';' CSV (in a
         * locale with a decimal comma), a TSV, a '|' export. Say so: the names are there */
        const char *sep = NULL;
        if (r->ncol == 1)
            sep = strchr(r->names[0], ';') ? "';'" : strchr(r->names[0], '\t') ? "tabs"
                  : strchr(r->names[0], '|') ? "'|'" : NULL;
        /* a column named as hand-made files name the text ("comment", "message") */
        const char *like = NULL;
        for (size_t i = 0; i < r->ncol && !like; i++)
            if (likely_role(r, i) == C_TEXT)
                like = r->names[i];
        set_error(r, KD_ENOTFOUND,
                  "%s: no text column (looked for text, CONTENT, comment_content); "
                  "the header has %zu column%s: %s%s%s%s%s%.100s%s",
                  r->shown, r->ncol, r->ncol == 1 ? "" : "s", have, sep ? " (separated by " : "", sep ? sep : "",
                  sep ? ", not commas: save it as comma-separated CSV)" : "", like ? "; if \"" : "",
                  like ? like : "", like ? "\" holds the comments, name it text" : "");
        rc = KD_ENOTFOUND;
        goto done;
    }
    if (r->opts.kind == KD_CSV_COMMENTS) {
        warn_duplicates(r);
        warn_aliases(r);
        warn_unread(r);
    }
done:
    return rc;
}

int kd_csv_next(kd_csv *r, const kd_csv_row **row)
{
    if (row)
        *row = NULL;
    if (!r || !row)
        return KD_EINVAL;
    if (r->fatal)
        return r->fatal;
    if (!r->have_header)
        return KD_EPARSE;
    if (r->head == r->nq) {
        compact(r);
        int rc = fill(r, 0);
        if (rc)
            return rc;
        if (r->head == r->nq)
            return 0;
    }
    const record *q = &r->q[r->head++];
    const field *f = r->f + q->first;
    for (size_t i = 0; i < r->ncol; i++) {
        r->fieldp[i] = r->data.s + f[i].off;
        r->lens[i] = f[i].len;
    }
    kd_csv_row *w = &r->row;
    memset(w, 0, sizeof *w);
    w->line = q->line;
    w->nfields = r->ncol;
    w->fields = r->fieldp;
    w->lens = r->lens;
    w->label = KD_UNLABELLED;
    if (r->opts.kind == KD_CSV_COMMENTS) {
        kd_comment *c = &w->comment;
        c->id = mapped(r, C_ID);
        if (r->col[C_ID] < 0) {
            snprintf(r->idbuf, sizeof r->idbuf, "%lu", q->line);
            c->id = r->idbuf;
        }
        c->post_id = mapped(r, C_POST);
        c->parent = mapped(r, C_PARENT);
        /* WordPress's comment_parent is 0 for a comment that replies to none: no parent, as an
         * empty field is (a rule on parent fired on every comment of an export) */
        if (c->parent && !strcmp(c->parent, "0") && !ascii_casecmp(r->names[r->col[C_PARENT]], "comment_parent"))
            c->parent = NULL;
        c->author = mapped(r, C_AUTHOR);
        c->email = mapped(r, C_EMAIL);
        c->url = mapped(r, C_URL);
        c->ip = mapped(r, C_IP);
        c->agent = mapped(r, C_AGENT);
        c->date = mapped(r, C_DATE);
        /* WordPress's zero date (MySQL's "no date", stored by some plugins' linkbacks) in
         * comment_date_gmt: the site's local comment_date says when, as without that column;
         * without it (the README's export has comment_date_gmt alone), or in comment_date, it
         * is no date, as an empty field (it was named an unreadable date, "kindly reads ISO
         * 8601", which no export of WordPress's can mend); zero in both is no date either */
        if (r->date_wp && kd_date_wp_zero(c->date)) {
            c->date = r->date_local >= 0 && r->lens[r->date_local] ? r->fieldp[r->date_local] : NULL;
            if (kd_date_wp_zero(c->date))
                c->date = NULL;
        }
        c->text = r->fieldp[r->col[C_TEXT]];
        w->label = parse_label(r, q->line);
    }
    *row = w;
    return 1;
}

const char *const *kd_csv_header(const kd_csv *r, size_t *n)
{
    if (n)
        *n = r && r->have_header ? r->ncol : 0;
    return r && r->have_header ? (const char *const *)r->names : NULL;
}

int kd_csv_column(const kd_csv *r, const char *name)
{
    if (!r || !name || !r->have_header)
        return -1;
    for (size_t i = 0; i < r->ncol; i++)
        if (!ascii_casecmp(r->names[i], name))
            return (int)i;
    return -1;
}

void kd_csv_reject(kd_csv *r, const kd_csv_row *row, const char *column, const char *message)
{
    if (r && row)
        problem(r, row->line, column, KD_CSV_ROW_REJECTED, "%s", message ? message : "rejected by the caller");
}

void kd_csv_note(kd_csv *r, const kd_csv_row *row, const char *column, const char *message)
{
    if (r && row)
        problem(r, row->line, column, KD_CSV_ROW_NOTED, "%s", message ? message : "noted by the caller");
}

unsigned long kd_csv_skipped(const kd_csv *r) { return r ? r->skipped : 0; }

unsigned long kd_csv_repaired(const kd_csv *r) { return r ? r->repaired : 0; }

const char *kd_csv_error(const kd_csv *r)
{
    if (!r)
        return "no reader (kd_csv_open was given no place for one, or could not allocate one: out of memory)";
    return r->err.s && r->err.len ? r->err.s : "";
}

void kd_csv_free(kd_csv *r)
{
    if (!r)
        return;
    if (r->p_live)
        csv_free(&r->p);
    if (r->own_fd)
        close(r->fd);
    free(r->path);
    free(r->chunk);
    kd_buf_free(&r->data);
    free(r->f);
    free(r->q);
    kd_buf_free(&r->hdr);
    kd_buf_free(&r->held);
    kd_buf_free(&r->again);
    free(r->names);
    free(r->fieldp);
    free(r->lens);
    kd_buf_free(&r->err);
    free(r);
}
