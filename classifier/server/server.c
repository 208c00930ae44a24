/*
 * server.c - kindly's HTTP server on libmicrohttpd: listening, the thread pool, body limits,
 * routing and graceful shutdown.
 *
 * Threading: MHD_USE_INTERNAL_POLLING_THREAD with MHD_OPTION_THREAD_POOL_SIZE = --threads.
 * Each pool thread runs its own epoll loop over the connections it accepted, and runs the
 * request handlers itself, so a request never changes thread. A handler borrows one model
 * handle from pool.c for the length of the request (see pool.c for why a pool rather than
 * thread-local handles); there are as many handles as threads, so a borrow never waits.
 *
 * A client that half-closes its connection right after its request (shutdown(SHUT_WR), as
 * `nc -N` does) has it held open until --timeout: libmicrohttpd 0.9.75's epoll loop is
 * edge-triggered and takes a short read for the end of what the socket holds (its
 * recv_param_adapter), so a FIN that came with the request is read only at the timeout.
 * Its poll() loop (MHD_USE_POLL) reads it and closes at once, but tools/bench_server.sh
 * (DURATION=10, 2 threads, a 2-CPU host, epoll three runs and poll two, alternated) gave it
 * a p99 of 3.7 and 7.6 s at 1,000 connections against 0.13-0.33 s, and 23,200-24,200
 * checks/s without duplicates against 25,400-33,100 (at 64 connections both were within
 * 12,900-20,200, the noise): epoll is kept. The clients of a moderation hook (PHP's curl,
 * WordPress's HTTP API, Akismet libraries) do not half-close; one that does holds a
 * connection for --timeout, as one that sends nothing does.
 *
 * A request goes through the access handler several times (libmicrohttpd's protocol):
 *   1. headers read: route it; answer at once when the framing or the Host is wrong (400,
 *      the connection closed); when the path or method is, the key missing or the declared
 *      Content-Length over --max-body (404, 405, 501, 401, 413), at once only to a client
 *      that waits for 100 Continue, else after its body, read and dropped (refuse);
 *   2. body chunks: appended to a buffer, up to --max-body; past it (chunked bodies, or a
 *      Content-Length that lied) the rest is read and dropped, and the answer is a 413;
 *   3. end of body: the endpoint function runs and its srv_reply becomes the response.
 * Latency is measured from step 1 to the response being queued.
 *
 * libmicrohttpd answers some requests itself, before or between those steps: headers too
 * large for CONNECTION_MEMORY (431), a header line without a colon or a Content-Length that
 * is no number (400), one past 2^64 (413), a malformed chunk (400) or one past 2^64 (413).
 * (0.9.75 writes the header block of that 400 for a Content-Length that is no number twice,
 * then its body: a daemon of libmicrohttpd's alone, with no callback, does the same.)
 * An application hears of such an answer only through MHD_OPTION_NOTIFY_COMPLETED, where
 * MHD_CONNECTION_INFO_HTTP_STATUS still gives its status (0.9.75; a release that frees the
 * response before the callback leaves it uncounted), and only when it "knows" of the
 * request: once the access handler has been called, or, before that, once an
 * MHD_OPTION_URI_LOG_CALLBACK has seen the request line. So one is set, doing nothing, and
 * completed() counts in /metrics what libmicrohttpd answered (not in the latency histogram:
 * no start is known). A request refused in its request line (414 for a line too long for
 * CONNECTION_MEMORY, 505 for a version other than 1.x, 400 for a line without a version or
 * with more after it; a line of one word is closed without an answer) reaches no callback but MHD_OPTION_NOTIFY_CONNECTION's, which is told
 * of the close after the answer is gone: those stay uncounted. A connection on which no
 * request line came before --timeout (a client that connects and sends nothing) is closed by
 * libmicrohttpd unanswered, there being no request to answer: connection() counts it in
 * /metrics (kindly_http_connections_timed_out_total), by the connection's age at its close
 * and a flag request_line() sets. Answering it 408 would mean writing on the socket behind
 * libmicrohttpd's back, outside any request; RFC 9110 lets a server close an idle connection.
 *
 * Connections: --max-connections in all (MHD_OPTION_CONNECTION_LIMIT) and --max-per-ip from
 * one client address (MHD_OPTION_PER_IP_CONNECTION_LIMIT, counted by the daemon over all its
 * threads). Past the latter libmicrohttpd accepts a connection and closes it at once, without
 * an answer. No callback of the application sees it: the accept policy callback (apc) is
 * asked only after the per-IP count has taken the connection, and MHD_OPTION_NOTIFY_CONNECTION
 * only of connections it keeps. What does see it is libmicrohttpd's error log ("Server
 * reached connection limit. Closing inbound connection.", as 0.9.75 and later word it; older
 * releases said "(closing inbound connection)" and go uncounted): refused() counts that
 * message, and ignores every other one, as kindly said none before. Counting connections in
 * an accept policy callback of our own, released on the close notification, would be a
 * second count that drifts whenever libmicrohttpd drops a connection between the two (its
 * failures to set one up call no notification), locking an address out for good. The message is shared with --max-connections, but the pool threads
 * stop accepting at that limit (a connection past it waits in the listen backlog), so in
 * this server it is --max-per-ip's. That wait is told by no callback either, and its clients
 * hang without an answer: connection() counts the times the connections open reach
 * --max-connections (kindly_http_connections_limit_reached_total) and logs it as refused()
 * logs its refusals.
 *
 * Reload (srv_reload, on SIGHUP): new keys and rules are swapped in under a lock; each
 * request holds a reference to the ones it started with, and the last reference frees them.
 *
 * Shutdown (srv_stop): MHD_quiesce_daemon stops accepting, requests under way are given a
 * grace period to be answered, then MHD_stop_daemon closes what is left and joins the threads.
 *
 * libmicrohttpd is loaded with dlopen when a server starts, not linked: Debian's build
 * brings GnuTLS and eight more libraries with it, whose loading, symbol binding (BIND_NOW)
 * and constructors cost every kindly process about 1.3 ms, a quarter of a whole `kindly
 * check`, for a server only `kindly serve` runs (systemd loads its optional libraries the
 * same way, for the same reason). The functions used are looked up once, with the
 * types of <microhttpd.h>, so a call through the table is checked like a direct call.
 * jansson, which only the server's JSON uses, is loaded the same way (libjansson.c).
 */
