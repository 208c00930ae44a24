# t_upgrade.sh - a model made by an older kindly, opened by this one: what README.md's "The
# model file" and the Duplicates section's "Upgrading" promise. The models in
# tests/e2e/data/upgrade/ were made by older builds as a blog owner makes one (train, posts,
# score --remember, feedback, merge: its README.txt says which commit and which commands);
# no old build is needed here. Sourced by run.sh; each test_* runs in a fresh $T.
UD=$ROOT/tests/e2e/data/upgrade
UP_SCHEMAS="3 6 7"

# old_model N [FILE]: the schema-N model, as its build left it, as FILE (blog.db)
old_model() { gunzip -c "$UD/schema$1.db.gz" >"${2:-blog.db}"; }
# up_info FILE: kindly info without the model's name (to compare a file before and after)
up_info() { "$KINDLY" info -m "$1" | sed 's/"model":"[^"]*",//'; }
# up_field FIELD: one number of the JSON of kindly info or history on standard input
up_field() { grep -o "\"$1\":[0-9]*" | cut -d: -f2; }
# up_dups JSONL: "id duplicate_of" of each row found a duplicate
up_dups() { sed -n 's/^{"id":"\([^"]*\)",.*"duplicate_of":"\([^"]*\)".*/\1 \2/p' "$1"; }

# Read-only commands read an older model as it is, schema and all, and leave the file as it
# was; the first write upgrades it to this kindly's schema, with its counts and posts.
test_upgrade_read_only_leaves_an_old_model_then_a_write_upgrades_it() {
    local n
    for n in $UP_SCHEMAS; do
        old_model "$n"
        cp blog.db orig.db
        "$KINDLY" info -m blog.db >info.json || fail "schema $n: info"
        [ "$(up_field schema_version <info.json)" = "$n" ] || fail "schema $n: info says $(cat info.json)"
        "$KINDLY" score -m blog.db "$UD/hist.csv" >/dev/null || fail "schema $n: score"
        "$KINDLY" history -m blog.db >/dev/null || fail "schema $n: history"
        cmp -s blog.db orig.db || fail "schema $n: a read-only command changed the file"
        up_info blog.db | sed 's/"schema_version":[0-9]*//' >before
        "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >/dev/null || fail "schema $n: score --remember"
        [ "$(up_info blog.db | up_field schema_version)" = 8 ] || fail "schema $n: not upgraded: $(up_info blog.db)"
        up_info blog.db | sed 's/"schema_version":[0-9]*//' | cmp -s before - ||
            fail "schema $n: counts or posts changed: $(cat before) -> $(up_info blog.db)"
        rm -f blog.db* orig.db
    done
}

# The upgrade is one-way (an older kindly refuses the file then), and it said nothing: an
# operator who installed a new kindly and restarted the server learnt it only when the old
# binary, put back, refused the model. The first write says so, the server at its start and
# a command (with -q too), naming the schemas; a read-only command and the next write say nothing.
test_upgrade_is_said_by_the_writer_that_does_it() {
    local n
    for n in $UP_SCHEMAS; do
        old_model "$n"
        "$KINDLY" info -m blog.db >/dev/null 2>ro.err
        not_contains ro.err "upgraded"
        "$KINDLY" learn -q -m blog.db --spam --raw --id up1 <<<"cheap pills for a first write" 2>w1.err ||
            fail "schema $n: learn: $(cat w1.err)"
        contains w1.err "kindly learn: upgraded model blog.db from schema $n to 8: an older kindly refuses it from now on (to go back, keep a copy made before: README, Upkeep)"
        # a history of schema 3 or older cannot be kept (its signatures need the texts): said
        if [ "$n" -lt 4 ]; then
            contains w1.err "; its duplicates history could not be kept (comments recorded before are not found as duplicates: README, Duplicates, Upgrading)"
        else
            not_contains w1.err "history"
        fi
        "$KINDLY" learn -q -m blog.db --spam --raw --id up2 <<<"cheap pills for a second write" 2>w2.err
        not_contains w2.err "upgraded"
        old_model "$n" served.db
        start_server -m served.db || return 1
        contains "$T/server.log" "kindly serve: upgraded model served.db from schema $n to 8: an older kindly refuses it from now on"
        kill $SRV_PID
        wait $SRV_PID 2>/dev/null
        start_server -m served.db || return 1
        not_contains "$T/server.log" "upgraded"
        kill $SRV_PID
        wait $SRV_PID 2>/dev/null
        rm -f blog.db* served.db*
    done
}

