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

# a file without an id column is remembered under line numbers: kindly says so (a later
# file's copy on the same line would count as the same comment); a file with ids is not warned
test_dup_remember_without_an_id_column_warns() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dup_input
    cut -d, -f2- in.csv > noid.csv
    expect_status 0 "$KINDLY" score -m m.db --remember noid.csv
    contains "$T/err" "noid.csv has no id column: its comments are remembered under their line numbers"
    expect_status 0 "$KINDLY" score -m m.db noid.csv # nothing remembered: nothing to say
    [ ! -s "$T/err" ] || fail "warned without --remember: $(cat "$T/err")"
    expect_status 0 "$KINDLY" score -m m.db --remember in.csv
    [ ! -s "$T/err" ] || fail "warned with an id column: $(cat "$T/err")"
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

# The same comment checked again (a retry, a second run on the same file) is not a duplicate
# of itself, and is recorded once, also when it is learnt afterwards; another id with its
# text is a duplicate as ever.
test_dup_a_comment_is_not_a_duplicate_of_itself() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    printf 'id,text\nz1,"Walking every morning has changed my mood, thank you for the idea."\n' >one.csv
    for run in 1 2; do
        expect_status 0 "$KINDLY" score -m m.db --remember one.csv
        contains "$T/out" '"duplicate_of":null'
    done
    expect_status 0 "$KINDLY" learn -m m.db --ham one.csv
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":1'
    sed 's/^z1,/z2,/' one.csv >two.csv
    expect_status 0 "$KINDLY" score -m m.db --remember two.csv
    contains "$T/out" '"duplicate_of":"z1"'
}

# read_only_model FILE: let the commands run through $AS_READER read the model FILE but not
# write it: mode 444 and, as root (who writes anything), the user nobody. $T stays writable:
# SQLite reads a WAL model through a -shm file it creates beside it. Used by t_server.sh too.
read_only_model() {
    chmod 444 "$1"
    chmod 777 "$T"
    AS_READER=
    [ "$(id -u)" = 0 ] || return 0
    as_nobody
}

# as_nobody: set AS_READER to run commands as the user nobody (root and setpriv needed, else
# the test is skipped). A checkout nobody cannot enter (a private temporary directory in CI)
# gets its binary and default rules copied into $T, made reachable, and $KINDLY pointed at
# the copy.
as_nobody() {
    command -v setpriv >/dev/null || skip "setpriv is needed to run kindly as a user other than root"
    AS_READER="setpriv --reuid=65534 --regid=65534 --clear-groups"
    if ! $AS_READER test -x "$KINDLY"; then
        cp "$KINDLY" "$T/kindly-bin" && chmod 755 "$T/kindly-bin" && chmod o+rx "$T"
        # with the shipped rules beside it, where a binary looks for them (models/)
        mkdir -p "$T/models" && cp "$ROOT/models/default.rules" "$T/models/" && chmod -R o+rX "$T/models"
        KINDLY="$T/kindly-bin"
        $AS_READER test -x "$KINDLY" || skip "the user nobody cannot run $KINDLY"
    fi
}

# A model that cannot be written is an I/O failure (exit 5), not a usage error (3), said when
# the model is opened for writing (SQLite opened it read-only instead, and the first write
# failed with "attempt to write a readonly database"), not "not an error".
test_dup_writes_to_a_read_only_model_exit_5_and_say_why() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dup_input
    "$KINDLY" score -m m.db --remember in.csv >/dev/null
    printf 'id,text\nn1,"A new comment that this model has never seen before, about tea"\n' >new.csv
    read_only_model m.db
    for cmd in "score -m m.db --remember new.csv" "learn -m m.db --spam new.csv" "learn -m m.db --spam --undo new.csv" \
               "history -m m.db --prune --keep 1"; do
        # shellcheck disable=SC2086
        expect_status 5 $AS_READER "$KINDLY" $cmd
        contains "$T/err" "cannot open model m.db for writing: "
        contains "$T/err" "(this user may not write the file)"
        not_contains "$T/err" "not an error"
    done
    expect_status 0 $AS_READER "$KINDLY" history -m m.db
    contains "$T/out" '"comments":4'
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

