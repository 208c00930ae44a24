# t_cli.sh - the kindly command line, end to end: help, train, score, check, learn, merge,
# eval, bad input. Sourced by run.sh; each test_* runs in a fresh directory $T.
D=$ROOT/tests/e2e/data

train_small() { "$KINDLY" train -q -m "$T/m.db" "$D/train.csv"; }
# the model m.db has the counts it had when before.json was written (kindly info)
as_before() {
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "the model is not as before: $(cat before.json) vs $(cat after.json)"
}

test_help_lists_commands_and_explains_each() {
    expect_status 0 "$KINDLY" --help
    for c in train score check learn eval merge info help; do contains "$T/out" "  $c"; done
    expect_status 0 "$KINDLY" help score
    contains "$T/out" "usage: kindly score"
    contains "$T/out" "Exit status"
    expect_status 0 "$KINDLY" check --help
    contains "$T/out" "0 approve, 1 spam, 2 hold"
}

# --help (-h) and --version are 'kindly help' and 'kindly version' spelled as options, and
# take what those take: 'kindly --help score' printed the list of commands, dropping 'score'
# without a word, and 'kindly --version extra' printed the version and exit 0, where 'kindly
# version extra' is a usage error, as its help says
test_help_and_version_options_take_what_the_commands_take() {
    "$KINDLY" help score >want.txt
    for h in --help -h; do
        expect_status 0 "$KINDLY" $h score
        cmp -s want.txt "$T/out" || fail "kindly $h score is not kindly help score: $(head -1 "$T/out")"
        expect_status 3 "$KINDLY" $h frobnicate
        contains "$T/err" "no command 'frobnicate'"
        expect_status 3 "$KINDLY" $h score train
        contains "$T/err" "takes one command"
    done
    expect_status 3 "$KINDLY" --version extra
    contains "$T/err" "kindly version: takes no argument ('extra')"
    expect_status 0 "$KINDLY" --version
    [ "$(cat "$T/out")" = "$("$KINDLY" version)" ] || fail "--version: $(cat "$T/out")"
}

test_wrong_commands_and_flags_are_usage_errors() {
    expect_status 3 "$KINDLY"
    expect_status 3 "$KINDLY" frobnicate
    contains "$T/err" "no command 'frobnicate'"
    expect_status 3 "$KINDLY" score --bogus
    contains "$T/err" "unknown or incomplete option '--bogus'"
    contains "$T/err" "kindly help score"
    expect_status 3 "$KINDLY" score --spam-cutoff 2
    expect_status 3 "$KINDLY" score --format xml
    expect_status 3 "$KINDLY" train -m x.db
    expect_status 3 "$KINDLY" eval --folds 1 x.csv
    expect_status 3 "$KINDLY" learn -m x.db --raw
    # a stray argument is named as one, not as an option (and version took anything)
    expect_status 3 "$KINDLY" info -m x.db extra.db
    contains "$T/err" "kindly info: takes no file ('extra.db'): name the model with -m"
    expect_status 3 "$KINDLY" history extra.db
    contains "$T/err" "takes no file ('extra.db')"
    expect_status 3 "$KINDLY" version --bogus
    contains "$T/err" "kindly version: takes no argument ('--bogus')"
    # help takes one command (a second was ignored, exit 0)
    expect_status 3 "$KINDLY" help score extra
    contains "$T/err" "kindly help: takes one command ('extra' after 'score')"
}

# A flag given a value (GNU's --opt=VALUE spelling) is named as a flag that takes none (it was
# "unknown or incomplete option '--remember=yes'", for an option the help lists); an option
# the command does not know is still unknown
test_a_flag_given_a_value_says_it_takes_none() {
    expect_status 3 "$KINDLY" score --remember=yes "$D/score.csv"
    contains "$T/err" "kindly score: option '--remember' takes no value (got '--remember=yes')"
    contains "$T/err" "Try 'kindly help score'."
    expect_status 3 "$KINDLY" history -m m.db --prune=3
    contains "$T/err" "kindly history: option '--prune' takes no value (got '--prune=3')"
    expect_status 3 "$KINDLY" rules --check=1
    contains "$T/err" "kindly rules: option '--check' takes no value (got '--check=1')"
    expect_status 3 "$KINDLY" score --bogus=1 "$D/score.csv"
    contains "$T/err" "kindly score: unknown or incomplete option '--bogus=1'"
    expect_status 3 "$KINDLY" score --re=1 "$D/score.csv"
    contains "$T/err" "kindly score: unknown or incomplete option '--re=1'"
    # an option of another command, named in the help's prose ("eval --remember"), is not this one's
    expect_status 3 "$KINDLY" history -m m.db --remember=yes
    contains "$T/err" "kindly history: unknown or incomplete option '--remember=yes'"
    not_contains "$T/err" "takes no value"
    # a value of --format given as a flag of its own is pointed to --format
    expect_status 3 "$KINDLY" score --csv "$D/score.csv"
    contains "$T/err" "kindly score: unknown option '--csv' (the output is chosen by --format csv; the default is --format json)"
    expect_status 3 "$KINDLY" score --json "$D/score.csv"
    contains "$T/err" "kindly score: unknown option '--json' (json is the default output: leave it out; --format chooses another)"
    expect_status 3 "$KINDLY" score --xml "$D/score.csv"
    contains "$T/err" "kindly score: unknown or incomplete option '--xml'"
}

# The mistakes of a first run are named for what they are: an option whose value is missing
# (it was "unknown or incomplete option '-m'", an option the help lists), and options put
# before the command (it was "no command '-m'" and the overview)
test_a_missing_value_and_options_before_the_command_are_named() {
    expect_status 3 "$KINDLY" train -m
    contains "$T/err" "kindly train: option '-m' needs a value after it (-m MODEL.db)"
    contains "$T/err" "Try 'kindly help train'."
    expect_status 3 "$KINDLY" eval x.csv --folds
    contains "$T/err" "kindly eval: option '--folds' needs a value after it (--folds K)"
    expect_status 3 sh -c "echo hi | \"$KINDLY\" check --author"
    contains "$T/err" "kindly check: option '--author' needs a value after it (--author NAME)"
    expect_status 3 "$KINDLY" learn -m m.db --raw --spam --id
    contains "$T/err" "kindly learn: option '--id' needs a value after it (--id ID)"
    # a numeric flag says what it takes, as before
    expect_status 3 "$KINDLY" score x.csv --dup-threshold
    contains "$T/err" "kindly score: --dup-threshold takes a similarity from 0.01 to 1, or 'off' (got nothing)"
    # an option the command does not take is still unknown
    expect_status 3 "$KINDLY" merge out.db in.db --folds
    contains "$T/err" "kindly merge: unknown option '--folds'"
    # after --, a file
    expect_status 5 "$KINDLY" train -m m.db -- -m
    contains "$T/err" "kindly train: cannot open comments file -m: No such file"
    # and never an option's value: an option before -- has none (score took the CSV file for
    # its model, and failed on it as not a kindly model)
    expect_status 3 "$KINDLY" score -m -- "$D/score.csv"
    contains "$T/err" "kindly score: option '-m' needs a value after it (-m MODEL.db)"
    expect_status 3 "$KINDLY" score --rules -- "$D/score.csv"
    contains "$T/err" "kindly score: option '--rules' needs a value after it (--rules FILE)"
    expect_status 3 sh -c "echo hi | \"$KINDLY\" check --author -- -m"
    contains "$T/err" "kindly check: option '--author' needs a value after it (--author NAME)"
    expect_status 3 "$KINDLY" -m blog.db score new.csv
    contains "$T/err" "kindly: no command '-m': the command comes first, then its options: kindly score -m blog.db new.csv"
    not_contains "$T/err" "Commands:"
    expect_status 3 "$KINDLY" --frobnicate
    contains "$T/err" "no command '--frobnicate'"
    contains "$T/err" "Commands:"
}

test_train_then_score_one_json_line_per_row_in_order() {
    expect_status 0 "$KINDLY" train -m m.db "$D/train.csv"
    contains "$T/err" "learnt 12 comments (6 spam, 6 ham)"
    expect_status 0 "$KINDLY" score -m m.db "$D/score.csv"
    lines "$T/out" 4
    [ "$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$T/out" | tr '\n' ' ')" = "s1 s2 s3 s4 " ] || fail "ids out of order"
    sed -n 2p "$T/out" | grep -q '"verdict":"spam"' || fail "s2 (pharmacy) not spam: $(sed -n 2p "$T/out")"
    sed -n 1p "$T/out" | grep -q '"verdict":"approve"' || fail "s1 not approved: $(sed -n 1p "$T/out")"
    contains "$T/out" '"spam_score":'
    contains "$T/out" '"reasons":["bayes='
}

test_score_reads_stdin_and_writes_csv() {
    train_small
    expect_status 0 sh -c "\"$KINDLY\" score -m m.db --format csv < \"$D/score.csv\""
    lines "$T/out" 5
    head -1 "$T/out" | grep -q '^id,post_id,author,text,verdict,spam_score,bayes_score,rules,duplicate_of,similarity,duplicate_scope,relevance,generic,reasons' || fail "csv header: $(head -1 "$T/out")"
    grep -q 'e-0' "$T/out" && fail "a number in exponent notation: $(grep 'e-0' "$T/out" | head -1)"
    # every row has the header's number of fields (python's csv module reads it back)
    python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=''))); assert len({len(r) for r in rows}) == 1, rows" "$T/out" || fail "ragged CSV output"
}

# --spreadsheet: a field a spreadsheet would run as a formula gets a ' in front, quoted or
# not; without it every field is written as it came
test_score_csv_for_a_spreadsheet_never_writes_a_formula() {
    train_small
    printf 'id,text\n=1,"=HYPERLINK(""http://x.example"",""click"")"\n2,@SUM(1+1)\n3,-2+3 and a plain text\n4,"\tTab"\n5,plain\n' >f.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv --spreadsheet f.csv
    python3 -c "
import csv,sys
rows=list(csv.reader(open(sys.argv[1], newline='')))
got=[(r[0], r[1]) for r in rows[1:]]
want=[(\"'=1\", \"'=HYPERLINK(\\\"http://x.example\\\",\\\"click\\\")\"), ('2', \"'@SUM(1+1)\"),
      ('3', \"'-2+3 and a plain text\"), ('4', \"'\\tTab\"), ('5', 'plain')]
assert got == want, got
" "$T/out" || fail "escaped: $(cat "$T/out")"
    expect_status 0 "$KINDLY" score -m m.db --format csv f.csv
    contains "$T/out" '=1,"=HYPERLINK(""http://x.example"",""click"")",'
    contains "$T/out" '2,@SUM(1+1),'
    expect_status 3 "$KINDLY" score -m m.db --spreadsheet f.csv
    contains "$T/err" "--spreadsheet is for --format csv"
}

# --format csv output scored again (a moderation export re-checked after retraining): this
# run's verdicts replace the earlier ones, the output never has two columns of one name
test_csv_output_scored_again_replaces_kindlys_columns() {
    train_small
    expect_status 0 "$KINDLY" score -m m.db --format csv "$D/score.csv"
    cp "$T/out" first.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv first.csv
    contains "$T/err" "the input's columns verdict, spam_score"
    cmp -s first.csv "$T/out" || fail "scored again: $(diff first.csv "$T/out" | head -5)"
    # a column of the same name in another case is replaced too; the other columns stay in place
    python3 -c "
import csv,sys
rows=list(csv.reader(open('first.csv', newline='')))
rows[0][4]='VERDICT'
w=csv.writer(open('second.csv','w',newline=''))
w.writerows([r+['note' if i==0 else 'kept'] for i,r in enumerate(rows)])
"
    expect_status 0 "$KINDLY" score -m m.db --format csv second.csv
    python3 -c "
import csv,sys
rows=list(csv.reader(open(sys.argv[1], newline='')))
h=rows[0]
assert len(h)==len(set(c.lower() for c in h)), h
assert h[:5]==['id','post_id','author','text','note'], h
assert all(r[4]=='kept' for r in rows[1:]), rows
" "$T/out" || fail "columns: $(head -2 "$T/out")"
    # each column replaced is named as the input spells it (two spam_score columns, one in
    # capitals, are two columns: both named), a spelling the input repeats once
    printf 'id,spam_score,text,SPAM_SCORE,verdict,spam_score\na,0.5,hello there,0.9,hold,0.1\n' >third.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv third.csv
    [ "$(grep -v 'duplicate column name' "$T/err")" = "kindly score: the input's columns spam_score, SPAM_SCORE, verdict are kindly's own: this run's values replace them" ] ||
        fail "stderr: $(cat "$T/err")"
    # one column is named as one
    printf 'id,text,verdict\na,hello there,hold\n' >fourth.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv fourth.csv
    [ "$(cat "$T/err")" = "kindly score: the input's column verdict is kindly's own: this run's values replace it" ] ||
        fail "stderr: $(cat "$T/err")"
    # in capitals, it is named in capitals, not in kindly's spelling
    printf 'id,text,VERDICT\na,hi,x\n' >fifth.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv fifth.csv
    [ "$(cat "$T/err")" = "kindly score: the input's column VERDICT is kindly's own: this run's values replace it" ] ||
        fail "stderr: $(cat "$T/err")"
    [ "$(head -1 "$T/out")" = "$(printf 'id,text,verdict,spam_score,bayes_score,rules,duplicate_of,similarity,duplicate_scope,relevance,generic,reasons\r')" ] ||
        fail "header: $(head -1 "$T/out")"
}

test_check_exit_codes_follow_the_verdict() {
    train_small
    echo "Cheap xanax and valium, no prescription, order now http://rx-direct.example" >c.txt
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db < c.txt"
    contains "$T/out" '"verdict":"spam"'
    echo "The breathing exercise and the journal helped me sleep, thank you" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db < c.txt"
    # no known token: no evidence, the score is 0.5 and a human should look
    echo "lorem ipsum dolor" >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check -m m.db < c.txt"
    contains "$T/out" '"verdict":"hold"'
    expect_status 5 sh -c "\"$KINDLY\" check -m missing.db < c.txt"
    contains "$T/err" "missing.db"
}

# The process's heap is marked for transparent huge pages (MADV_HUGEPAGE: 'hg' in the
# VmFlags of /proc/PID/smaps) from a 2 MiB boundary, before its first malloc (heap.c: a
# one-comment check took ~60 fewer page faults); under a data limit the span does not fit
# under, kindly works as before
test_the_heap_is_marked_for_huge_pages_and_a_data_limit_changes_nothing() {
    [ -r /proc/self/smaps ] || skip "no /proc/PID/smaps here"
    [ -e /sys/kernel/mm/transparent_hugepage ] || skip "no transparent huge pages in this kernel"
    san=$(printf '%s' "${KINDLY_MAKE_ARGS:-}" | sed -n 's/.*SANITIZE=\([^ ]\{1,\}\).*/\1/p')
    [ -z "$san" ] || skip "a sanitizer's malloc is not glibc's"
    train_small
    mkfifo in
    "$KINDLY" check -m m.db <in >out 2>err &
    local pid=$!
    exec 3>in
    # check reads its comment after its start; its heap is there by then
    local i=0 found=
    while [ $i -lt 100 ] && [ -z "$found" ]; do
        found=$(awk '/^[0-9a-f]+-[0-9a-f]+ /{range=$1} /^VmFlags:.* hg( |$)/{print range}' "/proc/$pid/smaps")
        [ -n "$found" ] || sleep 0.05
        i=$((i + 1))
    done
    echo "The breathing exercise helped me sleep" >&3
    exec 3>&-
    wait $pid || fail "check exited with $?: $(cat err)"
    [ -n "$found" ] || fail "no mapping of kindly check marked hg"
    local start=${found%%-*}
    [ $((0x$start % 2097152)) -eq 0 ] || fail "the huge-page span starts at $start, not at a 2 MiB boundary"
    # 64 MiB would not fit under this limit: malloc works as it did, and so does check
    local vm
    vm=$(sed -n 's/^VmData: *\([0-9]*\) kB/\1/p' /proc/self/status)
    expect_status 0 bash -c "ulimit -d $((vm + 32768)); echo 'The breathing exercise helped me sleep' | \"$KINDLY\" check -m m.db"
    contains "$T/out" '"verdict":"approve"'
}

test_model_from_environment_and_write_needs_a_name() {
    train_small
    echo "Cheap xanax and valium, no prescription, order now http://rx-direct.example" >c.txt
    KINDLY_MODEL=$T/m.db expect_status 1 sh -c "\"$KINDLY\" check < c.txt"
    expect_status 3 "$KINDLY" learn --spam --raw
    contains "$T/err" "never written to"
}

# A CSV file named where the model goes (the model and the comments swapped: train -m
# comments.csv blog.db) was "not a kindly model: file is not a database", SQLite's words,
# which said nothing of the mix-up; a text file is said to be one (a binary file of another
# program is not: its bytes are no text)
test_a_csv_file_named_as_the_model_is_said_to_be_text() {
    train_small
    for cmd in "score -m $D/score.csv m.db" "train -m $D/train.csv m.db" "info -m $D/score.csv"; do
        expect_status 5 "$KINDLY" $cmd
        contains "$T/err" "is not a kindly model: file is not a database (it is text: a CSV file?"
    done
    expect_status 5 "$KINDLY" merge out.db m.db "$D/train.csv"
    contains "$T/err" "train.csv is not a kindly model: file is not a database (it is text: a CSV file?"
    printf 'SQLite format 3\000junk\001\002' >other.db
    head -c 600 /dev/zero >>other.db
    expect_status 5 "$KINDLY" info -m other.db
    contains "$T/err" "other.db is not a kindly model: file is not a database"
    not_contains "$T/err" "it is text"
}

# A model named by $KINDLY_MODEL that cannot be opened is said to come from there: set in a
# shell profile and forgotten, it was named as if the user had typed it
test_a_model_from_the_environment_that_fails_says_so() {
    echo "a comment" >c.txt
    expect_status 5 env KINDLY_MODEL="$T/nowhere/blog.db" sh -c "\"$KINDLY\" check < c.txt"
    contains "$T/err" "cannot open model $T/nowhere/blog.db: no such file (named by \$KINDLY_MODEL;"
    expect_status 5 env KINDLY_MODEL="$T/nowhere/blog.db" "$KINDLY" train "$D/train.csv"
    contains "$T/err" "(named by \$KINDLY_MODEL)"
    expect_status 5 env KINDLY_MODEL="$T/nowhere/blog.db" "$KINDLY" serve --listen 127.0.0.1:0
    contains "$T/err" "cannot open model $T/nowhere/blog.db: no such file (named by \$KINDLY_MODEL)"
    echo "not a model" >junk.db
    expect_status 5 env KINDLY_MODEL=junk.db "$KINDLY" info
    contains "$T/err" "junk.db is not a kindly model"
    contains "$T/err" "(named by \$KINDLY_MODEL)"
    # -m overrides it, and then nothing is blamed on it
    expect_status 5 env KINDLY_MODEL=junk.db sh -c "\"$KINDLY\" check -m missing.db < c.txt"
    contains "$T/err" "cannot open model missing.db: no such file (kindly train -m missing.db FILE.csv creates one)"
    not_contains "$T/err" 'KINDLY_MODEL'
    # set but empty (KINDLY_MODEL=$UNSET_VARIABLE) it is as unset, as README and kindly(1) say:
    # the shipped default model is read, and a writing command asks for -m
    expect_status 0 env KINDLY_MODEL= "$KINDLY" info
    contains "$T/out" 'default.db"'
    expect_status 3 env KINDLY_MODEL= "$KINDLY" train "$D/train.csv"
    contains "$T/err" "name the model to write with -m MODEL.db (or set \$KINDLY_MODEL)"
}

# on_tty INPUT CMD...: run CMD with a terminal as standard input, typing INPUT and then
# Ctrl-D (stdout and stderr kept in $T/out and $T/err, exit status returned)
on_tty() {
    python3 - "$@" >"$T/out" 2>"$T/err" <<'PY'
import os, subprocess, sys
m, s = os.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=s, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(s)
os.write(m, sys.argv[1].encode() + b"\n\x04")
try:
    out, err = p.communicate(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); p.wait()
    sys.exit("still waiting for input 10 s after Ctrl-D")
sys.stdout.buffer.write(out); sys.stderr.buffer.write(err); sys.exit(p.returncode)
PY
}

# A comment typed at a terminal ends at the first Ctrl-D: check, learn --raw and rules --test
# read on after it (a short read was read again, and a terminal answers that with more
# input), so one Ctrl-D after the comment did nothing and the command seemed hung
test_a_comment_typed_at_a_terminal_ends_at_the_first_ctrl_d() {
    train_small
    on_tty "hello there" "$KINDLY" check -m m.db || [ $? -eq 2 ] || fail "check: $(cat "$T/err")"
    contains "$T/out" '"verdict":'
    on_tty "hello there" "$KINDLY" learn -m m.db --ham --raw || fail "learn: $(cat "$T/err")"
    contains "$T/err" "learnt 1 comment"
    on_tty "hello there" "$KINDLY" rules --test || fail "rules --test: $(cat "$T/err")"
}

# A command that reads standard input says so when it is a terminal, with how to end the
# input: `kindly score -m blog.db` with the file forgotten, or `kindly check` typed without
# '< comment.txt', waited in silence and looked hung; from a pipe or a file nothing is said
test_reading_a_terminal_says_how_to_end_the_input() {
    train_small
    on_tty "Cheap xanax and valium, no prescription, order now http://rx-direct.example" "$KINDLY" check -m m.db || [ $? -eq 1 ] || fail "check: exit status"
    contains "$T/err" "kindly check: reading the comment from the terminal; end it with Ctrl-D on a line of its own"
    contains "$T/out" '"verdict":"spam"'
    on_tty "id,text" "$KINDLY" score -m m.db || fail "score: exit status"
    contains "$T/err" "kindly score: reading CSV from the terminal, its header row first (id,text,...); end it with Ctrl-D"
    on_tty "hello there" "$KINDLY" learn -m m.db --ham --raw || fail "learn: exit status"
    contains "$T/err" "kindly learn: reading the comment from the terminal"
    on_tty "hello" "$KINDLY" rules --test || fail "rules --test: exit status"
    contains "$T/err" "kindly rules: reading the comment from the terminal"
    on_tty "id,text,label" "$KINDLY" train -m m.db - || [ $? -eq 4 ] || fail "train: exit status"
    contains "$T/err" "kindly train: reading CSV from the terminal"
    echo "hello there" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db < c.txt"
    not_contains "$T/err" "terminal"
    expect_status 0 sh -c "\"$KINDLY\" score -m m.db < \"$D/score.csv\""
    not_contains "$T/err" "terminal"
}

test_learn_and_undo_round_trip() {
    train_small
    "$KINDLY" info -m m.db >before.json
    echo "a brand new kind of spam about miracle gummies" | "$KINDLY" learn -m m.db --spam --raw
    "$KINDLY" info -m m.db >after.json
    grep -q '"spam_messages":7' after.json || fail "learn did not add: $(cat after.json)"
    echo "a brand new kind of spam about miracle gummies" | "$KINDLY" learn -m m.db --spam --raw --undo
    "$KINDLY" info -m m.db >undone.json
    cmp -s before.json undone.json || fail "undo did not restore: $(cat before.json) vs $(cat undone.json)"
}

# An undo of comments the model never learnt (or learnt with the other label, or undone
# already) is refused, naming the row and the word that tells, and nothing is written: it
# used to clamp the counts at zero, taking other comments' words and the prior with it.
test_learn_undo_of_a_comment_never_learnt_names_the_row() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'id,text\nt08,"Cheap xanax and valium, no prescription needed, fast delivery. Order now: http://rx-direct.example"\nn1,zebrafish and quokkas\n' >undo.csv
    expect_status 3 "$KINDLY" learn -m m.db --spam --undo undo.csv
    contains "$T/err" 'undo.csv:3: cannot unlearn this comment as spam: its word "zebrafish" has no spam count left'
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "the refused undo changed the model: $(cat after.json)"
    # learnt as spam, undone as ham; and the --raw comment of no id
    expect_status 3 "$KINDLY" learn -m m.db --ham --undo "$D/train.csv"
    contains "$T/err" "train.csv:8: cannot unlearn this comment as ham"
    echo "zebrafish and quokkas" >z.txt
    expect_status 3 "$KINDLY" learn -m m.db --ham --raw --undo <z.txt
    contains "$T/err" "so it was not learnt as ham (or was undone already)"
    # learnt, undone, undone again
    "$KINDLY" learn -q -m m.db --ham --raw <z.txt
    expect_status 0 "$KINDLY" learn -m m.db --ham --raw --undo <z.txt
    expect_status 3 "$KINDLY" learn -m m.db --ham --raw --undo <z.txt
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "learn and undo did not restore: $(cat after.json)"
}

# A comment given its label with --raw --id and then undone from a CSV file is taken back once:
# the raw undo after it finds the label taken back (it took the comment's counts a second
# time, from the other spam sharing its words: spam_messages one below the model's before)
test_learn_undo_of_a_csv_row_takes_its_raw_label_back_once() {
    train_small
    "$KINDLY" info -m m.db >before.json
    echo "zorblax special offer qwerty" >x.txt
    "$KINDLY" learn -q -m m.db --spam --raw --id x1 <x.txt
    printf 'id,text\nx1,zorblax special offer qwerty\n' >x.csv
    expect_status 0 "$KINDLY" learn -m m.db --spam --undo x.csv
    contains "$T/err" "kindly learn: unlearnt 1 comment (1 spam, 0 ham)"
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id x1 <x.txt
    contains "$T/err" "comment x1 is not learnt as spam: nothing to undo"
    as_before
}

# One id is one comment: a second row of an id in one file (an export given twice, an id
# column that is not unique) is not learnt, whatever its label and text; it is named, with
# the line that was learnt, and the exit status says rows were skipped. It was learnt both
# ways (spam and ham at once), or twice, without a word.
test_learn_and_train_learn_an_id_once_a_file() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'id,label,text\nd1,spam,zorblax special offer qwerty\nd1,ham,zorblax special offer qwerty\nd2,spam,zorblax deal\nd2,spam,zorblax deal today\nd3,spam,zorblax gummies\nd3,spam,zorblax gummies\n' >dup.csv
    expect_status 4 "$KINDLY" learn -m m.db dup.csv
    contains "$T/err" "dup.csv:3: id d1 already learnt as spam at line 2, and this row says ham: an id is learnt once a file (row skipped)"
    contains "$T/err" "dup.csv:5: id d2 already learnt as spam at line 4: an id is learnt once a file (row skipped)"
    contains "$T/err" "dup.csv:7: id d3 already learnt as spam at line 6: an id is learnt once a file (row skipped)"
    contains "$T/err" "kindly learn: learnt 3 comments (3 spam, 0 ham); 3 bad rows skipped"
    "$KINDLY" info -m m.db | grep -q '"spam_messages":9,"ham_messages":6' || fail "$("$KINDLY" info -m m.db)"
    # its undo takes back what was learnt, once
    expect_status 4 "$KINDLY" learn -m m.db --undo dup.csv
    contains "$T/err" "dup.csv:3: id d1 already unlearnt as spam at line 2, and this row says ham: an id is unlearnt once a file (row skipped)"
    contains "$T/err" "kindly learn: unlearnt 3 comments (3 spam, 0 ham); 3 bad rows skipped"
    as_before
    # --spam gives every row one label; an id in two files is two comments
    printf 'id,text\nd9,zorblax special offer\nd9,zorblax special offer again\n' >d9.csv
    expect_status 4 "$KINDLY" learn -m m.db --ham d9.csv
    contains "$T/err" "d9.csv:3: id d9 already learnt as ham at line 2: an id is learnt once a file (row skipped)"
    printf 'id,text\nd9,zorblax special offer\n' >d9b.csv
    expect_status 0 "$KINDLY" learn -m m.db --ham d9b.csv
    # train so too; ids with a comma and a newline are named as one line
    printf 'id,label,text\n"a,\nb",spam,zorblax special offer qwerty\n"a,\nb",ham,zorblax special offer qwerty\n' >nl.csv
    expect_status 4 "$KINDLY" train -m t.db nl.csv
    contains "$T/err" 'nl.csv:4: id a,\nb already learnt as spam at line 2, and this row says ham: an id is learnt once a file (row skipped)'
    contains "$T/err" "kindly train: learnt 1 comment (1 spam, 0 ham); 1 bad row skipped"
    # rows without an id are each a comment
    printf 'id,label,text\n,spam,zorblax special offer\n,spam,zorblax special offer\n' >noid.csv
    expect_status 0 "$KINDLY" train -m t.db noid.csv
}

# The ids of a large file are held in a table sized from the file once its first rows are
# read: a file whose later rows are shorter than its first (more ids than the estimate), one
# whose later rows are longer, and the same from a pipe (no size: grown by doubling) each
# learn every id once, and name a second row of an id with its first row's line and label,
# an id from the file's first rows and one from its last
test_train_learns_an_id_once_in_a_file_of_many_ids() {
    long=$(printf 'zorblax%.0s ' $(seq 40))
    for first in long short; do
        awk -v long="$long" -v first=$first 'BEGIN { print "id,label,text";
            for (i = 1; i <= 6000; i++)
                printf "c%d,%s,%s %d\n", i, i % 3 ? "ham" : "spam", (i <= 1200) == (first == "long") ? long : "w", i;
            print "c1,spam,again"; print "c6000,spam,again"; print "c3001,ham,again" }' >$first.csv
        for src in $first.csv -; do
            rm -f t.db
            expect_status 4 "$KINDLY" train -m t.db "$src" <$first.csv
            contains "$T/err" ":6002: id c1 already learnt as ham at line 2, and this row says spam: an id is learnt once a file (row skipped)"
            contains "$T/err" ":6003: id c6000 already learnt as spam at line 6001: an id is learnt once a file (row skipped)"
            contains "$T/err" ":6004: id c3001 already learnt as ham at line 3002: an id is learnt once a file (row skipped)"
            contains "$T/err" "kindly train: learnt 6000 comments (2000 spam, 4000 ham); 3 bad rows skipped"
        done
    done
}

