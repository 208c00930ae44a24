/*
 * model.c - the kd_model handle: opening a model, looking up token counts, training.
 *
 * Two ways to read counts, chosen at open time:
 *  - on demand (default): each token is one indexed SQLite lookup. Opening costs almost
 *    nothing, which is what `kindly check` (one comment, process start to exit) needs.
 *  - preloaded (KD_OPEN_PRELOAD): the whole token table is read into a kd_tokmap once, and a
 *    lookup is a hash probe. That is what batch scoring and the server need. When the counts
 *    change (training, feedback by any handle), a model of up to RELOAD_MAX tokens is read
 *    again whole; a larger one is not (a server's worker handles would each re-read it after
 *    every moderator's report: 76 ms a report at 192k tokens, during which checks wait):
 *    from then on the handle caches what it looks up, and the cache is emptied at each
 *    change. A preloaded handle's own commits (the server's feedback) are not read back:
 *    it adds what it wrote to what it holds (add_own), at any size, and so do the other
 *    preloaded handles of the process on the same file (deltas.c).
 *
 * Training accumulates deltas in memory and writes them in one transaction at commit, so a
 * training run costs one pass over the input plus one upsert per distinct token, and killing
 * it leaves the previous model untouched. Ham learnt as foreign (KD_TRAIN_FOREIGN) is also
 * counted apart, per content word, for the relevance stage to subtract (store.c).
 */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dedup.h"
#include "deltas.h"
#include "history.h"
#include "posts.h"
#include "stopwords.h"
#include "tokset.h"

/* A message cut short by its buffer (a long path of non-ASCII letters) ends at a character,
 * not inside one: kd_model_error() is printed and sent in JSON as it is. */
static void end_at_char(char *s, size_t len)
{
    size_t lead = len;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0 || len - lead >= 4)
        return;
    unsigned char c = (unsigned char)s[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

int kd_model_fail(kd_model *m, int code, const char *fmt, ...)
{
    if (!m)
        return code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m->err, sizeof m->err, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof m->err)
        end_at_char(m->err, sizeof m->err - 1);
    return code;
}

/* What to do about a model SQLite finds damaged (a page of another file, a table gone), when
 * why says so; else NULL. For reads and writes alike. */
/* The model's path as one word of a shell command the messages give (sqlite3 PATH "..."):
 * as it is when it is all letters, digits and "/._-+,:@%", else in single quotes, each
 * quote in it written '\''; cut short (to fit out) it is not quoted and ends with "...". */
