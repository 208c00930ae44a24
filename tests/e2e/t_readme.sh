# t_readme.sh - the README's examples run as a reader types them: the quick start, the
# command block of "Using kindly", the WordPress export and moderation blocks, the HTTP
# server's curl lines and the rules' examples. Each block is read from README.md when the
# test runs, so an edited example is what is tested, and run line by line in one bash, with
# `kindly` on PATH and the files the examples name made from the shipped corpora/ (and
# ../shared/corpora, where a line needs it, when it is there). Sourced by run.sh.
README=$ROOT/README.md

# split_labelled CSV DIR: DIR/approved.csv and DIR/spam.csv, CSV's ham and spam rows (its
# columns kept), the exports the README's set-ups train on
split_labelled() {
    python3 - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for name, label in (("approved.csv", "ham"), ("spam.csv", "spam")):
    w = csv.DictWriter(open(sys.argv[2] + "/" + name, "w", encoding="utf-8", newline=""), rows[0].keys(),
                       lineterminator="\n")
    w.writeheader()
    w.writerows(r for r in rows if r["label"] == label)
PY
}

# readme_block HEADING N: the text of the Nth (from 1) fenced block under the README heading
# HEADING (the heading's text, at any level; its section ends at the next heading); fails,
# naming them, when there is none
readme_block() {
    python3 - "$README" "$1" "$2" <<'PY'
import re, sys
path, heading, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
section, fence, count, block = None, False, 0, None
for line in open(path, encoding="utf-8").read().split("\n"):
    if line.startswith("```"):
        if block is not None:
            break
        fence = not fence
        if fence and section == heading:
            count += 1
            if count == n:
                block = []
    elif block is not None:
        block.append(line)
    elif not fence and re.match(r"#+ ", line):
        section = re.sub(r"^#+ +| +$", "", line)
if block is None:
    sys.exit("the README has no block %d under the heading '%s'" % (n, heading))
print("\n".join(block))
PY
}

# readme_script HEADING N...: a bash script that runs those blocks (readme_block), one after
# the other in one shell, as a reader would, in the working directory: each command (a line, with the lines a backslash
# continues) in the same shell, so that F=... holds for the lines after it, its text kept in
# .r/cmd.I, its output in .r/out.I and .r/err.I, its exit status in .r/st.I. A `kindly serve`
# line runs in the background on a free loopback port (port 0 for the README's 8080, which the
# lines after it then name) until the block ends; it is then stopped with SIGTERM and its exit
# status kept as its line's. An optional argument shown as a placeholder, `kindly help
# [COMMAND]`, is left out. A line that contains one of the fixed strings of $README_SKIP
# (one a line) is left out, and said to be on stderr.
readme_script() {
    local h=$1 n
    shift
    : >.readme-block.txt
    for n in "$@"; do readme_block "$h" "$n" >>.readme-block.txt || return 1; done
    python3 - .readme-block.txt <<'PY'
import os, re, sys
skip = [s for s in os.environ.get("README_SKIP", "").split("\n") if s]
cmds, cur = [], ""
for line in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    cur += line
    if line.endswith("\\"):
        cur += "\n"
        continue
    if cur.strip():
        cmds.append(cur)
    cur = ""
out = ["mkdir -p .r",
       "README_SRV=",
       "trap '[ -z \"$README_SRV\" ] || kill $README_SRV 2>/dev/null' EXIT"]
serve = None
for i, cmd in enumerate(cmds, 1):
    left = [s for s in skip if s in cmd]
    if left:
        print("README line left out (%s): %s" % (left[0], cmd), file=sys.stderr)
        continue
    if serve is not None:
        cmd = cmd.replace(":8080", ":$README_PORT")
    cmd = re.sub(r" \[[A-Z]+\]", "", cmd)
    out.append("cat >.r/cmd.%d <<'README_EOF'\n%s\nREADME_EOF" % (i, cmd))
    if re.match(r"kindly serve\b", cmd):
        cmd = re.sub(r"(--listen[ =]\S+):8080\b", r"\1:0", cmd)
        serve = i
        out.append("{\nexec %s\n} >.r/out.%d 2>.r/err.%d &" % (cmd, i, i))
        out.append("README_SRV=$! README_PORT=\n"
                   "for _ in $(seq 1000); do\n"
                   "    README_PORT=$(sed -n 's/.*listening on http:\\/\\/.*:\\([0-9]*\\) .*/\\1/p' .r/err.%d)\n"
                   "    [ -n \"$README_PORT\" ] || ! kill -0 $README_SRV 2>/dev/null || { sleep 0.01; continue; }\n"
                   "    break\n"
                   "done" % i)
    else:
        out.append("{\n%s\n} >.r/out.%d 2>.r/err.%d\necho $? >.r/st.%d" % (cmd, i, i, i))
if serve is not None:
    out.append("kill -TERM $README_SRV 2>/dev/null; wait $README_SRV; echo $? >.r/st.%d; README_SRV=" % serve)
print("\n".join(out))
PY
}

