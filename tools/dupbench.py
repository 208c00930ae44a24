#!/usr/bin/env python3
"""dupbench.py - the near-duplicate benchmark of issue 4: build it from real text, then
measure kindly on it.

  tools/dupbench.py build [--shared ../shared] [--out tools/out/dupbench] [--seed 4]
  tools/dupbench.py eval  [--kindly PATH] [--out tools/out/dupbench] [--threshold X]...
                          (--kindly: by default $KINDLY, else ./kindly)

build: takes ham comments written by people (DataCamp tutorial comments, YouTube comments,
SMS messages from ../shared/corpora, and the project's own corpora/comments.csv), keeps the
ones with at least 5 words, drops exact and near repeats among them (so that "the original"
of a variant is well defined), and writes

  history.csv  the originals plus other comments: what the site has already seen
  queries.csv  comments to check against it, of these kinds:
     exact      an original re-posted with only case, white space, punctuation,
                zero-width characters or emoji variation selectors changed
     near       an original with one or two realistic edits: typos, two words swapped,
                a word dropped, case and punctuation changed, an emoji added, a signature
                added, a link replaced or added, one sentence paraphrased (synonyms,
                contractions)
     topic      a different comment on the same post (or, for SMS, any other message),
                never in history: must NOT be reported as a duplicate
  truth.csv    query id, kind, edits, the id of its original (empty for topic)

eval: runs `kindly score` on history.csv followed by queries.csv as one input (kindly
compares each row with the earlier rows of the same input), and prints recall per kind,
precision over all reported duplicates, and the false-positive rate on topic pairs.
Standard library only; output goes to tools/out/ (not committed).
"""
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
import zlib

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import (BenchError, add_kindly, check_kindly, count, main_guard, parser, read_rows, run,  # noqa: E402
                        shared_corpora)
from collections import Counter
from itertools import chain, repeat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

EMOJI = ["\U0001F44D", "\U0001F60A", "\u2764\ufe0f", "\U0001F64F", "\U0001F602", "\U0001F525", "\u2728",
         "\U0001F44F", "\u263A\ufe0f", "\U0001F60D"]
NAMES = ["Anna", "Tom K.", "Priya", "Marco from Milan", "J. Smith", "Lena", "Omar", "Kate", "Dave (UK)", "Yuki"]
SIGS = ["\n\n-- {n}", "\n\nCheers, {n}", " - {n}", "\n\nThanks, {n}", "\n\nSent from my phone", "\n\n{n}"]
LINKS = ["https://bit.ly/3xYz{r}", "http://example-{r}.top/offer", "www.my-blog-{r}.net",
         "https://tinyurl.com/y{r}", "https://www.example.org/post/{r}?ref=c"]
SYN = {
    "thanks": "thank you", "thank you": "thanks", "great": "awesome", "awesome": "great", "good": "nice",
    "nice": "good", "very": "really", "really": "very", "helpful": "useful", "useful": "helpful",
    "big": "large", "small": "little", "easy": "simple", "simple": "easy", "love": "like", "like": "love",
    "article": "post", "post": "article", "tutorial": "guide", "guide": "tutorial", "explained": "described",
    "understand": "get", "problem": "issue", "issue": "problem", "help": "assist", "amazing": "wonderful",
    "wonderful": "amazing", "start": "begin", "begin": "start", "maybe": "perhaps", "perhaps": "maybe",
    "also": "too", "so": "very", "lot": "bunch", "quick": "fast", "fast": "quick", "error": "mistake",
    "want": "would like", "need": "have to", "i am": "i'm", "i'm": "i am", "do not": "don't",
    "don't": "do not", "it is": "it's", "it's": "it is", "can not": "can't", "cannot": "can't",
    "can't": "cannot", "is not": "isn't", "isn't": "is not", "you are": "you're", "you're": "you are",
    "u": "you", "you": "u", "ur": "your", "your": "ur", "pls": "please", "please": "pls",
}
WORD = re.compile(r"\S+")


def norm_key(t):
    t = unicodedata.normalize("NFKC", t).casefold()
    return " ".join(re.findall(r"\w+", t))


def shingles(t, k=4):
    t = " " + norm_key(t) + " "
    return {t[i:i + k] for i in range(max(1, len(t) - k + 1))}


