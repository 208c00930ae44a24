#!/bin/sh
# bench_server.sh - the HTTP server's figures (docs/BENCHMARKS-server.md), with wrk on
# loopback only: comment-check throughput and latency at 64 connections, 1,000 concurrent
# connections, the same with learning (history) on, and comment-check with the duplicates
# stage off (what the HTTP layer and the other stages cost alone). Bounded: each run lasts DURATION
# seconds (default 10). Results go to tools/out/bench_server*.txt and are summarised on
# stdout. The last column is the server process's own CPU time (user + system, from
# /proc/PID/stat) per request answered: on a machine shared with other work it moves much
# less than requests/s and p99 do.
#
# Usage: tools/bench_server.sh        (KINDLY=/path/to/kindly, THREADS=2, DURATION=10)
# Needs wrk (Debian: tools/install-deps.sh --bench); without it, prints a note and exits 0.
set -eu
case ${1-} in
    "") ;;
    -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "bench_server: unknown argument '$1' (tools/bench_server.sh takes none; see --help)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
kindly=${KINDLY:-$root/kindly}
threads=${THREADS:-2}
duration=${DURATION:-10}
out=$root/tools/out
case $duration in
    ""|0*|*[!0-9]*) echo "bench_server: DURATION is a whole number of seconds from 1 (got '$duration')" >&2; exit 2 ;;
esac
[ -x "$kindly" ] || { echo "bench_server: no kindly binary at $kindly (run make first, or set KINDLY)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench_server: wrk is not installed (tools/install-deps.sh --bench): skipped" >&2; exit 0; }
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kindly-bench.XXXXXX")
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
# a signal ends the script through exit, so that the EXIT trap runs (sh runs none on a
# signal), and stops it there: wrk, interrupted too, exits 0, and the next run would start
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cp "$root/models/default.db" "$tmp/m.db"

# comment-check.lua: one Akismet form, with is_test=1 ("test") or without ("learn")
lua() {
    cat >"$tmp/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "blog=http%3A%2F%2Fblog.example&user_ip=203.0.113.9&user_agent=Mozilla%2F5.0&comment_type=comment&comment_author=Ann&comment_author_email=ann%40example.org&comment_content=Thanks+for+the+post%2C+the+breathing+exercise+helped+me+sleep+better+this+week.$2"
LUA
}
lua test "&is_test=1"
lua learn ""

start() {
    : >"$tmp/server.log" # created before the background job opens it: no race with sed below
    # wrk connects from one address, up to 1,000 connections: no per-address limit
    "$kindly" serve -m "$tmp/m.db" --listen 127.0.0.1:0 --threads "$threads" --max-per-ip 0 "$@" 2>"$tmp/server.log" &
    pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/server.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$tmp/server.log" >&2; exit 1; }
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }
cpu_ticks() { # utime + stime of the server, in clock ticks ("" without /proc)
    [ -r "/proc/$pid/stat" ] && awk '{ print $14 + $15 }' "/proc/$pid/stat" || true
}
run() { # name connections wrk-threads script
    name=$1; c=$2; t=$3; script=$4
    echo "wrk -t$t -c$c -d${duration}s --latency -s $script.lua http://127.0.0.1:PORT/1.1/comment-check" >"$out/bench_server_$name.txt"
    t0=$(cpu_ticks)
    rc=0
    wrk -t"$t" -c"$c" -d"${duration}s" --timeout 10s --latency -s "$tmp/$script.lua" \
        "http://127.0.0.1:$port/1.1/comment-check" >>"$out/bench_server_$name.txt" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        echo "bench_server: wrk exited $rc in run $name: $(tail -n 1 "$out/bench_server_$name.txt")" \
             "(tools/out/bench_server_$name.txt)" >&2
        exit 1
    fi
    t1=$(cpu_ticks)
    rps=$(sed -n 's/^Requests\/sec: *//p' "$out/bench_server_$name.txt")
    p99=$(sed -n 's/^ *99% *//p' "$out/bench_server_$name.txt")
    errs=$(sed -n 's/.*Socket errors: *//p; s/.*Non-2xx or 3xx responses: *\([0-9]*\)/non-2xx \1/p' "$out/bench_server_$name.txt" | tr '\n' ' ')
    n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out/bench_server_$name.txt")
    cpu=
    if [ -n "$t0" ] && [ -n "$t1" ] && [ -n "$n" ] && [ "$n" -gt 0 ]; then
        cpu=$(awk -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.1f us", d / hz / n * 1e6 }')
        echo "server CPU: $((t1 - t0)) ticks of 1/$(getconf CLK_TCK) s for $n requests" >>"$out/bench_server_$name.txt"
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$c" "$rps" "$p99" "${errs:-none}" "${cpu:-?}"
}

echo "kindly serve --threads $threads, wrk on the same machine ($(nproc) CPUs), ${duration}s per run"
echo "| run | connections | requests/s | p99 | errors | server CPU/request |"
echo "|---|---|---|---|---|---|"
start
run c64 64 2 test
run c1000 1000 2 test
stop
start
run c64-learn 64 2 learn
stop
start --dup-threshold off
run c64-nodup 64 2 test
stop
