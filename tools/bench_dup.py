#!/usr/bin/env python3
"""bench_dup.py - duplicate lookup speed and history size at 10k, 100k and 1M comments.

  tools/bench_dup.py [--kindly PATH] [--shared PATH] [--sizes 10000,100000,1000000]
                     [--queries 20000] [--instructions 2000]
  (--kindly: by default $KINDLY, else ./kindly; --shared: by default $KINDLY_SHARED, else ../shared)

Builds a history with `kindly score --remember` (one transaction per 2,000 comments) from
synthetic comments: each is 8-30 words drawn as short runs from real ham comments of
corpora/comments.csv and the shared corpora (../shared/corpora), with a made-up id,
post, author, e-mail and IP, so that texts are English-like but distinct. At each size it
times `kindly score --no-rules` (no --remember) on --queries comments, 10% of them near
copies of history comments, and reads the file size from `kindly history --stats`. The
same queries against the model with an empty history give the cost of the other stages; the
difference is the duplicate lookup's (dedup_lookup_per_s; null when it is not
measurable, as at small sizes). Bytes per comment = (file bytes - bytes of the same model with an
empty history) / comments, the file as written (not vacuumed), after a WAL checkpoint. With
--instructions N, the first N queries are also run under `valgrind --tool=callgrind` against
the history and against the empty history: the difference per query is the history
lookup's cost in instructions, which unlike the wall clock does not depend on what else the
machine is doing. Prints one JSON line a size (what `make bench` keeps, in
tools/out/bench_dup.json) and writes them all, as one JSON array, to results.json in --out
(tools/out/bench_dup/ by default), beside its working files.
"""
import csv, json, os, random, re, shutil, sqlite3, subprocess, sys, time
from contextlib import closing

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import (BenchError, add_kindly, add_shared, check_kindly, count, counts, main_guard, parser,  # noqa: E402
                        read_rows, shared_corpora)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def words(shared):
    ws = []
    srcs = [os.path.join(ROOT, "corpora", "comments.csv")]
    srcs += [shared_corpora(shared) / f for f in ("datacamp-comments.csv", "youtube-dev.csv", "sms.csv")]
    for p in srcs:
        for r in read_rows(p):
            if r["label"] == "ham":
                ws.extend(re.findall(r"\S+", r["text"].replace("\ufeff", "")))
    return ws


def comment(rnd, ws):
    out, n = [], rnd.randrange(8, 31)
    while len(out) < n:
        i = rnd.randrange(len(ws) - 6)
        out.extend(ws[i:i + rnd.randrange(2, 6)])
    return " ".join(out[:n])


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "post_id", "author", "email", "ip", "text"])
        w.writerows(rows)


def row(rnd, i, text):
    return [f"c{i}", f"p{rnd.randrange(20000)}", f"User {rnd.randrange(100000)}", f"user{rnd.randrange(10**6)}@mail.example",
            f"203.0.{rnd.randrange(256)}.{rnd.randrange(256)}", text]


def stats(k, db):
    return json.loads(subprocess.run([k, "history", "-m", db], check=True, capture_output=True, text=True).stdout)


def instructions(k, db, qf):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", k, "score", "--no-rules",
                        "-m", db, qf], check=True, capture_output=True, text=True)
    return int(re.search(r"refs:\s+([\d,]+)", r.stderr).group(1).replace(",", ""))


def main():
    ap = parser(__doc__)
    add_kindly(ap)
    add_shared(ap)
    ap.add_argument("--sizes", type=counts, default="10000,100000,1000000", help="history sizes, in comments (default: %(default)s)")
    ap.add_argument("--queries", type=count(), default=20000, help="comments scored at each size (default: %(default)s)")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "bench_dup"),
                    help="the working directory (default: tools/out/bench_dup)")
    ap.add_argument("--instructions", type=count(0), default=0, help="queries to count instructions on (callgrind)")
    a = ap.parse_args()
    a.kindly = check_kindly(a.kindly)
    if a.instructions and not shutil.which("valgrind"):
        raise BenchError("valgrind is not installed (--instructions counts them with callgrind; Debian: "
                         "tools/install-deps.sh --bench)")
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(4)
    ws = words(a.shared)
    db = os.path.join(a.out, "m.db")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(db + s):
            os.remove(db + s)
    subprocess.run([a.kindly, "train", "-q", "-m", db, os.path.join(ROOT, "tests/e2e/data/train.csv")], check=True)
    base = stats(a.kindly, db)["file_bytes"]
    empty = os.path.join(a.out, "empty.db")
    subprocess.run(["cp", db, empty], check=True)
    have, sample, res = 0, [], []
    for size in a.sizes:
        n = size - have
        rows = [row(rnd, have + i, comment(rnd, ws)) for i in range(n)]
        sample += [r[5] for r in rnd.sample(rows, min(1000, n))]
        chunk = os.path.join(a.out, "add.csv")
        write(chunk, rows)
        t = time.time()
        subprocess.run([a.kindly, "score", "--no-rules", "-m", db, "--remember", chunk], check=True, stdout=subprocess.DEVNULL)
        ins = n / (time.time() - t)
        have = size
        try:  # Python's module: the sqlite3 shell may not be installed
            with closing(sqlite3.connect(db)) as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            raise BenchError(f"{db}: cannot checkpoint: {e}") from None
        st = stats(a.kindly, db)
        q = []
        for i in range(a.queries):
            if i % 10 == 0:
                w = rnd.choice(sample).split(" ")
                j = rnd.randrange(len(w))
                w[j] = w[j][::-1]           # one word garbled
                q.append(row(rnd, 10**8 + i, " ".join(w)))
            else:
                q.append(row(rnd, 10**8 + i, comment(rnd, ws)))
        qf = os.path.join(a.out, "queries.csv")
        write(qf, q)
        best = None
        for _ in range(3):
            t = time.time()
            out = subprocess.run([a.kindly, "score", "--no-rules", "-m", db, qf], check=True, capture_output=True, text=True).stdout
            el = time.time() - t
            best = el if best is None or el < best else best
        t = time.time()
        subprocess.run([a.kindly, "score", "--no-rules", "-m", empty, qf], check=True, capture_output=True)
        el0 = time.time() - t
        for _ in range(2):
            t = time.time()
            subprocess.run([a.kindly, "score", "--no-rules", "-m", empty, qf], check=True, capture_output=True)
            el0 = min(el0, time.time() - t)
        dups = sum('"duplicate_of":null' not in l for l in out.splitlines())
        r = {"history": size, "insert_per_s": round(ins), "score_per_s": round(a.queries / best),
             "score_empty_history_per_s": round(a.queries / el0),
             # null when scoring with the history was not slower (a small one, in the noise)
             "dedup_lookup_per_s": round(a.queries / (best - el0)) if best > el0 else None,
             "queries": a.queries, "reported_duplicates": dups,
             "bytes_per_comment": round((st["file_bytes"] - base) / size, 1), "index_entries": st["index_entries"]}
        if a.instructions:
            qi = os.path.join(a.out, "queries-instr.csv")
            write(qi, q[:a.instructions])
            n = min(a.instructions, len(q))
            r["lookup_instructions_per_query"] = round((instructions(a.kindly, db, qi) - instructions(a.kindly, empty, qi)) / n)
        print(json.dumps(r), flush=True)
        res.append(r)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main_guard("bench_dup", main)
