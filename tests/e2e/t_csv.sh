# t_csv.sh - the CSV reader through the real binary: a bad row is named as FILE:LINE and never
# takes good rows with it (stray and unclosed quotes), and duplicate header names are warned
# about. Sourced by run.sh; each test_* runs in a fresh directory $T.

csv_model() { "$KINDLY" train -q -m "$T/m.db" "$ROOT/tests/e2e/data/train.csv"; }

# ids of a JSON Lines score output, one per line
csv_ids() { sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$1"; }

# The reviewer's case: corpora/comments.csv with a stray quote before the text of line 6
# (kc-0005). Only kc-0005 is lost; kc-0006, whose opening quote closed the stray one, is kept.
csv_stray_copy() {
    awk 'NR == 6 { sub(/,ham,The bit about effort/, ",ham,\"The bit about effort") } { print }' \
        "$ROOT/corpora/comments.csv" >stray.csv
    sed -n 6p stray.csv | grep -q '^kc-0005,.*,ham,"The bit about effort' || fail "line 6 not changed"
}

test_csv_stray_quote_loses_only_its_own_row() {
    csv_model
    csv_stray_copy
    expect_status 0 "$KINDLY" score -m m.db "$ROOT/corpora/comments.csv"
    csv_ids "$T/out" | grep -v '^kc-0005$' >want.ids
    expect_status 4 "$KINDLY" score -m m.db stray.csv
    csv_ids "$T/out" >got.ids
    diff want.ids got.ids || fail "the rows scored are not all rows but kc-0005"
    contains got.ids kc-0006
    lines "$T/err" 2 # the row's message, then the count
    [ "$(head -1 "$T/err")" = "stray.csv:6: field 'text': unbalanced quote (the quoted field opened here breaks on line 7); reading resumes at line 7 (row skipped)" ] ||
        fail "stderr: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly score: 1 bad row skipped" ] || fail "summary: $(cat "$T/err")"
}

test_csv_stray_quote_on_stdin_is_recovered_the_same_way() {
    csv_model
    csv_stray_copy
    "$KINDLY" score -m m.db stray.csv >file.jsonl 2>/dev/null || true
    expect_status 4 sh -c "\"$KINDLY\" score -m m.db - < stray.csv"
    cmp -s file.jsonl "$T/out" || fail "stdin and file outputs differ"
    lines "$T/err" 2
    contains "$T/err" "<stdin>:6: field 'text': unbalanced quote"
    contains "$T/err" "kindly score: 1 bad row skipped"
}

test_csv_train_counts_the_stray_quote_once() {
    csv_stray_copy
    expect_status 0 "$KINDLY" train -m whole.db "$ROOT/corpora/comments.csv"
    n=$(sed -n 's/.*learnt \([0-9]*\) comments.*/\1/p' "$T/err")
    [ -n "$n" ] || fail "no count: $(cat "$T/err")"
    expect_status 4 "$KINDLY" train -m stray.db stray.csv
    contains "$T/err" "learnt $((n - 1)) comments"
    contains "$T/err" "; 1 bad row skipped"
    [ "$(grep -c '(row skipped)' "$T/err")" -eq 1 ] || fail "messages: $(cat "$T/err")"
    contains "$T/err" "stray.csv:6: field 'text': unbalanced quote"
}

test_csv_quote_never_closed_keeps_the_rows_after_it() {
    csv_model
    printf 'id,author,label,text\nr1,Ann,ham,hello\nr2,Bob,spam,"never closed\nr3,Cy,ham,fine\nr4,Di,ham,also fine\n' >open.csv
    expect_status 4 "$KINDLY" score -m m.db open.csv
    [ "$(csv_ids "$T/out" | tr '\n' ' ')" = "r1 r3 r4 " ] || fail "rows: $(csv_ids "$T/out" | tr '\n' ' ')"
    lines "$T/err" 2 # the row's message, then the count
    [ "$(head -1 "$T/err")" = "open.csv:3: field 'text': unbalanced quote (the quoted field opened here is still open at the end of the input); reading resumes at line 4 (row skipped)" ] ||
        fail "stderr: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly score: 1 bad row skipped" ] || fail "summary: $(cat "$T/err")"
    expect_status 4 "$KINDLY" train -m t.db open.csv
    contains "$T/err" "learnt 3 comments (0 spam, 3 ham); 1 bad row skipped"
}

