/*
 * akismet.c - Akismet's API on top of kd_classify and kd_train_*: where a request carries its
 * key (checked against keys.c), the mapping from Akismet's form fields to a kd_comment, and
 * from a kindly verdict to Akismet's answer.
 *
 * Answers follow Akismet's documented protocol: comment-check says "true" (spam) or "false",
 * with "X-akismet-pro-tip: discard" when the spam is blatant (spam_score >= --discard);
 * a bad key or a request missing a required field gets "invalid" and an
 * "X-akismet-debug-help" header (HTTP 200, as Akismet does); submissions answer "Thanks for
 * making the web a better place.", with X-kindly-feedback saying whether the report was learnt,
 * found learnt already (unchanged) or relabelled the comment; verify-key answers "valid" or
 * "invalid". Akismet has no "hold": a held comment is answered "false" (let the blog's own
 * moderation decide) unless the server runs with --hold-as spam; X-kindly-verdict and
 * X-kindly-spam-score carry kindly's own answer for clients that want it, X-kindly-reasons
 * the reasons behind it (the JSON API's, escaped and cut to fit a header: srv_header_list).
 *
 * Akismet semantics kept: user_role=administrator is never spam; a non-empty honeypot field
 * (honeypot_field_name names it) is blatant spam; is_test=1 requests change nothing (no
 * history, no learning). Only errors of HTTP itself (415, 400 for a malformed body) and of
 * the server (403 read-only model, 500, 503) leave the 200-only protocol.
 */
#include "akismet.h"
#include "date.h"
#include "pool.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *akismet_request_key(const srv_form *f, const char *host, char *buf, size_t n)
{
    const char *k = form_get(f, "api_key");
    if (!k || !*k)
        k = form_get(f, "key");
    if (k && *k) {
        if (strlen(k) >= n) /* not cut to fit: a longer string is not the key it starts with */
            return NULL;
        memcpy(buf, k, strlen(k) + 1);
        return buf;
    }
    if (!host || !*host || *host == '[') /* none, or an IPv6 literal */
        return NULL;
    size_t hl = strcspn(host, ":");      /* drop the port */
    const char *dot = memchr(host, '.', hl);
    if (!dot || dot == host)
        return NULL;
    int numeric = 1;                     /* an IPv4 literal has no key label */
    for (size_t i = 0; i < hl; i++)
        if (!isdigit((unsigned char)host[i]) && host[i] != '.')
            numeric = 0;
    if (numeric)
        return NULL;
    /* the label's %-escapes are its octets (RFC 3986, 3.2.2; host.c has checked that each
     * is two hex digits): "k%31" is the key "k1", and a UTF-8 key is written so in a name */
    size_t kl = 0;
    for (const char *p = host; p < dot; kl++) {
        if (kl + 1 >= n)
            return NULL;
        if (*p == '%' && dot - p >= 3 && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = { p[1], p[2], '\0' };
            buf[kl] = (char)strtol(hex, NULL, 16);
            if (!buf[kl]) /* a NUL is in no key */
                return NULL;
            p += 3;
        } else {
            buf[kl] = *p++;
        }
    }
    buf[kl] = '\0';
    return buf;
}

static const char *field(const srv_form *f, const char *name)
{
    const char *v = form_get(f, name);
    return v && *v ? v : NULL;
}

void akismet_comment(const srv_form *f, kd_comment *c)
{
    *c = (kd_comment)KD_COMMENT_INIT;
    c->id = field(f, "comment_ID");
    c->post_id = field(f, "comment_post_ID");
    if (!c->post_id)
        c->post_id = field(f, "permalink");
    c->parent = field(f, "comment_parent");
    if (c->parent && !strcmp(c->parent, "0")) /* WordPress's "replies to none", as in its exports (csv.c) */
        c->parent = NULL;
    c->author = field(f, "comment_author");
    c->email = field(f, "comment_author_email");
    c->url = field(f, "comment_author_url");
    c->ip = field(f, "user_ip");
    c->agent = field(f, "user_agent");
    c->date = field(f, "comment_date_gmt");
    if (kd_date_wp_zero(c->date))
        c->date = NULL;
    c->text = form_get(f, "comment_content");
    if (!c->text)
        c->text = "";
}

static int truthy(const char *v)
{
    return v && *v && strcmp(v, "0") && strcasecmp(v, "false");
}