# readme_run HEADING N...: run those blocks (readme_script) in the working directory, with
# `kindly` on PATH as the binary under test
readme_run() {
    mkdir -p "$T/bin"
    ln -sf "$KINDLY" "$T/bin/kindly"
    readme_script "$@" >.readme-block.sh
    PATH=$T/bin:$PATH bash .readme-block.sh
}

# readme_line TEXT: the number I of the block's line that contains TEXT (its first), for
# .r/out.I, .r/err.I and .r/st.I; fails when no line does (the README changed that example)
readme_line() {
    local f
    for f in $(printf "%s\n" .r/cmd.* | sort -t. -k3 -n); do
        grep -qF -- "$1" "$f" && { echo "${f##*.}"; return 0; }
    done
    fail "no line of the README's block contains: $1"
}

# readme_out_has TEXT EXPECTED, readme_err_has TEXT EXPECTED: the output (stderr) of the
# block's line that contains TEXT contains EXPECTED
readme_out_has() { local i; i=$(readme_line "$1") || return 1; contains ".r/out.$i" "$2"; }
readme_err_has() { local i; i=$(readme_line "$1") || return 1; contains ".r/err.$i" "$2"; }

# readme_all_succeeded: every line ran with exit status 0 (each failure named, with its
# command and the start of its stderr)
readme_all_succeeded() {
    local f i bad=0
    for f in $(printf "%s\n" .r/cmd.* | sort -t. -k3 -n); do
        i=${f##*.}
        if [ ! -f ".r/st.$i" ]; then
            fail "README line did not run to its end: $(cat "$f")" || bad=1
        elif [ "$(cat ".r/st.$i")" != 0 ]; then
            fail "README line exited $(cat ".r/st.$i"): $(cat "$f")" || bad=1
            sed 's/^/      stderr: /' ".r/err.$i" | head -5 >&2
        fi
    done
    return $bad
}

# readme_rows FILE: the number of rows of a CSV file, its header not counted
readme_rows() { python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding="utf-8"))) - 1)' "$1"; }

# The quick start's last step, `./kindly score corpora/sample.csv` from the checkout, scores
# every shipped sample comment with the shipped default model: one JSON line per comment
test_readme_quick_start_scores_the_sample() {
    line=$(readme_block kindly 1)
    case $line in *"&& ./kindly score "*) ;; *) fail "the quick start does not end in ./kindly score: $line" ;; esac
    cmd=${line##*&& ./}
    mkdir -p bin
    ln -s "$KINDLY" bin/kindly
    (cd "$ROOT" && PATH=$T/bin:$PATH bash -c "$cmd") >out.jsonl 2>err.txt || fail "$cmd failed: $(cat err.txt)"
    lines out.jsonl "$(readme_rows "$ROOT/corpora/sample.csv")"
    python3 - out.jsonl <<'PY' || fail "the quick start's output is not one verdict a line"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    assert d["id"] and d["verdict"] in ("approve", "hold", "spam"), line
PY
}