# The history keeps a comment's date (an imported backlog is old), but never a date in the
# future (it would never be pruned), honours a UTC offset, and takes "now" for a date that
# does not exist rather than letting timegm() move it.
test_dup_recorded_time_is_the_date_clamped_to_now() {
    printf 'id,date,text\n' >dates.csv
    printf 'f1,2099-05-01T13:45:00Z,A comment from the future about sleeping and journaling every night\n' >>dates.csv
    "$KINDLY" train -q -m m.db "$D/train.csv"
    local before after
    before=$(date +%s)
    "$KINDLY" score -m m.db --remember dates.csv >/dev/null
    after=$(date +%s)
    "$KINDLY" history -m m.db >h.json
    python3 - "$before" "$after" h.json <<'PY' || fail "a future date was recorded as such"
import json, sys
h = json.load(open(sys.argv[3]))
assert int(sys.argv[1]) <= h["newest"] <= int(sys.argv[2]), h
PY
    printf 'id,date,text\no1,2024-05-01T13:45:00+02:00,An offset comment about walking in the morning for a better mood\n' >off.csv
    "$KINDLY" train -q -m o.db "$D/train.csv"
    "$KINDLY" score -m o.db --remember off.csv >/dev/null
    "$KINDLY" history -m o.db >o.json
    contains o.json '"oldest":1714563900' # 11:45 UTC
    printf 'id,date,text\nb1,2024-02-31 99:99:99,A comment on a day that never was about breathing exercises\n' >bad.csv
    "$KINDLY" train -q -m b.db "$D/train.csv"
    "$KINDLY" score -m b.db --remember bad.csv >/dev/null
    "$KINDLY" history -m b.db >b.json
    python3 -c "import json,sys,time; h=json.load(open('b.json')); sys.exit(abs(h['oldest']-time.time())>60)" ||
        fail "an impossible date was not recorded as now"
}

# --keep-days N deletes the comments *more* than N days old, as help history and the README
# say: one exactly N days old (to the second) stays, one a second older goes. It deleted both
# (the age limit was "at or before"). --keep-days 0 still empties the history by age.
test_history_keep_days_keeps_a_comment_exactly_n_days_old() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    local now="" try
    for try in 1 2 3 4 5; do # the prune must run in the second the dates were computed
        cp m.db h.db
        now=$(date +%s)
        {
            printf 'id,date,text\n'
            printf 'edge,%s,I started journaling after reading this and I sleep better now\n' "$(date -u -d "@$((now - 2 * 86400))" +%FT%TZ)"
            printf 'old,%s,Walking every morning has changed my mood so thank you for the idea\n' "$(date -u -d "@$((now - 2 * 86400 - 1))" +%FT%TZ)"
        } >d.csv
        "$KINDLY" score -m h.db --remember d.csv >/dev/null
        expect_status 0 "$KINDLY" history -m h.db --prune --keep-days 2
        [ "$(date +%s)" = "$now" ] && break
        now=""
    done
    [ -n "$now" ] || skip "the clock ticked over during each of 5 tries"
    contains "$T/out" '"comments":1'
    contains "$T/out" '"pruned":1'
    contains "$T/out" "\"oldest\":$((now - 2 * 86400)),"
    expect_status 0 "$KINDLY" history -m h.db --prune --keep-days 0
    contains "$T/out" '"comments":0'
}

# kindly history gives the oldest and newest times as ISO 8601 UTC too, for a reader, beside
# the Unix seconds (kept for scripts); null when the history is empty.
test_history_shows_its_dates_in_iso_8601() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"oldest":0,"oldest_utc":null,"newest":0,"newest_utc":null'
    printf 'id,date,text\na,2024-05-01T13:45:00Z,I started journaling after reading this and I sleep better now\n' >d.csv
    printf 'b,2024-05-03T15:45:00+02:00,Walking every morning has changed my mood so thank you for the idea\n' >>d.csv
    "$KINDLY" score -m m.db --remember d.csv >/dev/null
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"oldest":1714571100,"oldest_utc":"2024-05-01T13:45:00Z","newest":1714743900,"newest_utc":"2024-05-03T13:45:00Z"'
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "not JSON: $(cat "$T/out")"
}