#include "server.h"
#include "target.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "akismet.h"
#include "api.h"
#include "dl.h"
#include "keys.h"
#include "libjansson.h"
#include "pool.h"
#include "refusals.h"

/* ---------------------------------------------------------------------------------------- */
/* libmicrohttpd, loaded on first use */

#define MHD_FUNCTIONS(X)                                                                          \
    X(start_daemon, MHD_start_daemon)                                                             \
    X(stop_daemon, MHD_stop_daemon)                                                               \
    X(quiesce_daemon, MHD_quiesce_daemon)                                                         \
    X(get_daemon_info, MHD_get_daemon_info)                                                       \
    X(lookup_connection_value, MHD_lookup_connection_value)                                       \
    X(get_connection_values, MHD_get_connection_values)                                           \
    X(get_connection_info, MHD_get_connection_info)                                               \
    X(create_response_from_buffer, MHD_create_response_from_buffer)                              \
    X(add_response_header, MHD_add_response_header)                                               \
    X(queue_response, MHD_queue_response)                                                         \
    X(destroy_response, MHD_destroy_response)

static struct mhd_api {
#define MHD_FIELD(field, fn) __typeof__(fn) *field;
    MHD_FUNCTIONS(MHD_FIELD)
#undef MHD_FIELD
} mhd;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_err[256];

