#!/usr/bin/env python3
"""nb_variants.py - naive-Bayes variants on the YouTube cross-video splits (a replica).

What: a small Python replica of kindly's Bayes stage (words and adjacent word pairs, binary
counts, multinomial NB with Laplace smoothing, the sum of log-likelihood ratios over sqrt(n)
and half the class prior: classifier/multinomial.c), and variants of it that keep the model
a table of sums (so that models still merge by adding):
  baseline   the replica itself;
  cnb        Rennie et al. 2003 (complement NB): with and without IDF, weight normalisation
             and length normalisation (TWCNB = all three);
  self       self-training on the unlabelled test video (Nigam et al. 2000, EM-style):
             hard labels above a confidence, soft labels, or confident ham only.
Why: to record, reproducibly, which of them could reach the YouTube figures of issue 2
(accuracy >= 0.95, AUC >= 0.98, ham FP <= 0.02 on every split); none does (docs/BENCHMARKS.md).
How: python3 tools/nb_variants.py [--shared ../shared] (needs ../shared/corpora/youtube-dev.csv;
Python 3 standard library only). The replica's tokenizer is simpler than kindly's, so its
baseline differs from `kindly eval` by a few points; compare the variants with the baseline.
"""
import collections, math, re, sys

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import VIDEOS, add_shared, main_guard, parser, shared_corpora, youtube_videos  # noqa: E402


def toks(t):
    t = re.sub(r"https?://\S+|www\.\S+", " #url ", t.replace("\ufeff", "").lower())
    w = re.findall(r"[\w'#]+|[^\w\s]", t)
    return set(w) | {a + " " + b for a, b in zip(w, w[1:])}


def auc(sc):
    pos = sorted(s for s, y in sc if y); neg = sorted(s for s, y in sc if not y)
    # Mann-Whitney with ties counted one half
    allv = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    i, rs = 0, 0.0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        rs += (i + j + 1) / 2 * sum(1 for q in range(i, j) if allv[q][1])
        i = j
    return (rs - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def figures(sc):
    ham = [s for s, y in sc if not y]
    return "acc %.3f auc %.3f fp %.3f" % (sum((s > 0) == y for s, y in sc) / len(sc), auc(sc),
                                          sum(s > 0 for s in ham) / len(ham))


class NB:
    """Binary counts per class; score = 0.5 ln prior + sum of LLRs / sqrt(n)."""
    def __init__(self):
        self.c = {True: collections.Counter(), False: collections.Counter()}
        self.n = {True: 0.0, False: 0.0}

    def add(self, tk, y, w=1.0):
        for k in tk:
            self.c[y][k] += w
        self.n[y] += w

    def prep(self):
        v = len(set(self.c[True]) | set(self.c[False]))
        self.d = {y: math.log(sum(self.c[y].values()) + v) for y in (True, False)}

    def score(self, tk):
        l = [math.log(self.c[True][k] + 1) - self.d[True] - math.log(self.c[False][k] + 1) + self.d[False]
             for k in tk if self.c[True][k] + self.c[False][k] > 0]
        return 0.5 * math.log(self.n[True] / self.n[False]) + (sum(l) / math.sqrt(len(l)) if l else 0)


def trained(rows):
    """An NB of labelled rows, not yet prepared (more may be added)."""
    m = NB()
    for tk, y in rows:
        m.add(tk, y)
    return m


def splits(data):
    for t in VIDEOS:
        yield t, [x for v in VIDEOS if v != t for x in data[v]], data[t]


def baseline(data):
    out = []
    for _, tr, te in splits(data):
        m = trained(tr)
        m.prep()
        out.append(figures([(m.score(tk), y) for tk, y in te]))
    return out


def cnb(data, idf, wn, ln, alpha=1.0):
    out = []
    for _, tr, te in splits(data):
        df = collections.Counter(k for tk, _ in tr for k in tk)
        n = len(tr)
        cnt = {True: collections.Counter(), False: collections.Counter()}
        for tk, y in tr:
            d = {k: (math.log(n / df[k]) if idf else 1.0) for k in tk}
            norm = math.sqrt(sum(v * v for v in d.values())) if ln else 1.0
            for k, v in d.items():
                cnt[y][k] += v / (norm or 1)
        vocab = set(cnt[True]) | set(cnt[False])
        w = {}
        for c in (True, False):
            comp, tot = cnt[not c], sum(cnt[not c].values())
            w[c] = {k: math.log((comp[k] + alpha) / (tot + alpha * len(vocab))) for k in vocab}
            if wn:
                s = sum(abs(x) for x in w[c].values())
                w[c] = {k: x / s for k, x in w[c].items()}
        out.append(figures([(sum(w[False][k] - w[True][k] for k in tk if k in vocab), y) for tk, y in te]))
    return out


def self_training(data, mode, iters, conf=1.0):
    out = []
    for _, tr, te in splits(data):
        m = trained(tr)
        m.prep()
        for _ in range(iters):
            sc = [m.score(tk) for tk, _ in te]
            m = trained(tr)
            for (tk, _), s in zip(te, sc):
                if mode == "hard" and abs(s) >= conf:
                    m.add(tk, s > 0)
                elif mode == "soft":
                    p = 1 / (1 + math.exp(-s))
                    m.add(tk, True, p); m.add(tk, False, 1 - p)
                elif mode == "ham" and s <= -conf:
                    m.add(tk, False)
            m.prep()
        out.append(figures([(m.score(tk), y) for tk, y in te]))
    return out


def main():
    p = parser(__doc__)
    add_shared(p)
    a = p.parse_args()
    header, by_video = youtube_videos(shared_corpora(a.shared) / "youtube-dev.csv")
    li, ti = header.index("label"), header.index("text")
    data = {v: [(toks(r[ti]), r[li] == "spam") for r in rows] for v, rows in by_video.items()}
    rows = [("baseline (replica of the Bayes stage)", baseline(data))]
    for idf in (False, True):
        for wn in (False, True):
            for ln in (False, True):
                rows.append(("complement NB, idf %d, weight norm %d, length norm %d" % (idf, wn, ln),
                             cnb(data, idf, wn, ln)))
    rows.append(("TWCNB, alpha 0.1", cnb(data, True, True, True, 0.1)))
    for conf in (0.5, 1.0, 2.0):
        for it in (1, 3):
            rows.append(("self-training, hard labels, score at least %.1f from 0, %d round(s)" % (conf, it),
                         self_training(data, "hard", it, conf)))
    rows.append(("self-training, soft labels, 1 round", self_training(data, "soft", 1)))
    rows.append(("self-training, soft labels, 3 rounds", self_training(data, "soft", 3)))
    rows.append(("self-training, confident ham only (<= -1), 3 rounds", self_training(data, "ham", 3)))
    print("| variant | " + " | ".join(VIDEOS) + " |")
    print("|---|---|---|---|")
    for name, figs in rows:
        print("| %s | %s |" % (name, " | ".join(figs)))


if __name__ == "__main__":
    main_guard("nb_variants", main)
