#!/bin/sh
# Run every Criterion unit-test binary given as arguments; print one closing line with the
# totals and fail if any binary failed. A skipped test is named with its reason (Criterion
# reports skips only when verbose, and leaves them out of "Tested").
set -u
pass=0; fail=0; skip=0; bad=""
for t in "$@"; do
    out=$("$t" --jobs 2 --verbose 2>&1); rc=$?
    skipped=$(printf '%s\n' "$out" | grep '^\[SKIP\]' || true)
    [ -z "$skipped" ] || skip=$((skip + $(printf '%s\n' "$skipped" | wc -l)))
    line=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(printf '%s' "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${c:-0}))
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        printf '%s\n' "$out" | grep -v '^\[RUN \]\|^\[PASS\]'
        bad="$bad $t"
        [ -z "$line" ] && fail=$((fail + 1))
    else
        printf '%-40s %s\n' "$(basename "$t")" "$line"
        [ -z "$skipped" ] || printf '%s\n' "$skipped" | sed 's/^/    /'
    fi
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ -z "$bad" ]
