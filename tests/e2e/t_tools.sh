# t_tools.sh - the scripts of tools/ as a new contributor meets them: --help says what a
# script does and runs nothing, a wrong argument is refused, and a missing or malformed
# corpus is named in one line with a non-zero status, never a Python traceback. Sourced by
# run.sh; each test_* runs in a fresh $T. None runs a benchmark.

# no_traceback: stderr is one line or more of the script's own, not Python's
no_traceback() { not_contains "$T/err" "Traceback"; }

# tools_corpora DIR: a shared directory with the corpora of ../shared's schema, a few rows each
tools_corpora() {
    mkdir -p "$1/corpora"
    for f in sms youtube-dev datacamp-comments; do
        printf 'id,post_id,author,label,text\r\n%s-1,p1,Ann,spam,Win cash now\r\n%s-2,p1,Bob,ham,Thanks for the post\r\n' \
            "$f" "$f" >"$1/corpora/$f.csv"
    done
    printf 'post_id,title,text\r\np1,Walking,Walking every morning\r\n' >"$1/corpora/wellness-posts.csv"
    printf 'post_id,title,post_author,description\r\np1,Walking,Ann,Walking\r\n' >"$1/corpora/datacamp-posts.csv"
}

# the shell scripts: --help prints their usage and runs nothing; an unknown flag is refused
test_tools_shell_scripts_help_and_refuse_unknown_flags() {
    local s
    for s in bench.sh bench_server.sh build-model.sh install-deps.sh gen-man.sh; do
        # a benchmark that --help started would not end within a second
        expect_status 0 timeout 5 "$ROOT/tools/$s" --help || return 1
        contains "$T/out" "Usage: tools/$s" || return 1
        expect_status 2 timeout 5 "$ROOT/tools/$s" --bogus || return 1
        contains "$T/err" "'--bogus'" || return 1
        lines "$T/err" 1 || return 1
    done
    [ ! -e "$ROOT/tools/--help" ] && [ ! -e "$ROOT/tools/--bogus" ] || fail "a flag was taken for a file"
}

