/*
 * api.c - the JSON API: /v1/classify answers with kindly's own result objects
 * (kd_result_json: every score and reason, the same objects `kindly score` prints), one
 * object for one comment or an array for an array (at most API_MAX_ITEMS); /v1/feedback
 * learns or unlearns labelled comments, one transaction per comment (kd_feedback).
 *
 * Parsing is jansson's (Debian's libjansson): strict RFC 8259, invalid UTF-8 and \u0000
 * rejected, nesting depth bounded, so a hostile body costs at most its own size.
 *
 * With --keys, a request needs one of the keys as a bearer token (RFC 6750: "Authorization:
 * Bearer KEY"), else it is answered 401 before its body is read (server.c): feedback retrains the model
 * and every classification is remembered, so neither is open to whoever reaches the port.
 * (Akismet's places for a key, a form field or the host name, belong to Akismet's protocol.)
 */
#include "api.h"
#include "buf.h"
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keys.h"
#include "libjansson.h"

static const struct {
    const char *name;
    size_t off;
    int num; /* index in api_batch.num when a number is accepted, else -1 */
} fields[] = {
    { "id", offsetof(kd_comment, id), 0 },         { "post_id", offsetof(kd_comment, post_id), 1 },
    { "parent", offsetof(kd_comment, parent), 2 }, { "author", offsetof(kd_comment, author), -1 },
    { "email", offsetof(kd_comment, email), -1 },  { "url", offsetof(kd_comment, url), -1 },
    { "ip", offsetof(kd_comment, ip), -1 },        { "agent", offsetof(kd_comment, agent), -1 },
    { "date", offsetof(kd_comment, date), -1 },    { "text", offsetof(kd_comment, text), -1 },
};

/* Whether key is a field of a comment (fields[]), or feedback's label or undo. */
static int field_known(const char *key, int feedback)
{
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        if (!strcmp(key, fields[k].name))
            return 1;
    return feedback && (!strcmp(key, "label") || !strcmp(key, "undo"));
}

/* Whether an unknown field's name is another program's name for the text: WordPress's and
 * Akismet's comment_content, YouTube's CONTENT, or a content, comment, message or body. */