# A quote of a comment's text left undoubled closes its field by accident; on a later line of a
# multi-line comment, the row is named once, on its own line, with the line of the quote (that
# line was read again as a row of its own and named with the field it would be, 'id')
test_csv_closing_quote_in_a_multi_line_text_is_named_once() {
    csv_model
    printf 'id,text\nr1,hello\nr2,"first line\nhe said "hi" and left"\nr3,fine\n' >q.csv
    expect_status 4 "$KINDLY" score -m m.db q.csv
    [ "$(csv_ids "$T/out" | tr '\n' ' ')" = "r1 r3 " ] || fail "rows: $(csv_ids "$T/out" | tr '\n' ' ')"
    lines "$T/err" 2 # the row's message, then the count
    [ "$(head -1 "$T/err")" = "q.csv:3: field 'text': text after the quote that closes this quoted field on line 4 (a quote inside a quoted field is written twice, \"\"); reading resumes at line 5 (row skipped)" ] ||
        fail "stderr: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly score: 1 bad row skipped" ] || fail "summary: $(cat "$T/err")"
    expect_status 4 sh -c "\"$KINDLY\" score -m m.db - < q.csv"
    contains "$T/err" "<stdin>:3: field 'text': text after the quote that closes this quoted field on line 4"
}

# The same quote in the middle line of a comment of three lines: the field ends on a later line;
# the row is named once (it was an 'unbalanced quote' and each later line a bad row of its own)
test_csv_closing_quote_in_a_middle_line_is_named_once() {
    csv_model
    printf 'id,text,label\nr1,hello,ham\nr2,"first line\nhe said "hi" and left\nthird line",ham\nr3,fine,ham\n' >q.csv
    expect_status 4 "$KINDLY" score -m m.db q.csv
    [ "$(csv_ids "$T/out" | tr '\n' ' ')" = "r1 r3 " ] || fail "rows: $(csv_ids "$T/out" | tr '\n' ' ')"
    lines "$T/err" 2 # the row's message, then the count
    [ "$(head -1 "$T/err")" = "q.csv:3: field 'text': text after the quote that closes this quoted field on line 4 (a quote inside a quoted field is written twice, \"\"); the field ends on line 5; reading resumes at line 6 (row skipped)" ] ||
        fail "stderr: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly score: 1 bad row skipped" ] || fail "summary: $(cat "$T/err")"
    expect_status 4 "$KINDLY" train -m t.db q.csv
    contains "$T/err" "learnt 2 comments (0 spam, 2 ham); 1 bad row skipped"
}

# A CR-only file (classic Mac OS) is read as the same file with LF line ends: its lines are
# counted at CR, so a row without an id column gets its own line as id (not "1" for every row,
# which made a copy the same comment as its original: no duplicate found) and a stray quote
# costs only its own row.
test_csv_cr_only_file_reads_like_lf() {
    csv_model
    printf 'author,text\nann,Buy cheap watches at replica-shop today best price\nbob,Buy cheap watches at replica-shop today best price\nr3,"never closed\nr4,fine\n' >lf.csv
    tr '\n' '\r' <lf.csv >cr.csv
    expect_status 4 "$KINDLY" score -m m.db lf.csv
    mv "$T/out" lf.out
    sed 's/^lf.csv/cr.csv/' "$T/err" >lf.err
    expect_status 4 "$KINDLY" score -m m.db cr.csv
    cmp -s lf.out "$T/out" || fail "CR-only output differs: $(cat "$T/out")"
    cmp -s lf.err "$T/err" || fail "CR-only stderr differs: $(cat "$T/err")"
    [ "$(csv_ids "$T/out" | tr '\n' ' ')" = "2 3 5 " ] || fail "ids: $(csv_ids "$T/out" | tr '\n' ' ')"
    contains "$T/out" '"duplicate_of":"2"'
}