static void mhd_load_once(void)
{
    /* the soname of libmicrohttpd's ABI (12, stable since 2014), then the development link */
    static const char *const names[] = { "libmicrohttpd.so.12", "libmicrohttpd.so" };
    void *h = srv_dlopen(names, sizeof names / sizeof *names, "libmicrohttpd", "libmicrohttpd12", mhd_err,
                         sizeof mhd_err);
    if (!h)
        return;
    struct mhd_api api;
    void *sym;
#define MHD_LOOKUP(field, fn)                                                                     \
    if (!(sym = dlsym(h, #fn))) {                                                                 \
        snprintf(mhd_err, sizeof mhd_err, "libmicrohttpd has no %s", #fn);                        \
        return; /* h stays loaded: harmless, and dlclose is not worth a path of its own */        \
    }                                                                                             \
    memcpy(&api.field, &sym, sizeof sym); /* POSIX: a data pointer from dlsym is a function */
    MHD_FUNCTIONS(MHD_LOOKUP)
#undef MHD_LOOKUP
    mhd = api; /* published before pthread_once returns to any caller */
}

/* 0 once libmicrohttpd is loaded; -1 with a message in err otherwise. */
static int mhd_load(char *err, size_t errlen)
{
    pthread_once(&mhd_once, mhd_load_once);
    if (mhd.destroy_response)
        return 0;
    snprintf(err, errlen, "%s", mhd_err);
    return -1;
}

/* ---------------------------------------------------------------------------------------- */

/* What a reload (srv_reload, on SIGHUP) replaces: the configuration with the keys and the
 * rules it names. A request holds a reference while it runs, so a reload never frees what
 * a request in progress uses; the last reference frees it. */
typedef struct conf {
    atomic_int refs;
    int owned;       /* keys and rules are the server's to free (a reload's), not the caller's */
    srv_config cfg;  /* cfg.keys and cfg.options.rules are keys and rules */
    srv_keys *keys;
    kd_rules *rules;
} conf;

/* A connection's own state (libmicrohttpd's socket context), used by the thread that owns
 * the connection alone: when it opened, and whether a request line has come on it. */
typedef struct conn_state {
    struct timespec t0;
    int requests;
} conn_state;

struct srv_server {
    struct MHD_Daemon *d;
    MHD_socket quiesced; /* the listening socket once quiesced, to be closed at the end */
    srv_pool pool;
    srv_config cfg;      /* as started: what no reload changes (limits, threads, model) */
    pthread_mutex_t conf_lock;
    conf *conf;          /* the current keys and rules, under conf_lock */
    atomic_int inflight;
    atomic_int cut;       /* requests the stop closed before their answer was sent */
    atomic_int stopping;  /* srv_stop has begun: no new request, on any connection */
    atomic_size_t buffered; /* bytes of request bodies held, all connections together */
    srv_refusals refusals; /* connections closed at a limit, for the log (refusals.c) */
    srv_refusals full;     /* times --max-connections was reached, for the log */
    srv_refusals unwritten; /* answers that did not write the model, for the log */
    atomic_int keeping;   /* a thread is keeping the posts cache in the file (keep_posts) */
    _Atomic long long keep_at; /* CLOCK_MONOTONIC milliseconds before which none is kept again */
};

/* Feedback learnt through the pool's handles (opened with KD_OPEN_KEEP_LATER) does not keep
 * the posts cache in the model file in the request: at 10,000 posts that is a build of
 * about a second and a write of 14 MB for each ham feedback on a post (callgrind: a
 * feedback request 2,512 M instructions, 27 M without). The next request builds the cache in
 * memory, once for all threads (posts.c), and keep_posts writes it, for the processes that
 * open the file next (kindly check, a restarted server), at most once in cfg.keep_interval
 * seconds (--snapshot-interval, 60 by default; 0: never), after a feedback's answer is sent,
 * and when the server stops. */

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* When the next keep is due, in now_ms()'s time: keep_interval seconds from now, or never. */
static long long keep_due(const srv_server *s)
{
    return s->cfg.keep_interval ? now_ms() + 1000LL * s->cfg.keep_interval : LLONG_MAX;
}

/* Keep the posts cache of the model as it is now in its file, unless one was kept less than
 * keep_interval seconds ago (force: whenever) or another thread is keeping it. A failure (a
 * full disk, another writer holding the file for 10 s) costs the next process a build, and
 * is said on stderr and counted in /metrics: an operator sees why `kindly check` is slow. */
static void keep_posts(srv_server *s, int force)
{
    int idle = 0;
    if (!s->cfg.writable || (!force && now_ms() < atomic_load(&s->keep_at)) ||
        !atomic_compare_exchange_strong(&s->keeping, &idle, 1))
        return;
    kd_model *m = pool_get(&s->pool);
    if (kd_model_keep_posts(m)) {
        metrics_keep_failed();
        fprintf(stderr, "kindly serve: %s\n", kd_model_error(m));
    }
    pool_put(&s->pool, m);
    atomic_store(&s->keep_at, keep_due(s));
    atomic_store(&s->keeping, 0);
}

static conf *conf_get(srv_server *s)
{
    pthread_mutex_lock(&s->conf_lock);
    conf *c = s->conf;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&s->conf_lock);
    return c;
}

static void conf_put(conf *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->owned) {
        srv_keys_free(c->keys);
        kd_rules_free(c->rules);
    }
    free(c);
}

static conf *conf_new(const srv_config *cfg, srv_keys *keys, kd_rules *rules, int owned)
{
    conf *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    atomic_init(&c->refs, 1); /* the server's own reference */
    c->owned = owned;
    c->cfg = *cfg;
    c->cfg.keys = c->keys = keys;
    c->cfg.options.rules = c->rules = rules;
    return c;
}

/* libmicrohttpd's per-connection memory pool: the request line and headers, the read buffer
 * and the response headers. MHD zeroes the whole pool after every request on a kept-alive
 * connection, so its size is a per-request cost: at the default 32 KiB that memset was a
 * third of the instructions of a comment-check (callgrind). Bodies do not live there (they
 * reach handle() in pieces of the read buffer), so 16 KiB still takes request headers of
 * 8 KiB and more, the common limit of proxies (nginx, Apache); a larger header block is
 * answered 431 by MHD. */
#define CONNECTION_MEMORY (16 * 1024)

/* Per-request state (MHD's con_cls). */
typedef struct request {
    srv_endpoint ep;
    char *body;
    size_t len, cap;
    size_t announced;     /* its Content-Length (0: none, or chunked) */
    int too_big;          /* why its body is read and dropped, answered once it is in: one
                             of the REFUSED_* below (0: kept) */
    int trusted;          /* a JSON API request with a key (--keys): not held to the budget */
    int answered;         /* the response queued is ours (counted by send_reply), not MHD's */
    int refused;          /* REFUSED_ROUTE: the status (404, 405, 501; 204 for OPTIONS), */
    const char *allow;    /* its Allow (a static string), */
    char why[300];        /* and its message (refuse) */
    char host[SRV_HOST_MAX + 1]; /* the authority it is for (request_host); "" when none */
    struct timespec t0;
} request;

enum { REFUSED_SIZE = 1, REFUSED_BUDGET = 2, REFUSED_KEY = 3, REFUSED_ROUTE = 4 }; /* 413, 503, 401, refuse() */

/* Request bodies held in memory at once, all connections together: 64 times --max-body (64
 * MiB by default). Without a bound, 1,000 connections each sending 1 MiB without a key took
 * the server to 1.1 GB before a key was looked at. Past it a request is answered 503, except
 * a JSON API request that carried a valid key (--keys): bodies sent without one cannot lock
 * keyed clients out. A body is held in a buffer that doubles as it arrives and ends at its
 * Content-Length (not the next power of two), so the budget counts what was sent, at most
 * twice over, not what was announced. */
static size_t body_budget(const srv_server *s)
{
    return s->cfg.max_body > SIZE_MAX / 64 ? SIZE_MAX : 64 * s->cfg.max_body;
}

/* The headers a request is refused for, counted (count_headers): Content-Length and
 * Transfer-Encoding, whose framing is ambiguous when there are two lengths or one with a
 * Transfer-Encoding (libmicrohttpd takes the first length; a proxy in front that took another
 * would see the rest of the body as a second request: request smuggling); header names with
 * white space in them; and Host, whose value is kept for request_host. */
typedef struct header_count {
    int content_length;
    int transfer_encoding; /* 2 for one of a coding MHD does not undo ("gzip, chunked") */
    int spaced;            /* names with white space in them */
    int folded;            /* a framing header continued on the next line (count_headers) */
    int host;
    const char *host_value;/* the last Host header's */
} header_count;

/* A NUL in a header's value is not seen: libmicrohttpd 0.9.75 keeps values as C strings and
 * gives their length by strlen (MHD_get_connection_values_n too), so the value ends there for
 * it and for kindly alike, and the framing and the key are read one way (t_server case). */
static enum MHD_Result count_headers(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    header_count *n = cls;
    if (!strcasecmp(key, MHD_HTTP_HEADER_HOST)) {
        n->host++;
        n->host_value = value;
    }
    /* "Transfer-Encoding : chunked": libmicrohttpd keeps the space in the name, so the header
     * is no Transfer-Encoding here, while a proxy that trims it frames the body as chunked
     * (RFC 9112, 5.1: a server must answer 400 to white space before the colon) */
    if (key[strcspn(key, " \t")])
        n->spaced++;
    /* "Content-Length:\r\n 5" (obs-fold): libmicrohttpd 0.9.75 appends a continuation line to
     * the header's name, "Content-Length5", and sees no length, where a proxy that unfolds it
     * (RFC 9112, 5.2) reads a body of 5 bytes, which kindly read as the next request. Other
     * headers so folded lose their value: no framing hangs on it. */
    static const char *const framing[] = { MHD_HTTP_HEADER_CONTENT_LENGTH, MHD_HTTP_HEADER_TRANSFER_ENCODING };
    for (size_t i = 0; i < 2; i++)
        if (!strncasecmp(key, framing[i], strlen(framing[i])) && key[strlen(framing[i])])
            n->folded++;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        n->content_length++;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        n->transfer_encoding += 1 + (strcasecmp(value ? value : "", "chunked") != 0); /* 2: no answer came */
    return MHD_YES;
}

/* The authority a request is for, into rq->host, once per request; or what is wrong with it.
 * RFC 9112, 3.2: a server must answer 400 to an HTTP/1.1 request without a Host header, to
 * any request with more than one (two Host headers leave the request's authority to whichever
 * a proxy in front took) and to any whose Host is invalid (srv_host_parse); an empty one is
 * taken as no authority, as HTTP/1.0's absent one. A request-target in absolute form names
 * the authority that RFC 9112 (3.2.2) says a server must take instead of the Host header's:
 * it is checked the same way, and must have a host and no userinfo ("user@", RFC 9110,
 * 4.2.4). An Akismet client's key may be in the authority (KEY.host).
 * libmicrohttpd checks none of this in its default mode; its strict mode (MHD_OPTION_STRICT_FOR_
 * CLIENT 1) answers the missing Host alone, with an HTML page that /metrics never counts, and
 * also drops a target with a space in it without an answer. Versions other than 1.x
 * libmicrohttpd answers itself (505); HTTP/1.2 and the like it passes on, and they are held to
 * 1.1's rule. */
static const char *request_host(request *rq, const char *url, const char *version, const header_count *n)
{
    if (n->host > 1)
        return "more than one Host header";
    if (!n->host && strcmp(version, MHD_HTTP_VERSION_1_0))
        return "an HTTP/1.1 request without a Host header";
    const char *h = n->host_value, *auth;
    size_t len = h ? strlen(h) : 0, alen;
    if (len && srv_host_parse(h, len, NULL, NULL))
        return "the Host header is not a valid host[:port] (RFC 3986)";
    srv_target_path(url, &auth, &alen);
    if (auth) {
        if (memchr(auth, '@', alen))
            return "the request-target's authority has userinfo (user@): send host[:port] alone";
        if (srv_host_parse(auth, alen, NULL, NULL))
            return "the request-target's authority is not a valid host[:port] (RFC 3986)";
        h = auth;
        len = alen;
    }
    memcpy(rq->host, h ? h : "", len); /* srv_host_parse: len <= SRV_HOST_MAX */
    rq->host[len] = '\0';
    return NULL;
}

static const struct route {
    const char *path, *method; /* GET routes take HEAD too (srv_route) */
    srv_endpoint ep;
} routes[] = {
    { "/1.1/comment-check", "POST", EP_COMMENT_CHECK }, { "/1.1/submit-spam", "POST", EP_SUBMIT_SPAM },
    { "/1.1/submit-ham", "POST", EP_SUBMIT_HAM },       { "/1.1/verify-key", "POST", EP_VERIFY_KEY },
    { "/v1/classify", "POST", EP_CLASSIFY },            { "/v1/feedback", "POST", EP_FEEDBACK },
    { "/healthz", "GET", EP_HEALTHZ },                  { "/metrics", "GET", EP_METRICS },
};

int srv_content_encoding_none(const char *ce)
{
    return !ce || !*ce || !strcasecmp(ce, "identity");
}

int srv_content_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return !ct || !*ct || (!strncasecmp(ct, type, n) && (!ct[n] || strchr("; \t", ct[n])));
}

