/* test_metrics.c - classifier/server/metrics.c: counters, histogram buckets, exposition. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posts.h"
#include "server/metrics.h"

static char *render(void)
{
    size_t n = 0;
    char *s = metrics_render(&n);
    cr_assert_not_null(s);
    cr_assert_eq(strlen(s), n);
    return s;
}

static void has(const char *text, const char *line)
{
    cr_assert(strstr(text, line), "missing: %s\n--- exposition:\n%s", line, text);
}

Test(metrics, requests_by_endpoint_and_status, .init = metrics_reset)
{
    metrics_request(EP_COMMENT_CHECK, 200, 0.0003);
    metrics_request(EP_COMMENT_CHECK, 200, 0.002);
    metrics_request(EP_COMMENT_CHECK, 400, 0.00005);
    metrics_request(EP_CLASSIFY, 418, 0.1);
    char *s = render();
    has(s, "# TYPE kindly_http_requests_total counter\n");
    has(s, "kindly_http_requests_total{endpoint=\"/1.1/comment-check\",code=\"200\"} 2\n");
    has(s, "kindly_http_requests_total{endpoint=\"/1.1/comment-check\",code=\"400\"} 1\n");
    has(s, "kindly_http_requests_total{endpoint=\"/v1/classify\",code=\"other\"} 1\n");
    cr_assert_null(strstr(s, "endpoint=\"/1.1/submit-ham\""), "endpoints never used are left out");
    free(s);
}

/* An answer libmicrohttpd sent itself: counted with the requests, outside the histogram. */
Test(metrics, an_answer_of_the_library_is_counted_without_a_duration, .init = metrics_reset)
{
    metrics_answer(EP_OTHER, 431);
    metrics_answer(EP_COMMENT_CHECK, 400);
    metrics_request(EP_COMMENT_CHECK, 400, 0.001);
    char *s = render();
    has(s, "kindly_http_requests_total{endpoint=\"other\",code=\"431\"} 1\n");
    has(s, "kindly_http_requests_total{endpoint=\"/1.1/comment-check\",code=\"400\"} 2\n");
    has(s, "kindly_http_request_duration_seconds_count{endpoint=\"/1.1/comment-check\"} 1\n");
    cr_assert_null(strstr(s, "kindly_http_request_duration_seconds_count{endpoint=\"other\"}"), "%s", s);
    free(s);
}

Test(metrics, histogram_is_cumulative_with_sum_and_count, .init = metrics_reset)
{
    metrics_request(EP_COMMENT_CHECK, 200, 0.00005); /* <= 0.0001 */
    metrics_request(EP_COMMENT_CHECK, 200, 0.0001);  /* a bound is inclusive */
    metrics_request(EP_COMMENT_CHECK, 200, 0.003);   /* <= 0.005 */
    metrics_request(EP_COMMENT_CHECK, 200, 5.0);     /* +Inf only */
    char *s = render();
    has(s, "# TYPE kindly_http_request_duration_seconds histogram\n");
    has(s, "kindly_http_request_duration_seconds_bucket{endpoint=\"/1.1/comment-check\",le=\"0.0001\"} 2\n");
    has(s, "kindly_http_request_duration_seconds_bucket{endpoint=\"/1.1/comment-check\",le=\"0.0025\"} 2\n");
    has(s, "kindly_http_request_duration_seconds_bucket{endpoint=\"/1.1/comment-check\",le=\"0.005\"} 3\n");
    has(s, "kindly_http_request_duration_seconds_bucket{endpoint=\"/1.1/comment-check\",le=\"1\"} 3\n");
    has(s, "kindly_http_request_duration_seconds_bucket{endpoint=\"/1.1/comment-check\",le=\"+Inf\"} 4\n");
    has(s, "kindly_http_request_duration_seconds_count{endpoint=\"/1.1/comment-check\"} 4\n");
    has(s, "kindly_http_request_duration_seconds_sum{endpoint=\"/1.1/comment-check\"} 5.0031");
    free(s);
}

/* One scheme for the endpoint label: the path a client sends, on both APIs ("/1.1/comment-
 * check", "/v1/classify"), "other" for what no route took; it was Akismet's names without
 * their "/1.1/" beside the JSON API's paths. */
