/*
 * api.h - kindly's native JSON API (internal to the server): POST /v1/classify and
 * POST /v1/feedback.
 */
#ifndef KD_SRV_API_H
#define KD_SRV_API_H

#include <stddef.h>

#include "server.h"

/* Comments decoded from a JSON body: one object, or an array of them. */
typedef struct api_batch {
    void *root;         /* the parsed document (json_t); the strings below point into it */
    size_t n;
    kd_comment *c;
    kd_label *label;    /* feedback: spam or ham */
    int *undo;          /* feedback: 1 to unlearn */
    int array;          /* the body was an array: answer with an array */
    char (*num)[3][32]; /* id, post_id, parent given as JSON numbers, as text */
    const char **unknown; /* per item, the first field kindly does not know, or NULL */
} api_batch;

#define API_BATCH_INIT { NULL, 0, NULL, NULL, NULL, 0, NULL, NULL }

/*
 * Decode a body. Fields are kindly's CSV column names: id, post_id, parent, author, email,
 * url, ip, agent, date, text (required); id, post_id and parent may also be integers (64
 * bits); null is the same as absent, but for text (an error, as another type is: the message
 * names the field, what it takes and what it got). With feedback set, each object also needs "label": "spam" or
 * "ham", and may have "undo": true. Any other field is ignored, and named in out->unknown
 * (the reply warns about it: "comment_author" or "post" for "author" and "post_id" would
 * otherwise lose what they hold without a word).
 * @return 0; -1 malformed (err names the item and the field); -2 out of memory. The batch
 *         is freed with api_batch_free() in every case.
 */
int api_parse(const char *body, size_t len, int feedback, api_batch *out, char *err, size_t errlen);
void api_batch_free(api_batch *b);

/* Answer a request to /v1/classify or /v1/feedback (401 without a key when the server has
 * keys). */
void api_handle(const srv_request *rq, srv_reply *out);

/* Whether a JSON API request carries a key this server accepts (always, without --keys);
 * otherwise out is the 401. Also asked when the headers arrive (server.c): a body without a
 * key is not read, let alone buffered. */
int api_authorized(const srv_request *rq, srv_reply *out);

/* Comments in one JSON API request: a request of 80,000 empty ones built a 17 MB answer and
 * held a worker for seconds. */
#define API_MAX_ITEMS 1000

#endif
