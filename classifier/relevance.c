/*
 * relevance.c - how well a comment belongs to its post and to the site.
 *
 * The idea is Mishne, Carmel & Lempel's ("Blocking Blog Spam with Language Model
 * Disagreement", AIRWeb 2005): a comment that shares no language with the post it was left
 * on is suspect. kindly asks two questions, each answered by the estimator that measured
 * best for it (docs/BENCHMARKS-relevance.md, tools/bench_relevance.py):
 *
 * 1. Does the comment sound like this site, or like talk about anything else? A likelihood
 *    ratio of two unigram language models, averaged over the comment's distinct content
 *    words w (stopwords.c):
 *
 *        g(w)    = P(w) in general English               english.c (Debian-packaged sources)
 *        site(w) = (c(w) + MU g(w)) / (N + MU)          Dirichlet smoothing towards g
 *        mix(w)  = LAMBDA post(w) + (1 - LAMBDA) site(w)      (site(w) if the post is unknown)
 *        L       = (sum_w clip(ln(mix(w) / g(w)), +-CLIP) + PRIOR PRIOR_RATIO) / (n + PRIOR)
 *        S       = 1 / (1 + exp(-SLOPE L))                (0.5 when n = 0: nothing to judge)
 *
 *    c(w) counts w in every post and in every approved comment the model learnt from this
 *    site (the ham document counts of its token table less their foreign share, the ham
 *    learnt from other sites' comments with KD_TRAIN_FOREIGN: what readers write here); N is
 *    the number of content words in both (for the comments, CONTENT_SHARE of their distinct
 *    tokens, ham_tokens less foreign_ham_tokens, as measured). A post counts as at most three
 *    times the median post's words (posts.c): one huge post (a 20,000-word guide, a pasted
 *    e-book) was most of c and N, and held the other posts' comments as off topic. post(w)
 *    is the post's own model, smoothed the same way: its text plus the words of its
 *    approved comments (posts.c). The post counts its words by light stem (kd_word_key, as part 2 needs:
 *    "start" and "starts" are one count), so w's share of its stem's count is taken to be
 *    its share in general English, where gs(w) is the stem's probability (the sum of its
 *    content words', the words the post counts, english.c):
 *
 *        post(w) = (n_post(stem of w) g(w) / gs(w) + MU g(w)) / (L_post + MU)
 *
 *    post(w) / g(w) is then the stem's ratio, the same for "start" and "starts". Against
 *    g(w) alone, the count of the whole stem was weighed against the exact word's
 *    probability, smaller than the stem's, and the rarer form's ratio was inflated ("what
 *    time does it starts?" 0.92, "... start?" 0.84 on a post about starting habits). The
 *    site's counts are by exact word, like g. Averaging per word makes the score independent
 *    of length; the PRIOR pseudo-words shrink a comment of one or two words towards a
 *    prior (Zhai & Lafferty's argument for smoothing short queries, applied to the
 *    comment). Their ratio is slightly negative, not 0: a comment has to show some of the
 *    site's language to score above the middle (measured: the short chatter of SMS and
 *    YouTube falls below the threshold, on-topic holds stay within 2%). The clip keeps one
 *    word from deciding alone.
 *    Why a general-English reference and not the site alone: with a few posts and a few
 *    hundred comments as the background, everyday words ("good", "year", "car") are "known
 *    to the site", and an IDF over the site cannot tell them from topical ones; the ratio
 *    against ordinary language can ("kindness" is hundreds of times likelier here than in
 *    general English, "car" no likelier). The model's own spam + ham counts were the other candidate for
 *    "ordinary comment language", but on a deployment they are mostly the site's comments.
 *
 * 2. Does it belong to *this* post rather than another one? The share of the comment's
 *    information that the post accounts for among the words that some post uses
 *    (Robertson / Sparck Jones IDF over the posts, words matched by light stem, kd_word_key):
 *
 *        idf(w) = ln((P + 1) / (df(w) + 0.5))      P posts, df(w) posts using w (with comments)
 *        C      = (sum_{w in post} idf(w) + PRIOR_POST / 2) / (sum_{w in some post} idf(w) + PRIOR_POST)
 *
 *    A word of no post says nothing about which post and is left out; C is 0.5 when there is
 *    no evidence, near 1 when the comment's topical words are this post's, near 0 when they
 *    are another post's. PRIOR_POST is in IDF units, so a site of a few similar posts (low
 *    IDFs) leans on S, and a site of many distinct posts on C.
 *    C looks at one post at a time. The comment is also weighed against every post of the
 *    site at once: the cosine similarity of TF-IDF vectors (the comment's: idf per distinct
 *    stem; each post's: (1 + ln tf) idf over its text and approved comments) between the
 *    comment and each post, and this post's share of a softmax of them at temperature TAU
 *    (posts.c, kd_posts_share: an inverted index visits only the posts that share a stem).
 *    As a ratio, 0.5 when the comment fits this post as well as the average post:
 *
 *        share = exp(TAU cos(comment, post)) / sum_q exp(TAU cos(comment, q))
 *        r     = share x (number of posts)
 *        C'    = (C + r / (1 + r)) / 2        (C when the site has one post)
 *
 *    The share counts both ways: a comment that fits another post far better than this one
 *    is pulled down. Its predecessor, the posterior under a Dirichlet-smoothed unigram model
 *    per post, could only raise C: a post without approved comments lost to older posts
 *    with hundreds of them, whose models fit any comment better (used both ways it held
 *    14.5% of on-topic wellness comments). The cosine normalises that length away: both
 *    ways, on the same sets, it ranks better on every one (docs/BENCHMARKS-relevance.md,
 *    "Seventh session": DataCamp own-vs-other AUC 0.740 -> 0.760 with comment history,
 *    0.677 -> 0.700 without; wellness 0.977 -> 0.978 and 0.979 -> 0.983). TAU = 30 was
 *    chosen on DataCamp's posts split in halves (odd and even), not on the wellness set.
 *
 *        relevance = S min(1, 2 C')          (S alone when the post is unknown)
 *
 *    A product, not a sum: a comment on the site's topic but about another post (C near 0)
 *    is off topic here, and a comment off the site's topic is off topic whatever words it
 *    shares with the post. Cosine TF-IDF, BM25 and the post-vs-site LM ratio were measured
 *    in place of C for part 2 and ranked own-post against other-post comments no better;
 *    the cosine earns its place as the share among posts above, beside C.
 *
 * Cost: per content word one probe in the general table (two more and a hash or two, of
 * its stem and its plural, for a word the post uses), one in the posts' word counts, one
 * in their stems and a binary search of the stem's postings for the post's count (at
 * most log2 of the posts), one token-count lookup (a hash probe on a preloaded model), one
 * of its foreign share (only in a model that learnt foreign comments) and one log(); for
 * the share among posts, one log() per post that uses the word (at most KD_POSTING_MAX
 * posts: commoner words are left out of it) and one exp() per post that shares a word with
 * the comment.
 *
 * Why (kd_result's breakdown, `kindly score --explain`): the two factors of the product
 * above, and the comment's words of the highest and the lowest clipped ratios, at most
 * KD_RELEVANCE_WORDS a side: those that made it sound like the site and those that did not.
 * They cost a compare per word, a place among three for a word stronger than the third, and
 * a copy of at most six words into the result (fixed arrays: no allocation); measured, 0.6%
 * to 0.8% of the instructions of `kindly score` (docs/BENCHMARKS-relevance.md).
 */
