#!/usr/bin/env python3
"""bench_prune.py - what `kindly history --prune` costs the writers beside it.

Builds a synthetic history with the real binary (`kindly score --remember` on a generated CSV,
so nothing but the public CLI writes it), then prunes it with `kindly history --prune
--keep-days 90` while two probes run beside the prune:

- a writer: another process's `BEGIN IMMEDIATE; ROLLBACK` on the model every 20 ms, timed (how
  long a writer, the server or `learn`, waits for the model's write lock);
- a server: `kindly serve` on loopback on the same model, one remembered POST /v1/classify
  every 20 ms, timed end to end (what a blog's moderation hook sees).

Comments are 8-30 words drawn from the project's own corpora (corpora/*.csv), each made unique
by a serial word so that none is a duplicate of another; a share of them (--old-share, 0.21)
is dated 91-400 days ago, the others 0-88 days ago, in random order, so the doomed rows are
scattered through the history as a year of a real blog's comments are.

Usage: python3 tools/bench_prune.py [--kindly PATH] [--rows 1000000] [--old-share 0.21]
       [--keep-days 90]   (--kindly: by default $KINDLY, else ./kindly)
Prints one summary; the generated model is kept in tools/out/bench_prune.db (large) only
with --keep-model.
"""
import csv
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import closing

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import add_kindly, check_kindly, count, main_guard, parser  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vocabulary():
    words = set()
    for name in sorted(os.listdir(os.path.join(ROOT, "corpora"))):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(ROOT, "corpora", name), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                words.update(w.lower() for w in re.findall(r"[A-Za-z']{3,}", row.get("text") or ""))
    return sorted(words)


def generate(path, rows, old_share, rng):
    vocab = vocabulary()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    old = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "text"])
        for i in range(rows):
            if rng.random() < old_share:
                days = rng.randint(91, 400)
                old += 1
            else:
                days = rng.randint(0, 88)  # (not 89: the run takes minutes, a day of slack)
            when = now - datetime.timedelta(days=days, seconds=rng.randint(0, 86399))
            text = " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 30)))
            w.writerow([f"g{i}", when.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{text} n{i}"])
    return old


class Probe(threading.Thread):
    """Runs step() every 20 ms until stopped; keeps the longest step and the count."""

    def __init__(self, step):
        super().__init__(daemon=True)
        self.step, self.stop, self.worst, self.n, self.errors = step, threading.Event(), 0.0, 0, 0

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                self.step()
            except Exception as e:  # counted, and the first shown
                self.errors += 1
                if self.errors == 1:
                    print(f"bench_prune: probe error: {e}", file=sys.stderr)
            self.worst = max(self.worst, time.monotonic() - t0)
            self.n += 1
            time.sleep(0.02)


def start_server(kindly, model, log):
    p = subprocess.Popen([kindly, "serve", "-m", model, "--listen", "127.0.0.1:0", "--threads", "1"],
                         stderr=open(log, "w"), stdout=subprocess.DEVNULL)
    for _ in range(100):
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            return p, int(m.group(1))
        time.sleep(0.1)
    p.kill()
    sys.exit(f"bench_prune: the server did not start:\n{open(log).read()}")


def main():
    ap = parser(__doc__)
    add_kindly(ap)
    ap.add_argument("--rows", type=count(), default=1000000, help="comments in the history (default: %(default)s)")
    ap.add_argument("--old-share", type=float, default=0.21,
                    help="the share of them older than --keep-days (default: %(default)s)")
    ap.add_argument("--keep-days", type=int, default=90, help="the prune's retention (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="the generator's seed (default: %(default)s)")
    ap.add_argument("--keep-model", action="store_true", help="keep the model in tools/out/bench_prune.db")
    a = ap.parse_args()
    kindly = check_kindly(a.kindly)
    tmp = tempfile.mkdtemp(prefix="kindly-prune.")
    server, probes = None, []
    try:
        model, data = os.path.join(tmp, "m.db"), os.path.join(tmp, "gen.csv")
        shutil.copy(os.path.join(ROOT, "models", "default.db"), model)
        old = generate(data, a.rows, a.old_share, random.Random(a.seed))
        t0 = time.monotonic()
        subprocess.run([kindly, "score", "-m", model, "--remember", "--no-rules", data],
                       stdout=subprocess.DEVNULL, check=True)
        build = time.monotonic() - t0

        local = threading.local()

        def write():  # its own connection, opened in the probe's thread
            if not hasattr(local, "db"):
                local.db = sqlite3.connect(model, timeout=600, isolation_level=None)
            local.db.execute("BEGIN IMMEDIATE")
            local.db.execute("ROLLBACK")

        server, port = start_server(kindly, model, os.path.join(tmp, "server.log"))
        seq = iter(range(1 << 62))

        def check():
            body = json.dumps({"id": f"probe{next(seq)}", "text": "The breathing exercise helped me sleep."})
            req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/classify", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=600) as r:
                r.read()

        probes = [Probe(write), Probe(check)]
        for p in probes:
            p.start()
        time.sleep(1)  # the probes' quiet figures first
        quiet = [p.worst for p in probes]
        t0 = time.monotonic()
        r = subprocess.run([kindly, "history", "-m", model, "--prune", "--keep-days", str(a.keep_days)],
                           capture_output=True, text=True)
        prune = time.monotonic() - t0
        time.sleep(0.5)
        for p in probes:
            p.stop.set()
        for p in probes:
            p.join()
        server.terminate()
        server.wait()
        if r.returncode:
            sys.exit(f"bench_prune: history --prune exited {r.returncode}: {r.stderr.strip()}")
        stats = json.loads(r.stdout)
        print(f"history: {a.rows} comments, {old} dated over {a.keep_days} days ago; "
              f"built by score --remember in {build:.1f} s")
        print(f"prune: {stats.get('pruned')} deleted in {prune:.2f} s "
              f"({stats.get('comments')} left)")
        print(f"writer (BEGIN IMMEDIATE every 20 ms): longest wait {probes[0].worst:.3f} s "
              f"({probes[0].n} probes; {quiet[0]:.3f} s before the prune), {probes[0].errors} errors")
        print(f"server (remembered /v1/classify every 20 ms): slowest {probes[1].worst:.3f} s "
              f"({probes[1].n} requests; {quiet[1]:.3f} s before the prune), {probes[1].errors} errors")
        if a.keep_model:  # through SQLite: the model's WAL may still hold its last transactions
            kept = os.path.join(ROOT, "tools", "out", "bench_prune.db")
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            with closing(sqlite3.connect(model)) as src, closing(sqlite3.connect(kept)) as dst:
                src.backup(dst)
        return 1 if probes[0].errors or probes[1].errors else 0
    finally:
        for p in probes:  # interrupted while they probed: stopped before the server is
            p.stop.set()
            p.join()
        if server and server.poll() is None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main_guard("bench_prune", lambda: sys.exit(main()))
