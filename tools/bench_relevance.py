#!/usr/bin/env python3
"""bench_relevance.py - the relevance figures of docs/BENCHMARKS-relevance.md.

Runs the real kindly binary on real SQLite models (Python 3 standard library only):

  wellness   posts: ../shared/corpora/wellness-posts.csv; site history: the model learns
             corpora/comments.csv (a wellness blog's moderated comments); on-topic:
             corpora/ontopic-wellness.csv (200); off-topic: corpora/offtopic.csv (150) plus
             the ham of ../shared/corpora youtube-dev.csv and sms.csv (chatter about music
             videos and daily life), each given one of the five posts round-robin.
             AUC of relevance (on-topic positive), and the share held at the threshold.
  datacamp   posts: datacamp-posts.csv (title + description); each comment of
             datacamp-comments.csv scored against its own post and against another post
             (seeded choice). 2-fold: the model learns the other half's comments, so a
             comment never sits in its own background. AUC own (positive) vs other.
  speed      `kindly score` throughput on the same rows with relevance on and off.

usage: tools/bench_relevance.py [--kindly PATH] [--threshold X] [--out DIR] [--repeat N]
Outputs go to tools/out/relevance/ (gitignored).
"""
import argparse, csv, json, os, random, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("KINDLY_SHARED", os.path.join(ROOT, "..", "shared")) + "/corpora"
csv.field_size_limit(1 << 30)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(path, header, data):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(data)


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode not in (0,):
        sys.exit("failed (%d): %s\n%s" % (r.returncode, " ".join(args), r.stderr))
    return r.stdout


def score(kindly, model, path, extra=()):
    out = run([kindly, "score", "-m", model, "--no-rules", *extra, path])
    return {j["id"]: j for j in map(json.loads, out.splitlines())}