#include "relevance.h"

#include <math.h>
#include <string.h>

#include "buf.h"
#include "english.h"
#include "model.h"
#include "posts.h"
#include "stopwords.h"

#define MU KD_POST_MU       /* Dirichlet prior, in words (200) */
#define LAMBDA 0.3          /* weight of the post's model against the site's */
#define CLIP 5.0            /* bound on one word's log ratio */
#define PRIOR 3.0           /* words of ratio PRIOR_RATIO added to every comment */
#define PRIOR_RATIO -0.5    /* their log ratio: no evidence leans a little off topic */
#define SLOPE 3.0           /* of the logistic that maps L to 0..1 */
#define PRIOR_POST 8.0      /* shrinkage of the post coverage towards 0.5, in IDF units */
#define CONTENT_SHARE 0.25  /* content words among a comment's distinct tokens (0.25-0.26
                             * on corpora/comments.csv, DataCamp and SMS) */

/* The strongest words of one side of the breakdown, strongest first: kept as token indices
 * while the words are scored, their text copied once at the end. A word's strength is the
 * size of its ratio, > 0; an empty place has strength 0, so the weakest place, s[last], is
 * the bar a word must beat to be offered: most words cost the scoring loop one compare. */
typedef struct side {
    size_t idx[KD_RELEVANCE_WORDS];
    double s[KD_RELEVANCE_WORDS];
} side;