# The command block of "Using kindly", every line as written, on the files it names: each
# exits 0 (the check line echoes its status) and does what its comment says
test_readme_using_kindly_block_runs_as_written() {
    C=$ROOT/corpora
    cp "$C/comments.csv" moderation-history.csv
    cp "$C/comments.csv" labelled.csv
    cp "$C/sample.csv" new-comments.csv
    cp "$C/sample.csv" new.csv
    cp "$C/posts.csv" posts.csv
    cp "$ROOT/models/default.rules" my.rules
    python3 - "$C/comments.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
for name, part in (("labelled-test.csv", rows[1::7]), ("shard1.csv", rows[1::2]), ("shard2.csv", rows[2::2])):
    w = csv.writer(open(name, "w", encoding="utf-8", newline=""), lineterminator="\n")
    w.writerow(rows[0])
    w.writerows(part)
PY
    "$KINDLY" train -q -m shard1.db shard1.csv
    "$KINDLY" train -q -m shard2.db shard2.csv
    echo "Cheap pills, no prescription needed, order now at http://rx-deals.example" >comment.txt
    echo "Best CBD gummies 50% off with code SLEEP50, order at https://snoozeberry-gummies.shop" >missed-spam.txt
    if [ -f "$SHARED/corpora/sms.csv" ]; then
        cp "$SHARED/corpora/sms.csv" sms.csv
    else
        export README_SKIP=sms.csv
    fi
    readme_run "Using kindly" 1
    readme_all_succeeded

    i=$(readme_line "kindly score -m blog.db new-comments.csv")
    python3 - ".r/out.$i" new-comments.csv <<'PY' || fail "score: not one JSON line per comment in input order"
import csv, json, sys
got = [json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8")]
want = [r["id"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))]
assert got == want, (got, want)
PY
    # a filter, CSV in, CSV out: the input's columns, then kindly's, in lines that end in CRLF
    i=$(readme_line "--format csv -")
    [ "$(head -1 ".r/out.$i")" = "$(head -1 new.csv),verdict,spam_score,bayes_score,rules,duplicate_of,similarity,duplicate_scope,relevance,generic,reasons"$'\r' ] ||
        fail "score --format csv: not the input's columns and kindly's, CRLF: $(head -1 ".r/out.$i" | od -c | tail -3)"
    lines ".r/out.$i" $(($(readme_rows new.csv) + 1))
    # "0 approve, 1 spam, 2 hold": the status echoed is the verdict printed
    i=$(readme_line "kindly check")
    verdict=$(head -1 ".r/out.$i" | python3 -c 'import json, sys; print(json.load(sys.stdin)["verdict"])')
    st=$(sed -n 2p ".r/out.$i")
    case $verdict:$st in approve:0|spam:1|hold:2) ;; *) fail "check printed $verdict and exited $st" ;; esac
    readme_err_has "--raw --id 4711 < missed-spam.txt" "kindly learn: learnt 1 comment as spam"
    readme_err_has "--undo < missed-spam.txt" "kindly learn: unlearnt 1 comment as spam"
    for e in "labelled-test.csv" "--folds 10"; do
        i=$(readme_line "$e")
        for f in accuracy precision recall "FP rate" F1 MCC AUC; do contains ".r/out.$i" "$f"; done
    done
    # merge: "counts are sums"
    python3 - shard1.db shard2.db all.db <<'PY' || fail "all.db's counts are not the sums of its shards'"
import sqlite3, sys
def counts(p):
    meta = dict(sqlite3.connect(p).execute("SELECT key, value FROM meta"))
    return int(meta["spam_messages"]), int(meta["ham_messages"])
a, b, m = map(counts, sys.argv[1:])
assert m == (a[0] + b[0], a[1] + b[1]), (a, b, m)
PY
    readme_out_has "kindly info" '"spam_messages":'
    readme_out_has "kindly rules --check my.rules" "my.rules: ok"
    readme_err_has "kindly posts" "kindly posts: imported $(readme_rows posts.csv) posts"
    readme_err_has "kindly serve" "kindly serve: listening on http://127.0.0.1:"
    readme_err_has "kindly serve" "kindly serve: stopped"
    # score --remember recorded the comments: the history the prune line prints holds them
    i=$(readme_line "kindly history")
    python3 - ".r/out.$i" "$(readme_rows new.csv)" <<'PY' || fail "history after score --remember: $(cat ".r/out.$i")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["comments"] >= int(sys.argv[2]) and d["pruned"] == 0, d
