# t_merge.sh - the model file's maintenance commands end to end, on real files: `kindly merge`
# (inputs read-only and checked first, one transaction, posts merged), `kindly history
# --prune` by the comments' dates, and `kindly info --pack` while another process reads the
# model. Sourced by run.sh; each test_* runs in a fresh $T.
MD=$ROOT/tests/e2e/data

# counts of a model, without its name (to compare two models, or one before and after)
merge_counts() { "$KINDLY" info -m "$1" | sed 's/"model":"[^"]*",//'; }

test_merge_refuses_the_output_or_an_input_twice_by_inode() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    merge_counts a.db >before
    # not a string compare: ./a.db is a.db (it waited 10 s, then "database is locked")
    expect_status 3 timeout 5 "$KINDLY" merge a.db ./a.db
    contains "$T/err" "cannot be the output model"
    ln -s a.db link.db
    expect_status 3 timeout 5 "$KINDLY" merge out.db a.db link.db
    contains "$T/err" "counted twice"
    [ ! -e out.db ] || fail "out.db was created"
    merge_counts a.db | cmp -s before - || fail "a.db changed"
}

test_merge_a_missing_input_creates_nothing() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    expect_status 5 "$KINDLY" merge out.db a.db nothere.db
    contains "$T/err" "nothere.db: no such file"
    not_contains "$T/err" "creates one" # training the input would not be what merge needs
    [ ! -e nothere.db ] || fail "the missing input was created"
    [ ! -e out.db ] || fail "out.db was created"
}

test_merge_a_bad_input_leaves_the_output_as_it_was() {
    "$KINDLY" train -q -m good.db "$MD/train.csv"
    "$KINDLY" train -q -m out.db "$MD/train.csv"
    echo "not a model at all, just text" >junk.db
    merge_counts out.db >before
    expect_status 5 "$KINDLY" merge out.db good.db junk.db
    contains "$T/err" "junk.db is not a kindly model"
    merge_counts out.db | cmp -s before - || fail "out.db changed: $(merge_counts out.db)"
    # the rerun without the bad input counts good.db once
    expect_status 0 "$KINDLY" merge out.db good.db
    spam=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' before)
    contains <(merge_counts out.db) "\"spam_messages\":$((spam * 2))"
    # a fresh output is not left behind either
    expect_status 5 "$KINDLY" merge fresh.db good.db junk.db
    [ ! -e fresh.db ] || fail "fresh.db was created"
}

test_merge_does_not_lock_its_input() {
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    "$KINDLY" train -q -m src.db "$MD/train.csv"
    # another process writing src.db: a write transaction held for 4 s
    { echo "BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'vocab';"; sleep 4; echo "COMMIT;"; } |
        sqlite3 src.db &
    sleep 0.5
    expect_status 0 timeout 3 "$KINDLY" merge mo.db src.db
    wait
    merge_counts src.db >a
    merge_counts mo.db | cmp -s a - || fail "mo.db differs from src.db"
}

# Merging a model into an empty one gives the same model: the same scores on the sample,
# relevance included (the posts come along, not only the words of their comments).
test_merge_into_an_empty_model_scores_the_same() {
    "$KINDLY" train -q -m p.db "$ROOT/corpora/comments.csv"
    "$KINDLY" posts -m p.db "$ROOT/corpora/posts.csv" 2>/dev/null
    expect_status 0 "$KINDLY" merge pm.db p.db
    [ "$(sqlite3 pm.db 'select count(*) from posts' 2>/dev/null || echo n/a)" != 0 ] || fail "no posts merged"
    "$KINDLY" score -m p.db "$ROOT/corpora/sample.csv" >want
    "$KINDLY" score -m pm.db "$ROOT/corpora/sample.csv" >got
    cmp -s want got || fail "scores differ: $(diff want got | head -4)"
    # and the shipped model
    expect_status 0 "$KINDLY" merge dm.db "$ROOT/models/default.db"
    "$KINDLY" score -m "$ROOT/models/default.db" "$ROOT/corpora/sample.csv" >want
    "$KINDLY" score -m dm.db "$ROOT/corpora/sample.csv" >got
    cmp -s want got || fail "scores differ: $(diff want got | head -4)"
}

# merge says what it did on stderr, as train, learn and posts do (it said nothing); -q, as
# theirs, keeps it quiet
test_merge_sums_up_on_stderr_unless_quiet() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    "$KINDLY" posts -q -m a.db "$ROOT/corpora/posts.csv"
    "$KINDLY" train -q -m b.db "$MD/train.csv"
    expect_status 0 "$KINDLY" merge out.db a.db b.db
    [ ! -s "$T/out" ] || fail "merge wrote to standard output: $(cat "$T/out")"
    tokens=$("$KINDLY" info -m a.db | sed 's/.*"tokens":\([0-9]*\).*/\1/')
    echo "kindly merge: merged 2 models; out.db now has 12 spam and 12 ham messages, $tokens tokens, 8 posts" >want
    cmp -s want "$T/err" || fail "summary: $(cat "$T/err")"
    expect_status 0 "$KINDLY" merge out.db b.db
    contains "$T/err" "kindly merge: merged 1 model; out.db now has 18 spam and 18 ham messages"
    expect_status 0 "$KINDLY" merge -q out.db a.db
    [ ! -s "$T/err" ] || fail "-q: $(cat "$T/err")"
    expect_status 0 "$KINDLY" merge out.db a.db --quiet
    [ ! -s "$T/err" ] || fail "--quiet: $(cat "$T/err")"
    "$KINDLY" info -m out.db | grep -q '"spam_messages":30,' || fail "$("$KINDLY" info -m out.db)"
}

