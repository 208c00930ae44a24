/*
 * generic.h - generic praise ("thanks!", "great post", "nice article sir") (internal).
 */
#ifndef KD_GENERIC_H
#define KD_GENERIC_H

#include "tokenize.h"

/*
 * 0 if the comment says something of its own; 1 if it is generic praise: at most six
 * distinct content words, at least one of them praise ("thanks", "great", "helpful"; or
 * sympathy and agreement: "agreed", "hugs", "hang in there") and all of them from the small
 * vocabulary of such comments ("post", "article", "sir", "keep", "sharing", "oh");
 * 2 if it is generic praise and carries a link or an author URL (the classic blog-spam
 * pattern: praise that fits any post, posted for the link).
 */
int kd_generic(const kd_tokens *tok);

#endif