PY
    i=$(readme_line "kindly help")
    for c in $(sed -n 's/^kindly \([a-z]*\).*/\1/p' .r/cmd.* | sort -u); do
        grep -qE "^  $c  " ".r/out.$i" || fail "kindly help does not list $c"
    done
    i=$(readme_line "kindly version")
    [ "$(cat ".r/out.$i")" = "$("$KINDLY" --version)" ] || fail "kindly version and --version differ"
    grep -qxE 'kindly [0-9]+\.[0-9]+\.[0-9]+' ".r/out.$i" || fail "kindly version: $(cat ".r/out.$i")"
}

# wp, as the WordPress blocks call it: the comments of corpora/comments.csv as a blog's (ids
# from 4100, posts 10 to 17; every tenth comment pending, the others approved or spam by
# their label), written with the columns --fields asks for; `wp comment spam ID...` is
# logged to wp-spam.log
readme_fake_wp() {
    mkdir -p "$T/bin"
    cat >"$T/bin/wp" <<'PY'
#!/usr/bin/env python3
import csv, os, sys
root, log = os.environ["ROOT"] + "/corpora", os.environ["T"] + "/wp-spam.log"
args = [a for a in sys.argv[1:] if not a.startswith("--path=")]  # wp-cli's global flag, as cron gives it
opt = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
posts = list(csv.DictReader(open(root + "/posts.csv", encoding="utf-8")))
post_id = {p["post_id"]: str(10 + i) for i, p in enumerate(posts)}
comments = []
for i, r in enumerate(csv.DictReader(open(root + "/comments.csv", encoding="utf-8"))):
    status = "hold" if i % 10 == 0 else "spam" if r["label"] == "spam" else "approve"
    comments.append({"comment_ID": str(4100 + i), "comment_post_ID": post_id.get(r["post_id"], "0"),
                     "comment_author": r["author"], "comment_author_email": r["email"],
                     "comment_author_url": r["url"], "comment_author_IP": "203.0.113.%d" % (i % 250),
                     "comment_date_gmt": "2026-11-%02d 10:00:00" % (1 + i % 28),
                     "comment_content": r["text"], "comment_agent": "Mozilla/5.0", "comment_parent": "0",
                     "comment_approved": {"hold": "0", "spam": "spam", "approve": "1"}[status],
                     "status": status})
def table(rows):
    assert opt.get("format") == "csv", "wp stub: only --format=csv"
    fields = opt["fields"].split(",")
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(fields)
    for r in rows:
        w.writerow([r[f] for f in fields])
if args[:2] == ["comment", "list"]:
    table([c for c in comments if c["status"] == opt["status"]])
elif args[:2] == ["post", "list"]:
    assert opt["post_status"] == "publish"
    table([{"ID": post_id[p["post_id"]], "post_title": p["title"], "post_content": p["text"]} for p in posts])
elif args[:2] == ["comment", "spam"]:
    open(log, "a").write(" ".join(args[2:]) + "\n")
elif args[:2] == ["comment", "get"]:
    print([c for c in comments if c["comment_ID"] == args[2]][0][opt["field"]])
else:
    sys.exit("wp stub: not a command the README's blocks use: %s" % args)
PY
    chmod +x "$T/bin/wp"
}

# The two blocks of "From a WordPress site", with a stand-in for wp-cli: the export is read,
# learnt and imported, the pending comments scored, the ids of the spam verdicts are the ones
# the sed line hands to `wp comment spam`, and the moderator's ham is learnt
test_readme_wordpress_blocks_run_as_written() {
    readme_fake_wp
    mkdir site
    cd site || return 1
    if [ -d "$SHARED/corpora" ]; then
        ln -s "$SHARED" "$T/shared"
    else
        export README_SKIP=../shared/corpora
    fi
    readme_run "From a WordPress site" 1 2
    readme_all_succeeded
    i=$(readme_line "kindly train -m blog.db approved.csv spam.csv")
    contains ".r/err.$i" "kindly train: learnt "
    not_contains ".r/err.$i" "no labelled rows"
    readme_err_has "kindly posts" "kindly posts: imported 8 posts (8 new, 0 updated)"
    lines verdicts.jsonl "$(readme_rows pending.csv)"
    python3 -c '
import json, sys
print(" ".join(d["id"] for d in map(json.loads, open("verdicts.jsonl")) if d["verdict"] == "spam"))' >want-spam
    [ -s "$T/wp-spam.log" ] || fail "no spam verdict reached wp comment spam"
    [ "$(tr '\n' ' ' <"$T/wp-spam.log" | sed 's/ $//')" = "$(cat want-spam)" ] ||
        fail "wp comment spam got $(cat "$T/wp-spam.log"), the spam verdicts are $(cat want-spam)"
    readme_err_has "kindly learn" "kindly learn: learnt 1 comment as ham"
}