# Two different texts whose 31-bit history hashes are equal (test_feedback has how they were
# found) are two texts: a check of the one after the other was remembered finds a near copy,
# not an exact one (it said similarity 1.00), and an undo of the one never learnt is refused
# by the counts instead of taking back the other's learning.
test_history_two_texts_of_one_hash_are_two_texts() {
    train_small
    "$KINDLY" info -m m.db >before.json
    a="cheap pills and gummies at zorblax dot example, special offer for you today only, order 93187"
    b="cheap pills and gummies at zorblax dot example, special offer for you today only, order 101317"
    echo "$a" | "$KINDLY" learn -q -m m.db --spam --raw --id a1
    echo "$b" | "$KINDLY" check -m m.db --id b1 >b.json || : # (1: its verdict is spam)
    grep -q '"duplicate_of":"a1","similarity":0\.' b.json || fail "not a near copy: $(cat b.json)"
    echo "$b" | expect_status 3 "$KINDLY" learn -m m.db --spam --raw --undo --id b1
    contains "$T/err" "has no spam count left"
    echo "$a" | expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id a1
    contains "$T/err" "kindly learn: unlearnt 1 comment as spam"
    as_before
}

# An undo under a mistyped --id (one the history has no label for) of a text learnt under
# another id takes that learning back and marks it so: the right id's undo then has nothing to
# undo, in either order, and a CSV row of it is refused. The text is a copy of a spam comment
# of train.csv, so the counts alone could not tell (spam_messages went 7 -> 6 -> 5 for one
# learning)
test_learn_undo_under_a_mistyped_id_takes_the_learning_back_once() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'FREE iPhone giveaway!!! Click http://win-free.example now, limited offer\n' >x.txt
    printf 'id,text\nx1,"%s"\n' "$(cat x.txt)" >x1.csv
    "$KINDLY" learn -q -m m.db --spam --raw --id x1 <x.txt
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id x2 <x.txt
    contains "$T/err" "kindly learn: unlearnt 1 comment as spam: no learning under id x2; took back the learning of the same text under id x1"
    lines "$T/err" 1
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id x1 <x.txt
    contains "$T/err" "comment x1 is not learnt as spam: nothing to undo"
    expect_status 3 "$KINDLY" learn -m m.db --spam --undo x1.csv
    contains "$T/err" "x1.csv:2: cannot unlearn comment x1 as spam: the history has the learning of its text taken back already"
    lines "$T/err" 1
    as_before
    # the other order, the mistyped id from a CSV file
    "$KINDLY" learn -q -m m.db --spam --raw --id x3 <x.txt
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id x3 <x.txt
    sed 's/^x1,/x4,/' x1.csv >x4.csv
    expect_status 3 "$KINDLY" learn -m m.db --spam --undo x4.csv
    contains "$T/err" "x4.csv:2: cannot unlearn comment x4 as spam: the history has the learning of its text taken back already"
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo --id x5 <x.txt
    contains "$T/err" "comment x5 is not learnt as spam: nothing to undo"
    as_before
    # without an id, the undo names the id it took the learning of; one recorded without an
    # id is named by its record, as duplicate_of names it
    "$KINDLY" learn -q -m m.db --spam --raw --id 'x,"6"' <x.txt
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --undo <x.txt
    contains "$T/err" 'kindly learn: unlearnt 1 comment as spam: no id given; took back the learning of the same text under id x,"6"'
    as_before
    printf 'PROMO zorblax qwerty special gummies offer today only, reply now\n' >y.txt
    "$KINDLY" learn -q -m m.db --ham --raw <y.txt
    expect_status 0 "$KINDLY" learn -m m.db --ham --raw --undo --id y1 <y.txt
    grep -Eq "^kindly learn: unlearnt 1 comment as ham: no learning under id y1; took back the learning of the same text recorded without an id \(history:[0-9]+\)$" "$T/err" || fail "$(cat "$T/err")"
    as_before
    # an id that reads like a record's name is an id all the same
    "$KINDLY" learn -q -m m.db --ham --raw --id history:5 <y.txt
    expect_status 0 "$KINDLY" learn -m m.db --ham --raw --undo --id y2 <y.txt
    contains "$T/err" "kindly learn: unlearnt 1 comment as ham: no learning under id y2; took back the learning of the same text under id history:5"
    as_before
}

# A file without an id column: its rows' ids are their line numbers, made up, not ids. A row of
# it is a row without an id, so its undo is checked by the counts, as the README says ("a copy
# that only train learnt is unlearnt by a row without an id"): the history having a learning
# of the same text taken back (here under id n1) refused it, as "comment 2", an id the user
# never gave
test_learn_undo_of_a_file_without_ids_is_checked_by_the_counts() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'FREE iPhone giveaway!!! Click http://win-free.example now, limited offer\n' >n.txt
    printf 'label,text\nspam,"%s"\n' "$(cat n.txt)" >noid.csv
    "$KINDLY" train -q -m m.db noid.csv
    "$KINDLY" learn -q -m m.db --spam --raw --id n1 <n.txt
    "$KINDLY" learn -q -m m.db --spam --raw --undo --id n1 <n.txt
    expect_status 0 "$KINDLY" learn -m m.db --undo noid.csv
    contains "$T/err" "kindly learn: unlearnt 1 comment (1 spam, 0 ham)"
    lines "$T/err" 1
    as_before
}

# learn --raw's word on a comment already learnt quotes its --id as one line: a newline in the
# id printed a second line that read as another message, an ESC reached the terminal
test_learn_raw_escapes_the_id_in_its_messages() {
    "$KINDLY" train -q -m m.db "$D/train.csv"
    echo "zebrafish and quokkas" >z.txt
    id="$(printf 'x\nkindly learn: learnt 9 comments\033[2J')"
    "$KINDLY" learn -q -m m.db --ham --raw --id "$id" <z.txt
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --ham --raw --id \"\$1\" <z.txt" sh "$id"
    contains "$T/err" 'comment x\nkindly learn: learnt 9 comments\x1b[2J was learnt as ham already: nothing to do'
    lines "$T/err" 1
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --spam --raw --undo --id \"\$1\" <z.txt" sh "$id"
    contains "$T/err" 'comment x\nkindly learn: learnt 9 comments\x1b[2J is not learnt as spam: nothing to undo'
    lines "$T/err" 1
}

# A file's name is quoted as one line too, as the README promises of every message on stderr:
# a newline in it printed a second line (a CSV reader's "FILE:LINE: ..." began on it), an ESC
# reached the terminal; so in rules --stats's table on stdout, where '-' is <stdin>, as its
# messages name it
test_file_names_with_control_characters_are_escaped_in_messages() {
    n="$(printf 'e\033[1m\nn')"
    shown='e\x1b[1m\nn'
    printf 'text,label\nbuy cheap pills now,spam\n"never,ham\nnice post thanks,ham\n' >"$n.csv"
    printf 'post_id,title,text\n,t,x\np1,t,some words here\n' >"$n-p.csv"
    printf 'text,label\nbuy cheap pills now,spam\n' >"$n-s.csv"
    "$KINDLY" train -q -m m.db "$n.csv" 2>/dev/null || true
    "$KINDLY" train -q -m s.db "$n-s.csv" 2>/dev/null
    expect_status 4 "$KINDLY" score -m m.db --remember "$n.csv"
    contains "$T/err" "$shown.csv:3: field 'text': unbalanced quote"
    contains "$T/err" "kindly score: warning: $shown.csv has no id column"
    contains "$T/err" "kindly score: 1 bad row skipped"
    lines "$T/err" 3
    expect_status 4 "$KINDLY" eval --train "$n.csv" "$n.csv"
    contains "$T/err" "kindly eval: warning: $shown.csv is also a --train file ($shown.csv)"
    contains "$T/err" "kindly eval: 2 bad rows skipped"
    lines "$T/err" 4
    expect_status 4 "$KINDLY" eval -m "s.db" "$n.csv"
    contains "$T/err" "kindly eval: warning: s.db has learnt no ham"
    expect_status 4 "$KINDLY" posts -m m.db "$n-p.csv"
    contains "$T/err" "$shown-p.csv:2: field 'post_id': no post id (row skipped)"
    contains "$T/err" "kindly posts: $shown-p.csv: 1 row without a post id skipped"
    lines "$T/err" 3
    cp s.db "$n.db"
    expect_status 0 "$KINDLY" score -m "$n.db" "$n-s.csv"
    contains "$T/err" "kindly score: warning: $shown.db has learnt no ham"
    lines "$T/err" 1
    expect_status 0 "$KINDLY" merge "$n-o.db" m.db
    contains "$T/err" "kindly merge: merged 1 model; $shown-o.db now has"
    lines "$T/err" 1
    expect_status 4 "$KINDLY" rules --stats "$n.csv"
    contains "$T/out" "$shown.csv: 1 spam, 1 ham"
    expect_status 4 sh -c "\"$KINDLY\" rules --stats - <\"\$1\"" sh "$n.csv"
    contains "$T/out" "<stdin>: 1 spam, 1 ham"
    ! grep -q "$(printf '\033')" "$T/out" "$T/err" || fail "an ESC was printed"
    printf 'text PILLS /pills/ 1\n' >"$n.rules"
    expect_status 0 "$KINDLY" rules --check "$n.rules"
    contains "$T/out" "$shown.rules: ok, 1 rule"
    lines "$T/out" 1
    expect_status 0 "$KINDLY" rules --compile "$n.rules"
    contains "$T/out" "$shown.rules: compiled into $shown.rules.compiled"
    lines "$T/out" 1
}

# ... and so in train's and learn's summaries and warnings, which name the model
test_train_and_learn_escape_the_model_name() {
    n="$(printf 'e\033[1m\nn')"
    shown='e\x1b[1m\nn'
    printf 'text,label\nbuy cheap pills now,spam\n' >s.csv
    expect_status 0 "$KINDLY" train -m "$n.db" s.csv
    contains "$T/err" "kindly train: warning: $shown.db has no ham messages yet"
    contains "$T/err" "kindly train: $shown.db now has 1 spam and 0 ham messages"
    lines "$T/err" 3
    printf 'text,label\nnice post thanks,ham\n' >h.csv
    expect_status 0 "$KINDLY" learn -m "$n.db" h.csv
    contains "$T/err" "kindly learn: learnt 1 comment (0 spam, 1 ham)"
    lines "$T/err" 2
    ! grep -q "$(printf '\033')" "$T/err" || fail "an ESC was printed"
}

# learn's summary is train's: the spam and ham it learnt (or unlearnt), the rows left out,
# "1 comment" for one (it said "learnt 2 comments", not which)
test_learn_summary_splits_spam_and_ham_as_train_does() {
    train_small
    printf 'id,label,text\n1,spam,cheap pills now\n2,ham,thank you for the kind words\n' >two.csv
    expect_status 0 "$KINDLY" learn -m m.db two.csv
    contains "$T/err" "kindly learn: learnt 2 comments (1 spam, 1 ham)"
    expect_status 0 "$KINDLY" learn -m m.db --undo two.csv
    contains "$T/err" "kindly learn: unlearnt 2 comments (1 spam, 1 ham)"
    printf 'id,label,text\n1,ham,thank you for the kind words\n2,ham,"broken\n' >bad.csv
    expect_status 4 "$KINDLY" learn -m m.db bad.csv
    contains "$T/err" "kindly learn: learnt 1 comment (0 spam, 1 ham); 1 bad row skipped"
    echo "Penalties again, we never win a shoot-out" >other.txt
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --foreign <other.txt
    contains "$T/err" "kindly learn: learnt 1 comment (1 spam, 0 ham, foreign)"
    not_contains "$T/err" "warning"
    # an id given with --foreign is not recorded: said, as a second run counts it again
    expect_status 0 "$KINDLY" learn -m m.db --spam --raw --foreign --id o1 <other.txt
    contains "$T/err" "kindly learn: warning: --id is not recorded with --foreign (other sites' comments are not kept in the history): learnt again, the comment counts again"
    expect_status 0 "$KINDLY" learn -q -m m.db two.csv
    [ ! -s "$T/err" ] || fail "-q wrote: $(cat "$T/err")"
}

# A file refused whole (not comma-separated, no text column, no post id column) is named, and
# no summary follows it as if a run had happened: it was 'learnt 0 comments (0 spam, 0 ham)',
# 'm.db now has ...' and 'imported 0 posts; the model now holds 0' after the refusal. A run
# that read other files says how many were refused.
test_a_file_refused_whole_is_not_followed_by_a_summary() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'foo;bar\n1;2\n' >semi.csv
    printf 'a,b\n1,2\n' >cols.csv
    for f in semi.csv cols.csv; do
        expect_status 4 "$KINDLY" learn -m m.db "$f"
        contains "$T/err" "kindly learn: $f: no text column"
        not_contains "$T/err" "learnt 0"
        lines "$T/err" 1
        expect_status 4 "$KINDLY" learn -m m.db --spam "$f"
        not_contains "$T/err" "learnt 0"
        expect_status 4 "$KINDLY" train -m m.db "$f"
        contains "$T/err" "kindly train: $f: no text column"
        not_contains "$T/err" "learnt 0"
        not_contains "$T/err" "now has"
        lines "$T/err" 1
        expect_status 4 "$KINDLY" posts -m m.db "$f"
        contains "$T/err" "kindly posts: $f: a posts file needs a post_id"
        not_contains "$T/err" "imported 0"
        lines "$T/err" 1
    done
    "$KINDLY" info -m m.db | cmp -s before.json - || fail "the model changed"
    # beside a file that is read: the summary, and the count of files refused
    printf 'id,label,text\n1,spam,cheap pills now\n' >one.csv
    expect_status 4 "$KINDLY" train -m m.db cols.csv one.csv semi.csv
    contains "$T/err" "kindly train: learnt 1 comment (1 spam, 0 ham); 2 files not read (named above)"
    printf 'post_id,title,text\np1,Sleep,About sleep\n' >posts.csv
    expect_status 4 "$KINDLY" posts -m m.db posts.csv cols.csv
    contains "$T/err" "kindly posts: imported 1 post (1 new, 0 updated); 1 file not read (named above); the model now holds 1"
}

# A file that teaches nothing (no labelled row, no row at all) is an error, and no summary
# follows it: learn and posts printed 'learnt 0 comments (0 spam, 0 ham)' or 'imported 0 posts;
# the model now holds 0', and train 'learnt 0 comments' and 'm.db now has ...', a success line
# after the error. A run that did something still sums it up.
test_a_file_that_teaches_nothing_has_no_summary_after_its_error() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'id,label,text\n' >hdr.csv
    printf 'id,text\n1,hello there\n' >nolabel.csv
    printf 'id,label,text\n1,,hello\n' >odd.csv
    printf 'post_id,title,text\n' >posts.csv
    for f in hdr.csv nolabel.csv odd.csv; do
        for c in "train -m m.db" "learn -m m.db" "learn -m m.db --undo"; do
            # shellcheck disable=SC2086
            expect_status 4 "$KINDLY" $c $f
            contains "$T/err" "kindly ${c%% *}: no "
            lines "$T/err" 1
        done
        # what learn's summary said of unlabelled rows, its error says
        [ "$f" = hdr.csv ] || contains "$T/err" "; give --spam or --ham to label every row"
    done
    for c in "--spam" "--ham --undo"; do
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" learn -m m.db $c hdr.csv
        lines "$T/err" 1
    done
    expect_status 4 "$KINDLY" posts -m m.db posts.csv
    contains "$T/err" "kindly posts: no rows in posts.csv: it has only its header row"
    lines "$T/err" 1
    as_before
    printf 'id,label,text\n1,spam,cheap pills now\n' >one.csv
    expect_status 4 "$KINDLY" train -m m.db nolabel.csv one.csv
    # nolabel.csv is named: its row is not counted again as an unlabelled row (it was, "; 1
    # unlabelled row not learnt")
    contains "$T/err" "kindly train: no labelled rows in nolabel.csv"
    contains "$T/err" "kindly train: learnt 1 comment (1 spam, 0 ham)"
    not_contains "$T/err" "unlabelled"
}

test_learn_csv_with_forced_label() {
    train_small
    expect_status 0 "$KINDLY" learn -m m.db --ham "$D/score.csv"
    contains "$T/err" "learnt 4 comments (0 spam, 4 ham)"
    "$KINDLY" info -m m.db | grep -q '"ham_messages":10' || fail "ham count"
    # learnt comments are recorded in the history (duplicates), training ones are not
    "$KINDLY" history -m m.db --stats | grep -q '"comments":4' || fail "history: $("$KINDLY" history -m m.db --stats)"
}

test_merge_of_shards_scores_like_the_whole() {
    head -7 "$D/train.csv" >a.csv
    { head -1 "$D/train.csv"; tail -n +8 "$D/train.csv"; } >b.csv
    "$KINDLY" train -q -m a.db a.csv
    "$KINDLY" train -q -m b.db b.csv
    "$KINDLY" train -q -m whole.db "$D/train.csv"
    expect_status 0 "$KINDLY" merge merged.db a.db b.db
    "$KINDLY" score -m whole.db "$D/score.csv" >w.jsonl
    "$KINDLY" score -m merged.db "$D/score.csv" >m.jsonl
    cmp -s w.jsonl m.jsonl || fail "merged model scores differ from the whole"
    expect_status 5 "$KINDLY" merge merged.db "$D/train.csv"
}

test_bad_rows_are_named_and_the_others_scored() {
    train_small
    expect_status 4 "$KINDLY" score -m m.db "$D/broken.csv"
    contains "$T/err" "broken.csv:3:"
    contains "$T/out" '"id":"b1"'
    contains "$T/out" '"id":"b3"'
    not_contains "$T/out" '"id":"b2"'
}

test_invalid_utf8_and_nul_are_repaired_not_dropped() {
    train_small
    expect_status 0 "$KINDLY" score -m m.db "$D/badutf8.csv"
    lines "$T/out" 3
    contains "$T/err" "badutf8.csv:2:"
    contains "$T/err" "badutf8.csv:3:"
}

test_missing_text_column_is_named() {
    train_small
    printf 'id,body\n1,hello\n' >x.csv
    expect_status 4 "$KINDLY" score -m m.db x.csv
    contains "$T/err" "text"
    expect_status 5 "$KINDLY" score -m m.db nonexistent.csv
}

test_youtube_and_wordpress_schemas_train_unchanged() {
    expect_status 0 "$KINDLY" train -m m.db "$D/youtube.csv" "$D/wordpress.csv"
    contains "$T/err" "learnt 4 comments (2 spam, 2 ham)"
    contains "$T/err" "2 unlabelled rows not learnt"
}

