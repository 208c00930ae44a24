#!/usr/bin/env bash
# End-to-end tests: run the real kindly binary on real files (CSV, SQLite models) and, where
# a test file asks for it, the real HTTP server on loopback.
#
# Each tests/e2e/t_*.sh defines functions named test_*; every function runs in its own
# subshell, in a fresh temporary directory ($T), with $KINDLY pointing at the binary and
# $ROOT at the checkout. A test fails when it returns non-zero (helpers below make the
# assertion messages readable). Prints "e2e: N passed, N failed, N skipped" last.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
export KINDLY=${KINDLY:-$ROOT/kindly}
export SHARED=${KINDLY_SHARED:-$ROOT/../shared}
unset KINDLY_MODEL
pass=0; fail=0; skip=0
filter=${1:-}

# --- helpers available to tests -------------------------------------------------------
fail() { echo "    FAIL: $*" >&2; return 1; }
skip() { echo "    SKIP: $*" >&2; exit 77; }
# expect_status N cmd...: run cmd, require exit status N (output kept in $T/out, $T/err)
expect_status() {
    local want=$1; shift
    local got=0
    "$@" >"$T/out" 2>"$T/err" || got=$?
    if [ "$got" -ne "$want" ]; then
        fail "expected exit $want, got $got from: $*"; sed 's/^/      stderr: /' "$T/err" | head -5 >&2; return 1
    fi
}
contains() { grep -qF -- "$2" "$1" || fail "$1 does not contain: $2"; }
not_contains() { ! grep -qF -- "$2" "$1" || fail "$1 contains: $2"; }
lines() { local n; n=$(wc -l <"$1"); [ "$n" -eq "$2" ] || fail "$1 has $n lines, expected $2"; }
# (named as looked for: KINDLY_SHARED's directory when it is set)
need_shared() { [ -d "$SHARED/corpora" ] || skip "$SHARED/corpora is absent${KINDLY_SHARED:+ (KINDLY_SHARED=$KINDLY_SHARED)}"; }
export -f fail skip expect_status contains not_contains lines need_shared
# wait_for CMD...: run CMD every 10 ms until it succeeds, for 10 s at most (then fail): a
# wait for a state (a process started, a file exists), never a fixed delay, which a loaded
# machine outlasts
wait_for() {
    local i=0
    until "$@"; do
        [ $i -lt 1000 ] || { fail "waited 10 s for: $*"; return 1; }
        sleep 0.01; i=$((i + 1))
    done
}
# running PID: the process runs (not ended, not a zombie waiting to be reaped)
running() { local st; st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
# has_open PID NAME...: the process has every file NAME (a base name) open
has_open() {
    local pid=$1 fds; shift
    fds=$(ls -l "/proc/$pid/fd" 2>/dev/null) || return 1
    for n in "$@"; do grep -q "/$n\$" <<<"$fds" || return 1; done
}
export -f wait_for running has_open

for f in "$ROOT"/tests/e2e/t_*.sh; do
    # shellcheck source=/dev/null
    source "$f"
done
# The tests run KINDLY_E2E_JOBS at a time (default: the number of processors, at most 4; 1
# runs them one after the other): none shares a file or a port with another (each has its
# own $T, servers listen on port 0). Results are printed in the tests' order.
jobs=${KINDLY_E2E_JOBS:-$(n=$(nproc 2>/dev/null || echo 1); echo $((n > 4 ? 4 : n)))}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: KINDLY_E2E_JOBS must be a count from 1 (got '$jobs')" >&2; exit 2; }
# a mark of the run's start: a test that writes into the checkout's tools/out (a benchmark
# script run without --out) overwrites the files a benchmark left there; the run fails naming them
mark=$(mktemp "${TMPDIR:-/tmp}/kindly-e2e-start.XXXXXX")
tests=() dirs=() pids=() rcs=()
for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
    [ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
    tests+=("$t")
done
# report I: print test I's result (it has ended: its status is in rcs[I]) and remove its files
report() {
    local t=${tests[$1]} T=${dirs[$1]} rc=${rcs[$1]}
    if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); echo "  ok    $t"
    elif [ "$rc" -eq 77 ]; then skip=$((skip + 1)); echo "  skip  $t: $(grep SKIP "$T.log" | head -1 | sed 's/.*SKIP: //')"
    else fail=$((fail + 1)); echo "  FAIL  $t"; sed 's/^/        /' "$T.log" | tail -20; fi
    rm -rf "$T" "$T.log"
}
# reap: wait for one running test to end, record its status, and report every test up to the
# first one still running
running=0 next=0
reap() {
    local pid rc=0 i
    wait -n -p pid || rc=$?
    for i in "${!pids[@]}"; do [ "${pids[$i]}" = "$pid" ] && rcs[i]=$rc && unset "pids[$i]"; done
    running=$((running - 1))
    while [ $next -lt ${#tests[@]} ] && [ -n "${rcs[$next]:-}" ]; do report $next; next=$((next + 1)); done
}
# interrupted: the running tests are ended too (each one's EXIT trap stops what it started)
trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT
trap 'kill "${pids[@]}" 2>/dev/null; exit 143' TERM
for i in "${!tests[@]}"; do
    [ $running -lt "$jobs" ] || reap
    T=$(mktemp -d "${TMPDIR:-/tmp}/kindly-e2e.XXXXXX")
    export T
    dirs[i]=$T
    ( trap 'exit 143' TERM; cd "$T" || exit 1; set -e; "${tests[$i]}" ) >"$T.log" 2>&1 &
    pids[i]=$!
    running=$((running + 1))
done
while [ $running -gt 0 ]; do reap; done
if [ -d "$ROOT/tools/out" ] && written=$(find "$ROOT/tools/out" -newer "$mark" -type f | head -5) && [ -n "$written" ]; then
    fail=$((fail + 1))
    echo "  FAIL  the tests wrote into the checkout's tools/out (a benchmark script run without --out):"
    sed 's/^/        /' <<<"$written"
fi
rm -f "$mark"
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