# The HTTP server block: `kindly serve` with a key file, then its curl lines; each answers
# what its comment says (the feedback's answer as shown), and SIGTERM stops it with status 0
test_readme_server_block_runs_as_written() {
    command -v curl >/dev/null || skip "curl is not installed"
    "$KINDLY" train -q -m blog.db "$ROOT/corpora/comments.csv"
    echo KEY >keys.txt
    readme_run "HTTP server and library" 1
    readme_all_succeeded
    i=$(readme_line "/1.1/comment-check")
    grep -qxE 'true|false' ".r/out.$i" || fail "comment-check answered: $(cat ".r/out.$i")"
    i=$(readme_line "/v1/classify")
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d[0]["id"] == "c1" and d[0]["verdict"], d' ".r/out.$i" ||
        fail "classify answered: $(cat ".r/out.$i")"
    i=$(readme_line "/v1/feedback")
    shown=$(sed -n 's/.*# *//p' ".r/cmd.$i" | tail -1)
    [ "$(cat ".r/out.$i")" = "$shown" ] || fail "feedback answered $(cat ".r/out.$i"), the README shows $shown"
    readme_err_has "kindly serve" "kindly serve: stopped"
}

# The systemd set-up block, run as root from a directory of root's (mode 700, as /root is) that
# holds the exports, with `nobody` for the service user and the paths moved under $T; then the
# unit's ExecStart line, as that user: the server starts on the model the block made, and may
# write it. The block used to train with `runuser -u kindly -- kindly train ... approved.csv`,
# which the service user cannot read there: Permission denied, exit 5, no model
test_readme_systemd_setup_runs_as_written() {
    [ "$(id -u)" = 0 ] || skip "the set-up runs as root"
    command -v setpriv >/dev/null && command -v curl >/dev/null ||
        skip "setpriv or curl is not installed"
    getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "no user nobody, group nogroup"
    chmod 755 "$T"
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$KINDLY" -a -x "$T" ||
        skip "nobody cannot run $KINDLY or reach $T (a checkout or TMPDIR in a private directory)"
    mkdir -m 700 home
    split_labelled "$ROOT/corpora/comments.csv" home
    cp "$ROOT/corpora/posts.csv" home/
    # the README's paths and user, as this test has them
    local subst="s|/usr/local/bin/kindly|$KINDLY|g; s|/usr/local/share/kindly/default.rules|$ROOT/models/default.rules|g;
                 s|/var/lib/kindly|$T/var/lib/kindly|g; s|/etc/kindly|$T/etc/kindly|g;
                 s|/var/backups/kindly|$T/var/backups/kindly|g;
                 s|-u kindly |-u nobody |g; s|-o kindly -g kindly|-o nobody -g nogroup|g;
                 s|chgrp kindly |chgrp nogroup |g; s|kindly:kindly|nobody:nogroup|g"
    mkdir -p var/lib etc
    cd home || return 1
    README_SKIP=useradd readme_script "HTTP server and library" 2 | sed "$subst" >../setup.sh || return 1
    grep -q "$T/var/lib/kindly" ../setup.sh || fail "the set-up block no longer names /var/lib/kindly"
    bash ../setup.sh
    readme_all_succeeded || return 1
    cd "$T" || return 1
    [ "$(stat -c %U var/lib/kindly/blog.db)" = nobody ] || fail "the model is not the service user's: $(ls -l var/lib/kindly)"
    # the unit's ExecStart, as its User (setpriv execs it, as systemd does: runuser would stand
    # between the signal and the server), on a free port
    exec_start=$(readme_block "HTTP server and library" 3 | sed -n 's/^ExecStart=//p' | sed "$subst; s|127.0.0.1:8080|127.0.0.1:0|")
    [ -n "$exec_start" ] || fail "the unit has no ExecStart line"
    # shellcheck disable=SC2086
    setpriv --reuid=nobody --regid=nogroup --clear-groups $exec_start 2>serve.err &
    local pid=$! port=
    wait_for grep -q "listening on" serve.err || { kill $pid; cat serve.err >&2; return 1; }
    port=$(sed -n 's/.*listening on http:\/\/.*:\([0-9]*\) .*/\1/p' serve.err)
    curl -s "http://127.0.0.1:$port/healthz" >health.json
    key=$(grep -v '^#' etc/kindly/keys | head -1)
    curl -s -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
         -d '{"id":"f1","text":"Cheap pills","label":"spam"}' "http://127.0.0.1:$port/v1/feedback" >feedback.json
    kill -TERM $pid
    wait $pid || fail "the server exited $?: $(cat serve.err)"
    contains health.json '"writable":true'
    contains feedback.json '"learnt":1'
}

