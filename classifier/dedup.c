/*
 * dedup.c - exact and near-duplicate detection for short comments, and campaigns.
 *
 * WordPress rejects only an exact repeat by the same author on the same post, and fuzzy
 * hashes made for e-mail (rspamd's) skip texts under 64 words, i.e. almost every comment.
 * kindly compares short texts with MinHash (Broder) over 4-code-point shingles and finds
 * candidates with LSH banding (minhash.h), so that a lookup reads KD_MH_BANDS index rows
 * (one statement, history.c) whatever the size of the history.
 *
 * 1. Normalise (kd_dedup_normalize): what a reposter changes without meaning to (case,
 *    Unicode form, white space, punctuation, zero-width characters, emoji variation
 *    selectors) and what a campaign varies on purpose (the link, an emoji, Zalgo marks,
 *    "fancy text" letters: normalize.c's KD_NORM_PLAIN) is removed or read plain, so
 *    that those copies are exact duplicates: same hash of the normalised text (31 bits,
 *    history.h).
 * 2. Near duplicates: the Jaccard resemblance of the shingle sets, estimated from the stored
 *    4-bit MinHash signatures, at or above kd_options.dup_threshold.
 * 3. Scope: the match is "same_author" (same e-mail, or same name when either e-mail is
 *    unknown), else "same_post", else "site". A text of fewer than KD_DUP_MIN_WORDS words
 *    ("Thank you!", "great post") is a duplicate only of the same author's comment: two
 *    readers saying thanks are not a campaign. Generic praise without a link (nor an e-mail
 *    address or phone number in the text) of fewer than
 *    KD_DUP_GENERIC_WORDS words ("Thank you so much!", generic.c) is a duplicate of any
 *    author's copy but never a campaign: readers of every post write it.
 * 4. duplicate_of is the earliest exact copy or, when there is none, the earliest near copy
 *    (history first, then this handle's earlier comments); campaign counts the distinct
 *    posts among the matches, the new comment included, or, when the comment carries a link
 *    or an author URL, the distinct authors if they are more, when it is 2 or more (readers
 *    of one post say thanks in the same words); combine.c turns it into spam evidence.
 * 5. A comment is never a duplicate of itself: an earlier comment with the same non-empty id
 *    (a client retrying a check, a comment learnt after it was checked) is skipped, and is
 *    not recorded again when its text is the same. Found among the candidates the lookup
 *    reads anyway, so this costs no statement and no index on the id; an edited text under
 *    the same id is recorded as well (both versions are then its own).
 */
#include "dedup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "history.h"
#include "html.h"
#include "lookalike.h"
#include "minhash.h"
#include "model.h"
#include "normalize.h"
#include "tokmap.h"

#define KD_DUP_MIN_WORDS 4
#define KD_DUP_GENERIC_WORDS 8 /* generic praise shorter than this is treated as short */
#define PER_KEY KD_HIST_PER_CHECK /* earliest comments read per LSH bucket */
#define MAX_CANDIDATES 256  /* distinct candidates verified per comment */
#define MAX_SEEN 64         /* distinct authors / posts counted for a campaign */
#define COPIES 8            /* exact copies of a text whose labels feedback reads by seq */
#define BATCH_ROWS 2000     /* history inserts per transaction in a batch */
#define BATCH_MS 100        /* longest a batch keeps its transaction (the database's write
                               lock) open, checked at each comment: other writers (the server,
                               learn) wait on that lock, for 10 s at most before they fail */
#define MEMORY_MAX 50000    /* comments of one run kept in memory; the index then starts
                               afresh, so that memory stays bounded (about 30 MB) however
                               long the input; remembered comments live in the history */

/* A comment of this run, in the in-memory index. */
typedef struct mem_entry {
    char *id, *post;
    uint64_t nth;           /* its place among the handle's comments ("input:N"), from 1 */
    uint32_t author, email;
    uint64_t text_hash;
    uint8_t sig[KD_MH_SIGBYTES];
} mem_entry;

typedef struct mem_node {
    int64_t key;
    uint32_t entry;
    int32_t next;
} mem_node;

struct kd_dedup {
    kd_hist *hist;
    unsigned pending;       /* inserts (or, not remembering, lookups) in the open batch */
    int batching;           /* kd_history_batch_begin() was called */
    double began;           /* when the batch's open transaction began (monotonic ms) */
    uint64_t recorded;      /* comments recorded by this handle's batches and committed */
    uint64_t uncommitted;   /* comments recorded in the batch's open transaction */
    uint64_t checked;       /* comments looked up by kd_dedup_run: the N of "input:N" counts
                               them all, also those that do not join the memory */
    mem_entry *e;
    size_t n, cap;
    mem_node *nodes;
    size_t nn, ncap;
    int32_t *head;          /* hash table of LSH keys -> first node; then, hcap further on,
                               the last node of each chain (tail) */
    size_t hcap;            /* power of two */
    kd_buf a, b;            /* scratch for normalisation */
    kd_buf norm;            /* the normalised text of the comment being checked */
    int64_t *cand;
    size_t ncand;
    int64_t after;          /* candidates at or before this seq are skipped (lookup_locked()) */
    /* the last feedback undo that took back the learning of its text under another comment
     * (kd_dedup_label, set 1): that comment's id, "history:N" for one without (took 0: none,
     * 1: one with an id, 2: one without, whose name an id can read as) */
    int took;
    kd_buf took_id;
};

/* ------------------------------------------------------------------------------------ */
/* Normalisation */

static int is_link_start(const char *s, size_t n)
{
    return (n >= 7 && !strncasecmp(s, "http://", 7)) || (n >= 8 && !strncasecmp(s, "https://", 8)) ||
           (n >= 4 && !strncasecmp(s, "www.", 4));
}

/* Whether a link starts at s[i] (of n): a word starting "http://", "https://" or "www."
 * at the start, or after white space, "(", a bracket, a quote, "=", the punctuation that
 * ends a phrase (",;:!?") or a character beyond ASCII; so BBCode's
 * "[url=https://host/x]anchor[/url]" and "[url]https://host/x[/url]" hold links, and so do
 * "see:https://host/x" and Chinese "请看：https://host/x" (a full-width colon, or a
 * character, before it), as the tokenizer reads them. */
static int link_at(const char *s, size_t i, size_t n)
{
    unsigned char p = i ? (unsigned char)s[i - 1] : ' ';
    if (isalnum(p)) /* inside a word, where most 'h' and 'w' are */
        return 0;
    return (isspace(p) || p >= 0x80 || (p && strchr("([]\"'=,;:!?", p))) && is_link_start(s + i, n - i);
}

/* The end of a link starting at s[i] (of n), dropped: white space, or a "]" it did not open
 * (BBCode's "[url=https://host/x]anchor text[/url]": the anchor is words of the comment). */
static size_t link_end(const char *s, size_t i, size_t n)
{
    size_t open = 0;
    for (; i < n && !isspace((unsigned char)s[i]); i++)
        if (s[i] == '[')
            open++;
        else if (s[i] == ']' && !open--)
            break;
    return i;
}

/* Copy s[0..n) to out with each link (a word starting "http://", "https://" or "www." after
 * link_at() says, up to link_end()) replaced by a space (LINK_DROP), or with its
 * "http://" or "https://" and "www." left out (LINK_BARE: the text of a comment that is only
 * links, whose links are compared whole, so that one link posted as
 * "https://shop.example/x", "http://shop.example/x" and "www.shop.example/x" is one text, as
 * a reader following it sees one page; *left_out counts the words so left out, "https"
 * and "www", which the text had as words before: fingerprint() counts them). Spans between
 * links are copied whole. s[n] is NUL
 * (a C string, or a kd_buf), so strcspn() can skip to the next 'h' or 'w': a NUL it stops
 * at before n is not one, and is stepped over. */
