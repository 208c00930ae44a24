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

# A merge into a new model that fails names the model, not the file it was being built in
# (OUT.incomplete-XXXXXX, removed by then): it said "cannot merge in model
# out.db.incomplete-Q0Vv5l: the model's spam_tokens total would pass ..."
test_merge_into_a_new_model_that_fails_names_it_not_its_incomplete_file() {
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    "$KINDLY" train -q -m b.db "$MD/train.csv"
    sqlite3 a.db "UPDATE meta SET value = '9223372036854775807' WHERE key = 'spam_tokens'"
    expect_status 5 "$KINDLY" merge out.db a.db b.db
    contains "$T/err" "kindly merge: cannot merge in model out.db: the model's spam_tokens total would pass"
    contains "$T/err" "nothing was merged: out.db was not created"
    not_contains "$T/err" ".incomplete-"
    [ -z "$(ls out.db* 2>/dev/null)" ] || fail "left: $(ls out.db*)"
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
    # another process writing src.db: a write transaction held until the merge has ended
    { echo "BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'vocab';"; echo ".shell touch locked"
      wait_for test -e merged; echo "COMMIT;"; } | sqlite3 src.db &
    wait_for test -e locked
    expect_status 0 timeout 3 "$KINDLY" merge mo.db src.db
    touch merged
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
    # (the same models again, said to be meant: the counts of each are added once more)
    expect_status 0 "$KINDLY" merge --again out.db b.db
    contains "$T/err" "kindly merge: merged 1 model; out.db now has 18 spam and 18 ham messages"
    expect_status 0 "$KINDLY" merge -q --again out.db a.db
    [ ! -s "$T/err" ] || fail "-q: $(cat "$T/err")"
    expect_status 0 "$KINDLY" merge out.db a.db --quiet --again
    [ ! -s "$T/err" ] || fail "--quiet: $(cat "$T/err")"
    "$KINDLY" info -m out.db | grep -q '"spam_messages":30,' || fail "$("$KINDLY" info -m out.db)"
}

# Counts are sums, so a model merged twice was counted twice, silently: the same shard
# merged again, a copy of one, or a shard that learnt more since (its counts of then are in
# the output) is refused, exit 3, nothing merged, naming it and when it was merged; --again
# adds it all the same.
# Pruning does not commute with merging (README, The model file): shards pruned apart each drop
# the words they saw too rarely, though together they saw them often enough; merged unpruned,
# then pruned, they are the whole pruned once, token for token.
test_merge_then_prune_is_the_whole_pruned() {
    command -v sqlite3 >/dev/null && command -v python3 >/dev/null || skip "no sqlite3 or python3"
    python3 - "$ROOT/corpora/comments.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
half = len(rows) // 2
for name, part in (("a.csv", rows[1:half]), ("b.csv", rows[half:])):
    with open(name, "w", newline="") as f:
        csv.writer(f).writerows([rows[0]] + part)
EOF
    "$KINDLY" train -q -m a.db a.csv
    "$KINDLY" train -q -m b.db b.csv
    "$KINDLY" train -q -m whole.db --prune 2 a.csv b.csv
    expect_status 0 "$KINDLY" merge -q ab.db a.db b.db
    expect_status 0 "$KINDLY" info -m ab.db --prune 2
    q="SELECT * FROM tokens; SELECT * FROM meta WHERE key NOT IN ('generation', 'posts_generation', 'model_id')"
    sqlite3 whole.db "$q" >want
    sqlite3 ab.db "$q" >got
    [ -s want ] || fail "no token kept"
    cmp -s want got || fail "merged then pruned differs from the whole pruned: $(diff want got | head -4)"
    "$KINDLY" train -q -m pa.db --prune 2 a.csv
    "$KINDLY" train -q -m pb.db --prune 2 b.csv
    expect_status 0 "$KINDLY" merge -q pab.db pa.db pb.db
    whole=$(sqlite3 whole.db "SELECT count(*) FROM tokens")
    apart=$(sqlite3 pab.db "SELECT count(*) FROM tokens")
    [ "$apart" -lt "$whole" ] || fail "pruned apart: $apart tokens, the whole pruned: $whole"
}

