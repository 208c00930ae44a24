/*
 * json.c - a result as one line of JSON (JSON Lines output of `kindly score`).
 *
 * Field order is fixed and documented in the README. Scores are printed with 6 decimals (a
 * rule's with the precision its file gave it; trailing zeros trimmed) by kd_buf_fixed, which
 * avoids printf: formatting floats with printf was a third of `kindly score`'s time.
 *
 * Every string is written as valid UTF-8, whatever the caller passed: kd_comment promises
 * UTF-8 but an API caller's id, a command-line flag or an id read back from the history may
 * hold any bytes, and one bad byte makes the whole line unreadable to a strict JSON parser.
 * Each byte of an invalid sequence becomes U+FFFD, as the CSV reader repairs a field
 * (kd_buf_json_str, buf.c).
 */
#include "json.h"

#include <stdint.h>

char *kd_result_json(const kd_comment *c, const kd_result *r)
{
    if (!r)
        return NULL;
    kd_buf b = KD_BUF_INIT;
    kd_buf_grow(&b, 1024); /* one allocation for a typical line */
    kd_result_json_buf(&b, c, r);
    return kd_buf_detach(&b);
}

int kd_result_json_buf(kd_buf *b, const kd_comment *c, const kd_result *r)
{
    kd_buf_puts(b, "{\"id\":");
    kd_buf_json_str(b, c ? c->id : NULL);
    kd_buf_puts(b, ",\"verdict\":\"");
    kd_buf_puts(b, kd_verdict_name(r->verdict));
    kd_buf_puts(b, "\",\"spam_score\":");
    kd_buf_fixed(b, r->spam_score, 6);
    kd_buf_puts(b, ",\"bayes_score\":");
    kd_buf_fixed(b, r->bayes_score, 6);
    kd_buf_puts(b, ",\"reasons\":[");
    for (size_t i = 0; i < r->nreasons; i++) {
        if (i)
            kd_buf_putc(b, ',');
        kd_buf_json_str(b, r->reasons[i]);
    }
    kd_buf_puts(b, "],\"tokens\":[");
    for (size_t i = 0; i < r->ntop; i++) {
        if (i)
            kd_buf_putc(b, ',');
        kd_buf_puts(b, "{\"token\":");
        kd_buf_json_str(b, r->top[i].token);
        kd_buf_puts(b, ",\"p\":");
        kd_buf_fixed(b, r->top[i].prob, 4);
        kd_buf_puts(b, ",\"spam\":");
        kd_buf_uint(b, r->top[i].spam);
        kd_buf_puts(b, ",\"ham\":");
        kd_buf_uint(b, r->top[i].ham);
        kd_buf_putc(b, '}');
    }
    kd_buf_puts(b, "],\"rules\":[");
    for (size_t i = 0; i < r->nrules; i++) {
        if (i)
            kd_buf_putc(b, ',');
        kd_buf_puts(b, "{\"name\":");
        kd_buf_json_str(b, r->rules[i].name);
        kd_buf_puts(b, ",\"score\":");
        kd_buf_fixed(b, r->rules[i].score, 9); /* as the rule file wrote it (0.0625), up
                                                 * to 9 decimals */
        kd_buf_putc(b, '}');
    }
    kd_buf_puts(b, "],\"duplicate_of\":");
    kd_buf_json_str(b, r->duplicate_of);
    kd_buf_puts(b, ",\"similarity\":");
    kd_buf_fixed(b, r->similarity, 4);
    kd_buf_puts(b, ",\"duplicate_scope\":");
    kd_buf_json_str(b, r->duplicate_scope);
    if (r->relevance >= 0) {
        kd_buf_puts(b, ",\"relevance\":");
        kd_buf_fixed(b, r->relevance, 4);
    } else
        kd_buf_puts(b, ",\"relevance\":null");
    kd_buf_puts(b, r->generic ? ",\"generic\":true}" : ",\"generic\":false}");
    return b->oom ? KD_ENOMEM : KD_OK;
}
