/*
 * deltas.c - the commits of counts a handle made, kept for the other handles of this process
 * on the same model file.
 *
 * A server's worker handles each hold every count of the model (KD_OPEN_PRELOAD). When one
 * of them commits a moderator's report, it adds what it wrote to what it holds (model.c,
 * add_own), but the others saw only that the file's generation moved, and each read every
 * count again: on the shipped model (29,644 tokens), 25.6 M instructions a handle, 77 M for
 * the other three handles of a 4-thread server after one feedback whose own request cost
 * 1.8 M. So the committing handle also leaves its delta here, with the file's totals before
 * and after its transaction, and another handle whose counts were read with the first takes
 * it instead (model.c, load).
 *
 * The totals are the one proof of the counts' state kindly has: every writer of counts, and of
 * posts, moves the generation in its transaction, so within one history of the file a chain of
 * kept commits from the totals a handle holds to the file's is exactly the commits made in
 * between, and any commit not kept here (another process's, one that wrote foreign shares, one
 * evicted) breaks the chain: the handle reads whole, as before. But a file can go back: an
 * older copy written over it in place (sqlite3's .restore, a backup put back) runs its
 * generations again, over other counts, and a generation then names two states. So a link
 * holds only where every total is equal (messages, tokens, vocabulary, foreign share and
 * generation: the fingerprint a merge knows an older model by, store.c), at each end of the
 * chain and between its commits; and a commit whose generations overlap a kept one's, which
 * one history cannot have (its writers are serialised, and each moves the generation), drops
 * the commits kept before it. What this cannot tell apart is a file that went back to a state
 * of equal totals and other counts: model.c's own reading of a change cannot either.
 *
 * Per file (device and inode), reference-counted by the handles that joined it, as the
 * posts caches are (posts.c): the entry goes with the last handle, before the inode can be
 * reused by another file whose generations would mean other counts; its commits go as soon
 * as a handle learns that the file was removed or replaced (kd_deltas_drop), and the
 * handles that still have it open read whole (they cannot write it). The last KEEP commits
 * are kept, each of at most MAX_TOKENS tokens (a feedback is a comment's tokens: hundreds),
 * in a ring; everything under one mutex, held for a copy or for applying a few hundred
 * counts.
 */
#include "deltas.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEEP 8
#define MAX_TOKENS 65536

typedef struct {
    kd_totals before, after; /* the file's totals before and after the commit */
    int kept;                /* 0: a free slot */
    kd_tokmap delta;
} commit;

struct kd_deltas {
    uint64_t dev, ino;
    int refs;
    int dropped; /* kd_deltas_drop: out of files, nothing kept */
    size_t next; /* the slot the next commit takes */
    commit ring[KEEP];
    kd_deltas *link;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static kd_deltas *files; /* joined, linked by link */

/* (kd_totals is seven int64_t: no padding) */
static int same(const kd_totals *a, const kd_totals *b) { return !memcmp(a, b, sizeof *a); }

/* Take d out of files (under the lock). */
static void unlink_file(kd_deltas *d)
{
    for (kd_deltas **p = &files; *p; p = &(*p)->link)
        if (*p == d) {
            *p = d->link;
            break;
        }
}

kd_deltas *kd_deltas_join(uint64_t dev, uint64_t ino)
{
    pthread_mutex_lock(&lock);
    kd_deltas *d = files;
    while (d && (d->dev != dev || d->ino != ino))
        d = d->link;
    if (!d && (d = calloc(1, sizeof *d))) {
        d->dev = dev;
        d->ino = ino;
        d->link = files;
        files = d;
    }
    if (d)
        d->refs++;
    pthread_mutex_unlock(&lock);
    return d;
}

void kd_deltas_leave(kd_deltas *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&lock);
    int last = --d->refs == 0;
    if (last)
        unlink_file(d);
    pthread_mutex_unlock(&lock);
    if (!last)
        return;
    for (size_t i = 0; i < KEEP; i++)
        kd_tokmap_free(&d->ring[i].delta);
    free(d);
}

