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
             (seeded choice), AUC own (positive) vs other. "history": the earlier half of
             each post's comments is learnt with its post_id (approved comments become part
             of the post's model), the later half is scored; "no history": 2-fold, the
             model learns the other half without post_id. No scored comment is in the model.
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
    if a.site_posts:  # the posts the blog's history (comments.csv) was written on
        run([a.kindly, "posts", "-q", "-m", model, os.path.join(ROOT, "corpora/posts.csv")])
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
    # the stage's decision (relevance below t, generic praise exempt) at other thresholds
    below = lambda ids, t: round(sum(1 for i in ids if res[i]["relevance"] < t and not res[i]["generic"]) / len(ids), 4)
    groups = {"on-topic": [i for i in res if kind[i] == "on"],
              "offtopic.csv": [i for i in res if kind[i] == "offtopic.csv"],
              "all off-topic": [i for i in res if kind[i] != "on"]}
    out["sweep"] = {str(t): {g: below(ids, t) for g, ids in groups.items()} for t in a.sweep}
    return out


def datacamp(a):
    """Two set-ups, the same scoring: each comment against its own post and against another
    post (seeded choice); AUC own (positive) vs other.
      history:    per post, the earlier half of its comments (source order) is learnt with its
                  post_id: the approved ones become part of the post's model, as on a live
                  site where comments are moderated as they come. The later half is scored.
      no history: 2-fold; the model learns the other half's comments *without* post_id
                  (Bayes and site background only), so a post is its title and description.
    A scored comment is never in the model (nor in its post's comments)."""
    posts = rows(SHARED + "/datacamp-posts.csv")
    comments = rows(SHARED + "/datacamp-comments.csv")
    ids = [p["post_id"] for p in posts]
    rnd = random.Random(5)
    other = {c["id"]: rnd.choice([i for i in ids if i != c["post_id"]]) for c in comments}
    label = {c["id"]: c["label"] for c in comments}
    by_post = {}
    for c in comments:
        by_post.setdefault(c["post_id"], []).append(c)
    earlier = {c["id"] for L in by_post.values() for c in L[:len(L) // 2]}
    setups = {
        "history": [([c for c in comments if c["id"] in earlier], True,
                     [c for c in comments if c["id"] not in earlier])],
        "no history": [([c for k, c in enumerate(comments) if k % 2 != fold], False,
                        [c for k, c in enumerate(comments) if k % 2 == fold]) for fold in (0, 1)],
    }
    out = {}
    for name, runs in setups.items():
        own, oth = [], []
        for n, (train, with_post, test) in enumerate(runs):
            tag = "%s-%d" % (name.replace(" ", "-"), n)
            model = os.path.join(a.out, "datacamp-%s.db" % tag)
            fresh(model)
            tpath = os.path.join(a.out, "datacamp-train-%s.csv" % tag)
            write(tpath, ["id", "post_id", "author", "label", "text"],
                  [(c["id"], c["post_id"] if with_post else "", c["author"], c["label"], c["text"]) for c in train])
            run([a.kindly, "train", "-q", "-m", model, tpath])
            run([a.kindly, "posts", "-q", "-m", model, SHARED + "/datacamp-posts.csv"])
            spath = os.path.join(a.out, "datacamp-test-%s.csv" % tag)
            data = []
            for c in test:
                data.append((c["id"] + "/own", c["post_id"], c["text"]))
                data.append((c["id"] + "/other", other[c["id"]], c["text"]))
            write(spath, ["id", "post_id", "text"], data)
            res = score(a.kindly, model, spath)
            own += [(v["relevance"], label[i.split("/")[0]]) for i, v in res.items() if i.endswith("/own")]
            oth += [(v["relevance"], label[i.split("/")[0]]) for i, v in res.items() if i.endswith("/other")]
        ham = lambda L: [v for v, l in L if l == "ham"]
        out[name] = {"n": len(own), "auc": round(auc([v for v, _ in own], [v for v, _ in oth]), 4),
                     "n_ham": len(ham(own)), "auc_ham": round(auc(ham(own), ham(oth)), 4)}
    return out


def speed(a):
    """Throughput of `kindly score` (default model + the project's posts) with and without
    the relevance stage, on corpora/comments.csv repeated (--copies, 35: about 20k rows).
    Wall time (best of --repeat) and CPU time (user + system, best of --repeat)."""
    model = os.path.join(a.out, "speed.db")
    fresh(model)
    run([a.kindly, "train", "-q", "-m", model, os.path.join(ROOT, "corpora/comments.csv"),
         SHARED + "/sms.csv", SHARED + "/youtube-dev.csv", SHARED + "/datacamp-comments.csv"])
    run([a.kindly, "posts", "-q", "-m", model, os.path.join(ROOT, "corpora/posts.csv")])
    src = rows(os.path.join(ROOT, "corpora/comments.csv"))
    data = [(str(k), r["post_id"], r["author"], r["email"], r["url"], r["text"]) for k in range(a.copies) for r in src]
    path = os.path.join(a.out, "speed.csv")
    write(path, ["id", "post_id", "author", "email", "url", "text"], data)
    runs = (("relevance off", ["--offtopic-threshold", "off"]), ("relevance on", []))
    best, cpu = {}, {}
    for _ in range(a.repeat):  # interleaved, so that load from elsewhere hits both alike
        for name, extra in runs:
            t = time.perf_counter()
            p = subprocess.Popen([a.kindly, "score", "-m", model, "--no-rules", *extra, path], stdout=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            e = time.perf_counter() - t
            if status:
                sys.exit("kindly score failed")
            best[name] = min(best.get(name, e), e)
            c = ru.ru_utime + ru.ru_stime  # CPU time: steadier than wall time on a shared machine
            cpu[name] = min(cpu.get(name, c), c)
    out = {name: {"rows": len(data), "seconds": round(best[name], 3), "rows_per_s": round(len(data) / best[name]),
                  "cpu_seconds": round(cpu[name], 3)} for name, _ in runs}
    out["cost"] = round(1 - out["relevance on"]["rows_per_s"] / out["relevance off"]["rows_per_s"], 4)
    out["cost_cpu"] = round(1 - out["relevance off"]["cpu_seconds"] / out["relevance on"]["cpu_seconds"], 4)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kindly", default=os.path.join(ROOT, "kindly"))
    p.add_argument("--threshold", type=float, default=0.30)
    p.add_argument("--out", default=os.path.join(ROOT, "tools/out/relevance"))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--sweep", type=float, nargs="*", default=[0.2, 0.25, 0.3, 0.32, 0.33, 0.35, 0.4, 0.45, 0.5],
                   help="wellness: thresholds at which to report the share held")
    p.add_argument("--copies", type=int, default=35, help="speed: copies of corpora/comments.csv scored")
    p.add_argument("--no-site-posts", dest="site_posts", action="store_false",
                   help="wellness: import only the 5 scored posts, not corpora/posts.csv")
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
