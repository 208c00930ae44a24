# t_server.sh - `kindly serve` end to end: the real server on a free loopback port, driven by
# curl (Akismet and JSON APIs, bad input, limits), by another process retraining the model,
# by signals, and by the real `akismet-api` npm client; and `make install` with the example
# program built against the installed library through pkg-config. Sourced by run.sh.
SD=$ROOT/tests/e2e/data

# start_server [ARGS...]: start kindly serve on a free port (port 0), wait until it listens;
# sets PORT, SRV_PID and URL; the server is killed when the test's subshell exits. It runs
# through $AS_READER when a test sets it (read_only_model, t_dup.sh).
# (LISTEN_HOST=0.0.0.0 start_server ...: listening beyond loopback, reached through 127.0.0.1)
start_server() {
    local host=${LISTEN_HOST:-127.0.0.1}
    # the log exists before the background job opens it: sed below must not race its
    # creation (under set -e, a sed on a missing file would end the test)
    : >"$T/server.log"
    # shellcheck disable=SC2086
    ${AS_READER:-} "$KINDLY" serve --listen "$host:0" --threads 2 "$@" 2>"$T/server.log" &
    SRV_PID=$!
    trap 'kill $SRV_PID 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        PORT=$(sed -n "s/.*listening on http:\/\/$host:\([0-9]*\).*/\1/p" "$T/server.log")
        [ -n "$PORT" ] && break
        kill -0 $SRV_PID 2>/dev/null || { cat "$T/server.log" >&2; fail "the server did not start"; return 1; }
        sleep 0.1
    done
    [ -n "$PORT" ] || fail "the server did not say where it listens"
    URL=http://127.0.0.1:$PORT
}
# post PATH BODY [curl args]: body to $T/body, headers to $T/headers, status echoed
post() {
    local path=$1 body=$2; shift 2
    curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' --data-binary "$body" "$@" "$URL$path"
}
post_json() { post "$1" "$2" -H 'Content-Type: application/json' "${@:3}"; }
status_is() { [ "$1" = "$2" ] || fail "HTTP $1, expected $2: $(head -c 300 "$T/body")"; }
body_is() { [ "$(cat "$T/body")" = "$1" ] || fail "body '$(head -c 300 "$T/body")', expected '$1'"; }
spam_form='blog=http%3A%2F%2Fb.example&user_ip=203.0.113.9&comment_author=pharma&comment_content=Cheap+xanax+and+valium%2C+no+prescription%2C+order+now+http%3A%2F%2Frx-direct.example'
ham_form='blog=http%3A%2F%2Fb.example&user_ip=198.51.100.7&comment_author=Ann&comment_content=The+breathing+exercise+and+the+journal+helped+me+sleep%2C+thank+you'

# --hold-as, as README and help serve say it: a held comment answers false by default, true
# with --hold-as spam, and never with X-akismet-pro-tip: discard, which only a spam verdict
# gets (the plugin would delete it unseen), however high its score: here every comment is
# held (--spam-cutoff 1), blatant spam too (spam_score 0.9996 on this model, above --discard).
test_server_hold_as_spam_answers_true_never_discard() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --spam-cutoff 1 --ham-cutoff 0 --hold-as spam
    for form in "$spam_form" "$ham_form"; do
        status_is "$(post /1.1/comment-check "$form")" 200
        body_is true
        grep -qi '^X-kindly-verdict: hold' "$T/headers" || fail "not held: $(cat "$T/headers")"
        ! grep -qi '^X-akismet-pro-tip' "$T/headers" || fail "a held comment with a pro-tip: $(cat "$T/headers")"
    done
    post /1.1/comment-check "$spam_form" >/dev/null
    grep -qi '^X-kindly-spam-score: 0\.99' "$T/headers" || fail "not above --discard: $(cat "$T/headers")"
    kill $SRV_PID && wait $SRV_PID || true
    start_server -m m.db --spam-cutoff 1 --ham-cutoff 0
    status_is "$(post /1.1/comment-check "$spam_form")" 200
    body_is false
    grep -qi '^X-kindly-verdict: hold' "$T/headers" || fail "not held: $(cat "$T/headers")"
}

test_server_akismet_api_with_curl() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf '# keys of this server\nsecret-1\nsecret-2\n' >keys
    start_server -m m.db --keys keys
    status_is "$(post /1.1/comment-check "$spam_form&api_key=secret-1")" 200
    body_is true
    grep -qi '^X-akismet-pro-tip: discard' "$T/headers" || fail "blatant spam without pro-tip: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form" -H "Host: secret-2.localhost:$PORT")" 200
    body_is false
    # a wrong key, no key, a missing field: 'invalid' and a debug header, as Akismet does
    status_is "$(post /1.1/comment-check "$ham_form" -H "Host: wrong.localhost:$PORT")" 200
    body_is invalid
    grep -qi '^X-akismet-debug-help: .*key' "$T/headers" || fail "no debug help: $(cat "$T/headers")"
    post /1.1/comment-check "$ham_form" >/dev/null
    body_is invalid
    post /1.1/comment-check 'user_ip=1.2.3.4&comment_content=x&key=secret-1' >/dev/null
    body_is invalid
    grep -qi '^X-akismet-debug-help: Empty "blog" value' "$T/headers" || fail "$(cat "$T/headers")"
    post /1.1/verify-key 'key=secret-1&blog=http%3A%2F%2Fb.example' >/dev/null
    body_is valid
    post /1.1/verify-key 'key=nope&blog=http%3A%2F%2Fb.example' >/dev/null
    body_is invalid
    # submissions learn: a new kind of spam becomes spam
    novel='blog=b&user_ip=192.0.2.1&api_key=secret-1&comment_content=zyzzyva+quokka+marmalade+gummies'
    post /1.1/comment-check "$novel" >/dev/null
    body_is false
    for _ in 1 2 3; do
        status_is "$(post /1.1/submit-spam "$novel")" 200
        body_is 'Thanks for making the web a better place.'
    done
    post /1.1/comment-check "$novel" >/dev/null
    body_is true
    "$KINDLY" info -m m.db | grep -q '"spam_messages":9' || fail "submissions not in the model: $("$KINDLY" info -m m.db)"
}

# comment-check says why, as the JSON API's "reasons" do: X-kindly-reasons, "; " between them,
# each percent-encoded where a header must not carry a byte (a duplicate's id holds the
# client's bytes: '; ', '%', a newline, UTF-8), cut whole past the header's room with a note
test_server_akismet_reasons_header() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    text='Cheap xanax and valium, no prescription, order now http://rx-direct.example'
    form="blog=b&user_ip=203.0.113.9&comment_content=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$text")"
    # the first copy, by the JSON API, under an id with bytes no header carries as they are
    status_is "$(post_json /v1/classify "{\"id\":\"c; 1%\\n\u00e9\",\"text\":\"$text\"}")" 200
    status_is "$(post /1.1/comment-check "$form&comment_ID=c2")" 200
    body_is true
    tr -d '\r' <"$T/headers" | sed -n 's/^X-kindly-reasons: //Ip' >reasons
    [ -s reasons ] || fail "no X-kindly-reasons: $(cat "$T/headers")"
    LC_ALL=C grep -q '^[ -~]*$' reasons || fail "a byte a header should not carry: $(od -c reasons | head)"
    contains reasons '; duplicate_of:c%3B 1%25%0A%C3%A9 (site, similarity 1.00); '
    # the same reasons as the JSON API gives the same comment (a third copy, of the same first)
    status_is "$(post_json /v1/classify "{\"id\":\"c3\",\"text\":\"$text\"}")" 200
    python3 - reasons "$T/body" <<'PY' || fail "X-kindly-reasons: $(cat reasons), JSON: $(cat "$T/body")"
import json, sys, urllib.parse
header = [urllib.parse.unquote(r) for r in open(sys.argv[1]).read().strip().split("; ")]
api = json.load(open(sys.argv[2]))["reasons"]
assert header == api, (header, api)
assert any(r.startswith("token:") for r in api) and any(r.startswith("rule:") for r in api), api
PY
    # a first copy under an id too long for the header: its reason is left out, the rest kept
    long=$(printf 'x%.0s' $(seq 450))
    status_is "$(post_json /v1/classify "{\"id\":\"$long\",\"text\":\"zyzzyva quokka $text\"}")" 200
    form2="blog=b&user_ip=203.0.113.9&comment_content=zyzzyva+quokka+$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$text")"
    post /1.1/comment-check "$form2" >/dev/null
    tr -d '\r' <"$T/headers" | sed -n 's/^X-kindly-reasons: //Ip' >reasons
    grep -q '^bayes=[0-9.]*; rule:.*; token:.*; (1 more, cut for length)$' reasons || fail "cut: $(cat reasons)"
    not_contains reasons 'duplicate_of'
    [ "$(wc -c <reasons)" -le 400 ] || fail "longer than 399 bytes: $(wc -c <reasons)"
}

# A comment naming a post the model does not hold is scored against the site, and the server
# says so, as score, eval and check do (it said nothing): an X-kindly-warning on the JSON API
# and on comment-check; none for a post it holds, none for a model without posts.
test_server_unknown_post_is_warned() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    cp m.db noposts.db
    printf 'post_id,title,text\np1,Sleep,"sleep and breathing tips"\n' >posts.csv
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    start_server -m m.db
    status_is "$(post_json /v1/classify '{"id":"c1","post_id":"nope\u00e9","text":"breathing helps me sleep"}')" 200
    tr -d '\r' <"$T/headers" | grep -i '^X-kindly-warning: ' >warn || fail "no warning: $(cat "$T/headers")"
    contains warn "relevance: post 'nope??' is not one this model holds: scored against the site alone (import the posts with kindly posts)"
    status_is "$(post_json /v1/classify '[{"id":"a","post_id":"p1","text":"breathing"},{"id":"b","post_id":"p9","text":"sleep"}]')" 200
    contains "$T/headers" "relevance: post 'p9' is not one this model holds"
    contains "$T/headers" "(item 1; 1 in all)"
    status_is "$(post /1.1/comment-check 'blog=b&user_ip=203.0.113.9&comment_post_ID=p7&comment_content=breathing+helps')" 200
    contains "$T/headers" "relevance: post 'p7' is not one this model holds"
    status_is "$(post /1.1/comment-check 'blog=b&user_ip=203.0.113.9&comment_post_ID=p1&comment_content=breathing+helps')" 200
    not_contains "$T/headers" "not one this model holds"
    kill $SRV_PID && wait $SRV_PID 2>/dev/null || true
    start_server -m noposts.db
    status_is "$(post_json /v1/classify '{"id":"c1","post_id":"nope","text":"breathing helps me sleep"}')" 200
    not_contains "$T/headers" "X-kindly-warning"
}

test_server_json_api_classify_feedback_health_metrics() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post_json /v1/classify '{"id":"c1","author":"Ann","text":"Cheap xanax and valium, order now"}')" 200
    grep -q '^{"id":"c1","verdict":"spam","spam_score":' "$T/body" || fail "$(cat "$T/body")"
    contains "$T/body" '"reasons":['
    contains "$T/body" '"tokens":['
    status_is "$(post_json /v1/classify '[{"id":1,"text":"cheap xanax"},{"id":"b","text":"thank you for the journal tip"}]')" 200
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert [x["id"] for x in a]==["1","b"], a' "$T/body" \
        || fail "array answer: $(cat "$T/body")"
    status_is "$(post_json /v1/feedback '[{"text":"quokka marmalade","label":"spam"},{"text":"quokka marmalade","label":"spam"},{"text":"tea","label":"ham","undo":true}]')" 200
    body_is '{"learnt":2,"unlearnt":0,"unchanged":1,"relabelled":0}' # an undo of nothing this server was told
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    contains "$T/body" '"status":"ok"'
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/v1/classify",code="200"} 2'
    contains metrics.txt 'kindly_verdicts_total{verdict="spam"}'
    contains metrics.txt 'kindly_http_request_duration_seconds_bucket{endpoint="/v1/classify",le="+Inf"} 2'
    contains metrics.txt 'kindly_feedback_total{label="spam",action="learn"} 2'
}

# --max-body N takes a body of N bytes exactly, whether its Content-Length says so or its
# chunks add up to it; N + 1 is 413. A Transfer-Encoding of a coding besides chunked is 400.
test_server_a_body_of_exactly_max_body_is_taken() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --max-body 4k
    { printf '{"text":"'; head -c 4085 /dev/zero | tr '\0' a; printf '"}'; } >exact
    [ "$(wc -c <exact)" -eq 4096 ] || fail "exact is $(wc -c <exact) bytes"
    status_is "$(post_json /v1/classify @exact)" 200
    status_is "$(post_json /v1/classify @exact -H 'Transfer-Encoding: chunked')" 200
    { printf '{"text":"'; head -c 4086 /dev/zero | tr '\0' a; printf '"}'; } >over
    status_is "$(post_json /v1/classify @over)" 413
    contains "$T/body" 'over the limit of 4096 bytes'
    status_is "$(post_json /v1/classify @over -H 'Transfer-Encoding: chunked')" 413
    status_is "$(post_json /v1/classify '{"text":"a"}' -H 'Transfer-Encoding: gzip, chunked')" 400
    contains "$T/body" 'a Transfer-Encoding other than chunked'
}

test_server_bad_input_gets_clear_errors_and_crashes_nothing() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --max-body 4k
    head -c 5000 /dev/zero | tr '\0' a >big
    status_is "$(post /v1/classify @big -H 'Content-Type: application/json')" 413
    contains "$T/body" 'over the limit of 4096 bytes'
    status_is "$(post /1.1/comment-check @big -H 'Transfer-Encoding: chunked')" 413
    status_is "$(post /1.1/comment-check 'blog=%zz&user_ip=1')" 400
    grep -qi '^X-akismet-debug-help: malformed form: bad %-escape at byte 5' "$T/headers" || fail "$(cat "$T/headers")"
    status_is "$(post_json /v1/classify '{"text":')" 400
    contains "$T/body" '"error":"malformed JSON'
    status_is "$(post_json /v1/classify '{"author":"x"}')" 400
    contains "$T/body" "the field 'text' is required"
    status_is "$(post_json /v1/classify '{"text":null}')" 400
    contains "$T/body" "field 'text' must be a string, got null"
    status_is "$(post_json /v1/feedback '{"text":"a","label":"ham","id":99999999999999999999}')" 400
    contains "$T/body" "field 'id' must be a string or an integer from -2^63 to 2^63-1, got a number out of that range"
    status_is "$(post /v1/classify '{"text":"a"}' -H 'Content-Type: text/csv')" 415
    status_is "$(post /nowhere x)" 404
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/1.1/comment-check")" 405
    # a stream of malformed requests: random bytes as bodies and as raw HTTP
    for i in $(seq 60); do
        head -c $((i * 37)) /dev/urandom >junk
        post /1.1/comment-check @junk >/dev/null || true
        post_json /v1/classify @junk >/dev/null || true
        post_json /v1/feedback @junk >/dev/null || true
        { cat junk; printf '\r\n\r\n'; } | timeout 2 bash -c "cat >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || true
    done
    printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n' | timeout 2 bash -c "cat >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null || true
    kill -0 $SRV_PID || fail "the server died"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    status_is "$(post /1.1/comment-check "$spam_form")" 200
    body_is true
}