enum { LINK_DROP, LINK_BARE };

static int copy_links(const char *s, size_t n, int how, kd_buf *out, unsigned *left_out)
{
    size_t i = 0, from = 0;
    while ((i += strcspn(s + i, "hHwW")) < n) {
        if (!link_at(s, i, n)) {
            i++;
            continue;
        }
        if (kd_buf_add(out, s + from, i - from))
            return KD_ENOMEM;
        if (how == LINK_DROP) {
            i = link_end(s, i, n);
            if (kd_buf_putc(out, ' '))
                return KD_ENOMEM;
        } else {
            size_t at = i;
            if (n - i >= 7 && !strncasecmp(s + i, "http://", 7))
                i += 7;
            else if (n - i >= 8 && !strncasecmp(s + i, "https://", 8))
                i += 8;
            *left_out += i > at;
            if (n - i >= 4 && !strncasecmp(s + i, "www.", 4)) {
                i += 4;
                ++*left_out;
            }
        }
        from = i;
    }
    if (kd_buf_add(out, s + from, n - from))
        return KD_ENOMEM;
    return out->oom ? KD_ENOMEM : KD_OK;
}

/* Copy in to out without emoji, collapsing the spaces that dropping them leaves. The output
 * is never longer than the input: room is made once, ASCII is copied byte by byte. */
static int drop_emoji(const kd_buf *in, kd_buf *out)
{
    if (kd_buf_grow(out, in->len))
        return KD_ENOMEM;
    const unsigned char *u = (const unsigned char *)in->s;
    char *o = out->s + out->len;
    size_t i = 0;
    int space = 1;
    while (i < in->len) {
        if (u[i] < 0x80) { /* never an emoji */
            if (u[i] == ' ') {
                if (!space)
                    *o++ = ' ';
                space = 1;
            } else {
                *o++ = (char)u[i];
                space = 0;
            }
            i++;
            continue;
        }
        int32_t cp;
        size_t k = kd_utf8_decode(in->s + i, in->len - i, &cp);
        if (!kd_is_emoji(cp) && cp != 0x200d) {
            memcpy(o, in->s + i, k);
            o += k;
            space = 0;
        }
        i += k;
    }
    out->len = (size_t)(o - out->s);
    while (out->len && out->s[out->len - 1] == ' ')
        out->len--;
    out->s[out->len] = '\0';
    return KD_OK;
}

/* 1 if s[0..n) holds a letter or a digit, ASCII or not (a byte >= 0x80 is taken as one:
 * what is left of a link-free text is normalised next, and an emoji counts as text there),
 * outside a BBCode tag, "[url]", "[/url]" or "[url=": "[url]https://host/x[/url]" is links
 * only */
static int has_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '[') {
            size_t j = i + 1 + (i + 1 < n && s[i + 1] == '/');
            while (j < n && isalpha((unsigned char)s[j]))
                j++;
            if (j < n && (s[j] == ']' || s[j] == '=')) {
                i = j;
                continue;
            }
        }
        if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 1;
    }
    return 0;
}

/* Links of a text, as normalize2() finds them (in the HTML-decoded text, where an <a href>'s
 * target is kept as text). */
enum { LINKS_NONE = 0, LINKS_SOME = 1, LINKS_ONLY = 2 };

static int normalize2(const char *text, kd_buf *a, kd_buf *b, kd_buf *out, int *links, unsigned *left_out)
{
    *links = LINKS_NONE;
    *left_out = 0;
    kd_buf_clear(a);
    kd_buf_clear(b);
    kd_buf_clear(out);
    size_t n = strlen(text);
    int rc;
    if (kd_html_maybe(text, n)) {
        if ((rc = kd_html_decode(text, n, b)))
            return rc;
        text = b->s ? b->s : "";
        n = b->len;
    }
    /* a word disguised with Cyrillic or Greek look-alikes ("vіаgrа", "pаypаl.com") is the
     * Latin word a reader sees, so a disguised copy is a copy; read into out, which is
     * written last. Read on the NFKC form (in a, which copy_links() writes next), as the
     * tokenizer and the rules read it: there a zero-width character inside a word
     * ("ѕ<U+200B>pam") is gone and a compatibility letter ("ｐ", "𝛂") is the letter it
     * stands for, so the word is one and mixed; the text stays as written when no word
     * is disguised. Only a text with a look-alike or a mathematical letter (U+1D400..,
     * which NFKC maps to Latin and Greek ones) can have one. */
    if (kd_lookalike_maybe(text, n) || strstr(text, "\xF0\x9D")) {
        if ((rc = kd_normalize(text, n, KD_NORM_NFKC | KD_NORM_PLAIN | KD_NORM_KEEPCC, a)))
            return rc;
        if (kd_lookalike_maybe(a->s, a->len)) {
            if ((rc = kd_latin_reading(a->s, a->len, out, NULL)) < 0)
                return rc;
            if (rc) {
                text = out->s;
                n = out->len;
            }
        }
        kd_buf_clear(a);
    }
    if ((rc = copy_links(text, n, LINK_DROP, a, NULL)))
        return rc;
    if (a->len < n)
        *links = LINKS_SOME;
    /* a comment that is only links (a link drop): its links are its text, and the same bare
     * link posted by several authors is a campaign */
    if (a->len < n && !has_alnum(a->s ? a->s : "", a->len)) {
        *links = LINKS_ONLY;
        kd_buf_clear(a);
        if ((rc = copy_links(text, n, LINK_BARE, a, left_out)))
            return rc;
    }
    kd_buf_clear(b);
    kd_buf_clear(out); /* text is not read again */
    if ((rc = kd_normalize(a->s ? a->s : "", a->len, KD_NORM_FOLD | KD_NORM_NFKC | KD_NORM_PLAIN | KD_NORM_SPACE | KD_NORM_NOPUNCT, b)))
        return rc;
    /* KD_NORM_SPACE leaves no space at either end and never two in a row, so for ASCII
     * text (no emoji) drop_emoji() would copy b unchanged */
    if (kd_ascii_prefix(b->s ? b->s : "", b->len) == b->len)
        return kd_buf_add(out, b->s ? b->s : "", b->len);
    if ((rc = drop_emoji(b, out)))
        return rc;
    if (!out->len && b->len)
        rc = kd_buf_add(out, b->s, b->len);
    if (!out->s && !rc)
        rc = kd_buf_add(out, "", 0);
    return rc;
}

int kd_dedup_normalize(const char *text, kd_buf *out)
{
    kd_buf a = KD_BUF_INIT, b = KD_BUF_INIT;
    int links;
    unsigned left_out;
    int rc = normalize2(text, &a, &b, out, &links, &left_out);
    kd_buf_free(&a);
    kd_buf_free(&b);
    return rc;
}