test_merge_the_same_input_twice_is_refused() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    "$KINDLY" train -q -m b.db "$MD/train.csv"
    expect_status 0 "$KINDLY" merge -q all.db a.db
    merge_counts all.db >before
    expect_status 3 "$KINDLY" merge all.db a.db
    contains "$T/err" "kindly merge: cannot merge: a.db was merged into the output already, on $(date -u +%Y-%m-)"
    contains "$T/err" "--again adds it all the same"
    lines "$T/err" 1
    expect_status 3 "$KINDLY" merge all.db b.db a.db # all or nothing
    merge_counts all.db | cmp -s before - || fail "all.db changed: $(merge_counts all.db)"
    cp b.db copy.db
    expect_status 3 "$KINDLY" merge two.db b.db copy.db
    contains "$T/err" "copy.db is the same model as b.db, which this merge takes in already (a copy: it has its identity): its counts would be counted twice"
    [ ! -e two.db ] || fail "two.db was created"
    expect_status 0 "$KINDLY" merge -q all.db b.db
    "$KINDLY" train -q -m b.db "$MD/train.csv"
    expect_status 3 "$KINDLY" merge all.db b.db
    contains "$T/err" "b.db has changed since it was merged into the output on "
    contains "$T/err" "merging every shard as it is now into a new model"
    expect_status 0 "$KINDLY" merge -q --again all.db a.db
    contains <(merge_counts all.db) '"spam_messages":18,'
}

# A new OUT made with SOURCE_DATE_EPOCH set has the identity of OUT's own name, as every
# model created so (README: the same file twice), not that of the temporary file it is
# built in (OUT.incomplete-XXXXXX, a random name): two merges into all.db make one file.
test_merge_under_source_date_epoch_makes_the_same_file_twice() {
    "$KINDLY" train -q -m a.db "$MD/train.csv"
    mkdir x y
    (cd x && SOURCE_DATE_EPOCH=1700000000 "$KINDLY" merge -q all.db ../a.db) || fail "merge into x/all.db"
    (cd y && SOURCE_DATE_EPOCH=1700000000 "$KINDLY" merge -q all.db ../a.db) || fail "merge into y/all.db"
    cmp -s x/all.db y/all.db || fail "two merges under one SOURCE_DATE_EPOCH differ: model_id" \
        "$(sqlite3 x/all.db "SELECT value FROM meta WHERE key = 'model_id'" 2>&1)," \
        "$(sqlite3 y/all.db "SELECT value FROM meta WHERE key = 'model_id'" 2>&1)"
}

