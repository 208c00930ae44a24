#!/usr/bin/env python3
"""bench_relevance.py - the relevance figures of docs/BENCHMARKS-relevance.md.

Runs the real kindly binary on real SQLite models (Python 3 standard library only):

  wellness   posts: ../shared/corpora/wellness-posts.csv; site history: the model learns
             corpora/comments.csv (a wellness blog's moderated comments); on-topic:
             corpora/ontopic-wellness.csv (200); off-topic: corpora/offtopic.csv (150) plus
             the ham of ../shared/corpora youtube-dev.csv and sms.csv (chatter about music
             videos and daily life), each given one of the five posts round-robin.
             AUC of relevance (on-topic positive), and the share held at the threshold.
             "short replies": corpora/short-replies.csv (120 short genuine replies), a second
             on-topic group reported on its own (held, also by the halves of odd and even ids:
             odd is the half changes were tuned on); it is in no AUC nor in "on-topic".
  datacamp   posts: datacamp-posts.csv (title + description); each comment of
             datacamp-comments.csv scored against its own post and against another post
             (seeded choice), AUC own (positive) vs other. "history": the earlier half of
             each post's comments is learnt with its post_id (approved comments become part
             of the post's model), the later half is scored; "no history": 2-fold, the
             model learns the other half without post_id. No scored comment is in the model.
  speed      `kindly score` throughput on the same rows with relevance on and off.

  --huge-post in-domain off-domain: the wellness part again with one huge post on the site
             (generated here, never stored in the repo), after the figures without it:
             in-domain: the post kindness-connection's text repeated --huge-repeat times (15: a
             pillar guide of the blog's own topic; its own comments are still scored on it);
             off-domain: an extra post, the titles and descriptions of datacamp-posts.csv
             repeated to --huge-words words (20,000: a pasted e-book or transcript off the
             blog's topic). Each run, the one without a huge post included, also reports
             "datacamp chatter": datacamp-comments.csv's ham given the five posts round-robin,
             off topic here but in the off-domain post's vocabulary (in no AUC nor in "all
             off-topic"), and the on-topic comments held on kindness-connection and on the
             other four posts.

usage: tools/bench_relevance.py [--kindly PATH] [--shared PATH] [--threshold X] [--out DIR]
                                [--repeat N] [--only PART] [--foreign first|after] [--sweep X...]
                                [--huge-post in-domain|off-domain...] [--huge-repeat N] [--huge-words N]
--kindly: by default $KINDLY, else ./kindly; --shared (holding corpora/): by default
$KINDLY_SHARED, else ../shared.
Working files and results.json go to --out DIR (default: tools/out/relevance/, gitignored);
each part's figures are also printed on stdout, one JSON line a part.
"""
import csv, json, os, random, subprocess, sys, time

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import (add_kindly, add_shared, check_kindly, count, main_guard, parser, read_rows,  # noqa: E402
                        run as run_from_root, shared_corpora)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = str(shared_corpora())  # --shared's corpora/
csv.field_size_limit(1 << 30)


def rows(path, columns=("id", "post_id", "text")):
    return read_rows(path, columns)


def write(path, header, data):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(data)


def run(args):
    """The stdout of a command run from the repo root (every path here is absolute); one that
    fails is a BenchError naming it, with the end of its message (bench_core.run)."""
    return run_from_root(args, [])


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


FOREIGN = ("sms.csv", "youtube-dev.csv", "datacamp-comments.csv")
HUGE_POST = "kindness-connection"  # the wellness post --huge-post in-domain makes huge