# A WordPress export's unlabelled rows are pending comments (comment_approved 0), which a
# moderator has yet to judge, or thrown away (trash, post-trashed): train's and learn's
# summaries say how many of each, and how many were neither (an empty status).
test_train_splits_a_wordpress_exports_unlabelled_rows() {
    {
        printf 'comment_ID,comment_post_ID,comment_approved,comment_content\n'
        printf '1,9,1,Lovely article my aunt says the same about walking\n'
        printf '2,9,spam,cheap pills buy now at pills example\n'
        printf '3,9,0,a pending comment on walking\n'
        printf '4,9,trash,a trashed comment about nothing\n'
        printf '5,9,post-trashed,a comment of a trashed post\n'
        printf '6,9, 0 ,another pending one\n'
        printf '7,9,Trash,one more thrown away\n'
        printf '8,9,0,the third pending one\n'
    } >wp.csv
    expect_status 0 "$KINDLY" train -m m.db wp.csv
    contains "$T/err" "learnt 2 comments (1 spam, 1 ham); 6 unlabelled rows not learnt (3 pending, 3 trash or post-trashed)"
    printf '9,9,,no status at all\n' >>wp.csv
    expect_status 0 "$KINDLY" learn -m m.db wp.csv
    contains "$T/err" "7 unlabelled rows not learnt (3 pending, 3 trash or post-trashed, 1 other)"
    # eval alike, of the rows it tests and of its --train files
    expect_status 0 "$KINDLY" eval -m m.db wp.csv
    contains "$T/err" "kindly eval: 7 unlabelled rows not evaluated (3 pending, 3 trash or post-trashed, 1 other)"
    expect_status 0 "$KINDLY" eval --train wp.csv wp.csv
    contains "$T/err" "kindly eval: 7 unlabelled rows of the --train files not learnt (3 pending, 3 trash or post-trashed, 1 other)"
    # a file of kindly's own columns: no WordPress status to tell
    printf 'id,label,text\n1,spam,cheap pills now\n2,,an unlabelled one\n' >own.csv
    expect_status 0 "$KINDLY" train -m m.db own.csv
    contains "$T/err" "; 1 unlabelled row not learnt"
    not_contains "$T/err" "pending"
}

test_huge_field_is_accepted() {
    train_small
    { echo "id,text"; printf 'big,"'; head -c 1200000 /dev/zero | tr '\0' 'a'; printf ' cheap xanax"\n'; echo 'small,hello'; } >big.csv
    expect_status 0 "$KINDLY" score -m m.db big.csv
    lines "$T/out" 2
}

test_killed_training_leaves_the_previous_model() {
    train_small
    "$KINDLY" info -m m.db >before.json
    python3 - <<'PY' >large.csv
import random
random.seed(1)
words = "sleep anxiety walk grief cheap pills crypto journal mood calm free offer".split()
print("id,label,text")
for i in range(30000):
    print(f"r{i},{'spam' if i % 2 else 'ham'},{' '.join(random.choice(words) + str(random.randint(0, 50000)) for _ in range(12))}")
PY
    # the complete result, for comparison
    cp m.db full.db
    "$KINDLY" train -q -m full.db large.csv
    "$KINDLY" info -m full.db | sed 's/full.db/m.db/' >full.json
    # kill -9 at two moments, each waited for (a state, not a delay): while it reads and
    # tokenises (the model open, its -wal empty) and while it writes its one transaction (the
    # -wal growing); each time the model must be exactly the previous one or exactly the
    # complete one, and pass an integrity check
    local moment pid
    reading() { ! running $pid || [ -e k.db-wal ]; }
    writing() { ! running $pid || [ -s k.db-wal ]; }
    for moment in reading writing; do
        cp m.db k.db
        "$KINDLY" train -q -m k.db large.csv & pid=$!
        wait_for $moment
        kill -9 $pid 2>/dev/null || true
        wait $pid 2>/dev/null || true
        [ "$(sqlite3 k.db 'PRAGMA integrity_check')" = ok ] || fail "integrity check failed after kill while $moment"
        "$KINDLY" info -m k.db | sed 's/k.db/m.db/' >after.json
        cmp -s before.json after.json || cmp -s full.json after.json ||
            fail "model half-written after kill while $moment: $(cat after.json)"
        [ $moment = writing ] || cmp -s before.json after.json || fail "killed while reading, yet changed"
        rm -f k.db k.db-wal k.db-shm
    done
}

test_eval_prints_figures_and_folds_work() {
    train_small
    expect_status 0 "$KINDLY" eval -m m.db "$D/train.csv"
    contains "$T/out" "ROC AUC"
    contains "$T/out" "accuracy 1.0000"
    expect_status 0 "$KINDLY" eval --folds 3 --json "$D/train.csv"
    contains "$T/out" '"auc":'
    expect_status 0 "$KINDLY" eval --train "$D/train.csv" "$D/train.csv"
}

# eval --train FILE FILE tests on the comments it learnt: its figures (accuracy 1.0000) say
# nothing of new comments, and nothing said so. A warning names the file (under any name),
# and the figures are printed as before.
test_eval_warns_when_it_tests_on_a_file_it_trained_on() {
    ln -s "$D/train.csv" again.csv
    printf 'id,text,label\nx1,cheap pills here,spam\nx2,thank you for the post,ham\n' >more.csv
    expect_status 0 "$KINDLY" eval --train more.csv --train "$D/train.csv" again.csv
    contains "$T/err" "kindly eval: warning: again.csv is also a --train file ($D/train.csv): the figures are of comments the model learnt, not of new ones (--folds K tests each on a model without it)"
    lines "$T/err" 1
    contains "$T/out" "accuracy 1.0000"
    expect_status 0 "$KINDLY" eval --train more.csv "$D/train.csv"
    not_contains "$T/err" "warning"
    # '-' is the file standard input reads, as train and the test files' own check take it:
    # `--train - again.csv < train.csv` tested on the learnt comments without a word
    expect_status 0 sh -c "\"$KINDLY\" eval --train - again.csv <\"$D/train.csv\""
    contains "$T/err" "kindly eval: warning: again.csv is also a --train file (<stdin>): the figures are of comments the model learnt"
    expect_status 0 sh -c "\"$KINDLY\" eval --train more.csv --train again.csv - <\"$D/train.csv\""
    contains "$T/err" "kindly eval: warning: <stdin> is also a --train file (again.csv): the figures are of comments the model learnt"
    expect_status 0 sh -c "\"$KINDLY\" eval --train - \"$D/train.csv\" <more.csv"
    not_contains "$T/err" "warning"
}

# posts takes any number of files, as train does: it refused a 65th ("too many files (at most
# 64 a run)", exit 3), which neither its help nor the README said
test_posts_takes_any_number_of_files() {
    for i in $(seq 1 70); do printf 'post_id,title,text\np%d,Post %d,words about sleep number %d\n' $i $i $i >p$i.csv; done
    expect_status 0 "$KINDLY" posts -m m.db p*.csv
    contains "$T/err" "kindly posts: imported 70 posts (70 new, 0 updated); the model now holds 70"
}

# A flag of another mode of rules is a usage error: it was ignored without a word, so
# `rules --test --json` printed text to a reader of JSON, and `rules --stats --author bob`
# counted every comment, not bob's
test_rules_refuses_a_flag_of_another_mode() {
    expect_status 3 sh -c "echo hello | \"$KINDLY\" rules --test --json"
    contains "$T/err" "kindly rules: --json goes with --stats"
    expect_status 3 "$KINDLY" rules --check --json
    contains "$T/err" "kindly rules: --json goes with --stats"
    expect_status 3 "$KINDLY" rules --stats --author bob "$D/train.csv"
    contains "$T/err" "kindly rules: --author goes with --test: it gives the comment's metadata"
    expect_status 3 "$KINDLY" rules --compile x.rules --url http://x.example
    contains "$T/err" "kindly rules: --url goes with --test: it gives the comment's metadata"
    [ ! -s "$T/out" ] || fail "printed: $(head -1 "$T/out")"
    expect_status 0 sh -c "echo hello | \"$KINDLY\" rules --test --author bob --id 7"
    expect_status 0 "$KINDLY" rules --stats --json "$D/train.csv"
}

# Standard input is read once: '-' as a --train file and a test file left the test file empty,
# after a warning that it was learnt ("<stdin>: empty input: no header row", exit 4)
test_eval_refuses_standard_input_as_train_and_test_file() {
    local want="kindly eval: standard input is read once: '-' cannot be both a --train file and a test file (save it to a file to name it twice)"
    expect_status 3 sh -c "\"$KINDLY\" eval --train - - <\"$D/train.csv\""
    contains "$T/err" "$want"
    lines "$T/err" 2
    expect_status 3 sh -c "\"$KINDLY\" eval --train=- \"$D/score.csv\" -- - <\"$D/train.csv\""
    contains "$T/err" "$want"
    # once is fine, either way
    expect_status 0 sh -c "\"$KINDLY\" eval --train - \"$D/train.csv\" <\"$D/train.csv\""
    contains "$T/out" "accuracy 1.0000"
    expect_status 0 sh -c "\"$KINDLY\" eval --train \"$D/train.csv\" - <\"$D/train.csv\""
    contains "$T/out" "accuracy 1.0000"
}

# rules --stats refuses a file named twice, as eval and train do: its rows were added twice
# to the files together ("all 2 files together: 12 spam, 12 ham" of a file of 6 and 6), and
# '-' twice read standard input's end the second time ("<stdin>: empty input", exit 4)
test_rules_stats_refuses_a_file_named_twice() {
    ln -s "$D/train.csv" again.csv
    expect_status 3 "$KINDLY" rules --stats "$D/train.csv" again.csv
    contains "$T/err" "kindly rules: $D/train.csv and again.csv are the same file: its comments would be counted twice"
    [ ! -s "$T/out" ] || fail "rules --stats printed figures: $(head -1 "$T/out")"
    expect_status 3 sh -c "\"$KINDLY\" rules --stats - - <\"$D/train.csv\""
    contains "$T/err" "kindly rules: - (standard input) and - (standard input) are the same file"
    expect_status 3 sh -c "\"$KINDLY\" rules --stats - \"$D/train.csv\" <\"$D/train.csv\""
    expect_status 0 sh -c "\"$KINDLY\" rules --stats - \"$D/youtube.csv\" <\"$D/train.csv\""
}

test_numeric_flags_refuse_nan_and_inf() {
    train_small
    for f in --spam-cutoff --ham-cutoff --dup-threshold --offtopic-threshold --robinson-s --robinson-x --min-dev; do
        for v in nan NaN -nan inf -inf 1e999; do
            expect_status 3 "$KINDLY" score -m m.db "$f" "$v" "$D/score.csv"
            contains "$T/err" "$f takes"
        done
    done
    expect_status 3 "$KINDLY" eval -m m.db --spam-cutoff nan "$D/train.csv"
    expect_status 3 sh -c "\"$KINDLY\" check -m m.db --ham-cutoff nan < /dev/null"
    # accepted, the server would run: the timeout makes that a failure, not a hang
    expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --discard nan
    contains "$T/err" "--discard takes"
}

# a flag that takes one of a few words names the value it was given, as the numeric flags do
# ('--format xml' said only "--format takes 'json' or 'csv'"); one left without its value
# says so; the serve case times out rather than hangs if a value is accepted
test_word_flags_name_the_value_they_were_given() {
    train_small
    expect_status 3 "$KINDLY" score -m m.db --format xml "$D/score.csv"
    contains "$T/err" "kindly score: --format takes 'json' or 'csv' (got 'xml')"
    expect_status 3 "$KINDLY" score -m m.db --scorer bayes "$D/score.csv"
    contains "$T/err" "kindly score: --scorer takes 'fisher' or 'multinomial' (got 'bayes')"
    expect_status 3 "$KINDLY" eval -m m.db --dup-verdict Spam "$D/train.csv"
    contains "$T/err" "kindly eval: --dup-verdict takes 'hold', 'spam' or 'approve' (got 'Spam')"
    expect_status 3 "$KINDLY" score -m m.db --scorer
    contains "$T/err" "kindly score: --scorer takes 'fisher' or 'multinomial' (got nothing)"
    expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --hold-as $'hold\n'
    contains "$T/err" "kindly serve: --hold-as takes 'spam' or 'ham' (got 'hold\\n')"
    lines "$T/err" 2
}

# every number a flag takes is written plainly: a blank before or after it, a sign or a value
# too large is a usage error naming the flag and the value (' 3' and '+3' were read as 3, '-0'
# as 0); the serve cases time out rather than hang if a value is accepted
test_numeric_flags_refuse_blanks_signs_and_overflow() {
    train_small
    local bad_count=(' 3' '3 ' $'\t3' '+3' '-0' '-3' '' '99999999999999999999999' '18446744073709551615')
    local v tab=$'\t' # a tab is shown as \t (messages are one line)
    for v in "${bad_count[@]}"; do
        expect_status 3 "$KINDLY" eval --folds "$v" "$D/train.csv"
        contains "$T/err" "kindly eval: --folds takes a number from 2 to 100 (got '${v//$tab/\\t}')"
        expect_status 3 "$KINDLY" train -q -m n.db --prune "$v" "$D/train.csv"
        contains "$T/err" "--prune takes a count from 1 to 1000000 (got '${v//$tab/\\t}')"
        expect_status 3 "$KINDLY" info -m m.db --prune "$v"
        contains "$T/err" "--prune takes a count from 1 to 1000000 (got '${v//$tab/\\t}')"
        expect_status 3 "$KINDLY" history -m m.db --prune --keep-days "$v"
        contains "$T/err" "--keep-days takes a number of days from 0 to 1000000 (got '${v//$tab/\\t}')"
        expect_status 3 "$KINDLY" history -m m.db --prune --keep "$v"
        contains "$T/err" "--keep takes a count from 1 to 1000000000000 (got '${v//$tab/\\t}')"
        expect_status 3 "$KINDLY" score -m m.db --max-tokens "$v" "$D/score.csv"
        contains "$T/err" "--max-tokens takes a count from 0 (all) to 100000 (got '${v//$tab/\\t}')"
        local f
        # a number above its flag's range is told the range, not 'at least 1' ('1000001' days,
        # 'ULONG_MAX' comments were 'a number of days' and 'a count of at least 1')
        expect_status 3 "$KINDLY" history -m m.db --prune --keep-days 1000001
        contains "$T/err" "--keep-days takes a number of days from 0 to 1000000 (got '1000001')"
        expect_status 3 "$KINDLY" history -m m.db --prune --keep 1000000000001
        contains "$T/err" "--keep takes a count from 1 to 1000000000000 (got '1000000000001')"
        for f in --threads --max-connections --timeout --max-body; do
            expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 "$f" "$v"
            contains "$T/err" "kindly serve: $f takes"
            contains "$T/err" "(got '${v//$tab/\\t}')"
        done
        expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen "127.0.0.1:$v"
    done
    expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --max-body ' 1k'
    for v in ' 0.5' '0.5 ' '+0.5' '-0' '-0.5' '' '.' 'x0.5'; do
        for f in --spam-cutoff --ham-cutoff --dup-threshold --offtopic-threshold --robinson-s --robinson-x --min-dev; do
            expect_status 3 "$KINDLY" score -m m.db "$f" "$v" "$D/score.csv"
            contains "$T/err" "kindly score: $f takes"
            contains "$T/err" "(got '${v//$tab/\\t}')"
        done
        expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --discard "$v"
        contains "$T/err" "(got '${v//$tab/\\t}')"
    done
    # a decimal flag takes a plain decimal (digits with at most one '.'): strtod also reads a hex
    # number ('0x1p-1' is 0.5), an exponent and 'infinity' after a digit, which no help promises
    for v in '0x1p-1' '0X.8p0' '0x0' '1e-1' '5E-1' '0e0' '0.5.1' '0..5'; do
        for f in --spam-cutoff --ham-cutoff --dup-threshold --offtopic-threshold --robinson-s --robinson-x --min-dev; do
            expect_status 3 "$KINDLY" score -m m.db "$f" "$v" "$D/score.csv"
            contains "$T/err" "kindly score: $f takes a "
            contains "$T/err" "(got '$v')"
        done
        expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --discard "$v"
        contains "$T/err" "kindly serve: --discard takes a number from 0 to 1 (got '$v')"
    done
    # a 0 a user may give meaning none or all is refused, as before, and told what does that
    # (history --keep 0 said only "a count from 1 to 1000000000000 (got '0')")
    expect_status 3 "$KINDLY" history -m m.db --prune --keep 0
    contains "$T/err" "kindly history: --keep takes a count from 1 to 1000000000000 (got '0'): --keep-days 0 deletes all"
    expect_status 3 "$KINDLY" info -m m.db --prune 0
    contains "$T/err" "kindly info: --prune takes a count from 1 to 1000000 (got '0'): leave --prune out to drop none"
    expect_status 3 "$KINDLY" train -q -m n.db --prune 00 "$D/train.csv"
    contains "$T/err" "kindly train: --prune takes a count from 1 to 1000000 (got '00'): leave --prune out to drop none"
    expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --threads 0
    contains "$T/err" "kindly serve: --threads takes a count from 1 to 256 (got '0'): leave --threads out for one a CPU"
    expect_status 3 "$KINDLY" history -m m.db --prune --keep -0
    not_contains "$T/err" "deletes all"
    # a flag at the end with no value says so
    expect_status 3 timeout 10 "$KINDLY" serve -m m.db --listen 127.0.0.1:0 --threads
    contains "$T/err" "--threads takes a count from 1 to 256 (got nothing)"
    # plain values still work, '.5' among them
    expect_status 0 "$KINDLY" score -m m.db --spam-cutoff .95 --max-tokens 0 "$D/score.csv"
    expect_status 0 "$KINDLY" score -m m.db --spam-cutoff 1. --ham-cutoff 0.50 --dup-threshold 1 "$D/score.csv"
    expect_status 0 "$KINDLY" eval --folds 3 "$D/train.csv"
}

test_check_and_eval_remember_into_the_named_model() {
    train_small
    echo "Cheap xanax and valium, no prescription, order now http://rx-direct.example" >c.txt
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --remember --id c1 < c.txt"
    "$KINDLY" history -m m.db | grep -q '"comments":1,' || fail "check --remember: $("$KINDLY" history -m m.db)"
    # a later copy is a duplicate of the remembered comment
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --id c2 < c.txt"
    contains "$T/out" '"duplicate_of":"c1"'
    expect_status 0 "$KINDLY" eval -m m.db --remember "$D/train.csv"
    contains "$T/out" "ROC AUC"
    "$KINDLY" history -m m.db | grep -q '"comments":13,' || fail "eval --remember: $("$KINDLY" history -m m.db)"
    # the shipped default model is never written
    expect_status 3 sh -c "\"$KINDLY\" check --remember < c.txt"
    contains "$T/err" "never written to"
    expect_status 3 "$KINDLY" eval --remember "$D/train.csv"
    contains "$T/err" "never written to"
}

test_eval_without_labelled_rows_prints_no_figures() {
    train_small
    expect_status 4 "$KINDLY" eval -m m.db "$D/score.csv"
    contains "$T/err" "no labelled rows in $D/score.csv"
    lines "$T/out" 0
    : >empty.csv
    printf 'id,body\n1,hello\n' >notext.csv
    for f in empty.csv notext.csv; do
        expect_status 4 "$KINDLY" eval -m m.db "$f"
        contains "$T/err" "$f"
        lines "$T/out" 0
    done
    # a training file without labelled rows would evaluate an untrained model
    for f in empty.csv notext.csv "$D/score.csv"; do
        expect_status 4 "$KINDLY" eval --train "$f" "$D/train.csv"
        lines "$T/out" 0
    done
    expect_status 5 "$KINDLY" eval --train missing.csv "$D/train.csv"
    lines "$T/out" 0
}

test_eval_auc_is_undefined_without_both_classes() {
    train_small
    grep -e '^id,' -e ',spam,' "$D/train.csv" >spam.csv
    expect_status 0 "$KINDLY" eval -m m.db spam.csv
    contains "$T/out" "ROC AUC n/a"
    expect_status 0 "$KINDLY" eval -m m.db --json spam.csv
    contains "$T/out" '"auc":null'
    contains "$T/out" '"fp_rate":null' # no ham: undefined, not 0
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" || fail "not JSON: $(cat "$T/out")"
    grep -e '^id,' -e ',ham,' "$D/train.csv" >ham.csv
    expect_status 0 "$KINDLY" eval --folds 2 ham.csv
    contains "$T/out" "spam recall n/a"
    contains "$T/out" "F1 n/a  MCC n/a"
}

test_write_errors_on_standard_output_exit_5() {
    [ -w /dev/full ] || skip "no /dev/full"
    train_small
    echo "The breathing exercise helped me sleep" >c.txt
    expect_status 5 sh -c "\"$KINDLY\" check -m m.db < c.txt > /dev/full"
    contains "$T/err" "kindly check: cannot write standard output: No space left on device"
    for cmd in "eval -m m.db $D/train.csv" "info -m m.db" "history -m m.db" "rules --stats $D/train.csv" \
               "score -m m.db $D/score.csv" "help eval" "help score" "help serve" "learn --help"; do
        expect_status 5 sh -c "\"$KINDLY\" $cmd > /dev/full"
        contains "$T/err" "kindly ${cmd%% *}: cannot write standard output: No space left on device"
    done
    # score stops at the first failed write, not after the whole input (nor records it all)
    python3 -c "
import sys
print('id,text')
for i in range(20000): print(f'r{i},comment number {i} about sleep and kindness')
" >many.csv
    expect_status 5 sh -c "\"$KINDLY\" score -m m.db --remember many.csv > /dev/full"
    "$KINDLY" history -m m.db >hist.json
    python3 -c "
import json,sys
n=json.load(open(sys.argv[1]))['comments']
assert n < 20000, n
" hist.json || fail "all rows were scored and recorded though the output failed: $(cat hist.json)"
}

test_a_file_error_names_the_file_once() {
    train_small
    : >empty.csv
    printf 'id,body\n1,hello\n' >notext.csv
    named_once() { [ "$(grep -oF -- "$1" "$T/err" | wc -l)" -eq 1 ] || fail "$1 not named once: $(cat "$T/err")"; }
    for f in nofile.csv empty.csv notext.csv; do
        st=4; [ $f = nofile.csv ] && st=5
        for cmd in score train eval learn; do
            expect_status $st "$KINDLY" $cmd -m m.db "$f"
            named_once "$f"
        done
    done
    expect_status 5 "$KINDLY" score -m m.db nofile.csv
    [ "$(cat "$T/err")" = "kindly score: cannot open comments file nofile.csv: No such file or directory" ] || fail "$(cat "$T/err")"
    expect_status 4 sh -c "\"$KINDLY\" score -m m.db - < empty.csv"
    named_once "<stdin>"
}

test_posts_names_each_skipped_row() {
    printf 'post_id,title,text\np1,Sleep,About sleep\n,No id,some text\np3,Walks,a walk,extra\np4,Grief,"On grief"\n' >posts.csv
    expect_status 4 "$KINDLY" posts -m m.db posts.csv
    contains "$T/err" "posts.csv:3: field 'post_id': no post id (row skipped)"
    contains "$T/err" "posts.csv:4: expected 3 fields, found 4 (row skipped)"
    contains "$T/err" "imported 2 posts"
    # from a pipe too: the rows are named as they are read
    expect_status 4 sh -c "cat posts.csv | \"$KINDLY\" posts -m m.db -"
    contains "$T/err" "<stdin>:3: field 'post_id': no post id (row skipped)"
    contains "$T/err" "<stdin>: 1 row without a post id skipped"
    contains "$T/err" "<stdin>:4: expected 3 fields"
}

test_learn_and_train_say_what_was_not_learnt() {
    train_small
    "$KINDLY" info -m m.db >before.json
    # no label column and no --spam/--ham: nothing can be learnt, and that is an error
    expect_status 4 "$KINDLY" learn -m m.db "$D/score.csv"
    contains "$T/err" "no labelled rows in $D/score.csv"
    contains "$T/err" "--spam or --ham"
    expect_status 4 "$KINDLY" train -m m.db "$D/score.csv"
    contains "$T/err" "no labelled rows in $D/score.csv"
    "$KINDLY" info -m m.db | cmp -s before.json - || fail "the model changed"
    # some rows labelled: those are learnt, the others counted
    printf 'id,label,text\n1,spam,cheap pills now\n2,,hello friends\n' >mix.csv
    expect_status 0 "$KINDLY" learn -m m.db mix.csv
    contains "$T/err" "learnt 1 comment (1 spam, 0 ham); 1 unlabelled row not learnt"
    # --spam or --ham would label every row, the labelled ones too: no hint to give one (a
    # WordPress export's trashed rows beside its approved ones were told to take --spam or --ham)
    not_contains "$T/err" "give --spam or --ham"
    printf 'comment_ID,comment_content,comment_approved\n1,thanks this helped,1\n2,test test,trash\n' >wp.csv
    expect_status 0 "$KINDLY" learn -m m.db wp.csv
    contains "$T/err" "learnt 1 comment (0 spam, 1 ham); 1 unlabelled row not learnt"
    not_contains "$T/err" "give --spam or --ham"
    # with --spam the flag decides: an unknown label is no reason for a warning
    printf 'id,label,text\n1,maybe,cheap pills now\n' >odd.csv
    expect_status 0 "$KINDLY" learn -m m.db --spam odd.csv
    not_contains "$T/err" "kept unlabelled"
    contains "$T/err" "learnt 1 comment (1 spam, 0 ham)"
    # without it, the warning holds: the row is not learnt (and odd.csv teaches nothing)
    expect_status 4 "$KINDLY" train -m m.db odd.csv mix.csv
    contains "$T/err" "odd.csv:2: field 'label': unknown label"
    contains "$T/err" "no labelled rows in odd.csv"
    contains "$T/err" "learnt 1 comment (1 spam, 0 ham); 1 unlabelled row not learnt" # mix.csv's (odd.csv is named)
}