int kd_text_key(const char *text, uint64_t *key)
{
    if (!text || !key)
        return KD_EINVAL;
    kd_buf b = KD_BUF_INIT;
    int rc = kd_dedup_normalize(text, &b);
    if (!rc) /* nothing left to compare: the text as written, apart from every normalised one */
        *key = b.len ? kd_hash64(b.s, b.len) : ~kd_hash64(text, strlen(text));
    kd_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Identities */

/* 32-bit hash of a field, trimmed, each run of white space inside one space ("Ann  Lee" is
 * "Ann Lee"), lower-cased; 0 when empty. A field beyond ASCII is case-folded and in NFKC
 * ("ÉLODIE" is "élodie", an "é" typed as "e" and a combining accent is "é"), so a name is the
 * name a reader sees; one that folding leaves as it is hashes as it did when only ASCII
 * was lower-cased. A field of 256 bytes or more is hashed as written. */
static uint32_t ident(const char *s)
{
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n)
        return 0;
    char small[256];
    uint64_t h;
    if (n < sizeof small && kd_ascii_prefix(s, n) < n) {
        kd_buf f = KD_BUF_INIT;
        if (!kd_normalize(s, n, KD_NORM_FOLD | KD_NORM_NFKC | KD_NORM_SPACE | KD_NORM_KEEPCC, &f) && f.len)
            h = kd_hash64(f.s, f.len);
        else /* out of memory, or nothing left (zero-width characters only): as written */
            h = kd_hash64(s, n);
        kd_buf_free(&f);
    } else if (n < sizeof small) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!isspace((unsigned char)s[i]))
                small[k++] = (char)tolower((unsigned char)s[i]);
            else if (small[k - 1] != ' ') /* (s[0] is not a space) */
                small[k++] = ' ';
        h = kd_hash64(small, k);
    } else
        h = kd_hash64(s, n);
    uint32_t v = (uint32_t)(h ^ (h >> 32));
    return v ? v : 1;
}

static int same_author(uint32_t ea, uint32_t aa, uint32_t eb, uint32_t ab)
{
    if (ea && eb)
        return ea == eb;
    return aa && ab && aa == ab;
}

static int same_post(const char *a, const char *b) { return a && b && *a && !strcmp(a, b); }

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The time a comment is recorded with: its date (an imported backlog keeps its age, so that
 * `history --prune --keep-days` treats it as old), but never later than now (a client's date
 * in the future would never be pruned) and now when the date is missing or unreadable. The
 * library says nothing of an unreadable date, nor of one in the future: its callers (the CLI,
 * the server) check it with kd_date_warning() (date.h) and warn (of a future date when it is
 * more than KD_DATE_SKEW ahead: less is a clock's skew). */
static int64_t comment_time(const char *d)
{
    int64_t now = (int64_t)time(NULL), t;
    return kd_date_parse(d, &t) || t > now ? now : t;
}

/* ------------------------------------------------------------------------------------ */
/* The handle's state */

static int dedup_get(kd_model *m, kd_dedup **out)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!m->dedup) {
        kd_dedup *d = calloc(1, sizeof *d);
        if (!d || !(d->cand = malloc(MAX_CANDIDATES * sizeof *d->cand))) {
            free(d);
            return kd_model_fail(m, KD_ENOMEM, "cannot start reading the history of model %s: out of memory",
                                 kd_store_path(m->store));
        }
        int v = kd_store_schema_version(m->store);
        int rc = kd_hist_new(&d->hist, kd_store_db(m->store), v >= 4, v >= 7);
        if (rc) {
            free(d->cand);
            free(d);
            return kd_model_fail(m, rc, "cannot start reading the history of model %s: out of memory",
                                 kd_store_path(m->store));
        }
        m->dedup = d;
    }
    *out = m->dedup;
    return KD_OK;
}

void kd_dedup_free(kd_dedup *d)
{
    if (!d)
        return;
    (void)kd_hist_read_end(d->hist); /* (closing the connection ends it anyway) */
    kd_hist_commit(d->hist);
    kd_hist_free(d->hist);
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].id);
        free(d->e[i].post);
    }
    free(d->e);
    free(d->nodes);
    free(d->head);
    free(d->cand);
    kd_buf_free(&d->a);
    kd_buf_free(&d->b);
    kd_buf_free(&d->norm);
    kd_buf_free(&d->took_id);
    free(d);
}

static size_t slot(int64_t key, size_t cap) { return (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1); }

/* Forget the comments held in memory (their strings; the arrays are kept for reuse). */
static void mem_reset(kd_dedup *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].id);
        free(d->e[i].post);
    }
    d->n = d->nn = 0;
    if (d->head)
        memset(d->head, 0xff, 2 * d->hcap * sizeof *d->head);
}

/* Append node i to its chain: chains run oldest first, so that a lookup that stops at
 * MAX_CANDIDATES (a campaign's hundreds of copies) keeps the earliest, as the history's
 * lists do, and duplicate_of names the earliest copy (newest first, a run's 600th copy of
 * one text named its 342nd). */
static inline void mem_link(kd_dedup *d, int32_t i)
{
    size_t s = slot(d->nodes[i].key, d->hcap);
    int32_t *tail = d->head + d->hcap;
    d->nodes[i].next = -1;
    if (tail[s] >= 0)
        d->nodes[tail[s]].next = i;
    else
        d->head[s] = i;
    tail[s] = i;
}

static int mem_add(kd_dedup *d, const kd_comment *c, uint32_t author, uint32_t email, uint64_t th,
                   const uint8_t *sig, const int64_t keys[KD_MH_BANDS])
{
    if (d->n >= MEMORY_MAX)
        mem_reset(d);
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        mem_entry *e = realloc(d->e, cap * sizeof *e);
        if (!e)
            return KD_ENOMEM;
        d->e = e;
        d->cap = cap;
    }
    if (d->nn + KD_MH_BANDS > d->ncap) {
        size_t cap = d->ncap ? d->ncap * 2 : 64 * KD_MH_BANDS;
        mem_node *nd = realloc(d->nodes, cap * sizeof *nd);
        if (!nd)
            return KD_ENOMEM;
        d->nodes = nd;
        d->ncap = cap;
    }
    if (d->nn + KD_MH_BANDS > d->hcap) { /* rehash: keep the load under 1 (heads and tails
                                            * take what heads alone at 1/2 took) */
        size_t cap = d->hcap ? d->hcap * 2 : 512;
        while (cap < d->nn + KD_MH_BANDS)
            cap *= 2;
        int32_t *h = malloc(2 * cap * sizeof *h);
        if (!h)
            return KD_ENOMEM;
        memset(h, 0xff, 2 * cap * sizeof *h);
        free(d->head);
        d->head = h;
        d->hcap = cap;
        for (size_t i = 0; i < d->nn; i++) /* re-thread every node, oldest first */
            mem_link(d, (int32_t)i);
    }
    mem_entry *e = &d->e[d->n];
    memset(e, 0, sizeof *e);
    if ((c->id && !(e->id = strdup(c->id))) || (c->post_id && !(e->post = strdup(c->post_id)))) {
        free(e->id);
        return KD_ENOMEM;
    }
    e->nth = d->checked;
    e->author = author;
    e->email = email;
    e->text_hash = th;
    memcpy(e->sig, sig, KD_MH_SIGBYTES);
    for (int i = 0; i < KD_MH_BANDS; i++) {
        mem_node *nd = &d->nodes[d->nn];
        nd->key = keys[i];
        nd->entry = (uint32_t)d->n;
        mem_link(d, (int32_t)d->nn++);
    }
    d->n++;
    return KD_OK;
}

/* Give memory entry k the id of the comment it turned out to be. */
static int mem_name(kd_model *m, kd_dedup *d, uint32_t k, const char *id)
{
    char *s = strdup(id);
    if (!s)
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    free(d->e[k].id);
    d->e[k].id = s;
    return KD_OK;
}

/* ------------------------------------------------------------------------------------ */
/* Matching */