# The history stores the comment's own date: pruning by age deletes the comments older than
# the cutoff, not every comment recorded before the last old one.
test_history_prune_by_age_keeps_recent_comments() {
    cp "$ROOT/models/default.db" h.db
    d1=$(date -u -d '-1 day' '+%Y-%m-%d %H:%M:%S')
    d2=$(date -u -d '-2 days' '+%Y-%m-%d %H:%M:%S')
    cat >dates.csv <<CSV
id,author,date,text
n1,Ann,$d1,This is a brand new comment about sleeping better at night with routines
n2,Bob,$d2,Another recent comment about running in the park every morning before work
o1,Cid,2020-01-01 10:00:00,An old imported comment about yoga and breathing from years ago
CSV
    expect_status 0 "$KINDLY" score -m h.db --remember dates.csv
    expect_status 0 "$KINDLY" history -m h.db --prune --keep-days 90
    contains "$T/out" '"pruned":1'
    contains "$T/out" '"comments":2'
    # the recent ones are still found as duplicates, the old one is gone
    cat >again.csv <<'CSV'
id,author,text
x1,Zed,This is a brand new comment about sleeping better at night with routines
x2,Zed,Another recent comment about running in the park every morning before work
x3,Zed,An old imported comment about yoga and breathing from years ago
CSV
    expect_status 0 "$KINDLY" score -m h.db again.csv
    sed -n 1p "$T/out" | grep -q '"duplicate_of":"n1"' || fail "x1: $(sed -n 1p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"duplicate_of":"n2"' || fail "x2: $(sed -n 2p "$T/out")"
    sed -n 3p "$T/out" | grep -q '"duplicate_of":null' || fail "x3: $(sed -n 3p "$T/out")"
    # --keep N keeps the N most recently recorded (n2 was recorded after n1)
    expect_status 0 "$KINDLY" history -m h.db --prune --keep 1
    contains "$T/out" '"pruned":1'
    expect_status 0 "$KINDLY" score -m h.db again.csv
    sed -n 1p "$T/out" | grep -q '"duplicate_of":null' || fail "x1 after --keep 1: $(sed -n 1p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"duplicate_of":"n2"' || fail "x2 after --keep 1: $(sed -n 2p "$T/out")"
}

test_pack_while_served_says_why() {
    command -v curl >/dev/null || skip "no curl"
    "$KINDLY" train -q -m m.db "$MD/train.csv"
    start_server -m m.db
    expect_status 5 timeout 5 "$KINDLY" info -m m.db --pack
    contains "$T/err" "cannot pack m.db while another process, or another handle of this one, has it open"
    contains "$T/err" "stop kindly serve"
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
    expect_status 0 "$KINDLY" info -m m.db --pack
}

# A merge that fails part-way leaves OUT as it was: a new OUT is not left behind, empty.
test_merge_that_fails_leaves_no_new_output() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    "$KINDLY" train -q -m big.db "$ROOT/corpora/comments.csv"
    "$KINDLY" info -m big.db --pack >/dev/null
    cp big.db broken.db
    # its header and schema read, its token pages not
    head -c 30000 /dev/zero | tr '\0' '\377' | dd of=broken.db bs=1 seek=200000 conv=notrunc status=none
    expect_status 5 "$KINDLY" merge new.db a.db broken.db
    contains "$T/err" "cannot read broken.db"
    contains "$T/err" "new.db was not created"
    [ ! -e new.db ] || fail "new.db was left behind"
}

# A packed model (rollback journal) whose writer was killed keeps a hot -journal, which a
# reader may not roll back: the message said "a model in WAL mode needs a writable
# directory", in a writable directory. It names the journal and the command that fixes it.
test_a_hot_journal_is_named_with_the_fix() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv" # pages enough to spill to the file
    "$KINDLY" info -m m.db --pack >/dev/null
    python3 - <<'PY'
import os, sqlite3
c = sqlite3.connect("m.db", isolation_level=None)
c.execute("pragma cache_size = 1")
c.execute("begin")
c.execute("update tokens set spam = spam + 1")
os._exit(0)  # killed in the middle of its write
PY
    [ -e m.db-journal ] || skip "no hot journal was left"
    expect_status 5 "$KINDLY" info -m m.db
    contains "$T/err" "an interrupted write left m.db-journal beside it"
    expect_status 0 "$KINDLY" info -m m.db --pack
    expect_status 0 "$KINDLY" info -m m.db
}
