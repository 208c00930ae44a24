/*
 * pool.h - the server's model handles: one per worker thread, lent out per request
 * (internal to the server).
 *
 * A kd_model is not thread-safe (it owns a SQLite connection and scratch buffers), but
 * distinct handles on one file are independent. The pool opens one handle per worker at
 * start-up and lends one for the duration of a request under a mutex.
 */
#ifndef KD_SRV_POOL_H
#define KD_SRV_POOL_H

#include <pthread.h>
#include <stddef.h>

#include "kindly.h"

typedef struct srv_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    kd_model **all;   /* every handle, for pool_close */
    kd_model **idle;  /* a stack of the handles not lent out */
    size_t n, nidle;
    char *path;       /* the model's path, for the message when it is replaced */
    int replaced;     /* that message was written */
} srv_pool;

/* Open n handles on path with flags. 0, or a KD_E* code with err filled in. */
int pool_open(srv_pool *p, const char *path, unsigned flags, size_t n, char *err, size_t errlen);
/* Borrow a handle (waits when all are lent out, which the thread pool makes rare) and
 * refresh it so that commits by other processes and threads are seen. */
kd_model *pool_get(srv_pool *p);
void pool_put(srv_pool *p, kd_model *m);
/* Whether the model file was removed or replaced since the handles were opened (said once on
 * stderr, as pool_get says it): the server may no longer write it. Looks with an idle handle,
 * which it does not refresh. */
int pool_replaced(srv_pool *p);
/* kd_classify for a request. When only remembering the comment fails (the model locked by a
 * writer for longer than the busy timeout, a full disk), the comment is classified again
 * without remembering it: the client gets its verdict, and warn says why the comment was
 * not recorded (else warn is ""). The return and *res are kd_classify's. */
int pool_classify(kd_model *m, const kd_comment *c, const kd_options *o, kd_result *res, char *warn,
                  size_t warnlen);
/* Close every handle; none may be lent out. */
void pool_close(srv_pool *p);

#endif