# kindly history --id: what the history holds of one comment (post, time in seconds and ISO
# 8601 UTC, the label feedback gave it), one JSON line an id in the order given; an id it does
# not hold (never remembered, or pruned) is found:false, exit status 1.
test_history_looks_a_comment_up_by_its_id() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    printf 'comment_ID,comment_post_ID,comment_date_gmt,comment_content\n1171,12,2024-05-03 15:45:00,Walking every morning has changed my mood so thank you for the idea\n' >wp.csv
    "$KINDLY" score -m m.db --remember wp.csv >/dev/null
    echo "cheap pills buy now at pills.example" | "$KINDLY" learn -q -m m.db --raw --spam --id 1170 --post 12 --date 2024-05-01T13:45:00Z
    expect_status 1 "$KINDLY" history -m m.db --id 1170 --id 9999 --id 1171
    lines "$T/out" 3
    [ "$(sed -n 1p "$T/out")" = '{"id":"1170","found":true,"comments":[{"seq":2,"post":"12","time":1714571100,"time_utc":"2024-05-01T13:45:00Z","learnt":"spam"}]}' ] || fail "1170: $(sed -n 1p "$T/out")"
    [ "$(sed -n 2p "$T/out")" = '{"id":"9999","found":false,"comments":[]}' ] || fail "9999: $(sed -n 2p "$T/out")"
    [ "$(sed -n 3p "$T/out")" = '{"id":"1171","found":true,"comments":[{"seq":1,"post":"12","time":1714751100,"time_utc":"2024-05-03T15:45:00Z","learnt":null}]}' ] || fail "1171: $(sed -n 3p "$T/out")"
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" || fail "not JSON lines: $(cat "$T/out")"
    # a comment recorded without an id, by the name duplicate_of gives it
    echo "Thank you for the walking tips, they helped my mood a lot" >c.txt
    "$KINDLY" check -m m.db --remember <c.txt >/dev/null || true
    "$KINDLY" check -m m.db <c.txt >dup.json || true
    name=$(sed 's/.*"duplicate_of":"\(history:[0-9]*\)".*/\1/' dup.json)
    [ "$name" = history:3 ] || fail "duplicate_of: $(cat dup.json)"
    expect_status 0 "$KINDLY" history -m m.db --id "$name"
    contains "$T/out" '{"id":"history:3","found":true,"comments":[{"seq":3,"post":null,'
    expect_status 1 "$KINDLY" history -m m.db --id history:2 --id history:99 --id history:03x
    contains "$T/out" '{"id":"history:2","found":false,"comments":[]}'
    # all held: 0; the label taken back by an undo; read-only, the model unchanged
    echo "cheap pills buy now at pills.example" | "$KINDLY" learn -q -m m.db --raw --spam --undo --id 1170
    cksum m.db >before
    expect_status 0 "$KINDLY" history -m m.db --id 1170
    contains "$T/out" '"learnt":"taken_back"'
    cksum m.db | cmp -s - before || fail "history --id wrote the model"
    # pruned: no longer held
    "$KINDLY" history -m m.db --prune --keep-days 0 >/dev/null
    expect_status 1 "$KINDLY" history -m m.db --id 1170
    contains "$T/out" '{"id":"1170","found":false,"comments":[]}'
    # refused: an empty id, --id with --prune or --stats
    expect_status 3 "$KINDLY" history -m m.db --id ''
    contains "$T/err" "--id: an empty id"
    expect_status 3 "$KINDLY" history -m m.db --id 1170 --prune
    contains "$T/err" "--id goes without --prune"
    expect_status 3 "$KINDLY" history -m m.db --id 1170 --stats
}