# Every physical line is either read as part of a scored row or named on stderr, and the count
# of bad rows (train's, score's, rules --stats') is the number of messages. Each row's id is
# its line number.
test_csv_every_line_is_read_or_named() {
    csv_model
    {
        printf 'id,label,text\n'
        printf 'L2,ham,fine\n'
        printf 'L3,spam,"stray quote\n'                  # breaks on line 5: reported
        printf 'L4,ham,read again\n'
        printf 'L5,ham,"closes the stray one"\n'
        printf 'L6,ham,too,many,fields\n'               # reported
        printf 'L7,ham,"opens again\n'                  # breaks on line 9: reported
        printf 'L8,spam,cheap xanax\n'
        printf 'L9,ham,bad "quote" inside\n'            # reported on its own too
        printf 'L10,ham,"a good\n'                      # a good multi-line row, lines 10-11
        printf 'two-line row"\n'
        printf 'L12,ham,"never closed\n'                # reported
        printf 'L13,ham,last\n'
    } >mixed.csv
    expect_status 4 "$KINDLY" score -m m.db mixed.csv
    [ "$(csv_ids "$T/out" | tr '\n' ' ')" = "L2 L4 L5 L8 L10 L13 " ] || fail "rows: $(csv_ids "$T/out" | tr '\n' ' ')"
    for n in 3 6 7 9 12; do contains "$T/err" "mixed.csv:$n:"; done
    lines "$T/err" 6 # and score counts them, as train does
    [ "$(tail -1 "$T/err")" = "kindly score: 5 bad rows skipped" ] || fail "summary: $(cat "$T/err")"
    for n in 2 3 4 5 6 7 8 9 10 12 13; do
        grep -q "^{\"id\":\"L$n\"" "$T/out" || grep -q "^mixed.csv:$n:" "$T/err" || fail "line $n neither read nor named"
    done
    expect_status 4 "$KINDLY" train -m t.db mixed.csv
    contains "$T/err" "; 5 bad rows skipped"
    [ "$(grep -c '(row skipped)' "$T/err")" -eq 5 ] || fail "messages: $(cat "$T/err")"
    # rules --stats counts them too (it named them and said nothing more)
    expect_status 4 "$KINDLY" rules --stats mixed.csv
    lines "$T/err" 6
    [ "$(grep -c '^mixed.csv:[0-9]*: .*(row skipped)$' "$T/err")" -eq 5 ] || fail "messages: $(cat "$T/err")"
    [ "$(tail -1 "$T/err")" = "kindly rules: 5 bad rows skipped" ] || fail "summary: $(cat "$T/err")"
}

test_csv_duplicate_text_column_warns_and_uses_the_first() {
    csv_model
    {
        printf 'id,text,label,text\n'
        printf 'd1,"Cheap xanax and valium, no prescription, order now http://rx-direct.example",,"The breathing exercise and the journal helped me sleep, thank you"\n'
    } >dup.csv
    expect_status 0 "$KINDLY" score -m m.db dup.csv
    lines "$T/err" 1
    [ "$(cat "$T/err")" = "dup.csv:1: field 'text': duplicate column name (columns 2 and 4); column 2 is used, the other is ignored" ] ||
        fail "stderr: $(cat "$T/err")"
    contains "$T/out" '"verdict":"spam"'
}

test_csv_duplicate_label_column_warns_and_trains_on_the_first() {
    printf 'id,LABEL,text,label\na,spam,buy pills,ham\nb,spam,cheap pills,ham\nc,ham,nice post,spam\n' >dup.csv
    expect_status 0 "$KINDLY" train -m t.db dup.csv
    contains "$T/err" "dup.csv:1: field 'LABEL': duplicate column name (columns 2 and 4, letter case ignored); column 2 is used, the other is ignored"
    contains "$T/err" "learnt 3 comments (2 spam, 1 ham)"
}