typedef struct query {
    const kd_comment *c;
    uint32_t author, email;
    uint64_t text_hash;
    uint8_t sig[KD_MH_SIGBYTES];
    int trivial;
    unsigned nwords; /* words of the normalised text, counted up to KD_DUP_GENERIC_WORDS */
    int no_campaign; /* short generic praise without a link: never a campaign */
    double threshold;
    int recorded;       /* an earlier comment has this one's id and text: it was recorded already */
    /* the exact copies of its text by other comments in the history, whose feedback an undo
     * of it may stand for (kd_dedup_label): how many were met, the first COPIES of them */
    unsigned ncopies;
    int64_t copies[COPIES];
    int past_self;      /* the history's record of this very comment was met ... */
    int64_t own_seq;    /* ... its seq (the latest with this id and text; or the record
                         * adopted or written by record()) */
    int linked;         /* the comment carries a link (its text, or an author URL) */
    int64_t adopt;      /* an earlier comment without an id is this one, checked before it had
                         * one: its history seq (> 0), or -1 for one of this run's memory ... */
    uint32_t adopt_entry; /* ... the memory's entry */
    /* the earliest match so far */
    int found;
    char *id;
    double sim;
    const char *scope;
    /* campaign */
    struct { uint32_t email, name; } authors[MAX_SEEN];
    uint32_t posts[MAX_SEEN];
    unsigned nauthors, nposts;
    char last_post[64]; /* the post of the last match, and its ident(): matches are mostly */
    uint32_t last_post_ident; /* on a few posts, and hashing the id each time cost as much as
                                 the rest of consider() */
} query;

static void seen(uint32_t *set, unsigned *n, uint32_t v)
{
    if (!v)
        return;
    for (unsigned i = 0; i < *n; i++)
        if (set[i] == v)
            return;
    if (*n < MAX_SEEN)
        set[(*n)++] = v;
}

/* Count an author unless it is one counted already, as same_author() tells (by e-mail when
 * both give one, else by name): counted by its e-mail when it had one and by its name
 * otherwise, one author who gave an address on one comment and not on the next was two, and
 * a double post on one post with a link a campaign. */
static void seen_author(query *q, uint32_t email, uint32_t name)
{
    if ((!email && !name) || q->nauthors >= MAX_SEEN) /* full: nothing can change */
        return;
    for (unsigned i = 0; i < q->nauthors; i++)
        if (same_author(q->authors[i].email, q->authors[i].name, email, name))
            return;
    q->authors[q->nauthors].email = email;
    q->authors[q->nauthors++].name = name;
}

/* ident() of a matched comment's post, 0 for none; the last one is kept. */
static uint32_t post_ident(query *q, const char *post)
{
    if (!post || !*post)
        return 0;
    if (q->last_post_ident && !strcmp(post, q->last_post))
        return q->last_post_ident;
    uint32_t v = ident(post);
    if (strlen(post) < sizeof q->last_post) {
        strcpy(q->last_post, post);
        q->last_post_ident = v;
    }
    return v;
}

/* Whether an earlier comment is this one again: the same (non-empty) id. A comment is
 * checked again when a client retries, and recorded again when it is learnt after being
 * checked; it is never a duplicate of itself. */
static int same_comment(const query *q, const char *id)
{
    return id && q->c->id && *q->c->id && !strcmp(id, q->c->id);
}

/* Whether an earlier comment's text is this one's: the same 31-bit hash (history.h) and the
 * same MinHash signature. The hash alone pairs two different texts once in 2^31 pairs (at a
 * million comments, some 230 pairs of the history share one); with the signature, which the
 * history keeps beside it, such a pair must also agree in all 64 of its minima. */
static int same_text(const query *q, uint64_t th, const uint8_t *sig)
{
    return th == q->text_hash && !memcmp(sig, q->sig, KD_MH_SIGBYTES);
}

/* Whether an earlier comment without an id is this one, checked before it had one: the
 * WordPress Akismet plugin checks a comment before WordPress saves it and gives it an id,
 * then sends it again with its id (submit-spam/ham, a recheck). The same author, post and
 * text. (A reader's double post is checked twice without an id: still a duplicate.) */
static int same_comment_unnamed(const query *q, const char *id, const char *post, uint32_t author,
                                uint32_t email, int same)
{
    return !(id && *id) && q->c->id && *q->c->id && same && same_author(q->email, q->author, email, author) &&
           !strcmp(post ? post : "", q->c->post_id ? q->c->post_id : "");
}

/* Compare with one earlier comment (called earliest first). */
static int consider(query *q, const char *id, const char *post, uint32_t author, uint32_t email, uint64_t th,
                    const uint8_t *sig, const char *fallback, long long fallback_n)
{
    int history = !strcmp(fallback, "history"), same = same_text(q, th, sig);
    if (history && same && !same_comment(q, id) && q->ncopies++ < COPIES)
        q->copies[q->ncopies - 1] = fallback_n;
    /* this comment is in the history already (scored again, rechecked): what was recorded
     * after it is no earlier copy of it; history comes in recording order, so the rest is */
    if (history && q->past_self)
        return KD_OK;
    if (same_comment(q, id)) {
        q->recorded |= same; /* an edited text is recorded as well */
        q->past_self |= history && same;
        if (history && same)
            q->own_seq = fallback_n;
        return KD_OK;
    }
    /* the first such record is this comment (a second one is a double post, a duplicate); it
     * is named by the id when this comment is recorded (record()). Not "recorded": without
     * remembering, this comment still joins the run's memory, so later copies find it. */
    if (!q->adopt && same_comment_unnamed(q, id, post, author, email, same)) {
        q->adopt = history ? fallback_n : -1;
        q->past_self |= history;
        return KD_OK;
    }
    double sim = same ? 1.0 : kd_minhash_sig_similarity(q->sig, sig);
    if (sim >= 1.0 && !same)
        sim = 0.99; /* 1 is kept for exact duplicates: before the threshold, so that a
                       threshold of 1 (a comment that is only a link) takes exact copies only */
    if (sim < q->threshold)
        return KD_OK;
    int sa = same_author(q->email, q->author, email, author);
    int sp = same_post(q->c->post_id, post);
    if (q->trivial && !sa)
        return KD_OK;
    seen_author(q, email, author);
    seen(q->posts, &q->nposts, post_ident(q, post));
    /* the earliest exact copy, else the earliest near copy */
    if (q->found && (q->sim >= 1.0 || sim < 1.0))
        return KD_OK;
    q->found = 1;
    q->sim = sim;
    q->scope = sa ? "same_author" : sp ? "same_post" : "site";
    free(q->id);
    char fb[48]; /* a comment without an id is named by where it came from: "history:12" */
    if (!id || !*id) {
        snprintf(fb, sizeof fb, "%s:%lld", fallback, fallback_n);
        id = fb;
    }
    q->id = strdup(id);
    return q->id ? KD_OK : KD_ENOMEM;
}

