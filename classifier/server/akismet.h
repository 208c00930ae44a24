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
#include "keys.h"
#include "server.h"

/*
 * The key a request carries: the `api_key` or `key` field, else the first label of the Host
 * name when it has at least two labels and is not an IP literal (KEY.host:port, the way
 * Akismet's own clients send it), its %-escapes decoded (RFC 3986, 3.2.2). Copied into buf;
 * returns buf, or NULL when there is none, when it is too long for buf (not cut to fit) or
 * when it holds a NUL (%00).
 */
const char *akismet_request_key(const srv_form *f, const char *host, char *buf, size_t n);

/* The comment an Akismet form describes (fields borrowed from f; text is "" when absent). */
void akismet_comment(const srv_form *f, kd_comment *out);

/* Answer one request to an Akismet endpoint (rq->endpoint is one of EP_VERIFY_KEY ..
 * EP_SUBMIT_HAM). rq->model may be NULL for verify-key. */
void akismet_handle(const srv_request *rq, srv_reply *out);

#endif