test_server_picks_up_a_retrain_by_another_process() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    novel='blog=b&user_ip=192.0.2.1&comment_content=zyzzyva+quokka+marmalade+gummies'
    post /1.1/comment-check "$novel" >/dev/null
    body_is false
    printf 'text,label\n' >more.csv
    for i in $(seq 40); do printf '"zyzzyva quokka marmalade gummies %d",spam\n' "$i" >>more.csv; done
    # requests go on while another process trains the same file: none may fail
    ( for _ in $(seq 150); do
          code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "$novel" "$URL/1.1/comment-check")
          [ "$code" = 200 ] || echo "HTTP $code" >>failures
      done ) &
    loop=$!
    "$KINDLY" train -q -m m.db more.csv
    wait $loop
    [ ! -s failures ] || fail "requests failed during the retrain: $(sort failures | uniq -c)"
    post /1.1/comment-check "$novel" >/dev/null
    body_is true
    curl -s "$URL/metrics" | grep -q '^kindly_model_reloads_total [1-9]' || fail "no reload counted"
}

test_server_stops_gracefully_on_sigterm_and_sigint() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    for sig in TERM INT; do
        start_server -m m.db
        post /1.1/comment-check "$ham_form" >/dev/null
        kill -$sig $SRV_PID
        rc=0; wait $SRV_PID || rc=$?
        [ $rc -eq 0 ] || fail "exit $rc after SIG$sig"
        contains "$T/server.log" "SIG$sig: finishing requests in progress"
        contains "$T/server.log" "kindly serve: stopped"
    done
}

# A request under way when SIGTERM comes (its headers in, its body not yet) is answered, and
# the server then stops, exit 0.
test_server_sigterm_answers_the_request_under_way() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    python3 - "$PORT" "$T/server.log" >client.log 2>&1 <<'PY' &
import socket, sys, time
body = b"blog=b&user_ip=198.51.100.7&comment_content=The+breathing+exercise+helped+me+sleep"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body))
s.settimeout(10)
print("under way:", s.recv(100), flush=True) # 100 Continue: the server has begun the request
s.sendall(body[:10])
for _ in range(100): # the rest of the body once the server has taken the signal
    if b"SIGTERM" in open(sys.argv[2], "rb").read():
        break
    time.sleep(0.05)
s.sendall(body[10:])
print(s.recv(4096).decode("latin-1"), flush=True)
PY
    term_under_way $! "under way"
    grep -q '^HTTP/1.1 200 OK' client.log || fail "the request under way was not answered: $(cat client.log)"
    contains client.log "false"
    contains "$T/server.log" "kindly serve: stopped"
}

# SIGTERM under keep-alive load: the grace period is for requests under way. New requests on
# connections kept alive were served for the whole 5 s (the server never became idle).
test_server_stops_promptly_under_keep_alive_load() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    python3 - "$PORT" >client.log 2>&1 <<'PY' &
import http.client, sys, threading
def client():
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
    n = 0
    try:
        while True:
            c.request("POST", "/1.1/comment-check", body="blog=b&user_ip=192.0.2.1&comment_content=hello+there",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
            c.getresponse().read()
            n += 1
    except Exception as e:
        print(n, "requests, then", type(e).__name__, flush=True)
threads = [threading.Thread(target=client) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY
    client=$!
    sleep 1
    local t0 t1
    t0=$(date +%s%N)
    kill -TERM $SRV_PID
    rc=0; wait $SRV_PID || rc=$?
    t1=$(date +%s%N)
    wait $client || true
    [ $rc -eq 0 ] || fail "exit $rc"
    [ $(( (t1 - t0) / 1000000 )) -lt 3000 ] || fail "took $(( (t1 - t0) / 1000000 )) ms to stop: $(cat client.log)"
    contains client.log "requests, then"
}

# term_under_way CLIENT_PID MARKER: once the client (its output in client.log) has printed
# "MARKER: " and the server's 100 Continue, the server gets SIGTERM; both are waited for, and
# the server must exit 0
term_under_way() {
    local client=$1 rc=0
    for _ in $(seq 100); do grep -q "$2:" client.log && break; sleep 0.1; done
    contains client.log "$2: b'HTTP/1.1 100 Continue" || return 1
    kill -TERM $SRV_PID
    wait $SRV_PID || rc=$?
    wait "$client" || true
    [ $rc -eq 0 ] || fail "exit $rc"
}

# stalled_client THEN: a client of the server on $PORT that sends the headers of a 100-byte
# comment-check, prints the 100 Continue it is answered ("answer: ..."), sends 6 bytes of the
# body and stops sending: THEN "wait" holds the connection 8 s, "read" prints what comes next
# ("then: ...", b'' when the server closes it unanswered)
stalled_client() {
    python3 - "$PORT" "$1" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
s.settimeout(20)
print("answer:", s.recv(100), flush=True)
s.sendall(b"blog=b")
if sys.argv[2] == "read":
    print("then:", s.recv(100), flush=True)
else:
    time.sleep(8)
PY
}

# A second SIGINT or SIGTERM during the grace period ends the server at once, as a second
# signal ends train: a request whose body never comes kept it waiting the whole 5 s, the
# second signal ignored (blocked), and it then said it had stopped normally (exit 0).
test_server_second_signal_stops_at_once() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    # the request is under way once the server has its headers: it then answers 100 Continue
    stalled_client wait >client.log 2>&1 &
    client=$!
    for _ in $(seq 100); do grep -q "answer:" client.log && break; sleep 0.1; done
    contains client.log "answer: b'HTTP/1.1 100 Continue"
    local t0 t1
    t0=$(date +%s%N)
    kill -TERM $SRV_PID
    wait_log "SIGTERM: finishing requests in progress and stopping (a second signal stops at once)"
    kill -INT $SRV_PID
    rc=0; wait $SRV_PID || rc=$?
    t1=$(date +%s%N)
    kill $client 2>/dev/null; wait $client 2>/dev/null || true
    [ $rc -eq 130 ] || fail "exit $rc after a second signal (the default action of SIGINT: 130)"
    [ $(( (t1 - t0) / 1000000 )) -lt 3000 ] || fail "took $(( (t1 - t0) / 1000000 )) ms to stop"
    ! grep -q "kindly serve: stopped" "$T/server.log" || fail "said it stopped normally"
}

# A request still under way when the 5 s of grace after SIGTERM are over is left unanswered
# (its client sees the connection closed): the server says so, also with -q, before it
# stops, exit 0. It said only "stopped", as if every request had been answered.
test_server_says_a_request_left_unanswered_at_the_stop() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db -q
    stalled_client read >client.log 2>&1 &
    term_under_way $! "answer"
    contains client.log "then: b''" # closed, unanswered
    contains "$T/server.log" "kindly serve: warning: 1 request still under way after 5 s of grace was left unanswered"
    # nothing under way: nothing said
    start_server -m m.db -q
    post /1.1/comment-check "$ham_form" >/dev/null
    kill -TERM $SRV_PID
    rc=0; wait $SRV_PID || rc=$?
    [ $rc -eq 0 ] || fail "exit $rc"
    not_contains "$T/server.log" "unanswered"
}

# wait_log TEXT: wait (up to 5 s) until the server's log holds TEXT
wait_log() {
    for _ in $(seq 50); do
        grep -qF -- "$1" "$T/server.log" && return 0
        sleep 0.1
    done
    fail "the server did not log: $1 (log: $(tail -3 "$T/server.log"))"
}

# SIGHUP reloads the key file and the rule file while serving; a file with an error is
# named and the keys and rules in use are kept
# A model another writer holds past SQLite's 10 s busy timeout: feedback is answered 503,
# which is passing, and says when to ask again (Retry-After: 1; RFC 9110, 10.2.3), on both
# APIs; a 503 went out without it, and a client retried at once. The lock released, the same
# feedback is learnt. The server's log names the failure.
test_server_busy_model_answers_503_with_retry_after() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    python3 - m.db >lock.out 2>&1 <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)  # killed once both requests are answered
db.execute("ROLLBACK")
PY
    local locker=$!
    wait_for grep -q locked lock.out || fail "the lock was not taken: $(cat lock.out)"
    status_is "$(post_json /v1/feedback '{"id":"b1","text":"quokka marmalade","label":"spam"}')" 503
    contains "$T/body" "database is locked (another process held its write lock for more than 10 s; try again)"
    grep -qi '^Retry-After: 1' "$T/headers" || fail "no Retry-After: $(cat "$T/headers")"
    status_is "$(post /1.1/submit-spam 'blog=b&user_ip=192.0.2.1&comment_content=quokka+marmalade')" 503
    grep -qi '^Retry-After: 1' "$T/headers" || fail "no Retry-After on the Akismet API: $(cat "$T/headers")"
    grep -q '^X-akismet-debug-help: kindly: cannot write the counts in model m.db: database is locked' "$T/headers" ||
        fail "no reason: $(cat "$T/headers")"
    # the log an operator reads (journalctl) says so, the first at once and the next ones at
    # most once a minute; it said nothing, and a report its client did not retry was lost unseen
    contains "$T/server.log" "kindly serve: /v1/feedback answered 503: cannot write the counts in model m.db: database is locked (another process held its write lock for more than 10 s; try again) (more answers that failed, or did not write the model, are said here at most once a minute)"
    [ "$(grep -c 'answered 503' "$T/server.log")" = 1 ] || fail "not paced: $(cat "$T/server.log")"
    kill "$locker"
    wait "$locker" 2>/dev/null || true
    status_is "$(post_json /v1/feedback '{"id":"b1","text":"quokka marmalade","label":"spam"}')" 200
    contains "$T/body" '"learnt":1'
    ! grep -qi '^Retry-After' "$T/headers" || fail "Retry-After on a 200: $(cat "$T/headers")"
    # the second 503, counted but not yet said (within the minute), is said when it stops
    kill -TERM $SRV_PID
    wait $SRV_PID 2>/dev/null || true
    contains "$T/server.log" "kindly serve: answers that failed or did not write the model: 1 more in the last "
    contains "$T/server.log" " s (said at stop)"
}

# The same retrain made on a copy, then moved over the model the server has open: feedback
# was answered "learnt" and written into the old file, which no path named any more. It is
# refused now (500, the reason named), the server says once what happened and what to do,
# and goes on answering checks from the file it has open.
test_server_refuses_to_write_a_model_moved_over_its_own() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post_json /v1/feedback '[{"id":"f1","text":"a first report before the move","label":"ham"}]')" 200
    contains "$T/body" '"learnt":1'
    # more pages in the server's log (the old file grows past the new one's size)
    for i in 2 3 4; do
        python3 -c "import json,sys; print(json.dumps([{'id': 'f%s-%d' % (sys.argv[1], k), 'text': 'report %d of batch %s: ' % (k, sys.argv[1]) + ' '.join('word%d' % (k * 1000 + j) for j in range(40)), 'label': 'spam'} for k in range(50)]))" $i >fb$i.json
        status_is "$(post_json /v1/feedback @fb$i.json)" 200
    done
    cp m.db new.db
    "$KINDLY" train -q -m new.db "$SD/train.csv"
    "$KINDLY" info -m new.db | sed 's/"model":"[^"]*",//' >new.info
    mv new.db m.db
    # the health check says so first: the server may no longer write (it said writable:true)
    curl -s "$URL/healthz" >health
    contains health '"writable":false'
    status_is "$(post /1.1/comment-check 'blog=b&user_ip=192.0.2.1&comment_content=hello+there')" 200
    status_is "$(post_json /v1/feedback '[{"id":"f2","text":"zyzzyva gummies at a discount","label":"spam"}]')" 500
    contains "$T/body" '{"error":"item 0: cannot write the counts in model m.db: the model file was removed or replaced since this process opened it: nothing was written"}'
    # one object, not an array: no item to name, as a malformed one's message names none
    status_is "$(post_json /v1/feedback '{"id":"f3","text":"zyzzyva gummies at a discount","label":"spam"}')" 500
    contains "$T/body" '{"error":"cannot write the counts in model m.db: the model file was removed'
    contains "$T/server.log" "m.db was removed or replaced while the server had it open"
    [ "$(grep -c 'removed or replaced while' "$T/server.log")" = 1 ] || fail "said more than once"
    # the server's -wal, under the model's name, held its feedback's pages: the new file read
    # as the old one until the server emptied it
    "$KINDLY" info -m m.db | sed 's/"model":"[^"]*",//' | cmp -s new.info - \
        || fail "m.db does not read as the file moved there: $("$KINDLY" info -m m.db) vs $(cat new.info)"
}

test_server_sighup_reloads_keys_and_rules() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    echo old-key >keys
    printf 'text ZZ_OLD /zzyzxold/ 20 old rule\n' >my.rules
    start_server -m m.db --keys keys --rules my.rules
    check() { post_json /v1/classify "{\"id\":\"c\",\"text\":\"$1\"}" -H "Authorization: Bearer $2"; }
    status_is "$(check 'a zzyzxold here' old-key)" 200
    contains "$T/body" '"name":"ZZ_OLD"'
    echo new-key >keys
    printf 'text ZZ_NEW /zzyzxnew/ 20 new rule\n' >my.rules
    kill -HUP $SRV_PID
    wait_log "SIGHUP: reloaded the keys and the rules (1 rule)"
    status_is "$(check 'a zzyzxold here' old-key)" 401
    status_is "$(check 'a zzyzxold zzyzxnew here' new-key)" 200
    contains "$T/body" '"name":"ZZ_NEW"'
    not_contains "$T/body" '"name":"ZZ_OLD"'
    status_is "$(post /1.1/comment-check "$ham_form&api_key=new-key")" 200
    # a broken rule file: named, and the server keeps what it had
    printf 'text BROKEN /(unclosed/ 1\n' >my.rules
    kill -HUP $SRV_PID
    wait_log "SIGHUP: nothing reloaded: still serving with the keys and rules loaded before"
    contains "$T/server.log" "my.rules:1:"
    status_is "$(check 'zzyzxnew' new-key)" 200
    contains "$T/body" '"name":"ZZ_NEW"'
    # a key file without a key: the same
    : >keys
    kill -HUP $SRV_PID
    wait_log "no key in the file"
    status_is "$(check 'zzyzxnew' new-key)" 200
    # reloads while requests run (under make sanitize: no request uses freed keys or rules)
    echo new-key >keys
    printf 'text ZZ_NEW /zzyzxnew/ 20 new rule\n' >my.rules
    (for _ in $(seq 150); do check 'zzyzxnew' new-key; echo; done >statuses) &
    load=$!
    for _ in $(seq 20); do kill -HUP $SRV_PID; sleep 0.02; done
    wait $load
    [ "$(sort -u statuses)" = 200 ] || fail "requests during reloads: $(sort statuses | uniq -c)"
    # /metrics counts the reloads: two refused (the broken rule file, the empty key file)
    curl -s "$URL/metrics" >metrics
    grep -q '^kindly_config_reloads_total{result="failed"} 2$' metrics || fail "$(grep config_reloads metrics)"
    grep -q '^kindly_config_reloads_total{result="done"} [1-9]' metrics || fail "$(grep config_reloads metrics)"
    kill -0 $SRV_PID || fail "the server stopped"
    kill -TERM $SRV_PID
    rc=0; wait $SRV_PID || rc=$?
    [ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
}