# The Bayes stage scores an old model's comments as the build that made it did (to the
# sixth decimal); a verdict moves only where that build took a comment for a duplicate of
# its own record (a bug of the schema-3 builds: each comment of hist.csv, scored again), or
# where a default rule newer than the build fires (the rule set is not in the model:
# GENERIC_PLAIN approves kc-0683, "Really needed this today", that Bayes alone holds).
test_upgrade_scores_as_the_build_that_made_the_model() {
    local n
    for n in $UP_SCHEMAS; do
        old_model "$n"
        "$KINDLY" score -m blog.db --format csv "$UD/hist.csv" >now.csv
        python3 - "$UD/schema$n.scores.csv" now.csv <<'PY' || fail "schema $n: scores differ"
import csv, sys
old = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}
now = list(csv.DictReader(open(sys.argv[2])))
assert len(now) == len(old) == 40, (len(now), len(old))
bad = []
for r in now:
    o = old[r["id"]]
    if abs(float(r["bayes_score"]) - float(o["bayes_score"])) > 1e-6:
        bad.append((r["id"], "bayes", o["bayes_score"], r["bayes_score"]))
    newer = any(x.startswith(("rule:CRISIS_SERVICE=", "rule:GENERIC_PLAIN=")) for x in r["reasons"].split(";"))
    if r["verdict"] != o["verdict"] and o["duplicate_of"] != r["id"] and not newer:
        bad.append((r["id"], "verdict", o["verdict"], r["verdict"]))
for b in bad:
    print("    ", *b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
        rm -f blog.db*
    done
}

# A copy of a remembered comment is found as its duplicate, read-only and after the upgrade;
# a schema-3 history is dropped, as documented (the signatures changed), read-only too, and
# fills again as comments are remembered.
test_upgrade_keeps_the_history_from_schema_4_and_drops_an_older_one() {
    local n
    for n in 6 7; do
        old_model "$n"
        "$KINDLY" score -m blog.db "$UD/copy.csv" >ro.jsonl
        "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >rw.jsonl
        for f in ro rw; do
            up_dups $f.jsonl >dups
            printf 'copy-0 kc-0509\ncopy-1 kc-0673\ncopy-2 kc-0677\ncopy-3 kc-0512\n' | cmp -s - dups ||
                fail "schema $n ($f): duplicates found: $(tr '\n' ' ' <dups)"
        done
        [ "$("$KINDLY" history -m blog.db | up_field comments)" = 44 ] || fail "schema $n: history not kept"
        rm -f blog.db*
    done
    old_model 3
    "$KINDLY" score -m blog.db "$UD/copy.csv" >ro.jsonl
    [ -z "$(up_dups ro.jsonl)" ] || fail "schema 3 read-only: a duplicate found"
    [ "$("$KINDLY" history -m blog.db | up_field comments)" = 0 ] || fail "schema 3 read-only: history not empty"
    "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >rw.jsonl
    [ -z "$(up_dups rw.jsonl)" ] || fail "schema 3: a duplicate of the dropped history"
    [ "$("$KINDLY" history -m blog.db | up_field comments)" = 4 ] || fail "schema 3: the history did not fill again"
    "$KINDLY" score -m blog.db "$UD/hist.csv" >again.jsonl
    up_dups again.jsonl | grep -q '^kc-0509 copy-0$' || fail "schema 3: a comment remembered since is not found"
}

# Feedback the old build learnt is taken back by this one's undo, to the counts the model had
# before it (its info, by the old build, before the feedback: 89 spam, 91 ham and 4556 tokens,
# 4560 for the schema-7 build), and only once: a single comment with an id (schema 6: no label
# was kept; schema 7: the label the history kept), or the CSV file it was learnt from (schema 3).
test_upgrade_undoes_feedback_the_old_build_learnt() {
    local n tokens
    for n in $UP_SCHEMAS; do
        old_model "$n"
        if [ "$n" = 3 ]; then
            expect_status 0 "$KINDLY" learn -m blog.db --undo --spam "$UD/fb-spam.csv"
            expect_status 0 "$KINDLY" learn -m blog.db --undo --ham "$UD/fb-ham.csv"
            expect_status 3 "$KINDLY" learn -m blog.db --undo --spam "$UD/fb-spam.csv"
            contains "$T/err" "no spam count left to take back"
        else
            "$KINDLY" learn -m blog.db --undo --spam --raw --id kc-0679 --post self-compassion-basics \
                <"$UD/fb-spam.txt" 2>/dev/null || fail "schema $n: undo spam"
            "$KINDLY" learn -m blog.db --undo --ham --raw --id kc-0508 --post self-compassion-basics \
                <"$UD/fb-ham.txt" 2>/dev/null || fail "schema $n: undo ham"
            expect_status 0 "$KINDLY" learn -m blog.db --undo --spam --raw --id kc-0679 \
                --post self-compassion-basics <"$UD/fb-spam.txt"
            contains "$T/err" "nothing to undo"
        fi
        tokens=4556
        [ "$n" = 7 ] && tokens=4560
        up_info blog.db >now
        contains now "\"spam_messages\":89,\"ham_messages\":91,\"tokens\":$tokens," ||
            fail "schema $n: after the undo: $(cat now)"
        rm -f blog.db*
    done
}