# Upkeep's cron lines, each run as cron runs it (its command by /bin/sh, `\%` read as `%`), as
# the service user, with the README's paths moved under $T, while the server serves that model
# and takes feedback all the while: each line exits 0 and says nothing, the history is pruned
# to its retention, the backup is a model that kindly reads with the server's counts as of
# then, every report is learnt (none answered 503); then the restore line writes the backup
# back over the model the server has open, and the server answers from it. The README named no
# job to run periodically: the history grew without end unless the operator thought of it.
test_readme_upkeep_cron_lines_run_while_serving() {
    [ "$(id -u)" = 0 ] || skip "the jobs run as the service user"
    command -v setpriv >/dev/null && command -v curl >/dev/null && command -v sqlite3 >/dev/null ||
        skip "setpriv, curl or sqlite3 is not installed"
    getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "no user nobody, group nogroup"
    chmod 755 "$T"
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$KINDLY" -a -x "$T" ||
        skip "nobody cannot run $KINDLY or reach $T"
    local as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    mkdir -p var/lib/kindly var/backups/kindly
    "$KINDLY" train -q -m var/lib/kindly/blog.db "$ROOT/corpora/comments.csv"
    chown -R nobody:nogroup var
    local block subst="s|/usr/local/bin/kindly|$KINDLY|g; s|/var/lib/kindly|$T/var/lib/kindly|g;
                       s|/var/backups/kindly|$T/var/backups/kindly|g"
    block=$(readme_block "Upkeep: retention, backups, upgrades" 1) || return 1
    # the jobs: past the five times and the user; cron's \% is a %
    grep -v '^#' <<<"$block" | grep . | sed -E 's/^([^ ]+ +){6}//; s/\\%/%/g' | sed "$subst" >jobs
    [ "$(wc -l <jobs)" = 2 ] || fail "the cron block has not its two jobs: $(cat jobs)"
    grep -q 'history .*--prune' jobs && grep -q '\.backup' jobs || fail "the jobs changed: $(cat jobs)"
    # shellcheck disable=SC2086
    AS_READER="$as" start_server -m "$T/var/lib/kindly/blog.db" || return 1
    # a comment remembered two years ago, which the retention drops
    status_is "$(post_json /v1/feedback '{"id":"old1","text":"an old report of cheap pills","label":"spam","date":"2020-01-01T00:00:00Z"}')" 200
    local i=0
    for i in $(seq 200); do
        curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
            -d "{\"id\":\"r$i\",\"text\":\"report $i of word$i and more words\",\"label\":\"ham\"}" "$URL/v1/feedback"
    done >codes &
    local feeder=$!
    i=0
    while read -r job; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        $as sh -c "$job" >"job$i.out" 2>"job$i.err" || fail "job $i exited $?: $job: $(cat "job$i.err")"
        [ -s "job$i.err" ] && fail "job $i said: $(cat "job$i.err")"
    done <jobs
    wait $feeder
    [ "$(grep -c '^200$' codes)" = 200 ] || fail "feedback answered: $(sort codes | uniq -c)"
    "$KINDLY" history -m var/lib/kindly/blog.db >hist.json
    python3 -c 'import json, sys; h = json.load(open(sys.argv[1])); assert h["oldest"] > 1600000000, h' hist.json ||
        fail "the retention kept the comment of 2020: $(cat hist.json)"
    local bk
    bk=$(ls var/backups/kindly/blog-*.db) || fail "no backup: $(ls -R var/backups)"
    [ "$(basename "$bk")" = "blog-$(date +%a).db" ] || fail "the backup is named $bk"
    "$KINDLY" info -m "$bk" >bk.json || fail "the backup is no model"
    grep -q '"ham_messages":' bk.json || fail "info of the backup: $(cat bk.json)"
    # the restore line, as the server's user, while it serves
    local restore
    restore=$(grep -o 'sqlite3 /var/lib/kindly/blog.db "\.restore [^"]*"' "$README" | head -1 |
              sed "$subst; s|blog-Mon.db|$(basename "$bk")|")
    [ -n "$restore" ] || fail "the README has no restore line"
    # shellcheck disable=SC2086
    $as sh -c "$restore" || fail "the restore exited $?: $restore"
    "$KINDLY" info -m var/lib/kindly/blog.db | sed 's/"model":"[^"]*",//' >now.json
    sed 's/"model":"[^"]*",//' bk.json | cmp -s - now.json || fail "restored: $(cat now.json), the backup: $(cat bk.json)"
    status_is "$(post_json /v1/feedback '{"id":"after","text":"a report after the restore","label":"spam"}')" 200
    contains "$T/body" '"learnt":1'
    not_contains "$T/server.log" "answered 5"
}