# Shards of one file name trained with SOURCE_DATE_EPOCH set (a packaging job exports it) have
# one identity, so merge refuses the second as a copy of the first: the message said only "(a
# copy: it has its identity)", of two shards nobody had copied; with the variable set it says
# why they may share one and what to do. Without it, a real copy's message is as it was.
test_merge_refusal_under_source_date_epoch_names_it() {
    mkdir a b
    SOURCE_DATE_EPOCH=1700000000 "$KINDLY" train -q -m a/shard.db "$MD/train.csv"
    SOURCE_DATE_EPOCH=1700000000 "$KINDLY" train -q -m b/shard.db "$MD/train.csv"
    SOURCE_DATE_EPOCH=1700000000 expect_status 3 "$KINDLY" merge all.db a/shard.db b/shard.db
    contains "$T/err" "b/shard.db is the same model as a/shard.db"
    contains "$T/err" "\$SOURCE_DATE_EPOCH is set: models of one file name created under one value have one identity"
    contains "$T/err" "unset it, or name the files apart"
    lines "$T/err" 2 # and "nothing was merged: all.db was not created"
    expect_status 3 "$KINDLY" merge all.db a/shard.db b/shard.db
    not_contains "$T/err" SOURCE_DATE_EPOCH
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

# A model in use is copied with SQLite's backup, as the README says, not with cp: what a
# writer still running (score --remember on a pipe, the server) has committed is in the -wal
# until a checkpoint, which a copy of the file alone leaves out
test_a_model_in_use_is_copied_with_sqlites_backup_not_cp() {
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    "$KINDLY" train -q -m m.db "$MD/train.csv"
    printf 'id,author,text\n' >in.csv
    for i in 1 2 3; do printf 'c%s,A%s,Comment number %s about sleeping better with a routine\n' $i $i $i >>in.csv; done
    { cat in.csv; wait_for test -e copied; } | "$KINDLY" score -m m.db --remember - >out.jsonl &
    scored() { [ "$(wc -l <out.jsonl)" -eq 3 ]; }
    wait_for scored # its verdicts are written once the batch is committed
    cp m.db cp.db
    sqlite3 m.db ".backup backup.db"
    touch copied
    wait
    "$KINDLY" history -m m.db | grep -q '"comments":3,' || fail "m.db: $("$KINDLY" history -m m.db)"
    "$KINDLY" history -m backup.db | grep -q '"comments":3,' || fail "backup: $("$KINDLY" history -m backup.db)"
    "$KINDLY" history -m cp.db | grep -q '"comments":0,' || fail "cp: $("$KINDLY" history -m cp.db)"
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

# merge_under_way PID: the merge PID has both its inputs a.db and b.db open (merge_open in the
# library: the check before opens them one at a time), or it has ended
merge_under_way() { ! running "$1" || has_open "$1" a.db b.db; }

# kill_merge SIG OUT IN...: merge IN... (a.db and b.db) into OUT and send SIG: once as soon as
# it has started, then once the merge is under way (its inputs open: a state waited for, not
# a delay), again until one lands there (it did not exit 0; 5 runs at most). After each run
# check_out OUT STATUS (defined by the caller) says whether OUT is as it should be.
kill_merge() {
    local sig=$1 out=$2 when pid st landed=
    shift 2
    # a background job of a script ignores SIGINT: as started from a terminal, it does not
    env --default-signal=INT true 2>/dev/null || skip "env has no --default-signal"
    [ -r /proc/$$/stat ] || skip "no /proc to see a merge's open files"
    for when in start 1 2 3 4 5; do
        before_merge
        : >merge.err # (a signal at once may come before the shell opens it)
        env --default-signal=INT "$KINDLY" merge -q "$out" "$@" 2>merge.err &
        pid=$!
        [ $when = start ] || wait_for merge_under_way $pid
        kill -s "$sig" $pid 2>/dev/null || true
        st=0
        wait $pid || st=$?
        check_out "$out" $st
        cat merge.err >>all.err
        [ $when = start ] || [ $st -eq 0 ] || { landed=$when; break; }
    done
    [ -n "$landed" ] || skip "no SIG$sig landed during a merge"
}

# A new OUT.db is built beside it under another name and renamed into place once complete:
# merge killed part-way (SIGKILL, which it cannot catch) leaves no OUT.db, not an empty or
# partial model that reads as a trained one. The one it makes is whole, without its -wal.
test_merge_killed_while_creating_leaves_no_output() {
    need_shared
    "$KINDLY" train -q -m a.db "$SHARED/corpora/sms.csv"
    cp a.db b.db
    spam=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' <(merge_counts a.db))
    before_merge() { rm -f out.db out.db-wal out.db-shm out.db.incomplete-*; }
    check_out() {
        [ -e "$1" ] || return 0
        [ ! -s "$1-wal" ] || fail "after status $2, $1-wal holds part of $1"
        contains <(merge_counts "$1" 2>&1) "\"spam_messages\":$((spam * 2)),"
    }
    kill_merge KILL out.db --again a.db b.db
    # complete and self-contained when it finishes: WAL mode, as kindly makes models, no log
    before_merge
    expect_status 0 "$KINDLY" merge --again out.db a.db b.db
    [ ! -e out.db-wal ] || fail "out.db-wal was left beside out.db"
    ! ls out.db.incomplete-* 2>/dev/null || fail "a temporary file was left"
    [ "$(sqlite3 out.db 'pragma journal_mode' 2>/dev/null || echo wal)" = wal ] || fail "out.db is not in WAL mode"
    contains <(merge_counts out.db) "\"spam_messages\":$((spam * 2)),"
    # with the mode a file created by the user has, not mkstemp's 0600
    touch x
    [ "$(stat -c %a out.db)" = "$(stat -c %a x)" ] || fail "out.db has mode $(stat -c %a out.db)"
}

incomplete_exists() { compgen -G "$1.incomplete-??????" >/dev/null; }

# A merge killed by SIGKILL while creating OUT.db leaves OUT.db.incomplete-XXXXXX: the next
# merge into OUT.db removes it and its -wal and -shm (no process holds its lock: its merge is
# gone), in one line, and goes on. One whose merge still runs (its lock held) is left, and a
# merge that would create OUT.db too is refused, naming it.
test_merge_after_a_killed_merge_removes_its_incomplete_file() {
    need_shared
    "$KINDLY" train -q -m a.db "$SHARED/corpora/sms.csv"
    cp a.db b.db
    local tries=0 pid
    until incomplete_exists out.db; do
        [ $tries -lt 5 ] || skip "every merge ended before it could be killed"
        rm -f out.db; tries=$((tries + 1))
        "$KINDLY" merge -q --again out.db a.db b.db & pid=$!
        creating() { ! running $pid || incomplete_exists out.db; }
        wait_for creating
        kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    done
    [ ! -e out.db ] || fail "out.db was created"
    stale=$(ls out.db.incomplete-??????)
    expect_status 0 "$KINDLY" merge out.db a.db
    contains "$T/err" "kindly merge: removed $stale, left by a merge into out.db that was killed before it ended"
    ! ls out.db.incomplete-* 2>/dev/null || fail "left: $(ls out.db.incomplete-*)"
    spam=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' <(merge_counts a.db))
    contains <(merge_counts out.db) "\"spam_messages\":$spam,"
    # a merge still running (its lock held, here by flock(1))
    command -v flock >/dev/null || skip "no flock command"
    rm -f out.db
    touch out.db.incomplete-Live00
    flock out.db.incomplete-Live00 sh -c 'touch held; while [ ! -e done ]; do sleep 0.01; done' & pid=$!
    wait_for test -e held
    expect_status 0 "$KINDLY" merge -q new.db a.db # another OUT's: not its business
    expect_status 5 "$KINDLY" merge out.db a.db
    contains "$T/err" "kindly merge: cannot create model out.db: another kindly merge is creating it (out.db.incomplete-Live00): wait for it to end"
    [ ! -e out.db ] || fail "out.db was created"
    touch done; wait $pid
    expect_status 0 "$KINDLY" merge -q out.db a.db
    contains "$T/err" "removed out.db.incomplete-Live00"
}

# Interrupted by a signal it catches while creating OUT.db, merge removes what it had made,
# says so in one line and ends by the signal (saying nothing when the signal came before it
# had started); at least one signal must have landed while it merged.
test_merge_interrupted_while_creating_says_so_and_leaves_nothing() {
    need_shared
    "$KINDLY" train -q -m a.db "$SHARED/corpora/sms.csv"
    cp a.db b.db
    before_merge() { rm -f out.db out.db-wal out.db-shm; }
    check_out() {
        case $2 in
        0) ;;
        130 | 143)
            [ ! -e "$1" ] || fail "status $2, yet $1 was left"
            [ ! -s merge.err ] || contains merge.err ": nothing was merged: $1 was not created" ;;
        *) fail "status $2: $(cat merge.err)" ;;
        esac
        ! ls "$1".incomplete-* 2>/dev/null || fail "status $2: a temporary file was left"
    }
    kill_merge INT out.db --again a.db b.db
    kill_merge TERM out.db --again a.db b.db
    grep -q "interrupted by SIGTERM: nothing was merged: out.db was not created" all.err ||
        grep -q "interrupted by SIGINT: nothing was merged: out.db was not created" all.err ||
        skip "no signal landed while merge ran"
}

