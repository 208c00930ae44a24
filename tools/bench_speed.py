#!/usr/bin/env python3
"""bench_speed.py - kindly's one-core speed and memory figures.

What: with a "100k-token model" (sms.csv plus seeded synthetic SMS-like rows, until
`kindly info` counts >= 100,000 distinct tokens) and a file of >= 200,000 SMS-length rows
(sms.csv repeated, ids made unique by a suffix), measures
  b. `kindly train -q` throughput into a fresh model (rows/s, best of 3, one core);
  c. `kindly score` throughput with the 100k model (rows/s, best of 3, one core);
  d. `kindly check` latency for one SMS comment, process start to exit (hyperfine);
  e. peak memory (max RSS) of that `kindly score` run and of `kindly check`.
Targets: train and score >= 200,000 rows/s, check <= 5 ms, max RSS <= 64 MiB.
Why: kindly is meant to run inline in a comment form's request and in bulk re-scoring of a
whole blog on one core; these are the figures that promise holds to.
How: python3 tools/bench_speed.py [--kindly PATH] [--shared PATH] [--out DIR]
  (defaults: $KINDLY or ./kindly, $KINDLY_SHARED or ../shared, relative to the repo root).
Throughput runs are pinned to one CPU, the first this process may run on (CPU 0 on most
machines; a container's cpuset may exclude it), with `taskset -c N` (util-linux). Working files go to
tools/out/speed/, the Markdown report to stdout and tools/out/bench_speed.md. Python 3
standard library only; shares its helpers with tools/bench_core.py.
"""
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no tools/__pycache__ from importing bench_core
from bench_core import (BenchError, best_time, commands_block, machine_lines,  # noqa: E402
                        main_guard, mark, parse_args, read_csv, rel, remove_model, run, show, write_csv)

TARGET_TOKENS = 100_000
SYNTH_BATCH = 4_000        # synthetic rows added per round until the model has TARGET_TOKENS
SYNTH_WORDS = 12           # words per synthetic row
BIG_ROWS = 200_000         # at least this many rows in the throughput file
SEED = 20240601
HYPERFINE_RUNS, HYPERFINE_WARMUP = 200, 20
RSS_PROBE = ("import resource, subprocess, sys\n"
             "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def model_tokens(kindly, model, log):
    return json.loads(run([kindly, "info", "-m", model], log))["tokens"]


def synthetic_rows(rng, vocab, n, start):
    """n SMS-like rows: ~SYNTH_WORDS words, half from the SMS vocabulary, half made up."""
    rows = []
    for i in range(start, start + n):
        words = []
        for _ in range(rng.randint(SYNTH_WORDS - 3, SYNTH_WORDS + 3)):
            if rng.random() < 0.5:
                words.append(rng.choice(vocab))
            else:
                words.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9))))
        rows.append([f"synth-{i:06d}", "", "", "spam" if rng.random() < 0.15 else "ham", " ".join(words)])
    return rows


def build_100k_model(kindly, corpora, work, header, log):
    """sms.csv, then synthetic batches until `kindly info` counts TARGET_TOKENS; (model, rows, tokens)."""
    model = work / "model100k.db"
    remove_model(model)
    _, sms = read_csv(corpora / "sms.csv")
    vocab = sorted({w for r in sms for w in re.findall(r"[a-z']+", r[header.index("text")].lower())})
    run([kindly, "train", "-q", "-m", model, corpora / "sms.csv"], log)
    rng = random.Random(SEED)
    added, tokens = 0, model_tokens(kindly, model, log)
    while tokens < TARGET_TOKENS:
        batch = work / f"synthetic-{added // SYNTH_BATCH + 1:02d}.csv"
        write_csv(batch, ["id", "post_id", "author", "label", "text"], synthetic_rows(rng, vocab, SYNTH_BATCH, added))
        run([kindly, "train", "-q", "-m", model, batch], log)
        added += SYNTH_BATCH
        tokens = model_tokens(kindly, model, log)
    return model, len(sms) + added, tokens


