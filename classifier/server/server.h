/*
 * server.h - kindly's HTTP server (internal to the kindly binary; libkindly has no HTTP).
 *
 * server.c owns libmicrohttpd: the listening socket, the thread pool, body limits, routing
 * and shutdown. The endpoints are plain functions from an srv_request to an srv_reply
 * (akismet.c, api.c), so that they are tested without a socket.
 */
#ifndef KD_SRV_SERVER_H
#define KD_SRV_SERVER_H

#include <stddef.h>
#include <sys/socket.h>

#include "kindly.h"
#include "metrics.h"
#include "reply.h"

typedef struct srv_keys srv_keys; /* the accepted keys (keys.c) */

typedef struct srv_config {
    const char *model_path;
    int writable;             /* the model may be written: feedback is accepted */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    unsigned threads;         /* worker threads = model handles */
    size_t max_body;          /* bytes; larger bodies get 413 */
    unsigned max_connections;
    unsigned max_per_ip;      /* connections one client address may hold at once (0: no
                                 limit); past it libmicrohttpd closes a new one unanswered */
    unsigned timeout;         /* seconds of inactivity before a connection is closed, and
                                 a request body may take (then: 408) */
    const srv_keys *keys;     /* NULL: no key is needed (both APIs), any Akismet key is accepted */
    kd_options options;       /* classification options (remember is set per request) */
    double discard;           /* spam_score at or above this: X-akismet-pro-tip: discard */
    int hold_is_spam;         /* Akismet answer for a held comment: 1 true, 0 false */
    unsigned keep_interval;   /* seconds: the posts cache is kept in the model file after a
                                 feedback's answer at most once in this many (0: only at
                                 srv_stop; server.c, keep_posts) */
} srv_config;

/* One request as the endpoints see it. */
typedef struct srv_request {
    srv_endpoint endpoint;
    const char *body;         /* NUL-terminated (the NUL is not counted in len) */
    size_t len;
    const char *host;         /* the authority the request is for (host[:port], checked by
                                 srv_host_parse): its target's in absolute form, else its
                                 Host header's; NULL when none or empty */
    const char *content_type; /* Content-Type header, or NULL */
    kd_model *model;          /* this request's handle, already refreshed */
    const srv_config *cfg;
    const char *authorization;/* Authorization header, or NULL */
    const char *content_encoding; /* Content-Encoding header, or NULL */
} srv_request;

typedef struct srv_server srv_server;

/*
 * Whether this process may write the model file, asked before the server opens it for
 * writing: SQLite opens a file it may not write read-only without a word, and every write
 * (remembering a comment, feedback) would then fail. 1 when it may (or when the file cannot
 * be opened at all: the open says why); 0, with why filled in, when it may only read it.
 */
int srv_model_writable(const char *path, char *why, size_t whylen);

/* The longest authority (host[:port]) a request may name, in bytes. */
#define SRV_HOST_MAX 255

/*
 * Whether s (len bytes, not necessarily NUL-terminated) is a valid authority for a request
 * (host.c): RFC 3986's host [":" port] without userinfo, a reg-name or IPv4 address ("KEY.
 * example.com", "127.0.0.1") or an IPv6 address in brackets ("[::1]"; a zone ID is refused),
 * then an optional port of digits, 0 to 65535; at most SRV_HOST_MAX bytes; not empty.
 * @param[out] hostlen  when not NULL and valid: the length of the host, brackets included
 * @param[out] port     when not NULL and valid: the port, or -1 when none ("host", "host:")
 * @return 0 when valid, -1 when not (the outputs untouched).
 */
int srv_host_parse(const char *s, size_t len, size_t *hostlen, long *port);

/*
 * The endpoint a request names (its target in origin or absolute form: srv_target_path, target.h; a target in
 * neither, srv_target_form, server.c answers 400 before). 0, with *ep; 404 for an unknown path; 405 when the path does
 * not take this method, 204 when the method is OPTIONS (RFC 9110, 9.3.7: *ep set, *allow the methods it takes, OPTIONS
 * last, for the Allow header; the server answers OPTIONS itself, with no content). HEAD is
 * taken wherever GET is (RFC 9110, 9.3.2): libmicrohttpd sends the headers of the answer
 * to GET, without its body.
 */
int srv_route(const char *url, const char *method, srv_endpoint *ep, const char **allow);
/* 1 when HTTP defines the method (RFC 9110's and PATCH): server.c answers any other 501. */
int srv_method_known(const char *method);

/* Whether a request's Content-Encoding is absent, empty or "identity" (any case): its body is
 * as sent. kindly decodes no content coding (gzip, deflate, br): a body in one is answered
 * 415, naming it, with Accept-Encoding: identity (RFC 9110, 8.4 and 15.5.16). */
int srv_content_encoding_none(const char *ce);

/* Whether a request's Content-Type is absent (taken as the endpoint's own) or names the
 * media type type, case-insensitively, with or without parameters ("; charset=UTF-8"): the
 * type, not a prefix of one ("application/jsonp" is no "application/json"). */
int srv_content_type_is(const char *ct, const char *type);

/*
 * Open cfg->threads model handles and start listening. On failure, err says why.
 * @return 0, or -1.
 */
int srv_start(srv_server **out, const srv_config *cfg, char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned srv_port(const srv_server *s);
/*
 * Replace the keys and rules that requests use from now on (keys NULL: none needed; rules
 * NULL: none); requests in progress finish with the ones they started with. The server owns
 * keys and rules from then on and frees them when no request uses them. The keys and rules
 * given to srv_start stay the caller's, to free after srv_stop.
 * @return 0, or -1 when out of memory (nothing changed; the caller still owns both).
 */
int srv_reload(srv_server *s, srv_keys *keys, kd_rules *rules);
/*
 * Graceful stop: stop accepting, wait up to grace_ms for requests in progress to be
 * answered, then close every connection, stop the threads and close the models.
 * @return the requests the stop closed before their answers were sent: those still under
 *         way when the grace period ended (counted as libmicrohttpd ends them, so one that
 *         ends while the threads stop is not) (0 for s NULL).
 */
unsigned srv_stop(srv_server *s, unsigned grace_ms);

#endif
