# t_posts_cache.sh - the relevance stage's posts cache in a running server: one cache for all
# worker threads; feedback that teaches no post's words (spam, ham without a post_id) does not
# make the server rebuild it (counted by /metrics, not timed), another process's posts and
# words of a post's comments do reach it, read from the model file where that process kept
# them (classifier/posts_snap.c), not rebuilt. Sourced by run.sh; uses start_server and
# post_json of t_server.sh.

# make_posts N: N posts of ~5 KB of words each (deterministic), as posts.csv
make_posts() {
    awk -v n="$1" 'BEGIN {
        print "post_id,title,text"
        split("sleep anxiety breathing journal grief walking morning evening tired calm habit mood " \
              "kindness routine garden coffee winter summer friend family doctor patience", w, " ")
        srand(7)
        for (i = 0; i < n; i++) {
            t = ""
            while (length(t) < 5000) t = t w[int(rand() * 22) + 1] int(rand() * 400) " " w[int(rand() * 22) + 1] " "
            printf "post-%d,Post %d about %s,\"%s\"\n", i, i, w[i % 22 + 1], t
        }
    }' >posts.csv
}

# classify BODY: one /v1/classify; its relevance kept in $T/rel
classify() {
    curl -s -o "$T/body" -H 'Content-Type: application/json' --data-binary "$1" "$URL/v1/classify"
    sed -n 's/.*"relevance":\([^,}]*\).*/\1/p' "$T/body" >"$T/rel"
}
# builds: how many times the server built its posts cache (/metrics)
builds() { curl -s "$URL/metrics" | sed -n 's/^kindly_posts_cache_builds_total \([0-9]*\)$/\1/p'; }

test_posts_cache_kept_on_token_feedback_rebuilt_on_posts() {
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    make_posts 300
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    # as a model of a kindly that kept no posts cache in the file: the server builds it
    sqlite3 m.db 'DROP TABLE posts_snapshot'
    start_server -m m.db
    local body='{"text":"the morning walking habit helped my sleep and mood","post_id":"post-5"}'
    classify "$body"
    [ -s "$T/rel" ] || fail "no relevance: $(cat "$T/body")"
    local rel0 n0 n1
    rel0=$(cat "$T/rel")
    classify "$body" # the other worker's handle shares the cache
    n0=$(builds)
    [ "$n0" = 1 ] || fail "$n0 builds for two handles of one process, expected 1"
    # spam feedback, and ham without a post, through the server and from another process
    status_is "$(post_json /v1/feedback '{"text":"cheap quokka pills, order now","label":"spam"}')" 200
    echo "a comment with no post at all" | "$KINDLY" learn -m m.db --ham --raw 2>/dev/null
    for _ in 1 2; do # both workers' handles
        classify "$body"
        [ "$(cat "$T/rel")" = "$rel0" ] || fail "relevance $(cat "$T/rel"), was $rel0"
    done
    n1=$(builds)
    [ "$n1" = "$n0" ] || fail "token-only feedback rebuilt the posts cache ($n0 -> $n1 builds)"
    # another process learns words of post-5's comments and keeps the new cache in the file:
    # the server reads it there (no build) and sees them
    printf 'post_id,text\npost-5,"the zyzzyva quokka retreat"\n' >ham.csv
    "$KINDLY" learn -m m.db --ham ham.csv 2>/dev/null
    local onpost='{"text":"zyzzyva quokka retreat","post_id":"post-5"}'
    classify "$onpost"
    local rel1; rel1=$(cat "$T/rel")
    [ "$(builds)" = "$n1" ] || fail "the server built the posts cache kindly learn kept ($n1 -> $(builds) builds)"
    # and a new post from another process
    printf 'post_id,title,text\nnew-post,Zyzzyva quokka retreat,"A zyzzyva quokka retreat"\n' >new.csv
    "$KINDLY" posts -m m.db new.csv 2>/dev/null
    classify '{"text":"zyzzyva quokka retreat","post_id":"new-post"}'
    [ -s "$T/rel" ] && [ "$(cat "$T/rel")" != null ] || fail "the new post is not known: $(cat "$T/body")"
    # the learnt words count for post-5 too: the same comment on a post without them scores lower
    classify '{"text":"zyzzyva quokka retreat","post_id":"post-6"}'
    awk -v a="$rel1" -v b="$(cat "$T/rel")" 'BEGIN { exit !(a > b) }' ||
        fail "post-5's learnt words not seen: $rel1 vs post-6 $(cat "$T/rel")"
}