static void invalid(srv_reply *out, const char *help)
{
    srv_reply_text(out, 200, SRV_TEXT, "invalid");
    srv_reply_header(out, "X-akismet-debug-help", "%s", help);
}

/* Whether the request's key (akismet_request_key) is accepted: as given in the form, or, from
 * the host name, whatever its case (host names are case-insensitive, and proxies lowercase
 * them). */
static int request_key_ok(const srv_request *rq, const srv_form *f)
{
    char buf[SRV_KEY_MAX + 1];
    const char *key = akismet_request_key(f, rq->host, buf, sizeof buf);
    const char *k = form_get(f, "api_key"), *k2 = form_get(f, "key");
    int from_host = !(k && *k) && !(k2 && *k2);
    return from_host ? srv_key_ok_nocase(rq->cfg->keys, key) : srv_key_ok(rq->cfg->keys, key);
}

static void verify_key(const srv_request *rq, const srv_form *f, srv_reply *out)
{
    char buf[SRV_KEY_MAX + 1];
    int sent = field(f, "api_key") || field(f, "key");
    /* the form's key, or KEY.host; one too long to be any key of --keys is still a key
     * without --keys, where every key is valid (as comment-check takes it) */
    if (!akismet_request_key(f, rq->host, buf, sizeof buf) && (!sent || rq->cfg->keys)) {
        char help[80] = "Empty \"key\" value";
        if (sent)
            snprintf(help, sizeof help, "The key is longer than %d bytes: no key of this server's is", SRV_KEY_MAX);
        invalid(out, help);
        return;
    }
    if (!field(f, "blog")) { /* as Akismet: the key is verified for a site */
        invalid(out, "Empty \"blog\" value");
        return;
    }
    if (rq->cfg->keys && !request_key_ok(rq, f)) {
        invalid(out, "Your API key is not valid for this server");
        return;
    }
    srv_reply_text(out, 200, SRV_TEXT, "valid");
}

/* Whether user_role names the administrator role: WordPress' Akismet plugin sends the user's
 * roles joined by commas ("administrator,super_admin" for a multisite super admin). */
static int is_administrator(const char *roles)
{
    for (const char *p = roles; p && *p;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 13 && !strncasecmp(p, "administrator", 13))
            return 1;
        p += n;
    }
    return 0;
}