static int add_cand(void *ud, int64_t seq)
{
    kd_dedup *d = ud;
    if (seq <= d->after)
        return 0;
    if (d->ncand >= MAX_CANDIDATES)
        return 1;
    d->cand[d->ncand++] = seq;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sort v[0..n) and drop repeats. A comment has a handful of candidates: those are sorted by
 * insertion, without qsort's calls through a pointer; a campaign's hundreds go to qsort. */
static size_t uniq(int64_t *v, size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            int64_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof *v, cmp_i64);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

static int consider_rec(void *ud, const kd_hist_rec *r)
{
    return consider(ud, r->id, r->post_id, r->author, r->email, r->text_hash, r->sig, "history", (long long)r->seq);
}

static int match_history(kd_model *m, kd_dedup *d, query *q, const int64_t keys[KD_MH_BANDS])
{
    d->ncand = 0;
    /* one statement reads the index, one more the candidates' rows (history.c) */
    int rc = kd_hist_candidates(d->hist, keys, PER_KEY, add_cand, d);
    if (rc)
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    size_t n = uniq(d->cand, d->ncand);
    if (n && (rc = kd_hist_get_many(d->hist, d->cand, n, consider_rec, q)))
        return rc == KD_ENOMEM ? kd_model_fail(m, rc, "out of memory")
                               : kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    return KD_OK;
}

static int match_memory(kd_model *m, kd_dedup *d, query *q, const int64_t keys[KD_MH_BANDS])
{
    if (!d->hcap)
        return KD_OK;
    d->ncand = 0;
    for (int b = 0; b < KD_MH_BANDS && d->ncand < MAX_CANDIDATES; b++)
        for (int32_t i = d->head[slot(keys[b], d->hcap)]; i >= 0 && d->ncand < MAX_CANDIDATES; i = d->nodes[i].next)
            if (d->nodes[i].key == keys[b])
                d->cand[d->ncand++] = d->nodes[i].entry;
    size_t n = uniq(d->cand, d->ncand);
    for (size_t i = 0; i < n; i++) {
        const mem_entry *e = &d->e[d->cand[i]];
        int64_t adopted = q->adopt;
        int rc = consider(q, e->id, e->post, e->author, e->email, e->text_hash, e->sig, "input",
                          (long long)e->nth);
        if (rc)
            return kd_model_fail(m, rc, "out of memory");
        if (q->adopt != adopted)
            q->adopt_entry = (uint32_t)d->cand[i];
    }
    return KD_OK;
}

/* The comment's normalised text (left in d->norm, a buffer reused from comment to comment),
 * its hash, MinHash and whether it has KD_DUP_MIN_WORDS words. */
static int fingerprint(kd_dedup *d, const char *text, uint64_t *th, kd_minhash *mh, unsigned *nwords, int *links)
{
    kd_buf *norm = &d->norm;
    unsigned left_out;
    int rc = normalize2(text, &d->a, &d->b, norm, links, &left_out);
    if (rc) { /* a buffer that failed to grow refuses appends: the next comment gets new ones */
        kd_buf_free(norm);
        kd_buf_free(&d->a);
        kd_buf_free(&d->b);
        return rc;
    }
    /* words counted only as far as the threshold; Chinese and Japanese characters (no
       spaces between words) count a third of a word each: a Chinese word is one to three
       characters, and the polite formulas every reader writes are long in kana
       ("ありがとうございます", 10) or characters ("非常感谢您的分享", 8). Korean puts
       spaces between its words: they are counted as words. A word starts after a space or
       after such a character (in "分享Python", "Python" is one; the two characters, two
       thirds of a word, are not counted). Thai, Lao, Khmer and Burmese put no spaces between
       words either (a space ends a phrase): their code points, vowel and tone marks
       included, count a quarter of a word each ("ขอบคุณมากครับ", thank you very much, 13, is
       short); counted as words, a Thai sentence of 60 letters copied by three readers was
       one or two words, short, and no duplicate. A comment of links only counts the "https"
       and "www" its text no longer holds, so that a short link drop is as short as it was. */
    unsigned words = left_out, cjk = 0, sea = 0;
    int after = 1; /* the previous character ends a word: a space, a Chinese or kana one */
    for (size_t i = 0; i < norm->len && words + cjk / 3 + sea / 4 < KD_DUP_GENERIC_WORDS; i++) {
        int32_t cp;
        size_t len;
        if ((unsigned char)norm->s[i] >= 0xE0 && (len = kd_utf8_decode(norm->s + i, norm->len - i, &cp)) > 1) {
            int han = kd_is_cjk(cp) && !(cp >= 0xAC00 && cp <= 0xD7A3);
            int unspaced = (cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F) ||
                           (cp >= 0x1780 && cp <= 0x17FF); /* Thai, Lao; Myanmar; Khmer */
            if (han || unspaced) {
                cjk += han;
                sea += unspaced;
                i += len - 1;
                after = 1;
                continue;
            }
        }
        words += after && norm->s[i] != ' ';
        after = norm->s[i] == ' ';
    }
    *nwords = words + cjk / 3 + sea / 4;
    *th = kd_hash64(norm->s, norm->len) & KD_HIST_TEXT_HASH_MASK; /* what the history keeps */
    kd_minhash_compute(norm->s, norm->len, mh);
    return KD_OK;
}

/* The query for c: its fingerprint (text hash, signature, band keys) and identities.
 * d->norm is left empty when nothing is left to compare (an empty or punctuation-only
 * comment). */
static int query_init(kd_model *m, kd_dedup *d, const kd_comment *c, double threshold, query *q,
                      int64_t keys[KD_MH_BANDS], int raw_if_empty)
{
    memset(q, 0, sizeof *q);
    kd_minhash mh;
    int links;
    int rc = fingerprint(d, c->text, &q->text_hash, &mh, &q->nwords, &links);
    if (rc)
        return kd_model_fail(m, rc, "out of memory");
    /* a text that normalises to nothing ("???", "<p></p>") has nothing to compare, but
     * feedback still needs its record to keep its label by: fingerprinted as written (no
     * normalised text can equal it, as it has no letter, digit or emoji) */
    if (raw_if_empty && !d->norm.len && c->text[0]) {
        if (kd_buf_add(&d->norm, c->text, strlen(c->text)))
            return kd_model_fail(m, KD_ENOMEM, "out of memory");
        q->text_hash = kd_hash64(d->norm.s, d->norm.len) & KD_HIST_TEXT_HASH_MASK;
        kd_minhash_compute(d->norm.s, d->norm.len, &mh);
        q->nwords = 0;
        links = LINKS_NONE;
    }
    q->trivial = q->nwords < KD_DUP_MIN_WORDS;
    q->c = c;
    q->author = ident(c->author);
    q->email = ident(c->email);
    q->linked = links != LINKS_NONE || (c->url && *c->url);
    /* a comment that is only a link is compared whole: two different pages of one site
     * (two videos, two articles readers share) are not near copies */
    q->threshold = links == LINKS_ONLY && threshold < 1.0 ? 1.0 : threshold;
    kd_minhash_sig(&mh, q->sig);
    for (unsigned i = 0; i < KD_MH_BANDS; i++)
        keys[i] = kd_minhash_band(&mh, i);
    return KD_OK;
}

/* The open batch transaction is committed: its comments are recorded. */
static void batch_committed(kd_dedup *d)
{
    d->recorded += d->uncommitted;
    d->uncommitted = 0;
}

/* A write of a batch failed (rc, why): what was kept of the open transaction (a failed
 * comment's own rows are undone by their savepoint, the earlier ones stay) is committed now,
 * not left for a later commit that may never come; the message says how many comments were
 * recorded and how many were not: the comments of the transaction when it could not be
 * committed (or SQLite rolled it back itself: a full disk, an I/O error), and current (1:
 * the comment being recorded, 0: none). */
static int batch_failed(kd_model *m, kd_dedup *d, int rc, const char *what, const char *why, int current)
{
    char err[256], outcome[160];
    snprintf(err, sizeof err, "%s", why); /* (a commit below may replace the history's message) */
    if (kd_hist_in_batch(d->hist) && !kd_hist_commit(d->hist))
        batch_committed(d);
    d->pending = 0;
    uint64_t lost = d->uncommitted + (uint64_t)current;
    d->uncommitted = 0;
    /* with none recorded, "no comment was recorded, the last one was not" read as if one
     * had been recorded before it: say the comments lost alone */
    if (!d->recorded && lost == 1)
        snprintf(outcome, sizeof outcome, "the comment was not recorded");
    else if (!d->recorded && lost)
        snprintf(outcome, sizeof outcome, "none of its %llu comments was recorded", (unsigned long long)lost);
    else if (!d->recorded)
        snprintf(outcome, sizeof outcome, "no comment was recorded");
    else {
        int n = snprintf(outcome, sizeof outcome, "%llu comment%s recorded", (unsigned long long)d->recorded,
                         d->recorded == 1 ? " was" : "s were");
        if (lost == 1)
            snprintf(outcome + n, sizeof outcome - (size_t)n, ", the last one was not");
        else if (lost)
            snprintf(outcome + n, sizeof outcome - (size_t)n, ", the last %llu were not", (unsigned long long)lost);
    }
    return kd_model_write_failed_part(m, rc, what, err, outcome);
}

/* In a batch, open its write transaction before looking up a comment that is then
 * recorded, so that the lookup and the insert see the same history: looked up before it
 * (the batch's first comment), another process's record of the same comment made meanwhile
 * (two `score --remember` of one export) was not seen, and the comment was recorded twice.
 * Outside a batch (the server: one comment a request) the lookup stays outside the write
 * lock: held through it, two workers waited on each other in SQLite's busy handler, whose
 * sleeps grow to 100 ms, and recorded checks took 0.5-0.8 s at the 99th percentile instead
 * of 80 ms; lookup_locked() looks at what was recorded meanwhile once it has the lock.
 */
static int write_begin(kd_model *m, kd_dedup *d)
{
    if (!d->batching || kd_hist_in_batch(d->hist))
        return KD_OK;
    int rc = kd_hist_begin(d->hist);
    if (rc)
        return batch_failed(m, d, rc, "record the comment", kd_hist_errmsg(d->hist), 1);
    d->began = now_ms();
    return KD_OK;
}

/* Look q up to record it. In a batch the lookup is made under the write lock (write_begin()).
 * Outside one it is made before, in a read transaction whose newest seq is noted; then the
 * lock is taken and the comments recorded since are looked at too (earliest first, after the
 * others, as a lookup under the lock would have met them): of two writers remembering one text
 * at the same moment (a campaign posting to two posts at once, a client's retry) the later
 * finds the earlier, where both found nothing and a retry was recorded twice. Usually none
 * was recorded since: under the lock, one statement reads the newest seq. *locked: the write
 * transaction is open, for record() to join and lookup_end() to commit. (A prune that deleted
 * the newest comments meanwhile gives their seqs again: a copy recorded under one of them is
 * missed, as before.) */
static int lookup_locked(kd_model *m, kd_dedup *d, query *q, const int64_t keys[KD_MH_BANDS], int *locked)
{
    *locked = 0;
    if (d->batching)
        return match_history(m, d, q, keys);
    int64_t upto = 0, last = 0;
    int rc = kd_hist_read_begin(d->hist);
    if (!rc && (rc = kd_hist_last(d->hist, &upto)))
        (void)kd_hist_read_end(d->hist);
    if (rc)
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    rc = match_history(m, d, q, keys);
    int erc = kd_hist_read_end(d->hist);
    if (rc || erc)
        return rc ? rc : kd_model_read_failed(m, erc, "the history (ending its read)", kd_hist_errmsg(d->hist));
    if (q->recorded) /* nothing to write; what came after its own record is no earlier copy */
        return KD_OK;
    if ((rc = kd_hist_begin(d->hist)))
        return kd_model_write_failed(m, rc, "record the comment", kd_hist_errmsg(d->hist));
    *locked = 1;
    if ((rc = kd_hist_last(d->hist, &last)))
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    if (last == upto)
        return KD_OK;
    d->after = upto;
    rc = match_history(m, d, q, keys);
    d->after = 0;
    return rc;
}

/* End what lookup_locked() left open: its write transaction is committed (after a failure,
 * record()'s savepoint has undone its rows: nothing is left to commit). */
static int lookup_end(kd_model *m, kd_dedup *d, int locked, int rc)
{
    if (!locked)
        return rc;
    int crc = kd_hist_commit(d->hist);
    return !rc && crc ? kd_model_write_failed(m, crc, "record the comment", kd_hist_errmsg(d->hist)) : rc;
}

/* Record q's comment in the history, unless it is there already (the same id and text). */
static int record(kd_model *m, kd_dedup *d, query *q, const int64_t keys[KD_MH_BANDS])
{
    if (q->recorded || q->adopt < 0)
        return KD_OK;
    int rc;
    if (d->batching && !kd_hist_in_batch(d->hist)) { /* (ends a batch of lookups first) */
        if ((rc = kd_hist_begin(d->hist)))
            return batch_failed(m, d, rc, "record the comment", kd_hist_errmsg(d->hist), 1);
        d->began = now_ms();
    }
    if (q->adopt > 0) { /* checked before it had an id: that record gets the id */
        int named = 0;
        if ((rc = kd_hist_set_id(d->hist, q->adopt, q->c->id, q->text_hash, &named)))
            return d->batching ? batch_failed(m, d, rc, "record the comment", kd_hist_errmsg(d->hist), 1)
                               : kd_model_write_failed(m, rc, "record the comment", kd_hist_errmsg(d->hist));
        d->pending += d->batching;
        d->uncommitted += d->batching && named;
        if (named) {
            q->own_seq = q->adopt;
            return KD_OK;
        }
        /* named or pruned meanwhile by another writer: recorded as itself */
    }
    const kd_comment *c = q->c;
    kd_hist_rec r;
    memset(&r, 0, sizeof r);
    r.id = c->id && *c->id ? c->id : NULL; /* an empty id is none: named later, when it comes */
    r.post_id = c->post_id;
    r.author = q->author;
    r.email = q->email;
    r.ip = ident(c->ip);
    r.time = comment_time(c->date);
    r.text_hash = q->text_hash;
    memcpy(r.sig, q->sig, KD_MH_SIGBYTES);
    rc = kd_hist_insert(d->hist, &r, keys);
    if (rc == KD_EINVAL)
        return kd_model_write_failed(m, rc, "record the comment", "the model has no history table");
    if (rc)
        return d->batching ? batch_failed(m, d, rc, "record the comment", kd_hist_errmsg(d->hist), 1)
                           : kd_model_write_failed(m, rc, "record the comment", kd_hist_errmsg(d->hist));
    d->pending += d->batching;
    d->uncommitted += d->batching;
    q->own_seq = r.seq;
    return KD_OK;
}

/* Commit the open batch once it holds BATCH_ROWS comments or has held the write lock for
 * BATCH_MS: rows that are slow to classify (a costly rule, a pipe that delivers slowly)
 * must not keep every other writer waiting. Called after each comment, recorded or not. */
static int batch_check(kd_model *m, kd_dedup *d)
{
    if (!d->batching || (!kd_hist_in_batch(d->hist) && !kd_hist_reading(d->hist)) ||
        (d->pending < BATCH_ROWS && now_ms() - d->began < BATCH_MS))
        return KD_OK;
    d->pending = 0;
    if (kd_hist_reading(d->hist)) { /* what others wrote meanwhile is seen from now on */
        int rc = kd_hist_read_end(d->hist);
        return rc ? kd_model_read_failed(m, rc, "the history (ending its read)", kd_hist_errmsg(d->hist)) : KD_OK;
    }
    int rc = kd_hist_commit(d->hist);
    if (rc)
        return batch_failed(m, d, rc, "write the history", kd_hist_errmsg(d->hist), 0);
    batch_committed(d);
    return KD_OK;
}

/* Whether the comment's tokens (kd_classify's, on the model) hold an e-mail address or a
 * phone number: generic praise that carries one ("Thank you so much! bob@spam.example")
 * is a spammer's way to be contacted, as a link is, not a reader's thanks. */
static int has_contact(const kd_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = kd_tokens_str(t, i);
        if (s[0] == '#' && (!strcmp(s, "#email") || !strcmp(s, "#phone")))
            return 1;
    }
    return 0;
}