/* A method HTTP defines (RFC 9110, 9.3, and PATCH, RFC 5789): one no endpoint takes is 405;
 * any other is 501, which RFC 9110 (9.1) asks for an unrecognised method. */
int srv_method_known(const char *method)
{
    static const char *const known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
                                         "OPTIONS", "TRACE", "PATCH" };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(method, known[i]))
            return 1;
    return 0;
}

int srv_route(const char *url, const char *method, srv_endpoint *ep, const char **allow)
{
    url = srv_target_path(url, NULL, NULL);
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const struct route *r = &routes[i];
        if (strcmp(url, r->path))
            continue;
        int get = !strcmp(r->method, "GET");
        *ep = r->ep;
        *allow = get ? "GET, HEAD, OPTIONS" : "POST, OPTIONS";
        if (!strcmp(method, "OPTIONS"))
            return 204;
        return !strcmp(method, r->method) || (get && !strcmp(method, "HEAD")) ? 0 : 405;
    }
    *ep = EP_OTHER;
    return 404;
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, request *rq, srv_reply *r, const char *allow)
{
    struct MHD_Response *resp =
        mhd.create_response_from_buffer(r->len, r->body ? r->body : (void *)"", r->body ? MHD_RESPMEM_MUST_FREE
                                                                                      : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        srv_reply_free(r);
        return MHD_NO;
    }
    r->body = NULL; /* MHD owns it now */
    if (r->status != 204) /* no content, so no type of it */
        mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    mhd.add_response_header(resp, MHD_HTTP_HEADER_SERVER, "kindly/" KINDLY_VERSION);
    if (allow)
        mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    for (size_t i = 0; i < r->nhdr; i++)
        mhd.add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
    const char *retry = srv_reply_retry_after(r);
    if (retry)
        mhd.add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    enum MHD_Result ok = mhd.queue_response(c, (unsigned)r->status, resp);
    mhd.destroy_response(resp);
    metrics_request(rq->ep, r->status, since(&rq->t0));
    rq->answered = 1;
    return ok;
}

static enum MHD_Result error(struct MHD_Connection *c, request *rq, int status, const char *allow, const char *fmt,
                             ...) __attribute__((format(printf, 5, 6)));
static enum MHD_Result error(struct MHD_Connection *c, request *rq, int status, const char *allow, const char *fmt,
                             ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv_reply r;
    srv_reply_init(&r);
    srv_reply_error(&r, status, "%s", msg);
    return send_reply(c, rq, &r, allow);
}

static enum MHD_Result options(struct MHD_Connection *c, request *rq, const char *allow);

/* The answer to a request no route takes, or to OPTIONS (status 204, fmt ""): at once when
 * the client waits for 100 Continue (waits), else once its body is in, read and dropped
 * (answer), so that its connection is kept. */
static enum MHD_Result refuse(struct MHD_Connection *c, request *rq, int waits, int status, const char *allow,
                              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static enum MHD_Result refuse(struct MHD_Connection *c, request *rq, int waits, int status, const char *allow,
                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rq->why, sizeof rq->why, fmt, ap);
    va_end(ap);
    rq->too_big = REFUSED_ROUTE;
    rq->refused = status;
    rq->allow = allow;
    if (!waits)
        return MHD_YES;
    return status == 204 ? options(c, rq, allow) : error(c, rq, status, allow, "%s", rq->why);
}

/* The methods of OPTIONS * (RFC 9110, 9.3.7: the server's in general): those of every route,
 * with OPTIONS itself. */
#define ALLOW_ANY "GET, HEAD, POST, OPTIONS"

/* The answer to OPTIONS: 204, Allow, no content (RFC 9110, 9.3.7 and 15.3.5). */
static enum MHD_Result options(struct MHD_Connection *c, request *rq, const char *allow)
{
    srv_reply r;
    srv_reply_init(&r);
    r.status = 204;
    return send_reply(c, rq, &r, allow);
}