# A date more than a day ahead of the clock is recorded as of now (it would never be pruned),
# and said as an unreadable date is: FILE:LINE, the column, the value, and in the summary.
# A few hours ahead (a clock's skew, a time zone mistaken) is recorded as now without a word.
test_dup_future_dates_are_named_not_silently_now() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    printf 'id,label,date,text\n' >f.csv
    printf 'g1,ham,2024-05-01T13:45:00Z,I started journaling after reading this and I sleep better now\n' >>f.csv
    printf 'f1,ham,2099-05-01,Walking every morning has changed my mood so thank you for the idea\n' >>f.csv
    printf 'f2,ham,%s,The breathing exercise in the third part helped me fall asleep faster\n' "$(date -u -d '+3 hours' +%FT%TZ)" >>f.csv
    printf 'u1,spam,yesterday,Buy cheap pills online now at our pharmacy store with no prescription\n' >>f.csv
    expect_status 0 "$KINDLY" score -m m.db --remember f.csv
    lines "$T/out" 4
    contains "$T/err" "f.csv:3: field 'date': date in the future '2099-05-01' (more than a day after this machine's clock): remembered as of now"
    contains "$T/err" "f.csv:5: field 'date': unreadable date 'yesterday'"
    not_contains "$T/err" "f.csv:4:"
    contains "$T/err" "kindly score: 2 comments remembered as of now: their dates are unreadable or in the future (named above)"
    lines "$T/err" 3
    sed 's/^id,label,date,/id,label,comment_date_gmt,/' f.csv >wp.csv
    expect_status 0 "$KINDLY" learn -m m.db wp.csv
    contains "$T/err" "wp.csv:3: field 'comment_date_gmt': date in the future '2099-05-01'"
    contains "$T/err" "kindly learn: learnt 4 comments (1 spam, 3 ham); 2 remembered as of now: their dates are unreadable or in the future"
    "$KINDLY" train -q -m e.db "$D/train.csv"
    expect_status 0 "$KINDLY" eval -m e.db --remember f.csv
    contains "$T/err" "f.csv:3: field 'date': date in the future '2099-05-01'"
    contains "$T/err" "kindly eval: 2 comments remembered as of now: their dates are unreadable or in the future (named above)"
    echo "I started journaling after reading this and I sleep so much better now" >c.txt
    local got=0
    "$KINDLY" check -m m.db --remember --id c1 --date 2099-05-01T00:00:00Z <c.txt >"$T/out" 2>"$T/err" || got=$?
    [ "$got" -le 2 ] || fail "check: exit $got: $(cat "$T/err")"
    contains "$T/err" "kindly check: --date: date in the future '2099-05-01T00:00:00Z' (more than a day after this machine's clock): remembered as of now"
    expect_status 0 "$KINDLY" score -m m.db f.csv # not remembered: the date is not used
    [ ! -s "$T/err" ] || fail "warned without --remember: $(cat "$T/err")"
}

# WordPress's comment_date is the site's local time (comment_date_gmt is UTC): a file with
# comment_date and no comment_date_gmt has it read in the local time zone, TZ's, as date(1)
# reads a time; a date with an offset keeps it, and comment_date_gmt wins when both are there.
test_dup_comment_date_is_read_as_local_time() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    printf 'comment_ID,comment_date,comment_content,comment_approved\n' >wp.csv
    printf 'w1,2024-01-15 12:00:00,I started journaling after reading this and I sleep better now,1\n' >>wp.csv
    printf 'w2,2024-07-15 12:00:00,Walking every morning has changed my mood so thank you for the idea,1\n' >>wp.csv
    cp m.db n.db
    TZ=America/New_York expect_status 0 "$KINDLY" score -m n.db --remember wp.csv
    [ ! -s "$T/err" ] || fail "a warning: $(cat "$T/err")"
    expect_status 0 "$KINDLY" history -m n.db
    contains "$T/out" '"oldest_utc":"2024-01-15T17:00:00Z","newest":1721059200,"newest_utc":"2024-07-15T16:00:00Z"'
    cp m.db u.db
    TZ=UTC expect_status 0 "$KINDLY" score -m u.db --remember wp.csv
    expect_status 0 "$KINDLY" history -m u.db
    contains "$T/out" '"oldest_utc":"2024-01-15T12:00:00Z"'
    cp m.db l.db # learn remembers what it learns, as score --remember does
    TZ=Europe/Berlin expect_status 0 "$KINDLY" learn -q -m l.db wp.csv
    expect_status 0 "$KINDLY" history -m l.db
    contains "$T/out" '"oldest_utc":"2024-01-15T11:00:00Z","newest":1721037600,"newest_utc":"2024-07-15T10:00:00Z"'
    printf 'comment_ID,comment_date,comment_content\nz1,2024-01-15T12:00:00+01:00,The breathing exercise in the third part helped me fall asleep faster\n' >off.csv
    cp m.db o.db
    TZ=America/New_York expect_status 0 "$KINDLY" score -m o.db --remember off.csv
    expect_status 0 "$KINDLY" history -m o.db
    contains "$T/out" '"oldest_utc":"2024-01-15T11:00:00Z"'
    printf 'comment_ID,comment_date,comment_date_gmt,comment_content\ny1,2024-01-15 12:00:00,2024-01-15 17:00:00,The breathing exercise in the third part helped me fall asleep faster\n' >both.csv
    cp m.db b.db
    TZ=Asia/Tokyo expect_status 0 "$KINDLY" score -m b.db --remember both.csv
    expect_status 0 "$KINDLY" history -m b.db
    contains "$T/out" '"oldest_utc":"2024-01-15T17:00:00Z"'
    # but for WordPress's zero date there ('0000-00-00 00:00:00', some plugins' linkbacks):
    # comment_date says when, in local time; it was remembered as of now, named as unreadable
    printf 'comment_ID,comment_date,comment_date_gmt,comment_content\nx1,2024-01-15 12:00:00,0000-00-00 00:00:00,The breathing exercise in the third part helped me fall asleep faster\n' >zero.csv
    cp m.db zero.db
    TZ=America/New_York expect_status 0 "$KINDLY" score -m zero.db --remember zero.csv
    [ ! -s "$T/err" ] || fail "a warning: $(cat "$T/err")"
    expect_status 0 "$KINDLY" history -m zero.db
    contains "$T/out" '"oldest_utc":"2024-01-15T17:00:00Z"'
    # without comment_date (the README's export has comment_date_gmt alone), or in comment_date,
    # the zero date is no date, as an empty field: remembered as of now without a word; it was
    # named an unreadable date ("kindly reads ISO 8601"), which no WordPress export can mend
    local col
    for col in comment_date_gmt comment_date; do
        printf 'comment_ID,%s,comment_content\nz1,0000-00-00 00:00:00,A pingback a plugin stored without a date\n' $col >z.csv
        cp m.db z.db
        expect_status 0 "$KINDLY" score -m z.db --remember z.csv
        [ ! -s "$T/err" ] || fail "$col: a warning: $(cat "$T/err")"
        expect_status 0 "$KINDLY" history -m z.db
        contains "$T/out" '"comments":1,'
        not_contains "$T/out" '"oldest_utc":"0000'
    done
}