def big_file(corpora, work):
    """sms.csv repeated to >= BIG_ROWS rows, "-rN" appended to each id; (path, rows)."""
    header, sms = read_csv(corpora / "sms.csv", ("id", "label", "text"))
    ii = header.index("id")
    reps = -(-BIG_ROWS // len(sms))
    rows = []
    for rep in range(reps):
        for r in sms:
            r = list(r)
            r[ii] = f"{r[ii]}-r{rep}"
            rows.append(r)
    path = work / f"sms-x{reps}.csv"
    write_csv(path, header, rows)
    return path, len(rows)


def hyperfine_latency(kindly, model, comment, work, log):
    """Median and p95 (ms) of `kindly check` from process start to exit, and how it was measured."""
    check = " ".join(shlex.quote(rel(a)) for a in (kindly, "check", "-m", model))  # run from the repo root
    out = work / "hyperfine.json"
    base = ["hyperfine", "-N", "-i", "--warmup", str(HYPERFINE_WARMUP), "--runs", str(HYPERFINE_RUNS),
            "--export-json", out]
    helptext = subprocess.run(["hyperfine", "--help"], capture_output=True, text=True).stdout
    if "--input" in helptext:
        run(base + ["--input", comment, check], log)
        t = json.loads(out.read_text())["results"][0]["times"]
        return statistics.median(t) * 1e3, pct95(t) * 1e3, "hyperfine --input"
    # hyperfine before 1.16 has no --input: time a shell wrapper and subtract the shell alone.
    wrapped = shlex.join(["sh", "-c", f"{check} < {shlex.quote(rel(comment))}"])
    run(base + [wrapped, "sh -c true"], log)
    w, b = (r["times"] for r in json.loads(out.read_text())["results"])
    how = (f"the shell wrapper minus `sh -c true` (median {statistics.median(b) * 1e3:.2f} ms; "
           "this hyperfine has no --input)")
    return (statistics.median(w) - statistics.median(b)) * 1e3, (pct95(w) - statistics.median(b)) * 1e3, how


def python_latency(kindly, model, comment, log):
    """Median and p95 (ms) of `kindly check` timed from Python (when hyperfine is missing)."""
    cmd = [str(kindly), "check", "-m", str(model)]
    log.append(show(cmd, comment) + f"   # {HYPERFINE_WARMUP} warm-up + {HYPERFINE_RUNS} timed runs from Python")
    times = []
    for i in range(HYPERFINE_WARMUP + HYPERFINE_RUNS):
        with open(comment, "rb") as f:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL)
            if i >= HYPERFINE_WARMUP:
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, pct95(times) * 1e3, "subprocess.run from Python"


def pct95(times):
    return sorted(times)[min(len(times) - 1, int(0.95 * len(times)))]


def max_rss_mib(cmd, log, stdin=None):
    """Max RSS (MiB) of cmd, measured by a fresh Python child's RUSAGE_CHILDREN."""
    probe = [sys.executable, "-c", RSS_PROBE] + [str(a) for a in cmd]
    log.append(show(cmd, stdin) + "   # max RSS: run by a fresh `python3 -c <getrusage probe>`")
    with open(stdin or os.devnull, "rb") as f:
        p = subprocess.run(probe, stdin=f, capture_output=True, text=True)
    rc, kib = (int(x) for x in p.stdout.split())
    if rc not in (0, 1, 2):
        raise BenchError(f"`{show(cmd, stdin)}` exited {rc}: {p.stderr.strip()[-300:]}")
    return kib / 1024