/* An answer of the Akismet or JSON API that did not write the model it was to write said on
 * stderr, paced (refusals.c): feedback answered 500 or 503 (the model locked by another writer
 * past the busy timeout, replaced under the server, a full disk), a check or feedback answered
 * with "not remembered". The client alone was told, and a moderator's report that its client
 * does not retry was lost with no word in the log an operator reads (journalctl). */
static void log_unwritten(srv_server *s, srv_endpoint ep, const srv_reply *r)
{
    char what[1024], why[600] = "";
    if (r->status == 500 || r->status == 503) {
        const char *h = srv_reply_get_header(r, "X-akismet-debug-help");
        json_t *o = !h && r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
        const char *e = o ? json_string_value(json_object_get(o, "error")) : NULL;
        if (h && !strncmp(h, "kindly: ", 8))
            h += 8;
        snprintf(why, sizeof why, "%s", h ? h : e ? e : "out of memory");
        json_decref(o);
        snprintf(what, sizeof what, "%s answered %d: %s", metrics_endpoint_name(ep), r->status, why);
    } else {
        for (size_t i = 0; i < r->nhdr && !*why; i++)
            if (!strcmp(r->hdr[i].name, "X-kindly-warning") && (!strncmp(r->hdr[i].value, "not remembered: ", 16) ||
                                                               !strncmp(r->hdr[i].value, "learnt, but not remembered: ", 28)))
                snprintf(why, sizeof why, "%s", r->hdr[i].value);
        if (!*why)
            return;
        snprintf(what, sizeof what, "%s answered %d with X-kindly-warning: %s", metrics_endpoint_name(ep), r->status,
                 why);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[1200];
    if (srv_refusals_unwritten(&s->unwritten, (long long)now.tv_sec, what, line, sizeof line))
        fprintf(stderr, "kindly serve: %s\n", line);
}

static void healthz(srv_server *s, srv_reply *r)
{
    char body[200];
    /* a model file moved over the one the server has open is written no more (pool.c) */
    int writable = s->cfg.writable && !pool_replaced(&s->pool);
    int n = snprintf(body, sizeof body, "{\"status\":\"ok\",\"version\":\"%s\",\"threads\":%u,\"writable\":%s}\n",
                     KINDLY_VERSION, s->cfg.threads, writable ? "true" : "false");
    srv_reply_take(r, 200, SRV_JSON, strndup(body, (size_t)n), (size_t)n);
}

static void metrics(srv_reply *r)
{
    size_t n = 0;
    char *body = metrics_render(&n);
    srv_reply_take(r, 200, "text/plain; version=0.0.4; charset=utf-8", body, n);
}

/* Whether a JSON API request carries a key this server accepts (api_authorized): 1, or 0 with
 * the 401 in *r. */
static int json_key_ok(srv_server *s, struct MHD_Connection *c, srv_reply *r)
{
    conf *k = conf_get(s);
    srv_request q = { .cfg = &k->cfg,
                      .authorization = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) };
    int ok = api_authorized(&q, r);
    int keyed = k->cfg.keys != NULL;
    conf_put(k);
    return ok ? 1 + keyed : 0;
}

/* The answer to a request whose body was read and dropped (rq->too_big), into r: 503, 401
 * (REFUSED_KEY: asked again, as a SIGHUP may have changed the keys meanwhile, and the body is
 * gone either way), the route's refusal (404, 405, 501, 204 for OPTIONS) or 413. Its Allow,
 * when it has one, is returned, for the caller to send. The same whether the body came whole
 * (answer) or was cut at --timeout (timed_out): the request earned it with its headers. */
static const char *refusal(srv_server *s, struct MHD_Connection *c, const request *rq, srv_reply *r)
{
    if (rq->too_big == REFUSED_BUDGET) /* with Retry-After, as every 503 (send_reply) */
        srv_reply_error(r, 503, "the server holds too many request bodies at once: try again");
    else if (rq->too_big == REFUSED_KEY) {
        if (json_key_ok(s, c, r))
            srv_reply_error(r, 401, "the key was not valid when the request began: send it again");
    } else if (rq->too_big == REFUSED_ROUTE) {
        if (rq->refused == 204)
            r->status = 204;
        else
            srv_reply_error(r, rq->refused, "%s", rq->why);
        return rq->allow;
    } else {
        srv_reply_error(r, 413, "the request body is over the limit of %zu bytes", s->cfg.max_body);
    }
    return NULL;
}

/* The endpoint answers, once the whole body is in. */
static enum MHD_Result answer(srv_server *s, struct MHD_Connection *c, request *rq)
{
    srv_reply r;
    srv_reply_init(&r);
    if (rq->too_big) {
        const char *allow = refusal(s, c, rq, &r);
        return send_reply(c, rq, &r, allow);
    }
    if (rq->ep == EP_HEALTHZ) {
        healthz(s, &r);
        return send_reply(c, rq, &r, NULL);
    }
    if (rq->ep == EP_METRICS) {
        metrics(&r);
        return send_reply(c, rq, &r, NULL);
    }
    conf *k = conf_get(s);
    srv_request q = {
        .endpoint = rq->ep,
        .body = rq->body ? rq->body : "",
        .len = rq->len,
        .host = rq->host[0] ? rq->host : NULL,
        .content_type = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .model = rq->ep == EP_VERIFY_KEY ? NULL : pool_get(&s->pool),
        .cfg = &k->cfg,
        .authorization = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .content_encoding = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING),
    };
    if (rq->ep == EP_CLASSIFY || rq->ep == EP_FEEDBACK)
        api_handle(&q, &r);
    else
        akismet_handle(&q, &r);
    if (q.model)
        pool_put(&s->pool, q.model);
    conf_put(k);
    log_unwritten(s, rq->ep, &r);
    return send_reply(c, rq, &r, NULL);
}

/* The reason phrase of a status timed_out() sends (RFC 9110, 15). */
static const char *reason(int status)
{
    switch (status) {
    case 204: return "No Content";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error"; /* 500: out of memory */
    }
}

