/*
 * deltas.h - the commits of counts a handle made, kept for the other handles of this process
 * on the same model file (internal).
 */
#ifndef KD_DELTAS_H
#define KD_DELTAS_H

#include <stdint.h>

#include "tokmap.h"

typedef struct kd_deltas kd_deltas;

/* The deltas of the file of device dev and inode ino, shared by the handles that joined it
 * (reference-counted): NULL when out of memory (the handle then reads every count whole
 * after another's commit, as without). A handle joins only while it has the file open, so
 * that the inode cannot name another file meanwhile. NULL is left alone. */
kd_deltas *kd_deltas_join(uint64_t dev, uint64_t ino);
void kd_deltas_leave(kd_deltas *d);

/* A commit that took the file's "generation" from `from` to `to` by adding delta (read in
 * its write transaction: nothing else changed the counts in between, and it wrote no foreign
 * share), copied for the others; not when no other handle joined, when delta is larger than
 * the others would rather read whole, or out of memory (they read whole). */
void kd_deltas_publish(kd_deltas *d, int64_t from, int64_t to, const kd_tokmap *delta);

/* Bring counts read at generation `from` to generation `to` by the chain of commits
 * published between them, applied in order (kd_tokmap_apply): 1 when done, 0 when the chain
 * is not all kept here (another process's or a foreign commit, more than the last few) or
 * memory for the new tokens cannot be reserved, and then counts are unchanged. */
int kd_deltas_apply(kd_deltas *d, int64_t from, int64_t to, kd_tokmap *counts);

#endif
