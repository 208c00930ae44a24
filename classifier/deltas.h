/*
 * deltas.h - the commits of counts a handle made, kept for the other handles of this process
 * on the same model file (internal).
 */
#ifndef KD_DELTAS_H
#define KD_DELTAS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "tokmap.h"

typedef struct kd_deltas kd_deltas;

/* The deltas of the file of device dev and inode ino, shared by the handles that joined it
 * (reference-counted): NULL when out of memory (the handle then reads every count whole
 * after another's commit, as without). A handle joins only while it has the file open, so
 * that the inode cannot name another file meanwhile. NULL is left alone. */
kd_deltas *kd_deltas_join(uint64_t dev, uint64_t ino);
void kd_deltas_leave(kd_deltas *d);

/* The file was removed, or another moved over its path: its commits are dropped now, for
 * every handle that joined it, and none is kept or applied from then on (they read whole);
 * a handle that opens the path joins the new file's. NULL is left alone. */
void kd_deltas_drop(kd_deltas *d);

/* A commit that took the file's totals from `before` to `after` (every total, the
 * generation among them, read in its write transaction: nothing else changed the counts in
 * between, and it wrote no foreign share) by adding delta, copied for the others; not when
 * no other handle joined, when delta is larger than the others would rather read whole, or
 * out of memory (they read whole). A commit whose generations overlap a kept one's shows
 * that the file went back to an earlier generation (an older copy written over it): the
 * commits kept before it are dropped. */
void kd_deltas_publish(kd_deltas *d, const kd_totals *before, const kd_totals *after, const kd_tokmap *delta);

/* Bring counts read with the totals `held` to the file's totals `now` by the chain of
 * commits published between them, applied in order (kd_tokmap_apply): 1 when done; 0 when
 * no chain of kept commits leads from exactly `held` to exactly `now`, every total equal at
 * each link (another process's or a foreign commit, more than the last few, a file that
 * went back to another history of its generations), or when memory for the new tokens
 * cannot be reserved, and then counts are unchanged. */
int kd_deltas_apply(kd_deltas *d, const kd_totals *held, const kd_totals *now, kd_tokmap *counts);

/* The number of commits kept (tests). */
size_t kd_deltas_kept(kd_deltas *d);

#endif