int kd_dedup_run(kd_model *m, const kd_comment *c, const kd_options *o, kd_result *out)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (o->remember && !(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "remembering comments needs a model opened for writing");
    d->checked++;
    query q;
    int64_t keys[KD_MH_BANDS];
    int locked = 0;
    if ((rc = query_init(m, d, c, o->dup_threshold > 0 ? o->dup_threshold : 1.0, &q, keys, 0)) || !d->norm.len)
        goto done;
    /* short generic praise without a link ("Thank you so much!", generic.c) is what readers
     * of every post say: still a duplicate of another reader's same words (held, as any
     * duplicate), but no campaign (five readers thanking five posts were spam); a longer
     * sentence copied word for word by other authors still is one */
    q.no_campaign = out->generic == 1 && q.nwords < KD_DUP_GENERIC_WORDS && !has_contact(&m->tok);
    /* a batch that only looks up (scoring without remembering) reads in one transaction:
     * one shared lock for many comments instead of one each (two fcntl calls and a stat a
     * lookup, a third of a bulk run's time); committed on the batch's terms below */
    /* a snapshot kept over an idle caller: renewed first */
    if (kd_hist_reading(d->hist) && now_ms() - d->began >= BATCH_MS && (rc = kd_hist_read_end(d->hist))) {
        rc = kd_model_read_failed(m, rc, "the history (ending its read)", kd_hist_errmsg(d->hist));
        goto done;
    }
    if (d->batching && !o->remember && !kd_hist_in_batch(d->hist) && !kd_hist_reading(d->hist)) {
        if ((rc = kd_hist_read_begin(d->hist))) {
            rc = kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
            goto done;
        }
        d->began = now_ms();
        d->pending = 0;
    }
    d->pending += d->batching && kd_hist_reading(d->hist);
    if (o->remember && (rc = write_begin(m, d)))
        goto done;
    if ((rc = o->remember ? lookup_locked(m, d, &q, keys, &locked) : match_history(m, d, &q, keys)))
        goto done;
    if (!o->remember && (rc = match_memory(m, d, &q, keys)))
        goto done;
    if (q.found) {
        out->duplicate_of = q.id;
        q.id = NULL;
        out->similarity = q.sim;
        out->duplicate_scope = q.scope;
        seen_author(&q, q.email, q.author);
        seen(q.posts, &q.nposts, c->post_id && *c->post_id ? ident(c->post_id) : 0);
        /* readers of one post often say the same thing in nearly the same words ("thank
         * you for writing about grief so honestly"): without a link, only copies across
         * posts are a campaign; with a link or an author URL, copies by several authors too */
        unsigned k = q.linked && q.nauthors > q.nposts ? q.nauthors : q.nposts;
        out->campaign = !q.trivial && !q.no_campaign && k >= 2 ? k : 0;
    }
    if (o->remember)
        rc = record(m, d, &q, keys);
    else if (q.adopt < 0) /* checked before it had an id, in this run: named by it from now on,
                           * as record() names the history's record */
        rc = mem_name(m, d, q.adopt_entry, c->id);
    else if (!q.recorded && (rc = mem_add(d, c, q.author, q.email, q.text_hash, q.sig, keys)))
        rc = kd_model_fail(m, rc, "out of memory");
done:
    rc = lookup_end(m, d, locked, rc);
    if (!rc)
        rc = batch_check(m, d);
    free(q.id);
    return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Public: the history of a model */

int kd_history_record(kd_model *m, const kd_comment *c)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (!c || !c->text)
        return kd_model_no_text(m, "kd_history_record", c);
    if (!(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "recording comments needs a model opened for writing");
    query q;
    int64_t keys[KD_MH_BANDS];
    int locked = 0;
    /* looked up only for the comment's own entry (no similarity reaches 2): a comment checked
     * with --remember and then learnt is recorded once */
    if ((rc = query_init(m, d, c, 2.0, &q, keys, 0)) || !d->norm.len || (rc = write_begin(m, d)))
        goto done;
    if (!(rc = lookup_locked(m, d, &q, keys, &locked)))
        rc = record(m, d, &q, keys);
done:
    rc = lookup_end(m, d, locked, rc);
    if (!rc)
        rc = batch_check(m, d);
    free(q.id);
    return rc;
}

/* Of q's copies, the latest given label, else the latest whose label was taken back (as
 * kd_hist_text_labelled): read by their seqs, or, when there were more than COPIES (a
 * campaign, whose later copies the index lists may not hold), through the labelled ones. */
static int copies_label(kd_hist *h, const query *q, int label, int64_t *seq, int *found)
{
    if (q->ncopies > COPIES)
        return kd_hist_text_labelled(h, q->text_hash, q->sig, label, seq, found);
    int64_t given = 0, undone = 0;
    for (unsigned i = 0; i < q->ncopies; i++) {
        int l, rc = kd_hist_label(h, q->copies[i], &l);
        if (rc)
            return rc;
        if (l == label && q->copies[i] > given)
            given = q->copies[i];
        else if (l == KD_HIST_UNDONE && q->copies[i] > undone)
            undone = q->copies[i];
    }
    *seq = given ? given : undone;
    *found = given ? label : undone ? KD_HIST_UNDONE : KD_UNLABELLED;
    return KD_OK;
}

/* Note whose learning an undo takes back in place of the comment's own: the id of record seq
 * (kd_dedup_took), named as duplicate_of names a comment without one. */
static int took_note(kd_model *m, kd_dedup *d, int64_t seq)
{
    kd_hist_rec r;
    int rc = kd_hist_get(d->hist, seq, &r);
    if (rc)
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    kd_buf_clear(&d->took_id);
    int named = r.id && *r.id;
    if (named ? kd_buf_puts(&d->took_id, r.id) : kd_buf_printf(&d->took_id, "history:%lld", (long long)seq))
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    d->took = named ? 1 : 2;
    return KD_OK;
}

const char *kd_dedup_took(const kd_model *m) { return m->dedup && m->dedup->took ? m->dedup->took_id.s : NULL; }

int kd_dedup_took_bare(const kd_model *m) { return m && m->dedup && m->dedup->took == 2; }

void kd_dedup_took_clear(kd_model *m)
{
    if (m->dedup)
        m->dedup->took = 0;
}

int kd_dedup_label(kd_model *m, const kd_comment *c, int set, int undo, int *label, int64_t *rec)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (!set)
        *label = KD_UNLABELLED;
    if (rec)
        *rec = 0;
    if (!c || !c->text)
        return kd_model_fail(m, KD_EINVAL, "a comment needs a text");
    if (set && !(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "recording comments needs a model opened for writing");
    query q;
    int64_t keys[KD_MH_BANDS];
    if ((rc = query_init(m, d, c, 2.0, &q, keys, 1)) || !d->norm.len)
        goto done;
    if ((rc = match_history(m, d, &q, keys)))
        goto done;
    int64_t seq = q.own_seq ? q.own_seq : q.adopt > 0 ? q.adopt : 0, labelled;
    int indexed = 0; /* a labelled record of it the LSH lists do not show (a campaign's later copy) */
    if (!(rc = kd_hist_labelled(d->hist, c->id, q.text_hash, q.sig, &labelled)) && labelled > seq) {
        seq = labelled;
        indexed = 1;
    }
    /* an undo of a comment the history has no label for (a mistyped id, or none): the
     * learning of its text that the history knows by another id, so that one learning is
     * never taken back twice (by this undo, then by that id's); for an id, that learning
     * taken back already too (without an id, each undo is checked by the counts, as ever) */
    int own = KD_UNLABELLED, text = KD_UNLABELLED, named = c->id && *c->id;
    int64_t tseq = 0;
    if (!rc && seq)
        rc = kd_hist_label(d->hist, seq, &own);
    if (!rc && own == KD_UNLABELLED && (undo == KD_SPAM || undo == KD_HAM) && q.ncopies)
        rc = copies_label(d->hist, &q, undo, &tseq, &text);
    if (!named && text == KD_HIST_UNDONE) {
        text = KD_UNLABELLED;
        tseq = 0;
    }
    if (rc) {
        rc = kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
        goto done;
    }
    if (!set) { /* what this comment was labelled, if it is in the history */
        *label = own != KD_UNLABELLED ? own : text;
        if (rec)
            *rec = own != KD_UNLABELLED ? seq : tseq;
        goto done;
    }
    if (text != KD_UNLABELLED && text == undo && *label == KD_HIST_UNDONE) { /* that learning is the one taken back */
        seq = tseq;
        if (m->fb_comment == c && (rc = took_note(m, d, tseq))) /* (kd_feedback's, not a CSV undo's) */
            goto done;
        goto write;
    }
    /* recorded, or named (a comment checked before it had an id), if need be: a comment
     * learnt, or one with an id whose label was taken back (so that the same undo again,
     * a retry, finds it taken back and does nothing) */
    int keep = *label == KD_SPAM || *label == KD_HAM || (*label == KD_HIST_UNDONE && c->id && *c->id);
    if (keep && !indexed && (rc = record(m, d, &q, keys)))
        goto done;
    if (!indexed && q.own_seq) /* (the labelled record found by id is the one to label) */
        seq = q.own_seq;
write:
    if (seq && (rc = kd_hist_set_label(d->hist, seq, *label)))
        rc = kd_model_write_failed(m, rc, "record the comment", kd_hist_errmsg(d->hist));
done:
    if (!rc)
        rc = batch_check(m, d);
    free(q.id);
    return rc;
}

int kd_dedup_feedback_write(kd_model *m, const kd_comment *c, int expect, int label, int undo)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    int now;
    if ((rc = kd_dedup_label(m, c, 0, undo, &now, NULL)))
        return rc;
    if (now != expect) { /* another writer gave feedback on it meanwhile */
        m->fb_raced = 1;
        return kd_model_fail(m, KD_EBUSY, "the comment's label changed meanwhile");
    }
    int batching = d->batching; /* the history's writes join the training's transaction */
    d->batching = 0;
    kd_hist_join(d->hist, 1);
    rc = kd_dedup_label(m, c, 1, undo, &label, NULL);
    kd_hist_join(d->hist, 0);
    d->batching = batching;
    return rc;
}