test_csv_duplicate_youtube_and_wordpress_names_are_named() {
    csv_model
    printf 'COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS,CONTENT\ny1,Al,2014-01-01,hello there,0,other\n' >yt.csv
    expect_status 0 "$KINDLY" score -m m.db yt.csv
    contains "$T/err" "yt.csv:1: field 'CONTENT': duplicate column name (columns 4 and 6); column 4 is used"
    printf 'comment_ID,comment_content,comment_approved,comment_ID\n7,hello there,1,8\n' >wp.csv
    expect_status 0 "$KINDLY" score -m m.db wp.csv
    contains "$T/err" "wp.csv:1: field 'comment_ID': duplicate column name (columns 1 and 4); column 1 is used"
    contains "$T/out" '"id":"7"'
}

# A file that is no CSV, where a CSV file goes: the model given without -m (`eval m.db
# test.csv`), kindly's own JSON Lines output scored again, a PDF. One line says what the file
# is and what to do (exit 4, as for UTF-16); it was read as a header of binary bytes, named in
# "no text column" after a warning quoting them. eval goes on with the other files.
test_csv_a_file_that_is_not_csv_is_named_for_what_it_is() {
    csv_model
    expect_status 4 "$KINDLY" eval m.db "$ROOT/tests/e2e/data/train.csv"
    lines "$T/err" 1
    [ "$(cat "$T/err")" = "kindly eval: m.db: the file is an SQLite database (a kindly model?), not CSV: name a model with -m MODEL.db" ] ||
        fail "stderr: $(cat "$T/err")"
    contains "$T/out" "accuracy"
    "$KINDLY" score -m m.db "$ROOT/tests/e2e/data/score.csv" >verdicts.jsonl
    expect_status 4 "$KINDLY" score -m m.db verdicts.jsonl
    lines "$T/err" 1
    contains "$T/err" "kindly score: verdicts.jsonl: the file is JSON, not CSV: kindly reads CSV with a header row"
    printf '%%PDF-1.7\n%%\342\343\317\323\n' >comments.pdf
    expect_status 4 "$KINDLY" train -m new.db comments.pdf
    contains "$T/err" "kindly train: comments.pdf: the file is a PDF document, not CSV: export the data as CSV"
    [ ! -e new.db ] || fail "a model was created from a PDF"
}