def load_ham(shared):
    rows = []
    for name, src in (("datacamp-comments.csv", "dc"), ("youtube-dev.csv", "yt"), ("sms.csv", "sms")):
        for r in read_rows(os.path.join(shared, name)):
            if r["label"] == "ham":
                rows.append({"src": src, "post_id": r.get("post_id") or "", "author": r.get("author") or "",
                             "text": r["text"].replace("\ufeff", "")})
    for r in read_rows(os.path.join(ROOT, "corpora", "comments.csv")):
        if r.get("label") == "ham":
            rows.append({"src": "kindly", "post_id": r.get("post_id") or "", "author": r.get("author") or "",
                         "text": r["text"]})
    return rows


def distinct(rows):
    """Keep rows of at least 5 words whose text is neither an exact nor a near repeat (char
    4-gram Jaccard >= 0.5) of an earlier kept row."""
    kept, seen, index = [], set(), {}
    for r in rows:
        k = norm_key(r["text"])
        if len(k.split()) < 5 or k in seen:
            continue
        sh = shingles(r["text"])
        # the shingles shared with each earlier row j, counted in C; the ratio below needs
        # c >= |sh| / 2 (as c <= |sh_j|), which most candidates fail and skip cheaply
        cand = Counter(chain.from_iterable(map(index.get, sh, repeat(()))))
        half = len(sh) / 2
        if any(c / (len(sh) + len(kept[j]["sh"]) - c) >= 0.5 for j, c in cand.items() if c >= half):
            continue
        seen.add(k)
        r["sh"] = sh
        for s in sh:
            lst = index.setdefault(s, [])
            if len(lst) < 400:       # very common shingles add nothing to the candidate set
                lst.append(len(kept))
        kept.append(r)
    return kept


# --- edits ---------------------------------------------------------------------------------
def e_typo(t, rnd):
    for _ in range(rnd.choice((1, 1, 2))):
        spans = [m.span() for m in re.finditer(r"[A-Za-z]{3,}", t)]
        if not spans:
            return t
        a, b = rnd.choice(spans)
        i = rnd.randrange(a, b)
        op = rnd.choice(("sub", "del", "ins", "swap"))
        c = rnd.choice("abcdefghijklmnopqrstuvwxyz")
        if op == "sub":
            t = t[:i] + c + t[i + 1:]
        elif op == "del":
            t = t[:i] + t[i + 1:]
        elif op == "ins":
            t = t[:i] + c + t[i:]
        elif i + 1 < b:
            t = t[:i] + t[i + 1] + t[i] + t[i + 2:]
    return t


def e_swap(t, rnd):
    w = t.split(" ")
    if len(w) < 3:
        return t
    i = rnd.randrange(len(w) - 1)
    w[i], w[i + 1] = w[i + 1], w[i]
    return " ".join(w)


def e_drop(t, rnd):
    w = t.split(" ")
    if len(w) < 4:
        return t
    del w[rnd.randrange(len(w))]
    return " ".join(w)


def keep_entities(t):
    """Case changes are the typist's: the platform's HTML entities (&lt;) stay as they were."""
    return re.sub(r"&[A-Za-z]+;", lambda m: m.group(0).lower(), t)


def e_case_punct(t, rnd):
    c = rnd.choice(("upper", "lower", "title", "bang", "nopunct", "dots"))
    if c == "upper":
        return keep_entities(t.upper())
    if c == "lower":
        return t.lower()
    if c == "title":
        return t[:1].upper() + t[1:]
    if c == "bang":
        return t.rstrip(".!? ") + "!!!"
    if c == "nopunct":
        return re.sub(r"[.,!?;:]", "", t)
    return t.replace(". ", "... ").replace(", ", " , ")


def e_emoji(t, rnd):
    e = rnd.choice(EMOJI)
    return t + " " + e if rnd.random() < 0.7 else e + " " + t


def e_signature(t, rnd):
    return t.rstrip() + rnd.choice(SIGS).format(n=rnd.choice(NAMES))


def e_link(t, rnd):
    link = rnd.choice(LINKS).format(r=rnd.randrange(1000, 99999))
    m = re.search(r"(https?://\S+|www\.\S+)", t)
    if m:
        return t[:m.start()] + link + t[m.end():]
    return t.rstrip() + " " + link