# merge: an old model as an input is read as it is (not upgraded) and refused the second time
# (known by its totals); an old model as the output is upgraded and records what it took in.
test_upgrade_merge_of_old_and_new_models() {
    "$KINDLY" train -q -m new.db "$ROOT/tests/e2e/data/train.csv"
    old_model 6 old.db
    cp old.db orig.db
    expect_status 0 "$KINDLY" merge -q new.db old.db
    cmp -s old.db orig.db || fail "the old input was written"
    expect_status 3 "$KINDLY" merge new.db old.db
    contains "$T/err" "old.db was merged into the output already"
    old_model 3 out.db
    up_info out.db >before
    "$KINDLY" train -q -m shard.db "$ROOT/tests/e2e/data/train.csv"
    expect_status 0 "$KINDLY" merge -q out.db shard.db
    [ "$(up_info out.db | up_field schema_version)" = 8 ] || fail "the old output was not upgraded"
    [ "$(up_info out.db | up_field spam_messages)" = \
        $(( $(up_field spam_messages <before) + $(up_info shard.db | up_field spam_messages) )) ] ||
        fail "the sum: $(cat before) + $(up_info shard.db) = $(up_info out.db)"
    expect_status 3 "$KINDLY" merge out.db shard.db
    contains "$T/err" "shard.db was merged into the output already"
}

# An old model merged before its upgrade keeps the identity it was merged under: after any
# write has upgraded it (one that learns nothing: a history prune), it and a copy of it made
# before are still refused as merged already, and once it has learnt, as changed since (an
# upgrade gave it a random identity: merged again, without a word, and so each copy).
test_upgrade_keeps_the_identity_an_old_model_was_merged_under() {
    "$KINDLY" train -q -m all.db "$ROOT/tests/e2e/data/train.csv"
    old_model 6 old.db
    cp old.db copy.db
    expect_status 0 "$KINDLY" merge -q all.db old.db
    up_info all.db >before
    "$KINDLY" history -m old.db --prune --keep 1000 >/dev/null 2>&1 || fail "prune"
    [ "$(up_info old.db | up_field schema_version)" = 8 ] || fail "not upgraded"
    expect_status 3 "$KINDLY" merge all.db old.db
    contains "$T/err" "old.db was merged into the output already"
    "$KINDLY" history -m copy.db --prune --keep 1000 >/dev/null 2>&1 || fail "prune the copy"
    expect_status 3 "$KINDLY" merge all.db copy.db
    "$KINDLY" train -q -m old.db "$ROOT/tests/e2e/data/train.csv"
    expect_status 3 "$KINDLY" merge all.db old.db
    contains "$T/err" "changed"
    up_info all.db | cmp -s before - || fail "all.db changed: $(cat before) -> $(up_info all.db)"
}

# history --prune and info --pack as the first writes of an old model
test_upgrade_prune_and_pack_an_old_model() {
    local n
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    for n in $UP_SCHEMAS; do
        old_model "$n"
        "$KINDLY" history -m blog.db --prune --keep 10 >out.json || fail "schema $n: prune"
        [ "$n" = 3 ] || [ "$(up_field comments <out.json)" = 10 ] || fail "schema $n: $(cat out.json)"
        "$KINDLY" info -m blog.db --pack >/dev/null || fail "schema $n: pack"
        [ "$(up_info blog.db | up_field schema_version)" = 8 ] || fail "schema $n: not upgraded"
        [ "$(sqlite3 blog.db 'PRAGMA integrity_check')" = ok ] || fail "schema $n: integrity"
        "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >/dev/null || fail "schema $n: a write after"
        rm -f blog.db*
    done
}