static int text_like(const char *key)
{
    static const char *const names[] = { "comment_content", "content", "comment", "message", "body" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (!strcasecmp(key, names[k]))
            return 1;
    return 0;
}

/* "item I: ", the start of a message about item i of an array; "" for one object. */
static void item_where(const api_batch *b, size_t i, char *where, size_t len)
{
    where[0] = '\0';
    if (b->array)
        snprintf(where, len, "item %zu: ", i);
}

/* What v is, for a message that says what a field takes and what it got. */
static const char *kind(const json_t *v)
{
    return json_is_null(v)      ? "null"
           : json_is_boolean(v) ? "a boolean"
           : json_is_integer(v) ? "an integer"
           : json_is_real(v)    ? "a number"
           : json_is_string(v)  ? "a string"
           : json_is_array(v)   ? "an array"
                                : "an object";
}

/* Item i of the document: its fields into b->c[i] (and feedback's label and undo), or -1 with
 * a message naming the item and the field. reals: the document was read again with its
 * integers as reals, to find the one past 64 bits that jansson refused (api_parse): an
 * integral real within 64 bits then stands for the integer it was (its value is not used:
 * the parse fails). */
static int item(api_batch *b, size_t i, json_t *o, int feedback, int reals, char *err, size_t errlen)
{
    char where[32];
    item_where(b, i, where, sizeof where);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "%sa comment must be a JSON object", where);
        return -1;
    }
    kd_comment *c = &b->c[i];
    *c = (kd_comment)KD_COMMENT_INIT;
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        json_t *v = json_object_get(o, fields[k].name);
        const char **slot = (const char **)((char *)c + fields[k].off);
        /* null is an optional field absent; the text is not optional: null is no text */
        if (!v || (json_is_null(v) && strcmp(fields[k].name, "text")))
            continue;
        double d = json_is_real(v) ? json_real_value(v) : 0;
        if (json_is_string(v))
            *slot = json_string_value(v);
        else if (fields[k].num >= 0 && (json_is_integer(v) || (reals && json_is_real(v) && d > -0x1p63 && d < 0x1p63 &&
                                                              d == (double)(int64_t)d))) {
            char *s = b->num[i][fields[k].num];
            snprintf(s, sizeof b->num[i][0], "%" JSON_INTEGER_FORMAT, json_is_integer(v) ? json_integer_value(v) : 0);
            *slot = s;
        } else if (fields[k].num >= 0) {
            char got[80];
            if (!json_is_real(v))
                snprintf(got, sizeof got, "%s", kind(v));
            else if (d <= -0x1p63 || d >= 0x1p63)
                snprintf(got, sizeof got, "a number out of that range");
            else if (d == (double)(int64_t)d) /* 1.0, 1e3: "got 1" read as the integer it asked for */
                snprintf(got, sizeof got, "%.0f written with a decimal point or an exponent", d);
            else
                snprintf(got, sizeof got, "%g", d);
            snprintf(err, errlen, "%sfield '%s' must be a string or an integer from -2^63 to 2^63-1, got %s", where,
                     fields[k].name, got);
            return -1;
        } else {
            snprintf(err, errlen, "%sfield '%s' must be a string, got %s", where, fields[k].name, kind(v));
            return -1;
        }
    }
    const char *key, *texty = NULL;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (!field_known(key, feedback)) {
            if (!b->unknown[i])
                b->unknown[i] = key;
            if (!texty && text_like(key))
                texty = key;
        }
    }
    if (!c->text && texty) { /* a WordPress comment sent as it is: comment_ID came first, and was named */
        snprintf(err, errlen, "%sthe field 'text' is required (a field '%s' is no field of kindly's: %s)", where,
                 texty, "send the text as 'text'");
        return -1;
    }
    if (!c->text) {
        snprintf(err, errlen, "%sthe field 'text' is required%s%s%s", where, b->unknown[i] ? " (a field '" : "",
                 b->unknown[i] ? b->unknown[i] : "", b->unknown[i] ? "' is no field of kindly's)" : "");
        return -1;
    }
    if (!feedback)
        return 0;
    json_t *lv = json_object_get(o, "label");
    const char *l = json_string_value(lv);
    if (l && !strcmp(l, "spam"))
        b->label[i] = KD_SPAM;
    else if (l && !strcmp(l, "ham"))
        b->label[i] = KD_HAM;
    else if (!lv) {
        snprintf(err, errlen, "%sthe field 'label' is required: \"spam\" or \"ham\"", where);
        return -1;
    } else {
        if (l) /* the string given, cut short: "Spam", "approved" */
            snprintf(err, errlen, "%s'label' must be \"spam\" or \"ham\", got \"%.40s%s\"", where, l,
                     strlen(l) > 40 ? "..." : "");
        else
            snprintf(err, errlen, "%s'label' must be \"spam\" or \"ham\", got %s", where, kind(lv));
        return -1;
    }
    json_t *u = json_object_get(o, "undo");
    if (u && !json_is_boolean(u) && !json_is_null(u)) {
        snprintf(err, errlen, "%s'undo' must be true or false, got %s", where, kind(u));
        return -1;
    }
    b->undo[i] = json_is_true(u);
    /* an empty text would teach no token but shift the prior (one learnt before may be undone):
     * blank in any way (a no-break space, a zero-width space, &nbsp;) or only punctuation */
    int empty = b->undo[i] ? 0 : kd_text_empty(c->text);
    if (empty < 0)
        return -2;
    if (empty) {
        snprintf(err, errlen, "%sthe text is empty (only blanks or punctuation): there is nothing to learn", where);
        return -1;
    }
    return 0;
}

/* A number jansson refused as past its range (json_error_numeric_overflow: an integer past
 * 64 bits, a real past a double, 1e999), in kindly's words: not "malformed JSON" (RFC 8259, 6
 * lets a parser limit the range of numbers), the number as jansson quotes it and what kindly
 * reads. Said for any field, one kindly ignores included: jansson cannot read past it. */
static void number_too_large(const json_error_t *je, char *err, size_t errlen)
{
    const char *q = strstr(je->text, " near '"), *num = q ? q + 7 : "";
    int n = q ? (int)strcspn(num, "'") : 0;
    snprintf(err, errlen, "JSON at line %d, column %d: the number %s%.*s is larger than kindly reads in any field, "
             "read or ignored (integers of up to 64 bits, other numbers up to about 1.8e308)", je->line, je->column,
             n ? "" : "there", n, num);
}