# A date that is there but unreadable ("yesterday", "01/05/2024", "2024-13-01") is not read
# silently as now: each remembering command names the row (FILE:LINE, the column, the value
# escaped) and counts them in its summary; the comment is still scored, learnt and
# remembered, and the exit status is 0, as for a row kept with a repaired field. A good date
# is kept, an empty one says nothing (a comment without a date is normal).
dates_input() {
    printf 'id,label,date,text\n' >dates.csv
    printf 'g1,ham,2024-05-01T13:45:00Z,I started journaling after reading this and I sleep better now\n' >>dates.csv
    printf 'e1,ham,,Walking every morning has changed my mood so thank you for the idea\n' >>dates.csv
    printf 'u1,spam,yesterday,Buy cheap pills online now at our pharmacy store with no prescription\n' >>dates.csv
    printf 'u2,ham,01/05/2024,The breathing exercise in the third part helped me fall asleep faster\n' >>dates.csv
    printf 'u3,ham,"2024-13-01\x1b[2J",My grandmother kept a diary for sixty years and this reminded me of her\n' >>dates.csv
}

test_dup_unreadable_dates_are_named_not_silently_now() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dates_input
    expect_status 0 "$KINDLY" score -m m.db --remember dates.csv
    lines "$T/out" 5 # every comment scored
    contains "$T/err" "dates.csv:4: field 'date': unreadable date 'yesterday' (kindly reads ISO 8601:"
    contains "$T/err" "dates.csv:5: field 'date': unreadable date '01/05/2024'"
    contains "$T/err" "dates.csv:6: field 'date': unreadable date '2024-13-01\\x1b[2J'"
    contains "$T/err" "): remembered as of now"
    not_contains "$T/err" "dates.csv:2:"
    not_contains "$T/err" "dates.csv:3:"
    contains "$T/err" "kindly score: 3 comments remembered as of now: their dates are unreadable or in the future (named above)"
    lines "$T/err" 4
    ! grep -q $'\x1b' "$T/err" || fail "an escape sequence reached stderr"
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":5'
    contains "$T/out" '"oldest":1714571100' # the good date is kept
    # without --remember the date is not used: nothing to say
    expect_status 0 "$KINDLY" score -m m.db dates.csv
    [ ! -s "$T/err" ] || fail "warned without --remember: $(cat "$T/err")"
}