# train skips a file with no labelled row (or no text column), learns the others and exits 4;
# its help and man page said such a file "is an error", which reads as train stopping there
test_train_skips_a_file_without_labels_as_its_help_says() {
    printf 'id,body\n1,hello\n' >notext.csv
    expect_status 4 "$KINDLY" train -m m.db "$D/score.csv" notext.csv "$D/train.csv"
    contains "$T/err" "kindly train: no labelled rows in $D/score.csv"
    contains "$T/err" "kindly train: notext.csv: no text column"
    contains "$T/err" "kindly train: learnt 12 comments (6 spam, 6 ham)"
    "$KINDLY" info -m m.db | grep -q '"spam_messages":6,"ham_messages":6' || fail "$("$KINDLY" info -m m.db)"
    # nothing learnt from any file: a new model is not created, an existing one is left as it was
    expect_status 4 "$KINDLY" train -m new.db "$D/score.csv" notext.csv
    contains "$T/err" "nothing was learnt: new.db was not created"
    [ ! -e new.db ] || fail "new.db was created"
    "$KINDLY" info -m m.db >before.json
    expect_status 4 "$KINDLY" train -m m.db "$D/score.csv"
    "$KINDLY" info -m m.db | cmp -s before.json - || fail "the model changed"
    # with --prune too: it pruned the model all the same, tokens dropped without a word
    expect_status 4 "$KINDLY" train -m m.db --prune 3 "$D/score.csv"
    "$KINDLY" info -m m.db | cmp -s before.json - || fail "--prune: the model changed: $("$KINDLY" info -m m.db)"
    expect_status 0 "$KINDLY" help train
    tr -s ' \n' '  ' <"$T/out" >help.txt
    not_contains help.txt "is an error"
    contains help.txt "no text column or no labelled row is named on stderr and skipped, and the other files are learnt (exit 4)"
    contains help.txt "when no file has a labelled row, a model is left as it was"
    "$ROOT/tools/gen-man.sh" "$KINDLY" | tr -s ' \n' '  ' >man.txt
    contains man.txt "no text column or no labelled row is named on stderr and skipped"
}

# an empty file name is a usage error that says so; it was an I/O error (exit 5) that named
# nothing: "kindly score: : No such file or directory"
test_an_empty_file_name_is_a_usage_error() {
    train_small
    local want="empty file name: name a CSV file, or '-' for standard input"
    expect_status 3 "$KINDLY" score -m m.db ''
    contains "$T/err" "kindly score: $want"
    expect_status 3 "$KINDLY" train -m new.db ''
    contains "$T/err" "kindly train: $want"
    [ ! -e new.db ] || fail "train created new.db"
    expect_status 3 "$KINDLY" train -m m.db "$D/train.csv" ''
    contains "$T/err" "kindly train: $want"
    expect_status 3 "$KINDLY" eval -m m.db ''
    contains "$T/err" "kindly eval: $want"
    expect_status 3 "$KINDLY" eval --train '' "$D/train.csv"
    contains "$T/err" "kindly eval: $want"
    expect_status 3 "$KINDLY" learn -m m.db --spam ''
    contains "$T/err" "kindly learn: $want"
    expect_status 3 "$KINDLY" posts -m new.db ''
    contains "$T/err" "kindly posts: $want"
    [ ! -e new.db ] || fail "posts created new.db"
    expect_status 3 "$KINDLY" rules --stats ''
    contains "$T/err" "kindly rules: $want"
}

# an empty model, rule or key file name is a usage error, as an empty CSV file name is: it
# was exit 5 ("no model path given", "no rule file path given", "--keys : cannot be read: No
# such file or directory"), and merge took the next model for the output
test_an_empty_model_rules_or_keys_file_name_is_a_usage_error() {
    train_small
    local model="empty file name: name a model file (-m MODEL.db)"
    for c in score check learn eval info posts history train serve; do
        expect_status 3 "$KINDLY" "$c" -m '' "$D/train.csv" </dev/null
        contains "$T/err" "kindly $c: -m: $model"
    done
    expect_status 3 "$KINDLY" score --model= "$D/score.csv"
    contains "$T/err" "kindly score: --model: $model"
    expect_status 3 "$KINDLY" -m '' score "$D/score.csv" # before the command: shown, not a blank
    contains "$T/err" "kindly score -m '' $D/score.csv"
    expect_status 3 "$KINDLY" info --model ''
    contains "$T/err" "kindly info: --model: $model"
    local rules="--rules: empty file name: name a rule file (--rules FILE), or give --no-rules"
    for c in score check eval serve; do
        expect_status 3 "$KINDLY" "$c" -m m.db --rules '' "$D/score.csv" </dev/null
        contains "$T/err" "kindly $c: $rules"
    done
    expect_status 3 "$KINDLY" rules --stats --rules= "$D/score.csv"
    contains "$T/err" "kindly rules: $rules"
    expect_status 3 "$KINDLY" serve -m m.db --keys ''
    contains "$T/err" "kindly serve: --keys: empty file name: name the file of accepted keys (--keys FILE)"
    expect_status 3 "$KINDLY" merge '' m.db
    contains "$T/err" "kindly merge: empty file name: name the output model (kindly merge OUT.db IN.db...)"
    expect_status 3 "$KINDLY" merge out.db m.db ''
    contains "$T/err" "kindly merge: empty file name: name an input model (kindly merge OUT.db IN.db...)"
    [ ! -e out.db ] || fail "merge created out.db"
    # the value of another flag may be empty, and "-m" may be the value of one
    expect_status 0 sh -c "echo hello there | \"$KINDLY\" check -m m.db --author '' --url -m; [ \$? -lt 3 ]"
    # -m's value is taken as it is, as --model's: "--rules=x" was split into two arguments,
    # and score took "--rules" for the model and "x" for a second input file
    for flag in -m --model; do
        expect_status 5 "$KINDLY" score "$flag" --rules=x "$D/score.csv"
        contains "$T/err" "kindly score: cannot open model --rules=x: no such file"
    done
}

# An option given twice keeps its last value, as getopt's callers have it (a script passes a
# default that its caller overrides), and kindly help and the README say so; --format csv
# --format json wrote CSV: csv, once given, stayed.
test_an_option_given_twice_keeps_its_last_value() {
    train_small
    expect_status 0 "$KINDLY" score -m m.db --format csv --format json "$D/score.csv"
    head -1 "$T/out" | grep -q '^{"id":' || fail "not JSON: $(head -1 "$T/out")"
    expect_status 0 "$KINDLY" score -m m.db --format json --format csv "$D/score.csv"
    head -1 "$T/out" | grep -q '^id,' || fail "not CSV: $(head -1 "$T/out")"
    expect_status 0 "$KINDLY" score -m missing.db -m m.db "$D/score.csv"
    [ ! -e missing.db ] || fail "the first model was opened"
    echo "hello there, nice post" >c.txt
    expect_status 0 sh -c "\"\$KINDLY\" check -m m.db --no-rules --id a --id b --spam-cutoff 0.1 --spam-cutoff 0.99 < c.txt; [ \$? -lt 3 ]"
    contains "$T/out" '"id":"b"'
    contains "$T/out" '"verdict":"hold"' # spam at 0.1 (spam_score 0.67; the rules approve it: GENERIC_PLAIN)
    expect_status 0 "$KINDLY" help
    contains "$T/out" "an option given twice keeps its last"
    grep -q "An option given twice keeps its last value" "$ROOT/README.md" || fail "the README does not say so"
    # and kindly(1), built from the help, says it too (it took only the commands' own help)
    "$ROOT/tools/gen-man.sh" "$KINDLY" | sed -n '/^\.SH DESCRIPTION/,/^\.SH COMMANDS/p' | tr -s ' \n' '  ' >man.txt
    contains man.txt "an option given twice keeps its last value"
}

# So is a mode of kindly rules given twice (a script's default --check, the caller's --check
# FILE): 'rules --check --check my.rules' was refused as if two modes were asked for ("use one
# of --check, --test, --stats and --compile"); two different modes still are, in either order
test_rules_mode_given_twice_is_one_mode() {
    cp "$ROOT/models/default.rules" my.rules
    expect_status 0 "$KINDLY" rules --check --check my.rules
    contains "$T/out" "my.rules: ok"
    echo "cheap pills, no prescription" >c.txt
    expect_status 0 sh -c '"$KINDLY" rules --test --test my.rules < c.txt'
    contains "$T/out" "total"
    printf 'id,text,label\n1,cheap pills now,spam\n2,thanks for this post,ham\n' >l.csv
    expect_status 0 "$KINDLY" rules --stats --stats l.csv
    expect_status 0 "$KINDLY" rules --compile my.rules --compile
    for pair in "--check --test" "--test --check" "--stats --compile"; do
        # shellcheck disable=SC2086
        expect_status 3 "$KINDLY" rules $pair my.rules
        contains "$T/err" "use one of --check, --test, --stats and --compile"
    done
}

# A file given after "--" is a file whatever it looks like, and messages name it as it was
# given: they said "./-x.csv", the name main.c passed on so that the command would not take
# it for an option. "-" after "--" is standard input still.
test_a_file_after_dashdash_is_named_as_given() {
    train_small
    for c in "score -m m.db" "train -m new.db" "learn -m m.db" "eval -m m.db" "posts -m new.db" "rules --stats"; do
        # shellcheck disable=SC2086
        expect_status 5 "$KINDLY" $c -- -x.csv
        contains "$T/err" "file -x.csv: No such file or directory"
        not_contains "$T/err" "./-x.csv"
    done
    expect_status 5 "$KINDLY" merge out.db m.db -- -x.db
    contains "$T/err" "kindly merge: cannot open model -x.db: no such file"
    expect_status 5 "$KINDLY" rules --check -- -x.rules
    contains "$T/err" "kindly rules: cannot open rule file -x.rules: No such file"
    # a file that is there: its rows are named FILE:LINE with its name as given
    cp "$D/broken.csv" ./-b.csv
    for c in "score -m m.db" "eval -m m.db" "rules --stats" "train -m new.db"; do
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c -- -b.csv
        contains "$T/err" "-b.csv:3: expected 2 fields, found 4 (row skipped)"
        not_contains "$T/err" "./-b.csv"
    done
    # an operand that reads like an option is a file too, for every command that takes files
    expect_status 5 "$KINDLY" train -m new.db -- --foreign
    contains "$T/err" "cannot open comments file --foreign: No such file"
    [ ! -e new.db ] || fail "a model was created"
    cp m.db ./-in.db
    expect_status 0 "$KINDLY" merge -q out.db -- -in.db
    "$KINDLY" info -m out.db | grep -q '"spam_messages":[1-9]' || fail "nothing merged: $("$KINDLY" info -m out.db)"
    # and a command that takes none says so, naming it as given
    for c in info history serve; do
        expect_status 3 "$KINDLY" $c -m m.db -- -x
        contains "$T/err" "kindly $c: takes no file ('-x')"
    done
    expect_status 3 "$KINDLY" check -m m.db -- -x </dev/null
    contains "$T/err" "not from a file ('-x')"
    # "-" stays standard input
    expect_status 0 sh -c "\"\$KINDLY\" score -m m.db -- - < \"$D/score.csv\""
    lines "$T/out" "$(($(wc -l <"$D/score.csv") - 1))"
    # without --, a file of that name is pointed to: the message says how to name it
    cp "$D/score.csv" ./-odd.csv
    expect_status 3 "$KINDLY" score -m m.db -odd.csv
    contains "$T/err" "kindly score: unknown or incomplete option '-odd.csv' (to name the file '-odd.csv', put -- before it: kindly score -- -odd.csv)"
    expect_status 3 "$KINDLY" score -m m.db -nothere.csv
    not_contains "$T/err" "put -- before it"
}

# '-' as a model is a usage error: a model is an SQLite file, never standard input. It was
# taken for a file named '-': a writing command created one, and named it '<stdin>' ("merged 1
# model; <stdin> now has 6 spam ..."), and a reading one suggested "kindly train -m - FILE.csv"
test_a_model_named_dash_is_a_usage_error() {
    train_small
    local want="'-' is no model: a model is an SQLite file, not standard input (a file named - is ./-)"
    for c in score check learn eval info posts history train; do
        expect_status 3 "$KINDLY" "$c" -m - "$D/train.csv" </dev/null
        contains "$T/err" "kindly $c: -m: $want"
    done
    expect_status 3 "$KINDLY" posts --model=- "$D/train.csv"
    contains "$T/err" "kindly posts: --model: $want"
    expect_status 3 "$KINDLY" history -m- --prune
    contains "$T/err" "kindly history: -m: $want"
    expect_status 3 "$KINDLY" merge - m.db
    contains "$T/err" "kindly merge: $want"
    expect_status 3 "$KINDLY" merge out.db m.db -- -
    contains "$T/err" "kindly merge: $want"
    [ ! -e - ] && [ ! -e out.db ] || fail "a model was created: $(ls)"
    # so from $KINDLY_MODEL (a reading command offered "kindly train -m - FILE.csv"; serve said
    # "cannot open model -", exit 5)
    for c in "score $D/train.csv" info history "history --prune" "train $D/train.csv" "posts $D/train.csv" \
        "serve --listen 127.0.0.1:0"; do
        expect_status 3 env KINDLY_MODEL=- "$KINDLY" $c
        contains "$T/err" "kindly ${c%% *}: \$KINDLY_MODEL: $want"
    done
    [ ! -e - ] || fail "a model was created: $(ls)"
    # a file of that name is named as one
    cp m.db ./-
    expect_status 0 "$KINDLY" info -m ./-
    contains "$T/out" '"model":"./-"'
}

# ':memory:' as a model is a usage error too: SQLite's in-memory database starts empty and is
# gone at exit. 'train -m :memory:' and 'merge :memory: m.db' said "now has 1 spam and 1 ham
# messages" and saved nothing, serve "learning from feedback" learnt into nothing, and a
# reading command suggested "kindly train -m :memory: FILE.csv"
test_a_model_named_memory_is_a_usage_error() {
    train_small
    local want="':memory:' is no model: it is SQLite's in-memory database, empty at start and gone at exit, so nothing would be kept (a file named :memory: is ./:memory:)"
    for c in score check learn eval info posts history train; do
        expect_status 3 "$KINDLY" "$c" -m :memory: "$D/train.csv" </dev/null
        contains "$T/err" "kindly $c: -m: $want"
    done
    expect_status 3 "$KINDLY" train --model=:memory: "$D/train.csv"
    contains "$T/err" "kindly train: --model: $want"
    expect_status 3 "$KINDLY" merge :memory: m.db
    contains "$T/err" "kindly merge: $want"
    expect_status 3 "$KINDLY" merge out.db m.db :memory:
    contains "$T/err" "kindly merge: $want"
    for c in info "train $D/train.csv" "serve --listen 127.0.0.1:0"; do
        expect_status 3 env KINDLY_MODEL=:memory: "$KINDLY" $c
        contains "$T/err" "kindly ${c%% *}: \$KINDLY_MODEL: $want"
    done
    [ ! -e out.db ] && [ ! -e :memory: ] || fail "a model was created: $(ls)"
    # a file of that name is named as one
    cp m.db ./:memory:
    expect_status 0 "$KINDLY" info -m ./:memory:
    contains "$T/out" '"model":"./:memory:"'
}

# ... and so as a rule file or a key file: they are read from files, and check and score
# read their comments on standard input ('-' was "cannot open rule file -: No such file")
test_a_rule_or_key_file_named_dash_is_a_usage_error() {
    train_small
    expect_status 3 sh -c "echo hello | \"$KINDLY\" check -m m.db --rules -"
    contains "$T/err" "kindly check: --rules: '-' is no rule file: rules are read from a file, not standard input"
    expect_status 3 "$KINDLY" score -m m.db --rules=- "$D/train.csv"
    contains "$T/err" "kindly score: --rules: '-' is no rule file"
    expect_status 3 "$KINDLY" serve -m m.db --keys -
    contains "$T/err" "kindly serve: --keys: '-' is no key file: keys are read from a file, not standard input"
    cp "$ROOT/models/default.rules" ./-
    expect_status 1 sh -c "echo 'Cheap xanax and valium, no prescription, order now' | \"$KINDLY\" check -m m.db --rules ./-"
}

# An empty file (a copy cut short, "> blog.db") is not a model for a command that writes an
# existing one, as it is not for one that reads it: history --prune and info --prune/--pack
# made it an empty model and said it was fine (exit 0), so a truncated model went unnoticed
test_an_empty_file_is_no_model_to_prune_pack_or_remember_into() {
    local want="e.db is an empty file, not a trained kindly model"
    for c in "history --prune" "history --prune --keep 5" "info --pack" "info --prune 2"; do
        : >e.db
        expect_status 5 "$KINDLY" $c -m e.db
        contains "$T/err" "kindly ${c%% *}: $want"
        [ ! -s e.db ] || fail "$c wrote into e.db"
        # named by a link to the empty file: the same (it was made an empty model)
        ln -sf e.db l.db
        expect_status 5 "$KINDLY" $c -m l.db
        contains "$T/err" "kindly ${c%% *}: l.db is an empty file, not a trained kindly model"
        [ ! -s e.db ] || fail "$c wrote into e.db through l.db"
    done
    for c in score eval; do
        expect_status 5 "$KINDLY" "$c" -m e.db --remember "$D/train.csv"
        contains "$T/err" "kindly $c: $want"
    done
    expect_status 5 sh -c "echo hello there | \"$KINDLY\" check -m e.db --remember"
    contains "$T/err" "kindly check: $want"
    [ ! -s e.db ] || fail "--remember wrote into e.db"
    # creating commands still create a model in it
    expect_status 0 "$KINDLY" train -q -m e.db "$D/train.csv"
    expect_status 0 "$KINDLY" history -m e.db --prune
}

test_every_command_help_gives_its_exit_status() {
    for c in train score check learn eval merge info posts serve rules history version; do
        expect_status 0 "$KINDLY" help "$c"
        contains "$T/out" "Exit status"
    done
    expect_status 0 "$KINDLY" help check
    for f in --agent --parent --date --remember; do contains "$T/out" "$f"; done
}

# the line after a command's usage in its help: the first of what it does
help_begins() { awk 'f && NF {print; exit} /^$/ {f = 1}' "$1"; }

# help eval says first what eval does; it began with how its files are read
test_help_eval_says_first_what_it_does() {
    expect_status 0 "$KINDLY" help eval
    help_begins "$T/out" | grep -q '^Score labelled comments' || fail "help eval begins: $(help_begins "$T/out")"
}

# help version says what version prints; it was the usage line alone
test_help_version_says_what_it_prints() {
    expect_status 0 "$KINDLY" help version
    help_begins "$T/out" | grep -q '^Print the version of kindly' || fail "help version begins: $(help_begins "$T/out")"
    "$KINDLY" version >v.txt
    contains "$T/out" "'$(cat v.txt)'" # the line it prints, as it prints it
    contains "$T/out" "kindly --version"
    contains "$T/out" "Exit status"
}

# help rules and help history say first what the command does, as the others do; they began
# with --check's details and with what the history holds
test_help_rules_and_history_say_first_what_they_do() {
    expect_status 0 "$KINDLY" help rules
    help_begins "$T/out" | grep -q '^Check rule files, try them on one comment, or measure them' ||
        fail "help rules begins: $(help_begins "$T/out")"
    expect_status 0 "$KINDLY" help history
    help_begins "$T/out" | grep -q "^Print the counts of the model's comment history" ||
        fail "help history begins: $(help_begins "$T/out")"
}

test_check_warns_about_an_empty_comment() {
    train_small
    # blanks of any kind, as kd_text_empty has them (a no-break space, U+200B, "&nbsp;", a
    # <br>, lone punctuation): only ASCII blanks were warned about
    printf ' \n\t \n' >blank.txt
    printf '\302\240\342\200\213 &nbsp; <br>\n' >nbsp.txt
    printf ' ... !\n' >dots.txt
    for input in /dev/null blank.txt nbsp.txt dots.txt; do
        sh -c "\"$KINDLY\" check -m m.db < $input" >out 2>err || true
        contains err "kindly check: the comment is empty (nothing but blanks, invisible characters or punctuation)"
        contains out '"verdict":'
    done
    for text in hello '&amp; tea' '<b>calm</b>' 'ok 1'; do
        printf '%s' "$text" | "$KINDLY" check -m m.db >out 2>err || true
        not_contains err "empty"
        printf '%s' "$text" | "$KINDLY" rules --test >out 2>err
        not_contains err "empty"
    done
    # rules --test of the same input said nothing ('total of 0 rules', as of a comment tested):
    # the same warning, the rules tested all the same (exit 0)
    for input in /dev/null nbsp.txt; do
        expect_status 0 sh -c "\"$KINDLY\" rules --test --author 'Best SEO' < $input"
        contains "$T/err" "kindly rules: the comment is empty (nothing but blanks, invisible characters or punctuation)"
        contains "$T/out" "AUTHOR_KEYWORDS"
    done
}

# SQLite says "unable to open database file" whatever the cause; kindly names the usual ones:
# a missing file, and a WAL model read from a directory where its -shm file cannot be made.
test_model_open_errors_say_why() {
    expect_status 5 "$KINDLY" info -m none.db
    contains "$T/err" "cannot open model none.db: no such file (kindly train -m none.db FILE.csv creates one)"
    echo "hello" >c.txt
    expect_status 5 sh -c "\"$KINDLY\" learn -m none.db --spam --raw < c.txt"
    contains "$T/err" "no such file"
    # eval opens its model before it reads the test file: the model is all it says
    printf 'id,label,text\n1,,hello there\n2,spam,cheap pills\n' >t.csv
    expect_status 5 "$KINDLY" eval -m none.db t.csv
    contains "$T/err" "kindly eval: cannot open model none.db: no such file"
    lines "$T/err" 1
    # creating one: the directory is what is missing; a directory is not a model
    expect_status 5 "$KINDLY" train -m nodir/m.db "$D/train.csv"
    contains "$T/err" "cannot create model nodir/m.db: nodir: No such file or directory"
    [ ! -e nodir ] || fail "nodir created"
    # so a command reading a model in a directory that does not exist does not send the user
    # to train it there ("kindly train -m nodir/m.db FILE.csv creates one", which fails)
    for c in "score -m nodir/m.db $D/train.csv" "learn -m nodir/m.db $D/train.csv" "info -m nodir/m.db"; do
        expect_status 5 "$KINDLY" $c || return 1
        lines "$T/err" 1 || return 1
        contains "$T/err" ": cannot open model nodir/m.db: no such file (there is no directory nodir either: is the path right?)" || return 1
    done
    expect_status 5 "$KINDLY" train -m c.txt/m.db "$D/train.csv"
    contains "$T/err" "c.txt is not a directory"
    mkdir adir
    expect_status 5 "$KINDLY" score -m adir "$D/train.csv"
    contains "$T/err" "cannot open model adir: is a directory"
    # no model named and none beside a copy of the binary: the hint is not to train the default
    cp "$KINDLY" ./kindly-copy
    expect_status 5 env -u KINDLY_MODEL sh -c "./kindly-copy check --no-rules < c.txt"
    contains "$T/err" "no model named, and no default model beside the kindly binary"
    not_contains "$T/err" "creates one"
    # nor is a models/default.db of the working directory taken for the default (it was)
    mkdir -p a/bin models && mv kindly-copy a/bin/ && cp "$ROOT/models/default.db" models/
    expect_status 5 env -u KINDLY_MODEL sh -c "a/bin/kindly-copy check --no-rules < c.txt"
    contains "$T/err" "/a/bin/models/default.db: no such file"
    [ "$(id -u)" = 0 ] || skip "needs root to read as another user"
    as_nobody # t_dup.sh
    local nobody=$AS_READER
    mkdir d && "$KINDLY" train -q -m d/m.db "$D/train.csv"
    chmod 755 "$T" && chmod 444 d/m.db && chmod 555 d
    expect_status 5 $nobody sh -c "\"$KINDLY\" check -m d/m.db < c.txt"
    contains "$T/err" "a model in WAL mode needs a writable directory"
    # packed (rollback journal), the same file reads from the read-only directory
    chmod 755 d && "$KINDLY" info -m d/m.db --pack >/dev/null
    chmod 444 d/m.db && chmod 555 d
    expect_status 0 $nobody sh -c "\"$KINDLY\" check -m d/m.db < c.txt; [ \$? -lt 3 ]"
    contains "$T/out" '"verdict":'
    chmod 755 d
}