int kd_dedup_batching(const kd_model *m) { return m->dedup && m->dedup->batching; }

int kd_history_batch_begin(kd_model *m)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (!rc)
        d->batching = 1;
    return rc;
}

int kd_history_flush(kd_model *m)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!m->dedup)
        return KD_OK;
    kd_dedup *d = m->dedup;
    int counted = d->batching || d->uncommitted;
    d->batching = 0;
    d->pending = 0;
    int rc = kd_hist_read_end(d->hist);
    if (rc)
        return kd_model_read_failed(m, rc, "the history (ending its read)", kd_hist_errmsg(d->hist));
    rc = kd_hist_commit(d->hist);
    if (rc)
        return counted ? batch_failed(m, d, rc, "write the history", kd_hist_errmsg(d->hist), 0)
                       : kd_model_write_failed(m, rc, "write the history", kd_hist_errmsg(d->hist));
    batch_committed(d);
    return KD_OK;
}

int kd_history_prune(kd_model *m, int64_t before, uint64_t keep, uint64_t *removed)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (!(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "pruning the history needs a model opened for writing");
    if ((rc = kd_history_flush(m)))
        return rc;
    uint64_t n = 0;
    rc = kd_hist_prune(d->hist, before, keep, &n);
    if (removed)
        *removed = n;
    if (rc && kd_hist_pruned_part(d->hist)) {
        /* its first transactions were committed: "nothing was written" would not be true */
        char part[160];
        snprintf(part, sizeof part,
                 "%llu comments were deleted, and the rest to delete may no longer be found as duplicates: prune again to finish",
                 (unsigned long long)n);
        return kd_model_write_failed_part(m, rc, "prune the history", kd_hist_errmsg(d->hist), part);
    }
    if (rc)
        return kd_model_write_failed(m, rc, "prune the history", kd_hist_errmsg(d->hist));
    return KD_OK;
}