test_server_usage_and_start_errors() {
    expect_status 3 "$KINDLY" serve --listen nowhere
    contains "$T/err" "kindly serve: --listen takes HOST:PORT, [IPv6]:PORT or PORT (got 'nowhere')"
    # the form right, the host or port not: said so, not as a wrong form
    expect_status 3 "$KINDLY" serve --listen no-such-host.invalid:8080
    contains "$T/err" "kindly serve: --listen: cannot resolve the host 'no-such-host.invalid' ("
    expect_status 3 "$KINDLY" serve --listen 127.0.0.1:99999
    contains "$T/err" "kindly serve: --listen: the port is a number from 0 to 65535 (got '99999')"
    # an IPv6 address without brackets: its last group is not taken for the port ('::1' was
    # the host ':' on port 1, "cannot resolve the host ':'"; ':::1' listened on '::', every
    # address, port 1), nor is what comes after its last colon ('::1:8080' is an address too).
    # Under timeout: a server that took one of them would serve until killed, and the suite
    # hung there instead of failing (exit 124)
    for a in ::1 2001:db8::1 :::1 ::1:8080 :::8080; do
        expect_status 3 timeout 10 "$KINDLY" serve --listen "$a"
        contains "$T/err" "kindly serve: --listen: an IPv6 address goes in brackets, then its port: [::1]:8080 (got '$a')"
    done
    expect_status 3 "$KINDLY" serve --threads 0
    expect_status 3 "$KINDLY" serve --max-body 2G
    contains "$T/err" "kindly serve: --max-body takes a size in bytes (suffix k, M or G), at most 1G (got '2G')"
    expect_status 3 "$KINDLY" serve --hold-as maybe
    expect_status 5 "$KINDLY" serve -m missing.db --listen 127.0.0.1:0
    contains "$T/err" "missing.db"
    expect_status 5 "$KINDLY" serve -m missing.db --keys no-such-keys --listen 127.0.0.1:0
    contains "$T/err" "no-such-keys"
    # a key file without a key would turn every request away: refused (not left running)
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf '# no key yet\n\n' >empty-keys
    expect_status 5 timeout 10 "$KINDLY" serve -m m.db --keys empty-keys --listen 127.0.0.1:0
    contains "$T/err" "empty-keys: no key in the file"
    expect_status 0 "$KINDLY" help serve
    contains "$T/out" "/1.1/comment-check"
}

# --max-body's largest size is named "1G" in its message, and is taken as written: the G
# suffix was refused ("at most 1G (got '1G')") while 1024M, the same size, was taken
test_server_max_body_takes_the_size_its_message_names() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --max-body 1G
    # 2 MiB, over the default 1M: taken
    python3 -c 'print("blog=b&user_ip=192.0.2.1&comment_content=" + "tea+" * (512 * 1024))' >big
    status_is "$(post /1.1/comment-check @big)" 200
    body_is false
}

# With --keys the JSON API needs a key too (a bearer token): anyone reaching the port could
# otherwise retrain the model. /healthz and /metrics stay open.
test_server_with_keys_the_json_api_needs_a_bearer_key() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    echo secret-1 >keys
    start_server -m m.db --keys keys
    for path in /v1/classify /v1/feedback; do
        status_is "$(post_json $path '{"text":"quokka marmalade","label":"spam"}')" 401
        grep -qi '^WWW-Authenticate: Bearer realm="kindly"' "$T/headers" || fail "no challenge: $(cat "$T/headers")"
        contains "$T/body" "Authorization: Bearer KEY"
        status_is "$(post_json $path '{"text":"quokka marmalade","label":"spam"}' -H 'Authorization: Bearer wrong')" 401
        grep -qi '^WWW-Authenticate: Bearer .*error="invalid_token"' "$T/headers" || fail "$(cat "$T/headers")"
        # a token longer than any key (a JWT of 300 bytes) was sent: it is not valid, not missing
        status_is "$(post_json $path '{"text":"quokka marmalade","label":"spam"}' -H "Authorization: Bearer $(printf '%0300d' 7)")" 401
        grep -qi '^WWW-Authenticate: Bearer .*error="invalid_token"' "$T/headers" || fail "$(cat "$T/headers")"
        contains "$T/body" "the key is not valid"
    done
    "$KINDLY" info -m m.db | grep -q '"spam_messages":6,' || fail "refused feedback was learnt: $("$KINDLY" info -m m.db)"
    status_is "$(post_json /v1/feedback '{"text":"quokka marmalade","label":"spam"}' -H 'Authorization: Bearer secret-1')" 200
    body_is '{"learnt":1,"unlearnt":0,"unchanged":0,"relabelled":0}'
    status_is "$(post_json /v1/classify '{"text":"quokka marmalade"}' -H 'Authorization: Bearer secret-1')" 200
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/metrics")" 200
    contains "$T/body" 'kindly_http_requests_total{endpoint="/v1/feedback",code="401"} 3'
}

# RFC 9110: HEAD wherever GET; the headers of the GET answer, no body.
test_server_head_is_get_without_the_body() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    for path in /healthz /metrics; do
        [ "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$URL$path")" = "200 0" ] \
            || fail "HEAD $path: $(curl -s -I "$URL$path")"
    done
    curl -s -I "$URL/healthz" >headers
    grep -qi '^Content-Type: application/json' headers || fail "$(cat headers)"
    grep -qi '^Content-Length: [1-9]' headers || fail "HEAD without the length of GET's body: $(cat headers)"
    status_is "$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -d x "$URL/healthz")" 405
    grep -qi '^Allow: GET, HEAD' "$T/headers" || fail "$(cat "$T/headers")"
    status_is "$(curl -s -I -o /dev/null -D "$T/headers" -w '%{http_code}' "$URL/v1/classify")" 405
    grep -qi '^Allow: POST' "$T/headers" || fail "$(cat "$T/headers")"
    # a method HTTP does not define is 501, not 405 (RFC 9110, 9.1): no endpoint could take it
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' -X BREW "$URL/healthz")" 501
    contains "$T/body" "method 'BREW' is not implemented"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' -X PUT "$URL/healthz")" 405
}

# The server remembers every check: a client retrying one must not get its comment held as
# a duplicate of itself.
test_server_a_retried_check_is_not_its_own_duplicate() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    comment='{"id":"c77","author":"Ann","text":"The breathing exercise and the journal helped me sleep, thank you"}'
    for try in 1 2 3; do
        status_is "$(post_json /v1/classify "$comment")" 200
        contains "$T/body" '"duplicate_of":null'
    done
    status_is "$(post_json /v1/classify "${comment/c77/c78}")" 200
    contains "$T/body" '"duplicate_of":"c77"'
    "$KINDLY" history -m m.db | grep -q '"comments":2,' || fail "$("$KINDLY" history -m m.db)"
}

# --listen with port 0 picks a free port, "printed on stderr" (kindly help serve): with -q
# (no start and stop messages) it was not, and a script that asked for any free port and
# quiet had no way to reach the server. The listening line is said when the port was 0,
# quiet or not, and nothing else of the start and stop is.
test_server_quiet_on_port_0_still_says_the_port() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -q -m m.db
    curl -s "$URL/healthz" >health
    contains health '"status":"ok"'
    lines "$T/server.log" 1
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
    lines "$T/server.log" 1
    # a port given is not said with -q
    port=$PORT
    "$KINDLY" serve -q -m m.db --listen "127.0.0.1:$port" --threads 1 2>q.log &
    pid=$!
    wait_for curl -s -o /dev/null "http://127.0.0.1:$port/healthz"
    kill $pid; wait $pid 2>/dev/null || true
    [ ! -s q.log ] || fail "serve -q with a port given said: $(cat q.log)"
}

# A model named for the server to learn into (-m, $KINDLY_MODEL) but served read-only (the
# shipped default, a file this user may not write) is a warning, said with -q too, as the
# README has -q keep errors and warnings: it was a start message, so a quiet server (a
# service's unit) answered every report 403 with nothing in its log to say why.
test_server_quiet_still_says_a_named_model_is_served_read_only() {
    start_server -q -m "$ROOT/models/default.db"
    contains "$T/server.log" "is the shipped default model, which is never written to: serving it read-only"
    lines "$T/server.log" 2 # and the port that port 0 picked
    status_is "$(post_json /v1/feedback '{"id":"f1","text":"zyzzyva quokka","label":"spam"}')" 403
}

# A model file the server's user cannot write is served read-only, as the shipped default
# is: it classifies (without remembering), feedback gets 403, and the start says why.
test_server_a_model_it_cannot_write_is_served_read_only() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    read_only_model m.db
    start_server -m m.db
    contains "$T/server.log" "m.db cannot be written by this user (Permission denied): serving it read-only"
    contains "$T/server.log" "read-only, no key required"
    curl -s "$URL/healthz" >health
    contains health '"writable":false'
    for try in 1 2; do
        status_is "$(post_json /v1/classify '{"id":"c1","text":"Cheap xanax and valium, order now"}')" 200
        contains "$T/body" '"verdict":"spam"'
        status_is "$(post /1.1/comment-check "$ham_form")" 200
        body_is false
    done
    status_is "$(post_json /v1/feedback '{"text":"x","label":"ham"}')" 403
    contains "$T/body" "read-only"
    status_is "$(post /1.1/submit-spam "$spam_form")" 403
}

test_server_the_shipped_default_model_is_read_only() {
    start_server
    status_is "$(post /1.1/comment-check "$spam_form")" 200
    body_is true
    status_is "$(post /1.1/submit-spam "$ham_form")" 403
    status_is "$(post_json /v1/feedback '{"text":"x","label":"ham"}')" 403
    contains "$T/body" "read-only"
}

# The shipped default named explicitly (-m, a link to it, $KINDLY_MODEL) is still the
# committed default: served read-only with a line saying so, feedback refused, the file unchanged.
test_server_the_default_model_named_explicitly_is_read_only() {
    def=$ROOT/models/default.db
    sum=$(cksum <"$def")
    ln -s "$def" link.db
    for how in "-m $def" "-m link.db" "env"; do
        if [ "$how" = env ]; then
            KINDLY_MODEL=$def start_server
        else
            # shellcheck disable=SC2086
            start_server $how
        fi
        contains "$T/server.log" "is the shipped default model, which is never written to: serving it read-only"
        [ "$(grep -c 'shipped default model' "$T/server.log")" -eq 1 ] || fail "$(cat "$T/server.log")"
        contains "$T/server.log" "read-only, no key required"
        curl -s "$URL/healthz" >health
        contains health '"writable":false'
        status_is "$(post_json /v1/classify '{"id":"c1","text":"Cheap xanax and valium, order now"}')" 200
        status_is "$(post_json /v1/feedback '{"id":"f1","text":"zyzzyva quokka","label":"spam"}')" 403
        contains "$T/body" "read-only"
        status_is "$(post /1.1/submit-spam "$spam_form")" 403
        kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
        [ "$(cksum <"$def")" = "$sum" ] || fail "the default model was written ($how)"
    done
    # a copy of it is another file: it learns
    cp "$def" copy.db
    start_server -m copy.db
    not_contains "$T/server.log" "shipped default"
    status_is "$(post_json /v1/feedback '{"id":"f1","text":"zyzzyva quokka","label":"spam"}')" 200
}

# The real akismet-api package from the npm registry, installed by the test (never vendored)
# into tests/e2e/node (git-ignored) and reused by later runs.
test_server_real_akismet_api_client() {
    command -v node >/dev/null || skip "node is not installed (tools/install-deps.sh installs it)"
    mods=$ROOT/tests/e2e/node
    if [ ! -f "$mods/node_modules/akismet-api/package.json" ]; then
        [ -z "${KINDLY_OFFLINE:-}" ] || skip "KINDLY_OFFLINE is set: no download from the npm registry"
        command -v npm >/dev/null || skip "npm is not installed"
        timeout 120 npm install --no-save --no-audit --no-fund --loglevel=error --fetch-retries=1 \
            --fetch-timeout=20000 --prefix "$mods" akismet-api \
            >npm.log 2>&1 || skip "npm could not install akismet-api from the registry: $(tail -1 npm.log)"
    fi
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    echo client-key >keys
    start_server -m m.db --keys keys
    node "$ROOT/tests/e2e/akismet-client.js" "$PORT" client-key "$mods/node_modules" >out 2>err \
        || fail "$(cat out err)"
    contains out "akismet-api: verify-key, comment-check, submit-spam, submit-ham ok"
    "$KINDLY" info -m m.db | grep -q '"ham_messages":7' || fail "submit-ham not learnt: $("$KINDLY" info -m m.db)"
}