# every script of tools/ runs as it is named in the docs (a shebang, the executable bit: two did
# not), --help says what it does and writes nothing: no tools/__pycache__ from importing
# bench_core (bench_rules.py left one where PYTHONDONTWRITEBYTECODE is not set), no tools/out
test_tools_every_script_is_executable_with_help() {
    mkdir -p tree/tools
    cp -p "$ROOT"/tools/*.sh "$ROOT"/tools/*.py tree/tools/
    local s before
    before=$(ls -A tree/tools)
    for s in tree/tools/*; do
        head -1 "$s" | grep -q '^#!' || fail "$s has no shebang" || return 1
        [ -x "$s" ] || fail "$s is not executable" || return 1
        expect_status 0 env -u PYTHONDONTWRITEBYTECODE timeout 5 "$s" --help || return 1
        grep -qi "usage" "$T/out" || fail "$s --help prints no usage" || return 1
        [ "$(wc -l <"$T/out")" -gt 3 ] || fail "$s --help says little" || return 1
    done
    [ "$(ls -A tree/tools)" = "$before" ] || fail "--help wrote: $(ls -A tree/tools)"
}

# every option a Python script's --help lists says what it does (bench_relevance.py listed
# --threshold, --out, --repeat and --only bare, dupbench.py build and eval --out, --seed,
# --verbose and the subcommands themselves)
test_tools_every_python_option_has_help() {
    local s bare=
    for s in "$ROOT"/tools/*.py "$ROOT/tools/dupbench.py build" "$ROOT/tools/dupbench.py eval"; do
        # shellcheck disable=SC2086
        expect_status 0 env PYTHONDONTWRITEBYTECODE=1 COLUMNS=80 timeout 5 python3 $s --help || return 1
        # an entry of an argument section (two spaces in) with no text after it on its line
        # (two spaces or more apart) nor on the next, which is indented further
        bare="$bare$(awk -v s="${s#"$ROOT"/tools/}" '
            /^[a-z].*:$/ { sec = ($0 == "options:" || $0 == "positional arguments:"); next }
            sec && pending != "" { if ($0 !~ /^    /) print " " s ": " pending; pending = "" }
            sec && /^  [^ ]/ { if ($0 !~ /^  [^ ].*[^ ]   *[^ ]/) { pending = $0; sub(/^  /, "", pending) } }
            END { if (pending != "") print " " s ": " pending }' "$T/out")"
    done
    [ -z "$bare" ] || fail "options --help lists without a word:$bare"
}

# build-model.sh into a directory that does not exist is refused before anything is learnt
# (it trained for seconds, then failed at the last step with mv's message), and a build
# interrupted leaves no temporary model behind (the EXIT trap ran on no signal)
test_tools_build_model_checks_its_output_directory_and_cleans_up() {
    expect_status 1 env KINDLY="$KINDLY" FOREIGN= "$ROOT/tools/build-model.sh" "$T/no/such/dir/m.db"
    contains "$T/err" "build-model: $T/no/such/dir is no directory"
    lines "$T/err" 1
    # a kindly that waits (as a long training does), and the build interrupted meanwhile
    printf '#!/bin/sh\nexec sleep 30\n' >slow && chmod +x slow
    TMPDIR=$T/tmp && mkdir "$TMPDIR" && export TMPDIR
    # its own process group, signalled whole, as a terminal's Ctrl-C or a CI runner's stop is
    setsid env KINDLY="$T/slow" FOREIGN= "$ROOT/tools/build-model.sh" "$T/m.db" 2>/dev/null &
    local pid=$! i
    for i in $(seq 50); do [ -n "$(ls "$TMPDIR")" ] && break; sleep 0.1; done
    [ -n "$(ls "$TMPDIR")" ] || fail "no temporary directory seen"
    sleep 0.3
    kill -TERM -- -$pid; wait $pid || true
    [ -z "$(ls "$TMPDIR")" ] || fail "left behind: $(ls "$TMPDIR")"
    [ ! -e "$T/m.db" ] || fail "an interrupted build wrote its output"
}

# A corpus build-model.sh misses is named where it was looked for, with the way to point
# elsewhere: with KINDLY_SHARED set, the hint said the corpora "sit beside the checkout", where
# they were not looked for. bench.sh, skipping without them, names KINDLY_SHARED's directory
# alike, and so do the end-to-end tests that skip (they said "../shared/corpora is absent").
# Nothing is learnt, no model written.
test_tools_build_model_and_bench_name_the_kindly_shared_they_read() {
    expect_status 1 env KINDLY="$KINDLY" KINDLY_SHARED="$T/elsewhere" FOREIGN=sms.csv "$ROOT/tools/build-model.sh" "$T/m.db"
    contains "$T/err" "build-model: $T/elsewhere/corpora/sms.csv is missing (KINDLY_SHARED=$T/elsewhere: they are read from its corpora/; FOREIGN= builds"
    not_contains "$T/err" "beside the checkout"
    lines "$T/err" 1
    [ ! -e "$T/m.db" ] || fail "a model was written"
    expect_status 1 env -u KINDLY_SHARED KINDLY="$KINDLY" FOREIGN=nope.csv "$ROOT/tools/build-model.sh" "$T/m.db"
    contains "$T/err" "/corpora/nope.csv is missing (the shared corpora sit beside the checkout, in ../shared/corpora, or in DIR/corpora with KINDLY_SHARED=DIR;"
    expect_status 0 env KINDLY="$KINDLY" KINDLY_SHARED="$T/elsewhere" "$ROOT/tools/bench.sh"
    contains "$T/err" "bench: no shared corpora at $T/elsewhere/corpora: skipped."
    contains "$T/err" "bench: KINDLY_SHARED=$T/elsewhere: the corpora are read from its corpora/"
    not_contains "$T/err" "beside the checkout;"
    # so do the benchmarks in Python (bench_core's check, which the others share)
    expect_status 1 env KINDLY="$KINDLY" KINDLY_SHARED="$T/elsewhere" python3 "$ROOT/tools/bench_core.py" --out "$T/o"
    contains "$T/err" "$T/elsewhere/corpora/sms.csv is missing: KINDLY_SHARED=$T/elsewhere: they are read from its corpora/"
    expect_status 1 env KINDLY="$KINDLY" python3 "$ROOT/tools/bench_core.py" --shared "$T/there" --out "$T/o"
    contains "$T/err" "$T/there/corpora/sms.csv is missing: --shared $T/there: they are read from its corpora/"
    not_contains "$T/err" "beside the checkout"
    # the end-to-end tests that need the corpora skip, naming where they looked
    expect_status 0 env KINDLY_SHARED="$T/elsewhere" "$ROOT/tests/e2e/run.sh" test_dup_benchmark_on_shared_corpora
    contains "$T/out" "skip  test_dup_benchmark_on_shared_corpora: $T/elsewhere/corpora is absent (KINDLY_SHARED=$T/elsewhere)"
}

# corpora_repo: a git repository, repo/, of build-model.sh and the corpora it learns from,
# committed at @1000000000
corpora_repo() {
    mkdir -p repo/tools repo/corpora
    cp "$ROOT/tools/build-model.sh" repo/tools/
    cp "$ROOT/corpora/comments.csv" "$ROOT/corpora/posts.csv" repo/corpora/
    local g="git -C repo -c user.name=t -c user.email=t@example.org"
    $g init -q && $g add . && GIT_COMMITTER_DATE=@1000000000 $g commit -qm corpora
}

# build-model.sh in a shallow clone (a CI checkout's default) says that it cannot date the last
# change to corpora/: the clone's oldest commit seems to add every file, and its time, taken for
# that change's, made a model other than the committed one, silently. A repository of two
# commits, corpora/ changed in the first only, and its clone of depth 1
test_tools_build_model_warns_in_a_shallow_clone() {
    command -v git >/dev/null || skip "git is not installed"
    corpora_repo
    local g="git -C repo -c user.name=t -c user.email=t@example.org"
    echo x >repo/README && $g add README && GIT_COMMITTER_DATE=@1100000000 $g commit -qm readme
    git clone -q --depth 1 "file://$T/repo" shallow
    mkdir a b c
    expect_status 0 env KINDLY="$KINDLY" FOREIGN= repo/tools/build-model.sh a/default.db
    not_contains "$T/err" "shallow"
    expect_status 0 env KINDLY="$KINDLY" FOREIGN= shallow/tools/build-model.sh b/default.db
    contains "$T/err" "build-model: this clone is shallow: "
    [ "$(grep -c shallow "$T/err")" -eq 1 ] || fail "$(cat "$T/err")"
    ! cmp -s a/default.db b/default.db || fail "the same model: the test shows nothing"
    # given the change's time, it builds the same file as the full clone, without a word
    expect_status 0 env KINDLY="$KINDLY" FOREIGN= SOURCE_DATE_EPOCH=1000000000 shallow/tools/build-model.sh c/default.db
    not_contains "$T/err" "shallow"
    cmp a/default.db c/default.db
}

# build-model.sh dates the model by the last commit that changed the files it learns from
# corpora/ (comments.csv, posts.csv), not by any commit under corpora/: a corpus added there
# for a benchmark (crisis-lines.csv, short-replies.csv) moved the date, and the README's
# `tools/build-model.sh /tmp/x/default.db` no longer gave a file equal to the committed one
test_tools_build_model_is_dated_by_the_files_it_learns() {
    command -v git >/dev/null || skip "git is not installed"
    corpora_repo
    local g="git -C repo -c user.name=t -c user.email=t@example.org"
    echo 'id,text,label' >repo/corpora/bench.csv && $g add corpora/bench.csv &&
        GIT_COMMITTER_DATE=@1100000000 $g commit -qm 'a benchmark corpus'
    mkdir a b
    expect_status 0 env KINDLY="$KINDLY" FOREIGN= repo/tools/build-model.sh a/default.db
    expect_status 0 env KINDLY="$KINDLY" FOREIGN= SOURCE_DATE_EPOCH=1000000000 repo/tools/build-model.sh b/default.db
    cmp a/default.db b/default.db || fail "the model is not dated by the last change to comments.csv and posts.csv"
}

# build-model.sh -x: an option is not taken for the output file (a model named "-x")
test_tools_build_model_takes_no_option_for_its_output() {
    expect_status 2 env KINDLY="$KINDLY" KINDLY_SHARED="$T/none" "$ROOT/tools/build-model.sh" -o "$T/m.db"
    contains "$T/err" "build-model: unknown option '-o'"
    [ ! -e "$T/m.db" ] && [ ! -e ./-o ] || fail "a model was written"
}

# gen-man.sh without its one argument, the binary, says so in its own words (it printed the
# shell's "tools/gen-man.sh: 15: 1: usage: ..."), and a second argument is not ignored
test_tools_gen_man_wants_one_binary() {
    expect_status 2 "$ROOT/tools/gen-man.sh"
    contains "$T/err" "gen-man.sh: 0 arguments, expected one: the kindly binary (usage: tools/gen-man.sh PATH/TO/kindly)"
    lines "$T/err" 1
    expect_status 2 "$ROOT/tools/gen-man.sh" "$KINDLY" extra
    contains "$T/err" "gen-man.sh: 2 arguments"
    [ ! -s "$T/out" ] || fail "a page was written"
    expect_status 0 "$ROOT/tools/gen-man.sh" "$KINDLY"
    contains "$T/out" ".TH KINDLY 1"
}

# bench_server.sh stopped by Ctrl-C (SIGINT to the whole process group, as a terminal sends
# it) ends there, with status 130, its temporary files removed: its trap of INT
# and TERM only cleaned up, and the script went on, printed a row of the broken run (wrk,
# interrupted, prints what it measured and exits 0) and started the next run against the
# server it had stopped. A wrk that waits until interrupted stands for the real one
test_tools_bench_server_stops_when_interrupted() {
    local py pid rc
    py=$(python3 -c 'import sys; print(sys.executable)')
    mkdir -p bin tree/tools tree/models "$T/tmp"
    cp "$ROOT"/tools/*.sh tree/tools/
    cp "$ROOT/models/default.db" tree/models/
    # each call noted once Python's handler of SIGINT is set
    printf '#!/bin/sh\nexec "%s" -c "%s" "$@"\n' "$py" "import sys, time
open('$T/calls', 'a').write(' '.join(sys.argv[1:]) + '\\n')
try: time.sleep(30)
except KeyboardInterrupt: pass" >bin/wrk
    chmod +x bin/wrk
    # SIGINT as a terminal's shell leaves it (a background job of this one starts with it ignored)
    env --default-signal=INT setsid env PATH="$T/bin:$PATH" TMPDIR="$T/tmp" KINDLY="$KINDLY" \
        tree/tools/bench_server.sh >out 2>err &
    pid=$!
    wait_for test -s calls
    kill -INT -- -$pid
    wait_for eval "! running $pid" || { kill -KILL -- -$pid; fail "still running: $(cat calls)"; return 1; }
    rc=0; wait $pid || rc=$?
    [ $rc -eq 130 ] || fail "exit status $rc"
    lines calls 1
    not_contains out "| c64 |"
    [ -z "$(ls "$T/tmp")" ] || fail "left behind: $(ls "$T/tmp")"
}

test_tools_bench_feedback_usage_and_missing_corpus() {
    expect_status 0 python3 "$ROOT/tools/bench_feedback.py" --help
    contains "$T/out" "usage: bench_feedback.py"
    expect_status 2 python3 "$ROOT/tools/bench_feedback.py" --bogus
    no_traceback
    expect_status 2 python3 "$ROOT/tools/bench_feedback.py" 8080 maybe
    contains "$T/err" "invalid choice: 'maybe'"
    expect_status 1 env KINDLY_SHARED="$T/none" python3 "$ROOT/tools/bench_feedback.py" 8080 no
    contains "$T/err" "bench_feedback: $T/none/corpora/sms.csv is missing"
    lines "$T/err" 1
}

# bench_feedback.py against a server that refuses its requests (here: one connection an
# address) stops with one line and exit 1, not eight threads' tracebacks and a figure over
# the requests that went through with exit 0; against one that answers, its figure
test_tools_bench_feedback_stops_on_a_failed_request() {
    tools_corpora "$T/s"
    cp "$ROOT/models/default.db" m.db
    local max
    for max in 1 0; do
        # a log of its own each: the second server's shell truncates its file after the fork,
        # and a shared one could show the first server's line to wait_for, then nothing to sed
        "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --threads 2 --max-per-ip $max 2>server$max.log &
        local pid=$! port=
        wait_for grep -q "listening on" server$max.log
        port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' server$max.log)
        if [ $max = 1 ]; then
            expect_status 1 env KINDLY_SHARED="$T/s" timeout 30 python3 "$ROOT/tools/bench_feedback.py" "$port" fb --seconds 1
            contains "$T/err" "of the 9 connections stopped on an error (first: /1.1/"
            lines "$T/err" 1
            not_contains "$T/out" "checks/s"
        else
            expect_status 0 env KINDLY_SHARED="$T/s" timeout 30 python3 "$ROOT/tools/bench_feedback.py" "$port" fb --seconds 0.5
            contains "$T/out" "checks/s "
        fi
        kill $pid; wait $pid || true
    done
}

# a missing shared directory, for the scripts that read it, from KINDLY_SHARED or --shared,
# which each of them takes (bench_relevance and bench_dup took none, dupbench build only the
# corpora directory itself, which it still takes)
test_tools_missing_shared_is_one_line() {
    local c
    for c in nb_variants.py "dupbench.py build --out $T/o" "bench_relevance.py --only wellness --out $T/o" \
             "bench_core.py --out $T/o" "bench_rules.py --out $T/o" "bench_speed.py --out $T/o" \
             "bench_dup.py --out $T/o"; do
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY_SHARED="$T/none" python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" "$T/none/corpora" || return 1
        lines "$T/err" 1 || return 1
        no_traceback || return 1
        # shellcheck disable=SC2086
        expect_status 1 python3 "$ROOT"/tools/$c --shared "$T/none2" || return 1
        contains "$T/err" "$T/none2/" || return 1
        lines "$T/err" 1 || return 1
    done
    tools_corpora "$T/s"
    rm "$T/s/corpora/sms.csv"
    expect_status 1 python3 "$ROOT/tools/dupbench.py" build --shared "$T/s" --out "$T/o"
    contains "$T/err" "dupbench: $T/s/corpora/sms.csv is missing"
    expect_status 1 python3 "$ROOT/tools/dupbench.py" build --shared "$T/s/corpora" --out "$T/o"
    contains "$T/err" "dupbench: $T/s/corpora/sms.csv is missing"
}

# bench.sh joins this run's reports only: a script that fails writes none, an earlier run's is
# not shown in its place, and bench.sh exits 1 naming the scripts (a copy of tools/, whose
# tools/out is its own; with KINDLY=false every script fails at once)
test_tools_bench_shows_no_earlier_report_for_a_failed_script() {
    mkdir -p tree/tools/out
    cp "$ROOT"/tools/*.sh "$ROOT"/tools/*.py tree/tools/
    echo "STALE core report" >tree/tools/out/bench_core.md
    tools_corpora "$T/s"
    expect_status 1 env KINDLY="$(type -P false)" KINDLY_SHARED="$T/s" timeout 60 tree/tools/bench.sh
    not_contains "$T/out" "STALE"
    not_contains tree/tools/out/BENCH-latest.md "STALE"
    contains "$T/out" "(core: no report: it failed, see its error above)"
    contains "$T/err" "bench: no report from: core speed rules relevance duplicates (they failed: see their errors above)"
    expect_status 1 env KINDLY="$T/none" KINDLY_SHARED="$T/s" tree/tools/bench.sh
    contains "$T/err" "bench: no kindly binary at $T/none (run make first, or set KINDLY)"
}

# a kindly binary that is not there, or fails: named, with the command that failed
test_tools_missing_or_failing_kindly_is_one_line() {
    expect_status 1 env KINDLY="$T/none" python3 "$ROOT/tools/bench_prune.py" --rows 10
    contains "$T/err" "bench_prune: no kindly binary at $T/none: run \`make\` first, or pass --kindly PATH (or set KINDLY)"
    lines "$T/err" 1
    expect_status 1 env KINDLY="$(type -P false)" python3 "$ROOT/tools/bench_prune.py" --rows 10
    contains "$T/err" "bench_prune: \`$(type -P false) score -m "
    lines "$T/err" 1
    # a kindly score that fails in bench_relevance's speed runs (it said "kindly score failed")
    # shellcheck disable=SC2016
    printf '#!/bin/sh\n[ "$1" = score ] && exit 3\nexec "%s" "$@"\n' "$KINDLY" >k && chmod +x k
    tools_corpora "$T/s"
    expect_status 1 python3 "$ROOT/tools/bench_relevance.py" --kindly "$T/k" --shared "$T/s" --only speed \
        --copies 1 --repeat 1 --out "$T/o"
    contains "$T/err" "bench_relevance: \`$T/k score -m $T/o/speed.db --no-rules --offtopic-threshold off $T/o/speed.csv\` exited 3"
    lines "$T/err" 1
    expect_status 1 env KINDLY="$T/none" timeout 5 "$ROOT/tools/bench_server.sh"
    contains "$T/err" "bench_server: no kindly binary at $T/none (run make first, or set KINDLY)"
    lines "$T/err" 1
    expect_status 1 "$ROOT/tools/gen-man.sh" "$T/none"
    contains "$T/err" "gen-man.sh: no kindly binary at $T/none (run make first)"
    lines "$T/err" 1
}

# every script that runs kindly takes --kindly PATH, by default $KINDLY, else ./kindly, as
# bench.sh, bench_server.sh and build-model.sh do: `KINDLY=build-x/kindly tools/X` measures
# that binary (bench_dup, bench_relevance, dupbench eval and bench_prune ran ./kindly, or took
# no --kindly); a KINDLY that is not there is named before anything is run or written
test_tools_every_benchmark_takes_kindly_from_KINDLY() {
    tools_corpora "$T/s"
    local c
    for c in "bench_prune.py --rows 10" "bench_dup.py --sizes 10 --queries 5 --out $T/o" \
             "dupbench.py eval --out $T/o" "bench_relevance.py --only wellness --repeat 1 --out $T/o" \
             "bench_core.py --out $T/o" "bench_speed.py --out $T/o" "bench_rules.py --out $T/o"; do
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY="$T/none" KINDLY_SHARED="$T/s" timeout 60 python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" "no kindly binary at $T/none: run \`make\` first, or pass --kindly PATH (or set KINDLY)" || return 1
        lines "$T/err" 1 || return 1
        [ ! -e "$T/o" ] || fail "$c wrote $T/o" || return 1
        # shellcheck disable=SC2086
        expect_status 0 python3 "$ROOT"/tools/$c --help || return 1
        contains "$T/out" "--kindly KINDLY" || return 1
        contains "$T/out" "(default: \$KINDLY, else ./kindly" || return 1
    done
}

# a corpus without the label column, an empty one, a short row: named, with the file
test_tools_malformed_corpus_is_named() {
    tools_corpora "$T/s"
    sed -i '1s/label/lable/' "$T/s/corpora/youtube-dev.csv"
    local c
    for c in nb_variants.py "dupbench.py build --out $T/o" "bench_relevance.py --only wellness --out $T/o" \
             "bench_core.py --out $T/o"; do
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY_SHARED="$T/s" python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" "$T/s/corpora/youtube-dev.csv: no label column (its columns: id, post_id, author, lable, text)" || return 1
        lines "$T/err" 1 || return 1
        no_traceback || return 1
    done
    tools_corpora "$T/e"
    : >"$T/e/corpora/youtube-dev.csv"
    expect_status 1 env KINDLY_SHARED="$T/e" python3 "$ROOT/tools/nb_variants.py"
    contains "$T/err" "$T/e/corpora/youtube-dev.csv is empty"
    tools_corpora "$T/r"
    printf 'yt-3,p1\r\n' >>"$T/r/corpora/youtube-dev.csv"
    expect_status 1 env KINDLY_SHARED="$T/r" python3 "$ROOT/tools/nb_variants.py"
    contains "$T/err" "$T/r/corpora/youtube-dev.csv:4: expected 5 fields, found 2"
    no_traceback
}

# bench_core.py on a machine without bogofilter (a clean CI: only `install-deps.sh --bench`
# installs it) reads the corpora first, so a malformed one is named as above, and then says
# in one line what is missing; it said that first, so the test above failed there. Its
# working files go to --out (this test wrote its two-comment splits over the checkout's
# tools/out/core, where BENCHMARKS' hyperfine command reads them, until --out existed)
test_tools_bench_core_without_bogofilter_names_it_after_the_corpora() {
    local py v
    py=$(python3 -c 'import sys; print(sys.executable)')
    mkdir "$T/bin"
    ln -s "$py" "$T/bin/python3"
    tools_corpora "$T/s"
    {
        printf 'id,post_id,author,label,text\r\n'
        for v in Youtube01-Psy Youtube02-KatyPerry Youtube03-LMFAO; do
            printf '%s-1,%s,Ann,spam,Check out my channel\r\n%s-2,%s,Bob,ham,Great song\r\n' "$v" "$v" "$v" "$v"
        done
    } >"$T/s/corpora/youtube-dev.csv"
    expect_status 1 env PATH="$T/bin" KINDLY_SHARED="$T/s" "$T/bin/python3" "$ROOT/tools/bench_core.py" --kindly "$KINDLY" --out "$T/o"
    contains "$T/err" "bench_core: bogofilter is not installed"
    lines "$T/err" 1
    no_traceback
    contains "$T/o/core/Youtube01-Psy.csv" "Youtube01-Psy-1,Youtube01-Psy,Ann,spam,Check out my channel"
    sed -i '1s/label/lable/' "$T/s/corpora/youtube-dev.csv"
    expect_status 1 env PATH="$T/bin" KINDLY_SHARED="$T/s" "$T/bin/python3" "$ROOT/tools/bench_core.py" --kindly "$KINDLY" --out "$T/o"
    contains "$T/err" "$T/s/corpora/youtube-dev.csv: no label column"
    lines "$T/err" 1
}

# a corpus that is not UTF-8, holds an unclosed quote or is a directory, and a youtube-dev.csv
# without the videos the splits test on: named in one line, with the line where it helps
# (each was a traceback: UnicodeDecodeError, IsADirectoryError, a math domain error in
# nb_variants; kindly eval's "no rows" in bench_core and bench_rules)
test_tools_unreadable_corpus_is_named() {
    tools_corpora "$T/u"
    printf 'yt-3,p1,Ann,ham,caf\xe9\r\n' >>"$T/u/corpora/youtube-dev.csv"
    tools_corpora "$T/q"
    printf 'yt-3,p1,Ann,ham,"unclosed\r\nyt-4,p1,Bob,ham,Hi\r\n' >>"$T/q/corpora/youtube-dev.csv"
    tools_corpora "$T/d"
    rm "$T/d/corpora/youtube-dev.csv" && mkdir "$T/d/corpora/youtube-dev.csv"
    local c
    for c in nb_variants.py "bench_rules.py --out $T/o" "bench_speed.py --out $T/o"; do
        [ "$c" != "${c#bench_speed.py}" ] && cp "$T/u/corpora/youtube-dev.csv" "$T/u/corpora/sms.csv"
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY_SHARED="$T/u" python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" ".csv:4: not UTF-8 (byte 0xe9)" || return 1
        lines "$T/err" 1 || return 1
    done
    expect_status 1 env KINDLY_SHARED="$T/q" python3 "$ROOT/tools/nb_variants.py"
    contains "$T/err" "nb_variants: $T/q/corpora/youtube-dev.csv:4: unexpected end of data"
    lines "$T/err" 1
    expect_status 1 env KINDLY_SHARED="$T/d" python3 "$ROOT/tools/dupbench.py" build --out "$T/o"
    contains "$T/err" "dupbench: $T/d/corpora/youtube-dev.csv: Is a directory"
    lines "$T/err" 1
    # the fixture's rows are all of one post, p1
    local want="$T/s/corpora/youtube-dev.csv: no rows of Youtube01-Psy, Youtube02-KatyPerry, Youtube03-LMFAO (post_id)"
    tools_corpora "$T/s"
    local scripts=(nb_variants.py "bench_rules.py --out $T/o")
    command -v bogofilter >/dev/null && scripts+=("bench_core.py --out $T/o")
    for c in "${scripts[@]}"; do
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY_SHARED="$T/s" python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" "$want" || return 1
        lines "$T/err" 1 || return 1
        no_traceback || return 1
    done
}

# bench_dup.py writes where --out says: its results to --out/results.json, nothing in tools/out
# (it wrote tools/out/bench_dup.json whatever --out was, the file bench.sh also fills from its
# stdout, and with no tools/out failed after the whole run); one JSON line a size on stdout.
# A copy of tools/ whose tools/out is its own, the smallest run.
test_tools_bench_dup_writes_under_its_out_directory() {
    mkdir -p tree/tools
    cp "$ROOT"/tools/*.py tree/tools/
    ln -s "$ROOT/corpora" tree/corpora && ln -s "$ROOT/tests" tree/tests
    tools_corpora "$T/s"
    expect_status 0 env KINDLY_SHARED="$T/s" timeout 120 python3 tree/tools/bench_dup.py --sizes 20 --queries 10 --out "$T/o"
    lines "$T/out" 1
    contains "$T/out" '{"history": 20, '
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert [x["history"] for x in r] == [20], r' \
        "$T/o/results.json" || fail "results.json: $(cat "$T/o/results.json")"
    [ ! -e tree/tools/out ] || fail "wrote tools/out: $(ls -R tree/tools/out)"
}

# gen_english.py without the Debian packages it reads names them in one line before reading
# anything (a FileNotFoundError traceback, or dpkg-query's CalledProcessError), and -o FILE
# leaves FILE as it was (the documented `> classifier/english_words.inc` emptied the table
# first); a dpkg-query that knows no package stands for a machine without them
test_tools_gen_english_names_missing_packages_and_keeps_its_output() {
    mkdir bin
    printf '#!/bin/sh\nexit 1\n' >bin/dpkg-query && chmod +x bin/dpkg-query
    echo KEEP >w.inc
    expect_status 1 env PATH="$T/bin:$PATH" "$ROOT/tools/gen_english.py" -o w.inc
    contains "$T/err" "gen_english.py: the Debian packages pocketsphinx-en-us, fortunes, fortunes-min, scowl are not installed (apt-get install pocketsphinx-en-us fortunes fortunes-min scowl)"
    lines "$T/err" 1
    [ "$(cat w.inc)" = KEEP ] && [ ! -e w.inc.tmp ] || fail "w.inc: $(cat w.inc)"
    expect_status 1 env PATH="$T/bin:$PATH" "$ROOT/tools/gen_english.py" --only fortunes --no-variants
    contains "$T/err" "the Debian packages fortunes, fortunes-min are not installed"
    [ ! -s "$T/out" ] || fail "wrote: $(head -3 "$T/out")"
}

# bench_prune.py stopped by SIGTERM (a CI runner's stop, timeout(1)) while it prunes stops the
# server it started and removes its temporary directory, the history it generated (both were
# left: Python died at once on the signal); a kindly whose prune waits stands for a long one
test_tools_bench_prune_cleans_up_when_terminated() {
    cat >k <<EOF
#!/bin/sh
case \$1 in
    serve) echo \$\$ >"$T/serve.pid"; exec "$KINDLY" "\$@" ;;
    history) touch "$T/pruning"; exec sleep 30 ;;
    *) exec "$KINDLY" "\$@" ;;
esac
EOF
    chmod +x k
    TMPDIR=$T/tmp && mkdir "$TMPDIR" && export TMPDIR
    python3 "$ROOT/tools/bench_prune.py" --kindly "$T/k" --rows 10 >out 2>err &
    local pid=$! rc=0
    wait_for test -e pruning
    [ -n "$(ls "$TMPDIR")" ] || fail "no temporary directory seen"
    running "$(cat serve.pid)" || fail "no server seen"
    kill -TERM $pid
    wait $pid || rc=$?
    [ $rc -eq 1 ] || fail "exit status $rc"
    contains err "bench_prune: interrupted"
    lines err 1 || fail "$(cat err)"
    [ -z "$(ls "$TMPDIR")" ] || fail "left behind: $(ls "$TMPDIR")"
    ! running "$(cat serve.pid)" || fail "the server still runs"
}

# make bench and make model run the binary the build made: with B=DIR, DIR/kindly, not a stale
# or absent ./kindly (a dry run: nothing is built or measured)
test_tools_make_bench_and_model_use_the_built_binary() {
    expect_status 0 make -s -n -C "$ROOT" B="$T/b" bench model
    contains "$T/out" "KINDLY=$T/b/kindly tools/bench.sh"
    contains "$T/out" "KINDLY=$T/b/kindly tools/bench_server.sh"
    contains "$T/out" "KINDLY=$T/b/kindly tools/build-model.sh"
    [ ! -e "$T/b" ] || fail "a dry run created $T/b"
}

# make help lists the targets, each of them described in README
test_tools_make_help_lists_targets_the_readme_describes() {
    expect_status 0 make -s -C "$ROOT" help
    contains "$T/out" "make check"
    local t
    for t in $(sed -n 's/^make \([a-z][a-z]*\) .*/\1/p' "$T/out"); do
        contains "$ROOT/README.md" "\`make $t" || return 1
    done
}