# Merging into an existing OUT.db is one transaction: interrupted by any signal, OUT.db
# holds what it held before or all of the merge, nothing between.
test_merge_interrupted_into_an_existing_model_leaves_it_whole() {
    need_shared
    "$KINDLY" train -q -m a.db "$SHARED/corpora/sms.csv"
    cp a.db b.db
    "$KINDLY" train -q -m base.db "$MD/train.csv"
    base=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' <(merge_counts base.db))
    spam=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' <(merge_counts a.db))
    before_merge() { cp base.db out.db; rm -f out.db-wal out.db-shm; }
    check_out() {
        local got
        got=$(sed 's/.*"spam_messages":\([0-9]*\).*/\1/' <(merge_counts "$1"))
        [ "$got" = "$base" ] || [ "$got" = $((base + 2 * spam)) ] ||
            fail "status $2: $got spam messages, neither $base nor $((base + 2 * spam))"
        # ended by a signal it catches: before the commit (a KILL may land after it)
        case $2 in 130 | 143) [ "$got" = "$base" ] || fail "status $2, yet the merge was kept" ;; esac
        case $2 in
        0) [ ! -s merge.err ] || contains merge.err "once the merge was committed: it was finished, and out.db holds it" ;;
        # (nothing said by one that came before merge had started)
        130 | 143) [ ! -s merge.err ] || contains merge.err "nothing was merged into out.db (it is as it was)" ;;
        137) ;;
        *) fail "status $2: $(cat merge.err)" ;;
        esac
    }
    kill_merge INT out.db --again a.db b.db
    kill_merge TERM out.db --again a.db b.db
    kill_merge KILL out.db --again a.db b.db
}