test_install_then_example_builds_with_pkg_config() {
    command -v pkg-config >/dev/null || skip "pkg-config is not installed"
    # shellcheck disable=SC2086
    make -C "$ROOT" --no-print-directory ${KINDLY_MAKE_ARGS:-} PREFIX="$T/prefix" install >make.log 2>&1 \
        || fail "make install: $(tail -5 make.log)"
    for f in bin/kindly include/kindly.h lib/libkindly.a lib/libkindly.so lib/pkgconfig/kindly.pc share/kindly/default.db share/doc/kindly/example.c \
        share/kindly/default.rules share/kindly/default.rules.compiled \
        share/doc/kindly/NOTICES.md share/doc/kindly/README.md share/man/man1/kindly.1; do
        [ -e "$T/prefix/$f" ] || fail "not installed: $f"
    done
    # the installed rules' compiled file is theirs (a stale one would be noted on stderr)
    "$T/prefix/bin/kindly" rules --check >check.out 2>check.err || fail "$(cat check.err)"
    [ ! -s check.err ] || fail "the installed compiled rules are not used: $(cat check.err)"
    # the man page holds every command's help and is valid troff
    for cmd in train score check learn eval merge info posts serve rules history; do
        grep -q "^\.SS $cmd\$" "$T/prefix/share/man/man1/kindly.1" || fail "kindly(1) lacks $cmd"
    done
    # and names the installed files where they are (it said PREFIX/share/kindly/default.db)
    grep -q "^\.I $T/prefix/share/kindly/default.db\$" "$T/prefix/share/man/man1/kindly.1" \
        || fail "kindly(1) does not name $T/prefix/share/kindly/default.db"
    not_contains "$T/prefix/share/man/man1/kindly.1" "PREFIX/share"
    if command -v groff >/dev/null; then
        groff -man -Tutf8 -ww -z "$T/prefix/share/man/man1/kindly.1" >groff.log 2>&1 || true
        [ ! -s groff.log ] || fail "groff warns about kindly(1): $(head -3 groff.log)"
    fi
    # every command's help fits 80 columns, and so does the man page read at 80 (it set the
    # help 7 columns in: 145 lines were wider)
    if command -v man >/dev/null; then
        MANWIDTH=80 man -l "$T/prefix/share/man/man1/kindly.1" 2>/dev/null >man.txt
        [ -s man.txt ] || fail "man cannot read kindly(1)"
        awk 'length($0) > 80 { n++ } END { exit n > 0 }' man.txt \
            || fail "kindly(1) at 80 columns has lines wider: $(awk 'length($0) > 80' man.txt | head -2)"
    fi
    # the shared library's interface is kindly.h: every exported function is declared there
    if command -v nm >/dev/null; then
        nm -D --defined-only "$T/prefix/lib/libkindly.so" | awk '$2 == "T" {print $3}' >exported
        [ "$(wc -l <exported)" -ge 40 ] || fail "too few exported functions: $(wc -l <exported)"
        while read -r sym; do
            grep -q "\b$sym(" "$ROOT/classifier/kindly.h" || fail "libkindly.so exports $sym, not in kindly.h"
        done <exported
        # and the README counts them right (it said 55 once kd_date_parse made them 56)
        tr '\n' ' ' <"$ROOT/README.md" | grep -q "exports the $(wc -l <exported) functions of" \
            || fail "the README does not say libkindly.so exports the $(wc -l <exported) functions of kindly.h"
    fi
    export PKG_CONFIG_PATH=$T/prefix/lib/pkgconfig
    san=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*SANITIZE=\([^ ]\{1,\}\).*/\1/p')
    extra=${san:+-fsanitize=$san}
    # shared, found through pkg-config
    # shellcheck disable=SC2046,SC2086
    cc -std=c11 -Wall -Wextra -Werror $extra -o example "$T/prefix/share/doc/kindly/example.c" $(pkg-config --cflags --libs kindly) \
        -Wl,-rpath,"$(pkg-config --variable=libdir kindly)" || fail "the example does not build against libkindly.so"
    ./example "$(pkg-config --variable=datadir kindly)/default.db" "Cheap xanax, no prescription, order now" >out \
        || fail "the example failed: $(cat out)"
    contains out '"verdict":"spam"'
    contains out '"rules":[]' # no rule set given: the library applies none
    d=$(pkg-config --variable=datadir kindly)
    ./example "$d/default.db" "Cheap xanax, no prescription, order now" "$d/default.rules" >out \
        || fail "the example failed with the rules: $(cat out)"
    not_contains out '"rules":[]'
    expect_status 1 ./example "$d/default.db" "hello" "$d/no-such.rules"
    # the README's library blocks as written (its /opt/kindly this PREFIX): the example shared
    # and static, libkindly.a with the libraries kindly.pc names, here with utf8proc's archive
    # in a directory of its own that its .pc names (as a utf8proc built under a prefix of its
    # own is): the README's static line took only the -l flags ("cannot find -lkdutf8proc")
    a=$(cc -print-file-name=libutf8proc.a)
    if [ -f "$a" ]; then
        mkdir -p deps pc && cp "$a" deps/libkdutf8proc.a
        printf 'Name: libutf8proc\nDescription: utf8proc, elsewhere\nVersion: %s\nLibs: -L%s -lkdutf8proc\nCflags: %s\n' \
            "$(pkg-config --modversion libutf8proc)" "$T/deps" "$(pkg-config --cflags libutf8proc)" >pc/libutf8proc.pc
    fi
    { printf 'set -e\ncc() { command cc %s "$@"; }\n' "$extra"
      readme_block "HTTP server and library" 4 && readme_block "HTTP server and library" 5
      echo './example-static "$d/default.db" "thank you, this helped me a lot"'
    } | sed "s|/opt/kindly/lib/pkgconfig|$T/prefix/lib/pkgconfig:$T/pc|; s|/opt/kindly|$T/prefix|g" >readme-lib.sh
    bash readme-lib.sh >out2 2>err2 || fail "the README's library lines fail: $(tail -3 err2)"
    contains out2 '"verdict":"spam"' # the README's comment with the rules
    [ "$(grep -c '"verdict":' out2)" -eq 2 ] || fail "the static example did not answer: $(cat out2)"
    ! nm example-static | grep -q ' U kd_' || fail "example-static is not linked with libkindly.a"
    "$T/prefix/bin/kindly" version | grep -q '^kindly ' || fail "installed binary"
    # shellcheck disable=SC2086
    make -C "$ROOT" --no-print-directory ${KINDLY_MAKE_ARGS:-} PREFIX="$T/prefix" uninstall >make.log 2>&1
    [ -z "$(find "$T/prefix" -type f)" ] || fail "uninstall left: $(find "$T/prefix" -type f)"
}

# An unknown blog_charset does not lose the comment: it is read as UTF-8 and the answer says
# so in a header; a known one (windows-1252 here) is converted without a warning.
# a NUL byte in a form (%00, or the raw byte) is read as a space, as `kindly check` reads one,
# and said in X-kindly-warning naming the field; it was read so without a word
test_server_a_nul_in_a_form_is_read_as_a_space_with_a_warning() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post /1.1/comment-check "$ham_form&is_test=1&comment_author_url=http%3A%2F%2Fa%00.example")" 200
    body_is false
    grep -qi "^X-kindly-warning: NUL bytes read as spaces in the field 'comment_author_url'" "$T/headers" ||
        fail "no warning: $(cat "$T/headers")"
    printf '%s&is_test=1&comment_author=A\0nn' "$ham_form" >raw.form
    status_is "$(post /1.1/comment-check @raw.form)" 200
    grep -qi "^X-kindly-warning: NUL bytes read as spaces in the field 'comment_author'" "$T/headers" ||
        fail "no warning for a raw NUL: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&is_test=1")" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning without a NUL: $(cat "$T/headers")"
}

test_server_blog_charset_unknown_is_read_as_utf8_with_a_warning() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post /1.1/comment-check "$ham_form&is_test=1&blog_charset=klingon-8")" 200
    grep -qi '^X-kindly-warning: .*klingon-8' "$T/headers" || fail "no warning header: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&is_test=1&blog_charset=windows-1252&comment_author=%93Caf%E9%94")" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning for windows-1252"
}

# Listening beyond loopback without --keys is warned about (even with -q); loopback is not.
test_server_warns_when_open_beyond_this_machine_without_keys() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    kill $SRV_PID && wait $SRV_PID || true
    not_contains "$T/server.log" "warning"
    "$KINDLY" serve -m m.db -q --listen 0.0.0.0:0 2>open.log &
    local pid=$!
    for _ in $(seq 50); do grep -q warning open.log && break; sleep 0.1; done
    kill $pid && wait $pid || true
    contains open.log "warning: listening beyond this machine without --keys"
}

# Feedback is remembered as `kindly learn` remembers: the same comment posted again is its
# duplicate; a comment checked first and then reported is recorded once.
test_server_feedback_is_remembered_for_duplicates() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    local t='Visit my page for the best deals on miracle gummies, every single day'
    status_is "$(post_json /v1/feedback "{\"id\":\"f1\",\"author\":\"x\",\"text\":\"$t\",\"label\":\"spam\"}")" 200
    status_is "$(post /1.1/submit-spam "blog=http%3A%2F%2Fb.example&user_ip=10.0.0.9&comment_ID=f2&comment_author=y&comment_content=another+reported+spam+about+cheap+keto+pills+today")" 200
    status_is "$(post_json /v1/classify "{\"id\":\"n1\",\"author\":\"z\",\"text\":\"$t\"}")" 200
    contains "$T/body" '"duplicate_of":"f1"'
    status_is "$(post_json /v1/classify '{"id":"n2","author":"w","text":"a comment checked first, then reported as spam by the moderator"}')" 200
    status_is "$(post_json /v1/feedback '{"id":"n2","author":"w","text":"a comment checked first, then reported as spam by the moderator","label":"spam"}')" 200
    kill $SRV_PID && wait $SRV_PID || true
    "$KINDLY" history -m m.db >h.json
    contains h.json '"comments":4' # f1, f2, n1, n2 (once)
}

# The WordPress flow: a comment checked before it has an id, reported as spam with its
# comment_ID (twice: a retry), then "Not spam": learnt once as spam, then relabelled ham.
test_server_akismet_reports_are_idempotent_per_comment() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    local form='blog=http%3A%2F%2Fb.example&user_ip=10.0.0.7&comment_post_ID=9&comment_author=Rita&comment_author_email=rita%40x.example&comment_content=Lovely+article%2C+my+aunt+says+the+same+about+walking+every+morning'
    count() { "$KINDLY" info -m m.db | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
    status_is "$(post /1.1/comment-check "$form")" 200
    local spam0 ham0
    spam0=$(count spam_messages)
    ham0=$(count ham_messages)
    status_is "$(post /1.1/submit-spam "$form&comment_ID=6100")" 200
    status_is "$(post /1.1/submit-spam "$form&comment_ID=6100")" 200 # a retry
    [ "$(count spam_messages)" = $((spam0 + 1)) ] || fail "spam learnt $(( $(count spam_messages) - spam0 )) times"
    status_is "$(post /1.1/submit-ham "$form&comment_ID=6100")" 200 # "Not spam"
    [ "$(count spam_messages)" = "$spam0" ] || fail "the spam report was not taken back"
    [ "$(count ham_messages)" = $((ham0 + 1)) ] || fail "the ham report was not learnt once"
    kill $SRV_PID && wait $SRV_PID || true
    "$KINDLY" history -m m.db >h.json
    contains h.json '"comments":1' # checked, then reported: one comment
}

# A report's answer is Akismet's whatever it did; X-kindly-feedback says what that was (learnt,
# unchanged: learnt so already, relabelled), for an operator with curl -i.
test_server_akismet_reports_say_what_they_did_in_a_header() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    local form='blog=http%3A%2F%2Fb.example&user_ip=10.0.0.7&comment_post_ID=9&comment_ID=6200&comment_content=Lovely+article%2C+my+aunt+says+the+same+about+walking+every+morning'
    said() { # said HEADER-VALUE: the answer is Akismet's, and the header says HEADER-VALUE
        [ "$(cat "$T/body")" = "Thanks for making the web a better place." ] || fail "body: $(cat "$T/body")"
        [ "$(grep -ci '^X-kindly-feedback:' "$T/headers")" = 1 ] || fail "not one X-kindly-feedback: $(cat "$T/headers")"
        grep -qi "^X-kindly-feedback: $1"$'\r'"\$" "$T/headers" || fail "not '$1': $(cat "$T/headers")"
    }
    status_is "$(post /1.1/submit-spam "$form")" 200
    said "learnt: as spam"
    status_is "$(post /1.1/submit-spam "$form")" 200 # a retry
    said "unchanged: learnt as spam already"
    status_is "$(post /1.1/submit-ham "$form")" 200 # "Not spam"
    said "relabelled: learnt as ham, its spam taken back"
    status_is "$(post /1.1/submit-spam "$form")" 200 # "Spam" again
    said "relabelled: learnt as spam, its ham taken back"
    status_is "$(post /1.1/submit-ham "$form&is_test=1")" 200
    said "unchanged: is_test=1, nothing is learnt"
    expect_status 0 "$KINDLY" history -m m.db --id 6200
    contains "$T/out" '"learnt":"spam"'
}

# The Akismet plugin posts comment_parent=0 for a comment that replies to none: no parent, so a
# rule on parent fires on a reply alone (it fired on every comment the plugin checked).
test_server_akismet_comment_parent_0_is_no_parent() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf 'parent REPLY /./ 1.0 a reply to another comment\n' >p.rules
    start_server -m m.db --rules p.rules
    local form='blog=http%3A%2F%2Fb.example&user_ip=2001%3Adb8%3A%3A7&comment_post_ID=9&comment_author=Rita&comment_content=Lovely+article%2C+my+aunt+says+the+same+about+walking'
    status_is "$(post /1.1/comment-check "$form&comment_parent=0")" 200
    grep -i '^X-kindly-reasons:' "$T/headers" | grep -q 'rule:REPLY' && fail "a rule on parent fired on comment_parent=0: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$form&comment_parent=4711")" 200
    grep -i '^X-kindly-reasons:' "$T/headers" | grep -q 'rule:REPLY' || fail "not on the reply: $(cat "$T/headers")"
    # the JSON API's parent is kindly's own field: a 0 is an id
    status_is "$(post_json /v1/classify '{"parent":"0","text":"Lovely article, my aunt says the same"}')" 200
    contains "$T/body" '"rules":[{"name":"REPLY"'
}

# A report needs no user_ip: WordPress's plugin sends a comment's stored IP, empty for one
# imported or stripped by a privacy plugin, and reads no answer to a report. It was answered
# invalid ('Empty "user_ip" value') and the moderator's report was lost with no word in the log.
# A check still needs it, as Akismet's.
test_server_akismet_report_without_user_ip_is_learnt() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    count() { "$KINDLY" info -m m.db | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
    local spam0 ham0 form='blog=http%3A%2F%2Fb.example&user_ip=&comment_ID=7001&comment_post_ID=9&comment_author=pharma&comment_content=Cheap+xanax+and+valium%2C+no+prescription%2C+order+now'
    spam0=$(count spam_messages)
    ham0=$(count ham_messages)
    status_is "$(post /1.1/submit-spam "$form")" 200
    body_is "Thanks for making the web a better place."
    [ "$(count spam_messages)" = $((spam0 + 1)) ] || fail "the report was not learnt"
    status_is "$(post /1.1/submit-ham "${form/&user_ip=/}")" 200 # no user_ip field at all: "Not spam"
    body_is "Thanks for making the web a better place."
    [ "$(count spam_messages)" = "$spam0" ] && [ "$(count ham_messages)" = $((ham0 + 1)) ] ||
        fail "not relabelled: $("$KINDLY" info -m m.db)"
    status_is "$(post /1.1/comment-check "$form")" 200
    body_is invalid
    contains "$T/headers" 'X-akismet-debug-help: Empty "user_ip" value'
    post /1.1/submit-spam "${form/blog=http%3A%2F%2Fb.example/blog=}" >/dev/null
    body_is invalid
    contains "$T/headers" 'X-akismet-debug-help: Empty "blog" value'
}