# the fuzz replay (make fuzz-replay) feeds fuzz_rules the shipped rule set as it is now, from
# models/, not a copy in the corpus that drifts from it (corpus/rules/default.rules was eight
# commits of models/default.rules behind: 9 rules missing, 6 in an older form); from any
# directory (fuzz_rules here records its inputs)
test_tools_fuzz_replay_feeds_the_shipped_rules() {
    mkdir fz sub
    # shellcheck disable=SC2016
    printf '#!/bin/sh\nfor f; do cmp -s "$f" %s/models/default.rules && echo shipped; echo "$f"; done >>%s/args\n' \
        "$ROOT" "$T" >fz/fuzz_rules
    chmod +x fz/fuzz_rules
    (cd sub && expect_status 0 "$ROOT/tests/fuzz/replay.sh" ../fz) || return 1
    contains "$T/out" "ok    fuzz_rules"
    contains args "models/default.rules"
    contains args "shipped"
    contains args "tests/fuzz/corpus/rules/bad_pattern.rules"
    local f
    for f in "$ROOT"/tests/fuzz/corpus/rules/*; do
        ! cmp -s "$f" "$ROOT/models/default.rules" || fail "$f is a copy of models/default.rules" || return 1
    done
}

# dupbench_files: a benchmark of one original and one near copy of it (a typo), in ./b
dupbench_files() {
    mkdir b
    printf 'id,post_id,author,email,ip,text\r\nh1,p1,Ann,ann@example.com,10.0.0.1,%s\r\n' \
        "The breathing exercise from this post helped me sleep much better" >b/history.csv
    printf 'id,post_id,author,email,ip,text\r\nq1,p1,Bob,bob@example.com,10.0.0.2,%s\r\n' \
        "The breathing exercise from this post helped me sleep much beter" >b/queries.csv
    printf 'id,kind,edits,original\r\nq1,near,typo,h1\r\n' >b/truth.csv
}

# dupbench.py eval whose kindly score fails (here: a --threshold kindly refuses) says so in one
# line, with kindly's reason; it was a TypeError traceback (the kindly path joined as a string)
test_tools_dupbench_eval_names_a_failed_score() {
    dupbench_files
    expect_status 1 python3 "$ROOT/tools/dupbench.py" eval --kindly "$KINDLY" --out b --threshold 2
    contains "$T/err" "dupbench: \`"
    contains "$T/err" "kindly score -m "
    contains "$T/err" " --dup-threshold 2.0 "
    contains "$T/err" "exited 3: kindly score: --dup-threshold takes a similarity from 0.01 to 1"
    lines "$T/err" 1
    no_traceback
}

# dupbench.py eval --threshold 0 is given to kindly, which refuses it, not taken for no
# --threshold: the report said "threshold": 0.0 beside the figures of kindly's default, 0.5
test_tools_dupbench_eval_passes_threshold_zero() {
    dupbench_files
    expect_status 1 python3 "$ROOT/tools/dupbench.py" eval --kindly "$KINDLY" --out b --threshold 0
    contains "$T/err" "--dup-threshold takes a similarity from 0.01 to 1, or 'off' (got '0.0')"
    not_contains "$T/out" '"threshold"'
    expect_status 0 python3 "$ROOT/tools/dupbench.py" eval --kindly "$KINDLY" --out b --threshold 0.5
    contains "$T/out" '"threshold": 0.5,'
    contains "$T/out" '"near_recall": 1.0,'
}

# a count or a duration out of range, or not a number, is refused by the option's name before
# anything runs (exit 2, as argparse refuses an unknown option): each ended in a traceback
# after the work before it (a KeyError, ZeroDivisionError, IndexError or ValueError), or ran
# on (bench_prune --rows -5: "history: -5 comments")
test_tools_benchmarks_refuse_counts_out_of_range() {
    tools_corpora "$T/s"
    local c o="--out $T/o"
    for c in "bench_relevance.py $o --only speed --repeat 0:--repeat" "bench_relevance.py $o --only speed --copies 0:--copies" \
             "bench_dup.py $o --sizes x:--sizes" "bench_dup.py $o --sizes 0:--sizes" "bench_dup.py $o --sizes 20,10:--sizes" \
             "bench_dup.py $o --sizes 10 --queries 0:--queries" "bench_dup.py $o --instructions -1:--instructions" \
             "dupbench.py build $o --near -1:--near" "bench_prune.py --rows -5:--rows" \
             "bench_feedback.py 1 no --seconds 0:--seconds" "bench_feedback.py 1 no --seconds nan:--seconds"; do
        # shellcheck disable=SC2086
        expect_status 2 env KINDLY_SHARED="$T/s" timeout 60 python3 "$ROOT"/tools/${c%:*} || return 1
        contains "$T/err" "error: argument ${c#*:}: " || return 1
        no_traceback || return 1
        [ ! -e "$T/o" ] || fail "${c%:*} wrote $T/o" || return 1
    done
}

# bench_relevance.py whose kindly train, posts or score fails (outside the speed runs) says so
# in one line, with kindly's reason, as when a speed run fails: it was a TypeError traceback
# (the kindly path joined as a string), kindly's message lost. With --out and --shared
# relative to the directory it is run from
test_tools_bench_relevance_names_a_failed_command() {
    # shellcheck disable=SC2016
    printf '#!/bin/sh\n[ "$1" = train ] && { echo "kindly train: disk full" >&2; exit 5; }\nexec "%s" "$@"\n' \
        "$KINDLY" >k && chmod +x k
    tools_corpora s
    expect_status 1 python3 "$ROOT/tools/bench_relevance.py" --kindly k --shared s --only wellness --out o
    contains "$T/err" "bench_relevance: \`$T/k train -q -m $T/o/wellness.db corpora/comments.csv\` exited 5: kindly train: disk full"
    lines "$T/err" 1
    no_traceback
    expect_status 0 python3 "$ROOT/tools/bench_relevance.py" --kindly "$KINDLY" --shared s --only wellness --out o --sweep
    contains "$T/out" '{"wellness": {"offtopic.csv": {"n": 150, '
    [ -e o/wellness.db ] || fail "no o/wellness.db"
}

# a command run with its output captured that fails is named with the end of its message
# (bench_dup's kindly history, score: "exited 5" alone, kindly's reason lost)
test_tools_failed_command_keeps_its_message() {
    # shellcheck disable=SC2016
    printf '#!/bin/sh\n[ "$1" = history ] && { echo "kindly history: database is locked" >&2; exit 5; }\nexec "%s" "$@"\n' \
        "$KINDLY" >k && chmod +x k
    tools_corpora "$T/s"
    expect_status 1 env KINDLY_SHARED="$T/s" timeout 60 python3 "$ROOT/tools/bench_dup.py" --kindly "$T/k" \
        --sizes 10 --queries 5 --out "$T/o"
    contains "$T/err" "bench_dup: \`$T/k history -m $T/o/m.db\` exited 5: kindly history: database is locked"
    lines "$T/err" 1
}

# bench_dup.py on a machine without the sqlite3 shell (its checkpoint now uses Python's
# module) runs, and with --instructions but no valgrind says so before building anything: both
# failed after the history was built ("sqlite3: not found", minutes into a 1M run)
test_tools_bench_dup_needs_no_sqlite3_shell_and_names_valgrind_first() {
    local py
    py=$(python3 -c 'import sys; print(sys.executable)')
    mkdir "$T/bin"
    ln -s "$py" "$T/bin/python3"
    ln -s "$(type -P cp)" "$T/bin/cp"
    tools_corpora "$T/s"
    expect_status 0 timeout 120 env PATH="$T/bin" KINDLY_SHARED="$T/s" "$T/bin/python3" "$ROOT/tools/bench_dup.py" \
        --kindly "$KINDLY" --sizes 20 --queries 10 --out "$T/o"
    contains "$T/out" '{"history": 20, '
    expect_status 1 timeout 120 env PATH="$T/bin" KINDLY_SHARED="$T/s" "$T/bin/python3" "$ROOT/tools/bench_dup.py" \
        --kindly "$KINDLY" --sizes 20 --queries 10 --instructions 5 --out "$T/o2"
    contains "$T/err" "bench_dup: valgrind is not installed"
    lines "$T/err" 1
    [ ! -e "$T/o2" ] || fail "wrote $T/o2"
}

# bench_server.sh says why it stops: a DURATION that is no count of seconds is refused before
# a server starts, and a wrk that fails is named with the end of what it said (both ended the
# script with status 1 and no word, wrk's usage in the run's tools/out file)
test_tools_bench_server_names_a_failed_wrk() {
    mkdir -p bin tree/tools tree/models
    cp "$ROOT"/tools/*.sh tree/tools/
    cp "$ROOT/models/default.db" tree/models/
    printf '#!/bin/sh\necho "unable to load script"\nexit 1\n' >bin/wrk && chmod +x bin/wrk
    expect_status 2 env PATH="$T/bin:$PATH" KINDLY="$KINDLY" DURATION=x timeout 30 tree/tools/bench_server.sh
    contains "$T/err" "bench_server: DURATION is a whole number of seconds from 1 (got 'x')"
    lines "$T/err" 1
    expect_status 1 env PATH="$T/bin:$PATH" KINDLY="$KINDLY" DURATION=1 timeout 30 tree/tools/bench_server.sh
    contains "$T/err" "bench_server: wrk exited 1 in run c64: unable to load script (tools/out/bench_server_c64.txt)"
    lines "$T/err" 1
}

# a video of youtube-dev.csv without ham (or spam) rows is named in one line: each split's AUC
# and ham false-positive rate need both (a ZeroDivisionError traceback in nb_variants, a
# TypeError on kindly eval's null AUC in bench_rules, after the evaluations before it)
test_tools_youtube_video_of_one_label_is_named() {
    tools_corpora "$T/s"
    local v c
    {
        printf 'id,post_id,author,label,text\r\n'
        for v in Youtube01-Psy Youtube02-KatyPerry Youtube03-LMFAO; do
            printf '%s-1,%s,Ann,spam,Check out my channel\r\n' "$v" "$v"
            [ $v = Youtube02-KatyPerry ] || printf '%s-2,%s,Bob,ham,Great song\r\n' "$v" "$v"
        done
    } >"$T/s/corpora/youtube-dev.csv"
    for c in nb_variants.py "bench_rules.py --out $T/o" "bench_core.py --out $T/o"; do
        # shellcheck disable=SC2086
        expect_status 1 env KINDLY_SHARED="$T/s" timeout 120 python3 "$ROOT"/tools/$c || return 1
        contains "$T/err" "$T/s/corpora/youtube-dev.csv: no ham rows of Youtube02-KatyPerry (post_id)" || return 1
        lines "$T/err" 1 || return 1
        no_traceback || return 1
    done
}

# bench_prune.py --keep-model keeps the model as the run left it: it copied the file alone,
# without its WAL, which still held the last transactions (the server's last remembered
# comments), so the kept model lacked some. Its comments are the generated ones, less those
# pruned, and one a server request. A copy of tools/, whose tools/out is its own
test_tools_bench_prune_keeps_the_whole_model() {
    mkdir -p tree/tools tree/models
    cp "$ROOT"/tools/*.py tree/tools/
    cp "$ROOT/models/default.db" tree/models/
    ln -s "$ROOT/corpora" tree/corpora
    expect_status 0 timeout 120 python3 tree/tools/bench_prune.py --kindly "$KINDLY" --rows 300 --keep-model
    local rows pruned requests
    rows=$(sed -n 's/^history: \([0-9]*\) comments.*/\1/p' "$T/out")
    pruned=$(sed -n 's/^prune: \([0-9]*\) deleted.*/\1/p' "$T/out")
    requests=$(sed -n 's/^server .*slowest [0-9.]* s (\([0-9]*\) requests.*/\1/p' "$T/out")
    "$KINDLY" history -m tree/tools/out/bench_prune.db >stats.json
    contains stats.json "\"comments\":$((rows - pruned + requests)),"
}
