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

#define KD_GENERIC_NO_NAME ((size_t)-1)
#define KD_GENERIC_NAME_PARTS 2 /* "Mary-Jane" */

/*
 * kd_generic(), reading the comment's text too (NULL: kd_generic()): a comment that would
 * be generic but for one word outside the vocabulary that the text writes as a name
 * addressed ("Hang in there, Jo.", "Jo, hang in there", "Thanks Dr. Patel, this helped"; also
 * "O'Brien", one token, and "Mary-Jane", two words the text joins by a hyphen), or but for a
 * sign-off of kisses ending it ("Sending hugs x"), is generic too. name (if not NULL) is set
 * to the indices in tok of the name's tokens (its first token of each part; the second
 * KD_GENERIC_NO_NAME for a name of one part, both for no name): the caller asks the model
 * whether each is a name's (classify.c: not a word seen more in spam than in ham) and takes
 * the 1 or 2 back if one is not.
 */
int kd_generic_text(const kd_tokens *tok, const char *text, size_t name[KD_GENERIC_NAME_PARTS]);

#endif