# One message, one line: a label or a column name with a newline, a carriage return or an
# escape sequence in it is quoted with escapes. A label holding a newline printed a second
# line that read as another FILE:LINE message (here a made-up skipped row), and an escape
# sequence reached the terminal.
test_csv_messages_quote_control_characters_as_escapes() {
    csv_model
    printf 'id,"ta\ng",label,text\nr1,x,"spam\nfake.csv:9: bad (row skipped)",hello\nr2,x,"\033[2Jham\r",there\nr3,\377,ham,third\n' >ctl.csv
    # train reads the labels (score does not: see the next test)
    expect_status 0 "$KINDLY" train -q -m t.db ctl.csv
    [ "$(grep -c '^ctl.csv:' "$T/err")" = 4 ] || fail "not 4 messages: $(cat "$T/err")"
    not_contains "$T/err" "$(printf '\033')"
    not_contains "$T/err" "$(printf '\r')"
    contains "$T/err" 'ctl.csv:1: a column is not read: "ta\ng"'
    contains "$T/err" 'ctl.csv:3: field '\''label'\'': unknown label "spam\nfake.csv:9: bad (row skipped)" (expected'
    contains "$T/err" 'ctl.csv:5: field '\''label'\'': unknown label "\x1b[2Jham\r" (expected'
    contains "$T/err" 'ctl.csv:6: field '\''ta\ng'\'': invalid UTF-8'
}

# score does not read the label column (its verdicts are the model's): a label it does not
# know is no warning there. corpora/offtopic.csv, labelled "offtopic", gave 150 lines of
# "unknown label ... row kept unlabelled" on stderr, one a row, about a column score never
# used; --format csv writes the label back as it was.
test_csv_score_does_not_read_the_labels() {
    csv_model
    printf 'id,label,text
r1,offtopic,the council should fix the potholes
r2,spam,cheap pills
r3,,hello
' >odd.csv
    expect_status 0 "$KINDLY" score -m m.db odd.csv
    lines "$T/out" 3
    not_contains "$T/err" "label"
    expect_status 0 "$KINDLY" score -m m.db --format csv odd.csv
    contains "$T/out" "r1,offtopic,the council should fix the potholes,"
}

# learn --spam and --ham label every row themselves and read no label column: a label column
# named twice (label beside comment_approved, Label beside CLASS) was still warned about,
# "column 2 is used", for a column not used at all. A duplicate of another column still is;
# without the flag, the label column read is named as before.
test_csv_learn_with_a_label_flag_says_nothing_of_label_columns() {
    csv_model
    printf 'id,label,comment_approved,text\n1,spam,1,buy cheap pills now\n' >wp.csv
    expect_status 0 "$KINDLY" learn -m m.db --spam wp.csv
    lines "$T/err" 1
    contains "$T/err" "learnt 1 comment (1 spam, 0 ham)"
    printf 'id,text,CLASS,Label,label,TEXT\n2,a kind word,1,spam,ham,other\n' >two.csv
    expect_status 0 "$KINDLY" learn -m m.db --ham two.csv
    lines "$T/err" 2
    contains "$T/err" "two.csv:1: field 'text': duplicate column name (columns 2 and 6, letter case ignored)"
    contains "$T/err" "learnt 1 comment (0 spam, 1 ham)"
    expect_status 0 "$KINDLY" learn -m m.db two.csv
    contains "$T/err" "two.csv:1: field 'Label': duplicate column name (columns 4 and 5, letter case ignored)"
    contains "$T/err" "two.csv:1: field 'CLASS': the label again"
}

# A message is never cut: the advice after a repaired field names the file to convert, and a
# long path (here 60 two-byte letters) made it longer than the reader's 256-byte buffer, cut
# inside a character (invalid UTF-8 on stderr) and without its end ('> converted.csv)').
test_csv_long_message_is_whole_and_valid_utf8() {
    csv_model
    d=$(printf 'é%.0s' $(seq 60))
    mkdir "$d"
    printf 'id,text\na,\377\n' >"$d/f.csv"
    expect_status 0 "$KINDLY" score -m m.db "$d/f.csv"
    lines "$T/err" 1
    contains "$T/err" "iconv -f WINDOWS-1252 -t UTF-8 $d/f.csv > converted.csv)"
    iconv -f UTF-8 -t UTF-8 "$T/err" >/dev/null || fail "stderr is not UTF-8: $(cat "$T/err")"
}

# The output contract under random hostile input (tests/e2e/csv_contract.py): every good row
# scored once, in order, with its id, in strict JSON and in CSV that reads back to the input's
# fields; every bad row named as FILE:LINE on one line of stderr, with exit status 4; damaged
# files never crash or hang; check's exit status is its verdict. A fixed seed, so that a
# failure reproduces (python3 tests/e2e/csv_contract.py KINDLY MODEL N SEED for more cases).
test_csv_output_contract_under_random_input() {
    command -v python3 >/dev/null || skip "python3 is absent"
    csv_model
    python3 "$ROOT/tests/e2e/csv_contract.py" --no-big "$KINDLY" m.db 40 20261201 >contract.log 2>&1 ||
        fail "$(tail -15 contract.log)"
}

# A hand-made export's columns that kindly does not read are named once, with the name kindly
# reads where one looks like its own: "website" was ignored without a word, so the author-URL
# rules never fired on its comments. Every row is still scored, exit 0.
test_csv_unread_columns_are_named_once() {
    csv_model
    printf 'id,name,website,text,rating\n1,Ann,http://pills.example,great post,5\n2,Bob,,thanks,4\n' >hand.csv
    expect_status 0 "$KINDLY" score -m m.db hand.csv
    lines "$T/out" 2
    lines "$T/err" 1
    contains "$T/err" 'hand.csv:1: columns are not read: "name" (the author? kindly reads it from a column named author), "website" (the author'\''s URL? kindly reads it from a column named url), "rating"'
    sed 's/^id,name,website,/id,author,url,/' hand.csv >renamed.csv
    expect_status 0 "$KINDLY" score -m m.db renamed.csv
    lines "$T/err" 1
    contains "$T/err" 'renamed.csv:1: a column is not read: "rating"'
}