# WordPress's zero date in a report's comment_date_gmt (a linkback a plugin stored without a
# date) is no date: the comment is remembered as of now without a warning; the answer carried
# 'remembered as of now: unreadable date ... (kindly reads ISO 8601 ...)', which no client can mend.
test_server_akismet_wordpress_zero_date_is_no_date() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    local form='blog=http%3A%2F%2Fb.example&user_ip=10.0.0.7&comment_ID=8001&comment_post_ID=9&comment_author=Linker&comment_content=A+pingback+to+the+walking+post&comment_date_gmt=0000-00-00+00%3A00%3A00'
    status_is "$(post /1.1/submit-ham "$form")" 200
    body_is "Thanks for making the web a better place."
    not_contains "$T/headers" "X-kindly-warning"
    status_is "$(post /1.1/comment-check "${form/8001/8002}")" 200
    not_contains "$T/headers" "X-kindly-warning"
}

# [METHOD=M] send_body PATH LENGTH PIECE: POST (or M) to PATH a body announced LENGTH bytes long, PIECE bytes
# each 10 ms (a byte: a slow client; 64 KiB: a long body), until the server closes the
# connection; what it answered to answer.txt. Fails after 20 s (the cut comes after 1 s).
send_body() {
    python3 - "$PORT" "$@" >answer.txt <<'PY'
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(os.environ.get("METHOD", "POST").encode() + b" " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          b"Content-Length: " + sys.argv[3].encode() + b"\r\n\r\n")
piece = b"a" * int(sys.argv[4])
t0, got, closed = time.time(), b"", False
s.settimeout(0.01)
while time.time() - t0 < 20 and not closed:
    try:
        s.sendall(piece)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    try:
        d = s.recv(4096)
        closed = d == b""
        got += d
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
sys.stdout.write(got.decode("latin-1"))
sys.exit(0 if closed else 1)
PY
}

# a body trickled in a byte at a time is never idle: it gets --timeout seconds in all, then
# the server answers 408 Request Timeout, in JSON, with Connection: close, and closes the
# connection (else a few slow clients hold every connection slot). It used to close without a
# word: the client saw a reset and no reason. A body whose Content-Length is over --max-body,
# read and dropped (a client sending it whole before reading gets the answer), is cut so too,
# but answered 413, its cause (it was 408: 1 TB announced, and the client told it was slow)
test_server_slow_body_is_cut_at_the_timeout() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --timeout 1
    send_body /1.1/comment-check 1000000000000 65536 || fail "the long body was not cut: $(cat answer.txt)"
    head -1 answer.txt | grep -q '^HTTP/1.1 413 ' || fail "no 413: $(cat answer.txt)"
    grep -qi '^Connection: close' answer.txt || fail "no Connection: close: $(cat answer.txt)"
    contains answer.txt '{"error":"the request body is over the limit of 1048576 bytes"}'
    for path in /1.1/comment-check /v1/classify; do
        send_body "$path" 1000 1 || fail "$path: the slow body was not cut: $(cat answer.txt)"
        head -1 answer.txt | grep -q '^HTTP/1.1 408 Request Timeout' || fail "$path: no 408: $(cat answer.txt)"
        grep -qi '^Connection: close' answer.txt || fail "$path: no Connection: close: $(cat answer.txt)"
        contains answer.txt '{"error":"the request body took longer than the server'"'"'s --timeout of 1 s to arrive: send it whole within that time"}'
    done
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/1.1/comment-check",code="408"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/1.1/comment-check",code="413"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/v1/classify",code="408"} 1'
    status_is "$(post /1.1/comment-check "$ham_form")" 200 # the server goes on
}

# A body that stops coming part-way leaves the connection idle: closed at --timeout without
# an answer, as the README and the help say (the 408 is for a body still coming then; the
# README said "a request whose body takes longer", which reads as this one too)
test_server_a_body_that_stops_coming_is_closed_unanswered_at_the_timeout() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --timeout 1
    python3 - "$PORT" >answer.txt <<'PY' || fail "not closed at the timeout: $(cat answer.txt)"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 100\r\n\r\n{\"te")
s.settimeout(10)
t0 = time.time()
got = s.recv(4096)
print(repr(got), round(time.time() - t0, 1))
sys.exit(0 if time.time() - t0 < 5 else 1)
PY
    grep -q "^b'' " answer.txt || fail "answered: $(cat answer.txt)"
    status_is "$(post /1.1/comment-check "$ham_form")" 200 # the server goes on
}

# A body the server refused from its headers (no key for the JSON API, a path or method no
# endpoint takes), read and dropped, that is still arriving at --timeout is answered the status
# it had earned, as a body over --max-body is its 413: it was 408, "send it whole within that
# time", advice that a client with no valid key or the wrong path could only follow in vain.
test_server_a_refused_body_cut_at_the_timeout_keeps_its_status() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf 'k1\n' >keys
    start_server -m m.db --timeout 1 --keys keys
    send_body /v1/classify 1000 1 || fail "the slow body was not cut: $(cat answer.txt)"
    head -1 answer.txt | grep -q '^HTTP/1.1 401 Unauthorized' || fail "no 401: $(cat answer.txt)"
    grep -qi '^WWW-Authenticate: Bearer' answer.txt || fail "no WWW-Authenticate: $(cat answer.txt)"
    grep -qi '^Connection: close' answer.txt || fail "no Connection: close: $(cat answer.txt)"
    send_body /nowhere 1000 1 || fail "the slow body was not cut: $(cat answer.txt)"
    head -1 answer.txt | grep -q '^HTTP/1.1 404 Not Found' || fail "no 404: $(cat answer.txt)"
    contains answer.txt '{"error":"no such endpoint: /nowhere"}'
    send_body /healthz 1000 1 || fail "the slow body was not cut: $(cat answer.txt)"
    head -1 answer.txt | grep -q '^HTTP/1.1 405 Method Not Allowed' || fail "no 405: $(cat answer.txt)"
    grep -qi '^Allow: GET, HEAD, OPTIONS' answer.txt || fail "no Allow: $(cat answer.txt)"
    # OPTIONS: 204, whose answer has no Content-Length (RFC 9110, 8.6), as libmicrohttpd's
    METHOD=OPTIONS send_body /healthz 1000 1 || fail "the slow body was not cut: $(cat answer.txt)"
    head -1 answer.txt | grep -q '^HTTP/1.1 204 No Content' || fail "no 204: $(cat answer.txt)"
    grep -qi '^Allow: GET, HEAD, OPTIONS' answer.txt || fail "no Allow: $(cat answer.txt)"
    ! grep -qi '^Content-Length' answer.txt || fail "a Content-Length with a 204: $(cat answer.txt)"
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/v1/classify",code="401"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="404"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/healthz",code="405"} 1'
}

# A client that connects and sends nothing (or not even a whole request line) is closed at
# --timeout without an answer (libmicrohttpd calls no handler before a request line): /metrics
# counts it; a connection the client closes at once, or one idle after a request, is not.
test_server_counts_a_connection_that_sent_nothing_until_the_timeout() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --timeout 1
    python3 - "$PORT" <<'PY' || fail "the silent connections were not closed"
import socket, sys, time
port = int(sys.argv[1])
socket.create_connection(("127.0.0.1", port)).close()            # closed by the client at once
busy = socket.create_connection(("127.0.0.1", port))             # a request, then idle
busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
silent[1].sendall(b"GET /hea")                                   # half a request line
for s in silent + [busy]:
    s.settimeout(20) # a generous bound: the close comes after 1 s
    while s.recv(4096):
        pass
PY
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_connections_timed_out_total 2'
}

# a charset whose decoder fails at the very last byte (glibc's ISO-2022-CN-EXT on a trailing
# SO) crashed a worker: the form is read before the key is checked, so anyone could
test_server_survives_a_charset_failing_at_the_last_byte() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    echo secret >keys
    start_server -m m.db --keys keys
    for cs in 'blog_charset=iso-2022-cn-ext&' ''; do # with the key: the form is decoded
        post /1.1/comment-check "${cs}api_key=secret&blog=b&user_ip=1.2.3.4&comment_content=%FA%0E" \
            -H 'Content-Type: application/x-www-form-urlencoded; charset=ISO-2022-CN-EXT' >/dev/null || true
    done
    status_is "$(post /1.1/comment-check "$ham_form&api_key=secret")" 200
    kill -0 "$SRV_PID" 2>/dev/null || fail "the server died"
}

# A client's undo takes back only a label the history knows this server gave: an undo of a
# comment never reported unlearnt it each time (30 undos of one ham text turned it to hold;
# one request of the corpus's ham took the model's ham false-positive rate to 100%).
test_server_undo_of_an_unreported_comment_changes_nothing() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    "$KINDLY" info -m m.db >before
    start_server -m m.db
    for _ in 1 2 3; do
        status_is "$(post_json /v1/feedback '[{"text":"Thank you, I needed this today.","label":"ham","undo":true},{"id":"u9","text":"never reported here","label":"ham","undo":true}]')" 200
        contains "$T/body" '"unlearnt":0,"unchanged":2'
    done
    "$KINDLY" info -m m.db | cmp -s before - || fail "the counts changed: $("$KINDLY" info -m m.db) vs $(cat before)"
    # what this server was told is still taken back
    status_is "$(post_json /v1/feedback '{"id":"u10","text":"cheap pills here","label":"spam"}')" 200
    status_is "$(post_json /v1/feedback '{"id":"u10","text":"cheap pills here","label":"spam","undo":true}')" 200
    contains "$T/body" '"unlearnt":1'
}

# Security review: (1) a JSON API request without a valid key is answered 401 before its
# body is read (1,000 connections sending 1 MiB each without a key took the server to 1.1 GB);
# (2) request bodies held at once are bounded (64 x --max-body), past it 503; (3) ambiguous
# framing (two Content-Lengths, or one with Transfer-Encoding) is 400, not two requests;
# (4) at most 1,000 comments a JSON request; (5) a path that is not UTF-8 gets its 404.
test_server_resists_unauthenticated_bodies_and_ambiguous_framing() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf 'k1\n' >keys
    # its connections, all from 127.0.0.1, stand for many clients: no per-address limit
    start_server -m m.db --max-body 65536 --keys keys --max-per-ip 0
    python3 - "$PORT" >sec.out 2>&1 <<'PY' || fail "the client failed: $(cat sec.out)"
import socket, sys, time
port = int(sys.argv[1])
def conn():
    return socket.create_connection(("127.0.0.1", port))
def read_all(s, t=3):
    s.settimeout(t); out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except socket.timeout: pass
    return out
def status(r):
    return r.split(b"\r\n")[0].decode()
s = conn()
s.sendall(b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n"
          b"Expect: 100-continue\r\n\r\n")
t0 = time.time(); r = read_all(s); s.close()
print("nokey", status(r), time.time() - t0 < 2.5)
# a client that sends its whole body before reading (urllib) gets the 401 too, not a closed pipe
s = conn()
s.sendall(b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
          + b" " * 60000)
print("nokey-body", status(read_all(s)))
s.close()
socks = []
for i in range(90):
    s = conn()
    s.sendall(b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 65000\r\n\r\n" + b"a" * 64000)
    socks.append(s)
time.sleep(0.5)
# bodies sent without a key fill the budget; a keyed JSON request is not locked out
s = conn()
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer k1\r\n"
          b"Content-Length: 16\r\n\r\n{\"text\":\"hello\"}")
print("keyed", status(read_all(s)))
s.close()
for s in socks:
    s.sendall(b"b" * 1000)
codes = {}
for s in socks:
    c = status(read_all(s)); codes[c] = codes.get(c, 0) + 1; s.close()
print("budget", codes.get("HTTP/1.1 200 OK", 0), codes.get("HTTP/1.1 503 Service Unavailable", 0))
for name, head in (("twocl", b"Content-Length: 0\r\nContent-Length: 5\r\n"),
                   ("clte", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
                   ("gzip", b"Transfer-Encoding: gzip, chunked\r\n"),
                   ("wsname", b"Transfer-Encoding : chunked\r\nContent-Length: 5\r\n"),
                   # a line folded onto the next (obs-fold): libmicrohttpd 0.9.75 appends the
                   # continuation to the header's name ("Content-Length5"), so it saw no length
                   # and read the body as the next request, where a proxy that unfolds it, as
                   # RFC 9112 (5.2) has it, reads a body of 5 bytes
                   ("foldcl", b"Content-Length:\r\n 5\r\n"),
                   ("foldte", b"Transfer-Encoding:\r\n\tchunked\r\n")):
    s = conn()
    s.sendall(b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\n" + head +
              b"Content-Type: application/x-www-form-urlencoded\r\n\r\nabcde")
    r = read_all(s); s.close()
    print(name, status(r), r.count(b"HTTP/1.1 "))
# HTTP/1.0 has no chunked coding: a proxy of 1.0 sees no body in this request, and the chunk
# as the next request (RFC 9112, 6.1: its framing is faulty); it was read as chunked, and the
# request after it answered on the same connection
s = conn()
s.sendall(b"POST /1.1/comment-check HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\n\r\n5\r\nabcde\r\n0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n")
r = read_all(s); s.close()
print("te10", status(r), r.count(b"HTTP/1.1 "), b"HTTP/1.0 request" in r)
PY
    contains sec.out "nokey HTTP/1.1 401 Unauthorized True"
    contains sec.out "nokey-body HTTP/1.1 401 Unauthorized"
    contains sec.out "keyed HTTP/1.1 200 OK"
    contains sec.out "gzip HTTP/1.1 400 Bad Request 1"
    grep -Eq '^budget ([4-6][0-9]) ([1-9][0-9]*)$' sec.out || fail "no body refused past the budget: $(cat sec.out)"
    contains sec.out "twocl HTTP/1.1 400 Bad Request 1"
    contains sec.out "clte HTTP/1.1 400 Bad Request 1"
    contains sec.out "wsname HTTP/1.1 400 Bad Request 1"
    contains sec.out "foldcl HTTP/1.1 400 Bad Request 1"
    contains sec.out "foldte HTTP/1.1 400 Bad Request 1"
    contains sec.out "te10 HTTP/1.1 400 Bad Request 1 True"
    python3 -c 'import json; print(json.dumps([{"text": "x"}] * 1001))' >many.json
    status_is "$(post_json /v1/classify @many.json -H 'Authorization: Bearer k1')" 400
    contains "$T/body" "1001 comments in one request: at most 1000"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/%ff")" 404
}

# The body budget counts bytes sent, not bytes announced: 64 connections that announced
# --max-body and sent one byte each held a buffer of the whole Content-Length apiece, the
# budget was full, and every Akismet client got 503 until they timed out.
test_server_budget_counts_bytes_sent_not_announced() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    # its connections, all from 127.0.0.1, stand for many clients: no per-address limit
    start_server -m m.db --max-body 65536 --max-per-ip 0
    python3 - "$PORT" "$ham_form" >budget.out 2>&1 <<'PY' || fail "the client failed: $(cat budget.out)"
import socket, sys
port, form = int(sys.argv[1]), sys.argv[2].encode()
def conn(cl, body):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: %d\r\n\r\n" % cl + body)
    return s
