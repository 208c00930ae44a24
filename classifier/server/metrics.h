/*
 * metrics.h - the server's counters and latency histograms, in Prometheus text format
 * (internal to the server).
 *
 * One process-wide set of counters: worker threads add to them with relaxed atomic
 * increments (no lock on the request path), and GET /metrics reads them. A scrape may see
 * one counter a request ahead of another; Prometheus counters are only ever compared over
 * time, so that is harmless.
 */
#ifndef KD_SRV_METRICS_H
#define KD_SRV_METRICS_H

#include <stddef.h>

/* What a request was for: one label value each. */
typedef enum srv_endpoint {
    EP_VERIFY_KEY, EP_COMMENT_CHECK, EP_SUBMIT_SPAM, EP_SUBMIT_HAM,
    EP_CLASSIFY, EP_FEEDBACK, EP_HEALTHZ, EP_METRICS, EP_OTHER,
    EP_COUNT
} srv_endpoint;

/* Label value of an endpoint: its path ("/1.1/comment-check", "/v1/classify", ...), or "other". */
const char *metrics_endpoint_name(srv_endpoint e);

/* Upper bounds of the latency histogram buckets, in seconds (then +Inf). */
#define METRICS_BUCKETS 12
extern const double metrics_bucket_le[METRICS_BUCKETS];

/* Count one finished request: its endpoint, HTTP status and duration in seconds. */
void metrics_request(srv_endpoint e, int status, double seconds);
/* Count an answer libmicrohttpd sent itself (431, 413, 400): with the requests, not in the
 * latency histogram, as its duration is not known. */
void metrics_answer(srv_endpoint e, int status);
/* Count one verdict (kd_verdict: 0 approve, 1 spam, 2 hold). */
void metrics_verdict(int verdict);
/* Count comments learnt (delta +1) or unlearnt (-1) as spam (1) or ham (0). */
void metrics_feedback(int label, int delta, unsigned long n);
/* Count a model reload (another process or thread committed) or a failed refresh. */
void metrics_reload(int failed);
/* Count a reload of the key and rule files on SIGHUP, done or refused (a file had an
 * error: nothing changed). */
void metrics_config_reload(int failed);
/* Connections now open (from the server's connection callback): add delta, return the count
 * after it. */
long long metrics_connection(int delta);
/* Count a time the connections open reached --max-connections (server.c, connection()). */
void metrics_limit_reached(void);
/* Count a connection libmicrohttpd closed unanswered at --max-per-ip (server.c, refused()). */
void metrics_refused(void);
/* Count a connection closed at --timeout before it sent a request line (server.c). */
void metrics_timed_out(void);
/* Count a failed keep of the posts cache in the model file (server.c, keep_posts()). */
void metrics_keep_failed(void);

/* The whole exposition, malloc'd (NUL-terminated, length in *len), or NULL when out of memory. */
char *metrics_render(size_t *len);

/* Zero everything (tests). */
void metrics_reset(void);

#endif
