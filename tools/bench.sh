#!/bin/sh
# bench.sh - what `make bench` runs: kindly's benchmark figures (docs/BENCHMARKS.md).
#
# Runs tools/bench_core.py (accuracy on the YouTube and SMS splits, side by side with
# bogofilter; speed against bogofilter), tools/bench_speed.py (one-core throughput, check
# latency, peak memory), tools/bench_rules.py (what the rules add and cost),
# tools/bench_relevance.py (off-topic detection) and tools/bench_dup.py (duplicate lookup at
# 10k and 100k comments of history; 1M with BENCH_DUP_SIZES=10000,100000,1000000), then
# joins their reports into tools/out/BENCH-latest.md. The server's figures come from
# tools/bench_server.sh, which `make bench` runs next.
#
# They need the third-party corpora beside the checkout (../shared/corpora, or
# KINDLY_SHARED=/path/to/shared); without them this prints a note and exits 0, so that
# `make bench` does not fail on a machine that only has the repository. A script that misses
# a target is noted after the report; one that fails (no report) makes this exit 1.
#
# Usage: tools/bench.sh                 (from anywhere; KINDLY=/path/to/kindly, default ./kindly)
set -eu
case ${1-} in
    "") ;;
    -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "bench: unknown argument '$1' (tools/bench.sh takes none; see --help)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
kindly=${KINDLY:-$root/kindly}
shared=${KINDLY_SHARED:-$root/../shared}
out=$root/tools/out

if [ ! -d "$shared/corpora" ]; then
    echo "bench: no shared corpora at $shared/corpora: skipped." >&2
    if [ -n "${KINDLY_SHARED:-}" ]; then
        echo "bench: KINDLY_SHARED=$KINDLY_SHARED: the corpora are read from its corpora/ (unset, from ../shared beside the checkout)." >&2
    else
        echo "bench: the benchmarks read the third-party corpora from ../shared beside the checkout;" >&2
        echo "bench: set KINDLY_SHARED=/path/to/shared to point elsewhere." >&2
    fi
    exit 0
fi

[ -x "$kindly" ] || { echo "bench: no kindly binary at $kindly (run make first, or set KINDLY)" >&2; exit 1; }
mkdir -p "$out"
# The reports of an earlier run are removed first, so that none is taken for this run's.
rm -f "$out/bench_core.md" "$out/bench_speed.md" "$out/bench_rules.md" "$out/bench_relevance.json" \
      "$out/bench_dup.json" "$out/BENCH-latest.md"
# bench NAME REPORT CMD...: a script that misses a target exits non-zero after writing its
# report (NAME is noted in $missed), one that fails writes none ($failed); either way the
# others run, so that one missed figure does not hide the others.
missed="" failed=""
bench() {
    name=$1 report=$2; shift 2
    "$@" && return 0
    if [ -s "$report" ]; then missed="$missed $name"; else failed="$failed $name"; fi
}
# report FILE NAME: FILE, or a line saying that NAME wrote none
report() {
    if [ -s "$1" ]; then cat "$1"; else echo "($2: no report: it failed, see its error above)"; fi
}
bench core "$out/bench_core.md" python3 "$root/tools/bench_core.py" --kindly "$kindly" --shared "$shared" >/dev/null
bench speed "$out/bench_speed.md" python3 "$root/tools/bench_speed.py" --kindly "$kindly" --shared "$shared" >/dev/null
bench rules "$out/bench_rules.md" python3 "$root/tools/bench_rules.py" --kindly "$kindly" --shared "$shared" >/dev/null
bench relevance "$out/bench_relevance.json" python3 "$root/tools/bench_relevance.py" --kindly "$kindly" --shared "$shared" \
    >"$out/bench_relevance.json"
bench duplicates "$out/bench_dup.json" python3 "$root/tools/bench_dup.py" --kindly "$kindly" --shared "$shared" \
    --sizes "${BENCH_DUP_SIZES:-10000,100000}" >"$out/bench_dup.json"
{
    report "$out/bench_core.md" core
    echo
    report "$out/bench_speed.md" speed
    echo
    report "$out/bench_rules.md" rules
    echo
    echo "# relevance (tools/bench_relevance.py)"
    echo
    report "$out/bench_relevance.json" relevance | sed 's/^/    /'
    echo
    echo "# duplicates lookup (tools/bench_dup.py --sizes ${BENCH_DUP_SIZES:-10000,100000})"
    echo
    report "$out/bench_dup.json" duplicates | sed 's/^/    /'
} >"$out/BENCH-latest.md"
cat "$out/BENCH-latest.md"
echo "bench: report written to tools/out/BENCH-latest.md" >&2
[ -z "$missed" ] || echo "bench: targets missed in:$missed (see the report)" >&2
[ -z "$failed" ] || { echo "bench: no report from:$failed (they failed: see their errors above)" >&2; exit 1; }