budget, left, socks = 64 * 65536, 64 * 65536, []
while left > 1:  # announced lengths (+1 for the NUL) that add up to the budget exactly
    cl = min(65536, left - 1)
    socks.append(conn(cl, b"b"))
    left -= cl + 1
import time; time.sleep(0.5)
s = conn(len(form), form)
s.settimeout(5)
print("check", s.recv(65536).split(b"\r\n")[0].decode())
PY
    contains budget.out "check HTTP/1.1 200 OK"
}

# serve records what it classifies by itself: --remember is refused, not silently accepted,
# and with the duplicates stage off (nothing recorded) it says so at start; a model path
# that is a directory is named once
test_server_flags_remember_and_dup_off_are_explained() {
    expect_status 3 "$KINDLY" serve --remember
    contains "$T/err" "--remember is for score, check and eval"
    cp "$ROOT/models/default.db" m.db
    expect_status 124 timeout 1 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --dup-threshold off
    contains "$T/err" "the duplicates stage is off (--dup-threshold off): classified comments are not recorded"
    mkdir d.db
    expect_status 5 "$KINDLY" serve -m d.db
    [ "$(grep -o 'd\.db' "$T/err" | wc -l)" -eq 1 ] || fail "the path named more than once: $(cat "$T/err")"
}

# RFC 9112, 3.2.2: a server must accept a request-target in absolute form (what a client sends
# a proxy, and so what kindly gets when it is named as one); it is routed by its path.
test_server_routes_a_target_in_absolute_form() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post /1.1/comment-check "$spam_form" --request-target "http://127.0.0.1:$PORT/1.1/comment-check")" 200
    body_is true
    status_is "$(post /v1/classify '{"text":"Cheap xanax"}' -H 'Content-Type: application/json' \
        --request-target "HTTPS://kindly.example/v1/classify")" 200
    contains "$T/body" '"verdict":"spam"'
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' --request-target "http://127.0.0.1:$PORT" "$URL/")" 404
    # a scheme this server does not answer is no target it takes: 400 (RFC 9112, 3.2)
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' --request-target "ftp://h/healthz" "$URL/")" 400
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/1.1/comment-check",code="200"} 1'
}

# ... and its authority, not the Host header, is the host the request is for (RFC 9112,
# 3.2.2): an Akismet key sent as KEY.host is read from it
test_server_absolute_form_authority_carries_the_key() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    echo secret-1 >keys
    start_server -m m.db --keys keys
    status_is "$(post /1.1/comment-check "$ham_form" -H "Host: wrong.localhost:$PORT" \
        --request-target "http://secret-1.localhost:$PORT/1.1/comment-check")" 200
    body_is false
    status_is "$(post /1.1/comment-check "$ham_form" -H "Host: secret-1.localhost:$PORT" \
        --request-target "http://wrong.localhost:$PORT/1.1/comment-check")" 200
    body_is invalid
}

# raw REQUEST: send REQUEST (printf format) on a connection of its own, the answer to $T/raw
# (all the server sends until it closes the connection, or 5 s); the status echoed
raw() {
    # shellcheck disable=SC2059
    printf "$1" | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&0 >&3 & cat <&3" >"$T/raw" || true
    sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' "$T/raw" | tr -d '\r'
}

# RFC 9112, 3.2: an HTTP/1.1 request without a Host header, or any request with two, is 400
# (libmicrohttpd checks neither unless in a strict mode that changes more); HTTP/1.0 needs none.
# The answer is JSON, as every other error of the server.
test_server_http11_without_one_host_header_is_400() {
    start_server
    [ "$(raw 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')" = 400 ] || fail "no Host: $(cat "$T/raw")"
    grep -q '^Content-Type: application/json' "$T/raw" || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qxF '{"error":"an HTTP/1.1 request without a Host header"}' || fail "$(cat "$T/raw")"
    [ "$(raw 'GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n')" = 400 ] || fail "no Host, unknown path: $(cat "$T/raw")"
    [ "$(raw 'POST /1.1/comment-check HTTP/1.1\r\nHost: a\r\nhost: b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')" = 400 ] \
        || fail "two Host headers: $(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qxF '{"error":"more than one Host header"}' || fail "$(cat "$T/raw")"
    [ "$(raw 'GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n')" = 400 ] || fail "HTTP/1.0, two Host headers: $(cat "$T/raw")"
    [ "$(raw 'GET /healthz HTTP/1.0\r\n\r\n')" = 200 ] || fail "HTTP/1.0 without Host: $(cat "$T/raw")"
    [ "$(raw 'GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n')" = 200 ] || fail "an empty Host is a Host: $(cat "$T/raw")"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/healthz",code="400"} 2'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="400"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/1.1/comment-check",code="400"} 1'
}

# A Host header must be a valid host[:port] (RFC 9112, 3.2; RFC 3986: a reg-name or IPv4
# address, an IPv6 address in brackets without a zone ID, a port up to 65535, 255 bytes at
# most), whatever the HTTP version: else 400 in JSON. An empty one is no authority.
test_server_invalid_host_header_is_400() {
    start_server
    local ok bad
    for ok in 'h' 'KEY.localhost:8080' '127.0.0.1:0' '[::1]' '[::1]:65535' 'h:' 'ex%%41mple'; do
        [ "$(raw "GET /healthz HTTP/1.1\r\nHost: $ok\r\nConnection: close\r\n\r\n")" = 200 ] \
            || fail "Host: $ok: $(cat "$T/raw")"
    done
    for bad in 'h:65536' 'h:80a' 'user@h' 'a/b' '::1' '[::1' '[fe80::1%%25eth0]' '[::1]x' ':80' 'a"b' '\xd0\xb0.example'; do
        [ "$(raw "GET /healthz HTTP/1.1\r\nHost: $bad\r\nConnection: close\r\n\r\n")" = 400 ] \
            || fail "Host: $bad: $(cat "$T/raw")"
        grep -q '^Content-Type: application/json' "$T/raw" || fail "$(cat "$T/raw")"
        tail -1 "$T/raw" | grep -qxF '{"error":"the Host header is not a valid host[:port] (RFC 3986)"}' \
            || fail "Host: $bad: $(cat "$T/raw")"
    done
    # on HTTP/1.0 too, and before the path is looked at
    [ "$(raw 'GET /healthz HTTP/1.0\r\nHost: a b\r\n\r\n')" = 400 ] || fail "HTTP/1.0: $(cat "$T/raw")"
    [ "$(raw 'GET /nowhere HTTP/1.1\r\nHost: a,b:x\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    # 255 bytes at most
    local long
    long=$(head -c 250 /dev/zero | tr '\0' a)
    [ "$(raw "GET /healthz HTTP/1.1\r\nHost: $long:8080\r\nConnection: close\r\n\r\n")" = 200 ] || fail "255 bytes"
    [ "$(raw "GET /healthz HTTP/1.1\r\nHost: a$long:8080\r\nConnection: close\r\n\r\n")" = 400 ] || fail "256 bytes"
    [ "$(raw 'GET /healthz HTTP/1.0\r\nHost:\r\n\r\n')" = 200 ] || fail "an empty Host: $(cat "$T/raw")"
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="/healthz",code="400"} 13'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="400"} 1'
}

# A request-target in absolute form names its authority, checked as a Host header is: a host
# required, no userinfo (user@), a valid port; 400 in JSON otherwise, whatever the Host says.
test_server_absolute_form_authority_is_checked() {
    start_server
    [ "$(raw "POST http://127.0.0.1:$PORT/1.1/verify-key HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")" = 200 ] \
        || fail "$(cat "$T/raw")"
    [ "$(raw 'GET http://[::1]:8080/healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 200 ] || fail "$(cat "$T/raw")"
    local bad
    for bad in 'user@h' 'user:pw@h:80' ''; do
        [ "$(raw "POST http://$bad/1.1/verify-key HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")" = 400 ] \
            || fail "authority '$bad': $(cat "$T/raw")"
        grep -q '^Content-Type: application/json' "$T/raw" || fail "$(cat "$T/raw")"
    done
    grep -qF '"error":"the request-target' "$T/raw" || fail "$(cat "$T/raw")"
    [ "$(raw 'POST http://user@h/1.1/verify-key HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')" = 400 ] \
        || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qxF '{"error":"the request-target'"'"'s authority has userinfo (user@): send host[:port] alone"}' \
        || fail "$(cat "$T/raw")"
    for bad in 'h:99999' 'h:x' '[fe80::1%%25eth0]' '[::1'; do
        [ "$(raw "GET https://$bad/healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")" = 400 ] \
            || fail "authority '$bad': $(cat "$T/raw")"
        tail -1 "$T/raw" | grep -qxF '{"error":"the request-target'"'"'s authority is not a valid host[:port] (RFC 3986)"}' \
            || fail "authority '$bad': $(cat "$T/raw")"
    done
    # a valid authority does not excuse an invalid Host header
    [ "$(raw 'GET http://h/healthz HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
}

# The answers libmicrohttpd sends itself are counted in /metrics too: headers too large for
# its connection memory (431), a header line without a colon (400), a Content-Length past
# 2^64 (413), a malformed chunk once kindly has routed the request (400, under its endpoint).
test_server_metrics_count_the_answers_libmicrohttpd_sends_itself() {
    start_server
    big=$(head -c 20000 /dev/zero | tr '\0' a)
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' -H "X-Big: $big" "$URL/healthz")" 431
    [ "$(raw 'GET /healthz HTTP/1.1\r\nHost: h\r\nno colon here\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    [ "$(raw 'POST /1.1/comment-check HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n')" = 413 ] \
        || fail "$(cat "$T/raw")"
    [ "$(raw 'POST /1.1/comment-check HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')" = 400 ] \
        || fail "$(cat "$T/raw")"
    # a request line too long for it (414) reaches no callback that says so: not counted
    [ "$(raw "GET /$big HTTP/1.1\r\nHost: h\r\n\r\n")" = 414 ] || fail "$(head -1 "$T/raw")"
    # nor a request line without a version (400 from libmicrohttpd, before any callback)
    [ "$(raw 'GET /healthz\r\nHost: h\r\n\r\n')" = 400 ] || fail "$(head -1 "$T/raw")"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="431"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="400"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="413"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/1.1/comment-check",code="400"} 1'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/healthz",code="200"} 1'
    not_contains metrics.txt 'code="other"'
    # not in the latency histogram: their start is not known
    contains metrics.txt 'kindly_http_request_duration_seconds_count{endpoint="/healthz"} 1'
    not_contains metrics.txt 'kindly_http_request_duration_seconds_count{endpoint="other"}'
}

# A date more than a day ahead of the server's clock is remembered as of now, and said as an
# unreadable one is, in X-kindly-warning; a few hours ahead (a client's clock) says nothing.
test_server_a_future_date_is_named_in_a_warning_header() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    local soon
    soon=$(date -u -d '+3 hours' +%FT%TZ)
    status_is "$(post_json /v1/classify '[{"id":"a","date":"'"$soon"'","text":"thank you for the journal tip"},{"id":"b","date":"2099-05-01","text":"lovely post"},{"id":"c","date":"2099-06-01T00:00:00Z","text":"cheap xanax"}]')" 200
    grep -qi "^X-kindly-warning: remembered as of now: date in the future '2099-05-01' (more than a day after the server's clock) (items 1, 2; 2 in all)" "$T/headers" ||
        fail "no warning header: $(cat "$T/headers")"
    status_is "$(post_json /v1/classify '{"id":"d","date":"'"$soon"'","text":"thank you for the tip"}')" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning for a date 3 hours ahead: $(cat "$T/headers")"
    status_is "$(post_json /v1/feedback '{"id":"g","date":"2099-05-01","text":"quokka marmalade","label":"spam"}')" 200
    grep -qi "^X-kindly-warning: remembered as of now: date in the future '2099-05-01'" "$T/headers" ||
        fail "no warning header for feedback: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&comment_date_gmt=2099-05-01+13%3A45%3A00")" 200
    grep -qi "^X-kindly-warning: remembered as of now: date in the future '2099-05-01 13:45:00'" "$T/headers" ||
        fail "no warning header for comment-check: $(cat "$T/headers")"
}

# The start line counts its threads in English ("1 thread", not "1 threads")
test_server_start_line_says_1_thread() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --threads 1
    contains "$T/server.log" "(1 thread, model m.db,"
}

# A comment the server remembers with a date that is there but unreadable still gets its
# verdict (or is learnt), and the answer says it was remembered as of now, in X-kindly-warning
# (one header for a JSON array, naming the items); a good or empty date says nothing, nor does
# a read-only server (nothing remembered) or an Akismet is_test check.
test_server_an_unreadable_date_is_named_in_a_warning_header() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    status_is "$(post_json /v1/classify '[{"id":"a","date":"2024-05-01T13:45:00Z","text":"thank you for the journal tip"},{"id":"b","date":"","text":"the breathing exercise helped"},{"id":"c","date":"yesterday","text":"cheap xanax"},{"id":"d","date":"01/05/2024","text":"lovely post"}]')" 200
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert [x["id"] for x in a]==["a","b","c","d"], a' "$T/body" \
        || fail "array answer: $(cat "$T/body")"
    grep -qi "^X-kindly-warning: remembered as of now: unreadable date 'yesterday' (kindly reads ISO 8601: .*) (items 2, 3; 2 in all)" "$T/headers" ||
        fail "no warning header: $(cat "$T/headers")"
    status_is "$(post_json /v1/classify '{"id":"e","date":"2024-05-01","text":"thank you for the tip"}')" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning for a good date: $(cat "$T/headers")"
    status_is "$(post_json /v1/classify '{"id":"f","date":"2024-13-01","text":"thank you for the tip"}')" 200
    grep -qi "^X-kindly-warning: remembered as of now: unreadable date '2024-13-01' (kindly reads ISO 8601: [^(]*)"$'\r'"\$" "$T/headers" ||
        fail "no warning header: $(cat "$T/headers")"
    status_is "$(post_json /v1/feedback '{"id":"g","date":"last week","text":"quokka marmalade","label":"spam"}')" 200
    grep -qi "^X-kindly-warning: remembered as of now: unreadable date 'last week'" "$T/headers" ||
        fail "no warning header for feedback: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&comment_date_gmt=tomorrow")" 200
    grep -qi "^X-kindly-warning: remembered as of now: unreadable date 'tomorrow'" "$T/headers" ||
        fail "no warning header for comment-check: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&comment_date_gmt=tomorrow&is_test=1")" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning for a test check: $(cat "$T/headers")"
    status_is "$(post /1.1/submit-ham "$ham_form&comment_date_gmt=2024%2F05%2F01")" 200
    grep -qi "^X-kindly-warning: remembered as of now: unreadable date '2024/05/01'" "$T/headers" ||
        fail "no warning header for submit-ham: $(cat "$T/headers")"
    status_is "$(post /1.1/comment-check "$ham_form&comment_date_gmt=2024-05-01+13%3A45%3A00")" 200
    ! grep -qi '^X-kindly-warning' "$T/headers" || fail "a warning for a good date: $(cat "$T/headers")"
}

