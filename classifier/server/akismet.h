/*
 * akismet.h - the Akismet-compatible endpoints (internal to the server).
 *
 * Akismet's REST API 1.1 (https://akismet.com/developers/): form-encoded POSTs to
 * /1.1/verify-key, /1.1/comment-check, /1.1/submit-spam and /1.1/submit-ham, plain-text
 * answers. Existing clients switch to kindly by changing the host name they call.
 */
#ifndef KD_SRV_AKISMET_H
#define KD_SRV_AKISMET_H

#include <stddef.h>

#include "form.h"
#include "server.h"

/*
 * Read a key file: one key per line; blank lines and lines starting with '#' are ignored,
 * surrounding white space is trimmed. An empty file accepts no key at all.
 * @return 0, or -1 with err filled in (unreadable file, out of memory).
 */
int akismet_keys_load(srv_keys **out, const char *path, char *err, size_t errlen);
/* Number of keys. */
size_t akismet_keys_count(const srv_keys *k);
void akismet_keys_free(srv_keys *k);
/* Whether key is accepted: with keys == NULL (no --keys), every non-empty key is. */
int akismet_key_ok(const srv_keys *keys, const char *key);

/*
 * The key a request carries: the `api_key` or `key` field, else the first label of the Host
 * name when it has at least two labels and is not an IP literal (KEY.host:port, the way
 * Akismet's own clients send it). Copied into buf; returns buf, or NULL when there is none.
 */
const char *akismet_request_key(const srv_form *f, const char *host, char *buf, size_t n);

/* The comment an Akismet form describes (fields borrowed from f; text is "" when absent). */
void akismet_comment(const srv_form *f, kd_comment *out);

/* Answer one request to an Akismet endpoint (rq->endpoint is one of EP_VERIFY_KEY ..
 * EP_SUBMIT_HAM). rq->model may be NULL for verify-key. */
void akismet_handle(const srv_request *rq, srv_reply *out);

#endif
