/*
 * metrics.c - request, verdict and feedback counters and per-endpoint latency histograms,
 * rendered in the Prometheus text exposition format (version 0.0.4).
 *
 * Histograms are cumulative only when rendered: each observation increments exactly one
 * bucket (the first whose bound it does not exceed), which keeps the hot path at three
 * relaxed atomic adds. Durations are summed in nanoseconds as integers, so the sum needs no
 * atomic floating point.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "posts.h"

const double metrics_bucket_le[METRICS_BUCKETS] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01,   0.025,   0.05,   0.1,   0.5,    1.0 };

/* The statuses the server answers with; anything else is counted as "other". */
static const int codes[] = { 200, 204, 400, 401, 403, 404, 405, 408, 413, 415, 431, 500, 501, 503 };
#define NCODES (sizeof codes / sizeof *codes)

/* The endpoint label: the path clients send, on both APIs (Prometheus's own handler label
 * is the path too); "other" for a request no route took (an unknown path, or one answered by
 * libmicrohttpd before kindly saw it), a bounded set whatever clients send. */
static const char *const ep_names[EP_COUNT] = {
    "/1.1/verify-key", "/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/v1/classify",
    "/v1/feedback", "/healthz", "/metrics", "other",
};

static struct {
    atomic_uint_fast64_t requests[EP_COUNT][NCODES + 1];
    atomic_uint_fast64_t bucket[EP_COUNT][METRICS_BUCKETS + 1];
    atomic_uint_fast64_t sum_ns[EP_COUNT];
    atomic_uint_fast64_t verdicts[3];
    atomic_uint_fast64_t feedback[2][2]; /* [label][undo] */
    atomic_uint_fast64_t reloads, refresh_errors;
    atomic_uint_fast64_t config_reloads[2]; /* [failed] */
    atomic_int_fast64_t connections;
    atomic_uint_fast64_t refused, timed_out, keep_failures, limit_reached;
} M;

const char *metrics_endpoint_name(srv_endpoint e)
{
    return (unsigned)e < EP_COUNT ? ep_names[e] : "other";
}

void metrics_answer(srv_endpoint e, int status)
{
    if ((unsigned)e >= EP_COUNT)
        e = EP_OTHER;
    size_t c = 0;
    while (c < NCODES && codes[c] != status)
        c++;
    atomic_fetch_add_explicit(&M.requests[e][c], 1, memory_order_relaxed);
}

void metrics_request(srv_endpoint e, int status, double seconds)
{
    if ((unsigned)e >= EP_COUNT)
        e = EP_OTHER;
    metrics_answer(e, status);
    size_t b = 0;
    while (b < METRICS_BUCKETS && seconds > metrics_bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&M.bucket[e][b], 1, memory_order_relaxed);
    if (seconds < 0)
        seconds = 0;
    atomic_fetch_add_explicit(&M.sum_ns[e], (uint_fast64_t)(seconds * 1e9), memory_order_relaxed);
}

void metrics_verdict(int verdict)
{
    if (verdict >= 0 && verdict < 3)
        atomic_fetch_add_explicit(&M.verdicts[verdict], 1, memory_order_relaxed);
}

void metrics_feedback(int label, int delta, unsigned long n)
{
    if (label == 0 || label == 1)
        atomic_fetch_add_explicit(&M.feedback[label][delta < 0], n, memory_order_relaxed);
}

void metrics_reload(int failed)
{
    atomic_fetch_add_explicit(failed ? &M.refresh_errors : &M.reloads, 1, memory_order_relaxed);
}

void metrics_config_reload(int failed)
{
    atomic_fetch_add_explicit(&M.config_reloads[failed != 0], 1, memory_order_relaxed);
}

long long metrics_connection(int delta)
{
    return (long long)atomic_fetch_add_explicit(&M.connections, delta, memory_order_relaxed) + delta;
}

void metrics_limit_reached(void)
{
    atomic_fetch_add_explicit(&M.limit_reached, 1, memory_order_relaxed);
}


void metrics_refused(void)
{
    atomic_fetch_add_explicit(&M.refused, 1, memory_order_relaxed);
}

void metrics_timed_out(void)
{
    atomic_fetch_add_explicit(&M.timed_out, 1, memory_order_relaxed);
}

void metrics_keep_failed(void)
{
    atomic_fetch_add_explicit(&M.keep_failures, 1, memory_order_relaxed);
}

#define LOAD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