# Upkeep's posts job, its cron line run as cron runs it (by /bin/sh, as root), with wp-cli's
# stand-in for runuser -u www-data and the user nobody for the server's, while the server
# serves a model that lacks the blog's newest post: the job exits 0 and says nothing, the
# server scores a comment on that post against it from the next request, with no warning, and
# a second run writes nothing. The README named no way to keep the posts current: a comment on
# every post published after the import was scored against the site alone.
test_readme_upkeep_posts_line_imports_new_posts_while_serving() {
    [ "$(id -u)" = 0 ] || skip "the job runs as root, kindly as the service user"
    command -v setpriv >/dev/null && command -v curl >/dev/null || skip "setpriv or curl is not installed"
    getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "no user nobody, group nogroup"
    chmod 755 "$T"
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$KINDLY" -a -x "$T" ||
        skip "nobody cannot run $KINDLY or reach $T"
    readme_fake_wp
    local as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    mkdir -p var/lib/kindly
    "$KINDLY" train -q -m var/lib/kindly/blog.db "$ROOT/corpora/comments.csv"
    # the posts as the stand-in lists them, all but the newest (its ids are 10 to 17)
    "$T/bin/wp" post list --post_status=publish --fields=ID,post_title,post_content --format=csv >all-posts.csv
    python3 - all-posts.csv <<'PY' >old-posts.csv
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerows(rows[:-1])
PY
    newest=$(python3 -c 'import csv, sys; print(list(csv.reader(open(sys.argv[1], encoding="utf-8")))[-1][0])' all-posts.csv)
    "$KINDLY" posts -q -m var/lib/kindly/blog.db old-posts.csv
    chown -R nobody:nogroup var
    local job
    job=$(readme_block "Upkeep: retention, backups, upgrades" 2 | grep -v '^#' | grep . | sed -E 's/^([^ ]+ +){6}//') || return 1
    [ "$(wc -l <<<"$job")" = 1 ] || fail "the posts block has not its one job: $job"
    grep -q 'kindly posts' <<<"$job" || fail "the job changed: $job"
    job=$(sed "s|runuser -u www-data -- wp|$T/bin/wp|; s|runuser -u kindly -- |$as |;
               s|/usr/local/bin/kindly|$KINDLY|g; s|/var/lib/kindly|$T/var/lib/kindly|g" <<<"$job")
    # shellcheck disable=SC2086
    AS_READER="$as" start_server -m "$T/var/lib/kindly/blog.db" || return 1
    local comment="{\"post_id\":\"$newest\",\"text\":\"a comment on the newest post\"}"
    status_is "$(post_json /v1/classify "$comment")" 200
    grep -qi "X-kindly-warning: relevance: post '$newest' is not one this model holds" "$T/headers" ||
        fail "before the job, the newest post was known: $(cat "$T/headers")"
    local i
    for i in 1 2; do
        sh -c "$job" >"job$i.out" 2>"job$i.err" || fail "the job exited $?: $job: $(cat "job$i.err")"
        [ -s "job$i.err" ] || [ -s "job$i.out" ] && fail "the job said: $(cat "job$i.out" "job$i.err")"
    done
    status_is "$(post_json /v1/classify "$comment")" 200
    not_contains "$T/headers" "X-kindly-warning"
    "$KINDLY" info -m var/lib/kindly/blog.db >info.json
    contains info.json "\"posts\":$(($(readme_rows all-posts.csv)))"
    [ "$(stat -c %U var/lib/kindly/blog.db)" = nobody ] || fail "the model is no longer the service user's"
}

# The rules: the command block as written (on the shipped rules as my.rules), and the crisis
# words added to the shipped rules hold the comment the README quotes, with the reason it
# shows, which the shipped rules approve (t_rules.sh tests the example rule file of "Format")
test_readme_rules_blocks_run_as_written() {
    C=$ROOT/corpora
    cp "$ROOT/models/default.rules" my.rules
    cp "$C/comments.csv" labelled.csv
    cp "$C/sample.csv" new.csv
    split_labelled "$C/comments.csv" .
    echo "Cheap xanax, no prescription, order now" >comment.txt
    readme_run Rules 1
    readme_all_succeeded
    readme_out_has "rules --check my.rules" "my.rules: ok"
    readme_out_has "rules --test my.rules" "total of"
    readme_out_has "rules --stats approved.csv spam.csv" "all 2 files together:"
    [ -f my.rules.compiled ] || fail "rules --compile my.rules wrote no my.rules.compiled"
    readme_out_has "--explain" "final"
    i=$(readme_line "--no-rules")
    lines ".r/out.$i" "$(readme_rows new.csv)"
    not_contains ".r/out.$i" '"rules":[{'

    python3 - "$README" <<'PY' >crisis.txt || fail "the README's crisis example was not found"
import re, sys
text = re.sub(r"\s+", " ", open(sys.argv[1], encoding="utf-8").read())
print(re.search(r'"(I\'ve had suicidal thoughts[^"]*)"', text).group(1))
PY
    readme_block Rules 3 >crisis.add
    reason=$(sed -n 's/.*Each holds the comment with the reason `\([^`]*\)`.*/\1/p' "$README")
    [ -n "$reason" ] || fail "the README's reason for a held crisis comment was not found"
    cat "$ROOT/models/default.rules" crisis.add >crisis.rules
    expect_status 0 "$KINDLY" check <crisis.txt
    contains "$T/out" '"verdict":"approve"'
    expect_status 2 "$KINDLY" check --rules crisis.rules <crisis.txt
    contains "$T/out" "\"$reason\""
}

# The summary of `kindly posts` the README shows, for a post in two of the files, is the one
# kindly prints: each file's posts are counted, so the post in both counts twice, once new and
# once updated
test_readme_posts_summary_is_real() {
    shown=$(tr '\n' ' ' <"$README" | grep -oE 'imported [0-9]+ posts \([0-9]+ new, [0-9]+ updated\); the model now holds [0-9]+' | head -1)
    [ -n "$shown" ] || fail "the README's summary of kindly posts was not found"
    printf 'post_id,title,text\na,Sleep,Sleep and anxiety at night\nb,Grief,The first year of grief\n' >p1.csv
    printf 'post_id,title,text\nb,Grief,The first year of grief again\nc,Walking,Walking for mood\n' >p2.csv
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    expect_status 0 "$KINDLY" posts -m m.db p1.csv p2.csv
    contains "$T/err" "kindly posts: $shown"
}
