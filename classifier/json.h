/*
 * json.h - a result as one line of JSON, appended to the caller's buffer (internal).
 *
 * kd_result_json (kindly.h) hands back a new string for each result. A caller that writes
 * one line after another (kindly score) keeps one kd_buf for all of them instead: no
 * allocation and no free per line once the buffer has grown.
 */
#ifndef KD_JSON_H
#define KD_JSON_H

#include "buf.h"
#include "kindly.h"

/* Append r's JSON object (no newline), as kd_result_json writes it, to b.
 * @return 0, or KD_ENOMEM when b ran out of memory (then or before). */
int kd_result_json_buf(kd_buf *b, const kd_comment *c, const kd_result *r);

#endif