Test(metrics, the_endpoint_label_is_the_path, .init = metrics_reset)
{
    static const char *const paths[EP_COUNT] = {
        [EP_VERIFY_KEY] = "/1.1/verify-key", [EP_COMMENT_CHECK] = "/1.1/comment-check",
        [EP_SUBMIT_SPAM] = "/1.1/submit-spam", [EP_SUBMIT_HAM] = "/1.1/submit-ham",
        [EP_CLASSIFY] = "/v1/classify", [EP_FEEDBACK] = "/v1/feedback", [EP_HEALTHZ] = "/healthz",
        [EP_METRICS] = "/metrics", [EP_OTHER] = "other",
    };
    for (int e = 0; e < EP_COUNT; e++) {
        cr_assert_str_eq(metrics_endpoint_name((srv_endpoint)e), paths[e]);
        metrics_request((srv_endpoint)e, 200, 0.001);
    }
    char *s = render();
    for (int e = 0; e < EP_COUNT; e++) {
        char line[200];
        snprintf(line, sizeof line, "kindly_http_requests_total{endpoint=\"%s\",code=\"200\"} 1\n", paths[e]);
        has(s, line);
        snprintf(line, sizeof line, "kindly_http_request_duration_seconds_count{endpoint=\"%s\"} 1\n", paths[e]);
        has(s, line);
    }
    cr_assert_null(strstr(s, "kindly_request_duration"), "one prefix, kindly_http_, for the HTTP metrics");
    free(s);
}

Test(metrics, verdicts_feedback_reloads_connections, .init = metrics_reset)
{
    metrics_verdict(0);
    metrics_verdict(1);
    metrics_verdict(1);
    metrics_verdict(7); /* ignored */
    metrics_feedback(1, 1, 3);
    metrics_feedback(0, -1, 1);
    metrics_reload(0);
    metrics_reload(1);
    cr_assert_eq(metrics_connection(1), 1, "the count after");
    cr_assert_eq(metrics_connection(1), 2);
    cr_assert_eq(metrics_connection(-1), 1);
    metrics_limit_reached();
    metrics_refused();
    metrics_refused();
    metrics_timed_out();
    metrics_keep_failed();
    metrics_keep_failed();
    char *s = render();
    has(s, "kindly_verdicts_total{verdict=\"approve\"} 1\n");
    has(s, "kindly_verdicts_total{verdict=\"spam\"} 2\n");
    has(s, "kindly_verdicts_total{verdict=\"hold\"} 0\n");
    has(s, "kindly_feedback_total{label=\"spam\",action=\"learn\"} 3\n");
    has(s, "kindly_feedback_total{label=\"ham\",action=\"undo\"} 1\n");
    has(s, "kindly_model_reloads_total 1\n");
    has(s, "kindly_model_refresh_errors_total 1\n");
    has(s, "kindly_http_connections 1\n");
    has(s, "# TYPE kindly_http_connections_refused_total counter\n");
    has(s, "kindly_http_connections_refused_total 2\n");
    has(s, "# TYPE kindly_http_connections_limit_reached_total counter\n");
    has(s, "kindly_http_connections_limit_reached_total 1\n");
    has(s, "# TYPE kindly_http_connections_timed_out_total counter\n");
    has(s, "kindly_http_connections_timed_out_total 1\n");
    has(s, "# TYPE kindly_posts_cache_keep_failures_total counter\n");
    has(s, "kindly_posts_cache_keep_failures_total 2\n");
    free(s);
}

/* The posts cache's builds and its reads from the model file, as the library counts them. */
Test(metrics, posts_cache_builds_and_loads, .init = metrics_reset)
{
    char *s = render(), line[96];
    snprintf(line, sizeof line, "kindly_posts_cache_builds_total %llu\n", (unsigned long long)kd_posts_cache_builds());
    has(s, line);
    has(s, "# TYPE kindly_posts_cache_loads_total counter\n");
    snprintf(line, sizeof line, "kindly_posts_cache_loads_total %llu\n", (unsigned long long)kd_posts_cache_loads());
    has(s, line);
    free(s);
}

Test(metrics, every_line_is_a_comment_or_a_sample, .init = metrics_reset)
{
    for (int e = 0; e < EP_COUNT; e++)
        metrics_request((srv_endpoint)e, 200, 0.001 * e);
    char *s = render();
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            cr_assert(!strncmp(line, "# HELP kindly_", 14) || !strncmp(line, "# TYPE kindly_", 14), "%s", line);
            continue;
        }
        cr_assert(!strncmp(line, "kindly_", 7), "%s", line);
        char *sp = strrchr(line, ' ');
        cr_assert_not_null(sp, "%s", line);
        char *end;
        strtod(sp + 1, &end);
        cr_assert_eq(*end, '\0', "value of: %s", line);
    }
    free(s);
}