def huge_posts(a, kind):
    """The CSV (post_id,title,text) of --huge-post kind, written under a.out; None for none."""
    if not kind:
        return None
    if kind == "in-domain":
        p = next(r for r in rows(SHARED + "/wellness-posts.csv", ("post_id", "title", "text"))
                 if r["post_id"] == HUGE_POST)
        row = (p["post_id"], p["title"], "\n\n".join([p["text"]] * a.huge_repeat))
    else:
        one = "\n\n".join("%s\n%s" % (r["title"], r["description"])
                           for r in rows(SHARED + "/datacamp-posts.csv", ("title", "description")))
        words, text = len(one.split()), one
        while len(text.split()) + words <= a.huge_words:
            text += "\n\n" + one
        row = ("huge-datacamp", "DataCamp tutorials", text)
    path = os.path.join(a.out, "huge-%s.csv" % kind)
    write(path, ["post_id", "title", "text"], [row])
    return path


def wellness_model(a, tag, foreign, huge=None):
    """The blog's model: corpora/comments.csv and the posts; with --foreign, also the shared
    corpora named in `foreign` learnt with --foreign --prune 2, before (first) or after
    (after) the blog's comments, as tools/build-model.sh does (first) or did (after)."""
    model = os.path.join(a.out, "wellness%s%s.db" % ("-huge-" + huge if huge else "", tag))
    fresh(model)
    steps = [["train", "-q", "-m", model, os.path.join(ROOT, "corpora/comments.csv")]]
    if a.foreign:
        f = ["train", "-q", "-m", model, "--foreign", "--prune", "2", *(SHARED + "/" + n for n in foreign)]
        steps.insert(0 if a.foreign == "first" else 1, f)
    steps.append(["posts", "-q", "-m", model, SHARED + "/wellness-posts.csv"])
    if a.site_posts:  # the posts the blog's history (comments.csv) was written on
        steps.append(["posts", "-q", "-m", model, os.path.join(ROOT, "corpora/posts.csv")])
    if huge:  # replaces kindness-connection (in-domain) or adds a post (off-domain)
        steps.append(["posts", "-q", "-m", model, huge_posts(a, huge)])
    for st in steps:
        run([a.kindly, *st])
    return model