void kd_deltas_drop(kd_deltas *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&lock);
    if (!d->dropped) {
        d->dropped = 1;
        unlink_file(d);
        for (size_t i = 0; i < KEEP; i++) {
            d->ring[i].kept = 0;
            kd_tokmap_free(&d->ring[i].delta);
        }
    }
    pthread_mutex_unlock(&lock);
}

size_t kd_deltas_kept(kd_deltas *d)
{
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; d && i < KEEP; i++)
        n += d->ring[i].kept != 0;
    pthread_mutex_unlock(&lock);
    return n;
}

void kd_deltas_publish(kd_deltas *d, const kd_totals *before, const kd_totals *after, const kd_tokmap *delta)
{
    if (!d || before->generation < 0 || after->generation <= before->generation || delta->n > MAX_TOKENS)
        return;
    pthread_mutex_lock(&lock);
    commit *c = &d->ring[d->next];
    if (d->refs < 2 || d->dropped)
        goto done;
    /* generations that overlap a kept commit's: the file went back (an older copy written
     * over it), and what was kept is of another history (the tables stay, for reuse) */
    for (size_t i = 0; i < KEEP; i++)
        if (d->ring[i].kept && before->generation < d->ring[i].after.generation &&
            d->ring[i].before.generation < after->generation) {
            for (size_t k = 0; k < KEEP; k++)
                d->ring[k].kept = 0;
            break;
        }
    /* the slot's table is reused when it is large enough (the commits of a server are
     * alike), else replaced; short of memory, the slot is left free and the chain broken */
    c->kept = 0;
    if (c->delta.cap != delta->cap) {
        kd_tokmap_free(&c->delta);
        c->delta.keys = delta->cap ? malloc(delta->cap * sizeof *delta->keys) : NULL;
        c->delta.vals = delta->cap ? malloc(delta->cap * sizeof *delta->vals) : NULL;
        if (delta->cap && (!c->delta.keys || !c->delta.vals)) {
            kd_tokmap_free(&c->delta);
            goto done;
        }
        c->delta.cap = delta->cap;
    }
    if (delta->cap) {
        memcpy(c->delta.keys, delta->keys, delta->cap * sizeof *delta->keys);
        memcpy(c->delta.vals, delta->vals, delta->cap * sizeof *delta->vals);
    }
    c->delta.n = delta->n;
    c->before = *before;
    c->after = *after;
    c->kept = 1;
    d->next = (d->next + 1) % KEEP;
done:
    pthread_mutex_unlock(&lock);
}

/* The kept commit that starts from the totals t, or NULL (at most one: two would overlap). */
static const commit *starting_at(const kd_deltas *d, const kd_totals *t)
{
    for (size_t i = 0; i < KEEP; i++)
        if (d->ring[i].kept && same(&d->ring[i].before, t))
            return &d->ring[i];
    return NULL;
}

int kd_deltas_apply(kd_deltas *d, const kd_totals *held, const kd_totals *now, kd_tokmap *counts)
{
    if (!d || held->generation < 0 || now->generation <= held->generation)
        return 0;
    pthread_mutex_lock(&lock);
    const commit *chain[KEEP];
    size_t n = 0, tokens = 0;
    for (const kd_totals *t = held; !same(t, now); t = &chain[n++]->after) {
        if (n == KEEP || !(chain[n] = starting_at(d, t)) || chain[n]->after.generation > now->generation)
            break;
        tokens += chain[n]->delta.n;
    }
    int whole = n && same(&chain[n - 1]->after, now) && !kd_tokmap_reserve(counts, counts->n + tokens);
    for (size_t i = 0; whole && i < n; i++)
        kd_tokmap_apply(counts, &chain[i]->delta);
    pthread_mutex_unlock(&lock);
    return whole;
}