def main():
    args = parse_args(__doc__)
    kindly = args.kindly
    work = args.out / "speed"
    work.mkdir(parents=True, exist_ok=True)
    cpu = min(os.sched_getaffinity(0))  # CPU 0 may be outside a container's cpuset
    pin = ["taskset", "-c", str(cpu)] if shutil.which("taskset") else []
    header, sms = read_csv(args.corpora / "sms.csv", ("id", "label", "text"))

    # a. the 100k-token model
    alog = []
    model, model_rows, tokens = build_100k_model(kindly, args.corpora, work, header, alog)

    # b. train throughput into a fresh model, c. score throughput with the 100k model
    big, nbig = big_file(args.corpora, work)
    tlog = []
    fresh = work / "train-fresh.db"
    train_cmd = pin + [kindly, "train", "-q", "-m", fresh, big]
    # c: the core (Bayes) alone, as the figure is set; the default pipeline (rules, duplicates,
    # relevance) is measured on sms.csv itself below, since a file of 36 copies of every
    # comment is all duplicates and measures nothing but the duplicates stage
    core = ["--no-rules", "--dup-threshold", "off", "--offtopic-threshold", "off"]
    score_cmd = pin + [kindly, "score", *core, "-m", model, big]
    full_cmd = pin + [kindly, "score", "-m", model, args.corpora / "sms.csv"]
    tlog.append(show(train_cmd) + f"   # best of 3, {show([fresh])} removed before each run")
    t_train = best_time(train_cmd, 3, before=lambda: remove_model(fresh))
    tlog.append(show(score_cmd, stdout="/dev/null") + "   # best of 3")
    t_score = best_time(score_cmd, 3)
    tlog.append(show(full_cmd, stdout="/dev/null") + "   # best of 3")
    t_full = best_time(full_cmd, 3)
    train_rate, score_rate, full_rate = nbig / t_train, nbig / t_score, len(sms) / t_full

    # d. check latency for one SMS comment (the first ham message)
    comment = work / "comment.txt"
    comment.write_text(next(r for r in sms if r[header.index("label")] == "ham")[header.index("text")])
    dlog = []
    verdict = json.loads(run([kindly, "check", "-m", model], dlog, stdin=comment, ok=(0, 1, 2)))["verdict"]
    if shutil.which("hyperfine"):
        median, p95, how = hyperfine_latency(kindly, model, comment, work, dlog)
    else:
        median, p95, how = python_latency(kindly, model, comment, dlog)

    # e. peak memory
    elog = []
    rss_score = max_rss_mib([kindly, "score", "-m", model, big], elog)
    rss_check = max_rss_mib([kindly, "check", "-m", model], elog, stdin=comment)

    md = ["# kindly speed and memory benchmark", "", *machine_lines(kindly),
          f"- pinning: {f'`taskset -c {cpu}` for b and c' if pin else 'taskset not found: b and c ran unpinned'}",
          f"- working files: {show([work])}/", "",
          "| figure | value | target | met |", "|---|---:|---:|---|",
          f"| a. model tokens (`kindly info`) | {tokens:,} ({model_rows:,} training rows) | >= 100,000 "
          f"| {mark(tokens >= TARGET_TOKENS)} |",
          f"| b. train throughput, {nbig:,} rows, 1 core | {train_rate:,.0f} rows/s ({t_train:.3f} s) "
          f"| >= 200,000 rows/s | {mark(train_rate >= 200_000)} |",
          f"| c. score throughput (Bayes), {nbig:,} rows, 1 core, 100k model | {score_rate:,.0f} rows/s ({t_score:.3f} s) "
          f"| >= 200,000 rows/s | {mark(score_rate >= 200_000)} |",
          f"| c'. score throughput, all stages (rules, duplicates, relevance), sms.csv, 100k model "
          f"| {full_rate:,.0f} rows/s ({t_full:.3f} s) | | |",
          f"| d. check latency, median | {median:.2f} ms | <= 5 ms | {mark(median <= 5)} |",
          f"| d. check latency, p95 | {p95:.2f} ms | | |",
          f"| e. max RSS, score over {nbig:,} rows | {rss_score:.1f} MiB | <= 64 MiB | {mark(rss_score <= 64)} |",
          f"| e. max RSS, check | {rss_check:.1f} MiB | <= 64 MiB | {mark(rss_check <= 64)} |", "",
          f"a. sms.csv ({len(sms):,} rows) plus synthetic rows of {SYNTH_WORDS}±3 words (half drawn from the",
          f"SMS vocabulary, half random new words; random.Random({SEED})), {SYNTH_BATCH:,} rows per round",
          "until the model held 100,000 tokens:", "", *commands_block(alog), "",
          f"b, c. {show([big])}: sms.csv repeated, each id suffixed `-rN`; wall clock, time.perf_counter",
          "around subprocess.run, output to /dev/null:", "", *commands_block(tlog), "",
          f"d. {HYPERFINE_RUNS} runs after {HYPERFINE_WARMUP} warm-ups, {how}; the comment "
          f"({len(comment.read_text())} characters) got the verdict {verdict}:", "", *commands_block(dlog), "",
          "e. ru_maxrss of RUSAGE_CHILDREN in a fresh Python child per measurement:", "",
          *commands_block(elog), ""]
    report = "\n".join(md)
    (args.out / "bench_speed.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main_guard("bench_speed", main)