int api_parse(const char *body, size_t len, int feedback, api_batch *b, char *err, size_t errlen)
{
    *b = (api_batch)API_BATCH_INIT;
    json_error_t je;
    /* no body at all (a POST without Content-Length, curl -X POST without -d): said so, not
     * as JSON that ends before it begins */
    if (!len) {
        snprintf(err, errlen, "the request has no body: send one JSON comment (%s) or an array of them",
                 feedback ? "{\"text\":\"...\",\"label\":\"spam\"}" : "{\"text\":\"...\"}");
        return -1;
    }
    /* one byte order mark before the text is skipped (RFC 8259, 8.1: a parser may ignore it;
     * .NET's UTF-8 writers send one), rather than refused in a message naming bytes that print
     * as nothing */
    if (len >= 3 && !memcmp(body, "\xef\xbb\xbf", 3)) {
        body += 3;
        len -= 3;
    }
    /* a key given twice is an error, not "the last one wins" silently */
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    int reals = 0;
    char jerr[sizeof je.text + 192] = "";
    /* an integer past 64 bits, which jansson refuses while parsing, in a message that names
     * no field: the document is read again with its integers as reals, and the field that
     * holds it is named by the checks of the items (one kindly does not read: jansson's) */
    if (!root && json_error_code(&je) == json_error_numeric_overflow &&
        (root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL))) {
        reals = 1;
        number_too_large(&je, jerr, sizeof jerr);
    }
    if (!root) {
        /* the server's failure, not the client's: out of memory, or jansson could not even
           set up its buffers (it then leaves its message empty) */
        if (json_error_code(&je) == json_error_out_of_memory || !je.text[0])
            return -2;
        /* a body in another charset (Latin-1 from a webhook) is told what JSON is: a charset
         * parameter changes nothing (RFC 8259, 11: application/json defines none) */
        /* a \u0000 in a string: jansson's own text names its flag, JSON_ALLOW_NUL, which is no
         * client's to set */
        enum json_error_code code = json_error_code(&je);
        if (code == json_error_numeric_overflow) {
            number_too_large(&je, err, errlen);
            return -1;
        }
        snprintf(err, errlen, "malformed JSON at line %d, column %d: %s%s", je.line, je.column,
                 code == json_error_null_character ? "\\u0000 (NUL) in a string: no field takes one" : je.text,
                 code == json_error_invalid_utf8 ? " (JSON is UTF-8, RFC 8259: send the body in UTF-8)" : "");
        return -1;
    }
    b->root = root;
    b->array = json_is_array(root);
    b->n = b->array ? json_array_size(root) : 1;
    if (b->n > API_MAX_ITEMS) {
        snprintf(err, errlen, "%zu comments in one request: at most %d; send them in several", b->n, API_MAX_ITEMS);
        return -1;
    }
    size_t n = b->n ? b->n : 1;
    b->c = calloc(n, sizeof *b->c);
    b->label = calloc(n, sizeof *b->label);
    b->undo = calloc(n, sizeof *b->undo);
    b->num = calloc(n, sizeof *b->num);
    b->unknown = calloc(n, sizeof *b->unknown);
    if (!b->c || !b->label || !b->undo || !b->num || !b->unknown)
        return -2;
    for (size_t i = 0; i < b->n; i++) {
        int rc = item(b, i, b->array ? json_array_get(root, i) : root, feedback, reals, err, errlen);
        if (rc)
            return rc;
    }
    if (reals) { /* the number is in a field kindly does not read */
        snprintf(err, errlen, "%s", jerr);
        return -1;
    }
    return 0;
}

void api_batch_free(api_batch *b)
{
    if (!b)
        return;
    json_decref(b->root);
    free(b->c);
    free(b->label);
    free(b->undo);
    free(b->num);
    free(b->unknown);
    *b = (api_batch)API_BATCH_INIT;
}

/* The items of a batch a warning applies to, and why (the first reason), for one header: a
 * reply has room for a few headers only, and the reason goes first, so that a long list of
 * items cannot push it out of the header's value. */
typedef struct warnings {
    char items[96], why[272];
    size_t n;
} warnings;

static void warn_add(warnings *w, size_t i, const char *why)
{
    size_t l = strlen(w->items);
    if (l + 24 < sizeof w->items)
        snprintf(w->items + l, sizeof w->items - l, "%s%zu", w->n ? ", " : "", i);
    else if (!strstr(w->items, "..."))
        strcat(w->items, ", ...");
    if (!w->n++)
        snprintf(w->why, sizeof w->why, "%s", why);
}

static void warn_header(const warnings *w, srv_reply *out, int array, const char *what)
{
    if (!w->n)
        return;
    if (array)
        srv_reply_header(out, "X-kindly-warning", "%s: %s (item%s %s; %zu in all)", what, w->why, w->n > 1 ? "s" : "",
                         w->items, w->n);
    else
        srv_reply_header(out, "X-kindly-warning", "%s: %s", what, w->why);
}