# The upgrade killed (SIGKILL) at each of its writes to the file, its log and its index, up
# to the one that commits it: the model opens afterwards, at its old schema or the new one,
# never half, and the next write upgrades it.
test_upgrade_killed_at_any_write_leaves_the_old_or_the_new_schema() {
    local n i v
    command -v strace >/dev/null || skip "no strace"
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    strace -f -o /dev/null -e inject=pwrite64:signal=KILL:when=1 true 2>/dev/null || skip "strace cannot inject here"
    for n in 3 7; do
        old_model "$n" old.db
        v=$n
        for i in $(seq 1 100); do
            rm -f blog.db*
            cp old.db blog.db
            strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$i \
                "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >/dev/null 2>&1 &&
                fail "schema $n: not killed at write $i, and not upgraded before it"
            v=$("$KINDLY" info -m blog.db | up_field schema_version) || fail "schema $n, write $i: unreadable"
            [ "$v" = "$n" ] || [ "$v" = 8 ] || fail "schema $n, write $i: schema $v"
            [ "$(sqlite3 blog.db 'PRAGMA integrity_check')" = ok ] || fail "schema $n, write $i: integrity"
            "$KINDLY" score -m blog.db --remember "$UD/copy.csv" >/dev/null || fail "schema $n, write $i: next write"
            [ "$v" = 8 ] && break # upgraded before the kill: the writes left are not the upgrade's
        done
        [ "$v" = 8 ] || fail "schema $n: not upgraded before write $i"
        [ "$(up_info blog.db | up_field schema_version)" = 8 ] || fail "schema $n: the next write did not upgrade it"
    done
}

# Writers started together on an old model: one upgrades it, the others wait for it (the
# migration is one transaction that reads the version again), and every comment is recorded.
test_upgrade_by_writers_at_once() {
    local i
    old_model 7
    for i in 1 2 3 4; do
        awk -v i=$i 'BEGIN { print "id,post_id,author,text"
            for (j = 0; j < 20; j++)
                printf "p%d-%d,digital-detox,A%d,comment %d of writer %d about the screens we put down at night\n", i, j, i, j, i }' >in$i.csv
    done
    for i in 1 2 3 4; do
        (st=0; "$KINDLY" score -m blog.db --remember in$i.csv >out$i 2>err$i || st=$?; echo $st >rc$i) &
    done
    "$KINDLY" score -m blog.db "$UD/hist.csv" >ro.jsonl || fail "a reader meanwhile"
    wait
    for i in 1 2 3 4; do [ "$(cat rc$i)" = 0 ] || fail "writer $i: $(cat err$i)"; done
    [ "$(up_info blog.db | up_field schema_version)" = 8 ] || fail "not upgraded"
    [ "$("$KINDLY" history -m blog.db | up_field comments)" = 120 ] || fail "history: $("$KINDLY" history -m blog.db)"
}

# The posts cache the schema-7 build kept in the file (posts_snapshot, format 1) is read by
# this kindly's server, once the model is upgraded (no build), and gives the relevance a build
# gives (the same model without it).
# The schema-7 build kept its posts cache in format 1, which counted "12.99" as a word of a
# post: this build computes the statistics anew (builds 1, loads 0), as for a model without
# the cache, with the same relevance; the server keeps them in its own format when it stops,
# read by the next start, and a `kindly posts` keeps them too.
test_upgrade_computes_anew_the_posts_cache_of_an_older_format() {
    local body rel m
    command -v curl >/dev/null || skip "no curl"
    command -v sqlite3 >/dev/null || skip "no sqlite3 command"
    body='{"text":"I turned off the notifications and put the phone in another room at night","post_id":"digital-detox"}'
    for m in kept built; do
        old_model 7 $m.db
        [ $m = kept ] || sqlite3 $m.db 'DROP TABLE posts_snapshot'
        start_server -m $m.db
        status_is "$(post_json /v1/classify "$body")" 200
        sed -n 's/.*"relevance":\([^,}]*\).*/\1/p' "$T/body" >$m.rel
        [ -s $m.rel ] || fail "$m: no relevance: $(cat "$T/body")"
        curl -s "$URL/metrics" >$m.metrics
        kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
    done
    contains kept.metrics 'kindly_posts_cache_loads_total 0'
    contains kept.metrics 'kindly_posts_cache_builds_total 1'
    contains built.metrics 'kindly_posts_cache_builds_total 1'
    cmp -s kept.rel built.rel || fail "relevance $(cat kept.rel) of the old cache, $(cat built.rel) built"
    [ "$(sqlite3 kept.db 'SELECT format FROM posts_snapshot')" = 4 ] || fail "the server did not keep the cache"
    start_server -m kept.db
    status_is "$(post_json /v1/classify "$body")" 200
    curl -s "$URL/metrics" >again.metrics
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
    contains again.metrics 'kindly_posts_cache_loads_total 1'
    contains again.metrics 'kindly_posts_cache_builds_total 0'
    old_model 7 cli.db
    "$KINDLY" posts -q -m cli.db "$ROOT/corpora/posts.csv" || fail "posts: $?"
    [ "$(sqlite3 cli.db 'SELECT format FROM posts_snapshot')" = 4 ] || fail "posts did not keep the cache"
}