test_learn_and_eval_name_unreadable_dates() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    dates_input
    sed 's/^id,label,date,/id,label,comment_date_gmt,/' dates.csv >wp.csv
    expect_status 0 "$KINDLY" learn -m m.db wp.csv
    contains "$T/err" "wp.csv:4: field 'comment_date_gmt': unreadable date 'yesterday'"
    contains "$T/err" "wp.csv:5: field 'comment_date_gmt': unreadable date '01/05/2024'"
    not_contains "$T/err" "wp.csv:3:"
    contains "$T/err" "kindly learn: learnt 5 comments (1 spam, 4 ham); 3 remembered as of now: their dates are unreadable"
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":5'
    # --foreign and --undo remember nothing: the date is not used
    expect_status 0 "$KINDLY" learn -m m.db --undo wp.csv
    not_contains "$T/err" "unreadable"
    # eval --remember remembers its test rows
    "$KINDLY" train -q -m e.db "$D/train.csv"
    expect_status 0 "$KINDLY" eval -m e.db --remember dates.csv
    contains "$T/err" "dates.csv:4: field 'date': unreadable date 'yesterday'"
    contains "$T/err" "kindly eval: 3 comments remembered as of now: their dates are unreadable or in the future (named above)"
    expect_status 0 "$KINDLY" eval -m e.db dates.csv
    not_contains "$T/err" "unreadable"
}

test_check_and_learn_raw_name_an_unreadable_date_flag() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    echo "I started journaling after reading this and I sleep so much better now" >c.txt
    # check's exit status is the verdict's (0 approve, 1 spam, 2 hold), the date changes nothing
    verdict() { local got=0; "$KINDLY" check -m m.db "$@" <c.txt >"$T/out" 2>"$T/err" || got=$?
                [ "$got" -le 2 ] || fail "check $*: exit $got: $(cat "$T/err")"; }
    verdict --remember --id c1 --date yesterday
    contains "$T/out" '"id":"c1"'
    contains "$T/err" "kindly check: --date: unreadable date 'yesterday' (kindly reads ISO 8601:"
    contains "$T/err" "): remembered as of now"
    verdict --remember --id c2 --date 2024-05-01
    not_contains "$T/err" "unreadable"
    verdict --remember --id c3 --date ""
    not_contains "$T/err" "unreadable"
    verdict --id c4 --date yesterday # not remembered
    not_contains "$T/err" "unreadable"
    expect_status 0 "$KINDLY" learn -m m.db --raw --ham --id c5 --date 2024-13-01 <c.txt
    contains "$T/err" "kindly learn: --date: unreadable date '2024-13-01'"
    contains "$T/err" "kindly learn: learnt 1 comment as ham"
}

# A model whose tables cannot be read (a damaged file, one edited by hand): `history` and `info`
# name the model and exit 5; info does not leave its post count out of the JSON unsaid
# ("cannot read the history: no such table: history" named no file, and info printed its
# JSON without "posts" and exited 0).
test_unreadable_tables_are_named_with_their_model() {
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    "$KINDLY" train -q -m m.db "$D/train.csv"
    for t in history posts meta; do
        cp m.db "no-$t.db"
        sqlite3 "no-$t.db" "DROP TABLE $t"
    done
    expect_status 5 "$KINDLY" history -m no-history.db
    contains "$T/err" "kindly history: cannot read the history in model no-history.db: no such table: history"
    expect_status 5 "$KINDLY" info -m no-posts.db
    contains "$T/err" "kindly info: cannot read the posts in model no-posts.db: no such table: posts"
    expect_status 5 "$KINDLY" info -m no-meta.db
    contains "$T/err" "kindly info: cannot read the totals in model no-meta.db: no such table: meta"
    for f in no-posts no-meta; do # (score reads no history row while the index is empty)
        expect_status 5 "$KINDLY" score -m "$f.db" "$D/score.csv"
        contains "$T/err" "in model $f.db: no such table"
    done
}

# A model that this user may not write, in a directory it may not write either: the message
# says both, not only the directory (whose fix then met "this user may not write the file");
# a writable model in such a directory is told the directory alone.
test_a_model_and_directory_not_writable_are_both_named() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    printf 'post_id,title,text\np1,Tea,How to brew green tea\n' >posts.csv
    read_only_model m.db
    chmod 555 "$T"
    trap 'chmod 755 "$T"' EXIT
    local cmd
    for cmd in "history -m m.db --prune --keep 1" "info -m m.db --prune 2" "posts -m m.db posts.csv"; do
        # shellcheck disable=SC2086
        expect_status 5 $AS_READER "$KINDLY" $cmd
        contains "$T/err" "cannot open model m.db: "
        contains "$T/err" "(this user may write neither the file nor its directory:"
    done
    chmod 666 m.db
    # shellcheck disable=SC2086
    expect_status 5 $AS_READER "$KINDLY" history -m m.db --prune --keep 1
    contains "$T/err" "(its directory must be writable by this user:"
}
