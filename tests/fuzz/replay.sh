#!/bin/sh
# replay.sh DIR - run each fuzz target built in DIR (make fuzz-replay) over its seed corpus
# in tests/fuzz/corpus/; fuzz_tokenize reads the classify corpus. Prints one line a target
# and "fuzz: N passed, N failed" last; exits 1 when a target failed (its output is shown).
set -u
dir=${1:?usage: tests/fuzz/replay.sh DIR}
pass=0 fail=0
for bin in "$dir"/fuzz_*; do
    case $bin in *.d | *.log) continue ;; esac
    name=${bin##*/fuzz_}
    corpus=tests/fuzz/corpus/$name
    [ "$name" = tokenize ] && corpus=tests/fuzz/corpus/classify
    n=$(ls "$corpus" | wc -l)
    if "$bin" "$corpus"/* >"$dir/$name.log" 2>&1; then
        printf '  ok    fuzz_%s (%s inputs)\n' "$name" "$n"
        pass=$((pass + 1))
    else
        printf '  FAIL  fuzz_%s\n' "$name"
        tail -20 "$dir/$name.log" | sed 's/^/        /'
        fail=$((fail + 1))
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
