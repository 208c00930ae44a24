/*
 * pool.c - a fixed set of model handles lent out under a mutex.
 *
 * Why a pool rather than thread-local handles created lazily by each MHD worker: the pool
 * opens (and preloads) every handle before the server listens, so a model that cannot be
 * opened is reported at start-up, not on some later first request; the handles are closed
 * deterministically at shutdown, with no dependence on how libmicrohttpd's threads exit;
 * and it does not care which thread runs a request. With as many handles as worker
 * threads, a borrow never waits: the cost is one uncontended mutex (tens of ns) per request.
 *
 * Each borrow refreshes the handle (kd_model_refresh: one PRAGMA data_version), so a
 * `kindly train` by another process, or feedback written through another handle, is seen
 * by the next request. A failed refresh keeps the previous counts and is counted in the
 * metrics: a request is never failed because a retrain is under way.
 */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model.h" /* (internal: the upgrade note, as the CLI says it) */

int pool_open(srv_pool *p, const char *path, unsigned flags, size_t n, char *err, size_t errlen)
{
    p->all = calloc(n, sizeof *p->all);
    p->idle = calloc(n, sizeof *p->idle);
    p->n = p->nidle = 0;
    p->replaced = 0;
    p->path = strdup(path);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (!p->all || !p->idle || !p->path) {
        snprintf(err, errlen, "out of memory");
        return KD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        kd_model *m = NULL;
        int rc = kd_model_open(&m, path, flags);
        if (rc) {
            snprintf(err, errlen, "%s", m ? kd_model_error(m) : kd_strerror(rc));
            kd_model_close(m);
            return rc;
        }
        p->all[p->n++] = m;
        p->idle[p->nidle++] = m;
        /* the first handle upgraded an older model: one-way (an older kindly refuses it now),
         * said as the CLI says it (cli_say_upgraded) */
        char note[512];
        if (kd_model_upgrade_note(m, path, note, sizeof note))
            fprintf(stderr, "kindly serve: %s\n", note);
    }
    return KD_OK;
}

/* An idle handle, waited for, under p->mu; a file moved over the model (a retrained copy) is
 * not the file the handles have open, and cannot safely be opened beside them
 * (kd_model_replaced): said once */
static kd_model *take(srv_pool *p)
{
    while (!p->nidle)
        pthread_cond_wait(&p->cv, &p->mu);
    kd_model *m = p->idle[--p->nidle];
    if (!p->replaced && kd_model_replaced(m)) {
        p->replaced = 1;
        fprintf(stderr, "kindly serve: %s was removed or replaced while the server had it open: the server "
                        "goes on answering from the file it has open, and refuses to write it; restart it to "
                        "serve the new file. Next time retrain the model in place (kindly train -m %s), which "
                        "is picked up without a restart, or stop the server before moving a file over it\n",
                p->path, p->path);
    }
    return m;
}

kd_model *pool_get(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    kd_model *m = take(p);
    pthread_mutex_unlock(&p->mu);
    int reloaded = 0;
    if (kd_model_refresh(m, &reloaded))
        metrics_reload(1);
    else if (reloaded)
        metrics_reload(0);
    return m;
}

void pool_put(srv_pool *p, kd_model *m)
{
    pthread_mutex_lock(&p->mu);
    p->idle[p->nidle++] = m;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int pool_replaced(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    kd_model *m = take(p); /* looked at, not refreshed: no counts are read for this */
    p->idle[p->nidle++] = m;
    int replaced = p->replaced;
    pthread_mutex_unlock(&p->mu);
    return replaced;
}

void pool_close(srv_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        kd_model_close(p->all[i]);
    free(p->all);
    free(p->idle);
    free(p->path);
    p->path = NULL;
    p->all = p->idle = NULL;
    p->n = p->nidle = 0;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
}

int pool_classify(kd_model *m, const kd_comment *c, const kd_options *o, kd_result *res, char *warn,
                  size_t warnlen)
{
    *warn = '\0';
    int rc = kd_classify(m, c, o, res);
    if (!rc || !o->remember || (rc != KD_EBUSY && rc != KD_EIO)) /* only what a write may fail of */
        return rc;
    snprintf(warn, warnlen, "%s", kd_model_error(m));
    kd_result_free(res);
    kd_options once = *o;
    once.remember = 0;
    rc = kd_classify(m, c, &once, res);
    if (rc)
        *warn = '\0';
    return rc;
}