# A check (one process per comment) reads the posts cache that `kindly posts` kept in the
# model: shown by taking the posts away behind kindly's back (no posts generation moved), which
# a check that read the kept cache does not see, and one that builds from the tables does.
test_check_reads_the_posts_cache_kept_in_the_model() {
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    make_posts 50
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    local gen kept
    gen=$(sqlite3 m.db "SELECT value FROM meta WHERE key = 'posts_generation'")
    kept=$(sqlite3 m.db 'SELECT generation FROM posts_snapshot')
    [ "$kept" = "$gen" ] || fail "kindly posts kept generation '$kept', the posts are at $gen"
    echo "the morning walking habit helped my sleep and mood" >c.txt
    "$KINDLY" check -m m.db --post post-5 <c.txt >kept.json || true
    contains kept.json '"relevance":'
    sqlite3 m.db 'DELETE FROM posts'
    "$KINDLY" check -m m.db --post post-5 <c.txt >again.json || true
    cmp -s kept.json again.json || fail "the check did not read the kept cache: $(cat again.json)"
    sqlite3 m.db 'DROP TABLE posts_snapshot'
    "$KINDLY" check -m m.db --post post-5 <c.txt >built.json || true
    ! cmp -s kept.json built.json || fail "a check without the kept cache still saw the deleted posts"
}

# The server's ham feedback on a post does not build the posts cache and write it in the
# model file in the request (about a second and 14 MB at 10,000 posts, for each such
# feedback): the posts generation moves, the kept cache is stale and never read, the next
# request builds the cache in memory; the server keeps it in the file at most once a minute
# and when it stops, for the processes that open the file next.
test_server_feedback_leaves_the_posts_cache_to_the_stop() {
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    make_posts 50
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    start_server -m m.db
    local q_gen="SELECT value FROM meta WHERE key = 'posts_generation'" q_kept='SELECT generation FROM posts_snapshot'
    local kept gen
    kept=$(sqlite3 m.db "$q_kept")
    status_is "$(post_json /v1/feedback '{"text":"zyzzyva quokka retreat","post_id":"post-5","label":"ham"}')" 200
    gen=$(sqlite3 m.db "$q_gen")
    [ "$gen" -gt "$kept" ] || fail "ham feedback on a post did not move the posts generation ($kept -> $gen)"
    [ "$(sqlite3 m.db "$q_kept")" = "$kept" ] || fail "the feedback request kept the posts cache in the file"
    curl -s "$URL/metrics" >metrics
    contains metrics 'kindly_posts_cache_builds_total 0'
    # the next request builds the new cache in memory, and sees the learnt words
    classify '{"text":"zyzzyva quokka retreat","post_id":"post-5"}'
    local rel5; rel5=$(cat "$T/rel")
    classify '{"text":"zyzzyva quokka retreat","post_id":"post-6"}'
    awk -v a="$rel5" -v b="$(cat "$T/rel")" 'BEGIN { exit !(a > b) }' ||
        fail "post-5's learnt words not seen: $rel5 vs post-6 $(cat "$T/rel")"
    curl -s "$URL/metrics" >metrics
    contains metrics 'kindly_posts_cache_builds_total 1'
    contains metrics 'kindly_posts_cache_loads_total 0'
    kill -TERM $SRV_PID
    wait $SRV_PID || fail "exit $? after SIGTERM"
    [ "$(sqlite3 m.db "$q_kept")" = "$gen" ] || fail "the stopped server did not keep the posts cache of generation $gen"
    # and the next server reads it from the file
    start_server -m m.db
    classify '{"text":"zyzzyva quokka retreat","post_id":"post-5"}'
    [ "$(cat "$T/rel")" = "$rel5" ] || fail "relevance $(cat "$T/rel") read back, $rel5 built"
    curl -s "$URL/metrics" >metrics
    contains metrics 'kindly_posts_cache_builds_total 0'
    contains metrics 'kindly_posts_cache_loads_total 1'
}