int kd_history_stats_get(kd_model *m, kd_history_stats *out)
{
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (!out)
        return kd_model_fail(m, KD_EINVAL, "kd_history_stats_get: out is NULL");
    kd_hist_stats s;
    if ((rc = kd_hist_stats_get(d->hist, &s)))
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    out->comments = s.comments;
    out->index_entries = s.index_entries;
    out->file_bytes = s.bytes;
    out->oldest = s.oldest;
    out->newest = s.newest;
    return KD_OK;
}

typedef struct find_ctx {
    int (*fn)(void *ud, const kd_history_entry *entry);
    void *ud;
    int stopped; /* fn returned nonzero */
} find_ctx;

static int found_one(void *ud, const kd_hist_found *f)
{
    find_ctx *x = ud;
    kd_history_entry e = { f->seq, f->post_id, f->time,
                           f->label == KD_HIST_UNDONE ? KD_HISTORY_TAKEN_BACK : f->label };
    int v = x->fn(x->ud, &e);
    x->stopped = v != 0;
    return v;
}

int kd_history_find(kd_model *m, const char *id, int (*fn)(void *ud, const kd_history_entry *entry), void *ud,
                    uint64_t *found)
{
    if (found)
        *found = 0;
    kd_dedup *d = NULL;
    int rc = dedup_get(m, &d);
    if (rc)
        return rc;
    if (!id)
        return kd_model_fail(m, KD_EINVAL, "kd_history_find: id is NULL");
    if (!fn)
        return kd_model_fail(m, KD_EINVAL, "kd_history_find: fn is NULL");
    find_ctx x = { fn, ud, 0 };
    uint64_t n = 0;
    rc = kd_hist_find_id(d->hist, id, found_one, &x, &n);
    if (rc && !x.stopped)
        return kd_model_read_failed(m, rc, "the history", kd_hist_errmsg(d->hist));
    if (found)
        *found = n;
    if (!rc && !n)
        return kd_model_fail(m, KD_ENOTFOUND, "no comment with id '%s' is in the history of model %s", id,
                             kd_store_path(m->store));
    return rc;
}
