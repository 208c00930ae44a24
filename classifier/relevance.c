/*
 * relevance.c - how well a comment belongs to its post and to the site.
 *
 * The idea is Mishne, Carmel & Lempel's ("Blocking Blog Spam with Language Model
 * Disagreement", AIRWeb 2005): a comment that shares no language with the post it was left
 * on is suspect, and this needs no training. kindly scores against two models at once:
 *
 *   - the post: the counts of its content words (posts.c caches them per post);
 *   - the site: the documents a deployment already has, i.e. every post (in how many posts
 *     a word occurs) and every approved comment (the ham document counts of the model's
 *     token table, a ready-made background model of what readers write here).
 *
 * Score. For each distinct content word w of the comment (stopwords.c), with N the number
 * of site documents (posts + approved comments) and d(w) the number that contain w:
 *
 *     idf(w)   = ln((N + 1) / (d(w) + 0.5))              Robertson/Sparck Jones IDF, as in BM25
 *     known(w) = d(w) / (d(w) + 1)                       0 for a word the site never used
 *     k(w)     = (1 - LAMBDA) known(w) + LAMBDA [w in the post]     (known(w) if no post)
 *
 *     relevance = (sum idf(w) k(w) + PRIOR/2) / (sum idf(w) + PRIOR)
 *
 * i.e. the share of the comment's information (its IDF mass) that the post and the site
 * account for. Words every reader uses ("good", "week", "people") have a small IDF and
 * weigh little either way; a word the site has never seen has the largest IDF and counts
 * fully against; a word of the post counts fully for. The PRIOR (in IDF units, about half
 * a rare word) is Bayesian shrinkage towards 0.5 for very short comments, which say too
 * little to be judged (Zhai & Lafferty's argument for smoothing short queries, applied to
 * the comment side). A comment whose post is unknown is scored against the site alone.
 *
 * Why not the smoothed-language-model KL divergence of the paper, or cosine TF-IDF? Both
 * were measured (docs/BENCHMARKS-relevance.md, tools/bench_relevance.py): with a few posts
 * and a few hundred approved comments as the only background, Dirichlet-smoothed LM ratios
 * reward frequent everyday words as much as topical ones, and cosine similarity is dominated
 * by comment length; the IDF-weighted coverage ranked on- and off-topic comments best.
 *
 * Cost: one tokmap probe per content word in the post cache, one in the site's post
 * frequencies, and one token-count lookup (a hash probe on a preloaded model): well under a
 * microsecond for a typical comment.
 */
#include "relevance.h"

#include <math.h>
#include <string.h>

#include "generic.h"
#include "model.h"
#include "posts.h"
#include "stopwords.h"

#define LAMBDA 0.5 /* weight of the post against the site */
#define PRIOR 3.0  /* shrinkage towards 0.5, in IDF units */

int kd_relevance_run(kd_model *m, const kd_comment *c, const kd_tokens *tok, const kd_tokset *set,
                     const kd_options *o, kd_result *out)
{
    if (o->offtopic_threshold < 0) {
        out->relevance = -1.0;
        return KD_OK;
    }
    const kd_posts_cache *pc;
    int rc = kd_posts_cache_get(m, &pc);
    if (rc)
        return rc;
    out->generic = kd_generic(tok);
    double n = (double)pc->n + (double)(m->totals.ham_messages > 0 ? m->totals.ham_messages : 0);
    if (n <= 0) {
        out->relevance = -1.0;
        return KD_OK;
    }
    const kd_post_stats *post = kd_posts_find(pc, c->post_id);
    double num = 0, den = 0;
    for (size_t x = 0; x < set->n; x++) { /* distinct words: a repeat adds no information */
        size_t i = set->idx[x];
        if (!kd_content_word(kd_tokens_str(tok, i)))
            continue;
        uint64_t h = tok->hash[i];
        kd_counts counts;
        if ((rc = kd_model_lookup(m, h, &counts)))
            return rc;
        const kd_counts *pd = kd_tokmap_get(&pc->df, h);
        double d = (double)(counts.ham > 0 ? counts.ham : 0) + (pd ? (double)pd->ham : 0.0);
        double idf = log((n + 1) / (d + 0.5));
        double known = d / (d + 1);
        double k = known;
        if (post)
            k = (1 - LAMBDA) * known + LAMBDA * (kd_tokmap_get(&post->terms, h) ? 1.0 : 0.0);
        num += idf * k;
        den += idf;
    }
    out->relevance = (num + PRIOR / 2) / (den + PRIOR);
    out->off_topic = !out->generic && o->offtopic_threshold > 0 && out->relevance < o->offtopic_threshold;
    return KD_OK;
}
