# t_dup.sh - duplicates end to end: rows of one input, the history across runs (score
# --remember), `kindly history`, flags. Sourced by run.sh; each test_* runs in a fresh $T.
D=$ROOT/tests/e2e/data

dup_input() {
    cat > "$T/in.csv" <<'CSV'
id,post_id,author,email,text
a1,p1,Ann,ann@example.com,"I started journaling after reading this, and I sleep so much better now."
a2,p1,Ann,ann@example.com,"i started journaling after reading this and i sleep so much better now!!"
b1,p2,Bob,bob@example.com,"I started jurnaling after reading this and I sleep much better now :) Bob"
c1,p3,Cat,cat@example.com,"Walking every morning has changed my mood, thank you for the idea."
CSV
}

test_dup_rows_of_one_input_are_compared() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dup_input
    expect_status 0 "$KINDLY" score -m m.db in.csv
    lines "$T/out" 4
    sed -n 1p "$T/out" | grep -q '"duplicate_of":null' || fail "a1: $(sed -n 1p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"duplicate_of":"a1","similarity":1,"duplicate_scope":"same_author"' || fail "a2: $(sed -n 2p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"verdict":"hold"' || fail "a2 not held"
    sed -n 3p "$T/out" | grep -q '"duplicate_of":"a1"' || fail "b1: $(sed -n 3p "$T/out")"
    sed -n 3p "$T/out" | grep -q '"duplicate_scope":"site"' || fail "b1 scope"
    sed -n 4p "$T/out" | grep -q '"duplicate_of":null' || fail "c1: $(sed -n 4p "$T/out")"
    # nothing was remembered: the model has no history yet
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":0'
}

test_dup_remember_then_find_in_a_later_run_and_prune() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dup_input
    head -2 in.csv > first.csv
    expect_status 0 "$KINDLY" score -m m.db --remember first.csv
    expect_status 0 "$KINDLY" history -m m.db --stats
    contains "$T/out" '"comments":1'
    contains "$T/out" '"index_entries":12'
    { head -1 in.csv; sed -n 4p in.csv; } > second.csv
    expect_status 0 "$KINDLY" score -m m.db second.csv
    contains "$T/out" '"duplicate_of":"a1"'
    expect_status 0 "$KINDLY" score -m m.db --remember second.csv
    expect_status 0 "$KINDLY" history -m m.db --prune --keep 1
    contains "$T/out" '"pruned":1'
    contains "$T/out" '"comments":1'
    expect_status 0 "$KINDLY" history -m m.db --prune --keep-days 0
    contains "$T/out" '"comments":0'
}

test_dup_learn_records_history() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    echo "Win a free cruise, click my profile for the link now" | "$KINDLY" learn -m m.db --spam --raw 2>/dev/null
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":1'
    printf 'id,text\nx,"WIN a free cruise!!! click my profile for the link now"\n' > q.csv
    expect_status 0 "$KINDLY" score -m m.db q.csv
    contains "$T/out" '"similarity":1'
}

test_dup_flags_are_checked() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    expect_status 3 "$KINDLY" score -m m.db --dup-threshold 2 "$D/score.csv"
    expect_status 3 "$KINDLY" score -m m.db --dup-verdict maybe "$D/score.csv"
    expect_status 3 "$KINDLY" score --remember "$D/score.csv"
    expect_status 3 "$KINDLY" history -m m.db --keep 5
    expect_status 3 "$KINDLY" history --prune
    expect_status 0 "$KINDLY" help history
    contains "$T/out" "usage: kindly history"
}

test_dup_benchmark_on_shared_corpora() {
    need_shared
    python3 "$ROOT/tools/dupbench.py" build --shared "$SHARED/corpora" --out "$T/bench" --near 300 >/dev/null
    python3 "$ROOT/tools/dupbench.py" eval --kindly "$KINDLY" --out "$T/bench" > r.json
    python3 - r.json <<'PY' || fail "benchmark below target: $(cat r.json)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exact_recall"] == 1.0 and r["near_recall"] >= 0.93 and r["topic_false_positive_rate"] <= 0.02, r
PY
}