static const char *shell_path(const kd_model *m, char *out, size_t n)
{
    const char *p = kd_store_path(m->store);
    if (p[strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+,:@%")] == '\0' && *p)
        return p;
    size_t k = 0;
    out[k++] = '\'';
    for (; *p && k + 6 < n; p++) {
        if (*p == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else
            out[k++] = *p;
    }
    if (*p) { /* too long to quote whole: as it is, cut */
        snprintf(out, n, "%s", kd_store_path(m->store));
        return out;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return out;
}

static const char *damaged(const char *why)
{
    return strstr(why, "malformed") || strstr(why, "no such table") || strstr(why, "no such column")
               ? "the file is damaged: restore it from a backup"
               : NULL;
}

int kd_model_write_failed_part(kd_model *m, int code, const char *what, const char *why, const char *outcome)
{
    if (kd_store_moved(m->store))
        why = kd_store_errmsg(m->store); /* SQLite says only "constraint failed" */
    const char *hint = strstr(why, "readonly") ? "this user may not write the file, or its directory"
                     : strstr(why, "locked") ? "another process held its write lock for more than 10 s; try again"
                     : strstr(why, "full") ? "free some disk space"
                     : strstr(why, "I/O error") ? "a full disk, a file size limit such as ulimit -f, or a failing device"
                     : damaged(why);
    /* "nothing was written" only where the hint says what to do about a full disk */
    int said = outcome || (hint && (strstr(why, "full") || strstr(why, "I/O error")));
    return kd_model_fail(m, code, "cannot %s in model %s: %s%s%s%s%s%s", what, kd_store_path(m->store), why,
                         hint || said ? " (" : "", hint ? hint : "", hint && said ? "; " : "",
                         said ? (outcome ? outcome : "nothing was written") : "", hint || said ? ")" : "");
}

int kd_model_no_text(kd_model *m, const char *fn, const kd_comment *c)
{
    return c ? kd_model_fail(m, KD_EINVAL, "%s: the comment's text is NULL (an empty comment is \"\")", fn)
             : kd_model_fail(m, KD_EINVAL, "%s: the comment is NULL", fn);
}

int kd_model_write_failed(kd_model *m, int code, const char *what, const char *why)
{
    return kd_model_write_failed_part(m, code, what, why, NULL);
}

int kd_model_read_failed(kd_model *m, int code, const char *what, const char *why)
{
    const char *hint = strstr(why, "locked") ? "another process held it locked for more than 10 s; try again"
                                             : damaged(why);
    return kd_model_fail(m, code, "cannot read %s in model %s: %s%s%s%s", what, kd_store_path(m->store), why,
                         hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

const char *kd_model_error(const kd_model *m)
{
    if (!m) /* kd_model_open() sets *out whenever it could allocate a handle */
        return "out of memory";
    return m->err[0] ? m->err : "no error";
}

/* The reason of a failed read: SQLite's message, or "out of memory" (a table that could not
 * grow has no SQLite message behind it). */
static const char *why(kd_model *m, int rc)
{
    return rc == KD_ENOMEM ? "out of memory" : kd_store_errmsg(m->store);
}

/* Read the totals and, preloading, every count. data_version is read first, and all the
 * reads are made in one read transaction (one snapshot), so a commit made while this runs is
 * either in what was read or seen by the next refresh. The new counts are swapped in only
 * once all of them are read: on failure the handle keeps its previous counts and the next
 * refresh tries again, also after a commit of its own. */
#define RELOAD_MAX 50000 /* tokens: above, a change empties a cache instead of a full re-read */

static int load(kd_model *m)
{
    sqlite3 *db = kd_store_db(m->store);
    int64_t version = kd_store_data_version(m->store);
    int snapshot = sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    kd_totals totals;
    int64_t posts_generation = 0;
    kd_tokmap counts = { 0 }, foreign = { 0 };
    int rc = kd_store_totals(m->store, &totals);
    if (!rc)
        rc = kd_store_posts_generation(m->store, &posts_generation);
    if (rc) {
        rc = kd_model_read_failed(m, rc, "the totals", why(m, rc));
        goto done;
    }
    /* a generation the counts were not read at, or one they were read at with other totals
     * (an older copy of the file written over it, then taught something else) */
    int changed = (m->preloaded || m->cached) &&
                  (totals.generation != m->counts_generation || memcmp(&totals, &m->totals, sizeof totals));
    /* the commits of the other handles of this process on the file, when they are all the
     * change: added as they were to the file (deltas.c), instead of reading every count */
    if (changed && m->preloaded && m->totals.generation == m->counts_generation &&
        kd_deltas_apply(m->deltas, &m->totals, &totals, &m->counts)) {
        changed = (int64_t)m->counts.n != totals.vocab;
        /* unless the tokens are not as many as the file's (rows at zero that another
         * program left, which an undo deleted): read whole, even if this read fails */
        m->counts_generation = changed ? -1 : totals.generation;
    }
    /* forget what changed and look up on demand; once cached, always (a model that shrinks
     * below RELOAD_MAX, by an undo or a prune, keeps emptying its cache) */
    if (changed && (m->cached || totals.vocab > RELOAD_MAX)) {
        kd_tokmap_free(&m->counts);
        kd_tokmap_free(&m->foreign);
        m->preloaded = 0;
        m->cached = 1;
        m->counts_generation = totals.generation;
        changed = 0;
    }
    int reload = (m->flags & KD_OPEN_PRELOAD) && !m->cached && (!m->preloaded || changed);
    if (reload && (rc = kd_store_load_all(m->store, &counts))) {
        rc = kd_model_read_failed(m, rc, "the token counts", why(m, rc));
        goto done;
    }
    if (reload && totals.foreign_ham_tokens > 0 && (rc = kd_store_foreign_load_all(m->store, &foreign))) {
        rc = kd_model_read_failed(m, rc, "the foreign counts", why(m, rc));
        goto done;
    }
    m->totals = totals;
    m->posts_generation = posts_generation;
    if (reload) {
        kd_tokmap t = m->counts;
        m->counts = counts;
        counts = t;
        t = m->foreign;
        m->foreign = foreign;
        foreign = t;
        m->counts_generation = totals.generation;
        m->preloaded = 1;
    }
    m->data_version = version;
done:
    if (snapshot) {
        int erc = kd_store_read_end(m->store);
        if (erc && !rc)
            rc = kd_model_read_failed(m, erc, "the totals (ending their read)", kd_store_errmsg(m->store));
    }
    /* read again at the next refresh, which asks only data_version: a failure right after
     * this handle's own commit (which does not move its data_version) would otherwise keep
     * what it held before until another connection commits */
    if (rc)
        m->data_version = INT64_MIN; /* (kd_store_data_version's failure is -1) */
    kd_tokmap_free(&counts);
    kd_tokmap_free(&foreign);
    return rc;
}

/* A preloaded handle's own commit, added to the counts it holds, as kd_store_apply added it to
 * the file (each count clamped at zero; after an undo, the rows left at zero deleted), instead
 * of reading every count again (load): that read was 25 M of the 27 M instructions of a
 * server's feedback request on the shipped model (29,644 tokens), and a model above RELOAD_MAX
 * stopped holding its counts (cached) after its first feedback. Only when nothing else can
 * have changed the counts: they were the file's when the batch's transaction began (its
 * totals, the generation among them, were theirs: every writer of counts moves the generation,
 * and a writer of posts too, so another handle's commit, or a post this one stored, falls back
 * to load(): the whole read, or the commits the other handles left, deltas.c), and the batch
 * wrote no foreign share (learnt as foreign: rare, read whole); the same batch is left for the
 * other handles of the process (kd_deltas_publish), with the totals before and after it.
 * load() then finds the totals the transaction left, and reads the counts whole only when
 * another writer moved them since. Were the tokens held then not as many as the file stores
 * (rows left at zero by another program, which an undo deletes with its own), they are read
 * whole. Memory for the new tokens is reserved first: short of it, they are read whole. */
static void add_own(kd_model *m)
{
    if (m->own_before.generation < 0 || m->own_after.generation < 0 || m->fdelta.n)
        return;
    /* for the other handles of this process on the file (load) */
    kd_deltas_publish(m->deltas, &m->own_before, &m->own_after, &m->delta);
    if (!m->preloaded || m->cached || m->own_before.generation != m->counts_generation ||
        memcmp(&m->own_before, &m->totals, sizeof m->totals) || kd_tokmap_reserve(&m->counts, m->counts.n + m->delta.n))
        return;
    kd_tokmap_apply(&m->counts, &m->delta);
    if ((int64_t)m->counts.n == m->own_after.vocab) {
        m->counts_generation = m->own_after.generation;
        m->totals = m->own_after; /* (what the counts now are: load's and deltas.c's proof) */
        return;
    }
    /* read whole at the next load (were this commit's to fail, the next refresh's: load) */
    m->counts_generation = -1;
}

#define KD_OPEN_ALL (KD_OPEN_WRITE | KD_OPEN_CREATE | KD_OPEN_PRELOAD | KD_OPEN_KEEP_LATER)

int kd_model_open(kd_model **out, const char *path, unsigned flags)
{
    if (!out)
        return KD_EINVAL;
    *out = NULL;
    kd_model *m = calloc(1, sizeof *m);
    if (!m)
        return KD_ENOMEM;
    *out = m;
    m->flags = flags;
    m->topt = (kd_tokenize_options)KD_TOKENIZE_OPTIONS_INIT;
    int rc;
    if (!path || !*path)
        rc = kd_model_fail(m, KD_EINVAL, "no model path given");
    /* a bit this library does not know is a caller built for another version: refused
     * rather than ignored, so that a later flag is never silently dropped */
    else if (flags & ~(unsigned)KD_OPEN_ALL)
        rc = kd_model_fail(m, KD_EINVAL, "unknown open flags 0x%x", flags & ~(unsigned)KD_OPEN_ALL);
    else if (!(rc = kd_store_open(&m->store, path, flags, m->err, sizeof m->err)))
        rc = load(m);
    else if (strlen(m->err) == sizeof m->err - 1) /* (kd_store_open's message, cut short) */
        end_at_char(m->err, sizeof m->err - 1);
    m->failed = rc != KD_OK;
    uint64_t dev, ino;
    if (!rc && (flags & KD_OPEN_PRELOAD) && kd_store_file_id(m->store, &dev, &ino))
        m->deltas = kd_deltas_join(dev, ino); /* (NULL: read whole after another's commit) */
    return rc;
}

static void uk_clear(kd_model *m);

void kd_model_close(kd_model *m)
{
    if (!m)
        return;
    kd_dedup_free(m->dedup); /* before the store: it commits and finalises statements */
    kd_store_close(m->store);
    kd_deltas_leave(m->deltas);
    kd_tokmap_free(&m->counts);
    kd_tokmap_free(&m->delta);
    kd_tokmap_seen_free(&m->seen);
    kd_tokmap_free(&m->foreign);
    kd_tokmap_free(&m->fdelta);
    kd_tokens_free(&m->tok);
    kd_tokset_free(&m->set);
    kd_posts_cache_release(m->posts);
    kd_posts_learn_free(m);
    uk_clear(m);
    free(m);
}

int kd_model_upgraded_from(const kd_model *m)
{
    return kd_model_usable(m) ? kd_store_upgraded_from(m->store) : 0;
}

int kd_model_upgrade_note(const kd_model *m, const char *path, char *out, size_t len)
{
    int from = kd_model_upgraded_from(m);
    kd_model_stats st;
    if (!from || kd_model_stats_get((kd_model *)m, &st))
        return 0;
    snprintf(out, len, "upgraded model %s from schema %d to %d: an older kindly refuses it from now on (to go back, "
                       "keep a copy made before: README, Upkeep)%s", path, from, st.schema_version,
             from < 4 ? "; its duplicates history could not be kept (comments recorded before are not found as "
                        "duplicates: README, Duplicates, Upgrading)" : "");
    return 1;
}

int kd_model_replaced(kd_model *m)
{
    if (!kd_model_usable(m) || !kd_store_moved(m->store))
        return 0;
    kd_model_flush_history(m); /* (refused, with the rest) */
    kd_store_release_moved(m->store);
    kd_deltas_drop(m->deltas); /* the commits kept for the file's handles: none can write it */
    return 1;
}

int kd_model_refresh(kd_model *m, int *reloaded)
{
    if (reloaded)
        *reloaded = 0;
    if (!kd_model_usable(m))
        return KD_EINVAL;
    int64_t v = kd_store_data_version(m->store);
    if (v == m->data_version)
        return KD_OK;
    if (reloaded)
        *reloaded = 1;
    return load(m);
}

/* Keep a count looked up in a cached handle's map. Tokens the model does not know are kept
 * too (so that a repeated one is not looked up again), so a map may outgrow the model: at
 * the model's size plus CACHE_SLACK it is emptied (comments of random words cannot grow a
 * worker's memory without bound). Out of memory: not kept. */
#define CACHE_SLACK 65536
static void cache(kd_model *m, kd_tokmap *map, uint64_t h, kd_counts v)
{
    if (map->n >= (size_t)(m->totals.vocab > 0 ? m->totals.vocab : 0) + CACHE_SLACK)
        kd_tokmap_clear(map);
    kd_counts *c = kd_tokmap_upsert(map, h);
    if (c)
        *c = v;
}

int kd_model_lookup(kd_model *m, uint64_t h, kd_counts *out)
{
    if (m->preloaded || m->cached) {
        const kd_counts *c = kd_tokmap_get(&m->counts, h);
        if (c || m->preloaded) {
            *out = c ? *c : (kd_counts){ 0, 0 };
            return KD_OK;
        }
    }
    int rc = kd_store_get(m->store, h, out);
    if (rc == KD_ENOTFOUND) {
        *out = (kd_counts){ 0, 0 };
        rc = KD_OK;
    }
    if (rc)
        return kd_model_read_failed(m, rc, "the token counts", kd_store_errmsg(m->store));
    if (m->cached)
        cache(m, &m->counts, h, *out);
    return KD_OK;
}

int kd_model_foreign(kd_model *m, uint64_t h, int64_t *out)
{
    *out = 0;
    if (m->totals.foreign_ham_tokens <= 0)
        return KD_OK;
    if (m->preloaded || m->cached) {
        const kd_counts *c = kd_tokmap_get(&m->foreign, h);
        if (c || m->preloaded) {
            *out = c ? c->ham : 0;
            return KD_OK;
        }
    }
    int rc = kd_store_foreign_get(m->store, h, out);
    if (rc)
        return kd_model_read_failed(m, rc, "the foreign counts", kd_store_errmsg(m->store));
    if (m->cached)
        cache(m, &m->foreign, h, (kd_counts){ 1, *out });
    return KD_OK;
}

int kd_model_has_own_ham(const kd_model *m)
{
    /* its ham tokens are more than their foreign share */
    return kd_model_usable(m) && m->totals.ham_tokens > m->totals.foreign_ham_tokens;
}

int kd_model_stats_get(kd_model *m, kd_model_stats *out)
{
    if (kd_model_usable(m) && !out)
        return kd_model_fail(m, KD_EINVAL, "kd_model_stats_get: out is NULL");
    int rc = kd_model_refresh(m, NULL);
    if (rc)
        return rc;
    /* (a negative total is a damaged file: writes clamp at zero) 0, not wrapped round */
    out->spam_messages = m->totals.spam_messages > 0 ? (uint64_t)m->totals.spam_messages : 0;
    out->ham_messages = m->totals.ham_messages > 0 ? (uint64_t)m->totals.ham_messages : 0;
    /* the count every write keeps in meta ("vocab"), else (a model without it) a count: the
     * totals' own (kd_store_totals) */
    out->tokens = m->totals.vocab > 0 ? (uint64_t)m->totals.vocab : 0;
    out->schema_version = kd_store_schema_version(m->store);
    return KD_OK;
}

static int writable(kd_model *m)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!(m->flags & (KD_OPEN_WRITE | KD_OPEN_CREATE)))
        return kd_model_fail(m, KD_EINVAL, "the model was opened read-only");
    return KD_OK;
}

/* A history batch (kd_history_batch_begin) keeps its write transaction open between calls,
 * and SQLite has one transaction per connection: a write of other tables (training, posts,
 * merge, pack) could not begin its own inside it, nor should it join it (a rollback of one
 * would take the other). So the comments the batch holds are committed first; the batch goes
 * on, its next comment opening a new transaction. Outside a call the connection is in a
 * transaction only for such a batch (every other one ends before its call returns). */
int kd_model_flush_history(kd_model *m)
{
    if (!m->dedup || sqlite3_get_autocommit(kd_store_db(m->store)))
        return KD_OK;
    int rc = kd_history_flush(m);
    if (!rc)
        rc = kd_history_batch_begin(m);
    return rc;
}

/* An undo in a batch of a comment the history says was given that label (model.h, uk). */
struct kd_undo_known {
    char *s[10]; /* the kd_comment's strings, in its order */
    int label;
    int64_t seq; /* its record in the history: the one whose label is taken back */
};

#define UK_FIELDS(c) { &(c)->id, &(c)->post_id, &(c)->parent, &(c)->author, &(c)->email, &(c)->url, \
                       &(c)->ip, &(c)->agent, &(c)->date, &(c)->text }

static void uk_clear(kd_model *m)
{
    for (size_t i = 0; i < m->nuk; i++)
        for (int k = 0; k < 10; k++)
            free(m->uk[i].s[k]);
    free(m->uk);
    m->uk = NULL;
    m->nuk = m->capuk = 0;
}

static void uk_comment(const struct kd_undo_known *u, kd_comment *c)
{
    *c = (kd_comment)KD_COMMENT_INIT;
    const char **f[10] = UK_FIELDS(c);
    for (int k = 0; k < 10; k++)
        *f[k] = u->s[k];
}

/* An undo of c as label, in the batch: if the history says c was given that label (feedback:
 * kd_feedback, learn --raw --id, the server), keep a copy to mark the label taken back when the
 * batch is written. Without it a later undo of the label by feedback, or a relabel, would
 * take the comment's counts back a second time, from the other comments sharing its words. */
static int uk_note(kd_model *m, const kd_comment *c, kd_label label)
{
    int before = KD_UNLABELLED;
    int64_t seq = 0;
    int rc = kd_dedup_label(m, c, 0, (int)label, &before, &seq);
    /* taken back already (by feedback's undo, or by an undo of its text under a mistyped id):
     * the counts of that learning are gone, and others' would be taken in their place */
    if (!rc && before == KD_HIST_UNDONE)
        return kd_model_fail(m, KD_EINVAL, "cannot unlearn comment %s as %s: the history has the learning of its text "
                                           "taken back already (a learning by train alone is unlearnt by a row "
                                           "without its id)",
                             c->id ? c->id : "(no id)", label == KD_SPAM ? "spam" : "ham");
    if (rc || before != (int)label)
        return rc;
    /* twice in one undo (the same row, or a mistyped id's and the right one's): its label is
     * taken back once, the counts twice (checked as ever) */
    for (size_t i = 0; i < m->nuk; i++)
        if (m->uk[i].seq == seq)
            return KD_OK;
    if (m->nuk == m->capuk) {
        size_t cap = m->capuk ? m->capuk * 2 : 4;
        struct kd_undo_known *u = realloc(m->uk, cap * sizeof *u);
        if (!u)
            return kd_model_fail(m, KD_ENOMEM, "out of memory");
        m->uk = u;
        m->capuk = cap;
    }
    struct kd_undo_known *u = &m->uk[m->nuk];
    const char *const *f[10] = UK_FIELDS(c);
    memset(u, 0, sizeof *u);
    u->label = (int)label;
    u->seq = seq;
    int oom = 0;
    for (int k = 0; k < 10; k++)
        oom |= *f[k] && !(u->s[k] = strdup(*f[k]));
    m->nuk++; /* (freed whole by uk_clear, a failed copy's strings too) */
    return oom ? kd_model_fail(m, KD_ENOMEM, "out of memory") : KD_OK;
}

int kd_train_begin(kd_model *m)
{
    int rc = writable(m);
    if (rc)
        return rc;
    if (m->training) /* clearing it would drop what the open batch holds, without a word */
        return kd_model_fail(m, KD_EINVAL, "a training batch is open already (commit or abort it first)");
    kd_tokmap_clear(&m->delta);
    kd_tokmap_clear(&m->fdelta);
    kd_posts_learn_free(m);
    memset(&m->dtotals, 0, sizeof m->dtotals);
    m->undoing = 0;
    uk_clear(m);
    m->training = 1;
    return KD_OK;
}

int kd_train_add(kd_model *m, const kd_comment *c, kd_label label, int delta)
{
    return kd_train_add_ex(m, c, label, delta, 0);
}

/* An undo takes back what learning the comment with the same label added: refused when the
 * model has not that much to take (the comment was not learnt with this label, or was undone
 * already), read from the file as it is now with the batch's earlier comments counted: no
 * comment of the label left to unlearn, or a word of the comment with no count of the label
 * left, beyond what pruning can have dropped (kd_store_prune_slack: a word pruned at N had
 * at most N - 1). Before anything of the comment is added; check_before checks the batch
 * again in the transaction that writes it. */
static int undo_check(kd_model *m, const kd_tokset *set, kd_label label)
{
    kd_totals t;
    int64_t slack = 0;
    int rc = kd_store_totals(m->store, &t);
    if (!rc)
        rc = kd_store_prune_slack(m->store, &slack);
    if (rc)
        return kd_model_read_failed(m, rc, "the counts", kd_store_errmsg(m->store));
    int spam = label == KD_SPAM;
    const char *name = spam ? "spam" : "ham";
    int64_t left = spam ? t.spam_messages + m->dtotals.spam_messages : t.ham_messages + m->dtotals.ham_messages;
    if (left < 1)
        return kd_model_fail(m, KD_EINVAL, "cannot unlearn this comment as %s: the model has no %s comment left to "
                                           "take back, so it was not learnt as %s (or was undone already)",
                             name, name, name);
    for (size_t i = 0; i < set->n; i++) {
        uint64_t h = m->tok.hash[set->idx[i]];
        kd_counts c;
        if ((rc = kd_store_get(m->store, h, &c)) == KD_ENOTFOUND) {
            c = (kd_counts){ 0, 0 };
            rc = KD_OK;
        }
        if (rc)
            return kd_model_read_failed(m, rc, "the token counts", kd_store_errmsg(m->store));
        const kd_counts *d = kd_tokmap_get(&m->delta, h);
        int64_t have = spam ? c.spam + (d ? d->spam : 0) : c.ham + (d ? d->ham : 0);
        if (have + slack >= 1)
            continue;
        /* a model pruned by a kindly that kept no prune_slack: the word may be one pruning
         * dropped, and "not learnt" would be the wrong answer; the counts its tokens lack
         * against the label's total tell that something was dropped */
        int64_t lost = 0;
        if (!slack && (rc = kd_store_tokens_short(m->store, spam, &lost)))
            return kd_model_read_failed(m, rc, "the token counts", kd_store_errmsg(m->store));
        char quoted[1024];
        if (lost)
            return kd_model_fail(m, KD_EINVAL, "cannot unlearn this comment as %s: its word \"%s\" has no %s count "
                                               "left to take back, and this model was pruned by a kindly that did not "
                                               "record it (no prune_slack in its meta table), so a word pruning "
                                               "dropped cannot be told from one never learnt; if it was pruned at N "
                                               "(--prune N), record that, sqlite3 %s \"INSERT INTO meta(key, "
                                               "value) VALUES('prune_slack', N - 1)\", and undo again",
                                 name, kd_tokens_str(&m->tok, set->idx[i]), name, shell_path(m, quoted, sizeof quoted));
        return kd_model_fail(m, KD_EINVAL, "cannot unlearn this comment as %s: its word \"%s\" has no %s count "
                                           "left to take back, so it was not learnt as %s (or was undone already)",
                             name, kd_tokens_str(&m->tok, set->idx[i]), name, name);
    }
    return KD_OK;
}

/* A comment of n distinct tokens learnt (delta 1) or taken back (-1) in the batch's totals. */
static void add_totals_of(kd_model *m, kd_label label, int delta, int foreign, size_t n)
{
    if (label == KD_SPAM) {
        m->dtotals.spam_messages += delta;
        m->dtotals.spam_tokens += delta * (int64_t)n;
    } else {
        m->dtotals.ham_messages += delta;
        m->dtotals.ham_tokens += delta * (int64_t)n;
        if (foreign)
            m->dtotals.foreign_ham_tokens += delta * (int64_t)n;
    }
}

int kd_train_add_ex(kd_model *m, const kd_comment *c, kd_label label, int delta, unsigned flags)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!m->training)
        return kd_model_fail(m, KD_EINVAL, "kd_train_add outside kd_train_begin/commit");
    /* as kd_classify: a comment without a text is a caller's mistake, not an empty comment
     * (an empty text with an author or a link is one, and is learnt) */
    if (!c || !c->text)
        return kd_model_no_text(m, "kd_train_add", c);
    if (flags & ~(unsigned)KD_TRAIN_FOREIGN)
        return kd_model_fail(m, KD_EINVAL, "unknown training flags 0x%x", flags);
    if (label != KD_SPAM && label != KD_HAM)
        return kd_model_fail(m, KD_EINVAL, "a comment must be labelled spam or ham to be learnt");
    /* a foreign ham comment counts for the spam stage but is not this site's language */
    int foreign = (flags & KD_TRAIN_FOREIGN) && label == KD_HAM;
    if (delta != 1 && delta != -1)
        return kd_model_fail(m, KD_EINVAL, "delta must be +1 or -1");
    kd_tokens_clear(&m->tok);
    if (kd_tokenize(c, &m->topt, &m->tok))
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    int64_t dspam = label == KD_SPAM ? delta : 0, dham = label == KD_SPAM ? 0 : delta;
    /* most comments need no set of their distinct tokens (for an undo's check, the content
     * words of a foreign comment or of an approved one's post): each is counted once as it
     * is met */
    int post = label == KD_HAM && !foreign && c->post_id && *c->post_id;
    if (!foreign && !post && (delta > 0 || m->fb_unchecked)) {
        ptrdiff_t n = kd_tokmap_add_once(&m->delta, &m->seen, m->tok.hash, m->tok.n, dspam, dham);
        if (n < 0)
            return kd_model_fail(m, KD_ENOMEM, "out of memory");
        m->undoing |= delta < 0;
        add_totals_of(m, label, delta, 0, (size_t)n);
        return KD_OK;
    }
    kd_tokset *set = &m->set;
    if (kd_tokset_build(set, &m->tok))
        return kd_model_fail(m, KD_ENOMEM, "out of memory");
    int rc = delta < 0 && !m->fb_unchecked ? undo_check(m, set, label) : KD_OK;
    /* an undo of a comment given that label as feedback takes the label back too (foreign
     * comments are not recorded in the history; kd_feedback marks its own) */
    if (!rc && delta < 0 && !m->fb_unchecked && !(flags & KD_TRAIN_FOREIGN))
        rc = uk_note(m, c, label);
    if (rc)
        return rc;
    m->undoing |= delta < 0;
    for (size_t i = 0; i < set->n; i++) {
        kd_counts *k = kd_tokmap_upsert(&m->delta, m->tok.hash[set->idx[i]]);
        if (!k)
            return kd_model_fail(m, KD_ENOMEM, "out of memory");
        k->spam += dspam;
        k->ham += dham;
        /* of a foreign comment, the content words: the only tokens relevance looks up */
        if (foreign && kd_content_word(kd_tokens_str(&m->tok, set->idx[i]), m->tok.hash[set->idx[i]])) {
            kd_counts *f = kd_tokmap_upsert(&m->fdelta, m->tok.hash[set->idx[i]]);
            if (!f)
                return kd_model_fail(m, KD_ENOMEM, "out of memory");
            f->ham += delta;
        }
    }
    /* approved here: part of its post's model (a foreign comment's post is another site's) */
    if (post && (rc = kd_posts_learn(m, c, delta)))
        return rc;
    add_totals_of(m, label, delta, foreign, set->n);
    return KD_OK;
}

/* Feedback taking back a label the history knows (a relabel, or an undo of that label) takes
 * it as far as the counts have it, never refused: the site's own ham it takes comes from a
 * word's own ham, its ham less its foreign share. A word pruned and brought back by foreign
 * comments alone has none of the comment's ham left; taking its foreign ham would leave more
 * foreign ham than ham. (An undo checked by the counts is refused so, by write_also.) */
static int cap_own_ham(kd_model *m)
{
    int rc = KD_OK;
    for (size_t i = 0; i < m->delta.cap && !rc; i++) {
        kd_counts *d = &m->delta.vals[i], c;
        uint64_t h = m->delta.keys[i];
        if (!h || d->ham >= 0)
            continue;
        const kd_counts *fd = kd_tokmap_get(&m->fdelta, h);
        int64_t take = -(d->ham - (fd ? fd->ham : 0)), f = 0;
        if (take <= 0 || (rc = kd_store_foreign_get(m->store, h, &f)) || !f)
            continue;
        if ((rc = kd_store_get(m->store, h, &c)) == KD_ENOTFOUND) {
            rc = KD_OK;
            continue;
        }
        int64_t excess = take - (c.ham > f ? c.ham - f : 0);
        if (!rc && excess > 0)
            d->ham += excess;
    }
    return rc ? kd_model_read_failed(m, rc, "the foreign counts", kd_store_errmsg(m->store)) : KD_OK;
}

/* Checked in the transaction of the token counts, before they are written: an undo must
 * take back the comments as they were learnt, foreign or the site's own, or the foreign
 * share of the counts no longer matches the ham (every relevance score would be off, and
 * the posts' models would keep or lose words). Undone as foreign, comments learnt as the
 * site's own take foreign counts their words do not have. Refused, nothing written. */
static int check_before(void *model)
{
    kd_model *m = model;
    /* the counts before this batch, for add_own (unread: they are read whole after it) */
    if (m->preloaded && kd_store_totals(m->store, &m->own_before))
        m->own_before.generation = -1;
    int64_t bad = 0;
    int rc = m->dtotals.foreign_ham_tokens < 0 ? kd_store_foreign_mismatch(m->store, &m->fdelta, 1, &bad) : KD_OK;
    if (rc)
        return kd_model_read_failed(m, rc, "the foreign counts", kd_store_errmsg(m->store));
    if (bad) {
        /* or pruned by a kindly that kept no prune_slack (undo_check): say that too */
        int64_t slack = 0, lost = 0;
        char quoted[1024];
        if ((rc = kd_store_prune_slack(m->store, &slack)) || (!slack && (rc = kd_store_tokens_short(m->store, 0, &lost))))
            return kd_model_read_failed(m, rc, "the counts", kd_store_errmsg(m->store));
        return kd_model_fail(m, KD_EINVAL, "these comments were not learnt as foreign: %lld of their words have "
                                           "fewer foreign counts than the undo takes away; undo them without "
                                           "--foreign (KD_TRAIN_FOREIGN)%s%s%s", (long long)bad,
                             lost ? "; or this model was pruned by a kindly that did not record it (no prune_slack "
                                    "in its meta table): if it was pruned at N (--prune N), record that, sqlite3 "
                                  : "",
                             lost ? shell_path(m, quoted, sizeof quoted) : "",
                             lost ? " \"INSERT INTO meta(key, value) VALUES('prune_slack', N - 1)\", and undo again" : "");
    }
    if (m->fb_unchecked && m->undoing && (rc = cap_own_ham(m)))
        return rc;
    /* an undo takes no more than the model has (undo_check, again in this transaction: another
     * writer may have unlearnt the same comments meanwhile), whether or not the batch's
     * other comments leave it fewer comments of a label */
    if (!m->fb_unchecked && m->undoing) {
        kd_totals t;
        int64_t slack = 0;
        if ((rc = kd_store_totals(m->store, &t)) || (rc = kd_store_prune_slack(m->store, &slack)))
            return kd_model_read_failed(m, rc, "the counts", kd_store_errmsg(m->store));
        if (t.spam_messages + m->dtotals.spam_messages < 0 || t.ham_messages + m->dtotals.ham_messages < 0)
            bad = 1;
        for (size_t i = 0; i < m->delta.cap && !bad; i++) {
            const kd_counts *d = &m->delta.vals[i];
            kd_counts c;
            if (!m->delta.keys[i] || (d->spam >= 0 && d->ham >= 0))
                continue;
            if ((rc = kd_store_get(m->store, m->delta.keys[i], &c)) == KD_ENOTFOUND) {
                c = (kd_counts){ 0, 0 };
                rc = KD_OK;
            }
            if (rc)
                return kd_model_read_failed(m, rc, "the token counts", kd_store_errmsg(m->store));
            bad = c.spam + d->spam + slack < 0 || c.ham + d->ham + slack < 0;
        }
        if (bad)
            return kd_model_fail(m, KD_EINVAL, "cannot unlearn these comments: the model has fewer counts than the "
                                               "undo takes back, so they were not all learnt with this label (or "
                                               "were undone already)");
    }
    return KD_OK;
}

/* Written with the token counts, in their transaction: the words of approved comments per
 * post, then the foreign share of the ham counts; then the other half of the undo check:
 * undone as the site's own, comments learnt as foreign leave more foreign ham than ham. */
static int write_also(void *model)
{
    kd_model *m = model;
    int rc = kd_posts_learn_write(m);
    if (rc)
        return rc;
    if ((rc = kd_store_foreign_apply(m->store, &m->fdelta)))
        return kd_model_fail(m, rc, "cannot write the foreign counts: %s", kd_store_errmsg(m->store));
    /* feedback (kd_feedback): the comment's label checked and written in this transaction */
    if (m->fb_comment && (rc = kd_dedup_feedback_write(m, m->fb_comment, m->fb_expect, m->fb_label, m->fb_undo)))
        return rc;
    /* the labels the batch's undos take back (uk_note) */
    for (size_t i = 0; i < m->nuk; i++) {
        kd_comment c;
        uk_comment(&m->uk[i], &c);
        if ((rc = kd_dedup_feedback_write(m, &c, m->uk[i].label, KD_HIST_UNDONE, m->uk[i].label))) {
            if (m->fb_raced) {
                m->fb_raced = 0;
                return kd_model_fail(m, rc, "comment %s was given feedback while this undo ran (its label changed "
                                            "meanwhile): nothing written; undo again", c.id ? c.id : "(no id)");
            }
            return rc;
        }
    }
    kd_totals t;
    int64_t bad = 0;
    if (m->dtotals.ham_tokens < 0 && !m->fb_unchecked) {
        if ((rc = kd_store_foreign_mismatch(m->store, &m->delta, 0, &bad)))
            return kd_model_read_failed(m, rc, "the foreign counts", kd_store_errmsg(m->store));
        if (bad || (!kd_store_totals(m->store, &t) && t.foreign_ham_tokens > t.ham_tokens))
            return kd_model_fail(m, KD_EINVAL, "unlearning these comments would leave more foreign ham than ham%s: "
                                               "either they were learnt as foreign (train --foreign: undo them as "
                                               "such, learn --undo --foreign) or they were already undone",
                                 bad ? " for some of their words" : "");
    }
    /* what the batch leaves, for add_own (unread: the counts are read whole after it) */
    if (m->preloaded && kd_store_totals(m->store, &m->own_after))
        m->own_after.generation = -1;
    return KD_OK;
}

int kd_train_commit(kd_model *m)
{
    if (!kd_model_usable(m))
        return KD_EINVAL;
    if (!m->training)
        return kd_model_fail(m, KD_EINVAL, "no training batch is open");
    m->training = 0;
    m->err[0] = '\0';
    int rc = kd_model_flush_history(m);
    if (rc) {
        kd_train_abort(m);
        return rc;
    }
    /* the words of approved comments per post and the foreign counts are written in the
     * same transaction */
    m->own_before.generation = m->own_after.generation = -1;
    rc = kd_store_apply(m->store, &m->delta, &m->dtotals, check_before, write_also, m);
    if (!rc)
        add_own(m);
    uk_clear(m);
    kd_tokmap_clear(&m->delta);
    kd_tokmap_clear(&m->fdelta);
    int posts_changed = kd_posts_learn_done(m, rc);
    if (rc)
        return m->err[0] ? rc : kd_model_write_failed(m, rc, "write the counts", kd_store_errmsg(m->store));
    if ((rc = load(m)))
        return rc;
    /* a post's words changed: the next process reads the new posts cache from the file */
    if (posts_changed)
        kd_posts_cache_keep(m);
    return KD_OK;
}

void kd_train_abort(kd_model *m)
{
    if (!m)
        return;
    m->training = 0;
    kd_tokmap_clear(&m->delta);
    kd_tokmap_clear(&m->fdelta);
    kd_posts_learn_free(m);
    uk_clear(m);
}

int kd_model_merge(kd_model *m, const char *path)
{
    return kd_model_merge_all(m, &path, 1);
}

int kd_model_merge_all(kd_model *m, const char *const *paths, size_t n)
{
    return kd_model_merge_ex(m, paths, n, 0);
}

int kd_model_merge_ex(kd_model *m, const char *const *paths, size_t n, unsigned flags)
{
    int rc = writable(m);
    if (rc || (rc = kd_model_flush_history(m)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!paths || !paths[i] || !*paths[i])
            return kd_model_fail(m, KD_EINVAL, "no input model path given");
    if (flags & ~KD_MERGE_AGAIN)
        return kd_model_fail(m, KD_EINVAL, "unknown merge flags %#x", flags & ~KD_MERGE_AGAIN);
    if ((rc = kd_store_merge(m->store, paths, n, (flags & KD_MERGE_AGAIN) != 0)))
        /* the output named for a failed write (also one that waited out the busy timeout
         * for another process's write lock: it said only "cannot merge: database is
         * locked") and out of memory (no file's fault: reading an input too, "cannot read
         * IN: out of memory"), not for an input's own fault */
        return rc == KD_EIO || rc == KD_EBUSY ? kd_model_write_failed(m, rc, "merge", kd_store_errmsg(m->store))
               : rc == KD_ENOMEM
                   ? kd_model_fail(m, rc, "cannot merge in model %s: %s", kd_store_path(m->store),
                                   kd_store_errmsg(m->store))
                   : kd_model_fail(m, rc, "cannot merge: %s", kd_store_errmsg(m->store));
    /* load() reads the posts generation the merge bumped if it wrote posts or their words:
     * this handle's posts cache is rebuilt, and kept in the file for the next process */
    int64_t before = m->posts_generation;
    if ((rc = load(m)))
        return rc;
    if (m->posts_generation != before)
        kd_posts_cache_keep(m);
    return KD_OK;
}

void kd_model_interrupt(kd_model *m)
{
    if (m && m->store) /* (nothing else: called from a signal handler) */
        kd_store_interrupt(m->store);
}

int kd_model_prune(kd_model *m, unsigned min_count, uint64_t *removed)
{
    int rc = writable(m);
    if (rc)
        return rc;
    int64_t n = 0;
    if ((rc = kd_model_flush_history(m)))
        return rc;
    if ((rc = kd_store_prune(m->store, min_count, &n)))
        return kd_model_write_failed(m, rc, "prune the tokens", kd_store_errmsg(m->store));
    if (removed)
        *removed = (uint64_t)n;
    return load(m);
}

int kd_model_pack(kd_model *m)
{
    int rc = writable(m);
    if (rc)
        return rc;
    if ((rc = kd_model_flush_history(m)))
        return rc;
    rc = kd_store_pack(m->store);
    if (rc == KD_EBUSY)
        return kd_model_fail(m, rc, "cannot pack %s while another process, or another handle of this one, has "
                             "it open (stop kindly serve and any other kindly using it, close the other "
                             "handles, then pack again)", kd_store_path(m->store));
    if (rc)
        return kd_model_write_failed(m, rc, "pack", kd_store_errmsg(m->store));
    return KD_OK;
}

int kd_model_remove_if_empty(kd_model *m, int *removed)
{
    *removed = 0;
    sqlite3 *db = kd_store_db(m->store);
    if (m->training || kd_model_flush_history(m) || !sqlite3_get_autocommit(db))
        return kd_model_fail(m, KD_EINVAL, "a transaction is open on the model");
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return kd_model_fail(m, KD_EBUSY, "cannot lock model %s: %s", kd_store_path(m->store), sqlite3_errmsg(db));
    if (!kd_store_moved(m->store) && kd_store_is_empty(m->store) == 1) {
        static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
        const char *path = kd_store_path(m->store);
        size_t n = strlen(path) + 9;
        char *p = malloc(n);
        *removed = p != NULL;
        for (size_t i = 0; p && i < sizeof sfx / sizeof *sfx; i++) {
            snprintf(p, n, "%s%s", path, sfx[i]);
            unlink(p);
        }
        free(p);
        /* the -wal and -shm are gone: closing must not delete files of those names, which
         * a new model at this path may have made by then */
        int persist = 1;
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return KD_OK;
}