/* The 408 of a body that took longer than --timeout, then the connection closed. It cannot
 * wait for the end of the body (a slow client would hold the connection as long as it likes),
 * and libmicrohttpd cannot send it: while a body is being received, MHD_queue_response
 * refuses a response (0.9.75 returns MHD_NO, suspended connection or not; its documentation
 * allows one before the body and after it), and returning MHD_NO closes the connection
 * without a word, the client seeing a reset and no reason. So the answer, small and complete
 * (Content-Length, Connection: close), is written on the socket here, in the thread that
 * owns the connection, where nothing else is being sent (a 100 Continue is sent whole before
 * the body is read); the write side is then shut, so the answer is followed by a FIN, and
 * MHD_NO has libmicrohttpd close the connection. A client that sends nothing at all for
 * --timeout seconds is closed by libmicrohttpd, unanswered: it calls no handler then. A body
 * being read and dropped is answered so with what its request earned before it (refusal):
 * 413 over --max-body (a client that announced 1 TB was told it was slow), 401 without a
 * key, 404, 405, 501, 503 (408 told them to send faster, in vain). */
static enum MHD_Result timed_out(srv_server *s, struct MHD_Connection *c, request *rq)
{
    srv_reply r;
    srv_reply_init(&r);
    const char *allow = NULL;
    if (rq->too_big)
        allow = refusal(s, c, rq, &r);
    else
        srv_reply_error(&r, 408, "the request body took longer than the server's --timeout of %u s to arrive: send it "
                                 "whole within that time", s->cfg.timeout);
    if (allow)
        srv_reply_header(&r, MHD_HTTP_HEADER_ALLOW, "%s", allow);
    size_t n = 0;
    char *m = srv_reply_message(&r, reason(r.status), &n);
    const union MHD_ConnectionInfo *i = mhd.get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (m && i && send(i->connect_fd, m, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n) {
        shutdown(i->connect_fd, SHUT_WR);
        metrics_request(rq->ep, r.status, since(&rq->t0));
        rq->answered = 1;
    }
    free(m);
    srv_reply_free(&r);
    return MHD_NO;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    srv_server *s = cls;
    request *rq = *con_cls;
    if (!rq) { /* headers are in: route */
        /* stopping: a kept-alive connection's next request is not begun (its connection is
         * closed, as a quiesced daemon accepts no new one), so the grace period serves only
         * the requests under way */
        if (atomic_load(&s->stopping))
            return MHD_NO;
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = rq;
        const char *allow = NULL;
        int routed = srv_route(url, method, &rq->ep, &allow);
        header_count n = { 0 };
        mhd.get_connection_values(c, MHD_HEADER_KIND, count_headers, &n);
        const char *bad = request_host(rq, url, version, &n);
        if (bad)
            return error(c, rq, 400, NULL, "%s", bad);
        srv_target_kind form = srv_target_form(url);
        if (form == SRV_ASTERISK_FORM && strcmp(method, "OPTIONS"))
            return error(c, rq, 400, NULL, "the request-target * is for OPTIONS alone (RFC 9112, 3.2.4)");
        /* authority form, "host:port", is CONNECT's; no route takes it (404 below) */
        if (form == SRV_NO_FORM && !(!strcmp(method, "CONNECT") && strchr(url, ':') && !strchr(url, '@')
                                     && !srv_host_parse(url, strlen(url), NULL, NULL)))
            return error(c, rq, 400, NULL, "the request-target '%s' is neither a path (/...) nor an http(s) URI (RFC 9112, 3.2)",
                         url);
        /* a request whose framing is in doubt is answered at once, and its connection closed:
         * where its body ends, and so where the next request begins, is not known */
        if (n.spaced)
            return error(c, rq, 400, NULL, "white space between a header's name and its colon");
        if (n.folded)
            return error(c, rq, 400, NULL, "a Content-Length or Transfer-Encoding continued on the next line "
                                           "(obs-fold, RFC 9112, 5.2): send it on one line");
        if (n.content_length > 1 || (n.content_length && n.transfer_encoding))
            return error(c, rq, 400, NULL, "%s", n.transfer_encoding ? "both Content-Length and Transfer-Encoding"
                                                                     : "Content-Length given more than once");
        if (n.transfer_encoding > 1)
            return error(c, rq, 400, NULL, "a Transfer-Encoding other than chunked");
        /* HTTP/1.0 has no transfer codings: a proxy of 1.0 in front sees no body, and the
         * chunks as the next request (RFC 9112, 6.1: the framing is faulty) */
        if (n.transfer_encoding && !strcmp(version, MHD_HTTP_VERSION_1_0))
            return error(c, rq, 400, NULL, "Transfer-Encoding in an HTTP/1.0 request (HTTP/1.0 has no chunked body: "
                                           "send a Content-Length)");
        /* A request refused from its headers (a path or method no route takes, OPTIONS, no key
         * for the JSON API, whose key is a header; a Content-Length over --max-body) is
         * answered at once only when the client waits for "100 Continue" before sending its
         * body. Others are sending it already: answered now, they met a closed connection (a
         * "Broken pipe", not the 401), and libmicrohttpd closes a connection answered before
         * its body even when there is none, so the requests pipelined after a 404 went
         * unanswered. Their body is read and dropped, never held, and the answer comes after
         * it, on a connection kept open. */
        const char *expect = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        int waits = expect && !strcasecmp(expect, "100-continue");
        if (!srv_method_known(method))
            return refuse(c, rq, waits, 501, NULL, "method '%s' is not implemented (RFC 9110, 9.1)", method);
        if (form == SRV_ASTERISK_FORM) /* OPTIONS * (other methods refused above) */
            return refuse(c, rq, waits, 204, ALLOW_ANY, "%s", "");
        if (routed == 204)
            return refuse(c, rq, waits, 204, allow, "%s", "");
        if (routed == 404)
            return refuse(c, rq, waits, 404, NULL, "no such endpoint: %s", url);
        if (routed == 405) /* the methods of the request, OPTIONS aside */
            return refuse(c, rq, waits, 405, allow, "use %.*s for this endpoint",
                          (int)(strlen(allow) - strlen(", OPTIONS")), allow);
        if (rq->ep == EP_CLASSIFY || rq->ep == EP_FEEDBACK) {
            srv_reply r;
            srv_reply_init(&r);
            int ok = json_key_ok(s, c, &r);
            if (!ok && waits)
                return send_reply(c, rq, &r, NULL);
            srv_reply_free(&r);
            if (!ok)
                rq->too_big = REFUSED_KEY;
            rq->trusted = ok == 2;
        }
        const char *cl = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        if (!rq->too_big && len > s->cfg.max_body) {
            rq->too_big = REFUSED_SIZE;
            if (waits)
                return answer(s, c, rq);
        }
        rq->announced = len <= s->cfg.max_body ? (size_t)len : 0;
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        size_t n = *upload_size;
        *upload_size = 0;
        /* a body trickled in a byte at a time never leaves the connection idle: the whole
         * body gets --timeout seconds, then a 408 and the connection is closed (a slow-body
         * attack would otherwise hold every connection slot) */
        if (s->cfg.timeout && since(&rq->t0) > (double)s->cfg.timeout)
            return timed_out(s, c, rq);
        if (rq->too_big)
            return MHD_YES;
        if (n > s->cfg.max_body - rq->len) {
            rq->too_big = REFUSED_SIZE;
            atomic_fetch_sub(&s->buffered, rq->cap);
            free(rq->body);
            rq->body = NULL;
            rq->cap = rq->len = 0;
            return MHD_YES;
        }
        if (rq->len + n + 1 > rq->cap) {
            /* doubling from 4 KiB as the body arrives, never past the announced length: a
             * buffer of the whole Content-Length at the first byte let 64 connections that
             * announced 1 MiB and sent one byte each fill the budget (every Akismet client
             * then got 503 until they timed out) */
            size_t want = rq->len + n + 1, cap = rq->cap ? rq->cap : 4096;
            while (cap < want)
                cap *= 2;
            if (rq->announced && cap > rq->announced + 1 && want <= rq->announced + 1)
                cap = rq->announced + 1;
            size_t more = cap - rq->cap;
            if (atomic_fetch_add(&s->buffered, more) + more > body_budget(s) && !rq->trusted) {
                atomic_fetch_sub(&s->buffered, more + rq->cap);
                rq->too_big = REFUSED_BUDGET;
                free(rq->body);
                rq->body = NULL;
                rq->cap = rq->len = 0;
                return MHD_YES;
            }
            char *b = realloc(rq->body, cap);
            if (!b) {
                atomic_fetch_sub(&s->buffered, more);
                return MHD_NO;
            }
            rq->body = b;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        return MHD_YES;
    }
    return answer(s, c, rq);
}

/* The request-target's escapes of unreserved characters decoded, the others left as sent
 * (target.c: libmicrohttpd's own unescaper decodes them all). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return srv_unescape(s);
}

/* Set only so that libmicrohttpd calls completed() for the requests it answers itself
 * before the access handler (see the top of this file); the request state is begun by the
 * handler, so *con_cls stays NULL. */
static void *request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)uri;
    const union MHD_ConnectionInfo *i = mhd.get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (i && i->socket_context) /* connection() set it: the connection has had a request */
        ((conn_state *)i->socket_context)->requests = 1;
    return NULL;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    srv_server *s = cls;
    request *rq = *con_cls;
    if (!rq || !rq->answered) { /* a response queued now is libmicrohttpd's own */
        const union MHD_ConnectionInfo *i = mhd.get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
        if (i)
            metrics_answer(rq ? rq->ep : EP_OTHER, (int)i->http_status);
    }
    if (!rq)
        return;
    if (toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN)
        atomic_fetch_add(&s->cut, 1);
    if ((rq->ep == EP_FEEDBACK || rq->ep == EP_SUBMIT_HAM || rq->ep == EP_SUBMIT_SPAM) && !atomic_load(&s->stopping))
        keep_posts(s, 0); /* its answer is sent: the client does not wait for it */
    atomic_fetch_sub(&s->buffered, rq->cap);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* libmicrohttpd's message for a connection it closes unanswered at a connection limit. */
#define MHD_LIMIT_MESSAGE "Server reached connection limit. Closing inbound connection.\n"

/* libmicrohttpd's error log (MHD_OPTION_EXTERNAL_LOGGER), called from its threads: a
 * connection closed at a limit is counted in /metrics and said on stderr when refusals.c
 * has a line due (the first at once, then at most once a minute); the rest is unsaid. */
static void refused(void *cls, const char *fmt, va_list ap)
{
    (void)ap;
    srv_server *s = cls;
    if (strcmp(fmt, MHD_LIMIT_MESSAGE))
        return;
    metrics_refused();
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int per_ip = s->cfg.max_per_ip != 0;
    char line[512];
    if (srv_refusals_note(&s->refusals, (long long)now.tv_sec, per_ip,
                          per_ip ? s->cfg.max_per_ip : s->cfg.max_connections, line, sizeof line))
        fprintf(stderr, "kindly serve: %s\n", line);
}

/* A connection closed without a request line when it had been open --timeout seconds (less
 * a slack for the moment libmicrohttpd notes its start, before connection() runs) is one
 * libmicrohttpd closed at the timeout; sooner, its client closed it (a TCP health check) or
 * the server stopped. libmicrohttpd answers such a connection nothing (it has no request
 * to answer) and tells no handler of it: this is where it is counted. */
#define TIMEOUT_SLACK 0.1

static void connection(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    srv_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        /* the last connection --max-connections lets in: the pool threads stop accepting, and
         * new connections wait in the listen queue, unanswered, which neither libmicrohttpd
         * nor the kernel tells of: counted and logged here (then at most once a minute) */
        if (metrics_connection(1) == (long long)s->cfg.max_connections) {
            metrics_limit_reached();
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            char line[512];
            if (srv_refusals_full(&s->full, (long long)now.tv_sec, s->cfg.max_connections, line, sizeof line))
                fprintf(stderr, "kindly serve: %s\n", line);
        }
        conn_state *cs = calloc(1, sizeof *cs); /* NULL: this one goes uncounted */
        if (cs)
            clock_gettime(CLOCK_MONOTONIC, &cs->t0);
        *socket_context = cs;
        return;
    }
    metrics_connection(-1);
    conn_state *cs = *socket_context;
    if (cs && !cs->requests && s->cfg.timeout && since(&cs->t0) + TIMEOUT_SLACK >= (double)s->cfg.timeout)
        metrics_timed_out();
    free(cs);
    *socket_context = NULL;
}