/* The names of the fields of item o that kindly does not know, quoted and comma-separated into
 * names, as many as fit in 120 bytes (each cut to 60 bytes between two characters: a key
 * is UTF-8, and the header's value must stay so, "ключ" cut inside a letter); the count of them
 * all is returned, and how many were named in *named. */
static size_t unknown_names(json_t *o, int feedback, char *names, size_t len, size_t *named)
{
    size_t n = 0, at = 0;
    *named = 0;
    names[0] = '\0';
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (field_known(key, feedback))
            continue;
        int kl = (int)strnlen(key, 61);
        if (kl > 60)
            kl = (int)kd_utf8_cut(key, 60);
        if (!n++ || at + (size_t)kl + 4 <= 120) {
            at += (size_t)snprintf(names + at, len - at, "%s'%.*s'", at ? ", " : "", kl, key);
            ++*named;
        }
    }
    return n;
}

/* The warning for fields kindly does not know: those of the first item that has one are
 * named (as many as the header holds, then how many more), and the items that have any. */
static void warn_unknown(const api_batch *b, srv_reply *out, int feedback)
{
    warnings w = { "", "", 0 };
    char why[272], names[200];
    for (size_t i = 0; i < b->n; i++)
        if (b->unknown[i]) {
            if (!w.n) {
                size_t named, n = unknown_names(b->array ? json_array_get(b->root, i) : b->root, feedback, names,
                                                sizeof names, &named);
                char more[48] = "";
                if (named < n)
                    snprintf(more, sizeof more, " and %zu more", n - named);
                snprintf(why, sizeof why, "%s%s %s no field%s of kindly's%s", names, more, n > 1 ? "are" : "is",
                         n > 1 ? "s" : "",
                         feedback ? "" : " (id, post_id, parent, author, email, url, ip, agent, date, text)");
            }
            warn_add(&w, i, why);
        }
    warn_header(&w, out, b->array, "ignored");
}

static void classify(const srv_request *rq, const api_batch *b, srv_reply *out)
{
    kd_options o = rq->cfg->options;
    o.remember = rq->cfg->writable && o.dup_threshold >= 0; /* off: the history is not written */
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f) {
        srv_reply_take(out, 500, SRV_JSON, NULL, 0);
        return;
    }
    if (b->array)
        fputc('[', f);
    warnings w = { "", "", 0 }, wd = { "", "", 0 }, wp = { "", "", 0 };
    for (size_t i = 0; i < b->n; i++) {
        kd_result res;
        char warn[288];
        int rc = pool_classify(rq->model, &b->c[i], &o, &res, warn, sizeof warn);
        if (*warn)
            warn_add(&w, i, warn);
        else if (!rc && o.remember && srv_date_warning(b->c[i].date, warn, sizeof warn)) /* remembered */
            warn_add(&wd, i, warn);
        if (!rc && srv_post_warning(rq->model, &b->c[i], &res, warn, sizeof warn))
            warn_add(&wp, i, warn);
        char *js = rc ? NULL : kd_result_json(&b->c[i], &res);
        int verdict = (int)res.verdict;
        kd_result_free(&res);
        if (!js) {
            fclose(f);
            free(s);
            if (rc)
                srv_reply_error(out, rc == KD_EBUSY ? 503 : 500, "%s", kd_model_error(rq->model));
            else
                srv_reply_take(out, 500, SRV_JSON, NULL, 0);
            return;
        }
        metrics_verdict(verdict);
        fprintf(f, "%s%s", i ? "," : "", js);
        free(js);
    }
    warn_header(&w, out, b->array, "not remembered");
    warn_header(&wd, out, b->array, "remembered as of now");
    warn_header(&wp, out, b->array, "relevance");
    warn_unknown(b, out, 0);
    fputs(b->array ? "]\n" : "\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) {
        free(s);
        s = NULL;
    }
    srv_reply_take(out, 200, SRV_JSON, s, n);
}