# score as a co-process: it is given row 1, and row 2 only once row 1's verdict has been
# read. The verdict must come out before score waits for more input (a fully buffered
# stdout deadlocked here); from a regular file the output stays fully buffered.
test_score_on_a_pipe_writes_each_verdict_before_waiting_for_more() {
    train_small
    mkfifo in out
    timeout 30 "$KINDLY" score -m m.db - <in >out 2>err &
    local pid=$!
    exec 3>in 4<out
    printf 'id,text\n1,the breathing exercise helped me sleep\n' >&3
    local line=
    read -r -t 10 line <&4 || fail "no verdict for row 1 within 10 s while row 2 was not yet written"
    case $line in '{"id":"1",'*) ;; *) fail "row 1's verdict: $line" ;; esac
    printf '2,cheap xanax and valium no prescription\n' >&3
    exec 3>&-
    read -r -t 10 line <&4 || fail "no verdict for row 2"
    case $line in '{"id":"2",'*) ;; *) fail "row 2's verdict: $line" ;; esac
    exec 4<&-
    wait $pid || fail "score exited with $?: $(cat err)"
}

# score --remember reading a pipe that pauses must not hold the model's write lock while it
# waits: another writer (learn, the server) got "database is locked" after 10 s.
test_score_remember_lets_other_writers_in_while_its_input_pauses() {
    train_small
    mkfifo in
    timeout 60 "$KINDLY" score -m m.db --remember - <in >out 2>err &
    local pid=$!
    exec 3>in
    printf 'id,text\n1,the first comment of a slow feed about sleep and breathing\n' >&3
    # row 1's verdict is written once it is committed and score waits for row 2 (give it
    # 5 s: a build with sanitizers starts slowly; the lock is what is tested here)
    local i=0
    while [ ! -s out ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    local t0=$SECONDS
    echo "a missed spam about miracle gummies" | timeout 30 "$KINDLY" learn -m m.db --spam --raw 2>learn.err ||
        fail "learn failed while score waited for input: $(cat learn.err)"
    [ $((SECONDS - t0)) -lt 5 ] || fail "learn waited $((SECONDS - t0)) s for the lock"
    # and a writer that stops in the middle of a row longer than the reader's chunks: more
    # of row 3 is ready when row 2 is done, so only a hand-over inside the reader, before the
    # read of row 3 that waits, releases the lock taken for row 2
    # (one write: the reader finds row 2 in its first chunk while the rest is in the pipe)
    python3 -c 'import os; os.write(3, b"2,row two\n3,\"and a third one, much later,\nabout walking" + b"w" * 300000)' ||
        fail "python3 could not write"
    sleep 0.5
    t0=$SECONDS
    echo "another missed spam about keto pills" | timeout 30 "$KINDLY" learn -m m.db --spam --raw 2>learn.err ||
        fail "learn failed while score waited in the middle of a row: $(cat learn.err)"
    [ $((SECONDS - t0)) -lt 5 ] || fail "learn waited $((SECONDS - t0)) s for the lock (half a row)"
    printf ' every morning"\n4,the fourth\n' >&3
    exec 3>&-
    wait $pid || fail "score exited with $?: $(cat err)"
    [ "$(wc -l <out)" -eq 4 ] || fail "verdicts: $(cat out)"
    "$KINDLY" history -m m.db >h.json
    grep -q '"comments":6' h.json || fail "history: $(cat h.json)"
}

# Invalid UTF-8 in check's flags is repaired (U+FFFD) with a warning, like a CSV field, so
# neither the JSON printed nor the id stored in the history (reported later as duplicate_of)
# holds the raw bytes.
test_check_repairs_invalid_utf8_in_its_flags() {
    train_small
    local utf8='import json, sys; d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8")); print(d["id"] if len(sys.argv) < 3 else " ".join(d["reasons"]))'
    echo "hello there" >c.txt
    "$KINDLY" check -m m.db --id "$(printf 'i\376d')" --author "$(printf 'A\377nn')" <c.txt >out 2>err || true
    contains err "--id: invalid UTF-8 at byte 1 of the value, replaced by U+FFFD"
    contains err "--author: invalid UTF-8 at byte 1"
    [ "$(python3 -c "$utf8" out)" = "$(printf 'i\357\277\275d')" ] || fail "id: $(cat out)"
    echo "The breathing exercise and the journal helped me sleep so much better" >c.txt
    "$KINDLY" check -m m.db --remember --id "$(printf 'c\3771')" <c.txt >out 2>err || true
    printf 'id,text\ns1,The breathing exercise and the journal helped me sleep so much better\n' >s.csv
    expect_status 0 "$KINDLY" score -m m.db s.csv
    python3 -c "$utf8" "$T/out" reasons >reasons.txt || fail "score's JSON is not valid UTF-8: $(cat "$T/out")"
    contains reasons.txt "$(printf 'duplicate_of:c\357\277\2751')"
}

# An empty flag is a field not given, as an empty CSV field is: 'check --id ""' printed
# "id":"" where score prints null for an empty id field (README, Output), and so on
# '--post ""' and the like
test_check_takes_an_empty_flag_as_none() {
    train_small
    echo "hello there" >c.txt
    "$KINDLY" check -m m.db --id '' --post '' --author '' <c.txt >out 2>err || true
    contains out '{"id":null,'
    printf 'id,post_id,author,text\n,,,hello there\n' >c.csv
    "$KINDLY" score -m m.db c.csv >s.json
    cmp -s out s.json || fail "check printed $(cat out), score $(cat s.json)"
}

# An id in the history with invalid UTF-8 (recorded by a build before check repaired its flags,
# or by a library caller) is read back as duplicate_of: --format csv writes it with U+FFFD, as
# the JSON does, in the duplicate_of column and in the reason that names it
test_score_csv_repairs_an_invalid_id_read_from_the_history() {
    train_small
    echo "The breathing exercise and the journal helped me sleep so much better" >c.txt
    "$KINDLY" check -m m.db --remember --id c1 <c.txt >/dev/null || true
    sqlite3 m.db "UPDATE history SET id = CAST(X'63FF31' AS TEXT) WHERE id = 'c1'"
    printf 'id,text\ns1,The breathing exercise and the journal helped me sleep so much better\n' >s.csv
    expect_status 0 "$KINDLY" score -m m.db --format csv s.csv
    python3 -c "
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8', errors='strict')))
assert rows[0]['duplicate_of'] == 'c\ufffd1', rows
assert 'duplicate_of:c\ufffd1 (' in rows[0]['reasons'], rows
" "$T/out" || fail "not valid UTF-8, or not repaired: $(cat -v "$T/out")"
}

# A comment as plain text given as a file, where the README's examples read it on standard
# input (learn --raw < missed-spam.txt, check < comment.txt): its first line read as a
# header of one column, a sentence, is named, and the message says how one comment is read
test_a_plain_text_comment_given_as_csv_says_how_one_comment_is_read() {
    train_small
    echo "Buy cheap pills now at http://pills.example" >missed-spam.txt
    expect_status 4 "$KINDLY" learn -m m.db --spam missed-spam.txt
    contains "$T/err" "kindly learn: missed-spam.txt: no text column (looked for text, CONTENT, comment_content); the header has 1 column: \"Buy cheap pills now at http://pills.example\"; one comment as plain text is read from standard input: kindly learn --raw --spam|--ham < missed-spam.txt"
    expect_status 4 "$KINDLY" score -m m.db missed-spam.txt
    contains "$T/err" "; one comment as plain text is read from standard input: kindly check < missed-spam.txt"
    lines "$T/err" 1
    # piped in, as a first try of score or learn (echo "..." | kindly score): it said only
    # "no text column", the header a sentence, without the command that reads one comment
    expect_status 4 sh -c "\"$KINDLY\" score -m m.db < missed-spam.txt"
    contains "$T/err" "kindly score: <stdin>: no text column (looked for text, CONTENT, comment_content); the header has 1 column: \"Buy cheap pills now at http://pills.example\"; one comment as plain text is read by kindly check, as it is piped here"
    lines "$T/err" 1
    expect_status 4 sh -c "\"$KINDLY\" learn -m m.db --spam - < missed-spam.txt"
    contains "$T/err" "; one comment as plain text is read by kindly learn --raw --spam|--ham, as it is piped here"
    # a header of one word is a CSV without a text column, and a ';' header is named so
    printf 'body\nhello\n' >body.csv
    expect_status 4 "$KINDLY" score -m m.db body.csv
    not_contains "$T/err" "plain text"
    printf 'id;text\n1;hello there\n' >semi.csv
    expect_status 4 "$KINDLY" learn -m m.db --ham semi.csv
    not_contains "$T/err" "plain text"
}

# A plain-text comment whose first line holds a comma ("Hi Ann, ...") reads as a header of
# several columns, parts of a sentence: it is named with the same advice as one of one column
# (it was named without it, as a CSV that lacks a text column); a header of column names of
# one or two words each, without a text column, is not taken for a sentence
test_a_plain_text_comment_with_a_comma_says_how_one_comment_is_read() {
    train_small
    printf 'Hello Ann, thanks for the list of breathing exercises.\nThey helped me sleep.\n' >comment.txt
    expect_status 4 "$KINDLY" score -m m.db comment.txt
    contains "$T/err" "the header has 2 columns: \"Hello Ann\", \"thanks for the list of breathing exercises.\"; one comment as plain text is read from standard input: kindly check < comment.txt"
    lines "$T/err" 1
    expect_status 4 "$KINDLY" learn -m m.db --ham comment.txt
    contains "$T/err" "; one comment as plain text is read from standard input: kindly learn --raw --spam|--ham < comment.txt"
    printf 'comment id,comment body\n1,hello there\n' >cols.csv
    expect_status 4 "$KINDLY" score -m m.db cols.csv
    not_contains "$T/err" "plain text"
}

# An empty comment teaches no token but would shift the prior: learn --raw refuses it, blank
# in any way the tokenizer reads as nothing (a no-break space, \v, a zero-width space, &nbsp;,
# an ideographic space, a lone full stop), not only in ASCII white space.
test_learn_raw_refuses_an_empty_comment() {
    train_small
    "$KINDLY" info -m m.db >before.json
    for s in ' \n' '\302\240' '\v' '\342\200\213' '&nbsp; &#8203;' '\343\200\200' ' . '; do
        expect_status 4 sh -c "printf '$s' | \"$KINDLY\" learn -m m.db --spam --raw" || return 1
        contains "$T/err" "the comment on standard input is empty" || return 1
        contains "$T/err" ": nothing to learn" || return 1
    done
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "the model changed"
}

# A comment on standard input in UTF-16 (Notepad's "Unicode", PowerShell 5's '>'), with its
# byte-order mark or without, is refused as the CSV reader refuses a UTF-16 file, exit 4, the
# model unchanged. Its NUL bytes were read as spaces between single letters: check approved
# a spam comment on two letters (exit 0), learn --raw learnt those letters as spam.
test_stdin_comment_in_utf16_is_refused() {
    train_small
    "$KINDLY" info -m m.db >before.json
    printf 'Buy cheap viagra pills online now at the best casino' | iconv -f UTF-8 -t UTF-16 >bom.txt
    printf 'Buy cheap viagra pills online now at the best casino' | iconv -f UTF-8 -t UTF-16LE >le.txt
    printf 'Buy cheap viagra pills online now at the best casino' | iconv -f UTF-8 -t UTF-16BE >be.txt
    for f in bom.txt le.txt be.txt; do
        for c in "check -m m.db" "learn -m m.db --spam --raw" "rules --test"; do
            expect_status 4 sh -c "\"$KINDLY\" $c < $f" || return 1
            lines "$T/err" 1 || return 1
            contains "$T/err" "kindly ${c%% *}: the comment on standard input is UTF-16, kindly reads UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)" || return 1
            [ ! -s "$T/out" ] || fail "$c < $f wrote: $(cat "$T/out")" || return 1
        done
    done
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "the model changed"
    # converted, it is read: the NUL bytes of a UTF-8 comment are still spaces (below)
    iconv -f UTF-16 -t UTF-8 bom.txt >utf8.txt
    expect_status 0 sh -c "\"$KINDLY\" rules --test < utf8.txt"
    contains "$ROOT/README.md" "longer than 16 MiB or in UTF-16"
}

# The one comment on standard input (check, learn --raw, rules --test): a directory, a comment
# over 16 MiB and NUL bytes are named; NUL bytes are read as spaces, not the end of the text.
test_stdin_comment_errors_are_named() {
    train_small
    expect_status 5 sh -c "\"$KINDLY\" check -m m.db < ."
    contains "$T/err" "cannot read the comment on standard input: Is a directory"
    head -c 17000000 /dev/zero | tr '\0' a >big.txt
    expect_status 4 sh -c "\"$KINDLY\" learn -m m.db --ham --raw < big.txt"
    contains "$T/err" "longer than 16 MiB"
    # exactly 16 MiB is not longer than 16 MiB: accepted, as a CSV field of that size is
    head -c 16777216 big.txt >exact.txt
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --ham --raw < exact.txt"
    not_contains "$T/err" "longer than 16 MiB"
    printf 'cheap\0pills' >nul.txt
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --spam --raw < nul.txt"
    contains "$T/err" "kindly learn: the comment holds NUL bytes; they were read as spaces"
    # the word after the NUL byte was learnt too
    echo "zzpills" >before.txt
    printf 'cheap\0zzpills' | "$KINDLY" learn -m m.db --spam --raw 2>/dev/null
    "$KINDLY" check -m m.db --no-rules <before.txt >out || true
    contains out '"token":"zzpills","p":'
    contains out '"spam":1,'
}

# A missing input is named before a model is created for nothing (a model is never deleted
# afterwards: another process may have written it meanwhile); a model of one kind of comment
# is warned about (a WordPress export without its spam).
test_train_names_a_missing_file_first_and_warns_about_one_kind() {
    printf 'id,label,text\n1,ham,fine\n' >one.csv
    expect_status 5 "$KINDLY" train -m new.db one.csv missing.csv
    contains "$T/err" "kindly train: cannot open comments file missing.csv: No such file or directory"
    contains "$T/err" "kindly train: nothing was learnt, from the other files either: leave out or fix the file named above"
    [ ! -e new.db ] || fail "new.db created for a missing input"
    # every file that cannot be read is named, not the first alone
    mkdir -p adir
    expect_status 5 "$KINDLY" train -m new.db adir one.csv missing.csv
    contains "$T/err" "kindly train: cannot open comments file adir: Is a directory"
    contains "$T/err" "kindly train: cannot open comments file missing.csv: No such file or directory"
    contains "$T/err" "leave out or fix the files named above and run it again"
    [ ! -e new.db ] || fail "new.db created for a missing input"
    printf 'comment_ID,comment_content,comment_approved\n1,Thank you for this,1\n2,It helped me,1\n' >approved.csv
    expect_status 0 "$KINDLY" train -m new.db approved.csv
    contains "$T/err" "warning: new.db has no spam messages yet"
    contains "$T/err" "wp comment list --status=spam"
    printf 'comment_ID,comment_content,comment_approved\n3,cheap pills,spam\n' >spam.csv
    expect_status 0 "$KINDLY" train -m new.db spam.csv
    not_contains "$T/err" "warning"
    # an existing model is kept whatever happens; with no other file, nothing more to say
    expect_status 5 "$KINDLY" train -m new.db missing.csv
    [ -e new.db ] || fail "an existing model was removed"
    not_contains "$T/err" "nothing was learnt"
}

# GNU spellings: --opt=VALUE, and "--" before a file whose name starts with '-'; flags that
# cannot go together are usage errors, not silently ignored.
# the fisher scorer's tuning flags with the multinomial scorer change nothing: a warning
# says so (they were taken without a word); with --scorer fisher, none
test_fisher_tuning_flags_warn_when_the_scorer_ignores_them() {
    train_small
    echo "hello there" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" score -m m.db --robinson-s 0 \"$D/score.csv\""
    contains "$T/err" "warning: --robinson-s tunes --scorer fisher only; the multinomial scorer (the default) ignores it"
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db --max-tokens 0 < c.txt; [ \$? -lt 3 ]"
    contains "$T/err" "warning: --max-tokens tunes --scorer fisher only"
    expect_status 0 sh -c "\"$KINDLY\" score -m m.db --scorer fisher --robinson-s 0 --max-tokens 0 \"$D/score.csv\""
    not_contains "$T/err" "warning"
}

test_gnu_option_spellings_and_conflicting_flags() {
    train_small
    expect_status 0 "$KINDLY" score --model=m.db --offtopic-threshold=off "$D/train.csv"
    lines "$T/out" "$(($(wc -l <"$D/train.csv") - 1))"
    expect_status 0 "$KINDLY" score -mm.db "$D/train.csv" # -mFILE, as getopt takes it
    lines "$T/out" "$(($(wc -l <"$D/train.csv") - 1))"
    cp "$D/train.csv" ./-odd.csv
    expect_status 0 "$KINDLY" score -m m.db -- -odd.csv
    lines "$T/out" "$(($(wc -l <"$D/train.csv") - 1))"
    expect_status 3 "$KINDLY" score -m m.db -odd.csv
    expect_status 3 "$KINDLY" score --model= "$D/train.csv"
    contains "$T/err" "--model: empty file name"
    expect_status 3 "$KINDLY" train -m m.db --foreign=no "$D/train.csv" # a flag takes no value
    contains "$T/err" "option '--foreign' takes no value (got '--foreign=no')"
    echo "hello there" >c.txt
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db --author --x=y --id=c1 < c.txt; [ \$? -lt 3 ]" # a value, verbatim
    contains "$T/out" '"id":"c1"'
    # a value that reads like --help is a value: the commenter chose it, and the verdict is the exit status
    echo "Cheap xanax and valium, no prescription, order now http://rx-direct.example" >spam.txt
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --author --help < spam.txt"
    contains "$T/out" '"verdict":"spam"'
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --url -h --email --help < spam.txt"
    expect_status 0 "$KINDLY" check -m m.db --author x --help
    contains "$T/out" "usage: kindly check"
    expect_status 0 "$KINDLY" history -m m.db --prune --keep-days=36500 # --prune is a flag here
    expect_status 3 "$KINDLY" score -m m.db --explain --format csv "$D/train.csv"
    contains "$T/err" "--explain writes text for people"
    expect_status 3 "$KINDLY" eval --folds 3 --remember "$D/train.csv"
    contains "$T/err" "--remember records in a model file"
    # alone: a test file that is also a --train file was warned about first, as if it ran
    expect_status 3 "$KINDLY" eval --remember --train "$D/train.csv" "$D/train.csv"
    contains "$T/err" "--remember records in a model file: use it with -m, not --train"
    not_contains "$T/err" "is also a --train file"
    # --remember fills the duplicates stage's history: skipped, it would record nothing
    expect_status 3 "$KINDLY" score -m m.db --remember --dup-threshold off "$D/train.csv"
    contains "$T/err" "--remember records comments for the duplicates stage: not with --dup-threshold off"
    expect_status 3 sh -c "\"$KINDLY\" check -m m.db --remember --dup-threshold off < c.txt"
    expect_status 3 "$KINDLY" eval -m m.db --ham-cutoff 0.9 --spam-cutoff 0.5 "$D/train.csv"
    contains "$T/err" "--ham-cutoff must not be above --spam-cutoff (0.9 > 0.5)"
    # one cut-off given, below (above) the other's default: said so, not as if both were given
    expect_status 3 sh -c "\"$KINDLY\" check -m m.db --spam-cutoff 0.3 < c.txt"
    contains "$T/err" "--spam-cutoff 0.3 is below --ham-cutoff's default, 0.5; give a --ham-cutoff of at most 0.3 too"
    expect_status 3 "$KINDLY" score -m m.db --ham-cutoff 0.95 "$D/train.csv"
    contains "$T/err" "--ham-cutoff 0.95 is above --spam-cutoff's default, 0.9; give a --spam-cutoff of at least 0.95 too"
    expect_status 3 "$KINDLY" serve -m m.db --spam-cutoff .2 --listen 127.0.0.1:0
    contains "$T/err" "--spam-cutoff 0.2 is below --ham-cutoff's default, 0.5"
}

# learn --raw takes the comment's other fields as check does: the id it is remembered under
# (a later copy names it as duplicate_of), its post (ham joins the post's model).
test_learn_raw_takes_the_comments_fields() {
    train_small
    local t="Amazing offer on miracle gummies, message me today for the discount code"
    echo "$t" >spam.txt
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --spam --raw --id wp-123 --author Bob --post p1 < spam.txt"
    expect_status 1 sh -c "\"$KINDLY\" check -m m.db --id new-1 --author Eve < spam.txt"
    contains "$T/out" '"duplicate_of":"wp-123"'
    # the same feedback again learns nothing; the other label relabels it
    "$KINDLY" info -m m.db >before.json
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --spam --raw --id wp-123 --author Bob --post p1 < spam.txt"
    contains "$T/err" "comment wp-123 was learnt as spam already: nothing to do"
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "learnt twice: $(cat before.json after.json)"
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --ham --raw --id wp-123 --author Bob --post p1 < spam.txt"
    contains "$T/err" "learnt 1 comment as ham (its other label taken back)"
    expect_status 3 "$KINDLY" learn -m m.db --spam --id x "$D/train.csv"
    contains "$T/err" "describe the one comment of --raw"
    printf 'bad\377id' >badid
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db --ham --raw --id \"\$(cat badid)\" < spam.txt"
    contains "$T/err" "kindly learn: --id: invalid UTF-8"
}

# eval's "bayes" line is the Bayes stage's own: its unsure rate and ham marked spam come from
# bayes_score through the cut-offs, not from the final verdict.
test_eval_bayes_figures_are_the_bayes_stages_own() {
    train_small
    expect_status 0 "$KINDLY" eval -m m.db --json "$D/train.csv"
    cp "$T/out" eval.json
    expect_status 0 "$KINDLY" score -m m.db "$D/train.csv"
    python3 - eval.json "$T/out" <<'PY' || fail "eval's bayes unsure rate is not the Bayes stage's"
import json, sys
e = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
held = sum(1 for r in rows if 0.5 <= r["bayes_score"] < 0.9) / len(rows)
assert abs(e["bayes"]["unsure_rate"] - held) < 1e-6, (e["bayes"]["unsure_rate"], held)
PY
}

# Undoing a foreign corpus without --foreign would leave more foreign ham than ham (every
# relevance score off): refused, nothing written; with --foreign it is undone.
test_undo_of_a_foreign_corpus_needs_foreign() {
    "$KINDLY" train -q -m f.db --foreign "$D/train.csv"
    printf 'id,label,text\n1,ham,the breathing exercise helped\n2,spam,cheap pills now\n' >own.csv
    "$KINDLY" train -q -m f.db own.csv
    "$KINDLY" info -m f.db >before.json
    expect_status 3 "$KINDLY" learn -m f.db --undo "$D/train.csv"
    contains "$T/err" "undo them as such, learn --undo --foreign) or they were already undone"
    "$KINDLY" info -m f.db >after.json
    cmp -s before.json after.json || fail "the refused undo changed the model"
    expect_status 0 "$KINDLY" learn -m f.db --undo --foreign "$D/train.csv"
}

# The README's order, foreign corpora learnt and pruned first, the site's own comments after:
# a word pruned with its foreign counts ("mum", once in train.csv) and brought back by the
# site's comments has none, and the undo of the foreign corpus was refused for it ("not
# learnt as foreign"), on the shipped default model too.
test_undo_of_a_pruned_foreign_corpus_after_the_sites_comments() {
    "$KINDLY" train -q -m f.db --foreign --prune 2 "$D/train.csv"
    printf 'id,label,text\n1,ham,my mum taught me the breathing exercise\n2,spam,cheap pills now\n' >own.csv
    "$KINDLY" train -q -m f.db own.csv
    expect_status 0 "$KINDLY" learn -m f.db --undo --foreign "$D/train.csv"
    contains "$T/err" "unlearnt 12 comments (6 spam, 6 ham, foreign)"
    [ "$("$KINDLY" info -m f.db | sed 's/.*"ham_messages":\([0-9]*\).*/\1/')" = 1 ] || fail "$("$KINDLY" info -m f.db)"
    cp "$ROOT/models/default.db" d.db
    chmod u+w d.db
    if [ -d "$SHARED/corpora" ]; then
        expect_status 0 "$KINDLY" learn -m d.db --undo --foreign "$SHARED/corpora/youtube-dev.csv"
    fi
    # comments learnt as the site's own are still refused as foreign where pruning cannot
    # explain it: "zebrafish" lacks 2 foreign counts, pruning at 2 takes at most 1
    printf 'id,label,text\n1,ham,zebrafish and quokkas\n2,ham,zebrafish again\n' >z.csv
    "$KINDLY" train -q -m f.db z.csv
    expect_status 3 "$KINDLY" learn -m f.db --undo --foreign z.csv
    contains "$T/err" "not learnt as foreign"
}

# The site's own ham, pruned, and the same words brought back by a foreign corpus alone: a
# relabel of the comment by its id (the history knows its label) was refused, "would leave
# more foreign ham than ham", where the README says such a label is taken back as far as the
# counts have it, never refused (and the server answered 500). The own ham taken back is now
# what the words have of it, their foreign share kept.
test_a_pruned_own_ham_relabelled_after_a_foreign_corpus_brought_its_words_back() {
    printf 'id,label,text\na1,spam,cheap pills buy now online pharmacy\na2,ham,lovely recipe thanks for sharing\n' >base.csv
    printf 'id,label,text\nf1,ham,zebrafish aquarium tips\n' >f.csv
    "$KINDLY" train -q -m m.db base.csv
    echo "zebrafish aquarium tips" | "$KINDLY" learn -q -m m.db --ham --raw --id z1
    echo "quokka island holiday" | "$KINDLY" learn -q -m m.db --ham --raw --id z2
    "$KINDLY" info -m m.db --prune 2 >/dev/null 2>&1
    "$KINDLY" learn -q -m m.db --foreign f.csv
    printf 'id,label,text\nf2,ham,quokka island holiday\n' >f2.csv
    "$KINDLY" learn -q -m m.db --foreign f2.csv
    echo "zebrafish aquarium tips" | expect_status 0 "$KINDLY" learn -m m.db --spam --raw --id z1
    contains "$T/err" "learnt 1 comment as spam (its other label taken back)"
    echo "quokka island holiday" | expect_status 0 "$KINDLY" learn -m m.db --undo --ham --raw --id z2
    contains "$T/err" "unlearnt 1 comment as ham"
    [ "$(sqlite3 m.db 'SELECT count(*) FROM foreign_ham JOIN tokens USING(h) WHERE n > ham')" = 0 ] ||
        fail "a word has more foreign ham than ham: $(sqlite3 m.db 'SELECT * FROM foreign_ham JOIN tokens USING(h)')"
    [ "$(sqlite3 m.db 'SELECT count(*) FROM foreign_ham JOIN tokens USING(h) WHERE n = 1 AND ham = 1')" -ge 4 ] ||
        fail "the foreign ham lost its counts: $(sqlite3 m.db 'SELECT * FROM foreign_ham JOIN tokens USING(h)')"
    # the foreign corpora are still there to be undone as such
    expect_status 0 "$KINDLY" learn -m m.db --undo --foreign f.csv
    expect_status 0 "$KINDLY" learn -m m.db --undo --foreign f2.csv
}

# eval reads several files as one: an export in two files, approved and spam.
test_eval_reads_several_files_as_one() {
    printf 'id,label,text\n1,ham,the breathing exercise helped me sleep\n2,ham,walking in the morning lifts my mood\n3,ham,journaling before bed calms me\n' >approved.csv
    printf 'id,label,text\n4,spam,cheap pills order now\n5,spam,casino bonus click here\n6,spam,buy followers fast\n' >spam.csv
    expect_status 0 "$KINDLY" eval --folds 3 approved.csv spam.csv
    contains "$T/out" "n=6 (spam 3, ham 3)"
}

# default rules beside the binary that this user may not read are named as such, not
# said to be "not installed" (the lookup asked for a readable file, and went on to the next
# place)
test_unreadable_default_rules_are_named() {
    [ "$(id -u)" = 0 ] || skip "needs root to read as another user"
    command -v setpriv >/dev/null || skip "setpriv is needed to run kindly as a user other than root"
    train_small
    mkdir -p bin/models && cp "$KINDLY" bin/kindly && cp "$ROOT/models/default.rules" bin/models/
    chmod 755 "$T" bin bin/models bin/kindly && chmod 644 m.db && chmod 600 bin/models/default.rules
    echo "Cheap xanax and valium, no prescription, order now" >c.txt
    expect_status 5 setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "bin/kindly check -m m.db < c.txt"
    contains "$T/err" "bin/models/default.rules"
    contains "$T/err" "ermission denied"
    not_contains "$T/err" "not installed"
}

# a binary without its default rules beside it (copied elsewhere) refuses to classify
# without rules silently: the verdicts would not be the documented ones
test_missing_default_rules_are_an_error() {
    train_small
    mkdir bin && cp "$KINDLY" bin/kindly
    echo "Cheap xanax and valium, no prescription, order now" >c.txt
    expect_status 5 sh -c "bin/kindly check -m m.db < c.txt"
    contains "$T/err" "the default rules are not installed beside this binary"
    contains "$T/err" "--no-rules"
    expect_status 1 sh -c "bin/kindly check -m m.db --no-rules < c.txt"
    expect_status 1 sh -c "bin/kindly check -m m.db --rules \"$ROOT/models/default.rules\" < c.txt"
    contains "$T/out" '"rules":[{'
}

# a model that learnt nothing (or only one kind) cannot tell spam from ham: score, check and
# eval say so; train and posts create no model when they put nothing in it
test_untrained_model_is_named_and_no_model_is_created_for_nothing() {
    expect_status 4 "$KINDLY" train -m empty.db "$ROOT/corpora/sample.csv" # unlabelled: learns nothing
    contains "$T/err" "nothing was learnt: empty.db was not created"
    [ ! -e empty.db ] || fail "train created a model of nothing"
    # what was there before is never removed, even a dangling symbolic link
    ln -s target.db link.db
    expect_status 4 "$KINDLY" train -m link.db "$ROOT/corpora/sample.csv"
    [ -L link.db ] || fail "train removed the user's symbolic link"
    expect_status 0 "$KINDLY" posts -m empty.db "$ROOT/corpora/posts.csv" # posts, no comments
    echo "hello there" >c.txt
    expect_status 2 sh -c "\"$KINDLY\" check -m empty.db < c.txt"
    contains "$T/err" "empty.db has learnt no comments, so it cannot tell spam from ham"
    expect_status 0 "$KINDLY" score -m empty.db "$ROOT/corpora/sample.csv"
    contains "$T/err" "kindly score: warning: empty.db has learnt no comments"
    # only approved comments (a WordPress export without --status=spam): spam goes through
    printf 'label,text\nham,thank you for this post\nham,the breathing exercise helped me\n' >approved.csv
    "$KINDLY" train -q -m hamonly.db approved.csv 2>/dev/null
    echo "Thank you for this post, buy cheap xanax online now http://rx.example" >spam.txt # words it knows
    expect_status 0 sh -c "\"$KINDLY\" check -m hamonly.db --no-rules < spam.txt; [ \$? -lt 3 ]"
    grep -q '"tokens":\[{' "$T/out" || fail "no known token: $(cat "$T/out")"
    contains "$T/err" "hamonly.db has learnt no spam, so it approves spam that its rules do not catch"
    # one sentence that names the command to run (it read "...: kindly train -m hamonly.db on
    # labelled comments of both kinds")
    contains "$T/err" "kindly check: warning: hamonly.db has learnt no spam, so it approves spam that its rules do not catch; train it on comments labelled spam and ham: kindly train -m hamonly.db FILE.csv"
    train_small
    expect_status 0 "$KINDLY" score -m m.db "$ROOT/corpora/sample.csv"
    [ ! -s "$T/err" ] || fail "warned about a trained model: $(cat "$T/err")"
    expect_status 5 "$KINDLY" posts -m typo.db missing.csv
    contains "$T/err" "kindly posts: cannot open posts file missing.csv: No such file or directory"
    [ ! -e typo.db ] || fail "posts created typo.db for a file it could not read"
    printf 'ID,post_title\n1,Hello\n' >titles.csv
    expect_status 4 "$KINDLY" posts -m typo.db titles.csv
    [ ! -e typo.db ] || fail "posts created typo.db and imported nothing"
}

# --folds keeps the copies of a text in one fold: a comment is never tested on its own copy;
# F1 is 0, not n/a, when spam was missed and none found
test_eval_folds_keep_copies_together() {
    printf 'id,label,text\n' >copies.csv
    for i in 1 2 3 4; do
        echo "a$i,spam,buy cheap pills now at the pharmacy" >>copies.csv
        echo "b$i,ham,thank you for the lovely post about sleep" >>copies.csv
    done
    # copies the duplicates stage calls the same are copies too: case, spacing, punctuation
    echo "a5,spam,BUY cheap pills NOW at the pharmacy!!" >>copies.csv
    echo "b5,ham,Thank you  for the lovely post about sleep." >>copies.csv
    # row i in fold i mod 3 would train every fold on copies of its test rows: all right
    expect_status 0 "$KINDLY" eval --folds 3 --no-rules --json copies.csv
    python3 -c "
import json,sys
f=json.load(open(sys.argv[1]))['final']
assert f['tp']==0 and f['tn']==0, f   # each text was tested by a model that never saw it
assert f['f1']==0, f
" "$T/out" || fail "copies were split across folds: $(cat "$T/out")"
}

# a closed standard input is an input that cannot be read (5), not an empty one (4); a
# closed standard output fails the run (5) however the model file is opened
test_closed_standard_descriptors_are_errors() {
    train_small
    expect_status 5 sh -c "\"$KINDLY\" score -m m.db - <&-"
    contains "$T/err" "cannot read <stdin>: standard input is closed"
    expect_status 5 sh -c "\"$KINDLY\" check -m m.db <&-"
    contains "$T/err" "standard input is closed"
    expect_status 5 sh -c "\"$KINDLY\" score -m m.db \"$D/score.csv\" >&-"
    contains "$T/err" "cannot write standard output"
    expect_status 0 sh -c "\"$KINDLY\" info -m m.db 2>&-"
}

# eval of several files, one of them empty or unlabelled: as train, that file is named and
# skipped, the others' rows are evaluated, exit status 4 (eval stopped with no figures)
test_eval_skips_a_file_without_labelled_rows_and_scores_the_others() {
    train_small
    printf 'id,label,text\n1,spam,cheap pills now buy viagra\n2,spam,buy cheap pills online\n' >spam-export.csv
    : >empty.csv
    printf 'id,body\n1,hello\n' >notext.csv
    for f in empty.csv notext.csv "$D/score.csv"; do
        expect_status 4 "$KINDLY" eval -m m.db --json spam-export.csv "$f"
        contains "$T/err" "$f"
        contains "$T/out" '"final":{"n":2,"spam":2,"ham":0,'
        lines "$T/out" 1
    done
    contains "$T/err" "kindly eval: no labelled rows in $D/score.csv"
    # the file is named: its rows are not counted again as unlabelled rows (they were, "4
    # unlabelled rows not evaluated")
    not_contains "$T/err" "unlabelled"
    # the order of the files does not matter, nor the way of training
    expect_status 4 "$KINDLY" eval -m m.db "$D/score.csv" spam-export.csv
    contains "$T/out" "n=2 (spam 2, ham 0)"
    expect_status 4 "$KINDLY" eval --folds 2 --json "$D/score.csv" "$D/train.csv"
    contains "$T/out" '"final":{"n":12,'
    expect_status 4 "$KINDLY" eval --train "$D/train.csv" --train empty.csv --json spam-export.csv
    contains "$T/err" "empty.csv"
    contains "$T/out" '"final":{"n":2,'
    # with no labelled row in any file, still no figures
    expect_status 4 "$KINDLY" eval -m m.db empty.csv "$D/score.csv"
    lines "$T/out" 0
    expect_status 4 "$KINDLY" eval --train empty.csv spam-export.csv
    contains "$T/err" "empty.csv"
    lines "$T/out" 0
    # and why there are none, when the test files had labelled rows: the --train files were
    # each named, and nothing more said of the test file, of rows, but without figures
    expect_status 4 "$KINDLY" eval --train empty.csv --train notext.csv spam-export.csv
    lines "$T/err" 3
    [ "$(tail -1 "$T/err")" = "kindly eval: no --train file has a labelled row: no model to evaluate, no figures" ] ||
        fail "stderr: $(cat "$T/err")"
    expect_status 0 "$KINDLY" help eval
    contains "$T/out" "and skipped, as train skips it, and the other files are evaluated"
}

# smaller points a script writer meets: learn -q is quiet, rules --stats on an unlabelled
# file is an error as eval's is, "1 row"
test_learn_quiet_rules_stats_unlabelled_and_one_row() {
    train_small
    expect_status 0 "$KINDLY" learn -m m.db -q --spam "$D/score.csv"
    [ ! -s "$T/err" ] || fail "learn -q wrote: $(cat "$T/err")"
    expect_status 4 "$KINDLY" rules --stats "$ROOT/corpora/sample.csv"
    contains "$T/err" "no labelled rows in"
    printf 'label,text\nspam,buy pills\n' >one.csv
    expect_status 0 "$KINDLY" train -m one.db one.csv
    contains "$T/err" "learnt 1 comment (1 spam, 0 ham)"
}

# a Windows-1252 comment on standard input is named, with the command that converts it
test_check_warns_of_a_comment_that_is_not_utf8() {
    train_small
    printf 'I\222m a caf\351 fan' >cp1252.txt
    expect_status 0 sh -c "\"$KINDLY\" check -m m.db < cp1252.txt; [ \$? -lt 3 ]"
    contains "$T/err" "the comment is not valid UTF-8 (at byte 1)"
    contains "$T/err" "iconv -f WINDOWS-1252 -t UTF-8"
    expect_status 0 sh -c "\"$KINDLY\" learn -m m.db -q --ham --raw --id w1 < cp1252.txt"
    contains "$T/err" "not valid UTF-8"
}

# score --remember writing to a slow reader: its output blocked in write(2) while the history
# batch held the model's write lock, so `kindly learn` (and the server) waited 10 s, then
# failed with "database is locked". The pending history is committed before each write. The
# reader here waits for learn to finish (no time limit to pass under load): learn fails as
# before the fix if score still holds the lock.
test_score_remember_does_not_hold_the_model_while_its_reader_is_slow() {
    train_small
    awk 'BEGIN { print "id,text"; for (i = 0; i < 8000; i++)
                 printf "r%d,\"comment number %d about sleep, tea and walking in the park %d\"\n", i, i, i * 7 }' >rows.csv
    mkfifo go
    ( "$KINDLY" score -m m.db --remember rows.csv | (timeout 120 sh -c 'read x <go'; cat >/dev/null) ) &
    # wait until score has remembered rows and is blocked on its full pipe: its remembered
    # count stops growing (bounded: on a slow machine the test is only weaker)
    local n=-1 m i
    for i in $(seq 100); do
        m=$("$KINDLY" history -m m.db | sed 's/.*"comments":\([0-9]*\).*/\1/')
        [ "$m" -gt 0 ] && [ "$m" = "$n" ] && break
        n=$m
        sleep 0.2
    done
    [ "$m" -lt 8000 ] || fail "score was not blocked by its reader ($m comments remembered)"
    echo "an unrelated comment to learn" | "$KINDLY" learn -m m.db --spam --raw --id z1 >learn.out 2>&1
    local rc=$?
    echo go >go
    wait
    [ $rc -eq 0 ] || fail "learn failed while score waited for its reader: $(cat learn.out)"
    "$KINDLY" history -m m.db >h.json
    contains h.json '"comments":8001'
}