/* Take token i of strength s > sd->s[last]; of two equal ones the word met first stays ahead. */
static inline void side_offer(side *sd, size_t i, double s)
{
    size_t k = KD_RELEVANCE_WORDS - 1;
    for (; k > 0 && sd->s[k - 1] < s; k--) {
        sd->idx[k] = sd->idx[k - 1];
        sd->s[k] = sd->s[k - 1];
    }
    sd->idx[k] = i;
    sd->s[k] = s;
}

/* The mark of a word cut to fit (U+2026 HORIZONTAL ELLIPSIS), and its bytes. */
#define CUT_MARK "\xE2\x80\xA6"
#define CUT_MARK_LEN (sizeof CUT_MARK - 1)

/* Copy a side's words into the result. A word longer than KD_RELEVANCE_WORD_SIZE - 1 bytes
 * is cut at the start of a UTF-8 character (never inside one: the text stays valid) and
 * ends in CUT_MARK, within the same bytes: a word of 34 letters showed as its first 31, as
 * if the comment had held that word. */
static inline size_t side_copy(const side *sd, double sign, const kd_tokens *tok, kd_relevance_word *dst)
{
    size_t k = 0;
    for (; k < KD_RELEVANCE_WORDS && sd->s[k] > 0; k++) {
        const char *s = kd_tokens_str(tok, sd->idx[k]);
        size_t len = kd_tokens_len(tok, sd->idx[k]), mark = 0;
        if (len >= KD_RELEVANCE_WORD_SIZE) {
            mark = CUT_MARK_LEN;
            len = kd_utf8_cut(s, KD_RELEVANCE_WORD_SIZE - 1 - mark); /* s[len]: in the token */
        }
        memcpy(dst[k].word, s, len);
        memcpy(dst[k].word + len, CUT_MARK, mark);
        dst[k].word[len + mark] = '\0';
        dst[k].ratio = sign * sd->s[k]; /* the ratio: exact, a change of sign */
    }
    return k;
}

/* Relevance is not computed: no figure, no breakdown. */
static int not_computed(kd_result *out)
{
    out->relevance = out->relevance_site = out->relevance_post = -1.0;
    out->nsite_words = out->noffsite_words = 0;
    return KD_OK;
}