int srv_model_writable(const char *path, char *why, size_t whylen)
{
    /* SQLite's own test (its unix VFS opens a file O_RDWR and falls back to O_RDONLY), so the
     * answer is the one the open will meet. Asked before any connection to the file exists
     * in this process: closing a descriptor of a file drops the process's POSIX locks on it,
     * SQLite's among them. */
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    if (errno != EACCES && errno != EPERM && errno != EROFS)
        return 1;
    snprintf(why, whylen, "%s cannot be written by this user (%s)", path, strerror(errno));
    return 0;
}

/* Why libmicrohttpd could not listen on addr, into err. It says so only in its log, in its
 * words, so the bind it failed is tried again here, as it binds (SO_REUSEADDR; an IPv6
 * socket for IPv6 alone), and its errno is said: in use, not this machine's, a port this
 * user may not take, an IPv4-mapped address (which an IPv6-only socket cannot take). A
 * bind that succeeds now leaves the cause unknown. */
static void listen_failed(const struct sockaddr_storage *addr, socklen_t addrlen, char *err, size_t errlen)
{
    int e = 0, one = 1, fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        e = errno;
    else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (addr->ss_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, (const struct sockaddr *)addr, addrlen))
            e = errno;
        close(fd);
    }
    const char *why = e ? strerror(e) : "libmicrohttpd could not start (its cause unknown)";
    if (e == EADDRINUSE)
        why = "another process listens on that port already";
    else if (e == EADDRNOTAVAIL)
        why = "it is not an address of this machine";
    else if (e == EACCES)
        why = "this user may not listen on that port (below 1024: root or CAP_NET_BIND_SERVICE)";
    else if (e == EINVAL && addr->ss_family == AF_INET6
             && IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)addr)->sin6_addr))
        why = "an IPv4 address in IPv6 form (::ffff:a.b.c.d): give the IPv4 address itself";
    snprintf(err, errlen, "cannot listen on the address given: %s", why);
}