# kindly history's times: null only for an empty history. A comment dated 1970-01-01T00:00:00Z
# (time 0, a date kindly reads) was shown as "oldest_utc":null beside "comments":2, as if there
# were none.
test_history_shows_a_comment_of_time_0_as_a_date() {
    train_small
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":0,'
    contains "$T/out" '"oldest":0,"oldest_utc":null,"newest":0,"newest_utc":null}'
    echo "a comment about walking every morning with my aunt" | "$KINDLY" learn -q -m m.db --ham --raw --id e0 --date 1970-01-01T00:00:00Z
    echo "a comment about sleeping better at night now" | "$KINDLY" learn -q -m m.db --ham --raw --id e1 --date 2024-05-01T13:45:00Z
    expect_status 0 "$KINDLY" history -m m.db
    contains "$T/out" '"comments":2,'
    contains "$T/out" '"oldest":0,"oldest_utc":"1970-01-01T00:00:00Z","newest":1714571100,"newest_utc":"2024-05-01T13:45:00Z"}'
}

# A file size limit reached while writing the model: SIGXFSZ killed kindly (status 153) with
# nothing said; it is an I/O error now, named, and the new model is not left behind.
test_a_file_size_limit_is_an_io_error() {
    expect_status 5 sh -c "ulimit -f 100; exec \"$KINDLY\" train -m lim.db \"$ROOT/corpora/comments.csv\""
    contains "$T/err" "cannot write the counts in model lim.db"
    contains "$T/err" "file size limit"
    [ ! -e lim.db ] || fail "lim.db was left behind"
}

# The history filling the disk part-way through score --remember: the message says how many
# comments were recorded and how many were not, and the history holds exactly those recorded
# (it said "nothing was written" of a run that had committed thousands).
test_a_failed_history_write_says_how_many_were_recorded() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    awk 'BEGIN { print "id,author,text"
                 for (i = 1; i <= 20000; i++)
                     printf "r%d,user%d,comment number %d about walk%d and sleep%d in the park %d\n", i, i % 97, i, i * 7, i * 13, i * 31 }' >many.csv
    lim=$(( $(stat -c %s m.db) / 1024 + 800 ))
    expect_status 5 bash -c "set -o pipefail; ulimit -f $lim; \"$KINDLY\" score --remember -m m.db many.csv | wc -l >n.out"
    contains "$T/err" "cannot write the history in model m.db"
    not_contains "$T/err" "nothing was written"
    lines "$T/err" 1
    # the failure comes while recording a comment or at a commit before verdicts are
    # written: one line either way, with the line the run stopped at, and the verdicts of
    # every comment scored (recorded or not) are written: all but the one whose recording
    # failed, or all when a commit failed
    n=$(sed -n 's/.*; \([0-9]*\) comments were recorded, the last \([0-9]*\) were not).*/\1/p' "$T/err")
    lost=$(sed -n 's/.*, the last \([0-9]*\) were not).*/\1/p' "$T/err")
    line=$(sed -n 's/^kindly score: many\.csv:\([0-9]*\): .*/\1/p' "$T/err")
    [ -n "$n" ] && [ -n "$lost" ] && [ -n "$line" ] || fail "no counts: $(cat "$T/err")"
    [ "$n" -gt 0 ] && [ "$lost" -gt 0 ] || fail "$(cat "$T/err")"
    [ $((n + lost)) -eq $((line - 1)) ] || fail "$n + $lost comments, but the run stopped at line $line"
    v=$(cat n.out)
    [ "$v" -eq $((line - 1)) ] || [ "$v" -eq $((line - 2)) ] || fail "$v verdicts of $((line - 1)) comments read"
    "$KINDLY" history -m m.db >h.json
    contains h.json "\"comments\":$n,"
}

# A comment that cannot be classified (here its recording refused by a trigger on the history
# table, a store error as deterministic as a full disk) is named FILE:LINE, as every other
# row message is; it said "line 6" alone, without the file. Standard input is <stdin>.
test_a_comment_that_cannot_be_classified_is_named_file_and_line() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    sqlite3 m.db "CREATE TRIGGER refuse BEFORE INSERT ON history WHEN NEW.id = 's-05'
                  BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;"
    cp "$ROOT/corpora/sample.csv" s.csv
    expect_status 5 "$KINDLY" score -m m.db --remember s.csv
    lines "$T/err" 1
    grep -q "^kindly score: s\.csv:6: cannot record the comment in model m\.db: refused by a test trigger" "$T/err" ||
        fail "$(cat "$T/err")"
    lines "$T/out" 4 # the verdicts of the rows before it
    expect_status 5 sh -c "cat s.csv | \"$KINDLY\" score -m m.db --remember -"
    lines "$T/err" 1
    grep -q "^kindly score: <stdin>:6: cannot record the comment in model m\.db" "$T/err" || fail "$(cat "$T/err")"
}

# A model damaged where its token counts are (a page of zeros): score, which loads them all,
# names the model and says what to do, as train and learn do ("cannot write the counts in
# model d.db: ..."); it said "cannot load token counts: database disk image is malformed",
# naming no file.
test_a_damaged_model_is_named_when_its_counts_are_loaded() {
    "$KINDLY" train -q -m d.db "$ROOT/corpora/comments.csv"
    page=$(sqlite3 d.db "SELECT pageno FROM dbstat WHERE name = 'tokens' AND pagetype = 'leaf' LIMIT 1" 2>/dev/null) ||
        skip "this sqlite3 has no dbstat table"
    size=$(sqlite3 d.db 'PRAGMA page_size')
    dd if=/dev/zero of=d.db bs="$size" seek=$((page - 1)) count=1 conv=notrunc 2>/dev/null
    expect_status 5 "$KINDLY" score -m d.db "$ROOT/corpora/sample.csv"
    lines "$T/err" 1
    contains "$T/err" "kindly score: cannot read the token counts in model d.db: database disk image is malformed (the file is damaged: restore it from a backup)"
    # writing it, train and learn say what to do too (SQLite's words alone before)
    expect_status 5 "$KINDLY" train -m d.db "$ROOT/corpora/comments.csv"
    contains "$T/err" "kindly train: cannot write the counts in model d.db: database disk image is malformed (the file is damaged: restore it from a backup)"
    expect_status 5 sh -c "echo 'cheap pills' | \"$KINDLY\" learn -m d.db --spam --raw"
    contains "$T/err" "in model d.db: database disk image is malformed (the file is damaged: restore it from a backup)"
}

# A copy of a model cut short (a transfer interrupted, a full disk) is a damaged kindly model,
# and said to be, with what to do, by the commands that read it and by merge; it was "c.db
# is not a kindly model: database disk image is malformed", as a file of another program.
test_a_model_cut_short_is_said_to_be_damaged() {
    "$KINDLY" train -q -m m.db "$ROOT/corpora/comments.csv"
    "$KINDLY" info -m m.db --pack >/dev/null
    head -c $(($(stat -c %s m.db) / 2)) m.db >c.db
    local want="cannot read model c.db: database disk image is malformed (the file is damaged: restore it from a backup)"
    expect_status 5 "$KINDLY" info -m c.db
    contains "$T/err" "kindly info: $want"
    expect_status 5 sh -c "echo 'cheap pills' | \"$KINDLY\" check -m c.db"
    contains "$T/err" "kindly check: $want"
    expect_status 5 "$KINDLY" merge out.db c.db
    contains "$T/err" "kindly merge: $want"
    expect_status 5 "$KINDLY" train -m c.db "$ROOT/corpora/comments.csv"
    contains "$T/err" "kindly train: $want"
    # a file of another program is still called so
    sqlite3 other.db 'CREATE TABLE t(x); INSERT INTO t VALUES(randomblob(9000))' 2>/dev/null || skip "no sqlite3 command"
    head -c 5000 other.db >o.db
    expect_status 5 "$KINDLY" info -m o.db
    contains "$T/err" "kindly info: o.db is not a kindly model: database disk image is malformed"
}

# A new model whose schema cannot be written (no room at all) is not left behind, empty.
test_a_model_that_cannot_be_created_is_not_left_empty() {
    expect_status 5 sh -c "ulimit -f 0; exec \"$KINDLY\" train -m z.db \"$ROOT/corpora/comments.csv\""
    [ ! -e z.db ] || fail "an empty z.db was left behind"
}