static void comment_check(const srv_request *rq, const srv_form *f, const kd_comment *c, srv_reply *out)
{
    int test = truthy(form_get(f, "is_test"));
    if (is_administrator(form_get(f, "user_role"))) {
        srv_reply_text(out, 200, SRV_TEXT, "false");
        srv_reply_header(out, "X-kindly-verdict", "approve (user_role administrator)");
        out->verdict = KD_APPROVE;
        metrics_verdict(KD_APPROVE);
        return;
    }
    const char *hp = field(f, "honeypot_field_name");
    if (hp && field(f, hp)) {
        srv_reply_text(out, 200, SRV_TEXT, "true");
        srv_reply_header(out, "X-akismet-pro-tip", "discard");
        srv_reply_header(out, "X-kindly-verdict", "spam (honeypot field filled in)");
        out->verdict = KD_VERDICT_SPAM;
        metrics_verdict(KD_VERDICT_SPAM);
        return;
    }
    kd_options o = rq->cfg->options;
    o.remember = rq->cfg->writable && !test && o.dup_threshold >= 0; /* off: the history is not written */
    kd_result res;
    char warn[288];
    int rc = pool_classify(rq->model, c, &o, &res, warn, sizeof warn);
    if (rc) {
        srv_reply_text(out, rc == KD_EBUSY ? 503 : 500, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help", "kindly: %s", kd_model_error(rq->model));
        kd_result_free(&res);
        return;
    }
    int spam = res.verdict == KD_VERDICT_SPAM || (res.verdict == KD_HOLD && rq->cfg->hold_is_spam);
    srv_reply_text(out, 200, SRV_TEXT, spam ? "true" : "false");
    if (res.verdict == KD_VERDICT_SPAM && res.spam_score >= rq->cfg->discard)
        srv_reply_header(out, "X-akismet-pro-tip", "discard");
    srv_reply_header(out, "X-kindly-verdict", "%s", kd_verdict_name(res.verdict));
    srv_reply_header(out, "X-kindly-spam-score", "%.4f", res.spam_score);
    /* why, as the JSON API's "reasons" say it (a token may be any UTF-8: escaped) */
    char why[SRV_HEADER_VALUE];
    srv_header_list(why, sizeof why, res.reasons, res.nreasons);
    srv_reply_header(out, "X-kindly-reasons", "%s", why);
    char why_post[SRV_HEADER_VALUE];
    if (srv_post_warning(rq->model, c, &res, why_post, sizeof why_post))
        srv_reply_header(out, "X-kindly-warning", "relevance: %s", why_post);
    if (*warn)
        srv_reply_header(out, "X-kindly-warning", "not remembered: %s", warn);
    else if (o.remember && srv_date_warning(c->date, warn, sizeof warn))
        srv_reply_header(out, "X-kindly-warning", "remembered as of now: %s", warn);
    out->verdict = (int)res.verdict;
    metrics_verdict((int)res.verdict);
    kd_result_free(&res);
}

static void submit(const srv_request *rq, const srv_form *f, const kd_comment *c, srv_reply *out)
{
    kd_label label = rq->endpoint == EP_SUBMIT_SPAM ? KD_SPAM : KD_HAM;
    if (truthy(form_get(f, "is_test"))) {
        srv_reply_text(out, 200, SRV_TEXT, "Thanks for making the web a better place.");
        srv_reply_header(out, "X-kindly-feedback", "unchanged: is_test=1, nothing is learnt");
        return;
    }
    if (!rq->cfg->writable) {
        srv_reply_text(out, 403, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help",
                         "kindly: this server's model is read-only (the shipped default, or a file it may "
                         "not write): nothing is learnt");
        return;
    }
    /* it would teach no token but shift the prior: blank in any way (a no-break space, &nbsp;)
     * or only punctuation */
    int empty = kd_text_empty(c->text);
    if (empty < 0) {
        srv_reply_text(out, 500, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help", "out of memory");
        return;
    }
    if (empty) {
        invalid(out, "Empty \"comment_content\" value (only blanks or punctuation): there is nothing to learn");
        return;
    }
    kd_model *m = rq->model;
    /* idempotent per comment (kd_feedback): the same report again learns nothing, the other
     * one ("Not spam" after "Spam") relabels the comment; remembered as `kindly learn` does */
    int changed = 0, rc = kd_feedback(m, c, label, 0, &changed);
    char why[288];
    if (rc && changed) /* learnt, but not marked: a warning, not an answer a client would retry */
        srv_reply_header(out, "X-kindly-warning", "learnt, but not remembered: %s", kd_model_error(m));
    else if (!rc && changed && srv_date_warning(c->date, why, sizeof why))
        srv_reply_header(out, "X-kindly-warning", "remembered as of now: %s", why);
    else if (rc) {
        srv_reply_text(out, rc == KD_EBUSY ? 503 : 500, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help", "kindly: %s", kd_model_error(m));
        return;
    }
    if (changed)
        metrics_feedback(label, 1, 1);
    if (changed == 2) /* relabelled: the other label was taken back */
        metrics_feedback(!label, -1, 1);
    srv_reply_text(out, 200, SRV_TEXT, "Thanks for making the web a better place.");
    /* what the report did, which Akismet's answer does not say (/v1/feedback's counts do):
     * for an operator with curl -i, and a log of the headers */
    const char *as = label == KD_SPAM ? "spam" : "ham", *other = label == KD_SPAM ? "ham" : "spam";
    if (changed == 2)
        srv_reply_header(out, "X-kindly-feedback", "relabelled: learnt as %s, its %s taken back", as, other);
    else if (changed)
        srv_reply_header(out, "X-kindly-feedback", "learnt: as %s", as);
    else
        srv_reply_header(out, "X-kindly-feedback", "unchanged: learnt as %s already", as);
}

/* The charset parameter of a Content-Type ("...; charset=ISO-8859-1", quoted or not) into
 * buf; buf, or NULL when there is none (or it does not fit). */
static const char *content_type_charset(const char *ct, char *buf, size_t n)
{
    for (const char *p = ct ? strchr(ct, ';') : NULL; p; p = strchr(p + 1, ';')) {
        const char *q = p + 1 + strspn(p + 1, " \t");
        if (strncasecmp(q, "charset=", 8))
            continue;
        q += 8;
        int quoted = *q == '"';
        q += quoted;
        size_t len = strcspn(q, quoted ? "\"" : "; \t");
        if (!len || len >= n)
            return NULL;
        memcpy(buf, q, len);
        buf[len] = '\0';
        return buf;
    }
    return NULL;
}

/* Whether the form's key field holds a byte that is not ASCII. */
static int key_not_ascii(const srv_form *f)
{
    const char *k = form_get(f, "api_key");
    if (!k || !*k)
        k = form_get(f, "key");
    for (; k && *k; k++)
        if ((unsigned char)*k >= 0x80)
            return 1;
    return 0;
}

/* Make the form UTF-8, in Akismet's blog_charset, else the Content-Type's charset parameter
 * (with X-kindly-warning for an unknown charset or bytes that are not UTF-8, and for NUL
 * bytes, read as spaces). 0, or -1 with the answer in out. */
static int decode(const srv_request *rq, srv_form *f, srv_reply *out)
{
    const char *cs = form_get(f, "blog_charset");
    char ctcs[48];
    if ((!cs || !*cs) && content_type_charset(rq->content_type, ctcs, sizeof ctcs))
        cs = ctcs;
    if (form_to_utf8(f, cs)) {
        srv_reply_text(out, 500, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help", "out of memory");
        return -1;
    }
    if (f->warning[0])
        srv_reply_header(out, "X-kindly-warning", "%s", f->warning);
    if (f->nul_field) { /* not silently, as `kindly check` says it; the name shown in ASCII */
        char w[120];
        snprintf(w, sizeof w, "NUL bytes read as spaces in the field '%.60s'", f->name[f->nul_field - 1]);
        srv_header_ascii(w);
        srv_reply_header(out, "X-kindly-warning", "%s", w);
    }
    return 0;
}

void akismet_handle(const srv_request *rq, srv_reply *out)
{
    srv_form f = SRV_FORM_INIT;
    char err[160];
    const char *ct = rq->content_type;
    if (!srv_content_type_is(ct, "application/x-www-form-urlencoded")) {
        srv_reply_text(out, 415, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help",
                         "Send the request as application/x-www-form-urlencoded, not %s", ct);
        goto done;
    }
    if (!srv_content_encoding_none(rq->content_encoding)) {
        srv_reply_text(out, 415, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help",
                         "Content-Encoding '%.60s' is not supported: send the body as it is, without a Content-Encoding",
                         rq->content_encoding);
        srv_reply_header(out, "Accept-Encoding", "%s", "identity");
        goto done;
    }
    int rc = form_parse(rq->body, rq->len, &f, err, sizeof err);
    if (rc) {
        srv_reply_text(out, rc == -2 ? 500 : 400, SRV_TEXT, "invalid");
        srv_reply_header(out, "X-akismet-debug-help", "%s", rc == -2 ? "out of memory" : err);
        goto done;
    }
    /* The key is checked on the raw form first: a request without a valid key gets no
     * further, in particular not to the charset decoders. A key that is not ASCII is
     * compared once the form is decoded (a UTF-8 key sent by a Latin-1 blog). */
    int decoded = 0;
    if (!request_key_ok(rq, &f) && key_not_ascii(&f)) { /* (without --keys any key is ok) */
        if ((rc = decode(rq, &f, out)))
            goto done;
        decoded = 1;
    }
    if (rq->endpoint == EP_VERIFY_KEY) {
        verify_key(rq, &f, out);
        goto done;
    }
    /* without --keys the server is open (it listens on loopback by default): no key needed */
    if (rq->cfg->keys && !request_key_ok(rq, &f)) {
        invalid(out, "Your API key is not valid for this server (send it as KEY.host or as api_key)");
        goto done;
    }
    if (!decoded && decode(rq, &f, out))
        goto done;
    /* Akismet's required fields; a report (submit-spam, submit-ham) learns the comment, not its
     * IP: one WordPress holds without (imported, or stripped by a privacy plugin) was answered
     * invalid, and the plugin, which reads no answer to a report, lost it with no word */
    static const char *const required[] = { "blog", "user_ip" };
    size_t nrequired = rq->endpoint == EP_COMMENT_CHECK ? 2 : 1;
    for (size_t i = 0; i < nrequired; i++)
        if (!field(&f, required[i])) {
            char help[64];
            snprintf(help, sizeof help, "Empty \"%s\" value", required[i]);
            invalid(out, help);
            goto done;
        }
    kd_comment c;
    akismet_comment(&f, &c);
    if (rq->endpoint == EP_COMMENT_CHECK)
        comment_check(rq, &f, &c, out);
    else
        submit(rq, &f, &c, out);
done:
    form_free(&f);
}