def auc(pos, neg):
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    n, i, sp = len(allv), 0, 0.0
    while i < n:
        j = i
        while j < n and allv[j][0] == allv[i][0]:
            j += 1
        rank = (i + j + 1) / 2
        sp += rank * sum(1 for q in range(i, j) if allv[q][1])
        i = j
    return (sp - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def fresh(path):
    for s in ("", "-wal", "-shm"):
        if os.path.exists(path + s):
            os.remove(path + s)


def wellness(a):
    model = os.path.join(a.out, "wellness.db")
    fresh(model)
    run([a.kindly, "train", "-q", "-m", model, os.path.join(ROOT, "corpora/comments.csv")])
    run([a.kindly, "posts", "-q", "-m", model, SHARED + "/wellness-posts.csv"])
    posts = [p["post_id"] for p in rows(SHARED + "/wellness-posts.csv")]
    data, kind = [], {}
    for r in rows(os.path.join(ROOT, "corpora/ontopic-wellness.csv")):
        data.append((r["id"], r["post_id"], r["text"])); kind[r["id"]] = "on"
    for r in rows(os.path.join(ROOT, "corpora/offtopic.csv")):
        data.append((r["id"], r["post_id"], r["text"])); kind[r["id"]] = "offtopic.csv"
    k = 0
    for name in ("youtube-dev.csv", "sms.csv"):
        for r in rows(SHARED + "/" + name):
            if r["label"] != "ham":
                continue
            i = "x-%05d" % k
            data.append((i, posts[k % len(posts)], r["text"])); kind[i] = name
            k += 1
    path = os.path.join(a.out, "wellness-score.csv")
    write(path, ["id", "post_id", "text"], data)
    res = score(a.kindly, model, path, ["--offtopic-threshold", str(a.threshold)])
    on = [res[i]["relevance"] for i in res if kind[i] == "on"]
    out = {}
    for group in ("offtopic.csv", "youtube-dev.csv", "sms.csv", "all off-topic"):
        off = [res[i]["relevance"] for i in res if kind[i] == group or (group == "all off-topic" and kind[i] != "on")]
        held = [i for i in res if (kind[i] == group or (group == "all off-topic" and kind[i] != "on"))
                and any(x.startswith("off_topic") for x in res[i]["reasons"])]
        out[group] = {"n": len(off), "auc": round(auc(on, off), 4), "held": round(len(held) / len(off), 4)}
    on_held = [i for i in res if kind[i] == "on" and any(x.startswith("off_topic") for x in res[i]["reasons"])]
    out["on-topic"] = {"n": len(on), "held": round(len(on_held) / len(on), 4), "held_ids": sorted(on_held)}
    return out


def datacamp(a):
    posts = rows(SHARED + "/datacamp-posts.csv")
    comments = rows(SHARED + "/datacamp-comments.csv")
    ids = [p["post_id"] for p in posts]
    rnd = random.Random(5)
    other = {c["id"]: rnd.choice([i for i in ids if i != c["post_id"]]) for c in comments}
    own, oth = [], []
    for fold in (0, 1):
        model = os.path.join(a.out, "datacamp-%d.db" % fold)
        fresh(model)
        train = os.path.join(a.out, "datacamp-train-%d.csv" % fold)
        write(train, ["id", "post_id", "author", "label", "text"],
              [(c["id"], c["post_id"], c["author"], c["label"], c["text"]) for k, c in enumerate(comments) if k % 2 != fold])
        run([a.kindly, "train", "-q", "-m", model, train])
        run([a.kindly, "posts", "-q", "-m", model, SHARED + "/datacamp-posts.csv"])
        test = os.path.join(a.out, "datacamp-test-%d.csv" % fold)
        data = []
        for k, c in enumerate(comments):
            if k % 2 == fold:
                data.append((c["id"] + "/own", c["post_id"], c["text"]))
                data.append((c["id"] + "/other", other[c["id"]], c["text"]))
        write(test, ["id", "post_id", "text"], data)
        res = score(a.kindly, model, test)
        own += [v["relevance"] for i, v in res.items() if i.endswith("/own")]
        oth += [v["relevance"] for i, v in res.items() if i.endswith("/other")]
    return {"n": len(own), "auc": round(auc(own, oth), 4)}


def speed(a):
    """Throughput of `kindly score` (default model + the project's posts) with and without
    the relevance stage, on corpora/comments.csv repeated to about 20k rows."""
    model = os.path.join(a.out, "speed.db")
    fresh(model)
    run([a.kindly, "train", "-q", "-m", model, os.path.join(ROOT, "corpora/comments.csv"),
         SHARED + "/sms.csv", SHARED + "/youtube-dev.csv", SHARED + "/datacamp-comments.csv"])
    run([a.kindly, "posts", "-q", "-m", model, os.path.join(ROOT, "corpora/posts.csv")])
    src = rows(os.path.join(ROOT, "corpora/comments.csv"))
    data = [(str(k), r["post_id"], r["author"], r["email"], r["url"], r["text"]) for k in range(35) for r in src]
    path = os.path.join(a.out, "speed.csv")
    write(path, ["id", "post_id", "author", "email", "url", "text"], data)
    out = {}
    for name, extra in (("relevance off", ["--offtopic-threshold", "off"]), ("relevance on", [])):
        best = None
        for _ in range(a.repeat):
            t = time.perf_counter()
            subprocess.run([a.kindly, "score", "-m", model, "--no-rules", *extra, path], stdout=subprocess.DEVNULL, check=True)
            e = time.perf_counter() - t
            best = e if best is None else min(best, e)
        out[name] = {"rows": len(data), "seconds": round(best, 3), "rows_per_s": round(len(data) / best)}
    out["cost"] = round(1 - out["relevance on"]["rows_per_s"] / out["relevance off"]["rows_per_s"], 4)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kindly", default=os.path.join(ROOT, "kindly"))
    p.add_argument("--threshold", type=float, default=0.22)
    p.add_argument("--out", default=os.path.join(ROOT, "tools/out/relevance"))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--only", choices=("wellness", "datacamp", "speed"))
    a = p.parse_args()
    if not os.path.isdir(SHARED):
        sys.exit("bench_relevance: %s is absent" % SHARED)
    os.makedirs(a.out, exist_ok=True)
    res = {}
    for name, fn in (("wellness", wellness), ("datacamp", datacamp), ("speed", speed)):
        if a.only in (None, name):
            res[name] = fn(a)
            print(json.dumps({name: res[name]}), flush=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
