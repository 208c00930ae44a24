/*
 * json.c - a result as one line of JSON (JSON Lines output of `kindly score`).
 *
 * Field order is fixed and documented in the README; numbers are printed with enough
 * digits to rank (AUC) without noise: 6 significant digits.
 */
#include "buf.h"
#include "kindly.h"

char *kd_result_json(const kd_comment *c, const kd_result *r)
{
    kd_buf b = KD_BUF_INIT;
    kd_buf_puts(&b, "{\"id\":");
    kd_buf_json_str(&b, c ? c->id : NULL);
    kd_buf_printf(&b, ",\"verdict\":\"%s\",\"spam_score\":%.6g,\"bayes_score\":%.6g,\"reasons\":[",
                  kd_verdict_name(r->verdict), r->spam_score, r->bayes_score);
    for (size_t i = 0; i < r->nreasons; i++) {
        if (i)
            kd_buf_putc(&b, ',');
        kd_buf_json_str(&b, r->reasons[i]);
    }
    kd_buf_puts(&b, "],\"tokens\":[");
    for (size_t i = 0; i < r->ntop; i++) {
        if (i)
            kd_buf_putc(&b, ',');
        kd_buf_puts(&b, "{\"token\":");
        kd_buf_json_str(&b, r->top[i].token);
        kd_buf_printf(&b, ",\"p\":%.4g,\"spam\":%u,\"ham\":%u}", r->top[i].prob, r->top[i].spam, r->top[i].ham);
    }
    kd_buf_puts(&b, "],\"rules\":[");
    for (size_t i = 0; i < r->nrules; i++) {
        if (i)
            kd_buf_putc(&b, ',');
        kd_buf_puts(&b, "{\"name\":");
        kd_buf_json_str(&b, r->rules[i].name);
        kd_buf_printf(&b, ",\"score\":%.4g}", r->rules[i].score);
    }
    kd_buf_puts(&b, "],\"duplicate_of\":");
    kd_buf_json_str(&b, r->duplicate_of);
    kd_buf_printf(&b, ",\"similarity\":%.4g,\"duplicate_scope\":", r->similarity);
    kd_buf_json_str(&b, r->duplicate_scope);
    if (r->relevance >= 0)
        kd_buf_printf(&b, ",\"relevance\":%.4g", r->relevance);
    else
        kd_buf_puts(&b, ",\"relevance\":null");
    kd_buf_printf(&b, ",\"generic\":%s}", r->generic ? "true" : "false");
    return kd_buf_detach(&b);
}