# hold_conns PORT N [TAIL]: open N connections from 127.0.0.1, each with a request begun but
# not finished (so the server keeps them), then one more, TAIL of them sending a whole
# request; prints what the last connection got ("closed" when the server closed it without
# a byte), then closes one of the first N and prints the status a new connection gets
hold_conns() {
    python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\n")  # headers not ended: the server waits
    held.append(s)
time.sleep(0.3)
def ask():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(3)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (ConnectionResetError, BrokenPipeError):
        out = b""
    except socket.timeout:
        return "timeout"
    return out.split(b"\r\n", 1)[0].decode() if out else "closed"
print(ask())
held.pop().close()
time.sleep(0.3)
print(ask())
PY
}

# An address it cannot listen on: exit 5, and the message says why (it was one guess for all:
# "in use, or not an address of this machine?")
test_server_says_why_it_cannot_listen() {
    start_server
    expect_status 5 timeout 10 "$KINDLY" serve --listen "127.0.0.1:$PORT"
    contains "$T/err" "kindly serve: 127.0.0.1:$PORT: cannot listen on the address given: another process listens on that port already"
    lines "$T/err" 1
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this machine
    expect_status 5 timeout 10 "$KINDLY" serve --listen 192.0.2.1:0
    contains "$T/err" "kindly serve: 192.0.2.1:0: cannot listen on the address given: it is not an address of this machine"
    # an IPv4 address written as IPv6: the socket is IPv6 alone, so the IPv4 form is asked for
    expect_status 5 timeout 10 "$KINDLY" serve --listen '[::ffff:127.0.0.1]:0'
    contains "$T/err" "kindly serve: [::ffff:127.0.0.1]:0: cannot listen on the address given: an IPv4 address in IPv6 form (::ffff:a.b.c.d): give the IPv4 address itself"
    kill $SRV_PID; wait $SRV_PID || true
}

# A client that half-closes its connection once its request is sent (shutdown(SHUT_WR), as
# `nc -N` does) gets its answer at once, whole, also to pipelined requests and a chunked
# body; only the close may wait for --timeout (server.c: libmicrohttpd's epoll loop reads the
# FIN late), so a client waits for the answer, not for the close
test_server_half_closed_client_is_answered() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db --timeout 30
    python3 - "$PORT" >out <<'PY'
import socket, sys, time
port = int(sys.argv[1])
form = b"blog=b&user_ip=1.2.3.4&comment_content=Cheap+xanax+order+now"
cases = [
    (b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", 1),
    (b"POST /1.1/comment-check HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
     b"Content-Length: %d\r\n\r\n%s" % (len(form), form), 1),
    (b"POST /v1/classify HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\n{\"tex\r\n9\r\nt\":\"hi\"}\r\n0\r\n\r\n", 1),
    (b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\nGET /metrics HTTP/1.1\r\nHost: h\r\n\r\n", 2),
]
for req, want in cases:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    t0, got, answers = time.time(), b"", []
    try:
        while len(answers) < want:
            b = s.recv(65536)
            if not b:
                break
            got += b
            while b"\r\n\r\n" in got:  # whole answers: headers, then Content-Length bytes
                head, rest = got.split(b"\r\n\r\n", 1)
                n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
                if len(rest) < n:
                    break
                answers.append(head.split(b"\r\n")[0].decode())
                got = rest[n:]
    except socket.timeout:
        pass
    print(req.split(b" ")[1].decode(), answers, "late" if time.time() - t0 > 4 else "at once")
PY
    cat >want <<'EOF2'
/healthz ['HTTP/1.1 200 OK'] at once
/1.1/comment-check ['HTTP/1.1 200 OK'] at once
/v1/classify ['HTTP/1.1 200 OK'] at once
/healthz ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'] at once
EOF2
    diff want out >&2 || fail "a half-closed client: $(cat out)"
}

# At --max-connections libmicrohttpd's threads stop accepting: a new connection waits in the
# listen queue, unanswered, until one closes, and no callback hears of it. The server counts
# the times it reached the limit in /metrics and says so in the log (then at most once a
# minute); before, a server at its limit said nothing anywhere while its clients hung.
test_server_max_connections_reached_is_counted_and_said() {
    start_server --max-connections 2 --max-per-ip 0 --threads 2
    python3 - "$PORT" >out <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
for _ in range(2):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\n")  # headers not ended: the server waits
    held.append(s)
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port))  # the kernel takes it; the server does not
s.settimeout(1)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
try:
    print(s.recv(100).split(b"\r\n")[0].decode() or "closed")
except socket.timeout:
    print("waits")
held.pop().close()  # a slot: the waiting one is taken, and answered
s.settimeout(5)
print(s.recv(100).split(b"\r\n")[0].decode() or "closed")
PY
    [ "$(cat out)" = "$(printf 'waits\nHTTP/1.1 200 OK')" ] || fail "past --max-connections: $(cat out)"
    curl -s -m 5 "$URL/metrics" >metrics.txt
    grep -q '^kindly_http_connections_limit_reached_total [1-9]' metrics.txt || fail "$(grep limit metrics.txt)"
    contains "$T/server.log" "kindly serve: reached --max-connections (2): new connections wait in the listen queue, unanswered, until one closes (a /metrics scrape too); counted in /metrics (kindly_http_connections_limit_reached_total) and said here at most once a minute"
    [ "$(grep -c 'reached --max-connections' "$T/server.log")" = 1 ] || fail "$(cat "$T/server.log")"
    kill $SRV_PID; wait $SRV_PID || true
    # below the limit: nothing counted, nothing said
    start_server --max-connections 8 --threads 2
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_connections_limit_reached_total 0'
    not_contains "$T/server.log" 'reached --max-connections'
}

# One client address may hold --max-per-ip connections at once (default 64, none on a loopback
# --listen; 0: no limit), so
# that one client cannot take all of --max-connections; libmicrohttpd accepts one more and
# closes it at once, without an answer. Counted across all worker threads.
test_server_limits_connections_per_client_address() {
    start_server --max-per-ip 3 --threads 2
    hold_conns "$PORT" 3 >out
    [ "$(sed -n 1p out)" = closed ] || fail "a 4th connection from one address: $(cat out)"
    [ "$(sed -n 2p out)" = "HTTP/1.1 200 OK" ] || fail "after one closed: $(cat out)"
    # each refusal is counted in /metrics, and said in the log at most once a minute
    hold_conns "$PORT" 3 >out
    [ "$(sed -n 1p out)" = closed ] || fail "a 4th connection again: $(cat out)"
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_connections_refused_total 2'
    contains "$T/server.log" "kindly serve: closed a connection unanswered: its client address held --max-per-ip (3) connections already; more are counted in /metrics (kindly_http_connections_refused_total) and said here at most once a minute"
    [ "$(grep -c 'closed .*unanswered' "$T/server.log")" = 1 ] || fail "$(cat "$T/server.log")"
    kill $SRV_PID; wait $SRV_PID || true
    start_server --max-per-ip 0
    hold_conns "$PORT" 80 >out
    [ "$(sed -n 1p out)" = "HTTP/1.1 200 OK" ] || fail "--max-per-ip 0 limits: $(cat out)"
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_connections_refused_total 0'
    not_contains "$T/server.log" unanswered
    kill $SRV_PID; wait $SRV_PID || true
    # the default on a loopback --listen: no limit (every client is this machine's: the
    # reverse proxy in front, or the blog itself)
    start_server
    hold_conns "$PORT" 80 >out
    [ "$(sed -n 1p out)" = "HTTP/1.1 200 OK" ] || fail "the default limits on loopback: $(cat out)"
    kill $SRV_PID; wait $SRV_PID || true
    # the default elsewhere: 64 (0.0.0.0 is reached here through 127.0.0.1)
    LISTEN_HOST=0.0.0.0 start_server
    hold_conns "$PORT" 64 >out
    [ "$(sed -n 1p out)" = closed ] || fail "the 65th connection by default: $(cat out)"
    [ "$(sed -n 2p out)" = "HTTP/1.1 200 OK" ] || fail "after one closed: $(cat out)"
    kill $SRV_PID; wait $SRV_PID || true
    expect_status 3 timeout 10 "$KINDLY" serve --listen 127.0.0.1:0 --max-per-ip x
    contains "$T/err" "kindly serve: --max-per-ip takes a count from 0 (no limit) to 1000000 (got 'x')"
    expect_status 3 timeout 10 "$KINDLY" serve --listen 127.0.0.1:0 --max-per-ip=-1
    contains "$T/err" "(got '-1')"
    "$KINDLY" help serve | grep -q -- '--max-per-ip N' || fail "help serve does not name --max-per-ip"
}

# The path is routed as sent: libmicrohttpd decodes %-escapes before kindly sees the target,
# so '/v1%2Ffeedback' (one segment, 'v1/feedback', RFC 3986: not the path /v1/feedback) was
# answered as /v1/feedback, and '/metrics%00.css' as /metrics: past a proxy that allows or
# denies by path without decoding, a request it let through as another resource. Only the
# escapes of unreserved characters are decoded (RFC 3986, 6.2.2.2: '/%68ealthz' is
# '/healthz').
test_server_routes_the_path_as_sent() {
    printf 'k\n' >keys
    start_server --keys keys
    local bad
    for bad in '/v1%%2Ffeedback' '/v1%%2fclassify' '/1.1%%2Fcomment-check' '/healthz%%00' '/metrics%%00.css' '/%%2Fhealthz' '/healthz%%2F'; do
        [ "$(raw "POST $bad HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 41\r\nConnection: close\r\n\r\n{\"text\":\"quokka\",\"label\":\"spam\",\"id\":\"x\"}")" = 404 ] \
            || fail "POST $bad: $(cat "$T/raw")"
        tail -1 "$T/raw" | grep -qF '{"error":"no such endpoint: ' || fail "$(cat "$T/raw")"
        [ "$(raw "GET $bad HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")" = 404 ] || fail "GET $bad: $(cat "$T/raw")"
    done
    tail -1 "$T/raw" | grep -qxF '{"error":"no such endpoint: /healthz%2F"}' || fail "$(cat "$T/raw")"
    [ "$(raw 'GET /%%68ealthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 200 ] || fail "$(cat "$T/raw")"
    [ "$(raw 'POST /1.1/verify%%2Dkey HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nConnection: close\r\n\r\nkey=k&blog=b')" = 200 ] \
        || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qx valid || fail "$(cat "$T/raw")"
    # an authority in absolute form is read as a Host header is: 'a%%40b' is a name with an
    # escape in it, not userinfo (it was decoded to 'a@b' and refused as such)
    [ "$(raw 'GET http://a%%40b/healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 200 ] || fail "$(cat "$T/raw")"
    [ "$(raw 'GET http://user@b/healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    # a scheme is never escaped (RFC 3986, 3.1): a target that is no absolute form as sent is
    # none once decoded (it was answered as GET /healthz for host h, its authority in place of
    # the Host header's)
    local t
    for t in '%%68ttp://h/healthz' 'h%%74tps://h/healthz' 'HTTP%%3A//h/healthz'; do
        [ "$(raw "GET $t HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")" = 400 ] || fail "GET $t: $(cat "$T/raw")"
    done
}

# A request-target is in origin form (/path) or absolute form (http://host/path); asterisk
# form (*) is OPTIONS's and authority form (host:port) CONNECT's (RFC 9112, 3.2): anything
# else is a malformed request line, 400 in JSON naming the target (it was 404, "no such
# endpoint"), and the server goes on serving. libmicrohttpd refuses an empty target itself
# ("GET  HTTP/1.1", 400 in HTML); "GET ?x" reaches kindly as an empty one.
test_server_a_target_in_no_form_is_400() {
    start_server
    local t
    for t in 'v1/check' '%%2Fv1/check' 'healthz' '?x' '*' '**' 'h:80' 'ftp://h/healthz' 'http:/healthz' 'mailto:a@b'; do
        [ "$(raw "GET $t HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")" = 400 ] || fail "GET $t: $(cat "$T/raw")"
        grep -q '^Content-Type: application/json' "$T/raw" || fail "GET $t: $(cat "$T/raw")"
    done
    tail -1 "$T/raw" | grep -qxF '{"error":"the request-target '"'"'mailto:a@b'"'"' is neither a path (/...) nor an http(s) URI (RFC 9112, 3.2)"}' \
        || fail "$(cat "$T/raw")"
    [ "$(raw 'GET ?x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qxF '{"error":"the request-target '"''"' is neither a path (/...) nor an http(s) URI (RFC 9112, 3.2)"}' \
        || fail "$(cat "$T/raw")"
    [ "$(raw 'POST * HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qxF '{"error":"the request-target * is for OPTIONS alone (RFC 9112, 3.2.4)"}' || fail "$(cat "$T/raw")"
    # authority form, valid for CONNECT, names no resource of kindly's (OPTIONS *: see
    # test_server_options_names_the_methods)
    [ "$(raw 'CONNECT h:80 HTTP/1.1\r\nHost: h:80\r\nConnection: close\r\n\r\n')" = 404 ] || fail "$(cat "$T/raw")"
    # answered from its headers, as a 404 is: the connection is closed after the answer, and
    # what was sent after the headers is never read as a request
    raw 'POST v1/classify HTTP/1.1\r\nHost: h\r\nContent-Length: 34\r\n\r\nGET /metrics HTTP/1.1\r\nHost: h\r\n\r\n' >/dev/null
    [ "$(grep -o '^HTTP/1.1 [0-9]*' "$T/raw" | tr '\n' ' ')" = 'HTTP/1.1 400 ' ] || fail "$(cat "$T/raw")"
    grep -q '^Connection: close' "$T/raw" || fail "$(cat "$T/raw")"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="400"} 13'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="404"} 1'
}

# OPTIONS asks which methods a resource takes, and OPTIONS * which the server does (RFC 9110,
# 9.3.7): 204 with Allow, no body; a path no endpoint has is still 404. OPTIONS * was 404 ("no
# such endpoint") and OPTIONS on an endpoint 405. The Allow of a 405 names OPTIONS too.
test_server_options_names_the_methods() {
    start_server
    [ "$(raw 'OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 204 ] || fail "$(cat "$T/raw")"
    grep -qx 'Allow: GET, HEAD, POST, OPTIONS.' "$T/raw" || fail "OPTIONS *: $(cat "$T/raw")"
    [ "$(tail -1 "$T/raw")" = $'\r' ] || fail "OPTIONS * has a body: $(cat "$T/raw")"
    not_contains "$T/raw" "Content-Type"
    [ "$(raw 'OPTIONS * HTTP/1.0\r\n\r\n')" = 204 ] || fail "HTTP/1.0: $(cat "$T/raw")"
    local path want
    for path in /v1/classify /v1/feedback /1.1/comment-check /1.1/verify-key /healthz /metrics http://h/healthz; do
        case $path in *healthz|/metrics) want='GET, HEAD, OPTIONS' ;; *) want='POST, OPTIONS' ;; esac
        [ "$(raw "OPTIONS $path HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")" = 204 ] || fail "$path: $(cat "$T/raw")"
        grep -qx "Allow: $want." "$T/raw" || fail "$path: $(cat "$T/raw")"
        [ "$(tail -1 "$T/raw")" = $'\r' ] || fail "$path has a body: $(cat "$T/raw")"
    done
    [ "$(raw 'OPTIONS /nowhere HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')" = 404 ] || fail "$(cat "$T/raw")"
    # the JSON API's key is not asked for: OPTIONS reads and changes nothing
    status_is "$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X OPTIONS "$URL/v1/feedback")" 204
    grep -qi '^Allow: POST, OPTIONS' "$T/headers" || fail "$(cat "$T/headers")"
    status_is "$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$URL/v1/classify")" 405
    grep -qi '^Allow: POST, OPTIONS' "$T/headers" || fail "$(cat "$T/headers")"
    contains "$T/body" '"use POST for this endpoint"'
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="204"} 2'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/v1/feedback",code="204"} 2'
    contains metrics.txt 'kindly_http_requests_total{endpoint="/healthz",code="204"} 2'
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="404"} 1'
}

# What a blog's webhook gets wrong is named, and the server goes on serving: a gzipped body
# (Content-Encoding, which kindly does not decode) is 415 naming the coding, with
# Accept-Encoding: identity, on either API; a JSON body after a byte order mark is read; one
# in Latin-1 is 400, saying JSON is UTF-8.
test_server_a_webhook_s_mistakes_are_named() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    start_server -m m.db
    printf '{"id":"z","text":"thank you for the tip"}' | gzip >json.gz
    printf 'blog=b&user_ip=1.2.3.4&comment_content=hello' | gzip >form.gz
    status_is "$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H 'Content-Encoding: gzip' --data-binary @json.gz "$URL/v1/classify")" 415
    body_is '{"error":"Content-Encoding '"'gzip'"' is not supported: send the body as it is, without a Content-Encoding"}'
    grep -qi '^Accept-Encoding: identity' "$T/headers" || fail "$(cat "$T/headers")"
    status_is "$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -H 'Content-Encoding: gzip' \
        --data-binary @form.gz "$URL/1.1/comment-check")" 415
    body_is invalid
    grep -qi "^X-akismet-debug-help: Content-Encoding 'gzip' is not supported" "$T/headers" || fail "$(cat "$T/headers")"
    status_is "$(post_json /v1/classify $'\xef\xbb\xbf{"id":"bom","text":"thank you for the tip"}')" 200
    grep -q '"id":"bom"' "$T/body" || fail "$(cat "$T/body")"
    status_is "$(post_json /v1/classify $'{"text":"caf\xe9"}' -H 'Content-Type: application/json; charset=iso-8859-1')" 400
    grep -qF '(JSON is UTF-8, RFC 8259: send the body in UTF-8)' "$T/body" || fail "$(cat "$T/body")"
    status_is "$(curl -s -o "$T/body" -w '%{http_code}' "$URL/healthz")" 200
}

