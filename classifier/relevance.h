/*
 * relevance.h - the relevance stage: is a comment on topic for its post and for the site
 * (internal).
 */
#ifndef KD_RELEVANCE_H
#define KD_RELEVANCE_H

#include "kindly.h"
#include "tokenize.h"
#include "tokset.h"

/*
 * Fill out->relevance (0..1, or -1 when the model knows neither posts nor approved
 * comments), out->generic (generic.h) and out->off_topic (relevance below
 * o->offtopic_threshold, never for generic praise), and why: out->relevance_site and
 * ->relevance_post, its two factors, and the words that weighed most for and against
 * (->site_words, ->offsite_words; -1, -1 and none when relevance is not computed), and
 * out->post_unknown when the comment's post was not scored (unknown, or without words). tok holds
 * the comment's tokens, set its distinct ones (kd_tokset_build).
 * Returns 0, KD_ENOMEM or KD_EIO (message on m).
 */
int kd_relevance_run(kd_model *m, const kd_comment *c, const kd_tokens *tok, const kd_tokset *set,
                     const kd_options *o, kd_result *out);

#endif