# Chinese has no spaces: kindly reads it in overlapping character pairs, so a model trained
# on Chinese comments tells new spam from new ham (before, each clause was one unknown word
# and both were held at 0.5 or so)
test_chinese_comments_are_learnt_in_character_pairs() {
    expect_status 0 "$KINDLY" train -q -m m.db "$D/cjk-train.csv"
    expect_status 0 "$KINDLY" score --no-rules --dup-threshold off --offtopic-threshold off -m m.db "$D/cjk-score.csv"
    sed -n 1p "$T/out" | grep -q '"verdict":"spam"' || fail "Chinese spam not spam: $(sed -n 1p "$T/out")"
    sed -n 1p "$T/out" | grep -q '"token:购买=' || fail "no character pair among the reasons: $(sed -n 1p "$T/out")"
    sed -n 2p "$T/out" | grep -q '"verdict":"approve"' || fail "Chinese ham not approved: $(sed -n 2p "$T/out")"
}

# "xаnаx" with Cyrillic letters is read as "xanax", and the disguise is evidence itself
test_lookalike_letters_are_read_as_latin() {
    train_small
    expect_status 0 sh -c "printf 'Ch\320\265\320\260p p\321\226lls' | \"$KINDLY\" learn -q --raw --spam -m m.db"
    expect_status 2 sh -c "printf 'x\320\260n\320\260x and valium' | \"$KINDLY\" check --no-rules --offtopic-threshold off -m m.db"
    contains "$T/out" '{"token":"xanax","p":0.'
    contains "$T/out" '{"token":"#mixedscript","p":0.'
}

# a fold (or the --train files) without spam or without ham gives figures that measure
# nothing: eval says so, as it does for a -m model that never learnt one of them
test_eval_warns_when_a_folds_model_lacks_spam_or_ham() {
    printf 'id,label,text\n1,ham,hello there friend\n2,ham,nice walk today\n3,spam,buy cheap pills now\n4,ham,thanks for this\n' > small.csv
    printf 'id,label,text\n1,ham,hi there\n' > ham.csv
    expect_status 0 "$KINDLY" eval --folds 4 small.csv
    contains "$T/err" "warning: fold 3's model (the other folds' rows) has learnt no spam"
    expect_status 0 "$KINDLY" eval --train ham.csv small.csv
    contains "$T/err" "warning: the model of the --train files has learnt no spam"
    expect_status 0 "$KINDLY" eval --train small.csv small.csv
    not_contains "$T/err" "has learnt no"
}

# --folds K with fewer distinct texts than K: the folds past them have no row to test, so
# they are not trained (each trained on every row, and warned of as a fold without spam);
# eval says so once. The figures are those of K = the number of distinct texts.
test_eval_folds_beyond_the_distinct_texts_are_skipped() {
    printf 'id,label,text\n1,ham,hello there friend\n2,ham,nice walk today\n3,ham,thanks for this\n' > ham.csv
    expect_status 0 "$KINDLY" eval --folds 5 --json ham.csv
    contains "$T/err" "warning: --folds 5, but only 3 distinct texts: folds 4-5 have no rows to test (skipped)"
    contains "$T/err" "fold 3's model"
    not_contains "$T/err" "fold 4's model"
    not_contains "$T/err" "fold 5's model"
    cp "$T/out" five.json
    expect_status 0 "$KINDLY" eval --folds 3 --json ham.csv
    not_contains "$T/err" "distinct"
    cmp -s "$T/out" five.json || fail "--folds 5 and --folds 3 differ on 3 texts"
    printf 'id,label,text\n1,spam,buy pills\n2,spam,BUY PILLS!\n3,ham,hello\n' > copies.csv
    expect_status 0 "$KINDLY" eval --folds 3 copies.csv
    contains "$T/err" "only 2 distinct texts: fold 3 has no rows to test (skipped)"
}

# score and eval count the bad rows they skip on stderr, in train's words, so that the count
# equals the messages as the README says (they named the rows, but counted none); stdout holds
# only the verdicts or the figures, and a run without a bad row says nothing more
test_score_and_eval_count_their_bad_rows_as_train_does() {
    train_small
    printf 'id,text,label\na,hello there,ham\nb,"x,y,z\nc,buy now,spam\nd,ok,ham,extra\n' >bad.csv
    expect_status 4 "$KINDLY" train -m t.db bad.csv
    contains "$T/err" "; 2 bad rows skipped"
    for c in "score -m m.db" "score -m m.db --format csv" "eval -m m.db"; do
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c bad.csv
        [ "$(grep -c '(row skipped)' "$T/err")" -eq 2 ] || fail "$c: messages: $(cat "$T/err")"
        [ "$(tail -1 "$T/err")" = "kindly ${c%% *}: 2 bad rows skipped" ] || fail "$c: summary: $(cat "$T/err")"
        not_contains "$T/out" "skipped"
    done
    # the --train files' bad rows are counted with the test files', as they are named
    expect_status 4 "$KINDLY" eval --train bad.csv "$D/train.csv"
    [ "$(tail -1 "$T/err")" = "kindly eval: 2 bad rows skipped" ] || fail "summary: $(cat "$T/err")"
    expect_status 4 "$KINDLY" eval --train bad.csv bad.csv
    [ "$(grep -c '(row skipped)' "$T/err")" -eq 4 ] || fail "messages: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly eval: 4 bad rows skipped" ] || fail "summary: $(cat "$T/err")"
    printf 'id,text,label\na,hello there,ham\nb,"x,y,z\nc,buy now,spam\n' >one.csv
    expect_status 4 "$KINDLY" score -m m.db one.csv
    [ "$(tail -1 "$T/err")" = "kindly score: 1 bad row skipped" ] || fail "summary: $(cat "$T/err")"
    expect_status 0 "$KINDLY" score -m m.db "$D/score.csv"
    [ ! -s "$T/err" ] || fail "stderr of a clean run: $(cat "$T/err")"
}

# eval counts the rows it leaves out for want of a label, as train and learn do (a pending
# comment of an export, an unknown label), and refuses a file named twice as train does
test_eval_counts_unlabelled_rows_and_refuses_a_file_twice() {
    printf 'id,label,text\n1,ham,hello there friend\n2,,no label\n3,spam,buy cheap pills now\n4,maybe,odd label\n' > t.csv
    expect_status 0 "$KINDLY" eval --train t.csv t.csv
    contains "$T/err" "t.csv:5: field 'label': unknown label \"maybe\""
    contains "$T/err" "kindly eval: 2 unlabelled rows not evaluated"
    contains "$T/err" "kindly eval: 2 unlabelled rows of the --train files not learnt"
    contains "$T/out" "n=2 (spam 1, ham 1)"
    # a file refused whole (no label column) is named, and its rows are not counted again
    # among the unlabelled ones: t.csv's 2 are
    printf 'id,text\na,hi\nb,there\nc,you\n' >u.csv
    expect_status 4 "$KINDLY" eval --train t.csv --train u.csv t.csv u.csv
    contains "$T/err" "kindly eval: no labelled rows in u.csv: it has no label, CLASS or comment_approved column"
    contains "$T/err" "kindly eval: 2 unlabelled rows not evaluated"
    contains "$T/err" "kindly eval: 2 unlabelled rows of the --train files not learnt"
    contains "$T/out" "n=2 (spam 1, ham 1)"
    expect_status 3 "$KINDLY" eval --train t.csv t.csv ./t.csv
    contains "$T/err" "t.csv and ./t.csv are the same file: its comments would be counted twice"
    expect_status 3 "$KINDLY" eval --train t.csv --train ./t.csv t.csv
    contains "$T/err" "its comments would be learnt twice"
}

# learn records a CSV file's comments in the history, as score --remember does: without an
# id column they go under line numbers, and learn warns as score does
test_learn_warns_about_a_file_without_ids_as_score_remember_does() {
    train_small
    printf 'text\nhello friend and a lovely walk\n' > noid.csv
    expect_status 0 "$KINDLY" learn -m m.db --ham noid.csv
    contains "$T/err" "warning: noid.csv has no id column: its comments are remembered under their line numbers"
    expect_status 0 "$KINDLY" learn -m m.db --ham "$D/train.csv"
    not_contains "$T/err" "warning"
}

# a file named twice (a repeated glob, ./x and x) would count its comments twice: refused,
# as merge refuses a model named twice, before any model is created
test_train_refuses_a_file_named_twice() {
    cp "$D/train.csv" t.csv
    ln -s t.csv link.csv
    expect_status 3 "$KINDLY" train -m new.db t.csv ./link.csv
    contains "$T/err" "t.csv and ./link.csv are the same file: its comments would be counted twice"
    [ ! -e new.db ] || fail "a model was created"
    # '-' is standard input: the file it reads is named twice too
    expect_status 3 sh -c "\"$KINDLY\" train -m new.db - t.csv < t.csv"
    contains "$T/err" "- (standard input) and t.csv are the same file"
    expect_status 3 sh -c "\"$KINDLY\" train -m new.db link.csv - < t.csv"
    [ ! -e new.db ] || fail "a model was created"
    # (a pipe is no file named: both are learnt)
    expect_status 0 sh -c "cat t.csv | \"$KINDLY\" train -m new.db - \"$D/youtube.csv\""
    contains "$T/err" "learnt 14 comments"
    expect_status 3 "$KINDLY" train -m new.db
    contains "$T/err" "('-' for standard input)"
}

# check opens its rules and its model before it reads the comment, as learn --raw does: a model
# that is not there, or not to be written, is said at once, not after someone typed a comment
# at the terminal (or a writer kept its pipe open) for nothing. Here standard input stays open
# for 30 s: check waited for it, then said "the comment is empty" and refused it all the same.
test_check_says_a_model_or_rule_error_before_reading_the_comment() {
    train_small
    mkfifo in
    for args in "-m none.db" "--remember" "-m $ROOT/models/default.db --remember" "-m m.db --rules none.rules"; do
        sleep 30 >in &
        local writer=$!
        t0=$(date +%s)
        got=0
        timeout 10 "$KINDLY" check $args <in >out 2>err || got=$?
        t1=$(date +%s)
        kill $writer
        wait $writer 2>/dev/null || true
        [ $((t1 - t0)) -lt 8 ] || fail "check $args waited for its input (exit $got): $(cat err)"
        [ "$got" -eq 3 ] || [ "$got" -eq 5 ] || fail "check $args: exit $got: $(cat err)"
        not_contains err "the comment is empty"
    done
    echo "hello" | "$KINDLY" check -m none.db >out 2>err || true
    contains err "cannot open model none.db: no such file"
}

# score and learn read one file: a second is refused naming both, and when one of them is a
# model (`kindly score blog.db new.csv`, as merge takes its models), the message says to name it
# with -m; it said "give one input file" and nothing more.
test_score_and_learn_name_the_files_of_a_second_input() {
    train_small
    printf 'id,text\n1,hello\n' >new.csv
    expect_status 3 "$KINDLY" score m.db new.csv
    contains "$T/err" "kindly score: give one input file (or '-' for standard input), not 'm.db' and 'new.csv' (m.db is an SQLite database: name a model with -m MODEL.db)"
    expect_status 3 "$KINDLY" learn --spam m.db new.csv
    contains "$T/err" "kindly learn: give one input file (or '-' for standard input), not 'm.db' and 'new.csv' (m.db is an SQLite database: name a model with -m MODEL.db)"
    expect_status 3 "$KINDLY" score -m m.db new.csv other.csv
    contains "$T/err" "kindly score: give one input file (or '-' for standard input), not 'new.csv' and 'other.csv'"
    not_contains "$T/err" "SQLite"
}

# check reads standard input: '-' names it, as other filters allow; a file name is not
# taken for an unknown option
test_check_takes_dash_and_explains_a_file_argument() {
    train_small
    expect_status 0 sh -c "echo 'The breathing exercise helped me sleep' | \"$KINDLY\" check -m m.db --offtopic-threshold off -"
    expect_status 3 "$KINDLY" check -m m.db comment.txt
    contains "$T/err" "the comment is read from standard input, not from a file ('comment.txt')"
    expect_status 0 "$KINDLY" help help
    contains "$T/out" "Without COMMAND, the list of commands"
}

# The shipped default model is never written to, however a writing command names it (-m, a
# link, $KINDLY_MODEL): each is refused, saying to copy it, and the file is unchanged; a
# copy learns (train, learn, posts, merge, info --pack and --remember all wrote it before)
test_the_shipped_default_model_is_refused_by_every_writing_command() {
    local def="$ROOT/models/default.db"
    sum=$(sha256sum <"$def")
    ln -s "$def" link.db
    cp "$def" other.db
    expect_status 3 "$KINDLY" train -m "$def" "$ROOT/corpora/comments.csv"
    contains "$T/err" "$def is the shipped default model, which is never written to: copy it"
    expect_status 3 sh -c "echo 'buy cheap pills now' | exec \"$KINDLY\" learn -m link.db --spam"
    contains "$T/err" "link.db is the shipped default model"
    expect_status 3 env KINDLY_MODEL=link.db "$KINDLY" posts "$ROOT/corpora/posts.csv"
    expect_status 3 "$KINDLY" merge link.db other.db
    expect_status 3 "$KINDLY" info --pack -m "$def"
    expect_status 3 "$KINDLY" score --remember -m link.db "$ROOT/corpora/sample.csv"
    expect_status 3 sh -c "echo 'a comment' | exec \"$KINDLY\" check --remember -m \"$def\""
    [ "$(sha256sum <"$def")" = "$sum" ] || fail "the shipped default model was written"
    [ ! -e "$def-wal" ] || [ ! -s "$def-wal" ] || fail "the shipped default model has a WAL"
    expect_status 0 "$KINDLY" train -q -m other.db "$ROOT/corpora/comments.csv"
}