# A NUL in a header's value: libmicrohttpd 0.9.75 stores values as C strings and reports
# their length by strlen, so neither it nor kindly sees past the NUL, and nothing tells the
# server one was there (RFC 9110, 5.5 would refuse it). What this pins is that the cut is
# the same for both, so no request is read two ways: a key is the bytes before the NUL (a
# NUL cannot make a wrong key right), and a Content-Length or Transfer-Encoding with a NUL
# frames the body as both read it, the request after it answered as its own. A NUL in a
# header's name libmicrohttpd answers 400 itself (no colon found).
test_server_a_nul_in_a_header_is_read_as_its_end_by_all() {
    printf 'k\n' >keys
    start_server --keys keys
    local j='Content-Type: application/json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{"text":"tea"}'
    [ "$(raw "POST /v1/classify HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer wrong\0k\r\n$j")" = 401 ] || fail "$(cat "$T/raw")"
    [ "$(raw "POST /v1/classify HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer \0k\r\n$j")" = 401 ] || fail "$(cat "$T/raw")"
    [ "$(raw "POST /v1/classify HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer k\0x\r\n$j")" = 200 ] || fail "$(cat "$T/raw")"
    [ "$(raw 'POST /1.1/verify-key HTTP/1.1\r\nHost: wrong\0k.h\r\nContent-Length: 6\r\n\r\nblog=b')" = 200 ] || fail "$(cat "$T/raw")"
    tail -1 "$T/raw" | grep -qx invalid || fail "a key after the NUL: $(cat "$T/raw")"
    # framing: the body is the 5 bytes both read, and the next request is answered as one
    local next='GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
    raw "POST /1.1/verify-key HTTP/1.1\r\nHost: h\r\nContent-Length: 5\0""0\r\n\r\nkey=k$next" >/dev/null
    [ "$(grep -o 'HTTP/1.1 200' "$T/raw" | wc -l)" = 2 ] || fail "Content-Length with a NUL: $(cat "$T/raw")"
    grep -q '"status":"ok"' "$T/raw" || fail "$(cat "$T/raw")"
    raw "POST /1.1/verify-key HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\0, gzip\r\n\r\n5\r\nkey=k\r\n0\r\n\r\n$next" >/dev/null
    [ "$(grep -o 'HTTP/1.1 200' "$T/raw" | wc -l)" = 2 ] || fail "Transfer-Encoding with a NUL: $(cat "$T/raw")"
    grep -q '"status":"ok"' "$T/raw" || fail "$(cat "$T/raw")"
    [ "$(raw 'GET /healthz HTTP/1.1\r\nHost: h\r\nX\0: y\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    [ "$(raw 'GET /healthz HTTP/1.1\r\nHo\0st: h\r\nConnection: close\r\n\r\n')" = 400 ] || fail "$(cat "$T/raw")"
    kill -0 $SRV_PID || fail "the server died"
}

# Pipelining: requests sent one after another on one kept-alive connection before the first
# answer (HTTP/1.1, RFC 9112, 9.3.2) are each answered, in order: forms, JSON, a chunked body,
# a large one, a HEAD (an answer without a body), and requests refused from their headers
# whose bodies are read and dropped (401, 413) between them.
test_server_answers_pipelined_requests_in_order() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf 'k\n' >keys
    start_server -m m.db --keys keys --max-body 256k
    python3 - "$PORT" <<'PY' || fail "pipelined answers"
import socket, sys
port = int(sys.argv[1])
spam = b"blog=b&user_ip=203.0.113.9&api_key=k&comment_content=Cheap+xanax+and+valium%2C+no+prescription%2C+order+now+http%3A%2F%2Frx-direct.example"
ham = b"blog=b&user_ip=198.51.100.7&api_key=k&comment_content=The+breathing+exercise+and+the+journal+helped+me+sleep%2C+thank+you"
def post(path, body, extra=b""):
    return b"POST " + path + b" HTTP/1.1\r\nHost: h\r\n" + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body
def chunked(path, body):
    out = b"POST " + path + b" HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    for i in range(0, len(body), 40):
        out += b"%x\r\n" % len(body[i:i + 40]) + body[i:i + 40] + b"\r\n"
    return out + b"0\r\n\r\n"
big = ham + b"+" + b"lovely+" * 30000  # 210 kB, under --max-body
json = b"Content-Type: application/json\r\n"
reqs = [  # (request, method, status, what the body holds)
    (post(b"/1.1/comment-check", spam), "POST", 200, b"true"),
    (post(b"/1.1/comment-check", ham), "POST", 200, b"false"),
    (post(b"/v1/classify", b'{"id":"p1","text":"thank you for the journal tip"}', json + b"Authorization: Bearer k\r\n"), "POST", 200, b'"id":"p1"'),
    (post(b"/v1/classify", b'{"id":"nokey","text":"dropped"}', json), "POST", 401, b"Bearer"),
    (post(b"/1.1/verify-key", b"key=k&blog=b"), "POST", 200, b"valid"),
    (chunked(b"/1.1/comment-check", spam), "POST", 200, b"true"),
    (b"HEAD /healthz HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD", 200, b""),
    (post(b"/1.1/comment-check", b"x" * 300000), "POST", 413, b"over the limit"),
    (post(b"/1.1/comment-check", big), "POST", 200, b"false"),
    (post(b"/v1/classify", b'[{"id":"p2","text":"cheap xanax"},{"id":"p3","text":"tea"}]', json + b"Authorization: Bearer k\r\n"), "POST", 200, b'"id":"p3"'),
    # refused for its path or method, or OPTIONS: answered after its body, read and dropped,
    # the connection kept (they were answered at once, and the connection closed, so the
    # requests pipelined after one went unanswered, and every CORS preflight cost a connection)
    (b"GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n", "GET", 404, b"no such endpoint: /nowhere"),
    (post(b"/nowhere", b"GET /metrics"), "POST", 404, b"no such endpoint"),
    (b"OPTIONS /v1/classify HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS", 204, b""),
    (b"DELETE /healthz HTTP/1.1\r\nHost: h\r\n\r\n", "DELETE", 405, b"use GET, HEAD for this endpoint"),
    (b"PUT /v1/classify HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n{\"text\":\"a\"}", "PUT", 405, b"use POST"),
    (b"BREW /healthz HTTP/1.1\r\nHost: h\r\n\r\n", "BREW", 501, b"'BREW' is not implemented"),
    (b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET", 200, b'"status":"ok"'),
]
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
s.sendall(b"".join(r[0] for r in reqs))
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
ok = True
for i, (_, method, status, want) in enumerate(reqs):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        print("request %d: no answer (%d answered)" % (i, i)); sys.exit(1)
    lines = head.split(b"\r\n")
    got = int(lines[0].split()[1])
    length = next((int(l.split(b":")[1]) for l in lines[1:] if l.lower().startswith(b"content-length:")), 0)
    body = b"" if method == "HEAD" else rest[:length]
    data = rest[len(body):]
    if got != status or want not in body:
        print("request %d: %d %r, expected %d with %r" % (i, got, body[:200], status, want)); ok = False
if data:
    print("more than the answers: %r" % data[:200]); ok = False
sys.exit(0 if ok else 1)
PY
    # a request answered from its headers while it waits for 100 Continue, its body sent all
    # the same: the connection is closed after the answer, the body never read as a request
    local smuggled='GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n' next='GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n'
    [ "$(raw "POST /v1/classify HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 34\r\n\r\n$smuggled$next")" = 401 ] \
        || fail "$(cat "$T/raw")"
    [ "$(grep -o 'HTTP/1.1 [0-9]*' "$T/raw" | wc -l)" = 1 ] || fail "$(cat "$T/raw")"
    grep -q '^Connection: close' "$T/raw" || fail "$(cat "$T/raw")"
    not_contains "$T/raw" kindly_http_requests_total
    curl -s "$URL/metrics" >metrics.txt
    contains metrics.txt 'kindly_http_requests_total{endpoint="other",code="404"} 2'
    not_contains metrics.txt 'kindly_http_requests_total{endpoint="/metrics"' # the body was no request
    kill -0 $SRV_PID || fail "the server died"
}

# Eight clients at once, each checking comments on posts and reporting them (ham on a post
# moves the posts' statistics; --snapshot-interval 1 keeps them in the file meanwhile): every
# answer is 200, the server still runs, and /metrics adds up to what was sent.
test_server_parallel_checks_and_feedback_add_up_in_metrics() {
    "$KINDLY" train -q -m m.db "$SD/train.csv"
    printf 'post_id,title,text\np1,Sleep,"sleep and breathing tips"\np2,Walks,"morning walks in winter"\n' >posts.csv
    "$KINDLY" posts -m m.db posts.csv 2>/dev/null
    start_server -m m.db --snapshot-interval 1
    local n=12 w
    client() { # client W: n checks and n reports, each answer's status on a line of its own
        local i label
        for i in $(seq "$n"); do
            label=ham; [ $((i % 3)) = 0 ] && label=spam
            curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
                -d "{\"id\":\"w$1-$i\",\"post_id\":\"p$((i % 2 + 1))\",\"text\":\"client $1 says $i: breathing walks\"}" \
                "$URL/v1/classify"
            curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
                -d "{\"id\":\"w$1-$i\",\"post_id\":\"p$((i % 2 + 1))\",\"text\":\"client $1 says $i: breathing walks\",\"label\":\"$label\"}" \
                "$URL/v1/feedback"
        done >"status.$1"
    }
    for w in 1 2 3 4 5 6 7 8; do client $w & done
    wait $(jobs -p | grep -v "^$SRV_PID\$")
    running $SRV_PID || fail "the server died: $(cat "$T/server.log")"
    [ "$(cat status.* | sort | uniq -c | sed 's/^ *//')" = "$((8 * n * 2)) 200" ] ||
        fail "not every answer was 200: $(cat status.* | sort | uniq -c)"
    curl -s "$URL/metrics" >metrics
    contains metrics "kindly_http_requests_total{endpoint=\"/v1/classify\",code=\"200\"} $((8 * n))"
    contains metrics "kindly_http_requests_total{endpoint=\"/v1/feedback\",code=\"200\"} $((8 * n))"
    awk '/^kindly_verdicts_total/ { v += $2 } /^kindly_feedback_total.*action="learn"/ { f += $2 }
         END { exit !(v == '$((8 * n))' && f == '$((8 * n))') }' metrics ||
        fail "verdicts or feedback do not add up to $((8 * n)): $(grep -E '^kindly_(verdicts|feedback)' metrics)"
    contains metrics 'kindly_posts_cache_keep_failures_total 0'
    kill -TERM $SRV_PID
    wait $SRV_PID || fail "exit $? after SIGTERM"
}

# An empty file named as the model is refused, exit 5, as the README's table of exit statuses
# says of every command but those that learn into a new one: serve made it an empty model
# and served it, learning from nothing (a copy cut short was served as if trained)
test_server_refuses_an_empty_file_as_its_model() {
    : >empty.db
    expect_status 5 timeout 10 "$KINDLY" serve -m empty.db --listen 127.0.0.1:0 --threads 1
    contains "$T/err" "kindly serve: empty.db is an empty file, not a trained kindly model"
    [ ! -s empty.db ] || fail "empty.db was written"
    KINDLY_MODEL=empty.db expect_status 5 timeout 10 "$KINDLY" serve --listen 127.0.0.1:0 --threads 1
    contains "$T/err" "empty.db is an empty file, not a trained kindly model (named by \$KINDLY_MODEL)"
    # named by a link (a deployment's /etc/kindly/blog.db): the file linked to is the model
    ln -s empty.db link.db
    expect_status 5 timeout 10 "$KINDLY" serve -m link.db --listen 127.0.0.1:0 --threads 1
    contains "$T/err" "kindly serve: link.db is an empty file, not a trained kindly model"
    [ ! -s empty.db ] || fail "empty.db was written through link.db"
}
