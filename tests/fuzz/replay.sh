#!/bin/sh
# replay.sh DIR - run each fuzz target built in DIR (make fuzz-replay) over its seed corpus
# in tests/fuzz/corpus/; fuzz_tokenize reads the classify corpus, and fuzz_rules also reads
# the rule files the project ships (models/*.rules) as they are now, not a copy that would
# drift from them. Prints one line a target and "fuzz: N passed, N failed" last; exits 1 when
# a target failed (its output is shown). Runs from anywhere (paths are the checkout's).
set -u
dir=${1:?usage: tests/fuzz/replay.sh DIR}
dir=$(cd "$dir" && pwd) || exit 2
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0
for bin in "$dir"/fuzz_*; do
    case $bin in *.d | *.log) continue ;; esac
    name=${bin##*/fuzz_}
    corpus=tests/fuzz/corpus/$name
    [ "$name" = tokenize ] && corpus=tests/fuzz/corpus/classify
    set -- "$corpus"/*
    with=
    if [ "$name" = rules ]; then
        set -- "$@" models/*.rules
        with=", with the shipped $(cd models && echo *.rules)"
    fi
    if "$bin" "$@" >"$dir/$name.log" 2>&1; then
        printf '  ok    fuzz_%s (%s inputs%s)\n' "$name" "$#" "$with"
        pass=$((pass + 1))
    else
        printf '  FAIL  fuzz_%s\n' "$name"
        tail -20 "$dir/$name.log" | sed 's/^/        /'
        fail=$((fail + 1))
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