int srv_start(srv_server **out, const srv_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    srv_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cfg = *cfg;
    s->quiesced = MHD_INVALID_SOCKET;
    if (mhd_load(err, errlen) || srv_jansson_load(err, errlen)) {
        free(s);
        return -1;
    }
    atomic_init(&s->inflight, 0);
    atomic_init(&s->cut, 0);
    atomic_init(&s->stopping, 0);
    atomic_init(&s->buffered, 0);
    atomic_init(&s->keeping, 0);
    atomic_init(&s->keep_at, keep_due(s));
    /* the caller's keys and rules: the caller frees them, after srv_stop */
    if (!(s->conf = conf_new(cfg, (srv_keys *)cfg->keys, (kd_rules *)cfg->options.rules, 0))) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return -1;
    }
    pthread_mutex_init(&s->conf_lock, NULL);
    unsigned flags = KD_OPEN_PRELOAD | (cfg->writable ? KD_OPEN_WRITE | KD_OPEN_KEEP_LATER : KD_OPEN_READONLY);
    if (pool_open(&s->pool, cfg->model_path, flags, cfg->threads, err, errlen)) {
        pool_close(&s->pool);
        conf_put(s->conf);
        pthread_mutex_destroy(&s->conf_lock);
        free(s);
        return -1;
    }
    srv_refusals_init(&s->refusals);
    srv_refusals_init(&s->full);
    srv_refusals_init(&s->unwritten);
    /* MHD_USE_ERROR_LOG: its messages go to refused(), which keeps one */
    unsigned mflags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (cfg->addr.ss_family == AF_INET6)
        mflags |= MHD_USE_IPv6;
    s->d = mhd.start_daemon(mflags, 0, NULL, NULL, handle, s,
                            MHD_OPTION_EXTERNAL_LOGGER, refused, s, /* first: start-up messages too */
                            MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&s->cfg.addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_URI_LOG_CALLBACK, request_line, s,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, s,
                            MHD_OPTION_NOTIFY_CONNECTION, connection, s,
                            MHD_OPTION_END);
    if (!s->d) {
        listen_failed(&cfg->addr, cfg->addrlen, err, errlen);
        pool_close(&s->pool);
        conf_put(s->conf);
        pthread_mutex_destroy(&s->conf_lock);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

unsigned srv_port(const srv_server *s)
{
    const union MHD_DaemonInfo *i = mhd.get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

unsigned srv_stop(srv_server *s, unsigned grace_ms)
{
    if (!s)
        return 0;
    atomic_store(&s->stopping, 1);
    s->quiesced = mhd.quiesce_daemon(s->d);
    for (unsigned waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10)
        usleep(10000);
    mhd.stop_daemon(s->d); /* its threads have ended: each request's completion has been called */
    /* what the paced lines counted since they last spoke, or it would go unsaid for good */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[512];
    if (srv_refusals_flush(&s->refusals, (long long)now.tv_sec, "connections closed unanswered at a connection limit", line,
                           sizeof line))
        fprintf(stderr, "kindly serve: %s\n", line);
    if (srv_refusals_flush(&s->full, (long long)now.tv_sec, "times --max-connections was reached", line, sizeof line))
        fprintf(stderr, "kindly serve: %s\n", line);
    if (srv_refusals_flush(&s->unwritten, (long long)now.tv_sec, "answers that failed or did not write the model",
                           line, sizeof line))
        fprintf(stderr, "kindly serve: %s\n", line);
    int left = atomic_load(&s->cut); /* not the requests under way before it: one may end in it */
    if (s->quiesced != MHD_INVALID_SOCKET)
        close(s->quiesced);
    keep_posts(s, 1); /* what feedback changed since the last keep, for the next process */
    pool_close(&s->pool);
    conf_put(s->conf);
    pthread_mutex_destroy(&s->conf_lock);
    free(s);
    return left > 0 ? (unsigned)left : 0;
}

int srv_reload(srv_server *s, srv_keys *keys, kd_rules *rules)
{
    pthread_mutex_lock(&s->conf_lock);
    conf *old = s->conf, *c = conf_new(&old->cfg, keys, rules, 1);
    if (c)
        s->conf = c;
    pthread_mutex_unlock(&s->conf_lock);
    if (!c)
        return -1;
    conf_put(old); /* freed now, or by the last request that still uses it */
    return 0;
}
