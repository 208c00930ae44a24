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
need_shared() { [ -d "$SHARED/corpora" ] || skip "../shared/corpora is absent"; }
export -f fail skip expect_status contains not_contains lines need_shared

for f in "$ROOT"/tests/e2e/t_*.sh; do
    # shellcheck source=/dev/null
    source "$f"
done
for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
    [ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
    T=$(mktemp -d "${TMPDIR:-/tmp}/kindly-e2e.XXXXXX")
    export T
    ( cd "$T" || exit 1; set -e; "$t" ) >"$T.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then pass=$((pass + 1)); echo "  ok    $t"
    elif [ $rc -eq 77 ]; then skip=$((skip + 1)); echo "  skip  $t: $(grep SKIP "$T.log" | head -1 | sed 's/.*SKIP: //')"
    else fail=$((fail + 1)); echo "  FAIL  $t"; sed 's/^/        /' "$T.log" | tail -20; fi
    rm -rf "$T" "$T.log"
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