def e_paraphrase(t, rnd):
    """Rewrite one sentence: up to three synonym or contraction substitutions in it."""
    sents = re.split(r"(?<=[.!?])\s+", t)
    i = rnd.randrange(len(sents))
    s, changed = sents[i], 0
    keys = list(SYN)
    rnd.shuffle(keys)
    for k in keys:
        if changed == 3:
            break
        m = re.search(r"\b" + re.escape(k) + r"\b", s, re.I)
        if m:
            s = s[:m.start()] + SYN[k] + s[m.end():]
            changed += 1
    if not changed:   # nothing to substitute: reorder the sentence's two halves at a comma
        parts = s.split(", ", 1)
        s = parts[1] + ", " + parts[0] if len(parts) == 2 else s + " indeed"
    sents[i] = s
    return " ".join(sents)


EDITS = {"typo": e_typo, "swap": e_swap, "drop": e_drop, "case_punct": e_case_punct, "emoji": e_emoji,
         "signature": e_signature, "link": e_link, "paraphrase": e_paraphrase}


def exact_variant(t, rnd):
    c = rnd.choice(("case", "space", "zw", "vs", "punct"))
    if c == "case":
        return keep_entities(t.upper()) if rnd.random() < 0.5 else t.lower()
    if c == "space":
        return "  " + re.sub(r" ", "   ", t, count=3) + "\n"
    if c == "zw":
        w = t.split(" ")
        w[rnd.randrange(len(w))] += "\u200b"
        return " ".join(w)
    if c == "vs":
        return t + " \u2764\ufe0f" if rnd.random() < 0.5 else t + " \u2764"   # emoji with/without VS16
    return t.rstrip(".!?") + "!!"