int kd_relevance_run(kd_model *m, const kd_comment *c, const kd_tokens *tok, const kd_tokset *set,
                     const kd_options *o, kd_result *out)
{
    if (o->offtopic_threshold < 0)
        return not_computed(out);
    const kd_posts_cache *pc;
    int rc = kd_posts_cache_get(m, &pc);
    if (rc)
        return rc;
    /* the site's own comments: the ham learnt here, not the ham of other sites (foreign) */
    int64_t site_tokens = m->totals.ham_tokens - (m->totals.foreign_ham_tokens > 0 ? m->totals.foreign_ham_tokens : 0);
    double n_site = (double)pc->length / KD_SITE_UNIT + (site_tokens > 0 ? CONTENT_SHARE * (double)site_tokens : 0);
    if (n_site <= 0)
        return not_computed(out);
    const kd_post_stats *post = kd_posts_find(pc, c->post_id);
    if (c->post_id && *c->post_id && (!post || post->length == 0))
        out->post_unknown = post ? 2 : 1; /* said by --explain, counted by score */
    if (post && post->length == 0) /* no words yet (an image-only post): as an unknown post */
        post = NULL;
    double plen = post ? (double)post->length : 0.0, np = (double)pc->n;
    double sum = 0, words = 0, num = 0, den = 0;
    uint64_t keys[KD_POSTERIOR_WORDS]; /* for the share among posts: the stems some post uses */
    size_t nk = 0;
    side likes = { .s = { 0 } }, dislikes = { .s = { 0 } }; /* the breakdown's words: for, against */
    for (size_t x = 0; x < set->n; x++) { /* distinct words: a repeat adds no information */
        size_t i = set->idx[x];
        const char *s = kd_tokens_str(tok, i);
        if (!kd_content_word(s, tok->hash[i]))
            continue;
        uint64_t h = tok->hash[i];
        kd_counts counts;
        if ((rc = kd_model_lookup(m, h, &counts)))
            return rc;
        int64_t foreign, own;
        if ((rc = kd_model_foreign(m, h, &foreign)))
            return rc;
        own = counts.ham - foreign;
        const kd_counts *ptf = kd_tokmap_get(&pc->tf, h);
        double cw = (double)(own > 0 ? own : 0) + (ptf ? (double)ptf->ham / KD_SITE_UNIT : 0.0);
        double g = kd_english_p(h);
        double p_site = (cw + MU * g) / (n_site + MU), p = p_site;
        if (post) {
            uint64_t k = kd_word_key(s, h);
            const kd_counts *pd = kd_tokmap_get(&pc->df, k);
            int64_t pt = kd_posts_term(pc, post, pd); /* every word of a post is in df */
            /* the post counts w's stem: its share of them is w's share of the stem in English */
            double tw = pt ? (double)pt * g / kd_english_stem_p(s, h) : 0.0;
            p = LAMBDA * (tw + MU * g) / (plen + MU) + (1 - LAMBDA) * p_site;
            if (pd) { /* a word of no post says nothing about which post */
                if (nk < KD_POSTERIOR_WORDS && pd->ham <= KD_POSTING_MAX) /* the share reads no other */
                    keys[nk++] = k;
                double idf = kd_posts_idf(pc, pd->ham);
                den += idf;
                if (pt)
                    num += idf;
            }
        }
        double r = log(p / g);
        r = r > CLIP ? CLIP : r < -CLIP ? -CLIP : r;
        sum += r;
        words++;
        if (r > likes.s[KD_RELEVANCE_WORDS - 1]) /* the bars are >= 0: a ratio of 0 is on no side */
            side_offer(&likes, i, r);
        else if (-r > dislikes.s[KD_RELEVANCE_WORDS - 1])
            side_offer(&dislikes, i, -r);
    }
    /* a comment without a content word ("!!!", an emoji) is not judged: 0.5 */
    double rel = words > 0 ? 1.0 / (1.0 + exp(-SLOPE * (sum + PRIOR * PRIOR_RATIO) / (words + PRIOR))) : 0.5;
    out->relevance_site = rel;
    out->relevance_post = 1.0;
    out->nsite_words = side_copy(&likes, 1, tok, out->site_words);
    out->noffsite_words = side_copy(&dislikes, -1, tok, out->offsite_words);
    if (post) {
        double cov = (num + PRIOR_POST / 2) / (den + PRIOR_POST);
        if (pc->n > 1) { /* with one post, no other to compare it with */
            double r = nk ? np * kd_posts_share(pc, post, keys, nk) : 1.0;
            cov = (cov + r / (1 + r)) / 2;
        }
        out->relevance_post = fmin(1.0, 2 * cov);
        rel *= out->relevance_post;
    }
    out->relevance = rel;
    /* generic praise fits any post; a comment the rules vouch for (the rule file's own rules sum
     * below 0: a ham rule, CRISIS_SERVICE, outweighs any spam rule that fired) is one the site
     * welcomes whatever its words, a crisis line in French or a helpline's number alone. A
     * trusted author's allow entry does not vouch for the topic (as documented: held). */
    out->off_topic = !out->generic && !(out->rules_own_score < 0) && o->offtopic_threshold > 0 &&
                     out->relevance < o->offtopic_threshold;
    return KD_OK;
}
