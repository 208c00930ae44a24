/*
 * cmd_serve.c - `kindly serve`: the HTTP server (classifier/server/) as a command. Parses
 * the flags, resolves the listening address, raises the open-file limit for many
 * connections, then waits for SIGINT, SIGTERM or SIGHUP in the main thread (blocked in
 * every other thread, so the signal is taken synchronously with sigwait, not in a handler)
 * and stops gracefully on SIGINT or SIGTERM. SIGHUP reloads the key file and the rule file
 * (requests in progress finish with the old ones; a file with an error is named and the
 * old ones are kept); the model's counts, posts and history need no signal: every request
 * sees the last commit.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/server.h"

/* --listen's value into cfg->addr: 0, or -1 for a value not of the form (why left empty), or
 * -1 with why filled in for a port out of range or a host that does not resolve. */
static int parse_listen(const char *spec, srv_config *cfg, char *why, size_t whylen)
{
    why[0] = '\0';
    char host[256];
    const char *port;
    if (spec[0] == '[') { /* [v6]:port */
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof host)
            return -1;
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        host[end - spec - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon) { /* a port alone */
            snprintf(host, sizeof host, "127.0.0.1");
            port = spec;
        } else {
            if ((size_t)(colon - spec) >= sizeof host)
                return -1;
            memcpy(host, spec, (size_t)(colon - spec));
            host[colon - spec] = '\0';
            if (!host[0])
                snprintf(host, sizeof host, "127.0.0.1");
            port = colon + 1;
            /* "::1", "2001:db8::1", ":::1", "::1:8080": an IPv6 address without brackets.
             * Where it ends and the port begins cannot be told (":::1" read as "::" on port 1
             * listened on every address; "::1:8080" is an address by itself), so every one
             * is refused, as Go's net.SplitHostPort refuses them ("too many colons") */
            if (strchr(host, ':')) {
                snprintf(why, whylen, "--listen: an IPv6 address goes in brackets, then its port: [::1]:8080 (got '%s')",
                         spec);
                return -1;
            }
        }
    }
    unsigned long p;
    if (cli_parse_uint(port, 0, 65535, &p)) {
        if (port[0] && port[strspn(port, "0123456789")] == '\0')
            snprintf(why, whylen, "--listen: the port is a number from 0 to 65535 (got '%s')", port);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc || !res) {
        snprintf(why, whylen, "--listen: cannot resolve the host '%s' (%s)", host,
                 rc ? gai_strerror(rc) : "no address");
        return -1;
    }
    memcpy(&cfg->addr, res->ai_addr, res->ai_addrlen);
    cfg->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int parse_size(const char *s, size_t *out)
{
    char buf[32];
    size_t n = s ? strlen(s) : 0, mul = 1;
    if (!n || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    char last = buf[n - 1];
    if (last == 'k' || last == 'K')
        mul = 1024;
    else if (last == 'm' || last == 'M')
        mul = 1024 * 1024;
    else if (last == 'g' || last == 'G') /* 1G, the largest, as the message names it */
        mul = 1024 * 1024 * 1024;
    if (mul > 1)
        buf[n - 1] = '\0';
    unsigned long v;
    if (cli_parse_uint(buf, 1, (1UL << 30) / mul, &v))
        return -1;
    *out = (size_t)v * mul;
    return 0;
}

/* SIGHUP: load the key file and the rule file again and hand them to the server; on an
 * error, say so and keep serving with what it has. */
static void reload(srv_server *s, const char *keys_path, int quiet)
{
    char err[512];
    srv_keys *keys = NULL;
    if (keys_path && srv_keys_load(&keys, keys_path, err, sizeof err)) {
        cli_fail(EXIT_DONE, "serve", "SIGHUP: %s; nothing reloaded: still serving with the keys and rules "
                                     "loaded before", err);
        metrics_config_reload(1);
        return;
    }
    int status = EXIT_DONE;
    kd_rules *rules = cli_load_rules("serve", &status, 1); /* names the error as FILE:LINE:COLUMN */
    if (status) {
        srv_keys_free(keys);
        fprintf(stderr, "kindly serve: SIGHUP: nothing reloaded: still serving with the keys and rules loaded before\n");
        metrics_config_reload(1);
        return;
    }
    if (srv_reload(s, keys, rules)) {
        srv_keys_free(keys);
        kd_rules_free(rules);
        fprintf(stderr, "kindly serve: SIGHUP: out of memory; nothing reloaded: still serving with the keys "
                        "and rules loaded before\n");
        metrics_config_reload(1);
        return;
    }
    metrics_config_reload(0);
    size_t n = rules ? kd_rules_count(rules) : 0;
    if (!quiet)
        fprintf(stderr, "kindly serve: SIGHUP: reloaded %s%s (%zu rule%s)\n", keys_path ? "the keys and " : "",
                rules ? "the rules" : "no rules", n, n == 1 ? "" : "s");
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int cmd_serve(int argc, char **argv)
{
    const char *model = NULL, *listen = "127.0.0.1:8080", *keys_path = NULL;
    srv_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.options = (kd_options)KD_OPTIONS_INIT;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (unsigned)ncpu;
    cfg.max_body = (size_t)1 << 20;
    cfg.max_connections = 4096;
    /* one client address holds at most 1/64 of the default connections: far more than a
     * blog's PHP workers open at once, too few to take the server from everyone else; on a
     * loopback address (below) every client is this machine's, the reverse proxy in front
     * of kindly or the blog itself, so no limit unless one is given */
    cfg.max_per_ip = 64;
    int per_ip_given = 0;
    cfg.timeout = 30;
    cfg.discard = 0.99;
    cfg.keep_interval = 60;
    int quiet = 0, after = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int op = cli_operand(a, &after);
        if (op < 0)
            continue;
        if (op)
            return cli_usage("serve", "takes no file ('%s'): name the model with -m", a);
        int k = cli_parse_classify_flag("serve", argc, argv, &i, &cfg.options);
        if (k < 0)
            return EXIT_USAGE;
        if (k)
            continue;
        unsigned long n;
        if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && v)
            model = argv[++i];
        else if (!strcmp(a, "--listen") && v)
            listen = argv[++i];
        else if (!strcmp(a, "--keys") && v)
            keys_path = argv[++i];
        else if (!strcmp(a, "--threads")) {
            if (cli_parse_uint(v, 1, 256, &n))
                return cli_bad_count("serve", a, v, "a count from 1 to 256", "leave --threads out for one a CPU");
            cfg.threads = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--max-body")) {
            if (parse_size(v, &cfg.max_body))
                return cli_bad_value("serve", a, v, "a size in bytes (suffix k, M or G), at most 1G");
            i++;
        } else if (!strcmp(a, "--max-connections")) {
            if (cli_parse_uint(v, 1, 1000000, &n))
                return cli_bad_value("serve", a, v, "a count from 1 to 1000000");
            cfg.max_connections = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--max-per-ip")) {
            if (cli_parse_uint(v, 0, 1000000, &n))
                return cli_bad_value("serve", a, v, "a count from 0 (no limit) to 1000000");
            cfg.max_per_ip = (unsigned)n;
            per_ip_given = 1;
            i++;
        } else if (!strcmp(a, "--timeout")) {
            if (cli_parse_uint(v, 1, 86400, &n))
                return cli_bad_value("serve", a, v, "seconds from 1 to 86400");
            cfg.timeout = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--snapshot-interval")) {
            if (cli_parse_uint(v, 0, 86400, &n))
                return cli_bad_value("serve", a, v, "seconds from 0 (only when the server stops) to 86400");
            cfg.keep_interval = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--discard")) {
            if (cli_parse_double(v, 0.0, 1.0, &cfg.discard))
                return cli_bad_value("serve", a, v, "a number from 0 to 1");
            i++;
        } else if (!strcmp(a, "--hold-as")) {
            if (v && !strcmp(v, "spam"))
                cfg.hold_is_spam = 1;
            else if (v && !strcmp(v, "ham"))
                cfg.hold_is_spam = 0;
            else
                return cli_bad_value("serve", "--hold-as", v, "'spam' or 'ham'");
            i++;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = 1;
        else
            return cli_bad_option("serve", a, i + 1 == argc, "");
    }
    if (cli_check_cutoffs("serve", &cfg.options))
        return EXIT_USAGE;
    if (cfg.options.remember)
        return cli_usage("serve", "the server records the comments it classifies by itself (not is_test ones, "
                                  "and none with --dup-threshold off): --remember is for score, check and eval");
    char why[512];
    if (parse_listen(listen, &cfg, why, sizeof why))
        return why[0] ? cli_usage("serve", "%s", why)
                      : cli_usage("serve", "--listen takes HOST:PORT, [IPv6]:PORT or PORT (got '%s')", listen);
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&cfg.addr)->sin6_addr;
    int loopback = cfg.addr.ss_family == AF_INET
                       ? (ntohl(((const struct sockaddr_in *)&cfg.addr)->sin_addr.s_addr) >> 24) == 127
                       : IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
    if (loopback && !per_ip_given)
        cfg.max_per_ip = 0;
    /* a model named explicitly (-m or $KINDLY_MODEL) learns; the shipped default never does,
     * nor does a file this user may not write: served read-only, it still classifies */
    const char *env = getenv("KINDLY_MODEL");
    cfg.writable = model || (env && *env);
    cfg.model_path = cli_model_path(model);
    if (cli_refuse_env_model("serve", cfg.model_path))
        return EXIT_USAGE;
    /* an empty file is no model (a copy cut short, a wrong name): refused as the CLI's
     * commands refuse it, not served as an empty model that learns from nothing */
    if (cli_empty_model_file(cfg.model_path))
        return cli_fail(EXIT_MODEL, "serve", "%s is an empty file, not a trained kindly model%s", cfg.model_path,
                        !model && env && *env ? " (named by $KINDLY_MODEL)" : "");
    char readonly_why[600] = "";
    if (cfg.writable && cli_is_default_model(cfg.model_path)) {
        /* named with -m or $KINDLY_MODEL, it is still the committed default: never written */
        snprintf(readonly_why, sizeof readonly_why, "%s is the shipped default model, which is never written to",
                 cfg.model_path);
        cfg.writable = 0;
    } else if (cfg.writable && !srv_model_writable(cfg.model_path, readonly_why, sizeof readonly_why))
        cfg.writable = 0;

    int status = EXIT_DONE;
    kd_rules *rules = cli_load_rules("serve", &status, 1); /* --rules / --no-rules / the default */
    if (status)
        return status;
    cfg.options.rules = rules; /* read-only once loaded: shared by every worker thread */
    srv_keys *keys = NULL;
    char err[512];
    if (keys_path && srv_keys_load(&keys, keys_path, err, sizeof err)) {
        kd_rules_free(rules);
        return cli_fail(EXIT_MODEL, "serve", "--keys %s", err);
    }
    cfg.keys = keys;

    /* SIGINT, SIGTERM and SIGHUP are blocked here, before any thread starts, so that every
     * worker inherits the mask and only sigwait below receives them */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();

    srv_server *s = NULL;
    if (srv_start(&s, &cfg, err, sizeof err)) {
        srv_keys_free(keys);
        kd_rules_free(rules);
        /* loaded when the server starts (server.c, server/libjansson.c) */
        if (strstr(err, "libmicrohttpd") || strstr(err, "libjansson"))
            return cli_fail(EXIT_INTERNAL, "serve", "%s", err);
        int is_model = !strstr(err, "listen");
        const char *what = is_model ? cfg.model_path : listen;
        /* a model from $KINDLY_MODEL, not typed on this command line, is said to be */
        const char *env_note = is_model && !model && env && *env ? " (named by $KINDLY_MODEL)" : "";
        if (strstr(err, what)) /* the message names it already */
            return cli_fail(EXIT_MODEL, "serve", "%s%s", err, env_note);
        return cli_fail(EXIT_MODEL, "serve", "%s: %s%s", what, err, env_note);
    }
    /* a model named to learn into but served read-only is a warning, said with -q too: a quiet
     * server would otherwise answer every report 403 with nothing in its log to say why */
    if (readonly_why[0])
        fprintf(stderr, "kindly serve: %s: serving it read-only (comments are not remembered, feedback gets 403)\n",
                readonly_why);
    else if (!quiet && cfg.options.dup_threshold < 0)
        fprintf(stderr, "kindly serve: the duplicates stage is off (--dup-threshold off): classified comments are "
                        "not recorded in the history (feedback still is)\n");
    /* the port picked for port 0 is said even with -q: it is what the caller asked for, not
     * a start message, and without it the server cannot be reached */
    in_port_t asked = cfg.addr.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&cfg.addr)->sin6_port
                                                      : ((const struct sockaddr_in *)&cfg.addr)->sin_port;
    if (!quiet || !asked) {
        char host[NI_MAXHOST] = "?";
        getnameinfo((const struct sockaddr *)&cfg.addr, cfg.addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
        int v6 = cfg.addr.ss_family == AF_INET6;
        fprintf(stderr, "kindly serve: listening on http://%s%s%s:%u (%u thread%s, model %s, %s, %s)\n",
                v6 ? "[" : "", host, v6 ? "]" : "", srv_port(s), cfg.threads, cfg.threads == 1 ? "" : "s",
                cfg.model_path,
                cfg.writable ? "learning from feedback" : "read-only", keys ? "keys required" : "no key required");
    }
    /* not loopback and no keys: anyone who reaches the port can classify and teach the model
     * (said even with -q: a warning, not a start message) */
    if (!keys && !loopback) {
        fprintf(stderr, "kindly serve: warning: listening beyond this machine without --keys: anyone who can "
                        "reach the port can %s\n", cfg.writable ? "classify comments and teach the model" : "classify comments");
    }
    int sig = 0;
    while (!sigwait(&stop, &sig) && sig == SIGHUP)
        reload(s, keys_path, quiet);
    if (!quiet)
        fprintf(stderr, "kindly serve: %s: finishing requests in progress and stopping (a second signal stops "
                        "at once)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* a second SIGINT or SIGTERM ends the server at once, by the signal, as it ends train:
     * requests still under way go unanswered. The workers keep them blocked, so the signal
     * comes to this thread, where it now takes its default action (set: a shell starts a
     * background job with SIGINT ignored, and sigwait took it all the same). */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigdelset(&stop, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    unsigned left = srv_stop(s, 5000);
    /* a warning, also with -q: their clients saw the connection closed, unanswered */
    if (left)
        fprintf(stderr, "kindly serve: warning: %u request%s still under way after 5 s of grace %s left unanswered\n",
                left, left == 1 ? "" : "s", left == 1 ? "was" : "were");
    srv_keys_free(keys);
    kd_rules_free(rules);
    if (!quiet)
        fprintf(stderr, "kindly serve: stopped\n");
    return EXIT_DONE;
}