def build(a):
    rnd = random.Random(a.seed)
    corpora = shared_corpora(a.shared)  # the shared directory's corpora/, as the other tools take it
    if a.shared and not corpora.is_dir():
        corpora = a.shared  # the corpora directory itself, as this option took it first
    rows = distinct(load_ham(corpora))
    for i, r in enumerate(rows):
        r["id"] = f"h{i:05d}"
    # topic negatives: per post, hold back a third of the comments (never in history)
    by_post = {}
    for r in rows:
        by_post.setdefault((r["src"], r["post_id"]), []).append(r)
    held = set()
    for key, lst in by_post.items():
        if len(lst) >= 3:
            for r in rnd.sample(lst, len(lst) // 3):
                held.add(r["id"])
    history = [r for r in rows if r["id"] not in held]
    topic = [r for r in rows if r["id"] in held]
    os.makedirs(a.out, exist_ok=True)
    fields = ["id", "post_id", "author", "email", "ip", "text"]

    def person(r):
        a_ = r["author"] or "anon"
        slug = re.sub(r"\W+", ".", a_.lower()).strip(".") or "anon"
        return a_, f"{slug}@example.com", f"10.{zlib.crc32(slug.encode()) % 250}.{len(slug)}.{rnd.randrange(1, 250)}"

    with open(os.path.join(a.out, "history.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in history:
            au, em, ip = person(r)
            w.writerow([r["id"], r["post_id"] or r["src"], au, em, ip, r["text"]])
    queries, truth = [], []
    originals = rnd.sample(history, min(a.near, len(history)))
    for n, r in enumerate(originals):
        qid = f"q{n:05d}"
        if n % 5 == 0:
            kind, edits, text = "exact", "-", exact_variant(r["text"], rnd)
        else:
            names = rnd.sample(sorted(EDITS), rnd.choice((1, 1, 2)))
            text = r["text"]
            for e in names:
                text = EDITS[e](text, rnd)
            kind, edits = "near", "+".join(names)
        scope = n % 3   # 0: same author, 1: another author on the same post, 2: elsewhere
        au, em, ip = person(r)
        if scope:
            o = rnd.choice(rows)
            au, em, ip = person(o)
            au, em = au + " " + str(n), f"u{n}@example.net"
        post = (r["post_id"] or r["src"]) if scope < 2 else f"other-post-{n % 17}"
        queries.append([qid, post, au, em, ip, text])
        truth.append([qid, kind, edits, r["id"]])
    for n, r in enumerate(topic):
        qid = f"t{n:05d}"
        au, em, ip = person(r)
        queries.append([qid, r["post_id"] or r["src"], au, em, ip, r["text"]])
        truth.append([qid, "topic", "-", ""])
    order = list(range(len(queries)))
    rnd.shuffle(order)
    with open(os.path.join(a.out, "queries.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for i in order:
            w.writerow(queries[i])
    with open(os.path.join(a.out, "truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "kind", "edits", "original"])
        w.writerows(truth)
    kinds = {}
    for t in truth:
        kinds[t[1]] = kinds.get(t[1], 0) + 1
    print(f"dupbench: {len(history)} history comments, {len(queries)} queries "
          f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}) in {a.out}")


def evaluate(a):
    a.kindly = check_kindly(a.kindly)
    if not os.path.exists(os.path.join(a.out, "truth.csv")):
        raise BenchError(f"{a.out} holds no benchmark: run `tools/dupbench.py build --out {a.out}` first")
    truth = {r["id"]: r for r in read_rows(os.path.join(a.out, "truth.csv"), ("id",))}
    with tempfile.TemporaryDirectory() as tmp:
        both = os.path.join(tmp, "input.csv")
        with open(both, "w", encoding="utf-8", newline="") as f:
            with open(os.path.join(a.out, "history.csv"), encoding="utf-8", newline="") as h:
                f.write(h.read())
            with open(os.path.join(a.out, "queries.csv"), encoding="utf-8", newline="") as q:
                next(q)
                f.write(q.read())
        model = os.path.join(tmp, "m.db")
        subprocess.run([a.kindly, "train", "-q", "-m", model, os.path.join(ROOT, "tests/e2e/data/train.csv")],
                       check=True)
        cmd = [a.kindly, "score", "-m", model]
        if a.threshold is not None:  # 0 too: kindly refuses it, where 0 was taken for no --threshold
            cmd += ["--dup-threshold", str(a.threshold)]
        cmd.append(both)
        out = run(cmd, [], ok=(0, 4))
    res = {}
    for line in out.splitlines():
        j = json.loads(line)
        res[j["id"]] = j
    found, total, tp, fp, fp_topic, wrong = {}, {}, 0, 0, 0, []
    per_edit = {}
    for qid, t in truth.items():
        j = res.get(qid)
        if j is None:
            sys.exit(f"dupbench: no result for {qid}")
        kind, got = t["kind"], j.get("duplicate_of")
        total[kind] = total.get(kind, 0) + 1
        if kind in ("exact", "near"):
            hit = got == t["original"]
            found[kind] = found.get(kind, 0) + hit
            if kind == "near":
                for e in t["edits"].split("+"):
                    pe = per_edit.setdefault(e, [0, 0])
                    pe[0] += hit
                    pe[1] += 1
            if got is not None:
                tp += hit
                fp += not hit
                if not hit:
                    wrong.append((qid, got, t["original"], j.get("similarity")))
            if kind == "exact" and hit and j.get("similarity") != 1:
                wrong.append((qid, "exact with similarity", j.get("similarity"), ""))
        elif got is not None:
            fp += 1
            fp_topic += 1
            wrong.append((qid, got, "(topic)", j.get("similarity")))
    rep = {"threshold": a.threshold,
           "exact_recall": found.get("exact", 0) / max(1, total.get("exact", 0)),
           "near_recall": found.get("near", 0) / max(1, total.get("near", 0)),
           "precision": tp / max(1, tp + fp),
           "topic_false_positive_rate": fp_topic / max(1, total.get("topic", 0)),
           "counts": total,
           "near_recall_by_edit": {k: round(v[0] / v[1], 4) for k, v in sorted(per_edit.items())}}
    print(json.dumps(rep, indent=1))
    if a.verbose:
        for w in wrong[:40]:
            print("miss/fp:", w)


def main():
    p = parser(__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write history.csv, queries.csv and truth.csv to --out")
    b.add_argument("--shared", help="the shared directory holding corpora/, or that corpora/ directory "
                                    "(default: $KINDLY_SHARED, else ../shared)")
    b.add_argument("--out", default=os.path.join(HERE, "out", "dupbench"),
                   help="the directory to write the benchmark to (default: tools/out/dupbench)")
    b.add_argument("--seed", type=int, default=4, help="the generator's seed (default: 4)")
    b.add_argument("--near", type=count(0), default=2500, help="originals to make variants of (default: 2500)")
    e = sub.add_parser("eval", help="score the benchmark in --out with kindly and print the figures")
    add_kindly(e)
    e.add_argument("--out", default=os.path.join(HERE, "out", "dupbench"),
                   help="the directory build wrote (default: tools/out/dupbench)")
    e.add_argument("--threshold", type=float, default=None, help="--dup-threshold (default: kindly's)")
    e.add_argument("-v", "--verbose", action="store_true", help="also print the first 40 misses and false positives")
    a = p.parse_args()
    build(a) if a.cmd == "build" else evaluate(a)


if __name__ == "__main__":
    main_guard("dupbench", main)