def wellness(a, huge=None):
    posts = [p["post_id"] for p in rows(SHARED + "/wellness-posts.csv", ("post_id",))]
    on = [(r["id"], r["post_id"], r["text"]) for r in rows(os.path.join(ROOT, "corpora/ontopic-wellness.csv"))]
    short = [(r["id"], r["post_id"], r["text"]) for r in rows(os.path.join(ROOT, "corpora/short-replies.csv"))]
    groups = {"offtopic.csv": [(r["id"], r["post_id"], r["text"])
                               for r in rows(os.path.join(ROOT, "corpora/offtopic.csv"))]}
    k = 0
    for name in ("youtube-dev.csv", "sms.csv"):
        groups[name] = []
        for r in rows(SHARED + "/" + name, ("label", "text")):
            if r["label"] == "ham":
                groups[name].append(("x-%05d" % k, posts[k % len(posts)], r["text"]))
                k += 1
    # One model for all groups; with --foreign, one per group that never learnt the group's
    # own corpus (offtopic.csv: all three, written for this project, in none of them).
    models = {}
    if a.foreign:
        for g in groups:
            models[g] = wellness_model(a, "-" + g.split(".")[0], [n for n in FOREIGN if n != g], huge)
    else:
        one = wellness_model(a, "", [], huge)
        models = {g: one for g in groups}
    scored = {}  # group -> (on-topic results, the group's results), each id -> (relevance, generic, held)
    short_scored = {}  # group -> the short replies' results by that group's model
    cache = {}
    chatter = []  # --huge-post: DataCamp's ham on the wellness posts, scored by every model
    if a.huge_post:
        chatter = [("dc-%05d" % k, posts[k % len(posts)], r["text"]) for k, r in
                   enumerate(r for r in rows(SHARED + "/datacamp-comments.csv", ("label", "text"))
                             if r["label"] == "ham")]
    for g, model in models.items():
        if model not in cache:
            data = on + short + chatter + [x for h in groups if models[h] == model for x in groups[h]]
            path = os.path.join(a.out, "wellness-score%s.csv" % os.path.basename(model)[8:-3])
            write(path, ["id", "post_id", "text"], data)
            cache[model] = {i: (v["relevance"], v["generic"], any(x.startswith("off_topic") for x in v["reasons"]))
                            for i, v in score(a.kindly, model, path, ["--offtopic-threshold", str(a.threshold)]).items()}
        res = cache[model]
        scored[g] = ({i: res[i] for i, _, _ in on}, {i: res[i] for i, _, _ in groups[g]})
        short_scored[g] = {i: res[i] for i, _, _ in short}
    out = {}
    for g, (o, f) in scored.items():
        out[g] = {"n": len(f), "auc": round(auc([v[0] for v in o.values()], [v[0] for v in f.values()]), 4),
                  "held": round(sum(v[2] for v in f.values()) / len(f), 4)}
    # all off-topic: each off-topic comment against the on-topic ones scored by the same model
    # (a size-weighted mean of the groups' AUCs; the pooled AUC when there is one model)
    n = sum(out[g]["n"] for g in scored)
    out["all off-topic"] = {"n": n, "auc": round(sum(auc([v[0] for v in o.values()], [v[0] for v in f.values()]) * len(f)
                                                     for o, f in scored.values()) / n, 4),
                            "held": round(sum(sum(v[2] for v in f.values()) for _, f in scored.values()) / n, 4)}
    on_held = sorted({i for o, _ in scored.values() for i, v in o.items() if v[2]})
    out["on-topic"] = {"n": len(on), "held": round(len(on_held) / len(on), 4), "held_ids": on_held}
    if a.huge_post:  # on the post that --huge-post in-domain makes huge, and on the others
        for name, mine in (("on " + HUGE_POST, True), ("on the other posts", False)):
            ids = [i for i, p, _ in on if (p == HUGE_POST) == mine]
            out["on-topic"][name] = round(sum(1 for i in ids if i in on_held) / len(ids), 4)
        ch = {i for model in cache.values() for i, v in model.items() if i.startswith("dc-") and v[2]}
        out["datacamp chatter"] = {"n": len(chatter), "held": round(len(ch) / len(chatter), 4)}
    # short replies, held by any of the models; and by the halves (odd ids: the tuning half)
    short_held = sorted({i for d in short_scored.values() for i, v in d.items() if v[2]})
    odd = lambda i: int(i.rsplit("-", 1)[1]) % 2 == 1
    n_odd = sum(1 for i, _, _ in short if odd(i))
    out["short replies"] = {"n": len(short), "held": round(len(short_held) / len(short), 4),
                            "held_odd": round(sum(1 for i in short_held if odd(i)) / n_odd, 4),
                            "held_even": round(sum(1 for i in short_held if not odd(i)) / (len(short) - n_odd), 4),
                            "generic": round(len({i for d in short_scored.values() for i, v in d.items() if v[1]})
                                             / len(short), 4),
                            "held_ids": short_held}
    # the stage's decision (relevance below t, generic praise exempt) at other thresholds;
    # on-topic and short replies: held by any of the models
    below = lambda d, t: sum(1 for v in d.values() if v[0] < t and not v[1])
    out["sweep"] = {str(t): {"on-topic": round(len({i for o, _ in scored.values() for i, v in o.items()
                                                     if v[0] < t and not v[1]}) / len(on), 4),
                             "short replies": round(len({i for d in short_scored.values() for i, v in d.items()
                                                         if v[0] < t and not v[1]}) / len(short), 4),
                             "offtopic.csv": round(below(scored["offtopic.csv"][1], t) / len(groups["offtopic.csv"]), 4),
                             "all off-topic": round(sum(below(f, t) for _, f in scored.values()) / n, 4)}
                    for t in a.sweep}
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
    posts = rows(SHARED + "/datacamp-posts.csv", ("post_id",))
    comments = rows(SHARED + "/datacamp-comments.csv", ("id", "post_id", "label", "text"))
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
    src = rows(os.path.join(ROOT, "corpora/comments.csv"), ())
    data = [(str(k), r["post_id"], r["author"], r["email"], r["url"], r["text"]) for k in range(a.copies) for r in src]
    path = os.path.join(a.out, "speed.csv")
    write(path, ["id", "post_id", "author", "email", "url", "text"], data)
    runs = (("relevance off", ["--offtopic-threshold", "off"]), ("relevance on", []))
    best, cpu = {}, {}
    for _ in range(a.repeat):  # interleaved, so that load from elsewhere hits both alike
        for name, extra in runs:
            t = time.perf_counter()
            cmd = [a.kindly, "score", "-m", model, "--no-rules", *extra, path]
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            e = time.perf_counter() - t
            if status:
                raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), cmd)
            best[name] = min(best.get(name, e), e)
            c = ru.ru_utime + ru.ru_stime  # CPU time: steadier than wall time on a shared machine
            cpu[name] = min(cpu.get(name, c), c)
    out = {name: {"rows": len(data), "seconds": round(best[name], 3), "rows_per_s": round(len(data) / best[name]),
                  "cpu_seconds": round(cpu[name], 3)} for name, _ in runs}
    out["cost"] = round(1 - out["relevance on"]["rows_per_s"] / out["relevance off"]["rows_per_s"], 4)
    out["cost_cpu"] = round(1 - out["relevance off"]["cpu_seconds"] / out["relevance on"]["cpu_seconds"], 4)
    return out


