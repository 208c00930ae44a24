/* test_server.c - classifier/server/server.c without a socket: routing (HEAD wherever GET;
 * a request-target in absolute form) and the check, before start, that the model file can be
 * written. */
#include "helpers.h"
#include <criterion/parameterized.h>
#include "server/server.h"

typedef struct route_case { char url[48], method[8]; int status; srv_endpoint ep; char allow[24]; } route_case;
ParameterizedTestParameters(server, routes)
{
    static route_case p[] = {
        { "/1.1/comment-check", "POST", 0, EP_COMMENT_CHECK, "POST, OPTIONS" },
        { "/v1/classify", "POST", 0, EP_CLASSIFY, "POST, OPTIONS" },
        { "/v1/feedback", "GET", 405, EP_FEEDBACK, "POST, OPTIONS" },
        { "/v1/classify", "HEAD", 405, EP_CLASSIFY, "POST, OPTIONS" },
        { "/healthz", "GET", 0, EP_HEALTHZ, "GET, HEAD, OPTIONS" },
        { "/healthz", "HEAD", 0, EP_HEALTHZ, "GET, HEAD, OPTIONS" }, /* RFC 9110: HEAD wherever GET */
        { "/metrics", "HEAD", 0, EP_METRICS, "GET, HEAD, OPTIONS" },
        { "/metrics", "POST", 405, EP_METRICS, "GET, HEAD, OPTIONS" },
        { "/nowhere", "GET", 404, EP_OTHER, "" },
        /* OPTIONS asks what a path takes (RFC 9110, 9.3.7): 204 with the Allow of a 405 */
        { "/v1/classify", "OPTIONS", 204, EP_CLASSIFY, "POST, OPTIONS" },
        { "/1.1/submit-ham", "OPTIONS", 204, EP_SUBMIT_HAM, "POST, OPTIONS" },
        { "/healthz", "OPTIONS", 204, EP_HEALTHZ, "GET, HEAD, OPTIONS" },
        { "http://h/metrics", "OPTIONS", 204, EP_METRICS, "GET, HEAD, OPTIONS" },
        { "/nowhere", "OPTIONS", 404, EP_OTHER, "" },
        /* absolute form (RFC 9112, 3.2.2): routed by its path, whatever the authority */
        { "http://127.0.0.1:8080/1.1/comment-check", "POST", 0, EP_COMMENT_CHECK, "POST, OPTIONS" },
        { "HTTPS://KEY.example/v1/classify", "POST", 0, EP_CLASSIFY, "POST, OPTIONS" },
        { "Http://[::1]:80/healthz", "HEAD", 0, EP_HEALTHZ, "GET, HEAD, OPTIONS" },
        { "http://h/metrics", "POST", 405, EP_METRICS, "GET, HEAD, OPTIONS" },
        { "http://h/nowhere", "GET", 404, EP_OTHER, "" },
        { "http://h", "GET", 404, EP_OTHER, "" },          /* no path: "/" */
        { "ftp://h/healthz", "GET", 404, EP_OTHER, "" },   /* another scheme */
        { "http:/healthz", "GET", 404, EP_OTHER, "" },     /* no authority: no absolute form */
        { "/http://h/healthz", "GET", 404, EP_OTHER, "" }, /* a path, not a URI */
    };
    return cr_make_param_array(route_case, p, sizeof p / sizeof *p);
}
ParameterizedTest(route_case *p, server, routes)
{
    srv_endpoint ep = EP_COUNT;
    const char *allow = "";
    cr_assert_eq(srv_route(p->url, p->method, &ep, &allow), p->status, "%s %s", p->method, p->url);
    cr_assert_eq(ep, p->ep, "%s %s", p->method, p->url);
    if (p->status == 405 || p->status == 204)
        cr_assert_str_eq(allow, p->allow, "%s %s", p->method, p->url);
}

/* The methods HTTP defines are known (405 where a path does not take them); others are 501,
 * case-sensitively (RFC 9110, 9.1: method names are case-sensitive). */
Test(server, methods_known_and_unknown)
{
    const char *known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        cr_expect(srv_method_known(known[i]), "%s", known[i]);
    const char *unknown[] = { "BREW", "get", "PROPFIND", "", "GETX", "POS" };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
        cr_expect(!srv_method_known(unknown[i]), "'%s'", unknown[i]);
}

static char dir[256];
static void setup(void) { th_tmpdir(dir, sizeof dir); }
static void teardown(void)
{
    if (getuid() == 0 && geteuid() != 0)
        cr_assert_eq(seteuid(0), 0);
    th_rmrf(dir);
}

/* A model the server's user may only read is served read-only instead of failing every
 * request that would write it; a missing file is left to the open, which names it. */
Test(server, a_model_file_it_may_only_read_is_not_writable, .init = setup, .fini = teardown)
{
    char path[300], why[600] = "";
    th_write(dir, "m.db", "not even a model: only its mode matters here", path, sizeof path);
    cr_assert_eq(srv_model_writable(path, why, sizeof why), 1);
    cr_assert_eq(chmod(dir, 0755), 0);
    cr_assert_eq(chmod(path, 0444), 0);
    if (geteuid() == 0) /* root writes anything: ask as nobody */
        cr_assert_eq(seteuid(65534), 0);
    cr_assert_eq(srv_model_writable(path, why, sizeof why), 0);
    cr_assert(strstr(why, path) && strstr(why, "Permission denied"), "%s", why);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    cr_assert_eq(srv_model_writable(missing, why, sizeof why), 1);
}