# A train interrupted while it creates a model (Ctrl-C, SIGTERM) leaves no model behind, as
# one that learnt nothing leaves none: the empty file it had created stayed, with 0 messages
# (a later score warned of a model that learnt nothing). A model that existed is unchanged,
# and said to be.
test_an_interrupted_train_leaves_no_new_model() {
    python3 -c '
import random
random.seed(7)
w = ["w%d" % i for i in range(5000)]
print("id,text,label")
for i in range(40000):
    print("r%d,%s,%s" % (i, " ".join(random.choice(w) for _ in range(12)), "spam" if i % 3 == 0 else "ham"))
' >big.csv
    for sig in INT TERM; do
        rm -f m.db
        python3 - "$KINDLY" "$sig" <<'PY' || fail "SIG$sig: $(cat err.txt)"
import os, signal, subprocess, sys, time
sig = getattr(signal, "SIG" + sys.argv[2])
with open("err.txt", "w") as err:
    p = subprocess.Popen([sys.argv[1], "train", "-m", "m.db", "big.csv"], stderr=err,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # reading its rows, its model open (so its handler set: the check before that opens the
    # input alone); a state waited for by run.sh's wait_for, not a delay
    subprocess.run(["bash", "-c", 'wait_for eval "! running $0 || has_open $0 m.db big.csv"', str(p.pid)])
    p.send_signal(sig)
    rc = p.wait()
sys.exit(0 if rc == -sig else "exit status %d, not killed by the signal" % rc)
PY
        [ ! -e m.db ] || fail "SIG$sig: m.db left behind: $("$KINDLY" info -m m.db)"
        [ ! -e m.db-wal ] && [ ! -e m.db-shm ] || fail "SIG$sig: m.db's -wal or -shm left behind"
        contains err.txt "interrupted: m.db was not created"
    done
    # an existing model: interrupted, it is as it was. It is signalled while it reads (a FIFO
    # whose writer waits), not once its commit has begun, which a signal no longer stops
    train_small
    "$KINDLY" info -m m.db >before.json
    mkfifo in.csv
    exec 3<>in.csv
    head -200 big.csv >&3
    "$KINDLY" train -m m.db in.csv 2>err.txt & p=$!
    wait_for has_open $p m.db in.csv # reading it: its model open, so its handler set (the check
    # before that opens the input alone)
    kill -TERM $p
    local rc=0
    wait $p || rc=$?
    exec 3>&-
    [ $rc -eq 143 ] || fail "exit status $rc, not killed by SIGTERM: $(cat err.txt)"
    "$KINDLY" info -m m.db >after.json
    cmp -s before.json after.json || fail "the model changed: $(cat before.json after.json)"
    # and says so, as learn, posts and merge do (it said nothing: was the run saved?)
    contains err.txt "kindly train: interrupted by SIGTERM: nothing of this run was learnt into m.db (it is as it was)"
    lines err.txt 1
}

# learn and posts interrupted (Ctrl-C, SIGTERM) stop as train does: at the next row, nothing
# of the run kept in the model but what was committed before (posts: the files before; learn:
# the comments recorded in the history), one line saying so and naming the model, then the
# process ends by the signal (exit status 130, 143). They were killed at once, silently.
test_an_interrupted_learn_or_posts_keeps_nothing_and_says_so() {
    python3 -c '
import random
random.seed(7)
w = ["w%d" % i for i in range(5000)]
with open("big.csv", "w") as f:
    print("id,text,label", file=f)
    for i in range(20000):
        print("r%d,%s,%s" % (i, " ".join(random.choice(w) for _ in range(12)), "spam" if i % 3 == 0 else "ham"), file=f)
with open("posts.csv", "w") as f:
    print("post_id,title,text", file=f)
    for i in range(20000):
        print("p%d,t%d,%s" % (i, i, " ".join(random.choice(w) for _ in range(40))), file=f)
'
    printf 'post_id,title,text\nq1,Sleep,About sleep and rest\n' >first.csv
    train_small
    "$KINDLY" posts -q -m m.db first.csv
    "$KINDLY" info -m m.db >before.json
    for sig in INT TERM; do
        # learn: a long run (minutes of history writes), signalled once it has begun
        python3 - "$KINDLY" "$sig" <<'PY' || fail "learn, SIG$sig: $(cat err.txt)"
import signal, subprocess, sys, time
sig = getattr(signal, "SIG" + sys.argv[2])
with open("err.txt", "w") as err:
    p = subprocess.Popen([sys.argv[1], "learn", "-m", "m.db", "big.csv"], stderr=err,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # reading its rows, its model open (so its handler set: the check before that opens the
    # input alone); a state waited for by run.sh's wait_for, not a delay
    subprocess.run(["bash", "-c", 'wait_for eval "! running $0 || has_open $0 m.db big.csv"', str(p.pid)])
    p.send_signal(sig)
    rc = p.wait(timeout=20)
sys.exit(0 if rc == -sig else "exit status %d, not killed by the signal" % rc)
PY
        contains err.txt "kindly learn: interrupted by SIG$sig: nothing of this run was learnt into m.db (its counts are as they were)"
        lines err.txt 1
        "$KINDLY" info -m m.db | cmp -s before.json - || fail "learn, SIG$sig: the model changed: $("$KINDLY" info -m m.db)"
        # posts: the second file's import signalled half-way through its rows (a FIFO whose
        # writer holds it open), the first file's posts kept
        rm -f in.csv; mkfifo in.csv
        python3 - "$KINDLY" "$sig" <<'PY' || fail "posts, SIG$sig: $(cat err.txt)"
import signal, subprocess, sys, time
sig = getattr(signal, "SIG" + sys.argv[2])
with open("err.txt", "w") as err:
    p = subprocess.Popen([sys.argv[1], "posts", "-m", "m.db", "first.csv", "in.csv"], stderr=err,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    rows = open("posts.csv").read().splitlines(True)
    w = open("in.csv", "w")
    w.write("".join(rows[:10000])); w.flush()
    # reading its rows, its model open (so its handler set: the check before that opens the
    # input alone); a state waited for by run.sh's wait_for, not a delay
    subprocess.run(["bash", "-c", 'wait_for eval "! running $0 || has_open $0 m.db in.csv"', str(p.pid)])
    p.send_signal(sig)
    rc = p.wait(timeout=20)
    w.close()
sys.exit(0 if rc == -sig else "exit status %d, not killed by the signal" % rc)
PY
        contains err.txt "kindly posts: interrupted by SIG$sig: nothing of in.csv was imported into m.db (the files before it were: 1 post)"
        lines err.txt 1
        "$KINDLY" info -m m.db | cmp -s before.json - || fail "posts, SIG$sig: the model changed: $("$KINDLY" info -m m.db)"
    done
    # a model posts was creating is not left behind, as train's is not
    rm -f new.db in.csv; mkfifo in.csv
    exec 3<>in.csv
    head -200 posts.csv >&3
    "$KINDLY" posts -m new.db in.csv 2>err.txt & p=$!
    wait_for has_open $p new.db in.csv # reading it: its model open, so its handler set (the
    # check before that opens the input alone)
    kill -TERM $p
    local rc=0
    wait $p || rc=$?
    exec 3>&-
    [ $rc -eq 143 ] || fail "exit status $rc, not killed by SIGTERM: $(cat err.txt)"
    [ ! -e new.db ] || fail "new.db left behind: $(cat err.txt)"
    contains err.txt "interrupted: new.db was not created"
}

# learn --raw interrupted while it waits for its comment (a pipe whose writer holds it open)
# stops as learn of a CSV file does: nothing learnt, one line naming the model, the process
# ended by the signal. It died at once, saying nothing.
test_an_interrupted_learn_raw_keeps_nothing_and_says_so() {
    train_small
    "$KINDLY" info -m m.db >before.json
    for sig in INT TERM; do
        python3 - "$KINDLY" "$sig" <<'PY' || fail "learn --raw, SIG$sig: $(cat err.txt)"
import signal, subprocess, sys, time
sig = getattr(signal, "SIG" + sys.argv[2])
with open("err.txt", "w") as err:
    p = subprocess.Popen([sys.argv[1], "learn", "-m", "m.db", "--spam", "--raw", "--id", "c9"], stdin=subprocess.PIPE,
                         stderr=err, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    p.stdin.write(b"buy cheap pills now, half of a comment"); p.stdin.flush()
    # its model open, so its handler set (a state waited for by run.sh's wait_for, not a delay)
    subprocess.run(["bash", "-c", 'wait_for eval "! running $0 || has_open $0 m.db"', str(p.pid)])
    p.send_signal(sig)
    rc = p.wait(timeout=20)
    p.stdin.close()
sys.exit(0 if rc == -sig else "exit status %d, not killed by the signal" % rc)
PY
        contains err.txt "kindly learn: interrupted by SIG$sig: nothing of this run was learnt into m.db (its counts are as they were)"
        lines err.txt 1
        "$KINDLY" info -m m.db | cmp -s before.json - || fail "SIG$sig: the model changed: $("$KINDLY" info -m m.db)"
    done
}

# A signal that comes after learn --raw has set its handler but before it starts reading (while
# it opens the model: the ioctl of its terminal check, just before the read, stands for it) stops
# it too: it was noticed only when the input ended, so learn waited on an open pipe or terminal
# after the Ctrl-C (the test above, under the sanitizers, where opening is slow, timed out so)
test_learn_raw_stops_for_a_signal_before_its_read() {
    command -v strace >/dev/null || skip "no strace"
    strace -f -o /dev/null -e inject=ioctl:signal=TERM:when=1 true 2>/dev/null || skip "strace cannot inject here"
    train_small
    "$KINDLY" info -m m.db >before.json
    mkfifo in
    exec 3<>in # held open: the comment never ends
    printf 'buy cheap pills now, half of a comment' >&3
    local rc=0
    timeout -s KILL 10 strace -f -o /dev/null -e trace=ioctl -e inject=ioctl:signal=TERM:when=1 \
        "$KINDLY" learn -m m.db --spam --raw --id c9 <in 2>err.txt || rc=$?
    exec 3>&-
    [ "$rc" -eq 143 ] || fail "exit status $rc, not 143 (SIGTERM): $(cat err.txt)"
    contains err.txt "kindly learn: interrupted by SIGTERM: nothing of this run was learnt into m.db (its counts are as they were)"
    lines err.txt 1
    "$KINDLY" info -m m.db | cmp -s before.json - || fail "the model changed: $("$KINDLY" info -m m.db)"
}

# learn of a CSV file with a bad row records what it learns in the history as one of none does:
# the history's last write failing (a full disk; strace fails each write in turn) was said
# only when no row had been skipped; after a skipped row it went unsaid, the counts were
# committed and the summary said "learnt 2 comments", but the history had not recorded them
test_learn_says_a_failed_history_write_after_a_skipped_row() {
    local i hit=0 before
    command -v strace >/dev/null || skip "no strace"
    strace -f -o /dev/null -e inject=pwrite64:error=ENOSPC:when=1 true 2>/dev/null || skip "strace cannot inject here"
    train_small
    printf 'id,text,label\nz1,a fine comment about tomatoes,ham\nz2,"bad,row\nz3,another comment on gardens,spam\n' >bad.csv
    before=$("$KINDLY" history -m m.db | sed 's/.*"comments":\([0-9]*\).*/\1/')
    for i in $(seq 1 30); do
        cp m.db f.db
        rm -f f.db-wal f.db-shm
        strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:error=ENOSPC:when=$i \
            "$KINDLY" learn -m f.db bad.csv >out 2>err || true
        grep -q "cannot write the history" err && hit=1
        if grep -q "learnt 2 comments" err; then
            "$KINDLY" history -m f.db | grep -q "\"comments\":$((before + 2))," ||
                fail "write $i failed: learnt, not recorded, and not said: $(cat err) $("$KINDLY" history -m f.db)"
        fi
    done
    [ $hit = 1 ] || fail "no write of the history failed"
}

# A train that creates a model from a terminal stops at the first Ctrl-C, as it does reading a
# file: the CSV reader read again after the signal interrupted its read, so the first did
# nothing that could be seen, and only a second (which ends the process at once) stopped it
test_a_train_reading_a_terminal_stops_at_the_first_signal() {
    python3 - "$KINDLY" <<'PY' || fail "one SIGINT did not stop a train reading a terminal"
import os, signal, subprocess, sys
bad = []
for typed in (b"", b"id,text,label\nr1,hello there friend,ham\n"):
    m, s = os.openpty()
    p = subprocess.Popen([sys.argv[1], "train", "-m", "m.db", "-"], stdin=s, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(s)
    err = p.stderr.readline()  # "reading CSV from the terminal": about to read it
    os.write(m, typed)
    try:
        p.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        pass
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()
        rc = "still running 5 s after one SIGINT"
    err += p.stderr.read()
    os.close(m)
    what = "typed %r" % typed
    if rc != -signal.SIGINT:
        bad.append("%s: exit status %s, not killed by SIGINT" % (what, rc))
    if b"interrupted: m.db was not created" not in err:
        bad.append("%s: stderr %r" % (what, err))
    if os.path.exists("m.db"):
        bad.append("%s: m.db left behind" % what)
        os.remove("m.db")
for b in bad:
    print("    " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# A signal that comes once train's commit has begun does not stop it: the commit is finished
# and the run ends as done, saying so. The model was committed and the process then killed by
# the signal, so the caller, told by help train that an interrupted run leaves the model as it
# was (or none), took the saved comments for lost. The commit is held at its start by another
# process's write lock (SQLite's busy wait), and signalled there.
test_a_signal_during_train_s_commit_lets_it_finish_and_says_so() {
    [ -r /proc/self/syscall ] || skip "no /proc/PID/syscall to see the commit waiting"
    printf 'id,text,label\nr1,hello there friend,ham\nr2,buy cheap pills now,spam\n' >l.csv
    for existing in 0 1; do
        rm -f m.db m.db-wal m.db-shm
        [ $existing = 0 ] || "$KINDLY" train -q -m m.db "$D/train.csv"
        mkfifo in.csv
        python3 - "$KINDLY" <<'PY' || fail "existing=$existing: $(cat err.txt)"
import os, signal, sqlite3, subprocess, sys, time
err = open("err.txt", "w")
p = subprocess.Popen([sys.argv[1], "train", "-m", "m.db", "--prune", "1", "in.csv"], stderr=err,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
w = open("in.csv", "w")  # train reads the FIFO, opened after its model: m.db is made by now
db = sqlite3.connect("m.db", timeout=10, isolation_level=None)
db.execute("BEGIN IMMEDIATE")  # the write lock: train's commit waits for it
w.write(open("l.csv").read()); w.close()
def waiting():  # in SQLite's busy sleep (nanosleep, clock_nanosleep), not reading
    with open("/proc/%d/syscall" % p.pid) as f:
        return f.read().split()[0] in ("35", "230")
t = time.time()
while not waiting():
    if time.time() - t > 10 or p.poll() is not None:
        sys.exit("train never waited in its commit")
    time.sleep(0.01)
p.send_signal(signal.SIGINT)
def pending():  # the signal not yet delivered to train (its handler not yet run)
    with open("/proc/%d/status" % p.pid) as f:
        return any(l.split()[1].strip("0") for l in f if l.startswith(("SigPnd:", "ShdPnd:")))
t = time.time()
while pending() and time.time() - t < 10:
    time.sleep(0.01)
db.execute("ROLLBACK"); db.close()
rc = p.wait(timeout=20)
sys.exit(0 if rc == 0 else "exit status %d, not 0" % rc)
PY
        rm -f in.csv
        contains err.txt "kindly train: interrupted by SIGINT once the commit had begun: it was finished, and m.db holds the comments learnt"
        contains err.txt "--prune was not run (kindly info -m m.db --prune 1)"
        "$KINDLY" info -m m.db >info.json
        [ $existing = 1 ] || grep -q '"spam_messages":1,"ham_messages":1' info.json || fail "the model: $(cat info.json)"
        [ $existing = 0 ] || grep -q '"spam_messages":7,"ham_messages":7' info.json || fail "the model: $(cat info.json)"
    done
}

# train counts one unlabelled row in the singular, as learn does (it said "1 unlabelled rows")
test_train_counts_one_unlabelled_row_in_the_singular() {
    printf 'id,text,label\nr1,hello there friend,ham\nr2,buy cheap pills now,spam\nr3,no label here,\n' >l.csv
    expect_status 0 "$KINDLY" train -m m.db l.csv
    contains "$T/err" "learnt 2 comments (1 spam, 1 ham); 1 unlabelled row not learnt"
}

# train's progress (stderr a terminal) counts each file's own rows: the line of the second
# file said the rows of both ("b.csv: 5 rows" for its 3)
test_train_progress_counts_each_file_s_own_rows() {
    printf 'id,text,label\na1,hello there friend,ham\na2,buy cheap pills now,spam\n' >a.csv
    printf 'id,text,label\nb1,a kind word,ham\nb2,cheap pills again,spam\nb3,more kind words,ham\n' >b.csv
    python3 - "$KINDLY" >progress <<'PY' || fail "train: $(cat progress)"
import os, subprocess, sys
m, s = os.openpty()
p = subprocess.Popen([sys.argv[1], "train", "-m", "m.db", "a.csv", "b.csv"], stderr=s)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode().replace("\r", ""))
sys.exit(p.wait())
PY
    contains progress "a.csv: 2 rows"
    contains progress "b.csv: 3 rows"
    contains progress "kindly train: learnt 5 comments (2 spam, 3 ham)"
}

# The server's libraries (libmicrohttpd, jansson) are loaded by `kindly serve` alone
# (dlopen): every other command, a one-comment check above all, starts without mapping and
# relocating them. LD_TRACE_LOADED_OBJECTS lists what the loader maps at start (as ldd).
test_commands_other_than_serve_do_not_load_the_server_libraries() {
    LD_TRACE_LOADED_OBJECTS=1 "$KINDLY" >loaded 2>&1 || true
    contains loaded "libc.so" # (SQLite and PCRE2 are in the binary itself unless STATIC_DEPS=0)
    not_contains loaded "libjansson"
    not_contains loaded "libmicrohttpd"
}

# A missing or unreadable input is named with what it is, as a model is ("cannot open model
# x.db: no such file"), by every command that reads one; it was "x.csv: No such file or
# directory", the system's words only. Exit status 5, no model created.
test_a_missing_input_is_named_with_what_it_is() {
    train_small
    for c in "train -m m.db" "train -m new.db" "score -m m.db" "learn -m m.db --spam" "eval -m m.db" "eval --folds 3" \
        "rules --stats"; do
        # shellcheck disable=SC2086
        expect_status 5 "$KINDLY" $c nofile.csv
        [ "$(cat "$T/err")" = "kindly ${c%% *}: cannot open comments file nofile.csv: No such file or directory" ] ||
            fail "$c: $(cat "$T/err")"
    done
    [ ! -e new.db ] || fail "new.db was created"
    for c in "posts -m m.db" "posts -m new.db"; do
        # shellcheck disable=SC2086
        expect_status 5 "$KINDLY" $c nofile.csv
        [ "$(cat "$T/err")" = "kindly posts: cannot open posts file nofile.csv: No such file or directory" ] ||
            fail "$c: $(cat "$T/err")"
    done
    [ ! -e new.db ] || fail "new.db was created"
    mkdir dir.csv
    expect_status 5 "$KINDLY" score -m m.db dir.csv
    contains "$T/err" "kindly score: cannot open comments file dir.csv: Is a directory"
    expect_status 5 "$KINDLY" train -m m.db dir.csv
    contains "$T/err" "kindly train: cannot open comments file dir.csv: Is a directory"
}

# A file with no labelled row says why: which label column it has and what that column holds,
# or that it has none (its columns listed); it said only "no labelled rows in wp.csv (a label,
# CLASS or comment_approved column saying spam or ham)". train, learn, eval and rules --stats
# (which still said that); exit 4.
test_no_labelled_rows_says_which_column_holds_what() {
    printf 'comment_ID,comment_approved,comment_content\n1,0,hello there friend\n2,0,buy cheap pills\n3,trash,x\n' >wp.csv
    printf 'id,text\n1,hello world\n2,another comment\n' >nolabel.csv
    printf 'id,label,text\n1,approved,hello\n2,,again\n' >odd.csv
    train_small
    for c in "train -m new.db" "learn -m m.db" "eval -m m.db" "rules --stats"; do
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c wp.csv
        contains "$T/err" "kindly ${c%% *}: no labelled rows in wp.csv: its comment_approved column holds 0 (2 rows), trash (1 row), not spam or 1 (approved): export the approved and the spam comments (wp comment list --status=approve, --status=spam)"
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c nolabel.csv
        contains "$T/err" "kindly ${c%% *}: no labelled rows in nolabel.csv: it has no label, CLASS or comment_approved column (its columns: id, text)"
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c odd.csv
        contains "$T/err" "no labelled rows in odd.csv: its label column holds approved (1 row), nothing (1 row), not spam/ham, 1/0 or true/false"
    done
    [ ! -e new.db ] || fail "new.db was created"
}

# A label of blanks alone, quoted (a spreadsheet's cell of a space), is no label, as an empty
# one: it was named on each row as 'unknown label ""', and that message listed it as a value of
# spaces ('holds   (1 row)'); a label is read without its blanks there too.
test_a_label_of_blanks_is_no_label() {
    printf 'id,label,text\n1," ",hello\n2,,again\n3," maybe ",x\n' >blank.csv
    expect_status 4 "$KINDLY" train -m new.db blank.csv
    not_contains "$T/err" 'unknown label ""'
    contains "$T/err" "blank.csv:4: field 'label': unknown label \"maybe\""
    contains "$T/err" "kindly train: no labelled rows in blank.csv: its label column holds nothing (2 rows), maybe (1 row), not spam/ham"
}

# The columns that message lists are cut short at a character: a long name of 'é' was cut
# inside one, invalid UTF-8 on stderr, and a list cut short did not say so.
test_no_labelled_rows_lists_long_column_names_as_whole_characters() {
    python3 -c "open('long.csv', 'w', encoding='utf-8').write('id,text,' + '\u00e9' * 300 + '\n1,hello,x\n')"
    expect_status 4 "$KINDLY" train -m new.db long.csv
    contains "$T/err" "kindly train: no labelled rows in long.csv: it has no label, CLASS or comment_approved column (its columns: id, text, é"
    contains "$T/err" ", ...)"
    python3 -c "import sys; open(sys.argv[1], 'rb').read().decode('utf-8')" "$T/err" || fail "stderr is not valid UTF-8"
}

# A file with a header and no row teaches nothing, and says so: learn --spam/--ham and posts
# printed "learnt 0 comments" or "imported 0 posts" and exit status 0. Exit 4, as for a file
# of no labelled row; the other files are read.
test_a_file_of_only_a_header_is_said_to_be() {
    train_small
    printf 'id,label,text\n' >hdr.csv
    printf 'post_id,title,text\n' >posts.csv
    printf 'post_id,title,text\n7,Sleep,How to sleep better at night\n' >one.csv
    for c in "train -m m.db" "learn -m m.db" "learn -m m.db --spam" "learn -m m.db --ham --undo" "eval -m m.db"; do
        # shellcheck disable=SC2086
        expect_status 4 "$KINDLY" $c hdr.csv
        contains "$T/err" "kindly ${c%% *}: no rows in hdr.csv: it has only its header row"
    done
    expect_status 4 "$KINDLY" posts -m m.db posts.csv one.csv
    contains "$T/err" "kindly posts: no rows in posts.csv: it has only its header row"
    contains "$T/err" "kindly posts: imported 1 post"
}

# check's --ip that is no address ("999.1.1.1", a host name) and --email with no domain after
# an '@' ("notanemail", which gives no e:DOMAIN token) were taken without a word. They are
# read as given (a hook passes what WordPress stored; the server and the CSV columns take
# them so), with a warning naming the flag and the value: the verdict and its JSON are
# those of the same comment without the warning. IPv6, IPv4 and empty values say nothing;
# learn --raw, which takes the same flags, warns alike and learns.
test_check_warns_of_an_ip_or_email_that_is_none() {
    train_small
    printf 'hello there' >c.txt
    printf 'id,ip,email,text\nc1,999.1.1.1,notanemail,hello there\n' >c.csv
    expect_status 0 "$KINDLY" score -m m.db c.csv
    cp "$T/out" score.json
    [ ! -s "$T/err" ] || fail "score: $(cat "$T/err")"
    st=0; "$KINDLY" check -m m.db --id c1 --ip 999.1.1.1 --email notanemail <c.txt >"$T/out" 2>"$T/err" || st=$?
    want=$(sed 's/.*"verdict":"\([a-z]*\)".*/\1/; s/approve/0/; s/spam/1/; s/hold/2/' score.json)
    [ "$st" -eq "$want" ] || fail "exit status $st, not $want"
    cmp -s "$T/out" score.json || fail "not score's verdict: $(cat "$T/out") vs $(cat score.json)"
    contains "$T/err" "kindly check: --ip: '999.1.1.1' is no IPv4 or IPv6 address: read as given"
    contains "$T/err" "kindly check: --email: 'notanemail' has no domain after an '@': read as given"
    lines "$T/err" 2
    for ok in "--ip ::1" "--ip 2001:db8::1" "--ip ::ffff:192.0.2.1" "--ip 192.0.2.1" "--ip fe80::1%eth0" "--email bob@example.com"; do
        # shellcheck disable=SC2086
        "$KINDLY" check -m m.db $ok <c.txt >/dev/null 2>"$T/err" || true
        [ ! -s "$T/err" ] || fail "$ok: $(cat "$T/err")"
    done
    "$KINDLY" check -m m.db --ip "" --email "" <c.txt >/dev/null 2>"$T/err" || true
    [ ! -s "$T/err" ] || fail "empty values: $(cat "$T/err")"
    "$KINDLY" check -m m.db --email bob@ --ip "$(printf 'a\033b')" <c.txt >/dev/null 2>"$T/err" || true
    contains "$T/err" "--email: 'bob@' has no domain"
    contains "$T/err" "--ip: 'a\x1bb' is no IPv4"
    # a long value is shown cut at 64 bytes, between two characters
    "$KINDLY" check -m m.db --email "$(printf 'é%.0s' $(seq 50))" <c.txt >/dev/null 2>"$T/err" || true
    contains "$T/err" "--email: '$(printf 'é%.0s' $(seq 32))...' has no domain"
    expect_status 0 sh -c '"$KINDLY" learn -m m.db --raw --ham --ip host.example <c.txt'
    contains "$T/err" "kindly learn: --ip: 'host.example' is no IPv4 or IPv6 address: read as given"
    contains "$T/err" "learnt"
    # rules --test reads the metadata as check does: said alike, invalid UTF-8 repaired alike
    expect_status 0 sh -c '"$KINDLY" rules --test --ip 999.1.1.1 --author "$(printf "\377bob")" <c.txt'
    contains "$T/err" "kindly rules: --ip: '999.1.1.1' is no IPv4 or IPv6 address: read as given"
    contains "$T/err" "kindly rules: --author: invalid UTF-8 at byte 0 of the value, replaced by U+FFFD"
}

# score of a file with a header and no row printed nothing and said nothing (exit 0): a
# mistyped export looked like a run with nothing to report. It says so on stderr, naming the
# file (standard input as <stdin>), and exits 0: no line is the right output for no row (a
# cron job's export of no new comment), and --format csv still writes its header. A file
# whose rows were all bad says that instead (exit 4), not "no rows".
test_score_of_a_file_of_only_a_header_says_so() {
    train_small
    printf 'id,text\n' >hdr.csv
    expect_status 0 "$KINDLY" score -m m.db hdr.csv
    lines "$T/out" 0
    contains "$T/err" "kindly score: no rows in hdr.csv: it has only its header row: nothing was scored"
    expect_status 0 sh -c '"$KINDLY" score -m m.db --format csv - <hdr.csv'
    contains "$T/out" "id,text,verdict,spam_score"
    contains "$T/err" "kindly score: no rows in <stdin>: it has only its header row"
    printf 'id,text\n1,hello there\n' >one.csv
    expect_status 0 "$KINDLY" score -m m.db one.csv
    not_contains "$T/err" "no rows"
    printf 'id,text\n1,a,b,c\n' >bad.csv
    expect_status 4 "$KINDLY" score -m m.db bad.csv
    contains "$T/err" "kindly score: 1 bad row skipped"
    not_contains "$T/err" "no rows"
}

# The shipped default model approves a reader's short thanks with emoji. Its corpus had few
# honest comments with emoji, and it held "Love this 🙏✨" at 0.81 (🙏 seen in 9 spam
# comments and no ham) and "Thank you for this 🙏✨" at 0.50.
test_the_default_model_approves_a_readers_thanks_with_emoji() {
    for t in 'Love this 🙏✨' 'Thank you for this 🙏✨'; do
        printf '%s\n' "$t" >c.txt
        expect_status 0 "$KINDLY" check <c.txt || fail "'$t' is not approved: $(cat "$T/out")"
        contains "$T/out" '"verdict":"approve"'
    done
}

# A reader's short sympathy or agreement on a post the shipped model knows is approved: each
# was held as off topic (relevance 0.04-0.08 on two or three words), not being generic praise
test_the_default_model_approves_short_sympathy_on_a_post() {
    for t in 'Agreed.' 'So relatable.' 'Hugs to you.' 'Hang in there.' 'Oh I love this.'; do
        printf '%s\n' "$t" >c.txt
        expect_status 0 "$KINDLY" check --post sleep-and-anxiety <c.txt || fail "'$t': $(cat "$T/out")"
        contains "$T/out" '"verdict":"approve"' || fail "'$t' is not approved: $(cat "$T/out")"
        contains "$T/out" '"generic":true'
    done
}

# A reader's short reply that names the one it answers is generic, so not held as off topic
# ("Hang in there, Jo." was: relevance 0.00, a name being in no vocabulary); a spammer's
# product in the name's place is not (the shipped model has seen viagra and bitcoin in spam)
test_the_default_model_approves_short_sympathy_to_a_name() {
    for t in 'Hang in there, Jo.' 'Jo, hang in there' 'Thank you, Sarah!' 'Sending hugs, Mia x'; do
        printf '%s\n' "$t" >c.txt
        expect_status 0 "$KINDLY" check --post sleep-and-anxiety <c.txt || fail "'$t': $(cat "$T/out")"
        contains "$T/out" '"generic":true'
        not_contains "$T/out" 'off_topic'
    done
    for t in 'Thanks, Viagra' 'Great post, cheap pills' 'Nice article, casino bonus' 'Thanks Bitcoin Doubler'; do
        printf '%s\n' "$t" >c.txt
        "$KINDLY" check --post sleep-and-anxiety <c.txt >"$T/out" || true
        contains "$T/out" '"generic":false'
    done
    printf 'Great post, Sarah! https://cheap-pills.example.shop\n' >c.txt
    "$KINDLY" check --post sleep-and-anxiety <c.txt >"$T/out" || true
    contains "$T/out" 'GENERIC_WITH_LINK'
}

# What each help says of a command is what it does: a comment over 16 MiB on standard input
# is exit 4 for check, learn --raw and rules --test alike, and each help says so (learn's and
# rules' did not); every command that takes -q shows it in its usage line (train's did not)
test_each_help_says_what_the_command_does() {
    head -c 16777217 /dev/zero | tr '\0' a >big.txt
    "$KINDLY" train -q -m m.db "$D/train.csv"
    for c in "check -m m.db" "learn -m m.db --raw --spam" "rules --test"; do
        # shellcheck disable=SC2086
        expect_status 4 sh -c "\"\$KINDLY\" $c < big.txt"
        contains "$T/err" "longer than 16 MiB"
        "$KINDLY" help "${c%% *}" | sed -n '/^Exit status/,$p' | tr '\n' ' ' >exit.txt
        contains exit.txt "longer than 16 MiB"
    done
    for c in $("$KINDLY" help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
        "$KINDLY" help "$c" >h.txt
        grep -q '^  -q, --quiet' h.txt || continue
        sed '/^$/q' h.txt | grep -qF '[-q]' || fail "kindly help $c lists -q but its usage line does not show it"
    done
}

# A WordPress export refused for its columns says which export to make: wp comment list
# without --fields has no comment_content, and wp post list's posts given to train or score
# are no comments. The message named the columns only, and a blogger's next try was a guess.
test_a_wordpress_export_refused_for_its_columns_says_what_to_run() {
    train_small
    printf 'comment_ID,comment_post_ID,comment_date,comment_approved,comment_author,comment_author_email\r\n' >wp.csv
    printf '1001,101,"2024-03-02 01:01:00",1,Maria,maria@mail.example\r\n' >>wp.csv
    for c in train learn score eval; do
        expect_status 4 "$KINDLY" $c -m m.db wp.csv
        contains "$T/err" "kindly $c: wp.csv: no text column"
        contains "$T/err" "wp comment list writes the text only when --fields names it: wp comment list --fields=comment_ID,comment_post_ID,comment_author,comment_author_email,comment_author_url,comment_author_IP,comment_date_gmt,comment_content,comment_agent,comment_parent,comment_approved --format=csv"
    done
    printf '\xef\xbb\xbfID,post_title,post_content\r\n101,Sourdough,"<!-- wp:paragraph --><p>Rye flour</p>"\r\n' >posts.csv
    for c in train learn score; do
        expect_status 4 "$KINDLY" $c -m m.db posts.csv
        contains "$T/err" "; it looks like a file of posts: posts are imported with kindly posts -m MODEL.db posts.csv"
    done
    expect_status 4 "$KINDLY" score -m m.db - <posts.csv
    contains "$T/err" "kindly posts -m MODEL.db - (reading standard input)"
    # kindly's own posts columns have a text: no label, so train names them as posts too
    printf 'post_id,title,text\np1,Sourdough,Rye flour and water\n' >kposts.csv
    expect_status 4 "$KINDLY" train -m m.db kposts.csv
    contains "$T/err" "no labelled rows in kposts.csv: it has no label, CLASS or comment_approved column (its columns: post_id, title, text); it looks like a file of posts"
    # score and learn --spam|--ham read every row of it as a comment: they warn, and go on
    expect_status 0 "$KINDLY" score -m m.db kposts.csv
    contains "$T/err" "kindly score: warning: kposts.csv looks like a file of posts (a post's title, no comment's id): its rows are read as comments; posts are imported with kindly posts -m MODEL.db kposts.csv"
    lines "$T/out" 1
    expect_status 0 "$KINDLY" learn --ham -m m.db kposts.csv
    contains "$T/err" "kindly learn: warning: kposts.csv looks like a file of posts"
    contains "$T/err" "learnt 1 comment"
    expect_status 0 "$KINDLY" score -m m.db "$ROOT/corpora/sample.csv"
    not_contains "$T/err" "file of posts"
    # comments joined with their posts' titles are comments: comment_ID is a comment's id
    # (was warned "a file of posts (a title and a post_id, no id)", and train named it posts)
    printf 'comment_ID,comment_post_ID,post_title,comment_content\n1001,101,Sourdough,Rye flour is great\n' >joined.csv
    expect_status 0 "$KINDLY" score -m m.db joined.csv
    not_contains "$T/err" "file of posts"
    lines "$T/out" 1
    expect_status 4 "$KINDLY" train -m m.db joined.csv
    contains "$T/err" "no labelled rows in joined.csv: it has no label, CLASS or comment_approved column"
    not_contains "$T/err" "file of posts"
    # a comments file without a text column still says only what it says
    printf 'a,b\n1,2\n' >cols.csv
    expect_status 4 "$KINDLY" train -m m.db cols.csv
    not_contains "$T/err" "wp comment list"
    not_contains "$T/err" "file of posts"
}