static void feedback(const srv_request *rq, const api_batch *b, srv_reply *out)
{
    if (!rq->cfg->writable) {
        srv_reply_error(out, 403, "this server's model is read-only (the shipped default, or a file it may not "
                                  "write): nothing is learnt");
        return;
    }
    kd_model *m = rq->model;
    /* one comment at a time, idempotent (kd_feedback): a comment with an id given the same
     * label again learns nothing, the other label relabels it; it is remembered as `kindly
     * learn` remembers, so the same comment posted again is a duplicate */
    unsigned long n[2][2] = { { 0, 0 }, { 0, 0 } }, unchanged = 0, relabelled = 0; /* [label][undo] */
    warnings w = { "", "", 0 }, wd = { "", "", 0 };
    int failed = 0;
    for (size_t i = 0; i < b->n && !failed; i++) {
        /* a client's undo takes back only a label the history knows it gave (KD_UNDO_KNOWN) */
        int changed = 0, rc = kd_feedback(m, &b->c[i], b->label[i], b->undo[i] ? KD_UNDO_KNOWN : 0, &changed);
        if (rc && !changed) { /* the item named in an array alone, as a malformed one is */
            char where[32];
            item_where(b, i, where, sizeof where);
            srv_reply_error(out, rc == KD_EBUSY ? 503 : 500, "%s%s%s", where, kd_model_error(m),
                            i ? " (the comments before it were learnt)" : "");
            failed = 1; /* those before it are counted in /metrics all the same */
            continue;
        }
        char why[288]; /* remembered (an undo: only under an id) with an unreadable date */
        if (rc) /* learnt, but not marked: a warning, not an error a client would retry */
            warn_add(&w, i, kd_model_error(m));
        else if (changed && (!b->undo[i] || (b->c[i].id && *b->c[i].id)) &&
                 srv_date_warning(b->c[i].date, why, sizeof why))
            warn_add(&wd, i, why);
        if (changed)
            n[b->label[i]][b->undo[i]]++;
        else
            unchanged++;
        if (changed == 2) { /* the other label was taken back first */
            relabelled++;
            n[!b->label[i]][1]++;
        }
    }
    for (int l = 0; l < 2; l++)
        for (int u = 0; u < 2; u++)
            metrics_feedback(l, u ? -1 : 1, n[l][u]);
    if (failed)
        return;
    warn_header(&w, out, b->array, "learnt, but not remembered");
    warn_header(&wd, out, b->array, "remembered as of now");
    warn_unknown(b, out, 1);
    char body[160];
    /* unlearnt counts the undos asked for; a relabel is learnt, and counted in relabelled */
    int len = snprintf(body, sizeof body,
                       "{\"learnt\":%lu,\"unlearnt\":%lu,\"unchanged\":%lu,\"relabelled\":%lu}\n",
                       n[0][0] + n[1][0], n[0][1] + n[1][1] - relabelled, unchanged, relabelled);
    srv_reply_take(out, 200, SRV_JSON, strndup(body, (size_t)len), (size_t)len);
}

/* Whether the request may go on: always without --keys; with it, when it carries one of
 * the keys. Otherwise out is the 401, with the challenge RFC 6750 asks for. */
int api_authorized(const srv_request *rq, srv_reply *out)
{
    char buf[SRV_KEY_MAX + 1];
    const char *key = rq->cfg->keys ? srv_bearer_key(rq->authorization, buf, sizeof buf) : NULL;
    if (!rq->cfg->keys || srv_key_ok(rq->cfg->keys, key))
        return 1;
    if (key) {
        srv_reply_error(out, 401, "the key is not valid for this server");
        srv_reply_header(out, "WWW-Authenticate", "%s", "Bearer realm=\"kindly\", error=\"invalid_token\"");
    } else {
        srv_reply_error(out, 401, "this server needs a key: send it as 'Authorization: Bearer KEY'");
        srv_reply_header(out, "WWW-Authenticate", "%s", "Bearer realm=\"kindly\"");
    }
    return 0;
}

void api_handle(const srv_request *rq, srv_reply *out)
{
    api_batch b;
    char err[256];
    int fb = rq->endpoint == EP_FEEDBACK;
    if (!api_authorized(rq, out))
        return;
    const char *ct = rq->content_type;
    if (!srv_content_type_is(ct, "application/json")) {
        srv_reply_error(out, 415, "send the request as application/json, not %s", ct);
        return;
    }
    if (!srv_content_encoding_none(rq->content_encoding)) {
        srv_reply_error(out, 415, "Content-Encoding '%.60s' is not supported: send the body as it is, without a "
                                  "Content-Encoding", rq->content_encoding);
        srv_reply_header(out, "Accept-Encoding", "%s", "identity");
        return;
    }
    int rc = api_parse(rq->body, rq->len, fb, &b, err, sizeof err);
    if (rc == -2)
        srv_reply_error(out, 500, "out of memory");
    else if (rc)
        srv_reply_error(out, 400, "%s", err);
    else if (fb)
        feedback(rq, &b, out);
    else
        classify(rq, &b, out);
    api_batch_free(&b);
}
