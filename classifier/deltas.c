/*
 * deltas.c - the commits of counts a handle made, kept for the other handles of this process
 * on the same model file.
 *
 * A server's worker handles each hold every count of the model (KD_OPEN_PRELOAD). When one
 * of them commits a moderator's report, it adds what it wrote to what it holds (model.c,
 * add_own), but the others saw only that the file's generation moved, and each read every
 * count again: on the shipped model (29,644 tokens), 25.6 M instructions a handle, 77 M for
 * the other three handles of a 4-thread server after one feedback whose own request cost
 * 1.8 M. So the committing handle also leaves its delta here, with the generation before
 * and after its transaction, and another handle whose counts stand at the first takes it
 * instead (model.c, load). The generation is the one proof of the counts' state kindly
 * has (every writer of counts, and of posts, moves it in its transaction), so a chain of
 * deltas from the generation a handle holds to the one the file is at is exactly the
 * commits made in between: any commit not kept here (another process's, one that wrote
 * foreign shares, one evicted) breaks the chain and the handle reads whole, as before.
 *
 * Per file (device and inode), reference-counted by the handles that joined it, as the
 * posts caches are (posts.c): the entry goes with the last handle, before the inode can be
 * reused by another file whose generations would mean other counts. The last KEEP commits
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
    int64_t from, to; /* the generation before and after the commit; from < 0: free */
    kd_tokmap delta;
} commit;

struct kd_deltas {
    uint64_t dev, ino;
    int refs;
    size_t next; /* the slot the next commit takes */
    commit ring[KEEP];
    kd_deltas *link;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static kd_deltas *files; /* joined, linked by link */

kd_deltas *kd_deltas_join(uint64_t dev, uint64_t ino)
{
    pthread_mutex_lock(&lock);
    kd_deltas *d = files;
    while (d && (d->dev != dev || d->ino != ino))
        d = d->link;
    if (!d && (d = calloc(1, sizeof *d))) {
        d->dev = dev;
        d->ino = ino;
        for (size_t i = 0; i < KEEP; i++)
            d->ring[i].from = -1;
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
        for (kd_deltas **p = &files; *p; p = &(*p)->link)
            if (*p == d) {
                *p = d->link;
                break;
            }
    pthread_mutex_unlock(&lock);
    if (!last)
        return;
    for (size_t i = 0; i < KEEP; i++)
        kd_tokmap_free(&d->ring[i].delta);
    free(d);
}

void kd_deltas_publish(kd_deltas *d, int64_t from, int64_t to, const kd_tokmap *delta)
{
    if (!d || from < 0 || to <= from || delta->n > MAX_TOKENS)
        return;
    pthread_mutex_lock(&lock);
    commit *c = &d->ring[d->next];
    if (d->refs < 2)
        goto done;
    /* the slot's table is reused when it is large enough (the commits of a server are
     * alike), else replaced; short of memory, the slot is left free and the chain broken */
    c->from = -1;
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
    c->from = from;
    c->to = to;
    d->next = (d->next + 1) % KEEP;
done:
    pthread_mutex_unlock(&lock);
}

/* The kept commit that starts at generation g, or NULL. */
static const commit *starting_at(const kd_deltas *d, int64_t g)
{
    for (size_t i = 0; i < KEEP; i++)
        if (d->ring[i].from == g)
            return &d->ring[i];
    return NULL;
}

int kd_deltas_apply(kd_deltas *d, int64_t from, int64_t to, kd_tokmap *counts)
{
    if (!d || from < 0 || to <= from)
        return 0;
    pthread_mutex_lock(&lock);
    const commit *chain[KEEP];
    size_t n = 0, tokens = 0;
    for (int64_t g = from; g != to; g = chain[n++]->to) {
        if (n == KEEP || !(chain[n] = starting_at(d, g)) || chain[n]->to > to)
            break;
        tokens += chain[n]->delta.n;
    }
    int whole = n && chain[n - 1]->to == to && !kd_tokmap_reserve(counts, counts->n + tokens);
    for (size_t i = 0; whole && i < n; i++)
        kd_tokmap_apply(counts, &chain[i]->delta);
    pthread_mutex_unlock(&lock);
    return whole;
}