char *metrics_render(size_t *len)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        return NULL;
    fputs("# HELP kindly_http_requests_total HTTP requests answered, by endpoint and status.\n"
          "# TYPE kindly_http_requests_total counter\n", f);
    for (int e = 0; e < EP_COUNT; e++)
        for (size_t c = 0; c <= NCODES; c++) {
            unsigned long long v = LOAD(M.requests[e][c]);
            if (!v)
                continue;
            if (c < NCODES)
                fprintf(f, "kindly_http_requests_total{endpoint=\"%s\",code=\"%d\"} %llu\n", ep_names[e], codes[c], v);
            else
                fprintf(f, "kindly_http_requests_total{endpoint=\"%s\",code=\"other\"} %llu\n", ep_names[e], v);
        }
    fputs("# HELP kindly_http_request_duration_seconds Time from the request's headers to its answer.\n"
          "# TYPE kindly_http_request_duration_seconds histogram\n", f);
    for (int e = 0; e < EP_COUNT; e++) {
        unsigned long long cum = 0;
        for (int b = 0; b <= METRICS_BUCKETS; b++)
            cum += LOAD(M.bucket[e][b]);
        if (!cum)
            continue;
        cum = 0;
        for (int b = 0; b < METRICS_BUCKETS; b++) {
            cum += LOAD(M.bucket[e][b]);
            fprintf(f, "kindly_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", ep_names[e],
                    metrics_bucket_le[b], cum);
        }
        cum += LOAD(M.bucket[e][METRICS_BUCKETS]);
        fprintf(f, "kindly_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", ep_names[e], cum);
        fprintf(f, "kindly_http_request_duration_seconds_sum{endpoint=\"%s\"} %.9f\n", ep_names[e],
                (double)LOAD(M.sum_ns[e]) / 1e9);
        fprintf(f, "kindly_http_request_duration_seconds_count{endpoint=\"%s\"} %llu\n", ep_names[e], cum);
    }
    static const char *const vnames[3] = { "approve", "spam", "hold" };
    fputs("# HELP kindly_verdicts_total Comments classified, by verdict.\n"
          "# TYPE kindly_verdicts_total counter\n", f);
    for (int v = 0; v < 3; v++)
        fprintf(f, "kindly_verdicts_total{verdict=\"%s\"} %llu\n", vnames[v], LOAD(M.verdicts[v]));
    fputs("# HELP kindly_feedback_total Comments learnt or unlearnt from feedback.\n"
          "# TYPE kindly_feedback_total counter\n", f);
    for (int l = 1; l >= 0; l--)
        for (int u = 0; u < 2; u++)
            fprintf(f, "kindly_feedback_total{label=\"%s\",action=\"%s\"} %llu\n", l ? "spam" : "ham",
                    u ? "undo" : "learn", LOAD(M.feedback[l][u]));
    fprintf(f, "# HELP kindly_model_reloads_total Model reloads after another connection committed.\n"
               "# TYPE kindly_model_reloads_total counter\n"
               "kindly_model_reloads_total %llu\n"
               "# HELP kindly_model_refresh_errors_total Failed refreshes (the old counts were used).\n"
               "# TYPE kindly_model_refresh_errors_total counter\n"
               "kindly_model_refresh_errors_total %llu\n"
               "# HELP kindly_config_reloads_total Reloads of the key and rule files on SIGHUP, by result "
               "(failed: a file had an error, nothing changed).\n"
               "# TYPE kindly_config_reloads_total counter\n"
               "kindly_config_reloads_total{result=\"done\"} %llu\n"
               "kindly_config_reloads_total{result=\"failed\"} %llu\n"
               "# HELP kindly_http_connections Connections open now.\n"
               "# TYPE kindly_http_connections gauge\n"
               "kindly_http_connections %lld\n"
               "# HELP kindly_http_connections_refused_total Connections closed unanswered at --max-per-ip.\n"
               "# TYPE kindly_http_connections_refused_total counter\n"
               "kindly_http_connections_refused_total %llu\n"
               "# HELP kindly_http_connections_limit_reached_total Times the connections open reached "
               "--max-connections (new ones then wait in the listen queue).\n"
               "# TYPE kindly_http_connections_limit_reached_total counter\n"
               "kindly_http_connections_limit_reached_total %llu\n"
               "# HELP kindly_http_connections_timed_out_total Connections closed unanswered at --timeout "
               "before they sent a request line.\n"
               "# TYPE kindly_http_connections_timed_out_total counter\n"
               "kindly_http_connections_timed_out_total %llu\n"
               "# HELP kindly_posts_cache_builds_total Builds of the relevance stage's posts cache "
               "(after posts or their words changed).\n"
               "# TYPE kindly_posts_cache_builds_total counter\n"
               "kindly_posts_cache_builds_total %llu\n"
               "# HELP kindly_posts_cache_loads_total Reads of the posts cache kept in the model file "
               "(instead of a build).\n"
               "# TYPE kindly_posts_cache_loads_total counter\n"
               "kindly_posts_cache_loads_total %llu\n"
               "# HELP kindly_posts_cache_keep_failures_total Failed writes of the posts cache to the model "
               "file (the next process builds it).\n"
               "# TYPE kindly_posts_cache_keep_failures_total counter\n"
               "kindly_posts_cache_keep_failures_total %llu\n",
            LOAD(M.reloads), LOAD(M.refresh_errors), LOAD(M.config_reloads[0]), LOAD(M.config_reloads[1]),
            (long long)atomic_load_explicit(&M.connections, memory_order_relaxed), LOAD(M.refused), LOAD(M.limit_reached),
            LOAD(M.timed_out),
            (unsigned long long)kd_posts_cache_builds(), (unsigned long long)kd_posts_cache_loads(), LOAD(M.keep_failures));
    int bad = ferror(f);
    if (fclose(f) || bad) {
        free(s);
        return NULL;
    }
    if (len)
        *len = n;
    return s;
}

void metrics_reset(void)
{
    for (int e = 0; e < EP_COUNT; e++) {
        for (size_t c = 0; c <= NCODES; c++)
            atomic_store(&M.requests[e][c], 0);
        for (int b = 0; b <= METRICS_BUCKETS; b++)
            atomic_store(&M.bucket[e][b], 0);
        atomic_store(&M.sum_ns[e], 0);
    }
    for (int v = 0; v < 3; v++)
        atomic_store(&M.verdicts[v], 0);
    for (int l = 0; l < 2; l++)
        for (int u = 0; u < 2; u++)
            atomic_store(&M.feedback[l][u], 0);
    atomic_store(&M.reloads, 0);
    atomic_store(&M.refresh_errors, 0);
    atomic_store(&M.config_reloads[0], 0);
    atomic_store(&M.config_reloads[1], 0);
    atomic_store(&M.connections, 0);
    atomic_store(&M.refused, 0);
    atomic_store(&M.timed_out, 0);
    atomic_store(&M.keep_failures, 0);
    atomic_store(&M.limit_reached, 0);
}