def main():
    p = parser(__doc__)
    add_kindly(p)
    add_shared(p)
    p.add_argument("--threshold", type=float, default=0.30,
                   help="wellness: the --offtopic-threshold the share held is reported at (default: 0.30)")
    p.add_argument("--out", default=os.path.join(ROOT, "tools/out/relevance"),
                   help="the directory for the working files and results.json (default: tools/out/relevance)")
    p.add_argument("--repeat", type=count(), default=5, help="speed: runs of each, the best kept (default: 5)")
    p.add_argument("--sweep", type=float, nargs="*", default=[0.2, 0.25, 0.3, 0.32, 0.33, 0.35, 0.4, 0.45, 0.5],
                   help="wellness: thresholds at which to report the share held")
    p.add_argument("--copies", type=count(), default=35, help="speed: copies of corpora/comments.csv scored")
    p.add_argument("--no-site-posts", dest="site_posts", action="store_false",
                   help="wellness: import only the 5 scored posts, not corpora/posts.csv")
    p.add_argument("--only", choices=("wellness", "datacamp", "speed"), help="run that part alone (default: all three)")
    p.add_argument("--huge-post", nargs="+", choices=("in-domain", "off-domain"), default=[],
                   help="wellness: run it again with one huge post on the site (see above)")
    p.add_argument("--huge-repeat", type=count(), default=15, help="in-domain: copies of the post's text")
    p.add_argument("--huge-words", type=count(), default=20000, help="off-domain: words of the post, about")
    p.add_argument("--foreign", choices=("first", "after"),
                   help="wellness: the default model's recipe: the shared corpora learnt --foreign "
                        "--prune 2, before (first) or after (after) the blog's comments; each "
                        "group is scored by a model that did not learn its corpus")
    a = p.parse_args()
    a.kindly = check_kindly(a.kindly)
    global SHARED
    SHARED = str(shared_corpora(a.shared).absolute())
    if not os.path.isdir(SHARED):
        sys.exit("bench_relevance: %s is absent" % SHARED)
    a.out = os.path.abspath(a.out)
    os.makedirs(a.out, exist_ok=True)
    res = {}
    for name, fn in (("wellness", wellness), ("datacamp", datacamp), ("speed", speed)):
        if a.only in (None, name):
            res[name] = fn(a)
            print(json.dumps({name: res[name]}), flush=True)
            for kind in a.huge_post if name == "wellness" else ():
                key = "wellness, huge post %s" % kind
                res[key] = wellness(a, kind)
                print(json.dumps({key: res[key]}), flush=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main_guard("bench_relevance", main)