# --snapshot-interval S: the server keeps the posts cache in the model file after a feedback
# answer once S seconds have passed since the last keep (or since it started), and with 0 only
# when it stops. Waits are for states; the one fixed sleep lets the interval pass.
test_server_keeps_the_posts_cache_at_its_snapshot_interval() {
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    make_posts 50
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    local q_gen="SELECT value FROM meta WHERE key = 'posts_generation'" q_kept='SELECT generation FROM posts_snapshot'
    local gen kept0
    kept0=$(sqlite3 m.db "$q_kept")
    start_server -m m.db --snapshot-interval 1
    sleep 1.2 # the interval has passed since the start: the next feedback's answer is followed by a keep
    status_is "$(post_json /v1/feedback '{"text":"zyzzyva quokka retreat","post_id":"post-5","label":"ham"}')" 200
    gen=$(sqlite3 m.db "$q_gen")
    [ "$gen" -gt "$kept0" ] || fail "ham feedback on a post did not move the posts generation ($kept0 -> $gen)"
    kept_is() { [ "$(sqlite3 m.db "$q_kept")" = "$1" ]; }
    wait_for kept_is "$gen" || fail "posts cache of generation $gen not kept a second after: $(sqlite3 m.db "$q_kept")"
    kill -TERM $SRV_PID
    wait $SRV_PID || fail "exit $? after SIGTERM"
    # 0: only at the stop
    start_server -m m.db --snapshot-interval 0
    sleep 1.2
    status_is "$(post_json /v1/feedback '{"text":"wombat numbat retreat","post_id":"post-6","label":"ham"}')" 200
    status_is "$(post_json /v1/feedback '{"text":"wombat numbat again","post_id":"post-7","label":"ham"}')" 200
    gen=$(sqlite3 m.db "$q_gen")
    sleep 0.5 # the keep would follow the answer at once
    ! kept_is "$gen" || fail "--snapshot-interval 0 kept the posts cache before the stop"
    kill -TERM $SRV_PID
    wait $SRV_PID || fail "exit $? after SIGTERM"
    kept_is "$gen" || fail "the stopped server did not keep the posts cache of generation $gen"
    expect_status 3 "$KINDLY" serve -m m.db --snapshot-interval soon
    contains "$T/err" "--snapshot-interval"
}

# A keep that fails (here a trigger refuses the write, as a full disk would) is said on
# stderr and counted in /metrics; the server goes on answering, and stops with status 0.
test_server_says_a_failed_keep_of_the_posts_cache() {
    "$KINDLY" train -q -m m.db "$ROOT/tests/e2e/data/train.csv"
    make_posts 50
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    sqlite3 m.db "CREATE TRIGGER full_disk BEFORE INSERT ON posts_snapshot BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    start_server -m m.db --snapshot-interval 1
    sleep 1.2
    status_is "$(post_json /v1/feedback '{"text":"zyzzyva quokka retreat","post_id":"post-5","label":"ham"}')" 200
    said() { grep -q 'posts cache' "$T/server.log"; }
    wait_for said || fail "a failed keep not said: $(cat "$T/server.log")"
    contains "$T/server.log" "kindly serve: the posts cache was not kept in model m.db: disk full"
    curl -s "$URL/metrics" >metrics
    contains metrics 'kindly_posts_cache_keep_failures_total 1'
    status_is "$(post_json /v1/classify '{"text":"zyzzyva quokka retreat","post_id":"post-5"}')" 200
    kill -TERM $SRV_PID
    wait $SRV_PID || fail "exit $? after SIGTERM"
    [ "$(grep -c "posts cache was not kept" "$T/server.log")" = 2 ] ||
        fail "the keep at the stop failed unsaid: $(cat "$T/server.log")"
}
